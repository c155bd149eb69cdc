//! Signature parameters: the components a signature covers and its `created`, `expires`,
//! `nonce`, `alg`, `keyid` and `tag` — [`SignatureParams`] as a signer builds them,
//! [`SignatureInput`] as a verifier reads them from a `Signature-Input` member — and the
//! signature base built from either (RFC 9421 §2.3, §2.5), written straight into a MAC or
//! a buffer.

use std::borrow::Cow;

use crate::component::{Component, Message, write_value};
use crate::error::SignatureError;
use crate::sfv::{self, Item, Member, Out, Params, Str, Value};

/// A parameter's value as a signer sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Param {
    Integer(i64),
    String(String),
}

/// The components a signature covers and its parameters, in their order, as a signer builds
/// them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureParams {
    components: Vec<Component>,
    params: Vec<(&'static str, Param)>,
}

impl SignatureParams {
    /// Covering `components`, with no parameters yet.
    pub fn new(components: Vec<Component>) -> Self {
        Self {
            components,
            // Room for the six parameters RFC 9421 defines.
            params: Vec::with_capacity(6),
        }
    }

    fn set(mut self, key: &'static str, value: Param) -> Self {
        match self.params.iter_mut().find(|(k, _)| *k == key) {
            Some(existing) => existing.1 = value,
            None => self.params.push((key, value)),
        }
        self
    }

    /// `created`: when the signature was made (Unix seconds).
    pub fn created(self, unix: u64) -> Self {
        self.set("created", Param::Integer(unix.min(MAX_INTEGER) as i64))
    }

    /// `expires`: when it stops being valid (Unix seconds).
    pub fn expires(self, unix: u64) -> Self {
        self.set("expires", Param::Integer(unix.min(MAX_INTEGER) as i64))
    }

    /// `nonce`: a value used once, for replay protection.
    pub fn nonce(self, nonce: &str) -> Self {
        self.set("nonce", Param::String(nonce.to_owned()))
    }

    /// `alg`: the algorithm's name (`hmac-sha256`, `ed25519`).
    pub fn alg(self, alg: &str) -> Self {
        self.set("alg", Param::String(alg.to_owned()))
    }

    /// `keyid`: which key signed.
    pub fn keyid(self, keyid: &str) -> Self {
        self.set("keyid", Param::String(keyid.to_owned()))
    }

    /// `tag`: what the signature is for (an application's own label).
    pub fn tag(self, tag: &str) -> Self {
        self.set("tag", Param::String(tag.to_owned()))
    }

    /// The covered components.
    pub fn components(&self) -> &[Component] {
        &self.components
    }

    /// The serialised inner list: `("@method" "@path");created=1618884473;keyid="k"`.
    pub fn serialize(&self) -> String {
        let mut out = String::with_capacity(160);
        self.write_serialized(&mut out);
        out
    }

    /// Appends the serialised inner list to `out`.
    pub(crate) fn write_serialized(&self, out: &mut String) {
        out.push('(');
        for (i, c) in self.components.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            sfv::write_string(out, c.name());
        }
        out.push(')');
        for (key, value) in &self.params {
            out.push(';');
            out.push_str(key);
            out.push('=');
            match value {
                Param::Integer(n) => sfv::put_integer(out, *n),
                Param::String(s) => sfv::write_string(out, s),
            }
        }
    }

    /// The signature base for `message` (RFC 9421 §2.5): one line per covered component,
    /// then `"@signature-params"`.
    pub fn signature_base(&self, message: &impl Message) -> Result<String, SignatureError> {
        let serialized = self.serialize();
        let mut base = String::with_capacity(512);
        self.write_base(&serialized, message, &mut base)?;
        Ok(base)
    }

    /// Writes the signature base for `message` into `out`, `serialized` being what
    /// [`serialize`](Self::serialize) returns (written as it is: it is canonical).
    pub(crate) fn write_base(
        &self,
        serialized: &str,
        message: &impl Message,
        out: &mut impl Out,
    ) -> Result<(), SignatureError> {
        for (i, component) in self.components.iter().enumerate() {
            Component::check_name(component.name())?;
            if self.components[..i].contains(component) {
                return Err(SignatureError::Malformed("a component is covered twice"));
            }
        }
        write_component_lines(self.components.iter().map(Component::name), message, out)?;
        out.put("\"@signature-params\": ");
        out.put(serialized);
        Ok(())
    }
}

/// Writes one line of the signature base per covered component: `"<name>": <value>`.
fn write_component_lines<'n>(
    names: impl Iterator<Item = &'n str>,
    message: &impl Message,
    out: &mut impl Out,
) -> Result<(), SignatureError> {
    for name in names {
        out.put("\"");
        out.put(name);
        out.put("\": ");
        write_value(message, name, out)?;
        out.put("\n");
    }
    Ok(())
}

