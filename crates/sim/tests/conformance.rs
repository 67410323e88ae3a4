//! Every kind of response the simulator gives validates against the official schema
//! (`testdata/genesys/openapi-subset.json`), in strict mode: an object may carry only the
//! properties its definition declares, so a misspelt or invented field fails too.

mod common;

use std::path::PathBuf;

use calltrail_sim::{FaultProfile, SimConfig};
use common::{start, NOW};
use serde_json::{json, Map, Value};

const DAY: i64 = 86_400_000;

fn iso(ms: i64) -> String {
    calltrail_model::Timestamp(ms).to_rfc3339()
}

/// The schema's definitions, with `additionalProperties: false` added wherever an object
/// declares its properties and says nothing about others.
#[allow(clippy::items_after_statements)]
fn strict_definitions() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/genesys/openapi-subset.json");
    let spec: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut definitions = spec["definitions"].clone();
    fn tighten(schema: &mut Value) {
        let Value::Object(map) = schema else { return };
        if map.contains_key("properties") && !map.contains_key("additionalProperties") {
            map.insert("additionalProperties".into(), Value::Bool(false));
        }
        if let Some(Value::Object(properties)) = map.get_mut("properties") {
            properties.values_mut().for_each(tighten);
        }
        for key in ["items", "additionalProperties"] {
            if let Some(child) = map.get_mut(key) {
                tighten(child);
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(list)) = map.get_mut(key) {
                list.iter_mut().for_each(tighten);
            }
        }
    }
    definitions.as_object_mut().unwrap().values_mut().for_each(tighten);
    definitions
}

struct Checker {
    definitions: Value,
    checked: Vec<String>,
}

impl Checker {
    fn check(&mut self, definition: &str, instance: &Value) {
        let mut schema = Map::new();
        schema.insert("definitions".into(), self.definitions.clone());
        schema.insert("$ref".into(), Value::from(format!("#/definitions/{definition}")));
        let validator = jsonschema::draft4::options()
            .should_validate_formats(true)
            .with_format("uri", |_: &str| true)
            .with_format("interval", |_: &str| true)
            .build(&Value::Object(schema))
            .unwrap();
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .take(10)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{definition} does not validate:\n{}\n{}",
            errors.join("\n"),
            truncate(instance)
        );
        self.checked.push(definition.to_owned());
    }
}

fn truncate(v: &Value) -> String {
    let s = v.to_string();
    s.chars().take(2000).collect()
}

