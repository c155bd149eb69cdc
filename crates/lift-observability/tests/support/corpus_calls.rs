//! Lift's call site for each shape of the realistic corpus (`lift-corpus`): a literal
//! message and literal keys, as services write log calls. Shared by the corpus benchmark,
//! the allocation test and `lift-cloudwatch`'s caller-cost benchmark (included with
//! `#[path]`), so all run the same calls.

use lift_corpus::Entry;
use lift_observability::{Logger, Value, error, info, warn};

/// The logger a Lambda invocation carries: request, tenant and user ids (UUIDs).
pub(crate) fn invocation_logger(root: &Logger) -> Logger {
    root.with_request_id("c6af9ac6-7b61-4e6d-9a41-93e8deadbeef")
        .with_tenant_id("tenant-7f3b2c")
        .with_user_id("5d1e0f7a-2b4c-4d8e-9f01-a2b3c4d5e6f7")
}

/// Logs one corpus entry through Lift's macros.
pub(crate) fn log_entry(log: &Logger, entry: &Entry) {
    match entry {
        Entry::Ids(e) => info!(log, "Payment authorized";
            "merchant_id" => e.merchant_id, "customer_id" => e.customer_id,
            "payment_id" => e.payment_id, "amount" => e.amount, "currency" => e.currency,
            "status" => e.status, "attempt" => e.attempt, "latency_ms" => e.latency_ms,
            "card_brand" => e.card_brand, "last4" => e.last4),
        Entry::Prose(e) => warn!(log, "Charge declined by issuer";
            "merchant_id" => e.merchant_id, "reason" => e.reason, "note" => e.note,
            "decline_code" => e.decline_code, "region" => e.region, "retry" => e.retry),
        Entry::Url(e) => info!(log, "Upstream request completed";
            "method" => e.method, "url" => e.url, "status" => e.status,
            "latency_ms" => e.latency_ms, "client_ip" => e.client_ip,
            "user_agent" => e.user_agent, "function_arn" => e.function_arn,
            "idempotency_key" => e.idempotency_key),
        Entry::Body(e) => info!(log, "Webhook received";
            "event_type" => e.event_type, "merchant_id" => e.merchant_id,
            "body" => Value::serde(&e.body)),
        Entry::Failure(e) => error!(log, "Charge failed";
            "merchant_id" => e.merchant_id, "payment_id" => e.payment_id,
            "amount" => e.amount, "attempt" => e.attempt, "elapsed" => e.elapsed,
            "error" => Value::error(&e.error)),
    }
}
