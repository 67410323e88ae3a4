//! The interval planner: cuts `[from, to)` into windows the API accepts and that each return
//! a bounded number of conversations.
//!
//! The details query returns conversations that started on a UTC day the interval touches, so
//! windows end at UTC midnights and span at most the query's seven-day limit (one request for a
//! quiet week); a window whose `totalHits` passes the paging cap is halved, at a midnight while
//! it spans several days, until it fits. Jobs match by lifetime overlap and page by cursor, so they take whole weeks. In `auto`
//! mode, history older than the jobs' data availability date (less a look-back for late
//! changes) goes to jobs, the rest to the query.

const DAY: i64 = 86_400_000;

/// The query endpoint pages at most this many results.
pub const QUERY_RESULT_CAP: u64 = 100_000;
/// Largest query page.
pub const QUERY_PAGE_SIZE: usize = 100;
/// Largest job results page.
pub const JOB_PAGE_SIZE: usize = 1000;
/// Job windows span at most this long.
pub const JOB_WINDOW: i64 = 7 * DAY;

/// How a window is pulled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The synchronous details query.
    Query,
    /// An asynchronous details job.
    Job,
}

/// A window of a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Start (ms), inclusive.
    pub start: i64,
    /// End (ms), exclusive.
    pub end: i64,
    /// How it is pulled.
    pub via: Via,
}

/// Which endpoint to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Jobs for history, the query for recent data.
    Auto,
    /// Only the query.
    Query,
    /// Only jobs.
    Jobs,
}

/// The query's longest interval without filters.
pub const QUERY_WINDOW_DAYS: i64 = 7;

/// Cuts `[start, end)` into query windows ending at UTC midnights, each touching at most seven
/// UTC days.
pub fn query_windows(start: i64, end: i64) -> Vec<Window> {
    let mut out = Vec::new();
    let mut s = start;
    while s < end {
        let e = ((s.div_euclid(DAY) + QUERY_WINDOW_DAYS) * DAY).min(end);
        out.push(Window { start: s, end: e, via: Via::Query });
        s = e;
    }
    out
}

fn job_windows(start: i64, end: i64) -> Vec<Window> {
    let mut out = Vec::new();
    let mut s = start;
    while s < end {
        let e = (s + JOB_WINDOW).min(end);
        out.push(Window { start: s, end: e, via: Via::Job });
        s = e;
    }
    out
}

/// Plans `[from, to)`. `availability` is the jobs' data availability date; `lookback` is how
/// much recent history goes to the query anyway, because Genesys reprocesses recent data.
pub fn plan(from: i64, to: i64, mode: Mode, availability: Option<i64>, lookback: i64) -> Vec<Window> {
    if to <= from {
        return Vec::new();
    }
    match mode {
        Mode::Query => query_windows(from, to),
        Mode::Jobs => job_windows(from, to),
        Mode::Auto => {
            let split = availability.map_or(from, |a| (a - lookback).clamp(from, to));
            let mut windows = job_windows(from, split);
            windows.extend(query_windows(split, to));
            windows
        }
    }
}

/// Halves a query window whose results pass the paging cap, at the midnight nearest its middle
/// while it spans several days (`None` when it cannot be cut).
pub fn halve(w: Window) -> Option<[Window; 2]> {
    if w.end - w.start < 2 {
        return None;
    }
    let middle = w.start + (w.end - w.start) / 2;
    let midnight = ((middle + DAY / 2).div_euclid(DAY)) * DAY;
    let mid = if midnight > w.start && midnight < w.end { midnight } else { middle };
    Some([Window { end: mid, ..w }, Window { start: mid, ..w }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_the_range_exactly() {
        let from = 1_700_000_000_000;
        let to = from + 10 * DAY + 12_345;
        for mode in [Mode::Query, Mode::Jobs, Mode::Auto] {
            let w = plan(from, to, mode, Some(from + 6 * DAY), 2 * DAY);
            assert_eq!(w.first().unwrap().start, from);
            assert_eq!(w.last().unwrap().end, to);
            assert!(w.windows(2).all(|p| p[0].end == p[1].start), "{mode:?}");
        }
        let weeks = plan(from, to, Mode::Query, None, 0);
        assert_eq!(weeks.len(), 2);
        assert!(
            weeks.iter().all(|w| (w.end - 1).div_euclid(DAY) - w.start.div_euclid(DAY) < QUERY_WINDOW_DAYS),
            "at most seven UTC days each"
        );
        assert!(weeks.iter().all(|w| w.end == to || w.end % DAY == 0), "windows end at midnights");
        let auto = plan(from, to, Mode::Auto, Some(from + 6 * DAY), 2 * DAY);
        let split = auto.iter().find(|w| w.via == Via::Query).unwrap().start;
        assert_eq!(split, from + 4 * DAY);
        assert!(auto.iter().filter(|w| w.via == Via::Job).all(|w| w.end - w.start <= JOB_WINDOW));
        assert!(plan(to, from, Mode::Auto, None, 0).is_empty());
    }

    #[test]
    fn halving_stops() {
        let w = Window { start: 0, end: 3, via: Via::Query };
        let [a, b] = halve(w).unwrap();
        assert_eq!((a.start, a.end, b.start, b.end), (0, 1, 1, 3));
        let week = Window { start: 10 * DAY, end: 17 * DAY, via: Via::Query };
        let [a, b] = halve(week).unwrap();
        assert_eq!((a.end, b.start), (14 * DAY, 14 * DAY), "split at a midnight");
        assert!(halve(Window { start: 0, end: 1, via: Via::Query }).is_none());
    }
}
