//! What the scan has written so far, and the findings it holds until it reaches their start.
//! Pieces go out in order — the text between findings whole, flagged when a byte of it needs
//! JSON escaping — so the caller writes redacted text straight into its line. A finding that
//! starts after its anchor (a value after its name, an element's text after its start tag)
//! waits in [`Held`], so the anchors before its start are still looked at.

use super::sql;
use super::{Finding, Piece, REDACTED, REMOVED, Replacement, escapes_between};
use crate::classify::Classifier;
use crate::redact::Counts;

/// How many findings that start after their anchor [`Held`] keeps at once. They nest only
/// where one's anchor lies between another's anchor and start — inside an element's start tag
/// (itself inside a quoted attribute of another), or between a name and its value — which
/// real text does a level or two deep.
const HELD: usize = 4;

/// The findings [`scan`](super::scan) holds until it reaches their start, earliest last.
pub(super) struct Held {
    /// Made at the first hold: most strings hold none, and making it costs.
    findings: Option<[Option<Finding>; HELD]>,
    len: usize,
    /// Where the earliest starts (`usize::MAX` when none is held): one comparison per anchor.
    pub(super) due: usize,
}

impl Held {
    pub(super) fn new() -> Self {
        Self {
            findings: None,
            len: 0,
            due: usize::MAX,
        }
    }

    /// Holds `f`; when all places are taken, gives back the earliest of them and `f`, to be
    /// written now (the anchors before its start are then passed over).
    pub(super) fn hold(&mut self, f: Finding) -> Option<Finding> {
        // A SQL value found again from another of its statement's columns is held once.
        if matches!(f.replacement, Replacement::Positional { .. })
            && let Some(findings) = &self.findings
            && findings[..self.len]
                .iter()
                .flatten()
                .any(|h| h.start == f.start)
        {
            return None;
        }
        // A part's value found again from a later `name=` before it (several in one
        // disposition) is held once, for the nearest name: what stands between that name and
        // the value is what a pass may replace and the next read shorter, and so void it.
        if matches!(f.replacement, Replacement::PartValue { .. })
            && let Some(findings) = &mut self.findings
            && let Some(held) = findings[..self.len].iter_mut().flatten().find(|h| {
                h.start == f.start && matches!(h.replacement, Replacement::PartValue { .. })
            })
        {
            *held = f;
            return None;
        }
        let mut out = None;
        if self.len == HELD {
            if f.start <= self.due {
                return Some(f);
            }
            out = self.pop_inner();
        }
        let findings = self.findings.get_or_insert([const { None }; HELD]);
        // Keep the order: later starts first, the earliest last; of two that start
        // together, the one held first comes back first (its anchor came first: a value
        // after its name goes before a card number it holds).
        let mut k = self.len;
        while k > 0 && findings[k - 1].as_ref().is_some_and(|h| h.start <= f.start) {
            findings[k] = findings[k - 1].take();
            k -= 1;
        }
        findings[k] = Some(f);
        self.len += 1;
        self.refresh();
        out
    }

    /// Gives back the earliest held finding that starts at or before `at` and that `out`
    /// does not void ([`Output::voids`]), dropping those it voids — and holds the next
    /// value of its SQL statement to replace, when it is one ([`Held::hold_next_value`]).
    #[cold]
    pub(super) fn pop_due(
        &mut self,
        at: usize,
        out: &Output<'_>,
        counts: &Counts,
    ) -> Option<Finding> {
        while at >= self.due {
            let f = self.pop()?;
            if !out.voids(&f) {
                self.hold_next_value(&f, out, counts);
                return Some(f);
            }
        }
        None
    }

    /// Before `f`, just taken back, is written: when it is a SQL value to be written
    /// ([`sql`]), holds the next value of its statement to replace (a place is
    /// free: `f`'s). Each is made when the one before is written, so that the text between
    /// them is scanned first.
    pub(super) fn hold_next_value(&mut self, f: &Finding, out: &Output<'_>, counts: &Counts) {
        // Not written when a finding before covered it (the same value, found again).
        if matches!(f.replacement, Replacement::Positional { .. })
            && f.end > out.copied
            && let Some(next) = sql::next_value(out.s.as_bytes(), f, counts)
        {
            let overflow = self.hold(next);
            debug_assert!(overflow.is_none());
        }
    }

    /// Gives back the earliest held finding.
    pub(super) fn pop(&mut self) -> Option<Finding> {
        let f = self.pop_inner();
        self.refresh();
        f
    }

    /// The end of a held finding whose text covers `at`: what it will replace holds no
    /// one's digits.
    pub(super) fn end_covering(&self, at: usize) -> Option<usize> {
        self.findings.as_ref()?[..self.len]
            .iter()
            .flatten()
            .filter(|f| f.start <= at && at < f.end)
            .map(|f| f.end)
            .max()
    }

    fn pop_inner(&mut self) -> Option<Finding> {
        self.len = self.len.checked_sub(1)?;
        self.findings.as_mut()?[self.len].take()
    }

    fn refresh(&mut self) {
        let earliest = match (self.len.checked_sub(1), &self.findings) {
            (Some(k), Some(all)) => all[k].as_ref(),
            _ => None,
        };
        self.due = earliest.map_or(usize::MAX, |f| f.start);
    }
}

