//! Metrics and X-Ray through the observability middleware: per-invocation EMF documents
//! (latency, errors, cold start, handler metrics, ids as properties), and X-Ray documents
//! received by a local UDP listener standing in for the daemon — ids, parent/child links,
//! annotations, error and fault flags, and the log lines' `span_id`.

use std::net::UdpSocket;
use std::sync::Arc;
use std::time::Duration;

use lift::local::invoke;
use lift::observability::MemorySink;
use lift::observability::metrics::check::check_document;
use lift::{
    Context, HandlerService, InvocationMeta, LiftError, Logger, Metrics, ObservabilityLayer,
    XRayEmitter, field,
};
use serde_json::{Value, json};
use tower::Layer;

const ROOT: &str = "1-5759e988-bd862e3fe1be46a994272793";
const PARENT: &str = "53995c3f42cd8ad8";

async fn handler(ctx: Context, event: Value) -> Result<Value, LiftError> {
    for _ in 0..3 {
        ctx.metrics().count("ChargeCaptured", 1.0);
    }
    ctx.logger().info("Charging", &[]);
    {
        let mut db = ctx.subsegment("dynamodb.PutItem");
        db.namespace("aws").annotate("table", "charges");
        db.logger()
            .info("Writing charge", &[field("table", "charges")]);
        if event["db_fails"].as_bool() == Some(true) {
            let e = std::io::Error::other("ProvisionedThroughputExceeded");
            db.record_error(&e).http_status(400);
        }
    }
    match event["outcome"].as_str() {
        Some("missing") => Err(LiftError::not_found("no charge ch_404")),
        Some("panic") => panic!("card network exploded"),
        _ => Ok(json!({"ok": true})),
    }
}

struct Rig<S> {
    sink: MemorySink,
    service: S,
}

fn rig(
    xray: Option<XRayEmitter>,
    self_telemetry: bool,
) -> Rig<
    impl tower::Service<lift::Invocation<Value>, Response = Value, Error = LiftError, Future: Send>
    + Clone
    + Send
    + 'static,
> {
    let (logger, sink) = Logger::test();
    let metrics = Metrics::builder("Lift/Test")
        .default_dimension("service", "payments")
        .tenant_dimension("tenant_id", 2)
        .sink(Arc::clone(logger.sink()))
        .build()
        .unwrap();
    let mut layer = ObservabilityLayer::new(logger.clone())
        .metrics(metrics)
        .self_telemetry(self_telemetry);
    if let Some(x) = xray {
        layer = layer.xray(x);
    }
    let service = layer.layer(HandlerService::new(handler, logger));
    Rig { sink, service }
}

fn meta(request_id: &str, tenant: Option<&str>, trace: Option<&str>, cold: bool) -> InvocationMeta {
    InvocationMeta {
        request_id: request_id.into(),
        tenant_id: tenant.map(str::to_owned),
        trace_header: trace.map(str::to_owned),
        function_name: Some("charge-fn".into()),
        cold_start: cold,
        ..InvocationMeta::default()
    }
}

fn emf_docs(sink: &MemorySink, request_id: &str) -> Vec<Value> {
    let now = lift::observability::system_millis();
    sink.lines()
        .into_iter()
        .filter(|l| l.contains("\"_aws\""))
        .map(|l| {
            check_document(&l, now).unwrap_or_else(|p| panic!("{p:?}: {l}"));
            serde_json::from_str::<Value>(&l).unwrap()
        })
        .filter(|d| d["request_id"] == request_id)
        .collect()
}

fn listener() -> (UdpSocket, XRayEmitter) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let emitter = XRayEmitter::new(socket.local_addr().unwrap());
    (socket, emitter)
}

