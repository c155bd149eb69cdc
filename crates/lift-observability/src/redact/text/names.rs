//! Names before a separator: where a bare, quoted or bracketed name starts — never in text a
//! pass replaced (a second pass sees a marker there), nor inside a percent escape — and what
//! its value becomes: by the key rules ([`keys`](crate::redact::keys)), a form field's last part, a pair's name
//! member before its value member ([`pairs`]), a label of words (`API Key:`).

use super::{REDACTED, REMOVED, find, trim_end};
use crate::redact::Redactor;
use crate::redact::byte_class;
use crate::redact::card;
use crate::redact::keys::KeyRule;
use crate::redact::pairs::{self, PairRole};

/// Whether `name`, between quotes that follow `before`, is a quoted name as JSON objects
/// and dict literals write them: name characters, spaces and `:` (Cognito's
/// `custom:api_key`), not starting with a space, after `{`,
/// `,`, `[`, `(`, `;`, at a line's start (pretty-printed JSON) or the start of the text (and
/// see [`quoted_word_after_blank`]). (Never the stretch between a value's closing
/// quote and a later quote — such a stretch must not become a name once a value before it
/// was replaced.) Nor is a name that holds a marker: a value inside the quotes was replaced
/// there, and what stood before (`"cvv 411+1"`, `"cvv 411%201"`: no name) must be judged
/// the same as what a second pass sees.
pub(super) fn quoted_name(before: &[u8], name: &[u8]) -> bool {
    let before = trim_end_escaped(without_backslashes(before));
    is_quoted_name_text(name)
        && (before
            .last()
            .is_none_or(|b| matches!(b, b'{' | b',' | b'[' | b'(' | b';' | b'\n' | b'\r'))
            // A line break escaped (pretty-printed JSON inside a JSON string: `{\n\"cvv\"`).
            || card::ends_escaped_blank(before, 0, before.len())
            || !name.contains(&b' ') && (ends_in_sql_keyword(before) || ends_in_table_name(before)))
}

/// `bytes` without the spaces and tabs at its end, raw or escaped as JSON writes a tab
/// (`\t`: a pretty-printed document's indentation inside a JSON string, as Go's
/// `json.MarshalIndent(v, "", "\t")` writes it).
fn trim_end_escaped(bytes: &[u8]) -> &[u8] {
    let mut bytes = trim_end(bytes);
    while bytes.ends_with(b"t") && card::ends_escaped_blank(bytes, 0, bytes.len()) {
        bytes = trim_end(&bytes[..bytes.len() - 2]);
    }
    bytes
}

/// Whether `name`, between quotes, may be a quoted name: name characters, spaces and `:`,
/// not starting with a space, holding no marker.
fn is_quoted_name_text(name: &[u8]) -> bool {
    !name.is_empty()
        && name[0] != b' '
        && name
            .iter()
            .all(|&b| is_name_byte(b) || matches!(b, b' ' | b'[' | b']' | b':'))
        && !(name.contains(&b'[') && holds_marker(name))
}

/// Whether `name`, between quotes that follow `before`, is a quoted name of one word after a
/// blank, as a message writes a pair of its own (`invalid "cvv": "737"`) — a name only where
/// an `=` or, after a `:`, a quoted value or a number follows (the caller's to see): `error:
/// "password": required field missing` is a sentence.
pub(super) fn quoted_word_after_blank(before: &[u8], name: &[u8]) -> bool {
    let before = without_backslashes(before);
    (matches!(before.last(), Some(b' ' | b'\t'))
        || card::ends_escaped_blank(before, 0, before.len()))
        && !name.contains(&b' ')
        && is_quoted_name_text(name)
}

/// Whether `before` ends in a table's quoted name and a `.`, as a column's qualified name
/// starts (`"sessions"."token"`, `` `users`.`api_key` ``): letters, digits and `_` between
/// the quotes (a marker a pass wrote is none).
fn ends_in_table_name(before: &[u8]) -> bool {
    let [rest @ .., q, b'.'] = before else {
        return false;
    };
    if !matches!(q, b'"' | b'`') {
        return false;
    }
    let name = rest
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    name > 0 && rest.len() > name && rest[rest.len() - name - 1] == *q
}

