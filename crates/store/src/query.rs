//! Reading calls back out: one filter (time range, direction, queue, agent, number, reason,
//! wrap-up, outcome) shared by the call list, the reports, the exports and the web UI, turned
//! into parameterised SQL here and nowhere else; and streaming scans that hand reports one
//! row at a time, so a million calls never sit in memory.

use std::fmt::Write as _;

use calltrail_explain::report::{CallRow, LegRow};
use rusqlite::types::Value as SqlValue;

use crate::{Store, StoreError};

/// Which calls: every field narrows the set; `None` does not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallFilter {
    /// Calls that started at or after this instant (ms).
    pub from_ms: Option<i64>,
    /// Calls that started before this instant (ms).
    pub to_ms: Option<i64>,
    /// `inbound`, `outbound` or `internal`.
    pub direction: Option<String>,
    /// A queue id or name.
    pub queue: Option<String>,
    /// The answering agent's user id or name.
    pub agent: Option<String>,
    /// The concluding wrap-up code's id or name.
    pub wrapup: Option<String>,
    /// Part of the customer's number.
    pub number: Option<String>,
    /// The call's outcome (`answered`, `abandoned_in_queue`, ...).
    pub outcome: Option<String>,
    /// The call's reason.
    pub reason: Option<String>,
    /// Text found in the conversation id, a number, a name, the reason or the wrap-up.
    pub text: Option<String>,
}

impl CallFilter {
    /// The `WHERE` clause (over `calls` aliased `c`) and its parameters.
    pub fn to_sql(&self) -> (String, Vec<SqlValue>) {
        let mut sql = String::from("1 = 1");
        let mut params: Vec<SqlValue> = Vec::new();
        let mut clause = |template: &str, value: SqlValue| {
            params.push(value);
            // A parameter used twice in a clause (`queue_id = ?n OR queue_name = ?n`) is one value.
            let _ = write!(sql, " AND {}", template.replace('?', &format!("?{}", params.len())));
        };
        if let Some(ms) = self.from_ms {
            clause("c.start_ms >= ?", SqlValue::Integer(ms));
        }
        if let Some(ms) = self.to_ms {
            clause("c.start_ms < ?", SqlValue::Integer(ms));
        }
        let text = |v: &String| SqlValue::Text(v.clone());
        if let Some(v) = &self.direction {
            clause("c.direction = ?", SqlValue::Text(v.to_lowercase()));
        }
        if let Some(v) = &self.queue {
            clause("(c.queue_id = ? OR c.queue_name = ?)", text(v));
        }
        if let Some(v) = &self.agent {
            clause("(c.answered_by_user_id = ? OR c.answered_by_name = ?)", text(v));
        }
        if let Some(v) = &self.wrapup {
            clause("(c.wrapup_code_id = ? OR c.wrapup_code_name = ?)", text(v));
        }
        if let Some(v) = &self.number {
            clause(
                "instr(c.customer_number, ?) > 0",
                SqlValue::Text(v.trim_start_matches("tel:").to_owned()),
            );
        }
        if let Some(v) = &self.outcome {
            clause("c.outcome = ?", text(v));
        }
        if let Some(v) = &self.reason {
            clause("c.reason = ?", text(v));
        }
        if let Some(v) = self.text.as_ref().filter(|v| !v.is_empty()) {
            clause(
                "(instr(c.conversation_id, ?) > 0 OR instr(c.customer_number, ?) > 0 OR instr(c.from_address, ?) > 0
                  OR instr(c.to_address, ?) > 0 OR instr(c.answered_by_name, ?) > 0 OR instr(c.reason, ?) > 0
                  OR instr(c.wrapup_code_name, ?) > 0 OR instr(c.queue_name, ?) > 0)",
                text(v),
            );
        }
        (sql, params)
    }
}

fn ms(value: Option<i64>) -> i64 {
    value.unwrap_or(0)
}

impl Store {
    /// Hands every call the filter selects to `each`, in start order; returns how many.
    /// The IVR path is read only when `with_ivr_path` asks for it.
    pub fn scan_calls(
        &self,
        filter: &CallFilter,
        with_ivr_path: bool,
        mut each: impl FnMut(&CallRow),
    ) -> Result<u64, StoreError> {
        let (clause, params) = filter.to_sql();
        let path = if with_ivr_path { "c.ivr_path" } else { "NULL" };
        let sql = format!(
            "SELECT c.start_ms, c.direction, coalesce(c.queue_name, c.queue_id), coalesce(c.answered_by_name, c.answered_by_user_id),
                    c.reason, c.outcome, c.ivr_exit, c.ivr_ms, c.queue_ms, c.alert_ms, c.talk_ms, c.hold_ms, c.acw_ms,
                    c.handle_ms, c.wrapup_code_name, coalesce(c.wrapup_user_name, c.wrapup_user_id), {path}
             FROM calls c WHERE {clause}"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
        let mut row = CallRow::default();
        let mut n = 0;
        while let Some(r) = rows.next()? {
            row.start_ms = r.get(0)?;
            row.direction = r.get(1)?;
            row.queue = r.get(2)?;
            row.agent = r.get(3)?;
            row.reason = r.get(4)?;
            row.outcome = r.get(5)?;
            row.ivr_exit = r.get(6)?;
            row.ivr_ms = ms(r.get(7)?);
            row.queue_ms = ms(r.get(8)?);
            row.alert_ms = ms(r.get(9)?);
            row.talk_ms = ms(r.get(10)?);
            row.hold_ms = ms(r.get(11)?);
            row.acw_ms = ms(r.get(12)?);
            row.handle_ms = ms(r.get(13)?);
            row.wrapup = r.get(14)?;
            row.wrapup_agent = r.get(15)?;
            row.ivr_path = match r.get_ref(16)? {
                rusqlite::types::ValueRef::Text(json) => serde_json::from_slice(json).unwrap_or_default(),
                _ => Vec::new(),
            };
            each(&row);
            n += 1;
        }
        Ok(n)
    }

    /// Hands every agent leg of the calls the filter selects to `each`; returns how many.
    pub fn scan_legs(&self, filter: &CallFilter, mut each: impl FnMut(&LegRow)) -> Result<u64, StoreError> {
        let (clause, params) = filter.to_sql();
        let sql = format!(
            "SELECT c.start_ms, coalesce(a.name, a.user_id, '(unknown)'), coalesce(a.queue_name, a.queue_id), a.answered,
                    a.not_responding, a.alert_ms, a.talk_ms, a.hold_ms, a.acw_ms
             FROM calls c JOIN agent_legs a ON a.conversation_id = c.conversation_id WHERE {clause}"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            let leg = LegRow {
                start_ms: r.get(0)?,
                agent: r.get(1)?,
                queue: r.get(2)?,
                answered: r.get(3)?,
                not_responding: r.get(4)?,
                alert_ms: ms(r.get(5)?),
                talk_ms: ms(r.get(6)?),
                hold_ms: ms(r.get(7)?),
                acw_ms: ms(r.get(8)?),
            };
            each(&leg);
            n += 1;
        }
        Ok(n)
    }
}
