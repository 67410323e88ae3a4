//! `calltrail serve`: the web UI (`calltrail_web`) over an archive, with the binding rule —
//! loopback by default, any other address only with a token.

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context as _;

use crate::cli::{GlobalArgs, ServeArgs};
use crate::commands::calls::{existing_archive, zone_of};
use crate::config::Config;
use crate::printer::Printer;
use crate::{Status, UsageError};

pub fn run(
    args: &ServeArgs,
    global: &GlobalArgs,
    config: &Config,
    printer: &Printer,
) -> anyhow::Result<Status> {
    // Checked (and upgraded, if an older calltrail wrote it) before serving it read-only.
    drop(existing_archive(global, config)?);
    let zone = zone_of(args.tz.as_deref(), config)?;
    serve_archive(
        &config.db_path(global.db.as_deref()),
        &args.listen,
        args.token.clone(),
        Some(zone.name().to_owned()),
        printer,
    )?;
    Ok(Status::Success)
}

/// Serves `path` on `listen` until Ctrl-C, its pages in `zone` unless they name another;
/// refuses a non-loopback address without a token.
pub fn serve_archive(
    path: &Path,
    listen: &str,
    token: Option<String>,
    zone: Option<String>,
    printer: &Printer,
) -> anyhow::Result<()> {
    let address: SocketAddr = listen.parse().map_err(|_| {
        UsageError(format!("`{listen}` is not an address\n\nhint: use IP:PORT, such as 127.0.0.1:8080"))
    })?;
    let token = token.filter(|t| !t.is_empty());
    if !calltrail_web::is_loopback(&address) && token.is_none() {
        return Err(UsageError(format!(
            "refusing to serve the archive on {address} without a token: anyone who can reach it could read every call\n\n\
             hint: add --token TOKEN (or set CALLTRAIL_TOKEN), or listen on 127.0.0.1"
        ))
        .into());
    }
    let state = calltrail_web::AppState::open(path, token.clone(), zone)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| UsageError(format!("cannot listen on `{address}`: {e}")))?;
        let bound = listener.local_addr()?;
        // The address goes to stdout so scripts can read it; the rest is commentary.
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "http://{bound}/")?;
        stdout.flush()?;
        drop(stdout);
        printer.say(&format!(
            "calltrail web UI on http://{bound}/ over {}{}; press Ctrl-C to stop",
            path.display(),
            if token.is_some() { " (token required)" } else { "" }
        ));
        calltrail_web::serve(listener, state, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("the web server stopped")?;
        Ok::<_, anyhow::Error>(())
    })
}
