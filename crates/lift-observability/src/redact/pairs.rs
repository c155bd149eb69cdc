//! A name and its value written as two members of one object, or two items of one tuple.
//!
//! Configuration is often logged as pairs whose value's own key says nothing: ECS task
//! definitions and CodeBuild projects (`{"name":"DB_PASSWORD","value":"…"}`), HAR and HTTP
//! client traces (`{"name":"X-Api-Key","value":"…"}`), CloudFormation parameters
//! (`{"ParameterKey":"DbPassword","ParameterValue":"…"}`), Elastic Beanstalk options
//! (`{"OptionName":"STRIPE_SECRET","Value":"…"}`), Kubernetes `env` lists in YAML, a Rust
//! `Vec<(String, String)>` of headers. There the *name member's value* is the name: it is
//! judged as a name found in text is ([`Redactor::text_name_rule`]), and the value member
//! after it gets that verdict. An SSM parameter of type `SecureString` is secret whatever
//! its name. A JSON Patch operation (RFC 6902, an API's `PATCH` body:
//! `{"op":"replace","path":"/password","value":"…"}`) names its value by its pointer's last
//! segment.
//!
//! Only a name member *before* its value member counts — the order every tool above writes
//! (and the order of sorted keys: `name` < `value`, `…Key` < `…Value`) — and only in the
//! same object, with no object or list between them. Free text and nested `Serialize`
//! values are judged by the same look-back ([`verdict_in_text`]): the nested writer reads
//! back the object it has written so far.

use super::{KeyRule, Redactor, byte_class};

/// What a member's key makes it in a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum PairRole {
    /// Nothing: most keys.
    #[default]
    None,
    /// Its string value names the pair's value (`name`, `ParameterKey`, `OptionName`).
    Name,
    /// The pair's value (`value`, `ParameterValue`).
    Value,
    /// SSM's `Type`: `SecureString` makes the value secret.
    Type,
}

/// Keys of a pair's name, lowercased, without `_`, `-`, `.`.
const NAME_KEYS: [&[u8]; 10] = [
    b"name",
    b"key",
    b"parametername",
    b"parameterkey",
    b"optionname",
    b"headername",
    b"variablename",
    b"settingname",
    b"fieldname",
    // A validation error's field, its rejected value beside it (Spring's `FieldError`:
    // `{"field":"cvv","rejectedValue":"737"}`).
    b"field",
];

/// Keys of a pair's value, likewise.
const VALUE_KEYS: [&[u8]; 8] = [
    b"value",
    b"parametervalue",
    b"optionvalue",
    b"headervalue",
    b"variablevalue",
    b"settingvalue",
    b"fieldvalue",
    b"rejectedvalue",
];

/// The longest key with a role.
const LONGEST: usize = 16;

/// The role of the member named `key`.
#[inline]
pub(crate) fn role(key: &[u8]) -> PairRole {
    // Every key with a role ends in `name`, `key`, `value`, `type` or `field` (any case).
    if key.len() > LONGEST || !matches!(key.last(), Some(b'e' | b'E' | b'y' | b'Y' | b'd' | b'D')) {
        return PairRole::None;
    }
    let ends_in = |word: &[u8]| {
        key.len() >= word.len() && key[key.len() - word.len()..].eq_ignore_ascii_case(word)
    };
    if !(ends_in(b"name")
        || ends_in(b"key")
        || ends_in(b"value")
        || ends_in(b"type")
        || ends_in(b"field"))
    {
        return PairRole::None;
    }
    role_of_candidate(key)
}

