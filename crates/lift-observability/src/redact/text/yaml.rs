//! YAML values written on the lines under their name: a block scalar (`password: |`) or
//! indented lines (`api_key:` and what follows), in raw text or inside a string that escapes
//! its line breaks.

use super::trim_end;

/// A YAML value written on the lines after its name's — a block scalar (`password: |` or
/// `private_key: >-`, the lines indented under it) or a value on the next lines
/// (`api_key:` and an indented line; a mapping or a list under the name: all of it, as a key
/// rule takes a nested value whole) — for a name at `name_start` that starts its line (after
/// indentation and a list's `- `), its value (or block header) at `value`: where the
/// indented lines' text starts and ends. Lines break at `\n`, `\r`, and at their escapes as
/// JSON and `Debug` write a string (`\\n`), whose first line starts after its opening quote
/// and whose last ends at its closing one. `None` when the name is not a line's key (nor
/// when a pass before replaced text on its line, before `floor`: a second pass sees a marker
/// there), when something else follows it on its line, or when no line is indented under it
/// (but an empty range at a block scalar's header, which holds an empty value then).
pub(super) fn yaml_block(
    bytes: &[u8],
    floor: usize,
    name_start: usize,
    value: usize,
) -> Option<(usize, usize)> {
    // Back over a list's `- ` and the indentation only: a long line is not read back to
    // its start once per name.
    let mut line_start = name_start;
    if bytes[..line_start].ends_with(b"- ") {
        line_start -= 2;
    }
    let spaces_end = line_start;
    while line_start > 0 && bytes[line_start - 1] == b' ' {
        line_start -= 1;
    }
    let indent = spaces_end - line_start;
    // Right after a break of one byte, or of an escape's two.
    let after_break =
        |k: usize| break_width(bytes, k - 1) == 1 || k >= 2 && break_width(bytes, k - 2) == 2;
    // Or right after the quote that opens an escaped string (`"msg":"password: |\n  …"`,
    // `body="api_key:\n  …"`), the quote and what stands before it this pass's own too.
    let after_opening_quote = line_start > floor
        && bytes[line_start - 1] == b'"'
        && (line_start == 1
            || line_start - 1 > floor
                && matches!(
                    bytes[line_start - 2],
                    b':' | b'=' | b'[' | b'(' | b',' | b'{' | b' ' | b'\t'
                ));
    // The line's break is text of this pass's own (at `floor` or after it).
    if !(line_start == 0 || line_start > floor && after_break(line_start) || after_opening_quote) {
        return None;
    }
    // Nothing after the name on its line, or a block scalar's header: `|` or `>`, then a
    // chomping indicator and an indentation digit, either or both (read no further).
    let header_len = bytes[value..]
        .iter()
        .take(YAML_HEADER_REACH + 1)
        .position(|&b| !matches!(b, b'|' | b'>' | b'-' | b'+' | b'0'..=b'9' | b' ' | b'\t'))
        .unwrap_or(bytes.len() - value);
    let header_end = value + header_len;
    let mut width = break_width(bytes, header_end);
    // In an escaped string (its breaks escaped), an unescaped quote ends the string.
    let in_string = bytes.get(header_end) == Some(&b'\\');
    if header_len > YAML_HEADER_REACH
        || width == 0 && header_end < bytes.len()
        || after_opening_quote && !in_string
    {
        return None;
    }
    let is_header = match trim_end(&bytes[value..header_end]) {
        [] => true,
        [b'|' | b'>', rest @ ..] => {
            rest.len() <= 2 && rest.iter().all(|&b| matches!(b, b'-' | b'+' | b'0'..=b'9'))
        }
        _ => false,
    };
    if !is_header {
        return None;
    }
    // The lines indented further than the name's; blank lines between them belong too.
    let mut text: Option<(usize, usize)> = None;
    let mut line = header_end + width;
    while width > 0 {
        let (end, next_width) = yaml_line_end(bytes, line, in_string);
        let content = trim_end(&bytes[line..end]);
        let spaces = content.iter().take_while(|&&b| b == b' ').count();
        if spaces < content.len() {
            if spaces <= indent {
                break;
            }
            let first = text.map_or(line + spaces, |(first, _)| first);
            text = Some((first, line + content.len()));
        }
        line = end + next_width;
        width = next_width;
    }
    // A block scalar's header with no line indented under it is an empty value, not a
    // value of its own: `password: |` keeps its `|` — as it does once a pass has replaced
    // the lines under it, their indentation perhaps with them (a multipart field's value).
    let block_header = header_end > value && matches!(bytes[value], b'|' | b'>');
    text.or_else(|| block_header.then_some((value, value)))
}

/// How far a YAML block scalar's header (`|-`, `>+2`, blanks after it) is read.
const YAML_HEADER_REACH: usize = 8;

