//! Query-string parameters of the pages and the API, read into the archive's `CallFilter` and
//! a report's options. Empty fields (an untouched form input) mean "no filter"; dates are
//! local midnights in `tz`, which defaults to the contact centre's zone the server was started
//! with.

use std::fmt::Write as _;

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use calltrail_explain::report::{GroupBy, ReportKind, ReportOptions};
use calltrail_model::zone::duration_ms;
use calltrail_model::{Timestamp, Zone};
use calltrail_store::{CallFilter, NameKind, UnknownName};
use serde::Deserialize;

use crate::{AppState, WebError};

/// The query string's [`Params`], with `tz` set to the server's default zone when the request
/// names none.
pub(crate) struct SiteParams(pub Params);

impl FromRequestParts<AppState> for SiteParams {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let Query(mut params) = Query::<Params>::from_request_parts(parts, state)
            .await
            .map_err(|e| WebError::BadRequest(e.body_text()))?;
        if given(params.tz.as_ref()).is_none() {
            params.tz = state.default_tz().map(str::to_owned);
        }
        if [&params.queue, &params.agent, &params.wrapup].into_iter().any(|v| given(v.as_ref()).is_some()) {
            // Names as the archive spells them, whatever case they were typed in.
            let mut names = CallFilter {
                queue: given(params.queue.as_ref()),
                agent: given(params.agent.as_ref()),
                wrapup: given(params.wrapup.as_ref()),
                ..CallFilter::default()
            };
            let (names, unknown) = state
                .with_store(move |store| {
                    let unknown = store.spell_names(&mut names)?;
                    Ok((names, unknown))
                })
                .await?;
            (params.queue, params.agent, params.wrapup) = (names.queue, names.agent, names.wrapup);
            params.unknown_names = unknown;
        }
        Ok(SiteParams(params))
    }
}

/// Every parameter a page or API route reads.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Params {
    pub from: Option<String>,
    pub to: Option<String>,
    pub direction: Option<String>,
    pub media: Option<String>,
    pub queue: Option<String>,
    pub agent: Option<String>,
    pub wrapup: Option<String>,
    pub number: Option<String>,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    /// Participant data: `KEY=VALUE`, or `KEY` alone.
    pub attribute: Option<String>,
    pub q: Option<String>,
    pub tz: Option<String>,
    /// Calls list: continue after this cursor (`<start_ms>.<rowid>`).
    pub before: Option<String>,
    /// `phases`, `queues`: group by any of `queue`, `day`, `hour` (`queue,day` unless given).
    pub by: Option<String>,
    /// `queues`: the service level's target wait (`20s`).
    pub target: Option<String>,
    /// `abandons`, `queues`: abandons shorter than this are short (`10s`).
    pub short: Option<String>,
    /// `repeats`: a next contact within this counts as contacting again (`7d`).
    pub within: Option<String>,
    /// Glossary: one field.
    pub name: Option<String>,
    /// `/api/reports/{name}`: `json` (the default) or `csv`.
    pub format: Option<String>,
    /// The queue, agent or wrap-up names the archive does not know.
    #[serde(skip)]
    pub unknown_names: Vec<UnknownName>,
}

fn given(value: Option<&String>) -> Option<String> {
    value.map(|v| v.trim()).filter(|v| !v.is_empty()).map(str::to_owned)
}

impl Params {
    /// The zone, UTC unless `tz` names another.
    pub fn zone(&self) -> Result<Zone, WebError> {
        match given(self.tz.as_ref()) {
            Some(name) => Zone::named(&name).map_err(|e| WebError::BadRequest(e.to_string())),
            None => Ok(Zone::utc()),
        }
    }

    /// A time as the command line reads it (a date, RFC 3339, `today`, `now-48h`, …), so a link
    /// to "yesterday's calls" stays yesterday's.
    fn time(value: Option<&String>, zone: &Zone) -> Result<Option<i64>, WebError> {
        let Some(text) = given(value) else { return Ok(None) };
        zone.instant(&text, Timestamp::now().0).map(Some).ok_or_else(|| {
            WebError::BadRequest(format!(
                "`{text}` is not a time: use a date (YYYY-MM-DD), a time (YYYY-MM-DD HH:MM), an RFC \
                 3339 time, today, yesterday, now-48h or today-7d"
            ))
        })
    }

