//! The two macros every wire type is declared with.
//!
//! `open_enum!`: Genesys adds enum values without notice, so every enum in the model keeps the
//! values it knows as variants and carries any other value verbatim in `Unrecognized`, instead of
//! failing the whole record.
//!
//! `wire_struct!`: every field of an API payload may be missing or `null`, so every field is an
//! `Option`, read as `None` when absent and left out when writing, as Genesys does. A wide struct
//! keeps the fields records seldom carry apart, in a `More` box.

/// Declares an open enum: known variants with their wire text, plus `Unrecognized(Box<str>)`.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value not in the schema this version of calltrail knows; kept as it came.
            Unrecognized(Box<str>),
        }

        impl $name {
            /// Every value the schema lists, in the schema's order.
            pub const KNOWN: &'static [&'static str] = &[$($text),*];

            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::Unrecognized(text) => text,
                }
            }

            /// Reads a wire value; unknown values become `Other`.
            pub fn parse(text: &str) -> Self {
                match text {
                    $( $text => Self::$variant, )*
                    other => Self::Unrecognized(other.into()),
                }
            }

            /// False for values outside the schema.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unrecognized(_))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl ::serde::de::Visitor<'_> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a string (", stringify!($name), ")"))
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::parse(v))
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }

        impl<'a> $crate::reader::Read<'a> for $name {
            fn read(r: &mut $crate::reader::Reader<'a>) -> Result<Self, $crate::reader::Bail> {
                r.string().map(|text| $name::parse(&text))
            }
        }
    };
}

/// Declares an API payload struct: camelCase on the wire, every field optional, absent fields
/// omitted on output, unknown fields ignored; readable by serde and by the direct reader.
///
/// A wide struct may end with a `more Name { … }` block: the schema's fields that records seldom
/// carry, kept in a [`More`](crate::more::More) box of their own type that is made only when a
/// record has one of them. On the wire they are the struct's own fields.
macro_rules! wire_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident <$lt:lifetime> {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name<$lt> {
            $(
                $(#[$fmeta])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $field: $ty,
            )*
        }

        $crate::macros::wire_struct_fields!($name<$lt> { $($field),* });
        $crate::macros::wire_struct_read!($name<$lt> [$($field),*] read_field);
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident <$lt:lifetime> {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
        $(#[$more_meta:meta])*
        more $more:ident {
            $( $(#[$mmeta:meta])* pub $mfield:ident : $mty:ty, )*
        }
    ) => {
        $crate::macros::wire_struct! {
            $(#[$more_meta])*
            pub struct $more<$lt> {
                $( $(#[$mmeta])* pub $mfield: $mty, )*
            }
        }

        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name<$lt> {
            $(
                $(#[$fmeta])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $field: $ty,
            )*
            #[doc = concat!("The schema's fields that records seldom carry, in [`", stringify!($more), "`].")]
            #[serde(flatten, borrow)]
            pub more: $crate::more::More<$more<$lt>>,
        }

        $crate::macros::wire_struct_fields!($name<$lt> { $($field),* });

        impl<$lt> $name<$lt> {
            /// Reads the value of field `index`, counting those in `more` after its own.
            fn read_own_or_more_field(
                &mut self,
                r: &mut $crate::reader::Reader<$lt>,
                index: usize,
            ) -> Result<(), $crate::reader::Bail> {
                const OWN: usize = [$(stringify!($field)),*].len();
                if index < OWN {
                    self.read_field(r, index)
                } else {
                    self.more.get_or_default().read_field(r, index - OWN)
                }
            }
        }

        $crate::macros::wire_struct_read!($name<$lt> [$($field,)* $($mfield),*] read_own_or_more_field);
    };
}

/// A struct's `FIELD_NAMES` and its `Read`: every key in `fields` (in field order, those of a
/// `more` box last) read through the struct's method `$read_field`.
macro_rules! wire_struct_read {
    ($name:ident <$lt:lifetime> [$($field:ident),* $(,)?] $read_field:ident) => {
        impl<$lt> $name<$lt> {
            /// The Rust names of the fields in declaration order, those in a `more` box last; the
            /// reader's keys are their camelCase, which a test holds equal to serde's.
            #[cfg(test)]
            pub(crate) const FIELD_NAMES: &'static [&'static str] = &[$(stringify!($field)),*];
        }

        impl<$lt> $crate::reader::Read<$lt> for $name<$lt> {
            fn read(r: &mut $crate::reader::Reader<$lt>) -> Result<Self, $crate::reader::Bail> {
                let mut out = Self::default();
                Self::read_into(r, &mut out)?;
                Ok(out)
            }

            fn read_into(r: &mut $crate::reader::Reader<$lt>, out: &mut Self) -> Result<(), $crate::reader::Bail> {
                static KEYS: ::std::sync::OnceLock<$crate::reader::Keys> = ::std::sync::OnceLock::new();
                let keys = $crate::reader::keys_of(&KEYS, &[$(stringify!($field)),*]);
                r.object(keys, |r, index| out.$read_field(r, index))
            }
        }
    };
}

/// A struct's `read_field`: reads the value of its `index`-th field at the reader's cursor.
macro_rules! wire_struct_fields {
    ($name:ident <$lt:lifetime> { $($field:ident),* }) => {
        impl<$lt> $name<$lt> {
            fn read_field(
                &mut self,
                r: &mut $crate::reader::Reader<$lt>,
                index: usize,
            ) -> Result<(), $crate::reader::Bail> {
                let mut at = 0usize;
                $(
                    if index == at {
                        return $crate::reader::Read::read_into(r, &mut self.$field);
                    }
                    at += 1;
                )*
                let _ = at;
                Ok(())
            }
        }
    };
}

pub(crate) use open_enum;
pub(crate) use wire_struct;
pub(crate) use wire_struct_fields;
pub(crate) use wire_struct_read;
