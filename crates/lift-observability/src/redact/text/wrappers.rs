//! Values as Rust's `Debug` writes them with no name before them: a newtype named for a
//! secret or sensitive data (`Password("hunter2")`, `ApiKey(Some("…"))`, JSON-escaped too),
//! the only field of a struct so named (`Secret { inner: "hunter2" }`), and a two-item tuple
//! whose first item names the second (`("x-api-key", "k")`, `std::env::vars()` collected).

use super::names::{bare_name_start, holds_marker, is_name_byte, marker_for};
use super::sql;
use super::value_ends::{opening_quote_len, string_end_on_line};
use super::values::value_finding;
use super::{
    Finding, REDACTED, REMOVED, find, is_word_byte, removed, secret, trim_end, trim_end_lines,
    trim_start_lines,
};
use crate::redact::{Redactor, keys};

/// The longest name of a wrapper's or a struct's type read.
const MAX_TYPE_NAME: usize = 64;

/// The longest text in a wrapper read: a longer one is no secret a wrapper holds.
const MAX_WRAPPED: usize = 4096;

/// A value in a wrapper named for a secret or sensitive data, as `Debug` writes a newtype
/// with no redacting `Debug` of its own — `Password("hunter2")`, `ApiKey(Some("k…"))`,
/// `PinBlock("…")`, and JSON-escaped (`Password(\"…\")`) — its quoted text, quotes and all,
/// `[REDACTED]` / `[REMOVED]`. `at`: the opening quote, right after the `(`. The name is a
/// type's (a capital letter first): a call in prose (`password("x")`) stays.
#[cold]
pub(super) fn wrapped_value(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    floor: usize,
) -> Option<Finding> {
    let open = at.checked_sub(1).filter(|&k| bytes[k] == b'(')?;
    let quote_len = opening_quote_len(&bytes[at..]);
    if quote_len == 0 || bytes[at] == b'\'' {
        return None;
    }
    // `ApiKey(Some("…"))`: the wrapper's name is before the `Some(`.
    let name_end = match bytes[..open].strip_suffix(b"Some") {
        Some(before) => before.len().checked_sub(1).filter(|&k| bytes[k] == b'(')?,
        None => open,
    };
    // A name in what this pass replaced is no name.
    if floor > name_end {
        return None;
    }
    let fixed = type_name_marker(redactor, bytes, name_end, floor)?;
    let end = closing_quote_end(bytes, at + quote_len, quote_len - 1)?;
    if bytes.get(end) != Some(&b')') {
        return None;
    }
    // Empty (nothing to hide: that it was empty is what a reader looks for), or holding what
    // a pass replaced — a wrapper inside, whose quotes kept this one from closing on the
    // first pass (`Password("Password("x")")`): left alone, so a second pass changes nothing.
    let text = &bytes[at + quote_len..end - quote_len];
    if text.is_empty() || holds_marker(text) {
        return None;
    }
    Some(if fixed == REMOVED {
        removed(at, end, redactor.counts())
    } else {
        secret(at, end, redactor.counts())
    })
}

/// The marker for the type whose name ends at `name_end` (a newtype's before its `(`, a
/// struct's before its ` {`), no further back than `floor` — a type's name: a capital letter
/// first, starting a word, judged as a key is; `None` for any other word or a name that says
/// nothing.
fn type_name_marker(
    redactor: &Redactor,
    bytes: &[u8],
    name_end: usize,
    floor: usize,
) -> Option<&'static str> {
    let reach = name_end.saturating_sub(MAX_TYPE_NAME).max(floor);
    let start = name_end
        - bytes[reach..name_end]
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
    if start == reach && reach > 0 && is_word_byte(bytes[reach - 1]) {
        return None;
    }
    let name = &bytes[start..name_end];
    if !name.first().is_some_and(u8::is_ascii_uppercase) {
        return None;
    }
    marker_for(redactor, name)
}

