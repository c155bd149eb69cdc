//! [`BufferingLayer`]: wraps a service in [`Buffered`](super::Buffered).

use std::sync::Arc;

use super::{BufferTotals, Buffering, BufferingSettings};

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
    pub(super) settings: Arc<BufferingSettings>,
}

impl BufferingLayer {
    /// Buffers as `config` says.
    pub fn new(config: Buffering) -> Self {
        Self::with(Some(config))
    }

    /// A layer that buffers nothing (a stack's place for it when buffering is off).
    pub(crate) fn off() -> Self {
        Self::with(None)
    }

    fn with(config: Option<Buffering>) -> Self {
        Self {
            settings: Arc::new(BufferingSettings {
                config,
                totals: BufferTotals::default(),
            }),
        }
    }

    /// What buffering did so far, across invocations.
    pub fn totals(&self) -> lift_observability::BufferOutcome {
        self.settings.totals.snapshot()
    }
}
