//! The sync: pull conversations from Genesys Cloud into the archive, completely and exactly
//! once, within the API's limits.
//!
//! Lookups first (so records show names), then the planned windows — the query windows
//! (recent data) while the details jobs of the job windows run on Genesys' side, then the job
//! windows in order; each window's pages are stored as they arrive (idempotent upserts) and the
//! window is checkpointed when its last page is in, so a sync killed at any moment resumes
//! where it stopped, losing nothing and storing nothing twice. Then participant attributes for
//! records that lack them (when the settings need them), and a re-fetch of conversations still
//! going on.
//!
//! The engine is a library so that tests can run it in-process against a simulator whose clock
//! they control.

use std::time::{Duration, Instant};

use calltrail_client::api::{self, RawPage};
use calltrail_client::plan::{self, Mode, Via, Window, JOB_PAGE_SIZE, QUERY_PAGE_SIZE, QUERY_RESULT_CAP};
use calltrail_client::{ClientError, Http};
use calltrail_model::Timestamp;
use calltrail_store::{Store, StoreError, UpsertReport, WindowRow};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Why a sync, or one of its windows, stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// `--resume` without an interrupted sync.
    #[error("there is no interrupted sync to resume")]
    NothingToResume,
    /// A details job for a window failed, expired or was cancelled on every attempt.
    #[error("the details job for {interval} failed three times")]
    JobFailed {
        /// The window's interval, as sent.
        interval: String,
    },
    /// The API could not be asked, or refused.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The archive could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// When to fetch participant attributes from the Conversations API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AttributesMode {
    /// When records lack them and the settings use them (`[reason]` or `[ivr]`)
    Auto,
    /// For every record that lacks them
    Always,
    /// Never
    Never,
}

/// What to sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Range start (ms).
    pub from: i64,
    /// Range end (ms).
    pub to: i64,
    /// Query, jobs, or both.
    pub mode: Mode,
    /// Attributes enrichment.
    pub attributes: AttributesMode,
    /// Recent history that goes to the query even when jobs have it (ms).
    pub lookback_ms: i64,
    /// Continue the interrupted sync instead of starting one.
    pub resume: bool,
    /// Whether the settings use attributes.
    pub settings_need_attributes: bool,
    /// How long the Conversations API keeps conversations (ms); older ones are not asked for.
    pub conversations_retention_ms: i64,
    /// Now (ms), by the API's clock: what "too old" is measured from.
    pub now_ms: i64,
    /// Details jobs submitted at a time: the one a window waits for and those of the next
    /// windows, running beside it (at least 1; [`JOBS_AT_ONCE`] by default).
    pub jobs_at_once: usize,
}

/// How many details jobs a sync has submitted at a time, unless told otherwise: enough to
/// keep Genesys working on the next windows while one is paged, few enough to stay within an
/// organisation's limit on concurrent jobs (not published; `--jobs` lowers it).
pub const JOBS_AT_ONCE: usize = 3;

/// What a sync did.
#[derive(Debug, Default, Clone)]
pub struct SyncReport {
    /// Windows pulled in this run.
    pub windows: u64,
    /// Records stored.
    pub records: UpsertReport,
    /// Conversations enriched with attributes.
    pub enriched: u64,
    /// Conversations too old for the Conversations API.
    pub too_old: u64,
    /// Conversations still going on, re-fetched.
    pub refreshed: u64,
    /// API requests (retries included).
    pub requests: u64,
    /// Token requests.
    pub token_requests: u64,
    /// Retries.
    pub retries: u64,
    /// 429s met.
    pub rate_limited: u64,
    /// Time taken.
    pub elapsed: Duration,
    /// Windows that failed (the sync is incomplete).
    pub failed: Vec<String>,
    /// What the sync went on without: a listing or the Conversations API the client may not
    /// use (403), each with the permission the API named.
    pub warnings: Vec<String>,
}

