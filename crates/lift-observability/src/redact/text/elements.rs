//! XML elements named for a secret or sensitive data — by their own name (namespace prefix
//! aside) or a `name`/`key` attribute — written plainly or escaped HTML-safe: the text up to
//! the first closing tag is replaced, the tags kept.

use super::names::count;
use super::names::{is_marker, is_name_byte, marker_for};
use super::statuses::reports_on_card_data;
use super::{Finding, REDACTED, REMOVED, Replacement, trim_end, trim_end_lines};
use crate::redact::Redactor;
use crate::redact::keys::KeyRule;
use crate::redact::pairs::{self, PairRole};

/// Sensitive XML elements without a closing tag a string may hold before the others look for
/// theirs only within [`NEAR_CLOSE`] bytes: each looks to the string's end, so text made of
/// them (`<pin><pin>…`) would cost time growing with the square of its length.
pub(super) const MAX_UNCLOSED: usize = 16;
/// How far an element looks for its closing tag once [`MAX_UNCLOSED`] were not closed.
const NEAR_CLOSE: usize = 4096;

/// At a `<`: an XML element `<name …>value</name>` (`<\/name>` in JSON-escaped text) whose
/// name, without its namespace prefix, is a sensitive-data or secret name — a gateway's XML
/// body logged as text (`<cvv>737</cvv>`, `<cardCode>`, `<Password>`). The value runs to the
/// element's first closing tag, whatever it holds (other elements, a `<`): what is inside
/// can never move where it ends, so a second pass finds the same value. `unclosed` counts the
/// elements found with no closing tag ([`MAX_UNCLOSED`]).
pub(super) fn element(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    unclosed: &mut usize,
) -> Option<Finding> {
    element_in(redactor, bytes, at, ANGLE, unclosed)
}

/// [`element`] at the `\` of a `<` escaped HTML-safe, as Gson and Go's `encoding/json`
/// write it by default (`\u003ccvv\u003e737\u003c/cvv\u003e`).
pub(super) fn escaped_element(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    unclosed: &mut usize,
) -> Option<Finding> {
    element_in(redactor, bytes, at, ESCAPED_ANGLE, unclosed)
}

/// How an XML element's tags are bracketed.
#[derive(Debug, Clone, Copy)]
struct Brackets {
    open: &'static [u8],
    close: &'static [u8],
}

/// `<…>`.
const ANGLE: Brackets = Brackets {
    open: b"<",
    close: b">",
};

/// `<` and `>` escaped as Gson and Go's `encoding/json` write them by default, HTML-safe
/// (`\u003ccvv\u003e737\u003c/cvv\u003e`).
const ESCAPED_ANGLE: Brackets = Brackets {
    open: br"\u003c",
    close: br"\u003e",
};

/// [`element`] for tags bracketed by `brackets`, the opening one at `at`.
#[inline(always)]
fn element_in(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    brackets: Brackets,
    unclosed: &mut usize,
) -> Option<Finding> {
    let name_start = at + brackets.open.len();
    let name_len = bytes[name_start..]
        .iter()
        .take_while(|&&b| is_name_byte(b) || b == b':')
        .count();
    if name_len == 0 || name_len > 64 {
        return None;
    }
    let qualified = &bytes[name_start..name_start + name_len];
    let name = qualified.rsplit(|&b| b == b':').next()?;
    if !name.iter().any(u8::is_ascii_alphabetic) {
        return None;
    }
    let fixed = match redactor.text_name_rule(name) {
        KeyRule::Remove => REMOVED,
        KeyRule::Secret => REDACTED,
        KeyRule::Safe => return None,
        KeyRule::Scan => named_by_attribute(redactor, bytes, name_start + name_len, brackets)
            .or_else(|| named_by_sibling(redactor, bytes, at, name, brackets))?,
    };
    let start = start_tag_end(bytes, name_start + name_len, brackets)? + brackets.close.len();
    let limit = if *unclosed < MAX_UNCLOSED {
        bytes.len()
    } else {
        bytes.len().min(start + NEAR_CLOSE)
    };
    let Some(end) = closing_tag(&bytes[..limit], start, qualified, brackets) else {
        *unclosed += 1;
        return None;
    };
    let value = &bytes[start..end];
    // Empty, written by a pass before, or a check's result under a card data's name
    // (`<CVV2>M</CVV2>`): left alone.
    if value.is_empty() || is_marker(value) || fixed == REMOVED && reports_on_card_data(value) {
        return None;
    }
    count(redactor, fixed);
    Some(Finding {
        start,
        end,
        replacement: Replacement::Fixed(fixed),
    })
}

