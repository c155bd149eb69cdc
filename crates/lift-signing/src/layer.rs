//! [`VerifyLayer`]: verifies signed requests in Lift's handler stack.
//!
//! A request it covers (all, or those its predicate picks) must carry a signature the
//! [`Verifier`] accepts — and, with a nonce store, one not seen before. A refused request is
//! answered `401` with a problem body naming the check that failed (never echoing the
//! signature), after a warn line `Request signature refused` with the reason and the key id
//! the request claimed; an accepted one reaches the handler with the verified key id as its
//! [`Context::caller`](lift::Context::caller), written as `caller` on every line it logs.
//! Both are counted in the invocation's metrics (`SignatureVerified`, `SignatureRefused`).
//! Like the rate limiter, the layer wraps a handler (for [`lift::App::run`]) or, as a tower
//! layer, a service inside [`ContextLayer`](lift::ContextLayer).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use lift::{Context, ErrorKind, EventInfo, Invocation, LiftError};

use crate::error::SignatureError;
use crate::key::KeyStore;
use crate::verify::{DynNonces, NonceStore, Verifier};

/// Which requests must be signed: given the method and path.
type Predicate = dyn Fn(&str, &str) -> bool + Send + Sync;

#[derive(Clone)]
struct Settings<K> {
    verifier: Verifier<K>,
    nonces: Option<Arc<dyn DynNonces>>,
    covers: Option<Arc<Predicate>>,
}

/// Verifies signed requests (see the module documentation).
///
/// # Examples
/// ```
/// use lift_signing::{MemoryNonces, Secret, SigningKey, StaticKeys, Verifier, VerifyLayer};
///
/// let keys = StaticKeys::new();
/// keys.add("ledger-2026", SigningKey::HmacSha256(Secret::new(b"shared")).verifying_key());
/// let layer = VerifyLayer::new(Verifier::new(keys))
///     .nonces(MemoryNonces::new(100_000))
///     .only(|_method, path| path.starts_with("/internal/"));
/// let handler = tower::Layer::layer(&layer, |ctx: lift::Context, _req: lift::Request| async move {
///     Ok::<_, lift::LiftError>(lift::HttpResponse::new(ctx.caller().unwrap_or("-").to_owned().into()))
/// });
/// # let _ = handler;
/// ```
pub struct VerifyLayer<K> {
    settings: Arc<Settings<K>>,
}

impl<K> Clone for VerifyLayer<K> {
    fn clone(&self) -> Self {
        Self {
            settings: Arc::clone(&self.settings),
        }
    }
}

impl<K> std::fmt::Debug for VerifyLayer<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyLayer").finish_non_exhaustive()
    }
}

impl<K: KeyStore> VerifyLayer<K> {
    /// Verifies every request with `verifier`.
    pub fn new(verifier: Verifier<K>) -> Self {
        Self {
            settings: Arc::new(Settings {
                verifier,
                nonces: None,
                covers: None,
            }),
        }
    }
}

impl<K: KeyStore + Clone> VerifyLayer<K> {
    /// Changes the settings (a copy of them when this layer was cloned before).
    fn edit(mut self, f: impl FnOnce(&mut Settings<K>)) -> Self {
        f(Arc::make_mut(&mut self.settings));
        self
    }

    /// Refuses a nonce `nonces` has seen before (a replay): [`MemoryNonces`](crate::MemoryNonces)
    /// for one process, a shared store across instances.
    pub fn nonces(self, nonces: impl NonceStore) -> Self {
        self.edit(|s| s.nonces = Some(Arc::new(nonces)))
    }

    /// Verifies only the requests `covers(method, path)` picks.
    pub fn only(self, covers: impl Fn(&str, &str) -> bool + Send + Sync + 'static) -> Self {
        self.edit(|s| s.covers = Some(Arc::new(covers)))
    }
}

impl<K, S> tower::Layer<S> for VerifyLayer<K> {
    type Service = Verified<K, S>;