/// Where the quoted text from `from` ends, after its closing quote — a `"` after exactly
/// `backslashes` backslashes (none as `Debug` writes text, one escaped in JSON): a quote
/// inside has more before it (`\"`, `\\\"`); one with fewer ends the text around it, and
/// nothing is found. Read no further than [`MAX_WRAPPED`] bytes.
fn closing_quote_end(bytes: &[u8], from: usize, backslashes: usize) -> Option<usize> {
    let limit = bytes.len().min(from + MAX_WRAPPED);
    let mut k = from;
    while k < limit {
        let run = bytes[k..limit].iter().take_while(|&&b| b == b'\\').count();
        match bytes.get(k + run) {
            Some(b'"') if run == backslashes => return Some(k + run + 1),
            Some(b'"') if run < backslashes => return None,
            _ => k += run + 1,
        }
    }
    None
}

/// The longest first item of a tuple judged as a name.
const MAX_TUPLE_NAME: usize = 64;

/// A two-item tuple as Rust's `Debug` writes it — `("x-api-key", "k123")`, a
/// `Vec<(String, String)>` of headers, `std::env::vars()` collected (`("AWS_SESSION_TOKEN",
/// "…")`) — whose first item names the second: the second's text replaced. `at`: the quote
/// closing the first item, a comma right after it. JSON-escaped text (`(\"pin\", \"1\")`)
/// too; the second item may be bare (`("pin", 1234)`) or wrapped (`Some("…")`), and the tuple
/// must close right after it.
#[cold]
pub(super) fn tuple_value(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    floor: usize,
) -> Option<Finding> {
    // A quote as a block's last byte anchors whatever follows it.
    if bytes.get(at + 1) != Some(&b',') {
        return None;
    }
    let escaped = at > 0 && bytes[at - 1] == b'\\';
    let name_end = at - usize::from(escaped);
    let reach = name_end
        .saturating_sub(MAX_TUPLE_NAME + 1)
        .max(floor)
        .min(name_end);
    let open = reach + bytes[reach..name_end].iter().rposition(|&b| b == b'"')?;
    let name = &bytes[open + 1..name_end];
    // A name, or a path of names (an SSM parameter's `/prod/db/password`, `custom:pin`).
    if name.is_empty()
        || !name
            .iter()
            .all(|&b| is_name_byte(b) || b == b'/' || b == b':')
    {
        return None;
    }
    let before = match bytes[..open].strip_suffix(b"\\") {
        Some(before) if escaped => before,
        None if !escaped => &bytes[..open],
        _ => return None,
    };
    let before = trim_end(before);
    match before.last() {
        // A SQL statement's column list, its first name quoted (`INSERT INTO t ("email", …)
        // VALUES (…)`): the values of its secrets' columns.
        Some(b'(') if before.len() > floor => {
            if let Some(found) = sql::values_of_list(redactor, bytes, before.len() - 1) {
                return Some(found);
            }
        }
        Some(b'(' | b'[') => {}
        _ => return None,
    }
    let fixed = marker_for(redactor, name)?;
    let (start, end) = tuple_second_item(bytes, at + 2, escaped)?;
    if before.last() == Some(&b'[')
        && lists_names(
            redactor,
            &before[..before.len() - 1],
            floor,
            &bytes[start..end],
        )
    {
        return None;
    }
    // Not one holding a marker a pass before wrote: its quotes may close differently now.
    value_finding(redactor, bytes, start..end, fixed, None)
}

/// A two-item tuple in single quotes, as Python's `repr` writes one — a form's pairs
/// (`[('password', 'hunter2')]`, Flask's `ImmutableMultiDict([…])`, `parse_qsl`'s), a
/// dict's `items()` — found from the letter inside the first item that anchors a secret's
/// name in prose (`password`'s `w`, `secret`'s `r`, `api_key`'s `k`, `cvv`'s `v`: a `'`
/// anchors nothing). The second item — in single quotes, in double ones (Python's choice
/// for text holding a `'`), as bytes (`b'…'`) or digits — replaced, the tuple closing right
/// after it; nothing before `floor` is read.
#[inline(always)]
pub(super) fn single_quoted_tuple_value(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    floor: usize,
) -> Option<Finding> {
    if !in_secrets_word(bytes, at) {
        return None;
    }
    single_quoted_pair(redactor, bytes, at, floor)
}

