//! [`Measured`]: one metrics aggregate per invocation, written as EMF at its end.
//!
//! The aggregate carries the request, trace and correlation ids as properties and the
//! tenant as a budgeted dimension; it records `Latency`, `Errors` (1 for an error or a 5xx,
//! else 0) and, on a cold start, `ColdStart`; with self-telemetry on, also the logger's and
//! shipper's drops, retries, throttles, queue bytes and flush latency. The aggregate is
//! handed to the context, and [`ContextLayer`](crate::ContextLayer) writes its EMF document
//! after the end line, right before the flush (of the metrics sink too, when it is not the
//! logger's).

mod layer;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context as TaskContext, Poll};
use std::time::Instant;

use lift_observability::Logger;
use lift_observability::metrics::{Metrics, Unit};

pub use layer::MetricsLayer;

use super::ResponseFuture;
use super::context::status_of;
use crate::context::Context;
use crate::error::LiftError;
use crate::meta::Invocation;
use crate::status::ResponseStatus;

/// The last cumulative self-telemetry values, so each invocation reports the change.
#[derive(Debug, Default)]
struct TelemetryBaseline {
    dropped: AtomicU64,
    retries: AtomicU64,
    throttles: AtomicU64,
}

#[derive(Debug, Clone)]
struct MetricsSettings {
    metrics: Metrics,
    self_telemetry: bool,
    baseline: Arc<TelemetryBaseline>,
}

impl MetricsSettings {
    /// The invocation's aggregate, its ids set.
    fn aggregate_for(&self, context: &Context) -> Metrics {
        let metrics = self.metrics.child();
        metrics.set_property("request_id", context.request_id());
        if let Some(trace) = context.trace() {
            metrics.set_property("trace_id", trace.root.as_str());
        }
        if let Some(id) = context.correlation_id() {
            metrics.set_property("correlation_id", id);
        }
        if let Some(tenant) = context.tenant_id() {
            metrics.set_tenant(tenant);
        }
        metrics
    }
}

service_of_layer!(
    /// The metrics middleware around `S` (see [`MetricsLayer`]).
    Measured,
    MetricsLayer,
    MetricsSettings
);

impl<S, E> tower::Service<Invocation<E>> for Measured<S>
where
    S: tower::Service<Invocation<E>, Error = LiftError>,
    S::Future: Send + 'static,
    S::Response: ResponseStatus + Send + 'static,
{
    type Response = S::Response;
    type Error = LiftError;
    type Future = ResponseFuture<S::Response>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), LiftError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut invocation: Invocation<E>) -> Self::Future {
        let context = match invocation.context.take() {
            Some(context) if self.settings.metrics.is_enabled() => context,
            other => {
                invocation.context = other;
                return ResponseFuture::pass_through(self.inner.call(invocation));
            }
        };
        let metrics = self.settings.aggregate_for(&context);
        invocation.context = Some(context.with_metrics(metrics.clone()));
        let handled = self.inner.call(invocation);
        let settings = Arc::clone(&self.settings);
        ResponseFuture::new(async move {
            let started = Instant::now();
            let result = handled.await;
            let status = status_of(&result);
            metrics.record(
                "Latency",
                // To the microsecond, as the end line writes it (`0.162`).
                started.elapsed().as_micros() as f64 / 1000.0,
                Unit::Milliseconds,
            );
            let failed = result.is_err() || status >= 500;
            metrics.count("Errors", if failed { 1.0 } else { 0.0 });
            if context.cold_start() {
                metrics.count("ColdStart", 1.0);
            }
            if settings.self_telemetry {
                record_self_telemetry(&metrics, context.logger(), &settings.baseline);
            }
            context.write_before_flush(metrics);
            result
        })
    }
}

/// The logger's and shipper's own health as metrics: counters report the change since
/// the previous invocation, gauges the current value.
fn record_self_telemetry(metrics: &Metrics, log: &Logger, baseline: &TelemetryBaseline) {
    let stats = log.stats();
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
