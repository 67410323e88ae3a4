//! Exports: the archive's calls, phases, agent legs, IVR steps and raw records written as a
//! lake of files other engines read as tables — Parquet (typed columns: timestamps as
//! timestamps, durations as integers), CSV (formula-safe) or NDJSON.
//!
//! Layout: `DIR/<table>/call_date=YYYY-MM-DD/part-0.<ext>`, one folder per local day of the
//! call's start (Hive-style partitions, which Spark, Trino, `DuckDB` and Athena read as a
//! `call_date` column). Each day's file is written whole to a hidden temporary name and renamed, so
//! a reader or a killed export never sees half a file. An export remembers, per folder and
//! format, the archive's change sequence it reached; the next one rewrites only the days that
//! hold calls changed since.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Float64Builder, Int64Builder, TimestampMillisecondBuilder};
use arrow_array::{ArrayRef, RecordBatch, StringArray};
use arrow_buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use calltrail_explain::report::csv_cell;
use calltrail_model::{Timestamp, Zone};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use crate::{decompress_at, Store, StoreError};

/// The partition of calls without a start time (Hive's name for a null partition value).
pub const NULL_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

/// What can go wrong while exporting.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading the archive failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing a file failed.
    #[error("cannot write `{path}`: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Encoding Parquet failed.
    #[error("cannot encode `{path}` as Parquet: {reason}")]
    Parquet {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A reader of the archive could not be opened.
    #[error("cannot open the archive for reading: {0}")]
    Reader(String),
    /// The archive lives in memory, where a second reader cannot reach it.
    #[error("an in-memory archive cannot be exported")]
    InMemory,
}

impl From<rusqlite::Error> for ExportError {
    /// Through the archive's own classification: a damaged, full or read-only archive says so.
    fn from(e: rusqlite::Error) -> ExportError {
        ExportError::Store(StoreError::from(e))
    }
}

/// The file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Apache Parquet, Snappy-compressed.
    Parquet,
    /// CSV with a header line, formula-safe.
    Csv,
    /// One JSON object per line.
    Ndjson,
}

impl ExportFormat {
    /// Its name, also the file extension.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Parquet => "parquet",
            ExportFormat::Csv => "csv",
            ExportFormat::Ndjson => "ndjson",
        }
    }
}

/// One exported table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExportTable {
    /// One row per call: the call record's answers.
    Calls,
    /// One row per phase of each call's timeline.
    Phases,
    /// One row per agent or user leg.
    AgentLegs,
    /// One row per wait in a queue.
    QueueVisits,
    /// One row per IVR path step.
    IvrSteps,
    /// One row per participant data key a call's flows set, with its value.
    Attributes,
    /// One row per conversation: the detail record exactly as received.
    Raw,
}

impl ExportTable {
    /// Every table.
    pub const ALL: [ExportTable; 7] = [
        ExportTable::Calls,
        ExportTable::Phases,
        ExportTable::AgentLegs,
        ExportTable::QueueVisits,
        ExportTable::IvrSteps,
        ExportTable::Attributes,
        ExportTable::Raw,
    ];

