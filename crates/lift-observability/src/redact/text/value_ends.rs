//! Where a value ends: a quoted string on its line (escaped once or twice), a bracketed value
//! across lines within a bounded reach, a header's parameters, a `Debug` wrapper or struct.
//! Each is read no further than it must be, so a line of many values is read once.

use super::elements::MAX_UNCLOSED;
use super::names::is_marker_at;
use crate::redact::byte_class;

/// Where an unquoted value ends.
pub(super) fn ends_value(b: u8) -> bool {
    byte_class::is(b, byte_class::VALUE_END)
}

/// Where a bare value's first word starting at `start` ends: at a byte that ends a value, or
/// at a marker — where this pass had the text a replacement took (a delimiter first,
/// `None;4111…=…`), the next reads the marker (`None[REMOVED]`).
pub(super) fn bare_word_end(bytes: &[u8], start: usize) -> usize {
    (start..bytes.len())
        .find(|&k| ends_value(bytes[k]) || bytes[k] == b'[' && is_marker_at(&bytes[k..]))
        .unwrap_or(bytes.len())
}

/// Where a string whose text starts at `from` ends in JSON-escaped text, its quotes `\"`: at
/// the escaped quote that closes it (not one that the text's own escaping made part of it,
/// as `Debug` writes `\"` inside a string: `\\\"` once escaped again), or where the JSON
/// string holding it ends, or at the line's end.
pub(super) fn escaped_string_end(bytes: &[u8], from: usize) -> usize {
    // Read as decoded: `\x` is the character `x`; an unescaped `"` ends the JSON string.
    let mut i = from;
    let mut inner_escape = false;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\n' | b'\r' => return i,
            b'\\' => {
                match bytes.get(i + 1) {
                    Some(b'"') if !inner_escape => return i,
                    Some(b'\\') => inner_escape = !inner_escape,
                    _ => inner_escape = false,
                }
                i += 2;
            }
            _ => {
                inner_escape = false;
                i += 1;
            }
        }
    }
    bytes.len()
}

/// How far a bracketed value is looked at for the bracket that closes it.
const BRACKET_REACH: usize = 4096;

/// Where a value that opens with the bracket at `bytes[open]` ends — an object or a list
/// under a sensitive name (`"cvv":{"S":"737"}`, as DynamoDB writes an item), a wrapper
/// (`Some("737")`), a struct as `Debug` writes it (`Secret { inner: "x" }`): after the
/// bracket that closes it, brackets of every kind counted alike and quoted strings passed
/// over, across lines as `{:#?}` and pretty-printed JSON write them, within
/// [`BRACKET_REACH`] bytes. When none closes it there, or when the string already held
/// [`MAX_UNCLOSED`] such values (`unclosed` counts them: text made of them would otherwise
/// cost time growing with the square of its length), it ends with its first line.
///
/// Its inner names are never judged one by one: a name that says nothing would keep its
/// value in clear (`"S":"737"`), and a second pass could judge again what the first left.
/// Text already redacted to a marker (`[REMOVED]`) closes at once.
pub(super) fn bracketed_end(bytes: &[u8], open: usize, unclosed: &mut usize) -> usize {
    // The first line's end only where it is needed: found eagerly, a long line of many
    // bracketed values would be read to its end once per value.
    let reach = if *unclosed < MAX_UNCLOSED {
        bytes.len().min(open + BRACKET_REACH)
    } else {
        line_end(bytes, open)
    };
    let mut depth = 0usize;
    let mut i = open;
    while i < reach {
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            b'\\' => i += 1,
            q @ (b'"' | b'\'') if opens_string(&bytes[open..i]) => {
                match string_end_on_line(&bytes[i + 1..reach], q) {
                    Some(close) => i += 1 + close,
                    None => break,
                }
            }
            _ => {}
        }
        i += 1;
    }
    *unclosed += 1;
    line_end(bytes, open)
}

