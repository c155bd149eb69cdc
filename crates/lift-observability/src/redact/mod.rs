//! Redaction, on by default: no card number, card security data or secret reaches a line.
//!
//! It happens **while** a line is written, in the one encode pass: each string is read once,
//! a word at a time; the few bytes a finding can start with are checked by an exact
//! detector, and what is found is written in its redacted form straight into the line.
//! There is no second route and no re-encode: a benign look-alike (a UUID, an order id,
//! epoch milliseconds) costs its check.
//!
//! - **Keys** are judged by their tokens ([`keys`]): sensitive authentication data
//!   (`cvv`, `card_cvv`, `cvvCode`, `pin_code`, `security_code`, `track2`…) is **removed**
//!   with its key (PCI DSS 3.3.1); secrets (`password`, `secretKey`, `api_key`,
//!   `Authorization`, `X-Amz-Security-Token`, `credentials`…) become `[REDACTED]`; so does
//!   the key material under a JSON Web Key's private members (`d`, `k`…: [`jwk`]).
//! - **Text** — messages, string values, `Display` and error values, keys, strings nested
//!   in `Serialize` values — goes through [`text`]: card numbers masked to first 6 / last
//!   4 (issuer prefix, length and Luhn checked, [`card`]), track data removed, and secrets
//!   in `name=value`/`name: value`/JSON form, URL user-info, `Bearer`/`Basic`/`Token`
//!   credentials, AWS key ids and JWTs redacted.
//! - **Numbers**: an integer (or an integral float) that is a card number is written as its
//!   masked string, except under keys naming a time (`timestamp`, `ts`, `…_at`, `…_ms`).
//! - **Configurable**: extra secret keys, extra removed keys, extra names for free text,
//!   and safe keys written as given (an explicit opt-out).
//! - **Counted**: [`RedactionStats`], by kind; never the values.

mod byte_class;
pub mod card;
pub(crate) mod encoded;
mod gzip;
pub(crate) mod jwk;
pub(crate) mod keys;
pub(crate) mod pairs;
pub(crate) mod static_keys;
pub(crate) mod text;
mod verdicts;
mod webhooks;

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};

pub use keys::KeyRule;
pub(crate) use keys::builtin_key_rule;
use text::Piece;

/// Redaction counts, by kind (never the values).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RedactionStats {
    /// Card numbers masked.
    pub pan: u64,
    /// Sensitive authentication data removed (fields, values in text, track data).
    pub sensitive_auth_data: u64,
    /// Values of secret keys redacted.
    pub secret_keys: u64,
    /// Secrets found in free text and redacted.
    pub secret_text: u64,
}

