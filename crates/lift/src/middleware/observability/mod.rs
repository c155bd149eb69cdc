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
//! margin while the handler still runs, a flush starts then, alongside it.

mod error;
mod future;
mod layer;

use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use lift_observability::{Level, Logger, Value, field};

pub use error::PanicError;
pub use future::ResponseFuture;
pub use layer::{DEFAULT_EARLY_FLUSH_MARGIN, ObservabilityLayer};

use crate::context::Context;
use crate::errors::LiftError;
use crate::extract::{EventInfo, Extractors};
use crate::handler::parts_from_meta;
use crate::meta::Invocation;
use crate::status::ResponseStatus;

#[derive(Debug, Clone)]
struct Settings {
    root: Logger,
    extractors: Extractors,
    early_flush_margin: Duration,
}

impl Settings {
    fn context_for<E: EventInfo>(&self, invocation: &Invocation<E>) -> Context {
        let mut parts = parts_from_meta(&invocation.meta);
        let event = &invocation.event;
        parts.tenant_id = self
            .extractors
            .tenant(invocation.meta.tenant_id.as_deref(), event);
        parts.user_id = self.extractors.user(event);
        parts.correlation_id = event.gateway_request_id();
        if parts.trace.is_none() {
            // Outside Lambda the header is the only source.
            parts.trace = event
                .header("x-amzn-trace-id")
                .and_then(lift_observability::TraceHeader::parse);
        }
        Context::new(parts, &self.root)
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
        let context = self.settings.context_for(&invocation);
        let method = invocation.event.method().map(str::to_owned);
        let path = invocation.event.path().map(str::to_owned);
        invocation.context = Some(context.clone());
        let handled = self.inner.call(invocation);
        let margin = self.settings.early_flush_margin;
        ResponseFuture::new(async move {
            let log = context.logger();
            log.info(
                "Request started",
                &[
                    field("method", method.as_deref()),
                    field("path", path.as_deref()),
                ],
            );
            let started = Instant::now();
            let guarded =
                AssertUnwindSafe(crate::current::scope(context.clone(), handled)).catch_unwind();
            let result = match with_early_flush(guarded, &context, margin).await {
                Ok(result) => result,
                Err(panic) => Err(error::from_panic(&*panic)),
            };
            log_end(
                &context,
                &result,
                started,
                method.as_deref(),
                path.as_deref(),
            );
            let flush = log.flush();
            // A failed flush is counted in the logger's stats; the response still goes out.
            let _ = match context.remaining() {
                Some(left) => tokio::time::timeout(left, flush).await.ok(),
                None => Some(flush.await),
            };
            result
        })
    }
}

/// Runs `future`; if the deadline comes within `margin` first, starts a flush alongside.
async fn with_early_flush<F: std::future::Future>(
    future: F,
    context: &Context,
    margin: Duration,
) -> F::Output {
    let Some(left) = context.remaining() else {
        return future.await;
    };
    let mut future = pin!(future);
    tokio::select! {
        out = &mut future => out,
        () = tokio::time::sleep(left.saturating_sub(margin)) => {
            let remaining_ms = context.remaining().map_or(0, |d| d.as_millis() as u64);
            context.logger().warn(
                "Invocation deadline approaching; flushing logs early",
                &[field("remaining_ms", remaining_ms)],
            );
            let (out, _) = tokio::join!(future, context.logger().flush());
            out
        }
    }
}

fn log_end<R: ResponseStatus>(
    context: &Context,
    result: &Result<R, LiftError>,
    started: Instant,
    method: Option<&str>,
    path: Option<&str>,
) {
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = match result {
        Ok(response) => response.status(),
        Err(e) => e.status(),
    };
    let level = match status {
        500.. => Level::Error,
        400..=499 => Level::Warn,
        _ => Level::Info,
    };
    let log = context.logger();
    match result {
        Ok(_) => log.log(
            level,
            "Request completed",
            &[
                field("status", status),
                field("latency_ms", latency_ms),
                field("method", method),
                field("path", path),
            ],
        ),
        Err(e) => log.log(
            level,
            "Request failed",
            &[
                field("status", status),
                field("latency_ms", latency_ms),
                field("method", method),
                field("path", path),
                field("error_kind", e.kind().as_str()),
                field("error", Value::error(e)),
            ],
        ),
    }
}
