//! The command line: every flag with its help text. `--help` is written to teach: each command
//! says what it is for and shows an example.
// Doc comments here are `--help` text, read in a terminal: no Markdown backticks.
#![allow(clippy::doc_markdown)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Turn Genesys Cloud conversation detail records into answers: who called whom and in which
/// direction, who answered, why they called, how long each phase took and how the call ended.
#[derive(Debug, Parser)]
#[command(name = "calltrail", version, propagate_version = true, max_term_width = 100)]
#[command(
    after_help = "Examples:\n  calltrail explain records.ndjson\n  calltrail explain --format json query-response.json\n  calltrail fields segmentType"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Configuration file (TOML); defaults to ./calltrail.toml when it exists
    #[arg(long, global = true, env = "CALLTRAIL_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Print only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more about what is happening (repeat for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Never draw progress bars
    #[arg(long, global = true)]
    pub no_progress: bool,
    /// When to colour messages (NO_COLOR is honoured)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set
    Auto,
    /// Always
    Always,
    /// Never
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Explain detail records: the five answers for every call, no archive needed
    #[command(long_about = EXPLAIN_ABOUT)]
    Explain(ExplainArgs),
    /// The glossary: what each field of the detail record means for a real call
    #[command(long_about = FIELDS_ABOUT)]
    Fields(FieldsArgs),
}

const EXPLAIN_ABOUT: &str = "\
Explain detail records: the five answers for every call, no archive needed.

Reads conversation detail records from FILE (or standard input) in any shape the API gives
them: one AnalyticsConversation object, a query or job results page ({\"conversations\": [...]}),
a JSON array of records, or NDJSON (one record or page per line). NDJSON is read as a stream,
in constant memory, on every core.

For every call it prints who called whom and the direction, who placed and who answered it,
why the customer called (IVR flows, outcomes, participant data), the time spent in each phase
(IVR, queue, alert, talk, hold, after-call work) and how it concluded (wrap-up, who hung up,
outcome).

A record that cannot be read is reported on stderr with its line and conversation id; the
others are still explained, and the exit code is 1.";

const FIELDS_ABOUT: &str = "\
The glossary: what each field of the detail record means for a real call.

Without NAME, lists every field. With NAME (a field such as `ani`, `session.dnis`,
`segmentType` or a metric such as `tTalk`), shows where the field appears, what it means,
its values and the pitfalls people meet with it.";

/// `calltrail explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Detail records to explain: a file, or `-` for standard input (the default)
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Output format; `text` on a terminal, `ndjson` otherwise
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ExplainFormat>,
    /// JSON file of id → name maps: {"users": {...}, "queues": {...}, "wrapup_codes": {...},
    /// "flows": {...}, "flow_outcomes": {...}}
    #[arg(long, value_name = "FILE")]
    pub lookups: Option<PathBuf>,
    /// Conversations API records (GET /api/v2/conversations/{id}; one object, an array, or
    /// NDJSON) whose participant attributes and wrap-ups complete the detail records
    #[arg(long, value_name = "FILE")]
    pub attributes: Option<PathBuf>,
    /// Worker threads (default: one per core)
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

/// Output formats of `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    /// A readable story of each call
    Text,
    /// One JSON array of call records
    Json,
    /// One call record per line
    Ndjson,
}

/// `calltrail fields`.
#[derive(Debug, Args)]
pub struct FieldsArgs {
    /// A field or metric name (`ani`, `session.dnis`, `disconnectType`, `tTalk`, ...)
    pub name: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = FieldsFormat::Text)]
    pub format: FieldsFormat,
}

/// Output formats of `fields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FieldsFormat {
    /// Readable text
    Text,
    /// JSON
    Json,
}
