//! [`ObservabilityLayer`]: wraps a service in [`Observability`].

use std::sync::Arc;
use std::time::Duration;

use lift_observability::Logger;
use lift_observability::metrics::Metrics;
use lift_observability::xray::XRayEmitter;

use super::{BufferTotals, Buffering, Observability, Settings, TelemetryBaseline};
use crate::extract::Extractors;

/// Default margin before the invocation deadline at which an early flush starts.
pub const DEFAULT_EARLY_FLUSH_MARGIN: Duration = Duration::from_millis(500);

/// Adds the observability middleware to a service.
#[derive(Debug, Clone)]
pub struct ObservabilityLayer {
    settings: Arc<Settings>,
}

impl ObservabilityLayer {
    /// Logs through children of `root`.
    pub fn new(root: Logger) -> Self {
        Self {
            settings: Arc::new(Settings {
                root,
                extractors: Extractors::default(),
                early_flush_margin: DEFAULT_EARLY_FLUSH_MARGIN,
                buffering: None,
                totals: Arc::new(BufferTotals::default()),
                metrics: Metrics::disabled(),
                self_telemetry: false,
                xray: None,
                baseline: Arc::new(TelemetryBaseline::default()),
            }),
        }
    }

    /// Where tenant and user ids come from.
    pub fn extractors(mut self, extractors: Extractors) -> Self {
        Arc::make_mut(&mut self.settings).extractors = extractors;
        self
    }

    /// How long before the deadline the early flush starts.
    pub fn early_flush_margin(mut self, margin: Duration) -> Self {
        Arc::make_mut(&mut self.settings).early_flush_margin = margin;
        self
    }
}

impl ObservabilityLayer {
    /// Buffers low-level lines per invocation and writes them only when it fails, is slow
    /// or is sampled (see [`Buffering`]).
    pub fn buffering(mut self, buffering: Buffering) -> Self {
        Arc::make_mut(&mut self.settings).buffering = Some(buffering);
        self
    }

    /// Records per-invocation metrics (`Latency`, `Errors`, `ColdStart`, and whatever the
    /// handler records through `Context::metrics`) into children of `metrics`, written as
    /// EMF at the end of each invocation.
    pub fn metrics(mut self, metrics: Metrics) -> Self {
        Arc::make_mut(&mut self.settings).metrics = metrics;
        self
    }

    /// Also records the logger's and shipper's own drops, retries, throttles, queue bytes
    /// and flush latency as metrics, per invocation.
    pub fn self_telemetry(mut self, on: bool) -> Self {
        Arc::make_mut(&mut self.settings).self_telemetry = on;
        self
    }

    /// Sends the handler's (and `Context::subsegment`) X-Ray documents through `emitter`.
    pub fn xray(mut self, emitter: XRayEmitter) -> Self {
        Arc::make_mut(&mut self.settings).xray = Some(emitter);
        self
    }

    /// What buffering did so far, across invocations.
    pub fn buffer_totals(&self) -> lift_observability::BufferOutcome {
        self.settings.totals.snapshot()
    }
}

impl<S> tower::Layer<S> for ObservabilityLayer {
    type Service = Observability<S>;

    fn layer(&self, inner: S) -> Observability<S> {
        Observability {
            inner,
            settings: self.settings.clone(),
        }
    }
}