/// Whether the letter at `at` stands where the letter detectors find a secret's or a card
/// code's word (`passw…`, `secret`, `credential…`, `key`, `token`, `cvv`, `cvc`): most
/// words these letters anchor are none, and are told so by a few bytes.
#[inline(always)]
fn in_secrets_word(bytes: &[u8], at: usize) -> bool {
    let word_at = |offset: usize, word: &[u8]| {
        offset <= at
            && bytes
                .get(at - offset..at - offset + word.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(word))
    };
    match bytes[at] | 0x20 {
        b'w' => word_at(4, b"passw"),
        b'r' => word_at(3, b"secret") || word_at(1, b"credential"),
        b'k' => word_at(0, b"key") || word_at(2, b"token"),
        b'v' => word_at(1, b"cvv") || word_at(1, b"cvc"),
        _ => false,
    }
}

/// [`single_quoted_tuple_value`] past its first look.
#[cold]
fn single_quoted_pair(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    floor: usize,
) -> Option<Finding> {
    // The name's end first: most words these letters stand in end otherwise than `',`.
    let mut end = at + 1;
    while end < bytes.len() && end - at <= MAX_TUPLE_NAME && is_name_byte(bytes[end]) {
        end += 1;
    }
    if !bytes[end..].starts_with(b"',") {
        return None;
    }
    let start = bare_name_start(&bytes[..end], floor);
    if start < floor + 2 || &bytes[start - 2..start] != b"('" {
        return None;
    }
    let fixed = marker_for(redactor, &bytes[start..end])?;
    let mut i = end + 2;
    while bytes.get(i) == Some(&b' ') {
        i += 1;
    }
    if bytes.get(i) == Some(&b'b') {
        i += 1;
    }
    // Where its text starts and ends, and where the item does.
    let (inner, close, after) = match *bytes.get(i)? {
        q @ (b'\'' | b'"') => {
            let close = i + 1 + string_end_on_line(&bytes[i + 1..], q)?;
            (i + 1, close, close + 1)
        }
        b'0'..=b'9' if bytes[i - 1] != b'b' => {
            let close = i + bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
            (i, close, close)
        }
        _ => return None,
    };
    (bytes.get(after) == Some(&b')')).then_some(())?;
    value_finding(redactor, bytes, inner..close, fixed, None)
}

/// Whether a two-item list is a member's list of names rather than a pair: the list is a
/// member's value (a `:` before its `[`) and its second item, too, names a secret — OAuth's
/// `"grant_types":["authorization_code","refresh_token"]`, Cognito's
/// `"ExplicitAuthFlows":["ALLOW_USER_SRP_AUTH","ALLOW_REFRESH_TOKEN_AUTH"]`. A tuple
/// (`("password", "secret")`) and a list standing alone or in a list are pairs whatever
/// their second item, as `std::env::vars()` collected and a form's pairs are; so is one whose
/// `:` lies before `floor` (a pass before may have replaced it).
fn lists_names(redactor: &Redactor, before_list: &[u8], floor: usize, second: &[u8]) -> bool {
    let before_list = trim_end(before_list);
    before_list.len() > floor
        && before_list.last() == Some(&b':')
        && !second.is_empty()
        && second.iter().all(|&b| is_name_byte(b))
        && marker_for(redactor, second).is_some()
}

/// Where the text of a tuple's second item starts and ends, the item starting after blanks
/// from `from`: quoted (as the first was: `escaped` for `\"`), perhaps in `Some(…)`, or bare;
/// `None` unless the tuple closes right after it, or when it is empty.
fn tuple_second_item(bytes: &[u8], from: usize, escaped: bool) -> Option<(usize, usize)> {
    let (start, end, mut after) = debug_item(bytes, from, escaped)?;
    while matches!(bytes.get(after), Some(b' ' | b'\t')) {
        after += 1;
    }
    // Not a SQL statement's column list: the items are columns' names.
    (start < end
        && matches!(bytes.get(after), Some(b')' | b']'))
        && !sql::is_column_list(bytes, after))
    .then_some((start, end))
}

