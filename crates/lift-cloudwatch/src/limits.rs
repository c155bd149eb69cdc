//! CloudWatch Logs limits Lift obeys, each a named constant citing where it comes from.
//!
//! Sources: the CloudWatch Logs API Reference for `PutLogEvents`, `CreateLogGroup` and
//! `CreateLogStream` (checked 2026-11; see also `docs/aws-facts.md`). Lift enforces them
//! before sending, because a batch that breaks one fails as a whole.

/// Maximum bytes in one `PutLogEvents` call: the sum of every event's UTF-8 message bytes
/// plus [`EVENT_OVERHEAD_BYTES`] per event (PutLogEvents: "The maximum batch size is
/// 1,048,576 bytes").
pub(crate) const MAX_BATCH_BYTES: usize = 1_048_576;

/// Bytes CloudWatch adds to each event when counting a batch's size (PutLogEvents: "This
/// size is calculated as the sum of all event messages in UTF-8, plus 26 bytes for each log
/// event").
pub(crate) const EVENT_OVERHEAD_BYTES: usize = 26;

/// Maximum events in one `PutLogEvents` call (PutLogEvents: "The maximum number of log
/// events in a batch is 10,000").
pub(crate) const MAX_BATCH_EVENTS: usize = 10_000;

/// Default cap on one event's message, so that one event always fits a batch with its
/// overhead: 1,048,576 − 26 (event size limit raised to 1 MB in April 2025).
pub const DEFAULT_MAX_EVENT_BYTES: usize = MAX_BATCH_BYTES - EVENT_OVERHEAD_BYTES;

/// The event cap some regions still document (256 KB event size, minus the overhead);
/// configure it where that applies.
pub const LEGACY_MAX_EVENT_BYTES: usize = 262_144 - EVENT_OVERHEAD_BYTES;

/// Smallest event cap Lift accepts in configuration: room for a truncated JSON entry.
pub(crate) const MIN_MAX_EVENT_BYTES: usize = 1024;

/// Maximum time between the first and last event of a batch (PutLogEvents: "A batch of
/// log events in a single request cannot span more than 24 hours").
pub(crate) const MAX_BATCH_SPAN_MS: i64 = 24 * 60 * 60 * 1000;

/// Events more than this far in the future are rejected (PutLogEvents: "None of the log
/// events in the batch can be more than 2 hours in the future").
pub(crate) const MAX_FUTURE_MS: i64 = 2 * 60 * 60 * 1000;

/// Events older than this are rejected (PutLogEvents: "None of the log events in the batch
/// can be more than 14 days in the past"), or older than the group's retention.
pub(crate) const MAX_AGE_MS: i64 = 14 * 24 * 60 * 60 * 1000;

/// Log group names: 1–512 characters (CreateLogGroup).
pub(crate) const MAX_LOG_GROUP_NAME_CHARS: usize = 512;

/// Log stream names: 1–512 characters (CreateLogStream).
pub(crate) const MAX_LOG_STREAM_NAME_CHARS: usize = 512;

/// Retention periods CloudWatch accepts, in days (PutRetentionPolicy).
pub(crate) const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// The size an event counts for in a batch.
#[inline]
pub(crate) const fn event_cost(message_bytes: usize) -> usize {
    message_bytes + EVENT_OVERHEAD_BYTES
}
