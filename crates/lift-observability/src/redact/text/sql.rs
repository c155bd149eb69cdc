//! SQL statements logged with their values, as an ORM's or a driver's debug log writes them
//! (SeaORM inlines them: `INSERT INTO "users" ("email", "password") VALUES ('a@b.c',
//! 'hunter2')`), where no value stands beside its column's name: each is matched to its column
//! by position, in every row of `VALUES (…), (…)`, and replaced as a field of that name would
//! be (a secret's `[REDACTED]`, sensitive authentication data's `[REMOVED]`; quotes kept).
//! Where the rows hold placeholders, the values Diesel's `debug_query` lists after the
//! statement (`VALUES ($1, $2) -- binds: ["a@b.c", "hunter2"]`) are matched to them; so is a
//! placeholder after a secret's name and its `=` (`SET "password" = $1`, [`bound_after`]).
//!
//! A statement is found from its column list: where its first name is quoted (the quote
//! closing it anchors, as a tuple's first item's does), or where a secret's name stands in it
//! wherever (`password`, `api_key`, `cvv`, bare or quoted: the letters their own detectors
//! start from). Each value is a finding of its own, held until the scan reaches it; the next
//! is made when it is written ([`next_value`]), so that what lies between — another column's
//! card number — is scanned as any text. A value a pass replaced before (a marker) is left as
//! it is, and a list of binds is read only where no marker stands between it and the
//! statement, so that a second pass reads alike.

use super::names::{holds_marker, is_marker_at, marker_for};
use super::{Finding, REMOVED, Replacement};
use crate::redact::{Counts, Redactor};

/// Most columns a list is read for (a bit each in [`Columns`]).
const MAX_COLUMNS: usize = 64;

/// Most bytes one value is read over: a longer one (or a quote that does not close) ends
/// the statement's reading.
const MAX_VALUE: usize = 16 * 1024;

/// The columns, by position, whose values go: a bit each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Columns {
    secret: u64,
    removed: u64,
}

impl Columns {
    /// Marks the value at `index` (a column's, or a bind's) to be replaced by `marker`
    /// (nothing past the 64th).
    fn mark(&mut self, index: usize, marker: &'static str) {
        let bit = u32::try_from(index)
            .ok()
            .and_then(|index| 1u64.checked_shl(index))
            .unwrap_or(0);
        if marker == REMOVED {
            self.removed |= bit;
        } else {
            self.secret |= bit;
        }
    }

    /// What replaces the value of the column at `index`, if it goes.
    pub(super) fn marker(self, index: usize) -> Option<&'static str> {
        let bit = 1u64.checked_shl(u32::try_from(index).ok()?)?;
        if self.removed & bit != 0 {
            Some(REMOVED)
        } else if self.secret & bit != 0 {
            Some(super::REDACTED)
        } else {
            None
        }
    }
}

/// At the `(` opening a list whose first item is a quoted name (a tuple's first item: its
/// closing quote anchors): when the list is a column list that `VALUES` follows, the first
/// value whose column's goes.
#[cold]
pub(super) fn values_of_list(redactor: &Redactor, bytes: &[u8], open: usize) -> Option<Finding> {
    first_value(redactor, bytes, open)
}

/// At a letter inside a column's name, where its detector read a secret's name (`named`):
/// when the name stands in a column list that `VALUES` follows, the first value whose
/// column's goes.
#[inline(always)]
pub(super) fn values_of_column(
    named: bool,
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    floor: usize,
) -> Option<Finding> {
    if named {
        values_of_named_column(redactor, bytes, at, floor)
    } else {
        None
    }
}

/// [`values_of_column`] where the name is a secret's.
#[cold]
fn values_of_named_column(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    floor: usize,
) -> Option<Finding> {
    let end = at
        + bytes[at..]
            .iter()
            .take_while(|&&b| is_ident_byte(b))
            .count();
    // Told at once for most words: a name in a list has a `,` or a `)` right after it, or
    // after its closing quote.
    let close = match bytes.get(end) {
        Some(b'"' | b'`' | b']') => 1,
        Some(b'\\') => 2,
        _ => 0,
    };
    if !matches!(bytes.get(end + close), Some(b',' | b')')) {
        return None;
    }
    let start = ident_start(bytes, at, floor);
    let (token_start, after) = unquoted(bytes, start, end)?;
    if after != end + close || token_start < floor {
        return None;
    }
    let open = list_open_before(bytes, token_start, floor)?;
    first_value(redactor, bytes, open)
}

