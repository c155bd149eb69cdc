//! Packer throughput: events per second into full batches, no network.
//!
//! Run: `cargo bench -p lift-cloudwatch --bench packer`

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use lift_cloudwatch::{BatchPacker, LogEvent};

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

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3)).sample_size(30);
    targets = pack
}
criterion_main!(benches);
