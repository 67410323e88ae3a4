//! Proxies as an office network sets them: Genesys Cloud is reached through the proxy that
//! `HTTPS_PROXY` names, errors say so (without the proxy's credentials), and the simulator on
//! loopback is never sent to a proxy, which could not reach it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

/// A proxy that refuses every request with 502 and keeps the first line of each.
struct RefusingProxy {
    url: String,
    address: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl RefusingProxy {
    fn start() -> RefusingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                seen.lock().unwrap().push(head.lines().next().unwrap_or_default().to_owned());
                let _ = stream
                    .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            }
        });
        RefusingProxy { url: format!("http://office:hunter2@{address}"), address, requests }
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn calltrail(proxy: &RefusingProxy, dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_calltrail"));
    cmd.current_dir(dir).env_remove("CALLTRAIL_CONFIG").env_remove("NO_PROXY").env_remove("no_proxy");
    for name in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"] {
        cmd.env(name, &proxy.url);
    }
    cmd
}

#[test]
fn the_demo_reaches_its_simulator_directly_whatever_proxy_is_set() {
    let proxy = RefusingProxy::start();
    let dir = tempfile::tempdir().unwrap();
    let out = calltrail(&proxy, dir.path())
        .args(["--no-progress", "--db", "demo.db", "demo", "--calls", "60", "--days", "1", "--seed", "3"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("60 calls in the archive"));
    assert!(stderr.contains("over 1 day (seed 3)"), "{stderr}");
    assert_eq!(proxy.requests(), Vec::<String>::new());
}

#[test]
fn genesys_cloud_is_reached_through_the_proxy_and_errors_name_it() {
    let proxy = RefusingProxy::start();
    let dir = tempfile::tempdir().unwrap();
    let mut child = calltrail(&proxy, dir.path())
        .args([
            "-v",
            "--no-progress",
            "--db",
            "sync.db",
            "sync",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-02",
        ])
        .env("GENESYSCLOUD_REGION", "eu-west-1")
        .env("GENESYSCLOUD_OAUTHCLIENT_ID", "calltrail-proxy-test")
        .env("GENESYSCLOUD_OAUTHCLIENT_SECRET", "the-client-secret")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The first refused attempt is reported before its retry; the test stops the sync there.
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    let mut report = None;
    for line in stderr.lines() {
        let line = line.unwrap();
        seen.push(line.clone());
        if line.contains("cannot reach the login service") {
            report = Some(line);
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let report = report.unwrap_or_else(|| panic!("no report of the refused login in\n{}", seen.join("\n")));
    assert!(report.contains(&format!("through the proxy at {}", proxy.address)), "{report}");
    assert!(report.contains("https://login.mypurecloud.ie/oauth/token"), "{report}");
    for secret in ["hunter2", "office:", "the-client-secret"] {
        assert!(!seen.join("\n").contains(secret), "{secret} shown in\n{}", seen.join("\n"));
    }
    // The proxy was asked for a tunnel to the region's login service; the credentials travel
    // inside it, never to the proxy.
    let requests = proxy.requests();
    assert_eq!(requests.first().map(String::as_str), Some("CONNECT login.mypurecloud.ie:443 HTTP/1.1"));
}
