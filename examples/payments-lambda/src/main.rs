//! `payments-lambda`: a small multi-tenant payments API on AWS Lambda, built with Lift.
//!
//! Routes (tenant from the authorizer's verified `tenant_id` claim, else from the
//! `X-Tenant-ID` header, which this example trusts as if set by its own gateway; a header
//! naming another tenant than the claim is answered 403 before the handler runs):
//! - `POST /charges` with `{"amount": 1250, "currency": "USD", "card_number": "…"}` → 201
//!   and the charge (only the card's brand and last four digits are kept);
//! - `GET /charges/{id}` → 200, or 404 for an id this tenant does not have;
//! - `GET /health` → the health report (and the rate limiter's store), 200 or 503;
//! - `POST /internal/settlements` → 201, for other services only: with `LIFT_SIGNING_KEYS`
//!   (or `LIFT_SIGNING_KEYS_SECRET`, a Secrets Manager secret listing them) set, every route
//!   under `LIFT_SIGNED_ROUTES` (default `/internal/`) needs an RFC 9421 signature by one of
//!   those keys (`payments-sign` makes one), else `401`; a replayed signature is refused —
//!   by every instance when `LIFT_SIGNING_NONCE_TABLE` names a DynamoDB table; the caller's
//!   key id is on the context and every line.
//!
//! `LIFT_RATE_LIMIT` (`100/min,1000/h`) limits `POST /charges` per tenant — in memory, or
//! shared by every instance through a DynamoDB table named by `LIFT_RATE_LIMIT_TABLE`;
//! `LIFT_RATE_LIMIT_PLANS` gives tenants their own limits (`acme=1000/min`). A tenant over
//! its limit gets `429` with `Retry-After`; if the store fails, charges go through
//! (fail-open) and the failure is logged and counted.
//!
//! A charge is authorized by a card network, simulated here (the example has no real one):
//! the `X-Card-Network` header sets its behaviour — `delay=<ms>` (awaited, at most 10,000),
//! `down` (a 503), `crash` (the simulated client panics: Lift answers 500 and the function
//! lives on). Each authorization logs a debug line, kept only for invocations that fail or
//! run slow (Lift's tail buffering).
//!
//! A malformed body is a 400 with a message saying what is wrong. Runs under the real
//! Lambda Runtime API (`AWS_LAMBDA_RUNTIME_API` and the standard `AWS_LAMBDA_*` variables)
//! and logs JSON to stdout with the request, tenant, user and trace context. Charges live in
//! memory: the point is the handler and its observability, not storage.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use lift::{Context, HttpResponse, LiftError, RequestExt, debug, info};
use serde::{Deserialize, Serialize};

/// A charge request body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewCharge {
    amount: u64,
    currency: String,
    card_number: String,
}

/// A stored charge.
#[derive(Debug, Clone, Serialize)]
struct Charge {
    id: String,
    amount: u64,
    currency: String,
    card_brand: &'static str,
    card_last4: String,
    status: &'static str,
}

/// Charges by tenant, then id.
#[derive(Debug, Default)]
struct Store {
    charges: Mutex<HashMap<String, HashMap<String, Charge>>>,
    next_id: AtomicU64,
}

#[derive(Clone)]
struct App {
    store: Arc<Store>,
    limiter: Option<lift_ratelimit::RateLimiter>,
}

fn json_response(status: u16, body: &impl Serialize) -> Result<HttpResponse, LiftError> {
    let text = serde_json::to_string(body)
        .map_err(|e| LiftError::internal("could not encode the response").with_source(e))?;
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(text.into())
        .map_err(|e| LiftError::internal("could not build the response").with_source(e))
}

fn brand(digits: &str) -> &'static str {
    match digits.as_bytes().first() {
        Some(b'4') => "visa",
        Some(b'5') => "mastercard",
        Some(b'3') => "amex",
        _ => "unknown",
    }
}

