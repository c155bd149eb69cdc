//! The X-Ray trace header parser: never panics; what it accepts round-trips through
//! `Display` and never carries CR or LF.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lift_observability::TraceHeader;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(header) = TraceHeader::parse(&text) {
        let written = header.to_string();
        assert!(!written.contains(['\r', '\n']));
        assert_eq!(TraceHeader::parse(&written), Some(header));
    }
});
