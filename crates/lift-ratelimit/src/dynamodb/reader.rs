//! A small JSON reader for DynamoDB's replies: objects walked member by member, strings
//! borrowed from the reply (unescaped only when they hold an escape), and any value the
//! store does not read skipped without being built. A sliding window's item holds one
//! attribute per slot; read through serde, a reply of a hundred slots cost more CPU than
//! everything else in a decision. The reader is lenient about what it skips (it counts
//! brackets and honours strings; it does not check a skipped value's grammar) and strict
//! about what it reads; it never panics and never recurses. It reads bytes: a string is
//! checked as UTF-8 only when its text is asked for, so a reply is not walked once more
//! just to check it.

use std::borrow::Cow;

/// The reply is not the JSON the reader expected; the byte offset where it went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed(pub(crate) usize);

/// A string as it appears between its quotes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Str<'a> {
    raw: &'a [u8],
    escaped: bool,
}

impl<'a> Str<'a> {
    /// The string's text, unescaped (bytes that are not UTF-8 replaced).
    pub(crate) fn text(&self) -> Cow<'a, str> {
        if self.escaped {
            // Rare (DynamoDB escapes only what JSON requires): serde_json unescapes it.
            let quoted = [b"\"", self.raw, b"\""].concat();
            if let Ok(text) = serde_json::from_slice::<String>(&quoted) {
                return Cow::Owned(text);
            }
        }
        String::from_utf8_lossy(self.raw)
    }

    /// Whether the string is exactly `s` (an escaped string never is: the names the store
    /// compares with need no escape).
    pub(crate) fn is(&self, s: &str) -> bool {
        !self.escaped && self.raw == s.as_bytes()
    }

    /// The text when it holds no escape and is UTF-8.
    pub(crate) fn plain(&self) -> Option<&'a str> {
        if self.escaped {
            return None;
        }
        std::str::from_utf8(self.raw).ok()
    }
}

/// A position in a reply.
pub(crate) struct Reader<'a> {
    text: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(text: &'a [u8]) -> Self {
        Self { text, at: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text
    }

    /// What is left, from the next byte that is not whitespace.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        self.whitespace();
        self.text.get(self.at..).unwrap_or_default()
    }

    /// Moves on by `n` bytes of [`rest`](Self::rest) (read by the caller).
    pub(crate) fn advance(&mut self, n: usize) {
        self.at = (self.at + n).min(self.text.len());
    }

    fn whitespace(&mut self) {
        while matches!(
            self.bytes().get(self.at),
            Some(b' ' | b'\t' | b'\n' | b'\r')
        ) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.whitespace();
        self.bytes().get(self.at).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<(), Malformed> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(Malformed(self.at))
        }
    }

    /// Nothing but whitespace is left.
    pub(crate) fn end(&mut self) -> Result<(), Malformed> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(Malformed(self.at)),
        }
    }

    /// A string value.
    pub(crate) fn string(&mut self) -> Result<Str<'a>, Malformed> {
        self.expect(b'"')?;
        let start = self.at;
        let mut escaped = false;
        loop {
            let rest = self.bytes().get(self.at..).unwrap_or_default();
            let Some(found) = memchr::memchr2(b'"', b'\\', rest) else {
                return Err(Malformed(self.bytes().len()));
            };
            self.at += found;
            if rest[found] == b'"' {
                break;
            }
            escaped = true;
            self.at += 2;
        }
        let raw = self.text.get(start..self.at).ok_or(Malformed(start))?;
        self.at += 1;
        Ok(Str { raw, escaped })
    }

    /// An object: `member` is called with each name and must read (or skip) its value.
    pub(crate) fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, Str<'a>) -> Result<(), Malformed>,
    ) -> Result<(), Malformed> {
        self.expect(b'{')?;
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(());
        }
        loop {
            let name = self.string()?;
            self.expect(b':')?;
            member(self, name)?;
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(Malformed(self.at)),
            }
        }
    }

    /// The attribute value `{"N":"<digits>"}` as [`compact_number`] reads it: its number
    /// (`Some(None)` when it does not fit a `u64`) and the value read; any other value:
    /// `None`, nothing read.
    pub(crate) fn plain_number_value(&mut self) -> Option<Option<u64>> {
        self.whitespace();
        let (number, used) = compact_number(self.bytes().get(self.at..)?)?;
        self.at += used;
        Some(number)
    }

    /// Skips one value of any kind.
    pub(crate) fn skip_value(&mut self) -> Result<(), Malformed> {
        match self.peek() {
            Some(b'"') => self.string().map(drop),
            Some(b'{' | b'[') => {
                let mut depth = 0usize;
                loop {
                    match self.peek() {
                        Some(b'"') => {
                            self.string()?;
                        }
                        Some(b'{' | b'[') => {
                            depth += 1;
                            self.at += 1;
                        }
                        Some(b'}' | b']') => {
                            depth -= 1;
                            self.at += 1;
                            if depth == 0 {
                                return Ok(());
                            }
                        }
                        Some(_) => self.at += 1,
                        None => return Err(Malformed(self.at)),
                    }
                }
            }
            Some(_) => {
                let start = self.at;
                while let Some(b) = self.bytes().get(self.at) {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    self.at += 1;
                }
                if self.at == start {
                    Err(Malformed(start))
                } else {
                    Ok(())
                }
            }
            None => Err(Malformed(self.at)),
        }
    }
}

