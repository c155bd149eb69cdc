//! [`InvocationMeta`] and [`Invocation`]: one event plus what the runtime says about it.
//!
//! The meta comes from the Lambda invocation (`lambda_runtime::Context`: request id,
//! deadline, trace header, tenant id, function configuration) or is made up for local and
//! service use. Per-invocation values are read from here — never from the process
//! environment, which the Lambda runtime crate overwrites (`_X_AMZN_TRACE_ID`) and which
//! concurrent invocations would share.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::context::Context;
use crate::trace::TraceScope;

static COLD: AtomicBool = AtomicBool::new(true);

/// Whether this is the process's first invocation (a cold start). True exactly once.
pub fn take_cold_start() -> bool {
    COLD.swap(false, Ordering::Relaxed)
}

/// What the runtime says about one invocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvocationMeta {
    /// The Lambda request id (or a generated id outside Lambda).
    pub request_id: String,
    /// The invocation deadline, Unix milliseconds.
    pub deadline_ms: Option<i64>,
    /// The X-Ray trace header of this invocation (`Lambda-Runtime-Trace-Id`).
    pub trace_header: Option<String>,
    /// Lambda's tenant id (tenant isolation mode).
    pub tenant_id: Option<String>,
    /// The function name.
    pub function_name: Option<String>,
    /// The ARN the function was invoked by.
    pub function_arn: Option<String>,
    /// The function version.
    pub function_version: Option<String>,
    /// Configured memory, MB.
    pub memory_mb: Option<u32>,
    /// Whether this invocation is the process's first.
    pub cold_start: bool,
}

impl InvocationMeta {
    /// The meta of a Lambda invocation.
    pub fn from_lambda(ctx: &lambda_runtime::Context) -> Self {
        let config = &ctx.env_config;
        let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Self {
            request_id: ctx.request_id.clone(),
            deadline_ms: i64::try_from(ctx.deadline).ok().filter(|d| *d > 0),
            trace_header: ctx.xray_trace_id.clone(),
            tenant_id: ctx.tenant_id.clone(),
            function_name: non_empty(&config.function_name),
            function_arn: non_empty(&ctx.invoked_function_arn),
            function_version: non_empty(&config.version),
            memory_mb: u32::try_from(config.memory).ok().filter(|m| *m > 0),
            cold_start: take_cold_start(),
        }
    }

    /// Meta for a local or service invocation with `request_id` and no deadline.
    pub fn local(request_id: impl Into<String>) -> Self {
        Self {
            request_id: request_id.into(),
            ..Self::default()
        }
    }
}

/// One event travelling through the middleware stack.
#[derive(Debug)]
pub struct Invocation<E> {
    /// The event (an HTTP request, an SQS batch, any JSON).
    pub event: E,
    /// What the runtime says about it.
    pub meta: InvocationMeta,
    /// The context, once [`ContextLayer`](crate::ContextLayer) has built it.
    pub context: Option<Context>,
    /// The handler subsegment's scope, once [`XRayLayer`](crate::XRayLayer) has opened it
    /// (the context's logger then carries its id as `span_id`).
    pub trace_scope: Option<TraceScope>,
}

impl<E> Invocation<E> {
    /// An invocation not yet seen by any middleware.
    pub fn new(event: E, meta: InvocationMeta) -> Self {
        Self {
            event,
            meta,
            context: None,
            trace_scope: None,
        }
    }
}
