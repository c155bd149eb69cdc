//! The shipper: the background task that turns queued lines into acknowledged batches.
//!
//! One loop owns all shipping state. It wakes when the queue holds a full batch, when the
//! flush interval ticks, when a delivery task finishes, or on a flush/close command; then
//! it drains the queue into per-stream pending lists, packs them with the
//! [`BatchPacker`] (full batches at once; partial ones only when a flush
//! is due, so a backlog ships in near-full batches), and starts deliveries — at most one in
//! flight per stream, so each stream's batches arrive in order, and at most
//! `max_in_flight` in all, so many streams ship in parallel. While a stream's call is in
//! flight, its next batch's request body is written and hashed on tokio's blocking pool (a
//! small one at once: the hand-over would cost more than the work)
//! ([`PutRequest::body`](crate::PutRequest::body)), so that batch leaves as soon as the
//! stream is free — whatever the [`LogsApi`](crate::LogsApi) implementation, which only
//! ever sees a request.
//!
//! Settling: every entry ends acknowledged or counted as dropped with a reason (packer
//! drops, `rejectedLogEventsInfo`, refused requests, undeliverable at close). Only then is
//! its room in the buffer released and its flush waiters told. At close, what cannot be
//! delivered by the deadline is written to the spill output (stderr) with a marker.

mod deliver;
mod waiters;

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use lift_observability::{DropReason, SinkError};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use tokio::time::{Instant, MissedTickBehavior};

pub(crate) use deliver::DeliveryContext;
use deliver::{Delivery, deliver, write_bodies};
use waiters::{Waiter, Waiters};

use crate::api::PutRequest;
use crate::packer::{Batch, BatchPacker, LogEvent};
use crate::queue::{Drained, Queue, Slot};
use crate::spill::Spill;
use crate::stats::ShipperCounters;
use crate::stream_name::StreamTemplate;

/// A request to the shipper.
#[derive(Debug)]
pub(crate) enum Command {
    /// Answer when every entry numbered below `target` is settled, or after `timeout`; with a
    /// scope, only the entries of that tenant's stream.
    Flush {
        target: u64,
        scope: Option<Option<Vec<u8>>>,
        timeout: Duration,
        started: std::time::Instant,
        reply: oneshot::Sender<Result<(), SinkError>>,
    },
    /// Ship everything within `deadline`, spill the rest, stop.
    Close {
        deadline: Duration,
        reply: oneshot::Sender<Result<(), SinkError>>,
    },
}

/// Where a command's answer goes.
type Reply = oneshot::Sender<Result<(), SinkError>>;

/// How the loop is set up.
pub(crate) struct ShipperSettings {
    pub(crate) template: StreamTemplate,
    pub(crate) packer: BatchPacker,
    pub(crate) flush_interval: Duration,
    pub(crate) max_in_flight: usize,
    pub(crate) default_close_timeout: Duration,
    pub(crate) seed: u64,
}

/// A packed batch, as the request that will send it, waiting for its stream to be free.
struct Ready {
    request: Arc<PutRequest>,
    /// The batch's size as CloudWatch counts it.
    bytes: usize,
    /// Whether a task writing its body ahead was started.
    writing: bool,
}

impl Ready {
    fn new(group: &Arc<str>, stream: &Arc<str>, batch: Batch) -> Self {
        Self {
            request: Arc::new(PutRequest::new(
                Arc::clone(group),
                Arc::clone(stream),
                batch.events,
            )),
            bytes: batch.bytes,
            writing: false,
        }
    }
}

/// One stream's share of the work.
#[derive(Default)]
struct StreamState {
    pending: Vec<LogEvent>,
    pending_cost: usize,
    ready: VecDeque<Ready>,
    in_flight: Option<Ready>,
    cool_until: Option<Instant>,
    cool_down: Duration,
}

impl StreamState {
    fn lowest_seq(&self) -> u64 {
        let pending = self.pending.iter().map(|e| e.seq);
        let batched = self
            .ready
            .iter()
            .chain(self.in_flight.as_ref())
            .flat_map(|r| r.request.events().iter().map(|e| e.seq));
        pending.chain(batched).min().unwrap_or(u64::MAX)
    }

    fn count_below(&self, target: u64) -> u64 {
        let pending = self.pending.iter().filter(|e| e.seq < target).count();
        let batched: usize = self
            .ready
            .iter()
            .chain(self.in_flight.as_ref())
            .map(|r| r.request.events().iter().filter(|e| e.seq < target).count())
            .sum();
        (pending + batched) as u64
    }

