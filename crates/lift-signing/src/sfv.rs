//! The part of RFC 8941 (Structured Field Values) that message signatures use: dictionaries
//! whose members are items or inner lists, with parameters; strings, integers, tokens, byte
//! sequences and booleans.
//!
//! Parsing is strict (anything else is an error, never a guess), bounded by the caller's size
//! limit, and allocates nothing: a parsed field is a set of views into its text — validated
//! once, then read again on demand by the same parser — so verifying a signature copies no
//! header. Serialisation is canonical and goes to any [`Out`].

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Why a field could not be parsed.
pub(crate) type ParseError = &'static str;

/// Where serialised text goes: a `String`, or straight into a MAC or a digest.
pub(crate) trait Out {
    /// Appends `text`.
    fn put(&mut self, text: &str);
}

impl Out for String {
    fn put(&mut self, text: &str) {
        self.push_str(text);
    }
}

/// Checks text written to it against `expected`, piece by piece: whether what was read is
/// already what would be written.
pub(crate) struct SameAs<'a> {
    rest: &'a str,
    same: bool,
}

impl<'a> SameAs<'a> {
    /// Compares against `expected`.
    pub(crate) fn new(expected: &'a str) -> Self {
        Self {
            rest: expected,
            same: true,
        }
    }

    /// Whether everything written so far was `expected`, all of it.
    pub(crate) fn matched(&self) -> bool {
        self.same && self.rest.is_empty()
    }
}

impl Out for SameAs<'_> {
    fn put(&mut self, text: &str) {
        match self.rest.strip_prefix(text) {
            Some(rest) if self.same => self.rest = rest,
            _ => self.same = false,
        }
    }
}

/// Writes `n` in decimal.
pub(crate) fn put_integer(out: &mut impl Out, n: i64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        out.put("-");
    }
    // Only ASCII digits were written.
    out.put(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

/// A string item as it stands in the field: the text between the quotes, escapes kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Str<'a>(&'a str);

impl<'a> Str<'a> {
    /// The string as it stands in the field, escapes included.
    pub(crate) fn raw(self) -> &'a str {
        self.0
    }

    /// The string's value (escapes undone; borrowed unless there were any).
    pub(crate) fn text(self) -> Cow<'a, str> {
        if !self.0.contains('\\') {
            return Cow::Borrowed(self.0);
        }
        let mut out = String::with_capacity(self.0.len());
        let mut escaped = false;
        for c in self.0.chars() {
            if c == '\\' && !escaped {
                escaped = true;
                continue;
            }
            escaped = false;
            out.push(c);
        }
        Cow::Owned(out)
    }
}

/// A byte sequence as it stands in the field: its base64 text (already checked to decode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Base64<'a>(&'a str);

impl Base64<'_> {
    /// The bytes, decoded into `buf`; `None` if they do not fit.
    pub(crate) fn decode_into(self, buf: &mut [u8]) -> Option<&[u8]> {
        let n = STANDARD.decode_slice(self.0, buf).ok()?;
        Some(&buf[..n])
    }
}

