//! Soak: log at a fixed rate into CloudWatch Logs (moto) through the fault-injecting proxy
//! for a while, sampling resident memory. Run by `scripts/soak.sh`, not on every CI run.
//!
//! Usage: `soak <moto endpoint> <seconds> <lines per second>`. Prints one JSON line per
//! sample and a final summary; exits non-zero if an entry was dropped or resident memory
//! grew past the buffer bound plus a constant.

#[path = "../tests/support/proxy.rs"]
#[allow(dead_code)]
mod proxy;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use aws_sdk_cloudwatchlogs::config::{BehaviorVersion, Credentials, Region};
use lift_cloudwatch::{CloudWatchConfig, CloudWatchSink, SdkLogsApi};
use lift_observability::{Logger, field};

/// Allowed growth of resident memory beyond the buffer bound (allocator slack, SDK pools).
const RSS_SLACK_BYTES: u64 = 64 * 1024 * 1024;

fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let endpoint = args
        .get(1)
        .context("usage: soak <moto endpoint> <seconds> <rate>")?;
    let seconds: u64 = args.get(2).map_or(Ok(600), |s| s.parse())?;
    let rate: u64 = args.get(3).map_or(Ok(2_000), |s| s.parse())?;

    let upstream = endpoint.trim_start_matches("http://").to_owned();
    let faults = proxy::Faults {
        throttle: 0.05,
        unavailable: 0.05,
        reset: 0.02,
        committed_then_reset: 0.02,
        slow: 0.01,
    };
    let proxy = proxy::FaultProxy::start(upstream, faults, 11).await;
    let sdk = aws_sdk_cloudwatchlogs::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "soak"))
        .endpoint_url(&proxy.endpoint);
    let mut config = CloudWatchConfig::new("/lift/soak");
    config.log_stream = "{tenant_id}".into();
    config.create_group = true;
    config.max_buffer_bytes = 8 << 20;
    let buffer_bound = config.max_buffer_bytes as u64;
    let (sink, guard) = CloudWatchSink::builder(config)
        .shared_api(Arc::new(SdkLogsApi::from_config_builder(sdk)))
        .build()
        .await?;
    let log = Logger::builder().sink(sink.clone()).build();
    let tenants: Vec<Logger> = (0..8)
        .map(|t| log.with_tenant_id(&format!("t{t}")))
        .collect();

    let start_rss = rss_bytes();
    let mut max_rss = start_rss;
    let started = Instant::now();
    let mut n = 0u64;
    let mut next_sample = Duration::from_secs(10);
    let tick = Duration::from_millis(10);
    while started.elapsed() < Duration::from_secs(seconds) {
        let due = rate * started.elapsed().as_millis() as u64 / 1000;
        while n < due {
            tenants[(n % 8) as usize].info(
                "Charge captured",
                &[
                    field("n", n),
                    field("amount", 1250),
                    field("currency", "USD"),
                ],
            );
            n += 1;
        }
        if started.elapsed() >= next_sample {
            let rss = rss_bytes();
            max_rss = max_rss.max(rss);
            let s = sink.shipper_stats();
            println!(
                "{}",
                serde_json::json!({"t_s": next_sample.as_secs(), "logged": n, "shipped": s.shipped,
                    "dropped": s.dropped.total(), "buffered_bytes": s.buffered_bytes,
                    "retries": s.retries, "rss_bytes": rss})
            );
            next_sample += Duration::from_secs(10);
        }
        tokio::time::sleep(tick).await;
    }
    let flushed = log.flush().await;
    guard.close().await.ok();
    let s = sink.shipper_stats();
    let growth = max_rss.saturating_sub(start_rss);
    let bounded = growth <= buffer_bound + RSS_SLACK_BYTES;
    println!(
        "{}",
        serde_json::json!({"summary": true, "seconds": seconds, "rate": rate, "logged": n,
            "shipped": s.shipped, "dropped": s.dropped, "retries": s.retries,
            "throttles": s.throttles, "start_rss_bytes": start_rss, "max_rss_bytes": max_rss,
            "rss_growth_bytes": growth, "buffer_bound_bytes": buffer_bound,
            "flushed": flushed.is_ok(), "memory_bounded": bounded})
    );
    anyhow::ensure!(
        flushed.is_ok() && s.dropped.total() == 0,
        "entries were dropped"
    );
    anyhow::ensure!(bounded, "resident memory grew by {growth} bytes");
    Ok(())
}
