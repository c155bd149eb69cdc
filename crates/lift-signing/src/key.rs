//! Keys: [`SigningKey`] and [`VerifyingKey`] for `hmac-sha256`, `ed25519` and
//! `ecdsa-p256-sha256`, and
//! [`KeyStore`], several active keys per key id so keys rotate without downtime.
//!
//! Secrets never appear in `Debug` output, and nothing in this crate formats them.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use ed25519_dalek::Signer as _;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::SignatureError;

/// A shared secret (for `hmac-sha256`); its bytes are never printed.
///
/// The HMAC's key schedule (the inner and outer pads, hashed) is done once, when the secret is
/// made, and copied for each signature.
#[derive(Clone)]
pub struct Secret(Arc<Keyed>);

struct Keyed {
    bytes: Box<[u8]>,
    mac: Hmac<Sha256>,
}

impl Secret {
    /// The secret `bytes`.
    pub fn new(bytes: impl AsRef<[u8]>) -> Self {
        let bytes: Box<[u8]> = bytes.as_ref().into();
        // HMAC takes a key of any length.
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&bytes)
            .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new(&Default::default()));
        Self(Arc::new(Keyed { bytes, mac }))
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0.bytes
    }

    /// A MAC under this secret, ready for data.
    pub(crate) fn mac(&self) -> Hmac<Sha256> {
        self.0.mac.clone()
    }
}

/// A signature base goes straight into the MAC, never into a buffer.
impl crate::sfv::Out for Hmac<Sha256> {
    fn put(&mut self, text: &str) {
        self.update(text.as_bytes());
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        crate::digest::constant_time_eq(self.bytes(), other.bytes())
    }
}

impl Eq for Secret {}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

/// A key that signs.
#[derive(Clone)]
pub enum SigningKey {
    /// HMAC-SHA256 with a shared secret.
    HmacSha256(Secret),
    /// Ed25519 with a private key.
    Ed25519(Box<ed25519_dalek::SigningKey>),
    /// ECDSA on P-256 with SHA-256, with a private key (signatures are deterministic,
    /// RFC 6979, and written as the 64 bytes `r ‖ s`).
    EcdsaP256(Box<p256::ecdsa::SigningKey>),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.alg())
    }
}

impl SigningKey {
    /// An Ed25519 key from its 32-byte seed.
    pub fn ed25519_from_seed(seed: &[u8; 32]) -> Self {
        SigningKey::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(seed)))
    }

    /// An ECDSA P-256 key from its 32-byte private scalar (big-endian).
    pub fn ecdsa_p256_from_scalar(scalar: &[u8; 32]) -> Result<Self, SignatureError> {
        p256::ecdsa::SigningKey::from_slice(scalar)
            .map(|k| SigningKey::EcdsaP256(Box::new(k)))
            .map_err(|_| SignatureError::InvalidKey("not a P-256 private key"))
    }

    /// The algorithm's name in `alg` (`hmac-sha256`, `ed25519`, `ecdsa-p256-sha256`).
    pub fn alg(&self) -> &'static str {
        match self {
            SigningKey::HmacSha256(_) => "hmac-sha256",
            SigningKey::Ed25519(_) => "ed25519",
            SigningKey::EcdsaP256(_) => "ecdsa-p256-sha256",
        }
    }

    /// The public key's bytes, for an asymmetric key (an HMAC key has no public part):
    /// Ed25519's 32, or P-256's SEC1 uncompressed point (65).
    pub fn public_key_bytes(&self) -> Option<Vec<u8>> {
        match self {
            SigningKey::Ed25519(k) => Some(k.verifying_key().to_bytes().to_vec()),
            SigningKey::EcdsaP256(k) => Some(
                k.verifying_key()
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec(),
            ),
            SigningKey::HmacSha256(_) => None,
        }
    }

    /// The key that verifies this key's signatures.
    pub fn verifying_key(&self) -> VerifyingKey {
        match self {
            SigningKey::HmacSha256(s) => VerifyingKey::HmacSha256(s.clone()),
            SigningKey::Ed25519(k) => VerifyingKey::Ed25519(k.verifying_key()),
            SigningKey::EcdsaP256(k) => VerifyingKey::EcdsaP256(*k.verifying_key()),
        }
    }

    /// Signs `data`.
    pub fn sign(&self, data: &[u8]) -> Vec<u8> {
        match self {
            SigningKey::HmacSha256(secret) => hmac_sha256(secret, data).to_vec(),
            SigningKey::Ed25519(key) => key.sign(data).to_bytes().to_vec(),
            SigningKey::EcdsaP256(key) => {
                let signature: p256::ecdsa::Signature =
                    p256::ecdsa::signature::Signer::sign(&**key, data);
                signature.to_bytes().to_vec()
            }
        }
    }
}

