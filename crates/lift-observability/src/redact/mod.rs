//! Redaction, on by default: no card number, card security data or secret reaches a line.
//!
//! Applied to every entry before it is encoded, so it holds for both formats and every
//! sink; a child logger's context is redacted once, when the child is made.
//!
//! - **Keys** (compared case-insensitively, ignoring `-` and `_`): sensitive authentication
//!   data — `cvv`, `cvv2`, `cvc`, `cvc2`, `cid`, `security_code`, `pin`, `pin_block`,
//!   `track1`, `track2`, `track_data` — is **removed** with its key (PCI DSS 3.3.1: never
//!   stored after authorization). Secrets — `authorization`, `proxy_authorization`,
//!   `password`, `passwd`, `secret`, `client_secret`, `token`, `access_token`,
//!   `refresh_token`, `id_token`, `session_token`, `api_key`, `x_api_key`, `cookie`,
//!   `set_cookie`, `x_amz_security_token`, `aws_secret_access_key`, `private_key`, and any
//!   key ending in `password`, `secret`, `token` or `apikey` — become `[REDACTED]`.
//! - **Values**: messages, string fields, `Display` and error values, and strings nested in
//!   `Serialize` values go through [`text::redact_text`] (PANs masked to first 6 / last 4,
//!   track data removed, bearer/basic credentials, AWS key ids, SigV4 signatures, JWTs and
//!   secret query parameters redacted). Integer fields holding a Luhn-valid 13–19 digit
//!   number are written as the masked string — except under keys that name a time
//!   (`timestamp`, `time`, or ending `_at`, `_ms`, `_time`): epoch milliseconds pass Luhn one
//!   time in ten and must stay numbers.
//! - **Configurable**: extra secret keys, extra removed keys, extra `name=` markers for free
//!   text, and safe keys whose values are written as given (an explicit opt-out).
//! - **Counted**: [`RedactionStats`] — how many values were masked or removed, by kind;
//!   never the values.
//!
//! Cost: the built-in key rules are decided at compile time for macro call sites; values
//! pay one pre-scan ([`text::needs_scan`]) and only suspicious ones are rewritten.

pub mod text;

use std::sync::atomic::{AtomicU64, Ordering};

use crate::value::{Field, JsonText, Value};

/// How a key's value is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRule {
    /// The value is scanned like any text.
    Scan,
    /// The value is a secret: written as `[REDACTED]`.
    Secret,
    /// Sensitive authentication data: the field is removed.
    Remove,
    /// Known safe: written as given.
    Safe,
}

const REMOVED_KEYS: [&str; 12] = [
    "cvv",
    "cvv2",
    "cvc",
    "cvc2",
    "cid",
    "securitycode",
    "pin",
    "pinblock",
    "track1",
    "track2",
    "trackdata",
    "cardsecuritycode",
];
const SECRET_KEYS: [&str; 19] = [
    "authorization",
    "proxyauthorization",
    "password",
    "passwd",
    "secret",
    "clientsecret",
    "token",
    "accesstoken",
    "refreshtoken",
    "idtoken",
    "sessiontoken",
    "apikey",
    "xapikey",
    "cookie",
    "setcookie",
    "xamzsecuritytoken",
    "awssecretaccesskey",
    "secretaccesskey",
    "privatekey",
];
const SECRET_SUFFIXES: [&str; 4] = ["password", "secret", "token", "apikey"];

/// Compares `key` with a normalized name (lowercase, no `-`/`_`), ignoring case and
/// separators in `key`. `suffix` accepts `key` ending with the name.
const fn normalized_eq(key: &[u8], name: &[u8], suffix: bool) -> bool {
    let mut k = key.len();
    let mut n = name.len();
    while n > 0 {
        // Skip separators in the key.
        while k > 0 && (key[k - 1] == b'-' || key[k - 1] == b'_') {
            k -= 1;
        }
        if k == 0 || key[k - 1].to_ascii_lowercase() != name[n - 1] {
            return false;
        }
        k -= 1;
        n -= 1;
    }
    if suffix {
        return true;
    }
    while k > 0 && (key[k - 1] == b'-' || key[k - 1] == b'_') {
        k -= 1;
    }
    k == 0
}

