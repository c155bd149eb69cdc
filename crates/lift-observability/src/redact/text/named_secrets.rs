//! A password or a key after its name and a blank, as prose writes them (`login failed for
//! bob with password hunter2`, `the password is P@ssw0rd!`, `passwd "correct horse"`,
//! `invalid API key 4478a9b0c1d2e3f4`, `HMAC key is "…"`). A password is found at its name's
//! `w` — a `w` after an `s` anchors (`password`, `passwd`; an `r` before it shares the
//! comparison and anchors too) —, a key at the `k` of `key`: a `k` before an `e` anchors. A
//! name and a `=` or `:` after it are a separator's.
//!
//! Prose after such a name is mostly words (`password reset`, `password is incorrect`, `API
//! key rotated`): a quoted value is taken whatever it holds, a bare one only where it does not
//! read as a word — a password holding a digit, a symbol or a capital inside it (`hunter2`,
//! `P@ss`, `HunterTwo`), a key of 8 bytes or more holding a digit. A password of lower-case
//! letters alone after its name and a blank stays (`password hunter`): no rule tells it from
//! the next word of a sentence. `key` alone names too much (a cache's, a map's, an
//! idempotency key): only a secret's kind before it makes it one (`API key`, `secret_key`,
//! `signingKey`, [`KEY_KINDS`]).

use super::cards::digit_run_end;
use super::names::{holds_marker, marker_start};
use super::{Finding, at_word_start, secret};
use crate::redact::Counts;

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

/// Most bytes of a quoted value looked for its closing quote.
const LONGEST_QUOTED: usize = 256;

/// At the `w` at `at` (after an `s`, or an `r`): a password after `password` or `passwd`
/// — as a whole word (`db_password` ends one; a long flag's, `--password`, too), any case,
/// nowhere before `floor` (text a replacement wrote over) — a blank or two, and perhaps
/// `is ` or `was `: the value's text `[REDACTED]`. A bare value ends at a blank (a sentence's `.`,
/// `,`, `;`, `)` after it stays); a number whose first group it is goes whole (`1234 5678`).
#[cold]
pub(super) fn password_after_name(
    bytes: &[u8],
    at: usize,
    floor: usize,
    counts: &Counts,
) -> Option<Finding> {
    let start = at.checked_sub(4).filter(|&s| s >= floor)?;
    if !bytes[start..at].eq_ignore_ascii_case(b"pass") || !at_word_start(bytes, start) {
        return None;
    }
    let rest = &bytes[at..];
    let name_end = if starts_with_ignoring_case(rest, b"word") {
        at + 4
    } else if starts_with_ignoring_case(rest, b"wd") {
        at + 2
    } else {
        return None;
    };
    let (start, end) = value_after(bytes, name_end, |word| {
        word.len() >= SHORTEST_PASSWORD
            && (word.iter().any(|&b| {
                b.is_ascii_digit() || b.is_ascii_punctuation() && b != b'\'' && b != b'-'
            }) || word[1..].iter().any(u8::is_ascii_uppercase)
                && word.iter().any(u8::is_ascii_lowercase))
    })?;
    Some(secret(start, end, counts))
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
    if !bytes[k..].get(..3)?.eq_ignore_ascii_case(b"key") {
        return None;
    }
    // The kind's word: right before `key`, or a `_`, `-` or blank between them.
    let floor = floor.min(k);
    let mut kind_end = k;
    if kind_end > floor && matches!(bytes[kind_end - 1], b' ' | b'_' | b'-') {
        kind_end -= 1;
    }
    let kind = KEY_KINDS.iter().find(|kind| {
        kind_end >= floor + kind.len()
            && bytes[kind_end - kind.len()..kind_end].eq_ignore_ascii_case(kind)
    })?;
    if !at_word_start(bytes, kind_end - kind.len()) {
        return None;
    }
    let (start, end) = value_after(bytes, k + 3, |word| {
        word.len() >= SHORTEST_KEY && word.iter().any(u8::is_ascii_digit)
    })?;
    Some(secret(start, end, counts))
}

/// The value after a name ending at `name_end`: one or two blanks, perhaps `is ` or `was `,
/// then a quoted value's text (whatever it holds, on one line, but a marker: a pass replaced
/// something in it, which may have brought a quote too far before within reach) or a bare
/// value up to a blank or a marker — a sentence's `.`, `,`, `;`, `:` or closing bracket or
/// quote after it left off — that `reads_as_secret` and opens with neither a bracket
/// (`(hidden)`, `<redacted>`) nor a separator. A number whose first group it is goes whole
/// (`1234 5678`): none of its digits is left.
fn value_after(
    bytes: &[u8],
    name_end: usize,
    reads_as_secret: impl Fn(&[u8]) -> bool,
) -> Option<(usize, usize)> {
    let mut value = after_blanks(bytes, name_end)?;
    for verb in [&b"is"[..], b"was"] {
        if starts_with_ignoring_case(&bytes[value..], verb)
            && let Some(after) = after_blanks(bytes, value + verb.len())
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
        return (len > 0
            && bytes[inner + len..].starts_with(quote)
            && !holds_marker(&bytes[inner..inner + len]))
        .then_some((inner, inner + len));
    }
    let len = bytes[value..].iter().take_while(|&&b| !is_blank(b)).count();
    let word = &bytes[value..value + len];
    // A separator's value (`password =x`): the separator's. Text a pass replaced ends it
    // (`hunter2[REDACTED]`): what a second pass reads there starts no value.
    if matches!(word[0], b'=' | b':') {
        return None;
    }
    let word = &word[..marker_start(word).unwrap_or(len)];
    let kept = word
        .iter()
        .rposition(|b| {
            !matches!(
                b,
                b'.' | b',' | b';' | b':' | b')' | b']' | b'}' | b'"' | b'\''
            )
        })
        .map_or(0, |last| last + 1);
    let word = &word[..kept];
    if word.is_empty() || matches!(word[0], b'(' | b'[' | b'{' | b'<') || !reads_as_secret(word) {
        return None;
    }
    let end = value + word.len();
    if word.iter().all(u8::is_ascii_digit) {
        return Some((value, digit_run_end(bytes, end)));
    }
    Some((value, end))
}

/// Where the text after one or two blanks (spaces, tabs) at `from` starts, if it does and
/// holds something.
fn after_blanks(bytes: &[u8], from: usize) -> Option<usize> {
    let blanks = bytes
        .get(from..)?
        .iter()
        .take(3)
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    let start = from + blanks;
    ((1..=2).contains(&blanks) && bytes.get(start).is_some_and(|&b| !is_blank(b))).then_some(start)
}

/// A space, a tab or a line break.
fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Whether `text` starts with `word` (lower case), any case, as a whole word: a blank after
/// it.
fn starts_with_ignoring_case(text: &[u8], word: &[u8]) -> bool {
    text.get(..word.len())
        .is_some_and(|w| w.eq_ignore_ascii_case(word))
        && text.get(word.len()).is_some_and(|&b| is_blank(b))
}

#[cfg(test)]
mod tests {
    use crate::redact::text::test_support::{assert_redacted, redacted_once_for_all};

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
            "passwords hunter2 xpassword hunter2 PasswordHash abc123",
            "answer 42 forward 3.0 swap4 sw1",
        ] {
            assert_redacted(&[(text, text)]);
        }
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
    }
}
