//! The crate's errors: why a message could not be signed or a signature was refused, why a
//! signed call was not sent, and why keys could not be read from Secrets Manager.
//!
//! Every refusal names the check that failed and never carries a signature, a key or a
//! secret, so it can be logged and sent back to the caller as it is.

/// Why signing or verifying failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The message carries no signature (or none with the expected label).
    #[error("the request carries no signature")]
    MissingSignature,
    /// A signature header is not well formed.
    // Not `malformed signature: {0}`: a secret's name before a colon reads as a pair to
    // redaction, which took the detail's first word for the signature.
    #[error("the signature is malformed: {0}")]
    Malformed(&'static str),
    /// A signature header is larger than the limit.
    #[error("the signature headers exceed {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A label appears twice in `Signature-Input` or `Signature`.
    #[error("the signature label {0:?} appears twice")]
    DuplicateLabel(String),
    /// A covered component is absent from the message.
    #[error("the covered component {0} is missing from the message")]
    MissingComponent(String),
    /// A covered component Lift does not support.
    #[error("the component {0} is not supported")]
    UnsupportedComponent(String),
    /// A component the verifier requires is not covered by the signature.
    #[error("the signature does not cover {0}")]
    NotCovered(String),
    /// No `keyid`, or no active key under it.
    #[error("unknown key id {0:?}")]
    UnknownKey(String),
    /// The signature's `alg` does not match the key.
    #[error("the algorithm {0:?} does not match the key")]
    AlgorithmMismatch(String),
    /// No `created` where one is required.
    #[error("the signature has no created time")]
    MissingCreated,
    /// `created` lies further in the future than the allowed clock skew.
    #[error("the signature was created in the future")]
    TooEarly,
    /// `created` is older than the allowed age, or `expires` has passed.
    #[error("the signature has expired")]
    Expired,
    /// A nonce is required and missing.
    #[error("the signature has no nonce")]
    MissingNonce,
    /// The nonce was seen before.
    #[error("the nonce was used before (a replay)")]
    Replayed,
    /// The nonce store could not say whether the nonce was seen before.
    #[error("the nonce store is unavailable")]
    NonceStoreUnavailable,
    /// The body does not match its `Content-Digest`.
    #[error("the body does not match its Content-Digest")]
    DigestMismatch,
    /// The signature does not verify.
    #[error("the signature does not verify")]
    BadSignature,
    /// A key in configuration could not be read (the key itself is never shown).
    #[error("invalid key configuration: {0}")]
    InvalidKey(&'static str),
}

#[cfg(feature = "layer")]
/// Why a request was not sent: it could not be signed, or the client failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignedCallError<E> {
    /// The request could not be signed.
    #[error("the request could not be signed: {0}")]
    Sign(#[source] SignatureError),
    /// The client failed.
    #[error("the call failed: {0}")]
    Call(#[source] E),
}

#[cfg(feature = "secrets-manager")]
/// Why keys could not be read from Secrets Manager.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretsError {
    /// The secret could not be read.
    #[error("the secret {secret_id:?} could not be read")]
    Read {
        /// The secret's id.
        secret_id: String,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// The secret holds no string.
    #[error("the secret {0:?} holds no string")]
    NotAString(String),
    /// The secret's keys could not be read (the value itself is not shown).
    #[error("the secret {secret_id:?} does not list keys: {source}")]
    Keys {
        /// The secret's id.
        secret_id: String,
        /// What is wrong with it.
        #[source]
        source: SignatureError,
    },
}
