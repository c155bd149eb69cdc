//! The value after a sensitive name's separator: which kind it is — quoted, JSON-escaped,
//! bracketed, wrapped, a scheme and its credential, a header's parameters, a YAML block —
//! and the finding that replaces it, counted; never one holding what a pass already wrote,
//! so a second pass changes nothing.

use super::arns;
use super::cards::digit_run_end;
use super::echoes::{Echo, echo};
use super::names::{count, holds_marker, is_marker, is_marker_at, is_name_byte};
use super::pem::before_private_key;
use super::statuses::{brackets_state, reports_on_card_data, value_past_states};
use super::value_ends::{
    bare_word_end, bracketed_end, ends_value, escaped_quote_len, line_end, parameters_end,
    quoted_value_end, string_end_on_line, wrapped_value_end,
};
use super::yaml::yaml_block;
use super::{Finding, REMOVED, Replacement, blank_len, past_blanks};
use crate::redact::Redactor;

/// Credential schemes whose next word is the credential itself (`Authorization: Bearer x`).
const SCHEMES: [&[u8]; 6] = [
    b"bearer",
    b"basic",
    b"token",
    b"digest",
    b"negotiate",
    b"aws4-hmac-sha256",
];

/// A name found before a separator.
pub(super) struct Name<'b> {
    /// The name's text (a label's words, for a label).
    pub(super) text: &'b [u8],
    /// In quotes (`"cvv":`).
    pub(super) quoted: bool,
    /// Its quote as written (`"`, or escaped: `\"`, `\\\"`), to write a bare value's
    /// replacement between; `None` for a bare name, or a quote escaped more than this knows.
    pub(super) quote: Option<&'static str>,
    /// Where it starts when it stands right before the separator, no blank between.
    pub(super) adjacent: Option<usize>,
}

