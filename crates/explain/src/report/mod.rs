//! Reports: what many calls say together. Pure aggregations over the archive's rows — the
//! archive streams [`CallRow`]s and [`LegRow`]s in, a [`Report`] folds them, and a
//! [`Table`] comes out for the terminal, CSV, JSON and the web UI alike.
//!
//! Definitions, stated once:
//! - durations are averaged over the calls that had that phase (a call without hold does not
//!   pull the average hold down); medians and p90s are nearest-rank;
//! - days and hours are the contact centre's local ones (a [`Zone`]);
//! - "abandoned" is the call record's outcome `abandoned_in_ivr` or `abandoned_in_queue`; a
//!   short abandon is one under the `short_abandon_ms` threshold (default 10 s);
//! - `outcomes` puts every call in one outcome column; its answer and abandon rates are over
//!   the inbound calls (an outbound or internal call connects or goes unanswered);
//! - a call belongs to one queue: the one that answered it, or the last it waited in (a call
//!   passed from queue to queue counts once, under the last, with all its waits), except in
//!   the queue performance report;
//! - the queue performance report counts queue visits, as Genesys' queue metrics do: a call
//!   passed from one queue to another is offered to both, each with its own wait and its own
//!   ending (answered, abandoned, or moved on). Its rows are split by the media of the wait
//!   (`voice`, `callback`, `chat`, `email`, `message`), as Genesys splits queue metrics: an
//!   e-mail waits hours where a call waits seconds. A queue's service level is the visits
//!   answered within the target over those answered or abandoned, short abandons left out;
//!   the target is the one asked for (`service_target_ms`), else the queue's own for the
//!   media (its settings' `serviceLevel.durationMs`, as Genesys measures it), else 20 s; its
//!   goal is the queue's `serviceLevel.percentage`, shown only where every wait of the row had
//!   the same one and no target was asked for. Its speed of answer is the wait of the answered
//!   visits, and its handle time that of the agents who answered from it;
//! - `repeats` judges each inbound call from a customer their number or address names (five
//!   digits or more, or an `@`): it was followed by a repeat contact when the same customer's
//!   next inbound conversation, of any media and anywhere in the archive (past the report's
//!   range too), started within the window (seven days unless asked otherwise).

mod ivr;
pub mod table;

use std::collections::{BTreeMap, HashMap};

/// The maps reports group by: a fast hash (keys are names the archive wrote, and hashing is
/// most of a report's time) and lookups by `&str` that copy the key only when it is new.
type Map<K, V> = hashbrown::HashMap<K, V>;

use calltrail_model::Zone;

use crate::record::Outcome;

pub use ivr::{ending_of, IvrMap, IvrNode};
pub use table::{col, csv_cell, render_table, Cell, Column, Kind, Show, Table};

/// What a report needs of one archived call: a view borrowed from wherever the call is
/// held (a row of the archive, an in-memory index), so folding a million calls allocates
/// nothing per call.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CallRow<'a> {
    /// When the call started (ms since the epoch).
    pub start_ms: Option<i64>,
    /// `inbound`, `outbound` or `internal`.
    pub direction: &'a str,
    /// The queue that answered the call, or the last it waited in.
    pub queue: Option<&'a str>,
    /// Why the customer called.
    pub reason: Option<&'a str>,
    /// The call record's outcome.
    pub outcome: &'a str,
    /// How the call left the IVR.
    pub ivr_exit: Option<&'a str>,
    /// Phase totals (ms).
    pub ivr_ms: i64,
    /// Time waiting in queue.
    pub queue_ms: i64,
    /// Time ringing agents.
    pub alert_ms: i64,
    /// Time talking.
    pub talk_ms: i64,
    /// Time on hold.
    pub hold_ms: i64,
    /// After-call work.
    pub acw_ms: i64,
    /// Handle time.
    pub handle_ms: i64,
    /// The concluding wrap-up code's name.
    pub wrapup: Option<&'a str>,
    /// Who left that wrap-up.
    pub wrapup_agent: Option<&'a str>,
    /// The IVR path.
    pub ivr_path: &'a [String],
    /// The customer's number or address (`repeats` only).
    pub customer: Option<&'a str>,
    /// How long after this call's start the same customer next made an inbound contact,
    /// anywhere in the archive (`repeats` only).
    pub next_contact_ms: Option<i64>,
}

/// A queue's service-level objective for one media, from its settings: answer `goal` of the
/// waits within `target_ms`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Objective {
    /// Waits answered within it meet the service level (`serviceLevel.durationMs`).
    pub target_ms: i64,
    /// The share of waits meant to meet it, 0 to 1 (`serviceLevel.percentage`), when set.
    pub goal: Option<f64>,
}

/// What the queue performance report needs of one wait of a call in a queue (borrowed, like
/// [`CallRow`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct VisitRow<'a> {
    /// When the call started.
    pub start_ms: Option<i64>,
    /// The queue (its name, else its id).
    pub queue: Option<&'a str>,
    /// The media of the queue's session: `voice`, `callback`, `chat`, `email`, `message`.
    pub media: Option<&'a str>,
    /// The queue's own service-level objective for that media, from its settings, when known.
    pub objective: Option<Objective>,
    /// Time waiting in it (tAcd).
    pub wait_ms: i64,
    /// How the visit ended: `answered`, `abandoned`, `transferred`, `flow_out`, `ongoing`.
    pub outcome: &'a str,
    /// The handle time of the agents who answered from this queue (on the queue's first
    /// answered visit of the call; 0 otherwise).
    pub handle_ms: i64,
}

/// What a report needs of one agent's part in a call (borrowed, like [`CallRow`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LegRow<'a> {
    /// When the call started.
    pub start_ms: Option<i64>,
    /// The agent (name, or user id when the name is unknown).
    pub agent: &'a str,
    /// The queue the call was offered from.
    pub queue: Option<&'a str>,
    /// The agent connected.
    pub answered: bool,
    /// The agent let it ring out.
    pub not_responding: bool,
    /// Time ringing.
    pub alert_ms: i64,
    /// Time talking.
    pub talk_ms: i64,
    /// Time on hold.
    pub hold_ms: i64,
    /// After-call work.
    pub acw_ms: i64,
}

/// The reports calltrail knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// Where calls go in the IVR and where they end.
    Ivr,
    /// How calls ended, per day: volumes by direction and by outcome.
    Outcomes,
    /// Why customers call.
    Reasons,
    /// Phase durations per queue and day.
    Phases,
    /// Queue performance per queue and day: offered, answered, abandoned, service level.
    Queues,
    /// Wrap-up codes per queue and agent.
    Wrapups,
    /// Where and after how long callers give up.
    Abandons,
    /// Agents: offered, answered, not responding, handle time.
    Agents,
    /// Customers who contacted again soon after: the repeat contact rate per reason.
    Repeats,
}

impl ReportKind {
    /// Every report, in the order they are listed.
    pub const ALL: [ReportKind; 9] = [
        ReportKind::Ivr,
        ReportKind::Outcomes,
        ReportKind::Reasons,
        ReportKind::Phases,
        ReportKind::Queues,
        ReportKind::Wrapups,
        ReportKind::Abandons,
        ReportKind::Agents,
        ReportKind::Repeats,
    ];

