//! Helpers the store's unit tests share.

use super::Seen;
use crate::limit::Limits;

/// `text` parsed as a plan of limits.
pub(super) fn limits(text: &str) -> Limits {
    text.parse().unwrap()
}

/// An item holding `pairs`: attribute names and their numbers.
pub(super) fn numbers<const N: usize>(pairs: [(&str, u64); N]) -> Seen {
    let mut seen = Seen::default();
    for (name, n) in pairs {
        seen.insert(name, n);
    }
    seen
}
