//! lift's integration tests, one binary: the handler core through tower, in-process —
//! the middleware (context, start/end lines, errors, panics, flushing, health, triggers),
//! per-invocation buffering and tail sampling, and the instruments (EMF metrics, X-Ray).

mod buffering;
mod instruments;
mod middleware;
