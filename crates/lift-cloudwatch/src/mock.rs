//! [`MockLogsApi`]: a strict, fault-injecting CloudWatch Logs for tests (feature `testing`).
//!
//! Strict: every `PutLogEvents` call is checked against every batch rule (event count,
//! bytes with the 26-byte overhead, per-event cap, non-empty messages, non-negative
//! timestamps, chronological order, 24-hour span); a violation is recorded (see
//! [`MockLogsApi::violations`]) and answered with `InvalidParameterException`, as AWS
//! would. Groups and streams must exist (`ResourceNotFoundException` otherwise); creating
//! an existing one answers `ResourceAlreadyExistsException`.
//!
//! Faults come from a seeded random plan ([`FaultPlan`]) and/or a script of forced faults
//! ([`MockLogsApi::script`]): throttling, 5xx, timeouts (not committed), lost replies
//! (committed, then an error — a correct client retries and duplicates, never loses),
//! partial rejections with AWS-correct indices, a stream deleted under the client, access
//! denied, and a whole outage. Combine with tokio's paused clock to keep tests fast.
//!
//! The mock reads a request's events, never its body; it counts the calls that arrived with
//! the body already written ([`MockLogsApi::written_puts`]) and the distinct bodies seen
//! ([`MockLogsApi::distinct_bodies`]), so tests see the shipper write each batch's body once,
//! before its first call, and resend it on retries.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::api::{ApiFuture, LogsApi, PutOutcome, PutRequest, RejectedEvents};
use crate::error::{ApiError, ApiErrorKind};
use crate::limits::{
    DEFAULT_MAX_EVENT_BYTES, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_BATCH_SPAN_MS,
};
use crate::packer::LogEvent;

/// One injected fault for a `PutLogEvents` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// `ThrottlingException`; nothing stored.
    Throttle,
    /// `ServiceUnavailableException` (HTTP 503); nothing stored.
    ServerError,
    /// A timeout before the server committed; nothing stored.
    Timeout,
    /// The server stores the batch, then the reply is lost (a timeout to the client).
    LostReply,
    /// The first `n` events (after sorting) are reported as too old; the rest stored.
    RejectTooOld(usize),
    /// The last `n` events are reported as too new; the rest stored.
    RejectTooNew(usize),
    /// The first `n` events are reported as expired; the rest stored.
    RejectExpired(usize),
    /// The stream is deleted just before the call (so it answers ResourceNotFound).
    DeleteStream,
    /// The group is deleted just before the call.
    DeleteGroup,
    /// `AccessDeniedException`; nothing stored.
    AccessDenied,
}

/// Probabilities (0.0–1.0) of random faults per `PutLogEvents` call, drawn from a seed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FaultPlan {
    /// Throttling.
    pub throttle: f64,
    /// 5xx.
    pub server_error: f64,
    /// Timeouts before commit.
    pub timeout: f64,
    /// Lost replies after commit.
    pub lost_reply: f64,
    /// Partial rejection of up to 3 events (too old, too new or expired).
    pub partial_reject: f64,
    /// Stream deleted before the call.
    pub delete_stream: f64,
}

/// A stored event and the call that stored it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// The event.
    pub event: LogEvent,
    /// Which successful call stored it (0-based).
    pub call: u64,
}

#[derive(Debug, Default)]
struct State {
    groups: HashMap<String, HashMap<String, Vec<StoredEvent>>>,
    acknowledged: HashMap<String, Vec<StoredEvent>>,
    retention: HashMap<String, u32>,
    plan: FaultPlan,
    rng: Option<fastrand::Rng>,
    script: VecDeque<Fault>,
    outage: bool,
    denied_streams: Vec<String>,
    violations: Vec<String>,
    put_calls: u64,
    create_calls: u64,
    stored_calls: u64,
    max_event_bytes: usize,
    latency: Duration,
    rejected: u64,
    written_puts: u64,
    stream_latency: HashMap<String, Duration>,
    /// The bodies seen, by address (kept, so that no later body can reuse an address).
    bodies: HashMap<usize, bytes::Bytes>,
}

/// The mock. Cheap to clone; clones share state.
#[derive(Debug, Clone)]
pub struct MockLogsApi {
    state: Arc<Mutex<State>>,
}

impl Default for MockLogsApi {
    fn default() -> Self {
        Self::new()
    }
}

