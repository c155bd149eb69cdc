//! Self-telemetry: what was logged, what was dropped and why, how flushing went.
//!
//! Counters are relaxed atomics, updated without locks on the logging path; snapshots are
//! plain structs with named fields ([`LoggerStats`], [`SinkStats`], [`DropCounts`]) that
//! serialise to JSON, so a health endpoint or a summary line can print them as they are.
//! Every drop has a [`DropReason`]; there is no "other".

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::level::Level;

/// Why an entry was not delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DropReason {
    /// The sink's queue was full (drop-newest overflow policy).
    QueueFull,
    /// The sink's queue stayed full for the whole block-with-timeout wait.
    BlockTimeout,
    /// Writing to the output failed.
    WriteFailed,
    /// The sink was already closed.
    Closed,
    /// The entry was older than the destination accepts.
    TooOld,
    /// The entry was further in the future than the destination accepts.
    TooNew,
    /// The entry was older than the destination's retention.
    Expired,
    /// The destination refused the entry as invalid (a bug in Lift: reported).
    Rejected,
    /// Delivery was impossible (endpoint down, access denied) when the deadline came.
    Undeliverable,
    /// The message was empty (CloudWatch refuses empty events).
    Empty,
}

impl DropReason {
    /// Every reason, in the order of [`DropCounts`]' fields.
    pub const ALL: [DropReason; 10] = [
        DropReason::QueueFull,
        DropReason::BlockTimeout,
        DropReason::WriteFailed,
        DropReason::Closed,
        DropReason::TooOld,
        DropReason::TooNew,
        DropReason::Expired,
        DropReason::Rejected,
        DropReason::Undeliverable,
        DropReason::Empty,
    ];

    /// The snake_case name used in stats.
    pub const fn as_str(self) -> &'static str {
        match self {
            DropReason::QueueFull => "queue_full",
            DropReason::BlockTimeout => "block_timeout",
            DropReason::WriteFailed => "write_failed",
            DropReason::Closed => "closed",
            DropReason::TooOld => "too_old",
            DropReason::TooNew => "too_new",
            DropReason::Expired => "expired",
            DropReason::Rejected => "rejected",
            DropReason::Undeliverable => "undeliverable",
            DropReason::Empty => "empty",
        }
    }

    const fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for DropReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Entries dropped, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DropCounts {
    /// See [`DropReason::QueueFull`].
    pub queue_full: u64,
    /// See [`DropReason::BlockTimeout`].
    pub block_timeout: u64,
    /// See [`DropReason::WriteFailed`].
    pub write_failed: u64,
    /// See [`DropReason::Closed`].
    pub closed: u64,
    /// See [`DropReason::TooOld`].
    pub too_old: u64,
    /// See [`DropReason::TooNew`].
    pub too_new: u64,
    /// See [`DropReason::Expired`].
    pub expired: u64,
    /// See [`DropReason::Rejected`].
    pub rejected: u64,
    /// See [`DropReason::Undeliverable`].
    pub undeliverable: u64,
    /// See [`DropReason::Empty`].
    pub empty: u64,
}

impl DropCounts {
    /// The count for one reason.
    pub fn get(&self, reason: DropReason) -> u64 {
        match reason {
            DropReason::QueueFull => self.queue_full,
            DropReason::BlockTimeout => self.block_timeout,
            DropReason::WriteFailed => self.write_failed,
            DropReason::Closed => self.closed,
            DropReason::TooOld => self.too_old,
            DropReason::TooNew => self.too_new,
            DropReason::Expired => self.expired,
            DropReason::Rejected => self.rejected,
            DropReason::Undeliverable => self.undeliverable,
            DropReason::Empty => self.empty,
        }
    }

    fn slot(&mut self, reason: DropReason) -> &mut u64 {
        match reason {
            DropReason::QueueFull => &mut self.queue_full,
            DropReason::BlockTimeout => &mut self.block_timeout,
            DropReason::WriteFailed => &mut self.write_failed,
            DropReason::Closed => &mut self.closed,
            DropReason::TooOld => &mut self.too_old,
            DropReason::TooNew => &mut self.too_new,
            DropReason::Expired => &mut self.expired,
            DropReason::Rejected => &mut self.rejected,
            DropReason::Undeliverable => &mut self.undeliverable,
            DropReason::Empty => &mut self.empty,
        }
    }

    /// All drops, whatever the reason.
    pub fn total(&self) -> u64 {
        DropReason::ALL.iter().map(|r| self.get(*r)).sum()
    }

    /// The sum of two sets of counts.
    pub fn plus(mut self, other: &DropCounts) -> DropCounts {
        for r in DropReason::ALL {
            *self.slot(r) += other.get(r);
        }
        self
    }
}

/// Lock-free drop counters, one per reason.
#[derive(Debug, Default)]
pub struct DropCounters([AtomicU64; DropReason::ALL.len()]);

impl DropCounters {
    /// Counts one drop.
    #[inline]
    pub fn record(&self, reason: DropReason) {
        self.record_n(reason, 1);
    }

    /// Counts `n` drops.
    ///
    /// The counters are indexed by the reason's position in [`DropReason::ALL`].
    #[inline]
    pub fn record_n(&self, reason: DropReason, n: u64) {
        self.0[reason.index()].fetch_add(n, Ordering::Relaxed);
    }

    /// The current counts.
    pub fn snapshot(&self) -> DropCounts {
        let mut c = DropCounts::default();
        for r in DropReason::ALL {
            *c.slot(r) = self.0[r.index()].load(Ordering::Relaxed);
        }
        c
    }
}

