//! The `PutLogEvents` request body, written straight from a packed batch.
//!
//! Left to itself the SDK copies every message into an `InputLogEvent` and escapes it with
//! its generic byte-at-a-time JSON writer — for a full batch that was a third of the
//! shipper's CPU time, spent while the stream waits. Here the AWS JSON 1.1 document
//! `{"logGroupName":…,"logStreamName":…,"logEvents":[{"timestamp":…,"message":…},…]}` is
//! written once, messages escaped by Lift's own JSON escaper (the one every log line goes
//! through: RFC 8259, plus `\u2028`/`\u2029`; it finds every byte to escape in sixteen at
//! once, which matters here, where every message is a JSON line full of quotes), and
//! [`crate::SdkLogsApi`] hands it to the SDK before signing.
//!
//! A [`PreparedPut`] is that body together with its SHA-256 — the payload hash SigV4 signs —
//! written once per batch by [`PutRequest::body`](crate::PutRequest::body), usually before
//! the call: the shipper writes a stream's next batch while the stream's current call is in
//! flight, so the next request leaves as soon as the stream is free, and a retried or
//! replayed batch is not written and hashed again. Tests parse bodies back and
//! compare them with the events, for arbitrary text, and check the hash against the bytes.

use std::fmt;

use bytes::Bytes;
use lift_observability::escape_json_str;
use sha2::{Digest, Sha256};

use crate::packer::LogEvent;

/// A `PutLogEvents` request made ready before it is sent: the JSON body and its SHA-256.
///
/// Written once per batch, by [`PutRequest::body`](crate::PutRequest::body).
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedPut {
    body: Bytes,
    payload_sha256: String,
}

impl PreparedPut {
    /// Writes the body putting `events` into `group`/`stream` and hashes it.
    pub fn new(group: &str, stream: &str, events: &[LogEvent]) -> Self {
        let body = put_log_events_body(group, stream, events);
        let payload_sha256 = lower_hex(&Sha256::digest(&body));
        Self {
            body: Bytes::from(body),
            payload_sha256,
        }
    }

    /// The request body: one AWS JSON 1.1 document.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body's SHA-256 as lowercase hex — what SigV4 signs as the payload hash.
    pub fn payload_sha256(&self) -> &str {
        &self.payload_sha256
    }

    /// The same body with another hash: for tests that show the hash given is the one signed.
    #[cfg(test)]
    pub(crate) fn with_payload_sha256(mut self, hash: &str) -> Self {
        self.payload_sha256 = hash.to_owned();
        self
    }
}

impl fmt::Debug for PreparedPut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedPut")
            .field("body_bytes", &self.body.len())
            .field("payload_sha256", &self.payload_sha256)
            .finish()
    }
}

fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Bytes one event adds to the body besides its escaped message.
const EVENT_FRAME_BYTES: usize = r#"{"timestamp":-9223372036854775808,"message":""},"#.len();

