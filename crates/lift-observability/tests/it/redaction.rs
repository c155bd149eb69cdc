//! Redaction through the whole logger: both encoders, every value kind, context, counts.

use lift_observability::{Clock, Format, Logger, MemorySink, Redactor, Value, field, info};
use proptest::prelude::*;

const PAN: &str = "4111111111111111";
const MASKED: &str = "411111******1111";

/// A logger into memory whose clock stands still: the tests look for secrets' digits in
/// whole lines, and a line's own timestamp may hold them (at 13:54:05.737 a line holds
/// `737`, the CVV these tests log).
fn logger(format: Format, redactor: Redactor) -> (Logger, MemorySink) {
    let sink = MemorySink::new();
    let log = Logger::builder()
        .format(format)
        .sink(sink.clone())
        .redactor(redactor)
        .clock(Clock::fixed(FIXED_MILLIS))
        .build();
    (log, sink)
}

/// 2025-11-24T16:00:00.000Z: no secret these tests log is in its digits.
const FIXED_MILLIS: i64 = 1_764_000_000_000;

#[derive(serde::Serialize)]
struct Card {
    number: &'static str,
    cvv: &'static str,
    expiry: &'static str,
}

#[test]
fn an_event_s_encoded_body_never_reaches_a_line_in_either_format() {
    // A form post through a function URL arrives in base64; logged as it came (a literal
    // key, a key built at run time, the whole event), the card and the code in it were kept.
    use base64::Engine as _;
    let form = base64::engine::general_purpose::STANDARD
        .encode(format!("card_number={PAN}&cvc=737&exp_month=12"));
    let event = serde_json::json!({"body": form, "isBase64Encoded": true});
    let key = String::from("Body");
    for format in [Format::Json, Format::Console] {
        let (log, sink) = logger(format, Redactor::new());
        info!(log, "Request received"; "body" => form.as_str(), "event" => Value::serde(&event));
        log.info("Request received", &[field(&key, form.as_str())]);
        for line in sink.lines() {
            assert!(!line.contains(&form[..24]), "{format:?}: {line}");
            assert!(line.contains("[REDACTED]"), "{format:?}: {line}");
        }
        if format == Format::Json {
            let e = &sink.entries()[0];
            assert_eq!(e["body"], "[REDACTED]");
            assert_eq!(e["event"]["body"], "[REDACTED]");
            assert_eq!(sink.entries()[1]["Body"], "[REDACTED]");
        }
    }
    // Redaction off writes what was given.
    let (log, sink) = logger(Format::Json, Redactor::disabled());
    info!(log, "Request received"; "body" => form.as_str());
    assert_eq!(sink.entries()[0]["body"], form.as_str());
}

#[test]
fn card_numbers_secrets_and_security_codes_never_reach_a_line() {
    let (log, sink) = logger(Format::Json, Redactor::new());
    let err = std::io::Error::other("upstream said: Bearer abcdefghijklmnop");
    info!(log, "Charging card 4111 1111 1111 1111 for order 1234567890123456";
        "card_number" => PAN,
        "card_as_number" => 4_111_111_111_111_111u64,
        "cvv" => "123",
        "Security-Code" => "999",
        "password" => "hunter2",
        "Authorization" => "Basic dXNlcjpwYXNz",
        "created_at" => 1_795_752_557_128u64,
        "card" => Value::serde(&Card { number: PAN, cvv: "123", expiry: "12/29" }),
        "note" => Value::display(&format_args!("pan {PAN} in a Display")),
        "error" => Value::error(&err),
        "amount" => 1250);
    let line = &sink.lines()[0];
    assert!(!line.contains(PAN), "{line}");
    assert!(!line.contains("123\""), "cvv gone: {line}");
    assert!(!line.contains("hunter2") && !line.contains("dXNlcjpwYXNz"));
    assert!(!line.contains("abcdefghijklmnop"));
    let e = &sink.entries()[0];
    assert_eq!(
        e["message"], "Charging card 4111 11** **** 1111 for order 1234567890123456",
        "masked where it stands, separators kept"
    );
    assert_eq!(e["card_number"], MASKED);
    assert_eq!(e["card_as_number"], MASKED);
    assert!(
        e.get("cvv").is_none() && e.get("Security-Code").is_none(),
        "removed, not masked"
    );
    assert_eq!(e["password"], "[REDACTED]");
    assert_eq!(e["Authorization"], "[REDACTED]");
    assert_eq!(
        e["created_at"], 1_795_752_557_128u64,
        "a time stays a number"
    );
    assert_eq!(e["card"]["number"], MASKED);
    assert!(e["card"].get("cvv").is_none());
    assert_eq!(e["card"]["expiry"], "12/29");
    assert_eq!(e["note"], format!("pan {MASKED} in a Display"));
    assert_eq!(e["error"], "upstream said: Bearer [REDACTED]");
    assert_eq!(e["amount"], 1250);
    let stats = log.redaction_stats();
    assert_eq!(stats.pan, 5);
    assert_eq!(stats.sensitive_auth_data, 3);
    assert_eq!(stats.secret_keys, 2);
    assert_eq!(stats.secret_text, 1);
}

