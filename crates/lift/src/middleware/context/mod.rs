//! [`WithContext`]: the invocation's context, its start and end lines, panics, and a flush
//! before returning.
//!
//! For every invocation it builds the [`Context`] (request, correlation, tenant, user and
//! trace ids; function, cold start, deadline; the handler subsegment when
//! [`XRayLayer`](crate::XRayLayer) opened one) and runs the inner service inside its
//! task-local scope. It logs `Request started` (method, path) and, at the end,
//! `Request completed` or `Request failed` with the real `status`, `latency_ms`,
//! `error_kind` and the error with its source chain — info below 400, warn for 4xx, error
//! for 5xx. A panic becomes a logged error and a 500; the process lives on. A tenant header
//! naming another tenant than a verified source is answered 403 without reaching the
//! handler. After the end line the metrics aggregates [`MetricsLayer`](crate::MetricsLayer)
//! handed over are written as EMF; then, before the result is returned, the logger (and a
//! separate metrics sink) is flushed (Lambda may freeze the sandbox right after), bounded
//! by the time left; when the deadline comes within the
//! early-flush margin while the handler still runs, a flush starts then, alongside it —
//! from a watchdog thread of its own, so a handler that blocks its worker cannot hold it up.

mod layer;
mod watchdog;

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use lift_observability::metrics::Metrics;
use lift_observability::{Level, Logger, TraceHeader, Value};

pub use layer::{ContextLayer, DEFAULT_EARLY_FLUSH_MARGIN};

use super::ResponseFuture;
use crate::context::Context;
use crate::error::{LiftError, TenantConflict, from_panic};
use crate::extract::{EventInfo, Extractors};
use crate::handler::parts_from_meta;
use crate::meta::Invocation;
use crate::status::ResponseStatus;

#[derive(Debug, Clone)]
struct ContextSettings {
    root: Logger,
    extractors: Extractors,
    early_flush_margin: Duration,
}

impl ContextSettings {
    /// The invocation's context; and the tenant conflict, if the tenant header names another
    /// tenant than a verified source (the context then carries the verified tenant).
    fn context_for<E: EventInfo>(
        &self,
        invocation: &mut Invocation<E>,
    ) -> (Context, Option<TenantConflict>) {
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
        parts.caller = event.iam_caller();
        // A caller's correlation id (Lift's signing client sends it) joins this invocation's
        // lines to the caller's; else API Gateway's own request id.
        parts.correlation_id = event
            .header("x-correlation-id")
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(|id| id.chars().take(crate::extract::MAX_ID_CHARS).collect())
            .or_else(|| event.gateway_request_id());
        if parts.trace.is_none() {
            // Outside Lambda the header is the only source.
            parts.trace = event.header("x-amzn-trace-id").and_then(TraceHeader::parse);
        }
        let scope = invocation.trace_scope.take();
        let context =
            Context::assemble(parts, &self.root, crate::context::disabled_metrics(), scope);
        (context, conflict)
    }
}

service_of_layer!(
    /// The context middleware around `S` (see [`ContextLayer`]).
    WithContext,
    ContextLayer,
    ContextSettings
);

