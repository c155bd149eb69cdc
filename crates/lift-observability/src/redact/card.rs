//! Card data in text: primary account numbers (PANs), track data and EMV track-2 equivalents.
//!
//! A PAN is 13–19 digits, contiguous or in groups joined by single spaces, dashes or plus
//! signs (a space in form-encoded text), with no letter, digit or mask character glued to
//! either end, that passes the Luhn check
//! **and** starts with an issuer prefix of a card brand at a length that brand issues
//! ([`is_card_number`]): Visa, Mastercard (51–55 and the 2-series), American Express,
//! Discover, JCB, Diners Club, UnionPay, Maestro, Mir, RuPay and Troy. Numbers that pass
//! Luhn but cannot be cards — epoch milliseconds, compact date-times, order ids starting
//! with a digit no brand uses — stay as they are, the way data-loss-prevention scanners
//! judge them.
//!
//! Inside a longer run of digit groups every stretch of whole groups is a candidate
//! (`2026-11-27 05:19:35 4111111111111111`, `qty 2 4111…`, two cards in a row): the
//! leftmost stretch that is a card wins, the longest at that start. Track data is
//! removed whole: track 1 (`%B<PAN>^NAME^…?`, sentinels optional), track 2
//! (`;<PAN>=<expiry, service code, discretionary data>?`, sentinels optional) and the EMV
//! tag-57 form (`<PAN>D<expiry…>F`).
//!
//! Everything is linear in the input, allocation-free and total: no input panics.

/// What a PAN's hidden middle digits become.
pub const MASK_CHAR: char = '*';

/// Fewest and most digits of a PAN (ISO/IEC 7812).
const PAN_DIGITS: std::ops::RangeInclusive<usize> = 13..=19;

/// Luhn check over ASCII digits; `false` for an empty input or one with any other byte.
pub fn luhn_valid(digits: &[u8]) -> bool {
    if digits.is_empty() {
        return false;
    }
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        if !d.is_ascii_digit() {
            return false;
        }
        let mut v = u32::from(d - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum % 10 == 0
}

/// Whether `digits` (ASCII digits only) is a card number: Luhn-valid, and an issuer prefix
/// of a card brand at a length that brand issues.
pub fn is_card_number(digits: &[u8]) -> bool {
    brand_accepts(digits) && luhn_valid(digits)
}

/// The first `n` digits as a number (0 when there are fewer).
fn prefix(digits: &[u8], n: usize) -> u32 {
    if digits.len() < n {
        return 0;
    }
    digits[..n]
        .iter()
        .fold(0, |acc, &d| acc * 10 + u32::from(d.wrapping_sub(b'0')))
}

/// Issuer prefixes and lengths per brand (ISO/IEC 7812 IIN ranges as the brands publish
/// them; the Maestro and Discover ranges are taken wide, as DLP scanners do).
fn brand_accepts(d: &[u8]) -> bool {
    let len = d.len();
    if !PAN_DIGITS.contains(&len) {
        return false;
    }
    let p2 = prefix(d, 2);
    let p3 = prefix(d, 3);
    let p4 = prefix(d, 4);
    match d[0] {
        // Visa (13, 16 and 19 issued; every length taken, the prefix alone is unambiguous).
        b'4' => true,
        // Mastercard 2-series (16); Mir (16–19).
        b'2' => ((2221..=2720).contains(&p4) && len == 16) || (2200..=2204).contains(&p4),
        b'3' => {
            // American Express (15).
            ((p2 == 34 || p2 == 37) && len == 15)
                // JCB (16–19).
                || ((3528..=3589).contains(&p4) && len >= 16)
                // Diners Club (14–19).
                || (((300..=305).contains(&p3) || p4 == 3095 || matches!(p2, 36 | 38 | 39))
                    && len >= 14)
        }
        // Mastercard (16); Maestro 50 and 56–58 (13–19).
        b'5' => ((51..=55).contains(&p2) && len == 16) || matches!(p2, 50 | 56..=58),
        // Discover, UnionPay, Maestro 6x, RuPay, Troy: every 6-prefix (13–19).
        b'6' => true,
        // UnionPay 81, RuPay 81–82 (16–19).
        b'8' => matches!(p2, 81 | 82) && len >= 16,
        // Troy 9792 (16).
        b'9' => p4 == 9792 && len == 16,
        _ => false,
    }
}

/// Appends `digits` masked: first 6 and last 4 kept, the rest [`MASK_CHAR`] (PCI DSS 3.4.1).
/// Total on any input: fewer than 13 digits keep only their last four (none below five),
/// and non-digit bytes are masked like digits.
pub fn mask_pan(digits: &[u8], out: &mut String) {
    let n = digits.len();
    let (head, tail) = if n >= 13 {
        (6, 4)
    } else if n > 4 {
        (0, 4)
    } else {
        (0, 0)
    };
    for (i, &d) in digits.iter().enumerate() {
        out.push(if (i < head || i >= n - tail) && d.is_ascii_digit() {
            d as char
        } else {
            MASK_CHAR
        });
    }
}

/// Appends a PAN as it stood in the text, masked: its first 6 and last 4 digits kept, the
/// digits between [`MASK_CHAR`], separators kept.
pub(crate) fn mask_in_place(pan: &[u8], out: &mut Vec<u8>) {
    // A `%20` between groups is a separator: its digits are not the number's.
    let escaped = 2 * pan.iter().filter(|&&b| b == b'%').count();
    let n = (pan.iter().filter(|b| b.is_ascii_digit()).count()).saturating_sub(escaped);
    let mut d = 0;
    let mut in_escape = 0;
    for &b in pan {
        if b == b'%' {
            in_escape = 2;
            out.push(b);
        } else if in_escape > 0 {
            in_escape -= 1;
            out.push(b);
        } else if b.is_ascii_digit() {
            out.push(if d < 6 || d + 4 >= n {
                b
            } else {
                MASK_CHAR as u8
            });
            d += 1;
        } else {
            out.push(b);
        }
    }
}

/// What a card finding becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CardFinding {
    /// A PAN at `start..end` (separators included): masked where it stands.
    Pan { start: usize, end: usize },
    /// Track data at `start..end`: removed.
    Track { start: usize, end: usize },
}

