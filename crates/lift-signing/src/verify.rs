//! [`Verifier`]: checks a request's RFC 9421 signature — well formed, covering what the
//! policy requires, within its time window, made by an active key, over the body actually
//! received — and [`MemoryNonces`], which refuses a nonce seen before.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::component::{Component, Message};
use crate::digest::verify_content_digest;
use crate::error::SignatureError;
use crate::key::{KeyStore, VerifyingKey};
use crate::params::{Hearing, SignatureInput};
use crate::sfv::{self, Member, Value};

/// What a verified signature says, borrowed from the request it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified<'a> {
    /// The signature's label.
    pub label: &'a str,
    /// The key id that signed.
    pub keyid: Cow<'a, str>,
    /// The algorithm (`hmac-sha256`, `ed25519`).
    pub alg: &'static str,
    /// `created` (Unix seconds).
    pub created: i64,
    /// `expires` (Unix seconds), if given.
    pub expires: Option<i64>,
    /// `nonce`, if given.
    pub nonce: Option<Cow<'a, str>>,
    /// `tag`, if given.
    pub tag: Option<Cow<'a, str>>,
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

/// The most signatures one request may carry (labels in `Signature-Input`).
const MAX_SIGNATURES: usize = 16;

impl<K: KeyStore> Verifier<K> {
    /// Verifies with `keys`; requires `@method`, `@authority` and `@path` to be covered (and
    /// `content-digest` when there is a body), `created` within 300 s of now either way,
    /// `expires` (if any) not passed, a `nonce`, and signature headers under 8 KiB carrying
    /// at most 16 signatures.
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
        let mut input = None;
        read_field(message, &SIGNATURE_INPUT, None, Some(&mut input)).ok()??;
        let input = input?.ok()?;
        input
            .keyid()
            .filter(|k| k.len() <= 256)
            .map(Cow::into_owned)
    }

    /// Verifies `message` with `body` as received, at `now` (Unix seconds). Allocates
    /// nothing when the signature is good and its strings hold no escapes.
    pub fn verify<'m>(
        &self,
        message: &'m impl Message,
        body: Option<&[u8]>,
        now: u64,
    ) -> Result<Verified<'m>, SignatureError> {
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
        let mut heard = None;
        let (label, _) = read_field(
            message,
            &SIGNATURE_INPUT,
            self.label.as_deref(),
            Some(&mut heard),
        )?
        .ok_or(SignatureError::MissingSignature)?;
        let signature = match read_field(message, &SIGNATURE, Some(label), None)? {
            Some((_, Member::Item(item))) => match item.bare {
                Value::Bytes(bytes) => bytes,
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
        let input = heard.ok_or(SignatureError::MissingSignature)??;
        let created = self.check_policy(&input, body.is_some_and(|b| !b.is_empty()), now)?;
        let keyid = input
            .keyid()
            .ok_or_else(|| SignatureError::UnknownKey(String::new()))?;
        let keys = self.keys.keys(&keyid);
        if keys.is_empty() {
            return Err(SignatureError::UnknownKey(keyid.into_owned()));
        }
        let alg = input.alg();
        if let Some(alg) = &alg
            && !keys.iter().any(|k| k.alg() == alg)
        {
            return Err(SignatureError::AlgorithmMismatch(alg.to_string()));
        }
        // Every algorithm Lift knows makes signatures of 64 bytes or fewer.
        let mut buf = [0u8; 64];
        let signature = signature.decode_into(&mut buf).unwrap_or_default();
        let mut base = None; // built once, for a key that needs it whole
        let mut key = None;
        for candidate in keys.iter() {
            if alg.as_ref().is_some_and(|alg| candidate.alg() != alg) {
                continue;
            }
            let good = match candidate {
                VerifyingKey::HmacSha256(secret) => {
                    let mut mac = secret.mac();
                    input.write_base(message, &mut mac)?;
                    hmac::Mac::verify_slice(mac, signature).is_ok()
                }
                VerifyingKey::Ed25519(_) | VerifyingKey::EcdsaP256(_) => {
                    let base = match &mut base {
                        Some(base) => base,
                        None => {
                            let mut text = String::with_capacity(512);
                            input.write_base(message, &mut text)?;
                            base.insert(text)
                        }
                    };
                    candidate.verify(base.as_bytes(), signature)
                }
            };
            if good {
                key = Some(candidate);
                break;
            }
        }
        let key = key.ok_or(SignatureError::BadSignature)?;
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
            label,
            keyid,
            alg: key.alg(),
            created,
            expires: input.expires(),
            nonce: input.nonce(),
            tag: input.tag(),
        })
    }

    /// Checks what the policy asks of `input`; its `created` time.
    fn check_policy(
        &self,
        input: &SignatureInput<'_>,
        has_body: bool,
        now: u64,
    ) -> Result<i64, SignatureError> {
        for required in &self.required {
            if !input.covers(required) {
                return Err(SignatureError::NotCovered(required.name().to_owned()));
            }
        }
        if has_body && !input.names().any(|name| name == "content-digest") {
            return Err(SignatureError::NotCovered("content-digest".to_owned()));
        }
        let now = i64::try_from(now).unwrap_or(i64::MAX);
        let window = i64::try_from(self.window.as_secs()).unwrap_or(i64::MAX);
        let created = input.created().ok_or(SignatureError::MissingCreated)?;
        if created > now.saturating_add(window) {
            return Err(SignatureError::TooEarly);
        }
        if created < now.saturating_sub(window) {
            return Err(SignatureError::Expired);
        }
        if input.expires().is_some_and(|e| e < now) {
            return Err(SignatureError::Expired);
        }
        match input.nonce() {
            None if self.require_nonce => return Err(SignatureError::MissingNonce),
            Some(nonce) if nonce.is_empty() || nonce.len() > 256 => {
                return Err(SignatureError::Malformed(
                    "a nonce must be 1 to 256 characters",
                ));
            }
            _ => {}
        }
        Ok(created)
    }
}

