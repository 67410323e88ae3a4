//! The generator: N conversations over D days, seeded and reproducible, each with its ground
//! truth.
//!
//! Calls are spread over the D whole UTC days before `today` with a realistic shape (busy
//! weekday mornings and afternoons, quiet nights and weekends). Each call's scenario and
//! details come from its own random stream, so the same seed, count and days give the same
//! conversations, with the same ids, on any machine on the same day.

use calltrail_model::{
    Conversation, Direction, DisconnectType as D, FlowType, MediaType, Participant, Purpose, SegmentType as S,
};

use crate::build::{attributes, flow, metric, outcome, participant, seg, session, text, ts, SegmentExt};
use crate::org::Org;
use crate::rng::Rng;
use crate::scenario::Scenario;
use crate::truth::{Truth, TruthTotals, TruthVisit};

const SECOND: i64 = 1000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
/// The share of plainly answered calls a team lead listens in on.
const SUPERVISED_SHARE: f64 = 0.08;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// How many conversations.
    pub calls: usize,
    /// Over how many whole UTC days before `today`.
    pub days: u32,
    /// The seed.
    pub seed: u64,
    /// Midnight UTC of the current day, in ms since the epoch.
    pub today_ms: i64,
}

impl Spec {
    /// The spec for "now": today is the UTC day containing `now_ms`.
    pub fn at(calls: usize, days: u32, seed: u64, now_ms: i64) -> Spec {
        Spec { calls, days, seed, today_ms: now_ms.div_euclid(DAY) * DAY }
    }
}

/// The records as the API shows them at `now_ms`, as JSON bytes (calls not started by then
/// left out): what a sync at that moment would store.
pub fn records_at(planned: &[Planned], now_ms: i64) -> Vec<Vec<u8>> {
    planned.iter().filter_map(|p| p.view_at(now_ms)).filter_map(|v| serde_json::to_vec(&v).ok()).collect()
}

/// One generated conversation.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The scenario.
    pub scenario: Scenario,
    /// The record in its final form.
    pub record: Conversation<'static>,
    /// An earlier form of the record, valid until the given time (records that change after the
    /// fact).
    pub before_change: Option<(i64, Conversation<'static>)>,
    /// The expected answers.
    pub truth: Truth,
    /// Start, in ms.
    pub start_ms: i64,
    /// When the conversation ends (`conversationEnd`), in ms.
    pub end_ms: i64,
    /// When the record stops changing (after wrap-up, and after a late change).
    pub settled_ms: i64,
}

impl Planned {
    /// The record as the API shows it at `now_ms`: segments not yet begun are absent, those
    /// under way have no end, and `conversationEnd` appears only once the call is over.
    /// `None` before the conversation started.
    pub fn view_at(&self, now_ms: i64) -> Option<Conversation<'static>> {
        if now_ms < self.start_ms {
            return None;
        }
        let record = match &self.before_change {
            Some((until, earlier)) if now_ms < *until => earlier,
            _ => &self.record,
        };
        if now_ms >= self.settled_ms {
            return Some(record.clone());
        }
        Some(truncate(record, now_ms))
    }

    /// The ground truth as of `now_ms`.
    pub fn truth_at(&self, now_ms: i64) -> Truth {
        if now_ms < self.end_ms {
            return self.truth.at(now_ms);
        }
        if now_ms < self.settled_ms {
            // Ended, but wrap-up (or a late correction) is still to come.
            return Truth {
                wrapup_code_id: None,
                wrapup_code_name: None,
                totals: None,
                ..self.truth.clone()
            };
        }
        self.truth.clone()
    }
}

fn millis(t: Option<&calltrail_model::Text<'_>>) -> Option<i64> {
    t.and_then(|t| calltrail_model::Timestamp::parse(t)).map(calltrail_model::Timestamp::millis)
}

fn truncate(record: &Conversation<'static>, now: i64) -> Conversation<'static> {
    let mut out = record.clone();
    if millis(out.conversation_end.as_ref()).is_some_and(|e| e > now) {
        out.conversation_end = None;
    }
    let participants = out.participants.take().unwrap_or_default();
    let mut kept = Vec::new();
    for mut p in participants {
        let mut sessions = Vec::new();
        for mut s in p.sessions.take().unwrap_or_default() {
            let segments: Vec<_> = s
                .segments
                .take()
                .unwrap_or_default()
                .into_iter()
                .filter(|g| millis(g.segment_start.as_ref()).is_some_and(|t| t <= now))
                .map(|mut g| {
                    if millis(g.segment_end.as_ref()).is_some_and(|t| t > now) {
                        g.segment_end = None;
                        g.disconnect_type = None;
                        g.wrap_up_code = None;
                        g.wrap_up_note = None;
                    }
                    g
                })
                .collect();
            if segments.is_empty() {
                continue;
            }
            s.segments = Some(segments);
            if let Some(metrics) = s.metrics.take() {
                s.metrics = Some(
                    metrics
                        .into_iter()
                        .filter(|m| millis(m.emit_date.as_ref()).is_some_and(|t| t <= now))
                        .collect(),
                );
            }
            if let Some(flow) = s.flow.as_mut() {
                if let Some(outcomes) = flow.outcomes.as_mut() {
                    for o in outcomes {
                        if millis(o.flow_outcome_end_timestamp.as_ref()).is_some_and(|t| t > now) {
                            o.flow_outcome_end_timestamp = None;
                        }
                    }
                }
            }
            sessions.push(s);
        }
        if !sessions.is_empty() {
            p.sessions = Some(sessions);
            kept.push(p);
        }
    }
    out.participants = Some(kept);
    out
}

/// Share of calls per UTC hour (busy 08–18).
const HOUR_WEIGHTS: [u32; 24] =
    [2, 1, 1, 1, 1, 2, 4, 10, 30, 50, 55, 50, 38, 42, 48, 45, 40, 30, 18, 12, 8, 6, 4, 3];
/// Share per weekday, Monday first.
const WEEKDAY_WEIGHTS: [u32; 7] = [110, 100, 100, 100, 95, 45, 25];

/// Generates the organisation and the conversations of `spec`, sorted by start.
pub fn generate(spec: &Spec) -> (Org, Vec<Planned>) {
    let org = Org::new(spec.seed);
    let mut schedule = Rng::derive(spec.seed, 0x5C4E);
    let days = i64::from(spec.days.max(1));
    let first_day = spec.today_ms - days * DAY;
    let day_weights: Vec<u32> = (0..days)
        .map(|d| {
            // 1970-01-01 was a Thursday: weekday index 3 (Monday = 0).
            let weekday = usize::try_from((first_day / DAY + d + 3).rem_euclid(7)).unwrap_or(0);
            WEEKDAY_WEIGHTS[weekday]
        })
        .collect();
    let mut starts: Vec<i64> = (0..spec.calls)
        .map(|_| {
            let day = i64::try_from(schedule.weighted(&day_weights)).unwrap_or(0);
            let hour = i64::try_from(schedule.weighted(&HOUR_WEIGHTS)).unwrap_or(0);
            first_day + day * DAY + hour * HOUR + schedule.between(0, HOUR - 1)
        })
        .collect();
    starts.sort_unstable();
    let window_end = spec.today_ms;
    let mut calls: Vec<Planned> = starts
        .iter()
        .enumerate()
        .map(|(i, &start)| {
            let mut rng = Rng::derive(spec.seed, 0x1_0000 + i as u64);
            let weights: Vec<u32> = Scenario::ALL.iter().map(|(_, w)| *w).collect();
            let scenario = Scenario::ALL[rng.weighted(&weights)].0;
            let id = rng.uuid();
            let mut call = Call::new(&org, rng, id, start, window_end);
            if let Some((number, name)) = regular_caller(spec, i) {
                call.customer_number = number;
                name.clone_into(&mut call.customer_name);
            }
            call.build(scenario)
        })
        .collect();
    calls.sort_by_key(|c| c.start_ms);
    (org, calls)
}

/// The names the network shows for callers.
const CALLER_NAMES: [&str; 6] =
    ["Mobile Caller", "Jordan Miller", "Sam Rivera", "Alex Chen", "Pat Okafor", "Wireless Caller"];

/// The share of calls made by (or to) a regular: a customer who calls more than once.
const REGULAR_SHARE: f64 = 0.3;
/// How many calls there are for each regular, as the pool's size: about 2.4 calls each.
const CALLS_PER_REGULAR: usize = 8;

/// The number and name of call `index`'s customer when they are one of the regulars, who call
/// again and again (a pool that grows with the traffic, so the share of repeat calls does not
/// depend on the number of calls). Drawn from a stream of its own, so the rest of each call
/// is as it would be without regulars.
fn regular_caller(spec: &Spec, index: usize) -> Option<(String, &'static str)> {
    let mut rng = Rng::derive(spec.seed, 0xCA11_0000 + index as u64);
    if !rng.chance(REGULAR_SHARE) {
        return None;
    }
    let pool = (spec.calls / CALLS_PER_REGULAR).max(20) as u64;
    let k = rng.below(pool);
    let area = ["212", "312", "415", "617", "713", "206"][usize::try_from(k % 6).unwrap_or(0)];
    let name = CALLER_NAMES[usize::try_from(k / 6 % 6).unwrap_or(0)];
    Some((format!("tel:+1{area}{:07}", 2_000_000 + k / 6), name))
}

/// One agent's part in a call, for [`Call::agent`]: who, on which queue, when the call rang,
/// the talk and hold pieces that followed, how the last piece ended and the wrap-up after it.
struct AgentTurn<'p> {
    user: usize,
    media: MediaType,
    direction: Direction,
    queue: Option<usize>,
    alert: (i64, i64),
    pieces: &'p [(S, i64, i64)],
    last: Option<D>,
    wrapup: Option<(i64, usize, Option<String>)>,
    conference: bool,
}