/// Whether the built-in rules leave `value` under `key` as it is — for a key already known
/// to be plain (checked at compile time). `false` means "look closer", not "redact".
#[inline(always)]
pub(crate) fn value_is_clean(key: &str, value: Value<'_>) -> bool {
    match value {
        Value::Str(s) => !text::needs_scan(s, false),
        Value::U64(v) => v < 1_000_000_000_000 || is_time_key(key),
        Value::I64(v) => v.unsigned_abs() < 1_000_000_000_000 || is_time_key(key),
        Value::F64(_) | Value::Bool(_) | Value::Null | Value::Duration(_) => true,
        Value::Error(_) | Value::Display(_) | Value::Serde(_) | Value::Json(_) => false,
    }
}

/// The built-in rule for `key`. A `const fn`, so the logging macros decide at compile time.
pub const fn builtin_key_rule(key: &str) -> KeyRule {
    let key = key.as_bytes();
    let mut i = 0;
    while i < REMOVED_KEYS.len() {
        if normalized_eq(key, REMOVED_KEYS[i].as_bytes(), false) {
            return KeyRule::Remove;
        }
        i += 1;
    }
    i = 0;
    while i < SECRET_KEYS.len() {
        if normalized_eq(key, SECRET_KEYS[i].as_bytes(), false) {
            return KeyRule::Secret;
        }
        i += 1;
    }
    i = 0;
    while i < SECRET_SUFFIXES.len() {
        if normalized_eq(key, SECRET_SUFFIXES[i].as_bytes(), true) {
            return KeyRule::Secret;
        }
        i += 1;
    }
    KeyRule::Scan
}

/// The last two letters or digits of every built-in name, lowercase, as `u16`s.
const NAME_ENDINGS: [u16; REMOVED_KEYS.len() + SECRET_KEYS.len()] = {
    let mut out = [0u16; REMOVED_KEYS.len() + SECRET_KEYS.len()];
    let mut i = 0;
    while i < REMOVED_KEYS.len() {
        out[i] = ending(REMOVED_KEYS[i].as_bytes());
        i += 1;
    }
    let mut j = 0;
    while j < SECRET_KEYS.len() {
        out[i + j] = ending(SECRET_KEYS[j].as_bytes());
        j += 1;
    }
    out
};

/// The last two non-separator bytes of `key`, lowercase (0 for shorter keys).
const fn ending(key: &[u8]) -> u16 {
    let mut k = key.len();
    let mut got = [0u8; 2];
    let mut n = 2;
    while n > 0 && k > 0 {
        let b = key[k - 1];
        k -= 1;
        if b == b'-' || b == b'_' {
            continue;
        }
        got[n - 1] = b.to_ascii_lowercase();
        n -= 1;
    }
    if n > 0 { 0 } else { u16::from_be_bytes(got) }
}

/// [`builtin_key_rule`] for a key known only at run time: keys whose last two letters
/// end no built-in name (most keys: `method`, `status`, `amount`) are answered at once;
/// the rest get the full comparison. (Every suffix name is also a full name, so its
/// ending is in the table.)
#[inline]
pub fn runtime_key_rule(key: &str) -> KeyRule {
    let end = ending(key.as_bytes());
    if end == 0 || !NAME_ENDINGS.contains(&end) {
        return KeyRule::Scan;
    }
    builtin_key_rule(key)
}

/// Whether an integer under `key` is exempt from PAN masking because the key names a time.
fn is_time_key(key: &str) -> bool {
    let k = key.as_bytes();
    normalized_eq(k, b"timestamp", true)
        || normalized_eq(k, b"time", true)
        || key.ends_with("_at")
        || key.ends_with("_ms")
        || key.ends_with("At")
}

/// Redaction counts, by kind (never the values).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RedactionStats {
    /// Card numbers masked.
    pub pan: u64,
    /// Sensitive authentication data removed (fields and track data).
    pub sensitive_auth_data: u64,
    /// Values of secret keys redacted.
    pub secret_keys: u64,
    /// Secrets found in free text and redacted.
    pub secret_text: u64,
}

