//! `calltrail calls`: the archived calls, filtered, as a table, CSV, JSON or NDJSON; and the
//! short summary report `demo` prints.

use std::fmt::Write as _;
use std::io::Write;

use calltrail_store::Store;
use rusqlite::types::Value as SqlValue;

use crate::cli::{CallsArgs, GlobalArgs, TableFormat};
use crate::commands::sync::{db_path, parse_time};
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

pub fn run(args: &CallsArgs, global: &GlobalArgs, _printer: &Printer) -> anyhow::Result<Status> {
    let path = db_path(global, "calltrail.db");
    if !path.exists() {
        return Err(UsageError(format!(
            "no archive at `{}`\n\nhint: run `calltrail sync` or `calltrail demo` first",
            path.display()
        ))
        .into());
    }
    let store = Store::open(&path)?;
    let mut sql = String::from(
        "SELECT conversation_id, start_ms, direction_label, media_type, customer_number, queue_name, answered_by_name,
                reason, outcome, duration_ms, handle_ms, wrapup_code_name, disconnect_by, record_json FROM calls WHERE 1 = 1",
    );
    let mut params: Vec<SqlValue> = Vec::new();
    let mut filter = |clause: &str, value: SqlValue| {
        let _ = write!(sql, " AND {}", clause.replace('?', &format!("?{}", params.len() + 1)));
        params.push(value);
    };
    if let Some(t) = &args.from {
        filter("start_ms >= ?", SqlValue::Integer(parse_time(t)?));
    }
    if let Some(t) = &args.to {
        filter("start_ms < ?", SqlValue::Integer(parse_time(t)?));
    }
    if let Some(v) = &args.direction {
        filter("direction = ?", SqlValue::Text(v.to_lowercase()));
    }
    if let Some(v) = &args.queue {
        filter("(queue_id = ? OR queue_name = ?)", SqlValue::Text(v.clone()));
    }
    if let Some(v) = &args.agent {
        filter("(answered_by_user_id = ? OR answered_by_name = ?)", SqlValue::Text(v.clone()));
    }
    if let Some(v) = &args.wrapup {
        filter("(wrapup_code_id = ? OR wrapup_code_name = ?)", SqlValue::Text(v.clone()));
    }
    if let Some(v) = &args.number {
        filter("instr(customer_number, ?) > 0", SqlValue::Text(v.trim_start_matches("tel:").to_owned()));
    }
    if let Some(v) = &args.outcome {
        filter("outcome = ?", SqlValue::Text(v.clone()));
    }
    if let Some(v) = &args.reason {
        filter("reason = ?", SqlValue::Text(v.clone()));
    }
    let _ = write!(sql, " ORDER BY start_ms, conversation_id LIMIT {}", args.limit);
    // A parameter used twice in a clause (`queue_id = ?n OR queue_name = ?n`) is one value.
    let conn = store.connection();
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(params.iter()), |r| {
        let mut cells = Vec::with_capacity(COLUMNS.len());
        for i in 0..COLUMNS.len() {
            let v: SqlValue = r.get(i)?;
            cells.push(v);
        }
        let json: String = r.get(COLUMNS.len())?;
        Ok((cells, json))
    })?;
    let format = args.format.unwrap_or(if crate::printer::Printer::stdout_is_terminal() {
        TableFormat::Table
    } else {
        TableFormat::Ndjson
    });
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut table: Vec<Vec<String>> = Vec::new();
    let mut first = true;
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
                ("start", SqlValue::Integer(ms)) => calltrail_model::Timestamp(*ms).to_rfc3339(),
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
    }
    match format {
        TableFormat::Json => out.write_all(if first { b"]\n" } else { b"\n]\n" })?,
        TableFormat::Table => write!(out, "{}", render_table(COLUMNS, &table))?,
        _ => {}
    }
    out.flush()?;
    Ok(Status::Success)
}

/// A CSV cell, quoted when needed and with spreadsheet formulas neutralised (`=`, `+`, `-`,
/// `@`, tab and carriage return lead to a `'` prefix).
pub fn csv_cell(text: &str) -> String {
    let mut value = text.to_owned();
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        value.insert(0, '\'');
    }
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// Aligned columns; control characters in values are replaced so they cannot drive the terminal.
pub fn render_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let clean =
        |s: &str| -> String { s.chars().map(|c| if c.is_control() { '�' } else { c }).take(48).collect() };
    let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| clean(c)).collect()).collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: &[String], out: &mut String| {
        let parts: Vec<String> =
            cells.iter().enumerate().map(|(i, c)| format!("{c:<w$}", w = widths[i])).collect();
        let _ = writeln!(out, "{}", parts.join("  ").trim_end());
    };
    line(&headers.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>(), &mut out);
    line(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>(), &mut out);
    for r in &rows {
        line(r, &mut out);
    }
    out
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
    let section = |title: &str, rows: Vec<(String, i64)>, out: &mut String| {
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
    let _ = writeln!(out, "Per queue                         calls  answered  avg wait  avg handle");
    let mut stmt = store.connection().prepare(
        "SELECT coalesce(queue_name, '(no queue)'), count(*), sum(outcome = 'answered'), avg(queue_ms), avg(CASE WHEN handle_ms > 0 THEN handle_ms END)
         FROM calls WHERE direction = 'inbound' GROUP BY 1 ORDER BY 2 DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, Option<f64>>(3)?,
            r.get::<_, Option<f64>>(4)?,
        ))
    })?;
    for row in rows {
        let (queue, n, answered, wait, handle) = row?;
        #[allow(clippy::cast_possible_truncation)]
        let fmt = |ms: Option<f64>| {
            ms.map_or_else(|| "-".to_owned(), |m| calltrail_explain::story::duration(m as i64))
        };
        let _ = writeln!(out, "  {queue:<30} {n:>6}  {answered:>8}  {:>8}  {:>10}", fmt(wait), fmt(handle));
    }
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_formula_safe() {
        assert_eq!(csv_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_cell("+1 555"), "'+1 555");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@x"), "'@x");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("plain"), "plain");
    }
}
