//! What a signature covers: [`Component`]s — derived components (`@method`, `@target-uri`,
//! `@authority`, `@scheme`, `@request-target`, `@path`, `@query`, `@status`) and header
//! fields — and their values in a [`Message`] (RFC 9421 §2).

use http::HeaderMap;

use crate::error::SignatureError;
use crate::sfv::{self, Out};

/// A covered component.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Component {
    /// `@method`: the request method.
    Method,
    /// `@target-uri`: the full target URI.
    TargetUri,
    /// `@authority`: host (and port when not the scheme's default), lowercase.
    Authority,
    /// `@scheme`: `http` or `https`.
    Scheme,
    /// `@request-target`: path and query as sent.
    RequestTarget,
    /// `@path`: the path (`/` when empty).
    Path,
    /// `@query`: `?` and the query (`?` alone when there is none).
    Query,
    /// `@status`: a response's status code.
    Status,
    /// A header field, by its lowercase name (values joined with `, `).
    Field(String),
}

impl Component {
    /// A header field (the name is lowercased).
    pub fn field(name: &str) -> Self {
        Component::Field(name.to_ascii_lowercase())
    }

    /// The component's name as it appears in the signature base (`@method`, `content-type`).
    pub fn name(&self) -> &str {
        match self {
            Component::Method => "@method",
            Component::TargetUri => "@target-uri",
            Component::Authority => "@authority",
            Component::Scheme => "@scheme",
            Component::RequestTarget => "@request-target",
            Component::Path => "@path",
            Component::Query => "@query",
            Component::Status => "@status",
            Component::Field(name) => name,
        }
    }

    /// The component named `name` (a derived component or a header field).
    pub fn parse(name: &str) -> Result<Self, SignatureError> {
        Self::check_name(name)?;
        Ok(Self::derived(name).unwrap_or_else(|| Component::Field(name.to_owned())))
    }

    /// The derived component (RFC 9421 §2.2) named `name`, if Lift supports it (made without
    /// allocating: derived components carry no data).
    fn derived(name: &str) -> Option<Self> {
        Some(match name {
            "@method" => Component::Method,
            "@target-uri" => Component::TargetUri,
            "@authority" => Component::Authority,
            "@scheme" => Component::Scheme,
            "@request-target" => Component::RequestTarget,
            "@path" => Component::Path,
            "@query" => Component::Query,
            "@status" => Component::Status,
            _ => return None,
        })
    }

    /// Whether `name` names a supported component: a derived one Lift knows, or a lowercase
    /// header field name.
    pub(crate) fn check_name(name: &str) -> Result<(), SignatureError> {
        let field = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b));
        if Self::derived(name).is_some() || field {
            Ok(())
        } else {
            Err(SignatureError::UnsupportedComponent(name.to_owned()))
        }
    }
}

/// An HTTP message a signature can cover: a request or a response.
pub trait Message {
    /// The request method (`None` for a response).
    fn method(&self) -> Option<&str>;
    /// The request's URI (`None` for a response).
    fn uri(&self) -> Option<&http::Uri>;
    /// The response status (`None` for a request).
    fn status(&self) -> Option<u16>;
    /// The header fields.
    fn headers(&self) -> &HeaderMap;
}

/// A message a signature can be added to: its header fields, writable.
pub trait MessageMut: Message {
    /// The header fields, to add the signature's.
    fn headers_mut(&mut self) -> &mut HeaderMap;
}

impl<B> MessageMut for http::Request<B> {
    fn headers_mut(&mut self) -> &mut HeaderMap {
        self.headers_mut()
    }
}

impl<B> MessageMut for http::Response<B> {
    fn headers_mut(&mut self) -> &mut HeaderMap {
        self.headers_mut()
    }
}

impl<B> Message for http::Request<B> {
    fn method(&self) -> Option<&str> {
        Some(self.method().as_str())
    }
    fn uri(&self) -> Option<&http::Uri> {
        Some(self.uri())
    }
    fn status(&self) -> Option<u16> {
        None
    }
    fn headers(&self) -> &HeaderMap {
        self.headers()
    }
}

