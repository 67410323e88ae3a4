//! Throughput of `explain` against the floor of merely validating the same bytes as JSON.
//!
//! Builds NDJSON of realistic voice records (about 10 KB each, the size of real ones: IVR with
//! outcomes, a queue with its in-queue flow, two agents, metrics, media stats), then measures,
//! side by side in one run:
//!
//! - floor: `serde_json::from_slice::<IgnoredAny>` on every line;
//! - explain: what `calltrail explain` does per line (read the record, derive the call record,
//!   write it as JSON);
//! - the parts of explain: the typed parse alone (the direct reader, serde's path it stands in
//!   for, and the reader passing over the record building nothing), parse plus derivation
//!   without output, derivation and writing alone on records parsed beforehand; explain with
//!   `serde_json` writing the output in place of the call record's direct writer, and explain
//!   writing each call's flat CSV row (`--format csv`) instead of its record;
//! - the bound those parts set: the ratio explain would reach if its typed parse were as fast as
//!   the floor's mere validation, with derivation and writing on top;
//! - both on one thread and on every core;
//! - the `calltrail explain --threads 1` binary end to end on the same file.
//!
//! The measurements run in seven rounds, each timing every one of them once, and each keeps its
//! best round: on a shared machine a slow stretch then costs all of them a round alike.
//!
//! Run with `cargo bench -p calltrail --bench explain_throughput` (`-- --records N` to resize).
#![allow(clippy::print_stdout, clippy::cast_precision_loss, missing_docs)]

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use calltrail_explain::json::write_json_from;
use calltrail_explain::{explain, Context, Lookups, Settings};
use rayon::prelude::*;
use serde_json::{json, Value};

/// The allocator the `calltrail` binary uses, so that explain in-process is measured as it runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn uuid(&mut self) -> String {
        format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            self.next(),
            self.below(65536),
            self.below(4096),
            self.below(4096),
            self.next() << 16 | self.below(65536)
        )
    }
}

fn ts(ms: i64) -> String {
    calltrail_explain::Timestamp(ms).to_rfc3339()
}

fn stats(rng: &mut Lcg, at: i64) -> Value {
    json!([{"codecs": ["audio/opus"], "eventTime": ts(at), "maxLatencyMs": rng.below(80), "minMos": 4.2 + rng.below(60) as f64 / 100.0,
            "minRFactor": 80.0 + rng.below(120) as f64 / 10.0, "receivedPackets": 1000 + rng.below(20_000), "discardedPackets": rng.below(5)}])
}

fn segment(kind: &str, start: i64, end: i64, extra: &Value) -> Value {
    let mut s =
        json!({"segmentStart": ts(start), "segmentEnd": ts(end), "segmentType": kind, "conference": false});
    if let (Value::Object(s), Value::Object(e)) = (&mut s, extra) {
        for (k, v) in e {
            s.insert(k.clone(), v.clone());
        }
    }
    s
}

fn metric(name: &str, value: i64, at: i64) -> Value {
    json!({"name": name, "value": value, "emitDate": ts(at)})
}

