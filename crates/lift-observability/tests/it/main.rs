//! Integration tests for lift-observability, one module per area (one test binary).

// Exact-string golden output of both encoders, escaping and reserved keys included.
mod golden;
// Many threads into one writer sink: every line whole, none lost.
mod concurrency;
// Configuration from JSON and the environment through to a working logger.
mod config;
// Property tests: any message and field values give exactly one valid line.
mod properties;
// Redaction of card numbers, security codes and secrets through the whole logger.
mod redaction;
// The labelled quality set: every sensitive case caught, no benign case touched.
mod quality;
// The labelled texts cut, joined and mutated: each redacted once for all.
mod composition;
// The realistic corpus through the logger: its secrets never written, nothing else changed.
mod corpus;
#[path = "../support/corpus_calls.rs"]
mod corpus_calls;
// Hostile input: huge messages, many fields, huge keys, deep nesting, control sequences.
mod hostile;
// EMF metrics documents, checked rule by rule.
mod emf;
// The `tracing` bridge (feature `tracing`).
#[cfg(feature = "tracing")]
mod bridge;
