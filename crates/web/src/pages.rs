//! The HTML pages: the calls list, one call with its five answers and timeline, the IVR map,
//! the reports, the glossary and the sync status. Written with `maud`, which escapes every
//! interpolated value; links to calls percent-encode the id.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use calltrail_explain::report::{mean, GroupBy, Kind, ReportKind, ReportOptions, Table};
use calltrail_explain::story::duration;
use calltrail_explain::Outcome;
use calltrail_model::glossary::{self, Field};
use calltrail_model::{Timestamp, Zone};
use calltrail_store::{NameKind, ATTRIBUTE_KEYS_SHOWN};
use maud::{html, Markup, DOCTYPE};
use serde_json::Value;

use crate::params::{encode, Params, SiteParams};
use crate::{svg, Answer, AppState, Computed, Source, WebError};

const PAGE: usize = 50;

/// The media types a contact centre's conversations come in (`AnalyticsSession.mediaType`).
const MEDIA: &[&str] = &["voice", "callback", "chat", "email", "message", "cobrowse", "video", "screenshare"];

fn layout(title: &str, active: &str, body: &Markup) -> Html<String> {
    let nav = [
        ("/", "Calls"),
        ("/ivr", "IVR map"),
        ("/reports", "Reports"),
        ("/fields", "Glossary"),
        ("/status", "Sync status"),
    ];
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " · calltrail" }
                    link rel="stylesheet" href="/style.css";
                }
                body {
                    header {
                        a.brand href="/" { "calltrail" }
                        nav {
                            @for (href, label) in nav {
                                a href=(href) class=[(active == href).then_some("active")] { (label) }
                            }
                        }
                    }
                    main { (body) }
                }
            }
        }
        .into_string(),
    )
}

/// An error or a refusal as a page, with its text kept on the response for the API, which
/// answers it as JSON (see [`crate::api::errors_as_json`]).
pub(crate) fn error_page(status: StatusCode, text: &str) -> Response {
    let body = html! {
        h1 { (status.as_u16()) " " (status.canonical_reason().unwrap_or("")) }
        p.error { (text) }
    };
    let mut response =
        (status, layout(status.canonical_reason().unwrap_or("Error"), "", &body)).into_response();
    response.extensions_mut().insert(crate::api::ErrorText(text.to_owned()));
    response
}

pub(crate) async fn not_found() -> Response {
    error_page(StatusCode::NOT_FOUND, "There is no page at this address.")
}

pub(crate) async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], STYLE)
        .into_response()
}

fn local(ms: Option<i64>, zone: &Zone) -> String {
    ms.and_then(|ms| zone.minute(ms)).unwrap_or_else(|| "—".to_owned())
}

/// The agents who connected to the call, in order — when one of them is not already named as a
/// party of it (as the story on the command line says them).
fn handled_by(call: &Value) -> Option<String> {
    let parties: Vec<&str> = ["/from", "/to", "/answered_by", "/placed_by"]
        .iter()
        .filter(|at| matches!(s(call, &format!("{at}/role")), Some("agent" | "user")))
        .filter_map(|at| s(call, &format!("{at}/user_id")))
        .collect();
    let legs = call.get("agents").and_then(Value::as_array).into_iter().flatten();
    let connected =
        legs.filter(|leg| leg.get("answered").and_then(Value::as_bool) == Some(true)).map(|leg| {
            let who = s(leg, "/user_id").or_else(|| s(leg, "/name")).unwrap_or("");
            (who, s(leg, "/name").or_else(|| s(leg, "/user_id")).unwrap_or("an agent"))
        });
    calltrail_explain::story::agents_beyond_parties(&parties, connected).map(|names| names.join(", "))
}

fn call_href(id: &str) -> String {
    format!("/calls/{}", encode(id))
}

fn opt(v: Option<&String>) -> &str {
    v.map_or("", String::as_str)
}

/// Groupings a report page offers, as `by` values and their labels.
const GROUPINGS: [(&str, &str); 6] = [
    ("queue,day", "queue and day"),
    ("queue", "queue"),
    ("day", "day"),
    ("queue,day,hour", "queue, day and hour"),
    ("day,hour", "day and hour"),
    ("hour", "hour of the day"),
];

/// A grouping as `by` writes it (`queue,day`).
fn grouping(group_by: GroupBy) -> String {
    let GroupBy { queue, day, hour } = group_by;
    let names = [(queue, "queue"), (day, "day"), (hour, "hour")];
    names.iter().filter(|(on, _)| *on).map(|(_, name)| *name).collect::<Vec<_>>().join(",")
}

/// The one media a picture or figure of queue waits is about: the one the filters name, else
/// voice (a target in seconds means nothing to an e-mail).
fn waits_media(params: &Params) -> String {
    params.media.as_deref().map(str::trim).filter(|m| !m.is_empty()).unwrap_or("voice").to_lowercase()
}

/// The names the filter form offers: queues to choose from, agents and wrap-up codes to
/// complete as they are typed.
pub(crate) struct FormNames {
    queues: Vec<String>,
    agents: Vec<String>,
    wrapups: Vec<String>,
    /// The participant data keys of the latest calls, most common first.
    attribute_keys: Vec<String>,
}

/// Names to complete from, at most: an organisation of thousands of users is not sent with
/// every page; there, names are typed (in any case).
const COMPLETED_NAMES: usize = 500;

/// Participant data keys to complete from, the most common: a flow that sets a key per item
/// can make thousands.
const ATTRIBUTE_KEYS_OFFERED: usize = 100;

impl FormNames {
    fn of(store: &calltrail_store::Store) -> Result<FormNames, calltrail_store::StoreError> {
        let completed = |kind: &str| -> Result<Vec<String>, calltrail_store::StoreError> {
            let names = store.lookup_names(kind)?;
            Ok(if names.len() > COMPLETED_NAMES { Vec::new() } else { names })
        };
        Ok(FormNames {
            queues: store.lookup_names(NameKind::Queue.lookup())?,
            agents: completed(NameKind::Agent.lookup())?,
            wrapups: completed(NameKind::Wrapup.lookup())?,
            attribute_keys: store
                .attribute_keys()?
                .1
                .into_iter()
                .map(|(key, _)| key)
                .take(ATTRIBUTE_KEYS_OFFERED)
                .collect(),
        })
    }
}

