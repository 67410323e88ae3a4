//! The report index: an in-memory copy of the columns reports read, for a long-running
//! reader such as the web UI. A report over the archive is a pass over every call it
//! selects; over a million calls that pass costs a second, most of it reading rows. Held in
//! memory as fixed-size rows with their text interned (about 120 bytes a call, 64 an agent
//! leg and 48 a queue visit), the same fold takes tens of milliseconds, for any date range
//! and filter.
//!
//! The index answers the filters that are equalities on a call's columns (time range,
//! direction, media, queue, wrap-up, outcome, reason) or on its agent legs (agent), exactly as
//! [`CallFilter::to_sql`] does (and, for the reports over legs and queue visits, a queue filter
//! picks the legs and visits in that queue, and an agent filter the agent's legs, as the
//! archive's scan does); a number or free-text search, or participant data, needs the
//! archive's own tables and indexes, so for those it answers `None` and the caller asks the
//! archive. It is a snapshot of one change sequence:
//! the caller compares [`CallIndex::change_seq`] with the archive's before trusting it.

use std::collections::HashMap;

use calltrail_explain::report::{
    new_report, CallRow, IvrMap, LegRow, Objective, ReportKind, ReportOptions, Table, VisitRow,
};

use crate::query::text;
use crate::{CallFilter, Store, StoreError, NO_START};

/// An interned string; [`NONE`] stands for a missing value.
type Sym = u32;
const NONE: Sym = u32::MAX;

/// One call's report columns.
#[derive(Debug, Clone)]
struct IndexedCall {
    /// Start (ms), [`NO_START`] when unknown.
    start_ms: i64,
    direction: Sym,
    media: Sym,
    queue_id: Sym,
    queue_name: Sym,
    reason: Sym,
    outcome: Sym,
    ivr_exit: Sym,
    wrapup_id: Sym,
    wrapup_name: Sym,
    /// Who left the wrap-up (name, else user id).
    wrapup_agent: Sym,
    /// The IVR path, an index into `paths`.
    path: u32,
    /// IVR, queue, alert, talk, hold, ACW, handle (ms).
    phases: [i64; 7],
}

/// Where a part of a call (an agent leg, a queue visit) belongs: its call, and its queue.
#[derive(Debug, Clone, Copy)]
struct Owner {
    /// Its call's start (ms), [`NO_START`] when unknown.
    start_ms: i64,
    /// Its call, an index into `calls` (`u32::MAX` when the call is not archived).
    call: u32,
    /// The queue (of a leg, the one it was offered from): id, name.
    queue: [Sym; 2],
}

/// One agent leg's report columns.
#[derive(Debug, Clone)]
struct IndexedLeg {
    of: Owner,
    /// The agent's user id and name.
    agent_id: Sym,
    agent_name: Sym,
    answered: bool,
    not_responding: bool,
    /// Alert, talk, hold, ACW (ms).
    times: [i64; 4],
}

impl IndexedLeg {
    /// True when the leg is `agent`'s, asked for by user id or name.
    fn is_of(&self, agent: Sym) -> bool {
        agent != NONE && (agent == self.agent_id || agent == self.agent_name)
    }
}

/// One queue visit's report columns.
#[derive(Debug, Clone)]
struct IndexedVisit {
    of: Owner,
    media: Sym,
    outcome: Sym,
    wait_ms: i64,
    handle_ms: i64,
    /// Its queue's own service-level objective for its media, an index into `objectives`
    /// ([`NONE`] when unknown).
    objective: u32,
}

/// A part of a call, held in its call's start order.
trait CallPart {
    fn owner(&self) -> &Owner;
}

impl CallPart for IndexedLeg {
    fn owner(&self) -> &Owner {
        &self.of
    }
}

impl CallPart for IndexedVisit {
    fn owner(&self) -> &Owner {
        &self.of
    }
}

