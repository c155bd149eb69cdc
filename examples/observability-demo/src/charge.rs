//! The demo's payment API: a handler that logs what a real payment handler would, inside
//! Lift's middleware stack (logs, metrics, X-Ray, and the per-tenant rate limiter when one
//! is set), and the synthetic API Gateway events that drive it.

use anyhow::Context as _;
use lift::{ErrorKind, LiftError, Metrics, XRayEmitter};
use lift_observability::{Logger, Value, error, info, warn};

/// The handler stack: Lift's middleware (logs, metrics, X-Ray) around `handle_charge`,
/// behind the per-tenant rate limiter when there is one.
pub(crate) fn stack(
    root: &Logger,
    metrics: Metrics,
    xray: Option<XRayEmitter>,
    limiter: Option<lift_ratelimit::RateLimiter>,
) -> anyhow::Result<DemoStack> {
    let mut app = lift::App::new().logger(root.clone()).metrics(metrics);
    if let Some(x) = xray {
        app = app.xray(x);
    }
    let limited = limiter.map(|limiter| {
        let layer = lift_ratelimit::RateLimitLayer::new(limiter).key(lift_ratelimit::KeyBy::Tenant);
        tower::Layer::layer(&layer, charge as ChargeFn)
    });
    app.http_service(DemoHandler { limited })
        .map_err(|e| anyhow::anyhow!("building the handler stack: {e}"))
}

/// The demo's HTTP stack.
pub(crate) type DemoStack = lift::HttpService<DemoHandler>;

/// `handle_charge`, behind the rate limiter when `--rate-limit` is given.
#[derive(Clone)]
pub(crate) struct DemoHandler {
    limited: Option<lift_ratelimit::RateLimited<ChargeFn>>,
}

impl lift::Handler<lift::Request> for DemoHandler {
    type Response = lift::HttpResponse;
    type Future = ChargeFuture;

    fn call(&self, ctx: lift::Context, request: lift::Request) -> ChargeFuture {
        match &self.limited {
            Some(limited) => lift::Handler::call(limited, ctx, request),
            None => charge(ctx, request),
        }
    }
}
/// The handler as a plain function pointer (so the stack has a nameable type).
pub(crate) type ChargeFn = fn(lift::Context, lift::Request) -> ChargeFuture;

pub(crate) type ChargeFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<lift::HttpResponse, LiftError>> + Send>,
>;

fn charge(ctx: lift::Context, request: lift::Request) -> ChargeFuture {
    Box::pin(handle_charge(ctx, request))
}

/// One synthetic API Gateway (REST) event for request `n`, as the Lambda adapter would
/// receive it: tenant, user and trace in the headers, the charge in the body.
pub(crate) fn synthetic_request(
    n: u64,
    tenants: u64,
    error_rate: f64,
) -> anyhow::Result<lift::Request> {
    let mut rng = SplitMix(n);
    let tenant = format!("tenant-{}", n % tenants);
    let user = format!("user-{}", rng.next() % 1000);
    let trace = format!(
        "Root=1-{:08x}-{:024x};Parent={:016x};Sampled=1",
        0x6747_0000 + n as u32,
        u128::from(rng.next()) * 0x1_0000_0001 % (1 << 96),
        rng.next()
    );
    let currency = ["USD", "EUR", "GBP"][(rng.next() % 3) as usize];
    let body = serde_json::json!({
        "n": n,
        "tenant": tenant,
        "amount": 100 + rng.next() % 99_900,
        "currency": currency,
        "fail": (rng.next() % 10_000) as f64 / 10_000.0 < error_rate,
    })
    .to_string();
    let mut event = lift::local::apigw_v1_event(
        "POST",
        "/charges",
        &[("X-Amzn-Trace-Id", &trace)],
        Some(&body),
    );
    // Tenant and user as an API Gateway authorizer passes them once it has verified the
    // caller (headers a client sets are not trusted by default).
    event["requestContext"]["authorizer"]["claims"] =
        serde_json::json!({"sub": user, "tenant_id": tenant});
    lift::local::http_request(&event).context("building a synthetic API Gateway event")
}

