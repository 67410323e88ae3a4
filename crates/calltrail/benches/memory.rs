//! Memory stays flat as the data grows: peak RSS (GNU time) of `calltrail sync`, `calltrail
//! explain` and `calltrail export` at each size, with the ratio to the smallest size measured
//! in the same run.
//!
//! - sync: a `calltrail sim` process with N conversations over 7 days, synced in query mode;
//! - explain: N detail records as NDJSON (the simulator's 100,000 repeated for larger sizes);
//! - export: the `reports_export` benchmark's archives, all five tables as Parquet.
//!
//! Sizes: `CALLTRAIL_BENCH_SIZES` (default `10000,100000,1000000`); sync runs up to
//! `CALLTRAIL_BENCH_SYNC_MAX` (default 100,000: the simulator holds every call in memory). Run with
//! `cargo bench -p calltrail --bench memory`.
#![allow(clippy::print_stdout, clippy::cast_precision_loss, clippy::cast_possible_truncation, missing_docs)]

mod archive;

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const DAY: i64 = 86_400_000;

/// Runs `calltrail ARGS` under GNU time: (peak RSS MiB, seconds).
fn measured(args: &[&str], env: &[(&str, &str)]) -> (f64, f64) {
    let started = Instant::now();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M", env!("CARGO_BIN_EXE_calltrail"), "-q"])
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("GNU time (/usr/bin/time)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "calltrail {args:?}: {stderr}");
    let kib: f64 = stderr.lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or(f64::NAN);
    (kib / 1024.0, started.elapsed().as_secs_f64())
}

fn now_ms() -> i64 {
    i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis())
        .unwrap()
}

fn sync(calls: usize, dir: &Path) -> (f64, f64) {
    let mut sim = Command::new(env!("CARGO_BIN_EXE_calltrail"))
        .args(["-q", "sim", "--listen", "127.0.0.1:0", "--rate-limit", "100000000", "--days", "7"])
        .args(["--calls", &calls.to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut api = String::new();
    BufReader::new(sim.stdout.take().unwrap()).read_line(&mut api).unwrap();
    let from = calltrail_model::Timestamp(now_ms().div_euclid(DAY) * DAY - 7 * DAY).to_rfc3339();
    let db = dir.join(format!("sync-{calls}.db"));
    let db = db.to_str().unwrap();
    let result = measured(
        &[
            "--db",
            db,
            "sync",
            "--mode",
            "query",
            "--rate-limit",
            "100000000",
            "--attributes",
            "never",
            "--from",
            &from,
            "--api-base",
            api.trim(),
        ],
        &[("GENESYSCLOUD_OAUTHCLIENT_ID", "bench"), ("GENESYSCLOUD_OAUTHCLIENT_SECRET", "bench")],
    );
    let _ = sim.kill();
    let _ = sim.wait();
    result
}

/// N records as NDJSON: the simulator's first 100,000 (or fewer), repeated.
fn records(calls: usize, dir: &Path) -> PathBuf {
    let base = dir.join("base.ndjson");
    if !base.exists() {
        let out = Command::new(env!("CARGO_BIN_EXE_calltrail"))
            .args(["sim", "generate", "--calls", "100000", "--days", "7", "--seed", "5"])
            .output()
            .unwrap();
        std::fs::write(&base, &out.stdout).unwrap();
    }
    let text = std::fs::read(&base).unwrap();
    let lines: Vec<&[u8]> = text.split(|b| *b == b'\n').filter(|l| !l.is_empty()).collect();
    let path = dir.join(format!("records-{calls}.ndjson"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..calls {
        out.write_all(lines[i % lines.len()]).unwrap();
        out.write_all(b"\n").unwrap();
    }
    out.flush().unwrap();
    path
}

fn main() {
    let sizes: Vec<usize> = std::env::var("CALLTRAIL_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data/memory");
    std::fs::create_dir_all(&dir).unwrap();
    let sync_max: usize =
        std::env::var("CALLTRAIL_BENCH_SYNC_MAX").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let mut base: [Option<f64>; 3] = [None; 3];
    println!("peak RSS (ratio to the smallest size)");
    for &calls in &sizes {
        let mut line = format!("{calls:>8} conversations:");
        if calls <= sync_max {
            let (mib, secs) = sync(calls, &dir);
            let b = *base[0].get_or_insert(mib);
            let _ = write!(line, "  sync {mib:>6.1} MiB ({:.2}x, {secs:.0}s)", mib / b);
        } else {
            // The simulator keeps every planned call in memory: past this size it needs more
            // than the machine, not calltrail.
            let _ = write!(line, "  sync (not run above {sync_max})");
        }
        let file = records(calls, &dir);
        let (mib, secs) = measured(&["explain", file.to_str().unwrap(), "--format", "ndjson"], &[]);
        std::fs::remove_file(&file).unwrap();
        let b = *base[1].get_or_insert(mib);
        let _ = write!(line, "  explain {mib:>6.1} MiB ({:.2}x, {secs:.0}s)", mib / b);
        let db = archive::archive(calls);
        let out = dir.join(format!("lake-{calls}"));
        let _ = std::fs::remove_dir_all(&out);
        let (mib, secs) = measured(
            &["--db", db.to_str().unwrap(), "export", "--full", "--out", out.to_str().unwrap()],
            &[],
        );
        let _ = std::fs::remove_dir_all(&out);
        let b = *base[2].get_or_insert(mib);
        let _ = write!(line, "  export {mib:>6.1} MiB ({:.2}x, {secs:.0}s)", mib / b);
        println!("{line}");
    }
}
