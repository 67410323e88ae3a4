//! The client's errors: each says which request failed (by path, never with credentials), how,
//! and after how many retries.

/// How many retries came before an error, when there were any.
fn after(retries: u32) -> String {
    match retries {
        0 => String::new(),
        1 => " (after 1 retry)".to_owned(),
        n => format!(" (after {n} retries)"),
    }
}

/// A failed API call.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The API answered with an error status that retrying will not fix (or retries ran out).
    #[error("{method} {path} answered {status}: {message}{}", after(*.retries))]
    Status {
        /// HTTP method.
        method: &'static str,
        /// Path and query.
        path: String,
        /// HTTP status.
        status: u16,
        /// `ErrorBody.message`, or the start of the body.
        message: String,
        /// Retries made.
        retries: u32,
    },
    /// The request did not get an answer (connection, timeout), after retries.
    #[error("{method} {path} failed{route}: {source}{}", after(*.retries))]
    Transport {
        /// HTTP method.
        method: &'static str,
        /// Path and query.
        path: String,
        /// ` through the proxy at host:port` when the environment sets one, else empty.
        route: String,
        /// Why.
        #[source]
        source: reqwest::Error,
        /// Retries made.
        retries: u32,
    },
    /// The answer was not the JSON expected, after retries.
    #[error("{method} {path} returned unreadable JSON: {source}{}", after(*.retries))]
    BadJson {
        /// HTTP method.
        method: &'static str,
        /// Path and query.
        path: String,
        /// Why.
        #[source]
        source: serde_json::Error,
        /// Retries made.
        retries: u32,
    },
    /// Authentication failed.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The client could not be set up.
    #[error("{0}")]
    Config(String),
}

impl ClientError {
    /// What went wrong with one attempt, without the request or the retry count: `answered
    /// 503: …`, `failed: …`, `returned unreadable JSON: …`.
    pub fn attempt_outcome(&self) -> String {
        match self {
            ClientError::Status { status, message, .. } => format!("answered {status}: {message}"),
            ClientError::Transport { route, source, .. } => format!("failed{route}: {}", chain(source)),
            ClientError::BadJson { source, .. } => format!("returned unreadable JSON: {source}"),
            ClientError::Auth(why) | ClientError::Config(why) => why.clone(),
        }
    }

    /// The HTTP status, when the API answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// An error and its causes as one line, `outer: cause: root`, leaving out a cause an outer
/// text already quotes (many errors name their source in their own message): a transport
/// error's useful part ("connection refused") sits at the root.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        let part = c.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = c.source();
    }
    text
}

/// What to do about one attempt's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAction {
    /// Try again (after the backoff, or `Retry-After`).
    Retry,
    /// Give up: the answer is final.
    Fail,
}

/// Classifies an HTTP status: 408, 429 and 5xx are worth retrying; other 4xx never are.
pub fn classify_status(status: u16) -> RetryAction {
    match status {
        408 | 429 | 500..=599 => RetryAction::Retry,
        _ => RetryAction::Fail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retried_statuses() {
        let retried: Vec<u16> = (400..600).filter(|&s| classify_status(s) == RetryAction::Retry).collect();
        assert_eq!(retried.first(), Some(&408));
        assert!(
            retried.contains(&429)
                && retried.contains(&500)
                && retried.contains(&503)
                && retried.contains(&599)
        );
        assert!(
            !retried.contains(&400)
                && !retried.contains(&401)
                && !retried.contains(&404)
                && !retried.contains(&413)
        );
        assert_eq!(retried.len(), 2 + 100);
    }

    #[test]
    fn retries_are_mentioned_only_when_there_were_some() {
        let refused = |retries| {
            ClientError::Status {
                method: "GET",
                path: "/api/v2/flows".into(),
                status: 403,
                message: "You are missing the following permission(s): [architect:flow:view]".into(),
                retries,
            }
            .to_string()
        };
        assert_eq!(
            refused(0),
            "GET /api/v2/flows answered 403: You are missing the following permission(s): [architect:flow:view]"
        );
        assert!(refused(1).ends_with("[architect:flow:view] (after 1 retry)"));
        assert!(refused(4).ends_with(" (after 4 retries)"));
    }
}
