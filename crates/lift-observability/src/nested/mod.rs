//! Nested `Serialize` values, written as JSON and redacted **while** serde serializes them.
//!
//! [`NestedWriter`] is a `serde::Serializer` that writes JSON straight into the line: each
//! object key is decided by the key rules as soon as serde hands it over — a removed key's
//! value is never serialized, a secret's value is written as `"[REDACTED]"`, a safe key's
//! value as given — each string goes once through the same escaping and text detection as
//! a top-level string, and integers or integral floats that are card numbers become their
//! masked strings (unless the key names a time). Bytes (`Vec<u8>`, `bytes::Bytes`), which
//! JSON writes as a list of numbers, are read as the text they hold and written again
//! redacted when anything in them is found. No `serde_json::Value` is built and no
//! string is escaped twice. The output is what `serde_json` writes for the same value
//! (compact, `null` for non-finite floats, enums externally tagged), apart from redaction
//! and Lift's escaping of U+2028/U+2029. Nesting deeper than [`MAX_NESTING_DEPTH`] is
//! refused, so the line stays readable by common JSON parsers.

mod byte_lists;
mod compound;
mod map_key;
mod serializer;
mod writer;

pub(crate) use writer::NestedWriter;

use std::fmt;

use serde::ser;

use crate::plain_probe::{Plain, plain_value};
use crate::redact::Redactor;
use writer::How;

/// Deepest nesting of arrays and objects written for a `Serialize` value: small enough that
/// the whole line (the value sits inside the line's object) parses with serde_json's default
/// recursion limit, as common JSON readers' limits go (checked by a test). Deeper values
/// are replaced by an `<unserializable: …>` string instead of exhausting the stack.
pub(crate) const MAX_NESTING_DEPTH: u32 = 126;

/// An object-safe view of `serde::Serialize`, so a borrowed `&dyn SerializeJson` fits in a
/// `Value`. Implemented for every `Serialize` type.
pub trait SerializeJson {
    /// Serializes `self` through `writer` (Lift's redacting JSON writer).
    fn serialize_json(&self, writer: &mut NestedWriter<'_>) -> Result<(), NestedError>;

    /// The JSON text of `self` when it hides nothing — `null` (`None`, `()`), `true` or
    /// `false`: written as it is under a secret's key too, where anything else is
    /// `"[REDACTED]"`. Told without reading the value; `None` unless known.
    fn plain_json(&self) -> Option<&'static str> {
        None
    }

    /// Whether `self`, under a name for sensitive authentication data, reports on the data
    /// instead of holding it — a gateway's check result (`"M"`, `"unchecked"`, an enum's
    /// `Match`): written as it is, where anything else is left out. `false` unless known.
    fn reports_on_card_data(&self) -> bool {
        false
    }
}

impl<T: serde::Serialize + ?Sized> SerializeJson for T {
    fn serialize_json(&self, writer: &mut NestedWriter<'_>) -> Result<(), NestedError> {
        self.serialize(writer)
    }

    fn plain_json(&self) -> Option<&'static str> {
        plain_value(self).map(Plain::json)
    }

    fn reports_on_card_data(&self) -> bool {
        crate::plain_probe::reports_on_card_data(self)
    }
}

/// Why a nested value could not be written (its `Serialize` impl failed, a map key was not
/// text, or it nested too deep). The line gets `"<unserializable: …>"` instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NestedError(String);

impl fmt::Display for NestedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NestedError {}

impl ser::Error for NestedError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        NestedError(msg.to_string())
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Collected strings longer than this are not kept for the next value.
const KEEP_SCRATCH_BYTES: usize = 16 * 1024;

/// Runs `f` with a cleared string buffer, reused across calls on a thread (a re-entrant
/// call finds the buffer taken and uses a fresh one).
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut String) -> R) -> R {
    let taken = SCRATCH
        .try_with(|cell| {
            cell.try_borrow_mut()
                .map(|mut b| std::mem::take(&mut *b))
                .ok()
        })
        .ok()
        .flatten();
    let reused = taken.is_some();
    let mut buf = taken.unwrap_or_default();
    buf.clear();
    let result = f(&mut buf);
    if reused && buf.capacity() <= KEEP_SCRATCH_BYTES {
        let _ = SCRATCH.try_with(|cell| {
            if let Ok(mut slot) = cell.try_borrow_mut() {
                *slot = buf;
            }
        });
    }
    result
}

