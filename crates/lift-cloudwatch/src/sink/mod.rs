//! [`CloudWatchSink`]: the logger's [`Sink`] that ships to CloudWatch Logs.
//!
//! `accept` copies the encoded line into the bounded queue and returns — the logging call
//! never waits on the network. A line longer than the per-event cap is truncated *before*
//! it is queued (JSON kept valid, counted in `truncated`), so no single line can outgrow
//! the buffer. A refused line is counted by reason and, when the sink is built with
//! [`spill_refused`](CloudWatchSinkBuilder::spill_refused), written to the spill output
//! whole. The shipper runs as a task on the caller's tokio runtime
//! ([`CloudWatchSinkBuilder::build`]) or, for programs without one, on its own thread with
//! its own small runtime ([`CloudWatchSinkBuilder::build_blocking`]).
//!
//! `flush().await` resolves when every entry accepted before the call is acknowledged, or
//! with an error carrying the exact number not delivered (or still pending at the flush
//! timeout). `close(deadline)` flushes, then stops; what could not be shipped by the
//! deadline is written to stderr behind a marker and counted. The [`CloudWatchGuard`]
//! closes with the configured deadline when dropped, so `main` returning does not lose
//! the tail of the log.
//!
//! # Examples
//!
//! ```no_run
//! use lift_cloudwatch::{CloudWatchConfig, CloudWatchSink};
//! use lift_observability::{Logger, info};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let mut config = CloudWatchConfig::new("/lift/payments");
//! config.log_stream = "{date}/{tenant_id}".into(); // one stream per tenant
//! config.create_group = true;
//! let (sink, guard) = CloudWatchSink::builder(config).build().await?;
//! let log = Logger::builder().sink(sink).build();
//! info!(log.with_tenant_id("acme"), "Charge captured"; "amount" => 1250);
//! log.flush().await?; // every line above is acknowledged by CloudWatch
//! guard.close().await?;
//! # Ok(())
//! # }
//! ```

use std::sync::Arc;
use std::time::Duration;

mod builder;

pub use builder::CloudWatchSinkBuilder;

use lift_observability::{
    DropReason, LineMeta, Sink, SinkError, SinkFuture, SinkHealth, SinkStats,
};
use tokio::sync::{mpsc, oneshot};

use crate::config::CloudWatchConfig;
use crate::queue::Queue;
use crate::shipper::Command;
use crate::spill::Spill;
use crate::stats::{ShipperCounters, ShipperStats};
use crate::stream_name::StreamTemplate;
use lift_observability::truncate_line;

/// Where refused lines are written, when they are.
struct RefusalSpill {
    spill: Spill,
    group: String,
    template: StreamTemplate,
}

struct Inner {
    queue: Arc<Queue>,
    counters: Arc<ShipperCounters>,
    commands: mpsc::UnboundedSender<Command>,
    max_event_bytes: usize,
    refusals: Option<RefusalSpill>,
    per_tenant: bool,
    flush_timeout: Duration,
    close_timeout: Duration,
    own_thread: bool,
}

/// The CloudWatch Logs sink. Cheap to clone; every clone feeds the same queue.
#[derive(Clone)]
pub struct CloudWatchSink {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for CloudWatchSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudWatchSink")
            .field("stats", &self.shipper_stats())
            .finish()
    }
}

impl CloudWatchSink {
    /// A builder for `config`.
    pub fn builder(config: CloudWatchConfig) -> CloudWatchSinkBuilder {
        CloudWatchSinkBuilder::new(config)
    }

    /// The shipper's full self-telemetry.
    pub fn shipper_stats(&self) -> ShipperStats {
        let q = &self.inner.queue;
        self.inner.counters.snapshot(
            q.accepted_count(),
            &q.drops().snapshot(),
            q.held(),
            q.limits().max_bytes,
        )
    }

