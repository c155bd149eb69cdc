//! The JSON encoder: one flat JSON object per line, keys in a fixed order.
//!
//! Output is valid RFC 8259 JSON whatever the input (see the parent module for the value
//! rules). Layout: `{"timestamp":…,"level":…,"message":…` + pre-encoded context + fields +
//! `}`. Every field is written as `,"key":value`, which is why context bytes can be spliced
//! in unchanged.

use std::fmt::Write as _;

use super::{
    Entry, EscapingWriter, RESERVED_KEY_PREFIX, is_reserved_key, non_finite_name,
    write_duration_millis, write_error_chain, write_finite_f64, write_serde_json,
};
use crate::escape;
use crate::level::Level;
use crate::redact::value_is_clean;
use crate::timestamp::write_rfc3339_millis;
use crate::value::{JsonKey, Value};

/// Encodes entries as one JSON object per line.
#[derive(Debug, Clone, Default)]
pub struct JsonEncoder {
    _private: (),
}

impl JsonEncoder {
    /// A JSON encoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends the entry as one JSON object (no trailing newline).
    #[inline]
    pub fn encode_entry(&self, entry: &Entry<'_>, out: &mut Vec<u8>) {
        write_head(out, entry);
        escape::json_str(out, entry.message);
        out.push(b'"');
        out.extend_from_slice(entry.context);
        for field in entry.fields {
            match field.json_key() {
                Some(key) => {
                    key.write(out);
                    write_value(out, field.value);
                }
                None => self.write_field(out, field.key, field.value, false),
            }
        }
        out.push(b'}');
    }

    /// Like [`encode_entry`](Self::encode_entry) with the fields written by `write_fields`,
    /// checking while it writes that the built-in redaction rules would change nothing: the
    /// message needs no scan and `write_fields` (see [`write_field_if_clean`]) answers that
    /// every field was clean. Returns `false` at the first thing that needs a closer look;
    /// `out` then holds a partial line the caller discards. One walk over the entry instead
    /// of two. The logger passes a function over its field array; the logging macros pass
    /// one that writes each field straight from its typed value, and `message_is_clean`
    /// when [`literal_message_is_clean`] held for a literal message at compile time.
    #[inline(always)]
    pub(crate) fn encode_entry_with_fields_if_clean(
        &self,
        entry: &Entry<'_>,
        out: &mut Vec<u8>,
        message_is_clean: bool,
        write_fields: impl FnOnce(&mut Vec<u8>) -> bool,
    ) -> bool {
        write_head(out, entry);
        if message_is_clean {
            out.extend_from_slice(entry.message.as_bytes());
        } else if escape::json_str_prescanned(out, entry.message) {
            return false;
        }
        out.push(b'"');
        out.extend_from_slice(entry.context);
        if !write_fields(out) {
            return false;
        }
        out.push(b'}');
        true
    }

    /// Appends `,"key":value`. `own_key` marks Lift's own context keys, which bypass the
    /// reserved-key rename.
    #[inline]
    pub(crate) fn write_field(
        &self,
        out: &mut Vec<u8>,
        key: &str,
        value: Value<'_>,
        own_key: bool,
    ) {
        out.extend_from_slice(b",\"");
        if !own_key && is_reserved_key(key) {
            out.extend_from_slice(RESERVED_KEY_PREFIX.as_bytes());
        }
        escape::json_str(out, key);
        out.extend_from_slice(b"\":");
        write_value(out, value);
    }
}

/// Reserves room for the typical line (so the appends rarely grow the buffer) and writes
/// everything up to the message's text: `{"timestamp":"…","level":"…","message":"`.
#[inline(always)]
fn write_head(out: &mut Vec<u8>, entry: &Entry<'_>) {
    out.reserve(96 + entry.message.len() + entry.context.len() + 48 * entry.fields.len());
    out.extend_from_slice(b"{\"timestamp\":\"");
    write_rfc3339_millis(out, entry.timestamp_ms);
    // One constant-size copy per level (inlined moves, no `memcpy` call).
    match entry.level {
        Level::Trace => out.extend_from_slice(b"\",\"level\":\"TRACE\",\"message\":\""),
        Level::Debug => out.extend_from_slice(b"\",\"level\":\"DEBUG\",\"message\":\""),
        Level::Info => out.extend_from_slice(b"\",\"level\":\"INFO\",\"message\":\""),
        Level::Warn => out.extend_from_slice(b"\",\"level\":\"WARN\",\"message\":\""),
        Level::Error => out.extend_from_slice(b"\",\"level\":\"ERROR\",\"message\":\""),
    }
}

