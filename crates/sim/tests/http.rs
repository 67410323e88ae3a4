//! The simulator over real HTTP on loopback: OAuth, the details query and its limits, jobs,
//! gets, the Conversations API, listings, the rate limit and the flaky profile.
// Counts here are small and non-negative.
#![allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]

mod common;

use calltrail_sim::{FaultProfile, SimConfig};
use common::{start, NOW};
use serde_json::{json, Value};

const DAY: i64 = 86_400_000;

fn iso(ms: i64) -> String {
    calltrail_model::Timestamp(ms).to_rfc3339()
}

fn today() -> i64 {
    NOW.div_euclid(DAY) * DAY
}

fn small() -> SimConfig {
    SimConfig { calls: 600, days: 3, seed: 11, ..SimConfig::default() }
}

#[tokio::test]
async fn oauth_client_credentials() {
    let s = start(SimConfig { client: Some(("me".into(), "s3cret".into())), ..small() }).await;
    let url = format!("{}/oauth/token", s.base);
    let bad = s
        .http
        .post(&url)
        .basic_auth("me", Some("wrong"))
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    assert_eq!(bad.json::<Value>().await.unwrap()["error"], "invalid_client");
    let grant =
        s.http.post(&url).basic_auth("me", Some("s3cret")).body("grant_type=password").send().await.unwrap();
    assert_eq!(grant.status(), 400);
    let ok = s
        .http
        .post(&url)
        .basic_auth("me", Some("s3cret"))
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let token: Value = ok.json().await.unwrap();
    assert_eq!(token["token_type"], "bearer");
    assert!(token["expires_in"].as_i64().unwrap() > 0);
    let (status, _, body) = s.get("not-a-token", "/api/v2/users").await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "bad.credentials");
    // Tokens expire with the simulator's clock.
    let t = token["access_token"].as_str().unwrap();
    assert_eq!(s.get(t, "/api/v2/users").await.0, 200);
    s.sim.clock().advance(86_400_000 + 1);
    assert_eq!(s.get(t, "/api/v2/users").await.0, 401);
}

