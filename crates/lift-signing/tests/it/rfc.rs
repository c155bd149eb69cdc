//! RFC 9421 appendix B: the test request, the shared secret and Ed25519 key of B.1, and the
//! signatures of B.2.5 (hmac-sha256) and B.2.6 (ed25519), reproduced byte for byte; B.2.4's
//! signed response (ecdsa-p256-sha256, whose signatures are randomised in the RFC, so its
//! published signature is verified as received).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use lift_signing::{
    Component, Secret, SignatureParams, Signer, SigningKey, StaticKeys, Verifier, VerifyingKey,
};

/// B.1.5's shared secret (`test-shared-secret`).
pub(crate) const SHARED_SECRET: &str =
    "uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==";
/// B.1.4's Ed25519 key (`test-key-ed25519`), private and public, as in its JWK.
const ED25519_D: &str = "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU";
const ED25519_X: &str = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs";
/// The signatures' time.
pub(crate) const CREATED: u64 = 1_618_884_473;

/// B.2's test request (`POST /foo?param=Value&Pet=dog`).
pub(crate) fn test_request() -> http::Request<Vec<u8>> {
    http::Request::post("/foo?param=Value&Pet=dog")
        .header("host", "example.com")
        .header("date", "Tue, 20 Apr 2021 02:07:55 GMT")
        .header("content-type", "application/json")
        .header(
            "content-digest",
            "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
        )
        .header("content-length", "18")
        .body(b"{\"hello\": \"world\"}".to_vec())
        .unwrap()
}

pub(crate) fn shared_secret() -> Secret {
    Secret::new(STANDARD.decode(SHARED_SECRET).unwrap())
}

fn ed25519() -> SigningKey {
    let seed: [u8; 32] = URL_SAFE_NO_PAD
        .decode(ED25519_D)
        .unwrap()
        .try_into()
        .unwrap();
    SigningKey::ed25519_from_seed(&seed)
}

fn b25_params() -> SignatureParams {
    SignatureParams::new(vec![
        Component::field("date"),
        Component::Authority,
        Component::field("content-type"),
    ])
    .created(CREATED)
    .keyid("test-shared-secret")
}

fn b26_params() -> SignatureParams {
    SignatureParams::new(vec![
        Component::field("date"),
        Component::Method,
        Component::Path,
        Component::Authority,
        Component::field("content-type"),
        Component::field("content-length"),
    ])
    .created(CREATED)
    .keyid("test-key-ed25519")
}

#[test]
fn b_2_5_hmac_sha256_signature_base_and_signature() {
    let request = test_request();
    let params = b25_params();
    assert_eq!(
        params.signature_base(&request).unwrap(),
        "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\
         \"@authority\": example.com\n\
         \"content-type\": application/json\n\
         \"@signature-params\": (\"date\" \"@authority\" \"content-type\");created=1618884473;keyid=\"test-shared-secret\""
    );
    let signer = Signer::new(
        "test-shared-secret",
        SigningKey::HmacSha256(shared_secret()),
    )
    .label("sig-b25");
    let (input, signature) = signer.signature_fields(&request, &params).unwrap();
    assert_eq!(
        input,
        r#"sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret""#
    );
    assert_eq!(
        signature,
        "sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:"
    );
}

#[test]
fn b_2_6_ed25519_signature_base_and_signature() {
    let request = test_request();
    let params = b26_params();
    assert_eq!(
        params.signature_base(&request).unwrap(),
        "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\
         \"@method\": POST\n\
         \"@path\": /foo\n\
         \"@authority\": example.com\n\
         \"content-type\": application/json\n\
         \"content-length\": 18\n\
         \"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\""
    );
    let key = ed25519();
    let public: [u8; 32] = URL_SAFE_NO_PAD
        .decode(ED25519_X)
        .unwrap()
        .try_into()
        .unwrap();
    assert_eq!(key.verifying_key(), VerifyingKey::ed25519(&public).unwrap());
    let (_, signature) = Signer::new("test-key-ed25519", key)
        .label("sig-b26")
        .signature_fields(&request, &params)
        .unwrap();
    assert_eq!(
        signature,
        "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:"
    );
}

#[test]
fn the_rfc_signatures_verify_as_received() {
    for (input, signature, keyid, key) in [
        (
            r#"sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret""#,
            "sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:",
            "test-shared-secret",
            VerifyingKey::HmacSha256(shared_secret()),
        ),
        (
            r#"sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519""#,
            "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:",
            "test-key-ed25519",
            ed25519().verifying_key(),
        ),
    ] {
        let mut request = test_request();
        request
            .headers_mut()
            .insert("signature-input", input.parse().unwrap());
        request
            .headers_mut()
            .insert("signature", signature.parse().unwrap());
        let keys = StaticKeys::new();
        keys.add(keyid, key);
        // The RFC's examples carry no nonce and do not cover the body.
        let verifier = Verifier::new(keys)
            .require(vec![Component::Authority])
            .require_nonce(false);
        let verified = verifier.verify(&request, None, CREATED + 10).unwrap();
        assert_eq!(verified.keyid, keyid);
        // The body as received matches its sha-512 Content-Digest too.
        lift_signing::verify_content_digest(
            request.headers()["content-digest"].to_str().unwrap(),
            request.body(),
        )
        .unwrap();
    }
}

/// B.1.3's P-256 key (`test-key-ecc-p256`), public half, as its SubjectPublicKeyInfo: the
/// SEC1 point is its last 65 bytes.
const ECC_P256_SPKI: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lfw0EkjqF7xB4FivAxzic30tMM4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==";

#[test]
fn b_2_4_the_ecdsa_p256_signed_response_verifies_as_received() {
    let spki = STANDARD.decode(ECC_P256_SPKI).unwrap();
    let key = VerifyingKey::ecdsa_p256(&spki[spki.len() - 65..]).unwrap();
    let body = br#"{"message": "good dog"}"#;
    let response = |status: u16| {
        http::Response::builder()
            .status(status)
            .header("date", "Tue, 20 Apr 2021 02:07:56 GMT")
            .header("content-type", "application/json")
            .header(
                "content-digest",
                "sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:",
            )
            .header("content-length", "23")
            .header(
                "signature-input",
                r#"sig-b24=("@status" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-ecc-p256""#,
            )
            .header(
                "signature",
                "sig-b24=:wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NKocgPquLgyahnzDnDAUy5eCdlYUEkLIj+32oiasw==:",
            )
            .body(body.to_vec())
            .unwrap()
    };
    let keys = StaticKeys::new();
    keys.add("test-key-ecc-p256", key);
    let verifier = Verifier::new(keys)
        .require(vec![Component::Status])
        .require_nonce(false);
    let signed = response(200);
    let verified = verifier.verify(&signed, Some(body), CREATED + 10).unwrap();
    assert_eq!(
        (&*verified.keyid, verified.alg),
        ("test-key-ecc-p256", "ecdsa-p256-sha256")
    );
    assert_eq!(
        verifier.verify(&response(201), Some(body), CREATED + 10),
        Err(lift_signing::SignatureError::BadSignature)
    );
}
