//! The synthetic contact centre: people, queues, wrap-up codes, IVR flows and their outcomes,
//! and the intents callers choose. Everything is derived from the seed, so the same seed gives
//! the same organisation (and the same ids) everywhere.

use serde::Serialize;

use crate::rng::Rng;

/// A person with a Genesys user id.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    /// User id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// E-mail / username.
    pub email: String,
    /// The queue the agent mainly works (index into `Org::queues`).
    pub queue: usize,
}

/// A queue.
#[derive(Debug, Clone, Serialize)]
pub struct Queue {
    /// Queue id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The intent that leads here (`MainIntent1` value).
    pub intent: &'static str,
    /// Wrap-up codes used on this queue (indices into `Org::wrapup_codes`).
    pub codes: Vec<usize>,
    /// Its service level per media: the `mediaSettings` key, the target wait (ms) and the
    /// share of waits it aims to answer within it.
    pub service_levels: Vec<(&'static str, i64, f64)>,
}

/// A wrap-up code.
#[derive(Debug, Clone, Serialize)]
pub struct WrapupCode {
    /// Code id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// An Architect flow.
#[derive(Debug, Clone, Serialize)]
pub struct FlowDef {
    /// Flow id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `flowType`.
    pub flow_type: &'static str,
    /// Published version.
    pub version: &'static str,
}

/// A flow outcome definition.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeDef {
    /// Outcome id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// The whole organisation.
#[derive(Debug, Clone, Serialize)]
pub struct Org {
    /// Agents and users.
    pub users: Vec<User>,
    /// Queues.
    pub queues: Vec<Queue>,
    /// Wrap-up codes.
    pub wrapup_codes: Vec<WrapupCode>,
    /// The main IVR flow (`INBOUNDCALL`).
    pub ivr: FlowDef,
    /// The in-queue flow (`INQUEUECALL`).
    pub in_queue: FlowDef,
    /// The chat / message inbound flow.
    pub digital: FlowDef,
    /// Outcomes: identified, self-service done, menu selection made.
    pub outcomes: Vec<OutcomeDef>,
    /// Outbound campaigns (id, name).
    pub campaigns: Vec<(String, String)>,
    /// The organisation's main number (what customers dial).
    pub main_number: String,
    /// The outbound caller id.
    pub caller_id: String,
    /// Division id.
    pub division: String,
}

const FIRST: &[&str] = &[
    "Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kemi", "Luca", "Maya",
    "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Viktor", "Wen", "Yusuf", "Zoe",
];
const LAST: &[&str] = &[
    "Adams", "Berg", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ito", "Jensen", "Kowalski",
    "Lopez",
];

/// Queues and the intents that lead to them.
const QUEUES: &[(&str, &str)] = &[
    ("Billing", "Billing"),
    ("Technical Support", "Technical"),
    ("Sales", "Sales"),
    ("Retention", "Cancel"),
    ("General Enquiries", "Other"),
];

/// The service level every queue aims for, per media (`mediaSettings` key, target, goal):
/// seconds for a call, minutes for a chat or a message, an hour for a callback, a day for an
/// e-mail.
const SERVICE_LEVELS: [(&str, i64, f64); 5] = [
    ("call", 20_000, 0.8),
    ("callback", 3_600_000, 0.8),
    ("chat", 120_000, 0.8),
    ("email", 86_400_000, 0.9),
    ("message", 120_000, 0.8),
];

/// The queue whose calls have a longer target (30 s), so that queues differ.
const LONGER_CALL_TARGET: &str = "Technical Support";

const CODES: &[&str] = &[
    "Resolved",
    "Refund issued",
    "Payment arrangement",
    "Fault booked",
    "Fixed remotely",
    "Sale",
    "Quote sent",
    "Retained",
    "Cancelled",
    "Transferred",
    "Information given",
    "Follow-up needed",
];

impl Org {
    /// The organisation for `seed`.
    pub fn new(seed: u64) -> Org {
        let mut rng = Rng::derive(seed, 0x0126);
        let queue_codes: [&[usize]; 5] =
            [&[0, 1, 2, 10, 11], &[0, 3, 4, 10, 11], &[5, 6, 10, 11], &[7, 8, 10], &[0, 9, 10]];
        let queues: Vec<Queue> = QUEUES
            .iter()
            .zip(queue_codes)
            .map(|((name, intent), codes)| Queue {
                id: rng.uuid(),
                name: (*name).to_owned(),
                intent,
                codes: codes.to_vec(),
                service_levels: SERVICE_LEVELS
                    .iter()
                    .map(|&(media, target, goal)| {
                        let longer = media == "call" && *name == LONGER_CALL_TARGET;
                        (media, if longer { 30_000 } else { target }, goal)
                    })
                    .collect(),
            })
            .collect();
        let users = (0..30)
            .map(|i| {
                let first = FIRST[i % FIRST.len()];
                let last = LAST[(i * 7) % LAST.len()];
                User {
                    id: rng.uuid(),
                    name: format!("{first} {last}"),
                    email: format!("{}.{}@example.com", first.to_lowercase(), last.to_lowercase()),
                    queue: i % queues.len(),
                }
            })
            .collect();
        let wrapup_codes =
            CODES.iter().map(|name| WrapupCode { id: rng.uuid(), name: (*name).to_owned() }).collect();
        let flow = |rng: &mut Rng, name: &str, flow_type, version| FlowDef {
            id: rng.uuid(),
            name: name.to_owned(),
            flow_type,
            version,
        };
        let ivr = flow(&mut rng, "Main IVR", "INBOUNDCALL", "24.0");
        let in_queue = flow(&mut rng, "Default In-Queue Flow", "INQUEUECALL", "3.0");
        let digital = flow(&mut rng, "Digital Front Door", "INBOUNDSHORTMESSAGE", "7.0");
        // Milestones in the order a caller reaches them: every caller who gets through the
        // menu succeeds in the first two; only those the IVR serves alone reach the third.
        let outcomes = ["Caller identified", "Menu selection made", "Self-service completed"]
            .iter()
            .map(|name| OutcomeDef { id: rng.uuid(), name: (*name).to_owned() })
            .collect();
        let campaigns =
            vec![(rng.uuid(), "Spring Renewals".to_owned()), (rng.uuid(), "Payment Reminders".to_owned())];
        Org {
            users,
            queues,
            wrapup_codes,
            ivr,
            in_queue,
            digital,
            outcomes,
            campaigns,
            main_number: "tel:+18005550100".to_owned(),
            caller_id: "tel:+18005550199".to_owned(),
            division: rng.uuid(),
        }
    }