/// What [`scan`](super::scan) has written so far.
pub(super) struct Output<'s> {
    pub(super) s: &'s str,
    /// Bytes before this are emitted.
    pub(super) copied: usize,
    /// Where the line of `copied` starts, as a pass after this one reads it: after the last
    /// line break copied as it stood (one inside a replaced finding is gone).
    pub(super) line_start: usize,
    /// The end of the last finding replaced by something that ends a name (a marker, a
    /// quote): a bare name never starts before it.
    pub(super) name_floor: usize,
    /// Escape classes over the bytes classified since `copied`.
    pub(super) flagged: u32,
    pub(super) found: bool,
}

impl<'s> Output<'s> {
    /// Whether `f` is void: a multipart part's value after whose `name=` this pass has
    /// already replaced or masked something ([`Replacement::PartValue`]).
    pub(super) fn voids(&self, f: &Finding) -> bool {
        matches!(f.replacement, Replacement::PartValue { after, .. } if self.copied > after)
    }

    /// Emits the text before `f` and `f`'s replacement; `classified` is where the bytes
    /// classified so far end. Returns where the scan goes on (the finding's end).
    pub(super) fn put(
        &mut self,
        c: impl Classifier,
        mut f: Finding,
        classified: usize,
        emit: &mut impl FnMut(Piece<'s>, bool),
    ) -> usize {
        let bytes = self.s.as_bytes();
        // A finding that starts inside the previous one keeps its part after it.
        if f.start < self.copied {
            if f.end <= self.copied
                || matches!(
                    f.replacement,
                    Replacement::Pan
                        | Replacement::QuotedPan
                        | Replacement::PanAndCode { .. }
                        | Replacement::SecretPair { .. }
                )
            {
                return self.copied;
            }
            f.start = self.copied;
        }
        self.found = true;
        if f.start > self.copied {
            // The piece may reach past the bytes classified so far (a value starts after
            // its name and separator): look at the rest of it too.
            self.flagged |= escapes_between(c, bytes, classified, f.start);
            if let Some(newline) = bytes[self.copied..f.start]
                .iter()
                .rposition(|&b| b == b'\n')
            {
                self.line_start = self.copied + newline + 1;
            }
            emit(Piece::Raw(&self.s[self.copied..f.start]), self.flagged != 0);
        }
        match f.replacement {
            Replacement::Pan => emit(Piece::Pan(&bytes[f.start..f.end]), false),
            Replacement::PanAndCode {
                pan_end,
                code_start,
            } => {
                emit(Piece::Pan(&bytes[f.start..pan_end]), false);
                // Separators and an expiry date: ASCII, a table's tabs the only bytes to
                // escape.
                let between = &self.s[pan_end..code_start];
                emit(Piece::Raw(between), between.contains('\t'));
                emit(Piece::Fixed(REMOVED), false);
            }
            Replacement::QuotedPan => {
                emit(Piece::Fixed("\""), true);
                emit(Piece::Pan(&bytes[f.start..f.end]), false);
                emit(Piece::Fixed("\""), true);
            }
            Replacement::SecretPair {
                first_end,
                second_start,
            } => {
                emit(Piece::Fixed(REDACTED), false);
                emit(Piece::Raw(&self.s[first_end..second_start]), false);
                emit(Piece::Fixed(REDACTED), false);
            }
            Replacement::Fixed(t) | Replacement::PartValue { marker: t, .. } => {
                emit(Piece::Fixed(t), false)
            }
            Replacement::Positional { columns, index, .. } => emit(
                Piece::Fixed(columns.marker(index as usize).unwrap_or(REDACTED)),
                false,
            ),
            Replacement::Quoted(t, quote) => {
                emit(Piece::Fixed(quote), true);
                emit(Piece::Fixed(t), false);
                emit(Piece::Fixed(quote), true);
            }
        }
        self.copied = f.end;
        if !matches!(f.replacement, Replacement::Pan) {
            self.name_floor = f.end;
        }
        self.flagged = 0;
        f.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_findings_come_back_earliest_first_and_overflow_gives_back_the_earliest() {
        let at = |start| Finding {
            start,
            end: start + 1,
            replacement: Replacement::Fixed(REMOVED),
        };
        let mut held = Held::new();
        assert_eq!(held.due, usize::MAX);
        for start in [30, 10, 40, 20] {
            assert!(held.hold(at(start)).is_none());
        }
        assert_eq!(held.due, 10);
        // Full: the earliest of the held ones and the new one is given back.
        assert_eq!(held.hold(at(5)).map(|f| f.start), Some(5));
        assert_eq!(held.hold(at(35)).map(|f| f.start), Some(10));
        let order: Vec<usize> = std::iter::from_fn(|| held.pop()).map(|f| f.start).collect();
        assert_eq!(order, [20, 30, 35, 40]);
        assert_eq!(held.due, usize::MAX);
        // Two that start together: the first held comes back first.
        let first = Finding { end: 99, ..at(7) };
        assert!(held.hold(first).is_none() && held.hold(at(7)).is_none());
        assert_eq!(held.pop().map(|f| f.end), Some(99));
        assert_eq!(held.pop().map(|f| f.end), Some(8));
        assert_eq!(held.due, usize::MAX);
    }
}
