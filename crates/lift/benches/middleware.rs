//! The observability middleware's cost per invocation, beside a bare handler in the same run.
//!
//! Both invoke in-process on a current-thread runtime with the same JSON event and a
//! deadline 30 s away, as Lambda gives. The
//! middleware side builds the context (child logger with request, tenant, trace ids),
//! logs the start and end lines, runs the handler in the task-local scope with panic
//! capture, and flushes — into a writer sink over `io::sink()`, so the figure is Lift's
//! own work without the write system call.
//!
//! The `concurrent` group keeps 1, 8 and 64 invocations in flight at once (as Lambda Managed
//! Instances do) on a two-worker multi-thread runtime: as many tasks, each making 16
//! invocations in a row; the bare handler and the full stack in the same run. Criterion
//! reports invocations per second; the time per invocation is the batch time divided by
//! the invocations in it.

#![allow(missing_docs)] // criterion_group! generates an undocumented function

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lift::local::invoke;
use lift::observability::WriterSink;
use lift::{Context, HandlerService, InvocationMeta, LiftError, Logger, ObservabilityLayer};
use tower::Layer;

async fn handler(_ctx: Context, event: serde_json::Value) -> Result<serde_json::Value, LiftError> {
    Ok(event)
}

fn meta() -> InvocationMeta {
    let mut meta = InvocationMeta::local("c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
    meta.tenant_id = Some("acme".into());
    // Lambda gives every invocation a deadline (here 30 s away), so the early-flush
    // watchdog is armed and disarmed each time, as in production.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    meta.deadline_ms = Some(now_ms + 30_000);
    meta.trace_header =
        Some("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1".into());
    meta
}

/// A logger writing into `io::sink()`, and the event every invocation gets.
fn logger_and_event() -> (Logger, serde_json::Value) {
    let logger = Logger::builder()
        .sink(WriterSink::new(std::io::sink()))
        .build();
    (logger, serde_json::json!({"amount": 1250}))
}

fn middleware(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (logger, event) = logger_and_event();
    let mut group = c.benchmark_group("invocation");
    let mut bare = HandlerService::new(handler, logger.clone());
    group.bench_function("bare_handler", |b| {
        b.iter(|| {
            runtime
                .block_on(invoke(&mut bare, black_box(event.clone()), meta()))
                .expect("ok")
        })
    });
    let mut observed =
        ObservabilityLayer::new(logger.clone()).layer(HandlerService::new(handler, logger.clone()));
    group.bench_function("with_observability_middleware", |b| {
        b.iter(|| {
            runtime
                .block_on(invoke(&mut observed, black_box(event.clone()), meta()))
                .expect("ok")
        })
    });
    group.finish();
}

fn concurrent(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (logger, event) = logger_and_event();
    let bare = HandlerService::new(handler, logger.clone());
    let observed =
        ObservabilityLayer::new(logger.clone()).layer(HandlerService::new(handler, logger.clone()));
    let mut group = c.benchmark_group("concurrent");
    for at_once in [1usize, 8, 64] {
        group.throughput(Throughput::Elements((at_once * IN_TURN) as u64));
        group.bench_function(format!("bare_handler_{at_once}"), |b| {
            b.iter(|| runtime.block_on(batch(&bare, at_once, &event)))
        });
        group.bench_function(format!("with_observability_middleware_{at_once}"), |b| {
            b.iter(|| runtime.block_on(batch(&observed, at_once, &event)))
        });
    }
    group.finish();
}

/// Invocations each task makes one after another: spawning and joining a task costs
/// several times an invocation, so it is spread over this many.
const IN_TURN: usize = 16;

/// `at_once` tasks, each invoking its own clone of `service` [`IN_TURN`] times in a row, so
/// `at_once` invocations are in flight throughout; all awaited.
async fn batch<S>(service: &S, at_once: usize, event: &serde_json::Value)
where
    S: tower::Service<lift::Invocation<serde_json::Value>, Error = LiftError>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
    S::Response: Send + 'static,
{
    let tasks: Vec<_> = (0..at_once)
        .map(|_| {
            let mut service = service.clone();
            let event = event.clone();
            tokio::spawn(async move {
                for _ in 0..IN_TURN {
                    invoke(&mut service, black_box(event.clone()), meta())
                        .await
                        .expect("ok");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("joined");
    }
}

criterion_group!(benches, middleware, concurrent);
criterion_main!(benches);
