//! `calltrail sync` and `calltrail rederive`, and what they share: opening the archive,
//! reading times and durations, finding credentials and the region.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;
use calltrail_client::plan::Mode;
use calltrail_client::{Credentials, Http, RequestConfig, Secret};
use calltrail_explain::Settings;
use calltrail_model::zone::duration_ms;
use calltrail_model::{Timestamp, Zone};
use calltrail_store::{QuarantineRow, Store};

use crate::cli::{GlobalArgs, SyncArgs, SyncMode};
use crate::config::{Config, GenesysConfig};
use crate::printer::{count, Printer};
use crate::{Status, UsageError};
use calltrail_sync::{AttributesMode, Progress, SyncOptions, SyncReport};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// What a command opening the archive does with its calls, which decides the `[reason]` and
/// `[ivr]` settings it derives them with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deriving {
    /// Explains from it, stores nothing.
    Nothing,
    /// Derives the calls it stores (sync, demo).
    NewCalls,
    /// Derives every call again (rederive).
    EveryCall,
}

/// Opens the archive with the settings its calls are derived with: the configured ones
/// (calltrail.toml), or, when none are, those the archive's calls were derived with, so that a
/// sync or a rederive run elsewhere does not quietly change why calls are said to have come.
/// The settings are remembered when the first calls are stored and on a rederive; a sync with
/// other ones says so.
pub fn open_store(
    path: &Path,
    config: &Config,
    printer: &Printer,
    deriving: Deriving,
) -> anyhow::Result<Store> {
    crate::commands::calls::announce_upgrade(path, printer);
    if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty() && !f.exists()) {
        // `--db archives/calltrail.db` on a fresh machine: the folder is made, as `export --out` does.
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot make the folder `{}` for the archive", folder.display()))?;
    }
    let mut store = Store::open(path)?;
    let configured = config.settings();
    let stored = store.derived_with()?;
    let settings = match &stored {
        Some(stored) if configured == Settings::default() => stored.clone(),
        _ => configured,
    };
    match (deriving, &stored) {
        (Deriving::NewCalls, Some(stored)) if *stored != settings => printer.warn(&format!(
            "the configured [reason] and [ivr] ({}) differ from those the archive's calls were derived with ({}); new calls are derived with the configured ones\n\nhint: `calltrail rederive` derives every call with them",
            settings.summary(),
            stored.summary()
        )),
        (Deriving::Nothing, _) | (Deriving::NewCalls, Some(_)) => {}
        // An archive from before it remembered its settings keeps not knowing until a rederive.
        (Deriving::NewCalls, None) => {
            if store.is_empty()? {
                store.remember_settings(&settings)?;
            }
        }
        (Deriving::EveryCall, _) => store.remember_settings(&settings)?,
    }
    store.set_settings(settings);
    Ok(store)
}

/// The hint after a time that could not be read.
pub const TIME_HINT: &str =
    "hint: use RFC 3339 (2024-05-01T08:00:00Z), a time (2024-05-01 08:00), a date (2024-05-01), now, today, yesterday, now-48h or today-7d";

/// Reads a time in UTC: RFC 3339, a date, `now`, `today`, `yesterday`, `now-48h`, `today-7d`
/// (see [`Zone::instant`]).
pub fn parse_time(text: &str) -> Result<i64, UsageError> {
    Zone::utc()
        .instant(text, now_ms())
        .ok_or_else(|| UsageError(format!("`{text}` is not a time\n\n{TIME_HINT}")))
}

/// Reads `90s`, `30m`, `48h`, `2d`, `1w`.
pub fn parse_duration(text: &str) -> Result<i64, UsageError> {
    duration_ms(text)
        .ok_or_else(|| UsageError(format!("`{text}` is not a duration\n\nhint: use 90s, 30m, 48h, 2d or 1w")))
}

