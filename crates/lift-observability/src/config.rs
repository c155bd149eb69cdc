//! Configuration: raw serde struct → environment overlay → validation → builder.
//!
//! [`LoggerConfig`] is what a file or code provides: every field has a default and unknown
//! fields are an error (a typo must not silently fall back to a default). [`with_env`]
//! overlays the environment; [`validate`] checks ranges and names and returns a
//! [`ValidLoggerConfig`], the only thing that turns into a logger.
//!
//! | variable | effect | wins over |
//! |---|---|---|
//! | `AWS_LAMBDA_LOG_LEVEL` | level (Lambda advanced logging controls; `FATAL` = error) | everything |
//! | `LIFT_LOG_LEVEL` | level | the config |
//! | `AWS_LAMBDA_LOG_FORMAT` | `JSON` → json, `Text` → console | everything |
//! | `LIFT_LOG_FORMAT` | `json` or `console` (`text`, `pretty` accepted) | the config |
//! | `LIFT_LOG_KEYS` | `lift` or `powertools`: the JSON lines' key names ([`KeyProfile`]) | the config |
//! | `LIFT_SERVICE_NAME` | `service` on every entry | the config |
//! | `LIFT_LOG_MAX_ENTRY_BYTES` | the entry cap in bytes | the config |
//! | `NO_COLOR` | no console colours when `color` is `auto` | – |
//!
//! [`with_env`]: LoggerConfig::with_env
//! [`validate`]: LoggerConfig::validate

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::builder::LoggerBuilder;
use crate::encoder::KeyProfile;
use crate::error::ConfigError;
use crate::level::LevelFilter;
use crate::sink::{NoopSink, WriterSink};

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One JSON object per line (the default).
    #[default]
    Json,
    /// Human-readable text.
    Console,
}

impl FromStr for Format {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("json") {
            Ok(Format::Json)
        } else if ["console", "text", "pretty"]
            .iter()
            .any(|n| t.eq_ignore_ascii_case(n))
        {
            Ok(Format::Console)
        } else {
            Err(())
        }
    }
}

/// When console output is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorChoice {
    /// When the sink is a terminal and `NO_COLOR` is unset (the default).
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// The decision for a sink that is (or is not) a terminal.
    pub fn resolve(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// Where a configured logger writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum SinkKind {
    /// Standard output (the default; Lambda ships it to CloudWatch Logs).
    #[default]
    Stdout,
    /// Standard error.
    Stderr,
    /// Nowhere.
    Noop,
}

/// The raw logger configuration, as read from a file or written in code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoggerConfig {
    /// Minimum level: `trace`, `debug`, `info` (default), `warn`, `error`, `off`.
    pub level: LevelFilter,
    /// `json` (default) or `console`.
    pub format: Format,
    /// `lift` (default) or `powertools`: the JSON lines' key names.
    pub keys: KeyProfile,
    /// `auto` (default), `always` or `never`.
    pub color: ColorChoice,
    /// The `service` on every entry.
    pub service_name: Option<String>,
    /// `stdout` (default), `stderr` or `noop`.
    pub sink: SinkKind,
    /// Write each line at once (default true) or wait for a full buffer or `flush`.
    pub line_buffered: bool,
    /// The writer's buffer size in bytes (default 8192; 64 B to 64 MiB).
    pub buffer_bytes: usize,
    /// A default `tenant_id` for entries logged outside any tenant's request.
    pub default_tenant_id: Option<String>,
    /// A default `user_id`.
    pub default_user_id: Option<String>,
    /// The longest line written, in bytes (default 1,048,550, CloudWatch's event limit;
    /// at least 1,024); longer entries are truncated and counted.
    pub max_entry_bytes: usize,
}

impl Default for LoggerConfig {
    fn default() -> Self {
        Self {
            level: LevelFilter::Info,
            format: Format::Json,
            keys: KeyProfile::Lift,
            color: ColorChoice::Auto,
            service_name: None,
            sink: SinkKind::Stdout,
            line_buffered: true,
            buffer_bytes: crate::sink::DEFAULT_BUFFER_BYTES,
            default_tenant_id: None,
            default_user_id: None,
            max_entry_bytes: crate::builder::DEFAULT_MAX_ENTRY_BYTES,
        }
    }
}

/// Smallest and largest writer buffer accepted.
const BUFFER_BYTES_RANGE: std::ops::RangeInclusive<usize> = 64..=64 * 1024 * 1024;
/// Longest service, tenant or user id accepted in the configuration.
const MAX_NAME_CHARS: usize = 256;

