//! How economical the sync is, measured against the simulator on loopback:
//!
//! - requests made against the minimum the limits allow (one page of 100 per query window's
//!   hits, lookups, job submit + results pages of 1000, multi-gets of 100 for ongoing calls);
//! - wall time against the floor the rate limit alone imposes (requests ÷ rate), with the
//!   simulator and calltrail at the same limit, raised to keep the run short — the ratio counts
//!   (a details job's own running time comes on top: the next window's runs while the current
//!   window's results are paged) — and once at Genesys' default 300 a minute, where storing a
//!   job's page of 1,000 calls fits in the time a request is allowed;
//! - 429s met when calltrail is the only client (target: none);
//! - peak memory of `calltrail sync` (a separate process) at 10k and 100k conversations.
//!
//! Run with `cargo bench -p calltrail --bench sync_efficiency`.
#![allow(clippy::print_stdout, clippy::cast_precision_loss, missing_docs)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::Instant;

use calltrail_client::plan::{self, Mode, Via};
use calltrail_client::{Credentials, Endpoints, Http, RequestConfig, Secret};
use calltrail_sim::{Clock, Sim, SimConfig};
use calltrail_store::Store;
use calltrail_sync::{run, AttributesMode, Progress, SyncOptions};

const DAY: i64 = 86_400_000;

fn now_ms() -> i64 {
    i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis())
        .unwrap()
}

fn in_process(calls: usize, days: u32, mode: Mode, rate: u32, job_delay_ms: i64, jobs_at_once: usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let sim = Sim::new(SimConfig { calls, days, seed: 77, rate_limit: rate, job_delay_ms, availability_lag_ms: 6 * 3_600_000, ..SimConfig::default() }, Clock::system());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(calltrail_sim::serve(listener, sim.clone(), std::future::pending::<()>()));
        let http = Http::new(
            Endpoints { api: base.clone(), login: base },
            Credentials::Client { id: "bench".into(), secret: Secret::new("bench") },
            RequestConfig { rate_limit_per_minute: rate, ..RequestConfig::default() },
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("bench.db")).unwrap();
        let now = now_ms();
        let from = now.div_euclid(DAY) * DAY - i64::from(days) * DAY;
        let options = SyncOptions {
            from,
            to: now,
            mode,
            attributes: AttributesMode::Never,
            lookback_ms: 2 * DAY,
            resume: false,
            settings_need_attributes: false,
            conversations_retention_ms: 60 * DAY,
            jobs_at_once,
            now_ms: now,
        };
        let availability = now - 6 * 3_600_000;
        let started = Instant::now();
        let report = run(&http, &mut store, &options, &Progress::new(false)).await.unwrap();
        let elapsed = started.elapsed().as_secs_f64();

        // The minimum: what the plan's windows need at full pages, plus lookups and ongoing gets.
        let windows = plan::plan(from, now, mode, (mode == Mode::Auto).then_some(availability), 2 * DAY);
        let mut minimum = 5u64; // one page of each lookup listing
        for w in &windows {
            let hits = sim
                .calls()
                .iter()
                .filter(|c| {
                    let end = c.end_ms.min(now);
                    match w.via {
                        Via::Query => {
                            let day = c.start_ms.div_euclid(DAY);
                            c.start_ms <= now && day >= w.start.div_euclid(DAY) && day <= (w.end - 1).div_euclid(DAY) && c.start_ms < w.end && end.max(c.start_ms + 1) > w.start
                        }
                        Via::Job => c.start_ms <= availability && c.start_ms < w.end && end.max(c.start_ms + 1) > w.start,
                    }
                })
                .count() as u64;
            minimum += match w.via {
                Via::Query => hits.div_ceil(100).max(1),
                Via::Job => 2 + hits.div_ceil(1000).max(1), // submit, one status poll, pages
            };
        }
        minimum += report.refreshed.div_ceil(100);
        let floor = report.requests as f64 * 60.0 / f64::from(rate);
        println!(
            "{mode:?} {calls:>6} calls, {jobs_at_once} job(s) at once: {} requests vs minimum {minimum} = {:.3}x; {elapsed:.1}s vs rate floor {floor:.1}s = {:.3}x; {} answered 429 (sim counted {})",
            report.requests,
            report.requests as f64 / minimum as f64,
            elapsed / floor,
            report.rate_limited,
            sim.stats().rate_limited.load(Ordering::Relaxed),
        );
    });
}

/// Peak RSS (KiB) of `calltrail sync` over `calls` conversations, from GNU time.
fn peak_rss(calls: usize) -> Option<(u64, f64)> {
    let bin = env!("CARGO_BIN_EXE_calltrail");
    let dir = tempfile::tempdir().ok()?;
    let mut sim = Command::new(bin)
        .args([
            "-q",
            "sim",
            "--listen",
            "127.0.0.1:0",
            "--rate-limit",
            "1000000",
            "--days",
            "7",
            "--calls",
            &calls.to_string(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let mut api = String::new();
    BufReader::new(sim.stdout.take()?).read_line(&mut api).ok()?;
    let now = now_ms();
    let from = calltrail_model::Timestamp(now.div_euclid(DAY) * DAY - 7 * DAY).to_rfc3339();
    let started = Instant::now();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M", bin, "-q", "--db"])
        .arg(dir.path().join("a.db"))
        .args([
            "sync",
            "--mode",
            "query",
            "--rate-limit",
            "1000000",
            "--attributes",
            "never",
            "--from",
            &from,
            "--api-base",
            api.trim(),
        ])
        .env("GENESYSCLOUD_OAUTHCLIENT_ID", "bench")
        .env("GENESYSCLOUD_OAUTHCLIENT_SECRET", "bench")
        .output()
        .ok()?;
    let elapsed = started.elapsed().as_secs_f64();
    let _ = sim.kill();
    let _ = sim.wait();
    let text = String::from_utf8_lossy(&out.stderr);
    Some((text.lines().last()?.trim().parse().ok()?, elapsed))
}

fn main() {
    let rate = 1200;
    println!("sync efficiency, simulator and calltrail both at {rate} requests/minute");
    let at_once = calltrail_sync::JOBS_AT_ONCE;
    in_process(2000, 7, Mode::Query, rate, 200, at_once);
    in_process(10_000, 7, Mode::Query, rate, 200, at_once);
    in_process(10_000, 7, Mode::Auto, rate, 200, at_once);
    // At Genesys' own rate, where each request has four times the time for storing its page.
    println!("at Genesys' default {} requests/minute:", RequestConfig::default().rate_limit_per_minute);
    in_process(10_000, 7, Mode::Auto, RequestConfig::default().rate_limit_per_minute, 200, at_once);
    // History through six weekly jobs, each taking the simulator's default 2 s to run: one job
    // at a time, then as many as a sync submits at once.
    in_process(20_000, 35, Mode::Jobs, rate, 2_000, 1);
    in_process(20_000, 35, Mode::Jobs, rate, 2_000, at_once);
    println!("\npeak memory of `calltrail sync` (query mode, 7 days)");
    let mut base = None;
    for calls in [10_000, 100_000] {
        match peak_rss(calls) {
            Some((kib, secs)) => {
                let ratio = base.map_or(1.0, |b: u64| kib as f64 / b as f64);
                base.get_or_insert(kib);
                println!(
                    "{calls:>7} conversations: peak RSS {:.1} MiB ({ratio:.2}x of 10k), {secs:.1}s",
                    kib as f64 / 1024.0
                );
            }
            None => println!("{calls:>7} conversations: not measured (needs /usr/bin/time)"),
        }
    }
}
