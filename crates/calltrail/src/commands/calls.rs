//! `calltrail calls`: the archived calls, filtered, as a table, CSV, JSON or NDJSON; the
//! filter flags shared with `report` and `export`; and the short summary report `demo` prints.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use calltrail_explain::report::{csv_cell, render_table, GroupBy, ReportKind, ReportOptions};
use calltrail_model::Zone;
use calltrail_store::{CallFilter, Store};
use rusqlite::types::Value as SqlValue;

use crate::cli::{CallsArgs, FilterArgs, GlobalArgs, TableFormat};
use crate::commands::sync::{now_ms, TIME_HINT};
use crate::config::Config;
use crate::printer::Printer;
use crate::{Status, UsageError};

const COLUMNS: &[&str] = &[
    "conversation_id",
    "start",
    "direction_label",
    "media_type",
    "customer_number",
    "queue_name",
    "answered_by_name",
    "reason",
    "outcome",
    "duration_ms",
    "handle_ms",
    "wrapup_code_name",
    "disconnect_by",
];

/// Opens an archive that must already exist (reports and listings never create one).
pub fn existing_archive(global: &GlobalArgs, config: &Config) -> anyhow::Result<Store> {
    let path = config.db_path(global.db.as_deref());
    if !path.exists() {
        return Err(UsageError(format!(
            "no archive at `{}`\n\nhint: run `calltrail sync` or `calltrail demo` first",
            path.display()
        ))
        .into());
    }
    announce_upgrade(&path, &Printer::new(global));
    match Store::open(&path) {
        // An archive this user may not write can still be read.
        Err(calltrail_store::StoreError::ReadOnly(_)) => Ok(Store::open_read_only(&path)?),
        other => Ok(other?),
    }
}

/// Says so before an archive from an earlier version is upgraded, which takes a while on a
/// large one.
pub fn announce_upgrade(path: &Path, printer: &Printer) {
    let pending = Store::pending_upgrades(path);
    if pending.is_empty() {
        return;
    }
    printer.say(&format!(
        "upgrading the archive `{}` to this version of calltrail (once; up to half a minute per million calls)",
        path.display()
    ));
    for note in pending.into_iter().flatten() {
        printer.say(&format!("note: {note}"));
    }
}

/// The zone of `--tz`, else of `tz` in the configuration, else UTC.
pub fn zone_of(flag: Option<&str>, config: &Config) -> Result<Zone, UsageError> {
    Zone::named(config.tz(flag)).map_err(|e| UsageError(e.to_string()))
}

/// Reads a time in `zone`: a date or `today` is its local midnight (see [`Zone::instant`]).
fn time_in(text: &str, zone: &Zone) -> Result<i64, UsageError> {
    zone.instant(text, now_ms()).ok_or_else(|| UsageError(format!("`{text}` is not a time\n\n{TIME_HINT}")))
}

/// The archive filter of the shared filter flags, and the zone they were read in.
pub fn filter_of(args: &FilterArgs, config: &Config) -> Result<(CallFilter, Zone), UsageError> {
    let zone = zone_of(args.tz.as_deref(), config)?;
    let filter = CallFilter {
        from_ms: args.from.as_deref().map(|t| time_in(t, &zone)).transpose()?,
        to_ms: args.to.as_deref().map(|t| time_in(t, &zone)).transpose()?,
        direction: args.direction.clone(),
        media: args.media.clone(),
        queue: args.queue.clone(),
        agent: args.agent.clone(),
        wrapup: args.wrapup.clone(),
        number: args.number.clone(),
        outcome: args.outcome.as_deref().map(str::to_ascii_lowercase),
        reason: args.reason.clone(),
        attribute: args.attribute.clone(),
        text: None,
    };
    if let (true, Some(from), Some(to)) = (filter.range_is_empty(), filter.from_ms, filter.to_ms) {
        let hint = if to == from {
            "\n\nhint: --to is where the range stops, not included; for one whole day give the next day as --to"
        } else {
            ""
        };
        return Err(UsageError(format!(
            "--to ({}) must be after --from ({}){hint}",
            local_time(to, &zone),
            local_time(from, &zone)
        )));
    }
    Ok((filter, zone))
}

/// Spells the names the filter gives as the archive does (see [`Store::spell_names`]) and
/// warns of those it does not know.
pub fn spell_names(store: &Store, filter: &mut CallFilter, printer: &Printer) -> anyhow::Result<()> {
    for unknown in store.spell_names(filter)? {
        printer.warn(&unknown.to_string());
    }
    Ok(())
}

/// The format asked for, or the default: a table for people, NDJSON for programs.
pub fn format_or_default(format: Option<TableFormat>) -> TableFormat {
    format.unwrap_or(if Printer::stdout_is_terminal() { TableFormat::Table } else { TableFormat::Ndjson })
}

