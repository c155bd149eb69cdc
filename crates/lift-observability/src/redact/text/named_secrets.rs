//! A password, a key or a secret after its name and a blank, as prose writes them (`login
//! failed for bob with password hunter2`, `the password is P@ssw0rd!`, `passwd "correct
//! horse"`, `invalid API key 4478a9b0c1d2e3f4`, `HMAC key is "…"`, `invalid client secret
//! 8f2a…`). A password is found at its name's `w` — a `w` after an `s` anchors (`password`,
//! `passwd`; an `r` before it shares the comparison and anchors too) —, a key at the `k` of
//! `key` (a `k` before an `e` anchors), a secret at the `r` of `secret` and credentials at
//! the `r` of `credentials` (an `r` after a `c` anchors, as a `v` does for `cvv`). A name and
//! a `=` or `:` after it are a separator's.
//!
//! A reset or sign-in link's token in a path goes too, at the same `w`
//! (`/reset-password/8f14e45f…`, `/password/reset/…`, `/passwordless/…`).
//!
//! Prose after such a name is mostly words (`password reset`, `password is incorrect`, `API
//! key rotated`): a quoted value is taken whatever it holds, a bare one only where it does not
//! read as a word — a password or a secret holding a digit, a symbol or a capital inside it
//! (`hunter2`, `P@ss`, `HunterTwo`), a key of 8 bytes or more holding a digit. A password of
//! lower-case letters alone after its name and a blank stays (`password hunter`): no rule
//! tells it from the next word of a sentence. `key` and `secret` alone name too much (a
//! cache's key, a map's, an idempotency key; a Secrets Manager secret by its name, `secret
//! prod/db not found`): only a secret's kind before them makes them one (`API key`,
//! `secret_key`, `signingKey`, [`KEY_KINDS`]; `client secret`, `signing_secret`,
//! `webhookSecret`, [`SECRET_KINDS`]).

use super::cards::digit_run_end;
use super::names::{holds_marker, is_name_byte, marker_start};
use super::sql;
use super::statuses::CHANGES;
use super::{Finding, at_word_start, blank_len, is_word_byte, secret};
use crate::redact::card::MASK_CHAR;
use crate::redact::{Counts, Redactor};

/// Fewest bytes of a bare value taken for a password (`v2`, `OK` are words).
const SHORTEST_PASSWORD: usize = 4;

/// Fewest bytes of a bare value taken for a key (keys are long; `v1.2` is a version).
const SHORTEST_KEY: usize = 8;

/// The words before `key` that make it a secret's name (`API key`, `secret_key`,
/// `signingKey`): `key` alone names a cache's, a map's, a database's.
const KEY_KINDS: [&[u8]; 10] = [
    b"api",
    b"secret",
    b"access",
    b"private",
    b"signing",
    b"hmac",
    b"encryption",
    b"master",
    b"webhook",
    b"client",
];

/// The words before `secret` that make it a secret's name (`client secret`, `signing_secret`,
/// `consumerSecret`): `secret` alone names a Secrets Manager secret as often as it holds one.
const SECRET_KINDS: [&[u8]; 14] = [
    b"client",
    b"app",
    b"api",
    b"consumer",
    b"oauth",
    b"shared",
    b"signing",
    b"webhook",
    b"hmac",
    b"jwt",
    b"session",
    b"cookie",
    b"totp",
    b"mfa",
];

/// Most bytes of a quoted value looked for its closing quote.
const LONGEST_QUOTED: usize = 256;

/// At the `w` at `at` (after an `s`, or an `r`): a password after `password` or `passwd`
/// — as a whole word (`db_password` ends one; a long flag's, `--password`, too), any case,
/// nowhere before `floor` (text a replacement wrote over) — a blank or two, and perhaps
/// `is`/`was` (and a colon) and a blank: the value's text `[REDACTED]`. A bare value ends at a blank (a sentence's `.`,
/// `,`, `;`, `)` after it stays); a number whose first group it is goes whole (`1234 5678`).
///
/// Or `password` as a column's name in a SQL statement's list ([`sql::values_of_column`]).
#[cold]
pub(super) fn password_after_name(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    floor: usize,
) -> Option<Finding> {
    let counts = redactor.counts();
    password_value(bytes, at, floor, counts)
        .or_else(|| sql::values_of_column(ends_pass(bytes, at), redactor, bytes, at, floor))
}

/// Whether the `w` at `at` ends a `pass` (any case): where [`password_after_name`] may find
/// anything.
#[inline(always)]
pub(super) fn ends_pass(bytes: &[u8], at: usize) -> bool {
    at.checked_sub(4)
        .and_then(|s| bytes.get(s..at))
        .is_some_and(|name| name.eq_ignore_ascii_case(b"pass"))
}

