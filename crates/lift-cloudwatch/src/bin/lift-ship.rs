//! `lift-ship`: ships stdin lines to CloudWatch Logs, one event per non-empty line.
//!
//! Each line's timestamp is its arrival time. Invalid UTF-8 is replaced (U+FFFD), never
//! passed through and never fatal. A line longer than the per-event cap is truncated before
//! it is buffered (JSON kept valid), so it always fits.
//!
//! Nothing read is lost without a trace. When the buffer is full, reading waits
//! (backpressure on the pipe) — at most `--max-block-ms` in all while the buffer stays full;
//! after that, a line that finds no room is written whole to the spill output (stderr, or
//! `--spill-file`) behind the `LIFT-UNDELIVERED` marker, until room returns. On SIGTERM or
//! SIGINT reading stops, what is held is shipped within `--close-timeout-ms`, and the rest
//! (with every line already read but not yet buffered) is spilled; a second signal spills
//! at once. At end of input shipping may take up to `--drain-timeout-ms`. Delivery errors
//! are reported on stderr as they happen (at most one report every 10 seconds). A one-line
//! JSON summary ends stderr.

use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use lift_cloudwatch::{CloudWatchConfig, CloudWatchSink, OverflowPolicy, ShipperStats, Spill};
use lift_observability::{Level, LineMeta, Redactor};

/// How often delivery errors may be reported on stderr.
const ERROR_REPORT_INTERVAL: Duration = Duration::from_secs(10);
/// How often the supervisor looks at the shipper's error count.
const ERROR_POLL_INTERVAL: Duration = Duration::from_millis(200);
/// How much stdin is read at a time.
const READ_CHUNK_BYTES: usize = 64 * 1024;
/// Chunks read ahead of the processing (bounded, so backpressure reaches the pipe).
const CHUNKS_AHEAD: usize = 4;
/// A wait shorter than this is not counted against the block budget: the line found room.
const NO_WAIT: Duration = Duration::from_millis(1);

/// Ship stdin lines to Amazon CloudWatch Logs.
///
/// Exit status: 0 when every non-empty line read was acknowledged by CloudWatch — whole,
/// or truncated to the per-event cap with its truncation counted in the summary
/// (`truncated`, `truncated_bytes`); 1 when any line was refused, spilled or rejected, or
/// on a configuration error.
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
    #[arg(long, default_value_t = lift_cloudwatch::DEFAULT_MAX_BUFFER_BYTES)]
    max_buffer_bytes: usize,
    /// Per-event cap in bytes; longer lines are truncated before buffering (JSON kept valid).
    #[arg(long, default_value_t = lift_cloudwatch::DEFAULT_MAX_EVENT_BYTES)]
    max_event_bytes: usize,
    /// Total time reading may wait for room while the buffer stays full (an outage); once
    /// spent, lines that find no room are spilled at once, until room returns.
    #[arg(long, default_value_t = 30_000)]
    max_block_ms: u64,
    /// After SIGTERM or SIGINT: how long to keep shipping what is held before spilling it.
    #[arg(long, default_value_t = 5_000)]
    close_timeout_ms: u64,
    /// After end of input: how long to keep shipping what is held before spilling it.
    #[arg(long, default_value_t = 60_000)]
    drain_timeout_ms: u64,
    /// Append undelivered lines to this file instead of stderr.
    #[arg(long)]
    spill_file: Option<std::path::PathBuf>,
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
    /// The signal that stopped reading, if one did.
    signal: Option<&'static str>,
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
    let spill = match &args.spill_file {
        Some(path) => Spill::append_to_file(path)
            .with_context(|| format!("opening the spill file {}", path.display()))?,
        None => Spill::stderr(),
    };
    let config = CloudWatchConfig {
        log_group: args.log_group.clone(),
        log_stream: args.log_stream.clone(),
        endpoint_url: args.endpoint_url.clone(),
        region: args.region.clone(),
        create_group: args.create_group,
        retention_days: args.retention_days,
        flush_interval_ms: args.flush_interval_ms,
        max_buffer_bytes: args.max_buffer_bytes,
        max_event_bytes: args.max_event_bytes,
        overflow: OverflowPolicy::Block,
        close_timeout_ms: args.close_timeout_ms,
        emf: args.emf,
        ..CloudWatchConfig::default()
    };
    let (sink, guard) = CloudWatchSink::builder(config)
        .spill(spill)
        .spill_refused(true)
        .build_blocking()?;

    let stop = Arc::new(Stop::default());
    supervise(sink.clone(), stop.clone(), args.close_timeout())?;
    let (chunks_tx, chunks) = std::sync::mpsc::sync_channel(CHUNKS_AHEAD);
    let reader_stop = stop.clone();
    std::thread::Builder::new()
        .name("lift-ship-stdin".into())
        .spawn(move || read_stdin(&chunks_tx, &reader_stop))
        .context("starting the stdin reader")?;

    let mut lines = LineShipper {
        sink: &sink,
        redactor: args.redact.then(Redactor::new),
        block_budget: args.max_block(),
        block_left: args.max_block(),
        counts: Counts::default(),
    };
    let read_error = lines.ship_all(&chunks, &stop);

    let deadline = if stop.signalled() {
        stop.left_of(args.close_timeout())
    } else {
        Duration::from_millis(args.drain_timeout_ms)
    };
    let close = lift_observability::block_on(sink.close_within(deadline));
    drop(guard);
    let stats = sink.shipper_stats();
    let all_acknowledged = close.is_ok()
        && read_error.is_none()
        && stats.dropped.total() == 0
        && stats.shipped == stats.queued;
    let summary = Summary {
        lines_read: lines.counts.read,
        empty_lines: lines.counts.empty,
        invalid_utf8_lines: lines.counts.invalid_utf8,
        signal: stop.signal(),
        all_acknowledged,
        close_error: close
            .err()
            .map(|e| e.to_string())
            .or(read_error.map(|e| format!("reading stdin: {e}"))),
        redaction: lines.redactor.as_ref().map(Redactor::stats),
        stats,
    };
    eprintln!("{}", serde_json::to_string(&summary)?);
    Ok(all_acknowledged)
}

