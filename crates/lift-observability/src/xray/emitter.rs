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
        let document = segment.to_document();
        let document = String::from_utf8_lossy(&document);
        let redacted = self.redactor.redact_line(&document);
        let mut datagram = Vec::with_capacity(DAEMON_HEADER.len() + redacted.len());
        datagram.extend_from_slice(DAEMON_HEADER.as_bytes());
        datagram.extend_from_slice(redacted.as_bytes());
        datagram
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
