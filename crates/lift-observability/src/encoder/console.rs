//! The console encoder: human-readable `timestamp LEVEL message key=value…` lines.
//!
//! Every entry is exactly one line: control characters, CR/LF, ANSI escape sequences,
//! U+2028/U+2029 and bidi overrides in the message, keys or values are escaped, so nothing
//! a user logs can forge a line or recolour the terminal. Values that are not plain tokens
//! are double-quoted. Colours (the level only) are used only when the encoder was built with
//! them, which the logger does only when the sink is a terminal and `NO_COLOR` is unset.

use std::borrow::Cow;
use std::fmt::Write as _;

use super::{
    Entry, RESERVED_KEY_PREFIX, is_reserved_key, non_finite_name, write_duration_millis,
    write_finite_f64,
};
use crate::escape;
use crate::level::Level;
use crate::nested::{with_scratch, write_serialize};
use crate::redact::{KeyRule, Redactor, jwk, keys};
use crate::timestamp::write_rfc3339_millis;
use crate::value::{Field, Value, write_error_chain};

/// Encodes entries as human-readable lines.
#[derive(Debug, Clone, Default)]
pub struct ConsoleEncoder {
    color: bool,
}

impl ConsoleEncoder {
    /// A console encoder; `color` turns on ANSI colours for the level.
    pub fn new(color: bool) -> Self {
        Self { color }
    }

    /// Whether this encoder writes ANSI colours.
    pub fn color(&self) -> bool {
        self.color
    }

    /// Appends the entry as one line of text (no trailing newline), redacted by `redactor`.
    pub fn encode_entry(&self, entry: &Entry<'_>, redactor: &Redactor, out: &mut Vec<u8>) {
        write_rfc3339_millis(out, entry.timestamp_ms);
        out.push(b' ');
        if self.color {
            out.extend_from_slice(level_color(entry.level).as_bytes());
            out.extend_from_slice(entry.level.padded().as_bytes());
            out.extend_from_slice(b"\x1b[0m");
        } else {
            out.extend_from_slice(entry.level.padded().as_bytes());
        }
        out.push(b' ');
        escape::console_bare(out, &redactor.redact(entry.message));
        out.extend_from_slice(entry.context);
        for field in entry.fields {
            self.write_field(out, field, redactor, false);
        }
    }

    /// Appends ` key=value` as the key rules say (see the JSON encoder's `write_field`).
    pub(crate) fn write_field(
        &self,
        out: &mut Vec<u8>,
        field: &Field<'_>,
        redactor: &Redactor,
        own_key: bool,
    ) {
        let rule = match (own_key, redactor.is_enabled()) {
            (_, false) => KeyRule::Safe,
            (true, true) => KeyRule::Scan,
            (false, true) => redactor.key_rule(field.key),
        };
        // Sensitive authentication data's field is left out — unless its value reports on
        // the data (a gateway's `cvv_code=M`): then it is written as any.
        let rule = match rule {
            KeyRule::Remove if field.value.reports_on_card_data() => KeyRule::Scan,
            KeyRule::Remove => {
                redactor.counts().add_sad();
                return;
            }
            rule => rule,
        };
        out.push(b' ');
        let key = redactor.redact(field.key);
        let renamed = !own_key && is_reserved_key(&key);
        if escape::console_token_is_bare(&key) {
            if renamed {
                out.extend_from_slice(RESERVED_KEY_PREFIX.as_bytes());
            }
            out.extend_from_slice(key.as_bytes());
        } else {
            out.push(b'"');
            escape::console_quoted(out, &key);
            out.push(b'"');
        }
        out.push(b'=');
        let rule = match rule {
            KeyRule::Scan if !own_key => super::json::pair_value_rule(redactor, field.key, out),
            rule => rule,
        };
        match rule {
            // Nothing or a flag under a sensitive name: nothing to hide.
            KeyRule::Remove | KeyRule::Secret if field.value.plain().is_some() => {
                write_value(out, field.key, field.value, None)
            }
            // Only a pair's value gets here removed (a removed key was left out above),
            // unless it reports on the data.
            KeyRule::Remove if field.value.reports_on_card_data() => {
                write_value(out, field.key, field.value, Some(redactor))
            }
            KeyRule::Remove => {
                redactor.counts().add_sad();
                out.extend_from_slice(crate::redact::text::REMOVED.as_bytes());
            }
            KeyRule::Secret => {
                redactor.counts().add_secret_key();
                out.extend_from_slice(crate::redact::text::REDACTED.as_bytes());
            }
            KeyRule::Safe => write_value(out, field.key, field.value, None),
            _ => write_value(out, field.key, field.value, Some(redactor)),
        }
    }
}