    /// Its name on the command line and in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Ivr => "ivr",
            ReportKind::Outcomes => "outcomes",
            ReportKind::Reasons => "reasons",
            ReportKind::Phases => "phases",
            ReportKind::Queues => "queues",
            ReportKind::Wrapups => "wrapups",
            ReportKind::Abandons => "abandons",
            ReportKind::Agents => "agents",
            ReportKind::Repeats => "repeats",
        }
    }

    /// The report of a name.
    pub fn parse(name: &str) -> Option<ReportKind> {
        ReportKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// A title for people.
    pub fn title(self) -> &'static str {
        match self {
            ReportKind::Ivr => "IVR map: where calls go and where they end",
            ReportKind::Outcomes => "How calls ended, day by day",
            ReportKind::Reasons => "Why customers call",
            ReportKind::Phases => "How long each phase takes",
            ReportKind::Queues => "Queue performance: offered, answered, abandoned, service level",
            ReportKind::Wrapups => "Wrap-up codes per queue and agent",
            ReportKind::Abandons => "Where and when callers give up",
            ReportKind::Agents => "Agents",
            ReportKind::Repeats => "Customers who contacted again",
        }
    }

    /// How the report groups calls when not told: `outcomes` by day, `phases` and `queues` by
    /// queue and day (the others do not group by period).
    pub fn default_group_by(self) -> GroupBy {
        match self {
            ReportKind::Outcomes => GroupBy { queue: false, day: true, hour: false },
            ReportKind::Repeats => GroupBy { queue: false, day: false, hour: false },
            _ => GroupBy::default(),
        }
    }

    /// True when the report reads agent legs rather than calls.
    pub fn reads_legs(self) -> bool {
        self == ReportKind::Agents
    }

    /// True when the report needs the IVR path of each call.
    pub fn reads_ivr_path(self) -> bool {
        self == ReportKind::Ivr
    }

    /// True when the report needs each call's customer and when they next made contact.
    pub fn reads_next_contact(self) -> bool {
        self == ReportKind::Repeats
    }

    /// True when the report reads queue visits rather than calls.
    pub fn reads_visits(self) -> bool {
        self == ReportKind::Queues
    }
}

/// How `outcomes`, `phases` and `queues` group calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupBy {
    /// One group per queue.
    pub queue: bool,
    /// One group per local day.
    pub day: bool,
    /// One group per local hour of the day (of each day when grouped by day too).
    pub hour: bool,
}

impl Default for GroupBy {
    fn default() -> GroupBy {
        GroupBy { queue: true, day: true, hour: false }
    }
}

/// The service level's target wait when neither the report nor the queue's settings give one:
/// calls answered within 20 s meet it.
pub const DEFAULT_SERVICE_TARGET_MS: i64 = 20_000;

/// Abandons shorter than this are short unless another threshold is given.
pub const DEFAULT_SHORT_ABANDON_MS: i64 = 10_000;

/// What shapes a report besides the rows.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// The local time zone for days.
    pub zone: Zone,
    /// How `outcomes`, `phases` and `queues` group calls.
    pub group_by: GroupBy,
    /// `queues`: waits answered within this meet the service level, in every queue; when not
    /// given, each wait's queue's own target for its media ([`VisitRow::objective`]), else 20 s.
    pub service_target_ms: Option<i64>,
    /// Abandons shorter than this are short abandons (default 10 s).
    pub short_abandon_ms: Option<i64>,
    /// `repeats`: a customer's next contact within this counts as contacting again (default
    /// seven days).
    pub repeat_within_ms: Option<i64>,
}

/// A customer's next contact within this counts as contacting again unless another window is
/// given: a week, the usual window of first-contact resolution.
pub const DEFAULT_REPEAT_WITHIN_MS: i64 = 7 * 86_400_000;

/// A report being folded.
pub trait Report {
    /// Adds one call (ignored by reports over legs).
    fn add_call(&mut self, _row: &CallRow<'_>) {}
    /// Adds one agent leg (ignored by reports over calls).
    fn add_leg(&mut self, _row: &LegRow<'_>) {}
    /// Adds one queue visit (ignored by reports over calls).
    fn add_visit(&mut self, _row: &VisitRow<'_>) {}
    /// The result.
    fn finish(self: Box<Self>) -> Table;
}

/// A fresh report of a kind.
pub fn new_report(kind: ReportKind, options: &ReportOptions) -> Box<dyn Report> {
    match kind {
        ReportKind::Ivr => Box::new(IvrMap::default()),
        ReportKind::Outcomes => Box::new(Outcomes(Groups::new(options))),
        ReportKind::Reasons => Box::<Reasons>::default(),
        ReportKind::Phases => Box::new(Phases(Groups::new(options))),
        ReportKind::Queues => Box::new(Queues {
            groups: Groups::new(options),
            target_ms: options.service_target_ms,
            short_ms: options.short_abandon_ms.unwrap_or(DEFAULT_SHORT_ABANDON_MS),
        }),
        ReportKind::Wrapups => Box::<Wrapups>::default(),
        ReportKind::Abandons => Box::new(Abandons::new(options)),
        ReportKind::Agents => Box::<Agents>::default(),
        ReportKind::Repeats => Box::new(Repeats {
            by_queue: options.group_by.queue,
            within_ms: options.repeat_within_ms.unwrap_or(DEFAULT_REPEAT_WITHIN_MS),
            groups: Map::default(),
        }),
    }
}

impl Report for IvrMap {
    fn add_call(&mut self, row: &CallRow<'_>) {
        self.add(row.ivr_path);
    }
    fn finish(self: Box<Self>) -> Table {
        IvrMap::finish(*self).table()
    }
}

/// Durations collected for an average, median and p90.
#[derive(Debug, Clone, Default)]
pub struct Durations(Vec<i64>);

/// The mean of `count` durations that add up to `sum`, rounded to the millisecond; `None` of
/// none. Reports use it for every average, so that an average recombined from a report's
/// sums and counts (`handle_ms` and `handled` of `outcomes`) equals the report's own.
pub fn mean(sum: i64, count: u64) -> Option<i64> {
    let n = i64::try_from(count).ok().filter(|n| *n > 0)?;
    Some((sum + n / 2) / n)
}

impl Durations {
    /// Adds a duration when it is positive (the call had that phase).
    pub fn add(&mut self, ms: i64) {
        if ms > 0 {
            self.0.push(ms);
        }
    }

    /// How many.
    pub fn count(&self) -> u64 {
        self.0.len() as u64
    }

    /// The sum.
    pub fn sum(&self) -> i64 {
        self.0.iter().sum()
    }

    /// The mean, rounded to the millisecond.
    pub fn average(&self) -> Option<i64> {
        mean(self.sum(), self.count())
    }

    /// The nearest-rank percentile (`p` in 0..=100).
    pub fn percentile(&mut self, p: u32) -> Option<i64> {
        let n = self.0.len();
        if n == 0 {
            return None;
        }
        let rank = (n * p as usize).div_ceil(100).clamp(1, n);
        let (_, value, _) = self.0.select_nth_unstable(rank - 1);
        Some(*value)
    }
}

fn rate(part: u64, whole: u64) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)]
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn is_abandoned(outcome: &str) -> bool {
    outcome == "abandoned_in_ivr" || outcome == "abandoned_in_queue"
}

const NONE: &str = "(none)";

/// The entry of `key`, made on first use: the key is copied once per distinct value, not
/// once per call.
fn slot<'m, V: Default>(map: &'m mut Map<String, V>, key: &str) -> &'m mut V {
    map.entry_ref(key).or_default()
}

/// How calls ended, per period (and queue, when asked): how many came in, went out or stayed
/// inside, and how many ended each way.
#[derive(Debug)]
struct Outcomes(Groups<OutcomeTally>);

#[derive(Debug, Default)]
struct OutcomeTally {
    calls: u64,
    /// Inbound, outbound, internal.
    directions: [u64; 3],
    /// Per [`Outcome::ALL`]; an outcome the list does not know counts in `calls` only.
    outcomes: [u64; Outcome::ALL.len()],
    /// Calls with a handle time, and its total: an average needs no more.
    handled: u64,
    handle_ms: i64,
}

