//! Lift beside its peers on the realistic corpus (`lift-corpus`): 10,000 distinct
//! payment-service entries of five shapes, about 1 in 500 carrying a secret. Each iteration
//! logs the next entry, so a figure is the cost per entry averaged over the corpus; the
//! same is measured per shape, so no shape hides behind the average.
//!
//! Every logger writes one JSON line per entry, carrying request/tenant/user ids the
//! idiomatic way (a child logger for Lift and slog, a span for tracing), in two settings:
//! into a discarding sink (`corpus_*`; Lift: `NoopSink`, peers: `io::sink()`, which costs
//! a peer nothing per `write`), with Lift's redaction on (the default) and off; and into a
//! line-buffered writer, as `io::stdout()` is, without its lock and system call
//! (`line_buffered_*`; Lift: `WriterSink`, peers: `LineWriter`). Then the same writers on
//! `/dev/null` over the whole corpus (`dev_null_all`: one `write` system call per line, as
//! stdout in Lambda).
//!
//! Peers log each shape idiomatically: slog nests the body with `slog::Serde`, tracing has
//! no nested values and writes the body as a JSON string; both write an error's top
//! message with `%` (Lift writes the whole `source()` chain).
//!
//! Run: `cargo bench -p lift-observability --bench corpus`

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

#[path = "../tests/support/corpus_calls.rs"]
mod corpus_calls;

use std::hint::black_box;
use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use lift_corpus::{Entry, Shape, WebhookEvent};
use lift_observability::{KeyProfile, LevelFilter, Logger, NoopSink, Redactor, Sink, WriterSink};
use slog::Drain;

/// Entries in the corpus (distinct).
const ENTRIES: usize = 10_000;
/// The corpus seed.
const SEED: u64 = 2026;

fn lift(redactor: Redactor, sink: impl Sink + 'static) -> Logger {
    lift_with_keys(KeyProfile::Lift, redactor, sink)
}

fn lift_with_keys(keys: KeyProfile, redactor: Redactor, sink: impl Sink + 'static) -> Logger {
    let root = Logger::builder()
        .level(LevelFilter::Info)
        .keys(keys)
        .service("payments")
        .sink(sink)
        .redactor(redactor)
        .build();
    corpus_calls::invocation_logger(&root)
}

fn slog_logger(writer: impl io::Write + Send + 'static) -> slog::Logger {
    let json = slog_json::Json::new(writer).add_default_keys().build();
    slog::Logger::root(Mutex::new(json).fuse(), slog::o!("service" => "payments")).new(slog::o!(
        "request_id" => "c6af9ac6-7b61-4e6d-9a41-93e8deadbeef",
        "tenant_id" => "tenant-7f3b2c",
        "user_id" => "5d1e0f7a-2b4c-4d8e-9f01-a2b3c4d5e6f7"))
}

/// A shared body slog can hold (`slog::Serde` wants an owned, `'static` value).
#[derive(Clone)]
struct SharedBody(Arc<WebhookEvent>);

impl serde::Serialize for SharedBody {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

fn slog_entry(log: &slog::Logger, entry: &Entry, body: Option<&SharedBody>) {
    match entry {
        Entry::Ids(e) => slog::info!(log, "Payment authorized";
            "merchant_id" => &e.merchant_id, "customer_id" => &e.customer_id,
            "payment_id" => &e.payment_id, "amount" => e.amount, "currency" => e.currency,
            "status" => e.status, "attempt" => e.attempt, "latency_ms" => e.latency_ms,
            "card_brand" => e.card_brand, "last4" => &e.last4),
        Entry::Prose(e) => slog::warn!(log, "Charge declined by issuer";
            "merchant_id" => &e.merchant_id, "reason" => &e.reason, "note" => &e.note,
            "decline_code" => e.decline_code, "region" => e.region, "retry" => e.retry),
        Entry::Url(e) => slog::info!(log, "Upstream request completed";
            "method" => e.method, "url" => &e.url, "status" => e.status,
            "latency_ms" => e.latency_ms, "client_ip" => &e.client_ip,
            "user_agent" => e.user_agent, "function_arn" => &e.function_arn,
            "idempotency_key" => &e.idempotency_key),
        Entry::Body(e) => slog::info!(log, "Webhook received";
            "event_type" => e.event_type, "merchant_id" => &e.merchant_id,
            "body" => slog::Serde(body.cloned().unwrap_or_else(|| SharedBody(Arc::new(e.body.clone()))))),
        Entry::Failure(e) => slog::error!(log, "Charge failed";
            "merchant_id" => &e.merchant_id, "payment_id" => &e.payment_id,
            "amount" => e.amount, "attempt" => e.attempt, "elapsed" => ?e.elapsed,
            "error" => %e.error),
    }
}

fn tracing_dispatch<W>(writer: W) -> tracing::Dispatch
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::INFO)
        .with_writer(writer)
        .finish();
    tracing::Dispatch::new(subscriber)
}

