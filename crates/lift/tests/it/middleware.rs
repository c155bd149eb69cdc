//! The handler core through tower, in-process: context, start/end lines, errors, panics,
//! flush-before-return, early flush, isolation under concurrency, health, and the sample
//! events of every supported trigger.

use std::collections::HashSet;
use std::io::Write;
use std::time::Duration;

use lift::local::{alb_event, apigw_v1_event, apigw_v2_event, http_request, invoke, sqs_event};
use lift::observability::SinkEvent;
use lift::observability::{MemorySink, WriterSink};
use lift::{
    App, Context, HandlerService, HttpResponse, InvocationMeta, LiftError, Logger,
    ObservabilityLayer, field,
};
use tower::{Layer, Service, ServiceExt};

const TRACE: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

async fn charge(ctx: Context, req: lift::Request) -> Result<HttpResponse, LiftError> {
    let log = ctx.logger();
    log.info("Charge authorized", &[field("amount", 1250)]);
    match lift::RequestExt::raw_http_path(&req) {
        "/missing" => Err(LiftError::not_found("no charge with id ch_404")),
        "/boom" => panic!("index out of bounds: the len is 0"),
        "/slow" => {
            tokio::time::sleep(Duration::from_millis(400)).await;
            Ok(HttpResponse::new("slow".into()))
        }
        "/blocking" => {
            // A synchronous call that holds the worker thread.
            std::thread::sleep(Duration::from_millis(600));
            log.info("After blocking", &[]);
            Ok(HttpResponse::new("blocked".into()))
        }
        _ => Ok(http::Response::builder()
            .status(201)
            .body("created".into())
            .unwrap()),
    }
}

fn http_stack(
    logger: &Logger,
) -> impl Service<lift::Request, Response = HttpResponse, Error = std::convert::Infallible> {
    // These tests stand for a service behind its own gateway, which sets the tenant header.
    App::new()
        .logger(logger.clone())
        .extractors(lift::Extractors::default().trust_headers())
        .http_service(charge)
        .unwrap()
}

async fn call(
    svc: &mut impl Service<lift::Request, Response = HttpResponse, Error = std::convert::Infallible>,
    event: serde_json::Value,
) -> HttpResponse {
    let req = http_request(&event).unwrap();
    svc.ready().await.unwrap().call(req).await.unwrap()
}

