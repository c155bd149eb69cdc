//! What a signature covers: [`Component`]s — derived components (`@method`, `@target-uri`,
//! `@authority`, `@scheme`, `@request-target`, `@path`, `@query`, `@status`) and header
//! fields — and their values in a [`Message`] (RFC 9421 §2).

use http::HeaderMap;

use crate::error::SignatureError;

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
        Ok(match name {
            "@method" => Component::Method,
            "@target-uri" => Component::TargetUri,
            "@authority" => Component::Authority,
            "@scheme" => Component::Scheme,
            "@request-target" => Component::RequestTarget,
            "@path" => Component::Path,
            "@query" => Component::Query,
            "@status" => Component::Status,
            other if other.starts_with('@') => {
                return Err(SignatureError::UnsupportedComponent(other.to_owned()));
            }
            field
                if !field.is_empty()
                    && field.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b)
                    }) =>
            {
                Component::Field(field.to_owned())
            }
            other => return Err(SignatureError::UnsupportedComponent(other.to_owned())),
        })
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

fn missing(c: &Component) -> SignatureError {
    SignatureError::MissingComponent(c.name().to_owned())
}

/// The scheme: the URI's, else `https` (a server behind TLS termination sees origin-form
/// URIs).
fn scheme(uri: &http::Uri) -> String {
    uri.scheme_str().unwrap_or("https").to_ascii_lowercase()
}

/// The authority: the URI's, else the `Host` header; lowercase, without the scheme's
/// default port.
fn authority(message: &impl Message, uri: &http::Uri) -> Option<String> {
    let raw = match uri.authority() {
        Some(a) => a.as_str().to_owned(),
        None => message
            .headers()
            .get(http::header::HOST)?
            .to_str()
            .ok()?
            .trim()
            .to_owned(),
    };
    let lower = raw.to_ascii_lowercase();
    let default = match scheme(uri).as_str() {
        "http" => ":80",
        _ => ":443",
    };
    Some(lower.strip_suffix(default).unwrap_or(&lower).to_owned())
}

/// Appends the value of `component` in `message` to `out`.
pub(crate) fn write_value(
    message: &impl Message,
    component: &Component,
    out: &mut String,
) -> Result<(), SignatureError> {
    let uri = || message.uri().ok_or_else(|| missing(component));
    match component {
        Component::Method => out.push_str(message.method().ok_or_else(|| missing(component))?),
        Component::Scheme => out.push_str(&scheme(uri()?)),
        Component::Authority => {
            out.push_str(&authority(message, uri()?).ok_or_else(|| missing(component))?);
        }
        Component::TargetUri => {
            let uri = uri()?;
            let authority = authority(message, uri).ok_or_else(|| missing(component))?;
            out.push_str(&scheme(uri));
            out.push_str("://");
            out.push_str(&authority);
            out.push_str(uri.path_and_query().map_or("/", |p| p.as_str()));
        }
        Component::RequestTarget => {
            out.push_str(uri()?.path_and_query().map_or("/", |p| p.as_str()));
        }
        Component::Path => match uri()?.path() {
            "" => out.push('/'),
            path => out.push_str(path),
        },
        Component::Query => {
            out.push('?');
            out.push_str(uri()?.query().unwrap_or_default());
        }
        Component::Status => {
            let status = message.status().ok_or_else(|| missing(component))?;
            out.push_str(&status.to_string());
        }
        Component::Field(name) => {
            let mut values = message.headers().get_all(name.as_str()).iter().peekable();
            if values.peek().is_none() {
                return Err(missing(component));
            }
            for (i, v) in values.enumerate() {
                let text = v.to_str().map_err(|_| {
                    SignatureError::Malformed("a covered header is not visible ASCII")
                })?;
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(text.trim_matches(|c| c == ' ' || c == '\t'));
            }
        }
    }
    Ok(())
}
