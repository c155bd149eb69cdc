//! Emulator suite: the real AWS SDK against a real CloudWatch Logs API (`moto_server`).
//! Behind the `emulator` feature, which `scripts/test.sh` turns on after installing moto.
//!
//! Each test starts its own `moto_server` on a free loopback port with dummy credentials
//! (see `tests/support/moto.rs`). moto checks the wire protocol, group/stream lifecycle and
//! chronological order; the batch-size rules it does not check are covered by the strict
//! mock in `shipping.rs`.
mod lift_ship;

use std::sync::Arc;

use crate::support::moto::{Moto, read_stream, unique_group};
use crate::support::proxy::{FaultProxy, Faults};
use lift_cloudwatch::{CloudWatchConfig, CloudWatchSink, SdkLogsApi, TemplateValues};
use lift_observability::{Logger, field};

fn values() -> TemplateValues {
    TemplateValues {
        date: "2026-11-27".into(),
        hostname: "host".into(),
        instance_id: "0123456789abcdef".into(),
    }
}

async fn sink_for(
    moto: &Moto,
    config: CloudWatchConfig,
) -> (CloudWatchSink, lift_cloudwatch::CloudWatchGuard) {
    CloudWatchSink::builder(config)
        .shared_api(Arc::new(SdkLogsApi::from_config_builder(moto.sdk_config())))
        .template_values(values())
        .build()
        .await
        .expect("sink")
}

