//! The classifier on AArch64 (AWS Graviton): each 32-byte block as two 16-byte NEON halves,
//! as the SSE2 classifier takes them — every class a few byte comparisons; a letter's
//! neighbour is the halves slid by a byte (`vext`). NEON has no move of a mask: the bytes of a
//! comparison are weighed by their place in each 8-byte half and summed, which gives one bit
//! per byte — for four classes at once, by pairwise sums (`addp`) of their eight halves.

use std::arch::aarch64::{
    uint8x16_t, vandq_u8, vceqq_u8, vcleq_u8, vcombine_u8, vcreate_u8, vdupq_n_u8, vextq_u8,
    vgetq_lane_u32, vorrq_u8, vpaddq_u8, vreinterpretq_u32_u8, vsubq_u8, vtstq_u8,
};

use super::{BLOCK, Classes, LAST_BYTE, words};

#[target_feature(enable = "neon")]
fn eq(v: uint8x16_t, c: u8) -> uint8x16_t {
    vceqq_u8(v, vdupq_n_u8(c))
}

/// Bytes of `v` at most `max` (unsigned).
#[target_feature(enable = "neon")]
fn at_most(v: uint8x16_t, max: u8) -> uint8x16_t {
    vcleq_u8(v, vdupq_n_u8(max))
}

/// The anchor letters of a half (`prev`/`next`: the half with each lane holding the byte
/// before/after it), without the block's edges: all ones where one is.
#[target_feature(enable = "neon")]
fn letter_anchors(v: uint8x16_t, prev: uint8x16_t, next: uint8x16_t) -> uint8x16_t {
    let fold = vdupq_n_u8(0x20);
    let folded = vorrq_u8(v, fold);
    let letter_b = eq(folded, b'b');
    let letter_k = eq(folded, b'k');
    let letter_a = eq(v, b'A');
    let letter_j = eq(v, b'J');
    let letter_w = eq(folded, b'w');
    let folded_next = vorrq_u8(next, fold);
    // `r` and `s` differ only in the lowest bit.
    let after_r_or_s = eq(vorrq_u8(prev, vdupq_n_u8(0x21)), b's');
    vorrq_u8(
        vorrq_u8(
            vandq_u8(letter_j, eq(prev, b'y')),
            vandq_u8(letter_w, after_r_or_s),
        ),
        vorrq_u8(
            vorrq_u8(
                vandq_u8(
                    letter_b,
                    vorrq_u8(eq(folded_next, b'e'), eq(folded_next, b'a')),
                ),
                vandq_u8(
                    letter_k,
                    vorrq_u8(
                        eq(folded_next, b'e'),
                        vandq_u8(after_r_or_s, vorrq_u8(eq(next, b'_'), eq(next, b'-'))),
                    ),
                ),
            ),
            vandq_u8(
                letter_a,
                // With bits 0, 1 and 3 set, `@` to `C` and `H` to `K` are a `K`; `P` to `S` and
                // `X` to `[` a `[`: two comparisons for the six bytes wanted and ten more.
                {
                    let spread = vorrq_u8(next, vdupq_n_u8(0x0b));
                    vorrq_u8(eq(spread, b'K'), eq(spread, b'['))
                },
            ),
        ),
    )
}

/// A half's comparisons, one per class the block's masks are made of, in the order
/// [`classify_neon`] takes their masks.
#[target_feature(enable = "neon")]
fn comparisons(v: uint8x16_t) -> [uint8x16_t; CLASSES] {
    let folded = vorrq_u8(v, vdupq_n_u8(0x20));
    let letters = vorrq_u8(
        vorrq_u8(
            vorrq_u8(eq(folded, b'b'), eq(folded, b'k')),
            eq(folded, b'w'),
        ),
        vorrq_u8(eq(v, b'A'), eq(v, b'J')),
    );
    // `<` and `=` differ only in the lowest bit: one comparison finds both.
    let backslash = eq(v, b'\\');
    let separators = vorrq_u8(
        vorrq_u8(
            vorrq_u8(eq(vorrq_u8(v, vdupq_n_u8(1)), b'='), backslash),
            eq(v, b'_'),
        ),
        vorrq_u8(eq(v, b':'), eq(v, b'%')),
    );
    let digits = at_most(vsubq_u8(v, vdupq_n_u8(b'0')), 9);
    let dash = eq(v, b'-');
    let space = eq(v, b' ');
    let in_run = vorrq_u8(vorrq_u8(digits, eq(v, b'+')), vorrq_u8(space, dash));
    let quote = eq(v, b'"');
    // Controls, `"`, `\` and non-ASCII (the high bit set).
    let escapes = vorrq_u8(
        vorrq_u8(at_most(v, 0x1f), vorrq_u8(quote, backslash)),
        vtstq_u8(v, vdupq_n_u8(0x80)),
    );
    [
        letters,
        eq(folded, b'c'),
        // With bits 2 and 5 set, `R`, `V`, `r` and `v` are a `v`, and no other byte.
        eq(vorrq_u8(v, vdupq_n_u8(0x24)), b'v'),
        quote,
        eq(v, b','),
        dash,
        eq(v, b'('),
        space,
        separators,
        digits,
        in_run,
        escapes,
        // A `-` or `.`; the letters from `g` on, either case, a token's prefix may end in
        // before one (`glpat-`, `SG.`, `hvs.`): the folded byte from 0x67 to 0x7f.
        vorrq_u8(dash, eq(v, b'.')),
        at_most(vsubq_u8(folded, vdupq_n_u8(0x67)), 0x7f - 0x67),
    ]
}

