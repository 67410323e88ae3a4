//! Reports and exports over a large archive, each timed as the `calltrail` binary a user runs
//! (wall time and peak RSS from GNU time), against the targets: every report under 2 s and
//! export above 100,000 calls a second on one million calls.
//!
//! The archives are built once from the simulator's records (in chunks of 100,000 with their
//! own seeds, so memory stays bounded while building) and kept under `target/bench-data/`.
//! Sizes: `CALLTRAIL_BENCH_SIZES` (default `10000,100000,1000000`).
//!
//! Run with `cargo bench -p calltrail --bench reports_export`.
#![allow(clippy::print_stdout, clippy::cast_precision_loss, clippy::cast_possible_truncation, missing_docs)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

mod archive;

use archive::archive;

/// Runs `calltrail ARGS` under GNU time: (seconds, peak RSS MiB), stdout discarded.
fn timed(db: &Path, args: &[&str]) -> (f64, f64) {
    let started = Instant::now();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M", env!("CARGO_BIN_EXE_calltrail"), "-q", "--db"])
        .arg(db)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("GNU time (/usr/bin/time) runs calltrail");
    let secs = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "calltrail {args:?}: {stderr}");
    let kib: f64 = stderr.lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or(f64::NAN);
    (secs, kib / 1024.0)
}

fn main() {
    let sizes: Vec<usize> = std::env::var("CALLTRAIL_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    // Each report, and the two period reports by the hour as well (intervals of every day).
    let reports: [(&str, &[&str]); 10] = [
        ("ivr", &[]),
        ("reasons", &[]),
        ("phases", &[]),
        ("phases", &["--by", "queue,day,hour"]),
        ("queues", &[]),
        ("queues", &["--by", "queue,day,hour"]),
        ("wrapups", &[]),
        ("abandons", &[]),
        ("agents", &[]),
        ("repeats", &[]),
    ];
    for &calls in &sizes {
        let db = archive(calls);
        println!("\n{calls} calls");
        // Each report twice: the first run may find the archive's pages outside the OS cache.
        for (name, extra) in reports {
            let mut args = vec!["report", name, "--format", "json", "--tz", "Europe/London"];
            args.extend(extra);
            let (first, _) = timed(&db, &args);
            let (secs, mib) = timed(&db, &args);
            let label = if extra.is_empty() { name.to_owned() } else { format!("{name} by hour") };
            println!(
                "  report {label:<16} {secs:>6.2}s  ({:.2}x of the 2 s budget; first run {first:.2}s)  peak RSS {mib:>6.1} MiB",
                secs / 2.0
            );
        }
        let out = tempfile::tempdir().unwrap();
        // Each export twice, the second into a fresh folder too (the first one's removed, as
        // a user replacing a lake would): the first run may find the archive's pages outside
        // the OS cache.
        for (label, tables) in [
            ("export parquet, all tables", "calls,phases,agent-legs,queue-visits,ivr-steps,attributes,raw"),
            ("export parquet, derived tables", "calls,phases,agent-legs,queue-visits,ivr-steps,attributes"),
            ("export parquet, calls", "calls"),
        ] {
            let run = |n: u32| {
                let dir = out.path().join(format!("{}-{n}", tables.replace(',', "_")));
                let timing = timed(&db, &["export", "--out", dir.to_str().unwrap(), "--tables", tables]);
                std::fs::remove_dir_all(&dir).unwrap();
                timing
            };
            let (first, _) = run(1);
            let (secs, mib) = run(2);
            let rate = calls as f64 / secs;
            println!(
                "  {label:<31} {secs:>6.2}s  {rate:>9.0} calls/s ({:.2}x of 100k/s; first run {first:.2}s)  peak RSS {mib:>6.1} MiB",
                rate / 100_000.0
            );
        }
        let dir = out.path().join("csv");
        let (secs, mib) =
            timed(&db, &["export", "--format", "csv", "--out", dir.to_str().unwrap(), "--tables", "calls"]);
        println!(
            "  {:<31} {secs:>6.2}s  {:>9.0} calls/s  peak RSS {mib:>6.1} MiB",
            "export csv, calls",
            calls as f64 / secs
        );
    }
}
