//! Every way a signed request can be wrong, each a clear refusal naming its check — never a
//! panic — and key rotation and replays.

use std::time::Duration;

use lift_signing::{
    Component, MemoryNonces, Secret, SignatureError, Signer, SigningKey, StaticKeys, Verifier,
    VerifyingKey,
};

const NOW: u64 = 1_764_000_000;
const BODY: &[u8] = b"{\"amount\":1250,\"currency\":\"EUR\"}";

fn hmac(secret: &str) -> SigningKey {
    SigningKey::HmacSha256(Secret::new(secret))
}

fn request() -> http::Request<Vec<u8>> {
    http::Request::post("https://ledger.internal/entries?batch=7")
        .header("content-type", "application/json")
        .body(BODY.to_vec())
        .unwrap()
}

/// A request signed by `key` as `keyid` at `at`, with its body.
fn signed(keyid: &str, key: &SigningKey, at: u64) -> http::Request<Vec<u8>> {
    let mut r = request();
    Signer::new(keyid, key.clone())
        .covering(vec![
            Component::Method,
            Component::Authority,
            Component::Path,
            Component::Query,
            Component::field("content-type"),
        ])
        .sign(&mut r, Some(BODY), at)
        .unwrap();
    r
}

/// A key of each algorithm.
fn every_algorithm() -> [SigningKey; 3] {
    [
        hmac("s3cret"),
        SigningKey::ed25519_from_seed(&[7; 32]),
        SigningKey::ecdsa_p256_from_scalar(&[7; 32]).unwrap(),
    ]
}

fn keys_with(keyid: &str, key: &SigningKey) -> StaticKeys {
    let keys = StaticKeys::new();
    keys.add(keyid, key.verifying_key());
    keys
}

fn set(r: &mut http::Request<Vec<u8>>, name: &'static str, value: &str) {
    r.headers_mut().insert(name, value.parse().unwrap());
}

#[test]
fn a_signed_request_verifies_with_ed25519_and_hmac() {
    for key in every_algorithm() {
        let r = signed("ledger", &key, NOW);
        let verified = Verifier::new(keys_with("ledger", &key))
            .verify(&r, Some(BODY), NOW + 5)
            .unwrap();
        assert_eq!((&*verified.keyid, verified.alg), ("ledger", key.alg()));
        assert_eq!((verified.label, verified.created), ("sig1", NOW as i64));
        assert_eq!(verified.expires, Some(NOW as i64 + 300));
        assert_eq!(verified.nonce.as_ref().map(|n| n.len()), Some(32));
    }
}

