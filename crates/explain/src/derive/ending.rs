//! How the call concluded: wrap-ups, who hung up, transfers, and the one-word outcome.

use std::borrow::Cow;

use calltrail_model::{DisconnectType, MediaType, Purpose, SegmentType};

use super::View;
use crate::context::system_wrapup_name;
use crate::record::{
    AgentLeg, CallDirection, Disconnect, HungUpBy, Ivr, IvrExit, Outcome, Party, QueueVisit, Role, Wrapup,
};
use crate::time::Timestamp;

pub(super) struct Ending<'a> {
    pub wrapup: Option<Wrapup<'a>>,
    pub wrapups: Vec<Wrapup<'a>>,
    pub disconnect: Disconnect<'a>,
    pub transfers: u32,
}

/// Derives the ending and fills each agent leg's wrap-up. While a call is still going on
/// (no `conversationEnd` and a segment still open), nobody has hung up yet, whoever left early.
pub(super) fn derive<'a>(view: &View<'a>, agents: &mut [AgentLeg<'a>], ongoing: bool) -> Ending<'a> {
    let mut found = wrapups(view);
    found.sort_by_key(|(_, at, _)| (at.is_none(), *at));
    for leg in agents.iter_mut() {
        leg.wrapup = found
            .iter()
            .rev()
            .find(|(pid, _, _)| pid.is_some() && *pid == leg.participant_id.as_deref())
            .map(|(_, _, w)| w.clone());
    }
    // The concluding wrap-up: the last agent to connect decides; with no agent connected, the
    // call's last wrap-up.
    let last_connected = agents.iter().filter(|l| l.connected_at.is_some()).max_by_key(|l| l.connected_at);
    let wrapup = match last_connected {
        Some(leg) => leg.wrapup.clone(),
        None => found.last().map(|(_, _, w)| w.clone()),
    };
    Ending {
        wrapup,
        wrapups: found.into_iter().map(|(_, _, w)| w).collect(),
        disconnect: if ongoing && view.segs.iter().any(|s| s.end.is_none()) {
            Disconnect::NOBODY
        } else {
            disconnect(view)
        },
        transfers: transfers(view),
    }
}

type Found<'a> = (Option<&'a str>, Option<i64>, Wrapup<'a>);

/// Wrap-ups from agent `wrapup` segments, completed (or added) from the Conversations API.
fn wrapups<'a>(view: &View<'a>) -> Vec<Found<'a>> {
    let mut found: Vec<Found<'a>> = Vec::new();
    for (index, part) in view.parts.iter().enumerate() {
        if !part.is_human() {
            continue;
        }
        for seg in view.segs_of(index) {
            let s = seg.segment;
            if !seg.is(&SegmentType::Wrapup) && s.wrap_up_code.is_none() {
                continue;
            }
            if s.wrap_up_code.is_none() && s.wrap_up_note.is_none() && s.wrap_up_tags.is_none() {
                continue;
            }
            let code = s.wrap_up_code.as_deref();
            found.push((
                part.id(),
                seg.start,
                Wrapup {
                    user_id: view.text(part.participant.user_id.as_ref()),
                    code_id: code.map(Cow::Borrowed),
                    code_name: code_name(view, code, None),
                    note: view.text(s.wrap_up_note.as_ref()),
                    tags: s.wrap_up_tags.iter().flatten().map(|t| Cow::Borrowed(t.as_str())).collect(),
                },
            ));
        }
    }
    let Some(api) = view.api else { return found };
    for participant in api.participants() {
        let Some(w) = &participant.wrapup else { continue };
        let pid = participant.id.as_deref();
        let code = w.code.as_deref();
        if let Some((_, _, existing)) = found.iter_mut().find(|(p, _, _)| p.is_some() && *p == pid) {
            if existing.code_id.is_none() {
                existing.code_id = code.map(Cow::Borrowed);
            }
            if existing.code_name.is_none() {
                existing.code_name = code_name(view, code, w.name.as_deref());
            }
            if existing.note.is_none() {
                existing.note = view.text(w.notes.as_ref());
            }
            if existing.tags.is_empty() {
                existing.tags = w.tags.iter().flatten().map(|t| Cow::Borrowed(t.as_str())).collect();
            }
            continue;
        }
        let at = view
            .parts
            .iter()
            .position(|p| p.id().is_some() && p.id() == pid)
            .and_then(|i| view.segs_of(i).iter().filter_map(|s| s.end).max())
            .or_else(|| w.end_time.as_ref().and_then(|t| Timestamp::parse(t)).map(|t| t.0));
        found.push((
            pid,
            at,
            Wrapup {
                user_id: view.text(participant.user_id.as_ref()),
                code_id: code.map(Cow::Borrowed),
                code_name: code_name(view, code, w.name.as_deref()),
                note: view.text(w.notes.as_ref()),
                tags: w.tags.iter().flatten().map(|t| Cow::Borrowed(t.as_str())).collect(),
            },
        ));
    }
    found
}