/// The largest integer a structured field carries (15 digits).
const MAX_INTEGER: u64 = 999_999_999_999_999;

/// The most components one signature may cover.
const MAX_COMPONENTS: usize = 32;

/// One `Signature-Input` member as received: what the signature covers and its parameters,
/// read in place (checked once, when made; nothing copied).
#[derive(Debug, Clone)]
pub(crate) struct SignatureInput<'a> {
    /// The text the covered names are spans of (offset, length).
    base: &'a str,
    names: [(u16, u16); MAX_COMPONENTS],
    covered: usize,
    params: Params<'a>,
    created: Option<i64>,
    expires: Option<i64>,
    nonce: Option<Str<'a>>,
    alg: Option<Str<'a>>,
    keyid: Option<Str<'a>>,
    tag: Option<Str<'a>>,
    /// Whether the parameters as received are already canonical (then written as they are).
    canonical_params: bool,
}

/// A `Signature-Input` member heard as the field is read: the input being built, or why it
/// cannot be.
pub(crate) struct Hearing<'a> {
    input: SignatureInput<'a>,
    error: Option<SignatureError>,
}

impl<'a> Hearing<'a> {
    /// Ready to hear a member of `field` (the text its names are spans of).
    pub(crate) fn new(field: &'a str) -> Self {
        Self {
            input: SignatureInput {
                base: field,
                names: [(0, 0); MAX_COMPONENTS],
                covered: 0,
                params: Params::default(),
                created: None,
                expires: None,
                nonce: None,
                alg: None,
                keyid: None,
                tag: None,
                canonical_params: true,
            },
            error: None,
        }
    }

    /// The input heard, `member` being the member as the parser returned it.
    pub(crate) fn finish(self, member: Member<'a>) -> Result<SignatureInput<'a>, SignatureError> {
        let Member::InnerList(_, params) = member else {
            return Err(SignatureError::Malformed(
                "a Signature-Input member is not an inner list",
            ));
        };
        if let Some(error) = self.error {
            return Err(error);
        }
        Ok(SignatureInput {
            params,
            ..self.input
        })
    }

    fn fail(&mut self, error: SignatureError) {
        self.error.get_or_insert(error);
    }

    fn item(&mut self, Item { bare, params }: Item<'a>) -> Result<(), SignatureError> {
        let input = &mut self.input;
        let Value::String(name) = bare else {
            return Err(SignatureError::Malformed(
                "a covered component is not a string",
            ));
        };
        // Read as it stands: a supported name has no character a string escapes, and
        // `check_name` refuses one that has.
        let name = name.raw();
        if !params.is_empty() {
            return Err(SignatureError::UnsupportedComponent(format!(
                "{name} with parameters"
            )));
        }
        Component::check_name(name)?;
        if input.names().any(|earlier| earlier == name) {
            return Err(SignatureError::Malformed("a component is covered twice"));
        }
        let Some(slot) = input.names.get_mut(input.covered) else {
            return Err(SignatureError::Malformed(
                "a signature covers more than 32 components",
            ));
        };
        // A name is a span of the field's text (at most 8 KiB: a header's size limit).
        let offset = (name.as_ptr() as usize).wrapping_sub(input.base.as_ptr() as usize);
        let (Ok(offset), Ok(len)) = (u16::try_from(offset), u16::try_from(name.len())) else {
            return Err(SignatureError::Malformed(
                "a Signature-Input member is too long",
            ));
        };
        *slot = (offset, len);
        input.covered += 1;
        Ok(())
    }

    fn param(
        &mut self,
        key: &'a str,
        value: Value<'a>,
        raw: &'a str,
    ) -> Result<(), SignatureError> {
        let input = &mut self.input;
        let mut same = sfv::SameAs::new(raw);
        sfv::write_param(&mut same, key, value);
        input.canonical_params &= same.matched();
        let (integer, string) = match key {
            "created" => (Some(&mut input.created), None),
            "expires" => (Some(&mut input.expires), None),
            "nonce" => (None, Some(&mut input.nonce)),
            "alg" => (None, Some(&mut input.alg)),
            "keyid" => (None, Some(&mut input.keyid)),
            "tag" => (None, Some(&mut input.tag)),
            _ => return Ok(()), // unknown parameters are signed over, not interpreted
        };
        let fits = match (integer, string, value) {
            (Some(slot), _, Value::Integer(n)) if n >= 0 => slot.replace(n).is_none(),
            (_, Some(slot), Value::String(s)) => slot.replace(s).is_none(),
            _ => {
                return Err(SignatureError::Malformed(
                    "a signature parameter has the wrong type",
                ));
            }
        };
        if fits {
            Ok(())
        } else {
            Err(SignatureError::Malformed(
                "a signature parameter is given twice",
            ))
        }
    }
}

impl<'a> sfv::Hear<'a> for Hearing<'a> {
    fn item(&mut self, item: Item<'a>) {
        if self.error.is_none()
            && let Err(e) = Hearing::item(self, item)
        {
            self.fail(e);
        }
    }

