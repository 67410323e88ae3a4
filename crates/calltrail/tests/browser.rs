//! The web UI in a real browser: headless Chromium loads the calls list, one call and the IVR
//! map from a demo archive served by `calltrail serve`, the rendered DOM is checked for the
//! elements that carry the answers, and screenshots are saved to `target/screenshots/`.
//!
//! Needs Chromium (`CALLTRAIL_CHROMIUM`, default `/usr/bin/chromium`); `.ci/run` installs
//! Debian's package and sets `CALLTRAIL_REQUIRE_BROWSER=1` so the test cannot be skipped.
#![allow(clippy::print_stderr)] // a skipped test and a retried browser run say why

mod common;

use common::{first_line, KillOnDrop};

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn chromium() -> Option<PathBuf> {
    let path =
        PathBuf::from(std::env::var("CALLTRAIL_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()));
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CALLTRAIL_REQUIRE_BROWSER").is_none(),
        "Chromium is required but {} is missing",
        path.display()
    );
    eprintln!("skipped: no Chromium at {} (set CALLTRAIL_CHROMIUM)", path.display());
    None
}

/// Flags for a headless run that needs no desktop: no sandbox (containers), no GPU, no shared
/// memory in `/dev/shm` (often small in containers, and Debian's launcher cannot always tell),
/// and nothing fetched from the network.
const HEADLESS: [&str; 12] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-crash-reporter",
    "--hide-scrollbars",
    "--window-size=1400,1600",
];

/// How often one Chromium run is tried. The browser itself sometimes dies on a loaded machine
/// before it has drawn anything; that says nothing of the page, so the run is tried again, and
/// every failed attempt is reported if none succeeds.
const ATTEMPTS: usize = 3;

/// Runs Chromium with `extra` on `url`, each attempt in a fresh profile under `scratch` (a
/// profile a previous run is still letting go of makes Chromium hand the URL over and exit).
fn chromium_run(chromium: &Path, scratch: &Path, extra: &str, url: &str) -> Vec<u8> {
    let mut failures = Vec::new();
    for _ in 0..ATTEMPTS {
        let profile = tempfile::tempdir_in(scratch).unwrap();
        let out = Command::new(chromium)
            .args(HEADLESS)
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(extra)
            .arg(url)
            .output()
            .unwrap();
        if out.status.success() {
            return out.stdout;
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let said: Vec<&str> = stderr.lines().filter(|line| !line.contains("dbus")).collect();
        let failure = format!("{} ({extra} {url}):\n{}", out.status, said.join("\n"));
        eprintln!("chromium attempt {} failed, {failure}", failures.len() + 1);
        failures.push(failure);
    }
    panic!("chromium failed {ATTEMPTS} times:\n{}", failures.join("\n---\n"));
}

/// Runs headless Chromium on `url`: the rendered DOM, and a screenshot saved as `shot`.
fn browse(chromium: &Path, scratch: &Path, url: &str, shot: &Path) -> String {
    let dom = chromium_run(chromium, scratch, "--dump-dom", url);
    chromium_run(chromium, scratch, &format!("--screenshot={}", shot.display()), url);
    String::from_utf8(dom).unwrap()
}

#[test]
fn the_calls_list_one_call_the_ivr_map_and_the_reports_overview_render_in_chromium() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let bin = env!("CARGO_BIN_EXE_calltrail");
    let demo = Command::new(bin)
        .arg("--db")
        .arg(&db)
        .args(["-q", "demo", "--calls", "600", "--days", "3"])
        .output()
        .unwrap();
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));

    let mut child = Command::new(bin)
        .arg("--db")
        .arg(&db)
        .args(["-q", "serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let base = first_line(&mut child);
    let _serving = KillOnDrop(child);
    let base = base.trim().trim_end_matches('/').to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");

    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let scratch = dir.path().join("chromium");
    std::fs::create_dir_all(&scratch).unwrap();

    let list = browse(&chromium, &scratch, &format!("{base}/"), &shots.join("calls.png"));
    let rows = list.matches("data-conversation=").count();
    assert_eq!(rows, 50, "a full first page of calls");
    let id = list.split("data-conversation=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();

    let conn = rusqlite::Connection::open(&db).unwrap();
    let answered: String = conn
        .query_row("SELECT conversation_id FROM calls WHERE outcome = 'answered' AND wrapup_code_name IS NOT NULL LIMIT 1", [], |r| r.get(0))
        .unwrap();
    for call in [&id, &answered] {
        let page = browse(
            &chromium,
            &scratch,
            &format!("{base}/calls/{call}"),
            &shots.join(format!("call-{}.png", &call[..8])),
        );
        for answer in ["direction", "who", "why", "how-long", "ending"] {
            assert!(page.contains(&format!("data-answer=\"{answer}\"")), "{call}: {answer}");
        }
        assert!(page.contains("class=\"timeline\""), "{call}");
        assert!(page.contains("class=\"phase "), "{call}: coloured phases");
        assert!(page.contains("data-marker=\"hung-up\"") || page.contains("ongoing"), "{call}");
    }
    let (agent, wrapup): (String, String) = conn
        .query_row(
            "SELECT answered_by_name, wrapup_code_name FROM calls WHERE conversation_id = ?1",
            [&answered],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let page =
        browse(&chromium, &scratch, &format!("{base}/calls/{answered}"), &shots.join("call-answered.png"));
    assert!(page.contains(&agent) && page.contains(&wrapup), "the answerer and the wrap-up are on the page");

    let ivr = browse(&chromium, &scratch, &format!("{base}/ivr"), &shots.join("ivr.png"));
    let in_ivr: i64 =
        conn.query_row("SELECT count(*) FROM calls WHERE ivr_path != '[]'", [], |r| r.get(0)).unwrap();
    assert!(
        ivr.contains(&format!("data-ivr-calls=\"{in_ivr}\"")),
        "the map counts every call with an IVR path"
    );
    assert!(ivr.matches("class=\"step\"").count() > 5, "the map has steps");

    let reports = browse(&chromium, &scratch, &format!("{base}/reports"), &shots.join("reports.png"));
    let (calls, days): (i64, i64) = conn
        .query_row("SELECT count(*), count(DISTINCT call_date) FROM calls", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert!(
        reports.contains(&format!("<span class=\"value\">{calls}</span>")),
        "the overview counts every call"
    );
    assert_eq!(reports.matches("<g data-bar=").count(), usize::try_from(days).unwrap(), "a bar a day");

    // Calls per day and hour as a heat map: a cell for each hour (UTC) that had calls.
    let hours = browse(
        &chromium,
        &scratch,
        &format!("{base}/reports/outcomes?by=day,hour"),
        &shots.join("hours.png"),
    );
    let busy_hours: i64 = conn
        .query_row(
            "SELECT count(DISTINCT start_ms / 3600000) FROM calls WHERE start_ms IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(hours.contains("<svg class=\"heatmap\""), "a heat map");
    assert_eq!(hours.matches("data-cell=").count(), usize::try_from(busy_hours).unwrap(), "a cell an hour");

    for shot in ["calls.png", "call-answered.png", "ivr.png", "reports.png", "hours.png"] {
        let size = std::fs::metadata(shots.join(shot)).unwrap().len();
        assert!(size > 30_000, "{shot} is {size} bytes: nothing drawn?");
    }
}
