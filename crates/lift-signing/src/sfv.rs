//! The part of RFC 8941 (Structured Field Values) that message signatures use: dictionaries
//! whose members are items or inner lists, with parameters; strings, integers, tokens, byte
//! sequences and booleans. Parsing is strict (anything else is an error, never a guess) and
//! bounded by the caller's size limit; serialisation is canonical.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// A bare item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Bare {
    Integer(i64),
    String(String),
    Token(String),
    Bytes(Vec<u8>),
    Boolean(bool),
}

/// Parameters, in the order given.
pub(crate) type Params = Vec<(String, Bare)>;

/// An item with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub(crate) bare: Bare,
    pub(crate) params: Params,
}

/// A dictionary member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Member {
    Item(Item),
    InnerList(Vec<Item>, Params),
}

/// Why a field could not be parsed.
pub(crate) type ParseError = &'static str;

struct Parser<'a> {
    input: &'a [u8],
    at: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.input.get(self.at).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn skip_sp(&mut self) {
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
    }

    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    fn key(&mut self) -> Result<String, ParseError> {
        let start = self.at;
        match self.peek() {
            Some(b'a'..=b'z' | b'*') => self.at += 1,
            _ => return Err("a key must start with a lowercase letter or *"),
        }
        while let Some(b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' | b'*') = self.peek() {
            self.at += 1;
        }
        // Only ASCII was taken.
        Ok(std::str::from_utf8(&self.input[start..self.at])
            .unwrap_or_default()
            .to_owned())
    }

    fn bare(&mut self) -> Result<Bare, ParseError> {
        match self.peek() {
            Some(b'"') => self.string().map(Bare::String),
            Some(b':') => self.bytes().map(Bare::Bytes),
            Some(b'?') => {
                self.at += 1;
                match self.peek() {
                    Some(b'1') => {
                        self.at += 1;
                        Ok(Bare::Boolean(true))
                    }
                    Some(b'0') => {
                        self.at += 1;
                        Ok(Bare::Boolean(false))
                    }
                    _ => Err("a boolean must be ?0 or ?1"),
                }
            }
            Some(b'-' | b'0'..=b'9') => self.integer().map(Bare::Integer),
            Some(b'A'..=b'Z' | b'a'..=b'z' | b'*') => Ok(Bare::Token(self.token())),
            _ => Err("an item must be a string, integer, token, byte sequence or boolean"),
        }
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.at += 1; // the opening quote
        // The usual string has no escapes: copied in one piece.
        let rest = &self.input[self.at..];
        if let Some(end) = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || !(0x20..=0x7e).contains(&b))
            && rest[end] == b'"'
        {
            let text = std::str::from_utf8(&rest[..end])
                .unwrap_or_default()
                .to_owned();
            self.at += end + 1;
            return Ok(text);
        }
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err("a string is not closed"),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    match self.peek() {
                        Some(c @ (b'"' | b'\\')) => {
                            out.push(c as char);
                            self.at += 1;
                        }
                        _ => return Err("a string escapes something other than \" or \\"),
                    }
                }
                Some(c @ 0x20..=0x7e) => {
                    out.push(c as char);
                    self.at += 1;
                }
                Some(_) => return Err("a string holds a byte outside printable ASCII"),
            }
        }
    }

    fn integer(&mut self) -> Result<i64, ParseError> {
        let start = self.at;
        self.eat(b'-');
        let digits = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        let n = self.at - digits;
        if n == 0 || n > 15 {
            return Err("an integer must have 1 to 15 digits");
        }
        if self.peek() == Some(b'.') {
            return Err("decimals are not used in signatures");
        }
        std::str::from_utf8(&self.input[start..self.at])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or("an integer could not be read")
    }

    fn token(&mut self) -> String {
        let start = self.at;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~:/".contains(&c) {
                self.at += 1;
            } else {
                break;
            }
        }
        // Only ASCII was taken.
        std::str::from_utf8(&self.input[start..self.at])
            .unwrap_or_default()
            .to_owned()
    }

    fn bytes(&mut self) -> Result<Vec<u8>, ParseError> {
        self.at += 1;
        let start = self.at;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=') {
                self.at += 1;
            } else {
                break;
            }
        }
        let text = &self.input[start..self.at];
        if !self.eat(b':') {
            return Err("a byte sequence is not closed");
        }
        STANDARD
            .decode(text)
            .map_err(|_| "a byte sequence is not valid base64")
    }

    fn params(&mut self) -> Result<Params, ParseError> {
        let mut params = Params::new();
        while self.eat(b';') {
            self.skip_sp();
            let key = self.key()?;
            let value = if self.eat(b'=') {
                self.bare()?
            } else {
                Bare::Boolean(true)
            };
            match params.iter_mut().find(|(k, _)| *k == key) {
                Some(existing) => existing.1 = value,
                None => params.push((key, value)),
            }
        }
        Ok(params)
    }

    fn item(&mut self) -> Result<Item, ParseError> {
        let bare = self.bare()?;
        let params = self.params()?;
        Ok(Item { bare, params })
    }

    fn member(&mut self) -> Result<Member, ParseError> {
        if !self.eat(b'(') {
            return self.item().map(Member::Item);
        }
        let mut items = Vec::new();
        loop {
            self.skip_sp();
            if self.eat(b')') {
                let params = self.params()?;
                return Ok(Member::InnerList(items, params));
            }
            items.push(self.item()?);
            match self.peek() {
                Some(b' ' | b')') => {}
                _ => return Err("inner-list items must be separated by spaces"),
            }
        }
    }
}