impl Args {
    fn close_timeout(&self) -> Duration {
        Duration::from_millis(self.close_timeout_ms)
    }

    fn max_block(&self) -> Duration {
        Duration::from_millis(self.max_block_ms)
    }
}

/// What the stdin reader hands over.
enum Chunk {
    Data(Vec<u8>),
    End(Option<std::io::Error>),
}

/// Reads stdin in chunks until end of input, an error or a stop. Whatever it has read is
/// handed over, so after a signal nothing read sits unseen in this thread.
fn read_stdin(chunks: &SyncSender<Chunk>, stop: &Stop) {
    let mut stdin = std::io::stdin().lock();
    while !stop.signalled() {
        let mut buf = vec![0u8; READ_CHUNK_BYTES];
        match stdin.read(&mut buf) {
            Ok(0) => {
                let _ = chunks.send(Chunk::End(None));
                return;
            }
            Ok(n) => {
                buf.truncate(n);
                if chunks.send(Chunk::Data(buf)).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                let _ = chunks.send(Chunk::End(Some(e)));
                return;
            }
        }
    }
}

/// The stop request: set by the first SIGTERM or SIGINT.
#[derive(Default)]
struct Stop {
    stopped: AtomicBool,
    signal: std::sync::OnceLock<(&'static str, Instant)>,
}

impl Stop {
    fn request(&self, signal: &'static str) {
        let _ = self.signal.set((signal, Instant::now()));
        self.stopped.store(true, Ordering::SeqCst);
    }

    /// What is left of `deadline` counted from the signal.
    fn left_of(&self, deadline: Duration) -> Duration {
        self.signal
            .get()
            .map_or(deadline, |(_, at)| deadline.saturating_sub(at.elapsed()))
    }

    fn signalled(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    fn signal(&self) -> Option<&'static str> {
        self.signal.get().map(|(name, _)| *name)
    }
}

/// Starts the supervisor thread: it turns SIGTERM/SIGINT into a close (the first one with
/// the close timeout, a second one at once) and reports delivery errors as they happen.
/// Returns once the signal handlers are installed.
fn supervise(sink: CloudWatchSink, stop: Arc<Stop>, close_timeout: Duration) -> anyhow::Result<()> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("lift-ship-signals".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            runtime.block_on(async move {
                use tokio::signal::unix::{SignalKind, signal};
                let (mut term, mut int) = match (
                    signal(SignalKind::terminate()),
                    signal(SignalKind::interrupt()),
                ) {
                    (Ok(t), Ok(i)) => (t, i),
                    (Err(e), _) | (_, Err(e)) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok(()));
                let mut reporter = ErrorReporter::default();
                let mut poll = tokio::time::interval(ERROR_POLL_INTERVAL);
                loop {
                    let name = tokio::select! {
                        _ = term.recv() => "SIGTERM",
                        _ = int.recv() => "SIGINT",
                        _ = poll.tick() => {
                            reporter.check(&sink.shipper_stats());
                            continue;
                        }
                    };
                    if stop.signalled() {
                        eprintln!("lift-ship: {name} again: spilling what is held now");
                        let _ = sink.close_within(Duration::ZERO).await;
                        continue;
                    }
                    eprintln!(
                        "lift-ship: {name}: reading stopped; shipping what is held for up to {} ms",
                        close_timeout.as_millis()
                    );
                    stop.request(name);
                    // Frees a line waiting on a full buffer (refused and spilled); the lines
                    // already read are still buffered if they fit, then the close starts.
                    sink.stop_waiting();
                }
            });
        })
        .context("starting the signal handler")?;
    ready_rx
        .recv()
        .context("the signal handler thread ended")?
        .context("installing the SIGTERM/SIGINT handlers")
}

