//! Nested `Serialize` values, written as JSON and redacted **while** serde serializes them.
//!
//! [`NestedWriter`] is a `serde_json` formatter that writes into the line itself: each
//! object key is decided by the key rules as soon as it is complete (a removed key is
//! skipped with its whole value, a secret's value becomes `"[REDACTED]"`, a safe key's
//! value is written as given), each string goes through the same escaping and text
//! detection as a top-level string, and integers or integral floats that are card numbers
//! become their masked strings (unless the key names a time). No `serde_json::Value` is
//! built, whatever the keys are called. Nesting deeper than [`MAX_NESTING_DEPTH`] is
//! refused, so the line stays readable by common JSON parsers.

use std::io;

use serde_json::ser::{CharEscape, Formatter};

use crate::redact::{KeyRule, Redactor, keys};

/// Deepest nesting of arrays and objects written for a `Serialize` value: small enough that
/// the whole line (the value sits inside the line's object) parses with serde_json's default
/// recursion limit, as common JSON readers' limits go (checked by a test). Deeper values
/// are replaced by an `<unserializable: …>` string instead of exhausting the stack.
pub const MAX_NESTING_DEPTH: u32 = 126;

/// What the characters being written belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Capture {
    Nothing,
    Key,
    Str,
}

/// The `serde_json` formatter Lift writes nested values with (see the module docs). It
/// writes into the buffer it was made with and ignores the serializer's own writer.
#[derive(Debug)]
pub struct NestedWriter<'a> {
    out: &'a mut Vec<u8>,
    scratch: &'a mut String,
    redactor: Option<&'a Redactor>,
    depth: u32,
    capture: Capture,
    /// Bit `d`: the object at depth `d` has a member written (for commas).
    wrote: u128,
    /// Bit `d`: scalars at depth `d` sit under a key naming a time.
    time: u128,
    /// The depth of the member whose value is being skipped (removed or replaced).
    skip_at: Option<u32>,
    /// The depth of the member whose value is written as given (a safe key).
    raw_at: Option<u32>,
}

impl<'a> NestedWriter<'a> {
    /// A writer appending to `out`, redacting with `redactor` (`None`: as given), using
    /// `scratch` for strings and keys while they are collected.
    pub(crate) fn new(
        out: &'a mut Vec<u8>,
        scratch: &'a mut String,
        redactor: Option<&'a Redactor>,
    ) -> Self {
        scratch.clear();
        Self {
            out,
            scratch,
            redactor,
            depth: 0,
            capture: Capture::Nothing,
            wrote: 0,
            time: 0,
            skip_at: None,
            raw_at: None,
        }
    }

    fn skipping(&self) -> bool {
        self.skip_at.is_some()
    }

    fn redacting(&self) -> Option<&'a Redactor> {
        self.redactor.filter(|_| self.raw_at.is_none())
    }

    fn bit(depth: u32) -> u128 {
        1u128 << depth.min(127)
    }

    fn enter(&mut self) -> io::Result<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING_DEPTH {
            return Err(io::Error::other(format!(
                "nested deeper than {MAX_NESTING_DEPTH} levels"
            )));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// The key of the member being written at the current depth, for number rules.
    fn under_time_key(&self) -> bool {
        self.time & Self::bit(self.depth) != 0
    }

    fn write_str_value(&mut self) {
        self.out.push(b'"');
        match self.redacting() {
            Some(r) => r.write_json_str(self.out, self.scratch),
            None => crate::escape::json_str(self.out, self.scratch),
        }
        self.out.push(b'"');
    }

    /// An integer (magnitude `v`) in value position: masked if it is a card number.
    fn write_integer(&mut self, v: u64, negative: bool, text: &str) {
        if let Some(r) = self.redacting()
            && !self.under_time_key()
            && let Some((masked, n)) = r.masked_integer("", v, negative)
        {
            self.out.push(b'"');
            self.out.extend_from_slice(&masked[..n]);
            self.out.push(b'"');
            return;
        }
        self.out.extend_from_slice(text.as_bytes());
    }

    fn integer(&mut self, v: i128) {
        match self.capture {
            Capture::Key | Capture::Str => {
                let mut buf = itoa::Buffer::new();
                self.scratch.push_str(buf.format(v));
            }
            Capture::Nothing if !self.skipping() => {
                let mut buf = itoa::Buffer::new();
                let text = buf.format(v);
                match u64::try_from(v.unsigned_abs()) {
                    Ok(m) => self.write_integer(m, v < 0, text),
                    Err(_) => self.out.extend_from_slice(text.as_bytes()),
                }
            }
            Capture::Nothing => {}
        }
    }

    fn float(&mut self, v: f64) {
        if self.capture != Capture::Nothing {
            let mut buf = ryu::Buffer::new();
            self.scratch.push_str(buf.format(v));
            return;
        }
        if self.skipping() {
            return;
        }
        if let Some(r) = self.redacting()
            && !self.under_time_key()
            && let Some((masked, n)) = r.masked_float("", v)
        {
            self.out.push(b'"');
            self.out.extend_from_slice(&masked[..n]);
            self.out.push(b'"');
            return;
        }
        if crate::encoder::write_finite_f64(self.out, v).is_none() {
            self.out.extend_from_slice(b"null");
        }
    }

    fn raw(&mut self, bytes: &[u8]) {
        if !self.skipping() {
            self.out.extend_from_slice(bytes);
        }
    }
}