/// Whether `text`, made of the base64 alphabet and `=` (the parser has checked that), is
/// canonical padded base64: a length in whole quanta, `=` only as the last one or two
/// characters, no bits set past the data in the last character before them.
fn valid_base64(text: &str) -> bool {
    let bytes = text.as_bytes();
    let data = text.trim_end_matches('=').as_bytes();
    let padding = bytes.len() - data.len();
    if bytes.len() % 4 != 0 || padding > 2 || data.contains(&b'=') {
        return false;
    }
    let Some(&last) = data.last() else {
        return padding == 0;
    };
    let value = match last {
        b'A'..=b'Z' => last - b'A',
        b'a'..=b'z' => last - b'a' + 26,
        b'0'..=b'9' => last - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    match padding {
        2 => value & 0x0f == 0,
        1 => value & 0x03 == 0,
        _ => true,
    }
}

/// A bare item, read from a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Value<'a> {
    Integer(i64),
    String(Str<'a>),
    Token(&'a str),
    Bytes(Base64<'a>),
    Boolean(bool),
}

impl Value<'_> {
    /// Writes the item canonically (what was parsed strictly is already canonical, except
    /// integers, which are rewritten).
    pub(crate) fn write(self, out: &mut impl Out) {
        match self {
            Value::Integer(n) => put_integer(out, n),
            Value::String(Str(raw)) => {
                out.put("\"");
                out.put(raw);
                out.put("\"");
            }
            Value::Token(t) => out.put(t),
            Value::Bytes(Base64(raw)) => {
                out.put(":");
                out.put(raw);
                out.put(":");
            }
            Value::Boolean(true) => out.put("?1"),
            Value::Boolean(false) => out.put("?0"),
        }
    }
}

/// Parameters (`;key=value;flag`), as they stand in the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Params<'a>(&'a str);

impl<'a> Params<'a> {
    /// Whether there are none.
    pub(crate) fn is_empty(self) -> bool {
        self.0.is_empty()
    }

    /// The parameters as they stand in the field.
    pub(crate) fn raw(self) -> &'a str {
        self.0
    }

    /// The parameters in order (a repeated key each time it appears).
    pub(crate) fn iter(self) -> impl Iterator<Item = (&'a str, Value<'a>)> {
        let mut p = Parser::again(self.0);
        std::iter::from_fn(move || p.param().ok().flatten())
    }

    /// Writes the parameters canonically (`;key` for true, `;key=value` otherwise).
    pub(crate) fn write(self, out: &mut impl Out) {
        for (key, value) in self.iter() {
            write_param(out, key, value);
        }
    }
}

/// Writes one parameter canonically.
pub(crate) fn write_param(out: &mut impl Out, key: &str, value: Value<'_>) {
    out.put(";");
    out.put(key);
    if value != Value::Boolean(true) {
        out.put("=");
        value.write(out);
    }
}

/// An item with its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Item<'a> {
    pub(crate) bare: Value<'a>,
    pub(crate) params: Params<'a>,
}

/// The items of an inner list, as they stand in the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Items<'a>(&'a str);

impl<'a> Items<'a> {
    /// The items in order.
    #[cfg(test)]
    pub(crate) fn iter(self) -> impl Iterator<Item = Item<'a>> {
        let mut p = Parser::again(self.0);
        std::iter::from_fn(move || p.list_item().ok().flatten())
    }
}

/// A dictionary member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Member<'a> {
    Item(Item<'a>),
    InnerList(Items<'a>, Params<'a>),
}

/// Hears one inner list's items and parameters as the parser reads them, so that a reader
/// needing them all builds its view in the same pass that checks the field.
pub(crate) trait Hear<'a> {
    /// The list's next item.
    fn item(&mut self, item: Item<'a>);
    /// The list's next parameter, and its text as it stands (`;key=value`).
    fn param(&mut self, key: &'a str, value: Value<'a>, raw: &'a str);
}

/// Reads a dictionary field, checking all of it, and hands each member to `each` as it is
/// read (a repeated key each time — the caller decides what a repetition means). Stops at
/// the first error: the field's (outside) or `each`'s (inside).
pub(crate) fn read_dictionary<'a, E>(
    text: &'a str,
    each: impl FnMut(&'a str, Member<'a>) -> Result<(), E>,
) -> Result<Result<(), E>, ParseError> {
    read_dictionary_hearing(text, |_| false, None, each)
}

/// [`read_dictionary`], with the items and parameters of the first inner-list member whose
/// key `wanted` accepts told to `heard` as they are read.
pub(crate) fn read_dictionary_hearing<'a, E>(
    text: &'a str,
    wanted: impl Fn(&str) -> bool,
    mut heard: Option<&mut dyn Hear<'a>>,
    mut each: impl FnMut(&'a str, Member<'a>) -> Result<(), E>,
) -> Result<Result<(), E>, ParseError> {
    let mut p = Parser::new(text);
    p.skip_sp();
    while p.peek().is_some() {
        let key = p.key()?;
        let hear = if wanted(key) { heard.take() } else { None };
        let member = p.dictionary_value(hear)?;
        if let Err(e) = each(key, member) {
            return Ok(Err(e));
        }
    }
    Ok(Ok(()))
}

