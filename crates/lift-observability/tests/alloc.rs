//! Heap allocations per log entry, counted by a global allocator (a count, not a timing).
//!
//! Zap's three scenarios — 10 fields, 10 context fields, a static message — plus a disabled
//! level, into a discarding sink and into a writer sink, must allocate nothing in steady
//! state. The counter is per thread, so the test harness's own threads do not disturb it.

#![allow(unsafe_code)] // a global allocator cannot be written without it

use std::time::Duration;

use lift_observability::{LevelFilter, Logger, NoopSink, Value, WriterSink, debug, info};

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::{allocations, take_largest_allocation};

/// Allocations made by `n` calls of `f` after `f` has warmed up.
fn steady_state_allocations(n: usize, mut f: impl FnMut()) -> u64 {
    for _ in 0..16 {
        f();
    }
    let before = allocations();
    for _ in 0..n {
        f();
    }
    allocations() - before
}

fn ten_fields(log: &Logger, err: &std::io::Error) {
    info!(log, "Charge captured";
        "request_path" => "/v1/charges", "amount" => 1250, "currency" => "USD",
        "merchant_id" => "m_8f2a9c", "attempt" => 2u64, "latency_ms" => 12.75,
        "captured" => true, "took" => Duration::from_micros(1234), "customer_id" => "cus_00042",
        "error" => Value::error(err));
}

fn loggers() -> Vec<Logger> {
    vec![
        Logger::builder().sink(NoopSink::new()).build(),
        Logger::builder()
            .sink(WriterSink::new(std::io::sink()))
            .build(),
        Logger::builder()
            .sink(WriterSink::new(std::io::sink()).block_buffered(64 * 1024))
            .build(),
    ]
}

#[test]
fn ten_fields_allocate_nothing() {
    let err = std::io::Error::other("declined");
    for log in loggers() {
        assert_eq!(
            steady_state_allocations(1000, || ten_fields(&log, &err)),
            0,
            "{log:?}"
        );
    }
}

#[test]
fn ten_context_fields_allocate_nothing() {
    for log in loggers() {
        let log = log
            .with_request_id("c6af9ac6-7b61-11e6-9a41-93e8deadbeef")
            .with_tenant_id("acme")
            .with_user_id("u-42")
            .with_field("region", "eu-west-1")
            .with_field("stage", "prod")
            .with_field("version", 42)
            .with_field("merchant_id", "m_8f2a9c")
            .with_field("currency", "USD")
            .with_field("sampled", true)
            .with_field("weight", 0.5);
        assert_eq!(
            steady_state_allocations(1000, || log.info("Charge captured", &[])),
            0
        );
    }
}

#[test]
fn static_message_allocates_nothing() {
    for log in loggers() {
        assert_eq!(steady_state_allocations(1000, || log.info("ok", &[])), 0);
    }
}

#[test]
fn disabled_level_allocates_nothing() {
    let log = Logger::builder()
        .level(LevelFilter::Info)
        .sink(NoopSink::new())
        .build();
    assert_eq!(
        steady_state_allocations(1000, || debug!(log, "hidden"; "v" => "x")),
        0
    );
}

#[test]
fn the_counter_does_count() {
    // Guards against a counter that never moves (which would make the tests above pass).
    let n = steady_state_allocations(10, || drop(std::hint::black_box(vec![1u8; 32])));
    assert_eq!(n, 10);
}

#[test]
fn metric_increments_allocate_nothing_after_the_first_use_of_a_name() {
    use lift_observability::metrics::{Metrics, Unit};
    let metrics = Metrics::builder("Lift/Bench")
        .sink(std::sync::Arc::new(NoopSink::new()))
        .build()
        .unwrap();
    metrics.record("Latency", 1.0, Unit::Milliseconds);
    assert_eq!(
        steady_state_allocations(1000, || {
            metrics.count("ChargeCaptured", 1.0);
            metrics.gauge("QueueDepth", 3.0, Unit::Count);
            metrics
                .metric("Calls")
                .dimensions(&[("Operation", "Charge")])
                .count(1.0);
        }),
        0
    );
}

