//! The benchmarks' archives: the simulator's calls stored once under `target/bench-data/`
//! and kept between runs (built in chunks of 100,000 with their own seeds, so memory stays
//! bounded while building).

use std::path::PathBuf;
use std::time::Instant;

use calltrail_sim::Spec;
use calltrail_store::Store;

/// 2025-11-25T10:00:00Z: fixed, so a kept archive stays valid.
const NOW: i64 = 1_764_064_800_000;
const CHUNK: usize = 100_000;

fn settings() -> calltrail_explain::Settings {
    serde_json::from_value(serde_json::json!({
        "reason": {"attributes": ["Final Main Intent", "MainIntent1"]},
        "ivr": {"checkpoints": ["MainIntent1"]}
    }))
    .unwrap()
}

/// An archive of `calls` calls over 30 days, built unless already there.
pub fn archive(calls: usize) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("archive-{calls}.db"));
    if path.exists() {
        let mut store = Store::open(&path).unwrap();
        if store.counts().unwrap().conversations as usize == calls {
            // An archive kept from before queues had service-level targets gets them.
            if store.service_targets().unwrap().is_empty() {
                store.put_service_levels(&calltrail_sim::org::Org::new(1).service_levels()).unwrap();
            }
            return path;
        }
        drop(store);
        std::fs::remove_file(&path).unwrap();
    }
    let started = Instant::now();
    let mut store = Store::open(&path).unwrap();
    store.set_settings(settings());
    let mut stored = 0;
    let mut seed = 1;
    while stored < calls {
        let want = CHUNK.min(calls - stored);
        let (org, planned) = calltrail_sim::generate(&Spec::at(want, 30, seed, NOW));
        if seed == 1 {
            for (kind, entries) in org.lookup_tables() {
                store.put_lookups(kind, &entries).unwrap();
            }
            store.put_service_levels(&org.service_levels()).unwrap();
        }
        // Settled views: every call over.
        let raws: Vec<Vec<u8>> = planned
            .iter()
            .filter_map(|p| p.view_at(p.settled_ms))
            .map(|v| serde_json::to_vec(&v).unwrap())
            .collect();
        for batch in raws.chunks(5000) {
            let slices: Vec<&[u8]> = batch.iter().map(Vec::as_slice).collect();
            let report = store.upsert(&slices, "job", NOW).unwrap();
            stored += report.added as usize;
        }
        seed += 1;
    }
    println!(
        "built an archive of {stored} calls in {:.0}s ({:.0} calls/s ingested), {:.0} MiB",
        started.elapsed().as_secs_f64(),
        stored as f64 / started.elapsed().as_secs_f64(),
        std::fs::metadata(&path).unwrap().len() as f64 / 1_048_576.0
    );
    path
}
