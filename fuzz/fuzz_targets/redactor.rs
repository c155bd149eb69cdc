//! The redactor: idempotent (a masked PAN or a redacted secret is never touched again) and
//! never lengthens a card number it masks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lift_observability::Redactor;

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
});
