//! [`XRayEmitter`]: sends documents to the X-Ray daemon over UDP.
//!
//! Each datagram is the daemon's header line followed by one document. The socket is
//! non-blocking and unconnected, so a missing daemon costs one failed (or silently lost)
//! `send_to` — never a wait and never an error for the caller. A document too big for one
//! datagram is sent without its annotations, metadata, HTTP block and cause (identity,
//! times and flags survive) and counted as truncated. Documents go through the redactor
//! before they leave, like log lines.

use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use serde_json::Value as Json;

use super::limits::{DAEMON_HEADER, MAX_DATAGRAM_BYTES};
use super::segment::Subsegment;
use crate::redact::Redactor;

/// Where the daemon listens when `AWS_XRAY_DAEMON_ADDRESS` is unset.
pub const DEFAULT_DAEMON_ADDRESS: &str = "127.0.0.1:2000";

/// The daemon's UDP address from `AWS_XRAY_DAEMON_ADDRESS` (`host:port`, or the
/// `tcp:host:port udp:host:port` form), or the default.
pub fn daemon_address_from_env() -> Option<SocketAddr> {
    let value = std::env::var("AWS_XRAY_DAEMON_ADDRESS").unwrap_or_default();
    parse_daemon_address(&value)
}

fn parse_daemon_address(value: &str) -> Option<SocketAddr> {
    let value = value.trim();
    let udp = value
        .split_whitespace()
        .find_map(|part| part.strip_prefix("udp:"))
        .unwrap_or(if value.is_empty() || value.contains(' ') {
            DEFAULT_DAEMON_ADDRESS
        } else {
            value
        });
    udp.to_socket_addrs().ok()?.next()
}

/// What the emitter did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct XRayStats {
    /// Datagrams handed to the socket.
    pub sent: u64,
    /// Documents sent stripped because the full one exceeded 64 KB.
    pub truncated: u64,
    /// Sends the socket refused (no daemon, buffer full); the document is lost.
    pub send_errors: u64,
}

#[derive(Debug, Default)]
struct Counters {
    sent: AtomicU64,
    truncated: AtomicU64,
    send_errors: AtomicU64,
}

/// Sends segment documents to the X-Ray daemon; cheap to clone.
#[derive(Debug, Clone)]
pub struct XRayEmitter {
    socket: Option<Arc<UdpSocket>>,
    daemon: SocketAddr,
    redactor: Arc<Redactor>,
    counters: Arc<Counters>,
}

