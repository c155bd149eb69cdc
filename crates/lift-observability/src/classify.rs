//! Byte classes of sixteen bytes at a time: the one read of a string that both redaction and
//! JSON escaping need.
//!
//! [`classify`] answers, for each of 16 bytes, four questions as one bit each: is it an
//! anchor byte of a free-text detector, an ASCII digit, a byte that breaks a card number's
//! run (neither a digit nor a space nor a dash), or a byte the JSON escaper must look at (a
//! control character, `"`, `\\`, non-ASCII)? The anchors are `=` and `:`, and the letters
//! the literal detectors start from where their neighbours could belong to the literal:
//! `B`/`b` before `e`/`a` (`Bearer`, `Basic`), `K`/`k` between `o` and `e` (`Token`), `A`
//! before `K`/`S` (`AKIA`, `ASIA`), `J` after `y` (`eyJ`) — and any of these letters as the
//! block's first or last byte, whose neighbour is outside it. In prose the letters alone
//! anchor often; with their neighbours, rarely.
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

/// The first and last byte of a block: a letter anchors there whatever its neighbour
/// outside the block is.
const EDGES: u16 = 1 | 1 << 15;

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
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set_epi64x, _mm_set1_epi8, _mm_slli_si128, _mm_srli_si128, _mm_sub_epi8,
    };

    use super::{Classes, EDGES};

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

    /// Of the letters (`B`/`b`, `K`/`k`, `A`, `J` in `v`), those whose neighbours could
    /// belong to the literal each starts; the block's edges excluded.
    #[target_feature(enable = "sse2")]
    fn neighbours(v: __m128i, [letter_b, letter_k, letter_a, letter_j]: [__m128i; 4]) -> u16 {
        // Lane `k` of `next` holds byte `k + 1` (lane 15: zero), of `prev` byte `k - 1`
        // (lane 0: zero); upper and lower case differ only in bit 5.
        let next = _mm_srli_si128::<1>(v);
        let prev = _mm_slli_si128::<1>(v);
        let fold = _mm_set1_epi8(0x20);
        let folded_next = _mm_or_si128(next, fold);
        mask(_mm_or_si128(
            _mm_or_si128(
                _mm_and_si128(
                    letter_b,
                    _mm_or_si128(eq(folded_next, b'e'), eq(folded_next, b'a')),
                ),
                _mm_and_si128(
                    letter_k,
                    _mm_and_si128(eq(_mm_or_si128(prev, fold), b'o'), eq(folded_next, b'e')),
                ),
            ),
            _mm_or_si128(
                _mm_and_si128(letter_a, _mm_or_si128(eq(next, b'K'), eq(next, b'S'))),
                _mm_and_si128(letter_j, eq(prev, b'y')),
            ),
        ))
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
        let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
        let letter_b = eq(folded, b'b');
        let letter_k = eq(folded, b'k');
        let letter_a = eq(v, b'A');
        let letter_j = eq(v, b'J');
        let letters = mask(_mm_or_si128(
            _mm_or_si128(letter_b, letter_k),
            _mm_or_si128(letter_a, letter_j),
        ));
        // Most blocks hold none of the letters: their neighbours are looked at only when
        // one is there.
        let with_neighbours = if letters == 0 {
            0
        } else {
            neighbours(v, [letter_b, letter_k, letter_a, letter_j])
        };
        let separators = _mm_or_si128(eq(v, b'='), eq(v, b':'));
        let digits = at_most(_mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8)), 9);
        let in_run = _mm_or_si128(digits, _mm_or_si128(eq(v, b' '), eq(v, b'-')));
        let escapes = _mm_or_si128(at_most(v, 0x1f), _mm_or_si128(eq(v, b'"'), eq(v, b'\\')));
        Classes {
            anchors: mask(separators) | with_neighbours | letters & EDGES,
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
    use super::{Classes, EDGES};

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

    /// Per byte of a word, one bit each (see [`Raw`]).
    fn word(w: u64) -> Raw {
        let folded = w | (ONES * 0x20);
        let y = w & !HIGH;
        let digits = y.wrapping_add(ONES * 0x50) & (ONES * 0xb9).wrapping_sub(y) & !w & HIGH;
        // Below 0x20: the top three bits are clear.
        let below_space = zero(w & (ONES * 0xe0));
        Raw {
            separators: compress(eq(w, b'=') | eq(w, b':')),
            letter_b: compress(eq(folded, b'b')),
            letter_k: compress(eq(folded, b'k')),
            letter_a: compress(eq(w, b'A')),
            letter_j: compress(eq(w, b'J')),
            e_or_a: compress(eq(folded, b'e') | eq(folded, b'a')),
            e: compress(eq(folded, b'e')),
            o: compress(eq(folded, b'o')),
            upper_k_or_s: compress(eq(w, b'K') | eq(w, b'S')),
            lower_y: compress(eq(w, b'y')),
            digits: compress(digits),
            in_run: compress(digits | eq(w, b' ') | eq(w, b'-')),
            escapes: compress(below_space | eq(w, b'"') | eq(w, b'\\') | (w & HIGH)),
        }
    }

    /// Byte predicates of a block, bit `k` for byte `k`.
    struct Raw {
        separators: u16,
        letter_b: u16,
        letter_k: u16,
        letter_a: u16,
        letter_j: u16,
        e_or_a: u16,
        e: u16,
        o: u16,
        upper_k_or_s: u16,
        lower_y: u16,
        digits: u16,
        in_run: u16,
        escapes: u16,
    }

    pub(super) fn classify_words(block: [u8; 16]) -> Classes {
        let lo = word(u64::from_le_bytes([
            block[0], block[1], block[2], block[3], block[4], block[5], block[6], block[7],
        ]));
        let hi = word(u64::from_le_bytes([
            block[8], block[9], block[10], block[11], block[12], block[13], block[14], block[15],
        ]));
        let both = |f: fn(&Raw) -> u16| f(&lo) | f(&hi) << 8;
        // Bit `k` of `x >> 1` is byte `k + 1`'s, of `x << 1` byte `k - 1`'s.
        let letter_b = both(|r| r.letter_b);
        let letter_k = both(|r| r.letter_k);
        let letter_a = both(|r| r.letter_a);
        let letter_j = both(|r| r.letter_j);
        let with_neighbours = letter_b & both(|r| r.e_or_a) >> 1
            | letter_k & both(|r| r.o) << 1 & both(|r| r.e) >> 1
            | letter_a & both(|r| r.upper_k_or_s) >> 1
            | letter_j & both(|r| r.lower_y) << 1;
        Classes {
            anchors: both(|r| r.separators)
                | with_neighbours
                | (letter_b | letter_k | letter_a | letter_j) & EDGES,
            digits: both(|r| r.digits),
            breakers: !both(|r| r.in_run),
            escapes: both(|r| r.escapes),
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
            // A letter at either edge anchors whatever its neighbours.
            let edge = k == 0 || k == 15;
            let prev = |is: fn(u8) -> bool| edge || is(block[k - 1]);
            let next = |is: fn(u8) -> bool| edge || is(block[k + 1]);
            let anchor = match b {
                b'=' | b':' => true,
                b'B' | b'b' => next(|n| matches!(n, b'e' | b'E' | b'a' | b'A')),
                b'K' | b'k' => {
                    prev(|p| matches!(p, b'o' | b'O')) && next(|n| matches!(n, b'e' | b'E'))
                }
                b'A' => next(|n| matches!(n, b'K' | b'S')),
                b'J' => prev(|p| p == b'y'),
                _ => false,
            };
            if anchor {
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
                for neighbours in [
                    *b"oBeokeAKASyJbaKe",
                    *b"BaBEoKEASAKyJoke",
                    *b"x1Be AK9AS`bE{BA",
                ] {
                    let mut with = neighbours;
                    with[k] = b;
                    assert_eq!(classify(with), reference(with), "{b:#x} at {k}");
                    assert_eq!(portable::classify_words(with), reference(with));
                }
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
        // The letters and their neighbours, and the bytes next to them in the table.
        let alphabet = b"bBeEaAkKoOyYsSjJ09/:`{@[ \x7f\xe2";
        for _ in 0..100_000 {
            let block: [u8; 16] = std::array::from_fn(|_| alphabet[rng.usize(..alphabet.len())]);
            assert_eq!(classify(block), reference(block), "{block:?}");
            assert_eq!(
                portable::classify_words(block),
                reference(block),
                "{block:?}"
            );
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
