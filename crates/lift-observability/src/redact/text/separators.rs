//! At a `=` or a `:` (or one percent-encoded, or escaped HTML-safe): a URL's secrets
//! ([`urls`](super::urls)), or the name before the separator read and judged
//! ([`names`](super::names)) and its value handed on ([`values`](super::values)) — with the
//! forms a name alone cannot tell: an ARN's fields ([`arns`]) and a source location (no
//! value), PostgreSQL's key details (`Key (cvv)=(737)`), lists of byte values, a payload's
//! base64, curl's user flag ([`commands`](super::commands)).

use super::arns;
use super::cards::digit_run_end;
use super::commands::{Commands, may_follow_user_flag, user_flag_password};
use super::echoes;
use super::multipart;
use super::names::{
    ESCAPED_QUOTES, bare_name_start, is_marker_at, is_name_byte, label, marker_for,
    needs_a_word_before, noted_label, pair_marker, percent_decoded, quoted_name,
    quoted_word_after_blank, without_backslashes,
};
use super::oauth;
use super::output::Output;
use super::prefixed_keys::{may_lead_token_value, token_value};
use super::sql;
use super::urls::{ESCAPED_SLASHES, is_url_user, url_secret};
use super::value_ends::{ends_value, opening_quote_len, quoted_value_end};
use super::values::{Name, REJECTED_VALUE, named_value, value_finding};
use super::wrappers::only_field_value;
use super::{Finding, REDACTED, REMOVED, Replacement, find_last, secret, trim_end};
use crate::redact::Redactor;
use crate::redact::card::MASK_CHAR;
use crate::redact::encoded;
use crate::redact::jwk;
use crate::redact::keys;
use crate::redact::webhooks;

/// At a `%`: a URL-encoded `=` or `:` (`%3D`, `%3A`) after a sensitive name — a form body
/// or a query string logged encoded (`password%3Dhunter2`, `card%5Bcvc%5D%3D737`,
/// `%22cvv%22%3A%22737%22`), or encoded twice (`cvv%253D737`: a URL carried in another's
/// query). The value runs to its encoded closing quote, or to the first byte that ends a
/// value, as it is or encoded as the separator is (`%26`, `%20`; `%2526`).
pub(super) fn encoded_separator(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    floor: usize,
) -> Option<Finding> {
    let (separator, width) = percent_decoded(bytes, at)?;
    if !matches!(separator, b'=' | b':') {
        return None;
    }
    // Quotes, spaces and delimiters are encoded as the separator is: once or twice.
    let quote: &[u8] = if width == 3 { b"%22" } else { b"%2522" };
    let before = &bytes[..at];
    let name = match before.strip_suffix(quote) {
        Some(inner) => {
            // A name is 64 bytes at most: its opening quote is looked for that far back.
            let window = inner.len().saturating_sub(64 + quote.len());
            let open = window + find_last(&inner[window..], quote)? + quote.len();
            let name = &inner[open..];
            if open < floor || !name.iter().all(|&b| is_name_byte(b)) {
                return None;
            }
            name
        }
        None => &before[bare_name_start(before, floor)..],
    };
    let fixed = marker_for(redactor, name)?;
    let mut start = at + width;
    while percent_decoded(bytes, start) == Some((b' ', width)) {
        start += width;
    }
    let (start, end) = if bytes[start..].starts_with(quote) {
        // Closed on its line; an encoded quote that does not close there (text cut short):
        // to the line's end.
        let open = start + quote.len();
        (open, quoted_value_end(bytes, open, quote))
    } else if matches!(bytes.get(start), Some(b'{' | b'[')) {
        // A bracket left unencoded after an encoded separator: not a value this text
        // encodes (a marker, `[REMOVED]`, is one); the names inside are judged.
        return None;
    } else {
        // An escape encoded more times than the separator is part of the value.
        let mut end = start;
        while end < bytes.len()
            && !ends_value(bytes[end])
            && !percent_decoded(bytes, end).is_some_and(|(b, w)| w <= width && ends_value(b))
        {
            end += 1;
        }
        if end > start && bytes[start..end].iter().all(u8::is_ascii_digit) {
            // The first group of a longer number: all of it (as after a plain separator).
            end = digit_run_end(bytes, end);
        }
        (start, end)
    };
    value_finding(redactor, bytes, start..end, fixed, None)
}

/// [`byte_list_value`] for a list right after the `:` at `colon`, or after it and a space —
/// or in lambda_http's `Binary(…)` there (a request's body as `Debug` writes it).
#[cold]
fn byte_list_after(
    redactor: &Redactor,
    bytes: &[u8],
    colon: usize,
    quote: Option<&'static str>,
) -> Option<Finding> {
    let mut open = colon + 1 + usize::from(bytes.get(colon + 1) == Some(&b' '));
    if bytes[open..].starts_with(BINARY) {
        open += BINARY.len() - 1;
    }
    if bytes.get(open) != Some(&b'[') {
        return None;
    }
    byte_list_value(redactor, bytes, open, quote)
}

/// lambda_http's binary body as `Debug` writes it, up to its list's `[`.
const BINARY: &[u8] = b"Binary([";