impl<'p> AgentTurn<'p> {
    /// A voice leg of `user` that rings over `alert`, then goes through `pieces`.
    fn new(
        user: usize,
        direction: Direction,
        queue: Option<usize>,
        alert: (i64, i64),
        pieces: &'p [(S, i64, i64)],
    ) -> Self {
        AgentTurn {
            user,
            media: MediaType::Voice,
            direction,
            queue,
            alert,
            pieces,
            last: None,
            wrapup: None,
            conference: false,
        }
    }

    fn media(self, media: MediaType) -> Self {
        AgentTurn { media, ..self }
    }

    /// The last piece ends with this disconnect.
    fn ends(self, how: D) -> Self {
        AgentTurn { last: Some(how), ..self }
    }

    /// Wrap-up `code` (an index into the org's codes) from `at`, with an optional note.
    fn wraps_up(self, at: i64, code: usize, note: Option<String>) -> Self {
        AgentTurn { wrapup: Some((at, code, note)), ..self }
    }

    /// The pieces are marked as a conference.
    fn in_conference(self) -> Self {
        AgentTurn { conference: true, ..self }
    }
}

/// One call being built.
struct Call<'o> {
    org: &'o Org,
    rng: Rng,
    id: String,
    t0: i64,
    window_end: i64,
    parts: Vec<Participant<'static>>,
    truth: Truth,
    totals: TruthTotals,
    attributes: Vec<(String, String)>,
    customer_number: String,
    customer_name: String,
}

impl<'o> Call<'o> {
    fn new(org: &'o Org, mut rng: Rng, id: String, t0: i64, window_end: i64) -> Self {
        let customer_number = format!(
            "tel:+1{}{:07}",
            rng.pick(&["212", "312", "415", "617", "713", "206"]),
            rng.below(10_000_000)
        );
        let customer_name = (*rng.pick(&CALLER_NAMES)).to_owned();
        Call {
            org,
            rng,
            id: id.clone(),
            t0,
            window_end,
            parts: Vec::new(),
            truth: Truth { conversation_id: id, ..Truth::default() },
            totals: TruthTotals::default(),
            attributes: Vec::new(),
            customer_number,
            customer_name,
        }
    }

    fn uuid(&mut self) -> String {
        self.rng.uuid()
    }

    fn build(mut self, scenario: Scenario) -> Planned {
        self.truth.scenario = scenario.name();
        let mut late = None;
        let end = match scenario {
            Scenario::InboundAnswered => self.inbound(InboundPlan::answered()),
            Scenario::AbandonedInIvr => self.abandoned_in_ivr(),
            Scenario::AbandonedInQueue => {
                self.inbound(InboundPlan { abandon_in_queue: true, ..InboundPlan::answered() })
            }
            Scenario::SelfServed => self.self_served(),
            Scenario::NotRespondingThenAnswered => {
                self.inbound(InboundPlan { rona: true, ..InboundPlan::answered() })
            }
            Scenario::BlindTransfer => {
                self.inbound(InboundPlan { after: After::BlindTransfer, ..InboundPlan::answered() })
            }
            Scenario::ConsultTransfer => {
                self.inbound(InboundPlan { after: After::Consult, ..InboundPlan::answered() })
            }
            Scenario::ExternalTransfer => {
                self.inbound(InboundPlan { after: After::External, ..InboundPlan::answered() })
            }
            Scenario::Conference => {
                self.inbound(InboundPlan { after: After::Conference, ..InboundPlan::answered() })
            }
            Scenario::Voicemail => self.inbound(InboundPlan { voicemail: true, ..InboundPlan::answered() }),
            Scenario::Callback => self.callback(),
            Scenario::OutboundConnected => self.outbound(true),
            Scenario::OutboundNotAnswered => self.outbound(false),
            Scenario::DialerCampaign => self.campaign(),
            Scenario::Internal => self.internal(),
            Scenario::Chat => self.digital(MediaType::Chat, false),
            Scenario::Email => self.digital(MediaType::Email, false),
            Scenario::Message => self.digital(MediaType::Message, false),
            Scenario::Ongoing => {
                self.t0 = self.window_end - self.rng.between(HOUR, 20 * HOUR);
                self.digital(MediaType::Email, true)
            }
            Scenario::LateChange => {
                let end = self.inbound(InboundPlan::answered());
                late = Some(self.late_change(end));
                end
            }
        };
        self.finish(scenario, end, late)
    }

