//! Delivering one batch: `PutLogEvents`, retried and replayed until it is acknowledged or
//! refused.
//!
//! Runs as its own task so a slow or failing stream never holds up another. Transient
//! failures (throttling, 5xx, timeouts, broken connections) are retried without an attempt
//! limit, with [`RetryPolicy`] delays: the batch keeps its room in the buffer meanwhile, so
//! it is the buffer bound (new entries refused) or the close deadline (the task is aborted
//! and the batch spilled) that ends an outage's hold on it — never a retry count. A missing
//! group or stream is created (`ResourceAlreadyExists` is success) and the same batch
//! replayed. Requests that cannot succeed as-is come back as [`Delivery::Refused`].

use std::sync::Arc;

use crate::api::{LogsApi, PutRequest, RejectedEvents};
use crate::classify::{CreateOutcome, Disposition, classify, classify_create};
use crate::error::{ApiError, ApiErrorKind};
use crate::retry::RetryPolicy;
use crate::stats::ShipperCounters;

/// What became of one batch.
#[derive(Debug)]
pub(crate) enum Delivery {
    /// Acknowledged; some events may have been rejected individually.
    Acknowledged(RejectedEvents),
    /// Will not be accepted as-is.
    Refused(ApiError),
}

/// Everything a delivery task needs, shared by all of them.
pub(crate) struct DeliveryContext {
    pub(crate) api: Arc<dyn LogsApi>,
    pub(crate) group: Arc<str>,
    pub(crate) create_group: bool,
    pub(crate) retention_days: Option<u32>,
    pub(crate) retry: RetryPolicy,
    pub(crate) counters: Arc<ShipperCounters>,
}

/// Delivers `request`; returns only when it is acknowledged or refused. Its body is
/// written once, before the first attempt (unless it was written ahead), and every attempt
/// resends it.
pub(crate) async fn deliver(
    cx: Arc<DeliveryContext>,
    request: Arc<PutRequest>,
    seed: u64,
) -> Delivery {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut attempt: u32 = 0;
    write_bodies(Arc::clone(&request), None).await;
    let stream = request.stream();
    loop {
        ShipperCounters::add(&cx.counters.put_calls, 1);
        let error = match cx.api.put_log_events(&request).await {
            Ok(outcome) => return Delivery::Acknowledged(outcome.rejected),
            Err(error) => error,
        };
        let disposition = classify(&error);
        // A missing stream on first use is routine (streams are created lazily): it is
        // neither an error nor a failure for health.
        if disposition != Disposition::CreateResources {
            cx.counters.record_attempt(false);
            cx.counters
                .error(format!("{} (group {}, stream {stream})", error, cx.group));
        }
        match disposition {
            Disposition::Retry { throttled, .. } => {
                ShipperCounters::add(&cx.counters.retries, 1);
                if throttled {
                    ShipperCounters::add(&cx.counters.throttles, 1);
                }
                let delay = cx.retry.delay(attempt, error.retry_after(), &mut rng);
                tokio::time::sleep(delay).await;
                attempt = attempt.saturating_add(1);
            }
            Disposition::CreateResources => {
                if let Err(refused) = ensure_stream(&cx, stream, &mut rng).await {
                    return Delivery::Refused(refused);
                }
                // Replaying straight after a successful create is normal; if the resource
                // keeps vanishing, back off instead of spinning.
                if attempt > 0 {
                    let delay = cx.retry.delay(attempt, None, &mut rng);
                    tokio::time::sleep(delay).await;
                }
                attempt = attempt.saturating_add(1);
            }
            _ => return Delivery::Refused(error),
        }
    }
}

/// Message bytes up to which bodies are written on the calling task rather than on tokio's
/// blocking pool: about 50 µs of escaping and hashing, less than the two hand-overs between
/// threads the pool costs (BENCHMARKS.md: a flush after an invocation's 100 entries).
const INLINE_BODY_BYTES: usize = 64 << 10;

/// Writes `request`'s body, then `next`'s (each unless it is written already): on tokio's
/// blocking pool when they are large — writing and hashing a body is a millisecond or so of
/// CPU per MiB, which on the shipper's thread would hold up every delivery queued behind it
/// — and at once when they are small ([`INLINE_BODY_BYTES`]). Returns whether this call
/// wrote `next`'s body. A failed pool thread leaves a body unwritten; the call then writes
/// it itself.
pub(crate) async fn write_bodies(request: Arc<PutRequest>, next: Option<Arc<PutRequest>>) -> bool {
    let unwritten = |r: &PutRequest| r.written_body().is_none().then(|| r.message_bytes());
    let to_write =
        unwritten(&request).unwrap_or(0) + next.as_deref().and_then(unwritten).unwrap_or(0);
    if to_write == 0 {
        return false;
    }
    let write = move || {
        request.write_body();
        next.is_some_and(|n| n.write_body())
    };
    if to_write <= INLINE_BODY_BYTES {
        return write();
    }
    tokio::task::spawn_blocking(write).await.unwrap_or(false)
}