    /// Adds a drained line to the pending list.
    fn push_line(&mut self, slot: &Slot, line: &[u8]) {
        let event = LogEvent::new(slot.timestamp_ms, utf8_text(line)).with_seq(slot.seq);
        self.pending_cost += event.cost();
        self.pending.push(event);
    }

    fn is_idle(&self) -> bool {
        self.pending.is_empty() && self.ready.is_empty() && self.in_flight.is_none()
    }
}

/// First cool-down after a refused batch; doubles per refusal up to the maximum.
const FIRST_COOL_DOWN: Duration = Duration::from_secs(1);
const MAX_COOL_DOWN: Duration = Duration::from_secs(60);

/// The shipping loop's state.
pub(crate) struct Shipper {
    queue: Arc<Queue>,
    cx: Arc<DeliveryContext>,
    settings: ShipperSettings,
    streams: HashMap<Arc<str>, StreamState>,
    tenant_streams: HashMap<Vec<u8>, Arc<str>>,
    single_stream: Option<Arc<str>>,
    drained: Drained,
    tasks: JoinSet<(Arc<str>, Delivery)>,
    waiters: Waiters,
    spill: Spill,
    deliveries_started: u64,
}

impl Shipper {
    pub(crate) fn new(
        queue: Arc<Queue>,
        cx: Arc<DeliveryContext>,
        settings: ShipperSettings,
        spill: Spill,
    ) -> Self {
        let single_stream =
            (!settings.template.is_per_tenant()).then(|| Arc::from(settings.template.render(None)));
        Self {
            queue,
            cx,
            settings,
            streams: HashMap::new(),
            tenant_streams: HashMap::new(),
            single_stream,
            drained: Drained::default(),
            tasks: JoinSet::new(),
            waiters: Waiters::default(),
            spill,
            deliveries_started: 0,
        }
    }