impl Report for Outcomes {
    fn add_call(&mut self, row: &CallRow<'_>) {
        let t = self.0.group(row.start_ms, row.queue);
        t.calls += 1;
        let direction = match row.direction {
            "inbound" => Some(0),
            "outbound" => Some(1),
            "internal" => Some(2),
            _ => None,
        };
        if let Some(at) = direction {
            t.directions[at] += 1;
        }
        if let Some(at) = Outcome::parse(row.outcome).and_then(outcome_column) {
            t.outcomes[at] += 1;
        }
        if row.handle_ms > 0 {
            t.handled += 1;
            t.handle_ms = t.handle_ms.saturating_add(row.handle_ms);
        }
    }

    fn finish(self: Box<Self>) -> Table {
        let mut columns = self.0.columns();
        columns.extend([
            col("calls", Kind::Count),
            col("inbound", Kind::Count),
            col("outbound", Kind::Count),
            col("internal", Kind::Count),
        ]);
        columns.extend(Outcome::ALL.iter().map(|o| col(o.as_str(), Kind::Count)));
        columns.extend([
            col("answer_rate", Kind::Rate),
            col("abandon_rate", Kind::Rate),
            col("avg_handle_ms", Kind::Ms),
            // What the average is made of, so that averages over several rows can be exact.
            Column { name: "handled", kind: Kind::Count, show: Show::DataOnly },
            Column { name: "handle_ms", kind: Kind::Ms, show: Show::DataOnly },
        ]);
        let mut table = Table::new(&columns);
        for (mut row, t) in self.0.into_groups() {
            let [inbound, outbound, internal] = t.directions;
            let count = |outcome: Outcome| outcome_column(outcome).map_or(0, |at| t.outcomes[at]);
            // Answered and abandoned are said of calls that came in: an outbound call connects
            // or goes unanswered.
            let abandoned = count(Outcome::AbandonedInIvr) + count(Outcome::AbandonedInQueue);
            row.extend([t.calls.into(), inbound.into(), outbound.into(), internal.into()]);
            row.extend(t.outcomes.iter().map(|n| Cell::from(*n)));
            row.extend([
                rate(count(Outcome::Answered), inbound).into(),
                rate(abandoned, inbound).into(),
                mean(t.handle_ms, t.handled).into(),
                t.handled.into(),
                t.handle_ms.into(),
            ]);
            table.rows.push(row);
        }
        table
    }
}

/// Where an outcome's count stands in [`OutcomeTally::outcomes`] and the report's columns.
fn outcome_column(outcome: Outcome) -> Option<usize> {
    Outcome::ALL.iter().position(|o| *o == outcome)
}

/// Why customers call.
#[derive(Debug, Default)]
struct Reasons {
    total: u64,
    by_reason: Map<String, ReasonTally>,
}

#[derive(Debug, Default)]
struct ReasonTally {
    calls: u64,
    answered: u64,
    abandoned: u64,
    self_served: u64,
    handle: Durations,
}

impl Report for Reasons {
    fn add_call(&mut self, row: &CallRow<'_>) {
        self.total += 1;
        let key = row.reason.unwrap_or(NONE);
        let tally = slot(&mut self.by_reason, key);
        tally.calls += 1;
        tally.answered += u64::from(row.outcome == "answered");
        tally.abandoned += u64::from(is_abandoned(row.outcome));
        tally.self_served += u64::from(row.outcome == "self_served");
        tally.handle.add(row.handle_ms);
    }

    fn finish(self: Box<Self>) -> Table {
        let mut table = Table::new(&[
            col("reason", Kind::Text),
            col("calls", Kind::Count),
            col("share", Kind::Rate),
            col("answered", Kind::Count),
            col("answer_rate", Kind::Rate),
            col("abandoned", Kind::Count),
            col("abandon_rate", Kind::Rate),
            col("self_served", Kind::Count),
            col("avg_handle_ms", Kind::Ms),
        ]);
        let mut rows: Vec<(String, ReasonTally)> = self.by_reason.into_iter().collect();
        rows.sort_by(|a, b| b.1.calls.cmp(&a.1.calls).then_with(|| a.0.cmp(&b.0)));
        for (reason, t) in rows {
            table.rows.push(vec![
                reason.into(),
                t.calls.into(),
                rate(t.calls, self.total).into(),
                t.answered.into(),
                rate(t.answered, t.calls).into(),
                t.abandoned.into(),
                rate(t.abandoned, t.calls).into(),
                t.self_served.into(),
                t.handle.average().into(),
            ]);
        }
        table
    }
}

/// Customers who contacted again: of the inbound calls from a customer the number or address
/// identifies, per reason (or per queue with `--by queue`), how many were followed by another
/// inbound contact from the same customer within the window, and how soon.
#[derive(Debug)]
struct Repeats {
    by_queue: bool,
    within_ms: i64,
    groups: Map<String, RepeatTally>,
}

#[derive(Debug, Default)]
struct RepeatTally {
    calls: u64,
    customers: hashbrown::HashSet<String>,
    again: u64,
    gaps: Durations,
}

/// Whether a customer number or address names one customer: an e-mail address or a number of
/// five digits or more, not a withheld caller (`anonymous`) or a short internal code.
pub fn identifies_customer(number: &str) -> bool {
    number.contains('@') || number.bytes().filter(u8::is_ascii_digit).count() >= 5
}

impl Report for Repeats {
    fn add_call(&mut self, row: &CallRow<'_>) {
        if row.direction != "inbound" {
            return;
        }
        let Some(customer) = row.customer.filter(|c| identifies_customer(c)) else { return };
        let key = if self.by_queue { row.queue } else { row.reason };
        let tally = slot(&mut self.groups, key.unwrap_or(NONE));
        tally.calls += 1;
        tally.customers.get_or_insert_with(customer, str::to_owned);
        if let Some(gap) = row.next_contact_ms.filter(|gap| *gap <= self.within_ms) {
            tally.again += 1;
            tally.gaps.add(gap.max(1));
        }
    }

    fn finish(self: Box<Self>) -> Table {
        let mut table = Table::new(&[
            col(if self.by_queue { "queue" } else { "reason" }, Kind::Text),
            col("calls", Kind::Count),
            col("customers", Kind::Count),
            col("contacted_again", Kind::Count),
            col("repeat_rate", Kind::Rate),
            col("median_until_next_ms", Kind::Ms),
        ]);
        let mut rows: Vec<(String, RepeatTally)> = self.groups.into_iter().collect();
        rows.sort_by(|a, b| b.1.calls.cmp(&a.1.calls).then_with(|| a.0.cmp(&b.0)));
        for (group, mut t) in rows {
            table.rows.push(vec![
                group.into(),
                t.calls.into(),
                (t.customers.len() as u64).into(),
                t.again.into(),
                rate(t.again, t.calls).into(),
                t.gaps.percentile(50).into(),
            ]);
        }
        table
    }
}

/// Calls grouped by the contact centre's local day, hour and queue, as `--by` asks: the part
/// the period reports (`outcomes`, `phases`, `queues`) share.
#[derive(Debug)]
struct Groups<T> {
    zone: Zone,
    group_by: GroupBy,
    /// Per period (its day and hour, each `""` when not grouped by it): queue ([`EVERY_QUEUE`]
    /// when not grouped by queue) → `T`.
    periods: Vec<((String, String), Map<String, T>)>,
    /// Where each period is in `periods`.
    slots: HashMap<(String, String), usize>,
    /// The period last seen, as `[start, end)` in ms and its place in `periods`: calls come
    /// in start order, so most calls fall in the period before them.
    last: Option<(i64, i64, usize)>,
}

/// The one group of a period's calls when they are not grouped by queue. Not `""`: looking the
/// empty string up in these maps measured ten times slower than a short name (150 ms against
/// 12 for a million calls).
const EVERY_QUEUE: &str = "(every queue)";

