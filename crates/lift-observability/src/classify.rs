//! Byte classes of sixteen bytes at a time: the one read of a string that both redaction and
//! JSON escaping need.
//!
//! [`classify`] answers, for each of 16 bytes, four questions as one bit each: is it an
//! anchor byte of a free-text detector (`=`, `:`, `A`, `J`, `B`/`b`, `K`/`k`), an ASCII
//! digit, a byte that breaks a card number's run (neither a digit nor a space nor a dash),
//! or a byte the JSON escaper must look at (a control character, `"`, `\\`, non-ASCII)?
//! On x86-64 it uses SSE2 (part of the architecture's baseline, so always there): about
//! thirty vector instructions for sixteen bytes. Elsewhere the same answers come from
//! word-at-a-time bit tricks; a test holds the two to each other on random bytes.

/// The classes of 16 bytes, bit `k` for byte `k`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Classes {
    /// Anchor bytes of the free-text detectors.
    pub(crate) anchors: u16,
    /// ASCII digits.
    pub(crate) digits: u16,
    /// Bytes that cannot be inside a card number's run.
    pub(crate) breakers: u16,
    /// Bytes the JSON escaper must look at.
    pub(crate) escapes: u16,
}

/// The classes of a block entirely past the end (all padding): only breakers.
pub(crate) const PAST_THE_END: Classes = Classes {
    anchors: 0,
    digits: 0,
    breakers: u16::MAX,
    escapes: 0,
};

/// The classes of the 16 bytes at `at` ([`PAST_THE_END`] when none is left).
#[inline(always)]
pub(crate) fn classify_at(bytes: &[u8], at: usize) -> Classes {
    if at >= bytes.len() {
        PAST_THE_END
    } else {
        classify(block(bytes, at))
    }
}

/// The 16 bytes at `at`, or what is left of them padded with `x` (no class but breaker:
/// no card starts in the last bytes, and nothing there is an anchor or escaped).
#[inline(always)]
pub(crate) fn block(bytes: &[u8], at: usize) -> [u8; 16] {
    match bytes.get(at..at + 16) {
        Some(b) => {
            let mut out = [0u8; 16];
            out.copy_from_slice(b);
            out
        }
        None => {
            // Byte by byte: a variable-length copy would be a `memcpy` call.
            let mut out = [b'x'; 16];
            for (slot, &b) in out.iter_mut().zip(bytes.get(at..).unwrap_or_default()) {
                *slot = b;
            }
            out
        }
    }
}

/// The classes of `block`.
#[inline(always)]
pub(crate) fn classify(block: [u8; 16]) -> Classes {
    #[cfg(target_arch = "x86_64")]
    {
        #[allow(unsafe_code)]
        // SAFETY: SSE2 is part of the x86-64 baseline: every x86-64 processor has it, so
        // the `sse2` target feature `classify_sse2` asks for is always present.
        unsafe {
            sse2::classify_sse2(block)
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        portable::classify_words(block)
    }
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x,
        _mm_set1_epi8, _mm_sub_epi8,
    };

    use super::Classes;

    #[target_feature(enable = "sse2")]
    fn eq(v: __m128i, c: u8) -> __m128i {
        _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8))
    }

    /// Bytes of `v` at most `max` (unsigned).
    #[target_feature(enable = "sse2")]
    fn at_most(v: __m128i, max: u8) -> __m128i {
        _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(max as i8)), v)
    }

    #[target_feature(enable = "sse2")]
    fn mask(v: __m128i) -> u16 {
        _mm_movemask_epi8(v) as u16
    }

    #[target_feature(enable = "sse2")]
    pub(super) fn classify_sse2(block: [u8; 16]) -> Classes {
        let lo = u64::from_le_bytes([
            block[0], block[1], block[2], block[3], block[4], block[5], block[6], block[7],
        ]);
        let hi = u64::from_le_bytes([
            block[8], block[9], block[10], block[11], block[12], block[13], block[14], block[15],
        ]);
        let v = _mm_set_epi64x(hi as i64, lo as i64);
        // `B`/`b` and `K`/`k` differ only in bit 5.
        let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
        let anchors = _mm_or_si128(
            _mm_or_si128(
                _mm_or_si128(eq(v, b'='), eq(v, b':')),
                _mm_or_si128(eq(v, b'A'), eq(v, b'J')),
            ),
            _mm_or_si128(eq(folded, b'b'), eq(folded, b'k')),
        );
        let digits = at_most(_mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8)), 9);
        let in_run = _mm_or_si128(digits, _mm_or_si128(eq(v, b' '), eq(v, b'-')));
        let escapes = _mm_or_si128(at_most(v, 0x1f), _mm_or_si128(eq(v, b'"'), eq(v, b'\\')));
        Classes {
            anchors: mask(anchors),
            digits: mask(digits),
            breakers: !mask(in_run),
            // The high bit of `v` itself: non-ASCII.
            escapes: mask(escapes) | mask(v),
        }
    }
}