/// The value after `f` (a [`Replacement::Positional`] finding) whose column's goes, in its
/// row or a row after it — then among the values bound to the rows' placeholders.
#[cold]
pub(super) fn next_value(bytes: &[u8], f: &Finding, counts: &Counts) -> Option<Finding> {
    let Replacement::Positional {
        columns,
        index,
        delimiter,
        rows,
    } = f.replacement
    else {
        return None;
    };
    next_item(bytes, delimiter, index as usize)
        .and_then(|(from, index)| masked_value(bytes, from, index, columns, rows, counts))
        // After the rows, the values bound to their placeholders (a pass before may have
        // replaced the rows' own, or not).
        .or_else(|| bound_value(bytes, rows?, columns, counts))
}

/// After a secret's or sensitive data's name and its `=` (from `from` on): a placeholder
/// (PostgreSQL's `"password" = $1`, MySQL's and SQLite's `` `pin` = ? ``) whose value
/// Diesel's `debug_query` lists after the statement, on its line (`-- binds: ["hunter2",
/// 7]`): that value, replaced by `marker`. `Some(None)` where there is no such value to
/// replace (no list, `None`, a marker a pass wrote before, a `?` whose place among the
/// line's cannot be told): a placeholder is never the value itself.
#[cold]
pub(super) fn bound_after(
    bytes: &[u8],
    from: usize,
    marker: &'static str,
    question_marks: &mut QuestionMarks,
    counts: &Counts,
) -> Option<Option<Finding>> {
    let start = skip_blanks(bytes, from);
    if !matches!(bytes.get(start), Some(b'$' | b'?')) {
        return None;
    }
    let end = start
        + bytes[start..]
            .iter()
            .skip(1)
            .take_while(|&&b| is_ident_byte(b))
            .count()
        + 1;
    let text = &bytes[start..end];
    let numbered = numbered_bind(text);
    if text != b"?" && numbered.is_none() {
        return None;
    }
    let Some(binds) = binds_after(bytes, end) else {
        return Some(None);
    };
    let Some(bind) = numbered.or_else(|| question_marks.before(bytes, start)) else {
        return Some(None);
    };
    let mut columns = Columns::default();
    columns.mark(bind, marker);
    Some(masked_value(bytes, binds, 0, columns, None, counts))
}

/// The `?` placeholders of a string's lines, counted as the scan meets them: how many stand
/// before one on its line is the bind it stands for, counted from zero, as Diesel binds
/// MySQL's and SQLite's in order. A `?` counts where a placeholder stands — after a blank,
/// an operator, a `(` or a `,`, before no name's byte — so that what shares the line with
/// the statement (a URL's query before it in a JSON line, a question in prose) does not;
/// quotes are not followed (a line's other fields and prose hold apostrophes and quotes
/// a statement's literals could not be told from). Counting on from the last one counted,
/// the scan reads each line once however many it holds.
#[derive(Debug, Default)]
pub(super) struct QuestionMarks {
    /// The last `?` counted, and how many stood before it on its line (`None`: its line
    /// cannot be counted, nor any `?` after it on that line).
    last: Option<(usize, Option<usize>)>,
}

impl QuestionMarks {
    /// How many placeholders stand before the one at `at` on its line. `None` where the
    /// line starts more than [`MAX_VALUE`] bytes back, or a marker stands before it (a value
    /// a pass replaced there may have held a `?`).
    fn before(&mut self, bytes: &[u8], at: usize) -> Option<usize> {
        let resumed = self
            .last
            .filter(|&(last, _)| last < at && !bytes[last..at].contains(&b'\n'));
        let (from, known) = match resumed {
            Some(resumed) => resumed,
            None => {
                let reach = at.saturating_sub(MAX_VALUE);
                match bytes[reach..at].iter().rposition(|&b| b == b'\n') {
                    Some(k) => (reach + k + 1, Some(0)),
                    None if reach == 0 => (0, Some(0)),
                    None => (reach, None),
                }
            }
        };
        let count = known
            .filter(|_| !holds_marker(&bytes[from..at]))
            .map(|known| {
                known
                    + (from..at)
                        .filter(|&k| bytes[k] == b'?' && is_placeholder_mark(bytes, k))
                        .count()
            });
        self.last = Some((at, count));
        count
    }
}

