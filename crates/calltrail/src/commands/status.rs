//! `calltrail status`: the archive at a glance, for people and for a scheduler watching the
//! syncs — the same facts as the web UI's status page, and an exit code that says whether the
//! latest sync finished.

use std::fmt::Write as _;
use std::io::Write;

use calltrail_explain::report::render_table;
use calltrail_model::{Timestamp, Zone};
use serde_json::json;

use crate::cli::{GlobalArgs, StatusArgs, TextOrJson};
use crate::commands::calls::{existing_archive, zone_of};
use crate::config::Config;
use crate::printer::Printer;
use crate::Status;

/// Syncs and quarantined records listed.
const SHOWN: usize = 10;

pub fn run(args: &StatusArgs, global: &GlobalArgs, config: &Config) -> anyhow::Result<Status> {
    let store = existing_archive(global, config)?;
    let zone = zone_of(args.tz.as_deref(), config)?;
    let (calls, first, last) = store.call_span()?;
    let counts = store.counts()?;
    let names = store.lookup_counts()?;
    let syncs = store.sync_statuses(SHOWN)?;
    let quarantine = store.quarantined(SHOWN)?;
    // The newest sync decides: one that failed part way or was stopped needs `--resume`.
    let unfinished = syncs.first().filter(|s| s.state != "done");

    let format = args.format.unwrap_or(if Printer::stdout_is_terminal() {
        TextOrJson::Text
    } else {
        TextOrJson::Json
    });
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match format {
        TextOrJson::Json => {
            let status = json!({
                "archive": store.path().display().to_string(),
                "calls": {"count": calls, "first_start_ms": first, "last_start_ms": last},
                "counts": {
                    "conversations": counts.conversations,
                    "history": counts.history,
                    "open": counts.open,
                    "quarantined": counts.quarantined,
                },
                "names": names.iter().map(|(k, n)| (k.clone(), json!(n))).collect::<serde_json::Map<_, _>>(),
                "syncs": syncs,
                "quarantine": quarantine,
            });
            serde_json::to_writer_pretty(&mut out, &status)?;
            writeln!(out)?;
        }
        TextOrJson::Text => {
            let mut text = String::new();
            let line = |text: &mut String, label: &str, value: &str| {
                let _ = writeln!(text, "{label:<13}{value}");
            };
            line(&mut text, "Archive", &store.path().display().to_string());
            let span = match (first, last) {
                (Some(a), Some(b)) => {
                    format!(", started {} to {} ({})", minute(a, &zone), minute(b, &zone), zone.name())
                }
                _ => String::new(),
            };
            line(&mut text, "Calls", &format!("{calls}{span}"));
            if counts.open > 0 {
                line(&mut text, "Ongoing", &format!("{} (the next sync fetches them again)", counts.open));
            }
            if counts.history > 0 {
                line(
                    &mut text,
                    "History",
                    &format!("{} earlier versions of changed records kept", counts.history),
                );
            }
            let names_text = if names.is_empty() {
                "none looked up yet (ids are shown as ids)".to_owned()
            } else {
                names
                    .iter()
                    .map(|(kind, n)| format!("{n} {}", kind.replace("wrapup", "wrap-up").replace('_', " ")))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            line(&mut text, "Names", &names_text);
            line(&mut text, "Quarantined", &counts.quarantined.to_string());

            text.push_str("\nSyncs, newest first\n");
            if syncs.is_empty() {
                text.push_str("  none has run on this archive\n");
            } else {
                let rows: Vec<Vec<String>> = syncs
                    .iter()
                    .map(|s| {
                        vec![
                            s.id.to_string(),
                            format!("{} → {}", minute(s.from_ms, &zone), minute(s.to_ms, &zone)),
                            s.mode.clone(),
                            s.state.clone(),
                            minute(s.started_ms, &zone),
                            s.finished_ms.map_or_else(|| "-".to_owned(), |ms| minute(ms, &zone)),
                            format!("{}/{}", s.windows_done, s.windows),
                            s.records.to_string(),
                        ]
                    })
                    .collect();
                let headers = ["#", "range", "mode", "state", "started", "finished", "windows", "records"];
                let right = [true, false, false, false, false, false, true, true];
                text.push_str(&render_table(&headers, &rows, &right));
            }
            // What the latest sync went on without: told once, whoever ran it.
            if let Some(latest) = syncs.first().filter(|s| !s.warnings.is_empty()) {
                let _ = writeln!(text, "\nThe latest sync (#{}) went on without:", latest.id);
                for warning in &latest.warnings {
                    let _ = writeln!(text, "  {warning}");
                }
            }
            if !quarantine.is_empty() {
                text.push_str("\nQuarantined, newest first\n");
                let rows: Vec<Vec<String>> = quarantine
                    .iter()
                    .map(|q| {
                        vec![
                            minute(q.at_ms, &zone),
                            q.conversation_id.clone().unwrap_or_else(|| "-".to_owned()),
                            q.error.clone(),
                        ]
                    })
                    .collect();
                text.push_str(&render_table(
                    &["when", "conversation", "why it could not be read"],
                    &rows,
                    &[false; 3],
                ));
            }
            if let Some(s) = unfinished {
                let _ = writeln!(
                    text,
                    "\nThe latest sync (#{}) is {}: `calltrail sync --resume` continues it.",
                    s.id,
                    if s.state == "running" { "running or was stopped" } else { "incomplete" }
                );
            }
            out.write_all(text.as_bytes())?;
        }
    }
    out.flush()?;
    Ok(if unfinished.is_some() { Status::Failure } else { Status::Success })
}

/// A time to the minute in `zone`.
fn minute(ms: i64, zone: &Zone) -> String {
    zone.minute(ms).unwrap_or_else(|| Timestamp(ms).to_rfc3339())
}