/// Live counters.
#[derive(Debug, Default)]
pub(crate) struct Counts {
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
///
/// # Examples
/// ```
/// use lift_observability::Redactor;
///
/// let r = Redactor::new();
/// assert_eq!(r.redact("paid with 4111 1111 1111 1111"), "paid with 4111 11** **** 1111");
/// assert_eq!(r.redact(r#"charge body {"cvv":"737","brand":"visa"}"#),
///            r#"charge body {"cvv":"[REMOVED]","brand":"visa"}"#);
/// assert_eq!(r.redact("Authorization: Bearer eyJhbGciOi"), "Authorization: [REDACTED]");
/// assert_eq!(r.redact("request 123e4567-e89b-12d3-a456-426614174000 ok"),
///            "request 123e4567-e89b-12d3-a456-426614174000 ok");
/// ```
#[derive(Debug, Default)]
pub struct Redactor {
    disabled: bool,
    extra_secret_keys: Vec<String>,
    extra_removed_keys: Vec<String>,
    safe_keys: Vec<String>,
    extra_names: Vec<String>,
    counts: Counts,
}

/// Lowercase, without `-` and `_`: how configured names are compared.
fn normalize(key: &str) -> String {
    key.bytes()
        .filter(|b| *b != b'-' && *b != b'_')
        .map(|b| b.to_ascii_lowercase() as char)
        .collect()
}

/// Whether `key`, normalized, equals the normalized `name`, without allocating.
fn normalized_eq(key: &[u8], name: &str) -> bool {
    let mut k = key
        .iter()
        .copied()
        .filter(|b| *b != b'-' && *b != b'_')
        .map(|b| b.to_ascii_lowercase());
    let mut n = name.bytes();
    loop {
        match (k.next(), n.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

impl Redactor {
    /// The default rules (on).
    pub fn new() -> Self {
        Self::default()
    }

    /// One process-wide redactor with the built-in rules, for text Lift writes outside a
    /// logger (error response bodies, EMF properties, X-Ray documents, the panic hook).
    /// Its counts are its own.
    pub fn builtin() -> &'static Redactor {
        static BUILTIN: std::sync::OnceLock<Redactor> = std::sync::OnceLock::new();
        BUILTIN.get_or_init(Redactor::new)
    }

    /// No redaction at all (for tests of raw output; never for payment data).
    pub fn disabled() -> Self {
        Self {
            disabled: true,
            ..Self::default()
        }
    }

    /// Also treats `key` as a secret (`[REDACTED]`), compared ignoring case, `-` and `_`.
    pub fn secret_key(mut self, key: &str) -> Self {
        self.extra_secret_keys.push(normalize(key));
        self
    }

    /// Also removes fields named `key` (in free text: their values).
    pub fn removed_key(mut self, key: &str) -> Self {
        self.extra_removed_keys.push(normalize(key));
        self
    }

    /// Writes values of `key` as given (an explicit opt-out for values known to be safe).
    pub fn safe_key(mut self, key: &str) -> Self {
        self.safe_keys.push(normalize(key));
        self
    }

    /// Also redacts the value after `name=` or `name:` in free text (case-insensitive).
    pub fn marker(mut self, name: &str) -> Self {
        self.extra_names.push(normalize(name));
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

    pub(crate) fn counts(&self) -> &Counts {
        &self.counts
    }

    /// Whether any configured key changes a compile-time verdict.
    #[inline(always)]
    pub(crate) fn has_configured_keys(&self) -> bool {
        !(self.safe_keys.is_empty()
            && self.extra_removed_keys.is_empty()
            && self.extra_secret_keys.is_empty())
    }

    /// The rule configured for `key`, if any (nothing to look at unless keys are configured).
    #[inline(always)]
    fn configured_rule(&self, key: &[u8]) -> Option<KeyRule> {
        if !self.has_configured_keys() {
            return None;
        }
        self.configured_rule_of(key)
    }

    fn configured_rule_of(&self, key: &[u8]) -> Option<KeyRule> {
        let any = |names: &[String]| names.iter().any(|n| normalized_eq(key, n));
        if any(&self.safe_keys) {
            Some(KeyRule::Safe)
        } else if any(&self.extra_removed_keys) {
            Some(KeyRule::Remove)
        } else if any(&self.extra_secret_keys) {
            Some(KeyRule::Secret)
        } else {
            None
        }
    }

    /// The rule for a field named `key`: configured keys first, then the built-in rules.
    pub fn key_rule(&self, key: &str) -> KeyRule {
        if self.disabled {
            return KeyRule::Safe;
        }
        self.configured_rule(key.as_bytes())
            .unwrap_or_else(|| verdicts::builtin_rule(key.as_bytes()))
    }

    /// The rule and flags for a `'static` key (a struct's field name), cached.
    #[inline]
    pub(crate) fn static_key(&self, key: &'static str) -> static_keys::StaticKey {
        let mut verdict = static_keys::static_key(key);
        verdict.rule = self.key_rule_with(key, verdict.rule);
        verdict
    }

    /// [`key_rule`](Self::key_rule) with the built-in verdict already known (decided at
    /// compile time for a literal key).
    #[inline(always)]
    pub(crate) fn key_rule_with(&self, key: &str, builtin: KeyRule) -> KeyRule {
        if self.disabled {
            return KeyRule::Safe;
        }
        match self.configured_rule(key.as_bytes()) {
            Some(rule) => rule,
            None => builtin,
        }
    }

    /// The rule for a name found before `=` or `:` in free text: configured names and
    /// markers, then the key rules.
    pub(crate) fn text_name_rule(&self, name: &[u8]) -> KeyRule {
        if self.disabled {
            return KeyRule::Safe;
        }
        if self.extra_names.iter().any(|n| normalized_eq(name, n)) {
            return KeyRule::Secret;
        }
        self.configured_rule(name)
            .unwrap_or_else(|| verdicts::builtin_rule(name))
    }

    /// Redacts free text, returning it unchanged (borrowed) when nothing was found.
    pub fn redact<'a>(&self, s: &'a str) -> Cow<'a, str> {
        if self.disabled {
            return Cow::Borrowed(s);
        }
        let mut out = String::new();
        if text::redact_into(self, s, &mut out) {
            Cow::Owned(out)
        } else {
            Cow::Borrowed(s)
        }
    }

    /// `bytes` redacted as text — each stretch of valid UTF-8 read as free text, other bytes
    /// kept — or `None` when nothing was found: a request body held as bytes
    /// (`Vec<u8>`, `bytes::Bytes`) is the body's text, whatever serde writes it as. A gzip
    /// stream is read as the text it inflates to, and goes whole (`[REDACTED]`'s bytes)
    /// when that holds a finding.
    pub(crate) fn redact_bytes(&self, bytes: &[u8]) -> Option<Vec<u8>> {
        if encoded::is_gzip_holding_findings(self, bytes) {
            return Some(text::REDACTED.as_bytes().to_vec());
        }
        let mut redacted: Option<Vec<u8>> = None;
        let mut copied = 0;
        for chunk in bytes.utf8_chunks() {
            let valid = chunk.valid();
            if let Cow::Owned(text) = self.redact(valid) {
                let start = valid.as_ptr() as usize - bytes.as_ptr() as usize;
                let out = redacted.get_or_insert_with(|| Vec::with_capacity(bytes.len()));
                out.extend_from_slice(&bytes[copied..start]);
                out.extend_from_slice(text.as_bytes());
                copied = start + valid.len();
            }
        }
        redacted.map(|mut out| {
            out.extend_from_slice(&bytes[copied..]);
            out
        })
    }

    /// Redacts one raw line that Lift did not write (as `lift-ship --redact` does): every
    /// rule of [`redact`](Self::redact), which also covers JSON (`"cvv":"737"` →
    /// `"cvv":"[REMOVED]"`, `"card":4111…` → `"card":"411111******1111"`), so a JSON line
    /// keeps every byte that is not redacted — key order, duplicates, number spelling —
    /// and a line serde would refuse (too deep, a lone surrogate, a prefix) is redacted
    /// just the same.
    ///
    /// A JSON document stays one: where the text's rules would leave it unreadable (a value
    /// cut short in a message — `Secret { inner: \"abc` with the line's end after it —
    /// read on to the line's end), the document is redacted as a value instead, as the
    /// logger redacts a `Serialize` value: the same rules, member by member, written
    /// compact as serde_json writes a document it read (keys sorted, duplicates merged,
    /// numbers in its spelling).
    pub fn redact_line<'a>(&self, line: &'a str) -> Cow<'a, str> {
        let redacted = self.redact(line);
        if let Cow::Owned(out) = &redacted
            && opens_json_document(line)
            && !is_json_document(out)
            && let Ok(document) = serde_json::from_str::<serde_json::Value>(line)
        {
            let mut out = Vec::with_capacity(line.len());
            crate::nested::write_serialize(&mut out, &document, Some(self));
            return Cow::Owned(String::from_utf8_lossy(&out).into_owned());
        }
        redacted
    }