#[tokio::test]
async fn details_query_pages_and_day_index_rule() {
    let s = start(small()).await;
    let t = s.token().await;
    let day = today() - DAY;
    // One hour of yesterday still returns... only conversations of that day that overlap the hour.
    let interval = format!("{}/{}", iso(day + 10 * 3_600_000), iso(day + 11 * 3_600_000));
    let (status, _, page) = s
        .post(
            &t,
            "/api/v2/analytics/conversations/details/query",
            &json!({"interval": interval, "paging": {"pageSize": 100, "pageNumber": 1}}),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    let expected: Vec<&str> = s
        .sim
        .calls()
        .iter()
        .filter(|c| {
            c.start_ms >= day
                && c.start_ms < day + DAY
                && c.start_ms < day + 11 * 3_600_000
                && c.end_ms > day + 10 * 3_600_000
        })
        .map(|c| c.truth.conversation_id.as_str())
        .collect();
    assert_eq!(page["totalHits"].as_u64().unwrap() as usize, expected.len());
    let got: Vec<&str> = page["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["conversationId"].as_str().unwrap())
        .collect();
    assert_eq!(got, expected[..got.len()]);
    // No attributes in query results.
    assert!(!page.to_string().contains("\"attributes\""));

    // A whole day, paged by 100: every conversation that started that day, once, in order.
    let interval = format!("{}/{}", iso(day), iso(day + DAY));
    let mut ids = Vec::new();
    for n in 1..=20 {
        let (_, _, p) = s
            .post(
                &t,
                "/api/v2/analytics/conversations/details/query",
                &json!({"interval": interval, "paging": {"pageSize": 100, "pageNumber": n}}),
            )
            .await;
        let Some(list) = p["conversations"].as_array() else { break };
        ids.extend(list.iter().map(|c| c["conversationId"].as_str().unwrap().to_owned()));
    }
    let expected: Vec<String> = s
        .sim
        .calls()
        .iter()
        .filter(|c| c.start_ms >= day && c.start_ms < day + DAY)
        .map(|c| c.truth.conversation_id.clone())
        .collect();
    assert_eq!(ids, expected);

    // A call that started before midnight and ended after it is not in the next day's query.
    if let Some(c) = s.sim.calls().iter().find(|c| c.start_ms < day && c.end_ms > day) {
        let (_, _, p) = s
            .post(
                &t,
                "/api/v2/analytics/conversations/details/query",
                &json!({"interval": interval, "paging": {"pageSize": 100, "pageNumber": 1}}),
            )
            .await;
        assert!(!p.to_string().contains(&c.truth.conversation_id));
    }
}

#[tokio::test]
async fn details_query_limits_and_filters() {
    let s = start(small()).await;
    let t = s.token().await;
    let q = "/api/v2/analytics/conversations/details/query";
    let eight_days = format!("{}/{}", iso(today() - 8 * DAY), iso(today()));
    let (status, _, err) = s.post(&t, q, &json!({"interval": eight_days})).await;
    assert_eq!(status, 400);
    assert!(err["message"].as_str().unwrap().contains("7 days"), "{err}");
    assert!(err["contextId"].is_string());
    // With a filter, up to 31 days.
    let queue = s.sim.org().queues[0].id.clone();
    let filter = json!([{"type": "and", "predicates": [{"dimension": "queueId", "value": queue}]}]);
    let (status, _, page) = s.post(&t, q, &json!({"interval": eight_days, "segmentFilters": filter, "paging": {"pageSize": 100, "pageNumber": 1}})).await;
    assert_eq!(status, 200);
    for c in page["conversations"].as_array().unwrap() {
        assert!(c.to_string().contains(&queue));
    }
    let (status, _, err) = s.post(&t, q, &json!({"interval": eight_days, "paging": {"pageSize": 100, "pageNumber": 1001}, "segmentFilters": filter})).await;
    assert_eq!(status, 400);
    assert_eq!(err["message"], "Pagination may not exceed 100000 results");
    let (status, _, _) = s.post(&t, q, &json!({"interval": eight_days, "paging": {"pageSize": 101, "pageNumber": 1}, "segmentFilters": filter})).await;
    assert_eq!(status, 400);
    let (status, _, err) = s.post(&t, q, &json!({"interval": "yesterday"})).await;
    assert_eq!((status, err["code"].as_str()), (400, Some("bad.request")));
    // conversationEnd exists, descending.
    let day = format!("{}/{}", iso(today() - DAY), iso(today()));
    let ended =
        json!([{"type": "and", "predicates": [{"dimension": "conversationEnd", "operator": "exists"}]}]);
    let (_, _, page) = s.post(&t, q, &json!({"interval": day, "conversationFilters": ended, "order": "desc", "paging": {"pageSize": 100, "pageNumber": 1}})).await;
    let starts: Vec<&str> = page["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["conversationStart"].as_str().unwrap())
        .collect();
    assert!(starts.windows(2).all(|w| w[0] >= w[1]));
    assert!(page["conversations"].as_array().unwrap().iter().all(|c| c.get("conversationEnd").is_some()));
}

#[tokio::test]
async fn jobs_round_trip_with_attributes() {
    let s = start(SimConfig { job_delay_ms: 5_000, job_ttl_ms: 60_000, ..small() }).await;
    let t = s.token().await;
    let interval = format!("{}/{}", iso(today() - 3 * DAY), iso(today()));
    let (status, _, submitted) =
        s.post(&t, "/api/v2/analytics/conversations/details/jobs", &json!({"interval": interval})).await;
    assert_eq!(status, 202);
    let job = submitted["jobId"].as_str().unwrap().to_owned();
    let path = format!("/api/v2/analytics/conversations/details/jobs/{job}");
    assert_eq!(s.get(&t, &path).await.2["state"], "QUEUED");
    assert_eq!(s.get(&t, &format!("{path}/results")).await.0, 400);
    s.sim.clock().advance(5_000);
    let (_, _, status_body) = s.get(&t, &path).await;
    assert_eq!(status_body["state"], "FULFILLED");
    assert!(status_body["completionDate"].is_string());
    let mut cursor: Option<String> = None;
    let mut ids = Vec::new();
    let mut with_attributes = 0;
    loop {
        let page_path = match &cursor {
            Some(c) => format!("{path}/results?pageSize=250&cursor={c}"),
            None => format!("{path}/results?pageSize=250"),
        };
        let (status, _, page) = s.get(&t, &page_path).await;
        assert_eq!(status, 200, "{page}");
        assert!(page["dataAvailabilityDate"].is_string());
        for c in page["conversations"].as_array().into_iter().flatten() {
            ids.push(c["conversationId"].as_str().unwrap().to_owned());
            with_attributes += usize::from(c.to_string().contains("\"attributes\""));
        }
        match page["cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let availability = NOW - s.sim.config().availability_lag_ms;
    let expected = s
        .sim
        .calls()
        .iter()
        .filter(|c| {
            c.start_ms <= availability
                && c.start_ms < today()
                && c.end_ms.max(c.start_ms + 1) > today() - 3 * DAY
        })
        .count();
    assert_eq!(ids.len(), expected);
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
    assert!(with_attributes > ids.len() / 2, "job results carry participant attributes");
    // Expiry, then cancel.
    s.sim.clock().advance(60_000);
    assert_eq!(s.get(&t, &path).await.2["state"], "EXPIRED");
    assert_eq!(s.get(&t, &format!("{path}/results")).await.2["code"], "analytics.job.expired");
    let r = s.http.delete(format!("{}{path}", s.base)).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(s.get(&t, &path).await.2["state"], "CANCELLED");
    assert_eq!(s.get(&t, "/api/v2/analytics/conversations/details/jobs/nope").await.0, 404);
    let (_, _, availability) = s.get(&t, "/api/v2/analytics/conversations/details/jobs/availability").await;
    assert!(availability["dataAvailabilityDate"].is_string());
}

#[tokio::test]
async fn gets_conversations_api_and_listings() {
    let s = start(SimConfig { retention_days: 2, ..small() }).await;
    let t = s.token().await;
    let calls = s.sim.calls();
    let (a, b) =
        (&calls[calls.len() - 5].truth.conversation_id, &calls[calls.len() - 6].truth.conversation_id);
    let (status, _, multi) = s.get(&t, &format!("/api/v2/analytics/conversations/details?id={a},{b}")).await;
    assert_eq!(status, 200);
    assert_eq!(multi["conversations"].as_array().unwrap().len(), 2);
    let (status, _, one) = s.get(&t, &format!("/api/v2/analytics/conversations/{a}/details")).await;
    assert_eq!((status, one["conversationId"].as_str()), (200, Some(a.as_str())));
    assert_eq!(s.get(&t, "/api/v2/analytics/conversations/nope/details").await.0, 404);

    // Conversations API: attributes and wrap-up for recent calls; 404 past retention.
    let recent = calls
        .iter()
        .rev()
        .find(|c| c.scenario == calltrail_sim::Scenario::InboundAnswered && c.settled_ms <= NOW)
        .unwrap();
    let (status, _, record) =
        s.get(&t, &format!("/api/v2/conversations/{}", recent.truth.conversation_id)).await;
    assert_eq!(status, 200, "{record}");
    let text = record.to_string();
    assert!(text.contains("MainIntent1"), "{text}");
    assert!(text.contains(recent.truth.wrapup_code_id.as_deref().unwrap()), "{text}");
    let old = calls.iter().find(|c| c.start_ms < NOW - 2 * DAY).unwrap();
    let (status, _, err) = s.get(&t, &format!("/api/v2/conversations/{}", old.truth.conversation_id)).await;
    assert_eq!((status, err["status"].as_u64()), (404, Some(404)));

    let (_, _, users) = s.get(&t, "/api/v2/users?pageSize=10&pageNumber=2").await;
    assert_eq!(users["entities"].as_array().unwrap().len(), 10);
    assert_eq!((users["total"].as_u64(), users["pageCount"].as_u64()), (Some(30), Some(3)));
    assert!(users["nextUri"].is_string() && users["previousUri"].is_string());
    let first = &s.sim.org().users[0].id;
    let (_, _, one_user) = s.get(&t, &format!("/api/v2/users?id={first}")).await;
    assert_eq!(one_user["entities"][0]["id"], first.as_str());
    for path in ["/api/v2/routing/queues", "/api/v2/routing/wrapupcodes", "/api/v2/flows"] {
        let (status, _, listing) = s.get(&t, path).await;
        assert_eq!(status, 200);
        assert!(!listing["entities"].as_array().unwrap().is_empty(), "{path}");
    }
    let (status, _, err) = s.get(&t, "/api/v2/nothing/here").await;
    assert_eq!((status, err["code"].as_str()), (404, Some("not.found")));
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let s = start(SimConfig { rate_limit: 20, ..small() }).await;
    let t = s.token().await;
    let mut limited = 0;
    let mut retry_after = None;
    for _ in 0..30 {
        let (status, headers, body) = s.get(&t, "/api/v2/routing/queues").await;
        if status == 429 {
            limited += 1;
            retry_after = headers.get("retry-after").map(|v| v.to_str().unwrap().parse::<i64>().unwrap());
            assert_eq!(body["code"], "too.many.requests.retry.after");
        } else {
            assert_eq!(headers["inin-ratelimit-allowed"], "20");
        }
    }
    assert_eq!(limited, 10);
    assert!(retry_after.is_some_and(|s| (1..=60).contains(&s)));
    // A new minute, a new window.
    s.sim.clock().advance(60_000);
    assert_eq!(s.get(&t, "/api/v2/routing/queues").await.0, 200);
}

#[tokio::test]
async fn flaky_profile_faults_at_their_rates() {
    let rates =
        calltrail_sim::FaultRates { slow_ms: 10, ..calltrail_sim::FaultRates::of(FaultProfile::Flaky) };
    let s = start(SimConfig {
        faults: FaultProfile::Flaky,
        fault_rates: Some(rates),
        rate_limit: 100_000,
        ..small()
    })
    .await;
    let mut t = s.token().await;
    let n = 3000;
    let (mut errors, mut throttled, mut truncated, mut unauthorized) = (0, 0, 0, 0);
    for _ in 0..n {
        let r = s
            .http
            .get(format!("{}/api/v2/routing/wrapupcodes", s.base))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        match status {
            500 | 503 => errors += 1,
            429 => throttled += 1,
            401 => {
                unauthorized += 1;
                t = s.token().await;
            }
            200 if serde_json::from_str::<Value>(&text).is_err() => truncated += 1,
            200 => {}
            other => panic!("unexpected {other}"),
        }
    }
    let share = |k: i32| f64::from(k) / f64::from(n);
    // Each observed rate lies within a generous band around its configured rate.
    assert!((share(errors) - rates.server_error).abs() < 0.015, "5xx {errors}");
    let burst = rates.burst * f64::from(rates.burst_len);
    assert!(share(throttled) > burst * 0.3 && share(throttled) < burst * 2.5, "429 {throttled}");
    assert!(
        share(truncated) > rates.truncated * 0.4 && share(truncated) < rates.truncated * 2.0,
        "truncated {truncated}"
    );
    assert!(unauthorized >= 1, "token expiry {unauthorized}");
    let stats = s.sim.stats();
    assert_eq!(stats.truncated.load(std::sync::atomic::Ordering::Relaxed), truncated as u64);
}

#[tokio::test]
async fn jobs_match_by_lifetime_unless_start_of_day_matching() {
    let s = start(SimConfig { job_delay_ms: 0, availability_lag_ms: 0, ..small() }).await;
    let t = s.token().await;
    // A UTC midnight that some call spans.
    let day = s
        .sim
        .calls()
        .iter()
        .map(|c| (c.start_ms.div_euclid(DAY) + 1) * DAY)
        .find(|&midnight| {
            s.sim.calls().iter().any(|c| c.start_ms < midnight && c.end_ms > midnight && midnight < today())
        })
        .expect("some call spans midnight");
    let interval = format!("{}/{}", iso(day), iso(day + DAY));
    let ids_of = |page: &Value| -> Vec<String> {
        page["conversations"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| c["conversationId"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut results = Vec::new();
    for by_day in [false, true] {
        let (_, _, job) = s
            .post(
                &t,
                "/api/v2/analytics/conversations/details/jobs",
                &json!({"interval": interval, "startOfDayIntervalMatching": by_day}),
            )
            .await;
        let path = format!(
            "/api/v2/analytics/conversations/details/jobs/{}/results",
            job["jobId"].as_str().unwrap()
        );
        results.push(ids_of(&s.get(&t, &path).await.2));
    }
    let (overlap, by_day) = (&results[0], &results[1]);
    // Day matching is the query's rule: what started that day.
    let started: Vec<String> = s
        .sim
        .calls()
        .iter()
        .filter(|c| c.start_ms >= day && c.start_ms < day + DAY)
        .map(|c| c.truth.conversation_id.clone())
        .collect();
    assert_eq!(by_day, &started);
    // Lifetime overlap adds calls that began the day before and were still going at midnight.
    let spanning: Vec<&String> = overlap.iter().filter(|id| !started.contains(id)).collect();
    let expected_spanning = s.sim.calls().iter().filter(|c| c.start_ms < day && c.end_ms > day).count();
    assert!(expected_spanning > 0, "the data has calls that span midnight");
    assert_eq!(spanning.len(), expected_spanning);
}

#[tokio::test]
async fn hostile_profile_serves_its_malformed_records_the_same_way_everywhere() {
    let rates =
        calltrail_sim::FaultRates { malformed: 0.05, ..calltrail_sim::FaultRates::of(FaultProfile::None) };
    let s = start(SimConfig {
        faults: FaultProfile::Hostile,
        fault_rates: Some(rates),
        job_delay_ms: 0,
        ..small()
    })
    .await;
    let t = s.token().await;
    let malformed = s.sim.malformed();
    assert!(malformed.len() > 10, "{} of 600", malformed.len());
    let readable = |record: &Value| calltrail_model::parse_document(record.to_string().as_bytes()).is_ok();

    // Every page: the picked records cannot be read, and say which conversation they are; the
    // others can.
    let interval = format!("{}/{}", iso(today() - 3 * DAY), iso(today()));
    let mut seen = std::collections::HashMap::new();
    for n in 1..=7 {
        let body = json!({"interval": interval, "paging": {"pageSize": 100, "pageNumber": n}});
        let (_, _, page) = s.post(&t, "/api/v2/analytics/conversations/details/query", &body).await;
        for record in page["conversations"].as_array().into_iter().flatten() {
            let id = record["conversationId"].as_str().unwrap().to_owned();
            assert_eq!(readable(record), !malformed.contains_key(&id), "{id}");
            seen.insert(id, record.clone());
        }
    }
    let broken: Vec<&String> = seen.keys().filter(|id| malformed.contains_key(*id)).collect();
    assert!(!broken.is_empty());
    // The same record, broken the same way, from a job and from both gets.
    let (_, _, job) =
        s.post(&t, "/api/v2/analytics/conversations/details/jobs", &json!({"interval": interval})).await;
    let results = format!(
        "/api/v2/analytics/conversations/details/jobs/{}/results?pageSize=1000",
        job["jobId"].as_str().unwrap()
    );
    let (status, _, page) = s.get(&t, &results).await;
    assert_eq!(status, 200, "{page}");
    let from_job: Vec<&Value> =
        page["conversations"].as_array().unwrap().iter().filter(|r| !readable(r)).collect();
    assert!(from_job.iter().all(|r| malformed.contains_key(r["conversationId"].as_str().unwrap())));
    assert!(!from_job.is_empty());
    for id in broken.iter().take(5) {
        let (_, _, multi) = s.get(&t, &format!("/api/v2/analytics/conversations/details?id={id}")).await;
        assert_eq!(multi["conversations"][0], seen[*id]);
        let (_, _, one) = s.get(&t, &format!("/api/v2/analytics/conversations/{id}/details")).await;
        assert_eq!(one, seen[*id]);
    }
    let (_, _, stats) = s.get(&t, "/sim/stats").await;
    assert_eq!(stats["malformed_conversations"].as_u64(), Some(malformed.len() as u64));
    assert!(stats["malformed"].as_u64().unwrap() >= broken.len() as u64 + 10);

    // The flaky profile serves none.
    let flaky = start(SimConfig { faults: FaultProfile::Flaky, ..small() }).await;
    assert!(flaky.sim.malformed().is_empty());
}
