//! The shipper's self-telemetry: counters updated as work happens, read as [`ShipperStats`].
//!
//! Everything a user needs to see about shipping lives here, in named fields: entries
//! queued, shipped and dropped by reason, batches, bytes, API calls, retries, throttles,
//! average batch fill, flush latency, the last error, buffer use — and the health verdict
//! from the recent batch failure rate (a 60-second window: a run of failed batches reads
//! unhealthy within seconds, however many succeeded earlier).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use lift_observability::DropCounters;
use lift_observability::{DropCounts, DropReason, HealthWindow, SinkHealth};

/// A snapshot of the CloudWatch sink's counters.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ShipperStats {
    /// Entries accepted into the queue.
    pub queued: u64,
    /// Entries acknowledged by CloudWatch.
    pub shipped: u64,
    /// Entries dropped, by reason (refused at the queue, by the packer, rejected by
    /// CloudWatch, refused requests, undeliverable at close).
    pub dropped: DropCounts,
    /// Entries truncated to fit the per-event cap (then shipped; JSON kept valid).
    pub truncated: u64,
    /// Bytes cut from those entries.
    pub truncated_bytes: u64,
    /// Entries written to the spill output because they could not be shipped: still held at
    /// the close deadline (also counted in `dropped.undeliverable`), or refused at the door
    /// when refusals are spilled (also counted under their refusal reason).
    pub spilled: u64,
    /// Batches acknowledged.
    pub batches: u64,
    /// Batch bytes acknowledged (message bytes plus 26 per event).
    pub bytes: u64,
    /// `PutLogEvents` calls made, retries included.
    pub put_calls: u64,
    /// Request bodies written while the stream's previous call was in flight (the
    /// shipper's pipelining at work: such a batch leaves as soon as its stream is free).
    pub bodies_written_ahead: u64,
    /// Create calls made (group, stream, retention).
    pub create_calls: u64,
    /// Retries of a batch after a transient failure.
    pub retries: u64,
    /// Of those, after throttling.
    pub throttles: u64,
    /// Failed calls of any kind.
    pub errors: u64,
    /// The last error, without payload.
    pub last_error: Option<String>,
    /// Average fill of acknowledged batches against the 1 MiB limit (0.0–1.0).
    pub avg_batch_fill: f64,
    /// Flushes completed.
    pub flushes: u64,
    /// Average time a flush took, microseconds.
    pub avg_flush_micros: u64,
    /// Bytes held (queued or being shipped).
    pub buffered_bytes: u64,
    /// Entries held.
    pub buffered_entries: u64,
    /// The byte bound.
    pub buffer_capacity_bytes: u64,
    /// Failed share of recent batch attempts.
    pub recent_failure_rate: f64,
}

/// The live counters.
#[derive(Debug)]
pub(crate) struct ShipperCounters {
    pub(crate) shipped: AtomicU64,
    pub(crate) dropped: DropCounters,
    pub(crate) truncated: AtomicU64,
    pub(crate) truncated_bytes: AtomicU64,
    pub(crate) spilled: AtomicU64,
    pub(crate) batches: AtomicU64,
    pub(crate) bytes: AtomicU64,
    pub(crate) put_calls: AtomicU64,
    pub(crate) bodies_written_ahead: AtomicU64,
    pub(crate) create_calls: AtomicU64,
    pub(crate) retries: AtomicU64,
    pub(crate) throttles: AtomicU64,
    pub(crate) errors: AtomicU64,
    fill_ppm_sum: AtomicU64,
    flushes: AtomicU64,
    flush_micros_sum: AtomicU64,
    last_error: Mutex<Option<String>>,
    health: Mutex<HealthWindow>,
}

impl Default for ShipperCounters {
    fn default() -> Self {
        Self {
            shipped: AtomicU64::new(0),
            dropped: DropCounters::default(),
            truncated: AtomicU64::new(0),
            truncated_bytes: AtomicU64::new(0),
            spilled: AtomicU64::new(0),
            batches: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            put_calls: AtomicU64::new(0),
            bodies_written_ahead: AtomicU64::new(0),
            create_calls: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            throttles: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            fill_ppm_sum: AtomicU64::new(0),
            flushes: AtomicU64::new(0),
            flush_micros_sum: AtomicU64::new(0),
            last_error: Mutex::new(None),
            health: Mutex::new(HealthWindow::new(
                lift_observability::DEFAULT_MAX_FAILURE_RATE,
            )),
        }
    }
}

