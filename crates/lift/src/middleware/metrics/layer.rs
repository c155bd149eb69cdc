//! [`MetricsLayer`]: wraps a service in [`Measured`](super::Measured).

use std::sync::Arc;

use lift_observability::metrics::Metrics;

use super::{MetricsSettings, TelemetryBaseline};

/// Gives each invocation its own aggregate of `metrics` — the handler's
/// [`Context::metrics`](crate::Context::metrics) — records `Latency`, `Errors` and, on a
/// cold start, `ColdStart`, and writes it as EMF at the end. Goes inside
/// [`ContextLayer`](crate::ContextLayer), which flushes what it wrote.
///
/// # Examples
/// ```
/// use lift::{ContextLayer, MetricsLayer};
/// use lift::observability::Logger;
/// use lift::observability::metrics::Metrics;
/// use tower::ServiceBuilder;
///
/// let root = Logger::builder().build();
/// let metrics = Metrics::builder("Payments").sink(root.sink().clone()).build()?;
/// let stack = ServiceBuilder::new()
///     .layer(ContextLayer::new(root))
///     .layer(MetricsLayer::new(metrics));
/// # let _ = stack;
/// # Ok::<(), lift::observability::metrics::MetricsConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct MetricsLayer {
    pub(super) settings: Arc<MetricsSettings>,
}

impl MetricsLayer {
    /// Records into children of `metrics`.
    pub fn new(metrics: Metrics) -> Self {
        Self {
            settings: Arc::new(MetricsSettings {
                metrics,
                self_telemetry: false,
                baseline: Arc::new(TelemetryBaseline::default()),
            }),
        }
    }

    /// Also records the logger's and shipper's own drops, retries, throttles, queue bytes
    /// and flush latency, per invocation.
    pub fn self_telemetry(mut self, on: bool) -> Self {
        Arc::make_mut(&mut self.settings).self_telemetry = on;
        self
    }
}
