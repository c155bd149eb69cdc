//! A PIN or a card security code after its name and a space (or several, or tabs, as a
//! table's aligned columns put them), as prose writes it (`PIN 1234`,
//! `CSC 123`, `CID 1234`, `security code 737`, `PIN is 1234`, `pin number 0000`) — and a
//! one-time code a second factor or a payment's challenge sends (`OTP 123456`, `verification
//! code is 482913`, `sms code 4821`), in quotes too (`PIN "1234"`, as `Debug` writes a
//! string) — found at the code's first digit: a digit after a space or a quote anchors, and
//! the words before it are read back. (A `cvv` or a `cvc` is found at its `v` instead, with the
//! forms only it has: [`super::cards`].)

use std::ops::RangeInclusive;

use super::cards::digit_run_end;
use super::statuses::CHANGES;
use super::{Finding, at_word_start, code_ends_at, removed, secret};
use crate::redact::Counts;

/// The four bytes that may end the words [`code_after_name`] reads back, each in its slot of
/// [`TAILS`] — a multiplier that puts no two of them in the same slot, so that a look-up is a
/// multiplication and one comparison. After one blank, and after several, as a table's
/// aligned columns put them (`PIN     1234`, `PIN\t\t1234`: four blanks and more end no
/// word); spaces or tabs, not both.
const TAIL_WORDS: [&[u8; 4]; 63] = [
    b"pin ",
    b"csc ",
    b"cid ",
    b"ode ",
    b"ber ",
    b" is ",
    b"was ",
    b"is: ",
    b"as: ",
    b"otp ",
    b" to ",
    b"in  ",
    b"sc  ",
    b"id  ",
    b"de  ",
    b"er  ",
    b"tp  ",
    b"is  ",
    b"as  ",
    b"n   ",
    b"c   ",
    b"d   ",
    b"e   ",
    b"r   ",
    b"p   ",
    b"s   ",
    b"    ",
    b"pin\t",
    b"csc\t",
    b"cid\t",
    b"ode\t",
    b"ber\t",
    b" is\t",
    b"was\t",
    b"is:\t",
    b"as:\t",
    b"otp\t",
    b"in\t\t",
    b"sc\t\t",
    b"id\t\t",
    b"de\t\t",
    b"er\t\t",
    b"tp\t\t",
    b"is\t\t",
    b"as\t\t",
    b"n\t\t\t",
    b"c\t\t\t",
    b"d\t\t\t",
    b"e\t\t\t",
    b"r\t\t\t",
    b"p\t\t\t",
    b"s\t\t\t",
    b"\t\t\t\t",
    // A tab escaped as a JSON line's message holds it (`PIN\t1234`, `OTP\t482913`), one
    // or several.
    b"in\\t",
    b"sc\\t",
    b"id\\t",
    b"de\\t",
    b"er\\t",
    b"is\\t",
    b"as\\t",
    b"s:\\t",
    b"tp\\t",
    b"\\t\\t",
];

/// See [`TAIL_WORDS`].
const TAIL_HASH: u32 = 0x873b_e079;

/// How many slots [`TAILS`] has.
const TAIL_SLOTS: usize = 256;

/// The slot of four bytes in [`TAILS`].
const fn tail_slot(four: u32) -> usize {
    (four.wrapping_mul(TAIL_HASH) >> (32 - TAIL_SLOTS.trailing_zeros())) as usize
}

/// Four bytes as [`may_follow_name`] compares them: the first three folded to lower case (a
/// space, a colon and a digit keep their bit 5; a tab becomes a `)`), the last as it stands.
const fn folded(four: [u8; 4]) -> u32 {
    u32::from_le_bytes(four) | 0x0020_2020
}

/// [`TAIL_WORDS`] by their slots, [`folded`] (a slot none has holds zero, which no four
/// bytes folded are).
static TAILS: [u32; TAIL_SLOTS] = {
    let mut t = [0; TAIL_SLOTS];
    let mut k = 0;
    while k < TAIL_WORDS.len() {
        let four = folded(*TAIL_WORDS[k]);
        assert!(t[tail_slot(four)] == 0, "two words share a slot");
        t[tail_slot(four)] = four;
        k += 1;
    }
    t
};

/// Where a code whose first digit is at `at` opens: at its quote, where one stands before it
/// (`PIN "1234"`, as `Debug` writes a string; `PIN \"1234\"` in JSON-escaped text) — the
/// words before are read back from there.
#[inline(always)]
fn code_opening(bytes: &[u8], at: usize) -> usize {
    match at.checked_sub(1) {
        Some(quote) if bytes[quote] == b'"' => {
            quote - usize::from(quote > 0 && bytes[quote - 1] == b'\\')
        }
        _ => at,
    }
}

