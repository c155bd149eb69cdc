//! The `tracing` bridge: events inside spans give the same lines Lift's own logger would,
//! span fields are cached context, targets are filtered, spans become X-Ray subsegments,
//! and concurrent spans never mix.

use std::net::UdpSocket;
use std::time::Duration;

use lift_observability::tracing_bridge::{InvocationSource, LiftLayer};
use lift_observability::xray::XRayEmitter;
use lift_observability::{Clock, LevelFilter, Logger, MemorySink, field};
use tracing::Instrument;
use tracing_subscriber::layer::SubscriberExt;

fn logger(level: LevelFilter) -> (Logger, MemorySink) {
    let sink = MemorySink::new();
    let log = Logger::builder()
        .level(level)
        .service("payments")
        .clock(Clock::fixed(1_764_000_000_000))
        .sink(sink.clone())
        .build();
    (log, sink)
}

fn with_layer<R>(layer: LiftLayer, f: impl FnOnce() -> R) -> R {
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), f)
}

#[test]
fn events_in_spans_give_the_lines_lifts_own_logger_gives() {
    let (log, bridged) = logger(LevelFilter::Trace);
    with_layer(LiftLayer::new(log.clone()), || {
        let span = tracing::info_span!("charge", tenant_id = "acme", order = 42_u64);
        let _in = span.enter();
        tracing::info!(
            amount = 1250_i64,
            currency = "USD",
            captured = true,
            "Charge captured"
        );
        tracing::warn!(ratio = 0.25, "Retrying {}", "card network");
    });
    let (log2, direct) = logger(LevelFilter::Trace);
    let child = log2.with_tenant_id("acme").with_field("order", 42_u64);
    child.info(
        "Charge captured",
        &[
            field("amount", 1250_i64),
            field("currency", "USD"),
            field("captured", true),
        ],
    );
    child.warn("Retrying card network", &[field("ratio", 0.25)]);
    assert_eq!(bridged.lines(), direct.lines());
    drop(log);
}

#[test]
fn nested_spans_add_and_override_context_and_record_updates_it() {
    let (log, sink) = logger(LevelFilter::Info);
    with_layer(LiftLayer::new(log), || {
        let outer = tracing::info_span!("request", request_id = "req-1", step = "outer");
        let _o = outer.enter();
        let inner = tracing::info_span!("db", step = "inner", rows = tracing::field::Empty);
        let _i = inner.enter();
        tracing::info!("before");
        inner.record("rows", 3_u64);
        tracing::info!("after");
    });
    let e = sink.entries();
    assert_eq!(e[0]["request_id"], "req-1");
    assert_eq!(e[0]["step"], "inner");
    assert!(e[0].get("rows").is_none());
    assert_eq!(e[1]["rows"], 3);
}

