//! The value a library's error echoes after a field's path. A body that fails to
//! deserialize or to validate names the field and quotes what it held — serde's error as
//! axum's JSON rejection and `serde_path_to_error` write it (`cvv: invalid type: integer
//! `737`, expected a string at line 1 column 11`), the `validator` crate's (`password:
//! Validation error: length [{"value": String("hunter2"), "min": Number(8)}]`) — so after a
//! sensitive name the value is the one the error quotes, not the error's first word.
//!
//! Some errors quote the value *before* the name: MySQL's and MariaDB's duplicate-key error
//! (`Duplicate entry 'a1b2…' for key 'sessions.token'`, found from the key's `k`:
//! [`duplicate_entry`]) and their error for a value a column cannot hold (`Incorrect integer
//! value: '1234' for column 'pin'`, from the `:` after `value`: [`incorrect_value`]);
//! config-rs's and figment's type errors, which name the setting's path last
//! (`` invalid type: string "…", expected u16 for key `db.password` ``, from the key's `k`:
//! [`value_for_key`]).

use super::names::{holds_marker, marker_for};
use super::value_ends::{
    bracketed_end, escaped_quote_len, line_end, opening_quote_len, quoted_value_end,
    string_end_on_line,
};
use super::values::value_finding;
use super::{Finding, find, find_last};
use crate::redact::Redactor;
use crate::redact::card::MASK_CHAR;

/// How serde's `Error::invalid_type` and `invalid_value` open their message.
const OPENINGS: [&[u8]; 2] = [b"invalid type: ", b"invalid value: "];

/// The kinds of an unexpected value that write the value they saw: numbers and a character
/// in backticks, a string as `Debug` quotes it — serde's `Unexpected`, then config-rs's own
/// (`64-bit integer`, `128-bit unsigned integer`) and figment's `Actual` (`unsigned int`,
/// `float`; its `char` in single quotes is one character, its `bytes` a list).
const KINDS: [&[u8]; 11] = [
    b"integer ",
    b"floating point ",
    b"character ",
    b"string ",
    b"64-bit integer ",
    b"64-bit unsigned integer ",
    b"128-bit integer ",
    b"128-bit unsigned integer ",
    b"unsigned int ",
    b"signed int ",
    b"float ",
];

/// An error a library wrote after a field's path.
#[derive(Debug, PartialEq)]
pub(super) enum Echo {
    /// The value it quotes: where it starts and ends.
    Value(usize, usize),
    /// It quotes none (`invalid type: map`, a validation's parameters with no value).
    Nothing,
}

/// The error starting at `start` after a field's path, serde's or `validator`'s, and the
/// value it quotes; `None` when the text is no such error.
pub(super) fn echo(bytes: &[u8], start: usize) -> Option<Echo> {
    let rest = &bytes[start..];
    let value = if rest.starts_with(VALIDATION_ERROR) {
        validated_value(bytes, start + VALIDATION_ERROR.len())
    } else {
        let opening = OPENINGS.iter().find(|o| rest.starts_with(o))?;
        deserialized_value(bytes, start + opening.len())
    };
    Some(value.map_or(Echo::Nothing, |(start, end)| Echo::Value(start, end)))
}

