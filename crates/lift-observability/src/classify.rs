//! Byte classes of 32 bytes at a time: the one read of a string that both redaction and
//! JSON escaping need.
//!
//! [`Classifier::classify`] answers, for each of 32 bytes, four questions as one bit each: is
//! it an anchor byte of a free-text detector, an ASCII digit, a byte that breaks a card
//! number's run (not a digit, a space, a dash or a plus), or a byte the JSON escaper must look
//! at (a control character, `"`, `\\`, non-ASCII)? The anchors are `=`, `:`, `%`, `<` and
//! `\\` (an escaped `=` or `<`, `\\u003d`), and the letters the literal detectors start from
//! where their neighbours could belong to the literal: `B`/`b` before `e`/`a` (`Bearer`,
//! `Basic`), `K`/`k` between `o` and `e` (`Token`) or between `s`/`r` and `_` or `-`
//! (`sk_live_`, `sk-proj-`), `V`/`v` after `c` (`cvv 737`), `A` before `K`/`S` (`AKIA`,
//! `ASIA`), `J` after `y` (`eyJ`), `"` before `,` (where a tuple's first item ends) or after
//! `(` (where a wrapper's text starts: `Password("…")`), `-`
//! before `-` (a command line's long flag) — and any of these letters, a `"` or a `-` as the
//! block's last byte, whose neighbour after it is outside. The block's first byte is judged
//! as a string's first: nothing before it. In prose the letters alone anchor often; with
//! their neighbours, rarely.
//!
//! Two classifiers give the same answers. [`Baseline`] works everywhere: on x86-64 with SSE2
//! (part of the architecture's baseline, so always there), two 16-byte halves; elsewhere with
//! word-at-a-time bit tricks. [`Avx2`] takes all 32 bytes in one register, and exists only
//! where the processor was found to have AVX2 at run time ([`Avx2::detect`]). Tests hold all
//! of them to a byte-by-byte definition.

/// The classes of 32 bytes, bit `k` for byte `k`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Classes {
    /// Anchor bytes of the free-text detectors.
    pub(crate) anchors: u32,
    /// ASCII digits.
    pub(crate) digits: u32,
    /// Bytes that cannot be inside a card number's run.
    pub(crate) breakers: u32,
    /// Bytes the JSON escaper must look at.
    pub(crate) escapes: u32,
}

/// The bytes one classification covers.
pub(crate) const BLOCK: usize = 32;

/// The last byte of a block: a letter anchors there whatever the byte after it is. (The
/// first byte is judged as if nothing came before it — exact at a string's start;
/// [`Classifier::classify_at`] makes up for the byte before a block inside a string.)
const LAST_BYTE: u32 = 1 << 31;

/// Letters that anchor only after a particular byte (`oKe`, `yJ`): at the first byte of a
/// block inside a string, whose byte before the classifier did not see, they anchor
/// whatever it is.
static NEED_BYTE_BEFORE: [u32; 256] = {
    let mut t = [0; 256];
    t[b'K' as usize] = 1;
    t[b'k' as usize] = 1;
    t[b'J' as usize] = 1;
    t[b'V' as usize] = 1;
    t[b'v' as usize] = 1;
    t[b'"' as usize] = 1;
    t
};

/// The classes of a block entirely past the end (all padding): only breakers.
pub(crate) const PAST_THE_END: Classes = Classes {
    anchors: 0,
    digits: 0,
    breakers: u32::MAX,
    escapes: 0,
};

/// A way to classify blocks.
pub(crate) trait Classifier: Copy {
    /// The classes of `block`.
    fn classify(self, block: [u8; BLOCK]) -> Classes;

    /// The classes of a whole string shorter than a block, with the block's bytes past its
    /// end as padding (no class but breaker).
    #[inline(always)]
    fn classify_short(self, bytes: &[u8]) -> Classes {
        self.classify(padded(bytes))
    }

