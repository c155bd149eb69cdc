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
#[inline]
pub(crate) fn json_str(out: &mut Vec<u8>, s: &str) {
    escape(out, s, &JSON, false);
}

/// Appends `s` for console output inside double quotes (quotes and backslashes escaped).
#[inline]
pub(crate) fn console_quoted(out: &mut Vec<u8>, s: &str) {
    escape(out, s, &CONSOLE_QUOTED, true);
}

/// Appends `s` for console output as bare text (a message): only unsafe characters escaped.
#[inline]
pub(crate) fn console_bare(out: &mut Vec<u8>, s: &str) {
    escape(out, s, &CONSOLE_BARE, true);
}

/// Whether `s` can be written bare as a console `key=value` token: non-empty, printable
/// ASCII, with no space, quote, backslash or `=`.
pub(crate) fn console_token_is_bare(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\' && b != b'=')
}

#[inline]
fn escape(out: &mut Vec<u8>, s: &str, table: &[u8; 256], console: bool) {
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
            LEAD_E2 => match special_e2(bytes, i, console) {
                Some(code) => {
                    out.extend_from_slice(&bytes[start..i]);
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
                out.extend_from_slice(&bytes[start..i]);
                unicode_escape(out, u32::from(bytes[i]), console);
                1
            }
            short => {
                out.extend_from_slice(&bytes[start..i]);
                out.extend_from_slice(&[b'\\', short]);
                1
            }
        };
        i += width;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
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
    fn bare_tokens() {
        assert!(console_token_is_bare("USD"));
        assert!(!console_token_is_bare(""));
        assert!(!console_token_is_bare("a b"));
        assert!(!console_token_is_bare("a=b"));
        assert!(!console_token_is_bare("é"));
    }
}
