//! [`Handler`]: an async function from a context and a typed event to a typed response.
//!
//! Any `Fn(Context, E) -> impl Future<Output = Result<R, LiftError>>` is a handler.
//! [`HandlerService`] turns one into a tower `Service<Invocation<E>>`, the innermost layer
//! of the stack the middleware wraps. It runs the handler with the invocation's context as
//! the task's [`current`](crate::current()) context and turns a panic into a 500
//! ([`PanicError`](crate::PanicError) as its source), so every layer around it sees an
//! ordinary error and the process lives on.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::task::{Context as TaskContext, Poll};

use futures_util::FutureExt;

use lift_observability::{Logger, TraceHeader};

use crate::context::{Context, ContextParts};
use crate::error::{LiftError, from_panic};
use crate::meta::{Invocation, InvocationMeta};
use crate::middleware::ResponseFuture;

/// An invocation handler.
pub trait Handler<E>: Clone + Send + Sync + 'static {
    /// What a successful invocation returns.
    type Response: Send + 'static;
    /// The handler's future.
    type Future: Future<Output = Result<Self::Response, LiftError>> + Send + 'static;
    /// Handles one event.
    fn call(&self, context: Context, event: E) -> Self::Future;
}

impl<F, Fut, E, R> Handler<E> for F
where
    F: Fn(Context, E) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<R, LiftError>> + Send + 'static,
    R: Send + 'static,
{
    type Response = R;
    type Future = Fut;

    fn call(&self, context: Context, event: E) -> Fut {
        self(context, event)
    }
}

/// A [`Handler`] as a tower service.
#[derive(Debug, Clone)]
pub struct HandlerService<H> {
    handler: H,
    root: Logger,
}

impl<H> HandlerService<H> {
    /// Wraps `handler`; `root` is used only when no middleware built a context.
    pub fn new(handler: H, root: Logger) -> Self {
        Self { handler, root }
    }

    /// The handler.
    pub fn get_ref(&self) -> &H {
        &self.handler
    }

    /// The handler, unwrapped.
    pub fn into_inner(self) -> H {
        self.handler
    }
}

/// The context parts the runtime's meta alone gives (no event inspection).
pub(crate) fn parts_from_meta(meta: &InvocationMeta) -> ContextParts {
    ContextParts {
        request_id: meta.request_id.clone(),
        tenant_id: meta.tenant_id.clone(),
        trace: meta.trace_header.as_deref().and_then(TraceHeader::parse),
        function_name: meta.function_name.clone(),
        function_arn: meta.function_arn.clone(),
        function_version: meta.function_version.clone(),
        memory_mb: meta.memory_mb,
        cold_start: meta.cold_start,
        deadline_ms: meta.deadline_ms,
        ..ContextParts::default()
    }
}

impl<H, E> tower::Service<Invocation<E>> for HandlerService<H>
where
    H: Handler<E>,
{
    type Response = H::Response;
    type Error = LiftError;
    type Future = ResponseFuture<H::Response>;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), LiftError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, invocation: Invocation<E>) -> Self::Future {
        let context = invocation
            .context
            .unwrap_or_else(|| Context::new(parts_from_meta(&invocation.meta), &self.root));
        let handled = self.handler.call(context.clone(), invocation.event);
        let guarded = AssertUnwindSafe(crate::current::scope(context, handled)).catch_unwind();
        ResponseFuture::new(async move {
            match guarded.await {
                Ok(result) => result,
                Err(panic) => Err(from_panic(&*panic)),
            }
        })
    }
}
