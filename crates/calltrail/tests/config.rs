//! `calltrail.toml` stands in for the flags a site sets once — the archive, the time zone, the
//! organisation and the sync's defaults — below the environment and the flags, and never holds
//! a secret.

mod common;

use common::{first_line, http_get, KillOnDrop};

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn calltrail(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_calltrail"));
    c.current_dir(dir).stdin(Stdio::null());
    for name in [
        "CALLTRAIL_DB",
        "CALLTRAIL_CONFIG",
        "CALLTRAIL_TZ",
        "GENESYSCLOUD_OAUTHCLIENT_ID",
        "GENESYSCLOUD_OAUTHCLIENT_SECRET",
        "GENESYSCLOUD_ACCESS_TOKEN",
        "GENESYSCLOUD_REGION",
        "GENESYSCLOUD_API_REGION",
    ] {
        c.env_remove(name);
    }
    c
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(out: &Output, what: &str) -> String {
    assert!(out.status.success(), "{what}: {}", text(&out.stderr));
    text(&out.stdout)
}

/// `YYYY-MM-DD HH:MM` of UTC `ms` shifted by `offset_minutes`, as the calls table shows it.
fn local_minute(ms: i64, offset_minutes: i64) -> String {
    calltrail_model::Timestamp(ms + offset_minutes * 60_000).to_rfc3339()[..16].replace('T', " ")
}

#[test]
fn the_configuration_names_the_organisation_the_archive_the_zone_and_the_sync_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let mut sim = KillOnDrop(
        calltrail(dir.path())
            .args(["-q", "sim", "--listen", "127.0.0.1:0", "--calls", "200", "--days", "2"])
            .args(["--rate-limit", "1000000", "--client", "site-client:site-secret"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let api = first_line(&mut sim.0);
    // Zones without daylight saving, so the offsets hold on any date.
    std::fs::write(
        dir.path().join("calltrail.toml"),
        format!(
            "db = \"site.db\"\ntz = \"Asia/Kolkata\"\n\n[genesys]\napi_base = \"{api}\"\nclient_id = \"site-client\"\n\n\
             [sync]\nmode = \"query\"\nrate_limit = 1000000\n"
        ),
    )
    .unwrap();

    // Only the secret comes from the environment; the rest from the file.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
    let from = calltrail_model::Timestamp(i64::try_from(now).unwrap() - 3 * 86_400_000).utc_date();
    let sync = calltrail(dir.path())
        .args(["--no-progress", "sync", "--from", &from])
        .env("GENESYSCLOUD_OAUTHCLIENT_SECRET", "site-secret")
        .output()
        .unwrap();
    ok(&sync, "sync");
    assert!(dir.path().join("site.db").exists() && !dir.path().join("calltrail.db").exists());
    let archive = rusqlite::Connection::open(dir.path().join("site.db")).unwrap();
    let mode: String = archive.query_row("SELECT mode FROM syncs", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "query", "[sync] mode");
    let calls: i64 = archive.query_row("SELECT count(*) FROM calls", [], |r| r.get(0)).unwrap();
    assert!(calls >= 100, "{calls}");

    // A relative archive path is taken from the file's folder, not from where calltrail runs.
    std::fs::create_dir(dir.path().join("conf")).unwrap();
    std::fs::write(dir.path().join("conf/site.toml"), "db = \"../site.db\"\n").unwrap();
    let listed = ok(
        &calltrail(dir.path())
            .args(["--config", "conf/site.toml", "calls", "--format", "csv"])
            .output()
            .unwrap(),
        "calls via conf/site.toml",
    );
    assert_eq!(listed.lines().count(), usize::try_from(calls).unwrap() + 1);

    // The zone of the file, unless the environment or the flag says otherwise.
    let first_start = |extra: &[&str], env_tz: Option<&str>| {
        let mut c = calltrail(dir.path());
        c.args(["calls", "--limit", "1", "--format", "table"]).args(extra);
        if let Some(tz) = env_tz {
            c.env("CALLTRAIL_TZ", tz);
        }
        let table = ok(&c.output().unwrap(), "calls");
        let row = table.lines().skip_while(|l| !l.starts_with("---")).nth(1).unwrap();
        row.split("  ").nth(1).unwrap().trim().to_owned()
    };
    let start_ms: i64 = archive.query_row("SELECT min(start_ms) FROM calls", [], |r| r.get(0)).unwrap();
    assert_eq!(first_start(&[], None), local_minute(start_ms, 330), "tz from the file");
    assert_eq!(first_start(&[], Some("Asia/Tokyo")), local_minute(start_ms, 540), "CALLTRAIL_TZ");
    assert_eq!(first_start(&["--tz", "UTC"], Some("Asia/Tokyo")), local_minute(start_ms, 0), "--tz");
    let report = calltrail(dir.path()).args(["report", "agents", "--format", "table"]).output().unwrap();
    assert!(text(&report.stderr).contains("(Asia/Kolkata)"), "{}", text(&report.stderr));

    // The web UI's pages too.
    let mut serve = KillOnDrop(
        calltrail(dir.path())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let base = first_line(&mut serve.0);
    let address = base.trim_start_matches("http://").trim_end_matches('/').to_owned();
    assert!(http_get(&address, "/", None).contains("Started (Asia/Kolkata)"));
    drop(serve);

    // With an archive configured, an argument that is no file is a conversation id.
    let id: String = archive.query_row("SELECT min(conversation_id) FROM calls", [], |r| r.get(0)).unwrap();
    let record =
        ok(&calltrail(dir.path()).args(["explain", &id, "--format", "ndjson"]).output().unwrap(), "id");
    let record: serde_json::Value = serde_json::from_str(&record).unwrap();
    assert_eq!(record["conversation_id"], id.as_str());
    let generated =
        ok(&calltrail(dir.path()).args(["sim", "generate", "--calls", "3"]).output().unwrap(), "gen");
    std::fs::write(dir.path().join("records.ndjson"), generated).unwrap();
    let from_file = ok(
        &calltrail(dir.path()).args(["explain", "records.ndjson", "--format", "ndjson"]).output().unwrap(),
        "file",
    );
    assert_eq!(from_file.lines().count(), 3);
    let neither = calltrail(dir.path()).args(["explain", "no-such-thing"]).output().unwrap();
    assert_eq!(neither.status.code(), Some(1));
    assert!(text(&neither.stderr).contains("is no file, nor a conversation in the archive"));

    // The demo never writes into the configured archive.
    let before = std::fs::metadata(dir.path().join("site.db")).unwrap().len();
    ok(&calltrail(dir.path()).args(["-q", "demo", "--calls", "30", "--days", "1"]).output().unwrap(), "demo");
    assert!(dir.path().join("calltrail-demo.db").exists());
    assert_eq!(std::fs::metadata(dir.path().join("site.db")).unwrap().len(), before);
}

#[test]
fn the_configuration_refuses_secrets_and_says_where_it_is_wrong_without_quoting_it() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "[genesys]\nclient_id = \"c\"\nclient_secret = \"hunter2-secret\"\n",
            "line 3",
            "GENESYSCLOUD_OAUTHCLIENT_SECRET",
        ),
        ("[sync]\nmode = \"fast\"\n", "line 2", "`fast` is not one of auto, query, jobs"),
        ("[sync]\nrate-limit = 10\n", "line 2", "unknown field `rate-limit`"),
        ("db = 3\n", "line 1", "invalid type"),
    ];
    for (file, line, message) in cases {
        std::fs::write(dir.path().join("calltrail.toml"), file).unwrap();
        let out = calltrail(dir.path()).args(["calls"]).output().unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: {stderr}");
        assert!(stderr.contains(line) && stderr.contains(message), "{file}: {stderr}");
        assert!(!stderr.contains("hunter2"), "{stderr}");
    }
}
