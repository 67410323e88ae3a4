//! Recognising what a JSON document is.
//!
//! Users hand calltrail whatever they saved: one detail record, a query or job results page,
//! a plain array of records, or a Conversations API record. `parse_document` tells them apart
//! without a second pass over the common case (one detail record), and when a document cannot be
//! read it still finds the conversation id, so the error names the call. An object that is none
//! of these (a saved error response, another endpoint's listing) is an error saying what it is.

use std::fmt;

use crate::conversation_api::ApiConversation;
use crate::detail::{Conversation, ConversationPage};
use crate::reader::from_json;

/// One JSON document of any shape calltrail accepts.
#[derive(Debug, Clone, PartialEq)]
pub enum Document<'a> {
    /// One `AnalyticsConversation`.
    Conversation(Box<Conversation<'a>>),
    /// A page of a query, job results or multi-get: `{"conversations": [...]}`.
    Page(ConversationPage<'a>),
    /// A bare JSON array of detail records.
    Conversations(Vec<Conversation<'a>>),
    /// A Conversations API record (`GET /api/v2/conversations/{id}`).
    Api(Box<ApiConversation<'a>>),
}

impl<'a> Document<'a> {
    /// The detail records the document carries (none for a Conversations API record).
    pub fn into_conversations(self) -> Vec<Conversation<'a>> {
        match self {
            Document::Conversation(c) => vec![*c],
            Document::Page(page) => page.conversations.unwrap_or_default(),
            Document::Conversations(list) => list,
            Document::Api(_) => Vec::new(),
        }
    }
}

/// A document that could not be read, with the conversation id when it could still be found.
#[derive(Debug)]
pub struct DocumentError {
    /// The `conversationId` (or Conversations API `id`) found in the bytes, if any.
    pub conversation_id: Option<String>,
    /// What `serde_json` reported.
    pub source: serde_json::Error,
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.conversation_id {
            Some(id) => write!(f, "conversation `{id}`: {}", self.source),
            None => write!(f, "{}", self.source),
        }
    }
}

impl std::error::Error for DocumentError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Parses one JSON document of any accepted shape.
pub fn parse_document(bytes: &[u8]) -> Result<Document<'_>, DocumentError> {
    let error = |source| DocumentError { conversation_id: find_conversation_id(bytes), source };
    if first_non_space(bytes) == Some(b'[') {
        return from_json(bytes).map(Document::Conversations).map_err(error);
    }
    let conversation: Conversation<'_> = from_json(bytes).map_err(error)?;
    if conversation.conversation_id.is_some() {
        return Ok(Document::Conversation(Box::new(conversation)));
    }
    // Not a detail record by its id: a page or a Conversations API record, told apart by their
    // own keys. Only this rarer path reads the bytes again.
    let page: ConversationPage<'_> = from_json(bytes).map_err(error)?;
    if page.conversations.is_some() {
        return Ok(Document::Page(page));
    }
    let api: ApiConversation<'_> = from_json(bytes).map_err(error)?;
    if api.id.is_some() {
        return Ok(Document::Api(Box::new(api)));
    }
    if conversation.participants.is_none() {
        // No id, no participants, no page: not a conversation at all. Say what it is instead.
        let source = <serde_json::Error as serde::de::Error>::custom(not_a_record(bytes));
        return Err(DocumentError { conversation_id: None, source });
    }
    Ok(Document::Conversation(Box::new(conversation)))
}

/// Says what a JSON object with neither `conversationId` nor `participants` is instead: most
/// often a saved error response, or a list from another endpoint.
fn not_a_record(bytes: &[u8]) -> String {
    const SHOWN: usize = 8;
    let Ok(serde_json::Value::Object(object)) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return "not a detail record: it has no conversationId and no participants".into();
    };
    let text = |key: &str| match object.get(key) {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    if let (Some(message), true) =
        (text("message"), object.contains_key("code") || object.contains_key("status"))
    {
        let status = [text("status"), text("code")].into_iter().flatten().collect::<Vec<_>>().join(" ");
        return format!("not a detail record but an API error response ({status}): {message}");
    }
    if object.is_empty() {
        return "not a detail record: the object is empty".into();
    }
    let mut keys: Vec<&str> = object.keys().map(String::as_str).take(SHOWN).collect();
    if object.len() > SHOWN {
        keys.push("…");
    }
    format!(
        "not a detail record: it has no conversationId and no participants (its keys: {})",
        keys.join(", ")
    )
}

