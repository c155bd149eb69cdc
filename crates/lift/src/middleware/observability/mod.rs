//! [`Observability`]: context, start/end lines, panics, and a flush before returning.
//!
//! For every invocation it builds the [`Context`] (request, correlation, tenant, user and
//! trace ids; function, cold start, deadline) and runs the inner service inside its
//! task-local scope. It logs `Request started` (method, path) and, at the end,
//! `Request completed` or `Request failed` with the real `status`, `latency_ms`,
//! `error_kind` and the error with its source chain — info below 400, warn for 4xx, error
//! for 5xx. A panic in the handler becomes a logged error and a 500; the process lives
//! on. Before the result is returned the logger is flushed (Lambda may freeze the sandbox
//! right after), bounded by the time left; when the deadline comes within the early-flush
//! margin while the handler still runs, a flush starts then, alongside it — from a watchdog
//! thread of its own, so a handler that blocks its worker cannot hold it up.
//!
//! With metrics configured ([`ObservabilityLayer::metrics`]) each invocation gets its own
//! aggregator (request, trace and tenant ids as properties, the tenant as a budgeted
//! dimension) and records `Latency`, `Errors` and, on a cold start, `ColdStart`; with
//! self-telemetry on, also the logger's and shipper's drops, retries, throttles, queue
//! bytes and flush latency. The EMF documents are written before the logs are flushed. With
//! X-Ray configured ([`ObservabilityLayer::xray`]) the handler runs in a subsegment of
//! Lambda's segment (a segment of a new trace when no header came), annotated with the
//! tenant and cold start and closed with the status and the error.

mod error;
mod future;
mod layer;
mod watchdog;

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use lift_observability::Sampled;
use lift_observability::metrics::{Metrics, Unit};
use lift_observability::xray::{Subsegment, XRayEmitter, epoch_seconds};
use lift_observability::{BufferOutcome, BufferSettings, InvocationBuffer};
use lift_observability::{ContextKey, Level, LevelFilter, Logger, TraceHeader, Value, field};

pub use error::PanicError;
pub use future::ResponseFuture;
pub use layer::{DEFAULT_EARLY_FLUSH_MARGIN, ObservabilityLayer};

use crate::context::Context;
use crate::error::{LiftError, TenantConflict};
use crate::extract::{EventInfo, Extractors};
use crate::handler::parts_from_meta;
use crate::meta::Invocation;
use crate::status::ResponseStatus;
use crate::trace::TraceScope;

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

/// The last cumulative self-telemetry values, so each invocation reports the change.
#[derive(Debug, Default)]
struct TelemetryBaseline {
    dropped: AtomicU64,
    retries: AtomicU64,
    throttles: AtomicU64,
}

#[derive(Debug, Clone)]
struct Settings {
    root: Logger,
    extractors: Extractors,
    early_flush_margin: Duration,
    buffering: Option<Buffering>,
    totals: Arc<BufferTotals>,
    metrics: Metrics,
    self_telemetry: bool,
    xray: Option<XRayEmitter>,
    baseline: Arc<TelemetryBaseline>,
}

/// What the middleware keeps per invocation besides the context.
struct Instruments {
    metrics: Metrics,
    /// Boxed: a subsegment is large, and the response future carries this.
    handler: Option<Box<(Subsegment, XRayEmitter)>>,
}

impl Settings {
    /// The invocation's context; and the tenant conflict, if the tenant header names another
    /// tenant than a verified source (the context then carries the verified tenant).
    fn context_for<E: EventInfo>(
        &self,
        invocation: &Invocation<E>,
        root: &Logger,
    ) -> (Context, Instruments, Option<TenantConflict>) {
        let mut parts = parts_from_meta(&invocation.meta);
        let event = &invocation.event;
        let mut conflict = None;
        parts.tenant_id = match self
            .extractors
            .tenant(invocation.meta.tenant_id.as_deref(), event)
        {
            Ok(tenant) => tenant,
            Err(c) => {
                let verified = c.verified.clone();
                conflict = Some(c);
                Some(verified)
            }
        };
        parts.user_id = self.extractors.user(event);
        parts.correlation_id = event.gateway_request_id();
        if parts.trace.is_none() {
            // Outside Lambda the header is the only source.
            parts.trace = event.header("x-amzn-trace-id").and_then(TraceHeader::parse);
        }
        if parts.trace.is_none() && self.xray.is_some() {
            // No trace to join: this invocation starts one.
            let mut root = TraceHeader::new_root(
                lift_observability::system_millis() as u64 / 1000,
                u128::from(fastrand::u64(..)) << 64 | u128::from(fastrand::u64(..)),
            );
            root.sampled = Some(Sampled::Yes);
            parts.trace = Some(root);
        }
        let handler =
            self.handler_segment(&parts, invocation.event.method(), invocation.event.path());
        let metrics = self.metrics.child();
        if metrics.is_enabled() {
            metrics.set_property("request_id", parts.request_id.as_str());
            if let Some(trace) = &parts.trace {
                metrics.set_property("trace_id", trace.root.as_str());
            }
            if let Some(id) = &parts.correlation_id {
                metrics.set_property("correlation_id", id.as_str());
            }
            if let Some(tenant) = &parts.tenant_id {
                metrics.set_tenant(tenant);
            }
        }
        let scope = handler.as_ref().map(|h| TraceScope::new(h.1.clone(), &h.0));
        let context = Context::assemble(parts, root, metrics.clone(), scope);
        (context, Instruments { metrics, handler }, conflict)
    }

