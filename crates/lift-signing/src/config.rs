//! Keys from configuration: `<keyid>:<alg>:<base64>` entries, separated by commas or
//! whitespace, as `LIFT_SIGNING_KEYS` (keys that verify; an id given twice has two active
//! keys, as during a rotation) and `LIFT_SIGNING_KEY` (the one key a client signs with).
//! `<alg>` is `hmac-sha256` (the shared secret, at least 16 bytes), `ed25519` (the 32-byte
//! public key to verify, the 32-byte seed to sign) or `ecdsa-p256-sha256` (the SEC1 public
//! point to verify, the 32-byte private scalar to sign). No error message ever shows a key.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::error::SignatureError;
use crate::key::{Secret, SigningKey, StaticKeys, VerifyingKey};

/// The keys that verify.
pub const SIGNING_KEYS_ENV: &str = "LIFT_SIGNING_KEYS";
/// The key a client signs with.
pub const SIGNING_KEY_ENV: &str = "LIFT_SIGNING_KEY";

fn entries(text: &str) -> impl Iterator<Item = Result<(&str, &str, Vec<u8>), SignatureError>> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|e| !e.is_empty())
        .map(|entry| {
            let mut parts = entry.splitn(3, ':');
            let (Some(keyid), Some(alg), Some(material)) =
                (parts.next(), parts.next(), parts.next())
            else {
                return Err(SignatureError::InvalidKey(
                    "an entry is not <keyid>:<alg>:<base64>",
                ));
            };
            if keyid.is_empty() {
                return Err(SignatureError::InvalidKey("an entry has no key id"));
            }
            let bytes = STANDARD
                .decode(material)
                .map_err(|_| SignatureError::InvalidKey("a key is not base64"))?;
            Ok((keyid, alg, bytes))
        })
}

fn ed25519_bytes(bytes: &[u8]) -> Result<[u8; 32], SignatureError> {
    bytes
        .try_into()
        .map_err(|_| SignatureError::InvalidKey("an ed25519 key is not 32 bytes"))
}

fn p256_scalar(bytes: &[u8]) -> Result<[u8; 32], SignatureError> {
    bytes
        .try_into()
        .map_err(|_| SignatureError::InvalidKey("an ecdsa-p256-sha256 private key is not 32 bytes"))
}

const UNKNOWN_ALGORITHM: SignatureError =
    SignatureError::InvalidKey("the algorithm is not hmac-sha256, ed25519 or ecdsa-p256-sha256");

impl StaticKeys {
    /// The verifying keys `text` lists (see the module documentation).
    pub fn parse(text: &str) -> Result<Self, SignatureError> {
        let keys = StaticKeys::new();
        let mut any = false;
        for entry in entries(text) {
            let (keyid, alg, bytes) = entry?;
            let key = match alg {
                "hmac-sha256" if bytes.len() >= 16 => VerifyingKey::HmacSha256(Secret::new(bytes)),
                "hmac-sha256" => {
                    return Err(SignatureError::InvalidKey(
                        "an hmac-sha256 secret is under 16 bytes",
                    ));
                }
                "ed25519" => VerifyingKey::ed25519(&ed25519_bytes(&bytes)?)?,
                "ecdsa-p256-sha256" => VerifyingKey::ecdsa_p256(&bytes)?,
                _ => return Err(UNKNOWN_ALGORITHM),
            };
            keys.add(keyid, key);
            any = true;
        }
        if !any {
            return Err(SignatureError::InvalidKey("no key is given"));
        }
        Ok(keys)
    }

    /// The keys `LIFT_SIGNING_KEYS` lists, or `None` when it is unset.
    pub fn from_env() -> Result<Option<Self>, SignatureError> {
        match std::env::var(SIGNING_KEYS_ENV) {
            Ok(text) if !text.trim().is_empty() => Self::parse(&text).map(Some),
            _ => Ok(None),
        }
    }
}

impl SigningKey {
    /// The key id and signing key `text` gives (`<keyid>:<alg>:<base64>`).
    pub fn parse(text: &str) -> Result<(String, Self), SignatureError> {
        let mut all = entries(text);
        let (keyid, alg, bytes) = all
            .next()
            .ok_or(SignatureError::InvalidKey("no key is given"))??;
        if all.next().is_some() {
            return Err(SignatureError::InvalidKey("a client signs with one key"));
        }
        let key = match alg {
            "hmac-sha256" if bytes.len() >= 16 => SigningKey::HmacSha256(Secret::new(bytes)),
            "hmac-sha256" => {
                return Err(SignatureError::InvalidKey(
                    "an hmac-sha256 secret is under 16 bytes",
                ));
            }
            "ed25519" => SigningKey::ed25519_from_seed(&ed25519_bytes(&bytes)?),
            "ecdsa-p256-sha256" => SigningKey::ecdsa_p256_from_scalar(&p256_scalar(&bytes)?)?,
            _ => return Err(UNKNOWN_ALGORITHM),
        };
        Ok((keyid.to_owned(), key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::KeyStore;

    #[test]
    fn keys_are_read_from_text_and_never_shown_in_errors() {
        let secret = STANDARD.encode(b"a shared secret of 32 bytes.....");
        let public = STANDARD.encode(
            SigningKey::ed25519_from_seed(&[5; 32])
                .public_key_bytes()
                .unwrap(),
        );
        let scalar = [9u8; 32];
        let ecdsa = SigningKey::ecdsa_p256_from_scalar(&scalar).unwrap();
        let point = STANDARD.encode(ecdsa.public_key_bytes().unwrap());
        let keys = StaticKeys::parse(&format!(
            "ledger:hmac-sha256:{secret}, ledger:ed25519:{public}\nhooks:hmac-sha256:{secret} ledger:ecdsa-p256-sha256:{point}"
        ))
        .unwrap();
        assert_eq!(keys.keys("ledger").len(), 3);
        assert_eq!(keys.keys("ledger")[0], ecdsa.verifying_key());
        let (_, key) = SigningKey::parse(&format!(
            "payments:ecdsa-p256-sha256:{}",
            STANDARD.encode(scalar)
        ))
        .unwrap();
        assert_eq!(key.verifying_key(), ecdsa.verifying_key());
        assert_eq!(keys.keys("hooks").len(), 1);
        let (keyid, key) =
            SigningKey::parse(&format!("payments:ed25519:{}", STANDARD.encode([5u8; 32]))).unwrap();
        assert_eq!((keyid.as_str(), key.alg()), ("payments", "ed25519"));
        for bad in [
            String::new(),
            "ledger".into(),
            "ledger:hmac-sha256:!!!".into(),
            format!("ledger:rsa:{secret}"),
            format!("ledger:hmac-sha256:{}", STANDARD.encode(b"short")),
            format!("ledger:ed25519:{secret}"),
            format!("ledger:ecdsa-p256-sha256:{secret}"),
            format!(":hmac-sha256:{secret}"),
        ] {
            let err = StaticKeys::parse(&bad).unwrap_err().to_string();
            assert!(!err.contains(&secret), "{err}");
        }
    }
}
