//! [`SignLayer`]: signs outgoing requests of an HTTP client (any tower service taking
//! `http::Request<B>` with a body in memory) and carries the current invocation's trace and
//! correlation id to the callee.
//!
//! Before signing, from the current Lift invocation ([`lift::current`]), if any:
//! `X-Amzn-Trace-Id` (the invocation's root, the handler subsegment — or the incoming
//! parent — as parent, its sampling decision), W3C `traceparent` for the same trace, and
//! `X-Correlation-Id` (the invocation's correlation id, else its request id), which Lift on
//! the callee's side takes as its `correlation_id` — so the callee's lines join the caller's.
//! Then [`Signer::sign`] adds `Content-Digest`, `Signature-Input` and `Signature`; those
//! propagation headers are signed only if the signer covers them.

use std::task::{Context as TaskContext, Poll};

use http::HeaderValue;

use crate::error::SignedCallError;
use crate::sign::Signer;

/// Signs requests through a client service (see the module documentation).
///
/// # Examples
/// ```
/// use lift_signing::{Secret, SignLayer, Signer, SigningKey};
/// use tower::{Layer, Service, ServiceExt};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let signer = Signer::new("payments-api", SigningKey::HmacSha256(Secret::new(b"shared")));
/// // A stand-in client that returns the request it would send.
/// let client = tower::service_fn(|r: http::Request<Vec<u8>>| async move {
///     Ok::<_, std::convert::Infallible>(r)
/// });
/// let mut signed = SignLayer::new(signer).layer(client);
/// let request = http::Request::post("https://ledger.internal/entries").body(b"{}".to_vec()).unwrap();
/// let sent = signed.ready().await.unwrap().call(request).await.unwrap();
/// assert!(sent.headers().contains_key("signature"));
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct SignLayer {
    signer: Signer,
}

impl SignLayer {
    /// Signs with `signer`.
    pub fn new(signer: Signer) -> Self {
        Self { signer }
    }
}

impl<S> tower::Layer<S> for SignLayer {
    type Service = Signing<S>;

    fn layer(&self, inner: S) -> Signing<S> {
        Signing {
            inner,
            signer: self.signer.clone(),
        }
    }
}

/// A client service behind a [`SignLayer`].
#[derive(Debug, Clone)]
pub struct Signing<S> {
    inner: S,
    signer: Signer,
}

/// The propagation headers for the current invocation, if there is one.
fn propagation() -> Vec<(&'static str, String)> {
    let Some(context) = lift::current() else {
        return Vec::new();
    };
    let mut headers = Vec::new();
    if let Some(trace) = context.trace() {
        let parent = context
            .segment_id()
            .map(str::to_owned)
            .or_else(|| trace.parent.clone())
            .unwrap_or_else(|| format!("{:016x}", fastrand::u64(1..)));
        let sampled = matches!(trace.sampled, Some(lift::observability::Sampled::Yes));
        let mut amzn = lift::TraceHeader {
            parent: Some(parent.clone()),
            ..trace.clone()
        };
        amzn.other.clear();
        headers.push(("x-amzn-trace-id", amzn.to_string()));
        // `1-5759e988-bd862e3fe1be46a994272793` is W3C trace id `5759e988bd86…`.
        let trace_id: String = trace.root.get(2..).unwrap_or_default().replace('-', "");
        if trace_id.len() == 32 {
            headers.push((
                "traceparent",
                format!(
                    "00-{trace_id}-{parent}-{}",
                    if sampled { "01" } else { "00" }
                ),
            ));
        }
    }
    let correlation = context
        .correlation_id()
        .unwrap_or(context.request_id())
        .to_owned();
    headers.push(("x-correlation-id", correlation));
    headers
}

impl<S, B> tower::Service<http::Request<B>> for Signing<S>
where
    S: tower::Service<http::Request<B>>,
    B: AsRef<[u8]>,
{
    type Response = S::Response;
    type Error = SignedCallError<S::Error>;
    type Future = futures_util::future::Either<
        std::future::Ready<Result<S::Response, Self::Error>>,
        futures_util::future::MapErr<S::Future, fn(S::Error) -> Self::Error>,
    >;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(SignedCallError::Call)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        use futures_util::TryFutureExt as _;
        for (name, value) in propagation() {
            if let Ok(value) = HeaderValue::from_str(&value) {
                request.headers_mut().insert(name, value);
            }
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        // Signed apart from its body, so the body is read in place, never copied.
        let (parts, body) = request.into_parts();
        let mut head = http::Request::from_parts(parts, ());
        let bytes = body.as_ref();
        let signed = self
            .signer
            .sign(&mut head, (!bytes.is_empty()).then_some(bytes), now);
        let (parts, ()) = head.into_parts();
        let request = http::Request::from_parts(parts, body);
        if let Err(e) = signed {
            return futures_util::future::Either::Left(std::future::ready(Err(
                SignedCallError::Sign(e),
            )));
        }
        let call: fn(S::Error) -> Self::Error = SignedCallError::Call;
        futures_util::future::Either::Right(self.inner.call(request).map_err(call))
    }
}