    fn param(&mut self, key: &'a str, value: Value<'a>, raw: &'a str) {
        if self.error.is_none()
            && let Err(e) = Hearing::param(self, key, value, raw)
        {
            self.fail(e);
        }
    }
}

impl<'a> SignatureInput<'a> {
    /// Reads a serialised inner list (what [`SignatureParams::serialize`] writes).
    #[cfg(test)]
    pub(crate) fn parse(serialized: &'a str) -> Result<Self, SignatureError> {
        let mut hearing = Hearing::new(serialized);
        let member =
            sfv::parse_member(serialized, &mut hearing).map_err(SignatureError::Malformed)?;
        hearing.finish(member)
    }

    /// The covered components' names, in order.
    pub(crate) fn names(&self) -> impl Iterator<Item = &'a str> + '_ {
        let list = self.base;
        self.names[..self.covered]
            .iter()
            .map(move |&(offset, len)| {
                let start = usize::from(offset);
                list.get(start..start + usize::from(len))
                    .unwrap_or_default()
            })
    }

    /// Whether `component` is covered.
    pub(crate) fn covers(&self, component: &Component) -> bool {
        self.names().any(|name| name == component.name())
    }

    /// `created`, if given.
    pub(crate) fn created(&self) -> Option<i64> {
        self.created
    }

    /// `expires`, if given.
    pub(crate) fn expires(&self) -> Option<i64> {
        self.expires
    }

    /// `nonce`, if given.
    pub(crate) fn nonce(&self) -> Option<Cow<'a, str>> {
        self.nonce.map(Str::text)
    }

    /// `alg`, if given.
    pub(crate) fn alg(&self) -> Option<Cow<'a, str>> {
        self.alg.map(Str::text)
    }

    /// `keyid`, if given.
    pub(crate) fn keyid(&self) -> Option<Cow<'a, str>> {
        self.keyid.map(Str::text)
    }

    /// `tag`, if given.
    pub(crate) fn tag(&self) -> Option<Cow<'a, str>> {
        self.tag.map(Str::text)
    }

    /// Writes the signature base for `message` (RFC 9421 §2.5) into `out`: one line per
    /// covered component, then `"@signature-params"` with the inner list re-serialised.
    pub(crate) fn write_base(
        &self,
        message: &impl Message,
        out: &mut impl Out,
    ) -> Result<(), SignatureError> {
        write_component_lines(self.names(), message, out)?;
        out.put("\"@signature-params\": (");
        for (i, name) in self.names().enumerate() {
            out.put(if i > 0 { " \"" } else { "\"" });
            out.put(name);
            out.put("\"");
        }
        out.put(")");
        if self.canonical_params {
            out.put(self.params.raw());
        } else {
            self.params.write(out);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(serialized: &str) -> String {
        let request = http::Request::post("https://example.com/")
            .body(())
            .unwrap();
        let mut out = String::new();
        SignatureInput::parse(serialized)
            .unwrap()
            .write_base(&request, &mut out)
            .unwrap();
        out
    }

    #[test]
    fn parameters_received_in_another_form_are_signed_over_in_the_canonical_one() {
        let canonical = "\"@method\": POST\n\"@signature-params\": (\"@method\");created=1618884473;keyid=\"k\";flag";
        assert_eq!(
            base(r#"("@method");created=1618884473;keyid="k";flag"#),
            canonical
        );
        for other in [
            r#"("@method");created=01618884473;keyid="k";flag"#,
            r#"("@method"); created=1618884473;keyid="k";flag"#,
            r#"("@method");created=1618884473;keyid="k";flag=?1"#,
            r#"( "@method" );created=1618884473;keyid="k";flag"#,
        ] {
            assert_eq!(base(other), canonical, "{other}");
        }
    }

    #[test]
    fn a_parameter_given_twice_or_of_the_wrong_type_is_refused() {
        for bad in [
            r#"("@method");created=1;created=2"#,
            r#"("@method");keyid=1"#,
            r#"("@method");created="1""#,
            r#"("@method");created=-1"#,
            r#"("@method" "@method")"#,
        ] {
            assert!(SignatureInput::parse(bad).is_err(), "{bad}");
        }
    }
}
