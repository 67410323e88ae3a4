//! How fast `calltrail serve` answers on a large archive: each page requested over loopback
//! from the real server process, timed end to end (request to last byte), against the target
//! of 100 ms a page. Reports and the IVR map are computed on first request and then served
//! from memory until the archive changes; both times are shown.
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
        let _serving = Serving(child);
        let address = base.trim().trim_start_matches("http://").trim_end_matches('/').to_owned();
        println!("\n{calls} calls (median of 5 requests; target 100 ms)");
        let pages = [
            ("calls list", "/".to_owned()),
            ("calls list, 20th page", String::new()),
            ("calls list, outcome filter", "/?outcome=abandoned_in_queue".to_owned()),
            ("calls list, number search", format!("/?number=%2B{}", number.trim_start_matches('+'))),
            ("one call", format!("/calls/{id}")),
            ("sync status", "/status".to_owned()),
            ("glossary", "/fields".to_owned()),
            ("API: calls", "/api/calls".to_owned()),
            ("API: one call", format!("/api/calls/{id}")),
            ("IVR map", "/ivr".to_owned()),
            ("report: reasons", "/reports/reasons".to_owned()),
            ("report: phases", "/reports/phases".to_owned()),
            ("report: agents", "/reports/agents".to_owned()),
            ("IVR map, one week", "/ivr?from=2025-11-18&to=2025-11-25".to_owned()),
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
    }
}