/// The attribute value `{"N":"<digits>"}` at the start of `bytes`, exactly as DynamoDB
/// writes it (no spaces, 1 to 20 digits): its number when it fits a `u64`, and the bytes
/// it spans; `None` for anything else.
pub(crate) fn compact_number(bytes: &[u8]) -> Option<(Option<u64>, usize)> {
    const OPEN: &[u8] = b"{\"N\":\"";
    let rest = bytes.strip_prefix(OPEN)?;
    let (number, digits) = digit_run(rest);
    if digits == 0 || digits > MAX_DIGITS || rest.get(digits..digits + 2) != Some(b"\"}") {
        return None;
    }
    Some((number, OPEN.len() + digits + 2))
}

/// A slot number and what follows it at the start of `bytes`: 1 to 10 digits that fit a
/// `u32`, and how many.
pub(crate) fn slot_number(bytes: &[u8]) -> Option<(u32, usize)> {
    let (number, digits) = digit_run(bytes);
    if digits == 0 || digits > 10 {
        return None;
    }
    Some((u32::try_from(number?).ok()?, digits))
}

/// The most digits a `u64` can take.
const MAX_DIGITS: usize = 20;

/// `10^k` for `k` below 8.
const POWERS: [u64; 8] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/// The run of ASCII digits `bytes` starts with: its value when it fits a `u64`, and its
/// length — exact up to [`MAX_DIGITS`], more than that for any longer run. Eight bytes at a
/// time: a reply's numbers are mostly 16-digit microsecond times, and a digit at a time is a
/// chain of dependent steps.
#[inline]
fn digit_run(bytes: &[u8]) -> (Option<u64>, usize) {
    // Up to 19 digits cannot overflow: wrapping steps, no check on the way.
    let mut number = 0u64;
    let mut len = 0;
    let len = loop {
        let Some(chunk) = bytes.get(len..).and_then(<[u8]>::first_chunk::<8>) else {
            // Fewer than eight bytes left.
            for &b in bytes.get(len..).unwrap_or_default() {
                let digit = b.wrapping_sub(b'0');
                if digit > 9 {
                    break;
                }
                number = number.wrapping_mul(10).wrapping_add(u64::from(digit));
                len += 1;
            }
            break len;
        };
        let word = u64::from_le_bytes(*chunk);
        let others = non_digits(word);
        if others == 0 {
            number = number
                .wrapping_mul(100_000_000)
                .wrapping_add(eight_digits(word));
            len += 8;
            if len > MAX_DIGITS {
                return (None, len);
            }
            continue;
        }
        let k = (others.trailing_zeros() / 8) as usize;
        if k > 0 {
            number = number
                .wrapping_mul(POWERS[k])
                .wrapping_add(first_digits(word, k));
        }
        break len + k;
    };
    if len < MAX_DIGITS {
        return (Some(number), len);
    }
    // Twenty digits may not fit (more are refused by the callers): checked, digit by digit.
    let checked = bytes
        .get(..len)
        .unwrap_or_default()
        .iter()
        .try_fold(0u64, |n, b| {
            n.checked_mul(10)?
                .checked_add(u64::from(b.wrapping_sub(b'0')))
        });
    (checked.filter(|_| len == MAX_DIGITS), len)
}

/// The value of the first `k` bytes of `word` (1 to 7, ASCII digits).
#[inline]
pub(crate) fn first_digits(word: u64, k: usize) -> u64 {
    // The k digits moved to the word's top, '0's below them: the same value.
    let shift = 8 * (8 - k.clamp(1, 7)) as u32;
    eight_digits((word << shift) | (0x3030_3030_3030_3030 >> (64 - shift)))
}

