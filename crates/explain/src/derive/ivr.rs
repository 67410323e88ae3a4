//! What happened in the IVR: the flows run, their outcomes, the participant data they set, the
//! reason for the call, the path taken and how the call left the IVR.

use std::borrow::Cow;
use std::collections::BTreeMap;

use calltrail_model::{Attributes, Flow};

use super::{concat, View};
use crate::record::{Disconnect, FlowOutcomeRecord, FlowVisit, HungUpBy, Ivr, IvrExit, QueueVisit, Str};
use crate::time::Timestamp;

pub(super) fn derive<'a>(
    view: &View<'a>,
    disconnect: &Disconnect<'a>,
    queues: &[QueueVisit<'a>],
    ongoing: bool,
) -> Ivr<'a> {
    let flows = flows(view);
    let attributes = attributes(view);
    let exit = exit(view, &flows, disconnect, queues, ongoing);
    let (reason, reason_source) = reason(view, &flows, &attributes);
    let path = path(view, &flows, &attributes, exit);
    Ivr { flows, attributes, reason, reason_source, path, exit }
}

fn flows<'a>(view: &View<'a>) -> Vec<FlowVisit<'a>> {
    let mut flows = Vec::new();
    for (index, part) in view.parts.iter().enumerate() {
        if !part.is_ivr() {
            continue;
        }
        for session in part.participant.sessions() {
            let Some(flow) = &session.flow else { continue };
            if flow.flow_type.as_ref().is_some_and(calltrail_model::FlowType::is_in_queue) {
                continue;
            }
            let segs = view.segs_of(index).iter().filter(|s| std::ptr::eq(s.session, session));
            let (mut entered, mut left, mut open) = (None::<i64>, None::<i64>, false);
            for s in segs {
                entered = match (entered, s.start) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                match s.end {
                    Some(e) => left = Some(left.map_or(e, |l: i64| l.max(e))),
                    None => open = true,
                }
            }
            let left = if open { None } else { left };
            flows.push(visit(view, flow, entered, left));
        }
    }
    flows.sort_by_key(|f| (f.entered_at.is_none(), f.entered_at));
    flows
}

fn visit<'a>(view: &View<'a>, flow: &'a Flow<'a>, entered: Option<i64>, left: Option<i64>) -> FlowVisit<'a> {
    let outcomes = flow
        .outcomes()
        .iter()
        .map(|o| {
            let ended = view.timestamp(o.flow_outcome_end_timestamp.as_ref(), "flowOutcomeEndTimestamp");
            let value = o.flow_outcome_value.as_deref();
            let id = o
                .flow_outcome_id
                .as_deref()
                .or_else(|| o.flow_outcome.as_deref().and_then(|f| f.split_once(':')).map(|(id, _)| id));
            FlowOutcomeRecord {
                id: id.map(Cow::Borrowed),
                value: value.map(Cow::Borrowed),
                started_at: view
                    .timestamp(o.flow_outcome_start_timestamp.as_ref(), "flowOutcomeStartTimestamp"),
                ended_at: ended,
                succeeded: ended.is_some() && !value.is_some_and(|v| v.eq_ignore_ascii_case("FAILURE")),
            }
        })
        .collect();
    FlowVisit {
        flow_id: view.text(flow.flow_id.as_ref()),
        flow_name: view.flow_name(flow).map(Cow::Borrowed),
        flow_type: flow.flow_type.as_ref().map(|t| Cow::Borrowed(t.as_str())),
        flow_version: view.text(flow.flow_version.as_ref()),
        entered_at: entered.map(Timestamp),
        left_at: left.map(Timestamp),
        duration_ms: entered.zip(left).map(|(e, l)| (l - e).max(0)),
        entry_type: flow.entry_type.as_ref().map(|t| Cow::Borrowed(t.as_str())),
        entry_reason: view.text(flow.entry_reason.as_ref()),
        exit_reason: view.text(flow.exit_reason.as_ref()),
        transfer_type: view.text(flow.transfer_type.as_ref()),
        transfer_target_name: view.text(flow.transfer_target_name.as_ref()),
        transfer_target_address: view.text(flow.transfer_target_address.as_ref()),
        outcomes,
    }
}

/// Participant attributes of the record (job results) and of the Conversations API record,
/// merged; the Conversations API, being the later view, wins on conflicts.
fn attributes<'a>(view: &View<'a>) -> BTreeMap<Str<'a>, Str<'a>> {
    let mut merged = BTreeMap::new();
    let mut add = |attributes: &'a Attributes<'a>| {
        for (k, v) in attributes.iter() {
            merged.insert(Cow::Borrowed(k.as_str()), Cow::Borrowed(v.as_str()));
        }
    };
    for part in &view.parts {
        if let Some(a) = &part.participant.attributes {
            add(a);
        }
    }
    if let Some(api) = view.api {
        for p in api.participants() {
            if let Some(a) = &p.attributes {
                add(a);
            }
        }
    }
    merged
}

fn outcome_name<'a>(view: &View<'a>, outcome: &FlowOutcomeRecord<'a>) -> Option<Str<'a>> {
    let id = outcome.id.as_deref();
    view.ctx.lookups.flow_outcome(id).map(|n| Cow::Owned(n.to_owned())).or_else(|| outcome.id.clone())
}

