//! Local time for reports and exports: which calendar day and hour a call belongs to in the
//! contact centre's own time zone (`--tz Europe/London`), and where a local day starts.
//!
//! Genesys stores and answers in UTC, but a contact centre's "Monday" is its local Monday;
//! cutting days in UTC splits a European evening shift or an American afternoon across two
//! days. The IANA database is bundled, so a machine without tzdata gives the same answers.

use std::fmt;

use jiff::tz::TimeZone;

/// An IANA time zone (or UTC) that turns instants into local days and hours.
#[derive(Clone)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zone({})", self.name)
    }
}

impl Default for Zone {
    fn default() -> Zone {
        Zone::utc()
    }
}

/// A time zone name the database does not know.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a time zone (use an IANA name such as Europe/London, America/New_York or UTC)")]
pub struct UnknownZone(pub String);

impl Zone {
    /// Coordinated Universal Time.
    pub fn utc() -> Zone {
        Zone { name: "UTC".to_owned(), tz: TimeZone::UTC }
    }

    /// The zone of an IANA name (`Europe/Dublin`, `America/Chicago`, `UTC`).
    pub fn named(name: &str) -> Result<Zone, UnknownZone> {
        let tz = TimeZone::get(name).map_err(|_| UnknownZone(name.to_owned()))?;
        Ok(Zone { name: name.to_owned(), tz })
    }

    /// The zone's name as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn civil(&self, ms: i64) -> Option<jiff::civil::DateTime> {
        let instant = jiff::Timestamp::from_millisecond(ms).ok()?;
        Some(self.tz.to_datetime(instant))
    }

    /// The local calendar day of an instant, `YYYY-MM-DD`; `None` outside the years 9999 BC–AD.
    pub fn date(&self, ms: i64) -> Option<String> {
        self.civil(ms).map(|t| t.date().to_string())
    }

    /// The local date and time to the minute, `YYYY-MM-DD HH:MM`, for people.
    pub fn minute(&self, ms: i64) -> Option<String> {
        self.civil(ms).map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
    }

    /// The local hour of the day (0–23) of an instant.
    pub fn hour(&self, ms: i64) -> Option<i8> {
        self.civil(ms).map(jiff::civil::DateTime::hour)
    }

    /// The instant a local day (`YYYY-MM-DD`) starts: its first valid local time, so a day
    /// that begins in a daylight-saving gap starts when the clocks allow.
    pub fn day_start(&self, date: &str) -> Option<i64> {
        // A date alone: jiff would also read a date and time (or an offset) as its date.
        if date.contains([':', 'T', 't', ' ']) {
            return None;
        }
        let date: jiff::civil::Date = date.parse().ok()?;
        let zoned = date.to_zoned_datetime(self.tz.clone()).ok()?;
        Some(zoned.timestamp().as_millisecond())
    }

    /// The instant the local day after `date` starts.
    pub fn day_end(&self, date: &str) -> Option<i64> {
        let next = date.parse::<jiff::civil::Date>().ok()?.tomorrow().ok()?;
        self.day_start(&next.to_string())
    }

    /// An instant as people write it, read in this zone: RFC 3339 (`2024-05-01T08:00:00Z`,
    /// or any time with an offset); a local time (`2024-05-01 08:00`); a date (`2024-05-01`:
    /// its local midnight); `now`; `today` or `yesterday` (local
    /// midnight); or one of those less a duration (`now-48h`, `today-7d`: the local midnight a
    /// week of calendar days before today's, whatever the clocks did in between).
    pub fn instant(&self, text: &str, now_ms: i64) -> Option<i64> {
        let text = text.trim();
        if let Some(t) = crate::Timestamp::parse(text) {
            return Some(t.0);
        }
        if let Ok(t) = text.parse::<jiff::Timestamp>() {
            // Other forms with an offset: `2024-05-01T08:00+02:00`, `2024-05-01 08:00Z`.
            return Some(t.as_millisecond());
        }
        if let Some(ms) = self.day_start(text) {
            return Some(ms);
        }
        if let Ok(local) = text.parse::<jiff::civil::DateTime>() {
            // A wall-clock time here: in an hour the clocks skip, that much later; in one they
            // repeat, the first.
            return Some(self.tz.to_timestamp(local).ok()?.as_millisecond());
        }
        let lower = text.to_ascii_lowercase();
        let (base, less) = match lower.split_once('-') {
            Some((base, less)) => (base.trim(), Some(less.trim())),
            None => (lower.as_str(), None),
        };
        let today = || self.civil(now_ms).map(jiff::civil::DateTime::date);
        let midnight = |date: jiff::civil::Date| self.day_start(&date.to_string());
        let day = match base {
            "now" => return now_ms.checked_sub(less.map_or(Some(0), duration_ms)?),
            "today" => today()?,
            "yesterday" => today()?.yesterday().ok()?,
            _ => return None,
        };
        let Some(less) = less else { return midnight(day) };
        let ms = duration_ms(less)?;
        if ms % DAY == 0 {
            let days = i32::try_from(ms / DAY).ok()?;
            midnight(day.checked_sub(jiff::Span::new().try_days(days).ok()?).ok()?)
        } else {
            midnight(day)?.checked_sub(ms)
        }
    }
}