/// Progress bars, one per phase; hidden off a terminal.
pub struct Progress {
    multi: MultiProgress,
}

impl Progress {
    /// Bars drawn to stderr when `visible`.
    pub fn new(visible: bool) -> Self {
        let target = if visible { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        Progress { multi: MultiProgress::with_draw_target(target) }
    }

    fn bar(&self, len: u64, label: &str) -> ProgressBar {
        let bar = self.multi.add(ProgressBar::new(len));
        bar.set_style(bar_style("{prefix:>11} [{bar:30}] {pos}/{len} {msg} ({rate}, eta {eta})"));
        bar.set_prefix(label.to_owned());
        bar
    }

    fn spinner(&self, label: &str) -> ProgressBar {
        let bar = self.multi.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("{prefix:>11} {spinner} {pos} {msg} ({rate})")
                .map_or_else(|_| ProgressStyle::default_spinner(), with_rate),
        );
        bar.set_prefix(label.to_owned());
        bar
    }
}

/// A bar drawn with `template`, whose `{rate}` is items per second as people read it
/// (`330/s`, `2.5/s`), not to four decimals as `{per_sec}` is.
pub fn bar_style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .map_or_else(|_| ProgressStyle::default_bar(), with_rate)
        .progress_chars("=> ")
}

fn with_rate(style: ProgressStyle) -> ProgressStyle {
    style.with_key("rate", |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
        let rate = state.per_sec();
        let _ =
            if rate >= 10.0 || rate == 0.0 { write!(out, "{rate:.0}/s") } else { write!(out, "{rate:.1}/s") };
    })
}

fn interval(w: &Window) -> String {
    format!("{}/{}", Timestamp(w.start).to_rfc3339(), Timestamp(w.end).to_rfc3339())
}

/// A window as the progress bar shows it, to the minute: `2024-05-01 00:00 → 05-08 00:00 UTC`.
fn window_label(w: &Window) -> String {
    let utc = calltrail_model::Zone::utc();
    let minute = |ms: i64| utc.minute(ms).unwrap_or_else(|| Timestamp(ms).to_rfc3339());
    let (from, to) = (minute(w.start), minute(w.end));
    let to = match to.strip_prefix(from.get(..5).unwrap_or_default()) {
        Some(same_year) => same_year,
        None => &to,
    };
    format!("{from} → {to} UTC")
}

fn raw_slices(page: &RawPage) -> Vec<&[u8]> {
    page.conversations.iter().map(|r| r.get().as_bytes()).collect()
}

fn now_ms() -> i64 {
    calltrail_model::Timestamp::now().0
}

fn to_row(w: &Window) -> WindowRow {
    WindowRow { start_ms: w.start, end_ms: w.end, job: w.via == Via::Job, done: false }
}

fn from_row(r: &WindowRow) -> Window {
    Window { start: r.start_ms, end: r.end_ms, via: if r.job { Via::Job } else { Via::Query } }
}

