//! [`Verifier`]: checks a request's RFC 9421 signature — well formed, covering what the
//! policy requires, within its time window, made by an active key, over the body actually
//! received — and [`MemoryNonces`], which refuses a nonce seen before.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::component::{Component, Message};
use crate::digest::verify_content_digest;
use crate::error::SignatureError;
use crate::key::KeyStore;
use crate::params::SignatureParams;
use crate::sfv::{self, Bare, Member};

/// What a verified signature says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The signature's label.
    pub label: String,
    /// The key id that signed.
    pub keyid: String,
    /// The algorithm (`hmac-sha256`, `ed25519`).
    pub alg: &'static str,
    /// The signature's parameters.
    pub params: SignatureParams,
}

/// Verifies signed requests against a [`KeyStore`].
#[derive(Debug, Clone)]
pub struct Verifier<K> {
    keys: K,
    label: Option<String>,
    required: Vec<Component>,
    window: Duration,
    require_nonce: bool,
    max_header_bytes: usize,
}

impl<K: KeyStore> Verifier<K> {
    /// Verifies with `keys`; requires `@method`, `@authority` and `@path` to be covered (and
    /// `content-digest` when there is a body), `created` within 300 s of now either way,
    /// `expires` (if any) not passed, a `nonce`, and signature headers under 8 KiB.
    pub fn new(keys: K) -> Self {
        Self {
            keys,
            label: None,
            required: vec![Component::Method, Component::Authority, Component::Path],
            window: Duration::from_secs(300),
            require_nonce: true,
            max_header_bytes: 8 * 1024,
        }
    }

    /// Checks only the signature under `label` (default: the first one).
    pub fn label(mut self, label: &str) -> Self {
        self.label = Some(label.to_owned());
        self
    }

    /// The components every signature must cover.
    pub fn require(mut self, components: Vec<Component>) -> Self {
        self.required = components;
        self
    }

    /// How far `created` may be from now, either way (default 300 s: clock skew included).
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Whether a `nonce` is required (default yes).
    pub fn require_nonce(mut self, on: bool) -> Self {
        self.require_nonce = on;
        self
    }

    /// The window, in seconds.
    pub fn window_secs(&self) -> u64 {
        self.window.as_secs()
    }

    /// The key id `message`'s first signature claims, unverified — for a log line about a
    /// refusal (never a key or a signature).
    pub fn claimed_key_id(message: &impl Message) -> Option<String> {
        let inputs = dictionary(message, &SIGNATURE_INPUT).ok()?;
        let (_, member) = inputs.first()?;
        let params = SignatureParams::from_member(member).ok()?;
        params
            .key_id()
            .filter(|k| k.len() <= 256)
            .map(str::to_owned)
    }

    /// Verifies `message` with `body` as received, at `now` (Unix seconds).
    pub fn verify(
        &self,
        message: &impl Message,
        body: Option<&[u8]>,
        now: u64,
    ) -> Result<Verified, SignatureError> {
        let headers = message.headers();
        let size: usize = [&SIGNATURE_INPUT, &SIGNATURE]
            .into_iter()
            .flat_map(|name| headers.get_all(name))
            .map(|v| v.len())
            .sum();
        if size > self.max_header_bytes {
            return Err(SignatureError::TooLarge {
                limit: self.max_header_bytes,
            });
        }
        let inputs = dictionary(message, &SIGNATURE_INPUT)?;
        let signatures = dictionary(message, &SIGNATURE)?;
        let (label, input) = match &self.label {
            Some(label) => inputs
                .iter()
                .find(|(l, _)| l == label)
                .ok_or(SignatureError::MissingSignature)?,
            None => inputs.first().ok_or(SignatureError::MissingSignature)?,
        };
        let signature = match signatures.iter().find(|(l, _)| l == label) {
            Some((_, Member::Item(item))) => match &item.bare {
                Bare::Bytes(bytes) => bytes,
                _ => {
                    return Err(SignatureError::Malformed(
                        "a signature is not a byte sequence",
                    ));
                }
            },
            Some(_) => {
                return Err(SignatureError::Malformed(
                    "a signature is not a byte sequence",
                ));
            }
            None => return Err(SignatureError::MissingSignature),
        };
        let params = SignatureParams::from_member(input)?;
        self.check_policy(&params, body.is_some_and(|b| !b.is_empty()), now)?;
        let keyid = params
            .key_id()
            .ok_or_else(|| SignatureError::UnknownKey(String::new()))?
            .to_owned();
        let keys = self.keys.keys(&keyid);
        if keys.is_empty() {
            return Err(SignatureError::UnknownKey(keyid));
        }
        if let Some(alg) = params.alg_name()
            && !keys.iter().any(|k| k.alg() == alg)
        {
            return Err(SignatureError::AlgorithmMismatch(alg.to_owned()));
        }
        let base = params.signature_base(message)?;
        let key = keys
            .iter()
            .filter(|k| params.alg_name().is_none_or(|alg| k.alg() == alg))
            .find(|k| k.verify(base.as_bytes(), signature))
            .ok_or(SignatureError::BadSignature)?;
        if let Some(body) = body {
            match headers.get(&CONTENT_DIGEST) {
                Some(field) => {
                    let field = field
                        .to_str()
                        .map_err(|_| SignatureError::Malformed("Content-Digest is not ASCII"))?;
                    verify_content_digest(field, body)?;
                }
                None if body.is_empty() => {}
                None => return Err(SignatureError::NotCovered("content-digest".into())),
            }
        }
        Ok(Verified {
            label: label.clone(),
            keyid,
            alg: key.alg(),
            params,
        })
    }