/// The demo's payment handler — one simulated payment request: received, authorized, then
/// captured or failed. At least three entries per request, each carrying
/// `payload_tenant` (the tenant named in the request body it was given).
async fn handle_charge(
    ctx: lift::Context,
    request: lift::Request,
) -> Result<lift::HttpResponse, LiftError> {
    let charge: serde_json::Value = serde_json::from_slice(request.body())
        .map_err(|e| LiftError::bad_request(format!("malformed charge body: {e}")))?;
    let n = charge["n"].as_u64().unwrap_or(0);
    let mut rng = SplitMix(n ^ 0x5eed);
    let tenant = charge["tenant"].as_str().unwrap_or_default();
    let amount = charge["amount"].as_u64().unwrap_or(0);
    let currency = charge["currency"].as_str().unwrap_or("USD");
    let log = ctx.logger().with_field("payload_tenant", tenant);
    info!(log, "Charge received"; "amount" => amount, "currency" => currency);
    info!(log, "Charge authorized";
        "amount" => amount,
        "currency" => currency,
        "merchant_id" => format!("m_{:06x}", rng.next() % 0xff_ffff),
        "card_brand" => "visa",
        // A test card number: redaction masks it to 4111 11** **** 1111 on every line.
        "card_number" => "4111 1111 1111 1111",
        "attempt" => 1,
        "risk_score" => (rng.next() % 1000) as f64 / 1000.0,
        "three_ds" => rng.next().is_multiple_of(2),
        "customer_id" => format!("cus_{:05}", rng.next() % 100_000),
        "idempotency_key" => format!("idem-{n}"));
    let mut network = ctx.subsegment("card-network.capture");
    network
        .namespace("remote")
        .http_request("POST", "https://card-network.example/v1/capture");
    if charge["fail"].as_bool().unwrap_or(false) {
        let err = std::io::Error::new(std::io::ErrorKind::TimedOut, "card network timed out");
        network.record_error(&err).http_status(504);
        network.end();
        error!(log, "Capture failed"; "error" => Value::error(&err));
        return Err(LiftError::new(
            ErrorKind::Timeout,
            "the card network did not answer in time",
        )
        .with_source(err));
    }
    network.http_status(200);
    network.end();
    if amount > 90_000 {
        warn!(log, "Large charge flagged for review"; "amount" => amount);
    }
    info!(log, "Charge captured"; "amount" => amount, "currency" => currency);
    let metrics = ctx.metrics();
    metrics.count("ChargeCaptured", 1.0);
    metrics
        .metric("ChargeAmount")
        .dimensions(&[("currency", currency)])
        .record(amount as f64);
    http::Response::builder()
        .status(201)
        .header("content-type", "application/json")
        .body(
            serde_json::json!({"status": "captured", "amount": amount})
                .to_string()
                .into(),
        )
        .map_err(|e| LiftError::internal("could not build the response").with_source(e))
}

