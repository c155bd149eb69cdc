//! Interoperability with an independent RFC 9421 implementation: PyPI's
//! `http-message-signatures` (with `requests`), in `.venv` (`scripts/test.sh` installs it;
//! `LIFT_PYTHON` names another Python). It signs requests Lift verifies, and verifies
//! requests Lift signs — hmac-sha256, ed25519 and ecdsa-p256-sha256, with and without a body
//! digest.

use std::io::Write;
use std::process::{Command, Stdio};

use lift_signing::{Component, Secret, Signer, SigningKey, StaticKeys, Verifier, VerifyingKey};
use serde_json::Value;

const URL: &str = "https://ledger.internal/entries?batch=7";
const BODY: &str = r#"{"amount":1250,"currency":"EUR"}"#;
const SEED: [u8; 32] = [42; 32];

fn python() -> String {
    std::env::var("LIFT_PYTHON")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../.venv/bin/python").into())
}

fn script() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/pyhms.py")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The algorithm's name, Lift's signing key, and the key material Python takes to sign and
/// to verify.
fn keys() -> Vec<(&'static str, SigningKey, String, String)> {
    let secret = b"an interop secret".to_vec();
    let ed = SigningKey::ed25519_from_seed(&SEED);
    let VerifyingKey::Ed25519(public) = ed.verifying_key() else {
        unreachable!("an Ed25519 key")
    };
    vec![
        (
            "hmac-sha256",
            SigningKey::HmacSha256(Secret::new(&secret)),
            hex(&secret),
            hex(&secret),
        ),
        ("ed25519", ed, hex(&SEED), hex(&public.to_bytes())),
        {
            let ecdsa = SigningKey::ecdsa_p256_from_scalar(&SEED).unwrap();
            let point = ecdsa.public_key_bytes().unwrap();
            ("ecdsa-p256-sha256", ecdsa, hex(&SEED), hex(&point))
        },
    ]
}

#[test]
fn lift_verifies_what_http_message_signatures_signs() {
    for (alg, key, python_signing_key, _) in keys() {
        for body in [None, Some(BODY)] {
            let mut args = vec!["sign", alg, &python_signing_key, "ledger", "POST", URL];
            args.extend(body);
            let out = Command::new(python())
                .arg(script())
                .args(&args)
                .output()
                .unwrap_or_else(|e| panic!("{}: {e} (scripts/test.sh installs it)", python()));
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let signed: Value = serde_json::from_slice(&out.stdout).unwrap();
            let mut request = http::Request::post(signed["url"].as_str().unwrap());
            for (name, value) in signed["headers"].as_object().unwrap() {
                request = request.header(name.as_str(), value.as_str().unwrap());
            }
            let request = request.body(()).unwrap();
            let store = StaticKeys::new();
            store.add("ledger", key.verifying_key());
            let verified = Verifier::new(store)
                .verify(&request, body.map(str::as_bytes), now())
                .unwrap_or_else(|e| panic!("{alg}, body {}: {e}", body.is_some()));
            assert_eq!((&*verified.keyid, verified.alg), ("ledger", alg));
            // And a body changed on the way is refused.
            if body.is_some() {
                let store = StaticKeys::new();
                store.add("ledger", key.verifying_key());
                assert!(
                    Verifier::new(store)
                        .verify(&request, Some(b"{}"), now())
                        .is_err()
                );
            }
        }
    }
}

#[test]
fn http_message_signatures_verifies_what_lift_signs() {
    for (alg, key, _, python_verifying_key) in keys() {
        for body in [None, Some(BODY)] {
            let mut request = http::Request::post(URL).body(()).unwrap();
            Signer::new("ledger", key.clone())
                .covering(vec![
                    Component::Method,
                    Component::Authority,
                    Component::Path,
                    Component::Query,
                ])
                .sign(&mut request, body.map(str::as_bytes), now())
                .unwrap();
            let headers: serde_json::Map<String, Value> = request
                .headers()
                .iter()
                .map(|(k, v)| (k.to_string(), Value::from(v.to_str().unwrap())))
                .collect();
            let given = serde_json::json!({
                "method": "POST", "url": URL, "headers": headers, "body": body,
            });
            let mut child = Command::new(python())
                .arg(script())
                .args(["verify", alg, &python_verifying_key, "ledger"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(given.to_string().as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            let said = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{alg}, body {}: {said}",
                body.is_some()
            );
            assert_eq!(said.trim(), "verified");
        }
    }
}
