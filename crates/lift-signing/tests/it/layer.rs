//! The inbound layer in Lift's stack: a signed request reaches the handler with its caller
//! on the context and on every line; a refused one is a 401 naming the check, logged at
//! warn; replays and unsigned requests on covered routes are refused; the IAM identity API
//! Gateway verified is the caller too.

use std::convert::Infallible;

use lift::local::apigw_v1_event;
use lift::observability::{Logger, MemorySink};
use lift::{App, Context, HttpResponse, LiftError};
use lift_signing::{MemoryNonces, Secret, Signer, SigningKey, StaticKeys, Verifier, VerifyLayer};
use tower::{Layer, Service};

use crate::support::{call, header_pairs, post};

const BODY: &str = r#"{"amount":1250,"currency":"EUR"}"#;

async fn entries(ctx: Context, _req: lift::Request) -> Result<HttpResponse, LiftError> {
    lift::info!(ctx.logger(), "Entry recorded");
    Ok(http::Response::builder()
        .status(201)
        .body(ctx.caller().unwrap_or("-").to_owned().into())
        .unwrap())
}

fn key() -> SigningKey {
    SigningKey::HmacSha256(Secret::new(b"ledger shared secret"))
}

/// Lift's stack with the layer on `/internal/` routes, with a nonce store or without one
/// (the layer then decides before the handler's future is made).
fn stack(
    logger: &Logger,
    nonces: bool,
) -> impl Service<lift::Request, Response = HttpResponse, Error = Infallible> + use<> {
    let keys = StaticKeys::new();
    keys.add("ledger-2026", key().verifying_key());
    let mut layer = VerifyLayer::new(Verifier::new(keys).require_nonce(nonces))
        .only(|_, path| path.starts_with("/internal/"));
    if nonces {
        layer = layer.nonces(MemoryNonces::new(1_000));
    }
    App::new()
        .logger(logger.clone())
        .http_service(layer.layer(entries))
        .unwrap()
}

/// The headers a client signing `POST https://ledger.internal{path}` with `body` sends.
fn signed_headers(path: &str, body: &str) -> Vec<(String, String)> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut request = http::Request::post(format!("https://ledger.internal{path}"))
        .body(())
        .unwrap();
    Signer::new("ledger-2026", key())
        .sign(&mut request, Some(body.as_bytes()), now)
        .unwrap();
    header_pairs(request.headers())
}

fn lines_with(sink: &MemorySink, message: &str) -> Vec<serde_json::Value> {
    sink.entries()
        .into_iter()
        .filter(|e| e["message"] == message)
        .collect()
}

#[tokio::test]
async fn a_signed_request_reaches_the_handler_with_its_caller_on_every_line() {
    for nonces in [true, false] {
        let (logger, sink) = Logger::test();
        let mut svc = stack(&logger, nonces);
        let headers = signed_headers("/internal/entries", BODY);
        let (status, body) = post(&mut svc, "/internal/entries", &headers, BODY).await;
        assert_eq!(
            (status, body.as_str()),
            (201, "ledger-2026"),
            "nonces: {nonces}"
        );
        let recorded = lines_with(&sink, "Entry recorded");
        assert_eq!(recorded[0]["caller"], "ledger-2026");
        assert_eq!(
            lines_with(&sink, "Request completed")[0]["caller"],
            "ledger-2026"
        );

        // The same request again: a replay, refused where nonces are kept.
        let (status, body) = post(&mut svc, "/internal/entries", &headers, BODY).await;
        if nonces {
            assert_eq!(status, 401);
            assert!(body.contains("nonce was used before"), "{body}");
            // The caller is attached to the first invocation only.
            let failed = lines_with(&sink, "Request failed");
            assert_eq!(failed.len(), 1);
            assert_eq!(failed[0].get("caller"), None, "{}", failed[0]);
        } else {
            assert_eq!((status, body.as_str()), (201, "ledger-2026"));
        }
        // Written once per line.
        for line in sink.captured() {
            assert!(
                line.text.matches("\"caller\"").count() <= 1,
                "{}",
                line.text
            );
        }
    }
}