/// The marker for an element that a `name` or `key` attribute names (`<field
/// name="cvv">737</field>`, Spring's and Hibernate's `<property name="…password">`, Java's
/// properties as XML `<entry key="api_key">`, Android's `<string name="api_key">`) when that
/// name is a sensitive-data or secret name; the start tag's name ends at `at`. The attribute
/// is quoted (`"`, `'`, `\"` in JSON-escaped text) or not (`name=cvv`, as HTML allows).
#[cold]
fn named_by_attribute(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    brackets: Brackets,
) -> Option<&'static str> {
    let end = start_tag_end(bytes, at, brackets)?;
    let tag = &bytes[at..end];
    let mut from = 0;
    while let Some(k) = tag[from..].iter().position(|&b| b == b'=') {
        let eq = from + k;
        from = eq + 1;
        // Blanks may stand around the `=` (`key = "cvv"`).
        let before = trim_end(&tag[..eq]);
        let attribute = &before[before
            .iter()
            .rposition(|&b| b == b' ' || b == b'\t')
            .map_or(0, |p| p + 1)..];
        if !(attribute.eq_ignore_ascii_case(b"name") || attribute.eq_ignore_ascii_case(b"key")) {
            continue;
        }
        let rest = &tag[eq + 1..];
        let rest = &rest[rest
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count()..];
        let rest = rest.strip_prefix(b"\\").unwrap_or(rest);
        let value = match rest.split_first() {
            Some((&q @ (b'"' | b'\''), quoted)) => {
                let value = &quoted[..quoted.iter().position(|&b| b == q)?];
                value.strip_suffix(b"\\").unwrap_or(value)
            }
            // Unquoted, as HTML allows (`name=cvv`).
            _ => {
                &rest[..rest
                    .iter()
                    .position(|&b| matches!(b, b' ' | b'\t' | b'/'))
                    .unwrap_or(rest.len())]
            }
        };
        if let Some(fixed) = marker_for(redactor, value) {
            return Some(fixed);
        }
    }
    None
}

/// Most bytes of a pair's name element's text.
const PAIR_NAME: usize = 64;

/// The marker for a pair's value element (`<value>`, `<v>`, its name `name`, its `<` at
/// `at`) right after the element of the pair's name (`<key>`, `<name>`) — a map as JAXB and
/// XStream write one, `<entry><key>password</key><value>hunter2</value></entry>` — when
/// that name is a sensitive-data or secret name. Blanks and line ends may stand between.
#[cold]
fn named_by_sibling(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    name: &[u8],
    brackets: Brackets,
) -> Option<&'static str> {
    if pairs::role(name) != PairRole::Value {
        return None;
    }
    let before = trim_end_lines(&bytes[..at]);
    // The closing tag before: `</key>`, `<\/key>` in JSON-escaped text.
    let before = before.strip_suffix(brackets.close)?;
    let sibling_len = before
        .iter()
        .rev()
        .take_while(|&&b| is_name_byte(b) || b == b':')
        .count();
    let (before, sibling) = before.split_at(before.len() - sibling_len);
    let before = before.strip_suffix(b"/")?;
    let before = before.strip_suffix(b"\\").unwrap_or(before);
    let text_end = before.strip_suffix(brackets.open)?.len();
    let local = sibling.rsplit(|&b| b == b':').next()?;
    if pairs::role(local) != PairRole::Name {
        return None;
    }
    let from = text_end.saturating_sub(PAIR_NAME + brackets.close.len());
    let text_start = bytes[from..text_end]
        .windows(brackets.close.len())
        .rposition(|w| w == brackets.close)?
        + from
        + brackets.close.len();
    // A name: a text that holds more (`pass: word`) may have had part of it replaced, which
    // a second pass would read otherwise.
    let text = trim_end(&bytes[text_start..text_end]);
    if !text
        .iter()
        .all(|&b| is_name_byte(b) || matches!(b, b'/' | b':'))
    {
        return None;
    }
    marker_for(redactor, text)
}

