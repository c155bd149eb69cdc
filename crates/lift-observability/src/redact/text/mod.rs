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
//! | | a Slack token `xoxb-…` (its digits after the prefix) with no name before it | the body `[REDACTED]`, the prefix kept |
//! | | a chip card's PAN or track data in hex (tags `5A`, `57`, `9F6B`, `56`), glued to its tag and length (`…5A084111…`: [`emv`]) | the PAN masked, the track `[REMOVED]` |
//! | a digit after a space that does not break (U+00A0, U+2007, U+2009, U+202F) after a digit; the `\` of such a space escaped between digits (`\u00a0`) | a card number whose groups such spaces join (`4111\u{a0}1111\u{a0}…`, as a web page or a PDF writes one; `4111\u00a01111…`, as Python's `json.dumps` does), its run judged from its start | as a card number, the spaces kept |
//! | a digit after a space, a quote or a tab (in any string) | a PIN or a security code after its name, a noun and a verb (`PIN 1234`, `PIN "1234"`, `PIN code is 1234`, `PIN changed to 1234`, `CSC 123`, `CID 1234`, `security code 737`: [`named_codes`]) | the code `[REMOVED]` |
//! | | a one-time code after its name (`OTP 123456`, `verification code is 482913`: [`named_codes`]) | the code `[REDACTED]` |
//! | a string's start | a provider's token the string starts with (a field's value `ghp_…`: [`prefixed_keys`]) | the body `[REDACTED]`, the prefix kept |
//! | `:` after `arn` | an ARN's prefix ([`arns`]): its fields are no names | nothing; its colons are passed over |
//! | `=` or `:` after a name | `name=value`, `name: value`, `"name":"value"`, `'name': 'value'`, `name => value`, form fields `card[cvc]=737`, PostgreSQL's `Key (cvv)=(737)`, `Debug`'s `cvc: Some("737")`, the value a serde or `validator` error quotes after the field's path, or MySQL's before its column's (`Incorrect integer value: '1234' for column 'pin'`: [`echoes`]), an object or a list (`"cvv":{"S":"737"}`) for a sensitive-data name (`cvv`, `pin`…) | the value `[REMOVED]` (a wrapped or bracketed one whole), the name kept |
//! | | the same for a secret name (`password`, `Authorization` — its credential whatever the scheme —, `X-Api-Key`, `aws_secret_access_key`…, a label of words such as `API Key:`) or a configured marker | the value `[REDACTED]` (up to a private key's armour, whose body is the key's own finding) |
//! | | any text in base64 under a payload's name (`"body":"Y2FyZF9…"`, `data: Some("…")`, `payload=…`: [`keys::is_payload_key`](super::keys::is_payload_key)) whose text holds a finding ([`encoded`](super::encoded)) | the run `[REDACTED]` |
//! | | a provider's token as the value whatever the name (`"Value":"ghp_…"`, `GH_PAT=glpat-…`, `error: whsec_…`: [`prefixed_keys`]) | the body `[REDACTED]`, the prefix kept |
//! | | a JSON Web Key's private member and its quoted key material (`"d":"…"`, `'k': '…'`: [`jwk`](crate::redact::jwk)) | the value `[REDACTED]` |
//! | | a YAML value on the lines under a name that starts its line (`password: \|` and a block scalar, `api_key:` and indented lines) | the indented lines' text `[REDACTED]` / `[REMOVED]` |
//! | | a form's field in a multipart body, named for sensitive data or a secret in its part's header (`Content-Disposition: form-data; name="cvv"`, raw or JSON-escaped: [`multipart`]) | the value after the part's headers `[REMOVED]` / `[REDACTED]` |
//! | | an OAuth authorization code, a query's or a form's `code` reading as one (`/callback?code=…&state=…`, `grant_type=authorization_code&code=…`: [`oauth`]) | the value `[REDACTED]` |
//! | `%` of `%3D`/`%3A` (or `%253D`/`%253A`, encoded twice) after a name | the same URL-encoded: `password%3Dhunter2`, `card%5Bcvc%5D%3D737`, `%22cvv%22%3A%22737%22`, `cvv%253D737` | the value up to an encoded or plain delimiter, as above |
//! | `%` of `%20` before a digit | a card number whose groups a URL's encoded spaces join (`4111%201111%201111%201111`), its run judged from its start | as a card number, the `%20`s kept |
//! | `:` before `//` | URL user-info `scheme://user:password@host`, or a user that is a token (`https://ghp_…@host`) | the password, or the token after its prefix, `[REDACTED]` |
//! | `<` | an XML element `<cvv>737</cvv>`, `<Password>…</Password>`, `<field name="cvv">737</field>` for a sensitive-data or secret name (the element's, or its `name` or `key` attribute's) | the value up to its closing tag `[REMOVED]` / `[REDACTED]`, the tags kept |
//! | `B`/`b` | `Bearer <token>`, `Basic <credentials>` | the token `[REDACTED]` |
//! | | aws_lambda_events' `Base64Data([123, 34, …])`, bytes as their values whose text holds a finding ([`encoded`](super::encoded)); the same list after a name's `:` | the list `[REDACTED]` |
//! | | a PEM private key, `-----BEGIN …PRIVATE KEY-----` to its `-----END` (or the string's end) | the body `[REDACTED]`, the armour kept, whatever name or scheme comes before it |
//! | `k` (before `e`) | `Token <token>` | the token `[REDACTED]` |
//! | | the value an error quotes before a key's name: MySQL's duplicate entry (`Duplicate entry '…' for key 'sessions.token'`), config-rs's and figment's type errors (`` invalid type: string "…", expected u16 for key `db.password` ``: [`echoes`]) | the value `[REDACTED]` / `[REMOVED]` |
//! | | a key after a secret's kind, `key` and a blank in prose (`invalid API key 4478…`, `HMAC key is "…"`: [`named_secrets`]) | the value `[REDACTED]` |
//! | | Stripe secret and restricted keys `sk_live_…`, `rk_test_…`, Checkout.com's keys `sk_sbox_…`, `sk_…` (base32 or a UUID), with no name before them | the body `[REDACTED]`, the prefix kept |
//! | | OpenAI, Anthropic and OpenRouter secret keys `sk-…`, `sk-proj-…`, `sk-ant-api03-…`, `sk-or-v1-…` with no name before them | the body `[REDACTED]`, the prefix kept |
//! | `A` | AWS access key ids `AKIA…`/`ASIA…`, and the secret access key right after one (`AKIA… / wJalr…`) | `[REDACTED]` each |
//! | | Google API keys `AIza…` with no name before them | the body `[REDACTED]`, the prefix kept |
//! | | Adyen's API keys `AQE…` and Square's access tokens `EAAA…` with no name before them ([`payment_keys`]) | the body `[REDACTED]`, the prefix kept |
//! | `J` | JWTs `eyJ….….…` (unsigned ones too) | `[REDACTED]` |
//! | | JSON encoded in base64 (`eyJ…`, `{"`'s encoding: an API Gateway or ALB event's body when `isBase64Encoded`) whose text holds a finding ([`encoded`](super::encoded)) | all of it `[REDACTED]` |
//! | `"` (or `\` of `\"`) after `(` | a value in a wrapper named for a secret or sensitive data, as `Debug` writes a newtype (`Password("hunter2")`, `ApiKey(Some("…"))`, `PinBlock("…")`; JSON-escaped too) | the quoted text `[REDACTED]` / `[REMOVED]` |
//! | `"` before `,` after `(`; a secret's name's `w`, `r`, `k` or `v` | a SQL statement's values matched to their columns by position (`INSERT INTO t ("email", "password") VALUES ('a@b.c', 'hunter2')`, every row; Diesel's `-- binds: […]` after `VALUES ($1, $2)`, or after `SET "password" = $1` from its `=`: [`sql`]) | the value `[REDACTED]` / `[REMOVED]`, quotes kept |
//! | `:` after a struct's only field | its value, the struct named for a secret or sensitive data, as `Debug` writes a newtype whose field is named (`Secret { inner: "hunter2" }`, `Pin { value: 1234 }`, over lines too: [`wrappers`]) | the value's text `[REDACTED]` / `[REMOVED]` |
//! | `w` after `s` (or `r`) | a password after `password` or `passwd` and a blank in prose, perhaps after `is`/`was` or a change and `to` (`Password reset to …`) — quoted, or bare and holding a digit, a symbol or an inner capital (`with password hunter2`, `the password is P@ssw0rd!`: [`named_secrets`]) | the value `[REDACTED]` |
//! | `v` after `c` | a card security code written after its name and a space, as prose has it (`CVV 737`, `cvc2 "1234"`) | the code `[REMOVED]` |
//! | `r` after `c` | a secret after a secret's kind, `secret` and a blank in prose, perhaps after `is`/`was` — quoted, or bare and holding a digit, a symbol or an inner capital (`invalid client secret 8f2a…`, `webhook signing secret is "…"`: [`named_secrets`]) | the value `[REDACTED]` |
//! | a secret's or a card code's name's `w`, `r`, `k` or `v`, as above | a pair in single quotes as Python's `repr` writes one (`ImmutableMultiDict([('password', 'hunter2')])`, `('cvv', 737)`: [`wrappers`]) | the second item's text `[REDACTED]` / `[REMOVED]` |
//! | `-` before `-` | a command line's long flag and its value after a blank, for a secret or sensitive-data name: `--password hunter2`, as `Command`'s `Debug` quotes it (`"--password" "hunter2"`), in a list of arguments (`["--api-key", "k"]`) | the value `[REDACTED]` / `[REMOVED]` |
//! | `\` | `=` and `<` escaped HTML-safe, as Gson and Go's `encoding/json` write them: `cvv\u003d737`, `\u003ccvv\u003e737\u003c/cvv\u003e` | as for `=` and `<` |
//! | `_`; `-` or `.` after a letter from `g` on (most told from the three bytes before them) | a provider's token whose prefix ends in it, wherever it stands (`pushing with ghp_…`, `<pat>whsec_…</pat>`, `vault said hvs.…`, `deploy with glpat-…`: [`prefix_ends`]) | the body `[REDACTED]`, the prefix kept |
//! | | a Stripe client secret with no name before it (`pi_…_secret_…`) | the body `[REDACTED]`, the intent's id kept |
//! | | a Braintree access token with no name before it (`access_token$production$…`) | the body `[REDACTED]`, the prefix kept |
//!
//! Names are judged by the same token rules as field keys ([`super::keys`]). Redaction is
//! idempotent: what it wrote is never found again (fuzzed).
//!
//! This module holds the walk and what every detector shares (a [`Finding`], the markers,
//! a few byte readers); each detector family has a module of its own: [`cards`] (digit runs,
//! security codes; [`emv`], a chip card's data in hex; [`named_codes`], PINs and codes
//! — one-time codes too — after their names; [`named_secrets`], a password, a key or a
//! secret after its name), [`separators`] (a `=` or `:`: the name before it, read by
//! [`names`]; the value after it, by [`values`], ending as [`value_ends`] and [`yaml`] say,
//! read past words that report a state by [`statuses`], or quoted by a library's error as
//! [`echoes`] finds it),
//! [`elements`] (XML), [`commands`] (command lines' flags), [`oauth`] (an authorization
//! code in a query), [`wrappers`] (`Debug`'s newtypes and tuples),
//! [`credentials`](mod@credentials) (secrets told by a literal of their own),
//! [`prefixed_keys`] (providers' keys told by their prefix; [`prefix_ends`], those found at
//! the `_`, `-` or `.` that ends their prefix; [`payment_keys`], Adyen's and Square's, at a
//! capital `A`), [`pem`] (private keys) and [`arns`] (an ARN's fields, which hold no names).
//! [`output`] writes the pieces; [`short`] judges strings too short to walk.