fn n_of(message: &str) -> u64 {
    let v: serde_json::Value = serde_json::from_str(message).expect("JSON line");
    v["n"].as_u64().expect("n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_round_trip_of_fifty_thousand_entries_over_five_streams() {
    let moto = Moto::start();
    let group = unique_group("round-trip");
    let mut config = CloudWatchConfig::new(&group);
    config.log_stream = "{date}/{tenant_id}".into();
    config.create_group = true;
    let (sink, guard) = sink_for(&moto, config).await;
    let log = Logger::builder().sink(sink.clone()).build();
    let tenants: Vec<Logger> = (0..5)
        .map(|t| log.with_tenant_id(&format!("tenant-{t}")))
        .collect();
    for n in 0..50_000u64 {
        tenants[(n % 5) as usize].info(
            "Charge captured",
            &[
                field("n", n),
                field("amount", 1250),
                field("currency", "USD"),
            ],
        );
    }
    log.flush().await.expect("every entry acknowledged");
    let stats = sink.shipper_stats();
    assert_eq!(stats.shipped, 50_000);
    assert_eq!(stats.dropped.total(), 0);

    let client = moto.client();
    let mut total = 0;
    for t in 0..5u64 {
        let stream = format!("2026-11-27/tenant-{t}");
        let events = read_stream(&client, &group, &stream).await;
        assert_eq!(events.len(), 10_000, "{stream}");
        let ns: Vec<u64> = events.iter().map(|(_, m)| n_of(m)).collect();
        let expected: Vec<u64> = (0..10_000).map(|i| i * 5 + t).collect();
        assert_eq!(ns, expected, "content and order in {stream}");
        assert!(
            events
                .iter()
                .all(|(_, m)| m.contains(&format!(r#""tenant_id":"tenant-{t}""#)))
        );
        assert!(events.windows(2).all(|w| w[0].0 <= w[1].0));
        total += events.len();
    }
    assert_eq!(total, 50_000);
    guard.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_lazy_creation_of_group_stream_and_retention() {
    let moto = Moto::start();
    let group = unique_group("lazy");
    let mut config = CloudWatchConfig::new(&group);
    config.log_stream = "app/{hostname}".into();
    config.create_group = true;
    config.retention_days = Some(14);
    let (sink, guard) = sink_for(&moto, config).await;
    let log = Logger::builder().sink(sink.clone()).build();
    log.info("hello", &[field("n", 0)]);
    log.flush().await.unwrap();
    let client = moto.client();
    let groups = client
        .describe_log_groups()
        .log_group_name_prefix(&group)
        .send()
        .await
        .unwrap();
    let described = &groups.log_groups()[0];
    assert_eq!(described.log_group_name(), Some(group.as_str()));
    assert_eq!(described.retention_in_days(), Some(14));
    let events = read_stream(&client, &group, "app/host").await;
    assert_eq!(events.len(), 1);
    assert!(sink.shipper_stats().create_calls >= 2);
    guard.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_stream_and_group_deleted_mid_run_recover_without_loss() {
    let moto = Moto::start();
    let group = unique_group("deleted");
    let mut config = CloudWatchConfig::new(&group);
    config.log_stream = "app".into();
    config.create_group = true;
    let (sink, guard) = sink_for(&moto, config).await;
    let log = Logger::builder().sink(sink.clone()).build();
    let client = moto.client();

    let batch = |from: u64| {
        for n in from..from + 1_000 {
            log.info("Charge captured", &[field("n", n)]);
        }
    };
    batch(0);
    log.flush().await.unwrap();
    client
        .delete_log_stream()
        .log_group_name(&group)
        .log_stream_name("app")
        .send()
        .await
        .unwrap();
    batch(1_000);
    log.flush().await.unwrap();
    let after_stream_delete = read_stream(&client, &group, "app").await;
    assert_eq!(
        after_stream_delete
            .iter()
            .map(|(_, m)| n_of(m))
            .collect::<Vec<_>>(),
        (1_000..2_000).collect::<Vec<_>>()
    );

    client
        .delete_log_group()
        .log_group_name(&group)
        .send()
        .await
        .unwrap();
    batch(2_000);
    log.flush().await.unwrap();
    let after_group_delete = read_stream(&client, &group, "app").await;
    assert_eq!(
        after_group_delete
            .iter()
            .map(|(_, m)| n_of(m))
            .collect::<Vec<_>>(),
        (2_000..3_000).collect::<Vec<_>>()
    );
    let stats = sink.shipper_stats();
    assert_eq!(stats.shipped, 3_000);
    assert_eq!(stats.dropped.total(), 0);
    guard.close().await.unwrap();
}

fn ns_of(events: &[(i64, String)]) -> Vec<u64> {
    events.iter().map(|(_, m)| n_of(m)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_through_a_faulty_network_every_entry_arrives() {
    let moto = Moto::start();
    let upstream = moto.endpoint.trim_start_matches("http://").to_owned();
    let faults = Faults {
        throttle: 0.1,
        unavailable: 0.1,
        reset: 0.05,
        committed_then_reset: 0.05,
        slow: 0.03,
    };
    let proxy = FaultProxy::start(upstream, faults, 7).await;
    let group = unique_group("faulty");
    let mut config = CloudWatchConfig::new(&group);
    config.log_stream = "{tenant_id}".into();
    config.create_group = true;
    config.retry_base_ms = 20;
    config.retry_cap_ms = 500;
    config.flush_timeout_ms = 120_000;
    let api = SdkLogsApi::from_config_builder(moto.sdk_config().endpoint_url(&proxy.endpoint));
    let (sink, guard) = CloudWatchSink::builder(config)
        .shared_api(Arc::new(api))
        .template_values(values())
        .seed(3)
        .build()
        .await
        .unwrap();
    let log = Logger::builder().sink(sink.clone()).build();
    let tenants: Vec<Logger> = (0..4)
        .map(|t| log.with_tenant_id(&format!("t{t}")))
        .collect();
    let produced = 8_000u64;
    for n in 0..produced {
        tenants[(n % 4) as usize].info("Charge captured", &[field("n", n)]);
        if n % 400 == 399 {
            // Small batches, many calls: many chances for faults.
            let _ = sink.flush_within(std::time::Duration::from_secs(60)).await;
        }
        if n == produced / 2 {
            proxy.set_down(true); // the endpoint disappears for a while
            tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
            proxy.set_down(false);
        }
    }
    log.flush().await.expect("everything acknowledged");
    let stats = sink.shipper_stats();
    assert_eq!(stats.dropped.total(), 0, "{stats:?}");
    assert!(stats.retries > 0 && stats.throttles > 0, "{stats:?}");
    let counts = &proxy.counts;
    let lost_replies = counts
        .committed_then_reset
        .load(std::sync::atomic::Ordering::Relaxed);
    assert!(counts.throttled.load(std::sync::atomic::Ordering::Relaxed) > 0);
    assert!(counts.reset.load(std::sync::atomic::Ordering::Relaxed) > 0);

    let client = moto.client();
    let mut all = Vec::new();
    for t in 0..4 {
        all.extend(ns_of(&read_stream(&client, &group, &format!("t{t}")).await));
    }
    let unique: std::collections::HashSet<u64> = all.iter().copied().collect();
    assert_eq!(unique.len() as u64, produced, "every entry arrived");
    let duplicates = all.len() - unique.len();
    assert!(
        duplicates == 0 || lost_replies > 0,
        "duplicates only where a committed reply was lost ({duplicates} duplicates, {lost_replies} lost replies)"
    );
    guard.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_killed_and_restarted_mid_stream_loses_nothing_in_the_buffer() {
    let mut moto = Moto::start();
    let group = unique_group("restart");
    let mut config = CloudWatchConfig::new(&group);
    config.log_stream = "app".into();
    config.create_group = true;
    config.retry_base_ms = 50;
    config.retry_cap_ms = 1_000;
    config.flush_timeout_ms = 120_000;
    let (sink, guard) = sink_for(&moto, config).await;
    let log = Logger::builder().sink(sink.clone()).build();
    for n in 0..1_000u64 {
        log.info("before", &[field("n", n)]);
    }
    log.flush().await.unwrap();
    moto.stop();
    // Logged while the endpoint is gone: held in the buffer, retried.
    for n in 1_000..3_000u64 {
        log.info("during", &[field("n", n)]);
    }
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    moto.restart(); // a new, empty emulator: group and stream are created again
    for n in 3_000..4_000u64 {
        log.info("after", &[field("n", n)]);
    }
    log.flush()
        .await
        .expect("everything acknowledged after the restart");
    let stats = sink.shipper_stats();
    assert_eq!(stats.dropped.total(), 0, "{stats:?}");
    assert!(stats.retries > 0);
    let ns = ns_of(&read_stream(&moto.client(), &group, "app").await);
    let unique: std::collections::HashSet<u64> = ns.iter().copied().collect();
    // The restarted emulator forgot what was acknowledged before; everything since is there.
    assert!((1_000..4_000).all(|n| unique.contains(&n)));
    guard.close().await.unwrap();
}

/// Records the `x-amzn-logs-format` header of every request the client sends.
#[derive(Debug, Clone, Default)]
struct FormatHeaders(Arc<std::sync::Mutex<Vec<Option<String>>>>);

impl aws_sdk_cloudwatchlogs::config::Intercept for FormatHeaders {
    fn name(&self) -> &'static str {
        "FormatHeaders"
    }
    fn read_before_transmit(
        &self,
        context: &aws_sdk_cloudwatchlogs::config::interceptors::BeforeTransmitInterceptorContextRef<
            '_,
        >,
        _: &aws_sdk_cloudwatchlogs::config::RuntimeComponents,
        _: &mut aws_sdk_cloudwatchlogs::config::ConfigBag,
    ) -> Result<(), aws_sdk_cloudwatchlogs::error::BoxError> {
        let request = context.request();
        let target = request.headers().get("x-amz-target").unwrap_or_default();
        if target.ends_with("PutLogEvents") {
            let format = request
                .headers()
                .get("x-amzn-logs-format")
                .map(str::to_owned);
            self.0.lock().unwrap().push(format);
        }
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_emf_documents_ship_with_the_logs_format_header() {
    use lift_observability::metrics::{Metrics, Unit, check::check_document};

    let moto = Moto::start();
    let group = unique_group("emf");
    let mut config = CloudWatchConfig::new(&group);
    config.create_group = true;
    config.log_stream = "metrics".into();
    config.emf = true;
    let headers = FormatHeaders::default();
    let api = SdkLogsApi::from_config_builder(moto.sdk_config().interceptor(headers.clone()))
        .with_emf(config.emf);
    let (sink, guard) = CloudWatchSink::builder(config)
        .shared_api(Arc::new(api))
        .template_values(values())
        .build()
        .await
        .expect("sink");
    let metrics = Metrics::builder("Lift/Test")
        .default_dimension("service", "emf-test")
        .sink(Arc::new(sink.clone()))
        .build()
        .unwrap();
    for i in 0..150 {
        metrics.record("Latency", f64::from(i), Unit::Milliseconds);
        metrics.count("Calls", 1.0);
    }
    assert_eq!(metrics.flush().documents, 2);
    lift_observability::Sink::flush(&sink)
        .await
        .expect("delivered");
    guard.close().await.expect("closed");

    let events = read_stream(&moto.client(), &group, "metrics").await;
    assert_eq!(events.len(), 2);
    let now = lift_observability::system_millis();
    let mut latencies = 0;
    for (_, message) in &events {
        let summary = check_document(message, now).unwrap_or_else(|p| panic!("{p:?}: {message}"));
        latencies += summary
            .metrics
            .iter()
            .filter(|(_, name, _)| name == "Latency")
            .map(|(_, _, v)| v.len())
            .sum::<usize>();
    }
    assert_eq!(latencies, 150);
    let seen = headers.0.lock().unwrap().clone();
    assert!(!seen.is_empty());
    assert!(
        seen.iter().all(|h| h.as_deref() == Some("json/emf")),
        "{seen:?}"
    );
}