    /// Like [`Sink::accept`], but under [`OverflowPolicy::Block`](crate::OverflowPolicy)
    /// waits at most `max_wait` for room instead of the configured block timeout — for a
    /// caller that budgets its waiting as a whole (`lift-ship --max-block-ms`).
    pub fn accept_within(
        &self,
        line: &[u8],
        meta: &LineMeta<'_>,
        max_wait: Duration,
    ) -> Result<(), DropReason> {
        self.offer(line, meta, Some(max_wait))
    }

    /// From now on a line that finds the buffer full is refused at once (and spilled, if
    /// refusals are), and callers waiting for room give up; lines that fit are still taken.
    /// For a shutdown that must not wait on a full buffer: `lift-ship` calls it on SIGTERM,
    /// ships the lines it has read, then closes.
    pub fn stop_waiting(&self) {
        self.inner.queue.stop_waiting();
    }

    fn offer(
        &self,
        line: &[u8],
        meta: &LineMeta<'_>,
        max_wait: Option<Duration>,
    ) -> Result<(), DropReason> {
        let inner = &self.inner;
        let tenant = if inner.per_tenant {
            meta.tenant_id
        } else {
            None
        };
        let fitted;
        let queued = if line.len() > inner.max_event_bytes {
            let text = String::from_utf8_lossy(line);
            fitted = truncate_line(&text, inner.max_event_bytes).into_owned();
            inner
                .counters
                .truncated(1, (line.len() - fitted.len()) as u64);
            fitted.as_bytes()
        } else {
            line
        };
        let pushed = match max_wait {
            Some(wait) => inner
                .queue
                .push_within(queued, tenant, meta.timestamp_ms, wait),
            None => inner.queue.push(queued, tenant, meta.timestamp_ms),
        };
        if pushed.is_err()
            && let Some(refusals) = &inner.refusals
        {
            let stream = refusals.template.render(tenant);
            let text = String::from_utf8_lossy(line);
            refusals
                .spill
                .write_line(&refusals.group, &stream, meta.timestamp_ms, &text);
            refusals.spill.finish();
            ShipperCounters::add(&inner.counters.spilled, 1);
        }
        pushed.map(drop)
    }

    /// Waits for every entry accepted so far, up to `timeout`.
    ///
    /// `Ok` when all of them were acknowledged; [`SinkError::Undelivered`] with the exact
    /// number dropped among them (rejected by CloudWatch, refused requests); or
    /// [`SinkError::Timeout`] with the number still pending. Entries already settled before
    /// the call (delivered or dropped) are not reported again: their drops are in
    /// [`shipper_stats`](Self::shipper_stats).
    pub async fn flush_within(&self, timeout: Duration) -> Result<(), SinkError> {
        self.flush_scoped(None, timeout).await
    }

    /// [`flush_within`](Self::flush_within) for the lines of `tenant` only: those routed to
    /// its stream (with a `{tenant_id}` stream template, its own stream; otherwise the one
    /// stream every tenant shares). Lines of other streams are not waited for.
    pub async fn flush_tenant_within(
        &self,
        tenant: Option<&str>,
        timeout: Duration,
    ) -> Result<(), SinkError> {
        let scope = Some(tenant.map(|t| t.as_bytes().to_vec()));
        self.flush_scoped(scope, timeout).await
    }

    async fn flush_scoped(
        &self,
        scope: Option<Option<Vec<u8>>>,
        timeout: Duration,
    ) -> Result<(), SinkError> {
        let (reply, answer) = oneshot::channel();
        let command = Command::Flush {
            target: self.inner.queue.accepted_count(),
            scope,
            timeout,
            started: std::time::Instant::now(),
            reply,
        };
        if self.inner.commands.send(command).is_err() {
            return Err(SinkError::Closed);
        }
        answer.await.unwrap_or(Err(SinkError::Closed))
    }

