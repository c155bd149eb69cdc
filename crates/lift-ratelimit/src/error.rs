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
}
