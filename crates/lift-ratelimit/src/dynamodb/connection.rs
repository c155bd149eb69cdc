//! The store's line to DynamoDB: one signed `POST` per call over a pooled HTTP/1.1
//! connection (rustls with the system's roots for `https`), credentials from the AWS
//! configuration's provider kept until five minutes before they expire, the endpoint resolved
//! once by the AWS SDK's own rules, and a call that failed in a way that may pass (a dropped
//! pooled connection, throttling, a server error) sent again, up to three times in all.
//!
//! The AWS SDK's client spends some 480,000 instructions on a call (BENCHMARKS.md); the
//! store's calls are one shape, which this module builds, signs and reads directly.

use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, UNIX_EPOCH};

use aws_config::SdkConfig;
use aws_sdk_dynamodb::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
use aws_sdk_dynamodb::config::{Credentials, ProvideCredentials, SharedCredentialsProvider};
use aws_types::service_config::ServiceConfigKey;
use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use http::{HeaderName, HeaderValue, Method, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::sigv4::{self, Signer};
use super::wire::{Reply, ServiceError, read_reply};
use crate::error::RateLimitError;

/// Calls sent for one request at most, the first included.
const ATTEMPTS: u32 = 3;
/// The wait before the second attempt; doubled for each one after, with full jitter.
const BACKOFF: Duration = Duration::from_millis(10);
/// Credentials are refreshed this long before they expire.
const REFRESH_AHEAD: Duration = Duration::from_secs(300);

const X_AMZ_TARGET: HeaderName = HeaderName::from_static("x-amz-target");
const X_AMZ_DATE: HeaderName = HeaderName::from_static("x-amz-date");
const X_AMZ_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-amz-security-token");

/// A header's value from text the signer made (or the credentials hold).
fn header_value(text: String) -> Result<HeaderValue, Failure> {
    HeaderValue::try_from(text).map_err(|e| Failure::Fatal("a header", Box::new(e)))
}

/// Where calls go: the URL and its `host` header.
#[derive(Debug)]
struct Endpoint {
    uri: Uri,
    host: HeaderValue,
}

/// A signed line to DynamoDB (see the module documentation).
pub(crate) struct Connection {
    http: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    region: String,
    use_fips: bool,
    use_dual_stack: bool,
    endpoint_url: Option<String>,
    endpoint: OnceLock<Endpoint>,
    signer: Signer,
    credentials: CredentialsCache,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint.get())
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// A line for the region, endpoint and credentials `config` names.
    pub(crate) fn new(config: &SdkConfig) -> Result<Self, RateLimitError> {
        let region = config
            .region()
            .map(|r| r.as_ref().to_owned())
            .ok_or_else(|| store_error("no AWS region is configured (set AWS_REGION)", None))?;
        let provider = config
            .credentials_provider()
            .ok_or_else(|| store_error("no AWS credentials provider is configured", None))?;
        Ok(Self {
            http: Client::builder(TokioExecutor::new()).build(https_connector()?),
            signer: Signer::new(region.clone()),
            region,
            use_fips: config.use_fips().unwrap_or(false),
            use_dual_stack: config.use_dual_stack().unwrap_or(false),
            endpoint_url: endpoint_url(config),
            endpoint: OnceLock::new(),
            credentials: CredentialsCache::new(provider),
        })
    }

    /// Sends `body` as the call `target` and reads the reply, trying again (up to three
    /// calls) when it failed in a way that may pass.
    pub(crate) async fn call(
        &self,
        target: &'static str,
        body: Vec<u8>,
    ) -> Result<Reply, RateLimitError> {
        let body = Bytes::from(body);
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.send(target, body.clone()).await {
                Ok(reply) => return Ok(reply),
                Err(failure) => {
                    if let Failure::Service(e) = &failure
                        && e.is_credentials()
                    {
                        self.credentials.forget();
                    }
                    if attempt >= ATTEMPTS || !failure.may_pass() {
                        return Err(failure.into_error(target));
                    }
                    let ceiling = BACKOFF.saturating_mul(1 << (attempt - 1));
                    let wait = ceiling.mul_f64(fastrand::f64());
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    async fn send(&self, target: &'static str, body: Bytes) -> Result<Reply, Failure> {
        let endpoint = self.endpoint().await?;
        let credentials = self.credentials.get().await?;
        let host = endpoint.host.to_str().unwrap_or_default();
        let signature = self.signer.sign(
            &credentials,
            host,
            target,
            &body,
            i64::try_from(crate::unix_now().as_millis()).unwrap_or(i64::MAX),
        );
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = endpoint.uri.clone();
        let headers = request.headers_mut();
        headers.insert(HOST, endpoint.host.clone());
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(sigv4::CONTENT_TYPE));
        headers.insert(X_AMZ_TARGET, HeaderValue::from_static(target));
        headers.insert(X_AMZ_DATE, header_value(signature.amz_date)?);
        headers.insert(AUTHORIZATION, header_value(signature.authorization)?);
        if let Some(token) = credentials.session_token() {
            headers.insert(X_AMZ_SECURITY_TOKEN, header_value(token.to_owned())?);
        }
        let response = self
            .http
            .request(request)
            .await
            .map_err(|e| Failure::Transport(Box::new(e)))?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| Failure::Transport(Box::new(e)))?
            .to_bytes();
        read_reply(status, &body).map_err(Failure::Service)
    }

    /// The endpoint, resolved on the first call by the SDK's rules for DynamoDB.
    async fn endpoint(&self) -> Result<&Endpoint, Failure> {
        if let Some(e) = self.endpoint.get() {
            return Ok(e);
        }
        let params = Params::builder()
            .region(self.region.clone())
            .use_fips(self.use_fips)
            .use_dual_stack(self.use_dual_stack)
            .set_endpoint(self.endpoint_url.clone())
            .account_id_endpoint_mode("disabled")
            .build()
            .map_err(|e| Failure::Fatal("endpoint parameters", Box::new(e)))?;
        let resolved = DefaultResolver::new()
            .resolve_endpoint(&params)
            .await
            .map_err(|e| Failure::Fatal("the endpoint", e))?;
        let endpoint = endpoint_of(resolved.url())?;
        Ok(self.endpoint.get_or_init(|| endpoint))
    }
}

/// The endpoint URL configured for DynamoDB, looked up as the SDK's own client does: set in
/// code; else `AWS_ENDPOINT_URL_DYNAMODB` or the profile's `dynamodb` section; else
/// `AWS_ENDPOINT_URL` or the profile's `endpoint_url`.
fn endpoint_url(config: &SdkConfig) -> Option<String> {
    let global = || config.endpoint_url().map(str::to_owned);
    if config.get_origin("endpoint_url").is_client_config() {
        return global();
    }
    let key = ServiceConfigKey::builder()
        .service_id("DynamoDB")
        .env("AWS_ENDPOINT_URL")
        .profile("endpoint_url")
        .build();
    let service = match (config.service_config(), key) {
        (Some(loader), Ok(key)) => loader.load_config(key),
        _ => None,
    };
    service.or_else(global)
}

/// The URI calls are sent to (`/` on the endpoint's host) and the `host` header: lowercase,
/// without the scheme's default port.
fn endpoint_of(url: &str) -> Result<Endpoint, Failure> {
    let bad = |e: Box<dyn std::error::Error + Send + Sync>| Failure::Fatal("the endpoint URL", e);
    let uri: Uri = url.parse().map_err(|e| bad(Box::new(e)))?;
    let https = uri.scheme_str() == Some("https");
    let authority = uri
        .authority()
        .ok_or_else(|| bad(format!("{url} has no host").into()))?;
    let default_port = if https { 443 } else { 80 };
    let host = match authority.port_u16() {
        Some(port) if port != default_port => format!("{}:{port}", authority.host()),
        _ => authority.host().to_owned(),
    }
    .to_ascii_lowercase();
    let uri = Uri::builder()
        .scheme(if https { "https" } else { "http" })
        .authority(authority.as_str())
        .path_and_query("/")
        .build()
        .map_err(|e| bad(Box::new(e)))?;
    let host = HeaderValue::from_str(&host).map_err(|e| bad(Box::new(e)))?;
    Ok(Endpoint { uri, host })
}

/// HTTP and HTTPS (rustls, the system's root certificates), HTTP/1.1.
fn https_connector() -> Result<HttpsConnector<HttpConnector>, RateLimitError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| store_error("TLS configuration", Some(Box::new(e))))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .build())
}

