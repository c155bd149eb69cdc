//! The console encoder: human-readable `timestamp LEVEL message key=value…` lines.
//!
//! Every entry is exactly one line: control characters, CR/LF, ANSI escape sequences,
//! U+2028/U+2029 and bidi overrides in the message, keys or values are escaped, so nothing
//! a user logs can forge a line or recolour the terminal. Values that are not plain tokens
//! are double-quoted. Colours (the level only) are used only when the encoder was built with
//! them, which the logger does only when the sink is a terminal and `NO_COLOR` is unset.

use std::fmt::Write as _;

use super::{
    Entry, EscapingWriter, RESERVED_KEY_PREFIX, is_reserved_key, non_finite_name,
    write_duration_millis, write_error_chain, write_finite_f64, write_serde_json,
};
use crate::escape;
use crate::level::Level;
use crate::timestamp::write_rfc3339_millis;
use crate::value::Value;

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

    /// Appends the entry as one line of text (no trailing newline).
    pub fn encode_entry(&self, entry: &Entry<'_>, out: &mut Vec<u8>) {
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
        escape::console_bare(out, entry.message);
        out.extend_from_slice(entry.context);
        for field in entry.fields {
            self.write_field(out, field.key, field.value, false);
        }
    }

    /// Appends ` key=value`.
    pub(crate) fn write_field(
        &self,
        out: &mut Vec<u8>,
        key: &str,
        value: Value<'_>,
        own_key: bool,
    ) {
        out.push(b' ');
        let renamed = !own_key && is_reserved_key(key);
        if escape::console_token_is_bare(key) {
            if renamed {
                out.extend_from_slice(RESERVED_KEY_PREFIX.as_bytes());
            }
            out.extend_from_slice(key.as_bytes());
        } else {
            out.push(b'"');
            escape::console_quoted(out, key);
            out.push(b'"');
        }
        out.push(b'=');
        write_value(out, value);
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

fn write_value(out: &mut Vec<u8>, value: Value<'_>) {
    match value {
        Value::Str(s) => {
            if escape::console_token_is_bare(s) {
                out.extend_from_slice(s.as_bytes());
            } else {
                out.push(b'"');
                escape::console_quoted(out, s);
                out.push(b'"');
            }
        }
        Value::I64(v) => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
        Value::U64(v) => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
        Value::F64(v) => {
            if write_finite_f64(out, v).is_none() {
                out.extend_from_slice(non_finite_name(v).as_bytes());
            }
        }
        Value::Bool(v) => out.extend_from_slice(if v { b"true" } else { b"false" }),
        Value::Null => out.extend_from_slice(b"null"),
        Value::Duration(d) => {
            write_duration_millis(out, d);
            out.extend_from_slice(b"ms");
        }
        Value::Error(e) => {
            out.push(b'"');
            write_error_chain(&mut EscapingWriter::console_quoted(out), e);
            out.push(b'"');
        }
        Value::Display(d) => {
            out.push(b'"');
            let _ = write!(EscapingWriter::console_quoted(out), "{d}");
            out.push(b'"');
        }
        Value::Serde(s) => {
            let start = out.len();
            write_serde_json(out, s);
            reescape_json_for_console(out, start);
        }
        Value::Json(j) => {
            let start = out.len();
            out.extend_from_slice(j.as_str().as_bytes());
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
