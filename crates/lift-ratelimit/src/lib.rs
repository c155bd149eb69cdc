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
//! use lift_ratelimit::{Algorithm, Limits, MemoryStore};
//!
//! let limits: Limits = "2/s".parse().unwrap();
//! let store = MemoryStore::new(10_000);
//! let now = lift_ratelimit::unix_now();
//! let decide = |at| store.decide_at("tenant:acme", &limits, Algorithm::Gcra, at).unwrap();
//! assert!(decide(now).allowed && decide(now).allowed);
//! let third = decide(now);
//! assert!(!third.allowed);
//! assert_eq!(third.retry_after, Some(Duration::from_millis(500)));
//! ```

mod algorithm;
mod clock;
mod decision;
#[cfg(feature = "dynamodb")]
mod dynamodb;
mod env;
mod error;
mod key;
mod layer;
mod limit;
mod limiter;
mod memory;
mod store;

pub use algorithm::Algorithm;
pub use decision::Decision;
#[cfg(feature = "dynamodb")]
pub use dynamodb::{DynamoDbStore, PARTITION_KEY, TTL_ATTRIBUTE};
pub use env::{
    RATE_LIMIT_ALGORITHM_ENV, RATE_LIMIT_ENV, RATE_LIMIT_PLANS_ENV, RATE_LIMIT_TABLE_ENV,
    RATE_LIMIT_TIMEOUT_ENV,
};
pub use error::RateLimitError;
pub use key::{KeyBy, TrustedProxies, api_key_fingerprint};
pub use layer::{
    FailMode, RateLimitHeaders, RateLimitLayer, RateLimited, RateLimitedFuture, Route,
};
pub use limit::{Limit, Limits};
pub use limiter::{DEFAULT_DECISION_TIMEOUT, RateLimitStats, RateLimiter, StoreHealth};
pub use memory::MemoryStore;
pub use store::{Store, unix_now};