/// Whether the four bytes before a digit at `at` (or before its quote: [`code_opening`])
/// may end the words [`code_after_name`] reads back — `pin `, `csc `, `cid `, `code `,
/// `number `, `otp `, `is `, `was `, `is: `, `was: `, `to ` (any case), or several spaces after
/// them — so that most numbers in prose are ruled out by one look-up.
#[inline(always)]
pub(super) fn may_follow_name(bytes: &[u8], at: usize) -> bool {
    let opening = code_opening(bytes, at);
    let Some(&[a, b, c, d]) = opening
        .checked_sub(4)
        .and_then(|from| bytes.get(from..opening))
    else {
        return false;
    };
    // The last byte, always a blank, is compared as it stands: folded, a NUL would pass for
    // a space (a digit first in its block is looked at whatever stands before it, and a NUL
    // there made `pin\05371` a PIN on the pass whose replacements had moved it there).
    let four = folded([a, b, c, d]);
    TAILS[tail_slot(four)] == four
}

/// Names of a one-time code on their own (`OTP 123456`, `otp code 123456`).
const ONE_TIME_CODES: [&[u8]; 4] = [b"otp", b"totp", b"hotp", b"passcode"];

/// Words that make `code` a one-time code's name (`verification code 482913`), as the key
/// rules' pairs do (`verification_code`): a second factor's, a text message's.
const ONE_TIME_CODE_KINDS: [&[u8]; 3] = [b"verification", b"mfa", b"sms"];

/// Most spaces between a name and its code read back over (a table's aligned columns).
const MOST_SPACES: usize = 16;

/// Where the words before the code opening at `opening` are read back from: right after the
/// first of the blanks before it, where there are several (`PIN     1234`, `PIN\t\t1234`) —
/// as before a single one. A run longer than [`MOST_SPACES`] is not read back over.
fn after_first_space(bytes: &[u8], opening: usize) -> usize {
    let spaces = bytes[..opening]
        .iter()
        .rev()
        .take(MOST_SPACES + 1)
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    if (2..=MOST_SPACES).contains(&spaces) {
        opening - spaces + 1
    } else {
        opening
    }
}

/// Where the words before the code opening at `opening` are read back from when tabs
/// escaped as JSON writes them stand before it (`PIN\t1234`, `CSC\t\t739`, at most four):
/// as after a single blank, the first tab's backslash standing for it.
fn after_escaped_tabs(bytes: &[u8], opening: usize) -> usize {
    let mut start = opening;
    while opening - start < 8
        && start >= 2
        && bytes[start - 2..start] == *b"\\t"
        && (start < 3 || bytes[start - 3] != b'\\')
    {
        start -= 2;
    }
    if start < opening { start + 1 } else { opening }
}

/// At the `\` at `at` of the first of one to four tabs escaped as JSON writes them
/// (`PIN\t1234`, `CSC\t\t737`, a JSON line's message as `lift-ship --redact` reads it): the
/// code after them, as [`code_after_name`] finds it after tabs written raw.
#[cold]
pub(super) fn code_after_escaped_tab(
    bytes: &[u8],
    at: usize,
    floor: usize,
    counts: &Counts,
) -> Option<Finding> {
    // An escaped backslash's second (`\\t`), a tab after another: none reads on.
    if at > 0 && bytes[at - 1] == b'\\' || at >= 2 && bytes[at - 2..at] == *b"\\t" {
        return None;
    }
    let mut digit = at;
    while digit - at < 8 && bytes[digit..].starts_with(b"\\t") {
        digit += 2;
    }
    (bytes.get(digit).is_some_and(u8::is_ascii_digit) && may_follow_name(bytes, digit))
        .then(|| code_after_name(bytes, digit, floor, counts))
        .flatten()
}

