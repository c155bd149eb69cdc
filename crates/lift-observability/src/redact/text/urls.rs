//! A URL's secrets after its `://` (its slashes escaped or not): the password of its
//! user-info (`scheme://user:password@host`), a user that is a token
//! (`https://ghp_…@github.com`, as `git clone` takes it; with its password when it has one,
//! `https://<token>:x-oauth-basic@github.com`), a webhook's secret in its path
//! ([`webhooks`]) — and whether a name before a `:` is such a URL's user, whose value is
//! then the URL's password, ending at the `@`.

use super::names::is_marker_at;
use super::prefixed_keys::prefixed_token;
use super::{Finding, secret};
use crate::redact::Counts;
use crate::redact::webhooks;

/// `//` escaped in JSON text, as PHP's `json_encode` writes it.
pub(super) const ESCAPED_SLASHES: &[u8] = br"\/\/";

/// A URL's secret, the `:` of its `://` at `colon` (`separator_len` bytes long with the
/// slashes, escaped or not): the password of `scheme://user:password@host`, or a webhook's
/// secret in its path ([`webhooks::path_secret`]).
pub(super) fn url_secret(
    bytes: &[u8],
    colon: usize,
    separator_len: usize,
    counts: &Counts,
) -> Option<Finding> {
    let authority = webhooks::Authority::read(bytes, colon + separator_len);
    let (start, end) = match authority.password() {
        // A token as the user goes with its password (GitHub's
        // `https://<token>:x-oauth-basic@github.com/…`): `ghp_[REDACTED]@github.com`.
        Some((from, to)) => (
            token_body(bytes, authority.start, from - 1).unwrap_or(from),
            to,
        ),
        None => {
            token_user(bytes, &authority).or_else(|| webhooks::path_secret(bytes, &authority))?
        }
    };
    Some(secret(start, end, counts))
}

/// Fewest bytes of a user with no prefix taken for a token: 32 or more letters and digits,
/// a digit among them (an Azure DevOps personal access token holds 52, a Sentry DSN's key
/// 32) — no person's or service's name is that.
const BARE_TOKEN_USER: usize = 32;

/// A URL's user that is a token, with no password after it or an empty one
/// (`https://ghp_…@github.com/…`, `https://<token>@dev.azure.com/…`, as `git clone` takes
/// them): the range of its body, after a known prefix ([`prefixed_token`]).
fn token_user(bytes: &[u8], authority: &webhooks::Authority) -> Option<(usize, usize)> {
    // Ended by a marker, the authority is what a pass left of a longer one (a marker ends
    // an authority): its `@` may not be the one that ended the user the first pass read.
    if is_marker_at(&bytes[authority.end..]) {
        return None;
    }
    let at = authority.user_info_end()?;
    // An empty password after it (`https://<token>:@host`) is no password.
    let end = at - usize::from(at > authority.start && bytes[at - 1] == b':');
    if bytes[authority.start..end].contains(&b':') {
        return None;
    }
    Some((token_body(bytes, authority.start, end)?, end))
}

/// Where the body starts of a URL's user `bytes[start..end]` that is a token: after its
/// known prefix ([`prefixed_token`]), or at its start when it has none and is
/// [`BARE_TOKEN_USER`] letters and digits or more, a digit among them.
fn token_body(bytes: &[u8], start: usize, end: usize) -> Option<usize> {
    if let Some((body_start, token_end)) = prefixed_token(bytes, start) {
        return (token_end == end).then_some(body_start);
    }
    let user = &bytes[start..end];
    (user.len() >= BARE_TOKEN_USER
        && user.iter().all(u8::is_ascii_alphanumeric)
        && user.iter().any(u8::is_ascii_digit))
    .then_some(start)
}