/// The report columns of every call and agent leg, in start order (see the module
/// documentation).
#[derive(Debug, Default)]
pub struct CallIndex {
    change_seq: i64,
    strings: Vec<Box<str>>,
    ids: HashMap<Box<str>, Sym>,
    paths: Vec<Vec<String>>,
    calls: Vec<IndexedCall>,
    legs: Vec<IndexedLeg>,
    visits: Vec<IndexedVisit>,
    /// The queues' distinct service-level objectives.
    objectives: Vec<Objective>,
}

/// Builds the string and path tables while the index loads.
#[derive(Default)]
struct Interner {
    strings: Vec<Box<str>>,
    ids: HashMap<Box<str>, Sym>,
    paths: Vec<Vec<String>>,
    path_ids: HashMap<Box<str>, u32>,
}

impl Interner {
    fn sym(&mut self, value: Option<&str>) -> Sym {
        let Some(value) = value else { return NONE };
        if let Some(id) = self.ids.get(value) {
            return *id;
        }
        let id = Sym::try_from(self.strings.len()).unwrap_or(NONE);
        self.strings.push(value.into());
        self.ids.insert(value.into(), id);
        id
    }

    /// A path from its JSON text in the archive (an empty path when absent or unreadable,
    /// as the archive's own scan reads it).
    fn path(&mut self, json: Option<&str>) -> u32 {
        let json = json.unwrap_or("[]");
        if let Some(id) = self.path_ids.get(json) {
            return *id;
        }
        let id = u32::try_from(self.paths.len()).unwrap_or(0);
        self.paths.push(serde_json::from_str(json).unwrap_or_default());
        self.path_ids.insert(json.into(), id);
        id
    }
}

/// What a filter selects, with its values resolved to symbols.
struct Selection {
    /// Calls from this position...
    from: usize,
    /// ...to this one.
    to: usize,
    /// The time range asked for.
    from_ms: Option<i64>,
    to_ms: Option<i64>,
    /// Only the time range is filtered.
    time_only: bool,
    /// Per column, the value a call must have (`None`: any; [`NONE`]: a value no call has).
    direction: Option<Sym>,
    media: Option<Sym>,
    queue: Option<Sym>,
    /// The calls an agent took part in (a bit per call position), when one is asked for.
    agent: Option<Vec<u64>>,
    wrapup: Option<Sym>,
    outcome: Option<Sym>,
    reason: Option<Sym>,
}

impl Selection {
    fn matches(&self, position: usize, call: &IndexedCall) -> bool {
        let one = |want: Option<Sym>, have: Sym| want.is_none_or(|w| w != NONE && w == have);
        // A queue, agent or wrap-up code is asked for by its id or its name.
        let either =
            |want: Option<Sym>, id: Sym, name: Sym| want.is_none_or(|w| w != NONE && (w == id || w == name));
        one(self.direction, call.direction)
            && one(self.media, call.media)
            && either(self.queue, call.queue_id, call.queue_name)
            && self.agent.as_ref().is_none_or(|calls| {
                calls.get(position / 64).is_some_and(|bits| bits >> (position % 64) & 1 == 1)
            })
            && either(self.wrapup, call.wrapup_id, call.wrapup_name)
            && one(self.outcome, call.outcome)
            && one(self.reason, call.reason)
    }
}

impl CallIndex {
    /// The archive's change sequence the index holds.
    pub fn change_seq(&self) -> i64 {
        self.change_seq
    }

    /// Calls held.
    pub fn calls(&self) -> usize {
        self.calls.len()
    }

    /// Agent legs held.
    pub fn legs(&self) -> usize {
        self.legs.len()
    }

    /// Queue visits held.
    pub fn visits(&self) -> usize {
        self.visits.len()
    }

    /// About how many bytes the index takes.
    pub fn bytes(&self) -> usize {
        self.calls.capacity() * size_of::<IndexedCall>()
            + self.legs.capacity() * size_of::<IndexedLeg>()
            + self.visits.capacity() * size_of::<IndexedVisit>()
            + self.strings.iter().map(|s| 2 * (s.len() + size_of::<Box<str>>()) + 8).sum::<usize>()
            + self.paths.iter().flatten().map(|s| s.len() + size_of::<String>()).sum::<usize>()
    }