/// The same answers from word-at-a-time bit tricks (used where SSE2 is not available, and
/// as the reference the SSE2 version is tested against).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
mod portable {
    use super::Classes;

    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;

    /// The high bit of every byte of `v` that is zero, exactly (no borrow between bytes).
    fn zero(v: u64) -> u64 {
        !(((v & !HIGH).wrapping_add(!HIGH)) | v | !HIGH)
    }

    fn eq(w: u64, c: u8) -> u64 {
        zero(w ^ (ONES * u64::from(c)))
    }

    /// The high bits of a word's bytes, one bit per byte.
    fn compress(bits: u64) -> u16 {
        ((((bits >> 7) & ONES).wrapping_mul(0x0102_0408_1020_4080)) >> 56) as u16
    }

    fn word(w: u64) -> [u16; 4] {
        let folded = w | (ONES * 0x20);
        let anchors = eq(w, b'=')
            | eq(w, b':')
            | eq(w, b'A')
            | eq(w, b'J')
            | eq(folded, b'b')
            | eq(folded, b'k');
        let y = w & !HIGH;
        let digits = y.wrapping_add(ONES * 0x50) & (ONES * 0xb9).wrapping_sub(y) & !w & HIGH;
        let in_run = digits | eq(w, b' ') | eq(w, b'-');
        // Below 0x20: the top three bits are clear.
        let below_space = zero(w & (ONES * 0xe0));
        let escapes = below_space | eq(w, b'"') | eq(w, b'\\') | (w & HIGH);
        [
            compress(anchors),
            compress(digits),
            !compress(in_run) & 0xff,
            compress(escapes),
        ]
    }

    pub(super) fn classify_words(block: [u8; 16]) -> Classes {
        let lo = word(u64::from_le_bytes([
            block[0], block[1], block[2], block[3], block[4], block[5], block[6], block[7],
        ]));
        let hi = word(u64::from_le_bytes([
            block[8], block[9], block[10], block[11], block[12], block[13], block[14], block[15],
        ]));
        Classes {
            anchors: lo[0] | hi[0] << 8,
            digits: lo[1] | hi[1] << 8,
            breakers: lo[2] | hi[2] << 8,
            escapes: lo[3] | hi[3] << 8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, byte by byte.
    fn reference(block: [u8; 16]) -> Classes {
        let mut c = Classes::default();
        for (k, &b) in block.iter().enumerate() {
            let bit = 1u16 << k;
            if matches!(b, b'=' | b':' | b'A' | b'J' | b'B' | b'b' | b'K' | b'k') {
                c.anchors |= bit;
            }
            if b.is_ascii_digit() {
                c.digits |= bit;
            }
            if !(b.is_ascii_digit() || b == b' ' || b == b'-') {
                c.breakers |= bit;
            }
            if b < 0x20 || b == b'"' || b == b'\\' || b >= 0x80 {
                c.escapes |= bit;
            }
        }
        c
    }

    #[test]
    fn every_byte_value_at_every_position_is_classified_exactly() {
        for b in 0..=255u8 {
            for k in 0..16 {
                let mut block = *b"a0 -Z9\"\\\x01\xffbk=:AJ";
                block[k] = b;
                assert_eq!(classify(block), reference(block), "{b:#x} at {k}");
                assert_eq!(
                    portable::classify_words(block),
                    reference(block),
                    "{b:#x} at {k}"
                );
            }
        }
        let mut rng = fastrand::Rng::with_seed(3);
        for _ in 0..100_000 {
            let block: [u8; 16] = std::array::from_fn(|_| rng.u8(..));
            assert_eq!(classify(block), reference(block));
            assert_eq!(portable::classify_words(block), reference(block));
        }
    }

    #[test]
    fn blocks_are_padded_past_the_end() {
        assert_eq!(&block(b"ab", 0)[..3], b"abx");
        assert_eq!(block(b"0123456789abcdefXYZ", 16)[..4], *b"XYZx");
        assert_eq!(classify(block(b"", 0)), PAST_THE_END);
        assert_eq!(classify_at(b"abc", 3), classify(block(b"abc", 3)));
    }
}
