use lift_observability::{Clock, Format, LevelFilter, Logger, MemorySink, Redactor, field};
use proptest::prelude::*;

fn logger(format: Format) -> (Logger, MemorySink) {
    logger_with(format, Redactor::new())
}

fn logger_with(format: Format, redactor: Redactor) -> (Logger, MemorySink) {
    let sink = MemorySink::new();
    let log = Logger::builder()
        .level(LevelFilter::Trace)
        .format(format)
        .clock(Clock::fixed(0))
        .sink(sink.clone())
        .redactor(redactor)
        .build();
    (log, sink)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    // Escaping alone (redaction would change what it finds, on purpose): whatever the text,
    // the line parses back to it.
    fn json_lines_parse_back_exactly(message in any::<String>(), key in any::<String>(), value in any::<String>(), n in any::<f64>()) {
        let (log, sink) = logger_with(Format::Json, Redactor::disabled());
        log.info(&message, &[field(&key, value.as_str()), field("n", n)]);
        let line = &sink.lines()[0];
        prop_assert!(!line.contains('\n') && !line.contains('\r'));
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        prop_assert_eq!(v["message"].as_str().unwrap(), message.as_str());
        let stored_key = if lift_observability::is_reserved_key(&key) {
            format!("field_{key}")
        } else {
            key.clone()
        };
        if key != "n" && stored_key != "service" {
            prop_assert_eq!(v[stored_key.as_str()].as_str().unwrap(), value.as_str());
        }
        if n.is_finite() {
            prop_assert_eq!(v["n"].as_f64().unwrap(), n);
        }
    }

    #[test]
    fn console_lines_are_single_and_free_of_controls(message in any::<String>(), value in any::<String>()) {
        let (log, sink) = logger(Format::Console);
        log.info(&message, &[field("v", value.as_str())]);
        let line = &sink.lines()[0];
        prop_assert!(!line.chars().any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')), "{:?}", line);
    }
}

proptest! {
    #[test]
    // Float formatting alone: an integral float that is a card number would be masked.
    fn every_float_reads_back_bit_exact(v in any::<f64>(), cents in -10_000_000i64..10_000_000) {
        let (log, sink) = logger_with(Format::Json, Redactor::disabled());
        let price = cents as f64 / 100.0;
        log.info("m", &[field("v", v), field("price", price)]);
        let line = &sink.lines()[0];
        let v_text = line.split("\"v\":").nth(1).unwrap().split(',').next().unwrap();
        if v.is_finite() {
            prop_assert_eq!(v_text.parse::<f64>().unwrap().to_bits(), v.to_bits(), "{}", line);
        }
        let p_text = line.split("\"price\":").nth(1).unwrap().trim_end_matches('}');
        prop_assert_eq!(p_text.parse::<f64>().unwrap().to_bits(), price.to_bits(), "{}", line);
    }
}

/// Text that exercises every path: plain, escaping, non-ASCII, card-number-like digits,
/// secret-looking `key=value`.
fn tricky_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z_/]{0,20}",
        "[0-9 -]{12,24}",
        Just("4111 1111 1111 1111".to_owned()),
        "[a-zA-Z=%\"\\\\ ]{0,24}",
        Just("password=hunter2 and token=abc".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// The logging macros write each field straight from its typed value on their fast
    /// path; the result must be byte for byte what the field-array API writes, clean or
    /// not, redaction on or off, in both formats.
    #[test]
    fn the_macros_write_what_the_field_array_writes(
        message in tricky_text(),
        text in tricky_text(),
        n in prop_oneof![any::<i64>(), -1_000i64..1_000, Just(4_111_111_111_111_111)],
        u in any::<u64>(),
        ratio in prop_oneof![any::<f64>(), (-1_000_000i64..1_000_000).prop_map(|c| c as f64 / 100.0)],
        ok in any::<bool>(),
        json in any::<bool>(),
        redact in any::<bool>(),
    ) {
        let sink = MemorySink::new();
        let builder = Logger::builder()
            .level(LevelFilter::Trace)
            .format(if json { Format::Json } else { Format::Console })
            .clock(Clock::fixed(0))
            .sink(sink.clone());
        let builder = if redact { builder } else { builder.redactor(lift_observability::Redactor::disabled()) };
        let log = builder.build();
        let err = std::io::Error::other(text.clone());
        lift_observability::info!(log, message.as_str();
            "text" => text.as_str(), "amount" => n, "count" => u, "ratio" => ratio, "ok" => ok,
            "password" => text.as_str(), "level" => text.as_str(), "q\"k" => n,
            "retry" => None::<u32>, "owned" => text.clone(), "started_ms" => u,
            "error" => lift_observability::Value::error(&err));
        log.info(&message, &[
            field("text", text.as_str()), field("amount", n), field("count", u),
            field("ratio", ratio), field("ok", ok), field("password", text.as_str()),
            field("level", text.as_str()), field("q\"k", n), field("retry", None::<u32>),
            field("owned", text.as_str()), field("started_ms", u),
            field("error", lift_observability::Value::error(&err)),
        ]);
        lift_observability::warn!(log, message.as_str(); "text" => text.as_str(), "amount" => n);
        log.warn(&message, &[field("text", text.as_str()), field("amount", n)]);
        lift_observability::error!(log, message.as_str());
        log.error(&message, &[]);
        let lines = sink.lines();
        prop_assert_eq!(lines.len(), 6);
        for pair in lines.chunks(2) {
            prop_assert_eq!(&pair[0], &pair[1]);
        }
    }
}

/// A literal message is checked at compile time on the macros' path; lines must still be
/// exactly what the field-array API writes for the same text, clean or not, redaction on
/// or off.
#[test]
fn literal_messages_through_the_macros_write_what_the_field_array_writes() {
    for redact in [true, false] {
        let sink = MemorySink::new();
        let builder = Logger::builder()
            .level(LevelFilter::Trace)
            .clock(Clock::fixed(0))
            .sink(sink.clone());
        let log = if redact {
            builder.build()
        } else {
            builder
                .redactor(lift_observability::Redactor::disabled())
                .build()
        };
        macro_rules! both {
            ($message:literal) => {
                lift_observability::info!(log, $message; "amount" => 1250);
                log.info($message, &[field("amount", 1250)]);
                lift_observability::warn!(log, $message);
                log.warn($message, &[]);
            };
        }
        both!("Charge captured");
        both!("token=abc");
        both!("Authorization: Bearer abcdef");
        both!("card 4111 1111 1111 1111 declined");
        both!("quote \" and caf\u{e9}\n");
        both!("");
        let lines = sink.lines();
        assert_eq!(lines.len(), 24);
        for pair in lines.chunks(2) {
            assert_eq!(pair[0], pair[1]);
        }
        if redact {
            assert!(!lines.iter().any(|l| l.contains("4111 1111 1111 1111")));
        }
    }
}
