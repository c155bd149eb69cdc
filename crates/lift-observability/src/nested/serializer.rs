//! serde's data model mapped onto the writer: each primitive, option, unit, newtype,
//! sequence, map and struct, as `serde_json` writes it (compact, `null` for non-finite
//! floats, enums externally tagged), redaction applied as the writer decides.

use std::fmt;

use serde::Serialize;
use serde::ser;

use crate::redact::encoded;

use super::NestedError;
use super::byte_lists::write_byte_list;
use super::compound::Compound;
use super::writer::NestedWriter;

impl<'w, 'a> ser::Serializer for &'w mut NestedWriter<'a> {
    type Ok = ();
    type Error = NestedError;
    type SerializeSeq = Compound<'w, 'a>;
    type SerializeTuple = Compound<'w, 'a>;
    type SerializeTupleStruct = Compound<'w, 'a>;
    type SerializeTupleVariant = Compound<'w, 'a>;
    type SerializeMap = Compound<'w, 'a>;
    type SerializeStruct = Compound<'w, 'a>;
    type SerializeStructVariant = Compound<'w, 'a>;

    fn serialize_bool(self, v: bool) -> Result<(), NestedError> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), NestedError> {
        self.integer(v.into());
        Ok(())
    }
    fn serialize_i16(self, v: i16) -> Result<(), NestedError> {
        self.integer(v.into());
        Ok(())
    }
    fn serialize_i32(self, v: i32) -> Result<(), NestedError> {
        self.integer(v.into());
        Ok(())
    }
    fn serialize_i64(self, v: i64) -> Result<(), NestedError> {
        self.integer(v.into());
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> Result<(), NestedError> {
        self.integer(v);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), NestedError> {
        self.integer(v.into());
        Ok(())
    }
    fn serialize_u16(self, v: u16) -> Result<(), NestedError> {
        self.integer(v.into());
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> Result<(), NestedError> {
        self.integer(v.into());
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Result<(), NestedError> {
        self.integer(v.into());
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> Result<(), NestedError> {
        match i128::try_from(v) {
            Ok(v) => self.integer(v),
            Err(_) => self
                .out
                .extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
        }
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), NestedError> {
        self.float(v.into());
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<(), NestedError> {
        self.float(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), NestedError> {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), NestedError> {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), NestedError> {
        if let Some(r) = self.redacting()
            && v.len() >= encoded::MIN_BYTES
            && let Some(redacted) = r.redact_bytes(v)
        {
            write_byte_list(self.out, &redacted);
            return Ok(());
        }
        let mut seq = Compound::new(self, b'[', b']')?;
        for b in v {
            ser::SerializeSeq::serialize_element(&mut seq, b)?;
        }
        seq.finish()
    }
    fn serialize_none(self) -> Result<(), NestedError> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), NestedError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), NestedError> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), NestedError> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), NestedError> {
        self.string(variant);
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
        variant: &'static str,
        value: &T,
    ) -> Result<(), NestedError> {
        let mut map = Compound::new(self, b'{', b'}')?;
        map.field(variant, value)?;
        map.finish()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'w, 'a>, NestedError> {
        Compound::new(self, b'[', b']')
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'w, 'a>, NestedError> {
        let mut tuple = Compound::new(self, b'[', b']')?;
        if len == 2 && tuple.writer.redacting().is_some() {
            tuple.tuple_items = Some(0);
        }
        Ok(tuple)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Compound<'w, 'a>, NestedError> {
        Compound::new(self, b'[', b']')
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'w, 'a>, NestedError> {
        Compound::variant(self, variant, b'[', b']')
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'w, 'a>, NestedError> {
        Compound::new(self, b'{', b'}')
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'w, 'a>, NestedError> {
        Compound::new(self, b'{', b'}')
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'w, 'a>, NestedError> {
        Compound::variant(self, variant, b'{', b'}')
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<(), NestedError> {
        let text = value.to_string();
        self.string(&text);
        Ok(())
    }
}