    /// Appends `s` as the contents of a JSON string: escaped, and redacted unless
    /// redaction is off. One pass over `s` finds what to redact and whether anything needs
    /// escaping; a string with neither is copied as it is.
    #[inline]
    pub(crate) fn write_json_str(&self, out: &mut Vec<u8>, s: &str) {
        if self.disabled {
            crate::escape::json_str(out, s);
            return;
        }
        // Short strings (codes, currencies, statuses) cannot hold a card number: a byte
        // table answers whether anything else is there.
        if s.len() < text::SHORT {
            match text::short_verdict(s.as_bytes()) {
                text::Short::Plain => return crate::append::append(out, s.as_bytes()),
                text::Short::Escape => return crate::escape::json_str_escaped(out, s),
                text::Short::Scan => {}
            }
        }
        let scanned = text::scan(self, s, |piece, flagged| {
            match piece {
                Piece::Raw(raw) if !flagged => out.extend_from_slice(raw.as_bytes()),
                Piece::Raw(raw) => crate::escape::json_str_escaped(out, raw),
                // `"[REDACTED]"` around a bare JSON value in the text holds quotes.
                Piece::Fixed(fixed) if flagged => crate::escape::json_str_escaped(out, fixed),
                Piece::Fixed(fixed) => out.extend_from_slice(fixed.as_bytes()),
                Piece::Pan(pan) => {
                    let start = out.len();
                    card::mask_in_place(pan, out);
                    escape_backslashes(out, start);
                }
            }
        });
        if !scanned.found {
            if scanned.plain {
                crate::append::append(out, s.as_bytes());
            } else {
                crate::escape::json_str_escaped(out, s);
            }
        }
    }

