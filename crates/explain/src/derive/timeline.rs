//! The phase timeline and the totals per phase, checked against Genesys' own metrics.
//!
//! Each total is a sum over segments, chosen to match the metric Genesys computes for it:
//! `ivr` segments of IVR participants (tIvr), `interact` of queues (tAcd), and of agents and
//! users `alert` (tAlert), `interact` (tTalk), `hold` (tHeld) and `wrapup` (tAcw);
//! tHandle = tTalk + tHeld + tAcw. The same sums per session are compared with the session's
//! metrics, and a disagreement becomes a warning that names both values.

use std::borrow::Cow;

use calltrail_model::{Purpose, SegmentType};

use super::{Part, Seg, View};
use crate::record::{Phase, Totals};
use crate::time::Timestamp;

pub(super) struct Timeline<'a> {
    pub phases: Vec<Phase<'a>>,
    pub totals: Totals,
}

/// Which total a segment counts toward, by its participant and type.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bucket {
    Ivr,
    Queue,
    Alert,
    Talk,
    Hold,
    Acw,
    Voicemail,
}

fn bucket(part: &Part<'_>, seg: &Seg<'_>) -> Option<Bucket> {
    let kind = seg.kind?;
    if *kind == SegmentType::Voicemail {
        return Some(Bucket::Voicemail);
    }
    if part.is_ivr() {
        return (*kind == SegmentType::Ivr).then_some(Bucket::Ivr);
    }
    if part.is_acd() {
        return (*kind == SegmentType::Interact).then_some(Bucket::Queue);
    }
    if part.is_human() {
        return match kind {
            SegmentType::Alert => Some(Bucket::Alert),
            SegmentType::Interact => Some(Bucket::Talk),
            SegmentType::Hold => Some(Bucket::Hold),
            SegmentType::Wrapup => Some(Bucket::Acw),
            _ => None,
        };
    }
    None
}

#[derive(Default, Clone, Copy)]
struct Sums {
    ivr: i64,
    queue: i64,
    alert: i64,
    talk: i64,
    hold: i64,
    acw: i64,
    voicemail: i64,
}

impl Sums {
    fn add(&mut self, bucket: Bucket, ms: i64) {
        let slot = match bucket {
            Bucket::Ivr => &mut self.ivr,
            Bucket::Queue => &mut self.queue,
            Bucket::Alert => &mut self.alert,
            Bucket::Talk => &mut self.talk,
            Bucket::Hold => &mut self.hold,
            Bucket::Acw => &mut self.acw,
            Bucket::Voicemail => &mut self.voicemail,
        };
        *slot = slot.saturating_add(ms);
    }
}

pub(super) fn derive<'a>(view: &View<'a>, ongoing: bool, warnings: &mut Vec<String>) -> Timeline<'a> {
    let mut totals = Sums::default();
    let mut phases = Vec::with_capacity(view.segs.len());
    let mut open_segments = 0usize;

    for seg in &view.segs {
        let part = &view.parts[seg.part];
        let duration = seg.duration();
        if seg.end.is_none() {
            open_segments += 1;
        }
        if let (Some(b), Some(ms)) = (bucket(part, seg), duration) {
            totals.add(b, ms);
        }
        phases.push(Phase {
            kind: phase_kind(part, seg),
            start: seg.start.map(Timestamp),
            end: seg.end.map(Timestamp),
            duration_ms: duration,
            participant_id: view.text(part.participant.participant_id.as_ref()),
            purpose: part.purpose.map(|p| Cow::Borrowed(p.as_str())),
            user_id: view.text(part.participant.user_id.as_ref()),
            queue_id: view.text(seg.segment.queue_id.as_ref()),
            name: part.name.map(Cow::Borrowed),
        });
    }
    // Stable: segments that start together keep record order; open starts go last.
    phases.sort_by_key(|p| (p.start.is_none(), p.start));

    if open_segments > 0 && !ongoing {
        warnings.push(format!(
            "{open_segments} segment(s) have no end although the conversation ended; they count 0 ms"
        ));
    }
    if ongoing && open_segments == 0 {
        if let Some(last) = view.segs.iter().filter_map(|s| s.end).max() {
            warnings.push(format!(
                "conversationEnd is missing although every segment has ended (the last at {}); \
                 the call is reported as ongoing",
                Timestamp(last)
            ));
        }
    }
    check_metrics(view, warnings);

    let handle = totals.talk.saturating_add(totals.hold).saturating_add(totals.acw);
    Timeline {
        phases,
        totals: Totals {
            ivr_ms: totals.ivr,
            queue_ms: totals.queue,
            alert_ms: totals.alert,
            talk_ms: totals.talk,
            hold_ms: totals.hold,
            acw_ms: totals.acw,
            handle_ms: handle,
            voicemail_ms: totals.voicemail,
        },
    }
}