/// Whether `before` ends in a SQL keyword a quoted column's name follows (`SET "password" =
/// …`, `WHERE "api_key" = …`), a word of its own. (A column's name qualified by its table's,
/// `"sessions"."token"`, follows the table's quote and a `.`.)
fn ends_in_sql_keyword(before: &[u8]) -> bool {
    const KEYWORDS: [&[u8]; 5] = [b"set", b"where", b"and", b"or", b"on"];
    KEYWORDS.iter().any(|k| {
        before.len() >= k.len()
            && before[before.len() - k.len()..].eq_ignore_ascii_case(k)
            && before[..before.len() - k.len()]
                .last()
                .is_none_or(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    })
}

/// A quote escaped by as many backslashes as the index says, as JSON escapes it inside a
/// string once, twice, three times (`"`, `\"`, `\\\"`, `\\\\\\\"`); `None` where a count
/// leaves the quote unescaped or is more than that.
pub(super) const ESCAPED_QUOTES: [Option<&str>; 8] = [
    Some("\""),
    Some("\\\""),
    None,
    Some("\\\\\\\""),
    None,
    None,
    None,
    Some("\\\\\\\\\\\\\\\""),
];

/// `bytes` without the backslashes at its end (those escaping a quote after it).
pub(super) fn without_backslashes(bytes: &[u8]) -> &[u8] {
    let n = bytes.iter().rposition(|&b| b != b'\\').map_or(0, |p| p + 1);
    &bytes[..n]
}

/// Bytes of a bare name in free text.
pub(super) fn is_name_byte(b: u8) -> bool {
    byte_class::is(b, byte_class::NAME)
}

/// Where a bare name ending at `before`'s end starts: name bytes, and bracketed parts as
/// form fields nest them (`card[cvc]`, `payment_method[card][number]`, URL-encoded
/// `card%5Bcvc%5D`), never before `floor`.
#[inline(always)]
pub(super) fn bare_name_start(before: &[u8], floor: usize) -> usize {
    let floor = floor.min(before.len());
    let start = if matches!(before, [.., b']'] | [.., b'5', b'D' | b'd']) {
        bracketed_name_start(before, floor)
    } else {
        name_run_start(before, floor, before.len())
    };
    let start = after_escape_digits(before, start, floor);
    // Nor with the letter of an escaped line break or tab (`\npin=1234`).
    if start < before.len() && card::ends_escaped_blank(before, floor, start + 1) {
        start + 1
    } else {
        start
    }
}

/// `start`, or past the hex digits there when a `%` is right before it: a name never starts
/// inside a percent escape (`%3Fpassword%3D…`, an encoded URL's query: the name is
/// `password`, not `3Fpassword`), nor inside one encoded twice (`%253F`). A `%` before
/// `floor` belongs to what was replaced: a second pass sees a marker there, not an escape.
#[inline(always)]
fn after_escape_digits(bytes: &[u8], start: usize, floor: usize) -> usize {
    if start <= floor || bytes[start - 1] != b'%' {
        start
    } else {
        past_escape_digits(bytes, start)
    }
}

/// [`after_escape_digits`] after a `%`.
#[cold]
fn past_escape_digits(bytes: &[u8], start: usize) -> usize {
    after_escape(bytes, start, u8::is_ascii_hexdigit, |_| true)
}

/// Past the two digits of a percent escape whose `%` is right before `start` (`%20` of
/// `%204111…`), or the four of one encoded twice (`%2520`) — digits as `digit` has them, and
/// only where `goes_on` holds after them; otherwise `start`.
pub(super) fn after_escape(
    bytes: &[u8],
    start: usize,
    digit: fn(&u8) -> bool,
    goes_on: impl Fn(usize) -> bool,
) -> usize {
    if start == 0 || bytes[start - 1] != b'%' {
        return start;
    }
    let escape = |n: usize| {
        (n == 2 || bytes[start..].starts_with(b"25"))
            && bytes
                .get(start + n - 2..start + n)
                .is_some_and(|d| d.iter().all(digit))
            && goes_on(start + n)
    };
    [4, 2]
        .into_iter()
        .find(|&n| escape(n))
        .map_or(start, |n| start + n)
}

/// Where the name bytes ending at `end` start, not before `floor`. The mask character counts
/// as part of a name here: masking a card inside a name must not move where the name starts
/// (a second pass would judge another). Nor does a bare name reach back into text replaced
/// by a marker: a second pass sees the marker's closing `]` there, where the name starts.
/// (A masked card is name bytes either way, so the name runs on through it.)
#[inline(always)]
fn name_run_start(before: &[u8], floor: usize, end: usize) -> usize {
    before[..end]
        .iter()
        .rposition(|&b| !byte_class::is(b, byte_class::NAME_OR_MASK))
        .map_or(0, |p| p + 1)
        .max(floor)
}

/// Whether `text` starts with what redaction writes in place of a value.
pub(in crate::redact) fn is_marker_at(text: &[u8]) -> bool {
    text.starts_with(REMOVED.as_bytes()) || text.starts_with(REDACTED.as_bytes())
}

/// Whether `text` ends with what redaction writes in place of a value.
pub(in crate::redact) fn ends_with_marker(text: &[u8]) -> bool {
    text.ends_with(REMOVED.as_bytes()) || text.ends_with(REDACTED.as_bytes())
}

/// Whether `text` is what redaction writes in place of a value.
pub(super) fn is_marker(text: &[u8]) -> bool {
    text == REMOVED.as_bytes() || text == REDACTED.as_bytes()
}

/// Whether `text` holds what redaction writes in place of a value, anywhere in it.
pub(super) fn holds_marker(text: &[u8]) -> bool {
    find(text, REMOVED.as_bytes()).is_some() || find(text, REDACTED.as_bytes()).is_some()
}

/// Where the first of what redaction writes in place of a value starts in `text`, if it
/// holds one.
pub(super) fn marker_start(text: &[u8]) -> Option<usize> {
    (0..text.len()).find(|&k| text[k] == b'[' && is_marker_at(&text[k..]))
}

/// [`bare_name_start`] of a name that may end in bracketed parts.
fn bracketed_name_start(before: &[u8], floor: usize) -> usize {
    let mut end = before.len();
    loop {
        let head = &before[..end];
        let open = if head.ends_with(b"]") {
            // A marker is never a part: a second pass sees one where the first had a floor.
            let inner = name_run_start(before, floor, end - 1);
            (inner > floor
                && inner < end - 1
                && before[inner - 1] == b'['
                && !is_marker(&before[inner - 1..end]))
            .then(|| inner - 1)
        } else if let Some(width) = encoded_close_width(head) {
            // The part's name bytes run on through the `5B` (`255B`) of its encoded `[`.
            let open_hex = width - 1;
            let inner = name_run_start(before, floor, end - width);
            (inner > floor
                && inner + open_hex < end - width
                && before[inner - 1] == b'%'
                && before[inner..inner + open_hex].eq_ignore_ascii_case(&b"255B"[4 - open_hex..]))
            .then(|| inner - 1)
        } else {
            None
        };
        match open {
            Some(open) => end = open,
            None => break,
        }
    }
    name_run_start(before, floor, end)
}

/// The length of the encoded `]` that ends `name`: `%5D` (3), or `%255D` encoded twice (5).
fn encoded_close_width(name: &[u8]) -> Option<usize> {
    let ends = |suffix: &[u8]| {
        name.len() >= suffix.len() && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    if ends(b"%5D") {
        Some(3)
    } else if ends(b"%255D") {
        Some(5)
    } else {
        None
    }
}

/// What the value of a name found in text becomes: [`REMOVED`] for sensitive authentication
/// data, [`REDACTED`] for a secret; `None` when the name has neither rule, or is no name (no
/// letter, longer than 64 bytes). A URL-encoded name is judged decoded (`card%5Bcvc%5D` as
/// `card[cvc]`), and a form field's name by its tokens, then by its last part alone.
#[inline(always)]
pub(super) fn marker_for(redactor: &Redactor, name: &[u8]) -> Option<&'static str> {
    if name.is_empty() || name.len() > 64 || !name.iter().any(u8::is_ascii_alphabetic) {
        return None;
    }
    let rule = match redactor.text_name_rule(name) {
        KeyRule::Scan if matches!(name.last(), Some(b']' | b'D' | b'd')) => {
            form_field_rule(redactor, name)
        }
        rule => rule,
    };
    match rule {
        KeyRule::Remove => Some(REMOVED),
        KeyRule::Secret => Some(REDACTED),
        KeyRule::Scan | KeyRule::Safe => None,
    }
}

/// The marker for the value member whose key `name` (a slice of `bytes`) is a pair's value
/// key (`value`, `ParameterValue`): from the name member before it ([`pairs`]), not before
/// what this pass replaced (`floor`) nor before a marker an earlier pass wrote.
#[cold]
pub(super) fn pair_marker(
    redactor: &Redactor,
    bytes: &[u8],
    name: &[u8],
    floor: usize,
) -> Option<&'static str> {
    if pairs::role(name) != PairRole::Value {
        return None;
    }
    let start = name.as_ptr() as usize - bytes.as_ptr() as usize;
    match pairs::verdict_in_text(redactor, bytes, start, floor, true) {
        KeyRule::Remove => Some(REMOVED),
        KeyRule::Secret => Some(REDACTED),
        KeyRule::Scan => is_iso_field_sad(bytes, start, floor).then_some(REMOVED),
        KeyRule::Safe => None,
    }
}

