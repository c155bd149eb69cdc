//! Health from the *recent* failure rate of a sink's operations.
//!
//! The Go original divided failures by all entries ever logged, so a sink failing 100% of
//! the time after a good start still read as healthy. [`HealthWindow`] keeps success and
//! failure counts in per-second-group buckets covering the last [`WINDOW_SECS`] seconds;
//! the rate is computed over that window alone, so health turns bad within one failing
//! operation and recovers once the failures age out. No operations in the window reads as
//! healthy.

use serde::Serialize;

/// How far back the failure rate looks, in seconds.
pub(crate) const WINDOW_SECS: u64 = 60;
/// Buckets in the window; each covers `WINDOW_SECS / BUCKETS` seconds.
const BUCKETS: usize = 12;
const BUCKET_SECS: u64 = WINDOW_SECS / BUCKETS as u64;
/// The failure rate above which a sink reads as unhealthy, unless configured otherwise.
pub const DEFAULT_MAX_FAILURE_RATE: f64 = 0.1;

#[derive(Debug, Clone, Copy, Default)]
struct Bucket {
    epoch: u64,
    ok: u64,
    failed: u64,
}

/// Success and failure counts over the last minute, bucketed by time.
#[derive(Debug, Clone)]
pub struct HealthWindow {
    buckets: [Bucket; BUCKETS],
    max_failure_rate: f64,
}

impl Default for HealthWindow {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_FAILURE_RATE)
    }
}

impl HealthWindow {
    /// A window that reads unhealthy above `max_failure_rate` (0.0 to 1.0).
    pub fn new(max_failure_rate: f64) -> Self {
        Self {
            buckets: [Bucket::default(); BUCKETS],
            max_failure_rate: max_failure_rate.clamp(0.0, 1.0),
        }
    }

    /// Records one operation's outcome at `now_secs` (Unix seconds).
    pub fn record(&mut self, now_secs: u64, ok: bool) {
        self.record_n(now_secs, u64::from(ok), u64::from(!ok));
    }

    /// Records several outcomes at once.
    pub fn record_n(&mut self, now_secs: u64, ok: u64, failed: u64) {
        let epoch = now_secs / BUCKET_SECS;
        let b = &mut self.buckets[(epoch % BUCKETS as u64) as usize];
        if b.epoch != epoch {
            *b = Bucket {
                epoch,
                ..Bucket::default()
            };
        }
        b.ok += ok;
        b.failed += failed;
    }

    /// (successes, failures) within the window ending at `now_secs`.
    pub fn counts(&self, now_secs: u64) -> (u64, u64) {
        let now_epoch = now_secs / BUCKET_SECS;
        self.buckets
            .iter()
            .filter(|b| b.epoch <= now_epoch && now_epoch - b.epoch < BUCKETS as u64)
            .fold((0, 0), |(ok, failed), b| (ok + b.ok, failed + b.failed))
    }

    /// Failures over all operations within the window (0.0 when there were none).
    pub fn failure_rate(&self, now_secs: u64) -> f64 {
        let (ok, failed) = self.counts(now_secs);
        if ok + failed == 0 {
            0.0
        } else {
            failed as f64 / (ok + failed) as f64
        }
    }

    /// A health verdict at `now_secs`.
    pub fn health(&self, now_secs: u64) -> SinkHealth {
        let rate = self.failure_rate(now_secs);
        let healthy = rate <= self.max_failure_rate;
        SinkHealth {
            healthy,
            recent_failure_rate: rate,
            reason: (!healthy).then(|| {
                format!(
                    "{:.0}% of operations failed in the last {WINDOW_SECS} s (limit {:.0}%)",
                    rate * 100.0,
                    self.max_failure_rate * 100.0
                )
            }),
        }
    }
}

/// A sink's health verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SinkHealth {
    /// Whether the sink is working well enough.
    pub healthy: bool,
    /// Failed operations over all operations in the recent window.
    pub recent_failure_rate: f64,
    /// Why it is unhealthy, when it is.
    pub reason: Option<String>,
}

impl SinkHealth {
    /// A healthy verdict with no failures.
    pub fn healthy() -> Self {
        Self {
            healthy: true,
            recent_failure_rate: 0.0,
            reason: None,
        }
    }

    /// An unhealthy verdict with a reason.
    pub fn unhealthy(reason: impl Into<String>) -> Self {
        Self {
            healthy: false,
            recent_failure_rate: 1.0,
            reason: Some(reason.into()),
        }
    }
}

/// Seconds since the Unix epoch, for health windows.
pub(crate) fn now_secs() -> u64 {
    u64::try_from(crate::timestamp::system_millis() / 1000).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_failure_after_a_good_history_is_unhealthy() {
        let mut w = HealthWindow::default();
        // A long good history...
        for s in 0..600 {
            w.record_n(s, 1000, 0);
        }
        assert!(w.health(600).healthy);
        // ...then everything fails: the Go original would still say healthy.
        for s in 600..610 {
            w.record(s, false);
        }
        let h = w.health(610);
        assert!(h.recent_failure_rate > 0.0);
        // Failures are diluted only by the last minute's successes, not by history.
        let (ok, failed) = w.counts(610);
        assert_eq!(failed, 10);
        assert!(ok <= 1000 * WINDOW_SECS, "{ok}");
        // Once the good minute has aged out, it reads 100% failed.
        for s in 610..700 {
            w.record(s, false);
        }
        let h = w.health(700);
        assert!(!h.healthy);
        assert_eq!(h.recent_failure_rate, 1.0);
        assert!(h.reason.unwrap().contains("100%"));
    }

    #[test]
    fn recovers_when_failures_age_out() {
        let mut w = HealthWindow::default();
        w.record(100, false);
        assert!(!w.health(100).healthy);
        w.record(200, true);
        assert!(w.health(200).healthy);
        assert_eq!(w.failure_rate(200), 0.0);
        assert!(HealthWindow::default().health(5).healthy);
    }
}
