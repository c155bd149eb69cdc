//! [`TraceHeader`]: the X-Ray trace header (`X-Amzn-Trace-Id`), parsed and formatted.
//!
//! Format: `Root=1-{8 hex}-{24 hex};Parent={16 hex};Sampled=0|1|?` plus other keys (`Self=`,
//! `Lineage=`…), which are kept in order and written back unchanged. Parsing never
//! panics: input with a malformed `Root` (or CR/LF, or absurd length) yields `None`, and the
//! caller starts a new root ([`TraceHeader::new_root`]); a malformed `Parent` or `Sampled`
//! is dropped. Keys are matched case-sensitively, as X-Ray writes them.

use std::fmt;

/// Longest header accepted; real ones are under 256 bytes.
pub(crate) const MAX_TRACE_HEADER_BYTES: usize = 2048;

/// Whether the trace is sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampled {
    /// `Sampled=1`.
    Yes,
    /// `Sampled=0`.
    No,
    /// `Sampled=?`: the downstream decides.
    Requested,
}

/// A parsed X-Ray trace header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceHeader {
    /// `1-5759e988-bd862e3fe1be46a994272793`.
    pub root: String,
    /// The parent segment id (16 hex digits).
    pub parent: Option<String>,
    /// The sampling decision.
    pub sampled: Option<Sampled>,
    /// Other `key=value` pairs, in order.
    pub other: Vec<(String, String)>,
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `root` has the X-Ray trace id shape `1-{8 hex}-{24 hex}`.
pub fn is_valid_trace_id(root: &str) -> bool {
    let b = root.as_bytes();
    b.len() == 35
        && b.starts_with(b"1-")
        && b[10] == b'-'
        && b[2..10].iter().all(u8::is_ascii_hexdigit)
        && b[11..].iter().all(u8::is_ascii_hexdigit)
}

/// The `;`-separated parts of `value`, each trimmed of ASCII whitespace, empty ones skipped.
///
/// Byte by byte: these headers are short, and `str::split` sets up a searcher per call that
/// costs more than walking the whole header. `;` is ASCII, so every cut is a char boundary.
fn parts(value: &str) -> impl Iterator<Item = &str> {
    let mut rest = value;
    std::iter::from_fn(move || {
        while !rest.is_empty() {
            let end = rest.bytes().position(|b| b == b';').unwrap_or(rest.len());
            let part = rest[..end].trim_ascii();
            rest = rest.get(end + 1..).unwrap_or_default();
            if !part.is_empty() {
                return Some(part);
            }
        }
        None
    })
}

impl TraceHeader {
    /// Parses a header value; `None` when it carries no valid `Root`.
    pub fn parse(value: &str) -> Option<Self> {
        if value.len() > MAX_TRACE_HEADER_BYTES || value.bytes().any(|b| b == b'\r' || b == b'\n') {
            return None;
        }
        let mut root = None;
        let mut parent = None;
        let mut sampled = None;
        let mut other = Vec::new();
        for part in parts(value) {
            let eq = part.bytes().position(|b| b == b'=')?;
            let (key, val) = (part[..eq].trim_ascii(), part[eq + 1..].trim_ascii());
            match key {
                "Root" if is_valid_trace_id(val) => root = Some(val.to_owned()),
                "Root" => return None,
                "Parent" if is_hex(val, 16) => parent = Some(val.to_owned()),
                "Parent" => {}
                "Sampled" => {
                    sampled = match val {
                        "1" => Some(Sampled::Yes),
                        "0" => Some(Sampled::No),
                        "?" => Some(Sampled::Requested),
                        _ => None,
                    }
                }
                _ if !key.is_empty() && key.bytes().all(|b| b.is_ascii_graphic()) => {
                    other.push((key.to_owned(), val.to_owned()));
                }
                _ => {}
            }
        }
        Some(Self {
            root: root?,
            parent,
            sampled,
            other,
        })
    }

    /// A new root trace id for `now_secs` (Unix seconds) with 96 random bits from `random`.
    pub fn new_root(now_secs: u64, random: u128) -> Self {
        Self {
            root: format!(
                "1-{:08x}-{:024x}",
                now_secs as u32,
                random & ((1u128 << 96) - 1)
            ),
            parent: None,
            sampled: None,
            other: Vec::new(),
        }
    }
}

impl fmt::Display for TraceHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Root={}", self.root)?;
        if let Some(p) = &self.parent {
            write!(f, ";Parent={p}")?;
        }
        if let Some(s) = self.sampled {
            let v = match s {
                Sampled::Yes => "1",
                Sampled::No => "0",
                Sampled::Requested => "?",
            };
            write!(f, ";Sampled={v}")?;
        }
        for (k, v) in &self.other {
            write!(f, ";{k}={v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = "1-5759e988-bd862e3fe1be46a994272793";

    #[test]
    fn parses_and_round_trips_with_unknown_keys() {
        let text = format!("Root={ROOT};Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:0");
        let h = TraceHeader::parse(&text).unwrap();
        assert_eq!(h.root, ROOT);
        assert_eq!(h.parent.as_deref(), Some("53995c3f42cd8ad8"));
        assert_eq!(h.sampled, Some(Sampled::Yes));
        assert_eq!(h.to_string(), text);
    }

    #[test]
    fn malformed_input_is_refused_never_a_panic() {
        for bad in [
            "",
            "Root=2-5759e988-bd862e3fe1be46a994272793",
            "Root=1-5759e98-bd862e3fe1be46a994272793",
            "Parent=53995c3f42cd8ad8",
            "garbage",
            &format!("Root={ROOT}\r\nX-Injected: 1"),
            &"A".repeat(5000),
        ] {
            assert_eq!(TraceHeader::parse(bad), None, "{bad:?}");
        }
        let h = TraceHeader::parse(&format!("Root={ROOT};Parent=xyz;Sampled=maybe")).unwrap();
        assert_eq!((h.parent, h.sampled), (None, None));
    }

    #[test]
    fn empty_parts_and_spaces_are_skipped_and_non_ascii_never_panics() {
        let h = TraceHeader::parse(&format!(";; Root = {ROOT} ;  ; Sampled=? ;")).unwrap();
        assert_eq!(
            (h.root.as_str(), h.sampled),
            (ROOT, Some(Sampled::Requested))
        );
        for odd in [
            "é;Root=1",
            "Root=é",
            "Root=1-5759e988-bd862e3fe1be46a99427279é",
            "ü=;",
        ] {
            assert_eq!(TraceHeader::parse(odd), None, "{odd:?}");
        }
        let h = TraceHeader::parse(&format!("Root={ROOT};Lineage=ü;ключ=1")).unwrap();
        assert_eq!(h.other, [("Lineage".to_owned(), "ü".to_owned())]);
        assert!(!is_valid_trace_id("1-5759e988-bd862e3fe1be46a99427279é"));
    }

    #[test]
    fn new_roots_have_the_right_shape() {
        let h = TraceHeader::new_root(0x5759e988, u128::MAX);
        assert!(is_valid_trace_id(&h.root));
        assert_eq!(h.root, "1-5759e988-ffffffffffffffffffffffff");
    }
}
