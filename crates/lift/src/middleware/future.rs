//! [`ResponseFuture`]: the response future of every Lift middleware and of
//! [`HandlerService`](crate::HandlerService).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::LiftError;

/// Resolves to the inner service's result once the middleware's own work around it is done
/// (boxed: one allocation per invocation and layer).
pub struct ResponseFuture<R> {
    inner: Pin<Box<dyn Future<Output = Result<R, LiftError>> + Send>>,
}

impl<R> std::fmt::Debug for ResponseFuture<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<R> ResponseFuture<R> {
    pub(crate) fn new(inner: impl Future<Output = Result<R, LiftError>> + Send + 'static) -> Self {
        Self {
            inner: Box::pin(inner),
        }
    }
}

impl<R> Future for ResponseFuture<R> {
    type Output = Result<R, LiftError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}
