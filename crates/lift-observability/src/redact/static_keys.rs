//! What the encoder knows about a key that lives as long as the program — a struct's field
//! name as serde hands it over, a `tracing` field's name: its built-in rule, whether the key
//! itself is inert (written with escaping only, or as a ready `"key":`), whether it names a
//! time, and what its value is ([`ValueRole`]). Decided once per thread and name
//! ([`static_key`]) and found again by the name's address.

use super::KeyRule;
use super::keys::{builtin_key_rule, is_payload_key, is_time_key};

/// What the built-in rules say about a key known for the life of the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StaticKey {
    /// Its built-in rule.
    pub(crate) rule: KeyRule,
    /// Nothing in the key itself could be redacted ([`super::text::literal_is_inert`]):
    /// it is written with escaping only.
    pub(crate) inert: bool,
    /// It names a time.
    pub(crate) time: bool,
    /// `"key":` ready to copy, for an inert key short enough.
    pub(crate) quoted: Option<QuotedKey>,
    /// What its value is: a pair's value, a payload, or neither.
    pub(crate) role: ValueRole,
}

/// What a key says its value is, beyond its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueRole {
    /// A value like any other.
    Plain,
    /// The value of a name and value pair ([`super::pairs`]): the name decides.
    PairValue,
    /// A payload, perhaps encoded in base64 ([`is_payload_key`]).
    Payload,
    /// A JSON Web Key's private key member (`d`, `p`, `q`, `dp`, `dq`, `qi`: [`super::jwk`]):
    /// key material, if the string reads as such.
    KeyMaterial,
    /// A JSON Web Key's symmetric key member (`k`): key material, if the string reads as
    /// such.
    SymmetricKey,
}

/// The [`ValueRole`] of the value under `key`.
pub(crate) fn value_role(key: &[u8]) -> ValueRole {
    if super::pairs::role(key) == super::pairs::PairRole::Value {
        ValueRole::PairValue
    } else if is_payload_key(key) {
        ValueRole::Payload
    } else if super::jwk::is_private_member(key) {
        if super::jwk::is_symmetric_member(key) {
            ValueRole::SymmetricKey
        } else {
            ValueRole::KeyMaterial
        }
    } else {
        ValueRole::Plain
    }
}

/// An inert key as JSON writes it before its value, `"key":`, in a fixed-size buffer: copied
/// whole (one fixed-size move) and cut to its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct QuotedKey {
    bytes: [u8; QuotedKey::CAPACITY],
    len: u8,
}

impl QuotedKey {
    /// The buffer's size: keys of up to `CAPACITY - 3` bytes fit with their quotes and colon.
    const CAPACITY: usize = 32;

    /// `"key":` for an inert `key` that fits.
    fn new(key: &str) -> Option<QuotedKey> {
        let n = key.len();
        if n + 3 > Self::CAPACITY {
            return None;
        }
        let mut bytes = [0; Self::CAPACITY];
        bytes[0] = b'"';
        bytes[1..=n].copy_from_slice(key.as_bytes());
        bytes[n + 1..n + 3].copy_from_slice(b"\":");
        Some(QuotedKey {
            bytes,
            len: (n + 3) as u8,
        })
    }

    /// Appends `"key":` to `out`.
    #[inline(always)]
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        let at = out.len();
        out.extend_from_slice(&self.bytes);
        out.truncate(at + usize::from(self.len));
    }
}

thread_local! {
    static STATIC_KEYS: std::cell::RefCell<crate::static_names::StaticNames<StaticKey, 256>> =
        const { std::cell::RefCell::new(crate::static_names::StaticNames::new()) };
}

/// [`StaticKey`] for a key that lives as long as the program (a struct's field name, as
/// serde hands them over): decided once per thread and name and found again by the name's
/// address. Only `'static` names are cached, so an address is never reused by another key.
#[inline]
pub(crate) fn static_key(key: &'static str) -> StaticKey {
    let cached = STATIC_KEYS
        .try_with(|cache| cache.try_borrow().ok()?.get(key))
        .ok()
        .flatten();
    cached.unwrap_or_else(|| decide_static_key(key))
}

/// [`static_key`] the first time a thread meets `key`: decided and cached.
#[cold]
#[inline(never)]
fn decide_static_key(key: &'static str) -> StaticKey {
    let inert = super::text::literal_is_inert(key);
    let verdict = StaticKey {
        rule: builtin_key_rule(key),
        inert,
        time: is_time_key(key),
        quoted: if inert { QuotedKey::new(key) } else { None },
        role: value_role(key.as_bytes()),
    };
    let _ = STATIC_KEYS.try_with(|cache| {
        if let Ok(mut cache) = cache.try_borrow_mut() {
            cache.put(key, verdict);
        }
    });
    verdict
}