    /// Ships what it can within `deadline`, spills the rest, and stops. A call made while a
    /// close is under way brings its deadline forward if `deadline` is nearer (a zero
    /// deadline spills what is held at once) and answers with it; after the stop a call
    /// returns `Ok` at once.
    pub async fn close_within(&self, deadline: Duration) -> Result<(), SinkError> {
        self.inner.queue.close();
        let (reply, answer) = oneshot::channel();
        if self
            .inner
            .commands
            .send(Command::Close { deadline, reply })
            .is_err()
        {
            return Ok(());
        }
        answer.await.unwrap_or(Ok(()))
    }
}

impl Sink for CloudWatchSink {
    fn name(&self) -> &str {
        "cloudwatch"
    }

    fn accept(&self, line: &[u8], meta: &LineMeta<'_>) -> Result<(), DropReason> {
        self.offer(line, meta, None)
    }

    fn flush(&self) -> SinkFuture<'_> {
        Box::pin(self.flush_within(self.inner.flush_timeout))
    }

    fn flush_tenant(&self, tenant: Option<&str>) -> SinkFuture<'_> {
        let tenant = tenant.map(str::to_owned);
        Box::pin(async move {
            self.flush_tenant_within(tenant.as_deref(), self.inner.flush_timeout)
                .await
        })
    }

    fn close(&self, deadline: Duration) -> SinkFuture<'_> {
        Box::pin(self.close_within(deadline))
    }

    fn health(&self) -> SinkHealth {
        self.inner.counters.health()
    }

    fn stats(&self) -> SinkStats {
        let s = self.shipper_stats();
        SinkStats {
            name: "cloudwatch".to_owned(),
            accepted: s.queued,
            delivered: s.shipped,
            dropped: s.dropped,
            bytes_delivered: s.bytes,
            buffered_bytes: s.buffered_bytes,
            buffer_capacity_bytes: s.buffer_capacity_bytes,
            errors: s.errors,
            last_error: s.last_error,
            recent_failure_rate: s.recent_failure_rate,
            retries: s.retries,
            throttles: s.throttles,
        }
    }
}

/// Closes the sink with the configured deadline when dropped.
///
/// Prefer `guard.close().await` in async code. Dropping the guard blocks the dropping
/// thread until the close finishes (bounded by the close deadline) — except on a
/// single-threaded tokio runtime that also runs the shipper, where blocking would stop the
/// shipper itself: there the close is started and not waited for.
#[must_use = "dropping the guard closes the sink; keep it alive as long as you log"]
pub struct CloudWatchGuard {
    sink: CloudWatchSink,
}

impl std::fmt::Debug for CloudWatchGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudWatchGuard").finish_non_exhaustive()
    }
}

impl CloudWatchGuard {
    /// The sink this guard closes.
    pub fn sink(&self) -> &CloudWatchSink {
        &self.sink
    }

    /// Closes with the configured deadline.
    pub async fn close(self) -> Result<(), SinkError> {
        let deadline = self.sink.inner.close_timeout;
        self.sink.close_within(deadline).await
    }
}

impl Drop for CloudWatchGuard {
    fn drop(&mut self) {
        if self.sink.inner.queue.is_closed() {
            return;
        }
        let inner = &self.sink.inner;
        let close = self.sink.close_within(inner.close_timeout);
        match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
            Err(_) => {
                let _ = lift_observability::block_on(close);
            }
            Ok(tokio::runtime::RuntimeFlavor::CurrentThread) if !inner.own_thread => {
                // Blocking here would stop the shipper on this very thread: start the
                // close and let the runtime finish it.
                inner.queue.close();
                let (reply, _) = oneshot::channel();
                let _ = inner.commands.send(Command::Close {
                    deadline: inner.close_timeout,
                    reply,
                });
            }
            Ok(tokio::runtime::RuntimeFlavor::CurrentThread) => {
                let _ = lift_observability::block_on(close);
            }
            Ok(_) => {
                let _ = tokio::task::block_in_place(|| lift_observability::block_on(close));
            }
        }
    }
}
