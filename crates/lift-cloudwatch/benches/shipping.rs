//! Shipping benchmarks, peers in the same run.
//!
//! 1. `caller_cost`: what logging an entry of the realistic corpus (`lift-corpus`, the
//!    10,000 entries the corpus benchmark cycles through, at the same call sites) costs the
//!    calling thread with the CloudWatch sink (enqueue into the bounded queue; the shipper
//!    drains in the background against an API that acknowledges at once), next to encoding
//!    alone (no-op sink) and the writer sink into `io::sink()` — logging one entry after
//!    the other as fast as it can, and as a Lambda invocation does (100 entries, then a
//!    flush and an idle wait for the next invocation, neither timed — with every sink alike:
//!    a thread that waited resumes cold, and the CloudWatch sink's flush is such a wait);
//!    and what that flush itself takes, each invocation's.
//! 2. `end_to_end_moto`: 3,000 and 10,000 entries into a real CloudWatch Logs API (`moto_server`,
//!    started here), timed until every entry is acknowledged — Lift's `flush().await`
//!    against `tracing-cloudwatch`'s `shutdown().await` — with the number of API calls each
//!    made printed beside. tracing-cloudwatch gets batches of 1,000 (its count-only batching
//!    has no byte limit, so larger batches of these lines would break the real 1 MiB rule)
//!    and a pre-created stream (it does not create streams). Each shipper runs in two line
//!    formats, compared format for format: JSON lines with the same content, and text lines
//!    (Lift's console encoder; the peer's default). The format matters to the emulator,
//!    whose JSON parser pays per escaped character: a JSON line escapes every quote it
//!    holds, a text line few or none. Each Lift cell is measured right before the peer's cell
//!    in the same format, then 20 pairs of rounds (each after an untimed round of the same
//!    shipper) run back to back in alternating order and their medians are printed (this
//!    shared machine's speed drifts between criterion windows a minute apart; a pair sees
//!    the same machine). The emulator is reset after every round, so each round starts
//!    from the same state.

#![allow(missing_docs)] // criterion_group! generates an undocumented function

#[path = "../tests/support/moto.rs"]
#[allow(dead_code)]
mod moto;

#[path = "../../lift-observability/tests/support/corpus_calls.rs"]
mod corpus_calls;

use std::cell::Cell;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use lift_cloudwatch::{ApiFuture, LogsApi, PutOutcome, PutRequest};
use lift_cloudwatch::{CloudWatchConfig, CloudWatchSink, SdkLogsApi};
use lift_observability::{Logger, NoopSink, WriterSink, info};

/// Entries per end-to-end round.
const E2E_SIZES: [u64; 2] = [3_000, 10_000];
/// The realistic corpus the caller's cost is measured on (as the corpus benchmark's).
const CORPUS_SEED: u64 = 2026;
/// Entries in it (distinct).
const CORPUS_ENTRIES: usize = 10_000;
/// Entries one invocation logs before its flush, in the per-invocation pattern.
const INVOCATION_ENTRIES: u64 = 100;
/// How long the caller waits between two invocations, in the per-invocation pattern (a
/// Lambda function's runtime waits for the next event). A thread that waited — here, or in a
/// flush that hands the batch to the shipper and waits for its answer — logs its next
/// entries markedly slower (measured: 100 entries after a 300 µs sleep took 880–900 ns each
/// against 522–528 back to back, with no sink at all); the wait puts every sink on that same
/// footing, so that what is left between them is what the sink itself costs.
const INVOCATION_GAP: Duration = Duration::from_micros(300);

/// How the caller logs.
#[derive(Clone, Copy)]
enum Pattern {
    /// One entry after the other as fast as it can (a shipper that cannot keep up
    /// meets the bound and counts the rest as `queue_full`).
    Sustained,
    /// A Lambda invocation's: [`INVOCATION_ENTRIES`] entries, then a flush and
    /// [`INVOCATION_GAP`] (neither timed), so each invocation finds the buffer empty and
    /// starts as one after a wait does.
    Invocations,
    /// The same invocations with only the flush timed: what it adds to an invocation's
    /// duration (one iteration is one invocation's flush).
    Flushes,
}

/// Acknowledges everything at once: isolates the caller's side.
struct Acknowledge;

