//! The simulator's other views of its data: the Conversations API record of a conversation
//! (attributes and wrap-ups), the entity listings (users, queues, wrap-up codes, flows) and
//! `ErrorBody` errors.

use calltrail_model::{Conversation, Purpose, SegmentType};
use serde_json::{json, Map, Value};

use crate::org::Org;

/// `GET /api/v2/conversations/{id}` for a detail record: participants with attributes,
/// queue, times and the agent's wrap-up.
pub fn conversation_api_record(org: &Org, record: &Conversation<'_>) -> Value {
    let id = record.conversation_id.as_deref().unwrap_or_default();
    let participants: Vec<Value> = record
        .participants()
        .iter()
        .map(|p| {
            let segments: Vec<_> = p.sessions().iter().flat_map(calltrail_model::Session::segments).collect();
            let start = segments.iter().filter_map(|s| s.segment_start.as_deref()).min();
            let end = segments
                .iter()
                .filter(|s| s.segment_type != Some(SegmentType::Wrapup))
                .filter_map(|s| s.segment_end.as_deref())
                .max();
            let connected = segments
                .iter()
                .find(|s| s.segment_type == Some(SegmentType::Interact))
                .and_then(|s| s.segment_start.as_deref());
            let queue_id = segments.iter().find_map(|s| s.queue_id.as_deref());
            let mut out = Map::new();
            let mut put = |k: &str, v: Option<Value>| {
                if let Some(v) = v {
                    out.insert(k.to_owned(), v);
                }
            };
            put("id", p.participant_id.as_deref().map(Value::from));
            put("name", p.participant_name.as_deref().map(Value::from));
            put("purpose", p.purpose.as_ref().map(|x| Value::from(x.as_str())));
            put("userId", p.user_id.as_deref().map(Value::from));
            put("startTime", start.map(Value::from));
            put("endTime", end.map(Value::from));
            put("connectedTime", connected.map(Value::from));
            put("queueId", queue_id.map(Value::from));
            put(
                "queueName",
                queue_id
                    .and_then(|q| org.queues.iter().find(|x| x.id == q))
                    .map(|q| Value::from(q.name.clone())),
            );
            put("externalContactId", p.external_contact_id.as_deref().map(Value::from));
            if let Some(session) = p.sessions().first() {
                put("ani", session.ani.as_deref().map(Value::from));
                put("dnis", session.dnis.as_deref().map(Value::from));
            }
            let attributes: Map<String, Value> = p
                .attributes
                .iter()
                .flat_map(calltrail_model::Attributes::iter)
                .map(|(k, v)| (k.as_str().to_owned(), Value::from(v.as_str())))
                .collect();
            put("attributes", Some(Value::Object(attributes)));
            if matches!(p.purpose, Some(Purpose::Agent | Purpose::User)) {
                let wrap = segments
                    .iter()
                    .find(|s| s.segment_type == Some(SegmentType::Wrapup) && s.wrap_up_code.is_some());
                if let Some(w) = wrap {
                    let code = w.wrap_up_code.as_deref().unwrap_or_default();
                    let name = org.wrapup_codes.iter().find(|c| c.id == code).map(|c| c.name.clone());
                    let mut wrapup = json!({"code": code, "tags": []});
                    if let Some(name) = name {
                        wrapup["name"] = Value::from(name);
                    }
                    if let Some(note) = w.wrap_up_note.as_deref() {
                        wrapup["notes"] = Value::from(note);
                    }
                    if let Some(end) = w.segment_end.as_deref() {
                        wrapup["endTime"] = Value::from(end);
                    }
                    out.insert("wrapup".into(), wrapup);
                    out.insert("wrapupRequired".into(), Value::Bool(true));
                }
            }
            for media in ["calls", "callbacks", "chats", "emails", "messages"] {
                out.insert(media.into(), Value::Array(Vec::new()));
            }
            Value::Object(out)
        })
        .collect();
    let mut record_json = json!({
        "id": id,
        "startTime": record.conversation_start.as_deref().unwrap_or_default(),
        "participants": participants,
        "divisions": [],
        "selfUri": format!("/api/v2/conversations/{id}"),
    });
    if let Some(end) = record.conversation_end.as_deref() {
        record_json["endTime"] = Value::from(end);
    }
    record_json
}