pub fn run(
    args: &CallsArgs,
    global: &GlobalArgs,
    config: &Config,
    printer: &Printer,
) -> anyhow::Result<Status> {
    let store = existing_archive(global, config)?;
    let (mut filter, zone) = filter_of(&args.filter, config)?;
    spell_names(&store, &mut filter, printer)?;
    let (clause, params) = filter.to_sql();
    let sql = format!(
        "SELECT c.conversation_id, c.start_ms, c.direction_label, c.media_type, c.customer_number, c.queue_name,
                c.answered_by_name, c.reason, c.outcome, c.duration_ms, c.handle_ms, c.wrapup_code_name, c.disconnect_by,
                r.record_json
         FROM calls c JOIN call_records r ON r.conversation_id = c.conversation_id WHERE {clause} ORDER BY c.start_ms, c.conversation_id LIMIT {}",
        args.limit
    );
    let mut stmt = store.connection().prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(params.iter()), |r| {
        let mut cells = Vec::with_capacity(COLUMNS.len());
        for i in 0..COLUMNS.len() {
            let v: SqlValue = r.get(i)?;
            cells.push(v);
        }
        let json: String = r.get(COLUMNS.len())?;
        Ok((cells, json))
    })?;
    let format = format_or_default(args.format);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut table: Vec<Vec<String>> = Vec::new();
    let mut first = true;
    let mut listed = 0usize;
    if format == TableFormat::Csv {
        writeln!(out, "{}", COLUMNS.join(","))?;
    }
    if format == TableFormat::Json {
        out.write_all(b"[")?;
    }
    for row in rows {
        let (cells, json) = row?;
        let texts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, v)| match (COLUMNS[i], v) {
                ("start", SqlValue::Integer(ms)) if format == TableFormat::Table => local_time(*ms, &zone),
                ("start", SqlValue::Integer(ms)) => calltrail_model::Timestamp(*ms).to_rfc3339(),
                (column, SqlValue::Integer(ms))
                    if format == TableFormat::Table && column.ends_with("_ms") =>
                {
                    calltrail_explain::story::duration(*ms)
                }
                (_, SqlValue::Integer(n)) => n.to_string(),
                (_, SqlValue::Text(t)) => t.clone(),
                (_, SqlValue::Real(f)) => f.to_string(),
                _ => String::new(),
            })
            .collect();
        match format {
            TableFormat::Ndjson => writeln!(out, "{json}")?,
            TableFormat::Json => {
                if !first {
                    out.write_all(b",")?;
                }
                out.write_all(b"\n")?;
                out.write_all(json.as_bytes())?;
            }
            TableFormat::Csv => {
                writeln!(out, "{}", texts.iter().map(|t| csv_cell(t)).collect::<Vec<_>>().join(","))?;
            }
            TableFormat::Table => table.push(texts),
        }
        first = false;
        listed += 1;
    }
    match format {
        TableFormat::Json => out.write_all(if first { b"]\n" } else { b"\n]\n" })?,
        TableFormat::Table if table.is_empty() => {}
        TableFormat::Table => {
            let durations_right: Vec<bool> = COLUMNS.iter().map(|c| c.ends_with("_ms")).collect();
            // Durations are written readable here, so `duration_ms` is headed `duration`.
            let headings: Vec<&str> = COLUMNS.iter().map(|c| c.strip_suffix("_ms").unwrap_or(c)).collect();
            write!(out, "{}", render_table(&headings, &table, &durations_right))?;
        }
        _ => {}
    }
    out.flush()?;
    if listed == 0 {
        // Said in every format, on stderr: an empty file should not leave anyone guessing.
        printer.say(&no_calls_match(&store, &zone)?);
    } else if listed == args.limit {
        printer.say(&if listed == 1 {
            "the first call that matches; --limit lists more".to_owned()
        } else {
            format!("the first {listed} calls that match; --limit lists more")
        });
    }
    Ok(Status::Success)
}

/// What to say when no call matches a filter: when the archive's calls are.
pub fn no_calls_match(store: &Store, zone: &Zone) -> anyhow::Result<String> {
    let (calls, first, last) = store.call_span()?;
    Ok(match (first, last) {
        (Some(first), Some(last)) => format!(
            "no calls match; the archive's {calls} calls started from {} to {} ({})",
            local_time(first, zone),
            local_time(last, zone),
            zone.name()
        ),
        _ => "no calls match; the archive holds no calls".to_owned(),
    })
}

/// `YYYY-MM-DD HH:MM` in the zone, for people reading a table.
pub fn local_time(ms: i64, zone: &Zone) -> String {
    zone.minute(ms).unwrap_or_else(|| calltrail_model::Timestamp(ms).to_rfc3339())
}