/// The `>` (or the closing bracket of `brackets`) ending a start tag whose name ends at `at`:
/// right there, or after attributes on the same line (a `>` inside a quoted attribute value
/// does not end it); `None` for an empty element (`/>`) or what is not a start tag.
/// Attributes holding a `[` are refused: a replacement inside a start tag always writes one
/// (`[REDACTED]`), so a tag a first pass could not read is never read by a second either.
#[inline(always)]
fn start_tag_end(bytes: &[u8], at: usize, brackets: Brackets) -> Option<usize> {
    let closes = |i: usize| bytes[i..].starts_with(brackets.close);
    match bytes.get(at)? {
        _ if closes(at) => return Some(at),
        b' ' | b'\t' => {}
        _ => return None,
    }
    let mut i = at;
    let limit = bytes.len().min(at + 256);
    while i < limit {
        if closes(i) {
            let readable = bytes[i - 1] != b'/' && !bytes[at..i].contains(&b'[');
            return readable.then_some(i);
        }
        match bytes[i] {
            q @ (b'"' | b'\'') => i += 1 + bytes[i + 1..limit].iter().position(|&b| b == q)?,
            b'<' | b'\n' => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Where the first closing tag of `name` (`</name>`, or `<\/name>`; bracketed by `brackets`)
/// starts, from `from` on.
#[inline(always)]
fn closing_tag(bytes: &[u8], from: usize, name: &[u8], brackets: Brackets) -> Option<usize> {
    let Brackets { open, close } = brackets;
    let mut at = from;
    while let Some(k) = bytes[at..].iter().position(|&b| b == open[0]) {
        at += k;
        let rest = bytes[at..].strip_prefix(open).unwrap_or_default();
        let rest = rest
            .strip_prefix(b"/")
            .or_else(|| rest.strip_prefix(b"\\/"));
        if let Some(tag) = rest
            && tag.starts_with(name)
            && tag[name.len()..].starts_with(close)
        {
            return Some(at);
        }
        at += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::redact::text::test_support::{assert_redacted, redact, redacted_once_for_all};

    #[test]
    fn xml_elements_among_other_findings_are_redacted_once_for_all() {
        let pieces = [
            "<cvv>",
            "</cvv>",
            "<\\/cvv>",
            "<a:pin x=\"1\">",
            "</a:pin>",
            "<",
            ">",
            "/",
            "737",
            "<b>",
            "<password token='",
            "<key>cvv</key>",
            "<value>",
            "</value>",
            "' a=\">\"",
            "'",
            "\"",
        ];
        let element = "<cvv>737</cvv>";
        redacted_once_for_all(&pieces, 2027, element, element);
    }

    #[test]
    fn a_pair_s_name_element_holding_more_than_a_name_names_nothing() {
        // The composition sweep (seed 198): a name element's text with a value in it had
        // that value replaced by the first pass, and the second read the rest as a name.
        let once = redact("<key>pass: wordPolicy</key><value>strict</value>");
        assert_eq!(once, "<key>pass: [REDACTED]</key><value>strict</value>");
        assert_eq!(redact(&once), once);
    }

    #[test]
    fn values_in_start_tags_are_redacted_with_the_elements_value() {
        assert_eq!(
            redact("<pin cvv=737 id=\"a\">1234</pin>"),
            "<pin cvv=[REMOVED] id=\"a\">[REMOVED]</pin>"
        );
        // An element inside another's attribute: every value is found in one pass.
        assert_eq!(
            redact("<a:pin \"<a:pin CSC=n>\">1</a:pin>"),
            "<a:pin \"<a:pin CSC=[REMOVED]>[REMOVED]</a:pin>"
        );
        assert_eq!(
            redact("<pin x='<cvv y=\"'>1</pin> cvv=3\">2</cvv>"),
            "<pin x='<cvv y=\"'>[REMOVED]</pin> cvv=[REMOVED]\">[REMOVED]</cvv>"
        );
    }

    #[test]
    fn an_element_named_by_its_name_or_key_attribute_loses_its_value() {
        // The element's own name said nothing, so its value was kept.
        assert_redacted(&[
            (
                r#"<field name="cvv">737</field>"#,
                r#"<field name="cvv">[REMOVED]</field>"#,
            ),
            (
                r#"<property name="hibernate.connection.password">s3cret</property>"#,
                r#"<property name="hibernate.connection.password">[REDACTED]</property>"#,
            ),
            (
                "<entry key = 'api_key'>abc123</entry>",
                "<entry key = 'api_key'>[REDACTED]</entry>",
            ),
            (
                "<a name=x key=pin>1234</a>",
                "<a name=x key=pin>[REMOVED]</a>",
            ),
            (
                r#"<Field Name="CardSecurityCode"><v>737</v></Field>"#,
                r#"<Field Name="CardSecurityCode">[REMOVED]</Field>"#,
            ),
            // JSON-escaped, plainly and HTML-safe.
            (
                r#"{"x":"<field name=\"cvv\">737</field>"}"#,
                r#"{"x":"<field name=\"cvv\">[REMOVED]</field>"}"#,
            ),
            (
                r#"\u003cfield name=\"cvv\"\u003e737\u003c/field\u003e"#,
                r#"\u003cfield name=\"cvv\"\u003e[REMOVED]\u003c/field\u003e"#,
            ),
            // A pair's value element after the element of its name, as JAXB and XStream
            // write a map's entries (over lines, JSON-escaped too).
            (
                "<entry><key>password</key><value>hunter2</value></entry><entry><key>id</key><value>7</value></entry>",
                "<entry><key>password</key><value>[REDACTED]</value></entry><entry><key>id</key><value>7</value></entry>",
            ),
            (
                "<entry>\n  <ns:name>cvv</ns:name>\n  <ns:value>737</ns:value>\n</entry>",
                "<entry>\n  <ns:name>cvv</ns:name>\n  <ns:value>[REMOVED]</ns:value>\n</entry>",
            ),
            (
                r#"{"x":"<key>pin</key><value>1234<\/value>"}"#,
                r#"{"x":"<key>pin</key><value>[REMOVED]<\/value>"}"#,
            ),
            // The value attribute and the element's text, both.
            (
                r#"<param name="password" value="x">hunter2</param>"#,
                r#"<param name="password" value="[REDACTED]">[REDACTED]</param>"#,
            ),
            // Other names, other attributes, no closing tag: kept.
            (
                r#"<field name="brand">visa</field>"#,
                r#"<field name="brand">visa</field>"#,
            ),
            (
                r#"<field id="cvv">737</field>"#,
                r#"<field id="cvv">737</field>"#,
            ),
            (r#"<field name="cvv">737"#, r#"<field name="cvv">737"#),
        ]);
    }

    #[test]
    fn unclosed_elements_are_looked_at_a_bounded_number_of_times() {
        // Quadratic before the bound: each `<cvv>` searched the rest for its closing tag.
        let text = "<pin>".repeat(4_000);
        assert_eq!(redact(&text), text);
        // Past the bound, a closed element is still found by its closing tag from the first
        // `<cvv>` before it (the value runs to the first closing tag).
        let text = "<pin>".repeat(4_000) + "<cvv>737</cvv>";
        assert!(redact(&text).ends_with("<cvv>[REMOVED]</cvv>"));
        // Closed elements are never counted: every one is found.
        let closed = "<cvv>737</cvv>".repeat(100);
        assert_eq!(redact(&closed), "<cvv>[REMOVED]</cvv>".repeat(100));
    }

    #[test]
    fn an_entry_s_value_over_escaped_line_breaks_goes_by_its_name() {
        // A map entry pretty-printed in a JSON line's message: the escaped line break
        // between `</name>` and `<value>` hid the sibling.
        assert_redacted(&[(
            r#"{"msg":"<entry>\n  <name>DB_PASSWORD</name>\n\t<value>Tr0ub4dor3x</value>\n</entry>"}"#,
            r#"{"msg":"<entry>\n  <name>DB_PASSWORD</name>\n\t<value>[REDACTED]</value>\n</entry>"}"#,
        )]);
    }
}
