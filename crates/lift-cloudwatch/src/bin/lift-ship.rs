//! `lift-ship`: ships stdin lines to CloudWatch Logs, one event per non-empty line.
//!
//! Each line's timestamp is its arrival time. Invalid UTF-8 is replaced (U+FFFD), never
//! passed through and never fatal. When the buffer is full, reading waits (backpressure on
//! the pipe) up to 30 seconds per line before a line is counted as dropped. At end of
//! input everything is flushed, a one-line JSON summary goes to stderr, and the exit code
//! is 0 only if every event was acknowledged.

use std::io::BufRead;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use lift_cloudwatch::{CloudWatchConfig, CloudWatchSink, OverflowPolicy, ShipperStats};
use lift_observability::{Level, LineMeta, Sink};

/// How long a line waits for room in the buffer before it is dropped (and counted).
const BLOCK_TIMEOUT_MS: u64 = 30_000;
/// How long shipping may continue after end of input.
const CLOSE_DEADLINE: Duration = Duration::from_secs(60);

/// Ship stdin lines to Amazon CloudWatch Logs.
#[derive(Debug, Parser)]
#[command(name = "lift-ship", version)]
struct Args {
    /// The log group.
    #[arg(long)]
    log_group: String,
    /// The log stream (placeholders {date}, {hostname}, {instance_id} allowed).
    #[arg(long)]
    log_stream: String,
    /// Endpoint URL (for example a local emulator); default from the AWS environment.
    #[arg(long)]
    endpoint_url: Option<String>,
    /// AWS region; default from the AWS environment.
    #[arg(long)]
    region: Option<String>,
    /// Create the log group if it does not exist.
    #[arg(long)]
    create_group: bool,
    /// Retention (days) for a group this run creates.
    #[arg(long)]
    retention_days: Option<u32>,
    /// Ship pending lines at least this often.
    #[arg(long, default_value_t = 1_000)]
    flush_interval_ms: u64,
    /// Bound on bytes buffered (queued or being shipped).
    #[arg(long, default_value_t = lift_cloudwatch::config::DEFAULT_MAX_BUFFER_BYTES)]
    max_buffer_bytes: usize,
    /// Redact each line before shipping (card numbers, security codes, secrets): a JSON
    /// object field by field like a log entry, any other line as free text.
    #[arg(long)]
    redact: bool,
    /// The lines are EMF metric documents: send every batch with
    /// `x-amzn-logs-format: json/emf` so CloudWatch extracts the metrics.
    #[arg(long)]
    emf: bool,
}

/// The summary printed on stderr.
#[derive(Debug, serde::Serialize)]
struct Summary {
    lines_read: u64,
    empty_lines: u64,
    invalid_utf8_lines: u64,
    all_acknowledged: bool,
    close_error: Option<String>,
    redaction: Option<lift_observability::RedactionStats>,
    #[serde(flatten)]
    stats: ShipperStats,
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("lift-ship: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<bool> {
    let args = Args::parse();
    let redact = args.redact;
    let config = CloudWatchConfig {
        log_group: args.log_group,
        log_stream: args.log_stream,
        endpoint_url: args.endpoint_url,
        region: args.region,
        create_group: args.create_group,
        retention_days: args.retention_days,
        flush_interval_ms: args.flush_interval_ms,
        max_buffer_bytes: args.max_buffer_bytes,
        overflow: OverflowPolicy::Block,
        block_timeout_ms: BLOCK_TIMEOUT_MS,
        close_timeout_ms: CLOSE_DEADLINE.as_millis() as u64,
        emf: args.emf,
        ..CloudWatchConfig::default()
    };
    let (sink, guard) = CloudWatchSink::builder(config)
        .build_blocking()
        .context("starting the CloudWatch shipper")?;

    let mut lines_read = 0u64;
    let mut empty_lines = 0u64;
    let mut invalid_utf8_lines = 0u64;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut raw = Vec::with_capacity(4096);
    let redactor = redact.then(lift_observability::Redactor::new);
    loop {
        raw.clear();
        let n = input.read_until(b'\n', &mut raw).context("reading stdin")?;
        if n == 0 {
            break;
        }
        lines_read += 1;
        while matches!(raw.last(), Some(b'\n' | b'\r')) {
            raw.pop();
        }
        if raw.is_empty() {
            empty_lines += 1;
            continue;
        }
        let text = String::from_utf8_lossy(&raw);
        if matches!(text, std::borrow::Cow::Owned(_)) {
            invalid_utf8_lines += 1;
        }
        let meta = LineMeta {
            timestamp_ms: lift_observability::timestamp::system_millis(),
            level: Level::Info,
            tenant_id: None,
        };
        let text = match &redactor {
            Some(r) => std::borrow::Cow::Owned(r.redact_line(&text).into_owned()),
            None => text,
        };
        // A refusal is counted by the sink and shows in the summary.
        let _ = sink.accept(text.as_bytes(), &meta);
    }

    let close = lift_observability::blocking::block_on(sink.close_within(CLOSE_DEADLINE));
    drop(guard);
    let stats = sink.shipper_stats();
    let all_acknowledged =
        close.is_ok() && stats.dropped.total() == 0 && stats.shipped == stats.queued;
    let summary = Summary {
        lines_read,
        empty_lines,
        invalid_utf8_lines,
        all_acknowledged,
        close_error: close.err().map(|e| e.to_string()),
        redaction: redactor.as_ref().map(lift_observability::Redactor::stats),
        stats,
    };
    eprintln!("{}", serde_json::to_string(&summary)?);
    Ok(all_acknowledged)
}
