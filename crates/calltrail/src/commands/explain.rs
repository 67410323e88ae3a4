//! `calltrail explain`: detail records in, call records out, no archive.
//!
//! NDJSON flows through a pipeline: a reader thread cuts the input into batches of lines, the
//! batches are explained on every core (rayon), and the results are written in input order.
//! Memory is bounded by a few batches whatever the input size. A record that cannot be read is
//! reported with its line and conversation id, and the rest go on.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::ops::Range;
use std::path::Path;
use std::sync::mpsc;

use anyhow::Context as _;
use calltrail_explain::json::write_json_from;
use calltrail_explain::{explain, story, CallRecord, Context, Lookups, Settings};
use calltrail_model::{parse_document, ApiConversation, Document};
use rayon::prelude::*;

use crate::cli::{ExplainArgs, ExplainFormat, GlobalArgs};
use crate::commands::sync::{open_store, Deriving};
use crate::config::Config;
use crate::input::{self, Batch, Layout, LineBatches};
use crate::printer::Printer;
use crate::{Status, UsageError};

/// Conversations API records by conversation id.
type ApiIndex<'a> = HashMap<String, ApiConversation<'a>>;

pub fn run(
    args: &ExplainArgs,
    global: &GlobalArgs,
    config: &Config,
    printer: &Printer,
) -> anyhow::Result<Status> {
    // An argument that is no file is a conversation id, when there is an archive to look in.
    let has_archive = global.db.is_some() || config.db.is_some();
    match args.input.as_deref() {
        Some(input) if input != Path::new("-") && has_archive && !input.exists() => {
            return explain_archived(input, &config.db_path(global.db.as_deref()), args, config, printer);
        }
        None if io::stdin().is_terminal() => {
            return Err(UsageError(
                "nothing to explain: give a file of detail records, or pipe them in\n\nhint: `calltrail explain records.ndjson`, `… | calltrail explain`, or a conversation id with --db ARCHIVE".into(),
            )
            .into());
        }
        _ => {}
    }
    // With an archive named, its cached names (users, queues, wrap-up codes, flows) and the
    // settings its calls were derived with (unless calltrail.toml sets them) are used;
    // --lookups' names win over the archive's.
    let (archived, settings) = if has_archive {
        from_archive(&config.db_path(global.db.as_deref()), config, printer)
    } else {
        (Lookups::default(), config.settings())
    };
    let lookups = match &args.lookups {
        Some(path) => archived.overlaid(load_lookups(path)?),
        None => archived,
    };
    let api_text = match &args.attributes {
        Some(path) => Some(read_file(path)?),
        None => None,
    };
    let api = match &api_text {
        Some(bytes) => index_api_records(bytes, args.attributes.as_deref().unwrap_or(Path::new("-")))?,
        None => ApiIndex::new(),
    };
    let ctx = Context { lookups: &lookups, settings: &settings };
    let format = args.format.unwrap_or(if Printer::stdout_is_terminal() {
        ExplainFormat::Text
    } else {
        ExplainFormat::Ndjson
    });

    let reader: Box<dyn BufRead + Send> = match args.input.as_deref() {
        None => Box::new(BufReader::with_capacity(1 << 20, io::stdin())),
        Some(p) if p == Path::new("-") => Box::new(BufReader::with_capacity(1 << 20, io::stdin())),
        Some(p) if p.is_dir() => {
            return Err(UsageError(format!(
                "`{}` is a folder\n\nhint: give a file of detail records, such as `{}/records.ndjson`",
                p.display(),
                p.display()
            ))
            .into())
        }
        Some(p) => Box::new(BufReader::with_capacity(
            1 << 20,
            File::open(p).map_err(|e| UsageError(format!("cannot open `{}`: {e}", p.display())))?,
        )),
    };

    let (reader, encoding) = input::as_utf8(reader).context("cannot read the input")?;
    if let Some(encoding) = encoding {
        printer.info(&format!("the input is {}; read as UTF-8", encoding.name()));
    }

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let job = Job { ctx, api: &api, format, pool: &pool };
    let stdout = io::stdout();
    // Small records (text, errors) are gathered; a task's rendered output, far larger, goes
    // straight through.
    let mut out = Output::new(BufWriter::with_capacity(64 << 10, stdout.lock()), format);
    let mut tally = Tally::default();

    match input::detect(reader).context("cannot read the input")? {
        Layout::Empty => {
            printer.error("no input: expected detail records (a JSON document or NDJSON)");
            return Ok(Status::Failure);
        }
        Layout::Whole(bytes) => {
            explain_whole(&bytes, &job, &mut out, &mut tally, printer)?;
        }
        Layout::Lines(batches) => {
            explain_lines(batches, &job, &mut out, &mut tally, printer)?;
        }
    }
    out.finish()?;
    printer.info(&format!("explained {} call(s); {} record(s) rejected", tally.calls, tally.rejected));
    if tally.rejected > 0 {
        let named = if tally.rejected > REJECTS_NAMED && !printer.verbose() {
            format!("the first {REJECTS_NAMED} are named above")
        } else {
            "see the errors above".to_owned()
        };
        printer.warn(&format!("{} record(s) could not be read; {named}", tally.rejected));
        return Ok(Status::Failure);
    }
    Ok(Status::Success)
}

