//! [`Spill`]: where entries go when they cannot be shipped — still held at the close
//! deadline, or refused at the door when the sink is built with
//! [`spill_refused`](crate::CloudWatchSinkBuilder::spill_refused).
//!
//! Rather than vanish, each undelivered entry is written as one line to the spill output
//! (stderr by default, or a file) behind a marker, so a log collector or a person can still
//! find and replay it:
//!
//! ```text
//! LIFT-UNDELIVERED<TAB>group<TAB>stream<TAB>timestamp_ms<TAB>message
//! ```
//!
//! Messages are Lift's encoded lines (no raw newlines or tabs); any stray CR/LF in a raw
//! line is replaced by a space so one entry stays one line. Write failures are ignored —
//! the entries are already counted as undeliverable either way.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::packer::LogEvent;

/// The marker that starts every spilled line.
pub const SPILL_MARKER: &str = "LIFT-UNDELIVERED";

/// The spill output. Clones write to the same output, one whole line at a time.
#[derive(Clone)]
pub struct Spill {
    name: Arc<str>,
    out: Arc<Mutex<std::io::BufWriter<Box<dyn Write + Send>>>>,
}

impl std::fmt::Debug for Spill {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spill").field("name", &self.name).finish()
    }
}

impl Spill {
    /// Spills to standard error.
    pub fn stderr() -> Self {
        Self::new("stderr", Box::new(std::io::stderr()))
    }

    /// Spills to any writer (a file, or a buffer in tests).
    pub fn new(name: impl Into<String>, out: Box<dyn Write + Send>) -> Self {
        Self {
            name: Arc::from(name.into()),
            out: Arc::new(Mutex::new(std::io::BufWriter::new(out))),
        }
    }

    /// Spills to the file at `path`, appending (created if missing).
    pub fn append_to_file(path: &std::path::Path) -> std::io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(Self::new(path.display().to_string(), Box::new(file)))
    }

    /// The output's name, for messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Writes one undelivered entry.
    pub(crate) fn write(&self, group: &str, stream: &str, event: &LogEvent) {
        self.write_line(group, stream, event.timestamp_ms, &event.message);
    }

    /// Writes one undelivered line.
    pub(crate) fn write_line(&self, group: &str, stream: &str, timestamp_ms: i64, message: &str) {
        let message = message.replace(['\n', '\r'], " ");
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        let _ = writeln!(
            out,
            "{SPILL_MARKER}\t{group}\t{stream}\t{timestamp_ms}\t{message}"
        );
    }

    /// Flushes the output.
    pub(crate) fn finish(&self) {
        let _ = self.out.lock().unwrap_or_else(|p| p.into_inner()).flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn one_marked_line_per_entry() {
        let out = Shared::default();
        let spill = Spill::new("test", Box::new(out.clone()));
        spill.write("g", "s", &LogEvent::new(5, "{\"a\":1}"));
        spill.write("g", "s", &LogEvent::new(6, "raw\nline"));
        spill.finish();
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            text,
            "LIFT-UNDELIVERED\tg\ts\t5\t{\"a\":1}\nLIFT-UNDELIVERED\tg\ts\t6\traw line\n"
        );
    }
}
