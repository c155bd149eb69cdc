//! [`InvocationBuffer`]: one invocation's low-level lines, held until its outcome is known.
//!
//! Lines at or below the buffered level (default debug) are kept in a bounded buffer
//! (bytes); others go straight to the inner sink. When the invocation ends, the owner calls
//! [`finish`](InvocationBuffer::finish): *keep* writes the held lines to the inner sink in
//! their original order (each carries the timestamp it was logged at), *discard* counts them
//! as not kept. When the buffer overflows, the oldest lines are evicted and counted; the
//! [`BufferOutcome`] says how many so the owner can write one summary line.
//!
//! An optional byte budget caps what one invocation writes: past it, further lines (of any
//! level) are counted, not written, and reported in the outcome. Each invocation has its
//! own buffer, so concurrent invocations never share lines or decisions.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::{LineMeta, Sink, SinkFuture};
use crate::health::SinkHealth;
use crate::level::Level;
use crate::stats::{DropReason, SinkStats};

/// Settings for an [`InvocationBuffer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferSettings {
    /// Lines at this level and below are held (default: debug, so trace and debug).
    pub buffered_level: Level,
    /// Bytes held at most; the oldest lines are evicted past it (default 256 KiB).
    pub max_bytes: usize,
    /// Bytes one invocation may write in all; `None` for no limit.
    pub budget_bytes: Option<usize>,
}

impl Default for BufferSettings {
    fn default() -> Self {
        Self {
            buffered_level: Level::Debug,
            max_bytes: 256 * 1024,
            budget_bytes: None,
        }
    }
}

/// What happened to one invocation's lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct BufferOutcome {
    /// Held lines written at the end.
    pub written: u64,
    /// Held lines not kept (the invocation succeeded and was not sampled).
    pub discarded: u64,
    /// Held lines evicted, oldest first, because the buffer was full.
    pub evicted: u64,
    /// Lines not written because the budget was spent.
    pub suppressed: u64,
    /// Their bytes.
    pub suppressed_bytes: u64,
    /// Whether an error-level line was logged during the invocation.
    pub saw_error: bool,
}

#[derive(Debug, Default)]
struct State {
    held: VecDeque<(Vec<u8>, i64, Level)>,
    held_bytes: usize,
    written_bytes: usize,
    outcome: BufferOutcome,
}

/// A per-invocation buffering sink in front of the real one. Cheap to clone.
#[derive(Clone)]
pub struct InvocationBuffer {
    inner: Arc<dyn Sink>,
    settings: BufferSettings,
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for InvocationBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InvocationBuffer")
            .field("inner", &self.inner.name())
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl InvocationBuffer {
    /// A buffer in front of `inner`.
    pub fn new(inner: Arc<dyn Sink>, settings: BufferSettings) -> Self {
        Self {
            inner,
            settings,
            state: Arc::new(Mutex::new(State::default())),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether an error-level line has been logged so far.
    pub fn saw_error(&self) -> bool {
        self.lock().outcome.saw_error
    }

    /// Ends the invocation: writes the held lines (`keep`) or counts them as discarded.
    pub fn finish(&self, keep: bool) -> BufferOutcome {
        let mut state = self.lock();
        let held = std::mem::take(&mut state.held);
        state.held_bytes = 0;
        if keep {
            for (line, timestamp_ms, level) in &held {
                let meta = LineMeta {
                    timestamp_ms: *timestamp_ms,
                    level: *level,
                    tenant_id: None,
                };
                // A refusal is counted by the inner sink itself.
                let _ = self.inner.accept(line, &meta);
            }
            state.outcome.written += held.len() as u64;
        } else {
            state.outcome.discarded += held.len() as u64;
        }
        state.outcome
    }
}

impl Sink for InvocationBuffer {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn accept(&self, line: &[u8], meta: &LineMeta<'_>) -> Result<(), DropReason> {
        let mut state = self.lock();
        if meta.level == Level::Error {
            state.outcome.saw_error = true;
        }
        if let Some(budget) = self.settings.budget_bytes
            && state.written_bytes + line.len() > budget
        {
            state.outcome.suppressed += 1;
            state.outcome.suppressed_bytes += line.len() as u64;
            return Ok(());
        }
        state.written_bytes += line.len();
        if meta.level <= self.settings.buffered_level {
            state
                .held
                .push_back((line.to_vec(), meta.timestamp_ms, meta.level));
            state.held_bytes += line.len();
            while state.held_bytes > self.settings.max_bytes {
                match state.held.pop_front() {
                    Some((old, _, _)) => {
                        state.held_bytes -= old.len();
                        state.outcome.evicted += 1;
                    }
                    None => break,
                }
            }
            return Ok(());
        }
        drop(state);
        self.inner.accept(line, meta)
    }

    fn flush(&self) -> SinkFuture<'_> {
        self.inner.flush()
    }

    fn flush_tenant(&self, tenant: Option<&str>) -> SinkFuture<'_> {
        self.inner.flush_tenant(tenant)
    }

    fn close(&self, deadline: Duration) -> SinkFuture<'_> {
        self.inner.close(deadline)
    }