impl LogsApi for Acknowledge {
    fn put_log_events<'a>(&'a self, _: &'a PutRequest) -> ApiFuture<'a, PutOutcome> {
        Box::pin(async { Ok(PutOutcome::default()) })
    }
    fn create_log_group<'a>(&'a self, _: &'a str) -> ApiFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }
    fn create_log_stream<'a>(&'a self, _: &'a str, _: &'a str) -> ApiFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }
    fn put_retention_policy<'a>(&'a self, _: &'a str, _: u32) -> ApiFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }
}

fn log_ten_fields(log: &Logger, n: u64) {
    info!(log, "Charge captured";
        "n" => n, "amount" => 1250, "currency" => "USD", "merchant_id" => "m_8f2a9c",
        "card_brand" => "visa", "last4" => "4242", "latency_ms" => 12.5,
        "attempt" => 1, "captured" => true, "region" => "eu-west-1");
}

fn caller_cost(c: &mut Criterion) {
    let corpus = lift_corpus::generate(CORPUS_SEED, CORPUS_ENTRIES);
    let mut group = c.benchmark_group("caller_cost");
    let mut measure = |name: &str, root: Logger, pattern: Pattern| {
        let log = corpus_calls::invocation_logger(&root);
        let mut next = corpus.iter().cycle();
        let mut log_next = move || {
            let entry = next.next().expect("a corpus cycles");
            corpus_calls::log_entry(black_box(&log), entry);
        };
        match pattern {
            Pattern::Sustained => group.bench_function(name, |b| b.iter(&mut log_next)),
            // Only the logging calls are timed; each invocation's flush and wait are not.
            Pattern::Invocations => group.bench_function(name, |b| {
                b.iter_custom(|iters| {
                    let mut logging = Duration::ZERO;
                    let mut left = iters;
                    while left > 0 {
                        let n = left.min(INVOCATION_ENTRIES);
                        let started = Instant::now();
                        for _ in 0..n {
                            log_next();
                        }
                        logging += started.elapsed();
                        root.flush_blocking().expect("flushed");
                        std::thread::sleep(INVOCATION_GAP);
                        left -= n;
                    }
                    logging
                })
            }),
            Pattern::Flushes => group.bench_function(name, |b| {
                b.iter_custom(|iters| {
                    let mut flushing = Duration::ZERO;
                    for _ in 0..iters {
                        for _ in 0..INVOCATION_ENTRIES {
                            log_next();
                        }
                        let started = Instant::now();
                        root.flush_blocking().expect("flushed");
                        flushing += started.elapsed();
                        std::thread::sleep(INVOCATION_GAP);
                    }
                    flushing
                })
            }),
        };
    };
    measure(
        "encode_only_noop_sink",
        Logger::builder().sink(NoopSink::new()).build(),
        Pattern::Sustained,
    );
    measure(
        "writer_sink_io_sink",
        Logger::builder()
            .sink(WriterSink::new(std::io::sink()))
            .build(),
        Pattern::Sustained,
    );
    let mut config = CloudWatchConfig::new("/lift/bench");
    config.log_stream = "caller".into();
    config.max_buffer_bytes = 256 << 20;
    config.max_buffer_entries = 2_000_000;
    let (sink, guard) = CloudWatchSink::builder(config)
        .api(Acknowledge)
        .build_blocking()
        .expect("sink");
    measure(
        "cloudwatch_sink",
        Logger::builder().sink(sink.clone()).build(),
        Pattern::Sustained,
    );
    measure(
        "encode_only_per_invocation",
        Logger::builder().sink(NoopSink::new()).build(),
        Pattern::Invocations,
    );
    measure(
        "cloudwatch_sink_per_invocation",
        Logger::builder().sink(sink.clone()).build(),
        Pattern::Invocations,
    );
    measure(
        "cloudwatch_flush_after_100_entries",
        Logger::builder().sink(sink.clone()).build(),
        Pattern::Flushes,
    );
    group.finish();
    drop(guard);
    let stats = sink.shipper_stats();
    eprintln!(
        "caller_cost/cloudwatch_sink: {} queued, {} shipped, {} dropped, avg fill {:.3}",
        stats.queued,
        stats.shipped,
        stats.dropped.total(),
        stats.avg_batch_fill
    );
}

/// Counts every API call a client makes, keeps the largest request body seen and sums the
/// bodies' bytes.
#[derive(Debug, Clone, Default)]
struct CallCounter(Arc<AtomicU64>, Arc<AtomicU64>, Arc<AtomicU64>);

