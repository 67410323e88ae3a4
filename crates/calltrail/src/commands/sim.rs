//! `calltrail sim`: the Genesys Cloud simulator as a server, or its records on stdout.

use std::io::{self, BufWriter, Write};
use std::sync::Arc;

use anyhow::Context as _;
use calltrail_sim::scenario::Scenario;
use calltrail_sim::{Clock, FaultProfile, Sim, SimConfig, Spec};
use serde_json::json;

use crate::cli::{GenerateFormat, SimArgs, SimCommand, SimGenerateArgs, SimServeArgs};
use crate::printer::Printer;
use crate::{Status, UsageError};

pub fn run(args: &SimArgs, printer: &Printer) -> anyhow::Result<Status> {
    match &args.command {
        Some(SimCommand::Generate(g)) => generate(g),
        Some(SimCommand::Scenarios) => scenarios(),
        None => serve(&args.serve, printer),
    }
}

fn now_ms() -> i64 {
    Clock::system().now_ms()
}

fn scenarios() -> anyhow::Result<Status> {
    let mut out = BufWriter::new(io::stdout().lock());
    let total: u32 = Scenario::ALL.iter().map(|(_, w)| w).sum();
    for (scenario, weight) in Scenario::ALL {
        writeln!(
            out,
            "{:<30} {:>5.1}%  {}",
            scenario.name(),
            f64::from(weight) * 100.0 / f64::from(total),
            scenario.recognisable_by()
        )?;
    }
    out.flush()?;
    Ok(Status::Success)
}

fn generate(args: &SimGenerateArgs) -> anyhow::Result<Status> {
    let now = now_ms();
    let spec = Spec::at(args.data.calls, args.data.days, args.data.seed, now);
    let (org, calls) = calltrail_sim::generate(&spec);
    if let Some(path) = &args.lookups {
        std::fs::write(path, serde_json::to_vec_pretty(&org.lookups_json())?)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    let mut truth = match &args.truth {
        Some(path) => Some(BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("cannot write `{}`", path.display()))?,
        )),
        None => None,
    };
    let mut out = BufWriter::with_capacity(1 << 20, io::stdout().lock());
    let views: Vec<_> = calls.iter().filter_map(|c| c.view_at(now).map(|v| (c, v))).collect();
    match args.format {
        GenerateFormat::Ndjson => {
            for (_, record) in &views {
                serde_json::to_writer(&mut out, record)?;
                out.write_all(b"\n")?;
            }
        }
        GenerateFormat::Query => {
            let total = views.len();
            for page in views.chunks(100) {
                let mut records: Vec<_> = page.iter().map(|(_, r)| r.clone()).collect();
                for r in &mut records {
                    for p in r.participants.iter_mut().flatten() {
                        p.attributes = None;
                    }
                }
                serde_json::to_writer(&mut out, &json!({"conversations": records, "totalHits": total}))?;
                out.write_all(b"\n")?;
            }
        }
        GenerateFormat::Jobs => {
            let pages: Vec<_> = views.chunks(1000).collect();
            let availability = calltrail_model::Timestamp(now).to_rfc3339();
            for (i, page) in pages.iter().enumerate() {
                let records: Vec<_> = page.iter().map(|(_, r)| r).collect();
                let mut body = json!({"conversations": records, "dataAvailabilityDate": availability});
                if i + 1 < pages.len() {
                    body["cursor"] = json!(format!("page-{}", i + 1));
                }
                serde_json::to_writer(&mut out, &body)?;
                out.write_all(b"\n")?;
            }
        }
    }
    out.flush()?;
    if let Some(truth) = &mut truth {
        for (planned, _) in &views {
            serde_json::to_writer(&mut *truth, &planned.truth_at(now))?;
            truth.write_all(b"\n")?;
        }
        truth.flush()?;
    }
    Ok(Status::Success)
}

fn serve(args: &SimServeArgs, printer: &Printer) -> anyhow::Result<Status> {
    let faults = FaultProfile::parse(&args.faults).ok_or_else(|| {
        UsageError(format!("unknown fault profile `{}`\n\nhint: use none, flaky or hostile", args.faults))
    })?;
    let client = match &args.client {
        Some(pair) => Some(
            pair.split_once(':')
                .filter(|(id, secret)| !id.is_empty() && !secret.is_empty())
                .map(|(id, secret)| (id.to_owned(), secret.to_owned()))
                .ok_or_else(|| UsageError("--client takes `ID:SECRET`".into()))?,
        ),
        None => None,
    };
    let config = SimConfig {
        calls: args.data.calls,
        days: args.data.days,
        seed: args.data.seed,
        faults,
        rate_limit: args.rate_limit,
        client,
        retention_days: args.retention_days,
        denied_permissions: args.deny.clone(),
        job_delay_ms: args.job_delay_ms.max(0),
        ..SimConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .map_err(|e| UsageError(format!("cannot listen on `{}`: {e}", args.listen)))?;
        let address = listener.local_addr()?;
        let sim: Arc<Sim> = Sim::new(config, Clock::system());
        // The address goes to stdout so that scripts can read it; the rest is commentary.
        let mut stdout = io::stdout().lock();
        writeln!(stdout, "http://{address}")?;
        stdout.flush()?;
        drop(stdout);
        printer.info(&format!(
            "{} conversations over {}, seed {}",
            sim.calls().len(),
            crate::printer::count(u64::from(args.data.days), "day"),
            args.data.seed
        ));
        printer.say(&format!(
            "Genesys Cloud simulator on http://{address} ({} conversations); press Ctrl-C to stop",
            sim.calls().len()
        ));
        calltrail_sim::serve(listener, sim, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("the simulator stopped")?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(Status::Success)
}