#[test]
fn a_card_s_fields_in_tab_separated_columns_go_and_the_line_stays_json() {
    // A row of an export: the card and its fields in columns joined by tabs. The security
    // code was kept (a tab joined no card's fields); the tab before it is escaped.
    let (log, sink) = logger(Format::Json, Redactor::new());
    let row = "4111111111111111\t12/28\t737";
    log.info("import row", &[field("row", row)]);
    let line = sink.lines().remove(0);
    let v: serde_json::Value = serde_json::from_str(&line).expect("valid JSON");
    assert_eq!(v["row"], "411111******1111\t12/28\t[REMOVED]", "{line}");
}

#[test]
fn a_flag_under_a_secret_s_name_is_kept_wherever_it_stands() {
    // Each was `[REDACTED]`: a boolean is one bit, it holds no secret.
    #[derive(serde::Serialize)]
    struct Account {
        has_password: bool,
        api_key_set: Option<bool>,
        token: &'static str,
    }
    let (log, sink) = logger(Format::Json, Redactor::new());
    let account = Account {
        has_password: true,
        api_key_set: Some(false),
        token: "t-123",
    };
    log.with_field("secret_rotated_today", true).info(
        "password_set=true token=false",
        &[
            field("has_token", false),
            field("account", Value::serde(&account)),
        ],
    );
    let e = &sink.entries()[0];
    assert_eq!(e["message"], "password_set=true token=false");
    assert_eq!(e["secret_rotated_today"], true);
    assert_eq!(e["has_token"], false);
    assert_eq!(e["account"]["has_password"], true);
    assert_eq!(e["account"]["api_key_set"], false);
    assert_eq!(e["account"]["token"], "[REDACTED]");
}

