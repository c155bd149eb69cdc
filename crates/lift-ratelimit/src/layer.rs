//! [`RateLimitLayer`]: rate limiting in Lift's handler stack.
//!
//! For each request on a limited [`Route`] it takes the key ([`KeyBy`]) from the
//! invocation's [`Context`] and event, asks the [`RateLimiter`] under the tenant's limits,
//! and then either
//! - admits it: the response (or the handler's error) carries the IETF `RateLimit-Policy`
//!   and `RateLimit` headers (draft-ietf-httpapi-ratelimit-headers: `"100/60s";q=100;w=60`
//!   and `"100/60s";r=42;t=18`);
//! - denies it: `429` with `Retry-After` and the same headers, through Lift's error path
//!   (the `Request failed` line), after a warn line `Rate limit exceeded` with the key's
//!   kind, the limit and the wait — never the key of an API key;
//! - or, when the store fails or exceeds the limiter's timeout, admits it (fail-open, the
//!   default) or answers `503` (fail-closed), per route, logged at warn either way.
//!
//! Decisions, denials and store errors are counted in the invocation's metrics
//! (`RateLimitDecisions`, `RateLimitDenied`, `RateLimitStoreErrors`, and the decision's
//! latency as `RateLimitDecisionLatency`), under the tenant dimension when the metrics
//! have one. The layer goes inside [`ContextLayer`](lift::ContextLayer), which builds the
//! context; a [`RateLimited`] handler can also be given to [`lift::App::run`] directly
//! (`RateLimitLayer::layer(&layer, handler)`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

use http::{HeaderName, HeaderValue};
use lift::{Context, EventInfo, Invocation, LiftError, Unit, Value};

use crate::decision::Decision;
use crate::error::RateLimitError;
use crate::key::KeyBy;
use crate::limit::Limits;
use crate::limiter::RateLimiter;

/// What happens to a request when the store cannot decide (an error or the timeout).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailMode {
    /// Admit it (the default): the limiter protects, it does not become an outage.
    #[default]
    Open,
    /// Refuse it with `503`: for routes where an unlimited burst costs more than a refusal.
    Closed,
}

impl FailMode {
    fn as_str(self) -> &'static str {
        match self {
            FailMode::Open => "open",
            FailMode::Closed => "closed",
        }
    }
}

/// A route the layer limits: a method (or any) and a path (exact, or a prefix ending in
/// `*`), with its own [`FailMode`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    method: Option<String>,
    path: String,
    prefix: bool,
    failure: Option<FailMode>,
}

impl Route {
    /// `method` on `path` (`"POST"`, `"/charges"`; `"/charges/*"` for everything under it).
    pub fn new(method: &str, path: &str) -> Self {
        let mut route = Self::any_method(path);
        route.method = Some(method.to_ascii_uppercase());
        route
    }

    /// Any method on `path`.
    pub fn any_method(path: &str) -> Self {
        let (path, prefix) = match path.strip_suffix('*') {
            Some(p) => (p, true),
            None => (path.trim_end_matches('/'), false),
        };
        Self {
            method: None,
            path: path.to_owned(),
            prefix,
            failure: None,
        }
    }

    /// Refuses requests on this route when the store cannot decide.
    pub fn fail_closed(mut self) -> Self {
        self.failure = Some(FailMode::Closed);
        self
    }

    /// Admits requests on this route when the store cannot decide.
    pub fn fail_open(mut self) -> Self {
        self.failure = Some(FailMode::Open);
        self
    }

    fn matches(&self, method: Option<&str>, path: Option<&str>) -> bool {
        let method_ok = self
            .method
            .as_deref()
            .is_none_or(|m| method.is_some_and(|x| x.eq_ignore_ascii_case(m)));
        let path = path.unwrap_or_default();
        let path_ok = if self.prefix {
            path.starts_with(&self.path)
        } else {
            path.trim_end_matches('/') == self.path
        };
        method_ok && path_ok
    }
}