/// An entity listing page (`…EntityListing`).
pub fn listing(path: &str, entities: Vec<Value>, page_size: usize, page_number: usize) -> Value {
    let total = entities.len();
    let page_size = page_size.clamp(1, 500);
    let page_count = total.div_ceil(page_size).max(1);
    let page_number = page_number.max(1);
    let page: Vec<Value> = entities.into_iter().skip((page_number - 1) * page_size).take(page_size).collect();
    let uri = |n: usize| format!("{path}?pageSize={page_size}&pageNumber={n}");
    let mut out = json!({
        "entities": page,
        "pageSize": page_size,
        "pageNumber": page_number,
        "total": total,
        "pageCount": page_count,
        "firstUri": uri(1),
        "lastUri": uri(page_count),
        "selfUri": uri(page_number),
    });
    if page_number < page_count {
        out["nextUri"] = Value::from(uri(page_number + 1));
    }
    if page_number > 1 {
        out["previousUri"] = Value::from(uri(page_number - 1));
    }
    out
}

/// The users as `User` entities.
pub fn users(org: &Org) -> Vec<Value> {
    org.users
        .iter()
        .map(|u| {
            json!({"id": u.id, "name": u.name, "email": u.email, "username": u.email, "state": "active", "version": 1,
                   "division": {"id": org.division, "name": "Home", "selfUri": format!("/api/v2/authorization/divisions/{}", org.division)},
                   "selfUri": format!("/api/v2/users/{}", u.id)})
        })
        .collect()
}

/// The queues as `Queue` entities.
pub fn queues(org: &Org) -> Vec<Value> {
    org.queues
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let members = org.users.iter().filter(|u| u.queue == i).count();
            let media_settings: Map<String, Value> = q
                .service_levels
                .iter()
                .map(|&(media, target, goal)| {
                    let alerting = if media == "email" { 300 } else { 8 };
                    let settings = json!({"alertingTimeoutSeconds": alerting, "enableAutoAnswer": false,
                                          "serviceLevel": {"percentage": goal, "durationMs": target}});
                    (media.to_owned(), settings)
                })
                .collect();
            json!({"id": q.id, "name": q.name, "memberCount": members, "userMemberCount": members, "joinedMemberCount": members,
                   "mediaSettings": media_settings,
                   "selfUri": format!("/api/v2/routing/queues/{}", q.id)})
        })
        .collect()
}

/// The wrap-up codes as `WrapupCode` entities.
pub fn wrapup_codes(org: &Org) -> Vec<Value> {
    org.wrapup_codes
        .iter()
        .map(|c| json!({"id": c.id, "name": c.name, "selfUri": format!("/api/v2/routing/wrapupcodes/{}", c.id)}))
        .collect()
}

/// The flows as `Flow` entities.
pub fn flows(org: &Org) -> Vec<Value> {
    [&org.ivr, &org.in_queue, &org.digital]
        .iter()
        .map(|f| json!({"id": f.id, "name": f.name, "type": f.flow_type, "active": true, "system": false, "deleted": false,
                        "selfUri": format!("/api/v2/flows/{}", f.id)}))
        .collect()
}

/// The flow outcomes (`GET /api/v2/flows/outcomes`, outside the schema subset): id and name.
pub fn flow_outcomes(org: &Org) -> Vec<Value> {
    org.outcomes
        .iter()
        .map(|o| json!({"id": o.id, "name": o.name, "selfUri": format!("/api/v2/flows/outcomes/{}", o.id)}))
        .collect()
}

/// An `ErrorBody`.
pub fn error_body(status: u16, code: &str, message: &str, context_id: &str) -> Value {
    json!({"message": message, "code": code, "status": status, "contextId": context_id, "details": [], "errors": []})
}
