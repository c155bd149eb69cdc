//! Request signing for service-to-service calls and webhooks.
//!
//! - **HTTP Message Signatures** (RFC 9421): a [`Signer`] adds `Signature-Input` and
//!   `Signature` over chosen [`Component`]s (`@method`, `@target-uri`, `@authority`,
//!   `@path`, `@query`, `@status`, any header) with `created`, `expires`, `nonce`, `alg`,
//!   `keyid` and `tag`; `hmac-sha256`, `ed25519` or `ecdsa-p256-sha256`. A body is covered through its
//!   `Content-Digest` (RFC 9530). A [`Verifier`] checks the signature against a
//!   [`KeyStore`] — several active keys per key id, so keys rotate without downtime — and a
//!   policy: the components it must cover, the time window (default ±300 s), a nonce
//!   ([`MemoryNonces`] refuses replays), the digest against the body actually received.
//!   Every refusal is a [`SignatureError`] naming the check that failed.
//! - **Inbound**: [`VerifyLayer`] (feature `layer`, default) verifies requests in Lift's
//!   handler stack, answers `401` naming the failed check, and puts the verified key id on
//!   the [`Context`](lift::Context) as its `caller` and on every line it logs.
//! - **Outbound**: [`SignLayer`] signs a client's requests and carries the current
//!   invocation's `X-Amzn-Trace-Id`, W3C `traceparent` and `X-Correlation-Id`.
//! - **Webhooks**: [`sign_webhook`] / [`verify_webhook`], the `t=<unix>,v1=<hex>` HMAC form
//!   payment providers use, with several `v1` during a rotation.
//!
//! Secrets are never formatted: [`Secret`] and the keys print as `[REDACTED]` or their
//! algorithm only.
//!
//! ```
//! use lift_signing::{KeyStore, Secret, Signer, SigningKey, StaticKeys, Verifier};
//!
//! let key = SigningKey::HmacSha256(Secret::new(b"a shared secret"));
//! let keys = StaticKeys::new();
//! keys.add("ledger-2026", key.verifying_key());
//! let mut request = http::Request::post("https://ledger.internal/entries")
//!     .body(b"{\"amount\":1250}".to_vec())
//!     .unwrap();
//! let body = request.body().clone();
//! Signer::new("ledger-2026", key).sign(&mut request, Some(&body), 1_764_000_000).unwrap();
//! let verified = Verifier::new(keys).verify(&request, Some(&body), 1_764_000_010).unwrap();
//! assert_eq!(verified.keyid, "ledger-2026");
//! ```

mod component;
mod config;
mod digest;
#[cfg(feature = "dynamodb")]
mod dynamodb;
#[cfg(feature = "layer")]
mod env;
mod error;
mod key;
#[cfg(feature = "layer")]
mod layer;
#[cfg(feature = "layer")]
mod outbound;
mod params;
#[cfg(feature = "secrets-manager")]
mod secrets;
mod sfv;
mod sign;
mod verify;
mod webhook;

pub use component::{Component, Message, MessageMut};
pub use config::{SIGNING_KEY_ENV, SIGNING_KEYS_ENV};
pub use digest::{content_digest, verify_content_digest};
#[cfg(feature = "dynamodb")]
pub use dynamodb::DynamoDbNonces;
#[cfg(feature = "layer")]
pub use env::{EnvKeys, SIGNING_KEYS_SECRET_ENV, SIGNING_NONCE_TABLE_ENV};
#[cfg(feature = "secrets-manager")]
pub use error::SecretsError;
pub use error::SignatureError;
#[cfg(feature = "layer")]
pub use error::SignedCallError;
pub use key::{KeyStore, Secret, SigningKey, StaticKeys, VerifyingKey};
#[cfg(feature = "layer")]
pub use layer::{Verified as VerifiedService, VerifyLayer};
#[cfg(feature = "layer")]
pub use outbound::{SignLayer, Signing};
pub use params::SignatureParams;
#[cfg(feature = "secrets-manager")]
pub use secrets::SecretsManagerKeys;
pub use sign::Signer;
pub use verify::{MemoryNonces, NonceStore, Verified, Verifier};
pub use webhook::{DEFAULT_WEBHOOK_TOLERANCE, sign_webhook, verify_webhook};
