//! Direction and the parties: from, to, the customer's number, who placed and who answered.
//!
//! The direction comes from the external parties' sessions: the customer's (or external
//! party's) first session says whether the call came in or went out; with no external party at
//! all the call is internal ("sideways"). A call with external legs in both directions is
//! labelled "Inbound / Outbound", as the Genesys UI does.

use std::borrow::Cow;
use std::fmt::Write;

use calltrail_model::{Direction, Purpose, SegmentType, Session};

use super::{concat, View};
use crate::record::{CallDirection, Party, Role, Str};
use crate::time::Timestamp;

pub(super) struct Parties<'a> {
    pub media_type: Option<Str<'a>>,
    pub direction: CallDirection,
    pub direction_label: &'static str,
    pub direction_reason: String,
    pub from: Party<'a>,
    pub to: Party<'a>,
    pub customer_number: Option<Str<'a>>,
    pub placed_by: Party<'a>,
    pub answered_by: Option<Party<'a>>,
}

/// A session of an external participant.
struct ExternalSession<'a> {
    part: usize,
    session: &'a Session<'a>,
    start: Option<i64>,
}

pub(super) fn derive<'a>(view: &View<'a>) -> Parties<'a> {
    let externals = external_sessions(view);
    let first = externals.first();
    let media_type = first
        .and_then(|e| e.session.media_type.as_ref())
        .or_else(|| view.segs.first().and_then(|s| s.session.media_type.as_ref()))
        .map(|m| Cow::Borrowed(m.as_str()));

    let (direction, mut reason) = direction(view, first);
    let mixed = direction != CallDirection::Internal
        && externals.iter().any(|e| {
            matches!(
                (&e.session.direction, direction),
                (Some(Direction::Inbound), CallDirection::Outbound)
                    | (Some(Direction::Outbound), CallDirection::Inbound)
            )
        });
    let direction_label = match direction {
        _ if mixed => "Inbound / Outbound",
        CallDirection::Inbound => "Inbound",
        CallDirection::Outbound => "Outbound",
        CallDirection::Internal => "Internal",
    };
    if mixed {
        let other = externals
            .iter()
            .find(|e| e.session.direction.as_ref().map(Direction::as_str) != Some(direction.as_str()))
            .map(|e| describe_session(view, e));
        if let Some(other) = other {
            let _ =
                write!(reason, " It also has a leg the other way ({other}), so it is Inbound / Outbound.");
        }
    }

    match direction {
        CallDirection::Inbound => inbound(view, first, media_type, direction_label, reason),
        CallDirection::Outbound => outbound(view, &externals, media_type, direction_label, reason),
        CallDirection::Internal => internal(view, media_type, reason),
    }
}

fn external_sessions<'a>(view: &View<'a>) -> Vec<ExternalSession<'a>> {
    let mut found = Vec::new();
    for (index, part) in view.parts.iter().enumerate() {
        if !part.is_external() {
            continue;
        }
        for session in part.participant.sessions() {
            let start = view
                .segs_of(index)
                .iter()
                .filter(|s| std::ptr::eq(s.session, session))
                .filter_map(|s| s.start)
                .min();
            found.push(ExternalSession { part: index, session, start });
        }
    }
    found.sort_by_key(|e| (e.start.is_none(), e.start));
    found
}

fn describe_session(view: &View<'_>, e: &ExternalSession<'_>) -> String {
    let part = &view.parts[e.part];
    let who = part.purpose.map_or("external", |p| p.as_str());
    let dir = e.session.direction.as_ref().map_or("without direction", |d| d.as_str());
    let address = match e.session.direction {
        Some(Direction::Outbound) => e.session.dnis.as_deref(),
        _ => e.session.ani.as_deref(),
    }
    .or(part.name);
    match address {
        Some(a) => concat(&["the ", who, " session with ", a, " is ", dir]),
        None => concat(&["the ", who, " session is ", dir]),
    }
}

