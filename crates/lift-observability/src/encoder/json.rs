//! The JSON encoder: one flat JSON object per line, keys in a fixed order, redacted as it
//! is written.
//!
//! Output is valid RFC 8259 JSON whatever the input (see the parent module for the value
//! rules). Layout: `{"timestamp":…,"level":…,"message":…` + pre-encoded context + fields +
//! `}`. Every field is written as `,"key":value`, which is why context bytes can be spliced
//! in unchanged. A field whose key was checked at compile time (a literal key in a logging
//! macro) has its `,"key":` ready to copy; any other key is judged by the key rules and
//! written through the same redacting string writer as values.

use std::fmt::Write as _;

use super::profile::{KeyProfile, to_python_timestamp};
use super::{
    Entry, RESERVED_KEY_PREFIX, is_reserved_key, non_finite_name, write_duration_millis,
    write_finite_f64,
};
use crate::level::Level;
use crate::nested::{with_scratch, write_serialize};
use crate::redact::pairs::{self, PairRole};
use crate::redact::{KeyRule, Redactor, jwk, keys};
use crate::timestamp::write_rfc3339_millis;
use crate::value::{Field, Value, write_error_chain};

/// Encodes entries as one JSON object per line.
#[derive(Debug, Clone, Default)]
pub struct JsonEncoder {
    profile: KeyProfile,
}

impl JsonEncoder {
    /// A JSON encoder with Lift's keys.
    pub fn new() -> Self {
        Self::default()
    }

    /// A JSON encoder writing the keys of `profile`.
    pub fn with_profile(profile: KeyProfile) -> Self {
        Self { profile }
    }

    /// The key profile.
    pub fn profile(&self) -> KeyProfile {
        self.profile
    }

    /// Appends the entry as one JSON object (no trailing newline), redacted by `redactor`.
    #[inline]
    pub fn encode_entry(&self, entry: &Entry<'_>, redactor: &Redactor, out: &mut Vec<u8>) {
        match self.profile {
            KeyProfile::Lift => write_head(out, entry),
            KeyProfile::Powertools => write_powertools_head(out, entry),
        }
        redactor.write_json_str(out, entry.message);
        out.push(b'"');
        if self.profile == KeyProfile::Powertools {
            out.extend_from_slice(b",\"timestamp\":\"");
            let start = out.len();
            write_rfc3339_millis(out, entry.timestamp_ms);
            to_python_timestamp(out, start);
            out.push(b'"');
        }
        out.extend_from_slice(entry.context);
        // One loop per profile, so Lift's keys pay nothing for Powertools' reserved names.
        match self.profile {
            KeyProfile::Lift => {
                for field in entry.fields {
                    write_field_as::<false>(out, field, redactor, false);
                }
            }
            KeyProfile::Powertools => {
                for field in entry.fields {
                    write_field_as::<true>(out, field, redactor, false);
                }
            }
        }
        out.push(b'}');
    }

    /// Appends `,"key":value` as the key rules say: a removed field is left out, a secret
    /// written as `"[REDACTED]"`, a safe one as given, anything else redacted as it is
    /// written. `own_key` marks Lift's own context keys, which bypass the reserved-key
    /// rename and the key rules (their values are still scanned).
    #[inline]
    pub(crate) fn write_field(
        &self,
        out: &mut Vec<u8>,
        field: &Field<'_>,
        redactor: &Redactor,
        own_key: bool,
    ) {
        match self.profile {
            KeyProfile::Lift => write_field_as::<false>(out, field, redactor, own_key),
            KeyProfile::Powertools => write_field_as::<true>(out, field, redactor, own_key),
        }
    }
}

/// [`JsonEncoder::write_field`] for one profile: under Powertools' keys
/// (`POWERTOOLS = true`) its own names are reserved too.
#[inline(always)]
fn write_field_as<const POWERTOOLS: bool>(
    out: &mut Vec<u8>,
    field: &Field<'_>,
    redactor: &Redactor,
    own_key: bool,
) {
    let rule = if own_key {
        if redactor.is_enabled() {
            KeyRule::Scan
        } else {
            KeyRule::Safe
        }
    } else {
        match field.json_key() {
            Some(_) => redactor.key_rule_with(field.key, KeyRule::Scan),
            None => redactor.key_rule(field.key),
        }
    };
    if rule == KeyRule::Remove {
        return removed_field::<POWERTOOLS>(out, field, redactor, own_key);
    }
    write_field_with::<POWERTOOLS>(out, field, redactor, own_key, rule);
}

/// A field named for sensitive authentication data: left out and counted — unless its value
/// reports on the data (a gateway's `cvv_code: "M"`), which is written as any field's.
#[cold]
#[inline(never)]
fn removed_field<const POWERTOOLS: bool>(
    out: &mut Vec<u8>,
    field: &Field<'_>,
    redactor: &Redactor,
    own_key: bool,
) {
    if field.value.reports_on_card_data() {
        write_field_with::<POWERTOOLS>(out, field, redactor, own_key, KeyRule::Scan);
    } else {
        redactor.counts().add_sad();
    }
}

