//! Every error type of the crate, in one place: what a call to CloudWatch Logs returned
//! ([`ApiError`]), and what stops a sink from starting ([`BuildError`] and the
//! configuration, name, template and SDK errors it carries).

use std::time::Duration;

use crate::limits::RETENTION_DAYS;

/// What went wrong with one call, independent of the transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// `ResourceNotFoundException`: the group or the stream does not exist.
    ResourceNotFound,
    /// `ResourceAlreadyExistsException` (from a create call).
    ResourceAlreadyExists,
    /// Throttled: `ThrottlingException`, `RequestLimitExceeded`, HTTP 429.
    Throttled,
    /// The service failed: `ServiceUnavailableException`, `InternalFailure`, any 5xx.
    ServiceFailure,
    /// No reply in time; the server may or may not have committed the call.
    Timeout,
    /// The connection failed or broke (refused, reset, DNS): nothing may have arrived, or
    /// the reply was lost after the server committed.
    Connection,
    /// `InvalidParameterException` and other 4xx validation errors: the request broke a rule.
    InvalidRequest,
    /// Credentials or permissions: `AccessDenied`, `UnrecognizedClient`, `ExpiredToken`.
    AccessDenied,
    /// `LimitExceededException` (for example too many log groups). Not throttling.
    LimitExceeded,
    /// Anything else.
    Other,
}

/// One failed call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error("{operation} failed ({kind:?}{code}): {message}", code = self.code.as_deref().map(|c| format!(", {c}")).unwrap_or_default())]
pub struct ApiError {
    /// What kind of failure.
    kind: ApiErrorKind,
    /// The call (`PutLogEvents`, `CreateLogStream`, …).
    operation: &'static str,
    /// The service's error code, when there was one.
    code: Option<String>,
    /// A description without payload.
    message: String,
    /// A server-requested delay before retrying (`x-amz-retry-after`), when given.
    retry_after: Option<Duration>,
}

impl ApiError {
    /// An error of `kind` from `operation`.
    pub fn new(kind: ApiErrorKind, operation: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            operation,
            code: None,
            message: message.into(),
            retry_after: None,
        }
    }

    /// The same error with the service's error code.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// What kind of failure.
    pub fn kind(&self) -> ApiErrorKind {
        self.kind
    }

    /// The call (`PutLogEvents`, `CreateLogStream`, …).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The service's error code, when there was one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// A description without payload.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A server-requested delay before retrying (`x-amz-retry-after`), when given.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The same error with a server-requested retry delay.
    pub fn with_retry_after(mut self, delay: Duration) -> Self {
        self.retry_after = Some(delay);
        self
    }
}

/// A log group or stream name that CloudWatch would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// The name is empty.
    #[error("{kind} name must not be empty")]
    Empty {
        /// `log group` or `log stream`.
        kind: &'static str,
    },
    /// The name is longer than CloudWatch allows.
    #[error("{kind} name is {chars} characters long; the limit is {max}")]
    TooLong {
        /// `log group` or `log stream`.
        kind: &'static str,
        /// The name's length in characters.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// The name contains a character CloudWatch does not accept.
    #[error("{kind} name {name:?} contains {found:?}, which is not allowed ({allowed})")]
    BadCharacter {
        /// `log group` or `log stream`.
        kind: &'static str,
        /// The name (first 64 characters).
        name: String,
        /// The offending character.
        found: char,
        /// What is allowed.
        allowed: &'static str,
    },
    /// The group name starts with `aws/`, which is reserved for AWS services.
    #[error("log group name {name:?} starts with \"aws/\", which is reserved for AWS services")]
    ReservedPrefix {
        /// The name (first 64 characters).
        name: String,
    },
}

/// A template could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// An unknown `{placeholder}`.
    #[error(
        "unknown placeholder {{{0}}} in the log stream template (known: {{date}}, {{hostname}}, {{instance_id}}, {{tenant_id}})"
    )]
    UnknownPlaceholder(String),
    /// A `{` without its `}`.
    #[error("unclosed '{{' in the log stream template {0:?}")]
    Unclosed(String),
    /// The rendered name breaks CloudWatch's rules.
    #[error(transparent)]
    Name(#[from] NameError),
}

/// A configuration value CloudWatch or the sink cannot work with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CloudWatchConfigError {
    /// The log group name is invalid (or missing).
    #[error("log_group: {0}")]
    LogGroup(NameError),
    /// The stream template is invalid.
    #[error("log_stream: {0}")]
    LogStream(TemplateError),
    /// The endpoint URL is not an `http://` or `https://` URL with a host.
    #[error("endpoint_url: {url:?} is not a URL ({reason}); expected e.g. http://127.0.0.1:4566")]
    EndpointUrl {
        /// The value given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The retention is not one CloudWatch allows.
    #[error("retention_days: {0} is not allowed; use one of {RETENTION_DAYS:?}")]
    Retention(u32),
    /// A value is out of its range.
    #[error("{field}: {value} is out of range ({expected})")]
    OutOfRange {
        /// The field.
        field: &'static str,
        /// The value given.
        value: u64,
        /// What is accepted.
        expected: &'static str,
    },
}

/// The SDK client could not be configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SdkConfigError {
    /// No region was configured and no endpoint URL either.
    #[error(
        "no AWS region configured: set AWS_REGION (or AWS_DEFAULT_REGION, a profile, or the region option)"
    )]
    NoRegion,
}

/// The sink could not be started.
///
/// The message names the cause in full; the cause is not also given as
/// [`source`](std::error::Error::source), so printing the chain does not say it twice.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The configuration is invalid.
    #[error("invalid CloudWatch configuration: {0}")]
    Config(CloudWatchConfigError),
    /// The AWS SDK client could not be configured.
    #[error("AWS SDK configuration: {0}")]
    Sdk(SdkConfigError),
    /// `build` was called outside a tokio runtime (use `build_blocking`).
    #[error("CloudWatchSinkBuilder::build needs a tokio runtime; use build_blocking outside one")]
    NoRuntime,
    /// The shipper's thread or runtime could not be started.
    #[error("could not start the shipper thread: {0}")]
    Thread(#[source] std::io::Error),
}

impl From<CloudWatchConfigError> for BuildError {
    fn from(e: CloudWatchConfigError) -> Self {
        Self::Config(e)
    }
}

impl From<SdkConfigError> for BuildError {
    fn from(e: SdkConfigError) -> Self {
        Self::Sdk(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_display_names_operation_kind_and_code() {
        let e = ApiError::new(ApiErrorKind::Throttled, "PutLogEvents", "rate exceeded")
            .with_code("ThrottlingException");
        assert_eq!(
            e.to_string(),
            "PutLogEvents failed (Throttled, ThrottlingException): rate exceeded"
        );
    }
}
