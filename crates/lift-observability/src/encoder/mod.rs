//! Encoders: turn one entry into one line of JSON or console text, into a caller-owned buffer,
//! redacting as they write.
//!
//! [`Encoder`] picks the format; [`JsonEncoder`] writes the flat, Lambda-shaped JSON object
//! CloudWatch Logs Insights and Powertools users expect, [`ConsoleEncoder`] a human-readable
//! `key=value` line. Both are hand-written: no `serde_json::Value`, no map per entry, and the
//! context a child logger carries arrives pre-encoded and is copied in with one `memcpy`.
//! There is one path per entry: each key is decided by the [`Redactor`]'s key rules and
//! each value is redacted while it is written (see [`crate::redact`]).
//!
//! # Key order and reserved keys
//! `timestamp`, `level`, `message`, then the context (`service`, `request_id`,
//! `correlation_id`, `tenant_id`, `user_id`, `trace_id`, `span_id`, `cold_start`,
//! `function_name`, then context fields in the order they were added), then the entry's
//! fields in call order. The keys in [`RESERVED_KEYS`] belong to Lift: a user field (in the
//! context or on an entry) with one of those names is written as `field_<name>` instead
//! (`"level"` → `"field_level"`), so it can never overwrite or duplicate Lift's own key; when
//! the context and the entry both write one such `field_<name>` key, the line holds it once,
//! with the entry's value. Other duplicate user keys are written as given (the last one wins
//! in most JSON readers).
//!
//! # Value rules
//! Strings are escaped (see the `escape` module) and redacted; non-finite floats become the strings
//! `"NaN"`, `"inf"`, `"-inf"` (inside nested `Serialize` values serde writes them as
//! `null`); durations are fractional milliseconds; errors are `"message: cause: root cause"`;
//! a `Serialize` value that fails half-way is replaced by a string saying so, never by
//! broken JSON.

mod console;
pub(crate) mod json;
mod profile;

pub(crate) use crate::numbers::{non_finite_name, write_duration_millis, write_finite_f64};
pub use console::ConsoleEncoder;
pub use json::JsonEncoder;
pub use profile::KeyProfile;

use crate::context::LogContext;
use crate::level::Level;
use crate::redact::Redactor;
use crate::value::{Field, Value};

/// Appends `s` escaped as the contents of a JSON string (without the surrounding quotes),
/// by the rules Lift's JSON lines use: RFC 8259 plus `\u2028`/`\u2029`. For writers of
/// other JSON documents that carry Lift's text, such as a `PutLogEvents` request body.
///
/// ```
/// let mut out = Vec::new();
/// lift_observability::escape_json_str(&mut out, "say \"hi\"\n");
/// assert_eq!(out, br#"say \"hi\"\n"#);
/// ```
pub fn escape_json_str(out: &mut Vec<u8>, s: &str) {
    crate::escape::json_str(out, s);
}

/// Keys Lift writes itself; a user field with one of these names is renamed `field_<name>`.
pub const RESERVED_KEYS: [&str; 14] = [
    "timestamp",
    "level",
    "message",
    "service",
    "request_id",
    "correlation_id",
    "tenant_id",
    "user_id",
    "trace_id",
    "span_id",
    "cold_start",
    "function_name",
    "_aws",
    "truncated",
];

/// The keys the `powertools` key profile adds; under that profile a user field with one of
/// these names is renamed `field_<name>` too (under Lift's keys they are ordinary names).
pub const POWERTOOLS_KEYS: [&str; 5] = [
    "location",
    "function_request_id",
    "xray_trace_id",
    "function_arn",
    "function_memory_size",
];

/// Whether `key` is one of [`POWERTOOLS_KEYS`].
#[inline]
pub(crate) fn is_powertools_key(key: &str) -> bool {
    (8..=20).contains(&key.len()) && POWERTOOLS_KEYS.contains(&key)
}

/// The prefix given to a user field whose key is reserved.
pub const RESERVED_KEY_PREFIX: &str = "field_";

/// Whether `key` is one of [`RESERVED_KEYS`].
#[inline]
pub fn is_reserved_key(key: &str) -> bool {
    // Cheap rejection first: every reserved key is 4 to 14 bytes long and starts with one of
    // `_cflmrstu`, which most user keys fail.
    const FIRST: u32 = (1 << (b'c' - b'_'))
        | (1 << (b'f' - b'_'))
        | (1 << (b'l' - b'_'))
        | (1 << (b'm' - b'_'))
        | (1 << (b'r' - b'_'))
        | (1 << (b's' - b'_'))
        | (1 << (b't' - b'_'))
        | (1 << (b'u' - b'_'))
        | 1;
    let Some(&first) = key.as_bytes().first() else {
        return false;
    };
    let offset = first.wrapping_sub(b'_');
    if !(4..=14).contains(&key.len()) || offset >= 32 || FIRST & (1 << offset) == 0 {
        return false;
    }
    matches!(
        key,
        "timestamp"
            | "level"
            | "message"
            | "service"
            | "request_id"
            | "correlation_id"
            | "tenant_id"
            | "user_id"
            | "trace_id"
            | "span_id"
            | "cold_start"
            | "function_name"
            | "_aws"
            | "truncated"
    )
}