/// Parses one member's value on its own (an item or an inner list), checking all of it and
/// telling `heard` its inner list's items and parameters.
#[cfg(test)]
pub(crate) fn parse_member<'a>(
    text: &'a str,
    heard: &mut dyn Hear<'a>,
) -> Result<Member<'a>, ParseError> {
    let mut p = Parser::new(text);
    let member = p.member_heard(Some(heard))?;
    match p.peek() {
        None => Ok(member),
        Some(_) => Err("text follows the member"),
    }
}

/// Character classes, one bit each, looked up once per byte.
const PLAIN: u8 = 1; // printable ASCII inside a string, other than `"` and `\`
const BASE64: u8 = 2; // a byte sequence's alphabet, padding included
const TOKEN: u8 = 4; // a token's characters after the first
const KEY: u8 = 8; // a key's characters after the first

static CLASS: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let alnum = c.is_ascii_alphanumeric();
        if c >= 0x20 && c <= 0x7e && c != b'"' && c != b'\\' {
            class[b] |= PLAIN;
        }
        if alnum || c == b'+' || c == b'/' || c == b'=' {
            class[b] |= BASE64;
        }
        if alnum
            || matches!(
                c,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
                    | b':'
                    | b'/'
            )
        {
            class[b] |= TOKEN;
        }
        if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b'-' | b'.' | b'*') {
            class[b] |= KEY;
        }
        b += 1;
    }
    class
};

struct Parser<'a> {
    text: &'a str,
    at: usize,
    /// Whether `text` was parsed whole before (a view read again): what only a first read
    /// can find wrong — a byte sequence that does not decode — is not looked for again.
    checked: bool,
}

impl<'a> Parser<'a> {
    /// A first read of `text`: every rule checked.
    fn new(text: &'a str) -> Self {
        Self {
            text,
            at: 0,
            checked: false,
        }
    }

    /// Reads again a view a first read made.
    fn again(text: &'a str) -> Self {
        Self {
            text,
            at: 0,
            checked: true,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
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

    /// Moves past the bytes of class `class`.
    fn skip_class(&mut self, class: u8) {
        let rest = &self.text.as_bytes()[self.at.min(self.text.len())..];
        self.at += rest
            .iter()
            .position(|&b| CLASS[usize::from(b)] & class == 0)
            .unwrap_or(rest.len());
    }

    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    /// The text from `start` to here (the parser only ever stops on ASCII boundaries).
    fn since(&self, start: usize) -> &'a str {
        self.text.get(start..self.at).unwrap_or_default()
    }

    fn key(&mut self) -> Result<&'a str, ParseError> {
        let start = self.at;
        match self.peek() {
            Some(b'a'..=b'z' | b'*') => self.at += 1,
            _ => return Err("a key must start with a lowercase letter or *"),
        }
        self.skip_class(KEY);
        Ok(self.since(start))
    }

