//! The call record told as a short story for people: the five answers in a few lines, then a
//! compact phase timeline. This is what `calltrail explain` prints on a terminal.

use std::fmt::Write;

use crate::record::{CallRecord, Party, QueueOutcome, Role};
use crate::time::Timestamp;

/// The queues' service-level targets in a line: per media, the shortest and the longest
/// target and how many queues set one (`(media, shortest, longest, queues)`, as the archive
/// sums them up).
pub fn service_targets(ranges: &[(String, i64, i64, u64)]) -> String {
    if ranges.is_empty() {
        return format!(
            "no queue's service level listed yet (queue performance measures against {}s)",
            crate::report::DEFAULT_SERVICE_TARGET_MS / 1000
        );
    }
    let range = |(media, lo, hi, _): &(String, i64, i64, u64)| {
        let (lo, hi) = (duration(*lo), duration(*hi));
        if lo == hi {
            format!("{media} {lo}")
        } else {
            format!("{media} {lo} to {hi}")
        }
    };
    let queues = ranges.iter().map(|l| l.3).max().unwrap_or(0);
    let ranges: Vec<String> = ranges.iter().map(range).collect();
    format!("{} (the settings of {queues} queues)", ranges.join(", "))
}

/// How a wait in a queue ended (a queue visit's `outcome`), in words.
pub fn queue_ending(outcome: &str) -> &str {
    match outcome {
        "transferred" => "transferred on",
        "flow_out" => "taken out by an in-queue flow",
        "ongoing" => "still waiting",
        other => other,
    }
}

/// What a supervisor did in a phase of `kind` (`monitoring`, `coaching`, `barging`), as a
/// verb; `None` for any other phase.
pub fn supervision_verb(kind: &str) -> Option<&'static str> {
    match kind {
        "monitoring" => Some("monitored"),
        "coaching" => Some("coached"),
        "barging" => Some("barged in"),
        _ => None,
    }
}

/// Who listened in, coached or barged in, and for how long ("Sam Lee monitored 1m 00s"),
/// from the phases as `(kind, who, duration_ms)`; `None` when no supervisor joined.
pub fn supervision<'a>(phases: impl IntoIterator<Item = (&'a str, &'a str, i64)>) -> Option<String> {
    let mut seen: Vec<(&str, &str, i64)> = Vec::new();
    for (kind, who, ms) in phases {
        let Some(verb) = supervision_verb(kind) else { continue };
        match seen.iter_mut().find(|(w, v, _)| *w == who && *v == verb) {
            Some(entry) => entry.2 += ms,
            None => seen.push((who, verb, ms)),
        }
    }
    let lines: Vec<String> =
        seen.iter().map(|(who, verb, ms)| format!("{who} {verb} {}", duration(*ms))).collect();
    (!lines.is_empty()).then(|| lines.join("; "))
}

fn supervised(call: &CallRecord<'_>) -> Option<String> {
    supervision(call.phases.iter().map(|phase| {
        let who = [&phase.name, &phase.user_id, &phase.participant_id]
            .into_iter()
            .find_map(|text| text.as_deref())
            .unwrap_or("a supervisor");
        (&*phase.kind, who, phase.duration_ms.unwrap_or(0))
    }))
}

/// Renders one call record as readable text, ending with a blank line.
pub fn render(call: &CallRecord<'_>) -> String {
    render_archived(call, 0)
}

