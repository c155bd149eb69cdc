//! String escaping for both output formats — the guarantee that no value can break a line.
//!
//! JSON strings are escaped per RFC 8259, plus U+2028/U+2029 (valid JSON, but line breaks to
//! JavaScript and to some log viewers). Console text escapes every C0 and C1 control
//! character (so CR/LF and ANSI escape sequences cannot forge lines or colours), DEL,
//! U+2028/U+2029 and the Unicode bidi overrides (U+202A–U+202E, U+2066–U+2069) that can make
//! a line read differently from what it contains.
//!
//! Both copy runs of plain bytes whole; only the bytes a 256-entry table flags are looked at
//! twice. JSON text is read sixteen bytes at a time (SSE2, x86-64's baseline; word-at-a-time
//! bit tests elsewhere), every byte to escape in a chunk found at once — the text it gets
//! most is a JSON line on its way into a `PutLogEvents` body, a quote every few bytes.
//! Console text, short and rarely escaped, is read a byte at a time.

/// What a byte means to the JSON escaper.
const PLAIN: u8 = 0;
/// Lead byte of a three-byte sequence that may be U+2028/U+2029 or a bidi control.
const LEAD_E2: u8 = 1;
/// Lead byte of a two-byte sequence that may be a C1 control (U+0080–U+009F).
const LEAD_C2: u8 = 2;
/// Needs a `\uXXXX` escape.
const UNICODE: u8 = b'u';