/// Whether a quote after `before` opens a string: the byte before it (white space passed
/// over) starts a member or an element (`{`, `[`, `:`, `,`, `=`, `(`) — elsewhere it is an
/// apostrophe (`don't`).
fn opens_string(before: &[u8]) -> bool {
    matches!(
        before
            .iter()
            .rev()
            .find(|&&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r')),
        Some(b'{' | b'[' | b':' | b',' | b'=' | b'(')
    )
}

/// The offset of the quote `q` that closes a string starting at `bytes[0]`, on its line (a
/// backslash escapes the next byte).
pub(super) fn string_end_on_line(bytes: &[u8], q: u8) -> Option<usize> {
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            // A backslash escapes the byte after it — but a line's end ends the line, as
            // [`line_end`] has it (a shell's continued line).
            b'\\' if matches!(bytes.get(i + 1), Some(b'\n' | b'\r')) => return None,
            b'\\' => i += 2,
            b'\n' | b'\r' => return None,
            b if b == q => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Where a value of parameters starting at `start` ends (a cookie's `a=1; b="2"`, Digest's
/// `username="bob", response="…"`, SigV4's `Credential=…, Signature=…`): at the line's end,
/// at a quote that closes the string holding them (before its backslash in JSON-escaped
/// text, so that the escape stays whole), or at a marker a pass before wrote — a line of
/// many such names is not read to its end once per name. A parameter's own quoted value
/// (`="…"`, or `=\"…\"` in JSON-escaped text) is passed over; one that does not close on
/// the line (a line cut short) runs to its end.
pub(super) fn parameters_end(bytes: &[u8], start: usize) -> usize {
    let mut k = start;
    while k < bytes.len() {
        match bytes[k] {
            b'\n' | b'\r' => return k,
            b'[' if is_marker_at(&bytes[k..]) => return k,
            b'"' => {
                // Its backslashes (JSON-escaped text, once or more) go with it.
                let run = backslashes_before(bytes, start, k);
                let escaped = run > 0;
                let quote_start = k - run;
                if quote_start == start || bytes[quote_start - 1] != b'=' {
                    return quote_start;
                }
                let quote = &bytes[quote_start..=k];
                let mut close = k + 1;
                while close < bytes.len() && !bytes[close..].starts_with(quote) {
                    if matches!(bytes[close], b'\n' | b'\r')
                        || bytes[close] == b'[' && is_marker_at(&bytes[close..])
                    {
                        break;
                    }
                    close += 1;
                }
                if !bytes[close..].starts_with(quote) {
                    // A line cut short: the value runs to its end (or to a marker) — in
                    // JSON-escaped text, to the quote closing the string (none of the line's
                    // is escaped).
                    return match bytes[k + 1..close].iter().position(|&b| b == b'"') {
                        Some(q) if escaped => k + 1 + q,
                        _ => close,
                    };
                }
                k = close + quote.len();
            }
            _ => k += 1,
        }
    }
    k
}

/// Where a quoted value opening at `open` ends: at its closing `quote` on its line, or at
/// the line's end when the quote does not close there (a line cut short). An escaped quote
/// (`\"`, `\\\"`) closes only where the backslashes before its `"` are as many as its own
/// once the escapes of the levels inside are set aside: each level doubles a backslash and
/// adds one (`\\\"` inside a value written in `\"`s is a quote of the value's own). A quote
/// of a level outside the value's — a raw `"` after JSON-escaped text, or after an encoded
/// quote (`%22`), which URL-encoded text holds none of — ends the string the value stands
/// in: a value that does not close ends there, not at the line's end
/// (`{"msg":"body {\"cvv\": \"737"}` stays a JSON line) — unless a marker follows that
/// quote, which a pass before may have written there.
pub(super) fn quoted_value_end(bytes: &[u8], open: usize, quote: &[u8]) -> usize {
    // The backslashes of an escaped quote (an encoded one, `%22`, is matched as it is).
    let escapes = if quote.last() == Some(&b'"') {
        quote.len() - 1
    } else {
        0
    };
    let encoded = quote.first() == Some(&b'%');
    // Read no further than the closing quote: a line of many values is read once.
    let mut i = open;
    while i < bytes.len() && !matches!(bytes[i], b'\n' | b'\r') {
        if escapes == 0 {
            if bytes[i..].starts_with(quote) {
                return i;
            }
            if encoded && bytes[i] == b'"' && !is_marker_at(&bytes[i + 1..]) {
                return i - backslashes_before(bytes, open, i);
            }
        } else if bytes[i] == b'"' {
            let run = backslashes_before(bytes, open, i);
            if run % (2 * escapes + 2) == escapes {
                return i - escapes;
            }
            // Levels outside: a quote of level `j` has `2^j - 1` backslashes of its own. Not
            // one before a marker: a pass may have written it around the marker.
            let mut outer = 1;
            while outer - 1 < escapes && !is_marker_at(&bytes[i + 1..]) {
                if run % (2 * outer) == outer - 1 {
                    return i - (outer - 1);
                }
                outer *= 2;
            }
        }
        i += 1;
    }
    i
}

/// How many backslashes stand right before `at`, no further back than `from`.
pub(super) fn backslashes_before(bytes: &[u8], from: usize, at: usize) -> usize {
    bytes[from..at]
        .iter()
        .rev()
        .take_while(|&&b| b == b'\\')
        .count()
}

/// How long the quote `bytes` starts with is: `"` or `'`, or an escaped `"`
/// ([`escaped_quote_len`]); 0 when it starts with none.
pub(super) fn opening_quote_len(bytes: &[u8]) -> usize {
    match bytes.first() {
        Some(b'"' | b'\'') => 1,
        _ => escaped_quote_len(bytes),
    }
}

/// How long the escaped quote `bytes` starts with is — an odd number of backslashes, then
/// `"` (`\"`, or `\\\"` escaped twice) — or 0 when it starts with none.
pub(super) fn escaped_quote_len(bytes: &[u8]) -> usize {
    let backslashes = bytes.iter().take_while(|&&b| b == b'\\').count();
    if backslashes % 2 == 1 && bytes.get(backslashes) == Some(&b'"') {
        backslashes + 1
    } else {
        0
    }
}

/// Where the line holding `bytes[from]` ends (its `\n` or `\r`, or the text's end).
pub(super) fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| matches!(b, b'\n' | b'\r'))
        .map_or(bytes.len(), |k| from + k)
}

/// Where a value that opens as `Wrapper(` or `path::Wrapper(` (`word`, starting at `start`)
/// or is a struct as `Debug` writes it (`Secret { inner: "x" }`, `word` its name) — or a list
/// after a name, as `serde_json::Value`'s `Debug` writes one (`Array [String("a")]`) — ends:
/// see [`bracketed_end`]. `None` when `word` opens none of them.
pub(super) fn wrapped_value_end(
    bytes: &[u8],
    start: usize,
    word: &[u8],
    unclosed: &mut usize,
) -> Option<usize> {
    let is_ident =
        |w: &[u8]| !w.is_empty() && w.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_');
    // A wrapper's name may be a path (`Secret::new(`, `AttributeValue::S(`): names between
    // `::`s.
    let is_path = |w: &[u8]| {
        w.split(|&b| b == b':').enumerate().all(|(k, part)| {
            if k % 2 == 0 {
                is_ident(part)
            } else {
                part.is_empty()
            }
        })
    };
    if let Some(open) = word.iter().position(|&b| b == b'(') {
        return is_path(&word[..open]).then(|| bracketed_end(bytes, start + open, unclosed));
    }
    let after = start + word.len();
    (word.first().is_some_and(u8::is_ascii_uppercase)
        && is_ident(word)
        && (bytes[after..].starts_with(b" {") || bytes[after..].starts_with(b" [")))
    .then(|| bracketed_end(bytes, after + 1, unclosed))
}

#[cfg(test)]
mod tests {
    use crate::redact::text::test_support::{assert_redacted, redact};

    #[test]
    fn a_quoted_value_ends_with_its_line_even_after_a_backslash() {
        // Fuzzer: the backslash carried the string over the line's end to a quote after a
        // marker, so the first pass left the value (it held the marker) and the second,
        // reading to the line's end, replaced it.
        // (The escaped quote's value ends at the raw quote after it now, empty: the end of
        // the string it stands in.)
        let once = redact("Authorization:\"\\\n[REDACTED]cvv[c]=\\\"\"");
        assert_eq!(once, "Authorization:\"[REDACTED]\n[REDACTED]cvv[c]=\\\"\"");
        assert_eq!(redact(&once), once);
    }

    #[test]
    fn json_inside_a_json_string_keeps_its_escapes_and_closes_where_it_does() {
        // Each a JSON line: it must stay one. A bare value under an escaped name got its
        // quotes unescaped (`\"cvv\": "[REMOVED]"`: the line no longer parsed); JSON escaped
        // twice (`json.dumps(event)` logged as a message: an API Gateway event's `body` is a
        // JSON string) was not read; an escaped value closed at a quote of its own.
        for (text, expected) in [
            (
                r#"{"m":"{\"cvv\": 737, \"pin\":[1,2]}"}"#,
                r#"{"m":"{\"cvv\": \"[REMOVED]\", \"pin\":\"[REMOVED]\"}"}"#,
            ),
            (
                r#"{"m":"{\"body\":\"{\\\"cvv\\\":\\\"737\\\",\\\"password\\\":\\\"hunter2\\\"}\"}"}"#,
                r#"{"m":"{\"body\":\"{\\\"cvv\\\":\\\"[REMOVED]\\\",\\\"password\\\":\\\"[REDACTED]\\\"}\"}"}"#,
            ),
            (
                r#"{"m":"{\"b\":\"{\\\"cvv\\\": 737}\"}"}"#,
                r#"{"m":"{\"b\":\"{\\\"cvv\\\": \\\"[REMOVED]\\\"}\"}"}"#,
            ),
            // A quote inside the value (escaped once more), a backslash at its end.
            (
                r#"{"m":"{\"token\":\"a \\\"q\\\" b\",\"x\":1}"}"#,
                r#"{"m":"{\"token\":\"[REDACTED]\",\"x\":1}"}"#,
            ),
            (
                r#"{"m":"{\"password\":\"ab\\\\\",\"user\":\"bob\"}"}"#,
                r#"{"m":"{\"password\":\"[REDACTED]\",\"user\":\"bob\"}"}"#,
            ),
        ] {
            assert_eq!(redact(text), expected, "{text}");
            assert_eq!(redact(expected), expected, "{expected}");
            let line: serde_json::Value = serde_json::from_str(&redact(text)).unwrap();
            assert!(line["m"].is_string(), "{line}");
        }
    }

    #[test]
    fn a_header_s_parameters_go_whole_their_quoted_values_too() {
        // Each kept the rest of its parameters after the first `,` or quote.
        assert_redacted(&[
            (
                r#"Authorization: Digest username="bob", nonce="dcd98b", response="6629fae4""#,
                "Authorization: [REDACTED]",
            ),
            (
                "Stripe-Signature: t=1492774577,v1=5257a869e7ecebeda32a,v0=6ffbb59b\nnext",
                "Stripe-Signature: [REDACTED]\nnext",
            ),
            (
                "X-Hub-Signature-256: sha256=abc123 sent",
                "X-Hub-Signature-256: [REDACTED]",
            ),
            (r#"Cookie: sid="a b"; theme=dark"#, "Cookie: [REDACTED]"),
            // A quoted value the line cut short runs to its end.
            (r#"Cookie: sid="abc"#, "Cookie: [REDACTED]"),
            // A quote that opens no parameter's value closes the string holding them.
            (
                r#"sent "Cookie: a=1" ok"#,
                r#"sent "Cookie: [REDACTED]" ok"#,
            ),
            // JSON-escaped text (a raw line): the escapes stay whole, the string's quote
            // ends the value.
            (
                r#"{"h":"Authorization: Digest username=\"bob\", response=\"x\""}"#,
                r#"{"h":"Authorization: [REDACTED]"}"#,
            ),
            (
                r#"{"h":"Cookie: a=\"b\"; c=d","n":1}"#,
                r#"{"h":"Cookie: [REDACTED]","n":1}"#,
            ),
            (
                r#"{"h":"Cookie: a=\"cut"}"#,
                r#"{"h":"Cookie: [REDACTED]"}"#,
            ),
            (
                r#"{"h":"Cookie: a=1 \"q\"","n":1}"#,
                r#"{"h":"Cookie: [REDACTED]\"q\"","n":1}"#,
            ),
        ]);
        // Fuzzer: a quoted parameter the line cut short ran past a marker, so its value was
        // dropped (it held one) on the first pass and replaced on the second.
        let once = redact(r#"Authorization:AccountKey=="[REDACTED]"#);
        assert_eq!(once, r#"Authorization:[REDACTED][REDACTED]"#);
        assert_eq!(redact(&once), once);
    }

    #[test]
    fn a_long_line_of_many_values_is_read_once() {
        // Each of these, a megabyte on one line (Lift's entry cap), took seconds in a release
        // build: a quoted value's line end, an escaped one's, and a bracketed value's first
        // line's end were looked for once per value, to the end of the line.
        for (value, redacted) in [
            (
                r#"{"password":"hunter2"}, "#,
                r#"{"password":"[REDACTED]"}, "#,
            ),
            (
                r#"{\"password\":\"hunter2\"}, "#,
                r#"{\"password\":\"[REDACTED]\"}, "#,
            ),
            ("password=[hunter2] ", "password=[REDACTED] "),
        ] {
            let n = (1 << 20) / value.len();
            assert_eq!(redact(&value.repeat(n)), redacted.repeat(n));
        }
        // And names whose value runs to the line's end (a cookie, a key's columns left
        // open) before markers an earlier pass wrote: each read the line to its end.
        for value in [
            "Cookie: ;4111111111111111=[REMOVED]",
            "'>Key (api_key)=([REDACTED]",
            ")Key (api_key)=(]=",
        ] {
            let once = redact(&value.repeat((1 << 20) / value.len()));
            assert!(!once.contains("4111111111111111"));
            assert_eq!(redact(&once), once);
        }
    }

    #[test]
    fn a_quoted_value_that_does_not_close_on_its_line_runs_to_the_lines_end() {
        // A line cut short, an unbalanced quote: each value was left in clear before.
        for (text, want) in [
            ("password: \"hunter2", "password: \"[REDACTED]"),
            ("cvv='737\nnext", "cvv='[REMOVED]\nnext"),
            // A quote on a later line does not close it.
            ("cvv='737\nnext 'x'", "cvv='[REMOVED]\nnext 'x'"),
            ("q=%7B%22cvv%22%3A%22737", "q=%7B%22cvv%22%3A%22[REMOVED]"),
            ("{\\\"pin\\\":\\\"1234", "{\\\"pin\\\":\\\"[REMOVED]"),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn an_object_or_a_list_under_a_sensitive_name_goes_whole() {
        for (text, want) in [
            // DynamoDB's item JSON: the values sit under type names that say nothing (each
            // was left in clear before).
            (
                r#"{"NewImage":{"cvv":{"S":"737"},"pin":{"N":"1234"},"id":{"S":"a"}}}"#,
                r#"{"NewImage":{"cvv":"[REMOVED]","pin":"[REMOVED]","id":{"S":"a"}}}"#,
            ),
            (
                r#"{"password":["a","b"],"x":[1]}"#,
                r#"{"password":"[REDACTED]","x":[1]}"#,
            ),
            (
                "{'api_key': {'S': 'a]b'}, 'x': 1}",
                "{'api_key': [REDACTED], 'x': 1}",
            ),
            (
                "Req { secret: [\"a\", \"b\"], brand: None }",
                "Req { secret: [REDACTED], brand: None }",
            ),
            ("password = [1, [2]] ok", "password = [REDACTED] ok"),
            // Brackets inside strings close nothing; an apostrophe opens no string.
            (
                r#"{"token":{"a":"}]"},"x":1}"#,
                r#"{"token":"[REDACTED]","x":1}"#,
            ),
            (
                "password: {note: don't [x]} after",
                "password: [REDACTED] after",
            ),
            // Not closed on its line: up to the line's end.
            ("cvv: [737, \nnext", "cvv: [REMOVED]\nnext"),
            (
                "\"secret\": {\"a\": \"b\nc\"} tail",
                "\"secret\": \"[REDACTED]\"\nc\"} tail",
            ),
            // A marker is left alone; a marker inside one is not.
            (
                "password: [REDACTED] then [1]",
                "password: [REDACTED] then [1]",
            ),
            (
                r#"{"password":{"old":"[REDACTED]","new":"hunter2"}}"#,
                r#"{"password":"[REDACTED]"}"#,
            ),
            // A name that holds no secret keeps its object, judged inside.
            (
                r#"{"card":{"cvc":"737","brand":"visa"},"token_type":["bearer"]}"#,
                r#"{"card":{"cvc":"[REMOVED]","brand":"visa"},"token_type":["bearer"]}"#,
            ),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn pretty_printed_values_are_redacted_across_their_lines() {
        // `{:#?}`: each value below was left in clear on the lines after its name.
        let debug = "Card {\n    number: \"4111111111111111\",\n    pin: Some(\n        \"1234\",\n    ),\n    secrets: [\n        \"a\",\n    ],\n    token: Some(\n        Token {\n            value: \"tok\",\n        },\n    ),\n    password: Secret { inner: \"x\" },\n    brand: Visa,\n}";
        assert_eq!(
            redact(debug),
            "Card {\n    number: \"411111******1111\",\n    pin: [REMOVED],\n    secrets: [REDACTED],\n    token: [REDACTED],\n    password: [REDACTED],\n    brand: Visa,\n}"
        );
        // Pretty-printed JSON: a quoted name at a line's start is a name (each of these
        // values was left in clear).
        let json = "{\n  \"password\": \"hunter2\",\n  \"cvv\": {\n    \"S\": \"737\"\n  },\n  \"x\": 1\n}";
        assert_eq!(
            redact(json),
            "{\n  \"password\": \"[REDACTED]\",\n  \"cvv\": \"[REMOVED]\",\n  \"x\": 1\n}"
        );
        // A struct's name alone, or a capitalised word before a brace in prose, is taken
        // whole only under a sensitive name.
        assert_eq!(redact("brand: Visa { x }"), "brand: Visa { x }");
    }

    #[test]
    fn unclosed_brackets_are_looked_at_a_bounded_number_of_times() {
        // Each would look 4 KiB ahead: after 16, only their own line is looked at, so the
        // time stays linear in the text's length.
        let text = "password: [\n".repeat(200_000);
        let started = std::time::Instant::now();
        let once = redact(&text);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(once, "password: [REDACTED]\n".repeat(200_000));
    }

    #[test]
    fn a_wrapper_with_no_end_in_reach_ends_on_a_character_boundary() {
        // Panicked before (found by the fuzzer): its 4 KiB limit fell inside a character.
        for pad in 0..3 {
            let text = format!("cvv: Some({}{}", "x".repeat(pad), "é".repeat(3000));
            let once = redact(&text);
            assert!(once.starts_with("cvv: [REMOVED]"), "{pad}");
            assert_eq!(redact(&once), once);
        }
    }

    #[test]
    fn a_value_whose_quote_does_not_close_ends_where_its_string_does() {
        // A JSON line's message held an escaped or an encoded quote that did not close: the
        // value ran to the line's end and took the message's closing quote and brace — the
        // line was no JSON any more.
        assert_redacted(&[
            (
                r#"{"msg":"body {\"cvv\": \"7391"}"#,
                r#"{"msg":"body {\"cvv\": \"[REMOVED]"}"#,
            ),
            (
                r#"{"msg":"q=%7B%22password%22%3A%22hunter2x9Q","x":1}"#,
                r#"{"msg":"q=%7B%22password%22%3A%22[REDACTED]","x":1}"#,
            ),
            // Escaped twice, the string a level out ends it too.
            (
                r#"{"m":"{\"msg\":\"{\\\"pin\\\": \\\"1234\"}"}"#,
                r#"{"m":"{\"msg\":\"{\\\"pin\\\": \\\"[REMOVED]\"}"}"#,
            ),
        ]);
    }

    #[test]
    fn parameters_end_before_a_quote_and_all_its_backslashes() {
        // Escaped twice (a JSON line inside a JSON line's message), a parameter's quote has
        // three backslashes: the value took two of them, and the line was no JSON any more.
        let text = r#"{"message":"{\"msg\":\"Cookie: sid=\\\"s3ss10n\\\"; theme=dark\"}"}"#;
        let once = redact(text);
        assert_eq!(redact(&once), once);
        assert!(
            serde_json::from_str::<serde_json::Value>(&once).is_ok(),
            "{once}"
        );
        assert!(!once.contains("s3ss10n"), "{once}");
    }
}