    /// [`write_json_str`](Self::write_json_str) for a payload's value
    /// ([`keys::is_payload_key`]): a run of base64 it starts with, whatever text it encodes,
    /// is written `[REDACTED]` when that text holds anything the detectors find (counted
    /// there); the rest as any string.
    #[cold]
    pub(crate) fn write_json_payload(&self, out: &mut Vec<u8>, s: &str) {
        match self.encoded_payload_end(s.as_bytes()) {
            Some(end) => {
                out.extend_from_slice(text::REDACTED.as_bytes());
                self.write_json_str(out, s.get(end..).unwrap_or_default());
            }
            None => self.write_json_str(out, s),
        }
    }

    /// Whether the string `s` under a JSON Web Key's private member
    /// ([`jwk::is_private_member`]; a symmetric key's, `k`, when `symmetric`) is its key
    /// material ([`jwk`]): written as [`write_key_material`](Self::write_key_material)
    /// writes it.
    pub(crate) fn is_key_material(&self, symmetric: bool, s: &str) -> bool {
        !self.disabled && jwk::is_key_material(symmetric, s.as_bytes())
    }

    /// `[REDACTED]` in place of a JSON Web Key's private key material (counted as a secret
    /// key's value).
    #[cold]
    pub(crate) fn write_key_material(&self, out: &mut Vec<u8>) {
        self.counts.add_secret_key();
        out.extend_from_slice(text::REDACTED.as_bytes());
    }

    /// [`redact`](Self::redact) for a payload's value, as
    /// [`write_json_payload`](Self::write_json_payload) writes it.
    #[cold]
    pub(crate) fn redact_payload<'a>(&self, s: &'a str) -> Cow<'a, str> {
        match self.encoded_payload_end(s.as_bytes()) {
            Some(end) => {
                let rest = self.redact(s.get(end..).unwrap_or_default());
                Cow::Owned(format!("{}{rest}", text::REDACTED))
            }
            None => self.redact(s),
        }
    }

    /// Where the run of base64 a payload's value starts with ends, when the text it encodes
    /// holds a finding (the run is ASCII: a character boundary). Free text's separators and
    /// the writers of fields and nested values all ask here.
    pub(crate) fn encoded_payload_end(&self, s: &[u8]) -> Option<usize> {
        // JSON (`eyJ…`) is read wherever it stands, by the detectors themselves.
        if self.disabled || s.starts_with(b"eyJ") {
            return None;
        }
        encoded::encoded_text_end(self, s, 0)
    }

    /// The masked form of an integer under `key` if it is a card number (never for a key
    /// naming a time); counted.
    #[inline]
    pub(crate) fn masked_integer(
        &self,
        key: &str,
        v: u64,
        negative: bool,
    ) -> Option<([u8; 21], usize)> {
        if self.disabled || v < 1_000_000_000_000 || keys::is_time_key(key) {
            return None;
        }
        let masked = card::masked_integer(v, negative)?;
        self.counts.add_pan();
        Some(masked)
    }

    /// The masked form of a float under `key` that holds an integral card number.
    pub(crate) fn masked_float(&self, key: &str, v: f64) -> Option<([u8; 21], usize)> {
        if v.fract() != 0.0 || !(1e12..1e19).contains(&v.abs()) {
            return None;
        }
        self.masked_integer(key, v.abs() as u64, v < 0.0)
    }
}

