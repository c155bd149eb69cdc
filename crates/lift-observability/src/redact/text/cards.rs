//! Card data in text: card numbers in runs of digit groups (judged by [`card`]), the expiry
//! date and security code written after one with no names (`4111… 12/28 737`), and a security
//! code after its name as prose writes it (`CVV 737`, `cvc \"1234\"`) or in a wrapper named
//! for it (`Cvv("737")`, `InvalidCvc("737")`).

use super::emv;
use super::names::{after_escape, quoted_name};
use super::output::Output;
use super::sql;
use super::value_ends::opening_quote_len;
use super::{
    Finding, Replacement, at_word_start, blank_len, code_ends_at, is_word_byte, removed, trim_end,
};
use crate::redact::card::{self, CardFinding};
use crate::redact::{Counts, Redactor};

/// A run of digit groups at `start`: counted first (most runs — in UUIDs, amounts, dates —
/// hold fewer than 13 digits and end there), then searched for card data (before `floor`
/// stands text a replacement wrote over).
pub(super) fn card_run(bytes: &[u8], floor: usize, start: usize) -> (Option<CardFinding>, usize) {
    let run = counted_run(bytes, start);
    if run.digits < 13 {
        return (None, run.end);
    }
    let (start, digits_end) = (run.start, run.first_group_end);
    // An IBAN's groups hold no card (`DE89 3704 0044 0532 0130 00`); one after it is judged
    // from where it ends.
    if let Some(end) = card::iban_end_around(bytes, floor, start) {
        return (None, end);
    }
    // Digits glued to a letter or digit at either end may be a chip card's data in hex,
    // told by its tag before anything else is looked for in them.
    let glued = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
    if (glued(start.checked_sub(1).and_then(|k| bytes.get(k))) || glued(bytes.get(digits_end)))
        && let Some(f) = emv::tlv_in_run(bytes, floor, start, digits_end)
    {
        return (Some(f), f.end());
    }
    card::find_in_run(bytes, floor, start)
}

/// At a digit group after a space that does not break and another group's digit
/// (`4111\u{a0}1111…`, as a web page or a PDF writes one — the classifier took its non-ASCII
/// bytes for a run's end): the run judged from its start, once, from this group when the one
/// before was written already (a card's end) — the finding and where the run ends. `None`
/// where no such space stands before the group.
#[cold]
#[inline(never)]
pub(super) fn run_across_unbreaking_space(
    run: &[u8],
    out: &Output<'_>,
    at: usize,
    counts: &Counts,
) -> Option<(Option<Finding>, usize)> {
    let end = card::group_end_before_unbreaking_space(run, at)?;
    Some(run_through_space(run, out, end, at, counts))
}

/// At the `\` of a no-break space escaped as JSON keeps to ASCII between a card's groups
/// (`4111\u00a01111…`, Python's `json.dumps`: the escape's letters end a run where the
/// scan's blocks are classified): the run judged from its start, once, from the group after
/// it when the one before was written already (a card's end) — the finding and where the run
/// ends. `None` where no such escape joins two groups there.
#[cold]
#[inline(never)]
pub(super) fn run_across_escaped_space(
    run: &[u8],
    out: &Output<'_>,
    at: usize,
    counts: &Counts,
) -> Option<(Option<Finding>, usize)> {
    let after = at + card::ESCAPED_SPACE_WIDTH;
    if card::joiner_at(run, at) != card::ESCAPED_SPACE_WIDTH
        || !run.get(after).is_some_and(u8::is_ascii_digit)
    {
        return None;
    }
    Some(run_through_space(run, out, at, after, counts))
}

/// The run through a space that joins the group ending at `group_end` to the one at `next`:
/// judged from the run's start, or from `next` when the group before was written already (a
/// card's end) — the finding and where the run ends.
fn run_through_space(
    run: &[u8],
    out: &Output<'_>,
    group_end: usize,
    next: usize,
    counts: &Counts,
) -> (Option<Finding>, usize) {
    let start = if group_end <= out.copied {
        next
    } else {
        card::run_start(run, out.copied, group_end)
    };
    let (found, end) = card_run(run, out.name_floor, start);
    (found.map(|f| card_finding(run, f, counts)), end)
}

