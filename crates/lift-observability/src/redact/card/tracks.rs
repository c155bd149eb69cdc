//! Track data around a PAN, removed whole: track 1 (`%B<PAN>^NAME^…?`), track 2
//! (`;<PAN>=<expiry, service code, discretionary data>?`) and its EMV tag-57 form
//! (`<PAN>D<expiry…>F`), sentinels optional.

use super::runs::Group;
use super::{CardFinding, MASK_CHAR, PAN_DIGITS, luhn_valid};
use crate::redact::text::is_marker_at;

/// Track 2 (`;PAN=YYMMSSS…?`) or its EMV tag-57 form (`PAN D YYMMSSS… F`) around a
/// one-group PAN: removed from the start sentinel (if any) to the end sentinel or padding.
pub(super) fn track2(bytes: &[u8], pan: Group, digits: &[u8]) -> Option<CardFinding> {
    let sep = *bytes.get(pan.end)?;
    if !matches!(sep, b'=' | b'D' | b'd') || !luhn_valid(digits) {
        return None;
    }
    let data = bytes[pan.end + 1..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if data < 4 {
        return None;
    }
    let mut end = pan.end + 1 + data;
    if sep == b'=' {
        if bytes.get(end) == Some(&b'?') {
            end += 1;
        }
    } else {
        end += bytes[end..]
            .iter()
            .take_while(|&&b| b == b'F' || b == b'f')
            .count();
    }
    // Nor glued to a marker: where the pass before had what it replaced, digits perhaps
    // (`4111…D5713[REMOVED]`, a chip card's TLV in the discretionary data).
    if bytes.get(end).is_some_and(|&b| b.is_ascii_alphanumeric()) || is_marker_at(&bytes[end..]) {
        return None;
    }
    let start = if pan.start > 0 && bytes[pan.start - 1] == b';' {
        pan.start - 1
    } else {
        pan.start
    };
    Some(CardFinding::Track { start, end })
}

/// Track 1 (`%B PAN ^ NAME ^ YYMM SSS discretionary ?`), sentinels optional, around the PAN
/// that follows the `B`.
pub(super) fn track1(bytes: &[u8], pan: Group) -> Option<CardFinding> {
    if !PAN_DIGITS.contains(&pan.len())
        || bytes.get(pan.end) != Some(&b'^')
        || !luhn_valid(&bytes[pan.start..pan.end])
    {
        return None;
    }
    let mut at = pan.end + 1;
    // The cardholder name: letters, spaces and `/.'-`, at most 26 (ISO/IEC 7813).
    let name = bytes[at..]
        .iter()
        .take(27)
        .take_while(|&&b| b.is_ascii_alphabetic() || matches!(b, b' ' | b'/' | b'.' | b'\'' | b'-'))
        .count();
    at += name;
    if bytes.get(at) != Some(&b'^') {
        return None;
    }
    at += 1;
    let data = bytes[at..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b' ')
        .count();
    if data < 4 {
        return None;
    }
    let mut end = at + data;
    if bytes.get(end) == Some(&b'?') {
        end += 1;
    }
    let b_at = pan.start - 1;
    // With its `%` sentinel, or a `B` that starts a word: never a `B` glued to a word
    // (removing it would turn that word's end into a boundary).
    let start = match b_at.checked_sub(1).map(|k| bytes[k]) {
        Some(b'%') => b_at - 1,
        Some(b) if glues(b) => return None,
        _ => b_at,
    };
    Some(CardFinding::Track { start, end })
}

/// Letters, digits and the mask character: bytes that glue onto a digit run.
fn glues(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == MASK_CHAR as u8
}

#[cfg(test)]
mod tests {
    use super::super::runs::find_all;

    #[test]
    fn track_data_is_found_whole() {
        assert_eq!(
            find_all("t2 ;4111111111111111=25121010000000000? end"),
            [("track", ";4111111111111111=25121010000000000?")]
        );
        assert_eq!(
            find_all("4111111111111111=2512101123456789"),
            [("track", "4111111111111111=2512101123456789")]
        );
        assert_eq!(
            find_all("57 4111111111111111D25121010000000000F"),
            [("track", "4111111111111111D25121010000000000F")]
        );
        assert_eq!(
            find_all("swipe %B4111111111111111^DOE/JOHN^2512101000000000?"),
            [("track", "%B4111111111111111^DOE/JOHN^2512101000000000?")]
        );
    }

    #[test]
    fn track_2_glued_to_a_marker_is_none() {
        // Composition sweep: the first pass left `4111…D5713<digits>D…` (no track's end
        // there) and removed the chip card's TLV inside it; the next read `4111…D5713`
        // before the marker as track 2.
        for text in [
            "4111111111111111D5713[REMOVED]",
            "4111111111111111=5713[REDACTED]",
        ] {
            assert!(
                find_all(text).iter().all(|(kind, _)| *kind != "track"),
                "{text}"
            );
        }
    }
}
