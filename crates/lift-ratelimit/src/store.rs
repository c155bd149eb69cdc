//! The [`Store`] trait: where rate-limit state lives, one atomic decision per call.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::algorithm::Algorithm;
use crate::decision::Decision;
use crate::error::RateLimitError;
use crate::limit::Limits;

/// Where rate-limit state lives: one atomic decision per call.
pub trait Store: Send + Sync + 'static {
    /// Decides one request for `key` at `now` — the time since the Unix epoch
    /// ([`unix_now`]), so that every instance sharing a store counts on one clock: admitted
    /// only if every limit admits it, and then counted against all of them; a denied
    /// request changes nothing.
    fn decide(
        &self,
        key: &str,
        limits: &Limits,
        algorithm: Algorithm,
        now: Duration,
    ) -> impl Future<Output = Result<Decision, RateLimitError>> + Send;
}

pub use crate::clock::unix_now;

/// A decision's future, boxed: what a store chosen at run time returns.
pub(crate) type DecideFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Decision, RateLimitError>> + Send + 'a>>;

/// A [`Store`] behind a pointer (so a limiter can take any store, chosen at run time).
pub(crate) trait DynStore: Send + Sync {
    fn decide_boxed<'a>(
        &'a self,
        key: &'a str,
        limits: &'a Limits,
        algorithm: Algorithm,
        now: Duration,
    ) -> DecideFuture<'a>;
}

impl<S: Store> DynStore for S {
    fn decide_boxed<'a>(
        &'a self,
        key: &'a str,
        limits: &'a Limits,
        algorithm: Algorithm,
        now: Duration,
    ) -> DecideFuture<'a> {
        Box::pin(self.decide(key, limits, algorithm, now))
    }
}
