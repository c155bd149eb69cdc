//! A sink that keeps lines in memory, with query helpers for tests.
//!
//! Clones share the same lines, so a test keeps one handle and gives the logger another.
//! An optional capacity bounds it (further lines are dropped as `queue_full` and counted).
//! Every flush and close is recorded as an event in arrival order, so a test can check that
//! a flush came after the lines it should cover.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::{LineMeta, Sink, SinkFuture, ready};
use crate::level::Level;
use crate::stats::{DropCounters, DropReason, SinkStats};

/// One captured line and its metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct CapturedLine {
    /// The line, without a newline (invalid UTF-8 replaced).
    pub text: String,
    /// The entry's time, Unix milliseconds.
    pub timestamp_ms: i64,
    /// The entry's level.
    pub level: Level,
    /// The entry's tenant, if any.
    pub tenant_id: Option<String>,
}

/// What happened to a memory sink, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum SinkEvent {
    /// A line was accepted (its index in [`MemorySink::captured`]).
    Line(usize),
    /// `flush` was called.
    Flush,
    /// `close` was called.
    Close,
}

/// Captures lines in memory.
#[derive(Debug, Clone, Default)]
pub struct MemorySink {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    state: Mutex<State>,
    capacity: Option<usize>,
    closed: AtomicBool,
    accepted: AtomicU64,
    dropped: DropCounters,
}

#[derive(Debug, Default)]
struct State {
    lines: Vec<CapturedLine>,
    events: Vec<SinkEvent>,
    bytes: u64,
}

impl MemorySink {
    /// An unbounded memory sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// A memory sink that keeps at most `capacity` lines.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                capacity: Some(capacity),
                ..Inner::default()
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Every captured line with its metadata.
    pub fn captured(&self) -> Vec<CapturedLine> {
        self.lock().lines.clone()
    }

    /// Every captured line's text.
    pub fn lines(&self) -> Vec<String> {
        self.lock().lines.iter().map(|l| l.text.clone()).collect()
    }

    /// Every line parsed as JSON; a line that is not JSON becomes a JSON string.
    pub fn entries(&self) -> Vec<serde_json::Value> {
        self.lock()
            .lines
            .iter()
            .map(|l| {
                serde_json::from_str(&l.text)
                    .unwrap_or_else(|_| serde_json::Value::String(l.text.clone()))
            })
            .collect()
    }

    /// The `message` of every JSON line.
    pub fn messages(&self) -> Vec<String> {
        self.entries()
            .iter()
            .filter_map(|e| e["message"].as_str().map(str::to_owned))
            .collect()
    }

    /// The first JSON entry whose message is `message`.
    pub fn find(&self, message: &str) -> Option<serde_json::Value> {
        self.entries()
            .into_iter()
            .find(|e| e["message"].as_str() == Some(message))
    }

    /// Panics with the captured messages unless an entry at `level` with `message` exists
    /// (feature `testing`).
    #[cfg(any(test, feature = "testing"))]
    pub fn assert_logged(&self, level: Level, message: &str) {
        let found = self.entries().iter().any(|e| {
            e["message"].as_str() == Some(message) && e["level"].as_str() == Some(level.as_str())
        });
        assert!(
            found,
            "no {level} entry {message:?}; captured: {:?}",
            self.messages()
        );
    }

    /// Flushes, closes and lines in the order they happened.
    pub fn events(&self) -> Vec<SinkEvent> {
        self.lock().events.clone()
    }

    /// How many lines are held.
    pub fn len(&self) -> usize {
        self.lock().lines.len()
    }

    /// Whether no line is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every line and event.
    pub fn clear(&self) {
        let mut s = self.lock();
        s.lines.clear();
        s.events.clear();
        s.bytes = 0;
    }
}

impl Sink for MemorySink {
    fn name(&self) -> &str {
        "memory"
    }

    fn accept(&self, line: &[u8], meta: &LineMeta<'_>) -> Result<(), DropReason> {
        if self.inner.closed.load(Ordering::Relaxed) {
            self.inner.dropped.record(DropReason::Closed);
            return Err(DropReason::Closed);
        }
        let mut s = self.lock();
        if self.inner.capacity.is_some_and(|cap| s.lines.len() >= cap) {
            drop(s);
            self.inner.dropped.record(DropReason::QueueFull);
            return Err(DropReason::QueueFull);
        }
        self.inner.accepted.fetch_add(1, Ordering::Relaxed);
        let index = s.lines.len();
        s.bytes += line.len() as u64;
        s.lines.push(CapturedLine {
            text: String::from_utf8_lossy(line).into_owned(),
            timestamp_ms: meta.timestamp_ms,
            level: meta.level,
            tenant_id: meta.tenant_id.map(str::to_owned),
        });
        s.events.push(SinkEvent::Line(index));
        Ok(())
    }

    fn flush(&self) -> SinkFuture<'_> {
        self.lock().events.push(SinkEvent::Flush);
        ready(Ok(()))
    }

    fn close(&self, _deadline: Duration) -> SinkFuture<'_> {
        self.lock().events.push(SinkEvent::Close);
        self.inner.closed.store(true, Ordering::Relaxed);
        ready(Ok(()))
    }

    fn stats(&self) -> SinkStats {
        let s = self.lock();
        SinkStats {
            name: "memory".into(),
            accepted: self.inner.accepted.load(Ordering::Relaxed),
            delivered: s.lines.len() as u64,
            dropped: self.inner.dropped.snapshot(),
            bytes_delivered: s.bytes,
            ..SinkStats::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const META: LineMeta<'static> = LineMeta {
        timestamp_ms: 5,
        level: Level::Warn,
        tenant_id: Some("t1"),
    };

    #[test]
    fn captures_queries_and_bounds() {
        let sink = MemorySink::with_capacity(2);
        let view = sink.clone();
        sink.accept(br#"{"message":"a","level":"WARN"}"#, &META)
            .unwrap();
        sink.accept(b"not json", &META).unwrap();
        assert_eq!(sink.accept(b"third", &META), Err(DropReason::QueueFull));
        assert_eq!(view.len(), 2);
        assert_eq!(view.messages(), ["a"]);
        assert_eq!(view.entries()[1], "not json");
        assert_eq!(view.captured()[0].tenant_id.as_deref(), Some("t1"));
        view.assert_logged(Level::Warn, "a");
        assert_eq!(view.stats().dropped.queue_full, 1);
        crate::blocking::block_on(sink.flush()).unwrap();
        assert_eq!(
            view.events(),
            [SinkEvent::Line(0), SinkEvent::Line(1), SinkEvent::Flush]
        );
    }
}
