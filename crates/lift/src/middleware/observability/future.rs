//! [`ResponseFuture`]: the observability middleware's response future.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::LiftError;

/// Resolves to the handler's result after the end line is logged and the logger flushed.
pub struct ResponseFuture<R> {
    inner: Pin<Box<dyn Future<Output = Result<R, LiftError>> + Send>>,
}

impl<R> std::fmt::Debug for ResponseFuture<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<R> ResponseFuture<R> {
    pub(super) fn new(inner: impl Future<Output = Result<R, LiftError>> + Send + 'static) -> Self {
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
