//! Typed field values: what an entry's fields and a logger's context are made of.
//!
//! [`Value`] borrows what it can (strings, errors, `Serialize` values) so building the fields
//! of an entry allocates nothing; encoders turn each variant into JSON or console text
//! directly. [`OwnedValue`] is the owned form kept by child loggers. [`ToValue`] is how the
//! logging macros turn any supported expression into a `Value` without moving it.
//!
//! Durations are written as milliseconds with microsecond precision (`12.345`); errors as
//! their message followed by their `source()` chain; `Serialize` values as nested JSON;
//! non-finite floats as the strings `"NaN"`, `"inf"` and `"-inf"` so the line stays JSON.

use std::borrow::Cow;
use std::error::Error;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use crate::plain_probe::Plain;

/// One typed value of a field. Cheap to copy; borrows instead of owning.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum Value<'a> {
    /// A string, escaped on output.
    Str(&'a str),
    /// A signed integer.
    I64(i64),
    /// An unsigned integer.
    U64(u64),
    /// A float; NaN and infinities are written as strings.
    F64(f64),
    /// A boolean.
    Bool(bool),
    /// JSON `null`.
    Null,
    /// A duration, written as fractional milliseconds.
    Duration(Duration),
    /// An error: its message, then its `source()` chain.
    Error(&'a (dyn Error + 'a)),
    /// Anything `Display`, written as a string.
    Display(&'a (dyn fmt::Display + 'a)),
    /// Anything `serde::Serialize`, written as nested JSON.
    Serde(&'a (dyn SerializeJson + 'a)),
    /// JSON text already validated by Lift (context values captured from `Serde`).
    Json(JsonText<'a>),
}

impl<'a> Value<'a> {
    /// What the value is when it hides nothing: nothing (`Null`, a `Serde` value that is
    /// `None` or `()`, JSON `null`) or a boolean — written as it is under a secret's key too.
    pub(crate) fn plain(&self) -> Option<Plain> {
        match self {
            Value::Null => Some(Plain::Null),
            Value::Bool(b) => Some(Plain::Bool(*b)),
            Value::Serde(v) => v.plain_json().and_then(Plain::from_json),
            Value::Json(json) => Plain::from_json(json.0),
            _ => None,
        }
    }

    /// Whether the value, under a name for sensitive authentication data, reports on the
    /// data instead of holding it: a gateway's check result (`"M"`, `"unchecked"`), as a
    /// string or a `Serialize` value ([`crate::redact::text::reports_on_card_data`]).
    pub(crate) fn reports_on_card_data(&self) -> bool {
        match self {
            Value::Str(s) => crate::redact::text::reports_on_card_data(s.as_bytes()),
            Value::Serde(v) => v.reports_on_card_data(),
            _ => false,
        }
    }

    /// An error value: message plus `source()` chain.
    pub fn error(error: &'a (dyn Error + 'a)) -> Self {
        Value::Error(error)
    }

    /// Any `serde::Serialize` value, written as nested JSON.
    pub fn serde<T: serde::Serialize>(value: &'a T) -> Self {
        Value::Serde(value)
    }

    /// Any `Display` value, written as a string.
    pub fn display(value: &'a (dyn fmt::Display + 'a)) -> Self {
        Value::Display(value)
    }

    /// Captures this value into an owned form (for a child logger's context).
    pub fn to_owned_value(&self) -> OwnedValue {
        match *self {
            Value::Str(s) => OwnedValue::Str(s.into()),
            Value::I64(v) => OwnedValue::I64(v),
            Value::U64(v) => OwnedValue::U64(v),
            Value::F64(v) => OwnedValue::F64(v),
            Value::Bool(v) => OwnedValue::Bool(v),
            Value::Null => OwnedValue::Null,
            Value::Duration(d) => OwnedValue::Duration(d),
            Value::Error(e) => {
                let mut text = String::new();
                write_error_chain(&mut text, e);
                OwnedValue::Str(text.into())
            }
            Value::Display(d) => OwnedValue::Str(d.to_string().into()),
            Value::Serde(s) => {
                // Captured as given; redacted when the context is encoded.
                let mut out = Vec::new();
                crate::nested::write_serialize(&mut out, s, None);
                // write_serialize always leaves valid UTF-8 JSON text in `out`.
                OwnedValue::Json(String::from_utf8_lossy(&out).into_owned().into())
            }
            Value::Json(j) => OwnedValue::Json(j.0.into()),
        }
    }
}

impl fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "Str({s:?})"),
            Value::I64(v) => write!(f, "I64({v})"),
            Value::U64(v) => write!(f, "U64({v})"),
            Value::F64(v) => write!(f, "F64({v})"),
            Value::Bool(v) => write!(f, "Bool({v})"),
            Value::Null => f.write_str("Null"),
            Value::Duration(d) => write!(f, "Duration({d:?})"),
            Value::Error(e) => write!(f, "Error({e})"),
            Value::Display(d) => write!(f, "Display({d})"),
            Value::Serde(_) => f.write_str("Serde(..)"),
            Value::Json(j) => write!(f, "Json({})", j.0),
        }
    }
}

