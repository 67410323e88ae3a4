//! `calltrail report` and `calltrail export` as a user runs them, over an archive of the
//! simulator's calls: every report agrees with the simulator's ground truth (counts per
//! reason, per IVR exit, per wrap-up, abandons, not-responding agents, phase totals), and the
//! Parquet lake read back by `DuckDB` gives the archive's own counts and sums.

#![allow(clippy::print_stderr)] // a skipped test says why

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use calltrail_sim::{Spec, Truth, TruthVisit};
use calltrail_store::Store;
use serde_json::Value;

/// 2025-11-25T10:00:00Z.
const NOW: i64 = 1_764_064_800_000;
const CALLS: usize = 3000;

struct Fixture {
    db: PathBuf,
    truth: Vec<Truth>,
    /// Each queue's own service-level target (ms), by queue name and media.
    targets: BTreeMap<(String, String), i64>,
    /// Each queue's own service-level goal (0 to 1), by queue name and media.
    goals: BTreeMap<(String, String), Option<f64>>,
}

/// The archive, built once: the simulator's records as they stand at `NOW`, stored with the
/// org's lookups and the reason and checkpoint settings a user would configure.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let db =
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("reports-{}.db", std::process::id()));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        std::fs::write(db.with_extension("toml"), CONFIG).unwrap();
        let (org, planned) = calltrail_sim::generate(&Spec::at(CALLS, 7, 11, NOW));
        let mut store = Store::open(&db).unwrap();
        store.set_settings(toml_settings());
        for (kind, entries) in org.lookup_tables() {
            store.put_lookups(kind, &entries).unwrap();
        }
        store.put_service_levels(&org.service_levels()).unwrap();
        let name_of = |id: &str| org.queues.iter().find(|q| q.id == id).unwrap().name.clone();
        let levels = org.service_levels();
        let targets = levels.iter().map(|l| ((name_of(&l.queue_id), l.media.clone()), l.target_ms)).collect();
        let goals = levels.iter().map(|l| ((name_of(&l.queue_id), l.media.clone()), l.goal)).collect();
        let mut truth = Vec::new();
        let mut raws = Vec::new();
        for call in &planned {
            if let Some(view) = call.view_at(NOW) {
                raws.push(serde_json::to_vec(&view).unwrap());
                truth.push(call.truth_at(NOW));
            }
        }
        let slices: Vec<&[u8]> = raws.iter().map(Vec::as_slice).collect();
        let report = store.upsert(&slices, "query", NOW).unwrap();
        assert_eq!(report.added, truth.len() as u64);
        Fixture { db, truth, targets, goals }
    })
}

const CONFIG: &str = "[reason]\nattributes = [\"Final Main Intent\", \"MainIntent1\"]\n[ivr]\ncheckpoints = [\"MainIntent1\"]\n";

fn toml_settings() -> calltrail_explain::Settings {
    serde_json::from_value(serde_json::json!({
        "reason": {"attributes": ["Final Main Intent", "MainIntent1"]},
        "ivr": {"checkpoints": ["MainIntent1"]}
    }))
    .unwrap()
}

fn calltrail(args: &[&str]) -> Output {
    calltrail_on(&fixture().db, args)
}

fn calltrail_on(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_calltrail"))
        .arg("--db")
        .arg(db)
        .arg("--config")
        .arg(fixture().db.with_extension("toml"))
        .args(args)
        .env_remove("CALLTRAIL_TZ")
        .output()
        .unwrap()
}