/// The filters (and, on a report's page, what shapes that report: its grouping, the service
/// level's target, the short-abandon threshold).
fn filter_form(
    params: &Params,
    action: &str,
    names: &FormNames,
    with_text: bool,
    report: Option<ReportKind>,
) -> Markup {
    let grouped = matches!(report, Some(ReportKind::Outcomes | ReportKind::Phases | ReportKind::Queues));
    let targeted = report == Some(ReportKind::Queues);
    let short = matches!(report, Some(ReportKind::Queues | ReportKind::Abandons));
    let repeats = report == Some(ReportKind::Repeats);
    let default_by = report.map(|kind| grouping(kind.default_group_by())).unwrap_or_default();
    let by = params.by.as_deref().map_or(default_by.as_str(), str::trim);
    let select = |name: &str, current: Option<&String>, options: &[&str]| {
        html! {
            select name=(name) {
                option value="" { "any" }
                @for o in options {
                    option value=(o) selected[current.map(String::as_str) == Some(*o)] { (o.replace('_', " ")) }
                }
            }
        }
    };
    let queue_options: Vec<&str> = names.queues.iter().map(String::as_str).collect();
    html! {
        form.filters method="get" action=(action) {
            label { "From " input type=(time_input(params.from.as_ref())) name="from" size="12" value=(opt(params.from.as_ref())); }
            label title="Calls that started before this time: for one whole day, the next day" { "Before " input type=(time_input(params.to.as_ref())) name="to" size="12" value=(opt(params.to.as_ref())); }
            label { "Direction " (select("direction", params.direction.as_ref(), &["inbound", "outbound", "internal"])) }
            label { "Media " (select("media", params.media.as_ref(), MEDIA)) }
            label { "Queue " (select("queue", params.queue.as_ref(), &queue_options)) }
            label { "Outcome " (select("outcome", params.outcome.as_ref(), &Outcome::ALL.map(Outcome::as_str))) }
            label { "Agent " input type="text" name="agent" size="12" list="agent-names" value=(opt(params.agent.as_ref())); }
            datalist #agent-names { @for name in &names.agents { option value=(name) {} } }
            label { "Reason " input type="text" name="reason" size="12" value=(opt(params.reason.as_ref())); }
            label { "Wrap-up " input type="text" name="wrapup" size="12" list="wrapup-names" value=(opt(params.wrapup.as_ref())); }
            datalist #wrapup-names { @for name in &names.wrapups { option value=(name) {} } }
            label { "Number " input type="text" name="number" size="12" value=(opt(params.number.as_ref())); }
            label title="Calls whose flows set a participant data key to a value (KEY=VALUE), or set the key at all (KEY), in any case" {
                "Participant data " input type="text" name="attribute" size="14" list="attribute-keys" placeholder="key=value" value=(opt(params.attribute.as_ref()));
            }
            datalist #attribute-keys { @for key in &names.attribute_keys { option value=(format!("{key}=")) {} } }
            @if with_text {
                label { "Search " input type="search" name="q" size="14" placeholder="id, number, name…" title="A conversation id or its start, a number as you would dial it, or three letters or more of a name, reason, wrap-up or queue" value=(opt(params.q.as_ref())); }
            }
            label { "Time zone " input type="text" name="tz" size="14" placeholder="UTC" value=(opt(params.tz.as_ref())); }
            @if grouped {
                label { "Per " select name="by" {
                    @for (value, label) in GROUPINGS {
                        option value=(value) selected[by == value] { (label) }
                    }
                } }
            }
            @if targeted {
                label title="Empty: each queue's own target for the media, from its settings (else 20s)" {
                    "Answered within " input type="text" name="target" size="8" placeholder="its target" value=(opt(params.target.as_ref()));
                }
            }
            @if short {
                label { "Short abandon under " input type="text" name="short" size="5" placeholder="10s" value=(opt(params.short.as_ref())); }
            }
            @if repeats {
                label { "Per " select name="by" {
                    option value="" selected[by.is_empty()] { "reason" }
                    option value="queue" selected[by == "queue"] { "queue" }
                } }
                label title="A customer's next inbound contact within this counts as contacting again" {
                    "Again within " input type="text" name="within" size="5" placeholder="7d" value=(opt(params.within.as_ref()));
                }
            }
            button type="submit" { "Show" }
        }
        @for unknown in &params.unknown_names {
            p.unknown-name {
                "No " (unknown.kind.noun()) " is named “" (unknown.given) "”"
                @if unknown.near.is_empty() {
                    " (the archive knows " (unknown.known) " " (unknown.kind.noun()) " names)."
                } @else {
                    ". Did you mean "
                    @for (i, name) in unknown.near.iter().enumerate() {
                        @if i > 0 { " or " }
                        a href=(format!("{action}?{}", params.naming(unknown.kind, name).query_string())) { (name) }
                    }
                    "?"
                }
            }
        }
    }
}

/// `/`: the calls list, newest first, filtered, paged by cursor.
pub(crate) async fn calls(
    State(state): State<AppState>,
    SiteParams(params): SiteParams,
) -> Result<Response, WebError> {
    let filter = params.filter()?;
    let zone = params.zone()?;
    let before = params.cursor()?;
    let (calls, names) = state
        .with_store(move |store| Ok((store.list_calls(&filter, before, PAGE)?, FormNames::of(store)?)))
        .await?;
    let next = (calls.len() == PAGE).then(|| calls.last()).flatten().map(|c| {
        let q = params.query_string();
        format!("/?{q}{}before={}.{}", if q.is_empty() { "" } else { "&" }, c.cursor.0, c.cursor.1)
    });
    let body = html! {
        h1 { "Calls" }
        (filter_form(&params, "/", &names, true, None))
        @if calls.is_empty() {
            p.muted { "No calls match." }
        } @else {
            p.muted { a.download href=(format!("/calls.csv?{}", params.query_string())) download="calls.csv" { "Download every call that matches, as CSV" } }
            table.calls {
                thead { tr {
                    th { "Started (" (zone.name()) ")" } th { "Direction" } th { "Media" } th { "Customer" } th { "Queue" }
                    th { "Answered by" } th { "Reason" } th { "Outcome" } th.num { "Length" } th { "Wrap-up" } th { "Hung up" }
                } }
                tbody {
                    @for c in &calls {
                        tr data-conversation=(c.conversation_id) {
                            td.when { a href=(call_href(&c.conversation_id)) { (local(c.start_ms, &zone)) } }
                            td { (c.direction_label) }
                            td { (opt(c.media_type.as_ref())) }
                            td { (opt(c.customer_number.as_ref())) }
                            td { (opt(c.queue_name.as_ref())) }
                            td { (opt(c.answered_by_name.as_ref())) }
                            td { (opt(c.reason.as_ref())) }
                            td { span class=(format!("outcome {}", c.outcome)) { (c.outcome.replace('_', " ")) } }
                            td.num { (c.duration_ms.map(duration).unwrap_or_default()) }
                            td { (opt(c.wrapup_code_name.as_ref())) }
                            // Nobody has hung up a call still going on.
                            td { @if c.outcome != "ongoing" { (opt(c.disconnect_by.as_ref())) } }
                        }
                    }
                }
            }
            @if let Some(next) = next { p { a.next href=(next) { "Older calls →" } } }
        }
    };
    Ok(layout("Calls", "/", &body).into_response())
}

fn s<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// A party as the call page names it: its name and number (a `tel:` address as the bare
/// number), else whichever of them is known, else its user id, else its role.
fn party(v: &Value, pointer: &str) -> String {
    let name = s(v, &format!("{pointer}/name"));
    let address = s(v, &format!("{pointer}/address")).map(|a| a.strip_prefix("tel:").unwrap_or(a));
    let role = s(v, &format!("{pointer}/role")).unwrap_or("");
    match (name, address) {
        (Some(n), Some(a)) if n != a => format!("{n} ({a})"),
        (Some(n), _) => n.to_owned(),
        (None, Some(a)) => a.to_owned(),
        (None, None) => match s(v, &format!("{pointer}/user_id")) {
            Some(user) => format!("user {user}"),
            None => role.to_owned(),
        },
    }
}