impl CardFinding {
    /// Where the finding ends.
    pub(crate) fn end(self) -> usize {
        match self {
            CardFinding::Pan { end, .. } | CardFinding::Track { end, .. } => end,
        }
    }
}

/// A space as a URL encodes it: one of the separators between a card number's groups.
const ENCODED_SPACE: &[u8] = b"%20";

/// How many bytes at `at` join two digit groups of a card number: 1 for a single space, dash
/// or plus (a space in form-encoded text: `4111+1111+1111+1111`), 3 for `%20` (a space in a
/// URL); 0 when nothing there joins groups.
pub(crate) fn joiner_at(bytes: &[u8], at: usize) -> usize {
    match bytes.get(at) {
        Some(b' ' | b'-' | b'+') => 1,
        Some(b'%') if bytes[at..].starts_with(ENCODED_SPACE) => 3,
        _ => 0,
    }
}

/// How many bytes that end at `end` join two digit groups (see [`joiner_at`]).
fn joiner_before(bytes: &[u8], end: usize) -> usize {
    if bytes[..end].ends_with(ENCODED_SPACE) {
        3
    } else if end > 0 && joiner_at(bytes, end - 1) == 1 {
        1
    } else {
        0
    }
}

/// Where the next group of a run starts when the group ending at `end` is joined to one.
pub(crate) fn next_group(bytes: &[u8], end: usize) -> Option<usize> {
    let width = joiner_at(bytes, end);
    (width > 0 && bytes.get(end + width).is_some_and(u8::is_ascii_digit)).then_some(end + width)
}

