//! calltrail under attack and failure: a damaged archive is detected, not used; a full disk and
//! a read-only archive give a clear error and leave the archive consistent; the simulator's
//! hostile profile flows through sync, archive, reports, exports and the web UI with nothing
//! executed, nothing broken and nothing lost.

mod common;

use common::{first_line, http_get, KillOnDrop};

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use calltrail_sim::Spec;
use calltrail_store::{Store, StoreError};

/// 2025-11-25T10:00:00Z.
const NOW: i64 = 1_764_064_800_000;

fn calltrail(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_calltrail"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("CALLTRAIL_CONFIG")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// An archive of generated calls.
fn archive(dir: &Path, calls: usize) -> PathBuf {
    let path = dir.join("a.db");
    let mut store = Store::open(&path).unwrap();
    let (_, planned) = calltrail_sim::generate(&Spec::at(calls, 3, 5, NOW));
    let raws: Vec<Vec<u8>> = calltrail_sim::records_at(&planned, NOW);
    let slices: Vec<&[u8]> = raws.iter().map(Vec::as_slice).collect();
    store.upsert(&slices, "query", NOW).unwrap();
    path
}

#[test]
fn a_damaged_archive_is_detected_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path(), 400);
    // Scribble over the start of every page but the first (the header and the schema).
    let mut bytes = std::fs::read(&db).unwrap();
    let (page, len) = (4096, bytes.len());
    for start in (page..len).step_by(page) {
        for b in &mut bytes[start..(start + 64).min(len)] {
            *b = 0xA5;
        }
    }
    std::fs::write(&db, &bytes).unwrap();
    for args in [
        &["report", "reasons"][..],
        &["calls", "--format", "csv"],
        &["export", "--out", "lake"],
        &["rederive"],
        &["status"],
    ] {
        let out = calltrail(&db, args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("damaged") || err.contains("not a usable calltrail archive"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // A file of something else entirely.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![0x42; 64 * 1024]).unwrap();
    let out = calltrail(&junk, &["report", "reasons"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("junk.db"), "{}", text(&out.stderr));
}

#[test]
fn a_full_disk_stops_the_write_and_keeps_the_archive_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path(), 200);
    let mut store = Store::open(&db).unwrap();
    let before = store.counts().unwrap().conversations;
    let pages: i64 = store.connection().query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    // The disk is "full" a few pages from now: SQLite's own size limit gives the same error.
    let _: i64 = store
        .connection()
        .query_row(&format!("PRAGMA max_page_count = {}", pages + 8), [], |r| r.get(0))
        .unwrap();
    let (_, planned) = calltrail_sim::generate(&Spec::at(400, 3, 99, NOW));
    let raws: Vec<Vec<u8>> = calltrail_sim::records_at(&planned, NOW);
    let slices: Vec<&[u8]> = raws.iter().map(Vec::as_slice).collect();
    let err = store.upsert(&slices, "query", NOW).unwrap_err();
    assert!(matches!(err, StoreError::Full), "{err}");
    assert!(err.to_string().contains("disk holding the archive is full"), "{err}");
    assert_eq!(store.counts().unwrap().conversations, before, "the failed batch left nothing behind");
    drop(store);
    let store = Store::open(&db).unwrap();
    let check: String = store.connection().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    assert_eq!(store.counts().unwrap().conversations, before);
}

#[test]
fn a_read_only_archive_is_refused_for_writing_and_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path(), 100);
    // As root, permissions do not bind: run calltrail as an unprivileged user instead.
    let root = unsafe_free_uid() == 0;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        std::fs::set_permissions(entry.unwrap().path(), std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    let run = |args: &[&str]| -> Output {
        let mut c = if root {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_calltrail")]);
            c
        } else {
            Command::new(env!("CARGO_BIN_EXE_calltrail"))
        };
        c.arg("--db").arg(&db).args(args).env_remove("CALLTRAIL_CONFIG").output().unwrap()
    };
    let probe = run(&["fields", "tTalk"]);
    if !probe.status.success() {
        // The binary is not reachable for the unprivileged user here; nothing to learn.
        assert!(std::env::var_os("CI").is_none(), "cannot run as another user: {}", text(&probe.stderr));
        return;
    }
    let out = run(&["rederive"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("read-only"), "{err}");
    let before = std::fs::read(&db).unwrap();
    let out = run(&["report", "reasons", "--format", "json"]);
    assert!(out.status.success(), "reading needs no write access: {}", text(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!rows.as_array().unwrap().is_empty());
    assert_eq!(std::fs::read(&db).unwrap(), before, "the archive is untouched");
}

fn unsafe_free_uid() -> u32 {
    // The owner of a file this process just created is its effective user.
    let probe = tempfile::NamedTempFile::new().unwrap();
    std::os::unix::fs::MetadataExt::uid(&probe.as_file().metadata().unwrap())
}

#[test]
fn the_hostile_profile_flows_through_everything_with_nothing_executed_or_lost() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hostile.db");
    let bin = env!("CARGO_BIN_EXE_calltrail");
    let mut sim = KillOnDrop(
        Command::new(bin)
            .args(["-q", "sim", "--listen", "127.0.0.1:0", "--calls", "800", "--days", "2", "--seed", "9"])
            .args(["--faults", "hostile", "--rate-limit", "1000000"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let api = first_line(&mut sim.0);
    let stats = |api: &str| -> serde_json::Value {
        let address = api.trim_start_matches("http://");
        let response = http_get(address, "/sim/stats", None);
        serde_json::from_str(response.split("\r\n\r\n").nth(1).unwrap()).unwrap()
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
    let from = calltrail_model::Timestamp(i64::try_from(now).unwrap() - 3 * 86_400_000).utc_date();
    let out = Command::new(bin)
        .arg("--db")
        .arg(&db)
        .args([
            "-q",
            "sync",
            "--from",
            &from,
            "--api-base",
            &api,
            "--rate-limit",
            "1000000",
            "--mode",
            "query",
        ])
        .env("GENESYSCLOUD_OAUTHCLIENT_ID", "x")
        .env("GENESYSCLOUD_OAUTHCLIENT_SECRET", "y")
        .output()
        .unwrap();
    // The malformed records are input refused: the sync says which and how, and exits 1.
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "could not be read and are kept in quarantine; every other record received was archived"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("hint: `calltrail status` lists"), "{stderr}");
    let malformed = stats(&api)["malformed_conversations"].as_i64().unwrap();
    assert!(malformed > 0);

    // Nothing lost: every conversation the simulator holds is archived and derived, or kept
    // in quarantine, once, with an error naming what is wrong and where.
    let store = Store::open(&db).unwrap();
    let conn = store.connection();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let conversations = count("SELECT count(*) FROM conversations");
    assert_eq!(conversations, count("SELECT count(*) FROM calls"));
    assert!(conversations >= 700, "{conversations}");
    assert_eq!(count("SELECT count(DISTINCT conversation_id) FROM quarantine"), malformed);
    assert_eq!(count("SELECT count(*) FROM quarantine"), malformed, "each kept once");
    assert_eq!(
        count("SELECT count(*) FROM quarantine WHERE conversation_id IN (SELECT id FROM conversations)"),
        0
    );
    assert_eq!(
        count("SELECT count(*) FROM quarantine WHERE error LIKE '%invalid type%' AND (error LIKE 'participants%' OR error LIKE 'conversationStart:%')"),
        malformed
    );
    let nasty = count(
        "SELECT count(*) FROM call_records WHERE record_json LIKE '%<script>%' OR record_json LIKE '%=HYPERLINK%'",
    );
    assert!(nasty > 20, "the hostile text arrived: {nasty} calls");
    let kept: String =
        conn.query_row("SELECT conversation_id FROM quarantine LIMIT 1", [], |r| r.get(0)).unwrap();
    drop(store);
    // Asked for by id, a quarantined conversation says why it is not a call.
    let out = calltrail(&db, &["explain", &kept]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("its record could not be read, so the archive"),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stderr).contains("keeps it in quarantine: "), "{}", text(&out.stderr));
    // The status lists the quarantine, each record's whole error under it.
    let out = calltrail(&db, &["status", "--format", "text"]);
    let status = text(&out.stdout);
    let listing = status.split("\nQuarantined, ").nth(1).expect("a quarantine listing");
    assert!(listing.contains(&format!("  {kept}\n      ")), "{status}");
    let shown = usize::try_from(malformed.min(10)).unwrap();
    assert_eq!(listing.matches("\n      ").count(), shown, "{status}");
    assert!(listing.matches(": invalid type: ").count() >= shown, "{status}");

    // Reports: every format answers; the terminal table carries no control characters.
    for name in ["ivr", "reasons", "phases", "wrapups", "abandons", "agents"] {
        for format in ["table", "csv", "json"] {
            let out = calltrail(&db, &["report", name, "--format", format]);
            assert!(out.status.success(), "{name} {format}: {}", text(&out.stderr));
            if format == "table" {
                assert!(!out.stdout.iter().any(|b| *b == 0x1b || *b == 0 || *b == 0x07), "{name}");
            }
        }
    }
    // CSV exports: no cell starts a formula; Parquet holds every call.
    let out =
        calltrail(&db, &["export", "--format", "csv", "--out", dir.path().join("csv").to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut rows = 0;
    for day in std::fs::read_dir(dir.path().join("csv/calls")).unwrap() {
        let file = std::fs::read_to_string(day.unwrap().path().join("part-0.csv")).unwrap();
        let mut reader_cells = Vec::new();
        for line in file.lines().skip(1) {
            reader_cells.extend(line.split(',').map(str::to_owned));
            rows += 1;
        }
        for cell in reader_cells {
            let cell = cell.trim_start_matches('"');
            assert!(!cell.starts_with(['=', '+', '@']), "formula in a CSV cell: {cell}");
        }
    }
    assert!(rows >= usize::try_from(conversations).unwrap(), "multi-line notes only add lines");
    let out = calltrail(&db, &["export", "--out", dir.path().join("lake").to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(&format!("exported {conversations} calls")) || out.stderr.is_empty());

    // The web UI: every call page escaped.
    let mut serve = KillOnDrop(
        Command::new(bin)
            .arg("--db")
            .arg(&db)
            .args(["-q", "serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let base = first_line(&mut serve.0);
    let address = base.trim_start_matches("http://").trim_end_matches('/').to_owned();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut stmt = conn
        .prepare("SELECT c.conversation_id FROM calls c JOIN call_records r USING (conversation_id) WHERE r.record_json LIKE '%<script>%'")
        .unwrap();
    let ids: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert!(!ids.is_empty());
    for id in &ids {
        let page = http_get(&address, &format!("/calls/{id}"), None);
        assert!(page.starts_with("HTTP/1.1 200"), "{id}");
        assert!(!page.contains("<script>") && page.contains("&lt;script&gt;"), "{id}");
    }
    for path in ["/", "/ivr", "/reports/wrapups", "/reports/reasons", "/status"] {
        let page = http_get(&address, path, None);
        assert!(page.starts_with("HTTP/1.1 200") && !page.contains("<script>"), "{path}");
    }
}