fn ms(v: &Value, pointer: &str) -> i64 {
    v.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

/// `/calls/{id}`: the five answers, the timeline, the IVR, the waits in queues, the legs, the raw
/// record.
pub(crate) async fn call(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SiteParams(params): SiteParams,
) -> Result<Response, WebError> {
    let zone = params.zone()?;
    let lookup = id.clone();
    let (json, raw, fetched) = state
        .with_store(move |store| {
            Ok((store.call_json(&lookup)?, store.raw(&lookup)?, store.fetched_ms(&lookup)?))
        })
        .await?;
    let Some(json) = json else {
        return Err(state.not_archived(id).await);
    };
    let call: Value = serde_json::from_str(&json).map_err(|e| WebError::Internal(e.to_string()))?;
    let raw: Option<Value> = raw.and_then(|r| serde_json::from_slice(&r).ok());
    let t = |name: &str| ms(&call, &format!("/totals/{name}"));
    let phases = [
        ("IVR", t("ivr_ms")),
        ("queue", t("queue_ms")),
        ("alert", t("alert_ms")),
        ("talk", t("talk_ms")),
        ("hold", t("hold_ms")),
        ("after-call work", t("acw_ms")),
        ("voicemail", t("voicemail_ms")),
    ];
    let not_responding: Vec<String> = call
        .get("agents")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|a| a.get("not_responding").and_then(Value::as_bool) == Some(true))
        .filter_map(|a| s(a, "/name").or_else(|| s(a, "/user_id")).map(str::to_owned))
        .collect();
    let handled_by = handled_by(&call);
    // A withheld caller (`anonymous`) shares a "number" with strangers: no such line for them.
    let customer = s(&call, "/customer_number").filter(|n| calltrail_explain::report::identifies_customer(n));
    let same_number = match customer {
        Some(number) => {
            let number = number.to_owned();
            state.with_store(move |store| store.calls_with_number(&number)).await?
        }
        None => 0,
    };
    let supervised = calltrail_explain::story::supervision(
        call.get("phases").and_then(Value::as_array).into_iter().flatten().map(|p| {
            let who = ["/name", "/user_id", "/participant_id"]
                .iter()
                .find_map(|k| s(p, k))
                .unwrap_or("a supervisor");
            (s(p, "/kind").unwrap_or(""), who, p.get("duration_ms").and_then(Value::as_i64).unwrap_or(0))
        }),
    );
    let attributes: Vec<(String, String)> = call
        .pointer("/ivr/attributes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
        .collect();
    let path: Vec<&str> = call
        .pointer("/ivr/path")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let outcome = s(&call, "/outcome").unwrap_or("unknown");
    let start_ms = call.get("start").and_then(Value::as_str).and_then(Timestamp::parse).map(|t| t.0);
    // A call still going on is drawn, and timed, up to the last time the archive saw it so.
    let ongoing = call.get("ongoing").and_then(Value::as_bool) == Some(true);
    let as_of = fetched.filter(|_| ongoing);
    // A chat or an e-mail is a conversation, not a call.
    let what = if matches!(s(&call, "/media_type"), Some("voice" | "callback") | None) {
        "Call"
    } else {
        "Conversation"
    };
    let body = html! {
        h1 { (what) " " code { (id) } }
        p.muted {
            (local(start_ms, &zone))
            " " (zone.name()) " · " (s(&call, "/media_type").unwrap_or("")) " · "
            a href=(format!("/api/calls/{}", encode(&id))) { "call record (JSON)" }
        }
        section.answers {
            div.answer data-answer="direction" {
                h2 { "From, to and direction" }
                p { strong { (s(&call, "/direction_label").unwrap_or("")) } " — from " (party(&call, "/from")) " to " (party(&call, "/to")) }
                p.muted { (s(&call, "/direction_reason").unwrap_or("")) }
                @if let (Some(number), true) = (customer, same_number > 1) {
                    p data-same-number=(same_number) {
                        a title="Every archived call with this customer's number" href={ "/?number=" (encode(number)) } {
                            (same_number) " calls with " (number)
                        }
                        " in the archive"
                    }
                }
            }
            div.answer data-answer="who" {
                h2 { "Who answered or placed it" }
                @match call.get("answered_by").filter(|v| !v.is_null()) {
                    Some(_) => p { "Answered by " strong { (party(&call, "/answered_by")) } },
                    None => p { "Nobody answered." },
                }
                p { "Placed by " (party(&call, "/placed_by")) }
                @if let Some(agents) = &handled_by { p { "Agents: " (agents) } }
                @if !not_responding.is_empty() { p.muted { "Rang out at: " (not_responding.join(", ")) } }
                @if let Some(supervised) = &supervised { p.muted { "Supervised: " (supervised) } }
            }
            div.answer data-answer="why" {
                h2 { "Why they called" }
                p { strong { (s(&call, "/ivr/reason").unwrap_or("not known")) }
                    @if let Some(source) = s(&call, "/ivr/reason_source") { span.muted { " (from " (source) ")" } } }
                @if !path.is_empty() { p.path { (path.join(" › ")) } }
            }
            div.answer data-answer="how-long" {
                h2 { "How long" }
                @match (call.get("duration_ms").and_then(Value::as_i64), as_of.zip(start_ms)) {
                    (Some(ms), _) => p { strong { (duration(ms)) } " in all" },
                    (None, Some((seen, start))) => p { strong { "still going on" } ", " (duration(seen - start))
                        " so far when last synced (" (local(Some(seen), &zone)) ")" },
                    (None, None) => p { strong { "still going on" } },
                }
                p.muted {
                    @for (name, v) in phases.iter().filter(|p| p.1 > 0) { span.phase-total { (name) " " (duration(*v)) } " " }
                }
            }
            div.answer data-answer="ending" {
                h2 { "How it ended" }
                @if ongoing {
                    p { span class=(format!("outcome {outcome}")) { (outcome.replace('_', " ")) } " · it had not ended when last synced" }
                } @else {
                    p { span class=(format!("outcome {outcome}")) { (outcome.replace('_', " ")) }
                        " · hung up by " (s(&call, "/disconnect/by").unwrap_or("unknown")) }
                }
                @if let Some(code) = s(&call, "/wrapup/code_name").or_else(|| s(&call, "/wrapup/code_id")) {
                    p { "Wrap-up: " strong.wrapup { (code) } }
                }
                @if let Some(note) = s(&call, "/wrapup/note") { blockquote.note { (note) } }
            }
        }
        h2 { "Timeline" }
        (svg::timeline(&call, as_of))
        @if !path.is_empty() || !attributes.is_empty() {
            h2 { "IVR" }
            @if !path.is_empty() { ol.ivr-path { @for step in &path { li { (step) } } } }
            @if !attributes.is_empty() {
                table.attributes {
                    thead { tr { th { "Participant data" } th { "Value" } } }
                    tbody { @for (k, v) in &attributes {
                        tr { td { (k) } td { a title="Calls whose flows set the same" href={ "/?attribute=" (encode(&format!("{k}={v}"))) } { (v) } } }
                    } }
                }
            }
        }
        @if let Some(visits) = call.get("queues").and_then(Value::as_array).filter(|q| !q.is_empty()) {
            h2 { "Queues" }
            table.queue-visits data-queue-visits=(visits.len()) {
                thead { tr { th { "Queue" } th { "Entered (" (zone.name()) ")" } th.num { "Waited" } th { "Ended" } } }
                tbody {
                    @for q in visits {
                        tr {
                            td { (s(q, "/queue_name").or_else(|| s(q, "/queue_id")).unwrap_or("")) }
                            td { (local(q.get("entered_at").and_then(Value::as_str).and_then(Timestamp::parse).map(|t| t.0), &zone)) }
                            td.num { (duration(ms(q, "/wait_ms"))) }
                            td { (calltrail_explain::story::queue_ending(s(q, "/outcome").unwrap_or(""))) }
                        }
                    }
                }
            }
        }
        @if let Some(agents) = call.get("agents").and_then(Value::as_array).filter(|a| !a.is_empty()) {
            h2 { "Agents" }
            table {
                thead { tr { th { "Agent" } th { "Queue" } th { "Answered" } th.num { "Alert" } th.num { "Talk" } th.num { "Hold" } th.num { "ACW" } th { "Wrap-up" } th { "Ended" } } }
                tbody {
                    @for a in agents {
                        tr {
                            td { (s(a, "/name").or_else(|| s(a, "/user_id")).unwrap_or("")) }
                            td { (s(a, "/queue_name").or_else(|| s(a, "/queue_id")).unwrap_or("")) }
                            td { @if a.get("answered").and_then(Value::as_bool) == Some(true) { "yes" } @else if a.get("not_responding").and_then(Value::as_bool) == Some(true) { "rang out" } @else { "no" } }
                            td.num { (duration(ms(a, "/alert_ms"))) } td.num { (duration(ms(a, "/talk_ms"))) }
                            td.num { (duration(ms(a, "/hold_ms"))) } td.num { (duration(ms(a, "/acw_ms"))) }
                            td { (s(a, "/wrapup/code_name").or_else(|| s(a, "/wrapup/code_id")).unwrap_or("")) }
                            td { (s(a, "/disconnect_type").unwrap_or("")) }
                        }
                    }
                }
            }
        }
        @if let Some(warnings) = call.get("warnings").and_then(Value::as_array).filter(|w| !w.is_empty()) {
            h2 { "Warnings" }
            ul.warnings { @for w in warnings { li { (w.as_str().unwrap_or("")) } } }
        }
        @if let Some(raw) = &raw {
            details.raw {
                summary { "The detail record as Genesys sent it (field names link to the glossary)" }
                pre { (json_tree(raw, 0)) }
            }
        }
    };
    Ok(layout(&format!("{what} {id}"), "", &body).into_response())
}

/// Pretty JSON with each key linked to its glossary entry.
fn json_tree(value: &Value, depth: usize) -> Markup {
    let pad = "  ".repeat(depth + 1);
    let close = "  ".repeat(depth);
    html! {
        @match value {
            Value::Object(map) => {
                "{\n"
                @for (i, (k, v)) in map.iter().enumerate() {
                    (pad) a.key href=(format!("/fields?name={}", encode(k))) { "\"" (k) "\"" } ": " (json_tree(v, depth + 1))
                    @if i + 1 < map.len() { "," } "\n"
                }
                (close) "}"
            }
            Value::Array(items) => {
                "[\n"
                @for (i, v) in items.iter().enumerate() {
                    (pad) (json_tree(v, depth + 1)) @if i + 1 < items.len() { "," } "\n"
                }
                (close) "]"
            }
            other => span.value { (other.to_string()) },
        }
    }
}

/// The IVR map for these parameters, from the cache while the archive is unchanged.
pub(crate) async fn ivr_computed(state: &AppState, params: &Params) -> Result<Answer, WebError> {
    let filter = params.filter()?;
    state
        .cached(params.cache_key("ivr"), move |store, index| {
            let (map, source) = match index.and_then(|index| index.ivr_map(&filter)) {
                Some(map) => (map, Source::Index),
                None => (store.ivr_map(&filter)?, Source::Archive),
            };
            Ok((Computed::Ivr(serde_json::to_value(&map).unwrap_or(Value::Null)), source))
        })
        .await
}

/// `/ivr`: the IVR map as a picture and as a table.
pub(crate) async fn ivr(
    State(state): State<AppState>,
    SiteParams(params): SiteParams,
) -> Result<Response, WebError> {
    let answer = ivr_computed(&state, &params).await?;
    let Computed::Ivr(map) = &*answer.value else {
        return Err(WebError::Internal("unexpected cache entry".into()));
    };
    let names = state.with_store(FormNames::of).await?;
    let total = map.pointer("/root/reached").and_then(Value::as_u64).unwrap_or(0);
    let body = html! {
        h1 { "IVR map" }
        p.muted { "Every path through the IVR — flows, succeeded outcomes, configured checkpoint attributes — folded into one tree. Each box is as tall as the calls that reached it; beside it, where calls ended right there and how." }
        (filter_form(&params, "/ivr", &names, false, None))
        p { strong data-ivr-calls=(total) { (total) } " calls went through the IVR." }
        (svg::ivr_map(map))
        h2 { "As a table" }
        (ivr_table(map))
    };
    Ok(answer.timed(layout("IVR map", "/ivr", &body).into_response()))
}

fn ivr_table(map: &Value) -> Markup {
    fn rows(node: &Value, depth: usize, out: &mut Vec<(usize, String, u64, u64, String)>) {
        let ended: Vec<(String, u64)> = node
            .get("ended")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
            .collect();
        out.push((
            depth,
            node.get("step").and_then(Value::as_str).unwrap_or("").to_owned(),
            node.get("reached").and_then(Value::as_u64).unwrap_or(0),
            ended.iter().map(|e| e.1).sum(),
            ended.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", "),
        ));
        for child in node.get("children").and_then(Value::as_array).into_iter().flatten() {
            rows(child, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    if let Some(root) = map.get("root") {
        rows(root, 0, &mut out);
    }
    html! {
        table.ivr {
            thead { tr { th { "Step" } th.num { "Reached" } th.num { "Ended here" } th { "How" } } }
            tbody {
                @for (depth, step, reached, ended, how) in out.iter().take(400) {
                    tr { td { ("\u{a0}".repeat(depth * 3)) (step) } td.num { (reached) } td.num { (ended) } td { (how) } }
                }
            }
        }
    }
}

/// A report for these parameters, from the cache while the archive is unchanged.
pub(crate) async fn report_computed(
    state: &AppState,
    kind: ReportKind,
    params: &Params,
) -> Result<Answer, WebError> {
    let options = params.report_options(kind)?;
    computed(state, kind, params, options, kind.as_str()).await
}

/// A report with these options over the calls the parameters select, cached as `name` (which
/// tells apart options the parameters do not carry).
async fn computed(
    state: &AppState,
    kind: ReportKind,
    params: &Params,
    options: ReportOptions,
    name: &str,
) -> Result<Answer, WebError> {
    let filter = params.filter()?;
    state
        .cached(params.cache_key(name), move |store, index| {
            match index.and_then(|index| index.report(kind, &filter, &options)) {
                Some(table) => Ok((Computed::Table(table), Source::Index)),
                None => Ok((Computed::Table(store.report(kind, &filter, &options)?), Source::Archive)),
            }
        })
        .await
}

/// `/reports`: an overview of the calls the filters select — headline figures and the calls of
/// each day by how they ended — then every report.
pub(crate) async fn reports_index(
    State(state): State<AppState>,
    SiteParams(params): SiteParams,
) -> Result<Response, WebError> {
    let kind = ReportKind::Outcomes;
    let answer = report_computed(&state, kind, &params).await?;
    let Computed::Table(by_day) = &*answer.value else {
        return Err(WebError::Internal("unexpected cache entry".into()));
    };
    // The service level over the queue waits of the same calls, of one media.
    let media = waits_media(&params);
    let of_media = Params { media: Some(media.clone()), ..params.clone() };
    let waits_options = ReportOptions {
        group_by: GroupBy { queue: false, day: false, hour: false },
        ..params.report_options(ReportKind::Queues)?
    };
    let waits = computed(&state, ReportKind::Queues, &of_media, waits_options, "queues-total").await?;
    let Computed::Table(waits) = &*waits.value else {
        return Err(WebError::Internal("unexpected cache entry".into()));
    };
    let waits = waits.to_json_rows().into_iter().next();
    // One target for every wait, or each queue's own.
    let target = waits
        .as_ref()
        .and_then(|r| r["target_ms"].as_i64())
        .map_or_else(|| "their queue's target".to_owned(), duration);
    // The goal, when every queue aims for the same.
    let goal = waits
        .as_ref()
        .and_then(|r| r["service_level_goal"].as_f64())
        .map_or_else(String::new, |g| format!(" (goal {:.0}%)", g * 100.0));
    let names = state.with_store(FormNames::of).await?;
    // The headline figures from the rows per day, each call being in one: counts added up,
    // rates and the average handle time made again from them.
    let rows = by_day.to_json_rows();
    let count = |key: &str| rows.iter().filter_map(|r| r[key].as_u64()).sum::<u64>();
    #[allow(clippy::cast_precision_loss)]
    let share = |part: u64, whole: u64| {
        if whole == 0 {
            "-".to_owned()
        } else {
            format!("{:.1}%", part as f64 * 100.0 / whole as f64)
        }
    };
    let handle_ms = rows.iter().filter_map(|r| r["handle_ms"].as_i64()).sum::<i64>();
    let handle = mean(handle_ms, count("handled")).map_or_else(|| "-".to_owned(), duration);
    let abandoned = count("abandoned_in_ivr") + count("abandoned_in_queue");
    // Each tile: its key, its name, its figure and a line under it.
    let tiles = [
        (
            "calls",
            "Calls",
            count("calls").to_string(),
            format!("{} in · {} out · {} internal", count("inbound"), count("outbound"), count("internal")),
        ),
        (
            "answer_rate",
            "Answered",
            share(count("answered"), count("inbound")),
            format!("{} inbound calls answered", count("answered")),
        ),
        (
            "abandon_rate",
            "Abandoned",
            share(abandoned, count("inbound")),
            format!("{} in the IVR · {} in a queue", count("abandoned_in_ivr"), count("abandoned_in_queue")),
        ),
        (
            "self_served",
            "Self-served",
            count("self_served").to_string(),
            "ended in the IVR, served".to_owned(),
        ),
        (
            "service_level",
            "Service level",
            waits
                .as_ref()
                .and_then(|r| r["service_level"].as_f64())
                .map_or_else(|| "-".to_owned(), |r| format!("{:.1}%", r * 100.0)),
            format!("{media} waits in queues answered within {target}{goal}"),
        ),
        (
            "speed_of_answer",
            "Speed of answer",
            waits
                .as_ref()
                .and_then(|r| r["avg_speed_of_answer_ms"].as_i64())
                .map_or_else(|| "-".to_owned(), duration),
            format!("average wait of the {media} waits answered"),
        ),
        ("avg_handle_ms", "Average handle time", handle, "talk, hold and after-call work".to_owned()),
    ];
    let q = params.query_string();
    let link = |path: &str| if q.is_empty() { path.to_owned() } else { format!("{path}?{q}") };
    let body = html! {
        h1 { "Reports" }
        (filter_form(&params, "/reports", &names, false, None))
        @if count("calls") == 0 {
            p.muted { "No calls match." }
        } @else {
            div.tiles {
                @for (key, name, value, note) in &tiles {
                    div.tile data-tile=(key) { span.name { (name) } span.value { (value) } span.muted { (note) } }
                }
            }
            (outcomes_chart(by_day, &params))
        }
        ul.reports {
            li { a href=(link("/ivr")) { (ReportKind::Ivr.title()) } }
            @for kind in ReportKind::ALL.iter().filter(|k| **k != ReportKind::Ivr) {
                li { a href=(link(&format!("/reports/{}", kind.as_str()))) { (kind.title()) } }
                @if *kind == ReportKind::Outcomes {
                    // The same report per day and hour: a heat map of when calls come in.
                    @let by_hour = Params { by: Some("day,hour".to_owned()), ..params.clone() }.query_string();
                    li { a href=(format!("/reports/outcomes?{by_hour}")) { "When calls come in: calls per hour of each day" } }
                }
            }
        }
    };
    Ok(answer.timed(layout("Reports", "/reports", &body).into_response()))
}

/// A date picker for a date (or nothing); a text field for a time written otherwise (`today`,
/// `now-48h`, RFC 3339), which a date picker would silently drop on the next submit.
fn time_input(value: Option<&String>) -> &'static str {
    let value = value.map_or("", |v| v.trim());
    let is_date = value.len() == 10
        && value
            .bytes()
            .enumerate()
            .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if value.is_empty() || is_date {
        "date"
    } else {
        "text"
    }
}

/// A report's picture: the phases and queues reports as stacked bars, the others as bars of
/// one column (the measure), each labelled by the others named.
fn chart(kind: ReportKind, table: &Table, params: &Params) -> Markup {
    let (measure, labels): (&str, &[&str]) = match kind {
        ReportKind::Outcomes => return outcomes_chart(table, params),
        ReportKind::Phases => return phases_chart(table),
        ReportKind::Queues => return queues_chart(table, &waits_media(params)),
        ReportKind::Agents => return agents_chart(table),
        ReportKind::Reasons => ("calls", &["reason"]),
        ReportKind::Wrapups => ("calls", &["wrapup", "queue"]),
        ReportKind::Abandons => ("abandon_rate", &["where", "queue"]),
        ReportKind::Ivr => ("reached", &["path"]),
        ReportKind::Repeats => ("repeat_rate", &["reason", "queue"]),
    };
    let Some(m) = table.index(measure) else { return html! {} };
    let label_idx: Vec<usize> = labels.iter().filter_map(|l| table.index(l)).collect();
    let mut bars: Vec<(String, f64, String)> = table
        .rows
        .iter()
        .filter_map(|row| {
            #[allow(clippy::cast_precision_loss)]
            let value = match &row[m] {
                calltrail_explain::report::Cell::Int(n) => *n as f64,
                calltrail_explain::report::Cell::Float(f) => *f,
                _ => return None,
            };
            let label = label_idx
                .iter()
                .filter_map(|&i| match &row[i] {
                    calltrail_explain::report::Cell::Text(t) if !t.is_empty() => Some(t.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join(" · ");
            #[allow(clippy::cast_possible_truncation)]
            let shown = match table.columns[m].kind {
                Kind::Ms => duration(value as i64),
                Kind::Rate => format!("{:.1}%", value * 100.0),
                _ => format!("{value}"),
            };
            Some((label, value, shown))
        })
        .collect();
    bars.sort_by(|a, b| b.1.total_cmp(&a.1));
    bars.truncate(20);
    svg::bars(&format!("{} (top {})", measure.replace('_', " "), bars.len()), &bars)
}

/// Each outcome's colour and name in the outcomes chart.
const OUTCOME_PIECES: [(Outcome, &str, &str); 9] = [
    (Outcome::Answered, "talk", "answered"),
    (Outcome::Connected, "wrapup", "connected (outbound, internal)"),
    (Outcome::SelfServed, "ivr", "self-served in the IVR"),
    (Outcome::AbandonedInIvr, "queue", "abandoned in the IVR"),
    (Outcome::AbandonedInQueue, "hold", "abandoned in a queue"),
    (Outcome::Voicemail, "voicemail", "voicemail"),
    (Outcome::Callback, "callback", "callback"),
    (Outcome::NotAnswered, "other", "not answered (outbound, internal)"),
    (Outcome::Ongoing, "contacting", "still going on"),
];

/// A row's label in a picture of a report grouped by some of queue, media, day and hour: the
/// groups it has, joined.
fn row_label(table: &Table) -> impl Fn(&Value) -> String {
    let leads: Vec<&'static str> =
        ["queue", "media", "day", "hour"].into_iter().filter(|c| table.index(c).is_some()).collect();
    move |row| leads.iter().filter_map(|c| row[*c].as_str()).collect::<Vec<_>>().join(" · ")
}

/// The outcomes report as a picture: a bar per row (day, hour or queue) as long as its calls,
/// split by how they ended; the inbound answer rate at its end.
fn outcomes_chart(table: &Table, params: &Params) -> Markup {
    if table.index("day").is_some() && table.index("hour").is_some() && table.index("queue").is_none() {
        let zone = params.zone().unwrap_or_default();
        return calls_by_hour_chart(table, zone.name());
    }
    let legend: Vec<(&str, &str)> = OUTCOME_PIECES.iter().map(|&(_, class, name)| (class, name)).collect();
    let label_of = row_label(table);
    let stacks: Vec<svg::Stack> = table
        .to_json_rows()
        .iter()
        .take(62)
        .map(|row| {
            let label = label_of(row);
            let label = if label.is_empty() { "all calls".to_owned() } else { label };
            #[allow(clippy::cast_precision_loss)]
            let parts = OUTCOME_PIECES
                .iter()
                .filter_map(|&(outcome, class, name)| {
                    let n = row[outcome.as_str()].as_u64().filter(|n| *n > 0)?;
                    Some(svg::Part { class, value: n as f64, title: format!("{label}: {n} {name}") })
                })
                .collect();
            let answered = row["answer_rate"]
                .as_f64()
                .map(|r| format!(" · {:.0}% answered", r * 100.0))
                .unwrap_or_default();
            svg::Stack {
                label,
                parts,
                total: match row["calls"].as_u64().unwrap_or(0) {
                    1 => format!("1 call{answered}"),
                    n => format!("{n} calls{answered}"),
                },
            }
        })
        .collect();
    svg::stacked("Calls by how they ended", &legend, &stacks)
}

/// The outcomes report per day and hour as a heat map: a row per day, a column per hour of the
/// day, each cell as dark as its calls are many: when calls come in, for staffing.
fn calls_by_hour_chart(table: &Table, zone: &str) -> Markup {
    let rows = table.to_json_rows();
    let mut days: Vec<String> = Vec::new();
    let mut cells = Vec::new();
    for row in &rows {
        let (Some(day), Some(hour)) = (row["day"].as_str(), row["hour"].as_str()) else { continue };
        let Some(column) = hour.get(..2).and_then(|h| h.parse::<usize>().ok()).filter(|h| *h < 24) else {
            continue;
        };
        if days.last().is_none_or(|d| d != day) {
            days.push(day.to_owned());
        }
        let calls = row["calls"].as_u64().unwrap_or(0);
        let answered = row["answer_rate"]
            .as_f64()
            .map(|r| format!(" · {:.0}% of inbound answered", r * 100.0))
            .unwrap_or_default();
        #[allow(clippy::cast_precision_loss)]
        cells.push(svg::Cell {
            row: days.len() - 1,
            column,
            value: calls as f64,
            title: format!("{day} {hour}: {calls} call{}{answered}", if calls == 1 { "" } else { "s" }),
        });
    }
    let hours: Vec<String> = (0..24).map(|h| format!("{h:02}")).collect();
    let caption = format!("Calls per hour of each day ({zone}): the darker, the more calls");
    svg::heatmap(&caption, &days, &hours, &cells)
}

/// The agents report as a picture: a bar per agent as long as the time they handled calls,
/// split into talk, hold and after-call work; the busiest first (as many as fit).
fn agents_chart(table: &Table) -> Markup {
    const PIECES: [(&str, &str, &str); 3] =
        [("talk_ms", "talk", "talk"), ("hold_ms", "hold", "hold"), ("acw_ms", "wrapup", "after-call work")];
    let mut rows = table.to_json_rows();
    rows.sort_by_key(|r| std::cmp::Reverse(r["total_handle_ms"].as_i64().unwrap_or(0)));
    let stacks: Vec<svg::Stack> = rows
        .iter()
        .filter(|r| r["total_handle_ms"].as_i64() > Some(0))
        .take(30)
        .map(|row| {
            let agent = row["agent"].as_str().unwrap_or_default().to_owned();
            #[allow(clippy::cast_precision_loss)]
            let parts = PIECES
                .iter()
                .filter_map(|&(key, class, what)| {
                    let ms = row[key].as_i64().filter(|ms| *ms > 0)?;
                    Some(svg::Part {
                        class,
                        value: ms as f64,
                        title: format!("{agent}: {} {what}", duration(ms)),
                    })
                })
                .collect();
            svg::Stack {
                label: agent,
                parts,
                total: format!(
                    "{} · {} answered",
                    duration(row["total_handle_ms"].as_i64().unwrap_or(0)),
                    row["answered"].as_u64().unwrap_or(0)
                ),
            }
        })
        .collect();
    let legend: Vec<(&str, &str)> = PIECES.iter().map(|&(_, class, what)| (class, what)).collect();
    svg::stacked(
        "Each agent's handle time, by talk, hold and after-call work; the busiest first",
        &legend,
        &stacks,
    )
}

/// The phases report as a picture: per queue over the whole range, each phase's average over
/// the calls that had it, stacked in the order a call meets them (handle time, their sum, left
/// out); the busiest queues first.
fn phases_chart(table: &Table) -> Markup {
    use calltrail_explain::report::Cell;
    /// One queue's phase, summed over the days.
    struct Sum {
        queue: String,
        phase: String,
        calls: u64,
        total_ms: i64,
    }
    const ORDER: [&str; 6] = ["ivr", "queue", "alert", "talk", "hold", "acw"];
    let (Some(phase), Some(calls), Some(total)) =
        (table.index("phase"), table.index("calls"), table.index("total_ms"))
    else {
        return html! {};
    };
    let queue = table.index("queue");
    let mut sums: Vec<Sum> = Vec::new();
    for row in &table.rows {
        let (Cell::Text(name), Cell::Int(n), Cell::Int(ms)) = (&row[phase], &row[calls], &row[total]) else {
            continue;
        };
        if !ORDER.contains(&name.as_str()) {
            continue;
        }
        let label = match queue.map(|q| &row[q]) {
            Some(Cell::Text(q)) => q.as_str(),
            _ => "all calls",
        };
        let n = u64::try_from(*n).unwrap_or(0);
        match sums.iter_mut().find(|s| s.queue == label && s.phase == *name) {
            Some(sum) => {
                sum.calls += n;
                sum.total_ms += ms;
            }
            None => sums.push(Sum { queue: label.to_owned(), phase: name.clone(), calls: n, total_ms: *ms }),
        }
    }
    sums.retain(|s| s.calls > 0);
    let mut queues: Vec<(&str, u64)> = Vec::new();
    for sum in &sums {
        match queues.iter_mut().find(|(q, _)| *q == sum.queue) {
            Some((_, busiest)) => *busiest = (*busiest).max(sum.calls),
            None => queues.push((&sum.queue, sum.calls)),
        }
    }
    queues.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let stacks: Vec<svg::Stack> = queues
        .iter()
        .take(20)
        .map(|(queue, _)| {
            let averages: Vec<(&Sum, i64)> = ORDER
                .iter()
                .filter_map(|phase| sums.iter().find(|s| s.queue == *queue && s.phase == *phase))
                .map(|s| (s, s.total_ms / i64::try_from(s.calls).unwrap_or(i64::MAX)))
                .collect();
            #[allow(clippy::cast_precision_loss)]
            let parts = averages
                .iter()
                .map(|(s, avg)| svg::Part {
                    class: svg::phase_class(&s.phase),
                    value: *avg as f64,
                    title: format!(
                        "{queue} · {} {} on average over {} calls",
                        s.phase,
                        duration(*avg),
                        s.calls
                    ),
                })
                .collect();
            let total = duration(averages.iter().map(|(_, avg)| avg).sum());
            svg::Stack { label: (*queue).to_owned(), parts, total }
        })
        .collect();
    svg::stacked("Average of each phase over the calls that had it, per queue", svg::KINDS, &stacks)
}

/// The queues report as a picture: a bar per row of one media (`media`, else every row when
/// none is of it), in the table's order (queues, days and hours in turn), as long as the waits
/// offered and split by how they ended. One media, as the table's rows of all would leave most
/// queues out of the bars there is room for.
fn queues_chart(table: &Table, media: &str) -> Markup {
    // Each piece's colour and name.
    const PIECES: [(&str, &str); 4] = [
        ("talk", "answered within the target"),
        ("queue", "answered later"),
        ("hold", "abandoned"),
        ("other", "moved on (transferred, or out to voicemail or a callback) or still waiting"),
    ];
    let count = |row: &Value, key: &str| row[key].as_u64().unwrap_or(0);
    let label_of = row_label(table);
    let mut rows = table.to_json_rows();
    let of_media = rows.iter().any(|r| r["media"] == media);
    if of_media {
        rows.retain(|r| r["media"] == media);
    }
    let stacks: Vec<svg::Stack> = rows
        .iter()
        .take(48)
        .map(|row| {
            let label = label_of(row);
            let within = count(row, "answered_within_target");
            let values = [
                within,
                count(row, "answered").saturating_sub(within),
                count(row, "abandoned"),
                count(row, "other"),
            ];
            #[allow(clippy::cast_precision_loss)]
            let parts = PIECES
                .iter()
                .zip(values)
                .filter(|(_, n)| *n > 0)
                .map(|(&(class, what), n)| svg::Part {
                    class,
                    value: n as f64,
                    title: format!("{label}: {n} {what}"),
                })
                .collect();
            let level = row["service_level"]
                .as_f64()
                .map_or_else(|| "-".to_owned(), |l| format!("{:.0}%", l * 100.0));
            let level = match row["service_level_goal"].as_f64() {
                Some(goal) => format!("{level} (goal {:.0}%)", goal * 100.0),
                None => level,
            };
            svg::Stack {
                label: label.clone(),
                parts,
                total: format!("{} offered · {level}", count(row, "offered")),
            }
        })
        .collect();
    let caption = if of_media {
        format!("The {media} waits offered to each queue, by how each ended; the service level at the end")
    } else {
        "Waits offered to each queue, per media, by how each ended; the service level at the end".to_owned()
    };
    svg::stacked(&caption, &PIECES, &stacks)
}

/// Rows a report page shows; the rest are in its CSV and JSON, which a spreadsheet or a
/// script reads better than a page of thousands of rows (a month of a million calls' phases
/// per queue and day is 5,500).
const PAGE_ROWS: usize = 500;

fn table_html(table: &Table) -> Markup {
    let mut rows = table.to_json_rows();
    rows.truncate(PAGE_ROWS);
    let columns: Vec<_> =
        table.columns.iter().filter(|c| c.show != calltrail_explain::report::Show::TableOnly).collect();
    html! {
        // A wide report scrolls within its box, not the page with it.
        div.wide { table.report {
            thead { tr { @for c in &columns { th class=[(c.kind != Kind::Text).then_some("num")] { (c.label()) } } } }
            tbody {
                @for row in &rows {
                    tr {
                        @for c in &columns {
                            @let v = &row[c.name];
                            // Numbers, days and names stay on one line; a long text wraps.
                            @let class = match (c.kind != Kind::Text, v.as_str().is_none_or(|t| t.chars().count() <= 32)) {
                                (true, _) => "num short",
                                (false, true) => "short",
                                (false, false) => "long",
                            };
                            td class=(class) {
                                @match (c.kind, v) {
                                    (_, Value::Null) => "—",
                                    (Kind::Ms, Value::Number(n)) => (duration(n.as_i64().unwrap_or(0))),
                                    (Kind::Rate, Value::Number(n)) => (format!("{:.1}%", n.as_f64().unwrap_or(0.0) * 100.0)),
                                    (_, Value::String(t)) => (t),
                                    (_, other) => (other.to_string()),
                                }
                            }
                        }
                    }
                }
            }
        } }
    }
}

/// `/reports/{name}`.
pub(crate) async fn report(
    State(state): State<AppState>,
    Path(name): Path<String>,
    SiteParams(params): SiteParams,
) -> Result<Response, WebError> {
    let kind = ReportKind::parse(&name)
        .ok_or_else(|| WebError::NotFound(format!("There is no report named `{name}`.")))?;
    if kind == ReportKind::Ivr {
        let q = params.query_string();
        return Ok(axum::response::Redirect::to(&format!("/ivr?{q}")).into_response());
    }
    let answer = report_computed(&state, kind, &params).await?;
    let Computed::Table(table) = &*answer.value else {
        return Err(WebError::Internal("unexpected cache entry".into()));
    };
    let names = state.with_store(FormNames::of).await?;
    let body = html! {
        h1 { (kind.title()) }
        (filter_form(&params, &format!("/reports/{}", kind.as_str()), &names, false, Some(kind)))
        (chart(kind, table, &params))
        @let api = format!("/api/reports/{}?{}", kind.as_str(), params.query_string());
        p.muted {
            "This report as "
            a href=(format!("{api}&format=csv")) { "CSV" } " or " a href=(api) { "JSON" }
            @if table.rows.len() > PAGE_ROWS {
                span data-rows-shown=(PAGE_ROWS) { (format!(": the first {PAGE_ROWS} of its {} rows are below.", table.rows.len())) }
            }
        }
        (table_html(table))
    };
    Ok(answer.timed(layout(kind.title(), "/reports", &body).into_response()))
}

/// Glossary entries matching a name, or having it among their values (all without one), and
/// how they were found.
pub(crate) fn glossary_entries(name: Option<&str>) -> (Vec<&'static Field>, glossary::Found) {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => glossary::search(n),
        None => (glossary::FIELDS.iter().collect(), glossary::Found::ByName),
    }
}

/// `/fields`: the glossary (`?name=` for one field).
pub(crate) async fn fields(Query(params): Query<Params>) -> Response {
    let (entries, found) = glossary_entries(params.name.as_deref());
    let body = html! {
        h1 { "Glossary of the detail record" }
        form.filters method="get" action="/fields" {
            label { "Field " input type="search" name="name" value=(opt(params.name.as_ref())); }
            button type="submit" { "Find" }
            @if params.name.is_some() { " " a href="/fields" { "all fields" } }
        }
        @let name = params.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
        @if let Some(name) = name {
            @if entries.is_empty() {
                p.muted {
                    "No field by that name."
                    @if let Some(like) = glossary::suggest(name) {
                        " Did you mean " a href=(format!("/fields?name={like}")) { code { (like) } } "?"
                    }
                }
            } @else if found == glossary::Found::ByValue {
                p.muted { code { (name) } " is a value of the field" @if entries.len() > 1 { "s" } " below." }
            }
        }
        @for f in &entries {
            article.field id=(f.path) {
                h2 { code { (f.path) } span.muted { " on " (f.on) } }
                p { (prose(f.meaning)) }
                @if !f.appears.is_empty() { p.muted { "Where: " (prose(f.appears)) } }
                @if !f.values.is_empty() {
                    dl { @for (v, meaning) in f.values { dt { code { (v) } } dd { (prose(meaning)) } } }
                }
                @if !f.pitfalls.is_empty() { p.pitfall { strong { "Pitfall: " } (prose(f.pitfalls)) } }
            }
        }
    };
    layout("Glossary", "/fields", &body).into_response()
}

/// Glossary text with its `quoted` names set as code, as the terminal shows them in backticks.
/// Text with an odd number of backticks is shown as it is.
fn prose(text: &str) -> Markup {
    if text.matches('`').count() % 2 == 1 {
        return html! { (text) };
    }
    html! {
        @for (i, piece) in text.split('`').enumerate() {
            @if i % 2 == 1 { code { (piece) } } @else { (piece) }
        }
    }
}

/// A size in memory as people read it: `640 KiB`, `12.5 MiB`.
fn memory_size(bytes: usize) -> String {
    const KIB: usize = 1 << 10;
    const MIB: usize = 1 << 20;
    match bytes {
        b if b < MIB => format!("{} KiB", b.div_ceil(KIB)),
        b => format!("{}.{} MiB", b / MIB, (b % MIB) * 10 / MIB),
    }
}

/// `/status`: what the archive holds, the last syncs, the quarantine.
pub(crate) async fn status(State(state): State<AppState>) -> Result<Response, WebError> {
    let (counts, syncs, quarantine, seq, derived_with, (looked_at, keys), targets) = state
        .with_store(|store| {
            Ok((
                store.counts()?,
                store.sync_statuses(20)?,
                store.quarantined(50)?,
                store.change_seq()?,
                store.derived_with()?,
                store.attribute_keys()?,
                store.service_level_ranges()?,
            ))
        })
        .await?;
    let index = state.index_status(seq);
    let zone = Zone::utc();
    let body = html! {
        h1 { "Sync status" }
        dl.counts {
            dt { "Conversations" } dd data-count="conversations" { (counts.conversations) }
            dt { "Still ongoing" } dd { (counts.open) }
            dt { "Earlier versions kept" } dd { (counts.history) }
            dt { "Quarantined records" } dd data-count="quarantined" { (counts.quarantined) }
            dt { "Service-level targets" } dd data-targets=(targets.len()) { (calltrail_explain::story::service_targets(&targets)) }
            dt { "Calls derived with" } dd data-settings { (derived_with.as_ref().map_or_else(|| "settings not recorded yet".to_owned(), calltrail_explain::Settings::summary)) }
            dt { "Participant data keys" }
            dd data-attribute-keys=(keys.len()) {
                @if keys.is_empty() { "none" } @else {
                    @for (i, (key, n)) in keys.iter().take(ATTRIBUTE_KEYS_SHOWN).enumerate() {
                        @if i > 0 { ", " }
                        a title="The calls whose flows set it" href={ "/?attribute=" (encode(key)) } { code { (key) } }
                        " (" (n * 100 / looked_at.max(1)) "%)"
                    }
                    @if keys.len() > ATTRIBUTE_KEYS_SHOWN { ", and " (keys.len() - ATTRIBUTE_KEYS_SHOWN) " more" }
                }
                span.muted { " in the latest " (looked_at) " calls: what [reason] and [ivr] in calltrail.toml can name" }
            }
            dt { "Report index" }
            dd data-index=(index.state) {
                (index.state) " — " (index.calls) " calls, " (index.legs) " agent legs, "
                (memory_size(index.bytes)) " in memory"
                @if let Some(e) = &index.error { " (last load failed: " (e) ")" }
            }
        }
        h2 { "Syncs" }
        @if syncs.is_empty() { p.muted { "No sync has run on this archive." } } @else {
            table {
                thead { tr { th { "#" } th { "Range (UTC)" } th { "Mode" } th { "State" } th { "Started" } th { "Finished" } th.num { "Windows done" } th.num { "Records" } } }
                tbody {
                    @for s in &syncs {
                        tr {
                            td { (s.id) }
                            td { (local(Some(s.from_ms), &zone)) " → " (local(Some(s.to_ms), &zone)) }
                            td { (s.mode) } td { span class=(format!("state {}", s.state)) { (s.state) } }
                            td { (local(Some(s.started_ms), &zone)) } td { (local(s.finished_ms, &zone)) }
                            td.num { (s.windows_done) " / " (s.windows) } td.num { (s.records) }
                        }
                    }
                }
            }
        }
        @if let Some(latest) = syncs.first().filter(|s| !s.warnings.is_empty()) {
            h2 { "The latest sync went on without" }
            ul.warnings data-sync=(latest.id) { @for w in &latest.warnings { li { (w) } } }
        }
        h2 { "Quarantine" }
        @if quarantine.is_empty() { p.muted { "Nothing quarantined." } } @else {
            table {
                thead { tr { th { "When (UTC)" } th { "Conversation" } th { "Why it could not be read" } } }
                tbody { @for q in &quarantine { tr { td { (local(Some(q.at_ms), &zone)) } td { (opt(q.conversation_id.as_ref())) } td { (q.error) } } } }
            }
        }
    };
    Ok(layout("Sync status", "/status", &body).into_response())
}

const STYLE: &str = r"
:root { --fg:#1d2330; --muted:#667085; --line:#e4e7ec; --bg:#fff; --accent:#1f5fbf;
  --ivr:#7b61ff; --queue:#f2a33a; --alert:#f6d365; --talk:#2e9e5b; --hold:#d9534f; --wrapup:#5b8def;
  --voicemail:#9c6ade; --dialing:#8fb8de; --contacting:#b5d3f0; --callback:#c98bdb; --monitoring:#7a8699; --other:#c0c4cc; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color:var(--fg); background:var(--bg); }
header { display:flex; gap:2em; align-items:center; padding:.6em 1.5em; border-bottom:1px solid var(--line); }
.brand { font-weight:700; color:var(--fg); text-decoration:none; font-size:1.1em; }
nav a { margin-right:1.2em; color:var(--muted); text-decoration:none; }
nav a.active, nav a:hover { color:var(--accent); }
main { padding:1em 1.5em 3em; max-width:1400px; }
h1 { font-size:1.4em; margin:.3em 0 .6em; } h2 { font-size:1.05em; margin:1.4em 0 .4em; }
a { color:var(--accent); }
.muted { color:var(--muted); }
p.unknown-name { color:#8a4b00; }
table { border-collapse:collapse; width:100%; margin:.4em 0; }
th, td { text-align:left; padding:.3em .6em; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-weight:600; color:var(--muted); font-size:.9em; }
.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
td.when { white-space:nowrap; }
.wide { overflow-x:auto; }
table.report td.short { white-space:nowrap; }
form.filters { display:flex; flex-wrap:wrap; gap:.5em 1em; align-items:end; margin:.5em 0 1em; padding:.6em; background:#f7f8fa; border-radius:6px; }
form.filters label { display:flex; flex-direction:column; font-size:.85em; color:var(--muted); }
form.filters input, form.filters select, form.filters button { font:inherit; padding:.25em .4em; }
.answers { display:grid; grid-template-columns:repeat(auto-fit, minmax(240px, 1fr)); gap:1em; }
.answer { border:1px solid var(--line); border-radius:8px; padding:.6em .9em; }
.answer h2 { margin:.1em 0 .4em; font-size:.85em; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); }
.answer p { margin:.25em 0; }
.outcome { padding:.05em .45em; border-radius:4px; background:#eef1f5; white-space:nowrap; }
.outcome.answered, .outcome.connected, .outcome.self_served { background:#e3f4ea; }
.outcome.abandoned_in_ivr, .outcome.abandoned_in_queue, .outcome.not_answered { background:#fde8e7; }
.path { font-family:ui-monospace, monospace; font-size:.9em; }
blockquote.note { margin:.3em 0; padding:.3em .6em; border-left:3px solid var(--line); white-space:pre-wrap; }
svg { width:100%; height:auto; font:11px system-ui, sans-serif; }
svg .tick { stroke:var(--line); } svg .axis { fill:var(--muted); }
svg .lane-line { stroke:#f0f1f3; } svg .lane-label { fill:var(--fg); font-size:12px; }
svg .phase { stroke:#fff; stroke-width:.5; }
svg rect.ivr, .swatch.ivr { fill:var(--ivr); background:var(--ivr); }
svg rect.queue, .swatch.queue { fill:var(--queue); background:var(--queue); }
svg rect.alert, .swatch.alert { fill:var(--alert); background:var(--alert); }
svg rect.talk, .swatch.talk { fill:var(--talk); background:var(--talk); }
svg rect.hold, .swatch.hold { fill:var(--hold); background:var(--hold); }
svg rect.wrapup, .swatch.wrapup { fill:var(--wrapup); background:var(--wrapup); }
svg rect.voicemail, .swatch.voicemail { fill:var(--voicemail); background:var(--voicemail); }
svg rect.dialing, .swatch.dialing { fill:var(--dialing); background:var(--dialing); }
svg rect.contacting, .swatch.contacting { fill:var(--contacting); background:var(--contacting); }
svg rect.callback, .swatch.callback { fill:var(--callback); background:var(--callback); }
svg rect.monitoring, .swatch.monitoring { fill:var(--monitoring); background:var(--monitoring); }
svg rect.other, .swatch.other { fill:var(--other); background:var(--other); }
.marker path { fill:var(--hold); } .marker text { fill:var(--hold); font-weight:600; }
.marker.transfer line { stroke:var(--accent); stroke-width:2; } .marker.transfer text { fill:var(--accent); }
.marker.as-of text { fill:var(--muted); font-weight:400; }
ul.legend { list-style:none; padding:0; display:flex; flex-wrap:wrap; gap:.4em 1.2em; font-size:.85em; color:var(--muted); }
.swatch { display:inline-block; width:.9em; height:.9em; border-radius:2px; margin-right:.35em; vertical-align:-.1em; }
svg .flow { fill:#c9d6ea; opacity:.55; } svg .step-box { fill:var(--accent); }
svg .step-label { fill:var(--fg); font-weight:600; } svg .ending { fill:var(--muted); }
svg .ending.transfer { fill:#2e9e5b; } svg .ending.disconnect { fill:#d9534f; }
svg.bars { max-width:960px; display:block; }
svg.heatmap { max-width:800px; display:block; font-size:11px; } svg .heat-blank { fill:#f7f8fa; }
svg .heat1 { fill:#dbe7f8; } svg .heat2 { fill:#a9c6ee; } svg .heat3 { fill:#6f9fe0; }
svg .heat4 { fill:#3b76cc; } svg .heat5 { fill:#1d4f9a; }
svg .bar { fill:var(--accent); } svg .bar-label, svg .bar-value { fill:var(--fg); }
.tiles { display:flex; flex-wrap:wrap; gap:12px; margin:1em 0; }
.tile { display:flex; flex-direction:column; min-width:11em; max-width:17em; padding:.6em .9em; border:1px solid var(--line); border-radius:6px; }
.tile .name { color:var(--muted); font-size:.85em; } .tile .value { font-size:1.6em; font-weight:600; } .tile .muted { font-size:.8em; }
figure.chart { margin:.5em 0 1em; } figcaption { color:var(--muted); font-size:.9em; }
details.raw pre { background:#f7f8fa; padding:.8em; overflow:auto; font-size:12px; }
details.raw a.key { color:#7a3e9d; text-decoration:none; } details.raw .value { color:#1d5e3a; }
article.field { border-bottom:1px solid var(--line); padding:.3em 0 .6em; } .pitfall { background:#fff6e5; padding:.3em .6em; border-radius:4px; }
.error { color:#b42318; } .state.done { color:#2e9e5b; } .state.incomplete, .state.running { color:#b54708; }
dl.counts { display:grid; grid-template-columns:max-content auto; gap:.2em 1.5em; }
";

#[cfg(test)]
mod tests {
    #[test]
    fn glossary_names_in_backticks_are_set_as_code() {
        assert_eq!(
            super::prose("filter on `conversationEnd` <here>").into_string(),
            "filter on <code>conversationEnd</code> &lt;here&gt;"
        );
        assert_eq!(super::prose("a ` stray one").into_string(), "a ` stray one");
    }

    #[test]
    fn sizes_in_memory_read_in_the_unit_that_fits() {
        assert_eq!(super::memory_size(0), "0 KiB");
        assert_eq!(super::memory_size(1), "1 KiB");
        assert_eq!(super::memory_size(700 * 1024), "700 KiB");
        assert_eq!(super::memory_size(12 * 1024 * 1024 + 600 * 1024), "12.5 MiB");
    }
}
