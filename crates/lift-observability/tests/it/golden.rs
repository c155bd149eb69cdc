use std::time::Duration;

use lift_observability::{
    Clock, ColorChoice, Field, Format, KeyProfile, Level, LevelFilter, Logger, MemorySink, Value,
    field, info,
};

/// 2026-11-27T04:09:17.123Z
const T: i64 = 1_795_752_557_123;

fn logger(format: Format) -> (Logger, MemorySink) {
    let sink = MemorySink::new();
    let log = Logger::builder()
        .level(LevelFilter::Trace)
        .format(format)
        .color(ColorChoice::Never)
        .clock(Clock::fixed(T))
        .service("payments")
        .sink(sink.clone())
        .build();
    (log, sink)
}

#[derive(Debug)]
struct Outer(std::io::Error);
impl std::fmt::Display for Outer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("charge failed")
    }
}
impl std::error::Error for Outer {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[derive(serde::Serialize)]
struct Card<'a> {
    brand: &'a str,
    last4: &'a str,
    tags: [&'a str; 2],
}

fn full_context(log: &Logger) -> Logger {
    log.with_request_id("c6af9ac6-7b61-11e6-9a41-93e8deadbeef")
        .with_correlation_id("apigw-1")
        .with_tenant_id("acme")
        .with_user_id("u-42")
        .with_trace_id("1-5759e988-bd862e3fe1be46a994272793")
        .with_span_id("53995c3f42cd8ad8")
        .with_cold_start(true)
        .with_function_name("charge")
        .with_field("region", "eu-west-1")
}

#[test]
fn json_every_value_type() {
    let (log, sink) = logger(Format::Json);
    let log = full_context(&log);
    let err = Outer(std::io::Error::other("card declined"));
    let card = Card {
        brand: "visa",
        last4: "1111",
        tags: ["a", "b"],
    };
    info!(log, "Charge captured";
        "amount" => 1250,
        "fee" => -3i64,
        "big" => u64::MAX,
        "rate" => 0.25,
        "ok" => true,
        "none" => None::<u8>,
        "took" => Duration::from_micros(12_345),
        "error" => Value::error(&err),
        "card" => Value::serde(&card),
        "note" => String::from("plain"));
    assert_eq!(
        sink.lines()[0],
        concat!(
            r#"{"timestamp":"2026-11-27T04:09:17.123Z","level":"INFO","message":"Charge captured","#,
            r#""service":"payments","request_id":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","#,
            r#""correlation_id":"apigw-1","tenant_id":"acme","user_id":"u-42","#,
            r#""trace_id":"1-5759e988-bd862e3fe1be46a994272793","span_id":"53995c3f42cd8ad8","#,
            r#""cold_start":true,"function_name":"charge","region":"eu-west-1","#,
            r#""amount":1250,"fee":-3,"big":18446744073709551615,"rate":0.25,"ok":true,"none":null,"#,
            r#""took":12.345,"error":"charge failed: card declined","#,
            r#""card":{"brand":"visa","last4":"1111","tags":["a","b"]},"note":"plain"}"#
        )
    );
}

/// A logger with Powertools' keys and the context a Lambda invocation gives it.
fn powertools_logger() -> (Logger, MemorySink) {
    let sink = MemorySink::new();
    let log = Logger::builder()
        .level(LevelFilter::Trace)
        .keys(KeyProfile::Powertools)
        .clock(Clock::fixed(T))
        .service("payments-api")
        .sink(sink.clone())
        .build()
        .with_request_id("c6af9ac6-7b61-11e6-9a41-93e8deadbeef")
        .with_trace_id("1-5759e988-bd862e3fe1be46a994272793")
        .with_cold_start(true)
        .with_function_name("payments")
        .with_function_arn("arn:aws:lambda:us-east-1:123456789012:function:payments")
        .with_function_memory_size(128);
    (log, sink)
}

#[test]
fn json_with_powertools_keys() {
    let (log, sink) = powertools_logger();
    log.log_at(
        Level::Warn,
        "payments::charge:13",
        "Slow upstream",
        &[field("amount", 1250)],
    );
    assert_eq!(
        sink.lines()[0],
        concat!(
            r#"{"level":"WARNING","location":"payments::charge:13","message":"Slow upstream","#,
            r#""timestamp":"2026-11-27 04:09:17,123+0000","service":"payments-api","#,
            r#""function_request_id":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","#,
            r#""xray_trace_id":"1-5759e988-bd862e3fe1be46a994272793","cold_start":true,"#,
            r#""function_name":"payments","#,
            r#""function_arn":"arn:aws:lambda:us-east-1:123456789012:function:payments","#,
            r#""function_memory_size":128,"amount":1250}"#
        )
    );
    // The macros pass their call site.
    info!(log, "Charge captured");
    let line = &sink.entries()[1];
    let location = line["location"].as_str().unwrap();
    assert!(location.starts_with("it::golden:"), "{location}");
    // Under Lift's keys the same logger context writes neither ARN nor memory size.
    let (lift, lift_sink) = logger(Format::Json);
    lift.with_function_arn("arn:aws:lambda:us-east-1:1:function:f")
        .with_function_memory_size(128)
        .info("x", &[]);
    let line = &lift_sink.entries()[0];
    assert!(line.get("function_arn").is_none() && line.get("location").is_none());
    // A user's own `location` is an ordinary field under Lift's keys, and renamed under
    // Powertools' (whose `location` is the call site), literal key or not.
    lift.info("x", &[field("location", "eu-west-1")]);
    assert_eq!(lift_sink.entries()[1]["location"], "eu-west-1");
    info!(log, "Shipped"; "location" => "eu-west-1");
    log.info("Shipped", &[field(&String::from("function_arn"), "mine")]);
    let lines = sink.entries();
    assert_eq!(lines[2]["field_location"], "eu-west-1");
    assert!(
        lines[2]["location"]
            .as_str()
            .unwrap()
            .starts_with("it::golden:")
    );
    assert_eq!(lines[3]["field_function_arn"], "mine");
}

#[test]
fn json_escaping_non_finite_and_reserved_keys() {
    let (log, sink) = logger(Format::Json);
    let log = log.with_field("message", "ctx wins nothing");
    log.warn(
        "quote \" backslash \\ nl \n cr \r tab \t nul \u{0} esc \u{1b} ls \u{2028} ps \u{2029} é",
        &[
            field("level", "user level"),
            field("nan", f64::NAN),
            field("inf", f64::INFINITY),
            field("ninf", f64::NEG_INFINITY),
            field("k\"ey\n", "v\u{7}"),
            field("_aws", "no"),
            Field::new("tiny", Value::F64(1e-7)),
        ],
    );
    let line = &sink.lines()[0];
    assert_eq!(
        line,
        concat!(
            r#"{"timestamp":"2026-11-27T04:09:17.123Z","level":"WARN","#,
            r#""message":"quote \" backslash \\ nl \n cr \r tab \t nul \u0000 esc \u001b ls \u2028 ps \u2029 é","#,
            r#""service":"payments","field_message":"ctx wins nothing","#,
            r#""field_level":"user level","nan":"NaN","inf":"inf","ninf":"-inf","#,
            r#""k\"ey\n":"v\u0007","field__aws":"no","tiny":1e-7}"#
        )
    );
    assert!(!line.contains('\n'));
    let parsed: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(parsed["level"], "WARN");
    assert_eq!(parsed["field_level"], "user level");
}

#[test]
fn a_reserved_key_in_the_context_and_on_the_entry_is_written_once_the_entrys() {
    let (log, sink) = logger(Format::Json);
    let log = log.with_fields(&[
        field("level", "context level"),
        field("order_id", "o-1"),
        field("message", "context message"),
    ]);
    log.info(
        "m",
        &[
            field("level", "entry level"),
            field("field_message", "entry"),
        ],
    );
    // Untouched when the entry does not collide.
    log.info("n", &[field("amount", 1)]);
    let lines = sink.lines();
    assert_eq!(
        lines[0],
        concat!(
            r#"{"timestamp":"2026-11-27T04:09:17.123Z","level":"INFO","message":"m","#,
            r#""service":"payments","order_id":"o-1","#,
            r#""field_level":"entry level","field_message":"entry"}"#
        )
    );
    assert_eq!(
        lines[1],
        concat!(
            r#"{"timestamp":"2026-11-27T04:09:17.123Z","level":"INFO","message":"n","#,
            r#""service":"payments","field_level":"context level","order_id":"o-1","#,
            r#""field_message":"context message","amount":1}"#
        )
    );
}

#[test]
fn json_nested_serde_escapes_line_separators() {
    let (log, sink) = logger(Format::Json);
    let nested = serde_json::json!({"a": "x\u{2028}y", "n": f64::NAN.to_string()});
    log.info("m", &[field("nested", Value::serde(&nested))]);
    assert!(sink.lines()[0].ends_with(r#""nested":{"a":"x\u2028y","n":"NaN"}}"#));
}

#[test]
fn console_every_value_type() {
    let (log, sink) = logger(Format::Console);
    let log = full_context(&log);
    let err = Outer(std::io::Error::other("card declined"));
    info!(log, "Charge captured";
        "amount" => 1250,
        "rate" => 0.25,
        "ok" => false,
        "none" => None::<u8>,
        "took" => Duration::from_millis(3),
        "error" => Value::error(&err),
        "card" => Value::serde(&serde_json::json!({"brand": "visa"})),
        "note" => "two words",
        "empty" => "",
        "api_key" => None::<&str>,
        "token" => "t");
    assert_eq!(
        sink.lines()[0],
        concat!(
            "2026-11-27T04:09:17.123Z INFO  Charge captured service=payments ",
            "request_id=c6af9ac6-7b61-11e6-9a41-93e8deadbeef correlation_id=apigw-1 ",
            "tenant_id=acme user_id=u-42 trace_id=1-5759e988-bd862e3fe1be46a994272793 ",
            "span_id=53995c3f42cd8ad8 cold_start=true function_name=charge region=eu-west-1 ",
            "amount=1250 rate=0.25 ok=false none=null took=3.000ms ",
            r#"error="charge failed: card declined" card={"brand":"visa"} note="two words" empty="" "#,
            "api_key=null token=[REDACTED]"
        )
    );
}

#[test]
fn console_is_always_one_line_and_cannot_forge_output() {
    let (log, sink) = logger(Format::Console);
    log.error(
        "line1\nline2\r\u{1b}[31mred\u{1b}[0m \u{2028}\u{2029} \u{202e}rev\u{202c} \u{85}",
        &[
            field("level", "x"),
            field("v", "a\nb \"q\" \\"),
            field("nan", f64::NAN),
            field("bad key", 1),
        ],
    );
    assert_eq!(
        sink.lines()[0],
        concat!(
            r"2026-11-27T04:09:17.123Z ERROR line1\nline2\r\u{1b}[31mred\u{1b}[0m \u{2028}\u{2029} ",
            r"\u{202e}rev\u{202c} \u{85} service=payments field_level=x ",
            r#"v="a\nb \"q\" \\" nan=NaN "bad key"=1"#
        )
    );
}

#[test]
fn console_colours_only_the_level_when_asked() {
    let sink = MemorySink::new();
    let log = Logger::builder()
        .format(Format::Console)
        .color(ColorChoice::Always)
        .clock(Clock::fixed(0))
        .sink(sink.clone())
        .build();
    log.warn("careful", &[]);
    assert_eq!(
        sink.lines()[0],
        "1970-01-01T00:00:00.000Z \u{1b}[33mWARN \u{1b}[0m careful"
    );
    // A memory sink is not a terminal: auto means no colour.
    let plain = Logger::builder()
        .format(Format::Console)
        .sink(MemorySink::new())
        .build();
    match plain.encoder() {
        lift_observability::Encoder::Console(c) => assert!(!c.color()),
        other => panic!("unexpected encoder {other:?}"),
    }
}

/// Every key Powertools for Python writes for one invocation, Lift writes under the
/// `powertools` profile with the same value (timestamp and location: the same format; the
/// location names a Rust module where Python names a function).
#[cfg(feature = "interop")]
#[test]
fn powertools_keys_match_what_powertools_itself_writes_field_by_field() {
    use std::process::Command;
    let spec = serde_json::json!({
        "service": "payments-api",
        "function_name": "payments",
        "memory_mb": 128,
        "function_arn": "arn:aws:lambda:us-east-1:123456789012:function:payments",
        "request_id": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "trace_header": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        "entries": [
            {"level": "debug", "message": "Card checked", "extra": {"attempt": 1}},
            {"level": "info", "message": "Charge captured", "extra": {"amount": 1250, "currency": "USD"}},
            {"level": "warning", "message": "Slow upstream", "extra": {"upstream": "acquirer"}},
            {"level": "error", "message": "Charge failed", "extra": {"declined": true}},
        ],
    });
    let python = std::env::var("LIFT_PYTHON")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../.venv/bin/python").into());
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/interop/powertools_lines.py"
    );
    let out = Command::new(&python)
        .arg(script)
        .arg(spec.to_string())
        .output()
        .unwrap_or_else(|e| panic!("{python}: {e} (scripts/test.sh installs it)"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(theirs.len(), 4);

    let (log, sink) = powertools_logger();
    let log = log.with_cold_start(true);
    lift_observability::debug!(log, "Card checked"; "attempt" => 1);
    lift_observability::info!(log, "Charge captured"; "amount" => 1250, "currency" => "USD");
    lift_observability::warn!(log, "Slow upstream"; "upstream" => "acquirer");
    lift_observability::error!(log, "Charge failed"; "declined" => true);
    let ours = sink.entries();

    let timestamp = |v: &serde_json::Value| {
        let t = v.as_str().unwrap();
        // `2026-12-02 05:34:19,260+0000`
        t.len() == 28
            && t.as_bytes()[10] == b' '
            && t.as_bytes()[19] == b','
            && t.ends_with("+0000")
    };
    let location = |v: &serde_json::Value| {
        let (place, line) = v.as_str().unwrap().rsplit_once(':').unwrap();
        !place.is_empty() && line.parse::<u32>().is_ok()
    };
    for (theirs, ours) in theirs.iter().zip(&ours) {
        for (key, value) in theirs.as_object().unwrap() {
            let mine = ours
                .get(key)
                .unwrap_or_else(|| panic!("Lift lacks {key:?}: {ours}"));
            match key.as_str() {
                "timestamp" => assert!(timestamp(value) && timestamp(mine), "{value} / {mine}"),
                "location" => assert!(location(value) && location(mine), "{value} / {mine}"),
                _ => assert_eq!(mine, value, "{key}: Powertools {theirs}\nLift {ours}"),
            }
        }
    }
}
