//! The observability middleware's cost per invocation, beside a bare handler in the same run.
//!
//! Both invoke in-process on a current-thread runtime with the same JSON event. The
//! middleware side builds the context (child logger with request, tenant, trace ids),
//! logs the start and end lines, runs the handler in the task-local scope with panic
//! capture, and flushes — into a writer sink over `io::sink()`, so the figure is Lift's
//! own work without the write system call.

#![allow(missing_docs)] // criterion_group! generates an undocumented function

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
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
    meta.trace_header =
        Some("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1".into());
    meta
}

fn middleware(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let logger = Logger::builder()
        .sink(WriterSink::new(std::io::sink()))
        .build();
    let event = serde_json::json!({"amount": 1250});
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

criterion_group!(benches, middleware);
criterion_main!(benches);