    /// Its folder name.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportTable::Calls => "calls",
            ExportTable::Phases => "phases",
            ExportTable::AgentLegs => "agent_legs",
            ExportTable::QueueVisits => "queue_visits",
            ExportTable::IvrSteps => "ivr_steps",
            ExportTable::Attributes => "attributes",
            ExportTable::Raw => "raw",
        }
    }

    /// How large its files are, relative to the others (for the order they are written in).
    fn weight(self) -> u8 {
        match self {
            ExportTable::Raw => 4,
            ExportTable::Phases => 3,
            ExportTable::Calls => 2,
            ExportTable::AgentLegs
            | ExportTable::QueueVisits
            | ExportTable::IvrSteps
            | ExportTable::Attributes => 1,
        }
    }

    /// The table of a folder name.
    pub fn parse(name: &str) -> Option<ExportTable> {
        ExportTable::ALL.into_iter().find(|t| t.as_str() == name)
    }

    fn spec(self) -> TableSpec {
        use ColumnType::{Bool, Int, Raw, Real, Text, Time};
        match self {
            ExportTable::Calls => TableSpec {
                from: "calls c",
                per_call: true,
                key: "c.start_ms",
                order: "c.start_ms, c.rowid",
                columns: &[
                    ("conversation_id", Text, "c.conversation_id"),
                    ("call_start", Time, "c.start_ms"),
                    ("call_end", Time, "c.end_ms"),
                    ("ongoing", Bool, "c.ongoing"),
                    ("duration_ms", Int, "c.duration_ms"),
                    ("media_type", Text, "c.media_type"),
                    ("direction", Text, "c.direction"),
                    ("direction_label", Text, "c.direction_label"),
                    ("from_address", Text, "c.from_address"),
                    ("from_name", Text, "c.from_name"),
                    ("to_address", Text, "c.to_address"),
                    ("to_name", Text, "c.to_name"),
                    ("customer_number", Text, "c.customer_number"),
                    ("placed_by_role", Text, "c.placed_by_role"),
                    ("placed_by_name", Text, "c.placed_by_name"),
                    ("answered_by_role", Text, "c.answered_by_role"),
                    ("answered_by_user_id", Text, "c.answered_by_user_id"),
                    ("answered_by_name", Text, "c.answered_by_name"),
                    ("queue_id", Text, "c.queue_id"),
                    ("queue_name", Text, "c.queue_name"),
                    ("reason", Text, "c.reason"),
                    ("reason_source", Text, "c.reason_source"),
                    ("ivr_exit", Text, "c.ivr_exit"),
                    ("ivr_path", Text, "c.ivr_path"),
                    ("ivr_ms", Int, "c.ivr_ms"),
                    ("queue_ms", Int, "c.queue_ms"),
                    ("alert_ms", Int, "c.alert_ms"),
                    ("talk_ms", Int, "c.talk_ms"),
                    ("hold_ms", Int, "c.hold_ms"),
                    ("acw_ms", Int, "c.acw_ms"),
                    ("handle_ms", Int, "c.handle_ms"),
                    ("voicemail_ms", Int, "c.voicemail_ms"),
                    ("wrapup_code_id", Text, "c.wrapup_code_id"),
                    ("wrapup_code_name", Text, "c.wrapup_code_name"),
                    ("wrapup_note", Text, "c.wrapup_note"),
                    ("wrapup_user_id", Text, "c.wrapup_user_id"),
                    ("wrapup_user_name", Text, "c.wrapup_user_name"),
                    ("disconnect_by", Text, "c.disconnect_by"),
                    ("disconnect_type", Text, "c.disconnect_type"),
                    ("outcome", Text, "c.outcome"),
                    ("transfers", Int, "c.transfers"),
                    ("warnings", Int, "c.warnings"),
                ],
            },
            ExportTable::Phases => TableSpec {
                from: "phases p",
                per_call: false,
                key: "p.call_start_ms",
                order: "p.call_start_ms, p.conversation_id, p.seq",
                columns: &[
                    ("conversation_id", Text, "p.conversation_id"),
                    ("seq", Int, "p.seq"),
                    ("kind", Text, "p.kind"),
                    ("phase_start", Time, "p.start_ms"),
                    ("phase_end", Time, "p.end_ms"),
                    ("duration_ms", Int, "p.duration_ms"),
                    ("participant_id", Text, "p.participant_id"),
                    ("purpose", Text, "p.purpose"),
                    ("user_id", Text, "p.user_id"),
                    ("queue_id", Text, "p.queue_id"),
                    ("name", Text, "p.name"),
                ],
            },
            ExportTable::AgentLegs => TableSpec {
                from: "agent_legs a",
                per_call: false,
                key: "a.call_start_ms",
                order: "a.call_start_ms, a.conversation_id, a.seq",
                columns: &[
                    ("conversation_id", Text, "a.conversation_id"),
                    ("seq", Int, "a.seq"),
                    ("user_id", Text, "a.user_id"),
                    ("name", Text, "a.name"),
                    ("queue_id", Text, "a.queue_id"),
                    ("queue_name", Text, "a.queue_name"),
                    ("alerted_at", Time, "a.alerted_ms"),
                    ("connected_at", Time, "a.connected_ms"),
                    ("alert_ms", Int, "a.alert_ms"),
                    ("talk_ms", Int, "a.talk_ms"),
                    ("hold_ms", Int, "a.hold_ms"),
                    ("acw_ms", Int, "a.acw_ms"),
                    ("answered", Bool, "a.answered"),
                    ("not_responding", Bool, "a.not_responding"),
                    ("wrapup_code_id", Text, "a.wrapup_code_id"),
                    ("wrapup_code_name", Text, "a.wrapup_code_name"),
                    ("disconnect_type", Text, "a.disconnect_type"),
                ],
            },
            ExportTable::QueueVisits => TableSpec {
                // Each wait with its queue's own service-level target for its media, as the
                // archive knows it when the day's file is written.
                from: "queue_visits v LEFT JOIN queue_service_levels t ON t.queue_id = v.queue_id AND t.media = v.media_type",
                per_call: false,
                key: "v.call_start_ms",
                order: "v.call_start_ms, v.conversation_id, v.seq",
                columns: &[
                    ("conversation_id", Text, "v.conversation_id"),
                    ("seq", Int, "v.seq"),
                    ("queue_id", Text, "v.queue_id"),
                    ("queue_name", Text, "v.queue_name"),
                    ("media_type", Text, "v.media_type"),
                    ("entered_at", Time, "v.entered_ms"),
                    ("left_at", Time, "v.left_ms"),
                    ("wait_ms", Int, "v.wait_ms"),
                    ("outcome", Text, "v.outcome"),
                    ("handle_ms", Int, "v.handle_ms"),
                    ("service_target_ms", Int, "t.target_ms"),
                    ("service_level_goal", Real, "t.goal"),
                ],
            },
            ExportTable::IvrSteps => TableSpec {
                from: "ivr_steps s",
                per_call: false,
                key: "s.call_start_ms",
                order: "s.call_start_ms, s.conversation_id, s.seq",
                columns: &[
                    ("conversation_id", Text, "s.conversation_id"),
                    ("seq", Int, "s.seq"),
                    ("step", Text, "s.step"),
                ],
            },
            ExportTable::Attributes => TableSpec {
                from: "attributes a",
                per_call: false,
                key: "a.call_start_ms",
                order: "a.call_start_ms, a.conversation_id, a.key",
                columns: &[
                    ("conversation_id", Text, "a.conversation_id"),
                    ("key", Text, "a.key"),
                    ("value", Text, "a.value"),
                ],
            },
            ExportTable::Raw => TableSpec {
                from: "conversations r",
                per_call: true,
                key: "r.start_ms",
                order: "r.start_ms, r.rowid",
                columns: &[
                    ("conversation_id", Text, "r.id"),
                    ("version", Int, "r.version"),
                    ("fetched_at", Time, "r.fetched_ms"),
                    ("source", Text, "r.source"),
                    ("record", Raw, "r.raw_lz4"),
                ],
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnType {
    Text,
    Int,
    /// A floating-point number (a share, 0 to 1).
    Real,
    Bool,
    /// Milliseconds since the epoch, exported as a UTC timestamp.
    Time,
    /// An LZ4 blob holding JSON text.
    Raw,
}

struct TableSpec {
    from: &'static str,
    /// One row per call (calls, raw records): the call's id is distinct down the table.
    per_call: bool,
    /// The call's start: `calls.start_ms`, or the `call_start_ms` the parts are clustered by.
    key: &'static str,
    /// Start order; `c.rowid` breaks ties the way the `calls_start` index already holds
    /// them, so the query needs no sort.
    order: &'static str,
    columns: &'static [(&'static str, ColumnType, &'static str)],
}

/// What to export, where.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// The lake's root folder.
    pub dir: PathBuf,
    /// The file format.
    pub format: ExportFormat,
    /// The tables.
    pub tables: Vec<ExportTable>,
    /// The zone whose local days partition the files.
    pub zone: Zone,
    /// Rewrite every day, not only those with changes since the last export.
    pub full: bool,
    /// The time the export is recorded under.
    pub now_ms: i64,
}

/// What an export did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportReport {
    /// True when only changed days were written.
    pub incremental: bool,
    /// Day partitions written.
    pub days: u64,
    /// Calls in those days.
    pub calls: u64,
    /// Rows written per table, in the order asked.
    pub rows: Vec<(ExportTable, u64)>,
    /// Files written.
    pub files: u64,
}

impl Store {
    /// Exports the archive (see the module documentation); `progress(done, total)` is called
    /// as files are written.
    pub fn export(
        &self,
        options: &ExportOptions,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<ExportReport, ExportError> {
        if self.path.as_os_str() == ":memory:" {
            return Err(ExportError::InMemory);
        }
        let dir_key = options.dir.to_string_lossy().into_owned();
        let tables_key: Vec<&str> = options.tables.iter().map(|t| t.as_str()).collect();
        let tables_key = tables_key.join(",");
        let state: Option<(String, String, i64)> = self
            .conn
            .query_row(
                "SELECT zone, tables, change_seq FROM exports WHERE dir = ?1 AND format = ?2",
                params![dir_key, options.format.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let since = state
            .filter(|(zone, tables, _)| {
                !options.full && zone == options.zone.name() && *tables == tables_key && options.dir.is_dir()
            })
            .map(|(_, _, seq)| seq);
        let reached: i64 =
            self.conn.query_row("SELECT coalesce(max(change_seq), 0) FROM calls", [], |r| r.get(0))?;

        let days = if let Some(seq) = since {
            days_changed_since(&self.conn, &options.zone, seq)?
        } else {
            for table in &options.tables {
                clear_partitions(&options.dir.join(table.as_str()))?;
            }
            days_with_calls(&self.conn, &options.zone)?
        };
        // One task per file, taken in turn by the workers: day by day (so the archive is
        // read in order, each table's pages near the last ones read), within a day the
        // largest first, so the last files to finish are small ones and no worker is left
        // alone at the end with a big one.
        let mut tasks: Vec<(usize, ExportTable)> =
            (0..days.len()).flat_map(|d| options.tables.iter().map(move |t| (d, *t))).collect();
        tasks.sort_by_key(|(day, table)| (*day, std::cmp::Reverse(table.weight())));
        let total = tasks.len() as u64;
        let next = AtomicUsize::new(0);
        let done = AtomicU64::new(0);
        let failed = AtomicBool::new(false);
        let path = self.path.as_path();
        let work = || -> Result<Vec<(ExportTable, u64)>, ExportError> {
            let conn = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|e| ExportError::Reader(e.to_string()))?;
            let mut written = Vec::new();
            while !failed.load(Ordering::Relaxed) {
                let Some((day, table)) = tasks.get(next.fetch_add(1, Ordering::Relaxed)) else { break };
                match export_file(&conn, options, &days[*day], *table) {
                    Ok(rows) => written.push((*table, rows)),
                    Err(e) => {
                        failed.store(true, Ordering::Relaxed);
                        return Err(e);
                    }
                }
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
            }
            Ok(written)
        };
        // Each file is flushed to disk before it is renamed; twice as many workers as cores
        // keep the cores busy while some wait for the disk.
        let workers = 2 * std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let results: Vec<Result<Vec<(ExportTable, u64)>, ExportError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers.min(tasks.len())).map(|_| scope.spawn(work)).collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| Err(ExportError::Reader("an export worker stopped".into())))
                })
                .collect()
        });
        let mut report = ExportReport {
            incremental: since.is_some(),
            days: days.len() as u64,
            rows: options.tables.iter().map(|t| (*t, 0)).collect(),
            ..ExportReport::default()
        };
        for (table, rows) in results.into_iter().collect::<Result<Vec<_>, _>>()?.into_iter().flatten() {
            if let Some(slot) = report.rows.iter_mut().find(|(t, _)| *t == table) {
                slot.1 += rows;
            }
            if table == ExportTable::Calls {
                report.calls += rows;
            }
            report.files += 1;
        }
        if !options.tables.contains(&ExportTable::Calls) {
            report.calls =
                days.iter().map(|day| count_calls(&self.conn, options, day)).sum::<Result<u64, _>>()?;
        }
        self.conn.execute(
            "INSERT OR REPLACE INTO exports (dir, format, zone, tables, change_seq, exported_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![dir_key, options.format.as_str(), options.zone.name(), tables_key, reached, options.now_ms],
        )?;
        Ok(report)
    }
}

