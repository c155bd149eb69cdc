//! A field of a `multipart/form-data` body (RFC 7578) named for sensitive data or a secret:
//! a form posted to a function URL, an HTTP API or an ALB, logged with its event or its
//! request — raw, or as a JSON string escapes it (`\r\n`, `\"`). Each part names its field
//! in its header, `Content-Disposition: form-data; name="cvv"`, and holds the value after
//! the blank line that ends its headers, up to the line break before the next boundary:
//!
//! ```text
//! --boundary
//! Content-Disposition: form-data; name="cvv"
//!
//! 737
//! --boundary--
//! ```
//!
//! Found at the `=` of `name=` (a separator, whose name `name` ends in an `e`): the field's
//! name judged as a key is, the value `[REMOVED]` or `[REDACTED]`. A value with no boundary
//! after it within reach (a body cut short) goes to the text's end. Text a pass replaces or
//! masks between `name=` and the value (in the field's name, among the headers) shortens
//! what the next pass reads there: the value is then left on both passes alike
//! ([`Replacement::PartValue`]).

use super::names::{holds_marker, marker_for};
use super::yaml::break_width;
use super::{Finding, REDACTED, REMOVED, Replacement, find_last};
use crate::redact::Redactor;
use crate::redact::card::MASK_CHAR;

/// How far back from `name=` the part's `form-data` is looked for.
const DISPOSITION_REACH: usize = 64;

/// How far past the field's name the blank line that ends the part's headers is looked for
/// (a `Content-Type` and a `Content-Transfer-Encoding` fit).
const HEADERS_REACH: usize = 256;

/// At the `=` at `at` after `name` (its first byte at `name_start`), in a part's
/// `Content-Disposition` (`form-data;` before it on its line, no further back than `floor`):
/// the part's value when the field's name is a sensitive one.
#[cold]
pub(super) fn part_value(
    redactor: &Redactor,
    bytes: &[u8],
    name_start: usize,
    at: usize,
    floor: usize,
) -> Option<Finding> {
    if !in_disposition(bytes, name_start, floor) {
        return None;
    }
    // The field's name, quoted (`"cvv"`, `\"cvv\"`).
    let escaped = bytes.get(at + 1) == Some(&b'\\');
    let open = at + 1 + usize::from(escaped);
    if bytes.get(open) != Some(&b'"') {
        return None;
    }
    let field_start = open + 1;
    let field_len = bytes[field_start..]
        .iter()
        .take(DISPOSITION_REACH + 1)
        .position(|&b| matches!(b, b'"' | b'\\' | b'\r' | b'\n'))?;
    let close = field_start + field_len;
    let closing_quote_ok = if escaped {
        bytes[close..].starts_with(b"\\\"")
    } else {
        bytes[close] == b'"'
    };
    if !closing_quote_ok {
        return None;
    }
    let marker = marker_for(redactor, &bytes[field_start..close])?;
    let start = value_start(bytes, close)?;
    // What a pass wrote in the field's name or among the part's headers (a marker, a masked
    // card's `*`: `name="w pin:[REMOVED]"`, `X-Note: password=[REDACTED]`) makes them
    // shorter on the next pass than they were on this one, and may bring the name or the
    // blank line within reach: no value is taken across it — as this pass voids the value
    // when it replaces something there ([`Replacement::PartValue`]).
    let between = &bytes[at..start];
    if holds_marker(between) || between.contains(&(MASK_CHAR as u8)) {
        return None;
    }
    let end = value_end(bytes, start);
    // An empty value hides nothing: a marker put there would grow on each pass.
    if start == end {
        return None;
    }
    Some(Finding {
        start,
        end,
        replacement: Replacement::PartValue { marker, after: at },
    })
}

/// Whether `form-data;` and blanks stand before the parameter at `name_start` on its line
/// (other parameters may come between), no further back than `floor` nor than a marker:
/// what a pass replaced is read no further back than its end, on this pass (`floor`) and on
/// the next (the marker) alike — the text before it is shorter then, and `form-data` nearer.
fn in_disposition(bytes: &[u8], name_start: usize, floor: usize) -> bool {
    let from = name_start.saturating_sub(DISPOSITION_REACH).max(floor);
    let before = &bytes[from..name_start];
    let after_marker = [REMOVED, REDACTED]
        .iter()
        .filter_map(|m| find_last(before, m.as_bytes()).map(|p| p + m.len()))
        .max()
        .unwrap_or(0);
    let before = &before[after_marker..];
    let Some(semicolon) = before.iter().rposition(|&b| b == b';') else {
        return false;
    };
    if !before[semicolon + 1..].iter().all(|&b| b == b' ') {
        return false;
    }
    // The line's text before the `;`: after its last line break, raw or escaped.
    let line = &before[..semicolon];
    let raw = line.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let escaped = line
        .windows(2)
        .rposition(|w| w == b"\\n")
        .map_or(0, |p| p + 2);
    line[raw.max(escaped)..]
        .windows(FORM_DATA.len())
        .any(|w| w.eq_ignore_ascii_case(FORM_DATA))
}

/// The disposition of a form's field.
const FORM_DATA: &[u8] = b"form-data";

/// Where the part's value starts: after the blank line that ends its headers, looked for
/// from the field name's closing quote at `close` — two line breaks in a row, raw or escaped
/// as a JSON string writes them ([`break_width`]).
fn value_start(bytes: &[u8], close: usize) -> Option<usize> {
    let reach = bytes.len().min(close + HEADERS_REACH);
    (close..reach).find_map(|at| {
        let first = nonzero(break_width(bytes, at))?;
        let second = nonzero(break_width(bytes, at + first))?;
        Some(at + first + second)
    })
}