impl<S, E> tower::Service<Invocation<E>> for WithContext<S>
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
        let (context, conflict) = self.settings.context_for(&mut invocation);
        let margin = self.settings.early_flush_margin;
        let method = invocation.event.method().map(str::to_owned);
        let path = invocation.event.path().map(str::to_owned);
        invocation.context = Some(context.clone());
        // A client naming another tenant than its verified identity never reaches the
        // handler.
        let handled = conflict.is_none().then(|| self.inner.call(invocation));
        ResponseFuture::new(async move {
            let log = context.logger();
            lift_observability::info!(log, "Request started";
                "method" => method.as_deref(), "path" => path.as_deref());
            let started = Instant::now();
            let result = match (handled, conflict) {
                (Some(handled), _) => {
                    // `HandlerService` catches its handler's panics; this catches a panic
                    // of any other inner service.
                    let guarded = AssertUnwindSafe(crate::current::scope(context.clone(), handled))
                        .catch_unwind();
                    match with_early_flush(guarded, &context, context.remaining(), margin).await {
                        Ok(result) => result,
                        Err(panic) => Err(from_panic(&*panic)),
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
            // A caller verified inside (a signature layer) goes on the end line too.
            log_end(
                log,
                context.caller_verified_later(),
                &result,
                started.elapsed(),
                method.as_deref(),
                path.as_deref(),
            );
            let metrics = context.take_pending_metrics();
            for aggregate in &metrics {
                aggregate.flush();
            }
            let flush = flush_all(log, &metrics);
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
///
/// An invocation that starts with `margin` or less left is decided here, once: it writes
/// `Invocation started within the early-flush margin; flushing logs early` and flushes
/// (bounded by the time left) before the handler runs — no alarm, so no race between the
/// watchdog and the handler over which line comes first.
async fn with_early_flush<F: std::future::Future>(
    future: F,
    context: &Context,
    remaining: Option<Duration>,
    margin: Duration,
) -> F::Output {
    let Some(left) = remaining else {
        return future.await;
    };
    if left <= margin {
        let log = context.logger();
        lift_observability::warn!(log, "Invocation started within the early-flush margin; flushing logs early";
            "remaining_ms" => left, "margin_ms" => margin);
        let _ = tokio::time::timeout(left, log.flush_tenant()).await;
        return future.await;
    }
    let now = std::time::Instant::now();
    let _alarm = watchdog::arm(
        now + left.saturating_sub(margin),
        now + left,
        context.logger().clone(),
    );
    future.await
}

/// Flushes the invocation's tenant's lines in the logger's sink and, together, in every
/// metrics sink that is not the logger's: under concurrency an invocation waits for its own
/// tenant's lines, never for another tenant's slower stream (`Sink::flush_tenant`). A failed
/// flush is counted in the sink's stats; the response still goes out.
async fn flush_all(log: &Logger, metrics: &[Metrics]) {
    let own_sink = |m: &Metrics| std::ptr::addr_eq(Arc::as_ptr(m.sink()), Arc::as_ptr(log.sink()));
    if metrics.iter().all(own_sink) {
        // The usual case: metrics (if any) go to the logger's sink — one flush, no join.
        let _ = log.flush_tenant().await;
        return;
    }
    let tenants: Vec<(&Metrics, Option<String>)> = metrics
        .iter()
        .filter(|m| !own_sink(m))
        .map(|m| (m, m.tenant()))
        .collect();
    let others = tenants
        .iter()
        .map(|(m, tenant)| m.sink().flush_tenant(tenant.as_deref()));
    let _ = futures_util::future::join(log.flush_tenant(), futures_util::future::join_all(others))
        .await;
}

/// The status a result answers with.
pub(super) fn status_of<R: ResponseStatus>(result: &Result<R, LiftError>) -> u16 {
    match result {
        Ok(response) => response.status(),
        Err(e) => e.status(),
    }
}

fn log_end<R: ResponseStatus>(
    log: &Logger,
    caller: Option<&str>,
    result: &Result<R, LiftError>,
    elapsed: Duration,
    method: Option<&str>,
    path: Option<&str>,
) {
    // A duration value: milliseconds to the microsecond (`0.162`), never float noise.
    let latency_ms = elapsed;
    let status = status_of(result);
    let level = match status {
        500.. => Level::Error,
        400..=499 => Level::Warn,
        _ => Level::Info,
    };
    // `caller` is written only when there is one (never as null on every line).
    match (result, caller) {
        (Ok(_), None) => lift_observability::log!(log, level, "Request completed";
            "status" => status, "latency_ms" => latency_ms,
            "method" => method, "path" => path),
        (Ok(_), Some(caller)) => lift_observability::log!(log, level, "Request completed";
            "caller" => caller, "status" => status, "latency_ms" => latency_ms,
            "method" => method, "path" => path),
        (Err(e), None) => lift_observability::log!(log, level, "Request failed";
            "status" => status, "latency_ms" => latency_ms,
            "method" => method, "path" => path,
            "error_kind" => e.kind().as_str(), "error" => Value::error(e)),
        (Err(e), Some(caller)) => lift_observability::log!(log, level, "Request failed";
            "caller" => caller, "status" => status, "latency_ms" => latency_ms,
            "method" => method, "path" => path,
            "error_kind" => e.kind().as_str(), "error" => Value::error(e)),
    }
}