/// `calltrail explain --db PATH ID`: one archived conversation, explained from its raw record
/// with the archive's lookups and Conversations API record.
fn explain_archived(
    input: &Path,
    db: &Path,
    args: &ExplainArgs,
    config: &Config,
    printer: &Printer,
) -> anyhow::Result<Status> {
    let id = input.to_string_lossy();
    let id = id.as_ref();
    if !db.exists() {
        return Err(UsageError(format!(
            "`{id}` is no file, and there is no archive at `{}` to look it up in as a conversation id",
            db.display()
        ))
        .into());
    }
    let mut store = open_store(db, config, printer, Deriving::Nothing)?;
    let (raw, whole_id) = match store.raw(id)? {
        Some(raw) => (Some(raw), None),
        None => match whole_id(&store, id, db)? {
            Some(whole) => (store.raw(&whole)?, Some(whole)),
            None => (None, None),
        },
    };
    let id = whole_id.as_deref().unwrap_or(id);
    let Some(raw) = raw else {
        match store.quarantined_of(id)? {
            Some(kept) => printer.error(&format!(
                "conversation `{id}` was synced but its record could not be read, so the archive `{}` keeps it \
                 in quarantine: {}\n\nhint: `calltrail status` lists the quarantine",
                db.display(),
                kept.error
            )),
            None => printer
                .error(&format!("`{id}` is no file, nor a conversation in the archive `{}`", db.display())),
        }
        return Ok(Status::Failure);
    };
    let lookups = store.lookups()?;
    let api_raw = store.api_raw(id)?;
    let settings = store.settings().clone();
    let ctx = Context { lookups: &lookups, settings: &settings };
    let conversation: calltrail_model::Conversation<'_> = calltrail_model::from_json(&raw)?;
    let api: Option<ApiConversation<'_>> =
        api_raw.as_deref().and_then(|b| calltrail_model::from_json(b).ok());
    let call = explain(&conversation, api.as_ref(), &ctx);
    let format = args.format.unwrap_or(if Printer::stdout_is_terminal() {
        ExplainFormat::Text
    } else {
        ExplainFormat::Ndjson
    });
    let mut out = io::stdout().lock();
    match format {
        ExplainFormat::Text => {
            let customer = call.customer_number.as_deref();
            let same_number = match customer.filter(|n| calltrail_explain::report::identifies_customer(n)) {
                Some(number) => store.calls_with_number(number)?,
                None => 0,
            };
            out.write_all(story::render_archived(&call, same_number).as_bytes())?;
        }
        ExplainFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &[&call])?;
            out.write_all(b"\n")?;
        }
        ExplainFormat::Ndjson => {
            out.write_all(calltrail_explain::json::to_json_string(&call).as_bytes())?;
            out.write_all(b"\n")?;
        }
        ExplainFormat::Csv => {
            let mut row = calltrail_explain::flat::csv_header().into_bytes();
            call.write_csv(&mut row);
            out.write_all(&row)?;
        }
    }
    out.flush()?;
    Ok(Status::Success)
}

/// Least of an id that names a conversation by its start.
const ID_START: usize = 4;

