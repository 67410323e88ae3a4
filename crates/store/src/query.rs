//! Reading calls back out: one filter (time range, direction, queue, agent, number, reason,
//! wrap-up, outcome, participant data, search) shared by the call list, the reports and the
//! web UI, turned into parameterised SQL here and nowhere else (the report index applies the
//! same filter to its rows in memory, and is tested equal to this); and streaming scans that
//! hand reports one row at a time, so a million calls never sit in memory.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use calltrail_explain::report::{
    new_report, CallRow, IvrMap, LegRow, Objective, ReportKind, ReportOptions, Table, VisitRow,
};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, OptionalExtension};

use crate::{Store, StoreError};

/// Each queue's own service-level objective per media (from `queue_service_levels`): queue id
/// → media → target and goal.
#[derive(Debug, Default)]
pub struct ServiceTargets(HashMap<String, HashMap<String, Objective>>);

impl ServiceTargets {
    /// The objective of a queue (by id) for a media, when its settings give one.
    pub fn get(&self, queue_id: Option<&str>, media: Option<&str>) -> Option<Objective> {
        self.0.get(queue_id?)?.get(media?).copied()
    }

    /// True when no queue sets a target.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// How many of the latest calls [`Store::attribute_keys`] looks at: enough to meet every key
/// a contact centre's flows set, few enough to answer at once on any archive (each call's
/// participant data rows are read: 3 ms for 2,000 calls of 200,000, 85 ms for 100,000, a
/// ninth of the time reading their stored call records took).
pub const ATTRIBUTE_SAMPLE: usize = 2_000;

/// How many participant data keys a listing names, the most common; the rest are counted. A
/// flow that sets a key per item (or an attacker) can make thousands.
pub const ATTRIBUTE_KEYS_SHOWN: usize = 12;

/// Which of a filter's names [`Store::spell_names`] looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// `queue`.
    Queue,
    /// `agent`.
    Agent,
    /// `wrapup`.
    Wrapup,
}

impl NameKind {
    /// The lookups that hold its names (`queues`, `users`, `wrapup_codes`).
    pub fn lookup(self) -> &'static str {
        match self {
            NameKind::Queue => "queues",
            NameKind::Agent => "users",
            NameKind::Wrapup => "wrapup_codes",
        }
    }

    /// What it names, for people.
    pub fn noun(self) -> &'static str {
        match self {
            NameKind::Queue => "queue",
            NameKind::Agent => "agent",
            NameKind::Wrapup => "wrap-up code",
        }
    }
}

/// A name a filter gives that the archive does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// What it was to name.
    pub kind: NameKind,
    /// The name as given.
    pub given: String,
    /// Up to five names of the archive that contain it (in any case).
    pub near: Vec<String>,
    /// How many names of that kind the archive knows.
    pub known: usize,
}

impl std::fmt::Display for UnknownName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no {} is named `{}` (", self.kind.noun(), self.given)?;
        if self.near.is_empty() {
            write!(f, "the archive knows {} {} names)", self.known, self.kind.noun())
        } else {
            let near: Vec<String> = self.near.iter().map(|n| format!("`{n}`")).collect();
            write!(f, "did you mean {}?)", near.join(" or "))
        }
    }
}

/// Which calls: every field narrows the set; `None` does not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallFilter {
    /// Calls that started at or after this instant (ms).
    pub from_ms: Option<i64>,
    /// Calls that started before this instant (ms).
    pub to_ms: Option<i64>,
    /// `inbound`, `outbound` or `internal`.
    pub direction: Option<String>,
    /// The media: `voice`, `callback`, `chat`, `email`, `message`, ...
    pub media: Option<String>,
    /// A queue id or name.
    pub queue: Option<String>,
    /// An agent's (or user's) id or name: the calls they took part in — answered, placed, were
    /// transferred or offered; in the reports over agent legs, their legs.
    pub agent: Option<String>,
    /// The concluding wrap-up code's id or name.
    pub wrapup: Option<String>,
    /// The customer's number, typed in any of the usual ways (`+44 20 7946 0958`,
    /// `(617) 555-0100`): with `+` it matches numbers starting with it (an index range), without
    /// it digits found anywhere in the number.
    pub number: Option<String>,
    /// The call's outcome (`answered`, `abandoned_in_queue`, ...).
    pub outcome: Option<String>,
    /// The call's reason.
    pub reason: Option<String>,
    /// Participant data: `KEY=VALUE` for the calls whose flows set the key to that value,
    /// `KEY` alone for those that set it at all (both in any case; see [`attribute`]).
    pub attribute: Option<String>,
    /// A search: a conversation id or its start (hex digits and dashes) and a number
    /// (`+1 555…`) are prefixes found by index; other text (digits typed as a number without
    /// their spaces and punctuation) is looked for, in any case, in the
    /// id, numbers, addresses, the answering agent, the reason, the wrap-up and the queue
    /// (through a trigram index from three characters on).
    pub text: Option<String>,
}

/// What a filter asks of a call's parts (agent legs, queue visits) rather than of the call,
/// in the reports over parts (see [`CallFilter::for_parts`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct PartFilter<'f> {
    /// A queue id or name: the legs offered from it, the waits in it.
    pub queue: Option<&'f str>,
    /// An agent's id or name: their legs (in the reports over legs).
    pub agent: Option<&'f str>,
    /// A media: the waits of it.
    pub media: Option<&'f str>,
}

impl CallFilter {
    /// Splits the filter for a report over a call's parts, `own_media` when the parts have a
    /// media of their own (queue visits: a callback waits as `callback` in a voice call; agent
    /// legs have none). A queue filter picks the parts in that queue (a leg offered from it, a
    /// wait in it), not the calls that ended in it; an agent filter picks the agent's own legs,
    /// not every leg of the calls they took part in; with `own_media`, a media filter picks the
    /// parts of that media, not those of the calls of it. What is left selects the calls.
    pub fn for_parts(&self, own_media: bool) -> (CallFilter, PartFilter<'_>) {
        let legs = !own_media;
        let parts = PartFilter {
            queue: self.queue.as_deref(),
            agent: self.agent.as_deref().filter(|_| legs),
            media: self.media.as_deref().filter(|_| own_media),
        };
        let calls = CallFilter {
            queue: None,
            agent: if legs { None } else { self.agent.clone() },
            media: if own_media { None } else { self.media.clone() },
            ..self.clone()
        };
        (calls, parts)
    }

    /// True when the time range stops where it starts, or before: no call can start in it.
    pub fn range_is_empty(&self) -> bool {
        matches!((self.from_ms, self.to_ms), (Some(from), Some(to)) if to <= from)
    }

