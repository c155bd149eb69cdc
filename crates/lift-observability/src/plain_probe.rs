//! Whether a value hides nothing — `None`, `()`, a unit struct (what JSON writes as `null`),
//! or a boolean — told without reading anything else of the value.
//!
//! A secret's key keeps its value out of the line (`"[REDACTED]"`), but a secret that is not
//! set reveals nothing, and that it is not set is what a reader of the line looks for
//! (`"api_key":null`: the key was never configured); a boolean under a secret's name is a
//! flag about it, one bit that holds no secret (`"has_api_key":true`, `"password_set":false`).
//! [`plain_value`] drives a value's `Serialize` through a serializer that accepts only these:
//! the first call tells, and no string, number or field of the value is ever looked at or
//! copied.
//!
//! Under a name for sensitive authentication data, a text that reports on the data hides
//! nothing either — a gateway's check result (`cvv_code: "M"`, an enum's `Match`):
//! [`reports_on_card_data`] accepts a string, a character or a unit variant only, and reads
//! that one text.

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Impossible};

/// A value that hides nothing, as JSON writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plain {
    /// Nothing: `null`.
    Null,
    /// A flag: `true` or `false`.
    Bool(bool),
}

impl Plain {
    /// Its JSON text.
    pub(crate) fn json(self) -> &'static str {
        match self {
            Plain::Null => "null",
            Plain::Bool(true) => "true",
            Plain::Bool(false) => "false",
        }
    }

    /// The value JSON text `json` is, if it is one.
    pub(crate) fn from_json(json: &str) -> Option<Plain> {
        match json {
            "null" => Some(Plain::Null),
            "true" => Some(Plain::Bool(true)),
            "false" => Some(Plain::Bool(false)),
            _ => None,
        }
    }
}

/// What `value` is when it serializes as JSON's `null` or a boolean, as `serde_json` writes
/// it: `None`, `()`, a unit struct, `true`, `false`, and each of them inside `Some` or a
/// newtype struct; `None` for anything else.
pub(crate) fn plain_value<T: Serialize + ?Sized>(value: &T) -> Option<Plain> {
    value.serialize(PlainProbe).ok()
}

/// The serializer that accepts nothing but nothing and flags.
struct PlainProbe;

/// A value that may hide something.
#[derive(Debug)]
struct NotPlain;

impl fmt::Display for NotPlain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not null nor a boolean")
    }
}

impl std::error::Error for NotPlain {}

impl ser::Error for NotPlain {
    fn custom<T: fmt::Display>(_: T) -> Self {
        NotPlain
    }
}

/// Methods for values that may hide something: refused at once, their content unread.
macro_rules! something {
    ($ok:ty: $($method:ident($($arg:ty),*)),* $(,)?) => {$(
        fn $method(self, $(_: $arg),*) -> Result<$ok, NotPlain> {
            Err(NotPlain)
        }
    )*};
}

/// The numbers and bytes, refused at once by a probe whose answer is `$ok`.
macro_rules! no_numbers {
    ($ok:ty) => {
        something!($ok:
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
            serialize_bytes(&[u8]),
        );
    };
}

