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
// No `unsafe` except measured hot paths: the byte classifier in `classify` (SSE2, x86-64's
// baseline; AVX2 where detected at run time) and the scan compiled for it, and the JSON
// escaper's sixteen-byte test in `escape` (SSE2), with SAFETY comments and tests; anything
// else is refused.
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod append;
mod blocking;
mod builder;
mod classify;
mod config;
mod context;
mod encoder;
mod error;
mod escape;
mod health;
mod level;
mod logger;
mod macros;
pub mod metrics;
mod nested;
mod numbers;
mod panic_hook;
mod plain_probe;
mod redact;
mod sink;
mod static_names;
mod stats;
mod timestamp;
mod trace_header;
#[cfg(feature = "tracing")]
pub mod tracing_bridge;
mod truncate;
mod value;
pub mod xray;

pub use blocking::block_on;
pub use builder::{DEFAULT_MAX_ENTRY_BYTES, LoggerBuilder, MIN_MAX_ENTRY_BYTES};
pub use config::{ColorChoice, Format, LoggerConfig, SinkKind, ValidLoggerConfig};
pub use context::{ContextKey, LogContext};
pub use encoder::{
    ConsoleEncoder, Encoder, Entry, JsonEncoder, KeyProfile, POWERTOOLS_KEYS, RESERVED_KEY_PREFIX,
    RESERVED_KEYS, escape_json_str, is_reserved_key,
};
pub use error::{ConfigError, ParseLevelError, SinkError};
pub use health::{DEFAULT_MAX_FAILURE_RATE, HealthWindow, SinkHealth};
pub use level::{AtomicLevelFilter, Level, LevelFilter};
pub use logger::Logger;
pub use panic_hook::{
    Hook as PanicHook, install as install_panic_hook, install_with as install_panic_hook_with,
};
pub use redact::text::{REDACTED, REMOVED};
pub use redact::{KeyRule, RedactionStats, Redactor, card};
pub use sink::{
    BufferOutcome, BufferSettings, CapturedLine, DEFAULT_BUFFER_BYTES, InvocationBuffer, LineMeta,
    MemorySink, NoopSink, Sink, SinkEvent, SinkFuture, WriterSink,
};
pub use stats::{DropCounters, DropCounts, DropReason, LoggerStats, SinkStats};
pub use timestamp::{Clock, system_millis, write_rfc3339_millis};
pub use trace_header::{Sampled, TraceHeader, is_valid_trace_id};
pub use truncate::{cut_at_char_boundary, truncate_line};
pub use value::{Field, OwnedValue, SerializeJson, ToValue, Value, field};

// For the logging macros' expansions only.
#[doc(hidden)]
pub use encoder::key_is_plain_and_unreserved as __key_is_plain_and_unreserved;
#[doc(hidden)]
pub use value::JsonKey as __JsonKey;
