//! Text encoded inside text: JSON in base64, and bytes written as the list of their values.
//!
//! **Base64.** An API Gateway, ALB or function URL event's `body` when `isBase64Encoded` is
//! set (binary and form posts often are), a Kinesis or Firehose record's `data`, a queue's
//! payload. `{"` encodes as `eyJ` — the letters a JWT starts with, so the JWT detector's
//! anchor finds JSON wherever it stands; any other text is read where its name says it is a
//! payload ([`super::keys::is_payload_key`]: `body`, `data`, `payload`). A run of base64 that
//! is no JWT is decoded and its text scanned as any text is (each stretch of valid UTF-8);
//! when anything is found there the whole run is replaced, since the encoding cannot be
//! redacted in part. A run whose text holds nothing — a pagination cursor
//! (`eyJsYXN0X2lkIjoxMjN9`), a state parameter, an image — stays as it is.
//!
//! **Lists of byte values.** A `Vec<u8>` as `Debug` writes it (`[123, 34, …]`, one value a
//! line with `{:#?}`) and as JSON does (`[123,34,…]`): aws_lambda_events' `Base64Data`
//! (a Kinesis or Firehose record's data), a request's body. The values are read back into
//! bytes and scanned the same way.
//!
//! Bytes that start as gzip does are inflated first ([`gzip`]): a CloudWatch Logs
//! subscription's `awslogs.data`, gzip'd and then in base64.
//!
//! Decoding happens only where a detector points at such text, never on the way through
//! other text; up to [`STACK_TEXT`] encoded bytes (or [`STACK_BYTES`] values) are decoded on
//! the stack. Encoded text inside decoded text is decoded in turn, at most [`MAX_DEPTH`]
//! levels down.

use std::cell::Cell;

use super::text::scan;
use super::{Redactor, gzip};

/// Fewer encoded bytes than this hold nothing a detector finds (`{"pin":"1"}` takes 16).
const MIN_RUN: usize = 16;

/// Runs of up to this many encoded bytes are decoded into a buffer on the stack.
const STACK_TEXT: usize = 1024;

/// Encoded text inside encoded text is decoded this many levels down, no further.
const MAX_DEPTH: u8 = 4;

thread_local! {
    /// How many decodings the current thread is inside.
    static DEPTH: Cell<u8> = const { Cell::new(0) };
    /// How many more bytes gzip'd streams may inflate to inside the payload being read
    /// ([`gzip::INFLATION`] times its decoded size, set as its reading starts).
    static INFLATE_BUDGET: Cell<usize> = const { Cell::new(0) };
}

/// Where the base64 run starting at `start` (at its `eyJ`, or a payload's first byte) ends,
/// padding included, when the text it encodes holds anything the detectors find; `None`
/// when it holds nothing, is too short, is glued to a word after it, or is not base64.
#[cold]
#[inline(never)]
pub(crate) fn encoded_text_end(redactor: &Redactor, bytes: &[u8], start: usize) -> Option<usize> {
    let run = bytes[start..]
        .iter()
        .take_while(|&&b| sextet(b).is_some())
        .count();
    let padding = bytes[start + run..]
        .iter()
        .take(2)
        .take_while(|&&b| b == b'=')
        .count();
    let end = start + run + padding;
    if run < MIN_RUN || run % 4 == 1 || bytes.get(end).is_some_and(|&b| glues(b)) {
        return None;
    }
    let encoded = &bytes[start..start + run];
    let found = if run <= STACK_TEXT {
        let mut text = [0u8; STACK_TEXT / 4 * 3];
        let len = decode(encoded, &mut text);
        holds_findings(redactor, &text[..len])
    } else {
        let mut text = vec![0u8; run / 4 * 3 + 2];
        let len = decode(encoded, &mut text);
        holds_findings(redactor, &text[..len])
    };
    found.then_some(end)
}

