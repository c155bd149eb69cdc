//! An OAuth authorization code in a query string or a form (RFC 6749 section 4.1): the
//! `code` a provider sends back to the client's redirect URI (`GET /callback?code=…&state=…`,
//! as an access log or a request's line writes it) and the client then trades for tokens
//! (`grant_type=authorization_code&code=…`, the token request's form). Whoever holds it
//! before the client does may take the grant (with PKCE, also the verifier, itself a
//! secret's name). `code` alone names too much — an error's, a country's, a currency's —
//! so only a parameter of a query or a form (after `?` or `&`) is read, and only a value
//! that reads as a grant's: 16 bytes or more of a URL's unreserved characters, `/` and
//! percent escapes (Google's `4/0AX4…`, GitHub's 20 hex digits, Cognito's UUID), holding a
//! letter and a digit — not a decline code (`card_declined`) nor a number (`404`).

use super::{Finding, secret};
use crate::redact::{Counts, jwk};

/// Fewest bytes of a value taken for an authorization code (providers' are 20 and more).
const SHORTEST_CODE: usize = 16;

/// Whether `b` may be part of an authorization code: a URL's unreserved characters (the
/// URL-safe base64 alphabet's, `.` and `~`), `/` (Google's `4/0AX4…`) and a percent
/// escape's `%` (`4%2F0AX4…`).
fn in_code(b: u8) -> bool {
    jwk::is_base64url(b) || matches!(b, b'.' | b'~' | b'/' | b'%')
}

/// At a `=` at `at` after a name starting at `name_start` and ending at `at`: the value
/// when the name is `code` (any case), a parameter of a query or a form (after `?` or `&`,
/// nowhere before `floor`), and the value reads as an authorization code.
#[cold]
pub(super) fn authorization_code(
    bytes: &[u8],
    name_start: usize,
    at: usize,
    floor: usize,
    counts: &Counts,
) -> Option<Finding> {
    if name_start <= floor
        || !matches!(bytes[name_start - 1], b'?' | b'&')
        || !bytes[name_start..at].eq_ignore_ascii_case(b"code")
    {
        return None;
    }
    let start = at + 1;
    let value = bytes[start..].iter().take_while(|&&b| in_code(b)).count();
    let code = &bytes[start..start + value];
    (value >= SHORTEST_CODE
        && code.iter().any(u8::is_ascii_digit)
        && code.iter().any(u8::is_ascii_alphabetic))
    .then(|| secret(start, start + value, counts))
}

#[cfg(test)]
mod tests {
    use crate::redact::Redactor;

    fn redact(text: &str) -> String {
        Redactor::new().redact_line(text).into_owned()
    }

    #[test]
    fn an_authorization_code_in_a_query_or_a_form_goes() {
        // Each was written in clear before: `code` is no secret's name.
        for (text, want) in [
            (
                "GET /callback?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz 302",
                "GET /callback?code=[REDACTED]&state=xyz 302",
            ),
            (
                "grant_type=authorization_code&code=4/0AX4XfWhAb3kD9fL2mQ8xZ7pR4tY&redirect_uri=x",
                "grant_type=authorization_code&code=[REDACTED]&redirect_uri=x",
            ),
            (
                "https://app.example.com/cb?state=af0&code=5f1b0e4c-9a1d-4b7e-8c3f-2d6e7a8b9c0d",
                "https://app.example.com/cb?state=af0&code=[REDACTED]",
            ),
            (
                "redirect to /oauth?CODE=4%2F0AX4XfWhAb3kD9fL2mQ8 done",
                "redirect to /oauth?CODE=[REDACTED] done",
            ),
            (
                r#"{"path":"/cb?code=3584d83530557fdd1f46&state=s"}"#,
                r#"{"path":"/cb?code=[REDACTED]&state=s"}"#,
            ),
        ] {
            assert_eq!(redact(text), want, "{text}");
            // A second pass finds nothing more.
            assert_eq!(redact(want), want, "{want}");
        }
    }

    #[test]
    fn other_codes_stay() {
        for text in [
            // Decline and error codes, numbers, short codes, no parameter of a query.
            "/pay?code=card_declined&x=1",
            "/pay?code=insufficient_funds_and_more",
            "/r?code=404&message=Not%20Found",
            "/p?code=SAVE20NOW",
            "code=SplxlOBeZQQYbYS6WxSbIA",
            "status code=5f1b0e4c9a1d4b7e8c3f",
            "/p?promo_code=ab12cd34ef56gh78ij",
            "/p?error_code=ERR-2026-12-06-0001-x",
        ] {
            assert_eq!(redact(text), text);
        }
    }
}
