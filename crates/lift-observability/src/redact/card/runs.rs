//! Card numbers in runs of digit groups: what joins two groups (a space, a dash or a plus
//! sign, two spaces, a dash between spaces, `%20`, or a space that does not break, as it is
//! or escaped as JSON keeps to ASCII: `\u00a0`), where a run starts, and the search of a run
//! for the leftmost stretch of whole groups that is a card — never starting inside what a
//! masked number keeps, so masking twice changes nothing. Track data is judged around a
//! one-group PAN ([`super::tracks`]).

use super::tracks::{track1, track2};
use super::{CardFinding, MASK_CHAR, PAN_DIGITS, is_card_number};
use crate::redact::text::is_marker_at;

/// A space as a URL encodes it: one of the separators between a card number's groups.
const ENCODED_SPACE: &[u8] = b"%20";

/// Spaces a number's groups are set apart with when they must not break over lines, in
/// UTF-8: the no-break space (U+00A0, HTML's `&nbsp;`, as a web page or a PDF a card number
/// is copied from writes it), the figure space (U+2007), the thin space (U+2009) and the
/// narrow no-break space (U+202F, the French grouping of digits).
const UNBREAKING_SPACES: [&[u8]; 4] = [
    "\u{a0}".as_bytes(),
    "\u{2007}".as_bytes(),
    "\u{2009}".as_bytes(),
    "\u{202f}".as_bytes(),
];

/// An unbreaking space ([`UNBREAKING_SPACES`]) escaped as JSON writes it where it keeps to
/// ASCII (`\u00a0`, Python's `json.dumps` by default): the four hex digits after `\u`, any
/// case.
const ESCAPED_UNBREAKING_SPACES: [&[u8]; 4] = [b"00a0", b"2007", b"2009", b"202f"];

/// How many bytes an escaped unbreaking space takes (`\u00a0`).
pub(crate) const ESCAPED_SPACE_WIDTH: usize = 6;

/// Whether `bytes` starts with an escaped unbreaking space ([`ESCAPED_UNBREAKING_SPACES`]).
fn escaped_unbreaking_space(bytes: &[u8]) -> bool {
    bytes.len() >= ESCAPED_SPACE_WIDTH
        && bytes.starts_with(b"\\u")
        && ESCAPED_UNBREAKING_SPACES
            .iter()
            .any(|hex| bytes[2..ESCAPED_SPACE_WIDTH].eq_ignore_ascii_case(hex))
}

/// Whether `bytes` ends with an escaped unbreaking space.
fn ends_escaped_unbreaking_space(bytes: &[u8]) -> bool {
    bytes.len() >= ESCAPED_SPACE_WIDTH
        && escaped_unbreaking_space(&bytes[bytes.len() - ESCAPED_SPACE_WIDTH..])
}

/// The width of an unbreaking space ([`UNBREAKING_SPACES`]) at the start of `bytes`, or 0.
#[cold]
#[inline(never)]
fn unbreaking_space(bytes: &[u8]) -> usize {
    UNBREAKING_SPACES
        .iter()
        .find(|s| bytes.starts_with(s))
        .map_or(0, |s| s.len())
}

/// How many bytes at `at` join two digit groups of a card number: 1 for a space, a dash or
/// a plus sign (a space in form-encoded text: `4111+1111+1111+1111`), 2 for two
/// spaces (a number typed or laid out loosely: `4111  1111  1111  1111`), 3 for a dash
/// between spaces (`4111 - 1111 - 1111 - 1111`) or `%20` (a space in a URL), 2 or 3 for an
/// unbreaking space ([`UNBREAKING_SPACES`]); 0 when nothing there joins groups.
#[inline(always)]
pub(crate) fn joiner_at(bytes: &[u8], at: usize) -> usize {
    match bytes.get(at) {
        Some(b' ') => match bytes.get(at + 1) {
            Some(b' ') => 2,
            Some(b'-') if bytes.get(at + 2) == Some(&b' ') => 3,
            _ => 1,
        },
        Some(b'-' | b'+') => 1,
        Some(b'%') if bytes[at..].starts_with(ENCODED_SPACE) => 3,
        Some(b'\\') if escaped_unbreaking_space(&bytes[at..]) => ESCAPED_SPACE_WIDTH,
        Some(b) if !b.is_ascii() => unbreaking_space(&bytes[at..]),
        _ => 0,
    }
}

