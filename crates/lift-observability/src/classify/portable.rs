//! The classifier from word-at-a-time bit tricks, for processors with neither SSE2 nor
//! NEON — and, on x86-64 and AArch64, a second reference the vector classifiers are tested
//! against.

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
        separators: compress(
            eq(w | ONES, b'=') | eq(w, b':') | eq(w, b'%') | eq(w, b'\\') | eq(w, b'_'),
        ),
        letter_b: compress(eq(folded, b'b')),
        letter_k: compress(eq(folded, b'k')),
        letter_a: compress(eq(w, b'A')),
        letter_j: compress(eq(w, b'J')),
        letter_w: compress(eq(folded, b'w')),
        // With bits 2 and 5 set, `R`, `V`, `r` and `v` are a `v`, and no other byte.
        v_or_r: compress(eq(w | (ONES * 0x24), b'v')),
        c: compress(eq(folded, b'c')),
        e_or_a: compress(eq(folded, b'e') | eq(folded, b'a')),
        e: compress(eq(folded, b'e')),
        s_or_r: compress(eq(folded, b's') | eq(folded, b'r')),
        underscore_or_dash: compress(eq(w, b'_') | eq(w, b'-')),
        after_upper_a: compress(eq(w | (ONES * 0x0b), b'K') | eq(w | (ONES * 0x0b), b'[')),
        lower_y: compress(eq(w, b'y')),
        quote: compress(eq(w, b'"')),
        comma: compress(eq(w, b',')),
        paren: compress(eq(w, b'(')),
        dash: compress(eq(w, b'-')),
        dot: compress(eq(w, b'.')),
        // Letters from `g` on, either case: ASCII whose folded byte is 0x67 or more.
        letters_from_g: compress((folded & !HIGH).wrapping_add(ONES * 0x19) & !folded & HIGH),
        space: compress(eq(w, b' ')),
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
    letter_w: u32,
    v_or_r: u32,
    c: u32,
    e_or_a: u32,
    e: u32,
    s_or_r: u32,
    underscore_or_dash: u32,
    after_upper_a: u32,
    lower_y: u32,
    quote: u32,
    comma: u32,
    paren: u32,
    dash: u32,
    dot: u32,
    letters_from_g: u32,
    space: u32,
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
    let letter_w = all(|r| r.letter_w);
    let with_neighbours = letter_b & all(|r| r.e_or_a) >> 1
        | letter_k & all(|r| r.e) >> 1
        | letter_k & all(|r| r.s_or_r) << 1 & all(|r| r.underscore_or_dash) >> 1
        | letter_w & all(|r| r.s_or_r) << 1
        | letter_a & all(|r| r.after_upper_a) >> 1
        | letter_j & all(|r| r.lower_y) << 1
        | all(|r| r.v_or_r) & all(|r| r.c) << 1
        | all(|r| r.quote) & (all(|r| r.comma) >> 1 | LAST_BYTE | all(|r| r.paren) << 1)
        | all(|r| r.dash) & (all(|r| r.dash) >> 1 | LAST_BYTE)
        | (all(|r| r.dash) | all(|r| r.dot)) & all(|r| r.letters_from_g) << 1
        | all(|r| r.digits) & (all(|r| r.space) | all(|r| r.escapes)) << 1;
    Classes {
        anchors: all(|r| r.separators)
            | with_neighbours
            | (letter_b | letter_k | letter_a | letter_j | letter_w) & LAST_BYTE,
        digits: all(|r| r.digits),
        breakers: !all(|r| r.in_run),
        escapes: all(|r| r.escapes),
    }
}
