//! [`SdkLogsApi`]: [`LogsApi`] over the real `aws-sdk-cloudwatchlogs` client.
//!
//! Configured from `aws-config` (region and credentials chain; `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`
//! and `AWS_ENDPOINT_URL` are honoured by the SDK itself), with an optional explicit endpoint
//! URL that wins — so the same code talks to AWS or to a local emulator.
//!
//! The SDK's own retry loop is switched off: retrying is the shipper's job, driven by
//! [`crate::classify`] (the SDK would, for example, retry `LimitExceededException` on
//! `CreateLogGroup` as if it were throttling). Each attempt has a timeout so a hung
//! connection becomes an [`ApiErrorKind::Timeout`] rather than a stuck shipper. The SDK
//! reports its diagnostics through `tracing`; nothing here forwards them into Lift's log
//! pipeline (that would feed CloudWatch errors back into CloudWatch). The `PutLogEvents`
//! body is written by `put_body` from the batch and replaces the SDK's serialisation before
//! signing; everything else about the call (endpoint, signing, errors) is the SDK's.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::config::retry::RetryConfig;
use aws_sdk_cloudwatchlogs::config::timeout::TimeoutConfig;
use aws_sdk_cloudwatchlogs::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::body::SdkBody;
use bytes::Bytes;

use crate::api::{ApiError, ApiErrorKind, ApiFuture, LogsApi, PutOutcome, RejectedEvents};
use crate::packer::LogEvent;
use crate::put_body::put_log_events_body;

/// The region used when none is configured anywhere but an endpoint URL is (emulators
/// accept any region).
pub const EMULATOR_FALLBACK_REGION: &str = "us-east-1";
/// How long one call attempt may take before it counts as a timeout.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long connecting may take.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Where and how to reach CloudWatch Logs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SdkSettings {
    /// An explicit endpoint URL (wins over the environment).
    pub endpoint_url: Option<String>,
    /// An explicit region (wins over the environment).
    pub region: Option<String>,
    /// Send `x-amzn-logs-format: json/emf` with every `PutLogEvents` call, so CloudWatch
    /// extracts metrics from the EMF documents in the batch.
    pub emf: bool,
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

/// [`LogsApi`] for the real AWS SDK client.
#[derive(Debug, Clone)]
pub struct SdkLogsApi {
    client: Client,
    emf: bool,
}

/// The header that tells CloudWatch Logs a batch holds EMF documents.
pub const LOGS_FORMAT_HEADER: &str = "x-amzn-logs-format";
/// Its value for EMF.
pub const EMF_FORMAT: &str = "json/emf";

