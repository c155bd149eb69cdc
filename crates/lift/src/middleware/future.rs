//! [`ResponseFuture`]: the response future of every Lift middleware and of
//! [`HandlerService`](crate::HandlerService).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::LiftError;

/// Resolves to the inner service's result once the middleware's own work around it is done
/// (boxed: one allocation per invocation and layer that does work; a layer with nothing to
/// do hands its inner service's future on as it is).
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

impl<R: Send + 'static> ResponseFuture<R> {
    /// The future of a layer with nothing to do for this invocation: the inner service's
    /// own, unboxed again when it is already a `ResponseFuture` (as every Lift service's
    /// is), else boxed once.
    pub(crate) fn pass_through<F>(inner: F) -> Self
    where
        F: Future<Output = Result<R, LiftError>> + Send + 'static,
    {
        let mut slot = Some(inner);
        if let Some(same) = (&mut slot as &mut dyn std::any::Any).downcast_mut::<Option<Self>>()
            && let Some(already) = same.take()
        {
            return already;
        }
        match slot {
            Some(inner) => Self::new(inner),
            // Only the branch above empties the slot, and it returned.
            None => Self::new(std::future::ready(Err(LiftError::internal(
                "a pass-through future went missing",
            )))),
        }
    }
}

impl<R> Future for ResponseFuture<R> {
    type Output = Result<R, LiftError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_response_future_passes_through_without_a_new_box() {
        let inner: ResponseFuture<u32> = ResponseFuture::new(async { Ok(7) });
        let address = std::ptr::addr_of!(*inner.inner).cast::<u8>();
        let passed = ResponseFuture::pass_through(inner);
        assert_eq!(
            std::ptr::addr_of!(*passed.inner).cast::<u8>(),
            address,
            "same box"
        );
        assert_eq!(passed.await.unwrap(), 7);
        // Any other future is boxed once.
        let other = ResponseFuture::pass_through(async { Ok::<_, LiftError>(8u32) });
        assert_eq!(other.await.unwrap(), 8);
    }
}
