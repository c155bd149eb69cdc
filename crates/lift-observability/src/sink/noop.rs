//! A sink that discards everything: for `Logger::noop()` and benchmarks.
//!
//! It still counts what it accepted, so stats stay truthful.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::{LineMeta, Sink, SinkFuture, ready};
use crate::stats::{DropReason, SinkStats};

/// Discards every line, counting them.
#[derive(Debug, Default)]
pub struct NoopSink {
    accepted: AtomicU64,
}

impl NoopSink {
    /// A discarding sink.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Sink for NoopSink {
    fn name(&self) -> &str {
        "noop"
    }

    #[inline]
    fn accept(&self, _line: &[u8], _meta: &LineMeta<'_>) -> Result<(), DropReason> {
        self.accepted.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn flush(&self) -> SinkFuture<'_> {
        ready(Ok(()))
    }

    fn close(&self, _deadline: Duration) -> SinkFuture<'_> {
        ready(Ok(()))
    }

    fn stats(&self) -> SinkStats {
        let accepted = self.accepted.load(Ordering::Relaxed);
        SinkStats {
            name: "noop".into(),
            accepted,
            delivered: accepted,
            ..SinkStats::default()
        }
    }
}
