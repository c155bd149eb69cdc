//! Properties redacted as log fields are: EMF documents are log events, so a property named
//! for a secret is `[REDACTED]`, sensitive authentication data `null`, card numbers in text
//! masked; Lift's own ids are kept.

use crate::value::OwnedValue;

/// A property's value, redacted by Lift's built-in rules like a log field (EMF documents
/// are log events): a secret key's value becomes `[REDACTED]`, sensitive authentication
/// data is dropped to `null`, card numbers in text are masked. Lift's own ids (`request_id`,
/// `trace_id`) are identity and kept as they are.
pub(super) fn redacted_property(key: &str, value: crate::value::Value<'_>) -> OwnedValue {
    use crate::redact::{KeyRule, Redactor};
    use crate::value::Value;
    let redactor = Redactor::builtin();
    if key == "request_id" || key == "trace_id" {
        return value.to_owned_value();
    }
    let masked = |v: Option<([u8; 21], usize)>| {
        v.map(|(b, n)| OwnedValue::Str(String::from_utf8_lossy(&b[..n]).into()))
    };
    let rule = match redactor.key_rule(key) {
        // Sensitive authentication data's check result (`cvv_code: "M"`) reports on it.
        KeyRule::Remove if value.reports_on_card_data() => KeyRule::Scan,
        rule => rule,
    };
    match rule {
        KeyRule::Secret => match value.plain() {
            Some(crate::plain_probe::Plain::Null) => OwnedValue::Null,
            Some(crate::plain_probe::Plain::Bool(b)) => OwnedValue::Bool(b),
            None => OwnedValue::Str(crate::redact::text::REDACTED.into()),
        },
        KeyRule::Remove => OwnedValue::Null,
        KeyRule::Scan | KeyRule::Safe => match value {
            // A payload in base64 (an event's `body`): read as the text it encodes.
            Value::Str(s) if crate::redact::keys::is_payload_key(key.as_bytes()) => {
                OwnedValue::Str(redactor.redact_payload(s).into())
            }
            Value::Str(s) => OwnedValue::Str(redactor.redact(s).into()),
            Value::U64(v) => {
                masked(redactor.masked_integer(key, v, false)).unwrap_or(OwnedValue::U64(v))
            }
            Value::I64(v) => masked(redactor.masked_integer(key, v.unsigned_abs(), v < 0))
                .unwrap_or(OwnedValue::I64(v)),
            Value::F64(v) => masked(redactor.masked_float(key, v)).unwrap_or(OwnedValue::F64(v)),
            Value::Serde(_) | Value::Json(_) => {
                let mut out = Vec::new();
                crate::encoder::json::write_value(&mut out, key, value, Some(redactor));
                OwnedValue::Json(String::from_utf8_lossy(&out).into_owned().into())
            }
            other => match other.to_owned_value() {
                OwnedValue::Str(s) => OwnedValue::Str(redactor.redact(&s).into()),
                owned => owned,
            },
        },
    }
}
