//! Free-text redaction: card data, secrets and sensitive values found inside any string, in
//! the same pass that writes it.
//!
//! `scan` walks a string once, a word at a time, stopping only at *anchor* bytes — the
//! first byte a finding can be recognised by; a letter only where its neighbours fit the
//! literal it starts (`crate::classify`) — and runs the one exact detector that anchor
//! belongs to. A benign candidate costs its check and nothing else; what is found is
//! handed on as `Piece`s (the text around it untouched, then its replacement), so the
//! caller writes the redacted text straight into its output — escaped for JSON, or as it
//! is — without a second encode. A string of up to 64 bytes with no anchor at all (most ids,
//! codes and names) is told so from its two blocks' classes before the walk sets up its
//! state; the walk takes those classes over when there is something to look at.
//!
//! | anchor | finding | becomes |
//! |---|---|---|
//! | a digit starting a run (13+ digits in the string) | a card number ([`super::card`]) | first 6 + `*` + last 4, separators kept |
//! | | track 1 / track 2 / EMV tag-57 data | `[REMOVED]` |
//! | | a security code after a card and its expiry date, no names (`4111… 12/28 737`) | the code `[REMOVED]` |
//! | `=` or `:` after a name | `name=value`, `name: value`, `"name":"value"`, `'name': 'value'`, `name => value`, form fields `card[cvc]=737`, PostgreSQL's `Key (cvv)=(737)`, `Debug`'s `cvc: Some("737")`, an object or a list (`"cvv":{"S":"737"}`) for a sensitive-data name (`cvv`, `pin`…) | the value `[REMOVED]` (a wrapped or bracketed one whole), the name kept |
//! | | the same for a secret name (`password`, `Authorization` — its credential whatever the scheme —, `X-Api-Key`, `aws_secret_access_key`…, a label of words such as `API Key:`) or a configured marker | the value `[REDACTED]` (up to a private key's armour, whose body is the key's own finding) |
//! | | any text in base64 under a payload's name (`"body":"Y2FyZF9…"`, `data: Some("…")`, `payload=…`: [`keys::is_payload_key`]) whose text holds a finding ([`encoded`]) | the run `[REDACTED]` |
//! | | a YAML value on the lines under a name that starts its line (`password: \|` and a block scalar, `api_key:` and indented lines) | the indented lines' text `[REDACTED]` / `[REMOVED]` |
//! | `%` of `%3D`/`%3A` (or `%253D`/`%253A`, encoded twice) after a name | the same URL-encoded: `password%3Dhunter2`, `card%5Bcvc%5D%3D737`, `%22cvv%22%3A%22737%22`, `cvv%253D737` | the value up to an encoded or plain delimiter, as above |
//! | `%` of `%20` before a digit | a card number whose groups a URL's encoded spaces join (`4111%201111%201111%201111`), its run judged from its start | as a card number, the `%20`s kept |
//! | `:` before `//` | URL user-info `scheme://user:password@host` | the password `[REDACTED]` |
//! | `<` | an XML element `<cvv>737</cvv>`, `<Password>…</Password>`, `<field name="cvv">737</field>` for a sensitive-data or secret name (the element's, or its `name` or `key` attribute's) | the value up to its closing tag `[REMOVED]` / `[REDACTED]`, the tags kept |
//! | `B`/`b` | `Bearer <token>`, `Basic <credentials>` | the token `[REDACTED]` |
//! | | aws_lambda_events' `Base64Data([123, 34, …])`, bytes as their values whose text holds a finding ([`encoded`]); the same list after a name's `:` | the list `[REDACTED]` |
//! | | a PEM private key, `-----BEGIN …PRIVATE KEY-----` to its `-----END` (or the string's end) | the body `[REDACTED]`, the armour kept, whatever name or scheme comes before it |
//! | `k` | `Token <token>` | the token `[REDACTED]` |
//! | | Stripe secret and restricted keys `sk_live_…`, `rk_test_…` with no name before them | the body `[REDACTED]`, the prefix kept |
//! | | OpenAI and Anthropic secret keys `sk-…`, `sk-proj-…`, `sk-ant-api03-…` with no name before them | the body `[REDACTED]`, the prefix kept |
//! | `A` | AWS access key ids `AKIA…`/`ASIA…` | `[REDACTED]` |
//! | `J` | JWTs `eyJ….….…` (unsigned ones too) | `[REDACTED]` |
//! | | JSON encoded in base64 (`eyJ…`, `{"`'s encoding: an API Gateway or ALB event's body when `isBase64Encoded`) whose text holds a finding ([`encoded`]) | all of it `[REDACTED]` |
//! | `"` (or `\` of `\"`) after `(` | a value in a wrapper named for a secret or sensitive data, as `Debug` writes a newtype (`Password("hunter2")`, `ApiKey(Some("…"))`, `PinBlock("…")`; JSON-escaped too) | the quoted text `[REDACTED]` / `[REMOVED]` |
//! | `v` after `c` | a card security code written after its name and a space, as prose has it (`CVV 737`, `cvc2 "1234"`) | the code `[REMOVED]` |
//! | `-` before `-` | a command line's long flag and its value after a blank, for a secret or sensitive-data name: `--password hunter2`, as `Command`'s `Debug` quotes it (`"--password" "hunter2"`), in a list of arguments (`["--api-key", "k"]`) | the value `[REDACTED]` / `[REMOVED]` |
//! | `\` | `=` and `<` escaped HTML-safe, as Gson and Go's `encoding/json` write them: `cvv\u003d737`, `\u003ccvv\u003e737\u003c/cvv\u003e` | as for `=` and `<` |
//!
//! Names are judged by the same token rules as field keys ([`super::keys`]). Redaction is
//! idempotent: what it wrote is never found again (fuzzed).

use super::byte_class;
use super::card::{self, CardFinding};
use super::encoded;
use super::keys::{self, KeyRule};
use super::pairs::{self, PairRole};
use super::webhooks;
use super::{Counts, Redactor};
#[cfg(target_arch = "x86_64")]
use crate::classify::Avx2;
use crate::classify::{BLOCK, Baseline, Classes, Classifier};

/// Replaces secrets.
pub const REDACTED: &str = "[REDACTED]";
/// Replaces sensitive authentication data.
pub const REMOVED: &str = "[REMOVED]";

/// A part of redacted text, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    /// Text of the input, unchanged (always whole characters).
    Raw(&'a str),
    /// A card number as it stood (digits, spaces, dashes): to be written masked.
    Pan(&'a [u8]),
    /// A replacement (ASCII; its flag says whether it holds a quote to escape).
    Fixed(&'static str),
}

/// What a byte may start.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Anchor {
    None,
    Digit,
    Separator,
    Percent,
    Element,
    LetterB,
    LetterK,
    LetterA,
    LetterJ,
    LetterV,
    /// A double quote before a comma or after a `(`: perhaps where a tuple's first item
    /// ends, or a wrapper's text starts.
    Quote,
    /// A dash before a dash: perhaps a command line's long flag.
    Dash,
    /// A backslash: perhaps an escaped `=` or `<` (`\u003d`, `\u003c`).
    Backslash,
}

static ANCHORS: [Anchor; 256] = {
    let mut t = [Anchor::None; 256];
    let mut d = b'0';
    while d <= b'9' {
        t[d as usize] = Anchor::Digit;
        d += 1;
    }
    t[b'=' as usize] = Anchor::Separator;
    t[b':' as usize] = Anchor::Separator;
    t[b'%' as usize] = Anchor::Percent;
    t[b'<' as usize] = Anchor::Element;
    t[b'B' as usize] = Anchor::LetterB;
    t[b'b' as usize] = Anchor::LetterB;
    t[b'K' as usize] = Anchor::LetterK;
    t[b'k' as usize] = Anchor::LetterK;
    t[b'A' as usize] = Anchor::LetterA;
    t[b'J' as usize] = Anchor::LetterJ;
    t[b'V' as usize] = Anchor::LetterV;
    t[b'v' as usize] = Anchor::LetterV;
    t[b'"' as usize] = Anchor::Quote;
    t[b'-' as usize] = Anchor::Dash;
    t[b'\\' as usize] = Anchor::Backslash;
    t
};

/// Strings shorter than this hold no card number (13 digits at least) and are judged byte
/// by byte ([`short_verdict`]).
pub(crate) const SHORT: usize = 13;

/// What a short string needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Short {
    /// Nothing: copy it.
    Plain,
    /// JSON escaping only.
    Escape,
    /// An anchor byte: run the detectors.
    Scan,
}

/// Per byte: 1 = an anchor other than a digit, 2 = escaped in JSON (controls, `"`, `\`,
/// non-ASCII: the escaper decides), 4 = a comma or a `(` (after or before a quote: perhaps a
/// tuple's or a wrapper's), 8 = a
/// dash (two in a row, perhaps a long flag's), 16 = a blank (before a flag's value).
static SHORT_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        if b < 0x20 || b == b'"' as usize || b == b'\\' as usize || b >= 0x80 {
            t[b] = 2;
        }
        b += 1;
    }
    t[b'=' as usize] = 1;
    t[b':' as usize] = 1;
    t[b'<' as usize] = 1;
    t[b'%' as usize] = 1;
    t[b'A' as usize] = 1;
    t[b'J' as usize] = 1;
    t[b'V' as usize] = 1;
    t[b'v' as usize] = 1;
    t[b'B' as usize] = 1;
    t[b'b' as usize] = 1;
    t[b'K' as usize] = 1;
    t[b'k' as usize] = 1;
    t[b',' as usize] = 4;
    t[b'(' as usize] = 4;
    t[b'-' as usize] = 8;
    t[b' ' as usize] = 16;
    t[b'\t' as usize] = 2 | 16;
    t[b'\\' as usize] = 1 | 2;
    t
};

/// [`Short`] for a string under [`SHORT`] bytes.
#[inline]
pub(crate) fn short_verdict(bytes: &[u8]) -> Short {
    let class = bytes
        .iter()
        .fold(0, |acc, &b| acc | SHORT_CLASS[b as usize]);
    // Two dashes in a row and a blank: a flag and its value (`--pin 1234`). Dates and ids
    // hold single dashes and no blank.
    if class & 24 == 24 && bytes.windows(2).any(|w| w == b"--") {
        return Short::Scan;
    }
    match class & 7 {
        0 | 4 => Short::Plain,
        2 => Short::Escape,
        // An anchor, or an escape and a comma (`("pin","1")`).
        _ => Short::Scan,
    }
}

/// One finding: `start..end` of the input becomes `replacement`.
struct Finding {
    start: usize,
    end: usize,
    replacement: Replacement,
}

enum Replacement {
    Pan,
    /// A card number masked, then the text after it up to `code_start` as it is, then
    /// `[REMOVED]` for its security code (`4111… 12/28 737`).
    PanAndCode {
        pan_end: usize,
        code_start: usize,
    },
    /// The PAN masked inside quotes: a bare JSON number under a quoted name.
    QuotedPan,
    Fixed(&'static str),
    /// `"[REDACTED]"`/`"[REMOVED]"` between quotes (the second, `"` or escaped as the
    /// name's are: `\"`): a bare JSON value under a quoted name.
    Quoted(&'static str, &'static str),
}

/// What [`scan`] found out about a string.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scanned {
    /// Something was found: the pieces were emitted.
    pub(crate) found: bool,
    /// Nothing was found and nothing needs JSON escaping: the string can be copied as it is.
    pub(crate) plain: bool,
}

/// Walks `s` once, a block of [`BLOCK`] bytes at a time. If anything is found, hands every
/// piece of the redacted string to `emit`, in order (a `Raw` piece's flag says whether any of
/// its bytes needs JSON escaping); if nothing is found, emits nothing and says so — the caller
/// writes `s` itself, as it is when `plain`.
#[inline]
pub(crate) fn scan<'s>(
    redactor: &Redactor,
    s: &'s str,
    emit: impl FnMut(Piece<'s>, bool),
) -> Scanned {
    #[cfg(target_arch = "x86_64")]
    if let Some(avx2) = Avx2::detect() {
        #[allow(unsafe_code)]
        // SAFETY: `scan_avx2` needs AVX2, which `Avx2::detect` found present.
        return unsafe { scan_avx2(avx2, redactor, s, emit) };
    }
    scan_baseline(redactor, s, emit)
}

/// [`scan`] with the classifier every processor has (out of line, so that [`scan`] itself
/// is only the choice between the two).
#[inline(never)]
fn scan_baseline<'s>(
    redactor: &Redactor,
    s: &'s str,
    emit: impl FnMut(Piece<'s>, bool),
) -> Scanned {
    match quick(Baseline, s.as_bytes()) {
        Ok(scanned) => scanned,
        Err(first_two) => walk(Baseline, redactor, s, first_two, emit),
    }
}

/// [`scan`] compiled for AVX2, so that the classifier's vector code is inlined into it.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn scan_avx2<'s>(
    avx2: Avx2,
    redactor: &Redactor,
    s: &'s str,
    emit: impl FnMut(Piece<'s>, bool),
) -> Scanned {
    match quick(avx2, s.as_bytes()) {
        Ok(scanned) => scanned,
        Err(first_two) => walk(avx2, redactor, s, first_two, emit),
    }
}

/// The classes of a string's first two blocks.
type FirstTwo = (Classes, Classes);

/// A string of up to two blocks (ids, codes, most messages) with nothing for the detectors:
/// told from its two blocks' classes at once, without [`walk`]'s state. Otherwise (a byte
/// needs a look, or the string is longer) [`walk`] decides, from the start — given the two
/// blocks' classes if they were taken.
///
/// It flags every byte [`walk`] would look at, and perhaps more (a digit run near the end
/// of the 64 bytes counts as unbroken), never fewer: `Ok` only where [`walk`] would find
/// nothing.
#[inline(always)]
fn quick(c: impl Classifier, bytes: &[u8]) -> Result<Scanned, Option<FirstTwo>> {
    if bytes.len() > 2 * BLOCK {
        return Err(None);
    }
    let first = c.classify_at(bytes, 0);
    let second = c.classify_at(bytes, BLOCK);
    let wide = |a: u32, b: u32| u64::from(a) | u64::from(b) << BLOCK;
    let digits = wide(first.digits, second.digits);
    let breaks = wide(first.breakers, second.breakers);
    let broken = breaks | breaks >> 1;
    let broken = broken | broken >> 2;
    let broken = broken | broken >> 4;
    let broken = broken | broken >> 5; // bit p: a breaker in bytes p..p+13 (within the 64)
    let run_starts = digits & !(digits << 1);
    let look_at = wide(first.anchors, second.anchors) | run_starts & !broken;
    if look_at != 0 {
        return Err(Some((first, second)));
    }
    Ok(Scanned {
        found: false,
        plain: first.escapes | second.escapes == 0,
    })
}

/// [`scan`] with the classifier `c`.
#[inline(always)]
fn walk<'s, C: Classifier>(
    c: C,
    redactor: &Redactor,
    s: &'s str,
    first_two: Option<FirstTwo>,
    mut emit: impl FnMut(Piece<'s>, bool),
) -> Scanned {
    let bytes = s.as_bytes();
    let mut out = Output {
        s,
        copied: 0,
        line_start: 0,
        name_floor: 0,
        flagged: 0,
        found: false,
    };
    let mut resume = 0; // digit runs before this were judged already
    let mut unclosed = 0; // sensitive XML elements found with no closing tag
    let mut lines = Lines::default(); // what the separators' look-backs learnt of the string
    // Findings that start after their anchor (a URL's password, a value after its name, an
    // element's value after its start tag), held until the scan reaches their start: anchors
    // before it are still looked at.
    let mut held = Held::new();
    let mut i = 0;
    let (mut classes, mut following) =
        first_two.unwrap_or_else(|| (c.classify_at(bytes, 0), c.classify_at(bytes, BLOCK)));
    while i < bytes.len() {
        // The anchors of the block at `i`, each in turn. A digit counts only where a run
        // starts and the thirteen bytes from there on could belong to a card number.
        out.flagged |= classes.escapes;
        let prev_digit = u32::from(i > 0 && bytes[i - 1].is_ascii_digit());
        let run_starts = classes.digits & !((classes.digits << 1) | prev_digit);
        let breaks = u64::from(classes.breakers) | u64::from(following.breakers) << BLOCK;
        let broken = breaks | breaks >> 1;
        let broken = broken | broken >> 2;
        let broken = broken | broken >> 4; // bit p: a breaker in bytes p..p+8
        // A card number's 13 digits at least, with its separators, span 13 bytes or more.
        let broken = broken | broken >> 5; // bit p: a breaker in bytes p..p+13
        let mut flags = classes.anchors | (run_starts & !(broken as u32));
        let mut next = i + BLOCK;
        while flags != 0 {
            let at = i + flags.trailing_zeros() as usize;
            flags &= flags - 1;
            if at >= bytes.len() || at < out.copied {
                continue;
            }
            if at >= held.due
                && let Some(p) = held.pop()
            {
                // Look again from the end of what was just written.
                next = out.put(c, p, i + BLOCK, &mut emit);
                break;
            }
            let found = match ANCHORS[bytes[at] as usize] {
                Anchor::None => None,
                Anchor::Digit => {
                    if at < resume {
                        None
                    } else {
                        let (found, end) = card_run(bytes, out.name_floor, at);
                        resume = end;
                        found.map(|f| card_finding(bytes, f, redactor.counts()))
                    }
                }
                Anchor::Separator => separator(redactor, bytes, at, &out, &mut lines),
                Anchor::Percent if card::joiner_at(bytes, at) == 3 => {
                    // `%20` before a digit: perhaps between a card's groups, as a URL
                    // writes a space (`4111%201111%201111%201111`). The run is judged
                    // from its start, once.
                    if at < resume || !bytes.get(at + 3).is_some_and(u8::is_ascii_digit) {
                        None
                    } else {
                        let start = card::run_start(bytes, out.copied, at);
                        let start = if start == at { at + 3 } else { start };
                        // A value held to be replaced (`cvv%3D%20426860-510 43111+…`) takes
                        // its groups: the run is judged from the first group after it, as a
                        // second pass sees it.
                        let start = match held.end_covering(start) {
                            None => Some(start),
                            Some(end) if bytes.get(end).is_some_and(u8::is_ascii_digit) => {
                                Some(end)
                            }
                            Some(end) => card::next_group(bytes, end),
                        };
                        start.and_then(|start| {
                            let (found, end) = card_run(bytes, out.name_floor, start);
                            resume = end;
                            found.map(|f| card_finding(bytes, f, redactor.counts()))
                        })
                    }
                }
                Anchor::Percent => encoded_separator(redactor, bytes, at, out.name_floor),
                Anchor::Element => element(redactor, bytes, at, &mut unclosed),
                Anchor::LetterB => credentials(redactor, bytes, at),
                Anchor::LetterK => letter_k(bytes, at, redactor.counts()),
                Anchor::LetterA => aws_key_id(bytes, at, redactor.counts()),
                Anchor::LetterJ => jwt(redactor, bytes, at),
                Anchor::LetterV => security_code_in_prose(bytes, at, redactor.counts()),
                Anchor::Quote => wrapped_value(redactor, bytes, at, out.name_floor)
                    .or_else(|| tuple_value(redactor, bytes, at, out.name_floor)),
                Anchor::Dash => flag_value(redactor, bytes, at, out.name_floor),
                // `Password(\"…\")` in JSON-escaped text: a wrapper's escaped quote.
                Anchor::Backslash if at > 0 && bytes[at - 1] == b'(' => {
                    wrapped_value(redactor, bytes, at, out.name_floor)
                }
                Anchor::Backslash => {
                    escaped_html(redactor, bytes, at, &out, &mut lines, &mut unclosed)
                }
            };
            let Some(f) = found else { continue };
            if f.start > at {
                if let Some(earliest) = held.hold(f) {
                    out.put(c, earliest, i + BLOCK, &mut emit);
                }
                continue;
            }
            next = out.put(c, f, i + BLOCK, &mut emit).max(at + 1);
            break;
        }
        classes = if next == i + BLOCK {
            following
        } else {
            c.classify_at(bytes, next)
        };
        following = c.classify_at(bytes, next + BLOCK);
        i = next;
    }
    if held.due != usize::MAX {
        while let Some(p) = held.pop() {
            // Before the first, every byte was classified; between two, none since a put.
            let classified = out.copied;
            out.put(c, p, classified, &mut emit);
        }
        // The text after them was classified before: look at its escapes again.
        out.flagged |= escapes_between(c, bytes, out.copied, bytes.len());
    }
    if out.found && out.copied < bytes.len() {
        emit(Piece::Raw(&s[out.copied..]), out.flagged != 0);
    }
    Scanned {
        found: out.found,
        plain: out.flagged == 0,
    }
}

/// Whether any byte of `bytes[from..to]` needs JSON escaping, by its escape classes (nonzero
/// if so; a block's bytes past `to` may count too, which only costs a careful copy).
fn escapes_between(c: impl Classifier, bytes: &[u8], from: usize, to: usize) -> u32 {
    let mut escapes = 0;
    let mut k = from;
    while k < to {
        escapes |= c.classify_at(bytes, k).escapes;
        k += BLOCK;
    }
    escapes
}

/// How many findings that start after their anchor [`Held`] keeps at once. They nest only
/// where one's anchor lies between another's anchor and start — inside an element's start tag
/// (itself inside a quoted attribute of another), or between a name and its value — which
/// real text does a level or two deep.
const HELD: usize = 4;

/// The findings [`scan`] holds until it reaches their start, earliest last.
struct Held {
    /// Made at the first hold: most strings hold none, and making it costs.
    findings: Option<[Option<Finding>; HELD]>,
    len: usize,
    /// Where the earliest starts (`usize::MAX` when none is held): one comparison per anchor.
    due: usize,
}

impl Held {
    fn new() -> Self {
        Self {
            findings: None,
            len: 0,
            due: usize::MAX,
        }
    }