/// Removes the `call_date=…` folders of one table (a full export rewrites them all, and a
/// change of zone moves calls between days).
fn clear_partitions(table_dir: &Path) -> Result<(), ExportError> {
    let Ok(entries) = fs::read_dir(table_dir) else { return Ok(()) };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with("call_date=") {
            fs::remove_dir_all(entry.path())
                .map_err(|source| ExportError::Write { path: entry.path(), source })?;
        }
    }
    Ok(())
}

/// The local days holding calls, in order, then the partition of calls without a start if
/// any: one index lookup per day.
fn days_with_calls(conn: &Connection, zone: &Zone) -> Result<Vec<String>, ExportError> {
    let mut days = Vec::new();
    let mut stmt = conn.prepare("SELECT min(start_ms) FROM calls WHERE start_ms >= ?1")?;
    let mut from = i64::MIN;
    while let Some(start) = stmt.query_row([from], |r| r.get::<_, Option<i64>>(0))? {
        // A start the zone cannot place is left where it is (its call is in no day).
        let next = match zone.date(start) {
            Some(day) => {
                let end = zone.day_end(&day);
                days.push(day);
                end
            }
            None => None,
        };
        from = next.unwrap_or(start).max(start.saturating_add(1));
        if start == i64::MAX {
            break;
        }
    }
    let undated: bool =
        conn.query_row("SELECT EXISTS (SELECT 1 FROM calls WHERE start_ms IS NULL)", [], |r| r.get(0))?;
    if undated {
        days.push(NULL_PARTITION.to_owned());
    }
    Ok(days)
}

