//! Arrays and objects being written: each element, field or map entry in turn, its key
//! decided once by the writer's rules, a two-item tuple's first item naming its second,
//! and a list of bytes read as the text it holds when it closes — with the serde traits
//! for sequences, maps and structs.

use serde::Serialize;
use serde::ser;

use crate::redact::pairs;
use crate::redact::{KeyRule, encoded};

use super::NestedError;
use super::byte_lists::redact_byte_list;
use super::map_key::KeyText;
use super::writer::{How, Member, NestedWriter};

/// An array or object being written.
#[derive(Debug)]
pub struct Compound<'w, 'a> {
    pub(super) writer: &'w mut NestedWriter<'a>,
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
    pub(super) tuple_items: Option<u8>,
}

impl<'w, 'a> Compound<'w, 'a> {
    pub(super) fn new(
        writer: &'w mut NestedWriter<'a>,
        open: u8,
        close: u8,
    ) -> Result<Self, NestedError> {
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
    pub(super) fn variant(
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
    pub(super) fn field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), NestedError> {
        let member = self.writer.static_member(key, &mut self.first);
        self.member_value(member, key, value)
    }

    /// A member named for sensitive authentication data: left out and counted, unless its
    /// value reports on the data (a gateway's `cvv_code: "M"`), which is written as any.
    #[cold]
    fn removed_member<T: Serialize + ?Sized>(
        &mut self,
        key: &str,
        value: &T,
    ) -> Result<(), NestedError> {
        if !crate::plain_probe::reports_on_card_data(value) {
            self.writer.removed();
            return Ok(());
        }
        let member = self
            .writer
            .member_with_rule(key, KeyRule::Scan, &mut self.first);
        self.writer.value(member, value)
    }

    /// A member's value (its key `key`, read only when the member is [`Member::Removed`]); a
    /// pair's value as the name members before it say.
    #[inline(always)]
    fn member_value<T: Serialize + ?Sized>(
        &mut self,
        member: Member,
        key: &str,
        value: &T,
    ) -> Result<(), NestedError> {
        match member {
            Member::Write {
                how: How::PairValue,
                ..
            } => self.pair_value(member, value),
            Member::Secret => self.secret_value(value),
            Member::Removed => self.removed_member(key, value),
            _ => self.writer.value(member, value),
        }
    }

    /// A secret's value: `"[REDACTED]"`, counted, or `null` when it is nothing.
    #[cold]
    fn secret_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), NestedError> {
        self.writer.secret(crate::plain_probe::plain_value(value));
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

    pub(super) fn finish(self) -> Result<(), NestedError> {
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
        if let Member::Removed = member {
            // The key's text stays in the writer's buffer until the next key (a value's own
            // maps take it while they write: it is borrowed only here, off the common path).
            let key = std::mem::take(self.writer.key);
            let written = self.removed_member(&key, value);
            *self.writer.key = key;
            return written;
        }
        self.member_value(member, "", value)
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