/// Where the value quoted in a serde error (`invalid type: integer `737`, …`, its kind at
/// `at`) starts and ends — inside its backticks or quotes (plain, or escaped as JSON text
/// writes them: `\"737\"`); `None` when the kind holds no value (`invalid type: map`).
fn deserialized_value(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let kind = KINDS.iter().find(|k| bytes[at..].starts_with(k))?;
    let open = at + kind.len();
    match bytes.get(open)? {
        &q @ (b'`' | b'"') => {
            // Backticks, or `Debug`'s quotes (a backslash escapes the byte after it); a line
            // cut short runs to its end.
            let inner = open + 1;
            let close = string_end_on_line(&bytes[inner..], q)
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

/// How the `validator` crate's error opens its message when it has none of its own: the
/// rule's code and the parameters, `Debug`'s map of them, follow (`length [{"value":
/// String("hunter2"), "min": Number(8)}]`).
const VALIDATION_ERROR: &[u8] = b"Validation error: ";

/// Where the value in a `validator` error's parameters starts and ends (`code` at `from`):
/// a `String("…")`'s text, a `Number(…)`'s digits; `None` when the parameters hold none.
/// The parameters' quotes as written — raw, or escaped as a JSON line's message holds them
/// (`[{\"value\": String(\"hunter2\")`).
fn validated_value(bytes: &[u8], from: usize) -> Option<(usize, usize)> {
    let code = bytes[from..]
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_')
        .count();
    let open = from + code + 1;
    if code == 0 || !bytes[from + code..].starts_with(b" [{") {
        return None;
    }
    let mut unclosed = 0;
    let close = bracketed_end(bytes, open, &mut unclosed);
    // The first member's opening quote is every quote's.
    let quote_len = opening_quote_len(&bytes[open + 2..close]);
    let quote = &bytes[open + 2..open + 2 + quote_len];
    if quote_len == 0 || quote[quote_len - 1] != b'"' {
        return None;
    }
    let value = member_value(bytes, open, close, quote)?;
    if bytes[value..close].starts_with(b"String(") && bytes[value + 7..close].starts_with(quote) {
        let inner = value + 7 + quote_len;
        let end = if quote_len == 1 {
            string_end_on_line(&bytes[inner..close], b'"').map_or(close, |c| inner + c)
        } else {
            quoted_value_end(bytes, inner, quote).min(close)
        };
        return Some((inner, end));
    }
    if bytes[value..close].starts_with(b"Number(") {
        let inner = value + b"Number(".len();
        let len = bytes[inner..close].iter().position(|&b| b == b')')?;
        return Some((inner, inner + len));
    }
    None
}

/// Where the value of the parameters' `value` member starts (`"value": `, its quotes
/// `quote`), between `open` and `close`.
fn member_value(bytes: &[u8], open: usize, close: usize, quote: &[u8]) -> Option<usize> {
    let mut from = open;
    loop {
        let name = from + find(&bytes[from..close], b"value")?;
        let after = name + b"value".len();
        if bytes[..name].ends_with(quote)
            && bytes[after..close].starts_with(quote)
            && bytes[after + quote.len()..close].starts_with(b": ")
        {
            return Some(after + quote.len() + 2);
        }
        from = after;
    }
}

/// How MySQL's duplicate-key error (1062) opens the value it quotes.
const DUPLICATE_ENTRY: &[u8] = b"Duplicate entry '";

/// The farthest back a duplicate entry's value is looked for (MySQL cuts it at 64
/// characters; a long one written whole is read too).
const MAX_ENTRY: usize = 1024;

/// The longest name of a key read (MySQL's index names are 64 characters, its table's 64
/// more).
const MAX_KEY_NAME: usize = 129;

/// MySQL's and MariaDB's duplicate-key error, at the `k` of its `key`: `Duplicate entry
/// 'a1b2…' for key 'sessions.token'` (MySQL 8 writes the table before the index, MariaDB
/// and MySQL 5 the index alone). A unique index on a token's or an API key's column is how
/// one is looked up, and a retried insert meets it. The entry's text is replaced as a field
/// named for the key would be (the table's name and the index's judged together:
/// `users.uniq_password`, `api_keys_api_key_unique`); `None` where the text is no such error
/// or the key names nothing sensitive. Nothing before `floor` is read (text a replacement
/// wrote over).
#[cold]
pub(super) fn duplicate_entry(
    redactor: &Redactor,
    bytes: &[u8],
    k: usize,
    floor: usize,
) -> Option<Finding> {
    if !bytes[k..].starts_with(b"key '") || !bytes[..k].ends_with(b"' for ") {
        return None;
    }
    // The key's name: an identifier's bytes (a table's and an index's, joined by a dot).
    let name_start = k + b"key '".len();
    let name_len = bytes[name_start..]
        .iter()
        .take(MAX_KEY_NAME + 1)
        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'.' | b'-'))
        .count();
    if bytes.get(name_start + name_len) != Some(&b'\'') {
        return None;
    }
    let value_end = k - b"' for ".len();
    let from = value_end
        .saturating_sub(MAX_ENTRY)
        .max(floor)
        .min(value_end);
    let opening = find_last(&bytes[from..value_end], DUPLICATE_ENTRY)?;
    let value_start = from + opening + DUPLICATE_ENTRY.len();
    // On one line; and where a pass before masked a card number in it (three mask
    // characters or more), left as it is: this pass masked it, and then read no further back.
    let value = &bytes[value_start..value_end];
    if value.contains(&b'\n') || holds_masked_card(value) {
        return None;
    }
    let fixed = marker_for(redactor, &bytes[name_start..name_start + name_len])?;
    value_finding(redactor, bytes, value_start..value_end, fixed, None)
}

/// How config-rs's and figment's errors open (figment's says `found` before the kind, and
/// writes no colon after `invalid value`).
const CONFIG_OPENINGS: [&[u8]; 5] = [
    b"invalid type: found ",
    b"invalid type: ",
    b"invalid value: found ",
    b"invalid value: ",
    b"invalid value ",
];

/// What comes between the value such an error quotes and the key it names.
const EXPECTED: &[u8] = b", expected ";

/// The longest setting's path read.
const MAX_KEY_PATH: usize = 256;

/// config-rs's and figment's type error, at the `k` of its `key`: the value quoted before
/// the setting's path (config-rs: ``invalid type: string "hunter2", expected u16 for key
/// `database.password` ``; figment: `invalid type: found string "…", expected … for key
/// "default.database.password"`) — a secret whose type (a newtype that checks a key's
/// format, a number) rejected what the file or the environment held, at start-up, where
/// the error is logged before anything else. The value is replaced as a field named for
/// the path's last part would be; `None` where the text is no such error or that part names
/// nothing sensitive. Nothing before `floor` is read (text a replacement wrote over).
#[cold]
pub(super) fn value_for_key(
    redactor: &Redactor,
    bytes: &[u8],
    k: usize,
    floor: usize,
) -> Option<Finding> {
    if !bytes[k..].starts_with(b"key ") || !bytes[..k].ends_with(b" for ") {
        return None;
    }
    // The path in backticks or quotes (`\"` in JSON-escaped text).
    let open = k + b"key ".len();
    let quote: &[u8] = match bytes.get(open)? {
        b'`' => b"`",
        b'"' => b"\"",
        b'\\' if bytes.get(open + 1) == Some(&b'"') => b"\\\"",
        _ => return None,
    };
    let path_start = open + quote.len();
    let path_len = bytes[path_start..]
        .iter()
        .take(MAX_KEY_PATH + 1)
        .take_while(|&&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'[' | b']')
        })
        .count();
    if !bytes[path_start + path_len..].starts_with(quote) {
        return None;
    }
    let path = &bytes[path_start..path_start + path_len];
    let last = path
        .iter()
        .rposition(|&b| b == b'.')
        .map_or(path, |dot| &path[dot + 1..]);
    let fixed = marker_for(redactor, last)?;
    // The error's opening on the key's line: the last one whose value ends before the
    // expectation (a value may hold `invalid ` too).
    let error_end = k - b" for ".len();
    let from = error_end
        .saturating_sub(MAX_ENTRY)
        .max(floor)
        .min(error_end);
    let from = from
        + bytes[from..error_end]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
    let mut end = error_end;
    while let Some(at) = find_last(&bytes[from..end], b"invalid ") {
        let at = from + at;
        end = at;
        let Some(opening) = CONFIG_OPENINGS.iter().find(|o| bytes[at..].starts_with(o)) else {
            continue;
        };
        // After the value's closing quote (one byte, two escaped), the expectation.
        if let Some((start, value_end)) = deserialized_value(bytes, at + opening.len())
            && value_end < error_end
            && find(&bytes[value_end..error_end], EXPECTED).is_some_and(|p| (1..=2).contains(&p))
        {
            // A marker in the expectation, a masked card in it or in the value: a second pass
            // sees one where the first had a floor (a finding it replaced) or a card it masked
            // (and then read no further back), and reads no further back either.
            if holds_marker(&bytes[value_end..error_end])
                || holds_masked_card(&bytes[start..error_end])
            {
                return None;
            }
            return value_finding(redactor, bytes, start..value_end, fixed, None);
        }
    }
    None
}

