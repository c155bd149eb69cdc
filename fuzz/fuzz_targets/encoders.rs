//! Arbitrary messages, keys and values through both encoders (redaction on): every entry
//! is exactly one line; JSON lines parse as one object; console lines hold no control
//! characters. A message that is JSON is also logged as a nested value, under a plain key
//! and under a secret's: the secret's is `null` exactly when the value is, else
//! `"[REDACTED]"`. The input's bytes are also logged as a `Vec<u8>`: a list of bytes comes
//! out, which is the redacted text's when the input is UTF-8. The message is logged again as
//! a payload's string (`data`), which is read as base64 when it is.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lift_observability::{Format, Logger, MemorySink, Redactor, Value, field};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\u{1f}');
    let message = parts.next().unwrap_or_default().to_owned();
    let rest: Vec<&str> = parts.collect();
    let numbers: Vec<u64> = data.chunks(8).map(|c| {
        let mut b = [0u8; 8];
        b[..c.len()].copy_from_slice(c);
        u64::from_le_bytes(b)
    }).collect();
    let mut fields = Vec::new();
    for (i, pair) in rest.chunks(2).enumerate() {
        let key = pair[0];
        let value = match (i % 4, pair.get(1)) {
            (0, Some(v)) => Value::Str(v),
            (1, _) => Value::U64(numbers.get(i).copied().unwrap_or(0)),
            (2, _) => Value::F64(f64::from_bits(numbers.get(i).copied().unwrap_or(0))),
            (_, Some(v)) => Value::Str(v),
            _ => Value::Null,
        };
        fields.push(field(key, value));
    }
    let nested: Option<serde_json::Value> = serde_json::from_str(&message).ok();
    if let Some(v) = &nested {
        fields.push(field("body", Value::serde(v)));
        fields.push(field("password", Value::serde(v)));
    }
    fields.push(field("data", Value::Str(&message)));
    const BYTES_KEY: &str = "bytes_field";
    let bytes = data.to_vec();
    let bytes_key_unique = !rest.contains(&BYTES_KEY);
    fields.push(field(BYTES_KEY, Value::serde(&bytes)));
    for format in [Format::Json, Format::Console] {
        let sink = MemorySink::new();
        let log = Logger::builder().format(format).sink(sink.clone()).build();
        log.info(&message, &fields);
        let lines = sink.lines();
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert!(!line.contains('\n') && !line.contains('\r'));
        match format {
            Format::Json => {
                let v: serde_json::Value = serde_json::from_str(line).expect("valid JSON");
                assert!(v.is_object());
                if bytes_key_unique {
                    let list = v[BYTES_KEY].as_array().expect("a list of bytes");
                    let written: Vec<u8> = list
                        .iter()
                        .map(|n| n.as_u64().and_then(|n| u8::try_from(n).ok()).expect("a byte"))
                        .collect();
                    if let Ok(text) = std::str::from_utf8(data) {
                        assert_eq!(
                            written,
                            Redactor::new().redact(text).as_bytes(),
                            "{line}"
                        );
                    }
                }
                if let Some(nested) = &nested {
                    let expected = if nested.is_null() {
                        serde_json::Value::Null
                    } else {
                        serde_json::Value::from("[REDACTED]")
                    };
                    assert_eq!(v["password"], expected, "{line}");
                }
            }
            _ => assert!(
                !line.chars().any(|c| c.is_control() && c != '\t'),
                "{line:?}"
            ),
        }
    }
});
