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
//! body is written by `put_body` from the batch ([`PutRequest::body`], usually written while
//! the stream's previous call was in flight) and replaces the SDK's serialisation before
//! signing, with the body's precomputed SHA-256 as the signed payload hash; everything else
//! about the call (endpoint, signing, errors) is the SDK's.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_runtime::auth::PayloadSigningOverride;
use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_cloudwatchlogs::config::retry::RetryConfig;
use aws_sdk_cloudwatchlogs::config::timeout::TimeoutConfig;
use aws_sdk_cloudwatchlogs::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_cloudwatchlogs::error::BoxError;
use aws_sdk_cloudwatchlogs::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::body::SdkBody;

use crate::api::{ApiFuture, LogsApi, PutOutcome, PutRequest, RejectedEvents};
use crate::error::SdkConfigError;
use crate::error::{ApiError, ApiErrorKind};
use crate::put_body::PreparedPut;

/// The region used when none is configured anywhere but an endpoint URL is (emulators
/// accept any region).
pub(crate) const EMULATOR_FALLBACK_REGION: &str = "us-east-1";
/// How long one call attempt may take before it counts as a timeout.
pub(crate) const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long connecting may take.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

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

/// [`LogsApi`] for the real AWS SDK client.
#[derive(Debug, Clone)]
pub struct SdkLogsApi {
    client: Client,
    emf: bool,
    /// The endpoint set explicitly (option or environment), named in connection errors.
    endpoint: Option<String>,
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
        let endpoint = settings
            .endpoint_url
            .clone()
            .or_else(|| std::env::var("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS").ok())
            .or_else(|| shared.endpoint_url().map(str::to_owned));
        Ok(Self {
            client: Client::from_conf(builder.build()),
            emf: settings.emf,
            endpoint,
        })
    }

    /// Builds the client from an SDK config builder the caller prepared (credentials,
    /// region, endpoint), switching the SDK's own retries off and setting per-attempt
    /// timeouts as [`load`](Self::load) does.
    pub fn from_config_builder(builder: aws_sdk_cloudwatchlogs::config::Builder) -> Self {
        Self {
            client: Client::from_conf(Self::shipping_settings(builder).build()),
            emf: false,
            endpoint: None,
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
        Self {
            client,
            emf: false,
            endpoint: None,
        }
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

impl SdkLogsApi {
    /// Sends a prepared `PutLogEvents`: the body written by `put_body` replaces the SDK's
    /// serialisation (its own input carries no events), and the precomputed hash is what
    /// SigV4 signs — the signature covers exactly these bytes.
    async fn send_put(
        &self,
        group: &str,
        stream: &str,
        prepared: &PreparedPut,
    ) -> Result<PutOutcome, ApiError> {
        let body = prepared.body().clone();
        let length = body.len().to_string();
        let emf = self.emf;
        let sent = self
            .client
            .put_log_events()
            .log_group_name(group)
            .log_stream_name(stream)
            .set_log_events(Some(Vec::new()))
            .customize()
            .interceptor(PrecomputedPayloadHash(prepared.payload_sha256().to_owned()))
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
        let out = sent.map_err(|e| to_api_error(PUT, self.endpoint.as_deref(), e))?;
        let rejected = out
            .rejected_log_events_info()
            .map(|r| RejectedEvents {
                too_new_start: r.too_new_log_event_start_index().map(index),
                too_old_end: r.too_old_log_event_end_index().map(index),
                expired_end: r.expired_log_event_end_index().map(index),
            })
            .unwrap_or_default();
        Ok(PutOutcome { rejected })
    }
}

/// Hands SigV4 the body's precomputed SHA-256 instead of letting it hash the body again.
#[derive(Debug)]
struct PrecomputedPayloadHash(String);

impl Intercept for PrecomputedPayloadHash {
    fn name(&self) -> &'static str {
        "PrecomputedPayloadHash"
    }

    fn modify_before_signing(
        &self,
        _context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state()
            .store_put(PayloadSigningOverride::Precomputed(self.0.clone()));
        Ok(())
    }
}

impl LogsApi for SdkLogsApi {
    fn put_log_events<'a>(&'a self, request: &'a PutRequest) -> ApiFuture<'a, PutOutcome> {
        Box::pin(self.send_put(request.group(), request.stream(), request.body()))
    }

    fn create_log_group<'a>(&'a self, group: &'a str) -> ApiFuture<'a, ()> {
        Box::pin(async move {
            self.client
                .create_log_group()
                .log_group_name(group)
                .send()
                .await
                .map(drop)
                .map_err(|e| to_api_error("CreateLogGroup", self.endpoint.as_deref(), e))
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
                .map_err(|e| to_api_error("CreateLogStream", self.endpoint.as_deref(), e))
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
                .map_err(|e| to_api_error("PutRetentionPolicy", self.endpoint.as_deref(), e))
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
    endpoint: Option<&str>,
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
            let to = endpoint.map(|e| format!(" to {e}")).unwrap_or_default();
            ApiError::new(
                kind,
                operation,
                format!("dispatch failed{to}: {}", chain(&error)),
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

/// The error kind for a service error code and HTTP status (the table in `docs/aws-facts.md`).
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
    use crate::packer::LogEvent;
    use std::sync::{Arc, Mutex};

    /// A signed request as it was about to leave: method, URI, headers, body.
    type Signed = (String, String, Vec<(String, String)>, Vec<u8>);

    /// Keeps the signed request, then stops it before it leaves (no server needed).
    #[derive(Debug, Clone, Default)]
    struct CaptureSigned(Arc<Mutex<Option<Signed>>>);

    impl Intercept for CaptureSigned {
        fn name(&self) -> &'static str {
            "CaptureSigned"
        }

        fn read_before_transmit(
            &self,
            context: &aws_sdk_cloudwatchlogs::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
            _: &RuntimeComponents,
            _: &mut ConfigBag,
        ) -> Result<(), BoxError> {
            let request = context.request();
            let headers = request
                .headers()
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            let body = request.body().bytes().unwrap_or_default().to_vec();
            *self.0.lock().unwrap() = Some((
                request.method().to_owned(),
                request.uri().to_owned(),
                headers,
                body,
            ));
            Err("captured; not sent".into())
        }
    }

    const ACCESS_KEY: &str = "AKIDEXAMPLE";
    const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const SIGNED_AT: u64 = 1_764_252_000;

    fn capturing_api(capture: &CaptureSigned) -> SdkLogsApi {
        let credentials = aws_sdk_cloudwatchlogs::config::Credentials::new(
            ACCESS_KEY, SECRET_KEY, None, None, "test",
        );
        SdkLogsApi::from_config_builder(
            aws_sdk_cloudwatchlogs::config::Builder::new()
                .behavior_version(BehaviorVersion::latest())
                .region(aws_config::Region::new("eu-west-1"))
                .credentials_provider(credentials)
                .endpoint_url("http://127.0.0.1:9")
                .time_source(aws_smithy_async::time::StaticTimeSource::new(
                    std::time::UNIX_EPOCH + Duration::from_secs(SIGNED_AT),
                ))
                .interceptor(capture.clone()),
        )
    }

    /// The SigV4 signature of `signed`'s method, URI and headers over `body`, computed
    /// independently of the SDK's signer.
    fn signature_over(signed: &Signed, body: &[u8]) -> String {
        use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
        let (method, uri, headers, _) = signed;
        let identity: aws_smithy_runtime_api::client::identity::Identity =
            aws_credential_types::Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "test")
                .into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region("eu-west-1")
            .name("logs")
            .time(std::time::UNIX_EPOCH + Duration::from_secs(SIGNED_AT))
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        // Exactly the headers the request says it signed, as AWS verifies it (some, like
        // the invocation id, are added after signing); `x-amz-date` is the signer's own.
        let authorization = header(signed, "authorization");
        let listed = authorization
            .split("SignedHeaders=")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .unwrap();
        let names: Vec<&str> = listed.split(';').filter(|n| *n != "x-amz-date").collect();
        assert!(
            names.contains(&"content-length") && names.contains(&"host"),
            "{listed}"
        );
        let unsigned = headers
            .iter()
            .filter(|(k, _)| names.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), v.as_str()));
        let request =
            SignableRequest::new(method, uri.as_str(), unsigned, SignableBody::Bytes(body))
                .unwrap();
        sign(request, &params).unwrap().signature().to_owned()
    }

    fn header<'a>(signed: &'a Signed, name: &str) -> &'a str {
        &signed.2.iter().find(|(k, _)| k == name).unwrap().1
    }

    fn signature_sent(signed: &Signed) -> String {
        let authorization = header(signed, "authorization");
        authorization.split("Signature=").nth(1).unwrap().to_owned()
    }

    #[tokio::test]
    async fn the_signature_covers_the_body_sent_through_its_precomputed_hash() {
        let capture = CaptureSigned::default();
        let api = capturing_api(&capture);
        let events = [
            LogEvent::new(
                1_764_252_000_123,
                r#"{"level":"info","message":"a \"quoted\" é"}"#,
            ),
            LogEvent::new(1_764_252_000_124, "line\nbreak \u{2028}"),
        ];
        let request = PutRequest::new("/lift/g", "s", events.to_vec());
        let refused = api.put_log_events(&request).await;
        assert!(refused.is_err(), "the capture stops the request");
        let signed = capture.0.lock().unwrap().take().expect("a signed request");
        let prepared = PreparedPut::new("/lift/g", "s", &events);
        assert_eq!(
            signed.3,
            prepared.body().as_ref(),
            "the prepared body is sent"
        );
        assert_eq!(signature_sent(&signed), signature_over(&signed, &signed.3));
        // A control: one byte more and the signature would differ.
        let mut other = signed.3.clone();
        other.push(b' ');
        assert_ne!(signature_sent(&signed), signature_over(&signed, &other));
    }

    #[tokio::test]
    async fn the_precomputed_hash_is_the_one_signed() {
        // A request prepared with a wrong hash is signed with that hash (so it would be
        // refused): proof that the signer takes the hash given rather than hashing again,
        // and so that the test above checks the precomputed hash.
        let capture = CaptureSigned::default();
        let api = capturing_api(&capture);
        let events = [LogEvent::new(1_764_252_000_123, "x")];
        let wrong = PreparedPut::new("/lift/g", "s", &events).with_payload_sha256(&"0".repeat(64));
        let refused = api.send_put("/lift/g", "s", &wrong).await;
        assert!(refused.is_err());
        let signed = capture.0.lock().unwrap().take().expect("a signed request");
        assert_ne!(signature_sent(&signed), signature_over(&signed, &signed.3));
    }

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