/// Whether a literal key's `,"key":` can be built at compile time: it needs no escaping,
/// nothing in it could be redacted ([`literal_is_inert`]), its key rule is to scan the
/// value, and it is not one of Lift's reserved keys. A `const fn`, so the macros decide at
/// compile time.
///
/// [`literal_is_inert`]: crate::redact::text::literal_is_inert
#[doc(hidden)]
pub const fn key_is_plain_and_unreserved(key: &str) -> bool {
    // A pair's value key is judged by the fields before it, at run time.
    if crate::redact::pairs::is_value_key(key.as_bytes()) {
        return false;
    }
    if !crate::redact::text::literal_is_inert(key)
        || !matches!(
            crate::redact::builtin_key_rule(key),
            crate::redact::KeyRule::Scan
        )
    {
        return false;
    }
    let mut r = 0;
    while r < RESERVED_KEYS.len() {
        if const_str_eq(key, RESERVED_KEYS[r]) {
            return false;
        }
        r += 1;
    }
    true
}

const fn const_str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// One entry, as handed to an encoder.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// Unix milliseconds.
    pub timestamp_ms: i64,
    /// Severity.
    pub level: Level,
    /// The message.
    pub message: &'a str,
    /// The call site as `module::path:line` (empty when unknown); written as `location`
    /// under the `powertools` key profile.
    pub location: &'a str,
    /// The logger's context, pre-encoded by the same encoder ([`Encoder::encode_context`]).
    pub context: &'a [u8],
    /// The entry's own fields.
    pub fields: &'a [Field<'a>],
}

/// The output format of a logger.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Encoder {
    /// One JSON object per line.
    Json(JsonEncoder),
    /// Human-readable text, one line per entry.
    Console(ConsoleEncoder),
}

impl Encoder {
    /// Appends one encoded entry to `out`, redacted by `redactor`, without a trailing
    /// newline.
    #[inline]
    pub fn encode_entry(&self, entry: &Entry<'_>, redactor: &Redactor, out: &mut Vec<u8>) {
        match self {
            Encoder::Json(e) => e.encode_entry(entry, redactor, out),
            Encoder::Console(e) => e.encode_entry(entry, redactor, out),
        }
    }

    /// Appends one sticky field as [`encode_context`](Self::encode_context) writes it after
    /// the context's other keys: a child logger adding a field extends its parent's encoding.
    pub(crate) fn encode_sticky_field(
        &self,
        key: &str,
        value: Value<'_>,
        redactor: &Redactor,
        out: &mut Vec<u8>,
    ) {
        self.encode_context_field(key, value, false, redactor, out);
    }

    /// Appends one of a context's fields: one of Lift's own keys (`own`) or a sticky field.
    fn encode_context_field(
        &self,
        key: &str,
        value: Value<'_>,
        own: bool,
        redactor: &Redactor,
        out: &mut Vec<u8>,
    ) {
        let field = Field::new(key, value);
        match self {
            Encoder::Json(e) => e.write_field(out, &field, redactor, own),
            Encoder::Console(e) => e.write_field(out, &field, redactor, own),
        }
    }

    /// Appends a context's fields, redacted, in the form [`Entry::context`] expects. Every
    /// value is redacted, Lift's own ids too: a caller can set any of them.
    pub fn encode_context(&self, context: &LogContext, redactor: &Redactor, out: &mut Vec<u8>) {
        let profile = match self {
            Encoder::Json(e) => e.profile(),
            Encoder::Console(_) => KeyProfile::Lift,
        };
        context.visit(|key, value, own| {
            let key = if own {
                match profile.own_key(key) {
                    Some(key) => key,
                    None => return,
                }
            } else {
                key
            };
            self.encode_context_field(key, value, own, redactor, out);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_key_list_and_matcher_agree() {
        for key in RESERVED_KEYS {
            assert!(is_reserved_key(key), "{key}");
        }
        assert!(!is_reserved_key("levels"));
        assert!(!is_reserved_key("field_level"));
    }

    #[test]
    fn compile_time_key_check() {
        assert!(key_is_plain_and_unreserved("amount"));
        assert!(key_is_plain_and_unreserved("a_b-c.d"));
        assert!(
            !key_is_plain_and_unreserved("Amex CID 1234"),
            "a name and a value after a blank"
        );
        assert!(!key_is_plain_and_unreserved("level"));
        assert!(!key_is_plain_and_unreserved("_aws"));
        assert!(!key_is_plain_and_unreserved("k\"ey"));
        assert!(!key_is_plain_and_unreserved("é"));
        assert!(!key_is_plain_and_unreserved("tab\t"));
        assert!(!key_is_plain_and_unreserved("card_cvv"), "a removed key");
        assert!(
            !key_is_plain_and_unreserved("4111111111111111"),
            "a card number"
        );
        assert!(
            !key_is_plain_and_unreserved("ratio:x"),
            "a name-value separator"
        );
    }
}
