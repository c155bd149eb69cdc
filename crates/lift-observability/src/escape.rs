//! String escaping for both output formats — the guarantee that no value can break a line.
//!
//! JSON strings are escaped per RFC 8259, plus U+2028/U+2029 (valid JSON, but line breaks to
//! JavaScript and to some log viewers). Console text escapes every C0 and C1 control
//! character (so CR/LF and ANSI escape sequences cannot forge lines or colours), DEL,
//! U+2028/U+2029 and the Unicode bidi overrides (U+202A–U+202E, U+2066–U+2069) that can make
//! a line read differently from what it contains.
//!
//! Both scanners copy runs of plain bytes with one `extend_from_slice`; only the bytes a
//! 256-entry table flags are looked at twice.

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
        escape::<true>(out, s, &JSON, false);
    }
}

/// [`json_str`] for text already known to need escaping (the byte classifier said so): the
/// plain-text check is not repeated.
#[inline]
pub(crate) fn json_str_escaped(out: &mut Vec<u8>, s: &str) {
    escape::<true>(out, s, &JSON, false);
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
    escape::<false>(out, s, &CONSOLE_QUOTED, true);
}

/// Appends `s` for console output as bare text (a message): only unsafe characters escaped.
#[inline]
pub(crate) fn console_bare(out: &mut Vec<u8>, s: &str) {
    escape::<false>(out, s, &CONSOLE_BARE, true);
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

/// Escapes `s` by `table`. With `SKIP_PLAIN_WORDS` (JSON only: its table flags nothing but
/// controls, quote, backslash and the 0xE2 lead byte), the next byte the table may flag is
/// found eight bytes at a time ([`json_escape_bits`]), so plain runs — ASCII or not — are
/// skipped a word at a time even in text with a quote every few bytes (a JSON line carried
/// inside another JSON document), and the run before each escape is copied by [`copy_run`].
#[inline]
fn escape<const SKIP_PLAIN_WORDS: bool>(
    out: &mut Vec<u8>,
    s: &str,
    table: &[u8; 256],
    console: bool,
) {
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if SKIP_PLAIN_WORDS && let Some(word) = bytes.get(i..i + 8) {
            let flags = json_escape_bits(u64::from_le_bytes(word.try_into().unwrap_or([0; 8])));
            if flags == 0 {
                i += 8;
                continue;
            }
            // The lowest flag is exact; the table below has the last word anyway.
            i += (flags.trailing_zeros() / 8) as usize;
        }
        let class = table[bytes[i] as usize];
        if class == PLAIN {
            i += 1;
            continue;
        }
        let width = match class {
            LEAD_E2 => match special_e2(bytes, i, console) {
                Some(code) => {
                    copy_run(out, bytes, start, i);
                    unicode_escape(out, code, console);
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
                    unicode_escape(out, u32::from(b), console);
                    2
                }
                _ => {
                    i += 1;
                    continue;
                }
            },
            UNICODE => {
                copy_run(out, bytes, start, i);
                unicode_escape(out, u32::from(bytes[i]), console);
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

/// The high bit of (at least) the lowest byte of `word` the JSON table may flag: a control
/// character, `"`, `\\` or the 0xE2 lead byte of U+2028/U+2029; zero if none. Other
/// non-ASCII bytes are not flagged, so UTF-8 text is skipped a word at a time too. Flags
/// above the lowest may be false (a borrow moves upwards), which is why only the lowest
/// is used.
#[inline(always)]
fn json_escape_bits(word: u64) -> u64 {
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let lead_e2 = word ^ (ONES * 0xe2);
    ((word.wrapping_sub(ONES * 0x20) & !word)
        | (quote.wrapping_sub(ONES) & !quote)
        | (backslash.wrapping_sub(ONES) & !backslash)
        | (lead_e2.wrapping_sub(ONES) & !lead_e2))
        & HIGHS
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