    /// How a report of `kind` groups and judges calls: the zone, `by` (the report's own
    /// grouping when not given), `target`, `short` and `within`.
    pub fn report_options(&self, kind: ReportKind) -> Result<ReportOptions, WebError> {
        let group_by = match given(self.by.as_ref()) {
            None => kind.default_group_by(),
            Some(by) => {
                let mut group_by = GroupBy { queue: false, day: false, hour: false };
                for part in by.split(',').map(str::trim) {
                    match part {
                        "queue" => group_by.queue = true,
                        "day" => group_by.day = true,
                        "hour" => group_by.hour = true,
                        other => {
                            return Err(WebError::BadRequest(format!(
                                "`{other}` is not a grouping: use queue, day or hour, joined by commas"
                            )))
                        }
                    }
                }
                group_by
            }
        };
        let duration = |value: Option<&String>| -> Result<Option<i64>, WebError> {
            given(value)
                .map(|text| {
                    duration_ms(&text).ok_or_else(|| {
                        WebError::BadRequest(format!("`{text}` is not a duration: use 20s, 1m, 90s or 7d"))
                    })
                })
                .transpose()
        };
        Ok(ReportOptions {
            zone: self.zone()?,
            group_by,
            service_target_ms: duration(self.target.as_ref())?,
            short_abandon_ms: duration(self.short.as_ref())?,
            repeat_within_ms: duration(self.within.as_ref())?,
        })
    }

    /// The archive filter these parameters describe.
    pub fn filter(&self) -> Result<CallFilter, WebError> {
        let zone = self.zone()?;
        let filter = CallFilter {
            from_ms: Self::time(self.from.as_ref(), &zone)?,
            to_ms: Self::time(self.to.as_ref(), &zone)?,
            direction: given(self.direction.as_ref()),
            media: given(self.media.as_ref()),
            queue: given(self.queue.as_ref()),
            agent: given(self.agent.as_ref()),
            wrapup: given(self.wrapup.as_ref()),
            number: given(self.number.as_ref()),
            outcome: given(self.outcome.as_ref()),
            reason: given(self.reason.as_ref()),
            attribute: given(self.attribute.as_ref()),
            text: given(self.q.as_ref()),
        };
        if filter.range_is_empty() {
            return Err(WebError::BadRequest(
                "“Before” must come after “From”: it is where the range stops, not included; for one \
                 whole day, give the next day."
                    .into(),
            ));
        }
        if filter.attribute.as_deref().is_some_and(|a| calltrail_store::attribute(a).is_none()) {
            return Err(WebError::BadRequest(
                "Participant data: give a key, and its value after “=”: LOB=Mortgages.".into(),
            ));
        }
        if filter.search_too_short() {
            return Err(WebError::BadRequest(
                "Search for three characters or more, a number starting with +, or the start of a conversation id."
                    .into(),
            ));
        }
        Ok(filter)
    }

    /// The calls list's cursor.
    pub fn cursor(&self) -> Result<Option<(i64, i64)>, WebError> {
        let Some(text) = given(self.before.as_ref()) else { return Ok(None) };
        let bad = || WebError::BadRequest(format!("`{text}` is not a page cursor"));
        let (start, rowid) = text.split_once('.').ok_or_else(bad)?;
        Ok(Some((start.parse().map_err(|_| bad())?, rowid.parse().map_err(|_| bad())?)))
    }

    /// The filters as a query string (to keep them in links), percent-encoded.
    pub fn query_string(&self) -> String {
        let pairs = [
            ("from", &self.from),
            ("to", &self.to),
            ("direction", &self.direction),
            ("media", &self.media),
            ("queue", &self.queue),
            ("agent", &self.agent),
            ("wrapup", &self.wrapup),
            ("number", &self.number),
            ("outcome", &self.outcome),
            ("reason", &self.reason),
            ("attribute", &self.attribute),
            ("q", &self.q),
            ("tz", &self.tz),
            ("by", &self.by),
            ("target", &self.target),
            ("short", &self.short),
            ("within", &self.within),
        ];
        pairs
            .iter()
            .filter_map(|(k, v)| given(v.as_ref()).map(|v| format!("{k}={}", encode(&v))))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// These parameters with a queue, agent or wrap-up name given instead.
    pub fn naming(&self, kind: NameKind, name: &str) -> Params {
        let mut params = self.clone();
        let field = match kind {
            NameKind::Queue => &mut params.queue,
            NameKind::Agent => &mut params.agent,
            NameKind::Wrapup => &mut params.wrapup,
        };
        *field = Some(name.to_owned());
        params.unknown_names.clear();
        params
    }

    /// A key for the report cache: the filters that shape a report.
    pub fn cache_key(&self, what: &str) -> String {
        format!("{what}?{}", self.query_string())
    }
}

/// Percent-encodes everything but unreserved characters (for query values and path
/// segments: a conversation id with `/` or `?` in it stays one segment).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_fields_do_not_filter_and_dates_are_local() {
        let p = Params {
            from: Some("2024-07-02".into()),
            queue: Some(" ".into()),
            tz: Some("Europe/London".into()),
            ..Params::default()
        };
        let f = p.filter().unwrap();
        assert_eq!(f.queue, None);
        assert_eq!(f.from_ms, Timestamp::parse("2024-07-01T23:00:00Z").map(|t| t.0));
        assert!(Params { tz: Some("Nowhere/Else".into()), ..Params::default() }.filter().is_err());
        assert!(Params { before: Some("x".into()), ..Params::default() }.cursor().is_err());
        assert_eq!(encode("a/b?c=<d>"), "a%2Fb%3Fc%3D%3Cd%3E");
    }
}