/// Reports delivery errors on stderr as they happen, at most once per interval.
#[derive(Default)]
struct ErrorReporter {
    seen: u64,
    last_report: Option<Instant>,
}

impl ErrorReporter {
    fn check(&mut self, stats: &ShipperStats) {
        if stats.errors <= self.seen {
            return;
        }
        if self
            .last_report
            .is_some_and(|at| at.elapsed() < ERROR_REPORT_INTERVAL)
        {
            return;
        }
        let new = stats.errors - self.seen;
        self.seen = stats.errors;
        self.last_report = Some(Instant::now());
        let last = stats.last_error.as_deref().unwrap_or("unknown error");
        eprintln!(
            "lift-ship: delivery failing ({new} failed call(s) since the last report, retrying): {last}"
        );
    }
}

#[derive(Default)]
struct Counts {
    read: u64,
    empty: u64,
    invalid_utf8: u64,
}

/// Splits the input into lines and offers each to the sink.
struct LineShipper<'a> {
    sink: &'a CloudWatchSink,
    redactor: Option<Redactor>,
    /// The whole block budget, restored whenever a line finds room at once.
    block_budget: Duration,
    block_left: Duration,
    counts: Counts,
}

impl LineShipper<'_> {
    /// Ships every line until end of input or a stop; after a stop, the lines already read
    /// are still offered (the closed sink refuses and spills them). Returns a read error.
    fn ship_all(&mut self, chunks: &Receiver<Chunk>, stop: &Stop) -> Option<std::io::Error> {
        let mut partial = Vec::new();
        let mut error = None;
        loop {
            let chunk = match chunks.recv_timeout(Duration::from_millis(20)) {
                Ok(chunk) => Some(chunk),
                // After a stop the reader reads at most once more, and what it read arrives
                // at once; an idle pipe sends nothing, so waiting is over.
                Err(RecvTimeoutError::Timeout) if stop.signalled() => None,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => None,
            };
            match chunk {
                Some(Chunk::Data(data)) => self.split(&mut partial, &data),
                Some(Chunk::End(e)) => {
                    error = e;
                    break;
                }
                None => break,
            }
        }
        if !partial.is_empty() {
            self.line(&partial);
        }
        error
    }

    fn split(&mut self, partial: &mut Vec<u8>, data: &[u8]) {
        let mut rest = data;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            if partial.is_empty() {
                self.line(&rest[..end]);
            } else {
                partial.extend_from_slice(&rest[..end]);
                let line = std::mem::take(partial);
                self.line(&line);
            }
            rest = &rest[end + 1..];
        }
        partial.extend_from_slice(rest);
    }

    fn line(&mut self, raw: &[u8]) {
        self.counts.read += 1;
        let mut raw = raw;
        while let [head @ .., b'\r' | b'\n'] = raw {
            raw = head;
        }
        if raw.is_empty() {
            self.counts.empty += 1;
            return;
        }
        let text = String::from_utf8_lossy(raw);
        if matches!(text, std::borrow::Cow::Owned(_)) {
            self.counts.invalid_utf8 += 1;
        }
        // A line with nothing to redact is borrowed as it is, not copied.
        let redacted;
        let text: &str = match &self.redactor {
            Some(r) => {
                redacted = r.redact_line(&text);
                &redacted
            }
            None => &text,
        };
        let meta = LineMeta {
            timestamp_ms: lift_observability::system_millis(),
            level: Level::Info,
            tenant_id: None,
        };
        let started = Instant::now();
        // A refusal is counted and spilled by the sink and shows in the summary.
        let accepted = self
            .sink
            .accept_within(text.as_bytes(), &meta, self.block_left)
            .is_ok();
        let waited = started.elapsed();
        if waited < NO_WAIT {
            if accepted {
                self.block_left = self.block_budget;
            }
        } else {
            self.block_left = self.block_left.saturating_sub(waited);
        }
    }
}