/// [`password_after_name`]'s value after its name.
fn password_value(bytes: &[u8], at: usize, floor: usize, counts: &Counts) -> Option<Finding> {
    let start = at.checked_sub(4).filter(|&s| s >= floor)?;
    if !ends_pass(bytes, at) || !at_word_start(bytes, start) {
        return None;
    }
    let rest = &bytes[at..];
    let name_end = if starts_with_ignoring_case(rest, b"word") {
        at + 4
    } else if starts_with_ignoring_case(rest, b"wd") {
        at + 2
    } else if rest
        .get(..4)
        .is_some_and(|w| w.eq_ignore_ascii_case(b"word"))
    {
        // A path's segment, the name glued to what follows (`/reset-password/…`).
        let (start, end) = reset_link_token(bytes, at + 4)?;
        return Some(secret(start, end, counts));
    } else {
        return None;
    };
    let (start, end) = value_after(bytes, floor, name_end, reads_as_password)?;
    Some(secret(start, end, counts))
}

/// Fewest bytes of a path's segment taken for a password reset link's token (Rails' and
/// Laravel's hold 20 and more; a UUID 36).
const SHORTEST_LINK_TOKEN: usize = 16;

/// After a path's segment naming a password, ending at `name_end` — `/reset-password/`,
/// `/password_resets/`, `/passwordless/`, or `/password/` and one word (`reset/`) —: the
/// next segment when it reads as a reset or sign-in link's token, 16 or more of letters,
/// digits, `_` and `-` holding a digit (`/reset-password/8f14e45fceea167a5a36`, as an access
/// log or a request's path writes it: whoever holds it sets the account's password or signs
/// in), not a file's name (`….json`) nor a segment encoded on (`…%2F`) or glued to a bracket
/// (a marker: the text after it that a pass replaced may have started with a `%`).
fn reset_link_token(bytes: &[u8], name_end: usize) -> Option<(usize, usize)> {
    let run = |from: usize, f: fn(&u8) -> bool| {
        bytes
            .get(from..)
            .map_or(0, |rest| rest.iter().take_while(|b| f(b)).count())
    };
    let segment_end = name_end + run(name_end, |b| b.is_ascii_alphabetic() || b"_-".contains(b));
    if bytes.get(segment_end) != Some(&b'/') {
        return None;
    }
    let mut start = segment_end + 1;
    let word = run(start, u8::is_ascii_alphabetic);
    if word > 0 && bytes.get(start + word) == Some(&b'/') {
        start += word + 1;
    }
    let len = run(start, |b| b.is_ascii_alphanumeric() || b"_-".contains(b));
    let token = &bytes[start..start + len];
    (len >= SHORTEST_LINK_TOKEN
        && token.iter().any(u8::is_ascii_digit)
        && bytes
            .get(start + len)
            .is_none_or(|&b| !matches!(b, b'.' | b'%' | b'*' | b'[')))
    .then_some((start, start + len))
}

/// Whether a bare word after a password's or a secret's name reads as one: 4 bytes or more
/// holding a digit, a symbol (not `'` or `-`, which words hold) or a capital inside it with
/// a lower-case letter (`hunter2`, `P@ss`, `HunterTwo`; not `reset`, `FAILED`, `re-entered`),
/// and no version's number (`password v2.1 rollout`).
fn reads_as_password(word: &[u8]) -> bool {
    word.len() >= SHORTEST_PASSWORD
        && !is_version(word)
        && (word
            .iter()
            .any(|&b| b.is_ascii_digit() || b.is_ascii_punctuation() && b != b'\'' && b != b'-')
            || word[1..].iter().any(u8::is_ascii_uppercase)
                && word.iter().any(u8::is_ascii_lowercase))
}

/// Whether `word` is a version's number: numbers joined by dots, perhaps after a `v` (`v2.1`,
/// `1.4.0`, `V3.10.2`). A number may hold a masked card's hidden digits (`1.621619******7044`:
/// a pass before masked the card it ended in, where it read a version).
fn is_version(word: &[u8]) -> bool {
    let numbers = match word {
        [b'v' | b'V', rest @ ..] => rest,
        _ => word,
    };
    let number = |n: &[u8]| {
        n.first().is_some_and(u8::is_ascii_digit)
            && n.last().is_some_and(u8::is_ascii_digit)
            && n.iter()
                .all(|&b| b.is_ascii_digit() || b == MASK_CHAR as u8)
    };
    numbers.contains(&b'.') && numbers.split(|&b| b == b'.').all(number)
}