/// Whether `number` is an ISO 8583 data element's that holds sensitive authentication data:
/// track 2 (35), track 1 (45), the PIN block (52), with or without a leading zero.
fn is_sad_element_number(number: &[u8]) -> bool {
    matches!(number, b"35" | b"45" | b"52" | b"035" | b"045" | b"052")
}

/// Whether the `value` attribute starting at `start` is an ISO 8583 data element's that
/// holds sensitive authentication data, as jPOS dumps a message (`<field id="52"
/// value="…"/>`, its quotes JSON-escaped too): track 2 (35), track 1 (45), the PIN block
/// (52). Read no further back than `floor`.
fn is_iso_field_sad(bytes: &[u8], start: usize, floor: usize) -> bool {
    let Some(before) = bytes[floor.min(start)..start].strip_suffix(b" ") else {
        return false;
    };
    let (before, quote): (_, &[u8]) = match before.strip_suffix(b"\\\"") {
        Some(before) => (before, b"\\\""),
        None => match before.strip_suffix(b"\"") {
            Some(before) => (before, b"\""),
            None => return false,
        },
    };
    let digits = before
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let (before, number) = before.split_at(before.len() - digits);
    is_sad_element_number(number)
        && before
            .strip_suffix(quote)
            .is_some_and(|before| before.ends_with(b"<field id="))
}

