//! EMF metrics: the cost of one increment (target under 50 ns, no allocation after the
//! first use of a name — `tests/alloc.rs` counts that) and of one flush.
//!
//! Run: `cargo bench -p lift-observability --bench metrics`

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use lift_observability::NoopSink;
use lift_observability::metrics::{Metrics, Unit};

fn metrics() -> Metrics {
    Metrics::builder("Lift/Bench")
        .default_dimension("service", "payments")
        .sink(Arc::new(NoopSink::new()))
        .build()
        .expect("valid namespace")
}

fn increments(c: &mut Criterion) {
    let mut g = c.benchmark_group("metric_increment");
    let m = metrics();
    m.count("ChargeCaptured", 1.0);
    g.bench_function("counter", |b| b.iter(|| m.count("ChargeCaptured", 1.0)));
    g.bench_function("gauge", |b| {
        b.iter(|| m.gauge("QueueDepth", 3.0, Unit::Count))
    });
    g.bench_function("counter_with_dimensions", |b| {
        b.iter(|| {
            m.metric("Calls")
                .dimensions(&[("Operation", "Charge")])
                .count(1.0)
        })
    });
    let many = metrics();
    for i in 0..50 {
        many.count(&format!("Metric{i:02}"), 1.0);
    }
    g.bench_function("counter_among_50_names", |b| {
        b.iter(|| many.count("Metric37", 1.0))
    });
    g.finish();
}

fn flush(c: &mut Criterion) {
    let mut g = c.benchmark_group("emf_flush");
    let m = metrics();
    m.set_property("request_id", "c6af9ac6-7b61-4c2a-9f0e-1b2c3d4e5f60");
    g.bench_function("invocation_10_metrics", |b| {
        b.iter(|| {
            for i in 0..9 {
                m.count(["A", "B", "C", "D", "E", "F", "G", "H", "I"][i], 1.0);
            }
            m.record("Latency", 12.5, Unit::Milliseconds);
            m.flush()
        })
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! { name = benches; config = config(); targets = increments, flush }
criterion_main!(benches);
