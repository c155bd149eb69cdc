//! [`Context`]: everything a handler knows about its invocation, and a logger carrying it.
//!
//! Built once per invocation by [`ContextLayer`](crate::ContextLayer); cheap to clone (one `Arc`).
//! Its logger already carries `request_id`, `correlation_id`, `tenant_id`, `user_id`,
//! `trace_id`, `span_id` (the handler subsegment's id when X-Ray is on, else the header's
//! `Parent`), `function_name` and `cold_start`, encoded once, so every line the handler
//! logs is attributed without any effort. Its [`Metrics`] aggregate for the invocation and
//! are flushed with the logs; [`Context::subsegment`] marks an operation for X-Ray.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use lift_observability::metrics::Metrics;
use lift_observability::{KeyProfile, Logger, TraceHeader};

use crate::trace::{SubsegmentGuard, TraceScope};

/// One copy of a context: the invocation's common part, and what a derived copy may change.
#[derive(Debug, Clone)]
struct Inner {
    common: Arc<Common>,
    caller: Option<Arc<str>>,
    logger: Logger,
    metrics: Metrics,
}

/// What every copy of one invocation's context shares (one allocation): set when the
/// context is built, so a derived copy costs a few reference counts, not copies of its ids.
#[derive(Debug)]
struct Common {
    request_id: String,
    correlation_id: Option<String>,
    tenant_id: Option<String>,
    user_id: Option<String>,
    trace: Option<TraceHeader>,
    function_name: Option<String>,
    function_version: Option<String>,
    memory_mb: Option<u32>,
    cold_start: bool,
    deadline_ms: Option<i64>,
    trace_scope: Option<TraceScope>,
    /// Aggregates a middleware recorded, written as EMF right before the invocation's flush.
    pending_metrics: Mutex<Vec<Metrics>>,
    /// A caller verified after the context was built (by a layer inside the one that built
    /// it), so the outer layer's end line carries it too.
    verified_caller: std::sync::OnceLock<Arc<str>>,
}

/// One invocation's context.
#[derive(Debug, Clone)]
pub struct Context {
    inner: Arc<Inner>,
}

/// The parts a [`Context`] is made of.
#[derive(Debug, Default, Clone)]
pub struct ContextParts {
    /// The Lambda (or service) request id.
    pub request_id: String,
    /// An upstream id, such as API Gateway's request id.
    pub correlation_id: Option<String>,
    /// The tenant.
    pub tenant_id: Option<String>,
    /// The user.
    pub user_id: Option<String>,
    /// The trace header.
    pub trace: Option<TraceHeader>,
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
    /// The deadline, Unix milliseconds.
    pub deadline_ms: Option<i64>,
    /// Who called, as AWS verified it (an IAM identity's ARN).
    pub caller: Option<String>,
}

impl Context {
    /// A context from `parts`, with a child of `root` carrying them.
    pub fn new(parts: ContextParts, root: &Logger) -> Self {
        Self::assemble(parts, root, disabled_metrics(), None)
    }

    /// A context whose metrics go to `metrics` and, with a `trace_scope`, whose
    /// subsegments go to X-Ray (the logger's `span_id` is then the handler subsegment).
    pub(crate) fn assemble(
        parts: ContextParts,
        root: &Logger,
        metrics: Metrics,
        trace_scope: Option<TraceScope>,
    ) -> Self {
        let span_id = trace_scope.as_ref().map(|t| t.segment_id().to_owned());
        let logger = root.with_context(|c| {
            use lift_observability::ContextKey as K;
            c.set(K::RequestId, &parts.request_id);
            let optional = [
                (K::CorrelationId, &parts.correlation_id),
                (K::TenantId, &parts.tenant_id),
                (K::UserId, &parts.user_id),
                (K::FunctionName, &parts.function_name),
            ];
            for (key, value) in optional {
                if let Some(v) = value {
                    c.set(key, v);
                }
            }
            if let Some(trace) = &parts.trace {
                c.set(K::TraceId, &trace.root);
                if let Some(span) = span_id.as_ref().or(trace.parent.as_ref()) {
                    c.set(K::SpanId, span);
                }
            }
            c.set_cold_start(parts.cold_start);
            // Only Powertools' keys carry these: under Lift's, setting them would cost
            // each invocation two copies that are never written.
            if root.key_profile() == KeyProfile::Powertools {
                if let Some(arn) = &parts.function_arn {
                    c.set(K::FunctionArn, arn);
                }
                if let Some(mb) = parts.memory_mb {
                    c.set(K::FunctionMemorySize, &mb.to_string());
                }
            }
        });
        let logger = match &parts.caller {
            Some(caller) => logger.with_field("caller", caller.as_str()),
            None => logger,
        };
        Self {
            inner: Arc::new(Inner {
                common: Arc::new(Common {
                    request_id: parts.request_id,
                    correlation_id: parts.correlation_id,
                    tenant_id: parts.tenant_id,
                    user_id: parts.user_id,
                    trace: parts.trace,
                    function_name: parts.function_name,
                    function_version: parts.function_version,
                    memory_mb: parts.memory_mb,
                    cold_start: parts.cold_start,
                    deadline_ms: parts.deadline_ms,
                    trace_scope,
                    pending_metrics: Mutex::default(),
                    verified_caller: std::sync::OnceLock::new(),
                }),
                caller: parts.caller.map(Arc::from),
                logger,
                metrics,
            }),
        }
    }

    /// The same context with its lines going through `logger` (a middleware's per-invocation
    /// sink, such as buffering's); `logger` must carry this context's fields.
    pub(crate) fn with_logger(&self, logger: Logger) -> Self {
        let mut inner = Inner::clone(&self.inner);
        inner.logger = logger;
        Self {
            inner: Arc::new(inner),
        }
    }

