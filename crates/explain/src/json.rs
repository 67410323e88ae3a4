//! The call record written as compact JSON straight into a byte buffer.
//!
//! `explain --format ndjson` writes nearly as many bytes as it reads, and `serde_json`'s writer
//! checks every key and string byte by byte for characters to escape. Here each field's
//! `,"name":` is a literal made at compile time, timestamps and integers are formatted in place,
//! and strings are checked for escapes with the reader's own scan (sixteen bytes a step) — or not
//! at all when they lie in the document the record was read from: the reader (and `serde_json`,
//! where it reads instead) borrows a string from the document only when it has no escapes, so
//! such a string is already known to need none. The bytes are exactly `serde_json::to_vec`'s —
//! the serde derive stays for every other use (pretty JSON, the web UI) and the tests hold the two
//! side by side.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use calltrail_model::reader::plain_prefix;
use calltrail_model::time::LastDate;

use crate::time::Timestamp;

/// A value that writes itself as compact JSON, byte for byte as `serde_json::to_writer` would.
pub trait WriteJson {
    /// Appends the value's JSON to `out`.
    fn write_to(&self, out: &mut Json<'_>);
}

/// Where compact JSON is written, and the document whose strings need no scan.
pub struct Json<'o> {
    bytes: &'o mut Vec<u8>,
    /// The addresses of the document the record was read from (empty when there is none).
    source: Range<usize>,
    /// The day of the last timestamp written.
    last_date: LastDate,
}

impl Json<'_> {
    /// Appends bytes that need no escaping.
    pub(crate) fn raw(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    pub(crate) fn push(&mut self, byte: u8) {
        self.bytes.push(byte);
    }

    /// Appends a string known to need no escaping (the wire value of one of the record's own
    /// enums).
    pub(crate) fn plain_str(&mut self, text: &str) {
        debug_assert_eq!(plain_prefix(text.as_bytes()), text.len(), "`{text}` needs escaping");
        self.bytes.reserve(text.len() + 2);
        self.push(b'"');
        self.raw(text.as_bytes());
        self.push(b'"');
    }

    /// True when `text` lies within the source document, and so has no escapes.
    fn in_source(&self, text: &str) -> bool {
        let start = text.as_ptr().addr();
        self.source.start <= start && start + text.len() <= self.source.end
    }
}

/// Appends `value`'s compact JSON to `out`.
pub fn write_json<T: WriteJson + ?Sized>(value: &T, out: &mut Vec<u8>) {
    value.write_to(&mut Json { bytes: out, source: 0..0, last_date: LastDate::default() });
}

/// Appends the compact JSON of `value`, derived from the record read from `source` (by
/// `calltrail_model::from_json` or `parse_document`), to `out`. The strings it borrows from
/// `source` are copied without a scan; anything else is escaped as [`write_json`] escapes it.
pub fn write_json_from<T: WriteJson + ?Sized>(value: &T, source: &[u8], out: &mut Vec<u8>) {
    let start = source.as_ptr().addr();
    value.write_to(&mut Json {
        bytes: out,
        source: start..start + source.len(),
        last_date: LastDate::default(),
    });
}

/// The value's compact JSON as a `String`.
pub fn to_json_string<T: WriteJson + ?Sized>(value: &T) -> String {
    let mut out = Vec::with_capacity(4096);
    write_json(value, &mut out);
    // Written from `&str`s and ASCII only, so always UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// Appends `text` as a JSON string, escaped as `serde_json` escapes it.
pub fn write_str(out: &mut Json<'_>, text: &str) {
    let bytes = text.as_bytes();
    let plain = if out.in_source(text) {
        debug_assert_eq!(plain_prefix(bytes), bytes.len(), "a string borrowed from the document has escapes");
        bytes.len()
    } else {
        plain_prefix(bytes)
    };
    out.bytes.reserve(bytes.len() + 2);
    out.push(b'"');
    out.raw(&bytes[..plain]);
    if plain < bytes.len() {
        write_escaped(out.bytes, &bytes[plain..]);
    }
    out.push(b'"');
}

/// The rest of a string from its first byte that needs escaping: `\"`, `\\`, the short escapes
/// `serde_json` uses (`\b \f \n \r \t`) and `\u00xx` for other control characters.
#[cold]
fn write_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &byte in bytes {
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..=0x1f => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xf)],
            ]),
            _ => out.push(byte),
        }
    }
}

