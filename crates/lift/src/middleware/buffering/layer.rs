//! [`BufferingLayer`]: wraps a service in [`Buffered`].

use std::sync::Arc;

use super::{BufferTotals, Buffered, Buffering};

/// Holds each invocation's low-level lines and writes them only when it fails, is slow or
/// is sampled (see [`Buffering`]). Goes inside [`ContextLayer`](crate::ContextLayer): it
/// swaps the sink of the context's logger for the invocation's buffer.
///
/// # Examples
/// ```
/// use std::time::Duration;
/// use lift::{Buffering, BufferingLayer, ContextLayer};
/// use lift::observability::Logger;
/// use tower::ServiceBuilder;
///
/// let root = Logger::builder().build();
/// let stack = ServiceBuilder::new()
///     .layer(ContextLayer::new(root))
///     .layer(BufferingLayer::new(Buffering {
///         latency_threshold: Some(Duration::from_secs(1)),
///         sample_rate: 0.01,
///         ..Buffering::default()
///     }));
/// # let _ = stack;
/// ```
#[derive(Debug, Clone)]
pub struct BufferingLayer {
    config: Option<Buffering>,
    totals: Arc<BufferTotals>,
}

impl BufferingLayer {
    /// Buffers as `config` says.
    pub fn new(config: Buffering) -> Self {
        Self {
            config: Some(config),
            totals: Arc::default(),
        }
    }

    /// A layer that buffers nothing (a stack's place for it when buffering is off).
    pub(crate) fn off() -> Self {
        Self {
            config: None,
            totals: Arc::default(),
        }
    }

    /// What buffering did so far, across invocations.
    pub fn totals(&self) -> lift_observability::BufferOutcome {
        self.totals.snapshot()
    }
}

impl<S> tower::Layer<S> for BufferingLayer {
    type Service = Buffered<S>;

    fn layer(&self, inner: S) -> Buffered<S> {
        Buffered {
            inner,
            config: self.config,
            totals: Arc::clone(&self.totals),
        }
    }
}
