//! Whether a value is nothing — `None`, `()`, a unit struct: what JSON writes as `null` —
//! told without reading the value itself.
//!
//! A secret's key keeps its value out of the line (`"[REDACTED]"`), but a secret that is not
//! set reveals nothing, and that it is not set is what a reader of the line looks for
//! (`"api_key":null`: the key was never configured). [`serializes_as_null`] drives a value's
//! `Serialize` through a serializer that accepts only nothing: the first call tells, and no
//! string, number or field of the value is ever looked at or copied.

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Impossible};

/// Whether `value` serializes as JSON's `null`, as `serde_json` writes it: `None`, `()`, a
/// unit struct, and each of them inside `Some` or a newtype struct.
pub(crate) fn serializes_as_null<T: Serialize + ?Sized>(value: &T) -> bool {
    value.serialize(NullProbe).is_ok()
}

/// The serializer that accepts nothing but nothing.
struct NullProbe;

/// A value that is something.
#[derive(Debug)]
struct NotNull;

impl fmt::Display for NotNull {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not null")
    }
}

impl std::error::Error for NotNull {}

impl ser::Error for NotNull {
    fn custom<T: fmt::Display>(_: T) -> Self {
        NotNull
    }
}

/// Methods for values that are something: refused at once, their content unread.
macro_rules! something {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {$(
        fn $method(self, $(_: $arg),*) -> Result<(), NotNull> {
            Err(NotNull)
        }
    )*};
}

impl ser::Serializer for NullProbe {
    type Ok = ();
    type Error = NotNull;
    type SerializeSeq = Impossible<(), NotNull>;
    type SerializeTuple = Impossible<(), NotNull>;
    type SerializeTupleStruct = Impossible<(), NotNull>;
    type SerializeTupleVariant = Impossible<(), NotNull>;
    type SerializeMap = Impossible<(), NotNull>;
    type SerializeStruct = Impossible<(), NotNull>;
    type SerializeStructVariant = Impossible<(), NotNull>;

    fn serialize_none(self) -> Result<(), NotNull> {
        Ok(())
    }
    fn serialize_unit(self) -> Result<(), NotNull> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), NotNull> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), NotNull> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), NotNull> {
        value.serialize(self)
    }

    something!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), NotNull> {
        Err(NotNull)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotNull> {
        Err(NotNull)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotNull> {
        Err(NotNull)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotNull> {
        Err(NotNull)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotNull> {
        Err(NotNull)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotNull> {
        Err(NotNull)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, NotNull> {
        Err(NotNull)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotNull> {
        Err(NotNull)
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, _: &T) -> Result<(), NotNull> {
        Err(NotNull)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Unit;

    #[derive(Serialize)]
    struct Wrapper(Option<String>);

    /// A value whose `Serialize` would give its secret away if anything read it.
    struct Tripwire;

    impl Serialize for Tripwire {
        fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_str(&Loud)
        }
    }

    struct Loud;

    impl fmt::Display for Loud {
        fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
            panic!("the probe formatted a value")
        }
    }

    #[test]
    fn nothing_is_null_and_anything_else_is_not() {
        assert!(serializes_as_null(&None::<String>));
        assert!(serializes_as_null(&()));
        assert!(serializes_as_null(&Unit));
        assert!(serializes_as_null(&Some(None::<u8>)));
        assert!(serializes_as_null(&Wrapper(None)));
        assert!(serializes_as_null(&serde_json::Value::Null));
        assert!(!serializes_as_null(&Some("hunter2")));
        assert!(!serializes_as_null(&Wrapper(Some("k".into()))));
        assert!(!serializes_as_null(&0u8));
        assert!(!serializes_as_null(&""));
        assert!(!serializes_as_null(&Vec::<u8>::new()));
        assert!(!serializes_as_null(&serde_json::json!({"a": null})));
        assert!(!serializes_as_null(&Tripwire));
    }
}
