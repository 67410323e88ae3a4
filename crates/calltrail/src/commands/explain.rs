//! `calltrail explain`: detail records in, call records out, no archive.
//!
//! NDJSON flows through a pipeline: a reader thread cuts the input into batches of lines, the
//! batches are explained on every core (rayon), and the results are written in input order.
//! Memory is bounded by a few batches whatever the input size. A record that cannot be read is
//! reported with its line and conversation id, and the rest go on.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::sync::mpsc;

use anyhow::Context as _;
use calltrail_explain::{explain, story, CallRecord, Context, Lookups};
use calltrail_model::{parse_document, ApiConversation, Document};
use rayon::prelude::*;

use crate::cli::{ExplainArgs, ExplainFormat};
use crate::config::Config;
use crate::input::{self, Batch, Layout, LineBatches};
use crate::printer::Printer;
use crate::{Status, UsageError};

/// Conversations API records by conversation id.
type ApiIndex<'a> = HashMap<String, ApiConversation<'a>>;

pub fn run(args: &ExplainArgs, config: &Config, printer: &Printer) -> anyhow::Result<Status> {
    let settings = config.settings();
    let lookups = match &args.lookups {
        Some(path) => load_lookups(path)?,
        None => Lookups::default(),
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
        Some(p) => Box::new(BufReader::with_capacity(
            1 << 20,
            File::open(p).map_err(|e| UsageError(format!("cannot open `{}`: {e}", p.display())))?,
        )),
    };

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let job = Job { ctx, api: &api, format, pool: &pool };
    let stdout = io::stdout();
    let mut out = Output::new(BufWriter::with_capacity(1 << 20, stdout.lock()), format);
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
        printer.warn(&format!("{} record(s) could not be read; see the errors above", tally.rejected));
        return Ok(Status::Failure);
    }
    Ok(Status::Success)
}

fn read_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| UsageError(format!("cannot read `{}`: {e}", path.display())).into())
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

#[derive(Default)]
struct Tally {
    calls: u64,
    rejected: u64,
}

/// One input unit's result: rendered call records, or an error message.
type Rendered = Result<Vec<Vec<u8>>, String>;

impl Job<'_> {
    fn render(&self, call: &CallRecord<'_>) -> Vec<u8> {
        match self.format {
            ExplainFormat::Text => story::render(call).into_bytes(),
            ExplainFormat::Json | ExplainFormat::Ndjson => {
                serde_json::to_vec(call).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}").into_bytes())
            }
        }
    }

    fn explain_one(&self, conversation: &calltrail_model::Conversation<'_>) -> Vec<u8> {
        let api = conversation.conversation_id.as_deref().and_then(|id| self.api.get(id));
        let call = explain(conversation, api, &self.ctx);
        self.render(&call)
    }

    /// Explains every conversation in one JSON document (a line, or a whole document).
    fn explain_document(&self, bytes: &[u8], line: Option<u64>) -> Rendered {
        let place = |msg: String| match line {
            Some(n) => format!("line {n}: {msg}"),
            None => msg,
        };
        match parse_document(bytes) {
            Ok(Document::Api(record)) => Err(place(format!(
                "conversation `{}` is a Conversations API record, not a detail record; pass it with --attributes",
                record.id.as_deref().unwrap_or("?")
            ))),
            Ok(doc) => {
                let conversations = doc.into_conversations();
                Ok(self.pool.install(|| conversations.par_iter().map(|c| self.explain_one(c)).collect()))
            }
            Err(e) => Err(place(e.to_string())),
        }
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
            emit(job.explain_document(raw.get().as_bytes(), None), out, tally, printer)?;
        }
        let at = stream.byte_offset();
        let id = calltrail_model::find_conversation_id(&bytes[at.min(bytes.len())..])
            .or_else(|| calltrail_model::find_conversation_id(bytes));
        let named = id.map(|id| format!("conversation `{id}`: ")).unwrap_or_default();
        printer.error(&format!("{named}{error}"));
        tally.rejected += 1;
        return Ok(());
    }
    for raw in documents {
        emit(job.explain_document(raw.get().as_bytes(), None), out, tally, printer)?;
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
        scope.spawn(move || loop {
            match batches.next_batch() {
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
        for batch in rx {
            let batch = batch.context("cannot read the input")?;
            for line in &batch.oversized {
                printer
                    .error(&format!("line {line}: longer than {} MiB; skipped", input::MAX_LINE_BYTES >> 20));
                tally.rejected += 1;
            }
            let results: Vec<Rendered> = job.pool.install(|| {
                batch
                    .lines
                    .par_iter()
                    .map(|&(s, e, n)| job.explain_document(&batch.data[s..e], Some(n)))
                    .collect()
            });
            for result in results {
                emit(result, out, tally, printer)?;
            }
        }
        Ok(())
    })
}

fn emit(
    result: Rendered,
    out: &mut Output<impl Write>,
    tally: &mut Tally,
    printer: &Printer,
) -> io::Result<()> {
    match result {
        Ok(records) => {
            for record in records {
                tally.calls += 1;
                out.record(&record)?;
            }
        }
        Err(message) => {
            tally.rejected += 1;
            printer.error(&message);
        }
    }
    Ok(())
}

/// Writes rendered records in the chosen format.
struct Output<W: Write> {
    writer: W,
    format: ExplainFormat,
    count: u64,
}

impl<W: Write> Output<W> {
    fn new(writer: W, format: ExplainFormat) -> Self {
        Output { writer, format, count: 0 }
    }

    fn record(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self.format {
            ExplainFormat::Json => {
                self.writer.write_all(if self.count == 0 { b"[\n" } else { b",\n" })?;
                self.writer.write_all(bytes)?;
            }
            ExplainFormat::Ndjson => {
                self.writer.write_all(bytes)?;
                self.writer.write_all(b"\n")?;
            }
            ExplainFormat::Text => self.writer.write_all(bytes)?,
        }
        self.count += 1;
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        if self.format == ExplainFormat::Json {
            self.writer.write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })?;
        }
        self.writer.flush()
    }
}
