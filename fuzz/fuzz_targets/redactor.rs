//! The redactor on any text: idempotent (what it wrote is never found again), never adds
//! digits, keeps a line's bytes outside what it redacts, and its public helpers never
//! panic on any input.
#![no_main]

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
    // Public helpers: total on any bytes.
    let _ = card::luhn_valid(data);
    let _ = card::is_card_number(data);
    let mut masked = String::new();
    card::mask_pan(data, &mut masked);
    assert_eq!(masked.chars().count(), data.len());
});
