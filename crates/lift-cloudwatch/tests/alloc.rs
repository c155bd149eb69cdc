//! Heap allocations on the caller's side of `CloudWatchSink`, counted per thread.
//!
//! The shipper (on its own thread here) allocates — it builds the request — but the thread
//! that logs must not: in steady state a log call into the CloudWatch sink copies the line
//! into the queue's arena, whose capacity the shipper hands back on every drain.

#![allow(unsafe_code)] // a global allocator cannot be written without it

use lift_cloudwatch::mock::MockLogsApi;
use lift_cloudwatch::{CloudWatchConfig, CloudWatchSink};
use lift_observability::{Logger, info};

#[path = "../../lift-observability/tests/support/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::allocations;

fn log_round(log: &Logger, tenants: &[Logger], n: u64) {
    for i in 0..n {
        info!(tenants[(i % 3) as usize], "Charge captured";
            "n" => i, "amount" => 1250, "currency" => "USD", "merchant_id" => "m_8f2a9c",
            "card_brand" => "visa", "last4" => "4242", "latency_ms" => 12.5,
            "attempt" => 1, "captured" => true, "region" => "eu-west-1");
    }
    let _ = log;
}

#[test]
fn logging_into_the_cloudwatch_sink_allocates_nothing_on_the_callers_thread() {
    let mut config = CloudWatchConfig::new("/lift/alloc");
    config.log_stream = "{tenant_id}".into();
    // No timer: the shipper drains when a full batch (1 MiB, about 3,900 of these entries)
    // is queued, on a flush, or after a delivery — so the warm-up's arenas reach at least a
    // full batch's size, and the measured 2,000 entries fit whenever the shipper drains.
    config.flush_interval_ms = 3_600_000;
    let mock = MockLogsApi::new().with_group("/lift/alloc");
    let (sink, guard) = CloudWatchSink::builder(config)
        .api(mock.clone())
        .build_blocking()
        .unwrap();
    let log = Logger::builder().sink(sink.clone()).build();
    let tenants: Vec<Logger> = ["acme", "globex", "initech"]
        .iter()
        .map(|t| log.with_tenant_id(t))
        .collect();
    // Warm up: both arenas reach their working size and change hands a few times.
    for _ in 0..4 {
        log_round(&log, &tenants, 5_000);
        log.flush_blocking().unwrap();
    }
    let before = allocations();
    log_round(&log, &tenants, 2_000);
    let made = allocations() - before;
    assert_eq!(made, 0, "{made} allocations for 2,000 entries");

    // The guard: the counter counts on this thread.
    let before = allocations();
    let v: Vec<u8> = std::hint::black_box(Vec::with_capacity(16));
    assert!(allocations() > before && v.capacity() >= 16);

    log.flush_blocking().unwrap();
    assert_eq!(sink.shipper_stats().shipped, 22_000);
    drop(guard);
}
