//! X-Ray in the handler: the invocation's [`TraceScope`] and [`SubsegmentGuard`], a
//! subsegment for one operation that is sent when it ends.
//!
//! The middleware opens the handler subsegment (the trace header's `Root` as its trace,
//! `Parent` as its parent) and keeps its id in the scope; user subsegments are its
//! children. Unsampled traces (`Sampled=0`) and invocations without X-Ray get an inert
//! guard: every method is a no-op and nothing is sent.

use std::error::Error;

use lift_observability::Logger;
use lift_observability::xray::{Annotation, Subsegment, XRayEmitter, epoch_seconds};

/// Where an invocation's subsegments go and what they hang from.
#[derive(Debug, Clone)]
pub struct TraceScope {
    emitter: XRayEmitter,
    trace_id: String,
    segment_id: String,
}

impl TraceScope {
    pub(crate) fn new(emitter: XRayEmitter, handler: &Subsegment) -> Self {
        Self {
            emitter,
            trace_id: handler.trace_id().to_owned(),
            segment_id: handler.id().to_owned(),
        }
    }

    /// The handler subsegment's id.
    pub fn segment_id(&self) -> &str {
        &self.segment_id
    }

    /// The trace id (the header's `Root`).
    pub fn trace_id(&self) -> &str {
        &self.trace_id
    }
}

/// One operation's subsegment; ends and is sent on [`end`](Self::end) or drop.
#[derive(Debug)]
#[must_use = "the subsegment ends when the guard is dropped"]
pub struct SubsegmentGuard {
    live: Option<(Subsegment, XRayEmitter)>,
    logger: Logger,
}

impl SubsegmentGuard {
    pub(crate) fn start(scope: Option<&TraceScope>, name: &str, logger: &Logger) -> Self {
        match scope {
            Some(scope) => {
                let segment = Subsegment::new(
                    name,
                    &scope.trace_id,
                    Some(&scope.segment_id),
                    epoch_seconds(),
                );
                let logger = logger.with_span_id(segment.id());
                Self {
                    live: Some((segment, scope.emitter.clone())),
                    logger,
                }
            }
            None => Self {
                live: None,
                logger: logger.clone(),
            },
        }
    }

    /// A logger whose lines carry this subsegment's id as `span_id`.
    pub fn logger(&self) -> &Logger {
        &self.logger
    }

    /// The subsegment's id (`None` when inert).
    pub fn id(&self) -> Option<&str> {
        self.live.as_ref().map(|(s, _)| s.id())
    }

    fn with(&mut self, f: impl FnOnce(&mut Subsegment)) -> &mut Self {
        if let Some((segment, _)) = &mut self.live {
            f(segment);
        }
        self
    }

    /// Adds an indexed annotation (X-Ray's limits applied; see
    /// [`Subsegment::annotate`]).
    pub fn annotate(&mut self, key: &str, value: impl Into<Annotation>) -> &mut Self {
        let value = value.into();
        self.with(|s| {
            s.annotate(key, value);
        })
    }

    /// Adds metadata (not indexed).
    pub fn metadata(&mut self, key: &str, value: impl serde::Serialize) -> &mut Self {
        self.with(|s| s.metadata(key, value))
    }

    /// Marks a downstream call: `aws` for AWS services, `remote` for others.
    pub fn namespace(&mut self, namespace: &str) -> &mut Self {
        self.with(|s| s.set_namespace(namespace))
    }

    /// Records an outgoing HTTP request.
    pub fn http_request(&mut self, method: &str, url: &str) -> &mut Self {
        self.with(|s| s.set_http_request(method, url))
    }

    /// Records the response status (sets error, throttle or fault).
    pub fn http_status(&mut self, status: u16) -> &mut Self {
        self.with(|s| s.set_http_status(status))
    }

    /// Records an error: the exception (with its source chain) and the fault flag.
    pub fn record_error(&mut self, error: &(dyn Error + 'static)) -> &mut Self {
        self.with(|s| s.record_exception(error, None))
    }

    /// Ends the subsegment now and sends it.
    pub fn end(mut self) {
        self.finish();
    }

    fn finish(&mut self) {
        if let Some((mut segment, emitter)) = self.live.take() {
            segment.end(epoch_seconds());
            emitter.emit(&segment);
        }
    }
}

impl Drop for SubsegmentGuard {
    fn drop(&mut self) {
        self.finish();
    }
}
