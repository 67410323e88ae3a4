//! Compact JSON output for call records, byte for byte what `serde_json::to_writer` writes.
//!
//! A call record is mostly strings (ids, names, timestamps, sentences), and `serde_json` checks
//! every byte of every string, field names included, one at a time for characters to escape.
//! This serializer checks eight bytes at a time. Everything else follows `serde_json`'s compact
//! format exactly; the tests compare the two on every kind of value.

use std::fmt::{self, Display};

use serde::ser::{self, Serialize};

use crate::reader::string_stop;

/// Appends `value` as compact JSON to `out`.
pub fn write_json<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result {
    value.serialize(&mut JsonWriter { out })
}

/// `value` as compact JSON text.
pub fn to_json_string<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    let mut out = Vec::with_capacity(1024);
    write_json(&mut out, value)?;
    String::from_utf8(out).map_err(|e| WriteError(e.to_string()))
}

/// A value serde cannot write as JSON (a map key that is not a string, or an error raised by a
/// `Serialize` implementation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteError(String);

impl Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WriteError {}

impl ser::Error for WriteError {
    fn custom<M: Display>(msg: M) -> Self {
        WriteError(msg.to_string())
    }
}

type Result<T = ()> = std::result::Result<T, WriteError>;

struct JsonWriter<'o> {
    out: &'o mut Vec<u8>,
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Writes `text` as a JSON string, escaped as `serde_json` escapes it.
fn write_str(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut run = 0;
    loop {
        let stop = string_stop(bytes, run);
        out.extend_from_slice(&bytes[run..stop]);
        let Some(&byte) = bytes.get(stop) else { break };
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xf)],
            ]),
        }
        run = stop + 1;
    }
    out.push(b'"');
}

fn write_integer(out: &mut Vec<u8>, value: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

/// Floats are rare in call records: `serde_json` writes them, so its notation is kept exactly.
fn write_float<F: Serialize>(out: &mut Vec<u8>, value: F) -> Result {
    serde_json::to_writer(out, &value).map_err(|e| WriteError(e.to_string()))
}

/// An array or object being written; `first` until its first element.
struct Compound<'w, 'o> {
    writer: &'w mut JsonWriter<'o>,
    first: bool,
    /// Closing bytes: `]`, `}`, or `]}` / `}}` for a variant wrapped in an object.
    close: &'static [u8],
}

impl Compound<'_, '_> {
    fn comma(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.writer.out.push(b',');
        }
    }

    fn key(&mut self, key: &'static str) {
        self.comma();
        write_str(self.writer.out, key);
        self.writer.out.push(b':');
    }

    fn finish(self) {
        self.writer.out.extend_from_slice(self.close);
    }
}

impl<'w, 'o> JsonWriter<'o> {
    fn open(&'w mut self, open: &[u8], close: &'static [u8]) -> Compound<'w, 'o> {
        self.out.extend_from_slice(open);
        Compound { writer: self, first: true, close }
    }

    fn variant_open(&'w mut self, variant: &str, open: u8, close: &'static [u8]) -> Compound<'w, 'o> {
        self.out.push(b'{');
        write_str(self.out, variant);
        self.out.extend_from_slice(&[b':', open]);
        Compound { writer: self, first: true, close }
    }
}

impl<'w, 'o> ser::Serializer for &'w mut JsonWriter<'o> {
    type Ok = ();
    type Error = WriteError;
    type SerializeSeq = Compound<'w, 'o>;
    type SerializeTuple = Compound<'w, 'o>;
    type SerializeTupleStruct = Compound<'w, 'o>;
    type SerializeTupleVariant = Compound<'w, 'o>;
    type SerializeMap = Compound<'w, 'o>;
    type SerializeStruct = Compound<'w, 'o>;
    type SerializeStructVariant = Compound<'w, 'o>;