/// Where the group before the digit at `at` ends, when an unbreaking space
/// ([`UNBREAKING_SPACES`]) joins them (`4111\u{a0}1111…`): the non-ASCII bytes break a run
/// where the scan's blocks are classified, so such a group is where the run is found from.
#[inline]
pub(crate) fn group_end_before_unbreaking_space(bytes: &[u8], at: usize) -> Option<usize> {
    let width = UNBREAKING_SPACES
        .iter()
        .find(|s| bytes[..at].ends_with(s))?
        .len();
    (at > width && bytes[at - width - 1].is_ascii_digit()).then_some(at - width)
}

/// How many bytes that end at `end` join two digit groups (see [`joiner_at`]).
fn joiner_before(bytes: &[u8], end: usize) -> usize {
    let before = &bytes[..end];
    if before.ends_with(ENCODED_SPACE) || before.ends_with(b" - ") {
        3
    } else if before.ends_with(b"  ") {
        2
    } else if end > 0 && matches!(before[end - 1], b' ' | b'-' | b'+') {
        1
    } else if ends_escaped_unbreaking_space(before) {
        ESCAPED_SPACE_WIDTH
    } else {
        UNBREAKING_SPACES
            .iter()
            .find(|s| before.ends_with(s))
            .map_or(0, |s| s.len())
    }
}

/// Where the next group of a run starts when the group ending at `end` is joined to one.
#[inline]
pub(crate) fn next_group(bytes: &[u8], end: usize) -> Option<usize> {
    let width = joiner_at(bytes, end);
    (width > 0 && bytes.get(end + width).is_some_and(u8::is_ascii_digit)).then_some(end + width)
}

/// Where the digits of a group that ends at `end` start, not before `bound` (the `20` of a
/// `%20` or the `0` of a `\u00a0` before them joins, it is not theirs).
fn group_start(bytes: &[u8], bound: usize, end: usize) -> usize {
    let mut k = end;
    while k > bound
        && bytes[k - 1].is_ascii_digit()
        && !bytes[..k].ends_with(ENCODED_SPACE)
        && !ends_escaped_unbreaking_space(&bytes[..k])
    {
        k -= 1;
    }
    k
}

/// Where the run of joined digit groups that ends at `end` starts, not before `bound`; `end`
/// itself when no digit comes right before it.
pub(crate) fn run_start(bytes: &[u8], bound: usize, end: usize) -> usize {
    let mut start = group_start(bytes, bound, end);
    while start < end {
        let width = joiner_before(bytes, start);
        if width == 0 || start < bound + width + 1 || !bytes[start - width - 1].is_ascii_digit() {
            break;
        }
        let earlier = group_start(bytes, bound, start - width);
        if earlier == start - width {
            break;
        }
        start = earlier;
    }
    start
}

/// Whether the bytes before `at`, all at or after `floor`, end a percent escape (`%3D`,
/// `%20`: URL-encoded text), or one encoded twice (`%253D`: a URL inside another's query).
fn ends_percent_escape(bytes: &[u8], floor: usize, at: usize) -> bool {
    let escape =
        |from: usize| bytes[from] == b'%' && bytes[from + 1..at].iter().all(u8::is_ascii_hexdigit);
    (at >= floor + 3 && escape(at - 3))
        || (at >= floor + 5 && bytes[at - 4..at - 2] == *b"25" && escape(at - 5))
}

