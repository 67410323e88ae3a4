//! Agent legs and queue visits: who was offered the call, who connected, who let it ring out,
//! and how each stay in a queue ended.

use std::borrow::Cow;

use calltrail_model::{DisconnectType, SegmentType};

use super::{Seg, View};
use crate::record::{AgentLeg, QueueOutcome, QueueVisit};
use crate::time::Timestamp;

pub(super) struct Legs<'a> {
    pub agents: Vec<AgentLeg<'a>>,
    pub queues: Vec<QueueVisit<'a>>,
}

/// How long after a queue visit ends an agent's connect still counts as answering it.
const ANSWER_SLACK_MS: i64 = 5_000;

pub(super) fn derive<'a>(view: &View<'a>) -> Legs<'a> {
    let agents = agents(view);
    let queues = queues(view);
    Legs { agents, queues }
}

fn sum(segs: &[Seg<'_>], kind: &SegmentType) -> i64 {
    segs.iter().filter(|s| s.is(kind)).filter_map(Seg::duration).fold(0, i64::saturating_add)
}

fn first_start(segs: &[Seg<'_>], kind: &SegmentType) -> Option<i64> {
    segs.iter().filter(|s| s.is(kind)).filter_map(|s| s.start).min()
}

fn agents<'a>(view: &View<'a>) -> Vec<AgentLeg<'a>> {
    let mut legs = Vec::new();
    for &index in &view.time_order {
        let part = &view.parts[index];
        if !part.is_human() {
            continue;
        }
        let segs = view.segs_of(index);
        let queue_id = segs
            .iter()
            .filter(|s| s.is(&SegmentType::Alert))
            .chain(segs)
            .find_map(|s| s.segment.queue_id.as_deref());
        let answered = segs.iter().any(|s| s.is(&SegmentType::Interact));
        let not_responding = !answered && is_not_responding(view, index);
        let disconnect_type = segs
            .iter()
            .filter(|s| !s.is(&SegmentType::Wrapup) && s.segment.disconnect_type.is_some())
            .max_by_key(|s| (s.end, s.start))
            .and_then(|s| s.segment.disconnect_type.as_ref())
            .map(|d| Cow::Borrowed(d.as_str()));
        legs.push(AgentLeg {
            user_id: view.text(part.participant.user_id.as_ref()),
            name: part.name.map(Cow::Borrowed),
            participant_id: view.text(part.participant.participant_id.as_ref()),
            queue_id: queue_id.map(Cow::Borrowed),
            queue_name: view.queue_name(queue_id).map(Cow::Borrowed),
            alerted_at: first_start(segs, &SegmentType::Alert).map(Timestamp),
            connected_at: first_start(segs, &SegmentType::Interact).map(Timestamp),
            alert_ms: sum(segs, &SegmentType::Alert),
            talk_ms: sum(segs, &SegmentType::Interact),
            hold_ms: sum(segs, &SegmentType::Hold),
            acw_ms: sum(segs, &SegmentType::Wrapup),
            answered,
            not_responding,
            wrapup: None,
            disconnect_type,
        });
    }
    legs
}

/// An agent "not responding": a tNotResponding metric, a not-responding error code, or an
/// alert that ended in a no-answer transfer.
fn is_not_responding(view: &View<'_>, index: usize) -> bool {
    let part = &view.parts[index];
    if part.participant.sessions().iter().any(|s| s.metric_sum("tNotResponding").is_some()) {
        return true;
    }
    view.segs_of(index).iter().any(|s| {
        let code = s.segment.error_code.as_deref().unwrap_or_default();
        let squashed: String =
            code.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
        squashed.contains("notresponding")
            || (s.is(&SegmentType::Alert)
                && s.segment.disconnect_type == Some(DisconnectType::NoAnswerTransfer))
    })
}

fn queues<'a>(view: &View<'a>) -> Vec<QueueVisit<'a>> {
    let mut visits: Vec<(QueueVisit<'a>, usize)> = Vec::new();
    for (index, part) in view.parts.iter().enumerate() {
        if !part.is_acd() {
            continue;
        }
        let segs = view.segs_of(index);
        let mut i = 0;
        while i < segs.len() {
            // One visit: consecutive segments of one session in one queue.
            let session = segs[i].session;
            let queue = segs[i].segment.queue_id.as_deref();
            let mut j = i;
            while j < segs.len()
                && std::ptr::eq(segs[j].session, session)
                && segs[j].segment.queue_id.as_deref() == queue
            {
                j += 1;
            }
            let run = &segs[i..j];
            let entered = run.iter().filter_map(|s| s.start).min();
            let left = if run.iter().all(|s| s.end.is_some()) {
                run.iter().filter_map(|s| s.end).max()
            } else {
                None
            };
            let visit = QueueVisit {
                queue_id: queue.map(Cow::Borrowed),
                queue_name: view.queue_name(queue).map(Cow::Borrowed),
                entered_at: entered.map(Timestamp),
                left_at: left.map(Timestamp),
                wait_ms: sum(run, &SegmentType::Interact),
                outcome: visit_outcome(view, run, queue, entered, left),
                media_type: session.media_type.as_ref().map(|m| Cow::Borrowed(m.as_str())),
            };
            visits.push((visit, index));
            i = j;
        }
    }
    visits.sort_by_key(|(v, _)| (v.entered_at.is_none(), v.entered_at));
    visits.into_iter().map(|(v, _)| v).collect()
}

fn visit_outcome(
    view: &View<'_>,
    run: &[Seg<'_>],
    queue: Option<&str>,
    entered: Option<i64>,
    left: Option<i64>,
) -> QueueOutcome {
    let Some(left) = left else { return QueueOutcome::Ongoing };
    let entered = entered.unwrap_or(left);
    // Answered: an agent was offered the call from this queue while it waited (their alert or
    // connect starts within the visit) and connected.
    let answered = view.segs.iter().any(|s| {
        view.parts[s.part].is_human()
            && (s.is(&SegmentType::Alert) || s.is(&SegmentType::Interact))
            && s.segment.queue_id.as_deref().is_none_or(|q| Some(q) == queue)
            && s.start.is_some_and(|t| t >= entered && t <= left + ANSWER_SLACK_MS)
            && view.segs_of(s.part).iter().any(|o| o.is(&SegmentType::Interact))
    });
    if answered {
        return QueueOutcome::Answered;
    }
    let session = run[0].session;
    let last = run.iter().max_by_key(|s| s.end).and_then(|s| s.segment.disconnect_type.as_ref());
    if session.metric_sum("tAbandon").is_some()
        || matches!(last, Some(DisconnectType::Peer | DisconnectType::Endpoint | DisconnectType::Client))
    {
        return QueueOutcome::Abandoned;
    }
    if session.metric_sum("tFlowOut").is_some() || session.flow_out_type.is_some() {
        return QueueOutcome::FlowOut;
    }
    if last.is_some_and(DisconnectType::is_transfer) {
        return QueueOutcome::Transferred;
    }
    // No disconnect type: if something took over after the queue, it moved on; else it was
    // abandoned.
    let taken_over = view
        .parts
        .iter()
        .any(|p| !p.is_external() && !p.is_acd() && p.first_start.is_some_and(|t| t >= left));
    if taken_over {
        QueueOutcome::Transferred
    } else {
        QueueOutcome::Abandoned
    }
}
