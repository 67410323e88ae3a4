//! Zero-copy strings and attribute maps.
//!
//! Detail records are mostly strings. `Text` borrows them from the input buffer when the JSON
//! has no escapes and owns them otherwise, so parsing a record allocates little; `Attributes`
//! keeps participant data in arrival order and tolerates non-string values.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

/// A string from a record, borrowed from the input where possible.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text<'a>(pub Cow<'a, str>);

impl<'a> Text<'a> {
    /// The text as a `&str`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A copy that no longer borrows from the input.
    pub fn into_owned(self) -> Text<'static> {
        Text(Cow::Owned(self.0.into_owned()))
    }

    /// Borrows without copying.
    #[must_use]
    pub fn borrowed(&'a self) -> Text<'a> {
        Text(Cow::Borrowed(&self.0))
    }
}

impl Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text<'_> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(s: &'a str) -> Self {
        Text(Cow::Borrowed(s))
    }
}

impl From<String> for Text<'_> {
    fn from(s: String) -> Self {
        Text(Cow::Owned(s))
    }
}

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// Participant data (Architect's Set Participant Data), in the order the record lists it.
///
/// The API declares values as strings; numbers, booleans and nulls are accepted too and kept as
/// their JSON text, because one odd value must not cost the whole record.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Attributes<'a>(pub Vec<(Text<'a>, Text<'a>)>);

impl<'a> Attributes<'a> {
    /// The value of `key`, if set. The last occurrence wins, as in a JSON object.
    pub fn get(&self, key: &str) -> Option<&Text<'a>> {
        self.0.iter().rev().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    }

    /// Key/value pairs in record order.
    pub fn iter(&self) -> impl Iterator<Item = (&Text<'a>, &Text<'a>)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Attributes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Attributes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// One attribute value: a string, or any scalar kept as its JSON text.
struct AttributeValue<'a>(Text<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for AttributeValue<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = AttributeValue<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or scalar attribute value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(AttributeValue(Text(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(AttributeValue(Text::from(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(AttributeValue(Text::from(v)))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(AttributeValue(Text::from(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(AttributeValue(Text::from(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(AttributeValue(Text::from(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(AttributeValue(Text::from(v.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(AttributeValue(Text::default()))
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Attributes<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor;
        impl<'de> Visitor<'de> for MapVisitor {
            type Value = Attributes<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of participant attributes")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut pairs = Vec::with_capacity(access.size_hint().unwrap_or(0).min(64));
                while let Some((key, AttributeValue(value))) =
                    access.next_entry::<Text<'de>, AttributeValue<'de>>()?
                {
                    pairs.push((key, value));
                }
                Ok(Attributes(pairs))
            }
        }
        deserializer.deserialize_map(MapVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_borrows_plain_strings_and_owns_escaped_ones() {
        let plain: Text<'_> = serde_json::from_str(r#""tel:+15551234""#).unwrap();
        assert!(matches!(plain.0, Cow::Borrowed(_)));
        let escaped: Text<'_> = serde_json::from_str(r#""a\"b""#).unwrap();
        assert!(matches!(escaped.0, Cow::Owned(_)));
        assert_eq!(escaped.as_str(), "a\"b");
    }

    #[test]
    fn attributes_accept_scalars_and_keep_order() {
        let a: Attributes<'_> = serde_json::from_str(r#"{"b":"x","a":1,"c":true,"d":null,"b":"y"}"#).unwrap();
        let keys: Vec<&str> = a.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["b", "a", "c", "d", "b"]);
        assert_eq!(a.get("a").map(Text::as_str), Some("1"));
        assert_eq!(a.get("b").map(Text::as_str), Some("y"));
        assert_eq!(a.get("d").map(Text::as_str), Some(""));
        assert!(serde_json::from_str::<Attributes<'_>>(r#"{"a":[1]}"#).is_err());
    }
}