const fn json_table() -> [u8; 256] {
    let mut t = [PLAIN; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = UNICODE;
        b += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t[0xe2] = LEAD_E2;
    t
}

const fn console_table(quoted: bool) -> [u8; 256] {
    let mut t = json_table();
    t[0x7f] = UNICODE;
    t[0xc2] = LEAD_C2;
    if !quoted {
        t[b'"' as usize] = PLAIN;
        t[b'\\' as usize] = PLAIN;
    }
    t
}

static JSON: [u8; 256] = json_table();
static CONSOLE_QUOTED: [u8; 256] = console_table(true);
static CONSOLE_BARE: [u8; 256] = console_table(false);

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends the JSON-escaped contents of `s` (without the surrounding quotes).
#[inline(always)]
pub(crate) fn json_str(out: &mut Vec<u8>, s: &str) {
    if is_plain_json(s.as_bytes()) {
        out.extend_from_slice(s.as_bytes());
    } else {
        json_escape(out, s.as_bytes());
    }
}

/// [`json_str`] for text already known to need escaping (the byte classifier said so): the
/// plain-text check is not repeated.
#[inline]
pub(crate) fn json_str_escaped(out: &mut Vec<u8>, s: &str) {
    json_escape(out, s.as_bytes());
}

/// Escapes `bytes` (valid UTF-8) for JSON, sixteen bytes at a time: every byte the JSON table
/// may flag in a chunk is found at once ([`json_flags`], exact per byte), and each is handled
/// in turn, the plain run before it copied by [`copy_run`] — so a JSON line carried inside
/// another JSON document, with a quote every few bytes, is read once, not reloaded after
/// each quote. The last chunk overlaps the one before it (its bits for bytes already read
/// shifted out); strings under sixteen bytes are padded with spaces, which are never flagged.
fn json_escape(out: &mut Vec<u8>, bytes: &[u8]) {
    let n = bytes.len();
    let mut start = 0; // bytes before this are written
    let mut at = 0; // bytes before this are looked at
    while at < n {
        let (mut flags, base) = if let Some(chunk) = bytes.get(at..at + CHUNK) {
            (json_flags(chunk), at)
        } else if n >= CHUNK {
            let base = n - CHUNK;
            (
                json_flags(&bytes[base..]) >> (at - base) << (at - base),
                base,
            )
        } else {
            let mut padded = [b' '; CHUNK];
            padded[..n].copy_from_slice(bytes);
            (json_flags(&padded), 0)
        };
        at = base + CHUNK;
        while flags != 0 {
            let i = base + flags.trailing_zeros() as usize;
            flags &= flags - 1;
            // A flag inside a sequence just escaped (U+2028's own bytes are never flagged,
            // so this cannot happen today; the check keeps the output whole if it ever did).
            if i < start {
                continue;
            }
            let byte = bytes[i];
            // A quote or a backslash (most of what a JSON line carried in JSON has): a
            // backslash before it, and it starts the next run.
            if byte == b'"' || byte == b'\\' {
                copy_run(out, bytes, start, i);
                out.push(b'\\');
                start = i;
                continue;
            }
            match JSON[usize::from(byte)] {
                LEAD_E2 => {
                    if let Some(code) = special_e2(bytes, i, false) {
                        copy_run(out, bytes, start, i);
                        unicode_escape(out, code, false);
                        start = i + 3;
                    }
                }
                UNICODE => {
                    copy_run(out, bytes, start, i);
                    unicode_escape(out, u32::from(bytes[i]), false);
                    start = i + 1;
                }
                PLAIN => {}
                short => {
                    copy_run(out, bytes, start, i);
                    out.extend_from_slice(&[b'\\', short]);
                    start = i + 1;
                }
            }
        }
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Bytes [`json_flags`] looks at in one go.
const CHUNK: usize = 16;

/// One bit per byte of `chunk` (exactly [`CHUNK`] bytes) that is a control character, `"`,
/// `\\` or 0xE2 (the lead byte of U+2028/U+2029): the bytes the JSON table may flag.
#[inline(always)]
fn json_flags(chunk: &[u8]) -> u32 {
    let mut block = [0u8; CHUNK];
    block.copy_from_slice(chunk);
    #[cfg(target_arch = "x86_64")]
    #[allow(unsafe_code)]
    // SAFETY: SSE2 is part of the x86-64 baseline: every x86-64 processor has it.
    unsafe {
        json_flags_sse2(block)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        json_flags_words(block)
    }
}

/// [`json_flags`] with SSE2: four comparisons and one mask.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn json_flags_sse2(block: [u8; CHUNK]) -> u32 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x,
        _mm_set1_epi8,
    };
    let (lo, hi) = block.split_at(8);
    let word = |w: &[u8]| u64::from_le_bytes(w.try_into().unwrap_or([b' '; 8])) as i64;
    let v = _mm_set_epi64x(word(hi), word(lo));
    let byte = |b: u8| _mm_set1_epi8(b as i8);
    let control = _mm_cmpeq_epi8(_mm_min_epu8(v, byte(0x1f)), v);
    let quote = _mm_cmpeq_epi8(v, byte(b'"'));
    let backslash = _mm_cmpeq_epi8(v, byte(b'\\'));
    let lead_e2 = _mm_cmpeq_epi8(v, byte(0xe2));
    let any = _mm_or_si128(
        _mm_or_si128(control, quote),
        _mm_or_si128(backslash, lead_e2),
    );
    _mm_movemask_epi8(any) as u32
}

/// [`json_flags`] a word at a time, with exact per-byte tests (no borrow crosses a byte).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn json_flags_words(block: [u8; CHUNK]) -> u32 {
    const LOWS: u64 = !HIGHS;
    let equal = |w: u64, b: u8| {
        let x = w ^ (ONES * u64::from(b));
        !(((x & LOWS) + LOWS) | x) & HIGHS
    };
    let mut bits = 0u32;
    for (k, word) in block.chunks_exact(8).enumerate() {
        let w = u64::from_le_bytes(word.try_into().unwrap_or([b' '; 8]));
        let control = !(((w & LOWS) + ONES * 0x60) | w) & HIGHS;
        let flags = control | equal(w, b'"') | equal(w, b'\\') | equal(w, 0xe2);
        // The high bit of byte j to bit j.
        let packed = ((flags >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32;
        bits |= packed << (8 * k);
    }
    bits
}

/// Whether `bytes` needs no JSON escaping: most keys and values don't, and then the whole
/// string is one copy. Checks whole words (the last one overlapping the one before), never
/// byte by byte except below four bytes; non-ASCII takes the careful path.
#[inline(always)]
fn is_plain_json(bytes: &[u8]) -> bool {
    let n = bytes.len();
    if n >= 8 {
        let mut i = 0;
        while i + 8 <= n {
            if json_chunk_needs_attention(word64(bytes, i)) {
                return false;
            }
            i += 8;
        }
        i == n || !json_chunk_needs_attention(word64(bytes, n - 8))
    } else if n >= 4 {
        !json_word32_needs_attention(word32(bytes, 0))
            && !json_word32_needs_attention(word32(bytes, n - 4))
    } else {
        bytes.iter().all(|&b| JSON[b as usize] == PLAIN && b < 0x80)
    }
}

#[inline(always)]
fn word64(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(w)
}

#[inline(always)]
fn word32(bytes: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(w)
}

/// [`json_chunk_needs_attention`] for four bytes: the upper four are filled with spaces,
/// which the check never flags (and which cannot borrow into a flag of their own).
#[inline(always)]
fn json_word32_needs_attention(word: u32) -> bool {
    json_chunk_needs_attention(u64::from(word) | 0x2020_2020_0000_0000)
}

/// Appends `s` for console output inside double quotes (quotes and backslashes escaped).
#[inline]
pub(crate) fn console_quoted(out: &mut Vec<u8>, s: &str) {
    console_escape(out, s, &CONSOLE_QUOTED);
}

/// Appends `s` for console output as bare text (a message): only unsafe characters escaped.
#[inline]
pub(crate) fn console_bare(out: &mut Vec<u8>, s: &str) {
    console_escape(out, s, &CONSOLE_BARE);
}

/// Whether `s` can be written bare as a console `key=value` token: non-empty, printable
/// ASCII, with no space, quote, backslash or `=`.
pub(crate) fn console_token_is_bare(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\' && b != b'=')
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any of 8 bytes is a control character, `"`, `\\` or non-ASCII — the only bytes
/// the JSON table flags. (A "has a byte below n" bit trick; exact as a yes/no answer.)
#[inline(always)]
fn json_chunk_needs_attention(chunk: u64) -> bool {
    json_attention_bits(chunk) != 0
}

/// [`json_chunk_needs_attention`] as bits (nonzero: needs attention).
#[inline(always)]
pub(crate) fn json_attention_bits(chunk: u64) -> u64 {
    let below_space = chunk.wrapping_sub(ONES * 0x20) & !chunk;
    let q = chunk ^ (ONES * u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q;
    let b = chunk ^ (ONES * u64::from(b'\\'));
    let backslash = b.wrapping_sub(ONES) & !b;
    (below_space | quote | backslash | chunk) & HIGHS
}

/// Escapes `s` for console output by `table`, a byte at a time: console text is short and
/// rarely escaped (a message, a value in quotes), and its table flags more bytes than JSON's.
#[inline]
fn console_escape(out: &mut Vec<u8>, s: &str, table: &[u8; 256]) {
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let class = table[bytes[i] as usize];
        if class == PLAIN {
            i += 1;
            continue;
        }
        let width = match class {
            LEAD_E2 => match special_e2(bytes, i, true) {
                Some(code) => {
                    copy_run(out, bytes, start, i);
                    unicode_escape(out, code, true);
                    3
                }
                None => {
                    i += 1;
                    continue;
                }
            },
            LEAD_C2 => match bytes.get(i + 1) {
                Some(&b) if (0x80..=0x9f).contains(&b) => {
                    out.extend_from_slice(&bytes[start..i]);
                    unicode_escape(out, u32::from(b), true);
                    2
                }
                _ => {
                    i += 1;
                    continue;
                }
            },
            UNICODE => {
                copy_run(out, bytes, start, i);
                unicode_escape(out, u32::from(bytes[i]), true);
                1
            }
            short => {
                copy_run(out, bytes, start, i);
                out.extend_from_slice(&[b'\\', short]);
                1
            }
        };
        i += width;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Appends `bytes[from..to]`. The runs between escapes are short (in a JSON line, a quote
/// every few bytes): one fixed 16-byte copy cut back to length costs less than a `memcpy`
/// call.
#[inline(always)]
fn copy_run(out: &mut Vec<u8>, bytes: &[u8], from: usize, to: usize) {
    if to - from <= 16
        && let Some(chunk) = bytes.get(from..from + 16)
    {
        let len = out.len();
        out.extend_from_slice(chunk);
        out.truncate(len + (to - from));
    } else {
        out.extend_from_slice(&bytes[from..to]);
    }
}

/// The code point at `bytes[i..i + 3]` if it must be escaped: U+2028/U+2029 always, bidi
/// controls in console output.
#[inline]
fn special_e2(bytes: &[u8], i: usize, console: bool) -> Option<u32> {
    let (b1, b2) = (*bytes.get(i + 1)?, *bytes.get(i + 2)?);
    let code = 0x2000 | (u32::from(b1 & 0x3f) << 6) | u32::from(b2 & 0x3f);
    let escape = match b1 {
        0x80 => matches!(b2, 0xa8 | 0xa9) || (console && (0xaa..=0xae).contains(&b2)),
        0x81 => console && (0xa6..=0xa9).contains(&b2),
        _ => false,
    };
    escape.then_some(code)
}

/// `\u00XX` in JSON; `\u{XX}` in console text (Rust's spelling, unambiguous to a reader).
fn unicode_escape(out: &mut Vec<u8>, code: u32, console: bool) {
    if console {
        out.extend_from_slice(b"\\u{");
        let mut started = false;
        for shift in [12u32, 8, 4, 0] {
            let nibble = ((code >> shift) & 0xf) as usize;
            if nibble != 0 || started || shift == 0 {
                started = true;
                out.push(HEX[nibble]);
            }
        }
        out.push(b'}');
    } else {
        out.extend_from_slice(b"\\u");
        for shift in [12u32, 8, 4, 0] {
            out.push(HEX[((code >> shift) & 0xf) as usize]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(s: &str) -> String {
        let mut out = Vec::new();
        json_str(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    fn bare(s: &str) -> String {
        let mut out = Vec::new();
        console_bare(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    /// Every byte that needs escaping (and a few that do not) at every position of strings
    /// up to 40 bytes, so the word-at-a-time search and the 16-byte run copies meet it at
    /// every offset: the result parses back to the input and escapes U+2028 as always.
    #[test]
    fn json_escaping_holds_at_every_position() {
        for special in [
            '"', '\\', '\n', '\u{1}', '\u{1f}', '\u{7f}', '\u{e9}', '\u{2028}', '\u{20ac}',
        ] {
            for len in 0..40 {
                for at in 0..=len {
                    let mut text: String = "abcdefghij".chars().cycle().take(len).collect();
                    text.insert(at, special);
                    text.push_str(&special.to_string().repeat(at % 3));
                    let escaped = json(&text);
                    let back: String = serde_json::from_str(&format!("\"{escaped}\""))
                        .unwrap_or_else(|e| panic!("{text:?} gave invalid JSON: {e}"));
                    assert_eq!(back, text);
                    assert!(!escaped.contains('\u{2028}') && !escaped.contains('\n'));
                }
            }
        }
    }

    /// What JSON escaping means, one character at a time.
    fn json_reference(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                c if u32::from(c) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                    out.push_str(&format!("\\u{:04x}", u32::from(c)));
                }
                c => out.push(c),
            }
        }
        out
    }

    /// Every byte value at every position of a chunk: the vector test and the word test flag
    /// exactly the bytes the JSON table does.
    #[test]
    fn chunk_flags_are_exact_for_every_byte_at_every_position() {
        for byte in 0..=255u8 {
            for at in 0..CHUNK {
                let mut block = [b'a'; CHUNK];
                block[at] = byte;
                block[(at + 7) % CHUNK] = byte ^ 0x80;
                let expected: u32 = (0..CHUNK)
                    .filter(|&k| JSON[usize::from(block[k])] != PLAIN)
                    .map(|k| 1 << k)
                    .sum();
                assert_eq!(json_flags(&block), expected, "{byte:#x} at {at}");
                assert_eq!(json_flags_words(block), expected, "{byte:#x} at {at}");
            }
        }
    }

    proptest::proptest! {
        /// Strings of any length made of plain text and the characters that need escaping:
        /// the chunked escaper writes what the one-character-at-a-time definition does.
        #[test]
        fn json_escaping_matches_the_reference(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "plain text ", "\"", "\\", "\n", "\t", "\u{0}", "\u{1f}", "\u{7f}",
                    "é", "€", "\u{2028}", "\u{2029}", "\u{202e}", "😀",
                    r#"{"level":"info","message":"#,
                ]),
                0..60,
            ),
        ) {
            let text: String = pieces.concat();
            proptest::prop_assert_eq!(json(&text), json_reference(&text));
        }
    }

    #[test]
    fn json_escapes_rfc8259_and_line_separators() {
        assert_eq!(json("plain"), "plain");
        assert_eq!(json("a\"b\\c"), r#"a\"b\\c"#);
        assert_eq!(json("\n\r\t\u{8}\u{c}"), r"\n\r\t\b\f");
        assert_eq!(json("\u{0}\u{1f}"), r"\u0000\u001f");
        assert_eq!(json("x\u{2028}y\u{2029}z"), r"x\u2028y\u2029z");
        // Other characters with the same lead byte pass through.
        assert_eq!(json("€ \u{202e}"), "€ \u{202e}");
        assert_eq!(json("\u{7f}\u{85}"), "\u{7f}\u{85}");
        assert_eq!(json("trailing \u{e2}"), "trailing \u{e2}");
    }

    #[test]
    fn json_output_parses_back_to_the_input() {
        let nasty = "q\"\\\n\r\t\u{0}\u{1b}[31m\u{2028}\u{2029}é€😀";
        let mut out = b"\"".to_vec();
        json_str(&mut out, nasty);
        out.push(b'"');
        let back: String = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, nasty);
    }

    #[test]
    fn console_escapes_controls_bidi_and_separators() {
        assert_eq!(bare("a\nb"), r"a\nb");
        assert_eq!(bare("\u{1b}[31mred"), r"\u{1b}[31mred");
        assert_eq!(bare("\u{7f}\u{85}\u{9f}"), r"\u{7f}\u{85}\u{9f}");
        assert_eq!(bare("\u{202e}evil\u{2066}"), r"\u{202e}evil\u{2066}");
        assert_eq!(bare("\u{2028}"), r"\u{2028}");
        assert_eq!(bare("say \"hi\" \\ ok €"), "say \"hi\" \\ ok €");
        let mut q = Vec::new();
        console_quoted(&mut q, "say \"hi\" \\");
        assert_eq!(String::from_utf8(q).unwrap(), r#"say \"hi\" \\"#);
    }

    #[test]
    fn plain_check_agrees_with_the_escaper_at_every_length_and_position() {
        for len in 0..40 {
            for pos in 0..len {
                for special in ['"', '\\', '\n', '\u{1f}', 'é', '\u{2028}'] {
                    let mut s: String = "a".repeat(len);
                    s.replace_range(pos..pos + 1, &special.to_string());
                    let plain = is_plain_json(s.as_bytes());
                    assert!(!plain || json(&s) == s, "{s:?}");
                    if special.is_ascii() {
                        assert!(!plain, "{s:?} must be flagged");
                    }
                }
            }
            assert!(is_plain_json("a".repeat(len).as_bytes()));
        }
    }

    #[test]
    fn bare_tokens() {
        assert!(console_token_is_bare("USD"));
        assert!(!console_token_is_bare(""));
        assert!(!console_token_is_bare("a b"));
        assert!(!console_token_is_bare("a=b"));
        assert!(!console_token_is_bare("é"));
    }
}
