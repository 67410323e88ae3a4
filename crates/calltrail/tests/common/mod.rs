//! What the binary's tests share: child processes that end with the test, the first line a
//! server prints (its address), and a plain HTTP GET over loopback.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};

/// A child process killed (and reaped) when dropped, so a failing test leaves no server behind.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The first line a child writes to its (piped) stdout, trimmed: `calltrail sim` and
/// `calltrail serve` print their address there.
pub fn first_line(child: &mut std::process::Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout is piped")).read_line(&mut line).unwrap();
    line.trim().to_owned()
}

/// A GET over loopback with an optional bearer token; the whole response, headers included.
pub fn http_get(address: &str, path: &str, bearer: Option<&str>) -> String {
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let auth = bearer.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\n{auth}Connection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}