/// Why one attempt failed.
enum Failure {
    /// The request never got a reply (connection refused, reset, a pooled connection closed).
    Transport(Box<dyn std::error::Error + Send + Sync>),
    /// DynamoDB answered with an error.
    Service(ServiceError),
    /// The request could not be made (no credentials, no endpoint).
    Fatal(&'static str, Box<dyn std::error::Error + Send + Sync>),
}

impl Failure {
    fn may_pass(&self) -> bool {
        match self {
            Failure::Transport(_) => true,
            Failure::Service(e) => e.is_transient() || e.is_credentials(),
            Failure::Fatal(..) => false,
        }
    }

    fn into_error(self, target: &str) -> RateLimitError {
        let call = target.rsplit('.').next().unwrap_or(target);
        match self {
            Failure::Transport(e) => store_error(&format!("{call}: no reply"), Some(e)),
            Failure::Service(e) => store_error(&format!("{call}: {}", e.kind), Some(Box::new(e))),
            Failure::Fatal(what, e) => store_error(&format!("{call}: {what}"), Some(e)),
        }
    }
}

fn store_error(
    message: &str,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
) -> RateLimitError {
    RateLimitError::Store {
        message: message.to_owned(),
        source,
    }
}

/// Credentials from the provider, kept until shortly before they expire.
struct CredentialsCache {
    provider: SharedCredentialsProvider,
    current: RwLock<Option<(Credentials, Option<Duration>)>>,
    refreshing: tokio::sync::Mutex<()>,
}

impl CredentialsCache {
    fn new(provider: SharedCredentialsProvider) -> Self {
        Self {
            provider,
            current: RwLock::new(None),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    fn fresh(&self) -> Option<Credentials> {
        let current = self.current.read().unwrap_or_else(|p| p.into_inner());
        let (credentials, expiry) = current.as_ref()?;
        let usable = expiry.is_none_or(|e| crate::unix_now() + REFRESH_AHEAD < e);
        usable.then(|| credentials.clone())
    }

    async fn get(&self) -> Result<Credentials, Failure> {
        if let Some(c) = self.fresh() {
            return Ok(c);
        }
        // One caller asks the provider; the others wait for what it got.
        let _refreshing = self.refreshing.lock().await;
        if let Some(c) = self.fresh() {
            return Ok(c);
        }
        let credentials = self
            .provider
            .provide_credentials()
            .await
            .map_err(|e| Failure::Fatal("credentials", Box::new(e)))?;
        let expiry = credentials
            .expiry()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok());
        *self.current.write().unwrap_or_else(|p| p.into_inner()) =
            Some((credentials.clone(), expiry));
        Ok(credentials)
    }

    /// Drops the credentials after DynamoDB refused them: the next call asks anew.
    fn forget(&self) {
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::SystemTime;

    use aws_credential_types::provider::future;

    use super::*;

    /// Hands out credentials valid for `lifetime` (forever: `None`), counting the requests.
    #[derive(Debug)]
    struct Counting {
        asked: Arc<AtomicU32>,
        lifetime: Option<Duration>,
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            let n = self.asked.fetch_add(1, Ordering::SeqCst);
            let expiry = self.lifetime.map(|l| SystemTime::now() + l);
            future::ProvideCredentials::ready(Ok(Credentials::new(
                format!("AKID{n}"),
                "secret",
                None,
                expiry,
                "counting",
            )))
        }
    }

    fn cache(lifetime: Option<Duration>) -> (CredentialsCache, Arc<AtomicU32>) {
        let asked = Arc::new(AtomicU32::new(0));
        let provider = Counting {
            asked: asked.clone(),
            lifetime,
        };
        (
            CredentialsCache::new(SharedCredentialsProvider::new(provider)),
            asked,
        )
    }

    /// The access key id of the credentials `c` gives.
    async fn get(c: &CredentialsCache) -> Option<String> {
        c.get().await.ok().map(|c| c.access_key_id().to_owned())
    }

    #[tokio::test]
    async fn credentials_are_kept_until_five_minutes_before_they_expire() {
        // Without an expiry, and with an hour left: asked once.
        for lifetime in [None, Some(Duration::from_secs(3600))] {
            let (c, asked) = cache(lifetime);
            for _ in 0..3 {
                assert_eq!(get(&c).await.as_deref(), Some("AKID0"));
            }
            assert_eq!(asked.load(Ordering::SeqCst), 1);
        }
        // With four minutes left: asked for every call.
        let (c, asked) = cache(Some(Duration::from_secs(240)));
        for n in 0..3 {
            assert_eq!(get(&c).await, Some(format!("AKID{n}")));
        }
        assert_eq!(asked.load(Ordering::SeqCst), 3);
        // Refused credentials are forgotten: the next call asks anew.
        let (c, asked) = cache(None);
        get(&c).await;
        c.forget();
        assert_eq!(get(&c).await.as_deref(), Some("AKID1"));
        assert_eq!(asked.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn the_host_header_drops_the_default_port_and_keeps_any_other() {
        for (url, uri, host) in [
            (
                "https://dynamodb.us-east-1.amazonaws.com",
                "https://dynamodb.us-east-1.amazonaws.com/",
                "dynamodb.us-east-1.amazonaws.com",
            ),
            (
                "https://DynamoDB.eu-west-1.amazonaws.com:443/",
                "https://DynamoDB.eu-west-1.amazonaws.com:443/",
                "dynamodb.eu-west-1.amazonaws.com",
            ),
            (
                "http://127.0.0.1:8000",
                "http://127.0.0.1:8000/",
                "127.0.0.1:8000",
            ),
            ("http://localhost:80/x", "http://localhost:80/", "localhost"),
        ] {
            let Ok(e) = endpoint_of(url) else {
                panic!("{url}")
            };
            assert_eq!(e.uri.to_string(), uri);
            assert_eq!(e.host, host);
        }
        assert!(endpoint_of("not a url").is_err());
    }
}
