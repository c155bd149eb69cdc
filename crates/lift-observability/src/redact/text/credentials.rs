//! Secrets told by a literal of their own, with no name before them: `Bearer`, `Basic` and
//! `Token` credentials, AWS access key ids and Bedrock's long-term API keys, JWTs (and JSON
//! in base64 where no JWT stands), and `Base64Data`'s bytes. Providers' keys told by their
//! prefix are [`prefixed_keys`](super::prefixed_keys)'.

use super::echoes;
use super::named_secrets::{key_after_name, opens_element};
use super::names::holds_marker;
use super::payment_keys::{base64_len, padding_len};
use super::pem::{before_private_key, pem_private_key};
use super::prefixed_keys::{body_ends, dashed_key, stripe_key};
use super::separators::byte_list_value;
use super::sql;
use super::value_ends::{opening_quote_len, parameters_end, quoted_value_end};
use super::values::are_parameters;
use super::{Finding, REDACTED, Replacement, at_word_start, past_blanks, secret, starts_token};
use crate::redact::byte_class;
use crate::redact::encoded;
use crate::redact::{Counts, Redactor};

/// Bytes of a credential token (RFC 6750's `b64token` and base64, and `$`: Braintree's).
fn is_token_byte(b: u8) -> bool {
    byte_class::is(b, byte_class::TOKEN)
}

/// Whether a word after a scheme looks like a credential rather than prose: it starts with
/// a letter or digit and holds a digit or a symbol, mixes cases after its first letter, or
/// is long. A `.` that ends it ends a sentence (`a basic understanding.`): it is not judged.
/// Words of lowercase letters joined by single hyphens are prose (`basic built-in types`,
/// `basic e-commerce flow`): no credential is written so, and no detector replaces part of
/// such a word, so a second pass judges it as the first did.
fn credential_shaped(token: &[u8]) -> bool {
    let token = token.strip_suffix(b".").unwrap_or(token);
    let rest = token.get(1..).unwrap_or_default();
    let hyphenated_words = token.first().is_some_and(u8::is_ascii_alphabetic)
        && rest.contains(&b'-')
        && !token.ends_with(b"-")
        && !token.windows(2).any(|w| w == b"--")
        && rest.iter().all(|&b| b.is_ascii_lowercase() || b == b'-');
    if hyphenated_words {
        return false;
    }
    // Base64 and hex never start with padding: `token => "x"` holds no credential.
    token.first().is_some_and(u8::is_ascii_alphanumeric)
        && (token.len() >= 20
            || token.iter().any(|&b| !b.is_ascii_alphabetic())
            || (rest.iter().any(u8::is_ascii_uppercase) && rest.iter().any(u8::is_ascii_lowercase)))
}

/// The token after `scheme` and its whitespace, at `bytes[after..]`: (start, end), ending
/// before a private key's armour.
fn token_after(bytes: &[u8], after: usize) -> Option<(usize, usize)> {
    let start = past_blanks(bytes, after);
    if start == after {
        return None;
    }
    let len = bytes[start..]
        .iter()
        .take_while(|&&b| is_token_byte(b))
        .count();
    let end = before_private_key(bytes, start, start + len);
    (end > start).then_some((start, end))
}

/// aws_lambda_events' `Base64Data` as `Debug` writes it (a Kinesis or Firehose record's
/// data), up to its list's `[`.
const BASE64_DATA: &[u8] = b"Base64Data([";

/// The scheme of HTTP's Basic authentication, as prose and headers write it (any case).
const BASIC: &[u8] = b"basic";

/// Whether the `b` or `B` at `at` may start a word [`credentials`] reads — `Bearer`, `Basic`,
/// `BEGIN`, `Base64Data`: its first three bytes `bea`, `beg` or `bas`, any case. Most `b`s
/// of prose and hex ids (`be9`, `Bank`) start none.
#[inline(always)]
pub(super) fn may_open_credentials(bytes: &[u8], at: usize) -> bool {
    match bytes.get(at + 1..at + 3) {
        // Setting the 0x20 bit lowers a letter's case and makes no other byte these letters.
        Some(&[second, third]) => matches!(
            (second | 0x20, third | 0x20),
            (b'e', b'a' | b'g') | (b'a', b's')
        ),
        _ => false,
    }
}