    /// The classes of the [`BLOCK`] bytes at `at` ([`PAST_THE_END`] when none is left; bits
    /// past the end of `bytes` are breakers and nothing else).
    ///
    /// A block that reaches past the end is never copied into padding — a wide load of bytes
    /// just stored piecemeal waits for the stores to land. Instead the last [`BLOCK`] bytes of
    /// the string (or, in a shorter string, the whole of it, padded) are classified and their
    /// classes shifted down to `at`. Every byte's classes are the same either way, except
    /// that a letter as the string's last byte or as the first byte of a whole block inside
    /// the string may count as an anchor (a block's edge).
    #[inline(always)]
    fn classify_at(self, bytes: &[u8], at: usize) -> Classes {
        let len = bytes.len();
        if at >= len {
            return PAST_THE_END;
        }
        if let Some(block) = bytes.get(at..at + BLOCK).and_then(|b| b.first_chunk()) {
            let mut classes = self.classify(*block);
            // The first byte was judged as if nothing came before it (exact at the string's
            // start; a `B`/`b` there may anchor needlessly, never wrongly not).
            classes.anchors |= NEED_BYTE_BEFORE[usize::from(bytes[at])] & u32::from(at > 0);
            return classes;
        }
        let left = len - at;
        match bytes.last_chunk::<BLOCK>() {
            Some(last) => self.classify(*last).skip(BLOCK - left, left),
            None => self.classify_short(bytes).skip(at, left),
        }
    }
}

impl Classes {
    /// The classes from bit `by` on, moved down to bit 0, with `left` bytes of the string
    /// there: the bits from `left` on are past its end.
    #[inline(always)]
    fn skip(self, by: usize, left: usize) -> Classes {
        let past = u32::MAX.checked_shl(left as u32).unwrap_or(0);
        let by = by as u32;
        Classes {
            anchors: self.anchors >> by,
            digits: self.digits >> by,
            breakers: self.breakers >> by | past,
            escapes: self.escapes >> by,
        }
    }
}

/// The classifier every processor has.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Baseline;

impl Classifier for Baseline {
    #[inline(always)]
    fn classify(self, block: [u8; BLOCK]) -> Classes {
        #[cfg(target_arch = "x86_64")]
        #[allow(unsafe_code)]
        // SAFETY: SSE2 is part of the x86-64 baseline: every x86-64 processor has it, so
        // the `sse2` target feature `classify_sse2` asks for is always present.
        unsafe {
            sse2::classify_sse2(block)
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            portable::classify_words(block)
        }
    }
}

/// The AVX2 classifier: a value of it exists only where the processor has AVX2.
#[cfg(target_arch = "x86_64")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Avx2(());

#[cfg(target_arch = "x86_64")]
impl Avx2 {
    /// The classifier, if this processor has AVX2 (the answer is cached by the standard
    /// library: a load and a test).
    #[inline(always)]
    pub(crate) fn detect() -> Option<Avx2> {
        std::arch::is_x86_feature_detected!("avx2").then_some(Avx2(()))
    }
}

#[cfg(target_arch = "x86_64")]
impl Classifier for Avx2 {
    #[inline(always)]
    fn classify(self, block: [u8; BLOCK]) -> Classes {
        #[allow(unsafe_code)]
        // SAFETY: an `Avx2` is only made by `Avx2::detect`, which found AVX2 present.
        unsafe {
            avx2::classify_avx2(block)
        }
    }

    #[inline(always)]
    fn classify_short(self, bytes: &[u8]) -> Classes {
        #[allow(unsafe_code)]
        // SAFETY: as above.
        unsafe {
            avx2::classify_short_avx2(bytes)
        }
    }
}

/// `bytes` (shorter than a block) padded with `x` (no class but breaker: no card starts in
/// the padding, and nothing there is an anchor or escaped).
#[inline(always)]
pub(crate) fn padded(bytes: &[u8]) -> [u8; BLOCK] {
    let mut out = [b'x'; BLOCK];
    let n = bytes.len().min(BLOCK);
    out[..n].copy_from_slice(&bytes[..n]);
    out
}

/// The block's eight-byte words, little-endian.
#[inline(always)]
fn words(block: [u8; BLOCK]) -> [u64; 4] {
    std::array::from_fn(|k| word(&block, 8 * k))
}