/// Whether the `?` at `at` stands where a placeholder does: after a blank, an operator, a
/// `(` or a `,` (`= ?`, `IN (?, ?)`, `LIMIT ?`), before no name's byte (`?1` is SQLite's
/// numbered one, read by [`numbered_bind`]).
fn is_placeholder_mark(bytes: &[u8], at: usize) -> bool {
    at.checked_sub(1)
        .is_some_and(|k| matches!(bytes[k], b' ' | b'\t' | b'(' | b',' | b'=' | b'<' | b'>'))
        && !bytes.get(at + 1).is_some_and(|&b| is_ident_byte(b))
}

/// The bind a numbered placeholder (`$2`, SQLite's `?2`) stands for, counted from zero
/// (`None` for any other text; `$0` stands for none that can go). SQLite numbers to 32,766:
/// after a `?`, longer digits are a value (a card number a pass masks).
fn numbered_bind(text: &[u8]) -> Option<usize> {
    let (digits, most) = match text.split_first()? {
        (b'$', digits) => (digits, usize::MAX),
        (b'?', digits) => (digits, 5),
        _ => return None,
    };
    if digits.is_empty() || digits.len() > most || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        std::str::from_utf8(digits)
            .ok()
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| n.checked_sub(1))
            .unwrap_or(usize::MAX),
    )
}

/// Where the items of the list of binds after the statement ending at `from` start: on its
/// line, after no other statement's rows (`VALUES`) nor a `;` — nor a marker: what a pass
/// replaced there may have been one of these, so a second pass reads no list where the first
/// read none.
fn binds_after(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = &bytes[from.min(bytes.len())..];
    let rest = &rest[..rest.len().min(MAX_VALUE)];
    let at = super::find(rest, BINDS)?;
    let between = &rest[..at];
    let another = between.contains(&b'\n')
        || between.contains(&b';')
        || between
            .windows(6)
            .any(|w| w.eq_ignore_ascii_case(b"values"))
        || holds_marker(between);
    // Nor one a pass replaced whole (`-- binds: [REDACTED]`: its `[` is the marker's).
    let items = from + at + BINDS.len();
    (!another && !is_marker_at(&bytes[items - 1..])).then_some(items)
}

/// What Diesel's `debug_query` writes before the values it binds to a statement's
/// placeholders.
const BINDS: &[u8] = b"-- binds: [";

/// Whether a list closing at `close` (a tuple's `)`) is a column list: `VALUES` follows it
/// (a tuple's items there are columns' names, not a name and its value).
pub(super) fn is_column_list(bytes: &[u8], close: usize) -> bool {
    values_open(bytes, close).is_some()
}

/// The first value whose column's goes, for the column list opening at `open`.
fn first_value(redactor: &Redactor, bytes: &[u8], open: usize) -> Option<Finding> {
    let counts = redactor.counts();
    let (columns, close) = column_list(redactor, bytes, open)?;
    if columns == Columns::default() {
        return None;
    }
    let values = values_open(bytes, close)?;
    masked_value(bytes, values + 1, 0, columns, Some(values), counts)
        .or_else(|| bound_value(bytes, values, columns, counts))
}

/// Where the rows hold placeholders (`$2`, `?`) in columns whose values go, and Diesel's
/// `debug_query` lists the values after the statement (`-- binds: ["a@b.c", "hunter2"]`):
/// the first of those values.
fn bound_value(bytes: &[u8], values: usize, columns: Columns, counts: &Counts) -> Option<Finding> {
    let mut bound = Columns::default();
    let (mut from, mut index, mut question_marks) = (values + 1, 0, 0);
    let rows_end = loop {
        let (start, end, delimiter) = item(bytes, from)?;
        let placeholder = match &bytes[start..end] {
            b"?" => {
                question_marks += 1;
                Some(question_marks - 1)
            }
            text => numbered_bind(text),
        };
        if let (Some(marker), Some(bind)) = (columns.marker(index), placeholder) {
            bound.mark(bind, marker);
        }
        match next_item(bytes, delimiter, index) {
            Some(next) => (from, index) = next,
            None => break delimiter + 1,
        }
    };
    if bound == Columns::default() {
        return None;
    }
    masked_value(bytes, binds_after(bytes, rows_end)?, 0, bound, None, counts)
}

