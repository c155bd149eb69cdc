//! Payment providers' API keys with no name before them, anchored at a capital `A`: Adyen's
//! (`AQE…`), Square's access tokens (`EAAA…`) and PayPal's (`A21AA…`) — in an error, a
//! config dump, prose. (A name
//! before them, `x-api-key: AQE…`, is the look-back's; Stripe's keys are anchored at their
//! `k` or `_`, [`prefixed_keys`](super::prefixed_keys) and [`prefix_ends`](super::prefix_ends).)
//! The body becomes `[REDACTED]`; the prefix stays, as it says which provider's key leaked.

use super::credentials::AWS_KEY_ID;
use super::prefixed_keys::{PREFIXED_TOKEN_BODY, base64url_key, prefixed_token};
use super::{Finding, secret, starts_token};
use crate::redact::Counts;

/// The prefix every Adyen API key starts with.
const ADYEN_PREFIX: &[u8] = b"AQE";

/// Fewest base64 characters of an Adyen key's first part, prefix included (the keys seen
/// hold 80 to 100), before its `=` padding and the `-` after it.
const ADYEN_FIRST_PART: usize = 40;

/// Fewest base64 characters of an Adyen key's second part (a 32-byte value: 43 and a `=`).
const ADYEN_SECOND_PART: usize = 20;

/// Characters of standard base64 (`+` and `/`, not base64url's `-` and `_`).
fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// How many base64 characters stand from `from`.
pub(super) fn base64_len(bytes: &[u8], from: usize) -> usize {
    bytes
        .get(from..)
        .map_or(0, |rest| rest.iter().take_while(|&&b| is_base64(b)).count())
}

/// How many `=` (at most two: base64's padding) stand from `from`.
pub(super) fn padding_len(bytes: &[u8], from: usize) -> usize {
    bytes.get(from..).map_or(0, |rest| {
        rest.iter().take(2).take_while(|&&b| b == b'=').count()
    })
}

/// The fewest bytes from the `A` a token is anchored at to the token's end, for every
/// token read there: Square's (`EAAA` and 16 from the `E`, one before the `A`); AWS's access
/// key ids (20), Google's API keys, Adyen's, Bedrock's and PayPal's hold more.
const SHORTEST_AT_A: usize = 3 + PREFIXED_TOKEN_BODY;
const _: () = assert!(SHORTEST_AT_A <= AWS_KEY_ID);

/// Whether a token anchored at the `A` at `at` fits before the string's end
/// ([`SHORTEST_AT_A`]).
#[inline(always)]
pub(super) fn may_fit_token_at_a(bytes: &[u8], at: usize) -> bool {
    bytes.len() - at >= SHORTEST_AT_A
}

/// An Adyen API key anchored at its `A` (`bytes[at + 1]` is a `Q`), as a whole word: `AQE`
/// and base64 padded with `=`, a `-`, more base64 (padded or not), and perhaps a `-` and the
/// printable characters up to a blank, a quote or a backslash (some keys end with sixteen,
/// punctuation among them: `-W+t7NF;s4}%=kUSD`; a word glued to them goes with them, as a
/// second pass would see it). Its body after `AQE` `[REDACTED]`.
pub(super) fn adyen_api_key(bytes: &[u8], at: usize, counts: &Counts) -> Option<Finding> {
    if !bytes[at..].starts_with(ADYEN_PREFIX) || !starts_token(bytes, at) {
        return None;
    }
    let first = base64_len(bytes, at);
    let padding = padding_len(bytes, at + first);
    let dash = at + first + padding;
    if first < ADYEN_FIRST_PART || padding == 0 || bytes.get(dash) != Some(&b'-') {
        return None;
    }
    let second = base64_len(bytes, dash + 1);
    if second < ADYEN_SECOND_PART {
        return None;
    }
    let mut end = dash + 1 + second;
    end += padding_len(bytes, end);
    if bytes.get(end) == Some(&b'-') {
        let tail = bytes[end + 1..]
            .iter()
            .take_while(|&&b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'`' | b'\\'))
            .count();
        if tail > 0 {
            end += 1 + tail;
        }
    }
    Some(secret(at + ADYEN_PREFIX.len(), end, counts))
}

