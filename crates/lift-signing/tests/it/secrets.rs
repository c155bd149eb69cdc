//! Keys from AWS Secrets Manager, against moto_server's: loaded, rotated in the secret and
//! reloaded, a bad value refused without being shown.

use aws_sdk_secretsmanager::config::{BehaviorVersion, Credentials, Region};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use lift_signing::{KeyStore, SecretsError, SecretsManagerKeys, Signer, SigningKey, Verifier};

use crate::moto_server::Moto;

const NOW: u64 = 1_764_000_000;

fn client(moto: &Moto) -> aws_sdk_secretsmanager::Client {
    let config = aws_sdk_secretsmanager::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
        .endpoint_url(&moto.endpoint)
        .build();
    aws_sdk_secretsmanager::Client::from_conf(config)
}

fn entry(keyid: &str, key: &SigningKey) -> String {
    format!(
        "{keyid}:ed25519:{}",
        STANDARD.encode(key.public_key_bytes().unwrap())
    )
}

fn signed(key: &SigningKey) -> http::Request<()> {
    let mut r = http::Request::post("https://ledger.internal/entries")
        .body(())
        .unwrap();
    Signer::new("ledger", key.clone())
        .sign(&mut r, None, NOW)
        .unwrap();
    r
}

#[tokio::test]
async fn keys_load_from_a_secret_and_a_rotation_there_reaches_the_verifier() {
    let moto = Moto::start();
    let sm = client(&moto);
    let (old, new) = (
        SigningKey::ed25519_from_seed(&[1; 32]),
        SigningKey::ed25519_from_seed(&[2; 32]),
    );
    sm.create_secret()
        .name("lift/signing-keys")
        .secret_string(entry("ledger", &old))
        .send()
        .await
        .unwrap();
    let keys = SecretsManagerKeys::load(sm.clone(), "lift/signing-keys")
        .await
        .unwrap();
    let verifier = Verifier::new(keys.clone());
    verifier.verify(&signed(&old), None, NOW).unwrap();
    assert!(verifier.verify(&signed(&new), None, NOW).is_err());

    // Rotation in Secrets Manager: both, then the new one only.
    for (value, old_ok, new_ok) in [
        (
            format!("{} {}", entry("ledger", &new), entry("ledger", &old)),
            true,
            true,
        ),
        (entry("ledger", &new), false, true),
    ] {
        sm.put_secret_value()
            .secret_id("lift/signing-keys")
            .secret_string(value)
            .send()
            .await
            .unwrap();
        keys.reload().await.unwrap();
        assert_eq!(verifier.verify(&signed(&old), None, NOW).is_ok(), old_ok);
        assert_eq!(verifier.verify(&signed(&new), None, NOW).is_ok(), new_ok);
    }

    // A value that lists no keys is refused — without being shown — and the keys stay.
    let garbage = "ledger:ed25519:c2VjcmV0LXZhbHVl";
    sm.put_secret_value()
        .secret_id("lift/signing-keys")
        .secret_string(garbage)
        .send()
        .await
        .unwrap();
    let err = keys.reload().await.unwrap_err();
    assert!(matches!(err, SecretsError::Keys { .. }), "{err}");
    assert!(!err.to_string().contains("c2VjcmV0"), "{err}");
    assert_eq!(keys.keys("ledger").len(), 1);
    // A secret that does not exist is a read error.
    assert!(matches!(
        SecretsManagerKeys::load(sm, "lift/absent").await,
        Err(SecretsError::Read { .. })
    ));
}