impl WriteJson for str {
    fn write_to(&self, out: &mut Json<'_>) {
        write_str(out, self);
    }
}

impl WriteJson for String {
    fn write_to(&self, out: &mut Json<'_>) {
        write_str(out, self);
    }
}

impl<T: WriteJson + ?Sized> WriteJson for &T {
    fn write_to(&self, out: &mut Json<'_>) {
        (**self).write_to(out);
    }
}

impl WriteJson for Cow<'_, str> {
    fn write_to(&self, out: &mut Json<'_>) {
        write_str(out, self);
    }
}

impl WriteJson for bool {
    fn write_to(&self, out: &mut Json<'_>) {
        out.raw(if *self { b"true" } else { b"false" });
    }
}

impl WriteJson for i64 {
    fn write_to(&self, out: &mut Json<'_>) {
        out.raw(itoa::Buffer::new().format(*self).as_bytes());
    }
}

impl WriteJson for u32 {
    fn write_to(&self, out: &mut Json<'_>) {
        out.raw(itoa::Buffer::new().format(*self).as_bytes());
    }
}

impl WriteJson for Timestamp {
    fn write_to(&self, out: &mut Json<'_>) {
        // ASCII digits and separators only: nothing to escape.
        let mut quoted = [b'"'; 26];
        quoted[1..25].copy_from_slice(&self.rfc3339_bytes_after(&mut out.last_date));
        out.raw(&quoted);
    }
}

impl<T: WriteJson> WriteJson for Option<T> {
    fn write_to(&self, out: &mut Json<'_>) {
        match self {
            Some(value) => value.write_to(out),
            None => out.raw(b"null"),
        }
    }
}

impl<T: WriteJson> WriteJson for Vec<T> {
    fn write_to(&self, out: &mut Json<'_>) {
        out.push(b'[');
        for (n, item) in self.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            item.write_to(out);
        }
        out.push(b']');
    }
}

impl<K: AsRef<str>, V: WriteJson> WriteJson for BTreeMap<K, V> {
    fn write_to(&self, out: &mut Json<'_>) {
        out.push(b'{');
        for (n, (key, value)) in self.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            write_str(out, key.as_ref());
            out.push(b':');
            value.write_to(out);
        }
        out.push(b'}');
    }
}

/// The wire name of a field: its Rust name, or the name serde renames it to.
macro_rules! json_key {
    ($field:ident) => {
        stringify!($field)
    };
    ($field:ident $rename:literal) => {
        $rename
    };
}