/// `Bearer <token>` / `Basic <credentials>`, or a PEM private key (anchored at the `B` of
/// its `-----BEGIN`), or the list of a `Base64Data`'s bytes (at its `B`).
pub(super) fn credentials(redactor: &Redactor, bytes: &[u8], at: usize) -> Option<Finding> {
    let counts = redactor.counts();
    if bytes[at..].starts_with(b"BEGIN ") {
        return pem_private_key(bytes, at, counts);
    }
    if bytes[at..].starts_with(BASE64_DATA) {
        return byte_list_value(redactor, bytes, at + BASE64_DATA.len() - 1, None);
    }
    if !at_word_start(bytes, at) {
        return None;
    }
    let rest = &bytes[at..];
    let scheme = if rest.len() > 6 && rest[..6].eq_ignore_ascii_case(b"bearer") {
        6
    } else if rest.len() > BASIC.len() && rest[..BASIC.len()].eq_ignore_ascii_case(BASIC) {
        if rest[BASIC.len()..].starts_with(DECODED_FIELD) {
            return decoded_basic(bytes, at + BASIC.len() + DECODED_FIELD.len(), counts);
        }
        BASIC.len()
    } else {
        return None;
    };
    let (start, end) = token_after(bytes, at + scheme)?;
    // `Bearer`/`BEARER` is always an auth scheme; other spellings only before a credential.
    let exact = matches!(&rest[..scheme], b"Bearer" | b"BEARER");
    let word = &bytes[start..end];
    // No more than the word's shape is judged: a rule that read further into it (base64's
    // alphabet, its length in whole quads) would change its verdict when a detector after it
    // replaces part of the word (`Basic AccountKey=x`, whose `x` goes: a second pass would
    // read `AccountKey=` alone).
    if !exact && !credential_shaped(word) || is_no_credential(word) {
        return None;
    }
    Some(secret(start, end, counts))
}

/// What follows `Basic` where the `headers` crate's `Debug` writes Basic credentials
/// (axum's `TypedHeader<Authorization<Basic>>`: `Basic { decoded: "alice:…", colon_pos: 5
/// }`).
const DECODED_FIELD: &[u8] = b" { decoded: ";

/// The quoted `user:password` at `at` in Basic credentials as the `headers` crate's `Debug`
/// writes them ([`DECODED_FIELD`]), in plain quotes or JSON-escaped ones: `[REDACTED]`, the
/// user's name with the password (the quotes kept).
#[cold]
fn decoded_basic(bytes: &[u8], at: usize, counts: &Counts) -> Option<Finding> {
    let quote_len = opening_quote_len(&bytes[at..]);
    if quote_len == 0 || bytes[at] == b'\'' {
        return None;
    }
    let open = at + quote_len;
    let close = quoted_value_end(bytes, open, &bytes[at..open]);
    let text = &bytes[open..close];
    if text.is_empty() || holds_marker(text) {
        return None;
    }
    Some(secret(open, close, counts))
}

/// Words after `Bearer` that are no credential: a challenge's parameters
/// (`WWW-Authenticate: Bearer realm="api", error="invalid_token"`) and the words prose puts
/// there (`invalid Bearer token`, `Bearer authentication failed`).
fn is_no_credential(word: &[u8]) -> bool {
    const WORDS: [&[u8]; 13] = [
        b"realm=",
        b"error=",
        b"scope=",
        b"error_description=",
        b"error_uri=",
        b"token",
        b"tokens",
        b"auth",
        b"authentication",
        b"authorization",
        b"header",
        b"scheme",
        b"credentials",
    ];
    // A sentence's closing `.` is not the word's (`HTTP Bearer Auth.`).
    let word = word.strip_suffix(b".").unwrap_or(word);
    WORDS.iter().any(|w| word.eq_ignore_ascii_case(w))
}