    fn serialize_bool(self, v: bool) -> Result {
        self.out.extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result {
        write_integer(self.out, v);
        Ok(())
    }
    fn serialize_i16(self, v: i16) -> Result {
        write_integer(self.out, v);
        Ok(())
    }
    fn serialize_i32(self, v: i32) -> Result {
        write_integer(self.out, v);
        Ok(())
    }
    fn serialize_i64(self, v: i64) -> Result {
        write_integer(self.out, v);
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> Result {
        write_integer(self.out, v);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result {
        write_integer(self.out, v);
        Ok(())
    }
    fn serialize_u16(self, v: u16) -> Result {
        write_integer(self.out, v);
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> Result {
        write_integer(self.out, v);
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Result {
        write_integer(self.out, v);
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> Result {
        write_integer(self.out, v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result {
        write_float(self.out, v)
    }
    fn serialize_f64(self, v: f64) -> Result {
        write_float(self.out, v)
    }
    fn serialize_char(self, v: char) -> Result {
        write_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result {
        write_str(self.out, v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result {
        let mut seq = self.open(b"[", b"]");
        for byte in v {
            seq.comma();
            write_integer(seq.writer.out, *byte);
        }
        seq.finish();
        Ok(())
    }
    fn serialize_none(self) -> Result {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result {
        write_str(self.out, variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        self.out.push(b'{');
        write_str(self.out, variant);
        self.out.push(b':');
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Ok(self.open(b"[", b"]"))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Ok(self.open(b"[", b"]"))
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeTupleStruct> {
        Ok(self.open(b"[", b"]"))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Ok(self.variant_open(variant, b'[', b"]}"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Ok(self.open(b"{", b"}"))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        Ok(self.open(b"{", b"}"))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Ok(self.variant_open(variant, b'{', b"}}"))
    }
    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result {
        write_str(self.out, &value.to_string());
        Ok(())
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.comma();
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result {
        self.finish();
        Ok(())
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result {
        self.finish();
        Ok(())
    }
}

impl ser::SerializeTupleStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result {
        self.finish();
        Ok(())
    }
}

impl ser::SerializeTupleVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result {
        self.finish();
        Ok(())
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.comma();
        key.serialize(MapKey { out: self.writer.out })?;
        self.writer.out.push(b':');
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result {
        self.finish();
        Ok(())
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.key(key);
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result {
        self.finish();
        Ok(())
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        ser::SerializeStruct::serialize_field(self, key, value)
    }
    fn end(self) -> Result {
        self.finish();
        Ok(())
    }
}

/// A map key: strings as they are; numbers, booleans and chars quoted, as `serde_json` does.
struct MapKey<'o> {
    out: &'o mut Vec<u8>,
}

fn key_must_be_a_string() -> WriteError {
    WriteError("key must be a string".to_owned())
}

impl MapKey<'_> {
    /// A float key, quoted in `serde_json`'s notation.
    fn float<F: Serialize>(self, value: F, finite: bool) -> Result {
        if !finite {
            return Err(WriteError("float key must be finite (got NaN or +/-inf)".to_owned()));
        }
        ser::Serializer::serialize_str(self, &serde_json::to_string(&value).map_err(|e| WriteError(e.to_string()))?)
    }
}

impl ser::Serializer for MapKey<'_> {
    type Ok = ();
    type Error = WriteError;
    type SerializeSeq = ser::Impossible<(), WriteError>;
    type SerializeTuple = ser::Impossible<(), WriteError>;
    type SerializeTupleStruct = ser::Impossible<(), WriteError>;
    type SerializeTupleVariant = ser::Impossible<(), WriteError>;
    type SerializeMap = ser::Impossible<(), WriteError>;
    type SerializeStruct = ser::Impossible<(), WriteError>;
    type SerializeStructVariant = ser::Impossible<(), WriteError>;

    fn serialize_str(self, v: &str) -> Result {
        write_str(self.out, v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result {
        write_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result {
        write_str(self.out, variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_bool(self, v: bool) -> Result {
        ser::Serializer::serialize_str(self, if v { "true" } else { "false" })
    }
    fn serialize_i8(self, v: i8) -> Result {
        ser::Serializer::serialize_str(self, itoa::Buffer::new().format(v))
    }
    fn serialize_i16(self, v: i16) -> Result {
        ser::Serializer::serialize_str(self, itoa::Buffer::new().format(v))
    }
    fn serialize_i32(self, v: i32) -> Result {
        ser::Serializer::serialize_str(self, itoa::Buffer::new().format(v))
    }
    fn serialize_i64(self, v: i64) -> Result {
        ser::Serializer::serialize_str(self, itoa::Buffer::new().format(v))
    }
    fn serialize_i128(self, v: i128) -> Result {
        ser::Serializer::serialize_str(self, itoa::Buffer::new().format(v))
    }
    fn serialize_u8(self, v: u8) -> Result {
        ser::Serializer::serialize_str(self, itoa::Buffer::new().format(v))
    }
    fn serialize_u16(self, v: u16) -> Result {
        ser::Serializer::serialize_str(self, itoa::Buffer::new().format(v))
    }
    fn serialize_u32(self, v: u32) -> Result {
        ser::Serializer::serialize_str(self, itoa::Buffer::new().format(v))
    }
    fn serialize_u64(self, v: u64) -> Result {
        ser::Serializer::serialize_str(self, itoa::Buffer::new().format(v))
    }
    fn serialize_u128(self, v: u128) -> Result {
        ser::Serializer::serialize_str(self, itoa::Buffer::new().format(v))
    }
    fn serialize_f32(self, v: f32) -> Result {
        self.float(v, v.is_finite())
    }
    fn serialize_f64(self, v: f64) -> Result {
        self.float(v, v.is_finite())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_none(self) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_unit(self) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result {
        Err(key_must_be_a_string())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeTupleStruct> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(key_must_be_a_string())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(key_must_be_a_string())
    }
    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result {
        write_str(self.out, &value.to_string());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde::Serialize;

    use super::*;

    fn same_as_serde_json<T: Serialize + ?Sized>(value: &T) {
        let mut ours = Vec::new();
        write_json(&mut ours, value).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&serde_json::to_vec(value).unwrap())
        );
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        Newtype(i32),
        Tuple(u8, Option<bool>),
        Struct {
            #[serde(rename = "a\"b")]
            quoted: char,
            list: Vec<()>,
        },
    }

    #[derive(Serialize)]
    struct Everything<'a> {
        text: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        none: Option<u8>,
        unit: (),
        tuple: (i8, i16, i64, u16, u64, i128, u128),
        floats: [f64; 9],
        small: f32,
        shapes: Vec<Shape>,
        bytes: &'a serde_bytes_like::Bytes,
        by_number: BTreeMap<i64, bool>,
        by_bool: BTreeMap<bool, &'a str>,
        by_char: BTreeMap<char, u8>,
        nested: BTreeMap<String, Vec<BTreeMap<String, Option<f64>>>>,
        empty_list: Vec<u8>,
        empty_map: BTreeMap<String, u8>,
        shown: std::net::Ipv4Addr,
    }

    /// `serialize_bytes` without another dependency.
    mod serde_bytes_like {
        pub struct Bytes(pub [u8; 3]);
        impl serde::Serialize for Bytes {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(&self.0)
            }
        }
    }

    /// A map keyed by floats, which no standard map allows.
    struct FloatKeys;

    impl Serialize for FloatKeys {
        fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut map = s.serialize_map(Some(3))?;
            map.serialize_entry(&1.5f64, &1)?;
            map.serialize_entry(&1e21f64, &2)?;
            map.serialize_entry(&0.3f32, &3)?;
            map.end()
        }
    }

    #[test]
    fn writes_every_shape_as_serde_json_does() {
        let everything = Everything {
            text: "quote \" backslash \\ newline \n tab \t cr \r bell \u{7} nul \0 unit-sep \u{1f} del \u{7f} é 😀 \u{2028}",
            skipped: None,
            none: None,
            unit: (),
            tuple: (-8, -16, i64::MIN, 16, u64::MAX, i128::MIN, u128::MAX),
            floats: [0.1, -0.0, 1e21, 1e-7, 123_456.789, f64::NAN, f64::INFINITY, f64::MIN_POSITIVE, 5.0],
            small: 0.3,
            shapes: vec![
                Shape::Unit,
                Shape::Newtype(-1),
                Shape::Tuple(7, None),
                Shape::Struct { quoted: '"', list: vec![(), ()] },
            ],
            bytes: &serde_bytes_like::Bytes([0, 127, 255]),
            by_number: BTreeMap::from([(-3, true), (40, false)]),
            by_bool: BTreeMap::from([(false, "no"), (true, "yes")]),
            by_char: BTreeMap::from([('\n', 1), ('x', 2)]),
            nested: BTreeMap::from([("k\"ey".to_owned(), vec![BTreeMap::from([("x".to_owned(), Some(2.5))])])]),
            empty_list: Vec::new(),
            empty_map: BTreeMap::new(),
            shown: std::net::Ipv4Addr::new(10, 0, 0, 1),
        };
        same_as_serde_json(&everything);
        same_as_serde_json(&FloatKeys);
        same_as_serde_json(&serde_json::json!({"a": [1, "b", null, {"c": 1.5}], "d\u{0}": true}));
    }

    #[test]
    fn keys_serde_json_refuses_are_refused() {
        let mut out = Vec::new();
        let by_list = BTreeMap::from([(vec![1], 1)]);
        assert_eq!(write_json(&mut out, &by_list).unwrap_err().to_string(), "key must be a string");
        assert!(serde_json::to_vec(&by_list).is_err());
    }

    proptest! {
        #[test]
        fn any_text_is_written_as_serde_json_writes_it(text in "\\PC*|[\\x00-\\x7f]*", controls in "[\\x00-\\x20\"\\\\]{0,12}") {
            same_as_serde_json(&text);
            same_as_serde_json(&controls);
            same_as_serde_json(&BTreeMap::from([(text.clone(), controls.clone())]));
        }

        #[test]
        fn any_number_is_written_as_serde_json_writes_it(f in any::<f64>(), g in any::<f32>(), i in any::<i64>(), u in any::<u64>()) {
            same_as_serde_json(&(f, g, i, u));
        }
    }
}