/// The compound values, refused at once by a probe whose answer is `$ok`.
macro_rules! no_compounds {
    ($ok:ty) => {
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<$ok, NotPlain> {
            Err(NotPlain)
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotPlain> {
            Err(NotPlain)
        }
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotPlain> {
            Err(NotPlain)
        }
        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleStruct, NotPlain> {
            Err(NotPlain)
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, NotPlain> {
            Err(NotPlain)
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotPlain> {
            Err(NotPlain)
        }
        fn serialize_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStruct, NotPlain> {
            Err(NotPlain)
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, NotPlain> {
            Err(NotPlain)
        }
        fn collect_str<T: fmt::Display + ?Sized>(self, _: &T) -> Result<$ok, NotPlain> {
            Err(NotPlain)
        }
    };
}

/// What both probes share, for a probe whose answer is `$ok`: its types (nothing
/// compound is accepted), `Some` and a newtype struct read through to what they hold, and
/// numbers, bytes and compounds refused at once.
macro_rules! probe_frame {
    ($ok:ty) => {
        type Ok = $ok;
        type Error = NotPlain;
        type SerializeSeq = Impossible<$ok, NotPlain>;
        type SerializeTuple = Impossible<$ok, NotPlain>;
        type SerializeTupleStruct = Impossible<$ok, NotPlain>;
        type SerializeTupleVariant = Impossible<$ok, NotPlain>;
        type SerializeMap = Impossible<$ok, NotPlain>;
        type SerializeStruct = Impossible<$ok, NotPlain>;
        type SerializeStructVariant = Impossible<$ok, NotPlain>;

        fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<$ok, NotPlain> {
            value.serialize(self)
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            value: &T,
        ) -> Result<$ok, NotPlain> {
            value.serialize(self)
        }

        no_numbers!($ok);
        no_compounds!($ok);
    };
}

impl ser::Serializer for PlainProbe {
    probe_frame!(Plain);

    fn serialize_none(self) -> Result<Plain, NotPlain> {
        Ok(Plain::Null)
    }
    fn serialize_unit(self) -> Result<Plain, NotPlain> {
        Ok(Plain::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Plain, NotPlain> {
        Ok(Plain::Null)
    }
    fn serialize_bool(self, v: bool) -> Result<Plain, NotPlain> {
        Ok(Plain::Bool(v))
    }
    something!(Plain:
        serialize_char(char),
        serialize_str(&str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );
}

/// Whether `value`, under a name for sensitive authentication data, reports on the data
/// instead of holding it ([`crate::redact::text::reports_on_card_data`]): a string or a
/// character that does, or an enum's unit variant whose name does (`CvvResult::Match`),
/// perhaps inside `Some` or a newtype struct. Anything else is refused unread.
pub(crate) fn reports_on_card_data<T: Serialize + ?Sized>(value: &T) -> bool {
    value.serialize(ReportProbe).unwrap_or(false)
}

/// The serializer that reads a text alone and asks whether it reports on card data.
struct ReportProbe;

impl ser::Serializer for ReportProbe {
    probe_frame!(bool);

    fn serialize_str(self, v: &str) -> Result<bool, NotPlain> {
        Ok(crate::redact::text::reports_on_card_data(v.as_bytes()))
    }
    fn serialize_char(self, v: char) -> Result<bool, NotPlain> {
        Ok(v.is_ascii_alphabetic())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<bool, NotPlain> {
        self.serialize_str(variant)
    }
    something!(bool:
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_bool(bool),
    );
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
    fn a_check_s_result_reports_on_card_data_and_a_code_does_not() {
        #[derive(Serialize)]
        enum Check {
            Match,
            Code(u16),
        }
        #[derive(Serialize)]
        struct Code(&'static str);
        for reports in [
            reports_on_card_data("M"),
            reports_on_card_data(&Some("unchecked")),
            reports_on_card_data(&'N'),
            reports_on_card_data(&Check::Match),
            reports_on_card_data(&Code("pass")),
        ] {
            assert!(reports);
        }
        for reports in [
            reports_on_card_data("737"),
            reports_on_card_data(&737),
            reports_on_card_data(&'7'),
            reports_on_card_data(&Check::Code(737)),
            reports_on_card_data(&None::<&str>),
            reports_on_card_data(&["M"]),
            reports_on_card_data(&true),
        ] {
            assert!(!reports);
        }
    }

    #[test]
    fn nothing_is_null_a_flag_is_a_boolean_and_anything_else_is_neither() {
        assert_eq!(plain_value(&None::<String>), Some(Plain::Null));
        assert_eq!(plain_value(&()), Some(Plain::Null));
        assert_eq!(plain_value(&Unit), Some(Plain::Null));
        assert_eq!(plain_value(&Some(None::<u8>)), Some(Plain::Null));
        assert_eq!(plain_value(&Wrapper(None)), Some(Plain::Null));
        assert_eq!(plain_value(&serde_json::Value::Null), Some(Plain::Null));
        assert_eq!(plain_value(&true), Some(Plain::Bool(true)));
        assert_eq!(plain_value(&Some(false)), Some(Plain::Bool(false)));
        assert_eq!(
            plain_value(&serde_json::json!(true)),
            Some(Plain::Bool(true))
        );
        assert_eq!(plain_value(&Some("hunter2")), None);
        assert_eq!(plain_value(&Wrapper(Some("k".into()))), None);
        assert_eq!(plain_value(&0u8), None);
        assert_eq!(plain_value(&""), None);
        assert_eq!(plain_value(&Vec::<u8>::new()), None);
        assert_eq!(plain_value(&serde_json::json!({"a": null})), None);
        assert_eq!(plain_value(&Tripwire), None);
    }
}