fn first_non_space(bytes: &[u8]) -> Option<u8> {
    bytes.iter().copied().find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Finds the first `"conversationId"` (or, failing that, `"id"`) string value in possibly
/// broken JSON, so that errors can name the call even when the document is truncated.
pub fn find_conversation_id(bytes: &[u8]) -> Option<String> {
    find_string_value(bytes, b"\"conversationId\"").or_else(|| find_string_value(bytes, b"\"id\""))
}

fn find_string_value(bytes: &[u8], key: &[u8]) -> Option<String> {
    let at = bytes.windows(key.len()).position(|w| w == key)?;
    let rest = &bytes[at + key.len()..];
    let rest = &rest[rest.iter().position(|b| !b" \t\r\n".contains(b))?..];
    let rest = rest.strip_prefix(b":")?;
    let rest = &rest[rest.iter().position(|b| !b" \t\r\n".contains(b))?..];
    let rest = rest.strip_prefix(b"\"")?;
    let end = rest.iter().take(200).position(|&b| b == b'"' || b == b'\\')?;
    let id = std::str::from_utf8(&rest[..end]).ok()?;
    (!id.is_empty() && id.chars().all(|c| !c.is_control())).then(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_shapes_apart() {
        let one = br#"{"conversationId":"c1","participants":[]}"#;
        assert!(matches!(parse_document(one), Ok(Document::Conversation(_))));
        let page = br#"{"conversations":[{"conversationId":"c1"}],"totalHits":1}"#;
        let Ok(Document::Page(p)) = parse_document(page) else { panic!("page") };
        assert_eq!(p.total_hits, Some(1));
        let list = br#" [{"conversationId":"c1"},{"conversationId":"c2"}]"#;
        assert_eq!(parse_document(list).unwrap().into_conversations().len(), 2);
        let api = br#"{"id":"c1","startTime":"2023-06-28T10:59:48.194Z","participants":[]}"#;
        assert!(matches!(parse_document(api), Ok(Document::Api(_))));
    }

    #[test]
    fn an_object_that_is_no_conversation_is_an_error_saying_what_it_is() {
        let err = parse_document(br#"{"message":"Not found","code":"not.found","status":404}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "not a detail record but an API error response (404 not.found): Not found"
        );
        let err = parse_document(b"{}").unwrap_err();
        assert_eq!(err.to_string(), "not a detail record: the object is empty");
        // A record without its id is still a record.
        assert!(matches!(parse_document(br#"{"participants":[]}"#), Ok(Document::Conversation(_))));
    }

    #[test]
    fn errors_name_the_conversation_even_when_truncated() {
        let broken = br#"{"conversationId": "abc-123", "participants": [{"purpose": "cust"#;
        let err = parse_document(broken).unwrap_err();
        assert_eq!(err.conversation_id.as_deref(), Some("abc-123"));
        assert!(err.to_string().starts_with("conversation `abc-123`: EOF"), "{err}");
        let wrong = br#"{"conversationId":"x1","participants":5}"#;
        let err = parse_document(wrong).unwrap_err();
        assert!(err.to_string().contains("invalid type"), "{err}");
    }

    #[test]
    fn a_value_of_the_wrong_type_is_named_by_where_it_is() {
        let wrong = br#"{"conversationId":"x1","participants":[{"purpose":"agent"},
            {"sessions":[{"metrics":[{"name":"tTalk","value":1},{"name":"tAcw","value":"20"}]}]}]}"#;
        let err = parse_document(wrong).unwrap_err();
        assert_eq!(
            err.to_string(),
            "conversation `x1`: participants[1].sessions[0].metrics[1].value: invalid type: string \"20\", \
             expected i64 at line 2 column 91"
        );
        // A segment that is null rather than an object.
        let null = br#"{"conversationId":"x2","participants":[{"sessions":[{"segments":[null]}]}]}"#;
        let err = parse_document(null).unwrap_err().to_string();
        assert!(
            err.starts_with("conversation `x2`: participants[0].sessions[0].segments[0]: invalid type: null"),
            "{err}"
        );
    }

    #[test]
    fn unknown_enum_values_and_fields_never_fail() {
        let doc = br#"{"conversationId":"c1","brandNewField":{"x":[1,2]},
            "originatingDirection":"sideways",
            "participants":[{"purpose":"hologram","sessions":[{"mediaType":"telepathy",
            "segments":[{"segmentType":"levitate","disconnectType":"vanished"}]}]}]}"#;
        let Ok(Document::Conversation(c)) = parse_document(doc) else { panic!() };
        let p = &c.participants()[0];
        assert_eq!(p.purpose.as_ref().unwrap().as_str(), "hologram");
        assert!(!p.purpose.as_ref().unwrap().is_known());
        let seg = &p.sessions()[0].segments()[0];
        assert_eq!(seg.segment_type.as_ref().unwrap().as_str(), "levitate");
    }

    #[test]
    fn nulls_read_as_absent() {
        let doc = br#"{"conversationId":"c1","participants":[{"sessions":null,"purpose":null}]}"#;
        let Ok(Document::Conversation(c)) = parse_document(doc) else { panic!() };
        assert!(c.participants()[0].sessions().is_empty());
    }
}