/// The value after the separator at `at` of a sensitive `name`, to be replaced by `fixed`.
pub(super) fn named_value(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    floor: usize,
    name: Name<'_>,
    fixed: &'static str,
    unclosed: &mut usize,
) -> Option<Finding> {
    let Name {
        text: name,
        quoted: quoted_name,
        quote,
        adjacent,
    } = name;
    if !quoted_name
        && let Some(name_start) = adjacent
        && arns::is_resource_type(bytes, name_start, floor)
    {
        return None;
    }
    if bytes[at] == b':' && is_source_location(name, bytes.get(at + 1)) {
        return None;
    }
    // The value: quoted, or up to the next delimiter. `=>` separates too (Ruby, PHP, Perl),
    // and `:=` (Go, Make).
    let two = match (bytes[at], bytes.get(at + 1)) {
        // Not where the `>` ends an element's start tag (`<cvv a=>737</cvv>`): the element's
        // value is the element's finding.
        (b'=', Some(b'>')) => !in_start_tag(bytes, at, floor),
        (b':', Some(b'=')) => true,
        _ => false,
    };
    let mut start = value_start(bytes, at + 1 + usize::from(two));
    if bytes[at] == b':'
        && !quoted_name
        && let Some(name_start) = adjacent
        && let Some((start, end)) = yaml_block(bytes, floor, name_start, start)
    {
        return value_finding(
            redactor,
            bytes,
            start..before_private_key(bytes, start, end),
            fixed,
            None,
        );
    }
    // A byte string's prefix, as `bytes::Bytes`'s `Debug` and Python's `repr` write one
    // (`b"hunter2"`, `b'hunter2'`): the value is the quoted text after it.
    if bytes.get(start) == Some(&b'b')
        && bytes.get(start + 1).is_some_and(|&b| {
            b == b'"' || b == b'\'' || b == b'\\' && escaped_quote_len(&bytes[start + 1..]) > 0
        })
    {
        start += 1;
    }
    if bytes[start..].starts_with(REJECTED_VALUE) {
        // Spring's `FieldError`: `on field 'cvv': rejected value [737]; codes …` — the value
        // in the brackets, if any (none where a pass replaced it).
        return rejected_value(bytes, start + REJECTED_VALUE.len())
            .and_then(|(open, close)| value_finding(redactor, bytes, open..close, fixed, None));
    }
    match echo(bytes, start) {
        // A library's error after the field's path (serde's `cvv: invalid type: integer
        // `737`, expected a string`, validator's): the value it quotes.
        Some(Echo::Value(open, close)) => {
            return value_finding(redactor, bytes, open..close, fixed, None);
        }
        Some(Echo::Nothing) => return None,
        None => {}
    }
    // No value (Rust's `None`, JSON's `null`), a flag (`password_set: true`, one bit that
    // holds no secret), a state (`token: expired`, `cvv=N`): nothing to hide, and it is what
    // a reader of the line looks for — unless a value follows it (`password: set to …`).
    let start = value_past_states(bytes, start)?;
    let (start, end, bare) = match bytes.get(start) {
        // The quote that opened a string right before a bare name, after its `:` (blanks
        // between), closes that string (`"custom:"`, `"API Key: "`): the colon is inside a
        // quoted name, not after one.
        Some(&q @ (b'"' | b'\''))
            if !quoted_name && adjacent.is_some_and(|s| s > 0 && bytes[s - 1] == q) =>
        {
            return None;
        }
        // A quoted value, closed on its line; one whose quote does not close there (a line
        // cut short) runs to the line's end.
        Some(&q @ (b'"' | b'\'')) => {
            let open = start + 1;
            // The line's end only when the quote does not close: found eagerly, a long line
            // of many values would be read to its end once per value.
            let close = string_end_on_line(&bytes[open..], q)
                .map_or_else(|| line_end(bytes, open), |c| open + c);
            if closes_before_marker(bytes, close, &[q])
                || reports_on_card(fixed, &bytes[open..close])
            {
                return None;
            }
            (open, close, false)
        }
        Some(b'\\') if escaped_quote_len(&bytes[start..]) > 0 => {
            // A quoted value inside JSON-escaped text: `\"737\"` (`\\\"737\\\"` escaped
            // twice), closed by the same escape.
            let open = start + escaped_quote_len(&bytes[start..]);
            let quote = &bytes[start..open];
            // The escaped quote that opened a string right before a bare name closes that
            // string, as a plain one does (`\"requestId\":\"LV7f-PHcEJPw=\",\"…`: a base64
            // id's `=` after a word that reads as a name, `Pw`).
            if !quoted_name && adjacent.is_some_and(|s| bytes[..s].ends_with(quote)) {
                return None;
            }
            let close = quoted_value_end(bytes, open, quote);
            if closes_before_marker(bytes, close, quote)
                || reports_on_card(fixed, &bytes[open..close])
            {
                return None;
            }
            (open, close, false)
        }
        // An object, a list or a parenthesised value: all of it, as a key rule takes a
        // nested value whole.
        Some(b'{' | b'[' | b'(') => {
            let end = bracketed_end(bytes, start, unclosed);
            if brackets_state(&bytes[start..end]) || covered_components(&bytes[start..end]) {
                // A mask or a state its writer put there (Rails' `[FILTERED]`, `(empty)`), or
                // the components a signature covers (RFC 9421's `Signature-Input: sig1=(…)`).
                return None;
            }
            let quote = quote.filter(|_| quoted_name && bytes[at] == b':');
            return whole_value(redactor, bytes, start..end, fixed, quote);
        }
        Some(_) => {
            let mut end = bare_word_end(bytes, start);
            let word = &bytes[start..end];
            if let Some(close) = wrapped_value_end(bytes, start, word, unclosed) {
                // Rust's `Debug` of a wrapped value or a struct (`Some("737")`,
                // `Secret(737)`, `Secret { inner: 737 }`), on one line or many: all of it.
                let quote = quote.filter(|_| quoted_name && bytes[at] == b':');
                return whole_value(redactor, bytes, start..close, fixed, quote);
            }
            if word.iter().all(u8::is_ascii_digit) {
                end = digit_run_end(bytes, end);
            }
            let mut params = false;
            if blank_len(bytes, end) > 0
                && (SCHEMES.iter().any(|s| word.eq_ignore_ascii_case(s))
                    || names_credentials(name) && is_scheme(word))
            {
                // `Bearer <token>`, and after an `Authorization` header's name any scheme
                // (Okta's `SSWS`, Discord's `Bot`, `ApiKey`): the credential is the next
                // word — or the parameters that follow (`Token token="…"`).
                let next = past_blanks(bytes, end);
                end = next
                    + bytes[next..]
                        .iter()
                        .position(|&b| ends_value(b))
                        .unwrap_or(bytes.len() - next);
                params = are_parameters(bytes, next, end);
            }
            if params
                || name_has_cookie(name)
                || lists_codes(name)
                || word.eq_ignore_ascii_case(b"aws4-hmac-sha256")
                || word.eq_ignore_ascii_case(b"digest")
                // A header's list of parameters (`Stripe-Signature: t=…,v1=…`,
                // `X-Hub-Signature-256: sha256=…`).
                || bytes[at] == b':' && word.contains(&b'=')
            {
                // Cookies, SigV4 and Digest credentials, parameter lists, recovery codes:
                // they hold `;`, `,`, spaces and quoted values.
                end = parameters_end(bytes, start);
            }
            (start, before_private_key(bytes, start, end), true)
        }
        None => return None,
    };
    let quote = quote.filter(|_| bare && quoted_name && bytes[at] == b':');
    value_finding(redactor, bytes, start..end, fixed, quote)
}