impl<B> Message for http::Response<B> {
    fn method(&self) -> Option<&str> {
        None
    }
    fn uri(&self) -> Option<&http::Uri> {
        None
    }
    fn status(&self) -> Option<u16> {
        Some(self.status().as_u16())
    }
    fn headers(&self) -> &HeaderMap {
        self.headers()
    }
}

fn missing(name: &str) -> SignatureError {
    SignatureError::MissingComponent(name.to_owned())
}

/// The scheme: the URI's, else `https` (a server behind TLS termination sees origin-form
/// URIs); written lowercase.
fn scheme(uri: &http::Uri) -> &str {
    uri.scheme_str().unwrap_or("https")
}

/// Writes `s` in lowercase, without copying it first.
fn put_lowercase(out: &mut impl Out, s: &str) {
    if !s.bytes().any(|b| b.is_ascii_uppercase()) {
        return out.put(s);
    }
    let mut buf = [0u8; 64];
    for chunk in s.as_bytes().chunks(buf.len()) {
        let lower = &mut buf[..chunk.len()];
        lower.copy_from_slice(chunk);
        lower.make_ascii_lowercase();
        // Lowercasing ASCII letters keeps the text valid UTF-8 (chunks are cut on ASCII
        // text: an authority or a scheme is ASCII).
        out.put(std::str::from_utf8(lower).unwrap_or_default());
    }
}

/// The authority: the URI's, else the `Host` header; without the scheme's default port
/// (written lowercase).
fn authority<'m>(message: &'m impl Message, uri: &'m http::Uri) -> Option<&'m str> {
    let raw = match uri.authority() {
        Some(a) => a.as_str(),
        None => message
            .headers()
            .get(http::header::HOST)?
            .to_str()
            .ok()?
            .trim(),
    };
    let default = if scheme(uri).eq_ignore_ascii_case("http") {
        ":80"
    } else {
        ":443"
    };
    let cut = raw.len().saturating_sub(default.len());
    Some(match raw.get(cut..) {
        Some(port) if port == default => &raw[..cut],
        _ => raw,
    })
}

/// Appends the value of the component named `name` (checked by
/// [`Component::check_name`]) in `message` to `out`.
pub(crate) fn write_value(
    message: &impl Message,
    name: &str,
    out: &mut impl Out,
) -> Result<(), SignatureError> {
    let uri = || message.uri().ok_or_else(|| missing(name));
    let Some(derived) = Component::derived(name) else {
        let mut values = message.headers().get_all(name).iter().peekable();
        if values.peek().is_none() {
            return Err(missing(name));
        }
        for (i, v) in values.enumerate() {
            let text = v
                .to_str()
                .map_err(|_| SignatureError::Malformed("a covered header is not visible ASCII"))?;
            if i > 0 {
                out.put(", ");
            }
            out.put(text.trim_matches(|c| c == ' ' || c == '\t'));
        }
        return Ok(());
    };
    match derived {
        Component::Method => out.put(message.method().ok_or_else(|| missing(name))?),
        Component::Scheme => put_lowercase(out, scheme(uri()?)),
        Component::Authority => {
            let uri = uri()?;
            put_lowercase(out, authority(message, uri).ok_or_else(|| missing(name))?);
        }
        Component::TargetUri => {
            let uri = uri()?;
            let authority = authority(message, uri).ok_or_else(|| missing(name))?;
            put_lowercase(out, scheme(uri));
            out.put("://");
            put_lowercase(out, authority);
            out.put(uri.path_and_query().map_or("/", |p| p.as_str()));
        }
        Component::RequestTarget => {
            out.put(uri()?.path_and_query().map_or("/", |p| p.as_str()));
        }
        Component::Path => match uri()?.path() {
            "" => out.put("/"),
            path => out.put(path),
        },
        Component::Query => {
            out.put("?");
            out.put(uri()?.query().unwrap_or_default());
        }
        Component::Status => {
            let status = message.status().ok_or_else(|| missing(name))?;
            sfv::put_integer(out, i64::from(status));
        }
        // Not a derived component: read as a header field above.
        Component::Field(_) => return Err(missing(name)),
    }
    Ok(())
}
