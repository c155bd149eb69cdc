//! [`RateLimiter`]: a store, the limits per tenant (plans), the algorithm and a decision
//! timeout — and what its decisions came to ([`RateLimitStats`], [`StoreHealth`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::algorithm::Algorithm;
use crate::decision::Decision;
use crate::error::RateLimitError;
use crate::limit::Limits;
use crate::store::{DynStore, Store, unix_now};

/// How long a decision may take before it counts as a store failure, by default.
pub const DEFAULT_DECISION_TIMEOUT: Duration = Duration::from_millis(50);

/// How far back [`StoreHealth`] looks.
const HEALTH_WINDOW: Duration = Duration::from_secs(60);
/// At least this many decisions in the window before an error rate can make the store
/// unhealthy (one failed decision out of two is not yet a trend).
const HEALTH_MIN_DECISIONS: u64 = 10;
/// The share of failed decisions in the window at which the store is unhealthy.
const HEALTH_MAX_ERROR_RATE: f64 = 0.1;

/// Decides requests against per-tenant limits in a [`Store`]; cheap to clone (one `Arc`).
///
/// # Examples
/// ```
/// use lift_ratelimit::{MemoryStore, RateLimiter};
///
/// # tokio_test_block_on(async {
/// let limiter = RateLimiter::new(MemoryStore::new(10_000), "2/s".parse()?)
///     .plan("acme", "5/s".parse()?);
/// assert_eq!(limiter.limits_for(Some("acme")).to_string(), "5/1s");
/// assert!(limiter.decide("tenant:globex", Some("globex")).await?.allowed);
/// # Ok::<(), lift_ratelimit::RateLimitError>(())
/// # }).unwrap();
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(f)
/// # }
/// ```
#[derive(Clone)]
pub struct RateLimiter {
    store: Arc<dyn DynStore>,
    settings: Arc<Settings>,
    stats: Arc<Counters>,
}

/// What a limiter decides with, besides its store.
#[derive(Clone)]
struct Settings {
    store_name: &'static str,
    algorithm: Algorithm,
    default: Limits,
    plans: HashMap<String, Limits>,
    timeout: Duration,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.settings;
        f.debug_struct("RateLimiter")
            .field("store", &s.store_name)
            .field("algorithm", &s.algorithm)
            .field("default", &s.default.to_string())
            .field("plans", &s.plans.len())
            .field("timeout", &s.timeout)
            .finish()
    }
}

impl RateLimiter {
    /// Limits every key to `limits` in `store`, with GCRA and a 50 ms decision timeout.
    pub fn new<S: Store>(store: S, limits: Limits) -> Self {
        crate::clock::calibrate();
        let store_name = std::any::type_name::<S>()
            .rsplit("::")
            .next()
            .unwrap_or("store");
        Self {
            store: Arc::new(store),
            settings: Arc::new(Settings {
                store_name,
                algorithm: Algorithm::default(),
                default: limits,
                plans: HashMap::new(),
                timeout: DEFAULT_DECISION_TIMEOUT,
            }),
            stats: Arc::new(Counters::default()),
        }
    }

    fn edit(mut self, f: impl FnOnce(&mut Settings)) -> Self {
        f(Arc::make_mut(&mut self.settings));
        self
    }

    /// Counts with `algorithm` (default [`Algorithm::Gcra`]).
    pub fn algorithm(self, algorithm: Algorithm) -> Self {
        self.edit(|s| s.algorithm = algorithm)
    }

    /// `tenant`'s own limits (its plan) instead of the default.
    pub fn plan(self, tenant: impl Into<String>, limits: Limits) -> Self {
        let tenant = tenant.into();
        self.edit(|s| {
            s.plans.insert(tenant, limits);
        })
    }

    /// How long a decision may take before it fails as [`RateLimitError::Timeout`]
    /// (default 50 ms).
    pub fn timeout(self, timeout: Duration) -> Self {
        self.edit(|s| s.timeout = timeout)
    }

    /// The limits that apply to `tenant`: its plan, else the default.
    pub fn limits_for(&self, tenant: Option<&str>) -> &Limits {
        tenant
            .and_then(|t| self.settings.plans.get(t))
            .unwrap_or(&self.settings.default)
    }

    /// The algorithm decisions count with.
    pub fn algorithm_in_use(&self) -> Algorithm {
        self.settings.algorithm
    }

    /// Decides one request for `key` under `tenant`'s limits, now, within the timeout.
    /// Every outcome is counted in [`stats`](Self::stats).
    pub async fn decide(
        &self,
        key: &str,
        tenant: Option<&str>,
    ) -> Result<Decision, RateLimitError> {
        let settings = &self.settings;
        let limits = self.limits_for(tenant);
        let decided = tokio::time::timeout(
            settings.timeout,
            self.store
                .decide_boxed(key, limits, settings.algorithm, unix_now()),
        )
        .await
        .unwrap_or(Err(RateLimitError::Timeout {
            timeout: settings.timeout,
        }));
        self.stats.record(&decided);
        decided
    }

    /// What the decisions so far came to.
    pub fn stats(&self) -> RateLimitStats {
        self.stats.snapshot()
    }

