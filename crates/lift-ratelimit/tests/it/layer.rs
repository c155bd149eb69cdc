//! The layer in Lift's stack, as a user would stack it: statuses, headers, log lines and
//! metrics of admitted, denied and undecided requests; keys; fail-open and fail-closed.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use lift::local::{apigw_v1_event, http_request, invoke};
use lift::observability::Logger;
use lift::observability::metrics::Metrics;
use lift::{App, Context, ContextLayer, HandlerService, HttpResponse, InvocationMeta, LiftError};
use lift_ratelimit::{
    FailMode, KeyBy, Limits, MemoryStore, RateLimitLayer, RateLimiter, Route, TrustedProxies,
};

use crate::stores::{Broken, Slow};
use serde_json::json;
use tower::{Layer, Service, ServiceBuilder, ServiceExt};

async fn charge(_ctx: Context, req: lift::Request) -> Result<HttpResponse, LiftError> {
    if req.uri().path().ends_with("/bad") {
        return Err(LiftError::bad_request("amount must be positive"));
    }
    Ok(http::Response::builder()
        .status(201)
        .body("created".into())
        .unwrap())
}

fn limits(text: &str) -> Limits {
    text.parse().unwrap()
}

fn stack(
    logger: &Logger,
    layer: &RateLimitLayer,
) -> impl Service<lift::Request, Response = HttpResponse, Error = Infallible> + use<> {
    App::new()
        .logger(logger.clone())
        .extractors(lift::Extractors::default().trust_headers())
        .http_service(layer.layer(charge))
        .unwrap()
}