/// Where the line holding `bytes[from]` ends, and how wide its break is ([`break_width`]);
/// the text's end, 0 wide, when none comes — or, `in_string` (an escaped string's lines), the
/// quote that closes the string.
fn yaml_line_end(bytes: &[u8], from: usize, in_string: bool) -> (usize, usize) {
    let mut i = from;
    while i < bytes.len() {
        match break_width(bytes, i) {
            0 if bytes[i] == b'\\' => i += 2,
            0 if in_string && bytes[i] == b'"' => return (i, 0),
            0 => i += 1,
            width => return (i, width),
        }
    }
    (bytes.len(), 0)
}

/// How wide a line break at `at` is: `\n`, `\r` or `\r\n`, or their escapes as JSON and
/// `Debug` write a string (`\\n`, `\\r\\n`); 0 when none is there. (An escaped byte,
/// `\\\\` or `\\"`, breaks nothing: the caller steps over both.)
pub(super) fn break_width(bytes: &[u8], at: usize) -> usize {
    match (bytes.get(at), bytes.get(at + 1)) {
        (Some(b'\r'), Some(b'\n')) => 2,
        (Some(b'\n' | b'\r'), _) => 1,
        (Some(b'\\'), Some(b'r')) if bytes[at + 2..].starts_with(b"\\n") => 4,
        (Some(b'\\'), Some(b'n' | b'r')) => 2,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use crate::redact::text::test_support::assert_redacted;

    #[test]
    fn a_yaml_value_on_the_lines_under_a_secret_name_goes() {
        assert_redacted(&[
            // Each kept its value.
            (
                "password: |\n  hunter2\nuser: bob",
                "password: |\n  [REDACTED]\nuser: bob",
            ),
            (
                "private_key: >-\n  abc\n\n  def\nnext: 1",
                "private_key: >-\n  [REDACTED]\nnext: 1",
            ),
            ("api_key:\n  hunter2\nx: 1", "api_key:\n  [REDACTED]\nx: 1"),
            (
                "db:\n  password:\n    hunter2\n  host: x",
                "db:\n  password:\n    [REDACTED]\n  host: x",
            ),
            (
                "- token: |+\r\n    abc\r\n- name: x",
                "- token: |+\r\n    [REDACTED]\r\n- name: x",
            ),
            ("cvv:\n  737", "cvv:\n  [REMOVED]"),
            // A mapping under a secret's name goes whole, as a nested value does.
            (
                "credentials:\n  user: bob\n  key: k1\nregion: eu",
                "credentials:\n  [REDACTED]\nregion: eu",
            ),
            // In a JSON string (`lift-ship --redact`) and a string's `Debug`.
            (
                r#"{"msg":"config:\n  password: |\n    hunter2\nuser: bob"}"#,
                r#"{"msg":"config:\n  password: |\n    [REDACTED]\nuser: bob"}"#,
            ),
            (
                r#"cfg: "db:\n  password:\n    hunter2\n  host: x""#,
                r#"cfg: "db:\n  password:\n    [REDACTED]\n  host: x""#,
            ),
            // A JSON line's message, or a `Debug`-quoted string, that starts with the key, or
            // has it first on a line: the last line ends at the string's closing quote (it
            // took the quote and the rest of the line with it).
            (
                r#"{"msg":"db:\n  password: |\n    hunter2"}"#,
                r#"{"msg":"db:\n  password: |\n    [REDACTED]"}"#,
            ),
            (
                r#"{"msg":"password: |\n  hunter2","x":1}"#,
                r#"{"msg":"password: |\n  [REDACTED]","x":1}"#,
            ),
            (
                r#"{"msg":"config\npassword: |\n  hunter2"}"#,
                r#"{"msg":"config\npassword: |\n  [REDACTED]"}"#,
            ),
            (
                r#"body="api_key:\n  abc" next"#,
                r#"body="api_key:\n  [REDACTED]" next"#,
            ),
            // A quote that opens nothing, or lines that break raw after it: the value on the
            // key's line goes, as a pair's.
            (r#"x"password: |\n  y""#, r#"x"password: [REDACTED]\n  y""#),
            ("a \"password: |\n  x\"", "a \"password: [REDACTED]\n  x\""),
            // Not a line's key, a value on its line, nothing indented under it.
            ("invalid token:\n    at x", "invalid token:\n    at x"),
            // A block scalar's header alone holds an empty value.
            ("password: |\n", "password: |\n"),
            ("secret: >-", "secret: >-"),
            ("password:\nuser: bob", "password:\nuser: bob"),
            ("region:\n  eu-west-1", "region:\n  eu-west-1"),
            // Fuzzer: a line's start was looked for back to a quote, and a value a first
            // pass replaced ended in one.
            (
                "\"cvv\":\u{1} apikey:\n  .",
                "\"cvv\":\"[REMOVED]\" apikey:\n  .",
            ),
            // Fuzzer: a multipart field's value took the indentation of the lines under a
            // block scalar's header with it; on the next pass nothing was indented under the
            // header, and its `|` went for a bare value.
            (
                r#"form-data;name=\"passwd\"\rpasswd:|\n\n /"#,
                r#"form-data;name=\"passwd\"\rpasswd:|\n\n[REDACTED]"#,
            ),
        ]);
    }
}
