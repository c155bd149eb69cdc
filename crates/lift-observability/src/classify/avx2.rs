//! The classifier with AVX2: the 32-byte block in one register, every class a few byte
//! comparisons and a move of their mask; a letter's neighbour is the block shifted by a byte
//! across its two lanes. Used only where AVX2 was found at run time.

use std::arch::x86_64::{
    __m128i, __m256i, _mm_blendv_epi8, _mm_set_epi64x, _mm_set1_epi8, _mm_shuffle_epi8,
    _mm256_alignr_epi8, _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8, _mm256_min_epu8,
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
fn neighbours(v: __m256i, [letter_b, letter_k, letter_a, letter_j, letter_w]: [__m256i; 5]) -> u32 {
    // Lane `k` of `next` holds byte `k + 1` (lane 31: zero), of `prev` byte `k - 1`
    // (lane 0: zero): `alignr` shifts within 16-byte halves, so each half takes its
    // missing byte from the other half, moved across by `permute2x128`.
    let upper_then_zero = _mm256_permute2x128_si256::<0x81>(v, v);
    let zero_then_lower = _mm256_permute2x128_si256::<0x08>(v, v);
    let next = _mm256_alignr_epi8::<1>(upper_then_zero, v);
    let prev = _mm256_alignr_epi8::<15>(v, zero_then_lower);
    let fold = _mm256_set1_epi8(0x20);
    let folded_next = _mm256_or_si256(next, fold);
    // `r` and `s` differ only in the lowest bit.
    let after_r_or_s = eq(_mm256_or_si256(prev, _mm256_set1_epi8(0x21)), b's');
    mask(_mm256_or_si256(
        _mm256_or_si256(
            _mm256_and_si256(letter_j, eq(prev, b'y')),
            _mm256_and_si256(letter_w, after_r_or_s),
        ),
        _mm256_or_si256(
            _mm256_or_si256(
                _mm256_and_si256(
                    letter_b,
                    _mm256_or_si256(eq(folded_next, b'e'), eq(folded_next, b'a')),
                ),
                _mm256_and_si256(
                    letter_k,
                    _mm256_or_si256(
                        eq(folded_next, b'e'),
                        _mm256_and_si256(
                            after_r_or_s,
                            _mm256_or_si256(eq(next, b'_'), eq(next, b'-')),
                        ),
                    ),
                ),
            ),
            _mm256_and_si256(
                letter_a,
                // With bits 0, 1 and 3 set, `@` to `C` and `H` to `K` are a `K`; `P` to `S` and
                // `X` to `[` a `[`: two comparisons for the six bytes wanted and ten more.
                {
                    let spread = _mm256_or_si256(next, _mm256_set1_epi8(0x0b));
                    _mm256_or_si256(eq(spread, b'K'), eq(spread, b'['))
                },
            ),
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
    let letter_w = eq(folded, b'w');
    let letters = mask(_mm256_or_si256(
        _mm256_or_si256(_mm256_or_si256(letter_b, letter_k), letter_w),
        _mm256_or_si256(letter_a, letter_j),
    ));
    // A `v` or an `r` after a `c` (`cvv`, `secret`): its neighbour from the masks, no vector
    // shift needed. With bits 2 and 5 set, `R`, `V`, `r` and `v` are a `v`, and no other byte.
    let after_c =
        mask(eq(_mm256_or_si256(v, _mm256_set1_epi8(0x24)), b'v')) & mask(eq(folded, b'c')) << 1;
    // Most blocks hold none of the letters: their neighbours are looked at only when
    // one is there.
    let with_neighbours = if letters == 0 {
        0
    } else {
        neighbours(v, [letter_b, letter_k, letter_a, letter_j, letter_w])
    };
    // `<` and `=` differ only in the lowest bit: one comparison finds both.
    let backslash = eq(v, b'\\');
    let separators = _mm256_or_si256(
        _mm256_or_si256(
            _mm256_or_si256(eq(_mm256_or_si256(v, _mm256_set1_epi8(1)), b'='), backslash),
            eq(v, b'_'),
        ),
        _mm256_or_si256(eq(v, b':'), eq(v, b'%')),
    );
    let digits = at_most(_mm256_sub_epi8(v, _mm256_set1_epi8(b'0' as i8)), 9);
    let dash = eq(v, b'-');
    let space = eq(v, b' ');
    let in_run = _mm256_or_si256(
        _mm256_or_si256(digits, eq(v, b'+')),
        _mm256_or_si256(space, dash),
    );
    let digits = mask(digits);
    // A `-` before a `-` (or as the block's last byte): a long flag's dashes.
    let dashes = mask(dash);
    let double_dashes = dashes & (dashes >> 1 | LAST_BYTE);
    // A `-` or `.` after a letter from `g` on, either case (`glpat-`, `SG.`, `hvs.`): one
    // signed comparison of the folded byte (non-ASCII is negative).
    let prefix_ends = (dashes | mask(eq(v, b'.')))
        & mask(_mm256_cmpgt_epi8(folded, _mm256_set1_epi8(b'f' as i8))) << 1;
    let quote = eq(v, b'"');
    let escapes = _mm256_or_si256(at_most(v, 0x1f), _mm256_or_si256(quote, backslash));
    let quotes = mask(quote);
    // The high bit of `v` itself: non-ASCII.
    let escapes = mask(escapes) | mask(v);
    // A digit after a space or a byte the escaper looks at (a quote, a tab): perhaps a code
    // after its name in prose (`PIN 1234`, `PIN "1234"`, `PIN\t1234`).
    let spaced_digits = digits & (mask(space) | escapes) << 1;
    // A `"` before a `,` or after a `(`: looked for only where a quote is.
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
            | double_dashes
            | prefix_ends
            | spaced_digits,
        digits,
        breakers: !mask(in_run),
        escapes,
    }
}