fn code_name<'a>(view: &View<'a>, code: Option<&'a str>, given: Option<&'a str>) -> Option<Cow<'a, str>> {
    if let Some(name) = view.ctx.lookups.wrapup_code(code) {
        return Some(Cow::Borrowed(name));
    }
    if let Some(name) = code.and_then(system_wrapup_name) {
        return Some(Cow::Owned(name));
    }
    given.map(Cow::Borrowed)
}

fn is_system_type(kind: &DisconnectType) -> bool {
    matches!(
        kind,
        DisconnectType::System
            | DisconnectType::Error
            | DisconnectType::Timeout
            | DisconnectType::TransportFailure
            | DisconnectType::Inactivity
            | DisconnectType::SessionExpired
    )
}

fn is_hang_up(kind: &DisconnectType) -> bool {
    matches!(kind, DisconnectType::Endpoint | DisconnectType::Client)
}

/// A participant's last disconnect: the latest-ending segment with a non-transfer
/// disconnect type, ignoring ringing and after-call work.
struct Final<'a> {
    part: usize,
    kind: &'a DisconnectType,
    at: Option<i64>,
}

fn finals<'a>(view: &View<'a>) -> Vec<Final<'a>> {
    let mut out = Vec::new();
    for index in 0..view.parts.len() {
        let last = view
            .segs_of(index)
            .iter()
            .filter(|s| !s.is(&SegmentType::Alert) && !s.is(&SegmentType::Wrapup))
            .filter(|s| s.segment.disconnect_type.is_some())
            .max_by_key(|s| (s.end, s.start));
        if let Some(seg) = last {
            if let Some(kind) = seg.segment.disconnect_type.as_ref() {
                if !kind.is_transfer() {
                    out.push(Final { part: index, kind, at: seg.end });
                }
            }
        }
    }
    out
}

/// Disconnects this close to the call's last one count as "the end"; earlier ones (a consulted
/// party leaving, an agent dropping out of a conference) do not.
const END_WINDOW_MS: i64 = 2_000;

fn disconnect<'a>(view: &View<'a>) -> Disconnect<'a> {
    let mut finals = finals(view);
    if let Some(last) = finals.iter().filter_map(|f| f.at).max() {
        finals.retain(|f| f.at.is_none_or(|at| at >= last - END_WINDOW_MS));
    }
    let latest = |pred: &dyn Fn(&Final<'a>) -> bool| finals.iter().filter(|f| pred(f)).max_by_key(|f| f.at);
    let make = |by: HungUpBy, f: &Final<'a>| Disconnect {
        by,
        kind: Some(Cow::Borrowed(f.kind.as_str())),
        participant_id: view.text(view.parts[f.part].participant.participant_id.as_ref()),
        at: f.at.map(Timestamp),
    };

    if let Some(f) = latest(&|f| view.parts[f.part].is_external() && is_hang_up(f.kind)) {
        return make(HungUpBy::Customer, f);
    }
    let customer = latest(&|f| view.parts[f.part].is_external());
    if let Some(f) = latest(&|f| view.parts[f.part].is_human() && is_hang_up(f.kind)) {
        let by = if view.parts[f.part].role == Role::User { HungUpBy::User } else { HungUpBy::Agent };
        return make(by, f);
    }
    if let Some(f) =
        latest(&|f| view.parts[f.part].is_ivr() && *f.kind != DisconnectType::Peer && !is_system_type(f.kind))
    {
        return make(HungUpBy::Ivr, f);
    }
    if let Some(f) =
        customer.filter(|f| is_system_type(f.kind)).or_else(|| latest(&|f| is_system_type(f.kind)))
    {
        return make(HungUpBy::System, f);
    }
    match customer.or_else(|| latest(&|_| true)) {
        Some(f) => make(HungUpBy::Unknown, f),
        None => Disconnect::NOBODY,
    }
}

