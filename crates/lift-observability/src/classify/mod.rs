//! Byte classes of 32 bytes at a time: the one read of a string that both redaction and
//! JSON escaping need.
//!
//! [`Classifier::classify`] answers, for each of 32 bytes, four questions as one bit each: is
//! it an anchor byte of a free-text detector, an ASCII digit, a byte that breaks a card
//! number's run (not a digit, a space, a dash or a plus), or a byte the JSON escaper must look
//! at (a control character, `"`, `\\`, non-ASCII)? The anchors are `=`, `:`, `%`, `<`,
//! `\\` (an escaped `=` or `<`, `\\u003d`) and `_` (where a provider's token prefix may
//! end, `ghp_`), and the letters the literal detectors start from where their neighbours
//! could belong to the literal: `B`/`b` before `e`/`a` (`Bearer`, `Basic`), `K`/`k` before
//! `e` (`Token`, `API key`) or between `s`/`r` and `_` or `-` (`sk_live_`, `sk-proj-`),
//! `V`/`v` and `R`/`r` after `c` (`cvv 737`, `client secret x9`), `A` before
//! `K`/`S`/`I`/`Q`/`A`/`B` (`AKIA`, `ASIA`, `AIza`, Adyen's `AQE`, Square's `EAAA`, Bedrock's
//! `ABSK`; and ten bytes more, which share their bits: `@`, `C`, `H`, `J`, `P`, `R`, `X` to
//! `[`), `J` after `y` (`eyJ`), `W`/`w` after `s`/`r`
//! (`password`, either case), `"` before `,` (where a tuple's first item ends) or after `(`
//! (where a wrapper's text starts: `Password("…")`), `-` before `-` (a command line's long
//! flag), `-` or `.` after a letter from `g` on, either case (where a provider's token prefix
//! may end: `glpat-`, `pypi-`, `sq0atp-`, `SG.`, `hvs.` — never after a UUID's hex digits), a
//! digit after a space or a byte the escaper looks at (a PIN after its name, `PIN 1234`,
//! `PIN "1234"`, `PIN\t1234`) — and any
//! of these letters, a `"` or a `-` as the block's last byte, whose neighbour after it is
//! outside. The block's first byte is judged as a string's first: nothing before it. In
//! prose the letters alone anchor often; with their neighbours, rarely.
//!
//! Two classifiers give the same answers. [`Baseline`] works everywhere: on x86-64 with SSE2
//! (part of the architecture's baseline, so always there), two 16-byte halves; on AArch64
//! (AWS Graviton) the same with NEON, also part of its baseline; elsewhere with
//! word-at-a-time bit tricks. `Avx2` takes all 32 bytes in one register, and exists only
//! where the processor was found to have AVX2 at run time (`Avx2::detect`). Tests hold all
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

/// Bytes that anchor only after a particular byte (`sk_`, `yJ`, `sw`, `cv`, `cr`, `t-`, `G.`,
/// a digit after a space, a quote or a tab): at the first byte of a block inside a string, whose
/// byte before the classifier did not see, they anchor whatever it is.
static NEED_BYTE_BEFORE: [u32; 256] = {
    let mut t = [0; 256];
    t[b'K' as usize] = 1;
    t[b'k' as usize] = 1;
    t[b'J' as usize] = 1;
    t[b'W' as usize] = 1;
    t[b'w' as usize] = 1;
    t[b'V' as usize] = 1;
    t[b'v' as usize] = 1;
    t[b'R' as usize] = 1;
    t[b'r' as usize] = 1;
    t[b'"' as usize] = 1;
    t[b'-' as usize] = 1;
    t[b'.' as usize] = 1;
    let mut d = b'0';
    while d <= b'9' {
        t[d as usize] = 1;
        d += 1;
    }
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
        #[cfg(all(target_arch = "aarch64", target_feature = "neon"))]
        #[allow(unsafe_code)]
        // SAFETY: this build targets AArch64 with NEON enabled (every AArch64 Linux target
        // has it: it is part of the architecture's baseline), so the `neon` target feature
        // `classify_neon` asks for is always present.
        unsafe {
            neon::classify_neon(block)
        }
        #[cfg(not(any(
            target_arch = "x86_64",
            all(target_arch = "aarch64", target_feature = "neon")
        )))]
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
mod sse2;