/// At the `k` at `k` (before an `e`): a key after `key` — the last word of a secret's name,
/// [`KEY_KINDS`] right before it (`API key`, `secret_key`, `signing-key`, `apiKey`), nowhere
/// before `floor` — a blank or two, and perhaps `is ` or `was `: the value's text
/// `[REDACTED]`. A bare value is 8 bytes or more holding a digit (`4478a9b0c1d2e3f4`,
/// `key-3ax6xnjp29jd6fds4gc373sgvjxteol0`), up to a blank.
#[cold]
pub(super) fn key_after_name(
    bytes: &[u8],
    k: usize,
    floor: usize,
    counts: &Counts,
) -> Option<Finding> {
    if !bytes[k..].get(..3)?.eq_ignore_ascii_case(b"key")
        || !kind_before(bytes, k, floor, &KEY_KINDS)
        // PGP's armour (`-----BEGIN PGP PRIVATE KEY BLOCK-----`): its label, no value; the
        // key's own detector redacts the body after it.
        || bytes[k + 3..].starts_with(PGP_ARMOUR_END)
    {
        return None;
    }
    let (start, end) = value_after(bytes, floor, k + 3, |word| {
        word.len() >= SHORTEST_KEY && word.iter().any(u8::is_ascii_digit)
    })?;
    Some(secret(start, end, counts))
}

/// What follows `KEY` in PGP's private key armour.
const PGP_ARMOUR_END: &[u8] = b" BLOCK-----";

/// Whether the `r` at `r` is `secret`'s or `credential`'s (any case).
#[inline(always)]
pub(super) fn names_secret(bytes: &[u8], r: usize) -> bool {
    r >= 3
        && bytes
            .get(r - 3..r + 3)
            .is_some_and(|name| name.eq_ignore_ascii_case(b"secret"))
        || names_credentials(bytes, r)
}

/// Whether the `r` at `r` is the second letter of `credential` (any case; whether it stands
/// as a word, [`credentials_after_name`] judges).
#[inline(always)]
fn names_credentials(bytes: &[u8], r: usize) -> bool {
    // Its first eight letters as one word, each folded to lower case (only a letter's case
    // differs by that bit), then the last two.
    let Some(&[c, r2, e, d, e2, n, t, i, a, l]) = r
        .checked_sub(1)
        .and_then(|c| bytes.get(c..c + CREDENTIAL.len()))
    else {
        return false;
    };
    u64::from_le_bytes([c, r2, e, d, e2, n, t, i]) | 0x2020_2020_2020_2020
        == u64::from_le_bytes(*b"credenti")
        && [a, l].eq_ignore_ascii_case(b"al")
}

/// The word `credential`, as [`secret_after_name`] reads it before a value.
const CREDENTIAL: &[u8] = b"credential";

/// At the `r` at `r` (after a `c`): a secret after `secret` — the last word of a secret's
/// name, [`SECRET_KINDS`] right before it (`client secret`, `signing_secret`,
/// `webhookSecret`), nowhere before `floor` — a blank or two, and perhaps `is ` or `was `:
/// the value's text `[REDACTED]`. A bare value reads as a password does (`8f2a…`, `s3cr3t`),
/// up to a blank. Or credentials after `credentials` (`credential`) as a whole word, whatever
/// stands before it (`rejected credentials x9y8z7w6`, `using credentials
/// admin:hunter2`): a bare value there is 8 bytes or more holding a letter and a digit —
/// what follows the word is mostly words (`credentials expired`, `credentials for bob`).
///
/// Or either name as a column's in a SQL statement's list ([`sql::values_of_column`]).
#[cold]
pub(super) fn secret_after_name(
    redactor: &Redactor,
    bytes: &[u8],
    r: usize,
    floor: usize,
) -> Option<Finding> {
    let counts = redactor.counts();
    secret_value(bytes, r, floor, counts)
        .or_else(|| sql::values_of_column(names_secret(bytes, r), redactor, bytes, r, floor))
}

/// [`secret_after_name`]'s value after its name.
fn secret_value(bytes: &[u8], r: usize, floor: usize, counts: &Counts) -> Option<Finding> {
    if names_credentials(bytes, r) {
        return credentials_after_name(bytes, r - 1, floor, counts);
    }
    let name = r.checked_sub(3).filter(|&s| s >= floor)?;
    if !names_secret(bytes, r) || !kind_before(bytes, name, floor, &SECRET_KINDS) {
        return None;
    }
    let (start, end) = value_after(bytes, floor, r + 3, reads_as_password)?;
    Some(secret(start, end, counts))
}

