//! The in-memory store: the embedded default for one process, development and tests.
//!
//! Keys are spread over 16 shards, each a mutex around a map, so a decision holds one
//! shard's lock for a few hundred nanoseconds and never across an await. Memory is bounded:
//! a shard that reaches its share of the capacity first evicts its idle keys (whose state
//! no longer matters); if every key is still active, the new key is refused
//! ([`RateLimitError::Full`]) rather than an active key's count forgotten.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::algorithm::{Algorithm, LimitState, decide};
use crate::decision::Decision;
use crate::error::RateLimitError;
use crate::limit::Limits;

const SHARDS: usize = 16;

/// One key: the limits its state was counted under, and that state (one per limit).
#[derive(Debug)]
struct KeyState {
    limits: Limits,
    states: Vec<LimitState>,
}

impl KeyState {
    fn is_idle(&self, now: Duration) -> bool {
        self.states
            .iter()
            .zip(self.limits.as_slice())
            .all(|(s, l)| s.is_idle(l, now))
    }
}

/// A key and its state.
type Keyed = (Box<str>, KeyState);

/// One shard: a map keyed by the key's hash (foldhash, computed once per decision, with a
/// per-store random seed), each slot holding the keys of that hash, and how many keys it holds.
#[derive(Debug, Default)]
struct Shard {
    slots: HashMap<u64, Vec<Keyed>, BuildHasherDefault<Prehashed>>,
    keys: usize,
}

impl Shard {
    /// Drops every key whose state no longer matters at `now`.
    fn evict_idle(&mut self, now: Duration) {
        let mut keys = 0;
        self.slots.retain(|_, slot| {
            slot.retain(|(_, entry)| !entry.is_idle(now));
            keys += slot.len();
            !slot.is_empty()
        });
        self.keys = keys;
    }
}

/// The hasher of a map whose keys are already hashes.
#[derive(Debug, Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; anything else is folded in, never dropped.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Rate-limit state in this process's memory.
#[derive(Debug)]
pub struct MemoryStore {
    shards: Vec<Mutex<Shard>>,
    per_shard: usize,
    hasher: foldhash::fast::RandomState,
}

impl MemoryStore {
    /// A store holding at most about `capacity` keys (at least one per shard).
    pub fn new(capacity: usize) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            per_shard: capacity.div_ceil(SHARDS).max(1),
            hasher: foldhash::fast::RandomState::default(),
        }
    }

    /// Keys held now.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(PoisonError::into_inner).keys)
            .sum()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl crate::Store for MemoryStore {
    fn decide(
        &self,
        key: &str,
        limits: &Limits,
        algorithm: Algorithm,
        now: Duration,
    ) -> impl std::future::Future<Output = Result<Decision, RateLimitError>> + Send {
        std::future::ready(self.decide_at(key, limits, algorithm, now))
    }
}

impl MemoryStore {
    /// [`Store::decide`](crate::Store::decide) without a future: the decision, made now
    /// under one shard's lock.
    pub fn decide_at(
        &self,
        key: &str,
        limits: &Limits,
        algorithm: Algorithm,
        now: Duration,
    ) -> Result<Decision, RateLimitError> {
        let hash = self.hasher.hash_one(key);
        let shard = &self.shards[(hash >> 60) as usize % SHARDS];
        // Every update is done in place before the lock is released; a panic elsewhere
        // cannot leave a state half-written.
        let mut shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, entry)) = shard
            .slots
            .get_mut(&hash)
            .and_then(|slot| slot.iter_mut().find(|(k, _)| **k == *key))
        {
            if entry.limits != *limits {
                // A new plan for this key: counted afresh under it.
                entry.limits = limits.clone();
                entry.states.clear();
            }
            return Ok(decide(&mut entry.states, limits, algorithm, now));
        }
        if shard.keys >= self.per_shard {
            shard.evict_idle(now);
            if shard.keys >= self.per_shard {
                return Err(RateLimitError::Full {
                    capacity: self.per_shard * SHARDS,
                });
            }
        }
        let mut states = Vec::new();
        let decision = decide(&mut states, limits, algorithm, now);
        shard.keys += 1;
        shard.slots.entry(hash).or_default().push((
            key.into(),
            KeyState {
                limits: limits.clone(),
                states,
            },
        ));
        Ok(decision)
    }
}