impl LoggerConfig {
    /// Parses a JSON configuration (unknown fields are an error).
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        serde_json::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))
    }

    /// Overlays the process environment (see the module docs for the variables).
    pub fn with_env(self) -> Result<Self, ConfigError> {
        self.with_env_from(|name| std::env::var(name).ok())
    }

    /// Overlays variables read through `lookup` (for tests and custom sources).
    pub fn with_env_from(
        mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let non_empty = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        for var in ["LIFT_LOG_LEVEL", "AWS_LAMBDA_LOG_LEVEL"] {
            if let Some(v) = non_empty(var) {
                self.level = v.parse().map_err(|_| ConfigError::InvalidEnv {
                    var: static_name(var),
                    value: clip(&v),
                    expected: "trace, debug, info, warn, error, fatal or off",
                })?;
            }
        }
        for var in ["LIFT_LOG_FORMAT", "AWS_LAMBDA_LOG_FORMAT"] {
            if let Some(v) = non_empty(var) {
                self.format = v.parse().map_err(|()| ConfigError::InvalidEnv {
                    var: static_name(var),
                    value: clip(&v),
                    expected: "json or console (Lambda: JSON or Text)",
                })?;
            }
        }
        if let Some(v) = non_empty("LIFT_LOG_KEYS") {
            self.keys = KeyProfile::parse(&v).ok_or_else(|| ConfigError::InvalidEnv {
                var: "LIFT_LOG_KEYS",
                value: clip(&v),
                expected: "lift or powertools",
            })?;
        }
        if let Some(v) = non_empty("LIFT_SERVICE_NAME") {
            self.service_name = Some(v);
        }
        if let Some(v) = non_empty("LIFT_LOG_MAX_ENTRY_BYTES") {
            self.max_entry_bytes = v.trim().parse().map_err(|_| ConfigError::InvalidEnv {
                var: "LIFT_LOG_MAX_ENTRY_BYTES",
                value: clip(&v),
                expected: "a number of bytes, at least 1024",
            })?;
        }
        Ok(self)
    }

    /// Checks every field; the result is the only thing that builds a logger.
    pub fn validate(self) -> Result<ValidLoggerConfig, ConfigError> {
        if !BUFFER_BYTES_RANGE.contains(&self.buffer_bytes) {
            return Err(ConfigError::InvalidField {
                field: "buffer_bytes",
                reason: format!(
                    "{} is outside {}..={} bytes",
                    self.buffer_bytes,
                    BUFFER_BYTES_RANGE.start(),
                    BUFFER_BYTES_RANGE.end()
                ),
            });
        }
        if self.max_entry_bytes < crate::builder::MIN_MAX_ENTRY_BYTES {
            return Err(ConfigError::InvalidField {
                field: "max_entry_bytes",
                reason: format!(
                    "{} is below the smallest cap, {} bytes",
                    self.max_entry_bytes,
                    crate::builder::MIN_MAX_ENTRY_BYTES
                ),
            });
        }
        check_name("service_name", self.service_name.as_deref())?;
        check_name("default_tenant_id", self.default_tenant_id.as_deref())?;
        check_name("default_user_id", self.default_user_id.as_deref())?;
        Ok(ValidLoggerConfig(self))
    }
}

/// A configuration that passed [`LoggerConfig::validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidLoggerConfig(LoggerConfig);

impl ValidLoggerConfig {
    /// The validated settings.
    pub fn get(&self) -> &LoggerConfig {
        &self.0
    }

    /// A builder with these settings (add a custom sink or clock before `build`).
    pub fn into_builder(self) -> LoggerBuilder {
        let c = self.0;
        let mut b = LoggerBuilder::new()
            .level(c.level)
            .format(c.format)
            .keys(c.keys)
            .color(c.color)
            .max_entry_bytes(c.max_entry_bytes);
        b = match c.sink {
            SinkKind::Stdout => b.sink(writer(WriterSink::stdout(), &c)),
            SinkKind::Stderr => b.sink(writer(WriterSink::stderr(), &c)),
            SinkKind::Noop => b.sink(NoopSink::new()),
        };
        if let Some(s) = &c.service_name {
            b = b.service(s);
        }
        if let Some(t) = &c.default_tenant_id {
            b = b.tenant_id(t);
        }
        if let Some(u) = &c.default_user_id {
            b = b.user_id(u);
        }
        b
    }
}

fn writer(sink: WriterSink, c: &LoggerConfig) -> WriterSink {
    if c.line_buffered {
        sink.with_buffer_capacity(c.buffer_bytes)
    } else {
        sink.block_buffered(c.buffer_bytes)
    }
}