/// After `credential` or `credentials` starting at `name`, a whole word none of whose bytes
/// stands before `floor`: the value [`secret_after_name`] takes there.
fn credentials_after_name(
    bytes: &[u8],
    name: usize,
    floor: usize,
    counts: &Counts,
) -> Option<Finding> {
    let mut end = name + CREDENTIAL.len();
    if matches!(bytes.get(end), Some(b's' | b'S')) {
        end += 1;
    }
    if name < floor
        || !at_word_start(bytes, name)
        || bytes.get(end).is_some_and(|b| is_word_byte(*b))
    {
        return None;
    }
    let (start, end) = value_after(bytes, floor, end, |word| {
        word.len() >= SHORTEST_KEY
            && word.iter().any(u8::is_ascii_digit)
            && word.iter().any(u8::is_ascii_alphabetic)
            && !is_version(word)
    })?;
    // An AWS access key id is its own detector's, which takes the secret access key after
    // it too (`credentials AKIA… / wJalr…`).
    if bytes[start..end].starts_with(b"AKIA") || bytes[start..end].starts_with(b"ASIA") {
        return None;
    }
    Some(secret(start, end, counts))
}

/// Whether one of `kinds` stands as a whole word right before the name at `name` (or with a
/// `_`, `-` or blank between them), nowhere before `floor`.
fn kind_before(bytes: &[u8], name: usize, floor: usize, kinds: &[&[u8]]) -> bool {
    let floor = floor.min(name);
    let mut kind_end = name;
    if kind_end > floor && matches!(bytes[kind_end - 1], b' ' | b'_' | b'-') {
        kind_end -= 1;
    }
    kinds
        .iter()
        .find(|kind| {
            kind_end >= floor + kind.len()
                && bytes[kind_end - kind.len()..kind_end].eq_ignore_ascii_case(kind)
        })
        .is_some_and(|kind| at_word_start(bytes, kind_end - kind.len()))
}

/// The value after a name ending at `name_end`: one or two blanks, perhaps `is`, `was`, `is:` or `was:` and a blank,
/// then a quoted value's text (whatever it holds, on one line, but a marker — a pass replaced
/// something in it, which may have brought a quote too far before within reach — or a
/// separator or a comma first: the quote closed a quoted name) or a bare
/// value up to a blank or a marker — a sentence's `.`, `,`, `;`, `:` or closing bracket or
/// quote after it left off — that `reads_as_secret` and opens with neither a bracket
/// (`(hidden)`, `<redacted>`) nor a separator. A number whose first group it is goes whole
/// (`1234 5678`): none of its digits is left.
fn value_after(
    bytes: &[u8],
    floor: usize,
    name_end: usize,
    reads_as_secret: impl Fn(&[u8]) -> bool,
) -> Option<(usize, usize)> {
    let mut value = after_blanks(bytes, name_end)?;
    for verb in [&b"is"[..], b"was", b"is:", b"was:"] {
        if starts_with_ignoring_case(&bytes[value..], verb)
            && let Some(after) = after_blanks(bytes, value + verb.len())
        {
            value = after;
            break;
        }
    }
    // A change and `to` (`Password reset to …`, `secret rotated to …`).
    for verb in CHANGES {
        if starts_with_ignoring_case(&bytes[value..], verb)
            && let Some(to) = after_blanks(bytes, value + verb.len())
            && starts_with_ignoring_case(&bytes[to..], b"to")
            && let Some(after) = after_blanks(bytes, to + 2)
        {
            value = after;
            break;
        }
    }
    // A quote, or a double quote escaped as JSON text has it (`\"`).
    let quote: &[u8] = match bytes[value..] {
        [b'\\', b'"', ..] => b"\\\"",
        [b'"', ..] => b"\"",
        [b'\'', ..] => b"'",
        _ => b"",
    };
    if !quote.is_empty() {
        let inner = value + quote.len();
        let len = bytes[inner..]
            .iter()
            .take(LONGEST_QUOTED)
            .position(|&b| b == quote[0] || b == b'\n' || b == b'\r')?;
        let text = &bytes[inner..inner + len];
        // A quote that closes a quoted name, a separator or a list's comma after it
        // (`"password ":"x"`, `["password ", "x"]`): what stands between the quotes is no
        // value — a separator's look-back reads the one after.
        let between = matches!(
            text.iter().find(|&&b| !is_blank(b)),
            Some(b':' | b'=' | b',')
        );
        return (len > 0
            && !between
            && bytes[inner + len..].starts_with(quote)
            && !holds_marker(text))
        .then_some((inner, inner + len));
    }
    let len = bare_value_len(&bytes[value..]);
    let word = &bytes[value..value + len];
    // A separator's value (`password =x`): the separator's. Text a pass replaced ends it
    // (`hunter2[REDACTED]`): what a second pass reads there starts no value. A line break
    // escaped right after the blanks (`password \nx`) ends it before it starts.
    if matches!(word.first(), None | Some(b'=' | b':')) {
        return None;
    }
    let word = &word[..marker_start(word).unwrap_or(len)];
    // An attribute (`<password type="text">hunter2</password>`: the name opens an element)
    // is no value either: the element's is found from its tags.
    if is_attribute(word) && opens_element(bytes, floor, name_end) {
        return None;
    }
    let word = &word[..sentence_end(word)];
    if word.is_empty() || matches!(word[0], b'(' | b'[' | b'{' | b'<') || !reads_as_secret(word) {
        return None;
    }
    let end = value + word.len();
    if word.iter().all(u8::is_ascii_digit) {
        return Some((value, digit_run_end(bytes, end)));
    }
    Some((value, end))
}