    /// Records the attributes on the customer and assembles the conversation.
    fn finish(mut self, scenario: Scenario, end: i64, late: Option<i64>) -> Planned {
        if !self.attributes.is_empty() {
            if let Some(customer) = self.parts.iter_mut().find(|p| p.purpose == Some(Purpose::Customer)) {
                customer.attributes = Some(attributes(&self.attributes));
            }
        }
        let settled = self
            .parts
            .iter()
            .flat_map(calltrail_model::Participant::sessions)
            .flat_map(calltrail_model::Session::segments)
            .filter_map(|s| millis(s.segment_end.as_ref()))
            .max()
            .unwrap_or(end)
            .max(end);
        let direction = self.truth.direction;
        let record = Conversation {
            conversation_id: text(self.id.clone()),
            conversation_start: ts(self.t0),
            conversation_end: ts(end),
            originating_direction: direction
                .map(|d| Direction::parse(if d == "outbound" { "outbound" } else { "inbound" })),
            division_ids: Some(vec![text(self.org.division.clone()).unwrap_or_default()]),
            self_served: (scenario == Scenario::SelfServed).then_some(true),
            media_stats_min_conversation_mos: (self.truth.media_type == Some("voice"))
                .then_some(4.2 + f64::from(u32::try_from(self.rng.below(70)).unwrap_or(0)) / 100.0),
            participants: Some(std::mem::take(&mut self.parts)),
            ..Conversation::default()
        };
        self.truth.start_ms = self.t0;
        self.truth.end_ms = end;
        if self.truth.totals.is_none() {
            let mut totals = self.totals;
            totals.handle_ms = totals.talk_ms + totals.hold_ms + totals.acw_ms;
            self.truth.totals = Some(totals);
        }
        let settled = late.map_or(settled, |at| settled.max(at));
        let before_change = late.map(|at| (at, self.before_correction(&record)));
        Planned {
            scenario,
            record,
            before_change,
            truth: self.truth,
            start_ms: self.t0,
            end_ms: end,
            settled_ms: settled,
        }
    }

    fn set_reason_attributes(&mut self, queue: usize) {
        let intent = self.org.queues[queue].intent;
        let sub = (*self.rng.pick(&["Invoice", "Payment", "Outage", "Upgrade", "Moving", "Price", "Other"]))
            .to_owned();
        self.attributes.push(("MainIntent1".into(), intent.into()));
        self.attributes.push(("SubIntent1".into(), sub.clone()));
        self.attributes.push(("LOB".into(), "Residential".into()));
        if self.rng.chance(0.35) {
            let refined = format!("{intent} - {sub}");
            self.attributes.push(("Final Main Intent".into(), refined.clone()));
            self.truth.reason = Some(refined);
            self.truth.reason_source = Some("attribute:Final Main Intent".into());
        } else {
            self.truth.reason = Some(intent.to_owned());
            self.truth.reason_source = Some("attribute:MainIntent1".into());
        }
    }

    #[allow(clippy::needless_pass_by_value)]
    fn customer_inbound(&mut self, media: MediaType, segments: Vec<calltrail_model::Segment<'static>>) {
        let id = self.uuid();
        let sid = self.uuid();
        let mut s = session(&Purpose::Customer, media.clone(), Direction::Inbound, sid, segments, Vec::new());
        match media {
            MediaType::Voice => {
                s.ani = text(self.customer_number.clone());
                s.dnis = text(self.org.main_number.clone());
                s.session_dnis = text(self.org.main_number.clone());
                s.remote_name_displayable = text(self.customer_name.clone());
                s.edge_id = text("7f5a7d9c-1d1c-4b2f-9a41-5e2b1f0c0e11");
                self.truth.customer_number = Some(self.customer_number.trim_start_matches("tel:").to_owned());
                self.truth.from_address = Some(self.customer_number.clone());
                self.truth.to_address = Some(self.org.main_number.clone());
            }
            MediaType::Email => {
                // The customer's own address: their name and the digits that end their number,
                // so a regular writes from the address they call from.
                let digits = &self.customer_number[self.customer_number.len().saturating_sub(7)..];
                let from =
                    format!("{}.{digits}@example.net", self.customer_name.to_lowercase().replace(' ', "."));
                s.address_from = text(from.clone());
                s.address_to = text("support@example.com");
                self.truth.customer_number = Some(from.clone());
                self.truth.from_address = Some(from);
                self.truth.to_address = Some("support@example.com".into());
            }
            MediaType::Message => {
                s.more.get_or_default().message_type =
                    text(if self.rng.chance(0.5) { "sms" } else { "webmessaging" });
            }
            _ => {}
        }
        self.truth.direction = Some("inbound");
        self.truth.direction_label.get_or_insert("Inbound");
        self.truth.media_type = Some(media_name(&media));
        self.truth.placed_by_role = Some("customer");
        let mut p = participant(Purpose::Customer, id, Some(&self.customer_name.clone()), None, vec![s]);
        p.external_contact_id = text(self.rng.uuid());
        self.parts.insert(0, p);
    }