    /// Agents of queue `q`.
    pub fn agents_of(&self, q: usize) -> Vec<&User> {
        self.users.iter().filter(|u| u.queue == q).collect()
    }

    /// Every queue's service level per media, with the media named as detail records name it
    /// (a `call` target is `voice`'s).
    pub fn service_levels(&self) -> Vec<calltrail_model::ServiceLevel> {
        self.queues
            .iter()
            .flat_map(|q| {
                q.service_levels.iter().filter_map(|&(key, target_ms, goal)| {
                    Some(calltrail_model::ServiceLevel {
                        queue_id: q.id.clone(),
                        media: calltrail_model::queue::media_of_setting(key)?.to_owned(),
                        target_ms,
                        goal: Some(goal),
                    })
                })
            })
            .collect()
    }

    /// The lookups as the archive stores them: `(kind, [(id, name)])` for users, queues,
    /// wrap-up codes, flows and flow outcomes.
    pub fn lookup_tables(&self) -> Vec<(&'static str, Vec<(String, String)>)> {
        let pairs = |it: &mut dyn Iterator<Item = (&str, &str)>| -> Vec<(String, String)> {
            it.map(|(id, name)| (id.to_owned(), name.to_owned())).collect()
        };
        vec![
            ("users", pairs(&mut self.users.iter().map(|u| (u.id.as_str(), u.name.as_str())))),
            ("queues", pairs(&mut self.queues.iter().map(|q| (q.id.as_str(), q.name.as_str())))),
            ("wrapup_codes", pairs(&mut self.wrapup_codes.iter().map(|c| (c.id.as_str(), c.name.as_str())))),
            (
                "flows",
                pairs(
                    &mut [&self.ivr, &self.in_queue, &self.digital]
                        .into_iter()
                        .map(|f| (f.id.as_str(), f.name.as_str())),
                ),
            ),
            ("flow_outcomes", pairs(&mut self.outcomes.iter().map(|o| (o.id.as_str(), o.name.as_str())))),
        ]
    }

    /// The lookups as a lookups file (`calltrail explain --lookups`).
    pub fn lookups_json(&self) -> serde_json::Value {
        let tables: serde_json::Map<String, serde_json::Value> = self
            .lookup_tables()
            .into_iter()
            .map(|(kind, entries)| {
                let map = entries.into_iter().map(|(id, name)| (id, serde_json::Value::from(name))).collect();
                (kind.to_owned(), serde_json::Value::Object(map))
            })
            .collect();
        serde_json::Value::Object(tables)
    }
}
