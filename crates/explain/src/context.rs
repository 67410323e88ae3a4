//! What an explanation may use besides the record: names for ids (lookups), the user's
//! settings (which attributes carry the reason, which mark IVR checkpoints), and the system
//! wrap-up codes that no lookup can name.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Names for ids, as listed by the users, queues, wrap-up codes and flows endpoints.
///
/// JSON form (every table optional): `{"users": {"<id>": "<name>"}, "queues": {…},
/// "wrapup_codes": {…}, "flows": {…}, "flow_outcomes": {…}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Lookups {
    /// User id → name.
    pub users: HashMap<String, String>,
    /// Queue id → name.
    pub queues: HashMap<String, String>,
    /// Wrap-up code id → name.
    #[serde(alias = "wrapupcodes", alias = "wrapupCodes")]
    pub wrapup_codes: HashMap<String, String>,
    /// Flow id → name.
    pub flows: HashMap<String, String>,
    /// Flow outcome id → name.
    #[serde(alias = "flowOutcomes")]
    pub flow_outcomes: HashMap<String, String>,
}

impl Lookups {
    fn find<'a>(table: &'a HashMap<String, String>, id: Option<&str>) -> Option<&'a str> {
        if table.is_empty() {
            return None;
        }
        table.get(id?).map(String::as_str)
    }

    /// The name of user `id`.
    pub fn user(&self, id: Option<&str>) -> Option<&str> {
        Self::find(&self.users, id)
    }

    /// The name of queue `id`.
    pub fn queue(&self, id: Option<&str>) -> Option<&str> {
        Self::find(&self.queues, id)
    }

    /// The name of wrap-up code `id`.
    pub fn wrapup_code(&self, id: Option<&str>) -> Option<&str> {
        Self::find(&self.wrapup_codes, id)
    }

    /// The name of flow `id`.
    pub fn flow(&self, id: Option<&str>) -> Option<&str> {
        Self::find(&self.flows, id)
    }

    /// The name of flow outcome `id`.
    pub fn flow_outcome(&self, id: Option<&str>) -> Option<&str> {
        Self::find(&self.flow_outcomes, id)
    }

    /// These names with `over`'s laid on top: where both name an id, `over`'s name wins.
    #[must_use]
    pub fn overlaid(mut self, over: Lookups) -> Lookups {
        self.users.extend(over.users);
        self.queues.extend(over.queues);
        self.wrapup_codes.extend(over.wrapup_codes);
        self.flows.extend(over.flows);
        self.flow_outcomes.extend(over.flow_outcomes);
        self
    }
}

/// The user's settings for explanations (`[reason]` and `[ivr]` of `calltrail.toml`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `[reason]`.
    pub reason: ReasonSettings,
    /// `[ivr]`.
    pub ivr: IvrSettings,
}

impl Settings {
    /// The settings in a few words, for messages and status pages.
    pub fn summary(&self) -> String {
        let list = |items: &[String]| if items.is_empty() { "none".to_owned() } else { items.join(", ") };
        format!(
            "reason attributes: {}; IVR checkpoints: {}",
            list(&self.reason.attributes),
            list(&self.ivr.checkpoints)
        )
    }
}

/// `[reason]`: where the reason for the call is found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReasonSettings {
    /// Participant attributes that carry the reason, most specific first; the first with a
    /// value wins.
    pub attributes: Vec<String>,
}

/// `[ivr]`: how IVR paths are drawn.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct IvrSettings {
    /// Attribute keys that mark points in the IVR, in path order.
    pub checkpoints: Vec<String>,
}

/// Everything an explanation may consult besides the record.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Names for ids.
    pub lookups: &'a Lookups,
    /// The user's settings.
    pub settings: &'a Settings,
}