mod arns;
mod cards;
mod commands;
mod credentials;
mod echoes;
mod elements;
mod emv;
mod multipart;
mod named_codes;
mod named_secrets;
mod names;
mod oauth;
mod output;
mod payment_keys;
mod pem;
mod prefix_ends;
mod prefixed_keys;
mod separators;
mod short;
mod sql;
mod statuses;
#[cfg(test)]
mod test_support;
mod urls;
mod value_ends;
mod values;
mod wrappers;
mod yaml;

pub(in crate::redact) use names::{ends_with_marker, is_marker_at};
pub(crate) use short::{SHORT, Short, short_verdict};
pub(crate) use statuses::reports_on_card_data;

#[cfg(target_arch = "x86_64")]
use crate::classify::Avx2;
use crate::classify::{BLOCK, Baseline, Classes, Classifier};
use crate::redact::byte_class;
use crate::redact::card;
use crate::redact::{Counts, Redactor};
use cards::{
    card_finding, card_run, may_hold_card, run_across_escaped_space, run_across_unbreaking_space,
    security_code_in_prose,
};
use commands::flag_value;
use credentials::{aws_key_id, bedrock_api_key, credentials, jwt, letter_k, may_open_credentials};
use elements::{element, escaped_element};
use named_codes::{code_after_escaped_tab, code_after_name, may_follow_name};
use named_secrets::{ends_pass, names_secret, password_after_name, secret_after_name};
use output::{Held, Output};
use payment_keys::{adyen_api_key, may_fit_token_at_a, paypal_access_token, square_access_token};
use prefix_ends::{prefixes_ending_at, token_at_prefix_end};
use prefixed_keys::{google_api_key, may_start_with_token, slack_token, token_at_start};
use separators::{Lines, encoded_separator, separator, separator_ending_at};
use wrappers::{single_quoted_tuple_value, tuple_value, wrapped_value};

