//! Rate limiting for Lift services: per tenant, user or key, exact under any concurrency.
//!
//! A [`Limits`] set (for example `100/min,1000/h`, all decided together) and an
//! [`Algorithm`] — [`Algorithm::Gcra`] (the default: one timestamp per key and limit, smooth,
//! exact), [`Algorithm::FixedWindow`], or [`Algorithm::SlidingWindow`] (exact: a log of the
//! admitted requests' times, not the sub-bucket approximation that lets bursts through
//! across window boundaries) — are decided for a key by a [`Store`] in one atomic step: a
//! request is admitted only if every limit admits it, and then counted against all of them.
//! [`MemoryStore`] keeps the state in the process (bounded; idle keys are evicted).
//!
//! ```
//! use std::time::Duration;
//! use lift_ratelimit::{Algorithm, Limits, MemoryStore, Store};
//!
//! let limits: Limits = "2/s".parse().unwrap();
//! let store = MemoryStore::new(10_000);
//! let now = lift_ratelimit::unix_now();
//! let decide = |at| store.decide("tenant:acme", &limits, Algorithm::Gcra, at).unwrap();
//! assert!(decide(now).allowed && decide(now).allowed);
//! let third = decide(now);
//! assert!(!third.allowed);
//! assert_eq!(third.retry_after, Some(Duration::from_millis(500)));
//! ```

mod algorithm;
mod decision;
mod error;
mod key;
mod limit;
mod memory;

pub use algorithm::Algorithm;
pub use decision::Decision;
pub use error::RateLimitError;
pub use key::{TrustedProxies, api_key_fingerprint};
pub use limit::{Limit, Limits};
pub use memory::MemoryStore;

/// Where rate-limit state lives: one atomic decision per call.
pub trait Store: Send + Sync {
    /// Decides one request for `key` at `now` — the time since the Unix epoch
    /// ([`unix_now`]), so that every instance sharing a store counts on one clock: admitted
    /// only if every limit admits it, and then counted against all of them; a denied
    /// request changes nothing.
    fn decide(
        &self,
        key: &str,
        limits: &Limits,
        algorithm: Algorithm,
        now: std::time::Duration,
    ) -> Result<Decision, RateLimitError>;
}

/// The current time as [`Store::decide`] takes it: since the Unix epoch (zero if the system
/// clock is set before it).
pub fn unix_now() -> std::time::Duration {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
}
