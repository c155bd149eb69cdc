//! Nested `Serialize` values, written as JSON and redacted **while** serde serializes them.
//!
//! [`NestedWriter`] is a `serde::Serializer` that writes JSON straight into the line: each
//! object key is decided by the key rules as soon as serde hands it over — a removed key's
//! value is never serialized, a secret's value is written as `"[REDACTED]"`, a safe key's
//! value as given — each string goes once through the same escaping and text detection as
//! a top-level string, and integers or integral floats that are card numbers become their
//! masked strings (unless the key names a time). Bytes (`Vec<u8>`, `bytes::Bytes`), which
//! JSON writes as a list of numbers, are read as the text they hold and written again
//! redacted when anything in them is found. No `serde_json::Value` is built and no
//! string is escaped twice. The output is what `serde_json` writes for the same value
//! (compact, `null` for non-finite floats, enums externally tagged), apart from redaction
//! and Lift's escaping of U+2028/U+2029. Nesting deeper than [`MAX_NESTING_DEPTH`] is
//! refused, so the line stays readable by common JSON parsers.

use std::fmt::{self, Write as _};

use serde::Serialize;
use serde::ser;

use crate::redact::keys::ValueRole;
use crate::redact::pairs;
use crate::redact::{KeyRule, Redactor, encoded, keys};

/// Deepest nesting of arrays and objects written for a `Serialize` value: small enough that
/// the whole line (the value sits inside the line's object) parses with serde_json's default
/// recursion limit, as common JSON readers' limits go (checked by a test). Deeper values
/// are replaced by an `<unserializable: …>` string instead of exhausting the stack.
pub(crate) const MAX_NESTING_DEPTH: u32 = 126;

/// An object-safe view of `serde::Serialize`, so a borrowed `&dyn SerializeJson` fits in a
/// `Value`. Implemented for every `Serialize` type.
pub trait SerializeJson {
    /// Serializes `self` through `writer` (Lift's redacting JSON writer).
    fn serialize_json(&self, writer: &mut NestedWriter<'_>) -> Result<(), NestedError>;

    /// Whether `self` is nothing (`None`, `()`): written as `null` under a secret's key too,
    /// where anything else is `"[REDACTED]"`. Told without reading the value; `false` unless
    /// known.
    fn serializes_as_null(&self) -> bool {
        false
    }
}

impl<T: serde::Serialize + ?Sized> SerializeJson for T {
    fn serialize_json(&self, writer: &mut NestedWriter<'_>) -> Result<(), NestedError> {
        self.serialize(writer)
    }

    fn serializes_as_null(&self) -> bool {
        crate::null_probe::serializes_as_null(self)
    }
}

/// Why a nested value could not be written (its `Serialize` impl failed, a map key was not
/// text, or it nested too deep). The line gets `"<unserializable: …>"` instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NestedError(String);

impl fmt::Display for NestedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NestedError {}

impl ser::Error for NestedError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        NestedError(msg.to_string())
    }
}

/// The serializer Lift writes nested values with (see the module docs).
#[derive(Debug)]
pub struct NestedWriter<'a> {
    out: &'a mut Vec<u8>,
    key: &'a mut String,
    redactor: Option<&'a Redactor>,
    depth: u32,
    /// The member being written sits under a key naming a time: numbers stay numbers.
    time_key: bool,
    /// How the member being written is written: as given under a safe key, read as the text
    /// it encodes under a payload's key.
    how: How,
}