fn direction(view: &View<'_>, first: Option<&ExternalSession<'_>>) -> (CallDirection, String) {
    let Some(first) = first else {
        return (
            CallDirection::Internal,
            "No customer or external participant took part, so the call is internal (user to user).".into(),
        );
    };
    let described = describe_session(view, first);
    match first.session.direction {
        Some(Direction::Inbound) => (
            CallDirection::Inbound,
            concat(&[
                "The first external session is inbound (",
                &described,
                "), so the call came from outside.",
            ]),
        ),
        Some(Direction::Outbound) => (
            CallDirection::Outbound,
            concat(&[
                "The first external session is outbound (",
                &described,
                "), so the organisation placed the call.",
            ]),
        ),
        _ => match view.conversation.originating_direction {
            Some(Direction::Outbound) => (
                CallDirection::Outbound,
                "The external sessions carry no direction; originatingDirection is outbound.".into(),
            ),
            Some(Direction::Inbound) => (
                CallDirection::Inbound,
                "The external sessions carry no direction; originatingDirection is inbound.".into(),
            ),
            _ if view.parts.iter().any(|p| p.role == Role::Campaign) => (
                CallDirection::Outbound,
                "The record has no direction; a campaign or dialer took part, so it is outbound.".into(),
            ),
            _ if view
                .parts
                .iter()
                .any(|p| p.participant.sessions().iter().any(|s| s.outbound_campaign_id.is_some())) =>
            {
                (
                    CallDirection::Outbound,
                    "The record has no direction; its sessions carry an outboundCampaignId, so a campaign \
                     placed it: outbound."
                        .into(),
                )
            }
            _ => (
                CallDirection::Inbound,
                "The record has no direction at all; an external party took part, so it is taken as inbound."
                    .into(),
            ),
        },
    }
}

/// A party for participant `index`, `at` its first segment.
fn party<'a>(view: &View<'a>, index: usize, address: Option<&'a str>) -> Party<'a> {
    let part = &view.parts[index];
    Party {
        role: part.role,
        address: address.map(Cow::Borrowed),
        name: part.name.map(Cow::Borrowed),
        user_id: view.text(part.participant.user_id.as_ref()),
        participant_id: view.text(part.participant.participant_id.as_ref()),
        at: part.first_start.map(Timestamp),
    }
}

/// The first `interact` segment start of participant `index`, optionally only on sessions
/// that pass `on`.
fn first_interact(view: &View<'_>, index: usize, on: impl Fn(&Session<'_>) -> bool) -> Option<i64> {
    view.segs_of(index)
        .iter()
        .filter(|s| s.is(&SegmentType::Interact) && on(s.session))
        .filter_map(|s| s.start)
        .min()
}

/// The first number a callback session asks to be called back on: the customer's address
/// when the session has no `ani`/`dnis` (callbacks created by a flow or a campaign often have none).
fn callback_number<'a>(e: &ExternalSession<'a>) -> Option<&'a str> {
    e.session.callback_numbers.as_deref()?.iter().map(calltrail_model::Text::as_str).find(|n| !n.is_empty())
}

/// A customer number without its `tel:` scheme.
fn number(address: Option<&str>) -> Option<Str<'_>> {
    let address = address?;
    let bare = address.strip_prefix("tel:").unwrap_or(address);
    (!bare.is_empty()).then_some(Cow::Borrowed(bare))
}

fn inbound<'a>(
    view: &View<'a>,
    first: Option<&ExternalSession<'a>>,
    media_type: Option<Str<'a>>,
    direction_label: &'static str,
    direction_reason: String,
) -> Parties<'a> {
    let (from, dnis, ani) = match first {
        Some(e) => {
            let ani = e.session.ani.as_deref().or(e.session.address_from.as_deref()).or(callback_number(e));
            let dnis = e.session.dnis.as_deref().or(e.session.address_to.as_deref());
            (party(view, e.part, ani), dnis, ani)
        }
        None => (Party::unknown(Role::Customer), None, None),
    };
    // Whoever took the call first on the organisation's side: IVR, queue, agent or user.
    let to = match view.first_part(|p| !p.is_external() && p.first_start.is_some()) {
        Some(index) => Party { address: dnis.map(Cow::Borrowed), ..party(view, index, None) },
        None => Party { address: dnis.map(Cow::Borrowed), ..Party::unknown(Role::System) },
    };
    let answered_by = first_human_interact(view, None);
    Parties {
        media_type,
        direction: CallDirection::Inbound,
        direction_label,
        direction_reason,
        placed_by: from.clone(),
        from,
        to,
        customer_number: number(ani),
        answered_by,
    }
}

/// The first agent or user (other than `except`) to connect, `at` their first interact.
fn first_human_interact<'a>(view: &View<'a>, except: Option<usize>) -> Option<Party<'a>> {
    let (index, at) = (0..view.parts.len())
        .filter(|&i| view.parts[i].is_human() && Some(i) != except)
        .filter_map(|i| first_interact(view, i, |_| true).map(|at| (i, at)))
        .min_by_key(|&(i, at)| (at, i))?;
    Some(Party { at: Some(Timestamp(at)), ..party(view, index, None) })
}

