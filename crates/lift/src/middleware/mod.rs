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