/// Parses a dictionary field (members in order; a repeated key is kept each time — the
/// caller decides what a repetition means).
pub(crate) fn parse_dictionary(text: &str) -> Result<Vec<(String, Member)>, ParseError> {
    let mut p = Parser {
        input: text.as_bytes(),
        at: 0,
    };
    let mut out = Vec::new();
    p.skip_sp();
    if p.peek().is_none() {
        return Ok(out);
    }
    loop {
        let key = p.key()?;
        let member = if p.eat(b'=') {
            p.member()?
        } else {
            let params = p.params()?;
            Member::Item(Item {
                bare: Bare::Boolean(true),
                params,
            })
        };
        out.push((key, member));
        p.skip_ows();
        if p.peek().is_none() {
            return Ok(out);
        }
        if !p.eat(b',') {
            return Err("dictionary members must be separated by commas");
        }
        p.skip_ows();
        if p.peek().is_none() {
            return Err("a dictionary ends with a comma");
        }
    }
}

/// Writes `s` as a string (`"…"`, with `"` and `\` escaped).
pub(crate) fn write_string(out: &mut String, s: &str) {
    out.push('"');
    if s.bytes().any(|b| b == b'"' || b == b'\\') {
        for c in s.chars() {
            if matches!(c, '"' | '\\') {
                out.push('\\');
            }
            out.push(c);
        }
    } else {
        out.push_str(s);
    }
    out.push('"');
}

/// Writes a bare item canonically.
pub(crate) fn write_bare(out: &mut String, bare: &Bare) {
    match bare {
        Bare::Integer(n) => out.push_str(&n.to_string()),
        Bare::String(s) => write_string(out, s),
        Bare::Token(t) => out.push_str(t),
        Bare::Bytes(b) => {
            out.push(':');
            out.push_str(&STANDARD.encode(b));
            out.push(':');
        }
        Bare::Boolean(true) => out.push_str("?1"),
        Bare::Boolean(false) => out.push_str("?0"),
    }
}

/// Writes parameters canonically (`;key` for true, `;key=value` otherwise).
pub(crate) fn write_params(out: &mut String, params: &Params) {
    for (key, value) in params {
        out.push(';');
        out.push_str(key);
        if *value != Bare::Boolean(true) {
            out.push('=');
            write_bare(out, value);
        }
    }
}

/// Whether `s` is a valid string item's content (printable ASCII).
pub(crate) fn is_string(s: &str) -> bool {
    s.bytes().all(|b| (0x20..=0x7e).contains(&b))
}

/// Whether `s` is a valid dictionary key.
pub(crate) fn is_key(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z' | b'*'))
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' | b'*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_fields_parse_and_reserialise_canonically() {
        let input = r#"sig-b26=("date" "@method" "@path");created=1618884473;keyid="test-key-ed25519", x=:AAE=:"#;
        let dict = parse_dictionary(input).unwrap();
        assert_eq!(dict.len(), 2);
        let Member::InnerList(items, params) = &dict[0].1 else {
            panic!("an inner list")
        };
        assert_eq!(items[1].bare, Bare::String("@method".into()));
        let mut out = String::new();
        write_params(&mut out, params);
        assert_eq!(out, r#";created=1618884473;keyid="test-key-ed25519""#);
        assert_eq!(
            dict[1].1,
            Member::Item(Item {
                bare: Bare::Bytes(vec![0, 1]),
                params: vec![]
            })
        );
    }

    #[test]
    fn malformed_fields_are_errors_never_panics() {
        for bad in [
            "Sig=(\"a\")",
            "sig=(\"a\"",
            "sig=(\"a\")x",
            "sig=(\"a\"\"b\")",
            "sig=:not base64:",
            "sig=:AAE=",
            "sig=\"\\x\"",
            "sig=1234567890123456",
            "sig=1.5",
            "sig=(\"a\"),",
            "sig=(\"a\");created=?2",
            "sig=\"é\"",
        ] {
            assert!(parse_dictionary(bad).is_err(), "{bad:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_input_parses_or_fails_cleanly(s in ".{0,200}") {
            let _ = parse_dictionary(&s);
        }
    }
}
