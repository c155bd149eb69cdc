//! Errors of this crate: configuration (the logger's and the metrics'), parsing, and sink
//! flush/close failures.
//!
//! Each says what failed, with what input, and what to do. Logging itself never returns an
//! error (a failed write is counted as a drop); only `flush`, `close` and configuration do.

use std::time::Duration;

/// A level name that is not one Lift knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown log level {given:?}: expected trace, debug, info, warn, error or off")]
pub struct ParseLevelError {
    given: String,
}

impl ParseLevelError {
    pub(crate) fn new(given: &str) -> Self {
        Self {
            given: given.chars().take(64).collect(),
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// An environment variable holds a value Lift cannot use.
    #[error("environment variable {var}={value:?} is invalid: {expected}")]
    InvalidEnv {
        /// The variable.
        var: &'static str,
        /// Its value (truncated to 64 characters).
        value: String,
        /// What would have been accepted.
        expected: &'static str,
    },
    /// A field of the configuration is out of range or malformed.
    #[error("configuration field `{field}` is invalid: {reason}")]
    InvalidField {
        /// The field's name.
        field: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// The configuration text could not be parsed.
    #[error("configuration could not be parsed: {0}")]
    Parse(String),
}

/// A flush or close that did not deliver everything.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SinkError {
    /// Writing to the output failed.
    #[error("writing to {sink} failed: {source}")]
    Io {
        /// The sink's name.
        sink: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Some entries accepted before the call were not delivered.
    #[error("{undelivered} entries were not delivered: {reason}")]
    Undelivered {
        /// How many.
        undelivered: u64,
        /// Why (the last error seen).
        reason: String,
    },
    /// The deadline passed before everything was delivered.
    #[error("not all entries were delivered within {deadline:?}: {undelivered} left")]
    Timeout {
        /// The deadline that passed.
        deadline: Duration,
        /// How many entries were left.
        undelivered: u64,
    },
    /// The sink is closed.
    #[error("the sink is closed")]
    Closed,
}

/// A configuration error: the namespace or a default dimension breaks an EMF rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MetricsConfigError {
    /// The namespace is invalid.
    #[error("invalid metrics namespace {namespace:?}: {reason}")]
    Namespace {
        /// The namespace given.
        namespace: String,
        /// The rule it breaks.
        reason: crate::metrics::rules::RuleViolation,
    },
    /// A default dimension is invalid.
    #[error("invalid default dimension {name:?}: {reason}")]
    Dimension {
        /// The dimension's name.
        name: String,
        /// The rule it breaks.
        reason: crate::metrics::rules::RuleViolation,
    },
}