    /// The handler's subsegment, when X-Ray is on and the trace is not unsampled.
    fn handler_segment(
        &self,
        parts: &crate::context::ContextParts,
        method: Option<&str>,
        path: Option<&str>,
    ) -> Option<Box<(Subsegment, XRayEmitter)>> {
        let emitter = self.xray.as_ref()?;
        let trace = parts.trace.as_ref()?;
        if trace.sampled == Some(Sampled::No) {
            return None;
        }
        let name = parts
            .function_name
            .as_deref()
            .or(self.root.context().get(ContextKey::Service))
            .unwrap_or("handler");
        let mut segment =
            Subsegment::new(name, &trace.root, trace.parent.as_deref(), epoch_seconds());
        if let Some(tenant) = &parts.tenant_id {
            segment.annotate("tenant_id", tenant.as_str());
        }
        segment.annotate("cold_start", parts.cold_start);
        segment.annotate("request_id", parts.request_id.as_str());
        if let (Some(method), Some(path)) = (method, path) {
            segment.set_http_request(method, path);
        }
        Some(Box::new((segment, emitter.clone())))
    }
}

/// The observability middleware around `S`.
#[derive(Debug, Clone)]
pub struct Observability<S> {
    inner: S,
    settings: std::sync::Arc<Settings>,
}

impl<S> Observability<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, unwrapped.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, E> tower::Service<Invocation<E>> for Observability<S>
where
    S: tower::Service<Invocation<E>, Error = LiftError>,
    S::Future: Send + 'static,
    S::Response: ResponseStatus + Send + 'static,
    E: EventInfo,
{
    type Response = S::Response;
    type Error = LiftError;
    type Future = ResponseFuture<S::Response>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), LiftError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut invocation: Invocation<E>) -> Self::Future {
        let settings = &self.settings;
        let buffer = settings.buffering.map(|b| {
            let buffer = InvocationBuffer::new(Arc::clone(settings.root.sink()), b.settings);
            (b, buffer)
        });
        let (context, instruments, conflict) = match &buffer {
            Some((_, buffer)) => {
                let root = settings
                    .root
                    .with_sink(Arc::new(buffer.clone()), LevelFilter::Trace);
                settings.context_for(&invocation, &root)
            }
            None => settings.context_for(&invocation, &settings.root),
        };
        let end_settings = Arc::clone(settings);
        // The middleware's own lines bypass the buffer and the budget.
        let direct = match &buffer {
            Some(_) => context
                .logger()
                .with_sink(Arc::clone(settings.root.sink()), settings.root.level()),
            None => context.logger().clone(),
        };
        let method = invocation.event.method().map(str::to_owned);
        let path = invocation.event.path().map(str::to_owned);
        invocation.context = Some(context.clone());
        // A client naming another tenant than its verified identity never reaches the
        // handler.
        let handled = conflict.is_none().then(|| self.inner.call(invocation));
        ResponseFuture::new(async move {
            let log = &direct;
            // The macros check the keys at compile time (and let the encoder's one-pass
            // redaction check take the line).
            lift_observability::info!(log, "Request started";
                "method" => method.as_deref(), "path" => path.as_deref());
            let started = Instant::now();
            let result = match (handled, conflict) {
                (Some(handled), _) => {
                    let guarded = AssertUnwindSafe(crate::current::scope(context.clone(), handled))
                        .catch_unwind();
                    match with_early_flush(guarded, &context, end_settings.early_flush_margin).await
                    {
                        Ok(result) => result,
                        Err(panic) => Err(error::from_panic(&*panic)),
                    }
                }
                (None, conflict) => {
                    let header = conflict.as_ref().map(|c| c.header.as_str());
                    lift_observability::warn!(log, "Tenant header conflicts with the verified tenant";
                        "header_tenant_id" => header);
                    Err(LiftError::new(
                        crate::ErrorKind::Forbidden,
                        "the tenant header does not match the authenticated tenant",
                    ))
                }
            };
            if let Some((config, buffer)) = &buffer {
                settle_buffer(
                    config,
                    buffer,
                    &result,
                    started.elapsed(),
                    log,
                    &end_settings.totals,
                );
            }
            let elapsed = started.elapsed();
            log_end(log, &result, elapsed, method.as_deref(), path.as_deref());
            end_instruments(
                &end_settings,
                instruments,
                &result,
                elapsed,
                context.cold_start(),
            );
            let flush = flush_all(log, &end_settings.metrics);
            // A failed flush is counted in the logger's stats; the response still goes out.
            match context.remaining() {
                Some(left) => {
                    let _ = tokio::time::timeout(left, flush).await;
                }
                None => flush.await,
            }
            result
        })
    }
}

