//! The sync against the simulator over loopback, in-process so that the simulator's clock is
//! ours to move: the archive ends equal to the ground truth — every conversation once, newest
//! version, names resolved, attributes present — after a plain sync, after twenty abrupt stops
//! and resumes, under the flaky profile, and after late changes caught by an incremental sync.

use std::sync::Arc;
use std::time::Duration;

use calltrail_client::plan::Mode;
use calltrail_client::{Credentials, Endpoints, Http, RequestConfig, Secret};
use calltrail_explain::Settings;
use calltrail_sim::{Clock, FaultProfile, FaultRates, Sim, SimConfig};
use calltrail_store::Store;
use calltrail_sync::{run, AttributesMode, Progress, SyncOptions, SyncReport};
use serde_json::Value;

const DAY: i64 = 86_400_000;
/// 2025-11-25T10:00:00Z.
const NOW: i64 = 1_764_064_800_000;

struct Harness {
    sim: Arc<Sim>,
    http: Http,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn harness(config: SimConfig) -> Harness {
    harness_at(config, NOW).await
}

async fn harness_at(config: SimConfig, now: i64) -> Harness {
    let sim = Sim::new(SimConfig { rate_limit: 1_000_000, job_delay_ms: 0, ..config }, Clock::manual(now));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(calltrail_sim::serve(listener, sim.clone(), async move {
        let _ = stopped.await;
    }));
    let http = Http::new(
        Endpoints { api: base.clone(), login: base },
        Credentials::Client { id: "test".into(), secret: Secret::new("test-secret") },
        RequestConfig {
            rate_limit_per_minute: 600_000,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(50),
            ..RequestConfig::default()
        },
    )
    .unwrap();
    Harness { sim, http, _stop: stop }
}

/// Events written to memory, for the test to read.
#[derive(Clone, Default)]
struct EventLog(Arc<std::sync::Mutex<Vec<u8>>>);

impl EventLog {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for EventLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for EventLog {
    type Writer = EventLog;
    fn make_writer(&'a self) -> EventLog {
        self.clone()
    }
}

fn settings() -> Settings {
    serde_json::from_value(serde_json::json!({
        "reason": {"attributes": ["Final Main Intent", "MainIntent1"]},
        "ivr": {"checkpoints": ["MainIntent1"]}
    }))
    .unwrap()
}

fn store(dir: &tempfile::TempDir) -> Store {
    let mut s = Store::open(&dir.path().join("archive.db")).unwrap();
    s.set_settings(settings());
    s
}

fn options(from: i64, to: i64, mode: Mode) -> SyncOptions {
    SyncOptions {
        from,
        to,
        mode,
        attributes: AttributesMode::Auto,
        lookback_ms: 2 * DAY,
        resume: false,
        settings_need_attributes: true,
        conversations_retention_ms: 60 * DAY,
        now_ms: to,
        jobs_at_once: calltrail_sync::JOBS_AT_ONCE,
    }
}

/// Every disagreement between the archive and the simulator's ground truth at `now`: each
/// record as the API shows it then.
fn differences(h: &Harness, store: &Store, now: i64) -> Vec<String> {
    let mut problems = Vec::new();
    let ids = store.ids().unwrap();
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    if unique.len() != ids.len() {
        problems.push("an id is stored twice".into());
    }
    let expected: Vec<&calltrail_sim::Planned> = h.sim.calls().iter().filter(|c| c.start_ms <= now).collect();
    if ids.len() != expected.len() {
        problems.push(format!("{} conversations archived, {} expected", ids.len(), expected.len()));
    }
    for planned in expected {
        let id = &planned.truth.conversation_id;
        let Some(raw) = store.raw(id).unwrap() else {
            problems.push(format!("{id} missing"));
            continue;
        };
        // The newest version: the record as the API shows it now (attributes aside).
        let mut want = serde_json::to_value(planned.view_at(now).unwrap()).unwrap();
        let mut got: Value = serde_json::from_slice(&raw).unwrap();
        for v in [&mut want, &mut got] {
            for p in v["participants"].as_array_mut().into_iter().flatten() {
                p.as_object_mut().unwrap().remove("attributes");
            }
        }
        if want != got {
            problems.push(format!("{id}: the archived record is not the newest version"));
            continue;
        }
        let call: Value = serde_json::from_str(&store.call_json(id).unwrap().unwrap()).unwrap();
        let truth = planned.truth_at(now);
        let mut check = |field: &str, got: &Value, want: Option<String>| {
            if let Some(want) = want {
                if got.as_str() != Some(want.as_str()) {
                    problems.push(format!("{id} ({}): {field} is {got}, truth {want}", truth.scenario));
                }
            }
        };
        check("outcome", &call["outcome"], truth.outcome.map(str::to_owned));
        check("direction_label", &call["direction_label"], truth.direction_label.map(str::to_owned));
        check("answered_by.user_id", &call["answered_by"]["user_id"], truth.answered_by_user_id.clone());
        check("wrapup.code_id", &call["wrapup"]["code_id"], truth.wrapup_code_id.clone());
        check("wrapup.code_name", &call["wrapup"]["code_name"], truth.wrapup_code_name.clone());
        check("ivr.reason", &call["ivr"]["reason"], truth.reason.clone());
        check("disconnect.by", &call["disconnect"]["by"], truth.disconnect_by.map(str::to_owned));
        if truth.answered_by_user_id.is_some() && call["answered_by"]["name"].is_null() {
            problems.push(format!("{id}: the agent's name is not resolved"));
        }
    }
    problems.truncate(10);
    problems
}

async fn sync(h: &Harness, store: &mut Store, options: &SyncOptions) -> SyncReport {
    run(&h.http, store, options, &Progress::new(false)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mode_ends_equal_to_the_ground_truth() {
    for mode in [Mode::Query, Mode::Jobs, Mode::Auto] {
        let h = harness(SimConfig { calls: 800, days: 3, seed: 21, ..SimConfig::default() }).await;
        let dir = tempfile::tempdir().unwrap();
        let mut s = store(&dir);
        let report = sync(&h, &mut s, &options(NOW - 4 * DAY, NOW, mode)).await;
        assert!(report.failed.is_empty(), "{mode:?}: {:?}", report.failed);
        assert_eq!(report.records.quarantined, 0);
        // Jobs see the data as of their availability date: a record corrected since then
        // (a late wrap-up change) is still its earlier version there, and only a query or a
        // later sync can see the correction.
        let seen_at = match mode {
            Mode::Jobs => (NOW - SimConfig::default().availability_lag_ms).div_euclid(60_000) * 60_000,
            _ => NOW,
        };
        let problems = differences(&h, &s, seen_at);
        assert!(problems.is_empty(), "{mode:?}:\n{}", problems.join("\n"));
        // One details job a job window, submitted before its turn or in it.
        let sync_id: i64 = s.connection().query_row("SELECT max(id) FROM syncs", [], |r| r.get(0)).unwrap();
        let job_windows = s.windows(sync_id).unwrap().iter().filter(|w| w.job).count() as u64;
        assert_eq!(
            h.sim.stats().jobs_submitted.load(std::sync::atomic::Ordering::Relaxed),
            job_windows,
            "{mode:?}"
        );
        assert_eq!(job_windows > 0, mode != Mode::Query);
        if mode == Mode::Query {
            assert!(report.enriched > 0, "query records get their attributes from the Conversations API");
            // Each queue's service level per media, from the queue listing's settings.
            let mut stored: Vec<(String, String, i64, Option<f64>)> = s
                .connection()
                .prepare("SELECT queue_id, media, target_ms, goal FROM queue_service_levels")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let mut expected: Vec<(String, String, i64, Option<f64>)> = h
                .sim
                .org()
                .service_levels()
                .into_iter()
                .map(|l| (l.queue_id, l.media, l.target_ms, l.goal))
                .collect();
            stored.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
            expected.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
            assert_eq!(stored.len(), 25);
            assert_eq!(stored, expected);
        }
        if mode == Mode::Auto {
            assert!(
                report.records.unchanged > 0,
                "conversations seen by both a job and a query window are stored once"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_windows_jobs_run_while_one_is_paged_and_none_is_submitted_twice() {
    for at_once in [calltrail_sync::JOBS_AT_ONCE, 1] {
        let h = harness(SimConfig { calls: 900, days: 30, seed: 23, ..SimConfig::default() }).await;
        let dir = tempfile::tempdir().unwrap();
        let mut s = store(&dir);
        let (from, to) = (NOW - 31 * DAY, NOW);
        let report =
            sync(&h, &mut s, &SyncOptions { jobs_at_once: at_once, ..options(from, to, Mode::Jobs) }).await;
        assert!(report.failed.is_empty(), "{:?}", report.failed);
        let sync_id: i64 = s.connection().query_row("SELECT max(id) FROM syncs", [], |r| r.get(0)).unwrap();
        let windows = s.windows(sync_id).unwrap();
        assert!(windows.len() >= 4 && windows.iter().all(|w| w.job && w.done), "{windows:?}");
        let stats = h.sim.stats();
        let submitted = stats.jobs_submitted.load(std::sync::atomic::Ordering::Relaxed);
        let peak = stats.jobs_unread_peak.load(std::sync::atomic::Ordering::Relaxed);
        assert_eq!(submitted, windows.len() as u64, "one job a window");
        assert_eq!(peak, at_once as u64, "jobs running side by side");
        let seen_at = (NOW - SimConfig::default().availability_lag_ms).div_euclid(60_000) * 60_000;
        let problems = differences(&h, &s, seen_at);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_abrupt_stops_then_resume() {
    let h = harness(SimConfig { calls: 1500, days: 3, seed: 22, ..SimConfig::default() }).await;
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let opts = options(NOW - 4 * DAY, NOW, Mode::Query);
    // Stop the sync at twenty moments spread over its run: the future is dropped mid-flight,
    // as a killed process would stop (an open transaction rolls back).
    let mut started = false;
    for i in 0..20u64 {
        let resume = started && s.interrupted_sync().unwrap().is_some();
        let o = SyncOptions { resume, ..opts.clone() };
        let cut = Duration::from_millis(15 + (i * 37) % 120);
        let _ = tokio::time::timeout(cut, run(&h.http, &mut s, &o, &Progress::new(false))).await;
        started = true;
    }
    let resume = s.interrupted_sync().unwrap().is_some();
    let report = sync(&h, &mut s, &SyncOptions { resume, ..opts }).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let problems = differences(&h, &s, NOW);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flaky_api_same_result() {
    let rates = FaultRates { slow_ms: 5, ..FaultRates::of(FaultProfile::Flaky) };
    let h = harness(SimConfig {
        calls: 1000,
        days: 3,
        seed: 23,
        faults: FaultProfile::Flaky,
        fault_rates: Some(rates),
        ..SimConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    // What `calltrail -v` would show: every retry and window, here written to a buffer.
    let log = EventLog::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(log.clone())
        .with_ansi(false)
        .finish();
    let shown = tracing::subscriber::set_default(subscriber);
    let report = sync(&h, &mut s, &options(NOW - 4 * DAY, NOW, Mode::Auto)).await;
    drop(shown);
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(report.retries > 0, "faults were met and retried");
    let events = log.text();
    let retried = events.lines().filter(|l| l.contains("; retry ")).count();
    assert!(
        retried > 0 && u64::try_from(retried).unwrap() <= report.retries,
        "{retried} / {}\n{events}",
        report.retries
    );
    assert!(events.contains(" done through "), "{events}");
    assert!(!events.contains("test-secret"), "{events}");
    let stats = h.sim.stats();
    assert!(
        stats.truncated.load(std::sync::atomic::Ordering::Relaxed)
            + stats.server_errors.load(std::sync::atomic::Ordering::Relaxed)
            > 0
    );
    let problems = differences(&h, &s, NOW);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_catches_late_changes_and_ongoing_calls_end() {
    // First sync at one in the morning, before yesterday evening's corrections.
    let early = NOW - 9 * 3_600_000;
    let h = harness_at(SimConfig { calls: 3000, days: 2, seed: 24, ..SimConfig::default() }, early).await;
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let first = sync(&h, &mut s, &options(early - 3 * DAY, early, Mode::Auto)).await;
    assert!(first.failed.is_empty());
    let open_before = s.counts().unwrap().open;
    assert!(open_before > 0, "some conversations are still going on");

    // Later: corrections and ends have happened.
    let later = NOW + 5 * DAY;
    h.sim.clock().advance(later - early);
    let last = s.last_finished_sync().unwrap().unwrap();
    let incremental = sync(&h, &mut s, &options(last.to_ms - 2 * DAY, later, Mode::Auto)).await;
    assert!(incremental.failed.is_empty());
    assert!(incremental.records.updated > 0, "changed records were picked up");
    assert!(s.counts().unwrap().history > 0, "earlier versions are kept");
    assert!(s.counts().unwrap().open < open_before, "ongoing conversations were re-fetched until they ended");
    let corrected = h
        .sim
        .calls()
        .iter()
        .find(|c| c.before_change.as_ref().is_some_and(|(at, _)| *at > early && *at <= later))
        .expect("a correction after the first sync");
    let raw = String::from_utf8(s.raw(&corrected.truth.conversation_id).unwrap().unwrap()).unwrap();
    assert!(raw.contains("Corrected after review"), "the newest version wins");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_without_some_permissions_still_syncs_every_call_and_says_what_is_missing() {
    let denied = ["routing:queue:view", "conversation:communication:view"];
    let h = harness(SimConfig {
        calls: 300,
        days: 2,
        seed: 25,
        denied_permissions: denied.iter().map(|p| (*p).to_owned()).collect(),
        ..SimConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let report = sync(&h, &mut s, &options(NOW - 3 * DAY, NOW, Mode::Query)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(s.ids().unwrap().len(), h.sim.calls().iter().filter(|c| c.start_ms <= NOW).count());
    assert_eq!(report.enriched, 0);
    assert_eq!(report.warnings.len(), 2, "{:?}", report.warnings);
    for (warning, permission) in report.warnings.iter().zip(denied) {
        assert!(warning.contains("403") && warning.contains(permission), "{warning}");
    }
    assert!(
        report.warnings[0].starts_with("no queue names or service-level targets"),
        "{}",
        report.warnings[0]
    );
    assert_eq!(s.sync_statuses(1).unwrap()[0].warnings, report.warnings, "kept with the sync");
    // The other listings are stored; the queues' is not (the records' own participant names
    // still name most queues).
    let listed = |kind: &str| -> i64 {
        s.connection()
            .query_row("SELECT count(*) FROM lookups WHERE kind = ?1", [kind], |r| r.get(0))
            .unwrap()
    };
    assert!(listed("users") > 0 && listed("wrapup_codes") > 0 && listed("flows") > 0);
    assert_eq!(listed("queues"), 0);
    // The Conversations API was asked once, not once per conversation: a few pages, five
    // listings, one refused get and the ongoing calls' refresh.
    assert!(report.requests < 30, "{} requests", report.requests);
}
