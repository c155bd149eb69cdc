//! [`CloudWatchConfig`]: what the CloudWatch sink needs, as serde data with defaults.
//!
//! Raw → validated → built: [`CloudWatchConfig::validate`] checks every field (group and
//! stream names against CloudWatch's rules, retention against the allowed values, bounds
//! that make sense) and returns a [`ValidCloudWatchConfig`] that the sink builder consumes.
//! Unknown fields are refused, so a misspelt option is an error, not a silent default.

use crate::error::CloudWatchConfigError;
use std::time::Duration;

use crate::limits::{
    DEFAULT_MAX_EVENT_BYTES, MAX_BATCH_BYTES, MIN_MAX_EVENT_BYTES, RETENTION_DAYS,
};
use crate::names::validate_log_group_name;
use crate::queue::OverflowPolicy;
use crate::retry::RetryPolicy;
use crate::stream_name::{DEFAULT_STREAM_TEMPLATE, StreamTemplate, TemplateValues};

/// Default flush interval.
pub(crate) const DEFAULT_FLUSH_INTERVAL_MS: u64 = 1_000;
/// Default bound on bytes held (queued or being shipped): 16 full batches.
pub const DEFAULT_MAX_BUFFER_BYTES: usize = 16 * MAX_BATCH_BYTES;
/// Default bound on entries held.
pub(crate) const DEFAULT_MAX_BUFFER_ENTRIES: usize = 200_000;
/// Default wait for room under [`OverflowPolicy::Block`].
pub(crate) const DEFAULT_BLOCK_TIMEOUT_MS: u64 = 100;
/// Default number of `PutLogEvents` calls in flight (at most one per stream).
pub(crate) const DEFAULT_MAX_IN_FLIGHT: usize = 4;
/// Default limit on how long `flush()` waits before answering with a timeout.
pub(crate) const DEFAULT_FLUSH_TIMEOUT_MS: u64 = 30_000;
/// Default deadline for `close` when the sink is dropped or the guard goes out of scope.
pub(crate) const DEFAULT_CLOSE_TIMEOUT_MS: u64 = 5_000;
/// The smallest byte bound accepted: one full batch.
pub(crate) const MIN_BUFFER_BYTES: usize = MAX_BATCH_BYTES;

/// The CloudWatch sink's settings. Every field has a default but `log_group`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CloudWatchConfig {
    /// The log group.
    pub log_group: String,
    /// The log stream name or template (`{date}`, `{hostname}`, `{instance_id}`,
    /// `{tenant_id}`); default `{date}/{hostname}/{instance_id}`.
    pub log_stream: String,
    /// An explicit endpoint URL (for example a local emulator); wins over
    /// `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS` / `AWS_ENDPOINT_URL`.
    pub endpoint_url: Option<String>,
    /// An explicit region; wins over the environment and profile.
    pub region: Option<String>,
    /// Create the log group when it is missing (streams are always created on demand).
    pub create_group: bool,
    /// Retention to set on a group this sink creates; also drops events older than it
    /// before sending. One of CloudWatch's allowed values.
    pub retention_days: Option<u32>,
    /// How often everything pending is shipped, even if batches are not full.
    pub flush_interval_ms: u64,
    /// Bound on bytes held (message bytes plus 26 per entry), queued or being shipped.
    pub max_buffer_bytes: usize,
    /// Bound on entries held.
    pub max_buffer_entries: usize,
    /// What happens to an entry when the buffer is full.
    pub overflow: OverflowPolicy,
    /// How long `block` waits for room.
    pub block_timeout_ms: u64,
    /// `PutLogEvents` calls in flight at once (never more than one per stream).
    pub max_in_flight: usize,
    /// Per-event cap in bytes; longer entries are truncated (JSON kept valid).
    pub max_event_bytes: usize,
    /// How long `flush()` waits before answering with a timeout error.
    pub flush_timeout_ms: u64,
    /// The close deadline used when the sink or its guard is dropped.
    pub close_timeout_ms: u64,
    /// First retry delay ceiling.
    pub retry_base_ms: u64,
    /// Largest retry delay.
    pub retry_cap_ms: u64,
    /// Send every batch with `x-amzn-logs-format: json/emf`, for a stream of EMF metric
    /// documents (CloudWatch then extracts the metrics).
    pub emf: bool,
}