/// Whether `bytes` are a gzip stream whose text holds anything the detectors find (a
/// `Vec<u8>` in a `Serialize` value holding a log subscription's events).
pub(crate) fn is_gzip_holding_findings(redactor: &Redactor, bytes: &[u8]) -> bool {
    gzip::is_gzip(bytes) && holds_findings(redactor, bytes)
}

/// Fewer byte values than this hold nothing a detector finds.
pub(crate) const MIN_BYTES: usize = 4;

/// Lists of up to this many byte values are read into a buffer on the stack.
const STACK_BYTES: usize = 512;

/// Where the list of byte values at `bytes[open]` (its `[`) ends, after its `]`, when the
/// text its values make holds anything the detectors find.
#[cold]
#[inline(never)]
pub(super) fn byte_list_end(redactor: &Redactor, bytes: &[u8], open: usize) -> Option<usize> {
    let (len, end) = byte_list(&bytes[open..])?;
    with_byte_values(&bytes[open..open + end], len, |values| {
        holds_findings(redactor, values)
    })
    .then_some(open + end)
}

/// The list of byte values `list` starts with (`[123, 34, 99]`, `[123,34,99]`, a value a
/// line, a comma after the last): how many values it holds and where it ends, after its `]`.
/// `None` for anything else — a value over 255, a word, a list of fewer than [`MIN_BYTES`].
pub(crate) fn byte_list(list: &[u8]) -> Option<(usize, usize)> {
    if list.first() != Some(&b'[') {
        return None;
    }
    let blanks = |from: usize| {
        from + list[from..]
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .count()
    };
    let (mut i, mut len) = (1, 0);
    loop {
        i = blanks(i);
        if list.get(i)? == &b']' {
            return (len >= MIN_BYTES).then_some((len, i + 1));
        }
        let digits = list[i..]
            .iter()
            .take(4)
            .take_while(|b| b.is_ascii_digit())
            .count();
        let value = list[i..i + digits]
            .iter()
            .fold(0u16, |v, &d| v * 10 + u16::from(d - b'0'));
        if digits == 0 || digits > 3 || value > 255 {
            return None;
        }
        len += 1;
        i = blanks(i + digits);
        match list.get(i)? {
            b',' => i += 1,
            b']' => return (len >= MIN_BYTES).then_some((len, i + 1)),
            _ => return None,
        }
    }
}

/// `f` given the values of `list`, a list [`byte_list`] found `len` values in (and no more
/// text after it), as bytes — read into a buffer on the stack when they are few.
pub(crate) fn with_byte_values<R>(list: &[u8], len: usize, f: impl FnOnce(&[u8]) -> R) -> R {
    let mut stack = [0u8; STACK_BYTES];
    let mut heap = Vec::new();
    let values = if len <= STACK_BYTES {
        &mut stack[..len]
    } else {
        heap.resize(len, 0);
        &mut heap[..]
    };
    let numbers = list
        .split(|b| !b.is_ascii_digit())
        .filter(|n| !n.is_empty());
    for (slot, number) in values.iter_mut().zip(numbers) {
        *slot = number
            .iter()
            .fold(0u8, |v, &d| v.wrapping_mul(10).wrapping_add(d - b'0'));
    }
    f(values)
}

/// Whether `b`, right after a run and its padding, makes the run part of something longer —
/// a letter or a digit, or what a pass writes in place of one (a marker's `[`, a masked
/// digit's `*`: `…cvv=737` glued to a run is `…cvv=[REMOVED]` on a second pass, and must be
/// judged alike).
fn glues(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'[' || b == b'*'
}

