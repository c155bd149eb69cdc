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

mod summary;

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::{Parser, ValueEnum};
use lift::{ErrorKind, LiftError, Metrics, XRayEmitter};
use lift_cloudwatch::{CloudWatchConfig, CloudWatchSink};
use lift_observability::{
    Format, LevelFilter, Logger, MemorySink, NoopSink, Sink, Value, WriterSink, error, info, warn,
};
use summary::Totals;
use tower::{Service, ServiceExt};

/// Simulates a multi-tenant payment API and logs it with Lift.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Requests to simulate.
    #[arg(long, default_value_t = 1000)]
    requests: u64,
    /// Distinct tenants.
    #[arg(long, default_value_t = 5)]
    tenants: u64,
    /// Worker threads handling requests concurrently.
    #[arg(long, default_value_t = 16)]
    concurrency: u64,
    /// Where logs go.
    #[arg(long, value_enum, default_value_t = SinkChoice::Stdout)]
    sink: SinkChoice,
    /// Log format (default: console on a terminal, JSON otherwise).
    #[arg(long, value_enum)]
    format: Option<FormatChoice>,
    /// Fraction of requests that fail (0.0 to 1.0).
    #[arg(long, default_value_t = 0.02)]
    error_rate: f64,
    /// Minimum level written.
    #[arg(long, default_value = "info")]
    level: LevelFilter,
    /// CloudWatch log group (with `--sink cloudwatch`).
    #[arg(long, default_value = "/lift/demo")]
    log_group: String,
    /// CloudWatch log stream template (with `--sink cloudwatch`).
    #[arg(long, default_value = "{date}/{tenant_id}")]
    log_stream: String,
    /// CloudWatch endpoint URL, for example a local emulator (with `--sink cloudwatch`).
    #[arg(long)]
    endpoint_url: Option<String>,
    /// AWS region (with `--sink cloudwatch`; default from the environment).
    #[arg(long)]
    region: Option<String>,
    /// CloudWatch metrics namespace for the EMF documents.
    #[arg(long, default_value = "Lift/Demo")]
    metrics_namespace: String,
    /// Distinct tenants per minute that get their own metric dimension value (default: as
    /// many as `--tenants`, so none is folded into `__other__`).
    #[arg(long)]
    tenant_budget: Option<usize>,
    /// The end-of-run summary: a table for a person or one JSON line (default: the table
    /// when stderr is a terminal).
    #[arg(long, value_enum)]
    summary: Option<SummaryChoice>,
    /// Also write the EMF metric documents with console output (they are always written
    /// with JSON output).
    #[arg(long)]
    show_metrics: bool,
    /// Send X-Ray subsegments to the daemon at `AWS_XRAY_DAEMON_ADDRESS`.
    #[arg(long)]
    xray: bool,
    /// Limit each tenant's requests (`50/s`, `1000/min,20000/h`); requests over it are
    /// answered 429 and counted in the summary.
    #[arg(long)]
    rate_limit: Option<lift_ratelimit::Limits>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SinkChoice {
    Stdout,
    Memory,
    Cloudwatch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SummaryChoice {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatChoice {
    Json,
    Console,
}

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

/// The handler stack: Lift's middleware (logs, metrics, X-Ray) around `handle_charge`,
/// behind the per-tenant rate limiter when there is one.
fn stack(
    root: &Logger,
    metrics: Metrics,
    xray: Option<XRayEmitter>,
    limiter: Option<lift_ratelimit::RateLimiter>,
) -> anyhow::Result<DemoStack> {
    let mut app = lift::App::new().logger(root.clone()).metrics(metrics);
    if let Some(x) = xray {
        app = app.xray(x);
    }
    let limited = limiter.map(|limiter| {
        let layer = lift_ratelimit::RateLimitLayer::new(limiter).key(lift_ratelimit::KeyBy::Tenant);
        tower::Layer::layer(&layer, charge as ChargeFn)
    });
    app.http_service(DemoHandler { limited })
        .map_err(|e| anyhow::anyhow!("building the handler stack: {e}"))
}

/// The demo's HTTP stack.
type DemoStack = lift::HttpService<DemoHandler>;

/// `handle_charge`, behind the rate limiter when `--rate-limit` is given.
#[derive(Clone)]
struct DemoHandler {
    limited: Option<lift_ratelimit::RateLimited<ChargeFn>>,
}

impl lift::Handler<lift::Request> for DemoHandler {
    type Response = lift::HttpResponse;
    type Future = ChargeFuture;

    fn call(&self, ctx: lift::Context, request: lift::Request) -> ChargeFuture {
        match &self.limited {
            Some(limited) => lift::Handler::call(limited, ctx, request),
            None => charge(ctx, request),
        }
    }
}
/// The handler as a plain function pointer (so the stack has a nameable type).
type ChargeFn = fn(lift::Context, lift::Request) -> ChargeFuture;

type ChargeFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<lift::HttpResponse, LiftError>> + Send>,
>;

fn charge(ctx: lift::Context, request: lift::Request) -> ChargeFuture {
    Box::pin(handle_charge(ctx, request))
}

/// One simulated payment request: received, authorized, then captured or failed.
/// One synthetic API Gateway (REST) event for request `n`, as the Lambda adapter would
/// receive it: tenant, user and trace in the headers, the charge in the body.
fn synthetic_request(n: u64, tenants: u64, error_rate: f64) -> anyhow::Result<lift::Request> {
    let mut rng = SplitMix(n);
    let tenant = format!("tenant-{}", n % tenants);
    let user = format!("user-{}", rng.next() % 1000);
    let trace = format!(
        "Root=1-{:08x}-{:024x};Parent={:016x};Sampled=1",
        0x6747_0000 + n as u32,
        u128::from(rng.next()) * 0x1_0000_0001 % (1 << 96),
        rng.next()
    );
    let currency = ["USD", "EUR", "GBP"][(rng.next() % 3) as usize];
    let body = serde_json::json!({
        "n": n,
        "tenant": tenant,
        "amount": 100 + rng.next() % 99_900,
        "currency": currency,
        "fail": (rng.next() % 10_000) as f64 / 10_000.0 < error_rate,
    })
    .to_string();
    let mut event = lift::local::apigw_v1_event(
        "POST",
        "/charges",
        &[("X-Amzn-Trace-Id", &trace)],
        Some(&body),
    );
    // Tenant and user as an API Gateway authorizer passes them once it has verified the
    // caller (headers a client sets are not trusted by default).
    event["requestContext"]["authorizer"]["claims"] =
        serde_json::json!({"sub": user, "tenant_id": tenant});
    lift::local::http_request(&event).context("building a synthetic API Gateway event")
}

/// The demo's payment handler: at least three entries per request, each carrying
/// `payload_tenant` (the tenant named in the request body it was given).
async fn handle_charge(
    ctx: lift::Context,
    request: lift::Request,
) -> Result<lift::HttpResponse, LiftError> {
    let charge: serde_json::Value = serde_json::from_slice(request.body())
        .map_err(|e| LiftError::bad_request(format!("malformed charge body: {e}")))?;
    let n = charge["n"].as_u64().unwrap_or(0);
    let mut rng = SplitMix(n ^ 0x5eed);
    let tenant = charge["tenant"].as_str().unwrap_or_default();
    let amount = charge["amount"].as_u64().unwrap_or(0);
    let currency = charge["currency"].as_str().unwrap_or("USD");
    let log = ctx.logger().with_field("payload_tenant", tenant);
    info!(log, "Charge received"; "amount" => amount, "currency" => currency);
    info!(log, "Charge authorized";
        "amount" => amount,
        "currency" => currency,
        "merchant_id" => format!("m_{:06x}", rng.next() % 0xff_ffff),
        "card_brand" => "visa",
        // A test card number: redaction masks it to 4111 11** **** 1111 on every line.
        "card_number" => "4111 1111 1111 1111",
        "attempt" => 1,
        "risk_score" => (rng.next() % 1000) as f64 / 1000.0,
        "three_ds" => rng.next().is_multiple_of(2),
        "customer_id" => format!("cus_{:05}", rng.next() % 100_000),
        "idempotency_key" => format!("idem-{n}"));
    let mut network = ctx.subsegment("card-network.capture");
    network
        .namespace("remote")
        .http_request("POST", "https://card-network.example/v1/capture");
    if charge["fail"].as_bool().unwrap_or(false) {
        let err = std::io::Error::new(std::io::ErrorKind::TimedOut, "card network timed out");
        network.record_error(&err).http_status(504);
        network.end();
        error!(log, "Capture failed"; "error" => Value::error(&err));
        return Err(LiftError::new(
            ErrorKind::Timeout,
            "the card network did not answer in time",
        )
        .with_source(err));
    }
    network.http_status(200);
    network.end();
    if amount > 90_000 {
        warn!(log, "Large charge flagged for review"; "amount" => amount);
    }
    info!(log, "Charge captured"; "amount" => amount, "currency" => currency);
    let metrics = ctx.metrics();
    metrics.count("ChargeCaptured", 1.0);
    metrics
        .metric("ChargeAmount")
        .dimensions(&[("currency", currency)])
        .record(amount as f64);
    http::Response::builder()
        .status(201)
        .header("content-type", "application/json")
        .body(
            serde_json::json!({"status": "captured", "amount": amount})
                .to_string()
                .into(),
        )
        .map_err(|e| LiftError::internal("could not build the response").with_source(e))
}

/// A small deterministic generator, so every run logs the same flow.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo_stack(xray: Option<XRayEmitter>) -> (MemorySink, DemoStack) {
        demo_stack_with(xray, None)
    }

    fn demo_stack_with(
        xray: Option<XRayEmitter>,
        limiter: Option<lift_ratelimit::RateLimiter>,
    ) -> (MemorySink, DemoStack) {
        let sink = lift_observability::MemorySink::new();
        let root = Logger::builder().sink(sink.clone()).build();
        let metrics = Metrics::builder("Lift/Demo")
            .tenant_dimension("tenant_id", 2)
            .sink(Arc::new(sink.clone()))
            .build()
            .unwrap();
        (sink, stack(&root, metrics, xray, limiter).unwrap())
    }

    #[tokio::test]
    async fn with_a_rate_limit_each_tenant_over_it_is_answered_429() {
        let limiter = lift_ratelimit::RateLimiter::new(
            lift_ratelimit::MemoryStore::new(100),
            "3/h".parse().unwrap(),
        );
        let (sink, mut stack) = demo_stack_with(None, Some(limiter.clone()));
        let mut statuses = Vec::new();
        for n in 0..10 {
            // Two tenants in turn, no simulated failures.
            let request = synthetic_request(n, 2, 0.0).unwrap();
            let response = stack.ready().await.unwrap().call(request).await.unwrap();
            statuses.push(response.status().as_u16());
        }
        assert_eq!(statuses, [201, 201, 201, 201, 201, 201, 429, 429, 429, 429]);
        assert_eq!(limiter.stats().denied, 4);
        let denials = sink
            .entries()
            .into_iter()
            .filter(|e| e["message"] == "Rate limit exceeded")
            .count();
        assert_eq!(denials, 4);
    }

    #[tokio::test]
    async fn the_card_number_comes_out_masked_and_every_entry_carries_its_tenant() {
        let (sink, mut stack) = demo_stack(None);
        for n in 0..20 {
            let request = synthetic_request(n, 3, 0.2).unwrap();
            let _ = stack.ready().await.unwrap().call(request).await.unwrap();
        }
        let lines = sink.lines();
        assert!(lines.iter().all(|l| !l.contains("4111 1111 1111 1111")));
        let authorized: Vec<_> = sink
            .entries()
            .into_iter()
            .filter(|e| e["message"] == "Charge authorized")
            .collect();
        assert_eq!(authorized.len(), 20);
        for e in &authorized {
            assert_eq!(e["card_number"], "4111 11** **** 1111");
            let fields = [
                "amount",
                "currency",
                "merchant_id",
                "card_brand",
                "card_number",
                "attempt",
                "risk_score",
                "three_ds",
                "customer_id",
                "idempotency_key",
            ];
            assert!(
                fields.iter().all(|f| e.get(*f).is_some()),
                "ten fields: {e}"
            );
        }
        for e in sink
            .entries()
            .iter()
            .filter(|e| e.get("payload_tenant").is_some())
        {
            assert_eq!(e["payload_tenant"], e["tenant_id"]);
        }
        // One valid EMF document per invocation (two for the captured ones: the currency
        // dimension makes a second set).
        let now = lift_observability::system_millis();
        let emf: Vec<_> = lines.iter().filter(|l| l.contains("\"_aws\"")).collect();
        assert!(emf.len() >= 20, "{}", emf.len());
        for doc in emf {
            lift_observability::metrics::check::check_document(doc, now)
                .unwrap_or_else(|p| panic!("{p:?}: {doc}"));
        }
    }

    #[tokio::test]
    async fn a_demo_invocation_sends_linked_xray_documents_to_a_local_daemon() {
        let daemon = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        daemon
            .set_read_timeout(Some(std::time::Duration::from_millis(500)))
            .unwrap();
        let (_sink, mut stack) = demo_stack(Some(XRayEmitter::new(daemon.local_addr().unwrap())));
        // Request 1 succeeds, a failing one gets a fault on the network call.
        let request = synthetic_request(1, 3, 0.0).unwrap();
        let trace = request.headers()["x-amzn-trace-id"]
            .to_str()
            .unwrap()
            .to_owned();
        let _ = stack.ready().await.unwrap().call(request).await.unwrap();
        let request = synthetic_request(2, 3, 1.0).unwrap();
        let _ = stack.ready().await.unwrap().call(request).await.unwrap();
        let mut docs = Vec::new();
        let mut buf = vec![0u8; 65_536];
        while let Ok(n) = daemon.recv(&mut buf) {
            let text = std::str::from_utf8(&buf[..n]).unwrap();
            let (_, doc) = text.split_once('\n').unwrap();
            docs.push(serde_json::from_str::<serde_json::Value>(doc).unwrap());
        }
        assert_eq!(docs.len(), 4, "two subsegments per invocation");
        let header = lift::TraceHeader::parse(&trace).unwrap();
        let (network, handler) = (&docs[0], &docs[1]);
        assert_eq!(handler["trace_id"], header.root.as_str());
        assert_eq!(handler["parent_id"], header.parent.as_deref().unwrap());
        assert_eq!(handler["annotations"]["tenant_id"], "tenant-1");
        assert_eq!(network["parent_id"], handler["id"]);
        assert_eq!(network["namespace"], "remote");
        assert!(network.get("fault").is_none());
        let (failed_network, failed_handler) = (&docs[2], &docs[3]);
        assert_eq!(failed_network["fault"], true);
        assert_eq!(
            failed_handler["fault"], true,
            "a 504 from a timeout is a fault"
        );
    }
}