/// Every document received until the socket is quiet.
fn received(socket: &UdpSocket) -> Vec<Value> {
    let mut docs = Vec::new();
    let mut buf = vec![0u8; 65_536];
    while let Ok(n) = socket.recv(&mut buf) {
        let text = std::str::from_utf8(&buf[..n]).unwrap();
        let (header, doc) = text.split_once('\n').expect("header line");
        assert_eq!(header, r#"{"format": "json", "version": 1}"#);
        docs.push(serde_json::from_str(doc).unwrap());
    }
    docs
}

#[tokio::test]
async fn an_invocation_writes_one_emf_document_with_its_metrics_and_ids() {
    let mut rig = rig(None, false);
    let trace = format!("Root={ROOT};Parent={PARENT};Sampled=1");
    invoke(
        &mut rig.service,
        json!({}),
        meta("req-1", Some("acme"), Some(&trace), true),
    )
    .await
    .unwrap();
    let docs = emf_docs(&rig.sink, "req-1");
    assert_eq!(docs.len(), 1, "{docs:?}");
    let d = &docs[0];
    assert_eq!(d["ChargeCaptured"], 3.0, "increments aggregate");
    assert_eq!(d["Errors"], 0.0);
    assert_eq!(d["ColdStart"], 1.0);
    assert!(d["Latency"][0].as_f64().unwrap() >= 0.0);
    assert_eq!(d["trace_id"], ROOT);
    assert_eq!(d["tenant_id"], "acme");
    assert_eq!(d["service"], "payments");
    assert_eq!(
        d["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0],
        json!(["service", "tenant_id"])
    );
    // The EMF document is written before the flush, with the logs.
    let lines = rig.sink.lines();
    let emf_at = lines.iter().position(|l| l.contains("\"_aws\"")).unwrap();
    assert!(
        lines[..emf_at]
            .iter()
            .any(|l| l.contains("Request completed"))
    );
}

#[tokio::test]
async fn failures_count_as_errors_and_warm_starts_have_no_cold_start() {
    let mut rig = rig(None, false);
    let _ = invoke(
        &mut rig.service,
        json!({"outcome": "missing"}),
        meta("req-404", None, None, false),
    )
    .await;
    let _ = invoke(
        &mut rig.service,
        json!({"outcome": "panic"}),
        meta("req-500", None, None, false),
    )
    .await;
    let not_found = &emf_docs(&rig.sink, "req-404")[0];
    let panicked = &emf_docs(&rig.sink, "req-500")[0];
    assert_eq!(not_found["Errors"], 1.0);
    assert_eq!(panicked["Errors"], 1.0);
    assert!(not_found.get("ColdStart").is_none());
    assert!(not_found.get("tenant_id").is_none());
}

#[tokio::test]
async fn concurrent_invocations_keep_their_metrics_apart() {
    let rig = rig(None, false);
    let mut tasks = Vec::new();
    for i in 0..16 {
        let mut service = rig.service.clone();
        tasks.push(tokio::spawn(async move {
            let tenant = format!("tenant-{}", i % 4);
            invoke(
                &mut service,
                json!({}),
                meta(&format!("req-{i}"), Some(&tenant), None, false),
            )
            .await
            .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut folded = 0;
    for i in 0..16 {
        let docs = emf_docs(&rig.sink, &format!("req-{i}"));
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0]["ChargeCaptured"], 3.0);
        let tenant = format!("tenant-{}", i % 4);
        // The dimension is the tenant itself or, past the budget of 2, `__other__` with
        // the real id kept as a property.
        if docs[0]["tenant_id"] == "__other__" {
            assert_eq!(docs[0]["folded_tenant_id"], tenant.as_str());
            folded += 1;
        } else {
            assert_eq!(docs[0]["tenant_id"], tenant.as_str());
            assert!(docs[0].get("folded_tenant_id").is_none());
        }
    }
    assert_eq!(folded, 8, "two of four tenants are over the budget of 2");
}

#[tokio::test]
async fn self_telemetry_reports_the_pipeline_as_metrics() {
    let mut rig = rig(None, true);
    invoke(
        &mut rig.service,
        json!({}),
        meta("req-t", None, None, false),
    )
    .await
    .unwrap();
    let d = &emf_docs(&rig.sink, "req-t")[0];
    for name in [
        "LogEntriesDropped",
        "LogShipRetries",
        "LogShipThrottles",
        "LogQueueBytes",
        "LogFlushLatency",
    ] {
        assert!(d.get(name).is_some(), "{name} missing: {d}");
    }
}

#[tokio::test]
async fn xray_documents_link_to_lambdas_segment_and_to_each_other() {
    let (socket, emitter) = listener();
    let mut rig = rig(Some(emitter.clone()), false);
    let trace = format!("Root={ROOT};Parent={PARENT};Sampled=1");
    invoke(
        &mut rig.service,
        json!({"db_fails": true}),
        meta("req-x", Some("acme"), Some(&trace), true),
    )
    .await
    .unwrap();
    let docs = received(&socket);
    assert_eq!(docs.len(), 2, "{docs:?}");
    let (db, handler) = (&docs[0], &docs[1]);
    assert_eq!(handler["trace_id"], ROOT);
    assert_eq!(
        handler["parent_id"], PARENT,
        "Lambda's segment is the parent"
    );
    assert_eq!(handler["type"], "subsegment");
    assert_eq!(handler["name"], "charge-fn");
    assert_eq!(handler["annotations"]["tenant_id"], "acme");
    assert_eq!(handler["annotations"]["cold_start"], true);
    assert!(handler["end_time"].as_f64().unwrap() >= handler["start_time"].as_f64().unwrap());
    assert!(handler.get("fault").is_none() && handler.get("error").is_none());
    assert_eq!(db["parent_id"], handler["id"]);
    assert_eq!(db["trace_id"], ROOT);
    assert_eq!(db["namespace"], "aws");
    assert_eq!(db["error"], true);
    assert!(
        db["cause"]["exceptions"][0]["message"]
            .as_str()
            .unwrap()
            .contains("ProvisionedThroughputExceeded")
    );
    // Log lines carry the current subsegment's id as span_id.
    let charging = rig.sink.find("Charging").unwrap();
    assert_eq!(charging["span_id"], handler["id"]);
    assert_eq!(charging["trace_id"], ROOT);
    let writing = rig.sink.find("Writing charge").unwrap();
    assert_eq!(writing["span_id"], db["id"]);
    assert_eq!(emitter.stats().sent, 2);
}

#[tokio::test]
async fn errors_and_panics_set_the_error_and_fault_flags() {
    let (socket, emitter) = listener();
    let mut rig = rig(Some(emitter), false);
    let trace = format!("Root={ROOT};Parent={PARENT};Sampled=1");
    let _ = invoke(
        &mut rig.service,
        json!({"outcome": "missing"}),
        meta("a", None, Some(&trace), false),
    )
    .await;
    let _ = invoke(
        &mut rig.service,
        json!({"outcome": "panic"}),
        meta("b", None, Some(&trace), false),
    )
    .await;
    let handlers: Vec<Value> = received(&socket)
        .into_iter()
        .filter(|d| d["parent_id"] == PARENT)
        .collect();
    assert_eq!(handlers.len(), 2);
    assert_eq!(handlers[0]["error"], true);
    assert_eq!(handlers[0]["http"]["response"]["status"], 404);
    assert!(handlers[0].get("fault").is_none());
    assert_eq!(handlers[1]["fault"], true);
    assert_eq!(handlers[1]["http"]["response"]["status"], 500);
    assert!(
        handlers[1]["cause"]["exceptions"][0]["message"]
            .as_str()
            .unwrap()
            .contains("card network exploded")
    );
}

#[tokio::test]
async fn unsampled_traces_send_nothing_and_missing_headers_start_a_trace() {
    let (socket, emitter) = listener();
    let mut rig = rig(Some(emitter), false);
    let unsampled = format!("Root={ROOT};Parent={PARENT};Sampled=0");
    invoke(
        &mut rig.service,
        json!({}),
        meta("u", None, Some(&unsampled), false),
    )
    .await
    .unwrap();
    assert!(received(&socket).is_empty());
    let line = rig.sink.find("Charging").unwrap();
    assert_eq!(
        line["span_id"], PARENT,
        "unsampled: the header's parent stays the span"
    );

    invoke(&mut rig.service, json!({}), meta("n", None, None, false))
        .await
        .unwrap();
    let docs = received(&socket);
    let segment = docs
        .iter()
        .find(|d| d.get("parent_id").is_none())
        .expect("a root segment");
    assert!(segment.get("type").is_none(), "a segment, not a subsegment");
    let trace_id = segment["trace_id"].as_str().unwrap();
    assert!(
        lift::observability::is_valid_trace_id(trace_id),
        "{trace_id}"
    );
    let lines: Vec<Value> = rig
        .sink
        .entries()
        .into_iter()
        .filter(|e| e["request_id"] == "n")
        .collect();
    assert!(lines.iter().all(|e| e["trace_id"] == trace_id));
}

#[tokio::test]
async fn no_daemon_listening_does_not_fail_the_handler() {
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut rig = rig(Some(XRayEmitter::new(port)), false);
    let trace = format!("Root={ROOT};Parent={PARENT};Sampled=1");
    let out = invoke(
        &mut rig.service,
        json!({}),
        meta("d", None, Some(&trace), false),
    )
    .await;
    assert_eq!(out.unwrap(), json!({"ok": true}));
}

#[cfg(feature = "tracing")]
#[tokio::test]
async fn tracing_events_in_a_handler_carry_the_invocation_and_spans_become_subsegments() {
    use tracing_subscriber::layer::SubscriberExt;

    async fn traced(_ctx: Context, _event: Value) -> Result<Value, LiftError> {
        tracing::info!(amount = 1250, "via tracing");
        async {
            tracing::info!("inside a span");
        }
        .instrument(tracing::info_span!("fraud_check"))
        .await;
        Ok(json!({}))
    }
    use tracing::Instrument;

    let (socket, emitter) = listener();
    let (logger, sink) = Logger::test();
    let subscriber =
        tracing_subscriber::registry().with(lift::tracing_layer(&logger).xray(emitter.clone()));
    let _guard = tracing::subscriber::set_default(subscriber);
    let layer = ObservabilityLayer::new(logger.clone()).xray(emitter);
    let mut service = layer.layer(HandlerService::new(traced, logger));
    let trace = format!("Root={ROOT};Parent={PARENT};Sampled=1");
    invoke(
        &mut service,
        json!({}),
        meta("req-tr", Some("acme"), Some(&trace), false),
    )
    .await
    .unwrap();
    let line = sink.find("via tracing").unwrap();
    assert_eq!(line["request_id"], "req-tr");
    assert_eq!(line["tenant_id"], "acme");
    assert_eq!(line["amount"], 1250);
    let docs = received(&socket);
    let handler = docs.iter().find(|d| d["parent_id"] == PARENT).unwrap();
    let span = docs.iter().find(|d| d["name"] == "fraud_check").unwrap();
    assert_eq!(span["parent_id"], handler["id"]);
    assert_eq!(sink.find("inside a span").unwrap()["span_id"], span["id"]);
}