fn check_name(field: &'static str, value: Option<&str>) -> Result<(), ConfigError> {
    let Some(v) = value else { return Ok(()) };
    let reason = if v.trim().is_empty() {
        "must not be empty (leave it out instead)".to_owned()
    } else if v.chars().count() > MAX_NAME_CHARS {
        format!("longer than {MAX_NAME_CHARS} characters")
    } else if v.chars().any(char::is_control) {
        "contains control characters".to_owned()
    } else {
        return Ok(());
    };
    Err(ConfigError::InvalidField { field, reason })
}

fn static_name(var: &str) -> &'static str {
    match var {
        "LIFT_LOG_LEVEL" => "LIFT_LOG_LEVEL",
        "AWS_LAMBDA_LOG_LEVEL" => "AWS_LAMBDA_LOG_LEVEL",
        "LIFT_LOG_FORMAT" => "LIFT_LOG_FORMAT",
        "LIFT_LOG_MAX_ENTRY_BYTES" => "LIFT_LOG_MAX_ENTRY_BYTES",
        _ => "AWS_LAMBDA_LOG_FORMAT",
    }
}

fn clip(v: &str) -> String {
    v.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn lambda_variables_win_over_lift_ones() {
        let c = LoggerConfig::default()
            .with_env_from(env(&[
                ("LIFT_LOG_LEVEL", "debug"),
                ("AWS_LAMBDA_LOG_LEVEL", "WARN"),
                ("LIFT_LOG_FORMAT", "json"),
                ("AWS_LAMBDA_LOG_FORMAT", "Text"),
                ("LIFT_SERVICE_NAME", "payments"),
            ]))
            .unwrap();
        assert_eq!(c.level, LevelFilter::Warn);
        assert_eq!(c.format, Format::Console);
        assert_eq!(c.service_name.as_deref(), Some("payments"));
        let c = LoggerConfig::default()
            .with_env_from(env(&[
                ("LIFT_LOG_LEVEL", "debug"),
                ("AWS_LAMBDA_LOG_LEVEL", ""),
            ]))
            .unwrap();
        assert_eq!(c.level, LevelFilter::Debug);
    }

    #[test]
    fn bad_environment_values_are_clear_errors() {
        let err = LoggerConfig::default()
            .with_env_from(env(&[("LIFT_LOG_FORMAT", "xml")]))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable LIFT_LOG_FORMAT=\"xml\" is invalid: json or console (Lambda: JSON or Text)"
        );
        let err = LoggerConfig::default()
            .with_env_from(env(&[("AWS_LAMBDA_LOG_LEVEL", "LOUD")]))
            .unwrap_err();
        assert!(err.to_string().contains("AWS_LAMBDA_LOG_LEVEL"), "{err}");
    }

    #[test]
    fn the_entry_cap_comes_from_the_environment_and_is_checked() {
        let c = LoggerConfig::default()
            .with_env_from(env(&[("LIFT_LOG_MAX_ENTRY_BYTES", "262144")]))
            .unwrap();
        assert_eq!(c.max_entry_bytes, 262_144);
        let err = LoggerConfig::default()
            .with_env_from(env(&[("LIFT_LOG_MAX_ENTRY_BYTES", "1MB")]))
            .unwrap_err();
        assert!(
            err.to_string().contains("LIFT_LOG_MAX_ENTRY_BYTES"),
            "{err}"
        );
        let small = LoggerConfig {
            max_entry_bytes: 10,
            ..LoggerConfig::default()
        };
        assert!(
            small
                .validate()
                .unwrap_err()
                .to_string()
                .contains("max_entry_bytes")
        );
    }

    #[test]
    fn json_config_rejects_unknown_fields_and_validates() {
        let c =
            LoggerConfig::from_json(r#"{"level":"debug","format":"console","service_name":"x"}"#)
                .unwrap();
        assert_eq!((c.level, c.format), (LevelFilter::Debug, Format::Console));
        let err = LoggerConfig::from_json(r#"{"levle":"debug"}"#).unwrap_err();
        assert!(err.to_string().contains("levle"), "{err}");
        let err = LoggerConfig {
            buffer_bytes: 1,
            ..LoggerConfig::default()
        }
        .validate()
        .unwrap_err();
        assert!(err.to_string().contains("buffer_bytes"), "{err}");
        let err = LoggerConfig {
            service_name: Some("a\nb".into()),
            ..LoggerConfig::default()
        }
        .validate()
        .unwrap_err();
        assert!(err.to_string().contains("control"), "{err}");
        assert!(LoggerConfig::default().validate().is_ok());
    }
}
