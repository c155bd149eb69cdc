//! Zap's three scenarios plus a disabled level, Lift beside its peers in the same run.
//!
//! Every logger writes one JSON line per event into a discarding sink (no I/O):
//! Lift into `NoopSink`, tracing-subscriber's JSON layer and slog-json into `io::sink()`.
//! Payload: a message and 10 fields of mixed types; "context" is carried the idiomatic way
//! for each (a child logger for Lift and slog, a span for tracing).
//!
//! Run: `cargo bench -p lift-observability --bench logger`

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::io;
use std::sync::Mutex;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use lift_observability::{LevelFilter, Logger, NoopSink};
use slog::Drain;

const MESSAGE: &str = "Charge captured";

fn lift_root() -> Logger {
    Logger::builder()
        .level(LevelFilter::Info)
        .service("payments")
        .sink(NoopSink::new())
        .build()
}

fn slog_root() -> slog::Logger {
    let json = slog_json::Json::new(io::sink()).add_default_keys().build();
    slog::Logger::root(Mutex::new(json).fuse(), slog::o!("service" => "payments"))
}

fn tracing_dispatch() -> tracing::Dispatch {
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::INFO)
        .with_writer(io::sink)
        .finish();
    tracing::Dispatch::new(subscriber)
}

/// Scenario 1's ten values. The benchmarks read them through `black_box` on every call, as
/// a program reads values it computed: with literals, code inlined at the call site (Lift's
/// macros) could have its checks on them folded away at compile time.
#[derive(Debug, Clone, Copy)]
struct Charge {
    request_path: &'static str,
    amount: i64,
    currency: &'static str,
    merchant_id: &'static str,
    attempt: u64,
    latency_ms: f64,
    captured: bool,
    card_brand: &'static str,
    customer_id: &'static str,
    risk_score: f64,
}

const CHARGE: Charge = Charge {
    request_path: "/v1/charges",
    amount: 1250,
    currency: "USD",
    merchant_id: "m_8f2a9c",
    attempt: 2,
    latency_ms: 12.75,
    captured: true,
    card_brand: "visa",
    customer_id: "cus_00042",
    risk_score: 0.07,
};

// Scenario 1 writes the message as a literal at each call site, the way log calls are
// written (a literal lets Lift's macros check it at compile time; slog and tracing get the
// same literal).
fn lift_ten_fields(log: &Logger, c: &Charge) {
    lift_observability::info!(log, "Charge captured";
        "request_path" => c.request_path, "amount" => c.amount, "currency" => c.currency,
        "merchant_id" => c.merchant_id, "attempt" => c.attempt, "latency_ms" => c.latency_ms,
        "captured" => c.captured, "card_brand" => c.card_brand, "customer_id" => c.customer_id,
        "risk_score" => c.risk_score);
}

fn slog_ten_fields(log: &slog::Logger, c: &Charge) {
    slog::info!(log, "Charge captured";
        "request_path" => c.request_path, "amount" => c.amount, "currency" => c.currency,
        "merchant_id" => c.merchant_id, "attempt" => c.attempt, "latency_ms" => c.latency_ms,
        "captured" => c.captured, "card_brand" => c.card_brand, "customer_id" => c.customer_id,
        "risk_score" => c.risk_score);
}

fn tracing_ten_fields(c: &Charge) {
    tracing::info!(
        request_path = c.request_path,
        amount = c.amount,
        currency = c.currency,
        merchant_id = c.merchant_id,
        attempt = c.attempt,
        latency_ms = c.latency_ms,
        captured = c.captured,
        card_brand = c.card_brand,
        customer_id = c.customer_id,
        risk_score = c.risk_score,
        "Charge captured"
    );
}