/// A list of byte values at `open` (`[123, 34, …]`, as `Debug` and JSON write a `Vec<u8>`)
/// whose text holds a finding ([`encoded`]): all of it `[REDACTED]`, quoted by `quote` (the
/// name's quote, after a quoted name in JSON).
#[cold]
pub(super) fn byte_list_value(
    redactor: &Redactor,
    bytes: &[u8],
    open: usize,
    quote: Option<&'static str>,
) -> Option<Finding> {
    let end = encoded::byte_list_end(redactor, bytes, open)?;
    Some(Finding {
        start: open,
        end,
        replacement: match quote {
            Some(quote) => Replacement::Quoted(REDACTED, quote),
            None => Replacement::Fixed(REDACTED),
        },
    })
}

/// At a `=` or `:`: a URL's user-info, or the value of a sensitive name. Before
/// `out.name_floor` stands text a replacement wrote over; before `out.copied`, that and the
/// cards masked since.
pub(super) fn separator(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    out: &Output<'_>,
    lines: &mut Lines,
) -> Option<Finding> {
    separator_ending_at(redactor, bytes, at, at, out, lines)
}

/// [`separator`] for a separator that starts at `at` and whose last byte is at `last` (the
/// `d` of an escaped `\u003d`).
#[inline(always)]
pub(super) fn separator_ending_at(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    last: usize,
    out: &Output<'_>,
    lines: &mut Lines,
) -> Option<Finding> {
    let (floor, written) = (out.name_floor, out.copied);
    let Lines {
        unclosed_brackets: unclosed,
        commands,
        arn_prefix_end,
        question_marks,
    } = lines;
    if bytes[at] == b':' {
        // An ARN's prefix (`arn:aws:lambda:us-east-1:123456789012:`): fields, no names.
        if at < *arn_prefix_end {
            return None;
        }
        if at >= 3
            && bytes[at - 1] == b'n'
            && let Some(end) = arns::prefix_end(redactor, bytes, at, floor)
        {
            *arn_prefix_end = end;
            return None;
        }
        let slashes = match bytes.get(at + 1) {
            Some(b'/') if bytes.get(at + 2) == Some(&b'/') => 2,
            // Slashes escaped, as PHP's `json_encode` writes them (`https:\/\/…`).
            Some(b'\\') if bytes[at + 1..].starts_with(ESCAPED_SLASHES) => ESCAPED_SLASHES.len(),
            // A path's `::` (Rust's `auth::token::refresh`, C++, a PostgreSQL cast
            // `password::text`, an IAM ARN's empty region) separates no value from its name.
            Some(b':') => return None,
            _ => 0,
        };
        if slashes > 0 {
            return url_secret(bytes, at, 1 + slashes, redactor.counts());
        }
    }
    // A provider's token as the value (`"Value":"ghp_…"`): its body, whatever the name — or
    // whatever stands where a name would (`"no name"=ghp_…`) — unless a sensitive name's
    // rule takes the whole value.
    let token = || {
        may_lead_token_value(bytes, last + 1)
            .then(|| token_value(bytes, last, redactor.counts()))
            .flatten()
    };
    // The name: bare, or quoted (`"cvv":`, `'cvv':`, MySQL's `` `cvv` = ``), spaces allowed
    // before the separator.
    let before = trim_end(&bytes[..at]);
    let (name, quoted_name, quote) = match before.last() {
        Some(&q @ (b'"' | b'\'' | b'`')) => {
            // A quoted name is a name too (letters, digits, `_-.` and spaces): never a
            // stretch of text back to some earlier quote.
            let inner = &before[..before.len() - 1];
            let Some(open) = inner.iter().rposition(|&b| b == q) else {
                return token();
            };
            // In JSON-escaped text the quotes are `\"` (`\\\"` escaped twice, JSON inside a
            // JSON string inside a JSON line): the backslashes are not part of it.
            let name = without_backslashes(&inner[open + 1..]);
            if !quoted_name(&inner[..open], name)
                && !(quoted_word_after_blank(&inner[..open], name)
                    && (bytes[at] == b'=' || quoted_or_number_after(bytes, last)))
            {
                return token();
            }
            // The value's quotes are escaped as the name's least escaped quote is: a name
            // opened by a plain quote and closed by an escaped one (`"cvv:\":…`) gets its
            // value in plain quotes — in escaped ones, they would close a value a second
            // pass reads after the earlier `cvv:`.
            let closing = inner.len() - open - 1 - name.len();
            let opening = open - without_backslashes(&inner[..open]).len();
            let quote = ESCAPED_QUOTES.get(closing.min(opening)).copied().flatten();
            (name, q == b'"', quote.filter(|_| q == b'"'))
        }
        Some(b')') if bytes[at] == b'=' && bytes.get(at + 1) == Some(&b'(') => {
            return column_values(redactor, bytes, before, at, floor);
        }
        Some(b')') => {
            // A label with a note in parentheses before its separator (`CVV (3 digits):
            // 737`); otherwise no name stands there.
            if let Some((label, fixed)) = noted_label(redactor, before, floor) {
                let name = Name {
                    text: label,
                    quoted: false,
                    quote: None,
                    adjacent: None,
                };
                return named_value(redactor, bytes, last, floor, name, fixed, unclosed);
            }
            (&before[before.len()..], false, None)
        }
        _ => (&before[bare_name_start(before, floor)..], false, None),
    };
    // A name ending in a masked card number's last digits (`token2-621619******7044:`): the
    // pass that masked it took its fields after it too, when it had any (`:\t12/28\t737`), so
    // this separator stood inside that finding; and any other pass before judged the name
    // with its digits and left a marker for a value.
    if !quoted_name && name.last().is_some_and(u8::is_ascii_digit) && ends_in_masked_card(name) {
        return None;
    }
    let Some(fixed) = marker_for(redactor, name) else {
        let start = before.len() - name.len();
        // A label whose last word says something only with the word before it (`Security
        // Code: 737`, `cvv data: …`) is judged first: the value is the label's, not what that
        // word alone reads it as (a payload's base64, a pair's value) — which, replaced,
        // would leave a second pass the label to judge.
        if start > 0
            && !quoted_name
            && before[start - 1] == b' '
            && needs_a_word_before(name)
            && let Some((label, fixed)) = label(redactor, before, start, floor)
        {
            let name = Name {
                text: label,
                quoted: false,
                quote: None,
                adjacent: (before.len() == at).then(|| at - label.len()),
            };
            return named_value(redactor, bytes, last, floor, name, fixed, unclosed);
        }
        // Setting the 0x20 bit lowers a letter's case and makes no other byte a letter.
        let last_letter = name.last().map(|&b| b | 0x20);
        // A list of byte values under a name that says nothing (`body: [123, 34, …]`,
        // `"data":[123,34,…]`, lambda_http's `body: Binary([…])`): read as the text it holds
        // — unless it is a pair's value that its name member names (`"field":"pin",
        // "rejectedValue": Binary([…])`), judged below as the pair's: the text it held, once
        // replaced, is no list, and a second pass judged the pair.
        if bytes[at] == b':'
            && let Some(rest) = bytes.get(at + 1..at + 3)
            && (rest[0] == b'[' || rest == b" [" || rest == b" B")
            && !(last_letter == Some(b'e')
                && pair_marker(redactor, bytes, name, written.max(floor)).is_some())
            && let Some(found) = byte_list_after(redactor, bytes, at, quote.filter(|_| quoted_name))
        {
            return Some(found);
        }
        // An event's body or a record's data in base64 (`"body":"Y2FyZF9…"`, `body:
        // Some("…")`): read as the text it encodes, whatever that starts with. (`body`,
        // `data` and `payload` end in `y`, `a` or `d`.)
        if matches!(last_letter, Some(b'y' | b'a' | b'd'))
            && keys::is_payload_key(name)
            && let Some(found) = encoded_payload(redactor, bytes, last)
        {
            return Some(found);
        }
        // A form's field in a multipart body (`Content-Disposition: form-data; name="cvv"`):
        // its value after the part's headers. (`name` ends in `e` too.)
        if last_letter == Some(b'e')
            && bytes[at] == b'='
            && !quoted_name
            && name.eq_ignore_ascii_case(b"name")
            && let Some(found) = multipart::part_value(redactor, bytes, start, at, floor)
        {
            return Some(found);
        }
        // An OAuth authorization code, a query's or a form's `code` (`?code=…&state=…`).
        if last_letter == Some(b'e')
            && name.len() == 4
            && bytes[at] == b'='
            && !quoted_name
            && let Some(found) =
                oauth::authorization_code(bytes, start, at, floor, redactor.counts())
        {
            return Some(found);
        }
        // MySQL's error for a value its column cannot hold (`Incorrect integer value: '1234'
        // for column 'pin'`): the column named after the value.
        if last_letter == Some(b'e')
            && bytes[at] == b':'
            && !quoted_name
            && name.eq_ignore_ascii_case(b"value")
            && let Some(found) = echoes::incorrect_value(redactor, bytes, at)
        {
            return Some(found);
        }
        // A pair's value key (`value`, `ParameterValue`) ends in `e`. Its name member is
        // looked for no further back than a card masked before it, as a second pass reads
        // back no further than the mask: both passes find the pair, or neither, and the
        // checks below look only where no pair was found.
        if last_letter == Some(b'e')
            && let Some(fixed) = pair_marker(redactor, bytes, name, written.max(floor))
        {
            let name = Name {
                text: name,
                quoted: quoted_name,
                quote,
                adjacent: (before.len() == at).then(|| at - name.len()),
            };
            return named_value(redactor, bytes, last, floor, name, fixed, unclosed);
        }
        // A JSON Web Key's private member (`"d":"…"`, `'k': '…'`): its quoted value, when it
        // reads as key material.
        if name.len() <= 2
            && matches!(before.last(), Some(b'"' | b'\''))
            && jwk::is_private_member(name)
            && key_material_after(bytes, last, name)
        {
            let name = Name {
                text: name,
                quoted: quoted_name,
                quote,
                adjacent: (before.len() == at).then(|| at - name.len()),
            };
            return named_value(redactor, bytes, last, floor, name, REDACTED, unclosed);
        }
        if let Some(found) = token() {
            return Some(found);
        }
        if start == 0 || quoted_name {
            return None;
        }
        if bytes[at] == b':'
            && name == b"path"
            && let Some((start, end)) = webhooks::debug_path_secret(bytes, floor, at)
        {
            return Some(secret(start, end, redactor.counts()));
        }
        // A struct's only field (`Secret { inner: "…" }`, over lines too): a `{` and a
        // blank, or an indentation's blanks, before the name.
        if bytes[at] == b':'
            && before.len() == at
            && start >= 2
            && (bytes[start - 2] == b'{' || bytes[start - 2] == b' ' && bytes[start - 1] == b' ')
            && let Some(found) = only_field_value(redactor, bytes, start, at, floor)
        {
            return Some(found);
        }
        if bytes[at] == b':'
            && before.len() == at
            && may_follow_user_flag(&before[..start])
            && let Some(found) =
                user_flag_password(bytes, out, start, at, commands, redactor.counts())
        {
            return Some(found);
        }
        return None;
    };
    if bytes[at] == b':'
        && !quoted_name
        && before.len() == at
        && is_url_user(bytes, at - name.len(), at, written)
    {
        // A URL's user named like a secret (GitHub's `https://x-access-token:<token>@…`):
        // its value is the URL's password, found at the scheme's `:` ([`url_secret`]) and
        // ending at the `@` — not a value running on over the host and path.
        return None;
    }
    // A SQL placeholder (`"password" = $1`) whose value Diesel lists after the statement:
    // that value.
    if bytes[at] == b'='
        && let Some(found) =
            sql::bound_after(bytes, last + 1, fixed, question_marks, redactor.counts())
    {
        return found;
    }
    let name = Name {
        text: name,
        quoted: quoted_name,
        quote,
        adjacent: (before.len() == at).then(|| at - name.len()),
    };
    named_value(redactor, bytes, last, floor, name, fixed, unclosed)
}