/// An item as `Debug` writes it, after blanks from `from`: quoted (`escaped` for `\"`: JSON
/// holding it), perhaps in `Some(…)`, or bare (a number, `None`, an identifier) — where its
/// text starts and ends, and where the item does (after its closing quote and parenthesis).
/// `None` for a bare marker (`[REMOVED]`, a pass's own: it holds the bracket that would end
/// the item) or a quote that does not close.
fn debug_item(bytes: &[u8], from: usize, escaped: bool) -> Option<(usize, usize, usize)> {
    let mut i = from;
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    let wrapped = bytes[i.min(bytes.len())..].starts_with(b"Some(");
    if wrapped {
        i += 5;
    }
    let quote: &[u8] = if escaped { b"\\\"" } else { b"\"" };
    let (start, end, after) = if bytes[i.min(bytes.len())..].starts_with(quote) {
        let start = i + quote.len();
        // The closing quote: not one escaped inside the text (`\"`, as `Debug` writes it).
        let mut len = 0;
        loop {
            len += find(&bytes[start + len..], quote)?;
            if escaped || len == 0 || bytes[start + len - 1] != b'\\' {
                break;
            }
            len += 1;
        }
        (start, start + len, start + len + quote.len())
    } else {
        let rest = &bytes[i.min(bytes.len())..];
        if rest.starts_with(REMOVED.as_bytes()) || rest.starts_with(REDACTED.as_bytes()) {
            return None;
        }
        let len = rest
            .iter()
            .position(|&b| !is_name_byte(b))
            .unwrap_or(rest.len());
        (i, i + len, i + len)
    };
    let after = after + usize::from(wrapped && bytes.get(after) == Some(&b')'));
    Some((start, end, after))
}

/// The only field of a struct named for a secret or sensitive data, as `Debug` writes it
/// (`Secret { inner: "hunter2" }`, `ApiKey { key: Some("…") }`, `Pin { value: 1234 }`, and
/// over lines as `{:#?}` does) — a newtype whose field has a name: its text `[REDACTED]` /
/// `[REMOVED]`, whatever the field's name but one that describes it (`SigningKey { algorithm:
/// ECDSA }`, `ApiKey { id: "key_123" }`). `start`: the field's name, a `:` at `colon` right
/// after it; the type's name (a capital letter first, judged as a key is) and a `{` and blanks
/// or line breaks before it, the struct closing right after the value. A struct of more fields
/// is judged field by field, by their names.
#[cold]
pub(super) fn only_field_value(
    redactor: &Redactor,
    bytes: &[u8],
    start: usize,
    colon: usize,
    floor: usize,
) -> Option<Finding> {
    let opening = trim_end_lines(&bytes[floor.min(start)..start]);
    let brace = floor.min(start) + opening.len().checked_sub(1)?;
    if bytes[brace] != b'{' || brace == start - 1 || brace < floor + 2 || bytes[brace - 1] != b' ' {
        return None;
    }
    let fixed = type_name_marker(redactor, bytes, brace - 1, floor)?;
    if keys::names_a_description(&bytes[start..colon]) {
        // A field that describes it (`SigningKey { algorithm: ECDSA }`, `ApiKey { id: … }`).
        return None;
    }
    // In JSON-escaped text (`{\"msg\":\"Secret { inner: \\\"…\\\" }\"}`) the quotes are `\"`.
    let value = &bytes[colon + 1..];
    let value = &value[value
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count()..];
    let escaped = value
        .strip_prefix(b"Some(")
        .unwrap_or(value)
        .starts_with(b"\\\"");
    let (text_start, text_end, mut after) = debug_item(bytes, colon + 1, escaped)?;
    if bytes.get(after) == Some(&b',') {
        after += 1;
    }
    // The struct closes after it, perhaps over a line break (`{:#?}`; escaped in a JSON
    // line's message).
    if trim_start_lines(&bytes[after.min(bytes.len())..]).first() != Some(&b'}') {
        return None;
    }
    value_finding(redactor, bytes, text_start..text_end, fixed, None)
}

#[cfg(test)]
mod tests {
    use crate::redact::Redactor;
    use crate::redact::text::test_support::{assert_redacted, redact, redacted_once_for_all};
    use crate::redact::text::{Short, short_verdict};