impl XRayEmitter {
    /// An emitter for the daemon at `daemon`, redacting with Lift's default rules.
    pub fn new(daemon: SocketAddr) -> Self {
        let bind: SocketAddr = if daemon.is_ipv4() {
            ([0, 0, 0, 0], 0).into()
        } else {
            (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let socket = UdpSocket::bind(bind)
            .and_then(|s| s.set_nonblocking(true).map(|()| s))
            .ok()
            .map(Arc::new);
        Self {
            socket,
            daemon,
            redactor: Arc::new(Redactor::new()),
            counters: Arc::default(),
        }
    }

    /// An emitter for `AWS_XRAY_DAEMON_ADDRESS` (default `127.0.0.1:2000`).
    pub fn from_env() -> Self {
        let default = DEFAULT_DAEMON_ADDRESS
            .parse()
            .unwrap_or(([127, 0, 0, 1], 2000).into());
        Self::new(daemon_address_from_env().unwrap_or(default))
    }

    /// Redacts documents with `redactor` instead of the default rules.
    pub fn with_redactor(mut self, redactor: Redactor) -> Self {
        self.redactor = Arc::new(redactor);
        self
    }

    /// The daemon's address.
    pub fn daemon(&self) -> SocketAddr {
        self.daemon
    }

    /// Sends `segment` (ended or in progress). Never blocks, never fails the caller.
    pub fn emit(&self, segment: &Subsegment) {
        let mut datagram = self.datagram(segment);
        if datagram.len() > MAX_DATAGRAM_BYTES {
            self.counters.truncated.fetch_add(1, Ordering::Relaxed);
            datagram = self.datagram(&segment.stripped());
        }
        let sent = self
            .socket
            .as_ref()
            .is_some_and(|s| s.send_to(&datagram, self.daemon).is_ok());
        let counter = if sent {
            &self.counters.sent
        } else {
            &self.counters.send_errors
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn datagram(&self, segment: &Subsegment) -> Vec<u8> {
        let document = self.redacted_document(segment);
        let mut datagram = Vec::with_capacity(DAEMON_HEADER.len() + document.len());
        datagram.extend_from_slice(DAEMON_HEADER.as_bytes());
        datagram.extend_from_slice(&document);
        datagram
    }

    /// The document with what callers put in it redacted — the name, annotations,
    /// metadata, HTTP block and exception messages — and the identity left alone: ids are
    /// random hex whose digit runs can pass for card numbers, and masking one would break
    /// the trace's links.
    fn redacted_document(&self, segment: &Subsegment) -> Vec<u8> {
        let mut doc = match serde_json::to_value(segment) {
            Ok(doc) => doc,
            Err(_) => return segment.to_document(),
        };
        if let Json::Object(map) = &mut doc {
            for key in ["name", "annotations", "metadata", "http"] {
                if let Some(value) = map.get_mut(key) {
                    self.redact_value(value);
                }
            }
            let exceptions = map
                .get_mut("cause")
                .and_then(|c| c.get_mut("exceptions"))
                .and_then(Json::as_array_mut);
            for exception in exceptions.into_iter().flatten() {
                if let Some(message) = exception.get_mut("message") {
                    self.redact_value(message);
                }
            }
        }
        serde_json::to_vec(&doc).unwrap_or_else(|_| segment.to_document())
    }

    fn redact_value(&self, value: &mut Json) {
        match value {
            Json::String(s) => {
                if let std::borrow::Cow::Owned(redacted) = self.redactor.redact(s) {
                    *s = redacted;
                }
            }
            Json::Object(_) | Json::Array(_) => {
                let text = value.to_string();
                if let std::borrow::Cow::Owned(redacted) = self.redactor.redact_line(&text)
                    && let Ok(parsed) = serde_json::from_str(&redacted)
                {
                    *value = parsed;
                }
            }
            _ => {}
        }
    }

    /// Counts so far.
    pub fn stats(&self) -> XRayStats {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        XRayStats {
            sent: get(&self.counters.sent),
            truncated: get(&self.counters.truncated),
            send_errors: get(&self.counters.send_errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn daemon_addresses_parse_in_both_forms() {
        assert_eq!(
            parse_daemon_address("127.0.0.1:3000"),
            Some("127.0.0.1:3000".parse().unwrap())
        );
        assert_eq!(
            parse_daemon_address("tcp:127.0.0.1:2001 udp:127.0.0.1:2002"),
            Some("127.0.0.1:2002".parse().unwrap())
        );
        assert_eq!(
            parse_daemon_address(""),
            Some("127.0.0.1:2000".parse().unwrap())
        );
    }

    #[test]
    fn datagrams_carry_the_header_and_big_documents_are_stripped() {
        let listener = UdpSocket::bind("127.0.0.1:0").unwrap();
        listener
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let emitter = XRayEmitter::new(listener.local_addr().unwrap());
        let mut s = Subsegment::new(
            "h",
            "1-5759e988-bd862e3fe1be46a994272793",
            Some("53995c3f42cd8ad8"),
            1.0,
        );
        s.metadata("blob", "x".repeat(70_000));
        s.annotate("card", "4111 1111 1111 1111");
        s.end(2.0);
        emitter.emit(&s);
        s.metadata("blob", "small");
        emitter.emit(&s);
        let mut buf = vec![0u8; 70_000];
        let n = listener.recv(&mut buf).unwrap();
        let text = std::str::from_utf8(&buf[..n]).unwrap();
        let (header, doc) = text.split_once('\n').unwrap();
        assert_eq!(format!("{header}\n"), DAEMON_HEADER);
        let doc: serde_json::Value = serde_json::from_str(doc).unwrap();
        assert!(doc.get("metadata").is_none(), "stripped");
        assert_eq!(doc["id"], s.id());
        let n = listener.recv(&mut buf).unwrap();
        let text = std::str::from_utf8(&buf[..n]).unwrap();
        assert!(text.contains("4111 11** **** 1111"), "redacted: {text}");
        assert_eq!(
            emitter.stats(),
            XRayStats {
                sent: 2,
                truncated: 1,
                send_errors: 0
            }
        );
    }

    #[test]
    fn ids_that_look_like_card_numbers_are_not_masked() {
        // Regression: the whole document went through redaction, and a random segment id
        // whose digits happened to pass Luhn ("0f91069199715306") came out masked, breaking
        // the parent/child links. Ids are identity, not content.
        let listener = UdpSocket::bind("127.0.0.1:0").unwrap();
        listener
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let emitter = XRayEmitter::new(listener.local_addr().unwrap());
        let trace = "1-41111111-111111111111111111111111";
        let mut s = Subsegment::new("h", trace, Some("4111111111111111"), 1.0);
        s.set_id_for_test("4111111111111111");
        s.annotate("card", "4111 1111 1111 1111");
        s.metadata(
            "nested",
            serde_json::json!({"pan": "4111111111111111", "password": "x"}),
        );
        s.record_exception(
            &std::io::Error::other("card 4111111111111111 declined"),
            None,
        );
        s.end(2.0);
        emitter.emit(&s);
        let mut buf = vec![0u8; 65_536];
        let n = listener.recv(&mut buf).unwrap();
        let text = std::str::from_utf8(&buf[..n]).unwrap();
        let doc: serde_json::Value =
            serde_json::from_str(text.split_once('\n').unwrap().1).unwrap();
        assert_eq!(doc["id"], "4111111111111111");
        assert_eq!(doc["parent_id"], "4111111111111111");
        assert_eq!(doc["trace_id"], trace);
        assert_eq!(doc["annotations"]["card"], "4111 11** **** 1111");
        assert_eq!(
            doc["metadata"]["default"]["nested"]["pan"],
            "411111******1111"
        );
        assert_eq!(
            doc["metadata"]["default"]["nested"]["password"],
            "[REDACTED]"
        );
        let message = doc["cause"]["exceptions"][0]["message"].as_str().unwrap();
        assert!(!message.contains("4111111111111111"), "{message}");
    }

    #[test]
    fn no_daemon_is_not_an_error() {
        // A port nobody listens on.
        let port = UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let emitter = XRayEmitter::new(port);
        let s = Subsegment::new("h", "t", None, 1.0);
        for _ in 0..3 {
            emitter.emit(&s);
        }
        let stats = emitter.stats();
        assert_eq!(stats.sent + stats.send_errors, 3);
    }
}