/// JSON text produced by Lift's own serializer; only Lift can make one, so it is always valid.
#[derive(Clone, Copy, Debug)]
pub struct JsonText<'a>(pub(crate) &'a str);

impl<'a> JsonText<'a> {
    /// The JSON text.
    pub fn as_str(&self) -> &'a str {
        self.0
    }
}

pub use crate::nested::SerializeJson;

/// At most this many `source()` links are followed, in case a chain loops.
const MAX_ERROR_CHAIN: usize = 32;

/// Writes an error and its `source()` chain as `message: cause: root cause`.
pub(crate) fn write_error_chain(w: &mut impl fmt::Write, error: &dyn Error) {
    let _ = write!(w, "{error}");
    let mut source = error.source();
    let mut depth = 0;
    while let Some(cause) = source {
        if depth == MAX_ERROR_CHAIN {
            let _ = w.write_str(": …");
            break;
        }
        let _ = write!(w, ": {cause}");
        source = cause.source();
        depth += 1;
    }
}

/// The owned form of a [`Value`], kept in a child logger's context.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum OwnedValue {
    /// A string.
    Str(Box<str>),
    /// A signed integer.
    I64(i64),
    /// An unsigned integer.
    U64(u64),
    /// A float.
    F64(f64),
    /// A boolean.
    Bool(bool),
    /// JSON `null`.
    Null,
    /// A duration.
    Duration(Duration),
    /// Valid JSON text captured from a `Serialize` value.
    Json(Box<str>),
}

impl OwnedValue {
    /// Borrows this value as a [`Value`].
    pub fn as_value(&self) -> Value<'_> {
        match self {
            OwnedValue::Str(s) => Value::Str(s),
            OwnedValue::I64(v) => Value::I64(*v),
            OwnedValue::U64(v) => Value::U64(*v),
            OwnedValue::F64(v) => Value::F64(*v),
            OwnedValue::Bool(v) => Value::Bool(*v),
            OwnedValue::Null => Value::Null,
            OwnedValue::Duration(d) => Value::Duration(*d),
            OwnedValue::Json(j) => Value::Json(JsonText(j)),
        }
    }
}

/// One key and its value.
#[derive(Clone, Copy, Debug)]
pub struct Field<'a> {
    /// The key. Reserved keys are renamed on output (see [`crate::encoder::RESERVED_KEYS`]).
    pub key: &'a str,
    /// The value.
    pub value: Value<'a>,
    /// `,"key":` ready to copy, when the key was checked at compile time (macro call sites
    /// with a literal key that needs no escaping and is not reserved).
    json_key: Option<&'static JsonKey>,
}

/// A field's `,"key":` prefix, built at compile time for a literal key that needs no run-time
/// look (see the logging macros).
#[doc(hidden)]
#[derive(Debug)]
pub struct JsonKey {
    prefix: &'static str,
}

impl JsonKey {
    /// The prefix `,"<key>":`.
    pub const fn new(prefix: &'static str) -> JsonKey {
        JsonKey { prefix }
    }

    /// Appends the prefix to `out`.
    #[inline(always)]
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        crate::append::append(out, self.prefix.as_bytes());
    }
}

impl<'a> Field<'a> {
    /// A field from a key and a value.
    #[inline(always)]
    pub const fn new(key: &'a str, value: Value<'a>) -> Self {
        Self {
            key,
            value,
            json_key: None,
        }
    }

    /// A field whose JSON key prefix was built at compile time. Used by the logging macros;
    /// `json_key` must be `,"<key>":` for a key that
    /// [`key_is_plain_and_unreserved`](crate::encoder::key_is_plain_and_unreserved) accepts.
    #[doc(hidden)]
    #[inline(always)]
    pub const fn __with_json_key(
        key: &'static str,
        json_key: Option<&'static JsonKey>,
        value: Value<'a>,
    ) -> Self {
        Self {
            key,
            value,
            json_key,
        }
    }

    /// The compile-time `,"key":` prefix, if any.
    #[inline(always)]
    pub(crate) fn json_key(&self) -> Option<&'static JsonKey> {
        self.json_key
    }
}

/// Builds a [`Field`] from anything convertible into a [`Value`].
///
/// ```
/// use lift_observability::{field, Logger};
/// let (log, sink) = Logger::test();
/// log.info("Charge captured", &[field("amount", 1250), field("currency", "USD")]);
/// assert_eq!(sink.entries()[0]["amount"], 1250);
/// ```
#[inline(always)]
pub fn field<'a>(key: &'a str, value: impl Into<Value<'a>>) -> Field<'a> {
    Field::new(key, value.into())
}

/// Turns a borrowed expression into a [`Value`]; what the logging macros call on each field.
pub trait ToValue {
    /// The value, borrowing from `self`.
    fn to_value(&self) -> Value<'_>;
}

impl<T: ToValue + ?Sized> ToValue for &T {
    #[inline(always)]
    fn to_value(&self) -> Value<'_> {
        (**self).to_value()
    }
}

impl<T: ToValue + ?Sized> ToValue for Box<T> {
    #[inline(always)]
    fn to_value(&self) -> Value<'_> {
        (**self).to_value()
    }
}

