//! The timestamped webhook HMAC: signing, verifying, rotation, tolerance, refusals.

use lift_signing::{
    DEFAULT_WEBHOOK_TOLERANCE, Secret, SignatureError, sign_webhook, verify_webhook,
};

const NOW: u64 = 1_764_000_000;
const BODY: &[u8] = b"{\"type\":\"charge.captured\",\"id\":\"evt_1\"}";

#[test]
fn a_signed_webhook_verifies_and_a_changed_one_does_not() {
    let secret = Secret::new("whsec_test");
    let header = sign_webhook(std::slice::from_ref(&secret), NOW, BODY);
    assert!(header.starts_with("t=1764000000,v1="), "{header}");
    assert_eq!(header.len(), "t=1764000000,v1=".len() + 64);
    let verify = |h: &str, body: &[u8], now| {
        verify_webhook(
            h,
            body,
            std::slice::from_ref(&secret),
            now,
            DEFAULT_WEBHOOK_TOLERANCE,
        )
    };
    assert_eq!(verify(&header, BODY, NOW + 10), Ok(NOW));
    assert_eq!(
        verify(&header, b"{}", NOW),
        Err(SignatureError::BadSignature)
    );
    assert_eq!(
        verify(&header, BODY, NOW + 301),
        Err(SignatureError::Expired)
    );
    assert_eq!(
        verify(&header, BODY, NOW - 301),
        Err(SignatureError::TooEarly)
    );
    let moved = header.replace("t=1764000000", "t=1764000001");
    assert_eq!(verify(&moved, BODY, NOW), Err(SignatureError::BadSignature));
    for bad in [
        "",
        "t=abc,v1=00",
        "v1=00",
        "t=1764000000",
        "t=1,t=2,v1=00",
        "t=1764000000,v1=zz",
        "garbage",
    ] {
        assert!(verify(bad, BODY, NOW).is_err(), "{bad:?}");
    }
}

#[test]
fn during_a_rotation_either_secret_verifies() {
    let (old, new) = (Secret::new("whsec_old"), Secret::new("whsec_new"));
    // The sender signs with both; a receiver that has only the old or only the new accepts.
    let header = sign_webhook(&[new.clone(), old.clone()], NOW, BODY);
    assert_eq!(header.matches("v1=").count(), 2);
    for secret in [&old, &new] {
        let secrets = std::slice::from_ref(secret);
        assert!(verify_webhook(&header, BODY, secrets, NOW, DEFAULT_WEBHOOK_TOLERANCE).is_ok());
    }
    // A receiver that has retired the old secret refuses what only the old one signed.
    let old_only = sign_webhook(std::slice::from_ref(&old), NOW, BODY);
    assert_eq!(
        verify_webhook(
            &old_only,
            BODY,
            std::slice::from_ref(&new),
            NOW,
            DEFAULT_WEBHOOK_TOLERANCE
        ),
        Err(SignatureError::BadSignature)
    );
}