impl Formatter for NestedWriter<'_> {
    fn write_null<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.raw(b"null");
        Ok(())
    }

    fn write_bool<W: ?Sized + io::Write>(&mut self, _: &mut W, value: bool) -> io::Result<()> {
        let text = if value { "true" } else { "false" };
        if self.capture != Capture::Nothing {
            self.scratch.push_str(text);
        } else {
            self.raw(text.as_bytes());
        }
        Ok(())
    }

    fn write_i8<W: ?Sized + io::Write>(&mut self, _: &mut W, value: i8) -> io::Result<()> {
        self.integer(value.into());
        Ok(())
    }

    fn write_i16<W: ?Sized + io::Write>(&mut self, _: &mut W, value: i16) -> io::Result<()> {
        self.integer(value.into());
        Ok(())
    }

    fn write_i32<W: ?Sized + io::Write>(&mut self, _: &mut W, value: i32) -> io::Result<()> {
        self.integer(value.into());
        Ok(())
    }

    fn write_i64<W: ?Sized + io::Write>(&mut self, _: &mut W, value: i64) -> io::Result<()> {
        self.integer(value.into());
        Ok(())
    }

    fn write_i128<W: ?Sized + io::Write>(&mut self, _: &mut W, value: i128) -> io::Result<()> {
        self.integer(value);
        Ok(())
    }

    fn write_u8<W: ?Sized + io::Write>(&mut self, _: &mut W, value: u8) -> io::Result<()> {
        self.integer(value.into());
        Ok(())
    }

    fn write_u16<W: ?Sized + io::Write>(&mut self, _: &mut W, value: u16) -> io::Result<()> {
        self.integer(value.into());
        Ok(())
    }

    fn write_u32<W: ?Sized + io::Write>(&mut self, _: &mut W, value: u32) -> io::Result<()> {
        self.integer(value.into());
        Ok(())
    }

    fn write_u64<W: ?Sized + io::Write>(&mut self, _: &mut W, value: u64) -> io::Result<()> {
        self.integer(value.into());
        Ok(())
    }

    fn write_u128<W: ?Sized + io::Write>(&mut self, _: &mut W, value: u128) -> io::Result<()> {
        match i128::try_from(value) {
            Ok(v) => self.integer(v),
            Err(_) => {
                let mut buf = itoa::Buffer::new();
                let text = buf.format(value);
                if self.capture != Capture::Nothing {
                    self.scratch.push_str(text);
                } else {
                    self.raw(text.as_bytes());
                }
            }
        }
        Ok(())
    }

    fn write_f32<W: ?Sized + io::Write>(&mut self, _: &mut W, value: f32) -> io::Result<()> {
        self.float(value.into());
        Ok(())
    }

    fn write_f64<W: ?Sized + io::Write>(&mut self, _: &mut W, value: f64) -> io::Result<()> {
        self.float(value);
        Ok(())
    }

    fn write_number_str<W: ?Sized + io::Write>(
        &mut self,
        _: &mut W,
        value: &str,
    ) -> io::Result<()> {
        self.raw(value.as_bytes());
        Ok(())
    }

    fn begin_string<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        if self.capture == Capture::Nothing && !self.skipping() {
            self.capture = Capture::Str;
            self.scratch.clear();
        }
        Ok(())
    }

    fn end_string<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        if self.capture == Capture::Str {
            self.capture = Capture::Nothing;
            self.write_str_value();
        }
        Ok(())
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        _: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if self.capture != Capture::Nothing {
            self.scratch.push_str(fragment);
        }
        Ok(())
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        _: &mut W,
        char_escape: CharEscape,
    ) -> io::Result<()> {
        if self.capture != Capture::Nothing {
            self.scratch.push(match char_escape {
                CharEscape::Quote => '"',
                CharEscape::ReverseSolidus => '\\',
                CharEscape::Solidus => '/',
                CharEscape::Backspace => '\u{8}',
                CharEscape::FormFeed => '\u{c}',
                CharEscape::LineFeed => '\n',
                CharEscape::CarriageReturn => '\r',
                CharEscape::Tab => '\t',
                CharEscape::AsciiControl(b) => char::from(b),
            });
        }
        Ok(())
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.raw(b"[");
        let inherited = self.under_time_key();
        self.enter()?;
        let bit = Self::bit(self.depth);
        self.time = if inherited {
            self.time | bit
        } else {
            self.time & !bit
        };
        Ok(())
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.leave();
        self.raw(b"]");
        Ok(())
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        _: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if !first {
            self.raw(b",");
        }
        Ok(())
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        Ok(())
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.raw(b"{");
        self.enter()?;
        let bit = Self::bit(self.depth);
        self.wrote &= !bit;
        self.time &= !bit;
        Ok(())
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.leave();
        self.raw(b"}");
        Ok(())
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        _: &mut W,
        _first: bool,
    ) -> io::Result<()> {
        if !self.skipping() {
            self.capture = Capture::Key;
            self.scratch.clear();
        }
        Ok(())
    }

    fn end_object_key<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        if self.capture != Capture::Key {
            return Ok(());
        }
        self.capture = Capture::Nothing;
        let rule = match self.redacting() {
            Some(r) => r.key_rule(self.scratch),
            None => KeyRule::Safe,
        };
        if rule == KeyRule::Remove {
            if let Some(r) = self.redactor {
                r.counts().add_sad();
            }
            self.skip_at = Some(self.depth);
            return Ok(());
        }
        let bit = Self::bit(self.depth);
        if self.wrote & bit != 0 {
            self.out.push(b',');
        }
        self.wrote |= bit;
        // The key itself is text: a card number used as a map key is masked too.
        self.write_str_value();
        self.out.push(b':');
        match rule {
            KeyRule::Secret => {
                if let Some(r) = self.redactor {
                    r.counts().add_secret_key();
                }
                self.out.extend_from_slice(b"\"[REDACTED]\"");
                self.skip_at = Some(self.depth);
            }
            KeyRule::Safe if self.redacting().is_some() => self.raw_at = Some(self.depth),
            _ => {
                if keys::is_time_key(self.scratch) {
                    self.time |= bit;
                } else {
                    self.time &= !bit;
                }
            }
        }
        Ok(())
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        Ok(())
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        if self.skip_at == Some(self.depth) {
            self.skip_at = None;
        }
        if self.raw_at == Some(self.depth) {
            self.raw_at = None;
        }
        Ok(())
    }

    fn write_raw_fragment<W: ?Sized + io::Write>(
        &mut self,
        _: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        self.raw(fragment.as_bytes());
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
    value: &dyn crate::value::SerializeJson,
    redactor: Option<&Redactor>,
) {
    let start = out.len();
    let result = with_scratch(|scratch| {
        let mut ser = serde_json::Serializer::with_formatter(
            io::sink(),
            NestedWriter::new(out, scratch, redactor),
        );
        value.serialize_json(&mut ser)
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
    fn without_a_redactor_the_value_is_written_as_serde_json_writes_it() {
        let v = serde_json::json!({"a": [1, -2, 2.5, null, true], "b": {"c": "x\"\n\u{2028}"}, "cvv": 1});
        assert_eq!(
            write(&v, None),
            r#"{"a":[1,-2,2.5,null,true],"b":{"c":"x\"\n\u2028"},"cvv":1}"#
        );
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