    fn health(&self) -> SinkHealth {
        self.inner.health()
    }

    fn stats(&self) -> SinkStats {
        self.inner.stats()
    }

    fn is_terminal(&self) -> bool {
        self.inner.is_terminal()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::MemorySink;

    fn meta(level: Level, ts: i64) -> LineMeta<'static> {
        LineMeta {
            timestamp_ms: ts,
            level,
            tenant_id: None,
        }
    }

    #[test]
    fn low_levels_wait_for_the_verdict_others_pass() {
        let inner = MemorySink::new();
        let b = InvocationBuffer::new(Arc::new(inner.clone()), BufferSettings::default());
        b.accept(b"d1", &meta(Level::Debug, 1)).unwrap();
        b.accept(b"i1", &meta(Level::Info, 2)).unwrap();
        b.accept(b"t1", &meta(Level::Trace, 3)).unwrap();
        assert_eq!(inner.lines(), ["i1"]);
        let out = b.finish(true);
        assert_eq!(inner.lines(), ["i1", "d1", "t1"]);
        assert_eq!((out.written, out.discarded), (2, 0));
    }

    #[test]
    fn discarded_lines_are_counted_and_overflow_evicts_the_oldest() {
        let inner = MemorySink::new();
        let settings = BufferSettings {
            max_bytes: 10,
            ..BufferSettings::default()
        };
        let b = InvocationBuffer::new(Arc::new(inner.clone()), settings);
        for i in 0..5u8 {
            b.accept(&[b'a' + i; 4], &meta(Level::Debug, i64::from(i)))
                .unwrap();
        }
        let out = b.finish(true);
        assert_eq!(out.evicted, 3);
        assert_eq!(inner.lines(), ["dddd", "eeee"], "the newest survive");
        let b = InvocationBuffer::new(Arc::new(inner.clone()), BufferSettings::default());
        b.accept(b"x", &meta(Level::Debug, 1)).unwrap();
        assert_eq!(b.finish(false).discarded, 1);
        assert_eq!(inner.len(), 2);
    }

    #[test]
    fn the_budget_suppresses_and_counts() {
        let inner = MemorySink::new();
        let settings = BufferSettings {
            budget_bytes: Some(6),
            ..BufferSettings::default()
        };
        let b = InvocationBuffer::new(Arc::new(inner.clone()), settings);
        b.accept(b"1234", &meta(Level::Info, 1)).unwrap();
        b.accept(b"5678", &meta(Level::Error, 2)).unwrap();
        b.accept(b"9", &meta(Level::Info, 3)).unwrap();
        let out = b.finish(true);
        assert_eq!(inner.lines(), ["1234", "9"]);
        assert_eq!((out.suppressed, out.suppressed_bytes), (1, 4));
        assert!(out.saw_error);
    }
}
