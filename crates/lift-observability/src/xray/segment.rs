//! [`Subsegment`]: one X-Ray (sub)segment document under construction.

use std::error::Error;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::limits::{
    MAX_ANNOTATION_KEY_LEN, MAX_ANNOTATION_VALUE_CHARS, MAX_ANNOTATIONS, MAX_NAME_CHARS,
};

/// Now, as X-Ray writes times: Unix seconds with a fraction.
pub fn epoch_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// A new random 64-bit segment id, as 16 lowercase hex digits.
pub fn new_segment_id() -> String {
    // Zero is not a valid id.
    format!("{:016x}", fastrand::u64(1..))
}

/// An annotation value: X-Ray indexes strings, numbers and booleans.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Annotation {
    /// A string (cut to 1,000 characters).
    Str(String),
    /// A number.
    Number(f64),
    /// A boolean.
    Bool(bool),
}

impl From<&str> for Annotation {
    fn from(v: &str) -> Self {
        Annotation::Str(v.to_owned())
    }
}
impl From<String> for Annotation {
    fn from(v: String) -> Self {
        Annotation::Str(v)
    }
}
impl From<bool> for Annotation {
    fn from(v: bool) -> Self {
        Annotation::Bool(v)
    }
}
impl From<f64> for Annotation {
    fn from(v: f64) -> Self {
        Annotation::Number(v)
    }
}
impl From<i64> for Annotation {
    fn from(v: i64) -> Self {
        Annotation::Number(v as f64)
    }
}
impl From<u16> for Annotation {
    fn from(v: u16) -> Self {
        Annotation::Number(f64::from(v))
    }
}

#[derive(Debug, Clone, Serialize)]
struct Exception {
    id: String,
    message: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
struct Cause {
    exceptions: Vec<Exception>,
}

#[derive(Debug, Clone, Default, Serialize)]
struct Http {
    #[serde(skip_serializing_if = "Map::is_empty")]
    request: Map<String, Json>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    response: Map<String, Json>,
}

/// One segment or subsegment document.
#[derive(Debug, Clone, Serialize)]
pub struct Subsegment {
    name: String,
    id: String,
    trace_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_id: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    start_time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_time: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    in_progress: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    annotations: Map<String, Json>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    metadata: Map<String, Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    http: Option<Http>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    error: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    fault: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    throttle: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    cause: Option<Cause>,
    #[serde(skip)]
    refused_annotations: u32,
}

/// Keeps the characters X-Ray allows in names (letters, digits, whitespace and
/// `_ . : / % & # = + \ - @`), replacing others with `_`, cut to 200 characters.
fn clean_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .take(MAX_NAME_CHARS)
        .map(|c| {
            let ok = c.is_alphanumeric() || c == ' ' || "_.:/%&#=+\\-@".contains(c);
            if ok { c } else { '_' }
        })
        .collect();
    if cleaned.is_empty() {
        "unnamed".into()
    } else {
        cleaned
    }
}

impl Subsegment {
    /// A document named `name` in trace `trace_id`. With a `parent_id` it is a subsegment
    /// (`"type": "subsegment"`), sent on its own; without, a segment. It starts in
    /// progress until [`end`](Self::end).
    pub fn new(name: &str, trace_id: &str, parent_id: Option<&str>, start_time: f64) -> Self {
        Self {
            name: clean_name(name),
            id: new_segment_id(),
            trace_id: trace_id.to_owned(),
            parent_id: parent_id.map(str::to_owned),
            kind: parent_id.map(|_| "subsegment"),
            start_time,
            end_time: None,
            in_progress: Some(true),
            namespace: None,
            annotations: Map::new(),
            metadata: Map::new(),
            http: None,
            error: false,
            fault: false,
            throttle: false,
            cause: None,
            refused_annotations: 0,
        }
    }

    /// A subsegment of this one.
    pub fn child(&self, name: &str, start_time: f64) -> Subsegment {
        Subsegment::new(name, &self.trace_id, Some(&self.id), start_time)
    }

    /// This document's id (16 hex digits) — the `span_id` log lines carry.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Sets the id (tests that need a particular one).
    #[cfg(test)]
    pub(crate) fn set_id_for_test(&mut self, id: &str) {
        self.id = id.to_owned();
    }

    /// The trace id.
    pub fn trace_id(&self) -> &str {
        &self.trace_id
    }

    /// The parent's id.
    pub fn parent_id(&self) -> Option<&str> {
        self.parent_id.as_deref()
    }

    /// `aws` for AWS SDK calls, `remote` for other downstream calls.
    pub fn set_namespace(&mut self, namespace: &str) {
        self.namespace = Some(namespace.to_owned());
    }

    /// Adds an indexed annotation. Keys keep only ASCII letters, digits and `_` (others
    /// become `_`, as X-Ray drops keys with other characters) and are cut to 500; string
    /// values are cut to 1,000 characters; non-finite numbers are refused; past 50
    /// annotations further ones are refused. Returns whether it was added.
    pub fn annotate(&mut self, key: &str, value: impl Into<Annotation>) -> bool {
        let key: String = key
            .chars()
            .take(MAX_ANNOTATION_KEY_LEN)
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let value = match value.into() {
            Annotation::Str(s) => {
                Json::String(s.chars().take(MAX_ANNOTATION_VALUE_CHARS).collect())
            }
            Annotation::Number(n) => match serde_json::Number::from_f64(n) {
                Some(n) => Json::Number(n),
                None => {
                    self.refused_annotations += 1;
                    return false;
                }
            },
            Annotation::Bool(b) => Json::Bool(b),
        };
        let full =
            self.annotations.len() >= MAX_ANNOTATIONS && !self.annotations.contains_key(&key);
        if key.is_empty() || full {
            self.refused_annotations += 1;
            return false;
        }
        self.annotations.insert(key, value);
        true
    }

