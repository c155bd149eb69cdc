//! Heap allocations per decision, counted per thread: none for a key the store already
//! holds, whatever the algorithm, denials included.

#![allow(unsafe_code)] // a global allocator cannot be written without it

use std::time::Duration;

use lift_ratelimit::{Algorithm, Limits, MemoryStore};

#[path = "../../lift-observability/tests/support/counting_alloc.rs"]
#[allow(dead_code)]
mod counting_alloc;

use counting_alloc::allocations;

#[test]
fn deciding_for_an_existing_key_allocates_nothing() {
    let limits: Limits = "100/min,1000/h".parse().unwrap();
    for algorithm in [
        Algorithm::Gcra,
        Algorithm::FixedWindow,
        Algorithm::SlidingWindow,
    ] {
        let store = MemoryStore::new(1_000);
        let mut now = Duration::from_secs(1_000_000);
        // Warm up: the key exists and the sliding log has reached its working size.
        for _ in 0..300 {
            now += Duration::from_millis(250);
            let _ = store.decide_at("tenant:acme", &limits, algorithm, now);
        }
        let before = allocations();
        let mut allowed = 0;
        for _ in 0..2_000 {
            now += Duration::from_millis(250);
            allowed += u32::from(
                store
                    .decide_at("tenant:acme", &limits, algorithm, now)
                    .unwrap()
                    .allowed,
            );
        }
        let made = allocations() - before;
        assert_eq!(
            made, 0,
            "{algorithm:?}: {made} allocations for 2,000 decisions"
        );
        assert!(
            allowed > 0 && allowed < 2_000,
            "{algorithm:?}: both outcomes seen ({allowed})"
        );
    }
}
