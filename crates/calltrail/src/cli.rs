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
    after_help = "Examples:\n  calltrail demo --serve\n  calltrail explain records.ndjson\n  calltrail sync --from today-7d\n  calltrail report queues --by day,hour --tz Europe/London\n  calltrail export --out lake/\n  calltrail serve\n  calltrail status\n  calltrail fields segmentType"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// The archive (SQLite file); default `db` in calltrail.toml, else ./calltrail.db
    /// (./calltrail-demo.db for `demo`)
    #[arg(long, global = true, env = "CALLTRAIL_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
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
    /// Run a simulator of the Genesys Cloud API, or write its synthetic records
    #[command(long_about = SIM_ABOUT)]
    Sim(SimArgs),
    /// The whole job on a simulated contact centre: sync a week of calls, then report
    #[command(long_about = DEMO_ABOUT)]
    Demo(DemoArgs),
    /// Pull conversation details from Genesys Cloud into the archive
    #[command(long_about = SYNC_ABOUT)]
    Sync(SyncArgs),
    /// List archived calls
    #[command(long_about = CALLS_ABOUT)]
    Calls(CallsArgs),
    /// Reports over the archive: ivr, reasons, phases, queues, wrapups, abandons, agents, repeats
    #[command(long_about = REPORT_ABOUT)]
    Report(ReportArgs),
    /// Export the archive as a Parquet, CSV or NDJSON lake partitioned by day
    #[command(long_about = EXPORT_ABOUT)]
    Export(ExportArgs),
    /// The web UI and JSON API over the archive: calls, timelines, the IVR map, reports
    #[command(long_about = SERVE_ABOUT)]
    Serve(ServeArgs),
    /// The archive at a glance: calls, the syncs and how they ended, what was quarantined
    #[command(long_about = STATUS_ABOUT)]
    Status(StatusArgs),
    /// Derive every archived call again from its raw record (after the rules or settings changed)
    Rederive,
    /// Print a tab-completion script for a shell: commands, options and their values
    #[command(long_about = COMPLETIONS_ABOUT)]
    Completions(CompletionsArgs),
}

const COMPLETIONS_ABOUT: &str = "\
Print a tab-completion script for a shell: it completes commands, options and the values of
options that have a fixed set (report names, formats, directions, modes).

Examples:
  calltrail completions bash > ~/.local/share/bash-completion/completions/calltrail
  calltrail completions zsh > ~/.zfunc/_calltrail      # with fpath+=~/.zfunc before compinit
  calltrail completions fish > ~/.config/fish/completions/calltrail.fish
  calltrail completions powershell >> $PROFILE";

/// `calltrail completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

const STATUS_ABOUT: &str = "\
The archive at a glance: how many calls and over which days, calls still going on, earlier
versions kept, names looked up, the last syncs and how they ended, and the records quarantined
because they could not be read.

Exits 1 when the latest sync did not finish (it failed part way, or was stopped: `calltrail
sync --resume` continues it), so a scheduler can watch it; 0 otherwise.

Examples:
  calltrail status
  calltrail status --format json | jq .syncs[0]";

/// `calltrail status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Output format [default: text on a terminal, json otherwise]
    #[arg(long, value_enum)]
    pub format: Option<TextOrJson>,
    /// Time zone for the times shown as text [default: UTC, or `tz` in calltrail.toml]
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
}

const DEMO_ABOUT: &str = "\
The whole job on a simulated contact centre: no account, no network.

