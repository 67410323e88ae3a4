//! One call record as one flat row, for spreadsheets and BI tools that take CSV: the five
//! answers in named columns, lists folded into one cell. The archive's `calls` table holds
//! the same facts under the same names.

use crate::record::{CallRecord, QueueOutcome};
use crate::report::{csv_cell, VisitRow};
use crate::time::Timestamp;

/// The columns of a flat call record, in order.
pub const COLUMNS: [&str; 40] = [
    "conversation_id",
    "media_type",
    "start",
    "end",
    "ongoing",
    "duration_ms",
    "direction",
    "direction_label",
    "from_address",
    "from_name",
    "to_address",
    "to_name",
    "customer_number",
    "placed_by_role",
    "placed_by_name",
    "answered_by_role",
    "answered_by_user_id",
    "answered_by_name",
    "queue_id",
    "queue_name",
    "reason",
    "reason_source",
    "ivr_exit",
    "ivr_path",
    "ivr_ms",
    "queue_ms",
    "alert_ms",
    "talk_ms",
    "hold_ms",
    "acw_ms",
    "handle_ms",
    "voicemail_ms",
    "wrapup_code_id",
    "wrapup_code_name",
    "wrapup_note",
    "disconnect_by",
    "disconnect_type",
    "outcome",
    "transfers",
    "warnings",
];

impl CallRecord<'_> {
    /// The call's queue visits as the queue performance report counts them (and the archive's
    /// `queue_visits` table keeps them): each visit's queue (name, else id), wait and ending,
    /// and on the first answered visit of a queue the handle time of the agents who answered
    /// from that queue.
    pub fn visit_rows(&self) -> Vec<VisitRow<'_>> {
        self.queues
            .iter()
            .enumerate()
            .map(|(i, visit)| {
                let answered = visit.outcome == QueueOutcome::Answered;
                let first_answered = answered
                    && !self.queues[..i]
                        .iter()
                        .any(|q| q.outcome == QueueOutcome::Answered && q.queue_id == visit.queue_id);
                let handle_ms = if first_answered {
                    self.agents
                        .iter()
                        .filter(|a| a.answered && a.queue_id == visit.queue_id)
                        .map(|a| a.talk_ms + a.hold_ms + a.acw_ms)
                        .sum()
                } else {
                    0
                };
                VisitRow {
                    start_ms: self.start.map(|t| t.0),
                    queue: visit.queue_name.as_deref().or(visit.queue_id.as_deref()),
                    media: visit.media_type.as_deref().or(self.media_type.as_deref()),
                    // The call record knows no queue's settings; the archive does.
                    objective: None,
                    wait_ms: visit.wait_ms,
                    outcome: visit.outcome.as_str(),
                    handle_ms,
                }
            })
            .collect()
    }

    /// The call's queue: the one whose agent answered it, else the last it waited in; its id
    /// and name.
    pub fn queue(&self) -> (Option<&str>, Option<&str>) {
        let answering = self.agents.iter().find(|a| a.answered);
        let id = answering
            .and_then(|a| a.queue_id.as_deref())
            .or_else(|| self.queues.last().and_then(|q| q.queue_id.as_deref()));
        let name = self
            .queues
            .iter()
            .find(|q| q.queue_id.as_deref() == id)
            .and_then(|q| q.queue_name.as_deref())
            .or_else(|| answering.and_then(|a| a.queue_name.as_deref()));
        (id, name)
    }

    /// Its cells, one per [`COLUMNS`] entry; `None` where the record has no value. Lists are
    /// joined: the IVR path with ` › `, warnings with `; `.
    pub fn flat(&self) -> [Option<String>; COLUMNS.len()] {
        let text = |v: Option<&str>| v.map(str::to_owned);
        let number = |v: i64| Some(v.to_string());
        let (queue_id, queue_name) = self.queue();
        let answered = self.answered_by.as_ref();
        let wrapup = self.wrapup.as_ref();
        let t = &self.totals;
        [
            text(self.conversation_id.as_deref()),
            text(self.media_type.as_deref()),
            self.start.map(Timestamp::to_rfc3339),
            self.end.map(Timestamp::to_rfc3339),
            Some(self.ongoing.to_string()),
            self.duration_ms.map(|d| d.to_string()),
            Some(self.direction.as_str().to_owned()),
            Some(self.direction_label.to_owned()),
            text(self.from.address.as_deref()),
            text(self.from.name.as_deref()),
            text(self.to.address.as_deref()),
            text(self.to.name.as_deref()),
            text(self.customer_number.as_deref()),
            Some(self.placed_by.role.as_str().to_owned()),
            text(self.placed_by.name.as_deref()),
            answered.map(|p| p.role.as_str().to_owned()),
            text(answered.and_then(|p| p.user_id.as_deref())),
            text(answered.and_then(|p| p.name.as_deref())),
            text(queue_id),
            text(queue_name),
            text(self.ivr.reason.as_deref()),
            text(self.ivr.reason_source.as_deref()),
            self.ivr.exit.map(|e| e.as_str().to_owned()),
            (!self.ivr.path.is_empty()).then(|| self.ivr.path.join(" › ")),
            number(t.ivr_ms),
            number(t.queue_ms),
            number(t.alert_ms),
            number(t.talk_ms),
            number(t.hold_ms),
            number(t.acw_ms),
            number(t.handle_ms),
            number(t.voicemail_ms),
            text(wrapup.and_then(|w| w.code_id.as_deref())),
            text(wrapup.and_then(|w| w.code_name.as_deref())),
            text(wrapup.and_then(|w| w.note.as_deref())),
            Some(self.disconnect.by.as_str().to_owned()),
            text(self.disconnect.kind.as_deref()),
            Some(self.outcome.as_str().to_owned()),
            Some(self.transfers.to_string()),
            (!self.warnings.is_empty()).then(|| self.warnings.join("; ")),
        ]
    }

    /// Appends its row as CSV (formula-safe cells, empty for absent values) with a line end.
    pub fn write_csv(&self, out: &mut Vec<u8>) {
        for (i, cell) in self.flat().iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            if let Some(text) = cell {
                out.extend_from_slice(csv_cell(text).as_bytes());
            }
        }
        out.push(b'\n');
    }
}

/// The CSV header line, with its line end.
pub fn csv_header() -> String {
    let mut line = COLUMNS.join(",");
    line.push('\n');
    line
}
