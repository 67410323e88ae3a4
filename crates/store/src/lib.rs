//! The calltrail archive: one `SQLite` file (WAL) that keeps every detail record exactly as
//! received (LZ4-compressed), the earlier versions of records that changed, the call record
//! derived from each with its phases, agent legs and IVR steps in plain tables, the lookups,
//! the sync checkpoints and the quarantine of records that could not be read.
//!
//! Writes are upserts by conversation id inside one transaction per batch, so a process killed
//! at any moment leaves the archive as it was before or after the batch, never between.
//! Derivation happens on write and can be redone from the raw records (`rederive`).

pub mod export;
mod index;
mod query;
mod schema;
mod search;

use std::path::{Path, PathBuf};

use calltrail_explain::{explain, CallRecord, Context, Lookups, Settings};
use calltrail_model::{parse_document, ApiConversation, Document};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use search::SearchBatch;

pub use export::{ExportError, ExportFormat, ExportOptions, ExportReport, ExportTable};
pub use index::CallIndex;
pub use query::{
    attribute, CallFilter, CallSummary, NameKind, PartFilter, QuarantineRow, SyncStatus, UnknownName,
    ATTRIBUTE_KEYS_SHOWN,
};

/// What can go wrong with the archive.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file could not be opened as a calltrail archive.
    #[error("cannot open the archive `{path}`: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: rusqlite::Error,
    },
    /// The file is not a calltrail archive, or it is damaged.
    #[error("`{path}` is not a usable calltrail archive: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What was found.
        reason: String,
    },
    /// The archive was written by a newer calltrail.
    #[error("the archive `{path}` has schema version {found}, newer than this calltrail knows ({known})")]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        known: usize,
    },
    /// The archive's pages are damaged: it is not used further.
    #[error(
        "the archive is damaged ({0}); nothing more was read or written\n\nhint: restore it from a backup, or recover what is readable with `sqlite3 FILE .recover | sqlite3 NEW.db`"
    )]
    Damaged(String),
    /// The disk (or the archive's size limit) is full; the transaction in flight was rolled back.
    #[error("the disk holding the archive is full; the batch in flight was not stored and the archive is as it was\n\nhint: free some space, then run the command again (`calltrail sync --resume` continues a sync)")]
    Full,
    /// The archive cannot be written.
    #[error("the archive is read-only ({0})\n\nhint: check the file's and its folder's permissions; reports, exports and `serve` only read it")]
    ReadOnly(String),
    /// A database operation failed.
    #[error("archive error: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    /// Damage, a full disk and a read-only file are told apart from other failures, because
    /// each asks the user for something different.
    fn from(e: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => StoreError::Damaged(e.to_string()),
            Some(ErrorCode::DiskFull) => StoreError::Full,
            Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen) if e.to_string().contains("readonly") => {
                StoreError::ReadOnly(e.to_string())
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

/// Result of storing a batch of records.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct UpsertReport {
    /// New conversations.
    pub added: u64,
    /// Conversations whose record changed (the earlier version went to history).
    pub updated: u64,
    /// Conversations received again, unchanged.
    pub unchanged: u64,
    /// Records that could not be read, kept in quarantine.
    pub quarantined: u64,
    /// Of those, the ones quarantined already, received again as they were.
    pub quarantined_again: u64,
}

impl UpsertReport {
    /// Adds another report to this one.
    pub fn add(&mut self, other: UpsertReport) {
        self.added += other.added;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.quarantined += other.quarantined;
        self.quarantined_again += other.quarantined_again;
    }
}

/// A sync as recorded in the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRow {
    /// Its id.
    pub id: i64,
    /// Range start (ms).
    pub from_ms: i64,
    /// Range end (ms).
    pub to_ms: i64,
    /// `auto`, `query` or `jobs`.
    pub mode: String,
    /// `running`, `done` or `incomplete`.
    pub state: String,
    /// When it finished.
    pub finished_ms: Option<i64>,
}

/// One window of a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowRow {
    /// Start (ms).
    pub start_ms: i64,
    /// End (ms).
    pub end_ms: i64,
    /// True for a jobs window, false for a query window.
    pub job: bool,
    /// Whether all its records are stored.
    pub done: bool,
}

/// Counts of what the archive holds.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Conversations.
    pub conversations: u64,
    /// Earlier versions kept.
    pub history: u64,
    /// Conversations still going on.
    pub open: u64,
    /// Quarantined records.
    pub quarantined: u64,
}

/// The archive.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    settings: Settings,
    lookups: Option<Lookups>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

/// FNV-1a: a stable hash of the raw bytes, to notice a changed record cheaply.
fn fnv1a(bytes: &[u8]) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(h.to_ne_bytes())
}

fn compress(bytes: &[u8]) -> Vec<u8> {
    lz4_flex::compress_prepend_size(bytes)
}

fn decompress(bytes: &[u8]) -> Option<Vec<u8>> {
    lz4_flex::decompress_size_prepended(bytes).ok()
}

/// As [`decompress`], into `out[at..]`, growing `out` if it is too short (bytes past the
/// record are left as they were); the record's length, or `None` when the bytes are not a
/// compressed record.
fn decompress_at(bytes: &[u8], out: &mut Vec<u8>, at: usize) -> Option<usize> {
    let (size, body) = lz4_flex::block::uncompressed_size(bytes).ok()?;
    // A size no record has is damage, not a reason to allocate it.
    if size > (1 << 30) {
        return None;
    }
    if out.len() < at + size {
        out.resize(at + size, 0);
    }
    match lz4_flex::block::decompress_into(body, &mut out[at..at + size]) {
        Ok(n) if n == size => Some(size),
        _ => None,
    }
}

