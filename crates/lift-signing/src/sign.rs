//! [`Signer`]: adds an RFC 9421 signature to a request or a response (and, when it covers
//! `content-digest`, the body's `Content-Digest`).

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderValue;

use crate::component::{Component, Message, MessageMut};
use crate::digest::content_digest;
use crate::error::SignatureError;
use crate::key::SigningKey;
use crate::params::SignatureParams;
use crate::sfv;

/// Signs requests with one key.
///
/// # Examples
/// ```
/// use lift_signing::{Component, Secret, Signer, SigningKey};
///
/// let signer = Signer::new("payments-2026", SigningKey::HmacSha256(Secret::new(b"shared")))
///     .covering(vec![Component::Method, Component::Authority, Component::Path]);
/// let mut request = http::Request::post("https://ledger.internal/entries").body(()).unwrap();
/// signer.sign(&mut request, None, 1_764_000_000).unwrap();
/// let input = request.headers()["signature-input"].to_str().unwrap();
/// assert!(input.starts_with(r#"sig1=("@method" "@authority" "@path");created=1764000000;"#));
/// assert!(request.headers().contains_key("signature"));
/// ```
#[derive(Debug, Clone)]
pub struct Signer {
    keyid: String,
    key: SigningKey,
    label: String,
    components: Vec<Component>,
    validity: Option<Duration>,
    nonce: bool,
    tag: Option<String>,
}

impl Signer {
    /// Signs as `keyid` with `key`, label `sig1`, covering `@method`, `@authority`, `@path`,
    /// `@query` and — when there is a body — `content-digest`; `created` always, a fresh
    /// `nonce`, `expires` five minutes on.
    pub fn new(keyid: &str, key: SigningKey) -> Self {
        Self {
            keyid: keyid.to_owned(),
            key,
            label: "sig1".to_owned(),
            components: vec![
                Component::Method,
                Component::Authority,
                Component::Path,
                Component::Query,
            ],
            validity: Some(Duration::from_secs(300)),
            nonce: true,
            tag: None,
        }
    }

    /// The label the signature goes under (default `sig1`).
    pub fn label(mut self, label: &str) -> Self {
        self.label = label.to_owned();
        self
    }

    /// The components covered (`content-digest` is added when signing a body).
    pub fn covering(mut self, components: Vec<Component>) -> Self {
        self.components = components;
        self
    }

    /// `expires` this long after `created` (`None`: no `expires`).
    pub fn expires_after(mut self, validity: Option<Duration>) -> Self {
        self.validity = validity;
        self
    }

    /// Whether a fresh `nonce` goes into every signature (default yes).
    pub fn with_nonce(mut self, on: bool) -> Self {
        self.nonce = on;
        self
    }

    /// A `tag` naming what the signature is for.
    pub fn tag(mut self, tag: &str) -> Self {
        self.tag = Some(tag.to_owned());
        self
    }

    /// The parameters of a signature made at `now` (Unix seconds), for a message with or
    /// without a body.
    pub fn params(&self, with_body: bool, now: u64) -> SignatureParams {
        let mut components = Vec::with_capacity(self.components.len() + 1);
        components.extend_from_slice(&self.components);
        if with_body && !components.iter().any(|c| c.name() == "content-digest") {
            components.push(Component::field("content-digest"));
        }
        let mut params = SignatureParams::new(components).created(now);
        if let Some(validity) = self.validity {
            params = params.expires(now.saturating_add(validity.as_secs()));
        }
        if self.nonce {
            params = params.nonce(&format!("{:032x}", fastrand::u128(..)));
        }
        params = params.alg(self.key.alg()).keyid(&self.keyid);
        if let Some(tag) = &self.tag {
            params = params.tag(tag);
        }
        params
    }

    /// The `Signature-Input` and `Signature` members for `message` signed with `params`.
    pub fn signature_fields(
        &self,
        message: &impl Message,
        params: &SignatureParams,
    ) -> Result<(String, String), SignatureError> {
        let mut input_member = String::with_capacity(self.label.len() + 200);
        input_member.push_str(&self.label);
        input_member.push('=');
        params.write_serialized(&mut input_member);
        let serialized = &input_member[self.label.len() + 1..];
        let signature = match &self.key {
            SigningKey::HmacSha256(secret) => {
                let mut mac = secret.mac();
                params.write_base(serialized, message, &mut mac)?;
                let mut member = String::with_capacity(self.label.len() + 48);
                push_member(
                    &mut member,
                    &self.label,
                    &hmac::Mac::finalize(mac).into_bytes(),
                );
                member
            }
            SigningKey::Ed25519(_) | SigningKey::EcdsaP256(_) => {
                let mut base = String::with_capacity(512);
                params.write_base(serialized, message, &mut base)?;
                let mut member = String::with_capacity(self.label.len() + 92);
                push_member(&mut member, &self.label, &self.key.sign(base.as_bytes()));
                member
            }
        };
        Ok((input_member, signature))
    }

    /// Signs `message` — a request, or a response (whose signer covers `@status` rather than
    /// the request's components) — at `now` (Unix seconds): sets `Content-Digest` for `body`
    /// (when given), then adds the signature to `Signature-Input` and `Signature`.
    pub fn sign(
        &self,
        message: &mut impl MessageMut,
        body: Option<&[u8]>,
        now: u64,
    ) -> Result<(), SignatureError> {
        if !sfv::is_key(&self.label) {
            return Err(SignatureError::Malformed("a label must be a lowercase key"));
        }
        if !sfv::is_string(&self.keyid) || self.tag.as_deref().is_some_and(|t| !sfv::is_string(t)) {
            return Err(SignatureError::Malformed(
                "a key id or tag must be printable ASCII",
            ));
        }
        // Room for the three fields added, at once.
        message.headers_mut().reserve(3);
        if let Some(body) = body {
            let digest = HeaderValue::try_from(content_digest(body))
                .map_err(|_| SignatureError::Malformed("a digest is not a header value"))?;
            message.headers_mut().insert("content-digest", digest);
        }
        let params = self.params(body.is_some(), now);
        let (input, signature) = match self.signature_fields(message, &params) {
            Ok(fields) => fields,
            Err(e) => {
                // Nothing half-done stays on the message.
                if body.is_some() {
                    message.headers_mut().remove("content-digest");
                }
                return Err(e);
            }
        };
        for (name, member) in [("signature-input", input), ("signature", signature)] {
            // The header takes the string's buffer: no copy.
            let value = HeaderValue::try_from(member)
                .map_err(|_| SignatureError::Malformed("a signature is not a header value"))?;
            message.headers_mut().append(name, value);
        }
        Ok(())
    }
}

/// Appends a `Signature` member: `label=:<base64>:`.
fn push_member(out: &mut String, label: &str, signature: &[u8]) {
    out.push_str(label);
    out.push_str("=:");
    STANDARD.encode_string(signature, out);
    out.push(':');
}