/// Live counters.
#[derive(Debug, Default)]
pub struct Counts {
    pan: AtomicU64,
    sad: AtomicU64,
    secret_keys: AtomicU64,
    secret_text: AtomicU64,
}

impl Counts {
    pub(crate) fn add_pan(&self) {
        self.pan.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn add_sad(&self) {
        self.sad.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn add_secret_key(&self) {
        self.secret_keys.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn add_secret_text(&self) {
        self.secret_text.fetch_add(1, Ordering::Relaxed);
    }
    fn snapshot(&self) -> RedactionStats {
        RedactionStats {
            pan: self.pan.load(Ordering::Relaxed),
            sensitive_auth_data: self.sad.load(Ordering::Relaxed),
            secret_keys: self.secret_keys.load(Ordering::Relaxed),
            secret_text: self.secret_text.load(Ordering::Relaxed),
        }
    }
}

/// The redaction rules of one logger (and its children).
#[derive(Debug, Default)]
pub struct Redactor {
    disabled: bool,
    extra_secret_keys: Vec<String>,
    extra_removed_keys: Vec<String>,
    safe_keys: Vec<String>,
    extra_markers: Vec<String>,
    /// Any extra, removed or safe keys configured (the only case needing a runtime key check
    /// on macro call sites).
    custom_keys: bool,
    counts: Counts,
}

fn normalize(key: &str) -> String {
    key.bytes()
        .filter(|b| *b != b'-' && *b != b'_')
        .map(|b| b.to_ascii_lowercase() as char)
        .collect()
}

impl Redactor {
    /// The default rules (on).
    pub fn new() -> Self {
        Self::default()
    }

    /// No redaction at all (for tests of raw output; never for payment data).
    pub fn disabled() -> Self {
        Self {
            disabled: true,
            ..Self::default()
        }
    }

    /// Also treats `key` as a secret (`[REDACTED]`).
    pub fn secret_key(mut self, key: &str) -> Self {
        self.extra_secret_keys.push(normalize(key));
        self.custom_keys = true;
        self
    }

    /// Also removes fields named `key`.
    pub fn removed_key(mut self, key: &str) -> Self {
        self.extra_removed_keys.push(normalize(key));
        self.custom_keys = true;
        self
    }

    /// Writes values of `key` as given (an explicit opt-out for values known to be safe).
    pub fn safe_key(mut self, key: &str) -> Self {
        self.safe_keys.push(normalize(key));
        self.custom_keys = true;
        self
    }

    /// Also redacts the value after `name=` in free text (case-insensitive).
    pub fn marker(mut self, name: &str) -> Self {
        self.extra_markers.push(name.to_owned());
        self
    }

    /// Whether redaction is on.
    pub fn is_enabled(&self) -> bool {
        !self.disabled
    }

    /// Counts so far.
    pub fn stats(&self) -> RedactionStats {
        self.counts.snapshot()
    }

    #[inline]
    fn has_custom_keys(&self) -> bool {
        self.custom_keys
    }

    /// The rule for `key`; `builtin` is the compile-time verdict when known.
    #[inline]
    pub fn key_rule(&self, key: &str, builtin: Option<KeyRule>) -> KeyRule {
        if self.has_custom_keys() {
            let n = normalize(key);
            if self.safe_keys.contains(&n) {
                return KeyRule::Safe;
            }
            if self.extra_removed_keys.contains(&n) {
                return KeyRule::Remove;
            }
            if self.extra_secret_keys.contains(&n) {
                return KeyRule::Secret;
            }
        }
        builtin.unwrap_or_else(|| runtime_key_rule(key))
    }

    /// Redacts free text into `out`; returns whether anything changed.
    pub fn redact_str(&self, s: &str, out: &mut String) -> bool {
        text::needs_scan(s, !self.extra_markers.is_empty())
            && text::redact_text(s, &self.extra_markers, out, &self.counts)
    }

    /// Redacts a string, returning it unchanged when clean.
    pub fn redact<'a>(&self, s: &'a str) -> std::borrow::Cow<'a, str> {
        let mut out = String::new();
        if self.redact_str(s, &mut out) {
            std::borrow::Cow::Owned(out)
        } else {
            std::borrow::Cow::Borrowed(s)
        }
    }

    /// Redacts one raw line (for shipping lines Lift did not encode, as `lift-ship
    /// --redact` does): a JSON object is redacted field by field like a log entry, any
    /// other line as free text.
    pub fn redact_line<'a>(&self, line: &'a str) -> std::borrow::Cow<'a, str> {
        if self.disabled {
            return std::borrow::Cow::Borrowed(line);
        }
        if line.trim_start().starts_with('{')
            && let Ok(mut value) = serde_json::from_str::<serde_json::Value>(line)
            && value.is_object()
        {
            return if self.redact_json_value("", &mut value) {
                std::borrow::Cow::Owned(value.to_string())
            } else {
                std::borrow::Cow::Borrowed(line)
            };
        }
        self.redact(line)
    }

    /// The masked text for an integer that is a PAN, if it is one.
    fn masked_integer(&self, key: &str, v: u64) -> Option<String> {
        if !(1_000_000_000_000..=u64::MAX).contains(&v) || is_time_key(key) {
            return None;
        }
        let text = itoa::Buffer::new().format(v).to_owned();
        let digits = text.as_bytes();
        if !(13..=19).contains(&digits.len()) || !text::luhn_valid(digits) {
            return None;
        }
        self.counts.add_pan();
        let mut out = String::with_capacity(digits.len());
        text::mask_pan(digits, &mut out);
        Some(out)
    }

    /// Redacts a JSON document (a `Serialize` value's output): keys by rule, strings and
    /// integers by value. Returns the new text, or `None` when nothing changed.
    fn redact_json(&self, json: &str) -> Option<String> {
        let mut value: serde_json::Value = serde_json::from_str(json).ok()?;
        self.redact_json_value("", &mut value)
            .then(|| value.to_string())
    }

    fn redact_json_value(&self, key: &str, value: &mut serde_json::Value) -> bool {
        use serde_json::Value as J;
        match value {
            J::String(s) => {
                let mut out = String::new();
                if self.redact_str(s, &mut out) {
                    *s = out;
                    true
                } else {
                    false
                }
            }
            J::Number(n) => match n.as_u64().and_then(|v| self.masked_integer(key, v)) {
                Some(masked) => {
                    *value = J::String(masked);
                    true
                }
                None => false,
            },
            J::Array(items) => items
                .iter_mut()
                .fold(false, |changed, v| self.redact_json_value(key, v) | changed),
            J::Object(map) => {
                let mut changed = false;
                map.retain(|k, _| {
                    let remove = self.key_rule(k, None) == KeyRule::Remove;
                    if remove {
                        self.counts.add_sad();
                    }
                    changed |= remove;
                    !remove
                });
                for (k, v) in map.iter_mut() {
                    match self.key_rule(k, None) {
                        KeyRule::Secret => {
                            if *v != J::String(text::REDACTED.into()) {
                                self.counts.add_secret_key();
                                *v = J::String(text::REDACTED.into());
                                changed = true;
                            }
                        }
                        KeyRule::Safe => {}
                        _ => changed |= self.redact_json_value(k, v),
                    }
                }
                changed
            }
            _ => false,
        }
    }

    /// Redacts one entry's message and fields, then calls `emit` with the result.
    ///
    /// Clean entries cost a pre-scan per string and no allocation: `Display`, error and
    /// `Serialize` values are formatted once, into pooled buffers, and handed on as text
    /// (so a value is never formatted twice); only an entry that needs rewriting allocates.
    #[inline]
    pub fn apply<R>(
        &self,
        message: &str,
        fields: &[Field<'_>],
        emit: impl FnOnce(&str, &[Field<'_>]) -> R,
    ) -> R {
        if self.disabled {
            return emit(message, fields);
        }
        let mut message_out = String::new();
        let message_changed = self.redact_str(message, &mut message_out);
        let message = if message_changed {
            &message_out
        } else {
            message
        };
        let first = fields.iter().position(|f| self.field_needs_work(f));
        let Some(first) = first else {
            return emit(message, fields);
        };
        let mut pool = Pool::take();
        let mut stack_plans: [Plan; STACK_FIELDS] = std::array::from_fn(|_| Plan::Keep);
        let mut heap_plans = Vec::new();
        let plans: &mut [Plan] = if fields.len() <= STACK_FIELDS {
            &mut stack_plans[..fields.len()]
        } else {
            heap_plans.resize_with(fields.len(), || Plan::Keep);
            &mut heap_plans
        };
        for (plan, f) in plans.iter_mut().zip(fields).skip(first) {
            *plan = self.plan(f, &mut pool);
        }
        let mut stack = [Field::new("", Value::Null); STACK_FIELDS];
        let mut heap = Vec::new();
        let out: &mut [Field<'_>] = if fields.len() <= STACK_FIELDS {
            &mut stack[..fields.len()]
        } else {
            heap.extend_from_slice(fields);
            &mut heap
        };
        let mut kept = 0;
        for (f, plan) in fields.iter().zip(plans.iter()) {
            out[kept] = match plan {
                Plan::Keep => *f,
                Plan::Remove => continue,
                Plan::Text(s) | Plan::Pooled(s) => Field::new(f.key, Value::Str(s)),
                Plan::Json(j) | Plan::PooledJson(j) => Field::new(f.key, Value::Json(JsonText(j))),
            };
            kept += 1;
        }
        let result = emit(message, &out[..kept]);
        pool.give_back(plans);
        result
    }

    /// What to do with one field.
    fn plan(&self, f: &Field<'_>, pool: &mut Pool) -> Plan {
        let builtin = f.json_key().map(|_| KeyRule::Scan);
        match self.key_rule(f.key, builtin) {
            KeyRule::Remove => {
                self.counts.add_sad();
                Plan::Remove
            }
            KeyRule::Secret => {
                self.counts.add_secret_key();
                Plan::Text(text::REDACTED.to_owned())
            }
            KeyRule::Safe => Plan::Keep,
            KeyRule::Scan => match f.value {
                Value::Str(s) => {
                    let mut out = String::new();
                    if self.redact_str(s, &mut out) {
                        Plan::Text(out)
                    } else {
                        Plan::Keep
                    }
                }
                Value::U64(v) => self.masked_integer(f.key, v).map_or(Plan::Keep, Plan::Text),
                Value::I64(v) => self
                    .masked_integer(f.key, v.unsigned_abs())
                    .map_or(Plan::Keep, Plan::Text),
                Value::Display(d) => {
                    let mut buf = pool.string();
                    use std::fmt::Write as _;
                    let _ = write!(buf, "{d}");
                    self.text_plan(buf, pool)
                }
                Value::Error(e) => {
                    let mut buf = pool.string();
                    crate::encoder::write_error_chain(&mut buf, e);
                    self.text_plan(buf, pool)
                }
                Value::Serde(v) => {
                    let mut bytes = pool.bytes();
                    crate::encoder::write_serde_json(&mut bytes, v);
                    let json = String::from_utf8(bytes)
                        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                    let suspicious = text::needs_scan(&json, !self.extra_markers.is_empty())
                        || has_sensitive_stem(json.as_bytes())
                        || self.has_custom_keys();
                    match suspicious.then(|| self.redact_json(&json)).flatten() {
                        Some(redacted) => {
                            pool.give_string(json);
                            Plan::Json(redacted)
                        }
                        None => Plan::PooledJson(json),
                    }
                }
                _ => Plan::Keep,
            },
        }
    }

    fn text_plan(&self, buf: String, pool: &mut Pool) -> Plan {
        let mut out = String::new();
        if self.redact_str(&buf, &mut out) {
            pool.give_string(buf);
            Plan::Text(out)
        } else {
            Plan::Pooled(buf)
        }
    }

    /// Whether only the built-in rules apply (redaction on, no configured keys or
    /// patterns), so an encoder can check an entry while writing it with
    /// [`value_is_clean`] instead of a separate pass.
    #[inline(always)]
    pub(crate) fn built_in_rules_only(&self) -> bool {
        !self.disabled && !self.custom_keys && self.extra_markers.is_empty()
    }

    /// Whether the logger's one-pass path may write an entry: redaction is off, or only
    /// the built-in rules apply (which that path checks while it writes). With redaction
    /// off an entry the path is unsure of still takes the full path, which then changes
    /// nothing — the same line, only slower.
    pub(crate) fn allows_one_pass(&self) -> bool {
        self.disabled || self.built_in_rules_only()
    }

    #[inline]
    fn field_needs_work(&self, f: &Field<'_>) -> bool {
        // Macro call sites with a literal key already passed the built-in key rules at
        // compile time; only configured extra keys need a look at run time.
        if f.json_key().is_none() || self.custom_keys {
            match self.key_rule(f.key, f.json_key().map(|_| KeyRule::Scan)) {
                KeyRule::Safe => return false,
                KeyRule::Secret | KeyRule::Remove => return true,
                KeyRule::Scan => {}
            }
        }
        // Plain branches rather than one `match`: the common kinds (strings, small
        // numbers) predict well, where a jump table on the kind does not.
        if let Value::Str(s) = f.value {
            return text::needs_scan(s, !self.extra_markers.is_empty());
        }
        if let Value::U64(v) = f.value {
            return v >= 1_000_000_000_000 && !is_time_key(f.key);
        }
        if let Value::I64(v) = f.value {
            return v.unsigned_abs() >= 1_000_000_000_000 && !is_time_key(f.key);
        }
        matches!(
            f.value,
            Value::Display(_) | Value::Error(_) | Value::Serde(_)
        )
    }

    /// One context field, redacted (`None`: removed). Context is encoded once per child
    /// logger, so this path favours simplicity over speed.
    pub(crate) fn rewrite_one<'v>(
        &self,
        key: &str,
        value: Value<'v>,
        own: bool,
    ) -> Option<Rewritten<'v>> {
        // Lift's own ids come from AWS in fixed formats (request, trace and span ids, the
        // function name, the service): nothing to redact. Tenant, user and correlation ids
        // can come from request headers, so they are scanned like any value.
        let trusted = own && !matches!(key, "tenant_id" | "user_id" | "correlation_id");
        if self.disabled || trusted {
            return Some(Rewritten::Same(value));
        }
        let rule = if own {
            KeyRule::Scan
        } else {
            self.key_rule(key, None)
        };
        match rule {
            KeyRule::Remove => {
                self.counts.add_sad();
                None
            }
            KeyRule::Secret => {
                self.counts.add_secret_key();
                Some(Rewritten::Text(text::REDACTED.to_owned()))
            }
            KeyRule::Safe => Some(Rewritten::Same(value)),
            KeyRule::Scan => Some(self.rewrite_value(key, value)),
        }
    }

    fn rewrite_value<'v>(&self, key: &str, value: Value<'v>) -> Rewritten<'v> {
        let text_of = |s: &str| {
            let mut out = String::new();
            if self.redact_str(s, &mut out) {
                out
            } else {
                s.to_owned()
            }
        };
        match value {
            Value::Str(s) => {
                let mut out = String::new();
                if self.redact_str(s, &mut out) {
                    Rewritten::Text(out)
                } else {
                    Rewritten::Same(value)
                }
            }
            Value::U64(v) => self
                .masked_integer(key, v)
                .map_or(Rewritten::Same(value), Rewritten::Text),
            Value::I64(v) => self
                .masked_integer(key, v.unsigned_abs())
                .map_or(Rewritten::Same(value), Rewritten::Text),
            Value::Display(d) => Rewritten::Text(text_of(&d.to_string())),
            Value::Error(e) => Rewritten::Text(text_of(&crate::encoder::error_chain_text(e))),
            Value::Serde(s) => {
                let mut buf = Vec::new();
                crate::encoder::write_serde_json(&mut buf, s);
                let json = String::from_utf8_lossy(&buf).into_owned();
                Rewritten::Json(self.redact_json(&json).unwrap_or(json))
            }
            other => Rewritten::Same(other),
        }
    }
}