/// Where the digits of a group that ends at `end` start, not before `bound` (the `20` of a
/// `%20` before them joins, it is not theirs).
fn group_start(bytes: &[u8], bound: usize, end: usize) -> usize {
    let mut k = end;
    while k > bound && bytes[k - 1].is_ascii_digit() && !bytes[..k].ends_with(ENCODED_SPACE) {
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

/// Letters, digits and the mask character: bytes that glue onto a digit run.
fn glues(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == MASK_CHAR as u8
}

/// Whether the bytes before `at`, all at or after `floor`, end a percent escape (`%3D`,
/// `%20`: URL-encoded text), or one encoded twice (`%253D`: a URL inside another's query).
pub(crate) fn ends_percent_escape(bytes: &[u8], floor: usize, at: usize) -> bool {
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
struct Group {
    start: usize,
    end: usize,
}

impl Group {
    fn len(self) -> usize {
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
            // A single separator followed by a digit continues the run.
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
        if let Some(found) = candidate_at(bytes, floor, window) {
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

/// The most places the hidden middle of a masked number spans: nine mask characters at most
/// (19 digits, 10 kept), a separator after each.
const HIDDEN_SPAN: usize = 2 * (*PAN_DIGITS.end() - 10);

/// Whether a digit starting at `at` follows the hidden middle of a number masked before —
/// at least three mask characters, single separators among them, right before it or one
/// separator away — with a kept digit before that middle, directly or across one separator:
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
/// [`after_hidden_digits`]): at least three mask characters, single separators among them,
/// then a kept digit, directly or across one separator.
fn before_hidden_digits(bytes: &[u8], end: usize) -> bool {
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
    // the letter of an escaped line break (`\n4111…`).
    let glued = left.is_some_and(|b| b.is_ascii_alphanumeric())
        && !ends_percent_escape(bytes, floor, first.start)
        && !ends_escaped_blank(bytes, floor, first.start);
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
            // a number here.
            if right.is_some_and(|b| b.is_ascii_alphanumeric())
                || right == Some(MASK_CHAR as u8) && before_hidden_digits(bytes, g.end)
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

/// Track 2 (`;PAN=YYMMSSS…?`) or its EMV tag-57 form (`PAN D YYMMSSS… F`) around a
/// one-group PAN: removed from the start sentinel (if any) to the end sentinel or padding.
fn track2(bytes: &[u8], pan: Group, digits: &[u8]) -> Option<CardFinding> {
    let sep = *bytes.get(pan.end)?;
    if !matches!(sep, b'=' | b'D' | b'd') || !luhn_valid(digits) {
        return None;
    }
    let data = bytes[pan.end + 1..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if data < 4 {
        return None;
    }
    let mut end = pan.end + 1 + data;
    if sep == b'=' {
        if bytes.get(end) == Some(&b'?') {
            end += 1;
        }
    } else {
        end += bytes[end..]
            .iter()
            .take_while(|&&b| b == b'F' || b == b'f')
            .count();
    }
    if bytes.get(end).is_some_and(|&b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let start = if pan.start > 0 && bytes[pan.start - 1] == b';' {
        pan.start - 1
    } else {
        pan.start
    };
    Some(CardFinding::Track { start, end })
}

/// Track 1 (`%B PAN ^ NAME ^ YYMM SSS discretionary ?`), sentinels optional, around the PAN
/// that follows the `B`.
fn track1(bytes: &[u8], pan: Group) -> Option<CardFinding> {
    if !PAN_DIGITS.contains(&pan.len())
        || bytes.get(pan.end) != Some(&b'^')
        || !luhn_valid(&bytes[pan.start..pan.end])
    {
        return None;
    }
    let mut at = pan.end + 1;
    // The cardholder name: letters, spaces and `/.'-`, at most 26 (ISO/IEC 7813).
    let name = bytes[at..]
        .iter()
        .take(27)
        .take_while(|&&b| b.is_ascii_alphabetic() || matches!(b, b' ' | b'/' | b'.' | b'\'' | b'-'))
        .count();
    at += name;
    if bytes.get(at) != Some(&b'^') {
        return None;
    }
    at += 1;
    let data = bytes[at..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b' ')
        .count();
    if data < 4 {
        return None;
    }
    let mut end = at + data;
    if bytes.get(end) == Some(&b'?') {
        end += 1;
    }
    let b_at = pan.start - 1;
    // With its `%` sentinel, or a `B` that starts a word: never a `B` glued to a word
    // (removing it would turn that word's end into a boundary).
    let start = match b_at.checked_sub(1).map(|k| bytes[k]) {
        Some(b'%') => b_at - 1,
        Some(b) if glues(b) => return None,
        _ => b_at,
    };
    Some(CardFinding::Track { start, end })
}

/// The masked form of an integer that is a card number, if it is one.
pub(crate) fn masked_integer(v: u64, negative: bool) -> Option<([u8; 21], usize)> {
    if v < 1_000_000_000_000 {
        return None;
    }
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(v).as_bytes();
    if !is_card_number(digits) {
        return None;
    }
    let mut out = [0u8; 21];
    let mut n = 0;
    if negative {
        out[0] = b'-';
        n = 1;
    }
    for (i, &d) in digits.iter().enumerate() {
        out[n] = if i < 6 || i + 4 >= digits.len() {
            d
        } else {
            MASK_CHAR as u8
        };
        n += 1;
    }
    Some((out, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find_all(text: &str) -> Vec<(&str, &str)> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit()) {
                let (found, resume) = find_in_run(bytes, 0, i);
                match found {
                    Some(CardFinding::Pan { start, end }) => out.push(("pan", &text[start..end])),
                    Some(CardFinding::Track { start, end }) => {
                        out.push(("track", &text[start..end]))
                    }
                    None => {}
                }
                i = resume.max(i + 1);
            } else {
                i += 1;
            }
        }
        out
    }

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
    fn plus_signs_join_groups_as_a_form_encoded_space() {
        assert_eq!(
            find_all("card_number=4111+1111+1111+1111&exp=12"),
            [("pan", "4111+1111+1111+1111")]
        );
        assert_eq!(
            find_all("q=2+4111+1111+1111+1111"),
            [("pan", "4111+1111+1111+1111")]
        );
        // Masked, its kept ends start nothing; two plus signs are no single separator.
        assert_eq!(find_all("4111+11**+****+1111"), []);
        assert_eq!(find_all("4111++1111+1111+1111"), []);
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
            "4111 1111  1111 1111",
        ] {
            assert_eq!(find_all(benign), [], "{benign}");
        }
    }

    #[test]
    fn track_data_is_found_whole() {
        assert_eq!(
            find_all("t2 ;4111111111111111=25121010000000000? end"),
            [("track", ";4111111111111111=25121010000000000?")]
        );
        assert_eq!(
            find_all("4111111111111111=2512101123456789"),
            [("track", "4111111111111111=2512101123456789")]
        );
        assert_eq!(
            find_all("57 4111111111111111D25121010000000000F"),
            [("track", "4111111111111111D25121010000000000F")]
        );
        assert_eq!(
            find_all("swipe %B4111111111111111^DOE/JOHN^2512101000000000?"),
            [("track", "%B4111111111111111^DOE/JOHN^2512101000000000?")]
        );
    }

    #[test]
    fn brands_and_lengths() {
        for card in [
            "4222222222222",       // Visa 13
            "4111111111111111",    // Visa 16
            "4111111111111111110", // Visa 19 (Luhn-valid)
            "5555555555554444",    // Mastercard
            "2223003122003222",    // Mastercard 2-series
            "378282246310005",     // Amex
            "6011111111111117",    // Discover
            "3530111333300000",    // JCB
            "36227206271667",      // Diners 14
            "6200000000000005",    // UnionPay
            "6759649826438453",    // Maestro
        ] {
            assert!(is_card_number(card.as_bytes()), "{card}");
        }
        assert!(!is_card_number(b"1764221757123"));
        assert!(!is_card_number(b"20261127051935123"));
        assert!(!is_card_number(b"5555555555554440"));
    }

    #[test]
    fn helpers_are_total() {
        assert!(!luhn_valid(b"12a/"));
        assert!(!luhn_valid(b""));
        for n in 0..25 {
            let mut out = String::new();
            mask_pan(&b"4111111111111111111111111"[..n], &mut out);
            assert_eq!(out.len(), n);
        }
        let mut out = String::new();
        mask_pan(b"4111111111111111", &mut out);
        assert_eq!(out, "411111******1111");
    }

    #[test]
    fn integers() {
        let (buf, n) = masked_integer(4_111_111_111_111_111, false).unwrap();
        assert_eq!(&buf[..n], b"411111******1111");
        let (buf, n) = masked_integer(4_111_111_111_111_111, true).unwrap();
        assert_eq!(&buf[..n], b"-411111******1111");
        assert!(masked_integer(1_764_221_757_123, false).is_none());
    }
}
