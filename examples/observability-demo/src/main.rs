//! Lift's demo: a simulated multi-tenant payment API, logged with Lift.
//!
//! Each request logs what a real payment handler would — received, authorized (10 fields),
//! captured or failed — through a child logger carrying the request, tenant, user and trace
//! ids. Every entry also carries `payload_tenant`, the tenant the handler was given, so
//! anyone can check tenant isolation from the output: it must always equal `tenant_id`.
//! A fraction of requests fail and are logged as errors with their real status.
//!
//! Each invocation also records EMF metrics (`ChargeCaptured`, `ChargeAmount`, and the
//! middleware's `Latency`, `Errors`) with a budgeted tenant dimension, written as one EMF
//! document per invocation next to the logs (to CloudWatch: its own `…/metrics` stream sent
//! with the EMF header); with `--xray` the handler and its card-network call are X-Ray
//! subsegments sent to the daemon at `AWS_XRAY_DAEMON_ADDRESS` (default 127.0.0.1:2000).
//!
//! On a terminal the demo writes console lines only (EMF documents are counted, and shown
//! with `--show-metrics`), a progress line each second for longer runs, and a short table
//! at the end (requests, entries by level, per-tenant counts, masked card numbers, errors,
//! p50/p99 latency, wall time). With `--rate-limit 50/s` each tenant's requests are
//! limited (Lift's rate limiter, in memory): requests over it are answered 429 and counted
//! in the summary. For pipes and scripts (`--summary json`, the default when
//! stderr is not a terminal) the summary is one compact JSON line on stderr. The exit code
//! is 0 only if every entry was written.

mod args;
mod charge;
mod summary;

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use args::{Args, FormatChoice, SinkChoice, SummaryChoice};
use charge::{stack, synthetic_request};
use clap::Parser;
use lift::{Metrics, XRayEmitter};
use lift_cloudwatch::{CloudWatchConfig, CloudWatchSink};
use lift_observability::{Format, Logger, MemorySink, NoopSink, Sink, WriterSink};
use summary::Totals;
use tower::{Service, ServiceExt};

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if !(0.0..=1.0).contains(&args.error_rate) {
        bail!(
            "--error-rate must be between 0 and 1, got {}",
            args.error_rate
        );
    }
    if args.tenants == 0 || args.concurrency == 0 {
        bail!("--tenants and --concurrency must be at least 1");
    }
    let format = match args.format {
        Some(FormatChoice::Json) => Format::Json,
        Some(FormatChoice::Console) => Format::Console,
        None if std::io::stdout().is_terminal() => Format::Console,
        None => Format::Json,
    };
    let mut cloudwatch = None;
    let mut emf_cloudwatch = None;
    let sink: Arc<dyn Sink> = match args.sink {
        SinkChoice::Stdout => Arc::new(WriterSink::stdout().block_buffered(64 * 1024)),
        SinkChoice::Memory => Arc::new(MemorySink::new()),
        SinkChoice::Cloudwatch => {
            let mut config = CloudWatchConfig::new(&args.log_group);
            config.log_stream = args.log_stream.clone();
            config.endpoint_url = args.endpoint_url.clone();
            config.region = args.region.clone();
            config.create_group = true;
            let mut emf_config = config.clone();
            emf_config.log_stream = "{date}/metrics".into();
            emf_config.emf = true;
            let (sink, guard) = CloudWatchSink::builder(config)
                .build_blocking()
                .context("starting the CloudWatch sink")?;
            let (emf_sink, emf_guard) = CloudWatchSink::builder(emf_config)
                .build_blocking()
                .context("starting the CloudWatch EMF sink")?;
            cloudwatch = Some((sink.clone(), guard));
            emf_cloudwatch = Some((emf_sink, emf_guard));
            Arc::new(sink)
        }
    };
    // On the console, EMF documents are JSON for CloudWatch, not for a person: counted,
    // written only when asked for.
    let metrics_apart = format == Format::Console && !args.show_metrics;
    let metrics_sink: Arc<dyn Sink> = match &emf_cloudwatch {
        Some((emf_sink, _)) => Arc::new(emf_sink.clone()),
        None if metrics_apart => Arc::new(NoopSink::new()),
        None => Arc::clone(&sink),
    };
    let metrics = Metrics::builder(&args.metrics_namespace)
        .default_dimension("service", "payments-api")
        .tenant_dimension(
            "tenant_id",
            args.tenant_budget.unwrap_or(args.tenants as usize),
        )
        .sink(metrics_sink)
        .build()
        .context("configuring metrics")?;
    let xray = args.xray.then(XRayEmitter::from_env);
    let root = Logger::builder()
        .level(args.level)
        .format(format)
        .service("payments-api")
        .field("environment", "demo")
        .shared_sink(sink)
        .build();
    let summary = args.summary.unwrap_or(if std::io::stderr().is_terminal() {
        SummaryChoice::Human
    } else {
        SummaryChoice::Json
    });

    let started = Instant::now();
    let limiter = args.rate_limit.clone().map(|limits| {
        lift_ratelimit::RateLimiter::new(lift_ratelimit::MemoryStore::new(10_000), limits)
    });
    let run = run_requests(
        &args,
        &root,
        metrics.clone(),
        xray.clone(),
        limiter.clone(),
        summary,
    )?;
    let flushed = root.flush_blocking();
    let elapsed = started.elapsed();

    let stats = root.stats();
    let shipper = cloudwatch.map(|(sink, guard)| {
        drop(guard); // closes: everything is acknowledged or counted by now
        sink.shipper_stats()
    });
    let emf_shipper = emf_cloudwatch.map(|(sink, guard)| {
        drop(guard);
        sink.shipper_stats()
    });
    let metric_stats = metrics.stats();
    // EMF documents share the log sink unless they have a sink of their own.
    let shared = emf_shipper.is_none() && !metrics_apart;
    let documents_in_log_sink = if shared { metric_stats.documents } else { 0 };
    let totals = Totals {
        requests: args.requests,
        failed_requests: run.failed,
        per_tenant: run.per_tenant,
        latencies: run.latencies,
        masked_card_numbers: root.redaction_stats().pan,
        shipped: stats.sink.delivered.saturating_sub(documents_in_log_sink),
        metric_documents: metric_stats.documents,
        cloudwatch: shipper.as_ref().map(|s| {
            (
                s.batches,
                s.retries,
                emf_shipper.as_ref().map_or(0, |e| e.shipped),
            )
        }),
        xray_sent: xray.as_ref().map(|x| x.stats().sent),
        rate_limited: args
            .rate_limit
            .as_ref()
            .map(|limits| (limits.to_string(), run.rate_limited)),
        elapsed,
        stats: stats.clone(),
    };
    match summary {
        SummaryChoice::Human => eprintln!("{}", totals.human()),
        SummaryChoice::Json => eprintln!("{}", totals.json()),
    }
    flushed.context("flushing the logger")?;
    if let Some(emf) = &emf_shipper
        && emf.shipped != metric_stats.documents
    {
        bail!(
            "{} of {} metric documents were not delivered",
            metric_stats.documents.saturating_sub(emf.shipped),
            metric_stats.documents
        );
    }
    let expected = stats.entries_logged + documents_in_log_sink;
    if stats.entries_dropped > 0 || stats.sink.delivered != expected {
        bail!(
            "{} of {} entries were not delivered",
            expected.saturating_sub(stats.sink.delivered),
            expected
        );
    }
    Ok(())
}

