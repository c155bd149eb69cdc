//! The classifier on x86-64's baseline: each 32-byte block as two 16-byte SSE2 halves,
//! every class a few byte comparisons and a move of their mask; a letter's neighbour is the
//! half shifted by a byte, the byte across the halves' seam carried over by hand.

use std::arch::x86_64::{
    __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_min_epu8, _mm_movemask_epi8,
    _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8, _mm_slli_si128, _mm_srli_si128, _mm_sub_epi8,
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
    let letter_w = eq(folded, b'w');
    let folded_next = _mm_or_si128(next, fold);
    // `r` and `s` differ only in the lowest bit.
    let after_r_or_s = eq(_mm_or_si128(prev, _mm_set1_epi8(0x21)), b's');
    mask(_mm_or_si128(
        _mm_or_si128(
            _mm_and_si128(letter_j, eq(prev, b'y')),
            _mm_and_si128(letter_w, after_r_or_s),
        ),
        _mm_or_si128(
            _mm_or_si128(
                _mm_and_si128(
                    letter_b,
                    _mm_or_si128(eq(folded_next, b'e'), eq(folded_next, b'a')),
                ),
                _mm_and_si128(
                    letter_k,
                    _mm_or_si128(
                        eq(folded_next, b'e'),
                        _mm_and_si128(after_r_or_s, _mm_or_si128(eq(next, b'_'), eq(next, b'-'))),
                    ),
                ),
            ),
            _mm_and_si128(
                letter_a,
                // With bits 0, 1 and 3 set, `@` to `C` and `H` to `K` are a `K`; `P` to `S` and
                // `X` to `[` a `[`: two comparisons for the six bytes wanted and ten more.
                {
                    let spread = _mm_or_si128(next, _mm_set1_epi8(0x0b));
                    _mm_or_si128(eq(spread, b'K'), eq(spread, b'['))
                },
            ),
        ),
    ))
}

/// The letters of a half, its `c`s, its `v`s and `r`s, its `"`s, `,`s, `-`s, `(`s and
/// spaces, its `.`s and its letters from `g` on (either case: a token's prefix may end in one
/// before a `-` or `.`), and its other classes.
#[target_feature(enable = "sse2")]
fn half(v: __m128i) -> (u32, [u32; 9], Classes) {
    let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
    let letters = _mm_or_si128(
        _mm_or_si128(
            _mm_or_si128(eq(folded, b'b'), eq(folded, b'k')),
            eq(folded, b'w'),
        ),
        _mm_or_si128(eq(v, b'A'), eq(v, b'J')),
    );
    // `<` and `=` differ only in the lowest bit: one comparison finds both.
    let backslash = eq(v, b'\\');
    let separators = _mm_or_si128(
        _mm_or_si128(
            _mm_or_si128(eq(_mm_or_si128(v, _mm_set1_epi8(1)), b'='), backslash),
            eq(v, b'_'),
        ),
        _mm_or_si128(eq(v, b':'), eq(v, b'%')),
    );
    let digits = at_most(_mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8)), 9);
    let dash = eq(v, b'-');
    let space = eq(v, b' ');
    let in_run = _mm_or_si128(_mm_or_si128(digits, eq(v, b'+')), _mm_or_si128(space, dash));
    let quote = eq(v, b'"');
    let escapes = _mm_or_si128(at_most(v, 0x1f), _mm_or_si128(quote, backslash));
    // A letter from `g` on, either case: one signed comparison of the folded byte
    // (non-ASCII is negative).
    let prefix_letters = _mm_cmpgt_epi8(folded, _mm_set1_epi8(b'f' as i8));
    (
        mask(letters),
        [
            mask(eq(folded, b'c')),
            // With bits 2 and 5 set, `R`, `V`, `r` and `v` are a `v`, and no other byte.
            mask(eq(_mm_or_si128(v, _mm_set1_epi8(0x24)), b'v')),
            mask(quote),
            mask(eq(v, b',')),
            mask(dash),
            mask(eq(v, b'(')),
            mask(space),
            mask(eq(v, b'.')),
            mask(prefix_letters),
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
    let (
        letters_lo,
        [
            c_lo_bits,
            v_or_r_lo,
            quote_lo,
            comma_lo,
            dash_lo,
            paren_lo,
            space_lo,
            dot_lo,
            prefix_letters_lo,
        ],
        c_lo,
    ) = half(lo);
    let (
        letters_hi,
        [
            c_hi_bits,
            v_or_r_hi,
            quote_hi,
            comma_hi,
            dash_hi,
            paren_hi,
            space_hi,
            dot_hi,
            prefix_letters_hi,
        ],
        c_hi,
    ) = half(hi);
    // A `"` before a `,` or after a `(`, a `-` before a `-` (or either as the block's last
    // byte).
    let quote_anchors = (quote_lo | quote_hi << 16)
        & ((comma_lo | comma_hi << 16) >> 1 | LAST_BYTE | (paren_lo | paren_hi << 16) << 1);
    let dashes = dash_lo | dash_hi << 16;
    let double_dashes = dashes & (dashes >> 1 | LAST_BYTE);
    // A `-` or `.` after a letter from `g` on (`glpat-`, `SG.`, `hvs.`).
    let prefix_ends =
        (dashes | dot_lo | dot_hi << 16) & (prefix_letters_lo | prefix_letters_hi << 16) << 1;
    let letters = letters_lo | letters_hi << 16;
    // A `v` or an `r` after a `c` (`cvv`, `secret`): its neighbour from the masks, no vector
    // shift needed.
    let after_c = (v_or_r_lo | v_or_r_hi << 16) & (c_lo_bits | c_hi_bits << 16) << 1;
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
    let digits = c_lo.digits | c_hi.digits << 16;
    let escapes = c_lo.escapes | c_hi.escapes << 16;
    // A digit after a space or a byte the escaper looks at (a quote, a tab): perhaps a code
    // after its name in prose (`PIN 1234`, `PIN "1234"`, `PIN\t1234`).
    let spaced_digits = digits & (space_lo | space_hi << 16 | escapes) << 1;
    Classes {
        anchors: c_lo.anchors
            | c_hi.anchors << 16
            | spaced_digits
            | with_neighbours
            | after_c
            | letters & LAST_BYTE
            | quote_anchors
            | double_dashes
            | prefix_ends,
        digits,
        breakers: c_lo.breakers | c_hi.breakers << 16,
        escapes,
    }
}