/// Runs `future`; if the deadline comes within `margin` first, a flush starts alongside —
/// from the watchdog's own thread, so a handler blocking its worker cannot hold it up.
async fn with_early_flush<F: std::future::Future>(
    future: F,
    context: &Context,
    margin: Duration,
) -> F::Output {
    let Some(left) = context.remaining() else {
        return future.await;
    };
    let now = std::time::Instant::now();
    let _alarm = watchdog::arm(
        now + left.saturating_sub(margin),
        now + left,
        context.logger().clone(),
    );
    future.await
}

/// Decides whether the held lines are kept, writes them (or counts them discarded), and
/// writes the summary lines.
fn settle_buffer<R>(
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

fn status_of<R: ResponseStatus>(result: &Result<R, LiftError>) -> u16 {
    match result {
        Ok(response) => response.status(),
        Err(e) => e.status(),
    }
}

/// Closes the handler subsegment, records the invocation's metrics (and self-telemetry)
/// and writes them as EMF.
fn end_instruments<R: ResponseStatus>(
    settings: &Settings,
    instruments: Instruments,
    result: &Result<R, LiftError>,
    elapsed: Duration,
    cold_start: bool,
) {
    let status = status_of(result);
    if let Some(handler) = instruments.handler {
        let (mut segment, emitter) = *handler;
        segment.set_http_status(status);
        if let Err(e) = result {
            segment.record_exception(e, Some(e.kind().as_str()));
        }
        segment.end(epoch_seconds());
        emitter.emit(&segment);
    }
    let metrics = instruments.metrics;
    if !metrics.is_enabled() {
        return;
    }
    metrics.record(
        "Latency",
        elapsed.as_secs_f64() * 1000.0,
        Unit::Milliseconds,
    );
    let failed = result.is_err() || status >= 500;
    metrics.count("Errors", if failed { 1.0 } else { 0.0 });
    if cold_start {
        metrics.count("ColdStart", 1.0);
    }
    if settings.self_telemetry {
        record_self_telemetry(&metrics, &settings.root, &settings.baseline);
    }
    metrics.flush();
}

/// The logger's and shipper's own health as metrics: counters report the change since
/// the previous invocation, gauges the current value.
fn record_self_telemetry(metrics: &Metrics, root: &Logger, baseline: &TelemetryBaseline) {
    let stats = root.stats();
    let change =
        |last: &AtomicU64, now: u64| now.saturating_sub(last.swap(now, Ordering::Relaxed)) as f64;
    metrics.count(
        "LogEntriesDropped",
        change(&baseline.dropped, stats.entries_dropped),
    );
    metrics.count(
        "LogShipRetries",
        change(&baseline.retries, stats.sink.retries),
    );
    metrics.count(
        "LogShipThrottles",
        change(&baseline.throttles, stats.sink.throttles),
    );
    metrics.gauge("LogQueueBytes", stats.buffer_size as f64, Unit::Bytes);
    metrics.gauge(
        "LogFlushLatency",
        stats.avg_flush_micros as f64,
        Unit::Microseconds,
    );
}

/// Flushes the logger's sink and, when metrics go elsewhere, the metrics sink too.
async fn flush_all(log: &Logger, metrics: &Metrics) {
    let same = std::ptr::addr_eq(Arc::as_ptr(log.sink()), Arc::as_ptr(metrics.sink()));
    if same || !metrics.is_enabled() {
        let _ = log.flush().await;
    } else {
        let _ = tokio::join!(log.flush(), metrics.sink().flush());
    }
}

fn log_end<R: ResponseStatus>(
    log: &Logger,
    result: &Result<R, LiftError>,
    elapsed: Duration,
    method: Option<&str>,
    path: Option<&str>,
) {
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    let status = status_of(result);
    let level = match status {
        500.. => Level::Error,
        400..=499 => Level::Warn,
        _ => Level::Info,
    };
    match result {
        Ok(_) => lift_observability::log!(log, level, "Request completed";
            "status" => status, "latency_ms" => latency_ms,
            "method" => method, "path" => path),
        Err(e) => lift_observability::log!(log, level, "Request failed";
            "status" => status, "latency_ms" => latency_ms,
            "method" => method, "path" => path,
            "error_kind" => e.kind().as_str(), "error" => Value::error(e)),
    }
}
