//! RFC 9530 `Content-Digest`: what a signature covering it says about the body.
//!
//! [`content_digest`] writes `sha-256=:…:`; [`verify_content_digest`] checks a received
//! field against the body actually received — every `sha-256` and `sha-512` member must
//! match (compared in constant time), and at least one must be there.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256, Sha512};

use crate::error::SignatureError;
use crate::sfv::{self, Item, Member, Value};

/// The `Content-Digest` value for `body`: `sha-256=:<base64>:`.
pub fn content_digest(body: &[u8]) -> String {
    let mut field = String::with_capacity(54);
    field.push_str("sha-256=:");
    STANDARD.encode_string(Sha256::digest(body), &mut field);
    field.push(':');
    field
}

/// Whether `a` and `b` are equal, in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks a `Content-Digest` field against `body`.
pub fn verify_content_digest(field: &str, body: &[u8]) -> Result<(), SignatureError> {
    let mut checked = 0;
    sfv::read_dictionary(field, |algorithm, member| {
        let Member::Item(Item {
            bare: Value::Bytes(expected),
            ..
        }) = member
        else {
            return Err(SignatureError::Malformed(
                "a Content-Digest member is not a byte sequence",
            ));
        };
        let mut buf = [0u8; 64];
        let expected = expected.decode_into(&mut buf).unwrap_or_default();
        let matches = match algorithm {
            "sha-256" => constant_time_eq(&Sha256::digest(body), expected),
            "sha-512" => constant_time_eq(&Sha512::digest(body), expected),
            _ => return Ok(()), // an algorithm Lift does not know proves nothing
        };
        if !matches {
            return Err(SignatureError::DigestMismatch);
        }
        checked += 1;
        Ok(())
    })
    .map_err(|_| SignatureError::Malformed("Content-Digest is not a dictionary"))??;
    if checked == 0 {
        return Err(SignatureError::Malformed(
            "Content-Digest has no sha-256 or sha-512 member",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_9530_and_rfc_9421_examples() {
        // RFC 9530 §2: the body with its final newline.
        assert_eq!(
            content_digest(b"{\"hello\": \"world\"}\n"),
            "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:"
        );
        // RFC 9421's test request body (18 bytes).
        let body = b"{\"hello\": \"world\"}";
        assert_eq!(
            content_digest(body),
            "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
        );
        verify_content_digest(
            "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
            body,
        )
        .unwrap();
        assert_eq!(
            verify_content_digest(&content_digest(body), b"{\"hello\": \"world!\"}"),
            Err(SignatureError::DigestMismatch)
        );
        assert!(verify_content_digest("md5=:AAAA:", body).is_err());
        assert!(verify_content_digest("sha-256=abc", body).is_err());
    }
}
