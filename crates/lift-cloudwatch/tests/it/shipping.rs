//! Shipping against the strict, fault-injecting mock, on tokio's paused clock.
//!
//! Invariant checked in every test: each produced entry is delivered (possibly more than
//! once, after a lost reply) or counted as dropped with a reason — never both missing.

use std::collections::HashSet;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lift_cloudwatch::mock::{Fault, FaultPlan, MockLogsApi};
use lift_cloudwatch::{CloudWatchConfig, CloudWatchSink, Spill, TemplateValues};
use lift_observability::{Logger, Sink, SinkError, field};

const GROUP: &str = "/lift/test";

fn values() -> TemplateValues {
    TemplateValues {
        date: "2026-11-27".into(),
        hostname: "host".into(),
        instance_id: "0123456789abcdef".into(),
    }
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn lines(&self) -> Vec<String> {
        String::from_utf8(self.0.lock().unwrap().clone())
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

struct Rig {
    log: Logger,
    sink: CloudWatchSink,
    guard: Option<lift_cloudwatch::CloudWatchGuard>,
    mock: MockLogsApi,
    spilled: Captured,
}

async fn rig(config: CloudWatchConfig, mock: MockLogsApi) -> Rig {
    let spilled = Captured::default();
    let (sink, guard) = CloudWatchSink::builder(config)
        .api(mock.clone())
        .spill(Spill::new("test", Box::new(spilled.clone())))
        .template_values(values())
        .seed(42)
        .build()
        .await
        .unwrap();
    let log = Logger::builder().sink(sink.clone()).build();
    Rig {
        log,
        sink,
        guard: Some(guard),
        mock,
        spilled,
    }
}

/// A logger into `sink` whose entry cap (8 MiB) lets lines past CloudWatch's event limit
/// reach the sink, which must truncate them itself.
fn lenient_logger(sink: &CloudWatchSink) -> Logger {
    Logger::builder()
        .sink(sink.clone())
        .max_entry_bytes(8 << 20)
        .build()
}

fn config() -> CloudWatchConfig {
    let mut c = CloudWatchConfig::new(GROUP);
    c.log_stream = "app".into();
    c
}

/// The `n` field of every delivered message (duplicates kept).
fn delivered_ids(mock: &MockLogsApi) -> Vec<u64> {
    mock.messages(GROUP)
        .iter()
        .map(|m| {
            let v: serde_json::Value = serde_json::from_str(m).unwrap();
            v["n"].as_u64().unwrap()
        })
        .collect()
}

fn log_n(log: &Logger, range: std::ops::Range<u64>) {
    for n in range {
        log.info("Charge captured", &[field("n", n), field("amount", 1250)]);
    }
}

#[tokio::test(start_paused = true)]
async fn every_entry_arrives_in_order_and_flush_waits_for_acknowledgement() {
    let r = rig(config(), MockLogsApi::new().with_group(GROUP)).await;
    log_n(&r.log, 0..25_000);
    r.log.flush().await.unwrap();
    let events = r.mock.events(GROUP, "app");
    assert_eq!(events.len(), 25_000);
    let ids = delivered_ids(&r.mock);
    assert_eq!(
        ids,
        (0..25_000).collect::<Vec<_>>(),
        "order kept within the stream"
    );
    let stats = r.sink.shipper_stats();
    assert_eq!(stats.shipped, 25_000);
    assert_eq!(stats.dropped.total(), 0);
    assert_eq!(stats.buffered_entries, 0);
    assert_eq!(stats.buffered_bytes, 0);
    assert!(r.mock.violations().is_empty());
    // Nothing created: the group existed and the stream was created lazily once.
    assert_eq!(r.mock.create_calls(), 1);
    // Creating a stream on first use is routine, not an error or a health failure.
    assert_eq!(stats.errors, 0);
    assert!(r.sink.health().healthy);
}

#[tokio::test(start_paused = true)]
async fn a_tenant_flush_waits_for_its_own_stream_not_a_slow_one() {
    let mock = MockLogsApi::new()
        .with_group(GROUP)
        .with_latency(Duration::from_millis(10))
        .with_stream_latency("slow", Duration::from_secs(10));
    let mut c = config();
    c.log_stream = "{tenant_id}".into();
    let r = rig(c, mock).await;
    let slow = r.log.with_tenant_id("slow");
    let fast = r.log.with_tenant_id("fast");
    slow.info("Charge requested", &[field("n", 0u64)]);
    fast.info("Charge requested", &[field("n", 1u64)]);
    // The slow tenant's lines are on their way (10 s a call, and the stream is created on the way); the fast tenant's flush
    // answers as soon as its own stream has them.
    let started = tokio::time::Instant::now();
    fast.flush_tenant().await.unwrap();
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(2),
        "the fast tenant waited {took:?}"
    );
    assert_eq!(r.mock.events(GROUP, "fast").len(), 1);
    assert!(
        r.mock.events(GROUP, "slow").is_empty(),
        "the slow call is still out"
    );
    // A flush of everything waits for both.
    r.log.flush().await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(10));
    assert_eq!(r.mock.events(GROUP, "slow").len(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_next_batch_is_written_while_the_previous_call_is_in_flight() {
    let mock = MockLogsApi::new()
        .with_group(GROUP)
        .with_latency(Duration::from_millis(50));
    // Two failures on the way: the retries resend the body already written.
    mock.script([Fault::Throttle, Fault::ServerError]);
    let r = rig(config(), mock).await;
    log_n(&r.log, 0..40_000);
    r.log.flush().await.unwrap();
    assert_eq!(delivered_ids(&r.mock), (0..40_000).collect::<Vec<_>>());
    assert!(r.mock.violations().is_empty(), "{:?}", r.mock.violations());
    let stats = r.sink.shipper_stats();
    let batches = stats.batches;
    assert!(batches >= 4, "{stats:?}");
    // Every call arrived with its body written, each batch's body written once (not per
    // attempt: two failures and the replay after creating the stream lazily), and every
    // batch's but the first while its predecessor was in flight.
    assert_eq!(r.mock.put_calls(), batches + 3);
    assert_eq!(r.mock.written_puts(), r.mock.put_calls());
    assert_eq!(r.mock.distinct_bodies() as u64, batches);
    assert_eq!(stats.bodies_written_ahead, batches - 1);
}

#[tokio::test]
async fn a_request_body_is_written_once_and_holds_exactly_its_events() {
    use lift_cloudwatch::{LogEvent, PutRequest};
    let events = vec![
        LogEvent::new(1_764_239_618_123, r#"{"message":"a \"quoted\" é"}"#),
        LogEvent::new(1_764_239_618_124, "second"),
    ];
    let request = PutRequest::new(GROUP, "app", events.clone());
    assert!(
        request.written_body().is_none(),
        "written on first use only"
    );
    let body: serde_json::Value = serde_json::from_slice(request.body().body()).unwrap();
    assert_eq!(body["logGroupName"], GROUP);
    assert_eq!(body["logStreamName"], "app");
    let sent: Vec<(i64, String)> = body["logEvents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["timestamp"].as_i64().unwrap(),
                e["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(i64, String)> = events
        .iter()
        .map(|e| (e.timestamp_ms, e.message.clone()))
        .collect();
    assert_eq!(sent, expected);
    let first = request.body().body().as_ptr();
    assert_eq!(
        request.written_body().unwrap().body().as_ptr(),
        first,
        "kept"
    );
}

#[tokio::test(start_paused = true)]
async fn seeded_faults_never_lose_an_entry() {
    for seed in [1u64, 2, 3] {
        let plan = FaultPlan {
            throttle: 0.1,
            server_error: 0.1,
            timeout: 0.05,
            lost_reply: 0.05,
            partial_reject: 0.05,
            delete_stream: 0.03,
        };
        let mock = MockLogsApi::new()
            .with_group(GROUP)
            .with_faults(plan, seed)
            .with_latency(Duration::from_millis(20));
        let mut c = config();
        c.log_stream = "{tenant_id}".into();
        let r = rig(c, mock).await;
        let produced = 20_000u64;
        for n in 0..produced {
            let tenant = format!("tenant-{}", n % 4);
            r.log
                .with_tenant_id(&tenant)
                .info("Charge captured", &[field("n", n)]);
            if n % 1000 == 0 {
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        }
        let result = r.log.flush().await;
        let stats = r.sink.shipper_stats();
        let unique: HashSet<u64> = delivered_ids(&r.mock).into_iter().collect();
        let dropped = stats.dropped.total();
        assert!(r.mock.violations().is_empty(), "{:?}", r.mock.violations());
        // Delivered ∪ counted-as-dropped = produced. A retry after a lost reply can make
        // one entry both (delivered by the committed first try, rejected on the retry).
        assert!(unique.iter().all(|n| *n < produced));
        let missing = produced - unique.len() as u64;
        assert!(
            missing <= dropped,
            "seed {seed}: {missing} missing, {stats:?}"
        );
        assert_eq!(
            dropped,
            r.mock.rejected(),
            "only CloudWatch's own rejections drop"
        );
        assert!(stats.retries > 0 && stats.throttles > 0);
        // A flush reports drops of entries still unsettled when it was called; earlier
        // drops were already settled (and are in the stats).
        match result {
            Ok(()) => {}
            Err(SinkError::Undelivered { undelivered, .. }) => {
                assert!(undelivered > 0 && undelivered <= dropped)
            }
            Err(other) => panic!("{other}"),
        }
        assert_eq!(r.mock.streams(GROUP).len(), 4);
    }
}

#[tokio::test(start_paused = true)]
async fn an_outage_that_fits_in_the_buffer_loses_nothing() {
    let r = rig(config(), MockLogsApi::new().with_group(GROUP)).await;
    r.mock.set_outage(true);
    log_n(&r.log, 0..5_000);
    // Ten minutes of connection refused: far more than any fixed retry count would allow.
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert_eq!(r.sink.shipper_stats().shipped, 0);
    assert!(
        !r.sink.health().healthy,
        "a failing endpoint reads unhealthy"
    );
    assert!(r.sink.shipper_stats().retries > 20);
    r.mock.set_outage(false);
    log_n(&r.log, 5_000..6_000);
    r.log.flush().await.unwrap();
    let unique: HashSet<u64> = delivered_ids(&r.mock).into_iter().collect();
    assert_eq!(unique.len(), 6_000);
    assert_eq!(r.sink.shipper_stats().dropped.total(), 0);
}

#[tokio::test(start_paused = true)]
async fn an_outage_longer_than_the_buffer_drops_newest_and_counts_them() {
    let mut c = config();
    c.max_buffer_bytes = 1 << 20;
    let r = rig(c, MockLogsApi::new().with_group(GROUP)).await;
    r.mock.set_outage(true);
    let produced = 20_000u64;
    log_n(&r.log, 0..produced);
    let full = r.sink.shipper_stats().dropped.queue_full;
    assert!(full > 0, "the buffer bound forced drops");
    tokio::time::sleep(Duration::from_secs(30)).await;
    r.mock.set_outage(false);
    r.log.flush().await.unwrap();
    let unique: HashSet<u64> = delivered_ids(&r.mock).into_iter().collect();
    assert_eq!(unique.len() as u64 + full, produced);
    // The oldest entries were kept: drop-newest.
    assert!(unique.contains(&0));
    assert!(!unique.contains(&(produced - 1)));
}

#[tokio::test(start_paused = true)]
async fn missing_group_and_stream_are_created_with_retention() {
    let mut c = config();
    c.create_group = true;
    c.retention_days = Some(7);
    let r = rig(c, MockLogsApi::new()).await;
    log_n(&r.log, 0..10);
    r.log.flush().await.unwrap();
    assert_eq!(r.mock.events(GROUP, "app").len(), 10);
    assert_eq!(r.mock.retention(GROUP), Some(7));
    // Deleted under us: recreated and the same batch replayed.
    r.mock.delete_group(GROUP);
    log_n(&r.log, 10..20);
    r.log.flush().await.unwrap();
    assert_eq!(r.mock.events(GROUP, "app").len(), 10);
    assert_eq!(r.sink.shipper_stats().shipped, 20);
}

#[tokio::test(start_paused = true)]
async fn a_missing_group_without_create_group_is_refused_clearly_and_counted() {
    let r = rig(config(), MockLogsApi::new()).await;
    log_n(&r.log, 0..10);
    let err = r.log.flush().await.unwrap_err();
    assert!(
        matches!(
            err,
            SinkError::Undelivered {
                undelivered: 10,
                ..
            }
        ),
        "{err}"
    );
    let stats = r.sink.shipper_stats();
    assert_eq!(stats.dropped.rejected, 10);
    assert!(
        stats.last_error.unwrap().contains("creating groups is off"),
        "the error says what to do"
    );
}

#[tokio::test(start_paused = true)]
async fn access_denied_is_not_retried_in_a_hot_loop() {
    let r = rig(config(), MockLogsApi::new().with_group(GROUP)).await;
    r.mock.script([Fault::AccessDenied; 1000]);
    for round in 0..20u64 {
        log_n(&r.log, round * 10..round * 10 + 10);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // 10 seconds of denial: cool-downs of 1, 2, 4 s … keep the call count small.
    assert!(r.mock.put_calls() <= 6, "{} calls", r.mock.put_calls());
    let stats = r.sink.shipper_stats();
    assert!(stats.dropped.rejected > 0);
    assert!(stats.last_error.unwrap().contains("AccessDenied"));
}

#[tokio::test(start_paused = true)]
async fn one_streams_denial_does_not_stall_the_others() {
    let mut c = config();
    c.log_stream = "{tenant_id}".into();
    let r = rig(c, MockLogsApi::new().with_group(GROUP)).await;
    r.mock.deny_stream("evil");
    let (good, evil) = (r.log.with_tenant_id("good"), r.log.with_tenant_id("evil"));
    for n in 0..2_000u64 {
        good.info("ok", &[field("n", n)]);
        evil.info("denied", &[field("n", n)]);
        if n % 100 == 0 {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    let started = tokio::time::Instant::now();
    let result = r.log.flush().await;
    assert!(
        started.elapsed() < Duration::from_secs(61),
        "no stall behind the denied stream"
    );
    assert!(
        matches!(result, Err(SinkError::Undelivered { .. })),
        "{result:?}"
    );
    assert_eq!(r.mock.events(GROUP, "good").len(), 2_000);
    let stats = r.sink.shipper_stats();
    assert_eq!(stats.shipped, 2_000);
    assert_eq!(stats.dropped.rejected, 2_000);
}

#[tokio::test(start_paused = true)]
async fn partial_rejections_are_counted_by_reason_and_not_retried() {
    let r = rig(config(), MockLogsApi::new().with_group(GROUP)).await;
    r.mock.script([
        Fault::RejectTooOld(2),
        Fault::RejectTooNew(3),
        Fault::RejectExpired(1),
    ]);
    for round in 0..3 {
        log_n(&r.log, round * 10..round * 10 + 10);
        let _ = r.log.flush().await;
    }
    let stats = r.sink.shipper_stats();
    assert_eq!(stats.dropped.too_old, 2);
    assert_eq!(stats.dropped.too_new, 3);
    assert_eq!(stats.dropped.expired, 1);
    assert_eq!(stats.shipped, 24);
    assert_eq!(
        r.mock.put_calls(),
        3 + 1,
        "one stream-not-found, then no retries"
    );
}

#[tokio::test(start_paused = true)]
async fn per_tenant_streams_keep_tenants_apart() {
    let mut c = config();
    c.log_stream = "{date}/{tenant_id}".into();
    let r = rig(c, MockLogsApi::new().with_group(GROUP)).await;
    for n in 0..300u64 {
        let log = match n % 3 {
            0 => r.log.with_tenant_id("acme"),
            1 => r.log.with_tenant_id("globex:eu"),
            _ => r.log.clone(),
        };
        log.info("Charge captured", &[field("n", n)]);
    }
    r.log.flush().await.unwrap();
    assert_eq!(
        r.mock.streams(GROUP),
        [
            "2026-11-27/acme",
            "2026-11-27/globex_eu",
            "2026-11-27/no-tenant"
        ]
    );
    for e in r.mock.events(GROUP, "2026-11-27/acme") {
        assert!(e.event.message.contains(r#""tenant_id":"acme""#));
    }
    assert_eq!(r.mock.events(GROUP, "2026-11-27/no-tenant").len(), 100);
}

#[tokio::test(start_paused = true)]
async fn a_tenant_id_holding_a_card_number_never_names_a_stream() {
    let mut c = config();
    c.log_stream = "{date}/{tenant_id}".into();
    let r = rig(c, MockLogsApi::new().with_group(GROUP)).await;
    r.log
        .with_tenant_id("4111111111111111")
        .info("Charge captured", &[]);
    r.log.flush().await.unwrap();
    assert_eq!(r.mock.streams(GROUP), ["2026-11-27/411111______1111"]);
    let events = r.mock.events(GROUP, "2026-11-27/411111______1111");
    assert!(
        events[0]
            .event
            .message
            .contains(r#""tenant_id":"411111******1111""#)
    );
}

#[tokio::test(start_paused = true)]
async fn close_with_the_endpoint_up_delivers_fifty_thousand() {
    let mut r = rig(config(), MockLogsApi::new().with_group(GROUP)).await;
    log_n(&r.log, 0..50_000);
    r.guard.take().unwrap().close().await.unwrap();
    assert_eq!(r.mock.events(GROUP, "app").len(), 50_000);
    assert!(r.spilled.lines().is_empty());
    // Closed: later entries are refused and counted.
    log_n(&r.log, 0..3);
    assert_eq!(r.sink.shipper_stats().dropped.closed, 3);
}

#[tokio::test(start_paused = true)]
async fn close_with_the_endpoint_down_returns_by_the_deadline_and_spills_exactly() {
    let mut r = rig(config(), MockLogsApi::new().with_group(GROUP)).await;
    r.mock.set_outage(true);
    log_n(&r.log, 0..50_000);
    let started = tokio::time::Instant::now();
    let err = r
        .sink
        .close_within(Duration::from_secs(2))
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(took <= Duration::from_millis(2_100), "{took:?}");
    assert!(
        matches!(
            err,
            SinkError::Undelivered {
                undelivered: 50_000,
                ..
            }
        ),
        "{err}"
    );
    let spilled = r.spilled.lines();
    assert_eq!(spilled.len(), 50_000);
    assert!(spilled[0].starts_with("LIFT-UNDELIVERED\t/lift/test\tapp\t"));
    let stats = r.sink.shipper_stats();
    assert_eq!(stats.dropped.undeliverable, 50_000);
    assert_eq!(stats.spilled, 50_000);
    assert_eq!(stats.buffered_entries, 0);
    drop(r.guard.take());
}

#[tokio::test(start_paused = true)]
async fn a_flush_with_nothing_logged_returns_at_once_and_timeouts_report_counts() {
    let mut c = config();
    c.flush_timeout_ms = 1_000;
    let r = rig(c, MockLogsApi::new().with_group(GROUP)).await;
    r.log.flush().await.unwrap();
    r.mock.set_outage(true);
    log_n(&r.log, 0..7);
    match r.log.flush().await {
        Err(SinkError::Timeout { undelivered, .. }) => assert_eq!(undelivered, 7),
        other => panic!("{other:?}"),
    }
    r.mock.set_outage(false);
    r.sink.flush_within(Duration::from_secs(60)).await.unwrap();
    assert_eq!(r.mock.events(GROUP, "app").len(), 7);
}

#[test]
fn self_contained_mode_works_without_a_runtime() {
    let mock = MockLogsApi::new().with_group(GROUP);
    let (sink, guard) = CloudWatchSink::builder(config())
        .api(mock.clone())
        .template_values(values())
        .build_blocking()
        .unwrap();
    let log = Logger::builder().sink(sink.clone()).build();
    log_n(&log, 0..1_000);
    log.flush_blocking().unwrap();
    assert_eq!(mock.events(GROUP, "app").len(), 1_000);
    log_n(&log, 1_000..1_500);
    drop(guard); // closes with the deadline, delivering the rest
    assert_eq!(mock.events(GROUP, "app").len(), 1_500);
    assert_eq!(sink.shipper_stats().shipped, 1_500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_threads_out_of_order_timestamps_are_sorted_into_valid_batches() {
    let mock = MockLogsApi::new().with_group(GROUP);
    let (sink, guard) = CloudWatchSink::builder(config())
        .api(mock.clone())
        .template_values(values())
        .build()
        .await
        .unwrap();
    let threads: Vec<_> = (0..8u64)
        .map(|t| {
            let log = Logger::builder().sink(sink.clone()).build();
            std::thread::spawn(move || log_n(&log, t * 5_000..(t + 1) * 5_000))
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    sink.flush().await.unwrap();
    assert!(mock.violations().is_empty(), "{:?}", mock.violations());
    let unique: HashSet<u64> = delivered_ids(&mock).into_iter().collect();
    assert_eq!(unique.len(), 40_000);
    guard.close().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_five_megabyte_entry_is_truncated_to_valid_json_not_dropped() {
    let r = rig(config(), MockLogsApi::new().with_group(GROUP)).await;
    // A logger whose own entry cap is above CloudWatch's event limit: the sink truncates.
    let log = lenient_logger(&r.sink);
    let message = "é".repeat(5 * 1024 * 1024 / 2);
    log.info(&message, &[field("n", 1u64)]);
    log.flush().await.unwrap();
    let events = r.mock.events(GROUP, "app");
    assert_eq!(events.len(), 1);
    let text = &events[0].event.message;
    assert!(text.len() <= lift_cloudwatch::DEFAULT_MAX_EVENT_BYTES);
    let v: serde_json::Value = serde_json::from_str(text).expect("still valid JSON");
    assert_eq!(v["truncated"], true);
    assert!(v["original_bytes"].as_u64().unwrap() > 5_000_000);
    assert_eq!(r.sink.shipper_stats().truncated, 1);
    assert!(r.mock.violations().is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_entry_larger_than_the_whole_buffer_is_truncated_before_it_is_queued() {
    let mut c = config();
    c.max_buffer_bytes = 1 << 20;
    c.overflow = lift_cloudwatch::OverflowPolicy::Block;
    let r = rig(c, MockLogsApi::new().with_group(GROUP)).await;
    // Three times the buffer: queued whole, it could never fit.
    let message = "x".repeat(3 << 20);
    lenient_logger(&r.sink).info(&message, &[field("n", 7u64)]);
    let stats = r.sink.shipper_stats();
    assert_eq!(stats.dropped.total(), 0, "{stats:?}");
    assert_eq!(stats.truncated, 1);
    assert!(stats.truncated_bytes > 2 << 20);
    r.log.flush().await.unwrap();
    let delivered = r.mock.messages(GROUP);
    assert_eq!(delivered.len(), 1);
    let v: serde_json::Value = serde_json::from_str(&delivered[0]).expect("valid JSON");
    assert_eq!(v["truncated"], true);
    assert!(r.mock.violations().is_empty());
}

#[tokio::test(start_paused = true)]
async fn refused_entries_are_spilled_whole_when_asked() {
    let spilled = Captured::default();
    let mut c = config();
    c.max_buffer_bytes = 1 << 20;
    let mock = MockLogsApi::new().with_group(GROUP);
    mock.set_outage(true);
    let (sink, guard) = CloudWatchSink::builder(c)
        .api(mock.clone())
        .spill(Spill::new("test", Box::new(spilled.clone())))
        .spill_refused(true)
        .template_values(values())
        .build()
        .await
        .unwrap();
    let log = Logger::builder().sink(sink.clone()).build();
    log_n(&log, 0..20_000);
    let stats = sink.shipper_stats();
    let full = stats.dropped.queue_full;
    assert!(full > 0);
    assert_eq!(stats.spilled, full);
    let lines = spilled.lines();
    assert_eq!(lines.len() as u64, full);
    // The newest were refused: the last entry logged is among them, whole.
    let last = lines.last().unwrap();
    assert!(
        last.starts_with("LIFT-UNDELIVERED\t/lift/test\tapp\t"),
        "{last}"
    );
    let message = last.splitn(5, '\t').nth(4).unwrap();
    let v: serde_json::Value = serde_json::from_str(message).unwrap();
    assert_eq!(v["n"], 19_999);
    drop(guard);
}

#[tokio::test(start_paused = true)]
async fn a_second_close_with_a_nearer_deadline_brings_the_first_forward() {
    let r = rig(config(), MockLogsApi::new().with_group(GROUP)).await;
    r.mock.set_outage(true);
    log_n(&r.log, 0..1_000);
    let first = {
        let sink = r.sink.clone();
        tokio::spawn(async move { sink.close_within(Duration::from_secs(600)).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = tokio::time::Instant::now();
    let second = r.sink.close_within(Duration::ZERO).await;
    assert!(started.elapsed() < Duration::from_secs(1));
    for result in [second, first.await.unwrap()] {
        assert!(
            matches!(
                result,
                Err(SinkError::Undelivered {
                    undelivered: 1_000,
                    ..
                })
            ),
            "{result:?}"
        );
    }
    assert_eq!(r.spilled.lines().len(), 1_000);
}
