//! The write path: an entry encoded and redacted in one pass into the thread's reused line
//! buffer, cut to the entry cap when a string or the line is longer, and handed to the
//! sink. A re-entrant call (a `Display` impl that logs) gets a buffer of its own.

use std::cell::RefCell;

use crate::encoder::{Encoder, Entry};
use crate::level::Level;
use crate::sink::LineMeta;
use crate::truncate::{cut_at_char_boundary, truncate_line};
use crate::value::{Field, Value};

use super::Logger;
use super::scope::renamed_slot;

/// A line buffer that grew past this is replaced, so one huge entry does not pin memory.
const KEEP_BUFFER_BYTES: usize = 64 * 1024;

thread_local! {
    static LINE_BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The entry to encode: a pre-encoded context plus the call's parts.
#[inline(always)]
fn entry<'a>(
    timestamp_ms: i64,
    (level, location): (Level, &'a str),
    message: &'a str,
    context: &'a [u8],
    fields: &'a [Field<'a>],
) -> Entry<'a> {
    Entry {
        timestamp_ms,
        level,
        message,
        location,
        context,
        fields,
    }
}

/// Whether an entry field is written under a `field_<reserved>` key the context has too.
#[cold]
fn clashes(renamed: u16, fields: &[Field<'_>]) -> bool {
    fields
        .iter()
        .any(|f| renamed_slot(f.key).is_some_and(|slot| renamed & 1 << slot != 0))
}

/// Whether the message or a string field is longer than `cap` bytes: such an entry is
/// encoded from cut copies (one comparison per field otherwise).
#[inline(always)]
fn exceeds(message: &str, fields: &[Field<'_>], cap: usize) -> bool {
    // The longest string without a branch per field (on its kind of value, which varies
    // from field to field and so is hard to predict).
    let longest = fields.iter().fold(message.len(), |longest, f| {
        longest.max(match f.value {
            Value::Str(s) => s.len(),
            _ => 0,
        })
    });
    longest > cap
}

/// Runs `f` with a cleared, reusable line buffer.
#[inline]
pub(super) fn with_line_buffer(f: impl FnOnce(&mut Vec<u8>)) {
    let mut f = Some(f);
    let _ = LINE_BUFFER.try_with(|cell| {
        if let Ok(mut buf) = cell.try_borrow_mut() {
            buf.clear();
            if let Some(f) = f.take() {
                f(&mut buf);
            }
            if buf.capacity() > KEEP_BUFFER_BYTES {
                *buf = Vec::new();
            }
        }
    });
    // Re-entrant call or thread teardown: use a buffer of our own.
    if let Some(f) = f {
        f(&mut Vec::with_capacity(512));
    }
}

impl Logger {
    /// Encodes and redacts the entry in one pass into the thread's line buffer and hands
    /// the line to the sink.
    pub(super) fn write(&self, site: (Level, &str), message: &str, fields: &[Field<'_>]) {
        let level = site.0;
        let timestamp_ms = self.core.clock.now_millis();
        let meta = LineMeta {
            timestamp_ms,
            level,
            tenant_id: self.scope.tenant_id.as_deref(),
        };
        let cap = self.core.max_entry_bytes;
        with_line_buffer(|buf| {
            let deduplicated;
            let renamed = self.scope.renamed();
            let context: &[u8] = if renamed != 0 && clashes(renamed, fields) {
                deduplicated = self.context_without_clashes(fields);
                &deduplicated
            } else {
                self.scope.encoded()
            };
            if exceeds(message, fields, cap) {
                self.write_capped(timestamp_ms, site, message, fields, context, buf);
            } else {
                let entry = entry(timestamp_ms, site, message, context, fields);
                self.core
                    .encoder
                    .encode_entry(&entry, &self.core.redactor, buf);
            }
            if buf.len() > cap {
                self.cut_line(buf);
            }
            // A refusal is counted by the sink itself.
            let _ = self.core.sink.accept(buf, &meta);
        });
        self.core.counters.logged(level);
    }

    /// Encodes an entry with a string longer than the entry cap: each such string is cut
    /// (a prefix, borrowed) before encoding, so a huge value never passes through the line
    /// buffer whole.
    #[cold]
    fn write_capped(
        &self,
        timestamp_ms: i64,
        site: (Level, &str),
        message: &str,
        fields: &[Field<'_>],
        context: &[u8],
        buf: &mut Vec<u8>,
    ) {
        let cap = self.core.max_entry_bytes;
        let capped: Vec<Field<'_>> = fields
            .iter()
            .map(|f| match f.value {
                Value::Str(s) if s.len() > cap => {
                    let mut cut = *f;
                    cut.value = Value::Str(cut_at_char_boundary(s, cap));
                    cut
                }
                _ => *f,
            })
            .collect();
        let message = cut_at_char_boundary(message, cap);
        let entry = entry(timestamp_ms, site, message, context, &capped);
        self.core
            .encoder
            .encode_entry(&entry, &self.core.redactor, buf);
        if buf.len() <= cap {
            // Short enough now: say that it was cut.
            self.mark_truncated(buf);
        }
    }

    /// Cuts an encoded line to the entry cap: a JSON line stays one valid object marked
    /// `"truncated":true,"original_bytes":N`; a console line is cut at a character boundary.
    #[cold]
    fn cut_line(&self, buf: &mut Vec<u8>) {
        let cap = self.core.max_entry_bytes;
        let text = String::from_utf8_lossy(buf);
        let cut = match self.core.encoder {
            Encoder::Json(_) => truncate_line(&text, cap).into_owned(),
            Encoder::Console(_) => cut_at_char_boundary(&text, cap).to_owned(),
        };
        buf.clear();
        buf.extend_from_slice(cut.as_bytes());
        self.core.counters.truncated();
    }

    /// Appends `"truncated":true` to a JSON line (console lines end with ` [truncated]`).
    fn mark_truncated(&self, buf: &mut Vec<u8>) {
        const JSON_MARK: &[u8] = b",\"truncated\":true}";
        const CONSOLE_MARK: &[u8] = b" [truncated]";
        let cap = self.core.max_entry_bytes;
        match self.core.encoder {
            Encoder::Json(_)
                if buf.last() == Some(&b'}') && buf.len() - 1 + JSON_MARK.len() <= cap =>
            {
                buf.pop();
                buf.extend_from_slice(JSON_MARK);
            }
            Encoder::Console(_) if buf.len() + CONSOLE_MARK.len() <= cap => {
                buf.extend_from_slice(CONSOLE_MARK);
            }
            _ => {}
        }
        self.core.counters.truncated();
    }

    /// This logger's context encoded without the fields an entry field replaces: a user
    /// field whose key is reserved is written `field_<key>`, and the entry's wins over the
    /// context's (so the line holds that key once).
    #[cold]
    fn context_without_clashes(&self, fields: &[Field<'_>]) -> Vec<u8> {
        let replaced = fields
            .iter()
            .filter_map(|f| renamed_slot(f.key))
            .fold(0u32, |mask, slot| mask | 1 << slot);
        let mut context = self.scope.context().clone();
        context.retain_fields(|key| renamed_slot(key).is_none_or(|slot| replaced & 1 << slot == 0));
        let mut encoded = Vec::new();
        self.core
            .encoder
            .encode_context(&context, &self.core.redactor, &mut encoded);
        encoded
    }
}
