//! A sink that discards everything: for `Logger::noop()` and benchmarks.
//!
//! It keeps no counters (the logger's own per-level counts still say what was logged), so
//! benchmarks through it measure the logger alone.

use std::time::Duration;

use super::{LineMeta, Sink, SinkFuture, ready};
use crate::stats::{DropReason, SinkStats};

/// Discards every line.
#[derive(Debug, Default)]
pub struct NoopSink {
    _private: (),
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
        Ok(())
    }

    fn flush(&self) -> SinkFuture<'_> {
        ready(Ok(()))
    }

    fn close(&self, _deadline: Duration) -> SinkFuture<'_> {
        ready(Ok(()))
    }

    fn stats(&self) -> SinkStats {
        SinkStats {
            name: "noop".into(),
            ..SinkStats::default()
        }
    }
}
