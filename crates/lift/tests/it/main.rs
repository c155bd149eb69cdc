//! lift's integration tests, one binary: the handler core through tower, in-process —
//! the middleware (context, start/end lines, errors, panics, flushing, health, triggers),
//! per-invocation buffering and tail sampling, the instruments (EMF metrics, X-Ray), and
//! each layer taken on its own, and a service's shutdown on SIGTERM.

mod buffering;
mod instruments;
mod layers;
mod middleware;
mod shutdown;