    fn layer(&self, inner: S) -> Verified<K, S> {
        Verified {
            inner,
            settings: Arc::clone(&self.settings),
        }
    }
}

/// A handler or service behind a [`VerifyLayer`].
pub struct Verified<K, S> {
    inner: S,
    settings: Arc<Settings<K>>,
}

impl<K, S: Clone> Clone for Verified<K, S> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            settings: Arc::clone(&self.settings),
        }
    }
}

impl<K, S> std::fmt::Debug for Verified<K, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verified").finish_non_exhaustive()
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl<K: KeyStore> Settings<K> {
    /// The context the handler runs with: `context` with the verified caller (`None` when the
    /// request is not covered), or the `401` (`503` when the nonce store cannot tell) a
    /// refused request is answered with.
    async fn check(
        &self,
        context: &Context,
        request: &lift::Request,
    ) -> Result<Option<Context>, LiftError> {
        // The route as the handler sees it (without API Gateway's stage); the signature
        // covers the URI as the client sent it.
        let path = EventInfo::path(request).unwrap_or_default();
        if self
            .covers
            .as_ref()
            .is_some_and(|covers| !covers(request.method().as_str(), path))
        {
            return Ok(None);
        }
        let now = now();
        let body = request.body().as_ref();
        let mut outcome = self.verifier.verify(request, Some(body), now);
        if let (Ok(verified), Some(nonces)) = (&outcome, &self.nonces)
            && let Some(nonce) = verified.nonce.as_deref()
        {
            let until = now + self.verifier.window_secs();
            if let Err(e) = nonces
                .first_use_boxed(&verified.keyid, nonce, until, now)
                .await
            {
                outcome = Err(e);
            }
        }
        let metrics = context.metrics();
        match outcome {
            Ok(verified) => {
                metrics.count("SignatureVerified", 1.0);
                Ok(Some(context.with_caller(&verified.keyid)))
            }
            Err(error) => {
                metrics.count("SignatureRefused", 1.0);
                let claimed = Verifier::<K>::claimed_key_id(request);
                lift::warn!(context.logger(), "Request signature refused";
                    "reason" => error.to_string().as_str(), "keyid" => claimed.as_deref());
                Err(refusal(&error))
            }
        }
    }
}

/// The `401` for `error`: the message names the check that failed.
fn refusal(error: &SignatureError) -> LiftError {
    LiftError::new(
        ErrorKind::Unauthorized,
        format!("request signature refused: {error}"),
    )
}

type Boxed<R> = Pin<Box<dyn Future<Output = Result<R, LiftError>> + Send>>;

impl<K, H> lift::Handler<lift::Request> for Verified<K, H>
where
    K: KeyStore + 'static,
    H: lift::Handler<lift::Request>,
{
    type Response = H::Response;
    type Future = Boxed<H::Response>;

    fn call(&self, context: Context, request: lift::Request) -> Self::Future {
        let settings = Arc::clone(&self.settings);
        let inner = self.inner.clone();
        Box::pin(async move {
            let verified = settings.check(&context, &request).await?;
            inner.call(verified.unwrap_or(context), request).await
        })
    }
}

impl<K, S> tower::Service<Invocation<lift::Request>> for Verified<K, S>
where
    K: KeyStore + 'static,
    S: tower::Service<Invocation<lift::Request>, Error = LiftError> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Response: Send + 'static,
{
    type Response = S::Response;
    type Error = LiftError;
    type Future = Boxed<S::Response>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), LiftError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut invocation: Invocation<lift::Request>) -> Self::Future {
        // The ready service is the one called; the clone waits for the next request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let settings = Arc::clone(&self.settings);
        Box::pin(async move {
            let Some(context) = invocation.context.clone() else {
                return Err(LiftError::internal(
                    "VerifyLayer needs the invocation's context: put it inside ContextLayer",
                ));
            };
            if let Some(verified) = settings.check(&context, &invocation.event).await? {
                invocation.context = Some(verified);
            }
            inner.call(invocation).await
        })
    }
}