    /// True when the index can answer this filter (number and free-text searches, and
    /// participant data, need the archive).
    pub fn answers(filter: &CallFilter) -> bool {
        filter.number.is_none()
            && filter.attribute.is_none()
            && filter.text.as_deref().is_none_or(|t| t.trim().is_empty())
    }

    /// A report over the calls the filter selects, or `None` when the index cannot answer
    /// the filter. The table equals [`Store::report`]'s.
    pub fn report(&self, kind: ReportKind, filter: &CallFilter, options: &ReportOptions) -> Option<Table> {
        if kind == ReportKind::Ivr {
            return Some(self.ivr_map(filter)?.table());
        }
        // Each call's next contact from the same customer is a seek in the archive's index.
        if kind.reads_next_contact() {
            return None;
        }
        let mut report = new_report(kind, options);
        if kind.reads_legs() || kind.reads_visits() {
            // The filter split as the archive's scan splits it.
            let (calls, parts) = filter.for_parts(kind.reads_visits());
            let calls = self.select(&calls)?;
            let sym = |value: &str| self.ids.get(value).copied().unwrap_or(NONE);
            let queue = parts.queue.map(sym);
            let agent = parts.agent.map(sym);
            let of_agent = |leg: &&IndexedLeg| agent.is_none_or(|a| leg.is_of(a));
            if kind.reads_legs() {
                for leg in self.selected(&self.legs, &calls, queue).filter(of_agent) {
                    let [alert_ms, talk_ms, hold_ms, acw_ms] = leg.times;
                    report.add_leg(&LegRow {
                        start_ms: (leg.of.start_ms != NO_START).then_some(leg.of.start_ms),
                        agent: self.label([leg.agent_id, leg.agent_name]).unwrap_or("(unknown)"),
                        queue: self.label(leg.of.queue),
                        answered: leg.answered,
                        not_responding: leg.not_responding,
                        alert_ms,
                        talk_ms,
                        hold_ms,
                        acw_ms,
                    });
                }
            } else {
                let media = parts.media.map(|m| sym(&m.to_lowercase()));
                let of_media = |v: &&IndexedVisit| media.is_none_or(|m| m != NONE && m == v.media);
                for v in self.selected(&self.visits, &calls, queue).filter(of_media) {
                    report.add_visit(&VisitRow {
                        start_ms: (v.of.start_ms != NO_START).then_some(v.of.start_ms),
                        queue: self.label(v.of.queue),
                        media: self.text(v.media),
                        objective: self.objectives.get(v.objective as usize).copied(),
                        wait_ms: v.wait_ms,
                        outcome: self.text(v.outcome).unwrap_or_default(),
                        handle_ms: v.handle_ms,
                    });
                }
            }
        } else {
            let selection = self.select(filter)?;
            for call in self.selected_calls(&selection) {
                report.add_call(&self.row(call));
            }
        }
        Some(report.finish())
    }

    /// The IVR map of the calls the filter selects, or `None` when the index cannot answer
    /// the filter: calls are counted per distinct path, then each path is added once.
    pub fn ivr_map(&self, filter: &CallFilter) -> Option<IvrMap> {
        let selection = self.select(filter)?;
        let mut counts = vec![0_u64; self.paths.len()];
        for call in self.selected_calls(&selection) {
            counts[call.path as usize] += 1;
        }
        let mut map = IvrMap::default();
        for (path, n) in self.paths.iter().zip(counts) {
            map.add_calls(path, n);
        }
        Some(map.finish())
    }