Starts the Genesys Cloud simulator in this process, syncs N calls over the D days before today
into the archive (./calltrail-demo.db unless --db says otherwise) exactly as `calltrail sync`
would from Genesys Cloud, and prints a short report: directions, outcomes, why customers
called, wrap-ups, how many calls the same customer followed with another within the week, and
per queue the calls offered, answered and abandoned, the service level (answered within the
queue's own target) and its goal, the speed of answer and the handle time.

Example:
  calltrail demo --calls 5000 --days 7";

const SYNC_ABOUT: &str = "\
Pull conversation details from Genesys Cloud into the archive, every call exactly once.

The range is cut into windows the API accepts; history older than the jobs' data availability
date goes through the asynchronous jobs API (which also carries participant attributes), the
recent part through the details query. Requests are paced to --rate-limit; 429s, 5xx and
network errors are retried. Each window is checkpointed: a sync that stops half way continues
with --resume, and --incremental pulls what is new since the last sync (re-reading the last
--lookback, because Genesys reprocesses recent data). A listing the OAuth client may not read
(403) is skipped with a warning naming the permission; the calls are still pulled. A record
that cannot be read is kept in quarantine with its error (see `calltrail status`) and the
others are archived; the sync then exits 1, as it does when a window could not be pulled.

Credentials and region, as Genesys' own tools name them:
  GENESYSCLOUD_OAUTHCLIENT_ID, GENESYSCLOUD_OAUTHCLIENT_SECRET   client credentials
  GENESYSCLOUD_ACCESS_TOKEN                                      or a ready token
  GENESYSCLOUD_REGION (us-east-1, eu-west-1, mypurecloud.ie, ...) or
  GENESYSCLOUD_API_REGION (https://api.mypurecloud.ie), or --api-base
A proxy is taken from HTTPS_PROXY (or ALL_PROXY), with NO_PROXY, as curl reads them; an
--api-base on this machine (a simulator) is always reached directly.

Examples:
  calltrail sync --from 2024-05-01 --to 2024-05-08
  calltrail sync --from today-90d                 # history, then keep it current with:
  calltrail sync --incremental                    # (from cron, every 15 minutes, say)
  calltrail sync --resume
  calltrail sync --from 2024-05-01 --to 2024-05-02 --api-base http://127.0.0.1:8787";

const CALLS_ABOUT: &str = "\
List archived calls, oldest first, one line each: id, start, direction, media, customer number,
queue, who answered, reason, outcome, duration, handle time, wrap-up and who hung up. Every
filter narrows the list; names (queue, agent, wrap-up) are found in any case.

Examples:
  calltrail calls --from yesterday --outcome abandoned_in_queue
  calltrail calls --number \"+44 20 7946 0958\" --format json
  calltrail calls --attribute \"LOB=Mortgages\" --from today-7d --format csv > mortgages.csv
  calltrail calls --agent \"ana adams\" --wrapup \"Follow-up needed\"";

const REPORT_ABOUT: &str = "\
Reports over the archived calls, for a time range and the filters below, in the contact centre's
own time zone (--tz): days and hours are cut in local time. Every medium counts unless --media
says which: an e-mail waits hours in a queue where a call waits minutes. --queue selects the
calls a queue answered (or last held); for queues and agents, the waits in that queue and the
legs offered from it, calls passed on to another queue included. For queues, --media selects
waits of that media, as Genesys splits queue metrics: a callback waits as `callback`.

  ivr       the IVR map: every path (flows, succeeded outcomes, [ivr] checkpoint attributes)
            folded into a tree; at each step, calls that reached it, ended there, and how
  outcomes  per day (--by day,hour; queue): calls in, out and internal, how many ended each
            way (answered, abandoned in the IVR or queue, self-served, voicemail, callback,
            connected, not answered, ongoing), answer and abandon rates of inbound calls, AHT
  reasons   why customers call (the [reason] rule): volume, answer and abandon rates, AHT
  phases    IVR, queue wait, alert, talk, hold, ACW, handle: average, median, p90 per queue
            and day (--by queue | day | queue,day); each over the calls that had that phase
  queues    per queue, media and day (--by queue,day,hour for hourly intervals): offered,
            answered, abandoned, short abandons, service level (answered within the queue's
            own target for the media, or --target, of those answered or abandoned after
            --short) and the queue's goal for it, speed of answer (average, p90), handle
            time. It counts waits in a queue, as Genesys' queue metrics do: a call moved
            from one queue to another is offered to both, each with its own wait; a
            callback or an e-mail waits in its own row (--media email --target 1d)
  wrapups   concluding wrap-up codes per queue and the agent who chose them
  abandons  abandons in the IVR and per queue: rate, wait before giving up, short abandons
  agents    per agent: offered, answered, not responding, alert/talk/hold/ACW/handle
  repeats   customers who contacted again: per reason (--by queue: per queue), the inbound
            calls from a customer their number or address names, how many customers, how
            many of those calls the same customer followed with another inbound contact
            within --within (7d; looked for in the whole archive, past --to too), the repeat
            rate and the median time until that next contact

Examples:
  calltrail report ivr --from 2024-05-01 --to 2024-06-01 --tz Europe/London
  calltrail report reasons --from today-7d --to today      # the last seven whole days
  calltrail report outcomes --by day,hour --tz America/Chicago
  calltrail report phases --media voice --by queue --format csv > phases.csv
  calltrail report abandons --queue Billing --short 5s
  calltrail report repeats --from today-30d --within 24h   # who called back the same day
  calltrail report outcomes --attribute \"LOB=Mortgages\"   # the calls whose flows set it";

const EXPORT_ABOUT: &str = "\
Export the archive as files other engines read as tables: DIR/calls, DIR/phases,
DIR/agent_legs, DIR/queue_visits, DIR/ivr_steps, DIR/attributes and DIR/raw, each partitioned Hive-style by
the local day of the call's start (call_date=YYYY-MM-DD/part-0.parquet). Parquet columns are
typed: timestamps as UTC timestamps, durations as integer milliseconds. Run it again and only
the days holding calls that changed since the last export to DIR are rewritten (--full
rewrites all). Each file is written whole and renamed into place.

Examples:
  calltrail export --out lake/
  calltrail export --format csv --tables calls,agent-legs --out csv/ --tz America/Chicago
  duckdb -c \"SELECT call_date, count(*) FROM read_parquet('lake/calls/*/*.parquet',
    hive_partitioning = true) GROUP BY 1 ORDER BY 1\"";

/// `calltrail demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub data: SimDataArgs,
    /// Then serve the web UI on the demo archive (on --listen, default 127.0.0.1:8080)
    #[arg(long)]
    pub serve: bool,
    /// Where --serve listens
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR", requires = "serve")]
    pub listen: String,
}