/// The JSON body of a `PutLogEvents` call putting `events` into `group`/`stream`.
pub(crate) fn put_log_events_body(group: &str, stream: &str, events: &[LogEvent]) -> Vec<u8> {
    let messages: usize = events.iter().map(|e| e.message.len()).sum();
    // Lift's lines escape about one byte in six; a little more room avoids a regrowth.
    let mut out = Vec::with_capacity(
        64 + group.len()
            + stream.len()
            + messages
            + messages / 4
            + events.len() * EVENT_FRAME_BYTES,
    );
    out.extend_from_slice(br#"{"logGroupName":""#);
    escape_json_str(&mut out, group);
    out.extend_from_slice(br#"","logStreamName":""#);
    escape_json_str(&mut out, stream);
    out.extend_from_slice(br#"","logEvents":["#);
    let mut digits = itoa::Buffer::new();
    for (i, event) in events.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(br#"{"timestamp":"#);
        out.extend_from_slice(digits.format(event.timestamp_ms).as_bytes());
        out.extend_from_slice(br#","message":""#);
        escape_json_str(&mut out, &event.message);
        out.extend_from_slice(br#""}"#);
    }
    out.extend_from_slice(b"]}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    fn parse(body: &[u8]) -> Value {
        serde_json::from_slice(body).expect("the body is one JSON document")
    }

    fn events_of(doc: &Value) -> Vec<(i64, String)> {
        doc["logEvents"]
            .as_array()
            .expect("logEvents is an array")
            .iter()
            .map(|e| {
                (
                    e["timestamp"].as_i64().expect("timestamp"),
                    e["message"].as_str().expect("message").to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn carries_the_names_and_every_event_in_order() {
        let events = [
            LogEvent::new(
                1_764_239_618_123,
                r#"{"level":"info","message":"a \"quoted\" word"}"#,
            ),
            LogEvent::new(
                1_764_239_618_124,
                "tab\there, newline\nthere, \u{2028} and é",
            ),
            LogEvent::new(-5, "\u{0}\u{1f}\\"),
        ];
        let doc = parse(&put_log_events_body("/lift/g", "2026/11/27/host", &events));
        assert_eq!(doc["logGroupName"], "/lift/g");
        assert_eq!(doc["logStreamName"], "2026/11/27/host");
        let expected: Vec<_> = events
            .iter()
            .map(|e| (e.timestamp_ms, e.message.clone()))
            .collect();
        assert_eq!(events_of(&doc), expected);
    }

    #[test]
    fn an_empty_batch_is_still_a_valid_document() {
        let doc = parse(&put_log_events_body("g", "s", &[]));
        assert_eq!(doc["logEvents"], Value::Array(Vec::new()));
    }

    #[test]
    fn escaped_body_fits_the_capacity_estimate_for_lift_lines() {
        let line = r#"{"timestamp":"2026-11-27T10:33:38.123Z","level":"info","message":"Charge captured","service":"payments","amount":1250,"currency":"USD"}"#;
        let events: Vec<_> = (0..100).map(|i| LogEvent::new(i, line)).collect();
        let body = put_log_events_body("g", "s", &events);
        let messages = line.len() * events.len();
        let reserved = 64 + 2 + messages + messages / 4 + events.len() * EVENT_FRAME_BYTES;
        assert!(body.len() <= reserved, "{} > {reserved}", body.len());
    }

    #[test]
    fn a_prepared_put_carries_the_body_and_its_sha256() {
        let events = [LogEvent::new(1_764_239_618_123, r#"{"level":"info"}"#)];
        let prepared = PreparedPut::new("g", "s", &events);
        assert_eq!(
            prepared.body().as_ref(),
            put_log_events_body("g", "s", &events).as_slice()
        );
        // The digest of the same bytes computed independently (sha256sum).
        let empty = PreparedPut::new("g", "s", &[]);
        assert_eq!(
            empty.body().as_ref(),
            br#"{"logGroupName":"g","logStreamName":"s","logEvents":[]}"#
        );
        assert_eq!(
            empty.payload_sha256(),
            "52e91dc4a2e83f24c65330849714dbeb6506faa7145a3d130c605828c3ffa4cd"
        );
        assert_eq!(prepared.payload_sha256().len(), 64);
        assert_ne!(prepared.payload_sha256(), empty.payload_sha256());
        let shown = format!("{prepared:?}");
        assert!(
            shown.contains("body_bytes") && !shown.contains("level"),
            "{shown}"
        );
    }

    #[test]
    fn lower_hex_writes_every_nibble() {
        assert_eq!(lower_hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(lower_hex(&[]), "");
    }

    proptest! {
        #[test]
        fn any_text_round_trips(
            group in "\\PC{0,20}",
            stream in "\\PC{0,20}",
            messages in proptest::collection::vec((any::<i64>(), any::<String>()), 0..20),
        ) {
            let events: Vec<_> = messages
                .iter()
                .map(|(ts, m)| LogEvent::new(*ts, m.as_str()))
                .collect();
            let doc = parse(&put_log_events_body(&group, &stream, &events));
            prop_assert_eq!(doc["logGroupName"].as_str(), Some(group.as_str()));
            prop_assert_eq!(doc["logStreamName"].as_str(), Some(stream.as_str()));
            prop_assert_eq!(events_of(&doc), messages);
        }
    }
}