/// The local days holding calls changed after `seq`, in order (the partition of calls
/// without a start last).
fn days_changed_since(conn: &Connection, zone: &Zone, seq: i64) -> Result<Vec<String>, ExportError> {
    let mut days: BTreeSet<String> = BTreeSet::new();
    let mut stmt = conn.prepare("SELECT start_ms FROM calls WHERE change_seq > ?1")?;
    let mut rows = stmt.query([seq])?;
    while let Some(r) = rows.next()? {
        let start: Option<i64> = r.get(0)?;
        days.insert(start.and_then(|ms| zone.date(ms)).unwrap_or_else(|| NULL_PARTITION.to_owned()));
    }
    Ok(days.into_iter().collect())
}

/// The `[start, end)` range of a day's calls, or `None` for the calls without a start.
fn day_range(options: &ExportOptions, day: &str) -> Option<(i64, i64)> {
    if day == NULL_PARTITION {
        None
    } else {
        // A date the zone cannot place has no calls: nothing is selected.
        Some((options.zone.day_start(day).unwrap_or(i64::MAX), options.zone.day_end(day).unwrap_or(i64::MAX)))
    }
}

/// Writes one table's file of one day; returns its rows.
fn export_file(
    conn: &Connection,
    options: &ExportOptions,
    day: &str,
    table: ExportTable,
) -> Result<u64, ExportError> {
    let folder = options.dir.join(table.as_str()).join(format!("call_date={day}"));
    fs::create_dir_all(&folder).map_err(|source| ExportError::Write { path: folder.clone(), source })?;
    let file = folder.join(format!("part-0.{}", options.format.as_str()));
    write_table(conn, &table.spec(), day_range(options, day), options.format, &file)
}

