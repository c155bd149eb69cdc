//! Integration tests: the in-memory store (exactness under concurrency, window edges,
//! several limits at once, bounded memory, reference models as property tests) and the
//! layer in Lift's stack.

mod layer;
mod memory;
mod models;
