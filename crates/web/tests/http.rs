//! The web UI over real HTTP on loopback, against a real archive of the simulator's calls with
//! the hostile profile's text mixed in: every page and API route answers, the API agrees with
//! the archive, hostile values arrive escaped, and the token rule holds.

use std::path::{Path, PathBuf};

use calltrail_explain::report::{GroupBy, ReportKind, ReportOptions};
use calltrail_sim::Spec;
use calltrail_store::{CallFilter, Store};
use calltrail_web::AppState;
use serde_json::Value;

/// 2025-11-25T10:00:00Z.
const NOW: i64 = 1_764_064_800_000;
const HOSTILE_ID: &str = "../evil?id=1#<b>x</b>";
const SCRIPT: &str = "<script>alert('owned')</script>";

fn settings() -> calltrail_explain::Settings {
    serde_json::from_value(serde_json::json!({
        "reason": {"attributes": ["Final Main Intent", "MainIntent1"]},
        "ivr": {"checkpoints": ["MainIntent1"]}
    }))
    .unwrap()
}

/// An archive of 600 generated calls (some made hostile by the simulator's profile) and one
/// hand-made record whose id and attributes are built to break out of HTML.
fn archive(dir: &Path) -> PathBuf {
    let path = dir.join("web.db");
    let mut store = Store::open(&path).unwrap();
    store.set_settings(settings());
    store.remember_settings(&settings()).unwrap();
    let (org, planned) = calltrail_sim::generate(&Spec::at(600, 5, 3, NOW));
    for (kind, entries) in org.lookup_tables() {
        store.put_lookups(kind, &entries).unwrap();
    }
    let planned = calltrail_sim::hostile::apply(planned, 3);
    let mut raws: Vec<Vec<u8>> = calltrail_sim::records_at(&planned, NOW);
    raws.push(
        serde_json::to_vec(&serde_json::json!({
            "conversationId": HOSTILE_ID,
            "conversationStart": "2025-11-24T10:00:00.000Z",
            "conversationEnd": "2025-11-24T10:03:00.000Z",
            "participants": [{
                "purpose": "customer", "participantId": "c1", "participantName": SCRIPT,
                "attributes": {"MainIntent1": SCRIPT, "\"><img src=x onerror=alert(1)>": "=HYPERLINK(\"x\")"},
                "sessions": [{"mediaType": "voice", "direction": "inbound", "ani": "tel:+15550001", "dnis": "tel:+15559999",
                    "segments": [{"segmentType": "interact", "segmentStart": "2025-11-24T10:00:00.000Z",
                                  "segmentEnd": "2025-11-24T10:03:00.000Z", "disconnectType": "endpoint"}]}]
            }]
        }))
        .unwrap(),
    );
    // And one the API sent malformed, which the archive keeps in quarantine.
    raws.push(br#"{"conversationId":"c-quarantined","participants":{"purpose":"customer"}}"#.to_vec());
    let slices: Vec<&[u8]> = raws.iter().map(Vec::as_slice).collect();
    store.upsert(&slices, "query", NOW).unwrap();
    path
}

struct Server {
    base: String,
    client: reqwest::Client,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start(db: &Path, token: Option<&str>) -> Server {
    start_in(db, token, None).await
}

async fn start_in(db: &Path, token: Option<&str>, zone: Option<&str>) -> Server {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let state = AppState::open(db, token.map(str::to_owned), zone.map(str::to_owned)).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(calltrail_web::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    let client =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).no_proxy().build().unwrap();
    Server { base, client, _stop: stop }
}

impl Server {
    async fn get(&self, path: &str) -> (u16, String, reqwest::header::HeaderMap) {
        let response = self.client.get(format!("{}{path}", self.base)).send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, response.text().await.unwrap(), headers)
    }

    async fn json(&self, path: &str) -> Value {
        let (status, body, _) = self.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        serde_json::from_str(&body).unwrap()
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_and_api_route_answers_from_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let server = start(&db, None).await;
    let store = Store::open(&db).unwrap();

    // Pages.
    for path in ["/", "/ivr", "/reports", "/fields", "/fields?name=segmentType", "/status", "/style.css"] {
        let (status, body, headers) = server.get(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            headers["content-security-policy"].to_str().unwrap().contains("default-src 'none'"),
            "{path}"
        );
        // Nothing is loaded from elsewhere.
        assert!(
            !body.contains("src=\"http") && !body.contains("href=\"http") && !body.contains("<script"),
            "{path}"
        );
    }
    for kind in ReportKind::ALL {
        let (status, body, headers) = server.get(&format!("/reports/{}", kind.as_str())).await;
        if kind == ReportKind::Ivr {
            assert_eq!((status, headers["location"].to_str().unwrap()), (303, "/ivr?"));
        } else {
            assert_eq!(status, 200, "{}", kind.as_str());
            assert!(body.contains("<table class=\"report\""), "{}", kind.as_str());
        }
        if kind == ReportKind::Abandons {
            // The wait buckets are headed as the ranges they are.
            assert!(
                body.contains("<th class=\"num\">10-30s</th>") && body.contains(">&gt;5m</th>"),
                "{body}"
            );
        }
    }
    let (status, _, _) = server.get("/reports/nonsense").await;
    assert_eq!(status, 404);
    let (status, _, _) = server.get("/no/such/page").await;
    assert_eq!(status, 404);
    let (status, _, _) = server.get("/calls/not-a-call").await;
    assert_eq!(status, 404);
    let posted = server.client.post(format!("{}/", server.base)).send().await.unwrap();
    assert_eq!(posted.status().as_u16(), 405, "read only");

    // The list pages through every call exactly once, newest first.
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let path = match &next {
            Some(cursor) => format!("/api/calls?before={cursor}"),
            None => "/api/calls".to_owned(),
        };
        let page = server.json(&path).await;
        seen.extend(
            page["calls"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["conversation_id"].as_str().unwrap().to_owned()),
        );
        match page["next"].as_str() {
            Some(cursor) => next = Some(cursor.to_owned()),
            None => break,
        }
    }
    let mut all = store.ids().unwrap();
    assert_eq!(seen.len(), all.len());
    seen.sort();
    all.sort();
    assert_eq!(seen, all);
    // Each listed call says its media, so a chat without a phone number reads as a chat.
    for call in server.json("/api/calls").await["calls"].as_array().unwrap() {
        let media: Option<String> = store
            .connection()
            .query_row(
                "SELECT media_type FROM calls WHERE conversation_id = ?1",
                [&call["conversation_id"].as_str().unwrap()],
                |r| r.get(0),
            )
            .unwrap();
        assert!(media.is_some());
        assert_eq!(call["media_type"].as_str(), media.as_deref());
    }

    // One call: the page carries the five answers and the timeline; the API the record.
    let id = store
        .connection()
        .query_row(
            "SELECT conversation_id FROM calls WHERE outcome = 'answered' AND transfers > 0 LIMIT 1",
            [],
            |r| r.get::<_, String>(0),
        )
        .unwrap();
    let (status, page, _) = server.get(&format!("/calls/{}", encode(&id))).await;
    assert_eq!(status, 200);
    for answer in ["direction", "who", "why", "how-long", "ending"] {
        assert!(page.contains(&format!("data-answer=\"{answer}\"")), "{answer}");
    }
    assert!(page.contains("<svg class=\"timeline\"") && page.contains("data-marker=\"transfer\""));
    assert!(page.contains("data-marker=\"hung-up\""));
    assert!(page.contains("href=\"/fields?name=segmentType\""), "raw record keys link to the glossary");
    let record = server.json(&format!("/api/calls/{}", encode(&id))).await;
    let stored: Value = serde_json::from_str(&store.call_json(&id).unwrap().unwrap()).unwrap();
    assert_eq!(record, stored);
    // Each wait in a queue is a row: the queue, how long, how it ended.
    let visits = stored["queues"].as_array().unwrap();
    assert!(!visits.is_empty());
    assert!(page.contains(&format!("data-queue-visits=\"{}\"", visits.len())), "a row per wait");
    let table = page.split("data-queue-visits=").nth(1).unwrap().split("</table>").next().unwrap();
    for visit in visits {
        let waited = calltrail_explain::story::duration(visit["wait_ms"].as_i64().unwrap());
        let ended = calltrail_explain::story::queue_ending(visit["outcome"].as_str().unwrap());
        assert!(table.contains(&format!("<td class=\"num\">{waited}</td><td>{ended}</td>")), "{table}");
    }
    let raw = server.json(&format!("/api/calls/{}/raw", encode(&id))).await;
    assert_eq!(raw["conversationId"], id.as_str());

    // A team lead who listened in is said and drawn as such, not as an agent of the call.
    let supervised = store
        .ids()
        .unwrap()
        .into_iter()
        .find_map(|id| {
            let call: Value = serde_json::from_str(&store.call_json(&id).ok()??).ok()?;
            let phase = call["phases"].as_array()?.iter().find(|p| p["kind"] == "monitoring")?.clone();
            Some((id, phase))
        })
        .expect("the simulator's team leads listen in on some calls");
    let (id, phase) = supervised;
    let (_, page, _) = server.get(&format!("/calls/{}", encode(&id))).await;
    let who = phase["name"].as_str().unwrap();
    let listened = calltrail_explain::story::duration(phase["duration_ms"].as_i64().unwrap());
    assert!(page.contains(&format!("Supervised: {who} monitored {listened}")), "{page}");
    assert!(page.contains("rect class=\"phase monitoring\""), "{page}");
    assert!(page.contains(&format!("data-lane=\"supervisor · {who}\"")), "{page}");
    assert!(!page.contains(&format!("Agents: {who}")), "{page}");

    // A customer who called more than once: the call page counts their calls and links to them.
    let (id, number, calls): (String, String, u64) = store
        .connection()
        .query_row(
            "SELECT min(conversation_id), customer_number, count(*) FROM calls
             WHERE customer_number IS NOT NULL GROUP BY customer_number ORDER BY count(*) DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(calls > 1, "the simulator's regulars call more than once");
    let (_, page, _) = server.get(&format!("/calls/{}", encode(&id))).await;
    let link = format!("href=\"/?number={}\">{calls} calls with {number}</a>", encode(&number));
    assert!(page.contains(&link), "{link} in {page}");
    let (_, list, _) = server.get(&format!("/?number={}", encode(&number))).await;
    assert_eq!(list.matches("data-conversation=").count() as u64, calls, "{list}");
    let once: String = store
        .connection()
        .query_row(
            "SELECT min(conversation_id) FROM calls WHERE customer_number IN
             (SELECT customer_number FROM calls GROUP BY customer_number HAVING count(*) = 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let (_, page, _) = server.get(&format!("/calls/{}", encode(&once))).await;
    assert!(!page.contains("data-same-number"), "a first-time caller has no such line");

    // A call still going on is timed and drawn up to when the archive last saw it so.
    let ongoing: String = store
        .connection()
        .query_row("SELECT conversation_id FROM calls WHERE outcome = 'ongoing' LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let (_, page, _) = server.get(&format!("/calls/{}", encode(&ongoing))).await;
    assert!(page.contains("so far when last synced") && page.contains("data-marker=\"as-of\""));
    assert!(!page.contains("hung up by"), "nobody has hung up yet");
    let emails = server.json("/api/calls?media=email").await;
    let emails = emails["calls"].as_array().unwrap();
    assert!(!emails.is_empty() && emails.iter().all(|c| c["media_type"] == "email"));
    let email = emails[0]["conversation_id"].as_str().unwrap();
    let (_, page, _) = server.get(&format!("/calls/{}", encode(email))).await;
    assert!(page.contains("<h1>Conversation <code>"), "an e-mail is not a call");
    let (_, list, _) = server.get("/?outcome=ongoing").await;
    assert!(list.contains("data-conversation=") && !list.contains("<td>unknown</td>"), "{list}");
    // A campaign's call, answered by the customer: the agent who talked to them is named.
    let (campaign, agent): (String, String) = store
        .connection()
        .query_row(
            "SELECT c.conversation_id, a.name FROM calls c JOIN agent_legs a USING (conversation_id)
             WHERE c.placed_by_role = 'campaign' AND c.answered_by_role = 'customer' AND a.answered LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let (_, page, _) = server.get(&format!("/calls/{}", encode(&campaign))).await;
    assert!(page.contains(&format!("<p>Agents: {agent}</p>")), "{page}");

    // Reports and the IVR map agree with the archive.
    let reasons = server.json("/api/reports/reasons").await;
    let expected =
        store.report(ReportKind::Reasons, &CallFilter::default(), &ReportOptions::default()).unwrap();
    assert_eq!(reasons, Value::Array(expected.to_json_rows()));
    let ivr = server.json("/api/ivr").await;
    let map = store.ivr_map(&CallFilter::default()).unwrap();
    assert_eq!(ivr["root"]["reached"].as_u64(), Some(map.calls()));
    let (_, ivr_page, _) = server.get("/ivr").await;
    assert!(ivr_page.contains(&format!("data-ivr-calls=\"{}\"", map.calls())));
    assert!(ivr_page.contains("<svg class=\"ivr-map\""));

    // A pasted conversation id, or its start, finds the call.
    let found = server.json(&format!("/api/calls?q={}", &id[..8].to_uppercase())).await;
    assert!(found["calls"].as_array().unwrap().iter().any(|c| c["conversation_id"] == id.as_str()));

    // Filters narrow the list.
    let answered = server.json("/api/calls?outcome=answered").await;
    assert!(answered["calls"].as_array().unwrap().iter().all(|c| c["outcome"] == "answered"));
    let (_, list, _) = server.get("/?outcome=abandoned_in_queue").await;
    let rows = list.matches("data-conversation=").count();
    let n: usize = store
        .connection()
        .query_row("SELECT count(*) FROM calls WHERE outcome = 'abandoned_in_queue'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, n.min(50));
    // The list answers at /calls too, as the API's list does at /api/calls.
    let (status, by_name, _) = server.get("/calls?outcome=abandoned_in_queue").await;
    assert_eq!((status, by_name), (200, list));
    let (status, _, _) = server.get("/?tz=Not/AZone").await;
    assert_eq!(status, 400);
    // A range that ends where it starts says so; "Before" is where it stops.
    let (status, page, _) = server.get("/?from=2025-11-20&to=2025-11-20").await;
    assert_eq!(status, 400);
    assert!(page.contains("for one whole day, give the next day"), "{page}");
    // The API's errors are JSON, with the page's status.
    for (path, status, says) in [
        ("/api/calls?from=2025-11-20&to=2025-11-19", 400, "“Before” must come after “From”"),
        ("/api/calls?tz=Not/AZone", 400, "Not/AZone"),
        ("/api/calls/no-such-call", 404, "No call `no-such-call` in the archive"),
        ("/api/calls/no-such-call/raw", 404, "No call `no-such-call` in the archive"),
        (
            "/api/calls/c-quarantined",
            404,
            "kept in quarantine (see Sync status): participants: invalid type: map",
        ),
        ("/api/calls/c-quarantined/raw", 404, "kept in quarantine"),
        ("/api/reports/nope", 404, "no report named `nope`"),
        ("/api/no/such/route", 404, "no page"),
    ] {
        let (got, body, headers) = server.get(path).await;
        assert_eq!(got, status, "{path}");
        assert_eq!(headers["content-type"], "application/json", "{path}");
        let error: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["status"], status, "{path}");
        assert!(error["error"].as_str().unwrap().contains(says), "{path}: {body}");
    }
    let (_, page, headers) = server.get("/calls/no-such-call").await;
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html") && page.contains("No call"));
    let (status, page, _) = server.get("/calls/c-quarantined").await;
    assert_eq!(status, 404);
    assert!(
        page.contains("was synced, but its record could not be read, so it is kept in quarantine"),
        "{page}"
    );

    let status = server.json("/api/status").await;
    assert_eq!(status["counts"]["conversations"].as_u64(), Some(store.counts().unwrap().conversations));
    assert_eq!(status["derived_with"], serde_json::to_value(settings()).unwrap());
    let (_, page, _) = server.get("/status").await;
    assert!(page.contains("reason attributes: Final Main Intent, MainIntent1; IVR checkpoints: MainIntent1"));
    let keys = page.split("data-attribute-keys=\"").nth(1).unwrap().split('"').next().unwrap();
    assert!(keys.parse::<usize>().unwrap() >= 3, "{keys}");
    assert!(
        page.contains("href=\"/?attribute=MainIntent1\"><code>MainIntent1</code></a> ("),
        "the keys the calls carry, each a link to its calls"
    );
    // The hostile profile's enormous attribute maps: the most common keys named, the rest counted.
    let listing = page.split("data-attribute-keys=").nth(1).unwrap().split("</dd>").next().unwrap();
    let named = listing.matches("<code>").count();
    let keys: usize = keys.parse().unwrap();
    assert!(keys > 1000, "{keys} keys");
    assert_eq!(named, calltrail_store::ATTRIBUTE_KEYS_SHOWN, "{listing}");
    assert!(listing.contains(&format!(", and {} more", keys - named)), "{listing}");
    let fields = server.json("/api/fields?name=segmentType").await;
    assert!(fields.as_array().unwrap().iter().any(|f| f["path"].as_str().unwrap().ends_with("segmentType")));
    // A value seen in a record finds its field; a name's beginning is offered its field.
    let fields = server.json("/api/fields?name=ININ-WRAP-UP-TIMEOUT").await;
    assert_eq!(fields[0]["path"], "segment.wrapUpCode");
    let (_, page, _) = server.get("/fields?name=ININ-WRAP-UP-TIMEOUT").await;
    assert!(page.contains("<code>ININ-WRAP-UP-TIMEOUT</code> is a value of the field below."), "{page}");
    let (_, page, _) = server.get("/fields?name=tNotResp").await;
    assert!(page
        .contains("Did you mean <a href=\"/fields?name=tNotResponding\"><code>tNotResponding</code></a>?"));
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_values_arrive_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let server = start(&db, None).await;
    let store = Store::open(&db).unwrap();

    let (status, page, _) = server.get(&format!("/calls/{}", encode(HOSTILE_ID))).await;
    assert_eq!(status, 200, "an id with path characters is one path segment");
    assert!(!page.contains("<script>") && !page.contains("<img"), "{page}");
    assert!(page.contains("&lt;script&gt;alert('owned')&lt;/script&gt;"));
    assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    let (_, list, _) = server.get("/?q=evil").await;
    assert!(list.contains(&format!("href=\"/calls/{}\"", encode(HOSTILE_ID))), "{list}");
    let (_, list, _) = server.get("/?q=EVIL%3F").await;
    assert!(list.contains(&format!("href=\"/calls/{}\"", encode(HOSTILE_ID))), "search is in any case");
    let (status, page, _) = server.get("/?q=ev").await;
    assert_eq!(status, 400, "two characters would be checked against every call");
    assert!(page.contains("three characters or more"), "{page}");

    // Every call the hostile profile touched, and the pages that list them.
    let ids: Vec<String> = {
        let mut stmt = store.connection().prepare("SELECT conversation_id FROM calls").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    let mut hostile = 0;
    for id in &ids {
        let (status, page, _) = server.get(&format!("/calls/{}", encode(id))).await;
        assert_eq!(status, 200, "{id}");
        assert!(!page.contains("<script>"), "{id}");
        if page.contains("&lt;script&gt;") {
            hostile += 1;
        }
    }
    assert!(hostile > 5, "the hostile profile's text reached {hostile} pages");
    for path in ["/", "/ivr", "/reports/reasons", "/reports/wrapups", "/reports/agents", "/status"] {
        let (_, page, _) = server.get(path).await;
        assert!(!page.contains("<script>"), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn with_a_token_every_request_must_carry_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let server = start(&db, Some("s3cret-token")).await;
    for path in ["/", "/api/calls", "/calls.csv", "/ivr", "/style.css", "/no/such/page"] {
        let (status, body, headers) = server.get(path).await;
        assert_eq!(status, 401, "{path}");
        assert!(!body.contains("s3cret-token"));
        assert!(headers.get("set-cookie").is_none());
    }
    let (status, _, _) = server.get("/?token=wrong").await;
    assert_eq!(status, 401);
    let (_, body, headers) = server.get("/api/status").await;
    assert_eq!(
        (headers["content-type"].to_str().unwrap(), headers["www-authenticate"].to_str().unwrap()),
        ("application/json", "Bearer")
    );
    assert!(body.contains("needs its token"), "{body}");
    let bearer =
        |token: &str| server.client.get(format!("{}/api/status", server.base)).bearer_auth(token).send();
    assert_eq!(bearer("s3cret-token").await.unwrap().status().as_u16(), 200);
    assert_eq!(bearer("s3cret-toke").await.unwrap().status().as_u16(), 401);
    let (status, _, headers) = server.get("/?token=s3cret-token").await;
    assert_eq!(status, 200);
    let cookie = headers["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let with_cookie = server
        .client
        .get(format!("{}/ivr", server.base))
        .header("cookie", cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(with_cookie.status().as_u16(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn cached_reports_follow_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let server = start(&db, None).await;
    let calls =
        |rows: &Value| rows.as_array().unwrap().iter().map(|r| r["calls"].as_u64().unwrap()).sum::<u64>();
    let before = server.json("/api/reports/reasons").await;
    assert_eq!(server.json("/api/reports/reasons").await, before, "served again from the cache");
    let ivr_before = server.json("/api/ivr").await["root"]["reached"].as_u64().unwrap();

    // A sync adds calls while the server runs: the next request sees them.
    let mut store = Store::open(&db).unwrap();
    store.set_settings(settings());
    let (_, planned) = calltrail_sim::generate(&Spec::at(50, 1, 77, NOW));
    let raws: Vec<Vec<u8>> = calltrail_sim::records_at(&planned, NOW);
    let slices: Vec<&[u8]> = raws.iter().map(Vec::as_slice).collect();
    let added = store.upsert(&slices, "query", NOW).unwrap().added;
    drop(store);
    assert!(added > 0);
    let after = server.json("/api/reports/reasons").await;
    assert_eq!(calls(&after), calls(&before) + added);
    assert!(server.json("/api/ivr").await["root"]["reached"].as_u64().unwrap() > ivr_before);

    // The report index, out of date, reloads; reports folded over it see the new calls.
    server.index_ready().await;
    let (rows, timing) = server.report("/api/reports/reasons?direction=inbound").await;
    assert!(timing.contains("desc=\"report index\""), "{timing}");
    let store = Store::open(&db).unwrap();
    let inbound = CallFilter { direction: Some("inbound".into()), ..CallFilter::default() };
    let expected = store.report(ReportKind::Reasons, &inbound, &ReportOptions::default()).unwrap();
    assert_eq!(rows, Value::Array(expected.to_json_rows()));
    drop(store);

    // A sync that lists new service-level targets and no new call: queue performance follows.
    let voice_targets = |rows: &Value| -> Vec<(Option<i64>, Option<f64>)> {
        rows.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["media"] == "voice")
            .map(|r| (r["target_ms"].as_i64(), r["service_level_goal"].as_f64()))
            .collect()
    };
    let before = server.json("/api/reports/queues?by=queue").await;
    assert!(voice_targets(&before).iter().all(|t| *t == (Some(20_000), None)), "{before}");
    let (_, status_page, _) = server.get("/status").await;
    assert!(status_page.contains("no queue's service level listed yet"), "{status_page}");
    let mut store = Store::open(&db).unwrap();
    let queues: Vec<String> = store
        .connection()
        .prepare("SELECT DISTINCT queue_id FROM queue_visits WHERE queue_id IS NOT NULL")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // (The calls added above come from another simulated organisation: its queues have the
    // same names and other ids.)
    assert_eq!(queues.len(), 10);
    let levels: Vec<calltrail_model::ServiceLevel> = queues
        .into_iter()
        .map(|queue_id| calltrail_model::ServiceLevel {
            queue_id,
            media: "voice".into(),
            target_ms: 45_000,
            goal: Some(0.85),
        })
        .collect();
    store.put_service_levels(&levels).unwrap();
    drop(store);
    let after = server.json("/api/reports/queues?by=queue").await;
    assert!(voice_targets(&after).iter().all(|t| *t == (Some(45_000), Some(0.85))), "{after}");
    // The goal is shown with the service level: at the end of each queue's bar, and under the
    // overview's tile (every queue aiming for the same).
    let (_, page, _) = server.get("/reports/queues?by=queue").await;
    let bars = page.matches(" (goal 85%)</text>").count();
    assert_eq!(bars, voice_targets(&after).len(), "{page}");
    let (_, overview, _) = server.get("/reports").await;
    assert!(overview.contains("voice waits in queues answered within 45.0s (goal 85%)"), "{overview}");
    let (_, status_page, _) = server.get("/status").await;
    assert!(status_page.contains("voice 45.0s (the settings of 10 queues)"), "{status_page}");
    server.index_ready().await;
    let (rows, timing) = server.report("/api/reports/queues?by=queue&direction=inbound").await;
    assert!(timing.contains("desc=\"report index\""), "{timing}");
    assert!(voice_targets(&rows).iter().all(|t| *t == (Some(45_000), Some(0.85))), "{rows}");
}

impl Server {
    /// Waits (polling `/api/status`) until the report index holds the archive as it is.
    async fn index_ready(&self) -> Value {
        for _ in 0..1_000 {
            let status = self.json("/api/status").await;
            if status["report_index"]["state"] == "ready" {
                return status;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the report index did not load: {}", self.json("/api/status").await);
    }

    /// A report and where the server says it came from (its `Server-Timing` header).
    async fn report(&self, path: &str) -> (Value, String) {
        let (status, body, headers) = self.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        let timing = headers.get("server-timing").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        (serde_json::from_str(&body).unwrap(), timing)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn reports_are_folded_over_the_report_index_and_equal_the_archives() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let server = start(&db, None).await;
    let store = Store::open(&db).unwrap();
    let status = server.index_ready().await;
    let calls: u64 = store.connection().query_row("SELECT count(*) FROM calls", [], |r| r.get(0)).unwrap();
    assert_eq!(status["report_index"]["calls"].as_u64(), Some(calls));
    let (_, page, _) = server.get("/status").await;
    assert!(page.contains("data-index=\"ready\""));

    let queue: String = store
        .connection()
        .query_row("SELECT queue_name FROM calls WHERE queue_name IS NOT NULL LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let london = calltrail_model::Zone::named("Europe/London").unwrap();
    let cases: Vec<(String, CallFilter, ReportOptions)> = vec![
        (String::new(), CallFilter::default(), ReportOptions::default()),
        (
            "from=2025-11-22&to=2025-11-24".into(),
            CallFilter {
                from_ms: Some(NOW - 3 * 86_400_000 - 36_000_000),
                to_ms: Some(NOW - 86_400_000 - 36_000_000),
                ..CallFilter::default()
            },
            ReportOptions::default(),
        ),
        (
            format!("queue={}&outcome=answered&tz=Europe/London&from=2025-11-23", encode(&queue)),
            CallFilter {
                from_ms: london.day_start("2025-11-23"),
                queue: Some(queue.clone()),
                outcome: Some("answered".into()),
                ..CallFilter::default()
            },
            ReportOptions { zone: london.clone(), ..ReportOptions::default() },
        ),
        (
            "by=queue,hour&target=1m&short=30s&tz=Europe/London".into(),
            CallFilter::default(),
            ReportOptions {
                zone: london.clone(),
                group_by: GroupBy { queue: true, day: false, hour: true },
                service_target_ms: Some(60_000),
                short_abandon_ms: Some(30_000),
                repeat_within_ms: None,
            },
        ),
    ];
    for (query, filter, options) in &cases {
        for kind in ReportKind::ALL.into_iter().filter(|k| *k != ReportKind::Ivr) {
            let path = format!("/api/reports/{}?{query}", kind.as_str());
            let (rows, timing) = server.report(&path).await;
            // Each call's next contact is a seek in the archive: `repeats` is folded there.
            let from = if kind.reads_next_contact() { "archive" } else { "report index" };
            assert!(timing.contains(&format!("desc=\"{from}\"")), "{path}: {timing}");
            // Without `by`, each report groups as it does by default.
            let options = if query.contains("by=") {
                options.clone()
            } else {
                ReportOptions { group_by: kind.default_group_by(), ..options.clone() }
            };
            let expected = store.report(kind, filter, &options).unwrap();
            assert_eq!(rows, Value::Array(expected.to_json_rows()), "{path}");
            let (again, timing) = server.report(&path).await;
            assert!(timing.contains("desc=\"cache\"") && again == rows, "{path}: {timing}");
        }
        let (map, timing) = server.report(&format!("/api/ivr?{query}")).await;
        assert!(timing.contains("desc=\"report index\""), "{timing}");
        assert_eq!(map, serde_json::to_value(store.ivr_map(filter).unwrap()).unwrap());
    }
    // The report page offers what shapes its report, as asked.
    let (_, page, _) = server.get("/reports/queues?by=day,hour&target=45s").await;
    assert!(page.contains("<option value=\"day,hour\" selected>"), "the grouping asked for");
    assert!(page.contains("name=\"target\" size=\"8\" placeholder=\"its target\" value=\"45s\""));
    assert!(page.contains("<th>day</th><th>hour</th>"), "grouped by day and hour");
    for bad in ["by=week", "target=soon"] {
        let (status, body, _) = server.get(&format!("/api/reports/queues?{bad}")).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    // Repeat contacts: per queue when asked, within the window asked for, as the archive folds it.
    let (_, page, _) = server.get("/reports/repeats?by=queue&within=24h").await;
    assert!(page.contains("<option value=\"queue\" selected>"), "{page}");
    assert!(page.contains("name=\"within\" size=\"5\" placeholder=\"7d\" value=\"24h\""), "{page}");
    let (rows, _) = server.report("/api/reports/repeats?by=queue&within=24h").await;
    let options = ReportOptions {
        group_by: GroupBy { queue: true, day: false, hour: false },
        repeat_within_ms: Some(86_400_000),
        ..ReportOptions::default()
    };
    let expected = store.report(ReportKind::Repeats, &CallFilter::default(), &options).unwrap();
    assert!(
        expected.rows.iter().any(|r| r[3] != calltrail_explain::report::Cell::Int(0)),
        "some contacted again"
    );
    assert_eq!(rows, Value::Array(expected.to_json_rows()));
    let (status, body, _) = server.get("/api/reports/repeats?within=soon").await;
    assert_eq!(status, 400, "{body}");
    // A number search needs the archive's index of numbers.
    let (rows, timing) = server.report("/api/reports/reasons?number=%2B1").await;
    assert!(timing.contains("desc=\"archive\""), "{timing}");
    let number = CallFilter { number: Some("+1".into()), ..CallFilter::default() };
    let expected = store.report(ReportKind::Reasons, &number, &ReportOptions::default()).unwrap();
    assert_eq!(rows, Value::Array(expected.to_json_rows()));
    // So does participant data.
    let (rows, timing) = server.report("/api/reports/outcomes?attribute=LOB").await;
    assert!(timing.contains("desc=\"archive\""), "{timing}");
    let lob = CallFilter { attribute: Some("LOB".into()), ..CallFilter::default() };
    let options =
        ReportOptions { group_by: ReportKind::Outcomes.default_group_by(), ..ReportOptions::default() };
    let expected = store.report(ReportKind::Outcomes, &lob, &options).unwrap();
    assert!(!expected.rows.is_empty());
    assert_eq!(rows, Value::Array(expected.to_json_rows()));
}

#[tokio::test(flavor = "multi_thread")]
async fn participant_data_filters_the_calls_and_a_call_pages_values_link_to_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let server = start(&db, None).await;
    let store = Store::open(&db).unwrap();
    let (id, key, value): (String, String, String) = store
        .connection()
        .query_row(
            "SELECT r.conversation_id, a.key, a.value FROM call_records r, json_each(r.record_json, '$.ivr.attributes') a
             WHERE a.key = 'MainIntent1' LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let (_, page, _) = server.get(&format!("/calls/{id}")).await;
    let link = format!("/?attribute={}", encode(&format!("{key}={value}")));
    assert!(page.contains(&format!("href=\"{link}\"")), "{link} on the call's page");
    let (status, list, _) = server.get(&link).await;
    assert_eq!(status, 200);
    assert!(list.contains(&format!("name=\"attribute\" size=\"14\" list=\"attribute-keys\" placeholder=\"key=value\" value=\"{key}={value}\"")));
    assert!(list.contains("<option value=\"MainIntent1=\">"), "known keys offered");
    assert!(list.contains(&format!("/calls/{id}")), "the call is listed");
    let with: i64 = store
        .connection()
        .query_row(
            "SELECT count(*) FROM call_records WHERE json_extract(record_json, '$.ivr.attributes.MainIntent1') = ?1",
            [&value],
            |r| r.get(0),
        )
        .unwrap();
    let csv = server
        .client
        .get(format!(
            "{}/calls.csv?attribute={}",
            server.base,
            encode(&format!("mainintent1={}", value.to_lowercase()))
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(with > 1 && csv.lines().count() - 1 == usize::try_from(with).unwrap(), "{with} calls: {csv}");
    let (status, body, _) = server.get("/?attribute=%3DBilling").await;
    assert_eq!(status, 400);
    assert!(body.contains("give a key"), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_use_the_sites_zone_unless_the_request_names_another() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let server = start_in(&db, None, Some("Asia/Kolkata")).await;
    let (_, page, _) = server.get("/").await;
    assert!(page.contains("Started (Asia/Kolkata)"), "the list in the site's zone");
    assert!(
        page.contains("name=\"tz\" size=\"14\" placeholder=\"UTC\" value=\"Asia/Kolkata\""),
        "the form says so"
    );
    let (_, page, _) = server.get("/?tz=UTC").await;
    assert!(page.contains("Started (UTC)"), "a request's own zone wins");
    // A date is the site's local midnight: 2025-11-24 in Kolkata began at 18:30 UTC the day
    // before, so the newest call before it started before then, not merely before 00:00 UTC.
    let kolkata_midnight = 1_763_922_600_000_i64;
    let utc_midnight = 1_763_942_400_000_i64;
    let store = Store::open(&db).unwrap();
    let between: i64 = store
        .connection()
        .query_row(
            "SELECT count(*) FROM calls WHERE start_ms >= ?1 AND start_ms < ?2",
            [kolkata_midnight, utc_midnight],
            |r| r.get(0),
        )
        .unwrap();
    assert!(between > 0, "calls between the two midnights make the test tell them apart");
    let before = server.json("/api/calls?to=2025-11-24").await;
    let newest = before["calls"][0]["start_ms"].as_i64().unwrap();
    assert!(newest < kolkata_midnight, "{newest}");
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_read_times_as_the_command_line_does() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let server = start(&db, None).await;
    // The archive's calls are from November 2025: all of them started before today, and after
    // 100,000 days ago.
    let today = server.json("/api/calls?from=today").await;
    assert_eq!(today["calls"].as_array().map(Vec::len), Some(0), "{today}");
    let all = server.json("/api/calls").await;
    let since_long_ago = server.json("/api/calls?from=today-100000d&to=now").await;
    assert_eq!(since_long_ago["calls"], all["calls"]);
    assert!(!all["calls"].as_array().unwrap().is_empty());
    // The form keeps a relative time as written (a date picker would drop it on the next submit).
    let (_, page, _) = server.get("/?from=today-7d&to=2099-11-24").await;
    assert!(page.contains("type=\"text\" name=\"from\" size=\"12\" value=\"today-7d\""), "the from field");
    assert!(page.contains("type=\"date\" name=\"to\" size=\"12\" value=\"2099-11-24\""), "the to field");
    let (status, body, _) = server.get("/api/calls?from=last%20tuesday").await;
    assert_eq!(status, 400);
    assert!(body.contains("today-7d"), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn names_are_found_in_any_case_and_unknown_ones_are_said() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let server = start(&db, None).await;
    let all = server.json("/api/calls").await;
    let answered = all["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["answered_by_name"].is_string() && c["queue_name"].is_string())
        .expect("an answered call");
    let (agent, queue) =
        (answered["answered_by_name"].as_str().unwrap(), answered["queue_name"].as_str().unwrap());
    let exact = server.json(&format!("/api/calls?agent={}&queue={}", encode(agent), encode(queue))).await;
    assert!(!exact["calls"].as_array().unwrap().is_empty());
    let typed = format!("agent={}&queue={}", encode(&agent.to_lowercase()), encode(&queue.to_uppercase()));
    assert_eq!(server.json(&format!("/api/calls?{typed}")).await["calls"], exact["calls"]);
    // The form shows the names as the archive spells them, and offers the agents' names.
    let (_, page, _) = server.get(&format!("/?{typed}")).await;
    assert!(
        page.contains(&format!("name=\"agent\" size=\"12\" list=\"agent-names\" value=\"{agent}\"")),
        "{page}"
    );
    assert!(page.contains(&format!("<option value=\"{agent}\"></option>")), "the agents' names");
    assert!(!page.contains("unknown-name"));
    // A name the archive does not know is said, above no calls.
    let (status, page, _) = server.get("/reports/agents?agent=Nobody%20Here").await;
    assert_eq!(status, 200);
    assert!(page.contains("No agent is named “Nobody Here” (the archive knows "), "{page}");
    // A part of a name links to the names that contain it.
    let part = agent.split(' ').next_back().unwrap().to_lowercase();
    let (_, page, _) = server.get(&format!("/reports/agents?agent={}&tz=UTC", encode(&part))).await;
    let link = format!("<a href=\"/reports/agents?agent={}&amp;tz=UTC\">{agent}</a>", encode(agent));
    assert!(
        page.contains(&format!("No agent is named “{part}”. Did you mean ")) && page.contains(&link),
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_phases_picture_stacks_each_queues_averages_from_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let server = start(&db, None).await;
    let store = Store::open(&db).unwrap();
    let (_, page, _) = server.get("/reports/phases").await;
    let (queue, queued): (String, i64) = store
        .connection()
        .query_row(
            "SELECT queue_name, count(*) FROM calls WHERE queue_ms > 0 AND queue_name IS NOT NULL
             GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // A bar per queue, its phases in the order a call meets them.
    let bars: Vec<&str> =
        page.split("<g data-bar=\"").skip(1).map(|b| b.split("</g>").next().unwrap()).collect();
    let labels: Vec<&str> = bars.iter().map(|b| b.split('"').next().unwrap()).collect();
    assert!(labels.contains(&"(none)") && labels.len() > 2, "{labels:?}");
    let bar = bars.iter().find(|b| b.starts_with(&format!("{queue}\""))).expect(&queue);
    let phases: Vec<&str> = bar.split("data-part=\"").skip(1).map(|p| p.split('"').next().unwrap()).collect();
    assert_eq!(phases.first(), Some(&"ivr"), "{phases:?}");
    assert_eq!(phases.last(), Some(&"wrapup"), "after-call work last, in its timeline colour: {phases:?}");
    assert!(phases.windows(2).all(|w| w[0] != w[1]) && !phases.contains(&"other"), "{phases:?}");
    for (phase, column) in [("queue", "queue_ms"), ("talk", "talk_ms"), ("acw", "acw_ms")] {
        let (calls, total): (i64, i64) = store
            .connection()
            .query_row(
                &format!("SELECT count(*), sum({column}) FROM calls WHERE queue_name = ?1 AND {column} > 0"),
                [&queue],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let title = format!(
            "{queue} · {phase} {} on average over {calls} calls",
            calltrail_explain::story::duration(total / calls)
        );
        assert!(bar.contains(&title), "{title} missing in {bar}");
        if phase == "queue" {
            assert_eq!(calls, queued);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_queues_picture_splits_each_rows_calls_by_how_they_ended() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let server = start(&db, None).await;
    let rows = server.json("/api/reports/queues?by=queue&target=2m").await;
    let (_, page, _) = server.get("/reports/queues?by=queue&target=2m").await;
    let rows = rows.as_array().unwrap();
    assert!(rows.len() > 2);
    // A bar for each queue's voice waits, none for other media (the chat page has those).
    assert!(rows.iter().any(|r| r["media"] != "voice"), "the archive has waits of other media");
    assert!(page.contains("The voice waits offered to each queue"), "{page}");
    for row in rows.iter().filter(|r| r["media"] != "voice") {
        let label = format!(
            "<g data-bar=\"{} · {}\">",
            row["queue"].as_str().unwrap(),
            row["media"].as_str().unwrap()
        );
        assert!(!page.contains(&label), "{label}");
    }
    let (_, chats, _) = server.get("/reports/queues?by=queue&media=chat").await;
    assert!(
        chats.contains("The chat waits offered to each queue") && chats.contains(" · chat\">"),
        "{chats}"
    );
    for row in rows.iter().filter(|r| r["media"] == "voice") {
        let queue = format!("{} · {}", row["queue"].as_str().unwrap(), row["media"].as_str().unwrap());
        let bar = page.split(&format!("<g data-bar=\"{queue}\">")).nth(1).expect(&queue);
        let bar = bar.split("</g>").next().unwrap();
        let n = |key: &str| row[key].as_u64().unwrap();
        let within = n("answered_within_target");
        for (count, what) in [
            (within, "answered within the target"),
            (n("answered") - within, "answered later"),
            (n("abandoned"), "abandoned"),
        ] {
            let title = format!("<title>{queue}: {count} {what}</title>");
            assert_eq!(bar.contains(&title), count > 0, "{title} in {bar}");
        }
        let level = format!("{:.0}", row["service_level"].as_f64().unwrap() * 100.0);
        assert!(bar.contains(&format!(">{} offered · {level}%</text>", n("offered"))), "{bar}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_comes_as_csv_and_a_long_one_shows_its_first_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let server = start(&db, None).await;
    // The CSV is the command line's, for the same report, after a byte-order mark for Excel.
    let (status, csv, headers) =
        server.get("/api/reports/phases?by=queue,day&tz=Asia/Tokyo&format=csv").await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(headers["content-disposition"], "attachment; filename=\"phases.csv\"");
    let options = ReportOptions {
        zone: calltrail_model::Zone::named("Asia/Tokyo").unwrap(),
        group_by: GroupBy { queue: true, day: true, hour: false },
        ..ReportOptions::default()
    };
    let expected =
        Store::open(&db).unwrap().report(ReportKind::Phases, &CallFilter::default(), &options).unwrap();
    assert_eq!(
        csv.strip_prefix('\u{feff}'),
        Some(expected.to_csv().as_str()),
        "a byte-order mark, then the CSV"
    );
    let (status, _, _) = server.get("/api/reports/phases?format=xml").await;
    assert_eq!(status, 400);
    // A page shows the first 500 rows, says so, and links the whole report.
    let rows = server.json("/api/reports/phases?by=queue,day,hour").await;
    let rows = rows.as_array().unwrap().len();
    assert!(rows > 500, "{rows}");
    let (_, page, _) = server.get("/reports/phases?by=queue,day,hour").await;
    let table = page.split("<table class=\"report\">").nth(1).unwrap();
    assert_eq!(table.matches("<tr>").count(), 1 + 500, "a heading and 500 rows");
    assert!(page.contains(&format!("the first 500 of its {rows} rows are below")), "{page}");
    assert!(page.contains("href=\"/api/reports/phases?by=queue%2Cday%2Chour&amp;format=csv\""), "{page}");
    let (_, short, _) = server.get("/reports/phases?by=queue").await;
    assert!(!short.contains("data-rows-shown"), "a short report shows every row");
}

#[tokio::test(flavor = "multi_thread")]
async fn each_agents_handle_time_is_a_bar_split_into_talk_hold_and_after_call_work() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let server = start(&db, None).await;
    let rows = server.json("/api/reports/agents").await;
    let rows = rows.as_array().unwrap();
    let (_, page, _) = server.get("/reports/agents").await;
    assert!(page.contains("Each agent's handle time"), "{page}");
    let ms = |row: &Value, key: &str| row[key].as_i64().unwrap();
    let busy: Vec<&Value> = rows.iter().filter(|r| ms(r, "total_handle_ms") > 0).collect();
    assert!(busy.len() > 10, "{rows:?}");
    for row in busy.iter().take(30) {
        // The parts add up to the handle time, as the report's totals do.
        assert_eq!(
            ms(row, "talk_ms") + ms(row, "hold_ms") + ms(row, "acw_ms"),
            ms(row, "total_handle_ms"),
            "{row}"
        );
        let agent = row["agent"].as_str().unwrap();
        let bar = page
            .split(&format!("<g data-bar=\"{agent}\">"))
            .nth(1)
            .expect(agent)
            .split("</g>")
            .next()
            .unwrap();
        for (key, what) in [("talk_ms", "talk"), ("hold_ms", "hold"), ("acw_ms", "after-call work")] {
            let title = format!(
                "<title>{agent}: {} {what}</title>",
                calltrail_explain::story::duration(ms(row, key))
            );
            assert_eq!(bar.contains(&title), ms(row, key) > 0, "{title} in {bar}");
        }
        let total = format!(
            ">{} · {} answered</text>",
            calltrail_explain::story::duration(ms(row, "total_handle_ms")),
            row["answered"]
        );
        assert!(bar.contains(&total), "{total} in {bar}");
    }
    assert_eq!(page.matches("<g data-bar=").count(), busy.len().min(30));
}

#[tokio::test(flavor = "multi_thread")]
async fn calls_per_day_and_hour_are_drawn_as_a_heat_map() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let server = start(&db, None).await;
    let query = "by=day,hour&tz=America/Chicago";
    let rows = server.json(&format!("/api/reports/outcomes?{query}")).await;
    let rows = rows.as_array().unwrap();
    let (status, page, _) = server.get(&format!("/reports/outcomes?{query}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("<svg class=\"heatmap\""), "{page}");
    assert!(page.contains("Calls per hour of each day (America/Chicago)"), "{page}");
    assert!(!page.contains("data-bar="), "a heat map, not a bar per hour");
    // A cell per day and hour that had calls, titled with them, the darkest for the most.
    assert_eq!(page.matches("data-cell=").count(), rows.len());
    let max = rows.iter().map(|r| r["calls"].as_u64().unwrap()).max().unwrap();
    assert!(max >= 5, "{max}");
    for row in rows {
        let (day, hour, calls) =
            (row["day"].as_str().unwrap(), row["hour"].as_str().unwrap(), row["calls"].as_u64().unwrap());
        let cell = page.split(&format!("data-cell=\"{day} {}\"", &hour[..2])).nth(1).expect(hour);
        let cell = cell.split("</rect>").next().unwrap();
        let plural = if calls == 1 { "" } else { "s" };
        assert!(cell.contains(&format!("<title>{day} {hour}: {calls} call{plural}")), "{cell}");
        let darkest = page.split(&format!("data-cell=\"{day} {}\"", &hour[..2])).next().unwrap();
        let darkest = darkest.ends_with("class=\"heat heat5\" ");
        assert_eq!(darkest, calls * 5 > max * 4, "{day} {hour}: {calls} of at most {max}");
    }
    // The reports overview links to it, with its filters.
    let (_, overview, _) = server.get("/reports?tz=America/Chicago").await;
    assert!(
        overview
            .contains("href=\"/reports/outcomes?tz=America%2FChicago&amp;by=day%2Chour\">When calls come in"),
        "{overview}"
    );
    // Grouped by day alone, the days are bars again.
    let (_, by_day, _) = server.get("/reports/outcomes?by=day").await;
    assert!(by_day.contains("data-bar=") && !by_day.contains("data-cell="));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reports_overview_counts_the_archives_calls_by_how_they_ended() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    // What the archive itself says, per day and outcome.
    let store = Store::open(&db).unwrap();
    let counted: Vec<(String, String, u64)> = store
        .connection()
        .prepare("SELECT call_date, outcome, count(*) FROM calls GROUP BY 1, 2")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let (inbound, answered): (u64, u64) = store
        .connection()
        .query_row(
            "SELECT count(*), count(*) FILTER (WHERE outcome = 'answered') FROM calls WHERE direction = 'inbound'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    drop(store);
    let total: u64 = counted.iter().map(|c| c.2).sum();
    let server = start(&db, None).await;

    let (status, page, _) = server.get("/reports").await;
    assert_eq!(status, 200);
    let tile = |key: &str| tile_of(&page, key);
    assert_eq!(tile("calls"), total.to_string());
    #[allow(clippy::cast_precision_loss)]
    let rate = answered as f64 * 100.0 / inbound as f64;
    assert_eq!(tile("answer_rate"), format!("{rate:.1}%"));
    // The service level over the voice waits in queues, from the queue report's rows per queue
    // and day.
    let rows = server.json("/api/reports/queues?media=voice").await;
    let sum = |key: &str| rows.as_array().unwrap().iter().map(|r| r[key].as_u64().unwrap()).sum::<u64>();
    let counted_waits = sum("answered") + sum("abandoned") - sum("short_abandons");
    assert!(counted_waits > 100, "{rows}");
    #[allow(clippy::cast_precision_loss)]
    let level = sum("answered_within_target") as f64 * 100.0 / counted_waits as f64;
    assert_eq!(tile("service_level"), format!("{level:.1}%"));
    // The speed of answer: the average wait of the voice waits answered (of some length).
    let average: i64 = Store::open(&db)
        .unwrap()
        .connection()
        .query_row(
            "SELECT CAST(round(avg(wait_ms)) AS INTEGER) FROM queue_visits
             WHERE media_type = 'voice' AND outcome = 'answered' AND wait_ms > 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tile("speed_of_answer"), calltrail_explain::story::duration(average));
    // The average handle time, over the calls that had one.
    let handle: i64 = Store::open(&db)
        .unwrap()
        .connection()
        .query_row("SELECT CAST(round(avg(handle_ms)) AS INTEGER) FROM calls WHERE handle_ms > 0", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(tile("avg_handle_ms"), calltrail_explain::story::duration(handle));
    let (_, strict, _) = server.get("/reports?target=1s").await;
    assert_ne!(tile_of(&strict, "service_level"), tile("service_level"));
    assert!(strict.contains("voice waits in queues answered within 1.0s"), "{strict}");
    let (_, chats, _) = server.get("/reports?media=chat").await;
    assert!(chats.contains("chat waits in queues answered within 20.0s"), "{chats}");
    assert_ne!(tile_of(&chats, "service_level"), tile("service_level"));
    // A bar a day, a part per outcome the day had, titled with its count.
    let days: std::collections::BTreeSet<&str> = counted.iter().map(|c| c.0.as_str()).collect();
    assert!(days.len() >= 5, "{days:?}");
    for day in &days {
        let bar =
            page.split(&format!("<g data-bar=\"{day}\">")).nth(1).expect(day).split("</g>").next().unwrap();
        let calls: u64 = counted.iter().filter(|c| c.0 == *day).map(|c| c.2).sum();
        assert!(bar.contains(&format!(">{calls} call")), "{day}: {calls} in {bar}");
        for (_, outcome, n) in counted.iter().filter(|c| c.0 == *day) {
            let name = match outcome.as_str() {
                "connected" => "connected (outbound, internal)",
                "self_served" => "self-served in the IVR",
                "abandoned_in_ivr" => "abandoned in the IVR",
                "abandoned_in_queue" => "abandoned in a queue",
                "not_answered" => "not answered (outbound, internal)",
                "ongoing" => "still going on",
                other => other,
            };
            let title = format!("<title>{day}: {n} {name}</title>");
            assert!(bar.contains(&title), "{title} in {bar}");
        }
        let parts = bar.matches("<title>").count();
        assert_eq!(parts, counted.iter().filter(|c| c.0 == *day).count(), "{day}");
    }
    // Every report is linked with the filters the overview was shown with.
    let (_, page, _) = server.get("/reports?direction=inbound").await;
    assert!(page.contains("href=\"/reports/outcomes?direction=inbound\""), "{page}");
    assert_eq!(tile_of(&page, "calls"), inbound.to_string());

    // The report itself, by day unless asked otherwise; the page's picture is the same one.
    let rows = server.json("/api/reports/outcomes").await;
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), days.len());
    assert!(rows.iter().all(|r| r.get("queue").is_none() && r.get("day").is_some()));
    let rows = server.json("/api/reports/outcomes?by=queue").await;
    let sum: u64 = rows.as_array().unwrap().iter().map(|r| r["calls"].as_u64().unwrap()).sum();
    assert_eq!(sum, total);
}

fn tile_of(page: &str, key: &str) -> String {
    let tile = page.split(&format!("data-tile=\"{key}\"")).nth(1).expect(key);
    tile.split("<span class=\"value\">").nth(1).unwrap().split('<').next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_status_page_says_what_the_latest_sync_went_without() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let warning = "no flow names: the API refused to list them (403: You are missing the following permission(s): [architect:flow:view])";
    {
        let mut store = Store::open(&db).unwrap();
        let id = store.start_sync(NOW - 86_400_000, NOW, "query", &[], NOW).unwrap();
        store.finish_sync(id, "done", &[warning.to_owned(), "<b>escaped</b>".to_owned()], NOW).unwrap();
    }
    let server = start(&db, None).await;
    let (_, page, _) = server.get("/status").await;
    assert!(page.contains("The latest sync went on without"), "{page}");
    assert!(page.contains(warning) && page.contains("&lt;b&gt;escaped&lt;/b&gt;"), "{page}");
    let status = server.json("/api/status").await;
    assert_eq!(status["syncs"][0]["warnings"][0], warning);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_calls_list_downloads_as_csv_every_call_it_selects() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    let server = start(&db, None).await;
    let store = Store::open(&db).unwrap();
    let (_, page, _) = server.get("/?outcome=answered&media=voice").await;
    assert!(
        page.contains("href=\"/calls.csv?media=voice&amp;outcome=answered\""),
        "the list links its download"
    );
    let response = server
        .client
        .get(format!("{}/calls.csv?media=voice&outcome=answered", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(response.headers()["content-disposition"].to_str().unwrap().contains("calls.csv"));
    let bytes = response.bytes().await.unwrap();
    // A byte-order mark first, so Excel reads the file as UTF-8.
    let csv = std::str::from_utf8(&bytes).unwrap().strip_prefix('\u{feff}').expect("a byte-order mark");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("conversation_id,start,direction_label,"));
    let expected: i64 = store
        .connection()
        .query_row(
            "SELECT count(*) FROM calls WHERE outcome = 'answered' AND media_type = 'voice'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(lines.len() - 1, usize::try_from(expected).unwrap(), "every call, not a page of them");
    assert!(lines[1..].iter().all(|l| l.contains(",voice,") && l.contains(",answered,")));
    // The whole archive (more than one step of the download's reading), and caller-influenced
    // text stays inert in a spreadsheet.
    let all =
        server.client.get(format!("{}/calls.csv", server.base)).send().await.unwrap().text().await.unwrap();
    let calls: i64 = store.connection().query_row("SELECT count(*) FROM calls", [], |r| r.get(0)).unwrap();
    // Records end at line ends outside quotes (a hostile name may hold a line end of its own).
    let mut quoted = false;
    let records = all
        .chars()
        .filter(|c| {
            if *c == '"' {
                quoted = !quoted;
            }
            *c == '\n' && !quoted
        })
        .count();
    assert!(calls > 500, "{calls}");
    assert_eq!(records - 1, usize::try_from(calls).unwrap());
    assert!(!all.lines().any(|l| l.split(',').any(|cell| cell.starts_with('=') || cell.starts_with('+'))));
    let (status, _, _) = server.get("/calls.csv?from=whenever").await;
    assert_eq!(status, 400);
}