fn level_color(level: Level) -> &'static str {
    match level {
        Level::Trace => "\x1b[35m",
        Level::Debug => "\x1b[34m",
        Level::Info => "\x1b[32m",
        Level::Warn => "\x1b[33m",
        Level::Error => "\x1b[31m",
    }
}

/// Text redacted unless `redactor` is `None`.
fn redacted<'a>(s: &'a str, redactor: Option<&Redactor>) -> Cow<'a, str> {
    match redactor {
        Some(r) => r.redact(s),
        None => Cow::Borrowed(s),
    }
}

/// A string value: bare when it is a plain token, else quoted and escaped.
fn write_text(out: &mut Vec<u8>, s: &str) {
    if escape::console_token_is_bare(s) {
        out.extend_from_slice(s.as_bytes());
    } else {
        out.push(b'"');
        escape::console_quoted(out, s);
        out.push(b'"');
    }
}

fn write_value(out: &mut Vec<u8>, key: &str, value: Value<'_>, redactor: Option<&Redactor>) {
    match value {
        Value::Str(s) => match redactor {
            // A payload in base64 (an event's `body`): read as the text it encodes.
            Some(r) if keys::is_payload_key(key.as_bytes()) => {
                write_text(out, &r.redact_payload(s));
            }
            // A JSON Web Key's private member (`d`, `k`): its key material.
            Some(r)
                if jwk::is_private_member(key.as_bytes())
                    && r.is_key_material(jwk::is_symmetric_member(key.as_bytes()), s) =>
            {
                r.write_key_material(out)
            }
            _ => write_text(out, &redacted(s, redactor)),
        },
        Value::I64(v) => {
            match redactor.and_then(|r| r.masked_integer(key, v.unsigned_abs(), v < 0)) {
                Some((masked, n)) => out.extend_from_slice(&masked[..n]),
                None => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
            }
        }
        Value::U64(v) => match redactor.and_then(|r| r.masked_integer(key, v, false)) {
            Some((masked, n)) => out.extend_from_slice(&masked[..n]),
            None => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
        },
        Value::F64(v) => {
            if let Some((masked, n)) = redactor.and_then(|r| r.masked_float(key, v)) {
                out.extend_from_slice(&masked[..n]);
            } else if write_finite_f64(out, v).is_none() {
                out.extend_from_slice(non_finite_name(v).as_bytes());
            }
        }
        Value::Bool(v) => out.extend_from_slice(if v { b"true" } else { b"false" }),
        Value::Null => out.extend_from_slice(b"null"),
        Value::Duration(d) => {
            write_duration_millis(out, d);
            out.extend_from_slice(b"ms");
        }
        Value::Error(e) => with_scratch(|text: &mut String| {
            write_error_chain(text, e);
            out.push(b'"');
            escape::console_quoted(out, &redacted(text, redactor));
            out.push(b'"');
        }),
        Value::Display(d) => with_scratch(|text: &mut String| {
            let _ = write!(text, "{d}");
            out.push(b'"');
            escape::console_quoted(out, &redacted(text, redactor));
            out.push(b'"');
        }),
        Value::Serde(s) => {
            let start = out.len();
            write_serialize(out, s, redactor);
            reescape_json_for_console(out, start);
        }
        Value::Json(_) => {
            let start = out.len();
            super::json::write_value(out, key, value, redactor);
            reescape_json_for_console(out, start);
        }
    }
}

/// JSON leaves DEL, C1 controls and bidi overrides raw; re-escape the tail for a terminal.
fn reescape_json_for_console(out: &mut Vec<u8>, start: usize) {
    if out[start..]
        .iter()
        .any(|&b| matches!(b, 0x7f | 0xc2 | 0xe2))
    {
        let tail = out.split_off(start);
        escape::console_bare(out, &String::from_utf8_lossy(&tail));
    }
}