/// The eight bytes of `bytes` at `at`, little-endian.
#[inline(always)]
fn word(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(w)
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set_epi64x, _mm_set1_epi8, _mm_slli_si128, _mm_srli_si128, _mm_sub_epi8,
    };

    use super::{BLOCK, Classes, LAST_BYTE, words};

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
    fn mask(v: __m128i) -> u32 {
        _mm_movemask_epi8(v) as u16 as u32
    }

    /// The anchor letters of a half (`prev`/`next`: the half with each lane holding the byte
    /// before/after it), without the block's edges.
    #[target_feature(enable = "sse2")]
    fn letter_anchors(v: __m128i, prev: __m128i, next: __m128i) -> u32 {
        let fold = _mm_set1_epi8(0x20);
        let folded = _mm_or_si128(v, fold);
        let letter_b = eq(folded, b'b');
        let letter_k = eq(folded, b'k');
        let letter_a = eq(v, b'A');
        let letter_j = eq(v, b'J');
        let folded_next = _mm_or_si128(next, fold);
        mask(_mm_or_si128(
            _mm_or_si128(
                _mm_and_si128(
                    letter_b,
                    _mm_or_si128(eq(folded_next, b'e'), eq(folded_next, b'a')),
                ),
                _mm_and_si128(
                    letter_k,
                    _mm_or_si128(
                        _mm_and_si128(eq(_mm_or_si128(prev, fold), b'o'), eq(folded_next, b'e')),
                        // `r` and `s` differ only in the lowest bit.
                        _mm_and_si128(
                            eq(_mm_or_si128(prev, _mm_set1_epi8(0x21)), b's'),
                            _mm_or_si128(eq(next, b'_'), eq(next, b'-')),
                        ),
                    ),
                ),
            ),
            _mm_or_si128(
                _mm_and_si128(letter_a, _mm_or_si128(eq(next, b'K'), eq(next, b'S'))),
                _mm_and_si128(letter_j, eq(prev, b'y')),
            ),
        ))
    }

    /// The letters of a half, its `c`s and `v`s, its `"`s, `,`s, `-`s and `(`s, and its other
    /// classes.
    #[target_feature(enable = "sse2")]
    fn half(v: __m128i) -> (u32, [u32; 6], Classes) {
        let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
        let letters = _mm_or_si128(
            _mm_or_si128(eq(folded, b'b'), eq(folded, b'k')),
            _mm_or_si128(eq(v, b'A'), eq(v, b'J')),
        );
        // `<` and `=` differ only in the lowest bit: one comparison finds both.
        let backslash = eq(v, b'\\');
        let separators = _mm_or_si128(
            _mm_or_si128(eq(_mm_or_si128(v, _mm_set1_epi8(1)), b'='), backslash),
            _mm_or_si128(eq(v, b':'), eq(v, b'%')),
        );
        let digits = at_most(_mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8)), 9);
        let dash = eq(v, b'-');
        let in_run = _mm_or_si128(
            _mm_or_si128(digits, eq(v, b'+')),
            _mm_or_si128(eq(v, b' '), dash),
        );
        let quote = eq(v, b'"');
        let escapes = _mm_or_si128(at_most(v, 0x1f), _mm_or_si128(quote, backslash));
        (
            mask(letters),
            [
                mask(eq(folded, b'c')),
                mask(eq(folded, b'v')),
                mask(quote),
                mask(eq(v, b',')),
                mask(dash),
                mask(eq(v, b'(')),
            ],
            Classes {
                anchors: mask(separators),
                digits: mask(digits),
                breakers: !mask(in_run) & 0xffff,
                // The high bit of `v` itself: non-ASCII.
                escapes: mask(escapes) | mask(v),
            },
        )
    }

    // Not `#[inline]`: inlined into the scan, LLVM takes the block apart byte by byte and
    // the whole scan costs about a third more (BENCHMARKS.md has the counts).
    #[target_feature(enable = "sse2")]
    pub(super) fn classify_sse2(block: [u8; BLOCK]) -> Classes {
        let [w0, w1, w2, w3] = words(block);
        let lo = _mm_set_epi64x(w1 as i64, w0 as i64);
        let hi = _mm_set_epi64x(w3 as i64, w2 as i64);
        let (letters_lo, [c_lo_bits, v_lo, quote_lo, comma_lo, dash_lo, paren_lo], c_lo) = half(lo);
        let (letters_hi, [c_hi_bits, v_hi, quote_hi, comma_hi, dash_hi, paren_hi], c_hi) = half(hi);
        // A `"` before a `,` or after a `(`, a `-` before a `-` (or either as the block's last
        // byte).
        let quote_anchors = (quote_lo | quote_hi << 16)
            & ((comma_lo | comma_hi << 16) >> 1 | LAST_BYTE | (paren_lo | paren_hi << 16) << 1);
        let dashes = dash_lo | dash_hi << 16;
        let double_dashes = dashes & (dashes >> 1 | LAST_BYTE);
        let letters = letters_lo | letters_hi << 16;
        // A `v` after a `c` (`cvv`): its neighbour from the masks, no vector shift needed.
        let after_c = (v_lo | v_hi << 16) & (c_lo_bits | c_hi_bits << 16) << 1;
        // Most blocks hold none of the letters: their neighbours are looked at only when one
        // is there. Lane `k` of a `next` holds byte `k + 1`, of a `prev` byte `k - 1` (zero
        // past the block's edges).
        let with_neighbours = if letters == 0 {
            0
        } else {
            let next_lo = _mm_or_si128(_mm_srli_si128::<1>(lo), _mm_slli_si128::<15>(hi));
            let prev_hi = _mm_or_si128(_mm_slli_si128::<1>(hi), _mm_srli_si128::<15>(lo));
            letter_anchors(lo, _mm_slli_si128::<1>(lo), next_lo)
                | letter_anchors(hi, prev_hi, _mm_srli_si128::<1>(hi)) << 16
        };
        Classes {
            anchors: c_lo.anchors
                | c_hi.anchors << 16
                | with_neighbours
                | after_c
                | letters & LAST_BYTE
                | quote_anchors
                | double_dashes,
            digits: c_lo.digits | c_hi.digits << 16,
            breakers: c_lo.breakers | c_hi.breakers << 16,
            escapes: c_lo.escapes | c_hi.escapes << 16,
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::{
        __m128i, __m256i, _mm_blendv_epi8, _mm_set_epi64x, _mm_set1_epi8, _mm_shuffle_epi8,
        _mm256_alignr_epi8, _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_min_epu8,
        _mm256_movemask_epi8, _mm256_or_si256, _mm256_permute2x128_si256, _mm256_set_epi64x,
        _mm256_set_m128i, _mm256_set1_epi8, _mm256_sub_epi8,
    };

    use super::{BLOCK, Classes, LAST_BYTE, padded, word, words};

    #[target_feature(enable = "avx2")]
    fn eq(v: __m256i, c: u8) -> __m256i {
        _mm256_cmpeq_epi8(v, _mm256_set1_epi8(c as i8))
    }

    /// Bytes of `v` at most `max` (unsigned).
    #[target_feature(enable = "avx2")]
    fn at_most(v: __m256i, max: u8) -> __m256i {
        _mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_set1_epi8(max as i8)), v)
    }

    #[target_feature(enable = "avx2")]
    fn mask(v: __m256i) -> u32 {
        _mm256_movemask_epi8(v) as u32
    }

    /// Of the letters in `v`, those whose neighbours could belong to the literal each
    /// starts; the block's edges excluded.
    #[target_feature(enable = "avx2")]
    fn neighbours(v: __m256i, [letter_b, letter_k, letter_a, letter_j]: [__m256i; 4]) -> u32 {
        // Lane `k` of `next` holds byte `k + 1` (lane 31: zero), of `prev` byte `k - 1`
        // (lane 0: zero): `alignr` shifts within 16-byte halves, so each half takes its
        // missing byte from the other half, moved across by `permute2x128`.
        let upper_then_zero = _mm256_permute2x128_si256::<0x81>(v, v);
        let zero_then_lower = _mm256_permute2x128_si256::<0x08>(v, v);
        let next = _mm256_alignr_epi8::<1>(upper_then_zero, v);
        let prev = _mm256_alignr_epi8::<15>(v, zero_then_lower);
        let fold = _mm256_set1_epi8(0x20);
        let folded_next = _mm256_or_si256(next, fold);
        mask(_mm256_or_si256(
            _mm256_or_si256(
                _mm256_and_si256(
                    letter_b,
                    _mm256_or_si256(eq(folded_next, b'e'), eq(folded_next, b'a')),
                ),
                _mm256_and_si256(
                    letter_k,
                    _mm256_or_si256(
                        _mm256_and_si256(
                            eq(_mm256_or_si256(prev, fold), b'o'),
                            eq(folded_next, b'e'),
                        ),
                        // `r` and `s` differ only in the lowest bit.
                        _mm256_and_si256(
                            eq(_mm256_or_si256(prev, _mm256_set1_epi8(0x21)), b's'),
                            _mm256_or_si256(eq(next, b'_'), eq(next, b'-')),
                        ),
                    ),
                ),
            ),
            _mm256_or_si256(
                _mm256_and_si256(letter_a, _mm256_or_si256(eq(next, b'K'), eq(next, b'S'))),
                _mm256_and_si256(letter_j, eq(prev, b'y')),
            ),
        ))
    }

    #[target_feature(enable = "avx2")]
    #[inline]
    pub(super) fn classify_avx2(block: [u8; BLOCK]) -> Classes {
        let [w0, w1, w2, w3] = words(block);
        classify_vector(_mm256_set_epi64x(
            w3 as i64, w2 as i64, w1 as i64, w0 as i64,
        ))
    }

    /// The eight bytes of `bytes` at `at`, as a lane of a vector.
    fn lane(bytes: &[u8], at: usize) -> i64 {
        word(bytes, at) as i64
    }

    /// Shuffle indices: lane `k` of the 16 bytes from `k` takes byte `k + s` for `k + s`
    /// below 16, else none (the high bit set).
    static SLIDE: [u8; 32] = {
        let mut t = [0x80; 32];
        let mut k = 0;
        while k < 16 {
            t[k] = k as u8;
            k += 1;
        }
        t
    };

    /// Per length `n` from 8 to 15: lanes below 8 keep their byte, lanes from 8 to `n` take
    /// the byte `16 - n` further on (the second word read ends at `n`), lanes from `n` none.
    static SHORT: [[u8; 16]; 8] = {
        let mut t = [[0x80; 16]; 8];
        let mut n = 8;
        while n < 16 {
            let mut k = 0;
            while k < n {
                t[n - 8][k] = if k < 8 { k } else { k + 16 - n } as u8;
                k += 1;
            }
            n += 1;
        }
        t
    };

    /// Sixteen shuffle indices as a vector.
    #[target_feature(enable = "avx2")]
    fn indices(lanes: &[u8]) -> __m128i {
        _mm_set_epi64x(lane(lanes, 8), lane(lanes, 0))
    }

    /// The bytes `src` picks by `indices`, `x` where an index has its high bit set.
    #[target_feature(enable = "avx2")]
    fn pick(src: __m128i, indices: __m128i) -> __m128i {
        _mm_blendv_epi8(
            _mm_shuffle_epi8(src, indices),
            _mm_set1_epi8(b'x' as i8),
            indices,
        )
    }

    /// The classes of a string shorter than a block, padded with `x`: put together in a
    /// register from overlapping reads inside the string, never through memory.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(super) fn classify_short_avx2(bytes: &[u8]) -> Classes {
        let n = bytes.len();
        let padding = _mm_set1_epi8(b'x' as i8);
        let v = if n >= 16 {
            // Bytes 0..16 as they are; bytes 16..n from the sixteen that end at `n`.
            let low = _mm_set_epi64x(lane(bytes, 8), lane(bytes, 0));
            let last = _mm_set_epi64x(lane(bytes, n - 8), lane(bytes, n - 16));
            _mm256_set_m128i(pick(last, indices(&SLIDE[32 - n..48 - n])), low)
        } else if n >= 8 {
            let halves = _mm_set_epi64x(lane(bytes, n - 8), lane(bytes, 0));
            _mm256_set_m128i(padding, pick(halves, indices(&SHORT[n - 8])))
        } else {
            let [w0, w1, w2, w3] = words(padded(bytes));
            _mm256_set_epi64x(w3 as i64, w2 as i64, w1 as i64, w0 as i64)
        };
        classify_vector(v)
    }

    /// The classes of the 32 bytes of `v`.
    #[target_feature(enable = "avx2")]
    #[inline]
    fn classify_vector(v: __m256i) -> Classes {
        let folded = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
        let letter_b = eq(folded, b'b');
        let letter_k = eq(folded, b'k');
        let letter_a = eq(v, b'A');
        let letter_j = eq(v, b'J');
        let letters = mask(_mm256_or_si256(
            _mm256_or_si256(letter_b, letter_k),
            _mm256_or_si256(letter_a, letter_j),
        ));
        // A `v` after a `c` (`cvv`): its neighbour from the masks, no vector shift needed.
        let after_c = mask(eq(folded, b'v')) & mask(eq(folded, b'c')) << 1;
        // Most blocks hold none of the letters: their neighbours are looked at only when
        // one is there.
        let with_neighbours = if letters == 0 {
            0
        } else {
            neighbours(v, [letter_b, letter_k, letter_a, letter_j])
        };
        // `<` and `=` differ only in the lowest bit: one comparison finds both.
        let backslash = eq(v, b'\\');
        let separators = _mm256_or_si256(
            _mm256_or_si256(eq(_mm256_or_si256(v, _mm256_set1_epi8(1)), b'='), backslash),
            _mm256_or_si256(eq(v, b':'), eq(v, b'%')),
        );
        let digits = at_most(_mm256_sub_epi8(v, _mm256_set1_epi8(b'0' as i8)), 9);
        let dash = eq(v, b'-');
        let in_run = _mm256_or_si256(
            _mm256_or_si256(digits, eq(v, b'+')),
            _mm256_or_si256(eq(v, b' '), dash),
        );
        // A `-` before a `-` (or as the block's last byte): a long flag's dashes.
        let dashes = mask(dash);
        let double_dashes = dashes & (dashes >> 1 | LAST_BYTE);
        let quote = eq(v, b'"');
        let escapes = _mm256_or_si256(at_most(v, 0x1f), _mm256_or_si256(quote, backslash));
        // A `"` before a `,` or after a `(`: looked for only where a quote is.
        let quotes = mask(quote);
        let quote_anchors = if quotes == 0 {
            0
        } else {
            quotes & (mask(eq(v, b',')) >> 1 | LAST_BYTE | mask(eq(v, b'(')) << 1)
        };
        Classes {
            anchors: mask(separators)
                | with_neighbours
                | after_c
                | letters & LAST_BYTE
                | quote_anchors
                | double_dashes,
            digits: mask(digits),
            breakers: !mask(in_run),
            // The high bit of `v` itself: non-ASCII.
            escapes: mask(escapes) | mask(v),
        }
    }
}

