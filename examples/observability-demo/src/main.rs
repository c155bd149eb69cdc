//! Lift's demo: a simulated multi-tenant payment API, logged with Lift.
//!
//! Each request logs what a real payment handler would — received, authorized (10 fields),
//! captured or failed — through a child logger carrying the request, tenant, user and trace
//! ids. Every entry also carries `payload_tenant`, the tenant the handler was given, so
//! anyone can check tenant isolation from the output: it must always equal `tenant_id`.
//! A fraction of requests fail and are logged as errors with their real status.
//!
//! At the end one JSON summary line goes to stderr (`requests`, `entries`, `shipped`,
//! `dropped`, `batches`, `retries`, `elapsed_ms`, plus the logger's full stats), and the
//! exit code is 0 only if every entry was written.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::{Parser, ValueEnum};
use lift_cloudwatch::{CloudWatchConfig, CloudWatchSink};
use lift_observability::{
    Format, LevelFilter, Logger, MemorySink, Sink, Value, WriterSink, error, info, warn,
};

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
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SinkChoice {
    Stdout,
    Memory,
    Cloudwatch,
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
    let sink: Arc<dyn Sink> = match args.sink {
        SinkChoice::Stdout => Arc::new(WriterSink::stdout().block_buffered(64 * 1024)),
        SinkChoice::Memory => Arc::new(MemorySink::new()),
        SinkChoice::Cloudwatch => {
            let mut config = CloudWatchConfig::new(&args.log_group);
            config.log_stream = args.log_stream.clone();
            config.endpoint_url = args.endpoint_url.clone();
            config.region = args.region.clone();
            config.create_group = true;
            let (sink, guard) = CloudWatchSink::builder(config)
                .build_blocking()
                .context("starting the CloudWatch sink")?;
            cloudwatch = Some((sink.clone(), guard));
            Arc::new(sink)
        }
    };
    let root = Logger::builder()
        .level(args.level)
        .format(format)
        .service("payments-api")
        .field("environment", "demo")
        .shared_sink(sink)
        .build();

    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> = (0..args.concurrency.min(args.requests.max(1)))
        .map(|worker| {
            let (root, next) = (root.clone(), Arc::clone(&next));
            let (requests, tenants, error_rate) = (args.requests, args.tenants, args.error_rate);
            thread::Builder::new()
                .name(format!("worker-{worker}"))
                .spawn(move || {
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        if n >= requests {
                            break;
                        }
                        handle_request(&root, n, tenants, error_rate);
                    }
                })
        })
        .collect::<Result<_, _>>()
        .context("starting worker threads")?;
    for w in workers {
        w.join()
            .map_err(|_| anyhow::anyhow!("a worker thread panicked"))?;
    }
    let flushed = root.flush_blocking();
    let elapsed = started.elapsed();

    let stats = root.stats();
    let shipper = cloudwatch.map(|(sink, guard)| {
        drop(guard); // closes: everything is acknowledged or counted by now
        sink.shipper_stats()
    });
    let summary = serde_json::json!({
        "requests": args.requests,
        "entries": stats.entries_logged,
        "shipped": stats.sink.delivered,
        "dropped": stats.entries_dropped,
        "batches": shipper.as_ref().map(|s| s.batches),
        "retries": shipper.as_ref().map(|s| s.retries),
        "elapsed_ms": elapsed.as_millis() as u64,
        "stats": stats,
    });
    eprintln!("{summary}");
    flushed.context("flushing the logger")?;
    if stats.entries_dropped > 0 || stats.sink.delivered != stats.entries_logged {
        bail!(
            "{} of {} entries were not delivered",
            stats.entries_logged - stats.sink.delivered,
            stats.entries_logged
        );
    }
    Ok(())
}

/// One simulated payment request: received, authorized, then captured or failed.
fn handle_request(root: &Logger, n: u64, tenants: u64, error_rate: f64) {
    let mut rng = SplitMix(n);
    let tenant = format!("tenant-{}", n % tenants);
    let request_id = format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        rng.next() as u32,
        rng.next() as u16,
        rng.next() % 4096,
        rng.next() % 4096,
        rng.next() % (1 << 48)
    );
    let trace_id = format!(
        "1-{:08x}-{:024x}",
        0x6747_0000 + n as u32,
        rng.next() as u128 * 0x1_0000_0001 % (1 << 96)
    );
    let user = format!("user-{}", rng.next() % 1000);
    let log = root
        .with_request_id(&request_id)
        .with_tenant_id(&tenant)
        .with_user_id(&user)
        .with_trace_id(&trace_id)
        .with_field("payload_tenant", tenant.as_str());

    let started = Instant::now();
    let amount = 100 + rng.next() % 99_900;
    let currency = ["USD", "EUR", "GBP"][(rng.next() % 3) as usize];
    info!(log, "Request received"; "method" => "POST", "path" => "/charges");
    info!(log, "Charge authorized";
        "amount" => amount,
        "currency" => currency,
        "merchant_id" => format!("m_{:06x}", rng.next() % 0xff_ffff),
        "card_brand" => "visa",
        "card_last4" => format!("{:04}", rng.next() % 10_000),
        "attempt" => 1,
        "risk_score" => (rng.next() % 1000) as f64 / 1000.0,
        "three_ds" => rng.next().is_multiple_of(2),
        "customer_id" => format!("cus_{:05}", rng.next() % 100_000),
        "idempotency_key" => format!("idem-{n}"));
    let failed = (rng.next() % 10_000) as f64 / 10_000.0 < error_rate;
    let latency = started.elapsed() + Duration::from_micros(rng.next() % 40_000);
    if failed {
        let err = std::io::Error::new(std::io::ErrorKind::TimedOut, "card network timed out");
        error!(log, "Request failed"; "status" => 504, "latency" => latency, "error" => Value::error(&err));
    } else {
        if amount > 90_000 {
            warn!(log, "Large charge flagged for review"; "amount" => amount);
        }
        info!(log, "Charge captured"; "status" => 201, "latency" => latency, "amount" => amount, "currency" => currency);
    }
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