#[tokio::test]
async fn start_and_end_lines_carry_the_full_context_and_real_status() {
    let (logger, sink) = Logger::test();
    let mut svc = http_stack(&logger);
    let event = apigw_v1_event(
        "POST",
        "/charges",
        &[("X-Tenant-ID", "acme"), ("X-Amzn-Trace-Id", TRACE)],
        Some(r#"{"amount":1250}"#),
    );
    let resp = call(&mut svc, event).await;
    assert_eq!(resp.status(), 201);
    let entries = sink.entries();
    assert_eq!(
        entries
            .iter()
            .map(|e| e["message"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["Request started", "Charge authorized", "Request completed"]
    );
    for e in &entries {
        assert_eq!(e["tenant_id"], "acme");
        assert_eq!(e["user_id"], "user-from-claim", "Cognito claim `sub`");
        assert_eq!(e["trace_id"], "1-5759e988-bd862e3fe1be46a994272793");
        assert_eq!(e["span_id"], "53995c3f42cd8ad8");
        assert!(e["request_id"].as_str().unwrap().starts_with("local-"));
        assert!(e["correlation_id"].as_str().unwrap().starts_with("apigw-"));
        assert!(e["cold_start"].is_boolean());
    }
    let end = &entries[2];
    assert_eq!(end["status"], 201);
    assert_eq!(end["method"], "POST");
    assert_eq!(end["path"], "/charges");
    assert!(end["latency_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(end["level"], "INFO");
    // Milliseconds to the microsecond as written: `0.162`, not `0.16237000000000001`.
    let line = sink.lines().pop().unwrap();
    let written = line.split("\"latency_ms\":").nth(1).unwrap();
    let number: String = written
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let decimals = number.split('.').nth(1).map_or(0, str::len);
    assert!(decimals <= 3, "latency_ms written as {number}");
}

#[tokio::test]
async fn errors_are_logged_with_their_real_status_and_a_safe_description() {
    let (logger, sink) = Logger::test();
    let mut svc = http_stack(&logger);
    let resp = call(
        &mut svc,
        apigw_v2_event("GET", "/missing", &[("x-tenant-id", "acme")], None),
    )
    .await;
    assert_eq!(resp.status(), 404);
    let body = String::from_utf8(resp.body().to_vec()).unwrap();
    assert_eq!(
        body,
        r#"{"error":"not_found","message":"no charge with id ch_404"}"#
    );
    let end = sink.find("Request failed").unwrap();
    assert_eq!(end["status"], 404);
    assert_eq!(end["level"], "WARN");
    assert_eq!(end["error_kind"], "not_found");
    assert_eq!(end["error"], "no charge with id ch_404");
    assert_eq!(end["user_id"], "user-from-jwt", "HTTP API JWT claim `sub`");
}

#[tokio::test]
async fn a_panic_becomes_a_logged_500_and_the_process_lives_on() {
    let (logger, sink) = Logger::test();
    let mut svc = http_stack(&logger);
    let resp = call(
        &mut svc,
        alb_event("GET", "/boom", &[("x-tenant-id", "acme")], None),
    )
    .await;
    assert_eq!(resp.status(), 500);
    let body = String::from_utf8(resp.body().to_vec()).unwrap();
    assert_eq!(
        body, r#"{"error":"panic","message":"internal error"}"#,
        "no panic text leaks"
    );
    let end = sink.find("Request failed").unwrap();
    assert_eq!(end["status"], 500);
    assert_eq!(end["level"], "ERROR");
    assert_eq!(end["error_kind"], "panic");
    assert!(
        end["error"]
            .as_str()
            .unwrap()
            .contains("index out of bounds")
    );
    // The next invocation is served normally.
    let resp = call(&mut svc, alb_event("POST", "/charges", &[], None)).await;
    assert_eq!(resp.status(), 201);
}

#[tokio::test]
async fn alb_oidc_claims_name_the_tenant_and_user() {
    use base64::Engine as _;
    let (logger, sink) = Logger::test();
    let mut svc = http_stack(&logger);
    let b64 = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    let jwt = format!(
        "{}.{}.sig",
        b64(r#"{"alg":"ES256","kid":"k"}"#),
        b64(r#"{"sub":"alb-user-7","custom:tenant_id":"alb-tenant"}"#)
    );
    let resp = call(
        &mut svc,
        alb_event("POST", "/charges", &[("x-amzn-oidc-data", &jwt)], None),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let e = sink.find("Request completed").unwrap();
    assert_eq!(e["tenant_id"], "alb-tenant");
    assert_eq!(e["user_id"], "alb-user-7");
}

#[tokio::test]
async fn logs_are_flushed_before_the_response_is_returned() {
    let (logger, sink) = Logger::test();
    let mut svc = http_stack(&logger);
    let _ = call(&mut svc, apigw_v1_event("POST", "/charges", &[], None)).await;
    let events = sink.events();
    assert_eq!(events.len(), 4, "{events:?}");
    assert!(matches!(
        events[..3],
        [SinkEvent::Line(_), SinkEvent::Line(_), SinkEvent::Line(_)]
    ));
    assert_eq!(
        events[3],
        SinkEvent::Flush,
        "flushed after the end line, before returning"
    );
}

/// Invokes `path` with 700 ms left and a 500 ms early-flush margin; returns the sink and
/// where the early-flush warning is among its messages.
async fn near_the_deadline(path: &str) -> (MemorySink, usize) {
    let (logger, sink) = Logger::test();
    let mut stack = ObservabilityLayer::new(logger.clone())
        .early_flush_margin(Duration::from_millis(500))
        .layer(HandlerService::new(charge, logger.clone()));
    let mut meta = InvocationMeta::local("req-deadline");
    meta.deadline_ms = Some(lift::observability::system_millis() + 700);
    let req = http_request(&apigw_v1_event("GET", path, &[], None)).unwrap();
    let resp = invoke(&mut stack, req, meta).await.unwrap();
    assert_eq!(resp.status(), 200);
    let warn_at = sink
        .messages()
        .iter()
        .position(|m| m.starts_with("Invocation deadline approaching"))
        .expect("early-flush warning");
    (sink, warn_at)
}

#[tokio::test]
async fn an_early_flush_starts_when_the_deadline_is_near() {
    let (sink, warn_at) = near_the_deadline("/slow").await;
    let end_at = sink
        .messages()
        .iter()
        .position(|m| m == "Request completed")
        .unwrap();
    assert!(warn_at < end_at);
    let flushes = sink
        .events()
        .iter()
        .filter(|e| **e == SinkEvent::Flush)
        .count();
    assert_eq!(flushes, 2, "the early flush and the final one");
}

#[tokio::test]
async fn a_handler_blocking_its_worker_still_gets_the_early_flush() {
    // One worker thread, blocked by the handler: only a flush from elsewhere can start.
    let (sink, warn_at) = near_the_deadline("/blocking").await;
    let messages = sink.messages();
    let after = messages.iter().position(|m| m == "After blocking").unwrap();
    assert!(
        warn_at < after,
        "the flush started while the handler blocked: {messages:?}"
    );
}

#[tokio::test]
async fn an_invocation_starting_inside_the_margin_decides_its_early_flush_once_at_the_start() {
    // Already past, and 100 ms left with a 500 ms margin: the same lines every time.
    for left_ms in [-50i64, 0, 100] {
        for _ in 0..20 {
            let (logger, sink) = Logger::test();
            let mut stack = ObservabilityLayer::new(logger.clone())
                .early_flush_margin(Duration::from_millis(500))
                .layer(HandlerService::new(charge, logger.clone()));
            let mut meta = InvocationMeta::local("req-late");
            meta.deadline_ms = Some(lift::observability::system_millis() + left_ms);
            let req = http_request(&apigw_v1_event("POST", "/charges", &[], None)).unwrap();
            let resp = invoke(&mut stack, req, meta).await.unwrap();
            assert_eq!(resp.status(), 201);
            assert_eq!(
                sink.messages(),
                [
                    "Request started",
                    "Invocation started within the early-flush margin; flushing logs early",
                    "Charge authorized",
                    "Request completed"
                ],
                "{left_ms} ms left"
            );
            let warning = &sink.entries()[1];
            assert_eq!(
                (&warning["level"], &warning["margin_ms"]),
                (&"WARN".into(), &500.0.into())
            );
            assert!(warning["remaining_ms"].as_f64().unwrap() <= 100.0);
            let events = sink.events();
            assert_eq!(
                events[2],
                SinkEvent::Flush,
                "flushed before the handler ran"
            );
            assert_eq!(events.last(), Some(&SinkEvent::Flush));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_invocations_never_see_each_others_context() {
    let (logger, sink) = Logger::test();
    async fn handler(
        ctx: Context,
        event: serde_json::Value,
    ) -> Result<serde_json::Value, LiftError> {
        let payload_tenant = event["tenant"].as_str().unwrap().to_owned();
        for step in 0..3u32 {
            if fastrand_yield(step) {
                tokio::task::yield_now().await;
            }
            let current = lift::current().expect("inside the invocation scope");
            lift::info!(current.logger(), "step"; "payload_tenant" => payload_tenant.as_str(), "step" => step);
        }
        let child = lift::spawn({
            let payload_tenant = payload_tenant.clone();
            async move {
                tokio::task::yield_now().await;
                let current = lift::current().expect("spawned tasks inherit the context");
                lift::info!(current.logger(), "child task"; "payload_tenant" => payload_tenant.as_str());
            }
        });
        child.await.unwrap();
        let _ = ctx;
        Ok(serde_json::json!({"ok": true}))
    }
    let stack = ObservabilityLayer::new(logger.clone())
        .extractors(lift::Extractors::default())
        .layer(HandlerService::new(handler, logger.clone()));
    let mut tasks = Vec::new();
    for i in 0..1_000u32 {
        let mut stack = stack.clone();
        let tenant = format!("tenant-{}", i % 50);
        tasks.push(tokio::spawn(async move {
            let mut meta = InvocationMeta::local(format!("req-{i}"));
            meta.tenant_id = Some(tenant.clone()); // Lambda's tenant isolation mode
            invoke(&mut stack, serde_json::json!({ "tenant": tenant }), meta).await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let entries = sink.entries();
    let with_payload: Vec<_> = entries
        .iter()
        .filter(|e| e.get("payload_tenant").is_some())
        .collect();
    assert_eq!(with_payload.len(), 4_000);
    let mismatches = with_payload
        .iter()
        .filter(|e| e["tenant_id"] != e["payload_tenant"])
        .count();
    assert_eq!(mismatches, 0);
    let request_ids: HashSet<_> = entries
        .iter()
        .map(|e| e["request_id"].as_str().unwrap())
        .collect();
    assert_eq!(request_ids.len(), 1_000);
}

fn fastrand_yield(step: u32) -> bool {
    // Vary interleavings without a dependency: the address of a local is as random as needed.
    let x = &step as *const u32 as usize;
    (x >> 4) & 1 == 1 || step == 1
}

#[tokio::test]
async fn generic_json_events_run_through_the_same_stack() {
    let (logger, sink) = Logger::test();
    async fn on_sqs(
        ctx: Context,
        event: serde_json::Value,
    ) -> Result<serde_json::Value, LiftError> {
        let n = event["Records"].as_array().map_or(0, Vec::len);
        lift::info!(ctx.logger(), "Batch received"; "records" => n as u64);
        Ok(serde_json::json!({ "batchItemFailures": [] }))
    }
    let mut stack =
        ObservabilityLayer::new(logger.clone()).layer(HandlerService::new(on_sqs, logger.clone()));
    let out = invoke(
        &mut stack,
        sqs_event(&["a", "b", "c"]),
        InvocationMeta::local("sqs-1"),
    )
    .await
    .unwrap();
    assert_eq!(out["batchItemFailures"], serde_json::json!([]));
    assert_eq!(sink.find("Batch received").unwrap()["records"], 3);
    let end = sink.find("Request completed").unwrap();
    assert_eq!(end["status"], 200);
    assert!(end.get("method").is_none() || end["method"].is_null());
}

/// A writer that always fails.
struct Broken;
impl Write for Broken {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other("disk full"))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Err(std::io::Error::other("disk full"))
    }
}

#[tokio::test]
async fn the_health_endpoint_answers_200_or_503() {
    let healthy = Logger::builder().sink(MemorySink::new()).build();
    let resp = lift::health::health_response(std::slice::from_ref(&healthy));
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = serde_json::from_slice(resp.body()).unwrap();
    assert_eq!(body["status"], "healthy");
    assert_eq!(body["sinks"][0]["sink"], "memory");

    let broken = Logger::builder().sink(WriterSink::new(Broken)).build();
    for _ in 0..20 {
        broken.info("x", &[]);
    }
    let mut service = lift::health::HealthService::new(vec![healthy, broken]);
    let resp = Service::<http::Request<()>>::call(&mut service, http::Request::new(()))
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    let body: serde_json::Value = serde_json::from_slice(resp.body()).unwrap();
    assert_eq!(body["status"], "unhealthy");
    assert_eq!(body["sinks"][1]["health"]["healthy"], false);
    assert!(
        body["sinks"][1]["stats"]["dropped"]["write_failed"]
            .as_u64()
            .unwrap()
            > 0
    );
}

/// A REST API event whose authorizer verified the tenant `globex`.
fn event_verified_as_globex(headers: &[(&str, &str)]) -> serde_json::Value {
    let mut event = apigw_v1_event("GET", "/charges/ch_1", headers, None);
    event["requestContext"]["authorizer"]["claims"]["tenant_id"] = "globex".into();
    event
}

#[tokio::test]
async fn a_tenant_header_naming_another_tenant_than_the_verified_claim_is_refused() {
    let (logger, sink) = Logger::test();
    // Trusted headers or not, a verified claim wins and a conflict is refused.
    for extractors in [
        lift::Extractors::default(),
        lift::Extractors::default().trust_headers(),
    ] {
        let mut svc = App::new()
            .logger(logger.clone())
            .extractors(extractors)
            .http_service(charge)
            .unwrap();
        let resp = call(
            &mut svc,
            event_verified_as_globex(&[("X-Tenant-ID", "acme")]),
        )
        .await;
        assert_eq!(resp.status(), 403);
        let entries = sink.entries();
        let messages: Vec<&str> = entries
            .iter()
            .map(|e| e["message"].as_str().unwrap())
            .collect();
        // The handler never ran.
        assert!(!messages.contains(&"Charge authorized"), "{messages:?}");
        let conflict = entries
            .iter()
            .find(|e| e["message"] == "Tenant header conflicts with the verified tenant")
            .expect("logged");
        assert_eq!(conflict["level"], "WARN");
        assert_eq!(conflict["tenant_id"], "globex");
        assert_eq!(conflict["header_tenant_id"], "acme");
        let end = entries.last().unwrap();
        assert_eq!(end["status"], 403);
        sink.clear();
    }
}

#[tokio::test]
async fn the_verified_tenant_is_used_and_an_untrusted_header_is_ignored() {
    let (logger, sink) = Logger::test();
    let mut svc = App::new()
        .logger(logger.clone())
        .http_service(charge)
        .unwrap();
    // The claim alone, and the claim with a matching header: the claim's tenant.
    for headers in [&[][..], &[("X-Tenant-ID", "globex")][..]] {
        let resp = call(&mut svc, event_verified_as_globex(headers)).await;
        assert_eq!(resp.status(), 201);
    }
    // No verified source and an untrusted header: no tenant at all.
    let resp = call(
        &mut svc,
        apigw_v1_event("GET", "/charges/ch_1", &[("X-Tenant-ID", "acme")], None),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let tenants: Vec<serde_json::Value> = sink
        .entries()
        .iter()
        .filter(|e| e["message"] == "Charge authorized")
        .map(|e| e["tenant_id"].clone())
        .collect();
    assert_eq!(
        tenants,
        ["globex".into(), "globex".into(), serde_json::Value::Null]
    );
}