#[test]
fn levels_map_one_to_one_and_the_filter_applies() {
    let (log, sink) = logger(LevelFilter::Debug);
    with_layer(LiftLayer::new(log), || {
        tracing::trace!("t");
        tracing::debug!("d");
        tracing::info!("i");
        tracing::warn!("w");
        tracing::error!("e");
    });
    let levels: Vec<String> = sink
        .entries()
        .iter()
        .map(|e| e["level"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(levels, ["DEBUG", "INFO", "WARN", "ERROR"]);
}

#[test]
fn the_aws_sdk_and_http_stack_are_filtered_by_default() {
    let (log, sink) = logger(LevelFilter::Trace);
    with_layer(LiftLayer::new(log.clone()), || {
        tracing::info!(target: "aws_smithy_runtime::client", "dispatching");
        tracing::info!(target: "hyper::proto", "parsed");
        tracing::info!(target: "payments", "kept");
    });
    assert_eq!(sink.messages(), ["kept"]);
    with_layer(LiftLayer::new(log).ignore_no_targets(), || {
        tracing::info!(target: "aws_smithy_runtime::client", "dispatching");
    });
    assert_eq!(sink.messages(), ["kept", "dispatching"]);
}

#[test]
fn redaction_and_error_chains_apply_to_bridged_events() {
    let (log, sink) = logger(LevelFilter::Info);
    let inner = std::io::Error::other("connection reset");
    let outer = OuterError(inner);
    with_layer(LiftLayer::new(log), || {
        tracing::error!(
            card = "4111 1111 1111 1111",
            password = "hunter2",
            error = &outer as &(dyn std::error::Error + 'static),
            "declined"
        );
    });
    let e = &sink.entries()[0];
    assert_eq!(e["card"], "4111 11** **** 1111");
    assert_eq!(e["password"], "[REDACTED]");
    assert_eq!(e["error"], "charge failed: connection reset");
}

#[derive(Debug)]
struct OuterError(std::io::Error);
impl std::fmt::Display for OuterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("charge failed")
    }
}
impl std::error::Error for OuterError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

struct Fixed(Logger, Option<(String, String)>);
impl InvocationSource for Fixed {
    fn logger(&self) -> Option<Logger> {
        Some(self.0.clone())
    }
    fn trace(&self) -> Option<(String, String)> {
        self.1.clone()
    }
}

#[test]
fn the_invocation_source_supplies_context_outside_spans() {
    let (log, sink) = logger(LevelFilter::Info);
    let invocation = log.with_request_id("req-9").with_tenant_id("globex");
    with_layer(
        LiftLayer::new(log).invocation_source(Fixed(invocation, None)),
        || {
            tracing::info!("no span");
            let span = tracing::info_span!("work", job = "x");
            let _in = span.enter();
            tracing::info!("in span");
        },
    );
    for e in sink.entries() {
        assert_eq!(e["request_id"], "req-9");
        assert_eq!(e["tenant_id"], "globex");
    }
}

#[test]
fn spans_become_xray_subsegments_and_lines_carry_their_ids() {
    let daemon = UdpSocket::bind("127.0.0.1:0").unwrap();
    daemon
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let emitter = XRayEmitter::new(daemon.local_addr().unwrap());
    let (log, sink) = logger(LevelFilter::Info);
    let trace = (
        "1-5759e988-bd862e3fe1be46a994272793".to_owned(),
        "53995c3f42cd8ad8".to_owned(),
    );
    let layer = LiftLayer::new(log.clone())
        .invocation_source(Fixed(log, Some(trace)))
        .xray(emitter);
    with_layer(layer, || {
        let outer = tracing::info_span!("charge");
        let _o = outer.enter();
        tracing::info!("outer line");
        {
            let inner = tracing::info_span!("dynamodb");
            let _i = inner.enter();
            tracing::info!("inner line");
        }
    });
    let mut docs = Vec::new();
    let mut buf = vec![0u8; 65_536];
    while let Ok(n) = daemon.recv(&mut buf) {
        let text = std::str::from_utf8(&buf[..n]).unwrap();
        docs.push(
            serde_json::from_str::<serde_json::Value>(text.split_once('\n').unwrap().1).unwrap(),
        );
    }
    assert_eq!(docs.len(), 2);
    let (inner, outer) = (&docs[0], &docs[1]);
    assert_eq!(outer["name"], "charge");
    assert_eq!(outer["parent_id"], "53995c3f42cd8ad8");
    assert_eq!(inner["parent_id"], outer["id"]);
    assert_eq!(inner["trace_id"], outer["trace_id"]);
    assert_eq!(sink.find("outer line").unwrap()["span_id"], outer["id"]);
    assert_eq!(sink.find("inner line").unwrap()["span_id"], inner["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_spans_never_mix() {
    let (log, sink) = logger(LevelFilter::Info);
    let subscriber = tracing_subscriber::registry().with(LiftLayer::new(log));
    let dispatch = tracing::Dispatch::new(subscriber);
    let mut tasks = Vec::new();
    for i in 0..16 {
        let span = tracing::dispatcher::with_default(&dispatch, || {
            tracing::info_span!(
                "invocation",
                request_id = format!("req-{i}").as_str(),
                tenant_id = format!("t-{i}").as_str()
            )
        });
        let dispatch = dispatch.clone();
        tasks.push(tokio::spawn(
            tracing::instrument::WithSubscriber::with_subscriber(
                async move {
                    for step in 0..20 {
                        tracing::info!(step, "working");
                        tokio::task::yield_now().await;
                    }
                }
                .instrument(span),
                dispatch,
            ),
        ));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let entries = sink.entries();
    assert_eq!(entries.len(), 16 * 20);
    for e in entries {
        let n = e["request_id"]
            .as_str()
            .unwrap()
            .trim_start_matches("req-")
            .to_owned();
        assert_eq!(e["tenant_id"], format!("t-{n}"));
    }
}