/// [`write_field_as`] once the key's rule is known (not [`KeyRule::Remove`]).
#[inline(always)]
fn write_field_with<const POWERTOOLS: bool>(
    out: &mut Vec<u8>,
    field: &Field<'_>,
    redactor: &Redactor,
    own_key: bool,
    rule: KeyRule,
) {
    let powertools_name = POWERTOOLS && !own_key && super::is_powertools_key(field.key);
    match field.json_key() {
        Some(key) if !own_key && !powertools_name => key.write(out),
        _ => {
            out.extend_from_slice(b",\"");
            if !own_key && (powertools_name || is_reserved_key(field.key)) {
                out.extend_from_slice(RESERVED_KEY_PREFIX.as_bytes());
            }
            redactor.write_json_str(out, field.key);
            out.extend_from_slice(b"\":");
        }
    }
    let rule = match rule {
        KeyRule::Scan if !own_key && field.json_key().is_none() => {
            pair_value_rule(redactor, field.key, out)
        }
        rule => rule,
    };
    match rule {
        KeyRule::Scan => write_value(out, field.key, field.value, Some(redactor)),
        KeyRule::Safe => write_value(out, field.key, field.value, None),
        // Only a pair's value gets here removed (a removed key was left out above): its
        // key stands already, so the value is written as a nested pair's is.
        sensitive => write_marker(out, field, redactor, sensitive),
    }
}

/// A removed pair's value or a secret's: its marker, counted — or the value as it is when
/// it hides nothing: `null` (that it is not set is what a reader looks for), a boolean, a
/// check's result under a name for card data (`"M"`: written as any value).
#[cold]
fn write_marker(out: &mut Vec<u8>, field: &Field<'_>, redactor: &Redactor, rule: KeyRule) {
    if rule == KeyRule::Remove && field.value.reports_on_card_data() {
        write_value(out, field.key, field.value, Some(redactor));
    } else if let Some(plain) = field.value.plain() {
        out.extend_from_slice(plain.json().as_bytes());
    } else if rule == KeyRule::Remove {
        redactor.counts().add_sad();
        out.extend_from_slice(b"\"[REMOVED]\"");
    } else {
        redactor.counts().add_secret_key();
        out.extend_from_slice(b"\"[REDACTED]\"");
    }
}

/// The rule for a field whose key (just written to `out`) may be a pair's value
/// (`"name":"DB_PASSWORD","value":…`): what the fields before it say, else none.
#[inline]
pub(super) fn pair_value_rule(redactor: &Redactor, key: &str, out: &[u8]) -> KeyRule {
    if pairs::role(key.as_bytes()) != PairRole::Value {
        return KeyRule::Scan;
    }
    pairs::verdict_of_field(redactor, out)
}

/// Reserves room for the typical line (so the appends rarely grow the buffer) and writes
/// everything up to the message's text: `{"timestamp":"…","level":"…","message":"`.
#[inline(always)]
fn write_head(out: &mut Vec<u8>, entry: &Entry<'_>) {
    out.reserve(96 + entry.message.len() + entry.context.len() + 48 * entry.fields.len());
    out.extend_from_slice(b"{\"timestamp\":\"");
    write_rfc3339_millis(out, entry.timestamp_ms);
    out.extend_from_slice(match entry.level {
        Level::Trace => b"\",\"level\":\"TRACE\",\"message\":\"",
        Level::Debug => b"\",\"level\":\"DEBUG\",\"message\":\"",
        Level::Info => b"\",\"level\":\"INFO\",\"message\":\"",
        Level::Warn => b"\",\"level\":\"WARN\",\"message\":\"",
        Level::Error => b"\",\"level\":\"ERROR\",\"message\":\"",
    });
}

/// Powertools' opening: `{"level":"WARNING","location":"module:line","message":"` (no
/// location when the entry has none); the timestamp follows the message.
fn write_powertools_head(out: &mut Vec<u8>, entry: &Entry<'_>) {
    out.reserve(112 + entry.message.len() + entry.context.len() + 48 * entry.fields.len());
    out.extend_from_slice(b"{\"level\":\"");
    out.extend_from_slice(KeyProfile::Powertools.level_name(entry.level).as_bytes());
    if !entry.location.is_empty() {
        out.extend_from_slice(b"\",\"location\":\"");
        crate::escape::json_str(out, entry.location);
    }
    out.extend_from_slice(b"\",\"message\":\"");
}

/// Writes a string's JSON contents, redacted unless `redactor` is `None`.
#[inline(always)]
fn write_text(out: &mut Vec<u8>, s: &str, redactor: Option<&Redactor>) {
    match redactor {
        Some(r) => r.write_json_str(out, s),
        None => crate::escape::json_str(out, s),
    }
}

/// Writes a masked card number as a JSON string.
fn write_masked(out: &mut Vec<u8>, masked: &[u8]) {
    out.push(b'"');
    out.extend_from_slice(masked);
    out.push(b'"');
}