/// Whether `name` ends in a masked card number's last digits: digits after a `*`.
#[cold]
fn ends_in_masked_card(name: &[u8]) -> bool {
    let digits = name.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && name.len() > digits && name[name.len() - digits - 1] == MASK_CHAR as u8
}

/// Whether a quoted value after the separator at `last` (and perhaps blanks, and `Debug`'s
/// `String(` of a `serde_json::Value`, as `josekit`'s `Jwk` prints its map) reads as a JSON
/// Web Key's key material ([`jwk::is_key_material`]) up to its closing quote.
#[cold]
fn key_material_after(bytes: &[u8], last: usize, member: &[u8]) -> bool {
    let after = &bytes[last + 1..];
    let blanks = after.iter().take_while(|&&b| b == b' ').count();
    let quoted = &after[blanks..];
    let quoted = quoted.strip_prefix(b"String(").unwrap_or(quoted);
    let inner = &quoted[opening_quote_len(quoted)..];
    let len = inner.iter().take_while(|&&b| jwk::is_base64url(b)).count();
    inner.len() < quoted.len()
        && matches!(inner.get(len), Some(b'"' | b'\\' | b'\''))
        && jwk::is_key_material(jwk::is_symmetric_member(member), &inner[..len])
}

/// What the separators' look-backs learnt of a string so far, so that none reads the same
/// bytes again and again.
#[derive(Debug, Default)]
pub(super) struct Lines {
    /// Sensitive bracketed values found with no closing bracket.
    unclosed_brackets: usize,
    /// Where a line names curl or wget.
    commands: Commands,
    /// Where the last ARN's prefix found ends ([`arns::prefix_end`]): its colons before.
    arn_prefix_end: usize,
    /// The SQL placeholders counted along a line so far ([`sql::bound_after`]).
    question_marks: sql::QuestionMarks,
}