/// `calltrail serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; anything but loopback needs --token
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: String,
    /// A token every request must carry (Authorization: Bearer, or ?token= once in a browser)
    #[arg(long, env = "CALLTRAIL_TOKEN", value_name = "TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Time zone of the pages when a page names none (IANA name) [default: UTC, or `tz` in
    /// calltrail.toml]
    #[arg(long, env = "CALLTRAIL_TZ", value_name = "ZONE")]
    pub tz: Option<String>,
}

const SERVE_ABOUT: &str = "\
The archive in a browser: a searchable list of calls; each call with its five answers, a
timeline picture (a lane per participant, coloured phases, transfers and who hung up), the IVR
path and participant data, wrap-up and note, and the raw record; the IVR map as a flow diagram;
reports with charts; the field glossary; sync status. The same data as JSON under /api/.

Pages are plain HTML and SVG rendered on the server: no scripts, nothing loaded from elsewhere.
The archive is opened read-only. Reports and the IVR map are folded over a copy of their
columns held in memory (about 160 MB for a million calls), loaded in the background at start
and again after a sync; /status shows its state. The search box finds text of three characters
or more anywhere in the id, numbers, addresses, agent, reason, wrap-up and queue, in any case.
It listens on loopback unless told otherwise; on any other address it refuses to start without
--token (or CALLTRAIL_TOKEN), and then every request must carry the token.

Examples:
  calltrail serve --db calltrail.db
  calltrail demo --serve
  CALLTRAIL_TOKEN=$(openssl rand -hex 16) calltrail serve --listen 0.0.0.0:8080";