impl aws_sdk_cloudwatchlogs::config::Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }
    fn read_before_execution(
        &self,
        _: &aws_sdk_cloudwatchlogs::config::interceptors::BeforeSerializationInterceptorContextRef<
            '_,
        >,
        _: &mut aws_sdk_cloudwatchlogs::config::ConfigBag,
    ) -> Result<(), aws_sdk_cloudwatchlogs::error::BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
    fn read_before_transmit(
        &self,
        context: &aws_sdk_cloudwatchlogs::config::interceptors::BeforeTransmitInterceptorContextRef<
            '_,
        >,
        _: &aws_sdk_cloudwatchlogs::config::RuntimeComponents,
        _: &mut aws_sdk_cloudwatchlogs::config::ConfigBag,
    ) -> Result<(), aws_sdk_cloudwatchlogs::error::BoxError> {
        let len = context.request().body().bytes().map_or(0, <[u8]>::len) as u64;
        self.1.fetch_max(len, Ordering::Relaxed);
        self.2.fetch_add(len, Ordering::Relaxed);
        Ok(())
    }
}

/// A log group of its own for one round, both streams made in advance (outside the timed
/// part). After the round the emulator is reset ([`moto::Moto::reset`]), so it holds the
/// same data at the start of every round: its garbage collector walks everything it holds,
/// and moto keeps every event it ever stored (even after its group is deleted) until reset
/// — without it each round paid for the events of all earlier rounds, and whichever
/// shipper was measured later in the run paid most.
fn fresh_group(server: &moto::Moto, runtime: &tokio::runtime::Runtime) -> String {
    let name = moto::unique_group("bench");
    runtime.block_on(async {
        let admin = server.client();
        admin
            .create_log_group()
            .log_group_name(&name)
            .send()
            .await
            .expect("group");
        for stream in ["lift", "tracing-cloudwatch"] {
            admin
                .create_log_stream()
                .log_group_name(&name)
                .log_stream_name(stream)
                .send()
                .await
                .expect("stream");
        }
    });
    name
}

fn end_to_end_moto(c: &mut Criterion) {
    let server = moto::Moto::start();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("end_to_end_moto");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    // 3,000 entries fit one 1 MiB batch (both peers can stay within CloudWatch's rules);
    // 10,000 need several.
    for entries in E2E_SIZES {
        let mut summaries = Vec::new();
        for format in [LineFormat::Json, LineFormat::Text] {
            // Each shipper right before its peer in the same format, so the two windows are
            // as close in time as criterion allows.
            let lift = LiftShipper::new(&server, format);
            let peer = PeerShipper::new(&server, format);
            let rig = Rig {
                server: &server,
                runtime: &runtime,
                entries,
            };
            group.bench_function(
                format!("lift_{}_{entries}_until_acknowledged", format.name()),
                |b| b.iter_custom(|iters| (0..iters).map(|_| lift.round(&rig)).sum()),
            );
            group.bench_function(
                format!(
                    "tracing_cloudwatch_{}_{entries}_until_acknowledged",
                    format.name()
                ),
                |b| b.iter_custom(|iters| (0..iters).map(|_| peer.round(&rig)).sum()),
            );
            let paired = Paired::run(&rig, &lift, &peer);
            summaries.push(format!(
                "{} lines: {}; {}; {paired}",
                format.name(),
                lift.summary(),
                peer.summary()
            ));
        }
        eprintln!(
            "end_to_end_moto: per {entries} entries — {} (CloudWatch refuses batches over 1,048,576)",
            summaries.join(" | "),
        );
    }
    group.finish();
}

/// What every round needs: the emulator, the runtime, the number of entries.
struct Rig<'a> {
    server: &'a moto::Moto,
    runtime: &'a tokio::runtime::Runtime,
    entries: u64,
}

impl Rig<'_> {
    /// Runs one round of `ship` into a fresh group and resets the emulator after it.
    fn round(&self, ship: impl FnOnce(&str) -> Duration) -> Duration {
        let group_name = fresh_group(self.server, self.runtime);
        let took = ship(&group_name);
        self.server.reset();
        took
    }
}

/// One shipper's SDK client, built once per size and format and reused by every round
/// (connections and credentials are set up once, as in a long-running program), with the
/// API calls it makes counted per round.
struct Counted {
    format: LineFormat,
    calls: CallCounter,
    client: aws_sdk_cloudwatchlogs::Client,
    rounds: Cell<u64>,
    api_calls: Cell<u64>,
}

impl Counted {
    fn new(format: LineFormat, calls: CallCounter, client: aws_sdk_cloudwatchlogs::Client) -> Self {
        Self {
            format,
            calls,
            client,
            rounds: Cell::new(0),
            api_calls: Cell::new(0),
        }
    }