/// Local hours change only on UTC quarter hours (every zone's offset is a multiple of 15
/// minutes), so a call's hour is known from the quarter it started in.
const QUARTER: i64 = 15 * 60_000;

impl<T: Default> Groups<T> {
    fn new(options: &ReportOptions) -> Groups<T> {
        Groups {
            zone: options.zone.clone(),
            group_by: options.group_by,
            periods: Vec::new(),
            slots: HashMap::new(),
            last: None,
        }
    }

    /// The group of a call that started at `start_ms` in `queue`.
    fn group(&mut self, start_ms: Option<i64>, queue: Option<&str>) -> &mut T {
        let at = self.period_of(start_ms);
        let queue = if self.group_by.queue { queue.unwrap_or(NONE) } else { EVERY_QUEUE };
        slot(&mut self.periods[at].1, queue)
    }

    /// The place in `periods` of a period.
    fn slot_of(&mut self, day: &str, hour: &str) -> usize {
        let key = (day.to_owned(), hour.to_owned());
        if let Some(at) = self.slots.get(&key) {
            return *at;
        }
        self.periods.push((key.clone(), Map::default()));
        self.slots.insert(key, self.periods.len() - 1);
        self.periods.len() - 1
    }

    /// The place in `periods` of a call's local day and hour.
    fn period_of(&mut self, start_ms: Option<i64>) -> usize {
        let GroupBy { day: by_day, hour: by_hour, .. } = self.group_by;
        if !by_day && !by_hour {
            // One period holds every call: the first and only one.
            return if self.periods.is_empty() { self.slot_of("", "") } else { 0 };
        }
        let Some(ms) = start_ms else { return self.slot_of(NONE, if by_hour { NONE } else { "" }) };
        if let Some((from, to, at)) = self.last {
            if (from..to).contains(&ms) {
                return at;
            }
        }
        let (Some(date), Some(hour)) = (self.zone.date(ms), self.zone.hour(ms)) else {
            return self.slot_of(NONE, if by_hour { NONE } else { "" });
        };
        let at = self.slot_of(
            if by_day { &date } else { "" },
            &if by_hour { format!("{hour:02}:00") } else { String::new() },
        );
        // How long the same period holds: the local day, or the quarter hour it started in.
        // Bounds the zone cannot give are looked up again next call.
        self.last = if by_hour {
            let from = ms.div_euclid(QUARTER) * QUARTER;
            let same = self.zone.hour(from) == Some(hour) && self.zone.hour(from + QUARTER - 1) == Some(hour);
            same.then_some((from, from + QUARTER, at))
        } else {
            let bounds = self.zone.day_start(&date).zip(self.zone.day_end(&date));
            bounds.filter(|(from, to)| (*from..*to).contains(&ms)).map(|(from, to)| (from, to, at))
        };
        at
    }

    /// The grouping's columns (`queue`, `day`, `hour`), to lead a table.
    fn columns(&self) -> Vec<Column> {
        let GroupBy { queue, day, hour } = self.group_by;
        [(queue, "queue"), (day, "day"), (hour, "hour")]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, name)| col(name, Kind::Text))
            .collect()
    }

    /// Every group with the cells that lead its rows, by queue, day and hour.
    fn into_groups(self) -> Vec<(Vec<Cell>, T)> {
        let GroupBy { queue: by_queue, day: by_day, hour: by_hour } = self.group_by;
        let mut groups: Vec<(String, (String, String), T)> = self
            .periods
            .into_iter()
            .flat_map(|(period, queues)| queues.into_iter().map(move |(queue, t)| (queue, period.clone(), t)))
            .collect();
        groups.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        groups
            .into_iter()
            .map(|(queue, (day, hour), t)| {
                let lead = [(by_queue, queue), (by_day, day), (by_hour, hour)]
                    .into_iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, text)| Cell::from(text))
                    .collect();
                (lead, t)
            })
            .collect()
    }
}

/// Phase durations per queue and day.
#[derive(Debug)]
struct Phases(Groups<[Durations; PHASES.len()]>);

const PHASES: [&str; 7] = ["ivr", "queue", "alert", "talk", "hold", "acw", "handle"];

impl Report for Phases {
    fn add_call(&mut self, row: &CallRow<'_>) {
        let durations = self.0.group(row.start_ms, row.queue);
        let values =
            [row.ivr_ms, row.queue_ms, row.alert_ms, row.talk_ms, row.hold_ms, row.acw_ms, row.handle_ms];
        for (d, v) in durations.iter_mut().zip(values) {
            d.add(v);
        }
    }

    fn finish(self: Box<Self>) -> Table {
        let mut columns = self.0.columns();
        columns.extend([
            col("phase", Kind::Text),
            col("calls", Kind::Count),
            col("avg_ms", Kind::Ms),
            col("median_ms", Kind::Ms),
            col("p90_ms", Kind::Ms),
            col("total_ms", Kind::Ms),
        ]);
        let mut table = Table::new(&columns);
        for (lead, mut durations) in self.0.into_groups() {
            for (phase, d) in PHASES.iter().zip(durations.iter_mut()) {
                if d.count() == 0 {
                    continue;
                }
                let mut row = lead.clone();
                row.extend([
                    (*phase).into(),
                    d.count().into(),
                    d.average().into(),
                    d.percentile(50).into(),
                    d.percentile(90).into(),
                    d.sum().into(),
                ]);
                table.rows.push(row);
            }
        }
        table
    }
}

/// Queue performance per queue and day, over queue visits: calls offered, answered and
/// abandoned, the service level and the speed of answer; always split by media, as an e-mail
/// or a callback waits hours where a call waits seconds.
#[derive(Debug)]
struct Queues {
    /// Per group, media → tally.
    groups: Groups<Map<String, QueueTally>>,
    /// The target the report was asked for, over every queue's own.
    target_ms: Option<i64>,
    short_ms: i64,
}

#[derive(Debug, Default)]
struct QueueTally {
    offered: u64,
    answered: u64,
    within_target: u64,
    abandoned: u64,
    short_abandons: u64,
    speed_of_answer: Durations,
    handle: Durations,
    /// The target its waits were measured against.
    target: Same<i64>,
    /// The goal of their queues' objective (none when a target was asked for).
    goal: Same<Option<f64>>,
}

/// The one value every wait of a row had, or `Mixed`.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
enum Same<T> {
    #[default]
    Unset,
    One(T),
    Mixed,
}

impl<T: PartialEq + Copy> Same<T> {
    fn add(&mut self, value: T) {
        *self = match *self {
            Same::Unset => Same::One(value),
            Same::One(one) if one == value => Same::One(one),
            _ => Same::Mixed,
        };
    }

    fn one(self) -> Option<T> {
        match self {
            Same::One(value) => Some(value),
            Same::Unset | Same::Mixed => None,
        }
    }
}

impl Report for Queues {
    fn add_visit(&mut self, visit: &VisitRow<'_>) {
        let short_ms = self.short_ms;
        // A target asked for replaces the queues' objectives, goal and all.
        let objective = match self.target_ms {
            Some(target_ms) => Objective { target_ms, goal: None },
            None => visit.objective.unwrap_or(Objective { target_ms: DEFAULT_SERVICE_TARGET_MS, goal: None }),
        };
        let target_ms = objective.target_ms;
        // Each visit is an offer to its queue (an outbound call an agent placed made none).
        let t = slot(self.groups.group(visit.start_ms, visit.queue), visit.media.unwrap_or(NONE));
        t.offered += 1;
        t.target.add(target_ms);
        t.goal.add(objective.goal);
        match visit.outcome {
            "answered" => {
                t.answered += 1;
                t.within_target += u64::from(visit.wait_ms <= target_ms);
                t.speed_of_answer.add(visit.wait_ms);
                t.handle.add(visit.handle_ms);
            }
            "abandoned" => {
                t.abandoned += 1;
                t.short_abandons += u64::from(visit.wait_ms < short_ms);
            }
            _ => {}
        }
    }

