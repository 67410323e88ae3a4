//! From one detail record to one call record.
//!
//! `explain` first builds a [`View`]: every segment flattened with its participant and parsed
//! times, every participant with its role and display name. Each sub-module then answers one
//! question from the view, in dependency order: the timeline (phases, totals, metric checks),
//! the parties (direction, from/to, who placed and answered), the legs (agents, queues), the
//! ending (wrap-ups, who hung up, transfers), the IVR (flows, reason, path, exit) and finally
//! the outcome. Nothing here does I/O or reads a clock.

mod ending;
mod ivr;
mod legs;
mod parties;
mod timeline;

use std::borrow::Cow;

use calltrail_model::{
    ApiConversation, Conversation, Participant, Purpose, Segment, SegmentType, Session, Text,
};

use crate::context::Context;
use crate::record::{CallRecord, Role, Str};
use crate::time::Timestamp;

/// Explains one detail record. `api` is the same conversation from the Conversations API, when
/// available: it adds participant attributes and wrap-ups the record may lack.
///
/// Never fails: whatever cannot be derived is left null and said in `warnings`.
pub fn explain<'a>(
    conversation: &'a Conversation<'_>,
    api: Option<&'a ApiConversation<'_>>,
    ctx: &Context<'a>,
) -> CallRecord<'a> {
    let view = View::new(conversation, api, ctx);
    let mut warnings = std::mem::take(&mut *view.warnings.borrow_mut());

    let start = view.timestamp(conversation.conversation_start.as_ref(), "conversationStart");
    let end = view.timestamp(conversation.conversation_end.as_ref(), "conversationEnd");
    if conversation.conversation_id.is_none() {
        warnings.push("the record has no conversationId".into());
    }
    if conversation.participants().is_empty() {
        warnings.push("the record has no participants".into());
    }
    let start = start.or_else(|| {
        let first = view.segs.iter().filter_map(|s| s.start).min();
        // An unreadable start has its own warning; this one says what stands in for it.
        let what = if conversation.conversation_start.is_some() { "unreadable" } else { "missing" };
        warnings.push(match first {
            Some(_) => format!("conversationStart is {what}; the first segment start is used"),
            None => format!("conversationStart is {what}"),
        });
        first.map(Timestamp)
    });
    let ongoing = end.is_none();
    let duration_ms = match (start, end) {
        (Some(s), Some(e)) if e >= s => Some(e.0 - s.0),
        (Some(_), Some(_)) => {
            warnings.push("conversationEnd is before conversationStart; duration left null".into());
            None
        }
        _ => None,
    };

    let timeline = timeline::derive(&view, ongoing, &mut warnings);
    let parties = parties::derive(&view);
    let mut legs = legs::derive(&view);
    let ending = ending::derive(&view, &mut legs.agents, ongoing);
    let ivr = ivr::derive(&view, &ending.disconnect, &legs.queues, ongoing);
    let outcome =
        ending::outcome(&view, ongoing, parties.direction, parties.answered_by.as_ref(), &legs.queues, &ivr);

    warnings.extend(view.warnings.take());

    CallRecord {
        conversation_id: view.text(conversation.conversation_id.as_ref()),
        media_type: parties.media_type,
        start,
        end,
        ongoing,
        duration_ms,
        direction: parties.direction,
        direction_label: parties.direction_label,
        direction_reason: parties.direction_reason,
        from: parties.from,
        to: parties.to,
        customer_number: parties.customer_number,
        placed_by: parties.placed_by,
        answered_by: parties.answered_by,
        agents: legs.agents,
        queues: legs.queues,
        ivr,
        totals: timeline.totals,
        phases: timeline.phases,
        wrapup: ending.wrapup,
        wrapups: ending.wrapups,
        disconnect: ending.disconnect,
        outcome,
        transfers: ending.transfers,
        warnings,
    }
}

/// One participant, as the derivation sees it.
pub(crate) struct Part<'a> {
    pub participant: &'a Participant<'a>,
    pub purpose: Option<&'a Purpose>,
    pub role: Role,
    /// Earliest segment start of any of its sessions.
    pub first_start: Option<i64>,
    /// Its name for people: looked up user, queue or flow name, or `participantName`.
    pub name: Option<&'a str>,
    /// Its segments, as a range of `View::segs`.
    pub segs: std::ops::Range<usize>,
    /// A supervisor who only monitored, coached or barged in: in the timeline, but not a leg
    /// of the call, a party to it, or the one who hung up.
    pub supervising: bool,
}

impl<'a> Part<'a> {
    pub fn id(&self) -> Option<&'a str> {
        self.participant.participant_id.as_deref()
    }

    pub fn is_external(&self) -> bool {
        matches!(self.purpose, Some(Purpose::Customer | Purpose::External))
    }

    /// An agent or user who took part in the call (a supervisor only listening in does not).
    pub fn is_human(&self) -> bool {
        matches!(self.purpose, Some(Purpose::Agent | Purpose::User)) && !self.supervising
    }

    pub fn is_ivr(&self) -> bool {
        matches!(self.purpose, Some(Purpose::Ivr | Purpose::Botflow))
    }

    pub fn is_acd(&self) -> bool {
        matches!(self.purpose, Some(Purpose::Acd))
    }
}