    /// Whether the store answered well lately: unhealthy when over 10% of the last
    /// minute's decisions (at least 10 of them) failed or timed out.
    pub fn health(&self) -> StoreHealth {
        let (decisions, errors) = self.stats.recent();
        let error_rate = if decisions == 0 {
            0.0
        } else {
            errors as f64 / decisions as f64
        };
        StoreHealth {
            store: self.settings.store_name,
            healthy: decisions < HEALTH_MIN_DECISIONS || error_rate <= HEALTH_MAX_ERROR_RATE,
            recent_decisions: decisions,
            recent_error_rate: error_rate,
        }
    }
}

/// Totals since the limiter was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RateLimitStats {
    /// Decisions the store made (admitted or denied).
    pub decided: u64,
    /// Of those, denied.
    pub denied: u64,
    /// Decisions that failed in the store.
    pub store_errors: u64,
    /// Decisions that took longer than the timeout.
    pub timeouts: u64,
}

/// The store's recent health, for a health endpoint.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct StoreHealth {
    /// The store's type name (`MemoryStore`, `DynamoDbStore`).
    pub store: &'static str,
    /// Whether its recent error rate is acceptable.
    pub healthy: bool,
    /// Decisions asked for in the last minute.
    pub recent_decisions: u64,
    /// The share of those that failed or timed out.
    pub recent_error_rate: f64,
}

impl From<StoreHealth> for lift::health::ComponentReport {
    fn from(health: StoreHealth) -> Self {
        Self {
            name: "rate_limit_store".to_owned(),
            healthy: health.healthy,
            detail: serde_json::to_value(health).unwrap_or_default(),
        }
    }
}

#[derive(Default)]
struct Counters {
    decided: AtomicU64,
    denied: AtomicU64,
    store_errors: AtomicU64,
    timeouts: AtomicU64,
    window: Mutex<Window>,
}

/// Decisions and failures in the current and the previous [`HEALTH_WINDOW`].
#[derive(Default)]
struct Window {
    started: Option<Instant>,
    current: (u64, u64),
    previous: (u64, u64),
}

impl Window {
    fn roll(&mut self, now: Instant) {
        let started = *self.started.get_or_insert(now);
        let age = now.saturating_duration_since(started);
        if age >= HEALTH_WINDOW * 2 {
            (self.previous, self.current) = ((0, 0), (0, 0));
            self.started = Some(now);
        } else if age >= HEALTH_WINDOW {
            self.previous = std::mem::take(&mut self.current);
            self.started = Some(started + HEALTH_WINDOW);
        }
    }
}

impl Counters {
    fn record(&self, decided: &Result<Decision, RateLimitError>) {
        let failed = match decided {
            Ok(d) => {
                self.decided.fetch_add(1, Ordering::Relaxed);
                if !d.allowed {
                    self.denied.fetch_add(1, Ordering::Relaxed);
                }
                false
            }
            Err(RateLimitError::Timeout { .. }) => {
                self.timeouts.fetch_add(1, Ordering::Relaxed);
                true
            }
            Err(_) => {
                self.store_errors.fetch_add(1, Ordering::Relaxed);
                true
            }
        };
        let mut window = self.window.lock().unwrap_or_else(PoisonError::into_inner);
        window.roll(Instant::now());
        window.current.0 += 1;
        window.current.1 += u64::from(failed);
    }

    fn recent(&self) -> (u64, u64) {
        let mut window = self.window.lock().unwrap_or_else(PoisonError::into_inner);
        window.roll(Instant::now());
        (
            window.current.0 + window.previous.0,
            window.current.1 + window.previous.1,
        )
    }

    fn snapshot(&self) -> RateLimitStats {
        RateLimitStats {
            decided: self.decided.load(Ordering::Relaxed),
            denied: self.denied.load(Ordering::Relaxed),
            store_errors: self.store_errors.load(Ordering::Relaxed),
            timeouts: self.timeouts.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(text: &str) -> Limits {
        text.parse().unwrap()
    }

    #[tokio::test]
    async fn plans_apply_per_tenant_and_the_default_elsewhere() {
        let limiter = RateLimiter::new(crate::MemoryStore::new(100), limits("1/h"))
            .plan("acme", limits("3/h"));
        for _ in 0..3 {
            assert!(
                limiter
                    .decide("t:acme", Some("acme"))
                    .await
                    .unwrap()
                    .allowed
            );
        }
        assert!(
            !limiter
                .decide("t:acme", Some("acme"))
                .await
                .unwrap()
                .allowed
        );
        assert!(
            limiter
                .decide("t:globex", Some("globex"))
                .await
                .unwrap()
                .allowed
        );
        assert!(
            !limiter
                .decide("t:globex", Some("globex"))
                .await
                .unwrap()
                .allowed
        );
        assert_eq!(
            limiter.stats(),
            RateLimitStats {
                decided: 6,
                denied: 2,
                ..RateLimitStats::default()
            }
        );
        assert!(limiter.health().healthy);
    }

    #[test]
    fn the_health_window_forgets_what_is_two_minutes_old() {
        let mut w = Window::default();
        let t0 = Instant::now();
        w.roll(t0);
        w.current = (20, 20);
        w.roll(t0 + Duration::from_secs(61));
        assert_eq!((w.previous, w.current), ((20, 20), (0, 0)));
        w.roll(t0 + Duration::from_secs(200));
        assert_eq!((w.previous, w.current), ((0, 0), (0, 0)));
    }
}
