//! A chip card's data objects written as hex, as card-present systems log them (ISO 8583's
//! field 55, a terminal kernel's trace, an `iccData` field): the PAN (tag `5A`), the track 2
//! equivalent data (tag `57`, and Mastercard's `9F6B` for contactless) and Mastercard's
//! contactless track 1 data (tag `56`, its ASCII in hex) inside a string of TLVs — tag,
//! length, value — where no blank or separator sets them apart:
//! `…9F2701805A0841111111111111115F2403…`. The card detector leaves a number glued to
//! letters or digits alone ([`crate::redact::card`]); here the tag and length before it say
//! what it is.
//!
//! Looked for in a run of 13 or more digits glued to a letter or digit at either end (a
//! PAN's digits all stand in one run; a TLV's value is glued to its tag or to the next one),
//! before the card detector looks at the run, at each place a tag may start from six bytes
//! before the run on: a known tag, case-insensitive; a length of one byte in two hex digits;
//! a value exactly that long, in the shape EMV gives it (BCD digits, padded with one `F` to
//! whole bytes) whose digits are a card number ([`card::is_card_number`]). Random hex seldom
//! passes all of that — a known tag, a length that fits, 13 or more decimal digits in a row,
//! a card's Luhn check and issuer prefix (track 1's hex, all of it: `B`, `3x` for each of a
//! card number's digits, `^`, a name, `^`, digits). The PAN is masked as any PAN is (its
//! `*`s glued to what follows, as its digits were); a track's data removed whole, with the
//! TLVs glued after it; tag and length stay, they say what was there.

use super::is_word_byte;
use crate::redact::card::{self, CardFinding};

/// What a tag's value holds.
#[derive(Clone, Copy)]
enum Holds {
    /// A PAN: 13–19 digits, an `F` after an odd count.
    Pan,
    /// Track 2 equivalent data: PAN, `D`, expiry (YYMM), service code and discretionary
    /// data, an `F` after an odd count.
    Track2,
    /// Track 1 data, its ASCII in hex: `B`, the PAN, `^`, the name, `^`, expiry, service
    /// code and discretionary data (`42 34 31 … 5E …`).
    Track1,
}

/// The tags whose value is card data.
const TAGS: [(&[u8], Holds); 4] = [
    (b"5A", Holds::Pan),
    (b"57", Holds::Track2),
    (b"9F6B", Holds::Track2),
    // Mastercard's contactless track 1, as its mag-stripe mode reads it beside `9F6B`.
    (b"56", Holds::Track1),
];

/// The most bytes a tag and its length take before its value (`9F6B13`).
const HEADER: usize = 6;

/// The fewest digits after a track's `D`: expiry date and service code.
const TRACK2_DATA: usize = 7;

/// Card data in a TLV around the run of digits `start..end` (bytes before `floor` stand
/// under a replacement and are not looked at): the first found.
pub(super) fn tlv_in_run(
    bytes: &[u8],
    floor: usize,
    start: usize,
    end: usize,
) -> Option<CardFinding> {
    let first = start.saturating_sub(HEADER).max(floor);
    (first..end).find_map(|at| {
        TAGS.iter()
            .find_map(|&(tag, holds)| tlv_at(bytes, at, tag, holds, start..end))
    })
}