    /// The `WHERE` clause (over `calls` aliased `c`) and its parameters.
    pub fn to_sql(&self) -> (String, Vec<SqlValue>) {
        self.to_sql_with(false)
    }

    /// True when the search is free text shorter than three characters: it cannot use the
    /// trigram index and would be checked against every call, so the web UI asks for more.
    pub fn search_too_short(&self) -> bool {
        matches!(self.text.as_deref().and_then(Search::of), Some(Search::Text(v)) if search_phrase(&v).is_none())
    }

    /// The free text to look for with the trigram index, if the filter has one.
    fn search_phrase(&self) -> Option<String> {
        match Search::of(self.text.as_deref()?) {
            Some(Search::Text(v)) => search_phrase(&v),
            _ => None,
        }
    }

    /// As [`CallFilter::to_sql`]; `walk_text` checks free text call by call instead of
    /// through the trigram index.
    fn to_sql_with(&self, walk_text: bool) -> (String, Vec<SqlValue>) {
        let mut sql = String::from("1 = 1");
        let mut params: Vec<SqlValue> = Vec::new();
        let mut clause = |template: &str, value: SqlValue| {
            params.push(value);
            // A parameter used twice in a clause (`queue_id = ?n OR queue_name = ?n`) is one value.
            let _ = write!(sql, " AND {}", template.replace('?', &format!("?{}", params.len())));
        };
        if let Some(ms) = self.from_ms {
            clause("c.start_ms >= ?", SqlValue::Integer(ms));
        }
        if let Some(ms) = self.to_ms {
            clause("c.start_ms < ?", SqlValue::Integer(ms));
        }
        let text = |v: &String| SqlValue::Text(v.clone());
        if let Some(v) = &self.direction {
            clause("c.direction = ?", SqlValue::Text(v.to_lowercase()));
        }
        if let Some(v) = &self.media {
            clause("c.media_type = ?", SqlValue::Text(v.to_lowercase()));
        }
        if let Some(v) = &self.queue {
            clause("(c.queue_id = ? OR c.queue_name = ?)", text(v));
        }
        if let Some(v) = &self.agent {
            // Any leg of theirs: the call's legs are a range of the table's key.
            clause(
                &format!(
                    "EXISTS (SELECT 1 FROM agent_legs a WHERE a.call_start_ms = ifnull(c.start_ms, {})
                     AND a.conversation_id = c.conversation_id AND (a.user_id = ? OR a.name = ?))",
                    crate::NO_START
                ),
                text(v),
            );
        }
        if let Some(v) = &self.wrapup {
            clause("(c.wrapup_code_id = ? OR c.wrapup_code_name = ?)", text(v));
        }
        if let Some(v) = &self.number {
            let v = dialled(v).unwrap_or_else(|| v.trim().trim_start_matches("tel:").to_owned());
            if v.starts_with('+') {
                // A number as dialled: its calls are a range of the index.
                clause("c.customer_number < ?", SqlValue::Text(format!("{v}\u{10ffff}")));
                clause("c.customer_number >= ?", SqlValue::Text(v));
            } else {
                clause("instr(c.customer_number, ?) > 0", SqlValue::Text(v));
            }
        }
        if let Some(v) = &self.outcome {
            clause("c.outcome = ?", text(v));
        }
        if let Some(v) = &self.reason {
            clause("c.reason = ?", text(v));
        }
        match self.text.as_deref().and_then(Search::of) {
            None => {}
            Some(Search::Id(v)) => {
                // A conversation id (or its start), as pasted from Genesys: a range of the key.
                let v = v.to_ascii_lowercase();
                clause("c.conversation_id >= ?", SqlValue::Text(v.clone()));
                clause("c.conversation_id < ?", SqlValue::Text(format!("{v}\u{10ffff}")));
            }
            Some(Search::Number(v)) => {
                clause("c.customer_number < ?", SqlValue::Text(format!("{v}\u{10ffff}")));
                clause("c.customer_number >= ?", SqlValue::Text(v));
            }
            Some(Search::Text(v)) => {
                if let (Some(phrase), false) = (search_phrase(&v), walk_text) {
                    // Three characters or more: the trigram index finds them anywhere in those
                    // columns, in any case.
                    clause(
                        "c.rowid IN (SELECT rowid FROM calls_search WHERE calls_search MATCH ?)",
                        text(&phrase),
                    );
                } else {
                    // Checked call by call (in any ASCII case): short text, or text so common that
                    // walking calls newest first meets a page of them sooner than the index
                    // would list them all.
                    let escaped = v.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                    clause(
                        "(c.conversation_id LIKE ? ESCAPE '\\' OR c.customer_number LIKE ? ESCAPE '\\'
                      OR c.from_address LIKE ? ESCAPE '\\' OR c.to_address LIKE ? ESCAPE '\\'
                      OR c.answered_by_name LIKE ? ESCAPE '\\' OR c.reason LIKE ? ESCAPE '\\'
                      OR c.wrapup_code_name LIKE ? ESCAPE '\\' OR c.queue_name LIKE ? ESCAPE '\\')",
                        SqlValue::Text(format!("%{escaped}%")),
                    );
                }
            }
        }
        if let Some((key, value)) = self.attribute.as_deref().and_then(attribute) {
            // The call's participant data are a range of the table's key.
            params.push(SqlValue::Text(key.to_owned()));
            let _ = write!(
                sql,
                " AND EXISTS (SELECT 1 FROM attributes a WHERE a.call_start_ms = ifnull(c.start_ms, {})
                   AND a.conversation_id = c.conversation_id AND a.key = ?{} COLLATE NOCASE",
                crate::NO_START,
                params.len()
            );
            if let Some(value) = value {
                params.push(SqlValue::Text(value.to_owned()));
                let _ = write!(sql, " AND a.value = ?{} COLLATE NOCASE", params.len());
            }
            sql.push(')');
        }
        (sql, params)
    }
}

/// A participant data filter read: `KEY=VALUE` as the key and its value, `KEY` (or `KEY=`) as
/// the key alone, spaces around either trimmed; `None` when no key is given. A key holding `=`
/// cannot be asked for with a value.
pub fn attribute(text: &str) -> Option<(&str, Option<&str>)> {
    let (key, value) = match text.split_once('=') {
        Some((key, value)) => (key.trim(), Some(value.trim()).filter(|v| !v.is_empty())),
        None => (text.trim(), None),
    };
    (!key.is_empty()).then_some((key, value))
}

