//! The schema's seldom-seen fields of a wide struct, boxed apart.
//!
//! The schema gives a session 89 fields and a segment 25; a voice record's session carries about
//! twenty, its segments five or six. Every absent field still costs its bytes each time a record
//! is read: they are written when the struct is made and read again when it is dropped, and
//! `explain` reads many thousand records a second. So a wide struct keeps the fields records
//! seldom carry in a `More`, made only when a record has one of them. On the wire nothing
//! changes: they are read and written as the struct's own fields (serde's `flatten`), and a
//! `More` that holds nothing equals one that was never made.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A wide struct's seldom-seen fields: nothing until the record has one of them.
#[derive(Clone, Default)]
pub struct More<T>(Option<Box<T>>);

impl<T> More<T> {
    /// The fields, when the record had any of them.
    pub fn get(&self) -> Option<&T> {
        self.0.as_deref()
    }

    /// The fields, made empty first when there are none yet.
    pub fn get_or_default(&mut self) -> &mut T
    where
        T: Default,
    {
        self.0.get_or_insert_with(Box::default)
    }
}

impl<T: Default> From<T> for More<T> {
    fn from(fields: T) -> Self {
        More(Some(Box::new(fields)))
    }
}

impl<T: Default + PartialEq> PartialEq for More<T> {
    /// Equal when they hold equal fields, an empty box and no box alike.
    fn eq(&self, other: &Self) -> bool {
        match (self.get(), other.get()) {
            (Some(a), Some(b)) => a == b,
            (Some(one), None) | (None, Some(one)) => *one == T::default(),
            (None, None) => true,
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for More<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<T: Serialize> Serialize for More<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.get() {
            Some(fields) => fields.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de> + Default + PartialEq> Deserialize<'de> for More<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let fields = T::deserialize(deserializer)?;
        Ok(if fields == T::default() { More(None) } else { More::from(fields) })
    }
}
