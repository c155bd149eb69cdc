//! [`XRayLayer`]: wraps a service in [`Traced`](super::Traced).

use std::sync::Arc;

use lift_observability::xray::XRayEmitter;

use super::XRaySettings;
use crate::extract::Extractors;

/// Runs each invocation in an X-Ray subsegment of Lambda's segment (of a new trace when no
/// trace header came), annotated with the tenant, cold start and request id and closed with
/// the status and the error. Goes outside [`ContextLayer`](crate::ContextLayer), so that
/// every line of the invocation carries the subsegment's id as `span_id`.
///
/// # Examples
/// ```
/// use lift::{ContextLayer, XRayLayer};
/// use lift::observability::Logger;
/// use lift::observability::xray::XRayEmitter;
/// use tower::ServiceBuilder;
///
/// let root = Logger::builder().build();
/// let emitter = XRayEmitter::new("127.0.0.1:2000".parse().expect("an address"));
/// let stack = ServiceBuilder::new()
///     .layer(XRayLayer::new(emitter).name("payments"))
///     .layer(ContextLayer::new(root));
/// # let _ = stack;
/// ```
#[derive(Debug, Clone)]
pub struct XRayLayer {
    pub(super) settings: Arc<XRaySettings>,
}

impl XRayLayer {
    /// Sends the subsegments through `emitter`.
    pub fn new(emitter: XRayEmitter) -> Self {
        Self::with(Some(emitter))
    }

    /// A layer that sends nothing (a stack's place for it when X-Ray is off).
    pub(crate) fn off() -> Self {
        Self::with(None)
    }

    fn with(emitter: Option<XRayEmitter>) -> Self {
        Self {
            settings: Arc::new(XRaySettings {
                emitter,
                extractors: Extractors::default(),
                name: None,
            }),
        }
    }

    /// Where the tenant annotated on the subsegment comes from (use the same extractors as
    /// the [`ContextLayer`](crate::ContextLayer)).
    pub fn extractors(mut self, extractors: Extractors) -> Self {
        Arc::make_mut(&mut self.settings).extractors = extractors;
        self
    }

    /// The subsegment's name outside Lambda (in Lambda it is the function's name; without
    /// either, `handler`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.settings).name = Some(name.into());
        self
    }
}
