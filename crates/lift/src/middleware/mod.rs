//! Lift's tower middleware, one concern per layer, each in its folder (`mod.rs` the service,
//! `layer.rs` its `Layer`); all share one boxed [`ResponseFuture`].
//!
//! | layer | concern |
//! |---|---|
//! | [`XRayLayer`] | the handler's X-Ray subsegment: trace decided (a new one when no header came), annotated, closed with the status and the error, sent |
//! | [`ContextLayer`] | the invocation's [`Context`](crate::Context) (ids, tenant, trace), `Request started`/`Request completed` lines, panics, the early flush, and the flush before the response |
//! | [`MetricsLayer`] | the invocation's own metrics aggregate (`Latency`, `Errors`, `ColdStart`, self-telemetry, the handler's), written as EMF |
//! | [`BufferingLayer`] | per-invocation log buffering and tail sampling |
//!
//! [`ObservabilityLayer`] stacks them in that order, outermost first, around a
//! [`HandlerService`](crate::HandlerService); [`App`](crate::App) builds it from the
//! environment. Take any subset the same way — `XRayLayer` and `ContextLayer` outside,
//! `MetricsLayer` and `BufferingLayer` inside `ContextLayer` (they need its context, and
//! what they write must be flushed by it).

/// Declares a middleware's service — the wrapped service and its layer's shared settings,
/// with `get_ref` and `into_inner` — and the layer's `tower::Layer` impl that makes it.
macro_rules! service_of_layer {
    ($(#[$doc:meta])* $service:ident, $layer:ident, $settings:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $service<S> {
            inner: S,
            settings: std::sync::Arc<$settings>,
        }

        impl<S> $service<S> {
            /// The wrapped service.
            pub fn get_ref(&self) -> &S {
                &self.inner
            }

            /// The wrapped service, unwrapped.
            pub fn into_inner(self) -> S {
                self.inner
            }
        }

        impl<S> tower::Layer<S> for $layer {
            type Service = $service<S>;

            fn layer(&self, inner: S) -> $service<S> {
                $service {
                    inner,
                    settings: std::sync::Arc::clone(&self.settings),
                }
            }
        }
    };
}

mod buffering;
mod context;
mod future;
mod metrics;
mod observability;
mod xray;

pub use buffering::{BufferTotals, Buffered, Buffering, BufferingLayer};
pub use context::{ContextLayer, DEFAULT_EARLY_FLUSH_MARGIN, WithContext};
pub use future::ResponseFuture;
pub use metrics::{Measured, MetricsLayer};
pub use observability::{Observability, ObservabilityLayer};
pub use xray::{Traced, XRayLayer};