/// The whole id of the one archived conversation whose id starts with `id` (`None` when none
/// does, or `id` is too short to be a start); a usage error naming them when several do.
fn whole_id(store: &calltrail_store::Store, id: &str, db: &Path) -> anyhow::Result<Option<String>> {
    if id.len() < ID_START {
        return Ok(None);
    }
    let shown = 5;
    let mut ids = store.ids_starting_with(id, shown + 1)?;
    if ids.len() <= 1 {
        return Ok(ids.pop());
    }
    let more = if ids.len() > shown { ", …" } else { "" };
    ids.truncate(shown);
    Err(UsageError(format!(
        "`{id}` starts the ids of several conversations in the archive `{}`: {}{more}; give more of the id",
        db.display(),
        ids.join(", ")
    ))
    .into())
}

/// The names the archive at `db` has cached and the settings to derive with; without an
/// archive there, or one that cannot be opened, no names (said once) and calltrail.toml's
/// settings.
fn from_archive(db: &Path, config: &Config, printer: &Printer) -> (Lookups, Settings) {
    if !db.exists() {
        printer.warn(&format!("no archive at `{}`: ids are not looked up as names", db.display()));
        return (Lookups::default(), config.settings());
    }
    // The records are explained whatever becomes of the names.
    open_store(db, config, printer, Deriving::Nothing)
        .and_then(|mut store| Ok((store.lookups()?, store.settings().clone())))
        .unwrap_or_else(|e| {
            printer.warn(&format!("ids are not looked up as names: {e:#}"));
            (Lookups::default(), config.settings())
        })
}

/// A whole file as UTF-8 (a file saved by PowerShell may be UTF-16 or carry a byte-order mark).
fn read_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    let bytes =
        std::fs::read(path).map_err(|e| UsageError(format!("cannot read `{}`: {e}", path.display())))?;
    Ok(input::bytes_as_utf8(bytes).0)
}

fn load_lookups(path: &Path) -> anyhow::Result<Lookups> {
    let bytes = read_file(path)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| UsageError(format!("lookups file `{}` is not valid: {e}", path.display())).into())
}

/// Indexes Conversations API records (one object, an array, or NDJSON) by id.
fn index_api_records<'a>(bytes: &'a [u8], path: &Path) -> anyhow::Result<ApiIndex<'a>> {
    let mut index = ApiIndex::new();
    let invalid = |e: serde_json::Error| UsageError(format!("`{}` is not valid: {e}", path.display()));
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<&serde_json::value::RawValue>();
    for raw in &mut stream {
        let raw = raw.map_err(invalid)?;
        let text = raw.get().as_bytes();
        let records: Vec<ApiConversation<'a>> = if text.first() == Some(&b'[') {
            serde_json::from_slice(text).map_err(invalid)?
        } else {
            vec![serde_json::from_slice(text).map_err(invalid)?]
        };
        for record in records {
            if let Some(id) = record.id.as_deref().map(str::to_owned) {
                index.insert(id, record);
            }
        }
    }
    Ok(index)
}

/// What every record is explained with.
struct Job<'a> {
    ctx: Context<'a>,
    api: &'a ApiIndex<'a>,
    format: ExplainFormat,
    pool: &'a rayon::ThreadPool,
}

/// Records rejected that are named one by one; past these, only counted (unless `-v`), so
/// that the wrong file given by mistake does not bury the terminal in a line per line.
const REJECTS_NAMED: u64 = 100;

#[derive(Default)]
struct Tally {
    calls: u64,
    rejected: u64,
}

impl Tally {
    /// Counts a rejected record and names it, up to [`REJECTS_NAMED`] of them.
    fn reject(&mut self, printer: &Printer, message: &str) {
        self.rejected += 1;
        if self.rejected <= REJECTS_NAMED || printer.verbose() {
            printer.error(message);
        } else if self.rejected == REJECTS_NAMED + 1 {
            printer.warn(&format!(
                "more than {REJECTS_NAMED} records could not be read; the rest are counted, not named (-v names them all)"
            ));
        }
    }
}

/// Rendered call records, back to back, and the errors met, in input order.
#[derive(Default)]
struct Rendered {
    bytes: Vec<u8>,
    /// Each record's byte range in `bytes`.
    records: Vec<Range<usize>>,
    errors: Vec<String>,
}

