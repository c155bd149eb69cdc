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

mod http;
mod settings;

pub use http::{HttpResponse, HttpService, error_response};
pub use settings::{
    CLOUDWATCH_GROUP_ENV, CLOUDWATCH_STREAM_ENV, DEFAULT_METRICS_TENANT_BUDGET,
    METRICS_DIMENSIONS_ENV, METRICS_NAMESPACE_ENV, METRICS_TENANT_BUDGET_ENV, SELF_TELEMETRY_ENV,
    XRAY_ENV,
};

use std::sync::Arc;
use std::time::Duration;

use lift_observability::metrics::Metrics;
use lift_observability::xray::XRayEmitter;
use lift_observability::{ContextKey, Logger, Sink};
use tower::{Layer, Service};

use crate::error::LiftError;
use crate::event_gate::EventGate;
use crate::extract::Extractors;
use crate::handler::{Handler, HandlerService};
use crate::meta::{Invocation, InvocationMeta};
use crate::middleware::{Buffering, ObservabilityLayer};
use settings::{OptInDimensions, env_flag};

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

#[cfg(all(test, not(feature = "cloudwatch")))]
mod tests {
    use super::*;

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