impl Default for CloudWatchConfig {
    fn default() -> Self {
        let retry = RetryPolicy::default();
        Self {
            log_group: String::new(),
            log_stream: DEFAULT_STREAM_TEMPLATE.to_owned(),
            endpoint_url: None,
            region: None,
            create_group: false,
            retention_days: None,
            flush_interval_ms: DEFAULT_FLUSH_INTERVAL_MS,
            max_buffer_bytes: DEFAULT_MAX_BUFFER_BYTES,
            max_buffer_entries: DEFAULT_MAX_BUFFER_ENTRIES,
            overflow: OverflowPolicy::DropNewest,
            block_timeout_ms: DEFAULT_BLOCK_TIMEOUT_MS,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            max_event_bytes: DEFAULT_MAX_EVENT_BYTES,
            flush_timeout_ms: DEFAULT_FLUSH_TIMEOUT_MS,
            close_timeout_ms: DEFAULT_CLOSE_TIMEOUT_MS,
            retry_base_ms: retry.base.as_millis() as u64,
            retry_cap_ms: retry.cap.as_millis() as u64,
            emf: false,
        }
    }
}

/// A configuration that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCloudWatchConfig {
    pub(crate) raw: CloudWatchConfig,
    pub(crate) template: StreamTemplate,
}

impl ValidCloudWatchConfig {
    /// The settings as given.
    pub fn config(&self) -> &CloudWatchConfig {
        &self.raw
    }

    /// The parsed stream template.
    pub fn template(&self) -> &StreamTemplate {
        &self.template
    }

    pub(crate) fn retry(&self) -> RetryPolicy {
        RetryPolicy {
            base: Duration::from_millis(self.raw.retry_base_ms),
            cap: Duration::from_millis(self.raw.retry_cap_ms),
        }
    }
}

impl CloudWatchConfig {
    /// A configuration for `log_group` with every other setting at its default.
    pub fn new(log_group: impl Into<String>) -> Self {
        Self {
            log_group: log_group.into(),
            ..Self::default()
        }
    }

    /// Checks every field, resolving the stream template with `values`.
    pub fn validate_with(
        self,
        values: &TemplateValues,
    ) -> Result<ValidCloudWatchConfig, CloudWatchConfigError> {
        validate_log_group_name(&self.log_group).map_err(CloudWatchConfigError::LogGroup)?;
        let template = StreamTemplate::parse(&self.log_stream, values)
            .map_err(CloudWatchConfigError::LogStream)?;
        if let Some(url) = &self.endpoint_url {
            check_endpoint_url(url).map_err(|reason| CloudWatchConfigError::EndpointUrl {
                url: url.clone(),
                reason,
            })?;
        }
        if let Some(days) = self.retention_days
            && !RETENTION_DAYS.contains(&days)
        {
            return Err(CloudWatchConfigError::Retention(days));
        }
        let range = |field, value: u64, ok: bool, expected| {
            if ok {
                Ok(())
            } else {
                Err(CloudWatchConfigError::OutOfRange {
                    field,
                    value,
                    expected,
                })
            }
        };
        let c = &self;
        range(
            "flush_interval_ms",
            c.flush_interval_ms,
            (1..=3_600_000).contains(&c.flush_interval_ms),
            "1 to 3,600,000",
        )?;
        range(
            "max_buffer_bytes",
            c.max_buffer_bytes as u64,
            c.max_buffer_bytes >= MIN_BUFFER_BYTES,
            "at least 1,048,576 (one full batch)",
        )?;
        range(
            "max_buffer_entries",
            c.max_buffer_entries as u64,
            c.max_buffer_entries >= 1,
            "at least 1",
        )?;
        range(
            "max_in_flight",
            c.max_in_flight as u64,
            (1..=64).contains(&c.max_in_flight),
            "1 to 64",
        )?;
        range(
            "max_event_bytes",
            c.max_event_bytes as u64,
            (MIN_MAX_EVENT_BYTES..=DEFAULT_MAX_EVENT_BYTES).contains(&c.max_event_bytes),
            "1,024 to 1,048,550",
        )?;
        range(
            "flush_timeout_ms",
            c.flush_timeout_ms,
            c.flush_timeout_ms >= 1,
            "at least 1",
        )?;
        range(
            "retry_base_ms",
            c.retry_base_ms,
            c.retry_base_ms >= 1 && c.retry_base_ms <= c.retry_cap_ms,
            "at least 1 and at most retry_cap_ms",
        )?;
        Ok(ValidCloudWatchConfig {
            raw: self,
            template,
        })
    }