/// `text` as a gzip stream, for the tests of other modules.
#[cfg(test)]
pub(crate) fn gzip_for_tests(text: &[u8]) -> Vec<u8> {
    gzip::tests::gzip(text, 0)
}

/// Escapes the backslashes written from `start` on, as a JSON string holds them: a masked
/// card number keeps the separators its groups had, among them a no-break space the text
/// held escaped (`4111\u00a01111…`, as Python's `json.dumps` writes one) — text whose
/// backslash a line must escape, or it reads as the space itself.
fn escape_backslashes(out: &mut Vec<u8>, start: usize) {
    let extra = out[start..].iter().filter(|&&b| b == b'\\').count();
    if extra == 0 {
        return;
    }
    let end = out.len();
    out.resize(end + extra, 0);
    let mut write = out.len();
    for read in (start..end).rev() {
        let b = out[read];
        write -= 1;
        out[write] = b;
        if b == b'\\' {
            write -= 1;
            out[write] = b'\\';
        }
    }
}

/// Whether `text` starts as a JSON line does: an object, a list or a string, after blanks.
/// (A line of digits alone is read as text: a card number there is masked in place.)
fn opens_json_document(text: &str) -> bool {
    matches!(
        text.trim_start().as_bytes().first(),
        Some(b'{' | b'[' | b'"')
    )
}

