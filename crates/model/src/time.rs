//! Timestamps as integer milliseconds since the Unix epoch, read from and written as RFC 3339.
//!
//! Every segment carries two timestamps, so parsing sits on the hot path: this is a small,
//! allocation-free parser for the shapes Genesys sends (`2024-04-29T17:30:43.090Z`, any number
//! of fraction digits, `Z` or a `±HH:MM` offset), and a writer for calltrail's one output shape
//! (UTC with milliseconds). Anything else is rejected, never guessed.

use std::cell::Cell;
use std::fmt;

use serde::{Serialize, Serializer};

/// A point in time, in milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Parses an RFC 3339 date-time; `None` for anything that is not one (or is outside the
    /// years 0001–9999).
    pub fn parse(text: &str) -> Option<Timestamp> {
        parse_canonical(text.as_bytes()).or_else(|| parse_rfc3339(text.as_bytes())).map(Timestamp)
    }

    /// This instant, by the system clock.
    pub fn now() -> Timestamp {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Timestamp(i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
    }

    /// Milliseconds since the epoch.
    pub fn millis(self) -> i64 {
        self.0
    }

    /// Writes `YYYY-MM-DDTHH:MM:SS.mmmZ` into a fixed buffer.
    pub fn to_rfc3339(self) -> String {
        let buf = self.rfc3339_bytes();
        String::from_utf8_lossy(&buf).into_owned()
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` as ASCII bytes, without allocating.
    pub fn rfc3339_bytes(self) -> [u8; 24] {
        LAST_DATE.with(|last| {
            let mut date = last.get();
            let text = self.rfc3339_bytes_after(&mut date);
            last.set(date);
            text
        })
    }

    /// [`Timestamp::rfc3339_bytes`], with the date of the day last written kept by the caller: a
    /// writer of many timestamps keeps one, as a call's timestamps nearly all fall on one day.
    pub fn rfc3339_bytes_after(self, last: &mut LastDate) -> [u8; 24] {
        let days = self.0.div_euclid(86_400_000);
        let ms_of_day = u32::try_from(self.0.rem_euclid(86_400_000)).unwrap_or(0);
        let seconds = ms_of_day / 1000;
        let millis = ms_of_day % 1000;
        if last.days != days {
            *last = LastDate { days, text: date_text(days) };
        }
        let mut out = *b"0000-00-00T00:00:00.000Z";
        out[..10].copy_from_slice(&last.text);
        put_two(&mut out, 11, seconds / 3600);
        put_two(&mut out, 14, seconds / 60 % 60);
        put_two(&mut out, 17, seconds % 60);
        put_two(&mut out, 20, millis / 10);
        out[22] = PAIRS[(millis % 10) as usize * 2 + 1];
        out
    }

    /// The UTC calendar day, `YYYY-MM-DD`.
    pub fn utc_date(self) -> String {
        self.to_rfc3339()[..10].to_owned()
    }
}

/// The day a writer last formatted, as its `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy)]
pub struct LastDate {
    days: i64,
    text: [u8; 10],
}

impl Default for LastDate {
    fn default() -> Self {
        LastDate { days: i64::MIN, text: [0; 10] }
    }
}

thread_local! {
    /// The last day formatted on this thread, for writers that keep none of their own.
    static LAST_DATE: Cell<LastDate> = Cell::new(LastDate::default());
}

/// `YYYY-MM-DD` of a day number since 1970-01-01.
fn date_text(days: i64) -> [u8; 10] {
    let (year, month, day) = civil_from_days(days);
    let year = u32::try_from(year.clamp(0, 9999)).unwrap_or(0);
    let mut text = *b"0000-00-00";
    put_two(&mut text, 0, year / 100);
    put_two(&mut text, 2, year % 100);
    put_two(&mut text, 5, month);
    put_two(&mut text, 8, day);
    text
}

/// Two-digit decimal forms of 0–99, back to back.
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// Writes `value` (below 100) as two digits at `at`.
fn put_two(out: &mut [u8], at: usize, value: u32) {
    let pair = (value as usize % 100) * 2;
    out[at] = PAIRS[pair];
    out[at + 1] = PAIRS[pair + 1];
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let buf = self.rfc3339_bytes();
        f.write_str(std::str::from_utf8(&buf).unwrap_or("invalid"))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let buf = self.rfc3339_bytes();
        serializer.serialize_str(std::str::from_utf8(&buf).unwrap_or_default())
    }
}