/// Wrap-up codes the platform itself assigns; no wrap-up code listing names them.
const SYSTEM_WRAPUP_CODES: &[(&str, &str)] = &[
    ("ININ-WRAP-UP-TIMEOUT", "Wrap-up timed out"),
    ("ININ-WRAP-UP-SKIPPED", "Wrap-up skipped"),
    ("ININ-OUTBOUND-TRANSFERRED-TO-QUEUE", "Outbound: transferred to queue"),
    ("ININ-OUTBOUND-TRANSFERRED-TO-FLOW", "Outbound: transferred to flow"),
    ("ININ-OUTBOUND-TRANSFERRED-FLOW", "Outbound: transferred to flow"),
    ("ININ-OUTBOUND-PREVIEW-SKIPPED", "Outbound: preview skipped by agent"),
    ("ININ-OUTBOUND-PREVIEW-ERROR-PHONE-NUMBER", "Outbound: preview number not dialable"),
    ("ININ-OUTBOUND-INVALID-PHONE-NUMBER", "Outbound: invalid phone number"),
    ("ININ-OUTBOUND-ON-DO-NOT-CALL-LIST", "Outbound: on a do-not-call list"),
    ("ININ-OUTBOUND-DNC-AUTHENTICATION-FAILED", "Outbound: do-not-call list authentication failed"),
    ("ININ-OUTBOUND-DNC-SKIPPED", "Outbound: do-not-call number skipped"),
    ("ININ-OUTBOUND-MACHINE", "Outbound: answering machine"),
    ("ININ-OUTBOUND-BUSY", "Outbound: busy"),
    ("ININ-OUTBOUND-FAX", "Outbound: fax machine"),
    ("ININ-OUTBOUND-SIT-CALLABLE", "Outbound: special information tone, callable"),
    ("ININ-OUTBOUND-SIT-UNCALLABLE", "Outbound: special information tone, uncallable"),
    ("ININ-OUTBOUND-LIVE-VOICE", "Outbound: live voice"),
    ("ININ-OUTBOUND-NO-ANSWER", "Outbound: no answer"),
    ("ININ-OUTBOUND-DISCONNECT", "Outbound: disconnected"),
    ("ININ-OUTBOUND-CAMPAIGN-FORCED-OFF", "Outbound: campaign forced off"),
    ("ININ-OUTBOUND-FAILED-TO-REACH-AGENT", "Outbound: failed to reach an agent"),
    ("ININ-OUTBOUND-INTERNAL-ERROR", "Outbound: internal error"),
    ("ININ-OUTBOUND-AMBIGUOUS", "Outbound: ambiguous result"),
    ("ININ-OUTBOUND-CONTACT-UNCALLABLE", "Outbound: contact uncallable"),
    ("ININ-OUTBOUND-NUMBER-UNCALLABLE", "Outbound: number uncallable"),
];

/// A name for a system wrap-up code (`ININ-…`): from the known list, or made readable from the
/// code itself. `None` for ordinary codes, which are looked up by id.
pub fn system_wrapup_name(code: &str) -> Option<String> {
    if let Some((_, name)) = SYSTEM_WRAPUP_CODES.iter().find(|(c, _)| *c == code) {
        return Some((*name).to_owned());
    }
    let rest = code.strip_prefix("ININ-")?;
    let (prefix, rest) = match rest.strip_prefix("OUTBOUND-") {
        Some(r) => ("Outbound: ", r),
        None => ("", rest),
    };
    let words = rest.replace(['-', '_'], " ").to_lowercase();
    let mut chars = words.chars();
    let first = chars.next()?;
    let capitalised =
        if prefix.is_empty() { first.to_uppercase().collect::<String>() } else { first.to_string() };
    Some(format!("{prefix}{capitalised}{}", chars.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lookups_file_with_a_misspelt_table_is_refused_rather_than_ignored() {
        let lookups: Lookups =
            serde_json::from_str(r#"{"users": {"u1": "Ana"}, "wrapupCodes": {"w1": "Sale"}}"#).unwrap();
        assert_eq!((lookups.user(Some("u1")), lookups.wrapup_codes.len()), (Some("Ana"), 1));
        let error = serde_json::from_str::<Lookups>(r#"{"userz": {"u1": "Ana"}}"#).unwrap_err().to_string();
        assert!(error.contains("unknown field `userz`, expected one of `users`"), "{error}");
    }

    #[test]
    fn names_system_codes() {
        assert_eq!(system_wrapup_name("ININ-WRAP-UP-TIMEOUT").as_deref(), Some("Wrap-up timed out"));
        assert_eq!(
            system_wrapup_name("ININ-OUTBOUND-SOMETHING_NEW").as_deref(),
            Some("Outbound: something new")
        );
        assert_eq!(system_wrapup_name("ININ-NEW-THING").as_deref(), Some("New thing"));
        assert_eq!(system_wrapup_name("7fb334b0-0e9e-11e4-9191-0800200c9a66"), None);
    }

    #[test]
    fn settings_read_from_toml_shape() {
        let s: Settings = serde_json::from_str(
            r#"{"reason":{"attributes":["Final Main Intent","MainIntent1"]},"ivr":{"checkpoints":["MainIntent1"]}}"#,
        )
        .unwrap();
        assert_eq!(s.reason.attributes, ["Final Main Intent", "MainIntent1"]);
        assert!(serde_json::from_str::<Settings>(r#"{"reasons":{}}"#).is_err());
    }
}