    /// Holds `f`; when all places are taken, gives back the earliest of them and `f`, to be
    /// written now (the anchors before its start are then passed over).
    fn hold(&mut self, f: Finding) -> Option<Finding> {
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

    /// Gives back the earliest held finding.
    fn pop(&mut self) -> Option<Finding> {
        let f = self.pop_inner();
        self.refresh();
        f
    }

    /// The end of a held finding whose text covers `at`: what it will replace holds no
    /// one's digits.
    fn end_covering(&self, at: usize) -> Option<usize> {
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

/// What [`scan`] has written so far.
struct Output<'s> {
    s: &'s str,
    /// Bytes before this are emitted.
    copied: usize,
    /// Where the line of `copied` starts, as a pass after this one reads it: after the last
    /// line break copied as it stood (one inside a replaced finding is gone).
    line_start: usize,
    /// The end of the last finding replaced by something that ends a name (a marker, a
    /// quote): a bare name never starts before it.
    name_floor: usize,
    /// Escape classes over the bytes classified since `copied`.
    flagged: u32,
    found: bool,
}

impl<'s> Output<'s> {
    /// Emits the text before `f` and `f`'s replacement; `classified` is where the bytes
    /// classified so far end. Returns where the scan goes on (the finding's end).
    fn put(
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
                    Replacement::Pan | Replacement::QuotedPan | Replacement::PanAndCode { .. }
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
                // Separators and an expiry date: printable ASCII, nothing to escape.
                emit(Piece::Raw(&self.s[pan_end..code_start]), false);
                emit(Piece::Fixed(REMOVED), false);
            }
            Replacement::QuotedPan => {
                emit(Piece::Fixed("\""), true);
                emit(Piece::Pan(&bytes[f.start..f.end]), false);
                emit(Piece::Fixed("\""), true);
            }
            Replacement::Fixed(t) => emit(Piece::Fixed(t), false),
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

/// A run of digit groups at `start`: counted first (most runs — in UUIDs, amounts, dates —
/// hold fewer than 13 digits and end there), then searched for card data (before `floor`
/// stands text a replacement wrote over).
fn card_run(bytes: &[u8], floor: usize, start: usize) -> (Option<CardFinding>, usize) {
    // A run that starts with a percent escape's two hex digits (`%204111…`), or with an
    // escape encoded twice (`%25204111…`): the number starts after them.
    let start = after_escape(bytes, start, u8::is_ascii_digit, |end| {
        bytes.get(end).is_some_and(u8::is_ascii_digit)
    });
    let mut digits = 0;
    let mut i = start;
    loop {
        let len = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        digits += len;
        i += len;
        match card::next_group(bytes, i) {
            Some(group) if digits < 13 => i = group,
            _ => break,
        }
    }
    if digits < 13 {
        return (None, i);
    }
    card::find_in_run(bytes, floor, start)
}

fn card_finding(bytes: &[u8], f: CardFinding, counts: &Counts) -> Finding {
    match f {
        CardFinding::Pan { start, end } => {
            counts.add_pan();
            if let Some((code_start, code_end)) = code_after_card(bytes, end) {
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
    if let Some(after_expiry) = expiry_end(bytes, first)
        && let Some(code) = after_separators(bytes, after_expiry)
        && let Some(code_end) = code_end(bytes, code)
    {
        return Some((code, code_end));
    }
    let code_end = code_end(bytes, first)?;
    let expiry = after_separators(bytes, code_end)?;
    expiry_end(bytes, expiry).map(|_| (first, code_end))
}

/// Past one to three separators of card fields written together (`4111… | 12/28`).
fn after_separators(bytes: &[u8], from: usize) -> Option<usize> {
    let n = bytes
        .get(from..)?
        .iter()
        .take(3)
        .take_while(|&&b| matches!(b, b' ' | b'/' | b'|' | b',' | b';' | b':' | b'-'))
        .count();
    (n > 0).then_some(from + n)
}

/// The end of an expiry date at `at`: `MM/YY`, `MM/YYYY`, `MM-YY`, `MM|YY`, `MM YY`,
/// `MMYY`, no digit after it.
fn expiry_end(bytes: &[u8], at: usize) -> Option<usize> {
    let digits_at = |i: usize, n: usize| {
        bytes
            .get(i..i + n)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    if !digits_at(at, 2) || !(1..=12).contains(&((bytes[at] - b'0') * 10 + bytes[at + 1] - b'0')) {
        return None;
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

/// Whether `name`, between quotes that follow `before`, is a quoted name as JSON objects
/// and dict literals write them: name characters, spaces and `:` (Cognito's
/// `custom:api_key`), not starting with a space, after `{`,
/// `,`, `[`, `(`, `;`, at a line's start (pretty-printed JSON) or the start of the text. (Never the stretch between a value's closing
/// quote and a later quote — such a stretch must not become a name once a value before it
/// was replaced.) Nor is a name that holds a marker: a value inside the quotes was replaced
/// there, and what stood before (`"cvv 411+1"`, `"cvv 411%201"`: no name) must be judged
/// the same as what a second pass sees.
fn quoted_name(before: &[u8], name: &[u8]) -> bool {
    let before = trim_end(without_backslashes(before));
    !name.is_empty()
        && name[0] != b' '
        && name
            .iter()
            .all(|&b| is_name_byte(b) || matches!(b, b' ' | b'[' | b']' | b':'))
        && !(name.contains(&b'[')
            && (find(name, REMOVED.as_bytes()).is_some()
                || find(name, REDACTED.as_bytes()).is_some()))
        && before
            .last()
            .is_none_or(|b| matches!(b, b'{' | b',' | b'[' | b'(' | b';' | b'\n' | b'\r'))
}

/// A quote escaped by as many backslashes as the index says, as JSON escapes it inside a
/// string once, twice, three times (`"`, `\"`, `\\\"`, `\\\\\\\"`); `None` where a count
/// leaves the quote unescaped or is more than that.
const ESCAPED_QUOTES: [Option<&str>; 8] = [
    Some("\""),
    Some("\\\""),
    None,
    Some("\\\\\\\""),
    None,
    None,
    None,
    Some("\\\\\\\\\\\\\\\""),
];

/// `bytes` without the backslashes at its end (those escaping a quote after it).
fn without_backslashes(bytes: &[u8]) -> &[u8] {
    let n = bytes.iter().rposition(|&b| b != b'\\').map_or(0, |p| p + 1);
    &bytes[..n]
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let n = bytes
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(0, |p| p + 1);
    &bytes[..n]
}

// === names and values: `name=value`, `name: value`, `"name":"value"` ===

/// Bytes of a bare name in free text.
fn is_name_byte(b: u8) -> bool {
    byte_class::is(b, byte_class::NAME)
}

/// Where a bare name ending at `before`'s end starts: name bytes, and bracketed parts as
/// form fields nest them (`card[cvc]`, `payment_method[card][number]`, URL-encoded
/// `card%5Bcvc%5D`), never before `floor`.
#[inline(always)]
fn bare_name_start(before: &[u8], floor: usize) -> usize {
    let floor = floor.min(before.len());
    let start = if matches!(before, [.., b']'] | [.., b'5', b'D' | b'd']) {
        bracketed_name_start(before, floor)
    } else {
        name_run_start(before, floor, before.len())
    };
    let start = after_escape_digits(before, start, floor);
    // Nor with the letter of an escaped line break or tab (`\npin=1234`).
    if start < before.len() && card::ends_escaped_blank(before, floor, start + 1) {
        start + 1
    } else {
        start
    }
}

/// `start`, or past the hex digits there when a `%` is right before it: a name never starts
/// inside a percent escape (`%3Fpassword%3D…`, an encoded URL's query: the name is
/// `password`, not `3Fpassword`), nor inside one encoded twice (`%253F`). A `%` before
/// `floor` belongs to what was replaced: a second pass sees a marker there, not an escape.
#[inline(always)]
fn after_escape_digits(bytes: &[u8], start: usize, floor: usize) -> usize {
    if start <= floor || bytes[start - 1] != b'%' {
        start
    } else {
        past_escape_digits(bytes, start)
    }
}

/// [`after_escape_digits`] after a `%`.
#[cold]
fn past_escape_digits(bytes: &[u8], start: usize) -> usize {
    after_escape(bytes, start, u8::is_ascii_hexdigit, |_| true)
}

/// Past the two digits of a percent escape whose `%` is right before `start` (`%20` of
/// `%204111…`), or the four of one encoded twice (`%2520`) — digits as `digit` has them, and
/// only where `goes_on` holds after them; otherwise `start`.
fn after_escape(
    bytes: &[u8],
    start: usize,
    digit: fn(&u8) -> bool,
    goes_on: impl Fn(usize) -> bool,
) -> usize {
    if start == 0 || bytes[start - 1] != b'%' {
        return start;
    }
    let escape = |n: usize| {
        (n == 2 || bytes[start..].starts_with(b"25"))
            && bytes
                .get(start + n - 2..start + n)
                .is_some_and(|d| d.iter().all(digit))
            && goes_on(start + n)
    };
    [4, 2]
        .into_iter()
        .find(|&n| escape(n))
        .map_or(start, |n| start + n)
}

/// Where the name bytes ending at `end` start, not before `floor`. The mask character counts
/// as part of a name here: masking a card inside a name must not move where the name starts
/// (a second pass would judge another). Nor does a bare name reach back into text replaced
/// by a marker: a second pass sees the marker's closing `]` there, where the name starts.
/// (A masked card is name bytes either way, so the name runs on through it.)
#[inline(always)]
fn name_run_start(before: &[u8], floor: usize, end: usize) -> usize {
    before[..end]
        .iter()
        .rposition(|&b| !byte_class::is(b, byte_class::NAME_OR_MASK))
        .map_or(0, |p| p + 1)
        .max(floor)
}

/// Whether `text` starts with what redaction writes in place of a value.
pub(super) fn is_marker_at(text: &[u8]) -> bool {
    text.starts_with(REMOVED.as_bytes()) || text.starts_with(REDACTED.as_bytes())
}

/// Whether `text` ends with what redaction writes in place of a value.
pub(super) fn ends_with_marker(text: &[u8]) -> bool {
    text.ends_with(REMOVED.as_bytes()) || text.ends_with(REDACTED.as_bytes())
}

/// Whether `text` is what redaction writes in place of a value.
fn is_marker(text: &[u8]) -> bool {
    text == REMOVED.as_bytes() || text == REDACTED.as_bytes()
}

/// The longest name of a wrapper read.
const MAX_WRAPPER_NAME: usize = 64;

/// The longest text in a wrapper read: a longer one is no secret a wrapper holds.
const MAX_WRAPPED: usize = 4096;

/// A value in a wrapper named for a secret or sensitive data, as `Debug` writes a newtype
/// with no redacting `Debug` of its own — `Password("hunter2")`, `ApiKey(Some("k…"))`,
/// `PinBlock("…")`, and JSON-escaped (`Password(\"…\")`) — its quoted text, quotes and all,
/// `[REDACTED]` / `[REMOVED]`. `at`: the opening quote, right after the `(`. The name is a
/// type's (a capital letter first): a call in prose (`password("x")`) stays.
#[cold]
fn wrapped_value(redactor: &Redactor, bytes: &[u8], at: usize, floor: usize) -> Option<Finding> {
    let open = at.checked_sub(1).filter(|&k| bytes[k] == b'(')?;
    let quote_len = opening_quote_len(&bytes[at..]);
    if quote_len == 0 || bytes[at] == b'\'' {
        return None;
    }
    // `ApiKey(Some("…"))`: the wrapper's name is before the `Some(`.
    let name_end = match bytes[..open].strip_suffix(b"Some") {
        Some(before) => before.len().checked_sub(1).filter(|&k| bytes[k] == b'(')?,
        None => open,
    };
    // A name in what this pass replaced is no name.
    if floor > name_end {
        return None;
    }
    let reach = name_end.saturating_sub(MAX_WRAPPER_NAME).max(floor);
    let start = name_end
        - bytes[reach..name_end]
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
    if start == reach && reach > 0 && is_word_byte(bytes[reach - 1]) {
        return None;
    }
    let name = &bytes[start..name_end];
    if !name.first().is_some_and(u8::is_ascii_uppercase) {
        return None;
    }
    let fixed = marker_for(redactor, name)?;
    let end = closing_quote_end(bytes, at + quote_len, quote_len - 1)?;
    if bytes.get(end) != Some(&b')') {
        return None;
    }
    Some(if fixed == REMOVED {
        removed(at, end, redactor.counts())
    } else {
        secret(at, end, redactor.counts())
    })
}

/// Where the quoted text from `from` ends, after its closing quote — a `"` after exactly
/// `backslashes` backslashes (none as `Debug` writes text, one escaped in JSON): a quote
/// inside has more before it (`\"`, `\\\"`); one with fewer ends the text around it, and
/// nothing is found. Read no further than [`MAX_WRAPPED`] bytes.
fn closing_quote_end(bytes: &[u8], from: usize, backslashes: usize) -> Option<usize> {
    let limit = bytes.len().min(from + MAX_WRAPPED);
    let mut k = from;
    while k < limit {
        let run = bytes[k..limit].iter().take_while(|&&b| b == b'\\').count();
        match bytes.get(k + run) {
            Some(b'"') if run == backslashes => return Some(k + run + 1),
            Some(b'"') if run < backslashes => return None,
            _ => k += run + 1,
        }
    }
    None
}

/// The longest first item of a tuple judged as a name.
const MAX_TUPLE_NAME: usize = 64;

/// A two-item tuple as Rust's `Debug` writes it — `("x-api-key", "k123")`, a
/// `Vec<(String, String)>` of headers, `std::env::vars()` collected (`("AWS_SESSION_TOKEN",
/// "…")`) — whose first item names the second: the second's text replaced. `at`: the quote
/// closing the first item, a comma right after it. JSON-escaped text (`(\"pin\", \"1\")`)
/// too; the second item may be bare (`("pin", 1234)`) or wrapped (`Some("…")`), and the tuple
/// must close right after it.
#[cold]
fn tuple_value(redactor: &Redactor, bytes: &[u8], at: usize, floor: usize) -> Option<Finding> {
    // A quote as a block's last byte anchors whatever follows it.
    if bytes.get(at + 1) != Some(&b',') {
        return None;
    }
    let escaped = at > 0 && bytes[at - 1] == b'\\';
    let name_end = at - usize::from(escaped);
    let reach = name_end
        .saturating_sub(MAX_TUPLE_NAME + 1)
        .max(floor)
        .min(name_end);
    let open = reach + bytes[reach..name_end].iter().rposition(|&b| b == b'"')?;
    let name = &bytes[open + 1..name_end];
    // A name, or a path of names (an SSM parameter's `/prod/db/password`, `custom:pin`).
    if name.is_empty()
        || !name
            .iter()
            .all(|&b| is_name_byte(b) || b == b'/' || b == b':')
    {
        return None;
    }
    let before = match bytes[..open].strip_suffix(b"\\") {
        Some(before) if escaped => before,
        None if !escaped => &bytes[..open],
        _ => return None,
    };
    if !matches!(trim_end(before).last(), Some(b'(' | b'[')) {
        return None;
    }
    let fixed = marker_for(redactor, name)?;
    let (start, end) = tuple_second_item(bytes, at + 2, escaped)?;
    // Not one holding a marker a pass before wrote: its quotes may close differently now.
    value_finding(redactor, bytes, start..end, fixed, None)
}

/// Where the text of a tuple's second item starts and ends, the item starting after blanks
/// from `from`: quoted (as the first was: `escaped` for `\"`), perhaps in `Some(…)`, or bare;
/// `None` unless the tuple closes right after it, or when it is empty.
fn tuple_second_item(bytes: &[u8], from: usize, escaped: bool) -> Option<(usize, usize)> {
    let mut i = from;
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    let wrapped = bytes[i.min(bytes.len())..].starts_with(b"Some(");
    if wrapped {
        i += 5;
    }
    let quote: &[u8] = if escaped { b"\\\"" } else { b"\"" };
    let (start, end, after) = if bytes[i.min(bytes.len())..].starts_with(quote) {
        let start = i + quote.len();
        // The closing quote: not one escaped inside the text (`\"`, as `Debug` writes it).
        let mut len = 0;
        loop {
            len += find(&bytes[start + len..], quote)?;
            if escaped || len == 0 || bytes[start + len - 1] != b'\\' {
                break;
            }
            len += 1;
        }
        (start, start + len, start + len + quote.len())
    } else {
        let rest = &bytes[i.min(bytes.len())..];
        // A bare marker (`[REMOVED]`, a pass's own) holds the bracket that would end it.
        if rest.starts_with(REMOVED.as_bytes()) || rest.starts_with(REDACTED.as_bytes()) {
            return None;
        }
        // A bare item is a word: a number, `None`, an identifier.
        let len = rest
            .iter()
            .position(|&b| !is_name_byte(b))
            .unwrap_or(rest.len());
        (i, i + len, i + len)
    };
    let mut j = after + usize::from(wrapped && bytes.get(after) == Some(&b')'));
    while matches!(bytes.get(j), Some(b' ' | b'\t')) {
        j += 1;
    }
    (start < end && matches!(bytes.get(j), Some(b')' | b']'))).then_some((start, end))
}

/// [`bare_name_start`] of a name that may end in bracketed parts.
fn bracketed_name_start(before: &[u8], floor: usize) -> usize {
    let mut end = before.len();
    loop {
        let head = &before[..end];
        let open = if head.ends_with(b"]") {
            // A marker is never a part: a second pass sees one where the first had a floor.
            let inner = name_run_start(before, floor, end - 1);
            (inner > floor
                && inner < end - 1
                && before[inner - 1] == b'['
                && !is_marker(&before[inner - 1..end]))
            .then(|| inner - 1)
        } else if let Some(width) = encoded_close_width(head) {
            // The part's name bytes run on through the `5B` (`255B`) of its encoded `[`.
            let open_hex = width - 1;
            let inner = name_run_start(before, floor, end - width);
            (inner > floor
                && inner + open_hex < end - width
                && before[inner - 1] == b'%'
                && before[inner..inner + open_hex].eq_ignore_ascii_case(&b"255B"[4 - open_hex..]))
            .then(|| inner - 1)
        } else {
            None
        };
        match open {
            Some(open) => end = open,
            None => break,
        }
    }
    name_run_start(before, floor, end)
}

/// The length of the encoded `]` that ends `name`: `%5D` (3), or `%255D` encoded twice (5).
fn encoded_close_width(name: &[u8]) -> Option<usize> {
    let ends = |suffix: &[u8]| {
        name.len() >= suffix.len() && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    if ends(b"%5D") {
        Some(3)
    } else if ends(b"%255D") {
        Some(5)
    } else {
        None
    }
}

/// What the value of a name found in text becomes: [`REMOVED`] for sensitive authentication
/// data, [`REDACTED`] for a secret; `None` when the name has neither rule, or is no name (no
/// letter, longer than 64 bytes). A URL-encoded name is judged decoded (`card%5Bcvc%5D` as
/// `card[cvc]`), and a form field's name by its tokens, then by its last part alone.
#[inline(always)]
fn marker_for(redactor: &Redactor, name: &[u8]) -> Option<&'static str> {
    if name.is_empty() || name.len() > 64 || !name.iter().any(u8::is_ascii_alphabetic) {
        return None;
    }
    let rule = match redactor.text_name_rule(name) {
        KeyRule::Scan if matches!(name.last(), Some(b']' | b'D' | b'd')) => {
            form_field_rule(redactor, name)
        }
        rule => rule,
    };
    match rule {
        KeyRule::Remove => Some(REMOVED),
        KeyRule::Secret => Some(REDACTED),
        KeyRule::Scan | KeyRule::Safe => None,
    }
}

/// The marker for the value member whose key `name` (a slice of `bytes`) is a pair's value
/// key (`value`, `ParameterValue`): from the name member before it ([`pairs`]), not before
/// what this pass replaced (`floor`) nor before a marker an earlier pass wrote.
#[cold]
fn pair_marker(
    redactor: &Redactor,
    bytes: &[u8],
    name: &[u8],
    floor: usize,
) -> Option<&'static str> {
    if pairs::role(name) != PairRole::Value {
        return None;
    }
    let start = name.as_ptr() as usize - bytes.as_ptr() as usize;
    match pairs::verdict_in_text(redactor, bytes, start, floor, true) {
        KeyRule::Remove => Some(REMOVED),
        KeyRule::Secret => Some(REDACTED),
        KeyRule::Scan | KeyRule::Safe => None,
    }
}

/// The rule of a form field's name (`card[cid]`, `card%5Bcid%5D`) whose tokens gave none:
/// URL-encoded, the name decoded first; then its last part alone, as a nested object's key
/// is judged — rules for whole keys only (Amex's `cid`) apply to it.
#[cold]
fn form_field_rule(redactor: &Redactor, name: &[u8]) -> KeyRule {
    let mut decoded = [0u8; 64];
    let mut name = name;
    if encoded_close_width(name).is_some() {
        let mut len = 0;
        let mut i = 0;
        while i < name.len() && len < decoded.len() {
            let (byte, width) = percent_decoded(name, i).unwrap_or((name[i], 1));
            decoded[len] = byte;
            len += 1;
            i += width;
        }
        name = &decoded[..len];
        let rule = redactor.text_name_rule(name);
        if rule != KeyRule::Scan {
            return rule;
        }
    }
    match name
        .strip_suffix(b"]")
        .and_then(|part| Some(&part[part.iter().rposition(|&b| b == b'[')? + 1..]))
    {
        Some(last) => redactor.text_name_rule(last),
        None => KeyRule::Scan,
    }
}

/// Counts a value replaced by `marker`.
fn count(redactor: &Redactor, marker: &str) {
    if marker == REMOVED {
        redactor.counts().add_sad();
    } else {
        redactor.counts().add_secret_text();
    }
}

/// The byte a percent escape at `bytes[at]` stands for, and the escape's length: `%3D` is
/// `=` in 3 bytes; encoded twice — a URL inside another URL's query — `%253D` is `=` in 5.
fn percent_decoded(bytes: &[u8], at: usize) -> Option<(u8, usize)> {
    let pair = |at: usize| {
        let hex = |b: u8| char::from(b).to_digit(16);
        match bytes.get(at..at + 2)? {
            &[high, low] => Some((hex(high)? * 16 + hex(low)?) as u8),
            _ => None,
        }
    };
    if bytes.get(at) != Some(&b'%') {
        return None;
    }
    match pair(at + 1)? {
        b'%' => Some(pair(at + 3).map_or((b'%', 3), |twice| (twice, 5))),
        once => Some((once, 3)),
    }
}

/// At a `%`: a URL-encoded `=` or `:` (`%3D`, `%3A`) after a sensitive name — a form body
/// or a query string logged encoded (`password%3Dhunter2`, `card%5Bcvc%5D%3D737`,
/// `%22cvv%22%3A%22737%22`), or encoded twice (`cvv%253D737`: a URL carried in another's
/// query). The value runs to its encoded closing quote, or to the first byte that ends a
/// value, as it is or encoded as the separator is (`%26`, `%20`; `%2526`).
fn encoded_separator(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    floor: usize,
) -> Option<Finding> {
    let (separator, width) = percent_decoded(bytes, at)?;
    if !matches!(separator, b'=' | b':') {
        return None;
    }
    // Quotes, spaces and delimiters are encoded as the separator is: once or twice.
    let quote: &[u8] = if width == 3 { b"%22" } else { b"%2522" };
    let before = &bytes[..at];
    let name = match before.strip_suffix(quote) {
        Some(inner) => {
            // A name is 64 bytes at most: its opening quote is looked for that far back.
            let window = inner.len().saturating_sub(64 + quote.len());
            let open = window + find_last(&inner[window..], quote)? + quote.len();
            let name = &inner[open..];
            if open < floor || !name.iter().all(|&b| is_name_byte(b)) {
                return None;
            }
            name
        }
        None => &before[bare_name_start(before, floor)..],
    };
    let fixed = marker_for(redactor, name)?;
    let mut start = at + width;
    while percent_decoded(bytes, start) == Some((b' ', width)) {
        start += width;
    }
    let (start, end) = if bytes[start..].starts_with(quote) {
        // Closed on its line; an encoded quote that does not close there (text cut short):
        // to the line's end.
        let open = start + quote.len();
        (open, quoted_value_end(bytes, open, quote))
    } else if matches!(bytes.get(start), Some(b'{' | b'[')) {
        // A bracket left unencoded after an encoded separator: not a value this text
        // encodes (a marker, `[REMOVED]`, is one); the names inside are judged.
        return None;
    } else {
        // An escape encoded more times than the separator is part of the value.
        let mut end = start;
        while end < bytes.len()
            && !ends_value(bytes[end])
            && !percent_decoded(bytes, end).is_some_and(|(b, w)| w <= width && ends_value(b))
        {
            end += 1;
        }
        if end > start && bytes[start..end].iter().all(u8::is_ascii_digit) {
            // The first group of a longer number: all of it (as after a plain separator).
            end = digit_run_end(bytes, end);
        }
        (start, end)
    };
    value_finding(redactor, bytes, start..end, fixed, None)
}

/// How far back an ARN's `arn:partition:service:region:account-id:` is looked for.
const ARN_PREFIX_MAX: usize = 256;

/// Whether the bare name starting at `start` (a `:` after it) is an ARN's resource type:
/// `arn:aws…:service:region:account-id:` right before it, no further back than `floor`.
/// `arn:aws:secretsmanager:…:secret:prod/db-AbCdEf` names a secret, it does not hold one.
/// (A masked card in the prefix is still part of it, as its digits were; text replaced by a
/// marker is not — nor, through `floor`, what a marker will stand in on a second pass.)
fn is_arn_resource_type(bytes: &[u8], start: usize, floor: usize) -> bool {
    if start == 0 || bytes[start - 1] != b':' {
        return false;
    }
    let reach = floor.max(start.saturating_sub(ARN_PREFIX_MAX)).min(start);
    let from = bytes[reach..start]
        .iter()
        .rposition(|&b| b != b':' && !byte_class::is(b, byte_class::NAME_OR_MASK))
        .map_or(reach, |p| reach + p + 1);
    let prefix = &bytes[from..start];
    let mut fields = prefix.split(|&b| b == b':');
    fields.next() == Some(&b"arn"[..])
        && fields
            .next()
            .is_some_and(|partition| partition.starts_with(b"aws"))
        && fields.next().is_some_and(|service| !service.is_empty())
        && prefix.iter().filter(|&&b| b == b':').count() == 5
}

/// Source files' extensions, as a location names its file (`src/auth.rs:12:5`).
const SOURCE_EXTENSIONS: [&[u8]; 16] = [
    b"rs", b"go", b"py", b"js", b"mjs", b"ts", b"tsx", b"jsx", b"java", b"kt", b"rb", b"c", b"cc",
    b"cpp", b"h", b"cs",
];

/// [`byte_list_value`] for a list right after the `:` at `colon`, or after it and a space —
/// or in lambda_http's `Binary(…)` there (a request's body as `Debug` writes it).
#[cold]
fn byte_list_after(
    redactor: &Redactor,
    bytes: &[u8],
    colon: usize,
    quote: Option<&'static str>,
) -> Option<Finding> {
    let mut open = colon + 1 + usize::from(bytes.get(colon + 1) == Some(&b' '));
    if bytes[open..].starts_with(BINARY) {
        open += BINARY.len() - 1;
    }
    if bytes.get(open) != Some(&b'[') {
        return None;
    }
    byte_list_value(redactor, bytes, open, quote)
}

/// lambda_http's binary body as `Debug` writes it, up to its list's `[`.
const BINARY: &[u8] = b"Binary([";

/// A list of byte values at `open` (`[123, 34, …]`, as `Debug` and JSON write a `Vec<u8>`)
/// whose text holds a finding ([`encoded`]): all of it `[REDACTED]`, quoted by `quote` (the
/// name's quote, after a quoted name in JSON).
#[cold]
fn byte_list_value(
    redactor: &Redactor,
    bytes: &[u8],
    open: usize,
    quote: Option<&'static str>,
) -> Option<Finding> {
    let end = encoded::byte_list_end(redactor, bytes, open)?;
    Some(Finding {
        start: open,
        end,
        replacement: match quote {
            Some(quote) => Replacement::Quoted(REDACTED, quote),
            None => Replacement::Fixed(REDACTED),
        },
    })
}

/// Whether `name` before a `:` and `next`, the byte after it, are a source location's file
/// and line — a panic's `src/auth.rs:12:5`, a stack frame's `token.py:40` — not a name and
/// its value.
fn is_source_location(name: &[u8], next: Option<&u8>) -> bool {
    next.is_some_and(u8::is_ascii_digit)
        && name
            .iter()
            .rposition(|&b| b == b'.')
            .is_some_and(|dot| SOURCE_EXTENSIONS.contains(&&name[dot + 1..]))
}

/// Where an unquoted value ends.
fn ends_value(b: u8) -> bool {
    byte_class::is(b, byte_class::VALUE_END)
}

/// Credential schemes whose next word is the credential itself (`Authorization: Bearer x`).
const SCHEMES: [&[u8]; 6] = [
    b"bearer",
    b"basic",
    b"token",
    b"digest",
    b"negotiate",
    b"aws4-hmac-sha256",
];

/// At a `=` or `:`: a URL's user-info, or the value of a sensitive name. Before
/// `out.name_floor` stands text a replacement wrote over; before `out.copied`, that and the
/// cards masked since.
fn separator(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    out: &Output<'_>,
    lines: &mut Lines,
) -> Option<Finding> {
    separator_ending_at(redactor, bytes, at, at, out, lines)
}

/// [`separator`] for a separator that starts at `at` and whose last byte is at `last` (the
/// `d` of an escaped `\u003d`).
#[inline(always)]
fn separator_ending_at(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    last: usize,
    out: &Output<'_>,
    lines: &mut Lines,
) -> Option<Finding> {
    let (floor, written) = (out.name_floor, out.copied);
    let Lines {
        unclosed_brackets: unclosed,
        commands,
    } = lines;
    if bytes[at] == b':' {
        let slashes = match bytes.get(at + 1) {
            Some(b'/') if bytes.get(at + 2) == Some(&b'/') => 2,
            // Slashes escaped, as PHP's `json_encode` writes them (`https:\/\/…`).
            Some(b'\\') if bytes[at + 1..].starts_with(ESCAPED_SLASHES) => ESCAPED_SLASHES.len(),
            // A path's `::` (Rust's `auth::token::refresh`, C++, a PostgreSQL cast
            // `password::text`, an IAM ARN's empty region) separates no value from its name.
            Some(b':') => return None,
            _ => 0,
        };
        if slashes > 0 {
            return url_secret(bytes, at, 1 + slashes, redactor.counts());
        }
    }
    // The name: bare, or quoted (`"cvv":`, `'cvv':`), spaces allowed before the separator.
    let before = trim_end(&bytes[..at]);
    let (name, quoted_name, quote) = match before.last() {
        Some(&q @ (b'"' | b'\'')) => {
            // A quoted name is a name too (letters, digits, `_-.` and spaces): never a
            // stretch of text back to some earlier quote.
            let inner = &before[..before.len() - 1];
            let open = inner.iter().rposition(|&b| b == q)?;
            // In JSON-escaped text the quotes are `\"` (`\\\"` escaped twice, JSON inside a
            // JSON string inside a JSON line): the backslashes are not part of it.
            let name = without_backslashes(&inner[open + 1..]);
            if !quoted_name(&inner[..open], name) {
                return None;
            }
            let escapes = inner.len() - open - 1 - name.len();
            let quote = ESCAPED_QUOTES.get(escapes).copied().flatten();
            (name, q == b'"', quote.filter(|_| q == b'"'))
        }
        Some(b')') if bytes[at] == b'=' && bytes.get(at + 1) == Some(&b'(') => {
            return column_values(redactor, bytes, before, at, floor);
        }
        _ => (&before[bare_name_start(before, floor)..], false, None),
    };
    let Some(fixed) = marker_for(redactor, name) else {
        // A list of byte values under a name that says nothing (`body: [123, 34, …]`,
        // `"data":[123,34,…]`, lambda_http's `body: Binary([…])`): read as the text it holds.
        if bytes[at] == b':'
            && let Some(rest) = bytes.get(at + 1..at + 3)
            && (rest[0] == b'[' || rest == b" [" || rest == b" B")
            && let Some(found) = byte_list_after(redactor, bytes, at, quote.filter(|_| quoted_name))
        {
            return Some(found);
        }
        // Setting the 0x20 bit lowers a letter's case and makes no other byte a letter.
        let last_letter = name.last().map(|&b| b | 0x20);
        // An event's body or a record's data in base64 (`"body":"Y2FyZF9…"`, `body:
        // Some("…")`): read as the text it encodes, whatever that starts with. (`body`,
        // `data` and `payload` end in `y`, `a` or `d`.)
        if matches!(last_letter, Some(b'y' | b'a' | b'd'))
            && keys::is_payload_key(name)
            && let Some(found) = encoded_payload(redactor, bytes, last)
        {
            return Some(found);
        }
        // A pair's value key (`value`, `ParameterValue`) ends in `e`. Its name member is
        // looked for no further back than a card masked before it, as a second pass reads
        // back no further than the mask: both passes find the pair, or neither, and the
        // checks below look only where no pair was found.
        if last_letter == Some(b'e')
            && let Some(fixed) = pair_marker(redactor, bytes, name, written.max(floor))
        {
            let name = Name {
                text: name,
                quoted: quoted_name,
                quote,
                adjacent: (before.len() == at).then(|| at - name.len()),
            };
            return named_value(redactor, bytes, last, floor, name, fixed, unclosed);
        }
        let start = before.len() - name.len();
        if start == 0 || quoted_name {
            return None;
        }
        if bytes[at] == b':'
            && name == b"path"
            && let Some((start, end)) = webhooks::debug_path_secret(bytes, floor, at)
        {
            return Some(secret(start, end, redactor.counts()));
        }
        if bytes[at] == b':'
            && before.len() == at
            && may_follow_user_flag(&before[..start])
            && let Some(found) =
                user_flag_password(bytes, out, start, at, commands, redactor.counts())
        {
            return Some(found);
        }
        if before[start - 1] != b' ' || !needs_a_word_before(name) {
            return None;
        }
        let (label, fixed) = label(redactor, before, start, floor)?;
        let name = Name {
            text: label,
            quoted: false,
            quote: None,
            adjacent: (before.len() == at).then(|| at - label.len()),
        };
        return named_value(redactor, bytes, last, floor, name, fixed, unclosed);
    };
    let name = Name {
        text: name,
        quoted: quoted_name,
        quote,
        adjacent: (before.len() == at).then(|| at - name.len()),
    };
    named_value(redactor, bytes, last, floor, name, fixed, unclosed)
}

/// Whether the text before a user's name ends with a user flag and its blank or `=`
/// (`-u user:password`, `--user=user:password`, and as `Command`'s `Debug` quotes them:
/// `"-u" "user:password"`).
#[inline]
fn after_user_flag(before: &[u8]) -> bool {
    let (flag, blank) = match before {
        [flag @ .., b'"', b' ', b'"'] | [flag @ .., b' '] => (flag, true),
        [flag @ .., b'='] => (flag, false),
        _ => return false,
    };
    let ends_in = |f: &[u8]| {
        flag.ends_with(f)
            && (flag.len() == f.len() || matches!(flag[flag.len() - f.len() - 1], b' ' | b'"'))
    };
    blank && ends_in(b"-u") || ends_in(b"--user")
}

/// What the separators' look-backs learnt of a string so far, so that none reads the same
/// bytes again and again.
#[derive(Debug, Default)]
struct Lines {
    /// Sensitive bracketed values found with no closing bracket.
    unclosed_brackets: usize,
    /// Where a line names curl or wget.
    commands: Commands,
}

/// Whether the line holding a point names curl or wget before it, the line as a pass after
/// this one reads it: a line break inside a finding goes with the finding's text, and the
/// lines on its two sides are one. What a pass replaced counts, though: a replacement never
/// makes a command's name (markers start with `[`, masks are digits and `*`), so a second
/// pass finds a name only where the first did. The string is read once, however many user
/// flags it holds: points are asked in order.
#[derive(Debug, Default)]
struct Commands {
    /// How far the string has been read.
    read_to: usize,
    /// Where the last name read starts.
    last_name: Option<usize>,
    /// After the last line break read that was not yet copied when it was read.
    line_start: usize,
}

impl Commands {
    /// Whether the line holding `at` names a command before it: `copied` bytes are emitted,
    /// and the last line break among those copied as they stood ends before `kept_line`.
    fn on_line_before(&mut self, bytes: &[u8], at: usize, copied: usize, kept_line: usize) -> bool {
        if at > self.read_to {
            // A name may straddle where the last read stopped.
            let from = self.read_to.saturating_sub(4);
            if let Some(name) = bytes[from..at].windows(5).rposition(|w| {
                matches!(
                    w,
                    [b'c', b'u', b'r', b'l', b' ' | b'"'] | [b'w', b'g', b'e', b't', b' ' | b'"']
                )
            }) {
                self.last_name = Some(from + name);
            }
            // Line breaks before `copied` are known from what was copied.
            let from = self.read_to.max(copied);
            if let Some(newline) = bytes[from..at].iter().rposition(|&b| b == b'\n') {
                self.line_start = from + newline + 1;
            }
            self.read_to = at;
        }
        // A break read before `copied` was copied as it stood, or replaced: `kept_line` tells.
        let line_start = if self.line_start > copied {
            self.line_start.max(kept_line)
        } else {
            kept_line
        };
        self.last_name.is_some_and(|name| name >= line_start)
    }
}

/// How far back the start of a user's address is looked for.
const USER_REACH: usize = 64;

/// Whether a name after `before` may be the user of a command line's user flag
/// (`-u name`, `--user name`, `--user=name`, `"-u" "name`) or the domain of a user's address.
#[inline(always)]
fn may_follow_user_flag(before: &[u8]) -> bool {
    matches!(
        before,
        [.., b'-', b'u', b' ']
            | [.., b'-', b'u', b's', b'e', b'r', b' ' | b'=']
            | [.., b'"', b' ', b'"']
            | [.., b'@']
    )
}

/// A command line's user and password (`curl -u user:password`, `wget --user=user:password`),
/// the user's name (or the domain of its address) starting at `start` before the `:` at
/// `colon`: the password, when the line names curl or wget before it — other commands' `-u`
/// takes no password (`docker run -u 1000:1000`, `sudo -u postgres`).
#[cold]
fn user_flag_password(
    bytes: &[u8],
    out: &Output<'_>,
    start: usize,
    colon: usize,
    commands: &mut Commands,
    counts: &Counts,
) -> Option<Finding> {
    let floor = out.name_floor;
    // The user may be an address: the name is then its domain. (An address holds no
    // marker: a second pass reads it as the first did.)
    let user = if bytes[start - 1] == b'@' {
        let from = floor.max(start.saturating_sub(USER_REACH));
        bytes[from..start]
            .iter()
            .rposition(|&b| matches!(b, b' ' | b'=' | b'"' | b']'))
            .map_or(start, |blank| from + blank + 1)
    } else {
        start
    };
    if !after_user_flag(&bytes[floor..user])
        || !commands.on_line_before(bytes, colon, out.copied, out.line_start)
    {
        return None;
    }
    flag_password(bytes, user, colon, out.copied, counts)
}

/// The password after the `:` at `colon` of a user flag's `user:password`, to the next
/// blank or quote — or the user `user` (starting at `user_start`), when the password is
/// empty: an API key given as the user, as Stripe's and others' examples write it
/// (`curl -u sk_test_…:`). Not a user in which a card number was masked (before `written`
/// on this pass, a mask on the next): no key holds one, and either pass leaves it so.
fn flag_password(
    bytes: &[u8],
    user_start: usize,
    colon: usize,
    written: usize,
    counts: &Counts,
) -> Option<Finding> {
    let start = colon + 1;
    let end = argument_end(bytes, start);
    if end > start {
        return (!is_marker_at(&bytes[start..])).then(|| secret(start, end, counts));
    }
    let user = &bytes[user_start..colon];
    (user_start >= written && !is_marker(user) && !user.contains(&(card::MASK_CHAR as u8)))
        .then(|| secret(user_start, colon, counts))
}

/// Where a command line's unquoted argument starting at `start` ends: at a blank, a quote or
/// a backslash (a shell's, or `Debug`'s around the argument), or the text's end.
fn argument_end(bytes: &[u8], start: usize) -> usize {
    start
        + bytes[start..]
            .iter()
            .position(|&b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'\\'))
            .unwrap_or(bytes.len() - start)
}

/// The longest long flag's name judged.
const MAX_FLAG_NAME: usize = 64;

/// A command line's long flag and its value after a blank, `at` its first dash: a shell
/// line's `--password hunter2` (`--password "two words"`), `Command`'s `Debug`
/// (`"pg_dump" "--password" "hunter2"`), a list of arguments (`["app", "--api-key", "k"]`,
/// `std::env::args()` collected), single-quoted or JSON-escaped alike. For a secret or
/// sensitive-data name, the value's text is replaced. (`--password=hunter2` is a name and its
/// value: [`separator`]'s.) Passed over: a flag that takes no value — negated
/// (`--no-password`) or reading standard input (`--password-stdin`) — and a value that is
/// another flag.
#[cold]
fn flag_value(redactor: &Redactor, bytes: &[u8], at: usize, floor: usize) -> Option<Finding> {
    let name_start = at + 2;
    if bytes.get(at + 1) != Some(&b'-')
        || !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic)
    {
        return None;
    }
    // What opens the flag: a blank or the text's start, or a quote (escaped in JSON text)
    // after one of them, `[`, `(` or `,` — never text a pass before replaced (a second pass
    // sees a marker's `]` there).
    let from = floor.min(at);
    let before = &bytes[from..at];
    let (quote, lead): (&[u8], &[u8]) = match before {
        [] | [.., b' ' | b'\t' | b'\n' | b'\r'] => (b"", before),
        _ if card::ends_escaped_blank(before, 0, before.len()) => (b"", before),
        [lead @ .., b'\\', b'"'] => (b"\\\"", lead),
        [lead @ .., q @ (b'"' | b'\'')] => (std::slice::from_ref(q), lead),
        _ => return None,
    };
    let opens = match lead.last() {
        // Nothing before but the text's start (or a replacement: no).
        None => from == 0,
        Some(_) if quote.is_empty() => true,
        Some(b) => matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'(' | b','),
    };
    if !opens {
        return None;
    }
    let name_len = bytes[name_start..]
        .iter()
        .take(MAX_FLAG_NAME + 1)
        .position(|&b| !is_name_byte(b))?;
    let name = &bytes[name_start..name_start + name_len];
    let takes_no_value = name.len() > 3 && name[..3].eq_ignore_ascii_case(b"no-")
        || name.len() >= 5 && name[name.len() - 5..].eq_ignore_ascii_case(b"stdin");
    if takes_no_value {
        return None;
    }
    let fixed = marker_for(redactor, name)?;
    let mut i = name_start + name_len;
    if !quote.is_empty() {
        // The flag's closing quote, a comma perhaps (a list), the value's opening quote.
        if !bytes[i..].starts_with(quote) {
            return None;
        }
        i += quote.len();
        i += usize::from(bytes.get(i) == Some(&b','));
    }
    let blanks = bytes[i..]
        .iter()
        .take_while(|&&b| matches!(b, b' ' | b'\t'))
        .count();
    if blanks == 0 {
        return None;
    }
    let start = i + blanks;
    let rest = &bytes[start..];
    let (start, end) = if rest.starts_with(b"\\\"") {
        let from = start + 2;
        (from, escaped_string_end(bytes, from))
    } else if let Some(&q @ (b'"' | b'\'')) = rest.first() {
        let from = start + 1;
        let len = string_end_on_line(&bytes[from..], q);
        (
            from,
            len.map_or_else(|| line_end(bytes, from), |len| from + len),
        )
    } else if quote.is_empty() && !rest.starts_with(b"-") {
        (start, argument_end(bytes, start))
    } else {
        return None;
    };
    if bytes[start..].starts_with(b"-") {
        return None;
    }
    value_finding(redactor, bytes, start..end, fixed, None)
}

/// Where a string whose text starts at `from` ends in JSON-escaped text, its quotes `\"`: at
/// the escaped quote that closes it (not one that the text's own escaping made part of it,
/// as `Debug` writes `\"` inside a string: `\\\"` once escaped again), or where the JSON
/// string holding it ends, or at the line's end.
fn escaped_string_end(bytes: &[u8], from: usize) -> usize {
    // Read as decoded: `\x` is the character `x`; an unescaped `"` ends the JSON string.
    let mut i = from;
    let mut inner_escape = false;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\n' | b'\r' => return i,
            b'\\' => {
                match bytes.get(i + 1) {
                    Some(b'"') if !inner_escape => return i,
                    Some(b'\\') => inner_escape = !inner_escape,
                    _ => inner_escape = false,
                }
                i += 2;
            }
            _ => {
                inner_escape = false;
                i += 1;
            }
        }
    }
    bytes.len()
}

/// A name found before a separator.
struct Name<'b> {
    text: &'b [u8],
    /// In quotes (`"cvv":`).
    quoted: bool,
    /// Its quote as written (`"`, or escaped: `\"`, `\\\"`), to write a bare value's
    /// replacement between; `None` for a bare name, or a quote escaped more than this knows.
    quote: Option<&'static str>,
    /// Where it starts when it stands right before the separator, no blank between.
    adjacent: Option<usize>,
}

/// The value after the separator at `at` of a sensitive `name`, to be replaced by `fixed`.
fn named_value(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    floor: usize,
    name: Name<'_>,
    fixed: &'static str,
    unclosed: &mut usize,
) -> Option<Finding> {
    let Name {
        text: name,
        quoted: quoted_name,
        quote,
        adjacent,
    } = name;
    if !quoted_name
        && let Some(name_start) = adjacent
        && is_arn_resource_type(bytes, name_start, floor)
    {
        return None;
    }
    if bytes[at] == b':' && is_source_location(name, bytes.get(at + 1)) {
        return None;
    }
    // The value: quoted, or up to the next delimiter. `=>` separates too (Ruby, PHP, Perl),
    // and `:=` (Go, Make).
    let two = match (bytes[at], bytes.get(at + 1)) {
        // Not where the `>` ends an element's start tag (`<cvv a=>737</cvv>`): the element's
        // value is the element's finding.
        (b'=', Some(b'>')) => !in_start_tag(bytes, at, floor),
        (b':', Some(b'=')) => true,
        _ => false,
    };
    let mut start = at + 1 + usize::from(two);
    while matches!(bytes.get(start), Some(b' ' | b'\t')) {
        start += 1;
    }
    if bytes[at] == b':'
        && !quoted_name
        && let Some(name_start) = adjacent
        && let Some((start, end)) = yaml_block(bytes, floor, name_start, start)
    {
        return value_finding(
            redactor,
            bytes,
            start..before_private_key(bytes, start, end),
            fixed,
            None,
        );
    }
    let (start, end, bare) = match bytes.get(start) {
        // The quote that opened a string right before a bare name, after its `:` (blanks
        // between), closes that string (`"custom:"`, `"API Key: "`): the colon is inside a
        // quoted name, not after one.
        Some(&q @ (b'"' | b'\''))
            if !quoted_name && adjacent.is_some_and(|s| s > 0 && bytes[s - 1] == q) =>
        {
            return None;
        }
        // A quoted value, closed on its line; one whose quote does not close there (a line
        // cut short) runs to the line's end.
        Some(&q @ (b'"' | b'\'')) => {
            let open = start + 1;
            // The line's end only when the quote does not close: found eagerly, a long line
            // of many values would be read to its end once per value.
            let close = string_end_on_line(&bytes[open..], q)
                .map_or_else(|| line_end(bytes, open), |c| open + c);
            (open, close, false)
        }
        Some(b'\\') if escaped_quote_len(&bytes[start..]) > 0 => {
            // A quoted value inside JSON-escaped text: `\"737\"` (`\\\"737\\\"` escaped
            // twice), closed by the same escape.
            let open = start + escaped_quote_len(&bytes[start..]);
            (
                open,
                quoted_value_end(bytes, open, &bytes[start..open]),
                false,
            )
        }
        // An object, a list or a parenthesised value: all of it, as a key rule takes a
        // nested value whole.
        Some(b'{' | b'[' | b'(') => {
            let end = bracketed_end(bytes, start, unclosed);
            let quote = quote.filter(|_| quoted_name && bytes[at] == b':');
            return whole_value(redactor, bytes, start..end, fixed, quote);
        }
        Some(_) => {
            let mut end = start
                + bytes[start..]
                    .iter()
                    .position(|&b| ends_value(b))
                    .unwrap_or(bytes.len() - start);
            let word = &bytes[start..end];
            if matches!(word, b"None" | b"null") {
                // No value (Rust's `None`, JSON's `null`): nothing to hide, and that none
                // was set is what a reader of the line looks for.
                return None;
            }
            if let Some(close) = wrapped_value_end(bytes, start, word, unclosed) {
                // Rust's `Debug` of a wrapped value or a struct (`Some("737")`,
                // `Secret(737)`, `Secret { inner: 737 }`), on one line or many: all of it.
                let quote = quote.filter(|_| quoted_name && bytes[at] == b':');
                return whole_value(redactor, bytes, start..close, fixed, quote);
            }
            if word.iter().all(u8::is_ascii_digit) {
                end = digit_run_end(bytes, end);
            }
            let mut params = false;
            if matches!(bytes.get(end), Some(b' ' | b'\t'))
                && (SCHEMES.iter().any(|s| word.eq_ignore_ascii_case(s))
                    || names_credentials(name) && is_scheme(word))
            {
                // `Bearer <token>`, and after an `Authorization` header's name any scheme
                // (Okta's `SSWS`, Discord's `Bot`, `ApiKey`): the credential is the next
                // word — or the parameters that follow (`Token token="…"`).
                let mut next = end;
                while matches!(bytes.get(next), Some(b' ' | b'\t')) {
                    next += 1;
                }
                end = next
                    + bytes[next..]
                        .iter()
                        .position(|&b| ends_value(b))
                        .unwrap_or(bytes.len() - next);
                params = are_parameters(bytes, next, end);
            }
            if params
                || name_has_cookie(name)
                || word.eq_ignore_ascii_case(b"aws4-hmac-sha256")
                || word.eq_ignore_ascii_case(b"digest")
                // A header's list of parameters (`Stripe-Signature: t=…,v1=…`,
                // `X-Hub-Signature-256: sha256=…`).
                || bytes[at] == b':' && word.contains(&b'=')
            {
                // Cookies, SigV4 and Digest credentials, parameter lists: they hold `;`, `,`,
                // spaces and quoted values.
                end = parameters_end(bytes, start);
            }
            (start, before_private_key(bytes, start, end), true)
        }
        None => return None,
    };
    let quote = quote.filter(|_| bare && quoted_name && bytes[at] == b':');
    value_finding(redactor, bytes, start..end, fixed, quote)
}

/// How far back from a `=>` an element's start tag is looked for.
const START_TAG_REACH: usize = 256;

/// Whether `bytes[at]` stands inside an element's start tag: a `<` and a name byte before it,
/// no `>` between them, no further back than `floor` or [`START_TAG_REACH`].
fn in_start_tag(bytes: &[u8], at: usize, floor: usize) -> bool {
    let from = floor.max(at.saturating_sub(START_TAG_REACH)).min(at);
    bytes[from..at]
        .iter()
        .rposition(|&b| b == b'<' || b == b'>')
        .is_some_and(|k| {
            bytes[from + k] == b'<' && bytes.get(from + k + 1).is_some_and(|&b| is_name_byte(b))
        })
}

/// A YAML value written on the lines after its name's — a block scalar (`password: |` or
/// `private_key: >-`, the lines indented under it) or a value on the next lines
/// (`api_key:` and an indented line; a mapping or a list under the name: all of it, as a key
/// rule takes a nested value whole) — for a name at `name_start` that starts its line (after
/// indentation and a list's `- `), its value (or block header) at `value`: where the
/// indented lines' text starts and ends. Lines break at `\n`, `\r`, and at their escapes as
/// JSON and `Debug` write a string (`\\n`), whose first line starts after its opening quote
/// and whose last ends at its closing one. `None` when the name is not a line's key (nor
/// when a pass before replaced text on its line, before `floor`: a second pass sees a marker
/// there), when something else follows it on its line, or when no line is indented under it.
fn yaml_block(
    bytes: &[u8],
    floor: usize,
    name_start: usize,
    value: usize,
) -> Option<(usize, usize)> {
    // Back over a list's `- ` and the indentation only: a long line is not read back to
    // its start once per name.
    let mut line_start = name_start;
    if bytes[..line_start].ends_with(b"- ") {
        line_start -= 2;
    }
    let spaces_end = line_start;
    while line_start > 0 && bytes[line_start - 1] == b' ' {
        line_start -= 1;
    }
    let indent = spaces_end - line_start;
    // Right after a break of one byte, or of an escape's two.
    let after_break =
        |k: usize| break_width(bytes, k - 1) == 1 || k >= 2 && break_width(bytes, k - 2) == 2;
    // Or right after the quote that opens an escaped string (`"msg":"password: |\n  …"`,
    // `body="api_key:\n  …"`), the quote and what stands before it this pass's own too.
    let after_opening_quote = line_start > floor
        && bytes[line_start - 1] == b'"'
        && (line_start == 1
            || line_start - 1 > floor
                && matches!(
                    bytes[line_start - 2],
                    b':' | b'=' | b'[' | b'(' | b',' | b'{' | b' ' | b'\t'
                ));
    // The line's break is text of this pass's own (at `floor` or after it).
    if !(line_start == 0 || line_start > floor && after_break(line_start) || after_opening_quote) {
        return None;
    }
    // Nothing after the name on its line, or a block scalar's header: `|` or `>`, then a
    // chomping indicator and an indentation digit, either or both (read no further).
    let header_len = bytes[value..]
        .iter()
        .take(YAML_HEADER_REACH + 1)
        .position(|&b| !matches!(b, b'|' | b'>' | b'-' | b'+' | b'0'..=b'9' | b' ' | b'\t'))
        .unwrap_or(bytes.len() - value);
    let header_end = value + header_len;
    let mut width = break_width(bytes, header_end);
    // In an escaped string (its breaks escaped), an unescaped quote ends the string.
    let in_string = bytes.get(header_end) == Some(&b'\\');
    if header_len > YAML_HEADER_REACH
        || width == 0 && header_end < bytes.len()
        || after_opening_quote && !in_string
    {
        return None;
    }
    let is_header = match trim_end(&bytes[value..header_end]) {
        [] => true,
        [b'|' | b'>', rest @ ..] => {
            rest.len() <= 2 && rest.iter().all(|&b| matches!(b, b'-' | b'+' | b'0'..=b'9'))
        }
        _ => false,
    };
    if !is_header {
        return None;
    }
    // The lines indented further than the name's; blank lines between them belong too.
    let mut text: Option<(usize, usize)> = None;
    let mut line = header_end + width;
    while width > 0 {
        let (end, next_width) = yaml_line_end(bytes, line, in_string);
        let content = trim_end(&bytes[line..end]);
        let spaces = content.iter().take_while(|&&b| b == b' ').count();
        if spaces < content.len() {
            if spaces <= indent {
                break;
            }
            let first = text.map_or(line + spaces, |(first, _)| first);
            text = Some((first, line + content.len()));
        }
        line = end + next_width;
        width = next_width;
    }
    text
}

/// How far a YAML block scalar's header (`|-`, `>+2`, blanks after it) is read.
const YAML_HEADER_REACH: usize = 8;

/// Where the line holding `bytes[from]` ends, and how wide its break is ([`break_width`]);
/// the text's end, 0 wide, when none comes — or, `in_string` (an escaped string's lines), the
/// quote that closes the string.
fn yaml_line_end(bytes: &[u8], from: usize, in_string: bool) -> (usize, usize) {
    let mut i = from;
    while i < bytes.len() {
        match break_width(bytes, i) {
            0 if bytes[i] == b'\\' => i += 2,
            0 if in_string && bytes[i] == b'"' => return (i, 0),
            0 => i += 1,
            width => return (i, width),
        }
    }
    (bytes.len(), 0)
}

/// How wide a line break at `at` is: `\n`, `\r` or `\r\n`, or their escapes as JSON and
/// `Debug` write a string (`\\n`, `\\r\\n`); 0 when none is there. (An escaped byte,
/// `\\\\` or `\\"`, breaks nothing: the caller steps over both.)
fn break_width(bytes: &[u8], at: usize) -> usize {
    match (bytes.get(at), bytes.get(at + 1)) {
        (Some(b'\r'), Some(b'\n')) => 2,
        (Some(b'\n' | b'\r'), _) => 1,
        (Some(b'\\'), Some(b'r')) if bytes[at + 2..].starts_with(b"\\n") => 4,
        (Some(b'\\'), Some(b'n' | b'r')) => 2,
        _ => 0,
    }
}

/// Whether a bare name says something only with the word before it: the second word of a
/// secret's or sensitive data's two-word name (`API Key`, `Security Code`, `Verification
/// Value`, `Track Data`, `PIN Block`), which a label in prose writes with a space.
#[inline]
fn needs_a_word_before(name: &[u8]) -> bool {
    let first = name.first().map_or(0, |b| b | 0x20);
    let word: &[u8] = match (name.len(), first) {
        (3, b'k') => b"key",
        (4, b'c') => b"code",
        (4, b'd') => b"data",
        (5, b'v') => b"value",
        (5, b'b') => b"block",
        (12, b'v') => b"verification",
        _ => return false,
    };
    name.eq_ignore_ascii_case(word)
}

/// A label of words joined by single spaces and ending in a name at `start` (`API Key:`,
/// `Secret Key =`, `AWS Secret Access Key:`), judged with one word before the name, then
/// two: the label and its marker when one of them is sensitive. Never before `floor`.
#[cold]
fn label<'b>(
    redactor: &Redactor,
    before: &'b [u8],
    start: usize,
    floor: usize,
) -> Option<(&'b [u8], &'static str)> {
    let mut start = start;
    for _ in 0..2 {
        if start < floor + 2 || before[start - 1] != b' ' {
            return None;
        }
        let word = name_run_start(before, floor, start - 1);
        if word == start - 1 {
            return None;
        }
        start = word;
        if let Some(fixed) = marker_for(redactor, &before[start..]) {
            return Some((&before[start..], fixed));
        }
    }
    None
}

/// How far back a key's column list is looked for (PostgreSQL's `Key (a, b)=`).
const COLUMNS_REACH: usize = 256;

/// At the `=` of PostgreSQL's detail of a key, `Key (api_key)=(sk_live_…) already exists.`
/// (`tokio-postgres` writes it after the error's message), or of a key over several
/// columns, `Key (email, password)=(a@b.c, hunter2)`: when one of the columns is a
/// sensitive name, all the values in the parentheses — a value may hold a comma, so which
/// part belongs to which column cannot be told. `before` is the text before the `=`, its
/// last byte the names' `)`.
#[cold]
fn column_values(
    redactor: &Redactor,
    bytes: &[u8],
    before: &[u8],
    at: usize,
    floor: usize,
) -> Option<Finding> {
    let close = before.len() - 1;
    // A key's columns are a few names: looked for close by, not back to the text's start.
    let from = close.saturating_sub(COLUMNS_REACH).max(floor).min(close);
    let open = from + before[from..close].iter().rposition(|&b| b == b'(')?;
    let mut fixed = None;
    for name in before[open + 1..close].split(|&b| b == b',') {
        let name = trim_end(&name[name.iter().take_while(|&&b| b == b' ').count()..]);
        if !name.iter().all(|&b| is_name_byte(b)) {
            return None;
        }
        match marker_for(redactor, name) {
            Some(REMOVED) => fixed = Some(REMOVED),
            Some(marker) if fixed.is_none() => fixed = Some(marker),
            _ => {}
        }
    }
    let fixed = fixed?;
    // The values end at the `)` that closes them, on their line (or at its end, or at a
    // marker a pass before wrote).
    let mut depth = 0usize;
    let mut end = at + 1;
    while end < bytes.len() && !matches!(bytes[end], b'\n' | b'\r') {
        match bytes[end] {
            b'[' if is_marker_at(&bytes[end..]) => break,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        end += 1;
    }
    value_finding(redactor, bytes, at + 2..end, fixed, None)
}

/// A bracketed value or a wrapper at `range` replaced whole by `fixed` (in quotes when
/// `quoted`), even when it holds a marker: what it spans can reach text that later findings
/// change, so a second pass must find the marker in its place, never the value again. Only
/// a marker itself is left alone.
fn whole_value(
    redactor: &Redactor,
    bytes: &[u8],
    range: std::ops::Range<usize>,
    fixed: &'static str,
    quote: Option<&'static str>,
) -> Option<Finding> {
    if is_marker(&bytes[range.clone()]) {
        return None;
    }
    Some(replaced(redactor, range, fixed, quote))
}

/// The finding that replaces `range` by `fixed` (between `quote`s when there is one: a bare
/// JSON value under a quoted name, its quotes escaped as the name's are), counted.
fn replaced(
    redactor: &Redactor,
    range: std::ops::Range<usize>,
    fixed: &'static str,
    quote: Option<&'static str>,
) -> Finding {
    count(redactor, fixed);
    Finding {
        start: range.start,
        end: range.end,
        replacement: match quote {
            Some(quote) => Replacement::Quoted(fixed, quote),
            None => Replacement::Fixed(fixed),
        },
    }
}

/// [`replaced`] for the value at `range` — unless it is empty or already holds what
/// redaction writes: redacted before (or holding that text anyway), it is left alone, so a
/// second pass changes nothing.
fn value_finding(
    redactor: &Redactor,
    bytes: &[u8],
    range: std::ops::Range<usize>,
    fixed: &'static str,
    quote: Option<&'static str>,
) -> Option<Finding> {
    let value = bytes.get(range.clone())?;
    if value.is_empty()
        || find(value, REMOVED.as_bytes()).is_some()
        || find(value, REDACTED.as_bytes()).is_some()
    {
        return None;
    }
    Some(replaced(redactor, range, fixed, quote))
}

/// How far a bracketed value is looked at for the bracket that closes it.
const BRACKET_REACH: usize = 4096;

/// Where a value that opens with the bracket at `bytes[open]` ends — an object or a list
/// under a sensitive name (`"cvv":{"S":"737"}`, as DynamoDB writes an item), a wrapper
/// (`Some("737")`), a struct as `Debug` writes it (`Secret { inner: "x" }`): after the
/// bracket that closes it, brackets of every kind counted alike and quoted strings passed
/// over, across lines as `{:#?}` and pretty-printed JSON write them, within
/// [`BRACKET_REACH`] bytes. When none closes it there, or when the string already held
/// [`MAX_UNCLOSED`] such values (`unclosed` counts them: text made of them would otherwise
/// cost time growing with the square of its length), it ends with its first line.
///
/// Its inner names are never judged one by one: a name that says nothing would keep its
/// value in clear (`"S":"737"`), and a second pass could judge again what the first left.
/// Text already redacted to a marker (`[REMOVED]`) closes at once.
fn bracketed_end(bytes: &[u8], open: usize, unclosed: &mut usize) -> usize {
    // The first line's end only where it is needed: found eagerly, a long line of many
    // bracketed values would be read to its end once per value.
    let reach = if *unclosed < MAX_UNCLOSED {
        bytes.len().min(open + BRACKET_REACH)
    } else {
        line_end(bytes, open)
    };
    let mut depth = 0usize;
    let mut i = open;
    while i < reach {
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            b'\\' => i += 1,
            q @ (b'"' | b'\'') if opens_string(&bytes[open..i]) => {
                match string_end_on_line(&bytes[i + 1..reach], q) {
                    Some(close) => i += 1 + close,
                    None => break,
                }
            }
            _ => {}
        }
        i += 1;
    }
    *unclosed += 1;
    line_end(bytes, open)
}

/// Whether a quote after `before` opens a string: the byte before it (white space passed
/// over) starts a member or an element (`{`, `[`, `:`, `,`, `=`, `(`) — elsewhere it is an
/// apostrophe (`don't`).
fn opens_string(before: &[u8]) -> bool {
    matches!(
        before
            .iter()
            .rev()
            .find(|&&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r')),
        Some(b'{' | b'[' | b':' | b',' | b'=' | b'(')
    )
}

/// The offset of the quote `q` that closes a string starting at `bytes[0]`, on its line (a
/// backslash escapes the next byte).
fn string_end_on_line(bytes: &[u8], q: u8) -> Option<usize> {
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            // A backslash escapes the byte after it — but a line's end ends the line, as
            // [`line_end`] has it (a shell's continued line).
            b'\\' if matches!(bytes.get(i + 1), Some(b'\n' | b'\r')) => return None,
            b'\\' => i += 2,
            b'\n' | b'\r' => return None,
            b if b == q => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Where a value of parameters starting at `start` ends (a cookie's `a=1; b="2"`, Digest's
/// `username="bob", response="…"`, SigV4's `Credential=…, Signature=…`): at the line's end,
/// at a quote that closes the string holding them (before its backslash in JSON-escaped
/// text, so that the escape stays whole), or at a marker a pass before wrote — a line of
/// many such names is not read to its end once per name. A parameter's own quoted value
/// (`="…"`, or `=\"…\"` in JSON-escaped text) is passed over; one that does not close on
/// the line (a line cut short) runs to its end.
fn parameters_end(bytes: &[u8], start: usize) -> usize {
    let mut k = start;
    while k < bytes.len() {
        match bytes[k] {
            b'\n' | b'\r' => return k,
            b'[' if is_marker_at(&bytes[k..]) => return k,
            b'"' => {
                let escaped = k > start && bytes[k - 1] == b'\\';
                let quote_start = k - usize::from(escaped);
                if quote_start == start || bytes[quote_start - 1] != b'=' {
                    return quote_start;
                }
                let quote: &[u8] = if escaped { b"\\\"" } else { b"\"" };
                let mut close = k + 1;
                while close < bytes.len() && !bytes[close..].starts_with(quote) {
                    if matches!(bytes[close], b'\n' | b'\r')
                        || bytes[close] == b'[' && is_marker_at(&bytes[close..])
                    {
                        break;
                    }
                    close += 1;
                }
                if !bytes[close..].starts_with(quote) {
                    // A line cut short: the value runs to its end (or to a marker) — in
                    // JSON-escaped text, to the quote closing the string (none of the line's
                    // is escaped).
                    return match bytes[k + 1..close].iter().position(|&b| b == b'"') {
                        Some(q) if escaped => k + 1 + q,
                        _ => close,
                    };
                }
                k = close + quote.len();
            }
            _ => k += 1,
        }
    }
    k
}

/// Where a quoted value opening at `open` ends: at its closing `quote` on its line, or at
/// the line's end when the quote does not close there (a line cut short). An escaped quote
/// (`\"`, `\\\"`) closes only where the backslashes before its `"` are as many as its own
/// once the escapes of the levels inside are set aside: each level doubles a backslash and
/// adds one (`\\\"` inside a value written in `\"`s is a quote of the value's own).
fn quoted_value_end(bytes: &[u8], open: usize, quote: &[u8]) -> usize {
    // The backslashes of an escaped quote (an encoded one, `%22`, is matched as it is).
    let escapes = if quote.last() == Some(&b'"') {
        quote.len() - 1
    } else {
        0
    };
    // Read no further than the closing quote: a line of many values is read once.
    let mut i = open;
    while i < bytes.len() && !matches!(bytes[i], b'\n' | b'\r') {
        if escapes == 0 {
            if bytes[i..].starts_with(quote) {
                return i;
            }
        } else if bytes[i] == b'"' {
            let run = bytes[open..i]
                .iter()
                .rev()
                .take_while(|&&b| b == b'\\')
                .count();
            if run % (2 * escapes + 2) == escapes {
                return i - escapes;
            }
        }
        i += 1;
    }
    i
}

/// How long the quote `bytes` starts with is: `"` or `'`, or an escaped `"`
/// ([`escaped_quote_len`]); 0 when it starts with none.
fn opening_quote_len(bytes: &[u8]) -> usize {
    match bytes.first() {
        Some(b'"' | b'\'') => 1,
        _ => escaped_quote_len(bytes),
    }
}

/// How long the escaped quote `bytes` starts with is — an odd number of backslashes, then
/// `"` (`\"`, or `\\\"` escaped twice) — or 0 when it starts with none.
fn escaped_quote_len(bytes: &[u8]) -> usize {
    let backslashes = bytes.iter().take_while(|&&b| b == b'\\').count();
    if backslashes % 2 == 1 && bytes.get(backslashes) == Some(&b'"') {
        backslashes + 1
    } else {
        0
    }
}

/// Where the line holding `bytes[from]` ends (its `\n` or `\r`, or the text's end).
fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| matches!(b, b'\n' | b'\r'))
        .map_or(bytes.len(), |k| from + k)
}

/// Where a value that opens as `Wrapper(` (`word`, starting at `start`) or is a struct as
/// `Debug` writes it (`Secret { inner: "x" }`, `word` its name) — or a list after a name, as
/// `serde_json::Value`'s `Debug` writes one (`Array [String("a")]`) — ends: see
/// [`bracketed_end`]. `None` when `word` opens none of them.
fn wrapped_value_end(
    bytes: &[u8],
    start: usize,
    word: &[u8],
    unclosed: &mut usize,
) -> Option<usize> {
    let is_ident =
        |w: &[u8]| !w.is_empty() && w.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_');
    if let Some(open) = word.iter().position(|&b| b == b'(') {
        return is_ident(&word[..open]).then(|| bracketed_end(bytes, start + open, unclosed));
    }
    let after = start + word.len();
    (word.first().is_some_and(u8::is_ascii_uppercase)
        && is_ident(word)
        && (bytes[after..].starts_with(b" {") || bytes[after..].starts_with(b" [")))
    .then(|| bracketed_end(bytes, after + 1, unclosed))
}

/// Sensitive XML elements without a closing tag a string may hold before the others look for
/// theirs only within [`NEAR_CLOSE`] bytes: each looks to the string's end, so text made of
/// them (`<pin><pin>…`) would cost time growing with the square of its length.
const MAX_UNCLOSED: usize = 16;
/// How far an element looks for its closing tag once [`MAX_UNCLOSED`] were not closed.
const NEAR_CLOSE: usize = 4096;

/// At a `<`: an XML element `<name …>value</name>` (`<\/name>` in JSON-escaped text) whose
/// name, without its namespace prefix, is a sensitive-data or secret name — a gateway's XML
/// body logged as text (`<cvv>737</cvv>`, `<cardCode>`, `<Password>`). The value runs to the
/// element's first closing tag, whatever it holds (other elements, a `<`): what is inside
/// can never move where it ends, so a second pass finds the same value. `unclosed` counts the
/// elements found with no closing tag ([`MAX_UNCLOSED`]).
fn element(redactor: &Redactor, bytes: &[u8], at: usize, unclosed: &mut usize) -> Option<Finding> {
    element_in(redactor, bytes, at, ANGLE, unclosed)
}

/// At a `\`: an `=` or a `<` escaped as Gson (Java) and Go's `encoding/json` write them by
/// default, HTML-safe (`\u003d`, `\u003c`) — a name and its value (`cvv\u003d737`), an XML
/// element (`\u003ccvv\u003e737\u003c/cvv\u003e`), as [`separator`] and [`element`] find
/// them written plainly.
#[cold]
fn escaped_html(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    out: &Output<'_>,
    lines: &mut Lines,
    unclosed: &mut usize,
) -> Option<Finding> {
    match bytes.get(at + 1..at + 6)? {
        b"u003d" => separator_ending_at(redactor, bytes, at, at + 5, out, lines),
        b"u003c" => element_in(redactor, bytes, at, ESCAPED_ANGLE, unclosed),
        _ => None,
    }
}

/// How an XML element's tags are bracketed.
#[derive(Debug, Clone, Copy)]
struct Brackets {
    open: &'static [u8],
    close: &'static [u8],
}

/// `<…>`.
const ANGLE: Brackets = Brackets {
    open: b"<",
    close: b">",
};

/// `<` and `>` escaped as Gson and Go's `encoding/json` write them by default, HTML-safe
/// (`\u003ccvv\u003e737\u003c/cvv\u003e`).
const ESCAPED_ANGLE: Brackets = Brackets {
    open: br"\u003c",
    close: br"\u003e",
};

/// [`element`] for tags bracketed by `brackets`, the opening one at `at`.
#[inline(always)]
fn element_in(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    brackets: Brackets,
    unclosed: &mut usize,
) -> Option<Finding> {
    let name_start = at + brackets.open.len();
    let name_len = bytes[name_start..]
        .iter()
        .take_while(|&&b| is_name_byte(b) || b == b':')
        .count();
    if name_len == 0 || name_len > 64 {
        return None;
    }
    let qualified = &bytes[name_start..name_start + name_len];
    let name = qualified.rsplit(|&b| b == b':').next()?;
    if !name.iter().any(u8::is_ascii_alphabetic) {
        return None;
    }
    let fixed = match redactor.text_name_rule(name) {
        KeyRule::Remove => REMOVED,
        KeyRule::Secret => REDACTED,
        KeyRule::Safe => return None,
        KeyRule::Scan => named_by_attribute(redactor, bytes, name_start + name_len, brackets)?,
    };
    let start = start_tag_end(bytes, name_start + name_len, brackets)? + brackets.close.len();
    let limit = if *unclosed < MAX_UNCLOSED {
        bytes.len()
    } else {
        bytes.len().min(start + NEAR_CLOSE)
    };
    let Some(end) = closing_tag(&bytes[..limit], start, qualified, brackets) else {
        *unclosed += 1;
        return None;
    };
    let value = &bytes[start..end];
    // Empty, or written by a pass before: left alone.
    if value.is_empty() || is_marker(value) {
        return None;
    }
    count(redactor, fixed);
    Some(Finding {
        start,
        end,
        replacement: Replacement::Fixed(fixed),
    })
}

/// The marker for an element that a `name` or `key` attribute names (`<field
/// name="cvv">737</field>`, Spring's and Hibernate's `<property name="…password">`, Java's
/// properties as XML `<entry key="api_key">`, Android's `<string name="api_key">`) when that
/// name is a sensitive-data or secret name; the start tag's name ends at `at`. The attribute
/// is quoted (`"`, `'`, `\"` in JSON-escaped text) or not (`name=cvv`, as HTML allows).
#[cold]
fn named_by_attribute(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    brackets: Brackets,
) -> Option<&'static str> {
    let end = start_tag_end(bytes, at, brackets)?;
    let tag = &bytes[at..end];
    let mut from = 0;
    while let Some(k) = tag[from..].iter().position(|&b| b == b'=') {
        let eq = from + k;
        from = eq + 1;
        // Blanks may stand around the `=` (`key = "cvv"`).
        let before = trim_end(&tag[..eq]);
        let attribute = &before[before
            .iter()
            .rposition(|&b| b == b' ' || b == b'\t')
            .map_or(0, |p| p + 1)..];
        if !(attribute.eq_ignore_ascii_case(b"name") || attribute.eq_ignore_ascii_case(b"key")) {
            continue;
        }
        let rest = &tag[eq + 1..];
        let rest = &rest[rest
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count()..];
        let rest = rest.strip_prefix(b"\\").unwrap_or(rest);
        let value = match rest.split_first() {
            Some((&q @ (b'"' | b'\''), quoted)) => {
                let value = &quoted[..quoted.iter().position(|&b| b == q)?];
                value.strip_suffix(b"\\").unwrap_or(value)
            }
            // Unquoted, as HTML allows (`name=cvv`).
            _ => {
                &rest[..rest
                    .iter()
                    .position(|&b| matches!(b, b' ' | b'\t' | b'/'))
                    .unwrap_or(rest.len())]
            }
        };
        if let Some(fixed) = marker_for(redactor, value) {
            return Some(fixed);
        }
    }
    None
}

/// The `>` (or the closing bracket of `brackets`) ending a start tag whose name ends at `at`:
/// right there, or after attributes on the same line (a `>` inside a quoted attribute value
/// does not end it); `None` for an empty element (`/>`) or what is not a start tag.
/// Attributes holding a `[` are refused: a replacement inside a start tag always writes one
/// (`[REDACTED]`), so a tag a first pass could not read is never read by a second either.
#[inline(always)]
fn start_tag_end(bytes: &[u8], at: usize, brackets: Brackets) -> Option<usize> {
    let closes = |i: usize| bytes[i..].starts_with(brackets.close);
    match bytes.get(at)? {
        _ if closes(at) => return Some(at),
        b' ' | b'\t' => {}
        _ => return None,
    }
    let mut i = at;
    let limit = bytes.len().min(at + 256);
    while i < limit {
        if closes(i) {
            let readable = bytes[i - 1] != b'/' && !bytes[at..i].contains(&b'[');
            return readable.then_some(i);
        }
        match bytes[i] {
            q @ (b'"' | b'\'') => i += 1 + bytes[i + 1..limit].iter().position(|&b| b == q)?,
            b'<' | b'\n' => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Where the first closing tag of `name` (`</name>`, or `<\/name>`; bracketed by `brackets`)
/// starts, from `from` on.
#[inline(always)]
fn closing_tag(bytes: &[u8], from: usize, name: &[u8], brackets: Brackets) -> Option<usize> {
    let Brackets { open, close } = brackets;
    let mut at = from;
    while let Some(k) = bytes[at..].iter().position(|&b| b == open[0]) {
        at += k;
        let rest = bytes[at..].strip_prefix(open).unwrap_or_default();
        let rest = rest
            .strip_prefix(b"/")
            .or_else(|| rest.strip_prefix(b"\\/"));
        if let Some(tag) = rest
            && tag.starts_with(name)
            && tag[name.len()..].starts_with(close)
        {
            return Some(at);
        }
        at += 1;
    }
    None
}

/// Whether `name` is an `Authorization` header's (`Proxy-Authorization`, CGI's
/// `HTTP_AUTHORIZATION`): its value is a scheme and a credential, whatever the scheme.
fn names_credentials(name: &[u8]) -> bool {
    const AUTHORIZATION: &[u8] = b"authorization";
    name.len() >= AUTHORIZATION.len()
        && name[name.len() - AUTHORIZATION.len()..].eq_ignore_ascii_case(AUTHORIZATION)
}

/// Whether `word` can be an authentication scheme's name (RFC 9110 11.1: a token; here a
/// letter, then letters, digits, `-`, `_` or `.`, at most 32 bytes).
fn is_scheme(word: &[u8]) -> bool {
    word.len() <= 32
        && word.first().is_some_and(u8::is_ascii_alphabetic)
        && word
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Whether the word `bytes[start..end]` after a scheme starts a list of parameters
/// (`token="abc"`, `username=bob, response=…`) rather than a token68 credential, whose `=`
/// can only pad its end (`dXNlcjpwYXNz==`).
fn are_parameters(bytes: &[u8], start: usize, end: usize) -> bool {
    let Some(eq) = bytes[start..end].iter().position(|&b| b == b'=') else {
        return false;
    };
    let after = start
        + eq
        + bytes[start + eq..end]
            .iter()
            .take_while(|&&b| b == b'=')
            .count();
    after < end || bytes.get(end) == Some(&b'"') || escaped_quote_len(&bytes[end..]) > 0
}

fn name_has_cookie(name: &[u8]) -> bool {
    name.windows(6).any(|w| w.eq_ignore_ascii_case(b"cookie"))
}

/// `//` escaped in JSON text, as PHP's `json_encode` writes it.
const ESCAPED_SLASHES: &[u8] = br"\/\/";

/// A URL's secret, the `:` of its `://` at `colon` (`separator_len` bytes long with the
/// slashes, escaped or not): the password of `scheme://user:password@host`, or a webhook's
/// secret in its path ([`webhooks::path_secret`]).
fn url_secret(
    bytes: &[u8],
    colon: usize,
    separator_len: usize,
    counts: &Counts,
) -> Option<Finding> {
    let authority = webhooks::Authority::read(bytes, colon + separator_len);
    let (start, end) = authority
        .password()
        .or_else(|| webhooks::path_secret(bytes, &authority))?;
    Some(secret(start, end, counts))
}

/// Sensitive authentication data found in text at `start..end`, counted.
fn removed(start: usize, end: usize, counts: &Counts) -> Finding {
    counts.add_sad();
    Finding {
        start,
        end,
        replacement: Replacement::Fixed(REMOVED),
    }
}

/// A secret found in text at `start..end`, counted.
fn secret(start: usize, end: usize, counts: &Counts) -> Finding {
    counts.add_secret_text();
    Finding {
        start,
        end,
        replacement: Replacement::Fixed(REDACTED),
    }
}

// === literal-anchored secrets ===

/// Letters and digits, and the mask character: a byte that makes a word go on.
fn is_word_byte(b: u8) -> bool {
    byte_class::is(b, byte_class::WORD)
}

/// Whether a word starts at `at`: no letter, digit or mask character before it, bar the
/// letter of an escaped line break or tab (`\nBearer …`).
fn at_word_start(bytes: &[u8], at: usize) -> bool {
    at == 0 || !is_word_byte(bytes[at - 1]) || card::ends_escaped_blank(bytes, 0, at)
}

/// Bytes of a credential token (RFC 6750's `b64token` and base64).
fn is_token_byte(b: u8) -> bool {
    byte_class::is(b, byte_class::TOKEN)
}

/// Whether a word after a scheme looks like a credential rather than prose: it starts with
/// a letter or digit and holds a digit or a symbol, mixes cases after its first letter, or
/// is long.
fn credential_shaped(token: &[u8]) -> bool {
    let rest = token.get(1..).unwrap_or_default();
    // Base64 and hex never start with padding: `token => "x"` holds no credential.
    token.first().is_some_and(u8::is_ascii_alphanumeric)
        && (token.len() >= 20
            || token.iter().any(|&b| !b.is_ascii_alphabetic())
            || (rest.iter().any(u8::is_ascii_uppercase) && rest.iter().any(u8::is_ascii_lowercase)))
}

/// The token after `scheme` and its whitespace, at `bytes[after..]`: (start, end), ending
/// before a private key's armour.
fn token_after(bytes: &[u8], after: usize) -> Option<(usize, usize)> {
    let mut start = after;
    while matches!(bytes.get(start), Some(b' ' | b'\t')) {
        start += 1;
    }
    if start == after {
        return None;
    }
    let len = bytes[start..]
        .iter()
        .take_while(|&&b| is_token_byte(b))
        .count();
    let end = before_private_key(bytes, start, start + len);
    (end > start).then_some((start, end))
}

/// aws_lambda_events' `Base64Data` as `Debug` writes it (a Kinesis or Firehose record's
/// data), up to its list's `[`.
const BASE64_DATA: &[u8] = b"Base64Data([";

/// `Bearer <token>` / `Basic <credentials>`, or a PEM private key (anchored at the `B` of
/// its `-----BEGIN`), or the list of a `Base64Data`'s bytes (at its `B`).
fn credentials(redactor: &Redactor, bytes: &[u8], at: usize) -> Option<Finding> {
    let counts = redactor.counts();
    if bytes[at..].starts_with(b"BEGIN ") {
        return pem_private_key(bytes, at, counts);
    }
    if bytes[at..].starts_with(BASE64_DATA) {
        return byte_list_value(redactor, bytes, at + BASE64_DATA.len() - 1, None);
    }
    if !at_word_start(bytes, at) {
        return None;
    }
    let rest = &bytes[at..];
    let scheme = if rest.len() > 6 && rest[..6].eq_ignore_ascii_case(b"bearer") {
        6
    } else if rest.len() > 5 && rest[..5].eq_ignore_ascii_case(b"basic") {
        5
    } else {
        return None;
    };
    let (start, end) = token_after(bytes, at + scheme)?;
    // `Bearer`/`BEARER` is always an auth scheme; other spellings only before a credential.
    let exact = matches!(&rest[..scheme], b"Bearer" | b"BEARER");
    let word = &bytes[start..end];
    if !exact && !credential_shaped(word) || is_no_credential(word) {
        return None;
    }
    Some(secret(start, end, counts))
}

/// Words after `Bearer` that are no credential: a challenge's parameters
/// (`WWW-Authenticate: Bearer realm="api", error="invalid_token"`) and the words prose puts
/// there (`invalid Bearer token`, `Bearer authentication failed`).
fn is_no_credential(word: &[u8]) -> bool {
    const WORDS: [&[u8]; 13] = [
        b"realm=",
        b"error=",
        b"scope=",
        b"error_description=",
        b"error_uri=",
        b"token",
        b"tokens",
        b"auth",
        b"authentication",
        b"authorization",
        b"header",
        b"scheme",
        b"credentials",
    ];
    WORDS.iter().any(|w| word.eq_ignore_ascii_case(w))
}

/// The start of a PEM block's armour.
const PEM_BEGIN: &[u8] = b"-----BEGIN ";

/// At the `B` of `-----BEGIN …PRIVATE KEY-----`: the key's body, up to its `-----END` or
/// the string's end (a line cut short), is a secret. The armour stays, saying what was there.
/// The body also ends at a marker: what a pass before wrote there (its own `[REDACTED]`, or
/// a value that took the `-----END` with it) is not read again as a body running on.
fn pem_private_key(bytes: &[u8], b: usize, counts: &Counts) -> Option<Finding> {
    let begin = b.checked_sub(5)?;
    let start = private_key_armour(bytes, begin)?;
    let limit = start + find(&bytes[start..], b"-----END").unwrap_or(bytes.len() - start);
    let end = (start..limit)
        .find(|&k| bytes[k] == b'[' && is_marker_at(&bytes[k..]))
        .unwrap_or(limit);
    // Nothing, or redacted before (a second pass): left alone.
    (end > start).then(|| secret(start, end, counts))
}

/// The words of a private key's PEM label before `PRIVATE KEY`: none holds a byte another
/// detector starts from, so nothing inside the armour is ever found and changed.
const PEM_KEY_KINDS: [&[u8]; 9] = [
    b"RSA",
    b"DSA",
    b"EC",
    b"OPENSSH",
    b"ENCRYPTED",
    b"PGP",
    b"SSH2",
    b"ED25519",
    b"X25519",
];

/// `-----BEGIN <label>-----` at `begin`, where the label names a private key (`PRIVATE KEY`,
/// `RSA PRIVATE KEY`, `OPENSSH PRIVATE KEY`, PGP's `PGP PRIVATE KEY BLOCK`…): where the
/// armour ends.
fn private_key_armour(bytes: &[u8], begin: usize) -> Option<usize> {
    let rest = bytes.get(begin..)?.strip_prefix(PEM_BEGIN)?;
    let len = find(&rest[..rest.len().min(48)], b"-----")?;
    let label = &rest[..len];
    let kinds = label
        .strip_suffix(b"PRIVATE KEY BLOCK")
        .or_else(|| label.strip_suffix(b"PRIVATE KEY"))?;
    kinds
        .split(|&b| b == b' ')
        .all(|w| w.is_empty() || PEM_KEY_KINDS.contains(&w))
        .then_some(begin + PEM_BEGIN.len() + len + 5)
}

/// `end`, or where a private key's armour starts inside `bytes[start..end]`: a value or
/// token stops before it, and the key's own detector (at the `B` of its `BEGIN`) redacts
/// its body — a value that took the armour would hide the `BEGIN` and leave the body.
fn before_private_key(bytes: &[u8], start: usize, end: usize) -> usize {
    match find(&bytes[start..end], b"-----BEGIN") {
        Some(k) if private_key_armour(bytes, start + k).is_some() => start + k,
        _ => end,
    }
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Where the last `needle` in `haystack` starts.
fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// At a `k`: a Stripe secret key, an OpenAI or Anthropic key, or `Token <token>`.
fn letter_k(bytes: &[u8], k: usize, counts: &Counts) -> Option<Finding> {
    match bytes.get(k + 1) {
        Some(b'_') => stripe_key(bytes, k, counts),
        Some(b'-') => dashed_key(bytes, k, counts),
        _ => token_scheme(bytes, k, counts),
    }
}

/// Shortest body of an `sk-` key taken for one (OpenAI's hold 48 and more, Anthropic's
/// about 95).
const DASHED_KEY_BODY: usize = 32;

/// The longest word of an `sk-` key's kind (`proj`, `svcacct`, `admin`, `ant`, `api03`).
const DASHED_KEY_KIND: usize = 8;

/// An OpenAI or Anthropic secret key (`sk-…`, `sk-proj-…`, `sk-ant-api03-…`, anchored at its
/// `k`) with no name before it — in an error, a config dump, a request's `Debug`: the body
/// `[REDACTED]`, the prefix and the words of its kind kept (they say which key leaked). A
/// body is 32 or more of `A-Za-z0-9_-`, holding a capital and a digit: hyphenated words
/// (`sk-learn`, `task-runner`) are not keys.
fn dashed_key(bytes: &[u8], k: usize, counts: &Counts) -> Option<Finding> {
    let s = k.checked_sub(1)?;
    if bytes[s] != b's' || !at_word_start(bytes, s) {
        return None;
    }
    let mut start = k + 2;
    // The words of its kind: OpenAI's `proj-`, `svcacct-`, `admin-`; Anthropic's `ant-` and
    // the word after it (`api03-`, `admin01-`).
    let word_at = |from: usize| {
        let word = bytes[from..]
            .iter()
            .take(DASHED_KEY_KIND + 1)
            .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            .count();
        (word <= DASHED_KEY_KIND && bytes.get(from + word) == Some(&b'-'))
            .then(|| &bytes[from..from + word])
    };
    match word_at(start) {
        Some(kind @ (b"proj" | b"svcacct" | b"admin")) => start += kind.len() + 1,
        Some(b"ant") => {
            start += 4;
            // A word ending in its version's two digits.
            let versioned =
                |w: &&[u8]| w.len() > 2 && w[w.len() - 2..].iter().all(u8::is_ascii_digit);
            if let Some(word) = word_at(start).filter(versioned) {
                start += word.len() + 1;
            }
        }
        _ => {}
    }
    let body = &bytes[start..];
    let len = body
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        .count();
    let body = &body[..len];
    if len < DASHED_KEY_BODY
        || !body.iter().any(u8::is_ascii_uppercase)
        || !body.iter().any(u8::is_ascii_digit)
    {
        return None;
    }
    Some(secret(start, start + len, counts))
}

/// Shortest body of a Stripe key taken for one (real ones hold 24 to about 100).
const STRIPE_KEY_BODY: usize = 16;

/// A Stripe secret or restricted key (`sk_live_…`, `rk_test_…`, anchored at its `k`), with no
/// name before it — in a config dump, an error, a URL's user (`https://sk_live_…:@api…`): the
/// body `[REDACTED]`, the prefix kept (it says which key leaked). Publishable keys (`pk_`)
/// are not secrets.
fn stripe_key(bytes: &[u8], k: usize, counts: &Counts) -> Option<Finding> {
    let at = k.checked_sub(1)?;
    let prefix = bytes.get(at..at + 8)?;
    if !matches!(prefix[0], b's' | b'r')
        || !(prefix[2..].eq(b"_live_") || prefix[2..].eq(b"_test_"))
        || !at_word_start(bytes, at)
    {
        return None;
    }
    let start = at + 8;
    let len = bytes[start..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if len < STRIPE_KEY_BODY {
        return None;
    }
    Some(secret(start, start + len, counts))
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

/// At the `v` of `cvv`, `cvc`, `cvn`, `cvd` (and with a `2`: `CVV2`) or `cv2`, as a whole word (or,
/// before a wrapper's `(`, as a camel-case name's last word: `InvalidCvc(…)`): the
/// card security code after it and a space or two (and `is`/`was`), as a message or a note
/// has it (`cvv 737`, `CVC "1234"`, `CVV2 was 123`, `cvc \"737\"` in escaped text), 3 or 4
/// digits as a whole word; or in a wrapper named for it ([`wrapped_code`]). With `=` or `:`
/// the name is a separator's.
fn security_code_in_prose(bytes: &[u8], v: usize, counts: &Counts) -> Option<Finding> {
    let at = v.checked_sub(1)?;
    let name = bytes.get(at..at + 3)?;
    if !name[..2].eq_ignore_ascii_case(b"cv")
        || !matches!(name[2] | 0x20, b'v' | b'c' | b'n' | b'd' | b'2')
    {
        return None;
    }
    // The last word of a name in camel case (an error's variant, `InvalidCvc("737")`).
    let camel_word = name[0] == b'C' && at > 0 && bytes[at - 1].is_ascii_lowercase();
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
    let spaces = bytes[i..]
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    if spaces == 0 || spaces > 2 {
        return None;
    }
    i += spaces;
    // `CVV is 123`, `cvc was 737`.
    for verb in [&b"is "[..], b"was "] {
        if bytes
            .get(i..i + verb.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(verb))
        {
            i += verb.len();
        }
    }
    // Quoted plainly, or as a string's `Debug` or JSON escapes a quote (`cvc \"737\"`).
    let quote_len = opening_quote_len(&bytes[i..]);
    let quote = (quote_len > 0).then(|| &bytes[i..i + quote_len]);
    let start = i + quote_len;
    let digits = bytes[start..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let end = start + digits;
    let whole = match quote {
        Some(q) => bytes[end..].starts_with(q),
        // Not the start of a longer number or word (`cvv 123.4`, `cvv 1234abc`).
        None => match bytes.get(end) {
            Some(b) if b.is_ascii_alphanumeric() || *b == b'*' => false,
            Some(b'.' | b',') => !bytes.get(end + 1).is_some_and(u8::is_ascii_digit),
            _ => true,
        },
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

/// Where a run of digit groups that ends at `end` ends once the groups joined to it by a
/// single separator (space, dash, plus) are taken in (`4111 1111 1111 1111` from its first group): a value
/// that is a number's first group takes all of it, so none of a card's digits after it is
/// left in clear. A group glued to a letter after it (`1111abc`) is a word of its own.
fn digit_run_end(bytes: &[u8], mut end: usize) -> usize {
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

/// `Token <token>` (anchored at its `k`).
fn token_scheme(bytes: &[u8], k: usize, counts: &Counts) -> Option<Finding> {
    let at = k.checked_sub(2)?;
    if !bytes.get(at..at + 5)?.eq_ignore_ascii_case(b"token") || !at_word_start(bytes, at) {
        return None;
    }
    let (start, end) = token_after(bytes, at + 5)?;
    if are_parameters(bytes, start, end) {
        // Rails' `Token token="…", nonce="…"`: all of its parameters.
        return Some(secret(start, parameters_end(bytes, start), counts));
    }
    if !credential_shaped(&bytes[start..end]) {
        return None;
    }
    Some(secret(start, end, counts))
}

/// `AKIA`/`ASIA` + 16 uppercase letters or digits, as a whole word.
fn aws_key_id(bytes: &[u8], at: usize, counts: &Counts) -> Option<Finding> {
    let id = bytes.get(at..at + 20)?;
    let ok = (id.starts_with(b"AKIA") || id.starts_with(b"ASIA"))
        && id[4..]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && at_word_start(bytes, at)
        && bytes.get(at + 20).is_none_or(|&b| !is_word_byte(b));
    if !ok {
        return None;
    }
    Some(secret(at, at + 20, counts))
}

/// A JWT (anchored at the `J` of `eyJ`): three base64url segments joined by dots, the
/// signature possibly empty (`alg: none`). Or, when the run is no JWT, JSON encoded in
/// base64 (`eyJ` is `{"`'s encoding: [`encoded`]).
fn jwt(redactor: &Redactor, bytes: &[u8], j: usize) -> Option<Finding> {
    let start = j.checked_sub(2)?;
    let is_b64 = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    if &bytes[start..j] != b"ey"
        || (start > 0
            && (is_b64(bytes[start - 1]) || bytes[start - 1] == b'*')
            && !card::ends_escaped_blank(bytes, 0, start))
    {
        return None;
    }
    let mut i = start;
    for segment in 0..3 {
        let len = bytes[i..].iter().take_while(|&&b| is_b64(b)).count();
        if segment < 2 && len < 2 {
            return encoded_json(redactor, bytes, start);
        }
        i += len;
        if segment < 2 {
            if bytes.get(i) != Some(&b'.') {
                return encoded_json(redactor, bytes, start);
            }
            i += 1;
        }
    }
    Some(secret(start, i, redactor.counts()))
}

/// JSON encoded in base64 from `start` that holds what the detectors find: all of it
/// `[REDACTED]` (what it held is counted as found inside).
fn encoded_json(redactor: &Redactor, bytes: &[u8], start: usize) -> Option<Finding> {
    let end = encoded::encoded_text_end(redactor, bytes, start)?;
    Some(Finding {
        start,
        end,
        replacement: Replacement::Fixed(REDACTED),
    })
}

/// The value after the separator at `sep` under a payload's name ([`keys::is_payload_key`]),
/// quoted or not, in `Some(…)` as `Debug` writes an `Option`: when it is a run of base64
/// whose text holds a finding ([`Redactor::encoded_payload_end`]), all of the run `[REDACTED]`.
/// (JSON, `eyJ…`, is left to the JWT anchor, which reads it wherever it stands.)
#[cold]
fn encoded_payload(redactor: &Redactor, bytes: &[u8], sep: usize) -> Option<Finding> {
    let mut start = sep + 1;
    start += usize::from(bytes.get(start) == Some(&b' '));
    if bytes[start..].starts_with(b"Some(") {
        start += b"Some(".len();
    }
    start += opening_quote_len(&bytes[start..]);
    let len = redactor.encoded_payload_end(&bytes[start..])?;
    Some(Finding {
        start,
        end: start + len,
        replacement: Replacement::Fixed(REDACTED),
    })
}

/// Writes `s` redacted into a `String` (for callers that need text, not a JSON line);
/// returns whether anything changed (when not, `out` is untouched).
pub(crate) fn redact_into(redactor: &Redactor, s: &str, out: &mut String) -> bool {
    let mut pan = Vec::new();
    scan(redactor, s, |piece, _| match piece {
        Piece::Raw(r) => out.push_str(r),
        Piece::Fixed(f) => out.push_str(f),
        Piece::Pan(p) => {
            pan.clear();
            card::mask_in_place(p, &mut pan);
            // Digits, spaces, dashes and the mask character: ASCII.
            out.push_str(std::str::from_utf8(&pan).unwrap_or_default());
        }
    })
    .found
}

/// Whether `hay` contains `needle` (ASCII case-insensitive), at compile time.
const fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        let mut k = 0;
        while k < needle.len() && hay[i + k].to_ascii_lowercase() == needle[k] {
            k += 1;
        }
        if k == needle.len() {
            return true;
        }
        i += 1;
    }
    false
}

/// Whether a string known at compile time can be copied into a JSON line as it is: printable
/// ASCII without `"` or `\\`, and nothing a detector could find — fewer than 13 digits, no
/// `=` or `:`, no credential scheme, AWS key prefix or JWT header. The logging macros use
/// it on literal keys, so such a key's `,"key":` is a constant.
pub(crate) const fn literal_is_inert(s: &str) -> bool {
    let b = s.as_bytes();
    let mut digits = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c < 0x20 || c > 0x7e || c == b'"' || c == b'\\' || c == b'=' || c == b':' {
            return false;
        }
        if c.is_ascii_digit() {
            digits += 1;
        }
        i += 1;
    }
    digits < 13
        && !contains_ignore_case(b, b"bearer")
        && !contains_ignore_case(b, b"basic")
        && !contains_ignore_case(b, b"token")
        && !contains_ignore_case(b, b"akia")
        && !contains_ignore_case(b, b"asia")
        && !contains_ignore_case(b, b"eyj")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redact(s: &str) -> String {
        Redactor::new().redact(s).into_owned()
    }

    /// Each text redacted to its expected form, which a second pass leaves as it is.
    fn assert_redacted(cases: &[(&str, &str)]) {
        for &(text, expected) in cases {
            assert_eq!(redact(text), expected, "{text}");
            assert_eq!(redact(expected), expected, "{expected}");
        }
    }

    #[test]
    fn names_stay_and_values_go() {
        assert_eq!(
            redact("Authorization: Bearer eyJabc.def"),
            "Authorization: [REDACTED]"
        );
        assert_eq!(
            redact("cvv=123&cvc=456&pin=1234"),
            "cvv=[REMOVED]&cvc=[REMOVED]&pin=[REMOVED]"
        );
        assert_eq!(
            redact(r#"{"cvv":737,"x":1}"#),
            r#"{"cvv":"[REMOVED]","x":1}"#
        );
        assert_eq!(
            redact(r#"{"secret":{"password":"b"},"x":1}"#),
            r#"{"secret":"[REDACTED]","x":1}"#
        );
        assert_eq!(redact("'password': 'hunter2'"), "'password': '[REDACTED]'");
        assert_eq!(
            redact(r#"{"msg":"body {\"cvv\":\"737\"}"}"#),
            r#"{"msg":"body {\"cvv\":\"[REMOVED]\"}"}"#
        );
        assert_eq!(redact("Cookie: a=1; b=2\nnext"), "Cookie: [REDACTED]\nnext");
        assert_eq!(redact("status: 200 key=value"), "status: 200 key=value");
    }

    #[test]
    fn a_quoted_value_ends_with_its_line_even_after_a_backslash() {
        // Fuzzer: the backslash carried the string over the line's end to a quote after a
        // marker, so the first pass left the value (it held the marker) and the second,
        // reading to the line's end, replaced it.
        let once = redact("Authorization:\"\\\n[REDACTED]cvv[c]=\\\"\"");
        assert_eq!(
            once,
            "Authorization:\"[REDACTED]\n[REDACTED]cvv[c]=\\\"[REMOVED]"
        );
        assert_eq!(redact(&once), once);
    }

    #[test]
    fn a_name_with_no_value_is_left_as_it_is() {
        // Each was `[REDACTED]`: Rust's `Debug` of an unset option, JSON's `null`.
        for text in [
            "Config { user: \"app\", password: None, token: None }",
            "{\"password\":null,\"cvv\": null}",
            "password=null&x=1",
        ] {
            assert_eq!(redact(text), text);
        }
        assert_eq!(redact("password: Nonesuch"), "password: [REDACTED]");
        assert_eq!(redact("password: \"None\""), "password: \"[REDACTED]\"");
    }

    #[test]
    fn curl_s_and_wget_s_user_flag_keeps_its_password_no_more() {
        assert_redacted(&[
            (
                "curl -u admin:hunter2 https://api.example.com",
                "curl -u admin:[REDACTED] https://api.example.com",
            ),
            (
                "curl -s --user ops@example.com:pw2",
                "curl -s --user ops@example.com:[REDACTED]",
            ),
            (
                "wget --user=bob:pw1 https://x",
                "wget --user=bob:[REDACTED] https://x",
            ),
            // An API key given as the user, the password empty.
            (
                "run\ncurl https://api.stripe.com/v1/charges -u sk_test_abc:",
                "run\ncurl https://api.stripe.com/v1/charges -u [REDACTED]:",
            ),
            // Other commands' `-u` takes a user and a group, or no password.
            ("docker run -u 1000:1000 img", "docker run -u 1000:1000 img"),
            ("-u a:b", "-u a:b"),
            (
                "curl x\ndocker run -u 1000:1000",
                "curl x\ndocker run -u 1000:1000",
            ),
            ("curl --user-agent a:b", "curl --user-agent a:b"),
            // A card number in the address: masked, and the password goes.
            (
                "curl -u 4111111111111111@b:pw",
                "curl -u 411111******1111@b:[REDACTED]",
            ),
            // Fuzzer: an address's look-back crossed what a first pass replaced.
            ("curl -u ://:n@:", "curl -u ://:[REDACTED]@:"),
            // As `Command`'s `Debug` writes a command line.
            (
                r#"running "curl" "-s" "-u" "admin:hunter2" "https://x""#,
                r#"running "curl" "-s" "-u" "admin:[REDACTED]" "https://x""#,
            ),
            (
                r#""wget" "--user" "ops@example.com:pw" "--user=a:b""#,
                r#""wget" "--user" "ops@example.com:[REDACTED]" "--user=a:[REDACTED]""#,
            ),
            (
                r#""docker" "-u" "1000:1000""#,
                r#""docker" "-u" "1000:1000""#,
            ),
            // Fuzzer: the command's name was looked for within 256 bytes, and a first pass
            // shortened what stood between (`Basic …` → `Basic [REDACTED]`).
            (
                &format!(
                    "curl x {}-u v:",
                    "Basic abcdefghijklmnopqrstuvwxyz0123456789 ".repeat(8)
                ),
                &format!("curl x {}-u [REDACTED]:", "Basic [REDACTED] ".repeat(8)),
            ),
            // Fuzzer: the command's name was looked for after the first finding only.
            ("curl -u a: -u b:", "curl -u [REDACTED]: -u [REDACTED]:"),
            // Fuzzer: a card number masked in an address given as the user, the password
            // empty: the user was dropped on the first pass (it started before the card
            // written), taken on the second.
            (
                "curl -u m%2526/#@4111111111111111: s>",
                "curl -u m%2526/#@411111******1111: s>",
            ),
            // Fuzzer: a line break inside a replaced value is gone for a second pass, which
            // reads the command's name and the flag on one line; a break kept keeps them apart.
            (
                "curl [\"pin\",\"\n\") -u H:",
                "curl [\"pin\",\"[REMOVED]\") -u [REDACTED]:",
            ),
            (
                "curl x pin=[1\n2] -u k:p",
                "curl x pin=[REMOVED] -u k:[REDACTED]",
            ),
            ("curl x pin=[1\n2]\n-u k:p", "curl x pin=[REMOVED]\n-u k:p"),
            (
                "curl x\n-u a:b pin=[1\n2] -u c:d",
                "curl x\n-u a:b pin=[REMOVED] -u c:d",
            ),
        ]);
    }

    #[test]
    fn a_long_flag_s_value_after_a_blank_goes_for_a_secret_name() {
        assert_redacted(&[
            (
                "pg_dump --password hunter2 --host db",
                "pg_dump --password [REDACTED] --host db",
            ),
            ("--pin 1234", "--pin [REMOVED]"),
            ("app --api-key\tk123", "app --api-key\t[REDACTED]"),
            (
                r#"--password "two words" x"#,
                r#"--password "[REDACTED]" x"#,
            ),
            // A list of arguments (`std::env::args()` collected), `Command`'s `Debug`.
            (
                r#"args: ["app", "--db-password", "hunter2", "--port", "80"]"#,
                r#"args: ["app", "--db-password", "[REDACTED]", "--port", "80"]"#,
            ),
            (
                r#""pg_dump" "--password" "hun\"ter2" "db""#,
                r#""pg_dump" "--password" "[REDACTED]" "db""#,
            ),
            ("'--api-key', 'k123'", "'--api-key', '[REDACTED]'"),
            // JSON-escaped (`lift-ship --redact`), a quote inside the value escaped twice.
            (
                r#"{"msg":"[\"--password\", \"hun\\\"ter2\"]"}"#,
                r#"{"msg":"[\"--password\", \"[REDACTED]\"]"}"#,
            ),
            // `=` is the separator's.
            ("--token=abc", "--token=[REDACTED]"),
            // No value: negated, from standard input, another flag, nothing.
            ("--no-password --verbose", "--no-password --verbose"),
            (
                "docker login --password-stdin registry.example.com",
                "docker login --password-stdin registry.example.com",
            ),
            ("--password --verbose", "--password --verbose"),
            (
                r#"["app", "--password", "--verbose"]"#,
                r#"["app", "--password", "--verbose"]"#,
            ),
            ("--password", "--password"),
            // Not a flag, or not a secret's.
            ("a--password x", "a--password x"),
            ("x-- --password y", "x-- --password [REDACTED]"),
            (
                "--secret-id prod/db --key-id k",
                "--secret-id prod/db --key-id k",
            ),
            (
                "--password-file /run/secrets/db --token-path=/t",
                "--password-file /run/secrets/db --token-path=/t",
            ),
            ("-----BEGIN CERTIFICATE-----", "-----BEGIN CERTIFICATE-----"),
            ("2026-12-05 -- note", "2026-12-05 -- note"),
        ]);
    }

    #[test]
    fn openai_and_anthropic_keys_lose_their_body_with_no_name_before_them() {
        let body = "Ab3dEfGhIjKlMnOpQrStUvWxYz0123456789_cd-EF";
        for (text, expected) in [
            (
                format!("key sk-{body} rejected"),
                "key sk-[REDACTED] rejected",
            ),
            (format!("(sk-proj-{body})"), "(sk-proj-[REDACTED])"),
            (
                format!("\"sk-svcacct-{body}\""),
                "\"sk-svcacct-[REDACTED]\"",
            ),
            (format!("sk-ant-api03-{body}"), "sk-ant-api03-[REDACTED]"),
            // A word of the body that looks like a kind's stays part of the body.
            (format!("sk-proj-abc-{body}"), "sk-proj-[REDACTED]"),
        ] {
            assert_eq!(redact(&text), expected, "{text}");
            assert_eq!(redact(expected), expected, "{expected}");
        }
        // Hyphenated words, a body too short or of one kind of character, a masked key,
        // glued to a word.
        for text in [
            "sk-learn task-runner risk-based mask-abcdefghijklmnopqrstuvwxyz0123456789",
            "sk-Ab3dEfGhIjKl sk-abcdefghijklmnopqrstuvwxyz0123456789 sk-ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh",
            "Incorrect API key provided: sk-proj-********************************abcd",
            "ask-Ab3dEfGhIjKlMnOpQrStUvWxYz0123456789",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn a_yaml_value_on_the_lines_under_a_secret_name_goes() {
        assert_redacted(&[
            // Each kept its value.
            (
                "password: |\n  hunter2\nuser: bob",
                "password: |\n  [REDACTED]\nuser: bob",
            ),
            (
                "private_key: >-\n  abc\n\n  def\nnext: 1",
                "private_key: >-\n  [REDACTED]\nnext: 1",
            ),
            ("api_key:\n  hunter2\nx: 1", "api_key:\n  [REDACTED]\nx: 1"),
            (
                "db:\n  password:\n    hunter2\n  host: x",
                "db:\n  password:\n    [REDACTED]\n  host: x",
            ),
            (
                "- token: |+\r\n    abc\r\n- name: x",
                "- token: |+\r\n    [REDACTED]\r\n- name: x",
            ),
            ("cvv:\n  737", "cvv:\n  [REMOVED]"),
            // A mapping under a secret's name goes whole, as a nested value does.
            (
                "credentials:\n  user: bob\n  key: k1\nregion: eu",
                "credentials:\n  [REDACTED]\nregion: eu",
            ),
            // In a JSON string (`lift-ship --redact`) and a string's `Debug`.
            (
                r#"{"msg":"config:\n  password: |\n    hunter2\nuser: bob"}"#,
                r#"{"msg":"config:\n  password: |\n    [REDACTED]\nuser: bob"}"#,
            ),
            (
                r#"cfg: "db:\n  password:\n    hunter2\n  host: x""#,
                r#"cfg: "db:\n  password:\n    [REDACTED]\n  host: x""#,
            ),
            // A JSON line's message, or a `Debug`-quoted string, that starts with the key, or
            // has it first on a line: the last line ends at the string's closing quote (it
            // took the quote and the rest of the line with it).
            (
                r#"{"msg":"db:\n  password: |\n    hunter2"}"#,
                r#"{"msg":"db:\n  password: |\n    [REDACTED]"}"#,
            ),
            (
                r#"{"msg":"password: |\n  hunter2","x":1}"#,
                r#"{"msg":"password: |\n  [REDACTED]","x":1}"#,
            ),
            (
                r#"{"msg":"config\npassword: |\n  hunter2"}"#,
                r#"{"msg":"config\npassword: |\n  [REDACTED]"}"#,
            ),
            (
                r#"body="api_key:\n  abc" next"#,
                r#"body="api_key:\n  [REDACTED]" next"#,
            ),
            // A quote that opens nothing, or lines that break raw after it: the value on the
            // key's line goes, as a pair's.
            (r#"x"password: |\n  y""#, r#"x"password: [REDACTED]\n  y""#),
            ("a \"password: |\n  x\"", "a \"password: [REDACTED]\n  x\""),
            // Not a line's key, a value on its line, nothing indented under it.
            ("invalid token:\n    at x", "invalid token:\n    at x"),
            ("password: |\n", "password: [REDACTED]\n"),
            ("password:\nuser: bob", "password:\nuser: bob"),
            ("region:\n  eu-west-1", "region:\n  eu-west-1"),
            // Fuzzer: a line's start was looked for back to a quote, and a value a first
            // pass replaced ended in one.
            (
                "\"cvv\":\u{1} apikey:\n  .",
                "\"cvv\":\"[REMOVED]\" apikey:\n  .",
            ),
        ]);
    }

    #[test]
    fn what_follows_an_escaped_line_break_starts_a_word() {
        // A JSON line's multi-line message (`lift-ship --redact`) and a string's `Debug`
        // write a line break or a tab as `\n`, `\r`, `\t`: its letter, glued to what
        // follows, hid each of these from the checks that want a word to start there.
        assert_redacted(&[
            (
                r#"{"msg":"declined\n4111111111111111"}"#,
                r#"{"msg":"declined\n411111******1111"}"#,
            ),
            (r#""a\t4111 1111 1111 1111""#, r#""a\t4111 11** **** 1111""#),
            (r#"{"msg":"x\npin=1234"}"#, r#"{"msg":"x\npin=[REMOVED]"}"#),
            (
                r#"body="a\r\napi_key=abc""#,
                r#"body="a\r\napi_key=[REDACTED]""#,
            ),
            (r#""x\nBearer abcdef123456""#, r#""x\nBearer [REDACTED]""#),
            (
                r#""x\nsk_live_abcdefghijklmnop1234""#,
                r#""x\nsk_live_[REDACTED]""#,
            ),
            (r#""x\nAKIAIOSFODNN7EXAMPLE""#, r#""x\n[REDACTED]""#),
            (r#""x\ncvv 123""#, r#""x\ncvv [REMOVED]""#),
            (
                r#""x\n--password hunter2""#,
                r#""x\n--password [REDACTED]""#,
            ),
            (
                r#""x\neyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc""#,
                r#""x\n[REDACTED]""#,
            ),
            // A letter glued on without a backslash is a word's.
            ("xn4111111111111111 npin=1", "xn4111111111111111 npin=1"),
        ]);
    }

    #[test]
    fn json_inside_a_json_string_keeps_its_escapes_and_closes_where_it_does() {
        // Each a JSON line: it must stay one. A bare value under an escaped name got its
        // quotes unescaped (`\"cvv\": "[REMOVED]"`: the line no longer parsed); JSON escaped
        // twice (`json.dumps(event)` logged as a message: an API Gateway event's `body` is a
        // JSON string) was not read; an escaped value closed at a quote of its own.
        for (text, expected) in [
            (
                r#"{"m":"{\"cvv\": 737, \"pin\":[1,2]}"}"#,
                r#"{"m":"{\"cvv\": \"[REMOVED]\", \"pin\":\"[REMOVED]\"}"}"#,
            ),
            (
                r#"{"m":"{\"body\":\"{\\\"cvv\\\":\\\"737\\\",\\\"password\\\":\\\"hunter2\\\"}\"}"}"#,
                r#"{"m":"{\"body\":\"{\\\"cvv\\\":\\\"[REMOVED]\\\",\\\"password\\\":\\\"[REDACTED]\\\"}\"}"}"#,
            ),
            (
                r#"{"m":"{\"b\":\"{\\\"cvv\\\": 737}\"}"}"#,
                r#"{"m":"{\"b\":\"{\\\"cvv\\\": \\\"[REMOVED]\\\"}\"}"}"#,
            ),
            // A quote inside the value (escaped once more), a backslash at its end.
            (
                r#"{"m":"{\"token\":\"a \\\"q\\\" b\",\"x\":1}"}"#,
                r#"{"m":"{\"token\":\"[REDACTED]\",\"x\":1}"}"#,
            ),
            (
                r#"{"m":"{\"password\":\"ab\\\\\",\"user\":\"bob\"}"}"#,
                r#"{"m":"{\"password\":\"[REDACTED]\",\"user\":\"bob\"}"}"#,
            ),
        ] {
            assert_eq!(redact(text), expected, "{text}");
            assert_eq!(redact(expected), expected, "{expected}");
            let line: serde_json::Value = serde_json::from_str(&redact(text)).unwrap();
            assert!(line["m"].is_string(), "{line}");
        }
    }

    #[test]
    fn an_equals_sign_or_a_tag_escaped_html_safe_is_read_as_written_plainly() {
        // Gson (Java) and Go's `encoding/json` write `=`, `<` and `>` as `\u003d`,
        // `\u003c`, `\u003e` by default: every name and value after one was kept in clear.
        assert_redacted(&[
            (
                r#"{"note":"cvv\u003d737 password\u003dhunter2"}"#,
                r#"{"note":"cvv\u003d[REMOVED] password\u003d[REDACTED]"}"#,
            ),
            (
                r#"{"q":"a\u003d1\u0026pin\u003d1234"}"#,
                r#"{"q":"a\u003d1\u0026pin\u003d[REMOVED]"}"#,
            ),
            (
                r#"{"body":"token\u003d\"k 1\" x"}"#,
                r#"{"body":"token\u003d\"[REDACTED]\" x"}"#,
            ),
            (
                r#"{"m":"\u003cPassword\u003ehunter2\u003c/Password\u003e"}"#,
                r#"{"m":"\u003cPassword\u003e[REDACTED]\u003c/Password\u003e"}"#,
            ),
            (
                r#"\u003cns:cvv type=\"n\"\u003e737\u003c\/ns:cvv\u003e"#,
                r#"\u003cns:cvv type=\"n\"\u003e[REMOVED]\u003c\/ns:cvv\u003e"#,
            ),
            // Nothing sensitive, an empty element, other escapes: left as they are.
            (
                r#"x\u003d1 \u003cb\u003ebold\u003c/b\u003e \u003ccvv/\u003e \u0026 C:\\pin \"q\""#,
                r#"x\u003d1 \u003cb\u003ebold\u003c/b\u003e \u003ccvv/\u003e \u0026 C:\\pin \"q\""#,
            ),
        ]);
    }

    #[test]
    fn a_url_with_its_slashes_escaped_keeps_no_secret() {
        // PHP's `json_encode` writes `/` as `\/`: a URL's `://` was not found, nor a
        // webhook's path.
        assert_redacted(&[
            (
                r#"{"dsn":"https:\/\/admin:hunter2@db.example.com\/x"}"#,
                r#"{"dsn":"https:\/\/admin:[REDACTED]@db.example.com\/x"}"#,
            ),
            (
                r#"{"u":"https:\/\/hooks.slack.com\/services\/T0\/B0\/abcSecret9."}"#,
                r#"{"u":"https:\/\/hooks.slack.com\/services\/T0\/B0\/[REDACTED]."}"#,
            ),
            (
                r#""https:\/\/discord.com\/api\/webhooks\/123\/tok_9\/""#,
                r#""https:\/\/discord.com\/api\/webhooks\/123\/[REDACTED]\/""#,
            ),
            (
                r#""https:\/\/api.telegram.org\/bot12:AAHsecret\/sendMessage""#,
                r#""https:\/\/api.telegram.org\/bot12:[REDACTED]\/sendMessage""#,
            ),
            // Each URL's path is its own.
            (
                r#""https:\/\/hooks.slack.com\/services\/T0\/B0\/s1 https:\/\/x\/y""#,
                r#""https:\/\/hooks.slack.com\/services\/T0\/B0\/[REDACTED] https:\/\/x\/y""#,
            ),
            (
                r#"https:\/\/hooks.slack.com\/services\/T0\/B0https:\/\/x\/y"#,
                r#"https:\/\/hooks.slack.com\/services\/T0\/[REDACTED]:\/\/x\/y"#,
            ),
            // Other escapes end the path; a single escaped slash is no URL's.
            (r#"a:\/b"#, r#"a:\/b"#),
        ]);
    }

    #[test]
    fn a_short_string_with_two_dashes_is_scanned() {
        assert_eq!(short_verdict(b"--pin 1"), Short::Scan);
        assert_eq!(short_verdict(b"2026-12-05"), Short::Plain);
        assert_eq!(short_verdict(b"x--y"), Short::Plain);
        assert_eq!(redact("--pin 1"), "--pin [REMOVED]");
    }

    #[test]
    fn a_url_s_debug_is_read_back_no_further_than_a_first_pass_replaced() {
        // Fuzzer: the second `path:` found the host on the second pass only, past the marker.
        let once = redact(r#"host: Some(Domain("hooks.slack.com"path: "/s/=[path: "/r/-"#);
        assert_eq!(
            once,
            r#"host: Some(Domain("hooks.slack.com"path: "/s/[REDACTED][path: "/r/-"#
        );
        assert_eq!(redact(&once), once);
        let once = redact(
            r#"host: Some(Domain("hooks.slack.com")), port: 4111111111111111, path: "/s/T/x""#,
        );
        assert_eq!(redact(&once), once);
    }

    #[test]
    fn urls_in_a_row_find_each_their_own_webhook_secret() {
        // Fuzzer: each URL's path ran on through the next ones, so each found the last
        // one's secret — more findings than can be held, and the anchors between them
        // (`AccountKey=`) passed over on the first pass only.
        let text = format!("{}AccountKey=/webhooks/m/a", "://discord.com/".repeat(5));
        let once = redact(&text);
        assert_eq!(
            once,
            format!("{}AccountKey=[REDACTED]", "://discord.com/".repeat(5))
        );
        assert_eq!(redact(&once), once);
        // Fuzzer: a card number in a path that a `[` ended (no marker) was masked on the
        // first pass, and its mask ended the path on the second.
        let once = redact("://hooks.slack.com/e/4111111111111111[");
        assert_eq!(once, "://hooks.slack.com/e/[REDACTED][");
        assert_eq!(redact(&once), once);
        let once = redact("://hooks.slack.com/services/T/4111111111111111/abc");
        assert_eq!(
            once,
            "://hooks.slack.com/services/T/411111******1111/[REDACTED]"
        );
        assert_eq!(redact(&once), once);
        assert_eq!(
            redact("https://discord.com/api/webhooks/1/a https://hooks.slack.com/services/T/B/b"),
            "https://discord.com/api/webhooks/1/[REDACTED] https://hooks.slack.com/services/T/B/[REDACTED]"
        );
    }

    #[test]
    fn a_header_s_parameters_go_whole_their_quoted_values_too() {
        // Each kept the rest of its parameters after the first `,` or quote.
        assert_redacted(&[
            (
                r#"Authorization: Digest username="bob", nonce="dcd98b", response="6629fae4""#,
                "Authorization: [REDACTED]",
            ),
            (
                "Stripe-Signature: t=1492774577,v1=5257a869e7ecebeda32a,v0=6ffbb59b\nnext",
                "Stripe-Signature: [REDACTED]\nnext",
            ),
            (
                "X-Hub-Signature-256: sha256=abc123 sent",
                "X-Hub-Signature-256: [REDACTED]",
            ),
            (r#"Cookie: sid="a b"; theme=dark"#, "Cookie: [REDACTED]"),
            // A quoted value the line cut short runs to its end.
            (r#"Cookie: sid="abc"#, "Cookie: [REDACTED]"),
            // A quote that opens no parameter's value closes the string holding them.
            (
                r#"sent "Cookie: a=1" ok"#,
                r#"sent "Cookie: [REDACTED]" ok"#,
            ),
            // JSON-escaped text (a raw line): the escapes stay whole, the string's quote
            // ends the value.
            (
                r#"{"h":"Authorization: Digest username=\"bob\", response=\"x\""}"#,
                r#"{"h":"Authorization: [REDACTED]"}"#,
            ),
            (
                r#"{"h":"Cookie: a=\"b\"; c=d","n":1}"#,
                r#"{"h":"Cookie: [REDACTED]","n":1}"#,
            ),
            (
                r#"{"h":"Cookie: a=\"cut"}"#,
                r#"{"h":"Cookie: [REDACTED]"}"#,
            ),
            (
                r#"{"h":"Cookie: a=1 \"q\"","n":1}"#,
                r#"{"h":"Cookie: [REDACTED]\"q\"","n":1}"#,
            ),
        ]);
        // Fuzzer: a quoted parameter the line cut short ran past a marker, so its value was
        // dropped (it held one) on the first pass and replaced on the second.
        let once = redact(r#"Authorization:AccountKey=="[REDACTED]"#);
        assert_eq!(once, r#"Authorization:[REDACTED][REDACTED]"#);
        assert_eq!(redact(&once), once);
    }

    #[test]
    fn an_authorization_header_s_credential_goes_whatever_its_scheme() {
        // Only `Bearer`, `Basic`, `Token`, `Digest`, `Negotiate` and SigV4 took the word
        // after them: after any other scheme the credential itself was kept, and Rails'
        // `Token token="…"` kept its quoted token.
        assert_redacted(&[
            (
                "Authorization: SSWS 00QCjAl4MlV-WPXM-0123456789abcdefABCDEF",
                "Authorization: [REDACTED]",
            ),
            (
                "Authorization: Bot MTk4NjIy.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs",
                "Authorization: [REDACTED]",
            ),
            (
                "authorization=ApiKey abcdef0123 next",
                "authorization=[REDACTED] next",
            ),
            (
                "HTTP_AUTHORIZATION=Key abcdef0123",
                "HTTP_AUTHORIZATION=[REDACTED]",
            ),
            (
                "Proxy-Authorization: Splunk 1234-5678",
                "Proxy-Authorization: [REDACTED]",
            ),
            (
                r#"Authorization: Token token="abc123def456", nonce="x""#,
                "Authorization: [REDACTED]",
            ),
            (
                r#"{"h":"Authorization: Token token="abc123def456""}"#,
                r#"{"h":"Authorization: [REDACTED]"}"#,
            ),
            (
                r#"sending Token token="abc123def456""#,
                "sending Token [REDACTED]",
            ),
            // A token68's `=` only pads its end: the next word is not a parameter's.
            (
                "Authorization: Basic dXNlcjpwYXNz== sent",
                "Authorization: [REDACTED] sent",
            ),
            // Not an `Authorization` header: a scheme it does not know takes no next word.
            (
                "password: hunter2 rejected",
                "password: [REDACTED] rejected",
            ),
            (
                "WWW-Authenticate: Bearer realm=\"api\"",
                "WWW-Authenticate: Bearer realm=\"api\"",
            ),
        ]);
    }

    #[test]
    fn a_long_line_of_many_values_is_read_once() {
        // Each of these, a megabyte on one line (Lift's entry cap), took seconds in a release
        // build: a quoted value's line end, an escaped one's, and a bracketed value's first
        // line's end were looked for once per value, to the end of the line.
        for (value, redacted) in [
            (
                r#"{"password":"hunter2"}, "#,
                r#"{"password":"[REDACTED]"}, "#,
            ),
            (
                r#"{\"password\":\"hunter2\"}, "#,
                r#"{\"password\":\"[REDACTED]\"}, "#,
            ),
            ("password=[hunter2] ", "password=[REDACTED] "),
        ] {
            let n = (1 << 20) / value.len();
            assert_eq!(redact(&value.repeat(n)), redacted.repeat(n));
        }
        // And names whose value runs to the line's end (a cookie, a key's columns left
        // open) before markers an earlier pass wrote: each read the line to its end.
        for value in [
            "Cookie: ;4111111111111111=[REMOVED]",
            "'>Key (api_key)=([REDACTED]",
            ")Key (api_key)=(]=",
        ] {
            let once = redact(&value.repeat((1 << 20) / value.len()));
            assert!(!once.contains("4111111111111111"));
            assert_eq!(redact(&once), once);
        }
    }

    #[test]
    fn a_tuples_second_item_goes_by_its_first() {
        // `std::env::vars()` collected and printed with `{:?}` in a Lambda function: the
        // runtime's credentials were written in clear.
        assert_eq!(
            redact(
                r#"[("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG"), ("AWS_SESSION_TOKEN", "IQoJb3JpZ2lu"), ("AWS_REGION", "eu-west-1")]"#
            ),
            r#"[("AWS_SECRET_ACCESS_KEY", "[REDACTED]"), ("AWS_SESSION_TOKEN", "[REDACTED]"), ("AWS_REGION", "eu-west-1")]"#
        );
        assert_eq!(
            redact(r#"[("x-api-key", Some("k1")), ("cvv", 737), ("pin","1")]"#),
            r#"[("x-api-key", Some("[REDACTED]")), ("cvv", [REMOVED]), ("pin","[REMOVED]")]"#
        );
        assert_eq!(
            redact(r#"("password", "a\"b c")"#),
            r#"("password", "[REDACTED]")"#
        );
        assert_eq!(
            redact(r#"{"msg":"headers [(\"api_key\", \"k\")]"}"#),
            r#"{"msg":"headers [(\"api_key\", \"[REDACTED]\")]"}"#
        );
        assert_eq!(short_verdict(br#"("pin","1")"#), Short::Scan);
        // Fuzzer: a quote inside what a finding already covered (a cookie's value, to the
        // line's end) was looked at with the name floor past it — and the slice panicked.
        // (An escaped quote ends a cookie's value before its backslash.)
        assert_eq!(redact(r#"Cookie:/\","#), r#"Cookie:[REDACTED]\","#);
        assert_eq!(redact(r#"Cookie:[REDACTED]\","#), r#"Cookie:[REDACTED]\","#);
        // Fuzzer: an item holding a marker (`cvv:[REMOVED]`) closed the tuple only once the
        // first pass had replaced what its quotes held — replaced on a second pass only.
        let once = redact(r#"(\"pin\",\"cvv:{\"v]\"]"#);
        assert_eq!(once, r#"(\"pin\",\"cvv:[REMOVED]\"]"#);
        assert_eq!(redact(&once), once);
        // Fuzzer: a bare second item ran to the bracket of a marker after it
        // (`cvv=[REMOVED]`), redacted on a second pass only. A bare item is a word.
        assert_eq!(
            redact(r#"[("api_key",cvv==]"#),
            r#"[("api_key",cvv=[REMOVED]]"#
        );
        // Three items, a name saying nothing, no tuple, an empty value.
        for benign in [
            r#"("password", "x", "y")"#,
            r#"("region", "eu-west-1")"#,
            r#"said "password", "hunter2")"#,
            r#"("password", "")"#,
            r#"("pass word", "x")"#,
        ] {
            assert_eq!(redact(benign), benign);
        }
    }

    #[test]
    fn a_pairs_value_goes_by_the_name_member_before_it_once_redacted_too() {
        // Fuzzer: the name member's value was replaced before the pair's value was reached,
        // and the look-back stopped there, where a second pass read on past the marker — the
        // value went only on a second pass. Both passes now stop at what was replaced.
        assert_eq!(
            redact(r#"name:Some(pin:d" value=s"#),
            r#"name:Some(pin:[REMOVED]" value=s"#
        );
        // Fuzzer: a name member the pass replaced (`name:` after `cvv[k]=`) was read as it
        // stood, where a second pass no longer found it.
        assert_eq!(
            redact(r##"name=cvv[k]=name:""""value=c"##),
            r##"name=cvv[k]=[REMOVED]""""value=c"##
        );
    }

    #[test]
    fn a_pairs_value_goes_by_the_name_member_before_it() {
        assert_eq!(
            redact(r#"[{"name":"DB_PASSWORD","value":"hunter2"},{"name":"REGION","value":"eu"}]"#),
            r#"[{"name":"DB_PASSWORD","value":"[REDACTED]"},{"name":"REGION","value":"eu"}]"#
        );
        assert_eq!(
            redact(r#"{"ParameterKey":"card_cvv","ParameterValue":"737"}"#),
            r#"{"ParameterKey":"card_cvv","ParameterValue":"[REMOVED]"}"#
        );
        assert_eq!(
            redact(r#"{"Name":"/prod/app/key","Type":"SecureString","Value":"sk","Version":3}"#),
            r#"{"Name":"/prod/app/key","Type":"SecureString","Value":"[REDACTED]","Version":3}"#
        );
        assert_eq!(
            redact("env:\n- name: DB_PASSWORD\n  value: hunter2\n- name: A\n  value: b"),
            "env:\n- name: DB_PASSWORD\n  value: [REDACTED]\n- name: A\n  value: b"
        );
        assert_eq!(
            redact(r#"Parameter { name: Some("api_key"), value: Some("k1") }"#),
            r#"Parameter { name: Some("api_key"), value: [REDACTED] }"#
        );
        assert_eq!(
            redact(r#"body {\"name\":\"X-Api-Key\",\"value\":\"k1\"}"#),
            r#"body {\"name\":\"X-Api-Key\",\"value\":\"[REDACTED]\"}"#
        );
        // A value before its name, a name in another object, a name saying nothing.
        for benign in [
            r#"{"value":"v","name":"DB_PASSWORD"}"#,
            r#"{"name":"DB_PASSWORD","meta":{"value":"v"}}"#,
            r#"{"name":"Anna Kowalski","value":"v"}"#,
            "valueFrom: x, name: DB_PASSWORD",
        ] {
            assert_eq!(redact(benign), benign);
        }
    }

    #[test]
    fn an_arns_resource_type_is_no_name() {
        // A Secrets Manager ARN names a secret; its `secret:` is the resource type.
        for arn in [
            "fetching arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
            "\"arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:stripe\"",
            "arn:aws:secretsmanager:eu-west-1:411111******1111:secret:x",
        ] {
            assert_eq!(redact(arn), arn);
        }
        // Not an ARN's prefix: another word, too few fields, a value after a space, a
        // secret's name elsewhere in the resource.
        for (text, want) in [
            (
                "xarn:aws:sm:r:1:secret:x",
                "xarn:aws:sm:r:1:secret:[REDACTED]",
            ),
            ("arn:aws:sm:r:secret:x", "arn:aws:sm:r:secret:[REDACTED]"),
            ("arn:aws:sm:r:1:secret: x", "arn:aws:sm:r:1:secret: x"),
            (
                "arn:aws:sm:r:1:key/a password:x",
                "arn:aws:sm:r:1:key/a password:[REDACTED]",
            ),
            // A key id replaced in the prefix: a second pass sees a marker there.
            (
                "arn:aws:sm:AKIAIOSFODNN7EXAMPLE:1:secret:x",
                "arn:aws:sm:[REDACTED]:1:secret:[REDACTED]",
            ),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn anchored_secrets() {
        assert_eq!(redact("basic dXNlcjpwYXNzd29yZA=="), "basic [REDACTED]");
        assert_eq!(redact("Basic auth failed"), "Basic auth failed");
        assert_eq!(redact("Bearer\tshort"), "Bearer\t[REDACTED]");
        // A challenge's parameters and prose after `Bearer` are no credential (each lost its
        // next word before).
        for text in [
            "WWW-Authenticate: Bearer realm=\"api\", error=\"invalid_token\"",
            "invalid Bearer token; Bearer authentication failed; no Bearer header",
        ] {
            assert_eq!(redact(text), text);
        }
        assert_eq!(
            redact("{\"Authorization\":\"Bearer abc==\"} Bearer tokenXYZ"),
            "{\"Authorization\":\"[REDACTED]\"} Bearer [REDACTED]"
        );
        // A parenthesised value under a sensitive name goes whole (its `)` was left).
        assert_eq!(
            redact("password: (none) cvv=(737)"),
            "password: [REDACTED] cvv=[REMOVED]"
        );
        assert_eq!(redact("Token expired"), "Token expired");
        assert_eq!(redact("Token 9f8e7d6c"), "Token [REDACTED]");
        assert_eq!(
            redact("key AKIAIOSFODNN7EXAMPLE used"),
            "key [REDACTED] used"
        );
        assert_eq!(
            redact("jwt eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0. end"),
            "jwt [REDACTED] end"
        );
        assert_eq!(
            redact("https://admin:hunter2@db/x"),
            "https://admin:[REDACTED]@db/x"
        );
        assert_eq!(
            redact("https://db.example.com/x?a=1"),
            "https://db.example.com/x?a=1"
        );
    }

    #[test]
    fn anchored_secrets_are_found_at_every_offset_from_a_block_edge() {
        // The scanner reads a block of 32 bytes at a time (two 16-byte halves without AVX2),
        // and a letter's neighbours decide whether it anchors: each literal is tried at every
        // offset, its neighbours on either side of a block's edge and of its middle.
        for (text, want) in [
            ("Bearer abc.def", "Bearer [REDACTED]"),
            ("basic dXNlcjpwYXNzd29yZA==", "basic [REDACTED]"),
            ("TOKEN 9f8e7d6c", "TOKEN [REDACTED]"),
            ("AKIAIOSFODNN7EXAMPLE", "[REDACTED]"),
            ("ASIAIOSFODNN7EXAMPLE", "[REDACTED]"),
            ("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "[REDACTED]"),
            ("sk_live_51H8xYzAbCdEfGhIjKl", "sk_live_[REDACTED]"),
            ("CVV 737", "CVV [REMOVED]"),
            ("cvc2 \"1234\"", "cvc2 \"[REMOVED]\""),
            ("rk_test_51H8xYzAbCdEfGhIjKl", "rk_test_[REDACTED]"),
            (
                "sk-proj-Ab3dEfGhIjKlMnOpQrStUvWxYz0123456789",
                "sk-proj-[REDACTED]",
            ),
            ("--pin 1234", "--pin [REMOVED]"),
        ] {
            for pad in 0..72 {
                let prefix = "a bobkey ".repeat(8)[..pad].to_owned() + " ";
                assert_eq!(
                    redact(&format!("{prefix}{text} end")),
                    format!("{prefix}{want} end"),
                    "{text} after {pad} bytes"
                );
            }
        }
    }

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

    /// Pieces every detector reacts to, among which the ones a test is about are mixed.
    const OTHER_FINDINGS: [&str; 8] = [
        "password=",
        "cvv=",
        "Bearer ",
        "4111111111111111",
        "[REDACTED]",
        "\n",
        " ",
        "-----",
    ];

    /// 50,000 strings of 1–15 pieces each, from `pieces` and [`OTHER_FINDINGS`] (drawn with
    /// `seed`), each redacted once for all; where a string holds `secret`, `shown` (the
    /// part that would give it away) is not in what redaction made of it.
    fn redacted_once_for_all(pieces: &[&str], seed: u64, secret: &str, shown: &str) {
        let words = [&OTHER_FINDINGS[..], pieces].concat();
        let mut rng = fastrand::Rng::with_seed(seed);
        for _ in 0..50_000 {
            let text: String = (0..rng.usize(1..16))
                .map(|_| words[rng.usize(..words.len())])
                .collect();
            let once = redact(&text);
            assert_eq!(redact(&once), once, "{text:?}");
            if text.contains(secret) {
                assert!(!once.contains(shown), "{text:?} -> {once:?}");
            }
        }
    }

    #[test]
    fn pem_blocks_among_other_findings_are_redacted_once_for_all() {
        let pieces = [
            "-----BEGIN ",
            "-----END ",
            "RSA ",
            "PRIVATE KEY",
            " BLOCK",
            "CERTIFICATE",
            "MIIEvQ",
            "private_key: ",
        ];
        let key = "-----BEGIN PRIVATE KEY-----MIIEvQ";
        redacted_once_for_all(&pieces, 2026, key, "KEY-----MIIEvQ");
    }

    #[test]
    fn a_key_s_body_ends_at_what_a_pass_before_wrote() {
        // Fuzzer: the element's value took the key's `-----END`, so a second pass read the
        // body on to the string's end, over the markers the first had written.
        let once = redact(r#"<a:pin "-----BEGIN PRIVATE KEY-----">-----END</a:pin>"#);
        assert_eq!(
            once,
            r#"<a:pin "-----BEGIN PRIVATE KEY-----[REDACTED][REMOVED]</a:pin>"#
        );
        assert_eq!(redact(&once), once);
    }

    #[test]
    fn a_pair_is_looked_for_no_further_back_than_a_masked_card() {
        // Fuzzer: the pair's name member was found across a card number on the first pass
        // only (a second reads back no further than the mask); with no value to replace it
        // kept the user flag's check from looking, and with one, the first pass replaced
        // the value as the pair's and the second found the user flag's empty password.
        // (Letting the checks look after a pair with nothing to replace broke the third: a
        // second pass found the first's marker there, and then the user flag.)
        for text in [
            "name:pin+41111114111111 curl -u value:",
            "name:pin 41111114111111 curl -u value:\"x\"",
            "Type:SecureString\"curl -u value: B",
        ] {
            let once = redact(text);
            assert_eq!(redact(&once), once, "{text}");
        }
        assert_eq!(
            redact("name:pin+41111114111111 curl -u value:"),
            "name:pin+411111****1111 curl -u [REDACTED]:"
        );
        // A pair whose members stand on either side of a card: the value is judged alone
        // (docs/redaction.md, "Not detected today": a value redacted before between them).
        assert_eq!(
            redact("{\"name\":\"pin\",\"card\":\"4111111111111111\",\"value\":\"1234\"}"),
            "{\"name\":\"pin\",\"card\":\"411111******1111\",\"value\":\"1234\"}"
        );
    }

    #[test]
    fn xml_elements_among_other_findings_are_redacted_once_for_all() {
        let pieces = [
            "<cvv>",
            "</cvv>",
            "<\\/cvv>",
            "<a:pin x=\"1\">",
            "</a:pin>",
            "<",
            ">",
            "/",
            "737",
            "<b>",
            "<password token='",
            "' a=\">\"",
            "'",
            "\"",
        ];
        let element = "<cvv>737</cvv>";
        redacted_once_for_all(&pieces, 2027, element, element);
    }

    #[test]
    fn values_in_start_tags_are_redacted_with_the_elements_value() {
        assert_eq!(
            redact("<pin cvv=737 id=\"a\">1234</pin>"),
            "<pin cvv=[REMOVED] id=\"a\">[REMOVED]</pin>"
        );
        // An element inside another's attribute: every value is found in one pass.
        assert_eq!(
            redact("<a:pin \"<a:pin CSC=n>\">1</a:pin>"),
            "<a:pin \"<a:pin CSC=[REMOVED]>[REMOVED]</a:pin>"
        );
        assert_eq!(
            redact("<pin x='<cvv y=\"'>1</pin> cvv=3\">2</cvv>"),
            "<pin x='<cvv y=\"'>[REMOVED]</pin> cvv=[REMOVED]\">[REMOVED]</cvv>"
        );
    }

    #[test]
    fn an_element_named_by_its_name_or_key_attribute_loses_its_value() {
        // The element's own name said nothing, so its value was kept.
        assert_redacted(&[
            (
                r#"<field name="cvv">737</field>"#,
                r#"<field name="cvv">[REMOVED]</field>"#,
            ),
            (
                r#"<property name="hibernate.connection.password">s3cret</property>"#,
                r#"<property name="hibernate.connection.password">[REDACTED]</property>"#,
            ),
            (
                "<entry key = 'api_key'>abc123</entry>",
                "<entry key = 'api_key'>[REDACTED]</entry>",
            ),
            (
                "<a name=x key=pin>1234</a>",
                "<a name=x key=pin>[REMOVED]</a>",
            ),
            (
                r#"<Field Name="CardSecurityCode"><v>737</v></Field>"#,
                r#"<Field Name="CardSecurityCode">[REMOVED]</Field>"#,
            ),
            // JSON-escaped, plainly and HTML-safe.
            (
                r#"{"x":"<field name=\"cvv\">737</field>"}"#,
                r#"{"x":"<field name=\"cvv\">[REMOVED]</field>"}"#,
            ),
            (
                r#"\u003cfield name=\"cvv\"\u003e737\u003c/field\u003e"#,
                r#"\u003cfield name=\"cvv\"\u003e[REMOVED]\u003c/field\u003e"#,
            ),
            // The value attribute and the element's text, both.
            (
                r#"<param name="password" value="x">hunter2</param>"#,
                r#"<param name="password" value="[REDACTED]">[REDACTED]</param>"#,
            ),
            // Other names, other attributes, no closing tag: kept.
            (
                r#"<field name="brand">visa</field>"#,
                r#"<field name="brand">visa</field>"#,
            ),
            (
                r#"<field id="cvv">737</field>"#,
                r#"<field id="cvv">737</field>"#,
            ),
            (r#"<field name="cvv">737"#, r#"<field name="cvv">737"#),
        ]);
    }

    #[test]
    fn serde_json_values_as_debug_writes_them_lose_their_lists_whole() {
        // A list after its type's name (`Array [`) lost only the name: every item was kept.
        assert_eq!(
            redact(r#"Object {"token": Array [String("a"), String("b")], "n": Null}"#),
            r#"Object {"token": "[REDACTED]", "n": Null}"#
        );
        let pretty = "Object {\n    \"pin\": Array [\n        Number(1234),\n    ],\n}";
        assert_eq!(redact(pretty), "Object {\n    \"pin\": \"[REMOVED]\",\n}");
        // Objects and strings were found before.
        assert_eq!(
            redact(r#"Object {"password": String("hunter2"), "k": Object {"cvv": String("737")}}"#),
            r#"Object {"password": "[REDACTED]", "k": Object {"cvv": "[REMOVED]"}}"#
        );
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
    fn a_value_in_a_wrapper_named_for_a_secret_goes() {
        // A newtype with a derived `Debug` (no redacting one of its own), logged outside a
        // field named for it: its text was kept.
        assert_redacted(&[
            (
                r#"using Password("hunter2") now"#,
                "using Password([REDACTED]) now",
            ),
            (r#"ApiKey(Some("k3y\"quoted"))"#, "ApiKey(Some([REDACTED]))"),
            (
                r#"auth::ClientSecret("s3cr3t")"#,
                "auth::ClientSecret([REDACTED])",
            ),
            (r#"[PinBlock("0412AC89")]"#, "[PinBlock([REMOVED])]"),
            // Short strings are read too.
            (r#"Pin("1234")"#, "Pin([REMOVED])"),
            // JSON-escaped (a quote inside escaped twice), and escaped twice.
            (
                r#"{"msg":"got Password(\"hun\\\"ter\") ok"}"#,
                r#"{"msg":"got Password([REDACTED]) ok"}"#,
            ),
            // Quotes closing before the wrapper does, or a raw quote inside escaped text.
            (r#"Secret(\"a\" b\")"#, r#"Secret(\"a\" b\")"#),
            (r#"Secret(\"a" b)"#, r#"Secret(\"a" b)"#),
            (r#"Password(\\\"x\\\")"#, "Password([REDACTED])"),
            // A code the prose rule leaves (five digits) goes by the wrapper's name.
            (r#"Cvv("12345")"#, "Cvv([REMOVED])"),
            // Other names, calls in prose, escaped text, an unclosed or unquoted wrapper,
            // `Some(…)` on its own: kept.
            (
                r#"OrderId("ord_123") Some("x")"#,
                r#"OrderId("ord_123") Some("x")"#,
            ),
            (r#"password("x") called"#, r#"password("x") called"#),
            (r#"Password("x"#, r#"Password("x"#),
            (r#"Password("x" + y)"#, r#"Password("x" + y)"#),
        ]);
        // Fuzzer: a wrapper's `(` right after what a pass replaced (`cvv:` took the bytes
        // up to it) panicked, reading its name from before the replacement's end.
        assert_redacted(&[("cvv:\u{fffd}(\"v]\":", "cvv:[REMOVED]\"v]\":")]);
        let r = Redactor::new();
        let _ = r.redact(r#"Token("t0k3n") ApiKey("k")"#);
        assert_eq!(r.stats().secret_text, 2);
    }

    #[test]
    fn bytes_written_as_their_values_are_read_as_the_text_they_hold() {
        // A `Vec<u8>` as `Debug` and JSON write it: the card and the code in it were kept.
        let list = |text: &str, sep: &str| {
            let values: Vec<String> = text.bytes().map(|b| b.to_string()).collect();
            format!("[{}]", values.join(sep))
        };
        let body = r#"{"cvv":"737","card":"4111111111111111"}"#;
        for (text, expected) in [
            (
                format!(
                    "Record {{ data: Base64Data({}), key: \"k\" }}",
                    list(body, ", ")
                ),
                "Record { data: Base64Data([REDACTED]), key: \"k\" }".to_owned(),
            ),
            (
                format!("Request {{ body: {}, method: POST }}", list(body, ", ")),
                "Request { body: [REDACTED], method: POST }".to_owned(),
            ),
            (
                format!(
                    "Request {{ method: POST, body: Binary({}) }}",
                    list(body, ", ")
                ),
                "Request { method: POST, body: Binary([REDACTED]) }".to_owned(),
            ),
            (
                format!("{{\"data\":{},\"n\":1}}", list(body, ",")),
                r#"{"data":"[REDACTED]","n":1}"#.to_owned(),
            ),
            (
                format!("Req {{\n    body: {},\n}}", list("pin=1234", ",\n        ")),
                "Req {\n    body: [REDACTED],\n}".to_owned(),
            ),
            // Bytes that hold nothing, numbers that are no bytes: kept.
            (
                format!("body: {}", list("hello, world", ", ")),
                format!("body: {}", list("hello, world", ", ")),
            ),
            (
                "scores: [1, 2, 3, 400] ids=[10, 20, 30, 40]".to_owned(),
                "scores: [1, 2, 3, 400] ids=[10, 20, 30, 40]".to_owned(),
            ),
        ] {
            assert_eq!(redact(&text), expected, "{text}");
            assert_eq!(redact(&expected), expected);
        }
    }

    #[test]
    fn a_payload_in_base64_is_read_as_the_text_it_encodes_whatever_it_starts_with() {
        // A function URL's or an ALB's form post arrives encoded (`isBase64Encoded`); logged
        // with its event, the card, the code and the password in it were kept: only JSON
        // (`eyJ…`) was decoded.
        use base64::Engine as _;
        let encode = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
        let form = encode("card_number=4111111111111111&cvc=737&exp_month=12");
        let text = encode("pin 1234 ok; password=hunter2x9Q");
        let array = encode(r#"[{"cvv":"737"}]"#);
        let url_safe = form.replace('+', "-").replace('/', "_");
        let unpadded = url_safe.trim_end_matches('=');
        let cases = [
            (
                format!(r#"{{"body":"{form}","isBase64Encoded":true}}"#),
                r#"{"body":"[REDACTED]","isBase64Encoded":true}"#.to_owned(),
            ),
            (
                format!(r#"{{"Records":[{{"kinesis":{{"data":"{array}"}}}}]}}"#),
                r#"{"Records":[{"kinesis":{"data":"[REDACTED]"}}]}"#.to_owned(),
            ),
            // As `Debug` writes an event, in escaped JSON, after `=`, unquoted.
            (
                format!(
                    "ApiGatewayProxyRequest {{ body: Some(\"{form}\"), is_base64_encoded: true }}"
                ),
                "ApiGatewayProxyRequest { body: Some(\"[REDACTED]\"), is_base64_encoded: true }"
                    .to_owned(),
            ),
            (
                format!(r#"{{\"Body\": \"{text}\"}}"#),
                r#"{\"Body\": \"[REDACTED]\"}"#.to_owned(),
            ),
            (
                format!("payload={unpadded}&next=1"),
                "payload=[REDACTED]&next=1".to_owned(),
            ),
            (format!("data: {form} ok"), "data: [REDACTED] ok".to_owned()),
        ];
        for (text, expected) in &cases {
            assert_eq!(redact(text), *expected, "{text}");
            assert_eq!(redact(expected), *expected);
        }
        // What holds nothing stays: a form without a card, an image, a word, other names.
        let plain = encode("amount=1250&currency=usd&description=Gift wrap");
        let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk";
        for text in [
            format!(r#"{{"body":"{plain}","isBase64Encoded":true}}"#),
            format!(r#"{{"data":"{png}"}}"#),
            r#"{"body":"Payment authorized for order 1234","data":"none"}"#.to_owned(),
            format!(r#"{{"note":"{form}"}}"#),
            format!("bodyguard={form}"),
        ] {
            assert_eq!(redact(&text), text);
        }
    }

    #[test]
    fn an_arrow_ending_a_start_tag_ends_the_tag() {
        // Fuzzer: the element's value (`'`) and the arrow's (`</cvv>`, its quotes around it)
        // were both replaced, so a second pass read `[REMOVED][REMOVED]'` as the element's.
        assert_redacted(&[
            ("<cvv =>'</cvv>'</cvv>", "<cvv =>[REMOVED]</cvv>'</cvv>"),
            ("<cvv a=>737</cvv>", "<cvv a=>[REMOVED]</cvv>"),
            // Outside a start tag the arrow separates, as Ruby and PHP write it.
            ("<b>x</b> cvv => 737", "<b>x</b> cvv => [REMOVED]"),
            (r#"{:cvv=>"737"}"#, r#"{:cvv=>"[REMOVED]"}"#),
        ]);
    }

    #[test]
    fn form_fields_and_url_encoded_text_are_redacted() {
        for (text, want) in [
            // Form fields as Stripe-style APIs and Rails or PHP forms nest them.
            (
                "card[number]=4242424242424242&card[cvc]=123&card[exp_month]=12",
                "card[number]=424242******4242&card[cvc]=[REMOVED]&card[exp_month]=12",
            ),
            (
                "payment_method[card][cvc]=1 user[password]: x",
                "payment_method[card][cvc]=[REMOVED] user[password]: [REDACTED]",
            ),
            // A part that is a key of its own only when whole (Amex's `cid`).
            ("card[cid]=1234", "card[cid]=[REMOVED]"),
            ("{\"card[cvc]\":\"123\"}", "{\"card[cvc]\":\"[REMOVED]\"}"),
            // URL-encoded: brackets, separators, quotes, delimiters, spaces.
            ("card%5Bcvc%5D=123&a=1", "card%5Bcvc%5D=[REMOVED]&a=1"),
            (
                "body=card%3D4111111111111111%26cvv%3D737%26password%3Dhunter2",
                "body=card%3D411111******1111%26cvv%3D[REMOVED]%26password%3D[REDACTED]",
            ),
            (
                "q=%7B%22cvv%22%3A%22737%22%2C%22pin%22%3A%20%221234%22%7D",
                "q=%7B%22cvv%22%3A%22[REMOVED]%22%2C%22pin%22%3A%20%22[REMOVED]%22%7D",
            ),
            (
                "q=pay%204111111111111111%20now",
                "q=pay%20411111******1111%20now",
            ),
            ("password%3dhunter2%20ok", "password%3d[REDACTED]%20ok"),
            // A form-encoded space between a card's groups.
            (
                "card_number=4111+1111+1111+1111&cvc=737",
                "card_number=4111+11**+****+1111&cvc=[REMOVED]",
            ),
            ("pin=4111+1111+1111+1111", "pin=[REMOVED]"),
            // A URL-encoded space between a card's groups; two cards in one run.
            (
                "q=pay%204111%201111%201111%201111%20now",
                "q=pay%204111%2011**%20****%201111%20now",
            ),
            (
                "c=4111%201111%201111%201111%205555%205555%205555%204444",
                "c=4111%2011**%20****%201111%205555%2055**%20****%204444",
            ),
            ("pin=4111%201111%201111%201111&a=1", "pin=[REMOVED]&a=1"),
            // A value that is a number's first group takes the number (found by the
            // fuzzer: the card the value began was never masked, its 12 digits left).
            ("cvv%3D%2042%2042866268519018", "cvv%3D%20[REMOVED]"),
            // The card in the groups after a removed value is masked on the first pass.
            (
                "cvv%3D%20426860-510 43111+00000006",
                "cvv%3D%20[REMOVED] 43111+0***0006",
            ),
            ("cvv%3D4242 866268519018&a", "cvv%3D[REMOVED]&a"),
            ("q=25%2012%2030%20USD", "q=25%2012%2030%20USD"),
            // Encoded twice: a URL inside another URL's query.
            (
                "r%3Dhttps%253A%252F%252Fs%252Fp%253Fcard%253D4111111111111111%2526cvv%253D737",
                "r%3Dhttps%253A%252F%252Fs%252Fp%253Fcard%253D411111******1111%2526cvv%253D[REMOVED]",
            ),
            (
                "%2522cvv%2522%253A%2522737%2522 password%253Dhunter2%2526a%253D1",
                "%2522cvv%2522%253A%2522[REMOVED]%2522 password%253D[REDACTED]%2526a%253D1",
            ),
            ("q=pay%25204111111111111111", "q=pay%2520411111******1111"),
            // Encoded once, a value's `%2526` is its own (a `%26` it holds), not its end.
            (
                "password%3Dab%2526cd%26x%3D1",
                "password%3D[REDACTED]%26x%3D1",
            ),
            // The first name of an encoded URL's query follows an encoded `?`.
            (
                "u=https%3A%2F%2Fs%2Fp%3Fpassword%3Dab%26cvv%3D1",
                "u=https%3A%2F%2Fs%2Fp%3Fpassword%3D[REDACTED]%26cvv%3D[REMOVED]",
            ),
            (
                "u%253Fcvv%253D737 u%3Fcard%5Bcvc%5D%3D1",
                "u%253Fcvv%253D[REMOVED] u%3Fcard%5Bcvc%5D%3D[REMOVED]",
            ),
            // A form field's name encoded twice.
            (
                "r%3D%252Fp%253Fcard%255Bcvc%255D%253D737%2526card%255Bnumber%255D%253D1",
                "r%3D%252Fp%253Fcard%255Bcvc%255D%253D[REMOVED]%2526card%255Bnumber%255D%253D1",
            ),
            // Benign: other escapes, other names, a percentage.
            (
                "a%3Db%26limit%3D10 50%25 20%3A00",
                "a%3Db%26limit%3D10 50%25 20%3A00",
            ),
            (
                "filter[status]=active&page[size]=20",
                "filter[status]=active&page[size]=20",
            ),
            // Not a bracketed part: `]` alone, an empty part, a marker.
            ("x]=1 []=2 [REMOVED]=3", "x]=1 []=2 [REMOVED]=3"),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn wrapped_values_and_fat_arrows_are_redacted_whole() {
        for (text, want) in [
            // Rust's `Debug` of a struct whose fields are wrapped.
            (
                "Req { cvc: Some(\"123\"), password: Some(Secret(\"a)b\")), pin: Some(1) }",
                "Req { cvc: [REMOVED], password: [REDACTED], pin: [REMOVED] }",
            ),
            ("cvc=Some(123)&a=1", "cvc=[REMOVED]&a=1"),
            // Closed on a later line, as `{:#?}` writes it: all of it; not closed in reach:
            // its first line.
            ("cvv: Some(\"1\" x\n123)", "cvv: [REMOVED]"),
            ("cvv: Some(\"1\" x\n123", "cvv: [REMOVED]\n123"),
            ("password: Hunter(2 and more", "password: [REDACTED]"),
            // A wrapper holding a marker goes whole all the same: it can close on text a
            // later finding changes (found by the fuzzer: left alone once, closed on a `}`
            // that PostgreSQL's values then took, it was redacted on a second pass).
            (
                "cvv=Some(\"[REDACTED]password=\"[REDACTED]\")",
                "cvv=[REMOVED]",
            ),
            ("cvv=pa(x [REMOVED]\nKey (api_key)=(y }}", "cvv=[REMOVED]"),
            // Ruby, PHP, Perl; Go and Make (each left the value in clear before, replacing
            // the `=`).
            (
                "{:password => \"x\", \"cvv\" => \"1\"} [pin] => 1234",
                "{:password => \"[REDACTED]\", \"cvv\" => \"[REMOVED]\"} [pin] => [REMOVED]",
            ),
            (
                "password := \"hunter2\"; TOKEN := abc",
                "password := \"[REDACTED]\"; TOKEN := [REDACTED]",
            ),
            (
                "a => b, brand: Some(\"visa\")",
                "a => b, brand: Some(\"visa\")",
            ),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn a_paths_double_colon_and_a_source_location_separate_no_value() {
        for text in [
            // Each lost what followed the name before (`lift::auth:[REDACTED] boom`).
            "panicked at lift::auth::token::refresh: boom",
            "invalid type: map, expected struct payments::secret::Config",
            "SELECT password::text FROM users",
            "at password::hash (src/auth.rs:12)",
            // A source location: a file and its line.
            "panicked at src/auth.rs:12:5: boom, then token.py:40 and secret.go:7",
        ] {
            assert_eq!(redact(text), text);
        }
        // A name's own `:` after a path still separates; so does a file's name before a
        // value that is no line number.
        assert_eq!(
            redact("auth::token: abc password: x secret.rs: y"),
            "auth::token: [REDACTED] password: [REDACTED] secret.rs: [REDACTED]"
        );
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
            // No expiry, no month, a date or a time after it, a longer number: no code.
            ("4111111111111111 737", "411111******1111 737"),
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
    fn a_quoted_value_that_does_not_close_on_its_line_runs_to_the_lines_end() {
        // A line cut short, an unbalanced quote: each value was left in clear before.
        for (text, want) in [
            ("password: \"hunter2", "password: \"[REDACTED]"),
            ("cvv='737\nnext", "cvv='[REMOVED]\nnext"),
            // A quote on a later line does not close it.
            ("cvv='737\nnext 'x'", "cvv='[REMOVED]\nnext 'x'"),
            ("q=%7B%22cvv%22%3A%22737", "q=%7B%22cvv%22%3A%22[REMOVED]"),
            ("{\\\"pin\\\":\\\"1234", "{\\\"pin\\\":\\\"[REMOVED]"),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn a_quoted_name_may_hold_a_colon() {
        // Cognito's custom attributes, as a trigger's event carries them (each was in clear).
        assert_eq!(
            redact(r#"{"custom:pin":"1234","custom:api_key":"k","email":"a@b.c"}"#),
            r#"{"custom:pin":"[REMOVED]","custom:api_key":"[REDACTED]","email":"a@b.c"}"#
        );
        assert_eq!(
            redact("{'custom:password': 'x'}"),
            "{'custom:password': '[REDACTED]'}"
        );
        // The colon inside such a name is no separator: its "value" would be the quote that
        // closes the name (found by the fuzzer: a second pass took `":"` for one, and
        // `": "` after a label).
        for (text, want) in [
            ("\"cvv:\":x", "\"cvv:\":\"[REMOVED]\""),
            ("\"vvAPI Key: \":x", "\"vvAPI Key: \":\"[REDACTED]\""),
        ] {
            let once = redact(text);
            assert_eq!(once, want);
            assert_eq!(redact(&once), once);
        }
    }

    #[test]
    fn labels_of_words_are_judged_whole() {
        for (text, want) in [
            // Each was left in clear before: the name alone (`Key`) says nothing.
            ("API Key: 3f9a8b7c6d5e", "API Key: [REDACTED]"),
            ("Secret Key: abcd, next", "Secret Key: [REDACTED], next"),
            ("Signing key = xyz", "Signing key = [REDACTED]"),
            ("api key=abc&x=1", "api key=[REDACTED]&x=1"),
            (
                "AWS Secret Access Key: wJalr",
                "AWS Secret Access Key: [REDACTED]",
            ),
            ("Security Code: 737", "Security Code: [REMOVED]"),
            (
                "Card Verification Value: 737",
                "Card Verification Value: [REMOVED]",
            ),
            ("card verification: 737", "card verification: [REMOVED]"),
            (
                "Track Data: x PIN Block: 04",
                "Track Data: [REMOVED] PIN Block: [REMOVED]",
            ),
            // Labels that hold nothing sensitive, and other names, stay.
            ("Primary key: 42", "Primary key: 42"),
            ("Public Key: abc", "Public Key: abc"),
            ("Idempotency Key: abc", "Idempotency Key: abc"),
            (
                "Error Code: 42 Status Code: 500",
                "Error Code: 42 Status Code: 500",
            ),
            ("Email Verification: pending", "Email Verification: pending"),
            ("Auth failed: timeout", "Auth failed: timeout"),
            ("token refresh: ok", "token refresh: ok"),
            ("the secret to a good key: x", "the secret to a good key: x"),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn postgres_key_details_lose_the_values_of_sensitive_columns() {
        for (text, want) in [
            // Each was left in clear before.
            (
                "duplicate key value violates unique constraint \"users_api_key_key\"\nDETAIL: Key (api_key)=(sk_abc123) already exists.",
                "duplicate key value violates unique constraint \"users_api_key_key\"\nDETAIL: Key (api_key)=([REDACTED]) already exists.",
            ),
            (
                "Key (email, password)=(a@b.c, hunter2, x) already exists.",
                "Key (email, password)=([REDACTED]) already exists.",
            ),
            (
                "Key (cvv, token)=(737, t) x",
                "Key (cvv, token)=([REMOVED]) x",
            ),
            // Not closed on its line: to the line's end.
            ("Key (pin)=(1234\nnext)", "Key (pin)=([REMOVED]\nnext)"),
            // Columns that hold nothing sensitive, expressions, and a marker stay.
            (
                "Key (email)=(a@b.c) already exists.",
                "Key (email)=(a@b.c) already exists.",
            ),
            (
                "Key (lower(password::text))=(x)",
                "Key (lower(password::text))=(x)",
            ),
            ("Key (secret)=([REDACTED])", "Key (secret)=([REDACTED])"),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn an_object_or_a_list_under_a_sensitive_name_goes_whole() {
        for (text, want) in [
            // DynamoDB's item JSON: the values sit under type names that say nothing (each
            // was left in clear before).
            (
                r#"{"NewImage":{"cvv":{"S":"737"},"pin":{"N":"1234"},"id":{"S":"a"}}}"#,
                r#"{"NewImage":{"cvv":"[REMOVED]","pin":"[REMOVED]","id":{"S":"a"}}}"#,
            ),
            (
                r#"{"password":["a","b"],"x":[1]}"#,
                r#"{"password":"[REDACTED]","x":[1]}"#,
            ),
            (
                "{'api_key': {'S': 'a]b'}, 'x': 1}",
                "{'api_key': [REDACTED], 'x': 1}",
            ),
            (
                "Req { secret: [\"a\", \"b\"], brand: None }",
                "Req { secret: [REDACTED], brand: None }",
            ),
            ("password = [1, [2]] ok", "password = [REDACTED] ok"),
            // Brackets inside strings close nothing; an apostrophe opens no string.
            (
                r#"{"token":{"a":"}]"},"x":1}"#,
                r#"{"token":"[REDACTED]","x":1}"#,
            ),
            (
                "password: {note: don't [x]} after",
                "password: [REDACTED] after",
            ),
            // Not closed on its line: up to the line's end.
            ("cvv: [737, \nnext", "cvv: [REMOVED]\nnext"),
            (
                "\"secret\": {\"a\": \"b\nc\"} tail",
                "\"secret\": \"[REDACTED]\"\nc\"} tail",
            ),
            // A marker is left alone; a marker inside one is not.
            (
                "password: [REDACTED] then [1]",
                "password: [REDACTED] then [1]",
            ),
            (
                r#"{"password":{"old":"[REDACTED]","new":"hunter2"}}"#,
                r#"{"password":"[REDACTED]"}"#,
            ),
            // A name that holds no secret keeps its object, judged inside.
            (
                r#"{"card":{"cvc":"737","brand":"visa"},"token_type":["bearer"]}"#,
                r#"{"card":{"cvc":"[REMOVED]","brand":"visa"},"token_type":["bearer"]}"#,
            ),
        ] {
            assert_eq!(redact(text), want, "{text}");
        }
    }

    #[test]
    fn pretty_printed_values_are_redacted_across_their_lines() {
        // `{:#?}`: each value below was left in clear on the lines after its name.
        let debug = "Card {\n    number: \"4111111111111111\",\n    pin: Some(\n        \"1234\",\n    ),\n    secrets: [\n        \"a\",\n    ],\n    token: Some(\n        Token {\n            value: \"tok\",\n        },\n    ),\n    password: Secret { inner: \"x\" },\n    brand: Visa,\n}";
        assert_eq!(
            redact(debug),
            "Card {\n    number: \"411111******1111\",\n    pin: [REMOVED],\n    secrets: [REDACTED],\n    token: [REDACTED],\n    password: [REDACTED],\n    brand: Visa,\n}"
        );
        // Pretty-printed JSON: a quoted name at a line's start is a name (each of these
        // values was left in clear).
        let json = "{\n  \"password\": \"hunter2\",\n  \"cvv\": {\n    \"S\": \"737\"\n  },\n  \"x\": 1\n}";
        assert_eq!(
            redact(json),
            "{\n  \"password\": \"[REDACTED]\",\n  \"cvv\": \"[REMOVED]\",\n  \"x\": 1\n}"
        );
        // A struct's name alone, or a capitalised word before a brace in prose, is taken
        // whole only under a sensitive name.
        assert_eq!(redact("brand: Visa { x }"), "brand: Visa { x }");
    }

    #[test]
    fn unclosed_brackets_are_looked_at_a_bounded_number_of_times() {
        // Each would look 4 KiB ahead: after 16, only their own line is looked at, so the
        // time stays linear in the text's length.
        let text = "password: [\n".repeat(200_000);
        let started = std::time::Instant::now();
        let once = redact(&text);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(once, "password: [REDACTED]\n".repeat(200_000));
    }

    #[test]
    fn a_percent_before_the_floor_is_no_escape_before_a_name() {
        // The fuzzer found a wrapper's 4 KiB reach ending right after a `%`: the first pass
        // read `%3c` as an escape before the name (`vv`), the second, with the `%` replaced,
        // `3cvv` — and then took its object. (Wrappers now end at a bracket or a line's end.)
        assert_eq!(bare_name_start(b"x%3cvv", 0), 4);
        assert_eq!(bare_name_start(b"x%3cvv", 2), 2);
    }

    #[test]
    fn a_wrapper_with_no_end_in_reach_ends_on_a_character_boundary() {
        // Panicked before (found by the fuzzer): its 4 KiB limit fell inside a character.
        for pad in 0..3 {
            let text = format!("cvv: Some({}{}", "x".repeat(pad), "é".repeat(3000));
            let once = redact(&text);
            assert!(once.starts_with("cvv: [REMOVED]"), "{pad}");
            assert_eq!(redact(&once), once);
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

    #[test]
    fn form_fields_and_encoded_values_among_other_findings_are_redacted_once_for_all() {
        let pieces = [
            "card[",
            "cvc",
            "]",
            "=737",
            "%5B",
            "%5D",
            "%3D",
            "%22",
            "%26",
            "%20",
            "Some(\"",
            "\")",
            " => ",
            "4111111111111111",
        ];
        redacted_once_for_all(&pieces, 2028, " card[cvc]=737 ", "cvc]=737");
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
    fn arns_among_other_findings_are_redacted_once_for_all() {
        let pieces = [
            "arn",
            ":",
            "aws",
            "sm",
            "secret",
            "r",
            "1",
            "AKIAIOSFODNN7EXAMPLE",
            ";",
            "=",
            "4111111111111111",
            "2512101",
            "?",
            "x",
        ];
        let arn = " arn:aws:sm:r:1:secret:x ";
        redacted_once_for_all(&pieces, 2030, arn, "arn:aws:sm:r:1:secret:[REDACTED]");
    }

    #[test]
    fn unclosed_elements_are_looked_at_a_bounded_number_of_times() {
        // Quadratic before the bound: each `<cvv>` searched the rest for its closing tag.
        let text = "<pin>".repeat(4_000);
        assert_eq!(redact(&text), text);
        // Past the bound, a closed element is still found by its closing tag from the first
        // `<cvv>` before it (the value runs to the first closing tag).
        let text = "<pin>".repeat(4_000) + "<cvv>737</cvv>";
        assert!(redact(&text).ends_with("<cvv>[REMOVED]</cvv>"));
        // Closed elements are never counted: every one is found.
        let closed = "<cvv>737</cvv>".repeat(100);
        assert_eq!(redact(&closed), "<cvv>[REMOVED]</cvv>".repeat(100));
    }

    #[test]
    fn redaction_is_idempotent() {
        let twice_the_same = |s: &str| {
            let once = redact(s);
            assert_eq!(redact(&once), once, "{s:?}");
            once
        };
        for s in [
            "card 4111111111111111, Bearer abcdefghijkl, password=x",
            "AKIAIOSFODNN7EXAMPLE %B4111111111111111^A^1234?",
            "x000 000000000000-000000000=000",
            "00000 00000000 0000 0000000 000000=",
            "x-1-0000000000000-4-0-00-400-10000000A",
            "\n5 ASIA552555ASIA5525555555555555555P5555\n",
            "=000000000-00000000000-000-0-0)",
            "pWD=tWD=;4144445424445=8444451111111111111\0e;-;4A",
            r#"{"cvv":{"a":1},"password":"[REDACTED]"}"#,
            "411111******1111 5555555555554444",
            "4111+1111+1111+1111 5555+5555-5555 5555+4444 x+4111+1111+1111+1111+",
            "4111%201111%201111%201111%205555%205555%205555%204444%20%204111%201111-1111+1111",
            "%20%204111%201111%201111%201111%20%20 1%202%203 4111%2011**%20****%201111",
            "cvv%3D%2042%2042866268519018",
            "card%253D4111111111111111%2526cvv%253D%2520737%2520%2522%253A%25%2525253D",
            "arn:aws:sm:AKIAIOSFODNN7EXAMPLE:1:secret:x arn:aws:sm:r:4111111111111111:secret:y",
            "arn:aws:sm:r:1:;4111111111111111=2512101?:secret:x arn:aws:s:r:1:secret:secret:z",
            // A value inside a quoted name joined by `+` or `%20` is no name byte: once
            // removed, the quoted name held only name bytes and a marker (fuzzer).
            "\"cvv 411%201\":x \"cvv 411+1\":x {\"cvv 123\":\"737\"}",
            // Found by the fuzzer, each a second pass that changed something:
            // a card after a replaced value `*` (the mask character: taken for a masked
            // number's kept end, it hid the card until the value was gone);
            "csc:* 4211141111111",
            // a card after `***` after a replaced value ending in a digit (taken for a
            // masked number's kept first digits until the value was gone);
            "CSC=9 ***6666666666666",
            // an unclosed `[` after a name closed on the bracket of a removed value;
            "&CSC:[R x&CSC:ab&CSC:cd]",
            // An object or a list under a sensitive name is taken whole, closed or not; a
            // value inside it holding a bracket is never judged apart.
            "password=[x secret=x[ ] {'pin': {'S': 'it]s'}, 'x': 1} cvv: [\"a\nb\"] x",
            "{\"pin\":[\"[REMOVED]\"],\"cvv\":[REMOVED]} pin=[[REMOVED]]",
            // A wrapper closed across lines on a bracket a later finding took (fuzzer).
            "cvv=pa(x [REMOVED]\nKey (api_key)=(y }}",
            // A card in the groups after an encoded value that is removed: judged once the
            // value's groups are set aside, as a second pass sees them (fuzzer).
            "cvv%3D%20426860-510 43111+00000006",
            // A quoted value that closed on a later line, left alone for a marker there, lost
            // its closing quote to a value after it (fuzzer): quoted values close on their line.
            "token='x\n[REMOVED]cvv:\"'",
            // an outer quoted value that did not close across a newline closed once an
            // inner value was removed;
            "CSC:\"CSC:\\\"\n\\\"\"",
            // track 1 without its `%` took a `B` glued to the letters before it; removed, it
            // left them a word that ended like an AWS key id;
            "AKIAKIAAIAKAKIAKIAAKB0001753273463^^I114",
            // quotes written around a replaced value made what followed look like a name;
            "\"CSC\":N CSC\"=:",
            // quotes added around a masked number after `":` closed an unclosed value;
            "CSC:\":4624424624248",
            // masking a card inside a long name changed how many tokens came before `Pin`;
            "81111111-1-11110111-1xTTnTTnTnTPin1:1",
            // masking a card inside a long name shortened it under the length limit;
            "81111111111110111-CSC-11-311161-111-111-1111-11-11xxx111-111xxxxx:1",
            // a bare name reached back into a replaced AWS key id, past the length limit;
            "AKIAKIAASIA900HHHH00.000.00CTE90CAVJ59999bppppppppppppppppppCAV.1=J",
            // … but a masked card is name bytes on the second pass: the name runs through it.
            "AKI\x0055CAV.O1AKIAA4S333AWKI-433-3394-333-3-4-3322---:233KAIAAAI9r=J=",
            // PEM private keys: the body, or the whole block under a secret's name.
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIB\n-----END RSA PRIVATE KEY-----",
            "-----BEGIN PRIVATE KEY-----MIIE",
            "private_key: -----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY----- x",
            "-----BEGIN PRIVATE KEY----------END PRIVATE KEY-----",
            // An XML element's value that ended at its first `<` went on to the closing tag
            // once a value inside it (holding that `<`) was removed (found by the fuzzer).
            "<password>CSC='<'</password>",
            "<cvv>a<b>1</b></cvv> <cvv>x</cvv>",
            // A start tag a first pass could not read (a `<` in it) became readable once a
            // value in it was replaced (found by the fuzzer).
            "<a:pin pinCooKIE=<\"\">I</a:pin>",
            // An element inside another's quoted attribute was written at once, passing over
            // a value in its own start tag, which only a second pass removed (found by the
            // fuzzer); both elements' values, ending at one closing tag, nested the other way.
            "<a:pin \"<a:pin CSC=n>\">\x03</a:pin>",
            "<pin x='<cvv y=\"'>1</pin>\">2</cvv>",
            "<pin x='<cvv y=\"'>1</pin> cvv=3\">2</cvv>",
            // A URL-encoded value that started with `[` ended at a replacement's `]`.
            "CSCCo%3DG",
            // A name took a marker for a form field's part, and the name before it with it.
            "CSC;6666666666666=6633=6",
            // A card after a percent escape (`%22`), held with the value that holds it, was
            // written first, and the value's name went unheeded.
            "%20cvc%3D%224111111111111111%22",
            // A wrapper that closed once a value inside it was replaced, a quote's parity
            // changed, was not closed on a second pass.
            "cvcBearer %22cvv=Some(\"[REDACTED]password=\")\")",
            // A value that took the digit groups after it took one glued to a word, which
            // then started after a marker.
            "password=4111 4111111111111111Bearer /password=",
        ] {
            twice_the_same(s);
        }
        // Found by the fuzzer (as bytes, read as the fuzz target reads them):
        for bytes in [
            // removing a value took away the `/` that ended a URL's authority;
            &b":\0\0\0\0\0S://\x02S=..:@S.\0S://\x02S=S\x0b\0&CSC.4K:\xd9\xff\0\0\0\0S:/k/\x02SI*A&\xf7\xf7\xf7\xf7\xf7\xf7\xf7K\x94S\xff..\xff:@"[..],
            // in a long dashed run, the kept last digits of a masked card started a new one;
            &[
            0x29, 0xcc, 0x31, 0x31, 0x2d, 0x31, 0x31, 0x2d, 0x31, 0x31, 0x31, 0x2d, 0x38, 0x2d,
            0x31, 0x31, 0x2d, 0x31, 0x31, 0x31, 0x31, 0x2d, 0x38, 0x2d, 0x31, 0x31, 0x2d, 0x31,
            0x31, 0x31, 0x31, 0x2d, 0x31, 0x31, 0x2d, 0x31, 0x31, 0x31, 0x31, 0x2d, 0x31, 0x31,
            0x2d, 0x31, 0x31, 0x31, 0x2d, 0x36, 0x2d, 0x31, 0x31, 0x2d, 0x32, 0x32, 0x32, 0x32,
            0x2d, 0x31, 0x31, 0x2d, 0x31, 0x31, 0x31, 0x31, 0x2d, 0x31, 0x41, 0x4b, 0x4b, 0x49,
            0x31, 0x31, 0x31, 0x2d, 0x31, 0x31, 0x2d, 0x31, 0x31, 0x31, 0x31, 0x2d, 0x11, 0x31,
            0x2d, 0x31, 0x31, 0x31, 0x2d, 0x38, 0x2d, 0xcf, 0xce, 0xd2, 0xd4, 0x32, 0x32, 0x32,
            0x2d, 0x31, 0x31, 0x2d, 0x31, 0x31, 0x31, 0x31, 0x2d, 0x31, 0x31, 0x31, 0x2d, 0x31,
            0x31, 0x31, 0x2d, 0x31, 0x31, 0x31, 0x31, 0x31, 0x2d, 0x31, 0x31, 0x31, 0x2d, 0x31,
            0x31, 0x31, 0x31, 0x31, 0x31, 0x35, 0x31, 0x31,
        ],
            // a quoted name reached back over a removed value to an earlier quote.
            b"F\x99\xb4G'NN\x17NN/@\0\xc6\xcf*1&ASSIS\x0b\0fCSC.2zK:\xd9\0\xff1155\x19\xff#\xff\xff\xff\xb4O\x1b6\xc5'\t::2\t:~2[\t",
        ] {
            twice_the_same(&String::from_utf8_lossy(bytes));
        }
        // Found by the fuzzer: a URL's password found at `://` was written before the AWS
        // key id between the two, which the first pass then skipped.
        let once = twice_the_same(&String::from_utf8_lossy(
            b"0://\x9cB\xcbASIA77755554AYIA7775\x9cdccccK.Kc\x9cjJc:\xd2.@",
        ));
        assert!(!once.contains("ASIA77755554AYIA7775"), "{once}");
    }

    #[test]
    fn the_literal_check_agrees_with_the_scanner() {
        for inert in [
            "Payment authorized",
            "amount",
            "order_id",
            "GET /v1/charges 200 in 12 ms",
        ] {
            assert!(literal_is_inert(inert), "{inert}");
            assert_eq!(redact(inert), inert);
        }
        for live in [
            "a=b",
            "x: y",
            "Bearer",
            "4111111111111111",
            "AKIA",
            "eyJ",
            "q\"",
            "é",
        ] {
            assert!(!literal_is_inert(live), "{live}");
        }
    }

    /// Everything the scan hands on, as owned values: `quick`, then `walk` where `quick`
    /// leaves it — and where `quick` answers alone, `walk` from scratch must agree.
    fn pieces_of(c: impl Classifier, r: &Redactor, s: &str) -> (Vec<(String, bool)>, bool, bool) {
        let mut pieces = Vec::new();
        let mut walked = |first_two| {
            walk(c, r, s, first_two, |piece, flagged| {
                pieces.push((format!("{piece:?}"), flagged));
            })
        };
        let scanned = match quick(c, s.as_bytes()) {
            Ok(quick) => {
                let slow = walked(None);
                assert!(!slow.found, "quick passed over a finding in {s:?}");
                assert_eq!(quick.plain, slow.plain, "{s:?}");
                quick
            }
            Err(first_two) => walked(first_two),
        };
        (pieces, scanned.found, scanned.plain)
    }

    #[test]
    fn every_classifier_leads_the_scan_to_the_same_pieces() {
        let r = Redactor::new();
        let words = [
            "4111111111111111",
            "4111 1111 1111 1111",
            "Bearer ",
            "basic ",
            "token ",
            "AKIA",
            "ASIAIOSFODNN7EXAMPLE",
            "eyJa.eyJb.c",
            "password=",
            "cvv: ",
            "\"pin\":\"",
            "<cvv>",
            "</cvv>",
            "://u:p@h",
            " ",
            "-",
            "=",
            ":",
            "\"",
            "\\",
            "\n",
            "é",
            "ok",
            "bake",
            "Joke",
            "yJ",
            "12",
            "x",
        ];
        let mut rng = fastrand::Rng::with_seed(17);
        for _ in 0..20_000 {
            let text: String = (0..rng.usize(1..24))
                .map(|_| words[rng.usize(..words.len())])
                .collect();
            let baseline = pieces_of(Baseline, &r, &text);
            assert_eq!(baseline.1, r.redact(&text) != text, "{text:?}");
            #[cfg(target_arch = "x86_64")]
            if let Some(avx2) = crate::classify::Avx2::detect() {
                assert_eq!(pieces_of(avx2, &r, &text), baseline, "{text:?}");
            }
        }
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
    }
}

#[cfg(test)]
mod escaping_tests {
    use super::*;

    /// Every special byte at every distance before and after a finding: the JSON written
    /// parses back to the redacted text.
    #[test]
    fn pieces_around_findings_are_escaped_wherever_the_special_bytes_are() {
        let r = Redactor::new();
        for finding in [
            "Bearer\tabc123DEF456",
            "password: x\"y",
            "4111111111111111",
            "eyJa.eyJb.c",
        ] {
            for special in ['\t', '"', '\\', '\n', '\u{1}', 'é', '\u{2028}'] {
                for before in 0..40 {
                    for after in 0..12 {
                        let text = format!(
                            "{}{special}{}{finding}{}{special}{}",
                            "a".repeat(before),
                            " ".repeat(before % 3),
                            " ".repeat(after % 2),
                            "b".repeat(after)
                        );
                        let mut out = b"\"".to_vec();
                        r.write_json_str(&mut out, &text);
                        out.push(b'"');
                        let back: String = serde_json::from_slice(&out).unwrap_or_else(|e| {
                            panic!("{e}: {text:?} -> {}", String::from_utf8_lossy(&out))
                        });
                        assert_eq!(back, r.redact(&text), "{text:?}");
                    }
                }
            }
        }
    }
}