    /// Runs until closed (by command, or when every sender is gone).
    pub(crate) async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        // The first tick one interval from now, not at once: an immediate tick would ship
        // whatever trickled in during start-up as a tiny batch.
        let period = self.settings.flush_interval;
        let mut tick = tokio::time::interval_at(Instant::now() + period, period);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        // While closing: the deadline and every close call's reply. A later close with a
        // nearer deadline brings it forward (a second signal that means "stop now").
        let mut closing: Option<(Instant, Vec<Reply>)> = None;
        loop {
            let mut flush_due = false;
            let wake_at = self.next_wake(closing.as_ref().map(|c| c.0));
            tokio::select! {
                () = self.queue.woken() => {}
                _ = tick.tick() => flush_due = true,
                Some(done) = self.tasks.join_next(), if !self.tasks.is_empty() => {
                    if let Ok((stream, delivery)) = done {
                        self.finish(stream, delivery);
                    }
                }
                command = commands.recv() => {
                    flush_due = true;
                    match command {
                        Some(Command::Flush { target, scope, timeout, started, reply }) => {
                            let stream = scope.map(|tenant| self.tenant_stream(tenant.as_deref()));
                            self.waiters.push(Waiter {
                                target,
                                stream,
                                deadline: Instant::now() + timeout,
                                timeout,
                                started,
                                undelivered: 0,
                                reply,
                            });
                        }
                        Some(Command::Close { deadline, reply }) => {
                            self.queue.close();
                            let at = Instant::now() + deadline;
                            let (until, replies) =
                                closing.get_or_insert_with(|| (at, Vec::new()));
                            *until = (*until).min(at);
                            replies.push(reply);
                        }
                        None if closing.is_some() => {
                            // Every sender is gone; the close under way goes on.
                        }
                        None => {
                            self.queue.close();
                            let deadline = self.settings.default_close_timeout;
                            closing = Some((Instant::now() + deadline, Vec::new()));
                        }
                    }
                }
                () = tokio::time::sleep_until(wake_at) => {}
            }
            if closing.is_some() {
                flush_due = true;
            }
            self.drain();
            self.pack(flush_due);
            self.start_deliveries();
            self.answer_waiters();
            if let Some((deadline, replies)) = &mut closing {
                let done = self.streams.values().all(StreamState::is_idle);
                if done || Instant::now() >= *deadline {
                    let undelivered = self.shut_down();
                    for reply in replies.drain(..) {
                        let result = match &undelivered {
                            None => Ok(()),
                            Some((undelivered, reason)) => Err(SinkError::Undelivered {
                                undelivered: *undelivered,
                                reason: reason.clone(),
                            }),
                        };
                        let _ = reply.send(result);
                    }
                    return;
                }
            }
        }
    }

    /// The next moment the loop must look again without being woken: a flush deadline,
    /// a stream's cool-down end, or the close deadline.
    fn next_wake(&self, close_deadline: Option<Instant>) -> Instant {
        let cool = self.streams.values().filter_map(|s| s.cool_until);
        [self.waiters.next_deadline(), close_deadline]
            .into_iter()
            .flatten()
            .chain(cool)
            .min()
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600))
    }

    /// Moves queued lines into their streams' pending lists.
    fn drain(&mut self) {
        let mut drained = std::mem::take(&mut self.drained);
        self.queue.drain_into(&mut drained);
        if let Some(single) = self.single_stream.clone() {
            // One stream: its state is looked up once, not once per entry.
            let state = self.streams.entry(single).or_default();
            state.pending.reserve(drained.slots.len());
            for (slot, line, _) in drained.entries() {
                state.push_line(slot, line);
            }
        } else {
            for (slot, line, tenant) in drained.entries() {
                let stream = self.tenant_stream(tenant);
                self.streams
                    .entry(stream)
                    .or_default()
                    .push_line(slot, line);
            }
        }
        self.drained = drained;
    }

    /// The stream a per-tenant template gives `tenant` (rendered once per tenant).
    fn tenant_stream(&mut self, tenant: Option<&[u8]>) -> Arc<str> {
        let key = tenant.unwrap_or_default();
        if let Some(name) = self.tenant_streams.get(key) {
            return name.clone();
        }
        let tenant_text = tenant.map(String::from_utf8_lossy);
        let name: Arc<str> = Arc::from(self.settings.template.render(tenant_text.as_deref()));
        self.tenant_streams.insert(key.to_vec(), name.clone());
        name
    }

    /// Packs pending events into batches: full ones always, the partial rest when a flush
    /// is due.
    fn pack(&mut self, flush_due: bool) {
        let limits = *self.settings.packer.limits();
        let now_ms = lift_observability::system_millis();
        for (name, state) in &mut self.streams {
            let full = state.pending_cost >= limits.max_batch_bytes
                || state.pending.len() >= limits.max_batch_events;
            if state.pending.is_empty() || !(flush_due || full) {
                continue;
            }
            let events = std::mem::take(&mut state.pending);
            state.pending_cost = 0;
            let report = self.settings.packer.pack(events, now_ms);
            self.cx
                .counters
                .drop_n(DropReason::TooOld, report.dropped.too_old);
            self.cx
                .counters
                .drop_n(DropReason::TooNew, report.dropped.too_new);
            self.cx
                .counters
                .drop_n(DropReason::Empty, report.dropped.empty);
            self.cx
                .counters
                .truncated(report.truncated, report.truncated_bytes);
            self.queue
                .release(report.cost_removed, report.dropped_seqs.len() as u64);
            self.waiters
                .dropped(Some(name), report.dropped_seqs.iter().copied());
            let mut batches = report.batches;
            if !flush_due
                && let Some(last) = batches.last()
                && last.bytes < limits.max_batch_bytes * 98 / 100
                && last.events.len() < limits.max_batch_events
            {
                let last = batches.pop().unwrap_or_default();
                state.pending_cost = last.bytes;
                state.pending = last.events;
            }
            let group = &self.cx.group;
            state.ready.extend(
                batches
                    .into_iter()
                    .map(|batch| Ready::new(group, name, batch)),
            );
        }
    }

    /// Starts deliveries on idle streams, within the in-flight limit; then, for every stream
    /// with a call in flight, starts preparing the request of its next batch.
    fn start_deliveries(&mut self) {
        let now = Instant::now();
        for (name, state) in &mut self.streams {
            if self.tasks.len() >= self.settings.max_in_flight {
                break;
            }
            if state.in_flight.is_some() || state.cool_until.is_some_and(|t| t > now) {
                continue;
            }
            let Some(ready) = state.ready.pop_front() else {
                continue;
            };
            let request = Arc::clone(&ready.request);
            state.cool_until = None;
            state.in_flight = Some(ready);
            self.deliveries_started += 1;
            let seed = self
                .settings
                .seed
                .wrapping_add(self.deliveries_started.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let cx = self.cx.clone();
            let stream = name.clone();
            self.tasks.spawn(async move {
                let delivery = deliver(cx, request, seed).await;
                (stream, delivery)
            });
        }
        self.prepare_next_batches();
    }

    /// Starts writing the body of the next batch of every stream whose call is in flight —
    /// at most one per stream, so at most `max_in_flight` written bodies wait. The batch in
    /// flight is written first (usually by its delivery, already under way): its request is
    /// the one the stream is waiting for.
    fn prepare_next_batches(&mut self) {
        for state in self.streams.values_mut() {
            let Some(current) = &state.in_flight else {
                continue;
            };
            let Some(next) = state.ready.front_mut() else {
                continue;
            };
            if next.writing {
                continue;
            }
            next.writing = true;
            let (current, next) = (Arc::clone(&current.request), Arc::clone(&next.request));
            let counters = Arc::clone(&self.cx.counters);
            tokio::spawn(async move {
                if write_bodies(current, Some(next)).await {
                    ShipperCounters::add(&counters.bodies_written_ahead, 1);
                }
            });
        }
    }

    /// Settles a finished delivery.
    fn finish(&mut self, stream: Arc<str>, delivery: Delivery) {
        let Some(state) = self.streams.get_mut(&stream) else {
            return;
        };
        let Some(Ready { request, bytes, .. }) = state.in_flight.take() else {
            return;
        };
        let counters = &self.cx.counters;
        let events = request.events();
        let len = events.len();
        match delivery {
            Delivery::Acknowledged(rejected) => {
                let mut refused = Vec::new();
                for (i, event) in events.iter().enumerate() {
                    if let Some(reason) = rejected.reason_for(i, len) {
                        counters.drop_n(reason, 1);
                        refused.push(event.seq);
                    }
                }
                let max = self.settings.packer.limits().max_batch_bytes;
                counters.batch_delivered((len - refused.len()) as u64, bytes as u64, max);
                self.waiters.dropped(Some(&stream), refused.iter().copied());
                state.cool_down = Duration::ZERO;
            }
            Delivery::Refused(error) => {
                counters.drop_n(DropReason::Rejected, len as u64);
                counters.error(format!("batch of {len} refused: {error}"));
                self.waiters
                    .dropped(Some(&stream), events.iter().map(|e| e.seq));
                state.cool_down = (state.cool_down * 2).clamp(FIRST_COOL_DOWN, MAX_COOL_DOWN);
                state.cool_until = Some(Instant::now() + state.cool_down);
            }
        }
        self.queue.release(bytes as u64, len as u64);
    }

    fn answer_waiters(&mut self) {
        if self.waiters.is_empty() {
            return;
        }
        let lowest = self
            .streams
            .values()
            .map(StreamState::lowest_seq)
            .min()
            .unwrap_or(u64::MAX);
        let counters = self.cx.counters.clone();
        let streams = &self.streams;
        let latencies = self.waiters.settle(
            |stream| match stream {
                None => lowest,
                Some(name) => streams.get(name).map_or(u64::MAX, StreamState::lowest_seq),
            },
            Instant::now(),
            || {
                counters
                    .last_error()
                    .unwrap_or_else(|| "dropped before delivery".to_owned())
            },
            |stream, target| match stream {
                None => streams.values().map(|s| s.count_below(target)).sum(),
                Some(name) => streams.get(name).map_or(0, |s| s.count_below(target)),
            },
        );
        for latency in latencies {
            counters.flushed(latency.as_micros() as u64);
        }
    }

    /// Stops deliveries, spills and counts everything unsettled, answers every waiter.
    /// Returns how many entries were spilled and why, if any were.
    fn shut_down(&mut self) -> Option<(u64, String)> {
        self.tasks.abort_all();
        self.drain();
        let group = self.cx.group.clone();
        let mut undelivered = 0u64;
        let mut seqs = Vec::new();
        for (name, state) in self.streams.drain() {
            let requests = state.in_flight.into_iter().chain(state.ready);
            let events = requests
                .flat_map(|r| r.request.events().to_vec())
                .chain(state.pending);
            for event in events {
                self.spill.write(&group, &name, &event);
                seqs.push(event.seq);
                self.queue.release(event.cost() as u64, 1);
                undelivered += 1;
            }
        }
        self.spill.finish();
        let counters = self.cx.counters.clone();
        counters.drop_n(DropReason::Undeliverable, undelivered);
        crate::stats::ShipperCounters::add(&counters.spilled, undelivered);
        self.waiters.dropped(None, seqs.iter().copied());
        self.answer_waiters();
        if undelivered == 0 {
            None
        } else {
            // Not recorded as the last error: that stays the cause (a refused connection, a
            // throttle), which is what a reader of the stats needs.
            let reason = format!(
                "shipping did not finish by the close deadline; {undelivered} entries written to {} instead",
                self.spill.name()
            );
            Some((undelivered, reason))
        }
    }
}

/// A queued line as text: the logger only ever writes UTF-8, so the fast validating
/// conversion almost always answers; anything else has its invalid bytes replaced.
fn utf8_text(line: &[u8]) -> String {
    match std::str::from_utf8(line) {
        Ok(text) => text.to_owned(),
        Err(_) => String::from_utf8_lossy(line).into_owned(),
    }
}