/// Whether `key` is a pair's value key ([`PairRole::Value`]), decided at compile time for
/// a literal key: such a key is judged at run time, where the line written so far is seen.
pub(crate) const fn is_value_key(key: &[u8]) -> bool {
    let mut folded = [0u8; LONGEST];
    let (mut n, mut i) = (0, 0);
    while i < key.len() {
        let b = key[i];
        i += 1;
        if matches!(b, b'_' | b'-' | b'.') {
            continue;
        }
        if n == LONGEST {
            return false;
        }
        folded[n] = b.to_ascii_lowercase();
        n += 1;
    }
    let mut k = 0;
    while k < VALUE_KEYS.len() {
        let name = VALUE_KEYS[k];
        if name.len() == n {
            let mut j = 0;
            while j < n && folded[j] == name[j] {
                j += 1;
            }
            if j == n {
                return true;
            }
        }
        k += 1;
    }
    false
}

/// The verdict for a field named as a pair's value, from the fields of the line written
/// so far (`out`: the line's start is after its last newline) — as a value member's in an
/// object (`name=DB_PASSWORD value=…`, `"name":"DB_PASSWORD","value":…`). `out` ends with
/// the field's key and separator.
pub(crate) fn verdict_of_field(redactor: &Redactor, out: &[u8]) -> KeyRule {
    // Within the look-back's reach only: a long line is not read back to its start.
    let reach = out.len().saturating_sub(REACH);
    let line_start = out[reach..]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| reach + p + 1);
    verdict_in_text(redactor, out, out.len(), line_start, false)
}

#[cold]
fn role_of_candidate(key: &[u8]) -> PairRole {
    let mut folded = [0u8; LONGEST];
    let mut n = 0;
    for &b in key {
        if !matches!(b, b'_' | b'-' | b'.') {
            folded[n] = b.to_ascii_lowercase();
            n += 1;
        }
    }
    let folded = &folded[..n];
    if NAME_KEYS.contains(&folded) {
        PairRole::Name
    } else if VALUE_KEYS.contains(&folded) {
        PairRole::Value
    } else if folded == b"type" {
        PairRole::Type
    } else {
        PairRole::None
    }
}

/// The verdict a pair's `name` (the text of a [`PairRole::Name`] member, or of a
/// [`PairRole::Type`] one) gives its value: [`KeyRule::Remove`], [`KeyRule::Secret`] or
/// [`KeyRule::Scan`] (nothing).
fn verdict(redactor: &Redactor, role: PairRole, name: &[u8]) -> KeyRule {
    match role {
        // Judged whatever its length: a name a pass shortened (`password=[REDACTED]`)
        // gets the verdict it got whole.
        PairRole::Name if !name.is_empty() => match redactor.text_name_rule(name) {
            rule @ (KeyRule::Remove | KeyRule::Secret) => rule,
            KeyRule::Scan | KeyRule::Safe => KeyRule::Scan,
        },
        PairRole::Type if name == b"SecureString" => KeyRule::Secret,
        _ => KeyRule::Scan,
    }
}

/// The stronger of two verdicts: a removal outranks a redaction.
fn stronger(a: KeyRule, b: KeyRule) -> KeyRule {
    match (a, b) {
        (KeyRule::Remove, _) | (_, KeyRule::Remove) => KeyRule::Remove,
        (KeyRule::Secret, _) | (_, KeyRule::Secret) => KeyRule::Secret,
        _ => KeyRule::Scan,
    }
}

/// How far back from a value member's key free text is searched for its name member.
const REACH: usize = 512;

