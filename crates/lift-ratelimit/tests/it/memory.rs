use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use lift_ratelimit::{Algorithm, Limits, MemoryStore, RateLimitError};

const ALL: [Algorithm; 3] = [
    Algorithm::Gcra,
    Algorithm::FixedWindow,
    Algorithm::SlidingWindow,
];

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

#[test]
fn two_hundred_fifty_six_concurrent_callers_get_exactly_the_limit() {
    for algorithm in ALL {
        let store = Arc::new(MemoryStore::new(1_000));
        let limits: Arc<Limits> = Arc::new("100/h".parse().unwrap());
        let admitted = Arc::new(AtomicU32::new(0));
        let callers: Vec<_> = (0..256)
            .map(|i| {
                let (store, limits, admitted) = (
                    Arc::clone(&store),
                    Arc::clone(&limits),
                    Arc::clone(&admitted),
                );
                std::thread::spawn(move || {
                    // Within one millisecond of each other, all inside the window.
                    let now = secs(1_000.0) + Duration::from_micros(i);
                    let d = store
                        .decide_at("tenant:acme", &limits, algorithm, now)
                        .unwrap();
                    if d.allowed {
                        admitted.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for c in callers {
            c.join().unwrap();
        }
        assert_eq!(admitted.load(Ordering::Relaxed), 100, "{algorithm:?}");
    }
}

#[test]
fn the_sliding_window_cannot_be_exceeded_across_a_window_edge() {
    // The Go original compared one sub-bucket against the whole limit; here ten at the end
    // of one minute and ten at the start of the next are twenty in one minute: refused.
    let limits: Limits = "10/min".parse().unwrap();
    let store = MemoryStore::new(100);
    let admitted = |from: f64, algorithm| {
        (0..10)
            .filter(|i| {
                store
                    .decide_at("k", &limits, algorithm, secs(from + f64::from(*i) * 0.01))
                    .unwrap()
                    .allowed
            })
            .count()
    };
    assert_eq!(admitted(59.0, Algorithm::SlidingWindow), 10);
    assert_eq!(admitted(60.5, Algorithm::SlidingWindow), 0);
    // A minute after the first ten, they are admitted again.
    assert_eq!(admitted(119.2, Algorithm::SlidingWindow), 10);
    // The fixed window lets both bursts through (documented): that is what it is.
    let fixed = MemoryStore::new(100);
    let n = |from: f64| {
        (0..10)
            .filter(|i| {
                fixed
                    .decide_at(
                        "k",
                        &limits,
                        Algorithm::FixedWindow,
                        secs(from + f64::from(*i) * 0.01),
                    )
                    .unwrap()
                    .allowed
            })
            .count()
    };
    assert_eq!((n(59.0), n(60.5)), (10, 10));
}

#[test]
fn a_denial_says_when_to_retry_and_retrying_then_is_admitted() {
    for algorithm in ALL {
        let store = MemoryStore::new(100);
        let limits: Limits = "3/10s".parse().unwrap();
        let t0 = secs(5_000.0);
        for _ in 0..3 {
            assert!(
                store
                    .decide_at("k", &limits, algorithm, t0)
                    .unwrap()
                    .allowed
            );
        }
        let denied = store.decide_at("k", &limits, algorithm, t0).unwrap();
        assert!(!denied.allowed, "{algorithm:?}");
        assert_eq!(denied.remaining, 0);
        let wait = denied.retry_after.unwrap();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(10),
            "{wait:?}"
        );
        let just_before = t0 + wait - Duration::from_millis(1);
        assert!(
            !store
                .decide_at("k", &limits, algorithm, just_before)
                .unwrap()
                .allowed
        );
        assert!(
            store
                .decide_at("k", &limits, algorithm, t0 + wait)
                .unwrap()
                .allowed,
            "{algorithm:?}"
        );
    }
}

#[test]
fn several_limits_are_decided_together_and_a_denial_counts_against_none() {
    for algorithm in ALL {
        let store = MemoryStore::new(100);
        let limits: Limits = "5/min,7/h".parse().unwrap();
        let mut admitted = 0;
        // Three minutes of 5 requests each: the hourly limit refuses after 7 in all, and
        // the refused requests of minute two do not use up minute three's share.
        for minute in 0..3 {
            for i in 0..5 {
                let now = secs(3_600.0 * 10.0 + f64::from(minute) * 60.0 + f64::from(i));
                let d = store.decide_at("k", &limits, algorithm, now).unwrap();
                if d.allowed {
                    admitted += 1;
                } else if admitted == 7 {
                    assert_eq!(d.limit.period, Duration::from_secs(3600), "{algorithm:?}");
                }
            }
        }
        assert_eq!(admitted, 7, "{algorithm:?}");
    }
}

#[test]
fn remaining_counts_down_and_the_binding_limit_is_reported() {
    let store = MemoryStore::new(100);
    let limits: Limits = "3/min,100/h".parse().unwrap();
    let remaining: Vec<u32> = (0..3)
        .map(|i| {
            let d = store
                .decide_at(
                    "k",
                    &limits,
                    Algorithm::FixedWindow,
                    secs(60.0 + f64::from(i)),
                )
                .unwrap();
            assert_eq!(d.limit.count, 3);
            d.remaining
        })
        .collect();
    assert_eq!(remaining, [2, 1, 0]);
}

#[test]
fn memory_is_bounded_idle_keys_are_evicted_and_active_ones_never_forgotten() {
    let store = MemoryStore::new(16); // one key per shard
    let limits: Limits = "1/min".parse().unwrap();
    let t0 = secs(10_000.0);
    let mut refused = 0;
    for i in 0..64 {
        match store.decide_at(&format!("user:{i}"), &limits, Algorithm::Gcra, t0) {
            Ok(d) => assert!(d.allowed),
            Err(RateLimitError::Full { capacity }) => {
                assert_eq!(capacity, 16);
                refused += 1;
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert!(
        store.len() <= 16 && refused >= 48,
        "{} held, {refused} refused",
        store.len()
    );
    // A minute later every key is idle: new keys take their place.
    let later = t0 + Duration::from_secs(61);
    for i in 100..116 {
        let _ = store.decide_at(&format!("user:{i}"), &limits, Algorithm::Gcra, later);
    }
    assert!(store.len() <= 16);
    assert!(
        (100..116)
            .filter(|i| store
                .decide_at(&format!("user:{i}"), &limits, Algorithm::Gcra, later)
                .is_ok_and(|d| !d.allowed))
            .count()
            > 0,
        "keys admitted a minute later are remembered"
    );
}