/// Entries per level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LevelCounts {
    /// Trace entries.
    pub trace: u64,
    /// Debug entries.
    pub debug: u64,
    /// Info entries.
    pub info: u64,
    /// Warn entries.
    pub warn: u64,
    /// Error entries.
    pub error: u64,
}

impl LevelCounts {
    /// The sum over all levels.
    pub fn total(&self) -> u64 {
        self.trace + self.debug + self.info + self.warn + self.error
    }
}

/// The common self-telemetry every sink reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SinkStats {
    /// The sink's name (`stdout`, `memory`, `cloudwatch`, …).
    pub name: String,
    /// Entries accepted by the sink.
    pub accepted: u64,
    /// Entries written or acknowledged by the destination.
    pub delivered: u64,
    /// Entries the sink dropped, by reason (including those refused at `accept`).
    pub dropped: DropCounts,
    /// Bytes delivered.
    pub bytes_delivered: u64,
    /// Bytes waiting in the sink's buffer or queue.
    pub buffered_bytes: u64,
    /// The buffer or queue capacity in bytes (0: unbounded or none).
    pub buffer_capacity_bytes: u64,
    /// Failed write or send operations.
    pub errors: u64,
    /// The last error, without payload.
    pub last_error: Option<String>,
    /// Failed operations over all operations in the recent window (0.0 to 1.0).
    pub recent_failure_rate: f64,
    /// Sends retried (network sinks; 0 for local ones).
    pub retries: u64,
    /// Sends the destination throttled (network sinks; 0 for local ones).
    pub throttles: u64,
}

/// A snapshot of a logger's self-telemetry.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LoggerStats {
    /// Entries that passed the level filter and were handed to the sink.
    pub entries_logged: u64,
    /// The same, per level.
    pub entries_by_level: LevelCounts,
    /// Entries dropped (all reasons).
    pub entries_dropped: u64,
    /// Entries dropped, by reason.
    pub dropped: DropCounts,
    /// Entries longer than the entry cap, written truncated (still valid JSON, marked
    /// `"truncated":true`).
    pub entries_truncated: u64,
    /// Completed `flush` calls.
    pub flushes: u64,
    /// `flush` calls that returned an error.
    pub flush_errors: u64,
    /// Mean time a flush took, in microseconds.
    pub avg_flush_micros: u64,
    /// Write or send errors seen by the sink.
    pub errors: u64,
    /// The last error, from the logger or its sink.
    pub last_error: Option<String>,
    /// Bytes waiting in the sink.
    pub buffer_size: u64,
    /// The sink's buffer capacity in bytes.
    pub buffer_capacity: u64,
    /// Whether the logger reads as healthy (see [`HealthWindow`](crate::HealthWindow)).
    pub healthy: bool,
    /// The sink's own stats.
    pub sink: SinkStats,
}

/// The logger's own counters.
#[derive(Debug, Default)]
pub(crate) struct LoggerCounters {
    by_level: [AtomicU64; Level::ALL.len()],
    truncated: AtomicU64,
    flushes: AtomicU64,
    flush_errors: AtomicU64,
    flush_micros_total: AtomicU64,
}

impl LoggerCounters {
    #[inline]
    pub(crate) fn logged(&self, level: Level) {
        self.by_level[level.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// An entry was written truncated.
    pub(crate) fn truncated(&self) {
        self.truncated.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn flushed(&self, micros: u64, ok: bool) {
        self.flushes.fetch_add(1, Ordering::Relaxed);
        self.flush_micros_total.fetch_add(micros, Ordering::Relaxed);
        if !ok {
            self.flush_errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn snapshot(&self, sink: SinkStats, healthy: bool) -> LoggerStats {
        let n = |l: Level| self.by_level[l.index()].load(Ordering::Relaxed);
        let by_level = LevelCounts {
            trace: n(Level::Trace),
            debug: n(Level::Debug),
            info: n(Level::Info),
            warn: n(Level::Warn),
            error: n(Level::Error),
        };
        let flushes = self.flushes.load(Ordering::Relaxed);
        let micros = self.flush_micros_total.load(Ordering::Relaxed);
        LoggerStats {
            entries_logged: by_level.total(),
            entries_by_level: by_level,
            entries_dropped: sink.dropped.total(),
            dropped: sink.dropped,
            entries_truncated: self.truncated.load(Ordering::Relaxed),
            flushes,
            flush_errors: self.flush_errors.load(Ordering::Relaxed),
            avg_flush_micros: micros.checked_div(flushes).unwrap_or(0),
            errors: sink.errors,
            last_error: sink.last_error.clone(),
            buffer_size: sink.buffered_bytes,
            buffer_capacity: sink.buffer_capacity_bytes,
            healthy,
            sink,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drop_counts_by_reason_and_total() {
        let c = DropCounters::default();
        c.record(DropReason::QueueFull);
        c.record_n(DropReason::TooOld, 3);
        let s = c.snapshot();
        assert_eq!(s.queue_full, 1);
        assert_eq!(s.get(DropReason::TooOld), 3);
        assert_eq!(s.total(), 4);
        assert_eq!(s.plus(&s).total(), 8);
        let json = serde_json::to_value(s).unwrap();
        assert_eq!(json["too_old"], 3);
        for r in DropReason::ALL {
            assert!(json.get(r.as_str()).is_some(), "{r}");
        }
    }
}
