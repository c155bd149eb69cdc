//! URLs that are credentials by themselves: incoming webhooks and bot APIs, whose path holds
//! the secret.
//!
//! Whoever holds a Slack, Discord, Microsoft Teams or Zapier incoming-webhook URL can post
//! through it; whoever holds a Telegram bot's API URL controls the bot. Alerting functions
//! log these URLs with the request that failed (`POST https://hooks.slack.com/services/… →
//! 404`), and no name before them says they are secret: their host does. For each such host
//! the path's secret part is found ([`path_secret`]); the scheme, the host and the ids before
//! the secret stay, so a reader still sees which webhook failed.
//!
//! Rust code also logs a URL as `url::Url`'s `Debug` writes it — reqwest's errors and
//! requests hold one, and `tracing`'s `?url` writes it so: `host: Some(Domain("hooks.slack.com")),
//! port: None, path: "/services/…"`. There the host is found before the path's name
//! ([`debug_path_secret`]).
//!
//! A path is read no further than [`PATH_REACH`] bytes: a longer one is no webhook's, and a
//! line of many URLs is read once, not once per URL.

use super::byte_class;
use super::text::is_marker_at;

/// Which part of a path is the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Secret {
    /// Its last segment, a trailing `/` aside (`/services/T…/B…/<secret>`, Slack;
    /// `/hooks/catch/<account>/<secret>/`, Zapier).
    LastSegment,
    /// The segment after the webhook's id (`/api/webhooks/<id>/<secret>`, Discord).
    AfterWebhookId,
    /// A bot token's part after its `:` (`/bot<id>:<secret>/sendMessage`, Telegram).
    BotToken,
    /// All of it after a first segment `webhook…` (`/webhookb2/<…>`, Microsoft Teams).
    AfterWebhookSegment,
}

/// Hosts whose URLs carry a secret in their path (lowercase), and where it is.
const HOSTS: [(&[u8], Secret); 10] = [
    (b"hooks.slack.com", Secret::LastSegment),
    (b"hooks.zapier.com", Secret::LastSegment),
    (b"discord.com", Secret::AfterWebhookId),
    (b"discordapp.com", Secret::AfterWebhookId),
    (b"ptb.discord.com", Secret::AfterWebhookId),
    (b"canary.discord.com", Secret::AfterWebhookId),
    (b"api.telegram.org", Secret::BotToken),
    (b"outlook.office.com", Secret::AfterWebhookSegment),
    (b"outlook.office365.com", Secret::AfterWebhookSegment),
    // A tenant's own host ends in it: `contoso.webhook.office.com`.
    (b".webhook.office.com", Secret::AfterWebhookSegment),
];

/// The most bytes of a path read.
pub(crate) const PATH_REACH: usize = 512;

/// Where a host's rule applies: the whole host, or its end for a name starting with `.`.
fn rule_of(host: &[u8]) -> Option<Secret> {
    HOSTS.iter().find_map(|&(name, secret)| {
        let matches = if name[0] == b'.' {
            host.len() > name.len() && host[host.len() - name.len()..].eq_ignore_ascii_case(name)
        } else {
            host.eq_ignore_ascii_case(name)
        };
        matches.then_some(secret)
    })
}

/// A URL's authority (RFC 3986 3.2: `user:password@host:port`), read once: where it ends,
/// and where its user-info and its host are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Authority {
    /// Where it starts (after `://`).
    pub(crate) start: usize,
    /// Where it ends: at the first byte that cannot be in one (`/`, `?`, a blank, a quote…).
    pub(crate) end: usize,
    /// Its last `@`, which ends the user-info.
    at: Option<usize>,
    /// Its first `:`: between the user and the password when it comes before `at`.
    first_colon: Option<usize>,
    /// The first `:` after `at` (or in all of it, when there is none): before the port.
    port_colon: Option<usize>,
}

impl Authority {
    /// The authority starting at `bytes[start..]`.
    pub(crate) fn read(bytes: &[u8], start: usize) -> Self {
        let mut authority = Authority {
            start,
            end: start,
            at: None,
            first_colon: None,
            port_colon: None,
        };
        for (k, &b) in bytes.iter().enumerate().skip(start) {
            if !byte_class::is(b, byte_class::AUTHORITY) {
                break;
            }
            authority.end = k + 1;
            if b == b'@' {
                authority.at = Some(k);
                authority.port_colon = None;
            } else if b == b':' {
                authority.first_colon = authority.first_colon.or(Some(k));
                authority.port_colon = authority.port_colon.or(Some(k));
            }
        }
        authority
    }