impl<'a> NestedWriter<'a> {
    fn redacting(&self) -> Option<&'a Redactor> {
        self.redactor.filter(|_| self.how != How::Raw)
    }

    fn string(&mut self, s: &str) {
        self.out.push(b'"');
        match self.redacting() {
            Some(r) if self.how == How::Payload => r.write_json_payload(self.out, s),
            Some(r) => r.write_json_str(self.out, s),
            None => crate::escape::json_str(self.out, s),
        }
        self.out.push(b'"');
    }

    fn masked(&mut self, masked: Option<([u8; 21], usize)>) -> bool {
        match masked {
            Some((digits, n)) => {
                self.out.push(b'"');
                self.out.extend_from_slice(&digits[..n]);
                self.out.push(b'"');
                true
            }
            None => false,
        }
    }

    fn integer(&mut self, v: i128) {
        if let Some(r) = self.redacting()
            && !self.time_key
            && let Ok(magnitude) = u64::try_from(v.unsigned_abs())
            && self.masked(r.masked_integer("", magnitude, v < 0))
        {
            return;
        }
        self.out
            .extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
    }

    fn float(&mut self, v: f64) {
        if let Some(r) = self.redacting()
            && !self.time_key
            && self.masked(r.masked_float("", v))
        {
            return;
        }
        if crate::numbers::write_finite_f64(self.out, v).is_none() {
            self.out.extend_from_slice(b"null");
        }
    }

    fn enter(&mut self, open: u8) -> Result<(), NestedError> {
        self.depth += 1;
        if self.depth > MAX_NESTING_DEPTH {
            return Err(NestedError(format!(
                "nested deeper than {MAX_NESTING_DEPTH} levels"
            )));
        }
        self.out.push(open);
        Ok(())
    }

    /// A struct field: its verdict is cached by the name's address.
    fn static_member(&mut self, key: &'static str, first: &mut bool) -> Member {
        let Some(r) = self.redacting() else {
            return self.member(key, first);
        };
        let verdict = r.static_key(key);
        if !verdict.inert || verdict.rule != KeyRule::Scan {
            return self.member(key, first);
        }
        // An inert key is printable ASCII without a quote or a backslash: written as it is.
        if !std::mem::take(first) {
            self.out.push(b',');
        }
        match verdict.quoted {
            Some(quoted) => quoted.write(self.out),
            None => {
                self.out.push(b'"');
                self.out.extend_from_slice(key.as_bytes());
                self.out.extend_from_slice(b"\":");
            }
        }
        Member::Write {
            time_key: verdict.time,
            how: How::redacted(verdict.role),
        }
    }

    /// The rule for the member named `key`, written as `,"key":` unless removed; returns
    /// how to write its value.
    fn member(&mut self, key: &str, first: &mut bool) -> Member {
        let rule = match self.redacting() {
            Some(r) => r.key_rule(key),
            None => KeyRule::Safe,
        };
        if rule == KeyRule::Remove {
            if let Some(r) = self.redactor {
                r.counts().add_sad();
            }
            return Member::Skip;
        }
        if !std::mem::take(first) {
            self.out.push(b',');
        }
        // The key is text too: a card number used as a map key is masked.
        self.string(key);
        self.out.push(b':');
        match rule {
            KeyRule::Secret => Member::Secret,
            KeyRule::Safe => Member::Write {
                time_key: false,
                how: How::Raw,
            },
            // Not under a safe key (redacting): redacted.
            _ => Member::Write {
                time_key: keys::is_time_key(key),
                how: How::redacted(keys::value_role(key.as_bytes())),
            },
        }
    }

    /// Writes a member's value with its key's flags, restoring the enclosing ones after.
    fn value<T: Serialize + ?Sized>(
        &mut self,
        member: Member,
        value: &T,
    ) -> Result<(), NestedError> {
        let Member::Write { time_key, how } = member else {
            // A secret's value is written by `Compound::secret_value`, out of this function,
            // which serde inlines into every struct's fields.
            debug_assert!(matches!(member, Member::Skip));
            return Ok(());
        };
        let saved = (self.time_key, self.how);
        (self.time_key, self.how) = (time_key, how);
        let result = value.serialize(&mut *self);
        (self.time_key, self.how) = saved;
        result
    }

    /// A secret's value: `"[REDACTED]"`, counted, or `null` when it is nothing.
    fn secret(&mut self, is_null: bool) {
        if is_null {
            self.out.extend_from_slice(b"null");
        } else {
            if let Some(r) = self.redactor {
                r.counts().add_secret_key();
            }
            self.out.extend_from_slice(b"\"[REDACTED]\"");
        }
    }

    /// The marker for a pair's value its name made sensitive (`rule`), written as free
    /// text writes it (`"value":"[REMOVED]"`; a tuple keeps its length) and counted; `false`
    /// when the name says nothing, or the value is nothing (`null`), and it is to be written.
    fn pair_marker<T: Serialize + ?Sized>(&mut self, rule: KeyRule, value: &T) -> bool {
        let Some(r) = self.redactor else { return false };
        if matches!(rule, KeyRule::Remove | KeyRule::Secret)
            && crate::null_probe::serializes_as_null(value)
        {
            return false;
        }
        match rule {
            KeyRule::Remove => {
                r.counts().add_sad();
                self.out.extend_from_slice(b"\"[REMOVED]\"");
            }
            KeyRule::Secret => {
                r.counts().add_secret_key();
                self.out.extend_from_slice(b"\"[REDACTED]\"");
            }
            KeyRule::Scan | KeyRule::Safe => return false,
        }
        true
    }
}

