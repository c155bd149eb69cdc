//! [`LiftError`]: what a handler returns when it fails, mapped to an HTTP status.
//!
//! The message is meant for the caller (it goes into the response body and the log), so
//! construct it without secrets; the optional source is logged as an error chain but never
//! sent back. Unlike the Go original, failures are logged with their real status and a
//! real, safe description — never status 200, never a blanket `[SANITIZED_ERROR]`.

use std::fmt;

/// The category of a failure; each has an HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 400: the request is malformed.
    BadRequest,
    /// 401: no valid credentials.
    Unauthorized,
    /// 403: not allowed.
    Forbidden,
    /// 404: no such resource.
    NotFound,
    /// 409: conflicts with the current state.
    Conflict,
    /// 422: well-formed but invalid.
    Unprocessable,
    /// 429: too many requests.
    TooManyRequests,
    /// 500: a bug or an unexpected failure.
    Internal,
    /// 500: the handler panicked.
    Panic,
    /// 503: a dependency is unavailable.
    Unavailable,
    /// 504: the invocation ran out of time.
    Timeout,
}

impl ErrorKind {
    /// The HTTP status.
    pub const fn status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Conflict => 409,
            Self::Unprocessable => 422,
            Self::TooManyRequests => 429,
            Self::Internal | Self::Panic => 500,
            Self::Unavailable => 503,
            Self::Timeout => 504,
        }
    }

    /// A stable snake_case name for logs and response bodies.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::Unprocessable => "unprocessable",
            Self::TooManyRequests => "too_many_requests",
            Self::Internal => "internal",
            Self::Panic => "panic",
            Self::Unavailable => "unavailable",
            Self::Timeout => "timeout",
        }
    }
}

/// A handler's failure.
#[derive(Debug)]
pub struct LiftError {
    kind: ErrorKind,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    headers: Vec<(http::HeaderName, http::HeaderValue)>,
}

impl fmt::Display for LiftError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LiftError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl LiftError {
    /// An error of `kind` with a caller-safe `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
            headers: Vec::new(),
        }
    }

    /// 400.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    /// 429 (see [`with_header`](Self::with_header) for `Retry-After`).
    pub fn too_many_requests(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::TooManyRequests, message)
    }

    /// 500.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    /// 503.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unavailable, message)
    }

    /// The same error, recording `source` (logged, never returned to the caller).
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The same error, answered with `name: value` as a response header (`Retry-After` on a
    /// 429, `WWW-Authenticate` on a 401); a later value for the same name is added beside it.
    pub fn with_header(mut self, name: http::HeaderName, value: http::HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The headers the response carries besides `content-type`, in the order given.
    pub fn headers(&self) -> &[(http::HeaderName, http::HeaderValue)] {
        &self.headers
    }

    /// What kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.kind.status()
    }

    /// The caller-safe message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The JSON body sent back for this error. Its message goes through Lift's built-in
    /// redaction like a log line: a message that echoes a request (`invalid type: integer
    /// `4111111111111111``) never sends a card number or a secret back to a client.
    pub fn to_body(&self) -> String {
        let message = lift_observability::Redactor::builtin().redact(&self.message);
        serde_json::json!({
            "error": self.kind.as_str(),
            "message": if self.kind == ErrorKind::Panic { "internal error" } else { &message },
        })
        .to_string()
    }
}

/// Why a function could not start. In Lambda it is posted to `/runtime/init/error` with
/// [`StartupError::error_type`] as `errorType`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartupError {
    /// A setting (an environment variable) has a value Lift cannot use.
    #[error("{name}={value:?} is not valid: {expected}")]
    InvalidSetting {
        /// The setting's name (`LIFT_METRICS_DIMENSIONS`).
        name: &'static str,
        /// The value found.
        value: String,
        /// What it may be.
        expected: String,
    },
}

impl StartupError {
    /// The `errorType` Lambda is told.
    pub fn error_type(&self) -> &'static str {
        match self {
            StartupError::InvalidSetting { .. } => "Lift.InvalidSetting",
        }
    }
}

/// A handler's panic, as the source of the 500 it becomes: the response says only "internal
/// error" (a panic message is the developer's, not the caller's); the log gets this text.
#[derive(Debug, thiserror::Error)]
#[error("handler panicked: {0}")]
pub struct PanicError(String);

impl PanicError {
    /// The panic's text.
    pub fn message(&self) -> &str {
        &self.0
    }
}

/// A 500 for a panic with `payload` (a `&str` or `String` payload is kept as text).
pub(crate) fn from_panic(payload: &(dyn std::any::Any + Send)) -> LiftError {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".to_owned());
    LiftError::new(ErrorKind::Panic, "internal error").with_source(PanicError(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_500_without_leaking_the_message() {
        let e = from_panic(&"index out of bounds");
        assert_eq!(e.status(), 500);
        assert_eq!(
            e.to_body(),
            r#"{"error":"panic","message":"internal error"}"#
        );
        let source = std::error::Error::source(&e).unwrap().to_string();
        assert_eq!(source, "handler panicked: index out of bounds");
        let owned = from_panic(&String::from("boom"));
        assert!(
            std::error::Error::source(&owned)
                .unwrap()
                .to_string()
                .ends_with("boom")
        );
    }

    #[test]
    fn kinds_map_to_statuses_and_bodies() {
        let e = LiftError::bad_request("amount must be positive");
        assert_eq!(e.status(), 400);
        assert_eq!(
            e.to_body(),
            r#"{"error":"bad_request","message":"amount must be positive"}"#
        );
        assert_eq!(LiftError::not_found("x").status(), 404);
        let echoed = LiftError::bad_request(
            "malformed body: invalid type: integer `4111111111111111`, expected a string; password=hunter2",
        );
        assert_eq!(
            echoed.to_body(),
            r#"{"error":"bad_request","message":"malformed body: invalid type: integer `411111******1111`, expected a string; password=[REDACTED]"}"#
        );
        assert_eq!(ErrorKind::Timeout.status(), 504);
    }

    #[test]
    fn headers_of_an_error_reach_its_response() {
        let e = LiftError::too_many_requests("slow down")
            .with_header(http::header::RETRY_AFTER, http::HeaderValue::from(7u64))
            .with_header(
                http::HeaderName::from_static("ratelimit"),
                http::HeaderValue::from_static("\"a\";r=0;t=7"),
            );
        let response = crate::lambda::error_response(&e);
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()["retry-after"], "7");
        assert_eq!(response.headers()["ratelimit"], "\"a\";r=0;t=7");
        assert_eq!(response.headers()["content-type"], "application/json");
    }
}

/// A tenant header that names another tenant than a verified source (Lambda's tenant id or
/// an authorizer claim): a client asking for someone else's data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the tenant header names {header:?} but the verified tenant is {verified:?}")]
pub struct TenantConflict {
    /// The tenant the verified source names (the one the invocation runs as).
    pub verified: String,
    /// The tenant the header names.
    pub header: String,
}
