//! [`ObservabilityLayer`]: the default stack — [`XRayLayer`], [`ContextLayer`],
//! [`MetricsLayer`], [`BufferingLayer`], outermost first — configured in one place, as
//! [`App`](crate::App) uses it. Each concern left unconfigured passes invocations through.

use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use lift_observability::metrics::Metrics;
use lift_observability::xray::XRayEmitter;
use lift_observability::{ContextKey, Logger};
use tower::Layer;

use super::{
    Buffered, Buffering, BufferingLayer, ContextLayer, Measured, MetricsLayer, ResponseFuture,
    Traced, WithContext, XRayLayer,
};
use crate::error::LiftError;
use crate::extract::{EventInfo, Extractors};
use crate::meta::Invocation;
use crate::status::ResponseStatus;

/// The default observability stack around a service: context, start/end lines, panics and
/// flushing; plus buffering, metrics and X-Ray once configured.
///
/// # Examples
/// ```
/// use lift::{Buffering, HandlerService, LiftError, Context, ObservabilityLayer};
/// use lift::observability::Logger;
/// use tower::Layer;
///
/// async fn handler(ctx: Context, event: serde_json::Value) -> Result<serde_json::Value, LiftError> {
///     lift::observability::debug!(ctx.logger(), "Charging");
///     Ok(event)
/// }
///
/// let root = Logger::builder().build();
/// let service = ObservabilityLayer::new(root.clone())
///     .buffering(Buffering::default())
///     .layer(HandlerService::new(handler, root));
/// # let _ = service;
/// ```
#[derive(Debug, Clone)]
pub struct ObservabilityLayer {
    xray: XRayLayer,
    context: ContextLayer,
    metrics: MetricsLayer,
    buffering: BufferingLayer,
    extractors: Extractors,
    self_telemetry: bool,
}

impl ObservabilityLayer {
    /// Logs through children of `root`.
    pub fn new(root: Logger) -> Self {
        Self {
            xray: XRayLayer::off(),
            context: ContextLayer::new(root),
            metrics: MetricsLayer::new(Metrics::disabled()),
            buffering: BufferingLayer::off(),
            extractors: Extractors::default(),
            self_telemetry: false,
        }
    }

    /// Where tenant and user ids come from.
    pub fn extractors(mut self, extractors: Extractors) -> Self {
        self.context = self.context.extractors(extractors.clone());
        self.xray = self.xray.extractors(extractors.clone());
        self.extractors = extractors;
        self
    }

    /// How long before the deadline the early flush starts.
    pub fn early_flush_margin(mut self, margin: Duration) -> Self {
        self.context = self.context.early_flush_margin(margin);
        self
    }

    /// Buffers low-level lines per invocation and writes them only when it fails, is slow
    /// or is sampled (see [`Buffering`]).
    pub fn buffering(mut self, buffering: Buffering) -> Self {
        self.buffering = BufferingLayer::new(buffering);
        self
    }

    /// Records per-invocation metrics (`Latency`, `Errors`, `ColdStart`, and whatever the
    /// handler records through `Context::metrics`) into children of `metrics`, written as
    /// EMF at the end of each invocation.
    pub fn metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = MetricsLayer::new(metrics).self_telemetry(self.self_telemetry);
        self
    }

    /// Also records the logger's and shipper's own drops, retries, throttles, queue bytes
    /// and flush latency as metrics, per invocation.
    pub fn self_telemetry(mut self, on: bool) -> Self {
        self.self_telemetry = on;
        self.metrics = self.metrics.self_telemetry(on);
        self
    }

    /// Sends the handler's (and `Context::subsegment`) X-Ray documents through `emitter`.
    pub fn xray(mut self, emitter: XRayEmitter) -> Self {
        let mut xray = XRayLayer::new(emitter).extractors(self.extractors.clone());
        if let Some(service) = self.context.root().context().get(ContextKey::Service) {
            xray = xray.name(service);
        }
        self.xray = xray;
        self
    }

    /// What buffering did so far, across invocations.
    pub fn buffer_totals(&self) -> lift_observability::BufferOutcome {
        self.buffering.totals()
    }
}

/// The stack [`ObservabilityLayer`] builds.
type Stack<S> = Traced<WithContext<Measured<Buffered<S>>>>;

impl<S> Layer<S> for ObservabilityLayer {
    type Service = Observability<S>;

    fn layer(&self, inner: S) -> Observability<S> {
        let stack = self.xray.layer(
            self.context
                .layer(self.metrics.layer(self.buffering.layer(inner))),
        );
        Observability { stack }
    }
}

/// The default observability stack around `S` (see [`ObservabilityLayer`]).
#[derive(Debug, Clone)]
pub struct Observability<S> {
    stack: Stack<S>,
}

impl<S> Observability<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        self.stack.get_ref().get_ref().get_ref().get_ref()
    }

    /// The wrapped service, unwrapped.
    pub fn into_inner(self) -> S {
        self.stack
            .into_inner()
            .into_inner()
            .into_inner()
            .into_inner()
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
        self.stack.poll_ready(cx)
    }

    fn call(&mut self, invocation: Invocation<E>) -> Self::Future {
        self.stack.call(invocation)
    }
}