/// One line of the calls list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CallSummary {
    /// The conversation.
    pub conversation_id: String,
    /// When it started.
    pub start_ms: Option<i64>,
    /// `Inbound`, `Outbound`, `Internal`, `Inbound / Outbound`.
    pub direction_label: String,
    /// `voice`, `chat`, `email`, `message`, `callback`, ...
    pub media_type: Option<String>,
    /// The customer's number.
    pub customer_number: Option<String>,
    /// The queue.
    pub queue_name: Option<String>,
    /// Who answered.
    pub answered_by_name: Option<String>,
    /// Why they called.
    pub reason: Option<String>,
    /// How it ended.
    pub outcome: String,
    /// Wall-clock length.
    pub duration_ms: Option<i64>,
    /// The concluding wrap-up.
    pub wrapup_code_name: Option<String>,
    /// Who hung up.
    pub disconnect_by: Option<String>,
    /// Where the list goes on: pass as `before` for the next (older) page.
    #[serde(skip)]
    pub cursor: (i64, i64),
}

/// A sync with its windows' progress, for the status page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncStatus {
    /// Its id.
    pub id: i64,
    /// Range start and end (ms).
    pub from_ms: i64,
    /// Range end (ms).
    pub to_ms: i64,
    /// `auto`, `query` or `jobs`.
    pub mode: String,
    /// `running`, `done` or `incomplete`.
    pub state: String,
    /// When it started and finished.
    pub started_ms: i64,
    /// When it finished.
    pub finished_ms: Option<i64>,
    /// Windows in all, and done.
    pub windows: i64,
    /// Windows done.
    pub windows_done: i64,
    /// Records received in its windows.
    pub records: i64,
    /// What it went on without (a listing or the Conversations API refused).
    pub warnings: Vec<String>,
}

/// One quarantined record, for the status page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QuarantineRow {
    /// The conversation, when it could be found.
    pub conversation_id: Option<String>,
    /// Why it could not be read.
    pub error: String,
    /// When.
    pub at_ms: i64,
}

impl QuarantineRow {
    /// A row of `SELECT conversation_id, error, at_ms FROM quarantine`.
    fn of(r: &rusqlite::Row<'_>) -> rusqlite::Result<QuarantineRow> {
        Ok(QuarantineRow { conversation_id: r.get(0)?, error: r.get(1)?, at_ms: r.get(2)? })
    }
}

/// What a search box's text is taken for.
enum Search<'a> {
    /// Hex digits and dashes shaped like the start of a conversation id.
    Id(&'a str),
    /// `+` and digits: a number as dialled, spaces and punctuation taken out.
    Number(String),
    /// Anything else, looked for anywhere; digits typed as a number without `+` are looked for
    /// without their spaces and punctuation.
    Text(Cow<'a, str>),
}

impl Search<'_> {
    fn of(text: &str) -> Option<Search<'_>> {
        let v = text.trim();
        if v.is_empty() {
            None
        } else if id_start(v) {
            Some(Search::Id(v))
        } else {
            match dialled(v) {
                Some(number) if number.starts_with('+') => Some(Search::Number(number)),
                Some(digits) => Some(Search::Text(Cow::Owned(digits))),
                None => Some(Search::Text(Cow::Borrowed(v))),
            }
        }
    }
}

/// True for the start of a conversation id as pasted: four or more hex digits, at least one of
/// them a decimal digit, with dashes only where an id has them, and a letter or a dash (digits
/// alone are more likely a number, and are looked for anywhere, ids included).
fn id_start(v: &str) -> bool {
    v.len() >= 4
        && v.len() <= 36
        && v.char_indices()
            .all(|(i, c)| if c == '-' { matches!(i, 8 | 13 | 18 | 23) } else { c.is_ascii_hexdigit() })
        && v.bytes().any(|b| b.is_ascii_digit())
        && v.bytes().any(|b| b == b'-' || b.is_ascii_alphabetic())
}

/// A phone number as people type it (`+44 20 7946 0958`, `(617) 555-0100`, `tel:+1555…`) as the
/// archive keeps it: `+` and digits, or digits alone (three or more) when no `+` was typed;
/// `None` for anything else.
pub fn dialled(text: &str) -> Option<String> {
    let v = text.trim();
    let v = v.strip_prefix("tel:").unwrap_or(v).trim();
    let (plus, rest) = match v.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, v),
    };
    if !rest.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')')) {
        return None;
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    if plus && !digits.is_empty() {
        Some(format!("+{digits}"))
    } else {
        (digits.len() >= 3).then_some(digits)
    }
}

/// Free text as a trigram index phrase (quoted), when it is long enough for one.
fn search_phrase(v: &str) -> Option<String> {
    (v.chars().count() >= 3).then(|| format!("\"{}\"", v.replace('"', "\"\"")))
}

/// Free text found in more calls than this is walked rather than listed by the index (see
/// [`Store::list_calls`]).
const COMMON_TEXT: i64 = 5_000;

fn ms(value: Option<i64>) -> i64 {
    value.unwrap_or(0)
}

impl Store {
    /// One page of the calls list, newest first; `before` is the previous page's last
    /// [`CallSummary::cursor`]. Uses the start-time index, so a page costs the same at any depth.
    pub fn list_calls(
        &self,
        filter: &CallFilter,
        before: Option<(i64, i64)>,
        limit: usize,
    ) -> Result<Vec<CallSummary>, StoreError> {
        self.list_calls_walking_above(filter, before, limit, COMMON_TEXT)
    }

