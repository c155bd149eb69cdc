//! Each middleware taken on its own or in a subset, stacked with `tower::ServiceBuilder` as
//! a user would: every layer does its one job without the others.

use std::net::UdpSocket;
use std::sync::Arc;
use std::time::Duration;

use lift::local::invoke;
use lift::observability::metrics::Metrics;
use lift::observability::xray::XRayEmitter;
use lift::observability::{Logger, MemorySink};
use lift::{
    Buffering, BufferingLayer, Context, ContextLayer, HandlerService, InvocationMeta, LiftError,
    MetricsLayer, PanicError, XRayLayer,
};
use serde_json::{Value, json};
use tower::ServiceBuilder;

async fn handler(ctx: Context, event: Value) -> Result<Value, LiftError> {
    ctx.metrics().count("ChargeCaptured", 1.0);
    lift::observability::debug!(ctx.logger(), "Card network call");
    lift::observability::info!(ctx.logger(), "Charging");
    let current = lift::current().map(|c| c.request_id().to_owned());
    match event["outcome"].as_str() {
        Some("fail") => Err(LiftError::unavailable("card network down")),
        Some("panic") => panic!("card network exploded"),
        _ => Ok(json!({ "current": current })),
    }
}

fn meta(request_id: &str) -> InvocationMeta {
    InvocationMeta {
        request_id: request_id.into(),
        tenant_id: Some("acme".into()),
        function_name: Some("charge-fn".into()),
        ..InvocationMeta::default()
    }
}

fn messages(sink: &MemorySink) -> Vec<String> {
    sink.entries()
        .iter()
        .map(|e| {
            e["message"]
                .as_str()
                .map_or_else(|| "<emf>".to_owned(), str::to_owned)
        })
        .collect()
}

#[tokio::test]
async fn the_handler_service_alone_sets_the_current_context_and_turns_panics_into_500s() {
    let (logger, _sink) = Logger::test();
    let mut svc = HandlerService::new(handler, logger);
    let ok = invoke(&mut svc, json!({}), meta("r-1")).await.unwrap();
    assert_eq!(ok["current"], "r-1");
    let err = invoke(&mut svc, json!({"outcome": "panic"}), meta("r-2"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 500);
    let source = std::error::Error::source(&err).unwrap();
    let panic = source.downcast_ref::<PanicError>().unwrap();
    assert_eq!(panic.message(), "card network exploded");
}

#[tokio::test]
async fn context_and_metrics_without_buffering_or_xray() {
    let (logger, sink) = Logger::test();
    let metrics = Metrics::builder("Lift/Test")
        .sink(Arc::clone(logger.sink()))
        .build()
        .unwrap();
    let mut svc = ServiceBuilder::new()
        .layer(ContextLayer::new(logger.clone()))
        .layer(MetricsLayer::new(metrics))
        .service(HandlerService::new(handler, logger));
    invoke(&mut svc, json!({}), meta("r-1")).await.unwrap();
    // Nothing buffers the debug line; the EMF document follows the end line.
    assert_eq!(
        messages(&sink),
        [
            "Request started",
            "Card network call",
            "Charging",
            "Request completed",
            "<emf>"
        ]
    );
    let emf = sink.entries().pop().unwrap();
    assert_eq!(emf["ChargeCaptured"], 1.0);
    assert_eq!(emf["Errors"], 0.0);
    assert_eq!(emf["request_id"], "r-1");
    assert_eq!(sink.find("Charging").unwrap()["tenant_id"], "acme");
}

#[tokio::test]
async fn context_and_buffering_keep_low_level_lines_only_for_failures() {
    let (logger, sink) = Logger::test();
    let mut svc = ServiceBuilder::new()
        .layer(ContextLayer::new(logger.clone()))
        .layer(BufferingLayer::new(Buffering::default()))
        .service(HandlerService::new(handler, logger));
    invoke(&mut svc, json!({}), meta("r-ok")).await.unwrap();
    let _ = invoke(&mut svc, json!({"outcome": "fail"}), meta("r-fail")).await;
    let debug: Vec<Value> = sink
        .entries()
        .into_iter()
        .filter(|e| e["message"] == "Card network call")
        .map(|e| e["request_id"].clone())
        .collect();
    assert_eq!(debug, ["r-fail"], "held, and written only for the failure");
    // No metrics layer: the handler's metrics go nowhere, and no EMF is written.
    assert!(!messages(&sink).contains(&"<emf>".to_owned()));
}

#[tokio::test]
async fn xray_and_context_put_the_subsegment_id_on_every_line() {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let emitter = XRayEmitter::new(socket.local_addr().unwrap());
    let (logger, sink) = Logger::test();
    let mut svc = ServiceBuilder::new()
        .layer(XRayLayer::new(emitter))
        .layer(ContextLayer::new(logger.clone()))
        .service(HandlerService::new(handler, logger));
    let _ = invoke(&mut svc, json!({"outcome": "fail"}), meta("r-1")).await;
    let mut buf = vec![0u8; 65_536];
    let n = socket.recv(&mut buf).unwrap();
    let text = std::str::from_utf8(&buf[..n]).unwrap();
    let segment: Value = serde_json::from_str(text.split_once('\n').unwrap().1).unwrap();
    assert_eq!(segment["name"], "charge-fn");
    assert_eq!(segment["annotations"]["tenant_id"], "acme");
    assert_eq!(segment["http"]["response"]["status"], 503);
    // No header came: the invocation started its own trace, and every line — the
    // middleware's own included — carries it and the subsegment's id.
    let entries = sink.entries();
    assert_eq!(entries.len(), 4);
    for e in &entries {
        assert_eq!(e["trace_id"], segment["trace_id"]);
        assert_eq!(e["span_id"], segment["id"]);
    }
}