/// Where a bare value's text ends before the punctuation a sentence or a quote closing
/// around it leaves at its end (`.`, `,`, `;`, `:`, a closing bracket, a quote — escaped
/// too: its backslashes go with it, `hunter2\"` in a JSON line's message).
fn sentence_end(word: &[u8]) -> usize {
    let mut kept = word.len();
    loop {
        match word[..kept] {
            [.., b'.' | b',' | b';' | b':' | b')' | b']' | b'}' | b'\''] => kept -= 1,
            [.., b'"'] => {
                kept -= 1;
                while kept > 0 && word[kept - 1] == b'\\' {
                    kept -= 1;
                }
            }
            _ => return kept,
        }
    }
}

/// Whether `word` starts as an element's attribute does: a name, `=` and a quote (`"`, `'`,
/// JSON-escaped `\"`) — whatever the quotes hold, which other findings may change.
fn is_attribute(word: &[u8]) -> bool {
    let name = word.iter().take_while(|&&b| is_name_byte(b)).count();
    name > 0
        && matches!(
            &word[name..],
            [b'=', b'"' | b'\'', ..] | [b'=', b'\\', b'"', ..]
        )
}

/// Whether the name ending at `name_end` opens an XML element: `<` right before it, or `<`
/// and a namespace's prefix (`<wsse:Password`) — read no further back than `floor` (text a
/// replacement wrote over: a second pass reads a marker there).
pub(super) fn opens_element(bytes: &[u8], floor: usize, name_end: usize) -> bool {
    let from = floor.min(name_end);
    let name = bytes[from..name_end]
        .iter()
        .rev()
        .take_while(|&&b| is_name_byte(b) || b == b':')
        .count();
    let start = name_end - name;
    start > from && bytes[start - 1] == b'<'
}

/// Where the text after one or two blanks (spaces, tabs — raw, or a tab escaped as a JSON
/// line's message holds it, `\t`) at `from` starts, if it does and holds something.
fn after_blanks(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    let mut blanks = 0;
    while blanks < 3 {
        match blank_len(bytes, at) {
            0 => break,
            n => at += n,
        }
        blanks += 1;
    }
    ((1..=2).contains(&blanks) && bytes.get(at).is_some_and(|&b| !is_blank(b))).then_some(at)
}

/// How long a bare value at the start of `text` is: up to a blank, raw or escaped as JSON
/// writes a line break or a tab (`\n`, `\t`; an escaped backslash before the letter is the
/// value's own).
fn bare_value_len(text: &[u8]) -> usize {
    let mut i = 0;
    while i < text.len() && !is_blank(text[i]) {
        if text[i] == b'\\'
            && matches!(text.get(i + 1), Some(b'n' | b'r' | b't'))
            && (i == 0 || text[i - 1] != b'\\')
        {
            break;
        }
        i += 1;
    }
    i
}

/// A space, a tab or a line break.
fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Whether `text` starts with `word` (lower case), any case, as a whole word: a blank after
/// it (or a tab escaped, `\t`).
fn starts_with_ignoring_case(text: &[u8], word: &[u8]) -> bool {
    text.get(..word.len())
        .is_some_and(|w| w.eq_ignore_ascii_case(word))
        && (text.get(word.len()).is_some_and(|&b| is_blank(b))
            || text[word.len()..].starts_with(b"\\t"))
}

#[cfg(test)]
mod tests {
    use crate::redact::text::test_support::{assert_redacted, redact, redacted_once_for_all};

