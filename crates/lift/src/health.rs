//! The health endpoint: `GET /health` answers JSON with the overall status, each logger's
//! sink health and stats, and any other component's verdict (a rate limiter's store) — 200
//! when everything is healthy, 503 when not.
//!
//! [`health_response`] is the handler body (or [`HealthReport::response`] for a report with
//! components added) (route `GET /health` to it in a Lambda HTTP
//! handler); [`HealthService`] is the same as a tower service for long-running services.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::task::{Context as TaskContext, Poll};

use lambda_http::Body;
use lift_observability::{Logger, LoggerStats, SinkHealth};

use crate::lambda::HttpResponse;

/// One logger's part of the report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SinkReport {
    /// The sink's name.
    pub sink: String,
    /// Its health verdict.
    pub health: SinkHealth,
    /// The logger's stats (including the sink's).
    pub stats: LoggerStats,
}

/// Another component's part of the report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ComponentReport {
    /// What it is (`rate_limit_store`).
    pub name: String,
    /// Whether it is healthy.
    pub healthy: bool,
    /// What it says about itself.
    pub detail: serde_json::Value,
}

/// The health report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HealthReport {
    /// `healthy` or `unhealthy`.
    pub status: &'static str,
    /// Each logger's sink.
    pub sinks: Vec<SinkReport>,
    /// Other components.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<ComponentReport>,
}

impl HealthReport {
    /// The report for `loggers`.
    pub fn of(loggers: &[Logger]) -> Self {
        let sinks: Vec<SinkReport> = loggers
            .iter()
            .map(|l| SinkReport {
                sink: l.sink().name().to_owned(),
                health: l.health(),
                stats: l.stats(),
            })
            .collect();
        let healthy = sinks.iter().all(|s| s.health.healthy);
        Self {
            status: if healthy { "healthy" } else { "unhealthy" },
            sinks,
            components: Vec::new(),
        }
    }

    /// The report with `component` in it (unhealthy if it is).
    pub fn with(mut self, component: ComponentReport) -> Self {
        if !component.healthy {
            self.status = "unhealthy";
        }
        self.components.push(component);
        self
    }

    /// This report as `GET /health`'s response: 200 or 503 with the JSON report.
    pub fn response(&self) -> HttpResponse {
        let body = serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned());
        http::Response::builder()
            .status(if self.is_healthy() { 200 } else { 503 })
            .header("content-type", "application/json")
            .header("cache-control", "no-store")
            .body(Body::from(body))
            .unwrap_or_else(|_| http::Response::new(Body::Empty))
    }

    /// Whether everything is healthy.
    pub fn is_healthy(&self) -> bool {
        self.status == "healthy"
    }
}

/// `GET /health`'s response for `loggers`: 200 or 503 with the JSON report.
pub fn health_response(loggers: &[Logger]) -> HttpResponse {
    HealthReport::of(loggers).response()
}

/// A tower service answering every request with the health report (mount it at
/// `/health`).
#[derive(Debug, Clone)]
pub struct HealthService {
    loggers: Vec<Logger>,
}

impl HealthService {
    /// Reports on `loggers`.
    pub fn new(loggers: Vec<Logger>) -> Self {
        Self { loggers }
    }
}

impl<B> tower::Service<http::Request<B>> for HealthService {
    type Response = HttpResponse;
    type Error = Infallible;
    type Future = Ready<Result<HttpResponse, Infallible>>;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: http::Request<B>) -> Self::Future {
        ready(Ok(health_response(&self.loggers)))
    }
}
