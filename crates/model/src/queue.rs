//! What reports need of a queue's settings (`Queue.mediaSettings`): the service level it aims
//! for in each media, which Genesys measures its waits against.

use serde_json::Value;

/// A queue's service-level target for one media: waits answered within `target_ms` meet it,
/// and the queue aims for `goal` of them to (0 to 1).
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceLevel {
    /// The queue.
    pub queue_id: String,
    /// The media as detail records name it: `voice`, `callback`, `chat`, `email`, `message`.
    pub media: String,
    /// The target wait.
    pub target_ms: i64,
    /// The share of waits the queue aims to answer within the target.
    pub goal: Option<f64>,
}

/// The keys of `mediaSettings` and the media of detail records they stand for.
const MEDIA: [(&str, &str); 5] = [
    ("call", "voice"),
    ("callback", "callback"),
    ("chat", "chat"),
    ("email", "email"),
    ("message", "message"),
];

/// The media of detail records that a `mediaSettings` key sets (`call` → `voice`), if it is one.
pub fn media_of_setting(key: &str) -> Option<&'static str> {
    MEDIA.iter().find(|(k, _)| *k == key).map(|(_, media)| *media)
}

/// The service levels of a `Queue` entity, one per media it sets a target for; nothing for an
/// entity without an id, and no media whose target is missing, not a number or negative.
pub fn service_levels(queue: &Value) -> Vec<ServiceLevel> {
    let Some(id) = queue["id"].as_str() else { return Vec::new() };
    MEDIA
        .iter()
        .filter_map(|(key, media)| {
            let level = &queue["mediaSettings"][key]["serviceLevel"];
            let target_ms = level["durationMs"].as_i64().filter(|ms| *ms >= 0)?;
            Some(ServiceLevel {
                queue_id: id.to_owned(),
                media: (*media).to_owned(),
                target_ms,
                goal: level["percentage"].as_f64().filter(|p| (0.0..=1.0).contains(p)),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_sets_a_target_per_media_and_calls_are_voice() {
        let queue = serde_json::json!({
            "id": "q1", "name": "Sales",
            "mediaSettings": {
                "call": {"alertingTimeoutSeconds": 8, "serviceLevel": {"percentage": 0.8, "durationMs": 20000}},
                "email": {"serviceLevel": {"percentage": 0.9, "durationMs": 86_400_000_i64}},
                "chat": {"serviceLevel": {"percentage": 1.5, "durationMs": 30000}},
                "message": {"serviceLevel": {"durationMs": "soon"}},
                "callback": {}
            }
        });
        let levels: Vec<(String, i64, Option<f64>)> =
            service_levels(&queue).into_iter().map(|l| (l.media, l.target_ms, l.goal)).collect();
        // In the order of MEDIA; a goal outside 0..1 is dropped, a target that is no number too.
        let expected =
            [("voice", 20_000, Some(0.8)), ("chat", 30_000, None), ("email", 86_400_000, Some(0.9))];
        assert_eq!(levels, expected.map(|(m, t, g)| (m.to_owned(), t, g)));
        assert!(service_levels(&serde_json::json!({"name": "no id"})).is_empty());
        assert!(service_levels(&serde_json::json!({"id": "q2"})).is_empty());
    }
}
