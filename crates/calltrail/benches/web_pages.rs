//! How fast `calltrail serve` answers on a large archive: each page requested over loopback
//! from the real server process, timed end to end (request to last byte), against the target
//! of 100 ms a page. Reports and the IVR map are folded over the report index (loaded in the
//! background when the server starts; its load time and memory are shown) and then kept until
//! the archive changes: each is requested with filters never asked before (uncached), and
//! again (cached). A number search is answered from the archive; it is shown too.
//!
//! Sizes: `CALLTRAIL_BENCH_SIZES` (default `100000,1000000`); archives are shared with the
//! `reports_export` benchmark. Run with `cargo bench -p calltrail --bench web_pages`.
#![allow(clippy::print_stdout, clippy::cast_precision_loss, clippy::cast_possible_truncation, missing_docs)]

mod archive;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One GET over a fresh connection: (response, milliseconds).
fn get(address: &str, path: &str) -> (String, f64) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    (String::from_utf8_lossy(&response).into_owned(), ms)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let sizes: Vec<usize> = std::env::var("CALLTRAIL_BENCH_SIZES")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    for &calls in &sizes {
        let db = archive::archive(calls);
        let conn = rusqlite::Connection::open(&db).unwrap();
        let (id, number): (String, String) = conn
            .query_row(
                "SELECT conversation_id, customer_number FROM calls WHERE transfers > 0 AND customer_number IS NOT NULL
                 ORDER BY start_ms LIMIT 1 OFFSET 1000",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        drop(conn);
        let mut child = Command::new(env!("CARGO_BIN_EXE_calltrail"))
            .arg("--db")
            .arg(&db)
            .args(["-q", "serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut base = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut base).unwrap();
        let pid = child.id();
        let _serving = Serving(child);
        let address = base.trim().trim_start_matches("http://").trim_end_matches('/').to_owned();
        let started = Instant::now();
        loop {
            let (status, _) = get(&address, "/api/status");
            if status.contains("\"state\":\"ready\"") {
                break;
            }
            assert!(!status.contains("\"error\":\""), "the report index failed to load: {status}");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let loaded = started.elapsed().as_secs_f64();
        let (status, _) = get(&address, "/api/status");
        let index_mib = status.split("\"bytes\":").nth(1).and_then(|t| t.split(',').next()).unwrap_or("0");
        let index_mib = index_mib.parse::<f64>().unwrap_or(0.0) / f64::from(1 << 20);
        println!(
            "\n{calls} calls: report index loaded {loaded:.2} s after start, {index_mib:.0} MiB; server RSS {} MiB",
            rss_kib(pid) / 1024
        );
        println!("(median of 5 requests; target 100 ms)");
        let pages = [
            ("calls list", "/".to_owned()),
            ("calls list, 20th page", String::new()),
            ("calls list, outcome filter", "/?outcome=abandoned_in_queue".to_owned()),
            ("calls list, number search", format!("/?number=%2B{}", number.trim_start_matches('+'))),
            ("search: a rare word", "/?q=Zzzz".to_owned()),
            ("search: a common word", "/?q=bill".to_owned()),
            ("search: common + outcome", "/?q=Billing&outcome=voicemail".to_owned()),
            ("search: an id's start", format!("/?q={}", &id[..8])),
            ("one call", format!("/calls/{id}")),
            ("sync status", "/status".to_owned()),
            ("glossary", "/fields".to_owned()),
            ("API: calls", "/api/calls".to_owned()),
            ("API: one call", format!("/api/calls/{id}")),
        ];
        for (label, path) in &pages {
            let path = if path.is_empty() {
                // Follow "older calls" 19 times to reach a deep page.
                let mut next = "/".to_owned();
                for _ in 0..19 {
                    let (body, _) = get(&address, &next);
                    let link =
                        body.split("class=\"next\" href=\"").nth(1).unwrap().split('"').next().unwrap();
                    next = link.replace("&amp;", "&");
                }
                next
            } else {
                path.clone()
            };
            let (response, first) = get(&address, &path);
            let status = response.lines().next().unwrap_or("");
            assert!(status.contains("200"), "{label}: {status}");
            let bytes = response.len();
            let times: Vec<f64> = (0..5).map(|_| get(&address, &path).1).collect();
            let m = median(times);
            println!(
                "  {label:<28} {m:>7.1} ms ({:.2}x of 100 ms; first request {first:.0} ms)  {:>5} KiB",
                m / 100.0,
                bytes / 1024
            );
        }
        // Reports: five filters never asked before (one day each of the archive's last
        // five, then the same with a second filter), each requested once, then the first again.
        println!("  reports and the IVR map: uncached (median of 5 new filters) / cached");
        let reports = [
            ("IVR map", "/ivr"),
            ("reports overview", "/reports"),
            ("report: outcomes", "/reports/outcomes"),
            ("report: reasons", "/reports/reasons"),
            ("report: phases", "/reports/phases"),
            ("report: queues", "/reports/queues"),
            ("report: wrap-ups", "/reports/wrapups"),
            ("report: abandons", "/reports/abandons"),
            ("report: agents", "/reports/agents"),
            ("API: reasons", "/api/reports/reasons"),
        ];
        let variants: [&dyn Fn(usize) -> String; 4] = [
            &|_| String::new(),
            &|i| format!("from=2025-11-{:02}", 10 + i),
            &|i| format!("from=2025-11-{:02}&to=2025-11-{:02}&direction=inbound", 1 + i, 20 + i),
            &|i| {
                format!(
                    "outcome={}",
                    ["answered", "abandoned_in_queue", "abandoned_in_ivr", "self_served", "voicemail"][i]
                )
            },
        ];
        for (label, route) in reports {
            for (v, variant) in variants.iter().enumerate() {
                let mut uncached = Vec::new();
                let mut source = String::new();
                let count = if v == 0 { 1 } else { 5 };
                let first_path = format!("{route}?{}", variant(0));
                for i in 0..count {
                    let path = format!("{route}?{}", variant(i));
                    let (response, ms) = get(&address, &path);
                    assert!(response.lines().next().unwrap_or("").contains("200"), "{path}");
                    if i == 0 {
                        source = timing(&response);
                    }
                    uncached.push(ms);
                }
                let cached = median((0..5).map(|_| get(&address, &first_path).1).collect());
                let what = ["all calls", "from a day", "range + direction", "outcome"][v];
                println!(
                    "  {label:<18} {what:<18} {:>7.1} ms ({:.2}x) / {cached:>5.1} ms  [{source}]",
                    median(uncached.clone()),
                    median(uncached) / 100.0
                );
            }
        }
        let (response, ms) =
            get(&address, &format!("/reports/reasons?number=%2B{}", number.trim_start_matches('+')));
        println!("  report: reasons, number search (archive) {ms:.1} ms  [{}]", timing(&response));
        println!("  server RSS after the reports: {} MiB", rss_kib(pid) / 1024);
    }
}

/// The `desc` of a response's `Server-Timing` header: where the report came from.
fn timing(response: &str) -> String {
    response
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("server-timing:"))
        .and_then(|l| l.split("desc=\"").nth(1))
        .map(|d| d.trim_end_matches('"').to_owned())
        .unwrap_or_default()
}

/// The resident memory of a process (KiB), from `/proc`.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