/// Declares a call-record struct: serde's `Serialize` derived as usual, and [`WriteJson`] writing
/// the same bytes with each `,"field":` made at compile time. A field may carry
/// `#[serde(rename = "…")]` after its doc comment; fields in a closing `unwritten { … }` block
/// are neither serialized nor written (they are for calltrail's own use).
macro_rules! record_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident $(<$lt:lifetime>)? {
            $(
                $(#[doc = $doc:literal])*
                $(#[serde(rename = $rename:literal)])?
                pub $field:ident : $ty:ty,
            )+
            $(
                // Fields for calltrail's own use (the archive), never written.
                unwritten {
                    $(
                        $(#[doc = $hidden_doc:literal])*
                        pub $hidden:ident : $hidden_ty:ty,
                    )+
                }
            )?
        }
    ) => {
        $(#[$meta])*
        #[derive(::serde::Serialize)]
        pub struct $name $(<$lt>)? {
            $(
                $(#[doc = $doc])*
                $(#[serde(rename = $rename)])?
                pub $field: $ty,
            )+
            $($(
                $(#[doc = $hidden_doc])*
                #[serde(skip)]
                pub $hidden: $hidden_ty,
            )+)?
        }

        impl $(<$lt>)? $crate::json::WriteJson for $name $(<$lt>)? {
            fn write_to(&self, out: &mut $crate::json::Json<'_>) {
                // Every key but the first follows a comma.
                out.push(b'{');
                let mut skip = 1;
                $(
                    out.raw(
                        &concat!(",\"", $crate::json::json_key!($field $($rename)?), "\":").as_bytes()[skip..],
                    );
                    skip = 0;
                    self.$field.write_to(out);
                )+
                let _ = skip;
                out.push(b'}');
            }
        }
    };
}

/// Implements [`WriteJson`] for a unit enum through its `as_str`, the wire value serde writes.
macro_rules! write_as_str {
    ($($name:ty),+ $(,)?) => {
        $(
            impl $crate::json::WriteJson for $name {
                fn write_to(&self, out: &mut $crate::json::Json<'_>) {
                    out.plain_str(self.as_str());
                }
            }
        )+
    };
}

pub(crate) use json_key;
pub(crate) use record_struct;
pub(crate) use write_as_str;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{CallDirection, HungUpBy, IvrExit, Outcome, QueueOutcome, Role};
    use proptest::prelude::*;

    fn direct<T: WriteJson + ?Sized>(value: &T) -> String {
        to_json_string(value)
    }

    #[test]
    fn every_escape_is_serdes() {
        let all: String = (0u8..=0x7f).map(char::from).chain(['é', '€', '😀', '\u{2028}']).collect();
        assert_eq!(direct(all.as_str()), serde_json::to_string(&all).unwrap());
        for text in ["", "\"", "\\", "a\"b\\c\nd", "\u{7f}", "\u{0}\u{1f}"] {
            assert_eq!(direct(text), serde_json::to_string(text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn enums_numbers_maps_and_absent_values_are_serdes() {
        fn same<T: WriteJson + serde::Serialize>(value: &T) {
            assert_eq!(direct(value), serde_json::to_string(value).unwrap());
        }
        for direction in [CallDirection::Inbound, CallDirection::Outbound, CallDirection::Internal] {
            same(&direction);
        }
        for role in
            [Role::Customer, Role::Agent, Role::User, Role::Ivr, Role::Campaign, Role::External, Role::System]
        {
            same(&role);
        }
        for outcome in Outcome::ALL {
            same(&outcome);
        }
        for queue in [
            QueueOutcome::Answered,
            QueueOutcome::Abandoned,
            QueueOutcome::Transferred,
            QueueOutcome::FlowOut,
            QueueOutcome::Ongoing,
        ] {
            same(&queue);
        }
        for exit in [
            IvrExit::Transfer,
            IvrExit::Disconnect,
            IvrExit::SelfServed,
            IvrExit::Callback,
            IvrExit::Voicemail,
        ] {
            same(&exit);
        }
        for by in [
            HungUpBy::Customer,
            HungUpBy::Agent,
            HungUpBy::User,
            HungUpBy::Ivr,
            HungUpBy::System,
            HungUpBy::Unknown,
        ] {
            same(&by);
        }
        for n in [i64::MIN, -1, 0, 7, i64::MAX] {
            same(&n);
        }
        same(&u32::MAX);
        same(&[true, false].to_vec());
        same(&Option::<i64>::None);
        same(&Vec::<String>::new());
        same(&BTreeMap::<Cow<'_, str>, Cow<'_, str>>::new());
        same(&BTreeMap::from([
            (Cow::from("a\"key\u{1}"), Cow::from("v\n")),
            (Cow::from("b"), Cow::from("é")),
        ]));
        for ms in [i64::MIN / 4, -1, 0, 1_709_600_000_123, 253_402_300_799_999, i64::MAX / 4] {
            same(&Timestamp(ms));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn any_string_is_written_as_serde_writes_it(text in any::<String>(), control in "[\u{0}-\u{1f}\"\\\\a-z]{0,40}") {
            prop_assert_eq!(direct(text.as_str()), serde_json::to_string(&text).unwrap());
            prop_assert_eq!(direct(control.as_str()), serde_json::to_string(&control).unwrap());
        }
    }
}