/// How many classes [`comparisons`] gives: four masks' worth three times, and two more the
/// prefixes' ends are made of ([`classify_neon`]).
const CLASSES: usize = 14;

/// Each comparison's bytes weighed by their place in its 8-byte half — byte `k` of each
/// half by `1 << k`, so that the sum of a half's weighed bytes is its mask.
#[target_feature(enable = "neon")]
fn weighed(v: uint8x16_t) -> uint8x16_t {
    vandq_u8(
        v,
        vcombine_u8(
            vcreate_u8(0x8040_2010_0804_0201),
            vcreate_u8(0x8040_2010_0804_0201),
        ),
    )
}

/// The 32-byte mask of one class from its comparisons on the block's two halves: the
/// weighed bytes summed pairwise three times, as [`four_masks`] does for four.
#[target_feature(enable = "neon")]
fn one_mask(low: uint8x16_t, high: uint8x16_t) -> u32 {
    let pairs = vpaddq_u8(weighed(low), weighed(high));
    let quads = vpaddq_u8(pairs, pairs);
    vgetq_lane_u32::<0>(vreinterpretq_u32_u8(vpaddq_u8(quads, quads)))
}

/// The 32-byte masks of four classes from their comparisons on the block's two halves
/// (`[low, high]` each): pairwise sums of the weighed bytes, three times over, leave each
/// class's four masks of eight bytes each side by side — one 32-bit lane per class.
#[target_feature(enable = "neon")]
fn four_masks(halves: [[uint8x16_t; 2]; 4]) -> [u32; 4] {
    let [[a, b], [c, d], [e, f], [g, h]] = halves.map(|[low, high]| [weighed(low), weighed(high)]);
    let sums = vpaddq_u8(
        vpaddq_u8(vpaddq_u8(a, b), vpaddq_u8(c, d)),
        vpaddq_u8(vpaddq_u8(e, f), vpaddq_u8(g, h)),
    );
    let lanes = vreinterpretq_u32_u8(sums);
    [
        vgetq_lane_u32::<0>(lanes),
        vgetq_lane_u32::<1>(lanes),
        vgetq_lane_u32::<2>(lanes),
        vgetq_lane_u32::<3>(lanes),
    ]
}

/// The classes of a block ([`Classes`]), as the other classifiers give them.
#[target_feature(enable = "neon")]
pub(super) fn classify_neon(block: [u8; BLOCK]) -> Classes {
    let [w0, w1, w2, w3] = words(block);
    let lo = vcombine_u8(vcreate_u8(w0), vcreate_u8(w1));
    let hi = vcombine_u8(vcreate_u8(w2), vcreate_u8(w3));
    let (low, high) = (comparisons(lo), comparisons(hi));
    let both = |k: usize| [low[k], high[k]];
    let [letters, c, v_or_r, quotes] = four_masks([both(0), both(1), both(2), both(3)]);
    let [commas, dashes, parens, spaces] = four_masks([both(4), both(5), both(6), both(7)]);
    // A `-` or `.` after a letter from `g` on: the letters slid by a byte across the halves,
    // as a `prev` is, and the anchors taken with the separators' (one mask fewer to sum).
    let zero = vdupq_n_u8(0);
    let anchors_low = vorrq_u8(low[8], vandq_u8(low[12], vextq_u8::<15>(zero, low[13])));
    let anchors_high = vorrq_u8(
        high[8],
        vandq_u8(high[12], vextq_u8::<15>(low[13], high[13])),
    );
    let [separators, digits, in_run, escapes] =
        four_masks([[anchors_low, anchors_high], both(9), both(10), both(11)]);
    // A `"` before a `,` or after a `(`, a `-` before a `-` (or either as the block's last
    // byte).
    let quote_anchors = quotes & (commas >> 1 | LAST_BYTE | parens << 1);
    let double_dashes = dashes & (dashes >> 1 | LAST_BYTE);
    // A `v` or an `r` after a `c` (`cvv`, `secret`): its neighbour from the masks, no vector
    // shift needed.
    let after_c = v_or_r & c << 1;
    // Most blocks hold none of the letters: their neighbours are looked at only when one
    // is there. Lane `k` of a `next` holds byte `k + 1`, of a `prev` byte `k - 1` (zero
    // past the block's edges).
    let with_neighbours = if letters == 0 {
        0
    } else {
        let next_lo = vextq_u8::<1>(lo, hi);
        let prev_hi = vextq_u8::<15>(lo, hi);
        one_mask(
            letter_anchors(lo, vextq_u8::<15>(zero, lo), next_lo),
            letter_anchors(hi, prev_hi, vextq_u8::<1>(hi, zero)),
        )
    };
    // A digit after a space or a byte the escaper looks at (a quote, a tab): perhaps a code
    // after its name in prose (`PIN 1234`, `PIN "1234"`, `PIN\t1234`).
    let spaced_digits = digits & (spaces | escapes) << 1;
    Classes {
        anchors: separators
            | spaced_digits
            | with_neighbours
            | after_c
            | letters & LAST_BYTE
            | quote_anchors
            | double_dashes,
        digits,
        breakers: !in_run,
        escapes,
    }
}
