//! Sinks: where encoded lines go.
//!
//! A [`Sink`] receives each encoded line with its [`LineMeta`] and must return at once — a
//! sink that ships over the network queues the line and returns. `flush` and `close` are
//! futures so a batching, acknowledging sink (the CloudWatch sink) fits behind the same
//! trait: `flush().await` resolves when everything accepted before the call is delivered.
//!
//! Contract: a sink counts every entry it drops, including the ones it refuses in `accept`
//! (the returned [`DropReason`] is for the caller's information, not for counting again);
//! `accept` never panics and never blocks on I/O beyond a local write.

mod invocation_buffer;
mod memory;
mod noop;
mod writer;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

pub use invocation_buffer::{BufferOutcome, BufferSettings, InvocationBuffer};
pub use memory::{CapturedLine, MemorySink, SinkEvent};
pub use noop::NoopSink;
pub use writer::{DEFAULT_BUFFER_BYTES, WriterSink};

use crate::error::SinkError;
use crate::health::SinkHealth;
use crate::level::Level;
use crate::stats::{DropReason, SinkStats};

/// What a sink's `flush` and `close` return.
pub type SinkFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SinkError>> + Send + 'a>>;

/// Facts about one line that a sink may need without parsing it.
#[derive(Debug, Clone, Copy)]
pub struct LineMeta<'a> {
    /// The entry's time, Unix milliseconds.
    pub timestamp_ms: i64,
    /// The entry's level.
    pub level: Level,
    /// The tenant the entry belongs to, for per-tenant routing.
    pub tenant_id: Option<&'a str>,
}

/// A destination for encoded lines.
pub trait Sink: Send + Sync + 'static {
    /// A short name for stats and health (`stdout`, `memory`, `cloudwatch`).
    fn name(&self) -> &str;

    /// Takes one encoded line (no trailing newline). Returns at once; on refusal, counts
    /// the drop itself and says why.
    fn accept(&self, line: &[u8], meta: &LineMeta<'_>) -> Result<(), DropReason>;

    /// Resolves when every line accepted before the call has been delivered.
    fn flush(&self) -> SinkFuture<'_>;

    /// Resolves when every line accepted before the call *for `tenant`* (its
    /// [`LineMeta::tenant_id`]) has been delivered. A sink that keeps tenants apart — the
    /// CloudWatch sink with a per-tenant stream — waits for that tenant's lines only, so one
    /// tenant's slow or throttled stream never holds up another's flush; others flush
    /// everything (the default).
    fn flush_tenant(&self, tenant: Option<&str>) -> SinkFuture<'_> {
        let _ = tenant;
        self.flush()
    }

    /// Flushes within `deadline`, then refuses further lines.
    fn close(&self, deadline: Duration) -> SinkFuture<'_>;

    /// The health verdict from the recent failure rate.
    fn health(&self) -> SinkHealth {
        SinkHealth::healthy()
    }

    /// Self-telemetry.
    fn stats(&self) -> SinkStats;

    /// Whether the output is a terminal (console colours are used only then).
    fn is_terminal(&self) -> bool {
        false
    }
}

/// A future that is already complete.
pub(crate) fn ready(result: Result<(), SinkError>) -> SinkFuture<'static> {
    Box::pin(std::future::ready(result))
}