impl Store {
    /// Opens (creating if needed) the archive at `path`, applying migrations.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn =
            Connection::open(path).map_err(|source| StoreError::Open { path: path.to_owned(), source })?;
        Self::init(conn, path.to_owned())
    }

    /// The schema upgrades opening the archive at `path` would apply, with what each asks of
    /// the user afterwards (if anything): none for a new, current or unreadable file.
    /// Upgrading a large archive can take a while (up to half a minute per million calls), so a
    /// caller may say so first.
    pub fn pending_upgrades(path: &Path) -> Vec<Option<&'static str>> {
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let Ok(conn) = Connection::open_with_flags(path, flags) else { return Vec::new() };
        match conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).map(usize::try_from) {
            Ok(Ok(version)) if version > 0 => (version + 1..=schema::MIGRATIONS.len())
                .map(|number| schema::UPGRADE_NOTES.iter().find(|(n, _)| *n == number).map(|(_, note)| *note))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Opens an existing archive for reading only (the web UI): nothing is created or
    /// migrated, and writes are refused by `SQLite` itself.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let open_err = |source| StoreError::Open { path: path.to_owned(), source };
        let conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
        // A WAL archive in a folder this user cannot write (no `-shm` to share) can still be
        // read as an immutable file.
        let conn = if conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).is_ok() {
            conn
        } else {
            let uri = format!(
                "file:{}?immutable=1",
                path.to_string_lossy().replace('%', "%25").replace('?', "%3f").replace('#', "%23")
            );
            Connection::open_with_flags(uri, flags | rusqlite::OpenFlags::SQLITE_OPEN_URI)
                .map_err(open_err)?
        };
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let version = schema_version(&conn, path)?;
        let known = schema::MIGRATIONS.len();
        if version < known {
            return Err(StoreError::Corrupt {
                path: path.to_owned(),
                reason: format!("schema version {version} is older than {known}: open it once with `calltrail rederive` or `calltrail sync` to upgrade it"),
            });
        }
        Ok(Store { conn, path: path.to_owned(), settings: Settings::default(), lookups: None })
    }

    /// An archive in memory, for tests.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Self::init(Connection::open_in_memory()?, PathBuf::from(":memory:"))
    }

    fn init(conn: Connection, path: PathBuf) -> Result<Store, StoreError> {
        let corrupt = unusable(&path);
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // Storing a call runs two dozen distinct statements, more than rusqlite's cache of 16
        // keeps: beyond it, each was parsed again for every call.
        conn.set_prepared_statement_cache_capacity(64);
        // 32 KiB pages for a new archive (an existing one keeps its own): an archive grows
        // by batches that touch every table, so a table's pages lie scattered through the
        // file, and a report reading one from disk makes one read per page. Fewer, larger
        // pages made reports on an uncached archive four times faster, the file 11% smaller
        // and ingest no slower (`cargo bench --bench reports_export`).
        conn.execute_batch("PRAGMA page_size = 32768").map_err(corrupt)?;
        // WAL: readers (reports, the web UI) never block the sync. In memory it stays `memory`.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(corrupt)?;
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;").map_err(corrupt)?;
        // A 16 MiB page cache (SQLite's default is 2 MiB): storing a call touches eight tables
        // and the search index, and with the default most of their pages were read again from
        // the OS for each batch. Syncing 100,000 calls took 30.5 s instead of 36.5, deriving
        // 200,000 again 51 s instead of 59; 64 MiB gained little more.
        conn.execute_batch("PRAGMA cache_size = -16384").map_err(corrupt)?;
        let version = schema_version(&conn, &path)?;
        if version == 0 {
            let tables: i64 = conn
                .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table'", [], |r| r.get(0))
                .map_err(corrupt)?;
            if tables > 0 {
                return Err(StoreError::Corrupt { path, reason: "it holds tables of something else".into() });
            }
        }
        let mut store = Store { conn, path, settings: Settings::default(), lookups: None };
        store.migrate(version)?;
        Ok(store)
    }

    fn migrate(&mut self, from: usize) -> Result<(), StoreError> {
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(from) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i64::try_from(i + 1).unwrap_or(i64::MAX))?;
            tx.commit()?;
        }
        Ok(())
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sets the settings derivations use (`[reason]`, `[ivr]`).
    pub fn set_settings(&mut self, settings: Settings) {
        self.settings = settings;
    }

    /// The settings derivations use.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The settings the archive's calls were derived with, as last remembered; `None` for an
    /// archive that has not remembered any (new, or from before it could).
    pub fn derived_with(&self) -> Result<Option<Settings>, StoreError> {
        let json: Option<String> =
            self.conn.query_row("SELECT json FROM settings WHERE id = 1", [], |r| r.get(0)).optional()?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// Remembers `settings` as those the archive's calls were derived with.
    pub fn remember_settings(&self, settings: &Settings) -> Result<(), StoreError> {
        // Lists of strings always serialise.
        let json = serde_json::to_string(settings).unwrap_or_else(|_| "{}".to_owned());
        self.conn.execute("INSERT OR REPLACE INTO settings (id, json) VALUES (1, ?1)", [json])?;
        Ok(())
    }

    /// The lookups stored in the archive.
    pub fn lookups(&mut self) -> Result<Lookups, StoreError> {
        if let Some(l) = &self.lookups {
            return Ok(l.clone());
        }
        let mut lookups = Lookups::default();
        let mut stmt = self.conn.prepare("SELECT kind, id, name FROM lookups")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        for row in rows {
            let (kind, id, name) = row?;
            let table = match kind.as_str() {
                "users" => &mut lookups.users,
                "queues" => &mut lookups.queues,
                "wrapup_codes" => &mut lookups.wrapup_codes,
                "flows" => &mut lookups.flows,
                "flow_outcomes" => &mut lookups.flow_outcomes,
                _ => continue,
            };
            table.insert(id, name);
        }
        drop(stmt);
        self.lookups = Some(lookups.clone());
        Ok(lookups)
    }

    /// Stores names of one kind (`users`, `queues`, `wrapup_codes`, `flows`, `flow_outcomes`).
    pub fn put_lookups(&mut self, kind: &str, entries: &[(String, String)]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt =
                tx.prepare("INSERT OR REPLACE INTO lookups (kind, id, name) VALUES (?1, ?2, ?3)")?;
            for (id, name) in entries {
                stmt.execute(params![kind, id, name])?;
            }
        }
        tx.commit()?;
        self.lookups = None;
        Ok(())
    }

    /// Replaces the queues' service-level targets with those of a new queue listing; a change
    /// counts in the archive's change sequence.
    pub fn put_service_levels(&mut self, levels: &[calltrail_model::ServiceLevel]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let fingerprint = |tx: &rusqlite::Transaction<'_>| -> Result<String, StoreError> {
            Ok(tx.query_row(
                "SELECT coalesce(group_concat(queue_id || ' ' || media || ' ' || target_ms || ' ' || ifnull(goal, ''), ';'), '')
                 FROM (SELECT * FROM queue_service_levels ORDER BY queue_id, media)",
                [],
                |r| r.get(0),
            )?)
        };
        let before = fingerprint(&tx)?;
        tx.execute("DELETE FROM queue_service_levels", [])?;
        {
            let mut stmt = tx.prepare(
                "INSERT OR REPLACE INTO queue_service_levels (queue_id, media, target_ms, goal) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for level in levels {
                stmt.execute(params![level.queue_id, level.media, level.target_ms, level.goal])?;
            }
        }
        if fingerprint(&tx)? != before {
            tx.execute(
                "INSERT INTO revisions (what, seq) VALUES ('queue_service_levels', 1)
                 ON CONFLICT (what) DO UPDATE SET seq = seq + 1",
                [],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Stores a batch of raw detail records (one JSON object each), deriving their calls, in
    /// one transaction. A record that cannot be read goes to quarantine with its error.
    pub fn upsert(
        &mut self,
        records: &[&[u8]],
        source: &str,
        now_ms: i64,
    ) -> Result<UpsertReport, StoreError> {
        let lookups = self.lookups()?;
        let settings = self.settings.clone();
        let tx = self.conn.transaction()?;
        let mut search = SearchBatch::begin(&tx)?;
        let mut report = UpsertReport::default();
        for raw in records {
            match upsert_one(&tx, raw, source, now_ms, &lookups, &settings, &mut search)? {
                Stored::Added => report.added += 1,
                Stored::Updated => report.updated += 1,
                Stored::Unchanged => report.unchanged += 1,
                Stored::Quarantined { again } => {
                    report.quarantined += 1;
                    report.quarantined_again += u64::from(again);
                }
            }
        }
        search.finish(&tx)?;
        tx.commit()?;
        Ok(report)
    }

    /// Stores the Conversations API record of a conversation (attributes, wrap-ups) and
    /// derives its call again.
    pub fn put_api_record(&mut self, id: &str, raw: &[u8], now_ms: i64) -> Result<(), StoreError> {
        let lookups = self.lookups()?;
        let settings = self.settings.clone();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT OR REPLACE INTO conversation_api (id, raw_lz4, fetched_ms) VALUES (?1, ?2, ?3)",
            params![id, compress(raw), now_ms],
        )?;
        if let Some(detail) = raw_of(&tx, id)? {
            let mut search = SearchBatch::begin(&tx)?;
            derive_into(&tx, id, &detail, &lookups, &settings, &mut search)?;
            search.finish(&tx)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The raw record of a conversation, as received.
    pub fn raw(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        raw_of(&self.conn, id)
    }

    /// The archived conversations whose id starts with `prefix` (in any case), in id order, at
    /// most `limit`: a conversation named by the start of its id.
    pub fn ids_starting_with(&self, prefix: &str, limit: usize) -> Result<Vec<String>, StoreError> {
        let prefix = prefix.to_ascii_lowercase();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM conversations WHERE id >= ?1 AND id < ?1 || char(1114111) ORDER BY id LIMIT ?2",
        )?;
        let ids = stmt.query_map(params![prefix, i64::try_from(limit).unwrap_or(i64::MAX)], |r| r.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// When the stored version of a conversation was fetched; for one still going on, the last
    /// time a fetch found it so. What "ongoing" means "as of".
    pub fn fetched_ms(&self, id: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT fetched_ms FROM conversations WHERE id = ?1", [id], |r| r.get(0))
            .optional()?)
    }

    /// How many archived calls have this customer number (or address): a customer who called
    /// again, or was called back.
    pub fn calls_with_number(&self, number: &str) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM calls WHERE customer_number = ?1", [number], |r| r.get(0))?)
    }

    /// The stored Conversations API record of a conversation.
    pub fn api_raw(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let blob: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT raw_lz4 FROM conversation_api WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        Ok(blob.and_then(|b| decompress(&b)))
    }

    /// Conversations whose record has no end yet.
    pub fn open_ids(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt =
            self.conn.prepare("SELECT id FROM conversations WHERE end_ms IS NULL ORDER BY start_ms")?;
        let ids = stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
        Ok(ids)
    }

    /// Conversations fetched through an endpoint that leaves out participant attributes (the
    /// query, the gets) whose record has none and that have no Conversations API record yet,
    /// with their start. Job results carry attributes, so their records are complete.
    pub fn ids_without_attributes(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT c.id, coalesce(c.start_ms, 0) FROM conversations c LEFT JOIN conversation_api a ON a.id = c.id
             WHERE c.has_attributes = 0 AND c.source != 'job' AND a.id IS NULL ORDER BY c.start_ms",
        )?;
        let ids = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<Vec<_>, _>>()?;
        Ok(ids)
    }

    /// Every conversation id, by start.
    pub fn ids(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT id FROM conversations ORDER BY start_ms, id")?;
        let ids = stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
        Ok(ids)
    }

    /// True while the archive holds no conversation.
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(!self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM conversations)", [], |r| r.get::<_, bool>(0))?)
    }

    /// Counts of what the archive holds.
    pub fn counts(&self) -> Result<Counts, StoreError> {
        let count = |sql: &str| -> Result<u64, StoreError> {
            let n: i64 = self.conn.query_row(sql, [], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
        Ok(Counts {
            conversations: count("SELECT count(*) FROM conversations")?,
            history: count("SELECT count(*) FROM conversation_history")?,
            open: count("SELECT count(*) FROM conversations WHERE end_ms IS NULL")?,
            quarantined: count("SELECT count(*) FROM quarantine")?,
        })
    }

    /// Derives every call again from the raw records (after the rules or lookups changed).
    pub fn rederive(&mut self) -> Result<u64, StoreError> {
        let lookups = self.lookups()?;
        let settings = self.settings.clone();
        let ids = self.ids()?;
        let mut done = 0;
        for chunk in ids.chunks(2000) {
            let tx = self.conn.transaction()?;
            let mut search = SearchBatch::begin(&tx)?;
            for id in chunk {
                if let Some(raw) = raw_of(&tx, id)? {
                    derive_into(&tx, id, &raw, &lookups, &settings, &mut search)?;
                    done += 1;
                }
            }
            search.finish(&tx)?;
            tx.commit()?;
        }
        Ok(done)
    }

    /// The stored call record (JSON) of a conversation.
    pub fn call_json(&self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT record_json FROM call_records WHERE conversation_id = ?1", [id], |r| r.get(0))
            .optional()?)
    }

    /// Read-only access for queries (reports, listings).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    // ── Sync state ──────────────────────────────────────────────────────────────────────

    /// Records a new sync and its windows; returns its id.
    pub fn start_sync(
        &mut self,
        from_ms: i64,
        to_ms: i64,
        mode: &str,
        windows: &[WindowRow],
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO syncs (from_ms, to_ms, mode, started_ms, state) VALUES (?1, ?2, ?3, ?4, 'running')",
            params![from_ms, to_ms, mode, now_ms],
        )?;
        let id = tx.last_insert_rowid();
        {
            let mut stmt = tx.prepare(
                "INSERT OR IGNORE INTO sync_windows (sync_id, start_ms, end_ms, mode, state) VALUES (?1, ?2, ?3, ?4, 'pending')",
            )?;
            for w in windows {
                stmt.execute(params![id, w.start_ms, w.end_ms, if w.job { "job" } else { "query" }])?;
            }
        }
        tx.commit()?;
        Ok(id)
    }

    /// Splits a pending window into parts (the planner found it too big).
    pub fn split_window(
        &mut self,
        sync_id: i64,
        window: WindowRow,
        parts: &[WindowRow],
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM sync_windows WHERE sync_id = ?1 AND start_ms = ?2 AND end_ms = ?3",
            params![sync_id, window.start_ms, window.end_ms],
        )?;
        for w in parts {
            tx.execute(
                "INSERT OR IGNORE INTO sync_windows (sync_id, start_ms, end_ms, mode, state) VALUES (?1, ?2, ?3, ?4, 'pending')",
                params![sync_id, w.start_ms, w.end_ms, if w.job { "job" } else { "query" }],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The windows of a sync, in order.
    pub fn windows(&self, sync_id: i64) -> Result<Vec<WindowRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT start_ms, end_ms, mode, state FROM sync_windows WHERE sync_id = ?1 ORDER BY start_ms, end_ms",
        )?;
        let rows = stmt
            .query_map([sync_id], |r| {
                Ok(WindowRow {
                    start_ms: r.get(0)?,
                    end_ms: r.get(1)?,
                    job: r.get::<_, String>(2)? == "job",
                    done: r.get::<_, String>(3)? == "done",
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Marks a window done: all its records are stored (the checkpoint a resumed sync skips).
    pub fn mark_window_done(
        &mut self,
        sync_id: i64,
        window: WindowRow,
        records: u64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE sync_windows SET state = 'done', records = ?4 WHERE sync_id = ?1 AND start_ms = ?2 AND end_ms = ?3",
            params![sync_id, window.start_ms, window.end_ms, i64::try_from(records).unwrap_or(i64::MAX)],
        )?;
        Ok(())
    }

    /// Marks a sync finished (`done` or `incomplete`).
    pub fn finish_sync(
        &mut self,
        sync_id: i64,
        state: &str,
        warnings: &[String],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let warnings = (!warnings.is_empty()).then(|| serde_json::to_string(warnings).unwrap_or_default());
        self.conn.execute(
            "UPDATE syncs SET state = ?2, finished_ms = ?3, warnings = ?4 WHERE id = ?1",
            params![sync_id, state, now_ms, warnings],
        )?;
        Ok(())
    }

    /// The newest sync still running (an interrupted one), if any.
    pub fn interrupted_sync(&self) -> Result<Option<SyncRow>, StoreError> {
        self.sync_where("state = 'running'")
    }

    /// The newest finished sync, if any.
    pub fn last_finished_sync(&self) -> Result<Option<SyncRow>, StoreError> {
        self.sync_where("state IN ('done', 'incomplete')")
    }

    fn sync_where(&self, condition: &str) -> Result<Option<SyncRow>, StoreError> {
        let sql = format!("SELECT id, from_ms, to_ms, mode, state, finished_ms FROM syncs WHERE {condition} ORDER BY id DESC LIMIT 1");
        Ok(self
            .conn
            .query_row(&sql, [], |r| {
                Ok(SyncRow {
                    id: r.get(0)?,
                    from_ms: r.get(1)?,
                    to_ms: r.get(2)?,
                    mode: r.get(3)?,
                    state: r.get(4)?,
                    finished_ms: r.get(5)?,
                })
            })
            .optional()?)
    }
}

enum Stored {
    Added,
    Updated,
    Unchanged,
    /// `again` when the same bytes were in quarantine already.
    Quarantined {
        again: bool,
    },
}

fn raw_of(conn: &Connection, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
    let blob: Option<Vec<u8>> = conn
        .prepare_cached("SELECT raw_lz4 FROM conversations WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(blob.and_then(|b| decompress(&b)))
}

fn upsert_one(
    tx: &Transaction<'_>,
    raw: &[u8],
    source: &str,
    now_ms: i64,
    lookups: &Lookups,
    settings: &Settings,
    search: &mut SearchBatch,
) -> Result<Stored, StoreError> {
    let conversation = match parse_document(raw) {
        Ok(Document::Conversation(c)) if c.conversation_id.is_some() => c,
        Ok(_) => return quarantine(tx, None, raw, "not a detail record with a conversationId", now_ms),
        Err(e) => return quarantine(tx, e.conversation_id.as_deref(), raw, &e.source.to_string(), now_ms),
    };
    let id = conversation.conversation_id.as_deref().unwrap_or_default();
    let hash = fnv1a(raw);
    let existing: Option<(i64, i64, Vec<u8>, i64)> = tx
        .prepare_cached("SELECT version, raw_hash, raw_lz4, fetched_ms FROM conversations WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let start =
        conversation.conversation_start.as_deref().and_then(calltrail_model::Timestamp::parse).map(|t| t.0);
    let end =
        conversation.conversation_end.as_deref().and_then(calltrail_model::Timestamp::parse).map(|t| t.0);
    let has_attributes =
        conversation.participants().iter().any(|p| p.attributes.as_ref().is_some_and(|a| !a.is_empty()));
    let outcome = match existing {
        Some((_, old_hash, ref old_raw, _))
            if old_hash == hash && decompress(old_raw).as_deref() == Some(raw) =>
        {
            if end.is_none() {
                // Still going on, now as then: remember when it was last seen so.
                tx.prepare_cached("UPDATE conversations SET fetched_ms = ?2 WHERE id = ?1")?
                    .execute(params![id, now_ms])?;
            }
            return Ok(Stored::Unchanged);
        }
        Some((version, _, old_raw, old_fetched)) => {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO conversation_history (id, version, raw_lz4, fetched_ms, replaced_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![id, version, old_raw, old_fetched, now_ms])?;
            tx.prepare_cached(
                "UPDATE conversations SET start_ms = ?2, end_ms = ?3, version = ?4, raw_lz4 = ?5, raw_hash = ?6, fetched_ms = ?7, source = ?8, has_attributes = ?9 WHERE id = ?1",
            )?
            .execute(params![id, start, end, version + 1, compress(raw), hash, now_ms, source, has_attributes])?;
            Stored::Updated
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO conversations (id, start_ms, end_ms, version, raw_lz4, raw_hash, fetched_ms, source, has_attributes) VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![id, start, end, compress(raw), hash, now_ms, source, has_attributes])?;
            Stored::Added
        }
    };
    // Derived from the record parsed above: one parse per stored record.
    derive_conversation(tx, id, &conversation, lookups, settings, search)?;
    Ok(outcome)
}

/// Keeps a record that cannot be read, with its error; the same bytes already kept are not
/// kept twice.
fn quarantine(
    tx: &Transaction<'_>,
    id: Option<&str>,
    raw: &[u8],
    error: &str,
    now_ms: i64,
) -> Result<Stored, StoreError> {
    let compressed = compress(raw);
    let kept: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM quarantine WHERE conversation_id IS ?1 AND raw_lz4 = ?2)",
        params![id, compressed],
        |r| r.get(0),
    )?;
    if !kept {
        tx.execute(
            "INSERT INTO quarantine (conversation_id, raw_lz4, error, at_ms) VALUES (?1, ?2, ?3, ?4)",
            params![id, compressed, error, now_ms],
        )?;
    }
    Ok(Stored::Quarantined { again: kept })
}

/// Derives the call record of a stored raw record; see [`derive_conversation`].
fn derive_into(
    conn: &Connection,
    id: &str,
    raw: &[u8],
    lookups: &Lookups,
    settings: &Settings,
    search: &mut SearchBatch,
) -> Result<(), StoreError> {
    let Ok(Document::Conversation(conversation)) = parse_document(raw) else { return Ok(()) };
    derive_conversation(conn, id, &conversation, lookups, settings, search)
}

/// Derives the call record of a parsed record (with the stored Conversations API record, if
/// any) and writes it and its parts, replacing what was there.
fn derive_conversation(
    conn: &Connection,
    id: &str,
    conversation: &calltrail_model::Conversation<'_>,
    lookups: &Lookups,
    settings: &Settings,
    search: &mut SearchBatch,
) -> Result<(), StoreError> {
    let api_raw: Option<Vec<u8>> = conn
        .prepare_cached("SELECT raw_lz4 FROM conversation_api WHERE id = ?1")?
        .query_row([id], |r| r.get::<_, Vec<u8>>(0))
        .optional()?
        .and_then(|b| decompress(&b));
    let api: Option<ApiConversation<'_>> =
        api_raw.as_deref().and_then(|b| calltrail_model::from_json(b).ok());
    let ctx = Context { lookups, settings };
    let call = explain(conversation, api.as_ref(), &ctx);
    write_call(conn, id, &call, search)
}

/// How a failure while opening a file reads: damage and foreign files name the file; a full
/// disk or a read-only file say so.
fn unusable(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + Copy + '_ {
    move |e| match StoreError::from(e) {
        StoreError::Sqlite(e) => StoreError::Corrupt { path: path.to_owned(), reason: e.to_string() },
        StoreError::Damaged(reason) => StoreError::Corrupt { path: path.to_owned(), reason },
        other => other,
    }
}

/// The schema version a file records, refused when newer than this build knows.
fn schema_version(conn: &Connection, path: &Path) -> Result<usize, StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(unusable(path))?;
    let known = schema::MIGRATIONS.len();
    match usize::try_from(version) {
        Ok(v) if v <= known => Ok(v),
        _ => Err(StoreError::TooNew { path: path.to_owned(), found: version, known }),
    }
}

/// The `call_start_ms` key of a call's phases, legs and steps: its start, or
/// [`NO_START`] without one.
fn call_key(start: Option<i64>) -> i64 {
    start.unwrap_or(NO_START)
}

/// The `call_start_ms` of the parts of a call without a start.
pub(crate) const NO_START: i64 = i64::MIN;

fn write_call(
    conn: &Connection,
    id: &str,
    call: &CallRecord<'_>,
    search: &mut SearchBatch,
) -> Result<(), StoreError> {
    // The next change: counted before the call's old row goes, which may hold the latest.
    let change_seq: i64 = conn
        .prepare_cached("SELECT coalesce(max(change_seq), 0) + 1 FROM calls")?
        .query_row([], |r| r.get(0))?;
    // The call as written before: its parts are found by the start they were stored under,
    // and its row leaves the search index.
    let old: Option<(Option<i64>, i64, search::Indexed)> = conn
        .prepare_cached(&format!(
            "SELECT start_ms, change_seq, rowid, {} FROM calls WHERE conversation_id = ?1",
            search::COLUMNS
        ))?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, search::indexed(r, 2)?)))
        .optional()?;
    if let Some((old_start, old_change, indexed)) = old {
        search.replacing(old_change, indexed);
        for table in ["phases", "agent_legs", "queue_visits", "ivr_steps", "attributes"] {
            conn.prepare_cached(&format!(
                "DELETE FROM {table} WHERE call_start_ms = ?1 AND conversation_id = ?2"
            ))?
            .execute(params![call_key(old_start), id])?;
        }
    }
    for table in ["calls", "call_records"] {
        conn.prepare_cached(&format!("DELETE FROM {table} WHERE conversation_id = ?1"))?.execute([id])?;
    }
    let key = call_key(call.start.map(|t| t.0));
    let t = &call.totals;
    let (answered_queue, queue_name) = call.queue();
    let record_json = calltrail_explain::json::to_json_string(call);
    let wrapup_user = call.wrapup.as_ref().and_then(|w| w.user_id.as_deref());
    let wrapup_user_name = wrapup_user.and_then(|user| {
        call.agents.iter().find(|a| a.user_id.as_deref() == Some(user)).and_then(|a| a.name.as_deref())
    });
    conn.prepare_cached(
        "INSERT INTO calls (conversation_id, start_ms, end_ms, call_date, ongoing, duration_ms, media_type, direction, direction_label,
            from_address, from_name, to_address, to_name, customer_number, placed_by_role, placed_by_name, answered_by_role,
            answered_by_user_id, answered_by_name, queue_id, queue_name, reason, reason_source, ivr_exit,
            ivr_ms, queue_ms, alert_ms, talk_ms, hold_ms, acw_ms, handle_ms, voicemail_ms,
            wrapup_code_id, wrapup_code_name, wrapup_note, disconnect_by, disconnect_type, outcome, transfers, warnings,
            ivr_path, wrapup_user_id, wrapup_user_name, change_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24,
            ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, ?41, ?42, ?43, ?44)",
    )?
    .execute(params![
            id,
            call.start.map(|t| t.0),
            call.end.map(|t| t.0),
            call.start.map(calltrail_model::Timestamp::utc_date),
            call.ongoing,
            call.duration_ms,
            call.media_type.as_deref(),
            call.direction.as_str(),
            call.direction_label,
            call.from.address.as_deref(),
            call.from.name.as_deref(),
            call.to.address.as_deref(),
            call.to.name.as_deref(),
            call.customer_number.as_deref(),
            call.placed_by.role.as_str(),
            call.placed_by.name.as_deref(),
            call.answered_by.as_ref().map(|p| p.role.as_str()),
            call.answered_by.as_ref().and_then(|p| p.user_id.as_deref()),
            call.answered_by.as_ref().and_then(|p| p.name.as_deref()),
            answered_queue,
            queue_name,
            call.ivr.reason.as_deref(),
            call.ivr.reason_source.as_deref(),
            call.ivr.exit.map(calltrail_explain::IvrExit::as_str),
            t.ivr_ms,
            t.queue_ms,
            t.alert_ms,
            t.talk_ms,
            t.hold_ms,
            t.acw_ms,
            t.handle_ms,
            t.voicemail_ms,
            call.wrapup.as_ref().and_then(|w| w.code_id.as_deref()),
            call.wrapup.as_ref().and_then(|w| w.code_name.as_deref()),
            call.wrapup.as_ref().and_then(|w| w.note.as_deref()),
            call.disconnect.by.as_str(),
            call.disconnect.kind.as_deref(),
            call.outcome.as_str(),
            call.transfers,
            i64::try_from(call.warnings.len()).unwrap_or(i64::MAX),
            serde_json::to_string(&call.ivr.path).unwrap_or_default(),
            wrapup_user,
            wrapup_user_name,
            change_seq,
    ])?;
    conn.prepare_cached("INSERT INTO call_records (conversation_id, record_json) VALUES (?1, ?2)")?
        .execute(params![id, record_json])?;
    {
        let mut stmt = conn.prepare_cached(
            "INSERT INTO phases (conversation_id, seq, kind, start_ms, end_ms, duration_ms, participant_id, purpose, user_id, queue_id, name, call_start_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        for (seq, p) in call.phases.iter().enumerate() {
            stmt.execute(params![
                id,
                i64::try_from(seq).unwrap_or(i64::MAX),
                p.kind.as_ref(),
                p.start.map(|t| t.0),
                p.end.map(|t| t.0),
                p.duration_ms,
                p.participant_id.as_deref(),
                p.purpose.as_deref(),
                p.user_id.as_deref(),
                p.queue_id.as_deref(),
                p.name.as_deref(),
                key,
            ])?;
        }
    }
    {
        let mut stmt = conn.prepare_cached(
            "INSERT INTO agent_legs (conversation_id, seq, user_id, name, queue_id, queue_name, alerted_ms, connected_ms, alert_ms, talk_ms,
                hold_ms, acw_ms, answered, not_responding, wrapup_code_id, wrapup_code_name, disconnect_type, call_start_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        )?;
        for (seq, a) in call.agents.iter().enumerate() {
            stmt.execute(params![
                id,
                i64::try_from(seq).unwrap_or(i64::MAX),
                a.user_id.as_deref(),
                a.name.as_deref(),
                a.queue_id.as_deref(),
                a.queue_name.as_deref(),
                a.alerted_at.map(|t| t.0),
                a.connected_at.map(|t| t.0),
                a.alert_ms,
                a.talk_ms,
                a.hold_ms,
                a.acw_ms,
                a.answered,
                a.not_responding,
                a.wrapup.as_ref().and_then(|w| w.code_id.as_deref()),
                a.wrapup.as_ref().and_then(|w| w.code_name.as_deref()),
                a.disconnect_type.as_deref(),
                key,
            ])?;
        }
    }
    {
        let mut stmt = conn.prepare_cached(
            "INSERT INTO queue_visits (conversation_id, seq, queue_id, queue_name, media_type, entered_ms, left_ms, wait_ms,
                outcome, handle_ms, call_start_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for (seq, (visit, row)) in call.queues.iter().zip(call.visit_rows()).enumerate() {
            stmt.execute(params![
                id,
                i64::try_from(seq).unwrap_or(i64::MAX),
                visit.queue_id.as_deref(),
                visit.queue_name.as_deref(),
                visit.media_type.as_deref().or(call.media_type.as_deref()),
                visit.entered_at.map(|t| t.0),
                visit.left_at.map(|t| t.0),
                row.wait_ms,
                row.outcome,
                row.handle_ms,
                key,
            ])?;
        }
    }
    {
        let mut stmt = conn.prepare_cached(
            "INSERT INTO ivr_steps (conversation_id, seq, step, call_start_ms) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (seq, step) in call.ivr.path.iter().enumerate() {
            stmt.execute(params![id, i64::try_from(seq).unwrap_or(i64::MAX), step.as_ref(), key])?;
        }
    }
    {
        let mut stmt = conn.prepare_cached(
            "INSERT INTO attributes (call_start_ms, conversation_id, key, value) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (name, value) in &call.ivr.attributes {
            stmt.execute(params![key, id, name.as_ref(), value.as_ref()])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, end: Option<&str>, note: &str) -> Vec<u8> {
        let end = end.map(|e| format!(r#","conversationEnd":"{e}""#)).unwrap_or_default();
        format!(
            r#"{{"conversationId":"{id}","conversationStart":"2024-01-02T10:00:00.000Z"{end},"participants":[{{"purpose":"customer","participantId":"p1","sessions":[{{"mediaType":"voice","direction":"inbound","ani":"tel:+1555","segments":[{{"segmentType":"interact","segmentStart":"2024-01-02T10:00:00.000Z","segmentEnd":"2024-01-02T10:05:00.000Z","disconnectType":"endpoint"}}]}}]}},{{"purpose":"agent","participantId":"p2","userId":"u1","sessions":[{{"mediaType":"voice","direction":"inbound","segments":[{{"segmentType":"interact","segmentStart":"2024-01-02T10:00:10.000Z","segmentEnd":"2024-01-02T10:05:00.000Z"}},{{"segmentType":"wrapup","segmentStart":"2024-01-02T10:05:00.000Z","segmentEnd":"2024-01-02T10:06:00.000Z","wrapUpCode":"w1","wrapUpNote":"{note}"}}]}}]}}]}}"#
        )
        .into_bytes()
    }

    #[test]
    fn a_new_archive_has_large_pages_and_an_old_one_keeps_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let page_size = |s: &Store| s.conn.query_row("PRAGMA page_size", [], |r| r.get::<_, i64>(0)).unwrap();
        let new = Store::open(&dir.path().join("new.db")).unwrap();
        assert_eq!(page_size(&new), 32_768);
        let old = dir.path().join("old.db");
        Connection::open(&old).unwrap().execute_batch("PRAGMA page_size = 4096; VACUUM;").unwrap();
        assert_eq!(page_size(&Store::open(&old).unwrap()), 4_096);
    }

    #[test]
    fn upserts_keep_history_and_derive() {
        let mut s = Store::open_in_memory().unwrap();
        s.put_lookups("users", &[("u1".into(), "Ana".into())]).unwrap();
        let a = record("c1", Some("2024-01-02T10:05:00.000Z"), "first");
        let r = s.upsert(&[&a, &a], "query", 1).unwrap();
        assert_eq!((r.added, r.unchanged), (1, 1));
        let b = record("c1", Some("2024-01-02T10:05:00.000Z"), "second");
        assert_eq!(s.upsert(&[&b], "query", 2).unwrap().updated, 1);
        assert_eq!(s.raw("c1").unwrap().unwrap(), b, "newest version wins, byte for byte");
        let counts = s.counts().unwrap();
        assert_eq!((counts.conversations, counts.history), (1, 1));
        let json: serde_json::Value = serde_json::from_str(&s.call_json("c1").unwrap().unwrap()).unwrap();
        assert_eq!(json["answered_by"]["name"], "Ana");
        assert_eq!(json["wrapup"]["note"], "second");
    }

    #[test]
    fn a_change_of_the_queues_targets_is_a_change_of_the_archive() {
        let mut s = Store::open_in_memory().unwrap();
        let a = record("c1", Some("2024-01-02T10:05:00.000Z"), "n");
        s.upsert(&[&a], "query", 1).unwrap();
        let level = |target_ms| calltrail_model::ServiceLevel {
            queue_id: "q1".into(),
            media: "voice".into(),
            target_ms,
            goal: Some(0.8),
        };
        let start = s.change_seq().unwrap();
        s.put_service_levels(&[level(20_000)]).unwrap();
        let listed = s.change_seq().unwrap();
        assert!(listed > start);
        // The same listing again changes nothing; another target does, and so does none.
        s.put_service_levels(&[level(20_000)]).unwrap();
        assert_eq!(s.change_seq().unwrap(), listed);
        s.put_service_levels(&[level(30_000)]).unwrap();
        let changed = s.change_seq().unwrap();
        assert!(changed > listed);
        s.put_service_levels(&[]).unwrap();
        assert!(s.change_seq().unwrap() > changed);
        assert!(s.service_targets().unwrap().is_empty());
    }

    #[test]
    fn bad_records_are_quarantined_and_open_calls_listed() {
        let mut s = Store::open_in_memory().unwrap();
        let open = record("c2", None, "n");
        let r =
            s.upsert(&[b"{\"conversationId\":\"c3\",\"participants\":7}", &open, b"[]"], "job", 1).unwrap();
        assert_eq!((r.added, r.quarantined), (1, 2));
        assert_eq!(s.open_ids().unwrap(), ["c2"]);
        assert_eq!(s.counts().unwrap().quarantined, 2);
        // Fetched again as it was, a bad record is still refused and kept once; changed, it is
        // kept again.
        let again = s.upsert(&[b"{\"conversationId\":\"c3\",\"participants\":7}"], "query", 2).unwrap();
        assert_eq!((again.quarantined, again.quarantined_again), (1, 1));
        assert_eq!(s.counts().unwrap().quarantined, 2);
        s.upsert(&[b"{\"conversationId\":\"c3\",\"participants\":8}"], "query", 3).unwrap();
        assert_eq!(s.counts().unwrap().quarantined, 3);
        assert_eq!(s.quarantined(10).unwrap()[0].conversation_id.as_deref(), Some("c3"));
        // Seen again, still going on: the same version, now known to be going on later.
        assert_eq!(s.upsert(&[&open], "get", 5).unwrap().unchanged, 1);
        assert_eq!(s.fetched_ms("c2").unwrap(), Some(5));
        // An ended call seen again keeps the time its version was fetched.
        let ended = record("c4", Some("2024-01-02T10:05:00.000Z"), "n");
        s.upsert(&[&ended], "query", 6).unwrap();
        s.upsert(&[&ended], "query", 9).unwrap();
        assert_eq!(s.fetched_ms("c4").unwrap(), Some(6));
    }

    #[test]
    fn reopens_and_refuses_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        {
            let mut s = Store::open(&path).unwrap();
            s.upsert(&[&record("c1", Some("2024-01-02T10:05:00.000Z"), "x")], "query", 1).unwrap();
        }
        assert_eq!(Store::open(&path).unwrap().counts().unwrap().conversations, 1);
        let junk = dir.path().join("junk.db");
        std::fs::write(
            &junk,
            b"this is not a database at all, not even close........................................",
        )
        .unwrap();
        let err = Store::open(&junk).unwrap_err().to_string();
        assert!(err.contains("not a usable calltrail archive") || err.contains("cannot open"), "{err}");
    }

    #[test]
    fn an_archive_from_before_queue_visits_gets_them_from_its_call_records() {
        /// Every visit, as text, in the table's order: all columns, or all but the media.
        fn visits(store: &Store, with_media: bool) -> Vec<String> {
            let columns = if with_media {
                "*"
            } else {
                "call_start_ms, conversation_id, seq, queue_id, queue_name, entered_ms, left_ms, wait_ms, outcome, handle_ms"
            };
            let mut stmt =
                store.connection().prepare(&format!("SELECT {columns} FROM queue_visits")).unwrap();
            let width = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    let cells: Vec<String> = (0..width)
                        .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                        .collect();
                    Ok(cells.join(" | "))
                })
                .unwrap();
            rows.collect::<Result<_, _>>().unwrap()
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v5.db");
        let now = 1_764_064_800_000;
        let (expected, expected_without_media) = {
            let mut store = Store::open(&path).unwrap();
            let (_, planned) = calltrail_sim::generate(&calltrail_sim::Spec::at(1_000, 7, 3, now));
            let raws: Vec<Vec<u8>> = calltrail_sim::records_at(&planned, now);
            let slices: Vec<&[u8]> = raws.iter().map(Vec::as_slice).collect();
            store.upsert(&slices, "query", now).unwrap();
            (visits(&store, true), visits(&store, false))
        };
        // The visits the derivation wrote, in every shape the sample has: calls with several
        // (one that flowed out of a queue and came back to it as a callback), answered,
        // abandoned, flowed out, still waiting, with and without a handle time.
        let has = |text: &str| expected.iter().any(|v| v.contains(text));
        for shape in
            ["\"answered\"", "\"abandoned\"", "\"flow_out\"", "\"ongoing\"", "Integer(0)", "\"callback\""]
        {
            assert!(has(shape), "{shape}");
        }
        assert!(expected.iter().any(|v| v.contains("| Integer(1) |")), "a second visit");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "DROP TABLE queue_visits; DROP TABLE settings; DROP TABLE queue_service_levels; DROP TABLE revisions;
                 DROP TABLE attributes; PRAGMA user_version = 5;",
            )
            .unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        // Everything but the media comes from the call records; each visit gets its call's
        // media, until `rederive` gives a callback's wait its own.
        let migrated = visits(&store, false);
        assert_eq!(migrated.len(), expected.len());
        for (m, e) in migrated.iter().zip(&expected_without_media) {
            assert_eq!(m, e);
        }
        let calls_media: i64 = store
            .connection()
            .query_row(
                "SELECT count(*) FROM queue_visits v JOIN calls c USING (conversation_id) WHERE v.media_type IS NOT c.media_type",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(calls_media, 0);
        store.rederive().unwrap();
        assert_eq!(visits(&store, true), expected);
    }

    #[test]
    fn conversations_are_found_by_the_start_of_their_id_in_any_case() {
        let mut store = Store::open_in_memory().unwrap();
        for id in ["ab12-1", "ab12-2", "ab13-1"] {
            store.upsert(&[&record(id, Some("2024-05-01T10:05:00Z"), "")], "query", 1).unwrap();
        }
        assert_eq!(store.ids_starting_with("AB12", 5).unwrap(), ["ab12-1", "ab12-2"]);
        assert_eq!(store.ids_starting_with("ab12", 1).unwrap(), ["ab12-1"]);
        assert_eq!(store.ids_starting_with("ab13-1", 5).unwrap(), ["ab13-1"]);
        assert!(store.ids_starting_with("ab14", 5).unwrap().is_empty());
        assert!(store.ids_starting_with("%", 5).unwrap().is_empty());
    }

    #[test]
    fn an_archive_from_before_participant_data_rows_gets_them_from_its_call_records() {
        fn rows(store: &Store) -> Vec<(i64, String, String, String)> {
            let mut stmt = store.connection().prepare("SELECT * FROM attributes").unwrap();
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap();
            rows.collect::<Result<_, _>>().unwrap()
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v10.db");
        let now = 1_764_064_800_000;
        let expected = {
            let mut store = Store::open(&path).unwrap();
            let (_, planned) = calltrail_sim::generate(&calltrail_sim::Spec::at(300, 3, 8, now));
            let raws: Vec<Vec<u8>> = calltrail_sim::records_at(&planned, now);
            let slices: Vec<&[u8]> = raws.iter().map(Vec::as_slice).collect();
            store.upsert(&slices, "query", now).unwrap();
            rows(&store)
        };
        let calls = expected.iter().map(|(_, id, _, _)| id).collect::<std::collections::HashSet<_>>().len();
        assert!(calls > 50 && expected.len() > 2 * calls, "{} values of {calls} calls", expected.len());
        Connection::open(&path)
            .unwrap()
            .execute_batch("DROP TABLE attributes; PRAGMA user_version = 10;")
            .unwrap();
        let store = Store::open(&path).unwrap();
        assert_eq!(rows(&store), expected);
    }

    #[test]
    fn a_first_version_archive_is_upgraded_with_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(schema::MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute_batch(
                r#"INSERT INTO calls (conversation_id, start_ms, ongoing, direction, direction_label, outcome, transfers, warnings, record_json)
                   VALUES ('c1', 1000, 0, 'inbound', 'Inbound', 'answered', 0, 0, '{"wrapup":{"user_id":"u1"}}');
                   INSERT INTO phases (conversation_id, seq, kind, duration_ms) VALUES ('c1', 0, 'talk', 60000);
                   INSERT INTO agent_legs (conversation_id, seq, user_id, name, answered, not_responding) VALUES ('c1', 0, 'u1', 'Ann', 1, 0);
                   INSERT INTO ivr_steps (conversation_id, seq, step) VALUES ('c1', 1, 'transfer:Billing'), ('c1', 0, 'Main IVR');"#,
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let conn = store.connection();
        let (path_json, user, name): (String, String, String) = conn
            .query_row("SELECT ivr_path, wrapup_user_id, wrapup_user_name FROM calls", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(path_json, r#"["Main IVR","transfer:Billing"]"#);
        assert_eq!((user.as_str(), name.as_str()), ("u1", "Ann"));
        assert_eq!(store.call_json("c1").unwrap().as_deref(), Some(r#"{"wrapup":{"user_id":"u1"}}"#));
        let key: i64 = conn.query_row("SELECT call_start_ms FROM phases", [], |r| r.get(0)).unwrap();
        assert_eq!(key, 1000);
        let legs = store.scan_legs(&CallFilter::default(), |_| {}).unwrap();
        assert_eq!(legs, 1);
        assert!(Store::open_read_only(&path).is_ok());
    }
}
