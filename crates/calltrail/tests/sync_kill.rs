//! A real `calltrail sync`, killed with SIGKILL at twenty moments and resumed each time, against
//! a real `calltrail sim` process: the archive ends with every conversation of the simulator's
//! ground truth, once.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn calltrail() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_calltrail"));
    c.env("GENESYSCLOUD_OAUTHCLIENT_ID", "kill-test").env("GENESYSCLOUD_OAUTHCLIENT_SECRET", "kill-secret");
    c.env_remove("CALLTRAIL_DB").env_remove("CALLTRAIL_CONFIG").env_remove("GENESYSCLOUD_ACCESS_TOKEN");
    c
}

/// The range: the simulator's days, and today.
fn range() -> (String, String) {
    let now = calltrail_model::Timestamp(
        i64::try_from(
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis(),
        )
        .unwrap(),
    );
    let day = 86_400_000;
    let today = now.0.div_euclid(day) * day;
    (
        calltrail_model::Timestamp(today - 4 * day).to_rfc3339(),
        calltrail_model::Timestamp(today + day).to_rfc3339(),
    )
}

fn sync(dir: &Path, api: &str, resume: bool) -> Command {
    let mut c = calltrail();
    c.current_dir(dir).args([
        "-q",
        "--db",
        "archive.db",
        "sync",
        "--mode",
        "query",
        "--rate-limit",
        "60000",
        "--api-base",
        api,
    ]);
    if resume {
        c.arg("--resume");
    } else {
        let (from, to) = range();
        c.args(["--from", &from, "--to", &to]);
    }
    c.stdout(Stdio::null()).stderr(Stdio::null());
    c
}

#[test]
fn sigkill_at_twenty_moments_then_resume() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--calls", "1200", "--days", "3", "--seed", "31"];
    let mut sim = KillOnDrop(
        calltrail()
            .args(["-q", "sim", "--listen", "127.0.0.1:0", "--rate-limit", "1000000"])
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut api = String::new();
    BufReader::new(sim.0.stdout.take().unwrap()).read_line(&mut api).unwrap();
    let api = api.trim().to_owned();

    let mut kills = 0;
    for i in 0..20u64 {
        let interrupted = dir.path().join("archive.db").exists()
            && calltrail_store::Store::open(&dir.path().join("archive.db"))
                .unwrap()
                .interrupted_sync()
                .unwrap()
                .is_some();
        let mut child = sync(dir.path(), &api, interrupted).spawn().unwrap();
        // Twenty moments spread over a sync's life, from its first request to its last pages.
        std::thread::sleep(Duration::from_millis(20 + (i * 53) % 700));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        let _ = child.wait();
    }
    assert!(kills >= 10, "only {kills} of the runs were killed mid-way");
    let interrupted = calltrail_store::Store::open(&dir.path().join("archive.db"))
        .unwrap()
        .interrupted_sync()
        .unwrap()
        .is_some();
    let status = sync(dir.path(), &api, interrupted).status().unwrap();
    assert!(status.success());

    // The ground truth of the same simulator (same arguments, same day): every id, once.
    let truth = calltrail()
        .current_dir(dir.path())
        .args(["sim", "generate", "--truth", "truth.ndjson"])
        .args(args)
        .output()
        .unwrap();
    assert!(truth.status.success());
    let mut expected: Vec<String> = std::fs::read_to_string(dir.path().join("truth.ndjson"))
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["conversation_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    expected.sort();
    let store = calltrail_store::Store::open(&dir.path().join("archive.db")).unwrap();
    let mut ids = store.ids().unwrap();
    ids.sort();
    assert_eq!(ids.len(), expected.len());
    assert_eq!(ids, expected);
    let counts = store.counts().unwrap();
    assert_eq!(counts.quarantined, 0);
    let calls: i64 = store.connection().query_row("SELECT count(*) FROM calls", [], |r| r.get(0)).unwrap();
    assert_eq!(usize::try_from(calls).unwrap(), expected.len(), "every conversation has its call record");
}
