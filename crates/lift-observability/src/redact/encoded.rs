//! JSON encoded in base64 inside text: an API Gateway or ALB event's `body` when
//! `isBase64Encoded` is set, a message queue's payload, a cookie holding a session object.
//!
//! `{"` encodes as `eyJ` — the letters a JWT starts with, so the JWT detector's anchor finds
//! both. A run of base64 that is no JWT is decoded and its text scanned as any text is
//! (each stretch of valid UTF-8); when anything is found there the whole run is replaced,
//! since the encoding cannot be redacted in part. A run whose text holds nothing — a
//! pagination cursor (`eyJsYXN0X2lkIjoxMjN9`), a state parameter — stays as it is.
//!
//! Decoding happens only at such a run, never on the way through other text; a run of up to
//! [`STACK_TEXT`] encoded bytes is decoded on the stack. Runs inside decoded text are
//! decoded in turn, at most [`MAX_DEPTH`] levels down.

use std::cell::Cell;

use super::Redactor;
use super::text::scan;

/// Fewer encoded bytes than this hold nothing a detector finds (`{"pin":"1"}` takes 16).
const MIN_RUN: usize = 16;

/// Runs of up to this many encoded bytes are decoded into a buffer on the stack.
const STACK_TEXT: usize = 1024;

/// Encoded text inside encoded text is decoded this many levels down, no further.
const MAX_DEPTH: u8 = 4;

thread_local! {
    /// How many decodings the current thread is inside.
    static DEPTH: Cell<u8> = const { Cell::new(0) };
}

/// Where the base64 run starting at `start` (at its `eyJ`) ends, padding included, when the
/// text it encodes holds anything the detectors find; `None` when it holds nothing, is too
/// short, is glued to a word after it, or is not base64.
#[cold]
#[inline(never)]
pub(super) fn encoded_json_end(redactor: &Redactor, bytes: &[u8], start: usize) -> Option<usize> {
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
    let depth = DEPTH.try_with(Cell::get).ok()?;
    if depth >= MAX_DEPTH {
        return None;
    }
    let _ = DEPTH.try_with(|d| d.set(depth + 1));
    let found = if run <= STACK_TEXT {
        let mut text = [0u8; STACK_TEXT / 4 * 3];
        let len = decode(encoded, &mut text);
        holds_findings(redactor, &text[..len])
    } else {
        let mut text = vec![0u8; run / 4 * 3 + 2];
        let len = decode(encoded, &mut text);
        holds_findings(redactor, &text[..len])
    };
    let _ = DEPTH.try_with(|d| d.set(depth));
    found.then_some(end)
}

/// Whether `b`, right after a run and its padding, makes the run part of something longer —
/// a letter or a digit, or what a pass writes in place of one (a marker's `[`, a masked
/// digit's `*`: `…cvv=737` glued to a run is `…cvv=[REMOVED]` on a second pass, and must be
/// judged alike).
fn glues(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'[' || b == b'*'
}

/// Whether any stretch of valid UTF-8 in `text` holds what a detector finds.
fn holds_findings(redactor: &Redactor, text: &[u8]) -> bool {
    text.utf8_chunks()
        .any(|chunk| scan(redactor, chunk.valid(), |_, _| {}).found)
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
    fn a_run_is_taken_whole_only_when_its_text_holds_a_finding() {
        let r = Redactor::new();
        let card = encode(br#"{"card":"4111111111111111","amount":1250}"#);
        let line = format!(r#"{{"body":"{card}","isBase64Encoded":true}}"#);
        let start = line.find("eyJ").unwrap();
        assert_eq!(
            encoded_json_end(&r, line.as_bytes(), start),
            Some(start + card.len())
        );
        let cursor = encode(br#"{"last_id":"pi_3MtwBwLkdIwHu7ix28a3tqPa","limit":10}"#);
        assert_eq!(encoded_json_end(&r, cursor.as_bytes(), 0), None);
        // Too short, glued to a word, not base64's length.
        let short = encode(br#"{"a":1}"#);
        assert_eq!(encoded_json_end(&r, short.as_bytes(), 0), None);
        // (The text's 41 bytes end the encoding with one `=` of padding.)
        let glued = format!("{card}x");
        assert_eq!(encoded_json_end(&r, glued.as_bytes(), 0), None);
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
        assert!(encoded_json_end(&r, text.as_bytes(), 0).is_some());
        let deeper = encode(format!(r#"{{"inner":"{text}"}}"#).as_bytes());
        assert_eq!(encoded_json_end(&r, deeper.as_bytes(), 0), None);
        assert_eq!(DEPTH.with(Cell::get), 0);
    }
}