/// Transfers made by agents and users: their talk or hold segments that ended in a blind,
/// consult, conference or forward transfer.
fn transfers(view: &View<'_>) -> u32 {
    let count = view
        .segs
        .iter()
        .filter(|s| {
            view.parts[s.part].is_human() && !s.is(&SegmentType::Alert) && !s.is(&SegmentType::Wrapup)
        })
        .filter(|s| {
            matches!(
                s.segment.disconnect_type,
                Some(
                    DisconnectType::Transfer
                        | DisconnectType::ConsultTransfer
                        | DisconnectType::ConferenceTransfer
                        | DisconnectType::ForwardTransfer
                )
            )
        })
        .count();
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// True when a voicemail took part: a voicemail participant or a voicemail segment.
pub(super) fn has_voicemail(view: &View<'_>) -> bool {
    view.parts.iter().any(|p| p.purpose == Some(&Purpose::Voicemail) && p.first_start.is_some())
        || view.segs.iter().any(|s| s.is(&SegmentType::Voicemail))
}

/// True when a callback was arranged: a callback session or segment, or an IVR that issued one.
fn has_callback(view: &View<'_>) -> bool {
    view.segs
        .iter()
        .any(|s| s.is(&SegmentType::Callback) || s.session.media_type == Some(MediaType::Callback))
        || view
            .conversation
            .participants()
            .iter()
            .flat_map(calltrail_model::Participant::sessions)
            .any(|s| s.flow.as_ref().and_then(|f| f.issued_callback) == Some(true))
}

/// True when an agent or user connected on a session that is not a callback.
fn answered_live(view: &View<'_>) -> bool {
    view.segs.iter().any(|s| {
        view.parts[s.part].is_human()
            && s.is(&SegmentType::Interact)
            && s.session.media_type != Some(MediaType::Callback)
    })
}

/// True when the IVR's transfer went to a queue: an ACD transfer type, or customer segments
/// carrying a queue id.
fn went_to_queue(view: &View<'_>, ivr: &Ivr<'_>) -> bool {
    ivr.flows.last().and_then(|f| f.transfer_type.as_deref()).is_some_and(|t| t.eq_ignore_ascii_case("ACD"))
        || view.segs.iter().any(|s| view.parts[s.part].is_external() && s.segment.queue_id.is_some())
}

pub(super) fn outcome(
    view: &View<'_>,
    ongoing: bool,
    direction: CallDirection,
    answered_by: Option<&Party<'_>>,
    queues: &[QueueVisit<'_>],
    ivr: &Ivr<'_>,
) -> Outcome {
    if ongoing {
        return Outcome::Ongoing;
    }
    match direction {
        CallDirection::Inbound => {
            if answered_live(view) {
                Outcome::Answered
            } else if has_callback(view) {
                Outcome::Callback
            } else if answered_by.is_some() {
                Outcome::Answered
            } else if has_voicemail(view) {
                Outcome::Voicemail
            } else if !queues.is_empty() {
                Outcome::AbandonedInQueue
            } else if ivr.exit == Some(IvrExit::SelfServed) {
                Outcome::SelfServed
            } else if ivr.exit == Some(IvrExit::Transfer) && went_to_queue(view, ivr) {
                // The IVR handed the call to a queue, but the record holds no queue participant:
                // the caller hung up waiting.
                Outcome::AbandonedInQueue
            } else if !ivr.flows.is_empty() && ivr.exit != Some(IvrExit::Transfer) {
                Outcome::AbandonedInIvr
            } else {
                Outcome::NotAnswered
            }
        }
        CallDirection::Outbound | CallDirection::Internal => {
            if answered_by.is_some() {
                Outcome::Connected
            } else if has_voicemail(view) {
                Outcome::Voicemail
            } else {
                Outcome::NotAnswered
            }
        }
    }
}