/// At the digit at `at` after a space or a quote ([`may_follow_name`]): the code there (in
/// quotes or not: `PIN "1234"`) if its name stands before it — `pin` (4 to 12 digits, as ISO
/// 9564 allows), `csc`, `cid` (American Express's and Discover's name) or `security code` (3
/// or 4): `[REMOVED]`; a one-time code's ([`ONE_TIME_CODES`], or `code` after one of
/// [`ONE_TIME_CODE_KINDS`]: 4 to 8 digits, as RFC 4226 and text messages have them; a
/// `security code` of 5 to 8): `[REDACTED]` — perhaps with a noun (`PIN code`, `PIN number`,
/// `OTP code`) and a verb (`is`, `was`, `is:`) after it — as whole words, none of them before
/// `floor` (text a replacement wrote over). The code is a whole word (`PIN 1234abc`, `CSC
/// 123.45` are not one); a number whose first group it is goes whole (`PIN 1234 5678`).
pub(super) fn code_after_name(
    bytes: &[u8],
    at: usize,
    floor: usize,
    counts: &Counts,
) -> Option<Finding> {
    // The word whose last byte is before `end`, with its start: letters, starting a word —
    // not the letter of a line break or a tab escaped before it (`\nPIN`).
    let word_before = |end: usize| -> Option<(usize, &[u8])> {
        let letters = bytes[floor.min(end)..end]
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
        let mut start = end - letters;
        if start > floor && start < end && bytes[start - 1] == b'\\' {
            start += usize::from(matches!(bytes[start], b'n' | b'r' | b't'));
        }
        (start < end && at_word_start(bytes, start)).then(|| (start, &bytes[start..end]))
    };
    // The word before the one starting at `start`, a single space between them.
    let previous = |start: usize| {
        start
            .checked_sub(1)
            .filter(|&space| bytes[space] == b' ')
            .and_then(word_before)
    };
    let opening = after_escaped_tabs(bytes, after_first_space(bytes, code_opening(bytes, at)));
    if opening < 4 {
        // No name fits before it.
        return None;
    }
    let is = |word: &[u8], w: &[u8]| word.eq_ignore_ascii_case(w);
    let colon = bytes[opening - 2] == b':';
    let (mut start, mut word) = word_before(opening - 1 - usize::from(colon))?;
    if is(word, b"is") || is(word, b"was") {
        (start, word) = previous(start)?;
    } else if is(word, b"to") && !colon {
        // A change (`PIN changed to 1234`).
        (start, word) = previous(start)?;
        if !CHANGES.iter().any(|verb| is(word, verb)) {
            return None;
        }
        (start, word) = previous(start)?;
    } else if colon {
        // `PIN: 1234` is a separator's.
        return None;
    }
    let code = is(word, b"code");
    let noun = code || is(word, b"number");
    if noun {
        (_, word) = previous(start)?;
    }
    let count = bytes[at..]
        .iter()
        .take(13)
        .take_while(|b| b.is_ascii_digit())
        .count();
    let any = |names: &[&[u8]]| names.iter().any(|name| is(word, name));
    // Sensitive authentication data is removed, a one-time code redacted as a secret is.
    type Replace = fn(usize, usize, &Counts) -> Finding;
    let (digits, replace): (RangeInclusive<usize>, Replace) = if is(word, b"pin") {
        (4..=12, removed)
    } else if code && is(word, b"security") && count > 4 {
        // Longer than a card's, a security code is a one-time code, as banks' text messages
        // name it (`Your security code is 482913`).
        (5..=8, secret)
    } else if is(word, b"csc") || is(word, b"cid") || noun && is(word, b"security") {
        (3..=4, removed)
    } else if any(&ONE_TIME_CODES) || code && any(&ONE_TIME_CODE_KINDS) {
        (4..=8, secret)
    } else {
        return None;
    };
    let end = at + count;
    // Not the start of a longer word or number (`PIN 1234abc`, `CSC 123.45`), nor a masked
    // card number's first digits.
    if !(digits.contains(&count) && code_ends_at(bytes, end)) {
        return None;
    }
    Some(replace(at, digit_run_end(bytes, end), counts))
}

#[cfg(test)]
mod tests {
    use crate::redact::text::test_support::{assert_redacted, redact, redacted_once_for_all};