/// The calls of one day.
fn count_calls(conn: &Connection, options: &ExportOptions, day: &str) -> Result<u64, ExportError> {
    let (clause, p) = day_clause("c.start_ms", day_range(options, day));
    let n: i64 = conn.query_row(
        &format!("SELECT count(*) FROM calls c WHERE {clause}"),
        rusqlite::params_from_iter(p),
        |r| r.get(0),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The rows of one day (or of calls without a start) by their key column.
fn day_clause(key: &str, range: Option<(i64, i64)>) -> (String, Vec<i64>) {
    match range {
        Some((from, to)) => (format!("{key} >= ?1 AND {key} < ?2"), vec![from, to]),
        None if key.ends_with(".call_start_ms") => (format!("{key} = ?1"), vec![crate::NO_START]),
        None => (format!("{key} IS NULL"), vec![]),
    }
}

fn write_table(
    conn: &Connection,
    spec: &TableSpec,
    range: Option<(i64, i64)>,
    format: ExportFormat,
    file: &Path,
) -> Result<u64, ExportError> {
    let exprs: Vec<&str> = spec.columns.iter().map(|c| c.2).collect();
    let (clause, p) = day_clause(spec.key, range);
    let sql =
        format!("SELECT {} FROM {} WHERE {clause} ORDER BY {}", exprs.join(", "), spec.from, spec.order);
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(p))?;
    let tmp = temp_name(file);
    let write_err = |source: std::io::Error| ExportError::Write { path: tmp.clone(), source };
    let out = fs::File::create(&tmp).map_err(write_err)?;
    let mut sink: Box<dyn Sink> = match format {
        ExportFormat::Parquet => Box::new(ParquetSink::new(spec, out, &tmp)?),
        ExportFormat::Csv => Box::new(TextSink::csv(spec.columns, out).map_err(write_err)?),
        ExportFormat::Ndjson => Box::new(TextSink::ndjson(spec.columns, out)),
    };
    let mut n = 0;
    while let Some(row) = rows.next()? {
        sink.row(row).map_err(|e| e.at(&tmp))?;
        n += 1;
    }
    sink.finish().map_err(|e| e.at(&tmp))?;
    fs::rename(&tmp, file).map_err(|source| ExportError::Write { path: file.to_owned(), source })?;
    Ok(n)
}

/// Where a day's file is written before it is renamed into place: beside it, hidden (a leading
/// `.`), so that Spark, Trino and Hive, which skip names starting with `.` or `_`, never read
/// what a killed export left half written.
fn temp_name(file: &Path) -> PathBuf {
    let name = file.file_name().map_or_else(|| "part".into(), |n| n.to_string_lossy().into_owned());
    file.with_file_name(format!(".{name}.tmp"))
}

/// A cell's text: UTF-8 as stored, or repaired (damage in one cell must not stop an export).
fn text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// An error of a sink, placed at its file by the caller.
#[derive(Debug)]
enum SinkError {
    Read(rusqlite::Error),
    Io(std::io::Error),
    Parquet(String),
}

impl SinkError {
    fn at(self, path: &Path) -> ExportError {
        match self {
            SinkError::Read(e) => ExportError::from(e),
            SinkError::Io(source) => ExportError::Write { path: path.to_owned(), source },
            SinkError::Parquet(reason) => ExportError::Parquet { path: path.to_owned(), reason },
        }
    }
}

impl From<rusqlite::Error> for SinkError {
    fn from(e: rusqlite::Error) -> SinkError {
        SinkError::Read(e)
    }
}

impl From<std::io::Error> for SinkError {
    fn from(e: std::io::Error) -> SinkError {
        SinkError::Io(e)
    }
}

impl From<parquet::errors::ParquetError> for SinkError {
    fn from(e: parquet::errors::ParquetError) -> SinkError {
        SinkError::Parquet(e.to_string())
    }
}

impl From<arrow_schema::ArrowError> for SinkError {
    fn from(e: arrow_schema::ArrowError) -> SinkError {
        SinkError::Parquet(e.to_string())
    }
}

trait Sink {
    fn row(&mut self, row: &rusqlite::Row<'_>) -> Result<(), SinkError>;
    fn finish(self: Box<Self>) -> Result<(), SinkError>;
}

/// One cell of a text line.
enum Value<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(Cow<'a, str>),
}

/// CSV or NDJSON, written through a buffer.
struct TextSink {
    columns: &'static [(&'static str, ColumnType, &'static str)],
    out: BufWriter<fs::File>,
    csv: bool,
    line: String,
    /// The raw record's column, if the table has one, and the buffer it is decompressed
    /// into row after row.
    raw_at: Option<usize>,
    raw: Vec<u8>,
}

impl TextSink {
    fn csv(
        columns: &'static [(&'static str, ColumnType, &'static str)],
        file: fs::File,
    ) -> std::io::Result<TextSink> {
        let mut sink = TextSink::ndjson(columns, file);
        sink.csv = true;
        let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
        writeln!(sink.out, "{}", names.join(","))?;
        Ok(sink)
    }

    fn ndjson(columns: &'static [(&'static str, ColumnType, &'static str)], file: fs::File) -> TextSink {
        TextSink {
            columns,
            out: BufWriter::with_capacity(1 << 20, file),
            csv: false,
            line: String::new(),
            raw_at: columns.iter().position(|c| c.1 == ColumnType::Raw),
            raw: Vec::new(),
        }
    }
}

impl Sink for TextSink {
    fn row(&mut self, row: &rusqlite::Row<'_>) -> Result<(), SinkError> {
        let raw_len = match self.raw_at.map(|i| row.get_ref(i)).transpose()? {
            Some(ValueRef::Blob(b)) => decompress_at(b, &mut self.raw, 0),
            _ => None,
        };
        let mut cells: Vec<Value<'_>> = Vec::with_capacity(self.columns.len());
        for (i, (_, kind, _)) in self.columns.iter().enumerate() {
            cells.push(match row.get_ref(i)? {
                ValueRef::Integer(v) => Value::Int(v),
                ValueRef::Real(v) if *kind == ColumnType::Real => Value::Real(v),
                ValueRef::Real(v) => Value::Text(Cow::Owned(v.to_string())),
                ValueRef::Text(t) => Value::Text(text(t)),
                ValueRef::Blob(_) if *kind == ColumnType::Raw => {
                    raw_len.map_or(Value::Null, |n| Value::Text(text(&self.raw[..n])))
                }
                ValueRef::Null | ValueRef::Blob(_) => Value::Null,
            });
        }
        self.line.clear();
        if self.csv {
            for (i, ((_, kind, _), cell)) in self.columns.iter().zip(&cells).enumerate() {
                if i > 0 {
                    self.line.push(',');
                }
                match (cell, kind) {
                    (Value::Null, _) => {}
                    (Value::Int(ms), ColumnType::Time) => self.line.push_str(&Timestamp(*ms).to_rfc3339()),
                    (Value::Int(v), ColumnType::Bool) => {
                        self.line.push_str(if *v != 0 { "true" } else { "false" });
                    }
                    (Value::Int(v), _) => self.line.push_str(&v.to_string()),
                    (Value::Real(v), _) => self.line.push_str(&v.to_string()),
                    (Value::Text(t), _) => self.line.push_str(&csv_cell(t)),
                }
            }
        } else {
            let mut object = serde_json::Map::with_capacity(cells.len());
            for ((name, kind, _), cell) in self.columns.iter().zip(&cells) {
                let value = match (cell, kind) {
                    (Value::Null, _) => serde_json::Value::Null,
                    (Value::Int(ms), ColumnType::Time) => Timestamp(*ms).to_rfc3339().into(),
                    (Value::Int(v), ColumnType::Bool) => (*v != 0).into(),
                    (Value::Int(v), _) => (*v).into(),
                    (Value::Real(v), _) => {
                        serde_json::Number::from_f64(*v).map_or(serde_json::Value::Null, Into::into)
                    }
                    // The raw record is JSON: embedded as itself, not as a string.
                    (Value::Text(t), ColumnType::Raw) => {
                        serde_json::from_str(t).unwrap_or_else(|_| serde_json::Value::String(t.to_string()))
                    }
                    (Value::Text(t), _) => t.to_string().into(),
                };
                object.insert((*name).to_owned(), value);
            }
            self.line = serde_json::Value::Object(object).to_string();
        }
        self.line.push('\n');
        self.out.write_all(self.line.as_bytes())?;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), SinkError> {
        let mut out = self.out;
        out.flush()?;
        out.into_inner().map_err(std::io::IntoInnerError::into_error)?.sync_all()?;
        Ok(())
    }
}

/// Rows per Parquet row group: the writer holds one row group per file in memory, so this
/// bounds an export's memory whatever a day holds.
const BATCH: usize = 8_192;
/// Rows per row group of the raw records (kilobytes each).
const RAW_BATCH: usize = 2_048;
/// Text gathered in one column before its row group is written whatever its rows: with
/// the largest cell the archive allows (1 GiB), a column stays within Arrow's 2 GiB.
const BATCH_TEXT_BYTES: usize = 256 << 20;

/// A text column of one row group, gathered as Arrow lays it out (values end to end, their
/// offsets, their validity). Its buffers come back after each row group is written and are
/// filled again, so a file is written without growing or zeroing memory row group after row
/// group; raw records are decompressed straight into it.
#[derive(Default)]
struct TextColumn {
    /// The values end to end up to `used`; past it, what earlier row groups left.
    values: Vec<u8>,
    used: usize,
    offsets: Vec<i32>,
    valid: Vec<bool>,
}

impl TextColumn {
    fn push(&mut self, bytes: &[u8]) {
        let end = self.used + bytes.len();
        if self.values.len() < end {
            self.values.resize(end, 0);
        }
        self.values[self.used..end].copy_from_slice(bytes);
        self.end_value(end);
    }

    /// A raw record, decompressed in place; null when the blob is damaged.
    fn push_compressed(&mut self, blob: &[u8]) {
        match decompress_at(blob, &mut self.values, self.used) {
            Some(n) => self.end_value(self.used + n),
            None => self.push_null(),
        }
    }

    fn push_null(&mut self) {
        self.end_value(self.used);
        if let Some(valid) = self.valid.last_mut() {
            *valid = false;
        }
    }

    fn end_value(&mut self, end: usize) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        self.used = end;
        // The batch limit keeps `end` under 2 GiB; past it the value would be cut, not wrapped.
        self.offsets.push(i32::try_from(end).unwrap_or(i32::MAX));
        self.valid.push(true);
    }

    /// The gathered values as an array; the column is empty afterwards until
    /// [`TextColumn::recycle`] hands its buffers back.
    fn finish(&mut self) -> Result<StringArray, SinkError> {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        let nulls = self.valid.contains(&false).then(|| NullBuffer::from(self.valid.as_slice()));
        self.valid.clear();
        self.used = 0;
        let offsets = OffsetBuffer::new(ScalarBuffer::from(std::mem::take(&mut self.offsets)));
        let values = Buffer::from_vec(std::mem::take(&mut self.values));
        if let Ok(array) = StringArray::try_new(offsets.clone(), values.clone(), nulls.clone()) {
            return Ok(array);
        }
        // Damaged text somewhere in the row group (the archive keeps what it was sent): each
        // value is repaired on its own, the others kept as they were.
        let mut repaired = Vec::with_capacity(values.len());
        let mut ends = Vec::with_capacity(offsets.len());
        ends.push(0);
        for pair in offsets.windows(2) {
            let bytes = values.get(pair[0].unsigned_abs() as usize..pair[1].unsigned_abs() as usize);
            repaired.extend_from_slice(String::from_utf8_lossy(bytes.unwrap_or_default()).as_bytes());
            ends.push(i32::try_from(repaired.len()).unwrap_or(i32::MAX));
        }
        Ok(StringArray::try_new(
            OffsetBuffer::new(ScalarBuffer::from(ends)),
            Buffer::from_vec(repaired),
            nulls,
        )?)
    }

    /// Takes back the buffers of an array this column made, once the writer is done with it.
    fn recycle(&mut self, array: StringArray) {
        let (offsets, values, _) = array.into_parts();
        if let Ok(mut values) = values.into_vec::<u8>() {
            if values.capacity() > self.values.capacity() {
                // Keep what is there: only the bytes past it will need zeroing.
                values.resize(values.capacity(), 0);
                self.values = values;
            }
        }
        if let Ok(mut offsets) = offsets.into_inner().into_inner().into_vec::<i32>() {
            offsets.clear();
            self.offsets = offsets;
        }
    }
}

enum Builder {
    Text(TextColumn),
    /// The raw record: a text column filled from compressed blobs.
    Raw(TextColumn),
    Int(Int64Builder),
    Real(Float64Builder),
    Bool(BooleanBuilder),
    Time(TimestampMillisecondBuilder),
}

/// Parquet: columns gathered in Arrow arrays, written a row group at a time.
struct ParquetSink {
    schema: Arc<Schema>,
    builders: Vec<Builder>,
    rows: usize,
    batch: usize,
    /// Text a column may gather before its row group is written ([`BATCH_TEXT_BYTES`]).
    text_limit: usize,
    writer: ArrowWriter<fs::File>,
}

impl ParquetSink {
    fn new(spec: &TableSpec, file: fs::File, path: &Path) -> Result<ParquetSink, ExportError> {
        let columns = spec.columns;
        let fields: Vec<Field> = columns
            .iter()
            .map(|(name, kind, _)| {
                let data_type = match kind {
                    ColumnType::Text | ColumnType::Raw => DataType::Utf8,
                    ColumnType::Int => DataType::Int64,
                    ColumnType::Real => DataType::Float64,
                    ColumnType::Bool => DataType::Boolean,
                    ColumnType::Time => DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
                };
                Field::new(*name, data_type, true)
            })
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let batch =
            if columns.iter().any(|(_, kind, _)| *kind == ColumnType::Raw) { RAW_BATCH } else { BATCH };
        let mut props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(batch))
            .set_max_row_group_bytes(Some(64 << 20));
        // Whole records are large and unique: a dictionary or min/max statistics of them
        // would cost time and buy nothing. ZSTD (level 1) makes their JSON 2.4 times smaller
        // than Snappy does, in less time all told (less to write); the derived tables keep
        // Snappy, which is quicker on their short values.
        for (name, kind, _) in columns {
            // Timestamps, durations and a table's own ids are nearly all distinct: a
            // dictionary would be built, outgrow its page and be dropped (without them the
            // files came out 4% smaller). A call's id repeats down its phases, legs and steps.
            let distinct = *kind == ColumnType::Time
                || (*kind == ColumnType::Int && name.ends_with("_ms"))
                || (spec.per_call && *name == "conversation_id");
            if distinct {
                props = props.set_column_dictionary_enabled(ColumnPath::from(*name), false);
            }
            // Ids are random: their minimum and maximum would prune nothing, and keeping them
            // costs a comparison of every value.
            if *kind == ColumnType::Text && name.ends_with("_id") {
                props = props.set_column_statistics_enabled(ColumnPath::from(*name), EnabledStatistics::None);
            }
            if *kind == ColumnType::Raw {
                let column = ColumnPath::from(*name);
                props = props
                    .set_column_compression(column.clone(), Compression::ZSTD(ZstdLevel::default() /* 1 */))
                    .set_column_dictionary_enabled(column.clone(), false)
                    .set_column_statistics_enabled(column, EnabledStatistics::None);
            }
        }
        let props = props.build();
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(props))
            .map_err(|e| ExportError::Parquet { path: path.to_owned(), reason: e.to_string() })?;
        let builders = columns
            .iter()
            .map(|(_, kind, _)| match kind {
                ColumnType::Text => Builder::Text(TextColumn::default()),
                ColumnType::Raw => Builder::Raw(TextColumn::default()),
                ColumnType::Int => Builder::Int(Int64Builder::with_capacity(batch)),
                ColumnType::Real => Builder::Real(Float64Builder::with_capacity(batch)),
                ColumnType::Bool => Builder::Bool(BooleanBuilder::with_capacity(batch)),
                ColumnType::Time => {
                    Builder::Time(TimestampMillisecondBuilder::with_capacity(batch).with_timezone("UTC"))
                }
            })
            .collect();
        Ok(ParquetSink { schema, builders, rows: 0, batch, text_limit: BATCH_TEXT_BYTES, writer })
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        if self.rows == 0 {
            return Ok(());
        }
        // Text arrays are kept (they share their buffers with the batch) to be handed back
        // to their columns once the batch is written.
        let mut texts: Vec<Option<StringArray>> = Vec::with_capacity(self.builders.len());
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.builders.len());
        for builder in &mut self.builders {
            let (array, text): (ArrayRef, _) = match builder {
                Builder::Text(c) | Builder::Raw(c) => {
                    let array = c.finish()?;
                    (Arc::new(array.clone()), Some(array))
                }
                Builder::Int(b) => (Arc::new(b.finish()), None),
                Builder::Real(b) => (Arc::new(b.finish()), None),
                Builder::Bool(b) => (Arc::new(b.finish()), None),
                Builder::Time(b) => (Arc::new(b.finish()), None),
            };
            arrays.push(array);
            texts.push(text);
        }
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)?;
        self.writer.write(&batch)?;
        drop(batch);
        for (builder, text) in self.builders.iter_mut().zip(texts) {
            if let (Builder::Text(c) | Builder::Raw(c), Some(array)) = (builder, text) {
                c.recycle(array);
            }
        }
        self.rows = 0;
        Ok(())
    }
}