fn tracing_entry(entry: &Entry) {
    match entry {
        Entry::Ids(e) => tracing::info!(
            merchant_id = %e.merchant_id, customer_id = %e.customer_id,
            payment_id = %e.payment_id, amount = e.amount, currency = e.currency,
            status = e.status, attempt = e.attempt, latency_ms = e.latency_ms,
            card_brand = e.card_brand, last4 = %e.last4, "Payment authorized"),
        Entry::Prose(e) => tracing::warn!(
            merchant_id = %e.merchant_id, reason = %e.reason, note = %e.note,
            decline_code = e.decline_code, region = e.region, retry = e.retry,
            "Charge declined by issuer"),
        Entry::Url(e) => tracing::info!(
            method = e.method, url = %e.url, status = e.status, latency_ms = e.latency_ms,
            client_ip = %e.client_ip, user_agent = e.user_agent,
            function_arn = %e.function_arn, idempotency_key = %e.idempotency_key,
            "Upstream request completed"),
        Entry::Body(e) => tracing::info!(
            event_type = e.event_type, merchant_id = %e.merchant_id,
            body = %serde_json::to_string(&e.body).unwrap_or_default(),
            "Webhook received"),
        Entry::Failure(e) => tracing::error!(
            merchant_id = %e.merchant_id, payment_id = %e.payment_id, amount = e.amount,
            attempt = e.attempt, elapsed = ?e.elapsed, error = %e.error, "Charge failed"),
    }
}

/// Runs `log` on each entry in turn, one per iteration.
fn cycle<'a>(entries: &'a [&'a Entry]) -> impl FnMut() -> &'a Entry {
    let mut i = 0;
    move || {
        let e = entries[i % entries.len()];
        i += 1;
        e
    }
}

/// Where every logger's lines go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Output {
    /// Discarded by the writer itself: Lift's `NoopSink`, the peers' `io::sink()` — a peer
    /// that writes a line in many pieces (slog-json: one `write` per token) pays nothing for
    /// them, Lift pays for building its line.
    Discarded,
    /// A line-buffered writer, as `io::stdout()` is (without its lock and its `write`
    /// system call): every logger's bytes are copied into a buffer handed on at each
    /// newline — Lift's `WriterSink`, a `LineWriter` for slog-json and tracing.
    LineBuffered,
    /// The same writers on `/dev/null`: stdout as a Lambda function has it, one `write`
    /// system call per line (slog-json's and tracing's `LineWriter` hands a line on at its
    /// newline).
    DevNull,
}

fn dev_null() -> std::fs::File {
    std::fs::File::create("/dev/null").expect("/dev/null opens")
}

