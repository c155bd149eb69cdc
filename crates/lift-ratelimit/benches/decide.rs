//! One in-memory decision on a key that exists, Lift's `MemoryStore` beside the `governor`
//! crate's keyed GCRA limiter in the same run; both read their clock on every decision
//! (Lift the system clock, as `RateLimiter` does; governor its own TSC-based clock).
//!
//! Keys: 1,000 tenants, taken in turn, so the maps are not a single hot entry; the limit is
//! high enough that both admit every request (a denial costs the same in both).

#![allow(missing_docs)] // criterion_group! generates an undocumented function

use std::hint::black_box;
use std::num::NonZeroU32;

use criterion::{Criterion, criterion_group, criterion_main};
use governor::{Quota, RateLimiter};
use lift_ratelimit::{Algorithm, Limits, MemoryStore, unix_now};

const KEYS: usize = 1_000;

fn decide(c: &mut Criterion) {
    let keys: Vec<String> = (0..KEYS).map(|i| format!("tenant:{i:04}")).collect();
    let mut g = c.benchmark_group("in_memory_decision");

    let quota = Quota::per_second(NonZeroU32::new(1_000_000_000).unwrap_or(NonZeroU32::MIN));
    let governor = RateLimiter::keyed(quota);
    let mut i = 0;
    g.bench_function("governor_keyed_gcra", |b| {
        b.iter(|| {
            i = (i + 1) % KEYS;
            black_box(governor.check_key(&keys[i]).is_ok())
        })
    });

    let limits: Limits = "1000000000/s".parse().unwrap_or_else(|e| panic!("{e}"));
    for (name, algorithm) in [
        ("lift_gcra", Algorithm::Gcra),
        ("lift_fixed_window", Algorithm::FixedWindow),
    ] {
        let store = MemoryStore::new(KEYS * 2);
        let mut i = 0;
        g.bench_function(name, |b| {
            b.iter(|| {
                i = (i + 1) % KEYS;
                black_box(
                    store
                        .decide_at(&keys[i], &limits, algorithm, unix_now())
                        .map(|d| d.allowed),
                )
            })
        });
    }
    g.finish();
}

criterion_group!(benches, decide);
criterion_main!(benches);