impl Sink for ParquetSink {
    fn row(&mut self, row: &rusqlite::Row<'_>) -> Result<(), SinkError> {
        let mut text_bytes = 0;
        for (i, builder) in self.builders.iter_mut().enumerate() {
            let cell = row.get_ref(i)?;
            match (builder, cell) {
                (Builder::Text(c), ValueRef::Text(t)) => c.push(t),
                (Builder::Text(c), ValueRef::Integer(v)) => c.push(v.to_string().as_bytes()),
                (Builder::Text(c), ValueRef::Real(v)) => c.push(v.to_string().as_bytes()),
                (Builder::Raw(c), ValueRef::Blob(b)) => c.push_compressed(b),
                (Builder::Text(c) | Builder::Raw(c), _) => c.push_null(),
                (Builder::Int(b), ValueRef::Integer(v)) => b.append_value(v),
                (Builder::Int(b), _) => b.append_null(),
                (Builder::Real(b), ValueRef::Real(v)) => b.append_value(v),
                #[allow(clippy::cast_precision_loss)]
                (Builder::Real(b), ValueRef::Integer(v)) => b.append_value(v as f64),
                (Builder::Real(b), _) => b.append_null(),
                (Builder::Bool(b), ValueRef::Integer(v)) => b.append_value(v != 0),
                (Builder::Bool(b), _) => b.append_null(),
                (Builder::Time(b), ValueRef::Integer(v)) => b.append_value(v),
                (Builder::Time(b), _) => b.append_null(),
            }
        }
        for builder in &self.builders {
            if let Builder::Text(c) | Builder::Raw(c) = builder {
                text_bytes = text_bytes.max(c.used);
            }
        }
        self.rows += 1;
        if self.rows >= self.batch {
            self.flush()?;
        } else if text_bytes >= self.text_limit {
            // Few rows, much text: this row group is large enough.
            self.flush()?;
            self.writer.flush()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<(), SinkError> {
        self.flush()?;
        let file = self.writer.into_inner()?;
        file.sync_all()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use arrow_array::Array;

    use super::*;

    fn strings(array: &StringArray) -> Vec<Option<String>> {
        (0..array.len()).map(|i| array.is_valid(i).then(|| array.value(i).to_owned())).collect()
    }

    #[test]
    fn a_file_being_written_is_hidden_from_the_engines_beside_its_final_name() {
        let file = Path::new("lake/calls/call_date=2024-05-01/part-0.parquet");
        assert_eq!(temp_name(file), Path::new("lake/calls/call_date=2024-05-01/.part-0.parquet.tmp"));
    }

    #[test]
    fn a_text_column_refilled_with_its_own_buffers_holds_only_the_new_values() {
        let mut column = TextColumn::default();
        let long = "x".repeat(5000);
        let record = r#"{"conversationId":"c1","participants":[]}"#;
        column.push(long.as_bytes());
        column.push_null();
        column.push_compressed(&crate::compress(record.as_bytes()));
        let first = column.finish().unwrap();
        assert_eq!(strings(&first), vec![Some(long.clone()), None, Some(record.to_owned())]);
        column.recycle(first);
        assert!(column.values.len() >= 5000, "the buffer came back");

        // Shorter values than before: what the last row group left past them is not read.
        column.push(b"ab");
        column.push_compressed(b"not a compressed record");
        column.push(b"");
        let second = column.finish().unwrap();
        assert_eq!(strings(&second), vec![Some("ab".into()), None, Some(String::new())]);
        column.recycle(second);

        let empty = column.finish().unwrap();
        assert_eq!(empty.len(), 0);
    }

    #[test]
    fn the_days_found_by_index_lookups_are_the_days_of_every_call() {
        let mut store = Store::open_in_memory().unwrap();
        // Around New York's spring and autumn clock changes and local midnights.
        let starts = [
            "2024-03-09T04:59:59.999Z",
            "2024-03-09T05:00:00.000Z",
            "2024-03-10T04:30:00.000Z",
            "2024-03-10T07:30:00.000Z",
            "2024-03-11T03:59:00.000Z",
            "2024-11-03T03:59:59.000Z",
            "2024-11-03T04:00:00.000Z",
            "2024-11-04T04:59:00.000Z",
            "2024-11-04T05:00:00.000Z",
            "2031-01-01T00:00:00.000Z",
        ];
        let mut records: Vec<Vec<u8>> = starts
            .iter()
            .enumerate()
            .map(|(i, start)| {
                format!(
                    r#"{{"conversationId":"c{i}","conversationStart":"{start}","participants":[{{"purpose":"customer","participantId":"p{i}","sessions":[{{"mediaType":"voice","direction":"inbound","segments":[{{"segmentType":"interact","segmentStart":"{start}"}}]}}]}}]}}"#
                )
                .into_bytes()
            })
            .collect();
        records.push(br#"{"conversationId":"undated","participants":[]}"#.to_vec());
        let refs: Vec<&[u8]> = records.iter().map(Vec::as_slice).collect();
        store.upsert(&refs, "query", 1).unwrap();
        for zone in ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Kiritimati"] {
            let zone = Zone::named(zone).unwrap();
            let walked = days_with_calls(&store.conn, &zone).unwrap();
            assert_eq!(walked, days_changed_since(&store.conn, &zone, -1).unwrap(), "{}", zone.name());
            assert_eq!(walked.last().map(String::as_str), Some(NULL_PARTITION));
        }
        let new_york = Zone::named("America/New_York").unwrap();
        assert_eq!(
            days_with_calls(&store.conn, &new_york).unwrap(),
            [
                "2024-03-08",
                "2024-03-09",
                "2024-03-10",
                "2024-11-02",
                "2024-11-03",
                "2024-11-04",
                "2030-12-31",
                NULL_PARTITION
            ]
        );
    }

    #[test]
    fn a_row_group_is_written_when_its_text_reaches_the_limit_and_reads_back_whole() {
        use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

        static COLUMNS: &[(&str, ColumnType, &str)] = &[
            ("name", ColumnType::Text, "name"),
            ("record", ColumnType::Raw, "raw"),
            ("n", ColumnType::Int, "n"),
        ];
        let spec = TableSpec { from: "t", per_call: true, key: "n", order: "n", columns: COLUMNS };
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (name TEXT, raw BLOB, n INTEGER)").unwrap();
        let mut expected = Vec::new();
        for n in 0..50_i64 {
            let name = (n % 7 != 3).then(|| format!("caller {n} ").repeat(usize::try_from(n).unwrap() + 1));
            let record = format!(r#"{{"conversationId":"c{n}"}}"#);
            conn.execute(
                "INSERT INTO t VALUES (?1, ?2, ?3)",
                params![name, crate::compress(record.as_bytes()), n],
            )
            .unwrap();
            expected.push((name, record, n));
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let mut sink = Box::new(ParquetSink::new(&spec, fs::File::create(&path).unwrap(), &path).unwrap());
        sink.text_limit = 300;
        let mut stmt = conn.prepare("SELECT name, raw, n FROM t ORDER BY n").unwrap();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            sink.row(row).unwrap();
        }
        sink.finish().unwrap();

        let reader = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(&path).unwrap()).unwrap();
        let groups = reader.metadata().num_row_groups();
        assert!(groups > 10, "{groups} row groups");
        let mut read = Vec::new();
        for batch in reader.build().unwrap() {
            let batch = batch.unwrap();
            let names = strings(batch.column(0).as_any().downcast_ref::<StringArray>().unwrap());
            let records = strings(batch.column(1).as_any().downcast_ref::<StringArray>().unwrap());
            let ns = batch.column(2).as_any().downcast_ref::<arrow_array::Int64Array>().unwrap();
            for i in 0..batch.num_rows() {
                read.push((names[i].clone(), records[i].clone().unwrap(), ns.value(i)));
            }
        }
        assert_eq!(read, expected);
    }

    #[test]
    fn damaged_text_is_repaired_value_by_value() {
        let mut column = TextColumn::default();
        column.push("café".as_bytes());
        column.push(b"bad \xff byte");
        column.push_null();
        column.push(b"fine");
        let array = column.finish().unwrap();
        assert_eq!(
            strings(&array),
            vec![Some("café".into()), Some("bad \u{fffd} byte".into()), None, Some("fine".into())]
        );
    }
}