/// Where the value starts after the blanks from `from` ([`blank_len`]: spaces, tabs, a tab
/// escaped) and the no-break spaces JSON escapes (`\u00a0`, as Python's `json.dumps` writes
/// one) — `{"msg":"password:\thunter2"}` in a raw line holds the value a tab in the text
/// before it was escaped did.
fn value_start(bytes: &[u8], from: usize) -> usize {
    let mut start = from;
    loop {
        let blank = blank_len(bytes, start);
        if blank > 0 {
            start += blank;
            continue;
        }
        let escape = start + bytes[start..].iter().take_while(|&&b| b == b'\\').count();
        match bytes.get(escape..) {
            Some([b'u', b'0', b'0', b'a' | b'A', b'0', ..]) if escape > start => start = escape + 5,
            _ => return start,
        }
    }
}

/// What opens the value Spring's `FieldError` writes in text, after the field's name (`Field
/// error in object 'req' on field 'cvv': rejected value [737]; codes […]`).
pub(super) const REJECTED_VALUE: &[u8] = b"rejected value [";

/// The value in the brackets opened right before `open` ([`REJECTED_VALUE`]): where it
/// starts and ends, on its line — not one that is empty or holds a bracket (a marker a pass
/// wrote there brings its own `]`).
fn rejected_value(bytes: &[u8], open: usize) -> Option<(usize, usize)> {
    let close = open
        + bytes[open..]
            .iter()
            .position(|&b| matches!(b, b'[' | b']' | b'\n' | b'\r'))?;
    (bytes[close] == b']' && close > open).then_some((open, close))
}

/// How far back from a `=>` an element's start tag is looked for.
const START_TAG_REACH: usize = 256;

/// Whether `bytes[at]` stands inside an element's start tag: a `<` and a name byte before it,
/// no `>` between them, no further back than `floor` or [`START_TAG_REACH`] — nor than a
/// marker, where the next pass reads one and this pass has its floor.
fn in_start_tag(bytes: &[u8], at: usize, floor: usize) -> bool {
    let from = floor.max(at.saturating_sub(START_TAG_REACH)).min(at);
    bytes[from..at]
        .iter()
        .rposition(|&b| b == b'<' || b == b'>')
        .is_some_and(|k| {
            bytes[from + k] == b'<'
                && bytes.get(from + k + 1).is_some_and(|&b| is_name_byte(b))
                && !holds_marker(&bytes[from + k..at])
        })
}