    /// The password of its user-info (`user:password@`): its byte range, if not empty.
    pub(crate) fn password(&self) -> Option<(usize, usize)> {
        let at = self.at?;
        let colon = self.first_colon.filter(|&colon| colon < at)?;
        (colon + 1 < at).then_some((colon + 1, at))
    }

    /// Where its user-info ends: its last `@`, if it has one.
    pub(crate) fn user_info_end(&self) -> Option<usize> {
        self.at
    }

    /// Its host: after the user-info, before the port.
    fn host<'b>(&self, bytes: &'b [u8]) -> &'b [u8] {
        let from = self.at.map_or(self.start, |at| at + 1);
        &bytes[from..self.port_colon.unwrap_or(self.end)]
    }
}

/// The secret in the path of a URL whose `authority` is followed by its path: its byte range,
/// or `None` when the host is no webhook's, the path holds no secret where the host keeps
/// one, or the path is longer than [`PATH_REACH`].
///
/// A path ends at a byte that is neither `/` nor a segment's (RFC 3986's unreserved, `%`,
/// `:`, `@`, `+`, `=`, `*`): `?`, `#`, a blank, a quote, a bracket; a full stop at its end is
/// the sentence's. One ending at a marker Lift wrote (`[REDACTED]`) is left as it is, so a
/// second pass reads what the first one left.
pub(crate) fn path_secret(bytes: &[u8], authority: &Authority) -> Option<(usize, usize)> {
    secret_after_host(bytes, authority.host(bytes), authority.end)
}

/// The secret in a URL's path starting at `bytes[path_start..]`, its host `host`.
fn secret_after_host(bytes: &[u8], host: &[u8], path_start: usize) -> Option<(usize, usize)> {
    let rule = rule_of(host)?;
    let path = Path::read(bytes, path_start)?;
    match rule {
        Secret::LastSegment => path.last_segment(),
        Secret::AfterWebhookId => {
            let mut segments = path.segments();
            segments.find(|&(s, e)| &bytes[s..e] == b"webhooks")?;
            segments.next().filter(|&(s, e)| e > s)?;
            segments.next().filter(|&(s, e)| e > s)
        }
        Secret::BotToken => {
            let mut segments = path.segments();
            let (mut s, mut e) = segments.next()?;
            if &bytes[s..e] == b"file" {
                (s, e) = segments.next()?;
            }
            let token = &bytes[s..e];
            let colon = token.iter().position(|&b| b == b':')?;
            (token.starts_with(b"bot") && colon + 1 < token.len()).then_some((s + colon + 1, e))
        }
        Secret::AfterWebhookSegment => {
            let mut segments = path.segments();
            let (s, e) = segments.next()?;
            let (rest, _) = segments.next().filter(|&(s, e)| e > s)?;
            bytes[s..e]
                .starts_with(b"webhook")
                .then_some((rest, path.end))
        }
    }
}

/// How far before a `path:` a `Url`'s `Debug` host is looked for (its port stands between).
const DEBUG_HOST_REACH: usize = 128;

/// The secret in a URL's path as `url::Url`'s `Debug` writes it (`host: Some(Domain("…")),
/// port: None, path: "/…"`), the `:` after `path` at `colon`: its byte range, as
/// [`path_secret`] finds it for the host written before, within [`DEBUG_HOST_REACH`] bytes
/// and never before `floor`. In JSON-escaped text its quotes are `\"`.
pub(crate) fn debug_path_secret(
    bytes: &[u8],
    floor: usize,
    colon: usize,
) -> Option<(usize, usize)> {
    let path_start = match bytes.get(colon + 1..colon + 4)? {
        [b' ', b'"', _] => colon + 3,
        [b' ', b'\\', b'"'] => colon + 4,
        _ => return None,
    };
    let from = floor.max(colon.saturating_sub(DEBUG_HOST_REACH));
    let before = after_replacements(&bytes[from..colon]);
    const DOMAIN: &[u8] = b"host: Some(Domain(";
    let open = before.windows(DOMAIN.len()).rposition(|w| w == DOMAIN)? + DOMAIN.len();
    let host = before[open..]
        .strip_prefix(b"\\\"")
        .or_else(|| before[open..].strip_prefix(b"\""))?;
    let len = host.iter().position(|&b| matches!(b, b'"' | b'\\'))?;
    secret_after_host(bytes, &host[..len], path_start)
}

/// `before` from after the last thing an earlier pass replaced there — a marker
/// (`[REDACTED]`) or a masked digit —: a pass looks back no further than its floor, the end
/// of what it replaced, so a second pass looks back no further than the first did (and where
/// a masked card stopped it only, the first pass had found what there was to find).
fn after_replacements(before: &[u8]) -> &[u8] {
    let replaced = before.iter().enumerate().rev().find(|&(at, &b)| {
        b == super::card::MASK_CHAR as u8
            || b == b']' && super::text::ends_with_marker(&before[..=at])
    });
    replaced.map_or(before, |(at, _)| &before[at + 1..])
}