/// At a `k`: a Stripe secret key, an OpenAI or Anthropic key, `Token <token>`, or a key
/// after its name in prose (`API key 4478…`, [`key_after_name`]; no further back than
/// `floor`).
pub(super) fn letter_k(
    redactor: &Redactor,
    bytes: &[u8],
    k: usize,
    floor: usize,
) -> Option<Finding> {
    let counts = redactor.counts();
    match bytes.get(k + 1) {
        Some(b'_') => stripe_key(bytes, k, counts),
        Some(b'-') => dashed_key(bytes, k, counts),
        _ => token_scheme(bytes, k, floor, counts)
            .or_else(|| key_after_name(bytes, k, floor, counts))
            .or_else(|| match (bytes.get(k + 3), bytes.get(k + 4)) {
                // `for key '…'` (MySQL's duplicate-key error).
                (Some(b' '), Some(b'\'')) => echoes::duplicate_entry(redactor, bytes, k, floor),
                // ``for key `…` `` (config-rs's type error), `for key "…"` (figment's).
                (Some(b' '), Some(b'`' | b'"' | b'\\')) => {
                    echoes::value_for_key(redactor, bytes, k, floor)
                        .or_else(|| key_column(redactor, bytes, k, floor))
                }
                _ => key_column(redactor, bytes, k, floor),
            }),
    }
}

/// At the `k` of `key` or `token` (`api_key`, `access_token`): the name as a column's in a SQL
/// statement's list ([`sql::values_of_column`]). Both words end two bytes after their `k`,
/// where a column's name ends in a `,`, a `)` or a closing quote.
#[cold]
fn key_column(redactor: &Redactor, bytes: &[u8], k: usize, floor: usize) -> Option<Finding> {
    if !matches!(
        bytes.get(k + 3),
        Some(b',' | b')' | b'"' | b'`' | b']' | b'\\')
    ) {
        return None;
    }
    let names = |word: &[u8], k_at: usize| {
        k.checked_sub(k_at)
            .and_then(|start| bytes.get(start..start + word.len()))
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
    };
    let named = names(b"key", 0) || names(b"token", 2);
    sql::values_of_column(named, redactor, bytes, k, floor)
}

/// `Token <token>` (anchored at its `k`).
fn token_scheme(bytes: &[u8], k: usize, floor: usize, counts: &Counts) -> Option<Finding> {
    let at = k.checked_sub(2)?;
    // An element named `token` (`<token kind="x">…</token>`) is no scheme: its value is
    // found from its tags, its attributes are no parameters.
    if !bytes.get(at..at + 5)?.eq_ignore_ascii_case(b"token")
        || !at_word_start(bytes, at)
        || opens_element(bytes, floor, at + 5)
    {
        return None;
    }
    let (start, end) = token_after(bytes, at + 5)?;
    if are_parameters(bytes, start, end) {
        // Rails' `Token token="…", nonce="…"`: all of its parameters.
        return Some(secret(start, parameters_end(bytes, start), counts));
    }
    if !credential_shaped(&bytes[start..end]) {
        return None;
    }
    Some(secret(start, end, counts))
}

/// An AWS access key id's length.
pub(super) const AWS_KEY_ID: usize = 20;

/// An AWS secret access key's length (base64: letters, digits, `/` and `+`).
const AWS_SECRET_KEY: usize = 40;

/// Most bytes between an access key id and its secret access key in prose.
const AWS_KEY_PAIR_GAP: usize = 3;

/// `AKIA`/`ASIA` + 16 uppercase letters or digits, as a whole word — and the secret access
/// key right after it, where one stands there (`AKIA… / wJalr…`, `AKIA…:wJalr…`, as a
/// config dump or a tool's output pairs them; a name before the secret is a separator's
/// to find): 40 of base64 holding capitals and lower-case letters both, as a whole word,
/// after one to three of ` /:,;|`. Each `[REDACTED]`, what joins them kept.
pub(super) fn aws_key_id(bytes: &[u8], at: usize, counts: &Counts) -> Option<Finding> {
    let id = bytes.get(at..at + AWS_KEY_ID)?;
    let ok = (id.starts_with(b"AKIA") || id.starts_with(b"ASIA"))
        && id[4..]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && starts_token(bytes, at)
        && body_ends(bytes, at + AWS_KEY_ID);
    if !ok {
        return None;
    }
    let id_end = at + AWS_KEY_ID;
    if let Some(secret_start) = aws_secret_key_after(bytes, id_end) {
        counts.add_secret_text();
        counts.add_secret_text();
        return Some(Finding {
            start: at,
            end: secret_start + AWS_SECRET_KEY,
            replacement: Replacement::SecretPair {
                first_end: id_end,
                second_start: secret_start,
            },
        });
    }
    Some(secret(at, id_end, counts))
}