/// Runs a sync.
pub async fn run(
    http: &Http,
    store: &mut Store,
    options: &SyncOptions,
    progress: &Progress,
) -> Result<SyncReport, SyncError> {
    let started = Instant::now();
    let mut report = SyncReport::default();
    // Nothing to resume is known before asking the API anything.
    let resumed = if options.resume {
        Some(store.interrupted_sync()?.ok_or(SyncError::NothingToResume)?.id)
    } else {
        None
    };

    // Lookups, so that derived calls show names.
    let lookups_bar = progress.bar(5, "lookups");
    for (kind, path, required) in [
        ("users", "/api/v2/users", true),
        ("queues", "/api/v2/routing/queues", true),
        ("wrapup_codes", "/api/v2/routing/wrapupcodes", true),
        ("flows", "/api/v2/flows", true),
        // Names of flow outcomes; an organisation may not grant access to them.
        ("flow_outcomes", "/api/v2/flows/outcomes", false),
    ] {
        lookups_bar.set_message(kind);
        match api::entities(http, path).await {
            Ok(entities) => {
                store.put_lookups(kind, &api::names(&entities))?;
                if kind == "queues" {
                    // What each queue's waits are measured against in queue performance.
                    let levels: Vec<_> = entities.iter().flat_map(calltrail_model::service_levels).collect();
                    store.put_service_levels(&levels)?;
                }
            }
            Err(ClientError::Status { status: 403 | 404, .. }) if !required => {}
            // Names are worth having, not worth the sync: their ids stay ids.
            Err(ClientError::Status { status: 403, message, .. }) => {
                let what = match kind {
                    "users" => "user names",
                    "queues" => "queue names or service-level targets",
                    "wrapup_codes" => "wrap-up code names",
                    _ => "flow names",
                };
                report.warnings.push(format!("no {what}: the API refused to list them (403: {message})"));
            }
            Err(e) => return Err(e.into()),
        }
        lookups_bar.inc(1);
    }
    lookups_bar.finish_with_message("names");

    // The plan: a new one, or the interrupted sync's.
    let sync_id = if let Some(id) = resumed {
        id
    } else {
        let availability = if options.mode == Mode::Auto { api::availability(http).await? } else { None };
        let windows = plan::plan(options.from, options.to, options.mode, availability, options.lookback_ms);
        let rows: Vec<WindowRow> = windows.iter().map(to_row).collect();
        let mode = match options.mode {
            Mode::Auto => "auto",
            Mode::Query => "query",
            Mode::Jobs => "jobs",
        };
        store.start_sync(options.from, options.to, mode, &rows, now_ms())?
    };

    let windows_bar = progress.bar(0, "windows");
    let records_bar = progress.spinner("records");
    // Windows that failed stay pending for `--resume`; the others go on.
    let mut failed: Vec<(i64, i64)> = Vec::new();
    let mut ahead: Vec<JobAhead> = Vec::new();
    loop {
        let windows = store.windows(sync_id)?;
        windows_bar.set_length(windows.len() as u64);
        windows_bar.set_position(windows.iter().filter(|w| w.done).count() as u64);
        let pending: Vec<WindowRow> =
            windows.into_iter().filter(|w| !w.done && !failed.contains(&(w.start_ms, w.end_ms))).collect();
        // The next job windows' jobs run on Genesys' side while other windows are paged: the
        // query windows first, then the job windows in turn.
        let next_jobs: Vec<WindowRow> =
            pending.iter().filter(|w| w.job).take(options.jobs_at_once).copied().collect();
        submit_ahead(http, &next_jobs, &mut ahead).await;
        let Some(row) = pending.iter().find(|w| !w.job).or(next_jobs.first()).copied() else {
            break;
        };
        let window = from_row(&row);
        windows_bar.set_message(window_label(&window));
        let outcome = match window.via {
            Via::Query => query_window(http, store, sync_id, row, &records_bar, &mut report).await,
            Via::Job => {
                let submitted = ahead.iter().position(|a| a.is_for(&row)).map(|i| ahead.remove(i));
                job_window(http, store, sync_id, row, submitted, &records_bar, &mut report).await
            }
        };
        match outcome {
            Ok(()) => report.windows += 1,
            Err(e) => {
                report.failed.push(format!("{}: {e}", interval(&window)));
                failed.push((row.start_ms, row.end_ms));
            }
        }
    }
    windows_bar.finish();
    records_bar.finish();

    // Participant attributes the records lack.
    let enrich = match options.attributes {
        AttributesMode::Never => false,
        AttributesMode::Always => true,
        AttributesMode::Auto => options.settings_need_attributes,
    };
    if enrich && report.failed.is_empty() {
        let oldest = options.now_ms - options.conversations_retention_ms;
        let ids = store.ids_without_attributes()?;
        if !ids.is_empty() {
            tracing::info!(
                "participant attributes: {} conversations lack them; asking the Conversations API",
                ids.len()
            );
        }
        let bar = progress.bar(ids.len() as u64, "attributes");
        for (id, start) in ids {
            if start < oldest {
                report.too_old += 1;
            } else {
                match api::conversation(http, &id).await {
                    Ok(Some(raw)) => {
                        store.put_api_record(&id, &raw, now_ms())?;
                        report.enriched += 1;
                    }
                    Ok(None) => report.too_old += 1,
                    // Refused for one, refused for all: the records stay as the analytics API gave them.
                    Err(ClientError::Status { status: 403, message, .. }) => {
                        report.warnings.push(format!(
                            "no participant data from the Conversations API: it refused (403: {message})"
                        ));
                        break;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            bar.inc(1);
        }
        bar.finish();
    }

    // Conversations still going on: fetch them again, by id.
    let open = store.open_ids()?;
    if !open.is_empty() {
        tracing::info!("{} conversations had not ended; fetching them again by id", open.len());
        let bar = progress.bar(open.len() as u64, "ongoing");
        for chunk in open.chunks(100) {
            let page = api::multi_get(http, chunk).await?;
            let r = store.upsert(&raw_slices(&page), "get", now_ms())?;
            report.records.add(r);
            report.refreshed += chunk.len() as u64;
            bar.inc(chunk.len() as u64);
        }
        bar.finish();
    }

    let state = if report.failed.is_empty() { "done" } else { "incomplete" };
    store.finish_sync(sync_id, state, &report.warnings, now_ms())?;
    let (requests, tokens, retries, limited) = http.stats().snapshot();
    report.requests = requests;
    report.token_requests = tokens;
    report.retries = retries;
    report.rate_limited = limited;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Requests used so far, and 429s met, on the records bar.
fn show_requests(http: &Http, bar: &ProgressBar) {
    let (requests, _, retries, limited) = http.stats().snapshot();
    bar.set_message(format!("records; {requests} requests, {retries} retried, {limited} × 429"));
}

async fn query_window(
    http: &Http,
    store: &mut Store,
    sync_id: i64,
    row: WindowRow,
    records: &ProgressBar,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let window = from_row(&row);
    let text = interval(&window);
    let mut page_number = 1;
    let mut stored = 0u64;
    loop {
        let page = api::details_query(http, &text, QUERY_PAGE_SIZE, page_number).await?;
        let total = page.total_hits.unwrap_or(0);
        if page_number == 1 && total > QUERY_RESULT_CAP {
            // Too many to page: halve the window and plan again.
            if let Some([first, second]) = plan::halve(window) {
                tracing::info!(
                    "window {text}: {total} conversations, more than one query may page; split in two"
                );
                store.split_window(sync_id, row, &[to_row(&first), to_row(&second)])?;
                return Ok(());
            }
        }
        let n = page.conversations.len();
        let r = store.upsert(&raw_slices(&page), "query", now_ms())?;
        report.records.add(r);
        stored += n as u64;
        records.inc(n as u64);
        show_requests(http, records);
        if n < QUERY_PAGE_SIZE || (page_number * QUERY_PAGE_SIZE) as u64 >= total {
            break;
        }
        page_number += 1;
    }
    store.mark_window_done(sync_id, row, stored)?;
    tracing::info!("window {text} done through the query: {stored} conversations in {page_number} pages");
    Ok(())
}

/// A details job submitted for a window before its turn.
struct JobAhead {
    start_ms: i64,
    end_ms: i64,
    job: String,
    at: Instant,
}

impl JobAhead {
    fn is_for(&self, row: &WindowRow) -> bool {
        (self.start_ms, self.end_ms) == (row.start_ms, row.end_ms)
    }
}

/// Submits the jobs of the windows `next` not submitted yet, keeping only the jobs of those
/// windows: one submitted for a window no longer among them (it failed, or the sync resumed) is
/// left to expire. A job that cannot be submitted now is submitted in its window's turn.
async fn submit_ahead(http: &Http, next: &[WindowRow], ahead: &mut Vec<JobAhead>) {
    ahead.retain(|a| next.iter().any(|w| a.is_for(w)));
    for row in next {
        if ahead.iter().any(|a| a.is_for(row)) {
            continue;
        }
        let text = interval(&from_row(row));
        match api::submit_job(http, &text).await {
            Ok(job) => {
                tracing::debug!("window {text}: details job submitted before its turn");
                ahead.push(JobAhead { start_ms: row.start_ms, end_ms: row.end_ms, job, at: Instant::now() });
            }
            Err(e) => {
                tracing::info!(
                    "window {text}: its details job could not be submitted yet ({e}); it will be in its turn"
                );
                return;
            }
        }
    }
}

/// The first wait before asking how a job is doing, and the longest between two asks.
const FIRST_POLL: Duration = Duration::from_millis(500);
const LONGEST_POLL: Duration = Duration::from_secs(10);

/// One window through a details job: its job (`submitted` before its turn, else submitted
/// now), awaited with growing pauses from its submission, then its results paged by cursor. A
/// job that failed, expired or was cancelled is submitted again (three times at most).
async fn job_window(
    http: &Http,
    store: &mut Store,
    sync_id: i64,
    row: WindowRow,
    mut submitted: Option<JobAhead>,
    records: &ProgressBar,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let window = from_row(&row);
    let text = interval(&window);
    'submit: for attempt in 0..3 {
        let (job, mut wait) = match submitted.take() {
            Some(ahead) => (ahead.job, FIRST_POLL.saturating_sub(ahead.at.elapsed())),
            None => (api::submit_job(http, &text).await?, FIRST_POLL),
        };
        loop {
            tokio::time::sleep(wait).await;
            wait = (wait * 2).clamp(FIRST_POLL, LONGEST_POLL);
            match api::job_state(http, &job).await?.as_str() {
                "FULFILLED" => break,
                state @ ("FAILED" | "EXPIRED" | "CANCELLED") => {
                    tracing::info!("window {text}: the details job is {state}; submitting it again");
                    continue 'submit;
                }
                _ => {}
            }
        }
        let mut cursor: Option<String> = None;
        let mut stored = 0u64;
        loop {
            let page = match api::job_results(http, &job, cursor.as_deref(), JOB_PAGE_SIZE).await {
                Ok(p) => p,
                // The job expired while we paged: submit it again.
                Err(ClientError::Status { status: 400 | 404, .. }) if attempt < 2 => {
                    tracing::info!(
                        "window {text}: the details job expired while paging; submitting it again"
                    );
                    continue 'submit;
                }
                Err(e) => return Err(e.into()),
            };
            let n = page.conversations.len();
            let r = store.upsert(&raw_slices(&page), "job", now_ms())?;
            report.records.add(r);
            stored += n as u64;
            records.inc(n as u64);
            show_requests(http, records);
            match page.cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        store.mark_window_done(sync_id, row, stored)?;
        tracing::info!("window {text} done through a details job: {stored} conversations");
        return Ok(());
    }
    Err(SyncError::JobFailed { interval: text })
}

#[cfg(test)]
mod tests {
    use calltrail_client::plan::{Via, Window};

    #[test]
    fn a_window_is_labelled_to_the_minute_the_year_once() {
        let at = |t: &str| calltrail_model::Timestamp::parse(t).unwrap().0;
        let window = |from: &str, to: &str| Window { start: at(from), end: at(to), via: Via::Query };
        let label = super::window_label(&window("2026-11-22T00:00:00Z", "2026-11-25T03:06:12.011Z"));
        assert_eq!(label, "2026-11-22 00:00 → 11-25 03:06 UTC");
        let label = super::window_label(&window("2025-12-29T00:00:00Z", "2026-01-05T00:00:00Z"));
        assert_eq!(label, "2025-12-29 00:00 → 2026-01-05 00:00 UTC");
    }
}