/// The rule of a form field's name (`card[cid]`, `card%5Bcid%5D`) whose tokens gave none:
/// URL-encoded, the name decoded first; then its last part alone, as a nested object's key
/// is judged — rules for whole keys only (Amex's `cid`) apply to it.
#[cold]
fn form_field_rule(redactor: &Redactor, name: &[u8]) -> KeyRule {
    let mut decoded = [0u8; 64];
    let mut name = name;
    if encoded_close_width(name).is_some() {
        let mut len = 0;
        let mut i = 0;
        while i < name.len() && len < decoded.len() {
            let (byte, width) = percent_decoded(name, i).unwrap_or((name[i], 1));
            decoded[len] = byte;
            len += 1;
            i += width;
        }
        name = &decoded[..len];
        let rule = redactor.text_name_rule(name);
        if rule != KeyRule::Scan {
            return rule;
        }
    }
    match name
        .strip_suffix(b"]")
        .and_then(|part| Some(&part[part.iter().rposition(|&b| b == b'[')? + 1..]))
    {
        Some(last) => redactor.text_name_rule(last),
        None => KeyRule::Scan,
    }
}

/// The byte a percent escape at `bytes[at]` stands for, and the escape's length: `%3D` is
/// `=` in 3 bytes; encoded twice — a URL inside another URL's query — `%253D` is `=` in 5.
pub(super) fn percent_decoded(bytes: &[u8], at: usize) -> Option<(u8, usize)> {
    let pair = |at: usize| {
        let hex = |b: u8| char::from(b).to_digit(16);
        match bytes.get(at..at + 2)? {
            &[high, low] => Some((hex(high)? * 16 + hex(low)?) as u8),
            _ => None,
        }
    };
    if bytes.get(at) != Some(&b'%') {
        return None;
    }
    match pair(at + 1)? {
        b'%' => Some(pair(at + 3).map_or((b'%', 3), |twice| (twice, 5))),
        once => Some((once, 3)),
    }
}

