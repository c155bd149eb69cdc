//! Lift: observable, multi-tenant serverless handlers for AWS Lambda (and services).
//!
//! Write a handler — `async fn(Context, Event) -> Result<Response, LiftError>` — and run it
//! with [`run`] (HTTP: API Gateway REST/HTTP, ALB, Function URL) or [`run_events`] (any
//! JSON event). Every invocation gets a [`Context`] carrying its request, tenant, user and
//! trace ids and a logger that writes them on every line; the observability middleware
//! logs start and end with the real status and latency, turns panics into 500s, and
//! flushes logs before the response leaves (Lambda may freeze the sandbox right after).
//! Code deep in the handler gets the context with [`current()`]; tasks spawned with
//! [`spawn`] inherit it.
//!
//! # Examples
//!
//! ```no_run
//! use lift::{Context, HttpResponse, LiftError};
//!
//! async fn hello(ctx: Context, _req: lift::Request) -> Result<HttpResponse, LiftError> {
//!     lift::info!(ctx.logger(), "Saying hello"; "tenant" => ctx.tenant_id());
//!     Ok(HttpResponse::new("hello".into()))
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), lift::RuntimeError> {
//!     lift::run(hello).await
//! }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "tracing")]
mod bridge;
mod context;
mod current;
mod error;
mod event_gate;
mod extract;
mod handler;
pub mod health;
mod init_error;
mod lambda;
pub mod local;
mod meta;
mod middleware;
mod shutdown;
mod status;
mod trace;

#[cfg(feature = "tracing")]
pub use bridge::{CurrentInvocation, tracing_layer};
pub use context::{Context, ContextParts};
pub use current::{current, scope, spawn};
pub use error::{ErrorKind, LiftError, PanicError, StartupError, TenantConflict};
pub use event_gate::INVALID_EVENT_ERROR_TYPE;
pub use extract::{EventInfo, Extractors, MAX_ID_CHARS};
pub use handler::{Handler, HandlerService};
pub use init_error::fail_init;
pub use lambda::{
    App, CLOUDWATCH_GROUP_ENV, CLOUDWATCH_STREAM_ENV, DEFAULT_METRICS_TENANT_BUDGET, HttpResponse,
    HttpService, METRICS_DIMENSIONS_ENV, METRICS_NAMESPACE_ENV, METRICS_TENANT_BUDGET_ENV,
    SELF_TELEMETRY_ENV, XRAY_ENV, error_response, run, run_events,
};
pub use meta::{Invocation, InvocationMeta, take_cold_start};
pub use middleware::{
    BufferTotals, Buffered, Buffering, BufferingLayer, ContextLayer, DEFAULT_EARLY_FLUSH_MARGIN,
    Measured, MetricsLayer, Observability, ObservabilityLayer, ResponseFuture, Traced, WithContext,
    XRayLayer,
};
pub use shutdown::{LAMBDA_SHUTDOWN_BUDGET, SHUTDOWN_EXTENSION_NAME, close_on_signal};
pub use status::ResponseStatus;
pub use trace::{SubsegmentGuard, TraceScope};

/// The HTTP request type handlers receive (`http::Request` with Lambda's extensions).
pub type Request = lambda_http::Request;
/// Request accessors (path without the API Gateway stage, path and query parameters, the
/// Lambda and gateway request contexts).
pub use lambda_http::RequestExt;
/// The HTTP body type.
pub type Body = lambda_http::Body;
/// What [`run`] returns on failure.
pub type RuntimeError = lambda_runtime::Error;

#[cfg(feature = "cloudwatch")]
pub use lift_cloudwatch as cloudwatch;
pub use lift_observability as observability;
pub use lift_observability::metrics::{Metrics, Unit};
pub use lift_observability::xray::XRayEmitter;
pub use lift_observability::{
    Level, LevelFilter, Logger, TraceHeader, Value, debug, error, field, info, trace, warn,
};