/// A Square access token (`EAAA…`) anchored at its first `A` (`bytes[at + 1]` is an `A`), as
/// a whole word: the body a token of the same prefix has at a string's start
/// ([`prefixed_token`]), `[REDACTED]`.
pub(super) fn square_access_token(bytes: &[u8], at: usize, counts: &Counts) -> Option<Finding> {
    let start = at.checked_sub(1)?;
    if bytes[start] != b'E' || !bytes[at..].starts_with(b"AAA") || !starts_token(bytes, start) {
        return None;
    }
    let (body_start, end) = prefixed_token(bytes, start)?;
    Some(secret(body_start, end, counts))
}

/// The prefix of PayPal's OAuth access tokens.
const PAYPAL_PREFIX: &[u8] = b"A21AA";

/// Fewest base64url characters of a PayPal access token's body (the tokens seen hold 90 and
/// more).
const PAYPAL_BODY: usize = 60;

/// A PayPal OAuth access token (`A21AA…`, anchored at its fourth byte, an `A` before an `A`
/// as Square's are), as a whole word: base64url after the prefix, 60 characters or more. Its
/// body `[REDACTED]`, the prefix kept.
pub(super) fn paypal_access_token(bytes: &[u8], at: usize, counts: &Counts) -> Option<Finding> {
    base64url_key(
        bytes,
        at.checked_sub(3)?,
        PAYPAL_PREFIX,
        PAYPAL_BODY,
        counts,
    )
}

#[cfg(test)]
mod tests {
    use crate::redact::text::test_support::{assert_redacted, redact, redacted_once_for_all};

    /// Adyen's API keys as their documentation and integrations show them: with and without
    /// the third part.
    const ADYEN: &str = "AQEyhmfxK4nJbhZGw0m/n3Q5qf3VaY9UCJ14XWZE03G/k2NFitRvbe4N1XqH1eHaH2AksaEQwV1bDb7kfNy1WIxIIkxgBw==-y3qzswmlmALhxaVPNjYf74bqPotG12HroatrKA066yE=-W+t7NF;s4}%=kUSD";
    const ADYEN_TWO_PARTS: &str = "AQEnhmfuXNWTK0Qc+iSRp1YdlMWYS4RYA4cRkZRioSE334JkKdoSBnDDEMFdWw2+5HzctViMSCJMYAc=-6QO8fIrGtndQrpjryx98FYKxAnLfcijkLM37bEPnwwI=";
    const SQUARE: &str = "EAAAEOuLQPDnWpyHbmO7abc1dEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg";
    const PAYPAL: &str = "A21AAHc8Vq2Xn7RkP0dLmT4sYwJ9bF3eG6hK1uZ-aQ5oN8iC2xV7rE4tW0yU3pS6dM9gB1fH_jL5kO8nA2zX4cI7vR0qT3wY6e";

    #[test]
    fn adyen_keys_go_wherever_they_stand() {
        assert_redacted(&[
            (
                &format!("adyen rejected {ADYEN} for merchant X"),
                "adyen rejected AQE[REDACTED] for merchant X",
            ),
            (
                &format!("using key {ADYEN_TWO_PARTS}, retrying"),
                "using key AQE[REDACTED], retrying",
            ),
            (&format!("'{ADYEN}'"), "'AQE[REDACTED]'"),
            (&format!("({ADYEN_TWO_PARTS})"), "(AQE[REDACTED])"),
            (ADYEN_TWO_PARTS, "AQE[REDACTED]"),
            (
                &format!("cfg {{\"k\":\"{ADYEN}\"}}"),
                "cfg {\"k\":\"AQE[REDACTED]\"}",
            ),
        ]);
    }