    #[test]
    fn a_password_after_its_name_and_a_blank_in_prose_goes() {
        // Written in clear before: only a separator after the name was looked for.
        assert_redacted(&[
            (
                "login failed for bob with password hunter2",
                "login failed for bob with password [REDACTED]",
            ),
            (
                "the password is P@ssw0rd! now",
                "the password is [REDACTED] now",
            ),
            ("Password was Summer2024.", "Password was [REDACTED]."),
            // A colon after the verb, as a template writes it (was in clear).
            (
                "Your password is: P@ssw0rd! and the api key was: \"abc123\"",
                "Your password is: [REDACTED] and the api key was: \"[REDACTED]\"",
            ),
            ("PASSWORD HunterTwo", "PASSWORD [REDACTED]"),
            ("passwd s3cret, retrying", "passwd [REDACTED], retrying"),
            ("db_password\thunter2", "db_password\t[REDACTED]"),
            (
                "password \"correct horse\" rejected",
                "password \"[REDACTED]\" rejected",
            ),
            ("password 'hunter'", "password '[REDACTED]'"),
            (
                r#"{"msg":"password \"hunter\" rejected"}"#,
                r#"{"msg":"password \"[REDACTED]\" rejected"}"#,
            ),
            ("new password 1234 5678 set", "new password [REDACTED] set"),
            ("ok\npassword hunter2", "ok\npassword [REDACTED]"),
            // A tab escaped as a JSON line's message holds it (was kept), a value ending at
            // a line break or a tab escaped.
            (
                r#"{"msg":"db_password\th4ck3rman\tnext"}"#,
                r#"{"msg":"db_password\t[REDACTED]\tnext"}"#,
            ),
            (
                r#"{"msg":"client_secret\tabcDEF123456\nok"}"#,
                r#"{"msg":"client_secret\t[REDACTED]\nok"}"#,
            ),
            (
                r#"{"msg":"header Bearer\tabc123DEF456"}"#,
                r#"{"msg":"header Bearer\t[REDACTED]"}"#,
            ),
            // Sweep: a line break escaped right after the blank held no value — the empty
            // word's first byte was read, and the logger panicked.
            (r"password \nhunter2", r"password \nhunter2"),
        ]);
    }

    #[test]
    fn a_password_after_a_change_and_to_goes() {
        // Written in clear before: only `is` and `was` were read past.
        assert_redacted(&[
            (
                "Password reset to Xk9#mQ2v now",
                "Password reset to [REDACTED] now",
            ),
            (
                "password changed to 'tr0ub4dor&3'",
                "password changed to '[REDACTED]'",
            ),
            ("password set to expire", "password set to expire"),
            ("password moved to Xk9#mQ2v", "password moved to Xk9#mQ2v"),
        ]);
    }

    #[test]
    fn an_element_s_attributes_after_its_name_are_no_value() {
        // The element's start tag, its value and its end tag had gone as the prose's value
        // (`<password [REDACTED] rest`): only its value goes, as without attributes.
        assert_redacted(&[
            (
                "<password type=\"text\">hunter2</password> rest",
                "<password type=\"text\">[REDACTED]</password> rest",
            ),
            (
                "<wsse:Password Type='PasswordText'>hunter2</wsse:Password><wsse:Nonce>",
                "<wsse:Password Type='PasswordText'>[REDACTED]</wsse:Password><wsse:Nonce>",
            ),
            (
                "<apiKey env=\"prod\">abc123def456</apiKey> <token kind=\"x\">abc</token> x",
                "<apiKey env=\"prod\">[REDACTED]</apiKey> <token kind=\"x\">[REDACTED]</token> x",
            ),
            (
                "{\"m\":\"<clientSecret type=\\\"x\\\">abc</clientSecret> rest\"}",
                "{\"m\":\"<clientSecret type=\\\"x\\\">[REDACTED]</clientSecret> rest\"}",
            ),
        ]);
    }

    #[test]
    fn an_element_is_read_back_no_further_than_a_replacement() {
        // Fuzzer: `Token 3…` read back over name bytes to a `<` before a payload the pass
        // replaced (`<eyJwYXNz…`: no element there, a `Token` scheme's value), while a second
        // pass met the marker's `]` — the token went only then.
        let text = "{...<eyJwYXNzd29yZCI6AvczYY....YXNzd29yZCI6AvczYY.....\
                    <eyJwYXNzd29yZCI6AvczYY......Token 3...\u{fffd}#...\u{fffd}#";
        let once = redact(text);
        assert_eq!(redact(&once), once);
        assert!(once.contains("Token [REDACTED]"), "{once}");
    }

