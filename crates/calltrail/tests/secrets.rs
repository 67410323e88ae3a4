//! Credentials never show: not in output at the highest verbosity, not in errors, not in the
//! archive.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const SECRET: &str = "s3ntinel-client-secret-7f2a";
const WRONG: &str = "s3ntinel-wrong-secret-91c4";
const TOKEN: &str = "s3ntinel-access-token-5d0e";

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn calltrail(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_calltrail"));
    c.current_dir(dir).env_remove("CALLTRAIL_DB").env_remove("CALLTRAIL_CONFIG");
    c.env_remove("GENESYSCLOUD_OAUTHCLIENT_ID")
        .env_remove("GENESYSCLOUD_OAUTHCLIENT_SECRET")
        .env_remove("GENESYSCLOUD_ACCESS_TOKEN");
    c
}

fn assert_clean(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for sentinel in [SECRET, WRONG, TOKEN] {
        assert!(!text.contains(sentinel), "{what} contains a secret");
    }
}

#[test]
fn secrets_appear_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    let mut sim = KillOnDrop(
        calltrail(dir.path())
            .args([
                "-q",
                "sim",
                "--listen",
                "127.0.0.1:0",
                "--calls",
                "300",
                "--days",
                "2",
                "--rate-limit",
                "1000000",
            ])
            .args(["--client", &format!("sentinel-client:{SECRET}")])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut api = String::new();
    BufReader::new(sim.0.stdout.take().unwrap()).read_line(&mut api).unwrap();
    let api = api.trim();
    let sync = |secret: Option<&str>, token: Option<&str>| {
        let mut c = calltrail(dir.path());
        c.args([
            "-vv",
            "--db",
            "archive.db",
            "sync",
            "--from",
            "2000-01-01",
            "--to",
            "2000-01-15",
            "--mode",
            "query",
            "--api-base",
            api,
        ]);
        c.args(["--rate-limit", "1000000"]);
        if let Some(s) = secret {
            c.env("GENESYSCLOUD_OAUTHCLIENT_ID", "sentinel-client").env("GENESYSCLOUD_OAUTHCLIENT_SECRET", s);
        }
        if let Some(t) = token {
            c.env("GENESYSCLOUD_ACCESS_TOKEN", t);
        }
        c.output().unwrap()
    };
    let ok = sync(Some(SECRET), None);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert_clean("sync output", &[ok.stdout, ok.stderr].concat());

    let wrong = sync(Some(WRONG), None);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("authentication failed"));
    assert_clean("auth error", &[wrong.stdout, wrong.stderr].concat());

    let token = sync(None, Some(TOKEN));
    assert_eq!(token.status.code(), Some(1));
    assert_clean("token error", &[token.stdout, token.stderr].concat());

    for file in std::fs::read_dir(dir.path()).unwrap() {
        let path = file.unwrap().path();
        assert_clean(&path.display().to_string(), &std::fs::read(&path).unwrap());
    }
}