fn reason<'a>(
    view: &View<'a>,
    flows: &[FlowVisit<'a>],
    attributes: &BTreeMap<Str<'a>, Str<'a>>,
) -> (Option<Str<'a>>, Option<Str<'a>>) {
    for key in &view.ctx.settings.reason.attributes {
        if let Some(value) = attributes.get(key.as_str()).filter(|v| !v.trim().is_empty()) {
            return (Some(value.clone()), Some(Cow::Owned(concat(&["attribute:", key]))));
        }
    }
    if let Some(target) = flows.last().and_then(|f| f.transfer_target_name.clone()).filter(|t| !t.is_empty())
    {
        return (Some(target), Some(Cow::Borrowed("transfer_target")));
    }
    let last_success = flows.iter().flat_map(|f| &f.outcomes).rfind(|o| o.succeeded);
    if let Some(name) = last_success.and_then(|o| outcome_name(view, o)) {
        return (Some(name), Some(Cow::Borrowed("flow_outcome")));
    }
    (None, None)
}

fn path<'a>(
    view: &View<'a>,
    flows: &[FlowVisit<'a>],
    attributes: &BTreeMap<Str<'a>, Str<'a>>,
    exit: Option<IvrExit>,
) -> Vec<Str<'a>> {
    let mut path = Vec::new();
    for flow in flows {
        let name = flow
            .flow_name
            .clone()
            .or_else(|| flow.flow_id.clone())
            .unwrap_or(Cow::Borrowed("(unnamed flow)"));
        path.push(name);
        let mut succeeded: Vec<&FlowOutcomeRecord<'a>> =
            flow.outcomes.iter().filter(|o| o.succeeded).collect();
        succeeded.sort_by_key(|o| o.ended_at.or(o.started_at));
        for outcome in succeeded {
            if let Some(name) = outcome_name(view, outcome) {
                path.push(Cow::Owned(concat(&["outcome:", &name])));
            }
        }
    }
    for key in &view.ctx.settings.ivr.checkpoints {
        if let Some(value) = attributes.get(key.as_str()).filter(|v| !v.is_empty()) {
            path.push(Cow::Owned(concat(&[key, "=", value])));
        }
    }
    match exit {
        Some(IvrExit::Transfer) => {
            let last = flows.last();
            let target =
                last.and_then(|f| f.transfer_target_name.as_deref().or(f.transfer_target_address.as_deref()));
            path.push(Cow::Owned(match target {
                Some(t) => concat(&["transfer:", t]),
                None => "transfer".to_owned(),
            }));
        }
        Some(other) => path.push(Cow::Borrowed(other.as_str())),
        None => {}
    }
    path
}

fn exit(
    view: &View<'_>,
    flows: &[FlowVisit<'_>],
    disconnect: &Disconnect<'_>,
    queues: &[QueueVisit<'_>],
    ongoing: bool,
) -> Option<IvrExit> {
    let last = flows.last()?;
    if last.left_at.is_none() && ongoing {
        return None;
    }
    let issued_callback =
        view.conversation.participants().iter().flat_map(calltrail_model::Participant::sessions).any(|s| {
            s.flow.as_ref().is_some_and(|f| {
                !f.flow_type.as_ref().is_some_and(calltrail_model::FlowType::is_in_queue)
                    && f.issued_callback == Some(true)
            })
        });
    if issued_callback {
        return Some(IvrExit::Callback);
    }
    let entered = last.entered_at.map_or(i64::MIN, |t| t.0);
    let transfer_named = last.transfer_type.is_some()
        || last.transfer_target_name.is_some()
        || last.transfer_target_address.is_some()
        || last.exit_reason.as_deref().is_some_and(|r| r.to_ascii_uppercase().contains("TRANSFER"));
    // What the call went on to after the IVR: a queue, a person, a voicemail box, anyone.
    let next = view.time_order.iter().copied().find(|&i| {
        let p = &view.parts[i];
        !p.is_external() && !p.is_ivr() && p.first_start.is_some_and(|t| t >= entered)
    });
    let to_voicemail =
        last.transfer_type.as_deref().is_some_and(|t| t.to_ascii_lowercase().contains("voicemail"))
            || next.is_some_and(|i| {
                view.parts[i].purpose == Some(&calltrail_model::Purpose::Voicemail)
                    || view.segs_of(i).iter().any(|s| s.is(&calltrail_model::SegmentType::Voicemail))
            });
    if to_voicemail && queues.iter().all(|q| q.entered_at.is_none_or(|t| t.0 < entered)) {
        return Some(IvrExit::Voicemail);
    }
    if transfer_named || next.is_some() {
        return Some(IvrExit::Transfer);
    }
    match disconnect.by {
        HungUpBy::Customer => Some(IvrExit::Disconnect),
        HungUpBy::Ivr => Some(IvrExit::SelfServed),
        _ if view.conversation.self_served == Some(true) => Some(IvrExit::SelfServed),
        _ => Some(IvrExit::Disconnect),
    }
}
