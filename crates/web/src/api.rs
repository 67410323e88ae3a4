//! The JSON API: the same data as the pages, for scripts and dashboards. `/api/calls` pages
//! with `before` like the list; `/api/calls/{id}` is the call record; `/api/calls/{id}/raw`
//! the detail record as received.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use calltrail_explain::report::ReportKind;
use serde_json::{json, Value};

use crate::params::{Params, SiteParams};
use crate::{pages, AppState, Computed, WebError};

const PAGE: usize = 100;

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
    let json = state.with_store(move |store| store.call_json(&id)).await?;
    let json = json.ok_or_else(|| WebError::NotFound("no such call in the archive".into()))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
}

pub(crate) async fn raw(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, WebError> {
    let raw = state.with_store(move |store| store.raw(&id)).await?;
    let raw = raw.ok_or_else(|| WebError::NotFound("no such conversation in the archive".into()))?;
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
    let answer = pages::report_computed(&state, kind, &params).await?;
    match &*answer.value {
        Computed::Table(t) => Ok(answer.timed(Json(Value::Array(t.to_json_rows())).into_response())),
        Computed::Ivr(_) => Err(WebError::Internal("unexpected cache entry".into())),
    }
}

pub(crate) async fn fields(Query(params): Query<Params>) -> Response {
    Json(pages::glossary_entries(params.name.as_deref())).into_response()
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
            });
            Ok((status, store.change_seq()?))
        })
        .await?;
    status["report_index"] = json!(state.index_status(seq));
    Ok(Json(status).into_response())
}