#[test]
fn a_gateway_s_check_result_under_card_data_s_name_is_kept_wherever_it_stands() {
    // PayPal's `processor_response` answers `cvv_code: "M"`: each was left out, or
    // `[REMOVED]`, the reason a charge was declined lost with it. The codes themselves go.
    #[derive(serde::Serialize)]
    enum CvvResult {
        Match,
    }
    #[derive(serde::Serialize)]
    struct ProcessorResponse {
        avs_code: &'static str,
        cvv_code: &'static str,
        cvc_result: CvvResult,
        pin: Option<char>,
    }
    #[derive(serde::Serialize)]
    struct Pair {
        name: &'static str,
        value: &'static str,
    }
    let response = ProcessorResponse {
        avs_code: "A",
        cvv_code: "M",
        cvc_result: CvvResult::Match,
        pin: Some('N'),
    };
    let map = std::collections::BTreeMap::from([("cvv", "unchecked"), ("pin_block", "0737")]);
    for format in [Format::Json, Format::Console] {
        let (log, sink) = logger(format, Redactor::new());
        log.info(
            "capture declined",
            &[
                field("cvv_code", "M"),
                field("pin", "required"),
                field("cvv", "737"),
                field("response", Value::serde(&response)),
                field("checks", Value::serde(&map)),
                field(
                    "pairs",
                    Value::serde(&[
                        Pair {
                            name: "cvv",
                            value: "P",
                        },
                        Pair {
                            name: "cvv",
                            value: "1234",
                        },
                    ]),
                ),
            ],
        );
        log.info("setting", &[field("name", "card_cvv"), field("value", "N")]);
        let lines = sink.lines();
        let all = lines.join("\n");
        for code in ["737", "0737", "1234"] {
            assert!(!all.contains(code), "{format:?}: {all}");
        }
        let (typed, nested) = if format == Format::Json {
            (r#""cvv_code":"M","pin":"required""#, r#""value":"N""#)
        } else {
            ("cvv_code=M pin=required", "value=N")
        };
        for kept in [
            typed,
            nested,
            r#""cvv_code":"M","cvc_result":"Match","pin":"N""#,
            r#"{"cvv":"unchecked"}"#,
            r#"{"name":"cvv","value":"P"}"#,
        ] {
            assert!(all.contains(kept), "{format:?}: {kept} in {all}");
        }
        let stats = log.redaction_stats();
        assert_eq!(stats.sensitive_auth_data, 3, "{format:?}: {all}");
    }
}

#[test]
fn runtime_keys_and_context_are_redacted_too() {
    let (log, sink) = logger(Format::Json, Redactor::new());
    let child = log
        .with_field("api_key", "k-123")
        .with_field("card", PAN)
        .with_tenant_id("acme");
    child.info(
        "hello",
        &[field("X-Amz-Security-Token", "tok"), field("pin", "1234")],
    );
    let e = &sink.entries()[0];
    assert_eq!(e["api_key"], "[REDACTED]");
    assert_eq!(e["card"], MASKED);
    assert_eq!(e["X-Amz-Security-Token"], "[REDACTED]");
    assert!(e.get("pin").is_none());
    assert_eq!(e["tenant_id"], "acme");
}

#[test]
fn a_field_named_as_a_pairs_value_goes_by_the_name_field_before_it() {
    // A configuration loop logging each setting as a name and a value.
    for format in [Format::Json, Format::Console] {
        let (log, sink) = logger(format, Redactor::new());
        for (name, value) in [
            ("DB_PASSWORD", "hunter2"),
            ("card_cvv", "737"),
            ("REGION", "eu"),
        ] {
            info!(log, "setting"; "name" => name, "value" => value);
        }
        log.info(
            "setting",
            &[
                field("ParameterKey", "api_key"),
                field("ParameterValue", "k1"),
            ],
        );
        let lines = sink.lines();
        let all = lines.join("\n");
        for secret in ["hunter2", "737", "k1"] {
            assert!(!all.contains(secret), "{format:?}: {all}");
        }
        assert!(lines[2].contains("eu"), "{}", lines[2]);
        if format == Format::Json {
            assert!(
                lines[0].ends_with(r#""name":"DB_PASSWORD","value":"[REDACTED]"}"#),
                "{}",
                lines[0]
            );
            assert!(
                lines[1].ends_with(r#""name":"card_cvv","value":"[REMOVED]"}"#),
                "{}",
                lines[1]
            );
        } else {
            assert!(
                lines[0].ends_with("name=DB_PASSWORD value=[REDACTED]"),
                "{}",
                lines[0]
            );
            assert!(
                lines[1].ends_with("name=card_cvv value=[REMOVED]"),
                "{}",
                lines[1]
            );
        }
        let stats = log.redaction_stats();
        assert_eq!(
            (stats.secret_keys, stats.sensitive_auth_data),
            (2, 1),
            "{format:?}"
        );
    }
}

#[test]
fn a_json_patch_s_value_goes_by_its_pointer_in_either_format() {
    // An API's `PATCH` body logged as it came: its value's own key, `value`, says nothing.
    for format in [Format::Json, Format::Console] {
        let (log, sink) = logger(format, Redactor::new());
        let patch = serde_json::json!([
            {"op": "replace", "path": "/password", "value": "hunter2"},
            {"op": "add", "path": "/cards/0/cvv", "value": "737"},
            {"op": "replace", "path": "/nickname", "value": "Bob"},
        ]);
        log.info("patch", &[field("body", Value::serde(&patch))]);
        let line = &sink.lines()[0];
        assert!(!line.contains("hunter2") && !line.contains("737"), "{line}");
        assert!(line.contains("Bob"), "{line}");
    }
}

#[test]
fn a_provider_s_token_as_a_value_never_reaches_a_line_in_either_format() {
    // As `lift-ship --redact` finds `"value":"ghp_…"` in a line, the logger finds the token
    // as a field's value, a nested value, a list's item, a message (before, the field's
    // value and the nested ones were written in clear: no `=` or `:` in the string itself).
    const TOKEN: &str = "ghp_R2d2C3p0aBcDeFgHiJkLmNoPqRsTuVwXyZ01";
    const BODY: &str = "R2d2C3p0aBcDeFgHiJkLmNoPqRsTuVwXyZ01";
    for format in [Format::Json, Format::Console] {
        let (log, sink) = logger(format, Redactor::new());
        let nested = serde_json::json!({"Parameter": {"Value": TOKEN}, "list": [TOKEN]});
        log.info(
            TOKEN,
            &[field("value", TOKEN), field("param", Value::serde(&nested))],
        );
        let line = &sink.lines()[0];
        assert!(!line.contains(BODY), "{line}");
        assert_eq!(line.matches("ghp_[REDACTED]").count(), 4, "{line}");
    }
}

#[test]
fn a_json_web_key_s_private_members_never_reach_a_line_in_either_format() {
    // A private JWK logged as read from Secrets Manager (a `serde_json::Value`: its map
    // writes `d` before `kty`), as a field, as text: its key material was written in clear
    // (`d`, `k`, `p` are no secret's names). The public members stay.
    const D: &str = "jpsQnnGQmL-YBIffH1136cLZfNmyH5eVYVPW2eKJfPo";
    const K: &str = "GawgguFyGrWKav7AX4VKUg";
    const X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    let jwk = serde_json::json!({"kty": "EC", "crv": "P-256", "x": X, "d": D});
    let text = format!(r#"loaded {{"kty":"oct","k":"{K}"}}"#);
    for format in [Format::Json, Format::Console] {
        let (log, sink) = logger(format, Redactor::new());
        log.info(
            &text,
            &[
                field("jwk", Value::serde(&jwk)),
                field("k", K),
                field("d", D),
            ],
        );
        let line = &sink.lines()[0];
        assert!(!line.contains(D) && !line.contains(K), "{format:?}: {line}");
        assert!(line.contains(X), "{format:?}: {line}");
        assert_eq!(line.matches("[REDACTED]").count(), 4, "{format:?}: {line}");
    }
    let (log, sink) = logger(Format::Json, Redactor::new());
    log.info("x", &[field("jwk", Value::serde(&jwk))]);
    assert_eq!(sink.entries()[0]["jwk"]["d"], "[REDACTED]");
    assert_eq!(log.redaction_stats().secret_keys, 1);
    // Short values, one case, padding: no key material.
    let (log, sink) = logger(Format::Json, Redactor::new());
    let other = serde_json::json!({"d": "2026-12-06", "k": "cache-key-for-merchant-54470beb"});
    log.info(
        "x",
        &[field("v", Value::serde(&other)), field("p", "page-2")],
    );
    assert_eq!(sink.entries()[0]["v"], other);
    assert_eq!(sink.entries()[0]["p"], "page-2");
    // A symmetric key's 22 characters go, nested or not; an id as long under a private key's
    // member is none (a private key's part holds 256 bits or more).
    const ID: &str = "pi_3NxYzAbCdEfGhIjKlMnOpQr";
    let (log, sink) = logger(Format::Json, Redactor::new());
    let mixed = serde_json::json!({"k": K, "p": ID, "d": K});
    log.info(
        "x",
        &[
            field("v", Value::serde(&mixed)),
            field("p", ID),
            field("k", K),
        ],
    );
    let e = &sink.entries()[0];
    assert_eq!(e["v"]["k"], "[REDACTED]");
    assert_eq!((&e["v"]["p"], &e["v"]["d"]), (&ID.into(), &K.into()));
    assert_eq!((&e["p"], &e["k"]), (&ID.into(), &"[REDACTED]".into()));
}

#[test]
fn console_output_is_redacted_the_same_way() {
    let (log, sink) = logger(Format::Console, Redactor::new());
    info!(log, "card 4111-1111-1111-1111"; "token" => "abc", "cvc" => "1");
    let line = &sink.lines()[0];
    assert!(line.contains("4111-11**-****-1111"), "{line}");
    assert!(
        line.contains("token=[REDACTED]") || line.contains("token=\"[REDACTED]\""),
        "{line}"
    );
    assert!(!line.contains("cvc"), "{line}");
}

#[test]
fn opt_outs_and_extra_rules_are_honoured() {
    let redactor = Redactor::new()
        .safe_key("test_card")
        .secret_key("x-signature")
        .removed_key("otp")
        .marker("ref_code");
    let (log, sink) = logger(Format::Json, redactor);
    info!(log, "callback?ref_code=abc123&x=1";
        "test_card" => PAN, "x_signature" => "s", "otp" => "000000");
    let e = &sink.entries()[0];
    assert_eq!(e["test_card"], PAN, "explicitly safe");
    assert_eq!(e["x_signature"], "[REDACTED]");
    assert!(e.get("otp").is_none());
    assert_eq!(e["message"], "callback?ref_code=[REDACTED]&x=1");
}

#[test]
fn redaction_can_be_switched_off_explicitly() {
    let (log, sink) = logger(Format::Json, Redactor::disabled());
    info!(log, "raw"; "cvv" => "123", "card" => PAN);
    let e = &sink.entries()[0];
    assert_eq!(
        (e["cvv"].as_str(), e["card"].as_str()),
        (Some("123"), Some(PAN))
    );
}

/// A Luhn-valid PAN of `len` digits from `seed` digits.
fn make_pan(seed: &[u8], len: usize) -> String {
    let mut digits: Vec<u8> = seed.iter().cycle().take(len - 1).map(|d| d % 10).collect();
    digits[0] = 4;
    // Compute the check digit.
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    digits.push(((10 - sum % 10) % 10) as u8);
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

proptest! {
    #[test]
    fn no_pan_survives_in_any_text_or_format(
        seed in proptest::collection::vec(0u8..10, 4..20),
        len in 13usize..=19,
        // A letter or digit glued to a run makes it part of a word (a hex id), not a card.
        before in "([a-z :=,]{0,11}[ :=,])?",
        after in "([ :=,.][a-z :=,]{0,11})?",
        dashed in any::<bool>(),
        console in any::<bool>(),
    ) {
        let pan = make_pan(&seed, len);
        let shown = if dashed {
            pan.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join("-")
        } else {
            pan.clone()
        };
        let text = format!("{before}{shown}{after}");
        let (log, sink) = logger(if console { Format::Console } else { Format::Json }, Redactor::new());
        log.info(&text, &[field("value", text.as_str())]);
        let line = &sink.lines()[0];
        prop_assert!(!line.contains(&shown) && !line.contains(&pan), "{line}");
        // Masked exactly where it stands: first six and last four digits kept, separators kept.
        let mut d = 0;
        let masked: String = shown
            .chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    d += 1;
                    if d <= 6 || d > len - 4 { c } else { '*' }
                } else {
                    c
                }
            })
            .collect();
        // Unless a name before it (`pin: `, `pwd=`) had the whole value removed.
        prop_assert!(line.contains(&masked) || line.contains("[REMOVED]") || line.contains("[REDACTED]"), "{line}");
    }
}

/// Every leak reported against the two-route redactor (issue 14), through the logger.
#[test]
fn leaks_reported_against_the_old_redactor_are_closed() {
    #[derive(serde::Serialize)]
    struct Body {
        amounts: Vec<i64>,
        cards: std::collections::BTreeMap<String, u32>,
        nested: Nested,
    }
    #[derive(serde::Serialize)]
    struct Nested {
        card_cvv: &'static str,
        #[serde(rename = "secretKey")]
        secret_key: &'static str,
        transaction: &'static str,
        seconds: u32,
    }
    let (log, sink) = logger(Format::Json, Redactor::new());
    let child = log
        .with_request_id(PAN)
        .with_tenant_id(PAN)
        .with_field(PAN, "context key")
        .with_field("passphrase", "open sesame");
    let body = Body {
        amounts: vec![-4_111_111_111_111_111, 12],
        cards: [(PAN.to_owned(), 1)].into_iter().collect(),
        nested: Nested {
            card_cvv: "737",
            secret_key: "s3cr3t-v4lue",
            transaction: "tx_1",
            seconds: 3,
        },
    };
    info!(child, "2026-11-27 05:19:35 4111111111111111 declined";
        "float" => 4_111_111_111_111_111.0f64,
        "body" => Value::serde(&body),
        "card_cvv" => "737",
        "cvvCode" => "737",
        "aws_secret_key" => "wJalrXUtnFEMI",
        "signing_key" => "k-123",
        "note" => "charge body {\"cvv\":\"737\",\"brand\":\"visa\"}",
        "header" => "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9",
        "db" => "postgres://app:pw@db:5432/payments",
        "ts_text" => "epoch 1764221757123 and 20261127051935123");
    child.info("keys", &[field(PAN, "field key")]);
    let lines = sink.lines();
    for line in &lines {
        assert!(!line.contains(PAN), "{line}");
        for secret in [
            "737",
            "s3cr3t-v4lue",
            "open sesame",
            "wJalrXUtnFEMI",
            "k-123",
            "eyJhbGciOiJIUzI1NiJ9",
            ":pw@",
        ] {
            assert!(!line.contains(secret), "{secret} in {line}");
        }
    }
    let e = &sink.entries()[0];
    assert_eq!(
        e["message"],
        "2026-11-27 05:19:35 411111******1111 declined"
    );
    assert_eq!(e["request_id"], MASKED);
    assert_eq!(e["tenant_id"], MASKED);
    assert_eq!(e[MASKED], "context key");
    assert_eq!(e["passphrase"], "[REDACTED]");
    assert_eq!(e["float"], MASKED);
    assert_eq!(e["body"]["amounts"][0], format!("-{MASKED}"));
    assert_eq!(e["body"]["amounts"][1], 12);
    assert_eq!(e["body"]["cards"][MASKED], 1);
    assert!(e["body"]["nested"].get("card_cvv").is_none());
    assert_eq!(e["body"]["nested"]["secretKey"], "[REDACTED]");
    assert_eq!(e["body"]["nested"]["transaction"], "tx_1");
    assert_eq!(e["body"]["nested"]["seconds"], 3);
    assert!(e.get("card_cvv").is_none() && e.get("cvvCode").is_none());
    assert_eq!(
        e["note"],
        "charge body {\"cvv\":\"[REMOVED]\",\"brand\":\"visa\"}"
    );
    assert_eq!(e["header"], "Authorization: [REDACTED]");
    assert_eq!(e["db"], "postgres://app:[REDACTED]@db:5432/payments");
    assert_eq!(e["ts_text"], "epoch 1764221757123 and 20261127051935123");
    assert_eq!(
        sink.captured()[0].tenant_id.as_deref(),
        Some(MASKED),
        "routing uses the redacted tenant"
    );
    assert_eq!(child.tenant_id(), Some(MASKED));
    assert_eq!(sink.entries()[1][MASKED], "field key");
}

#[test]
fn integers_that_name_a_time_or_cannot_be_cards_stay_numbers() {
    let (log, sink) = logger(Format::Json, Redactor::new());
    info!(log, "times"; "ts" => 4_111_111_111_111_111u64, "epoch_ms" => 1_764_221_757_123u64,
        "n" => 1_764_221_757_123u64, "order" => 1_234_567_890_123_456u64);
    let e = &sink.entries()[0];
    assert_eq!(e["ts"], 4_111_111_111_111_111u64);
    assert_eq!(e["n"], 1_764_221_757_123u64);
    assert_eq!(e["order"], 1_234_567_890_123_456u64);
}