/// The prefix of Amazon Bedrock's long-term API keys.
const BEDROCK_LONG_TERM: &[u8] = b"ABSK";

/// Fewest base64 characters of a Bedrock long-term API key's body (it encodes the key's
/// name, its account and a secret: 100 and more).
const BEDROCK_BODY: usize = 40;

/// An Amazon Bedrock long-term API key (`ABSK…`, anchored at its `A`: `bytes[at + 1]` is a
/// `B`), as a whole word: base64 after the prefix, 40 characters or more, padded or not. Its
/// body `[REDACTED]`, the prefix kept (it says which key leaked).
pub(super) fn bedrock_api_key(bytes: &[u8], at: usize, counts: &Counts) -> Option<Finding> {
    if !bytes[at..].starts_with(BEDROCK_LONG_TERM) || !starts_token(bytes, at) {
        return None;
    }
    let start = at + BEDROCK_LONG_TERM.len();
    let len = base64_len(bytes, start);
    let mut end = start + len;
    // Its padding, where the body ends after it; before a word (`…/cvv=737`) the `=` is a
    // separator, as it is once a pass has replaced what follows it.
    let padding = padding_len(bytes, end);
    if body_ends(bytes, end + padding) {
        end += padding;
    }
    (len >= BEDROCK_BODY && body_ends(bytes, end)).then(|| secret(start, end, counts))
}

/// Where an AWS secret access key starts after an access key id ending at `id_end`, if one
/// does ([`aws_key_id`]).
#[cold]
fn aws_secret_key_after(bytes: &[u8], id_end: usize) -> Option<usize> {
    let gap = bytes[id_end..]
        .iter()
        .take(AWS_KEY_PAIR_GAP + 1)
        .take_while(|b| b" /:,;|".contains(b))
        .count();
    let start = id_end + gap;
    let key = bytes.get(start..start + AWS_SECRET_KEY)?;
    let is_base64 = |b: &u8| b.is_ascii_alphanumeric() || *b == b'/' || *b == b'+';
    ((1..=AWS_KEY_PAIR_GAP).contains(&gap)
        && key.iter().all(is_base64)
        && key.iter().any(u8::is_ascii_uppercase)
        && key.iter().any(u8::is_ascii_lowercase)
        && bytes
            .get(start + AWS_SECRET_KEY)
            .is_none_or(|b| !is_base64(b) && *b != b'='))
    .then_some(start)
}

/// A JWT (anchored at the `J` of `eyJ`): three base64url segments joined by dots, the
/// signature possibly empty (`alg: none`). Or, when the run is no JWT, JSON encoded in
/// base64 (`eyJ` is `{"`'s encoding: [`encoded`]).
pub(super) fn jwt(redactor: &Redactor, bytes: &[u8], j: usize) -> Option<Finding> {
    let start = j.checked_sub(2)?;
    let is_b64 = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    // A `-` or `_` before it glues it to a longer base64url run.
    let glued = start > 0 && matches!(bytes[start - 1], b'-' | b'_');
    if &bytes[start..j] != b"ey" || glued || !starts_token(bytes, start) {
        return None;
    }
    let mut i = start;
    for segment in 0..3 {
        let len = bytes[i..].iter().take_while(|&&b| is_b64(b)).count();
        if segment < 2 && len < 2 {
            return encoded_json(redactor, bytes, start);
        }
        i += len;
        if segment < 2 {
            if bytes.get(i) != Some(&b'.') {
                return encoded_json(redactor, bytes, start);
            }
            i += 1;
        }
    }
    Some(secret(start, i, redactor.counts()))
}

/// JSON encoded in base64 from `start` that holds what the detectors find: all of it
/// `[REDACTED]` (what it held is counted as found inside).
fn encoded_json(redactor: &Redactor, bytes: &[u8], start: usize) -> Option<Finding> {
    let end = encoded::encoded_text_end(redactor, bytes, start)?;
    Some(Finding {
        start,
        end,
        replacement: Replacement::Fixed(REDACTED),
    })
}