    #[test]
    fn a_pin_or_security_code_after_its_name_in_prose_goes() {
        // Written in clear before: only `PIN: 1234` and `PIN=1234` (a separator's) went.
        assert_redacted(&[
            ("PIN 1234 entered", "PIN [REMOVED] entered"),
            // As long as ISO 9564 allows, where a card number could start.
            ("PIN 123456789012 entered", "PIN [REMOVED] entered"),
            ("customer pin 123456", "customer pin [REMOVED]"),
            ("the PIN is 0000.", "the PIN is [REMOVED]."),
            ("PIN was: 4321", "PIN was: [REMOVED]"),
            ("PIN code 9876, retry", "PIN code [REMOVED], retry"),
            ("pin number 1234 5678", "pin number [REMOVED]"),
            ("CSC 123", "CSC [REMOVED]"),
            // American Express's and Discover's name for it.
            ("Amex CID 1234 entered", "Amex CID [REMOVED] entered"),
            ("cid is 123", "cid is [REMOVED]"),
            (
                "card security code 737 rejected",
                "card security code [REMOVED] rejected",
            ),
            ("Security code is 1234", "Security code is [REMOVED]"),
            // After a line break; the last word of a name (as `card_pin` is one).
            ("ok\nPIN 1234", "ok\nPIN [REMOVED]"),
            ("card_pin 1234", "card_pin [REMOVED]"),
            // A table's aligned columns: several spaces before the code.
            (
                "PAN  411111******1111\nPIN     1234\n",
                "PAN  411111******1111\nPIN     [REMOVED]\n",
            ),
            (
                "otp  482913, pin code   1234, csc is    737",
                "otp  [REDACTED], pin code   [REMOVED], csc is    [REMOVED]",
            ),
            (
                "order  1234, pin                  1234",
                "order  1234, pin                  1234",
            ),
            // A tab-separated table's: tabs as spaces.
            (
                "PIN\t1234\nCSC\t\t737\notp\t\t\t482913\tok\nORDER\t1234",
                "PIN\t[REMOVED]\nCSC\t\t[REMOVED]\notp\t\t\t[REDACTED]\tok\nORDER\t1234",
            ),
        ]);
        // A NUL is no space (the fold read `pin\0` as `pin `): here the digit after it is the
        // first of a block the walk classifies, which any byte before it anchors — as the
        // first pass's replacements had moved it on the second, which removed the code the
        // first had kept.
        let text = "\u{fffd} \u{fffd}    pin [REMOVED]    pin\u{0}5371 pin [REMOVED] pin [REMOVED]";
        assert_redacted(&[(text, text)]);
    }

    #[test]
    fn a_pin_after_a_change_and_to_goes() {
        // Written in clear before: only `is` and `was` were read back over.
        assert_redacted(&[
            ("PIN changed to 1234 ok", "PIN changed to [REMOVED] ok"),
            ("pin set to \"1234\"", "pin set to \"[REMOVED]\""),
            (
                "PIN code updated to 123456",
                "PIN code updated to [REMOVED]",
            ),
            ("pin moved to 1234", "pin moved to 1234"),
            ("count set to 1234", "count set to 1234"),
            ("PIN: set to 1234", "PIN: set to [REMOVED]"),
        ]);
    }

    #[test]
    fn a_code_in_quotes_after_its_name_goes_as_one_after_a_space_does() {
        // `info!("PIN {:?}", pin)` writes `PIN "1234"`: written in clear before.
        assert_redacted(&[
            (
                "verifying PIN \"1234\" for card",
                "verifying PIN \"[REMOVED]\" for card",
            ),
            ("security code \"737\" ok", "security code \"[REMOVED]\" ok"),
            ("otp \"123456\" sent", "otp \"[REDACTED]\" sent"),
            (
                "verification code is \"482913\".",
                "verification code is \"[REDACTED]\".",
            ),
            ("PIN was: \"4321\"", "PIN was: \"[REMOVED]\""),
            // JSON-escaped, as a message holding it is inside a JSON line's string.
            (
                r#"{"msg":"PIN \"1234\" rejected"}"#,
                r#"{"msg":"PIN \"[REMOVED]\" rejected"}"#,
            ),
            // Not a code: other words, more than a code's digits, a word glued on, no
            // blank before the quote.
            (
                "order \"1234\", PIN \"1234abc\", CSC \"12345\", PIN\"1234\"",
                "order \"1234\", PIN \"1234abc\", CSC \"12345\", PIN\"1234\"",
            ),
        ]);
    }

    #[test]
    fn a_one_time_code_after_its_name_in_prose_goes() {
        // Written in clear before: only `otp=123456` and `verification_code: …` went.
        assert_redacted(&[
            (
                "sent OTP 123456 to +15551234567",
                "sent OTP [REDACTED] to +15551234567",
            ),
            ("otp is 482913", "otp is [REDACTED]"),
            ("TOTP 12345678 accepted", "TOTP [REDACTED] accepted"),
            (
                "OTP code 4821, expires in 5 min",
                "OTP code [REDACTED], expires in 5 min",
            ),
            (
                "Your verification code is 482913.",
                "Your verification code is [REDACTED].",
            ),
            ("verification code 4821", "verification code [REDACTED]"),
            ("MFA code was: 123456", "MFA code was: [REDACTED]"),
            ("sms code 0042", "sms code [REDACTED]"),
            ("passcode 123456 entered", "passcode [REDACTED] entered"),
            // A security code longer than a card's: a one-time code.
            (
                "Your security code is 482913",
                "Your security code is [REDACTED]",
            ),
            ("security code 12345678", "security code [REDACTED]"),
        ]);
    }