/// One realistic inbound voice record.
fn record(rng: &mut Lcg, index: u64) -> Value {
    let start = 1_709_600_000_000 + i64::try_from(index).unwrap() * 37_000;
    let ivr_end = start + 20_000 + i64::try_from(rng.below(60_000)).unwrap();
    let queue_end = ivr_end + 5_000 + i64::try_from(rng.below(120_000)).unwrap();
    let (q, edge, flow, qflow) = (rng.uuid(), rng.uuid(), rng.uuid(), rng.uuid());
    let (cust_sid, ivr_sid) = (rng.uuid(), rng.uuid());
    let ani = format!("tel:+1555{:07}", rng.below(10_000_000));
    let dnis = "tel:+18005550100";
    let mut agents = Vec::new();
    let mut t = queue_end - 12_000;
    let mut end = queue_end;
    for n in 0..2 {
        let (user, pid) = (rng.uuid(), rng.uuid());
        let answered = n == 1 || rng.below(4) > 0;
        let alert_end = t + 4_000 + i64::try_from(rng.below(8_000)).unwrap();
        let q_extra = json!({"queueId": q});
        let mut segs = vec![segment(
            "alert",
            t,
            alert_end,
            &json!({"queueId": q, "disconnectType": if answered { "transfer" } else { "client" }}),
        )];
        let mut metrics = vec![metric("tAlert", alert_end - t, alert_end)];
        if answered {
            let talk1 = alert_end + 60_000 + i64::try_from(rng.below(300_000)).unwrap();
            let hold = talk1 + 20_000;
            let talk2 = hold + 60_000;
            let acw = talk2 + 30_000;
            segs.push(segment("interact", alert_end, talk1, &q_extra));
            segs.push(segment("hold", talk1, hold, &q_extra));
            segs.push(segment("interact", hold, talk2, &json!({"queueId": q, "disconnectType": "peer"})));
            segs.push(segment("wrapup", talk2, acw, &json!({"queueId": q, "wrapUpCode": rng.uuid(), "wrapUpNote": "Customer asked about the last invoice; explained the charges"})));
            metrics.extend([
                metric("tAnswered", alert_end - ivr_end, alert_end),
                metric("tTalk", talk1 - alert_end + talk2 - hold, talk2),
                metric("tTalkComplete", talk1 - alert_end + talk2 - hold, talk2),
                metric("tHeld", hold - talk1, hold),
                metric("tHeldComplete", hold - talk1, hold),
                metric("tAcw", acw - talk2, acw),
                metric("tHandle", talk1 - alert_end + talk2 - hold + hold - talk1 + acw - talk2, acw),
            ]);
            end = talk2;
            t = acw;
        } else {
            metrics
                .extend([metric("tNotResponding", alert_end - t, alert_end), metric("nError", 1, alert_end)]);
            t = alert_end;
        }
        agents.push(json!({"participantId": pid, "participantName": format!("Agent {n}"), "userId": user, "purpose": "agent",
            "sessions": [{"mediaType": "voice", "sessionId": rng.uuid(), "direction": "inbound", "ani": ani, "dnis": dnis,
                "sessionDnis": format!("sip:{user}@localhost"), "edgeId": edge, "protocolCallId": rng.uuid(), "provider": "Edge", "peerId": cust_sid,
                "remote": "Caller", "requestedRoutings": ["Standard"], "usedRouting": "Standard", "selectedAgentId": user,
                "mediaEndpointStats": stats(rng, end), "segments": segs, "metrics": metrics}]}));
    }
    let mut participants = vec![
        json!({"participantId": rng.uuid(), "participantName": "Mobile Caller", "purpose": "customer", "externalContactId": rng.uuid(),
            "sessions": [{"mediaType": "voice", "sessionId": cust_sid, "direction": "inbound", "ani": ani, "dnis": dnis, "sessionDnis": dnis,
                "edgeId": edge, "protocolCallId": rng.uuid(), "provider": "Edge", "remoteNameDisplayable": "Mobile Caller", "requestedRoutings": ["Standard"],
                "routingRing": 1, "agentBullseyeRing": 1, "mediaEndpointStats": stats(rng, end),
                "segments": [segment("system", start, start + 300, &json!({})), segment("interact", start + 300, end, &json!({"queueId": q, "disconnectType": "endpoint"}))],
                "metrics": [metric("nConnected", 1, start), metric("tConnected", end - start, end)]}]}),
        json!({"participantId": rng.uuid(), "participantName": "Main Menu", "purpose": "ivr",
            "sessions": [{"mediaType": "voice", "sessionId": ivr_sid, "direction": "inbound", "ani": ani, "dnis": dnis, "sessionDnis": dnis, "edgeId": edge,
                "peerId": cust_sid, "protocolCallId": rng.uuid(), "provider": "Edge", "remote": "Mobile Caller", "mediaEndpointStats": stats(rng, ivr_end),
                "flow": {"flowId": flow, "flowName": "Main Menu", "flowVersion": "22.0", "flowType": "INBOUNDCALL", "entryType": "dnis", "entryReason": dnis,
                    "exitReason": "TRANSFER", "transferType": "ACD", "transferTargetName": "Billing", "transferTargetAddress": q,
                    "startingLanguage": "en-us", "endingLanguage": "en-us",
                    "outcomes": [{"flowOutcomeId": rng.uuid(), "flowOutcomeValue": "SUCCESS", "flowOutcomeStartTimestamp": ts(start + 1000), "flowOutcomeEndTimestamp": ts(start + 9000)},
                                 {"flowOutcomeId": rng.uuid(), "flowOutcomeValue": "SUCCESS", "flowOutcomeStartTimestamp": ts(start + 9000), "flowOutcomeEndTimestamp": ts(start + 15000)}]},
                "segments": [segment("ivr", start + 300, ivr_end, &json!({"disconnectType": "transfer"}))],
                "metrics": [metric("nFlow", 1, start), metric("tIvr", ivr_end - start - 300, ivr_end), metric("tFlow", ivr_end - start - 300, ivr_end),
                            metric("tFlowExit", ivr_end - start - 300, ivr_end), metric("nFlowOutcome", 2, ivr_end)]}]}),
        json!({"participantId": rng.uuid(), "participantName": "Billing", "purpose": "acd",
            "sessions": [{"mediaType": "voice", "sessionId": rng.uuid(), "direction": "inbound", "ani": ani, "dnis": dnis, "sessionDnis": dnis, "edgeId": edge,
                "peerId": cust_sid, "provider": "Edge", "remote": "Mobile Caller", "requestedRoutings": ["Standard"], "usedRouting": "Standard", "flowInType": "ivr",
                "flow": {"flowId": qflow, "flowName": "Default In-Queue Flow", "flowVersion": "1.0", "flowType": "INQUEUECALL", "entryType": "flow"},
                "segments": [segment("interact", ivr_end, queue_end, &json!({"queueId": q, "disconnectType": "transfer"}))],
                "metrics": [metric("nOffered", 1, ivr_end), metric("tAcd", queue_end - ivr_end, queue_end)]}]}),
    ];
    participants.extend(agents);
    json!({"conversationId": rng.uuid(), "conversationStart": ts(start), "conversationEnd": ts(t), "originatingDirection": "inbound",
           "divisionIds": [rng.uuid()], "mediaStatsMinConversationMos": 4.38, "mediaStatsMinConversationRFactor": 89.5, "participants": participants})
}