/// From the item at `from` (the `index`th of its row) on, the first whose column's value
/// goes and that is a value (not `NULL`, a placeholder or a marker a pass wrote before).
/// `rows`: where the statement's `VALUES` rows open, when these are its rows (not a list of
/// binds), for the binds after them.
fn masked_value(
    bytes: &[u8],
    mut from: usize,
    mut index: usize,
    columns: Columns,
    rows: Option<usize>,
    counts: &Counts,
) -> Option<Finding> {
    loop {
        let (start, end, delimiter) = item(bytes, from)?;
        // A quoted item's text is a value whatever it holds (`':41111'` is no placeholder).
        let text = &bytes[start..end];
        let quoted = start
            .checked_sub(1)
            .is_some_and(|k| matches!(bytes[k], b'\'' | b'"'));
        if let Some(marker) = columns.marker(index)
            && (quoted && !text.is_empty() && !holds_marker(text) || is_value(text))
            && let Ok(index) = u32::try_from(index)
        {
            if marker == REMOVED {
                counts.add_sad();
            } else {
                counts.add_secret_text();
            }
            return Some(Finding {
                start,
                end,
                replacement: Replacement::Positional {
                    columns,
                    index,
                    delimiter,
                    rows,
                },
            });
        }
        (from, index) = next_item(bytes, delimiter, index)?;
    }
}

/// Where the item after the one whose `,`, `)` or `]` stands at `delimiter` starts, and its
/// index: the row's next after a `,`; after a `)`, the next row's first (`), (`), if one
/// follows.
fn next_item(bytes: &[u8], delimiter: usize, index: usize) -> Option<(usize, usize)> {
    match bytes.get(delimiter)? {
        b',' => Some((delimiter + 1, index + 1)),
        _ => {
            let comma = skip_blanks(bytes, delimiter + 1);
            (bytes.get(comma) == Some(&b',')).then_some(())?;
            let open = skip_blanks(bytes, comma + 1);
            (bytes.get(open) == Some(&b'(')).then_some((open + 1, 0))
        }
    }
}

/// Whether a row's item is a value to replace: not empty, `NULL`, `DEFAULT`, a boolean, a
/// placeholder (`$1`, `?`, `?1`, `:name`, `@p1`) nor what a pass wrote before.
fn is_value(item: &[u8]) -> bool {
    const KEYWORDS: [&[u8]; 4] = [b"null", b"default", b"true", b"false"];
    !(item.is_empty()
        || KEYWORDS.iter().any(|k| item.eq_ignore_ascii_case(k))
        || item == b"?"
        || matches!(item[0], b'$' | b':' | b'@') && item[1..].iter().all(|&b| is_ident_byte(b))
        || item[0] == b'?' && numbered_bind(item).is_some()
        || holds_marker(item))
}

/// A row's item from `from` (after its row's `(`, a list of binds' `[`, or the `,` before
/// it): where its text starts and ends — inside its quotes when it is a quoted string alone
/// (`'hunter2'`, `"hunter2"` as `Debug` writes a bind, JSON-escaped `\"…\"`), else without
/// the blanks around it (`737`, `crypt('x', …)`, `Some("x")`) — and where the `,`, `)` or `]`
/// after it stands. `None` for a quote that does not close, a string followed by anything
/// but a cast, or an item longer than [`MAX_VALUE`].
fn item(bytes: &[u8], from: usize) -> Option<(usize, usize, usize)> {
    let first = skip_blanks(bytes, from);
    let limit = bytes.len().min(first + MAX_VALUE);
    let mut depth = 0usize;
    let mut k = first;
    loop {
        let b = *bytes[..limit].get(k)?;
        let string = match b {
            b'\'' | b'"' => Some((k + 1, closing_quote(bytes, k + 1, b, limit)?, 1)),
            b'\\' if bytes.get(k + 1) == Some(&b'"') => {
                Some((k + 2, closing_escaped_quote(bytes, k + 2, limit)?, 2))
            }
            _ => None,
        };
        if let Some((start, end, quote)) = string {
            k = end + quote;
            if start - quote == first {
                // A string alone: its text is the value's.
                return Some((start, end, item_end(bytes, k)?));
            }
            continue;
        }
        match b {
            b'(' | b'[' => depth += 1,
            b')' | b']' if depth > 1 => depth -= 1,
            // A call's or a list's group closed (`crypt('x', …)`, `Some("x")`): the item
            // ends with it.
            b')' | b']' if depth == 1 => return Some((first, k + 1, item_end(bytes, k + 1)?)),
            b',' | b')' | b']' if depth == 0 => break,
            _ => {}
        }
        k += 1;
    }
    let end = last_non_blank(bytes, k, first).map_or(first, |j| j + 1);
    Some((first, end, k))
}

