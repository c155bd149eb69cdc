//! Words that say what became of a secret instead of holding one. After a sensitive name's
//! separator a log line often reports a state — `token: expired`, `password: required`,
//! `api_key: not set`, a gateway's card-code result `cvv=N avs=Y` — and a reader debugging a
//! failed login or a declined charge needs that word. A bare value that is one of these
//! words (any case, a sentence's full stop after it), a phrase's first word (`must be …`,
//! `has expired`), a capital letter alone (a gateway's response code: no secret, no card
//! code is one letter) or a mask already written (`***`) is left as it is. A quoted value is
//! a value whatever it says, as a field's is — but under a name for sensitive authentication
//! data a value of letters that reports on the data stays in quotes and in every field too
//! ([`reports_on_card_data`]: PayPal's `"cvv_code":"M"`) — and so is what follows a state
//! and `to` or `as` (`password: set to …`).

use super::names::is_marker_at;
use super::value_ends::bare_word_end;

/// Words reporting a value's state: absent, present, valid or not, changed, hidden.
const STATES: [&[u8]; 58] = [
    // Absent.
    b"none",
    b"null",
    b"nil",
    b"undefined",
    b"empty",
    b"blank",
    b"missing",
    b"absent",
    b"unset",
    b"n/a",
    // Present, as a flag says it.
    b"true",
    b"false",
    b"yes",
    b"no",
    b"set",
    b"present",
    b"provided",
    b"ok",
    // Valid or not.
    b"required",
    b"valid",
    b"invalid",
    b"incorrect",
    b"wrong",
    b"mismatch",
    b"mismatched",
    b"matched",
    b"malformed",
    b"unknown",
    b"unsupported",
    b"expired",
    b"revoked",
    b"rejected",
    b"denied",
    b"failed",
    b"verified",
    b"unverified",
    b"locked",
    b"blocked",
    b"disabled",
    b"enabled",
    // Changed.
    b"changed",
    b"reset",
    b"updated",
    b"rotated",
    b"refreshed",
    b"created",
    b"deleted",
    b"generated",
    b"sent",
    // Hidden by whoever wrote the line.
    b"redacted",
    b"masked",
    b"hidden",
    b"omitted",
    b"filtered",
    b"removed",
    b"withheld",
    b"suppressed",
    b"elided",
];

/// Words a gateway answers about a card's security code or a PIN it checked (`cvc_check:
/// pass`, `cvv: unchecked`, `cvvVerification: MATCH`).
const CHECK_RESULTS: [&[u8]; 8] = [
    b"pass",
    b"passed",
    b"fail",
    b"unchecked",
    b"unavailable",
    b"match",
    b"nomatch",
    b"no_match",
];

/// Whether the text of a field named for sensitive authentication data reports on the data
/// instead of holding it: a check's result in one letter (PayPal's `cvv_code: "M"`, most
/// processors' CVV2 and PIN results), a check's word (`pass`, `unchecked`), a state's
/// (`required`, `not_provided` is not one: a phrase), a mask (`***`). No card security code,
/// PIN, PIN block or track data is written so — each holds digits, or hex digits of which
/// a word has too few — so such a value stays, quoted or not, in every form a field takes.
pub(crate) fn reports_on_card_data(text: &[u8]) -> bool {
    matches!(text, [b] if b.is_ascii_alphabetic())
        || !text.is_empty() && text.iter().all(|&b| b == b'*')
        || STATES
            .iter()
            .chain(&CHECK_RESULTS)
            .any(|w| text.eq_ignore_ascii_case(w))
}

/// Verbs of a change that a value follows after `to`, in prose (`Password reset to …`, `PIN
/// changed to …`) as after a separator (`password: set to …`).
pub(super) const CHANGES: [&[u8]; 5] = [b"set", b"changed", b"reset", b"updated", b"rotated"];

