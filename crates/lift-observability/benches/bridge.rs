//! The `tracing` bridge against tracing-subscriber's JSON layer, same events, same run.
//!
//! Both write one JSON line per event into a discarding sink (Lift: `NoopSink`; the peer:
//! `io::sink()`), the event inside a span carrying three fields, the event carrying the
//! ten fields of the logger bench. Target: the bridge at least 5× cheaper per event.
//!
//! Run: `cargo bench -p lift-observability --features tracing --bench bridge`

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::io;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use lift_observability::tracing_bridge::LiftLayer;
use lift_observability::{LevelFilter, Logger, NoopSink};
use tracing_subscriber::layer::SubscriberExt;

fn event() {
    tracing::info!(
        request_path = "/v1/charges",
        amount = 1250,
        currency = "USD",
        merchant_id = "m_8f2a9c",
        attempt = 2u64,
        latency_ms = 12.75,
        captured = true,
        card_brand = "visa",
        customer_id = "cus_00042",
        risk_score = 0.07,
        "Charge captured"
    );
}

fn in_span(
    dispatch: &tracing::Dispatch,
    name: &str,
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
) {
    tracing::dispatcher::with_default(dispatch, || {
        let span = tracing::info_span!(
            "request",
            request_id = "c6af9ac6",
            tenant_id = "acme",
            user_id = "u-1"
        );
        let _in = span.enter();
        g.bench_function(name, |b| b.iter(event));
    });
}

fn bridge(c: &mut Criterion) {
    let mut g = c.benchmark_group("tracing_event_in_span");
    let lift = Logger::builder()
        .level(LevelFilter::Info)
        .service("payments")
        .sink(NoopSink::new())
        .build();
    let lift_dispatch =
        tracing::Dispatch::new(tracing_subscriber::registry().with(LiftLayer::new(lift)));
    in_span(&lift_dispatch, "lift_bridge", &mut g);
    let json = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::INFO)
        .with_writer(io::sink)
        .finish();
    in_span(
        &tracing::Dispatch::new(json),
        "tracing_subscriber_json",
        &mut g,
    );
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! { name = benches; config = config(); targets = bridge }
criterion_main!(benches);