/// Whether a bare name says something only with the word before it: the second word of a
/// secret's or sensitive data's two-word name (`API Key`, `Security Code`, `Verification
/// Value`, `Track Data`, `PIN Block`, `PIN Number`, `Recovery Codes`, `Seed Phrase`), which a
/// label in prose writes with a space — and the number of an ISO 8583 data element that
/// holds sensitive authentication data (`Field 52`, `DE 035`: track 2, track 1, the PIN
/// block).
#[inline]
pub(super) fn needs_a_word_before(name: &[u8]) -> bool {
    let first = name.first().map_or(0, |b| b | 0x20);
    let word: &[u8] = match (name.len(), first) {
        (2, b'3' | b'4' | b'5') | (3, b'0') => {
            return is_sad_element_number(name);
        }
        (3, b'k') => b"key",
        (4, b'c') => b"code",
        (5, b'c') => b"codes",
        (6, b'p') => b"phrase",
        (4, b'd') => b"data",
        (5, b'v') => b"value",
        (5, b'b') => b"block",
        (6, b'n') => b"number",
        (12, b'v') => b"verification",
        _ => return false,
    };
    name.eq_ignore_ascii_case(word)
}

/// A label of words joined by single spaces and ending in a name at `start` (`API Key:`,
/// `Secret Key =`, `AWS Secret Access Key:`), judged with one word before the name, then
/// two: the label and its marker when one of them is sensitive. Never before `floor`.
#[cold]
pub(super) fn label<'b>(
    redactor: &Redactor,
    before: &'b [u8],
    start: usize,
    floor: usize,
) -> Option<(&'b [u8], &'static str)> {
    let mut start = start;
    for _ in 0..2 {
        if start < floor + 2 || before[start - 1] != b' ' {
            return None;
        }
        let word = name_run_start(before, floor, start - 1);
        if word == start - 1 {
            return None;
        }
        start = word;
        if let Some(fixed) = marker_for(redactor, &before[start..]) {
            return Some((&before[start..], fixed));
        }
    }
    None
}

/// The most bytes a note in parentheses between a label and its separator spans.
const NOTE_REACH: usize = 32;

/// A label with a note in parentheses between it and its separator (`before` ends with the
/// note's `)`): `CVV (3 digits):`, `PIN block (52):`, `Field 52 (PIN block):`, `Password
/// (optional) =`. The label's words when they are a sensitive name, else the note's, with
/// its marker. The note is words — name bytes and spaces — after a space; nothing is read
/// before `floor`.
#[cold]
pub(super) fn noted_label<'b>(
    redactor: &Redactor,
    before: &'b [u8],
    floor: usize,
) -> Option<(&'b [u8], &'static str)> {
    let close = before.len().checked_sub(1)?;
    let reach = close.saturating_sub(NOTE_REACH).max(floor);
    let open = reach + before.get(reach..close)?.iter().rposition(|&b| b == b'(')?;
    let note = &before[open + 1..close];
    if open == 0
        || before[open - 1] != b' '
        || note.is_empty()
        || !note.iter().all(|&b| b == b' ' || is_name_byte(b))
    {
        return None;
    }
    // The label, where this pass may read it: not under a replacement this pass wrote
    // (`floor`), nor one a pass before wrote (a marker, the name's end on the next pass).
    let head = &before[..open - 1];
    let start = bare_name_start(head, floor);
    let name = &head[start..];
    if open >= floor + 2 && !name.is_empty() && !ends_with_marker(head) {
        if let Some(fixed) = marker_for(redactor, name) {
            return Some((name, fixed));
        }
        if needs_a_word_before(name)
            && let Some(found) = label(redactor, head, start, floor)
        {
            return Some(found);
        }
    }
    marker_for(redactor, note).map(|fixed| (note, fixed))
}

