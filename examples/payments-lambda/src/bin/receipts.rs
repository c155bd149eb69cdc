//! `payments-receipts`: an SQS consumer built with Lift — the generic JSON event adapter.
//!
//! Each SQS record body is a charge receipt `{"charge_id", "tenant", "amount"}`; records
//! that do not parse are reported back as `batchItemFailures` (SQS partial batch
//! response), so only they are retried. Every receipt is logged with the invocation's
//! context and the receipt's tenant.

use lift::{Context, LiftError, info, warn};
use serde_json::{Value, json};

async fn on_batch(ctx: Context, event: Value) -> Result<Value, LiftError> {
    let records = event["Records"]
        .as_array()
        .ok_or_else(|| LiftError::bad_request("not an SQS event: no Records array"))?;
    let mut failures = Vec::new();
    for record in records {
        let id = record["messageId"].as_str().unwrap_or_default();
        let receipt: Option<Value> = record["body"]
            .as_str()
            .and_then(|b| serde_json::from_str(b).ok());
        match receipt {
            Some(r) if r["charge_id"].is_string() => {
                let log = ctx
                    .logger()
                    .with_tenant_id(r["tenant"].as_str().unwrap_or(""));
                info!(log, "Receipt recorded";
                    "message_id" => id,
                    "charge_id" => r["charge_id"].as_str().unwrap_or_default(),
                    "amount" => r["amount"].as_u64().unwrap_or(0));
            }
            _ => {
                warn!(ctx.logger(), "Malformed receipt; returned to the queue"; "message_id" => id);
                failures.push(json!({ "itemIdentifier": id }));
            }
        }
    }
    Ok(json!({ "batchItemFailures": failures }))
}

#[tokio::main]
async fn main() -> Result<(), lift::RuntimeError> {
    lift::App::new()
        .service("payments-receipts")
        .run_events(on_batch)
        .await
}