    /// One round of `ship` (see [`Rig::round`]), its API calls counted.
    fn round(&self, rig: &Rig<'_>, ship: impl FnOnce(&str) -> Duration) -> Duration {
        let before = self.calls.0.load(Ordering::Relaxed);
        let took = rig.round(ship);
        self.rounds.set(self.rounds.get() + 1);
        let calls = self.calls.0.load(Ordering::Relaxed) - before;
        self.api_calls.set(self.api_calls.get() + calls);
        took
    }

    fn per_round(&self, total: u64) -> f64 {
        total as f64 / self.rounds.get().max(1) as f64
    }

    fn calls_and_bodies(&self) -> String {
        format!(
            "{:.1} API calls, {:.0} request body bytes, largest request body {} bytes",
            self.per_round(self.api_calls.get()),
            self.per_round(self.calls.2.load(Ordering::Relaxed)),
            self.calls.1.load(Ordering::Relaxed),
        )
    }
}

/// Lift's side.
struct LiftShipper {
    counted: Counted,
    bytes: Cell<u64>,
    batches: Cell<u64>,
}

impl LiftShipper {
    fn new(server: &moto::Moto, format: LineFormat) -> Self {
        let calls = CallCounter::default();
        let client =
            SdkLogsApi::from_config_builder(server.sdk_config().interceptor(calls.clone()))
                .client()
                .clone();
        Self {
            counted: Counted::new(format, calls, client),
            bytes: Cell::new(0),
            batches: Cell::new(0),
        }
    }

    /// Logs the round's entries into a new sink; the time from the first entry until
    /// `flush` says every one is acknowledged.
    fn round(&self, rig: &Rig<'_>) -> Duration {
        self.counted.round(rig, |group_name| {
            let mut config = CloudWatchConfig::new(group_name);
            config.log_stream = "lift".into();
            let api = SdkLogsApi::from_client(self.counted.client.clone());
            rig.runtime.block_on(async {
                let (sink, guard) = CloudWatchSink::builder(config)
                    .api(api)
                    .build()
                    .await
                    .expect("sink");
                let log = Logger::builder()
                    .format(self.counted.format.lift_format())
                    .sink(sink.clone())
                    .build();
                let started = Instant::now();
                for n in 0..rig.entries {
                    log_ten_fields(&log, n);
                }
                log.flush().await.expect("all acknowledged");
                let took = started.elapsed();
                let stats = sink.shipper_stats();
                self.bytes.set(self.bytes.get() + stats.bytes);
                self.batches.set(self.batches.get() + stats.batches);
                guard.close().await.expect("closed");
                took
            })
        })
    }

    fn summary(&self) -> String {
        format!(
            "lift {} ({:.1} batches, {:.0} batch bytes)",
            self.counted.calls_and_bodies(),
            self.counted.per_round(self.batches.get()),
            self.counted.per_round(self.bytes.get()),
        )
    }
}

/// tracing-cloudwatch's side.
struct PeerShipper {
    counted: Counted,
}

impl PeerShipper {
    fn new(server: &moto::Moto, format: LineFormat) -> Self {
        let calls = CallCounter::default();
        let client = aws_sdk_cloudwatchlogs::Client::from_conf(
            server.sdk_config().interceptor(calls.clone()).build(),
        );
        Self {
            counted: Counted::new(format, calls, client),
        }
    }

    fn round(&self, rig: &Rig<'_>) -> Duration {
        let Counted { client, format, .. } = &self.counted;
        self.counted.round(rig, |group_name| {
            rig.runtime
                .block_on(peer_round(client, group_name, rig.entries, *format))
        })
    }

    fn summary(&self) -> String {
        format!("tracing-cloudwatch {}", self.counted.calls_and_bodies())
    }
}

/// Rounds of the two shippers back to back, in alternating order, after the criterion
/// measurements: this shared machine's speed drifts over the minutes between two criterion
/// windows, and a pair run a second apart sees the same machine.
struct Paired {
    lift: Vec<Duration>,
    peer: Vec<Duration>,
}

/// Pairs per size and format.
const PAIRS: usize = 20;

