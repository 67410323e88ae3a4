//! `calltrail demo`: the whole job against the embedded simulator — start it, sync a week of
//! calls into an archive exactly as from Genesys Cloud, and report on them. No account and no
//! network: everything runs on loopback inside this process.

use std::io::Write;

use anyhow::Context as _;
use calltrail_client::plan::Mode;
use calltrail_client::{Credentials, Endpoints, Http, RequestConfig, Secret};
use calltrail_explain::{IvrSettings, ReasonSettings};
use calltrail_sim::{Clock, Sim, SimConfig};

use crate::cli::{DemoArgs, GlobalArgs};
use crate::commands::sync::{now_ms, open_store, summary, Deriving};
use crate::config::Config;
use crate::printer::Printer;
use crate::Status;
use calltrail_sync::{AttributesMode, Progress, SyncOptions};

const DAY: i64 = 86_400_000;

pub fn run(
    args: &DemoArgs,
    global: &GlobalArgs,
    config: &Config,
    printer: &Printer,
) -> anyhow::Result<Status> {
    // Never the configured archive: the demo's calls are made up.
    let path = global.db.clone().unwrap_or_else(|| "calltrail-demo.db".into());
    if global.db.is_none() {
        // The default demo archive is the demo's own: start it afresh.
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
    // The simulator's participant data: why customers call, and the IVR checkpoints.
    let mut config = config.clone();
    if config.reason.attributes.is_empty() {
        config.reason = ReasonSettings { attributes: vec!["Final Main Intent".into(), "MainIntent1".into()] };
    }
    if config.ivr.checkpoints.is_empty() {
        config.ivr = IvrSettings { checkpoints: vec!["MainIntent1".into(), "SubIntent1".into()] };
    }
    let mut store = open_store(&path, &config, printer, Deriving::NewCalls)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    let report = runtime.block_on(async {
        let sim = Sim::new(
            SimConfig {
                calls: args.data.calls,
                days: args.data.days,
                seed: args.data.seed,
                availability_lag_ms: 0,
                job_delay_ms: 300,
                ..SimConfig::default()
            },
            Clock::system(),
        );
        let listener =
            tokio::net::TcpListener::bind("127.0.0.1:0").await.context("cannot listen on loopback")?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(calltrail_sim::serve(listener, sim.clone(), async move {
            let _ = stopped.await;
        }));
        printer.say(&format!(
            "simulated contact centre on {base}: {} conversations over {} (seed {})",
            sim.calls().len(),
            crate::printer::count(u64::from(args.data.days), "day"),
            args.data.seed
        ));
        let http = Http::new(
            Endpoints { api: base.clone(), login: base },
            Credentials::Client { id: "calltrail-demo".into(), secret: Secret::new("demo") },
            RequestConfig::default(),
        )?;
        let now = now_ms();
        let options = SyncOptions {
            from: now.div_euclid(DAY) * DAY - i64::from(args.data.days) * DAY,
            to: now,
            mode: Mode::Auto,
            attributes: AttributesMode::Auto,
            lookback_ms: 0,
            resume: false,
            settings_need_attributes: true,
            conversations_retention_ms: 60 * DAY,
            jobs_at_once: calltrail_sync::JOBS_AT_ONCE,
            now_ms: now,
        };
        let progress = Progress::new(printer.progress_visible());
        let report = calltrail_sync::run(&http, &mut store, &options, &progress).await;
        let _ = stop.send(());
        let _ = server.await;
        anyhow::Ok(report?)
    })?;
    printer.say(&summary(&report));
    printer.say(&format!("archive: {}", path.display()));
    if !args.serve {
        printer.say(&format!(
            "next: `calltrail --db {0} report ivr`, `calltrail --db {0} report queues --by day,hour`, `calltrail --db {0} export --out lake/`, or see it in a browser with `calltrail --db {0} serve`",
            path.display()
        ));
    }
    let text = crate::commands::calls::summary_report(&store)?;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    drop(out);
    if args.serve {
        drop(store);
        crate::commands::serve::serve_archive(&path, &args.listen, None, None, printer)?;
    }
    Ok(if report.failed.is_empty() { Status::Success } else { Status::Failure })
}