/// `calltrail sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Start of the range, in UTC: RFC 3339 (2024-05-01T00:00:00Z), a time (2024-05-01 08:00),
    /// a date (2024-05-01), today, yesterday, now-48h or today-7d
    #[arg(long, value_name = "TIME", required_unless_present_any = ["resume", "incremental"])]
    pub from: Option<String>,
    /// End of the range (exclusive); default now
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// Pull what is new since the last sync
    #[arg(long, conflicts_with_all = ["from", "resume"])]
    pub incremental: bool,
    /// Continue the interrupted sync
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub resume: bool,
    /// Which endpoints: auto (jobs for history, query for recent data), query or jobs
    /// [default: auto, or `mode` in [sync] of calltrail.toml]
    #[arg(long, value_enum)]
    pub mode: Option<SyncMode>,
    /// When to fetch participant attributes from the Conversations API [default: auto, or
    /// `attributes` in [sync] of calltrail.toml]
    #[arg(long, value_enum)]
    pub attributes: Option<calltrail_sync::AttributesMode>,
    /// Recent history re-read through the query (30m, 48h, 2d, 1w) [default: 48h, or `lookback` in
    /// [sync] of calltrail.toml]
    #[arg(long, value_name = "DURATION")]
    pub lookback: Option<String>,
    /// Requests per minute [default: 300, or `rate_limit` in [sync] of calltrail.toml]
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<u32>,
    /// Details jobs submitted at a time: they run on Genesys' side while recent data and other
    /// windows are paged (1 for one at a time) [default: 3, or `jobs` in [sync] of calltrail.toml]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Full API base URL (overrides the region; http only for loopback) [default: from
    /// GENESYSCLOUD_API_REGION or GENESYSCLOUD_REGION, else [genesys] of calltrail.toml, else
    /// us-east-1]
    #[arg(long, value_name = "URL")]
    pub api_base: Option<String>,
}

/// Endpoint choice of `sync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SyncMode {
    /// Jobs for history, the query for recent data
    Auto,
    /// Only the details query
    Query,
    /// Only details jobs
    Jobs,
}

/// Which calls: the filters `calls` and `report` share.
#[derive(Debug, Clone, Args)]
pub struct FilterArgs {
    /// Calls that started at or after this time: RFC 3339, a time (2024-05-01 08:00) or a date
    /// or today (local midnight) in --tz, yesterday, now-48h, today-7d
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Calls that started before this time, written as for --from
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// inbound, outbound or internal
    #[arg(long, value_parser = ["inbound", "outbound", "internal"], ignore_case = true, hide_possible_values = true)]
    pub direction: Option<String>,
    /// Queue id or name (in any case)
    #[arg(long)]
    pub queue: Option<String>,
    /// Agent user id or name, in any case: the calls they took part in (answered or placed, or
    /// were transferred or offered); in `report agents`, their own legs
    #[arg(long)]
    pub agent: Option<String>,
    /// Wrap-up code id or name (in any case)
    #[arg(long)]
    pub wrapup: Option<String>,
    /// Customer number, typed any usual way (+44 20 7946 0958, (617) 555-0100): with + it matches
    /// numbers starting with it, without + its digits anywhere in the number
    #[arg(long)]
    pub number: Option<String>,
    /// Outcome (answered, abandoned_in_ivr, abandoned_in_queue, self_served, voicemail, callback, ...)
    #[arg(long, value_parser = outcomes(), ignore_case = true, hide_possible_values = true)]
    pub outcome: Option<String>,
    /// Media: voice, callback, chat, email, message, ...
    #[arg(long)]
    pub media: Option<String>,
    /// Reason for the call
    #[arg(long)]
    pub reason: Option<String>,
    /// Participant data: calls whose flows set KEY to VALUE, or set KEY at all when no value is
    /// given (both in any case): --attribute "LOB=Mortgages", --attribute MainIntent1. Recent
    /// calls have it when a sync fetched it (`--attributes always`, or `auto` with [reason] or
    /// [ivr] set)
    #[arg(long, value_name = "KEY=VALUE", value_parser = attribute_filter)]
    pub attribute: Option<String>,
    /// Time zone for dates and days (IANA name: Europe/London, America/Chicago) [default: UTC,
    /// or `tz` in calltrail.toml]
    #[arg(long, env = "CALLTRAIL_TZ", value_name = "ZONE")]
    pub tz: Option<String>,
}