/// A URL's path: `bytes[start..end]`, starting with `/` — or with `\/`, its slashes escaped
/// as PHP's `json_encode` writes them (`\/services\/T…`).
struct Path<'b> {
    bytes: &'b [u8],
    start: usize,
    end: usize,
    /// What separates its segments: `/` or `\/`.
    slash: &'static [u8],
}

impl<'b> Path<'b> {
    /// The path at `bytes[start..]`, if one starts there, no longer than [`PATH_REACH`] and
    /// not ending at a marker.
    fn read(bytes: &'b [u8], start: usize) -> Option<Path<'b>> {
        let slash: &'static [u8] = match bytes.get(start..start + 2)? {
            [b'/', _] => b"/",
            br"\/" => br"\/",
            _ => return None,
        };
        let reach = bytes.len().min(start + PATH_REACH + 1);
        // Another URL's `://` ends it: each URL's path is its own, so no two URLs find the
        // same secret.
        let mut end = start;
        while end < reach {
            let rest = &bytes[end..];
            if rest.starts_with(slash) {
                end += slash.len();
            } else if !byte_class::is(rest[0], byte_class::SEGMENT)
                || rest[0] == b':'
                    && rest[1..].starts_with(slash)
                    && rest[1 + slash.len()..].starts_with(slash)
            {
                break;
            } else {
                end += 1;
            }
        }
        let end_at_reach = end > start + PATH_REACH;
        let mut end = end.min(reach);
        if end_at_reach || is_marker_at(&bytes[end..]) {
            return None;
        }
        // A sentence's full stop after the URL is not part of it.
        while bytes[end - 1] == b'.' {
            end -= 1;
        }
        Some(Path {
            bytes,
            start,
            end,
            slash,
        })
    }

    /// Each segment's range, first to last (empty ones too).
    fn segments(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let mut at = self.start;
        std::iter::from_fn(move || {
            if at >= self.end {
                return None;
            }
            let from = (at + self.slash.len()).min(self.end);
            let len = self.bytes[from..self.end]
                .windows(self.slash.len())
                .position(|w| w == self.slash)
                .unwrap_or(self.end - from);
            at = from + len;
            Some((from, from + len))
        })
    }