#[cfg(test)]
mod tests {
    use crate::redact::text::test_support::{assert_redacted, redact, redacted_once_for_all};

    #[test]
    fn an_aws_secret_access_key_right_after_its_key_id_goes_with_it() {
        const ID: &str = "AKIAIOSFODNN7EXAMPLE";
        const KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        assert_redacted(&[
            (
                &format!("Using AWS credentials {ID} / {KEY} for us-east-1"),
                "Using AWS credentials [REDACTED] / [REDACTED] for us-east-1",
            ),
            (&format!("{ID}:{KEY}"), "[REDACTED]:[REDACTED]"),
            (
                &format!("keys: ASIAIOSFODNN7EXAMPLE,{KEY}."),
                "keys: [REDACTED],[REDACTED].",
            ),
            // Too far, too short or too long, of one case, glued to more base64: the id alone.
            (&format!("{ID} and {KEY}"), &format!("[REDACTED] and {KEY}")),
            (
                &format!("{ID} {}", &KEY[1..]),
                &format!("[REDACTED] {}", &KEY[1..]),
            ),
            (&format!("{ID} {KEY}x"), &format!("[REDACTED] {KEY}x")),
            (
                &format!("{ID} 3a7bd3e2360a3d29eea436fcfb7e44c735d117c4"),
                "[REDACTED] 3a7bd3e2360a3d29eea436fcfb7e44c735d117c4",
            ),
        ]);
        let counts = crate::redact::Redactor::new();
        counts.redact(&format!("{ID} {KEY}"));
        assert_eq!(counts.stats().secret_text, 2);
    }

