//! [`EventGate`]: every HTTP invocation reaches Lift, a malformed one included.
//!
//! `lambda_http` deserialises the event itself: an event that is no API Gateway, ALB or
//! Function URL request (`null`, `[]`, wrong types) is answered by `lambda_runtime` with no
//! line from the function, and a body marked `isBase64Encoded` that is not base64 panics
//! inside `lambda_http`. The gate takes the event as plain JSON instead, checks it, and only
//! then hands it to `lambda_http`'s adapter. A bad event is logged at warn with the
//! invocation's request id, `status` 400 and `error_kind` `invalid_event`, counted in the
//! `Errors` metric (when metrics are on), flushed, and the Runtime API gets an error of
//! type `InvalidEvent` — never a panic.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use base64::Engine as _;
use lambda_http::request::LambdaRequest;
use lambda_runtime::{Diagnostic, LambdaEvent};
use lift_observability::Logger;
use lift_observability::metrics::Metrics;
use tower::Service;

/// The Runtime API error type of an event Lift could not take.
pub const INVALID_EVENT_ERROR_TYPE: &str = "InvalidEvent";

/// Checks each event before `inner` (`lambda_http`'s adapter around Lift's stack) sees it.
#[derive(Debug, Clone)]
pub(crate) struct EventGate<S> {
    inner: S,
    root: Logger,
    metrics: Option<Metrics>,
}

impl<S> EventGate<S> {
    pub(crate) fn new(inner: S, root: Logger, metrics: Option<Metrics>) -> Self {
        Self {
            inner,
            root,
            metrics,
        }
    }
}

/// Why an event is not an HTTP request Lift can serve.
pub(crate) fn check_http_event(event: serde_json::Value) -> Result<LambdaRequest, String> {
    if event.get("isBase64Encoded") == Some(&serde_json::Value::Bool(true))
        && let Some(body) = event.get("body").and_then(serde_json::Value::as_str)
        && base64::engine::general_purpose::STANDARD
            .decode(body)
            .is_err()
    {
        return Err("the body is marked isBase64Encoded but is not base64".to_owned());
    }
    let kind = match &event {
        serde_json::Value::Object(_) => None,
        serde_json::Value::Null => Some("null"),
        serde_json::Value::Array(_) => Some("an array"),
        serde_json::Value::String(_) => Some("a string"),
        serde_json::Value::Number(_) => Some("a number"),
        serde_json::Value::Bool(_) => Some("a boolean"),
    };
    if let Some(kind) = kind {
        return Err(format!(
            "the event is {kind}, not an API Gateway, ALB or Function URL request"
        ));
    }
    serde_json::from_value(event).map_err(|_| {
        "the event is not an API Gateway (REST or HTTP API), ALB or Function URL request".to_owned()
    })
}

type BoxedResponse<R> = Pin<Box<dyn Future<Output = Result<R, Diagnostic>> + Send>>;

impl<S> Service<LambdaEvent<serde_json::Value>> for EventGate<S>
where
    S: Service<LambdaEvent<LambdaRequest>>,
    S::Future: Send + 'static,
    S::Error: Into<Diagnostic>,
{
    type Response = S::Response;
    type Error = Diagnostic;
    type Future = BoxedResponse<S::Response>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Diagnostic>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, event: LambdaEvent<serde_json::Value>) -> Self::Future {
        let LambdaEvent { payload, context } = event;
        match check_http_event(payload) {
            Ok(request) => {
                let handled = self.inner.call(LambdaEvent::new(request, context));
                Box::pin(async move { handled.await.map_err(Into::into) })
            }
            Err(reason) => {
                let log = self.root.with_request_id(&context.request_id);
                let metrics = self.metrics.as_ref().map(|m| {
                    let metrics = m.child();
                    metrics.set_property("request_id", context.request_id.as_str());
                    metrics.count("Errors", 1.0);
                    metrics
                });
                Box::pin(async move {
                    lift_observability::warn!(log, "Invalid event";
                        "status" => 400u16, "error_kind" => "invalid_event", "error" => reason.as_str());
                    // Failed flushes are counted in the logger's and sink's stats.
                    if let Some(metrics) = metrics {
                        metrics.flush();
                        let _ = metrics.sink().flush().await;
                    }
                    let _ = log.flush().await;
                    Err(Diagnostic {
                        error_type: INVALID_EVENT_ERROR_TYPE.to_owned(),
                        error_message: reason,
                    })
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_that_are_not_http_requests_are_named() {
        for (event, says) in [
            (json!(null), "the event is null"),
            (json!([]), "the event is an array"),
            (json!("x"), "the event is a string"),
            (json!({"httpMethod": 5}), "not an API Gateway"),
            (
                json!({"isBase64Encoded": true, "body": "not base64!"}),
                "not base64",
            ),
        ] {
            let err = check_http_event(event.clone()).unwrap_err();
            assert!(err.contains(says), "{event}: {err}");
        }
        let good = crate::local::apigw_v1_event("GET", "/x", &[], Some("aGk="));
        assert!(check_http_event(good).is_ok());
    }
}