impl App {
    async fn handle(self, ctx: Context, req: lift::Request) -> Result<HttpResponse, LiftError> {
        let path = req.raw_http_path().to_owned();
        let method = req.method().as_str().to_owned();
        match (method.as_str(), path.trim_end_matches('/')) {
            // The context's logger shares the root's sink and stats.
            ("GET", "/health") => {
                let mut report = lift::health::HealthReport::of(std::slice::from_ref(ctx.logger()));
                if let Some(limiter) = &self.limiter {
                    report = report.with(limiter.health().into());
                }
                Ok(report.response())
            }
            ("POST", "/charges") => {
                let network = req
                    .headers()
                    .get("x-card-network")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                self.create(&ctx, req.body(), &network).await
            }
            ("GET", p) if p.starts_with("/charges/") => self.get(&ctx, &p["/charges/".len()..]),
            ("POST", "/internal/settlements") => {
                let caller = ctx.caller().unwrap_or("unverified").to_owned();
                info!(ctx.logger(), "Settlement received"; "bytes" => req.body().len());
                json_response(201, &serde_json::json!({"accepted_from": caller}))
            }
            _ => Err(LiftError::not_found(format!(
                "no route for {method} {path}"
            ))),
        }
    }

    fn tenant(ctx: &Context) -> Result<&str, LiftError> {
        ctx.tenant_id()
            .ok_or_else(|| LiftError::bad_request("the X-Tenant-ID header is required"))
    }

    async fn create(
        &self,
        ctx: &Context,
        body: &[u8],
        network: &str,
    ) -> Result<HttpResponse, LiftError> {
        let tenant = Self::tenant(ctx)?;
        let new: NewCharge = serde_json::from_slice(body)
            .map_err(|e| LiftError::bad_request(format!("malformed charge body: {e}")))?;
        if new.amount == 0 {
            return Err(LiftError::bad_request(
                "amount must be a positive number of minor units",
            ));
        }
        if new.currency.len() != 3 || !new.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(LiftError::bad_request(
                "currency must be a three-letter ISO 4217 code",
            ));
        }
        let digits: String = new
            .card_number
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        if !(13..=19).contains(&digits.len()) {
            return Err(LiftError::bad_request(
                "card_number must have 13 to 19 digits",
            ));
        }
        authorize(ctx, network, new.amount).await?;
        let id = format!(
            "ch_{:06}",
            self.store.next_id.fetch_add(1, Ordering::Relaxed) + 1
        );
        let charge = Charge {
            id: id.clone(),
            amount: new.amount,
            currency: new.currency,
            card_brand: brand(&digits),
            card_last4: digits[digits.len() - 4..].to_owned(),
            status: "captured",
        };
        info!(ctx.logger(), "Charge captured";
            "charge_id" => id.as_str(), "amount" => charge.amount,
            "currency" => charge.currency.as_str(), "card_brand" => charge.card_brand,
            "card_last4" => charge.card_last4.as_str());
        // The store write as an X-Ray subsegment (sent when X-Ray is on).
        let mut write = ctx.subsegment("charge-store.insert");
        write.annotate("charge_id", id.as_str());
        self.store
            .charges
            .lock()
            .map_err(|_| LiftError::internal("charge store unavailable"))?
            .entry(tenant.to_owned())
            .or_default()
            .insert(id, charge.clone());
        write.end();
        // Per-invocation EMF metrics (written when LIFT_METRICS_NAMESPACE is set).
        ctx.metrics().count("ChargeCaptured", 1.0);
        ctx.metrics()
            .metric("ChargeAmount")
            .dimensions(&[("currency", charge.currency.as_str())])
            .record(charge.amount as f64);
        json_response(201, &charge)
    }

    fn get(&self, ctx: &Context, id: &str) -> Result<HttpResponse, LiftError> {
        let tenant = Self::tenant(ctx)?;
        let charges = self
            .store
            .charges
            .lock()
            .map_err(|_| LiftError::internal("charge store unavailable"))?;
        // Another tenant's charge is as absent as a missing one.
        match charges.get(tenant).and_then(|c| c.get(id)) {
            Some(charge) => json_response(200, charge),
            None => Err(LiftError::not_found(format!("no charge with id {id}"))),
        }
    }
}

