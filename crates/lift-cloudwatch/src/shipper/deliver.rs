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

/// Writes `request`'s body, then `next`'s, on tokio's blocking pool (each unless it is
/// written already): writing and hashing a body is a millisecond or so of CPU per MiB, which
/// on a worker thread would hold up the shipper and every delivery queued behind it. Returns
/// whether this call wrote `next`'s body. A failed pool thread leaves a body unwritten; the
/// call then writes it itself.
pub(crate) async fn write_bodies(request: Arc<PutRequest>, next: Option<Arc<PutRequest>>) -> bool {
    if request.written_body().is_some() && next.as_ref().is_none_or(|n| n.written_body().is_some())
    {
        return false;
    }
    tokio::task::spawn_blocking(move || {
        request.write_body();
        next.is_some_and(|n| n.write_body())
    })
    .await
    .unwrap_or(false)
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
