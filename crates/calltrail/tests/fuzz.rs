//! Fuzzing the three ways bytes come in — the record parser, the explainer and the NDJSON
//! reader — and the archive's ingest, with mutations of the simulator's real-shaped records:
//! byte flips, inserted and deleted bytes, invalid UTF-8, duplicated keys, huge numbers,
//! absurd dates, segments ending before they start, deep nesting. No input may panic; good
//! records next to bad ones are never lost; every stored record is stored or quarantined.
//!
//! Cases per property: `CALLTRAIL_FUZZ_CASES` (default 300; long runs use 100,000+). The
//! inputs worth keeping are in `tests/fuzz-corpus/` and replayed on every run.

#[path = "../src/input.rs"]
#[allow(dead_code, clippy::all, clippy::pedantic)]
mod input;

use std::io::Cursor;
use std::sync::OnceLock;

use calltrail_explain::{explain, story, Context, Lookups, Settings};
use calltrail_model::parse_document;
use calltrail_sim::Spec;
use calltrail_store::Store;
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// 2025-11-25T10:00:00Z.
const NOW: i64 = 1_764_064_800_000;

/// Real-shaped records: one of each scenario the simulator makes, as bytes.
fn seeds() -> &'static Vec<Vec<u8>> {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let (_, planned) = calltrail_sim::generate(&Spec::at(400, 2, 17, NOW));
        let mut seen = std::collections::HashSet::new();
        planned
            .iter()
            .filter(|p| seen.insert(p.truth_at(NOW).scenario))
            .filter_map(|p| p.view_at(NOW))
            .map(|v| serde_json::to_vec(&v).unwrap())
            .collect()
    })
}

fn cases() -> u32 {
    std::env::var("CALLTRAIL_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300)
}

/// Explains whatever parses; returns how many conversations were explained.
fn explain_all(bytes: &[u8]) -> usize {
    let Ok(doc) = parse_document(bytes) else { return 0 };
    let (lookups, settings) = (Lookups::default(), Settings::default());
    let ctx = Context { lookups: &lookups, settings: &settings };
    let conversations = doc.into_conversations();
    for c in &conversations {
        let call = explain(c, None, &ctx);
        serde_json::to_vec(&call).unwrap();
        let _ = story::render(&call);
        let mut row = Vec::new();
        call.write_csv(&mut row);
        assert_eq!(row.last(), Some(&b'\n'));
        assert!(call.phases.iter().all(|p| p.duration_ms.is_none_or(|d| d >= 0)));
    }
    conversations.len()
}

/// One mutation of a record's bytes.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Splice(usize, &'static str),
    Truncate(usize),
}

const SPLICES: &[&str] = &[
    "1e400",
    "-99999999999999999999999999999",
    "\"9999-99-99T99:99:99Z\"",
    "\"0000-01-01T00:00:00.000Z\"",
    "\"+275760-09-13T00:00:00Z\"",
    "\"\\ud800\"",
    "\"\u{202e}\"",
    "null",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "\"conversationId\":\"dup\",\"conversationId\":\"dup2\",",
    "\"segmentEnd\":\"1970-01-01T00:00:00Z\",",
    "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":[]}}}}}",
    "\u{0}\u{7}\u{1b}[31m",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Flip(at, b)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, b)| Mutation::Insert(at, b)),
        (any::<usize>(), 1usize..64).prop_map(|(at, n)| Mutation::Delete(at, n)),
        (any::<usize>(), prop::sample::select(SPLICES)).prop_map(|(at, s)| Mutation::Splice(at, s)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len().max(1);
    match m {
        Mutation::Flip(at, b) => {
            let i = at % len;
            if let Some(x) = bytes.get_mut(i) {
                *x ^= b | 1;
            }
        }
        Mutation::Insert(at, b) => {
            let i = at % len;
            bytes.splice(i..i, b.iter().copied());
        }
        Mutation::Delete(at, n) => {
            let i = at % len;
            bytes.drain(i..(i + n).min(bytes.len()));
        }
        Mutation::Splice(at, s) => {
            let i = at % len;
            bytes.splice(i..i, s.bytes());
        }
        Mutation::Truncate(at) => bytes.truncate(at % len),
    }
}