/// The same answers from word-at-a-time bit tricks (used where SSE2 is not available, and
/// as a second reference the vector versions are tested against).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
mod portable {
    use super::{BLOCK, Classes, LAST_BYTE, words};

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
    fn compress(bits: u64) -> u32 {
        ((((bits >> 7) & ONES).wrapping_mul(0x0102_0408_1020_4080)) >> 56) as u32
    }

    /// Per byte of a word, one bit each (see [`Raw`]).
    fn word(w: u64) -> Raw {
        let folded = w | (ONES * 0x20);
        let y = w & !HIGH;
        let digits = y.wrapping_add(ONES * 0x50) & (ONES * 0xb9).wrapping_sub(y) & !w & HIGH;
        // Below 0x20: the top three bits are clear.
        let below_space = zero(w & (ONES * 0xe0));
        Raw {
            separators: compress(eq(w | ONES, b'=') | eq(w, b':') | eq(w, b'%') | eq(w, b'\\')),
            letter_b: compress(eq(folded, b'b')),
            letter_k: compress(eq(folded, b'k')),
            letter_a: compress(eq(w, b'A')),
            letter_j: compress(eq(w, b'J')),
            letter_v: compress(eq(folded, b'v')),
            c: compress(eq(folded, b'c')),
            e_or_a: compress(eq(folded, b'e') | eq(folded, b'a')),
            e: compress(eq(folded, b'e')),
            o: compress(eq(folded, b'o')),
            s_or_r: compress(eq(folded, b's') | eq(folded, b'r')),
            underscore_or_dash: compress(eq(w, b'_') | eq(w, b'-')),
            upper_k_or_s: compress(eq(w, b'K') | eq(w, b'S')),
            lower_y: compress(eq(w, b'y')),
            quote: compress(eq(w, b'"')),
            comma: compress(eq(w, b',')),
            paren: compress(eq(w, b'(')),
            dash: compress(eq(w, b'-')),
            digits: compress(digits),
            in_run: compress(digits | eq(w, b' ') | eq(w, b'-') | eq(w, b'+')),
            escapes: compress(below_space | eq(w, b'"') | eq(w, b'\\') | (w & HIGH)),
        }
    }