fn compare(g: &mut BenchmarkGroup<'_, WallTime>, entries: &[&Entry], output: Output) {
    let bodies: Vec<Option<SharedBody>> = entries
        .iter()
        .map(|e| match e {
            Entry::Body(b) => Some(SharedBody(Arc::new(b.body.clone()))),
            _ => None,
        })
        .collect();
    let lift_into = |redactor| match output {
        Output::Discarded => lift(redactor, NoopSink::new()),
        Output::LineBuffered => lift(redactor, WriterSink::new(io::sink())),
        Output::DevNull => lift(redactor, WriterSink::new(dev_null())),
    };
    let on = lift_into(Redactor::new());
    let mut next = cycle(entries);
    g.bench_function("lift", |b| {
        b.iter(|| corpus_calls::log_entry(&on, black_box(next())))
    });
    // Redaction's cost in every setting: what it adds where output is free, and what it adds
    // to a line that is really written.
    let off = lift_into(Redactor::disabled());
    let mut next = cycle(entries);
    g.bench_function("lift_redaction_off", |b| {
        b.iter(|| corpus_calls::log_entry(&off, black_box(next())))
    });
    let slog = match output {
        Output::Discarded => slog_logger(io::sink()),
        Output::LineBuffered => slog_logger(io::LineWriter::new(io::sink())),
        Output::DevNull => slog_logger(io::LineWriter::new(dev_null())),
    };
    let mut i = 0;
    g.bench_function("slog_json", |b| {
        b.iter(|| {
            let k = i % entries.len();
            i += 1;
            slog_entry(&slog, black_box(entries[k]), bodies[k].as_ref());
        })
    });
    let dispatch = match output {
        Output::Discarded => tracing_dispatch(io::sink),
        Output::LineBuffered => tracing_dispatch(Mutex::new(io::LineWriter::new(io::sink()))),
        Output::DevNull => tracing_dispatch(Mutex::new(io::LineWriter::new(dev_null()))),
    };
    tracing::dispatcher::with_default(&dispatch, || {
        let span = tracing::info_span!(
            "request",
            request_id = "c6af9ac6-7b61-4e6d-9a41-93e8deadbeef",
            tenant_id = "tenant-7f3b2c",
            user_id = "5d1e0f7a-2b4c-4d8e-9f01-a2b3c4d5e6f7"
        );
        let _entered = span.enter();
        let mut next = cycle(entries);
        g.bench_function("tracing_json_in_span", |b| {
            b.iter(|| tracing_entry(black_box(next())))
        });
    });
}

fn corpus(c: &mut Criterion) {
    let all = lift_corpus::generate(SEED, ENTRIES);
    let refs: Vec<&Entry> = all.iter().collect();
    let mut g = c.benchmark_group("corpus_all");
    compare(&mut g, &refs, Output::Discarded);
    // The same entries with Powertools' keys: another head, the same path.
    let powertools = lift_with_keys(KeyProfile::Powertools, Redactor::new(), NoopSink::new());
    let mut next = cycle(&refs);
    g.bench_function("lift_powertools_keys", |b| {
        b.iter(|| corpus_calls::log_entry(&powertools, black_box(next())))
    });
    g.finish();
    per_shape(c, &all, "corpus", Output::Discarded);
}

/// [`compare`] on each shape's entries alone, in groups `{prefix}_{shape}`.
fn per_shape(c: &mut Criterion, all: &[Entry], prefix: &str, output: Output) {
    for shape in Shape::ALL {
        let of_shape: Vec<&Entry> = all.iter().filter(|e| e.shape() == shape).collect();
        let mut g = c.benchmark_group(format!("{prefix}_{}", shape.name()));
        compare(&mut g, &of_shape, output);
        g.finish();
    }
}

/// The same comparison with every logger writing into a line-buffered writer.
fn corpus_line_buffered(c: &mut Criterion) {
    let all = lift_corpus::generate(SEED, ENTRIES);
    let refs: Vec<&Entry> = all.iter().collect();
    let mut g = c.benchmark_group("line_buffered_all");
    compare(&mut g, &refs, Output::LineBuffered);
    g.finish();
    per_shape(c, &all, "line_buffered", Output::LineBuffered);
}

/// The whole corpus with every logger writing to `/dev/null` through a line-buffered writer.
fn corpus_dev_null(c: &mut Criterion) {
    let all = lift_corpus::generate(SEED, ENTRIES);
    let refs: Vec<&Entry> = all.iter().collect();
    let mut g = c.benchmark_group("dev_null_all");
    compare(&mut g, &refs, Output::DevNull);
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
    targets = corpus, corpus_line_buffered, corpus_dev_null
}
criterion_main!(benches);
