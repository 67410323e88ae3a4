//! `calltrail sync` and `calltrail rederive`, and what they share: opening the archive,
//! reading times and durations, finding credentials and the region.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;
use calltrail_client::plan::Mode;
use calltrail_client::{Credentials, Http, RequestConfig, Secret};
use calltrail_model::Timestamp;
use calltrail_store::Store;

use crate::cli::{GlobalArgs, SyncArgs, SyncMode};
use crate::config::{Config, GenesysConfig};
use crate::printer::Printer;
use crate::{Status, UsageError};
use calltrail_sync::{AttributesMode, Progress, SyncOptions, SyncReport};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// Opens the archive with the configured settings.
pub fn open_store(path: &Path, config: &Config) -> anyhow::Result<Store> {
    let mut store = Store::open(path)?;
    store.set_settings(config.settings());
    Ok(store)
}

/// Reads RFC 3339 or a UTC date (`2024-05-01`).
pub fn parse_time(text: &str) -> Result<i64, UsageError> {
    if let Some(t) = Timestamp::parse(text) {
        return Ok(t.0);
    }
    if text.len() == 10 {
        if let Some(t) = Timestamp::parse(&format!("{text}T00:00:00Z")) {
            return Ok(t.0);
        }
    }
    Err(UsageError(format!(
        "`{text}` is not a time\n\nhint: use RFC 3339 (2024-05-01T08:00:00Z) or a UTC date (2024-05-01)"
    )))
}

/// Reads `90s`, `30m`, `48h`, `2d`.
pub fn parse_duration(text: &str) -> Result<i64, UsageError> {
    let bad = || UsageError(format!("`{text}` is not a duration\n\nhint: use 90s, 30m, 48h or 2d"));
    let (number, unit) = text.trim().split_at(text.trim().len().saturating_sub(1));
    let n: i64 = number.parse().map_err(|_| bad())?;
    let unit = match unit {
        "s" => 1000,
        "m" => 60_000,
        "h" => HOUR,
        "d" => DAY,
        _ => return Err(bad()),
    };
    n.checked_mul(unit).filter(|v| *v >= 0).ok_or_else(bad)
}

pub fn now_ms() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
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
    let credentials = match (client_id, env("GENESYSCLOUD_OAUTHCLIENT_SECRET"), env("GENESYSCLOUD_ACCESS_TOKEN")) {
        (Some(id), Some(secret), _) => Credentials::Client { id, secret: Secret::new(secret) },
        (_, _, Some(token)) => Credentials::Token(Secret::new(token)),
        _ => {
            return Err(UsageError(
                "no credentials\n\nhint: set GENESYSCLOUD_OAUTHCLIENT_ID and GENESYSCLOUD_OAUTHCLIENT_SECRET (or GENESYSCLOUD_ACCESS_TOKEN)".into(),
            )
            .into())
        }
    };
    let config = RequestConfig { rate_limit_per_minute: rate_limit.max(1), ..RequestConfig::default() };
    Ok(Http::new(endpoints, credentials, config)?)
}

/// The one-paragraph summary of a sync, for stderr.
pub fn summary(report: &SyncReport) -> String {
    let r = &report.records;
    let mut text = format!(
        "synced {} windows in {:.1}s: {} added, {} updated, {} unchanged, {} quarantined; {} requests ({} retried, {} answered 429), {} token requests",
        report.windows,
        report.elapsed.as_secs_f64(),
        r.added,
        r.updated,
        r.unchanged,
        r.quarantined,
        report.requests,
        report.retries,
        report.rate_limited,
        report.token_requests,
    );
    if report.enriched > 0 || report.too_old > 0 {
        let _ = write!(text, "; attributes for {} conversations", report.enriched);
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
    let mut store = open_store(&path, config)?;
    let lookback =
        parse_duration(args.lookback.as_deref().or(config.sync.lookback.as_deref()).unwrap_or("48h"))?;
    let now = now_ms();
    let (from, to) = if args.incremental {
        let last = store.last_finished_sync()?.ok_or_else(|| {
            UsageError("no earlier sync to continue from\n\nhint: run `calltrail sync --from …` first".into())
        })?;
        (last.to_ms.min(now) - lookback, now)
    } else if args.resume {
        (0, 0)
    } else {
        let from = parse_time(args.from.as_deref().unwrap_or_default())?;
        let to = args.to.as_deref().map(parse_time).transpose()?.unwrap_or(now);
        if to <= from {
            return Err(UsageError("--to must be after --from".into()).into());
        }
        (from, to)
    };
    let rate_limit = args.rate_limit.or(config.sync.rate_limit).unwrap_or(300);
    let http = connect(args.api_base.as_deref(), &config.genesys, rate_limit)?;
    let settings = config.settings();
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
    for failure in &report.failed {
        printer.error(&format!("window {failure}"));
    }
    if report.failed.is_empty() {
        Ok(Status::Success)
    } else {
        printer.warn(
            "the sync is incomplete\n\nhint: run `calltrail sync --resume` to pull the windows that failed",
        );
        Ok(Status::Failure)
    }
}

pub fn rederive(global: &GlobalArgs, config: &Config, printer: &Printer) -> anyhow::Result<Status> {
    let path = config.db_path(global.db.as_deref());
    if !path.exists() {
        return Err(UsageError(format!("no archive at `{}`", path.display())).into());
    }
    let mut store = open_store(&path, config)?;
    let n = store.rederive()?;
    printer.say(&format!("derived {n} calls again from their raw records"));
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