    /// Checks every field with this process's template values.
    pub fn validate(self) -> Result<ValidCloudWatchConfig, CloudWatchConfigError> {
        self.validate_with(&TemplateValues::current())
    }
}

/// Checks the shape of an endpoint URL: scheme `http` or `https`, a host, an optional
/// numeric port, no spaces or control characters. (Whether anything answers there is
/// found out by the first call.)
fn check_endpoint_url(url: &str) -> Result<(), &'static str> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("it contains spaces or control characters");
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("the scheme must be http:// or https://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match host_port.strip_prefix('[') {
        // An IPv6 literal: [::1]:4566.
        Some(v6) => {
            let (host, after) = v6.split_once(']').ok_or("an IPv6 host lacks its ']'")?;
            (host, after.strip_prefix(':'))
        }
        None => match host_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        },
    };
    if host.is_empty() {
        return Err("there is no host");
    }
    if let Some(port) = port
        && port.parse::<u16>().is_err()
    {
        return Err("the port is not a number from 0 to 65535");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::NameError;

    #[test]
    fn defaults_need_only_a_group() {
        assert!(matches!(
            CloudWatchConfig::default().validate(),
            Err(CloudWatchConfigError::LogGroup(NameError::Empty { .. }))
        ));
        let valid = CloudWatchConfig::new("/lift/payments").validate().unwrap();
        assert!(!valid.template().is_per_tenant());
    }

    #[test]
    fn unknown_fields_and_bad_values_are_refused_clearly() {
        let err =
            serde_json::from_str::<CloudWatchConfig>(r#"{"log_group":"g","flush_intervl_ms":5}"#)
                .unwrap_err();
        assert!(err.to_string().contains("flush_intervl_ms"), "{err}");
        let mut c = CloudWatchConfig::new("g");
        c.retention_days = Some(2);
        assert_eq!(
            c.clone().validate().unwrap_err().to_string(),
            format!("retention_days: 2 is not allowed; use one of {RETENTION_DAYS:?}")
        );
        c.retention_days = Some(7);
        c.max_event_bytes = 10;
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .starts_with("max_event_bytes: 10")
        );
        let mut c = CloudWatchConfig::new("g");
        c.log_stream = "{tenant}".into();
        assert!(matches!(
            c.validate(),
            Err(CloudWatchConfigError::LogStream(_))
        ));
        assert!(matches!(
            CloudWatchConfig::new("aws/lambda/x").validate(),
            Err(CloudWatchConfigError::LogGroup(
                NameError::ReservedPrefix { .. }
            ))
        ));
    }

    #[test]
    fn endpoint_urls_are_checked_at_start() {
        for good in [
            "http://127.0.0.1:4566",
            "https://logs.eu-west-1.amazonaws.com",
            "http://[::1]:5000/",
            "http://localhost",
        ] {
            let mut c = CloudWatchConfig::new("g");
            c.endpoint_url = Some(good.into());
            assert!(c.validate().is_ok(), "{good}");
        }
        for (bad, why) in [
            ("not a url", "spaces"),
            ("127.0.0.1:4566", "scheme"),
            ("ftp://host", "scheme"),
            ("http://", "no host"),
            ("http://:80", "no host"),
            ("http://host:99999", "port"),
            ("http://[::1:80", "IPv6"),
        ] {
            let mut c = CloudWatchConfig::new("g");
            c.endpoint_url = Some(bad.into());
            let err = c.validate().unwrap_err().to_string();
            assert!(
                err.starts_with("endpoint_url: ") && err.contains(why),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn config_parses_from_json_with_defaults() {
        let c: CloudWatchConfig = serde_json::from_str(
            r#"{"log_group":"g","log_stream":"{tenant_id}","overflow":"block","create_group":true}"#,
        )
        .unwrap();
        assert_eq!(c.overflow, OverflowPolicy::Block);
        assert_eq!(c.flush_interval_ms, DEFAULT_FLUSH_INTERVAL_MS);
        assert!(c.validate().unwrap().template().is_per_tenant());
    }
}