/// A bracketed value or a wrapper at `range` replaced whole by `fixed` (in quotes when
/// `quoted`), even when it holds a marker: what it spans can reach text that later findings
/// change, so a second pass must find the marker in its place, never the value again. Only
/// a marker itself is left alone.
fn whole_value(
    redactor: &Redactor,
    bytes: &[u8],
    range: std::ops::Range<usize>,
    fixed: &'static str,
    quote: Option<&'static str>,
) -> Option<Finding> {
    if is_marker(&bytes[range.clone()]) {
        return None;
    }
    Some(replaced(redactor, range, fixed, quote))
}

/// The finding that replaces `range` by `fixed` (between `quote`s when there is one: a bare
/// JSON value under a quoted name, its quotes escaped as the name's are), counted.
fn replaced(
    redactor: &Redactor,
    range: std::ops::Range<usize>,
    fixed: &'static str,
    quote: Option<&'static str>,
) -> Finding {
    count(redactor, fixed);
    Finding {
        start: range.start,
        end: range.end,
        replacement: match quote {
            Some(quote) => Replacement::Quoted(fixed, quote),
            None => Replacement::Fixed(fixed),
        },
    }
}

/// [`replaced`] for the value at `range` — unless it is empty or already holds what
/// redaction writes: redacted before (or holding that text anyway), it is left alone, so a
/// second pass changes nothing.
pub(super) fn value_finding(
    redactor: &Redactor,
    bytes: &[u8],
    range: std::ops::Range<usize>,
    fixed: &'static str,
    quote: Option<&'static str>,
) -> Option<Finding> {
    let value = bytes.get(range.clone())?;
    if value.is_empty() || holds_marker(value) {
        return None;
    }
    Some(replaced(redactor, range, fixed, quote))
}

/// Whether `bracketed` is the inner list of components an HTTP message signature covers,
/// as `Signature-Input` writes it after the signature's label (RFC 9421: `("@method"
/// "@target-uri" "content-digest")`, a derived component's `@` or a header's lowercase name
/// in each quoted item, `;`-parameters allowed, one derived component at least — a list of
/// one quoted word, `("hunter2")`, is no such list): names, never a signature, which is a
/// byte sequence between colons.
fn covered_components(bracketed: &[u8]) -> bool {
    let [b'(', inner @ .., b')'] = bracketed else {
        return false;
    };
    inner.windows(2).any(|w| w == b"\"@")
        && inner.split(|&b| b == b' ').all(|item| {
            let item = item.split(|&b| b == b';').next().unwrap_or(item);
            // In plain quotes, or in quotes escaped as JSON text writes them.
            let quote: &[u8] = if item.starts_with(b"\\") {
                b"\\\""
            } else {
                b"\""
            };
            let name = item
                .strip_prefix(quote)
                .and_then(|rest| rest.strip_suffix(quote));
            name.is_some_and(|name| {
                !name.is_empty()
                    && name.iter().enumerate().all(|(i, &b)| {
                        b.is_ascii_lowercase()
                            || b.is_ascii_digit()
                            || b == b'-'
                            || b == b'@' && i == 0
                    })
            })
        })
}

/// Whether a value to be removed as sensitive authentication data reports on the data
/// instead (a gateway's `"cvv_code":"M"`, [`reports_on_card_data`]): it stays.
fn reports_on_card(fixed: &str, value: &[u8]) -> bool {
    fixed == REMOVED && reports_on_card_data(value)
}

/// Whether a quoted value closes at `close` with `quote` (plain or escaped) right before a
/// marker: a quote there may be one a pass wrote around it (`"[REMOVED]"`, a bare value under
/// a quoted name), so on the pass before, the value did not close there.
fn closes_before_marker(bytes: &[u8], close: usize, quote: &[u8]) -> bool {
    bytes
        .get(close..)
        .and_then(|rest| rest.strip_prefix(quote))
        .is_some_and(is_marker_at)
}

/// Whether `name` is an `Authorization` header's (`Proxy-Authorization`, CGI's
/// `HTTP_AUTHORIZATION`): its value is a scheme and a credential, whatever the scheme.
fn names_credentials(name: &[u8]) -> bool {
    const AUTHORIZATION: &[u8] = b"authorization";
    name.len() >= AUTHORIZATION.len()
        && name[name.len() - AUTHORIZATION.len()..].eq_ignore_ascii_case(AUTHORIZATION)
}