/// Where the `,`, `)` or `]` after an item whose string or group ends at `from` stands: only
/// blanks and a cast (`'…'::text`) may come between, so that text that is no statement's
/// ends the reading at once.
fn item_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut after = skip_blanks(bytes, from);
    if bytes.get(after..after + 2) == Some(b"::") {
        after += 2 + bytes[after + 2..]
            .iter()
            .take_while(|&&b| is_ident_byte(b))
            .count();
        after = skip_blanks(bytes, after);
    }
    matches!(bytes.get(after), Some(b',' | b')' | b']')).then_some(after)
}

/// Where a string quoted by `quote` from `from` closes: a `'` doubled inside is one of its
/// characters (SQL's escape), and a backslash takes the byte after it.
fn closing_quote(bytes: &[u8], from: usize, quote: u8, limit: usize) -> Option<usize> {
    let mut k = from;
    while k < limit {
        match bytes[k] {
            b'\\' => k += 2,
            b if b == quote && quote == b'\'' && bytes.get(k + 1) == Some(&b'\'') => k += 2,
            b if b == quote => return Some(k),
            _ => k += 1,
        }
    }
    None
}

/// Where a string JSON-escaped text quotes with `\"` from `from` closes (at its `\`): a
/// quote inside it has more backslashes before it (`\\\"`).
fn closing_escaped_quote(bytes: &[u8], from: usize, limit: usize) -> Option<usize> {
    let mut k = from;
    while k < limit {
        if bytes[k] != b'\\' {
            k += 1;
            continue;
        }
        let run = bytes[k..limit].iter().take_while(|&&b| b == b'\\').count();
        match bytes.get(k + run) {
            Some(b'"') if run == 1 => return Some(k),
            Some(b'"') if run % 2 == 0 => return None,
            _ => k += run + 1,
        }
    }
    None
}

/// The columns of the list opening at `open` whose values go, and where the list closes.
/// `None` unless every item is a name (bare or quoted), `MAX_COLUMNS` at most.
fn column_list(redactor: &Redactor, bytes: &[u8], open: usize) -> Option<(Columns, usize)> {
    let mut columns = Columns::default();
    let mut k = open + 1;
    for index in 0..MAX_COLUMNS {
        let (start, end, after) = column_name(bytes, skip_blanks(bytes, k))?;
        match marker_for(redactor, &bytes[start..end]) {
            Some(REMOVED) => columns.removed |= 1 << index,
            Some(_) => columns.secret |= 1 << index,
            None => {}
        }
        k = skip_blanks(bytes, after);
        match bytes.get(k)? {
            b',' => k += 1,
            b')' => return Some((columns, k)),
            _ => return None,
        }
    }
    None
}

/// A column's name at `at`, bare or quoted as SQL dialects quote names (`"name"`,
/// `` `name` ``, `[name]`, JSON-escaped `\"name\"`): where the name starts and ends, and
/// where the token does (after its closing quote).
fn column_name(bytes: &[u8], at: usize) -> Option<(usize, usize, usize)> {
    let (open, close): (usize, &[u8]) = match bytes.get(at..)? {
        [b'\\', b'"', ..] => (2, b"\\\""),
        [b'"', ..] => (1, b"\""),
        [b'`', ..] => (1, b"`"),
        [b'[', ..] => (1, b"]"),
        _ => (0, b""),
    };
    let start = at + open;
    let end = start
        + bytes[start.min(bytes.len())..]
            .iter()
            .take_while(|&&b| is_ident_byte(b))
            .count();
    (end > start && bytes[end..].starts_with(close)).then_some((start, end, end + close.len()))
}

/// A bare name at `start..end` with its quotes, if any: where the token starts and ends.
fn unquoted(bytes: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    let (before, after) = (&bytes[..start], &bytes[end..]);
    let (open, close) = if before.ends_with(b"\\\"") && after.starts_with(b"\\\"") {
        (2, 2)
    } else {
        match (before.last(), after.first()) {
            (Some(b'"'), Some(b'"')) | (Some(b'`'), Some(b'`')) | (Some(b'['), Some(b']')) => {
                (1, 1)
            }
            _ => (0, 0),
        }
    };
    (end > start).then_some((start - open, end + close))
}