/// The top bit of each byte of `word` set where the byte is not an ASCII digit — exact up
/// to and including the lowest such byte (a carry may mark bytes above it).
#[inline]
pub(crate) fn non_digits(word: u64) -> u64 {
    // The digits become 0..=9, every other byte something else; 0x76 added to a byte under
    // 0x80 reaches its top bit exactly when the byte is 10 or more.
    let x = word ^ 0x3030_3030_3030_3030;
    (x.wrapping_add(0x7676_7676_7676_7676) | x) & 0x8080_8080_8080_8080
}

/// Eight ASCII digits (the first in the lowest byte) as their value.
#[inline]
pub(crate) fn eight_digits(word: u64) -> u64 {
    let v = word - 0x3030_3030_3030_3030;
    // Pairs, then quadruples, then the whole: each step merges neighbours.
    let v = (v * 10 + (v >> 8)) & 0x00ff_00ff_00ff_00ff;
    let v = (v * 100 + (v >> 16)) & 0x0000_ffff_0000_ffff;
    (v * 10_000 + (v >> 32)) & 0xffff_ffff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_borrowed_unless_escaped_and_values_of_every_kind_are_skipped() {
        let text =
            r#" { "a" : "x\"y\u00e9" , "b":[1,{"c":"]}\\"},[ ]],"d":-1.5e3,"e":{},"f":null } "#;
        let mut r = Reader::new(text.as_bytes());
        let mut seen = Vec::new();
        r.object(|r, name| {
            if name.is("a") {
                let s = r.string()?;
                assert_eq!(s.text(), "x\"y\u{e9}");
                assert_eq!(s.plain(), None);
            } else {
                r.skip_value()?;
            }
            seen.push(name.text().into_owned());
            Ok(())
        })
        .unwrap();
        r.end().unwrap();
        assert_eq!(seen, ["a", "b", "d", "e", "f"]);
    }

    /// A digit at a time, as the reference.
    fn digit_run_by_bytes(bytes: &[u8]) -> (Option<u64>, usize) {
        let len = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        let digits = std::str::from_utf8(&bytes[..len]).unwrap();
        // No digits: nothing read, zero so far.
        let number = if len == 0 {
            Some(0)
        } else {
            digits.parse().ok()
        };
        (number, len)
    }

    #[test]
    fn digit_runs_are_read_eight_digits_at_a_time_exactly() {
        for n in [
            0u64,
            7,
            12_345_678,
            123_456_789,
            1_764_755_123_456_789,
            9_999_999_999_999_999_999,
            u64::MAX,
        ] {
            let text = format!("{n}\"}}, more");
            assert_eq!(
                digit_run(text.as_bytes()),
                (Some(n), n.to_string().len()),
                "{n}"
            );
        }
        assert_eq!(digit_run(b"18446744073709551616"), (None, 20));
        assert_eq!(digit_run(b"99999999999999999999\""), (None, 20));
        assert_eq!(digit_run(b"00000000000000000042"), (Some(42), 20));
        assert_eq!(digit_run(b"x1"), (Some(0), 0));
        assert!(digit_run(b"000000000000000000000").1 > MAX_DIGITS);
        let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..200_000 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let len = (rng % 40) as usize;
            // Mostly digits; now and then any byte, the ones beside the digits above all.
            let bytes: Vec<u8> = (0..len)
                .map(|i| {
                    let r = rng.rotate_left(i as u32 * 7);
                    if r % 9 == 0 {
                        (r >> 8) as u8
                    } else {
                        [b'/', b':', b'0', b'9', b'5', b'3'][(r >> 16) as usize % 6]
                    }
                })
                .collect();
            let (number, len) = digit_run(&bytes);
            let (want_number, want_len) = digit_run_by_bytes(&bytes);
            if want_len <= MAX_DIGITS {
                assert_eq!((number, len), (want_number, want_len), "{bytes:?}");
            } else {
                assert!(len > MAX_DIGITS && len <= want_len, "{bytes:?}");
            }
        }
        for byte in 0..=255u8 {
            let bytes = [b'1', b'2', byte, b'3', 0xff, 0x80, b'0', b'0', b'9'];
            assert_eq!(digit_run(&bytes), digit_run_by_bytes(&bytes), "{byte}");
        }
    }

    #[test]
    fn broken_replies_are_errors_never_panics() {
        for text in [
            "",
            "{",
            "{\"a\"",
            "{\"a\":",
            "{\"a\":1",
            "{\"a\":[1,2",
            "{\"a\":\"x",
            "{\"a\" 1}",
            "{\"a\":1,}",
            "{\"a\":\"\\",
            "[]",
            "{\"a\":}",
            "{\"a\":1} x",
            "{\"a\":]]]}",
        ] {
            let mut r = Reader::new(text.as_bytes());
            let read = r.object(|r, _| r.skip_value()).and_then(|()| r.end());
            assert!(read.is_err(), "{text:?}");
        }
    }
}
