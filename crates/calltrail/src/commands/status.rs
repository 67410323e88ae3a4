//! `calltrail status`: the archive at a glance, for people and for a scheduler watching the
//! syncs — the same facts as the web UI's status page, and an exit code that says whether the
//! latest sync finished.

use std::fmt::Write as _;
use std::io::Write;

use calltrail_explain::report::render_table;
use calltrail_explain::Settings;
use calltrail_model::Zone;
use calltrail_store::{Counts, QuarantineRow, SyncStatus, ATTRIBUTE_KEYS_SHOWN};
use serde_json::json;

use crate::cli::{GlobalArgs, StatusArgs, TextOrJson};
use crate::commands::calls::{existing_archive, local_time, zone_of};
use crate::config::Config;
use crate::printer::{terminal_safe, Printer};
use crate::Status;

/// Syncs and quarantined records listed.
const SHOWN: usize = 10;

/// What the archive says about itself.
struct Facts {
    archive: String,
    calls: u64,
    first_start: Option<i64>,
    last_start: Option<i64>,
    counts: Counts,
    names: Vec<(String, u64)>,
    /// Per media: the queues' shortest and longest service-level targets, and how many set one.
    service_levels: Vec<(String, i64, i64, u64)>,
    derived_with: Option<Settings>,
    /// The latest calls looked at, and the participant data keys they carry.
    attribute_keys: (u64, Vec<(String, u64)>),
    syncs: Vec<SyncStatus>,
    quarantine: Vec<QuarantineRow>,
}

pub fn run(args: &StatusArgs, global: &GlobalArgs, config: &Config) -> anyhow::Result<Status> {
    let store = existing_archive(global, config)?;
    let zone = zone_of(args.tz.as_deref(), config)?;
    let (calls, first_start, last_start) = store.call_span()?;
    let facts = Facts {
        archive: store.path().display().to_string(),
        calls,
        first_start,
        last_start,
        counts: store.counts()?,
        names: store.lookup_counts()?,
        service_levels: store.service_level_ranges()?,
        derived_with: store.derived_with()?,
        attribute_keys: store.attribute_keys()?,
        syncs: store.sync_statuses(SHOWN)?,
        quarantine: store.quarantined(SHOWN)?,
    };
    let format = args.format.unwrap_or(if Printer::stdout_is_terminal() {
        TextOrJson::Text
    } else {
        TextOrJson::Json
    });
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match format {
        TextOrJson::Json => {
            serde_json::to_writer_pretty(&mut out, &as_json(&facts))?;
            writeln!(out)?;
        }
        TextOrJson::Text => out.write_all(as_text(&facts, &zone).as_bytes())?,
    }
    out.flush()?;
    // The newest sync decides: one that failed part way or was stopped needs `--resume`.
    Ok(if unfinished(&facts).is_some() { Status::Failure } else { Status::Success })
}

/// The latest sync, when it did not finish.
fn unfinished(facts: &Facts) -> Option<&SyncStatus> {
    facts.syncs.first().filter(|s| s.state != "done")
}

fn as_json(facts: &Facts) -> serde_json::Value {
    let c = &facts.counts;
    json!({
        "archive": facts.archive,
        "calls": {"count": facts.calls, "first_start_ms": facts.first_start, "last_start_ms": facts.last_start},
        "counts": {"conversations": c.conversations, "history": c.history, "open": c.open, "quarantined": c.quarantined},
        "names": facts.names.iter().map(|(k, n)| (k.clone(), json!(n))).collect::<serde_json::Map<_, _>>(),
        "service_levels": facts
            .service_levels
            .iter()
            .map(|(media, lo, hi, n)| json!({"media": media, "shortest_target_ms": lo, "longest_target_ms": hi, "queues": n}))
            .collect::<Vec<_>>(),
        "derived_with": facts.derived_with,
        "attribute_keys": {
            "calls": facts.attribute_keys.0,
            "keys": facts.attribute_keys.1.iter().map(|(k, n)| json!({"key": k, "calls": n})).collect::<Vec<_>>(),
        },
        "syncs": facts.syncs,
        "quarantine": facts.quarantine,
    })
}