/// The verdict for a value member whose key starts at `key_start` in free text: from the
/// name members (and SSM type) before it in the same object — after the last bracket
/// before it (`{`, `}`, `[`, `]`) outside double-quoted strings, within [`REACH`] bytes,
/// never before `floor`. The nearest name member decides (a YAML list's items follow one
/// another unbracketed).
///
/// A pass over free text reads no further back than what it replaced (`floor`); a second
/// pass, none further than a marker the first wrote (`after_markers`) — so both find the
/// same name members.
pub(crate) fn verdict_in_text(
    redactor: &Redactor,
    bytes: &[u8],
    key_start: usize,
    floor: usize,
    after_markers: bool,
) -> KeyRule {
    let from = key_start.saturating_sub(REACH).max(floor).min(key_start);
    let members = object_members(&bytes[from..key_start], after_markers);
    let mut named = KeyRule::Scan;
    let mut typed = KeyRule::Scan;
    let (mut operation, mut pointed) = (false, KeyRule::Scan);
    for (at, &b) in members.iter().enumerate() {
        if b != b':' && b != b'=' {
            continue;
        }
        let key = member_key(&members[..at]);
        match key {
            b"op" => operation = true,
            b"path" => {
                if let Some(pointer) = member_text(&members[at + 1..]) {
                    pointed = pointer_verdict(redactor, pointer);
                }
            }
            _ => {}
        }
        let role = role(key);
        if role == PairRole::None || role == PairRole::Value {
            continue;
        }
        let Some(name) = member_text(&members[at + 1..]) else {
            continue;
        };
        match role {
            PairRole::Name => named = verdict(redactor, role, name),
            _ => typed = stronger(typed, verdict(redactor, role, name)),
        }
    }
    // A JSON Patch operation (RFC 6902: `{"op":"replace","path":"/password","value":…}`).
    let pointed = if operation { pointed } else { KeyRule::Scan };
    stronger(stronger(named, typed), pointed)
}

/// The verdict a JSON Pointer (`/card/cvv`, `/cards/0/pin`) gives the value at its end: its
/// last segment's, judged as a pair's name is (`/password/minLength` points at no secret).
fn pointer_verdict(redactor: &Redactor, pointer: &[u8]) -> KeyRule {
    let last = pointer
        .iter()
        .rposition(|&b| b == b'/')
        .map_or(pointer, |slash| &pointer[slash + 1..]);
    verdict(redactor, PairRole::Name, last)
}

/// The verdict for a two-item tuple's second item, from its first as written (`written`:
/// the tuple from its `[`, the first item and its comma): a string naming a secret
/// (`("x-api-key", "k123")`).
pub(crate) fn verdict_of_first_item(redactor: &Redactor, written: &[u8]) -> KeyRule {
    match written {
        [b'[', b'"', name @ .., b'"', b','] => verdict(redactor, PairRole::Name, name),
        _ => KeyRule::Scan,
    }
}

/// The members written before a value member's key (`before`: up to the key, or to its
/// opening quote), back to the bracket that opens their object: the last `{`, `}`, `[`,
/// `]` outside double quotes (`"note":"see [docs]"` holds none), counting quotes back from
/// the key, which stands outside any string — or, `after_markers`, the last marker
/// (`[REDACTED]`, `[REMOVED]`) or masked digit (`*`) wherever it stands.
fn object_members(before: &[u8], after_markers: bool) -> &[u8] {
    let mut end = before.len();
    // A quoted key's opening quote (`"value"`, JSON-escaped `\"value\"`).
    if end > 0 && before[end - 1] == b'"' {
        end -= 1;
        if end > 0 && before[end - 1] == b'\\' {
            end -= 1;
        }
    }
    let mut in_string = false;
    for at in (0..end).rev() {
        match before[at] {
            b']' if after_markers && super::text::ends_with_marker(&before[..=at]) => {
                return &before[at + 1..end];
            }
            // A card number an earlier pass masked (`411111******1111`).
            b if after_markers && b == super::card::MASK_CHAR as u8 => return &before[at + 1..end],
            b'"' => in_string = !in_string,
            b'{' | b'}' | b'[' | b']' if !in_string => return &before[at + 1..end],
            _ => {}
        }
    }
    &before[..end]
}