const SIGNATURE_INPUT: http::HeaderName = http::HeaderName::from_static("signature-input");
const SIGNATURE: http::HeaderName = http::HeaderName::from_static("signature");
const CONTENT_DIGEST: http::HeaderName = http::HeaderName::from_static("content-digest");

/// Reads the dictionary field `name` over all its lines (each line a dictionary of its
/// own): every line well formed, labels unique across them, at most [`MAX_SIGNATURES`]
/// members. The member labelled `wanted` (the first, if `None`), if there is one — and,
/// with `input`, that member read as a `Signature-Input` in the same pass.
fn read_field<'m>(
    message: &'m impl Message,
    name: &http::HeaderName,
    wanted: Option<&str>,
    mut input: Option<&mut Option<Result<SignatureInput<'m>, SignatureError>>>,
) -> Result<Option<(&'m str, Member<'m>)>, SignatureError> {
    let mut labels = [""; MAX_SIGNATURES];
    let mut count = 0;
    let mut found = None;
    for line in message.headers().get_all(name) {
        let text = line
            .to_str()
            .map_err(|_| SignatureError::Malformed("a signature header is not ASCII"))?;
        let searching = found.is_none();
        let is_wanted = |label: &str| searching && wanted.is_none_or(|w| w == label);
        let mut hearing = Hearing::new(text);
        let heard = match (&input, searching) {
            (Some(_), true) => Some(&mut hearing as &mut dyn sfv::Hear<'m>),
            _ => None,
        };
        sfv::read_dictionary_hearing(text, is_wanted, heard, |label, member| {
            if labels[..count].contains(&label) {
                return Err(SignatureError::DuplicateLabel(label.to_owned()));
            }
            let Some(slot) = labels.get_mut(count) else {
                return Err(SignatureError::Malformed("more than 16 signatures"));
            };
            *slot = label;
            count += 1;
            if found.is_none() && is_wanted(label) {
                found = Some((label, member));
            }
            Ok(())
        })
        .map_err(SignatureError::Malformed)??;
        if let (Some(slot), true, Some((_, member))) = (input.as_deref_mut(), searching, found) {
            *slot = Some(hearing.finish(member));
        }
    }
    if count == 0 {
        return Err(SignatureError::MissingSignature);
    }
    Ok(found)
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
    pub fn check(
        &self,
        verified: &Verified<'_>,
        until: u64,
        now: u64,
    ) -> Result<(), SignatureError> {
        match verified.nonce.as_deref() {
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
#[cfg(feature = "layer")]
pub(crate) trait DynNonces: Send + Sync {
    fn first_use_boxed<'a>(
        &'a self,
        keyid: &'a str,
        nonce: &'a str,
        until: u64,
        now: u64,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), SignatureError>> + Send + 'a>>;
}

#[cfg(feature = "layer")]
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