/// Whether `text` is one JSON document.
fn is_json_document(text: &str) -> bool {
    serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_keys_and_opt_outs() {
        let r = Redactor::new()
            .secret_key("x-internal-sig")
            .removed_key("otp")
            .safe_key("session_token");
        assert_eq!(r.key_rule("X_Internal_Sig"), KeyRule::Secret);
        assert_eq!(r.key_rule("OTP"), KeyRule::Remove);
        assert_eq!(r.key_rule("session-token"), KeyRule::Safe);
        assert_eq!(r.key_rule("card_cvv"), KeyRule::Remove);
    }

    #[test]
    fn integers_are_masked_unless_they_name_a_time() {
        let r = Redactor::new();
        let masked = |key: &str, v: u64| {
            r.masked_integer(key, v, false)
                .map(|(b, n)| String::from_utf8(b[..n].to_vec()).unwrap())
        };
        assert_eq!(
            masked("card", 4_111_111_111_111_111).as_deref(),
            Some("411111******1111")
        );
        assert_eq!(masked("order_id", 1_234_567_890_123_456), None);
        assert_eq!(masked("created_at", 4_111_111_111_111_111), None);
        assert_eq!(masked("ts", 4_111_111_111_111_111), None);
        assert_eq!(
            masked("n", 1_795_752_557_128),
            None,
            "no brand starts with 1"
        );
        assert_eq!(r.stats().pan, 1);
        let (b, n) = r.masked_float("amount", 4_111_111_111_111_111.0).unwrap();
        assert_eq!(&b[..n], b"411111******1111");
        assert!(r.masked_float("amount", 12.5).is_none());
    }

    #[test]
    fn raw_lines_change_only_what_is_redacted() {
        let r = Redactor::new();
        assert_eq!(
            r.redact_line(r#"{"z":1,"msg":"card 4111111111111111","cvv":"1","n":4111111111111111,"big":123456789012345678901234567890,"a":1}"#),
            r#"{"z":1,"msg":"card 411111******1111","cvv":"[REMOVED]","n":"411111******1111","big":123456789012345678901234567890,"a":1}"#
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
        assert!(matches!(r.redact_line("clean line"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_json_line_stays_json_when_the_text_s_rules_would_break_it() {
        // A message cut short inside a wrapped value the text's rules read to the line's end
        // (`String("737` and no `")`): the line lost its other members and was no JSON any
        // more. It is redacted as a document instead, the same rules member by member.
        let r = Redactor::new();
        let line = r#"{"msg":"body {\"card_cvv\": String(\"737","level":"INFO","card":"4111111111111111"}"#;
        assert!(serde_json::from_str::<serde_json::Value>(&r.redact(line)).is_err());
        let out = r.redact_line(line);
        let v: serde_json::Value = serde_json::from_str(&out).expect("still JSON");
        assert_eq!(v["level"], "INFO");
        assert_eq!(v["card"], "411111******1111");
        assert!(!out.contains("737"), "{out}");
        // A line that was no JSON keeps the text's rules' output.
        let cut = r#"{"msg":"body {\"card_cvv\": String(\"737"#;
        assert_eq!(r.redact_line(cut), r.redact(cut));
        // Fuzzer: a document that is a string. (A line of digits alone is text.)
        assert_eq!(r.redact_line(r#""cvv:[=""#), r#""cvv:[REMOVED]""#);
        assert_eq!(r.redact_line("4111111111111111"), "411111******1111");
    }

    #[test]
    fn a_masked_card_s_escaped_separators_stay_escaped_in_a_json_string() {
        // Its groups joined by `\u00a0` as text (Python's `json.dumps` output logged as a
        // message): the backslashes were written raw, and the line read a no-break space.
        let r = Redactor::new();
        let mut out = Vec::new();
        r.write_json_str(&mut out, r"card 4111\u00a01111\u00a01111\u00a01111 ok");
        let line = format!("\"{}\"", String::from_utf8(out).unwrap());
        let back: String = serde_json::from_str(&line).expect("a JSON string");
        assert_eq!(back, r"card 4111\u00a011**\u00a0****\u00a01111 ok");
    }

    /// Lines serde refuses — too deep, a lone surrogate, `NaN`, a prefix before the JSON, a
    /// top-level array — are redacted the same, every other byte kept (the old redactor fell
    /// back to free text for them and let `"cvv"` and `"password"` through).
    #[test]
    fn lines_serde_refuses_are_redacted_the_same() {
        let r = Redactor::new();
        let pair = r#""cvv":"123","password":"hunter2""#;
        let redacted = r#""cvv":"[REMOVED]","password":"[REDACTED]""#;
        let deep = format!("{}{{{pair}}}{}", "[".repeat(130), "]".repeat(130));
        for (line, expected) in [
            (deep.clone(), deep.replace(pair, redacted)),
            (
                format!(r#"{{"s":"\ud800",{pair}}}"#),
                format!(r#"{{"s":"\ud800",{redacted}}}"#),
            ),
            (
                format!(r#"{{"x":NaN,{pair}}}"#),
                format!(r#"{{"x":NaN,{redacted}}}"#),
            ),
            (
                format!(r#"2026-12-02T05:00:00Z INFO {{{pair}}}"#),
                format!(r#"2026-12-02T05:00:00Z INFO {{{redacted}}}"#),
            ),
            (
                format!(r#"[{{{pair}}},{{"n":1}}]"#),
                format!(r#"[{{{redacted}}},{{"n":1}}]"#),
            ),
            (
                r#"{"n":123456789012345678901234567890,"a":1,"a":2}"#.to_owned(),
                r#"{"n":123456789012345678901234567890,"a":1,"a":2}"#.to_owned(),
            ),
        ] {
            assert_eq!(r.redact_line(&line), expected);
        }
    }
}