async fn call(
    svc: &mut impl Service<lift::Request, Response = HttpResponse, Error = Infallible>,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> HttpResponse {
    let req = http_request(&apigw_v1_event(method, path, headers, Some("{}"))).unwrap();
    svc.ready().await.unwrap().call(req).await.unwrap()
}

/// `POST /charges` with `headers`.
async fn post_charge(
    svc: &mut impl Service<lift::Request, Response = HttpResponse, Error = Infallible>,
    headers: &[(&str, &str)],
) -> HttpResponse {
    call(svc, "POST", "/charges", headers).await
}

fn header<'r>(resp: &'r HttpResponse, name: &str) -> Option<&'r str> {
    resp.headers().get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn a_tenant_over_its_limit_gets_429_with_retry_after_and_ratelimit_headers() {
    let (logger, sink) = Logger::test();
    let limiter = RateLimiter::new(MemoryStore::new(1_000), limits("2/min,100/h"));
    let layer = RateLimitLayer::new(limiter.clone()).route(Route::new("POST", "/charges"));
    let mut svc = stack(&logger, &layer);
    let acme = [("X-Tenant-ID", "acme")];
    for remaining in ["1", "0"] {
        let resp = post_charge(&mut svc, &acme).await;
        assert_eq!(resp.status(), 201);
        assert_eq!(
            header(&resp, "ratelimit-policy"),
            Some(r#""2/60s";q=2;w=60, "100/3600s";q=100;w=3600"#)
        );
        let current = header(&resp, "ratelimit").unwrap();
        assert!(
            current.starts_with(&format!(r#""2/60s";r={remaining};t="#)),
            "{current}"
        );
    }
    let denied = post_charge(&mut svc, &acme).await;
    assert_eq!(denied.status(), 429);
    let retry: u64 = header(&denied, "retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert!(
        header(&denied, "ratelimit")
            .unwrap()
            .starts_with(r#""2/60s";r=0;t="#)
    );
    assert!(header(&denied, "ratelimit-policy").is_some());
    let body: serde_json::Value = serde_json::from_slice(denied.body()).unwrap();
    assert_eq!(body["error"], "too_many_requests");
    // Another tenant has its own budget; another route is not limited.
    let globex = post_charge(&mut svc, &[("X-Tenant-ID", "globex")]).await;
    assert_eq!(globex.status(), 201);
    let other = call(&mut svc, "GET", "/charges/ch_1", &acme).await;
    assert_eq!(other.status(), 201);
    assert_eq!(header(&other, "ratelimit"), None);

    // The denial: a warn line with the key's kind, the tenant and the limit, then Lift's
    // own `Request failed` at warn with status 429.
    let line = sink
        .find("Rate limit exceeded")
        .expect("the denial is logged");
    assert_eq!(line["level"], "WARN");
    assert_eq!(line["key_kind"], "tenant");
    assert_eq!(line["tenant_id"], "acme");
    assert_eq!(line["limit"], "2/60s");
    assert!(line["retry_after_ms"].as_f64().unwrap() > 0.0);
    let failed = sink.find("Request failed").unwrap();
    assert_eq!(
        (failed["status"].as_u64(), failed["level"].as_str()),
        (Some(429), Some("WARN"))
    );
    assert_eq!(limiter.stats().denied, 1);
    assert_eq!(limiter.stats().decided, 4);
}

#[tokio::test]
async fn a_handler_error_on_an_admitted_request_still_carries_the_headers() {
    let (logger, _sink) = Logger::test();
    let layer = RateLimitLayer::new(RateLimiter::new(MemoryStore::new(10), limits("5/s")));
    let mut svc = stack(&logger, &layer);
    let resp = call(&mut svc, "POST", "/charges/bad", &[("X-Tenant-ID", "acme")]).await;
    assert_eq!(resp.status(), 400);
    assert!(
        header(&resp, "ratelimit")
            .unwrap()
            .starts_with(r#""5/1s";r=4;"#)
    );
}

#[tokio::test]
async fn tenants_on_a_plan_get_its_limits() {
    let (logger, _sink) = Logger::test();
    let limiter =
        RateLimiter::new(MemoryStore::new(100), limits("1/h")).plan("acme", limits("3/h"));
    let mut svc = stack(&logger, &RateLimitLayer::new(limiter));
    let mut statuses = Vec::new();
    for tenant in ["acme", "acme", "acme", "acme", "globex", "globex"] {
        statuses.push(
            post_charge(&mut svc, &[("X-Tenant-ID", tenant)])
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, [201, 201, 201, 429, 201, 429]);
}

#[tokio::test]
async fn api_keys_are_limited_by_fingerprint_and_never_logged() {
    let (logger, sink) = Logger::test();
    let layer = RateLimitLayer::new(RateLimiter::new(MemoryStore::new(100), limits("1/h")))
        .key(KeyBy::api_key("x-api-key", b"service-secret"));
    let mut svc = stack(&logger, &layer);
    let key = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
    let first = post_charge(&mut svc, &[("X-Api-Key", key)]).await;
    let second = post_charge(&mut svc, &[("X-Api-Key", key)]).await;
    let other = post_charge(&mut svc, &[("X-Api-Key", "sk_live_other")]).await;
    assert_eq!(
        [first.status(), second.status(), other.status()].map(|s| s.as_u16()),
        [201, 429, 201]
    );
    let denial = sink.find("Rate limit exceeded").unwrap();
    assert_eq!(denial["key_kind"], "api_key");
    assert!(
        sink.lines()
            .iter()
            .all(|l| !l.contains("4eC39HqLyjWDarjtT1zdp7dc")),
        "the API key appears in a log line"
    );
}

#[tokio::test]
async fn client_addresses_come_from_the_gateway_not_from_a_spoofable_header() {
    let (logger, _sink) = Logger::test();
    let layer = RateLimitLayer::new(RateLimiter::new(MemoryStore::new(100), limits("1/h")))
        .key(KeyBy::ClientIp(TrustedProxies::none()));
    let mut svc = stack(&logger, &layer);
    // API Gateway's sourceIp is 203.0.113.7 in every event; a client rotating
    // X-Forwarded-For does not get a fresh budget.
    let first = post_charge(&mut svc, &[("X-Forwarded-For", "1.1.1.1")]).await;
    let second = post_charge(&mut svc, &[("X-Forwarded-For", "2.2.2.2")]).await;
    assert_eq!(
        [first.status(), second.status()].map(|s| s.as_u16()),
        [201, 429]
    );
}

#[tokio::test]
async fn a_failing_store_fails_open_or_closed_per_route_and_is_counted() {
    let (logger, sink) = Logger::test();
    let limiter = RateLimiter::new(Broken, limits("10/s"));
    let layer = RateLimitLayer::new(limiter.clone())
        .route(Route::new("POST", "/charges").fail_closed())
        .route(Route::any_method("/charges/*"));
    let mut svc = stack(&logger, &layer);
    let acme = [("X-Tenant-ID", "acme")];
    let closed = post_charge(&mut svc, &acme).await;
    assert_eq!(closed.status(), 503);
    assert_eq!(header(&closed, "retry-after"), Some("1"));
    let open = call(&mut svc, "GET", "/charges/ch_1", &acme).await;
    assert_eq!(open.status(), 201);
    assert_eq!(header(&open, "ratelimit"), None);
    let modes: Vec<String> = sink
        .entries()
        .iter()
        .filter(|e| e["message"] == "Rate limit store failed")
        .map(|e| format!("{} {}", e["level"], e["failure_mode"]))
        .collect();
    assert_eq!(modes, [r#""WARN" "closed""#, r#""WARN" "open""#]);
    assert_eq!(limiter.stats().store_errors, 2);
}

#[tokio::test]
async fn a_store_slower_than_the_timeout_counts_as_failed() {
    let (logger, _sink) = Logger::test();
    let limiter = RateLimiter::new(Slow, limits("10/s")).timeout(Duration::from_millis(20));
    let layer = RateLimitLayer::new(limiter.clone()).on_store_failure(FailMode::Open);
    let mut svc = stack(&logger, &layer);
    let started = std::time::Instant::now();
    let resp = post_charge(&mut svc, &[("X-Tenant-ID", "acme")]).await;
    assert_eq!(resp.status(), 201);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(limiter.stats().timeouts, 1);
    assert!(limiter.health().healthy, "one timeout is not yet a trend");
}

#[tokio::test]
async fn as_a_tower_layer_it_needs_the_context_layer_outside() {
    async fn handler(_: Context, event: serde_json::Value) -> Result<serde_json::Value, LiftError> {
        Ok(event)
    }
    let (logger, sink) = Logger::test();
    let metrics = Metrics::builder("Lift/Test")
        .sink(Arc::clone(logger.sink()))
        .tenant_dimension("tenant_id", 10)
        .build()
        .unwrap();
    let layer = RateLimitLayer::new(RateLimiter::new(MemoryStore::new(10), limits("1/h")))
        .key(KeyBy::custom("merchant", |_, _| Some("m_1".into())));
    let mut svc = ServiceBuilder::new()
        .layer(ContextLayer::new(logger.clone()))
        .layer(lift::MetricsLayer::new(metrics))
        .layer(layer.clone())
        .service(HandlerService::new(handler, logger.clone()));
    let meta = || InvocationMeta {
        request_id: lift::local::new_request_id(),
        tenant_id: Some("acme".into()),
        ..InvocationMeta::default()
    };
    assert!(invoke(&mut svc, json!({"n": 1}), meta()).await.is_ok());
    let denied = invoke(&mut svc, json!({"n": 2}), meta()).await.unwrap_err();
    assert_eq!(denied.status(), 429);
    assert!(denied.headers().iter().any(|(n, _)| n == "retry-after"));
    assert_eq!(
        sink.find("Rate limit exceeded").unwrap()["key_kind"],
        "merchant"
    );
    // The denial in the invocation's EMF document, under the tenant dimension.
    let emf: Vec<serde_json::Value> = sink
        .entries()
        .into_iter()
        .filter(|e| e.get("_aws").is_some())
        .collect();
    assert_eq!(emf.len(), 2);
    assert_eq!(emf[1]["RateLimitDenied"], 1.0);
    assert_eq!(emf[1]["RateLimitDecisions"], 1.0);
    assert_eq!(emf[1]["tenant_id"], "acme");
    assert!(
        emf[1]["RateLimitDecisionLatency"][0].is_number(),
        "{}",
        emf[1]
    );
    assert_eq!(emf[0]["RateLimitDenied"], 0.0);

    // Without a context layer, a clear error rather than silently unlimited requests.
    let mut bare = layer.layer(HandlerService::new(handler, logger));
    let err = invoke(&mut bare, json!({}), meta()).await.unwrap_err();
    assert_eq!(err.status(), 500);
    assert!(err.message().contains("ContextLayer"), "{}", err.message());
}
