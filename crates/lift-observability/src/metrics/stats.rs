//! What a [`Metrics`](super::Metrics) handle did and refused — its counters, their snapshot, and what one
//! flush wrote.

use std::sync::Mutex;
use std::sync::atomic::AtomicU64;

use serde::Serialize;

/// The counters a handle and its children share, read by [`MetricsStats`].
#[derive(Debug, Default)]
pub(super) struct Counters {
    pub(super) recorded: AtomicU64,
    pub(super) non_finite: AtomicU64,
    pub(super) invalid: AtomicU64,
    pub(super) overflow: AtomicU64,
    pub(super) collisions: AtomicU64,
    pub(super) documents: AtomicU64,
    pub(super) flushes: AtomicU64,
    pub(super) last_violation: Mutex<Option<String>>,
}

/// What a [`Metrics`](super::Metrics) handle did and refused, across all its children.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct MetricsStats {
    /// Recordings accepted.
    pub recorded: u64,
    /// Recordings dropped because the value was NaN or infinite.
    pub dropped_non_finite: u64,
    /// Recordings or series dropped for breaking an EMF rule (name, dimensions, conflict).
    pub dropped_invalid: u64,
    /// Recordings refused past [`MAX_SERIES`](super::MAX_SERIES) or
    /// [`MAX_HELD_VALUES`](super::MAX_HELD_VALUES).
    pub dropped_overflow: u64,
    /// Properties or dimensions left out, or metrics dropped, because the key was taken
    /// (a metric named like a dimension of its document) or reserved.
    pub collisions: u64,
    /// Tenants folded into `__other__`.
    pub tenant_overflow: u64,
    /// EMF documents written.
    pub documents: u64,
    /// Flushes that wrote at least one document.
    pub flushes: u64,
    /// The last rule broken, for diagnosis.
    pub last_violation: Option<String>,
}

/// What one flush wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FlushReport {
    /// Documents written.
    pub documents: u64,
    /// Documents the sink refused (counted by the sink as well).
    pub refused: u64,
}
