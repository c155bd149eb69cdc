//! Word-at-a-time (SWAR) byte tests: eight bytes per `u64`, bit tricks instead of loops.
//!
//! Shared by the redaction pre-scan and the JSON writer's fused escape-and-check pass, so
//! both read a string's words once, and by the free-text scanner's anchor search.

pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;

/// Nonzero iff some byte of `v` is zero.
#[inline(always)]
pub(crate) fn any_zero_byte(v: u64) -> u64 {
    v.wrapping_sub(ONES) & !v & HIGH
}

/// Nonzero iff some byte of `w` equals `c`.
#[inline(always)]
pub(crate) fn has(w: u64, c: u8) -> u64 {
    any_zero_byte(w ^ (ONES * u64::from(c)))
}

/// The high bit of every byte of `w` that is an ASCII digit. Bytes are first cut to
/// seven bits so the additions cannot carry between bytes; bytes with the high bit set
/// (non-ASCII) are then excluded.
#[inline(always)]
pub(crate) fn digit_bits(w: u64) -> u64 {
    let y = w & !HIGH;
    let at_least_0 = y.wrapping_add(ONES * 0x50); // bit 7 set iff y >= 0x30
    let at_most_9 = (ONES * 0xB9).wrapping_sub(y); // bit 7 set iff y <= 0x39
    at_least_0 & at_most_9 & !w & HIGH
}

/// How many bytes of `bits` have their high bit set, for `bits` with no other bits set:
/// one multiplication sums the bytes' 0/1 into the top byte. `count_ones` would be a
/// dozen instructions on the baseline x86-64 target, which has no `popcnt`.
#[inline(always)]
pub(crate) fn count_high_bits(bits: u64) -> u32 {
    ((bits >> 7).wrapping_mul(ONES) >> 56) as u32
}

/// Nonzero iff `w` holds an anchor byte of the free-text detectors (see
/// `redact::text`): `=`, `:`, `A`, `J`, `B`/`b`, `K`/`k` (each pair in one test: the
/// cases differ only in bit 5). Only the lowest flagged byte is exact.
#[inline(always)]
pub(crate) fn anchors(w: u64) -> u64 {
    let folded = w | (ONES * 0x20);
    has(w, b'=')
        | has(w, b':')
        | has(w, b'A')
        | has(w, b'J')
        | has(folded, b'b')
        | has(folded, b'k')
}

#[inline(always)]
pub(crate) fn word(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(w)
}

/// Reads `bytes` once, a word at a time, and answers two questions: whether `other`
/// flags any word (its bits, ORed; a string under eight bytes is passed to it padded with
/// spaces), and the redaction pre-scan's verdict: 13 or more ASCII digits (a card number is
/// possible), and whether an anchor byte occurs.
#[inline(always)]
pub(crate) fn scan(
    bytes: &[u8],
    other: impl Fn(u64) -> u64,
) -> (u64, crate::redact::text::Prescan) {
    let n = bytes.len();
    if n < 8 {
        // The filler is a space: never an anchor, never flagged by the JSON check.
        let mut w = [b' '; 8];
        w[..n].copy_from_slice(bytes);
        let w = u64::from_le_bytes(w);
        let pre = crate::redact::text::Prescan {
            cards: false,
            anchors: anchors(w) != 0,
        };
        return (other(w), pre);
    }
    let mut digits = 0u32;
    let mut marks = 0u64;
    let mut flags = 0u64;
    let mut i = 0;
    while i + 8 <= n {
        let w = word(bytes, i);
        digits += count_high_bits(digit_bits(w));
        marks |= anchors(w);
        flags |= other(w);
        i += 8;
    }
    if i < n {
        // The last word overlaps bytes already counted: drop them from the digit count.
        let w = word(bytes, n - 8);
        let seen = i - (n - 8);
        digits += count_high_bits(digit_bits(w) & (!0u64 << (seen * 8)));
        marks |= anchors(w);
        flags |= other(w);
    }
    let pre = crate::redact::text::Prescan {
        cards: digits >= 13,
        anchors: marks != 0,
    };
    (flags, pre)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_high_bits_agrees_with_count_ones_for_every_pattern() {
        for pattern in 0u32..256 {
            let bits = (0..8)
                .filter(|i| pattern & (1 << i) != 0)
                .fold(0u64, |acc, i| acc | (0x80 << (8 * i)));
            assert_eq!(count_high_bits(bits), bits.count_ones(), "{bits:#x}");
        }
    }

    #[test]
    fn digit_bits_marks_exactly_the_ascii_digits() {
        for b in 0u8..=255 {
            let w = u64::from_le_bytes([b, b'x', b, 0xb0, b'5', b, 0x39, 0x3a]);
            let expected = [b, b'x', b, 0xb0, b'5', b, 0x39, 0x3a]
                .iter()
                .filter(|c| c.is_ascii_digit())
                .count() as u32;
            assert_eq!(count_high_bits(digit_bits(w)), expected, "byte {b:#x}");
        }
    }
}
