//! A direct reader from JSON bytes into the model, for the hot path of `explain`.
//!
//! serde's typed path spends most of a record's parse in per-string UTF-8 checks, byte-by-byte
//! string scans and visitor calls. This reader checks the document's UTF-8 once, scans strings
//! sixteen bytes a step with one vector compare, finds a field by a hash of its key and fills the
//! struct in place.
//!
//! It is an accelerator, never an authority: whenever it meets anything it does not read with
//! certainty — a syntax error, a value of the wrong type, a duplicate field, a lone surrogate,
//! deep nesting — it gives up (`Bail`), and the caller asks `serde_json`, whose answer and error
//! message stand. So a record this reader accepts is one `serde_json` accepts, read the same way;
//! the tests hold the two side by side.

use std::borrow::Cow;
use std::sync::OnceLock;

use wide::u8x16;

use crate::text::{Attributes, Text};

/// This reader does not answer for the document; `serde_json` must.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bail;

/// Reads `T` from a JSON document: directly when the reader can, through `serde_json` otherwise
/// (and always for the error).
pub fn from_json<'a, T: Read<'a> + serde::Deserialize<'a>>(bytes: &'a [u8]) -> serde_json::Result<T> {
    match read(bytes) {
        Ok(value) => Ok(value),
        Err(Bail) => serde_json::from_slice(bytes).map_err(|e| with_path::<T>(bytes, e)),
    }
}

/// A value of the wrong type is named by where it is (`participants[2].sessions[0].segments[0]:
/// invalid type: null, …`); finding that place reads the document once more, on this error path
/// only. Syntax errors and cut-off documents keep serde's own message, which has the place.
fn with_path<'a, T: serde::Deserialize<'a>>(bytes: &'a [u8], error: serde_json::Error) -> serde_json::Error {
    if error.classify() != serde_json::error::Category::Data {
        return error;
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(e) if !e.path().to_string().is_empty() && e.path().to_string() != "." => {
            <serde_json::Error as serde::de::Error>::custom(format!("{}: {error}", e.path()))
        }
        _ => error,
    }
}

type Result<T> = std::result::Result<T, Bail>;

/// Nesting the reader follows before it leaves a document to `serde_json` (whose own limit is
/// 128 levels).
const MAX_DEPTH: u32 = 100;

/// A cursor over one JSON document whose UTF-8 has been checked as a whole.
pub struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    depth: u32,
}

/// A type the reader fills straight from JSON.
pub trait Read<'a>: Sized {
    /// Reads one value at the cursor, or bails.
    fn read(r: &mut Reader<'a>) -> Result<Self>;

    /// Reads one value at the cursor into `slot`, which holds `Default`'s value; large structs
    /// fill it in place rather than being moved there.
    fn read_into(r: &mut Reader<'a>, slot: &mut Self) -> Result<()> {
        *slot = Self::read(r)?;
        Ok(())
    }
}

/// Passes over a whole document, checking it, building nothing (for measurements).
#[doc(hidden)]
pub fn skim(bytes: &[u8]) -> Result<()> {
    let text = simdutf8::basic::from_utf8(bytes).map_err(|_| Bail)?;
    let mut r = Reader { text, bytes, at: 0, depth: 0 };
    r.skip_space();
    r.skip()?;
    r.skip_space();
    if r.at == bytes.len() {
        Ok(())
    } else {
        Err(Bail)
    }
}

/// Reads a whole document as `T`, or bails.
pub fn read<'a, T: Read<'a>>(bytes: &'a [u8]) -> Result<T> {
    let text = simdutf8::basic::from_utf8(bytes).map_err(|_| Bail)?;
    let mut r = Reader { text, bytes, at: 0, depth: 0 };
    r.skip_space();
    let value = T::read(&mut r)?;
    r.skip_space();
    if r.at == bytes.len() {
        Ok(value)
    } else {
        Err(Bail)
    }
}

/// One bit for each of sixteen bytes that ends a plain string run: `"`, `\` or a control
/// character. A vector compare on SSE2 and NEON (through `wide`), sixteen bytes a step.
#[inline]
fn string_stops(chunk: &[u8; 16]) -> u32 {
    let bytes = u8x16::new(*chunk);
    let quote = bytes.simd_eq(u8x16::splat(b'"'));
    let backslash = bytes.simd_eq(u8x16::splat(b'\\'));
    let control = bytes.min(u8x16::splat(0x1f)).simd_eq(bytes);
    (quote | backslash | control).to_bitmask()
}

