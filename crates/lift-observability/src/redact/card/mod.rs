//! Card data in text: primary account numbers (PANs), track data and EMV track-2 equivalents.
//!
//! A PAN is 13–19 digits, contiguous or in groups joined by a space, a dash or a plus sign
//! (a space in form-encoded text), two spaces or a dash between spaces, with no letter, digit
//! or mask character glued to either end, that passes the Luhn check **and** starts with an
//! issuer prefix of a card brand at a length that brand issues ([`is_card_number`]): Visa,
//! Mastercard (51–55 and the 2-series), American Express, Discover, JCB, Diners Club,
//! UnionPay, Maestro, Mir, RuPay and Troy. Numbers that pass Luhn but cannot be cards —
//! epoch milliseconds, compact date-times, order ids starting with a digit no brand uses —
//! stay as they are, the way data-loss-prevention scanners judge them; so do the digit groups
//! of an IBAN in its print format (`DE89 3704 0044 0532 0130 00`: `ibans`).
//!
//! Inside a longer run of digit groups every stretch of whole groups is a candidate
//! (`2026-11-27 05:19:35 4111111111111111`, `qty 2 4111…`, two cards in a row): the
//! leftmost stretch that is a card wins, the longest at that start. Track data is
//! removed whole: track 1 (`%B<PAN>^NAME^…?`, sentinels optional), track 2
//! (`;<PAN>=<expiry, service code, discretionary data>?`, sentinels optional) and the EMV
//! tag-57 form (`<PAN>D<expiry…>F`).
//!
//! Everything is linear in the input, allocation-free and total: no input panics.
//!
//! This module holds what a card number is (its brands and lengths, the Luhn check) and how
//! one is masked; `runs` finds card numbers in runs of digit groups, `tracks` the
//! track data around one, `ibans` the bank account numbers whose groups hold none. A chip card's data written as hex, where numbers are glued to
//! tags, is read by its tags in the free-text walk (`text/emv.rs`).

mod ibans;
mod runs;
mod tracks;

pub(crate) use ibans::iban_end_around;
pub(crate) use runs::{
    ESCAPED_SPACE_WIDTH, before_hidden_digits, ends_escaped_blank, find_in_run,
    group_end_before_unbreaking_space, joiner_at, next_group, run_start,
};

/// What a PAN's hidden middle digits become.
pub const MASK_CHAR: char = '*';

/// Fewest and most digits of a PAN (ISO/IEC 7812).
const PAN_DIGITS: std::ops::RangeInclusive<usize> = 13..=19;

/// Luhn check over ASCII digits; `false` for an empty input or one with any other byte.
pub fn luhn_valid(digits: &[u8]) -> bool {
    if digits.is_empty() {
        return false;
    }
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        if !d.is_ascii_digit() {
            return false;
        }
        let mut v = u32::from(d - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum % 10 == 0
}

/// Whether `digits` (ASCII digits only) is a card number: Luhn-valid, and an issuer prefix
/// of a card brand at a length that brand issues.
pub fn is_card_number(digits: &[u8]) -> bool {
    brand_accepts(digits) && luhn_valid(digits)
}

/// The first `n` digits as a number (0 when there are fewer).
fn prefix(digits: &[u8], n: usize) -> u32 {
    if digits.len() < n {
        return 0;
    }
    digits[..n]
        .iter()
        .fold(0, |acc, &d| acc * 10 + u32::from(d.wrapping_sub(b'0')))
}

/// Issuer prefixes and lengths per brand (ISO/IEC 7812 IIN ranges as the brands publish
/// them; the Maestro and Discover ranges are taken wide, as DLP scanners do).
fn brand_accepts(d: &[u8]) -> bool {
    let len = d.len();
    if !PAN_DIGITS.contains(&len) {
        return false;
    }
    let p2 = prefix(d, 2);
    let p3 = prefix(d, 3);
    let p4 = prefix(d, 4);
    match d[0] {
        // Visa (13, 16 and 19 issued; every length taken, the prefix alone is unambiguous).
        b'4' => true,
        // Mastercard 2-series (16); Mir (16–19).
        b'2' => ((2221..=2720).contains(&p4) && len == 16) || (2200..=2204).contains(&p4),
        b'3' => {
            // American Express (15).
            ((p2 == 34 || p2 == 37) && len == 15)
                // JCB (16–19).
                || ((3528..=3589).contains(&p4) && len >= 16)
                // Diners Club (14–19).
                || (((300..=305).contains(&p3) || p4 == 3095 || matches!(p2, 36 | 38 | 39))
                    && len >= 14)
        }
        // Mastercard (16); Maestro 50 and 56–58 (13–19).
        b'5' => ((51..=55).contains(&p2) && len == 16) || matches!(p2, 50 | 56..=58),
        // Discover, UnionPay, Maestro 6x, RuPay, Troy: every 6-prefix (13–19).
        b'6' => true,
        // UnionPay 81, RuPay 81–82 (16–19).
        b'8' => matches!(p2, 81 | 82) && len >= 16,
        // Troy 9792 (16).
        b'9' => p4 == 9792 && len == 16,
        _ => false,
    }
}

/// Appends `digits` masked: first 6 and last 4 kept, the rest [`MASK_CHAR`] (PCI DSS 3.4.1).
/// Total on any input: fewer than 13 digits keep only their last four (none below five),
/// and non-digit bytes are masked like digits.
pub fn mask_pan(digits: &[u8], out: &mut String) {
    let n = digits.len();
    let (head, tail) = if n >= 13 {
        (6, 4)
    } else if n > 4 {
        (0, 4)
    } else {
        (0, 0)
    };
    for (i, &d) in digits.iter().enumerate() {
        out.push(if (i < head || i >= n - tail) && d.is_ascii_digit() {
            d as char
        } else {
            MASK_CHAR
        });
    }
}

/// Appends a PAN as it stood in the text, masked: its first 6 and last 4 digits kept, the
/// digits between [`MASK_CHAR`], separators kept.
pub(crate) fn mask_in_place(pan: &[u8], out: &mut Vec<u8>) {
    let n = number_digits(pan).filter(|&(_, digit)| digit).count();
    let mut d = 0;
    for (b, digit) in number_digits(pan) {
        if digit {
            out.push(if d < 6 || d + 4 >= n {
                b
            } else {
                MASK_CHAR as u8
            });
            d += 1;
        } else {
            out.push(b);
        }
    }
}

/// The bytes of a PAN as it stood in the text, each with whether it is one of the number's
/// digits: a `%20` or a `\u00a0` between groups is a separator, its digits are not the
/// number's.
fn number_digits(pan: &[u8]) -> impl Iterator<Item = (u8, bool)> + '_ {
    let mut in_escape = 0;
    pan.iter().map(move |&b| {
        if in_escape > 0 {
            in_escape -= 1;
            (b, false)
        } else if b == b'%' {
            in_escape = 2;
            (b, false)
        } else if b == b'\\' {
            in_escape = runs::ESCAPED_SPACE_WIDTH - 1;
            (b, false)
        } else {
            (b, b.is_ascii_digit())
        }
    })
}