#[derive(Debug, Clone)]
struct Settings {
    limiter: RateLimiter,
    key: KeyBy,
    routes: Vec<Route>,
    failure: FailMode,
}

/// Rate limiting for Lift's handler stack (see the module documentation).
///
/// # Examples
/// ```
/// use lift_ratelimit::{KeyBy, MemoryStore, RateLimitLayer, RateLimiter, Route};
///
/// # fn main() -> Result<(), lift_ratelimit::RateLimitError> {
/// let limiter = RateLimiter::new(MemoryStore::new(100_000), "100/min,1000/h".parse()?);
/// let layer = RateLimitLayer::new(limiter)
///     .key(KeyBy::Tenant)
///     .route(Route::new("POST", "/charges").fail_closed());
/// // Around a handler, for `lift::App::run`:
/// let handler = tower::Layer::layer(&layer, |_ctx: lift::Context, _req: lift::Request| async {
///     Ok::<_, lift::LiftError>(lift::HttpResponse::new("ok".into()))
/// });
/// # let _ = handler;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct RateLimitLayer {
    settings: Arc<Settings>,
}

impl RateLimitLayer {
    /// Limits every request by tenant through `limiter`, failing open.
    pub fn new(limiter: RateLimiter) -> Self {
        Self {
            settings: Arc::new(Settings {
                limiter,
                key: KeyBy::Tenant,
                routes: Vec::new(),
                failure: FailMode::Open,
            }),
        }
    }

    /// Changes the settings (a copy of them when this layer was cloned before).
    fn edit(mut self, f: impl FnOnce(&mut Settings)) -> Self {
        f(Arc::make_mut(&mut self.settings));
        self
    }

    /// What requests are counted against (default [`KeyBy::Tenant`]).
    pub fn key(self, key: KeyBy) -> Self {
        self.edit(|s| s.key = key)
    }

    /// Limits `route` (once any route is given, only the routes given are limited).
    pub fn route(self, route: Route) -> Self {
        self.edit(|s| s.routes.push(route))
    }

    /// What happens when the store cannot decide, on routes that do not say (default
    /// [`FailMode::Open`]).
    pub fn on_store_failure(self, failure: FailMode) -> Self {
        self.edit(|s| s.failure = failure)
    }

    /// The limiter.
    pub fn limiter(&self) -> &RateLimiter {
        &self.settings.limiter
    }
}

impl<S> tower::Layer<S> for RateLimitLayer {
    type Service = RateLimited<S>;

    fn layer(&self, inner: S) -> RateLimited<S> {
        RateLimited {
            inner,
            settings: Arc::clone(&self.settings),
        }
    }
}

/// A service or handler behind a [`RateLimitLayer`]: a tower
/// `Service<Invocation<E>>` when `S` is one, a [`lift::Handler`] when `S` is one.
#[derive(Debug, Clone)]
pub struct RateLimited<S> {
    inner: S,
    settings: Arc<Settings>,
}

impl<S> RateLimited<S> {
    /// The wrapped service or handler.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

/// A response the `RateLimit` headers can be written on: HTTP responses; other responses
/// (a JSON event's) carry none.
pub trait RateLimitHeaders {
    /// Sets `name` to `value`.
    fn set_header(&mut self, name: HeaderName, value: HeaderValue);
}

impl<B> RateLimitHeaders for http::Response<B> {
    fn set_header(&mut self, name: HeaderName, value: HeaderValue) {
        self.headers_mut().insert(name, value);
    }
}

impl RateLimitHeaders for serde_json::Value {
    fn set_header(&mut self, _: HeaderName, _: HeaderValue) {}
}

impl RateLimitHeaders for () {
    fn set_header(&mut self, _: HeaderName, _: HeaderValue) {}
}

/// The boxed future of a rate-limited service or handler.
pub type RateLimitedFuture<R> = Pin<Box<dyn Future<Output = Result<R, LiftError>> + Send>>;

const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");
const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");

/// Whole seconds, rounded up (a client told `0` would retry at once).
fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// `RateLimit-Policy` for `limits`: one item per limit.
fn policy_header(limits: &Limits) -> Option<HeaderValue> {
    let items: Vec<String> = limits
        .as_slice()
        .iter()
        .map(|l| format!("\"{l}\";q={};w={}", l.count, ceil_secs(l.period)))
        .collect();
    HeaderValue::from_str(&items.join(", ")).ok()
}

/// `RateLimit` for a decision: the binding limit's remaining quota and reset.
fn current_header(decision: &Decision) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "\"{}\";r={};t={}",
        decision.limit,
        decision.remaining,
        ceil_secs(decision.reset_after)
    ))
    .ok()
}