impl Rendered {
    /// Empties the buffer, keeping its allocations.
    fn clear(&mut self) {
        self.bytes.clear();
        self.records.clear();
        self.errors.clear();
    }

    fn append(&mut self, mut other: Rendered) {
        let offset = self.bytes.len();
        self.bytes.append(&mut other.bytes);
        self.records.extend(other.records.into_iter().map(|r| r.start + offset..r.end + offset));
        self.errors.append(&mut other.errors);
    }
}

/// Lines explained per parallel task: enough to amortise the task, few enough to balance.
const LINES_PER_TASK: usize = 32;

/// The largest output buffer a task keeps for the next batch.
const KEPT_PART_BYTES: usize = 16 << 20;

impl Job<'_> {
    /// Renders one call record, derived from the document `source`.
    fn render_into(&self, call: &CallRecord<'_>, source: &[u8], out: &mut Rendered) {
        let start = out.bytes.len();
        match self.format {
            ExplainFormat::Text => out.bytes.extend_from_slice(story::render(call).as_bytes()),
            ExplainFormat::Json => write_json_from(call, source, &mut out.bytes),
            ExplainFormat::Ndjson => {
                write_json_from(call, source, &mut out.bytes);
                out.bytes.push(b'\n');
            }
            ExplainFormat::Csv => call.write_csv(&mut out.bytes),
        }
        out.records.push(start..out.bytes.len());
    }

    /// Explains one conversation read from the document `source`.
    fn explain_one(
        &self,
        conversation: &calltrail_model::Conversation<'_>,
        source: &[u8],
        out: &mut Rendered,
    ) {
        let api = conversation.conversation_id.as_deref().and_then(|id| self.api.get(id));
        let call = explain(conversation, api, &self.ctx);
        self.render_into(&call, source, out);
    }

    /// Explains every conversation in one JSON document (a line, or a whole document).
    fn explain_document(&self, bytes: &[u8], line: Option<u64>, out: &mut Rendered) {
        let place = |msg: String| match line {
            Some(n) => format!("line {n}: {msg}"),
            None => msg,
        };
        match parse_document(bytes) {
            Ok(Document::Api(record)) => out.errors.push(place(format!(
                "conversation `{}` is a Conversations API record, not a detail record; pass it with --attributes",
                record.id.as_deref().unwrap_or("?")
            ))),
            Ok(Document::Conversation(c)) => self.explain_one(&c, bytes, out),
            Ok(doc) => {
                // A page or an array: its conversations in parallel, in order.
                let conversations = doc.into_conversations();
                let parts: Vec<Rendered> = self.pool.install(|| {
                    conversations
                        .par_chunks(LINES_PER_TASK)
                        .map(|chunk| {
                            let mut part = Rendered::default();
                            for c in chunk {
                                self.explain_one(c, bytes, &mut part);
                            }
                            part
                        })
                        .collect()
                });
                for part in parts {
                    out.append(part);
                }
            }
            Err(e) => out.errors.push(place(without_line_one(e.to_string()))),
        }
    }
}

/// `serde_json` says "at line 1 column N" of a one-line document; within NDJSON only the column
/// helps.
fn without_line_one(message: String) -> String {
    match message.rfind(" at line 1 column ") {
        Some(at) => format!("{} (column {})", &message[..at], &message[at + " at line 1 column ".len()..]),
        None => message,
    }
}