    /// The calls a selection picks, in start order.
    fn selected_calls<'i>(&'i self, selection: &'i Selection) -> impl Iterator<Item = &'i IndexedCall> + 'i {
        let calls = &self.calls[selection.from..selection.to];
        calls
            .iter()
            .enumerate()
            .filter(move |(i, call)| selection.matches(selection.from + i, call))
            .map(|(_, call)| call)
    }

    /// A bit per call position: set for the calls `agent` (an id or a name) has a leg in.
    fn calls_of_agent(&self, agent: Sym) -> Vec<u64> {
        let mut bits = vec![0_u64; self.calls.len().div_ceil(64)];
        for leg in self.legs.iter().filter(|leg| leg.is_of(agent)) {
            let position = leg.of.call as usize;
            if let Some(word) = bits.get_mut(position / 64) {
                *word |= 1 << (position % 64);
            }
        }
        bits
    }

    fn text(&self, sym: Sym) -> Option<&str> {
        self.strings.get(sym as usize).map(AsRef::as_ref)
    }

    fn row(&self, call: &IndexedCall) -> CallRow<'_> {
        let [ivr_ms, queue_ms, alert_ms, talk_ms, hold_ms, acw_ms, handle_ms] = call.phases;
        CallRow {
            start_ms: (call.start_ms != NO_START).then_some(call.start_ms),
            direction: self.text(call.direction).unwrap_or_default(),
            queue: self.text(call.queue_name).or_else(|| self.text(call.queue_id)),
            reason: self.text(call.reason),
            outcome: self.text(call.outcome).unwrap_or_default(),
            ivr_exit: self.text(call.ivr_exit),
            ivr_ms,
            queue_ms,
            alert_ms,
            talk_ms,
            hold_ms,
            acw_ms,
            handle_ms,
            wrapup: self.text(call.wrapup_name),
            wrapup_agent: self.text(call.wrapup_agent),
            ivr_path: self.paths.get(call.path as usize).map_or(&[], Vec::as_slice),
            // The index holds no customers: `repeats` is folded over the archive.
            customer: None,
            next_contact_ms: None,
        }
    }

    /// A name, else its id (of a queue, an agent).
    fn label(&self, [id, name]: [Sym; 2]) -> Option<&str> {
        self.text(name).or_else(|| self.text(id))
    }

    /// The parts (legs, visits) of the selected calls that are in `queue` (by id or name)
    /// when one is asked for. As the archive's scan does, a time-only selection reads the
    /// parts by their call's start (parts of calls without a start are not in any range);
    /// other selections read the parts of the matching calls.
    fn selected<'i, P: CallPart>(
        &'i self,
        parts: &'i [P],
        selection: &'i Selection,
        queue: Option<Sym>,
    ) -> impl Iterator<Item = &'i P> + 'i {
        let parts = if selection.time_only {
            let from = selection.from_ms.unwrap_or(NO_START + 1);
            let lo = parts.partition_point(|p| p.owner().start_ms < from);
            let hi =
                selection.to_ms.map_or(parts.len(), |to| parts.partition_point(|p| p.owner().start_ms < to));
            &parts[lo..hi.max(lo)]
        } else {
            parts
        };
        parts.iter().filter(move |part| {
            let Owner { call, queue: [id, name], .. } = *part.owner();
            let in_queue = queue.is_none_or(|q| q != NONE && (q == id || q == name));
            in_queue
                && (selection.time_only || {
                    let position = call as usize;
                    self.calls.get(position).is_some_and(|call| {
                        position >= selection.from
                            && position < selection.to
                            && selection.matches(position, call)
                    })
                })
        })
    }

    /// Resolves a filter, or `None` when the index cannot answer it.
    fn select(&self, filter: &CallFilter) -> Option<Selection> {
        if !CallIndex::answers(filter) {
            return None;
        }
        let lookup = |value: &str| -> Sym { self.ids.get(value).copied().unwrap_or(NONE) };
        let timed = filter.from_ms.is_some() || filter.to_ms.is_some();
        // As in SQL, a call without a start is outside every time range.
        let first_started = self.calls.partition_point(|c| c.start_ms == NO_START);
        let from = match filter.from_ms {
            Some(ms) => self.calls.partition_point(|c| c.start_ms < ms).max(first_started),
            None if timed => first_started,
            None => 0,
        };
        let to = filter.to_ms.map_or(self.calls.len(), |ms| self.calls.partition_point(|c| c.start_ms < ms));
        let time_only = CallFilter { from_ms: filter.from_ms, to_ms: filter.to_ms, ..CallFilter::default() };
        Some(Selection {
            from,
            to: to.max(from),
            from_ms: filter.from_ms,
            to_ms: filter.to_ms,
            time_only: *filter == time_only,
            direction: filter.direction.as_deref().map(|v| lookup(&v.to_lowercase())),
            media: filter.media.as_deref().map(|v| lookup(&v.to_lowercase())),
            queue: filter.queue.as_deref().map(lookup),
            agent: filter.agent.as_deref().map(|agent| self.calls_of_agent(lookup(agent))),
            wrapup: filter.wrapup.as_deref().map(lookup),
            outcome: filter.outcome.as_deref().map(lookup),
            reason: filter.reason.as_deref().map(lookup),
        })
    }
}

