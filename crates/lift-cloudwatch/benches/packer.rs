//! Packer throughput: events per second into full batches, no network; and how fast a
//! request's body is written — the realistic corpus's lines, as Lift's JSON encoder writes
//! them, escaped into one `PutLogEvents` document and hashed.
//!
//! Run: `cargo bench -p lift-cloudwatch --bench packer`

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::time::Duration;

#[path = "../../lift-observability/tests/support/corpus_calls.rs"]
mod corpus_calls;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use lift_cloudwatch::{BatchPacker, LogEvent, PutRequest};
use lift_observability::{Logger, MemorySink};

const NOW: i64 = 1_795_752_557_123;

fn backlog(n: usize) -> Vec<LogEvent> {
    let line = format!(
        "{{\"level\":\"INFO\",\"message\":\"Charge captured\",\"pad\":\"{}\"}}",
        "x".repeat(260)
    );
    // Mostly ordered with some jitter, like lines from several threads.
    (0..n)
        .map(|i| {
            LogEvent::new(
                NOW - 60_000 + (i as i64) - (i as i64 * 7919 % 13),
                line.clone(),
            )
        })
        .collect()
}

fn pack(c: &mut Criterion) {
    let packer = BatchPacker::default();
    let mut g = c.benchmark_group("packer");
    g.throughput(Throughput::Elements(20_000));
    g.bench_function("pack_20000_events_300B", |b| {
        b.iter_batched(
            || backlog(20_000),
            |events| packer.pack(events, NOW),
            BatchSize::LargeInput,
        )
    });
    g.finish();
    let report = packer.pack(backlog(20_000), NOW);
    let full = &report.batches[..report.batches.len() - 1];
    let fill = full
        .iter()
        .map(|b| b.fill_ratio(packer.limits()))
        .sum::<f64>()
        / full.len() as f64;
    println!(
        "packer: {} batches, average fill of full batches {:.2}%",
        report.batches.len(),
        fill * 100.0
    );
}

/// An invocation's worth of lines: the first `n` entries of the corpus the corpus benchmark
/// cycles through, as Lift's JSON encoder writes them.
fn corpus_lines(n: usize) -> Vec<String> {
    let sink = MemorySink::new();
    let root = Logger::builder().sink(sink.clone()).build();
    let log = corpus_calls::invocation_logger(&root);
    for entry in lift_corpus::generate(2026, n).iter() {
        corpus_calls::log_entry(&log, entry);
    }
    sink.lines()
}

fn body(c: &mut Criterion) {
    let lines = corpus_lines(100);
    let bytes: usize = lines.iter().map(String::len).sum();
    let mut g = c.benchmark_group("body");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("write_and_hash_100_corpus_lines", |b| {
        b.iter_batched(
            || {
                let events = lines
                    .iter()
                    .map(|l| LogEvent::new(NOW, l.clone()))
                    .collect();
                PutRequest::new("/lift/bench", "stream", events)
            },
            |request| request.body().body().len(),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3)).sample_size(30);
    targets = pack, body
}
criterion_main!(benches);
