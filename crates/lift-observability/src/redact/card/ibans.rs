//! International bank account numbers (IBANs, ISO 13616) in their print format — a country's
//! two letters, two check digits and the account's letters and digits in groups of four
//! (`DE89 3704 0044 0532 0130 00`), as SEPA transfers, invoices and a payer's details show
//! them — are no card numbers: their digit groups often hold a stretch that passes Luhn and
//! starts with an issuer's prefix (`4402 6859 9528 90`, one IBAN in thirty), which was masked
//! as a card's. A run of digit groups inside a string of that shape whose check digits hold
//! (the whole string modulo 97 is 1) is left as it is; a card number after the IBAN is not
//! part of it and is judged as any other.
//!
//! Written without spaces an IBAN's digits are glued to its letters, which no card number is,
//! so only the print format is read here. The check is made only for a run of 13 digits or
//! more that starts inside such a string: nothing else pays for it.

/// Fewest and most characters of an IBAN (Norway's 15, Russia's 33, and room for one more).
const IBAN_CHARS: std::ops::RangeInclusive<usize> = 15..=34;

/// Characters in a print format's group.
const GROUP: usize = 4;

/// Whether `b` can be one of an IBAN's characters (a letter or a digit).
fn iban_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Whether a group at `at` (not before `floor`) starts an IBAN: two letters, two digits, at
/// a word's start.
fn head_at(bytes: &[u8], floor: usize, at: usize) -> bool {
    bytes.len() >= at + GROUP
        && bytes[at].is_ascii_alphabetic()
        && bytes[at + 1].is_ascii_alphabetic()
        && bytes[at + 2].is_ascii_digit()
        && bytes[at + 3].is_ascii_digit()
        && (at == floor || !iban_char(bytes[at - 1]))
}

/// Where the IBAN in print format that holds the digit at `at` ends, when one does and its
/// check digits hold; `None` otherwise. Nothing before `floor` is looked at (text a
/// replacement wrote over).
pub(crate) fn iban_end_around(bytes: &[u8], floor: usize, at: usize) -> Option<usize> {
    // The start of the group holding `at`, then back group by group (four characters and a
    // space each) to the head.
    let mut group = at;
    while group > floor && iban_char(bytes[group - 1]) {
        group -= 1;
    }
    let mut back = 0;
    while !head_at(bytes, floor, group) {
        back += 1;
        if back * (GROUP + 1) > *IBAN_CHARS.end()
            || group < floor + GROUP + 1
            || bytes[group - 1] != b' '
            || !bytes[group - 1 - GROUP..group - 1]
                .iter()
                .all(|&b| iban_char(b))
        {
            return None;
        }
        group -= GROUP + 1;
    }
    let head = group;
    // Forward from the head: every group of four, the last perhaps shorter; the IBAN ends at
    // a group's end where the check digits hold.
    let mut remainder = Mod97::default();
    let mut chars = 0;
    if bytes.get(head + GROUP) != Some(&b' ') {
        return None;
    }
    let mut i = head + GROUP + 1;
    loop {
        let len = bytes[i..].iter().take_while(|&&b| iban_char(b)).count();
        if len == 0 || len > GROUP || chars + GROUP + len > *IBAN_CHARS.end() {
            return None;
        }
        bytes[i..i + len].iter().for_each(|&b| remainder.push(b));
        chars += len;
        let end = i + len;
        // The first end where the check holds is the IBAN's: a digit after it is not
        // its (`BE68 5390 0754 7034 4111 1111 1111 1111`).
        if IBAN_CHARS.contains(&(chars + GROUP)) && remainder.then(&bytes[head..head + GROUP]) == 1
        {
            return (end > at).then_some(end);
        }
        if len < GROUP || bytes.get(end) != Some(&b' ') {
            return None;
        }
        i = end + 1;
    }
}

/// An IBAN's check (ISO 7064 MOD 97-10) kept as its characters come: letters count 10 to 35,
/// digits as themselves.
#[derive(Clone, Copy, Default)]
struct Mod97(u32);

impl Mod97 {
    /// Appends one character.
    fn push(&mut self, b: u8) {
        let v = if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            u32::from(b.to_ascii_uppercase() - b'A') + 10
        };
        self.0 = if v >= 10 {
            (self.0 * 100 + v) % 97
        } else {
            (self.0 * 10 + v) % 97
        };
    }

    /// The remainder once the head (country and check digits) is appended, as the check
    /// moves it to the end.
    fn then(mut self, head: &[u8]) -> u32 {
        head.iter().for_each(|&b| self.push(b));
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end_around(text: &str, at: &str) -> Option<usize> {
        iban_end_around(text.as_bytes(), 0, text.find(at).unwrap())
    }

    #[test]
    fn an_iban_in_print_format_is_found_from_any_of_its_digits() {
        let text = "to DE89 3704 0044 0532 0130 00 ok";
        for at in ["89", "3704", "0044", "0532", "0130", "00 ok"] {
            assert_eq!(
                end_around(text, at),
                Some(text.find(" ok").unwrap()),
                "{at}"
            );
        }
        // Letters among the groups (Britain's bank code, Italy's check character).
        let gb = "GB29 NWBK 6016 1331 9268 19";
        assert_eq!(end_around(gb, "6016"), Some(gb.len()));
        let it = "IT60 X054 2811 1010 0000 0123 456.";
        assert_eq!(end_around(it, "054"), Some(it.len() - 1));
        // Norway's, the shortest.
        assert_eq!(end_around("NO93 8601 1117 947", "8601"), Some(18));
    }

    #[test]
    fn what_fails_the_check_or_the_shape_is_no_iban() {
        // One digit changed.
        assert_eq!(end_around("DE89 3704 0044 0532 0130 01", "3704"), None);
        // No head, a head glued to a word, groups of three.
        assert_eq!(end_around("card 4111 1111 1111 1111", "4111"), None);
        assert_eq!(end_around("XDE89 3704 0044 0532 0130 00", "3704"), None);
        assert_eq!(end_around("DE89 370 400 440 532 013 000", "370"), None);
        // A card number after an IBAN is not part of it (Belgium's fills four groups), even
        // where a longer stretch passes the check too (Spain's, six groups).
        let text = "BE68 5390 0754 7034 4111 1111 1111 1111";
        assert_eq!(end_around(text, "5390"), Some(19));
        assert_eq!(end_around(text, "4111"), None);
        let text = "ES58 2686 6374 2250 2452 2201 4521 6813 1669 7043";
        assert_eq!(end_around(text, "2686"), Some(29));
        assert_eq!(end_around(text, "4521"), None);
        // Nothing before the floor is read.
        let text = b"DE89 3704 0044 0532 0130 00";
        assert_eq!(iban_end_around(text, 5, 5), None);
        assert_eq!(iban_end_around(text, 0, 5), Some(text.len()));
    }

    #[test]
    fn any_input_is_answered() {
        for text in [
            "",
            "DE",
            "DE89",
            "DE89 ",
            "DE89 3",
            " 3704",
            "AB12 CDEF GHIJ KLMN OPQR STUV WXYZ 1234 5678",
        ] {
            for at in 0..text.len() {
                let _ = iban_end_around(text.as_bytes(), 0, at);
            }
        }
    }
}
