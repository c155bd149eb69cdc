//! [`RetryPolicy`]: capped exponential backoff with full jitter.
//!
//! Delay for attempt `n` (0-based) is uniform in `[0, min(cap, base · 2ⁿ)]` — "full jitter"
//! from the AWS Architecture Blog's *Exponential Backoff and Jitter*, which spreads many
//! clients' retries instead of synchronising them. A server-requested delay
//! (`x-amz-retry-after`) is a floor. There is deliberately no attempt limit here: the
//! shipper keeps retrying a transient failure while its buffer has room, and it is the
//! buffer bound or the close deadline that forces a drop (see the crate docs).

use std::time::Duration;

/// Default first-retry ceiling.
pub(crate) const DEFAULT_BASE: Duration = Duration::from_millis(100);
/// Default ceiling for any one delay.
pub(crate) const DEFAULT_CAP: Duration = Duration::from_secs(20);

/// The backoff schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The ceiling of the first delay.
    pub base: Duration,
    /// The ceiling of every delay.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: DEFAULT_BASE,
            cap: DEFAULT_CAP,
        }
    }
}

impl RetryPolicy {
    /// The ceiling for attempt `attempt` (0-based): `min(cap, base · 2^attempt)`.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// The delay before retry `attempt`, drawn from `rng`, never below `retry_after`.
    pub fn delay(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        rng: &mut fastrand::Rng,
    ) -> Duration {
        let ceiling = self.ceiling(attempt).as_micros().min(u128::from(u64::MAX)) as u64;
        let jittered = Duration::from_micros(rng.u64(0..=ceiling));
        match retry_after {
            Some(floor) => jittered.max(floor.min(self.cap)),
            None => jittered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_double_then_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.ceiling(0), Duration::from_millis(100));
        assert_eq!(p.ceiling(1), Duration::from_millis(200));
        assert_eq!(p.ceiling(5), Duration::from_millis(3200));
        assert_eq!(p.ceiling(8), Duration::from_secs(20));
        assert_eq!(p.ceiling(1000), Duration::from_secs(20));
    }

    #[test]
    fn delays_are_jittered_within_the_ceiling() {
        let p = RetryPolicy::default();
        let mut rng = fastrand::Rng::with_seed(7);
        let delays: Vec<_> = (0..200).map(|_| p.delay(3, None, &mut rng)).collect();
        assert!(delays.iter().all(|d| *d <= p.ceiling(3)));
        let distinct: std::collections::HashSet<_> = delays.iter().collect();
        assert!(distinct.len() > 150, "full jitter spreads delays");
        assert!(delays.iter().any(|d| *d < p.ceiling(3) / 4));
    }

    #[test]
    fn a_retry_after_hint_is_a_floor_capped_by_the_policy() {
        let p = RetryPolicy::default();
        let mut rng = fastrand::Rng::with_seed(1);
        for _ in 0..50 {
            assert!(p.delay(0, Some(Duration::from_secs(2)), &mut rng) >= Duration::from_secs(2));
        }
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(3600)), &mut rng),
            Duration::from_secs(20)
        );
    }
}