    fn finish(self: Box<Self>) -> Table {
        let mut columns = self.groups.columns();
        columns.extend([
            col("media", Kind::Text),
            col("offered", Kind::Count),
            col("answered", Kind::Count),
            col("abandoned", Kind::Count),
            col("short_abandons", Kind::Count),
            col("other", Kind::Count),
            col("answered_within_target", Kind::Count),
            col("target_ms", Kind::Ms),
            col("service_level", Kind::Rate),
            col("service_level_goal", Kind::Rate),
            col("answer_rate", Kind::Rate),
            col("abandon_rate", Kind::Rate),
            col("avg_speed_of_answer_ms", Kind::Ms),
            col("p90_speed_of_answer_ms", Kind::Ms),
            col("avg_handle_ms", Kind::Ms),
        ]);
        let mut table = Table::new(&columns);
        for (lead, media) in self.groups.into_groups() {
            let mut media: Vec<(String, QueueTally)> = media.into_iter().collect();
            media.sort_by(|a, b| a.0.cmp(&b.0));
            for (media, mut t) in media {
                let mut row = lead.clone();
                // Short abandons are left out of the service level: nobody could have answered them.
                let counted = t.answered + t.abandoned - t.short_abandons;
                row.extend([
                    media.into(),
                    t.offered.into(),
                    t.answered.into(),
                    t.abandoned.into(),
                    t.short_abandons.into(),
                    (t.offered - t.answered - t.abandoned).into(),
                    t.within_target.into(),
                    t.target.one().into(),
                    rate(t.within_target, counted).into(),
                    t.goal.one().flatten().into(),
                    rate(t.answered, t.offered).into(),
                    rate(t.abandoned, t.offered).into(),
                    t.speed_of_answer.average().into(),
                    t.speed_of_answer.percentile(90).into(),
                    t.handle.average().into(),
                ]);
                table.rows.push(row);
            }
        }
        table
    }
}

/// Wrap-up codes per queue and agent.
#[derive(Debug, Default)]
struct Wrapups {
    /// Queue → agent → code → calls.
    counts: Map<String, Map<String, Map<String, u64>>>,
}

impl Report for Wrapups {
    fn add_call(&mut self, row: &CallRow<'_>) {
        let Some(code) = row.wrapup else { return };
        let queue = row.queue.unwrap_or(NONE);
        let agent = row.wrapup_agent.unwrap_or(NONE);
        *slot(slot(slot(&mut self.counts, queue), agent), code) += 1;
    }

    fn finish(self: Box<Self>) -> Table {
        let mut table = Table::new(&[
            col("queue", Kind::Text),
            col("agent", Kind::Text),
            col("wrapup", Kind::Text),
            col("calls", Kind::Count),
            col("share_of_queue", Kind::Rate),
        ]);
        let mut per_queue: HashMap<&str, u64> = HashMap::new();
        let mut rows: Vec<(&str, &str, &str, u64)> = Vec::new();
        for (queue, agents) in &self.counts {
            for (agent, codes) in agents {
                for (code, n) in codes {
                    *per_queue.entry(queue).or_default() += n;
                    rows.push((queue, agent, code, *n));
                }
            }
        }
        rows.sort_by(|a, b| {
            (a.0, a.1).cmp(&(b.0, b.1)).then_with(|| b.3.cmp(&a.3)).then_with(|| a.2.cmp(b.2))
        });
        for (queue, agent, code, n) in rows {
            table.rows.push(vec![
                queue.into(),
                agent.into(),
                code.into(),
                n.into(),
                rate(n, per_queue.get(queue).copied().unwrap_or(0)).into(),
            ]);
        }
        table
    }
}

/// Where and after how long callers give up.
#[derive(Debug)]
struct Abandons {
    short_ms: i64,
    ivr: AbandonTally,
    queues: BTreeMap<String, AbandonTally>,
}

#[derive(Debug, Default)]
struct AbandonTally {
    entered: u64,
    waits: Durations,
    abandoned: u64,
    short: u64,
    buckets: [u64; BUCKETS.len()],
}

/// Upper bounds (exclusive, ms) of the wait buckets; the last is open.
const BUCKETS: [(&str, i64); 6] = [
    ("under_10s", 10_000),
    ("s10_30", 30_000),
    ("s30_60", 60_000),
    ("m1_2", 120_000),
    ("m2_5", 300_000),
    ("over_5m", i64::MAX),
];

impl Abandons {
    fn new(options: &ReportOptions) -> Abandons {
        Abandons {
            short_ms: options.short_abandon_ms.unwrap_or(DEFAULT_SHORT_ABANDON_MS),
            ivr: AbandonTally::default(),
            queues: BTreeMap::new(),
        }
    }
}

impl Report for Abandons {
    fn add_call(&mut self, row: &CallRow<'_>) {
        let short_ms = self.short_ms;
        let in_ivr = row.ivr_exit.is_some() || row.ivr_ms > 0;
        if in_ivr {
            let t = &mut self.ivr;
            t.entered += 1;
            if row.outcome == "abandoned_in_ivr" {
                t.abandon(row.ivr_ms, short_ms);
            }
        }
        if let Some(queue) = row.queue {
            let t = match self.queues.get_mut(queue) {
                Some(t) => t,
                None => self.queues.entry(queue.to_owned()).or_default(),
            };
            t.entered += 1;
            if row.outcome == "abandoned_in_queue" {
                t.abandon(row.queue_ms, short_ms);
            }
        }
    }

    fn finish(self: Box<Self>) -> Table {
        let mut columns = vec![
            col("where", Kind::Text),
            col("queue", Kind::Text),
            col("entered", Kind::Count),
            col("abandoned", Kind::Count),
            col("abandon_rate", Kind::Rate),
            col("short", Kind::Count),
            col("avg_wait_ms", Kind::Ms),
            col("median_wait_ms", Kind::Ms),
            col("p90_wait_ms", Kind::Ms),
        ];
        columns.extend(BUCKETS.iter().map(|(name, _)| col(name, Kind::Count)));
        let mut table = Table::new(&columns);
        let Abandons { ivr, queues, .. } = *self;
        // The IVR's row has no queue: null, not an empty name.
        let ivr = (ivr.entered > 0).then_some(("ivr", Cell::Null, ivr));
        let queues = queues.into_iter().map(|(queue, t)| ("queue", Cell::from(queue), t));
        for (place, queue, mut t) in ivr.into_iter().chain(queues) {
            let mut row: Vec<Cell> = vec![
                place.into(),
                queue,
                t.entered.into(),
                t.abandoned.into(),
                rate(t.abandoned, t.entered).into(),
                t.short.into(),
                t.waits.average().into(),
                t.waits.percentile(50).into(),
                t.waits.percentile(90).into(),
            ];
            row.extend(t.buckets.iter().map(|n| Cell::from(*n)));
            table.rows.push(row);
        }
        table
    }
}

impl AbandonTally {
    fn abandon(&mut self, waited_ms: i64, short_ms: i64) {
        self.abandoned += 1;
        self.short += u64::from(waited_ms < short_ms);
        self.waits.add(waited_ms);
        let bucket = BUCKETS.iter().position(|(_, upper)| waited_ms < *upper).unwrap_or(BUCKETS.len() - 1);
        self.buckets[bucket] += 1;
    }
}

/// Agents: offered, answered, not responding, handle time.
#[derive(Debug, Default)]
struct Agents {
    agents: Map<String, AgentTally>,
}

#[derive(Debug, Default)]
struct AgentTally {
    offered: u64,
    answered: u64,
    not_responding: u64,
    alert: Durations,
    talk: Durations,
    hold: Durations,
    acw: Durations,
    handle: Durations,
}

