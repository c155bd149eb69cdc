//! The outbound layer: a client's request signed inside an invocation carries its trace and
//! correlation id, and a Lift service verifying it logs its lines under the same trace,
//! correlation id and the caller's key id.

use std::convert::Infallible;

use lift::observability::Logger;
use lift::{App, Context, ContextParts, HttpResponse, LiftError, TraceHeader};
use lift_signing::{SignLayer, Signer, SigningKey, StaticKeys, Verifier, VerifyLayer};
use tower::{Layer, Service, ServiceExt};

use crate::support::{header_pairs, post};

const TRACE: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

fn key() -> SigningKey {
    SigningKey::ed25519_from_seed(&[3; 32])
}

/// The request a signing client sends from inside an invocation with `TRACE`.
async fn sent_from_an_invocation() -> http::Request<Vec<u8>> {
    let (root, _sink) = Logger::test();
    let caller = Context::new(
        ContextParts {
            request_id: "req-caller-1".into(),
            correlation_id: Some("corr-7f3a".into()),
            trace: TraceHeader::parse(TRACE),
            ..ContextParts::default()
        },
        &root,
    );
    let client =
        tower::service_fn(|r: http::Request<Vec<u8>>| async move { Ok::<_, Infallible>(r) });
    let mut client = SignLayer::new(Signer::new("payments-api", key())).layer(client);
    let request = http::Request::post("https://ledger.internal/internal/entries")
        .body(br#"{"amount":1250}"#.to_vec())
        .unwrap();
    lift::scope(caller, async move {
        client.ready().await.unwrap().call(request).await.unwrap()
    })
    .await
}

#[tokio::test]
async fn the_invocations_trace_and_correlation_id_go_with_the_signed_request() {
    let sent = sent_from_an_invocation().await;
    let header = |name: &str| sent.headers()[name].to_str().unwrap().to_owned();
    assert_eq!(
        header("x-amzn-trace-id"),
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    );
    assert_eq!(
        header("traceparent"),
        "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"
    );
    assert_eq!(header("x-correlation-id"), "corr-7f3a");
    let keys = StaticKeys::new();
    keys.add("payments-api", key().verifying_key());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Verifier::new(keys)
        .verify(&sent, Some(sent.body()), now)
        .unwrap();
}

#[tokio::test]
async fn the_callees_lines_join_the_callers() {
    let sent = sent_from_an_invocation().await;
    async fn entries(ctx: Context, _req: lift::Request) -> Result<HttpResponse, LiftError> {
        lift::info!(ctx.logger(), "Entry recorded");
        Ok(HttpResponse::new("ok".into()))
    }
    let keys = StaticKeys::new();
    keys.add("payments-api", key().verifying_key());
    let (logger, sink) = Logger::test();
    let mut callee = App::new()
        .logger(logger)
        .http_service(VerifyLayer::new(Verifier::new(keys)).layer(entries))
        .unwrap();
    let body = String::from_utf8(sent.body().clone()).unwrap();
    let headers = header_pairs(sent.headers());
    let (status, _) = post(&mut callee, "/internal/entries", &headers, &body).await;
    assert_eq!(status, 200);
    let line = sink.find("Entry recorded").unwrap();
    assert_eq!(line["trace_id"], "1-5759e988-bd862e3fe1be46a994272793");
    assert_eq!(line["correlation_id"], "corr-7f3a");
    assert_eq!(line["caller"], "payments-api");
}
