//! The private members of a JSON Web Key (RFC 7517; RFC 7518 section 6, RFC 8037): `d` (an
//! RSA key's private exponent, an elliptic or Edwards curve's private key), `p`, `q`, `dp`,
//! `dq`, `qi` (an RSA key's primes and CRT values) and `k` (a symmetric key), each in
//! base64url — wherever a JWK is written: a `Serialize` value (`josekit`'s map, a
//! `serde_json::Value` read from Secrets Manager), a field, JSON in text. Their names alone
//! say little (`d`, `k`, `p` are anyone's, and a map writes `d` before `kty`), so a member is
//! a key's only when its string reads as key material: base64url as long as the shortest
//! key the member holds — 22 characters for `k` (a 128-bit key's), 43 for the others (256
//! bits: an elliptic or Edwards curve's private key; an RSA key's primes are longer still),
//! so that an id under a one-letter name (`"p":"pi_3NxYz…"`, 27) is none —, capitals and
//! lower-case letters among them. The public members (`kty`, `n`, `e`, `x`, `y`, `kid`)
//! stay.

/// Fewest characters of base64url read as a symmetric key's (`k`): a 128-bit key's (16
/// bytes).
const SHORTEST_SYMMETRIC_KEY: usize = 22;

/// Fewest characters of base64url read as a private key's member (`d`, `p`, `q`, `dp`,
/// `dq`, `qi`): 256 bits' (32 bytes), a P-256 or Ed25519 private key's.
const SHORTEST_PRIVATE_KEY: usize = 43;

/// Whether `name` is a private member of a JSON Web Key.
#[inline(always)]
pub(crate) fn is_private_member(name: &[u8]) -> bool {
    matches!(name, b"d" | b"p" | b"q" | b"k" | b"dp" | b"dq" | b"qi")
}

/// Whether `name`, a private member, holds a symmetric key (`k`) rather than a private key's
/// part.
#[inline(always)]
pub(crate) fn is_symmetric_member(name: &[u8]) -> bool {
    name == b"k"
}

/// Whether a base64url byte (letters, digits, `-`, `_`).
pub(crate) fn is_base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Whether `value` reads as key material in base64url under a symmetric key's member
/// (`symmetric`, [`is_symmetric_member`]) or a private key's: 22 or 43 characters or more
/// of it, with a capital and a lower-case letter among them (a word, an id in one case,
/// `cache-key-for-…`, is none).
pub(crate) fn is_key_material(symmetric: bool, value: &[u8]) -> bool {
    let shortest = if symmetric {
        SHORTEST_SYMMETRIC_KEY
    } else {
        SHORTEST_PRIVATE_KEY
    };
    value.len() >= shortest
        && value.iter().all(|&b| is_base64url(b))
        && value.iter().any(u8::is_ascii_uppercase)
        && value.iter().any(u8::is_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use super::{is_key_material, is_private_member};
    use crate::redact::Redactor;

    #[test]
    fn a_private_member_in_text_goes_however_it_is_quoted() {
        // Written in clear before: `d`, `k`, `p` are no secret's names.
        let r = Redactor::new();
        for (text, want) in [
            (
                r#"{"kty":"oct","k":"GawgguFyGrWKav7AX4VKUg","alg":"HS256"}"#,
                r#"{"kty":"oct","k":"[REDACTED]","alg":"HS256"}"#,
            ),
            (
                r#"{"crv":"P-256","d": "jpsQnnGQmL-YBIffH1136cLZfNmyH5eVYVPW2eKJfPo","kty":"EC"}"#,
                r#"{"crv":"P-256","d": "[REDACTED]","kty":"EC"}"#,
            ),
            (
                r#"{"msg":"jwk {\"qi\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\"}"}"#,
                r#"{"msg":"jwk {\"qi\":\"[REDACTED]\"}"}"#,
            ),
            (
                "{'kty': 'oct', 'k': 'GawgguFyGrWKav7AX4VKUg'}",
                "{'kty': 'oct', 'k': '[REDACTED]'}",
            ),
            // `josekit`'s `Jwk` as `Debug` prints it: its map of `serde_json::Value`s.
            (
                r#"Jwk { map: {"kty": String("oct"), "k": String("GawgguFyGrWKav7AX4VKUg")} }"#,
                r#"Jwk { map: {"kty": String("oct"), "k": "[REDACTED]"} }"#,
            ),
        ] {
            assert_eq!(r.redact(text), want);
            assert_eq!(r.redact(want), want, "a second pass");
        }
        // Public members, values that are no key material, a bare member.
        for text in [
            r#"{"kty":"EC","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","e":"AQAB"}"#,
            r#"{"d":"2026-12-06","k":"cache-key-for-merchant-54470beb","q":"GawgguFyGrWKav7AX4VKUg=="}"#,
            // Ids under one-letter names, shorter than a private key's part.
            r#"{"p":"pi_3NxYzAbCdEfGhIjKlMnOpQr","d":"GawgguFyGrWKav7AX4VKUg"}"#,
            "d: GawgguFyGrWKav7AX4VKUg, p=GawgguFyGrWKav7AX4VKUg",
        ] {
            assert_eq!(r.redact(text), text);
        }
    }

    #[test]
    fn private_members_are_named_as_rfc_7518_names_them() {
        for name in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(is_private_member(name.as_bytes()), "{name}");
        }
        for name in ["kty", "n", "e", "x", "y", "kid", "D", "id", "key", ""] {
            assert!(!is_private_member(name.as_bytes()), "{name}");
        }
    }

    #[test]
    fn key_material_is_long_mixed_case_base64url() {
        const P256: &str = "jpsQnnGQmL-YBIffH1136cLZfNmyH5eVYVPW2eKJfPo";
        for value in [
            "GawgguFyGrWKav7AX4VKUg",
            P256,
            "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
        ] {
            assert!(is_key_material(true, value.as_bytes()), "{value}");
        }
        assert!(is_key_material(false, P256.as_bytes()));
        for value in [
            "GawgguFyGrWKav7AX4VKU",
            "cache-key-for-merchant-54470beb",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "2026-12-06T12:00:00.000Z",
            "GawgguFyGrWKav7AX4VKUg==",
            "Gawggu FyGrWKav7AX4VKUg",
        ] {
            assert!(!is_key_material(true, value.as_bytes()), "{value}");
        }
        // A private key's part is 256 bits or more: a symmetric key's length, an id, is none.
        for value in [
            "GawgguFyGrWKav7AX4VKUg",
            "pi_3NxYzAbCdEfGhIjKlMnOpQr",
            &P256[1..],
        ] {
            assert!(!is_key_material(false, value.as_bytes()), "{value}");
        }
    }
}
