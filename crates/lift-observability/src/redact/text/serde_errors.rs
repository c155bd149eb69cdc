//! The value serde's error echoes after a field's path. A body that fails to deserialize
//! names the field and quotes what it held — axum's JSON rejection and
//! `serde_path_to_error` write `cvv: invalid type: integer `737`, expected a string at line 1
//! column 11`, `password: invalid value: string "hunter2", expected …` — so after a
//! sensitive name the value is the one quoted in the error, not the error's first word.

use super::value_ends::{escaped_quote_len, line_end, quoted_value_end, string_end_on_line};

/// How serde's `Error::invalid_type` and `invalid_value` open their message.
const OPENINGS: [&[u8]; 2] = [b"invalid type: ", b"invalid value: "];

/// The kinds of `serde::de::Unexpected` that write the value they saw: numbers and a
/// character in backticks, a string as `Debug` quotes it.
const KINDS: [&[u8]; 4] = [b"integer ", b"floating point ", b"character ", b"string "];

/// Where the value quoted in a serde error starting at `start` (`invalid type: integer
/// `737`, …`) starts and ends — inside its backticks or quotes (plain, or escaped as JSON
/// text writes them: `\"737\"`); `None` when the text is no such error or the kind holds
/// no value (`invalid type: map`, `invalid length 3`).
pub(super) fn echoed_value(bytes: &[u8], start: usize) -> Option<(usize, usize)> {
    let rest = &bytes[start..];
    let opening = OPENINGS.iter().find(|o| rest.starts_with(o))?;
    let at = start + opening.len();
    let kind = KINDS.iter().find(|k| bytes[at..].starts_with(k))?;
    let open = at + kind.len();
    match bytes.get(open)? {
        b'`' => {
            let len = bytes[open + 1..]
                .iter()
                .position(|&b| matches!(b, b'`' | b'\n' | b'\r'))?;
            (bytes[open + 1 + len] == b'`').then_some((open + 1, open + 1 + len))
        }
        b'"' => {
            // `Debug`'s quotes: a backslash escapes the byte after it.
            let inner = open + 1;
            let close = string_end_on_line(&bytes[inner..], b'"')
                .map_or_else(|| line_end(bytes, inner), |c| inner + c);
            Some((inner, close))
        }
        b'\\' => {
            let quote_len = escaped_quote_len(&bytes[open..]);
            let quote = bytes
                .get(open..open + quote_len)
                .filter(|_| quote_len > 0)?;
            let inner = open + quote_len;
            Some((inner, quoted_value_end(bytes, inner, quote)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn echoed(text: &str) -> Option<&str> {
        echoed_value(text.as_bytes(), 0).map(|(s, e)| &text[s..e])
    }

    #[test]
    fn the_value_in_backticks_or_quotes_is_found() {
        assert_eq!(
            echoed("invalid type: integer `737`, expected a string"),
            Some("737")
        );
        assert_eq!(
            echoed("invalid value: floating point `7.5`, x"),
            Some("7.5")
        );
        assert_eq!(echoed("invalid type: character `7`"), Some("7"));
        assert_eq!(
            echoed(r#"invalid type: string "hun\"ter2", expected u16"#),
            Some(r#"hun\"ter2"#)
        );
        assert_eq!(
            echoed(r#"invalid type: string \"737\", expected u16"#),
            Some("737")
        );
        // Cut short: to the line's end.
        assert_eq!(echoed("invalid type: string \"73"), Some("73"));
    }

    #[test]
    fn errors_that_quote_no_value_find_none() {
        for text in [
            "invalid type: map, expected a string",
            "invalid type: boolean `true`, expected u16",
            "invalid length 3, expected 4",
            "invalid type: integer `737",
            "invalid type: integer",
            "invalid type: string",
            "invalid type: string \\x",
            "invalid token",
        ] {
            assert_eq!(echoed(text), None, "{text}");
        }
    }
}