const DAY: i64 = 24 * 3_600_000;

/// A length of time as people write it — `90s`, `30m`, `48h`, `7d`, `2w` — in milliseconds;
/// `None` for anything else, negative lengths included.
pub fn duration_ms(text: &str) -> Option<i64> {
    let text = text.trim();
    let unit = match text.bytes().last()? {
        b's' => 1000,
        b'm' => 60_000,
        b'h' => 3_600_000,
        b'd' => DAY,
        b'w' => 7 * DAY,
        _ => return None,
    };
    let number = &text[..text.len() - 1];
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    number.parse::<i64>().ok()?.checked_mul(unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_cut_in_local_time() {
        let london = Zone::named("Europe/London").unwrap();
        // 2024-07-01T23:30Z is already 2 July in London (BST, UTC+1), still 1 July in UTC.
        let ms = crate::Timestamp::parse("2024-07-01T23:30:00Z").unwrap().0;
        assert_eq!(london.date(ms).as_deref(), Some("2024-07-02"));
        assert_eq!(london.hour(ms), Some(0));
        assert_eq!(Zone::named("Asia/Kolkata").unwrap().minute(ms).as_deref(), Some("2024-07-02 05:00"));
        assert_eq!(Zone::utc().date(ms).as_deref(), Some("2024-07-01"));
        let start = london.day_start("2024-07-02").unwrap();
        assert_eq!(crate::Timestamp(start).to_rfc3339(), "2024-07-01T23:00:00.000Z");
        let chicago = Zone::named("America/Chicago").unwrap();
        // The day the clocks go back has 25 hours.
        let (a, b) = (chicago.day_start("2024-11-03").unwrap(), chicago.day_end("2024-11-03").unwrap());
        assert_eq!(b - a, 25 * 3_600_000);
    }

    #[test]
    fn instants_as_people_write_them() {
        let at = |text: &str| crate::Timestamp::parse(text).unwrap().0;
        let berlin = Zone::named("Europe/Berlin").unwrap();
        // Monday 1 April 2024, 09:30 in Berlin (CEST, UTC+2); summer time began on 31 March.
        let now = at("2024-04-01T07:30:00Z");
        let read = |text: &str| berlin.instant(text, now).map(|ms| crate::Timestamp(ms).to_rfc3339());
        assert_eq!(read("now").as_deref(), Some("2024-04-01T07:30:00.000Z"));
        assert_eq!(read(" Today ").as_deref(), Some("2024-03-31T22:00:00.000Z"));
        // Yesterday began in winter time (UTC+1): 23 hours before today.
        assert_eq!(read("yesterday").as_deref(), Some("2024-03-30T23:00:00.000Z"));
        assert_eq!(read("today-7d").as_deref(), Some("2024-03-24T23:00:00.000Z"));
        assert_eq!(read("today-1w"), read("today-7d"));
        assert_eq!(read("today-6h").as_deref(), Some("2024-03-31T16:00:00.000Z"));
        assert_eq!(read("now-48h").as_deref(), Some("2024-03-30T07:30:00.000Z"));
        assert_eq!(read("now - 90m").as_deref(), Some("2024-04-01T06:00:00.000Z"));
        assert_eq!(read("2024-03-31").as_deref(), Some("2024-03-30T23:00:00.000Z"));
        assert_eq!(read("2024-03-31T12:00:00Z").as_deref(), Some("2024-03-31T12:00:00.000Z"));
        // A time without an offset is Berlin's wall clock; one with an offset is that instant.
        assert_eq!(read("2024-04-01 08:00").as_deref(), Some("2024-04-01T06:00:00.000Z"));
        assert_eq!(read("2024-04-01T08:00:30.5").as_deref(), Some("2024-04-01T06:00:30.500Z"));
        assert_eq!(read("2024-03-30T08:00").as_deref(), Some("2024-03-30T07:00:00.000Z"));
        assert_eq!(read("2024-04-01T08:00+01:00").as_deref(), Some("2024-04-01T07:00:00.000Z"));
        assert_eq!(read("2024-04-01 08:00Z").as_deref(), Some("2024-04-01T08:00:00.000Z"));
        // 02:30 on 31 March did not happen in Berlin: the clocks went from 02:00 to 03:00.
        assert_eq!(read("2024-03-31 02:30").as_deref(), Some("2024-03-31T01:30:00.000Z"));
        assert_eq!(berlin.day_start("2024-04-01 08:00"), None);
        for bad in [
            "",
            "soon",
            "now-",
            "now-5",
            "now--5m",
            "today-x",
            "tomorrow",
            "2024-13-01",
            "now-9999999999999w",
        ] {
            assert_eq!(read(bad), None, "{bad:?}");
        }
        assert_eq!(duration_ms("2w"), Some(14 * DAY));
        assert_eq!(duration_ms("-5m"), None);
    }

    #[test]
    fn unknown_names_are_refused() {
        assert!(Zone::named("Mars/Olympus").unwrap_err().to_string().contains("Mars/Olympus"));
        assert!(Zone::utc().date(i64::MAX).is_none());
    }
}