fn mutated() -> impl Strategy<Value = Vec<u8>> {
    (any::<prop::sample::Index>(), prop::collection::vec(mutation(), 1..6)).prop_map(|(pick, ms)| {
        let mut bytes = pick.get(seeds()).clone();
        for m in &ms {
            apply(&mut bytes, m);
        }
        bytes
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// The parser and the explainer on mutated records: never a panic.
    #[test]
    fn mutated_records_never_panic(bytes in mutated()) {
        explain_all(&bytes);
    }

    /// NDJSON with mutated lines among good ones: the reader hands every line on, and every
    /// good record is still explained.
    #[test]
    fn good_lines_survive_bad_neighbours(bad in prop::collection::vec(mutated(), 1..6), picks in prop::collection::vec(any::<prop::sample::Index>(), 1..8)) {
        let good: Vec<&Vec<u8>> = picks.iter().map(|p| p.get(seeds())).collect();
        let mut input = Vec::new();
        let mut lines = 0;
        for (i, line) in good.iter().enumerate() {
            input.extend_from_slice(line);
            input.push(b'\n');
            lines += 1;
            if let Some(b) = bad.get(i) {
                let b: Vec<u8> = b.iter().map(|&c| if c == b'\n' { b' ' } else { c }).collect();
                input.extend_from_slice(&b);
                input.push(b'\n');
                // Blank lines are not records: the reader passes over them.
                if !b.iter().all(u8::is_ascii_whitespace) {
                    lines += 1;
                }
            }
        }
        let mut explained_good = 0;
        let mut seen = 0;
        match input::detect(Cursor::new(input.clone())).unwrap() {
            input::Layout::Lines(mut batches) => {
                while let Some(batch) = batches.next_batch().unwrap() {
                    for (s, e, _) in &batch.lines {
                        seen += 1;
                        let line = &batch.data[*s..*e];
                        let n = explain_all(line);
                        if good.iter().any(|g| g.as_slice() == line) {
                            prop_assert_eq!(n, 1);
                            explained_good += 1;
                        }
                    }
                }
                prop_assert_eq!(seen, lines);
                prop_assert_eq!(explained_good, good.len());
            }
            // The first line is good, so the input is read as lines.
            _ => prop_assert!(false, "NDJSON not recognised"),
        }
    }
}

#[test]
fn the_archive_stores_or_quarantines_every_mutated_record() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: cases().min(500),
        ..ProptestConfig::default()
    });
    let mut store = Store::open_in_memory().unwrap();
    let mut inputs = Vec::new();
    for _ in 0..cases().min(500) {
        inputs.push(mutated().new_tree(&mut runner).unwrap().current());
    }
    let slices: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
    let report = store.upsert(&slices, "query", NOW).unwrap();
    assert_eq!(report.added + report.updated + report.unchanged + report.quarantined, inputs.len() as u64);
    assert!(report.quarantined > 0, "mutations break some records");
}

/// The kept corpus: each file must parse or fail cleanly and never panic.
#[test]
fn the_corpus_replays() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        explain_all(&bytes);
        if let Ok(input::Layout::Lines(mut batches)) = input::detect(Cursor::new(bytes.clone())) {
            while let Some(batch) = batches.next_batch().unwrap() {
                for (s, e, _) in &batch.lines {
                    explain_all(&batch.data[*s..*e]);
                }
            }
        }
        n += 1;
    }
    assert!(n >= 10, "{n} corpus files");
}

/// Large inputs cost memory in proportion, not more: a 30 MB record with an enormous
/// attribute map is explained, and deep nesting is refused.
#[test]
fn very_large_and_very_deep_inputs() {
    let mut record: serde_json::Value = serde_json::from_slice(&seeds()[0]).unwrap();
    let attributes: serde_json::Map<String, serde_json::Value> = (0..300_000)
        .map(|i| (format!("key{i}"), serde_json::Value::from(format!("value {i} <script>"))))
        .collect();
    record["participants"][0]["attributes"] = serde_json::Value::Object(attributes);
    let bytes = serde_json::to_vec(&record).unwrap();
    assert!(bytes.len() > 8_000_000);
    assert_eq!(explain_all(&bytes), 1);
    let deep = format!("{}{}", "[".repeat(1_000_000), "]".repeat(1_000_000));
    assert_eq!(explain_all(deep.as_bytes()), 0);
}