fn explain_whole(
    bytes: &[u8],
    job: &Job<'_>,
    out: &mut Output<impl Write>,
    tally: &mut Tally,
    printer: &Printer,
) -> anyhow::Result<()> {
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<&serde_json::value::RawValue>();
    let mut documents = Vec::new();
    let mut failure = None;
    for raw in &mut stream {
        match raw {
            Ok(raw) => documents.push(raw),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    if let Some(error) = failure {
        if input::looks_like_lines(bytes) {
            let batches = LineBatches::new(io::Cursor::new(bytes), 1);
            return explain_lines(batches, job, out, tally, printer);
        }
        for raw in documents {
            let mut rendered = Rendered::default();
            job.explain_document(raw.get().as_bytes(), None, &mut rendered);
            emit(&rendered, out, tally, printer)?;
        }
        let at = stream.byte_offset();
        let id = calltrail_model::find_conversation_id(&bytes[at.min(bytes.len())..])
            .or_else(|| calltrail_model::find_conversation_id(bytes));
        let named = id.map(|id| format!("conversation `{id}`: ")).unwrap_or_default();
        tally.reject(printer, &format!("{named}{error}"));
        return Ok(());
    }
    for raw in documents {
        let mut rendered = Rendered::default();
        job.explain_document(raw.get().as_bytes(), None, &mut rendered);
        emit(&rendered, out, tally, printer)?;
    }
    Ok(())
}

fn explain_lines<R: BufRead + Send>(
    mut batches: LineBatches<R>,
    job: &Job<'_>,
    out: &mut Output<impl Write>,
    tally: &mut Tally,
    printer: &Printer,
) -> anyhow::Result<()> {
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<io::Result<Batch>>(2);
        // Spent batches go back to the reader, so their buffers are reused, not reallocated.
        let (recycle, recycled) = mpsc::channel::<Batch>();
        scope.spawn(move || loop {
            match batches.next_batch_into(recycled.try_recv().unwrap_or_default()) {
                Ok(Some(batch)) => {
                    if tx.send(Ok(batch)).is_err() {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    break;
                }
            }
        });
        // One output buffer per task of a batch, kept from batch to batch so that they stop
        // growing after the first.
        let mut parts: Vec<Rendered> = Vec::new();
        for batch in rx {
            let batch = batch.context("cannot read the input")?;
            for line in &batch.oversized {
                tally.reject(
                    printer,
                    &format!("line {line}: longer than {} MiB; skipped", input::MAX_LINE_BYTES >> 20),
                );
            }
            let tasks = batch.lines.len().div_ceil(LINES_PER_TASK);
            if parts.len() < tasks {
                parts.resize_with(tasks, Rendered::default);
            }
            job.pool.install(|| {
                batch.lines.par_chunks(LINES_PER_TASK).zip(parts.par_iter_mut()).for_each(
                    |(lines, rendered)| {
                        rendered.clear();
                        for &(s, e, n) in lines {
                            job.explain_document(&batch.data[s..e], Some(n), rendered);
                        }
                    },
                );
            });
            for part in &mut parts[..tasks] {
                emit(part, out, tally, printer)?;
                if part.bytes.capacity() > KEPT_PART_BYTES {
                    // An exceptional line (a page of thousands of calls) does not pin its output.
                    *part = Rendered::default();
                }
            }
            let _ = recycle.send(batch);
        }
        Ok(())
    })
}

fn emit(
    result: &Rendered,
    out: &mut Output<impl Write>,
    tally: &mut Tally,
    printer: &Printer,
) -> io::Result<()> {
    for message in &result.errors {
        tally.reject(printer, message);
    }
    tally.calls += result.records.len() as u64;
    out.records(&result.bytes, &result.records)
}

/// Writes rendered records in the chosen format.
struct Output<W: Write> {
    writer: W,
    format: ExplainFormat,
    /// Records written so far, for the JSON array's separators.
    count: u64,
}

impl<W: Write> Output<W> {
    fn new(writer: W, format: ExplainFormat) -> Self {
        Output { writer, format, count: 0 }
    }

    /// Writes the records rendered back to back in `bytes`, at `ranges`.
    fn records(&mut self, bytes: &[u8], ranges: &[Range<usize>]) -> io::Result<()> {
        if self.format == ExplainFormat::Csv && self.count == 0 && !ranges.is_empty() {
            self.writer.write_all(calltrail_explain::flat::csv_header().as_bytes())?;
        }
        if self.format == ExplainFormat::Json {
            for range in ranges {
                self.writer.write_all(if self.count == 0 { b"[\n" } else { b",\n" })?;
                self.writer.write_all(&bytes[range.clone()])?;
                self.count += 1;
            }
        } else {
            // Text, NDJSON and CSV records are rendered complete, line ends and all: one write.
            self.writer.write_all(bytes)?;
            self.count += ranges.len() as u64;
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        match self.format {
            ExplainFormat::Json => {
                self.writer.write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })?;
            }
            // No calls is still a table: its header.
            ExplainFormat::Csv if self.count == 0 => {
                self.writer.write_all(calltrail_explain::flat::csv_header().as_bytes())?;
            }
            _ => {}
        }
        self.writer.flush()
    }
}