/// How many leading bytes of `bytes` a JSON string carries as they are: the index of the first
/// `"`, `\` or control character, or the length. Those are exactly the bytes a JSON writer must
/// escape, so writers use it too.
pub fn plain_prefix(bytes: &[u8]) -> usize {
    string_stop(bytes, 0)
}

/// The index of the first byte at or after `from` that ends a plain run of string content (`"`,
/// `\` or a control character), or `bytes.len()`; sixteen bytes a step, the last step over the
/// last sixteen bytes of `bytes`.
#[inline]
fn string_stop(bytes: &[u8], mut from: usize) -> usize {
    while let Some(chunk) = bytes.get(from..).and_then(<[u8]>::first_chunk::<16>) {
        let stops = string_stops(chunk);
        if stops != 0 {
            return from + stops.trailing_zeros() as usize;
        }
        from += 16;
    }
    string_stop_in_tail(bytes, from)
}

/// [`string_stop`] within the last sixteen bytes.
fn string_stop_in_tail(bytes: &[u8], mut from: usize) -> usize {
    if from >= bytes.len() {
        return bytes.len();
    }
    if let Some(last) = bytes.last_chunk::<16>() {
        // The last sixteen bytes, with the lanes before `from` shifted out.
        let stops = string_stops(last) >> (from - (bytes.len() - 16));
        return if stops == 0 { bytes.len() } else { from + stops.trailing_zeros() as usize };
    }
    while from < bytes.len() && !matches!(bytes[from], b'"' | b'\\' | 0..=0x1f) {
        from += 1;
    }
    from
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<()> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(Bail)
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<()> {
        if self.bytes[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// True, consuming it, when the next value is `null`.
    pub(crate) fn null(&mut self) -> Result<bool> {
        if self.peek() == Some(b'n') {
            self.literal(b"null")?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Bail);
        }
        Ok(())
    }

    /// Opens a string: where its content starts, and where its first plain run stops (at the
    /// closing quote, a backslash or a control character).
    fn plain_run(&mut self) -> Result<(usize, usize)> {
        self.expect(b'"')?;
        Ok((self.at, string_stop(self.bytes, self.at)))
    }

    /// A string value, borrowed from the document unless it has escapes.
    pub(crate) fn string(&mut self) -> Result<Text<'a>> {
        let (start, stop) = self.plain_run()?;
        match self.bytes.get(stop) {
            Some(b'"') => {
                self.at = stop + 1;
                // Both ends sit next to an ASCII quote, so they are character boundaries.
                self.text.get(start..stop).map(Text::from).ok_or(Bail)
            }
            Some(b'\\') => self.escaped_string(start, stop),
            _ => Err(Bail),
        }
    }

    /// An object's key; keys with escapes are left to `serde_json`.
    fn key(&mut self) -> Result<&'a str> {
        let (start, stop) = self.plain_run()?;
        if self.bytes.get(stop) != Some(&b'"') {
            return Err(Bail);
        }
        self.at = stop + 1;
        self.text.get(start..stop).ok_or(Bail)
    }

    /// The rest of a string that has escapes, decoded into an owned copy.
    fn escaped_string(&mut self, start: usize, mut stop: usize) -> Result<Text<'a>> {
        let mut out = String::with_capacity(stop - start + 16);
        let mut run = start;
        loop {
            out.push_str(self.text.get(run..stop).ok_or(Bail)?);
            match self.bytes.get(stop) {
                Some(b'"') => {
                    self.at = stop + 1;
                    return Ok(Text(Cow::Owned(out)));
                }
                Some(b'\\') => {
                    self.at = stop + 1;
                    self.escape(&mut out)?;
                    run = self.at;
                    stop = string_stop(self.bytes, run);
                }
                _ => return Err(Bail),
            }
        }
    }

    /// One escape after its backslash.
    fn escape(&mut self, out: &mut String) -> Result<()> {
        let byte = self.peek().ok_or(Bail)?;
        self.at += 1;
        let decoded = match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                let code = match first {
                    0xD800..=0xDBFF => {
                        self.literal(b"\\u")?;
                        let second = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return Err(Bail);
                        }
                        0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return Err(Bail),
                    _ => first,
                };
                char::from_u32(code).ok_or(Bail)?
            }
            _ => return Err(Bail),
        };
        out.push(decoded);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits = self.bytes.get(self.at..self.at + 4).ok_or(Bail)?;
        let mut value = 0;
        for &digit in digits {
            value = value * 16 + char::from(digit).to_digit(16).ok_or(Bail)?;
        }
        self.at += 4;
        Ok(value)
    }

    /// The extent of a number, checked against JSON's grammar; `true` when it is an integer.
    fn number_span(&mut self) -> Result<(usize, bool)> {
        let start = self.at;
        let digits = |r: &mut Self| {
            let from = r.at;
            while let Some(b'0'..=b'9') = r.peek() {
                r.at += 1;
            }
            if r.at == from {
                Err(Bail)
            } else {
                Ok(())
            }
        };
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        if self.peek() == Some(b'0') {
            self.at += 1;
        } else {
            digits(self)?;
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.at += 1;
            digits(self)?;
            integer = false;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            digits(self)?;
            integer = false;
        }
        Ok((start, integer))
    }

    /// An integer that fits `i64`; anything else bails.
    fn integer(&mut self) -> Result<i64> {
        let (start, integer) = self.number_span()?;
        if !integer {
            return Err(Bail);
        }
        let span = &self.bytes[start..self.at];
        let (negative, digits) = match span.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, span),
        };
        let mut value: i64 = 0;
        for &digit in digits {
            let digit = i64::from(digit - b'0');
            value = value.checked_mul(10).ok_or(Bail)?;
            value = if negative { value.checked_sub(digit) } else { value.checked_add(digit) }.ok_or(Bail)?;
        }
        if negative && value == 0 {
            // serde_json reads `-0` as the float -0.0, which an integer field refuses.
            return Err(Bail);
        }
        Ok(value)
    }

    /// The next value, whatever it is, checked against JSON's grammar and passed over; returns
    /// its text.
    pub(crate) fn skip(&mut self) -> Result<&'a str> {
        let start = self.at;
        match self.peek().ok_or(Bail)? {
            b'"' => {
                self.string()?;
            }
            b'{' => {
                self.enter()?;
                self.at += 1;
                self.members(|r, _| r.skip().map(drop))?;
                self.depth -= 1;
            }
            b'[' => {
                self.enter()?;
                self.at += 1;
                self.elements(|r| r.skip().map(drop))?;
                self.depth -= 1;
            }
            b't' => self.literal(b"true")?,
            b'f' => self.literal(b"false")?,
            b'n' => self.literal(b"null")?,
            _ => {
                self.number_span()?;
            }
        }
        self.text.get(start..self.at).ok_or(Bail)
    }

    /// The members of an object whose `{` was consumed, each key handed to `member`, which reads
    /// its value.
    fn members(&mut self, mut member: impl FnMut(&mut Self, &str) -> Result<()>) -> Result<()> {
        if self.closes_at_once(b'}') {
            return Ok(());
        }
        loop {
            let key = self.key()?;
            self.skip_space();
            self.expect(b':')?;
            self.skip_space();
            member(self, key)?;
            if !self.another(b'}')? {
                return Ok(());
            }
        }
    }

    /// The elements of an array whose `[` was consumed.
    fn elements(&mut self, mut element: impl FnMut(&mut Self) -> Result<()>) -> Result<()> {
        if self.closes_at_once(b']') {
            return Ok(());
        }
        loop {
            element(self)?;
            if !self.another(b']')? {
                return Ok(());
            }
        }
    }

    /// True, consuming it, when an object or array just opened is closed by `close` at once.
    fn closes_at_once(&mut self, close: u8) -> bool {
        self.skip_space();
        if self.peek() == Some(close) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// After a member or element: true past a comma (another follows), false past `close`.
    fn another(&mut self, close: u8) -> Result<bool> {
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                self.skip_space();
                Ok(true)
            }
            Some(byte) if byte == close => {
                self.at += 1;
                Ok(false)
            }
            Some(b' ' | b'\n' | b'\r' | b'\t') => {
                self.skip_space();
                self.another(close)
            }
            _ => Err(Bail),
        }
    }

    /// An object read field by field: `set` is called with the index in `keys` of every key it
    /// knows; unknown keys are passed over. A repeated field bails, as serde rejects it.
    pub(crate) fn object(
        &mut self,
        keys: &Keys,
        mut set: impl FnMut(&mut Self, usize) -> Result<()>,
    ) -> Result<()> {
        self.expect(b'{')?;
        self.enter()?;
        // One bit per field, in two words: shifting a `u128` costs several instructions.
        let mut seen = [0u64; 2];
        if !self.closes_at_once(b'}') {
            loop {
                match self.field(keys)? {
                    Some(index) => {
                        let (word, bit) = (&mut seen[(index >> 6) & 1], 1u64 << (index & 63));
                        if *word & bit != 0 {
                            return Err(Bail);
                        }
                        *word |= bit;
                        set(self, index)?;
                    }
                    None => {
                        self.skip()?;
                    }
                }
                if !self.another(b'}')? {
                    break;
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// An object's key and its colon: the key's index in `keys`, or `None` for a key it does not
    /// know. The sixteen bytes that find the key's closing quote are the key itself, for keys of
    /// up to sixteen bytes: the table compares them at once. Keys with escapes are left to
    /// `serde_json`.
    fn field(&mut self, keys: &Keys) -> Result<Option<usize>> {
        self.expect(b'"')?;
        let start = self.at;
        let (stop, head) = if let Some(chunk) = self.bytes.get(start..).and_then(<[u8]>::first_chunk::<16>) {
            let stops = string_stops(chunk);
            let stop = if stops == 0 {
                string_stop(self.bytes, start + 16)
            } else {
                start + stops.trailing_zeros() as usize
            };
            (stop, u128::from_le_bytes(*chunk))
        } else {
            // Within the document's last sixteen bytes.
            let stop = string_stop(self.bytes, start);
            (stop, head_of(&self.bytes[start..stop]))
        };
        if self.bytes.get(stop) != Some(&b'"') {
            return Err(Bail);
        }
        self.at = stop + 1;
        if self.peek() == Some(b':') {
            self.at += 1;
        } else {
            self.skip_space();
            self.expect(b':')?;
        }
        self.skip_space();
        Ok(keys.find_head(first_bytes(head, stop - start), &self.bytes[start..stop]))
    }

    /// Reads the next value with `serde_json`, for the few types rare enough not to need this
    /// reader (attribute maps, aggregations, floating-point numbers).
    fn via_serde<T: serde::Deserialize<'a>>(&mut self) -> Result<T> {
        let text = self.skip()?;
        serde_json::from_str(text).map_err(|_| Bail)
    }
}

/// The wire names of a struct's fields, found by a hash of the key.
///
/// The table holds one byte a slot and the keys' first sixteen bytes side by side, a few hundred
/// bytes for the widest struct, so that it stays in the cache beside the record being read.
pub(crate) struct Keys {
    /// Each field's key, by field index.
    entries: Vec<Entry>,
    names: Vec<Box<str>>,
    /// Open-addressed table of field index + 1 by a hash of the key; 0 marks an empty slot.
    slots: Vec<u8>,
    shift: u32,
}

/// One field's key: its first sixteen bytes (zero beyond its end) and its length, which for keys
/// of up to sixteen bytes is the whole key.
#[derive(Clone, Copy)]
struct Entry {
    head: u128,
    len: usize,
}

/// The first `len` bytes of a little-endian sixteen-byte word, the rest zero.
fn first_bytes(word: u128, len: usize) -> u128 {
    /// `FIRST[n]` keeps the first `n` bytes.
    const FIRST: [u128; 17] = {
        let mut masks = [u128::MAX; 17];
        let mut n = 0;
        while n < 16 {
            masks[n] = (1u128 << (8 * n)) - 1;
            n += 1;
        }
        masks
    };
    word & FIRST[len.min(16)]
}

impl Keys {
    /// The table for the wire names of one struct, in field order (at most 128).
    pub(crate) fn new(names: Vec<Box<str>>) -> Keys {
        assert!(names.len() <= 128, "a struct read by the reader has at most 128 fields");
        let size = (names.len() * 2).next_power_of_two().max(16);
        let mut keys = Keys {
            entries: names
                .iter()
                .map(|name| Entry { head: head_of(name.as_bytes()), len: name.len() })
                .collect(),
            names: Vec::new(),
            slots: vec![0; size],
            shift: 64 - size.trailing_zeros(),
        };
        for (index, name) in names.iter().enumerate() {
            let mut slot = keys.slot(keys.entries[index].head, name.len());
            while keys.slots[slot] != 0 {
                slot = (slot + 1) & (size - 1);
            }
            keys.slots[slot] = u8::try_from(index + 1).unwrap_or(u8::MAX);
        }
        keys.names = names;
        keys
    }

    fn slot(&self, head: u128, len: usize) -> usize {
        #[allow(clippy::cast_possible_truncation)]
        let (low, high) = (head as u64, (head >> 64) as u64);
        let mixed = (low ^ high.rotate_left(29)).wrapping_add(len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        // The shift leaves at most 8 bits (the table has at most 256 slots).
        #[allow(clippy::cast_possible_truncation)]
        let slot = (mixed >> self.shift) as usize;
        slot
    }

    /// True when field `index` is the key whose first sixteen bytes are `head`.
    fn is(&self, index: usize, head: u128, key: &[u8]) -> bool {
        self.entries.get(index).is_some_and(|entry| {
            entry.head == head
                && entry.len == key.len()
                && (key.len() <= 16 || *self.names[index].as_bytes() == *key)
        })
    }

    /// The index of `key` among the names, if it is one of them.
    #[cfg(test)]
    pub(crate) fn find(&self, key: &str) -> Option<usize> {
        self.find_head(head_of(key.as_bytes()), key.as_bytes())
    }

    /// The index of `key`, whose first sixteen bytes (zero beyond its end) are `head`.
    fn find_head(&self, head: u128, key: &[u8]) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let mut at = self.slot(head, key.len());
        loop {
            let index = usize::from(self.slots[at]);
            if index == 0 {
                return None;
            }
            if self.is(index - 1, head, key) {
                return Some(index - 1);
            }
            at = (at + 1) & mask;
        }
    }
}

/// The first sixteen bytes of a key, zero beyond its end.
fn head_of(key: &[u8]) -> u128 {
    let mut head = [0u8; 16];
    let len = key.len().min(16);
    head[..len].copy_from_slice(&key[..len]);
    u128::from_le_bytes(head)
}

/// serde's `rename_all = "camelCase"` of a Rust field name.
pub(crate) fn camel_case(field: &str) -> Box<str> {
    let mut out = String::with_capacity(field.len());
    let mut upper = false;
    for c in field.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// The keys of one struct, built on first use.
pub(crate) fn keys_of(cell: &'static OnceLock<Keys>, fields: &[&str]) -> &'static Keys {
    cell.get_or_init(|| Keys::new(fields.iter().map(|f| camel_case(f)).collect()))
}

impl<'a> Read<'a> for Text<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self> {
        r.string()
    }
}

impl<'a> Read<'a> for i64 {
    fn read(r: &mut Reader<'a>) -> Result<Self> {
        r.integer()
    }
}

impl<'a> Read<'a> for f64 {
    fn read(r: &mut Reader<'a>) -> Result<Self> {
        let (start, _) = r.number_span()?;
        if let Some(value) = exact_f64(&r.bytes[start..r.at]) {
            return Ok(value);
        }
        // serde_json's own float reading for the rest, so the last bit agrees with the serde path.
        r.at = start;
        r.via_serde()
    }
}

/// A number already checked against JSON's grammar, as `f64`, when both its digits and its power
/// of ten are exact in binary floating point (at most 15 digits, an exponent within ±22): then
/// one multiplication or division is correctly rounded, which is what `serde_json` computes for
/// such a number with and without its `float_roundtrip` feature. `None` for the rest.
fn exact_f64(number: &[u8]) -> Option<f64> {
    /// The powers of ten that are exact `f64`s.
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
        1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let (negative, rest) = match number.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, number),
    };
    let (mut significand, mut digits, mut exponent, mut fraction) = (0u64, 0u32, 0i32, false);
    let mut bytes = rest.iter();
    while let Some(&byte) = bytes.next() {
        match byte {
            b'0'..=b'9' => {
                significand = significand * 10 + u64::from(byte - b'0');
                digits += 1;
                if digits > 15 {
                    return None;
                }
                exponent -= i32::from(fraction);
            }
            b'.' => fraction = true,
            _ => {
                // `e` or `E`, then an optional sign and the exponent's digits.
                let (sign, digits) = match bytes.as_slice().split_first() {
                    Some((b'-', digits)) => (-1, digits),
                    Some((b'+', digits)) => (1, digits),
                    _ => (1, bytes.as_slice()),
                };
                if digits.len() > 3 {
                    return None;
                }
                let value = digits.iter().fold(0i32, |value, digit| value * 10 + i32::from(digit - b'0'));
                exponent += sign * value;
                break;
            }
        }
    }
    let power = *POW10.get(usize::try_from(exponent.unsigned_abs()).ok()?)?;
    // At most 15 digits: below 2^53, so exact.
    #[allow(clippy::cast_precision_loss)]
    let magnitude = significand as f64;
    let value = if exponent >= 0 { magnitude * power } else { magnitude / power };
    Some(if negative { -value } else { value })
}

impl<'a> Read<'a> for bool {
    fn read(r: &mut Reader<'a>) -> Result<Self> {
        match r.peek() {
            Some(b't') => r.literal(b"true").map(|()| true),
            Some(b'f') => r.literal(b"false").map(|()| false),
            _ => Err(Bail),
        }
    }
}

impl<'a, T: Read<'a>> Read<'a> for Option<T> {
    fn read(r: &mut Reader<'a>) -> Result<Self> {
        if r.null()? {
            Ok(None)
        } else {
            T::read(r).map(Some)
        }
    }

    fn read_into(r: &mut Reader<'a>, slot: &mut Self) -> Result<()> {
        if r.null()? {
            *slot = None;
            Ok(())
        } else {
            T::read(r).map(|value| *slot = Some(value))
        }
    }
}

