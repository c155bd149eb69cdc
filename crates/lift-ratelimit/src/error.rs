//! The crate's errors.

/// Why a limit could not be read or a decision made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RateLimitError {
    /// A limit written as text is not `N/unit` (`100/min`, `1000/h`, `10/s`, `5/30s`).
    #[error("invalid limit {text:?}: {reason}")]
    InvalidLimit {
        /// The text given.
        text: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The store is full of keys that are all still in use.
    #[error("the rate-limit store holds {capacity} active keys and has no room for another")]
    Full {
        /// How many keys the store holds at most.
        capacity: usize,
    },
    /// The store did not decide within the limiter's timeout.
    #[error("the rate-limit store did not decide within {timeout:?}")]
    Timeout {
        /// The timeout.
        timeout: std::time::Duration,
    },
    /// The store failed (unreachable, throttled, refused the request).
    #[error("the rate-limit store failed: {message}")]
    Store {
        /// What failed, without the key.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },
}
