//! The Lambda adapter: [`run`] for HTTP events, [`run_events`] for any JSON event.
//!
//! Both sit on the real runtime crates: `lambda_http` turns API Gateway REST (v1), HTTP API
//! and Function URL (v2) and ALB events into `http::Request`s, `lambda_runtime` polls the
//! Runtime API. The stack is `Observability` around the handler, so every invocation gets
//! its context, start/end lines, panic safety and a flush before the response is posted.
//! With `AWS_LAMBDA_MAX_CONCURRENCY` above 1 (Lambda Managed Instances) the runtime polls
//! that many invocations at once (`lambda_runtime::run_concurrent`), one at a time
//! otherwise; the handler is the same either way, and everything per invocation is task-local
//! (the trace comes from the runtime's per-invocation header, never `_X_AMZN_TRACE_ID`).
//! Logs go to stdout as JSON by default (`Logger::from_env`: Lambda ships stdout to
//! CloudWatch Logs); give [`App::logger`] a logger with a `CloudWatchSink` to ship directly.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use lambda_http::{Body, RequestExt};
use lift_observability::metrics::Metrics;
use lift_observability::xray::XRayEmitter;
use lift_observability::{ContextKey, Logger, Sink};
use tower::{Layer, Service};

use crate::error::{LiftError, StartupError};
use crate::event_gate::EventGate;
use crate::extract::Extractors;
use crate::handler::{Handler, HandlerService};
use crate::meta::{Invocation, InvocationMeta};
use crate::middleware::{Buffering, Observability, ObservabilityLayer};

/// Set to a log group name to ship logs straight to CloudWatch Logs instead of stdout.
pub const CLOUDWATCH_GROUP_ENV: &str = "LIFT_CLOUDWATCH_LOG_GROUP";
/// The stream name template used with [`CLOUDWATCH_GROUP_ENV`].
pub const CLOUDWATCH_STREAM_ENV: &str = "LIFT_CLOUDWATCH_LOG_STREAM";
/// Set to a CloudWatch namespace to record per-invocation EMF metrics.
pub const METRICS_NAMESPACE_ENV: &str = "LIFT_METRICS_NAMESPACE";
/// Set to a number to add a `tenant_id` dimension admitting that many tenants per minute.
pub const METRICS_TENANT_BUDGET_ENV: &str = "LIFT_METRICS_TENANT_BUDGET";
/// Opt-in dimensions of the per-invocation metrics beside `service`, comma-separated:
/// `function_name`, `tenant_id` (for example `function_name,tenant_id`).
pub const METRICS_DIMENSIONS_ENV: &str = "LIFT_METRICS_DIMENSIONS";
/// Tenants per minute the `tenant_id` dimension admits when it is asked for without
/// [`METRICS_TENANT_BUDGET_ENV`]; the rest are folded into `__other__`.
pub const DEFAULT_METRICS_TENANT_BUDGET: usize = 20;
/// `true` to record the logger's and shipper's own telemetry as metrics.
pub const SELF_TELEMETRY_ENV: &str = "LIFT_SELF_TELEMETRY";
/// `true` / `false` to switch X-Ray subsegments on or off (default: on when
/// `AWS_XRAY_DAEMON_ADDRESS` is set, as it is in Lambda with active tracing).
pub const XRAY_ENV: &str = "LIFT_XRAY";

