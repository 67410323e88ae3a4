//! Credentials never show: not in the output of any command at the highest verbosity, not in
//! errors, not in the archive, the exports or the web UI's responses.

mod common;

use common::{first_line, http_get, KillOnDrop};

use std::process::{Command, Stdio};

const SECRET: &str = "s3ntinel-client-secret-7f2a";
const WRONG: &str = "s3ntinel-wrong-secret-91c4";
const TOKEN: &str = "s3ntinel-access-token-5d0e";

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
    for sentinel in [SECRET, WRONG, TOKEN, WEB_TOKEN] {
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
    let api = first_line(&mut sim.0);
    let api = api.as_str();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
    let from = calltrail_model::Timestamp(i64::try_from(now).unwrap() - 3 * 86_400_000).utc_date();
    let sync = |secret: Option<&str>, token: Option<&str>| {
        let mut c = calltrail(dir.path());
        c.args(["-vv", "--db", "archive.db", "sync", "--from", &from, "--mode", "query", "--api-base", api]);
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

    // Every other command, at the highest verbosity, with every secret in its environment.
    let id: String = rusqlite::Connection::open(dir.path().join("archive.db"))
        .unwrap()
        .query_row("SELECT conversation_id FROM calls LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let generated = calltrail(dir.path()).args(["sim", "generate", "--calls", "20"]).output().unwrap();
    std::fs::write(dir.path().join("records.ndjson"), &generated.stdout).unwrap();
    let commands: Vec<Vec<&str>> = vec![
        vec!["sync", "--incremental", "--api-base", api, "--rate-limit", "1000000"],
        vec!["sync", "--resume", "--api-base", api],
        vec!["calls", "--format", "json"],
        vec!["report", "ivr", "--format", "table"],
        vec!["report", "reasons", "--format", "csv"],
        vec!["report", "phases", "--format", "json"],
        vec!["report", "wrapups", "--format", "ndjson"],
        vec!["report", "abandons"],
        vec!["report", "agents"],
        vec!["export", "--out", "lake"],
        vec!["export", "--format", "csv", "--out", "csv"],
        vec!["export", "--format", "ndjson", "--out", "nd"],
        vec!["explain", &id],
        vec!["explain", "records.ndjson", "--format", "json"],
        vec!["fields", "segmentType"],
        vec!["rederive"],
        vec!["status", "--format", "text"],
        vec!["status", "--format", "json"],
        vec!["sim", "scenarios"],
        vec!["demo", "--calls", "100", "--days", "1"],
    ];
    for args in &commands {
        let db = if args[0] == "demo" { "demo.db" } else { "archive.db" };
        let out = calltrail(dir.path())
            .args(["-vv", "--db", db])
            .args(args)
            .env("GENESYSCLOUD_OAUTHCLIENT_ID", "sentinel-client")
            .env("GENESYSCLOUD_OAUTHCLIENT_SECRET", SECRET)
            .env("GENESYSCLOUD_ACCESS_TOKEN", TOKEN)
            .env("CALLTRAIL_TOKEN", WEB_TOKEN)
            .output()
            .unwrap();
        assert!(
            out.status.code().is_some_and(|c| c <= 2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_clean(&format!("{args:?}"), &[out.stdout, out.stderr].concat());
    }

    // The web UI with a token: neither its own output nor any response carries it.
    let mut serve = calltrail(dir.path())
        .args(["-vv", "--db", "archive.db", "serve", "--listen", "127.0.0.1:0"])
        .env("CALLTRAIL_TOKEN", WEB_TOKEN)
        .env("GENESYSCLOUD_OAUTHCLIENT_SECRET", SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = first_line(&mut serve);
    let address = base.trim().trim_start_matches("http://").trim_end_matches('/').to_owned();
    for (path, auth) in
        [("/", None), ("/?token=wrong", None), ("/api/status", Some(WEB_TOKEN)), ("/nope", Some(WEB_TOKEN))]
    {
        let response = http_get(&address, path, auth);
        assert_clean(&format!("serve {path}"), response.as_bytes());
    }
    let response = http_get(&address, "/?token=s3ntinel-web-token-22aa", None);
    assert!(response.starts_with("HTTP/1.1 200"));
    let _ = serve.kill();
    let out = serve.wait_with_output().unwrap();
    assert_clean("serve output", &[out.stdout, out.stderr].concat());

    let mut files = vec![dir.path().to_owned()];
    let mut checked = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            assert_clean(&path.display().to_string(), &std::fs::read(&path).unwrap());
            checked += 1;
        }
    }
    assert!(checked > 20, "archives, exports and their days: {checked} files");
}

const WEB_TOKEN: &str = "s3ntinel-web-token-22aa";