/// The measurements, taken in rounds: each round times every measurement once, and each keeps
/// its best round. On a shared machine a slow stretch then costs every measurement a round alike,
/// rather than all the runs of whichever one it fell on.
struct Rounds<'f> {
    measurements: Vec<(&'static str, Measure<'f>)>,
}

/// One measurement: runs once and says how long its measured part took.
type Measure<'f> = Box<dyn FnMut() -> Duration + 'f>;

impl<'f> Rounds<'f> {
    fn new() -> Self {
        Rounds { measurements: Vec::new() }
    }

    /// A measurement whose time is the whole run of `f`.
    fn add(&mut self, name: &'static str, mut f: impl FnMut() + 'f) {
        self.timed(name, move || {
            let t = Instant::now();
            f();
            t.elapsed()
        });
    }

    /// A measurement that times itself.
    fn timed(&mut self, name: &'static str, f: impl FnMut() -> Duration + 'f) {
        self.measurements.push((name, Box::new(f)));
    }

    /// The best time of each measurement over `rounds` rounds, by name.
    fn run(mut self, rounds: usize) -> Vec<(&'static str, Duration)> {
        let mut best = vec![Duration::MAX; self.measurements.len()];
        for _ in 0..rounds {
            for (slot, (_, measure)) in best.iter_mut().zip(&mut self.measurements) {
                *slot = (*slot).min(measure());
            }
        }
        self.measurements.iter().map(|(name, _)| *name).zip(best).collect()
    }
}