impl Report for Agents {
    fn add_leg(&mut self, row: &LegRow<'_>) {
        let t = slot(&mut self.agents, row.agent);
        t.offered += 1;
        t.not_responding += u64::from(row.not_responding);
        t.alert.add(row.alert_ms);
        if row.answered {
            t.answered += 1;
            t.talk.add(row.talk_ms);
            t.hold.add(row.hold_ms);
            t.acw.add(row.acw_ms);
            t.handle.add(row.talk_ms + row.hold_ms + row.acw_ms);
        }
    }

    fn finish(self: Box<Self>) -> Table {
        let mut table = Table::new(&[
            col("agent", Kind::Text),
            col("offered", Kind::Count),
            col("answered", Kind::Count),
            col("not_responding", Kind::Count),
            col("answer_rate", Kind::Rate),
            col("avg_alert_ms", Kind::Ms),
            col("avg_talk_ms", Kind::Ms),
            col("avg_hold_ms", Kind::Ms),
            col("avg_acw_ms", Kind::Ms),
            col("avg_handle_ms", Kind::Ms),
            col("total_handle_ms", Kind::Ms),
            // The totals behind the averages, for pictures and for sums over agents.
            Column { name: "talk_ms", kind: Kind::Ms, show: Show::DataOnly },
            Column { name: "hold_ms", kind: Kind::Ms, show: Show::DataOnly },
            Column { name: "acw_ms", kind: Kind::Ms, show: Show::DataOnly },
        ]);
        let mut rows: Vec<(String, AgentTally)> = self.agents.into_iter().collect();
        rows.sort_by(|a, b| b.1.answered.cmp(&a.1.answered).then_with(|| a.0.cmp(&b.0)));
        for (agent, t) in rows {
            table.rows.push(vec![
                agent.into(),
                t.offered.into(),
                t.answered.into(),
                t.not_responding.into(),
                rate(t.answered, t.offered).into(),
                t.alert.average().into(),
                t.talk.average().into(),
                t.hold.average().into(),
                t.acw.average().into(),
                t.handle.average().into(),
                t.handle.sum().into(),
                t.talk.sum().into(),
                t.hold.sum().into(),
                t.acw.sum().into(),
            ]);
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call<'a>(reason: &'a str, outcome: &'a str, queue: Option<&'a str>) -> CallRow<'a> {
        CallRow {
            start_ms: Some(1_719_876_600_000), // 2024-07-01T23:30Z
            direction: "inbound",
            queue,
            reason: Some(reason),
            outcome,
            ivr_exit: Some("transfer"),
            ivr_ms: 20_000,
            ..CallRow::default()
        }
    }