    /// The last segment, or the one before a trailing `/`; `None` if it is the first (the
    /// path holds no more than the webhook's kind) or empty.
    fn last_segment(&self) -> Option<(usize, usize)> {
        let mut segments = self.segments().filter(|&(s, e)| e > s);
        let first = segments.next()?;
        let last = segments.last()?;
        (last != first).then_some(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The secret `path_secret` finds in `url`, as text.
    fn secret_of(url: &str) -> Option<&str> {
        let bytes = url.as_bytes();
        let authority = Authority::read(bytes, url.find("://").unwrap() + 3);
        path_secret(bytes, &authority).map(|(s, e)| &url[s..e])
    }

    #[test]
    fn an_authority_s_password_and_host_are_read_in_one_pass() {
        for (url, password, host) in [
            ("https://u:p@h.example:443/x", Some("p"), "h.example"),
            ("https://hooks.slack.com/services", None, "hooks.slack.com"),
            ("https://hooks.slack.com:8443/x", None, "hooks.slack.com"),
            // The last `@` ends the user-info; its first `:` starts the password.
            ("postgres://app:p@ss:w@db:5432/x", Some("p@ss:w"), "db"),
            ("https://u:@h", None, "h"),
            ("https://user@h:1", None, "h"),
            ("s3:// x", None, ""),
        ] {
            let bytes = url.as_bytes();
            let authority = Authority::read(bytes, url.find("://").unwrap() + 3);
            assert_eq!(
                authority.password().map(|(s, e)| &url[s..e]),
                password,
                "{url}"
            );
            assert_eq!(authority.host(bytes), host.as_bytes(), "{url}");
        }
    }

    #[test]
    fn each_webhook_s_secret_is_found_where_its_host_keeps_it() {
        for (url, expected) in [
            (
                "https://hooks.slack.com/services/T0A1B2C3D/B0A1B2C3D/abcDEF123ghiJKL456mnoPQR7",
                Some("abcDEF123ghiJKL456mnoPQR7"),
            ),
            (
                "https://hooks.slack.com/workflows/T0A1/A0B2/412345/s3cr3tWorkflowKey?x=1",
                Some("s3cr3tWorkflowKey"),
            ),
            (
                "https://HOOKS.SLACK.COM:443/triggers/T0A1/412/sEcReT#frag",
                Some("sEcReT"),
            ),
            (
                "https://hooks.zapier.com/hooks/catch/1234567/abcd3f9/ sent",
                Some("abcd3f9"),
            ),
            (
                "https://discord.com/api/webhooks/1234567890123456789/AbC-dEf_GhIj0123",
                Some("AbC-dEf_GhIj0123"),
            ),
            (
                "https://canary.discord.com/api/v10/webhooks/123/tok-EN_x/messages/9",
                Some("tok-EN_x"),
            ),
            (
                "https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage",
                Some("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"),
            ),
            (
                "https://api.telegram.org/file/bot123:AAH-x_y/photos/file_1.jpg",
                Some("AAH-x_y"),
            ),
            (
                "https://contoso.webhook.office.com/webhookb2/1f0e-aa@72f9-bb/IncomingWebhook/0123abcd/9c1b-cc.",
                Some("1f0e-aa@72f9-bb/IncomingWebhook/0123abcd/9c1b-cc"),
            ),
            (
                "https://outlook.office.com/webhook/1f0e@72f9/IncomingWebhook/0a/9c",
                Some("1f0e@72f9/IncomingWebhook/0a/9c"),
            ),
            // User-info before the host: the host is after it.
            ("https://u@hooks.slack.com/services/T/B/k3y", Some("k3y")),
        ] {
            assert_eq!(secret_of(url), expected, "{url}");
        }
    }

    #[test]
    fn other_hosts_and_paths_without_a_secret_are_left() {
        for url in [
            "https://slack.com/api/chat.postMessage",
            "https://hooks.slack.com/services",
            "https://hooks.slack.com/",
            "https://hooks.slack.com",
            "https://discord.com/channels/123/456",
            "https://discord.com/api/webhooks/123",
            "https://api.telegram.org/",
            "https://api.telegram.org/getMe",
            "https://api.telegram.org/bot123/getMe",
            "https://outlook.office.com/mail/inbox/id/AAQ",
            "https://webhook.office.com/webhookb2/x",
            "https://example.com/services/T/B/xyz",
            "https://evilhooks.slack.com.example/services/T/B/xyz",
            // Another URL's `://` ends a path.
            "https://discord.com/x/://discord.com/api/webhooks",
            // What a first pass wrote.
            "https://hooks.slack.com/services/T/B/[REDACTED]",
            "https://discord.com/api/webhooks/123/[REDACTED]",
            "https://api.telegram.org/bot123:[REDACTED]/sendMessage",
            "https://contoso.webhook.office.com/webhookb2/[REDACTED]",
            "https://hooks.zapier.com/hooks/catch/1/[REDACTED]/",
        ] {
            assert_eq!(secret_of(url), None, "{url}");
        }
    }

    #[test]
    fn a_url_s_debug_keeps_its_webhook_secret_no_more() {
        fn secret_in(text: &str) -> Option<&str> {
            let colon = text.find("path:").unwrap() + 4;
            debug_path_secret(text.as_bytes(), 0, colon).map(|(s, e)| &text[s..e])
        }
        let debug = r#"Url { scheme: "https", cannot_be_a_base: false, username: "", password: None, host: Some(Domain("hooks.slack.com")), port: None, path: "/services/T0/B0/abc123", query: None, fragment: None }"#;
        assert_eq!(secret_in(debug), Some("abc123"));
        let escaped = r#"{"error":"Url { host: Some(Domain(\"discord.com\")), port: None, path: \"/api/webhooks/1/tok\", query: None }"}"#;
        assert_eq!(secret_in(escaped), Some("tok"));
        for other in [
            // Fuzzer: a second pass looked back past what the first had replaced.
            r#"host: Some(Domain("hooks.slack.com"[REDACTED][path: "/r/-""#,
            r#"host: Some(Domain("hooks.slack.com")), port: 411111******1111, path: "/s/T/x""#,
            r#"host: Some(Domain("api.stripe.com")), port: None, path: "/v1/charges/ch_1/x""#,
            r#"host: Some(Ipv4(10.0.0.1)), port: Some(443), path: "/services/T/B/x""#,
            r#"path: "/services/T/B/x""#,
            r#"host: Some(Domain("hooks.slack.com")), port: None, path: None"#,
        ] {
            assert_eq!(secret_in(other), None, "{other}");
        }
    }

    #[test]
    fn a_path_longer_than_the_reach_is_not_read() {
        let long = format!(
            "https://hooks.slack.com/services/T/B/{}",
            "k".repeat(PATH_REACH)
        );
        assert_eq!(secret_of(&long), None);
        let within = format!("https://hooks.slack.com/services/T/B/{}", "k".repeat(100));
        assert_eq!(secret_of(&within).map(str::len), Some(100));
    }
}
