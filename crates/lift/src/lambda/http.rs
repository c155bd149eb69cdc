//! The HTTP stack as a `tower::Service`: an API Gateway, ALB or Function URL request in,
//! an HTTP response out — a [`LiftError`] turned into its status, headers and JSON body.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use lambda_http::{Body, RequestExt};
use tower::Service;

use crate::error::LiftError;
use crate::handler::{Handler, HandlerService};
use crate::meta::{Invocation, InvocationMeta};
use crate::middleware::Observability;

/// An HTTP response.
pub type HttpResponse = http::Response<Body>;

/// The HTTP stack: `lambda_http::Request` in, an HTTP response out — a [`LiftError`]
/// becomes a response with its status and a JSON body.
#[derive(Debug, Clone)]
pub struct HttpService<H> {
    pub(super) stack: Observability<HandlerService<H>>,
}

impl<H> Service<lambda_http::Request> for HttpService<H>
where
    H: Handler<lambda_http::Request, Response = HttpResponse>,
{
    type Response = HttpResponse;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: lambda_http::Request) -> Self::Future {
        let meta = request
            .lambda_context_ref()
            .map(InvocationMeta::from_lambda)
            .unwrap_or_else(|| {
                // Outside Lambda too, the process's first invocation is its cold start.
                let mut meta = InvocationMeta::local(crate::local::new_request_id());
                meta.cold_start = crate::meta::take_cold_start();
                meta
            });
        let mut stack = self.stack.clone();
        Box::pin(async move {
            Ok(match stack.call(Invocation::new(request, meta)).await {
                Ok(response) => response,
                Err(error) => error_response(&error),
            })
        })
    }
}

/// The HTTP response for `error`: its status and a JSON body.
pub fn error_response(error: &LiftError) -> HttpResponse {
    let mut response = http::Response::builder()
        .status(error.status())
        .header("content-type", "application/json")
        .body(Body::from(error.to_body()))
        .unwrap_or_else(|_| http::Response::new(Body::Empty));
    for (name, value) in error.headers() {
        response.headers_mut().append(name.clone(), value.clone());
    }
    response
}