/// What to do with a member's value.
#[derive(Debug, Clone, Copy)]
enum Member {
    /// Not written (removed).
    Skip,
    /// A secret's: written as `"[REDACTED]"`, or `null` when it is nothing.
    Secret,
    /// Written (numbers stay numbers under a key naming a time; `how`: redacted, as given,
    /// or as a pair's value).
    Write { time_key: bool, how: How },
}

/// How a member's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum How {
    /// Redacted (strings go through text detection).
    Redacted,
    /// Redacted, and the value of a name and value pair ([`pairs`]): the name members
    /// written before it decide whether it is written.
    PairValue,
    /// Redacted, and a payload's ([`keys::is_payload_key`]): a string that starts with a run
    /// of base64 is read as the text it encodes.
    Payload,
    /// As given: under a safe key, or with redaction off.
    Raw,
}

impl How {
    /// Redacted, as what the key says its value is asks.
    #[inline(always)]
    fn redacted(role: ValueRole) -> How {
        match role {
            ValueRole::Plain => How::Redacted,
            ValueRole::PairValue => How::PairValue,
            ValueRole::Payload => How::Payload,
        }
    }
}

/// An array or object being written.
#[derive(Debug)]
pub struct Compound<'w, 'a> {
    writer: &'w mut NestedWriter<'a>,
    first: bool,
    /// The value of the key just given to `serialize_key`.
    pending: Member,
    /// The closing bracket: `]` or `}`.
    close: u8,
    /// Nesting levels it opened (two for an enum variant's `{"name":[…]}`, closed by `}`
    /// after `close`).
    levels: u32,
    /// Where its opening bracket stands in the line: a pair's value looks back from there.
    start: usize,
    /// Items of a two-item tuple written so far when redacting (`None` otherwise): the
    /// first names the second.
    tuple_items: Option<u8>,
}

impl<'w, 'a> Compound<'w, 'a> {
    fn new(writer: &'w mut NestedWriter<'a>, open: u8, close: u8) -> Result<Self, NestedError> {
        let start = writer.out.len();
        writer.enter(open)?;
        Ok(Self {
            writer,
            first: true,
            pending: Member::Skip,
            levels: 1,
            close,
            start,
            tuple_items: None,
        })
    }

    /// An enum variant's `{"name":` then the compound opened by `open`.
    fn variant(
        writer: &'w mut NestedWriter<'a>,
        variant: &'static str,
        open: u8,
        close: u8,
    ) -> Result<Self, NestedError> {
        writer.enter(b'{')?;
        writer.string(variant);
        writer.out.push(b':');
        let mut compound = Compound::new(writer, open, close)?;
        compound.levels = 2;
        Ok(compound)
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), NestedError> {
        if !std::mem::take(&mut self.first) {
            self.writer.out.push(b',');
        }
        match self.tuple_items {
            None => value.serialize(&mut *self.writer),
            Some(n) => self.tuple_item(n, value),
        }
    }

    /// Item `n` of a two-item tuple: the first is a pair's name, the second its value.
    #[cold]
    fn tuple_item<T: Serialize + ?Sized>(&mut self, n: u8, value: &T) -> Result<(), NestedError> {
        self.tuple_items = Some(n.saturating_add(1));
        let rule = match self.writer.redacting() {
            Some(r) if n == 1 => pairs::verdict_of_first_item(r, &self.writer.out[self.start..]),
            _ => KeyRule::Scan,
        };
        if self.writer.pair_marker(rule, value) {
            return Ok(());
        }
        value.serialize(&mut *self.writer)
    }