#[cfg(feature = "tracing")]
#[test]
fn bridged_tracing_events_allocate_nothing_in_steady_state() {
    use tracing_subscriber::layer::SubscriberExt;
    let log = Logger::builder().sink(NoopSink::new()).build();
    let subscriber = tracing_subscriber::registry()
        .with(lift_observability::tracing_bridge::LiftLayer::new(log));
    tracing::subscriber::with_default(subscriber, || {
        let span = tracing::info_span!("request", tenant_id = "acme", order = 42);
        let _in = span.enter();
        assert_eq!(
            steady_state_allocations(1000, || {
                tracing::info!(amount = 1250, currency = "USD", "Charge captured");
            }),
            0
        );
    });
}

#[path = "support/corpus_calls.rs"]
mod corpus_calls;

/// The realistic corpus (every shape, the entries carrying secrets included), redaction on
/// and off, into a discarding sink and a writer: nothing allocated per entry once warm.
#[test]
fn the_realistic_corpus_allocates_nothing() {
    let corpus = lift_corpus::generate(2026, 10_000);
    assert!(corpus.iter().any(|e| e.sensitive().is_some()));
    for redactor in [
        lift_observability::Redactor::new(),
        lift_observability::Redactor::disabled(),
    ] {
        let root = Logger::builder()
            .sink(WriterSink::new(std::io::sink()))
            .redactor(redactor)
            .build();
        let log = corpus_calls::invocation_logger(&root);
        for entry in &corpus {
            corpus_calls::log_entry(&log, entry);
        }
        let mut i = 0;
        let n = steady_state_allocations(corpus.len(), || {
            corpus_calls::log_entry(&log, &corpus[i % corpus.len()]);
            i += 1;
        });
        assert_eq!(n, 0, "{n} allocations over {} entries", corpus.len());
    }
}

/// Not a test: logs `LIFT_PROBE_ENTRIES` entries of one shape (`LIFT_PROBE_SHAPE`, default
/// all; keys of `LIFT_PROBE_KEYS`, default lift) for counting instructions per entry under
/// callgrind. Run with `--ignored`.
#[test]
#[ignore]
fn probe_corpus() {
    let corpus = lift_corpus::generate(2026, 10_000);
    let shape = std::env::var("LIFT_PROBE_SHAPE").unwrap_or_default();
    let entries: Vec<_> = corpus
        .iter()
        .filter(|e| shape.is_empty() || e.shape().name() == shape)
        .collect();
    let n: usize = std::env::var("LIFT_PROBE_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let off = std::env::var("LIFT_PROBE_OFF").is_ok();
    let redactor = if off {
        lift_observability::Redactor::disabled()
    } else {
        lift_observability::Redactor::new()
    };
    let keys = std::env::var("LIFT_PROBE_KEYS")
        .ok()
        .and_then(|k| lift_observability::KeyProfile::parse(&k))
        .unwrap_or_default();
    let root = Logger::builder()
        .sink(NoopSink::new())
        .redactor(redactor)
        .keys(keys)
        .build();
    let log = corpus_calls::invocation_logger(&root);
    for i in 0..n {
        corpus_calls::log_entry(&log, entries[i % entries.len()]);
    }
}

#[test]
fn a_hundred_megabyte_field_never_passes_through_the_line_buffer_whole() {
    let huge = "x".repeat(100 << 20);
    let log = Logger::builder().sink(NoopSink::new()).build();
    take_largest_allocation();
    log.info(
        "Upload received",
        &[lift_observability::field("body", huge.as_str())],
    );
    let largest = take_largest_allocation();
    // The line is cut to the 1 MiB entry cap before it is encoded: nothing near 100 MB is
    // allocated (before the cap, the line buffer grew to hold the whole field).
    assert!(largest < 4 << 20, "largest allocation {largest} bytes");
    assert_eq!(log.stats().entries_truncated, 1);
}
