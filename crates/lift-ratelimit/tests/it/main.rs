//! Integration tests of the in-memory store: exactness under concurrency, window edges,
//! several limits at once, bounded memory, and reference models (property tests).

mod memory;
mod models;
