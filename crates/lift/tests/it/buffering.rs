//! Per-invocation log buffering and tail sampling through the observability middleware.

use std::time::Duration;

use lift::local::invoke;
use lift::observability::BufferSettings;
use lift::observability::{Level, LevelFilter, MemorySink};
use lift::{
    Buffering, Context, HandlerService, InvocationMeta, LiftError, Logger, ObservabilityLayer,
    debug, info,
};
use serde_json::{Value, json};
use tower::Layer;

async fn handler(ctx: Context, event: Value) -> Result<Value, LiftError> {
    let log = ctx.logger();
    for step in 0..event["debug_lines"].as_u64().unwrap_or(3) {
        debug!(log, "step detail"; "step" => step);
    }
    for _ in 0..event["info_lines"].as_u64().unwrap_or(0) {
        info!(log, "progress"; "padding" => "x".repeat(50));
    }
    if let Some(ms) = event["sleep_ms"].as_u64() {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if event["log_error"].as_bool() == Some(true) {
        lift::error!(log, "card network unreachable");
    }
    match event["fail"].as_bool() {
        Some(true) => Err(LiftError::unavailable("card network unreachable")),
        _ => Ok(json!({"ok": true})),
    }
}

fn root() -> (Logger, MemorySink) {
    let sink = MemorySink::new();
    let logger = Logger::builder()
        .level(LevelFilter::Info)
        .sink(sink.clone())
        .build();
    (logger, sink)
}

fn stack(
    logger: &Logger,
    buffering: Buffering,
) -> (
    ObservabilityLayer,
    impl tower::Service<lift::Invocation<Value>, Response = Value, Error = LiftError, Future: Send>
    + Clone
    + Send
    + 'static,
) {
    let layer = ObservabilityLayer::new(logger.clone()).buffering(buffering);
    let service = layer.layer(HandlerService::new(handler, logger.clone()));
    (layer, service)
}

fn messages_of(sink: &MemorySink, request_id: &str) -> Vec<String> {
    sink.entries()
        .into_iter()
        .filter(|e| e["request_id"] == request_id)
        .map(|e| e["message"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn debug_lines_are_written_only_for_failed_invocations() {
    let (logger, sink) = root();
    let (layer, mut svc) = stack(&logger, Buffering::default());
    invoke(&mut svc, json!({}), InvocationMeta::local("ok-1"))
        .await
        .unwrap();
    assert_eq!(
        messages_of(&sink, "ok-1"),
        ["Request started", "Request completed"]
    );

    let _ = invoke(
        &mut svc,
        json!({"fail": true}),
        InvocationMeta::local("bad-1"),
    )
    .await;
    assert_eq!(
        messages_of(&sink, "bad-1"),
        [
            "Request started",
            "step detail",
            "step detail",
            "step detail",
            "Request failed"
        ],
        "held lines come before the end line"
    );
    let entries = sink.entries();
    let details: Vec<_> = entries
        .iter()
        .filter(|e| e["request_id"] == "bad-1" && e["message"] == "step detail")
        .collect();
    assert_eq!(details[0]["level"], "DEBUG");
    assert_eq!(details[2]["step"], 2);
    let totals = layer.buffer_totals();
    assert_eq!((totals.written, totals.discarded), (3, 3));
}

#[tokio::test]
async fn an_error_line_a_panic_free_failure_or_slowness_also_keeps_them() {
    let (logger, sink) = root();
    let buffering = Buffering {
        latency_threshold: Some(Duration::from_millis(50)),
        ..Buffering::default()
    };
    let (_layer, mut svc) = stack(&logger, buffering);
    invoke(
        &mut svc,
        json!({"log_error": true}),
        InvocationMeta::local("err-line"),
    )
    .await
    .unwrap();
    assert_eq!(
        messages_of(&sink, "err-line")
            .iter()
            .filter(|m| *m == "step detail")
            .count(),
        3
    );
    invoke(
        &mut svc,
        json!({"sleep_ms": 80}),
        InvocationMeta::local("slow"),
    )
    .await
    .unwrap();
    assert_eq!(
        messages_of(&sink, "slow")
            .iter()
            .filter(|m| *m == "step detail")
            .count(),
        3
    );
    invoke(
        &mut svc,
        json!({"sleep_ms": 1}),
        InvocationMeta::local("fast"),
    )
    .await
    .unwrap();
    assert_eq!(
        messages_of(&sink, "fast")
            .iter()
            .filter(|m| *m == "step detail")
            .count(),
        0
    );
}

#[tokio::test]
async fn a_sampling_rate_of_one_keeps_every_invocation() {
    let (logger, sink) = root();
    let buffering = Buffering {
        sample_rate: 1.0,
        ..Buffering::default()
    };
    let (_layer, mut svc) = stack(&logger, buffering);
    invoke(&mut svc, json!({}), InvocationMeta::local("sampled"))
        .await
        .unwrap();
    assert_eq!(
        messages_of(&sink, "sampled")
            .iter()
            .filter(|m| *m == "step detail")
            .count(),
        3
    );
}

#[tokio::test]
async fn overflow_evicts_the_oldest_with_one_summary_line() {
    let (logger, sink) = root();
    let buffering = Buffering {
        settings: BufferSettings {
            max_bytes: 1_200,
            ..BufferSettings::default()
        },
        ..Buffering::default()
    };
    let (layer, mut svc) = stack(&logger, buffering);
    let _ = invoke(
        &mut svc,
        json!({"fail": true, "debug_lines": 40}),
        InvocationMeta::local("big"),
    )
    .await;
    let entries: Vec<Value> = sink
        .entries()
        .into_iter()
        .filter(|e| e["request_id"] == "big")
        .collect();
    let summary: Vec<_> = entries
        .iter()
        .filter(|e| e["message"] == "Buffered log entries evicted (oldest first)")
        .collect();
    assert_eq!(summary.len(), 1);
    let evicted = summary[0]["evicted"].as_u64().unwrap();
    let kept: Vec<u64> = entries
        .iter()
        .filter(|e| e["message"] == "step detail")
        .map(|e| e["step"].as_u64().unwrap())
        .collect();
    assert_eq!(evicted + kept.len() as u64, 40);
    assert_eq!(*kept.last().unwrap(), 39, "the newest are kept");
    assert_eq!(kept[0], evicted, "the oldest went first");
    assert_eq!(layer.buffer_totals().evicted, evicted);
}

#[tokio::test]
async fn a_byte_budget_suppresses_and_reports_once() {
    let (logger, sink) = root();
    let buffering = Buffering {
        settings: BufferSettings {
            budget_bytes: Some(2_000),
            ..BufferSettings::default()
        },
        ..Buffering::default()
    };
    let (_layer, mut svc) = stack(&logger, buffering);
    invoke(
        &mut svc,
        json!({"info_lines": 100, "debug_lines": 0}),
        InvocationMeta::local("chatty"),
    )
    .await
    .unwrap();
    let entries: Vec<Value> = sink
        .entries()
        .into_iter()
        .filter(|e| e["request_id"] == "chatty")
        .collect();
    let progress = entries
        .iter()
        .filter(|e| e["message"] == "progress")
        .count() as u64;
    let summary = entries
        .iter()
        .find(|e| e["message"] == "Log budget exceeded; entries suppressed")
        .expect("one summary line");
    assert_eq!(progress + summary["suppressed"].as_u64().unwrap(), 100);
    assert!(progress > 0 && progress < 100);
    assert_eq!(summary["budget_bytes"], 2_000);
    assert_eq!(
        entries.last().unwrap()["message"],
        "Request completed",
        "end line never budgeted"
    );
    let _ = Level::Info;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_invocations_keep_their_own_buffers() {
    let (logger, sink) = root();
    let (_layer, svc) = stack(&logger, Buffering::default());
    let mut tasks = Vec::new();
    for i in 0..200u32 {
        let mut svc = svc.clone();
        tasks.push(tokio::spawn(async move {
            let event = json!({"fail": i % 2 == 0, "sleep_ms": u64::from(i % 5)});
            let _ = invoke(&mut svc, event, InvocationMeta::local(format!("c-{i}"))).await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let entries = sink.entries();
    for i in 0..200u32 {
        let id = format!("c-{i}");
        let details = entries
            .iter()
            .filter(|e| e["request_id"] == id.as_str() && e["message"] == "step detail")
            .count();
        assert_eq!(details, if i % 2 == 0 { 3 } else { 0 }, "{id}");
    }
}
