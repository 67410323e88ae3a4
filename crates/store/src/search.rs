//! The calls list's free-text search index (`calls_search`, an FTS5 trigram index over
//! columns of `calls`) kept in step with the calls a transaction writes, in bulk when the
//! batch ends. Row by row (as triggers did) it cost most of the time of storing a call: FTS5
//! writes its pending terms to disk at every statement savepoint, and storing a call runs a
//! dozen statements, so each call became a segment of its own and the index merged without
//! end (deriving 200,000 calls again took 51 s with triggers, 19 s without, and the bulk
//! update of the index 3 s more).

use rusqlite::{params, Connection, Row};

use crate::StoreError;

/// The columns of `calls` the index holds, in its order.
pub(crate) const COLUMNS: &str =
    "conversation_id, customer_number, from_address, to_address, answered_by_name, reason, wrapup_code_name, queue_name";

/// A call's row as the index holds it: its rowid and the indexed columns.
pub(crate) type Indexed = (i64, [Option<String>; 8]);

/// Reads a call's [`Indexed`] row from a result row holding `rowid, {COLUMNS}` from column
/// `first` on.
pub(crate) fn indexed(r: &Row<'_>, first: usize) -> rusqlite::Result<Indexed> {
    let column = |i: usize| r.get::<_, Option<String>>(first + 1 + i);
    Ok((
        r.get(first)?,
        [column(0)?, column(1)?, column(2)?, column(3)?, column(4)?, column(5)?, column(6)?, column(7)?],
    ))
}

/// The calls one transaction rewrites: those indexed before it began are taken out of the
/// index (with the values it holds, as an external-content index needs) and every call written
/// in it is put in, when it ends.
#[derive(Debug)]
pub(crate) struct SearchBatch {
    /// The archive's change sequence when the batch began: calls written in it have a larger one.
    began_at: i64,
    /// The indexed rows of calls the batch rewrote.
    replaced: Vec<Indexed>,
}

impl SearchBatch {
    /// A batch starting now, in the transaction `conn` is in.
    pub(crate) fn begin(conn: &Connection) -> Result<SearchBatch, StoreError> {
        let began_at = conn.query_row("SELECT coalesce(max(change_seq), 0) FROM calls", [], |r| r.get(0))?;
        Ok(SearchBatch { began_at, replaced: Vec::new() })
    }

    /// Notes that a call's row (`indexed`, written at `change_seq`) is about to be rewritten:
    /// if the index holds it (it was written before the batch), it is taken out at the end.
    pub(crate) fn replacing(&mut self, change_seq: i64, indexed: Indexed) {
        if change_seq <= self.began_at {
            self.replaced.push(indexed);
        }
    }

    /// Brings the index up to date, before the transaction commits: the replaced rows out, the
    /// calls written in the batch in.
    pub(crate) fn finish(self, conn: &Connection) -> Result<(), StoreError> {
        let mut forget = conn.prepare_cached(&format!(
            "INSERT INTO calls_search (calls_search, rowid, {COLUMNS}) VALUES ('delete', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        ))?;
        for (rowid, [a, b, c, d, e, f, g, h]) in &self.replaced {
            forget.execute(params![rowid, a, b, c, d, e, f, g, h])?;
        }
        conn.prepare_cached(&format!(
            "INSERT INTO calls_search (rowid, {COLUMNS}) SELECT rowid, {COLUMNS} FROM calls WHERE change_seq > ?1"
        ))?
        .execute([self.began_at])?;
        Ok(())
    }
}