/// Whether a quoted value or a number follows the separator whose last byte is at `last`
/// (blanks between): `"737"`, `'737'`, `\"737\"`, `737` — or Spring's `rejected value […]`
/// (its `FieldError` in text: `on field 'cvv': rejected value [737]`).
fn quoted_or_number_after(bytes: &[u8], last: usize) -> bool {
    let from = last + 1;
    let start = from
        + bytes.get(from..).map_or(0, |rest| {
            rest.iter()
                .take_while(|&&b| b == b' ' || b == b'\t')
                .count()
        });
    match bytes.get(start..) {
        Some([b'"' | b'\'', ..] | [b'\\', b'"', ..]) => true,
        Some(rest @ [b'r', ..]) => rest.starts_with(REJECTED_VALUE),
        Some([d, ..]) => d.is_ascii_digit(),
        _ => false,
    }
}

/// How far back a key's column list is looked for (PostgreSQL's `Key (a, b)=`).
const COLUMNS_REACH: usize = 256;

/// At the `=` of PostgreSQL's detail of a key, `Key (api_key)=(sk_live_…) already exists.`
/// (`tokio-postgres` writes it after the error's message), or of a key over several
/// columns, `Key (email, password)=(a@b.c, hunter2)`: when one of the columns is a
/// sensitive name, all the values in the parentheses — a value may hold a comma, so which
/// part belongs to which column cannot be told. `before` is the text before the `=`, its
/// last byte the names' `)`.
#[cold]
fn column_values(
    redactor: &Redactor,
    bytes: &[u8],
    before: &[u8],
    at: usize,
    floor: usize,
) -> Option<Finding> {
    let close = before.len() - 1;
    // A key's columns are a few names: looked for close by, not back to the text's start.
    let from = close.saturating_sub(COLUMNS_REACH).max(floor).min(close);
    let open = from + before[from..close].iter().rposition(|&b| b == b'(')?;
    let mut fixed = None;
    for name in before[open + 1..close].split(|&b| b == b',') {
        let name = trim_end(&name[name.iter().take_while(|&&b| b == b' ').count()..]);
        if !name.iter().all(|&b| is_name_byte(b)) {
            return None;
        }
        match marker_for(redactor, name) {
            Some(REMOVED) => fixed = Some(REMOVED),
            Some(marker) if fixed.is_none() => fixed = Some(marker),
            _ => {}
        }
    }
    let fixed = fixed?;
    // The values end at the `)` that closes them, on their line (or at its end, or at a
    // marker a pass before wrote).
    let mut depth = 0usize;
    let mut end = at + 1;
    while end < bytes.len() && !matches!(bytes[end], b'\n' | b'\r') {
        match bytes[end] {
            b'[' if is_marker_at(&bytes[end..]) => break,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        end += 1;
    }
    value_finding(redactor, bytes, at + 2..end, fixed, None)
}

/// The value after the separator at `sep` under a payload's name ([`keys::is_payload_key`]),
/// quoted or not, in `Some(…)` as `Debug` writes an `Option`: when it is a run of base64
/// whose text holds a finding ([`Redactor::encoded_payload_end`]), all of the run `[REDACTED]`.
/// (JSON, `eyJ…`, is left to the JWT anchor, which reads it wherever it stands.)
#[cold]
fn encoded_payload(redactor: &Redactor, bytes: &[u8], sep: usize) -> Option<Finding> {
    let mut start = sep + 1;
    start += usize::from(bytes.get(start) == Some(&b' '));
    if bytes[start..].starts_with(b"Some(") {
        start += b"Some(".len();
    }
    start += opening_quote_len(&bytes[start..]);
    let len = redactor.encoded_payload_end(&bytes[start..])?;
    Some(Finding {
        start,
        end: start + len,
        replacement: Replacement::Fixed(REDACTED),
    })
}

#[cfg(test)]
mod tests {
    use crate::redact::text::test_support::{assert_redacted, redact, redacted_once_for_all};

    #[test]
    fn names_stay_and_values_go() {
        assert_eq!(
            redact("Authorization: Bearer eyJabc.def"),
            "Authorization: [REDACTED]"
        );
        assert_eq!(
            redact("cvv=123&cvc=456&pin=1234"),
            "cvv=[REMOVED]&cvc=[REMOVED]&pin=[REMOVED]"
        );
        assert_eq!(
            redact(r#"{"cvv":737,"x":1}"#),
            r#"{"cvv":"[REMOVED]","x":1}"#
        );
        assert_eq!(
            redact(r#"{"secret":{"password":"b"},"x":1}"#),
            r#"{"secret":"[REDACTED]","x":1}"#
        );
        assert_eq!(redact("'password': 'hunter2'"), "'password': '[REDACTED]'");
        assert_eq!(
            redact(r#"{"msg":"body {\"cvv\":\"737\"}"}"#),
            r#"{"msg":"body {\"cvv\":\"[REMOVED]\"}"}"#
        );
        assert_eq!(redact("Cookie: a=1; b=2\nnext"), "Cookie: [REDACTED]\nnext");
        assert_eq!(redact("status: 200 key=value"), "status: 200 key=value");
    }

    #[test]
    fn a_name_between_a_plain_and_an_escaped_quote_gets_its_value_in_plain_quotes() {
        // Found by the fuzzer: the first pass took `"cvv:\"` for a quoted name and wrote its
        // value in escaped quotes, which closed a value a second pass read after `cvv:`.
        for text in [r#""cvv:\":c[REDACTED]"#, r#""cvv:\":737"#, r#"\"cvv":737"#] {
            let once = redact(text);
            assert_eq!(redact(&once), once, "{text}");
            assert!(!once.contains("737"), "{text} -> {once}");
        }
        // Quotes escaped alike, once or not at all, still enclose a name.
        assert_redacted(&[
            (r#"{\"cvv\":737}"#, r#"{\"cvv\":\"[REMOVED]\"}"#),
            (r#"{"cvv":737}"#, r#"{"cvv":"[REMOVED]"}"#),
        ]);
    }

    #[test]
    fn a_label_is_judged_before_what_its_last_word_alone_reads_the_value_as() {
        // Fuzzer (seed 7503): `data` alone read the value as a payload's base64 and replaced
        // the run whose text held `"cvv":`; a second pass found no base64 there and judged
        // the label `cvv data`, removing the whole value.
        let base64 = "C66+qyJjdnYiOi15"; // decodes to bytes holding `"cvv":`
        assert_redacted(&[
            (&format!("cvv data:Some({base64})"), "cvv data:[REMOVED]"),
            (&format!("cvv data: {base64} ok"), "cvv data: [REMOVED] ok"),
            // A label that says nothing leaves the payload's reading as it was.
            (
                &format!("event data: Some({base64})"),
                "event data: Some([REDACTED])",
            ),
        ]);
    }

    #[test]
    fn a_url_s_debug_is_read_back_no_further_than_a_first_pass_replaced() {
        // Fuzzer: the second `path:` found the host on the second pass only, past the marker.
        let once = redact(r#"host: Some(Domain("hooks.slack.com"path: "/s/=[path: "/r/-"#);
        assert_eq!(
            once,
            r#"host: Some(Domain("hooks.slack.com"path: "/s/[REDACTED][path: "/r/-"#
        );
        assert_eq!(redact(&once), once);
        let once = redact(
            r#"host: Some(Domain("hooks.slack.com")), port: 4111111111111111, path: "/s/T/x""#,
        );
        assert_eq!(redact(&once), once);
    }

    #[test]
    fn an_arns_resource_type_is_no_name() {
        // A Secrets Manager ARN names a secret; its `secret:` is the resource type.
        for arn in [
            "fetching arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
            "\"arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:stripe\"",
            "arn:aws:secretsmanager:eu-west-1:411111******1111:secret:x",
        ] {
            assert_eq!(redact(arn), arn);
        }
        // Not an ARN's prefix: another word, too few fields, a value after a space, a
        // secret's name elsewhere in the resource.
        for (text, want) in [
            (
                "xarn:aws:sm:r:1:secret:x",
                "xarn:aws:sm:r:1:secret:[REDACTED]",
            ),
            ("arn:aws:sm:r:secret:x", "arn:aws:sm:r:secret:[REDACTED]"),
            ("arn:aws:sm:r:1:secret: x", "arn:aws:sm:r:1:secret: x"),
            (
                "arn:aws:sm:r:1:key/a password:x",
                "arn:aws:sm:r:1:key/a password:[REDACTED]",
            ),
            // A key id replaced in the prefix: a second pass sees a marker there.
            (
                "arn:aws:sm:AKIAIOSFODNN7EXAMPLE:1:secret:x",
                "arn:aws:sm:[REDACTED]:1:secret:[REDACTED]",
            ),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn bytes_written_as_their_values_are_read_as_the_text_they_hold() {
        // A `Vec<u8>` as `Debug` and JSON write it: the card and the code in it were kept.
        let list = |text: &str, sep: &str| {
            let values: Vec<String> = text.bytes().map(|b| b.to_string()).collect();
            format!("[{}]", values.join(sep))
        };
        let body = r#"{"cvv":"737","card":"4111111111111111"}"#;
        for (text, expected) in [
            (
                format!(
                    "Record {{ data: Base64Data({}), key: \"k\" }}",
                    list(body, ", ")
                ),
                "Record { data: Base64Data([REDACTED]), key: \"k\" }".to_owned(),
            ),
            (
                format!("Request {{ body: {}, method: POST }}", list(body, ", ")),
                "Request { body: [REDACTED], method: POST }".to_owned(),
            ),
            (
                format!(
                    "Request {{ method: POST, body: Binary({}) }}",
                    list(body, ", ")
                ),
                "Request { method: POST, body: Binary([REDACTED]) }".to_owned(),
            ),
            (
                format!("{{\"data\":{},\"n\":1}}", list(body, ",")),
                r#"{"data":"[REDACTED]","n":1}"#.to_owned(),
            ),
            (
                format!("Req {{\n    body: {},\n}}", list("pin=1234", ",\n        ")),
                "Req {\n    body: [REDACTED],\n}".to_owned(),
            ),
            // A pair's value its name member names: the pair's verdict, on the first pass as
            // on the second (the bytes' text replaced was read as the pair's value then: a
            // composition sweep, seed 347).
            (
                format!(
                    "\"field\":\"pin\",\"rejectedValue\": Binary({}) }}",
                    list("password=hunter2", ", ")
                ),
                "\"field\":\"pin\",\"rejectedValue\": \"[REMOVED]\" }".to_owned(),
            ),
            // Bytes that hold nothing, numbers that are no bytes: kept.
            (
                format!("body: {}", list("hello, world", ", ")),
                format!("body: {}", list("hello, world", ", ")),
            ),
            (
                "scores: [1, 2, 3, 400] ids=[10, 20, 30, 40]".to_owned(),
                "scores: [1, 2, 3, 400] ids=[10, 20, 30, 40]".to_owned(),
            ),
        ] {
            assert_eq!(redact(&text), expected, "{text}");
            assert_eq!(redact(&expected), expected);
        }
    }

    #[test]
    fn a_payload_in_base64_is_read_as_the_text_it_encodes_whatever_it_starts_with() {
        // A function URL's or an ALB's form post arrives encoded (`isBase64Encoded`); logged
        // with its event, the card, the code and the password in it were kept: only JSON
        // (`eyJ…`) was decoded.
        use base64::Engine as _;
        let encode = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
        let form = encode("card_number=4111111111111111&cvc=737&exp_month=12");
        let text = encode("pin 1234 ok; password=hunter2x9Q");
        let array = encode(r#"[{"cvv":"737"}]"#);
        let url_safe = form.replace('+', "-").replace('/', "_");
        let unpadded = url_safe.trim_end_matches('=');
        let cases = [
            (
                format!(r#"{{"body":"{form}","isBase64Encoded":true}}"#),
                r#"{"body":"[REDACTED]","isBase64Encoded":true}"#.to_owned(),
            ),
            (
                format!(r#"{{"Records":[{{"kinesis":{{"data":"{array}"}}}}]}}"#),
                r#"{"Records":[{"kinesis":{"data":"[REDACTED]"}}]}"#.to_owned(),
            ),
            // As `Debug` writes an event, in escaped JSON, after `=`, unquoted.
            (
                format!(
                    "ApiGatewayProxyRequest {{ body: Some(\"{form}\"), is_base64_encoded: true }}"
                ),
                "ApiGatewayProxyRequest { body: Some(\"[REDACTED]\"), is_base64_encoded: true }"
                    .to_owned(),
            ),
            (
                format!(r#"{{\"Body\": \"{text}\"}}"#),
                r#"{\"Body\": \"[REDACTED]\"}"#.to_owned(),
            ),
            (
                format!("payload={unpadded}&next=1"),
                "payload=[REDACTED]&next=1".to_owned(),
            ),
            (format!("data: {form} ok"), "data: [REDACTED] ok".to_owned()),
        ];
        for (text, expected) in &cases {
            assert_eq!(redact(text), *expected, "{text}");
            assert_eq!(redact(expected), *expected);
        }
        // What holds nothing stays: a form without a card, an image, a word, other names.
        let plain = encode("amount=1250&currency=usd&description=Gift wrap");
        let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk";
        for text in [
            format!(r#"{{"body":"{plain}","isBase64Encoded":true}}"#),
            format!(r#"{{"data":"{png}"}}"#),
            r#"{"body":"Payment authorized for order 1234","data":"none"}"#.to_owned(),
            format!(r#"{{"note":"{form}"}}"#),
            format!("bodyguard={form}"),
        ] {
            assert_eq!(redact(&text), text);
        }
    }

    #[test]
    fn form_fields_and_url_encoded_text_are_redacted() {
        for (text, want) in [
            // Form fields as Stripe-style APIs and Rails or PHP forms nest them.
            (
                "card[number]=4242424242424242&card[cvc]=123&card[exp_month]=12",
                "card[number]=424242******4242&card[cvc]=[REMOVED]&card[exp_month]=12",
            ),
            (
                "payment_method[card][cvc]=1 user[password]: x",
                "payment_method[card][cvc]=[REMOVED] user[password]: [REDACTED]",
            ),
            // A part that is a key of its own only when whole (Amex's `cid`).
            ("card[cid]=1234", "card[cid]=[REMOVED]"),
            ("{\"card[cvc]\":\"123\"}", "{\"card[cvc]\":\"[REMOVED]\"}"),
            // URL-encoded: brackets, separators, quotes, delimiters, spaces.
            ("card%5Bcvc%5D=123&a=1", "card%5Bcvc%5D=[REMOVED]&a=1"),
            (
                "body=card%3D4111111111111111%26cvv%3D737%26password%3Dhunter2",
                "body=card%3D411111******1111%26cvv%3D[REMOVED]%26password%3D[REDACTED]",
            ),
            (
                "q=%7B%22cvv%22%3A%22737%22%2C%22pin%22%3A%20%221234%22%7D",
                "q=%7B%22cvv%22%3A%22[REMOVED]%22%2C%22pin%22%3A%20%22[REMOVED]%22%7D",
            ),
            (
                "q=pay%204111111111111111%20now",
                "q=pay%20411111******1111%20now",
            ),
            ("password%3dhunter2%20ok", "password%3d[REDACTED]%20ok"),
            // A form-encoded space between a card's groups.
            (
                "card_number=4111+1111+1111+1111&cvc=737",
                "card_number=4111+11**+****+1111&cvc=[REMOVED]",
            ),
            ("pin=4111+1111+1111+1111", "pin=[REMOVED]"),
            // A URL-encoded space between a card's groups; two cards in one run.
            (
                "q=pay%204111%201111%201111%201111%20now",
                "q=pay%204111%2011**%20****%201111%20now",
            ),
            (
                "c=4111%201111%201111%201111%205555%205555%205555%204444",
                "c=4111%2011**%20****%201111%205555%2055**%20****%204444",
            ),
            ("pin=4111%201111%201111%201111&a=1", "pin=[REMOVED]&a=1"),
            // A value that is a number's first group takes the number (found by the
            // fuzzer: the card the value began was never masked, its 12 digits left).
            ("cvv%3D%2042%2042866268519018", "cvv%3D%20[REMOVED]"),
            // The card in the groups after a removed value is masked on the first pass.
            (
                "cvv%3D%20426860-510 43111+00000006",
                "cvv%3D%20[REMOVED] 43111+0***0006",
            ),
            ("cvv%3D4242 866268519018&a", "cvv%3D[REMOVED]&a"),
            ("q=25%2012%2030%20USD", "q=25%2012%2030%20USD"),
            // Encoded twice: a URL inside another URL's query.
            (
                "r%3Dhttps%253A%252F%252Fs%252Fp%253Fcard%253D4111111111111111%2526cvv%253D737",
                "r%3Dhttps%253A%252F%252Fs%252Fp%253Fcard%253D411111******1111%2526cvv%253D[REMOVED]",
            ),
            (
                "%2522cvv%2522%253A%2522737%2522 password%253Dhunter2%2526a%253D1",
                "%2522cvv%2522%253A%2522[REMOVED]%2522 password%253D[REDACTED]%2526a%253D1",
            ),
            ("q=pay%25204111111111111111", "q=pay%2520411111******1111"),
            // Encoded once, a value's `%2526` is its own (a `%26` it holds), not its end.
            (
                "password%3Dab%2526cd%26x%3D1",
                "password%3D[REDACTED]%26x%3D1",
            ),
            // The first name of an encoded URL's query follows an encoded `?`.
            (
                "u=https%3A%2F%2Fs%2Fp%3Fpassword%3Dab%26cvv%3D1",
                "u=https%3A%2F%2Fs%2Fp%3Fpassword%3D[REDACTED]%26cvv%3D[REMOVED]",
            ),
            (
                "u%253Fcvv%253D737 u%3Fcard%5Bcvc%5D%3D1",
                "u%253Fcvv%253D[REMOVED] u%3Fcard%5Bcvc%5D%3D[REMOVED]",
            ),
            // A form field's name encoded twice.
            (
                "r%3D%252Fp%253Fcard%255Bcvc%255D%253D737%2526card%255Bnumber%255D%253D1",
                "r%3D%252Fp%253Fcard%255Bcvc%255D%253D[REMOVED]%2526card%255Bnumber%255D%253D1",
            ),
            // Benign: other escapes, other names, a percentage.
            (
                "a%3Db%26limit%3D10 50%25 20%3A00",
                "a%3Db%26limit%3D10 50%25 20%3A00",
            ),
            (
                "filter[status]=active&page[size]=20",
                "filter[status]=active&page[size]=20",
            ),
            // Not a bracketed part: `]` alone, an empty part, a marker.
            ("x]=1 []=2 [REMOVED]=3", "x]=1 []=2 [REMOVED]=3"),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn a_name_ending_in_a_masked_card_is_no_name() {
        // Composition sweep: the card's fields after it went with the card on the first pass
        // (the `:` inside that finding); on the next, `token2-621619******7044` read as a
        // token's name and the expiry as its value.
        assert_redacted(&[(
            "token2-6216191724107044:\t12/28\t7391",
            "token2-621619******7044:\t12/28\t[REMOVED]",
        )]);
    }

    #[test]
    fn a_paths_double_colon_and_a_source_location_separate_no_value() {
        for text in [
            // Each lost what followed the name before (`lift::auth:[REDACTED] boom`).
            "panicked at lift::auth::token::refresh: boom",
            "invalid type: map, expected struct payments::secret::Config",
            "SELECT password::text FROM users",
            "at password::hash (src/auth.rs:12)",
            // A source location: a file and its line.
            "panicked at src/auth.rs:12:5: boom, then token.py:40 and secret.go:7",
        ] {
            assert_eq!(redact(text), text);
        }
        // A name's own `:` after a path still separates; so does a file's name before a
        // value that is no line number.
        assert_eq!(
            redact("auth::token: abc password: x secret.rs: y"),
            "auth::token: [REDACTED] password: [REDACTED] secret.rs: [REDACTED]"
        );
    }

    #[test]
    fn postgres_key_details_lose_the_values_of_sensitive_columns() {
        for (text, want) in [
            // Each was left in clear before.
            (
                "duplicate key value violates unique constraint \"users_api_key_key\"\nDETAIL: Key (api_key)=(sk_abc123) already exists.",
                "duplicate key value violates unique constraint \"users_api_key_key\"\nDETAIL: Key (api_key)=([REDACTED]) already exists.",
            ),
            (
                "Key (email, password)=(a@b.c, hunter2, x) already exists.",
                "Key (email, password)=([REDACTED]) already exists.",
            ),
            (
                "Key (cvv, token)=(737, t) x",
                "Key (cvv, token)=([REMOVED]) x",
            ),
            // Not closed on its line: to the line's end.
            ("Key (pin)=(1234\nnext)", "Key (pin)=([REMOVED]\nnext)"),
            // Columns that hold nothing sensitive, expressions, and a marker stay.
            (
                "Key (email)=(a@b.c) already exists.",
                "Key (email)=(a@b.c) already exists.",
            ),
            (
                "Key (lower(password::text))=(x)",
                "Key (lower(password::text))=(x)",
            ),
            ("Key (secret)=([REDACTED])", "Key (secret)=([REDACTED])"),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn form_fields_and_encoded_values_among_other_findings_are_redacted_once_for_all() {
        let pieces = [
            "card[",
            "cvc",
            "]",
            "=737",
            "%5B",
            "%5D",
            "%3D",
            "%22",
            "%26",
            "%20",
            "Some(\"",
            "\")",
            " => ",
            "4111111111111111",
        ];
        redacted_once_for_all(&pieces, 2028, " card[cvc]=737 ", "cvc]=737");
    }

    #[test]
    fn arns_among_other_findings_are_redacted_once_for_all() {
        let pieces = [
            "arn",
            ":",
            "aws",
            "sm",
            "secret",
            "r",
            "1",
            "AKIAIOSFODNN7EXAMPLE",
            ";",
            "=",
            "4111111111111111",
            "2512101",
            "?",
            "x",
        ];
        let arn = " arn:aws:sm:r:1:secret:x ";
        redacted_once_for_all(&pieces, 2030, arn, "arn:aws:sm:r:1:secret:[REDACTED]");
    }

    #[test]
    fn a_quoted_name_after_a_line_break_or_a_tab_escaped_is_a_name() {
        // A document pretty-printed with tabs (Go's `json.MarshalIndent(v, "", "\t")`) or no
        // indentation, logged as a JSON line's message: every pair was kept.
        assert_redacted(&[
            (
                r#"{"msg":"{\n\t\"password\": \"hunter2\",\n\t\"cvv\": \"737\"\n}"}"#,
                r#"{"msg":"{\n\t\"password\": \"[REDACTED]\",\n\t\"cvv\": \"[REMOVED]\"\n}"}"#,
            ),
            (
                r#"{"msg":"{\n\"pin\": \"1234\"}"}"#,
                r#"{"msg":"{\n\"pin\": \"[REMOVED]\"}"}"#,
            ),
            (
                r#"{"msg":"{\n\t\"cvv\": {\n\t\t\"S\": \"737\"\n\t}\n}"}"#,
                r#"{"msg":"{\n\t\"cvv\": \"[REMOVED]\"\n}"}"#,
            ),
        ]);
        // A word after a tab is a name only where a value follows, as after a space.
        let text = r#"{"msg":"note\t\"error\": required"}"#;
        assert_eq!(redact(text), text);
    }
}