/// What a card finding becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CardFinding {
    /// A PAN at `start..end` (separators included): masked where it stands.
    Pan { start: usize, end: usize },
    /// Track data at `start..end`: removed.
    Track { start: usize, end: usize },
}

impl CardFinding {
    /// Where the finding ends.
    pub(crate) fn end(self) -> usize {
        match self {
            CardFinding::Pan { end, .. } | CardFinding::Track { end, .. } => end,
        }
    }
}

/// The masked form of an integer that is a card number, if it is one.
pub(crate) fn masked_integer(v: u64, negative: bool) -> Option<([u8; 21], usize)> {
    if v < 1_000_000_000_000 {
        return None;
    }
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(v).as_bytes();
    if !is_card_number(digits) {
        return None;
    }
    let mut out = [0u8; 21];
    let mut n = 0;
    if negative {
        out[0] = b'-';
        n = 1;
    }
    for (i, &d) in digits.iter().enumerate() {
        out[n] = if i < 6 || i + 4 >= digits.len() {
            d
        } else {
            MASK_CHAR as u8
        };
        n += 1;
    }
    Some((out, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brands_and_lengths() {
        for card in [
            "4222222222222",       // Visa 13
            "4111111111111111",    // Visa 16
            "4111111111111111110", // Visa 19 (Luhn-valid)
            "5555555555554444",    // Mastercard
            "2223003122003222",    // Mastercard 2-series
            "378282246310005",     // Amex
            "6011111111111117",    // Discover
            "3530111333300000",    // JCB
            "36227206271667",      // Diners 14
            "6200000000000005",    // UnionPay
            "6759649826438453",    // Maestro
        ] {
            assert!(is_card_number(card.as_bytes()), "{card}");
        }
        assert!(!is_card_number(b"1764221757123"));
        assert!(!is_card_number(b"20261127051935123"));
        assert!(!is_card_number(b"5555555555554440"));
    }

    #[test]
    fn helpers_are_total() {
        assert!(!luhn_valid(b"12a/"));
        assert!(!luhn_valid(b""));
        for n in 0..25 {
            let mut out = String::new();
            mask_pan(&b"4111111111111111111111111"[..n], &mut out);
            assert_eq!(out.len(), n);
        }
        let mut out = String::new();
        mask_pan(b"4111111111111111", &mut out);
        assert_eq!(out, "411111******1111");
    }

    #[test]
    fn integers() {
        let (buf, n) = masked_integer(4_111_111_111_111_111, false).unwrap();
        assert_eq!(&buf[..n], b"411111******1111");
        let (buf, n) = masked_integer(4_111_111_111_111_111, true).unwrap();
        assert_eq!(&buf[..n], b"-411111******1111");
        assert!(masked_integer(1_764_221_757_123, false).is_none());
    }
}