impl<'a, T: Read<'a> + Default> Read<'a> for Vec<T> {
    fn read(r: &mut Reader<'a>) -> Result<Self> {
        r.expect(b'[')?;
        r.enter()?;
        // Room for eight small items from the start: a session's segments and metrics usually
        // fit without the vector growing twice on the way (reallocation copies every item).
        let mut items: Vec<T> = if size_of::<T>() <= 1024 { Vec::with_capacity(8) } else { Vec::new() };
        r.elements(|r| {
            items.push(T::default());
            let last = items.len() - 1;
            T::read_into(r, &mut items[last])
        })?;
        r.depth -= 1;
        Ok(items)
    }
}

impl<'a> Read<'a> for Attributes<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self> {
        r.via_serde()
    }
}

impl<'a> Read<'a> for serde_json::Value {
    fn read(r: &mut Reader<'a>) -> Result<Self> {
        r.via_serde()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation_api::{ApiConversation, ApiParticipant, ApiWrapup};
    use crate::detail::*;
    use proptest::prelude::*;
    use serde::de::{self, Visitor};

    /// A deserializer that only asks a type for the field names serde derived for it.
    struct Probe;

    #[derive(Debug)]
    struct Fields(&'static [&'static str]);

    impl std::fmt::Display for Fields {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{:?}", self.0)
        }
    }

    impl std::error::Error for Fields {}

    impl de::Error for Fields {
        fn custom<T: std::fmt::Display>(_msg: T) -> Self {
            Fields(&[])
        }
    }

    impl<'de> de::Deserializer<'de> for Probe {
        type Error = Fields;
        fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> std::result::Result<V::Value, Fields> {
            Err(Fields(&[]))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _visitor: V,
        ) -> std::result::Result<V::Value, Fields> {
            Err(Fields(fields))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }

    fn serde_fields<T: serde::Deserialize<'static>>() -> &'static [&'static str] {
        match T::deserialize(Probe) {
            Err(Fields(fields)) => fields,
            Ok(_) => &[],
        }
    }

    /// The reader's table for a struct's names finds each of them, and no near miss.
    fn keys_find_exactly(ours: &[Box<str>]) {
        let keys = Keys::new(ours.to_vec());
        for (index, name) in ours.iter().enumerate() {
            assert_eq!(keys.find(name), Some(index));
            for near in [format!("{name}x"), name[1..].to_owned(), name.to_uppercase()] {
                assert_eq!(keys.find(&near), ours.iter().position(|n| **n == *near), "{near}");
            }
        }
    }

    #[test]
    fn the_reader_knows_every_struct_by_serde_field_names() {
        macro_rules! check {
            ($($name:ident),*) => {$(
                let ours: Vec<Box<str>> = $name::FIELD_NAMES.iter().map(|f| camel_case(f)).collect();
                let serde: Vec<Box<str>> = serde_fields::<$name<'static>>().iter().map(|f| Box::from(*f)).collect();
                assert_eq!(ours, serde, stringify!($name));
                keys_find_exactly(&ours);
            )*};
        }
        check!(
            Conversation,
            Participant,
            SessionMore,
            SegmentMore,
            Flow,
            FlowOutcome,
            Metric,
            AgentGroup,
            ProposedAgent,
            ScoredAgent,
            Property,
            MediaEndpointStat,
            Evaluation,
            Survey,
            Resolution,
            ConversationPage,
            ApiConversation,
            ApiParticipant,
            ApiWrapup
        );
    }

    /// Structs with a `More` are read by serde as maps (`flatten`), which name no fields; serde
    /// knows a name when a value of the wrong type under it fails the struct, where an unknown
    /// key would be passed over.
    #[test]
    fn the_reader_knows_every_wide_struct_by_serde_field_names() {
        macro_rules! check {
            ($($name:ident),*) => {$(
                let ours: Vec<Box<str>> = $name::FIELD_NAMES.iter().map(|f| camel_case(f)).collect();
                for name in &ours {
                    let wrong = format!(r#"{{"{name}": [[[{{}}]]]}}"#);
                    assert!(serde_json::from_str::<$name<'_>>(&wrong).is_err(), "serde does not know `{name}`");
                }
                assert!(serde_json::from_str::<$name<'_>>(r#"{"notAField": [[[{}]]]}"#).is_ok());
                keys_find_exactly(&ours);
            )*};
        }
        check!(Session, Segment);
    }

    fn naive_stop(bytes: &[u8], from: usize) -> usize {
        (from..bytes.len()).find(|&i| matches!(bytes[i], b'"' | b'\\' | 0..=0x1f)).unwrap_or(bytes.len())
    }

    #[test]
    fn skim_accepts_what_serde_json_accepts() {
        let documents = [
            r#"{"a":[1,-2.5e3,true,false,null,"x\u00e9\n"],"b":{}}"#,
            r#" [ {"conversationId" : "c1"} , [] ] "#,
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            "[1,2",
            r#""\ud800""#,
            "01",
            r#"{"a":1} x"#,
        ];
        for document in documents {
            let serde = serde_json::from_str::<de::IgnoredAny>(document).is_ok();
            // Where the reader is unsure it bails; it never accepts what serde refuses.
            assert!(skim(document.as_bytes()).is_err() || serde, "{document}");
            if !document.contains("\\ud800") {
                assert_eq!(skim(document.as_bytes()).is_ok(), serde, "{document}");
            }
        }
    }

    #[test]
    fn exact_floats_are_read_directly() {
        for (text, value) in
            [("4.38", 4.38), ("89.5", 89.5), ("-0.0", -0.0), ("0", 0.0), ("1e3", 1000.0), ("12.5E-1", 1.25)]
        {
            let read = exact_f64(text.as_bytes());
            assert_eq!(read.map(f64::to_bits), Some(f64::to_bits(value)), "{text}");
        }
        for text in ["1.0000000000000001", "1e23", "123456789012345678", "1e-400"] {
            assert_eq!(exact_f64(text.as_bytes()), None, "{text}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn an_exact_float_is_serdes_to_the_bit(text in "-?(0|[1-9][0-9]{0,17})(\\.[0-9]{1,8})?([eE][-+]?[0-9]{1,3})?") {
            if let (Some(direct), Ok(serde)) = (exact_f64(text.as_bytes()), serde_json::from_str::<f64>(&text)) {
                prop_assert_eq!(direct.to_bits(), serde.to_bits(), "{}", text);
            }
        }

        #[test]
        fn string_stop_finds_the_first_quote_backslash_or_control(
            bytes in prop::collection::vec(prop::sample::select(vec![b'a', b'"', b'\\', 0, 0x1f, 0x20, 0x21, 0x5b, 0x5d, 0x7f, 0x80, 0xff, 0x01, b'#']), 0..40),
            from in any::<prop::sample::Index>(),
        ) {
            let from = from.index(bytes.len() + 1);
            prop_assert_eq!(string_stop(&bytes, from), naive_stop(&bytes, from));
        }

        #[test]
        fn string_stop_finds_a_rare_stop_in_any_lane(
            bytes in prop::collection::vec(prop_oneof![
                40 => prop::sample::select(vec![b'a', b'-', b'0', 0x20, 0x7f, 0x80, 0xff]),
                1 => prop::sample::select(vec![b'"', b'\\', 0, 0x0a, 0x1f]),
            ], 0..80),
            from in any::<prop::sample::Index>(),
        ) {
            let from = from.index(bytes.len() + 1);
            prop_assert_eq!(string_stop(&bytes, from), naive_stop(&bytes, from));
        }
    }
}
