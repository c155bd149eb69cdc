//! What `VerifyLayer` adds to an invocation beyond the cryptography: Lift's HTTP stack with a
//! trivial handler, bare, behind the layer on a route it does not cover, behind it on a
//! covered route with an HMAC-signed request, and without the layer with a handler that
//! verifies the same request itself (the layer's own cost is the difference between the last
//! two). Each iteration is one invocation through `App::http_service`.
//!
//! Rows measured one after the other carry the machine's drift between them, which on a
//! shared VM is as large as the layer's cost; the two `paired_*` rows measure a difference
//! directly: an iteration is one invocation through each of the two stacks, one after the
//! other, and a sample reports the first stack's total less the second's — the difference
//! per invocation, with the drift cancelled. (Criterion plans a sample's iterations from
//! the time reported, which here is a fraction of the time spent: these rows run for a
//! short measurement time, and take several times longer than it.)
//!
//! `cargo bench -p lift-signing --bench layer`

#![allow(missing_docs)] // criterion_group! generates an undocumented function

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use lift::local::{apigw_v2_event, http_request};
use lift::observability::{Logger, NoopSink};
use lift::{App, Context, HttpResponse, LiftError};
use lift_signing::{Secret, Signer, SigningKey, StaticKeys, Verifier, VerifyLayer};
use tower::{Layer, Service, ServiceExt};

async fn handler(_: Context, _: lift::Request) -> Result<HttpResponse, LiftError> {
    Ok(HttpResponse::new("ok".into()))
}

/// `iters` invocations of `event` through `a`, each followed by one through `b`: the time
/// spent in `a` less the time spent in `b` — at least a nanosecond (criterion refuses a sample of zero
/// time; a sample where `b` took longer counts as that nanosecond, so a row's estimate
/// errs on the high side).
fn paired<A, B>(
    rt: &tokio::runtime::Runtime,
    (a, b): (&mut A, &mut B),
    event: &serde_json::Value,
    iters: u64,
) -> Duration
where
    A: Service<lift::Request, Response = HttpResponse, Error = std::convert::Infallible>,
    B: Service<lift::Request, Response = HttpResponse, Error = std::convert::Infallible>,
{
    let (mut in_a, mut in_b) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..iters {
        let t = Instant::now();
        black_box(invoke(rt, a, event));
        in_a += t.elapsed();
        let t = Instant::now();
        black_box(invoke(rt, b, event));
        in_b += t.elapsed();
    }
    in_a.saturating_sub(in_b).max(Duration::from_nanos(1))
}

/// One invocation of `event` through `svc`: its status.
fn invoke<S>(rt: &tokio::runtime::Runtime, svc: &mut S, event: &serde_json::Value) -> u16
where
    S: Service<lift::Request, Response = HttpResponse, Error = std::convert::Infallible>,
{
    let request = http_request(event).unwrap();
    rt.block_on(async { svc.ready().await.unwrap().call(request).await.unwrap() })
        .status()
        .as_u16()
}

fn layer(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let key = SigningKey::HmacSha256(Secret::new(b"a shared secret of 32 bytes....."));
    let keys = StaticKeys::new();
    keys.add("ledger", key.verifying_key());
    let logger = Logger::builder().sink(NoopSink::new()).build();
    let body = "x".repeat(1024);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut signed = http::Request::post("https://ledger.internal/internal/entries")
        .body(())
        .unwrap();
    Signer::new("ledger", key)
        .with_nonce(false)
        .sign(&mut signed, Some(body.as_bytes()), now)
        .unwrap();
    let mut headers: Vec<(String, String)> = signed
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    headers.push(("host".into(), "ledger.internal".into()));
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let covered = apigw_v2_event("POST", "/internal/entries", &pairs, Some(&body));
    let uncovered = apigw_v2_event("POST", "/public/entries", &pairs, Some(&body));

    let verifier = Verifier::new(keys).require_nonce(false);
    let verify = VerifyLayer::new(verifier.clone()).only(|_, path| path.starts_with("/internal/"));
    let mut bare = App::new()
        .logger(logger.clone())
        .http_service(handler)
        .unwrap();
    let mut guarded = App::new()
        .logger(logger.clone())
        .http_service(verify.layer(handler))
        .unwrap();
    // The same verification done by the handler itself, where the layer would do it: what
    // the layer adds beyond the cryptography (and the parsing around it) is the signed row
    // less this one.
    let inline_verifier = verifier.clone();
    let mut verifying_inline = App::new()
        .logger(logger)
        .http_service(move |_: Context, request: lift::Request| {
            let verified = inline_verifier
                .verify(&request, Some(request.body().as_ref()), now)
                .is_ok();
            async move {
                assert!(verified);
                Ok::<_, LiftError>(HttpResponse::new("ok".into()))
            }
        })
        .unwrap();
    let mut g = c.benchmark_group("invocation_1kib_body");
    g.bench_function("bare", |b| {
        b.iter(|| black_box(invoke(&rt, &mut bare, &covered)))
    });
    g.bench_function("verify_layer_not_covering_the_route", |b| {
        b.iter(|| black_box(invoke(&rt, &mut guarded, &uncovered)))
    });
    g.bench_function("verify_layer_hmac_signed", |b| {
        b.iter(|| {
            let status = invoke(&rt, &mut guarded, &covered);
            assert_eq!(status, 200);
            black_box(status)
        })
    });
    g.bench_function("handler_verifying_inline", |b| {
        b.iter(|| black_box(invoke(&rt, &mut verifying_inline, &covered)))
    });
    g.finish();
    let mut g = c.benchmark_group("invocation_1kib_body");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    g.bench_function("paired_layer_beyond_verification", |b| {
        b.iter_custom(|iters| paired(&rt, (&mut guarded, &mut verifying_inline), &covered, iters))
    });
    g.bench_function("paired_layer_on_a_route_it_does_not_cover", |b| {
        b.iter_custom(|iters| paired(&rt, (&mut guarded, &mut bare), &uncovered, iters))
    });
    // The verification alone, on the request the layer sees (built once): what the layer
    // adds is the signed row less the bare row less this one.
    let request = http_request(&covered).unwrap();
    g.bench_function("verification_alone_of_the_lambda_request", |b| {
        b.iter(|| {
            let body = black_box(&request).body().as_ref();
            black_box(verifier.verify(&request, Some(body), now).is_ok())
        })
    });
    g.finish();
}

criterion_group!(benches, layer);
criterion_main!(benches);