/// How MySQL's error for a value its column cannot hold names the column after the value.
const FOR_COLUMN: &[u8] = b"' for column ";

/// The longest column's name read (MySQL's identifiers are 64 characters).
const MAX_COLUMN_NAME: usize = 64;

/// MySQL's and MariaDB's error 1366, at the `:` after its `value`: `Incorrect integer
/// value: '1234' for column 'pin' at row 1` (MariaDB names the column
/// `` `db`.`cards`.`pin` ``) — a number or a string a column's type or character set could
/// not hold, quoted whole or from its first byte the column could not store. What comes
/// before `value` is not read: the quoted value and the column after it tell the error,
/// where a finding before it may have taken its first word. Replaced as a field named for
/// the column would be; `None` where the text is no such error or the column names nothing
/// sensitive.
#[cold]
pub(super) fn incorrect_value(redactor: &Redactor, bytes: &[u8], colon: usize) -> Option<Finding> {
    if !bytes[colon..].starts_with(b": '") {
        return None;
    }
    let value_start = colon + b": '".len();
    let reach = line_end(bytes, value_start).min(value_start + MAX_ENTRY + FOR_COLUMN.len());
    let value_end = value_start + find(&bytes[value_start..reach], FOR_COLUMN)?;
    let column = column_name(&bytes[value_end + FOR_COLUMN.len()..])?;
    let fixed = marker_for(redactor, column)?;
    value_finding(redactor, bytes, value_start..value_end, fixed, None)
}

