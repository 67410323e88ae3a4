//! The JSON API: the same data as the pages, for scripts and dashboards. `/api/calls` pages
//! with `before` like the list; `/api/calls/{id}` is the call record; `/api/calls/{id}/raw`
//! the detail record as received; `/api/reports/{name}` a report's rows (`format=csv` for the
//! command line's CSV). And `/calls.csv`: every call the list's filters select, as a download
//! for a spreadsheet, streamed a page at a time. Errors under `/api/` are JSON too:
//! `{"error": "…", "status": 400}`.

use axum::extract::{Path, Query, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use calltrail_explain::report::ReportKind;
use serde_json::{json, Value};

use crate::params::{Params, SiteParams};
use crate::{pages, AppState, Computed, WebError};

const PAGE: usize = 100;

/// An error's text, kept on its response (see [`pages::error_page`]).
#[derive(Debug, Clone)]
pub(crate) struct ErrorText(pub String);

/// Answers the errors of `/api/` requests as JSON, with the status and headers (such as
/// `WWW-Authenticate`) of the page they would have been.
pub(crate) async fn errors_as_json(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let Some(ErrorText(text)) = response.extensions().get::<ErrorText>().filter(|_| api).cloned() else {
        return response;
    };
    let status = response.status();
    let mut headers = response.headers().clone();
    headers.remove(header::CONTENT_TYPE);
    headers.remove(header::CONTENT_LENGTH);
    let mut json = (status, Json(json!({ "error": text, "status": status.as_u16() }))).into_response();
    json.headers_mut().extend(headers);
    json
}

/// Calls read per step of a CSV download: memory stays bounded however many match.
const CSV_PAGE: usize = 500;

/// What a CSV download starts with: the UTF-8 byte-order mark, without which Excel reads the
/// file in the machine's legacy code page and spoils every name with an accent.
const CSV_BOM: &str = "\u{feff}";

/// The CSV download's columns: the list's.
const CSV_COLUMNS: &str = "conversation_id,start,direction_label,media_type,customer_number,queue_name,\
answered_by_name,reason,outcome,duration_ms,wrapup_code_name,disconnect_by\n";

/// `/calls.csv`: every call the filters select, newest first, as formula-safe CSV; read from
/// the archive a page at a time while the client takes it.
pub(crate) async fn calls_csv(
    State(state): State<AppState>,
    SiteParams(params): SiteParams,
) -> Result<Response, WebError> {
    let filter = params.filter()?;
    // The first page is read before answering, so a broken archive is an error status.
    let first = {
        let filter = filter.clone();
        state.with_store(move |store| store.list_calls(&filter, None, CSV_PAGE)).await?
    };
    let (send, receive) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(2);
    tokio::spawn(async move {
        let mut page = first;
        let mut chunk = [CSV_BOM, CSV_COLUMNS].concat().into_bytes();
        loop {
            for call in &page {
                csv_row(call, &mut chunk);
            }
            if send.send(Ok(std::mem::take(&mut chunk))).await.is_err() || page.len() < CSV_PAGE {
                return;
            }
            let before = page.last().map(|c| c.cursor);
            let filter = filter.clone();
            let Ok(next) = state.with_store(move |store| store.list_calls(&filter, before, CSV_PAGE)).await
            else {
                // Cut the download short rather than let it pass for complete.
                let _ = send.send(Err(std::io::Error::other("the archive could not be read"))).await;
                return;
            };
            page = next;
        }
    });
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"calls.csv\""),
        ],
        axum::body::Body::from_stream(Chunks(receive)),
    )
        .into_response())
}