    fn run(kind: ReportKind, options: &ReportOptions, calls: &[CallRow<'_>]) -> Vec<serde_json::Value> {
        let mut report = new_report(kind, options);
        for c in calls {
            report.add_call(c);
        }
        report.finish().to_json_rows()
    }

    fn run_visits(options: &ReportOptions, visits: &[VisitRow<'_>]) -> Vec<serde_json::Value> {
        let mut report = new_report(ReportKind::Queues, options);
        for v in visits {
            report.add_visit(v);
        }
        report.finish().to_json_rows()
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut d = Durations::default();
        for v in [0, 5, 1, 4, 2, 3, 10, 9, 8, 7, 6] {
            d.add(v);
        }
        assert_eq!(d.count(), 10, "zero is no phase");
        assert_eq!(d.percentile(50), Some(5));
        assert_eq!(d.percentile(90), Some(9));
        assert_eq!(d.percentile(100), Some(10));
        assert_eq!(d.average(), Some(6), "55 / 10 rounds to 6");
        assert_eq!(Durations::default().percentile(50), None);
    }

    #[test]
    fn reasons_count_answers_and_abandons() {
        let mut a = call("Billing", "answered", Some("Billing"));
        a.handle_ms = 300_000;
        let mut b = call("Billing", "answered", Some("Billing"));
        b.handle_ms = 100_000;
        let rows = run(
            ReportKind::Reasons,
            &ReportOptions::default(),
            &[
                a,
                b,
                call("Billing", "abandoned_in_queue", Some("Billing")),
                call("Sales", "self_served", None),
            ],
        );
        assert_eq!(rows[0]["reason"], "Billing");
        assert_eq!((rows[0]["calls"].as_u64(), rows[0]["answered"].as_u64()), (Some(3), Some(2)));
        assert_eq!(rows[0]["abandon_rate"], 0.3333);
        assert_eq!(rows[0]["avg_handle_ms"], 200_000);
        assert_eq!(rows[1]["self_served"], 1);
        assert_eq!(rows[1]["share"], 0.25);
    }

    #[test]
    fn outcomes_count_each_day_by_direction_and_ending() {
        let by_day = ReportOptions {
            zone: Zone::named("Europe/London").unwrap(),
            group_by: ReportKind::Outcomes.default_group_by(),
            ..ReportOptions::default()
        };
        let mut answered = call("x", "answered", Some("Billing"));
        answered.handle_ms = 240_000;
        let mut outbound = call("x", "connected", Some("Sales"));
        outbound.direction = "outbound";
        outbound.handle_ms = 60_000;
        let mut next_day = call("x", "abandoned_in_ivr", None);
        next_day.start_ms = Some(1_719_876_600_000 + 86_400_000);
        let calls = [
            answered,
            call("x", "abandoned_in_queue", Some("Billing")),
            call("x", "self_served", None),
            outbound,
            next_day,
        ];
        let rows = run(ReportKind::Outcomes, &by_day, &calls);
        // 23:30 UTC on 1 July is 00:30 in London on the 2nd.
        assert_eq!(rows.len(), 2);
        let day = &rows[0];
        assert_eq!(day["day"], "2024-07-02");
        assert_eq!(day.get("queue"), None, "not grouped by queue unless asked");
        assert_eq!(
            (day["calls"].as_u64(), day["inbound"].as_u64(), day["outbound"].as_u64()),
            (Some(4), Some(3), Some(1))
        );
        for (outcome, n) in [
            ("answered", 1),
            ("abandoned_in_queue", 1),
            ("self_served", 1),
            ("connected", 1),
            ("abandoned_in_ivr", 0),
        ] {
            assert_eq!(day[outcome], n, "{outcome}");
        }
        let outcomes: u64 = Outcome::ALL.iter().map(|o| day[o.as_str()].as_u64().unwrap()).sum();
        assert_eq!(outcomes, 4, "every call in one outcome column");
        assert_eq!((day["answer_rate"].as_f64(), day["abandon_rate"].as_f64()), (Some(0.3333), Some(0.3333)));
        assert_eq!(day["avg_handle_ms"], 150_000);
        // What the average is made of: two calls handled, 300,000 ms between them.
        assert_eq!((day["handled"].as_u64(), day["handle_ms"].as_i64()), (Some(2), Some(300_000)));
        assert_eq!(
            (rows[1]["handled"].as_u64(), rows[1]["avg_handle_ms"].as_i64()),
            (Some(0), None),
            "no handle time: no average"
        );
        assert_eq!(
            (rows[1]["day"].as_str(), rows[1]["abandoned_in_ivr"].as_u64()),
            (Some("2024-07-03"), Some(1))
        );

        let by_queue =
            ReportOptions { group_by: GroupBy { queue: true, day: false, hour: false }, ..by_day.clone() };
        let rows = run(ReportKind::Outcomes, &by_queue, &calls);
        let queues: Vec<_> =
            rows.iter().map(|r| (r["queue"].as_str().unwrap(), r["calls"].as_u64().unwrap())).collect();
        assert_eq!(queues, [("(none)", 2), ("Billing", 2), ("Sales", 1)]);

        // Rows added up make the average of them all, exactly as one group would.
        let mut odd = call("x", "answered", Some("Sales"));
        (odd.handle_ms, odd.start_ms) = (100_001, Some(1_719_876_600_000 + 86_400_000));
        let calls: Vec<CallRow<'_>> = calls.iter().copied().chain([odd]).collect();
        let one = ReportOptions { group_by: GroupBy { queue: false, day: false, hour: false }, ..by_queue };
        let all = &run(ReportKind::Outcomes, &one, &calls)[0];
        let rows = run(ReportKind::Outcomes, &by_day, &calls);
        let sum = |key: &str| rows.iter().map(|r| r[key].as_i64().unwrap()).sum::<i64>();
        assert_eq!(mean(sum("handle_ms"), sum("handled").cast_unsigned()), all["avg_handle_ms"].as_i64());
        assert_eq!(all["avg_handle_ms"], 133_334, "400,001 ms over three calls, rounded");
    }

    #[test]
    fn phases_cut_days_in_local_time() {
        let mut a = call("x", "answered", Some("Billing"));
        a.talk_ms = 60_000;
        let london =
            ReportOptions { zone: Zone::named("Europe/London").unwrap(), ..ReportOptions::default() };
        let rows = run(ReportKind::Phases, &london, &[a]);
        assert_eq!(rows[0]["day"], "2024-07-02");
        assert_eq!(rows.iter().map(|r| r["phase"].as_str().unwrap()).collect::<Vec<_>>(), ["ivr", "talk"]);
        let utc = ReportOptions::default();
        assert_eq!(run(ReportKind::Phases, &utc, &[a])[0]["day"], "2024-07-01");
        let by_queue = ReportOptions {
            group_by: GroupBy { queue: true, day: false, hour: false },
            ..ReportOptions::default()
        };
        let rows = run(ReportKind::Phases, &by_queue, &[a, a]);
        assert!(rows[0].get("day").is_none());
        assert_eq!(rows[1]["calls"], 2);
    }

    #[test]
    fn phases_days_hold_across_midnight_in_any_order() {
        // Europe/London leaves summer time on 2024-10-27: that day has 25 hours.
        let london = ReportOptions {
            zone: Zone::named("Europe/London").unwrap(),
            group_by: GroupBy { queue: false, day: true, hour: false },
            ..ReportOptions::default()
        };
        let at = |ms: i64| CallRow { start_ms: Some(ms), talk_ms: 1_000, ..CallRow::default() };
        let midnight_27 = 1_729_983_600_000; // 2024-10-26T23:00Z
        let midnight_28 = 1_730_073_600_000; // 2024-10-28T00:00Z, 25 hours later
        let calls = [
            at(midnight_27 - 1),
            at(midnight_27),
            at(midnight_28 - 1),
            at(midnight_28),
            at(midnight_27 + 1),
            CallRow { start_ms: None, talk_ms: 1_000, ..CallRow::default() },
        ];
        let rows = run(ReportKind::Phases, &london, &calls);
        let days: Vec<(&str, u64)> =
            rows.iter().map(|r| (r["day"].as_str().unwrap(), r["calls"].as_u64().unwrap())).collect();
        assert_eq!(days, [("(none)", 1), ("2024-10-26", 1), ("2024-10-27", 3), ("2024-10-28", 1)]);
    }

    #[test]
    fn hours_are_local_whatever_the_offset_and_the_clocks_do() {
        let at = |text: &str| CallRow {
            start_ms: calltrail_model::Timestamp::parse(text).map(|t| t.0),
            talk_ms: 1_000,
            queue: Some("Sales"),
            ..CallRow::default()
        };
        let hours = |zone: &str, by: GroupBy, calls: &[CallRow<'_>]| -> Vec<String> {
            let options =
                ReportOptions { zone: Zone::named(zone).unwrap(), group_by: by, ..ReportOptions::default() };
            run(ReportKind::Phases, &options, calls)
                .iter()
                .map(|r| {
                    let lead: Vec<&str> =
                        ["queue", "day", "hour"].iter().filter_map(|k| r[*k].as_str()).collect();
                    format!("{} ×{}", lead.join(" "), r["calls"])
                })
                .collect()
        };
        // Kathmandu is 5:45 ahead of UTC: its hours turn at a quarter past the UTC hour.
        let by_hour = GroupBy { queue: false, day: false, hour: true };
        let calls = [
            at("2024-07-01T00:00:00Z"),
            at("2024-07-01T00:14:59.999Z"),
            at("2024-07-01T00:15:00Z"),
            at("2024-07-01T00:29:00Z"),
            at("2024-07-02T00:20:00Z"),
        ];
        assert_eq!(hours("Asia/Kathmandu", by_hour, &calls), ["05:00 ×2", "06:00 ×3"]);
        // London's clocks went forward at 01:00 UTC on 2024-03-31: no 01:00 that day.
        let intervals = GroupBy { queue: true, day: true, hour: true };
        let calls = [at("2024-03-31T00:59:59Z"), at("2024-03-31T01:00:00Z"), at("2024-03-31T01:59:00Z")];
        assert_eq!(
            hours("Europe/London", intervals, &calls),
            ["Sales 2024-03-31 00:00 ×1", "Sales 2024-03-31 02:00 ×2"]
        );
    }

    #[test]
    fn queues_count_the_service_level_without_short_abandons() {
        let visit = |outcome, wait_ms, handle_ms| VisitRow {
            start_ms: Some(1_719_876_600_000), // 2024-07-01T23:30Z
            queue: Some("Sales"),
            media: Some("voice"),
            objective: None,
            wait_ms,
            outcome,
            handle_ms,
        };
        let visits = [
            visit("answered", 15_000, 300_000),
            visit("answered", 45_000, 100_000),
            visit("abandoned", 4_000, 0),
            visit("abandoned", 70_000, 0),
            visit("flow_out", 120_000, 0),
        ];
        let rows = run_visits(&ReportOptions::default(), &visits);
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!((r["queue"].as_str(), r["day"].as_str()), (Some("Sales"), Some("2024-07-01")));
        let counts: Vec<u64> =
            ["offered", "answered", "abandoned", "short_abandons", "other", "answered_within_target"]
                .iter()
                .map(|k| r[*k].as_u64().unwrap())
                .collect();
        assert_eq!(counts, [5, 2, 2, 1, 1, 1]);
        // One of three: the short abandon is left out.
        assert_eq!(r["service_level"], 0.3333);
        assert_eq!((r["answer_rate"].as_f64(), r["abandon_rate"].as_f64()), (Some(0.4), Some(0.4)));
        assert_eq!(
            (r["avg_speed_of_answer_ms"].as_i64(), r["avg_handle_ms"].as_i64()),
            (Some(30_000), Some(200_000))
        );
        let strict = ReportOptions { service_target_ms: Some(10_000), ..ReportOptions::default() };
        assert_eq!(run_visits(&strict, &visits)[0]["service_level"], 0.0);
        // A report over calls reads no calls: an outbound call an agent placed is no offer.
        assert!(
            run(ReportKind::Queues, &ReportOptions::default(), &[call("x", "connected", None)]).is_empty()
        );
    }

    #[test]
    fn queues_split_each_queue_by_the_media_that_waited() {
        // A call answered in 10 s and an e-mail after four hours, in the same queue and day:
        // together they would make an average answer of two hours and a service level of 50%.
        let visit = |media, wait_ms| VisitRow {
            start_ms: Some(1_719_876_600_000),
            queue: Some("Sales"),
            media: Some(media),
            objective: None,
            wait_ms,
            outcome: "answered",
            handle_ms: 60_000,
        };
        let rows =
            run_visits(&ReportOptions::default(), &[visit("voice", 10_000), visit("email", 14_400_000)]);
        let by_media: Vec<(&str, &str, f64, i64)> = rows
            .iter()
            .map(|r| {
                (
                    r["queue"].as_str().unwrap(),
                    r["media"].as_str().unwrap(),
                    r["service_level"].as_f64().unwrap(),
                    r["avg_speed_of_answer_ms"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(by_media, [("Sales", "email", 0.0, 14_400_000), ("Sales", "voice", 1.0, 10_000)]);
    }

    #[test]
    fn queues_measure_each_wait_against_its_queues_own_target_unless_one_is_asked_for() {
        type Measured = (String, Option<i64>, f64, Option<f64>);
        // Sales answers 80% of calls within 30 s and 90% of e-mails within a day; Billing sets
        // no objective.
        let visit = |queue, media, objective| VisitRow {
            start_ms: Some(1_719_876_600_000),
            queue: Some(queue),
            media: Some(media),
            objective,
            wait_ms: if media == "email" { 3_600_000 } else { 25_000 },
            outcome: "answered",
            handle_ms: 60_000,
        };
        let sales_voice = Objective { target_ms: 30_000, goal: Some(0.8) };
        let visits = [
            visit("Sales", "voice", Some(sales_voice)),
            visit("Sales", "email", Some(Objective { target_ms: 86_400_000, goal: Some(0.9) })),
            visit("Billing", "voice", None),
        ];
        let measured = |options: &ReportOptions, visits: &[VisitRow<'_>]| -> Vec<Measured> {
            run_visits(options, visits)
                .iter()
                .map(|r| {
                    (
                        format!("{} {}", r["queue"].as_str().unwrap_or("-"), r["media"].as_str().unwrap()),
                        r["target_ms"].as_i64(),
                        r["service_level"].as_f64().unwrap(),
                        r["service_level_goal"].as_f64(),
                    )
                })
                .collect()
        };
        let rows = |expected: &[(&str, Option<i64>, f64, Option<f64>)]| -> Vec<Measured> {
            expected.iter().map(|(k, t, l, g)| ((*k).to_owned(), *t, *l, *g)).collect()
        };
        assert_eq!(
            measured(&ReportOptions::default(), &visits),
            rows(&[
                ("Billing voice", Some(20_000), 0.0, None),
                ("Sales email", Some(86_400_000), 1.0, Some(0.9)),
                ("Sales voice", Some(30_000), 1.0, Some(0.8))
            ])
        );
        // A target asked for is every queue's, and no queue's goal goes with it.
        let asked = ReportOptions { service_target_ms: Some(30_000), ..ReportOptions::default() };
        assert_eq!(
            measured(&asked, &visits),
            rows(&[
                ("Billing voice", Some(30_000), 1.0, None),
                ("Sales email", Some(30_000), 0.0, None),
                ("Sales voice", Some(30_000), 1.0, None)
            ])
        );
        // Calls of queues with different targets in one row: each met its own; no one target
        // and no one goal.
        let by_day = ReportOptions {
            group_by: GroupBy { queue: false, day: true, hour: false },
            ..ReportOptions::default()
        };
        assert_eq!(
            measured(&by_day, &visits),
            rows(&[("- email", Some(86_400_000), 1.0, Some(0.9)), ("- voice", None, 0.5, None)])
        );
        // The same target with different goals: one target, no one goal.
        let other_goal = Objective { goal: Some(0.7), ..sales_voice };
        let two_goals =
            [visit("Sales", "voice", Some(sales_voice)), visit("Billing", "voice", Some(other_goal))];
        assert_eq!(measured(&by_day, &two_goals), rows(&[("- voice", Some(30_000), 1.0, None)]));
    }

    #[test]
    fn queues_count_each_visit_of_a_call_passed_between_queues() {
        // Waited 30 s in Sales, was moved to Billing, answered there after 10 s more.
        let start_ms = Some(1_719_876_600_000);
        let visits = [
            VisitRow {
                start_ms,
                queue: Some("Sales"),
                media: Some("voice"),
                objective: None,
                wait_ms: 30_000,
                outcome: "transferred",
                handle_ms: 0,
            },
            VisitRow {
                start_ms,
                queue: Some("Billing"),
                media: Some("voice"),
                objective: None,
                wait_ms: 10_000,
                outcome: "answered",
                handle_ms: 90_000,
            },
        ];
        let rows = run_visits(&ReportOptions::default(), &visits);
        let by_queue: Vec<(&str, u64, u64, u64, Option<i64>)> = rows
            .iter()
            .map(|r| {
                (
                    r["queue"].as_str().unwrap(),
                    r["offered"].as_u64().unwrap(),
                    r["answered"].as_u64().unwrap(),
                    r["other"].as_u64().unwrap(),
                    r["avg_speed_of_answer_ms"].as_i64(),
                )
            })
            .collect();
        assert_eq!(by_queue, [("Billing", 1, 1, 0, Some(10_000)), ("Sales", 1, 0, 1, None)]);
    }

    #[test]
    fn abandons_split_ivr_and_queue_with_short_ones() {
        let mut in_ivr = call("x", "abandoned_in_ivr", None);
        in_ivr.ivr_ms = 4_000;
        let mut in_queue = call("x", "abandoned_in_queue", Some("Sales"));
        in_queue.queue_ms = 95_000;
        let rows = run(
            ReportKind::Abandons,
            &ReportOptions::default(),
            &[in_ivr, in_queue, call("x", "answered", Some("Sales"))],
        );
        assert_eq!(rows[0]["where"], "ivr");
        assert_eq!(rows[0]["queue"], serde_json::Value::Null);
        assert_eq!((rows[0]["entered"].as_u64(), rows[0]["abandoned"].as_u64()), (Some(3), Some(1)));
        assert_eq!((rows[0]["short"].as_u64(), rows[0]["under_10s"].as_u64()), (Some(1), Some(1)));
        assert_eq!(rows[1]["queue"], "Sales");
        assert_eq!(rows[1]["abandon_rate"], 0.5);
        assert_eq!((rows[1]["m1_2"].as_u64(), rows[1]["median_wait_ms"].as_i64()), (Some(1), Some(95_000)));
    }

    #[test]
    fn wrapups_and_agents() {
        let mut a = call("x", "answered", Some("Billing"));
        a.wrapup = Some("Resolved");
        a.wrapup_agent = Some("Ann");
        let rows = run(ReportKind::Wrapups, &ReportOptions::default(), &[a, a, call("x", "answered", None)]);
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0]["calls"].as_u64(), rows[0]["share_of_queue"].as_f64()), (Some(2), Some(1.0)));

        let mut report = new_report(ReportKind::Agents, &ReportOptions::default());
        let leg = |answered: bool| LegRow {
            agent: "Ann",
            answered,
            not_responding: !answered,
            alert_ms: 5_000,
            talk_ms: if answered { 100_000 } else { 0 },
            acw_ms: if answered { 20_000 } else { 0 },
            ..LegRow::default()
        };
        report.add_leg(&leg(true));
        report.add_leg(&leg(false));
        let rows = report.finish().to_json_rows();
        assert_eq!((rows[0]["offered"].as_u64(), rows[0]["not_responding"].as_u64()), (Some(2), Some(1)));
        assert_eq!(rows[0]["avg_handle_ms"], 120_000);
        assert_eq!(rows[0]["avg_hold_ms"], serde_json::Value::Null);
        // The totals behind the averages, in the data (not the terminal's table).
        assert_eq!(
            (rows[0]["talk_ms"].as_i64(), rows[0]["hold_ms"].as_i64(), rows[0]["acw_ms"].as_i64()),
            (Some(100_000), Some(0), Some(20_000))
        );
        let table = new_report(ReportKind::Agents, &ReportOptions::default()).finish();
        let data_only: Vec<&str> =
            table.columns.iter().filter(|c| c.show == Show::DataOnly).map(|c| c.name).collect();
        assert_eq!(data_only, ["talk_ms", "hold_ms", "acw_ms"]);
    }
}