/// Creates the stream (and the group, when allowed and missing). `Ok` once both exist.
async fn ensure_stream(
    cx: &DeliveryContext,
    stream: &str,
    rng: &mut fastrand::Rng,
) -> Result<(), ApiError> {
    let mut attempt: u32 = 0;
    loop {
        ShipperCounters::add(&cx.counters.create_calls, 1);
        let result = cx.api.create_log_stream(&cx.group, stream).await;
        match classify_create(&result) {
            CreateOutcome::Exists => return Ok(()),
            CreateOutcome::ParentMissing if cx.create_group => ensure_group(cx, rng).await?,
            CreateOutcome::ParentMissing => {
                return Err(ApiError::new(
                    ApiErrorKind::ResourceNotFound,
                    "CreateLogStream",
                    format!(
                        "log group {} does not exist and creating groups is off (set create_group)",
                        cx.group
                    ),
                ));
            }
            CreateOutcome::Retry => {
                note_failure(cx, &result);
                tokio::time::sleep(cx.retry.delay(attempt, None, rng)).await;
                attempt = attempt.saturating_add(1);
            }
            _ => return Err(failure(result, "CreateLogStream")),
        }
    }
}

/// Creates the group and sets its retention.
async fn ensure_group(cx: &DeliveryContext, rng: &mut fastrand::Rng) -> Result<(), ApiError> {
    let mut attempt: u32 = 0;
    loop {
        ShipperCounters::add(&cx.counters.create_calls, 1);
        let result = cx.api.create_log_group(&cx.group).await;
        match classify_create(&result) {
            CreateOutcome::Exists => break,
            CreateOutcome::Retry => {
                note_failure(cx, &result);
                tokio::time::sleep(cx.retry.delay(attempt, None, rng)).await;
                attempt = attempt.saturating_add(1);
            }
            _ => return Err(failure(result, "CreateLogGroup")),
        }
    }
    if let Some(days) = cx.retention_days {
        ShipperCounters::add(&cx.counters.create_calls, 1);
        // Retention is a setting, not a precondition: a failure is reported, not fatal.
        if let Err(e) = cx.api.put_retention_policy(&cx.group, days).await {
            cx.counters.error(e.to_string());
        }
    }
    Ok(())
}

fn note_failure(cx: &DeliveryContext, result: &Result<(), ApiError>) {
    if let Err(e) = result {
        cx.counters.error(e.to_string());
    }
}

fn failure(result: Result<(), ApiError>, operation: &'static str) -> ApiError {
    result
        .err()
        .unwrap_or_else(|| ApiError::new(ApiErrorKind::Other, operation, "unexpected outcome"))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::{INLINE_BODY_BYTES, write_bodies};
    use crate::api::PutRequest;
    use crate::packer::LogEvent;

    fn request(message_bytes: usize) -> Arc<PutRequest> {
        let events = vec![LogEvent::new(1_764_000_000_000, "x".repeat(message_bytes))];
        Arc::new(PutRequest::new("g", "s", events))
    }

    #[test]
    fn small_bodies_are_written_at_once_large_ones_on_the_blocking_pool() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .max_blocking_threads(1)
            .enable_time()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            // The pool's one thread is busy: a body sent there waits for it.
            let busy = tokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_secs(2)));
            let (small, next) = (request(1_000), request(2_000));
            let wrote = tokio::time::timeout(
                Duration::from_millis(300),
                write_bodies(Arc::clone(&small), Some(Arc::clone(&next))),
            )
            .await;
            assert_eq!(wrote.ok(), Some(true), "written without the pool");
            assert!(small.written_body().is_some() && next.written_body().is_some());
            // Written already: nothing to do.
            assert!(!write_bodies(Arc::clone(&small), Some(next)).await);
            let large = request(INLINE_BODY_BYTES + 1);
            let waited = tokio::time::timeout(
                Duration::from_millis(300),
                write_bodies(Arc::clone(&large), None),
            )
            .await;
            assert!(waited.is_err(), "a large body waits for the pool");
            busy.await.expect("slept");
            write_bodies(Arc::clone(&large), None).await;
            assert!(large.written_body().is_some());
        });
    }
}
