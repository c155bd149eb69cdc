//! An independent checker for EMF documents: parses a line back and reports every broken
//! rule. Lift's tests and fuzz targets run every document Lift writes through it; it is
//! public so applications can check EMF from any source.
//!
//! It works from the parsed JSON, not from Lift's writer, so a writer bug cannot hide
//! itself.

use std::collections::HashSet;

use serde_json::Value as Json;

use super::rules::{
    self, MAX_DIMENSIONS_PER_SET, MAX_METRICS_PER_DOCUMENT, MAX_VALUES_PER_METRIC, METADATA_KEY,
};
use super::unit::Unit;

/// The maximum age of an EMF timestamp (14 days), in milliseconds.
pub const MAX_PAST_MS: i64 = 14 * 24 * 3_600_000;
/// The maximum lead of an EMF timestamp (2 hours), in milliseconds.
pub const MAX_FUTURE_MS: i64 = 2 * 3_600_000;

/// What a valid document holds.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DocumentSummary {
    /// The document's timestamp, Unix milliseconds.
    pub timestamp_ms: i64,
    /// `(namespace, metric name, values)` for every metric, in order.
    pub metrics: Vec<(String, String, Vec<f64>)>,
    /// Every dimension set, as `(key, value)` pairs.
    pub dimension_sets: Vec<Vec<(String, String)>>,
}

/// Checks `line` against every EMF rule; `now_ms` bounds the timestamp (−14 d … +2 h).
/// Returns every broken rule, not only the first.
pub fn check_document(line: &str, now_ms: i64) -> Result<DocumentSummary, Vec<String>> {
    let mut problems = Vec::new();
    let root: Json = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return Err(vec![format!("not JSON: {e}")]),
    };
    let Some(root) = root.as_object() else {
        return Err(vec!["root is not an object".into()]);
    };
    let Some(aws) = root.get(METADATA_KEY).and_then(Json::as_object) else {
        return Err(vec!["no `_aws` object".into()]);
    };
    let mut summary = DocumentSummary {
        timestamp_ms: 0,
        metrics: Vec::new(),
        dimension_sets: Vec::new(),
    };
    match aws.get("Timestamp").and_then(Json::as_i64) {
        Some(t) if t < now_ms - MAX_PAST_MS || t > now_ms + MAX_FUTURE_MS => {
            problems.push(format!("Timestamp {t} outside −14 d … +2 h of {now_ms}"));
        }
        Some(t) => summary.timestamp_ms = t,
        None => problems.push("Timestamp missing or not an integer".into()),
    }
    for key in aws.keys() {
        if key != "Timestamp" && key != "CloudWatchMetrics" {
            problems.push(format!("unknown `_aws` member {key:?}"));
        }
    }
    let Some(directives) = aws.get("CloudWatchMetrics").and_then(Json::as_array) else {
        problems.push("CloudWatchMetrics missing or not an array".into());
        return Err(problems);
    };
    let mut resolutions: Vec<(String, u64)> = Vec::new();
    for d in directives {
        check_directive(d, root, &mut summary, &mut resolutions, &mut problems);
    }
    if problems.is_empty() {
        Ok(summary)
    } else {
        Err(problems)
    }
}

