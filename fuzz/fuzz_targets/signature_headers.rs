//! The message-signature parsers and checks: any `Signature-Input`, `Signature`,
//! `Content-Digest` or webhook header is refused or accepted without a panic; a request
//! Lift signs, whatever its covered header's value, verifies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lift_signing::{
    Component, Secret, Signer, SigningKey, StaticKeys, Verifier, sign_webhook, verify_webhook,
};

const NOW: u64 = 1_764_000_000;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(4, '\u{1}');
    let (input, signature, digest, rest) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let key = SigningKey::HmacSha256(Secret::new(b"fuzz"));
    let keys = StaticKeys::new();
    keys.add("k", key.verifying_key());
    let verifier = Verifier::new(keys);

    // Arbitrary signature headers: a verdict, never a panic.
    let mut request = http::Request::post("https://api.example/charges?x=1");
    for (name, value) in [("signature-input", input), ("signature", signature), ("content-digest", digest)] {
        if let Ok(value) = http::HeaderValue::from_str(value) {
            request = request.header(name, value);
        }
    }
    if let Ok(request) = request.body(()) {
        let _ = verifier.verify(&request, Some(rest.as_bytes()), NOW);
    }
    let _ = lift_signing::verify_content_digest(digest, rest.as_bytes());
    let _ = verify_webhook(input, rest.as_bytes(), &[Secret::new(b"fuzz")], NOW, std::time::Duration::from_secs(300));

    // What Lift signs verifies, whatever the covered header holds (a value outside ASCII
    // cannot be in a signature base without `;bs`, which Lift does not offer: refused).
    if let Ok(value) = http::HeaderValue::from_str(input) {
        let mut request = http::Request::post("https://api.example/charges")
            .header("x-note", value)
            .body(())
            .unwrap();
        let signed = Signer::new("k", key.clone())
            .covering(vec![Component::Method, Component::Authority, Component::Path, Component::field("x-note")])
            .sign(&mut request, Some(rest.as_bytes()), NOW);
        match signed {
            Ok(()) => {
                verifier.verify(&request, Some(rest.as_bytes()), NOW).unwrap();
            }
            Err(e) => assert!(!input.is_ascii(), "refused an ASCII value: {e}"),
        }
    }
    let header = sign_webhook(&[Secret::new(b"fuzz")], NOW, rest.as_bytes());
    assert_eq!(
        verify_webhook(&header, rest.as_bytes(), &[Secret::new(b"fuzz")], NOW, std::time::Duration::from_secs(300)),
        Ok(NOW)
    );
});
