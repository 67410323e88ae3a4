//! `calltrail report NAME`: one of the reports of `calltrail_explain::report`, folded over
//! the archived calls the filters select, printed as a table, CSV, JSON or NDJSON.

use std::io::Write;

use calltrail_explain::report::{GroupBy, ReportKind, ReportOptions};

use crate::cli::{GlobalArgs, GroupName, ReportArgs, ReportName, TableFormat};
use crate::commands::calls::{existing_archive, filter_of, format_or_default, no_calls_match, spell_names};
use crate::commands::sync::parse_duration;
use crate::config::Config;
use crate::printer::Printer;
use crate::Status;

/// The report kind of a command-line name.
fn kind_of(name: ReportName) -> ReportKind {
    match name {
        ReportName::Ivr => ReportKind::Ivr,
        ReportName::Outcomes => ReportKind::Outcomes,
        ReportName::Reasons => ReportKind::Reasons,
        ReportName::Phases => ReportKind::Phases,
        ReportName::Queues => ReportKind::Queues,
        ReportName::Wrapups => ReportKind::Wrapups,
        ReportName::Abandons => ReportKind::Abandons,
        ReportName::Agents => ReportKind::Agents,
        ReportName::Repeats => ReportKind::Repeats,
    }
}

pub fn run(
    args: &ReportArgs,
    global: &GlobalArgs,
    config: &Config,
    printer: &Printer,
) -> anyhow::Result<Status> {
    let store = existing_archive(global, config)?;
    let (mut filter, zone) = filter_of(&args.filter, config)?;
    spell_names(&store, &mut filter, printer)?;
    let kind = kind_of(args.name);
    let options = ReportOptions {
        zone,
        group_by: args.by.as_ref().map_or_else(
            || kind.default_group_by(),
            |by| GroupBy {
                queue: by.contains(&GroupName::Queue),
                day: by.contains(&GroupName::Day),
                hour: by.contains(&GroupName::Hour),
            },
        ),
        short_abandon_ms: Some(parse_duration(&args.short)?),
        service_target_ms: args.target.as_deref().map(parse_duration).transpose()?,
        repeat_within_ms: Some(parse_duration(&args.within)?),
    };
    let table = store.report(kind, &filter, &options)?;
    let format = format_or_default(args.format);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match format {
        TableFormat::Table => {
            printer.say(&format!("{} ({})", kind.title(), options.zone.name()));
            if !table.rows.is_empty() {
                out.write_all(table.to_text().as_bytes())?;
            }
        }
        TableFormat::Csv => out.write_all(table.to_csv().as_bytes())?,
        TableFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &table.to_json_rows())?;
            out.write_all(b"\n")?;
        }
        TableFormat::Ndjson => {
            for row in table.to_json_rows() {
                serde_json::to_writer(&mut out, &row)?;
                out.write_all(b"\n")?;
            }
        }
    }
    out.flush()?;
    if table.rows.is_empty() {
        printer.say(&no_calls_match(&store, &options.zone)?);
    }
    Ok(Status::Success)
}