/// The headers an admitted request's response carries.
struct Admitted {
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl Admitted {
    fn apply<R: RateLimitHeaders>(self, result: Result<R, LiftError>) -> Result<R, LiftError> {
        match result {
            Ok(mut response) => {
                for (name, value) in self.headers {
                    response.set_header(name, value);
                }
                Ok(response)
            }
            Err(mut error) => {
                for (name, value) in self.headers {
                    error = error.with_header(name, value);
                }
                Err(error)
            }
        }
    }
}

/// A request the layer must decide: its key, read before anything is awaited.
struct Pending {
    settings: Arc<Settings>,
    key: String,
    failure: FailMode,
}

impl Settings {
    /// The decision this request needs, or `None` when it is not limited (its route is not
    /// among the limited ones, or it has no such key).
    fn pending(self: &Arc<Self>, context: &Context, event: &dyn EventInfo) -> Option<Pending> {
        let failure = if self.routes.is_empty() {
            self.failure
        } else {
            let route = self
                .routes
                .iter()
                .find(|r| r.matches(event.method(), event.path()))?;
            route.failure.unwrap_or(self.failure)
        };
        let key = self.key.key_of(context, event)?;
        Some(Pending {
            settings: Arc::clone(self),
            key,
            failure,
        })
    }
}

impl Pending {
    /// Decides: the headers for an admitted request, or the error a refused one is
    /// answered with.
    async fn decide(self, context: &Context) -> Result<Option<Admitted>, LiftError> {
        let limiter = &self.settings.limiter;
        let kind = self.settings.key.kind();
        let tenant = context.tenant_id();
        let started = Instant::now();
        let decided = limiter.decide(&self.key, tenant).await;
        let metrics = context.metrics();
        metrics.record(
            "RateLimitDecisionLatency",
            started.elapsed().as_micros() as f64 / 1000.0,
            Unit::Milliseconds,
        );
        metrics.count("RateLimitDecisions", 1.0);
        let log = context.logger();
        let decision = match decided {
            Ok(decision) => decision,
            Err(error) => {
                metrics.count("RateLimitStoreErrors", 1.0);
                lift::warn!(log, "Rate limit store failed";
                    "key_kind" => kind, "failure_mode" => self.failure.as_str(),
                    "error" => Value::error(&error));
                return match self.failure {
                    FailMode::Open => Ok(None),
                    FailMode::Closed => Err(unavailable(error)),
                };
            }
        };
        let limits = limiter.limits_for(tenant);
        let mut headers = Vec::with_capacity(3);
        headers.extend(policy_header(limits).map(|v| (RATELIMIT_POLICY, v)));
        headers.extend(current_header(&decision).map(|v| (RATELIMIT, v)));
        metrics.count("RateLimitDenied", if decision.allowed { 0.0 } else { 1.0 });
        if decision.allowed {
            return Ok(Some(Admitted { headers }));
        }
        let wait = decision.retry_after.unwrap_or(decision.reset_after);
        let limit = decision.limit.to_string();
        lift::warn!(log, "Rate limit exceeded";
            "key_kind" => kind, "limit" => limit.as_str(), "retry_after_ms" => wait);
        let mut error = LiftError::too_many_requests(format!(
            "rate limit {limit} per {kind} exceeded; retry in {} s",
            ceil_secs(wait)
        ));
        error = error.with_header(
            http::header::RETRY_AFTER,
            HeaderValue::from(ceil_secs(wait)),
        );
        for (name, value) in headers {
            error = error.with_header(name, value);
        }
        Err(error)
    }
}

/// The `503` of a fail-closed route whose store could not decide.
fn unavailable(error: RateLimitError) -> LiftError {
    LiftError::unavailable("rate limiting is unavailable; retry shortly")
        .with_source(error)
        .with_header(http::header::RETRY_AFTER, HeaderValue::from(1u64))
}

/// Runs `inner` after the decision, with the decision's headers on its result.
async fn limited<R, F>(pending: Option<Pending>, context: Context, inner: F) -> Result<R, LiftError>
where
    R: RateLimitHeaders,
    F: FnOnce() -> Pin<Box<dyn Future<Output = Result<R, LiftError>> + Send>>,
{
    let Some(pending) = pending else {
        return inner().await;
    };
    match pending.decide(&context).await? {
        Some(admitted) => admitted.apply(inner().await),
        None => inner().await,
    }
}

impl<S, E> tower::Service<Invocation<E>> for RateLimited<S>
where
    S: tower::Service<Invocation<E>, Error = LiftError> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Response: RateLimitHeaders + Send + 'static,
    E: EventInfo + Send + 'static,
{
    type Response = S::Response;
    type Error = LiftError;
    type Future = RateLimitedFuture<S::Response>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), LiftError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, invocation: Invocation<E>) -> Self::Future {
        // The ready service is the one called; the clone waits for the next request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let Some(context) = invocation.context.clone() else {
            return Box::pin(std::future::ready(Err(LiftError::internal(
                "RateLimitLayer needs the invocation's context: put it inside ContextLayer",
            ))));
        };
        let pending = self.settings.pending(&context, &invocation.event);
        Box::pin(limited(pending, context, move || {
            Box::pin(inner.call(invocation))
        }))
    }
}