/// Whether `word` can be an authentication scheme's name (RFC 9110 11.1: a token; here a
/// letter, then letters, digits, `-`, `_` or `.`, at most 32 bytes).
fn is_scheme(word: &[u8]) -> bool {
    word.len() <= 32
        && word.first().is_some_and(u8::is_ascii_alphabetic)
        && word
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Whether the word `bytes[start..end]` after a scheme starts a list of parameters
/// (`token="abc"`, `username=bob, response=…`) rather than a token68 credential, whose `=`
/// can only pad its end (`dXNlcjpwYXNz==`).
pub(super) fn are_parameters(bytes: &[u8], start: usize, end: usize) -> bool {
    let Some(eq) = bytes[start..end].iter().position(|&b| b == b'=') else {
        return false;
    };
    let after = start
        + eq
        + bytes[start + eq..end]
            .iter()
            .take_while(|&&b| b == b'=')
            .count();
    after < end || bytes.get(end) == Some(&b'"') || escaped_quote_len(&bytes[end..]) > 0
}

fn name_has_cookie(name: &[u8]) -> bool {
    name.windows(6).any(|w| w.eq_ignore_ascii_case(b"cookie"))
}

/// Whether a secret's `name` ends in `codes` (`Recovery Codes:`, `backup_codes=`): its value
/// is a list of codes, each a sign-in, to the line's end.
fn lists_codes(name: &[u8]) -> bool {
    name.len() >= 5 && name[name.len() - 5..].eq_ignore_ascii_case(b"codes")
}

/// Source files' extensions, as a location names its file (`src/auth.rs:12:5`).
const SOURCE_EXTENSIONS: [&[u8]; 16] = [
    b"rs", b"go", b"py", b"js", b"mjs", b"ts", b"tsx", b"jsx", b"java", b"kt", b"rb", b"c", b"cc",
    b"cpp", b"h", b"cs",
];

/// Whether `name` before a `:` and `next`, the byte after it, are a source location's file
/// and line — a panic's `src/auth.rs:12:5`, a stack frame's `token.py:40` — not a name and
/// its value.
fn is_source_location(name: &[u8], next: Option<&u8>) -> bool {
    next.is_some_and(u8::is_ascii_digit)
        && name
            .iter()
            .rposition(|&b| b == b'.')
            .is_some_and(|dot| SOURCE_EXTENSIONS.contains(&&name[dot + 1..]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_signature_s_covered_components_are_no_secret() {
        for list in [
            &br#"("@method" "@target-uri" "content-digest")"#[..],
            br#"("@method")"#,
            br#"("@query-param";name="id" "date")"#,
            br#"("date" "@authority")"#,
            br#"(\"@method\" \"content-digest\")"#,
        ] {
            assert!(
                super::covered_components(list),
                "{}",
                String::from_utf8_lossy(list)
            );
        }
        for list in [
            &br#"("hunter2")"#[..],
            br#"("hunter2" "x-api-key")"#,
            br#"(\"@method\" "hunter2)"#,
            br#"("@method" hunter2)"#,
            br#"("a@b")"#,
            b"()",
            br#"("")"#,
            br#"["@method"]"#,
        ] {
            assert!(
                !super::covered_components(list),
                "{}",
                String::from_utf8_lossy(list)
            );
        }
        assert_eq!(
            super::super::test_support::redact(
                r#"signature-input: sig1=("@method" "content-digest");created=1765132200;keyid="partner-2026-12""#
            ),
            r#"signature-input: sig1=("@method" "content-digest");created=1765132200;keyid="partner-2026-12""#
        );
    }

    use crate::redact::text::test_support::{assert_redacted, redact};

    #[test]
    fn a_value_after_a_blank_json_escaped_goes() {
        // A raw line's message held the value after a tab or a no-break space escaped: each
        // was kept. The sweep's line: a chip card's track after it kept its tag and length
        // on the first pass and lost them as a password on the second.
        assert_redacted(&[
            (
                r#"{"msg":"password:\thunter2 ok"}"#,
                r#"{"msg":"password:\t[REDACTED] ok"}"#,
            ),
            (
                r#"{"msg":"cvv:\t737","pin":"x"}"#,
                r#"{"msg":"cvv:\t[REMOVED]","pin":"x"}"#,
            ),
            (
                r#"{"msg":"password:\u00a0hunter2"}"#,
                r#"{"msg":"password:\u00a0[REDACTED]"}"#,
            ),
            (
                r#"{"msg":"login: {\"password:\\thunter2\"}"}"#,
                r#"{"msg":"login: {\"password:\\t[REDACTED]\"}"}"#,
            ),
            (
                r"password:\u00a057134111111111111111D25121011234567890123F",
                r"password:\u00a0[REDACTED]",
            ),
        ]);
        for text in [r"password:\", r"password:\u00a"] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn a_name_with_no_value_is_left_as_it_is() {
        // Each was `[REDACTED]`: Rust's `Debug` of an unset option, JSON's `null`.
        for text in [
            "Config { user: \"app\", password: None, token: None }",
            "{\"password\":null,\"cvv\": null}",
            "password=null&x=1",
        ] {
            assert_eq!(redact(text), text);
        }
        assert_eq!(redact("password: Nonesuch"), "password: [REDACTED]");
        assert_eq!(redact("password: \"None\""), "password: \"[REDACTED]\"");
    }

    #[test]
    fn an_authorization_header_s_credential_goes_whatever_its_scheme() {
        // Only `Bearer`, `Basic`, `Token`, `Digest`, `Negotiate` and SigV4 took the word
        // after them: after any other scheme the credential itself was kept, and Rails'
        // `Token token="…"` kept its quoted token.
        assert_redacted(&[
            (
                "Authorization: SSWS 00QCjAl4MlV-WPXM-0123456789abcdefABCDEF",
                "Authorization: [REDACTED]",
            ),
            (
                "Authorization: Bot MTk4NjIy.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs",
                "Authorization: [REDACTED]",
            ),
            (
                "authorization=ApiKey abcdef0123 next",
                "authorization=[REDACTED] next",
            ),
            (
                "HTTP_AUTHORIZATION=Key abcdef0123",
                "HTTP_AUTHORIZATION=[REDACTED]",
            ),
            (
                "Proxy-Authorization: Splunk 1234-5678",
                "Proxy-Authorization: [REDACTED]",
            ),
            (
                r#"Authorization: Token token="abc123def456", nonce="x""#,
                "Authorization: [REDACTED]",
            ),
            (
                r#"{"h":"Authorization: Token token="abc123def456""}"#,
                r#"{"h":"Authorization: [REDACTED]"}"#,
            ),
            (
                r#"sending Token token="abc123def456""#,
                "sending Token [REDACTED]",
            ),
            // A token68's `=` only pads its end: the next word is not a parameter's.
            (
                "Authorization: Basic dXNlcjpwYXNz== sent",
                "Authorization: [REDACTED] sent",
            ),
            // Not an `Authorization` header: a scheme it does not know takes no next word.
            (
                "password: hunter2 rejected",
                "password: [REDACTED] rejected",
            ),
            (
                "WWW-Authenticate: Bearer realm=\"api\"",
                "WWW-Authenticate: Bearer realm=\"api\"",
            ),
        ]);
    }

    #[test]
    fn serde_json_values_as_debug_writes_them_lose_their_lists_whole() {
        // A list after its type's name (`Array [`) lost only the name: every item was kept.
        assert_eq!(
            redact(r#"Object {"token": Array [String("a"), String("b")], "n": Null}"#),
            r#"Object {"token": "[REDACTED]", "n": Null}"#
        );
        let pretty = "Object {\n    \"pin\": Array [\n        Number(1234),\n    ],\n}";
        assert_eq!(redact(pretty), "Object {\n    \"pin\": \"[REMOVED]\",\n}");
        // Objects and strings were found before.
        assert_eq!(
            redact(r#"Object {"password": String("hunter2"), "k": Object {"cvv": String("737")}}"#),
            r#"Object {"password": "[REDACTED]", "k": Object {"cvv": "[REMOVED]"}}"#
        );
    }

    #[test]
    fn a_bare_value_ends_where_a_marker_starts() {
        // Fuzzer (composition sweep): a bare value ran into the marker that replaced what
        // followed its delimiter (`;` and track 2 data) — `None` became `None[REMOVED`.
        assert_redacted(&[
            (
                "Token\\u003dNone;4111111111111111=2101",
                "Token\\u003dNone[REMOVED]",
            ),
            (
                "password=None;4111111111111111=2101",
                "password=None[REMOVED]",
            ),
        ]);
    }

    #[test]
    fn a_flag_after_a_secret_s_name_stays() {
        // Each went `[REDACTED]`: one bit holds no secret, as `None` and `null` hide none.
        for text in [
            "password_set=true token: false",
            r#"{"password":true,"api_key":false}"#,
        ] {
            assert_redacted(&[(text, text)]);
        }
        // A word that only starts like one is a value.
        assert_redacted(&[("password=trueish", "password=[REDACTED]")]);
    }

    #[test]
    fn a_quoted_value_closes_at_no_quote_a_marker_follows() {
        // Composition sweep: the quotes the first pass wrote around a bare value's marker
        // closed, on the next pass, a value that had not closed on the first.
        assert_redacted(&[
            (r#"":cvv:":c[REDACTED]"#, r#"":cvv:":"[REMOVED]"[REDACTED]"#),
            // Escaped twice, as JSON inside a JSON string inside a JSON line writes them.
            (
                r#"\\\"pin:\\\":9[REMOVED]"#,
                r#"\\\"pin:\\\":\\\"[REMOVED]\\\"[REMOVED]"#,
            ),
        ]);
    }

    #[test]
    fn an_arrow_ending_a_start_tag_ends_the_tag() {
        // Fuzzer: the element's value (`'`) and the arrow's (`</cvv>`, its quotes around it)
        // were both replaced, so a second pass read `[REMOVED][REMOVED]'` as the element's.
        assert_redacted(&[
            ("<cvv =>'</cvv>'</cvv>", "<cvv =>[REMOVED]</cvv>'</cvv>"),
            ("<cvv a=>737</cvv>", "<cvv a=>[REMOVED]</cvv>"),
            // Outside a start tag the arrow separates, as Ruby and PHP write it.
            ("<b>x</b> cvv => 737", "<b>x</b> cvv => [REMOVED]"),
            (r#"{:cvv=>"737"}"#, r#"{:cvv=>"[REMOVED]"}"#),
            // Fuzzer: the tag's start was looked for back to the first pass's floor, and on
            // the next pass over the marker there: the arrow's `>` went for a value then.
            ("<secret:@\tcookie=>", "<secret:[REDACTED]\tcookie=>"),
        ]);
    }

    #[test]
    fn a_spring_field_error_s_rejected_value_goes() {
        // Spring's `FieldError` in text: the rejected value in its brackets (after the quoted
        // name, only the word `rejected` had been taken, the value left in clear).
        assert_redacted(&[
            (
                "Field error in object 'req' on field 'cvv': rejected value [737]; codes [Size]",
                "Field error in object 'req' on field 'cvv': rejected value [[REMOVED]]; codes [Size]",
            ),
            (
                "on field 'password': rejected value [hunter 2]; on field 'amount': rejected value [-5]",
                "on field 'password': rejected value [[REDACTED]]; on field 'amount': rejected value [-5]",
            ),
            // Nothing in the brackets, or no closing one before a marker: nothing replaced.
            (
                "on field 'cvv': rejected value [-a password=x9Q1",
                "on field 'cvv': rejected value [-a password=[REDACTED]",
            ),
            (
                "on field 'cvv': rejected value []; on field 'pin': rejected value [1]b]",
                "on field 'cvv': rejected value []; on field 'pin': rejected value [[REMOVED]]b]",
            ),
        ]);
    }

    #[test]
    fn wrapped_values_and_fat_arrows_are_redacted_whole() {
        for (text, want) in [
            // Rust's `Debug` of a struct whose fields are wrapped.
            (
                "Req { cvc: Some(\"123\"), password: Some(Secret(\"a)b\")), pin: Some(1) }",
                "Req { cvc: [REMOVED], password: [REDACTED], pin: [REMOVED] }",
            ),
            ("cvc=Some(123)&a=1", "cvc=[REMOVED]&a=1"),
            // Closed on a later line, as `{:#?}` writes it: all of it; not closed in reach:
            // its first line.
            ("cvv: Some(\"1\" x\n123)", "cvv: [REMOVED]"),
            ("cvv: Some(\"1\" x\n123", "cvv: [REMOVED]\n123"),
            ("password: Hunter(2 and more", "password: [REDACTED]"),
            // A byte string, as `bytes::Bytes` and Python write it (the `b` had been taken for
            // the value, the text left after it); JSON-escaped too.
            (
                "{'password': b'hunter2', 'cvv': b'737'} token: b\"abc123\"",
                "{'password': b'[REDACTED]', 'cvv': b'[REMOVED]'} token: b\"[REDACTED]\"",
            ),
            (
                "{\"m\":\"password: b\\\"hunter2\\\"\"}",
                "{\"m\":\"password: b\\\"[REDACTED]\\\"\"}",
            ),
            (
                "password: bob, pin: b",
                "password: [REDACTED], pin: [REMOVED]",
            ),
            // A wrapper named by its path, as code writes one (its name alone had been taken
            // for the value, the value left after it).
            (
                "password: Secret::new(\"hunter2\"), cvv: serde_json::Value::String(\"737\")",
                "password: [REDACTED], cvv: [REMOVED]",
            ),
            (
                "{\"cvv\": AttributeValue::S(\"737\")} pin=Pin::new(1234)",
                "{\"cvv\": \"[REMOVED]\"} pin=[REMOVED]",
            ),
            // A wrapper holding a marker goes whole all the same: it can close on text a
            // later finding changes (found by the fuzzer: left alone once, closed on a `}`
            // that PostgreSQL's values then took, it was redacted on a second pass).
            (
                "cvv=Some(\"[REDACTED]password=\"[REDACTED]\")",
                "cvv=[REMOVED]",
            ),
            ("cvv=pa(x [REMOVED]\nKey (api_key)=(y }}", "cvv=[REMOVED]"),
            // Ruby, PHP, Perl; Go and Make (each left the value in clear before, replacing
            // the `=`).
            (
                "{:password => \"x\", \"cvv\" => \"1\"} [pin] => 1234",
                "{:password => \"[REDACTED]\", \"cvv\" => \"[REMOVED]\"} [pin] => [REMOVED]",
            ),
            (
                "password := \"hunter2\"; TOKEN := abc",
                "password := \"[REDACTED]\"; TOKEN := [REDACTED]",
            ),
            (
                "a => b, brand: Some(\"visa\")",
                "a => b, brand: Some(\"visa\")",
            ),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn an_escaped_quote_after_a_bare_name_s_separator_closes_its_string() {
        // An API Gateway event logged as a JSON line's message: a base64 request id ends in
        // `=` after `…Pw`, read as `pw`'s name, and the member's closing quote and the next
        // member's name were taken for its value. Written plainly, the line was left.
        for text in [
            r#"{"m":"{\"requestId\":\"LV7fzho-PHcEJPw=\",\"routeKey\":\"x\"}"}"#,
            r#"{"requestId":"LV7fzho-PHcEJPw=","routeKey":"x"}"#,
        ] {
            assert_eq!(redact(text), text);
        }
        assert_redacted(&[(
            r#"{"m":"x pw=\"hunter2\" y"}"#,
            r#"{"m":"x pw=\"[REDACTED]\" y"}"#,
        )]);
    }
}