/// Replaces secrets.
pub const REDACTED: &str = "[REDACTED]";
/// Replaces sensitive authentication data.
pub const REMOVED: &str = "[REMOVED]";

/// A part of redacted text, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    /// Text of the input, unchanged (always whole characters).
    Raw(&'a str),
    /// A card number as it stood (digits and the joiners between its groups: spaces,
    /// dashes, plus signs, `%20`): to be written masked.
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
    /// An `r` after a `c`: perhaps a secret's name (`client secret x9y8…`).
    LetterR,
    LetterW,
    /// A double quote before a comma or after a `(`: perhaps where a tuple's first item
    /// ends, or a wrapper's text starts.
    Quote,
    /// A dash before a dash: perhaps a command line's long flag; after a letter from `g` on:
    /// perhaps the end of a provider's token prefix (`glpat-`).
    Dash,
    /// A dot after a letter from `g` on: perhaps the end of a provider's token prefix
    /// (`hvs.`).
    Dot,
    /// A backslash: perhaps an escaped `=` or `<` (`\u003d`, `\u003c`).
    Backslash,
    /// An underscore: perhaps the end of a provider's token prefix (`ghp_`).
    Underscore,
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
    t[b'R' as usize] = Anchor::LetterR;
    t[b'r' as usize] = Anchor::LetterR;
    t[b'W' as usize] = Anchor::LetterW;
    t[b'w' as usize] = Anchor::LetterW;
    t[b'"' as usize] = Anchor::Quote;
    t[b'-' as usize] = Anchor::Dash;
    t[b'.' as usize] = Anchor::Dot;
    t[b'\\' as usize] = Anchor::Backslash;
    t[b'_' as usize] = Anchor::Underscore;
    t
};

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
    /// Two secrets and what joins them (printable ASCII, nothing to escape): `[REDACTED]`,
    /// the text from `first_end` up to `second_start` as it is, `[REDACTED]` (an AWS access
    /// key id and its secret access key: `AKIA… / wJalr…`).
    SecretPair {
        first_end: usize,
        second_start: usize,
    },
    Fixed(&'static str),
    /// A multipart body's part value: `marker`, unless this pass replaced text after
    /// `after` (the part's `name=`) before reaching it — a header's value, the field's name —
    /// which the next pass would read shorter, so that both passes leave the value alike
    /// ([`multipart`]).
    PartValue {
        marker: &'static str,
        after: usize,
    },
    /// `"[REDACTED]"`/`"[REMOVED]"` between quotes (the second, `"` or escaped as the
    /// name's are: `\"`): a bare JSON value under a quoted name.
    Quoted(&'static str, &'static str),
    /// A SQL value matched to its column by position ([`sql`]): the marker `columns` give
    /// the `index`th column's; the `,` or `)` after the value stands at `delimiter` (where the
    /// next one is looked for), the statement's rows at `rows` (for the binds after them;
    /// `None` in a list of binds).
    Positional {
        columns: sql::Columns,
        index: u32,
        delimiter: usize,
        rows: Option<usize>,
    },
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
    let card_starts = run_starts & !broken;
    // A string that may start with a provider's token is the walk's: its first byte is no
    // anchor whose kind the loop below could rule on (`r8_…` is no `secret`'s `r`).
    if may_start_with_token(bytes) {
        return Err(Some((first, second)));
    }
    let mut look_at = wide(first.anchors, second.anchors) | card_starts;
    // A `_`, `-` or `.` that may end no provider's prefix (`pay_`, `requires_action`,
    // `us-east-1`; a `-` before a `-` may start a flag), a number after a space and no code's
    // name (`Order 12345`) are nothing for the walk: most strings with one are told here.
    while look_at != 0 {
        let at = look_at.trailing_zeros() as usize;
        let nothing = match bytes.get(at) {
            Some(b'_' | b'.') => prefixes_ending_at(bytes, at) == 0,
            Some(b'-') => bytes.get(at + 1) != Some(&b'-') && prefixes_ending_at(bytes, at) == 0,
            // A card's run needs 13 digits (a phone number's, `+49 30 1234 5678`, has fewer);
            // a Slack token's digits follow its `xoxb-`.
            Some(b'0'..=b'9') => {
                !may_follow_name(bytes, at)
                    && (card_starts >> at & 1 == 0
                        || !may_hold_card(bytes, at) && (at == 0 || bytes[at - 1] != b'-'))
                    // A group after an unbreaking space is where the walk finds its run.
                    && (at == 0
                        || bytes[at - 1].is_ascii()
                        || card::group_end_before_unbreaking_space(bytes, at).is_none())
            }
            Some(b'r' | b'R') => !names_secret(bytes, at),
            // A `b` that starts no word `credentials` reads (`be9` in a UUID, `Bank`).
            Some(b'b' | b'B') => !may_open_credentials(bytes, at),
            // A `w` that ends no `pass` (`password`, `passwd`).
            Some(b'w' | b'W') => !ends_pass(bytes, at),
            // A `cv` with no room after it for a code (`incorrect_cvc`).
            Some(b'v' | b'V') => bytes.len() <= at + 3,
            // An `A` with no room after it for any token anchored there (`pay_…AK…`).
            Some(b'A') => !may_fit_token_at_a(bytes, at),
            _ => false,
        };
        if !nothing {
            return Err(Some((first, second)));
        }
        look_at &= look_at - 1;
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
    // A provider's token the whole string starts with (a field's value): held like a
    // value after its name, its anchor the string's start.
    if may_start_with_token(bytes)
        && let Some(token) = token_at_start(bytes, redactor.counts())
    {
        let nothing_held_before = held.hold(token);
        debug_assert!(nothing_held_before.is_none());
    }
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
        let card_starts = run_starts & !(broken as u32);
        let mut flags = classes.anchors | card_starts;
        let mut next = i + BLOCK;
        while flags != 0 {
            let at = i + flags.trailing_zeros() as usize;
            flags &= flags - 1;
            if at >= bytes.len() || at < out.copied {
                continue;
            }
            if at >= held.due
                && let Some(p) = held.pop_due(at, &out, redactor.counts())
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
                    } else if let Some(code) = may_follow_name(bytes, at)
                        .then(|| code_after_name(bytes, at, out.name_floor, redactor.counts()))
                        .flatten()
                    {
                        // A PIN or a security code after its name (`PIN 1234`): judged
                        // before a card, as a number it starts goes with it.
                        Some(code)
                    } else if at > 0
                        && !bytes[at - 1].is_ascii()
                        && let Some((found, end)) = run_across_unbreaking_space(
                            &bytes[..held.due.min(bytes.len())],
                            &out,
                            at,
                            redactor.counts(),
                        )
                    {
                        // A group after a space that does not break (`4111\u{a0}1111…`).
                        resume = end;
                        found
                    } else if card_starts >> (at - i) & 1 == 0 {
                        None
                    } else if let Some(key) = slack_token(bytes, at, redactor.counts()) {
                        // A Slack token's digits after its `xoxb-`.
                        Some(key)
                    } else {
                        // A finding held to be written inside the run (a flag's value, `--CV2
                        // 62 625 573755 …`) ends it, as its marker does for a second pass.
                        let run = &bytes[..held.due.min(bytes.len())];
                        let (found, end) = card_run(run, out.name_floor, at);
                        resume = end;
                        found.map(|f| card_finding(run, f, redactor.counts()))
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
                Anchor::LetterK => letter_k(redactor, bytes, at, out.name_floor)
                    .or_else(|| single_quoted_tuple_value(redactor, bytes, at, out.name_floor)),
                Anchor::LetterA => match bytes.get(at + 1) {
                    Some(b'I') => google_api_key(bytes, at, redactor.counts()),
                    Some(b'Q') => adyen_api_key(bytes, at, redactor.counts()),
                    Some(b'A') => square_access_token(bytes, at, redactor.counts())
                        .or_else(|| paypal_access_token(bytes, at, redactor.counts())),
                    Some(b'B') => bedrock_api_key(bytes, at, redactor.counts()),
                    _ => aws_key_id(bytes, at, redactor.counts()),
                },
                Anchor::LetterJ => jwt(redactor, bytes, at),
                Anchor::LetterV => security_code_in_prose(redactor, bytes, at, out.name_floor)
                    .or_else(|| single_quoted_tuple_value(redactor, bytes, at, out.name_floor)),
                Anchor::LetterR => secret_after_name(redactor, bytes, at, out.name_floor)
                    .or_else(|| single_quoted_tuple_value(redactor, bytes, at, out.name_floor)),
                Anchor::LetterW => password_after_name(redactor, bytes, at, out.name_floor)
                    .or_else(|| single_quoted_tuple_value(redactor, bytes, at, out.name_floor)),
                Anchor::Quote => wrapped_value(redactor, bytes, at, out.name_floor)
                    .or_else(|| tuple_value(redactor, bytes, at, out.name_floor)),
                Anchor::Dash if bytes.get(at + 1) == Some(&b'-') => {
                    flag_value(redactor, bytes, at, out.name_floor)
                }
                // `Password(\"…\")` in JSON-escaped text: a wrapper's escaped quote — its `(`
                // not text a replacement wrote over (the next pass reads a marker there).
                // A no-break space escaped as JSON keeps to ASCII (`4111\u00a01111…`, Python's
                // `json.dumps`) between a card's groups.
                Anchor::Backslash
                    if at >= resume.max(1)
                        && bytes[at - 1].is_ascii_digit()
                        && let Some((found, end)) = run_across_escaped_space(
                            &bytes[..held.due.min(bytes.len())],
                            &out,
                            at,
                            redactor.counts(),
                        ) =>
                {
                    resume = end;
                    found
                }
                Anchor::Backslash if at > out.name_floor && bytes[at - 1] == b'(' => {
                    wrapped_value(redactor, bytes, at, out.name_floor)
                }
                Anchor::Backslash => {
                    after_backslash(redactor, bytes, at, &out, &mut lines, &mut unclosed)
                }
                Anchor::Underscore | Anchor::Dash | Anchor::Dot => {
                    match prefixes_ending_at(bytes, at) {
                        0 => None,
                        prefixes => token_at_prefix_end(bytes, at, prefixes, redactor.counts()),
                    }
                }
            };
            let Some(f) = found else { continue };
            if f.start > at {
                if let Some(earliest) = held.hold(f)
                    && !out.voids(&earliest)
                {
                    out.put(c, earliest, i + BLOCK, &mut emit);
                }
                continue;
            }
            let end = out.put(c, f, i + BLOCK, &mut emit);
            if end <= at {
                // Read back from its anchor (a value an error quotes before the name): the
                // bytes from its end to the anchor were classified before the put, and are
                // not again.
                out.flagged |= escapes_between(c, bytes, end, at + 1);
            }
            next = end.max(at + 1);
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
            if out.voids(&p) {
                continue;
            }
            held.hold_next_value(&p, &out, redactor.counts());
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

/// At a `\`: an `=` or a `<` escaped as Gson (Java) and Go's `encoding/json` write them by
/// default, HTML-safe (`\u003d`, `\u003c`) — a name and its value (`cvv\u003d737`), an XML
/// element (`\u003ccvv\u003e737\u003c/cvv\u003e`), as [`separator`] and [`element`] find
/// them written plainly; a tab escaped before a code's digits (`PIN\t1234`: the digit after
/// a letter anchors nothing).
#[cold]
fn after_backslash(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    out: &Output<'_>,
    lines: &mut Lines,
    unclosed: &mut usize,
) -> Option<Finding> {
    match bytes.get(at + 1..at + 6) {
        Some(b"u003d") => separator_ending_at(redactor, bytes, at, at + 5, out, lines),
        Some(b"u003c") => escaped_element(redactor, bytes, at, unclosed),
        _ if bytes.get(at + 1) == Some(&b't') => {
            code_after_escaped_tab(bytes, at, out.name_floor, redactor.counts())
        }
        _ => None,
    }
}

// === findings ===

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

// === bytes the detectors share ===

/// `bytes` without the spaces and tabs at its end.
fn trim_end(bytes: &[u8]) -> &[u8] {
    let n = bytes
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(0, |p| p + 1);
    &bytes[..n]
}

/// `bytes` without the blanks and line breaks at its end, raw or escaped as JSON writes them
/// (`\n`, `\r`, `\t`, once or more: a multi-line document in a JSON line's message).
fn trim_end_lines(bytes: &[u8]) -> &[u8] {
    let mut end = bytes.len();
    loop {
        match bytes[..end] {
            [.., b' ' | b'\t' | b'\n' | b'\r'] => end -= 1,
            [.., b'\\', b'n' | b'r' | b't'] => {
                end -= 1;
                while end > 0 && bytes[end - 1] == b'\\' {
                    end -= 1;
                }
            }
            _ => return &bytes[..end],
        }
    }
}

/// `bytes` without the blanks and line breaks at its start, raw or escaped as JSON writes
/// them (see [`trim_end_lines`]).
fn trim_start_lines(bytes: &[u8]) -> &[u8] {
    let mut start = 0;
    loop {
        match bytes[start..] {
            [b' ' | b'\t' | b'\n' | b'\r', ..] => start += 1,
            [b'\\', ..] => {
                let run = bytes[start..].iter().take_while(|&&b| b == b'\\').count();
                match bytes.get(start + run) {
                    Some(b'n' | b'r' | b't') => start += run + 1,
                    _ => return &bytes[start..],
                }
            }
            _ => return &bytes[start..],
        }
    }
}

/// How long the blank at `at` is: a space or a tab, 1; a tab escaped as JSON text writes
/// one, once or more (`\t`, `\\t`: a JSON line's message, as `lift-ship --redact` reads it),
/// its backslashes and letter; 0 for any other byte.
fn blank_len(bytes: &[u8], at: usize) -> usize {
    match bytes.get(at) {
        Some(b' ' | b'\t') => 1,
        Some(b'\\') => {
            let run = bytes[at..].iter().take_while(|&&b| b == b'\\').count();
            if bytes.get(at + run) == Some(&b't') {
                run + 1
            } else {
                0
            }
        }
        _ => 0,
    }
}

/// Where the text after the blanks ([`blank_len`]) from `from` starts.
fn past_blanks(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    loop {
        match blank_len(bytes, at) {
            0 => return at,
            n => at += n,
        }
    }
}

/// Letters and digits, and the mask character: a byte that makes a word go on.
fn is_word_byte(b: u8) -> bool {
    byte_class::is(b, byte_class::WORD)
}

/// Whether a word starts at `at`: no letter, digit or mask character before it, bar the
/// letter of an escaped line break or tab (`\nBearer …`).
fn at_word_start(bytes: &[u8], at: usize) -> bool {
    at == 0 || !is_word_byte(bytes[at - 1]) || card::ends_escaped_blank(bytes, 0, at)
}

/// Whether a provider's key or token may start at `start`: where a word starts
/// ([`at_word_start`]), after a `*` — Markdown's and Slack's emphasis (`**ghp_…**`); a masked
/// card number's `*`s stand between digits, never before a prefix —, or after a
/// percent-encoded byte that is no word's (`next%3Dsk_live_…`, `%22AKIA…%22`; encoded twice,
/// `%253D`).
fn starts_token(bytes: &[u8], start: usize) -> bool {
    at_word_start(bytes, start)
        || start > 0 && bytes[start - 1] == b'*'
        || [3, 5].into_iter().any(|width| {
            start >= width
                && names::percent_decoded(bytes, start - width)
                    .is_some_and(|(b, w)| w == width && !is_word_byte(b))
        })
}

/// Whether a code's digits ending at `end` end a word: no letter, digit, `_` or mask
/// character glued after them, no decimal part (`123.45`) — nor a marker glued after them or
/// their `.`, where the pass before had the text it replaced, digits perhaps (`5713[REMOVED]`:
/// a chip card's track 2 after its tag and length; `391.[REMOVED]`).
fn code_ends_at(bytes: &[u8], end: usize) -> bool {
    let digit_or_marker =
        |at: usize| bytes.get(at).is_some_and(u8::is_ascii_digit) || is_marker_at(&bytes[at..]);
    match bytes.get(end) {
        Some(b) if b.is_ascii_alphanumeric() || *b == b'*' || *b == b'_' => false,
        Some(b'[') => !is_marker_at(&bytes[end..]),
        Some(b'.' | b',') => !digit_or_marker(end + 1),
        _ => true,
    }
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Where the last `needle` in `haystack` starts.
pub(super) fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

// === text outside a JSON line, and literals known at compile time ===

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
            // Digits, joiners and the mask character: ASCII.
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
/// `=` or `:`, no blank (prose's names read a value after one: `PIN 1234`, `password
/// hunter2`), no credential scheme, AWS key prefix or JWT header. The logging macros use it on
/// literal keys, so such a key's `,"key":` is a constant.
pub(crate) const fn literal_is_inert(s: &str) -> bool {
    let b = s.as_bytes();
    let mut digits = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c <= b' ' || c > 0x7e || c == b'"' || c == b'\\' || c == b'=' || c == b':' {
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
    use crate::redact::text::test_support::*;

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
            // Fuzzer: right after a value replaced, a `(` that ended the value took the escape
            // for a wrapper's quote; on the next pass a marker stood there, and the token
            // after the `=` went (left in clear on the first).
            (
                r#"card[cvc]=*(\u003dghp_R2d2C3p0aBcDeFgHiJkLmNoPqRsTuVwXyZ01"#,
                r#"card[cvc]=[REMOVED]\u003dghp_[REDACTED]"#,
            ),
            // Nothing sensitive, an empty element, other escapes: left as they are.
            (
                r#"x\u003d1 \u003cb\u003ebold\u003c/b\u003e \u003ccvv/\u003e \u0026 C:\\pin \"q\""#,
                r#"x\u003d1 \u003cb\u003ebold\u003c/b\u003e \u003ccvv/\u003e \u0026 C:\\pin \"q\""#,
            ),
        ]);
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
        for inert in ["amount", "order_id", "http.status_code", "GET/v1/charges"] {
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
            // A blank: prose's names read what follows (written as they were before).
            "Payment authorized",
            "PIN 1234",
            "with password hunter2",
            "client secret x9Y8z7",
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
            "PIN ",
            "security code is ",
            "1234",
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
    fn the_quick_look_clears_only_strings_the_walk_finds_nothing_in() {
        // `quick` rules on each anchor alone (a `b` that starts no `Bearer`, a run of
        // digits too short for a card): wherever it says nothing is there, the walk must
        // find nothing — or a secret would pass unread.
        const PIECES: [&str; 45] = [
            "4111 1111 1111 1111",
            "4111\u{a0}1111\u{a0}1111",
            "\u{202f}",
            "4111111111111111",
            "+49 30 1234 5678",
            "1234567890123",
            "123456789012",
            "4111",
            "12",
            "xoxb-",
            "-",
            " ",
            "  ",
            "\t",
            "%20",
            "PIN ",
            "cvv ",
            "be",
            "bea",
            "Bas",
            "Bearer ",
            "basic ",
            "-----BEGIN ",
            "Base64Data([",
            "b",
            "B",
            "c6af9ac6-7b61-4e6d-9a41-93e8deadbeef",
            "=",
            ":",
            "\"",
            "Ab",
            "sk_live_",
            "AKIA",
            "abcDEF123",
            "x9y8z7w6",
            "5A08",
            "otp ",
            "password",
            "pass",
            "word",
            "incorrect_cvc",
            "AKIAIOSFODNN7EXAMPLE",
            "EAAAEOuLQPDnWpyHbmO7",
            "AQE",
            "AIza",
        ];
        let redactor = Redactor::new();
        let mut rng = fastrand::Rng::with_seed(45);
        let mut cleared = 0;
        for _ in 0..200_000 {
            let (mut s, most) = (String::new(), rng.usize(4..=2 * BLOCK));
            while s.len() < most {
                let piece = PIECES[rng.usize(..PIECES.len())];
                if s.len() + piece.len() > most {
                    break;
                }
                s.push_str(piece);
            }
            if quick(Baseline, s.as_bytes()).is_ok() {
                cleared += 1;
                let scanned = walk(Baseline, &redactor, &s, None, |_, _| {});
                assert!(
                    !scanned.found,
                    "cleared by the quick look, found by the walk: {s:?}"
                );
            }
        }
        assert!(cleared > 10_000, "{cleared}");
    }
}

#[cfg(test)]
mod escaping_tests {
    use super::*;

    /// `text` written as a JSON string's contents by `r`: it parses back, to `text` redacted
    /// (returned).
    fn written_and_read_back(r: &Redactor, text: &str) -> String {
        let mut out = b"\"".to_vec();
        r.write_json_str(&mut out, text);
        out.push(b'"');
        let back: String = serde_json::from_slice(&out)
            .unwrap_or_else(|e| panic!("{e}: {text:?} -> {}", String::from_utf8_lossy(&out)));
        assert_eq!(back, r.redact(text), "{text:?}");
        back
    }

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
                        written_and_read_back(&r, &text);
                    }
                }
            }
        }
    }

    /// A finding read back from its anchor (a value an error quotes before the setting's
    /// name): the special bytes between its end and the anchor are escaped too — the quote
    /// that closes the value among them (written raw once, the JSON broken).
    #[test]
    fn bytes_between_a_finding_and_the_anchor_it_was_read_back_from_are_escaped() {
        let r = Redactor::new();
        for special in ['\t', '"', '\\', '\u{1}', 'é'] {
            for before in 0..70 {
                let text = format!(
                    "{}invalid type: string \"hunter2\", expected a{special}b for key `db.password`",
                    "a".repeat(before)
                );
                let back = written_and_read_back(&r, &text);
                assert!(!back.contains("hunter2"), "{back}");
            }
        }
    }
}
