//! `calltrail export`: the archive as a Parquet, CSV or NDJSON lake (see
//! `calltrail_store::export`), with a progress bar over the days written.

use calltrail_store::{ExportFormat, ExportOptions, ExportTable};
use indicatif::{ProgressBar, ProgressDrawTarget};

use crate::cli::{ExportArgs, ExportFormatArg, ExportTableArg, GlobalArgs};
use crate::commands::calls::{existing_archive, zone_of};
use crate::commands::sync::now_ms;
use crate::config::Config;
use crate::printer::Printer;
use crate::Status;

pub fn run(
    args: &ExportArgs,
    global: &GlobalArgs,
    config: &Config,
    printer: &Printer,
) -> anyhow::Result<Status> {
    let store = existing_archive(global, config)?;
    let format = match args.format {
        ExportFormatArg::Parquet => ExportFormat::Parquet,
        ExportFormatArg::Csv => ExportFormat::Csv,
        ExportFormatArg::Ndjson => ExportFormat::Ndjson,
    };
    let mut tables: Vec<ExportTable> = args
        .tables
        .iter()
        .map(|t| match t {
            ExportTableArg::Calls => ExportTable::Calls,
            ExportTableArg::Phases => ExportTable::Phases,
            ExportTableArg::AgentLegs => ExportTable::AgentLegs,
            ExportTableArg::QueueVisits => ExportTable::QueueVisits,
            ExportTableArg::IvrSteps => ExportTable::IvrSteps,
            ExportTableArg::Attributes => ExportTable::Attributes,
            ExportTableArg::Raw => ExportTable::Raw,
        })
        .collect();
    tables.sort();
    tables.dedup();
    let options = ExportOptions {
        dir: args.out.clone(),
        format,
        tables,
        zone: zone_of(args.tz.as_deref(), config)?,
        full: args.full,
        now_ms: now_ms(),
    };
    let bar = ProgressBar::with_draw_target(
        Some(0),
        if printer.progress_visible() { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() },
    );
    bar.set_style(calltrail_sync::bar_style("{prefix:>11} [{bar:30}] {pos}/{len} files ({rate}, eta {eta})"));
    bar.set_prefix("export");
    let started = std::time::Instant::now();
    let report = store.export(&options, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    let rows: Vec<String> = report.rows.iter().map(|(t, n)| format!("{} {n}", t.as_str())).collect();
    printer.say(&format!(
        "exported {} calls in {} day{} to {} as {} ({}; {} files; rows: {}) in {:.1}s",
        report.calls,
        report.days,
        if report.days == 1 { "" } else { "s" },
        options.dir.display(),
        format.as_str(),
        if report.incremental { "only days changed since the last export" } else { "full" },
        report.files,
        rows.join(", "),
        started.elapsed().as_secs_f64(),
    ));
    Ok(Status::Success)
}