fn phase_kind<'a>(part: &Part<'a>, seg: &Seg<'a>) -> Cow<'a, str> {
    let Some(kind) = seg.kind else { return Cow::Borrowed("unknown") };
    Cow::Borrowed(match kind {
        SegmentType::Interact if part.is_acd() => "queue",
        SegmentType::Interact if part.is_ivr() => "ivr",
        SegmentType::Interact => "talk",
        other => other.as_str(),
    })
}

/// The metrics a session's segment sums are checked against.
#[derive(Clone, Copy)]
enum Checked {
    Ivr,
    Acd,
    Alert,
    Talk,
    Held,
    Acw,
    Handle,
    Voicemail,
}

impl Checked {
    /// Genesys' metric names, in the order of the variants.
    const NAMES: [&'static str; 8] =
        ["tIvr", "tAcd", "tAlert", "tTalk", "tHeld", "tAcw", "tHandle", "tVoicemail"];
    const ALL: [Checked; 8] = [
        Checked::Ivr,
        Checked::Acd,
        Checked::Alert,
        Checked::Talk,
        Checked::Held,
        Checked::Acw,
        Checked::Handle,
        Checked::Voicemail,
    ];

    fn of(name: &str) -> Option<Checked> {
        Self::NAMES.iter().position(|known| *known == name).map(|at| Self::ALL[at])
    }

    fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// The sum of every value of each checked metric in the session (`None` for one it does not
/// carry), in one pass: Genesys may emit a duration metric once per segment.
fn checked_metrics(session: &calltrail_model::Session<'_>) -> [Option<i64>; 8] {
    let mut sums = [None; 8];
    for metric in session.metrics() {
        let Some(name) = metric.name.as_deref() else { continue };
        if let Some(checked) = Checked::of(name) {
            let sum: &mut Option<i64> = &mut sums[checked as usize];
            *sum = Some(sum.unwrap_or(0).saturating_add(metric.value.unwrap_or(0)));
        }
    }
    sums
}

/// Compares each session's segment sums with the metrics it carries.
fn check_metrics(view: &View<'_>, warnings: &mut Vec<String>) {
    let mut at = 0;
    while at < view.segs.len() {
        let session = view.segs[at].session;
        let part = &view.parts[view.segs[at].part];
        let mut end = at;
        let mut sums = Sums::default();
        while end < view.segs.len() && std::ptr::eq(view.segs[end].session, session) {
            let seg = &view.segs[end];
            if let (Some(b), Some(ms)) = (bucket(part, seg), seg.duration()) {
                sums.add(b, ms);
            }
            end += 1;
        }
        at = end;
        if session.metrics().is_empty() {
            continue;
        }
        let checks: &[(Checked, i64)] = match part.purpose {
            Some(Purpose::Ivr | Purpose::Botflow) => &[(Checked::Ivr, sums.ivr)],
            Some(Purpose::Acd) => &[(Checked::Acd, sums.queue)],
            Some(Purpose::Agent | Purpose::User) => &[
                (Checked::Alert, sums.alert),
                (Checked::Talk, sums.talk),
                (Checked::Held, sums.hold),
                (Checked::Acw, sums.acw),
                (Checked::Handle, sums.talk + sums.hold + sums.acw),
            ],
            _ => &[],
        };
        let metrics = checked_metrics(session);
        let voicemail = [(Checked::Voicemail, sums.voicemail)];
        for &(metric, sum) in checks.iter().chain(voicemail.iter()) {
            if let Some(value) = metrics[metric as usize] {
                if value != sum {
                    warnings.push(format!(
                        "{} of {} session {} is {value} ms but its segments add up to {sum} ms; the segment sum is kept",
                        metric.name(),
                        part.purpose.map_or("unknown", |p| p.as_str()),
                        session.session_id.as_deref().unwrap_or("-"),
                    ));
                }
            }
        }
    }
}
