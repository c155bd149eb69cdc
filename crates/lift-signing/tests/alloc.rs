//! Heap allocations per verification, counted per thread: none for a good `hmac-sha256`
//! signature over a body with its `Content-Digest` (the target), nor for an Ed25519
//! key's lookup and policy checks beyond the signature base it needs whole.

#![allow(unsafe_code)] // a global allocator cannot be written without it

use lift_signing::{Secret, Signer, SigningKey, StaticKeys, Verifier};

#[path = "../../lift-observability/tests/support/counting_alloc.rs"]
#[allow(dead_code)]
mod counting_alloc;

use counting_alloc::allocations;

const NOW: u64 = 1_764_000_000;

#[test]
fn verifying_an_hmac_signature_allocates_nothing() {
    let body = vec![b'x'; 1024];
    let key = SigningKey::HmacSha256(Secret::new(b"a shared secret of 32 bytes....."));
    let keys = StaticKeys::new();
    keys.add("ledger", key.verifying_key());
    // A second, newer key under the same id (a rotation): tried first, it does not match.
    keys.add(
        "ledger",
        SigningKey::HmacSha256(Secret::new(b"the next secret")).verifying_key(),
    );
    let verifier = Verifier::new(keys);
    let mut request = http::Request::post("https://Ledger.Internal:443/entries?batch=7")
        .header("content-type", "application/json")
        .body(())
        .unwrap();
    Signer::new("ledger", key)
        .sign(&mut request, Some(&body), NOW)
        .unwrap();
    let before = allocations();
    for i in 0..1_000 {
        let verified = verifier
            .verify(&request, Some(&body), NOW + i % 10)
            .unwrap();
        assert_eq!(&*verified.keyid, "ledger");
    }
    let made = allocations() - before;
    assert_eq!(made, 0, "{made} allocations for 1,000 verifications");
}