/// Counts a value replaced by `marker`.
pub(super) fn count(redactor: &Redactor, marker: &str) {
    if marker == REMOVED {
        redactor.counts().add_sad();
    } else {
        redactor.counts().add_secret_text();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::text::test_support::{assert_redacted, redact};

    #[test]
    fn a_quoted_name_after_a_word_is_a_name() {
        // A message writing a pair of its own (`invalid "cvv": "737"`): only a quoted name
        // after `{`, `,` or a line's start had counted, and the value was written in clear.
        assert_redacted(&[
            (
                r#"msg "cvv": "7391" and error: "password"=hunter2"#,
                r#"msg "cvv": "[REMOVED]" and error: "password"=[REDACTED]"#,
            ),
            (
                r#"{"m":"field "api_key": "abc123""}"#,
                r#"{"m":"field "api_key": "[REDACTED]""}"#,
            ),
            // Words in quotes before a colon stay a sentence's (`the "invalid password":
            // retry`), glued to a closing quote they are no name; nor is a word in quotes
            // whose value is neither quoted nor a number (a message: `"password": required`).
            (
                r#"see "invalid password": retry, "a":"b"cvv": 1"#,
                r#"see "invalid password": retry, "a":"b"cvv": 1"#,
            ),
            (
                r#"error: "password": required field missing, then "cvv": must be 3 digits"#,
                r#"error: "password": required field missing, then "cvv": must be 3 digits"#,
            ),
            (
                r#"got "cvv": 737, "pin":'1234'"#,
                r#"got "cvv": "[REMOVED]", "pin":'[REMOVED]'"#,
            ),
        ]);
    }

    #[test]
    fn what_follows_an_escaped_line_break_starts_a_word() {
        // A JSON line's multi-line message (`lift-ship --redact`) and a string's `Debug`
        // write a line break or a tab as `\n`, `\r`, `\t`: its letter, glued to what
        // follows, hid each of these from the checks that want a word to start there.
        assert_redacted(&[
            (
                r#"{"msg":"declined\n4111111111111111"}"#,
                r#"{"msg":"declined\n411111******1111"}"#,
            ),
            (r#""a\t4111 1111 1111 1111""#, r#""a\t4111 11** **** 1111""#),
            (r#"{"msg":"x\npin=1234"}"#, r#"{"msg":"x\npin=[REMOVED]"}"#),
            (
                r#"body="a\r\napi_key=abc""#,
                r#"body="a\r\napi_key=[REDACTED]""#,
            ),
            (r#""x\nBearer abcdef123456""#, r#""x\nBearer [REDACTED]""#),
            (
                r#""x\nsk_live_abcdefghijklmnop1234""#,
                r#""x\nsk_live_[REDACTED]""#,
            ),
            (r#""x\nAKIAIOSFODNN7EXAMPLE""#, r#""x\n[REDACTED]""#),
            (r#""x\ncvv 123""#, r#""x\ncvv [REMOVED]""#),
            (
                r#""x\n--password hunter2""#,
                r#""x\n--password [REDACTED]""#,
            ),
            (
                r#""x\neyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc""#,
                r#""x\n[REDACTED]""#,
            ),
            // A letter glued on without a backslash is a word's.
            ("xn4111111111111111 npin=1", "xn4111111111111111 npin=1"),
        ]);
    }

    #[test]
    fn a_pairs_value_goes_by_the_name_member_before_it_once_redacted_too() {
        // Fuzzer: the name member's value was replaced before the pair's value was reached,
        // and the look-back stopped there, where a second pass read on past the marker — the
        // value went only on a second pass. Both passes now stop at what was replaced.
        assert_eq!(
            redact(r#"name:Some(pin:d" value=s"#),
            r#"name:Some(pin:[REMOVED]" value=s"#
        );
        // Fuzzer: a name member the pass replaced (`name:` after `cvv[k]=`) was read as it
        // stood, where a second pass no longer found it.
        assert_eq!(
            redact(r##"name=cvv[k]=name:""""value=c"##),
            r##"name=cvv[k]=[REMOVED]""""value=c"##
        );
    }

    #[test]
    fn a_pairs_value_goes_by_the_name_member_before_it() {
        assert_eq!(
            redact(r#"[{"name":"DB_PASSWORD","value":"hunter2"},{"name":"REGION","value":"eu"}]"#),
            r#"[{"name":"DB_PASSWORD","value":"[REDACTED]"},{"name":"REGION","value":"eu"}]"#
        );
        assert_eq!(
            redact(r#"{"ParameterKey":"card_cvv","ParameterValue":"737"}"#),
            r#"{"ParameterKey":"card_cvv","ParameterValue":"[REMOVED]"}"#
        );
        assert_eq!(
            redact(r#"{"Name":"/prod/app/key","Type":"SecureString","Value":"sk","Version":3}"#),
            r#"{"Name":"/prod/app/key","Type":"SecureString","Value":"[REDACTED]","Version":3}"#
        );
        assert_eq!(
            redact("env:\n- name: DB_PASSWORD\n  value: hunter2\n- name: A\n  value: b"),
            "env:\n- name: DB_PASSWORD\n  value: [REDACTED]\n- name: A\n  value: b"
        );
        assert_eq!(
            redact(r#"Parameter { name: Some("api_key"), value: Some("k1") }"#),
            r#"Parameter { name: Some("api_key"), value: [REDACTED] }"#
        );
        assert_eq!(
            redact(r#"body {\"name\":\"X-Api-Key\",\"value\":\"k1\"}"#),
            r#"body {\"name\":\"X-Api-Key\",\"value\":\"[REDACTED]\"}"#
        );
        // A value before its name, a name in another object, a name saying nothing.
        for benign in [
            r#"{"value":"v","name":"DB_PASSWORD"}"#,
            r#"{"name":"DB_PASSWORD","meta":{"value":"v"}}"#,
            r#"{"name":"Anna Kowalski","value":"v"}"#,
            "valueFrom: x, name: DB_PASSWORD",
        ] {
            assert_eq!(redact(benign), benign);
        }
    }

    #[test]
    fn a_pair_is_looked_for_no_further_back_than_a_masked_card() {
        // Fuzzer: the pair's name member was found across a card number on the first pass
        // only (a second reads back no further than the mask); with no value to replace it
        // kept the user flag's check from looking, and with one, the first pass replaced
        // the value as the pair's and the second found the user flag's empty password.
        // (Letting the checks look after a pair with nothing to replace broke the third: a
        // second pass found the first's marker there, and then the user flag.)
        for text in [
            "name:pin+41111114111111 curl -u value:",
            "name:pin 41111114111111 curl -u value:\"x\"",
            "Type:SecureString\"curl -u value: B",
        ] {
            let once = redact(text);
            assert_eq!(redact(&once), once, "{text}");
        }
        assert_eq!(
            redact("name:pin+41111114111111 curl -u value:"),
            "name:pin+411111****1111 curl -u [REDACTED]:"
        );
        // A pair whose members stand on either side of a card: the value is judged alone
        // (docs/redaction.md, "Not detected today": a value redacted before between them).
        assert_eq!(
            redact("{\"name\":\"pin\",\"card\":\"4111111111111111\",\"value\":\"1234\"}"),
            "{\"name\":\"pin\",\"card\":\"411111******1111\",\"value\":\"1234\"}"
        );
    }

    #[test]
    fn a_quoted_name_may_hold_a_colon() {
        // Cognito's custom attributes, as a trigger's event carries them (each was in clear).
        assert_eq!(
            redact(r#"{"custom:pin":"1234","custom:api_key":"k","email":"a@b.c"}"#),
            r#"{"custom:pin":"[REMOVED]","custom:api_key":"[REDACTED]","email":"a@b.c"}"#
        );
        assert_eq!(
            redact("{'custom:password': 'x'}"),
            "{'custom:password': '[REDACTED]'}"
        );
        // The colon inside such a name is no separator: its "value" would be the quote that
        // closes the name (found by the fuzzer: a second pass took `":"` for one, and
        // `": "` after a label).
        for (text, want) in [
            ("\"cvv:\":x", "\"cvv:\":\"[REMOVED]\""),
            ("\"vvAPI Key: \":x", "\"vvAPI Key: \":\"[REDACTED]\""),
        ] {
            let once = redact(text);
            assert_eq!(once, want);
            assert_eq!(redact(&once), once);
        }
    }

    #[test]
    fn iso_8583_s_sensitive_data_elements_go_by_their_numbers() {
        // Each was written in clear: a data element's number after its word, a note in
        // parentheses before the separator, jPOS's dump of a message.
        assert_redacted(&[
            ("Field 52: A1B2C3D4E5F60718", "Field 52: [REMOVED]"),
            ("Bit 52: A1B2C3D4E5F60718", "Bit 52: [REMOVED]"),
            ("DE 035: 4111111111111111=2512", "DE 035: [REMOVED]"),
            (
                "PIN block (52): A1B2C3D4E5F60718",
                "PIN block (52): [REMOVED]",
            ),
            (
                "Field 52 (PIN block): A1B2C3D4E5F60718",
                "Field 52 (PIN block): [REMOVED]",
            ),
            (
                "<field id=\"0\" value=\"0200\"/><field id=\"52\" value=\"A1B2C3D4E5F60718\" \
                 type=\"binary\"/>",
                "<field id=\"0\" value=\"0200\"/><field id=\"52\" value=\"[REMOVED]\" \
                 type=\"binary\"/>",
            ),
            (
                "<field id=\\\"45\\\" value=\\\"B4111111111111111^DOE/J^2512\\\"/>",
                "<field id=\\\"45\\\" value=\\\"[REMOVED]\\\"/>",
            ),
            // Other elements, other numbers, other elements' ids stay.
            (
                "Field 4: 000000001250, DE 53: 0101000000000000",
                "Field 4: 000000001250, DE 53: 0101000000000000",
            ),
            (
                "<field id=\"4\" value=\"000000001250\"/>",
                "<field id=\"4\" value=\"000000001250\"/>",
            ),
            (
                "<option id=\"52\" value=\"XL\"/>",
                "<option id=\"52\" value=\"XL\"/>",
            ),
        ]);
    }

    #[test]
    fn a_note_in_parentheses_between_a_label_and_its_separator_is_read_past() {
        assert_redacted(&[
            (
                "Password (optional) = hunter2",
                "Password (optional) = [REDACTED]",
            ),
            ("API key (prod): k8Zq2Lm9Wv4R", "API key (prod): [REDACTED]"),
            (
                "Card code (3 digits): 737",
                "Card code (3 digits): [REMOVED]",
            ),
            // Names that say nothing, a note that is no words, a note on another line.
            (
                "Retries (max): 3, Amount (EUR): 12.50",
                "Retries (max): 3, Amount (EUR): 12.50",
            ),
            ("cvv (x, y): 737", "cvv (x, y): 737"),
            ("pin\n(x): 1234", "pin\n(x): 1234"),
        ]);
        // Composition sweep (seed 128): with the label replaced before the note (a URL's
        // secret, a value), the first pass read nothing and the second read the note.
        for text in [
            "https://hooks.slack.com/services/T0A1B2C3D/B0A1B2C3D/abcDE (Ftoken123ghi): card:",
            "TtokenAIL: Key (key_component_1)=P \"482913\"",
        ] {
            let once = redact(text);
            assert_eq!(redact(&once), once, "{text}");
        }
    }

    #[test]
    fn labels_of_words_are_judged_whole() {
        for (text, want) in [
            // Each was left in clear before: the name alone (`Key`) says nothing.
            ("API Key: 3f9a8b7c6d5e", "API Key: [REDACTED]"),
            ("Secret Key: abcd, next", "Secret Key: [REDACTED], next"),
            ("Signing key = xyz", "Signing key = [REDACTED]"),
            ("api key=abc&x=1", "api key=[REDACTED]&x=1"),
            (
                "AWS Secret Access Key: wJalr",
                "AWS Secret Access Key: [REDACTED]",
            ),
            ("Security Code: 737", "Security Code: [REMOVED]"),
            (
                "Card Verification Value: 737",
                "Card Verification Value: [REMOVED]",
            ),
            ("card verification: 737", "card verification: [REMOVED]"),
            (
                "Track Data: x PIN Block: 04",
                "Track Data: [REMOVED] PIN Block: [REMOVED]",
            ),
            // An account's recovery codes, a wallet's recovery words (each was in clear).
            // (All the codes listed, to the line's end: each is a sign-in.)
            (
                "Recovery Codes: 8f2a-4c1d 9b3e-7a2f, 4c1d-8f2a\nnext",
                "Recovery Codes: [REDACTED]\nnext",
            ),
            ("backup_codes=12345678 87654321", "backup_codes=[REDACTED]"),
            (
                r#"seed phrase: "abandon ability able""#,
                r#"seed phrase: "[REDACTED]""#,
            ),
            // Labels that hold nothing sensitive, and other names, stay.
            ("Error codes: 500, 502", "Error codes: 500, 502"),
            ("Search phrase: card", "Search phrase: card"),
            ("Primary key: 42", "Primary key: 42"),
            ("Public Key: abc", "Public Key: abc"),
            ("Idempotency Key: abc", "Idempotency Key: abc"),
            (
                "Error Code: 42 Status Code: 500",
                "Error Code: 42 Status Code: 500",
            ),
            ("Email Verification: pending", "Email Verification: pending"),
            ("Auth failed: timeout", "Auth failed: timeout"),
            ("token refresh: ok", "token refresh: ok"),
            ("the secret to a good key: x", "the secret to a good key: x"),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn a_percent_before_the_floor_is_no_escape_before_a_name() {
        // The fuzzer found a wrapper's 4 KiB reach ending right after a `%`: the first pass
        // read `%3c` as an escape before the name (`vv`), the second, with the `%` replaced,
        // `3cvv` — and then took its object. (Wrappers now end at a bracket or a line's end.)
        assert_eq!(bare_name_start(b"x%3cvv", 0), 4);
        assert_eq!(bare_name_start(b"x%3cvv", 2), 2);
    }
}