impl SdkLogsApi {
    /// Loads the AWS configuration (environment, profile, instance metadata) and builds the
    /// client, applying `settings` on top.
    pub async fn load(settings: &SdkSettings) -> Result<Self, SdkConfigError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = &settings.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        let shared = loader.load().await;
        let mut builder =
            Self::shipping_settings(aws_sdk_cloudwatchlogs::config::Builder::from(&shared));
        if let Some(url) = &settings.endpoint_url {
            builder = builder.endpoint_url(url);
        }
        if shared.region().is_none() {
            let has_endpoint = settings.endpoint_url.is_some()
                || std::env::var_os("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS").is_some()
                || std::env::var_os("AWS_ENDPOINT_URL").is_some();
            if !has_endpoint {
                return Err(SdkConfigError::NoRegion);
            }
            builder = builder.region(aws_config::Region::new(EMULATOR_FALLBACK_REGION));
        }
        Ok(Self {
            client: Client::from_conf(builder.build()),
            emf: settings.emf,
        })
    }

    /// Builds the client from an SDK config builder the caller prepared (credentials,
    /// region, endpoint), switching the SDK's own retries off and setting per-attempt
    /// timeouts as [`load`](Self::load) does.
    pub fn from_config_builder(builder: aws_sdk_cloudwatchlogs::config::Builder) -> Self {
        Self {
            client: Client::from_conf(Self::shipping_settings(builder).build()),
            emf: false,
        }
    }

    fn shipping_settings(
        builder: aws_sdk_cloudwatchlogs::config::Builder,
    ) -> aws_sdk_cloudwatchlogs::config::Builder {
        builder
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(DEFAULT_CONNECT_TIMEOUT)
                    .operation_attempt_timeout(DEFAULT_ATTEMPT_TIMEOUT)
                    .build(),
            )
    }

    /// Wraps an already configured client (its retry settings are left as they are).
    pub fn from_client(client: Client) -> Self {
        Self { client, emf: false }
    }

    /// Sends `x-amzn-logs-format: json/emf` with every `PutLogEvents` call (or not).
    pub fn with_emf(mut self, emf: bool) -> Self {
        self.emf = emf;
        self
    }

    /// The underlying client (for reading back events in tests and tools).
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl LogsApi for SdkLogsApi {
    fn put_log_events<'a>(
        &'a self,
        group: &'a str,
        stream: &'a str,
        events: &'a [LogEvent],
    ) -> ApiFuture<'a, PutOutcome> {
        Box::pin(async move {
            // The body is written here from the batch (see `put_body`); the SDK's own
            // input carries no events and its serialisation is replaced before signing, so
            // the signature covers these bytes.
            let body = Bytes::from(put_log_events_body(group, stream, events));
            let length = body.len().to_string();
            let emf = self.emf;
            let sent = self
                .client
                .put_log_events()
                .log_group_name(group)
                .log_stream_name(stream)
                .set_log_events(Some(Vec::new()))
                .customize()
                .mutate_request(move |request| {
                    let headers = request.headers_mut();
                    headers.insert(CONTENT_LENGTH, length.clone());
                    if emf {
                        headers.insert(LOGS_FORMAT_HEADER, EMF_FORMAT);
                    }
                    *request.body_mut() = SdkBody::from(body.clone());
                })
                .send()
                .await;
            let out = sent.map_err(|e| to_api_error(PUT, e))?;
            let rejected = out
                .rejected_log_events_info()
                .map(|r| RejectedEvents {
                    too_new_start: r.too_new_log_event_start_index().map(index),
                    too_old_end: r.too_old_log_event_end_index().map(index),
                    expired_end: r.expired_log_event_end_index().map(index),
                })
                .unwrap_or_default();
            Ok(PutOutcome { rejected })
        })
    }

    fn create_log_group<'a>(&'a self, group: &'a str) -> ApiFuture<'a, ()> {
        Box::pin(async move {
            self.client
                .create_log_group()
                .log_group_name(group)
                .send()
                .await
                .map(drop)
                .map_err(|e| to_api_error("CreateLogGroup", e))
        })
    }

    fn create_log_stream<'a>(&'a self, group: &'a str, stream: &'a str) -> ApiFuture<'a, ()> {
        Box::pin(async move {
            self.client
                .create_log_stream()
                .log_group_name(group)
                .log_stream_name(stream)
                .send()
                .await
                .map(drop)
                .map_err(|e| to_api_error("CreateLogStream", e))
        })
    }

    fn put_retention_policy<'a>(&'a self, group: &'a str, days: u32) -> ApiFuture<'a, ()> {
        Box::pin(async move {
            self.client
                .put_retention_policy()
                .log_group_name(group)
                .retention_in_days(i32::try_from(days).unwrap_or(i32::MAX))
                .send()
                .await
                .map(drop)
                .map_err(|e| to_api_error("PutRetentionPolicy", e))
        })
    }
}

const PUT: &str = "PutLogEvents";
/// The header carrying the length of the body written in place of the SDK's.
const CONTENT_LENGTH: &str = "content-length";

fn index(i: i32) -> usize {
    usize::try_from(i).unwrap_or(0)
}

