//! A password after its name and a blank, as prose writes it (`login failed for bob with
//! password hunter2`, `the password is P@ssw0rd!`, `passwd "correct horse"`) — found at the
//! name's `w`: a `w` after an `s` anchors (`password`, `passwd`; an `r` before it shares the
//! comparison and anchors too). A name and a `=` or `:` after it are a separator's.
//!
//! Prose after the word `password` is mostly words (`password reset`, `password is
//! incorrect`, `password must be 8 characters`): a bare value is taken only where it does not
//! read as one — a digit, a symbol or a capital inside it (`hunter2`, `P@ss`, `HunterTwo`) —
//! and a quoted one whatever it holds. A password of lower-case letters alone after its name
//! and a blank stays (`password hunter`): no rule tells it from the next word of a sentence.

use super::cards::digit_run_end;
use super::names::is_marker_at;
use super::{Finding, at_word_start, secret};
use crate::redact::Counts;

/// Fewest bytes of a bare value taken for a password (`v2`, `OK` are words).
const SHORTEST_BARE: usize = 4;

/// Most bytes of a quoted value looked for its closing quote.
const LONGEST_QUOTED: usize = 256;

/// At the `w` at `at` (after an `s`, or an `r`): a password after `password` or `passwd`
/// — as a whole word (`db_password` ends one; a long flag's, `--password`, too), any case, nowhere
/// before `floor` (text a replacement wrote over) — a blank or two, and perhaps `is ` or
/// `was `: the value's text `[REDACTED]`. A bare value ends at a blank (a sentence's `.`,
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
    let mut value = after_blanks(bytes, name_end)?;
    for verb in [&b"is"[..], b"was"] {
        if starts_with_ignoring_case(&bytes[value..], verb)
            && let Some(after) = after_blanks(bytes, value + verb.len())
        {
            value = after;
            break;
        }
    }
    let (start, end) = match bytes[value] {
        quote @ (b'"' | b'\'') => {
            let inner = value + 1;
            let len = bytes[inner..]
                .iter()
                .take(LONGEST_QUOTED)
                .position(|&b| b == quote || b == b'\n' || b == b'\r')?;
            if len == 0 || bytes[inner + len] != quote || is_marker_at(&bytes[inner..]) {
                return None;
            }
            (inner, inner + len)
        }
        _ => bare_value(bytes, value)?,
    };
    Some(secret(start, end, counts))
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

/// A bare value at `start`, up to a blank, if it reads as a password rather than a word: at
/// least [`SHORTEST_BARE`] bytes after a sentence's punctuation is left off, not opening with
/// a bracket (`(hidden)`, `<redacted>`), not a marker, and holding a digit, a symbol (but an
/// apostrophe or a hyphen: `doesn't`, `re-entered`) or a capital after its first byte
/// (`HunterTwo`; all capitals is a word: `FAILED`).
fn bare_value(bytes: &[u8], start: usize) -> Option<(usize, usize)> {
    let len = bytes[start..].iter().take_while(|&&b| !is_blank(b)).count();
    let word = &bytes[start..start + len];
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
    if word.len() < SHORTEST_BARE
        || matches!(word[0], b'(' | b'[' | b'{' | b'<')
        || is_marker_at(word)
    {
        return None;
    }
    let digit = word.iter().any(u8::is_ascii_digit);
    let symbol = word
        .iter()
        .any(|&b| b.is_ascii_punctuation() && b != b'\'' && b != b'-' || !b.is_ascii());
    let mixed =
        word[1..].iter().any(u8::is_ascii_uppercase) && word.iter().any(u8::is_ascii_lowercase);
    if !(digit || symbol || mixed) {
        return None;
    }
    let end = start + word.len();
    // A number's first group takes the number (`1234 5678`): none of its digits is left.
    let end = if word.iter().all(u8::is_ascii_digit) {
        digit_run_end(bytes, end)
    } else {
        end
    };
    Some((start, end))
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
            "password FAILED twice, password v2 rollout, password (hidden)",
            "password <redacted> password [REDACTED] password \"\" password",
            "passwords hunter2 xpassword hunter2 PasswordHash abc123",
            "answer 42 forward 3.0 swap4 sw1",
        ] {
            assert_redacted(&[(text, text)]);
        }
        // A separator's and a flag's forms are theirs.
        assert_redacted(&[
            ("password=hunter2", "password=[REDACTED]"),
            ("--password hunter2", "--password [REDACTED]"),
        ]);
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
    }
}
