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
        let date: jiff::civil::Date = date.parse().ok()?;
        let zoned = date.to_zoned_datetime(self.tz.clone()).ok()?;
        Some(zoned.timestamp().as_millisecond())
    }

    /// The instant the local day after `date` starts.
    pub fn day_end(&self, date: &str) -> Option<i64> {
        let next = date.parse::<jiff::civil::Date>().ok()?.tomorrow().ok()?;
        self.day_start(&next.to_string())
    }
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
    fn unknown_names_are_refused() {
        assert!(Zone::named("Mars/Olympus").unwrap_err().to_string().contains("Mars/Olympus"));
        assert!(Zone::utc().date(i64::MAX).is_none());
    }
}