fn report(name: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["report", name, "--format", "json"];
    args.extend_from_slice(extra);
    let out = calltrail(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn count_by<K: Ord>(items: impl IntoIterator<Item = K>) -> BTreeMap<K, u64> {
    let mut out = BTreeMap::new();
    for k in items {
        *out.entry(k).or_default() += 1;
    }
    out
}

fn sum_by(rows: &[Value], key: &str, value: &str) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for r in rows {
        *out.entry(r[key].as_str().unwrap().to_owned()).or_default() += r[value].as_u64().unwrap();
    }
    out
}

#[test]
fn reasons_agree_with_the_ground_truth() {
    let f = fixture();
    let rows = report("reasons", &[]);
    let expected = count_by(f.truth.iter().map(|t| t.reason.clone().unwrap_or_else(|| "(none)".into())));
    assert_eq!(sum_by(&rows, "reason", "calls"), expected);
    let answered = count_by(
        f.truth
            .iter()
            .filter(|t| t.outcome == Some("answered"))
            .map(|t| t.reason.clone().unwrap_or_else(|| "(none)".into())),
    );
    let got: BTreeMap<String, u64> =
        sum_by(&rows, "reason", "answered").into_iter().filter(|(_, n)| *n > 0).collect();
    assert_eq!(got, answered);
}

#[test]
fn the_ivr_map_ends_where_the_ground_truth_says() {
    let f = fixture();
    let rows = report("ivr", &[]);
    let root = &rows[0];
    let in_ivr = f.truth.iter().filter(|t| t.ivr_exit.is_some()).count() as u64;
    assert_eq!(root["reached"].as_u64(), Some(in_ivr));
    let total = |column: &str| rows.iter().map(|r| r[column].as_u64().unwrap()).sum::<u64>();
    let exits = count_by(f.truth.iter().filter_map(|t| t.ivr_exit));
    for (exit, column) in [
        ("transfer", "transferred"),
        ("disconnect", "disconnected"),
        ("self_served", "self_served"),
        ("callback", "callback"),
        ("voicemail", "voicemail"),
    ] {
        assert_eq!(total(column), exits.get(exit).copied().unwrap_or(0), "{exit}");
    }
    // Every call reaching a step either ends there or goes on to a next step.
    for r in &rows {
        let depth = r["depth"].as_u64().unwrap();
        let path = r["path"].as_str().unwrap();
        let children: u64 = rows
            .iter()
            .filter(|c| {
                c["depth"].as_u64() == Some(depth + 1)
                    && (depth == 0 || c["path"].as_str().unwrap().starts_with(&format!("{path} > ")))
            })
            .map(|c| c["reached"].as_u64().unwrap())
            .sum();
        assert_eq!(r["reached"].as_u64().unwrap(), r["ended"].as_u64().unwrap() + children, "{path}");
    }
    // The checkpoint attribute shows up as a step.
    assert!(rows.iter().any(|r| r["step"].as_str().unwrap().starts_with("MainIntent1=")));
}

#[test]
fn wrapups_abandons_and_agents_agree_with_the_ground_truth() {
    let f = fixture();
    let wrapups = report("wrapups", &[]);
    let expected = count_by(f.truth.iter().filter_map(|t| t.wrapup_code_name.clone()));
    assert_eq!(sum_by(&wrapups, "wrapup", "calls"), expected);

    let abandons = report("abandons", &[]);
    let outcomes = count_by(f.truth.iter().filter_map(|t| t.outcome));
    let abandoned = |place: &str| -> u64 {
        abandons.iter().filter(|r| r["where"] == place).map(|r| r["abandoned"].as_u64().unwrap()).sum()
    };
    assert_eq!(abandoned("ivr"), outcomes["abandoned_in_ivr"]);
    assert_eq!(abandoned("queue"), outcomes["abandoned_in_queue"]);
    for r in &abandons {
        let buckets: u64 = ["under_10s", "s10_30", "s30_60", "m1_2", "m2_5", "over_5m"]
            .iter()
            .map(|b| r[*b].as_u64().unwrap())
            .sum();
        assert_eq!(buckets, r["abandoned"].as_u64().unwrap());
    }

    let agents = report("agents", &[]);
    let not_responding: u64 = f.truth.iter().map(|t| t.not_responding_user_ids.len() as u64).sum();
    assert_eq!(agents.iter().map(|r| r["not_responding"].as_u64().unwrap()).sum::<u64>(), not_responding);
    let answered_calls = f.truth.iter().filter(|t| t.answered_by_user_id.is_some()).count() as u64;
    assert!(agents.iter().map(|r| r["answered"].as_u64().unwrap()).sum::<u64>() >= answered_calls);
}

#[test]
fn queue_performance_agrees_with_the_ground_truth() {
    let f = fixture();
    // Offered: every wait in a queue (a call moved on from one queue is offered to the next
    // too); of those, the answered ones within the target meet the service level, and
    // abandons under --short are short.
    let visits: Vec<&TruthVisit> = f.truth.iter().flat_map(|t| &t.queue_visits).collect();
    let answered: Vec<i64> = visits.iter().filter(|v| v.outcome == "answered").map(|v| v.wait_ms).collect();
    let abandoned: Vec<i64> = visits.iter().filter(|v| v.outcome == "abandoned").map(|v| v.wait_ms).collect();
    assert!(
        f.truth.iter().any(|t| t.queue_visits.len() > 1),
        "the sample has calls that waited in a queue more than once"
    );
    let within = answered.iter().filter(|w| **w <= 90_000).count() as u64;
    let short = abandoned.iter().filter(|w| **w < 30_000).count() as u64;
    let rows = report("queues", &["--by", "day", "--target", "90s", "--short", "30s", "--tz", "Asia/Tokyo"]);
    let sum = |key: &str| rows.iter().map(|r| r[key].as_u64().unwrap()).sum::<u64>();
    assert_eq!(sum("offered"), visits.len() as u64);
    assert_eq!(sum("answered"), answered.len() as u64);
    assert_eq!(sum("abandoned"), abandoned.len() as u64);
    assert_eq!((sum("answered_within_target"), sum("short_abandons")), (within, short));
    assert!(within > 0 && within < answered.len() as u64 && short > 0, "the test tells the options apart");
    for r in &rows {
        let counted = r["answered"].as_u64().unwrap() + r["abandoned"].as_u64().unwrap()
            - r["short_abandons"].as_u64().unwrap();
        #[allow(clippy::cast_precision_loss)]
        let level = r["answered_within_target"].as_u64().unwrap() as f64 / counted as f64;
        assert!((r["service_level"].as_f64().unwrap() - level).abs() < 1e-4, "{r}");
        // A target asked for carries no queue's goal.
        assert!(r["service_level_goal"].is_null(), "{r}");
    }
    // Per queue and media, the speed of answer is the average wait of the visits of that media
    // answered there.
    let mut waits: BTreeMap<(&str, &str), (i64, i64)> = BTreeMap::new();
    for v in visits.iter().filter(|v| v.outcome == "answered") {
        let (sum, n) = waits.entry((v.queue.as_str(), v.media_type.as_str())).or_default();
        (*sum, *n) = (*sum + v.wait_ms, *n + 1);
    }
    let expected: BTreeMap<(&str, &str), i64> =
        waits.into_iter().map(|(q, (sum, n))| (q, (sum + n / 2) / n)).collect();
    assert!(expected.keys().any(|k| k.1 != "voice"), "the sample has waits of other media");
    let per_queue = report("queues", &["--by", "queue"]);
    let got: BTreeMap<(&str, &str), i64> = per_queue
        .iter()
        .filter(|r| r["answered"].as_u64() > Some(0))
        .map(|r| {
            (
                (r["queue"].as_str().unwrap(), r["media"].as_str().unwrap()),
                r["avg_speed_of_answer_ms"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    // --queue picks the waits in that queue, those of calls passed on to another included.
    let name = expected.keys().next().unwrap().0;
    let only = report("queues", &["--by", "queue", "--queue", name]);
    let waits = visits.iter().filter(|v| v.queue == name).count() as u64;
    assert!(only.iter().all(|r| r["queue"].as_str() == Some(name)), "{only:?}");
    assert_eq!(only.iter().map(|r| r["offered"].as_u64().unwrap()).sum::<u64>(), waits);
    // Without --target, each wait is measured against its queue's own target for its media,
    // and each row says which that was, with the queue's goal for it.
    let rows = report("queues", &["--by", "queue"]);
    for r in &rows {
        let (queue, media) = (r["queue"].as_str().unwrap(), r["media"].as_str().unwrap());
        let target = f.targets[&(queue.to_owned(), media.to_owned())];
        let within = visits
            .iter()
            .filter(|v| {
                v.queue == queue && v.media_type == media && v.outcome == "answered" && v.wait_ms <= target
            })
            .count() as u64;
        assert_eq!(
            (r["answered_within_target"].as_u64(), r["target_ms"].as_i64()),
            (Some(within), Some(target)),
            "{r}"
        );
        assert_eq!(r["service_level_goal"].as_f64(), f.goals[&(queue.to_owned(), media.to_owned())], "{r}");
    }
    let goals: std::collections::BTreeSet<String> =
        rows.iter().filter_map(|r| r["service_level_goal"].as_f64()).map(|g| g.to_string()).collect();
    assert!(goals.len() >= 2, "queues and media differ in their goals: {goals:?}");
    let targets: std::collections::BTreeSet<i64> =
        rows.iter().filter_map(|r| r["target_ms"].as_i64()).collect();
    assert!(targets.len() >= 4, "queues and media differ in their targets: {targets:?}");
    // --media picks the waits of that media: a callback waits in its queue as a callback,
    // though the call it came from is a voice call.
    for media in ["voice", "callback"] {
        let rows = report("queues", &["--by", "queue", "--media", media]);
        assert!(rows.iter().all(|r| r["media"] == media), "{rows:?}");
        let offered: u64 = rows.iter().map(|r| r["offered"].as_u64().unwrap()).sum();
        let waits = visits.iter().filter(|v| v.media_type == media).count() as u64;
        assert!(waits > 0, "{media}");
        assert_eq!(offered, waits, "{media}");
    }
}

#[test]
fn outcomes_per_local_day_agree_with_the_ground_truth() {
    let outcomes = calltrail_explain::Outcome::ALL.map(calltrail_explain::Outcome::as_str);
    let f = fixture();
    let zone = calltrail_model::Zone::named("America/New_York").unwrap();
    let expected = count_by(
        f.truth.iter().map(|t| (zone.date(t.start_ms).unwrap(), t.outcome.unwrap_or("(none)").to_owned())),
    );
    let rows = report("outcomes", &["--tz", "America/New_York"]);
    let mut got = BTreeMap::new();
    for r in &rows {
        let day = r["day"].as_str().unwrap();
        let n = |key: &str| r[key].as_u64().unwrap();
        for outcome in outcomes.into_iter().filter(|o| n(o) > 0) {
            got.insert((day.to_owned(), outcome.to_owned()), n(outcome));
        }
        assert_eq!(outcomes.iter().map(|o| n(o)).sum::<u64>(), n("calls"), "{day}: each call in one outcome");
        assert_eq!(n("inbound") + n("outbound") + n("internal"), n("calls"), "{day}");
    }
    assert_eq!(got, expected);

    // Over the whole range, per queue: the inbound answer rate is the ground truth's.
    let rows = report("outcomes", &["--by", "queue"]);
    let sum = |key: &str| rows.iter().map(|r| r[key].as_u64().unwrap()).sum::<u64>();
    let inbound = f.truth.iter().filter(|t| t.direction == Some("inbound")).count() as u64;
    let answered = f.truth.iter().filter(|t| t.outcome == Some("answered")).count() as u64;
    assert_eq!((sum("calls"), sum("inbound"), sum("answered")), (f.truth.len() as u64, inbound, answered));
    assert!(rows.iter().all(|r| r.get("day").is_none() && r["queue"].is_string()));
}

#[test]
fn phase_totals_equal_the_ground_truth_in_any_zone_and_grouping() {
    let f = fixture();
    let mut expected: BTreeMap<&str, i64> = BTreeMap::new();
    for t in &f.truth {
        let Some(x) = &t.totals else { continue };
        for (phase, ms) in [
            ("ivr", x.ivr_ms),
            ("queue", x.queue_ms),
            ("alert", x.alert_ms),
            ("talk", x.talk_ms),
            ("hold", x.hold_ms),
            ("acw", x.acw_ms),
            ("handle", x.handle_ms),
        ] {
            *expected.entry(phase).or_default() += ms;
        }
    }
    for extra in [
        &[][..],
        &["--tz", "America/Los_Angeles"][..],
        &["--by", "queue"][..],
        &["--by", "day", "--tz", "Asia/Tokyo"][..],
    ] {
        let rows = report("phases", extra);
        let mut got: BTreeMap<&str, i64> = BTreeMap::new();
        for r in &rows {
            let phase = expected.keys().find(|p| r["phase"] == **p).unwrap();
            *got.entry(phase).or_default() += r["total_ms"].as_i64().unwrap();
            assert!(r["median_ms"].as_i64() <= r["p90_ms"].as_i64());
        }
        assert_eq!(got, expected, "{extra:?}");
    }
    // Local days: Tokyo's days are not UTC's.
    let tokyo: Vec<String> = report("phases", &["--by", "day", "--tz", "Asia/Tokyo"])
        .iter()
        .map(|r| r["day"].as_str().unwrap().to_owned())
        .collect();
    let utc: Vec<String> =
        report("phases", &["--by", "day"]).iter().map(|r| r["day"].as_str().unwrap().to_owned()).collect();
    assert_ne!(tokyo, utc);
}

#[test]
fn filters_narrow_and_formats_agree() {
    let f = fixture();
    let billing = report("reasons", &["--queue", "Billing"]);
    let all = report("reasons", &[]);
    let n = |rows: &[Value]| rows.iter().map(|r| r["calls"].as_u64().unwrap()).sum::<u64>();
    assert!(n(&billing) > 0 && n(&billing) < n(&all));
    assert_eq!(n(&all), f.truth.len() as u64);
    let first_day = report("reasons", &["--from", "2025-11-20", "--to", "2025-11-21"]);
    let expected =
        f.truth.iter().filter(|t| (1_763_596_800_000..1_763_683_200_000).contains(&t.start_ms)).count()
            as u64;
    assert_eq!(n(&first_day), expected);

    let csv = calltrail(&["report", "reasons", "--format", "csv"]);
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert!(csv.starts_with("reason,calls,share,answered,answer_rate,"), "{csv}");
    assert_eq!(csv.lines().count(), all.len() + 1);
    let table = calltrail(&["report", "ivr", "--format", "table"]);
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.lines().next().unwrap().starts_with("map"), "{table}");
    let ndjson = calltrail(&["report", "agents", "--format", "ndjson"]);
    assert_eq!(String::from_utf8(ndjson.stdout).unwrap().lines().count(), report("agents", &[]).len());

    let bad = calltrail(&["report", "phases", "--tz", "Mars/Olympus"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("Mars/Olympus"));
}

fn export(db: &Path, dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["export", "--out", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = calltrail_on(db, &all);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn archive_figures() -> Value {
    let f = fixture();
    let conn = rusqlite::Connection::open(&f.db).unwrap();
    let one = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    // The waits answered within their queue's own target for their media, from the ground
    // truth and the simulated queues' settings.
    let within = f
        .truth
        .iter()
        .flat_map(|t| &t.queue_visits)
        .filter(|v| {
            v.outcome == "answered" && v.wait_ms <= f.targets[&(v.queue.clone(), v.media_type.clone())]
        })
        .count();
    // And the goals they were meant to meet, added up (in thousandths).
    #[allow(clippy::cast_possible_truncation)]
    let goals = (f
        .truth
        .iter()
        .flat_map(|t| &t.queue_visits)
        .filter_map(|v| f.goals[&(v.queue.clone(), v.media_type.clone())])
        .sum::<f64>()
        * 1000.0)
        .round() as i64;
    serde_json::json!({
        "calls": one("SELECT count(*) FROM calls"),
        "talk_ms": one("SELECT sum(talk_ms) FROM calls"),
        "handle_ms": one("SELECT sum(handle_ms) FROM calls"),
        "answered": one("SELECT count(*) FROM calls WHERE outcome = 'answered'"),
        "phases": one("SELECT count(*) FROM phases"),
        "phase_ms": one("SELECT sum(duration_ms) FROM phases"),
        "agent_legs": one("SELECT count(*) FROM agent_legs"),
        "not_responding": one("SELECT count(*) FROM agent_legs WHERE not_responding"),
        "ivr_steps": one("SELECT count(*) FROM ivr_steps"),
        // Participant data, straight from the stored call records.
        "attributes": one("SELECT count(*) FROM call_records r, json_each(r.record_json, '$.ivr.attributes')"),
        "attribute_chars": one("SELECT sum(length(a.key) + length(a.value)) FROM call_records r, json_each(r.record_json, '$.ivr.attributes') a"),
        // Queue visits, straight from the stored call records.
        "queue_visits": one("SELECT count(*) FROM call_records r, json_each(r.record_json, '$.queues')"),
        "visits_answered": one("SELECT count(*) FROM call_records r, json_each(r.record_json, '$.queues') q WHERE q.value ->> 'outcome' = 'answered'"),
        "wait_ms": one("SELECT sum(q.value ->> 'wait_ms') FROM call_records r, json_each(r.record_json, '$.queues') q"),
        "first_entered_ms": one("SELECT CAST(round(min(unixepoch(q.value ->> 'entered_at', 'subsec')) * 1000) AS INTEGER) FROM call_records r, json_each(r.record_json, '$.queues') q"),
        "visits_within_target": within,
        "visit_goals_permille": goals,
        "visit_types": {"entered_at": "TIMESTAMP WITH TIME ZONE", "wait_ms": "BIGINT", "outcome": "VARCHAR", "service_target_ms": "BIGINT", "service_level_goal": "DOUBLE"},
        "raw": one("SELECT count(*) FROM conversations"),
        "days": one("SELECT count(DISTINCT call_date) FROM calls"),
        "first_start_ms": one("SELECT min(start_ms) FROM calls"),
        "types": {"call_start": "TIMESTAMP WITH TIME ZONE", "talk_ms": "BIGINT", "ongoing": "BOOLEAN", "call_date": "DATE"},
    })
}

/// The lake read by `DuckDB` (the `duckdb` Python package). Set `CALLTRAIL_PYTHON` to a Python
/// that has it; `.ci/run` does, and sets `CALLTRAIL_REQUIRE_DUCKDB=1` so it cannot be skipped.
#[test]
fn the_parquet_lake_read_by_duckdb_equals_the_archive() {
    let python = std::env::var("CALLTRAIL_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_duckdb =
        Command::new(&python).args(["-c", "import duckdb"]).output().is_ok_and(|o| o.status.success());
    if !has_duckdb {
        assert!(
            std::env::var_os("CALLTRAIL_REQUIRE_DUCKDB").is_none(),
            "duckdb is required but `{python}` lacks it"
        );
        eprintln!("skipped: no duckdb for `{python}` (set CALLTRAIL_PYTHON)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let said = export(&fixture().db, &lake, &[]);
    assert!(said.contains("(full;"), "{said}");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/lake/duckdb_figures.py");
    let out = Command::new(&python).arg(&script).arg(&lake).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lake_figures: Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected = archive_figures();
    assert!(expected["attributes"].as_i64() > Some(100), "the flows set participant data: {expected}");
    assert_eq!(lake_figures, expected);
}

#[test]
fn exports_are_incremental_partitioned_and_formula_safe() {
    // On a copy: this test changes a record, the others read the archive as built.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("copy.db");
    std::fs::copy(&fixture().db, &db).unwrap();
    let lake = dir.path().join("csv");
    let first = export(&db, &lake, &["--format", "csv", "--tables", "calls,raw"]);
    assert!(first.contains("(full;"), "{first}");
    let days: Vec<String> = std::fs::read_dir(lake.join("calls"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(days.iter().all(|d| d.starts_with("call_date=")) && days.len() >= 7, "{days:?}");
    let mut rows = 0;
    for day in &days {
        let text = std::fs::read_to_string(lake.join("calls").join(day).join("part-0.csv")).unwrap();
        assert!(text.starts_with("conversation_id,call_start,call_end,"));
        rows += text.lines().count() - 1;
        // Numbers starting with + would be formulas in a spreadsheet: they are neutralised.
        assert!(!text.contains(",+"), "{day}");
    }
    assert_eq!(rows, fixture().truth.len());

    // Nothing changed: nothing written. A call changed: only its day is rewritten.
    let again = export(&db, &lake, &["--format", "csv", "--tables", "calls,raw"]);
    assert!(again.contains("exported 0 calls in 0 days"), "{again}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (id, day): (String, String) = conn
        .query_row("SELECT conversation_id, call_date FROM calls ORDER BY start_ms LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let mut store = Store::open(&db).unwrap();
    store.set_settings(toml_settings());
    let raw = store.raw(&id).unwrap().unwrap();
    let mut record: Value = serde_json::from_slice(&raw).unwrap();
    let attributes = &mut record["participants"][0]["attributes"];
    if !attributes.is_object() {
        *attributes = serde_json::json!({});
    }
    attributes["note"] = Value::from("=HYPERLINK(\"http://x\")");
    store.upsert(&[&serde_json::to_vec(&record).unwrap()], "get", NOW).unwrap();
    drop(store);
    let third = export(&db, &lake, &["--format", "csv", "--tables", "calls,raw"]);
    assert!(third.contains("in 1 day ") && third.contains("only days changed"), "{third}");
    let raw_csv =
        std::fs::read_to_string(lake.join("raw").join(format!("call_date={day}")).join("part-0.csv"))
            .unwrap();
    assert!(raw_csv.contains(&id) && raw_csv.contains("HYPERLINK"), "the changed record is exported");

    // NDJSON: the raw record is embedded as JSON.
    let nd = dir.path().join("nd");
    export(&db, &nd, &["--format", "ndjson", "--tables", "raw"]);
    let text = std::fs::read_to_string(nd.join("raw").join(format!("call_date={day}")).join("part-0.ndjson"))
        .unwrap();
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert!(first["record"]["participants"].is_array());
}