/// One segment with its participant and parsed times.
pub(crate) struct Seg<'a> {
    /// Index into `View::parts`.
    pub part: usize,
    pub session: &'a Session<'a>,
    pub segment: &'a Segment<'a>,
    pub kind: Option<&'a SegmentType>,
    pub start: Option<i64>,
    pub end: Option<i64>,
}

impl Seg<'_> {
    /// Length in ms; a segment that ends before it starts counts as 0.
    pub fn duration(&self) -> Option<i64> {
        Some((self.end? - self.start?).max(0))
    }

    pub fn is(&self, kind: &SegmentType) -> bool {
        self.kind == Some(kind)
    }
}

/// The record flattened for derivation.
pub(crate) struct View<'a> {
    pub conversation: &'a Conversation<'a>,
    pub api: Option<&'a ApiConversation<'a>>,
    pub ctx: Context<'a>,
    pub parts: Vec<Part<'a>>,
    /// Participant indices by first segment start (record order breaks ties; parts without
    /// segments last).
    pub time_order: Vec<usize>,
    pub segs: Vec<Seg<'a>>,
    /// Queue names the record itself reveals (acd participant names, IVR transfer targets).
    record_queue_names: Vec<(&'a str, &'a str)>,
    pub warnings: std::cell::RefCell<Vec<String>>,
}

impl<'a> View<'a> {
    #[allow(clippy::needless_lifetimes)]
    fn new<'x>(
        conversation: &'a Conversation<'x>,
        api: Option<&'a ApiConversation<'x>>,
        ctx: &Context<'a>,
    ) -> View<'a> {
        // Shorten the record's inner lifetime to the borrow's; `Conversation` is covariant.
        let conversation: &'a Conversation<'a> = conversation;
        let api: Option<&'a ApiConversation<'a>> = api;
        let mut view = View {
            conversation,
            api,
            ctx: *ctx,
            parts: Vec::with_capacity(conversation.participants().len()),
            time_order: Vec::new(),
            segs: Vec::with_capacity(32),
            record_queue_names: Vec::new(),
            warnings: std::cell::RefCell::new(Vec::new()),
        };
        for participant in conversation.participants() {
            let index = view.parts.len();
            let first = view.segs.len();
            if let Some(Purpose::Unrecognized(p)) = &participant.purpose {
                view.warn(format!(
                    "participant {} has unknown purpose `{p}`",
                    id_or_dash(participant.participant_id.as_ref())
                ));
            }
            for session in participant.sessions() {
                for segment in session.segments() {
                    let start = view.timestamp(segment.segment_start.as_ref(), "segmentStart").map(|t| t.0);
                    let end = view.timestamp(segment.segment_end.as_ref(), "segmentEnd").map(|t| t.0);
                    if let (Some(s), Some(e)) = (start, end) {
                        if e < s {
                            view.warn(format!(
                                "the {} segment of participant {} starting at {} ends before it starts \
                                 ({}); counted as 0 ms",
                                segment.segment_type.as_ref().map_or("untyped", |t| t.as_str()),
                                id_or_dash(participant.participant_id.as_ref()),
                                Timestamp(s),
                                Timestamp(e)
                            ));
                        }
                    }
                    if let Some(SegmentType::Unrecognized(t)) = &segment.segment_type {
                        view.warn(format!("unknown segment type `{t}`"));
                    }
                    view.segs.push(Seg {
                        part: index,
                        session,
                        segment,
                        kind: segment.segment_type.as_ref(),
                        start,
                        end,
                    });
                }
            }
            let range = first..view.segs.len();
            let first_start = view.segs[range.clone()].iter().filter_map(|s| s.start).min();
            let purpose = participant.purpose.as_ref();
            let supervising = is_supervising(participant, &view.segs[range.clone()]);
            view.parts.push(Part {
                participant,
                purpose,
                role: role_of(purpose),
                first_start,
                name: None,
                segs: range,
                supervising,
            });
        }
        let mut order: Vec<usize> = (0..view.parts.len()).collect();
        order.sort_by_key(|&i| (view.parts[i].first_start.is_none(), view.parts[i].first_start));
        view.time_order = order;
        view.collect_record_queue_names();
        for index in 0..view.parts.len() {
            view.parts[index].name = view.display_name(index);
        }
        view
    }

    pub fn warn(&self, message: String) {
        self.warnings.borrow_mut().push(message);
    }

    /// Parses a timestamp field, warning when it is present but unreadable.
    pub fn timestamp(&self, text: Option<&Text<'_>>, field: &str) -> Option<Timestamp> {
        let text = text?;
        let parsed = Timestamp::parse(text);
        if parsed.is_none() {
            self.warn(format!("{field} `{}` is not an RFC 3339 time; ignored", truncate(text, 40)));
        }
        parsed
    }

    /// Borrows a record string into the call record.
    #[allow(clippy::unused_self)]
    pub fn text(&self, text: Option<&'a Text<'a>>) -> Option<Str<'a>> {
        text.map(|t| Cow::Borrowed(t.as_str()))
    }

    pub fn segs_of(&self, part: usize) -> &[Seg<'a>] {
        &self.segs[self.parts[part].segs.clone()]
    }

    fn collect_record_queue_names(&mut self) {
        let mut names = Vec::new();
        for part in &self.parts {
            let participant = part.participant;
            if part.is_acd() {
                if let Some(name) = participant.participant_name.as_deref().filter(|n| !n.trim().is_empty()) {
                    for seg in &self.segs[part.segs.clone()] {
                        if let Some(q) = seg.segment.queue_id.as_deref() {
                            names.push((q, name));
                        }
                    }
                }
            }
            for session in participant.sessions() {
                if let Some(flow) = &session.flow {
                    if let (Some(addr), Some(name)) =
                        (flow.transfer_target_address.as_deref(), flow.transfer_target_name.as_deref())
                    {
                        names.push((addr, name));
                    }
                }
            }
        }
        self.record_queue_names = names;
    }

    /// A queue's name: from the lookups, else from what the record itself says.
    pub fn queue_name(&self, id: Option<&'a str>) -> Option<&'a str> {
        let id = id?;
        self.ctx
            .lookups
            .queue(Some(id))
            .or_else(|| self.record_queue_names.iter().find(|(q, _)| *q == id).map(|(_, n)| *n))
    }

    /// A flow's name: as it ran (`flowName`), else looked up.
    pub fn flow_name(&self, flow: &'a calltrail_model::Flow<'a>) -> Option<&'a str> {
        flow.flow_name.as_deref().or_else(|| self.ctx.lookups.flow(flow.flow_id.as_deref()))
    }

    fn display_name(&self, index: usize) -> Option<&'a str> {
        let part = &self.parts[index];
        let participant = part.participant;
        let own = participant.participant_name.as_deref().filter(|n| !n.trim().is_empty());
        match part.purpose {
            Some(Purpose::Agent | Purpose::User) => {
                self.ctx.lookups.user(participant.user_id.as_deref()).or(own)
            }
            Some(Purpose::Acd) => {
                let queue = self.segs[part.segs.clone()].iter().find_map(|s| s.segment.queue_id.as_deref());
                self.ctx.lookups.queue(queue).or(own).or_else(|| self.queue_name(queue))
            }
            Some(Purpose::Ivr | Purpose::Botflow) => participant
                .sessions()
                .iter()
                .find_map(|s| s.flow.as_ref().and_then(|f| self.flow_name(f)))
                .or(own),
            Some(Purpose::Customer | Purpose::External) => own.or_else(|| {
                participant
                    .sessions()
                    .iter()
                    .filter_map(|s| s.remote_name_displayable.as_deref())
                    .find(|n| !n.trim().is_empty())
            }),
            _ => own,
        }
    }

    /// The first participant index (in time order) that satisfies `pred`.
    pub fn first_part(&self, pred: impl Fn(&Part<'a>) -> bool) -> Option<usize> {
        self.time_order.iter().copied().find(|&i| pred(&self.parts[i]))
    }
}