#[test]
fn each_wrong_request_is_refused_with_its_reason() {
    let key = hmac("s3cret");
    let verifier = || Verifier::new(keys_with("ledger", &key));
    let good = || signed("ledger", &key, NOW);
    type Case<'a> = (
        &'static str,
        Box<dyn Fn() -> (http::Request<Vec<u8>>, Vec<u8>, u64) + 'a>,
        SignatureError,
    );
    let cases: Vec<Case<'_>> = vec![
        (
            "altered body",
            Box::new(|| {
                (
                    good(),
                    b"{\"amount\":9999,\"currency\":\"EUR\"}".to_vec(),
                    NOW,
                )
            }),
            SignatureError::DigestMismatch,
        ),
        (
            "altered header",
            Box::new(|| {
                let mut r = good();
                set(&mut r, "content-type", "text/plain");
                (r, BODY.to_vec(), NOW)
            }),
            SignatureError::BadSignature,
        ),
        (
            "altered path",
            Box::new(|| {
                let mut r = good();
                *r.uri_mut() = "https://ledger.internal/refunds?batch=7".parse().unwrap();
                (r, BODY.to_vec(), NOW)
            }),
            SignatureError::BadSignature,
        ),
        (
            "missing covered component",
            Box::new(|| {
                let mut r = good();
                r.headers_mut().remove("content-type");
                (r, BODY.to_vec(), NOW)
            }),
            SignatureError::MissingComponent("content-type".into()),
        ),
        (
            "expired",
            Box::new(|| (good(), BODY.to_vec(), NOW + 301)),
            SignatureError::Expired,
        ),
        (
            "too early",
            Box::new(|| (signed("ledger", &key, NOW + 400), BODY.to_vec(), NOW)),
            SignatureError::TooEarly,
        ),
        (
            "unknown key id",
            Box::new(|| (signed("other", &key, NOW), BODY.to_vec(), NOW)),
            SignatureError::UnknownKey("other".into()),
        ),
        (
            "wrong algorithm for the key",
            Box::new(|| {
                (
                    signed("ledger", &SigningKey::ed25519_from_seed(&[1; 32]), NOW),
                    BODY.to_vec(),
                    NOW,
                )
            }),
            SignatureError::AlgorithmMismatch("ed25519".into()),
        ),
        (
            "wrong secret",
            Box::new(|| (signed("ledger", &hmac("guess"), NOW), BODY.to_vec(), NOW)),
            SignatureError::BadSignature,
        ),
        (
            "no signature",
            Box::new(|| (request(), BODY.to_vec(), NOW)),
            SignatureError::MissingSignature,
        ),
        (
            "duplicate label",
            Box::new(|| {
                let mut r = good();
                let input = r.headers()["signature-input"].clone();
                r.headers_mut().append("signature-input", input);
                (r, BODY.to_vec(), NOW)
            }),
            SignatureError::DuplicateLabel("sig1".into()),
        ),
        (
            "malformed Signature-Input",
            Box::new(|| {
                let mut r = good();
                set(&mut r, "signature-input", "sig1=(\"@method\"");
                (r, BODY.to_vec(), NOW)
            }),
            SignatureError::Malformed("an inner list is not closed"),
        ),
        (
            "oversized headers",
            Box::new(|| {
                let mut r = good();
                set(&mut r, "signature", &format!("sig1=:{}:", "A".repeat(9000)));
                (r, BODY.to_vec(), NOW)
            }),
            SignatureError::TooLarge { limit: 8192 },
        ),
        (
            "body not covered",
            Box::new(|| {
                let mut r = request();
                Signer::new("ledger", key.clone())
                    .sign(&mut r, None, NOW)
                    .unwrap();
                (r, BODY.to_vec(), NOW)
            }),
            SignatureError::NotCovered("content-digest".into()),
        ),
    ];
    for (name, make, expected) in cases {
        let (r, body, at) = make();
        let got = verifier().verify(&r, Some(&body), at);
        match (&got, &expected) {
            // A parser's message is its own; the kind of refusal is what counts.
            (Err(SignatureError::Malformed(_)), SignatureError::Malformed(_)) => {}
            _ => assert_eq!(got.as_ref().err(), Some(&expected), "{name}: {got:?}"),
        }
        let text = got.unwrap_err().to_string();
        assert!(
            !text.contains("s3cret") && !text.contains(":="),
            "{name}: {text}"
        );
    }
}

#[test]
fn a_required_component_left_out_is_refused() {
    let key = hmac("s3cret");
    let mut r = request();
    Signer::new("ledger", key.clone())
        .covering(vec![Component::Method, Component::Path])
        .sign(&mut r, Some(BODY), NOW)
        .unwrap();
    let err = Verifier::new(keys_with("ledger", &key))
        .verify(&r, Some(BODY), NOW)
        .unwrap_err();
    assert_eq!(err, SignatureError::NotCovered("@authority".into()));
}

#[test]
fn replayed_nonces_are_refused() {
    let key = hmac("s3cret");
    let r = signed("ledger", &key, NOW);
    let verifier = Verifier::new(keys_with("ledger", &key));
    let nonces = MemoryNonces::new(1_000);
    let first = verifier.verify(&r, Some(BODY), NOW).unwrap();
    nonces.check(&first, NOW + 300, NOW).unwrap();
    let again = verifier.verify(&r, Some(BODY), NOW + 1).unwrap();
    assert_eq!(
        nonces.check(&again, NOW + 300, NOW + 1),
        Err(SignatureError::Replayed)
    );
    // A fresh signature of the same request has its own nonce.
    let request = signed("ledger", &key, NOW);
    let fresh = verifier.verify(&request, Some(BODY), NOW + 2).unwrap();
    nonces.check(&fresh, NOW + 300, NOW + 2).unwrap();
}