fn now_secs() -> u64 {
    u64::try_from(lift_observability::system_millis() / 1000).unwrap_or(0)
}

impl ShipperCounters {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// A batch was acknowledged.
    pub(crate) fn batch_delivered(&self, events: u64, bytes: u64, max_batch_bytes: usize) {
        Self::add(&self.shipped, events);
        Self::add(&self.batches, 1);
        Self::add(&self.bytes, bytes);
        let ppm = bytes.saturating_mul(1_000_000) / (max_batch_bytes.max(1) as u64);
        Self::add(&self.fill_ppm_sum, ppm);
        self.record_attempt(true);
    }

    /// `entries` entries were truncated, losing `bytes` bytes between them.
    pub(crate) fn truncated(&self, entries: u64, bytes: u64) {
        Self::add(&self.truncated, entries);
        Self::add(&self.truncated_bytes, bytes);
    }

    /// A call failed.
    pub(crate) fn error(&self, message: String) {
        Self::add(&self.errors, 1);
        *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(message);
    }

    /// A batch attempt's outcome, for health.
    pub(crate) fn record_attempt(&self, ok: bool) {
        self.health
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .record(now_secs(), ok);
    }

    /// Entries dropped for `reason`.
    pub(crate) fn drop_n(&self, reason: DropReason, n: u64) {
        if n > 0 {
            self.dropped.record_n(reason, n);
        }
    }

    /// The last error recorded, if any.
    pub(crate) fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// A flush completed after `micros`.
    pub(crate) fn flushed(&self, micros: u64) {
        Self::add(&self.flushes, 1);
        Self::add(&self.flush_micros_sum, micros);
    }

    /// The health verdict.
    pub(crate) fn health(&self) -> SinkHealth {
        self.health
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .health(now_secs())
    }

    /// A snapshot; `queue_drops`, `queued` and `held` come from the queue.
    pub(crate) fn snapshot(
        &self,
        queued: u64,
        queue_drops: &DropCounts,
        held: (usize, usize),
        capacity: usize,
    ) -> ShipperStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let batches = get(&self.batches);
        let flushes = get(&self.flushes);
        ShipperStats {
            queued,
            shipped: get(&self.shipped),
            dropped: self.dropped.snapshot().plus(queue_drops),
            truncated: get(&self.truncated),
            truncated_bytes: get(&self.truncated_bytes),
            spilled: get(&self.spilled),
            batches,
            bytes: get(&self.bytes),
            put_calls: get(&self.put_calls),
            bodies_written_ahead: get(&self.bodies_written_ahead),
            create_calls: get(&self.create_calls),
            retries: get(&self.retries),
            throttles: get(&self.throttles),
            errors: get(&self.errors),
            last_error: self.last_error(),
            avg_batch_fill: if batches == 0 {
                0.0
            } else {
                get(&self.fill_ppm_sum) as f64 / batches as f64 / 1_000_000.0
            },
            flushes,
            avg_flush_micros: get(&self.flush_micros_sum)
                .checked_div(flushes)
                .unwrap_or(0),
            buffered_bytes: held.0 as u64,
            buffered_entries: held.1 as u64,
            buffer_capacity_bytes: capacity as u64,
            recent_failure_rate: self
                .health
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .failure_rate(now_secs()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_and_flush_averages() {
        let c = ShipperCounters::default();
        c.batch_delivered(10, 1_000_000, 1_000_000);
        c.batch_delivered(10, 500_000, 1_000_000);
        c.flushed(100);
        c.flushed(300);
        let s = c.snapshot(20, &DropCounts::default(), (0, 0), 10);
        assert_eq!(s.shipped, 20);
        assert!((s.avg_batch_fill - 0.75).abs() < 1e-9);
        assert_eq!(s.avg_flush_micros, 200);
        assert_eq!(s.recent_failure_rate, 0.0);
    }

    #[test]
    fn recent_failures_make_it_unhealthy() {
        let c = ShipperCounters::default();
        for _ in 0..100 {
            c.record_attempt(true);
        }
        for _ in 0..50 {
            c.record_attempt(false);
        }
        assert!(!c.health().healthy);
    }
}