    fn check_policy(
        &self,
        params: &SignatureParams,
        has_body: bool,
        now: u64,
    ) -> Result<(), SignatureError> {
        let covered = params.components();
        let digest = Component::field("content-digest");
        for required in self.required.iter().chain(has_body.then_some(&digest)) {
            if !covered.contains(required) {
                return Err(SignatureError::NotCovered(required.name().to_owned()));
            }
        }
        let now = i64::try_from(now).unwrap_or(i64::MAX);
        let window = i64::try_from(self.window.as_secs()).unwrap_or(i64::MAX);
        let created = params.created_at().ok_or(SignatureError::MissingCreated)?;
        if created > now.saturating_add(window) {
            return Err(SignatureError::TooEarly);
        }
        if created < now.saturating_sub(window) {
            return Err(SignatureError::Expired);
        }
        if params.expires_at().is_some_and(|e| e < now) {
            return Err(SignatureError::Expired);
        }
        match params.nonce_value() {
            None if self.require_nonce => return Err(SignatureError::MissingNonce),
            Some(nonce) if nonce.is_empty() || nonce.len() > 256 => {
                return Err(SignatureError::Malformed(
                    "a nonce must be 1 to 256 characters",
                ));
            }
            _ => {}
        }
        Ok(())
    }
}

const SIGNATURE_INPUT: http::HeaderName = http::HeaderName::from_static("signature-input");
const SIGNATURE: http::HeaderName = http::HeaderName::from_static("signature");
const CONTENT_DIGEST: http::HeaderName = http::HeaderName::from_static("content-digest");

/// The members of the dictionary field `name` (all its lines), with labels unique.
fn dictionary(
    message: &impl Message,
    name: &http::HeaderName,
) -> Result<Vec<(String, Member)>, SignatureError> {
    let mut out: Vec<(String, Member)> = Vec::new();
    for value in message.headers().get_all(name) {
        let text = value
            .to_str()
            .map_err(|_| SignatureError::Malformed("a signature header is not ASCII"))?;
        let members = sfv::parse_dictionary(text).map_err(SignatureError::Malformed)?;
        for (label, member) in members {
            if out.iter().any(|(l, _)| *l == label) {
                return Err(SignatureError::DuplicateLabel(label));
            }
            out.push((label, member));
        }
    }
    if out.is_empty() {
        return Err(SignatureError::MissingSignature);
    }
    Ok(out)
}

/// Where nonces are remembered until their signature's window closes, so a replay is
/// refused.
pub trait NonceStore: Send + Sync + 'static {
    /// Records `keyid`'s `nonce` until `until` (Unix seconds); [`SignatureError::Replayed`]
    /// if it is already recorded and not yet past its time,
    /// [`SignatureError::NonceStoreUnavailable`] if the store cannot tell.
    fn first_use(
        &self,
        keyid: &str,
        nonce: &str,
        until: u64,
        now: u64,
    ) -> impl std::future::Future<Output = Result<(), SignatureError>> + Send;
}

/// Nonces seen within their signatures' lifetime, in this process's memory: a nonce seen
/// again is a replay (a replay to another instance is not seen — share a
/// `DynamoDbNonces` table across instances for that). Bounded: past `capacity`, nonces
/// whose time is over are dropped first; if none is, the half nearest its end goes, and a
/// replay of one of those inside its window is then not caught — size `capacity` above
/// the signed requests one process takes per window.
#[derive(Debug)]
pub struct MemoryNonces {
    seen: Mutex<HashMap<(String, String), u64>>,
    capacity: usize,
}

impl MemoryNonces {
    /// Remembers up to about `capacity` nonces.
    pub fn new(capacity: usize) -> Self {
        Self {
            seen: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// Records `verified`'s nonce until `until` (Unix seconds: the end of the window its
    /// signature is accepted in); [`SignatureError::Replayed`] if it was seen before.
    pub fn check(&self, verified: &Verified, until: u64, now: u64) -> Result<(), SignatureError> {
        match verified.params.nonce_value() {
            Some(nonce) => self.record(&verified.keyid, nonce, until, now),
            None => Ok(()),
        }
    }

    fn record(&self, keyid: &str, nonce: &str, until: u64, now: u64) -> Result<(), SignatureError> {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let key = (keyid.to_owned(), nonce.to_owned());
        if seen.get(&key).is_some_and(|expiry| *expiry >= now) {
            return Err(SignatureError::Replayed);
        }
        if seen.len() >= self.capacity {
            seen.retain(|_, expiry| *expiry >= now);
            if seen.len() >= self.capacity {
                let mut expiries: Vec<u64> = seen.values().copied().collect();
                expiries.sort_unstable();
                let cut = expiries[expiries.len() / 2];
                seen.retain(|_, expiry| *expiry > cut);
            }
        }
        seen.insert(key, until);
        Ok(())
    }
}

impl NonceStore for MemoryNonces {
    fn first_use(
        &self,
        keyid: &str,
        nonce: &str,
        until: u64,
        now: u64,
    ) -> impl std::future::Future<Output = Result<(), SignatureError>> + Send {
        std::future::ready(self.record(keyid, nonce, until, now))
    }
}

/// A [`NonceStore`] behind a pointer (a layer takes any store).
pub(crate) trait DynNonces: Send + Sync {
    fn first_use_boxed<'a>(
        &'a self,
        keyid: &'a str,
        nonce: &'a str,
        until: u64,
        now: u64,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), SignatureError>> + Send + 'a>>;
}

impl<N: NonceStore> DynNonces for N {
    fn first_use_boxed<'a>(
        &'a self,
        keyid: &'a str,
        nonce: &'a str,
        until: u64,
        now: u64,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), SignatureError>> + Send + 'a>>
    {
        Box::pin(self.first_use(keyid, nonce, until, now))
    }
}