/// Track 2 equivalent data (tag `57`) right after a PAN's value ending at `end`, its tag
/// glued to the PAN's last digit (`5A08<PAN>5713<track>`, an even number of digits needs no
/// `F`): where the track's value starts and its finding ends. The digits after a PAN found in
/// a run are not looked at again, where the next pass, the PAN masked, finds the track in
/// the run its last four digits start.
pub(super) fn track_after_pan(bytes: &[u8], end: usize) -> Option<(usize, usize)> {
    let run_end = end
        + bytes[end..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
    match tlv_at(bytes, end, b"57", Holds::Track2, end..run_end)? {
        CardFinding::Track { start, end } => Some((start, end)),
        CardFinding::Pan { .. } => None,
    }
}

/// The card data of a TLV whose tag `tag` starts at `at`, its PAN's digits within `run`.
fn tlv_at(
    bytes: &[u8],
    at: usize,
    tag: &[u8],
    holds: Holds,
    run: std::ops::Range<usize>,
) -> Option<CardFinding> {
    if !bytes.get(at..at + tag.len())?.eq_ignore_ascii_case(tag) {
        return None;
    }
    let length = at + tag.len();
    let len = bytes.get(length..length + 2)?;
    let hex = |b: u8| char::from(b).to_digit(16);
    let value_start = length + 2;
    let value_len = 2 * (hex(len[0])? * 16 + hex(len[1])?) as usize;
    if !run.contains(&value_start) {
        return None;
    }
    let value = bytes.get(value_start..value_start + value_len)?;
    // What is glued after a track (the next TLVs) goes with it: after a marker it would
    // start a word on a second pass (`[REMOVED]Bearer …`), where the first saw it glued to
    // the track's last digit.
    let end = value_start + value_len;
    let track = || CardFinding::Track {
        start: value_start,
        end: end
            + bytes[end..]
                .iter()
                .take_while(|&&b| is_word_byte(b))
                .count(),
    };
    if let Holds::Track1 = holds {
        return is_track1_in_hex(value).then(track);
    }
    let digits = value.iter().take_while(|b| b.is_ascii_digit()).count();
    if !(13..=19).contains(&digits) || !card::is_card_number(&value[..digits]) {
        return None;
    }
    let padded = |rest: &[u8]| rest.len() <= 1 && rest.iter().all(|&b| b == b'F' || b == b'f');
    match holds {
        Holds::Pan => padded(&value[digits..]).then_some(CardFinding::Pan {
            start: value_start,
            end: value_start + digits,
        }),
        Holds::Track2 => {
            let rest = &value[digits..];
            let data = rest
                .iter()
                .skip(1)
                .take_while(|b| b.is_ascii_digit())
                .count();
            (matches!(rest.first(), Some(b'D' | b'd'))
                && data >= TRACK2_DATA
                && padded(&rest[1 + data..]))
            .then(track)
        }
        Holds::Track1 => None,
    }
}

/// Whether `value` is track 1 data's ASCII in hex, all of it: `B` (`42`), a card number's
/// digits (`3x` each), `^` (`5E`), the cardholder's name (26 printable characters at most),
/// `^`, then 7 or more digits (expiry, service code, discretionary data). A value holding
/// anything else — text a pass may replace — is none, on every pass alike.
fn is_track1_in_hex(value: &[u8]) -> bool {
    let hex = |b: u8| char::from(b).to_digit(16);
    if value.len() % 2 != 0 {
        return false;
    }
    let mut pan = [0u8; 19];
    let (mut pan_len, mut field, mut name_len, mut data_len) = (0, 0, 0, 0);
    for (k, pair) in value.chunks_exact(2).enumerate() {
        let (Some(high), Some(low)) = (hex(pair[0]), hex(pair[1])) else {
            return false;
        };
        let c = (high * 16 + low) as u8;
        match (k, field, c) {
            (0, _, b'B') => {}
            (0, _, _) => return false,
            (_, _, b'^') if field < 2 => field += 1,
            (_, 0, b'0'..=b'9') if pan_len < pan.len() => {
                pan[pan_len] = c;
                pan_len += 1;
            }
            (_, 1, b' '..=b'~') if name_len < 26 => name_len += 1,
            (_, 2, b'0'..=b'9') => data_len += 1,
            _ => return false,
        }
    }
    field == 2
        && data_len >= TRACK2_DATA
        && (13..=19).contains(&pan_len)
        && card::is_card_number(&pan[..pan_len])
}

#[cfg(test)]
mod tests {
    use crate::redact::text::test_support::{assert_redacted, redact, redacted_once_for_all};

    #[test]
    fn card_data_inside_a_string_of_tlvs_is_found_by_its_tag() {
        assert_redacted(&[
            // ISO 8583 field 55: the PAN glued to its tag and length, and to the next tag.
            (
                "icc=9F2608A1B2C3D4E5F607085A0841111111111111115F24032512319F3602001A",
                "icc=9F2608A1B2C3D4E5F607085A08411111******11115F24032512319F3602001A",
            ),
            // An odd count of digits, padded with an `F`; lower-case hex.
            ("5a08378282246310005f5f2403", "5a08378282*****0005f5f2403"),
            // 19 digits: ten bytes, a length with a letter in it.
            ("x5A0A6011000990139424009F", "x5A0A601100*********4009F"),
            // Track 2 equivalent data, and Mastercard's contactless track 2.
            (
                r#"{"iccData":"9F27018057134111111111111111D25121011234567890123F9F10"}"#,
                r#"{"iccData":"9F2701805713[REMOVED]"}"#,
            ),
            // Fuzzer (seed 7536): a word glued after the track started a word after its
            // marker on a second pass (`[REMOVED]Bearer …`, `[REMOVED]EAAA…`). It goes with
            // the track.
            (
                "57134111111111111111D25121011234567890123FBearer abc",
                "5713[REMOVED] abc",
            ),
            (
                "57134111111111111111D25121011234567890123FEAAA0123456789ABCDEF0123",
                "5713[REMOVED]",
            ),
            (
                "57134111111111111111D25121011234567890123F4111111111111111 x",
                "5713[REMOVED] x",
            ),
            (
                "9f6b134111111111111111d25121011234567890123f",
                "9f6b13[REMOVED]",
            ),
            // Mastercard's contactless track 1 (tag `56`), its ASCII in hex:
            // `B4111…^DOE/JOHN^…`.
            (
                "9F270180562E42343131313131313131313131313131315E444F452F4A4F484E5E32353132313031303030303030303030303030309F1004",
                "9F270180562E[REMOVED]",
            ),
            // Composition sweep: a PAN of 16 digits and the track right after it, its tag
            // glued to the PAN's last digit — the track was left on the first pass, found
            // on the next in the run the PAN's last four start.
            (
                "5A08411111111111111157134111111111111111D25121011234567890123F",
                "5A08411111******11115713[REMOVED]",
            ),
            // And its tag and length glued to the marker are no code after a code's name.
            (
                "PIN was 57134111111111111111D25121011234567890123F",
                "PIN was 5713[REMOVED]",
            ),
            (
                "cvv 57134111111111111111D25121011234567890123F",
                "cvv 5713[REMOVED]",
            ),
            // A code and a `.` before track 2 data: a decimal number's start on the first
            // pass, the `.` glued to a marker on the next.
            ("CV2 was 391.4111111111111111D2101", "CV2 was 391.[REMOVED]"),
            // A TLV inside a longer run of digits: those before it, glued to the marker on
            // the next pass, are no card number (a 15-digit Mir number, there).
            (
                "2201111111057134111111111111111D25121011234567890123F",
                "220111111105713[REMOVED]",
            ),
            // The TLV inside track 2's discretionary data (no track's end there, letters
            // glued to its digits): the track's `4111…D5713` before the marker is none.
            (
                "4111111111111111D57134111111111111111D121011234567123456789",
                "4111111111111111D5713[REMOVED]",
            ),
        ]);
    }

    #[test]
    fn hex_that_is_no_card_data_stays() {
        assert_redacted(&[
            // A value of the wrong length, a number that is no card, a track with too few
            // digits after its `D`, an unknown tag.
            (
                "5A094111111111111111 5A0841111111111111125F 57134111111111111111D2512F 5B084111111111111111",
                "5A094111111111111111 5A0841111111111111125F 57134111111111111111D2512F 5B084111111111111111",
            ),
            // A SHA-256 digest, epoch milliseconds glued to a hex id.
            (
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ab1764221757123",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ab1764221757123",
            ),
        ]);
    }

    #[test]
    fn a_track_1_value_cut_short_is_none_on_every_pass() {
        // Composition sweep (seeds 68, 69, 73): the value's length ran past the string's end,
        // and the marker a pass wrote after it made it fit on the next, which removed it.
        // Only a value that is track 1's hex all through is one.
        let text = "x562F42353535353535353535353535343434345E444F452F4A4F484E5E323531323230\
                    NewImage\":{\"bdk\":{\"";
        let once = redact(text);
        assert!(once.contains("562F4235353535"), "{once}");
        assert_eq!(redact(&once), once);
    }

    #[test]
    fn card_data_in_tlvs_is_redacted_once_for_all() {
        redacted_once_for_all(
            &[
                "5A08",
                "4111111111111111",
                "5713",
                "D2512101123456789F",
                "9F26",
                "08",
                "F",
                "562E",
                "4234313131313131313131313131313131",
                "5E444F452F4A4F484E5E",
                "3235313231303130",
            ],
            55,
            "5A084111111111111111",
            "5A084111111111111111",
        );
    }
}
