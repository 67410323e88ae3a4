//! The details query's semantics, as pure functions: interval parsing and limits, the day-index
//! rule, filters on the common dimensions, ordering and paging.

use calltrail_model::{Conversation, Timestamp};
use serde::Deserialize;
use serde_json::Value;

const DAY: i64 = 86_400_000;

/// A half-open interval `[start, end)` in ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    /// Start, inclusive.
    pub start: i64,
    /// End, exclusive.
    pub end: i64,
}

impl Interval {
    /// Parses ISO-8601 `start/end`.
    pub fn parse(text: &str) -> Result<Interval, String> {
        let (a, b) = text.split_once('/').ok_or_else(|| format!("interval `{text}` is not `start/end`"))?;
        let start = Timestamp::parse(a)
            .ok_or_else(|| format!("interval start `{a}` is not an ISO-8601 date-time"))?;
        let end =
            Timestamp::parse(b).ok_or_else(|| format!("interval end `{b}` is not an ISO-8601 date-time"))?;
        if end.0 <= start.0 {
            return Err(format!("interval `{text}` ends before it starts"));
        }
        Ok(Interval { start: start.0, end: end.0 })
    }

    /// Length in days, rounded up.
    pub fn days(&self) -> i64 {
        (self.end - self.start + DAY - 1) / DAY
    }

    /// True when a conversation living `[start, end)` (end `None`: still going on at `now`)
    /// overlaps the interval.
    pub fn overlaps(&self, start: i64, end: Option<i64>, now: i64) -> bool {
        start < self.end && end.unwrap_or(now).max(start + 1) > self.start
    }

    /// The day-index rule of the details query: the conversation must have started on a UTC day
    /// the interval touches.
    pub fn touches_start_day(&self, start: i64) -> bool {
        let day = start.div_euclid(DAY);
        day >= self.start.div_euclid(DAY) && day <= (self.end - 1).div_euclid(DAY)
    }
}

/// One predicate of a filter.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Predicate {
    /// `dimension` (default) or `metric`/`property`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The dimension filtered on.
    pub dimension: Option<String>,
    /// `matches` (default), `exists`, `notExists`.
    pub operator: Option<String>,
    /// The value to match.
    pub value: Option<String>,
}

/// A conversation or segment filter: predicates joined by `and` or `or`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    /// `and` or `or`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The predicates.
    #[serde(default)]
    pub predicates: Vec<Predicate>,
    /// Nested filter clauses (`and`/`or` of predicate groups).
    #[serde(default)]
    pub clauses: Vec<Filter>,
}

/// The parts of `ConversationQuery` and `AsyncConversationQuery` the simulator honours.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryBody {
    /// `start/end`.
    pub interval: Option<String>,
    /// Conversation-level filters.
    #[serde(default)]
    pub conversation_filters: Vec<Filter>,
    /// Segment-level filters.
    #[serde(default)]
    pub segment_filters: Vec<Filter>,
    /// `asc` (default), `desc`, `unordered`.
    pub order: Option<String>,
    /// `conversationStart` (default) or `conversationEnd`.
    pub order_by: Option<String>,
    /// Paging of the synchronous query.
    pub paging: Option<Value>,
    /// Jobs: match by the query's day-index rule instead of lifetime overlap.
    pub start_of_day_interval_matching: Option<bool>,
    /// Jobs: the most results.
    pub limit: Option<i64>,
}

impl QueryBody {
    /// True when any filter is given (which lifts the interval limit from 7 to 31 days).
    pub fn has_filters(&self) -> bool {
        !self.conversation_filters.is_empty() || !self.segment_filters.is_empty()
    }