/// Fields rewritten on the stack; longer entries use a `Vec`.
const STACK_FIELDS: usize = 32;

/// One field's fate.
enum Plan {
    Keep,
    Remove,
    /// New text (allocated: something was redacted).
    Text(String),
    /// Formatted text in a pooled buffer (clean).
    Pooled(String),
    /// New JSON (allocated).
    Json(String),
    /// Serialized JSON in a pooled buffer (clean).
    PooledJson(String),
}

/// Buffers for formatting values, reused across entries on a thread. Taken out of the
/// thread-local for the duration of one entry (so re-entrant logging simply finds it empty
/// and allocates), then given back with its capacity.
struct Pool {
    strings: Vec<String>,
}

thread_local! {
    static POOL: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Buffers larger than this are not kept.
const POOL_KEEP_BYTES: usize = 16 * 1024;

impl Pool {
    fn take() -> Self {
        let strings = POOL
            .try_with(|p| {
                p.try_borrow_mut()
                    .map(|mut p| std::mem::take(&mut *p))
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        Self { strings }
    }

    fn string(&mut self) -> String {
        let mut s = self.strings.pop().unwrap_or_default();
        s.clear();
        s
    }

    fn bytes(&mut self) -> Vec<u8> {
        self.string().into_bytes()
    }

    fn give_string(&mut self, s: String) {
        if s.capacity() <= POOL_KEEP_BYTES {
            self.strings.push(s);
        }
    }

    fn give_back(mut self, plans: &mut [Plan]) {
        for plan in plans {
            if let Plan::Pooled(s) | Plan::PooledJson(s) = std::mem::replace(plan, Plan::Keep) {
                self.give_string(s);
            }
        }
        let strings = std::mem::take(&mut self.strings);
        let _ = POOL.try_with(|p| {
            if let Ok(mut p) = p.try_borrow_mut()
                && p.len() < strings.len()
            {
                *p = strings;
            }
        });
    }
}

/// Whether serialized JSON mentions a stem of a sensitive key (then it is parsed and
/// checked key by key).
fn has_sensitive_stem(json: &[u8]) -> bool {
    const STEMS: [&[u8]; 12] = [
        b"cvv",
        b"cvc",
        b"cid",
        b"pin",
        b"track",
        b"security",
        b"passw",
        b"secret",
        b"token",
        b"key",
        b"auth",
        b"cookie",
    ];
    json.windows(3)
        .any(|w| STEMS.iter().any(|stem| w.eq_ignore_ascii_case(&stem[..3])))
}

/// A field value after redaction.
pub(crate) enum Rewritten<'v> {
    Same(Value<'v>),
    Text(String),
    Json(String),
}

impl Rewritten<'_> {
    pub(crate) fn as_value(&self) -> Value<'_> {
        match self {
            Rewritten::Same(v) => *v,
            Rewritten::Text(s) => Value::Str(s),
            Rewritten::Json(j) => Value::Json(JsonText(j)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_key_rule_agrees_with_the_full_one() {
        let mut keys: Vec<String> = Vec::new();
        for name in REMOVED_KEYS
            .iter()
            .chain(&SECRET_KEYS)
            .chain(&SECRET_SUFFIXES)
        {
            keys.push((*name).to_owned());
            keys.push(name.to_uppercase());
            keys.push(format!("db_{name}"));
            keys.push(format!("{name}_"));
            keys.push(format!("{name}-x"));
            keys.push(name.chars().flat_map(|c| [c, '_']).collect());
        }
        for plain in [
            "method",
            "path",
            "status",
            "amount",
            "a",
            "",
            "-",
            "_x",
            "id",
            "ok",
            "tokens_used",
        ] {
            keys.push(plain.to_owned());
        }
        let mut rng = fastrand::Rng::with_seed(3);
        for _ in 0..20_000 {
            let len = rng.usize(0..12);
            keys.push(
                (0..len)
                    .map(|_| {
                        rng.choice(b"acdeiknoprstvy12-_".iter())
                            .map_or('a', |b| *b as char)
                    })
                    .collect(),
            );
        }
        for key in keys {
            assert_eq!(runtime_key_rule(&key), builtin_key_rule(&key), "{key:?}");
        }
    }

    #[test]
    fn key_rules_ignore_case_and_separators() {
        assert_eq!(builtin_key_rule("CVV"), KeyRule::Remove);
        assert_eq!(builtin_key_rule("security_code"), KeyRule::Remove);
        assert_eq!(builtin_key_rule("Security-Code"), KeyRule::Remove);
        assert_eq!(builtin_key_rule("Authorization"), KeyRule::Secret);
        assert_eq!(builtin_key_rule("set-cookie"), KeyRule::Secret);
        assert_eq!(builtin_key_rule("X-Amz-Security-Token"), KeyRule::Secret);
        assert_eq!(builtin_key_rule("db_password"), KeyRule::Secret);
        assert_eq!(builtin_key_rule("github_token"), KeyRule::Secret);
        assert_eq!(builtin_key_rule("amount"), KeyRule::Scan);
        assert_eq!(builtin_key_rule("pinned"), KeyRule::Scan);
        assert_eq!(builtin_key_rule("spin"), KeyRule::Scan);
        assert_eq!(builtin_key_rule("tokens_used"), KeyRule::Scan);
        const AT_COMPILE_TIME: KeyRule = builtin_key_rule("api_key");
        assert_eq!(AT_COMPILE_TIME, KeyRule::Secret);
    }

    #[test]
    fn custom_keys_and_opt_outs() {
        let r = Redactor::new()
            .secret_key("x-internal-sig")
            .removed_key("otp")
            .safe_key("session_token");
        assert_eq!(r.key_rule("X_Internal_Sig", None), KeyRule::Secret);
        assert_eq!(r.key_rule("OTP", None), KeyRule::Remove);
        assert_eq!(r.key_rule("session-token", None), KeyRule::Safe);
    }

    #[test]
    fn integers_are_masked_unless_they_name_a_time() {
        let r = Redactor::new();
        assert_eq!(
            r.masked_integer("card", 4_111_111_111_111_111).as_deref(),
            Some("411111******1111")
        );
        assert_eq!(r.masked_integer("order_id", 1_234_567_890_123_456), None);
        // 1795752557128 passes Luhn; as a time it stays a number.
        assert!(text::luhn_valid(b"1795752557128"));
        assert_eq!(r.masked_integer("created_at", 1_795_752_557_128), None);
        assert_eq!(r.masked_integer("timestamp", 1_795_752_557_128), None);
        assert_eq!(r.masked_integer("latency_ms", 1_795_752_557_128), None);
        assert_eq!(r.stats().pan, 1);
    }

    #[test]
    fn raw_lines_are_redacted_as_json_objects_or_as_text() {
        let r = Redactor::new();
        assert_eq!(
            r.redact_line(r#"{"msg":"card 4111111111111111","cvv":"1","n":4111111111111111}"#),
            r#"{"msg":"card 411111******1111","n":"411111******1111"}"#
        );
        assert_eq!(
            r.redact_line("GET /?token=abc 200"),
            "GET /?token=[REDACTED] 200"
        );
        assert_eq!(
            r.redact_line("{not json 4111111111111111"),
            "{not json 411111******1111"
        );
        assert_eq!(r.redact_line("clean line"), "clean line");
    }

    #[test]
    fn nested_values_are_redacted_by_key_and_by_value() {
        let r = Redactor::new();
        let json = r#"{"card":{"number":"4111111111111111","cvv":"123","exp":"12/29"},"auth":{"password":"p"},"ids":[4111111111111111,5]}"#;
        let out = r.redact_json(json).unwrap();
        assert_eq!(
            out,
            r#"{"auth":{"password":"[REDACTED]"},"card":{"exp":"12/29","number":"411111******1111"},"ids":["411111******1111",5]}"#
        );
        let stats = r.stats();
        assert_eq!(
            (stats.pan, stats.sensitive_auth_data, stats.secret_keys),
            (2, 1, 1)
        );
    }
}