impl<T: ToValue + ?Sized> ToValue for Arc<T> {
    #[inline(always)]
    fn to_value(&self) -> Value<'_> {
        (**self).to_value()
    }
}

impl<T: ToValue + ?Sized> ToValue for Rc<T> {
    #[inline(always)]
    fn to_value(&self) -> Value<'_> {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    #[inline(always)]
    fn to_value(&self) -> Value<'_> {
        match self {
            Some(v) => v.to_value(),
            None => Value::Null,
        }
    }
}

impl ToValue for Value<'_> {
    #[inline(always)]
    fn to_value(&self) -> Value<'_> {
        *self
    }
}

impl ToValue for OwnedValue {
    fn to_value(&self) -> Value<'_> {
        self.as_value()
    }
}

impl ToValue for str {
    #[inline(always)]
    fn to_value(&self) -> Value<'_> {
        Value::Str(self)
    }
}

impl ToValue for String {
    #[inline(always)]
    fn to_value(&self) -> Value<'_> {
        Value::Str(self)
    }
}

impl ToValue for Cow<'_, str> {
    #[inline(always)]
    fn to_value(&self) -> Value<'_> {
        Value::Str(self)
    }
}

impl ToValue for Duration {
    #[inline(always)]
    fn to_value(&self) -> Value<'_> {
        Value::Duration(*self)
    }
}

impl ToValue for () {
    fn to_value(&self) -> Value<'_> {
        Value::Null
    }
}

macro_rules! int_values {
    ($variant:ident as $wide:ty: $($t:ty),*) => {$(
        impl ToValue for $t {
            #[inline(always)]
            fn to_value(&self) -> Value<'_> {
                Value::$variant(*self as $wide)
            }
        }
        impl From<$t> for Value<'_> {
            #[inline(always)]
            fn from(v: $t) -> Self {
                Value::$variant(v as $wide)
            }
        }
    )*};
}
int_values!(I64 as i64: i8, i16, i32, i64, isize);
int_values!(U64 as u64: u8, u16, u32, u64, usize);

impl ToValue for f64 {
    #[inline(always)]
    fn to_value(&self) -> Value<'_> {
        Value::F64(*self)
    }
}

impl ToValue for f32 {
    #[inline(always)]
    fn to_value(&self) -> Value<'_> {
        Value::F64(f64::from(*self))
    }
}

impl ToValue for bool {
    #[inline(always)]
    fn to_value(&self) -> Value<'_> {
        Value::Bool(*self)
    }
}

impl ToValue for i128 {
    fn to_value(&self) -> Value<'_> {
        match i64::try_from(*self) {
            Ok(v) => Value::I64(v),
            Err(_) => Value::F64(*self as f64),
        }
    }
}

impl ToValue for u128 {
    fn to_value(&self) -> Value<'_> {
        match u64::try_from(*self) {
            Ok(v) => Value::U64(v),
            Err(_) => Value::F64(*self as f64),
        }
    }
}

impl From<f64> for Value<'_> {
    fn from(v: f64) -> Self {
        Value::F64(v)
    }
}

impl From<f32> for Value<'_> {
    fn from(v: f32) -> Self {
        Value::F64(f64::from(v))
    }
}

impl From<bool> for Value<'_> {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl From<Duration> for Value<'_> {
    fn from(v: Duration) -> Self {
        Value::Duration(v)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(v: &'a str) -> Self {
        Value::Str(v)
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(v: &'a String) -> Self {
        Value::Str(v)
    }
}

impl<'a> From<&'a OwnedValue> for Value<'a> {
    fn from(v: &'a OwnedValue) -> Self {
        v.as_value()
    }
}

impl<'a, T: Into<Value<'a>>> From<Option<T>> for Value<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_pick_the_right_variant() {
        assert!(matches!(5u8.to_value(), Value::U64(5)));
        assert!(matches!((-5i32).to_value(), Value::I64(-5)));
        assert!(matches!("x".to_value(), Value::Str("x")));
        assert!(matches!(String::from("y").to_value(), Value::Str("y")));
        assert!(matches!(None::<u32>.to_value(), Value::Null));
        assert!(matches!(Some(true).to_value(), Value::Bool(true)));
        assert!(matches!(u128::MAX.to_value(), Value::F64(_)));
        assert!(matches!((&&7i64).to_value(), Value::I64(7)));
        assert!(matches!(Value::from(Some("z")), Value::Str("z")));
    }

    #[test]
    fn owned_values_round_trip() {
        #[derive(serde::Serialize)]
        struct Order {
            id: u32,
        }
        let order = Order { id: 7 };
        let owned = Value::serde(&order).to_owned_value();
        assert_eq!(owned, OwnedValue::Json(r#"{"id":7}"#.into()));
        let err = std::io::Error::other("boom");
        assert_eq!(
            Value::error(&err).to_owned_value(),
            OwnedValue::Str("boom".into())
        );
        assert_eq!(
            Value::Str("a").to_owned_value().as_value().to_owned_value(),
            OwnedValue::Str("a".into())
        );
    }
}