/// A run of digit groups, counted ([`counted_run`]).
struct Run {
    /// Where its digits start.
    start: usize,
    /// Where its first group ends.
    first_group_end: usize,
    /// Where counting stopped: the run's end, or the 13th digit's group's.
    end: usize,
    /// Its digits, counted up to 13 and the rest of that group.
    digits: usize,
}

/// The run of digit groups at `start`, counted until it holds 13 digits (a card number's
/// fewest). A run that starts with a percent escape's two hex digits (`%204111…`), or with
/// an escape encoded twice (`%25204111…`), starts after them.
#[inline(always)]
fn counted_run(bytes: &[u8], start: usize) -> Run {
    let start = after_escape(bytes, start, u8::is_ascii_digit, |end| {
        bytes.get(end).is_some_and(u8::is_ascii_digit)
    });
    let mut digits = 0;
    let mut i = start;
    let mut first_group_end = None;
    loop {
        let len = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        digits += len;
        i += len;
        first_group_end.get_or_insert(i);
        match card::next_group(bytes, i) {
            Some(group) if digits < 13 => i = group,
            _ => break,
        }
    }
    Run {
        start,
        first_group_end: first_group_end.unwrap_or(i),
        end: i,
        digits,
    }
}

/// Whether [`card_run`] may find anything in the run at `start`: it holds 13 digits or more.
#[inline(always)]
pub(super) fn may_hold_card(bytes: &[u8], start: usize) -> bool {
    counted_run(bytes, start).digits >= 13
}