fn digits(bytes: &[u8]) -> Option<i64> {
    let mut value = 0i64;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(b - b'0');
    }
    Some(value)
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, the one shape Genesys sends, read eight bytes at a time; `None`
/// for anything else, which [`parse_rfc3339`] then reads (or refuses) as it reads every shape.
fn parse_canonical(b: &[u8]) -> Option<i64> {
    const TEMPLATE: &[u8; 24] = b"0000-00-00T00:00:00.000Z";
    /// The separators' lanes of each eight bytes: `-` `-`, `T` `:`, `:` `.` `Z`.
    const SEPARATORS: [u64; 3] = [0xff00_00ff_0000_0000, 0x0000_ff00_00ff_0000, 0xff00_0000_ff00_00ff];
    let b: &[u8; 24] = b.try_into().ok()?;
    let mut words = [0u64; 3];
    for (n, word) in words.iter_mut().enumerate() {
        let at = n * 8;
        let text = u64::from_le_bytes(b[at..at + 8].try_into().unwrap_or_default());
        let template = u64::from_le_bytes(TEMPLATE[at..at + 8].try_into().unwrap_or_default());
        // A digit becomes its value, a separator as in the template zero; anything else leaves a
        // high nibble, a low nibble above 9 or a separator's lane not zero.
        let x = text ^ template;
        let ones = 0x0101_0101_0101_0101_u64;
        if x & (ones * 0xf0) != 0 || x.wrapping_add(ones * 6) & (ones * 0x10) != 0 || x & SEPARATORS[n] != 0 {
            return None;
        }
        *word = x;
    }
    // Each lane holds one digit's value (below 10), so the truncation keeps it whole.
    #[allow(clippy::cast_possible_truncation)]
    let digit = |at: usize| i64::from((words[at / 8] >> (8 * (at % 8))) as u8);
    let two = |at: usize| digit(at) * 10 + digit(at + 1);
    let (year, month, day) = (two(0) * 100 + two(2), two(5), two(8));
    let (hour, minute, second) = (two(11), two(14), two(17));
    let millis = two(20) * 10 + digit(22);
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = date_days(b.first_chunk::<10>()?, year, month, day)?;
    Some((days * 86_400 + hour * 3600 + minute * 60 + second) * 1000 + millis)
}

fn parse_rfc3339(b: &[u8]) -> Option<i64> {
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let days = date_days(b.first_chunk::<10>()?, digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?)?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    // A leap second (:60) is read as the last millisecond-precise moment of that minute + 1 s.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &b[19..];
    let mut millis = 0i64;
    if let Some((&b'.', fraction)) = rest.split_first() {
        let len = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if len == 0 {
            return None;
        }
        let mut scale = 100;
        for &digit in &fraction[..len.min(3)] {
            millis += i64::from(digit - b'0') * scale;
            scale /= 10;
        }
        rest = &fraction[len..];
    }
    let offset_minutes = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digits(&[*h1, *h2])?;
            let minutes = digits(&[*m1, *m2])?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let total = hours * 60 + minutes;
            if *sign == b'-' {
                -total
            } else {
                total
            }
        }
        _ => return None,
    };
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1000 + millis)
}

thread_local! {
    /// The last valid `YYYY-MM-DD` read on this thread and its day number: a call's timestamps
    /// nearly all fall on one day.
    static LAST_PARSED_DATE: Cell<([u8; 10], i64)> = const { Cell::new(([0; 10], 0)) };
}

/// The day number of the date `year-month-day`, written `date`, if it is a real date.
fn date_days(date: &[u8; 10], year: i64, month: i64, day: i64) -> Option<i64> {
    let (last_date, last_days) = LAST_PARSED_DATE.get();
    if *date == last_date {
        return Some(last_days);
    }
    if year == 0 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    LAST_PARSED_DATE.set((*date, days));
    Some(days)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day number since 1970-01-01.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_the_shapes_genesys_sends() {
        assert_eq!(
            Timestamp::parse("2024-04-29T17:30:43.090Z").unwrap().to_rfc3339(),
            "2024-04-29T17:30:43.090Z"
        );
        assert_eq!(Timestamp::parse("2020-01-01T00:00:00.00Z"), Some(Timestamp(1_577_836_800_000)));
        assert_eq!(Timestamp::parse("2020-01-01T00:00:00Z"), Some(Timestamp(1_577_836_800_000)));
        assert_eq!(Timestamp::parse("2020-01-01T01:00:00.1234567+01:00"), Some(Timestamp(1_577_836_800_123)));
        // A date remembered from a good timestamp does not excuse a bad time on that date.
        assert!(Timestamp::parse("2021-02-28T00:00:00Z").is_some());
        for bad in [
            "2021-02-28T24:00:00Z",
            "2021-02-28T00:60:00Z",
            "2021-02-28T00:00:61Z",
            "2021-02-28X00:00:00Z",
            "",
            "2020-13-01T00:00:00Z",
            "2021-02-29T00:00:00Z",
            "2020-01-01",
            "x".repeat(30).as_str(),
            "2020-01-01T00:00:00",
            "2020-01-01T00:00:00.Z",
            "0000-01-01T00:00:00Z",
            "2020-01-01T24:00:00Z",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn agrees_with_chrono(ms in -62_135_596_800_000i64..253_402_210_799_999i64, later in 0i64..90_000_000) {
            // A second moment soon after: often the same day (the remembered date), sometimes the next.
            for ms in [ms, ms + later, ms] {
                let ts = Timestamp(ms);
                let text = ts.to_rfc3339();
                let expected = chrono::DateTime::from_timestamp_millis(ms).unwrap()
                    .format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
                prop_assert_eq!(&text, &expected);
                prop_assert_eq!(Timestamp::parse(&text), Some(ts));
                // Read by the fast path, not only by the general one.
                if ms >= -62_135_596_800_000 + 86_400_000 {
                    prop_assert_eq!(parse_canonical(text.as_bytes()), Some(ms));
                }
            }
        }

        #[test]
        fn the_shape_genesys_sends_is_read_as_every_shape_is(
            year in 0u32..10_000, month in 0u32..14, day in 0u32..33, hour in 0u32..26, minute in 0u32..62,
            second in 0u32..62, millis in 0u32..1000,
        ) {
            let text = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{millis:03}Z");
            prop_assert_eq!(parse_canonical(text.as_bytes()).or_else(|| parse_rfc3339(text.as_bytes())), parse_rfc3339(text.as_bytes()));
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = Timestamp::parse(&s);
        }
    }
}