impl MockLogsApi {
    /// An empty CloudWatch with no groups and no faults.
    pub fn new() -> Self {
        Self {
            state: Arc::new(Mutex::new(State {
                max_event_bytes: DEFAULT_MAX_EVENT_BYTES,
                ..State::default()
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Creates `group` up front.
    pub fn with_group(self, group: &str) -> Self {
        self.lock().groups.entry(group.to_owned()).or_default();
        self
    }

    /// Random faults from `plan`, drawn with `seed`.
    pub fn with_faults(self, plan: FaultPlan, seed: u64) -> Self {
        {
            let mut s = self.lock();
            s.plan = plan;
            s.rng = Some(fastrand::Rng::with_seed(seed));
        }
        self
    }

    /// Each call takes this long (on tokio's clock).
    pub fn with_latency(self, latency: Duration) -> Self {
        self.lock().latency = latency;
        self
    }

    /// `PutLogEvents` calls to `stream` take this long instead (a slow or throttled stream).
    pub fn with_stream_latency(self, stream: &str, latency: Duration) -> Self {
        self.lock()
            .stream_latency
            .insert(stream.to_owned(), latency);
        self
    }

    /// The per-event cap the mock enforces (default 1,048,550).
    pub fn with_max_event_bytes(self, bytes: usize) -> Self {
        self.lock().max_event_bytes = bytes;
        self
    }

    /// Forces these faults on the next calls, in order, before any random ones.
    pub fn script(&self, faults: impl IntoIterator<Item = Fault>) {
        self.lock().script.extend(faults);
    }

    /// While on, every call fails as a refused connection.
    pub fn set_outage(&self, on: bool) {
        self.lock().outage = on;
    }

    /// Every `PutLogEvents` to `stream` fails with `AccessDeniedException` from now on.
    pub fn deny_stream(&self, stream: &str) {
        self.lock().denied_streams.push(stream.to_owned());
    }

    /// Rule violations seen (should be empty).
    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }

    /// Events stored in `group`/`stream`, in arrival order.
    pub fn events(&self, group: &str, stream: &str) -> Vec<StoredEvent> {
        self.lock()
            .groups
            .get(group)
            .and_then(|g| g.get(stream))
            .cloned()
            .unwrap_or_default()
    }

    /// Stream names in `group`, sorted.
    pub fn streams(&self, group: &str) -> Vec<String> {
        let mut names: Vec<_> = self
            .lock()
            .groups
            .get(group)
            .map(|g| g.keys().cloned().collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    /// Every message ever stored in `group`, all streams, in arrival order — including
    /// those in streams deleted since (what the client was told was delivered).
    pub fn messages(&self, group: &str) -> Vec<String> {
        self.lock()
            .acknowledged
            .get(group)
            .map(|events| events.iter().map(|e| e.event.message.clone()).collect())
            .unwrap_or_default()
    }

    /// `PutLogEvents` calls received.
    pub fn put_calls(&self) -> u64 {
        self.lock().put_calls
    }

    /// `PutLogEvents` calls that arrived with their body already written.
    pub fn written_puts(&self) -> u64 {
        self.lock().written_puts
    }

    /// Distinct request bodies seen (one per batch when each is written once).
    pub fn distinct_bodies(&self) -> usize {
        self.lock().bodies.len()
    }

    /// Create calls received.
    pub fn create_calls(&self) -> u64 {
        self.lock().create_calls
    }

    /// Events reported back as rejected (too old, too new, expired).
    pub fn rejected(&self) -> u64 {
        self.lock().rejected
    }

    /// The retention set on `group`.
    pub fn retention(&self, group: &str) -> Option<u32> {
        self.lock().retention.get(group).copied()
    }

    /// Deletes a stream now.
    pub fn delete_stream(&self, group: &str, stream: &str) {
        if let Some(g) = self.lock().groups.get_mut(group) {
            g.remove(stream);
        }
    }

    /// Deletes a group now.
    pub fn delete_group(&self, group: &str) {
        self.lock().groups.remove(group);
    }

    async fn pause(&self) {
        self.pause_for(None).await;
    }

    /// Waits the latency of a call (to `stream`, which may have its own).
    async fn pause_for(&self, stream: Option<&str>) {
        let latency = {
            let s = self.lock();
            stream
                .and_then(|name| s.stream_latency.get(name).copied())
                .unwrap_or(s.latency)
        };
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
    }

    fn next_fault(s: &mut State) -> Option<Fault> {
        if let Some(f) = s.script.pop_front() {
            return Some(f);
        }
        let plan = s.plan;
        let rng = s.rng.as_mut()?;
        let mut roll = |p: f64| p > 0.0 && rng.f64() < p;
        if roll(plan.throttle) {
            Some(Fault::Throttle)
        } else if roll(plan.server_error) {
            Some(Fault::ServerError)
        } else if roll(plan.timeout) {
            Some(Fault::Timeout)
        } else if roll(plan.lost_reply) {
            Some(Fault::LostReply)
        } else if roll(plan.delete_stream) {
            Some(Fault::DeleteStream)
        } else if roll(plan.partial_reject) {
            let n = rng.usize(1..=3);
            Some(match rng.u8(0..3) {
                0 => Fault::RejectTooOld(n),
                1 => Fault::RejectTooNew(n),
                _ => Fault::RejectExpired(n),
            })
        } else {
            None
        }
    }

    fn check_rules(s: &State, events: &[LogEvent]) -> Result<(), String> {
        if events.is_empty() {
            return Err("empty batch".into());
        }
        if events.len() > MAX_BATCH_EVENTS {
            return Err(format!("{} events in one batch", events.len()));
        }
        let bytes: usize = events.iter().map(LogEvent::cost).sum();
        if bytes > MAX_BATCH_BYTES {
            return Err(format!("batch of {bytes} bytes"));
        }
        for (i, e) in events.iter().enumerate() {
            if e.message.is_empty() {
                return Err(format!("event {i} has an empty message"));
            }
            if e.message.len() > s.max_event_bytes {
                return Err(format!("event {i} has {} bytes", e.message.len()));
            }
            if e.timestamp_ms < 0 {
                return Err(format!("event {i} has a negative timestamp"));
            }
        }
        if events
            .windows(2)
            .any(|w| w[0].timestamp_ms > w[1].timestamp_ms)
        {
            return Err("events out of chronological order".into());
        }
        let span = events[events.len() - 1].timestamp_ms - events[0].timestamp_ms;
        if span > MAX_BATCH_SPAN_MS {
            return Err(format!("batch spans {span} ms"));
        }
        Ok(())
    }

    fn put(&self, group: &str, stream: &str, events: &[LogEvent]) -> Result<PutOutcome, ApiError> {
        const OP: &str = "PutLogEvents";
        let mut s = self.lock();
        s.put_calls += 1;
        if s.outage {
            return Err(ApiError::new(
                ApiErrorKind::Connection,
                OP,
                "connection refused",
            ));
        }
        if s.denied_streams.iter().any(|d| d == stream) {
            return Err(
                ApiError::new(ApiErrorKind::AccessDenied, OP, "not authorized")
                    .with_code("AccessDeniedException"),
            );
        }
        if let Err(rule) = Self::check_rules(&s, events) {
            s.violations.push(rule.clone());
            return Err(ApiError::new(ApiErrorKind::InvalidRequest, OP, rule)
                .with_code("InvalidParameterException"));
        }
        let scripted = !s.script.is_empty();
        let fault = Self::next_fault(&mut s);
        match fault {
            Some(Fault::Throttle) => {
                return Err(ApiError::new(ApiErrorKind::Throttled, OP, "Rate exceeded")
                    .with_code("ThrottlingException"));
            }
            Some(Fault::ServerError) => {
                return Err(ApiError::new(ApiErrorKind::ServiceFailure, OP, "HTTP 503")
                    .with_code("ServiceUnavailableException"));
            }
            Some(Fault::Timeout) => {
                return Err(ApiError::new(ApiErrorKind::Timeout, OP, "timed out"));
            }
            Some(Fault::AccessDenied) => {
                return Err(
                    ApiError::new(ApiErrorKind::AccessDenied, OP, "not authorized")
                        .with_code("AccessDeniedException"),
                );
            }
            Some(Fault::DeleteStream) => {
                if let Some(g) = s.groups.get_mut(group) {
                    g.remove(stream);
                }
            }
            Some(Fault::DeleteGroup) => {
                s.groups.remove(group);
            }
            _ => {}
        }
        let n = events.len();
        let rejected = match fault {
            Some(Fault::RejectTooOld(k)) => RejectedEvents {
                too_old_end: Some(k.min(n)),
                ..RejectedEvents::default()
            },
            Some(Fault::RejectExpired(k)) => RejectedEvents {
                expired_end: Some(k.min(n)),
                ..RejectedEvents::default()
            },
            Some(Fault::RejectTooNew(k)) => RejectedEvents {
                too_new_start: Some(n.saturating_sub(k)),
                ..RejectedEvents::default()
            },
            _ => RejectedEvents::default(),
        };
        let call = s.stored_calls;
        let exists = s.groups.get(group).is_some_and(|g| g.contains_key(stream));
        if !exists {
            // A scripted fault meant for a stored batch waits for the replay.
            if let Some(f) =
                fault.filter(|f| scripted && !matches!(f, Fault::DeleteStream | Fault::DeleteGroup))
            {
                s.script.push_front(f);
            }
        }
        let State {
            groups,
            acknowledged,
            ..
        } = &mut *s;
        let archive = acknowledged.entry(group.to_owned()).or_default();
        let Some(stored) = groups.get_mut(group).and_then(|g| g.get_mut(stream)) else {
            return Err(ApiError::new(
                ApiErrorKind::ResourceNotFound,
                OP,
                "The specified log stream does not exist.",
            )
            .with_code("ResourceNotFoundException"));
        };
        let mut refused = 0;
        for (i, event) in events.iter().enumerate() {
            if rejected.reason_for(i, n).is_some() {
                refused += 1;
            } else {
                let e = StoredEvent {
                    event: event.clone(),
                    call,
                };
                archive.push(e.clone());
                stored.push(e);
            }
        }
        s.stored_calls += 1;
        s.rejected += refused;
        if fault == Some(Fault::LostReply) {
            return Err(ApiError::new(ApiErrorKind::Timeout, OP, "reply lost"));
        }
        Ok(PutOutcome { rejected })
    }

    fn create(&self, group: &str, stream: Option<&str>) -> Result<(), ApiError> {
        let mut s = self.lock();
        s.create_calls += 1;
        let op = if stream.is_some() {
            "CreateLogStream"
        } else {
            "CreateLogGroup"
        };
        if s.outage {
            return Err(ApiError::new(
                ApiErrorKind::Connection,
                op,
                "connection refused",
            ));
        }
        let exists = || {
            ApiError::new(ApiErrorKind::ResourceAlreadyExists, op, "already exists")
                .with_code("ResourceAlreadyExistsException")
        };
        match stream {
            None => {
                if s.groups.contains_key(group) {
                    return Err(exists());
                }
                s.groups.insert(group.to_owned(), HashMap::new());
            }
            Some(stream) => {
                let Some(g) = s.groups.get_mut(group) else {
                    return Err(ApiError::new(
                        ApiErrorKind::ResourceNotFound,
                        op,
                        "The specified log group does not exist.",
                    )
                    .with_code("ResourceNotFoundException"));
                };
                if g.contains_key(stream) {
                    return Err(exists());
                }
                g.insert(stream.to_owned(), Vec::new());
            }
        }
        Ok(())
    }
}

impl LogsApi for MockLogsApi {
    fn put_log_events<'a>(&'a self, request: &'a PutRequest) -> ApiFuture<'a, PutOutcome> {
        Box::pin(async move {
            if let Some(body) = request.written_body() {
                let mut s = self.lock();
                s.written_puts += 1;
                let bytes = body.body().clone();
                s.bodies.insert(bytes.as_ptr() as usize, bytes);
            }
            self.pause_for(Some(request.stream())).await;
            self.put(request.group(), request.stream(), request.events())
        })
    }

    fn create_log_group<'a>(&'a self, group: &'a str) -> ApiFuture<'a, ()> {
        Box::pin(async move {
            self.pause().await;
            self.create(group, None)
        })
    }

    fn create_log_stream<'a>(&'a self, group: &'a str, stream: &'a str) -> ApiFuture<'a, ()> {
        Box::pin(async move {
            self.pause().await;
            self.create(group, Some(stream))
        })
    }

    fn put_retention_policy<'a>(&'a self, group: &'a str, days: u32) -> ApiFuture<'a, ()> {
        Box::pin(async move {
            self.pause().await;
            let mut s = self.lock();
            s.create_calls += 1;
            if !s.groups.contains_key(group) {
                return Err(ApiError::new(
                    ApiErrorKind::ResourceNotFound,
                    "PutRetentionPolicy",
                    "no such group",
                ));
            }
            s.retention.insert(group.to_owned(), days);
            Ok(())
        })
    }
}
