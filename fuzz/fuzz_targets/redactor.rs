//! The redactor on any text: idempotent (what it wrote is never found again), never adds
//! digits, keeps a line's bytes outside what it redacts, leaves a JSON line JSON (the text
//! as a line's message too), and its public helpers never panic on any input. The input also goes in as a gzip'd payload (a CloudWatch Logs
//! subscription's `awslogs.data`): compressed, and as the deflate data itself.
#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use lift_observability::Redactor;
use lift_observability::card;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let redactor = Redactor::new();
    let once = redactor.redact(&text).into_owned();
    let twice = redactor.redact(&once).into_owned();
    assert_eq!(once, twice, "redaction is idempotent");
    let digits = |s: &str| s.bytes().filter(u8::is_ascii_digit).count();
    assert!(digits(&once) <= digits(&text), "masking never adds digits");
    let line = redactor.redact_line(&text);
    assert_eq!(redactor.redact_line(&line), line);
    // A JSON line (an object, a list, a string) stays one; so does a line whose message is
    // the text.
    if matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'[' | b'"')) && is_json(&text) {
        assert!(is_json(&line), "a JSON line stays JSON: {text:?} -> {line:?}");
    }
    let message = serde_json::json!({ "msg": &*text }).to_string();
    let redacted = redactor.redact_line(&message);
    assert!(is_json(&redacted), "{message} -> {redacted}");
    // Public helpers: total on any bytes.
    let _ = card::luhn_valid(data);
    let _ = card::is_card_number(data);
    let mut masked = String::new();
    card::mask_pan(data, &mut masked);
    assert_eq!(masked.chars().count(), data.len());
    // A payload gzip'd and in base64: the input compressed, and the input as a stream's
    // deflate data (any bytes: broken streams, bombs).
    for stream in [gzip(&miniz_oxide::deflate::compress_to_vec(data, 1)), gzip(data)] {
        let event = format!(r#"{{"awslogs":{{"data":"{}"}}}}"#, STANDARD.encode(&stream));
        let once = redactor.redact(&event).into_owned();
        assert_eq!(redactor.redact(&once), once, "redaction is idempotent");
    }
});

/// Whether `text` is one JSON document.
fn is_json(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text).is_ok()
}

/// `deflated` as a gzip stream: the header, the data, a trailer (its CRC not checked).
fn gzip(deflated: &[u8]) -> Vec<u8> {
    let mut stream = vec![0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff];
    stream.extend_from_slice(deflated);
    stream.extend_from_slice(&[0; 8]);
    stream
}
