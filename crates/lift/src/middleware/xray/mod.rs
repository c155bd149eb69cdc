//! [`Traced`]: the handler's X-Ray subsegment.
//!
//! The trace is the runtime's (Lambda's `_X_AMZN_TRACE_ID` for this invocation), else the
//! request's `X-Amzn-Trace-Id` header, else a new sampled trace this invocation starts; it
//! is written back into the invocation's meta, so the context carries it. Unless the trace
//! is unsampled (`Sampled=0`: nothing is sent) the subsegment is opened with the trace's
//! `Root` and `Parent`, annotated with the tenant, cold start and request id (and the HTTP
//! method and path), handed on as the invocation's [`TraceScope`] and, when the inner
//! service is done, closed with the status and the error and sent.

mod layer;

use std::task::{Context as TaskContext, Poll};

use lift_observability::xray::{Subsegment, XRayEmitter, epoch_seconds};
use lift_observability::{Sampled, TraceHeader};

pub use layer::XRayLayer;

use super::ResponseFuture;
use super::context::status_of;
use crate::error::LiftError;
use crate::extract::{EventInfo, Extractors};
use crate::meta::Invocation;
use crate::status::ResponseStatus;
use crate::trace::TraceScope;

#[derive(Debug, Clone)]
struct XRaySettings {
    emitter: Option<XRayEmitter>,
    extractors: Extractors,
    name: Option<String>,
}

impl XRaySettings {
    /// The invocation's trace: decided, and recorded in its meta.
    fn trace_for<E: EventInfo>(&self, invocation: &mut Invocation<E>) -> TraceHeader {
        let found = invocation
            .meta
            .trace_header
            .as_deref()
            .and_then(TraceHeader::parse)
            .or_else(|| {
                invocation
                    .event
                    .header("x-amzn-trace-id")
                    .and_then(TraceHeader::parse)
            });
        let trace = found.unwrap_or_else(|| {
            // No trace to join: this invocation starts one.
            let mut root = TraceHeader::new_root(
                lift_observability::system_millis() as u64 / 1000,
                u128::from(fastrand::u64(..)) << 64 | u128::from(fastrand::u64(..)),
            );
            root.sampled = Some(Sampled::Yes);
            root
        });
        invocation.meta.trace_header = Some(trace.to_string());
        trace
    }

    /// The handler's subsegment, annotated.
    fn subsegment_for<E: EventInfo>(
        &self,
        invocation: &Invocation<E>,
        trace: &TraceHeader,
    ) -> Subsegment {
        let meta = &invocation.meta;
        let name = meta
            .function_name
            .as_deref()
            .or(self.name.as_deref())
            .unwrap_or("handler");
        let mut segment =
            Subsegment::new(name, &trace.root, trace.parent.as_deref(), epoch_seconds());
        let tenant = match self
            .extractors
            .tenant(meta.tenant_id.as_deref(), &invocation.event)
        {
            Ok(tenant) => tenant,
            // The invocation runs as the verified tenant (and is refused).
            Err(conflict) => Some(conflict.verified),
        };
        if let Some(tenant) = &tenant {
            segment.annotate("tenant_id", tenant.as_str());
        }
        segment.annotate("cold_start", meta.cold_start);
        segment.annotate("request_id", meta.request_id.as_str());
        if let (Some(method), Some(path)) = (invocation.event.method(), invocation.event.path()) {
            segment.set_http_request(method, path);
        }
        segment
    }
}

service_of_layer!(
    /// The X-Ray middleware around `S` (see [`XRayLayer`]).
    Traced,
    XRayLayer,
    XRaySettings
);

impl<S, E> tower::Service<Invocation<E>> for Traced<S>
where
    S: tower::Service<Invocation<E>, Error = LiftError>,
    S::Future: Send + 'static,
    S::Response: ResponseStatus + Send + 'static,
    E: EventInfo,
{
    type Response = S::Response;
    type Error = LiftError;
    type Future = ResponseFuture<S::Response>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), LiftError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut invocation: Invocation<E>) -> Self::Future {
        let Some(emitter) = self.settings.emitter.clone() else {
            return ResponseFuture::pass_through(self.inner.call(invocation));
        };
        let trace = self.settings.trace_for(&mut invocation);
        if trace.sampled == Some(Sampled::No) {
            return ResponseFuture::pass_through(self.inner.call(invocation));
        }
        let mut segment = self.settings.subsegment_for(&invocation, &trace);
        invocation.trace_scope = Some(TraceScope::new(emitter.clone(), &segment));
        let handled = self.inner.call(invocation);
        ResponseFuture::new(async move {
            let result = handled.await;
            segment.set_http_status(status_of(&result));
            if let Err(e) = &result {
                segment.record_exception(e, Some(e.kind().as_str()));
            }
            segment.end(epoch_seconds());
            emitter.emit(&segment);
            result
        })
    }
}