/// Whether the bytes before `at`, all at or after `floor`, end with a line break or a tab
/// escaped as JSON and `Debug` write them (`\n`, `\r`, `\t`): its letter is no word's, and
/// what follows starts a line (`"declined\n4111…"`, a JSON line's multi-line message).
pub(crate) fn ends_escaped_blank(bytes: &[u8], floor: usize, at: usize) -> bool {
    at >= floor + 2 && bytes[at - 2] == b'\\' && matches!(bytes[at - 1], b'n' | b'r' | b't')
}

/// One group of a run: its byte span and digit count.
#[derive(Clone, Copy, Default)]
pub(super) struct Group {
    pub(super) start: usize,
    pub(super) end: usize,
}

impl Group {
    /// How many digits it holds.
    pub(super) fn len(self) -> usize {
        self.end - self.start
    }
}

/// The most groups a candidate can span (one digit each).
const WINDOW: usize = 19;

/// Looks for card data in the run of digit groups starting at `start` (a digit whose
/// previous byte is not a digit). Returns the first finding, or `None`, and where the
/// caller's search resumes (the finding's end, or the run's end). Bytes before `floor` are
/// not looked at: the caller has written something else over them (a replaced value), so
/// what stood there is not what a second pass will see.
pub(crate) fn find_in_run(
    bytes: &[u8],
    floor: usize,
    start: usize,
) -> (Option<CardFinding>, usize) {
    // A ring of the groups from the current candidate start onwards.
    let mut ring = [Group::default(); WINDOW + 1];
    let (mut head, mut len) = (0usize, 0usize); // ring[head..head + len]
    let mut next = start; // where the next group starts, if the run goes on
    let mut run_open = true;
    let mut first_of_run = true;
    let phone = after_international_prefix(bytes, floor, start);
    // Right after the hidden middle of a number masked before (`11***1-111`,
    // `11** **-111-6`): the first four digits are its kept end. No candidate starts inside
    // them, so masking twice changes nothing.
    if after_hidden_digits(bytes, floor, start) {
        let mut tail = 0;
        loop {
            let len = bytes[next..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if tail + len > 4 {
                break;
            }
            tail += len;
            match next_group(bytes, next + len) {
                Some(group) => {
                    next = group;
                    first_of_run = false;
                }
                None => return (None, next + len),
            }
        }
    }
    loop {
        // Fill the window: groups until more than 19 digits follow the candidate start.
        let mut digits: usize = (0..len).map(|k| ring[(head + k) % ring.len()].len()).sum();
        while run_open && digits <= *PAN_DIGITS.end() && len < WINDOW {
            let end = next
                + bytes[next..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
            ring[(head + len) % ring.len()] = Group { start: next, end };
            len += 1;
            digits += end - next;
            // A joiner followed by a digit continues the run.
            match next_group(bytes, end) {
                Some(group) => next = group,
                None => run_open = false,
            }
        }
        if len == 0 {
            return (None, next);
        }
        let first = ring[head];
        let window = Window {
            ring: &ring,
            head,
            len,
            first_of_run,
            run_open,
        };
        // A phone number's first group starts no card (`+49 151 12345678`) — but E.164 gives
        // a phone number 15 digits at most: a longer number after a `+` is a card's
        // (`+4111 1111 1111 1111`).
        if let Some(found) = candidate_at(bytes, floor, window)
            && !(first_of_run && phone && fits_phone_number(bytes, found))
        {
            return (Some(found), found.end());
        }
        // No card starts at this group: the next one is the candidate start.
        head = (head + 1) % ring.len();
        len -= 1;
        first_of_run = false;
        if len == 0 && !run_open {
            return (None, first.end);
        }
    }
}

/// Whether a run at `start` follows the `+` of a phone number in E.164's form (`+49 151
/// 12345678`, `tel=%2B4915112345678`) — a `+` (or `%2B`) at the text's start or after a byte
/// that is no letter or digit: no card number is written so. (After a letter or a digit a
/// `+` is a form-encoded space: `Card+4111+1111+1111+1111`.) Only what stands at or after
/// `floor` is judged (a second pass reads the same bytes there), so a `+` whose byte before
/// was replaced counts for none.
fn after_international_prefix(bytes: &[u8], floor: usize, start: usize) -> bool {
    let plus = if start > floor && bytes[start - 1] == b'+' {
        start - 1
    } else if start >= floor + 3 && bytes[start - 3..start].eq_ignore_ascii_case(b"%2B") {
        start - 3
    } else {
        return false;
    };
    plus == 0 || plus > floor && !bytes[plus - 1].is_ascii_alphanumeric()
}

/// The most digits of a phone number in E.164's form, its country code included.
const E164_DIGITS: usize = 15;

/// Whether a card finding after a `+` may be a phone number instead: a PAN of 15 digits or
/// fewer (a track is judged as its PAN was, before it: never after a `+`).
fn fits_phone_number(bytes: &[u8], found: CardFinding) -> bool {
    match found {
        CardFinding::Pan { start, end } => {
            super::number_digits(&bytes[start..end])
                .filter(|&(_, digit)| digit)
                .count()
                <= E164_DIGITS
        }
        CardFinding::Track { .. } => true,
    }
}

/// The most places the hidden middle of a masked number spans: nine mask characters at most
/// (19 digits, 10 kept), a separator after each.
const HIDDEN_SPAN: usize = 2 * (*PAN_DIGITS.end() - 10);

/// Whether a digit starting at `at` follows the hidden middle of a number masked before —
/// at least three mask characters, joiners among them, right before it or one joiner away —
/// with a kept digit before that middle, directly or across one joiner:
/// `411111******1111`, `4111 11** **** 1111`, `4111%2011**%20****%201111`. Mask characters
/// without that shape are text (`* 4111 1111 1111 1111`, a list's bullet).
fn after_hidden_digits(bytes: &[u8], floor: usize, at: usize) -> bool {
    let before = &bytes[floor.min(at)..at];
    let mut k = before.len() - joiner_before(before, before.len());
    let (mut places, mut masks) = (0, 0);
    while k > 0 && places < HIDDEN_SPAN {
        if before[k - 1] == MASK_CHAR as u8 {
            masks += 1;
            k -= 1;
        } else {
            let width = joiner_before(before, k);
            if width == 0 || masks == 0 || k <= width || before[k - width - 1] != MASK_CHAR as u8 {
                break;
            }
            k -= width;
        }
        places += 1;
    }
    let head = &before[..k];
    let kept = match joiner_before(head, k) {
        0 => head.last().is_some_and(u8::is_ascii_digit),
        width => k > width && head[k - width - 1].is_ascii_digit(),
    };
    masks >= 3 && kept
}

/// Whether the hidden middle of a masked number starts at `end` (see
/// [`after_hidden_digits`]): at least three mask characters, joiners among them, then a
/// kept digit, directly or across one joiner.
pub(crate) fn before_hidden_digits(bytes: &[u8], end: usize) -> bool {
    let after = &bytes[end..];
    let (mut k, mut places, mut masks) = (0, 0, 0);
    while k < after.len() && places < HIDDEN_SPAN {
        if after[k] == MASK_CHAR as u8 {
            masks += 1;
            k += 1;
        } else {
            let width = joiner_at(after, k);
            if width == 0 || masks == 0 || after.get(k + width) != Some(&(MASK_CHAR as u8)) {
                break;
            }
            k += width;
        }
        places += 1;
    }
    masks >= 3
        && after
            .get(k + joiner_at(after, k))
            .is_some_and(u8::is_ascii_digit)
}

/// The candidate start's groups: `ring[head..head + len]` (around the ring), whether the
/// first is the run's first, and whether the run goes on past them.
#[derive(Clone, Copy)]
struct Window<'a> {
    ring: &'a [Group; WINDOW + 1],
    head: usize,
    len: usize,
    first_of_run: bool,
    run_open: bool,
}

/// The longest stretch of whole groups starting at `ring[head]` that is card data.
fn candidate_at(bytes: &[u8], floor: usize, window: Window<'_>) -> Option<CardFinding> {
    let Window {
        ring,
        head,
        len,
        first_of_run,
        run_open,
    } = window;
    let first = ring[head];
    // Before `floor` stands what the caller replaced: no byte to glue to.
    let left = first
        .start
        .checked_sub(1)
        .filter(|&k| k >= floor)
        .map(|k| bytes[k]);
    // Track 1 glues its PAN to a `B` (`%B4111…^`); any other letter or digit glued
    // disqualifies, and so does a masked number's hidden middle before it (a longer tail
    // than a masked number keeps is not its tail, nor a number of its own).
    let track1_lead = first_of_run && left == Some(b'B');
    // The last hex digit of a percent escape (`card%3D4111…`, `%204111…`) is no glue, nor
    // the letter of an escaped line break (`\n4111…`) or no-break space (`\u00a04111…`).
    let glued = left.is_some_and(|b| b.is_ascii_alphanumeric())
        && !ends_percent_escape(bytes, floor, first.start)
        && !ends_escaped_blank(bytes, floor, first.start)
        && !ends_escaped_unbreaking_space(&bytes[floor.min(first.start)..first.start])
        // A decimal's fraction (`0.6394737362861633`, a float's 16 digits as Rust and JSON
        // write a score, a coordinate, a latency): no card number is written after one —
        // but track data may stand there, which no float holds (`…=2512…`, `…D2512…`).
        || left == Some(b'.')
            && first.start >= floor + 2
            && bytes[first.start - 2].is_ascii_digit()
            && !matches!(bytes.get(first.end), Some(b'=' | b'D' | b'd'));
    if first_of_run && (glued || after_hidden_digits(bytes, floor, first.start)) && !track1_lead {
        return None;
    }
    if track1_lead {
        return track1(bytes, first);
    }
    let mut digits = [0u8; 19];
    let mut total = 0;
    let mut best = None;
    for k in 0..len {
        let g = ring[(head + k) % ring.len()];
        if total + g.len() > digits.len() {
            break;
        }
        digits[total..total + g.len()].copy_from_slice(&bytes[g.start..g.end]);
        total += g.len();
        if total < *PAN_DIGITS.start() {
            continue;
        }
        let last_of_run = k + 1 == len && !run_open;
        let right = bytes.get(g.end).copied();
        // Inside a run a separator follows; at its end, what follows must not glue.
        if last_of_run {
            if k == 0
                && let Some(track) = track2(bytes, first, &digits[..total])
            {
                return Some(track);
            }
            // A masked number's kept first digits end at its hidden middle: never part of
            // a number here. Nor are digits glued to a marker, where the pass before had
            // what it replaced — more digits, perhaps (`2201…05713[REMOVED]`: a chip card's
            // track 2 TLV found inside a longer run).
            if right.is_some_and(|b| b.is_ascii_alphanumeric())
                || right == Some(MASK_CHAR as u8) && before_hidden_digits(bytes, g.end)
                || right == Some(b'[') && is_marker_at(&bytes[g.end..])
            {
                continue;
            }
        }
        if is_card_number(&digits[..total]) {
            best = Some(CardFinding::Pan {
                start: first.start,
                end: g.end,
            });
        }
    }
    best
}

/// Every finding in `text`, searched as the free-text walk searches it: a kind (`pan`,
/// `track`) and the text found.
#[cfg(test)]
pub(super) fn find_all(text: &str) -> Vec<(&'static str, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit()) {
            let (found, resume) = find_in_run(bytes, 0, i);
            match found {
                Some(CardFinding::Pan { start, end }) => out.push(("pan", &text[start..end])),
                Some(CardFinding::Track { start, end }) => out.push(("track", &text[start..end])),
                None => {}
            }
            i = resume.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::card::mask_in_place;

    #[test]
    fn cards_after_digits_and_in_lists_are_found() {
        let pan = "4111111111111111";
        assert_eq!(
            find_all("2026-11-27 05:19:35 4111111111111111 declined"),
            [("pan", pan)]
        );
        assert_eq!(find_all("qty 2 4111111111111111"), [("pan", pan)]);
        assert_eq!(
            find_all("cards: 4111111111111111 5555555555554444"),
            [("pan", pan), ("pan", "5555555555554444")]
        );
        assert_eq!(
            find_all("amount 25 4111 1111 1111 1111"),
            [("pan", "4111 1111 1111 1111")]
        );
        assert_eq!(
            find_all("4111-1111-1111-1111-1225"),
            [("pan", "4111-1111-1111-1111")]
        );
    }

    #[test]
    fn two_spaces_and_spaced_dashes_join_groups_as_people_type_them() {
        for (text, pan) in [
            ("card 4111  1111  1111  1111 ok", "4111  1111  1111  1111"),
            // A stray second space between two groups only.
            ("card 4111 1111  1111 1111 ok", "4111 1111  1111 1111"),
            (
                "card: 4111 - 1111 - 1111 - 1111",
                "4111 - 1111 - 1111 - 1111",
            ),
            // After a number joined the same way, as after one joined by a single space.
            ("qty 2  4111  1111  1111  1111", "4111  1111  1111  1111"),
            ("ts\t1764221757123\t4111111111111111", "4111111111111111"),
        ] {
            assert_eq!(find_all(text), [("pan", pan)], "{text:?}");
        }
        // Masked so, the kept ends start nothing.
        for masked in ["4111  11**  ****  1111", "4111 - 11** - **** - 1111"] {
            assert_eq!(find_all(masked), [], "{masked:?}");
        }
    }

    #[test]
    fn plus_signs_join_groups_as_a_form_encoded_space() {
        assert_eq!(
            find_all("card_number=4111+1111+1111+1111&exp=12"),
            [("pan", "4111+1111+1111+1111")]
        );
        assert_eq!(
            find_all("q=2+4111+1111+1111+1111"),
            [("pan", "4111+1111+1111+1111")]
        );
        // After a letter, a form-encoded space.
        assert_eq!(
            find_all("msg=Card+4111+1111+1111+1111+declined"),
            [("pan", "4111+1111+1111+1111")]
        );
        // Masked, its kept ends start nothing; two plus signs are no single separator.
        assert_eq!(find_all("4111+11**+****+1111"), []);
        assert_eq!(find_all("4111++1111+1111+1111"), []);
    }

    #[test]
    fn a_phone_number_in_e164_form_is_no_card() {
        // Masked before: 13 digits of a German mobile number passed Luhn with a Visa prefix
        // (`+49 151 1***5678`).
        for text in [
            "sms sent to +49 151 12345678",
            "+4915112345678",
            "tel=%2B4915112345678",
            "phone: (+49 151 12345678)",
        ] {
            assert_eq!(find_all(text), [], "{text}");
        }
        // A card after the phone number's groups is still one.
        assert_eq!(
            find_all("+1 4111111111111111"),
            [("pan", "4111111111111111")]
        );
        // More digits than E.164 gives a phone number: a card's (they were kept).
        assert_eq!(
            find_all("x\n+5532 0096 2080 0448."),
            [("pan", "5532 0096 2080 0448")]
        );
        assert_eq!(
            find_all("(+4111111111111111)"),
            [("pan", "4111111111111111")]
        );
        // Fifteen digits may be either (an Amex card's): the phone's reading stands.
        assert_eq!(find_all("+378282246310005"), []);
    }

    #[test]
    fn a_decimal_s_fraction_is_no_card() {
        // A float's 16 digits in text (a face's landmark in Rekognition's answer, logged as
        // a message) passed Luhn with a Discover prefix and were masked.
        for text in [
            "X: 0.6394737362861633",
            "score=0.6006892323493958",
            "amount 12.4111111111111111",
        ] {
            assert_eq!(find_all(text), [], "{text}");
        }
        // A card after a sentence's period or as a float's whole part is still one.
        assert_eq!(
            find_all("done. 4111111111111111"),
            [("pan", "4111111111111111")]
        );
        assert_eq!(
            find_all("4111111111111111.0"),
            [("pan", "4111111111111111")]
        );
    }

    #[test]
    fn encoded_spaces_join_groups_as_a_url_writes_them() {
        assert_eq!(
            find_all("q=4111%201111%201111%201111&x=1"),
            [("pan", "4111%201111%201111%201111")]
        );
        // The second card's run starts after the `%20` that follows the first.
        let two = b"4111%201111%201111%201111%205555%205555%205555%204444";
        assert_eq!(
            find_in_run(two, 0, 0).0,
            Some(CardFinding::Pan { start: 0, end: 25 })
        );
        assert_eq!(
            find_in_run(two, 25, 28).0,
            Some(CardFinding::Pan { start: 28, end: 53 })
        );
        let mut masked = Vec::new();
        mask_in_place(b"4111%201111%201111%201111", &mut masked);
        assert_eq!(masked, b"4111%2011**%20****%201111");
        assert_eq!(find_all("4111%2011**%20****%201111%205555"), []);
        // Other escapes join nothing.
        assert_eq!(find_all("4111%2B1111%2B1111%2B1111"), []);
        // An escape's last hex digit is no glue, encoded once or twice.
        assert_eq!(
            find_all("card%253D4111111111111111"),
            [("pan", "4111111111111111")]
        );
        assert_eq!(find_all("card%2G4111111111111111"), []);
        // Where a run of joined groups starts, from the end of its last group.
        let text = b"x%204111%201111 1111-1111";
        assert_eq!(run_start(text, 0, text.len()), 4);
        assert_eq!(run_start(text, 9, text.len()), 11);
        assert_eq!(run_start(b"ab%20", 0, 2), 2);
    }

    #[test]
    fn a_mask_character_that_hides_no_number_hides_no_card_either() {
        // A list's bullet, bold text, a value already replaced: none is the hidden middle
        // of a masked number, so the card after or before it is found.
        for (text, pan) in [
            ("note * 4111 1111 1111 1111", "4111 1111 1111 1111"),
            ("note * 4111111111111111", "4111111111111111"),
            ("x *-4111-1111-1111-1111", "4111-1111-1111-1111"),
            ("**4111111111111111**", "4111111111111111"),
            ("ref*4111111111111111", "4111111111111111"),
            ("2*4111 1111 1111 1111", "4111 1111 1111 1111"),
            ("csc:* 4211141111111", "4211141111111"),
            ("4111111111111111**", "4111111111111111"),
        ] {
            assert_eq!(find_all(text), [("pan", pan)], "{text}");
        }
        // Before `floor` the caller replaced what stood there (`9` was a removed value):
        // it is no masked number's kept first digit.
        let text = b"CSC=9 ***6666666666666";
        assert_eq!(find_in_run(text, 0, 9).0, None);
        assert!(matches!(
            find_in_run(text, 5, 9).0,
            Some(CardFinding::Pan { start: 9, end: 22 })
        ));
        // A masked number's own shapes: its kept ends start and end nothing.
        for masked in [
            "411111******1111",
            "4111 11** **** 1111",
            "4111-11**-****-1111",
            "411111 ****** 1111",
            "6011 00** **** ***4 123",
            "1234567 411111******1111",
            "411111******1111 5555555555554444",
        ] {
            assert!(
                find_all(masked)
                    .iter()
                    .all(|(_, p)| *p == "5555555555554444"),
                "{masked}: {:?}",
                find_all(masked)
            );
        }
    }

    #[test]
    fn look_alikes_are_not_cards() {
        for benign in [
            "20261127051935123",
            "at 1764221757123 ms",
            "123e4567-e89b-12d3-a456-426614174000",
            "order 1234567890123456",
            "tx4111111111111111USD",
            "id 41111111111111111111111",
            // Three spaces, a dash and a space, two dashes, a tab: no joiner.
            "4111   1111   1111   1111",
            "4111- 1111- 1111- 1111",
            "4111--1111--1111--1111",
            "4111\t1111\t1111\t1111",
        ] {
            assert_eq!(find_all(benign), [], "{benign}");
        }
    }
}