/// Renders a call record of an archive that holds `calls_with_number` calls with the same
/// customer number (this one included): from two on, the story says so, and how to list them.
pub fn render_archived(call: &CallRecord<'_>, calls_with_number: u64) -> String {
    let mut out = String::with_capacity(2048);
    let id = call.conversation_id.as_deref().unwrap_or("(no conversation id)");
    let media = call.media_type.as_deref().unwrap_or("unknown media");
    // A chat or an e-mail is a conversation, not a call.
    let what = if matches!(media, "voice" | "callback") { "Call" } else { "Conversation" };
    let _ = writeln!(out, "{what} {id} · {media} · {}", call.direction_label);

    let when = match (call.start, call.end, call.duration_ms) {
        (Some(s), Some(e), Some(d)) => format!("{} → {} ({})", clock_full(s), clock(e), duration(d)),
        (Some(s), None, _) => format!("{} → still going on", clock_full(s)),
        (Some(s), Some(e), None) => format!("{} → {}", clock_full(s), clock_full(e)),
        _ => "unknown".to_owned(),
    };
    line(&mut out, "When", &when);
    line(&mut out, "From", &party(call, &call.from));
    line(&mut out, "To", &party(call, &call.to));
    let number = call.customer_number.as_deref().filter(|n| crate::report::identifies_customer(n));
    if let (Some(number), 2..) = (number, calls_with_number) {
        let list = format!("calltrail calls --number {number}");
        line(&mut out, "Calls", &format!("{calls_with_number} with {number} in the archive: {list}"));
    }
    if call.placed_by != call.from {
        line(&mut out, "Placed by", &party(call, &call.placed_by));
    }
    let answered = match &call.answered_by {
        Some(p) => {
            let at = p.at.map(|t| format!(" at {}", clock(t))).unwrap_or_default();
            format!("{}{at}", party(call, p))
        }
        None if call.ongoing => "nobody yet".to_owned(),
        None => "nobody".to_owned(),
    };
    line(&mut out, "Answered", &answered);
    if let Some(agents) = handled_by(call) {
        line(&mut out, "Agents", &agents);
    }
    let missed: Vec<String> = call
        .agents
        .iter()
        .filter(|a| !a.answered && a.alerted_at.is_some())
        .map(|a| {
            let who = a.name.as_deref().or(a.user_id.as_deref()).unwrap_or("an agent");
            let why = if a.not_responding { "not responding" } else { "did not answer" };
            format!("{who} ({why}, rang {})", duration(a.alert_ms))
        })
        .collect();
    if !missed.is_empty() {
        line(&mut out, "Missed by", &missed.join("; "));
    }
    if let Some(supervised) = supervised(call) {
        line(&mut out, "Supervised", &supervised);
    }
    for q in &call.queues {
        let name = q.queue_name.as_deref().or(q.queue_id.as_deref()).unwrap_or("a queue");
        // A wait of another media than the call's: a callback waiting for an agent.
        let name = match q.media_type.as_deref() {
            Some(media) if q.media_type != call.media_type => format!("{name} ({media})"),
            _ => name.to_owned(),
        };
        let visit = if q.outcome == QueueOutcome::Ongoing {
            format!("{name}: still waiting (ongoing)")
        } else {
            format!("{name}: waited {}, {}", duration(q.wait_ms), queue_ending(q.outcome_str()))
        };
        line(&mut out, "Queue", &visit);
    }

    let why = match (&call.ivr.reason, &call.ivr.reason_source) {
        (Some(r), Some(src)) => format!("{r} (from {src})"),
        (Some(r), None) => r.to_string(),
        _ => "not recorded".to_owned(),
    };
    line(&mut out, "Why", &why);
    if !call.ivr.path.is_empty() {
        line(&mut out, "IVR path", &call.ivr.path.join(" › "));
    }
    if !call.ivr.attributes.is_empty() {
        let attrs: Vec<String> =
            call.ivr.attributes.iter().take(8).map(|(k, v)| format!("{k}={v}")).collect();
        let more = call.ivr.attributes.len().saturating_sub(8);
        let suffix = if more > 0 { format!(" (+{more} more)") } else { String::new() };
        line(&mut out, "Attributes", &format!("{}{suffix}", attrs.join(", ")));
    }

    let hung_up = match (&call.disconnect.kind, call.disconnect.at) {
        (None, _) if call.ongoing => "nobody yet (still going on)".to_owned(),
        (Some(kind), Some(at)) => format!("{} ({kind}) at {}", call.disconnect.by.as_str(), clock(at)),
        (Some(kind), None) => format!("{} ({kind})", call.disconnect.by.as_str()),
        _ => call.disconnect.by.as_str().to_owned(),
    };
    line(&mut out, "Hung up", &hung_up);
    if let Some(w) = &call.wrapup {
        let code = w.code_name.as_deref().or(w.code_id.as_deref()).unwrap_or("(no code)");
        let note = w
            .note
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .map(|n| format!(" — note: \"{n}\""))
            .unwrap_or_default();
        line(&mut out, "Wrap-up", &format!("{code}{note}"));
    }
    let transfers = match call.transfers {
        0 => String::new(),
        1 => " · 1 transfer".to_owned(),
        n => format!(" · {n} transfers"),
    };
    line(&mut out, "Outcome", &format!("{}{transfers}", call.outcome.as_str()));

    let t = &call.totals;
    let totals: Vec<String> = [
        ("ivr", t.ivr_ms),
        ("queue", t.queue_ms),
        ("alert", t.alert_ms),
        ("talk", t.talk_ms),
        ("hold", t.hold_ms),
        ("acw", t.acw_ms),
        ("voicemail", t.voicemail_ms),
    ]
    .iter()
    .filter(|(_, ms)| *ms > 0)
    .map(|(name, ms)| format!("{name} {}", duration(*ms)))
    .collect();
    let handle =
        if t.handle_ms > 0 { format!(" · handle {}", duration(t.handle_ms)) } else { String::new() };
    line(
        &mut out,
        "Phases",
        &format!("{}{handle}", if totals.is_empty() { "none".into() } else { totals.join(" · ") }),
    );

    if !call.phases.is_empty() {
        out.push_str("  Timeline\n");
        let origin = call.start.or_else(|| call.phases.iter().find_map(|p| p.start));
        // Offsets grow past ten characters once a call runs for hours; the column widens to fit.
        let offsets: Vec<String> = call
            .phases
            .iter()
            .map(|phase| match (phase.start, origin) {
                (Some(s), Some(o)) if s.0 < o.0 => offset(s.0 - o.0),
                (Some(s), Some(o)) => format!("+{}", offset(s.0 - o.0)),
                _ => "?".to_owned(),
            })
            .collect();
        let width = offsets.iter().map(|o| o.chars().count()).max().unwrap_or(0).max(10);
        for (phase, offset) in call.phases.iter().zip(&offsets) {
            let length = phase.duration_ms.map_or_else(|| "…".to_owned(), duration);
            // Unnamed without lookups: the user's or queue's id says more than the purpose.
            let who = [&phase.name, &phase.user_id, &phase.queue_id, &phase.purpose]
                .into_iter()
                .find_map(|text| text.as_deref())
                .unwrap_or("?");
            let purpose = match supervision_verb(&phase.kind) {
                Some(_) => "supervisor",
                None => phase.purpose.as_deref().unwrap_or("?"),
            };
            let party = if who == purpose { purpose.to_owned() } else { format!("{purpose}: {who}") };
            let _ = writeln!(out, "    {offset:>width$}  {:<10} {length:>9}  {party}", phase.kind);
        }
    }
    if !call.warnings.is_empty() {
        out.push_str("  Warnings\n");
        for w in &call.warnings {
            let _ = writeln!(out, "    ! {w}");
        }
    }
    out.push('\n');
    out
}