/// The column's name at the start of `text`: `'pin'`, or the last part of
/// `` `db`.`cards`.`pin` ``.
fn column_name(text: &[u8]) -> Option<&[u8]> {
    let identifier = |from: usize, quote: u8| -> Option<(usize, usize)> {
        let len = text
            .get(from..)?
            .iter()
            .take(MAX_COLUMN_NAME + 1)
            .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$'))
            .count();
        (len > 0 && len <= MAX_COLUMN_NAME && text.get(from + len) == Some(&quote))
            .then_some((from, from + len))
    };
    match text.first()? {
        b'\'' => identifier(1, b'\'').map(|(s, e)| &text[s..e]),
        b'`' => {
            let (mut start, mut end) = identifier(1, b'`')?;
            while text[end + 1..].starts_with(b".`") {
                (start, end) = identifier(end + 3, b'`')?;
            }
            Some(&text[start..end])
        }
        _ => None,
    }
}

/// Whether `text` holds a card number a pass before masked (three mask characters or more):
/// that pass read no further back than the mask, and a second reads no further either.
fn holds_masked_card(text: &[u8]) -> bool {
    text.iter().filter(|&&b| b == MASK_CHAR as u8).count() >= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    fn echoed(text: &str) -> Option<&str> {
        match echo(text.as_bytes(), 0)? {
            Echo::Value(s, e) => Some(&text[s..e]),
            Echo::Nothing => None,
        }
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
        assert_eq!(echoed("invalid type: integer `737\nx"), Some("737"));
    }

    #[test]
    fn a_validator_errors_value_parameter_is_found() {
        assert_eq!(
            echoed(
                r#"Validation error: length [{"value": String("hun\"ter2"), "min": Number(8)}]"#
            ),
            Some(r#"hun\"ter2"#)
        );
        assert_eq!(
            echoed(r#"Validation error: range [{"min": Number(100), "value": Number(737)}] x"#),
            Some("737")
        );
        for text in [
            r#"Validation error: length [{"min": Number(8)}]"#,
            r#"Validation error: length [{"value": Bool(true)}]"#,
            r#"Validation error: [{"value": Number(7)}]"#,
            r#"Validation error: length {"value": Number(7)}"#,
            r#"Validation error: length [{"value": Number(7"#,
        ] {
            assert_eq!(echoed(text), None, "{text}");
        }
    }

    #[test]
    fn a_duplicate_entry_under_a_sensitive_key_goes() {
        use super::super::test_support::{assert_redacted, redacted_once_for_all};
        assert_redacted(&[
            (
                "1062 (23000): Duplicate entry 'a1b2c3d4' for key 'sessions.token'",
                "1062 (23000): Duplicate entry '[REDACTED]' for key 'sessions.token'",
            ),
            (
                r#"message: "Duplicate entry 'acme-9f8e' for key 'api_keys_api_key_unique'" })"#,
                r#"message: "Duplicate entry '[REDACTED]' for key 'api_keys_api_key_unique'" })"#,
            ),
            (
                "Duplicate entry '1234' for key 'cards.uniq_pin' at insert",
                "Duplicate entry '[REMOVED]' for key 'cards.uniq_pin' at insert",
            ),
            // Keys that name nothing sensitive; no entry before the key; a line between.
            (
                "Duplicate entry 'ord_1234' for key 'payments.order_id'",
                "Duplicate entry 'ord_1234' for key 'payments.order_id'",
            ),
            (
                "Duplicate entry '42' for key 'PRIMARY'",
                "Duplicate entry '42' for key 'PRIMARY'",
            ),
            (
                "the entry 'x' for key 'token'",
                "the entry 'x' for key 'token'",
            ),
            (
                "Duplicate entry 'x\n' for key 'token'",
                "Duplicate entry 'x\n' for key 'token'",
            ),
            (
                "Duplicate entry 'a\nb' for key 'token",
                "Duplicate entry 'a\nb' for key 'token",
            ),
        ]);
        redacted_once_for_all(
            &[
                " Duplicate entry '",
                "s3cr3tv4lue",
                "' for key '",
                "sessions.token",
                "'",
                "k",
            ],
            1062,
            " Duplicate entry 's3cr3tv4lue' for key 'sessions.token'",
            "s3cr3tv4lue",
        );
    }

    #[test]
    fn a_configuration_errors_value_under_a_sensitive_key_goes() {
        use super::super::test_support::{assert_redacted, redacted_once_for_all};
        assert_redacted(&[
            (
                r#"invalid type: string "hunter2", expected u16 for key `database.password`"#,
                r#"invalid type: string "[REDACTED]", expected u16 for key `database.password`"#,
            ),
            (
                r#"invalid type: found string "hunter2", expected u16 for key "default.db.password" in env"#,
                r#"invalid type: found string "[REDACTED]", expected u16 for key "default.db.password" in env"#,
            ),
            (
                r#"invalid value: string "q1w2$$", expected base64 for key `webhook.signing_secret`"#,
                r#"invalid value: string "[REDACTED]", expected base64 for key `webhook.signing_secret`"#,
            ),
            (
                "invalid type: 64-bit integer `1234`, expected a string for key `card.pin`",
                "invalid type: 64-bit integer `[REMOVED]`, expected a string for key `card.pin`",
            ),
            (
                r#"invalid value unsigned int `737`, expected a string for key "default.cvv""#,
                r#"invalid value unsigned int `[REMOVED]`, expected a string for key "default.cvv""#,
            ),
            // JSON-escaped; a value that holds `invalid ` itself.
            (
                r#"{"m":"invalid type: found string \"hunter2\", expected u16 for key \"default.password\""}"#,
                r#"{"m":"invalid type: found string \"[REDACTED]\", expected u16 for key \"default.password\""}"#,
            ),
            (
                r#"invalid type: string "an invalid value", expected u16 for key `db.password`"#,
                r#"invalid type: string "[REDACTED]", expected u16 for key `db.password`"#,
            ),
            // Keys naming nothing sensitive, or describing a secret; no value quoted; a line
            // between the value and the key; no expectation before the key.
            (
                r#"invalid type: string "abc", expected a number for key `app.port`"#,
                r#"invalid type: string "abc", expected a number for key `app.port`"#,
            ),
            (
                r#"invalid type: string "x12", expected u16 for key `db.password_min_length`"#,
                r#"invalid type: string "x12", expected u16 for key `db.password_min_length`"#,
            ),
            (
                "invalid type: map, expected a string for key `db.password`",
                "invalid type: map, expected a string for key `db.password`",
            ),
            (
                "invalid type: string \"x\", expected u16\n for key `db.password`",
                "invalid type: string \"x\", expected u16\n for key `db.password`",
            ),
            (
                r#"invalid type: string "x", and then for key `db.password`"#,
                r#"invalid type: string "x", and then for key `db.password`"#,
            ),
            // A marker between the value and the key, a card masked there or in the value:
            // a finding a pass before replaced.
            (
                r#"invalid type: string "x1", expected a "pin":"[REMOVED]" for key `db.password`"#,
                r#"invalid type: string "x1", expected a "pin":"[REMOVED]" for key `db.password`"#,
            ),
            (
                r#"invalid type: string "x1", expected 4111 1111 1111 1111 for key `db.password`"#,
                r#"invalid type: string "x1", expected 4111 11** **** 1111 for key `db.password`"#,
            ),
            (
                r#"invalid type: string "4111111111111111 x", expected u16 for key `db.password`"#,
                r#"invalid type: string "411111******1111[REDACTED]", expected u16 for key `db.password`"#,
            ),
        ]);
        redacted_once_for_all(
            &[
                "invalid type: string \"",
                "s3cr3tv4lue",
                "\", expected u16",
                " for key `",
                "db.password",
                "`",
                "\"",
            ],
            1366,
            "invalid type: string \"s3cr3tv4lue\", expected u16 for key `db.password`",
            "s3cr3tv4lue",
        );
    }

    #[test]
    fn a_value_its_column_could_not_hold_goes_under_a_sensitive_column() {
        use super::super::test_support::{assert_redacted, redacted_once_for_all};
        assert_redacted(&[
            (
                "1366 (HY000): Incorrect integer value: 'x1234' for column 'pin' at row 1",
                "1366 (HY000): Incorrect integer value: '[REMOVED]' for column 'pin' at row 1",
            ),
            (
                r"Incorrect string value: '\xF0\x9F\x98\x80pass' for column 'password' at row 1",
                "Incorrect string value: '[REDACTED]' for column 'password' at row 1",
            ),
            (
                "Incorrect decimal value: 'x737' for column `pay`.`cards`.`cvv` at row 1",
                "Incorrect decimal value: '[REMOVED]' for column `pay`.`cards`.`cvv` at row 1",
            ),
            // Whatever the words before `value` (a finding before may have taken them).
            (
                "integer value: 'x1234' for column 'pin'",
                "integer value: '[REMOVED]' for column 'pin'",
            ),
            // Columns naming nothing sensitive; no column after the value; a line between.
            (
                r"Incorrect string value: '\xF0\x9F\x98\x80' for column 'name' at row 1",
                r"Incorrect string value: '\xF0\x9F\x98\x80' for column 'name' at row 1",
            ),
            (
                "Incorrect integer value: 'abc' for column `pay`.`cards`.`id` at row 1",
                "Incorrect integer value: 'abc' for column `pay`.`cards`.`id` at row 1",
            ),
            (
                "Incorrect integer value: 'abc' at row 1 (column 'pin')",
                "Incorrect integer value: 'abc' at row 1 (column 'pin')",
            ),
            (
                "Incorrect integer value: 'a\nb' for column 'pin' at row 1",
                "Incorrect integer value: 'a\nb' for column 'pin' at row 1",
            ),
        ]);
        redacted_once_for_all(
            &[
                "Incorrect integer value: '",
                "s3cr3tv4lue",
                "' for column ",
                "'pin'",
                "`t`.`pin`",
                " at row 1",
            ],
            1367,
            "Incorrect integer value: 's3cr3tv4lue' for column 'pin'",
            "s3cr3tv4lue' for column 'pin'",
        );
    }

    #[test]
    fn errors_that_quote_no_value_find_none() {
        for text in [
            "invalid type: map, expected a string",
            "invalid type: boolean `true`, expected u16",
            "invalid length 3, expected 4",
            "invalid type: integer",
            "invalid type: string",
            "invalid type: string \\x",
            "invalid token",
        ] {
            assert_eq!(echoed(text), None, "{text}");
        }
    }

    #[test]
    fn a_validation_error_s_value_in_escaped_quotes_is_read() {
        // The `validator` crate's error in a JSON line's message: its parameters' quotes are
        // `\"` there, and the value was kept.
        assert_eq!(
            echoed(
                r#"Validation error: length [{\"value\": String(\"hunter2\"), \"min\": Number(8)}]"#
            ),
            Some("hunter2")
        );
        assert_eq!(
            echoed(r#"Validation error: length [{\"min\": Number(3), \"value\": Number(73712)}]"#),
            Some("73712")
        );
        assert_eq!(
            echoed(r#"Validation error: length [{\"min\": Number(3), \"max\": Number(4)}]"#),
            None
        );
    }
}