/// Writes `value` as JSON into `out`, redacted by `redactor` (`None`: as given); on a
/// serialization error, rolls back and writes a JSON string saying what failed, so the
/// surrounding line stays valid.
pub(crate) fn write_serialize(
    out: &mut Vec<u8>,
    value: &dyn SerializeJson,
    redactor: Option<&Redactor>,
) {
    let start = out.len();
    let result = with_scratch(|key| {
        let mut writer = NestedWriter {
            out: &mut *out,
            key,
            redactor,
            depth: 0,
            time_key: false,
            how: How::Redacted,
        };
        value.serialize_json(&mut writer)
    });
    if let Err(e) = result {
        out.truncate(start);
        out.push(b'"');
        let text = format!("<unserializable: {e}>");
        match redactor {
            Some(r) => r.write_json_str(out, &text),
            None => crate::escape::json_str(out, &text),
        }
        out.push(b'"');
    }
}

#[cfg(test)]
mod tests {
    use super::byte_lists::write_byte_list;
    use super::*;

    fn write(value: &impl serde::Serialize, redactor: Option<&Redactor>) -> String {
        let mut out = Vec::new();
        write_serialize(&mut out, value, redactor);
        String::from_utf8(out).unwrap()
    }

    /// Bytes as `bytes::Bytes` and `serde_bytes` serialize them.
    struct AsBytes<'a>(&'a [u8]);

    impl serde::Serialize for AsBytes<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }

    #[test]
    fn bytes_are_read_as_the_text_they_hold() {
        // A body held as bytes was written as numbers, every card and code in it in clear.
        let r = Redactor::new();
        let body = br#"{"cvv":"737","card":"4111111111111111"}"#;
        let redacted = br#"{"cvv":"[REMOVED]","card":"411111******1111"}"#;
        let list = |b: &[u8]| {
            let mut out = Vec::new();
            write_byte_list(&mut out, b);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(write(&body.to_vec(), Some(&r)), list(redacted));
        assert_eq!(write(&AsBytes(body), Some(&r)), list(redacted));
        assert_eq!(
            write(&[("body", body.to_vec())], Some(&r)),
            format!("[[\"body\",{}]]", list(redacted))
        );
        // Written as serde_json writes them otherwise.
        assert_eq!(
            write(&body.to_vec(), None),
            serde_json::to_string(&body.to_vec()).unwrap()
        );
        assert_eq!(list(body), serde_json::to_string(&body.to_vec()).unwrap());
        // Bytes that are not UTF-8 around a card number: kept, the number masked.
        let mut binary = vec![0xff, 0x00, b' '];
        binary.extend_from_slice(b"4111111111111111");
        binary.extend_from_slice(&[b' ', 0xfe, 0x80]);
        let mut masked = vec![0xff, 0x00, b' '];
        masked.extend_from_slice(b"411111******1111");
        masked.extend_from_slice(&[b' ', 0xfe, 0x80]);
        assert_eq!(write(&binary, Some(&r)), list(&masked));
        // Lists holding nothing, lists of other numbers and of bytes too few: as they are.
        let digest: [u8; 32] = std::array::from_fn(|k| (k * 37 % 256) as u8);
        let long = vec![7u8; 2000];
        for value in [
            serde_json::json!(digest),
            serde_json::json!(long),
            serde_json::json!([
                52, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 256
            ]),
            serde_json::json!([52, 49, 49]),
            serde_json::json!([
                52, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, -1
            ]),
            serde_json::json!([[52, 49], "4111111111111111"]),
        ] {
            let expected = serde_json::to_string(&value)
                .unwrap()
                .replace("4111111111111111", "411111******1111");
            assert_eq!(write(&value, Some(&r)), expected);
        }
        // A long body, read from the heap.
        let mut big = vec![b'x'; 4000];
        big.extend_from_slice(b" pan 4111111111111111");
        let mut big_masked = vec![b'x'; 4000];
        big_masked.extend_from_slice(b" pan 411111******1111");
        assert_eq!(write(&big, Some(&r)), list(&big_masked));
    }

    #[test]
    fn gzipped_bytes_are_read_as_the_text_they_inflate_to() {
        // Written as numbers in clear before: a log subscription's events held as bytes,
        // gzip'd, read as binary held nothing.
        let r = Redactor::new();
        let events = br#"{"logEvents":[{"message":"charge card=4111111111111111"}]}"#;
        let gzipped = crate::redact::gzip_for_tests(events);
        let list = |b: &[u8]| {
            let mut out = Vec::new();
            write_byte_list(&mut out, b);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(write(&AsBytes(&gzipped), Some(&r)), list(b"[REDACTED]"));
        assert_eq!(write(&gzipped, Some(&r)), list(b"[REDACTED]"));
        // A stream holding nothing stays as it is.
        let plain = crate::redact::gzip_for_tests(b"Payment authorized in 182 ms");
        assert_eq!(write(&AsBytes(&plain), Some(&r)), list(&plain));
    }

    /// An API Gateway event's fields as aws_lambda_events names them (a struct's fields).
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct ProxyRequest {
        http_method: &'static str,
        body: Option<String>,
        is_base64_encoded: bool,
    }

    #[test]
    fn a_payload_in_base64_is_read_as_the_text_it_encodes() {
        // A form post logged with its event: the card and the code in its encoded body were
        // kept (only JSON, `eyJ…`, was decoded).
        use base64::Engine as _;
        let encode = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
        let r = Redactor::new();
        let form = encode("card_number=4111111111111111&cvc=737");
        let request = ProxyRequest {
            http_method: "POST",
            body: Some(form.clone()),
            is_base64_encoded: true,
        };
        assert_eq!(
            write(&request, Some(&r)),
            r#"{"httpMethod":"POST","body":"[REDACTED]","isBase64Encoded":true}"#
        );
        let stats = r.stats();
        assert_eq!((stats.pan, stats.sensitive_auth_data), (1, 1), "{stats:?}");
        // A map's key (`serde_json::Value`), a record's `data` in a list, any case.
        let event = serde_json::json!({
            "Records": [{"kinesis": {"Data": form, "partitionKey": "p"}}],
            "payload": format!("{form} tail 4111111111111111"),
        });
        assert_eq!(
            write(&event, Some(&r)),
            r#"{"Records":[{"kinesis":{"Data":"[REDACTED]","partitionKey":"p"}}],"payload":"[REDACTED] tail 411111******1111"}"#
        );
        // What holds nothing stays, and so does the same text under another name, under a
        // safe key, or with no redactor.
        let plain = encode("amount=1250&currency=usd");
        let kept = serde_json::json!({"body": plain, "note": form});
        assert_eq!(write(&kept, Some(&r)), kept.to_string());
        let safe = Redactor::new().safe_key("body");
        assert_eq!(
            write(&request, Some(&safe)),
            serde_json::to_string(&request).unwrap()
        );
        assert_eq!(
            write(&request, None),
            serde_json::to_string(&request).unwrap()
        );
    }

    #[test]
    fn enum_variants_and_compounds_are_written_as_serde_json_writes_them() {
        #[derive(serde::Serialize)]
        enum Event {
            Unit,
            Newtype(u32),
            Tuple(u32, &'static str),
            Struct {
                id: &'static str,
                items: Vec<(u8, bool)>,
            },
        }
        let value = (
            vec![Event::Unit, Event::Newtype(7)],
            Event::Tuple(1, "a"),
            Event::Struct {
                id: "evt_1",
                items: vec![(1, true), (2, false)],
            },
            std::collections::BTreeMap::from([("k", vec![Event::Tuple(2, "b")])]),
        );
        let expected = serde_json::to_string(&value).unwrap();
        assert_eq!(write(&value, None), expected);
        assert_eq!(write(&value, Some(&Redactor::new())), expected);
    }

    #[test]
    fn a_pairs_value_goes_by_the_name_member_before_it() {
        #[derive(serde::Serialize)]
        struct Env {
            name: &'static str,
            value: &'static str,
        }
        #[derive(serde::Serialize)]
        enum Kind {
            SecureString,
        }
        #[derive(serde::Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Parameter {
            name: &'static str,
            r#type: Kind,
            value: &'static str,
        }
        let r = Redactor::new();
        let env = [
            Env {
                name: "DB_PASSWORD",
                value: "hunter2",
            },
            Env {
                name: "card_cvv",
                value: "737",
            },
            Env {
                name: "REGION",
                value: "eu",
            },
        ];
        assert_eq!(
            write(&env, Some(&r)),
            r#"[{"name":"DB_PASSWORD","value":"[REDACTED]"},{"name":"card_cvv","value":"[REMOVED]"},{"name":"REGION","value":"eu"}]"#
        );
        let parameter = Parameter {
            name: "/prod/app/key",
            r#type: Kind::SecureString,
            value: "sk",
        };
        assert_eq!(
            write(&parameter, Some(&r)),
            r#"{"Name":"/prod/app/key","Type":"SecureString","Value":"[REDACTED]"}"#
        );
        // Maps (keys known at run time) and tuples of two: the tuple keeps its length.
        let json = serde_json::json!([
            {"ParameterKey": "DbPassword", "ParameterValue": "pw"},
            {"OptionName": "LOG_LEVEL", "Value": "debug"}
        ]);
        assert_eq!(
            write(&json, Some(&r)),
            r#"[{"ParameterKey":"DbPassword","ParameterValue":"[REDACTED]"},{"OptionName":"LOG_LEVEL","Value":"debug"}]"#
        );
        let headers = vec![("x-api-key", "k1"), ("cvv", "737"), ("accept", "json")];
        assert_eq!(
            write(&headers, Some(&r)),
            r#"[["x-api-key","[REDACTED]"],["cvv","[REMOVED]"],["accept","json"]]"#
        );
        assert_eq!(r.stats().secret_keys, 4);
        assert_eq!(r.stats().sensitive_auth_data, 2);
        // Without redaction, and under a safe key, everything as given.
        assert_eq!(
            write(&headers, None),
            serde_json::to_string(&headers).unwrap()
        );
        let safe = Redactor::new().safe_key("headers");
        let wrapped = std::collections::BTreeMap::from([("headers", &headers)]);
        assert_eq!(
            write(&wrapped, Some(&safe)),
            serde_json::to_string(&wrapped).unwrap()
        );
        // A name whose value is no text, a name in a nested object, three items.
        let others = serde_json::json!([
            {"name": {"first": "password"}, "value": "v"},
            {"meta": {"name": "DB_PASSWORD"}, "value": "v"},
            ["password", "v", "w"]
        ]);
        assert_eq!(
            write(&others, Some(&r)),
            serde_json::to_string(&others).unwrap()
        );
        // A value before its name.
        #[derive(serde::Serialize)]
        struct Reversed {
            value: &'static str,
            name: &'static str,
        }
        let reversed = Reversed {
            value: "v",
            name: "DB_PASSWORD",
        };
        assert_eq!(
            write(&reversed, Some(&r)),
            serde_json::to_string(&reversed).unwrap()
        );
    }

    #[test]
    fn nested_values_are_redacted_by_key_and_by_value() {
        let r = Redactor::new();
        let v = serde_json::json!({
            "card": {"number": "4111111111111111", "cvv": "123", "exp": "12/29"},
            "auth": {"password": "p"},
            "ids": [4111111111111111u64, 5],
            "created_at": 4111111111111111u64,
            "negative": [-4111111111111111i64],
            "float": 4111111111111111.0,
            "4111111111111111": "pan as a key",
            "note": "Bearer abc.def.ghi",
            "list": [{"cvv": 1}, {"x": 2}]
        });
        assert_eq!(
            write(&v, Some(&r)),
            r#"{"411111******1111":"pan as a key","auth":"[REDACTED]","card":{"exp":"12/29","number":"411111******1111"},"created_at":4111111111111111,"float":"411111******1111","ids":["411111******1111",5],"list":[{},{"x":2}],"negative":["-411111******1111"],"note":"Bearer [REDACTED]"}"#
        );
        let stats = r.stats();
        assert_eq!(
            (stats.pan, stats.sensitive_auth_data, stats.secret_keys),
            (5, 2, 1)
        );
    }

    #[test]
    fn a_flag_under_a_secret_s_name_is_written_as_it_is() {
        #[derive(serde::Serialize)]
        struct Db {
            password_set: bool,
            token: Option<bool>,
        }
        let db = Db {
            password_set: true,
            token: Some(false),
        };
        assert_eq!(
            write(&db, Some(&Redactor::new())),
            r#"{"password_set":true,"token":false}"#
        );
        // A pair's value that is a flag.
        let pairs = serde_json::json!([{"name": "DB_PASSWORD", "value": true}]);
        assert_eq!(
            write(&pairs, Some(&Redactor::new())),
            r#"[{"name":"DB_PASSWORD","value":true}]"#
        );
    }

    #[test]
    fn a_secret_that_is_not_set_is_written_as_null() {
        // `"[REDACTED]"` said a secret was set when it was `None`, unlike free text
        // (`password: None` stays): that a key was never configured is what the reader of
        // the line looks for.
        #[derive(serde::Serialize)]
        struct Db {
            password: Option<String>,
            api_key: Option<String>,
            token: (),
            cvv: Option<u16>,
        }
        let r = Redactor::new();
        let db = Db {
            password: None,
            api_key: Some("k".into()),
            token: (),
            cvv: None,
        };
        assert_eq!(
            write(&db, Some(&r)),
            r#"{"password":null,"api_key":"[REDACTED]","token":null}"#
        );
        let pairs = serde_json::json!([
            {"name": "DB_PASSWORD", "value": null},
            {"name": "card_cvv", "value": null},
            {"secret": null},
        ]);
        assert_eq!(
            write(&pairs, Some(&r)),
            r#"[{"name":"DB_PASSWORD","value":null},{"name":"card_cvv","value":null},{"secret":null}]"#
        );
        assert_eq!(
            write(&[("x-api-key", None::<&str>), ("pin", Some("1"))], Some(&r)),
            r#"[["x-api-key",null],["pin","[REMOVED]"]]"#
        );
        let stats = r.stats();
        assert_eq!((stats.sensitive_auth_data, stats.secret_keys), (2, 1));
    }

    #[test]
    fn struct_field_names_of_every_length_are_written_whole() {
        // Field names around the size of the cached `"key":` rendering (29 bytes fit), in
        // first and later position, with redaction on and off.
        #[derive(serde::Serialize)]
        #[allow(non_snake_case)]
        struct Names {
            a: u8,
            abcdefghijklmnopqrstuvwxyzABC: u8,
            abcdefghijklmnopqrstuvwxyzABCD: u8,
            abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ: u8,
            b: Inner,
        }
        #[derive(serde::Serialize)]
        #[allow(non_snake_case)]
        struct Inner {
            abcdefghijklmnopqrstuvwxyzABCD: &'static str,
            x: &'static str,
        }
        let v = Names {
            a: 1,
            abcdefghijklmnopqrstuvwxyzABC: 2,
            abcdefghijklmnopqrstuvwxyzABCD: 3,
            abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ: 4,
            b: Inner {
                abcdefghijklmnopqrstuvwxyzABCD: "y",
                x: "z",
            },
        };
        let want = serde_json::to_string(&v).expect("serializes");
        let r = Redactor::new();
        for _ in 0..2 {
            // Twice: the first meeting of each name decides it, the second finds it cached.
            assert_eq!(write(&v, Some(&r)), want);
            assert_eq!(write(&v, None), want);
        }
    }

    /// Every shape serde has, without redaction, byte for byte as `serde_json` writes it.
    #[test]
    fn without_a_redactor_the_value_is_written_as_serde_json_writes_it() {
        #[derive(serde::Serialize)]
        enum E {
            Unit,
            Newtype(u8),
            Tuple(u8, &'static str),
            Struct { a: i8, b: Option<bool> },
        }
        #[derive(serde::Serialize)]
        struct Unit;
        #[derive(serde::Serialize)]
        struct Tuple(u8, f32);
        #[derive(serde::Serialize)]
        struct All<'a> {
            s: &'a str,
            c: char,
            n: (),
            u: Unit,
            t: Tuple,
            e: Vec<E>,
            m: std::collections::BTreeMap<u32, Vec<f64>>,
            b: &'a [u8],
            big: u128,
            neg: i128,
            nan: f64,
        }
        let v = All {
            s: "x\"\n",
            c: 'é',
            n: (),
            u: Unit,
            t: Tuple(1, 2.5),
            e: vec![
                E::Unit,
                E::Newtype(3),
                E::Tuple(4, "y"),
                E::Struct { a: -5, b: None },
            ],
            m: [(7, vec![0.25, -1.0])].into_iter().collect(),
            b: b"ab",
            big: u128::MAX,
            neg: -170_141_183_460_469_231_731_687_303_715_884_105_728,
            nan: f64::NAN,
        };
        assert_eq!(write(&v, None), serde_json::to_string(&v).unwrap());
    }

    #[test]
    fn failing_serialize_leaves_valid_json() {
        struct Bad;
        impl serde::Serialize for Bad {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::{Error, SerializeMap};
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("a", &1)?;
                Err(S::Error::custom("nope"))
            }
        }
        assert_eq!(
            write(&Bad, Some(&Redactor::new())),
            r#""<unserializable: nope>""#
        );
        let map: std::collections::BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into_iter().collect();
        assert_eq!(
            write(&map, None),
            r#""<unserializable: key must be a string>""#
        );
    }

    #[test]
    fn deep_values_are_refused_not_overflowing() {
        let mut v = serde_json::json!(1);
        for _ in 0..200 {
            v = serde_json::json!([v]);
        }
        let out = write(&v, Some(&Redactor::new()));
        assert!(
            out.starts_with("\"<unserializable: nested deeper than"),
            "{out}"
        );
    }
}