pub(super) fn card_finding(bytes: &[u8], f: CardFinding, counts: &Counts) -> Finding {
    match f {
        CardFinding::Pan { start, end } => {
            counts.add_pan();
            // A security code after it, or a chip card's track 2 right after its PAN (the
            // PAN masked, the track's tag and length kept, its value removed).
            if let Some((code_start, code_end)) =
                code_after_card(bytes, end).or_else(|| emv::track_after_pan(bytes, end))
            {
                counts.add_sad();
                return Finding {
                    start,
                    end: code_end,
                    replacement: Replacement::PanAndCode {
                        pan_end: end,
                        code_start,
                    },
                };
            }
            // A bare number under a quoted name (`"card":4111…`) is a JSON number: its
            // masked form must be a JSON string.
            let bare_json_number = !bytes[start..end].contains(&b' ')
                && preceded_by_json_name(bytes, start)
                && bytes
                    .get(end)
                    .is_none_or(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\n'));
            Finding {
                start,
                end,
                replacement: if bare_json_number {
                    Replacement::QuotedPan
                } else {
                    Replacement::Pan
                },
            }
        }
        CardFinding::Track { start, end } => removed(start, end, counts),
    }
}

/// After a card number ending at `end`, the expiry date and security code written with it
/// and no names, as a checkout form's fields joined or a customer's note has them
/// (`4111… 12/28 737`, `4111…|12|28|737`, `4111… 737 12/2028`): where the code stands. The
/// code is 3 or 4 digits as a whole word; the expiry a month `01`–`12` and a year of 2 or 4
/// digits, joined by `/`, `-`, `|` or a space, or written `MMYY`.
fn code_after_card(bytes: &[u8], end: usize) -> Option<(usize, usize)> {
    let first = after_separators(bytes, end)?;
    if let Some(after_expiry) = labelled_expiry_end(bytes, first)
        && let Some(code) = after_separators(bytes, after_expiry)
        && let Some(code_end) = code_end(bytes, code)
    {
        return Some((code, code_end));
    }
    let code_end = code_end(bytes, first)?;
    let expiry = after_separators(bytes, code_end)?;
    labelled_expiry_end(bytes, expiry).map(|_| (first, code_end))
}

/// Past one to three separators of card fields written together (`4111… | 12/28`,
/// `4111…\t12/28\t737`: a table's columns, their tabs raw or escaped as a JSON line's
/// message holds them; `4111… (12/28) 737`).
fn after_separators(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    for _ in 0..3 {
        match bytes.get(at) {
            Some(b'/' | b'|' | b',' | b';' | b':' | b'-' | b'(' | b')') => at += 1,
            _ => match blank_len(bytes, at) {
                0 => break,
                n => at += n,
            },
        }
    }
    (at > from).then_some(at)
}

/// Words that say an expiry date follows (lower case).
const EXPIRY_LABELS: [&[u8]; 4] = [b"expires", b"expiry", b"exp.", b"exp"];

/// [`expiry_end`], or the end of an expiry date after its label and a separator or two
/// (`exp 12/28`, `Expiry: 1228`, `expires 12/2028`).
fn labelled_expiry_end(bytes: &[u8], at: usize) -> Option<usize> {
    expiry_end(bytes, at).or_else(|| {
        let rest = bytes.get(at..)?;
        let label = EXPIRY_LABELS.iter().find(|l| {
            rest.get(..l.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(l))
        })?;
        expiry_end(bytes, after_separators(bytes, at + label.len())?)
    })
}

/// The end of an expiry date at `at`: `MM/YY`, `MM/YYYY`, `MM-YY`, `MM|YY`, `MM YY`,
/// `MMYY` or, as ISO 8583 and track data write it, `YYMM` (a year from 2020 to 2049: `2712`
/// is no month's), no digit after it.
fn expiry_end(bytes: &[u8], at: usize) -> Option<usize> {
    let digits_at = |i: usize, n: usize| {
        bytes
            .get(i..i + n)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let pair = |i: usize| (bytes[i] - b'0') * 10 + bytes[i + 1] - b'0';
    if !digits_at(at, 2) {
        return None;
    }
    if !(1..=12).contains(&pair(at)) {
        let year_first = (20..=49).contains(&pair(at))
            && digits_at(at + 2, 2)
            && (1..=12).contains(&pair(at + 2))
            && !bytes.get(at + 4).is_some_and(u8::is_ascii_digit);
        return year_first.then_some(at + 4);
    }
    let year = at + 2 + usize::from(matches!(bytes.get(at + 2), Some(b'/' | b'-' | b'|' | b' ')));
    let end = if digits_at(year, 4) && bytes[year..year + 2] == *b"20" {
        year + 4
    } else if digits_at(year, 2) {
        year + 2
    } else {
        return None;
    };
    (!bytes.get(end).is_some_and(u8::is_ascii_digit)).then_some(end)
}

/// The end of a security code at `at`: 3 or 4 digits as a whole word — no letter or digit
/// after them, nor a date's or a time's next part (`2026-12-04`, `10:30`).
fn code_end(bytes: &[u8], at: usize) -> Option<usize> {
    let n = bytes
        .get(at..)?
        .iter()
        .take(5)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if !(3..=4).contains(&n) {
        return None;
    }
    let end = at + n;
    match bytes.get(end) {
        Some(b) if b.is_ascii_alphanumeric() => None,
        Some(b'-' | b'/' | b':' | b'.') if bytes.get(end + 1).is_some_and(u8::is_ascii_digit) => {
            None
        }
        _ => Some(end),
    }
}

/// Whether `bytes[..at]` ends with `"name":` — a quoted name of name characters, spaces
/// allowed around the colon — so that a number there is a JSON value.
fn preceded_by_json_name(bytes: &[u8], at: usize) -> bool {
    let before = trim_end(&bytes[..at]);
    let Some(before) = before.strip_suffix(b":") else {
        return false;
    };
    let Some(inner) = trim_end(before).strip_suffix(b"\"") else {
        return false;
    };
    inner
        .iter()
        .rposition(|&b| b == b'"')
        .is_some_and(|open| quoted_name(&inner[..open], &inner[open + 1..]))
}

/// A card security code in a wrapper named for it, as `Debug` writes a newtype (`Cvv("737")`,
/// `Cvc2(Some(1234))`), its `(` at `open`: the wrapper's content `[REMOVED]` when it is 3 or 4
/// digits, quoted or not (`"…"`, `'…'`, `\"…\"`), in `Some(…)` or not — nothing else: a
/// call in prose (`cvv(card)`) stays, and a wrapper whose content a pass changed is never
/// read differently by the next.
fn wrapped_code(bytes: &[u8], open: usize, counts: &Counts) -> Option<Finding> {
    let mut end = open + 1;
    let some = bytes[end..].starts_with(b"Some(");
    if some {
        end += 5;
    }
    let quote_len = opening_quote_len(&bytes[end..]);
    let quote = &bytes[end..end + quote_len];
    end += quote_len;
    let digits = bytes[end..]
        .iter()
        .take(5)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if !(3..=4).contains(&digits) {
        return None;
    }
    end += digits;
    if !bytes[end..].starts_with(quote) {
        return None;
    }
    end += quote_len;
    let closing: &[u8] = if some { b"))" } else { b")" };
    bytes[end..]
        .starts_with(closing)
        .then(|| removed(open + 1, end + closing.len() - 1, counts))
}

/// At the `v` of `cvv`, `cvc`, `cvn`, `cvd` (and with a `2`: `CVV2`), `cv2` or `ccv`, as a whole word (or,
/// before a wrapper's `(`, as a camel-case name's last word: `InvalidCvc(…)`): the
/// card security code after it and a space or two (and a noun, `code`/`number`/`value`, and
/// `is`/`was`, or an arrow: `Map(cvv -> 737)`), glued by a `-` or a `#`, as a message or a
/// note has it (`cvv 737`, `CVC "1234"`, `CVV2 was 123`, `CVV code 737`, `cvv-737`, `CVV
/// (737)`, `cvc \"737\"` in escaped text), 3 or 4 digits as a whole word; or in a wrapper
/// named for it ([`wrapped_code`]). With `=` or `:` right after it the name is a
/// separator's.
///
/// Or the name as a column's in a SQL statement's list ([`sql::values_of_column`]).
pub(super) fn security_code_in_prose(
    redactor: &Redactor,
    bytes: &[u8],
    v: usize,
    floor: usize,
) -> Option<Finding> {
    let counts = redactor.counts();
    code_after_name(bytes, v, counts).or_else(|| {
        let name = v.checked_sub(1).and_then(|c| bytes.get(c..=v));
        let named = name.is_some_and(|name| name.eq_ignore_ascii_case(b"cv"));
        sql::values_of_column(named, redactor, bytes, v, floor)
    })
}

/// [`security_code_in_prose`]'s code after its name.
fn code_after_name(bytes: &[u8], v: usize, counts: &Counts) -> Option<Finding> {
    let at = v.checked_sub(1)?;
    // `ccv` (Card Code Verification, as some acquirers name it) starts a `c` earlier.
    let at = match at.checked_sub(1) {
        Some(c) if bytes[c..=v].eq_ignore_ascii_case(b"ccv") => c,
        _ => at,
    };
    let name = bytes.get(at..at + 3)?;
    if !(name[..2].eq_ignore_ascii_case(b"cv")
        && matches!(name[2] | 0x20, b'v' | b'c' | b'n' | b'd' | b'2')
        || name.eq_ignore_ascii_case(b"ccv"))
    {
        return None;
    }
    // The last word of a name in camel case (an error's variant, `InvalidCvc("737")`).
    let camel_word = name[0] == b'C'
        && at > 0
        && bytes[at - 1].is_ascii_lowercase()
        && !card::ends_escaped_blank(bytes, 0, at);
    if !camel_word && !at_word_start(bytes, at) {
        return None;
    }
    let mut i = at + 3;
    if name[2] != b'2' && bytes.get(i) == Some(&b'2') {
        i += 1;
    }
    if bytes.get(i) == Some(&b'(') {
        return wrapped_code(bytes, i, counts);
    }
    // In prose the name is a word of its own.
    if camel_word {
        return None;
    }
    if matches!(bytes.get(i), Some(b'-' | b'#' | b'/'))
        && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
    {
        // Glued to the name by a dash, a number sign or a slash: `cvv-737`, `CVV#737`, a
        // path's `/cvv/737`.
        i += 1;
    } else {
        // One or two blanks (a tab escaped as JSON writes it is one).
        let mut spaces = 0;
        while spaces <= 2 && blank_len(bytes, i) > 0 {
            i += blank_len(bytes, i);
            spaces += 1;
        }
        if spaces == 0 || spaces > 2 {
            return None;
        }
        // A noun after the name, then a verb: `CVV code 737`, `cvc number: 737`, `CVV is
        // 123`, `cvc was 737`, `cvv is: 737`.
        let mut skip = |words: &[&[u8]]| {
            if let Some(w) = words.iter().find(|w| {
                bytes
                    .get(i..i + w.len())
                    .is_some_and(|b| b.eq_ignore_ascii_case(w))
            }) {
                i += w.len();
            }
        };
        skip(&[
            b"code: ",
            b"number: ",
            b"value: ",
            b"code ",
            b"number ",
            b"value ",
        ]);
        // Or an arrow, as Scala writes a map's entry (`Map(cvv -> 737)`).
        skip(&[b"is: ", b"was: ", b"is ", b"was ", b"-> "]);
    }
    // In parentheses (`CVV (737)`), quoted plainly, or as a string's `Debug` or JSON
    // escapes a quote (`cvc \"737\"`).
    let (quote_len, quote) = if bytes.get(i) == Some(&b'(') {
        (1, Some(&b")"[..]))
    } else {
        let len = opening_quote_len(&bytes[i..]);
        (len, (len > 0).then(|| &bytes[i..i + len]))
    };
    let start = i + quote_len;
    let digits = bytes[start..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let end = start + digits;
    let whole = match quote {
        Some(q) => bytes[end..].starts_with(q),
        // Not the start of a longer number or word (`cvv 123.4`, `cvv 1234abc`).
        None => code_ends_at(bytes, end),
    };
    if !(3..=4).contains(&digits) || !whole {
        return None;
    }
    // The first group of a longer number (`cvv 4111 1111 1111 1111`): all of it goes, so
    // none of a card's digits after it is left in clear.
    let end = if quote.is_none() {
        digit_run_end(bytes, end)
    } else {
        end
    };
    Some(removed(start, end, counts))
}

/// Where a run of digit groups that ends at `end` ends once the groups joined to it (by a
/// space, a dash, a plus sign, two spaces, a dash between spaces: [`card::joiner_at`])
/// are taken in (`4111 1111 1111 1111` from its first group): a value
/// that is a number's first group takes all of it, so none of a card's digits after it is
/// left in clear. A group glued to a letter after it (`1111abc`) is a word of its own.
pub(super) fn digit_run_end(bytes: &[u8], mut end: usize) -> usize {
    while let Some(group) = card::next_group(bytes, end) {
        let next = group
            + bytes[group..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
        if bytes.get(next).is_some_and(|b| is_word_byte(*b)) {
            break;
        }
        end = next;
    }
    end
}

#[cfg(test)]
mod tests {
    use crate::redact::text::test_support::{assert_redacted, redact, redacted_once_for_all};

    #[test]
    fn the_shortest_card_number_is_masked_right_before_a_breaker_at_every_offset() {
        // A digit starts a card only where the next thirteen bytes hold no breaker: a
        // 13-digit number followed at once by one is the tightest case, at every position
        // relative to the scanner's 32-byte blocks.
        for pad in 0..72 {
            let prefix = "order 12, ".repeat(8)[..pad].to_owned() + " ";
            for (card, masked) in [
                ("4222222222222", "422222***2222"),
                ("4222-2222-22222", "4222-22**-*2222"),
            ] {
                for after in [",", "\"", "/", ")", ""] {
                    assert_eq!(
                        redact(&format!("{prefix}{card}{after}")),
                        format!("{prefix}{masked}{after}"),
                        "{card} after {pad} bytes, then {after:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_run_judged_before_a_value_held_inside_it_ends_where_the_value_starts() {
        // Fuzzer (seed 7537): the `2` of `--CV2` starts a run holding the flag's value `62`,
        // held to be written; the run was judged whole on a first pass (no card in it) and
        // passed over, while a second pass, the value a marker, found the card after it.
        assert_redacted(&[
            (
                "--CV2 62 625 573755 625-55555",
                "--CV2 [REMOVED] 625 573755 ***-*5555",
            ),
            (
                "--u-CV2 62 625-573755 625-55555* x",
                "--u-CV2 [REMOVED] 625-573755 ***-*5555* x",
            ),
        ]);
    }

    #[test]
    fn a_code_named_ccv_goes_as_a_cvv_does() {
        // Written in clear before: `ccv` named no card code.
        assert_redacted(&[
            ("CCV 737 entered", "CCV [REMOVED] entered"),
            ("ccv is 1234", "ccv is [REMOVED]"),
            ("ccv=737&cc_cid=1234", "ccv=[REMOVED]&cc_cid=[REMOVED]"),
            (r#"{"ccv":"737"}"#, r#"{"ccv":"[REMOVED]"}"#),
            // Not a word of its own: kept.
            ("xccv 737", "xccv 737"),
        ]);
    }

    #[test]
    fn a_code_in_prose_quoted_with_escaped_quotes_goes() {
        // A string's `Debug` escapes the quotes around it: the code was kept.
        assert_redacted(&[
            (
                r#"Err("invalid cvc \"737\" for card")"#,
                r#"Err("invalid cvc \"[REMOVED]\" for card")"#,
            ),
            (
                r#"{"m":"CVV2 was \"1234\""}"#,
                r#"{"m":"CVV2 was \"[REMOVED]\""}"#,
            ),
            // Escaped twice.
            (r#"x cvc \\\"737\\\" y"#, r#"x cvc \\\"[REMOVED]\\\" y"#),
            // Quotes that do not match: kept.
            (r#"cvc \"737" y"#, r#"cvc \"737" y"#),
        ]);
    }

    #[test]
    fn a_code_in_a_wrapper_named_for_it_goes() {
        // A newtype's `Debug` outside a field named for it: the code was kept.
        assert_redacted(&[
            (r#"Cvv("737") rejected"#, "Cvv([REMOVED]) rejected"),
            ("checking CVV2(1234)", "checking CVV2([REMOVED])"),
            (r#"Cvc(Some("1234"))"#, "Cvc([REMOVED])"),
            // An error's variant named for it, the name's last word in camel case.
            (
                r#"Err(Error { kind: InvalidCvc("737") })"#,
                "Err(Error { kind: InvalidCvc([REMOVED]) })",
            ),
            ("BadCvv2(1234) x", "BadCvv2([REMOVED]) x"),
            // In prose, or glued to a word in lower case: kept.
            ("InvalidCvc 737", "InvalidCvc 737"),
            ("xcvv(737)", "xcvv(737)"),
            // A call, a count, an unclosed or long wrapper: kept.
            ("cvv(card) called", "cvv(card) called"),
            // Fuzzer: three digits were counted once a value inside was redacted (five
            // before), so a second pass removed what the first had left.
            ("cvv(12 3 JSESSIONID=45)", "cvv(12 3 JSESSIONID=[REDACTED])"),
            (r#"Cvv(Some(\"737\"))"#, "Cvv([REMOVED])"),
            ("cvv(1) check", "cvv(1) check"),
            ("Cvv(737", "Cvv(737"),
            (
                "Cvv(737, \"and a long explanation follows here\")",
                "Cvv(737, \"and a long explanation follows here\")",
            ),
        ]);
    }

    #[test]
    fn a_security_code_written_after_a_card_and_its_expiry_is_removed() {
        for (text, want) in [
            // A customer's note, a checkout's fields joined: each code was left in clear.
            (
                "pls charge 4111111111111111 12/28 737 thx",
                "pls charge 411111******1111 12/28 [REMOVED] thx",
            ),
            (
                "4111111111111111|12|28|737",
                "411111******1111|12|28|[REMOVED]",
            ),
            (
                "4111 1111 1111 1111, 09/2029, 1234.",
                "4111 11** **** 1111, 09/2029, [REMOVED].",
            ),
            (
                "4111111111111111 0929 737",
                "411111******1111 0929 [REMOVED]",
            ),
            (
                "4111111111111111 737 12/28",
                "411111******1111 [REMOVED] 12/28",
            ),
            // The expiry year first, as ISO 8583 and track data write it; after its label;
            // in parentheses (each code was left in clear).
            (
                "4111111111111111 2712 737 | 4111111111111111;2801;1234",
                "411111******1111 2712 [REMOVED] | 411111******1111;2801;[REMOVED]",
            ),
            (
                "4111111111111111 exp 12/27 737, 4111111111111111 Expiry: 1227 737",
                "411111******1111 exp 12/27 [REMOVED], 411111******1111 Expiry: 1227 [REMOVED]",
            ),
            (
                "4111111111111111 (12/27) 737, 4111111111111111 737 expires 12/2027",
                "411111******1111 (12/27) [REMOVED], 411111******1111 [REMOVED] expires 12/2027",
            ),
            // No expiry, no month, a date or a time after it, a longer number: no code.
            ("4111111111111111 737", "411111******1111 737"),
            // No month after a year first, a year out of reach, a label with nothing after.
            (
                "4111111111111111 2713 737 4111111111111111 5012 737 4111111111111111 exp 737",
                "411111******1111 2713 737 411111******1111 5012 737 411111******1111 exp 737",
            ),
            ("4111111111111111 13/28 737", "411111******1111 13/28 737"),
            (
                "4111111111111111 12/28 2026-12-04",
                "411111******1111 12/28 2026-12-04",
            ),
            (
                "4111111111111111 12/28 10:30",
                "411111******1111 12/28 10:30",
            ),
            (
                "4111111111111111 12/28 73755",
                "411111******1111 12/28 73755",
            ),
            (
                "4111111111111111 12/28 737ms",
                "411111******1111 12/28 737ms",
            ),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn security_codes_written_as_prose_are_removed() {
        for (text, want) in [
            (
                "validating card 4111111111111111 cvv 123",
                "validating card 411111******1111 cvv [REMOVED]",
            ),
            ("The CVV2 was 123.", "The CVV2 was [REMOVED]."),
            ("invalid CVC \"1234\"", "invalid CVC \"[REMOVED]\""),
            ("card_cvv  737, ok", "card_cvv  [REMOVED], ok"),
            // The UK's name for it (was kept).
            ("CV2 123 declined", "CV2 [REMOVED] declined"),
            ("cv2=123&CV2: 456", "cv2=[REMOVED]&CV2: [REMOVED]"),
            ("opencv cv2 4.8.0, cv22 123", "opencv cv2 4.8.0, cv22 123"),
            // Not a security code: too short or long, a decimal, glued, no space, no name.
            (
                "cvv 12345 cvc 3 digits cvv 1.5",
                "cvv 12345 cvc 3 digits cvv 1.5",
            ),
            (
                "scvv 123 cvvs 123 cvv123 cv 123",
                "scvv 123 cvvs 123 cvv123 cv 123",
            ),
            ("cvv is missing, cvv   123", "cvv is missing, cvv   123"),
            // The first group of a longer number: all of it goes.
            ("cvv 4111 1111 1111 1111 ok", "cvv [REMOVED] ok"),
            (
                "pin: 4111-1111-1111-1111, password: 1 2",
                "pin: [REMOVED], password: [REDACTED]",
            ),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn security_codes_after_a_noun_a_dash_or_in_parentheses_are_removed() {
        for (text, want) in [
            ("CVV code 737 entered", "CVV code [REMOVED] entered"),
            ("cvc number: 1234", "cvc number: [REMOVED]"),
            (
                "the cvv value (737) was wrong",
                "the cvv value ([REMOVED]) was wrong",
            ),
            ("cvv is: 737", "cvv is: [REMOVED]"),
            ("cvv-737 CVV#7373", "cvv-[REMOVED] CVV#[REMOVED]"),
            // A path's segments (written in clear before).
            (
                "GET /api/cards/4111111111111111/cvv/737 HTTP/1.1 /cvv/verify",
                "GET /api/cards/411111******1111/cvv/[REMOVED] HTTP/1.1 /cvv/verify",
            ),
            ("CVV (737) rejected", "CVV ([REMOVED]) rejected"),
            // A Scala map's entry.
            (
                "Map(cvv -> 737, cvc -> \"1234\")",
                "Map(cvv -> [REMOVED], cvc -> \"[REMOVED]\")",
            ),
            // No code: a noun with none after it, a word after the dash, a longer number.
            (
                "CVV code missing, cvv-check ok, cvv (12345)",
                "CVV code missing, cvv-check ok, cvv (12345)",
            ),
        ] {
            assert_eq!(redact(text), want, "{text}");
            assert_eq!(redact(want), want, "{want}");
        }
        redacted_once_for_all(
            &[
                "cvv", "CVV", " code ", "-", "#", "(", ")", "737", " is: ", "4111", " ",
            ],
            2035,
            "cvv code 737 ",
            "cvv code 737 ",
        );
    }

    #[test]
    fn card_groups_joined_every_way_among_other_findings_are_redacted_once_for_all() {
        let pieces = [
            "4111", "1111", "42", "5555", "4444", "%20", "+", "-", " ", "**", "%3D", "cvv", "=",
            "%2", "0",
        ];
        let card = " 4111%201111%201111%201111 ";
        redacted_once_for_all(&pieces, 2029, card, "4111%201111%201111%201111");
    }

    #[test]
    fn card_groups_joined_by_spaces_that_do_not_break_are_masked() {
        // A web page's `&nbsp;`, a thin or a narrow no-break space between the groups: each
        // number was written in clear (the non-ASCII bytes broke the run).
        assert_redacted(&[
            (
                "card 4111\u{a0}1111\u{a0}1111\u{a0}1111 ok",
                "card 4111\u{a0}11**\u{a0}****\u{a0}1111 ok",
            ),
            (
                "{\"note\":\"pay with 5555\u{202f}5555\u{202f}5555\u{202f}4444\"}",
                "{\"note\":\"pay with 5555\u{202f}55**\u{202f}****\u{202f}4444\"}",
            ),
            (
                "3782\u{2009}822463\u{2009}10005, 4111\u{2007}1111\u{2007}1111\u{2007}1111",
                "3782\u{2009}82****\u{2009}*0005, 4111\u{2007}11**\u{2007}****\u{2007}1111",
            ),
            // Escaped as JSON keeps to ASCII (Python's `json.dumps`), either case.
            (
                r#"{"note":"4111\u00a01111\u00A01111\u00a01111","b":"3782\u2009822463\u200910005"}"#,
                r#"{"note":"4111\u00a011**\u00A0****\u00a01111","b":"3782\u200982****\u2009*0005"}"#,
            ),
            // A card after another, an escaped space between them (the sweep: the second
            // was found on a second pass only, from the first one's kept digits).
            (
                "25 5532\u{a0}0096\u{a0}2080\u{a0}0448\\u00a02200899709640394 exp",
                "25 5532\u{a0}00**\u{a0}****\u{a0}0448\\u00a0220089******0394 exp",
            ),
            // An escape first in the text, or with no group before it.
            (r"\u00a01111 x\u00a04111", r"\u00a01111 x\u00a04111"),
            // Spaces that do not break beside other joiners; a card after another.
            (
                "x 6011 - 79\u{a0}08 - 3242 - 9930, 4111111111111111\u{a0}5555 5555 5555 4444",
                "x 6011 - 79\u{a0}** - **** - 9930, 411111******1111\u{a0}5555 55** **** 4444",
            ),
            // Other spaces and dashes join no groups; a year's digits after one are no card.
            (
                "4111\u{2013}1111\u{2013}1111\u{2013}1111 \u{a0}2026\u{a0}12",
                "4111\u{2013}1111\u{2013}1111\u{2013}1111 \u{a0}2026\u{a0}12",
            ),
        ]);
        redacted_once_for_all(
            &[
                "4111", "1111", "11", "**", "\u{a0}", "\u{202f}", " ", "-", "é", "cvv ",
            ],
            2041,
            "4111\u{a0}1111\u{a0}1111\u{a0}1111 ",
            "4111\u{a0}1111\u{a0}1111\u{a0}1111",
        );
    }

    #[test]
    fn a_huge_run_of_cards_is_masked_in_linear_time() {
        let text = "4111111111111111 ".repeat(200_000);
        let out = redact(&text);
        assert_eq!(out.matches("411111******1111").count(), 200_000);
    }

    #[test]
    fn huge_runs_of_joined_groups_are_judged_in_linear_time() {
        // Quadratic, each `%20` would judge the run from its start again.
        let text = "4111%201111%201111%201111%20".repeat(100_000);
        let out = redact(&text);
        assert_eq!(out.matches("4111%2011**%20****%201111").count(), 100_000);
        let groups = "1%20".repeat(500_000) + "1+".repeat(500_000).as_str();
        assert_eq!(redact(&groups), groups);
        let text = "4111\u{a0}1111\u{a0}1111\u{a0}1111\u{a0}".repeat(100_000);
        let out = redact(&text);
        assert_eq!(
            out.matches("4111\u{a0}11**\u{a0}****\u{a0}1111").count(),
            100_000
        );
    }

    #[test]
    fn a_code_after_a_card_and_its_expiry_over_escaped_tabs_goes() {
        // A table's row in a JSON line's message: the escaped tabs were no separators, and
        // the code was kept.
        assert_redacted(&[
            (
                r#"{"msg":"4111111111111111\t12/28\t737"}"#,
                r#"{"msg":"411111******1111\t12/28\t[REMOVED]"}"#,
            ),
            (
                r#"{"msg":"card\t4111111111111111\tCVV\t737"}"#,
                r#"{"msg":"card\t411111******1111\tCVV\t[REMOVED]"}"#,
            ),
            (r#"{"msg":"ok\nCVV 737"}"#, r#"{"msg":"ok\nCVV [REMOVED]"}"#),
        ]);
    }
}
