//! Property tests against reference models written the simple way.

use std::time::Duration;

use lift_ratelimit::{Algorithm, Limits, MemoryStore};
use proptest::prelude::*;

/// Requests at increasing times: each step moves the clock by 0–3 s.
fn schedule() -> impl Strategy<Value = Vec<u64>> {
    proptest::collection::vec(0u64..3_000, 1..200).prop_map(|steps| {
        let mut t = 1_000_000u64;
        steps
            .into_iter()
            .map(|s| {
                t += s;
                t
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn the_sliding_window_admits_exactly_what_a_log_of_admissions_admits(
        times in schedule(), count in 1u32..8, period_ms in 1_000u64..10_000,
    ) {
        let limits = Limits::new(vec![lift_ratelimit::Limit::new(count, Duration::from_millis(period_ms)).unwrap()]).unwrap();
        let store = MemoryStore::new(10);
        let mut log: Vec<u64> = Vec::new();
        for t in times {
            let model = log.iter().filter(|a| **a + period_ms > t).count() < count as usize;
            let got = store.decide_at("k", &limits, Algorithm::SlidingWindow, Duration::from_millis(t)).unwrap();
            prop_assert_eq!(got.allowed, model, "at {}", t);
            if model { log.push(t); }
        }
    }

    #[test]
    fn the_fixed_window_admits_exactly_the_first_count_of_each_window(
        times in schedule(), count in 1u32..8, period_ms in 1_000u64..10_000,
    ) {
        let limits = Limits::new(vec![lift_ratelimit::Limit::new(count, Duration::from_millis(period_ms)).unwrap()]).unwrap();
        let store = MemoryStore::new(10);
        let mut window = u64::MAX;
        let mut used = 0;
        for t in times {
            if t / period_ms != window { window = t / period_ms; used = 0; }
            let model = used < count;
            let got = store.decide_at("k", &limits, Algorithm::FixedWindow, Duration::from_millis(t)).unwrap();
            prop_assert_eq!(got.allowed, model, "at {}", t);
            if model { used += 1; }
        }
    }

    #[test]
    fn gcra_matches_a_token_bucket_of_count_tokens_refilled_one_per_interval(
        times in schedule(), count in 1u32..8, period_ms in 1_000u64..10_000,
    ) {
        let period = Duration::from_millis(period_ms);
        let limits = Limits::new(vec![lift_ratelimit::Limit::new(count, period).unwrap()]).unwrap();
        let store = MemoryStore::new(10);
        // The bucket in nanoseconds of "debt": each admission adds one interval; time pays
        // it back; a request fits while the debt after it stays within the period.
        let interval = (period / count).as_nanos();
        let mut debt: u128 = 0;
        let mut last: u128 = 0;
        for t in times {
            let now = u128::from(t) * 1_000_000;
            debt = debt.saturating_sub(now - last.min(now));
            last = now;
            let model = debt + interval <= period.as_nanos();
            let got = store.decide_at("k", &limits, Algorithm::Gcra, Duration::from_millis(t)).unwrap();
            prop_assert_eq!(got.allowed, model, "at {}", t);
            if model { debt += interval; }
        }
    }
}