    #[test]
    fn bedrock_long_term_api_keys_lose_their_body_wherever_they_stand() {
        const KEY: &str = "ABSKQmVkcm9ja0FQSUtleS1xN3prLWF0LTEyMzQ1Njc4OTAxMjpYazl2UDJtUjhz+/T4wL6yN1cF3hJ5bD7gQ0eA==";
        assert_redacted(&[
            (
                &format!("bedrock rejected {KEY}: expired"),
                "bedrock rejected ABSK[REDACTED]: expired",
            ),
            (
                &format!("export AWS_BEARER_TOKEN_BEDROCK={KEY}"),
                "export AWS_BEARER_TOKEN_BEDROCK=[REDACTED]",
            ),
            (&format!("[\"{KEY}\"]"), "[\"ABSK[REDACTED]\"]"),
            (KEY, "ABSK[REDACTED]"),
        ]);
        // Its padding before a word is a separator's `=`, as after a pass's marker.
        assert_redacted(&[(
            &format!("{}/cvv=737", &KEY[..KEY.len() - 2]),
            "ABSK[REDACTED]=737",
        )]);
        // The key after a blank told from the others by its body.
        let spaced = format!(" {}", KEY.replace("T4wL6yN1", "U5xM7zO2"));
        redacted_once_for_all(
            &[
                &spaced,
                KEY,
                &KEY[..30],
                "ABSK",
                "=",
                "==",
                "/",
                "+",
                "cvv",
                "737",
                "x",
            ],
            0xab5c,
            &spaced,
            "U5xM7zO2",
        );
        for text in [
            "ABSK",
            "ABSKQmVkcm9ja0FQSUtleS1x",
            "the ABSKIT module",
            &format!("x{KEY}"),
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn anchored_secrets() {
        assert_eq!(redact("basic dXNlcjpwYXNzd29yZA=="), "basic [REDACTED]");
        assert_eq!(redact("Basic auth failed"), "Basic auth failed");
        assert_eq!(redact("Bearer\tshort"), "Bearer\t[REDACTED]");
        // A challenge's parameters and prose after `Bearer` are no credential (each lost its
        // next word before).
        for text in [
            "WWW-Authenticate: Bearer realm=\"api\", error=\"invalid_token\"",
            "invalid Bearer token; Bearer authentication failed; no Bearer header",
        ] {
            assert_eq!(redact(text), text);
        }
        assert_eq!(
            redact("{\"Authorization\":\"Bearer abc==\"} Bearer tokenXYZ"),
            "{\"Authorization\":\"[REDACTED]\"} Bearer [REDACTED]"
        );
        // A parenthesised value under a sensitive name goes whole (its `)` was left).
        assert_eq!(
            redact("password: (hunter 2) cvv=(737)"),
            "password: [REDACTED] cvv=[REMOVED]"
        );
        assert_eq!(redact("Token expired"), "Token expired");
        assert_eq!(redact("Token 9f8e7d6c"), "Token [REDACTED]");
        assert_eq!(
            redact("key AKIAIOSFODNN7EXAMPLE used"),
            "key [REDACTED] used"
        );
        assert_eq!(
            redact("jwt eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0. end"),
            "jwt [REDACTED] end"
        );
        assert_eq!(
            redact("https://admin:hunter2@db/x"),
            "https://admin:[REDACTED]@db/x"
        );
        assert_eq!(
            redact("https://db.example.com/x?a=1"),
            "https://db.example.com/x?a=1"
        );
    }

    #[test]
    fn schemes_in_prose_are_no_credentials() {
        // A word that ends a sentence is judged without its `.`.
        for text in [
            "Auth scheme ID for HTTP Bearer Auth.",
            "rejected: invalid Bearer token.",
            "Implement Clone and Copy for most basic structures. Since these",
            "a basic understanding. Then",
            // Words joined by hyphens.
            "the basic built-in token types; Basic floating-point numbers; basic e-commerce",
        ] {
            assert_eq!(redact(text), text);
        }
        assert_eq!(redact("Basic dGVzdDp0ZXN0."), "Basic [REDACTED]");
        assert_eq!(redact("Bearer abc.def."), "Bearer [REDACTED]");
        // The credential is taken whole on a first pass, as a second pass would take what a
        // name's value left of it (found by the fuzzer).
        assert_eq!(redact("Basic  AAccountKey=PI <(:"), "Basic  [REDACTED] <(:");
        assert_eq!(redact("basic abc=def.ghi"), "basic [REDACTED]");
        assert_eq!(
            redact("basic a-b-C1 basic x--y"),
            "basic [REDACTED] basic [REDACTED]"
        );
    }

    #[test]
    fn anchored_secrets_are_found_at_every_offset_from_a_block_edge() {
        // The scanner reads a block of 32 bytes at a time (two 16-byte halves without AVX2),
        // and a letter's neighbours decide whether it anchors: each literal is tried at every
        // offset, its neighbours on either side of a block's edge and of its middle.
        for (text, want) in [
            ("Bearer abc.def", "Bearer [REDACTED]"),
            ("basic dXNlcjpwYXNzd29yZA==", "basic [REDACTED]"),
            ("TOKEN 9f8e7d6c", "TOKEN [REDACTED]"),
            ("AKIAIOSFODNN7EXAMPLE", "[REDACTED]"),
            ("ASIAIOSFODNN7EXAMPLE", "[REDACTED]"),
            ("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "[REDACTED]"),
            ("sk_live_51H8xYzAbCdEfGhIjKl", "sk_live_[REDACTED]"),
            ("CVV 737", "CVV [REMOVED]"),
            ("cvc2 \"1234\"", "cvc2 \"[REMOVED]\""),
            ("rk_test_51H8xYzAbCdEfGhIjKl", "rk_test_[REDACTED]"),
            ("AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "AIza[REDACTED]"),
            (
                "xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
                "xoxb-[REDACTED]",
            ),
            (
                "sk-proj-Ab3dEfGhIjKlMnOpQrStUvWxYz0123456789",
                "sk-proj-[REDACTED]",
            ),
            ("--pin 1234", "--pin [REMOVED]"),
            ("sk_sbox_m73dzbpy7cf3gfd46xr4yj5xo4e", "sk_sbox_[REDACTED]"),
            ("PIN 1234", "PIN [REMOVED]"),
            ("security code is 737", "security code is [REMOVED]"),
            (
                "access_token$sandbox$x8ynt7wbmnrpqpnh$8b0c5e7a6a5d8c1f",
                "access_token$sandbox$[REDACTED]",
            ),
        ] {
            for pad in 0..72 {
                let prefix = "a bobkey ".repeat(8)[..pad].to_owned() + " ";
                assert_eq!(
                    redact(&format!("{prefix}{text} end")),
                    format!("{prefix}{want} end"),
                    "{text} after {pad} bytes"
                );
            }
        }
    }
}