    fn bare(&mut self) -> Result<Value<'a>, ParseError> {
        match self.peek() {
            Some(b'"') => self.string().map(Value::String),
            Some(b':') => self.bytes().map(Value::Bytes),
            Some(b'?') => {
                self.at += 1;
                let value = match self.peek() {
                    Some(b'1') => true,
                    Some(b'0') => false,
                    _ => return Err("a boolean must be ?0 or ?1"),
                };
                self.at += 1;
                Ok(Value::Boolean(value))
            }
            Some(b'-' | b'0'..=b'9') => self.integer().map(Value::Integer),
            Some(b'A'..=b'Z' | b'a'..=b'z' | b'*') => Ok(Value::Token(self.token())),
            _ => Err("an item must be a string, integer, token, byte sequence or boolean"),
        }
    }

    fn string(&mut self) -> Result<Str<'a>, ParseError> {
        self.at += 1; // the opening quote
        let start = self.at;
        loop {
            self.skip_class(PLAIN);
            match self.peek() {
                None => return Err("a string is not closed"),
                Some(b'"') => {
                    let raw = self.since(start);
                    self.at += 1;
                    return Ok(Str(raw));
                }
                Some(b'\\') => {
                    self.at += 1;
                    match self.peek() {
                        Some(b'"' | b'\\') => self.at += 1,
                        _ => return Err("a string escapes something other than \" or \\"),
                    }
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
        self.since(start)
            .parse()
            .map_err(|_| "an integer could not be read")
    }

    fn token(&mut self) -> &'a str {
        let start = self.at;
        self.at += 1; // the first character, checked by the caller
        self.skip_class(TOKEN);
        self.since(start)
    }

    fn bytes(&mut self) -> Result<Base64<'a>, ParseError> {
        self.at += 1;
        let start = self.at;
        self.skip_class(BASE64);
        let text = self.since(start);
        if !self.eat(b':') {
            return Err("a byte sequence is not closed");
        }
        if !self.checked && !valid_base64(text) {
            return Err("a byte sequence is not valid base64");
        }
        Ok(Base64(text))
    }

    /// The next parameter, if one follows.
    fn param(&mut self) -> Result<Option<(&'a str, Value<'a>)>, ParseError> {
        if self.peek() != Some(b';') {
            return Ok(None);
        }
        self.at += 1;
        self.skip_sp();
        let key = self.key()?;
        let value = if self.eat(b'=') {
            self.bare()?
        } else {
            Value::Boolean(true)
        };
        Ok(Some((key, value)))
    }

    fn params(&mut self) -> Result<Params<'a>, ParseError> {
        let start = self.at;
        while self.param()?.is_some() {}
        Ok(Params(self.since(start)))
    }

    fn item(&mut self) -> Result<Item<'a>, ParseError> {
        let bare = self.bare()?;
        let params = self.params()?;
        Ok(Item { bare, params })
    }

    /// The next item of an inner list, `None` at its closing parenthesis.
    fn list_item(&mut self) -> Result<Option<Item<'a>>, ParseError> {
        self.skip_sp();
        if self.peek() == Some(b')') {
            return Ok(None);
        }
        let item = self.item()?;
        match self.peek() {
            Some(b' ' | b')') => Ok(Some(item)),
            _ => Err("inner-list items must be separated by spaces"),
        }
    }

    /// A member, its inner list's items and parameters told to `heard` as they are read.
    fn member_heard(
        &mut self,
        mut heard: Option<&mut dyn Hear<'a>>,
    ) -> Result<Member<'a>, ParseError> {
        if !self.eat(b'(') {
            return self.item().map(Member::Item);
        }
        let start = self.at;
        while let Some(item) = self.list_item()? {
            if let Some(h) = heard.as_deref_mut() {
                h.item(item);
            }
        }
        let items = Items(self.text.get(start..=self.at).unwrap_or_default());
        self.at += 1; // the closing parenthesis
        let params_start = self.at;
        loop {
            let param_start = self.at;
            let Some((key, value)) = self.param()? else {
                break;
            };
            if let Some(h) = heard.as_deref_mut() {
                h.param(key, value, self.since(param_start));
            }
        }
        Ok(Member::InnerList(items, Params(self.since(params_start))))
    }

    /// A dictionary member's value after its key (`=` and a member, or parameters alone),
    /// and the separator after it.
    fn dictionary_value(
        &mut self,
        heard: Option<&mut dyn Hear<'a>>,
    ) -> Result<Member<'a>, ParseError> {
        let member = if self.eat(b'=') {
            self.member_heard(heard)?
        } else {
            let params = self.params()?;
            Member::Item(Item {
                bare: Value::Boolean(true),
                params,
            })
        };
        self.skip_ows();
        if self.peek().is_some() {
            if !self.eat(b',') {
                return Err("dictionary members must be separated by commas");
            }
            self.skip_ows();
            if self.peek().is_none() {
                return Err("a dictionary ends with a comma");
            }
        }
        Ok(member)
    }
}