    #[test]
    fn numbers_after_other_words_or_of_other_lengths_stay() {
        assert_redacted(&[
            ("pin 12 of the header", "pin 12 of the header"),
            ("PIN 1234567890123 x", "PIN 1234567890123 x"),
            ("CSC 12345", "CSC 12345"),
            ("CID 12345 cid 42 acid 1234", "CID 12345 cid 42 acid 1234"),
            ("PIN 1234abc", "PIN 1234abc"),
            ("CSC 123.45", "CSC 123.45"),
            ("spin 1234", "spin 1234"),
            ("pins 1234", "pins 1234"),
            ("promo code 1234", "promo code 1234"),
            ("security 1234", "security 1234"),
            ("error code 4001", "error code 4001"),
            ("Order 12345 — 3 items", "Order 12345 — 3 items"),
            // One-time codes' names before numbers too short or long for one, or another noun.
            ("otp 2 of 3 sent", "otp 2 of 3 sent"),
            ("OTP 123456789 x", "OTP 123456789 x"),
            ("sms number 15551234567", "sms number 15551234567"),
            ("security code 123456789", "security code 123456789"),
            (
                "social security number 12345678",
                "social security number 12345678",
            ),
            ("sms 123456", "sms 123456"),
            ("verification 123456", "verification 123456"),
            ("code 123456", "code 123456"),
            ("this is 1234", "this is 1234"),
        ]);
    }

    #[test]
    fn a_masked_card_after_pin_is_left_as_masked() {
        // The card is masked; its first digits are no PIN, on either pass.
        assert_redacted(&[("PIN 4111111111111111", "PIN 411111******1111")]);
        // A code a card number follows: the number's groups go with it (as after `cvv`).
        assert_redacted(&[(
            "security code 737 4111111111111111",
            "security code [REMOVED]",
        )]);
    }

    #[test]
    fn redacting_random_codes_in_prose_twice_changes_nothing_more() {
        redacted_once_for_all(
            &[
                "PIN ",
                "pin is ",
                "CSC ",
                "security code ",
                "code ",
                "was: ",
                "2580 ",
                "737",
                "x",
                ".",
                ",",
                "5",
                "*",
                "_",
            ],
            36,
            "\nPIN 2580 ",
            "\nPIN 2580",
        );
        redacted_once_for_all(
            &[
                "OTP ",
                "otp is ",
                "verification code ",
                "sms ",
                "code ",
                "was: ",
                "482913 ",
                "4821",
                "x",
                ".",
                "5",
                "*",
            ],
            37,
            "\nOTP 482913 ",
            "\nOTP 482913",
        );
    }

    #[test]
    fn a_code_after_its_name_and_tabs_or_a_line_break_escaped_goes() {
        // A JSON line's message: the digit after `\t` follows a letter, which anchors
        // nothing, and the `n` of `\n` was read as the name's first letter (`nPIN`).
        assert_redacted(&[
            (
                r#"{"msg":"AMOUNT\t12.50\nPIN\t7391\nSTATUS\tAPPROVED"}"#,
                r#"{"msg":"AMOUNT\t12.50\nPIN\t[REMOVED]\nSTATUS\tAPPROVED"}"#,
            ),
            (
                r#"{"msg":"field\tvalue\ncsc\t\t739"}"#,
                r#"{"msg":"field\tvalue\ncsc\t\t[REMOVED]"}"#,
            ),
            (r#"{"msg":"otp\t482913"}"#, r#"{"msg":"otp\t[REDACTED]"}"#),
            (
                r#"{"msg":"ok\nPIN      7391"}"#,
                r#"{"msg":"ok\nPIN      [REMOVED]"}"#,
            ),
        ]);
        // Another word, an escaped backslash before the `t`, five tabs: no code.
        for text in [
            r#"{"msg":"ORDER\t1234"}"#,
            r#"{"msg":"PIN\\t1234"}"#,
            r#"{"msg":"PIN\t\t\t\t\t1234"}"#,
        ] {
            assert_eq!(redact(text), text);
        }
    }
}