/// The key right before a separator: bare, or in quotes (`"name"`, `'name'`, `\"name\"`).
fn member_key(before: &[u8]) -> &[u8] {
    let mut end = before.len();
    while end > 0 && matches!(before[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    if end > 0 && matches!(before[end - 1], b'"' | b'\'') {
        end -= 1;
        // JSON-escaped text: `\"name\"`.
        if end > 0 && before[end - 1] == b'\\' {
            end -= 1;
        }
    }
    let mut start = end;
    while start > 0 && byte_class::is(before[start - 1], byte_class::NAME) {
        start -= 1;
    }
    &before[start..end]
}

/// The text of a member's value after its separator: quoted (`"DB_PASSWORD"`,
/// `'x'`, JSON-escaped `\"x\"`, Rust's `Some("x")`) up to its closing quote, or bare (a YAML
/// scalar, a form field) as a run of name bytes and `/`. `None` when a quote is not closed.
fn member_text(after: &[u8]) -> Option<&[u8]> {
    let mut i = usize::from(matches!(after.first(), Some(b'>' | b'=')));
    while matches!(after.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    if after[i..].starts_with(b"Some(") {
        i += 5;
    }
    if after.get(i) == Some(&b'\\') {
        i += 1;
    }
    match after.get(i) {
        Some(&q @ (b'"' | b'\'')) => {
            let text = &after[i + 1..];
            let close = text.iter().position(|&b| b == q)?;
            let text = &text[..close];
            Some(text.strip_suffix(b"\\").unwrap_or(text))
        }
        _ => {
            let text = &after[i..];
            let end = text
                .iter()
                .position(|&b| !byte_class::is(b, byte_class::NAME) && b != b'/')
                .unwrap_or(text.len());
            Some(&text[..end])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pair value keys as tools write them.
    const VALUE_KEYS_WRITTEN: [&str; 6] = [
        "value",
        "Value",
        "ParameterValue",
        "option_value",
        "headerValue",
        "rejectedValue",
    ];

    #[test]
    fn roles_follow_the_keys_tools_write() {
        for key in [
            "name",
            "Name",
            "key",
            "Key",
            "ParameterKey",
            "OptionName",
            "header_name",
            "field",
        ] {
            assert_eq!(role(key.as_bytes()), PairRole::Name, "{key}");
        }
        for key in VALUE_KEYS_WRITTEN {
            assert_eq!(role(key.as_bytes()), PairRole::Value, "{key}");
        }
        assert_eq!(role(b"Type"), PairRole::Type);
        for key in [
            "",
            "names",
            "api_key",
            "merchant_name",
            "values",
            "status",
            "e",
            "y",
        ] {
            assert_eq!(role(key.as_bytes()), PairRole::None, "{key}");
        }
    }

    #[test]
    fn value_keys_are_known_at_compile_time_as_at_run_time() {
        for key in VALUE_KEYS_WRITTEN.into_iter().chain(["x", "name"]) {
            assert_eq!(
                is_value_key(key.as_bytes()),
                role(key.as_bytes()) == PairRole::Value,
                "{key}"
            );
        }
        assert!(!is_value_key(b"a_very_long_parameter_value"));
    }

    #[test]
    fn a_name_is_judged_as_names_in_text_are() {
        let r = Redactor::new();
        let v = |role, name: &str| verdict(&r, role, name.as_bytes());
        assert_eq!(v(PairRole::Name, "DB_PASSWORD"), KeyRule::Secret);
        assert_eq!(v(PairRole::Name, "/prod/db/password"), KeyRule::Secret);
        assert_eq!(v(PairRole::Name, "X-Api-Key"), KeyRule::Secret);
        assert_eq!(v(PairRole::Name, "card_cvv"), KeyRule::Remove);
        assert_eq!(v(PairRole::Name, "REGION"), KeyRule::Scan);
        assert_eq!(v(PairRole::Name, "Anna Kowalski"), KeyRule::Scan);
        assert_eq!(v(PairRole::Name, ""), KeyRule::Scan);
        assert_eq!(
            v(PairRole::Name, &format!("password={} x", "0".repeat(80))),
            KeyRule::Secret
        );
        assert_eq!(v(PairRole::Type, "SecureString"), KeyRule::Secret);
        assert_eq!(v(PairRole::Type, "String"), KeyRule::Scan);
        assert_eq!(v(PairRole::Value, "password"), KeyRule::Scan);
        let custom = Redactor::new().safe_key("db_password");
        assert_eq!(
            verdict(&custom, PairRole::Name, b"DB_PASSWORD"),
            KeyRule::Scan
        );
    }

    /// The verdict for the last value member's key in `text` (a pass after a first one).
    fn verdict_at_last_value(r: &Redactor, text: &str) -> KeyRule {
        let key = text.rfind("alue").unwrap() - 1;
        verdict_in_text(r, text.as_bytes(), key, 0, true)
    }

    #[test]
    fn text_gives_the_nearest_name_member_of_the_same_object() {
        let r = Redactor::new();
        let at = |text: &str| verdict_at_last_value(&r, text);
        assert_eq!(at(r#"{"name":"DB_PASSWORD","value""#), KeyRule::Secret);
        assert_eq!(
            at(r#"{\"name\":\"DB_PASSWORD\",\"value\""#),
            KeyRule::Secret
        );
        assert_eq!(at(r#"{'name': 'card_cvv', 'value'"#), KeyRule::Remove);
        assert_eq!(
            at(r#"Parameter { name: Some("/prod/db/password"), type: Some(String), value"#),
            KeyRule::Secret
        );
        assert_eq!(
            at(r#"{"Name":"/prod/stripe/key","Type":"SecureString","Value""#),
            KeyRule::Secret
        );
        assert_eq!(
            at("env:\n- name: DB_PASSWORD\n  value: a\n- name: REGION\n  value"),
            KeyRule::Scan
        );
        assert_eq!(at("env:\n- name: DB_PASSWORD\n  value"), KeyRule::Secret);
        // Another object's name, an unclosed quote, a name after the floor only.
        assert_eq!(
            at(r#"[{"name":"DB_PASSWORD","value":"x"},{"value""#),
            KeyRule::Scan
        );
        assert_eq!(at("{name: 'DB_PASSWORD, value"), KeyRule::Scan);
        // Brackets inside strings bound nothing; a marker a pass wrote does.
        assert_eq!(
            at(r#"{"name":"api_key","note":"see [docs]","value""#),
            KeyRule::Secret
        );
        assert_eq!(
            at(r#"{"name":"DB_PASSWORD","token":"[REDACTED]","value""#),
            KeyRule::Scan
        );
        // Fuzzer: a card number masked by a first pass stopped that pass's look-back (its
        // floor), not a second's.
        assert_eq!(
            at(r#"name:apikey["v":"411111***1101" ""value"#),
            KeyRule::Scan
        );
        assert_eq!(
            at(r#"{\"name\":\"api_key\",\"note\":\"[x]\",\"value\""#),
            KeyRule::Secret
        );
        let text = r#"{"name":"DB_PASSWORD","value""#;
        assert_eq!(
            verdict_in_text(&r, text.as_bytes(), text.len() - 6, 10, true),
            KeyRule::Scan
        );
    }

    #[test]
    fn a_json_patch_operation_names_its_value_by_its_pointers_last_segment() {
        let r = Redactor::new();
        let at = |text: &str| verdict_at_last_value(&r, text);
        assert_eq!(
            at(r#"[{"op":"replace","path":"/password","value""#),
            KeyRule::Secret
        );
        assert_eq!(
            at(r#"{"path":"/cards/0/cvv","op":"add","value""#),
            KeyRule::Remove
        );
        assert_eq!(
            at(r#"{"op":"replace","path":"/password/minLength","value""#),
            KeyRule::Scan
        );
        // No operation: a path is no name (a request's metrics).
        assert_eq!(at(r#"{"path":"/v1/tokens","value""#), KeyRule::Scan);
        // Another operation's pointer.
        assert_eq!(
            at(r#"[{"op":"remove","path":"/pin"},{"op":"add","path":"/note","value""#),
            KeyRule::Scan
        );
    }
}
