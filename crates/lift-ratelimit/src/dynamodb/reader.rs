//! A small JSON reader for DynamoDB's replies: objects walked member by member, strings
//! borrowed from the reply (unescaped only when they hold an escape), and any value the
//! store does not read skipped without being built. A sliding window's item holds one
//! attribute per slot; read through serde, a reply of a hundred slots cost more CPU than
//! everything else in a decision. The reader is lenient about what it skips (it counts
//! brackets and honours strings; it does not check a skipped value's grammar) and strict
//! about what it reads; it never panics and never recurses.

use std::borrow::Cow;

/// The reply is not the JSON the reader expected; the byte offset where it went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed(pub(crate) usize);

/// A string as it appears between its quotes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Str<'a> {
    raw: &'a str,
    escaped: bool,
}

impl<'a> Str<'a> {
    /// The string's text, unescaped.
    pub(crate) fn text(&self) -> Cow<'a, str> {
        if !self.escaped {
            return Cow::Borrowed(self.raw);
        }
        // Rare (DynamoDB escapes only what JSON requires): serde_json unescapes it.
        let quoted = ["\"", self.raw, "\""].concat();
        serde_json::from_str::<String>(&quoted)
            .map(Cow::Owned)
            .unwrap_or(Cow::Borrowed(self.raw))
    }

    /// Whether the string is exactly `s` (an escaped string never is: the names the store
    /// compares with need no escape).
    pub(crate) fn is(&self, s: &str) -> bool {
        !self.escaped && self.raw == s
    }

    /// The text when it holds no escape.
    pub(crate) fn plain(&self) -> Option<&'a str> {
        (!self.escaped).then_some(self.raw)
    }
}

/// A position in a reply.
pub(crate) struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self { text, at: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// What is left, from the next byte that is not whitespace.
    pub(crate) fn rest(&mut self) -> &'a str {
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
        // `start..at` lies between two ASCII quotes of valid UTF-8: on char boundaries.
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
    let digits = rest
        .iter()
        .take(21)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 || digits > 20 || rest.get(digits..digits + 2) != Some(b"\"}") {
        return None;
    }
    Some((decimal(&rest[..digits]), OPEN.len() + digits + 2))
}

/// The value of 1 to 20 ASCII digits, when it fits a `u64`. Eight digits at a time: a
/// reply's numbers are mostly 16-digit microsecond times, and a digit at a time is a chain
/// of dependent multiplications.
fn decimal(digits: &[u8]) -> Option<u64> {
    let (head, tail) = digits.split_at(digits.len() % 8);
    let mut n: u64 = 0;
    for &d in head {
        n = n * 10 + u64::from(d - b'0');
    }
    for chunk in tail.chunks_exact(8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        n = n
            .checked_mul(100_000_000)?
            .checked_add(eight_digits(u64::from_le_bytes(word)))?;
    }
    Some(n)
}

/// Eight ASCII digits (the first in the lowest byte) as their value.
fn eight_digits(word: u64) -> u64 {
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
        let mut r = Reader::new(text);
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

    #[test]
    fn decimals_are_read_eight_digits_at_a_time_exactly() {
        for n in [
            0u64,
            7,
            12_345_678,
            123_456_789,
            1_764_755_123_456_789,
            9_999_999_999_999_999_999,
            u64::MAX,
        ] {
            assert_eq!(decimal(n.to_string().as_bytes()), Some(n), "{n}");
        }
        assert_eq!(decimal(b"18446744073709551616"), None);
        assert_eq!(decimal(b"99999999999999999999"), None);
        assert_eq!(decimal(b"00000000000000000042"), Some(42));
        let mut rng = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..100_000 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let n = rng >> (rng % 64);
            assert_eq!(decimal(n.to_string().as_bytes()), Some(n), "{n}");
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
            let mut r = Reader::new(text);
            let read = r.object(|r, _| r.skip_value()).and_then(|()| r.end());
            assert!(read.is_err(), "{text:?}");
        }
    }
}