/// Where the column list holding the column token starting at `token` opens: every token
/// before it a name, each after a `,`, read no further back than `floor`.
fn list_open_before(bytes: &[u8], mut token: usize, floor: usize) -> Option<usize> {
    for _ in 0..MAX_COLUMNS {
        let before = last_non_blank(bytes, token, floor)?;
        match bytes[before] {
            b'(' => return Some(before),
            b',' => {}
            _ => return None,
        }
        let end = last_non_blank(bytes, before, floor)? + 1;
        let (close, open): (usize, &[u8]) = match &bytes[floor..end] {
            [.., b'\\', b'"'] => (2, b"\\\""),
            [.., b'"'] => (1, b"\""),
            [.., b'`'] => (1, b"`"),
            [.., b']'] => (1, b"["),
            _ => (0, b""),
        };
        let name_end = end - close;
        let name_start = ident_start(bytes, name_end, floor);
        token = name_start.checked_sub(open.len())?;
        if name_start == name_end || token < floor || !bytes[token..].starts_with(open) {
            return None;
        }
    }
    None
}

/// Where `VALUES (` follows a list closing at `close`: its `(`.
fn values_open(bytes: &[u8], close: usize) -> Option<usize> {
    const VALUES: &[u8] = b"values";
    let word = skip_blanks(bytes, close + 1);
    if !bytes
        .get(word..word + VALUES.len())?
        .eq_ignore_ascii_case(VALUES)
    {
        return None;
    }
    let open = skip_blanks(bytes, word + VALUES.len());
    (bytes.get(open) == Some(&b'(')).then_some(open)
}

/// Whether `b` may be in a bare SQL name.
fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Where the name ending at `end` starts, no further back than `floor`.
fn ident_start(bytes: &[u8], end: usize, floor: usize) -> usize {
    let floor = floor.min(end);
    end - bytes[floor..end]
        .iter()
        .rev()
        .take_while(|&&b| is_ident_byte(b))
        .count()
}

/// The first byte from `from` on that is no blank.
fn skip_blanks(bytes: &[u8], from: usize) -> usize {
    from + bytes[from.min(bytes.len())..]
        .iter()
        .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count()
}

