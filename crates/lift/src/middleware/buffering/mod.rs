//! [`Buffered`]: per-invocation log buffering and tail sampling.
//!
//! The context's logger is swapped for one writing into the invocation's
//! [`InvocationBuffer`]; at the end the held lines are written (in order, with their own
//! timestamps) if the invocation failed, was slow or won its sample coin, and discarded and
//! counted otherwise. Evictions and budget suppressions are reported in one summary line
//! each, through the unbuffered logger.

mod layer;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

use lift_observability::{BufferOutcome, BufferSettings, InvocationBuffer};
use lift_observability::{LevelFilter, Logger, field};

pub use layer::BufferingLayer;

use super::ResponseFuture;
use crate::error::LiftError;
use crate::meta::Invocation;

/// Per-invocation log buffering and tail sampling.
///
/// Lines at or below `settings.buffered_level` (default debug; the service's own level
/// still decides what is written directly) are held per invocation and written at the end
/// only if the invocation failed (an error returned, a panic, or an error-level line
/// logged), took longer than `latency_threshold`, or won the per-invocation
/// `sample_rate` coin; otherwise they are discarded and counted. Held lines keep their
/// original timestamps; when the buffer overflows the oldest are evicted and one summary
/// line says how many. With `settings.budget_bytes`, lines past the budget are counted,
/// not written, and one summary line reports them. The middleware's own start/end and
/// summary lines are never buffered or budgeted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Buffering {
    /// What is held and the byte bounds.
    pub settings: BufferSettings,
    /// Keep the held lines of invocations slower than this.
    pub latency_threshold: Option<Duration>,
    /// Keep the held lines of this share (0.0–1.0) of invocations, decided per invocation.
    pub sample_rate: f64,
}

impl Default for Buffering {
    fn default() -> Self {
        Self {
            settings: BufferSettings::default(),
            latency_threshold: None,
            sample_rate: 0.0,
        }
    }
}

/// Totals of what buffering did, across invocations.
#[derive(Debug, Default)]
pub struct BufferTotals {
    written: AtomicU64,
    discarded: AtomicU64,
    evicted: AtomicU64,
    suppressed: AtomicU64,
    suppressed_bytes: AtomicU64,
}

impl BufferTotals {
    fn add(&self, o: &BufferOutcome) {
        self.written.fetch_add(o.written, Ordering::Relaxed);
        self.discarded.fetch_add(o.discarded, Ordering::Relaxed);
        self.evicted.fetch_add(o.evicted, Ordering::Relaxed);
        self.suppressed.fetch_add(o.suppressed, Ordering::Relaxed);
        self.suppressed_bytes
            .fetch_add(o.suppressed_bytes, Ordering::Relaxed);
    }

    /// The totals so far (`saw_error` is not aggregated).
    pub fn snapshot(&self) -> BufferOutcome {
        BufferOutcome {
            written: self.written.load(Ordering::Relaxed),
            discarded: self.discarded.load(Ordering::Relaxed),
            evicted: self.evicted.load(Ordering::Relaxed),
            suppressed: self.suppressed.load(Ordering::Relaxed),
            suppressed_bytes: self.suppressed_bytes.load(Ordering::Relaxed),
            saw_error: false,
        }
    }
}

#[derive(Debug)]
struct BufferingSettings {
    /// `None`: invocations pass through.
    config: Option<Buffering>,
    totals: BufferTotals,
}

service_of_layer!(
    /// The buffering middleware around `S` (see [`BufferingLayer`]).
    Buffered,
    BufferingLayer,
    BufferingSettings
);

impl<S, E> tower::Service<Invocation<E>> for Buffered<S>
where
    S: tower::Service<Invocation<E>, Error = LiftError>,
    S::Future: Send + 'static,
    S::Response: Send + 'static,
{
    type Response = S::Response;
    type Error = LiftError;
    type Future = ResponseFuture<S::Response>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), LiftError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut invocation: Invocation<E>) -> Self::Future {
        let (Some(config), Some(context)) = (self.settings.config, invocation.context.clone())
        else {
            return ResponseFuture::pass_through(self.inner.call(invocation));
        };
        let direct = context.logger().clone();
        let buffer = InvocationBuffer::new(Arc::clone(direct.sink()), config.settings);
        let buffered = direct.with_sink(Arc::new(buffer.clone()), LevelFilter::Trace);
        invocation.context = Some(context.with_logger(buffered));
        let handled = self.inner.call(invocation);
        let settings = Arc::clone(&self.settings);
        ResponseFuture::new(async move {
            let started = Instant::now();
            let result = handled.await;
            settle(
                &config,
                &buffer,
                &result,
                started.elapsed(),
                &direct,
                &settings.totals,
            );
            result
        })
    }
}

/// Decides whether the held lines are kept, writes them (or counts them discarded), and
/// writes the summary lines.
fn settle<R>(
    config: &Buffering,
    buffer: &InvocationBuffer,
    result: &Result<R, LiftError>,
    elapsed: Duration,
    log: &Logger,
    totals: &BufferTotals,
) {
    let failed = result.is_err() || buffer.saw_error();
    let slow = config.latency_threshold.is_some_and(|t| elapsed > t);
    let sampled = config.sample_rate > 0.0 && fastrand::f64() < config.sample_rate;
    let outcome = buffer.finish(failed || slow || sampled);
    if outcome.evicted > 0 {
        log.warn(
            "Buffered log entries evicted (oldest first)",
            &[
                field("evicted", outcome.evicted),
                field("buffer_max_bytes", config.settings.max_bytes as u64),
            ],
        );
    }
    if outcome.suppressed > 0 {
        log.warn(
            "Log budget exceeded; entries suppressed",
            &[
                field("suppressed", outcome.suppressed),
                field("suppressed_bytes", outcome.suppressed_bytes),
                field(
                    "budget_bytes",
                    config.settings.budget_bytes.map(|b| b as u64),
                ),
            ],
        );
    }
    totals.add(&outcome);
}