/// Whether the name starting at `start` before the `:` at `colon` is the user of a URL's
/// user-info, whose password [`url_secret`] found at the scheme's `:`: right after a `://`
/// (its slashes escaped or not, as [`url_secret`] reads them) whose `:` is not before
/// `written` (text a finding replaced: its anchors were passed over), with an `@` later in
/// the authority — and no webhook's secret in the path, which [`url_secret`], finding the
/// password, would leave (the name's value then runs on over both, as any secret's does).
#[cold]
pub(super) fn is_url_user(bytes: &[u8], start: usize, colon: usize, written: usize) -> bool {
    let scheme_end = &bytes[..start];
    let after_scheme = [&b"//"[..], ESCAPED_SLASHES].iter().any(|slashes| {
        scheme_end
            .strip_suffix(*slashes)
            .is_some_and(|s| s.last() == Some(&b':') && s.len() > written)
    });
    if !after_scheme {
        return false;
    }
    let authority = webhooks::Authority::read(bytes, start);
    authority.user_info_end() > Some(colon) && webhooks::path_secret(bytes, &authority).is_none()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{assert_redacted, redact};

    #[test]
    fn a_url_with_its_slashes_escaped_keeps_no_secret() {
        // PHP's `json_encode` writes `/` as `\/`: a URL's `://` was not found, nor a
        // webhook's path.
        assert_redacted(&[
            (
                r#"{"dsn":"https:\/\/admin:hunter2@db.example.com\/x"}"#,
                r#"{"dsn":"https:\/\/admin:[REDACTED]@db.example.com\/x"}"#,
            ),
            (
                r#"{"u":"https:\/\/hooks.slack.com\/services\/T0\/B0\/abcSecret9."}"#,
                r#"{"u":"https:\/\/hooks.slack.com\/services\/T0\/B0\/[REDACTED]."}"#,
            ),
            (
                r#""https:\/\/discord.com\/api\/webhooks\/123\/tok_9\/""#,
                r#""https:\/\/discord.com\/api\/webhooks\/123\/[REDACTED]\/""#,
            ),
            (
                r#""https:\/\/api.telegram.org\/bot12:AAHsecret\/sendMessage""#,
                r#""https:\/\/api.telegram.org\/bot12:[REDACTED]\/sendMessage""#,
            ),
            // Each URL's path is its own.
            (
                r#""https:\/\/hooks.slack.com\/services\/T0\/B0\/s1 https:\/\/x\/y""#,
                r#""https:\/\/hooks.slack.com\/services\/T0\/B0\/[REDACTED] https:\/\/x\/y""#,
            ),
            (
                r#"https:\/\/hooks.slack.com\/services\/T0\/B0https:\/\/x\/y"#,
                r#"https:\/\/hooks.slack.com\/services\/T0\/[REDACTED]:\/\/x\/y"#,
            ),
            // Other escapes end the path; a single escaped slash is no URL's.
            (r#"a:\/b"#, r#"a:\/b"#),
        ]);
    }

    #[test]
    fn a_url_user_that_is_a_token_is_redacted() {
        // `git clone https://<token>@github.com/…`: no password, the user is the secret.
        let pat = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";
        let azure = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst";
        assert_redacted(&[
            (
                &format!("cloning https://ghp_{pat}@github.com/org/repo.git"),
                "cloning https://ghp_[REDACTED]@github.com/org/repo.git",
            ),
            (
                "https://github_pat_11ABCDEFG0123456789_abcdefXYZ@github.com/o/r",
                "https://github_pat_[REDACTED]@github.com/o/r",
            ),
            (
                "https://glpat-AbCdEfGh12345678-xyz@gitlab.com/o/r.git",
                "https://glpat-[REDACTED]@gitlab.com/o/r.git",
            ),
            (
                &format!("https://{azure}@dev.azure.com/org/_git/repo"),
                "https://[REDACTED]@dev.azure.com/org/_git/repo",
            ),
            (
                r#"{"u":"https:\/\/ghp_AbCdEfGhIjKlMnOpQr@github.com\/o"}"#,
                r#"{"u":"https:\/\/ghp_[REDACTED]@github.com\/o"}"#,
            ),
            // Fuzzer: a user-info whose password holds an `@` (`user@:password@host`) keeps
            // its user; a second pass, the password a marker that ends the authority, read
            // the user before the first `@` as a token. (A prefix ending in `_` or `-` is a
            // token wherever it stands.)
            (
                "s://glpat-ub_DDDDDDDDDDDDD@:=KEY@host",
                "s://glpat-[REDACTED]@:[REDACTED]@host",
            ),
            (
                "s://ghr_ub_DDDDDDDDDDDDD@:=KEY@host",
                "s://ghr_[REDACTED]@:[REDACTED]@host",
            ),
            // With a password after it (GitHub's `<token>:x-oauth-basic`), the token goes
            // with the password.
            (
                &format!("https://ghp_{pat}:x-oauth-basic@github.com/o/r.git"),
                "https://ghp_[REDACTED]@github.com/o/r.git",
            ),
            (
                &format!("https://{azure}:x@dev.azure.com/o"),
                "https://[REDACTED]@dev.azure.com/o",
            ),
            // An empty password is none: the token alone goes.
            (
                &format!("https://ghp_{pat}:@github.com/o"),
                "https://ghp_[REDACTED]:@github.com/o",
            ),
            ("https://bob:pw@host/x", "https://bob:[REDACTED]@host/x"),
            // Users that are names, and prefixes with too short a body, stay.
            (
                "https://jane.doe@example.com/x",
                "https://jane.doe@example.com/x",
            ),
            (
                "ssh://git@github.com/org/repo.git",
                "ssh://git@github.com/org/repo.git",
            ),
            (
                "https://ghp_short@github.com",
                "https://ghp_short@github.com",
            ),
            (
                "https://build-bot-service-account-2026@ci.example.com/",
                "https://build-bot-service-account-2026@ci.example.com/",
            ),
            (
                "https://abcdefghijklmnopqrstuvwxyzabcdefgh@example.com/",
                "https://abcdefghijklmnopqrstuvwxyzabcdefgh@example.com/",
            ),
        ]);
    }

    #[test]
    fn a_url_user_named_like_a_secret_loses_its_password_only() {
        // GitHub's `https://x-access-token:<token>@github.com/…`: the name before the `:` is
        // a secret's, but the value is the URL's password, which ends at the `@` — the host
        // and path stay (they were taken with it, and the password written over twice).
        assert_redacted(&[
            (
                "clone https://x-access-token:ghs_AbCd0123@github.com/org/repo.git ok",
                "clone https://x-access-token:[REDACTED]@github.com/org/repo.git ok",
            ),
            (
                "https://token:abc@github.com/org/repo.git",
                "https://token:[REDACTED]@github.com/org/repo.git",
            ),
            (
                "postgres://password:pw@db:5432/app",
                "postgres://password:[REDACTED]@db:5432/app",
            ),
            (
                r#"{"u":"https:\/\/apikey:k9@api.example.com\/v1"}"#,
                r#"{"u":"https:\/\/apikey:[REDACTED]@api.example.com\/v1"}"#,
            ),
            // An empty password: nothing to hide, the host stays.
            ("https://token:@github.com/x", "https://token:@github.com/x"),
            // No `@`: no user-info, the name's value as before.
            ("redis://password:hunter2", "redis://password:[REDACTED]"),
            // A webhook's secret in the path: the value runs on over it, as before.
            (
                "https://token:abc@hooks.slack.com/services/T0/B0/s3cret ok",
                "https://token:[REDACTED][REDACTED] ok",
            ),
            // Fuzzer: the scheme's `:` inside what a finding replaced was never looked at,
            // so no password was found there; the name's value is then redacted as any
            // secret's (a second pass, seeing no scheme, did).
            (
                r"token => x:\/\/auth:pw@host",
                r"token => [REDACTED]\/\/auth:[REDACTED]",
            ),
            // Fuzzer: an `=` in the user is no user-info's separator. Its value runs on, as
            // before: taken for the user's, a second pass (the password a marker, which
            // ends an authority) found no `@` and removed what the first had kept.
            ("https://ocvv=jj1vv:pw@host/x", "https://ocvv=[REMOVED]"),
        ]);
    }

    #[test]
    fn urls_in_a_row_find_each_their_own_webhook_secret() {
        // Fuzzer: each URL's path ran on through the next ones, so each found the last
        // one's secret — more findings than can be held, and the anchors between them
        // (`AccountKey=`) passed over on the first pass only.
        let text = format!("{}AccountKey=/webhooks/m/a", "://discord.com/".repeat(5));
        let once = redact(&text);
        assert_eq!(
            once,
            format!("{}AccountKey=[REDACTED]", "://discord.com/".repeat(5))
        );
        assert_eq!(redact(&once), once);
        // Fuzzer: a card number in a path that a `[` ended (no marker) was masked on the
        // first pass, and its mask ended the path on the second.
        let once = redact("://hooks.slack.com/e/4111111111111111[");
        assert_eq!(once, "://hooks.slack.com/e/[REDACTED][");
        assert_eq!(redact(&once), once);
        let once = redact("://hooks.slack.com/services/T/4111111111111111/abc");
        assert_eq!(
            once,
            "://hooks.slack.com/services/T/411111******1111/[REDACTED]"
        );
        assert_eq!(redact(&once), once);
        assert_eq!(
            redact("https://discord.com/api/webhooks/1/a https://hooks.slack.com/services/T/B/b"),
            "https://discord.com/api/webhooks/1/[REDACTED] https://hooks.slack.com/services/T/B/[REDACTED]"
        );
    }
}