/// `--attribute`: a key, with or without a value.
fn attribute_filter(text: &str) -> Result<String, String> {
    match calltrail_store::attribute(text) {
        Some(_) => Ok(text.to_owned()),
        None => Err("give a participant data key, and its value after `=`: LOB=Mortgages".to_owned()),
    }
}

/// The outcomes a call can have, for `--outcome`.
fn outcomes() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        calltrail_explain::Outcome::ALL.map(calltrail_explain::Outcome::as_str),
    )
}

/// `calltrail calls`.
#[derive(Debug, Args)]
pub struct CallsArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Most calls to list
    #[arg(long, default_value_t = 1000)]
    pub limit: usize,
    /// Output format; table on a terminal, ndjson otherwise
    #[arg(long, value_enum)]
    pub format: Option<TableFormat>,
}

/// `calltrail report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The report
    #[arg(value_enum)]
    pub name: ReportName,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// outcomes, phases, queues: group by any of queue, day and hour (queue,day; day,hour for
    /// intervals; hour alone for the pattern of a day) [default: day for outcomes, else
    /// queue,day]; repeats: queue for a row per queue instead of per reason
    #[arg(long, value_delimiter = ',', value_name = "GROUPS")]
    pub by: Option<Vec<GroupName>>,
    /// abandons, queues: abandons shorter than this are short abandons (90s, 1m)
    #[arg(long, default_value = "10s", value_name = "DURATION")]
    pub short: String,
    /// queues: the service level's target in every queue: waits answered within it meet it
    /// (20s, 1m, 1d) [default: each queue's own target for the media, from its settings, else 20s]
    #[arg(long, value_name = "DURATION")]
    pub target: Option<String>,
    /// repeats: a customer's next inbound contact within this counts as contacting again
    /// (24h, 7d, 30d)
    #[arg(long, default_value = "7d", value_name = "DURATION")]
    pub within: String,
    /// Output format; table on a terminal, ndjson otherwise
    #[arg(long, value_enum)]
    pub format: Option<TableFormat>,
}

/// The reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportName {
    /// The IVR map: every path through the IVR as a tree, where calls end and how
    Ivr,
    /// How calls ended, per day: volumes by direction and outcome, answer and abandon rates
    Outcomes,
    /// Why customers call: volumes, answer and abandon rates, average handle time
    Reasons,
    /// Phase durations (IVR, queue, alert, talk, hold, ACW, handle): average, median, p90
    Phases,
    /// Queue performance: offered, answered, abandoned, service level, speed of answer
    Queues,
    /// Wrap-up codes per queue and agent
    Wrapups,
    /// Where callers give up (IVR or which queue) and after how long
    Abandons,
    /// Agents: offered, answered, not responding, handle time
    Agents,
    /// Customers who contacted again within --within: the repeat contact rate per reason
    Repeats,
}

/// A `phases` or `queues` grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupName {
    /// One group per queue
    Queue,
    /// One group per local day
    Day,
    /// One group per local hour of the day (of each day, with `day`)
    Hour,
}

/// `calltrail export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// File format
    #[arg(long, value_enum, default_value_t = ExportFormatArg::Parquet)]
    pub format: ExportFormatArg,
    /// The lake's root folder: one sub-folder per table, one per local day under it
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Tables to export
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "calls,phases,agent-legs,queue-visits,ivr-steps,attributes,raw"
    )]
    pub tables: Vec<ExportTableArg>,
    /// Time zone whose local days partition the files (IANA name) [default: UTC, or `tz` in
    /// calltrail.toml]
    #[arg(long, env = "CALLTRAIL_TZ", value_name = "ZONE")]
    pub tz: Option<String>,
    /// Rewrite every day, not only the days with calls changed since the last export to DIR
    #[arg(long)]
    pub full: bool,
}

/// Export file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    /// Apache Parquet (typed columns; Snappy, raw records ZSTD)
    Parquet,
    /// CSV (formula-safe)
    Csv,
    /// One JSON object per line
    Ndjson,
}

