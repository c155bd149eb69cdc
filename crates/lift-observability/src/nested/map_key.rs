//! A map key's text: strings, and numbers, booleans and chars as their text (as
//! `serde_json` accepts them); anything else is refused.

use std::fmt::{self, Write as _};

use serde::Serialize;
use serde::ser;

use super::NestedError;

/// Collects a map key's text: strings, and numbers, booleans and chars as their text (as
/// `serde_json` accepts them); anything else is refused.
pub(super) struct KeyText<'k>(pub(super) &'k mut String);

fn key_must_be_text() -> NestedError {
    NestedError("key must be a string".to_owned())
}

macro_rules! key_as_text {
    ($($method:ident: $ty:ty),*) => {$(
        fn $method(self, v: $ty) -> Result<(), NestedError> {
            let _ = write!(self.0, "{v}");
            Ok(())
        }
    )*};
}

impl ser::Serializer for KeyText<'_> {
    type Ok = ();
    type Error = NestedError;
    type SerializeSeq = ser::Impossible<(), NestedError>;
    type SerializeTuple = ser::Impossible<(), NestedError>;
    type SerializeTupleStruct = ser::Impossible<(), NestedError>;
    type SerializeTupleVariant = ser::Impossible<(), NestedError>;
    type SerializeMap = ser::Impossible<(), NestedError>;
    type SerializeStruct = ser::Impossible<(), NestedError>;
    type SerializeStructVariant = ser::Impossible<(), NestedError>;

    key_as_text!(serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_i128: i128, serialize_u8: u8, serialize_u16: u16,
        serialize_u32: u32, serialize_u64: u64, serialize_u128: u128, serialize_f32: f32,
        serialize_f64: f64, serialize_char: char, serialize_str: &str);

    fn serialize_bytes(self, _: &[u8]) -> Result<(), NestedError> {
        Err(key_must_be_text())
    }
    fn serialize_none(self) -> Result<(), NestedError> {
        Err(key_must_be_text())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), NestedError> {
        Err(key_must_be_text())
    }
    fn serialize_unit(self) -> Result<(), NestedError> {
        Err(key_must_be_text())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), NestedError> {
        Err(key_must_be_text())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        v: &'static str,
    ) -> Result<(), NestedError> {
        self.0.push_str(v);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), NestedError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), NestedError> {
        Err(key_must_be_text())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NestedError> {
        Err(key_must_be_text())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NestedError> {
        Err(key_must_be_text())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NestedError> {
        Err(key_must_be_text())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NestedError> {
        Err(key_must_be_text())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NestedError> {
        Err(key_must_be_text())
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, NestedError> {
        Err(key_must_be_text())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NestedError> {
        Err(key_must_be_text())
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<(), NestedError> {
        let _ = write!(self.0, "{value}");
        Ok(())
    }
}