/// The last byte before `before` that is no blank, no further back than `floor`.
fn last_non_blank(bytes: &[u8], before: usize, floor: usize) -> Option<usize> {
    let floor = floor.min(before);
    bytes[floor..before]
        .iter()
        .rposition(|&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .map(|k| floor + k)
}

#[cfg(test)]
mod tests {
    use crate::redact::text::test_support::{assert_redacted, redact, redacted_once_for_all};

    #[test]
    fn values_are_matched_to_secret_columns_by_position_in_every_row() {
        assert_redacted(&[
            (
                "INSERT INTO \"credentials\" (\"name\", \"password\") VALUES ('db', 'hunter2')",
                "INSERT INTO \"credentials\" (\"name\", \"password\") VALUES ('db', '[REDACTED]')",
            ),
            (
                "INSERT INTO \"users\" (\"password\", \"email\") VALUES ('x9y8z7', 'a@b.c')",
                "INSERT INTO \"users\" (\"password\", \"email\") VALUES ('[REDACTED]', 'a@b.c')",
            ),
            (
                "insert into tokens (user_id, api_key) values (7, 'abc123XYZ'), (8, 'def''456')",
                "insert into tokens (user_id, api_key) values (7, '[REDACTED]'), (8, '[REDACTED]')",
            ),
            (
                "INSERT INTO `cards` (`pan`, `cvv`, `exp`) VALUES ('4111111111111111', '737', \
                 '12/28'), ('5555555555554444', 123, '01/29')",
                "INSERT INTO `cards` (`pan`, `cvv`, `exp`) VALUES ('411111******1111', \
                 '[REMOVED]', '12/28'), ('555555******4444', [REMOVED], '01/29')",
            ),
            (
                "{\"msg\":\"INSERT INTO \\\"keys\\\" (\\\"tenant\\\", \\\"secret\\\", \\\"pin\\\") \
                 VALUES ('t1', 'q8Zx9pLm2Wv', crypt('1234', gen_salt('bf')))\"}",
                "{\"msg\":\"INSERT INTO \\\"keys\\\" (\\\"tenant\\\", \\\"secret\\\", \\\"pin\\\") \
                 VALUES ('t1', '[REDACTED]', [REMOVED])\"}",
            ),
            (
                "INSERT INTO \"users\" (\"email\", \"pin\", \"password\") VALUES ('a@b.c', NULL, \
                 DEFAULT)",
                "INSERT INTO \"users\" (\"email\", \"pin\", \"password\") VALUES ('a@b.c', NULL, \
                 DEFAULT)",
            ),
            (
                "INSERT INTO \"users\" (\"email\", \"password\") VALUES ($1, $2), ($3, $4) \
                 RETURNING \"id\" -- binds: [\"a@b.c\", \"hunter2\", \"c@d.e\", \"p,w\\\"]\"]",
                "INSERT INTO \"users\" (\"email\", \"password\") VALUES ($1, $2), ($3, $4) \
                 RETURNING \"id\" -- binds: [\"a@b.c\", \"[REDACTED]\", \"c@d.e\", \"[REDACTED]\"]",
            ),
            (
                "INSERT INTO `cards` (`cvv`, `note`) VALUES (?, ?) -- binds: [737, Some(\"ok\")]",
                "INSERT INTO `cards` (`cvv`, `note`) VALUES (?, ?) -- binds: [[REMOVED], Some(\"ok\")]",
            ),
            (
                "UPDATE \"users\" SET \"password\" = $2, \"pin\" = $1 WHERE \"id\" = $3 -- \
                 binds: [\"1234\", \"hunter2\", 7]",
                "UPDATE \"users\" SET \"password\" = $2, \"pin\" = $1 WHERE \"id\" = $3 -- \
                 binds: [\"[REMOVED]\", \"[REDACTED]\", 7]",
            ),
            (
                // Composition sweep (seed 60): a list of binds a pass replaced whole, its
                // marker's `[` the list's, read as a list holding `REDACTED]`.
                "SET \"password\" = $1 -- binds: [REDACTED]",
                "SET \"password\" = $1 -- binds: [REDACTED]",
            ),
            (
                // SeaORM qualifies a column by its table; MySQL quotes names with backticks.
                "SELECT \"sessions\".\"id\" FROM \"sessions\" WHERE \"sessions\".\"token\" = \
                 'abc123XYZ' LIMIT 1; UPDATE `users` SET `password` = 'x9y8z7' WHERE \
                 `users`.`api_key` = 'k8Zq2Lm9'",
                "SELECT \"sessions\".\"id\" FROM \"sessions\" WHERE \"sessions\".\"token\" = \
                 '[REDACTED]' LIMIT 1; UPDATE `users` SET `password` = '[REDACTED]' WHERE \
                 `users`.`api_key` = '[REDACTED]'",
            ),
            (
                "SELECT \"id\" FROM \"api_keys\" WHERE \"secret\" = 'k_8f2aQ9' AND \"pin\" = \
                 '1234' -- a note",
                "SELECT \"id\" FROM \"api_keys\" WHERE \"secret\" = '[REDACTED]' AND \"pin\" \
                 = '[REMOVED]' -- a note",
            ),
            (
                // Found again from each secret's name: held once, so the card numbers between
                // are still read.
                "INSERT INTO t (pan, password, api_key, secret, token, cvv) VALUES \
                 ('4111111111111111', 'a1', 'b2', 'c3', 'd4', '737'), ('5555555555554444', 'e5', \
                 'f6', 'g7', 'h8', '123')",
                "INSERT INTO t (pan, password, api_key, secret, token, cvv) VALUES \
                 ('411111******1111', '[REDACTED]', '[REDACTED]', '[REDACTED]', '[REDACTED]', \
                 '[REMOVED]'), ('555555******4444', '[REDACTED]', '[REDACTED]', '[REDACTED]', \
                 '[REDACTED]', '[REMOVED]')",
            ),
            (
                // Quoted, what reads as a placeholder is a value (found by the sweep: the
                // card number in it was masked on the first pass, the value gone on the
                // second).
                "INSERT INTO t (password, cvv) VALUES ('its', 'a'), (DEFAULT, ':41111', NULL)",
                "INSERT INTO t (password, cvv) VALUES ('[REDACTED]', '[REMOVED]'), (DEFAULT, \
                 '[REMOVED]', NULL)",
            ),
            (
                "INSERT INTO \"orders\" (\"id\", \"amount\") VALUES ('ord_1', 2500)",
                "INSERT INTO \"orders\" (\"id\", \"amount\") VALUES ('ord_1', 2500)",
            ),
        ]);
    }

    #[test]
    fn a_question_mark_after_a_secret_s_name_is_its_bind_counted_along_the_line() {
        // The `?` had been taken for the value (`= [REMOVED]`) and the bind left in clear.
        assert_redacted(&[
            (
                "SELECT `users`.`id` FROM `users` WHERE `users`.`pin` = ? -- binds: [\"1234\"]",
                "SELECT `users`.`id` FROM `users` WHERE `users`.`pin` = ? -- binds: \
                 [\"[REMOVED]\"]",
            ),
            (
                "SELECT \"id\" FROM \"users\" WHERE \"email\" = ? AND \"note\" <> 'why?' AND \
                 \"password\" = ? -- binds: [\"a@b.c\", \"hunter2\"]",
                "SELECT \"id\" FROM \"users\" WHERE \"email\" = ? AND \"note\" <> 'why?' AND \
                 \"password\" = ? -- binds: [\"a@b.c\", \"[REDACTED]\"]",
            ),
            (
                "UPDATE `cards` SET `cvv` = ?, `updated_at` = ? WHERE `id` = ? -- binds: \
                 [\"737\", 2026-12-07, 5]",
                "UPDATE `cards` SET `cvv` = ?, `updated_at` = ? WHERE `id` = ? -- binds: \
                 [\"[REMOVED]\", 2026-12-07, 5]",
            ),
            (
                // SQLite's numbered form.
                "UPDATE t SET a = ?1, password = ?2 -- binds: [1, \"hunter2\"]",
                "UPDATE t SET a = ?1, password = ?2 -- binds: [1, \"[REDACTED]\"]",
            ),
            (
                // With no list, or on a line a pass wrote a marker on before, the `?` stays.
                "WHERE pin = ? LIMIT 1",
                "WHERE pin = ? LIMIT 1",
            ),
            (
                "token=[REDACTED] WHERE password = ? -- binds: [\"hunter2\"]",
                "token=[REDACTED] WHERE password = ? -- binds: [\"hunter2\"]",
            ),
            // Inside a logfmt value and a JSON line, a URL's query before it: the quotes
            // around the statement had hidden its placeholders from the count (the first
            // bind went, the PIN stayed), the URL's `?` had been counted.
            (
                "msg=\"SELECT id FROM t WHERE a = ? AND pin = ? -- binds: [1, \\\"4821\\\"]\"",
                "msg=\"SELECT id FROM t WHERE a = ? AND pin = ? -- binds: [1, \\\"[REMOVED]\\\"]\"",
            ),
            (
                "{\"url\":\"/pay?x=1\",\"msg\":\"SELECT id FROM t WHERE a IN (?, ?) AND pin = ? -- \
                 binds: [1, 2, \\\"4821\\\"]\"}",
                "{\"url\":\"/pay?x=1\",\"msg\":\"SELECT id FROM t WHERE a IN (?, ?) AND pin = ? -- \
                 binds: [1, 2, \\\"[REMOVED]\\\"]\"}",
            ),
        ]);
    }

    #[test]
    fn only_a_table_s_name_qualifies_a_column_s() {
        // Composition sweep (seed 100): a marker in quotes and a `.` were taken for a table's
        // name on the second pass, and the quoted name after them for a column's.
        let text = "Object {\"security_key\": Array [String(\"hunter2x9Q\"()], \"n\": Null}. \
                    \"cvvCode\": {\n    \"S\": \"7391\"\ncard_verification := \"7391\"";
        let once = redact(text);
        assert_eq!(redact(&once), once);
    }

    #[test]
    fn lists_whose_values_never_end_are_read_in_linear_time() {
        // Each name in each list read an item to 16 KiB: a megabyte of these took 1.4 s in a
        // release build; now a string followed by anything but a delimiter ends the item.
        for shape in [
            "(password, api_key) VALUES ('",
            "(\"a\", password) VALUES ($1, $2) -- binds: [",
            "password = ? -- binds: [\"",
        ] {
            let text = shape.repeat((1 << 20) / shape.len());
            assert_eq!(redact(&text), text);
        }
    }

    #[test]
    fn statements_among_other_findings_are_redacted_once_for_all() {
        redacted_once_for_all(
            &[
                "INSERT INTO t (",
                "\"password\"",
                "\\\"email\\\"",
                "`cvv`",
                "pin",
                ", ",
                ") VALUES (",
                "'x9y8z7'",
                "\\\"s3cr3t\\\"",
                "737",
                "'a,b)'",
                "), (",
                "NULL",
                "crypt('1', 'bf')",
                "'[REDACTED]'",
                "$1",
                "?",
                " -- binds: [",
                "\"hunter2\"",
                "]",
            ],
            2044,
            "\u{0}",
            "\u{0}",
        );
    }
}