    #[test]
    fn text_shaped_unlike_an_adyen_key_stays() {
        for text in [
            "AQE",
            "AQEyhmfxK4nJbhZGw0m/n3Q5qf3VaY9UCJ14XWZE03G/k2NFitRvbe4N1XqH1eHaH2AksaEQwV1bDb7kfNy1WIxIIkxgBw",
            "AQEyhmfxK4nJbhZG==-y3qzswmlmALhxaVPNjYf74bqPotG12HroatrKA066yE=",
            "AQEyhmfxK4nJbhZGw0m/n3Q5qf3VaY9UCJ14XWZE03G/k2NFitRvbe4N1XqH1eHaH2AksaEQwV1bDb7kfNy1WIxIIkxgBw==-y3qz",
            "xAQEyhmfxK4nJbhZGw0m/n3Q5qf3VaY9UCJ14XWZE03G/k2NFitRvbe4N1XqH1eHaH2AksaEQwV1bDb7kfNy1WIxIIkxgBw==-y3qzswmlmALhxaVPNjYf74bqPotG12HroatrKA066yE=",
            "AQI and AQE levels",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn square_access_tokens_go_in_prose() {
        assert_redacted(&[
            (
                &format!("square call with {SQUARE} failed"),
                "square call with EAAA[REDACTED] failed",
            ),
            (&format!("**{SQUARE}**"), "**EAAA[REDACTED]**"),
        ]);
        for text in [
            "rated EAAA by the agency",
            "stage EAAAlpha",
            "XEAAAEOuLQPDnWpyHbmO7abc1dEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg",
            "EAAAeverything_is_lowercase_here_and_long",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn paypal_access_tokens_go_wherever_they_stand() {
        assert_redacted(&[
            (
                &format!("paypal call with {PAYPAL} failed (401)"),
                "paypal call with A21AA[REDACTED] failed (401)",
            ),
            (
                &format!("Config {{ paypal: Some(\"{PAYPAL}\") }}"),
                "Config { paypal: Some(\"A21AA[REDACTED]\") }",
            ),
            (&format!("**{PAYPAL}**"), "**A21AA[REDACTED]**"),
            (PAYPAL, "A21AA[REDACTED]"),
        ]);
        for text in [
            // Hex ids holding the prefix's letters, glued to a word or in lower case; a
            // body too short.
            "queued as 65A21AA4F1 by the relay",
            "revision b3977e51e23e6e51ae3a21aa0d7118c5",
            "A21AA",
            "A21AAbcDef0123456789",
            &format!("{PAYPAL}\u{e9}")[..PAYPAL.len() - 40],
        ] {
            assert_eq!(redact(text), text);
        }
    }

    /// Keys among pieces every detector reacts to, glued or apart, cut short or whole:
    /// redacted once for all; a key after a blank (a whole word) never shows its body.
    #[test]
    fn what_they_wrote_is_not_found_again() {
        // The keys after a blank told from the glued ones by their bodies.
        let adyen = format!(" {}", ADYEN_TWO_PARTS.replace("6QO8fIrGtnd", "7RP9gJsHuoe"));
        let square = format!(
            " {}",
            SQUARE.replace("EOuLQPDnWpyHbmO7", "FPvMRQEoXqzIcnP8")
        );
        let pieces = [
            &adyen,
            ADYEN,
            ADYEN_TWO_PARTS,
            &ADYEN[..60],
            "AQE",
            "=-",
            &square,
            SQUARE,
            "EAAA",
            "E",
            "k=",
            "\"",
        ];
        redacted_once_for_all(&pieces, 0xad, &adyen, "7RP9gJsHuoe");
        redacted_once_for_all(&pieces, 0x5a, &square, "FPvMRQEoXqzIcnP8");
        let paypal = format!(" {}", PAYPAL.replace("pS6dM9gB1", "qT7eN0hC2"));
        redacted_once_for_all(
            &[
                &paypal,
                PAYPAL,
                &PAYPAL[..40],
                "A21AA",
                "A",
                "-",
                "_",
                "=",
                "cvv",
            ],
            0x21aa,
            &paypal,
            "qT7eN0hC2",
        );
    }
}
