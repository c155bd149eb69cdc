//! The end-of-run summary: a short table for a person at a terminal, or one compact JSON
//! line for pipes and scripts (`--summary json`).
//!
//! Only what the run has is reported: CloudWatch's batches and retries appear when logs
//! were shipped there, X-Ray's count when subsegments were sent. `shipped` counts log
//! entries only; EMF documents are counted apart (`metric_documents`).

use std::fmt::Write as _;
use std::time::Duration;

use lift_observability::LoggerStats;
use serde_json::{Map, Value, json};

/// Everything the summary reports.
#[derive(Debug, Default)]
pub(crate) struct Totals {
    pub(crate) requests: u64,
    pub(crate) failed_requests: u64,
    /// Requests per tenant, in tenant order (`tenant-0`, `tenant-1`, …).
    pub(crate) per_tenant: Vec<u64>,
    /// Each request's latency through the stack, sorted.
    pub(crate) latencies: Vec<Duration>,
    pub(crate) masked_card_numbers: u64,
    pub(crate) stats: LoggerStats,
    /// Log entries delivered (EMF documents excluded).
    pub(crate) shipped: u64,
    pub(crate) metric_documents: u64,
    /// With CloudWatch: batches, retries, EMF documents shipped.
    pub(crate) cloudwatch: Option<(u64, u64, u64)>,
    /// With X-Ray: documents sent.
    pub(crate) xray_sent: Option<u64>,
    /// With `--rate-limit`: the limit, and the requests answered 429.
    pub(crate) rate_limited: Option<(String, u64)>,
    pub(crate) elapsed: Duration,
}

impl Totals {
    /// The latency at quantile `q` (0 to 1), in milliseconds to the microsecond.
    fn latency_ms(&self, q: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let at = ((self.latencies.len() - 1) as f64 * q).round() as usize;
        self.latencies[at].as_micros() as f64 / 1000.0
    }

    /// The compact JSON summary: one line, no field the run does not have.
    pub(crate) fn json(&self) -> Value {
        let levels = &self.stats.entries_by_level;
        let mut out = Map::new();
        out.insert("requests".into(), self.requests.into());
        out.insert("failed_requests".into(), self.failed_requests.into());
        out.insert("entries".into(), self.stats.entries_logged.into());
        out.insert(
            "entries_by_level".into(),
            json!({"trace": levels.trace, "debug": levels.debug, "info": levels.info,
                   "warn": levels.warn, "error": levels.error}),
        );
        out.insert("shipped".into(), self.shipped.into());
        out.insert("dropped".into(), self.stats.entries_dropped.into());
        out.insert("metric_documents".into(), self.metric_documents.into());
        out.insert(
            "masked_card_numbers".into(),
            self.masked_card_numbers.into(),
        );
        out.insert(
            "requests_per_tenant".into(),
            self.per_tenant
                .iter()
                .enumerate()
                .map(|(i, n)| (format!("tenant-{i}"), Value::from(*n)))
                .collect::<Map<_, _>>()
                .into(),
        );
        out.insert(
            "latency_ms".into(),
            json!({"p50": self.latency_ms(0.5), "p99": self.latency_ms(0.99)}),
        );
        if let Some((batches, retries, emf_shipped)) = self.cloudwatch {
            out.insert("batches".into(), batches.into());
            out.insert("retries".into(), retries.into());
            out.insert("metric_documents_shipped".into(), emf_shipped.into());
        }
        if let Some(sent) = self.xray_sent {
            out.insert("xray_sent".into(), sent.into());
        }
        if let Some((limit, denied)) = &self.rate_limited {
            out.insert("rate_limit".into(), limit.as_str().into());
            out.insert("rate_limited".into(), (*denied).into());
        }
        out.insert(
            "elapsed_ms".into(),
            (self.elapsed.as_millis() as u64).into(),
        );
        Value::Object(out)
    }

    /// The table for a person.
    pub(crate) fn human(&self) -> String {
        let levels = &self.stats.entries_by_level;
        let mut t = String::new();
        let mut row = |name: &str, value: String| {
            let _ = writeln!(t, "  {name:<22} {value}");
        };
        row(
            "requests",
            format!("{} ({} failed)", self.requests, self.failed_requests),
        );
        if let Some((limit, denied)) = &self.rate_limited {
            row(
                "rate limited (429)",
                format!("{denied} — limit {limit} per tenant"),
            );
        }
        row(
            "log entries",
            format!(
                "{} — {} info, {} warn, {} error, {} debug/trace",
                self.stats.entries_logged,
                levels.info,
                levels.warn,
                levels.error,
                levels.debug + levels.trace
            ),
        );
        row(
            "delivered / dropped",
            format!("{} / {}", self.shipped, self.stats.entries_dropped),
        );
        let tenants: Vec<String> = self
            .per_tenant
            .iter()
            .enumerate()
            .map(|(i, n)| format!("tenant-{i} {n}"))
            .collect();
        row("requests per tenant", tenants.join(", "));
        row("card numbers masked", self.masked_card_numbers.to_string());
        row("metric documents", self.metric_documents.to_string());
        if let Some((batches, retries, emf_shipped)) = self.cloudwatch {
            row(
                "CloudWatch",
                format!("{batches} batches, {retries} retries, {emf_shipped} EMF documents"),
            );
        }
        if let Some(sent) = self.xray_sent {
            row("X-Ray documents", sent.to_string());
        }
        row(
            "latency p50 / p99",
            format!(
                "{:.3} / {:.3} ms",
                self.latency_ms(0.5),
                self.latency_ms(0.99)
            ),
        );
        row("wall time", format!("{:.3} s", self.elapsed.as_secs_f64()));
        format!("\nLift demo summary\n{t}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_no_nulls_and_names_only_what_ran() {
        let totals = Totals {
            requests: 3,
            per_tenant: vec![2, 1],
            latencies: vec![
                Duration::from_micros(100),
                Duration::from_micros(200),
                Duration::from_micros(900),
            ],
            ..Totals::default()
        };
        let j = totals.json();
        let text = j.to_string();
        assert!(!text.contains("null"), "{text}");
        assert!(j.get("batches").is_none() && j.get("xray_sent").is_none());
        assert_eq!(j["latency_ms"]["p50"], 0.2);
        assert_eq!(j["latency_ms"]["p99"], 0.9);
        assert_eq!(j["requests_per_tenant"]["tenant-1"], 1);
        assert!(text.len() < 600, "{} bytes", text.len());
        let table = totals.human();
        assert!(table.contains("requests per tenant") && table.contains("tenant-0 2"));
        assert!(!table.contains("CloudWatch"));
    }
}