impl Paired {
    fn run(rig: &Rig<'_>, lift: &LiftShipper, peer: &PeerShipper) -> Self {
        let mut paired = Self {
            lift: Vec::with_capacity(PAIRS),
            peer: Vec::with_capacity(PAIRS),
        };
        // Each timed round follows an untimed round of the same shipper, as in criterion's
        // windows: a round right after the other shipper's inherits the emulator state that
        // one left (garbage-collector generations, heap shape), which in a first version of
        // this loop made the 10,000-entry pairs a coin toss in both formats.
        let lift_round = || {
            lift.round(rig);
            lift.round(rig)
        };
        let peer_round = || {
            peer.round(rig);
            peer.round(rig)
        };
        for pair in 0..PAIRS {
            if pair % 2 == 0 {
                paired.lift.push(lift_round());
                paired.peer.push(peer_round());
            } else {
                paired.peer.push(peer_round());
                paired.lift.push(lift_round());
            }
        }
        paired
    }
}

impl std::fmt::Display for Paired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn median_ms(times: &[Duration]) -> f64 {
            let mut sorted = times.to_vec();
            sorted.sort();
            sorted[sorted.len() / 2].as_secs_f64() * 1e3
        }
        fn mean_ms(times: &[Duration]) -> f64 {
            times.iter().sum::<Duration>().as_secs_f64() * 1e3 / times.len().max(1) as f64
        }
        let shorter = self
            .lift
            .iter()
            .zip(&self.peer)
            .filter(|(l, p)| l < p)
            .count();
        write!(
            f,
            "{} paired rounds: median lift {:.1} ms, tracing-cloudwatch {:.1} ms; mean {:.1} / {:.1} ms; lift shorter in {shorter} of {}",
            self.lift.len(),
            median_ms(&self.lift),
            median_ms(&self.peer),
            mean_ms(&self.lift),
            mean_ms(&self.peer),
            self.lift.len(),
        )
    }
}

/// The line format a shipper ships; each runs in both, beside the other's same format.
#[derive(Debug, Clone, Copy)]
enum LineFormat {
    /// JSON lines with the same content (timestamp, level, message, the ten fields): Lift's
    /// JSON encoder, tracing-subscriber's JSON format for the peer.
    Json,
    /// Human-readable text lines: Lift's console encoder (timestamp, level, message,
    /// `key=value`, no colours — the sink is not a terminal); tracing-cloudwatch's default,
    /// tracing-subscriber's text format without time, with file and line.
    Text,
}

impl LineFormat {
    fn name(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Text => "text",
        }
    }

    fn lift_format(self) -> lift_observability::Format {
        match self {
            Self::Json => lift_observability::Format::Json,
            Self::Text => lift_observability::Format::Console,
        }
    }
}

fn peer_events(entries: u64) {
    for n in 0..entries {
        tracing::info!(
            n,
            amount = 1250,
            currency = "USD",
            merchant_id = "m_8f2a9c",
            card_brand = "visa",
            last4 = "4242",
            latency_ms = 12.5,
            attempt = 1,
            captured = true,
            region = "eu-west-1",
            "Charge captured"
        );
    }
}

/// One peer round: log `entries` events through tracing-cloudwatch and wait for its
/// shutdown (which sends what is left); the time from the first event to the end.
async fn peer_round(
    client: &aws_sdk_cloudwatchlogs::Client,
    group_name: &str,
    entries: u64,
    format: LineFormat,
) -> Duration {
    use tracing_subscriber::layer::SubscriberExt;
    let export = tracing_cloudwatch::ExportConfig::default()
        .with_batch_size(1_000)
        .with_interval(Duration::from_secs(1))
        .with_log_group_name(group_name)
        .with_log_stream_name("tracing-cloudwatch");
    let started;
    let guard = match format {
        LineFormat::Json => {
            let (layer, guard) = tracing_cloudwatch::layer()
                .with_fmt_layer(
                    tracing_subscriber::fmt::layer()
                        .json()
                        .with_target(false)
                        .with_ansi(false),
                )
                .with_client(client.clone(), export);
            let subscriber = tracing_subscriber::registry().with(layer);
            started = Instant::now();
            tracing::subscriber::with_default(subscriber, || peer_events(entries));
            guard
        }
        LineFormat::Text => {
            let (layer, guard) = tracing_cloudwatch::layer().with_client(client.clone(), export);
            let subscriber = tracing_subscriber::registry().with(layer);
            started = Instant::now();
            tracing::subscriber::with_default(subscriber, || peer_events(entries));
            guard
        }
    };
    guard.shutdown().await;
    started.elapsed()
}

criterion_group!(benches, caller_cost, end_to_end_moto);
criterion_main!(benches);