fn env_flag(name: &str) -> Option<bool> {
    let value = std::env::var(name).ok()?;
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// The opt-in metric dimensions the environment asks for.
#[derive(Debug, Default, PartialEq, Eq)]
struct OptInDimensions {
    function_name: bool,
    tenant_budget: Option<usize>,
}

impl OptInDimensions {
    fn from_env() -> Result<Self, StartupError> {
        Self::parse(
            std::env::var(METRICS_DIMENSIONS_ENV).ok().as_deref(),
            std::env::var(METRICS_TENANT_BUDGET_ENV).ok().as_deref(),
        )
    }

    /// `dimensions` as in `LIFT_METRICS_DIMENSIONS`; `budget` as in
    /// `LIFT_METRICS_TENANT_BUDGET` (which alone also asks for `tenant_id`).
    fn parse(dimensions: Option<&str>, budget: Option<&str>) -> Result<Self, StartupError> {
        let budget = budget
            .map(|b| {
                b.trim()
                    .parse::<usize>()
                    .map_err(|_| StartupError::InvalidSetting {
                        name: METRICS_TENANT_BUDGET_ENV,
                        value: b.to_owned(),
                        expected: "a number of tenants per minute".to_owned(),
                    })
            })
            .transpose()?;
        let mut opted = Self {
            function_name: false,
            tenant_budget: budget,
        };
        for name in dimensions.unwrap_or_default().split(',').map(str::trim) {
            match name {
                "" => {}
                "function_name" => opted.function_name = true,
                "tenant_id" => {
                    opted.tenant_budget = Some(budget.unwrap_or(DEFAULT_METRICS_TENANT_BUDGET));
                }
                _ => {
                    return Err(StartupError::InvalidSetting {
                        name: METRICS_DIMENSIONS_ENV,
                        value: dimensions.unwrap_or_default().to_owned(),
                        expected: format!(
                            "a comma-separated list of function_name and tenant_id, not {name:?}"
                        ),
                    });
                }
            }
        }
        Ok(opted)
    }
}

/// An HTTP response.
pub type HttpResponse = http::Response<Body>;

impl From<LiftError> for lambda_runtime::Diagnostic {
    fn from(error: LiftError) -> Self {
        lambda_runtime::Diagnostic {
            error_type: error.kind().as_str().to_owned(),
            error_message: error.message().to_owned(),
        }
    }
}

/// Builds and runs a Lift function.
#[derive(Debug, Clone, Default)]
pub struct App {
    logger: Option<Logger>,
    service: Option<String>,
    extractors: Extractors,
    early_flush_margin: Option<Duration>,
    metrics: Option<Metrics>,
    self_telemetry: Option<bool>,
    xray: Option<XRayEmitter>,
    buffering: Option<Buffering>,
    graceful_shutdown: Option<bool>,
    function_name_dimension: Option<bool>,
    tenant_dimension: Option<usize>,
}

impl App {
    /// An app with the defaults: logger from the environment, default extractors.
    pub fn new() -> Self {
        Self::default()
    }

    /// Logs through `logger` (for example one with a `CloudWatchSink`).
    pub fn logger(mut self, logger: Logger) -> Self {
        self.logger = Some(logger);
        self
    }

    /// Names the service on every line (`service`), over `LIFT_SERVICE_NAME`.
    pub fn service(mut self, name: impl Into<String>) -> Self {
        self.service = Some(name.into());
        self
    }

    /// Where tenant and user ids come from.
    pub fn extractors(mut self, extractors: Extractors) -> Self {
        self.extractors = extractors;
        self
    }

    fn named(&self, logger: Logger) -> Logger {
        match &self.service {
            Some(name) => logger.with_service(name),
            None => logger,
        }
    }

    /// How long before the deadline the early flush starts.
    pub fn early_flush_margin(mut self, margin: Duration) -> Self {
        self.early_flush_margin = Some(margin);
        self
    }

    /// Records per-invocation EMF metrics into children of `metrics` (over
    /// `LIFT_METRICS_NAMESPACE`).
    pub fn metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Adds `function_name` to the per-invocation metrics' dimensions (over
    /// `LIFT_METRICS_DIMENSIONS`). Off by default: like Powertools, the default dimension
    /// set is `[service]`, so alarms keyed on it keep their data.
    pub fn function_name_dimension(mut self, on: bool) -> Self {
        self.function_name_dimension = Some(on);
        self
    }

    /// Adds `tenant_id` to the per-invocation metrics' dimensions, admitting `budget`
    /// tenants per minute (over `LIFT_METRICS_DIMENSIONS` and `LIFT_METRICS_TENANT_BUDGET`).
    pub fn tenant_dimension(mut self, budget: usize) -> Self {
        self.tenant_dimension = Some(budget);
        self
    }

    /// Records the logger's and shipper's own telemetry as metrics (over
    /// `LIFT_SELF_TELEMETRY`).
    pub fn self_telemetry(mut self, on: bool) -> Self {
        self.self_telemetry = Some(on);
        self
    }

    /// Sends X-Ray subsegments through `emitter` (over `LIFT_XRAY`).
    pub fn xray(mut self, emitter: XRayEmitter) -> Self {
        self.xray = Some(emitter);
        self
    }

    /// Whether, in Lambda, SIGTERM at shutdown flushes and closes every sink (default on:
    /// Lift registers a no-op internal extension so that the runtime gets the signal — see
    /// [`close_on_signal`](crate::close_on_signal)). Turn it off when another extension of
    /// yours already handles shutdown.
    pub fn graceful_shutdown(mut self, on: bool) -> Self {
        self.graceful_shutdown = Some(on);
        self
    }

    /// In Lambda, with graceful shutdown on: registers the shutdown extension and closes
    /// every sink on SIGTERM. A registration failure is logged, never fatal.
    async fn prepare_shutdown(&self, root: &Logger, metrics_sink: &Arc<dyn Sink>) {
        if self.graceful_shutdown == Some(false)
            || std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_none()
        {
            return;
        }
        if let Err(e) = crate::shutdown::register_extension().await {
            lift_observability::warn!(root,
                "Graceful shutdown extension not registered: Lambda will not signal shutdown";
                "error" => e.to_string().as_str());
        }
        crate::shutdown::close_on_signal(
            root.clone(),
            vec![Arc::clone(metrics_sink)],
            crate::shutdown::LAMBDA_SHUTDOWN_BUDGET,
        );
    }

    /// Buffers each invocation's low-level lines and writes them only when it fails, is
    /// slow or is sampled (see [`Buffering`]).
    pub fn buffering(mut self, buffering: Buffering) -> Self {
        self.buffering = Some(buffering);
        self
    }

    /// The metrics root: the one given, else one from `LIFT_METRICS_NAMESPACE` writing to
    /// `sink` with the `service` dimension and the opt-in ones, else none.
    fn metrics_for(
        &self,
        root: &Logger,
        sink: Arc<dyn Sink>,
    ) -> Result<Option<Metrics>, lambda_runtime::Error> {
        if let Some(m) = &self.metrics {
            return Ok(Some(m.clone()));
        }
        let Ok(namespace) = std::env::var(METRICS_NAMESPACE_ENV) else {
            return Ok(None);
        };
        let opted = OptInDimensions::from_env()?;
        let mut builder = Metrics::builder(&namespace).sink(sink);
        if let Some(service) = root.context().get(ContextKey::Service) {
            builder = builder.default_dimension("service", service);
        }
        let function = std::env::var("AWS_LAMBDA_FUNCTION_NAME").ok();
        if let Some(function) =
            function.filter(|_| self.function_name_dimension.unwrap_or(opted.function_name))
        {
            builder = builder.default_dimension("function_name", &function);
        }
        if let Some(budget) = self.tenant_dimension.or(opted.tenant_budget) {
            builder = builder.tenant_dimension("tenant_id", budget);
        }
        Ok(Some(builder.build()?))
    }

    fn xray_emitter(&self) -> Option<XRayEmitter> {
        if let Some(x) = &self.xray {
            return Some(x.clone());
        }
        let on = env_flag(XRAY_ENV)
            .unwrap_or_else(|| std::env::var_os("AWS_XRAY_DAEMON_ADDRESS").is_some());
        on.then(XRayEmitter::from_env)
    }

    /// The root logger: the one given, else one from the environment — writing JSON to
    /// stdout, or, when `LIFT_CLOUDWATCH_LOG_GROUP` is set, shipping straight to that group
    /// (stream template from `LIFT_CLOUDWATCH_LOG_STREAM`, default
    /// `{date}/{hostname}/{instance_id}`).
    ///
    /// Also returns where EMF metrics go: the logger's sink, except when shipping to
    /// CloudWatch directly, where they get their own stream (`<stream>/metrics`) sent with
    /// the `x-amzn-logs-format: json/emf` header.
    async fn root(&self) -> Result<(Logger, Arc<dyn Sink>), lambda_runtime::Error> {
        if let Some(l) = &self.logger {
            return Ok((self.named(l.clone()), Arc::clone(l.sink())));
        }
        let Some(group) = std::env::var_os(CLOUDWATCH_GROUP_ENV) else {
            let logger = self.named(Logger::from_env()?);
            let sink = Arc::clone(logger.sink());
            return Ok((logger, sink));
        };
        self.cloudwatch_root(&group.to_string_lossy()).await
    }

    /// Without the `cloudwatch` feature, asking for CloudWatch is a start-up error, never
    /// silently stdout.
    #[cfg(not(feature = "cloudwatch"))]
    async fn cloudwatch_root(
        &self,
        _group: &str,
    ) -> Result<(Logger, Arc<dyn Sink>), lambda_runtime::Error> {
        Err(format!(
            "{CLOUDWATCH_GROUP_ENV} is set but lift was built without its `cloudwatch` feature: \
             enable it (lift = {{ features = [\"cloudwatch\"] }}) or unset the variable"
        )
        .into())
    }

    /// The root logger shipping to `group`, and the sink for EMF metrics.
    #[cfg(feature = "cloudwatch")]
    async fn cloudwatch_root(
        &self,
        group: &str,
    ) -> Result<(Logger, Arc<dyn Sink>), lambda_runtime::Error> {
        let mut config = lift_cloudwatch::CloudWatchConfig::new(group);
        if let Some(stream) = std::env::var_os(CLOUDWATCH_STREAM_ENV) {
            config.log_stream = stream.to_string_lossy().into_owned();
        }
        let mut emf_config = config.clone();
        emf_config.log_stream = format!("{}/metrics", config.log_stream);
        emf_config.emf = true;
        let (sink, guard) = lift_cloudwatch::CloudWatchSink::builder(config)
            .build()
            .await?;
        let metrics_sink: Arc<dyn Sink> = if std::env::var_os(METRICS_NAMESPACE_ENV).is_some() {
            let (emf_sink, emf_guard) = lift_cloudwatch::CloudWatchSink::builder(emf_config)
                .build()
                .await?;
            std::mem::forget(emf_guard);
            Arc::new(emf_sink)
        } else {
            Arc::new(sink.clone())
        };
        // The function's process lives until the sandbox is shut down; every invocation
        // flushes before returning, so the guard is kept for the process's lifetime.
        std::mem::forget(guard);
        let valid = lift_observability::LoggerConfig::default()
            .with_env()?
            .validate()?;
        Ok((
            self.named(valid.into_builder().sink(sink).build()),
            metrics_sink,
        ))
    }

    fn layer(
        &self,
        root: Logger,
        metrics_sink: Arc<dyn Sink>,
    ) -> Result<ObservabilityLayer, lambda_runtime::Error> {
        let metrics = self.metrics_for(&root, metrics_sink)?;
        let mut layer = ObservabilityLayer::new(root).extractors(self.extractors.clone());
        if let Some(margin) = self.early_flush_margin {
            layer = layer.early_flush_margin(margin);
        }
        if let Some(metrics) = metrics {
            layer = layer.metrics(metrics);
        }
        let telemetry = self
            .self_telemetry
            .or_else(|| env_flag(SELF_TELEMETRY_ENV))
            .unwrap_or(false);
        layer = layer.self_telemetry(telemetry);
        if let Some(emitter) = self.xray_emitter() {
            layer = layer.xray(emitter);
        }
        if let Some(buffering) = self.buffering {
            layer = layer.buffering(buffering);
        }
        Ok(layer)
    }

    /// The HTTP stack as a tower service (for tests, local invocation, or your own runtime).
    pub fn http_service<H>(&self, handler: H) -> Result<HttpService<H>, lambda_runtime::Error>
    where
        H: Handler<lambda_http::Request, Response = HttpResponse>,
    {
        let root = match &self.logger {
            Some(l) => l.clone(),
            None => Logger::from_env()?,
        };
        let sink = Arc::clone(root.sink());
        self.http_service_with(handler, self.named(root), sink)
    }

    fn http_service_with<H>(
        &self,
        handler: H,
        root: Logger,
        metrics_sink: Arc<dyn Sink>,
    ) -> Result<HttpService<H>, lambda_runtime::Error>
    where
        H: Handler<lambda_http::Request, Response = HttpResponse>,
    {
        let stack = self
            .layer(root.clone(), metrics_sink)?
            .layer(HandlerService::new(handler, root));
        Ok(HttpService { stack })
    }

    /// Runs an HTTP handler under the Lambda Runtime API — `AWS_LAMBDA_MAX_CONCURRENCY`
    /// invocations at once when it is above 1, else one at a time. Installs Lift's
    /// redacting panic hook first (see [`lift_observability::install_panic_hook`]). If the
    /// function cannot start (a bad setting, a sink that cannot be built), the error is
    /// logged, posted to the Runtime API's `/runtime/init/error` and the process exits;
    /// outside Lambda it is returned.
    pub async fn run<H>(self, handler: H) -> Result<(), lambda_runtime::Error>
    where
        H: Handler<lambda_http::Request, Response = HttpResponse>,
    {
        lift_observability::install_panic_hook();
        let setup = async {
            let (root, metrics_sink) = self.root().await?;
            self.prepare_shutdown(&root, &metrics_sink).await;
            let metrics = self.metrics_for(&root, Arc::clone(&metrics_sink))?;
            let service = self.http_service_with(handler, root.clone(), metrics_sink)?;
            // Lift takes the event as JSON and checks it first, so a malformed one is
            // logged, counted and answered here rather than failing inside lambda_http.
            Ok::<_, lambda_runtime::Error>(EventGate::new(
                lambda_http::Adapter::from(service),
                root,
                metrics,
            ))
        };
        match setup.await {
            Ok(gate) => lambda_runtime::run_concurrent(gate).await,
            Err(e) => crate::init_error::fail_init(e).await,
        }
    }

    /// Runs a handler of any JSON event (SQS, EventBridge, …) under the Lambda Runtime API,
    /// concurrently as [`run`](Self::run) does. Installs Lift's redacting panic hook first.
    pub async fn run_events<H>(self, handler: H) -> Result<(), lambda_runtime::Error>
    where
        H: Handler<serde_json::Value, Response = serde_json::Value>,
    {
        lift_observability::install_panic_hook();
        let setup = async {
            let (root, metrics_sink) = self.root().await?;
            self.prepare_shutdown(&root, &metrics_sink).await;
            Ok::<_, lambda_runtime::Error>(
                self.layer(root.clone(), metrics_sink)?
                    .layer(HandlerService::new(handler, root)),
            )
        };
        let stack = match setup.await {
            Ok(stack) => stack,
            Err(e) => return crate::init_error::fail_init(e).await,
        };
        let service = lambda_runtime::service_fn(
            move |event: lambda_runtime::LambdaEvent<serde_json::Value>| {
                let mut stack = stack.clone();
                let meta = InvocationMeta::from_lambda(&event.context);
                async move { stack.call(Invocation::new(event.payload, meta)).await }
            },
        );
        lambda_runtime::run_concurrent(service).await
    }
}

/// Runs an HTTP handler (API Gateway REST/HTTP, ALB, Function URL) with the defaults.
pub async fn run<H>(handler: H) -> Result<(), lambda_runtime::Error>
where
    H: Handler<lambda_http::Request, Response = HttpResponse>,
{
    App::new().run(handler).await
}

/// Runs a JSON-event handler with the defaults.
pub async fn run_events<H>(handler: H) -> Result<(), lambda_runtime::Error>
where
    H: Handler<serde_json::Value, Response = serde_json::Value>,
{
    App::new().run_events(handler).await
}

/// The HTTP stack: `lambda_http::Request` in, an HTTP response out — a [`LiftError`]
/// becomes a response with its status and a JSON body.
#[derive(Debug, Clone)]
pub struct HttpService<H> {
    stack: Observability<HandlerService<H>>,
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

#[cfg(all(test, not(feature = "cloudwatch")))]
mod tests {
    use super::*;

    #[test]
    fn metric_dimensions_are_service_only_unless_asked_for() {
        let parse = OptInDimensions::parse;
        assert_eq!(parse(None, None).unwrap(), OptInDimensions::default());
        assert_eq!(
            parse(Some(" function_name , tenant_id "), None).unwrap(),
            OptInDimensions {
                function_name: true,
                tenant_budget: Some(DEFAULT_METRICS_TENANT_BUDGET)
            }
        );
        assert_eq!(
            parse(Some("tenant_id"), Some("7")).unwrap().tenant_budget,
            Some(7)
        );
        // The budget alone still asks for the tenant dimension, as it always did.
        assert_eq!(parse(None, Some("10")).unwrap().tenant_budget, Some(10));
        let err = parse(Some("function_name,region"), None).unwrap_err();
        assert_eq!(err.error_type(), "Lift.InvalidSetting");
        assert!(
            err.to_string().contains("LIFT_METRICS_DIMENSIONS")
                && err.to_string().contains("\"region\""),
            "{err}"
        );
        assert!(
            parse(None, Some("many"))
                .unwrap_err()
                .to_string()
                .contains(METRICS_TENANT_BUDGET_ENV)
        );
    }

    /// Built without `cloudwatch`, a function told to ship to CloudWatch refuses to start
    /// and names the feature (`scripts/test.sh` runs this build too).
    #[tokio::test]
    async fn cloudwatch_without_the_feature_is_a_start_up_error_naming_it() {
        let Err(err) = App::new().cloudwatch_root("/lift/payments").await else {
            panic!("started without the feature");
        };
        let text = err.to_string();
        assert!(
            text.contains(CLOUDWATCH_GROUP_ENV) && text.contains("`cloudwatch` feature"),
            "{text}"
        );
    }
}