fn check_directive(
    d: &Json,
    root: &serde_json::Map<String, Json>,
    summary: &mut DocumentSummary,
    resolutions: &mut Vec<(String, u64)>,
    problems: &mut Vec<String>,
) {
    let Some(d) = d.as_object() else {
        problems.push("a directive is not an object".into());
        return;
    };
    for key in d.keys() {
        if !["Namespace", "Dimensions", "Metrics"].contains(&key.as_str()) {
            problems.push(format!("unknown directive member {key:?}"));
        }
    }
    let namespace = d
        .get("Namespace")
        .and_then(Json::as_str)
        .unwrap_or_default();
    if let Err(e) = rules::check_namespace(namespace) {
        problems.push(format!("Namespace {namespace:?}: {e}"));
    }
    let mut dimension_keys = HashSet::new();
    match d.get("Dimensions").and_then(Json::as_array) {
        Some(sets) => {
            for set in sets {
                let Some(keys) = set.as_array() else {
                    problems.push("a dimension set is not an array".into());
                    continue;
                };
                if keys.len() > MAX_DIMENSIONS_PER_SET {
                    problems.push(format!("dimension set of {} keys", keys.len()));
                }
                let mut pairs = Vec::new();
                for key in keys {
                    let Some(key) = key.as_str() else {
                        problems.push("a dimension key is not a string".into());
                        continue;
                    };
                    if let Err(e) = rules::check_dimension_name(key) {
                        problems.push(format!("dimension name {key:?}: {e}"));
                    }
                    match root.get(key).and_then(Json::as_str) {
                        Some(v) => {
                            if let Err(e) = rules::check_dimension_value(v) {
                                problems.push(format!("dimension {key:?} value: {e}"));
                            }
                            pairs.push((key.to_owned(), v.to_owned()));
                        }
                        None => problems.push(format!("dimension {key:?} has no string value")),
                    }
                    dimension_keys.insert(key.to_owned());
                }
                summary.dimension_sets.push(pairs);
            }
        }
        None => problems.push("Dimensions missing or not an array".into()),
    }
    let Some(metrics) = d.get("Metrics").and_then(Json::as_array) else {
        problems.push("Metrics missing or not an array".into());
        return;
    };
    if metrics.len() > MAX_METRICS_PER_DOCUMENT {
        problems.push(format!("{} metrics in one directive", metrics.len()));
    }
    for m in metrics {
        let Some(m) = m.as_object() else {
            problems.push("a metric definition is not an object".into());
            continue;
        };
        for key in m.keys() {
            if !["Name", "Unit", "StorageResolution"].contains(&key.as_str()) {
                problems.push(format!("unknown metric member {key:?}"));
            }
        }
        let name = m.get("Name").and_then(Json::as_str).unwrap_or_default();
        if let Err(e) = rules::check_metric_name(name) {
            problems.push(format!("metric name {name:?}: {e}"));
        }
        if dimension_keys.contains(name) {
            problems.push(format!("metric {name:?} is also a dimension"));
        }
        if let Some(unit) = m.get("Unit") {
            if unit.as_str().and_then(Unit::from_name).is_none() {
                problems.push(format!("metric {name:?}: unknown unit {unit}"));
            }
        }
        let resolution = match m.get("StorageResolution") {
            None => 60,
            Some(r) => match r.as_u64() {
                Some(r @ (1 | 60)) => r,
                _ => {
                    problems.push(format!("metric {name:?}: StorageResolution {r}"));
                    60
                }
            },
        };
        match resolutions.iter().find(|(n, _)| n == name) {
            Some((_, r)) if *r != resolution => {
                problems.push(format!("metric {name:?} with two resolutions"));
            }
            Some(_) => {}
            None => resolutions.push((name.to_owned(), resolution)),
        }
        let values = match root.get(name) {
            Some(Json::Number(n)) => n.as_f64().into_iter().collect(),
            Some(Json::Array(items)) => {
                if items.len() > MAX_VALUES_PER_METRIC {
                    problems.push(format!("metric {name:?} has {} values", items.len()));
                }
                if items.is_empty() {
                    problems.push(format!("metric {name:?} has an empty array"));
                }
                let numbers: Vec<f64> = items.iter().filter_map(Json::as_f64).collect();
                if numbers.len() != items.len() {
                    problems.push(format!("metric {name:?} array holds a non-number"));
                }
                numbers
            }
            other => {
                problems.push(format!("metric {name:?} value is {other:?}, not a number"));
                Vec::new()
            }
        };
        summary
            .metrics
            .push((namespace.to_owned(), name.to_owned(), values));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checker_catches_broken_documents() {
        let now = 1_700_000_000_000;
        let ok = r#"{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["S"]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"S":"x","M":1}"#;
        assert!(check_document(ok, now).is_ok());
        let broken = [
            ok.replace(r#""M":1"#, r#""M":null"#),
            ok.replace(r#""S":"x""#, r#""S":1"#),
            ok.replace("Count", "Counts"),
            ok.replace("1700000000000,", "1600000000000,"),
            ok.replace(r#""Namespace":"N""#, r#""Namespace":"N N""#),
            ok.replace(r#","S":"x""#, ""),
        ];
        for doc in broken {
            assert!(check_document(&doc, now).is_err(), "{doc}");
        }
    }
}