/// The agents who connected to the call, in order, with their talk time — when one of them is
/// not already named as a party of the call (an outbound call is answered by the customer, a
/// campaign places one, a transfer brings more agents).
fn handled_by(call: &CallRecord<'_>) -> Option<String> {
    let parties: Vec<&str> =
        [Some(&call.from), Some(&call.to), call.answered_by.as_ref(), Some(&call.placed_by)]
            .into_iter()
            .flatten()
            .filter(|p| matches!(p.role, Role::Agent | Role::User))
            .filter_map(|p| p.user_id.as_deref())
            .collect();
    let legs = call.agents.iter().filter(|a| a.answered).map(|leg| {
        let who = leg.user_id.as_deref().or(leg.name.as_deref()).unwrap_or("");
        let name = leg.name.as_deref().or(leg.user_id.as_deref()).unwrap_or("an agent");
        (who, format!("{name} (talk {})", duration(leg.talk_ms)))
    });
    agents_beyond_parties(&parties, legs).map(|agents| agents.join(", "))
}

/// The connected agents worth naming apart from the call's parties: each agent once, in the
/// order of `legs` (`(user id or name, what to say of them)` for each leg that connected), when
/// one of them is not among `parties` (the user ids of the agents and users named as from, to,
/// placed by or answered by); `None` when the parties already name them all.
pub fn agents_beyond_parties<'a, T>(
    parties: &[&str],
    legs: impl IntoIterator<Item = (&'a str, T)>,
) -> Option<Vec<T>> {
    let mut seen: Vec<&str> = Vec::new();
    let mut agents = Vec::new();
    for (who, said) in legs {
        if !seen.contains(&who) {
            seen.push(who);
            agents.push(said);
        }
    }
    seen.iter().any(|who| !parties.contains(who)).then_some(agents)
}