#[cfg(target_arch = "x86_64")]
mod avx2;

#[cfg(all(target_arch = "aarch64", target_feature = "neon"))]
mod neon;

#[cfg_attr(
    any(
        target_arch = "x86_64",
        all(target_arch = "aarch64", target_feature = "neon")
    ),
    allow(dead_code)
)]
mod portable;

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether a `-` or `.` after `prev` may end a token's prefix (`glpat-`, `sq0atp-`,
    /// `pypi-`, `SG.`, `hvs.`): a letter from `g` on, either case — ASCII whose folded byte
    /// is 0x67 or more.
    fn ends_token_prefix(prev: Option<u8>) -> bool {
        prev.is_some_and(|p| (0x67..=0x7f).contains(&(p | 0x20)))
    }

    /// Whether the JSON escaper looks at `b`: a control, `"`, `\\` or non-ASCII.
    fn is_escape(b: u8) -> bool {
        b < 0x20 || b == b'"' || b == b'\\' || b >= 0x80
    }

    /// The definition for one byte, as bit 0: `prev` and `next` are its neighbours. `prev`
    /// is `None` where nothing comes before it (no literal's byte, no word's); `next` is
    /// `None` where the byte after it is not looked at (it fits whatever a letter needs).
    fn byte_classes(b: u8, prev: Option<u8>, next: Option<u8>) -> Classes {
        let next = |is: fn(u8) -> bool| next.is_none_or(is);
        let anchor = match b {
            b'=' | b':' | b'<' | b'%' | b'\\' | b'_' => true,
            b'B' | b'b' => next(|n| matches!(n, b'e' | b'E' | b'a' | b'A')),
            b'K' | b'k' => {
                next(|n| matches!(n, b'e' | b'E'))
                    || matches!(prev, Some(b's' | b'S' | b'r' | b'R'))
                        && next(|n| n == b'_' || n == b'-')
            }
            b'A' => next(|n| {
                matches!(
                    n,
                    b'@' | b'A'
                        | b'B'
                        | b'C'
                        | b'H'
                        | b'I'
                        | b'J'
                        | b'K'
                        | b'P'
                        | b'Q'
                        | b'R'
                        | b'S'
                        | b'X'
                        | b'Y'
                        | b'Z'
                        | b'['
                )
            }),
            b'J' => prev == Some(b'y'),
            b'W' | b'w' => matches!(prev, Some(b's' | b'S' | b'r' | b'R')),
            b'V' | b'v' | b'R' | b'r' => matches!(prev, Some(b'c' | b'C')),
            b'"' => next(|n| n == b',') || prev == Some(b'('),
            b'-' => next(|n| n == b'-') || ends_token_prefix(prev),
            b'.' => ends_token_prefix(prev),
            b'0'..=b'9' => prev.is_some_and(|p| p == b' ' || is_escape(p)),
            _ => false,
        };
        Classes {
            anchors: u32::from(anchor),
            digits: u32::from(b.is_ascii_digit()),
            breakers: u32::from(!(b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'+'))),
            escapes: u32::from(is_escape(b)),
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
        if b"BbKkAJWw\"-".contains(&block[BLOCK - 1]) {
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
                    *b"AIzaAI AIAKAS xAIAAIIA AI zAIzaA",
                    *b"swSWrwRwswxw sw.t-G.g-f-e.sWwsws",
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
        let alphabet = b"bBeEaAkKoOyYsSrRjJvVcCwW_09/:`{@[%< \x7f\xe2\",-(Iz.gG";
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
                    .is_some_and(|b| b"BbKkAJVvRrWw\"-.0123456789".contains(b))
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
        let alphabet = b"bBeEaAkKoOyJSsr_vVcC09 -=:%<*\"\\\n\xc3\xa9x(I";
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