    fn ivr(&mut self, start: i64, end: i64, how: D, transfer_to: Option<usize>, outcomes_reached: usize) {
        let org = self.org;
        let step = (end - start) / 4;
        let outcomes: Vec<_> = org
            .outcomes
            .iter()
            .take(outcomes_reached.max(1))
            .enumerate()
            .map(|(i, o)| {
                let at = start + step * i64::try_from(i).unwrap_or(0) + SECOND;
                outcome(&o.id, at, (i < outcomes_reached).then_some(at + step / 2))
            })
            .collect();
        let transfer = transfer_to.map(|q| ("ACD", org.queues[q].name.as_str(), org.queues[q].id.as_str()));
        let flow = flow(
            &org.ivr.id,
            &org.ivr.name,
            FlowType::Inboundcall,
            org.ivr.version,
            ("dnis", Some(&org.main_number)),
            Some(if transfer.is_some() { "TRANSFER" } else { "DISCONNECT" }),
            transfer,
            outcomes,
        );
        // Real IVR sessions open with a few milliseconds of `system` before the `ivr` segment
        // that tIvr measures.
        let setup = if end - start > SECOND { self.rng.between(20, 80) } else { 0 };
        let flow_ms = end - start - setup;
        let extra =
            vec![metric(if transfer.is_some() { "tFlowExit" } else { "tFlowDisconnect" }, flow_ms, end)];
        let mut segments = Vec::with_capacity(2);
        if setup > 0 {
            segments.push(seg(S::System, start, start + setup));
        }
        segments.push(seg(S::Ivr, start + setup, end).ends(how.clone()));
        let sid = self.uuid();
        let mut s = session(&Purpose::Ivr, MediaType::Voice, Direction::Inbound, sid, segments, extra);
        s.flow = Some(flow);
        s.ani = text(self.customer_number.clone());
        s.dnis = text(self.org.main_number.clone());
        let pid = self.uuid();
        self.parts.push(participant(Purpose::Ivr, pid, Some(&org.ivr.name), None, vec![s]));
        self.totals.ivr_ms += flow_ms;
        self.truth.ivr_exit = Some(match (transfer_to, how) {
            (Some(_), _) => "transfer",
            (None, D::Peer) => "disconnect",
            (None, _) => "self_served",
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn acd(
        &mut self,
        queue: usize,
        media: MediaType,
        start: i64,
        end: i64,
        how: D,
        extra: Vec<calltrail_model::Metric<'static>>,
        flow_out: Option<&str>,
    ) {
        // Real queue sessions open with a few milliseconds of `delay` before the `interact`
        // that tAcd measures.
        let delay = if end - start > SECOND { self.rng.between(5, 40) } else { 0 };
        let q = &self.org.queues[queue];
        let mut segments = Vec::with_capacity(2);
        if delay > 0 {
            segments.push(seg(S::Delay, start, start + delay).queue(&q.id));
        }
        // How the wait ended: a transfer to an agent, or out to a callback or voicemail, or
        // the customer leaving.
        let outcome = match (flow_out, &how) {
            (Some(_), _) => "flow_out",
            (None, D::Transfer) => "answered",
            (None, _) => "abandoned",
        };
        let mut waiting = seg(S::Interact, start + delay, end).queue(&q.id).ends(how);
        if end <= start {
            waiting.segment_end = ts(start);
        }
        segments.push(waiting);
        let sid = self.uuid();
        let media_type = media.as_str().to_owned();
        let mut s = session(&Purpose::Acd, media, Direction::Inbound, sid, segments, extra);
        s.flow_in_type = text("ivr");
        s.flow_out_type = flow_out.and_then(text);
        s.flow = Some(flow(
            &self.org.in_queue.id,
            &self.org.in_queue.name,
            FlowType::Inqueuecall,
            self.org.in_queue.version,
            ("flow", None),
            None,
            None,
            Vec::new(),
        ));
        s.requested_routings = Some(vec![text("Standard").unwrap_or_default()]);
        let pid = self.uuid();
        let wait_ms = (end - start - delay).max(0);
        self.truth.queue_visits.push(TruthVisit {
            queue: q.name.clone(),
            media_type,
            entered_ms: start,
            left_ms: end,
            wait_ms,
            outcome,
        });
        self.parts.push(participant(Purpose::Acd, pid, Some(&q.name.clone()), None, vec![s]));
        self.totals.queue_ms += wait_ms;
    }

    /// Writes an agent's participant for `turn`: the alert, the talk and hold pieces, then the
    /// wrap-up. Returns the participant id.
    fn agent(&mut self, turn: AgentTurn<'_>) -> String {
        let AgentTurn { user, media, direction, queue, alert, pieces, last, wrapup, conference } = turn;
        let u = &self.org.users[user];
        let q = queue.map(|q| self.org.queues[q].id.clone());
        let with_queue = |s: calltrail_model::Segment<'static>| match &q {
            Some(q) => s.queue(q),
            None => s,
        };
        let mut segments = vec![with_queue(seg(S::Alert, alert.0, alert.1))];
        self.totals.alert_ms += alert.1 - alert.0;
        for (i, (kind, a, b)) in pieces.iter().enumerate() {
            let mut s = with_queue(seg(kind.clone(), *a, *b));
            if conference {
                s = s.conference();
            }
            if i + 1 == pieces.len() {
                if let Some(how) = &last {
                    s = s.ends(how.clone());
                }
            }
            match kind {
                S::Interact => self.totals.talk_ms += b - a,
                S::Hold => self.totals.hold_ms += b - a,
                _ => {}
            }
            segments.push(s);
        }
        if let Some((at, code, note)) = wrapup {
            let acw = self.rng.between(10 * SECOND, 90 * SECOND);
            let mut w = with_queue(seg(S::Wrapup, at, at + acw));
            w.wrap_up_code = text(self.org.wrapup_codes[code].id.clone());
            w.wrap_up_note = note.and_then(text);
            segments.push(w);
            self.totals.acw_ms += acw;
        }
        let answered_at = alert.1;
        let mut extra = Vec::new();
        if !pieces.is_empty() {
            extra.push(metric("tAnswered", answered_at - self.t0, answered_at));
        }
        let sid = self.uuid();
        let mut s = session(&Purpose::Agent, media, direction, sid, segments, extra);
        s.selected_agent_id = text(u.id.clone());
        s.used_routing = text("Standard");
        let pid = self.uuid();
        self.parts.push(participant(
            Purpose::Agent,
            pid.clone(),
            Some(&u.name.clone()),
            Some(&u.id.clone()),
            vec![s],
        ));
        pid
    }

    /// A team lead (another agent of `queue`) listens in on `agent` (a participant id) from
    /// some time into the talk between `from` and `to`: an agent participant whose one voice
    /// session names the monitored participant and holds a `monitoring` segment. Some leave
    /// early (their own `endpoint`); the others stay until the call ends (`peer`).
    fn supervisor_listens(&mut self, queue: usize, busy: &[usize], agent: &str, from: i64, to: i64) {
        let user = self.pick_agent(queue, busy);
        let start = from + self.rng.between(0, (to - from) / 2);
        let (end, how) = if self.rng.chance(0.5) {
            (to, D::Peer)
        } else {
            (start + self.rng.between(0, to - start), D::Endpoint)
        };
        let sid = self.uuid();
        let mut s = session(
            &Purpose::Agent,
            MediaType::Voice,
            Direction::Inbound,
            sid,
            vec![seg(S::Monitoring, start, end).ends(how)],
            Vec::new(),
        );
        s.monitored_participant_id = text(agent.to_owned());
        let pid = self.uuid();
        let u = &self.org.users[user];
        self.parts.push(participant(
            Purpose::Agent,
            pid,
            Some(&u.name.clone()),
            Some(&u.id.clone()),
            vec![s],
        ));
        self.truth.supervisor_user_ids.push(self.org.users[user].id.clone());
    }

    fn pick_agent(&mut self, queue: usize, except: &[usize]) -> usize {
        let candidates: Vec<usize> = (0..self.org.users.len())
            .filter(|&i| self.org.users[i].queue == queue && !except.contains(&i))
            .collect();
        *self.rng.pick(&candidates)
    }

    fn wrapup_for(&mut self, queue: usize) -> (usize, Option<String>) {
        let code = *self.rng.pick(&self.org.queues[queue].codes);
        let note = self.rng.chance(0.4).then(|| {
            (*self.rng.pick(&[
                "Explained the bill",
                "Customer will call back",
                "Booked an engineer",
                "Sent confirmation e-mail",
                "Escalated to team lead",
            ]))
            .to_owned()
        });
        (code, note)
    }

    fn set_wrapup_truth(&mut self, code: usize) {
        self.truth.wrapup_code_id = Some(self.org.wrapup_codes[code].id.clone());
        self.truth.wrapup_code_name = Some(self.org.wrapup_codes[code].name.clone());
    }

    fn inbound(&mut self, plan: InboundPlan) -> i64 {
        let queue = usize::try_from(self.rng.below(self.org.queues.len() as u64)).unwrap_or(0);
        let t0 = self.t0;
        let ivr_end = t0 + self.rng.between(15 * SECOND, 90 * SECOND);
        self.set_reason_attributes(queue);
        self.ivr(t0 + 300, ivr_end, D::Transfer, Some(queue), 2);
        // Queue wait; alerting happens inside it, so the acd segment ends when an agent answers.
        // Most answered calls wait seconds (a service level around 75% in 20 s); callers who
        // give up or are sent to voicemail have waited longer.
        let mean = if plan.abandon_in_queue || plan.voicemail { 70 * SECOND } else { 10 * SECOND };
        let wait = self.rng.wait(5 * SECOND, mean, 15 * MINUTE);
        let mut cursor = ivr_end + wait;
        self.truth.transfers = Some(0);
        self.truth.answered = Some(!plan.abandon_in_queue && !plan.voicemail);
        if plan.abandon_in_queue || plan.voicemail {
            let how = if plan.abandon_in_queue { D::Peer } else { D::Transfer };
            let extra = if plan.abandon_in_queue {
                vec![metric("tAbandon", cursor - ivr_end, cursor)]
            } else {
                vec![metric("tFlowOut", cursor - ivr_end, cursor)]
            };
            self.acd(
                queue,
                MediaType::Voice,
                ivr_end,
                cursor,
                how,
                extra,
                plan.voicemail.then_some("voicemail"),
            );
            let end = if plan.voicemail {
                let vm_end = cursor + self.rng.between(10 * SECOND, 60 * SECOND);
                let sid = self.uuid();
                let s = session(
                    &Purpose::Voicemail,
                    MediaType::Voice,
                    Direction::Inbound,
                    sid,
                    vec![seg(S::Voicemail, cursor, vm_end).ends(D::Peer)],
                    Vec::new(),
                );
                let pid = self.uuid();
                self.parts.push(participant(Purpose::Voicemail, pid, Some("Voicemail"), None, vec![s]));
                self.totals.voicemail_ms += vm_end - cursor;
                self.truth.outcome = Some("voicemail");
                vm_end
            } else {
                self.truth.outcome = Some("abandoned_in_queue");
                cursor
            };
            self.customer_inbound(
                MediaType::Voice,
                vec![seg(S::Interact, t0 + 300, end)
                    .queue(&self.org.queues[queue].id.clone())
                    .ends(D::Endpoint)],
            );
            self.parts[0].sessions.as_mut().unwrap()[0]
                .segments
                .as_mut()
                .unwrap()
                .insert(0, seg(S::System, t0, t0 + 300));
            self.truth.disconnect_by = Some("customer");
            self.truth.answered = Some(false);
            return end;
        }

        let mut used = Vec::new();
        if plan.rona {
            let rona = self.pick_agent(queue, &used);
            used.push(rona);
            let ring = self.rng.between(8 * SECOND, 20 * SECOND);
            let alert = (cursor - ring, cursor);
            let u = &self.org.users[rona];
            let mut segment =
                seg(S::Alert, alert.0, alert.1).queue(&self.org.queues[queue].id).ends(D::Client);
            segment.error_code = text("error.ininedgecontrol.session.inactive");
            let mut segments = vec![segment];
            // As in real records, the platform sometimes puts the agent who did not answer into
            // after-call work with a code, carrying the same error, while the call rings on.
            if self.rng.chance(0.3) {
                let from = alert.1 + self.rng.between(100, 600);
                let acw = self.rng.between(20 * SECOND, 90 * SECOND);
                let (code, _) = self.wrapup_for(queue);
                let mut wrapup =
                    seg(S::Wrapup, from, from + acw).queue(&self.org.queues[queue].id).ends(D::Client);
                wrapup.error_code = text("error.ininedgecontrol.session.inactive");
                wrapup.wrap_up_code = text(self.org.wrapup_codes[code].id.clone());
                segments.push(wrapup);
                self.totals.acw_ms += acw;
            }
            let extra = vec![metric("tNotResponding", ring, alert.1), metric("nError", 1, alert.1)];
            let sid = self.uuid();
            let s = session(&Purpose::Agent, MediaType::Voice, Direction::Inbound, sid, segments, extra);
            let pid = self.uuid();
            self.parts.push(participant(
                Purpose::Agent,
                pid,
                Some(&u.name.clone()),
                Some(&u.id.clone()),
                vec![s],
            ));
            self.totals.alert_ms += ring;
            self.truth.not_responding_user_ids.push(u.id.clone());
            cursor += self.rng.between(3 * SECOND, 30 * SECOND);
        }
        let first = self.pick_agent(queue, &used);
        used.push(first);
        let ring = self.rng.between(3 * SECOND, 12 * SECOND);
        let answer = cursor;
        let alert = (answer - ring, answer);
        self.acd(queue, MediaType::Voice, ivr_end, answer, D::Transfer, Vec::new(), None);
        // The talk: one or two pieces, with a hold between sometimes.
        let talk1 = self.rng.between(40 * SECOND, 420 * SECOND);
        let mut pieces = vec![(S::Interact, answer, answer + talk1)];
        let mut t = answer + talk1;
        if self.rng.chance(0.3) && plan.after == After::Nothing {
            let hold = self.rng.between(10 * SECOND, 120 * SECOND);
            pieces.push((S::Hold, t, t + hold));
            t += hold;
            let talk2 = self.rng.between(20 * SECOND, 180 * SECOND);
            pieces.push((S::Interact, t, t + talk2));
            t += talk2;
        }
        self.truth.answered_by_role = Some("agent");
        self.truth.answered_by_user_id = Some(self.org.users[first].id.clone());
        self.truth.outcome = Some("answered");
        let (code, note) = self.wrapup_for(queue);
        let customer_hangs_up = self.rng.chance(0.6);
        let queue_id = self.org.queues[queue].id.clone();

        let end = match plan.after {
            After::Nothing => {
                let last = if customer_hangs_up { D::Peer } else { D::Client };
                let agent = self.agent(
                    AgentTurn::new(first, Direction::Inbound, Some(queue), alert, &pieces)
                        .ends(last)
                        .wraps_up(t, code, note),
                );
                self.set_wrapup_truth(code);
                if self.rng.chance(SUPERVISED_SHARE) {
                    self.supervisor_listens(queue, &used, &agent, answer, t);
                }
                t
            }
            After::BlindTransfer => {
                // The first agent hands the call on (a blind transfer) and wraps up.
                self.agent(
                    AgentTurn::new(first, Direction::Inbound, Some(queue), alert, &pieces)
                        .ends(D::Transfer)
                        .wraps_up(t, code, note),
                );
                let queue2 = (queue
                    + 1
                    + usize::try_from(self.rng.below(self.org.queues.len() as u64 - 1)).unwrap_or(0))
                    % self.org.queues.len();
                let wait2 = self.rng.between(5 * SECOND, 90 * SECOND);
                let answer2 = t + wait2;
                self.acd(queue2, MediaType::Voice, t, answer2, D::Transfer, Vec::new(), None);
                let second = self.pick_agent(queue2, &used);
                let talk = self.rng.between(30 * SECOND, 300 * SECOND);
                let (code2, note2) = self.wrapup_for(queue2);
                let last = if customer_hangs_up { D::Peer } else { D::Client };
                let ring2 = self.rng.between(2 * SECOND, 8 * SECOND).min(wait2);
                self.agent(
                    AgentTurn::new(
                        second,
                        Direction::Inbound,
                        Some(queue2),
                        (answer2 - ring2, answer2),
                        &[(S::Interact, answer2, answer2 + talk)],
                    )
                    .ends(last)
                    .wraps_up(answer2 + talk, code2, note2),
                );
                self.set_wrapup_truth(code2);
                self.truth.transfers = Some(1);
                answer2 + talk
            }
            After::Consult => {
                // Agent 1 holds the customer while ringing and talking to agent 2, then leaves.
                let second = self.pick_agent(queue, &used);
                let hold_start = t;
                let ring2 = self.rng.between(3 * SECOND, 10 * SECOND);
                let consult = self.rng.between(20 * SECOND, 90 * SECOND);
                let handover = hold_start + ring2 + consult;
                pieces.push((S::Hold, hold_start, handover));
                pieces.push((S::Interact, handover, handover + 2 * SECOND));
                self.agent(
                    AgentTurn::new(first, Direction::Inbound, Some(queue), alert, &pieces)
                        .ends(D::ConsultTransfer)
                        .wraps_up(handover + 2 * SECOND, code, note),
                );
                let talk = self.rng.between(30 * SECOND, 300 * SECOND);
                let end = handover + 2 * SECOND + talk;
                let (code2, note2) = self.wrapup_for(queue);
                let last = if customer_hangs_up { D::Peer } else { D::Client };
                self.agent(
                    AgentTurn::new(
                        second,
                        Direction::Outbound,
                        None,
                        (hold_start, hold_start + ring2),
                        &[(S::Interact, hold_start + ring2, end)],
                    )
                    .ends(last)
                    .wraps_up(end, code2, note2),
                );
                self.set_wrapup_truth(code2);
                self.truth.transfers = Some(1);
                end
            }
            After::External => {
                self.agent(
                    AgentTurn::new(first, Direction::Inbound, Some(queue), alert, &pieces)
                        .ends(D::Transfer)
                        .wraps_up(t, code, note),
                );
                let number = format!("tel:+4420{:08}", self.rng.below(100_000_000));
                let talk = self.rng.between(30 * SECOND, 600 * SECOND);
                let end = t + talk;
                let sid = self.uuid();
                let mut s = session(
                    &Purpose::External,
                    MediaType::Voice,
                    Direction::Outbound,
                    sid,
                    vec![seg(S::Interact, t, end).ends(if customer_hangs_up {
                        D::Peer
                    } else {
                        D::Endpoint
                    })],
                    Vec::new(),
                );
                s.ani = text(self.org.main_number.clone());
                s.dnis = text(number);
                let pid = self.uuid();
                self.parts.push(participant(Purpose::External, pid, Some("Partner Desk"), None, vec![s]));
                self.set_wrapup_truth(code);
                self.truth.transfers = Some(1);
                self.truth.direction_label = Some("Inbound / Outbound");
                end
            }
            After::Conference => {
                // Agent 2 joins; agent 1 drops out well before the end; agent 2 or the customer ends it.
                let second = self.pick_agent(queue, &used);
                let ring2 = self.rng.between(3 * SECOND, 10 * SECOND);
                let join = t + ring2;
                let together = self.rng.between(30 * SECOND, 180 * SECOND);
                let leave = join + together;
                pieces.push((S::Interact, join, leave));
                let mut p = pieces.clone();
                p[0].2 = join;
                p.truncate(1);
                p.push((S::Interact, join, leave));
                self.agent(
                    AgentTurn::new(first, Direction::Inbound, Some(queue), alert, &p)
                        .ends(D::Client)
                        .wraps_up(leave, code, note),
                );
                let talk = self.rng.between(30 * SECOND, 300 * SECOND);
                let end = leave + talk;
                let (code2, note2) = self.wrapup_for(queue);
                let last = if customer_hangs_up { D::Peer } else { D::Client };
                self.agent(
                    AgentTurn::new(second, Direction::Outbound, None, (t, join), &[(S::Interact, join, end)])
                        .ends(last)
                        .wraps_up(end, code2, note2)
                        .in_conference(),
                );
                self.set_wrapup_truth(code2);
                end
            }
        };
        let customer_end = if customer_hangs_up { D::Endpoint } else { D::Peer };
        self.customer_inbound(
            MediaType::Voice,
            vec![
                seg(S::System, t0, t0 + 300),
                seg(S::Interact, t0 + 300, end).queue(&queue_id).ends(customer_end),
            ],
        );
        self.truth.disconnect_by =
            Some(if customer_hangs_up || plan.after == After::External { "customer" } else { "agent" });
        end
    }

    fn abandoned_in_ivr(&mut self) -> i64 {
        let t0 = self.t0;
        let end = t0 + self.rng.between(5 * SECOND, 60 * SECOND);
        let reached = usize::try_from(self.rng.below(2)).unwrap_or(0);
        self.ivr(t0 + 300, end, D::Peer, None, reached);
        self.customer_inbound(
            MediaType::Voice,
            vec![seg(S::System, t0, t0 + 300), seg(S::Interact, t0 + 300, end).ends(D::Endpoint)],
        );
        if reached > 0 {
            self.truth.reason = Some(self.org.outcomes[0].name.clone());
            self.truth.reason_source = Some("flow_outcome".into());
        }
        self.truth.disconnect_by = Some("customer");
        self.truth.outcome = Some("abandoned_in_ivr");
        self.truth.answered = Some(false);
        self.truth.transfers = Some(0);
        end
    }

    fn self_served(&mut self) -> i64 {
        let t0 = self.t0;
        let end = t0 + self.rng.between(40 * SECOND, 180 * SECOND);
        self.attributes.push(("MainIntent1".into(), "Balance".into()));
        self.attributes.push(("SubIntent1".into(), "Self-service".into()));
        self.truth.reason = Some("Balance".into());
        self.truth.reason_source = Some("attribute:MainIntent1".into());
        self.ivr(t0 + 300, end, D::Endpoint, None, 3);
        self.customer_inbound(
            MediaType::Voice,
            vec![seg(S::System, t0, t0 + 300), seg(S::Interact, t0 + 300, end).ends(D::Peer)],
        );
        self.truth.disconnect_by = Some("ivr");
        self.truth.outcome = Some("self_served");
        self.truth.answered = Some(false);
        self.truth.transfers = Some(0);
        end
    }

    fn callback(&mut self) -> i64 {
        let queue = usize::try_from(self.rng.below(self.org.queues.len() as u64)).unwrap_or(0);
        let q = self.org.queues[queue].id.clone();
        let t0 = self.t0;
        let ivr_end = t0 + self.rng.between(15 * SECOND, 60 * SECOND);
        self.set_reason_attributes(queue);
        self.ivr(t0 + 300, ivr_end, D::Transfer, Some(queue), 2);
        let accepted = ivr_end + self.rng.between(60 * SECOND, 300 * SECOND);
        self.acd(
            queue,
            MediaType::Voice,
            ivr_end,
            accepted,
            D::Transfer,
            vec![metric("tFlowOut", accepted - ivr_end, accepted)],
            Some("callback"),
        );
        // The callback waits in the queue, is offered to an agent who calls the customer back.
        let offered = accepted + self.rng.between(5 * MINUTE, 40 * MINUTE);
        self.acd(queue, MediaType::Callback, accepted, offered, D::Transfer, Vec::new(), None);
        let agent = self.pick_agent(queue, &[]);
        let ring = self.rng.between(2 * SECOND, 6 * SECOND);
        let talk = self.rng.between(60 * SECOND, 400 * SECOND);
        let end = offered + talk;
        let (code, note) = self.wrapup_for(queue);
        self.agent(
            AgentTurn::new(
                agent,
                Direction::Outbound,
                Some(queue),
                (offered - ring, offered),
                &[(S::Interact, offered, end)],
            )
            .media(MediaType::Callback)
            .ends(D::Client)
            .wraps_up(end, code, note),
        );
        self.customer_inbound(
            MediaType::Voice,
            vec![
                seg(S::System, t0, t0 + 300),
                seg(S::Interact, t0 + 300, accepted).queue(&q).ends(D::Endpoint),
            ],
        );
        let sid = self.uuid();
        let mut cb = session(
            &Purpose::Customer,
            MediaType::Callback,
            Direction::Inbound,
            sid,
            vec![
                seg(S::Callback, accepted, offered).queue(&q),
                seg(S::Interact, offered, end).queue(&q).ends(D::Peer),
            ],
            Vec::new(),
        );
        cb.callback_numbers = Some(vec![text(self.customer_number.clone()).unwrap_or_default()]);
        cb.more.get_or_default().callback_user_name = text(self.customer_name.clone());
        self.parts[0].sessions.as_mut().unwrap().push(cb);
        // The callback's own talk is talk time too.
        self.set_wrapup_truth(code);
        self.truth.answered = Some(true);
        self.truth.answered_by_role = Some("agent");
        self.truth.answered_by_user_id = Some(self.org.users[agent].id.clone());
        self.truth.disconnect_by = Some("agent");
        self.truth.outcome = Some("callback");
        self.truth.transfers = Some(0);
        end
    }

    fn outbound(&mut self, connects: bool) -> i64 {
        let queue = usize::try_from(self.rng.below(self.org.queues.len() as u64)).unwrap_or(0);
        let agent = self.pick_agent(queue, &[]);
        let u = self.org.users[agent].clone();
        let t0 = self.t0;
        let dialed = t0 + self.rng.between(SECOND, 3 * SECOND);
        let ring_until = dialed + self.rng.between(5 * SECOND, 30 * SECOND);
        let (code, note) = self.wrapup_for(queue);
        let agent_hangs_up = !connects || self.rng.chance(0.5);
        let (agent_segments, customer_segments, end) = if connects {
            let end = ring_until + self.rng.between(30 * SECOND, 600 * SECOND);
            self.totals.talk_ms += end - ring_until;
            (
                vec![
                    seg(S::Dialing, t0, dialed).queue(&self.org.queues[queue].id),
                    seg(S::Contacting, dialed, ring_until).queue(&self.org.queues[queue].id),
                    seg(S::Interact, ring_until, end)
                        .queue(&self.org.queues[queue].id)
                        .ends(if agent_hangs_up { D::Client } else { D::Peer }),
                ],
                vec![
                    seg(S::Contacting, dialed, ring_until),
                    seg(S::Interact, ring_until, end).ends(if agent_hangs_up {
                        D::Peer
                    } else {
                        D::Endpoint
                    }),
                ],
                end,
            )
        } else {
            (
                vec![
                    seg(S::Dialing, t0, dialed).queue(&self.org.queues[queue].id),
                    seg(S::Contacting, dialed, ring_until).queue(&self.org.queues[queue].id).ends(D::Client),
                ],
                vec![seg(S::Contacting, dialed, ring_until).ends(D::Peer)],
                ring_until,
            )
        };
        let acw = self.rng.between(10 * SECOND, 60 * SECOND);
        let mut agent_segments = agent_segments;
        let mut w = seg(S::Wrapup, end, end + acw).queue(&self.org.queues[queue].id);
        w.wrap_up_code = text(self.org.wrapup_codes[code].id.clone());
        w.wrap_up_note = note.and_then(text);
        agent_segments.push(w);
        self.totals.acw_ms += acw;
        let sid = self.uuid();
        let mut s =
            session(&Purpose::Agent, MediaType::Voice, Direction::Outbound, sid, agent_segments, Vec::new());
        s.ani = text(self.org.caller_id.clone());
        s.dnis = text(self.customer_number.clone());
        let pid = self.uuid();
        self.parts.push(participant(Purpose::Agent, pid, Some(&u.name), Some(&u.id), vec![s]));
        let sid = self.uuid();
        let mut c = session(
            &Purpose::Customer,
            MediaType::Voice,
            Direction::Outbound,
            sid,
            customer_segments,
            Vec::new(),
        );
        c.ani = text(self.org.caller_id.clone());
        c.dnis = text(self.customer_number.clone());
        let cid = self.uuid();
        self.parts.push(participant(
            Purpose::Customer,
            cid,
            Some(&self.customer_name.clone()),
            None,
            vec![c],
        ));
        self.truth.direction = Some("outbound");
        self.truth.direction_label = Some("Outbound");
        self.truth.media_type = Some("voice");
        self.truth.from_address = Some(self.org.caller_id.clone());
        self.truth.to_address = Some(self.customer_number.clone());
        self.truth.customer_number = Some(self.customer_number.trim_start_matches("tel:").to_owned());
        self.truth.placed_by_role = Some("agent");
        self.truth.placed_by_name = Some(u.name.clone());
        self.truth.answered = Some(connects);
        if connects {
            self.truth.answered_by_role = Some("customer");
        }
        self.set_wrapup_truth(code);
        self.truth.disconnect_by = Some(if agent_hangs_up { "agent" } else { "customer" });
        self.truth.outcome = Some(if connects { "connected" } else { "not_answered" });
        self.truth.transfers = Some(0);
        self.truth.ivr_exit = None;
        end
    }

    fn campaign(&mut self) -> i64 {
        let (campaign_id, campaign_name) = self.rng.pick(&self.org.campaigns).clone();
        let queue = 2; // Sales
        let agent = self.pick_agent(queue, &[]);
        let t0 = self.t0;
        let connect = t0 + self.rng.between(4 * SECOND, 20 * SECOND);
        let talk = self.rng.between(30 * SECOND, 400 * SECOND);
        let end = connect + 1500 + talk;
        let customer_hangs_up = self.rng.chance(0.5);
        let sid = self.uuid();
        let mut dialer = session(
            &Purpose::Campaign,
            MediaType::Voice,
            Direction::Outbound,
            sid,
            vec![seg(S::Dialing, t0, connect).ends(D::Transfer)],
            Vec::new(),
        );
        dialer.outbound_campaign_id = text(campaign_id.clone());
        let pid = self.uuid();
        self.parts.push(participant(Purpose::Campaign, pid, Some(&campaign_name), None, vec![dialer]));
        let (code, note) = self.wrapup_for(queue);
        self.agent(
            AgentTurn::new(
                agent,
                Direction::Outbound,
                Some(queue),
                (connect, connect + 1500),
                &[(S::Interact, connect + 1500, end)],
            )
            .ends(if customer_hangs_up { D::Peer } else { D::Client })
            .wraps_up(end, code, note),
        );
        let sid = self.uuid();
        let mut c = session(
            &Purpose::Customer,
            MediaType::Voice,
            Direction::Outbound,
            sid,
            vec![
                seg(S::Contacting, t0, connect),
                seg(S::Interact, connect, end).ends(if customer_hangs_up { D::Endpoint } else { D::Peer }),
            ],
            Vec::new(),
        );
        c.ani = text(self.org.caller_id.clone());
        c.dnis = text(self.customer_number.clone());
        c.outbound_campaign_id = text(campaign_id);
        c.more.get_or_default().outbound_contact_id = text(self.rng.uuid());
        let cid = self.uuid();
        self.parts
            .insert(0, participant(Purpose::Customer, cid, Some(&self.customer_name.clone()), None, vec![c]));
        self.truth.direction = Some("outbound");
        self.truth.direction_label = Some("Outbound");
        self.truth.media_type = Some("voice");
        self.truth.from_address = Some(self.org.caller_id.clone());
        self.truth.to_address = Some(self.customer_number.clone());
        self.truth.customer_number = Some(self.customer_number.trim_start_matches("tel:").to_owned());
        self.truth.placed_by_role = Some("campaign");
        self.truth.placed_by_name = Some(campaign_name);
        self.truth.answered = Some(true);
        self.truth.answered_by_role = Some("customer");
        self.set_wrapup_truth(code);
        self.truth.disconnect_by = Some(if customer_hangs_up { "customer" } else { "agent" });
        self.truth.outcome = Some("connected");
        self.truth.transfers = Some(0);
        end
    }

    fn internal(&mut self) -> i64 {
        let a = usize::try_from(self.rng.below(self.org.users.len() as u64)).unwrap_or(0);
        let b = (a + 1 + usize::try_from(self.rng.below(self.org.users.len() as u64 - 1)).unwrap_or(0))
            % self.org.users.len();
        let (ua, ub) = (self.org.users[a].clone(), self.org.users[b].clone());
        let (sip_a, sip_b) = (format!("sip:{}", ua.email), format!("sip:{}", ub.email));
        let t0 = self.t0;
        let answered = t0 + self.rng.between(3 * SECOND, 15 * SECOND);
        let end = answered + self.rng.between(20 * SECOND, 600 * SECOND);
        let caller_hangs_up = self.rng.chance(0.5);
        let sid = self.uuid();
        let mut sa = session(
            &Purpose::User,
            MediaType::Voice,
            Direction::Outbound,
            sid,
            vec![
                seg(S::Dialing, t0, t0 + 800),
                seg(S::Contacting, t0 + 800, answered),
                seg(S::Interact, answered, end).ends(if caller_hangs_up { D::Client } else { D::Peer }),
            ],
            Vec::new(),
        );
        sa.ani = text(sip_a.clone());
        sa.dnis = text(sip_b.clone());
        let sid = self.uuid();
        let mut sb = session(
            &Purpose::User,
            MediaType::Voice,
            Direction::Inbound,
            sid,
            vec![
                seg(S::Alert, t0 + 800, answered),
                seg(S::Interact, answered, end).ends(if caller_hangs_up { D::Peer } else { D::Endpoint }),
            ],
            Vec::new(),
        );
        sb.ani = text(sip_a.clone());
        sb.dnis = text(sip_b.clone());
        let (pa, pb) = (self.uuid(), self.uuid());
        self.parts.push(participant(Purpose::User, pa, Some(&ua.name), Some(&ua.id), vec![sa]));
        self.parts.push(participant(Purpose::User, pb, Some(&ub.name), Some(&ub.id), vec![sb]));
        self.totals.alert_ms += answered - (t0 + 800);
        self.totals.talk_ms += 2 * (end - answered);
        self.truth.direction = Some("internal");
        self.truth.direction_label = Some("Internal");
        self.truth.media_type = Some("voice");
        self.truth.from_address = Some(sip_a);
        self.truth.to_address = Some(sip_b);
        self.truth.placed_by_role = Some("user");
        self.truth.placed_by_name = Some(ua.name);
        self.truth.answered = Some(true);
        self.truth.answered_by_role = Some("user");
        self.truth.answered_by_user_id = Some(ub.id);
        self.truth.disconnect_by = Some("user");
        self.truth.outcome = Some("connected");
        self.truth.transfers = Some(0);
        end
    }

    fn digital(&mut self, media: MediaType, stays_open: bool) -> i64 {
        let queue = usize::try_from(self.rng.below(self.org.queues.len() as u64)).unwrap_or(0);
        let q = self.org.queues[queue].id.clone();
        let t0 = self.t0;
        let wait = match (&media, stays_open) {
            (_, true) => self.rng.between(2 * DAY, 5 * DAY),
            (MediaType::Email, false) => self.rng.between(10 * MINUTE, 8 * HOUR),
            _ => self.rng.between(5 * SECOND, 180 * SECOND),
        };
        let answer = t0 + wait;
        let agent = self.pick_agent(queue, &[]);
        let ring = self.rng.between(2 * SECOND, 10 * SECOND).min(wait);
        let work = match media {
            MediaType::Email => self.rng.between(2 * MINUTE, 15 * MINUTE),
            _ => self.rng.between(2 * MINUTE, 20 * MINUTE),
        };
        let end = answer + work;
        self.acd(queue, media.clone(), t0, answer, D::Transfer, Vec::new(), None);
        let (code, note) = self.wrapup_for(queue);
        let agent_ends = media == MediaType::Email || self.rng.chance(0.5);
        self.agent(
            AgentTurn::new(
                agent,
                Direction::Inbound,
                Some(queue),
                (answer - ring, answer),
                &[(S::Interact, answer, end)],
            )
            .media(media.clone())
            .ends(if agent_ends { D::Client } else { D::Peer })
            .wraps_up(end, code, note),
        );
        self.customer_inbound(
            media,
            vec![seg(S::Interact, t0, end).queue(&q).ends(if agent_ends { D::Peer } else { D::Client })],
        );
        self.set_wrapup_truth(code);
        self.truth.answered = Some(true);
        self.truth.answered_by_role = Some("agent");
        self.truth.answered_by_user_id = Some(self.org.users[agent].id.clone());
        self.truth.disconnect_by = Some(if agent_ends { "agent" } else { "customer" });
        self.truth.outcome = Some("answered");
        self.truth.transfers = Some(0);
        end
    }

    /// Corrects the wrap-up of a record hours after the call: notes the correction on the final
    /// record's wrap-ups and returns when it happens.
    fn late_change(&mut self, end: i64) -> i64 {
        for p in &mut self.parts {
            for s in p.sessions.iter_mut().flatten() {
                for g in s.segments.iter_mut().flatten() {
                    if g.segment_type == Some(S::Wrapup) {
                        g.wrap_up_note = text("Corrected after review");
                    }
                }
            }
        }
        end + self.rng.between(2 * HOUR, 8 * HOUR)
    }

    /// The record as it was before its wrap-up was corrected: the same in every other respect
    /// (participant data, divisions, media stats), with the first code chosen and no note.
    fn before_correction(&self, record: &Conversation<'static>) -> Conversation<'static> {
        let wrong = self.org.wrapup_codes.iter().position(|c| c.name == "Information given").unwrap_or(0);
        let mut earlier = record.clone();
        for p in earlier.participants.iter_mut().flatten() {
            for s in p.sessions.iter_mut().flatten() {
                for g in s.segments.iter_mut().flatten() {
                    if g.segment_type == Some(S::Wrapup) {
                        g.wrap_up_code = text(self.org.wrapup_codes[wrong].id.clone());
                        g.wrap_up_note = None;
                    }
                }
            }
        }
        earlier
    }
}

fn media_name(media: &MediaType) -> &'static str {
    match media {
        MediaType::Voice => "voice",
        MediaType::Chat => "chat",
        MediaType::Email => "email",
        MediaType::Message => "message",
        MediaType::Callback => "callback",
        _ => "unknown",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum After {
    Nothing,
    BlindTransfer,
    Consult,
    External,
    Conference,
}

#[derive(Debug, Clone, Copy)]
struct InboundPlan {
    abandon_in_queue: bool,
    voicemail: bool,
    rona: bool,
    after: After,
}

impl InboundPlan {
    fn answered() -> Self {
        InboundPlan { abandon_in_queue: false, voicemail: false, rona: false, after: After::Nothing }
    }
}