    /// Every dimension the filters use that the simulator does not implement.
    pub fn unsupported_dimensions(&self) -> Vec<String> {
        fn walk(filters: &[Filter], known: &[&str], out: &mut Vec<String>) {
            for f in filters {
                for p in &f.predicates {
                    if let Some(d) = &p.dimension {
                        if !known.contains(&d.as_str()) {
                            out.push(d.clone());
                        }
                    }
                }
                walk(&f.clauses, known, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.conversation_filters, CONVERSATION_DIMENSIONS, &mut out);
        walk(&self.segment_filters, SEGMENT_DIMENSIONS, &mut out);
        out
    }
}

/// Conversation dimensions the simulator filters on.
pub const CONVERSATION_DIMENSIONS: &[&str] = &[
    "conversationId",
    "conversationEnd",
    "originatingDirection",
    "divisionId",
    "mediaStatsMinConversationMos",
];
/// Segment dimensions the simulator filters on.
pub const SEGMENT_DIMENSIONS: &[&str] = &[
    "queueId",
    "userId",
    "mediaType",
    "direction",
    "purpose",
    "segmentType",
    "wrapUpCode",
    "disconnectType",
    "ani",
    "dnis",
    "participantId",
    "sessionId",
    "flowId",
];

fn millis(t: Option<&calltrail_model::Text<'_>>) -> Option<i64> {
    t.and_then(|t| Timestamp::parse(t)).map(Timestamp::millis)
}

/// Start and end of a record, in ms.
pub fn lifetime(c: &Conversation<'_>) -> (i64, Option<i64>) {
    (millis(c.conversation_start.as_ref()).unwrap_or(0), millis(c.conversation_end.as_ref()))
}

fn predicate_on_conversation(p: &Predicate, c: &Conversation<'_>) -> bool {
    let dimension = p.dimension.as_deref().unwrap_or_default();
    let value: Option<String> = match dimension {
        "conversationId" => c.conversation_id.as_deref().map(str::to_owned),
        "conversationEnd" => c.conversation_end.as_deref().map(str::to_owned),
        "originatingDirection" => c.originating_direction.as_ref().map(|d| d.as_str().to_owned()),
        "divisionId" => {
            return c.division_ids.iter().flatten().any(|d| matches(p, Some(d.as_str())));
        }
        "mediaStatsMinConversationMos" => c.media_stats_min_conversation_mos.map(|m| m.to_string()),
        _ => None,
    };
    matches(p, value.as_deref())
}

fn matches(p: &Predicate, value: Option<&str>) -> bool {
    match p.operator.as_deref().unwrap_or("matches") {
        "exists" => value.is_some(),
        "notExists" => value.is_none(),
        _ => value.is_some() && value == p.value.as_deref(),
    }
}

fn combine(kind: Option<&str>, results: impl Iterator<Item = bool>) -> bool {
    let mut results = results.peekable();
    if results.peek().is_none() {
        return true;
    }
    if kind == Some("or") {
        results.into_iter().any(|b| b)
    } else {
        results.into_iter().all(|b| b)
    }
}

fn conversation_filter(f: &Filter, c: &Conversation<'_>) -> bool {
    let preds = f.predicates.iter().map(|p| predicate_on_conversation(p, c));
    let clauses = f.clauses.iter().map(|cl| conversation_filter(cl, c));
    combine(f.kind.as_deref(), preds.chain(clauses))
}

/// The fields a segment filter can see: the segment with its session and participant.
struct SegmentContext<'c> {
    participant: &'c calltrail_model::Participant<'c>,
    session: &'c calltrail_model::Session<'c>,
    segment: &'c calltrail_model::Segment<'c>,
}

fn predicate_on_segment(p: &Predicate, s: &SegmentContext<'_>) -> bool {
    let value: Option<&str> = match p.dimension.as_deref().unwrap_or_default() {
        "queueId" => s.segment.queue_id.as_deref(),
        "userId" => s.participant.user_id.as_deref(),
        "mediaType" => s.session.media_type.as_ref().map(calltrail_model::MediaType::as_str),
        "direction" => s.session.direction.as_ref().map(calltrail_model::Direction::as_str),
        "purpose" => s.participant.purpose.as_ref().map(calltrail_model::Purpose::as_str),
        "segmentType" => s.segment.segment_type.as_ref().map(calltrail_model::SegmentType::as_str),
        "wrapUpCode" => s.segment.wrap_up_code.as_deref(),
        "disconnectType" => s.segment.disconnect_type.as_ref().map(calltrail_model::DisconnectType::as_str),
        "ani" => s.session.ani.as_deref(),
        "dnis" => s.session.dnis.as_deref(),
        "participantId" => s.participant.participant_id.as_deref(),
        "sessionId" => s.session.session_id.as_deref(),
        "flowId" => s.session.flow.as_ref().and_then(|f| f.flow_id.as_deref()),
        _ => None,
    };
    matches(p, value)
}

fn segment_filter(f: &Filter, s: &SegmentContext<'_>) -> bool {
    let preds = f.predicates.iter().map(|p| predicate_on_segment(p, s));
    let clauses = f.clauses.iter().map(|cl| segment_filter(cl, s));
    combine(f.kind.as_deref(), preds.chain(clauses))
}

/// True when the record passes every conversation filter, and every segment filter holds for
/// at least one of its segments.
pub fn passes_filters(body: &QueryBody, c: &Conversation<'_>) -> bool {
    if !body.conversation_filters.iter().all(|f| conversation_filter(f, c)) {
        return false;
    }
    body.segment_filters.iter().all(|f| {
        c.participants().iter().any(|participant| {
            participant.sessions().iter().any(|session| {
                session
                    .segments()
                    .iter()
                    .any(|segment| segment_filter(f, &SegmentContext { participant, session, segment }))
            })
        })
    })
}

/// The synchronous query's paging: `(page_size, page_number)`, defaults 25 and 1.
pub fn paging(body: &QueryBody) -> Result<(usize, usize), String> {
    let Some(p) = &body.paging else { return Ok((25, 1)) };
    let size = p.get("pageSize").and_then(Value::as_i64).unwrap_or(25);
    let number = p.get("pageNumber").and_then(Value::as_i64).unwrap_or(1);
    if !(1..=100).contains(&size) {
        return Err(format!("pageSize must be between 1 and 100, got {size}"));
    }
    if number < 1 {
        return Err(format!("pageNumber must be at least 1, got {number}"));
    }
    if size * number > 100_000 {
        return Err("Pagination may not exceed 100000 results".to_owned());
    }
    Ok((usize::try_from(size).unwrap_or(25), usize::try_from(number).unwrap_or(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_index_rule() {
        let i = Interval::parse("2024-03-05T10:00:00.000Z/2024-03-05T11:00:00.000Z").unwrap();
        let ts = |s: &str| Timestamp::parse(s).unwrap().0;
        assert!(i.touches_start_day(ts("2024-03-05T00:00:01Z")));
        assert!(!i.touches_start_day(ts("2024-03-04T23:59:59Z")));
        let midnight = Interval::parse("2024-03-05T00:00:00Z/2024-03-06T00:00:00Z").unwrap();
        assert!(!midnight.touches_start_day(ts("2024-03-06T00:00:00Z")), "the end is exclusive");
        assert!(midnight.overlaps(ts("2024-03-04T23:50:00Z"), Some(ts("2024-03-05T00:10:00Z")), 0));
        assert!(!midnight.touches_start_day(ts("2024-03-04T23:50:00Z")));
        assert_eq!(Interval::parse("2024-03-01T00:00:00Z/2024-03-08T00:00:01Z").unwrap().days(), 8);
        assert!(Interval::parse("2024-03-05/2024-03-06").is_err());
        assert!(Interval::parse("2024-03-06T00:00:00Z/2024-03-05T00:00:00Z").is_err());
    }

    #[test]
    fn paging_limits() {
        let body = |p: Value| QueryBody {
            interval: None,
            conversation_filters: vec![],
            segment_filters: vec![],
            order: None,
            order_by: None,
            paging: Some(p),
            start_of_day_interval_matching: None,
            limit: None,
        };
        assert_eq!(paging(&body(serde_json::json!({"pageSize": 100, "pageNumber": 1000}))), Ok((100, 1000)));
        assert!(paging(&body(serde_json::json!({"pageSize": 100, "pageNumber": 1001})))
            .unwrap_err()
            .contains("100000"));
        assert!(paging(&body(serde_json::json!({"pageSize": 101, "pageNumber": 1}))).is_err());
    }
}