    #[inline(always)]
    fn field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), NestedError> {
        let member = self.writer.static_member(key, &mut self.first);
        self.member_value(member, value)
    }

    /// A member's value; a pair's value as the name members before it say.
    #[inline(always)]
    fn member_value<T: Serialize + ?Sized>(
        &mut self,
        member: Member,
        value: &T,
    ) -> Result<(), NestedError> {
        match member {
            Member::Write {
                how: How::PairValue,
                ..
            } => self.pair_value(member, value),
            Member::Secret => self.secret_value(value),
            _ => self.writer.value(member, value),
        }
    }

    /// A secret's value: `"[REDACTED]"`, counted, or `null` when it is nothing.
    #[cold]
    fn secret_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), NestedError> {
        self.writer
            .secret(crate::null_probe::serializes_as_null(value));
        Ok(())
    }

    /// A pair's value: the object's members written so far are read back as free text's
    /// are ([`pairs::verdict_in_text`]), so both paths judge pairs alike.
    #[cold]
    fn pair_value<T: Serialize + ?Sized>(
        &mut self,
        member: Member,
        value: &T,
    ) -> Result<(), NestedError> {
        let out = &*self.writer.out;
        let rule = match self.writer.redacting() {
            // The object as written: markers in it are values it redacted, not a bound.
            Some(r) => pairs::verdict_in_text(r, out, out.len(), self.start, false),
            None => KeyRule::Scan,
        };
        if self.writer.pair_marker(rule, value) {
            return Ok(());
        }
        self.writer.value(member, value)
    }

    fn finish(self) -> Result<(), NestedError> {
        self.writer.depth -= self.levels;
        // Byte by byte: a one-or-two-byte slice would be a `memcpy` call of its own.
        self.writer.out.push(self.close);
        if self.levels == 2 {
            self.writer.out.push(b'}');
        } else if self.close == b']'
            && self.writer.out.len() - self.start >= 2 * encoded::MIN_BYTES
            && let Some(r) = self.writer.redacting()
        {
            redact_byte_list(r, self.writer.out, self.start);
        }
        Ok(())
    }
}

/// Writes `bytes` as serde writes bytes in JSON: a list of numbers.
fn write_byte_list(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'[');
    for (k, &b) in bytes.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        out.extend_from_slice(itoa::Buffer::new().format(b).as_bytes());
    }
    out.push(b']');
}

/// The list just written at `start` (`[52,49,…]`), if it is a list of bytes (`Vec<u8>`, a
/// `[u8; N]`): read as the text it holds and written again redacted, when anything in it
/// was found. Any other list is left as it is.
#[cold]
fn redact_byte_list(redactor: &Redactor, out: &mut Vec<u8>, start: usize) {
    let list = &out[start..];
    let Some((len, end)) = encoded::byte_list(list) else {
        return;
    };
    if end != list.len() {
        return;
    }
    if let Some(redacted) = encoded::with_byte_values(list, len, |b| redactor.redact_bytes(b)) {
        out.truncate(start);
        write_byte_list(out, &redacted);
    }
}

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

/// The four serde traits for sequences, each an element after the other.
macro_rules! sequence_of_elements {
    ($($trait:ident::$method:ident),*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = NestedError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), NestedError> {
                self.element(value)
            }
            fn end(self) -> Result<(), NestedError> {
                self.finish()
            }
        }
    )*};
}

sequence_of_elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = NestedError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), NestedError> {
        // Collect the key's text, then decide: serde hands the value over separately.
        let mut text = std::mem::take(self.writer.key);
        text.clear();
        let collected = key.serialize(KeyText(&mut text));
        if let Err(e) = collected {
            *self.writer.key = text;
            return Err(e);
        }
        self.pending = self.writer.member(&text, &mut self.first);
        *self.writer.key = text;
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), NestedError> {
        let member = std::mem::replace(&mut self.pending, Member::Skip);
        self.member_value(member, value)
    }
    fn end(self) -> Result<(), NestedError> {
        self.finish()
    }
}

/// The two serde traits for structs: each field judged by its (static) name.
macro_rules! struct_of_fields {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = NestedError;
            #[inline(always)]
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), NestedError> {
                self.field(key, value)
            }
            fn end(self) -> Result<(), NestedError> {
                self.finish()
            }
        }
    )*};
}

struct_of_fields!(SerializeStruct, SerializeStructVariant);

/// Collects a map key's text: strings, and numbers, booleans and chars as their text (as
/// `serde_json` accepts them); anything else is refused.
struct KeyText<'k>(&'k mut String);

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

