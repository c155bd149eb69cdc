//! [`ContextLayer`]: wraps a service in [`WithContext`](super::WithContext).

use std::sync::Arc;
use std::time::Duration;

use lift_observability::Logger;

use super::ContextSettings;
use crate::extract::Extractors;

/// Default margin before the invocation deadline at which an early flush starts.
pub const DEFAULT_EARLY_FLUSH_MARGIN: Duration = Duration::from_millis(500);

/// Builds each invocation's [`Context`](crate::Context) from children of a root logger,
/// logs its start and end, turns a panic into a 500 and flushes before the response.
///
/// # Examples
/// ```
/// use lift::{ContextLayer, HandlerService, LiftError, Context};
/// use lift::observability::Logger;
/// use tower::Layer;
///
/// async fn handler(ctx: Context, event: serde_json::Value) -> Result<serde_json::Value, LiftError> {
///     lift::observability::info!(ctx.logger(), "Charging");
///     Ok(event)
/// }
///
/// let root = Logger::builder().build();
/// let service = ContextLayer::new(root.clone()).layer(HandlerService::new(handler, root));
/// # let _ = service;
/// ```
#[derive(Debug, Clone)]
pub struct ContextLayer {
    pub(super) settings: Arc<ContextSettings>,
}

impl ContextLayer {
    /// Logs through children of `root`.
    pub fn new(root: Logger) -> Self {
        Self {
            settings: Arc::new(ContextSettings {
                root,
                extractors: Extractors::default(),
                early_flush_margin: DEFAULT_EARLY_FLUSH_MARGIN,
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

    pub(crate) fn root(&self) -> &Logger {
        &self.settings.root
    }
}