/// Exported tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportTableArg {
    /// One row per call
    Calls,
    /// One row per phase of each call's timeline
    Phases,
    /// One row per agent leg
    AgentLegs,
    /// One row per wait in a queue
    QueueVisits,
    /// One row per IVR path step
    IvrSteps,
    /// One row per participant data key a call's flows set, with its value
    Attributes,
    /// The detail records as received
    Raw,
}

/// Formats of listings and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    /// Aligned columns for people
    Table,
    /// CSV (formula-safe)
    Csv,
    /// One JSON array
    Json,
    /// One JSON object per line
    Ndjson,
}

const SIM_ABOUT: &str = "\
Run a simulator of the Genesys Cloud API, or write its synthetic records.

`calltrail sim` serves a stand-in for Genesys Cloud on a loopback address: OAuth client
credentials, the conversation details query and jobs, single and multi gets, the Conversations
API, and the users, queues, wrap-up codes and flows listings, with a per-client rate limit and
optional faults. Its contact centre is synthetic and seeded: the same --calls, --days and --seed
give the same conversations, with the same ids, on the same day. Point calltrail, the official
Genesys SDKs or any other tool at the address it prints.

`calltrail sim generate` writes the same records to stdout, with their ground truth on request.
`calltrail sim scenarios` lists the kinds of call it makes and how each shows in a record.

Examples:
  calltrail sim --listen 127.0.0.1:8787 --calls 5000 --days 7
  calltrail sim --faults flaky --rate-limit 60 --client my-id:my-secret
  calltrail sim generate --calls 100 --days 1 --truth truth.ndjson > records.ndjson";

/// `calltrail sim`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SimArgs {
    #[command(subcommand)]
    pub command: Option<SimCommand>,
    #[command(flatten)]
    pub serve: SimServeArgs,
}

/// What the synthetic contact centre generates.
#[derive(Debug, Clone, Args)]
pub struct SimDataArgs {
    /// Conversations to generate
    #[arg(long, default_value_t = 5000, value_name = "N")]
    pub calls: usize,
    /// Spread over this many whole UTC days before today
    #[arg(long, default_value_t = 7, value_name = "D")]
    pub days: u32,
    /// Seed of the synthetic contact centre
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
}

/// `calltrail sim` (serving).
#[derive(Debug, Args)]
pub struct SimServeArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8787", value_name = "ADDR")]
    pub listen: String,
    #[command(flatten)]
    pub data: SimDataArgs,
    /// Faults to inject: none, flaky (5xx, 429 bursts, slow and truncated responses, token
    /// expiry) or hostile (adversarial and malformed records, plus the flaky faults)
    #[arg(long, default_value = "none", value_name = "PROFILE")]
    pub faults: String,
    /// Requests per minute per client before 429s
    #[arg(long, default_value_t = 300, value_name = "N")]
    pub rate_limit: u32,
    /// Accept only this client id and secret (default: any non-empty pair)
    #[arg(long, value_name = "ID:SECRET")]
    pub client: Option<String>,
    /// Days the Conversations API keeps a conversation (older ones answer 404)
    #[arg(long, default_value_t = 60, value_name = "N")]
    pub retention_days: u32,
    /// How long a details job stays queued before it is fulfilled, in milliseconds
    #[arg(long, default_value_t = 2000, value_name = "MS")]
    pub job_delay_ms: i64,
    /// Answer as if the client's role lacked this permission (repeatable): the endpoints that
    /// need it answer 403, e.g. --deny architect:flow:view
    #[arg(long = "deny", value_name = "PERMISSION")]
    pub deny: Vec<String>,
}

/// `calltrail sim` subcommands.
#[derive(Debug, Subcommand)]
pub enum SimCommand {
    /// Write synthetic detail records to stdout
    Generate(SimGenerateArgs),
    /// List the scenarios and how each shows in a detail record
    Scenarios,
}