impl Store {
    /// Loads the report index: every call's and agent leg's report columns, read in one
    /// transaction so the index is exactly the archive at its change sequence.
    pub fn load_index(&self) -> Result<CallIndex, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let change_seq = self.change_seq()?;
        let mut interner = Interner::default();
        let mut calls = Vec::new();
        // Conversation ids only while loading: legs are matched to their call by walking
        // both in (start, conversation id) order.
        let mut ids: Vec<Box<str>> = Vec::new();
        {
            // Read in the table's own order (one sequential pass), then sorted in memory:
            // far cheaper than following the start index to every row.
            let mut stmt = tx.prepare(
                "SELECT c.start_ms, c.conversation_id, c.direction, c.queue_id, c.queue_name,
                        c.reason, c.outcome, c.ivr_exit,
                        c.ivr_ms, c.queue_ms, c.alert_ms, c.talk_ms, c.hold_ms, c.acw_ms, c.handle_ms,
                        c.wrapup_code_id, c.wrapup_code_name, coalesce(c.wrapup_user_name, c.wrapup_user_id),
                        c.ivr_path, c.media_type
                 FROM calls c",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let mut phases = [0_i64; 7];
                for (i, slot) in phases.iter_mut().enumerate() {
                    *slot = r.get::<_, Option<i64>>(8 + i)?.unwrap_or(0);
                }
                calls.push(IndexedCall {
                    start_ms: r.get::<_, Option<i64>>(0)?.unwrap_or(NO_START),
                    direction: interner.sym(text(r, 2)?),
                    media: interner.sym(text(r, 19)?),
                    queue_id: interner.sym(text(r, 3)?),
                    queue_name: interner.sym(text(r, 4)?),
                    reason: interner.sym(text(r, 5)?),
                    outcome: interner.sym(text(r, 6)?),
                    ivr_exit: interner.sym(text(r, 7)?),
                    wrapup_id: interner.sym(text(r, 15)?),
                    wrapup_name: interner.sym(text(r, 16)?),
                    wrapup_agent: interner.sym(text(r, 17)?),
                    path: interner.path(text(r, 18)?),
                    phases,
                });
                ids.push(text(r, 1)?.unwrap_or_default().into());
            }
        }
        let mut order: Vec<usize> = (0..calls.len()).collect();
        order.sort_unstable_by(|a, b| (calls[*a].start_ms, &ids[*a]).cmp(&(calls[*b].start_ms, &ids[*b])));
        let calls: Vec<IndexedCall> = order.iter().map(|i| calls[*i].clone()).collect();
        let ids: Vec<Box<str>> = order.into_iter().map(|i| std::mem::take(&mut ids[i])).collect();
        let mut legs = Vec::new();
        {
            let mut stmt = tx.prepare(
                "SELECT a.call_start_ms, a.conversation_id, a.queue_id, a.queue_name,
                        a.name, a.answered, a.not_responding, a.alert_ms, a.talk_ms, a.hold_ms, a.acw_ms,
                        a.user_id
                 FROM agent_legs a ORDER BY a.call_start_ms, a.conversation_id, a.seq", // the table's own order
            )?;
            let mut rows = stmt.query([])?;
            let mut finder = CallFinder::new(&calls, &ids);
            while let Some(r) = rows.next()? {
                let of = finder.owner(r, &mut interner)?;
                let mut times = [0_i64; 4];
                for (i, slot) in times.iter_mut().enumerate() {
                    *slot = r.get::<_, Option<i64>>(7 + i)?.unwrap_or(0);
                }
                legs.push(IndexedLeg {
                    of,
                    agent_name: interner.sym(text(r, 4)?),
                    agent_id: interner.sym(text(r, 11)?),
                    answered: r.get(5)?,
                    not_responding: r.get(6)?,
                    times,
                });
            }
        }
        let mut visits = Vec::new();
        let mut objectives: Vec<Objective> = Vec::new();
        {
            let targets = self.service_targets()?;
            // A few queues' settings, so a look along the list finds each wait's.
            let mut intern = |objective: Option<Objective>| -> u32 {
                let Some(objective) = objective else { return NONE };
                let at = objectives.iter().position(|o| *o == objective).unwrap_or_else(|| {
                    objectives.push(objective);
                    objectives.len() - 1
                });
                u32::try_from(at).unwrap_or(NONE)
            };
            let mut stmt = tx.prepare(
                "SELECT v.call_start_ms, v.conversation_id, v.queue_id, v.queue_name, v.outcome,
                        v.wait_ms, v.handle_ms, v.media_type
                 FROM queue_visits v ORDER BY v.call_start_ms, v.conversation_id, v.seq", // the table's own order
            )?;
            let mut rows = stmt.query([])?;
            let mut finder = CallFinder::new(&calls, &ids);
            while let Some(r) = rows.next()? {
                let media = text(r, 7)?;
                visits.push(IndexedVisit {
                    of: finder.owner(r, &mut interner)?,
                    outcome: interner.sym(text(r, 4)?),
                    wait_ms: r.get::<_, Option<i64>>(5)?.unwrap_or(0),
                    handle_ms: r.get::<_, Option<i64>>(6)?.unwrap_or(0),
                    media: interner.sym(media),
                    objective: intern(targets.get(text(r, 2)?, media)),
                });
            }
        }
        drop(ids);
        tx.finish()?;
        legs.shrink_to_fit();
        visits.shrink_to_fit();
        Ok(CallIndex {
            change_seq,
            strings: interner.strings,
            ids: interner.ids,
            paths: interner.paths,
            calls,
            legs,
            visits,
            objectives,
        })
    }
}