/// The simulated card network's authorization (see the module's documentation).
async fn authorize(ctx: &Context, network: &str, amount: u64) -> Result<(), LiftError> {
    debug!(ctx.logger(), "Card network authorization requested";
        "amount" => amount, "network" => network);
    if let Some(ms) = network.strip_prefix("delay=") {
        let ms = ms.parse::<u64>().unwrap_or(0).min(10_000);
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    match network {
        "down" => Err(LiftError::unavailable("the card network is unavailable")),
        "crash" => panic!("card network client crashed"),
        _ => Ok(()),
    }
}

#[tokio::main]
async fn main() -> Result<(), lift::RuntimeError> {
    let limiter = match lift_ratelimit::RateLimiter::from_env().await {
        Ok(limiter) => limiter,
        // A bad LIFT_RATE_LIMIT* value stops the function at start-up, as Lambda expects.
        Err(e) => return lift::fail_init(e.into()).await,
    };
    let app = App {
        store: Arc::new(Store::default()),
        limiter: limiter.clone(),
    };
    // Signed routes: keys from LIFT_SIGNING_KEYS or the Secrets Manager secret
    // LIFT_SIGNING_KEYS_SECRET; nonces in the DynamoDB table LIFT_SIGNING_NONCE_TABLE (every
    // instance refuses a replay) or in memory.
    let verify = match lift_signing::VerifyLayer::from_env().await {
        Ok(verify) => verify,
        Err(e) => return lift::fail_init(e.into()).await,
    };
    let mut handler: Handler = Arc::new(move |ctx, req| Box::pin(app.clone().handle(ctx, req)));
    // Logs: JSON on stdout, or straight to CloudWatch Logs when LIFT_CLOUDWATCH_LOG_GROUP
    // is set; EMF metrics with LIFT_METRICS_NAMESPACE; X-Ray subsegments when Lambda's
    // active tracing sets AWS_XRAY_DAEMON_ADDRESS (see the README).
    let lift_app = lift::App::new()
        .service("payments-api")
        .extractors(lift::Extractors::default().trust_headers())
        // Debug lines are held per invocation and written only if it fails or takes over
        // a second.
        .buffering(lift::Buffering {
            latency_threshold: Some(std::time::Duration::from_secs(1)),
            ..lift::Buffering::default()
        });
    if let Some(limiter) = limiter {
        let per_tenant = lift_ratelimit::RateLimitLayer::new(limiter)
            .key(lift_ratelimit::KeyBy::Tenant)
            .route(lift_ratelimit::Route::new("POST", "/charges"));
        let inner = handler;
        let limited = tower::Layer::layer(&per_tenant, move |ctx, req| inner(ctx, req));
        handler = Arc::new(move |ctx, req| lift::Handler::call(&limited, ctx, req));
    }
    if let Some(verify) = verify {
        let prefixes: Vec<String> = std::env::var("LIFT_SIGNED_ROUTES")
            .unwrap_or_else(|_| "/internal/".into())
            .split(',')
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect();
        let verify =
            verify.only(move |_, path| prefixes.iter().any(|p| path.starts_with(p.as_str())));
        let inner = handler;
        let verified = tower::Layer::layer(&verify, move |ctx, req| inner(ctx, req));
        handler = Arc::new(move |ctx, req| lift::Handler::call(&verified, ctx, req));
    }
    lift_app.run(move |ctx, req| handler(ctx, req)).await
}

/// The handler, whatever layers wrap it.
type Handler = Arc<
    dyn Fn(
            Context,
            lift::Request,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<HttpResponse, LiftError>> + Send>,
        > + Send
        + Sync,
>;