/// Whether any stretch of valid UTF-8 in `text` — or in what it inflates to, when it is a
/// gzip stream ([`gzip`]), within the budget of the outermost payload — holds what a
/// detector finds; `false` without a look when [`MAX_DEPTH`] decodings are under way on
/// this thread.
fn holds_findings(redactor: &Redactor, text: &[u8]) -> bool {
    let Ok(depth) = DEPTH.try_with(Cell::get) else {
        return false;
    };
    if depth >= MAX_DEPTH {
        return false;
    }
    if depth == 0 {
        let budget = text
            .len()
            .saturating_mul(gzip::INFLATION)
            .min(gzip::MAX_INFLATED);
        let _ = INFLATE_BUDGET.try_with(|b| b.set(budget));
    }
    let _ = DEPTH.try_with(|d| d.set(depth + 1));
    let read = |text: &[u8]| {
        text.utf8_chunks()
            .any(|chunk| scan(redactor, chunk.valid(), |_, _| {}).found)
    };
    // A gzip'd payload (a CloudWatch Logs subscription's) is read as the text it inflates
    // to, within what is left of the budget of the payload it is in.
    let found = if gzip::is_gzip(text) {
        let budget = INFLATE_BUDGET.try_with(Cell::get).unwrap_or(0);
        gzip::inflate(text, budget).is_some_and(|inflated| {
            let _ = INFLATE_BUDGET.try_with(|b| b.set(budget - inflated.len()));
            read(&inflated)
        })
    } else {
        read(text)
    };
    let _ = DEPTH.try_with(|d| d.set(depth));
    found
}