/// Scenario 1: a message with 10 fields, on a logger carrying request/tenant/user ids.
fn ten_fields(c: &mut Criterion) {
    let mut g = c.benchmark_group("1_ten_fields");
    let lift = lift_root()
        .with_request_id("c6af9ac6-7b61-11e6-9a41-93e8deadbeef")
        .with_tenant_id("acme")
        .with_user_id("u-42");
    g.bench_function("lift", |b| {
        b.iter(|| lift_ten_fields(&lift, black_box(&CHARGE)))
    });
    // The same with redaction switched off: the difference is redaction's cost on clean data.
    let unredacted = Logger::builder()
        .level(LevelFilter::Info)
        .service("payments")
        .sink(NoopSink::new())
        .redactor(lift_observability::Redactor::disabled())
        .build()
        .with_request_id("c6af9ac6-7b61-11e6-9a41-93e8deadbeef")
        .with_tenant_id("acme")
        .with_user_id("u-42");
    g.bench_function("lift_redaction_off", |b| {
        b.iter(|| lift_ten_fields(&unredacted, black_box(&CHARGE)))
    });
    let slog = slog_root().new(slog::o!(
        "request_id" => "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "tenant_id" => "acme", "user_id" => "u-42"));
    g.bench_function("slog_json", |b| {
        b.iter(|| slog_ten_fields(&slog, black_box(&CHARGE)))
    });
    tracing::dispatcher::with_default(&tracing_dispatch(), || {
        let span = tracing::info_span!(
            "request",
            request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            tenant_id = "acme",
            user_id = "u-42"
        );
        let _entered = span.enter();
        g.bench_function("tracing_json_in_span", |b| {
            b.iter(|| tracing_ten_fields(black_box(&CHARGE)))
        });
    });
    tracing::dispatcher::with_default(&tracing_dispatch(), || {
        g.bench_function("tracing_json_no_span", |b| {
            b.iter(|| tracing_ten_fields(black_box(&CHARGE)))
        });
    });
    g.finish();
}

/// Scenario 2: a logger carrying 10 context fields, message only.
fn ten_context_fields(c: &mut Criterion) {
    let mut g = c.benchmark_group("2_ten_context_fields");
    let lift = lift_root()
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
    g.bench_function("lift", |b| b.iter(|| lift.info(MESSAGE, &[])));
    let slog = slog_root().new(slog::o!(
        "request_id" => "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "tenant_id" => "acme", "user_id" => "u-42", "region" => "eu-west-1",
        "stage" => "prod", "version" => 42, "merchant_id" => "m_8f2a9c",
        "currency" => "USD", "sampled" => true, "weight" => 0.5));
    g.bench_function("slog_json", |b| b.iter(|| slog::info!(slog, "{}", MESSAGE)));
    tracing::dispatcher::with_default(&tracing_dispatch(), || {
        let span = tracing::info_span!(
            "request",
            request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            tenant_id = "acme",
            user_id = "u-42",
            region = "eu-west-1",
            stage = "prod",
            version = 42,
            merchant_id = "m_8f2a9c",
            currency = "USD",
            sampled = true,
            weight = 0.5
        );
        let _entered = span.enter();
        g.bench_function("tracing_json_in_span", |b| {
            b.iter(|| tracing::info!("{}", MESSAGE))
        });
    });
    g.finish();
}

/// Scenario 3: a static message, no fields, no context.
fn static_message(c: &mut Criterion) {
    let mut g = c.benchmark_group("3_static_message");
    let lift = Logger::builder().sink(NoopSink::new()).build();
    g.bench_function("lift", |b| b.iter(|| lift.info(MESSAGE, &[])));
    let json = slog_json::Json::new(io::sink()).add_default_keys().build();
    let slog = slog::Logger::root(Mutex::new(json).fuse(), slog::o!());
    g.bench_function("slog_json", |b| b.iter(|| slog::info!(slog, "{}", MESSAGE)));
    tracing::dispatcher::with_default(&tracing_dispatch(), || {
        g.bench_function("tracing_json", |b| b.iter(|| tracing::info!("{}", MESSAGE)));
    });
    g.finish();
}

/// An entry below the level filter.
fn disabled_level(c: &mut Criterion) {
    let mut g = c.benchmark_group("4_disabled_level");
    let lift = lift_root();
    g.bench_function("lift", |b| {
        b.iter(|| lift_observability::debug!(lift, MESSAGE; "amount" => 1250))
    });
    // slog compiles debug! out of release builds by default; this measures that.
    let slog = slog_root();
    g.bench_function("slog_json", |b| {
        b.iter(|| slog::debug!(slog, "{}", MESSAGE; "amount" => 1250))
    });
    tracing::dispatcher::with_default(&tracing_dispatch(), || {
        g.bench_function("tracing_json", |b| {
            b.iter(|| tracing::debug!(amount = 1250, "{}", MESSAGE))
        });
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = config();
    targets = ten_fields, ten_context_fields, static_message, disabled_level
}
criterion_main!(benches);