thread_local! {
    static SCRATCH: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Collected strings longer than this are not kept for the next value.
const KEEP_SCRATCH_BYTES: usize = 16 * 1024;

/// Runs `f` with a cleared string buffer, reused across calls on a thread (a re-entrant
/// call finds the buffer taken and uses a fresh one).
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut String) -> R) -> R {
    let taken = SCRATCH
        .try_with(|cell| {
            cell.try_borrow_mut()
                .map(|mut b| std::mem::take(&mut *b))
                .ok()
        })
        .ok()
        .flatten();
    let reused = taken.is_some();
    let mut buf = taken.unwrap_or_default();
    buf.clear();
    let result = f(&mut buf);
    if reused && buf.capacity() <= KEEP_SCRATCH_BYTES {
        let _ = SCRATCH.try_with(|cell| {
            if let Ok(mut slot) = cell.try_borrow_mut() {
                *slot = buf;
            }
        });
    }
    result
}

/// Writes `value` as JSON into `out`, redacted by `redactor` (`None`: as given); on a
/// serialization error, rolls back and writes a JSON string saying what failed, so the
/// surrounding line stays valid.
pub(crate) fn write_serialize(
    out: &mut Vec<u8>,
    value: &dyn SerializeJson,
    redactor: Option<&Redactor>,
) {
    let start = out.len();
    let result = with_scratch(|key| {
        let mut writer = NestedWriter {
            out: &mut *out,
            key,
            redactor,
            depth: 0,
            time_key: false,
            how: How::Redacted,
        };
        value.serialize_json(&mut writer)
    });
    if let Err(e) = result {
        out.truncate(start);
        out.push(b'"');
        let text = format!("<unserializable: {e}>");
        match redactor {
            Some(r) => r.write_json_str(out, &text),
            None => crate::escape::json_str(out, &text),
        }
        out.push(b'"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(value: &impl serde::Serialize, redactor: Option<&Redactor>) -> String {
        let mut out = Vec::new();
        write_serialize(&mut out, value, redactor);
        String::from_utf8(out).unwrap()
    }

    /// Bytes as `bytes::Bytes` and `serde_bytes` serialize them.
    struct AsBytes<'a>(&'a [u8]);

    impl serde::Serialize for AsBytes<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }

    #[test]
    fn bytes_are_read_as_the_text_they_hold() {
        // A body held as bytes was written as numbers, every card and code in it in clear.
        let r = Redactor::new();
        let body = br#"{"cvv":"737","card":"4111111111111111"}"#;
        let redacted = br#"{"cvv":"[REMOVED]","card":"411111******1111"}"#;
        let list = |b: &[u8]| {
            let mut out = Vec::new();
            write_byte_list(&mut out, b);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(write(&body.to_vec(), Some(&r)), list(redacted));
        assert_eq!(write(&AsBytes(body), Some(&r)), list(redacted));
        assert_eq!(
            write(&[("body", body.to_vec())], Some(&r)),
            format!("[[\"body\",{}]]", list(redacted))
        );
        // Written as serde_json writes them otherwise.
        assert_eq!(
            write(&body.to_vec(), None),
            serde_json::to_string(&body.to_vec()).unwrap()
        );
        assert_eq!(list(body), serde_json::to_string(&body.to_vec()).unwrap());
        // Bytes that are not UTF-8 around a card number: kept, the number masked.
        let mut binary = vec![0xff, 0x00, b' '];
        binary.extend_from_slice(b"4111111111111111");
        binary.extend_from_slice(&[b' ', 0xfe, 0x80]);
        let mut masked = vec![0xff, 0x00, b' '];
        masked.extend_from_slice(b"411111******1111");
        masked.extend_from_slice(&[b' ', 0xfe, 0x80]);
        assert_eq!(write(&binary, Some(&r)), list(&masked));
        // Lists holding nothing, lists of other numbers and of bytes too few: as they are.
        let digest: [u8; 32] = std::array::from_fn(|k| (k * 37 % 256) as u8);
        let long = vec![7u8; 2000];
        for value in [
            serde_json::json!(digest),
            serde_json::json!(long),
            serde_json::json!([
                52, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 256
            ]),
            serde_json::json!([52, 49, 49]),
            serde_json::json!([
                52, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, -1
            ]),
            serde_json::json!([[52, 49], "4111111111111111"]),
        ] {
            let expected = serde_json::to_string(&value)
                .unwrap()
                .replace("4111111111111111", "411111******1111");
            assert_eq!(write(&value, Some(&r)), expected);
        }
        // A long body, read from the heap.
        let mut big = vec![b'x'; 4000];
        big.extend_from_slice(b" pan 4111111111111111");
        let mut big_masked = vec![b'x'; 4000];
        big_masked.extend_from_slice(b" pan 411111******1111");
        assert_eq!(write(&big, Some(&r)), list(&big_masked));
    }

    /// An API Gateway event's fields as aws_lambda_events names them (a struct's fields).
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct ProxyRequest {
        http_method: &'static str,
        body: Option<String>,
        is_base64_encoded: bool,
    }

    #[test]
    fn a_payload_in_base64_is_read_as_the_text_it_encodes() {
        // A form post logged with its event: the card and the code in its encoded body were
        // kept (only JSON, `eyJ…`, was decoded).
        use base64::Engine as _;
        let encode = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
        let r = Redactor::new();
        let form = encode("card_number=4111111111111111&cvc=737");
        let request = ProxyRequest {
            http_method: "POST",
            body: Some(form.clone()),
            is_base64_encoded: true,
        };
        assert_eq!(
            write(&request, Some(&r)),
            r#"{"httpMethod":"POST","body":"[REDACTED]","isBase64Encoded":true}"#
        );
        let stats = r.stats();
        assert_eq!((stats.pan, stats.sensitive_auth_data), (1, 1), "{stats:?}");
        // A map's key (`serde_json::Value`), a record's `data` in a list, any case.
        let event = serde_json::json!({
            "Records": [{"kinesis": {"Data": form, "partitionKey": "p"}}],
            "payload": format!("{form} tail 4111111111111111"),
        });
        assert_eq!(
            write(&event, Some(&r)),
            r#"{"Records":[{"kinesis":{"Data":"[REDACTED]","partitionKey":"p"}}],"payload":"[REDACTED] tail 411111******1111"}"#
        );
        // What holds nothing stays, and so does the same text under another name, under a
        // safe key, or with no redactor.
        let plain = encode("amount=1250&currency=usd");
        let kept = serde_json::json!({"body": plain, "note": form});
        assert_eq!(write(&kept, Some(&r)), kept.to_string());
        let safe = Redactor::new().safe_key("body");
        assert_eq!(
            write(&request, Some(&safe)),
            serde_json::to_string(&request).unwrap()
        );
        assert_eq!(
            write(&request, None),
            serde_json::to_string(&request).unwrap()
        );
    }

    #[test]
    fn enum_variants_and_compounds_are_written_as_serde_json_writes_them() {
        #[derive(serde::Serialize)]
        enum Event {
            Unit,
            Newtype(u32),
            Tuple(u32, &'static str),
            Struct {
                id: &'static str,
                items: Vec<(u8, bool)>,
            },
        }
        let value = (
            vec![Event::Unit, Event::Newtype(7)],
            Event::Tuple(1, "a"),
            Event::Struct {
                id: "evt_1",
                items: vec![(1, true), (2, false)],
            },
            std::collections::BTreeMap::from([("k", vec![Event::Tuple(2, "b")])]),
        );
        let expected = serde_json::to_string(&value).unwrap();
        assert_eq!(write(&value, None), expected);
        assert_eq!(write(&value, Some(&Redactor::new())), expected);
    }

    #[test]
    fn a_pairs_value_goes_by_the_name_member_before_it() {
        #[derive(serde::Serialize)]
        struct Env {
            name: &'static str,
            value: &'static str,
        }
        #[derive(serde::Serialize)]
        enum Kind {
            SecureString,
        }
        #[derive(serde::Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Parameter {
            name: &'static str,
            r#type: Kind,
            value: &'static str,
        }
        let r = Redactor::new();
        let env = [
            Env {
                name: "DB_PASSWORD",
                value: "hunter2",
            },
            Env {
                name: "card_cvv",
                value: "737",
            },
            Env {
                name: "REGION",
                value: "eu",
            },
        ];
        assert_eq!(
            write(&env, Some(&r)),
            r#"[{"name":"DB_PASSWORD","value":"[REDACTED]"},{"name":"card_cvv","value":"[REMOVED]"},{"name":"REGION","value":"eu"}]"#
        );
        let parameter = Parameter {
            name: "/prod/app/key",
            r#type: Kind::SecureString,
            value: "sk",
        };
        assert_eq!(
            write(&parameter, Some(&r)),
            r#"{"Name":"/prod/app/key","Type":"SecureString","Value":"[REDACTED]"}"#
        );
        // Maps (keys known at run time) and tuples of two: the tuple keeps its length.
        let json = serde_json::json!([
            {"ParameterKey": "DbPassword", "ParameterValue": "pw"},
            {"OptionName": "LOG_LEVEL", "Value": "debug"}
        ]);
        assert_eq!(
            write(&json, Some(&r)),
            r#"[{"ParameterKey":"DbPassword","ParameterValue":"[REDACTED]"},{"OptionName":"LOG_LEVEL","Value":"debug"}]"#
        );
        let headers = vec![("x-api-key", "k1"), ("cvv", "737"), ("accept", "json")];
        assert_eq!(
            write(&headers, Some(&r)),
            r#"[["x-api-key","[REDACTED]"],["cvv","[REMOVED]"],["accept","json"]]"#
        );
        assert_eq!(r.stats().secret_keys, 4);
        assert_eq!(r.stats().sensitive_auth_data, 2);
        // Without redaction, and under a safe key, everything as given.
        assert_eq!(
            write(&headers, None),
            serde_json::to_string(&headers).unwrap()
        );
        let safe = Redactor::new().safe_key("headers");
        let wrapped = std::collections::BTreeMap::from([("headers", &headers)]);
        assert_eq!(
            write(&wrapped, Some(&safe)),
            serde_json::to_string(&wrapped).unwrap()
        );
        // A name whose value is no text, a name in a nested object, three items.
        let others = serde_json::json!([
            {"name": {"first": "password"}, "value": "v"},
            {"meta": {"name": "DB_PASSWORD"}, "value": "v"},
            ["password", "v", "w"]
        ]);
        assert_eq!(
            write(&others, Some(&r)),
            serde_json::to_string(&others).unwrap()
        );
        // A value before its name.
        #[derive(serde::Serialize)]
        struct Reversed {
            value: &'static str,
            name: &'static str,
        }
        let reversed = Reversed {
            value: "v",
            name: "DB_PASSWORD",
        };
        assert_eq!(
            write(&reversed, Some(&r)),
            serde_json::to_string(&reversed).unwrap()
        );
    }

    #[test]
    fn nested_values_are_redacted_by_key_and_by_value() {
        let r = Redactor::new();
        let v = serde_json::json!({
            "card": {"number": "4111111111111111", "cvv": "123", "exp": "12/29"},
            "auth": {"password": "p"},
            "ids": [4111111111111111u64, 5],
            "created_at": 4111111111111111u64,
            "negative": [-4111111111111111i64],
            "float": 4111111111111111.0,
            "4111111111111111": "pan as a key",
            "note": "Bearer abc.def.ghi",
            "list": [{"cvv": 1}, {"x": 2}]
        });
        assert_eq!(
            write(&v, Some(&r)),
            r#"{"411111******1111":"pan as a key","auth":"[REDACTED]","card":{"exp":"12/29","number":"411111******1111"},"created_at":4111111111111111,"float":"411111******1111","ids":["411111******1111",5],"list":[{},{"x":2}],"negative":["-411111******1111"],"note":"Bearer [REDACTED]"}"#
        );
        let stats = r.stats();
        assert_eq!(
            (stats.pan, stats.sensitive_auth_data, stats.secret_keys),
            (5, 2, 1)
        );
    }

    #[test]
    fn a_secret_that_is_not_set_is_written_as_null() {
        // `"[REDACTED]"` said a secret was set when it was `None`, unlike free text
        // (`password: None` stays): that a key was never configured is what the reader of
        // the line looks for.
        #[derive(serde::Serialize)]
        struct Db {
            password: Option<String>,
            api_key: Option<String>,
            token: (),
            cvv: Option<u16>,
        }
        let r = Redactor::new();
        let db = Db {
            password: None,
            api_key: Some("k".into()),
            token: (),
            cvv: None,
        };
        assert_eq!(
            write(&db, Some(&r)),
            r#"{"password":null,"api_key":"[REDACTED]","token":null}"#
        );
        let pairs = serde_json::json!([
            {"name": "DB_PASSWORD", "value": null},
            {"name": "card_cvv", "value": null},
            {"secret": null},
        ]);
        assert_eq!(
            write(&pairs, Some(&r)),
            r#"[{"name":"DB_PASSWORD","value":null},{"name":"card_cvv","value":null},{"secret":null}]"#
        );
        assert_eq!(
            write(&[("x-api-key", None::<&str>), ("pin", Some("1"))], Some(&r)),
            r#"[["x-api-key",null],["pin","[REMOVED]"]]"#
        );
        let stats = r.stats();
        assert_eq!((stats.sensitive_auth_data, stats.secret_keys), (2, 1));
    }

    #[test]
    fn struct_field_names_of_every_length_are_written_whole() {
        // Field names around the size of the cached `"key":` rendering (29 bytes fit), in
        // first and later position, with redaction on and off.
        #[derive(serde::Serialize)]
        #[allow(non_snake_case)]
        struct Names {
            a: u8,
            abcdefghijklmnopqrstuvwxyzABC: u8,
            abcdefghijklmnopqrstuvwxyzABCD: u8,
            abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ: u8,
            b: Inner,
        }
        #[derive(serde::Serialize)]
        #[allow(non_snake_case)]
        struct Inner {
            abcdefghijklmnopqrstuvwxyzABCD: &'static str,
            x: &'static str,
        }
        let v = Names {
            a: 1,
            abcdefghijklmnopqrstuvwxyzABC: 2,
            abcdefghijklmnopqrstuvwxyzABCD: 3,
            abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ: 4,
            b: Inner {
                abcdefghijklmnopqrstuvwxyzABCD: "y",
                x: "z",
            },
        };
        let want = serde_json::to_string(&v).expect("serializes");
        let r = Redactor::new();
        for _ in 0..2 {
            // Twice: the first meeting of each name decides it, the second finds it cached.
            assert_eq!(write(&v, Some(&r)), want);
            assert_eq!(write(&v, None), want);
        }
    }

    /// Every shape serde has, without redaction, byte for byte as `serde_json` writes it.
    #[test]
    fn without_a_redactor_the_value_is_written_as_serde_json_writes_it() {
        #[derive(serde::Serialize)]
        enum E {
            Unit,
            Newtype(u8),
            Tuple(u8, &'static str),
            Struct { a: i8, b: Option<bool> },
        }
        #[derive(serde::Serialize)]
        struct Unit;
        #[derive(serde::Serialize)]
        struct Tuple(u8, f32);
        #[derive(serde::Serialize)]
        struct All<'a> {
            s: &'a str,
            c: char,
            n: (),
            u: Unit,
            t: Tuple,
            e: Vec<E>,
            m: std::collections::BTreeMap<u32, Vec<f64>>,
            b: &'a [u8],
            big: u128,
            neg: i128,
            nan: f64,
        }
        let v = All {
            s: "x\"\n",
            c: 'é',
            n: (),
            u: Unit,
            t: Tuple(1, 2.5),
            e: vec![
                E::Unit,
                E::Newtype(3),
                E::Tuple(4, "y"),
                E::Struct { a: -5, b: None },
            ],
            m: [(7, vec![0.25, -1.0])].into_iter().collect(),
            b: b"ab",
            big: u128::MAX,
            neg: -170_141_183_460_469_231_731_687_303_715_884_105_728,
            nan: f64::NAN,
        };
        assert_eq!(write(&v, None), serde_json::to_string(&v).unwrap());
    }

    #[test]
    fn failing_serialize_leaves_valid_json() {
        struct Bad;
        impl serde::Serialize for Bad {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::{Error, SerializeMap};
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("a", &1)?;
                Err(S::Error::custom("nope"))
            }
        }
        assert_eq!(
            write(&Bad, Some(&Redactor::new())),
            r#""<unserializable: nope>""#
        );
        let map: std::collections::BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into_iter().collect();
        assert_eq!(
            write(&map, None),
            r#""<unserializable: key must be a string>""#
        );
    }

    #[test]
    fn deep_values_are_refused_not_overflowing() {
        let mut v = serde_json::json!(1);
        for _ in 0..200 {
            v = serde_json::json!([v]);
        }
        let out = write(&v, Some(&Redactor::new()));
        assert!(
            out.starts_with("\"<unserializable: nested deeper than"),
            "{out}"
        );
    }
}