/// Where the part's value starting at `start` ends: at the line break before the next
/// boundary's `--`, or the text's end.
fn value_end(bytes: &[u8], start: usize) -> usize {
    (start..bytes.len())
        .find(|&at| {
            let width = break_width(bytes, at);
            width > 0 && bytes[at + width..].starts_with(b"--")
        })
        .unwrap_or(bytes.len())
}

/// `width` when a line break is there (not 0).
fn nonzero(width: usize) -> Option<usize> {
    (width > 0).then_some(width)
}

#[cfg(test)]
mod tests {
    use crate::redact::text::test_support::{assert_redacted, redact, redacted_once_for_all};

    #[test]
    fn a_value_named_by_several_names_is_judged_once_by_the_nearest() {
        // Five names before one value filled the held findings: the fifth was written at
        // once, passing over the code between (`Cvv=KD`), which a second pass then removed
        // (found by the fuzzer).
        assert_redacted(&[
            (
                "form-data;name=\\\"passwd\\\";name=\\\"passwd\\\";name=\\\"Bearer password\\\"form-data;name=\\\"password\\\";name=\\\"pass\\\"Cvv=KD\r\rS",
                "form-data;name=\\\"passwd\\\";name=\\\"passwd\\\";name=\\\"Bearer [REDACTED]\\\"form-data;name=\\\"password\\\";name=\\\"pass\\\"Cvv=[REMOVED]\r\rS",
            ),
            (
                "form-data; name=\"note\"; name=\"pw\"; name=\"pin\"; name=\"cvv\"; name=\"token\"\r\n\r\nk-123\r\n--X--",
                "form-data; name=\"note\"; name=\"pw\"; name=\"pin\"; name=\"cvv\"; name=\"token\"\r\n\r\n[REDACTED]\r\n--X--",
            ),
        ]);
    }

    #[test]
    fn a_sensitive_field_of_a_form_loses_its_value_raw_and_escaped() {
        // Written in clear before: a part's name is in its header, its value lines below.
        assert_redacted(&[
            (
                "--X\r\nContent-Disposition: form-data; name=\"cvv\"\r\n\r\n737\r\n--X--",
                "--X\r\nContent-Disposition: form-data; name=\"cvv\"\r\n\r\n[REMOVED]\r\n--X--",
            ),
            (
                "--X\nContent-Disposition: form-data; name=\"password\"\nContent-Type: text/plain\n\nhunter2 is it\n--X\nContent-Disposition: form-data; name=\"amount\"\n\n100\n--X--",
                "--X\nContent-Disposition: form-data; name=\"password\"\nContent-Type: text/plain\n\n[REDACTED]\n--X\nContent-Disposition: form-data; name=\"amount\"\n\n100\n--X--",
            ),
            // As a JSON string holds it: line breaks and quotes escaped.
            (
                r#"{"body":"--X\r\nContent-Disposition: form-data; name=\"card[cvc]\"\r\n\r\n123\r\n--X--"}"#,
                r#"{"body":"--X\r\nContent-Disposition: form-data; name=\"card[cvc]\"\r\n\r\n[REMOVED]\r\n--X--"}"#,
            ),
            // Cut short: to the end.
            (
                "Content-Disposition: form-data; name=\"api_key\"\r\n\r\nk-123",
                "Content-Disposition: form-data; name=\"api_key\"\r\n\r\n[REDACTED]",
            ),
            // Other fields, a `name=` outside a part's header, no blank line: kept.
            (
                "Content-Disposition: form-data; name=\"note\"\r\n\r\npin 12\r\n--X--",
                "Content-Disposition: form-data; name=\"note\"\r\n\r\npin 12\r\n--X--",
            ),
            (
                "cookie; name=\"cvv\"\r\n\r\n737",
                "cookie; name=\"cvv\"\r\n\r\n737",
            ),
            ("form-data; name=\"cvv\" 737", "form-data; name=\"cvv\" 737"),
        ]);
        // Text replaced before the field's name shortens the line a second pass reads: the
        // look-back stops at what was replaced on both passes (the second one removed the
        // code the first had kept, and a field's name shorter by its replaced part came
        // within reach).
        let long = "h".repeat(60);
        for text in [
            format!("form-data; x=\"pin:{long}\"; name=\"cvv\"\r\n\r\n737\r\n--b--"),
            format!("form-data;name=\"w pin:{long}s\"\n\r\0"),
            // The headers longer than the look-ahead until a header's value is replaced.
            format!(
                "form-data; name=\"cvv\"\r\nX-Note: password={}\r\n\r\n737\r\n--b--",
                long.repeat(5)
            ),
            // A value replaced between an earlier part's name and the blank line a later
            // part's name shares: the earlier part's value was taken on the first pass, not
            // on the second (a marker among its headers).
            "form-data; name=\"PIN \"name\":\"DB_PASSWORD\",\"value\":\"hunter2x\"x[form-data; \
             name=\"credentials]\"\r\n\r\nAb3dEf"
                .to_owned(),
            // An element named for a code inside the field's name, its closing tag in the
            // value: the element's value, replaced, took the blank line with it.
            "form-data;name=\"<cvv>\"\n\n</cvv>\n--</cvv>".to_owned(),
            // A card masked among the headers.
            "form-data; name=\"cvv\"\r\nX: 4111111111111111\r\n\r\n737".to_owned(),
        ] {
            let once = redact(&text);
            assert_redacted(&[(once.as_str(), once.as_str())]);
        }
        redacted_once_for_all(
            &[
                "Content-Disposition: form-data; ",
                "name=\"cvv\"",
                "name=\\\"pin\\\"",
                "\r\n",
                "\\r\\n",
                "737",
                "--X",
            ],
            41,
            "nothing",
            "nothing",
        );
    }
}