pub fn now_ms() -> i64 {
    Timestamp::now().0
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Credentials and endpoints: `--api-base`, else Genesys' environment variables, else
/// `[genesys]` of the configuration, else us-east-1.
pub fn connect(api_base: Option<&str>, genesys: &GenesysConfig, rate_limit: u32) -> anyhow::Result<Http> {
    let region = api_base
        .map(str::to_owned)
        .or_else(|| env("GENESYSCLOUD_API_REGION"))
        .or_else(|| env("GENESYSCLOUD_REGION"))
        .or_else(|| genesys.api_base.clone())
        .or_else(|| genesys.region.clone())
        .unwrap_or_else(|| "us-east-1".to_owned());
    let endpoints = calltrail_client::resolve(&region).map_err(UsageError)?;
    let client_id = env("GENESYSCLOUD_OAUTHCLIENT_ID").or_else(|| genesys.client_id.clone());
    let credentials = match (
        client_id,
        env("GENESYSCLOUD_OAUTHCLIENT_SECRET"),
        env("GENESYSCLOUD_ACCESS_TOKEN"),
    ) {
        (Some(id), Some(secret), _) => Credentials::Client { id, secret: Secret::new(secret) },
        (_, _, Some(token)) => Credentials::Token(Secret::new(token)),
        (id, secret, None) => {
            let what = match (id, secret) {
                (Some(_), None) => "GENESYSCLOUD_OAUTHCLIENT_SECRET is not set (the client id is)",
                (None, Some(_)) => "GENESYSCLOUD_OAUTHCLIENT_ID is not set (the secret is)",
                _ => "no credentials",
            };
            return Err(UsageError(format!(
                "{what}\n\nhint: set GENESYSCLOUD_OAUTHCLIENT_ID and GENESYSCLOUD_OAUTHCLIENT_SECRET to an OAuth \
                 client with the client-credentials grant (or GENESYSCLOUD_ACCESS_TOKEN to a token); the \
                 client id may also be given as `client_id` under [genesys] in calltrail.toml"
            ))
            .into());
        }
    };
    let config = RequestConfig { rate_limit_per_minute: rate_limit.max(1), ..RequestConfig::default() };
    Ok(Http::new(endpoints, credentials, config)?)
}

/// The one-paragraph summary of a sync, for stderr.
pub fn summary(report: &SyncReport) -> String {
    let r = &report.records;
    let mut text = format!(
        "synced {} in {:.1}s: {} added, {} updated, {} unchanged, {} quarantined; {} ({} retried, {} answered 429), {}",
        count(report.windows, "window"),
        report.elapsed.as_secs_f64(),
        r.added,
        r.updated,
        r.unchanged,
        r.quarantined,
        count(report.requests, "request"),
        report.retries,
        report.rate_limited,
        count(report.token_requests, "token request"),
    );
    if report.enriched > 0 || report.too_old > 0 {
        let _ = write!(text, "; attributes for {}", count(report.enriched, "conversation"));
    }
    if report.refreshed > 0 {
        let _ = write!(text, "; {} ongoing re-fetched", report.refreshed);
    }
    text
}

pub fn run(
    args: &SyncArgs,
    global: &GlobalArgs,
    config: &Config,
    printer: &Printer,
) -> anyhow::Result<Status> {
    let path = config.db_path(global.db.as_deref());
    let lookback =
        parse_duration(args.lookback.as_deref().or(config.sync.lookback.as_deref()).unwrap_or("48h"))?;
    let now = now_ms();
    // Everything the user may have to fix is checked before the archive is opened, so a sync
    // that cannot start leaves no archive behind.
    let asked = if args.incremental || args.resume {
        None
    } else {
        let from = parse_time(args.from.as_deref().unwrap_or_default())?;
        let to = args.to.as_deref().map(parse_time).transpose()?.unwrap_or(now);
        if args.to.is_none() && from >= now {
            return Err(UsageError(format!(
                "--from {} is in the future: there are no calls to pull yet",
                Timestamp(from).to_rfc3339()
            ))
            .into());
        }
        if to <= from {
            return Err(UsageError(format!(
                "--to ({}) must be after --from ({})",
                Timestamp(to).to_rfc3339(),
                Timestamp(from).to_rfc3339()
            ))
            .into());
        }
        Some((from, to))
    };
    if asked.is_none() && !path.exists() {
        let what =
            if args.resume { "no interrupted sync to resume" } else { "no earlier sync to continue from" };
        return Err(UsageError(format!(
            "{what}: there is no archive at `{}`\n\nhint: run `calltrail sync --from …` first, or name the archive with --db",
            path.display()
        ))
        .into());
    }
    let rate_limit = args.rate_limit.or(config.sync.rate_limit).unwrap_or(300);
    let http = connect(args.api_base.as_deref(), &config.genesys, rate_limit)?;
    let mut store = open_store(&path, config, printer, Deriving::NewCalls)?;
    let (from, to) = match asked {
        Some(range) => range,
        None if args.incremental => {
            let last = store.last_finished_sync()?.ok_or_else(|| {
                UsageError(
                    "no earlier sync to continue from\n\nhint: run `calltrail sync --from …` first".into(),
                )
            })?;
            (last.to_ms.min(now) - lookback, now)
        }
        None => (0, 0),
    };
    let settings = store.settings().clone();
    let options = SyncOptions {
        from,
        to,
        mode: match args.mode.or(config.sync.mode).unwrap_or(SyncMode::Auto) {
            SyncMode::Auto => Mode::Auto,
            SyncMode::Query => Mode::Query,
            SyncMode::Jobs => Mode::Jobs,
        },
        attributes: args.attributes.or(config.sync.attributes).unwrap_or(AttributesMode::Auto),
        lookback_ms: lookback,
        resume: args.resume,
        settings_need_attributes: !settings.reason.attributes.is_empty()
            || !settings.ivr.checkpoints.is_empty(),
        conversations_retention_ms: 60 * DAY,
        now_ms: now,
        jobs_at_once: args.jobs.or(config.sync.jobs).map_or(calltrail_sync::JOBS_AT_ONCE, usize::from).max(1),
    };
    let progress = Progress::new(printer.progress_visible());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    let report = runtime.block_on(calltrail_sync::run(&http, &mut store, &options, &progress)).map_err(
        |e| match e {
            calltrail_sync::SyncError::NothingToResume => anyhow::Error::new(UsageError(format!(
                "{e}\n\nhint: run `calltrail sync --from … --to …` or `calltrail sync --incremental`"
            ))),
            e => e.into(),
        },
    )?;
    printer.say(&summary(&report));
    if report.too_old > 0 {
        printer.warn(&format!(
            "{} conversations are too old for the Conversations API; their participant attributes cannot be fetched",
            report.too_old
        ));
    }
    for warning in &report.warnings {
        printer.warn(warning);
    }
    let quarantined = report.records.quarantined;
    if quarantined > 0 {
        let new = quarantined - report.records.quarantined_again;
        // An error, not a warning: it is why the sync exits 1, so `--quiet` shows it too.
        printer.error(&quarantine_notice(quarantined, new, &store.quarantined(3)?, now));
    }
    for failure in &report.failed {
        printer.error(&format!("window {failure}"));
    }
    if !report.failed.is_empty() {
        printer.warn(
            "the sync is incomplete\n\nhint: run `calltrail sync --resume` to pull the windows that failed",
        );
    }
    // Records refused are input rejected: the job did not fully succeed, though all else is kept.
    Ok(if report.failed.is_empty() && quarantined == 0 { Status::Success } else { Status::Failure })
}

/// What a sync says about the records it could not read: how many, how many of them are new to
/// the quarantine, the latest few of this sync (`since` its start) with their errors, and where
/// to see them all.
fn quarantine_notice(refused: u64, new: u64, latest: &[QuarantineRow], since: i64) -> String {
    let mut text = format!(
        "{} could not be read and {} kept in quarantine; every other record received was archived",
        count(refused, "record"),
        if refused == 1 { "is" } else { "are" }
    );
    if new == 0 {
        text.push_str(" (all of them since an earlier sync)");
    } else if new < refused {
        let _ = write!(text, " ({new} new, the others there since an earlier sync)");
    }
    for row in latest.iter().filter(|row| row.at_ms >= since) {
        let id = row.conversation_id.as_deref().unwrap_or("(no conversationId)");
        let _ = write!(text, "\n  conversation `{id}`: {}", row.error);
    }
    text.push_str("\n\nhint: `calltrail status` lists the records in quarantine with their errors");
    text
}

pub fn rederive(global: &GlobalArgs, config: &Config, printer: &Printer) -> anyhow::Result<Status> {
    let path = config.db_path(global.db.as_deref());
    if !path.exists() {
        return Err(UsageError(format!("no archive at `{}`", path.display())).into());
    }
    let mut store = open_store(&path, config, printer, Deriving::EveryCall)?;
    let n = store.rederive()?;
    printer.say(&format!("derived {n} calls again from their raw records ({})", store.settings().summary()));
    Ok(Status::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_durations() {
        assert_eq!(parse_time("2024-05-01").unwrap(), parse_time("2024-05-01T00:00:00Z").unwrap());
        assert!(parse_time("May 1st").is_err());
        assert_eq!(parse_duration("48h").unwrap(), 48 * HOUR);
        assert_eq!(parse_duration("2d").unwrap(), 2 * DAY);
        assert_eq!(parse_duration("90s").unwrap(), 90_000);
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-5m").is_err());
    }
}
