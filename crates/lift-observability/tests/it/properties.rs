use lift_observability::{Clock, Format, LevelFilter, Logger, MemorySink, field};
use proptest::prelude::*;

fn logger(format: Format) -> (Logger, MemorySink) {
    let sink = MemorySink::new();
    let log = Logger::builder()
        .level(LevelFilter::Trace)
        .format(format)
        .clock(Clock::fixed(0))
        .sink(sink.clone())
        .build();
    (log, sink)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn json_lines_parse_back_exactly(message in any::<String>(), key in any::<String>(), value in any::<String>(), n in any::<f64>()) {
        let (log, sink) = logger(Format::Json);
        log.info(&message, &[field(&key, value.as_str()), field("n", n)]);
        let line = &sink.lines()[0];
        prop_assert!(!line.contains('\n') && !line.contains('\r'));
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        prop_assert_eq!(v["message"].as_str().unwrap(), message.as_str());
        let stored_key = if lift_observability::encoder::is_reserved_key(&key) {
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
    fn every_float_reads_back_bit_exact(v in any::<f64>(), cents in -10_000_000i64..10_000_000) {
        let (log, sink) = logger(Format::Json);
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