#[tokio::test]
async fn a_refused_request_is_a_401_naming_the_check_and_a_warn_line() {
    for nonces in [true, false] {
        let (logger, sink) = Logger::test();
        let mut svc = stack(&logger, nonces);
        let headers = signed_headers("/internal/entries", BODY);
        let signature = headers
            .iter()
            .find(|(k, _)| k == "signature")
            .unwrap()
            .1
            .clone();
        let (status, body) = post(
            &mut svc,
            "/internal/entries",
            &headers,
            r#"{"amount":999999}"#,
        )
        .await;
        assert_eq!(status, 401);
        let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(problem["error"], "unauthorized");
        assert!(
            problem["message"]
                .as_str()
                .unwrap()
                .contains("Content-Digest"),
            "{body}"
        );
        let refused = &lines_with(&sink, "Request signature refused")[0];
        assert_eq!(refused["level"], "WARN");
        assert_eq!(refused["keyid"], "ledger-2026");
        assert!(
            refused["reason"]
                .as_str()
                .unwrap()
                .contains("Content-Digest")
        );
        let sig_value = signature.trim_start_matches("sig1=:").trim_end_matches(':');
        assert!(
            sink.lines().iter().all(|l| !l.contains(sig_value)) && !body.contains(sig_value),
            "the signature is echoed"
        );
        // No signature at all on a covered route.
        let (status, body) = post(&mut svc, "/internal/entries", &[], BODY).await;
        assert_eq!(status, 401, "{body}");
        // A route the layer does not cover needs none.
        let (status, body) = post(&mut svc, "/public/quotes", &[], BODY).await;
        assert_eq!((status, body.as_str()), (201, "-"));
    }
}

#[tokio::test]
async fn a_malformed_signature_s_detail_reaches_the_caller_and_the_line_whole() {
    // It was `malformed signature: [REDACTED] signature is not a byte sequence`: redaction
    // took the detail's first word for a signature's value.
    let (logger, sink) = Logger::test();
    let mut svc = stack(&logger, false);
    let mut headers = signed_headers("/internal/entries", BODY);
    for (k, v) in headers.iter_mut() {
        if k == "signature" {
            *v = "sig1=notbytes".into();
        }
    }
    let (status, body) = post(&mut svc, "/internal/entries", &headers, BODY).await;
    assert_eq!(status, 401, "{body}");
    let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
    let message = problem["message"].as_str().unwrap();
    assert!(message.contains("the signature is malformed: a"), "{body}");
    assert!(!message.contains("[REDACTED]"), "{body}");
    let refused = &lines_with(&sink, "Request signature refused")[0];
    let reason = refused["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("the signature is malformed: a"),
        "{refused}"
    );
    assert!(!reason.contains("[REDACTED]"), "{refused}");
}

#[tokio::test]
async fn the_iam_identity_api_gateway_verified_is_the_caller() {
    let (logger, sink) = Logger::test();
    let mut svc = App::new()
        .logger(logger.clone())
        .http_service(entries)
        .unwrap();
    let mut event = apigw_v1_event("POST", "/entries", &[], Some(BODY));
    let arn = "arn:aws:iam::123456789012:role/ledger-writer";
    event["requestContext"]["identity"]["userArn"] = arn.into();
    let (_, body) = call(&mut svc, &event).await;
    assert_eq!(body, arn);
    assert_eq!(lines_with(&sink, "Entry recorded")[0]["caller"], arn);
}

#[tokio::test]
async fn a_layer_configured_after_it_was_cloned_keeps_its_settings() {
    let keys = StaticKeys::new();
    keys.add("ledger-2026", key().verifying_key());
    let base = VerifyLayer::new(Verifier::new(keys));
    let _elsewhere = base.clone();
    // Configured while a clone is alive: the route predicate must still take effect.
    let layer = base.only(|_, path| path.starts_with("/internal/"));
    let (logger, _sink) = Logger::test();
    let mut svc = App::new()
        .logger(logger)
        .http_service(layer.layer(entries))
        .unwrap();
    let (status, _) = post(&mut svc, "/public/quotes", &[], BODY).await;
    assert_eq!(status, 201);
}