fn line(out: &mut String, label: &str, value: &str) {
    let _ = writeln!(out, "  {label:<10} {}", sanitize(value));
}

/// Keeps control characters from record text out of the terminal.
fn sanitize(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { '�' } else { c }).collect()
}

/// A party in words: name, address without `tel:`, and role. A queue (an `acd` participant,
/// `system` in the record) is called a queue, as when a chat is addressed to one.
fn party(call: &CallRecord<'_>, p: &Party<'_>) -> String {
    let is_queue = p.role == Role::System
        && p.participant_id.is_some()
        && call
            .phases
            .iter()
            .any(|ph| ph.participant_id == p.participant_id && ph.purpose.as_deref() == Some("acd"));
    let role = if is_queue { "queue" } else { p.role.as_str() };
    let address = p.address.as_deref().map(|a| a.strip_prefix("tel:").unwrap_or(a));
    match (p.name.as_deref(), address) {
        (Some(n), Some(a)) if n != a => format!("{n} <{a}> ({role})"),
        (Some(n), _) => format!("{n} ({role})"),
        (None, Some(a)) => format!("{a} ({role})"),
        (None, None) => match p.user_id.as_deref() {
            Some(u) => format!("user {u} ({role})"),
            None => format!("unknown ({role})"),
        },
    }
}

fn clock_full(t: Timestamp) -> String {
    let s = t.to_rfc3339();
    format!("{} {} UTC", &s[..10], &s[11..19])
}

fn clock(t: Timestamp) -> String {
    t.to_rfc3339()[11..19].to_owned()
}

/// `m:ss.mmm` from the call start, `h:mm:ss.mmm` from the first hour on.
fn offset(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let ms = ms.abs();
    let (seconds, millis) = (ms / 1000 % 60, ms % 1000);
    if ms < 3_600_000 {
        format!("{sign}{}:{seconds:02}.{millis:03}", ms / 60_000)
    } else {
        format!("{sign}{}:{:02}:{seconds:02}.{millis:03}", ms / 3_600_000, ms / 60_000 % 60)
    }
}

/// A duration for people: `0s`, `850ms`, `11.2s`, `6m 14s`, `1h 02m`.
pub fn duration(ms: i64) -> String {
    let ms = ms.max(0);
    if ms == 0 {
        "0s".to_owned()
    } else if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{}.{}s", ms / 1000, ms % 1000 / 100)
    } else if ms < 3_600_000 {
        format!("{}m {:02}s", ms / 60_000, ms / 1000 % 60)
    } else {
        format!("{}h {:02}m", ms / 3_600_000, ms / 60_000 % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::{duration, offset};

    #[test]
    fn offsets_show_hours_once_a_call_passes_one() {
        assert_eq!(offset(2_069), "0:02.069");
        assert_eq!(offset(-250), "-0:00.250");
        assert_eq!(offset(59 * 60_000 + 59_999), "59:59.999");
        assert_eq!(offset(44_482_650), "12:21:22.650");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(0), "0s");
        assert_eq!(duration(850), "850ms");
        assert_eq!(duration(11_179), "11.1s");
        assert_eq!(duration(374_894), "6m 14s");
        assert_eq!(duration(3_725_000), "1h 02m");
    }
}