fn query_pairs(store: &Store, sql: &str) -> anyhow::Result<Vec<(String, i64)>> {
    let mut stmt = store.connection().prepare(sql)?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, Option<String>>(0)?.unwrap_or_else(|| "(none)".into()), r.get(1)?))
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The short report `demo` prints: what the archive says about the calls in it.
pub fn summary_report(store: &Store) -> anyhow::Result<String> {
    let mut out = String::new();
    let total: i64 = store.connection().query_row("SELECT count(*) FROM calls", [], |r| r.get(0))?;
    let _ = writeln!(out, "\n{total} calls in the archive\n");
    if total == 0 {
        return Ok(out);
    }
    // A section with nothing in it (no wrap-ups, no inbound calls) is left out.
    let section = |title: &str, rows: Vec<(String, i64)>, out: &mut String| {
        if rows.is_empty() {
            return;
        }
        let _ = writeln!(out, "{title}");
        for (name, n) in rows {
            #[allow(clippy::cast_precision_loss)]
            let share = if total > 0 { n as f64 * 100.0 / total as f64 } else { 0.0 };
            let _ = writeln!(out, "  {name:<32} {n:>7}  {share:>5.1}%");
        }
        out.push('\n');
    };
    section(
        "Direction",
        query_pairs(store, "SELECT direction_label, count(*) FROM calls GROUP BY 1 ORDER BY 2 DESC")?,
        &mut out,
    );
    section(
        "Outcome",
        query_pairs(store, "SELECT outcome, count(*) FROM calls GROUP BY 1 ORDER BY 2 DESC")?,
        &mut out,
    );
    section(
        "Why customers called (top 8)",
        query_pairs(store, "SELECT reason, count(*) FROM calls WHERE direction = 'inbound' AND reason IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 8")?,
        &mut out,
    );
    section(
        "Wrap-ups (top 8)",
        query_pairs(store, "SELECT wrapup_code_name, count(*) FROM calls WHERE wrapup_code_name IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 8")?,
        &mut out,
    );
    // How often a customer came back within the week: a first view of first-contact resolution.
    let repeats = store.report(
        ReportKind::Repeats,
        &CallFilter::default(),
        &ReportOptions { group_by: ReportKind::Repeats.default_group_by(), ..ReportOptions::default() },
    )?;
    let rows = repeats.to_json_rows();
    let sum = |key: &str| rows.iter().filter_map(|r| r[key].as_u64()).sum::<u64>();
    let (calls, again) = (sum("calls"), sum("contacted_again"));
    if calls > 0 {
        #[allow(clippy::cast_precision_loss)]
        let share = again as f64 * 100.0 / calls as f64;
        let _ = writeln!(
            out,
            "Contacted again within 7 days: {again} of {calls} inbound calls from identified customers ({share:.1}%; `report repeats`)\n"
        );
    }
    // The queues report over voice waits: an e-mail or a callback waits hours in a queue, and
    // would swamp the calls' waits.
    let voice = CallFilter { media: Some("voice".into()), ..CallFilter::default() };
    let options = ReportOptions {
        group_by: GroupBy { queue: true, day: false, hour: false },
        ..ReportOptions::default()
    };
    let table = store.report(ReportKind::Queues, &voice, &options)?;
    let mut rows = table.to_json_rows();
    if rows.is_empty() {
        return Ok(out);
    }
    let _ = writeln!(
        out,
        "Per queue (voice)              offered  answered  abandoned  service level  goal  avg answer  avg handle"
    );
    rows.sort_by_key(|r| std::cmp::Reverse(r["offered"].as_u64()));
    for r in rows {
        let text = |key: &str| r[key].as_str().unwrap_or("").to_owned();
        let count = |key: &str| r[key].as_u64().unwrap_or(0);
        let time =
            |key: &str| r[key].as_i64().map_or_else(|| "-".to_owned(), calltrail_explain::story::duration);
        // The share answered within the queue's own target, and the target.
        let level = match (r["service_level"].as_f64(), r["target_ms"].as_i64()) {
            (Some(l), Some(t)) => format!("{:.0}% in {}", l * 100.0, calltrail_explain::story::duration(t)),
            (Some(l), None) => format!("{:.0}%", l * 100.0),
            _ => "-".to_owned(),
        };
        // What the queue aims for: that share within the target.
        let goal =
            r["service_level_goal"].as_f64().map_or_else(|| "-".to_owned(), |g| format!("{:.0}%", g * 100.0));
        let _ = writeln!(
            out,
            "  {:<28} {:>7}  {:>8}  {:>9}  {level:>13}  {goal:>4}  {:>10}  {:>10}",
            text("queue"),
            count("offered"),
            count("answered"),
            count("abandoned"),
            time("avg_speed_of_answer_ms"),
            time("avg_handle_ms"),
        );
    }
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::summary_report;
    use calltrail_store::Store;

    #[test]
    fn the_summary_of_an_empty_archive_is_one_line_not_empty_headings() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(summary_report(&store).unwrap(), "\n0 calls in the archive\n\n");
    }
}
