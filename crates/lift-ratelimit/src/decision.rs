//! What a decision says: admitted or not, and the numbers the `RateLimit` headers carry.

use std::time::Duration;

use crate::limit::Limit;

/// The outcome of one request against a key's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request is admitted (and counted).
    pub allowed: bool,
    /// The limit closest to refusing (the one that refused, for a denial).
    pub limit: Limit,
    /// Requests still admitted under that limit right now.
    pub remaining: u32,
    /// How long until that limit's quota is whole again.
    pub reset_after: Duration,
    /// For a denial: how long until the same request would be admitted.
    pub retry_after: Option<Duration>,
}