/// The six bits `b` stands for in base64, standard (`+`, `/`) or URL-safe (`-`, `_`).
fn sextet(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// Decodes `encoded` (base64 without its padding, every byte of the alphabets) into `out`,
/// which holds three bytes for every four; returns how many were written.
fn decode(encoded: &[u8], out: &mut [u8]) -> usize {
    let mut written = 0;
    for quad in encoded.chunks(4) {
        let bits = quad.iter().enumerate().fold(0u32, |acc, (k, &b)| {
            acc | u32::from(sextet(b).unwrap_or(0)) << (18 - 6 * k)
        });
        // Four characters make three bytes, three make two, two make one.
        let bytes = quad.len().saturating_sub(1);
        for k in 0..bytes {
            out[written] = (bits >> (16 - 8 * k)) as u8;
            written += 1;
        }
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(text: &[u8]) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(text)
    }

    #[test]
    fn rfc_4648_s_test_vectors_decode() {
        for (encoded, text) in [
            ("", ""),
            ("Zg", "f"),
            ("Zm8", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg", "foob"),
            ("Zm9vYmE", "fooba"),
            ("Zm9vYmFy", "foobar"),
        ] {
            let mut out = [0u8; 8];
            let n = decode(encoded.as_bytes(), &mut out);
            assert_eq!(&out[..n], text.as_bytes(), "{encoded}");
        }
    }

    #[test]
    fn decoding_reverses_encoding_at_every_length() {
        for len in 0..40 {
            let text: Vec<u8> = (0..len).map(|k| (k * 37 + 11) as u8).collect();
            let encoded = encode(&text);
            let unpadded = encoded.trim_end_matches('=');
            let mut out = vec![0u8; unpadded.len() / 4 * 3 + 2];
            let n = decode(unpadded.as_bytes(), &mut out);
            assert_eq!(&out[..n], &text[..], "{encoded}");
            // The URL-safe alphabet decodes alike.
            let url_safe = unpadded.replace('+', "-").replace('/', "_");
            let n = decode(url_safe.as_bytes(), &mut out);
            assert_eq!(&out[..n], &text[..]);
        }
    }

    #[test]
    fn lists_of_byte_values_are_read_as_debug_and_json_write_them() {
        for (list, expected) in [
            ("[112, 105, 110, 61] x", Some((4, 19))),
            ("[112,105,110,61]", Some((4, 16))),
            ("[\n    112,\n    105,\n    110,\n    61,\n]", Some((4, 38))),
            ("[0, 255, 7, 9]", Some((4, 14))),
            // Over 255, fewer than four, a word, a sign, unclosed, empty items.
            ("[0, 256, 7, 9]", None),
            ("[1, 2, 3]", None),
            ("[1, 2, 3, x]", None),
            ("[1, 2, 3, -4]", None),
            ("[1, 2, 3, 4", None),
            ("[1, 2, , 3, 4]", None),
            ("[1000, 2, 3, 4]", None),
        ] {
            assert_eq!(byte_list(list.as_bytes()), expected, "{list:?}");
            if let Some((len, end)) = expected {
                let values = with_byte_values(&list.as_bytes()[..end], len, <[u8]>::to_vec);
                assert_eq!(values.len(), len);
            }
        }
        let long: String = format!("[{}]", vec!["65"; 2000].join(", "));
        let (len, end) = byte_list(long.as_bytes()).expect("a list");
        assert_eq!((len, end), (2000, long.len()));
        assert!(with_byte_values(long.as_bytes(), len, |v| v
            .iter()
            .all(|&b| b == b'A')));
    }

    #[test]
    fn a_run_is_taken_whole_only_when_its_text_holds_a_finding() {
        let r = Redactor::new();
        let card = encode(br#"{"card":"4111111111111111","amount":1250}"#);
        let line = format!(r#"{{"body":"{card}","isBase64Encoded":true}}"#);
        let start = line.find("eyJ").unwrap();
        assert_eq!(
            encoded_text_end(&r, line.as_bytes(), start),
            Some(start + card.len())
        );
        let cursor = encode(br#"{"last_id":"pi_3MtwBwLkdIwHu7ix28a3tqPa","limit":10}"#);
        assert_eq!(encoded_text_end(&r, cursor.as_bytes(), 0), None);
        // Too short, glued to a word, not base64's length.
        let short = encode(br#"{"a":1}"#);
        assert_eq!(encoded_text_end(&r, short.as_bytes(), 0), None);
        // (The text's 41 bytes end the encoding with one `=` of padding.)
        let glued = format!("{card}x");
        assert_eq!(encoded_text_end(&r, glued.as_bytes(), 0), None);
    }

    #[test]
    fn an_event_s_encoded_body_goes_whole_and_what_it_held_is_counted() {
        // It was kept: every card number and code in the body in clear, encoded.
        let r = Redactor::new();
        let body = encode(br#"{"card":{"number":"4111111111111111","cvc":"123"}}"#);
        let event = format!(r#"{{"body":"{body}","isBase64Encoded":true}}"#);
        assert_eq!(
            r.redact(&event),
            r#"{"body":"[REDACTED]","isBase64Encoded":true}"#
        );
        let stats = r.stats();
        assert_eq!((stats.pan, stats.sensitive_auth_data), (1, 1), "{stats:?}");
        // A JWT is still a JWT.
        assert_eq!(
            r.redact("t eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln x"),
            "t [REDACTED] x"
        );
    }

    #[test]
    fn a_run_glued_to_a_value_a_pass_replaces_is_judged_alike_on_both_passes() {
        // Fuzzer: glued to `737` the run was left and `cvv=737` found; on a second pass,
        // glued to `[REMOVED]`, it was decoded (`{"password":…`) and replaced.
        let r = Redactor::new();
        let once = r.redact("x eyJwYXNzd29yZCI6cvv=737").into_owned();
        assert_eq!(once, "x eyJwYXNzd29yZCI6cvv=[REMOVED]");
        assert_eq!(r.redact(&once), once);
    }

    #[test]
    fn encoded_text_inside_encoded_text_is_read_a_few_levels_down() {
        let r = Redactor::new();
        let mut text = encode(br#"{"cvv":"737"}"#);
        for _ in 1..MAX_DEPTH {
            text = encode(format!(r#"{{"inner":"{text}"}}"#).as_bytes());
        }
        assert!(encoded_text_end(&r, text.as_bytes(), 0).is_some());
        let deeper = encode(format!(r#"{{"inner":"{text}"}}"#).as_bytes());
        assert_eq!(encoded_text_end(&r, deeper.as_bytes(), 0), None);
        assert_eq!(DEPTH.with(Cell::get), 0);
    }

    /// `text` gzip'd, as CloudWatch Logs compresses a subscription's events.
    fn gzip(text: &[u8]) -> Vec<u8> {
        super::gzip::tests::gzip(text, 0)
    }

    /// A CloudWatch Logs subscription's event as a forwarding function receives it.
    fn subscription_event(message: &str) -> String {
        let events = format!(
            r#"{{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/aws/lambda/payments","logStream":"2026/12/06/[$LATEST]8f14e45f","subscriptionFilters":["all"],"logEvents":[{{"id":"38719284719284719284719284719284719284719284","timestamp":1764221757123,"message":"{message}"}}]}}"#
        );
        format!(
            r#"{{"awslogs":{{"data":"{}"}}}}"#,
            encode(&gzip(events.as_bytes()))
        )
    }

    #[test]
    fn a_log_subscription_s_gzipped_events_are_read_and_go_whole_when_they_hold_a_finding() {
        // Written in clear before: the events' text was gzip'd, and read as bytes it held
        // nothing.
        let r = Redactor::new();
        let event = subscription_event(r#"charge declined card=4111111111111111 cvv=737"#);
        assert_eq!(r.redact(&event), r#"{"awslogs":{"data":"[REDACTED]"}}"#);
        let stats = r.stats();
        assert_eq!((stats.pan, stats.sensitive_auth_data), (1, 1), "{stats:?}");
        // Events that hold nothing stay as they were.
        let benign = subscription_event("Payment authorized in 182 ms");
        assert_eq!(r.redact(&benign), benign);
        // As aws_lambda_events' `Debug` writes a Kinesis record's data: the values of the
        // gzip'd bytes.
        let bytes = gzip(br#"{"message":"pin=1234"}"#);
        let values: Vec<String> = bytes.iter().map(u8::to_string).collect();
        let record = format!("data: Base64Data([{}]) }}", values.join(", "));
        assert_eq!(r.redact(&record), "data: Base64Data([REDACTED]) }");
    }

    #[test]
    fn a_gzipped_payload_cut_short_is_read_as_far_as_it_goes() {
        // A line cut at the entry cap ends the base64 run mid-stream: the card before the
        // cut is still found.
        let r = Redactor::new();
        let mut rng = fastrand::Rng::with_seed(3);
        let filler: String = (0..3000).map(|_| rng.alphanumeric()).collect();
        let text = format!(r#"{{"message":"card 4111111111111111 {filler}"}}"#);
        let encoded = encode(&gzip(text.as_bytes()));
        let cut = &encoded[..encoded.len() / 2];
        let line = format!(r#"{{"data":"{cut}"#);
        assert_eq!(r.redact(&line), r#"{"data":"[REDACTED]"#);
    }

    #[test]
    fn gzipped_streams_inflate_within_their_payload_s_budget_however_deep() {
        let r = Redactor::new();
        // A stream in a stream: both read.
        let inner = encode(&gzip(br#"{"cvv":"737"}"#));
        let outer = encode(&gzip(format!(r#"{{"data":"{inner}"}}"#).as_bytes()));
        let line = format!(r#"{{"data":"{outer}"}}"#);
        assert_eq!(r.redact(&line), r#"{"data":"[REDACTED]"}"#);
        // A stream built to inflate far beyond its size: 4 MiB of blanks compress to some
        // 4 KiB, and the payload may inflate to 64 times that; the card after them is not
        // read (the limit is the documented one), and nothing panics.
        let bomb = gzip(format!("{}card 4111111111111111", " ".repeat(4 << 20)).as_bytes());
        let line = format!(r#"{{"data":"{}"}}"#, encode(&bomb));
        assert_eq!(r.redact(&line), line);
        // Streams inside it share its budget: fifty such bombs in one payload inflate no
        // more than one would.
        let bombs = vec![encode(&bomb); 50].join(" ");
        let line = format!(r#"{{"data":"{}"}}"#, encode(&gzip(bombs.as_bytes())));
        assert_eq!(r.redact(&line), line);
        assert!(INFLATE_BUDGET.with(Cell::get) <= gzip::MAX_INFLATED);
    }
}