impl<H, E> lift::Handler<E> for RateLimited<H>
where
    H: lift::Handler<E>,
    H::Response: RateLimitHeaders,
    E: EventInfo + Send + 'static,
{
    type Response = H::Response;
    type Future = RateLimitedFuture<H::Response>;

    fn call(&self, context: Context, event: E) -> Self::Future {
        let pending = self.settings.pending(&context, &event);
        let inner = self.inner.clone();
        let for_inner = context.clone();
        Box::pin(limited(pending, context, move || {
            Box::pin(inner.call(for_inner, event))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_method_and_exact_or_prefix_paths() {
        let post = Route::new("post", "/charges/");
        assert!(post.matches(Some("POST"), Some("/charges")));
        assert!(post.matches(Some("post"), Some("/charges/")));
        assert!(!post.matches(Some("GET"), Some("/charges")));
        assert!(!post.matches(Some("POST"), Some("/charges/ch_1")));
        let under = Route::any_method("/charges/*");
        assert!(under.matches(Some("GET"), Some("/charges/ch_1")));
        assert!(!under.matches(Some("GET"), Some("/refunds/r_1")));
        assert!(!Route::new("GET", "/x").matches(None, Some("/x")));
    }

    #[test]
    fn headers_follow_the_ietf_draft() {
        let limits: Limits = "100/min,1000/h".parse().unwrap();
        assert_eq!(
            policy_header(&limits).unwrap(),
            r#""100/60s";q=100;w=60, "1000/3600s";q=1000;w=3600"#
        );
        let decision = Decision {
            allowed: true,
            limit: limits.as_slice()[0],
            remaining: 42,
            reset_after: Duration::from_millis(17_200),
            retry_after: None,
        };
        assert_eq!(current_header(&decision).unwrap(), r#""100/60s";r=42;t=18"#);
        assert_eq!(ceil_secs(Duration::from_millis(1)), 1);
        assert_eq!(ceil_secs(Duration::from_secs(3)), 3);
    }
}