    /// [`Store::list_calls`], walking free text found in `common` calls or more.
    fn list_calls_walking_above(
        &self,
        filter: &CallFilter,
        before: Option<(i64, i64)>,
        limit: usize,
        common: i64,
    ) -> Result<Vec<CallSummary>, StoreError> {
        // Free text in a handful of calls is found through the trigram index; text in many
        // is met soon enough walking calls newest first, while listing every call that
        // holds it would cost more than the page.
        let walk = match filter.search_phrase() {
            Some(phrase) => self.conn.query_row(
                "SELECT count(*) FROM (SELECT rowid FROM calls_search WHERE calls_search MATCH ?1 LIMIT ?2)",
                params![phrase, common],
                |r| r.get::<_, i64>(0),
            )? >= common,
            None => false,
        };
        let (mut clause, mut params) = filter.to_sql_with(walk);
        if let Some((start, rowid)) = before {
            params.push(SqlValue::Integer(start));
            let n = params.len();
            params.push(SqlValue::Integer(rowid));
            let _ =
                write!(clause, " AND (c.start_ms < ?{n} OR (c.start_ms = ?{n} AND c.rowid < ?{}))", n + 1);
        }
        let sql = format!(
            "SELECT c.conversation_id, c.start_ms, c.direction_label, c.customer_number, coalesce(c.queue_name, c.queue_id),
                    coalesce(c.answered_by_name, c.answered_by_user_id), c.reason, c.outcome, c.duration_ms,
                    c.wrapup_code_name, c.disconnect_by, c.rowid, c.media_type
             FROM calls c WHERE {clause} ORDER BY c.start_ms DESC, c.rowid DESC LIMIT {limit}"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(params.iter()), |r| {
            Ok(CallSummary {
                conversation_id: r.get(0)?,
                start_ms: r.get(1)?,
                direction_label: r.get(2)?,
                media_type: r.get(12)?,
                customer_number: r.get(3)?,
                queue_name: r.get(4)?,
                answered_by_name: r.get(5)?,
                reason: r.get(6)?,
                outcome: r.get(7)?,
                duration_ms: r.get(8)?,
                wrapup_code_name: r.get(9)?,
                disconnect_by: r.get(10)?,
                cursor: (r.get::<_, Option<i64>>(1)?.unwrap_or(i64::MIN), r.get(11)?),
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Names of one kind of lookup (`queues`, `users`, `wrapup_codes`), sorted.
    pub fn lookup_names(&self, kind: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt =
            self.conn.prepare("SELECT DISTINCT name FROM lookups WHERE kind = ?1 ORDER BY name")?;
        let names = stmt.query_map([kind], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
        Ok(names)
    }

    /// Spells the queue, agent and wrap-up code `filter` names as the archive's lookups do, so
    /// that `sales` finds the calls of "Sales". Returns the names the lookups do not hold in
    /// any case (nor as an id), each with the names that contain it.
    pub fn spell_names(&self, filter: &mut CallFilter) -> Result<Vec<UnknownName>, StoreError> {
        let mut unknown = Vec::new();
        let asked = [
            (&mut filter.queue, NameKind::Queue),
            (&mut filter.agent, NameKind::Agent),
            (&mut filter.wrapup, NameKind::Wrapup),
        ];
        for (given, kind) in asked {
            let Some(given) = given.as_mut() else { continue };
            let names = self.lookup_names(kind.lookup())?;
            if names.is_empty() || names.contains(given) || self.has_lookup_id(kind.lookup(), given)? {
                continue;
            }
            let lower = given.to_lowercase();
            let same: Vec<&String> = names.iter().filter(|n| n.to_lowercase() == lower).collect();
            if let [name] = same.as_slice() {
                given.clone_from(name);
                continue;
            }
            let near = names.iter().filter(|n| n.to_lowercase().contains(&lower)).take(5).cloned().collect();
            unknown.push(UnknownName { kind, given: given.clone(), near, known: names.len() });
        }
        Ok(unknown)
    }

    /// True when a lookup of `kind` has the id `id`.
    fn has_lookup_id(&self, kind: &str, id: &str) -> Result<bool, StoreError> {
        let found = self
            .conn
            .query_row("SELECT 1 FROM lookups WHERE kind = ?1 AND id = ?2", [kind, id], |_| Ok(()))
            .optional()?;
        Ok(found.is_some())
    }

    /// The newest syncs with their windows' progress.
    pub fn sync_statuses(&self, limit: usize) -> Result<Vec<SyncStatus>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT s.id, s.from_ms, s.to_ms, s.mode, s.state, s.started_ms, s.finished_ms,
                    count(w.sync_id), coalesce(sum(w.state = 'done'), 0), coalesce(sum(w.records), 0), s.warnings
             FROM syncs s LEFT JOIN sync_windows w ON w.sync_id = s.id
             GROUP BY s.id ORDER BY s.id DESC LIMIT {limit}"
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok(SyncStatus {
                id: r.get(0)?,
                from_ms: r.get(1)?,
                to_ms: r.get(2)?,
                mode: r.get(3)?,
                state: r.get(4)?,
                started_ms: r.get(5)?,
                finished_ms: r.get(6)?,
                windows: r.get(7)?,
                windows_done: r.get(8)?,
                records: r.get(9)?,
                warnings: r
                    .get::<_, Option<String>>(10)?
                    .and_then(|text| serde_json::from_str(&text).ok())
                    .unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// How many calls are derived, and the first and last of their starts (ms).
    pub fn call_span(&self) -> Result<(u64, Option<i64>, Option<i64>), StoreError> {
        let (n, first, last): (i64, Option<i64>, Option<i64>) =
            self.conn.query_row("SELECT count(*), min(start_ms), max(start_ms) FROM calls", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        Ok((u64::try_from(n).unwrap_or(0), first, last))
    }

    /// How many names each lookup table holds (`users`, `queues`, `wrapup_codes`, …).
    pub fn lookup_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT kind, count(*) FROM lookups GROUP BY kind ORDER BY kind")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        rows.map(|row| row.map(|(kind, n)| (kind, u64::try_from(n).unwrap_or(0))).map_err(StoreError::from))
            .collect()
    }

    /// Per media, the range of the queues' own service-level targets and how many queues set
    /// one: `(media, shortest, longest, queues)`, shortest targets first.
    pub fn service_level_ranges(&self) -> Result<Vec<(String, i64, i64, u64)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT media, min(target_ms), max(target_ms), count(*) FROM queue_service_levels
             GROUP BY media ORDER BY 2, 1",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
        })?;
        rows.map(|row| {
            row.map(|(m, lo, hi, n)| (m, lo, hi, u64::try_from(n).unwrap_or(0))).map_err(StoreError::from)
        })
        .collect()
    }

    /// The participant data keys (Set Participant Data in Architect) of the latest
    /// [`ATTRIBUTE_SAMPLE`] calls, with how many of them carry each, most common first: what
    /// `[reason]` and `[ivr]` can be set from. Returns the calls looked at, and the keys.
    pub fn attribute_keys(&self) -> Result<(u64, Vec<(String, u64)>), StoreError> {
        let sample = i64::try_from(ATTRIBUTE_SAMPLE).unwrap_or(i64::MAX);
        let looked_at: i64 = self.conn.query_row(
            "SELECT count(*) FROM (SELECT 1 FROM calls ORDER BY start_ms DESC LIMIT ?1)",
            [sample],
            |r| r.get(0),
        )?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT a.key, count(*) FROM (SELECT start_ms, conversation_id FROM calls ORDER BY start_ms DESC LIMIT ?1) c
             JOIN attributes a ON a.call_start_ms = ifnull(c.start_ms, {}) AND a.conversation_id = c.conversation_id
             GROUP BY a.key ORDER BY 2 DESC, 1",
            crate::NO_START
        ))?;
        let keys = stmt
            .query_map([sample], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .map(|row| row.map(|(key, n)| (key, u64::try_from(n).unwrap_or(0))).map_err(StoreError::from))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((u64::try_from(looked_at).unwrap_or(0), keys))
    }

    /// The newest quarantined records.
    pub fn quarantined(&self, limit: usize) -> Result<Vec<QuarantineRow>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT conversation_id, error, at_ms FROM quarantine ORDER BY id DESC LIMIT {limit}"
        ))?;
        let rows = stmt.query_map([], QuarantineRow::of)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The latest record of a conversation kept in quarantine, if the conversation's records
    /// could not be read.
    pub fn quarantined_of(&self, conversation_id: &str) -> Result<Option<QuarantineRow>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT conversation_id, error, at_ms FROM quarantine WHERE conversation_id = ?1 ORDER BY id DESC LIMIT 1",
                [conversation_id],
                QuarantineRow::of,
            )
            .optional()?)
    }

    /// The archive's change sequence: it grows whenever a call is derived or the queues'
    /// service-level targets change, so anything computed from the calls (and measured against
    /// those targets) stays valid while it stays the same.
    pub fn change_seq(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT coalesce(max(change_seq), 0) + (SELECT coalesce(sum(seq), 0) FROM revisions) FROM calls",
            [],
            |r| r.get(0),
        )?)
    }

    /// Each queue's own service-level objective per media, from its settings.
    pub fn service_targets(&self) -> Result<ServiceTargets, StoreError> {
        let mut targets = ServiceTargets::default();
        let mut stmt =
            self.conn.prepare("SELECT queue_id, media, target_ms, goal FROM queue_service_levels")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (queue_id, media): (String, String) = (r.get(0)?, r.get(1)?);
            let objective = Objective { target_ms: r.get(2)?, goal: r.get(3)? };
            targets.0.entry(queue_id).or_default().insert(media, objective);
        }
        Ok(targets)
    }

    /// Folds a report over the calls (or agent legs) the filter selects.
    pub fn report(
        &self,
        kind: ReportKind,
        filter: &CallFilter,
        options: &ReportOptions,
    ) -> Result<Table, StoreError> {
        let mut report = new_report(kind, options);
        if kind.reads_legs() {
            self.scan_legs(filter, |leg| report.add_leg(leg))?;
        } else if kind.reads_visits() {
            self.scan_visits(filter, |visit| report.add_visit(visit))?;
        } else {
            self.scan_calls(filter, kind, |call| report.add_call(call))?;
        }
        Ok(report.finish())
    }

    /// The IVR map of the calls the filter selects, as a tree.
    pub fn ivr_map(&self, filter: &CallFilter) -> Result<IvrMap, StoreError> {
        let mut map = IvrMap::default();
        self.scan_calls(filter, ReportKind::Ivr, |call| map.add(call.ivr_path))?;
        Ok(map.finish())
    }

    /// Hands every call the filter selects to `each`, in start order; returns how many.
    /// The IVR path is read only for the reports of `kind` that need it.
    pub fn scan_calls(
        &self,
        filter: &CallFilter,
        kind: ReportKind,
        mut each: impl FnMut(&CallRow<'_>),
    ) -> Result<u64, StoreError> {
        let (clause, params) = filter.to_sql();
        let path = if kind.reads_ivr_path() { "c.ivr_path" } else { "NULL" };
        // The same customer's next inbound contact, anywhere in the archive: one seek of the
        // (customer_number, start_ms) index per call.
        let (customer, next_contact) = if kind.reads_next_contact() {
            (
                "c.customer_number",
                "(SELECT n.start_ms FROM calls n WHERE n.customer_number = c.customer_number
                    AND n.start_ms > c.start_ms AND n.direction = 'inbound'
                  ORDER BY n.start_ms LIMIT 1) - c.start_ms",
            )
        } else {
            ("NULL", "NULL")
        };
        let sql = format!(
            "SELECT c.start_ms, c.direction, coalesce(c.queue_name, c.queue_id),
                    c.reason, c.outcome, c.ivr_exit, c.ivr_ms, c.queue_ms, c.alert_ms, c.talk_ms, c.hold_ms, c.acw_ms,
                    c.handle_ms, c.wrapup_code_name, coalesce(c.wrapup_user_name, c.wrapup_user_id), {path},
                    {customer}, {next_contact}
             FROM calls c WHERE {clause}"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
        let mut ivr_path: Vec<String> = Vec::new();
        let mut n = 0;
        while let Some(r) = rows.next()? {
            ivr_path.clear();
            if let rusqlite::types::ValueRef::Text(json) = r.get_ref(15)? {
                ivr_path = serde_json::from_slice(json).unwrap_or_default();
            }
            let row = CallRow {
                start_ms: r.get(0)?,
                direction: text(r, 1)?.unwrap_or_default(),
                queue: text(r, 2)?,
                reason: text(r, 3)?,
                outcome: text(r, 4)?.unwrap_or_default(),
                ivr_exit: text(r, 5)?,
                ivr_ms: ms(r.get(6)?),
                queue_ms: ms(r.get(7)?),
                alert_ms: ms(r.get(8)?),
                talk_ms: ms(r.get(9)?),
                hold_ms: ms(r.get(10)?),
                acw_ms: ms(r.get(11)?),
                handle_ms: ms(r.get(12)?),
                wrapup: text(r, 13)?,
                wrapup_agent: text(r, 14)?,
                ivr_path: &ivr_path,
                customer: text(r, 16)?,
                next_contact_ms: r.get(17)?,
            };
            each(&row);
            n += 1;
        }
        Ok(n)
    }

    /// Hands every agent leg of the calls the filter selects to `each`; returns how many.
    pub fn scan_legs(
        &self,
        filter: &CallFilter,
        mut each: impl FnMut(&LegRow<'_>),
    ) -> Result<u64, StoreError> {
        let columns =
            "a.call_start_ms, coalesce(a.name, a.user_id, '(unknown)'), coalesce(a.queue_name, a.queue_id),
                       a.answered, a.not_responding, a.alert_ms, a.talk_ms, a.hold_ms, a.acw_ms";
        self.scan_parts(filter, ("agent_legs", "a"), false, columns, |r| {
            each(&LegRow {
                start_ms: call_start(r.get(0)?),
                agent: text(r, 1)?.unwrap_or_default(),
                queue: text(r, 2)?,
                answered: r.get(3)?,
                not_responding: r.get(4)?,
                alert_ms: ms(r.get(5)?),
                talk_ms: ms(r.get(6)?),
                hold_ms: ms(r.get(7)?),
                acw_ms: ms(r.get(8)?),
            });
            Ok(())
        })
    }

    /// Hands every queue visit of the calls the filter selects to `each`, with its queue's
    /// own service-level objective for its media; returns how many.
    pub fn scan_visits(
        &self,
        filter: &CallFilter,
        mut each: impl FnMut(&VisitRow<'_>),
    ) -> Result<u64, StoreError> {
        let targets = self.service_targets()?;
        let columns =
            "v.call_start_ms, coalesce(v.queue_name, v.queue_id), v.wait_ms, v.outcome, v.handle_ms,
                       v.media_type, v.queue_id";
        self.scan_parts(filter, ("queue_visits", "v"), true, columns, |r| {
            let media = text(r, 5)?;
            each(&VisitRow {
                start_ms: call_start(r.get(0)?),
                queue: text(r, 1)?,
                media,
                objective: targets.get(text(r, 6)?, media),
                wait_ms: ms(r.get(2)?),
                outcome: text(r, 3)?.unwrap_or_default(),
                handle_ms: ms(r.get(4)?),
            });
            Ok(())
        })
    }

    /// Hands `each` the `columns` of every row of `table` (one of a call's parts, clustered by
    /// `call_start_ms`; given with its alias) that the filter, split by
    /// [`CallFilter::for_parts`], selects.
    fn scan_parts(
        &self,
        filter: &CallFilter,
        (table, alias): (&str, &str),
        own_media: bool,
        columns: &str,
        mut each: impl FnMut(&rusqlite::Row<'_>) -> Result<(), rusqlite::Error>,
    ) -> Result<u64, StoreError> {
        let (filter, PartFilter { queue, agent, media }) = filter.for_parts(own_media);
        let filter = &filter;
        let time_only = CallFilter { from_ms: filter.from_ms, to_ms: filter.to_ms, ..CallFilter::default() };
        let (mut sql, mut params) = if *filter == time_only {
            // Parts are clustered by their call's start: a time range is one range of the
            // table, no join needed.
            let mut params = vec![SqlValue::Integer(filter.from_ms.unwrap_or(crate::NO_START + 1))];
            let mut sql = format!("SELECT {columns} FROM {table} {alias} WHERE {alias}.call_start_ms >= ?1");
            if let Some(to) = filter.to_ms {
                params.push(SqlValue::Integer(to));
                let _ = write!(sql, " AND {alias}.call_start_ms < ?2");
            }
            (sql, params)
        } else {
            let (clause, params) = filter.to_sql();
            (format!("SELECT {columns} FROM calls c JOIN {table} {alias} ON {alias}.call_start_ms = ifnull(c.start_ms, {}) AND {alias}.conversation_id = c.conversation_id WHERE {clause}", crate::NO_START), params)
        };
        if let Some(queue) = queue {
            params.push(SqlValue::Text(queue.to_owned()));
            let n = params.len();
            let _ = write!(sql, " AND ({alias}.queue_id = ?{n} OR {alias}.queue_name = ?{n})");
        }
        if let Some(agent) = agent {
            params.push(SqlValue::Text(agent.to_owned()));
            let n = params.len();
            let _ = write!(sql, " AND ({alias}.user_id = ?{n} OR {alias}.name = ?{n})");
        }
        if let Some(media) = media {
            params.push(SqlValue::Text(media.to_lowercase()));
            let _ = write!(sql, " AND {alias}.media_type = ?{}", params.len());
        }
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            each(r)?;
            n += 1;
        }
        Ok(n)
    }
}

/// A call's start as its parts are clustered by it: `None` for a call without one.
fn call_start(key: i64) -> Option<i64> {
    (key != crate::NO_START).then_some(key)
}

/// A text column borrowed from its row (`None` for NULL).
pub(crate) fn text<'r>(row: &'r rusqlite::Row<'_>, index: usize) -> Result<Option<&'r str>, rusqlite::Error> {
    row.get_ref(index)?.as_str_or_null().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1,500 generated calls, some with the hostile profile's text.
    fn archive() -> Store {
        let mut store = Store::open_in_memory().unwrap();
        let now = 1_764_064_800_000;
        let (org, planned) = calltrail_sim::generate(&calltrail_sim::Spec::at(1_500, 4, 5, now));
        for (kind, entries) in org.lookup_tables() {
            store.put_lookups(kind, &entries).unwrap();
        }
        let planned = calltrail_sim::hostile::apply(planned, 4);
        let raws: Vec<Vec<u8>> = calltrail_sim::records_at(&planned, now);
        let slices: Vec<&[u8]> = raws.iter().map(Vec::as_slice).collect();
        store.upsert(&slices, "query", now).unwrap();
        store
    }

    /// Every call's id and stored call record, newest first, as the calls list orders them.
    fn records_newest_first(store: &Store) -> Vec<(String, serde_json::Value)> {
        let mut stmt = store
            .conn
            .prepare("SELECT c.conversation_id, r.record_json FROM calls c JOIN call_records r USING (conversation_id) ORDER BY c.start_ms DESC, c.rowid DESC")
            .unwrap();
        let records = stmt
            .query_map([], |r| Ok((r.get(0)?, serde_json::from_str(&r.get::<_, String>(1)?).unwrap())))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        records
    }

    /// Every call the search lists, paging to the end.
    fn listed(store: &Store, text: &str, common: i64) -> Vec<String> {
        all_listed(store, &CallFilter { text: Some(text.to_owned()), ..CallFilter::default() }, common)
    }

    /// Every call the list shows for `filter`, paging to the end.
    fn all_listed(store: &Store, filter: &CallFilter, common: i64) -> Vec<String> {
        let mut ids = Vec::new();
        let mut before = None;
        loop {
            let page = store.list_calls_walking_above(filter, before, 100, common).unwrap();
            before = page.last().map(|c| c.cursor);
            ids.extend(page.iter().map(|c| c.conversation_id.clone()));
            if page.len() < 100 {
                return ids;
            }
        }
    }

    #[test]
    fn free_text_search_lists_exactly_the_calls_holding_the_text_whichever_way_it_looks() {
        let store = archive();
        let mut stmt = store
            .conn
            .prepare(
                "SELECT conversation_id, customer_number, from_address, to_address, answered_by_name, reason,
                        wrapup_code_name, queue_name FROM calls ORDER BY start_ms DESC, rowid DESC",
            )
            .unwrap();
        let calls: Vec<(String, String)> = stmt
            .query_map([], |r| {
                let mut all = String::new();
                for i in 0..8 {
                    all.push_str(&r.get::<_, Option<String>>(i)?.unwrap_or_default().to_ascii_lowercase());
                    all.push('\u{1}');
                }
                Ok((r.get(0)?, all))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let (reason, agent): (String, String) = store
            .conn
            .query_row(
                "SELECT reason, answered_by_name FROM calls WHERE reason IS NOT NULL AND answered_by_name IS NOT NULL LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let words = [
            reason.to_uppercase(),
            reason[1..4].to_owned(),
            agent.split(' ').next_back().unwrap().to_lowercase(),
            "555".to_owned(),
            "script".to_owned(),
            "50%".to_owned(),
            "a_b".to_owned(),
            "\"quoted\"".to_owned(),
            "no such words anywhere".to_owned(),
        ];
        let mut found_some = 0;
        for word in &words {
            let needle = word.to_ascii_lowercase();
            let expected: Vec<String> =
                calls.iter().filter(|(_, all)| all.contains(&needle)).map(|(id, _)| id.clone()).collect();
            found_some += usize::from(!expected.is_empty());
            assert_eq!(listed(&store, word, i64::MAX), expected, "`{word}` through the trigram index");
            assert_eq!(listed(&store, word, 1), expected, "`{word}` walked call by call");
        }
        assert!(found_some >= 4, "the words are found in some calls");
        let short = CallFilter { text: Some("ab".into()), ..CallFilter::default() };
        assert!(short.search_too_short());
        assert!(!CallFilter { text: Some("+1".into()), ..CallFilter::default() }.search_too_short());
    }

    #[test]
    fn participant_data_finds_the_calls_whose_flows_set_the_key_or_its_value_in_any_case() {
        let store = archive();
        let records = records_newest_first(&store);
        let expected = |key: &str, value: Option<&str>| -> Vec<String> {
            records
                .iter()
                .filter(|(_, call)| {
                    call["ivr"]["attributes"].as_object().is_some_and(|attributes| {
                        attributes.iter().any(|(k, v)| {
                            k.eq_ignore_ascii_case(key)
                                && value.is_none_or(|want| {
                                    v.as_str().is_some_and(|v| v.eq_ignore_ascii_case(want))
                                })
                        })
                    })
                })
                .map(|(id, _)| id.clone())
                .collect()
        };
        let intent = records
            .iter()
            .find_map(|(_, call)| call["ivr"]["attributes"]["MainIntent1"].as_str())
            .expect("a flow set MainIntent1")
            .to_owned();
        let cases = [
            (format!("MainIntent1={intent}"), "MainIntent1", Some(intent.as_str())),
            (format!(" mainintent1 = {} ", intent.to_uppercase()), "MainIntent1", Some(intent.as_str())),
            ("MAININTENT1".to_owned(), "MainIntent1", None),
            ("Final Main Intent=".to_owned(), "Final Main Intent", None),
            ("LOB=No such line".to_owned(), "LOB", Some("No such line")),
            ("NoSuchKey".to_owned(), "NoSuchKey", None),
        ];
        let mut found_some = 0;
        for (given, key, value) in cases {
            let want = expected(key, value);
            found_some += usize::from(!want.is_empty());
            let filter = CallFilter { attribute: Some(given.clone()), ..CallFilter::default() };
            assert_eq!(all_listed(&store, &filter, COMMON_TEXT), want, "`{given}`");
        }
        assert_eq!(found_some, 4, "four of the filters find calls");
        assert_eq!(attribute("=Billing"), None);
        assert_eq!(attribute("a=b=c"), Some(("a", Some("b=c"))));
    }

    #[test]
    fn an_agent_filter_finds_every_call_the_agent_took_part_in_and_only_their_legs() {
        let store = archive();
        // From the call records themselves: each agent's calls, and who placed the outbound ones.
        let records = records_newest_first(&store);
        let placer = records
            .iter()
            .find(|(_, call)| call["direction"] == "outbound" && call["placed_by"]["role"] == "agent")
            .map(|(_, call)| call["placed_by"]["name"].as_str().unwrap().to_owned())
            .expect("an agent placed an outbound call");
        let took_part = |name: &str| -> Vec<String> {
            records
                .iter()
                .filter(|(_, call)| call["agents"].as_array().unwrap().iter().any(|leg| leg["name"] == name))
                .map(|(id, _)| id.clone())
                .collect()
        };
        let listed = |agent: &str| -> Vec<String> {
            let filter = CallFilter { agent: Some(agent.to_owned()), ..CallFilter::default() };
            store.list_calls(&filter, None, 10_000).unwrap().into_iter().map(|c| c.conversation_id).collect()
        };
        let expected = took_part(&placer);
        let directions: std::collections::HashSet<&str> = records
            .iter()
            .filter(|(id, _)| expected.contains(id))
            .map(|(_, call)| call["direction"].as_str().unwrap())
            .collect();
        assert!(directions.contains("outbound") && directions.contains("inbound"), "{directions:?}");
        assert_eq!(listed(&placer), expected);
        let user_id = records
            .iter()
            .flat_map(|(_, call)| call["agents"].as_array().unwrap().iter())
            .find(|leg| leg["name"] == placer.as_str())
            .and_then(|leg| leg["user_id"].as_str())
            .unwrap()
            .to_owned();
        assert_eq!(listed(&user_id), expected, "by user id");
        // The customer an outbound call reached is not an agent of it.
        let customer = records
            .iter()
            .find_map(|(_, call)| {
                let name = call["answered_by"]["name"].as_str()?;
                (call["answered_by"]["role"] == "customer" && took_part(name).is_empty())
                    .then(|| name.to_owned())
            })
            .expect("an outbound call reached a named customer");
        assert_eq!(listed(&customer), Vec::<String>::new());
        // The agents report over an agent's calls is their own row.
        let report = store
            .report(
                ReportKind::Agents,
                &CallFilter { agent: Some(placer.clone()), ..CallFilter::default() },
                &ReportOptions::default(),
            )
            .unwrap()
            .to_json_rows();
        assert_eq!(report.len(), 1, "{report:?}");
        assert_eq!(report[0]["agent"], placer.as_str());
        let legs = records
            .iter()
            .flat_map(|(_, call)| call["agents"].as_array().unwrap().iter())
            .filter(|leg| leg["name"] == placer.as_str())
            .count();
        assert_eq!(report[0]["offered"], legs);
    }

    #[test]
    fn numbers_are_found_however_they_are_typed() {
        let store = archive();
        let numbers: Vec<(String, String)> = store
            .conn
            .prepare("SELECT conversation_id, customer_number FROM calls WHERE customer_number LIKE '+1__________' ORDER BY start_ms DESC, rowid DESC")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let number = numbers[numbers.len() / 2].1.clone();
        let with_it: Vec<String> =
            numbers.iter().filter(|(_, n)| *n == number).map(|(id, _)| id.clone()).collect();
        let (area, exchange, line) = (&number[2..5], &number[5..8], &number[8..]);
        let typed = [
            number.clone(),
            format!("tel:{number}"),
            format!("+1 ({area}) {exchange}-{line}"),
            format!(" +1.{area}.{exchange}.{line} "),
            format!("({area}) {exchange}-{line}"),
            format!("{area}-{exchange}-{line}"),
            format!("{area}{exchange}{line}"),
        ];
        let listed_by_number = |typed: &str| -> Vec<String> {
            let filter = CallFilter { number: Some(typed.to_owned()), ..CallFilter::default() };
            store.list_calls(&filter, None, 1_000).unwrap().into_iter().map(|c| c.conversation_id).collect()
        };
        for typed in &typed {
            assert_eq!(listed_by_number(typed), with_it, "--number {typed:?}");
            assert_eq!(listed(&store, typed, i64::MAX), with_it, "search {typed:?}");
            assert_eq!(listed(&store, typed, 1), with_it, "search {typed:?}, walked");
        }
        // The start of a number with `+` is a prefix; digits alone are found anywhere.
        let prefix: Vec<String> =
            numbers.iter().filter(|(_, n)| n.starts_with(&number[..5])).map(|(id, _)| id.clone()).collect();
        assert!(prefix.len() > with_it.len());
        assert_eq!(listed_by_number(&format!("+1 {area}")), prefix);
        assert_eq!(listed(&store, &format!("+1 ({area})"), i64::MAX), prefix);

        assert_eq!(dialled("+44 20 7946 0958").as_deref(), Some("+442079460958"));
        assert_eq!(dialled("+1").as_deref(), Some("+1"));
        assert_eq!(dialled("12"), None);
        assert_eq!(dialled("sip:alice@example.com"), None);
        assert_eq!(dialled("1-800-FLOWERS"), None);
        // Ids as pasted stay ids; digits alone may be either, so they are looked for anywhere.
        assert!(id_start("8acee780") && id_start("12345678-1234") && id_start("8acee780-fec1-4b9e"));
        assert!(!id_start("617-107-3802") && !id_start("6171073802") && !id_start("cafe"));
    }

    #[test]
    fn names_are_spelt_as_the_archive_spells_them() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .put_lookups("queues", &[("q1".into(), "Sales".into()), ("q2".into(), "Sales Support".into())])
            .unwrap();
        store
            .put_lookups("users", &[("u1".into(), "Ana Lima".into()), ("u2".into(), "ANA LIMA".into())])
            .unwrap();
        let spelt = |filter: CallFilter| {
            let mut filter = filter;
            let unknown = store.spell_names(&mut filter).unwrap();
            (filter, unknown.iter().map(ToString::to_string).collect::<Vec<_>>())
        };
        let (filter, unknown) = spelt(CallFilter { queue: Some("sales".into()), ..CallFilter::default() });
        assert_eq!((filter.queue.as_deref(), unknown.len()), (Some("Sales"), 0));
        // Ids and exact names stay as given.
        for given in ["q2", "Sales Support"] {
            let (filter, unknown) = spelt(CallFilter { queue: Some(given.into()), ..CallFilter::default() });
            assert_eq!((filter.queue.as_deref(), unknown.len()), (Some(given), 0));
        }
        // Two names differing only in case: neither is guessed.
        let (filter, unknown) = spelt(CallFilter { agent: Some("ana lima".into()), ..CallFilter::default() });
        assert_eq!(filter.agent.as_deref(), Some("ana lima"));
        assert_eq!(unknown, ["no agent is named `ana lima` (did you mean `ANA LIMA` or `Ana Lima`?)"]);
        let (_, unknown) = spelt(CallFilter { queue: Some("support".into()), ..CallFilter::default() });
        assert_eq!(unknown, ["no queue is named `support` (did you mean `Sales Support`?)"]);
        // Wrap-up codes: none in the lookups, so nothing to say.
        let (_, unknown) = spelt(CallFilter { wrapup: Some("x".into()), ..CallFilter::default() });
        assert!(unknown.is_empty());
    }

    #[test]
    fn the_search_index_follows_a_call_rederived_with_other_names() {
        let mut store = Store::open_in_memory().unwrap();
        let record = |note: &str| {
            format!(
                r#"{{"conversationId":"c1","conversationStart":"2024-01-02T10:00:00.000Z","conversationEnd":"2024-01-02T10:06:00.000Z","participants":[{{"purpose":"customer","participantId":"p1","sessions":[{{"mediaType":"voice","direction":"inbound","ani":"tel:+1555","segments":[{{"segmentType":"interact","segmentStart":"2024-01-02T10:00:00.000Z","segmentEnd":"2024-01-02T10:05:00.000Z","disconnectType":"endpoint"}}]}}]}},{{"purpose":"agent","participantId":"p2","userId":"u1","sessions":[{{"mediaType":"voice","direction":"inbound","segments":[{{"segmentType":"interact","segmentStart":"2024-01-02T10:00:10.000Z","segmentEnd":"2024-01-02T10:05:00.000Z"}},{{"segmentType":"wrapup","segmentStart":"2024-01-02T10:05:00.000Z","segmentEnd":"2024-01-02T10:06:00.000Z","wrapUpCode":"w1","wrapUpNote":"{note}"}}]}}]}}]}}"#
            )
            .into_bytes()
        };
        store.put_lookups("users", &[("u1".into(), "Quokka Zebra".into())]).unwrap();
        store.upsert(&[&record("first")], "query", 1).unwrap();
        assert_eq!(listed(&store, "quokka", i64::MAX), ["c1"]);
        store.put_lookups("users", &[("u1".into(), "Yak Herder".into())]).unwrap();
        store.upsert(&[&record("second")], "query", 2).unwrap();
        assert!(listed(&store, "quokka", i64::MAX).is_empty(), "the old name is gone from the index");
        assert_eq!(listed(&store, "YAK", i64::MAX), ["c1"]);
        let intact = |store: &Store| {
            let check = store
                .conn
                .execute("INSERT INTO calls_search (calls_search, rank) VALUES ('integrity-check', 1)", []);
            assert!(check.is_ok(), "{check:?}");
        };
        intact(&store);
        // The latest call changed again counts as a change; one changed twice in a batch, a
        // call derived again and one given its Conversations API record leave the index whole.
        let seq = store.change_seq().unwrap();
        store.upsert(&[&record("third")], "query", 3).unwrap();
        assert!(store.change_seq().unwrap() > seq, "the archive changed");
        store.put_lookups("users", &[("u1".into(), "Gnu Keeper".into())]).unwrap();
        store.upsert(&[&record("fourth"), &record("fifth")], "query", 4).unwrap();
        intact(&store);
        assert_eq!(listed(&store, "gnu", i64::MAX), ["c1"]);
        assert!(listed(&store, "yak", i64::MAX).is_empty());
        store.put_lookups("users", &[("u1".into(), "Ibis Tamer".into())]).unwrap();
        assert_eq!(store.rederive().unwrap(), 1);
        intact(&store);
        assert_eq!(listed(&store, "ibis", i64::MAX), ["c1"]);
        store.put_api_record("c1", br#"{"id":"c1","participants":[]}"#, 5).unwrap();
        intact(&store);
        assert_eq!(listed(&store, "ibis", i64::MAX), ["c1"]);
    }
}
