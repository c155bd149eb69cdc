//! [`SignatureParams`]: the covered components and the signature's parameters (`created`,
//! `expires`, `nonce`, `alg`, `keyid`, `tag`), and the signature base built from them
//! (RFC 9421 §2.3, §2.5).

use crate::component::{Component, Message, write_value};
use crate::error::SignatureError;
use crate::sfv::{self, Bare, Item, Member};

/// The components a signature covers and its parameters, in their order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureParams {
    components: Vec<Component>,
    params: sfv::Params,
}

impl SignatureParams {
    /// Covering `components`, with no parameters yet.
    pub fn new(components: Vec<Component>) -> Self {
        Self {
            components,
            params: Vec::new(),
        }
    }

    fn set(mut self, key: &str, value: Bare) -> Self {
        match self.params.iter_mut().find(|(k, _)| k == key) {
            Some(existing) => existing.1 = value,
            None => self.params.push((key.to_owned(), value)),
        }
        self
    }

    /// `created`: when the signature was made (Unix seconds).
    pub fn created(self, unix: u64) -> Self {
        self.set(
            "created",
            Bare::Integer(unix.min(999_999_999_999_999) as i64),
        )
    }

    /// `expires`: when it stops being valid (Unix seconds).
    pub fn expires(self, unix: u64) -> Self {
        self.set(
            "expires",
            Bare::Integer(unix.min(999_999_999_999_999) as i64),
        )
    }

    /// `nonce`: a value used once, for replay protection.
    pub fn nonce(self, nonce: &str) -> Self {
        self.set("nonce", Bare::String(nonce.to_owned()))
    }

    /// `alg`: the algorithm's name (`hmac-sha256`, `ed25519`).
    pub fn alg(self, alg: &str) -> Self {
        self.set("alg", Bare::String(alg.to_owned()))
    }

    /// `keyid`: which key signed.
    pub fn keyid(self, keyid: &str) -> Self {
        self.set("keyid", Bare::String(keyid.to_owned()))
    }

    /// `tag`: what the signature is for (an application's own label).
    pub fn tag(self, tag: &str) -> Self {
        self.set("tag", Bare::String(tag.to_owned()))
    }

    /// The covered components.
    pub fn components(&self) -> &[Component] {
        &self.components
    }

    fn integer(&self, key: &str) -> Option<i64> {
        self.params.iter().find_map(|(k, v)| match v {
            Bare::Integer(n) if k == key => Some(*n),
            _ => None,
        })
    }

    fn string(&self, key: &str) -> Option<&str> {
        self.params.iter().find_map(|(k, v)| match v {
            Bare::String(s) if k == key => Some(s.as_str()),
            _ => None,
        })
    }

    /// `created`, if given.
    pub fn created_at(&self) -> Option<i64> {
        self.integer("created")
    }

    /// `expires`, if given.
    pub fn expires_at(&self) -> Option<i64> {
        self.integer("expires")
    }

    /// `nonce`, if given.
    pub fn nonce_value(&self) -> Option<&str> {
        self.string("nonce")
    }

    /// `alg`, if given.
    pub fn alg_name(&self) -> Option<&str> {
        self.string("alg")
    }

    /// `keyid`, if given.
    pub fn key_id(&self) -> Option<&str> {
        self.string("keyid")
    }

    /// `tag`, if given.
    pub fn tag_value(&self) -> Option<&str> {
        self.string("tag")
    }

    /// The serialised inner list: `("@method" "@path");created=1618884473;keyid="k"`.
    pub fn serialize(&self) -> String {
        let mut out = String::with_capacity(160);
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        out.push('(');
        for (i, c) in self.components.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            sfv::write_string(out, c.name());
        }
        out.push(')');
        sfv::write_params(out, &self.params);
    }

    /// Reads a `Signature-Input` member (an inner list of component names with parameters).
    pub(crate) fn from_member(member: &Member) -> Result<Self, SignatureError> {
        let Member::InnerList(items, params) = member else {
            return Err(SignatureError::Malformed(
                "a Signature-Input member is not an inner list",
            ));
        };
        let mut components = Vec::with_capacity(items.len());
        for Item { bare, params } in items {
            let Bare::String(name) = bare else {
                return Err(SignatureError::Malformed(
                    "a covered component is not a string",
                ));
            };
            if !params.is_empty() {
                return Err(SignatureError::UnsupportedComponent(format!(
                    "{name} with parameters"
                )));
            }
            let component = Component::parse(name)?;
            if components.contains(&component) {
                return Err(SignatureError::Malformed("a component is covered twice"));
            }
            components.push(component);
        }
        for (key, value) in params {
            let fits = match key.as_str() {
                "created" | "expires" => matches!(value, Bare::Integer(n) if *n >= 0),
                "nonce" | "alg" | "keyid" | "tag" => matches!(value, Bare::String(_)),
                _ => true, // unknown parameters are signed over, not interpreted
            };
            if !fits {
                return Err(SignatureError::Malformed(
                    "a signature parameter has the wrong type",
                ));
            }
        }
        Ok(Self {
            components,
            params: params.clone(),
        })
    }

    /// The signature base for `message` (RFC 9421 §2.5): one line per covered component,
    /// then `"@signature-params"`.
    pub fn signature_base(&self, message: &impl Message) -> Result<String, SignatureError> {
        let mut base = String::with_capacity(512);
        for (i, component) in self.components.iter().enumerate() {
            if self.components[..i].contains(component) {
                return Err(SignatureError::Malformed("a component is covered twice"));
            }
            sfv::write_string(&mut base, component.name());
            base.push_str(": ");
            write_value(message, component, &mut base)?;
            base.push('\n');
        }
        base.push_str("\"@signature-params\": ");
        self.write(&mut base);
        Ok(base)
    }
}