/// Finds the call of each part while the parts are read in the calls' own order (start, then
/// conversation id), walking forward through the calls once.
struct CallFinder<'c> {
    calls: &'c [IndexedCall],
    ids: &'c [Box<str>],
    at: usize,
}

impl<'c> CallFinder<'c> {
    fn new(calls: &'c [IndexedCall], ids: &'c [Box<str>]) -> Self {
        CallFinder { calls, ids, at: 0 }
    }

    /// The owner of the part in row `r`, whose first columns are its call's start and
    /// conversation id, then its queue's id and name.
    fn owner(&mut self, r: &rusqlite::Row<'_>, interner: &mut Interner) -> Result<Owner, rusqlite::Error> {
        let start_ms: i64 = r.get(0)?;
        Ok(Owner {
            start_ms,
            call: self.find(start_ms, text(r, 1)?.unwrap_or_default()),
            queue: [interner.sym(text(r, 2)?), interner.sym(text(r, 3)?)],
        })
    }

    /// The position of the call with this start and id (`u32::MAX` when it is not archived).
    fn find(&mut self, start_ms: i64, id: &str) -> u32 {
        let key = (start_ms, id);
        while self.at < self.calls.len() && (self.calls[self.at].start_ms, &*self.ids[self.at]) < key {
            self.at += 1;
        }
        if self.at < self.calls.len() && (self.calls[self.at].start_ms, &*self.ids[self.at]) == key {
            u32::try_from(self.at).unwrap_or(u32::MAX)
        } else {
            u32::MAX
        }
    }
}