    #[test]
    fn a_struct_s_only_field_goes_by_the_struct_s_name() {
        // Written in clear before: a newtype with a named field, as `#[derive(Debug)]` has it.
        assert_redacted(&[
            (
                r#"Secret { inner: "hunter2" }"#,
                r#"Secret { inner: "[REDACTED]" }"#,
            ),
            (
                r#"stripe: Some(ApiKey { key: "k_live_1234" })"#,
                r#"stripe: Some(ApiKey { key: "[REDACTED]" })"#,
            ),
            (
                r#"Token { value: Some("abc") }, ok"#,
                r#"Token { value: Some("[REDACTED]") }, ok"#,
            ),
            (r#"Pin { value: 1234 }"#, r#"Pin { value: [REMOVED] }"#),
            (
                "SigningKey {\n    bytes: \"c2VjcmV0\",\n}",
                "SigningKey {\n    bytes: \"[REDACTED]\",\n}",
            ),
            (
                r#"{"msg":"key Secret { inner: \"hunter2\" }"}"#,
                r#"{"msg":"key Secret { inner: \"[REDACTED]\" }"}"#,
            ),
            (
                r#"Secret { inner: "a\"b" }"#,
                r#"Secret { inner: "[REDACTED]" }"#,
            ),
        ]);
    }

    #[test]
    fn a_struct_s_only_field_that_describes_it_stays() {
        // Each went `[REDACTED]`: an algorithm, an id, a length hold no secret.
        for text in [
            "EcdsaSigningKey { algorithm: ECDSA }",
            r#"ApiKey { id: "key_123" }"#,
            "Password {\n    length: 12,\n}",
        ] {
            assert_redacted(&[(text, text)]);
        }
    }

    #[test]
    fn redacting_random_structs_twice_changes_nothing_more() {
        redacted_once_for_all(
            &[
                "Secret { ",
                "ApiKey {\n    ",
                "inner: ",
                "\"hunter2\"",
                "\\\"",
                " }",
                ",\n}",
                "Some(",
                ")",
                "1234",
                "{",
                " ",
                ":",
            ],
            38,
            "Secret { inner: \"hunter2\" }",
            "hunter2",
        );
    }

    #[test]
    fn structs_of_other_names_or_more_fields_are_judged_by_their_fields() {
        assert_redacted(&[
            (
                r#"Order { id: "ord_1" } User { name: "bob" }"#,
                r#"Order { id: "ord_1" } User { name: "bob" }"#,
            ),
            (
                r#"Credentials { provider_name: "Environment", expiry: None }"#,
                r#"Credentials { provider_name: "Environment", expiry: None }"#,
            ),
            (r#"secret { inner: "x" }"#, r#"secret { inner: "x" }"#),
            (r#"Secret{ inner: "x" }"#, r#"Secret{ inner: "x" }"#),
            (r#"Secret { inner: "" }"#, r#"Secret { inner: "" }"#),
            (
                r#"Secret { inner: [REDACTED] }"#,
                r#"Secret { inner: [REDACTED] }"#,
            ),
        ]);
    }

    #[test]
    fn a_python_pairs_second_item_goes_by_its_first() {
        use super::super::test_support::{assert_redacted, redacted_once_for_all};
        assert_redacted(&[
            (
                "ImmutableMultiDict([('username', 'alice'), ('password', 'hunter2')])",
                "ImmutableMultiDict([('username', 'alice'), ('password', '[REDACTED]')])",
            ),
            (
                "dict_items([('api_key', 'k123'), ('cvv', '737'), ('cvc', 123)])",
                "dict_items([('api_key', '[REDACTED]'), ('cvv', '[REMOVED]'), ('cvc', [REMOVED])])",
            ),
            // Text holding a `'` in double quotes; bytes; no blank after the comma.
            (
                r#"[('client_secret', "it's"), ('token', b'abc1'), ('passwd','x')]"#,
                r#"[('client_secret', "[REDACTED]"), ('token', b'[REDACTED]'), ('passwd','[REDACTED]')]"#,
            ),
            // Names that describe a secret or name none; three items; an item left open; a
            // name with no `(` before it.
            (
                "[('password_min_length', '12'), ('secret_arn', 'arn:x'), ('remember', 'on')]",
                "[('password_min_length', '12'), ('secret_arn', 'arn:x'), ('remember', 'on')]",
            ),
            (
                "('password', 'hunter2', 'extra')",
                "('password', 'hunter2', 'extra')",
            ),
            ("('password', 'hunter2", "('password', 'hunter2"),
            ("'password', 'hunter2')", "'password', 'hunter2')"),
            ("('token', b7)", "('token', b7)"),
        ]);
        redacted_once_for_all(
            &[
                "[('",
                "password",
                "cvv",
                "', '",
                "s3cr3tv4lue",
                "')",
                "'",
                ", ",
                "b'",
            ],
            1368,
            "('password', 's3cr3tv4lue')",
            "s3cr3tv4lue')",
        );
    }

    #[test]
    fn a_tuples_second_item_goes_by_its_first() {
        // `std::env::vars()` collected and printed with `{:?}` in a Lambda function: the
        // runtime's credentials were written in clear.
        assert_eq!(
            redact(
                r#"[("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG"), ("AWS_SESSION_TOKEN", "IQoJb3JpZ2lu"), ("AWS_REGION", "eu-west-1")]"#
            ),
            r#"[("AWS_SECRET_ACCESS_KEY", "[REDACTED]"), ("AWS_SESSION_TOKEN", "[REDACTED]"), ("AWS_REGION", "eu-west-1")]"#
        );
        assert_eq!(
            redact(r#"[("x-api-key", Some("k1")), ("cvv", 737), ("pin","1")]"#),
            r#"[("x-api-key", Some("[REDACTED]")), ("cvv", [REMOVED]), ("pin","[REMOVED]")]"#
        );
        assert_eq!(
            redact(r#"("password", "a\"b c")"#),
            r#"("password", "[REDACTED]")"#
        );
        assert_eq!(
            redact(r#"{"msg":"headers [(\"api_key\", \"k\")]"}"#),
            r#"{"msg":"headers [(\"api_key\", \"[REDACTED]\")]"}"#
        );
        assert_eq!(short_verdict(br#"("pin","1")"#), Short::Scan);
        // Fuzzer: a quote inside what a finding already covered (a cookie's value, to the
        // line's end) was looked at with the name floor past it — and the slice panicked.
        // (An escaped quote ends a cookie's value before its backslash.)
        assert_eq!(redact(r#"Cookie:/\","#), r#"Cookie:[REDACTED]\","#);
        assert_eq!(redact(r#"Cookie:[REDACTED]\","#), r#"Cookie:[REDACTED]\","#);
        // Fuzzer: an item holding a marker (`cvv:[REMOVED]`) closed the tuple only once the
        // first pass had replaced what its quotes held — replaced on a second pass only.
        let once = redact(r#"(\"pin\",\"cvv:{\"v]\"]"#);
        assert_eq!(once, r#"(\"pin\",\"cvv:[REMOVED]\"]"#);
        assert_eq!(redact(&once), once);
        // Fuzzer: a bare second item ran to the bracket of a marker after it
        // (`cvv=[REMOVED]`), redacted on a second pass only. A bare item is a word.
        assert_eq!(
            redact(r#"[("api_key",cvv==]"#),
            r#"[("api_key",cvv=[REMOVED]]"#
        );
        // Three items, a name saying nothing, no tuple, an empty value.
        for benign in [
            r#"("password", "x", "y")"#,
            r#"("region", "eu-west-1")"#,
            r#"said "password", "hunter2")"#,
            r#"("password", "")"#,
            r#"("pass word", "x")"#,
        ] {
            assert_eq!(redact(benign), benign);
        }
    }

    #[test]
    fn a_members_list_of_secrets_names_is_no_pair() {
        // OAuth's client metadata and Cognito's client as functions log them: the second
        // name was `[REDACTED]` as the first's value.
        for benign in [
            r#"{"grant_types":["authorization_code","refresh_token"]}"#,
            r#"{\"ExplicitAuthFlows\":[\"ALLOW_USER_SRP_AUTH\",\"ALLOW_REFRESH_TOKEN_AUTH\"]}"#,
            r#"Client { grant_types: ["password", "refresh_token"] }"#,
        ] {
            assert_eq!(redact(benign), benign);
        }
        // A value that names nothing, a tuple, a list alone or in a list: a pair.
        assert_redacted(&[
            (
                r#"{"pair":["password","hunter2"]}"#,
                r#"{"pair":["password","[REDACTED]"]}"#,
            ),
            (
                r#"{"env":[("PASSWORD", "secret")]}"#,
                r#"{"env":[("PASSWORD", "[REDACTED]")]}"#,
            ),
            (
                r#"["client_secret","refresh_token"]"#,
                r#"["client_secret","[REDACTED]"]"#,
            ),
            (
                r#"{"form":[["password","secret_password"]]}"#,
                r#"{"form":[["password","[REDACTED]"]]}"#,
            ),
            // Sweep: the `:` was the end of a value a finding replaced — a second pass saw
            // its marker's quote there and took the list for a pair.
            (
                r#""field":"pin","rejectedValue":ypes: ["password", "refresh_token"] }"#,
                r#""field":"pin","rejectedValue":"[REMOVED]" ["password", "[REDACTED]"] }"#,
            ),
        ]);
    }

    #[test]
    fn a_value_in_a_wrapper_named_for_a_secret_goes() {
        // A newtype with a derived `Debug` (no redacting one of its own), logged outside a
        // field named for it: its text was kept.
        assert_redacted(&[
            (
                r#"using Password("hunter2") now"#,
                "using Password([REDACTED]) now",
            ),
            (r#"ApiKey(Some("k3y\"quoted"))"#, "ApiKey(Some([REDACTED]))"),
            (
                r#"auth::ClientSecret("s3cr3t")"#,
                "auth::ClientSecret([REDACTED])",
            ),
            (r#"[PinBlock("0412AC89")]"#, "[PinBlock([REMOVED])]"),
            // Short strings are read too.
            (r#"Pin("1234")"#, "Pin([REMOVED])"),
            // JSON-escaped (a quote inside escaped twice), and escaped twice.
            (
                r#"{"msg":"got Password(\"hun\\\"ter\") ok"}"#,
                r#"{"msg":"got Password([REDACTED]) ok"}"#,
            ),
            // Quotes closing before the wrapper does, or a raw quote inside escaped text.
            (r#"Secret(\"a\" b\")"#, r#"Secret(\"a\" b\")"#),
            (r#"Secret(\"a" b)"#, r#"Secret(\"a" b)"#),
            (r#"Password(\\\"x\\\")"#, "Password([REDACTED])"),
            // A code the prose rule leaves (five digits) goes by the wrapper's name.
            (r#"Cvv("12345")"#, "Cvv([REMOVED])"),
            // Other names, calls in prose, escaped text, an unclosed or unquoted wrapper,
            // `Some(…)` on its own: kept.
            (
                r#"OrderId("ord_123") Some("x")"#,
                r#"OrderId("ord_123") Some("x")"#,
            ),
            (r#"password("x") called"#, r#"password("x") called"#),
            (r#"Password("x"#, r#"Password("x"#),
            (r#"Password("x" + y)"#, r#"Password("x" + y)"#),
        ]);
        // Fuzzer: a wrapper's `(` right after what a pass replaced (`cvv:` took the bytes
        // up to it) panicked, reading its name from before the replacement's end.
        assert_redacted(&[("cvv:\u{fffd}(\"v]\":", "cvv:[REMOVED]\"v]\":")]);
        // Fuzzer: a wrapper inside a wrapper's text (`Cvv("Cvv("")")`): the inner one's
        // quotes kept the outer from closing on the first pass, and once the inner text was
        // replaced the second pass closed it. A wrapper's text holding a marker is left, and
        // an empty one is nothing to hide.
        assert_redacted(&[
            (r#"Cvv("Cvv("")")"#, r#"Cvv("Cvv("")")"#),
            (r#"Password("")"#, r#"Password("")"#),
            (
                r#"Password("Password("x")")"#,
                r#"Password("Password([REDACTED])")"#,
            ),
            (
                r#"ApiKey(\"ApiKey(\"k\")\")"#,
                r#"ApiKey(\"ApiKey([REDACTED])\")"#,
            ),
        ]);
        let r = Redactor::new();
        let _ = r.redact(r#"Token("t0k3n") ApiKey("k")"#);
        assert_eq!(r.stats().secret_text, 2);
    }

    #[test]
    fn a_struct_s_only_field_over_escaped_line_breaks_goes() {
        // `{:#?}` in a JSON line's message: the line breaks are `\n` there.
        assert_redacted(&[(
            r#"{"msg":"Password {\n    key: \"hunter2x9Q\",\n}"}"#,
            r#"{"msg":"Password {\n    key: \"[REDACTED]\",\n}"}"#,
        )]);
        let text = r#"{"msg":"Config {\n    key: \"abc\",\n}"}"#;
        assert_eq!(redact(text), text);
    }
}