/// What the requests' own side measured.
struct RunResult {
    /// Answered 4xx or 5xx, apart from 429s.
    failed: u64,
    /// Answered 429 by the rate limiter.
    rate_limited: u64,
    per_tenant: Vec<u64>,
    /// Sorted.
    latencies: Vec<Duration>,
}

/// Sends `--requests` synthetic requests through the stack from `--concurrency` tasks; with
/// the human summary on a terminal, a progress line each second once a second has passed.
fn run_requests(
    args: &Args,
    root: &Logger,
    metrics: Metrics,
    xray: Option<XRayEmitter>,
    limiter: Option<lift_ratelimit::RateLimiter>,
    summary: SummaryChoice,
) -> anyhow::Result<RunResult> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.concurrency.clamp(1, 4) as usize)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let stack = stack(root, metrics, xray, limiter)?;
    let failed = Arc::new(AtomicU64::new(0));
    let limited = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let per_tenant: Arc<Vec<AtomicU64>> =
        Arc::new((0..args.tenants).map(|_| AtomicU64::new(0)).collect());
    let progress = (summary == SummaryChoice::Human && std::io::stderr().is_terminal())
        .then(|| progress_line(Arc::clone(&done), args.requests));
    let latencies = runtime.block_on(async {
        let next = Arc::new(AtomicU64::new(0));
        let workers: Vec<_> = (0..args.concurrency.min(args.requests.max(1)))
            .map(|_| {
                let mut stack = stack.clone();
                let (next, failed, limited, done, per_tenant) = (
                    Arc::clone(&next),
                    Arc::clone(&failed),
                    Arc::clone(&limited),
                    Arc::clone(&done),
                    Arc::clone(&per_tenant),
                );
                let (requests, tenants, error_rate) =
                    (args.requests, args.tenants, args.error_rate);
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        if n >= requests {
                            break;
                        }
                        let request = synthetic_request(n, tenants, error_rate)?;
                        let sent = Instant::now();
                        let response = stack.ready().await?.call(request).await?;
                        latencies.push(sent.elapsed());
                        per_tenant[(n % tenants) as usize].fetch_add(1, Ordering::Relaxed);
                        match response.status().as_u16() {
                            429 => limited.fetch_add(1, Ordering::Relaxed),
                            400.. => failed.fetch_add(1, Ordering::Relaxed),
                            _ => 0,
                        };
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    anyhow::Ok(latencies)
                })
            })
            .collect();
        let mut all = Vec::new();
        for w in workers {
            all.extend(w.await.context("a worker task panicked")??);
        }
        anyhow::Ok(all)
    })?;
    done.store(args.requests, Ordering::Relaxed);
    if let Some(progress) = progress {
        let _ = progress.join();
    }
    let mut latencies = latencies;
    latencies.sort_unstable();
    Ok(RunResult {
        failed: failed.load(Ordering::Relaxed),
        rate_limited: limited.load(Ordering::Relaxed),
        per_tenant: per_tenant
            .iter()
            .map(|n| n.load(Ordering::Relaxed))
            .collect(),
        latencies,
    })
}

/// A thread writing `… done/total requests` to stderr each second, from the first second
/// on, until every request is done.
fn progress_line(done: Arc<AtomicU64>, total: u64) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let started = Instant::now();
        let mut shown = 0;
        loop {
            std::thread::sleep(Duration::from_millis(50));
            let now = done.load(Ordering::Relaxed);
            if now >= total {
                return;
            }
            let secs = started.elapsed().as_secs();
            if secs > shown {
                shown = secs;
                eprintln!("… {now}/{total} requests ({}%)", now * 100 / total.max(1));
            }
        }
    })
}
