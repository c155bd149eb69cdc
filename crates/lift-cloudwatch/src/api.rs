//! [`LogsApi`]: the four CloudWatch Logs calls the shipper needs, behind a small trait.
//!
//! The shipper talks to this trait only, so the same code drives the real AWS SDK client
//! ([`crate::SdkLogsApi`]), a local emulator (the SDK with an endpoint URL) and the strict,
//! fault-injecting mock (`MockLogsApi`, feature `testing`). Errors come back as an
//! [`ApiError`] with a transport-neutral [`ApiErrorKind`](crate::ApiErrorKind) and the service's error code;
//! deciding what to do about them is [`crate::classify`]'s job, not the client's.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use crate::error::ApiError;
use crate::packer::LogEvent;
use crate::put_body::PreparedPut;

/// One `PutLogEvents` request: a batch of events for a stream and, written on first use and
/// kept, its JSON body with the body's SHA-256.
///
/// The shipper writes the body of a stream's next batch (on tokio's blocking pool, or at
/// once when it is small) while the stream's current call is in flight, so the next request
/// leaves as soon as the stream is free, and a retried or replayed batch is not written
/// again. Implementations that send
/// their own serialisation just read [`events`](Self::events): the body is never written for
/// them unless the shipper writes it ahead.
#[derive(Debug)]
pub struct PutRequest {
    group: Arc<str>,
    stream: Arc<str>,
    events: Vec<LogEvent>,
    body: OnceLock<PreparedPut>,
}

impl PutRequest {
    /// A request putting `events` (sorted, within every batch rule) into `group`/`stream`.
    pub fn new(
        group: impl Into<Arc<str>>,
        stream: impl Into<Arc<str>>,
        events: Vec<LogEvent>,
    ) -> Self {
        Self {
            group: group.into(),
            stream: stream.into(),
            events,
            body: OnceLock::new(),
        }
    }

    /// The log group.
    pub fn group(&self) -> &str {
        &self.group
    }

    /// The log stream.
    pub fn stream(&self) -> &str {
        &self.stream
    }

    /// The events, in order.
    pub fn events(&self) -> &[LogEvent] {
        &self.events
    }

    /// The JSON body and its SHA-256, written now if it was not yet (then kept).
    pub fn body(&self) -> &PreparedPut {
        self.body
            .get_or_init(|| PreparedPut::new(&self.group, &self.stream, &self.events))
    }

    /// Writes the body unless it is written already; whether this call wrote it.
    pub(crate) fn write_body(&self) -> bool {
        let mut wrote = false;
        self.body.get_or_init(|| {
            wrote = true;
            PreparedPut::new(&self.group, &self.stream, &self.events)
        });
        wrote
    }

    /// The events' message bytes (what writing the body costs grows with).
    pub(crate) fn message_bytes(&self) -> usize {
        self.events.iter().map(|e| e.message.len()).sum()
    }

    /// The body, if it has been written already.
    pub fn written_body(&self) -> Option<&PreparedPut> {
        self.body.get()
    }
}

/// What a [`LogsApi`] call returns.
pub type ApiFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ApiError>> + Send + 'a>>;

/// The CloudWatch Logs operations the shipper uses.
///
/// Implementations must be cheap to call concurrently: the shipper keeps several calls in
/// flight (one per stream at most).
pub trait LogsApi: Send + Sync + 'static {
    /// `PutLogEvents` without a sequence token. The request's events obey every batch rule;
    /// an implementation sending JSON uses [`PutRequest::body`], written once per batch
    /// (usually before the call, off the async workers) and reused by every attempt.
    fn put_log_events<'a>(&'a self, request: &'a PutRequest) -> ApiFuture<'a, PutOutcome>;

    /// `CreateLogGroup`.
    fn create_log_group<'a>(&'a self, group: &'a str) -> ApiFuture<'a, ()>;

    /// `CreateLogStream`.
    fn create_log_stream<'a>(&'a self, group: &'a str, stream: &'a str) -> ApiFuture<'a, ()>;

    /// `PutRetentionPolicy`.
    fn put_retention_policy<'a>(&'a self, group: &'a str, days: u32) -> ApiFuture<'a, ()>;
}

/// The successful answer to `PutLogEvents`: which events, if any, were refused one by one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PutOutcome {
    /// `rejectedLogEventsInfo`, when present.
    pub rejected: RejectedEvents,
}

/// `rejectedLogEventsInfo`: index bounds into the batch that was sent.
///
/// AWS semantics: events at `too_new_start..` were too new (inclusive start); events at
/// `..too_old_end` were too old and at `..expired_end` expired by retention (exclusive ends).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RejectedEvents {
    /// `tooNewLogEventStartIndex`.
    pub too_new_start: Option<usize>,
    /// `tooOldLogEventEndIndex`.
    pub too_old_end: Option<usize>,
    /// `expiredLogEventEndIndex`.
    pub expired_end: Option<usize>,
}

impl RejectedEvents {
    /// Whether nothing was rejected.
    pub fn is_empty(&self) -> bool {
        self.too_new_start.is_none() && self.too_old_end.is_none() && self.expired_end.is_none()
    }

    /// Why the event at `index` of a batch of `len` was rejected, or `None` if it was
    /// accepted. Expired wins over too old when both cover an index.
    pub fn reason_for(&self, index: usize, len: usize) -> Option<lift_observability::DropReason> {
        use lift_observability::DropReason;
        if index >= len {
            return None;
        }
        if self.expired_end.is_some_and(|end| index < end) {
            Some(DropReason::Expired)
        } else if self.too_old_end.is_some_and(|end| index < end) {
            Some(DropReason::TooOld)
        } else if self.too_new_start.is_some_and(|start| index >= start) {
            Some(DropReason::TooNew)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lift_observability::DropReason;

    #[test]
    fn rejected_indices_follow_aws_semantics() {
        let r = RejectedEvents {
            too_new_start: Some(8),
            too_old_end: Some(3),
            expired_end: Some(1),
        };
        let reasons: Vec<_> = (0..10).map(|i| r.reason_for(i, 10)).collect();
        assert_eq!(reasons[0], Some(DropReason::Expired));
        assert_eq!(reasons[1], Some(DropReason::TooOld));
        assert_eq!(reasons[2], Some(DropReason::TooOld));
        assert!(reasons[3..8].iter().all(Option::is_none));
        assert_eq!(reasons[8], Some(DropReason::TooNew));
        assert_eq!(reasons[9], Some(DropReason::TooNew));
        assert_eq!(r.reason_for(10, 10), None);
        assert!(RejectedEvents::default().is_empty());
    }
}
