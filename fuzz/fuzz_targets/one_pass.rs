//! Differential: the JSON encoder's one-pass redaction check (taken by entries whose keys
//! were checked at compile time) and the separate redaction pass give identical lines for
//! any message and field values. A configured (unused) safe key forces the separate pass.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lift_observability::{Clock, Logger, MemorySink, Redactor, info};

fn line(redactor: Redactor, parts: &[String], number: u64, signed: i64) -> Vec<String> {
    let sink = MemorySink::new();
    let log = Logger::builder()
        .clock(Clock::fixed(1_764_000_000_000))
        .sink(sink.clone())
        .redactor(redactor)
        .build();
    let get = |i: usize| parts.get(i).map(String::as_str).unwrap_or("");
    info!(log, get(0); "text" => get(1), "card" => get(2), "note" => get(3),
        "number" => number, "signed" => signed, "when_ms" => number, "ratio" => 0.5);
    sink.lines()
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 16 {
        return;
    }
    let number = u64::from_le_bytes(data[..8].try_into().unwrap());
    let signed = i64::from_le_bytes(data[8..16].try_into().unwrap());
    let text = String::from_utf8_lossy(&data[16..]);
    let parts: Vec<String> = text.split('\u{1}').map(str::to_owned).collect();
    let one_pass = line(Redactor::new(), &parts, number, signed);
    let separate = line(Redactor::new().safe_key("zz_unused"), &parts, number, signed);
    assert_eq!(one_pass, separate);
});
