//! Lift's observability core: structured, tenant-aware logging for AWS Lambda and services.
//!
//! A [`Logger`] checks the level (one atomic load), encodes the entry once into a reused
//! buffer — timestamp, level, message, the pre-encoded context of the logger, the entry's
//! typed fields — and hands the line to a [`Sink`]. Encoders write JSON (one flat object per
//! line, the shape CloudWatch Logs Insights and Powertools expect) or console text; sinks
//! write to stdout/stderr/any writer, to memory for tests, or nowhere. Every drop is counted
//! by reason ([`LoggerStats`]); health follows the recent failure rate.
//!
//! This crate has no AWS SDK and needs no async runtime on the logging path; the
//! CloudWatch sink lives in `lift-cloudwatch`.
//!
//! # Examples
//! ```
//! use lift_observability::{Logger, info, Value};
//!
//! let (log, sink) = Logger::test();
//! let log = log.with_request_id("c6af9ac6-7b61").with_tenant_id("acme");
//! info!(log, "Charge captured"; "amount" => 1250, "currency" => "USD");
//! let err = std::io::Error::other("card declined");
//! log.warn("Charge failed", &[lift_observability::field("error", Value::error(&err))]);
//!
//! let entries = sink.entries();
//! assert_eq!(entries[0]["request_id"], "c6af9ac6-7b61");
//! assert_eq!(entries[1]["error"], "card declined");
//! ```
// No `unsafe` except one measured hot path: the SSE2 byte classifier in `classify`
// (x86-64's baseline), with a SAFETY comment and tests; anything else is refused.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod blocking;
mod builder;
mod classify;
pub mod config;
pub mod context;
pub mod encoder;
mod error;
mod escape;
pub mod health;
pub mod level;
mod logger;
mod macros;
pub mod metrics;
pub mod nested;
mod numbers;
pub mod panic_hook;
pub mod redact;
pub mod sink;
mod static_names;
pub mod stats;
pub mod timestamp;
pub mod trace_header;
#[cfg(feature = "tracing")]
pub mod tracing_bridge;
pub mod truncate;
pub mod value;
pub mod xray;

pub use builder::{DEFAULT_MAX_ENTRY_BYTES, LoggerBuilder, MIN_MAX_ENTRY_BYTES};
pub use config::{ColorChoice, Format, LoggerConfig, SinkKind, ValidLoggerConfig};
pub use context::{ContextKey, LogContext};
pub use encoder::{ConsoleEncoder, Encoder, Entry, JsonEncoder};
pub use error::{ConfigError, ParseLevelError, SinkError};
pub use health::{HealthWindow, SinkHealth};
pub use level::{AtomicLevelFilter, Level, LevelFilter};
pub use logger::Logger;
pub use redact::{RedactionStats, Redactor};
pub use sink::{CapturedLine, LineMeta, MemorySink, NoopSink, Sink, SinkFuture, WriterSink};
pub use stats::{DropCounts, DropReason, LoggerStats, SinkStats};
pub use timestamp::Clock;
pub use trace_header::TraceHeader;
pub use value::{Field, OwnedValue, ToValue, Value, field};
