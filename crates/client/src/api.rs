//! The endpoints calltrail uses, as typed calls that keep each conversation's raw JSON exactly
//! as received (the archive stores it losslessly).

use std::fmt::Write as _;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};

use crate::error::ClientError;
use crate::http::Http;

/// A page of conversations; each record is the exact JSON received.
#[derive(Debug)]
pub struct RawPage {
    /// The records.
    pub conversations: Vec<Box<RawValue>>,
    /// `totalHits` (query).
    pub total_hits: Option<u64>,
    /// `cursor` (job results).
    pub cursor: Option<String>,
    /// `dataAvailabilityDate` (job results).
    pub data_availability_date: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageWire {
    #[serde(default)]
    conversations: Option<Vec<Box<RawValue>>>,
    total_hits: Option<u64>,
    cursor: Option<String>,
    data_availability_date: Option<String>,
}

fn bad_json(method: &'static str, path: &str, source: serde_json::Error) -> ClientError {
    ClientError::BadJson { method, path: path.to_owned(), source, retries: 0 }
}

fn page(method: &'static str, path: &str, body: &[u8]) -> Result<RawPage, ClientError> {
    let wire: PageWire = serde_json::from_slice(body).map_err(|e| bad_json(method, path, e))?;
    Ok(RawPage {
        conversations: wire.conversations.unwrap_or_default(),
        total_hits: wire.total_hits,
        cursor: wire.cursor.filter(|c| !c.is_empty()),
        data_availability_date: wire.data_availability_date,
    })
}

/// `POST /api/v2/analytics/conversations/details/query`, one page, ascending by start.
pub async fn details_query(
    http: &Http,
    interval: &str,
    page_size: usize,
    page_number: usize,
) -> Result<RawPage, ClientError> {
    let path = "/api/v2/analytics/conversations/details/query";
    let body = json!({"interval": interval, "order": "asc", "orderBy": "conversationStart",
                      "paging": {"pageSize": page_size, "pageNumber": page_number}});
    let answer = http.send("POST", path, Some(&body), true).await?;
    page("POST", path, &answer.body)
}

/// `POST …/details/jobs`: the job id.
pub async fn submit_job(http: &Http, interval: &str) -> Result<String, ClientError> {
    let path = "/api/v2/analytics/conversations/details/jobs";
    let answer = http.send("POST", path, Some(&json!({"interval": interval})), true).await?;
    let v: Value = serde_json::from_slice(&answer.body).map_err(|e| bad_json("POST", path, e))?;
    v["jobId"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| ClientError::Config(format!("POST {path} returned no jobId")))
}

/// `GET …/jobs/{id}`: the job's state (`QUEUED`, `PENDING`, `FULFILLED`, `FAILED`, `EXPIRED`, …).
pub async fn job_state(http: &Http, job: &str) -> Result<String, ClientError> {
    let path = format!("/api/v2/analytics/conversations/details/jobs/{job}");
    let answer = http.send("GET", &path, None, true).await?;
    let v: Value = serde_json::from_slice(&answer.body).map_err(|e| bad_json("GET", &path, e))?;
    Ok(v["state"].as_str().unwrap_or("UNKNOWN").to_owned())
}

/// `GET …/jobs/{id}/results`: one page by cursor.
pub async fn job_results(
    http: &Http,
    job: &str,
    cursor: Option<&str>,
    page_size: usize,
) -> Result<RawPage, ClientError> {
    let mut path = format!("/api/v2/analytics/conversations/details/jobs/{job}/results?pageSize={page_size}");
    if let Some(c) = cursor {
        path.push_str("&cursor=");
        path.push_str(&encode(c));
    }
    let answer = http.send("GET", &path, None, true).await?;
    page("GET", &path, &answer.body)
}

/// `GET …/jobs/availability`: the data availability date (ms).
pub async fn availability(http: &Http) -> Result<Option<i64>, ClientError> {
    let path = "/api/v2/analytics/conversations/details/jobs/availability";
    let answer = http.send("GET", path, None, true).await?;
    let v: Value = serde_json::from_slice(&answer.body).map_err(|e| bad_json("GET", path, e))?;
    Ok(v["dataAvailabilityDate"].as_str().and_then(calltrail_model::Timestamp::parse).map(|t| t.0))
}

/// `GET /api/v2/analytics/conversations/details?id=…` (at most 100 ids).
pub async fn multi_get(http: &Http, ids: &[String]) -> Result<RawPage, ClientError> {
    let joined: Vec<String> = ids.iter().map(|id| encode(id)).collect();
    let path = format!("/api/v2/analytics/conversations/details?id={}", joined.join(","));
    let answer = http.send("GET", &path, None, true).await?;
    page("GET", &path, &answer.body)
}

/// `GET /api/v2/conversations/{id}`; `None` when Genesys no longer has it (404).
pub async fn conversation(http: &Http, id: &str) -> Result<Option<Vec<u8>>, ClientError> {
    let path = format!("/api/v2/conversations/{}", encode(id));
    match http.send("GET", &path, None, true).await {
        Ok(answer) => Ok(Some(answer.body)),
        Err(e) if e.status() == Some(404) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The `(id, name)` of each entity of a listing that has both.
pub fn names(entities: &[Value]) -> Vec<(String, String)> {
    entities
        .iter()
        .filter_map(|e| Some((e["id"].as_str()?.to_owned(), e["name"].as_str()?.to_owned())))
        .collect()
}

/// Every entity of a listing (`/api/v2/users`, `/api/v2/routing/queues`, …), page after page.
pub async fn entities(http: &Http, path: &str) -> Result<Vec<Value>, ClientError> {
    let mut out = Vec::new();
    for page_number in 1..=10_000 {
        let page_path = format!("{path}?pageSize=500&pageNumber={page_number}");
        let answer = http.send("GET", &page_path, None, true).await?;
        let mut v: Value =
            serde_json::from_slice(&answer.body).map_err(|e| bad_json("GET", &page_path, e))?;
        let page_count = v["pageCount"].as_u64().unwrap_or(1);
        let entities = match v.get_mut("entities").map(Value::take) {
            Some(Value::Array(entities)) => entities,
            _ => Vec::new(),
        };
        let last = entities.is_empty();
        out.extend(entities);
        if last || u64::try_from(page_number).unwrap_or(u64::MAX) >= page_count {
            break;
        }
    }
    Ok(out)
}

/// Percent-encodes a path or query component.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}