    #[test]
    fn a_password_reset_link_s_token_in_a_path_goes() {
        // Written in clear before: a path's `/` after the name is no blank.
        assert_redacted(&[
            (
                "GET /reset-password/8f14e45fceea167a5a36dedd4bea2543 200",
                "GET /reset-password/[REDACTED] 200",
            ),
            (
                "https://shop.example.com/password_resets/Xk9mQ2vT4rL8pW3nB6yZ/edit?locale=en",
                "https://shop.example.com/password_resets/[REDACTED]/edit?locale=en",
            ),
            (
                r#"{"path":"/password/reset/3f2a9c71-5b1e-4d8a-9f0c-2e7b6a1d4c93"}"#,
                r#"{"path":"/password/reset/[REDACTED]"}"#,
            ),
            (
                "/api/v1/forgot-password/a1b2c3d4e5f6a7b8c9d0?x=1",
                "/api/v1/forgot-password/[REDACTED]?x=1",
            ),
            // A passwordless sign-in link's token signs in as well.
            (
                "GET /passwordless/8f14e45fceea167a5a36 302",
                "GET /passwordless/[REDACTED] 302",
            ),
        ]);
        // Segments that are no token: words, too short, no digit, two words before it,
        // a file's name, a segment encoded on.
        for text in [
            "/reset-password/new /password/reset/confirm/8f14e45fceea167a5a36dedd4bea2543",
            "/reset-password/abc123 /password-reset/abcdefghijklmnopqrstuvwxyz",
            "/password/reset/8f14e45fceea167a5a36.json /password/reset/8f14e45fceea167a5a36%2F",
        ] {
            assert_redacted(&[(text, text)]);
        }
        // Fuzzer (composition sweep): a segment before a `%` stays, and before the marker
        // that replaced what started with it, on the next pass, too.
        assert_redacted(&[
            (
                "password/234Authorization%B4111111111111111^^28me",
                "password/234Authorization[REMOVED]",
            ),
            (
                "password/i_3Mtet_sk_live_1EfGhIjKlMnOpcvv%",
                "password/i_3Mtet_sk_live_[REDACTED]%",
            ),
        ]);
    }

    #[test]
    fn words_after_the_name_and_other_detectors_forms_stay() {
        for text in [
            "password reset requested for bob",
            "password is incorrect",
            "password must be at least 8 characters",
            "password doesn't match, re-entered password accepted",
            "password FAILED twice, password v2 rollout, password (hidden), password für bob",
            "password <redacted> password [REDACTED] password \"\" password",
            // Fuzzer (seed 7541): a value a separator's look-back replaced, read as a bare
            // value on a second pass.
            "<password =[REDACTED] a\"=",
            // Fuzzer (seed 7543): a quoted value a pass shortened, its closing quote brought
            // within reach on a second pass.
            "passwd \"x token:[REDACTED]\" ok",
            // Fuzzer (seed 7549): a quoted name's closing quote and a separator, read as a
            // quoted value once the separator's value was quoted; a list's items.
            "[\"----password \":\"[REDACTED]\"",
            "{\"password \" : \"[REDACTED]\"} [\"password \", \"secret\"]",
            "passwords hunter2 xpassword hunter2 PasswordHash abc123",
            "answer 42 forward 3.0 swap4 sw1",
            // A version's number after the name.
            "password v2.1 rollout, password 1.4.0 released, client secret V3.10.2 live",
        ] {
            assert_redacted(&[(text, text)]);
        }
        // Composition sweep: a version that ends in a card number, the card masked — the
        // next pass read the masked version as a password. (A decimal's fraction is no card
        // number now: the version stays whole.)
        assert_redacted(&[(
            "password 1.6216191724107044\t12/28",
            "password 1.6216191724107044\t12/28",
        )]);
        let long = format!("passwd \"x token:{}\" ok", "v".repeat(300));
        assert_redacted(&[(&long, "passwd \"x token:[REDACTED]\" ok")]);
        // A separator's and a flag's forms are theirs.
        assert_redacted(&[
            ("password=hunter2", "password=[REDACTED]"),
            ("--password hunter2", "--password [REDACTED]"),
        ]);
    }

    #[test]
    fn a_key_after_a_secret_s_name_and_a_blank_in_prose_goes() {
        // Written in clear before: only a separator after the name was looked for.
        assert_redacted(&[
            (
                "invalid API key 4478a9b0c1d2e3f4a5b6, retrying",
                "invalid API key [REDACTED], retrying",
            ),
            ("HMAC key is \"s3cr3t-k3y\"", "HMAC key is \"[REDACTED]\""),
            (
                "secret_key 9f86d081884c7d659a2feaa0c55ad015",
                "secret_key [REDACTED]",
            ),
            (
                "mailgun api-key key-3ax6xnjp29jd6fds4gc373sgvjxteol0.",
                "mailgun api-key [REDACTED].",
            ),
            ("signingKey\tZm9vYmFyMTIz", "signingKey\t[REDACTED]"),
            ("Webhook key was whk_8Fh2kLq9", "Webhook key was [REDACTED]"),
        ]);
        // `key` with no secret's kind before it, a kind glued to another word, values that
        // read as words or are short.
        for text in [
            "cache key 4478a9b0c1d2e3f4a5b6 idempotency key 39b25e46-3781-4487-9120-1f5202849343",
            "primary key 12345678 keyapi 12345678 xapi key 12345678",
            "API key rotated, API key FAILED, API key v1.2, API key (hidden), API key id 42",
            "like make take broker checker Gecko token",
        ] {
            assert_redacted(&[(text, text)]);
        }
    }