/// A phrase's first word after the separator (`password: must be at least 8 characters`,
/// `token: has expired`, `secret: not found`, `password: too short`).
const PHRASE_STARTS: [&[u8]; 16] = [
    b"is", b"was", b"are", b"were", b"has", b"had", b"have", b"must", b"cannot", b"can't",
    b"should", b"will", b"not", b"too", b"does", b"did",
];

/// A sentence's first word that opens a phrase only with another word after it: an article,
/// a pronoun (`signature: the header is not ASCII`, a gateway's decline after its code,
/// `(incorrect_cvc): Your card's security code is incorrect.`, `(incorrect_pin): Please
/// retry`). Alone it may be a value (`cookie1=a`).
const SENTENCE_STARTS: [&[u8]; 10] = [
    b"a", b"an", b"the", b"your", b"you", b"please", b"this", b"these", b"it", b"its",
];

/// Whether the word at `start..end` opens a sentence: one of [`SENTENCE_STARTS`], a blank
/// and a letter after it — or a marker, where a pass before replaced a word (`Please
/// AKIA…` is read so, and its key `[REDACTED]` next time).
fn opens_sentence(bytes: &[u8], start: usize, end: usize) -> bool {
    bytes.get(end) == Some(&b' ')
        && (bytes.get(end + 1).is_some_and(u8::is_ascii_alphabetic)
            || bytes.get(end + 1..).is_some_and(is_marker_at))
        && SENTENCE_STARTS
            .iter()
            .any(|w| bytes[start..end].eq_ignore_ascii_case(w))
}

/// Whether the bare `word` after a sensitive name's separator reports a state rather than
/// holding a value: a state's word, a phrase's start, a capital letter alone, or a mask of `*`.
pub(super) fn reports_state(word: &[u8]) -> bool {
    let word = match word {
        [rest @ .., b'.' | b'!'] if !rest.is_empty() => rest,
        _ => word,
    };
    let is = |w: &&[u8]| word.eq_ignore_ascii_case(w);
    matches!(word, [b] if b.is_ascii_uppercase())
        || !word.is_empty() && word.iter().all(|&b| b == b'*')
        || STATES.iter().any(is)
        || PHRASE_STARTS.iter().any(is)
}

/// Where the value after a sensitive name's separator starts, the value at `start` read
/// past the words that report a state: `start` itself when its first word reports none; the
/// word after `is`/`was`, judged again (`password: is required`, `password: is "…"`); the
/// word after a state and `to` or `as` (`password: set to …`, `pin: changed to …`). `None`
/// when it holds only a state (`token: expired`, `password: not set`).
pub(super) fn value_past_states(bytes: &[u8], mut start: usize) -> Option<usize> {
    loop {
        let end = bare_word_end(bytes, start);
        let word = &bytes[start..end];
        if opens_sentence(bytes, start, end) {
            return None;
        }
        if !reports_state(word) {
            return Some(start);
        }
        let next = after_blanks(bytes, end)?;
        if word.eq_ignore_ascii_case(b"is") || word.eq_ignore_ascii_case(b"was") {
            start = next;
            continue;
        }
        let rest = &bytes[next..];
        let joins = |w: &[u8]| {
            rest.len() > w.len()
                && rest[..w.len()].eq_ignore_ascii_case(w)
                && matches!(rest[w.len()], b' ' | b'\t')
        };
        if !(joins(b"to") || joins(b"as")) {
            return None;
        }
        start = after_blanks(bytes, next + 2)?;
    }
}

/// The first byte after the blanks at `from` on its line; `None` at the text's or the
/// line's end.
fn after_blanks(bytes: &[u8], from: usize) -> Option<usize> {
    let at = from
        + bytes[from..]
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
    bytes
        .get(at)
        .filter(|&&b| b != b'\n' && b != b'\r')
        .map(|_| at)
}

