//! Stores that fail, for the fail-open, fail-closed, timeout and health tests; and those
//! tests at the limiter's level.

use std::time::{Duration, Instant};

use lift_ratelimit::{Algorithm, Decision, Limits, RateLimitError, RateLimiter, Store};

/// A store that fails every decision.
pub(crate) struct Broken;

impl Store for Broken {
    async fn decide(
        &self,
        _: &str,
        _: &Limits,
        _: Algorithm,
        _: Duration,
    ) -> Result<Decision, RateLimitError> {
        Err(RateLimitError::Store {
            message: "connection refused".into(),
            source: None,
        })
    }
}

/// A store slower than any timeout.
pub(crate) struct Slow;

impl Store for Slow {
    async fn decide(
        &self,
        _: &str,
        _: &Limits,
        _: Algorithm,
        _: Duration,
    ) -> Result<Decision, RateLimitError> {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Err(RateLimitError::Store {
            message: "too late".into(),
            source: None,
        })
    }
}

fn limits(text: &str) -> Limits {
    text.parse().unwrap()
}

#[tokio::test]
async fn failures_and_timeouts_are_counted_and_make_the_store_unhealthy() {
    let broken = RateLimiter::new(Broken, limits("1/s"));
    for _ in 0..9 {
        assert!(broken.decide("k", None).await.is_err());
    }
    assert!(
        broken.health().healthy,
        "nine decisions are not a trend yet"
    );
    assert!(broken.decide("k", None).await.is_err());
    let health = broken.health();
    assert!(!health.healthy);
    assert_eq!((health.store, health.recent_error_rate), ("Broken", 1.0));
    // In the health endpoint's report: the whole report turns unhealthy (503).
    let report = lift::health::HealthReport::of(&[]).with(health.into());
    assert_eq!(report.response().status(), 503);
    assert_eq!(report.components[0].detail["recent_decisions"], 10);
    assert_eq!(broken.stats().store_errors, 10);

    let slow = RateLimiter::new(Slow, limits("1/s")).timeout(Duration::from_millis(5));
    let started = Instant::now();
    let err = slow.decide("k", None).await.unwrap_err();
    assert!(matches!(err, RateLimitError::Timeout { .. }), "{err}");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(slow.stats().timeouts, 1);
}