/// A small deterministic generator, so every run logs the same flow.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use lift_observability::MemorySink;
    use tower::{Service, ServiceExt};

    use super::*;

    fn demo_stack(xray: Option<XRayEmitter>) -> (MemorySink, DemoStack) {
        demo_stack_with(xray, None)
    }

    fn demo_stack_with(
        xray: Option<XRayEmitter>,
        limiter: Option<lift_ratelimit::RateLimiter>,
    ) -> (MemorySink, DemoStack) {
        let sink = lift_observability::MemorySink::new();
        let root = Logger::builder().sink(sink.clone()).build();
        let metrics = Metrics::builder("Lift/Demo")
            .tenant_dimension("tenant_id", 2)
            .sink(Arc::new(sink.clone()))
            .build()
            .unwrap();
        (sink, stack(&root, metrics, xray, limiter).unwrap())
    }

    #[tokio::test]
    async fn with_a_rate_limit_each_tenant_over_it_is_answered_429() {
        let limiter = lift_ratelimit::RateLimiter::new(
            lift_ratelimit::MemoryStore::new(100),
            "3/h".parse().unwrap(),
        );
        let (sink, mut stack) = demo_stack_with(None, Some(limiter.clone()));
        let mut statuses = Vec::new();
        for n in 0..10 {
            // Two tenants in turn, no simulated failures.
            let request = synthetic_request(n, 2, 0.0).unwrap();
            let response = stack.ready().await.unwrap().call(request).await.unwrap();
            statuses.push(response.status().as_u16());
        }
        assert_eq!(statuses, [201, 201, 201, 201, 201, 201, 429, 429, 429, 429]);
        assert_eq!(limiter.stats().denied, 4);
        let denials = sink
            .entries()
            .into_iter()
            .filter(|e| e["message"] == "Rate limit exceeded")
            .count();
        assert_eq!(denials, 4);
    }

    #[tokio::test]
    async fn the_card_number_comes_out_masked_and_every_entry_carries_its_tenant() {
        let (sink, mut stack) = demo_stack(None);
        for n in 0..20 {
            let request = synthetic_request(n, 3, 0.2).unwrap();
            let _ = stack.ready().await.unwrap().call(request).await.unwrap();
        }
        let lines = sink.lines();
        assert!(lines.iter().all(|l| !l.contains("4111 1111 1111 1111")));
        let authorized: Vec<_> = sink
            .entries()
            .into_iter()
            .filter(|e| e["message"] == "Charge authorized")
            .collect();
        assert_eq!(authorized.len(), 20);
        for e in &authorized {
            assert_eq!(e["card_number"], "4111 11** **** 1111");
            let fields = [
                "amount",
                "currency",
                "merchant_id",
                "card_brand",
                "card_number",
                "attempt",
                "risk_score",
                "three_ds",
                "customer_id",
                "idempotency_key",
            ];
            assert!(
                fields.iter().all(|f| e.get(*f).is_some()),
                "ten fields: {e}"
            );
        }
        for e in sink
            .entries()
            .iter()
            .filter(|e| e.get("payload_tenant").is_some())
        {
            assert_eq!(e["payload_tenant"], e["tenant_id"]);
        }
        // One valid EMF document per invocation (two for the captured ones: the currency
        // dimension makes a second set).
        let now = lift_observability::system_millis();
        let emf: Vec<_> = lines.iter().filter(|l| l.contains("\"_aws\"")).collect();
        assert!(emf.len() >= 20, "{}", emf.len());
        for doc in emf {
            lift_observability::metrics::check::check_document(doc, now)
                .unwrap_or_else(|p| panic!("{p:?}: {doc}"));
        }
    }

    #[tokio::test]
    async fn a_demo_invocation_sends_linked_xray_documents_to_a_local_daemon() {
        let daemon = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        daemon
            .set_read_timeout(Some(std::time::Duration::from_millis(500)))
            .unwrap();
        let (_sink, mut stack) = demo_stack(Some(XRayEmitter::new(daemon.local_addr().unwrap())));
        // Request 1 succeeds, a failing one gets a fault on the network call.
        let request = synthetic_request(1, 3, 0.0).unwrap();
        let trace = request.headers()["x-amzn-trace-id"]
            .to_str()
            .unwrap()
            .to_owned();
        let _ = stack.ready().await.unwrap().call(request).await.unwrap();
        let request = synthetic_request(2, 3, 1.0).unwrap();
        let _ = stack.ready().await.unwrap().call(request).await.unwrap();
        let mut docs = Vec::new();
        let mut buf = vec![0u8; 65_536];
        while let Ok(n) = daemon.recv(&mut buf) {
            let text = std::str::from_utf8(&buf[..n]).unwrap();
            let (_, doc) = text.split_once('\n').unwrap();
            docs.push(serde_json::from_str::<serde_json::Value>(doc).unwrap());
        }
        assert_eq!(docs.len(), 4, "two subsegments per invocation");
        let header = lift::TraceHeader::parse(&trace).unwrap();
        let (network, handler) = (&docs[0], &docs[1]);
        assert_eq!(handler["trace_id"], header.root.as_str());
        assert_eq!(handler["parent_id"], header.parent.as_deref().unwrap());
        assert_eq!(handler["annotations"]["tenant_id"], "tenant-1");
        assert_eq!(network["parent_id"], handler["id"]);
        assert_eq!(network["namespace"], "remote");
        assert!(network.get("fault").is_none());
        let (failed_network, failed_handler) = (&docs[2], &docs[3]);
        assert_eq!(failed_network["fault"], true);
        assert_eq!(
            failed_handler["fault"], true,
            "a 504 from a timeout is a fault"
        );
    }
}
