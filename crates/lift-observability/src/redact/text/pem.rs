//! PEM private keys: the armour kept (it says what was there), the body up to its
//! `-----END` redacted; a value or a token elsewhere stops before an armour, so the key's own
//! detector finds it.

use super::names::is_marker_at;
use super::value_ends::backslashes_before;
use super::{Finding, find, secret};
use crate::redact::Counts;

/// The start of a PEM block's armour.
const PEM_BEGIN: &[u8] = b"-----BEGIN ";

/// At the `B` of `-----BEGIN …PRIVATE KEY-----`: the key's body, up to its `-----END` or
/// the string's end (a line cut short), is a secret. The armour stays, saying what was there.
/// The body also ends at a marker: what a pass before wrote there (its own `[REDACTED]`, or
/// a value that took the `-----END` with it) is not read again as a body running on — and
/// at a quote, raw or escaped, which no body holds: the end of the string it stands in
/// (a key cut short in a JSON line's message, whose line must stay JSON).
pub(super) fn pem_private_key(bytes: &[u8], b: usize, counts: &Counts) -> Option<Finding> {
    let begin = b.checked_sub(5)?;
    let start = private_key_armour(bytes, begin)?;
    let limit = start + find(&bytes[start..], b"-----END").unwrap_or(bytes.len() - start);
    let end = (start..limit)
        .find(|&k| bytes[k] == b'[' && is_marker_at(&bytes[k..]) || bytes[k] == b'"')
        .map_or(limit, |k| k - backslashes_before(bytes, start, k));
    // Nothing, or redacted before (a second pass): left alone.
    (end > start).then(|| secret(start, end, counts))
}

/// The words of a private key's PEM label before `PRIVATE KEY`: none holds a byte another
/// detector starts from, so nothing inside the armour is ever found and changed.
const PEM_KEY_KINDS: [&[u8]; 9] = [
    b"RSA",
    b"DSA",
    b"EC",
    b"OPENSSH",
    b"ENCRYPTED",
    b"PGP",
    b"SSH2",
    b"ED25519",
    b"X25519",
];

/// `-----BEGIN <label>-----` at `begin`, where the label names a private key (`PRIVATE KEY`,
/// `RSA PRIVATE KEY`, `OPENSSH PRIVATE KEY`, PGP's `PGP PRIVATE KEY BLOCK`…): where the
/// armour ends.
fn private_key_armour(bytes: &[u8], begin: usize) -> Option<usize> {
    let rest = bytes.get(begin..)?.strip_prefix(PEM_BEGIN)?;
    let len = find(&rest[..rest.len().min(48)], b"-----")?;
    let label = &rest[..len];
    let kinds = label
        .strip_suffix(b"PRIVATE KEY BLOCK")
        .or_else(|| label.strip_suffix(b"PRIVATE KEY"))?;
    kinds
        .split(|&b| b == b' ')
        .all(|w| w.is_empty() || PEM_KEY_KINDS.contains(&w))
        .then_some(begin + PEM_BEGIN.len() + len + 5)
}

/// `end`, or where a private key's armour starts inside `bytes[start..end]`: a value or
/// token stops before it, and the key's own detector (at the `B` of its `BEGIN`) redacts
/// its body — a value that took the armour would hide the `BEGIN` and leave the body.
pub(super) fn before_private_key(bytes: &[u8], start: usize, end: usize) -> usize {
    match find(&bytes[start..end], b"-----BEGIN") {
        Some(k) if private_key_armour(bytes, start + k).is_some() => start + k,
        _ => end,
    }
}

#[cfg(test)]
mod tests {
    use crate::redact::text::test_support::{redact, redacted_once_for_all};

    #[test]
    fn pem_blocks_among_other_findings_are_redacted_once_for_all() {
        let pieces = [
            "-----BEGIN ",
            "-----END ",
            "RSA ",
            "PRIVATE KEY",
            " BLOCK",
            "CERTIFICATE",
            "MIIEvQ",
            "private_key: ",
        ];
        let key = "-----BEGIN PRIVATE KEY-----MIIEvQ";
        redacted_once_for_all(&pieces, 2026, key, "KEY-----MIIEvQ");
    }

    #[test]
    fn pgp_s_armour_stays_whole() {
        // Composition sweep: `KEY BLOCK-----…` read as a private key's value after its name
        // took the armour's end with the body (`-----BEGIN PGP PRIVATE KEY [REDACTED] PGP
        // PRIVATE KEY BLOCK-----`), and a second pass found no armour left.
        const PGP: &str = "-----BEGIN PGP PRIVATE KEY BLOCK-----";
        const END: &str = "-----END PGP PRIVATE KEY BLOCK-----";
        for (text, want) in [
            (
                format!("{PGP}\nlQOYBF0abc123\n{END}"),
                format!("{PGP}[REDACTED]{END}"),
            ),
            (
                format!("private_key: {PGP}%3D\nMIIEvQIBADAN\n{END}"),
                format!("private_key: {PGP}[REDACTED]{END}"),
            ),
        ] {
            let once = redact(&text);
            assert_eq!(once, want, "{text}");
            assert_eq!(redact(&once), once);
        }
    }

    #[test]
    fn a_key_s_body_ends_at_what_a_pass_before_wrote() {
        // Fuzzer: the element's value took the key's `-----END`, so a second pass read the
        // body on to the string's end, over the markers the first had written. (The body
        // ends at the quote now: no body holds one.)
        let once = redact(r#"<a:pin "-----BEGIN PRIVATE KEY-----">-----END</a:pin>"#);
        assert_eq!(
            once,
            r#"<a:pin "-----BEGIN PRIVATE KEY-----">[REMOVED]</a:pin>"#
        );
        assert_eq!(redact(&once), once);
        let once = redact(r#"<a:pin>-----BEGIN PRIVATE KEY-----x-----END</a:pin>"#);
        assert_eq!(redact(&once), once);
        assert!(!once.contains("x-"), "{once}");
    }

    #[test]
    fn a_key_cut_short_ends_with_its_string() {
        // A JSON line's message held a key with no `-----END`: its body ran to the line's
        // end, over the message's closing quote and brace.
        let text = r#"{"msg":"-----BEGIN PRIVATE KEY-----\r\nMIIEvQIBADANBgkq","x":1}"#;
        let once = redact(text);
        assert_eq!(
            once,
            r#"{"msg":"-----BEGIN PRIVATE KEY-----[REDACTED]","x":1}"#
        );
        assert_eq!(redact(&once), once);
        let text = r#"{"m":"key: \"-----BEGIN EC PRIVATE KEY-----MHcCAQEE\" ok"}"#;
        assert_eq!(
            redact(text),
            r#"{"m":"key: \"-----BEGIN EC PRIVATE KEY-----[REDACTED]\" ok"}"#
        );
    }
}