    /// Byte predicates of a word, bit `k` for byte `k`.
    struct Raw {
        separators: u32,
        letter_b: u32,
        letter_k: u32,
        letter_a: u32,
        letter_j: u32,
        letter_v: u32,
        c: u32,
        e_or_a: u32,
        e: u32,
        o: u32,
        s_or_r: u32,
        underscore_or_dash: u32,
        upper_k_or_s: u32,
        lower_y: u32,
        quote: u32,
        comma: u32,
        paren: u32,
        dash: u32,
        digits: u32,
        in_run: u32,
        escapes: u32,
    }

    pub(super) fn classify_words(block: [u8; BLOCK]) -> Classes {
        let raw = words(block).map(word);
        let all = |f: fn(&Raw) -> u32| {
            raw.iter()
                .enumerate()
                .fold(0, |acc, (k, r)| acc | f(r) << (8 * k))
        };
        // Bit `k` of `x >> 1` is byte `k + 1`'s, of `x << 1` byte `k - 1`'s.
        let letter_b = all(|r| r.letter_b);
        let letter_k = all(|r| r.letter_k);
        let letter_a = all(|r| r.letter_a);
        let letter_j = all(|r| r.letter_j);
        let letter_v = all(|r| r.letter_v);
        let with_neighbours = letter_b & all(|r| r.e_or_a) >> 1
            | letter_k & all(|r| r.o) << 1 & all(|r| r.e) >> 1
            | letter_k & all(|r| r.s_or_r) << 1 & all(|r| r.underscore_or_dash) >> 1
            | letter_a & all(|r| r.upper_k_or_s) >> 1
            | letter_j & all(|r| r.lower_y) << 1
            | letter_v & all(|r| r.c) << 1
            | all(|r| r.quote) & (all(|r| r.comma) >> 1 | LAST_BYTE | all(|r| r.paren) << 1)
            | all(|r| r.dash) & (all(|r| r.dash) >> 1 | LAST_BYTE);
        Classes {
            anchors: all(|r| r.separators)
                | with_neighbours
                | (letter_b | letter_k | letter_a | letter_j) & LAST_BYTE,
            digits: all(|r| r.digits),
            breakers: !all(|r| r.in_run),
            escapes: all(|r| r.escapes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition for one byte, as bit 0: `prev` and `next` are its neighbours. `prev`
    /// is `None` where nothing comes before it (no literal's byte, no word's); `next` is
    /// `None` where the byte after it is not looked at (it fits whatever a letter needs).
    fn byte_classes(b: u8, prev: Option<u8>, next: Option<u8>) -> Classes {
        let next = |is: fn(u8) -> bool| next.is_none_or(is);
        let anchor = match b {
            b'=' | b':' | b'<' | b'%' | b'\\' => true,
            b'B' | b'b' => next(|n| matches!(n, b'e' | b'E' | b'a' | b'A')),
            b'K' | b'k' => {
                matches!(prev, Some(b'o' | b'O')) && next(|n| matches!(n, b'e' | b'E'))
                    || matches!(prev, Some(b's' | b'S' | b'r' | b'R'))
                        && next(|n| n == b'_' || n == b'-')
            }
            b'A' => next(|n| matches!(n, b'K' | b'S')),
            b'J' => prev == Some(b'y'),
            b'V' | b'v' => matches!(prev, Some(b'c' | b'C')),
            b'"' => next(|n| n == b',') || prev == Some(b'('),
            b'-' => next(|n| n == b'-'),
            _ => false,
        };
        Classes {
            anchors: u32::from(anchor),
            digits: u32::from(b.is_ascii_digit()),
            breakers: u32::from(!(b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'+'))),
            escapes: u32::from(b < 0x20 || b == b'"' || b == b'\\' || b >= 0x80),
        }
    }

    /// The classes of byte `k` set in `c`.
    fn set(c: &mut Classes, k: usize, one: Classes) {
        c.anchors |= one.anchors << k;
        c.digits |= one.digits << k;
        c.breakers |= one.breakers << k;
        c.escapes |= one.escapes << k;
    }

    /// The definition, byte by byte, for a block on its own: nothing before its first byte,
    /// and a letter as its last byte anchors whatever its neighbours.
    fn reference(block: [u8; BLOCK]) -> Classes {
        let mut c = Classes::default();
        for (k, &b) in block.iter().enumerate() {
            let prev = (k > 0).then(|| block[k - 1]);
            let next = (k < BLOCK - 1).then(|| block[k + 1]);
            set(&mut c, k, byte_classes(b, prev, next));
        }
        if b"BbKkAJ\"-".contains(&block[BLOCK - 1]) {
            c.anchors |= LAST_BYTE;
        }
        c
    }

    /// Every classifier this build and processor have, held to the definition.
    fn check(block: [u8; BLOCK]) {
        let want = reference(block);
        assert_eq!(Baseline.classify(block), want, "{block:?}");
        assert_eq!(portable::classify_words(block), want, "{block:?}");
        #[cfg(target_arch = "x86_64")]
        if let Some(avx2) = Avx2::detect() {
            assert_eq!(avx2.classify(block), want, "{block:?}");
        }
    }

    #[test]
    fn every_byte_value_at_every_position_is_classified_exactly() {
        for b in 0..=255u8 {
            for k in 0..BLOCK {
                // Neighbours of the letters at every position, across the middle of the
                // block (where the vector halves meet) too.
                for neighbours in [
                    *b"a0 -Z9\"\\\x01\xffbk=:AJoBeokeAKASyJbaKe",
                    *b"BaBEoKEASAKyJokex1Be AK9AS`bE{BA",
                    *b"x1Be AK9AS`bE{BAoBeokeAKASyJbaKe",
                    *b"--a-b--x- -\"--,\"-e--f-g-h-i--0--",
                    *b"(\"x(\"(,\"(\" \"((\"\"(\",a(\"b(\"\"(((\"x(",
                ] {
                    let mut with = neighbours;
                    with[k] = b;
                    check(with);
                }
            }
        }
        let mut rng = fastrand::Rng::with_seed(3);
        for _ in 0..100_000 {
            check(std::array::from_fn(|_| rng.u8(..)));
        }
        // The letters and their neighbours, and the bytes next to them in the table.
        let alphabet = b"bBeEaAkKoOyYsSrRjJvVcC_09/:`{@[%< \x7f\xe2\",-(";
        for _ in 0..100_000 {
            check(std::array::from_fn(|_| {
                alphabet[rng.usize(..alphabet.len())]
            }));
        }
    }

    #[test]
    fn letters_see_their_neighbours_across_the_middle_of_a_block() {
        // `b` as byte 15 before `e` as byte 16, `k` as byte 16 after `o` as byte 15, `J` as
        // byte 16 after `y`: each anchors only through a neighbour in the other half.
        let mut block = [b' '; BLOCK];
        block[15..17].copy_from_slice(b"be");
        assert_eq!(Baseline.classify(block).anchors, 1 << 15);
        block[15..18].copy_from_slice(b"oke");
        assert_eq!(Baseline.classify(block).anchors, 1 << 16);
        block[15..18].copy_from_slice(b"yJx");
        assert_eq!(Baseline.classify(block).anchors, 1 << 16);
        block[15..18].copy_from_slice(b"bxe");
        assert_eq!(Baseline.classify(block).anchors, 0);
    }

    /// What `classify_at` must answer at `at` in `bytes`, by definition: every class of every
    /// byte as in the string (a letter's neighbours are its neighbours in the string; before
    /// its start is an edge), breakers and nothing else past the end.
    fn reference_at(bytes: &[u8], at: usize) -> Classes {
        let mut c = Classes::default();
        for k in 0..BLOCK {
            let p = at + k;
            match bytes.get(p) {
                None => c.breakers |= 1 << k,
                // Past the string's end no literal can go on: `x` fits no letter.
                Some(&b) => set(
                    &mut c,
                    k,
                    byte_classes(
                        b,
                        p.checked_sub(1).map(|q| bytes[q]),
                        Some(*bytes.get(p + 1).unwrap_or(&b'x')),
                    ),
                ),
            }
        }
        c
    }

    /// `classify_at` against the definition: exact but for letters at the block's last byte,
    /// its first (inside the string) or the string's last, which a block's edge may make
    /// anchors.
    fn check_at(c: impl Classifier, bytes: &[u8], at: usize) {
        let got = c.classify_at(bytes, at);
        let want = reference_at(bytes, at);
        let edges = LAST_BYTE
            | u32::from(at > 0)
            | bytes
                .len()
                .checked_sub(at + 1)
                .map_or(0, |k| 1u32.checked_shl(k as u32).unwrap_or(0));
        assert_eq!(
            (got.digits, got.breakers, got.escapes),
            (want.digits, want.breakers, want.escapes),
            "{bytes:?} at {at}"
        );
        assert_eq!(
            got.anchors & !edges,
            want.anchors & !edges,
            "{bytes:?} at {at}"
        );
        assert_eq!(
            got.anchors & want.anchors,
            want.anchors,
            "{bytes:?} at {at}"
        );
        let letters = (0..BLOCK)
            .filter(|&k| {
                bytes
                    .get(at + k)
                    .is_some_and(|b| b"BbKkAJVv\"-".contains(b))
            })
            .fold(0u32, |m, k| m | 1 << k);
        assert_eq!(
            got.anchors & edges & !want.anchors & !letters,
            0,
            "{bytes:?} at {at}"
        );
    }

    #[test]
    fn blocks_past_the_end_of_every_length_and_start_are_classified_as_the_string_says() {
        let alphabet = b"bBeEaAkKoOyJSsr_vVcC09 -=:%<*\"\\\n\xc3\xa9x(";
        let mut rng = fastrand::Rng::with_seed(11);
        for len in 0..=80 {
            for _ in 0..40 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| alphabet[rng.usize(..alphabet.len())])
                    .collect();
                for at in 0..=len {
                    check_at(Baseline, &bytes, at);
                    #[cfg(target_arch = "x86_64")]
                    if let Some(avx2) = Avx2::detect() {
                        check_at(avx2, &bytes, at);
                        assert_eq!(
                            avx2.classify_at(&bytes, at),
                            Baseline.classify_at(&bytes, at)
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn short_strings_are_padded() {
        assert_eq!(&padded(b"ab")[..3], b"abx");
        assert_eq!(Baseline.classify(padded(b"")), PAST_THE_END);
        assert_eq!(Baseline.classify_at(b"abc", 3), PAST_THE_END);
        #[cfg(target_arch = "x86_64")]
        if let Some(avx2) = Avx2::detect() {
            for n in 0..BLOCK {
                let bytes: Vec<u8> = (0..n as u8).map(|k| b'0' + k % 10).collect();
                assert_eq!(
                    avx2.classify_short(&bytes),
                    Baseline.classify(padded(&bytes)),
                    "{n}"
                );
            }
        }
    }
}