/// Maps the SDK's error to a transport-neutral one, by error code and HTTP status.
fn to_api_error<E>(
    operation: &'static str,
    error: SdkError<E, aws_sdk_cloudwatchlogs::config::http::HttpResponse>,
) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match &error {
        SdkError::TimeoutError(_) => {
            ApiError::new(ApiErrorKind::Timeout, operation, "the call timed out")
        }
        SdkError::DispatchFailure(d) => {
            let kind = if d.is_timeout() {
                ApiErrorKind::Timeout
            } else if d.is_user() {
                ApiErrorKind::InvalidRequest
            } else {
                ApiErrorKind::Connection
            };
            ApiError::new(
                kind,
                operation,
                format!("dispatch failed: {}", chain(&error)),
            )
        }
        SdkError::ConstructionFailure(_) => ApiError::new(
            ApiErrorKind::InvalidRequest,
            operation,
            format!("request could not be built: {}", chain(&error)),
        ),
        SdkError::ResponseError(r) => {
            let status = r.raw().status().as_u16();
            ApiError::new(
                kind_for(None, status),
                operation,
                format!("unreadable response (HTTP {status})"),
            )
        }
        SdkError::ServiceError(s) => {
            let status = s.raw().status().as_u16();
            let code = s.err().code().map(str::to_owned);
            let mut api = ApiError::new(
                kind_for(code.as_deref(), status),
                operation,
                s.err()
                    .message()
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("HTTP {status}")),
            );
            if let Some(code) = code {
                api = api.with_code(code);
            }
            if let Some(after) = s
                .raw()
                .headers()
                .get("x-amz-retry-after")
                .and_then(|v| v.parse::<u64>().ok())
            {
                api = api.with_retry_after(Duration::from_millis(after));
            }
            api
        }
        _ => ApiError::new(ApiErrorKind::Other, operation, chain(&error)),
    }
}

/// The error kind for a service error code and HTTP status (AWS-FACTS.md's table).
pub(crate) fn kind_for(code: Option<&str>, status: u16) -> ApiErrorKind {
    match code {
        Some("ResourceNotFoundException") => ApiErrorKind::ResourceNotFound,
        Some("ResourceAlreadyExistsException") => ApiErrorKind::ResourceAlreadyExists,
        Some(
            "ThrottlingException"
            | "Throttling"
            | "RequestLimitExceeded"
            | "TooManyRequestsException"
            | "RequestThrottled",
        ) => ApiErrorKind::Throttled,
        Some("ServiceUnavailableException" | "InternalFailure" | "ServiceUnavailable") => {
            ApiErrorKind::ServiceFailure
        }
        Some(
            "InvalidParameterException" | "DataAlreadyAcceptedException" | "ValidationException",
        ) => ApiErrorKind::InvalidRequest,
        Some(
            "AccessDeniedException"
            | "AccessDenied"
            | "UnrecognizedClientException"
            | "ExpiredTokenException"
            | "InvalidSignatureException"
            | "IncompleteSignature"
            | "MissingAuthenticationToken",
        ) => ApiErrorKind::AccessDenied,
        Some("LimitExceededException") => ApiErrorKind::LimitExceeded,
        _ => match status {
            429 => ApiErrorKind::Throttled,
            500..=599 => ApiErrorKind::ServiceFailure,
            401 | 403 => ApiErrorKind::AccessDenied,
            400..=499 => ApiErrorKind::InvalidRequest,
            _ => ApiErrorKind::Other,
        },
    }
}

/// The error and its sources, one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_emf_setting_reaches_the_client_wrapper() {
        // Loading makes no network call; an explicit endpoint stands in for a region.
        for emf in [false, true] {
            let settings = SdkSettings {
                endpoint_url: Some("http://127.0.0.1:9".into()),
                region: Some("us-east-1".into()),
                emf,
            };
            let api = SdkLogsApi::load(&settings).await.expect("loads");
            assert_eq!(api.emf, emf);
            assert!(!SdkLogsApi::from_client(api.client().clone()).emf);
            assert!(
                SdkLogsApi::from_client(api.client().clone())
                    .with_emf(true)
                    .emf
            );
        }
    }

    #[test]
    fn codes_map_to_kinds_and_status_is_the_fallback() {
        assert_eq!(
            kind_for(Some("ThrottlingException"), 400),
            ApiErrorKind::Throttled
        );
        assert_eq!(
            kind_for(Some("ResourceNotFoundException"), 400),
            ApiErrorKind::ResourceNotFound
        );
        assert_eq!(
            kind_for(Some("LimitExceededException"), 400),
            ApiErrorKind::LimitExceeded
        );
        assert_eq!(
            kind_for(Some("ExpiredTokenException"), 400),
            ApiErrorKind::AccessDenied
        );
        assert_eq!(kind_for(None, 503), ApiErrorKind::ServiceFailure);
        assert_eq!(kind_for(Some("Weird"), 429), ApiErrorKind::Throttled);
        assert_eq!(kind_for(None, 404), ApiErrorKind::InvalidRequest);
        assert_eq!(kind_for(None, 200), ApiErrorKind::Other);
    }
}