#[test]
fn rotation_two_active_keys_then_the_old_one_retired() {
    let old = hmac("2025-secret");
    let new = SigningKey::ed25519_from_seed(&[9; 32]);
    let keys = StaticKeys::new();
    keys.add("ledger", old.verifying_key());
    keys.add("ledger", new.verifying_key());
    let verifier = Verifier::new(keys.clone());
    for key in [&old, &new] {
        verifier
            .verify(&signed("ledger", key, NOW), Some(BODY), NOW)
            .unwrap();
    }
    keys.retire("ledger", &old.verifying_key());
    assert_eq!(
        verifier.verify(&signed("ledger", &old, NOW), Some(BODY), NOW),
        Err(SignatureError::AlgorithmMismatch("hmac-sha256".into()))
    );
    verifier
        .verify(&signed("ledger", &new, NOW), Some(BODY), NOW)
        .unwrap();
    // Two HMAC secrets under one id: either verifies until one is retired.
    let (a, b) = (hmac("secret-a"), hmac("secret-b"));
    let keys = StaticKeys::new();
    keys.add("hooks", a.verifying_key());
    keys.add("hooks", b.verifying_key());
    let verifier = Verifier::new(keys.clone());
    verifier
        .verify(&signed("hooks", &a, NOW), Some(BODY), NOW)
        .unwrap();
    keys.retire("hooks", &VerifyingKey::HmacSha256(Secret::new("secret-a")));
    assert_eq!(
        verifier.verify(&signed("hooks", &a, NOW), Some(BODY), NOW),
        Err(SignatureError::BadSignature)
    );
    verifier
        .verify(&signed("hooks", &b, NOW), Some(BODY), NOW)
        .unwrap();
}

#[test]
fn a_window_of_ones_own_choosing() {
    let key = hmac("s3cret");
    let verifier = Verifier::new(keys_with("ledger", &key)).window(Duration::from_secs(30));
    assert_eq!(
        verifier.verify(&signed("ledger", &key, NOW), Some(BODY), NOW + 31),
        Err(SignatureError::Expired)
    );
}

#[test]
fn secrets_never_show_in_debug_output() {
    let key = hmac("s3cret-value");
    let text = format!(
        "{key:?} {:?} {:?}",
        key.verifying_key(),
        Secret::new("s3cret-value")
    );
    assert!(!text.contains("s3cret"), "{text}");
}

proptest::proptest! {
    #[test]
    fn any_signature_headers_are_refused_cleanly(input in ".{0,300}", sig in ".{0,300}") {
        let key = hmac("s3cret");
        let mut r = request();
        if let (Ok(i), Ok(s)) = (input.parse(), sig.parse()) {
            r.headers_mut().insert("signature-input", i);
            r.headers_mut().insert("signature", s);
            proptest::prop_assert!(Verifier::new(keys_with("ledger", &key)).verify(&r, Some(BODY), NOW).is_err());
        }
    }
}

#[test]
fn a_signed_response_verifies_and_a_changed_status_or_body_is_refused() {
    for key in every_algorithm() {
        let response = || {
            http::Response::builder()
                .status(201)
                .header("content-type", "application/json")
                .body(BODY.to_vec())
                .unwrap()
        };
        let mut signed = response();
        Signer::new("ledger", key.clone())
            .covering(vec![Component::Status, Component::field("content-type")])
            .sign(&mut signed, Some(BODY), NOW)
            .unwrap();
        let input = signed.headers()["signature-input"].to_str().unwrap();
        assert!(
            input.starts_with(r#"sig1=("@status" "content-type" "content-digest");"#),
            "{input}"
        );
        let verifier = Verifier::new(keys_with("ledger", &key)).require(vec![Component::Status]);
        let verified = verifier.verify(&signed, Some(BODY), NOW + 1).unwrap();
        assert_eq!(&*verified.keyid, "ledger");

        let mut other_status = signed.clone();
        *other_status.status_mut() = http::StatusCode::OK;
        assert_eq!(
            verifier.verify(&other_status, Some(BODY), NOW + 1),
            Err(SignatureError::BadSignature)
        );
        assert_eq!(
            verifier.verify(&signed, Some(b"{\"amount\":9999}"), NOW + 1),
            Err(SignatureError::DigestMismatch)
        );
        // A request's components are not in a response: refused, never signed over empty.
        let mut unsigned = response();
        assert_eq!(
            Signer::new("ledger", key.clone()).sign(&mut unsigned, None, NOW),
            Err(SignatureError::MissingComponent("@method".into()))
        );
        assert!(!unsigned.headers().contains_key("signature"));
    }
}