    /// Annotations refused so far (limits, invalid values).
    pub fn refused_annotations(&self) -> u32 {
        self.refused_annotations
    }

    /// Adds metadata (not indexed; any JSON) under the `default` namespace.
    pub fn metadata(&mut self, key: &str, value: impl Serialize) {
        let value = serde_json::to_value(value).unwrap_or(Json::Null);
        let default = self
            .metadata
            .entry("default")
            .or_insert_with(|| Json::Object(Map::new()));
        if let Json::Object(map) = default {
            map.insert(key.to_owned(), value);
        }
    }

    /// Records the outgoing or incoming HTTP request.
    pub fn set_http_request(&mut self, method: &str, url: &str) {
        let http = self.http.get_or_insert_with(Http::default);
        http.request.insert("method".into(), method.into());
        http.request.insert("url".into(), url.into());
    }

    /// Records the response status: 429 sets `throttle` and `error`, other 4xx `error`,
    /// 5xx `fault`.
    pub fn set_http_status(&mut self, status: u16) {
        let http = self.http.get_or_insert_with(Http::default);
        http.response.insert("status".into(), status.into());
        match status {
            429 => {
                self.throttle = true;
                self.error = true;
            }
            400..=499 => self.error = true,
            500.. => self.fault = true,
            _ => {}
        }
    }

    /// Marks a client error (`error`).
    pub fn set_error(&mut self) {
        self.error = true;
    }

    /// Marks a server error (`fault`).
    pub fn set_fault(&mut self) {
        self.fault = true;
    }

    /// Whether `error`, `fault` or `throttle` is set.
    pub fn failed(&self) -> bool {
        self.error || self.fault || self.throttle
    }

    /// Records an exception (message with its `source()` chain, and a type name) and
    /// marks a fault unless an error is already marked.
    pub fn record_exception(&mut self, error: &(dyn Error + 'static), kind: Option<&str>) {
        let mut message = String::new();
        crate::value::write_error_chain(&mut message, error);
        let cause = self.cause.get_or_insert_with(Cause::default);
        cause.exceptions.push(Exception {
            id: new_segment_id(),
            message,
            kind: kind.map(str::to_owned),
        });
        if !self.error {
            self.fault = true;
        }
    }

    /// Ends the (sub)segment at `end_time`.
    pub fn end(&mut self, end_time: f64) {
        self.end_time = Some(end_time.max(self.start_time));
        self.in_progress = None;
    }

    /// Whether [`end`](Self::end) was called.
    pub fn is_ended(&self) -> bool {
        self.end_time.is_some()
    }

    /// The document as JSON.
    pub fn to_document(&self) -> Vec<u8> {
        // Every member serialises infallibly (strings, finite numbers, JSON values).
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The smallest valid form: identity, times and flags, without annotations, metadata,
    /// HTTP or cause — what is sent when the full document is too big for a datagram.
    pub(crate) fn stripped(&self) -> Subsegment {
        Subsegment {
            annotations: Map::new(),
            metadata: Map::new(),
            http: None,
            cause: None,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_limits_are_enforced() {
        let mut s = Subsegment::new("h", "1-5759e988-bd862e3fe1be46a994272793", None, 1.0);
        assert!(s.annotate("tenant id!", "acme"));
        assert!(s.annotate("long", "x".repeat(5000).as_str()));
        assert!(!s.annotate("nan", f64::NAN));
        for i in 0..60 {
            s.annotate(&format!("k{i}"), i as i64);
        }
        let doc: Json = serde_json::from_slice(&s.to_document()).unwrap();
        let annotations = doc["annotations"].as_object().unwrap();
        assert_eq!(annotations.len(), MAX_ANNOTATIONS);
        assert_eq!(annotations["tenant_id_"], "acme");
        assert_eq!(annotations["long"].as_str().unwrap().chars().count(), 1000);
        assert_eq!(s.refused_annotations(), 1 + 12);
        assert_eq!(doc["in_progress"], true);
        assert!(doc.get("type").is_none(), "no parent: a segment");
    }

    #[test]
    fn names_are_cleaned_and_children_link_to_parents() {
        let s = Subsegment::new(
            "GET /charge?x=<1>",
            "1-5759e988-bd862e3fe1be46a994272793",
            Some("53995c3f42cd8ad8"),
            1.0,
        );
        assert_eq!(s.name, "GET /charge_x=_1_");
        let c = s.child("db", 2.0);
        assert_eq!(c.parent_id(), Some(s.id()));
        assert_eq!(c.trace_id(), s.trace_id());
        assert_eq!(c.id().len(), 16);
        assert_ne!(c.id(), s.id());
    }

    #[test]
    fn status_sets_the_right_flag() {
        let mut s = Subsegment::new("h", "t", Some("p"), 1.0);
        s.set_http_status(429);
        assert!(s.throttle && s.error && !s.fault);
        let mut s = Subsegment::new("h", "t", Some("p"), 1.0);
        s.set_http_status(503);
        assert!(s.fault && !s.error);
        s.end(0.5);
        assert_eq!(s.end_time, Some(1.0), "never ends before it starts");
    }
}