/// Appends one value as JSON, redacted by `redactor` (`None`: as given). `key` decides
/// whether a number may be a card number (never under a key naming a time).
#[inline]
pub(crate) fn write_value(
    out: &mut Vec<u8>,
    key: &str,
    value: Value<'_>,
    redactor: Option<&Redactor>,
) {
    match value {
        Value::Str(s) => {
            out.push(b'"');
            match redactor {
                // A payload in base64 (an event's `body`): read as the text it encodes.
                Some(r) if keys::is_payload_key(key.as_bytes()) => r.write_json_payload(out, s),
                // A JSON Web Key's private member (`d`, `k`): its key material.
                Some(r)
                    if jwk::is_private_member(key.as_bytes())
                        && r.is_key_material(jwk::is_symmetric_member(key.as_bytes()), s) =>
                {
                    r.write_key_material(out)
                }
                _ => write_text(out, s, redactor),
            }
            out.push(b'"');
        }
        Value::I64(v) => {
            match redactor.and_then(|r| r.masked_integer(key, v.unsigned_abs(), v < 0)) {
                Some((masked, n)) => write_masked(out, &masked[..n]),
                None => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
            }
        }
        Value::U64(v) => match redactor.and_then(|r| r.masked_integer(key, v, false)) {
            Some((masked, n)) => write_masked(out, &masked[..n]),
            None => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
        },
        Value::F64(v) => {
            if let Some((masked, n)) = redactor.and_then(|r| r.masked_float(key, v)) {
                write_masked(out, &masked[..n]);
            } else if write_finite_f64(out, v).is_none() {
                out.push(b'"');
                out.extend_from_slice(non_finite_name(v).as_bytes());
                out.push(b'"');
            }
        }
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Null => out.extend_from_slice(b"null"),
        Value::Duration(d) => write_duration_millis(out, d),
        Value::Error(e) => with_scratch(|text: &mut String| {
            write_error_chain(text, e);
            out.push(b'"');
            write_text(out, text, redactor);
            out.push(b'"');
        }),
        Value::Display(d) => with_scratch(|text: &mut String| {
            let _ = write!(text, "{d}");
            out.push(b'"');
            write_text(out, text, redactor);
            out.push(b'"');
        }),
        Value::Serde(s) => write_serialize(out, s, redactor),
        Value::Json(j) => match serde_json::from_str::<serde_json::Value>(j.as_str()) {
            // Captured context values (once per child logger): re-read and written like
            // any nested value, so the redaction rules apply to them too.
            Ok(parsed) => write_serialize(out, &parsed, redactor),
            Err(_) => {
                out.push(b'"');
                write_text(out, j.as_str(), redactor);
                out.push(b'"');
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(fields: &[Field<'_>], redactor: &Redactor) -> String {
        let mut out = Vec::new();
        let entry = Entry {
            timestamp_ms: 0,
            level: Level::Info,
            message: "m",
            location: "",
            context: b"",
            fields,
        };
        JsonEncoder::new().encode_entry(&entry, redactor, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn keys_decide_and_values_are_redacted_as_written() {
        let r = Redactor::new();
        let text = line(
            &[
                Field::new("card_cvv", Value::Str("737")),
                Field::new("secretKey", Value::Str("s3cr3t")),
                Field::new("level", Value::Str("x")),
                Field::new("4111111111111111", Value::U64(4_111_111_111_111_111)),
                Field::new("ts", Value::U64(4_111_111_111_111_111)),
                Field::new("f", Value::F64(4_111_111_111_111_111.0)),
                Field::new("note", Value::Str("pay 4111 1111 1111 1111 now")),
            ],
            &r,
        );
        assert_eq!(
            text,
            r#"{"timestamp":"1970-01-01T00:00:00.000Z","level":"INFO","message":"m","secretKey":"[REDACTED]","field_level":"x","411111******1111":"411111******1111","ts":4111111111111111,"f":"411111******1111","note":"pay 4111 11** **** 1111 now"}"#
        );
    }

    #[test]
    fn a_secret_that_is_not_set_is_written_as_null() {
        let r = Redactor::new();
        let none = None::<String>;
        let text = line(
            &[
                Field::new("api_key", Value::Null),
                Field::new("password", Value::serde(&none)),
                Field::new("token", Value::Str("t")),
            ],
            &r,
        );
        assert!(
            text.ends_with(r#""api_key":null,"password":null,"token":"[REDACTED]"}"#),
            "{text}"
        );
        assert_eq!(r.stats().secret_keys, 1);
    }

    #[test]
    fn a_flag_under_a_secret_s_name_is_written_as_it_is() {
        // Each was `"[REDACTED]"`: one bit holds no secret.
        let r = Redactor::new();
        let set = Some(true);
        let text = line(
            &[
                Field::new("password_set", Value::Bool(false)),
                Field::new("has_api_key", Value::serde(&set)),
                Field::new("token", Value::Str("true")),
            ],
            &r,
        );
        assert!(
            text.ends_with(r#""password_set":false,"has_api_key":true,"token":"[REDACTED]"}"#),
            "{text}"
        );
        assert_eq!(r.stats().secret_keys, 1);
    }
}