/// One call of the list as a CSV line.
fn csv_row(call: &calltrail_store::CallSummary, out: &mut Vec<u8>) {
    use calltrail_explain::report::csv_cell;
    let text = |v: Option<&String>| v.map_or_else(String::new, |t| csv_cell(t));
    let cells = [
        csv_cell(&call.conversation_id),
        call.start_ms.map_or_else(String::new, |ms| calltrail_model::Timestamp(ms).to_rfc3339()),
        csv_cell(&call.direction_label),
        text(call.media_type.as_ref()),
        text(call.customer_number.as_ref()),
        text(call.queue_name.as_ref()),
        text(call.answered_by_name.as_ref()),
        text(call.reason.as_ref()),
        csv_cell(&call.outcome),
        call.duration_ms.map_or_else(String::new, |ms| ms.to_string()),
        text(call.wrapup_code_name.as_ref()),
        text(call.disconnect_by.as_ref()),
    ];
    out.extend_from_slice(cells.join(",").as_bytes());
    out.push(b'\n');
}

/// The chunks of a streamed body, as they are sent.
struct Chunks(tokio::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>);

impl futures_core::Stream for Chunks {
    type Item = std::io::Result<Vec<u8>>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

pub(crate) async fn calls(
    State(state): State<AppState>,
    SiteParams(params): SiteParams,
) -> Result<Response, WebError> {
    let filter = params.filter()?;
    let before = params.cursor()?;
    let calls = state.with_store(move |store| store.list_calls(&filter, before, PAGE)).await?;
    let next = (calls.len() == PAGE)
        .then(|| calls.last().map(|c| format!("{}.{}", c.cursor.0, c.cursor.1)))
        .flatten();
    Ok(Json(json!({"calls": calls, "next": next})).into_response())
}

pub(crate) async fn call(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let lookup = id.clone();
    let json = state.with_store(move |store| store.call_json(&lookup)).await?;
    let Some(json) = json else { return Err(state.not_archived(id).await) };
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
}

pub(crate) async fn raw(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, WebError> {
    let lookup = id.clone();
    let raw = state.with_store(move |store| store.raw(&lookup)).await?;
    let Some(raw) = raw else { return Err(state.not_archived(id).await) };
    Ok(([(header::CONTENT_TYPE, "application/json")], raw).into_response())
}

pub(crate) async fn ivr(
    State(state): State<AppState>,
    SiteParams(params): SiteParams,
) -> Result<Response, WebError> {
    let answer = pages::ivr_computed(&state, &params).await?;
    match &*answer.value {
        Computed::Ivr(v) => Ok(answer.timed(Json(v.clone()).into_response())),
        Computed::Table(_) => Err(WebError::Internal("unexpected cache entry".into())),
    }
}

pub(crate) async fn report(
    State(state): State<AppState>,
    Path(name): Path<String>,
    SiteParams(params): SiteParams,
) -> Result<Response, WebError> {
    let kind =
        ReportKind::parse(&name).ok_or_else(|| WebError::NotFound(format!("no report named `{name}`")))?;
    let csv = match params.format.as_deref().map(str::trim) {
        None | Some("" | "json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(WebError::BadRequest(format!("`{other}` is not a format: use json or csv")))
        }
    };
    let answer = pages::report_computed(&state, kind, &params).await?;
    let Computed::Table(t) = &*answer.value else {
        return Err(WebError::Internal("unexpected cache entry".into()));
    };
    let response = if csv {
        let file = format!("attachment; filename=\"{}.csv\"", kind.as_str());
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, file),
            ],
            [CSV_BOM, &t.to_csv()].concat(),
        )
            .into_response()
    } else {
        Json(Value::Array(t.to_json_rows())).into_response()
    };
    Ok(answer.timed(response))
}

pub(crate) async fn fields(Query(params): Query<Params>) -> Response {
    Json(pages::glossary_entries(params.name.as_deref()).0).into_response()
}

pub(crate) async fn status(State(state): State<AppState>) -> Result<Response, WebError> {
    let (mut status, seq) = state
        .with_store(|store| {
            let counts = store.counts()?;
            let status = json!({
                "counts": {
                    "conversations": counts.conversations,
                    "history": counts.history,
                    "open": counts.open,
                    "quarantined": counts.quarantined,
                },
                "syncs": store.sync_statuses(20)?,
                "quarantine": store.quarantined(50)?,
                "derived_with": store.derived_with()?,
            });
            Ok((status, store.change_seq()?))
        })
        .await?;
    status["report_index"] = json!(state.index_status(seq));
    Ok(Json(status).into_response())
}
