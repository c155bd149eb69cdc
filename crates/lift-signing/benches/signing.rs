//! Signing and verifying one request with a 1 KiB body and its `Content-Digest`, the
//! issue's shape: `hmac-sha256`, `ed25519` and `ecdsa-p256-sha256`, and the digest alone for
//! scale.
//!
//! `cargo bench -p lift-signing --bench signing`

#![allow(missing_docs)] // criterion_group! generates an undocumented function

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use lift_signing::{Secret, Signer, SigningKey, StaticKeys, Verifier, content_digest};

const NOW: u64 = 1_764_000_000;

fn body() -> Vec<u8> {
    // A JSON-ish kilobyte.
    let mut body = br#"{"entries":["#.to_vec();
    while body.len() < 1010 {
        body.extend_from_slice(br#"{"amount":1250,"currency":"EUR"},"#);
    }
    body.truncate(1022);
    body.extend_from_slice(b"]}");
    body
}

fn signing(c: &mut Criterion) {
    let body = body();
    assert_eq!(body.len(), 1024);
    let mut g = c.benchmark_group("signature_1kib_body");
    g.bench_function("content_digest_alone", |b| {
        b.iter(|| black_box(content_digest(black_box(&body))))
    });
    for key in [
        SigningKey::HmacSha256(Secret::new(b"a shared secret of 32 bytes.....")),
        SigningKey::ed25519_from_seed(&[7; 32]),
        SigningKey::ecdsa_p256_from_scalar(&[7; 32]).unwrap(),
    ] {
        let alg = key.alg();
        let signer = Signer::new("ledger", key.clone());
        let request = || {
            http::Request::post("https://ledger.internal/entries?batch=7")
                .header("content-type", "application/json")
                .body(())
                .unwrap()
        };
        // The request is built outside the timed part: signing is what is measured.
        g.bench_function(format!("sign_{alg}"), |b| {
            b.iter_batched_ref(
                request,
                |r| signer.sign(r, Some(&body), NOW).unwrap(),
                BatchSize::SmallInput,
            )
        });
        let mut signed = request();
        signer.sign(&mut signed, Some(&body), NOW).unwrap();
        let keys = StaticKeys::new();
        keys.add("ledger", key.verifying_key());
        let verifier = Verifier::new(keys);
        g.bench_function(format!("verify_{alg}"), |b| {
            b.iter(|| black_box(verifier.verify(&signed, Some(&body), NOW).is_ok()))
        });
    }
    g.finish();
}

criterion_group!(benches, signing);
criterion_main!(benches);
