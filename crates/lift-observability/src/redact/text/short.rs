//! Short strings — fewer bytes than a card number's 13 digits — judged byte by byte, one table
//! load each: copied as they are, escaped only, or handed to the scan. Most field values
//! (codes, currencies, short ids) end here without the block classifiers' set-up.

use super::named_codes::may_follow_name;

/// Strings shorter than this hold no card number (13 digits at least) and are judged byte
/// by byte ([`short_verdict`]).
pub(crate) const SHORT: usize = 13;

/// What a short string needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Short {
    /// Nothing: copy it.
    Plain,
    /// JSON escaping only.
    Escape,
    /// An anchor byte: run the detectors.
    Scan,
}

/// Per byte: 1 = an anchor other than a digit, 2 = escaped in JSON (controls, `"`, `\`,
/// non-ASCII: the escaper decides), 4 = a comma or a `(` (after or before a quote: perhaps a
/// tuple's or a wrapper's), 8 = a
/// dash (two in a row, perhaps a long flag's), 16 = a blank (before a flag's value or a code),
/// 32 = a digit (perhaps a code after its name: `PIN 1234`), 64 = a `w` and 128 = an `s` or
/// an `r` (perhaps `passwd` before a password).
static SHORT_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        if b < 0x20 || b == b'"' as usize || b == b'\\' as usize || b >= 0x80 {
            t[b] = 2;
        }
        b += 1;
    }
    t[b'=' as usize] = 1;
    t[b':' as usize] = 1;
    t[b'<' as usize] = 1;
    t[b'%' as usize] = 1;
    t[b'A' as usize] = 1;
    t[b'J' as usize] = 1;
    t[b'V' as usize] = 1;
    t[b'v' as usize] = 1;
    t[b'B' as usize] = 1;
    t[b'b' as usize] = 1;
    t[b'K' as usize] = 1;
    t[b'k' as usize] = 1;
    t[b',' as usize] = 4;
    t[b'(' as usize] = 4;
    t[b'-' as usize] = 8;
    t[b' ' as usize] = 16;
    t[b'\t' as usize] = 2 | 16;
    let mut d = b'0';
    while d <= b'9' {
        t[d as usize] = 32;
        d += 1;
    }
    t[b'\\' as usize] = 1 | 2;
    t[b'W' as usize] = 64;
    t[b'w' as usize] = 64;
    t[b'S' as usize] = 128;
    t[b's' as usize] = 128;
    t[b'R' as usize] = 128;
    t[b'r' as usize] = 128;
    t
};

/// [`Short`] for a string under [`SHORT`] bytes.
#[inline]
pub(crate) fn short_verdict(bytes: &[u8]) -> Short {
    let class = bytes
        .iter()
        .fold(0, |acc, &b| acc | SHORT_CLASS[b as usize]);
    // Two dashes in a row and a blank: a flag and its value (`--pin 1234`). Dates and ids
    // hold single dashes and no blank.
    if class & 24 == 24 && bytes.windows(2).any(|w| w == b"--") {
        return Short::Scan;
    }
    // A digit after a blank and a code's name (`PIN 1234`, `csc is 737`).
    if class & 48 == 48
        && (4..bytes.len()).any(|at| bytes[at].is_ascii_digit() && may_follow_name(bytes, at))
    {
        return Short::Scan;
    }
    // A `w` after an `s` or an `r` (`passwd abc1`).
    if class & 192 == 192
        && bytes
            .windows(2)
            .any(|w| matches!(w[0] | 0x20, b's' | b'r') && w[1] | 0x20 == b'w')
    {
        return Short::Scan;
    }
    match class & 7 {
        0 | 4 => Short::Plain,
        2 => Short::Escape,
        // An anchor, or an escape and a comma (`("pin","1")`).
        _ => Short::Scan,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::text::test_support::redact;

    #[test]
    fn a_short_string_with_two_dashes_is_scanned() {
        assert_eq!(short_verdict(b"--pin 1"), Short::Scan);
        assert_eq!(short_verdict(b"2026-12-05"), Short::Plain);
        assert_eq!(short_verdict(b"x--y"), Short::Plain);
        assert_eq!(redact("--pin 1"), "--pin [REMOVED]");
    }

    #[test]
    fn a_short_string_with_a_number_after_a_code_s_name_is_scanned() {
        // Written in clear by the encoder before: short strings skipped the scan.
        assert_eq!(short_verdict(b"PIN 1234"), Short::Scan);
        assert_eq!(short_verdict(b"csc is 737"), Short::Scan);
        assert_eq!(short_verdict(b"USD 12500"), Short::Plain);
        assert_eq!(short_verdict(b"qty 2 of 3"), Short::Plain);
    }
}