/// A key that verifies.
#[derive(Clone, PartialEq, Eq)]
pub enum VerifyingKey {
    /// HMAC-SHA256 with a shared secret.
    HmacSha256(Secret),
    /// Ed25519 with a public key.
    Ed25519(ed25519_dalek::VerifyingKey),
    /// ECDSA on P-256 with SHA-256, with a public key.
    EcdsaP256(p256::ecdsa::VerifyingKey),
}

impl std::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VerifyingKey({})", self.alg())
    }
}

impl VerifyingKey {
    /// An Ed25519 public key from its 32 bytes.
    pub fn ed25519(public: &[u8; 32]) -> Result<Self, SignatureError> {
        ed25519_dalek::VerifyingKey::from_bytes(public)
            .map(VerifyingKey::Ed25519)
            .map_err(|_| SignatureError::Malformed("not an Ed25519 public key"))
    }

    /// A P-256 public key from its SEC1 encoding (65 bytes uncompressed, or 33 compressed).
    pub fn ecdsa_p256(sec1: &[u8]) -> Result<Self, SignatureError> {
        p256::ecdsa::VerifyingKey::from_sec1_bytes(sec1)
            .map(VerifyingKey::EcdsaP256)
            .map_err(|_| SignatureError::InvalidKey("not a P-256 public key"))
    }

    /// The algorithm's name in `alg`.
    pub fn alg(&self) -> &'static str {
        match self {
            VerifyingKey::HmacSha256(_) => "hmac-sha256",
            VerifyingKey::Ed25519(_) => "ed25519",
            VerifyingKey::EcdsaP256(_) => "ecdsa-p256-sha256",
        }
    }

    /// Whether `signature` is this key's signature of `data` (HMAC compared in constant
    /// time; Ed25519 verified strictly; ECDSA from the 64 bytes `r ‖ s`).
    pub fn verify(&self, data: &[u8], signature: &[u8]) -> bool {
        match self {
            VerifyingKey::HmacSha256(secret) => {
                let mut mac = secret.mac();
                mac.update(data);
                mac.verify_slice(signature).is_ok()
            }
            VerifyingKey::Ed25519(key) => ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|sig| key.verify_strict(data, &sig).is_ok()),
            VerifyingKey::EcdsaP256(key) => p256::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|sig| p256::ecdsa::signature::Verifier::verify(key, data, &sig).is_ok()),
        }
    }
}

/// HMAC-SHA256 of `data` under `secret`.
pub(crate) fn hmac_sha256(secret: &Secret, data: &[u8]) -> [u8; 32] {
    let mut mac = secret.mac();
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Where verifiers find keys: every key active under a key id (several during a rotation).
pub trait KeyStore: Send + Sync {
    /// The keys active under `keyid`, newest first (empty for an unknown id). Shared, not
    /// copied: a lookup allocates nothing.
    fn keys(&self, keyid: &str) -> Arc<[VerifyingKey]>;
}

/// Keys held in memory: added, rotated and retired at run time.
#[derive(Debug, Default, Clone)]
pub struct StaticKeys {
    keys: Arc<RwLock<HashMap<String, Arc<[VerifyingKey]>>>>,
}

impl StaticKeys {
    /// No keys.
    pub fn new() -> Self {
        Self::default()
    }

    fn edit(&self, keyid: &str, change: impl FnOnce(&mut Vec<VerifyingKey>)) {
        let mut keys = self
            .keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut active = keys.get(keyid).map(|k| k.to_vec()).unwrap_or_default();
        change(&mut active);
        if active.is_empty() {
            keys.remove(keyid);
        } else {
            keys.insert(keyid.to_owned(), active.into());
        }
    }

    /// Adds `key` under `keyid`, beside any key already active there (a rotation's new key).
    pub fn add(&self, keyid: &str, key: VerifyingKey) {
        self.edit(keyid, |active| active.insert(0, key));
    }

    /// Retires `key` from `keyid` (a rotation's old key): signatures made with it no longer
    /// verify.
    pub fn retire(&self, keyid: &str, key: &VerifyingKey) {
        self.edit(keyid, |active| active.retain(|k| k != key));
    }
}

impl StaticKeys {
    /// Makes `other`'s keys this set's keys, all at once.
    #[cfg_attr(not(feature = "secrets-manager"), allow(dead_code))]
    pub(crate) fn replace_with(&self, other: &StaticKeys) {
        let fresh = other
            .keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        *self
            .keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
    }
}

impl KeyStore for StaticKeys {
    fn keys(&self, keyid: &str) -> Arc<[VerifyingKey]> {
        self.keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(keyid)
            .cloned()
            .unwrap_or_else(|| Arc::from(Vec::new()))
    }
}
