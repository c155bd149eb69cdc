//! Key profiles: the names a JSON line's own keys take, chosen once per logger.
//!
//! [`KeyProfile::Lift`] (the default) writes Lift's flat keys: `timestamp` (RFC 3339),
//! `level` (`WARN`), `message`, `request_id`, `trace_id`. [`KeyProfile::Powertools`] writes
//! what Powertools for AWS Lambda (Python) writes, so Logs Insights queries, dashboards and
//! alarms built on Powertools keep working: `level` (`WARNING`), `location` (`module:line`
//! of the call site), `message`, `timestamp` (`2026-12-02 05:34:19,260+0000`),
//! `function_request_id`, `xray_trace_id`, `function_arn`, `function_memory_size`. A
//! profile changes which constant bytes are copied, not the path an entry takes.

use serde::{Deserialize, Serialize};

use crate::level::Level;

/// Which names and formats a JSON line's own keys use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum KeyProfile {
    /// Lift's flat keys (the default).
    #[default]
    Lift,
    /// Powertools for AWS Lambda (Python)'s keys, level names and timestamp format.
    Powertools,
}

impl KeyProfile {
    /// `lift` or `powertools` (any case), as `LIFT_LOG_KEYS` names them.
    pub fn parse(name: &str) -> Option<Self> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("lift") {
            Some(KeyProfile::Lift)
        } else if name.eq_ignore_ascii_case("powertools") {
            Some(KeyProfile::Powertools)
        } else {
            None
        }
    }

    /// The name a key of Lift's own context is written under; `None` leaves it out
    /// (the Lambda function's ARN and memory size are written under `powertools` only).
    pub(crate) fn own_key(self, key: &str) -> Option<&str> {
        match (self, key) {
            (KeyProfile::Lift, "function_arn" | "function_memory_size") => None,
            (KeyProfile::Powertools, "request_id") => Some("function_request_id"),
            (KeyProfile::Powertools, "trace_id") => Some("xray_trace_id"),
            _ => Some(key),
        }
    }

    /// The line's opening up to the message's first byte: timestamp, level (and location).
    pub(crate) fn level_name(self, level: Level) -> &'static str {
        match (self, level) {
            (_, Level::Trace) => "TRACE",
            (_, Level::Debug) => "DEBUG",
            (_, Level::Info) => "INFO",
            (KeyProfile::Lift, Level::Warn) => "WARN",
            (KeyProfile::Powertools, Level::Warn) => "WARNING",
            (_, Level::Error) => "ERROR",
        }
    }
}

/// Rewrites the RFC 3339 timestamp `out[start..]` (`2026-12-02T05:34:19.260Z`) in Python
/// logging's format as Powertools writes it (`2026-12-02 05:34:19,260+0000`).
pub(crate) fn to_python_timestamp(out: &mut Vec<u8>, start: usize) {
    let written = &out[start..];
    if written.len() == 24 && written[10] == b'T' && written[19] == b'.' && written[23] == b'Z' {
        out[start + 10] = b' ';
        out[start + 19] = b',';
        out.pop();
        out.extend_from_slice(b"+0000");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_timestamps() {
        assert_eq!(
            KeyProfile::parse(" Powertools "),
            Some(KeyProfile::Powertools)
        );
        assert_eq!(KeyProfile::parse("LIFT"), Some(KeyProfile::Lift));
        assert_eq!(KeyProfile::parse("zap"), None);
        assert_eq!(KeyProfile::Powertools.level_name(Level::Warn), "WARNING");
        assert_eq!(KeyProfile::Lift.level_name(Level::Warn), "WARN");
        assert_eq!(
            KeyProfile::Powertools.own_key("request_id"),
            Some("function_request_id")
        );
        assert_eq!(KeyProfile::Lift.own_key("function_arn"), None);
        let mut out = b"x".to_vec();
        crate::timestamp::write_rfc3339_millis(&mut out, 1_764_653_659_260);
        to_python_timestamp(&mut out, 1);
        assert_eq!(out, b"x2025-12-02 05:34:19,260+0000");
    }
}