fn outbound<'a>(
    view: &View<'a>,
    externals: &[ExternalSession<'a>],
    media_type: Option<Str<'a>>,
    direction_label: &'static str,
    direction_reason: String,
) -> Parties<'a> {
    let customer = externals
        .iter()
        .find(|e| e.session.direction == Some(Direction::Outbound))
        .or_else(|| externals.first());
    let (caller_id, dialled, campaign_id) = match customer {
        Some(e) => (
            e.session.ani.as_deref().or(e.session.address_from.as_deref()),
            e.session.dnis.as_deref().or(e.session.address_to.as_deref()).or(callback_number(e)),
            e.session.outbound_campaign_id.as_deref(),
        ),
        None => (None, None, None),
    };

    let placer = placer(view);
    let placed_by = match placer {
        Some(index) => party(view, index, caller_id),
        None if campaign_id.is_some() => Party {
            address: caller_id.map(Cow::Borrowed),
            name: None,
            at: customer.and_then(|e| e.start).map(Timestamp),
            ..Party::unknown(Role::Campaign)
        },
        None => Party { address: caller_id.map(Cow::Borrowed), ..Party::unknown(Role::System) },
    };
    let to = match customer {
        Some(e) => party(view, e.part, dialled),
        None => Party::unknown(Role::Customer),
    };
    let answered_by = customer.and_then(|e| {
        let at = first_interact(view, e.part, |s| s.direction != Some(Direction::Inbound))?;
        Some(Party { at: Some(Timestamp(at)), ..to.clone() })
    });
    Parties {
        media_type,
        direction: CallDirection::Outbound,
        direction_label,
        direction_reason,
        from: placed_by.clone(),
        placed_by,
        to,
        customer_number: number(dialled),
        answered_by,
    }
}

/// Who placed an outbound call: the participant of `conversationInitiator`'s purpose, else a
/// campaign or dialer, else the first agent or user with an outbound session.
fn placer(view: &View<'_>) -> Option<usize> {
    if let Some(initiator) = &view.conversation.conversation_initiator {
        if !matches!(initiator, Purpose::Customer | Purpose::External) {
            if let Some(i) = view.first_part(|p| p.purpose == Some(initiator)) {
                return Some(i);
            }
        }
    }
    view.first_part(|p| p.role == Role::Campaign)
        .or_else(|| {
            view.first_part(|p| {
                p.is_human()
                    && p.participant.sessions().iter().any(|s| s.direction == Some(Direction::Outbound))
            })
        })
        .or_else(|| view.first_part(super::Part::is_human))
}

fn internal<'a>(view: &View<'a>, media_type: Option<Str<'a>>, direction_reason: String) -> Parties<'a> {
    let caller = view
        .first_part(|p| {
            p.is_human() && p.participant.sessions().iter().any(|s| s.direction == Some(Direction::Outbound))
        })
        .or_else(|| view.first_part(super::Part::is_human))
        .or_else(|| view.first_part(|p| p.first_start.is_some()));
    let caller_session = caller.and_then(|i| view.parts[i].participant.sessions().first());
    let ani = caller_session.and_then(|s| s.ani.as_deref().or(s.address_from.as_deref()));
    let dnis = caller_session.and_then(|s| s.dnis.as_deref().or(s.address_to.as_deref()));
    let from = match caller {
        Some(i) => party(view, i, ani),
        None => Party::unknown(Role::User),
    };
    // Whoever the call reached first: the called user, or the IVR or queue of a number the
    // caller dialled inside the organisation (as an inbound call's `to`).
    let callee = view.first_part(|p| p.first_start.is_some() && !is_same(caller, p, view));
    let to = match callee {
        Some(i) => party(view, i, dnis),
        None => Party { address: dnis.map(Cow::Borrowed), ..Party::unknown(Role::User) },
    };
    // The called user answering keeps the address they were called at.
    let answered_by = first_human_interact(view, caller).map(|answered| match &to {
        to if to.participant_id.is_some() && to.participant_id == answered.participant_id => {
            Party { at: answered.at, ..to.clone() }
        }
        _ => answered,
    });
    Parties {
        media_type,
        direction: CallDirection::Internal,
        direction_label: "Internal",
        direction_reason,
        placed_by: from.clone(),
        from,
        to,
        customer_number: None,
        answered_by,
    }
}

fn is_same(caller: Option<usize>, part: &super::Part<'_>, view: &View<'_>) -> bool {
    caller.is_some_and(|i| std::ptr::eq(view.parts[i].participant, part.participant))
}