fn explain_line(line: &[u8], ctx: &Context<'_>, out: &mut Vec<u8>) {
    let doc = calltrail_model::parse_document(line).unwrap();
    for c in doc.into_conversations() {
        write_json_from(&explain(&c, None, ctx), line, out);
        out.push(b'\n');
    }
}

/// [`explain_line`] writing each call's flat row as CSV (`--format csv`) instead of its record.
fn explain_line_csv(line: &[u8], ctx: &Context<'_>, out: &mut Vec<u8>) {
    let doc = calltrail_model::parse_document(line).unwrap();
    for c in doc.into_conversations() {
        explain(&c, None, ctx).write_csv(out);
    }
}

/// [`explain_line`] writing with `serde_json` instead of the call record's direct writer.
fn explain_line_serde_writer(line: &[u8], ctx: &Context<'_>, out: &mut Vec<u8>) {
    let doc = calltrail_model::parse_document(line).unwrap();
    for c in doc.into_conversations() {
        serde_json::to_writer(&mut *out, &explain(&c, None, ctx)).unwrap();
        out.push(b'\n');
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let records: u64 = args
        .iter()
        .position(|a| a == "--records")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    let mut rng = Lcg(42);
    let mut data = Vec::new();
    for i in 0..records {
        serde_json::to_writer(&mut data, &record(&mut rng, i)).unwrap();
        data.push(b'\n');
    }
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    let mb = data.len() as f64 / 1e6;
    println!(
        "{} records, {:.1} MB, {:.1} KB per record, {} cores",
        lines.len(),
        mb,
        data.len() as f64 / lines.len() as f64 / 1e3,
        rayon::current_num_threads()
    );

    let (lookups, settings) = (Lookups::default(), Settings::default());
    let ctx = Context { lookups: &lookups, settings: &settings };
    let path = std::env::temp_dir().join(format!("calltrail-bench-{}.ndjson", std::process::id()));
    std::fs::File::create(&path).unwrap().write_all(&data).unwrap();
    if let Ok(keep) = std::env::var("CALLTRAIL_BENCH_KEEP") {
        std::fs::write(keep, &data).unwrap();
    }
    let binary = |threads: &'static str| {
        let path = path.clone();
        move || {
            let status = Command::new(env!("CARGO_BIN_EXE_calltrail"))
                .args(["explain", "--format", "ndjson", "--threads", threads])
                .arg(&path)
                .stdout(Stdio::null())
                .status()
                .unwrap();
            assert!(status.success());
        }
    };

    let mut rounds = Rounds::new();
    let lines = &lines;
    let ctx = &ctx;
    rounds.add("floor_1", || {
        for line in lines {
            serde_json::from_slice::<serde::de::IgnoredAny>(line).unwrap();
        }
    });
    let mut out = Vec::with_capacity(64 << 10);
    rounds.add("explain_1", move || {
        for line in lines {
            out.clear();
            explain_line(line, ctx, &mut out);
        }
    });
    let mut out = Vec::with_capacity(64 << 10);
    rounds.add("serde_writer_1", move || {
        for line in lines {
            out.clear();
            explain_line_serde_writer(line, ctx, &mut out);
        }
    });
    let mut out = Vec::with_capacity(64 << 10);
    rounds.add("csv_1", move || {
        for line in lines {
            out.clear();
            explain_line_csv(line, ctx, &mut out);
        }
    });
    rounds.add("parse_1", || {
        for line in lines {
            let c: calltrail_model::Conversation<'_> = calltrail_model::from_json(line).unwrap();
            std::hint::black_box(&c);
        }
    });
    rounds.add("skim_1", || {
        for line in lines {
            calltrail_model::reader::skim(line).unwrap();
        }
    });
    rounds.add("serde_parse_1", || {
        for line in lines {
            let c: calltrail_model::Conversation<'_> = serde_json::from_slice(line).unwrap();
            std::hint::black_box(&c);
        }
    });
    rounds.add("derive_1", || {
        for line in lines {
            let c: calltrail_model::Conversation<'_> = calltrail_model::from_json(line).unwrap();
            std::hint::black_box(explain(&c, None, ctx));
        }
    });
    // Derivation and writing alone: each record parsed outside the clock just before, so that
    // it is as warm in the cache as in explain itself (the clock's own cost is about 1%).
    let mut out = Vec::with_capacity(64 << 10);
    rounds.timed("derive_write_1", move || {
        let mut spent = Duration::ZERO;
        for line in lines {
            let c: calltrail_model::Conversation<'_> = calltrail_model::from_json(line).unwrap();
            let t = Instant::now();
            out.clear();
            write_json_from(&explain(&c, None, ctx), line, &mut out);
            out.push(b'\n');
            spent += t.elapsed();
        }
        spent
    });
    rounds.add("floor_n", || {
        lines.par_iter().for_each(|line| {
            serde_json::from_slice::<serde::de::IgnoredAny>(line).unwrap();
        });
    });
    rounds.add("explain_n", || {
        lines.par_iter().for_each_init(Vec::new, |out, line| {
            out.clear();
            explain_line(line, ctx, out);
        });
    });
    rounds.add("cli_1", binary("1"));
    rounds.add("cli_n", binary("0"));
    let best: std::collections::HashMap<&str, Duration> = rounds.run(7).into_iter().collect();
    let _ = std::fs::remove_file(&path);
    let [floor_1, explain_1, serde_writer_1, csv_1, parse_1, skim_1, serde_parse_1, derive_1, derive_write_1, floor_n, explain_n, cli_1, cli_n] =
        [
            "floor_1",
            "explain_1",
            "serde_writer_1",
            "csv_1",
            "parse_1",
            "skim_1",
            "serde_parse_1",
            "derive_1",
            "derive_write_1",
            "floor_n",
            "explain_n",
            "cli_1",
            "cli_n",
        ]
        .map(|name| best[name]);

    let rate = |d: Duration| mb / d.as_secs_f64();
    println!("{:<34} {:>10} {:>12}", "", "MB/s", "records/s");
    for (name, d) in [
        ("floor: validate JSON, 1 thread", floor_1),
        ("explain in-process, 1 thread", explain_1),
        ("  its typed parse alone", parse_1),
        ("    (serde's typed parse instead)", serde_parse_1),
        ("    (its reader building nothing)", skim_1),
        ("  its parse + derive", derive_1),
        ("  its derive + write alone", derive_write_1),
        ("  (serde_json writing the output)", serde_writer_1),
        ("  (CSV rows out, --format csv)", csv_1),
        ("explain binary, --threads 1", cli_1),
        ("floor: validate JSON, all cores", floor_n),
        ("explain in-process, all cores", explain_n),
        ("explain binary, all cores", cli_n),
    ] {
        println!("{name:<34} {:>10.1} {:>12.0}", rate(d), lines.len() as f64 / d.as_secs_f64());
    }
    println!();
    println!(
        "ratio explain/floor, 1 thread (in-process): {:.2}x  (target >= 0.5x)",
        rate(explain_1) / rate(floor_1)
    );
    println!("ratio explain/floor, 1 thread (binary):     {:.2}x", rate(cli_1) / rate(floor_1));
    println!("ratio explain/floor, 1 thread, CSV rows out: {:.2}x", rate(csv_1) / rate(floor_1));
    println!("ratio explain/floor, all cores:              {:.2}x", rate(explain_n) / rate(floor_n));
    // A typed parse reads at least what validation reads; were it as fast as the floor itself,
    // explain would still spend derive + write on top of it.
    println!(
        "bound, 1 thread, a parse as fast as the floor: {:.2}x  (floor / (floor + derive + write))",
        floor_1.as_secs_f64() / (floor_1 + derive_write_1).as_secs_f64()
    );
    println!("scaling explain, all cores vs 1 thread:      {:.2}x", rate(explain_n) / rate(explain_1));
}