/// Whether a participant only supervised: each of its sessions names the participant it
/// monitored, coached or barged in on, or holds supervision segments, and none was ever offered
/// the call (alert) or connected to it (interact) in its own right.
fn is_supervising(participant: &Participant<'_>, segs: &[Seg<'_>]) -> bool {
    let supervision =
        |k: &SegmentType| matches!(k, SegmentType::Monitoring | SegmentType::Coaching | SegmentType::Barging);
    let sessions = participant.sessions();
    !sessions.is_empty()
        && sessions.iter().all(|session| {
            session.monitored_participant_id.is_some()
                || session.coached_participant_id.is_some()
                || session.barged_participant_id.is_some()
                || session.segments().iter().any(|s| s.segment_type.as_ref().is_some_and(supervision))
        })
        && !segs.iter().any(|s| s.is(&SegmentType::Alert) || s.is(&SegmentType::Interact))
}

fn role_of(purpose: Option<&Purpose>) -> Role {
    match purpose {
        Some(Purpose::Customer) => Role::Customer,
        Some(Purpose::External) => Role::External,
        Some(Purpose::Agent) => Role::Agent,
        Some(Purpose::User) => Role::User,
        Some(Purpose::Ivr | Purpose::Botflow) => Role::Ivr,
        Some(Purpose::Campaign | Purpose::Dialer | Purpose::Outbound) => Role::Campaign,
        _ => Role::System,
    }
}

fn id_or_dash<'t>(id: Option<&'t Text<'_>>) -> &'t str {
    id.map_or("-", Text::as_str)
}

/// The pieces one after another, as one string: `format!` for the few strings every call
/// record holds, without its formatting machinery.
pub(crate) fn concat(pieces: &[&str]) -> String {
    let mut out = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for piece in pieces {
        out.push_str(piece);
    }
    out
}

pub(crate) fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}
