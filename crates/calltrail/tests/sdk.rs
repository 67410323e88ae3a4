//! The official Genesys Cloud Python SDK (`PureCloudPlatformClientV2`), pointed at
//! `calltrail sim` on loopback, authenticates, pages a details query, runs a jobs round trip,
//! gets conversations and lists users, deserialising everything into its own models.
//!
//! Needs a Python with the SDK: `.ci/run` installs one in a virtual environment and sets
//! `CALLTRAIL_SDK_PYTHON` (and `CALLTRAIL_REQUIRE_SDK`, so that CI cannot skip this).
#![allow(clippy::print_stderr)]

mod common;

use common::{first_line, KillOnDrop};

use std::path::PathBuf;
use std::process::{Command, Stdio};

#[test]
fn official_python_sdk_against_the_simulator() {
    let Some(python) = std::env::var_os("CALLTRAIL_SDK_PYTHON") else {
        assert!(std::env::var_os("CALLTRAIL_REQUIRE_SDK").is_none(), "CALLTRAIL_SDK_PYTHON is not set");
        eprintln!(
            "skipped: set CALLTRAIL_SDK_PYTHON to a Python with PureCloudPlatformClientV2 (.ci/run does)"
        );
        return;
    };
    let mut sim = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_calltrail"))
            .args([
                "-q",
                "sim",
                "--listen",
                "127.0.0.1:0",
                "--calls",
                "800",
                "--days",
                "3",
                "--job-delay-ms",
                "300",
            ])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let address = first_line(&mut sim.0);
    let address = address.as_str();
    assert!(address.starts_with("http://127.0.0.1:"), "{address}");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/genesys_sdk_check.py");
    let out = Command::new(python).arg(script).arg(address).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the SDK check failed:\n{stdout}\n{stderr}");
    eprintln!("{stdout}");
    assert!(stdout.contains("job") && stdout.contains("users"));
}