/// Writes `s` as a string (`"…"`, with `"` and `\` escaped).
pub(crate) fn write_string(out: &mut impl Out, s: &str) {
    out.put("\"");
    let mut start = 0;
    for (at, &b) in s.as_bytes().iter().enumerate() {
        if b == b'"' || b == b'\\' {
            out.put(&s[start..at]);
            out.put("\\");
            start = at; // the escaped character begins the next piece
        }
    }
    out.put(&s[start..]);
    out.put("\"");
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

    fn members(text: &str) -> Result<Vec<(&str, Member<'_>)>, ParseError> {
        let mut out = Vec::new();
        read_dictionary(text, |key, member| {
            out.push((key, member));
            Ok::<_, ()>(())
        })?
        .ok();
        Ok(out)
    }

    #[test]
    fn signature_fields_parse_and_reserialise_canonically() {
        let input = r#"sig-b26=("date" "@method" "@path");created=1618884473;keyid="test-key-ed25519", x=:AAE=:, f;a=?0"#;
        let members = members(input).unwrap();
        assert_eq!(members.len(), 3);
        let Member::InnerList(items, params) = members[0].1 else {
            panic!("an inner list")
        };
        let names: Vec<_> = items.iter().map(|i| i.bare).collect();
        assert_eq!(names[1], Value::String(Str("@method")));
        assert_eq!(names.len(), 3);
        let mut out = String::new();
        params.write(&mut out);
        assert_eq!(out, r#";created=1618884473;keyid="test-key-ed25519""#);
        assert_eq!(
            params.iter().next(),
            Some(("created", Value::Integer(1618884473)))
        );
        let Member::Item(Item {
            bare: Value::Bytes(bytes),
            ..
        }) = members[1].1
        else {
            panic!("a byte sequence")
        };
        assert_eq!(bytes.decode_into(&mut [0; 8]), Some(&[0u8, 1][..]));
        assert_eq!(bytes.decode_into(&mut [0; 1]), None);
        let Member::Item(flag) = members[2].1 else {
            panic!("an item")
        };
        assert_eq!(flag.bare, Value::Boolean(true));
        assert_eq!(
            flag.params.iter().last(),
            Some(("a", Value::Boolean(false)))
        );
    }

    #[test]
    fn strings_are_read_with_their_escapes_undone_and_written_with_them() {
        let Some((
            _,
            Member::Item(Item {
                bare: Value::String(s),
                ..
            }),
        )) = members(r#"k="a \"b\" \\ c""#).unwrap().pop()
        else {
            panic!("a string")
        };
        assert_eq!(s.text(), r#"a "b" \ c"#);
        let mut out = String::new();
        Value::String(s).write(&mut out);
        let mut again = String::new();
        write_string(&mut again, &s.text());
        assert_eq!(out, again);
        assert_eq!(out, r#""a \"b\" \\ c""#);
    }

    #[test]
    fn integers_are_written_canonically() {
        for (n, text) in [
            (0, "0"),
            (7, "7"),
            (-42, "-42"),
            (999_999_999_999_999, "999999999999999"),
        ] {
            let mut out = String::new();
            put_integer(&mut out, n);
            assert_eq!(out, text);
        }
        let Some((_, Member::Item(item))) = members("k=007").unwrap().pop() else {
            panic!("an item")
        };
        let mut out = String::new();
        item.bare.write(&mut out);
        assert_eq!(out, "7");
    }

    #[test]
    fn byte_sequences_are_checked_as_a_strict_decoder_would() {
        // Every short text over the alphabet: the structural check agrees with base64's
        // strict decoder.
        let alphabet = b"AQgw/+=";
        let mut texts = vec![String::new()];
        for _ in 0..6 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |&c| format!("{t}{}", c as char)))
                .collect();
            texts.extend(longer);
            texts.dedup();
        }
        texts.extend(
            [
                "AA==AAAA", "AAA=AAAA", "=AAAAAAA", "AAAAAA==", "AAAAAAA=", "AAAA====",
            ]
            .map(String::from),
        );
        for text in texts {
            assert_eq!(
                valid_base64(&text),
                STANDARD.decode(&text).is_ok(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn long_byte_sequences_are_checked_whole() {
        let long = STANDARD.encode([7u8; 200]);
        assert!(members(&format!("k=:{long}:")).is_ok());
        // Padding inside, where a chunk ends.
        let mut broken = long.clone();
        broken.replace_range(62..64, "==");
        assert!(members(&format!("k=:{broken}:")).is_err());
        // Stray bits in the last group.
        assert!(members("k=:AAF=:").is_err());
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
            assert!(members(bad).is_err(), "{bad:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_input_parses_or_fails_cleanly(s in ".{0,200}") {
            let _ = members(&s);
        }
    }
}