fn as_text(facts: &Facts, zone: &Zone) -> String {
    let mut text = String::new();
    let line = |text: &mut String, label: &str, value: &str| {
        let _ = writeln!(text, "{label:<13}{value}");
    };
    line(&mut text, "Archive", &facts.archive);
    let span = match (facts.first_start, facts.last_start) {
        (Some(a), Some(b)) => {
            format!(", started {} to {} ({})", local_time(a, zone), local_time(b, zone), zone.name())
        }
        _ => String::new(),
    };
    line(&mut text, "Calls", &format!("{}{span}", facts.calls));
    let counts = &facts.counts;
    if counts.open > 0 {
        line(&mut text, "Ongoing", &format!("{} (the next sync fetches them again)", counts.open));
    }
    if counts.history > 0 {
        line(&mut text, "History", &format!("{} earlier versions of changed records kept", counts.history));
    }
    let names = if facts.names.is_empty() {
        "none looked up yet (ids are shown as ids)".to_owned()
    } else {
        let named = |(kind, n): &(String, u64)| {
            format!("{n} {}", kind.replace("wrapup", "wrap-up").replace('_', " "))
        };
        facts.names.iter().map(named).collect::<Vec<_>>().join(", ")
    };
    line(&mut text, "Names", &names);
    let targets = calltrail_explain::story::service_targets(&facts.service_levels);
    line(&mut text, "Targets", &targets);
    let mut derived =
        facts.derived_with.as_ref().map_or_else(|| "not recorded yet".to_owned(), Settings::summary);
    if facts.derived_with.as_ref().is_none_or(|s| *s == Settings::default())
        && !facts.attribute_keys.1.is_empty()
    {
        derived.push_str(" (set [reason] and [ivr] in calltrail.toml from the attributes below)");
    }
    line(&mut text, "Derived with", &derived);
    let (looked_at, keys) = &facts.attribute_keys;
    if *looked_at > 0 {
        let share = |n: u64| n * 100 / looked_at;
        let listed: Vec<String> = keys
            .iter()
            .take(ATTRIBUTE_KEYS_SHOWN)
            .map(|(key, n)| format!("{key} ({}%)", share(*n)))
            .collect();
        let more = keys.len().saturating_sub(ATTRIBUTE_KEYS_SHOWN);
        let value = match (listed.is_empty(), more) {
            (true, _) => format!(
                "no participant data in the latest {looked_at} calls (the details query leaves it out; `calltrail sync --attributes always` fetches it)"
            ),
            (false, 0) => {
                format!("{}: participant data keys in the latest {looked_at} calls", listed.join(", "))
            }
            (false, more) => format!(
                "{}, and {more} more: participant data keys in the latest {looked_at} calls",
                listed.join(", ")
            ),
        };
        line(&mut text, "Attributes", &value);
    }
    line(&mut text, "Quarantined", &counts.quarantined.to_string());

    text.push_str("\nSyncs, newest first\n");
    if facts.syncs.is_empty() {
        text.push_str("  none has run on this archive\n");
    } else {
        let rows: Vec<Vec<String>> = facts
            .syncs
            .iter()
            .map(|s| {
                vec![
                    s.id.to_string(),
                    format!("{} → {}", local_time(s.from_ms, zone), local_time(s.to_ms, zone)),
                    s.mode.clone(),
                    s.state.clone(),
                    local_time(s.started_ms, zone),
                    s.finished_ms.map_or_else(|| "-".to_owned(), |ms| local_time(ms, zone)),
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
    if let Some(latest) = facts.syncs.first().filter(|s| !s.warnings.is_empty()) {
        let _ = writeln!(text, "\nThe latest sync (#{}) went on without:", latest.id);
        for warning in &latest.warnings {
            let _ = writeln!(text, "  {warning}");
        }
    }
    if !facts.quarantine.is_empty() {
        // Each with its whole error under it: the error names the field, and is too long for a
        // table's column.
        let shown = facts.quarantine.len() as u64;
        let which = if facts.counts.quarantined > shown {
            format!("the {shown} newest of {}", facts.counts.quarantined)
        } else {
            "newest first".to_owned()
        };
        let _ = writeln!(text, "\nQuarantined, {which}: when, the conversation, why it could not be read");
        for q in &facts.quarantine {
            let id = q.conversation_id.as_deref().unwrap_or("(no conversationId)");
            let _ = writeln!(text, "  {}  {}", local_time(q.at_ms, zone), terminal_safe(id));
            let _ = writeln!(text, "      {}", terminal_safe(&q.error));
        }
    }
    if let Some(s) = unfinished(facts) {
        let how = if s.state == "running" { "running or was stopped" } else { "incomplete" };
        let _ =
            writeln!(text, "\nThe latest sync (#{}) is {how}: `calltrail sync --resume` continues it.", s.id);
    }
    text
}