#[tokio::test]
async fn every_response_kind_validates_against_the_schema() {
    let mut c = Checker { definitions: strict_definitions(), checked: Vec::new() };
    // The hostile profile's records are included: adversarial text must still be schema-valid.
    let s = start(SimConfig {
        calls: 1500,
        days: 3,
        seed: 5,
        faults: FaultProfile::Hostile,
        fault_rates: Some(calltrail_sim::FaultRates::of(FaultProfile::None)),
        job_delay_ms: 1000,
        ..SimConfig::default()
    })
    .await;
    let t = s.token().await;
    let today = NOW.div_euclid(DAY) * DAY;
    let interval = format!("{}/{}", iso(today - 3 * DAY), iso(today));
    let q = "/api/v2/analytics/conversations/details/query";

    for n in 1..=15 {
        let (status, _, page) =
            s.post(&t, q, &json!({"interval": interval, "paging": {"pageSize": 100, "pageNumber": n}})).await;
        assert_eq!(status, 200);
        c.check("AnalyticsConversationQueryResponse", &page);
    }
    let (_, _, empty) = s
        .post(&t, q, &json!({"interval": format!("{}/{}", iso(today - 30 * DAY), iso(today - 29 * DAY))}))
        .await;
    c.check("AnalyticsConversationQueryResponse", &empty);

    let (status, _, job) =
        s.post(&t, "/api/v2/analytics/conversations/details/jobs", &json!({"interval": interval})).await;
    assert_eq!(status, 202);
    c.check("AsyncQueryResponse", &job);
    let job_path = format!("/api/v2/analytics/conversations/details/jobs/{}", job["jobId"].as_str().unwrap());
    c.check("AsyncQueryStatus", &s.get(&t, &job_path).await.2);
    s.sim.clock().advance(1000);
    c.check("AsyncQueryStatus", &s.get(&t, &job_path).await.2);
    let mut cursor = String::new();
    loop {
        let (status, _, page) = s.get(&t, &format!("{job_path}/results?pageSize=300{cursor}")).await;
        assert_eq!(status, 200);
        c.check("AnalyticsConversationAsyncQueryResponse", &page);
        match page["cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    c.check(
        "DataAvailabilityResponse",
        &s.get(&t, "/api/v2/analytics/conversations/details/jobs/availability").await.2,
    );

    let ids: Vec<String> =
        s.sim.calls().iter().rev().take(50).map(|p| p.truth.conversation_id.clone()).collect();
    c.check(
        "AnalyticsConversationWithoutAttributesMultiGetResponse",
        &s.get(&t, &format!("/api/v2/analytics/conversations/details?id={}", ids.join(","))).await.2,
    );
    for id in ids.iter().take(20) {
        c.check(
            "AnalyticsConversationWithoutAttributes",
            &s.get(&t, &format!("/api/v2/analytics/conversations/{id}/details")).await.2,
        );
        let (status, _, record) = s.get(&t, &format!("/api/v2/conversations/{id}")).await;
        assert_eq!(status, 200);
        c.check("Conversation", &record);
    }
    for (path, definition) in [
        ("/api/v2/users?pageSize=7&pageNumber=2", "UserEntityListing"),
        ("/api/v2/routing/queues", "QueueEntityListing"),
        ("/api/v2/routing/wrapupcodes", "WrapupCodeEntityListing"),
        ("/api/v2/flows", "FlowEntityListing"),
        ("/api/v2/analytics/dataretention/settings", "AnalyticsDataRetentionResponse"),
    ] {
        c.check(definition, &s.get(&t, path).await.2);
    }
    // Errors: 400, 401, 404 and 429 are ErrorBody.
    c.check("ErrorBody", &s.post(&t, q, &json!({"interval": "nonsense"})).await.2);
    c.check("ErrorBody", &s.get("bad-token", "/api/v2/users").await.2);
    c.check("ErrorBody", &s.get(&t, "/api/v2/conversations/unknown-id").await.2);
    let mut throttled = None;
    for _ in 0..400 {
        let (status, _, body) = s.get(&t, "/api/v2/flows").await;
        if status == 429 {
            throttled = Some(body);
            break;
        }
    }
    c.check("ErrorBody", &throttled.expect("the rate limit answers 429"));
    assert!(c.checked.len() > 40);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_permission_is_a_403_error_body_naming_it() {
    let mut c = Checker { definitions: strict_definitions(), checked: Vec::new() };
    let s = start(SimConfig {
        calls: 50,
        days: 1,
        denied_permissions: vec!["routing:queue:view".into(), "conversation:communication:view".into()],
        ..SimConfig::default()
    })
    .await;
    let t = s.token().await;
    let id = s.sim.calls()[0].truth.conversation_id.clone();
    for (path, permission) in [
        ("/api/v2/routing/queues".to_owned(), "routing:queue:view"),
        (format!("/api/v2/conversations/{id}"), "conversation:communication:view"),
    ] {
        let (status, _, body) = s.get(&t, &path).await;
        assert_eq!(status, 403, "{path}");
        c.check("ErrorBody", &body);
        assert_eq!(body["code"], "missing.any.permissions");
        assert!(body["message"].as_str().unwrap().contains(permission), "{body}");
    }
    // A bad token is still a 401 first; the permissions granted still answer.
    assert_eq!(s.get("bad-token", "/api/v2/routing/queues").await.0, 401);
    assert_eq!(s.get(&t, "/api/v2/routing/wrapupcodes").await.0, 200);
    assert_eq!(s.get(&t, "/api/v2/users").await.0, 200);
}