/// Appends `,"key":value` if the built-in redaction rules would leave the field as it is:
/// the key was checked at compile time (`json_key`, see the logging macros) and the value
/// passes [`value_is_clean`] (strings are checked while they are escaped). Returns `false`
/// at once otherwise, leaving a partial field the caller discards with the line. Inlined:
/// where the value's type is known (a macro call site), the match on it folds away.
#[doc(hidden)]
#[inline(always)]
pub fn write_field_if_clean(
    out: &mut Vec<u8>,
    key: &str,
    json_key: Option<&JsonKey>,
    value: Value<'_>,
) -> bool {
    let Some(json_key) = json_key else {
        return false;
    };
    json_key.write(out);
    if let Value::Str(s) = value {
        // Escaping and the pre-scan read the string's words once.
        out.push(b'"');
        if escape::json_str_prescanned(out, s) {
            return false;
        }
        out.push(b'"');
        true
    } else if value_is_clean(key, value) {
        write_value(out, value);
        true
    } else {
        false
    }
}

/// Whether a message known at compile time can be copied into a JSON line as it is on the
/// one-pass path: printable ASCII without `"` or `\\` (nothing to escape) and nothing the
/// redaction pre-scan would flag (`redact::text::needs_scan`: under 13 bytes an `=`; from
/// 13, 13 or more digits or one of `=%ABbJ`). The logging macros evaluate it in a `const`
/// block for a literal message, so such a message is not scanned at run time.
#[doc(hidden)]
pub const fn literal_message_is_clean(message: &str) -> bool {
    let bytes = message.as_bytes();
    let long = bytes.len() >= 13;
    let mut digits = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x20 || b >= 0x80 || b == b'"' || b == b'\\' || b == b'=' {
            return false;
        }
        if long && matches!(b, b'%' | b'A' | b'B' | b'b' | b'J') {
            return false;
        }
        if b.is_ascii_digit() {
            digits += 1;
        }
        i += 1;
    }
    !long || digits < 13
}

/// Appends one value as JSON. Inlined into the field loop: a call per field costs more
/// than the match it would save in code size.
#[inline(always)]
pub(crate) fn write_value(out: &mut Vec<u8>, value: Value<'_>) {
    match value {
        Value::Str(s) => {
            out.push(b'"');
            escape::json_str(out, s);
            out.push(b'"');
        }
        Value::I64(v) => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
        Value::U64(v) => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
        Value::F64(v) => {
            if write_finite_f64(out, v).is_none() {
                out.push(b'"');
                out.extend_from_slice(non_finite_name(v).as_bytes());
                out.push(b'"');
            }
        }
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Null => out.extend_from_slice(b"null"),
        Value::Duration(d) => write_duration_millis(out, d),
        Value::Error(e) => {
            out.push(b'"');
            write_error_chain(&mut EscapingWriter::json(out), e);
            out.push(b'"');
        }
        Value::Display(d) => {
            out.push(b'"');
            let _ = write!(EscapingWriter::json(out), "{d}");
            out.push(b'"');
        }
        Value::Serde(s) => write_serde_json(out, s),
        Value::Json(j) => out.extend_from_slice(j.as_str().as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the run-time path does with a message: its JSON text and the pre-scan's verdict.
    fn at_run_time(message: &str) -> (Vec<u8>, bool) {
        let mut out = Vec::new();
        let flagged = escape::json_str_prescanned(&mut out, message);
        (out, flagged)
    }

    #[test]
    fn literal_messages_are_judged_like_the_run_time_path() {
        for clean in [
            "Charge captured",
            "",
            "GET /v1/charges 200 in 12 ms",
            "x y z",
        ] {
            assert!(literal_message_is_clean(clean), "{clean:?}");
            assert_eq!(at_run_time(clean), (clean.as_bytes().to_vec(), false));
        }
        for unclean in [
            "a=b",
            "quote \" inside",
            "back\\slash",
            "line\nbreak",
            "caf\u{e9} au lait",
            "Authorization: Bearer abc",
            "card 4111 1111 1111 1111 declined",
            "discount 100% applied",
            "AKIA in the message",
        ] {
            assert!(!literal_message_is_clean(unclean), "{unclean:?}");
        }
        // Under 13 bytes only `=` counts for the pre-scan, as at run time.
        assert!(literal_message_is_clean("Bad JSON A%"));
        assert!(!at_run_time("Bad JSON A%").1);
    }

    proptest! {
        #[test]
        fn a_literal_judged_clean_is_copied_unchanged_and_unflagged_at_run_time(
            message in prop_oneof![any::<String>(), "[ -~]{0,40}", "[0-9a-z =%ABbJ]{0,30}"]
        ) {
            if literal_message_is_clean(&message) {
                prop_assert_eq!(at_run_time(&message), (message.as_bytes().to_vec(), false));
            } else {
                let (out, flagged) = at_run_time(&message);
                prop_assert!(flagged || out != message.as_bytes() || !message.is_ascii()
                    || message.bytes().any(|b| b < 0x20));
            }
        }
    }
}