    #[test]
    fn a_secret_after_a_secret_s_kind_and_a_blank_in_prose_goes() {
        // Written in clear before: only a separator after the name was looked for.
        assert_redacted(&[
            (
                "invalid client secret 8f2a9c71e4b6d3a0f1c2, retrying",
                "invalid client secret [REDACTED], retrying",
            ),
            (
                "oauth: client secret is \"s3cr3t value\" rejected",
                "oauth: client secret is \"[REDACTED]\" rejected",
            ),
            ("client_secret\tabcDEF123456", "client_secret\t[REDACTED]"),
            (
                "clientSecret 9f86d081884c7d659a2feaa0c55ad015.",
                "clientSecret [REDACTED].",
            ),
            (
                "Slack signing secret was 8f42a1b0c3d4e5f6a7b8c9d0e1f2a3b4",
                "Slack signing secret was [REDACTED]",
            ),
            ("shared secret is x9Y8z7", "shared secret is [REDACTED]"),
            ("CONSUMER-SECRET Abc123xyz", "CONSUMER-SECRET [REDACTED]"),
            (
                r#"{"msg":"app secret \"hunter2\" set"}"#,
                r#"{"msg":"app secret \"[REDACTED]\" set"}"#,
            ),
        ]);
        // `secret` with no kind before it (a Secrets Manager secret's name), a kind glued to
        // another word, values that read as words, `cr` in other words.
        for text in [
            "secret prod/db/password not found, secret arn:aws:secretsmanager:x:1:secret:db read",
            "xclient secret abc12345 clientsecrets abc12345 client secrets abc12345",
            "client secret rotated, client secret expired, client secret v2, client secret (x)",
            "Credit card declined across microservices; description created, CR LF",
        ] {
            assert_redacted(&[(text, text)]);
        }
    }

    #[test]
    fn credentials_after_their_name_in_prose_go() {
        // Written in clear before: only `credentials:` and `credentials=` (a separator's).
        assert_redacted(&[
            (
                "login rejected credentials x9y8z7w6 for bob",
                "login rejected credentials [REDACTED] for bob",
            ),
            (
                "using credentials admin:hunter2x",
                "using credentials [REDACTED]",
            ),
            (
                "Credential is \"S3cr3t-Pa55\" now",
                "Credential is \"[REDACTED]\" now",
            ),
            ("db_credentials Xk9mQ2vT4rL8", "db_credentials [REDACTED]"),
            // An access key id and its secret: the pair's detector takes both.
            (
                "credentials AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "credentials [REDACTED] / [REDACTED]",
            ),
        ]);
        // What follows is mostly words, a date, a version, a short id; other words holding
        // `credential`.
        for text in [
            "Invalid credentials for user 12345, credentials expired at 2026-12-07",
            "credentials v2.1.0 rolled out, credentials x9y8 rotated",
            "credentialsProvider abc12345xyz, credential_process abc12345xyz",
            "miscredentials abc12345xyz",
        ] {
            assert_redacted(&[(text, text)]);
        }
    }

    #[test]
    fn passwords_in_prose_mixed_with_other_findings_never_show() {
        redacted_once_for_all(
            &[
                " with password hunter2",
                "password ",
                "is ",
                "\"",
                "'",
                "w",
                "pass",
                "x.",
                "1234 ",
            ],
            39,
            "with password hunter2",
            "hunter2",
        );
        redacted_once_for_all(
            &[
                " with API key 4478a9b0c1d2e3f4",
                "api",
                "key ",
                "Key",
                "_",
                "-",
                "\"",
                "is ",
                "1234 ",
            ],
            40,
            "with API key 4478a9b0c1d2e3f4",
            "4478a9b0c1d2e3f4",
        );
        redacted_once_for_all(
            &[
                " with client secret 8f2a9c71",
                "client",
                "secret ",
                "Secret",
                "_",
                "cr",
                "\"",
                "is ",
                "1234 ",
            ],
            41,
            "with client secret 8f2a9c71",
            "8f2a9c71",
        );
    }

    #[test]
    fn a_value_before_an_escaped_closing_quote_leaves_the_quote_whole() {
        // A JSON line's message quoting a phrase: the value took the closing quote's
        // backslash with it, and the line was no JSON any more.
        assert_redacted(&[
            (
                r#"{"msg":"she said \"password hunter2\" twice"}"#,
                r#"{"msg":"she said \"password [REDACTED]\" twice"}"#,
            ),
            (
                r#"{"msg":"x \"--password hunter2\" y"}"#,
                r#"{"msg":"x \"--password [REDACTED]\" y"}"#,
            ),
            (
                r#"{"msg":"got \"api key abc123def.\""}"#,
                r#"{"msg":"got \"api key [REDACTED].\""}"#,
            ),
            (
                r#"{"m":"{\"msg\":\"password hunter2\"}"}"#,
                r#"{"m":"{\"msg\":\"password [REDACTED]\"}"}"#,
            ),
        ]);
    }
}