/// Whether the bracketed value `bracketed` (its brackets included: `(empty)`, `[FILTERED]`,
/// Rails' mask) holds one word reporting a state and nothing else.
pub(super) fn brackets_state(bracketed: &[u8]) -> bool {
    match bracketed {
        [b'(', inner @ .., b')'] | [b'[', inner @ .., b']'] => {
            inner.iter().all(|&b| b.is_ascii_alphabetic() || b == b'/')
                && STATES.iter().any(|w| inner.eq_ignore_ascii_case(w))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_article_or_a_pronoun_opens_a_sentence_only_before_another_word() {
        for text in [
            &b"the header is not ASCII"[..],
            b"Your card's code",
            b"Please retry",
            b"a new one",
            // Sweep: a word a pass replaced (`Please AKIA…`, then `Please [REDACTED]`) — the
            // second pass took `Please` for the value.
            b"Please [REDACTED],x",
        ] {
            assert_eq!(
                value_past_states(text, 0),
                None,
                "{}",
                String::from_utf8_lossy(text)
            );
        }
        // Alone, or before anything but a word: a value (`cookie1=a`).
        for text in [&b"a"[..], b"a\"", b"the1 x", b"an;", b"it 7"] {
            assert_eq!(
                value_past_states(text, 0),
                Some(0),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn states_phrases_letters_and_masks_report_a_state() {
        for word in [
            &b"expired"[..],
            b"Required.",
            b"REQUIRED",
            b"n/a",
            b"N/A",
            b"must",
            b"A",
            b"N",
            b"***",
            b"not",
        ] {
            assert!(reports_state(word), "{}", String::from_utf8_lossy(word));
        }
    }

    #[test]
    fn a_card_data_field_s_report_is_told_from_its_data() {
        for text in [
            &b"M"[..],
            b"n",
            b"pass",
            b"UNCHECKED",
            b"Match",
            b"required",
            b"***",
            b"N/A",
        ] {
            assert!(
                reports_on_card_data(text),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
        // Digits, a PIN block's hex, base64, a word no gateway answers, nothing.
        for text in [
            &b"737"[..],
            b"0737",
            b"A1B2C3D4E5F60718",
            b"ABCDEFABCDEFABCD",
            b"AbCdEfGhIjK=",
            b"MM",
            b"password",
            b"",
            b"**1*",
        ] {
            assert!(
                !reports_on_card_data(text),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn values_report_no_state() {
        for word in [
            &b"hunter2"[..],
            b"737",
            b"7",
            b"x",
            b"expired2",
            b"Expired!1",
            b".",
            b"",
            b"**1*",
            b"tokenexpired",
        ] {
            assert!(!reports_state(word), "{}", String::from_utf8_lossy(word));
        }
    }

    #[test]
    fn a_value_after_a_state_is_found_past_it() {
        fn past(text: &str) -> Option<&str> {
            value_past_states(text.as_bytes(), 0).map(|at| &text[at..])
        }
        assert_eq!(past("hunter2 x"), Some("hunter2 x"));
        assert_eq!(past("\"hunter2\""), Some("\"hunter2\""));
        assert_eq!(past("expired"), None);
        assert_eq!(past("must be at least 8 characters"), None);
        assert_eq!(past("not set"), None);
        assert_eq!(past("N avs=Y"), None);
        assert_eq!(past("is required"), None);
        assert_eq!(past("is hunter2"), Some("hunter2"));
        assert_eq!(past("was \"hunter2\""), Some("\"hunter2\""));
        assert_eq!(past("set to hunter2"), Some("hunter2"));
        assert_eq!(past("changed  To\t'1234'"), Some("'1234'"));
        assert_eq!(past("set as [REDACTED]"), Some("[REDACTED]"));
        assert_eq!(past("set to"), None);
        assert_eq!(past("set to\nhunter2"), None);
        assert_eq!(past("set tomorrow"), None);
        assert_eq!(past("is"), None);
    }

    #[test]
    fn one_bracketed_state_is_a_state() {
        assert!(brackets_state(b"(empty)"));
        assert!(brackets_state(b"[FILTERED]"));
        assert!(!brackets_state(b"[737]"));
        assert!(!brackets_state(b"(not shown)"));
        assert!(!brackets_state(b"{empty}"));
        assert!(!brackets_state(b"(empty"));
    }
}