    /// The context with `caller` as who called — a verified request signature's key id,
    /// say — written as `caller` on every line of the invocation logged from now on.
    ///
    /// The invocation's first verified caller is attached to its logger in place
    /// ([`Logger::attach_field`]): every copy of this invocation's context carries it
    /// from then on, the end line included, and the context returned is one of those
    /// copies (no new logger). A context that has a caller already gets a copy with the
    /// new one instead.
    pub fn with_caller(&self, caller: &str) -> Self {
        let common = &self.inner.common;
        if self.inner.caller.is_none()
            && common.verified_caller.get().is_none()
            && self.inner.logger.attach_field("caller", caller)
        {
            let _ = common.verified_caller.set(Arc::from(caller));
            return self.clone();
        }
        let mut inner = Inner::clone(&self.inner);
        inner.logger = inner.logger.with_field("caller", caller);
        let caller: Arc<str> = Arc::from(caller);
        let _ = inner.common.verified_caller.set(Arc::clone(&caller));
        inner.caller = Some(caller);
        Self {
            inner: Arc::new(inner),
        }
    }

    /// Who called, as something the invocation verified says: the IAM identity API Gateway
    /// or a Function URL authorized, or what a layer verifying request signatures set with
    /// [`with_caller`](Self::with_caller) on this invocation's context; `None` when nothing
    /// verified it.
    pub fn caller(&self) -> Option<&str> {
        self.inner
            .caller
            .as_deref()
            .or_else(|| self.inner.common.verified_caller.get().map(|c| &**c))
    }

    /// A caller a layer inside verified after this context was built, when this context's
    /// lines do not carry one (for the end line).
    pub(crate) fn caller_verified_later(&self) -> Option<&str> {
        if self.inner.caller.is_some() || self.inner.logger.has_field("caller") {
            return None;
        }
        self.inner.common.verified_caller.get().map(|c| &**c)
    }

    /// The same context recording its metrics into `metrics`.
    pub(crate) fn with_metrics(&self, metrics: Metrics) -> Self {
        let mut inner = Inner::clone(&self.inner);
        inner.metrics = metrics;
        Self {
            inner: Arc::new(inner),
        }
    }

    /// Has `metrics` written (as EMF) at the end of the invocation, after its end line and
    /// right before the flush that sends the invocation's lines.
    pub(crate) fn write_before_flush(&self, metrics: Metrics) {
        self.pending().push(metrics);
    }

    /// The aggregates to write before the flush, taken.
    pub(crate) fn take_pending_metrics(&self) -> Vec<Metrics> {
        std::mem::take(&mut *self.pending())
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Vec<Metrics>> {
        // Pushes and takes cannot leave the list half-changed.
        self.inner
            .common
            .pending_metrics
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The request id.
    pub fn request_id(&self) -> &str {
        &self.inner.common.request_id
    }

    /// The upstream (API Gateway) request id.
    pub fn correlation_id(&self) -> Option<&str> {
        self.inner.common.correlation_id.as_deref()
    }

    /// The tenant.
    pub fn tenant_id(&self) -> Option<&str> {
        self.inner.common.tenant_id.as_deref()
    }

    /// The user.
    pub fn user_id(&self) -> Option<&str> {
        self.inner.common.user_id.as_deref()
    }

    /// The trace header.
    pub fn trace(&self) -> Option<&TraceHeader> {
        self.inner.common.trace.as_ref()
    }

    /// The function name.
    pub fn function_name(&self) -> Option<&str> {
        self.inner.common.function_name.as_deref()
    }

    /// The function version.
    pub fn function_version(&self) -> Option<&str> {
        self.inner.common.function_version.as_deref()
    }

    /// Configured memory, MB.
    pub fn memory_mb(&self) -> Option<u32> {
        self.inner.common.memory_mb
    }

    /// Whether this invocation is the process's first.
    pub fn cold_start(&self) -> bool {
        self.inner.common.cold_start
    }

    /// The deadline, Unix milliseconds.
    pub fn deadline_ms(&self) -> Option<i64> {
        self.inner.common.deadline_ms
    }

    /// Time left before the deadline (`None` without one; zero once passed).
    pub fn remaining(&self) -> Option<Duration> {
        let deadline = self.inner.common.deadline_ms?;
        let left = deadline - lift_observability::system_millis();
        Some(Duration::from_millis(u64::try_from(left).unwrap_or(0)))
    }

    /// The logger carrying this invocation's context.
    pub fn logger(&self) -> &Logger {
        &self.inner.logger
    }

    /// This invocation's metrics: aggregated, written as EMF and flushed with the logs at
    /// the end of the invocation (a handle that records nothing when metrics are off).
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// Starts an X-Ray subsegment for an operation (an HTTP call, a database call) under
    /// the handler's subsegment; it is sent when the guard ends or drops. Without X-Ray,
    /// or for an unsampled trace, the guard records nothing and costs little.
    pub fn subsegment(&self, name: &str) -> SubsegmentGuard {
        SubsegmentGuard::start(
            self.inner.common.trace_scope.as_ref(),
            name,
            &self.inner.logger,
        )
    }

    /// The handler subsegment's id, when X-Ray is on for this invocation.
    pub fn segment_id(&self) -> Option<&str> {
        self.inner
            .common
            .trace_scope
            .as_ref()
            .map(TraceScope::segment_id)
    }
}

/// The shared handle that records nothing, for contexts built without metrics.
pub(crate) fn disabled_metrics() -> Metrics {
    static DISABLED: std::sync::OnceLock<Metrics> = std::sync::OnceLock::new();
    DISABLED.get_or_init(Metrics::disabled).clone()
}