/// `calltrail sim generate`.
#[derive(Debug, Args)]
pub struct SimGenerateArgs {
    #[command(flatten)]
    pub data: SimDataArgs,
    /// ndjson: one AnalyticsConversation per line, with attributes (like job results);
    /// query: query response pages of 100, one per line, without attributes;
    /// jobs: job results pages of 1000 with a cursor, one per line
    #[arg(long, value_enum, default_value_t = GenerateFormat::Ndjson)]
    pub format: GenerateFormat,
    /// Also write the ground truth, one JSON object per conversation and line
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
    /// Also write the lookups file (id → name) for `calltrail explain --lookups`
    #[arg(long, value_name = "FILE")]
    pub lookups: Option<PathBuf>,
}

/// Formats of `sim generate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GenerateFormat {
    /// One record per line
    Ndjson,
    /// Query response pages
    Query,
    /// Job results pages
    Jobs,
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
outcome): as a story (text), as call records (json, ndjson), or as one flat row per call
(csv, for a spreadsheet).

Ids become names (users, queues, wrap-up codes, flows, flow outcomes) from --lookups, or from
the archive's cached lookups when one is named with --db (or `db` in calltrail.toml); where both
name an id, --lookups wins.

A record that cannot be read is reported on stderr with its line and conversation id; the
others are still explained, and the exit code is 1.

Examples:
  calltrail explain conversation.json
  calltrail explain query-response.json --format csv > calls.csv
  curl … | calltrail explain --format ndjson --lookups lookups.json
  calltrail --db calltrail.db explain exported.ndjson    # names from the archive's lookups
  calltrail --db calltrail.db explain 8acee780            # an archived call, by its id's start";

const FIELDS_ABOUT: &str = "\
The glossary: what each field of the detail record means for a real call.

Without NAME, lists every field. With NAME (a field such as `ani`, `session.dnis`,
`segmentType` or a metric such as `tTalk`), shows where the field appears, what it means,
its values and the pitfalls people meet with it.";

/// `calltrail explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Detail records to explain: a file, or `-` for standard input (the default); with an
    /// archive (--db, or `db` in calltrail.toml), a conversation id in it, or the start of one
    /// (four characters or more)
    #[arg(value_name = "FILE|ID")]
    pub input: Option<PathBuf>,
    /// Output format; `text` on a terminal, `ndjson` otherwise
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ExplainFormat>,
    /// JSON file of id → name maps: {"users": {...}, "queues": {...}, "wrapup_codes": {...},
    /// "flows": {...}, "flow_outcomes": {...}}; laid over the archive's names when --db is given
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
    /// One row per call, the record's answers in flat columns (for spreadsheets)
    Csv,
}

/// `calltrail fields`.
#[derive(Debug, Args)]
pub struct FieldsArgs {
    /// A field or metric name (`ani`, `session.dnis`, `disconnectType`, `tTalk`, ...), or a value
    /// seen in a record (`ININ-WRAP-UP-TIMEOUT`, `transportFailure`): the fields it is a value of
    pub name: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

/// Output formats of `fields` and `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    /// Readable text
    Text,
    /// JSON
    Json,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Help laid out by hand (indented lists and tables, as in `report --help`) fits 100
    /// columns, as the terminal shows it: clap would wrap a longer line in the middle of the
    /// layout around it. (A paragraph of prose is one line that clap wraps well.)
    #[test]
    fn help_laid_out_by_hand_fits_in_100_columns() {
        fn walk(cmd: &clap::Command, path: &str, long: &mut Vec<String>) {
            let path = format!("{path} {}", cmd.get_name());
            let texts =
                [cmd.get_about(), cmd.get_long_about(), cmd.get_after_help(), cmd.get_after_long_help()];
            for text in texts.into_iter().flatten() {
                let text = text.to_string();
                let laid_out = |l: &&str| l.starts_with(' ') && l.chars().count() > 100;
                long.extend(text.lines().filter(laid_out).map(|l| format!("{path}: {l}")));
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &path, long);
            }
        }
        let mut long = Vec::new();
        walk(&super::Cli::command(), "", &mut long);
        assert!(long.is_empty(), "{}", long.join("\n"));
    }
}
