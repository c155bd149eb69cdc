//! Command lines: curl's and wget's user flag (`-u user:password`, the key alone before an
//! empty password) and a long flag's value after a blank (`--password hunter2`), as a shell
//! line, `Command`'s `Debug` and a list of arguments write them.

use super::names::{is_marker, is_marker_at, is_name_byte, marker_for};
use super::output::Output;
use super::prefixed_keys::{is_redacted_token_at, prefixed_token};
use super::value_ends::{escaped_string_end, line_end, string_end_on_line};
use super::values::value_finding;
use super::{Finding, secret};
use crate::redact::card;
use crate::redact::{Counts, Redactor};

/// Whether the text before a user's name ends with a user flag and its blank or `=`
/// (`-u user:password`, `--user=user:password`, and as `Command`'s `Debug` quotes them:
/// `"-u" "user:password"`).
#[inline]
fn after_user_flag(before: &[u8]) -> bool {
    let (flag, blank) = match before {
        [flag @ .., b'\\', b'"', b' ', b'\\', b'"']
        | [flag @ .., b'"', b' ', b'"']
        | [flag @ .., b' '] => (flag, true),
        [flag @ .., b'='] => (flag, false),
        _ => return false,
    };
    let ends_in = |f: &[u8]| {
        flag.ends_with(f)
            && (flag.len() == f.len() || matches!(flag[flag.len() - f.len() - 1], b' ' | b'"'))
    };
    blank && ends_in(b"-u") || ends_in(b"--user")
}

/// Whether the line holding a point names curl or wget before it, the line as a pass after
/// this one reads it: a line break inside a finding goes with the finding's text, and the
/// lines on its two sides are one. What a pass replaced counts, though: a replacement never
/// makes a command's name (markers start with `[`, masks are digits and `*`), so a second
/// pass finds a name only where the first did. The string is read once, however many user
/// flags it holds: points are asked in order.
#[derive(Debug, Default)]
pub(super) struct Commands {
    /// How far the string has been read.
    read_to: usize,
    /// Where the last name read starts.
    last_name: Option<usize>,
    /// After the last line break read that was not yet copied when it was read.
    line_start: usize,
}

impl Commands {
    /// Whether the line holding `at` names a command before it: `copied` bytes are emitted,
    /// and the last line break among those copied as they stood ends before `kept_line`.
    fn on_line_before(&mut self, bytes: &[u8], at: usize, copied: usize, kept_line: usize) -> bool {
        if at > self.read_to {
            // A name may straddle where the last read stopped.
            let from = self.read_to.saturating_sub(4);
            if let Some(name) = bytes[from..at].windows(5).rposition(|w| {
                matches!(
                    w,
                    [b'c', b'u', b'r', b'l', b' ' | b'"' | b'\\']
                        | [b'w', b'g', b'e', b't', b' ' | b'"' | b'\\']
                )
            }) {
                self.last_name = Some(from + name);
            }
            // Line breaks before `copied` are known from what was copied.
            let from = self.read_to.max(copied);
            if let Some(newline) = bytes[from..at].iter().rposition(|&b| b == b'\n') {
                self.line_start = from + newline + 1;
            }
            self.read_to = at;
        }
        // A break read before `copied` was copied as it stood, or replaced: `kept_line` tells.
        let line_start = if self.line_start > copied {
            self.line_start.max(kept_line)
        } else {
            kept_line
        };
        self.last_name.is_some_and(|name| name >= line_start)
    }
}

/// How far back the start of a user's address is looked for.
const USER_REACH: usize = 64;

/// Whether a name after `before` may be the user of a command line's user flag
/// (`-u name`, `--user name`, `--user=name`, `"-u" "name`, JSON-escaped `\"-u\" \"name`) or the
/// domain of a user's address.
#[inline(always)]
pub(super) fn may_follow_user_flag(before: &[u8]) -> bool {
    matches!(
        before,
        [.., b'-', b'u', b' ']
            | [.., b'-', b'u', b's', b'e', b'r', b' ' | b'=']
            | [.., b'"', b' ', b'"']
            | [.., b'"', b' ', b'\\', b'"']
            | [.., b'@']
    )
}

/// A command line's user and password (`curl -u user:password`, `wget --user=user:password`),
/// the user's name (or the domain of its address) starting at `start` before the `:` at
/// `colon`: the password, when the line names curl or wget before it — other commands' `-u`
/// takes no password (`docker run -u 1000:1000`, `sudo -u postgres`).
#[cold]
pub(super) fn user_flag_password(
    bytes: &[u8],
    out: &Output<'_>,
    start: usize,
    colon: usize,
    commands: &mut Commands,
    counts: &Counts,
) -> Option<Finding> {
    let floor = out.name_floor;
    // The user may be an address: the name is then its domain. (An address holds no
    // marker: a second pass reads it as the first did.)
    let user = if bytes[start - 1] == b'@' {
        let from = floor.max(start.saturating_sub(USER_REACH));
        bytes[from..start]
            .iter()
            .rposition(|&b| matches!(b, b' ' | b'=' | b'"' | b']'))
            .map_or(start, |blank| from + blank + 1)
    } else {
        start
    };
    if !after_user_flag(&bytes[floor..user])
        || !commands.on_line_before(bytes, colon, out.copied, out.line_start)
    {
        return None;
    }
    flag_password(bytes, user, colon, out.copied, counts)
}

/// The password after the `:` at `colon` of a user flag's `user:password`, to the next
/// blank or quote, unless a pass replaced it (a marker, or a token's body: the token was
/// found as the `:`'s value, perhaps after a `[` or a quote) — or the user `user` (starting at `user_start`), when the
/// password is empty: an API key given as the user, as Stripe's and others' examples write
/// it (`curl -u sk_test_…:`). Not a user in which a card number was masked (before `written`
/// on this pass, a mask on the next): no key holds one, and either pass leaves it so. Nor
/// one whose next argument is a marker, or a token whose body a marker replaced: the `:` was
/// a name's, whose value a pass replaced (`curl -u body: [123, 34, …]`, the list's text read
/// as a payload's; `curl -u name: ghp_…`, a token as a value).
fn flag_password(
    bytes: &[u8],
    user_start: usize,
    colon: usize,
    written: usize,
    counts: &Counts,
) -> Option<Finding> {
    let start = colon + 1;
    let end = argument_end(bytes, start);
    if end > start {
        return (!replaced_after(bytes, start)).then(|| secret(start, end, counts));
    }
    let user = &bytes[user_start..colon];
    (user_start >= written
        && !is_marker(user)
        && !user.contains(&(card::MASK_CHAR as u8))
        && !replaced_after(bytes, start))
    .then(|| secret(user_start, colon, counts))
}

/// Whether what a pass wrote ([`replaced_at`]) starts at `start` or after the blanks, quotes,
/// backslashes, `>`s, `[`s and `Some(`s that may come before a token as a value
/// ([`token_value`](super::prefixed_keys::token_value): `curl -u name: "ghp_[REDACTED]`,
/// `curl -u q:[ghp_[REDACTED]`).
fn replaced_after(bytes: &[u8], start: usize) -> bool {
    let mut next = start;
    loop {
        if replaced_at(&bytes[next..]) {
            return true;
        }
        match bytes.get(next) {
            Some(b' ' | b'\t' | b'"' | b'\'' | b'\\' | b'>' | b'[') => next += 1,
            Some(b'S') if bytes[next..].starts_with(b"Some(") => next += 5,
            _ => return false,
        }
    }
}

/// Whether `text` starts with what a pass wrote in place of an argument: a marker, or a
/// token whose body a marker replaced (`ghp_[REDACTED]`).
fn replaced_at(text: &[u8]) -> bool {
    is_marker_at(text) || is_redacted_token_at(text)
}

/// Where a command line's unquoted argument starting at `start` ends: at a blank, a quote or
/// a backslash (a shell's, or `Debug`'s around the argument), or the text's end.
fn argument_end(bytes: &[u8], start: usize) -> usize {
    start
        + bytes[start..]
            .iter()
            .position(|&b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'\\'))
            .unwrap_or(bytes.len() - start)
}

/// The longest long flag's name judged.
const MAX_FLAG_NAME: usize = 64;

/// A command line's long flag and its value after a blank, `at` its first dash: a shell
/// line's `--password hunter2` (`--password "two words"`), `Command`'s `Debug`
/// (`"pg_dump" "--password" "hunter2"`), a list of arguments (`["app", "--api-key", "k"]`,
/// `std::env::args()` collected), single-quoted or JSON-escaped alike. For a secret or
/// sensitive-data name, the value's text is replaced. (`--password=hunter2` is a name and its
/// value: [`separator`](super::separators::separator)'s.) Passed over: a flag that takes no value — negated
/// (`--no-password`) or reading standard input (`--password-stdin`) — and a value that is
/// another flag.
#[cold]
pub(super) fn flag_value(
    redactor: &Redactor,
    bytes: &[u8],
    at: usize,
    floor: usize,
) -> Option<Finding> {
    let name_start = at + 2;
    if bytes.get(at + 1) != Some(&b'-')
        || !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic)
    {
        return None;
    }
    // What opens the flag: a blank or the text's start, or a quote (escaped in JSON text)
    // after one of them, `[`, `(` or `,` — never text a pass before replaced (a second pass
    // sees a marker's `]` there).
    let from = floor.min(at);
    let before = &bytes[from..at];
    let (quote, lead): (&[u8], &[u8]) = match before {
        [] | [.., b' ' | b'\t' | b'\n' | b'\r'] => (b"", before),
        _ if card::ends_escaped_blank(before, 0, before.len()) => (b"", before),
        [lead @ .., b'\\', b'"'] => (b"\\\"", lead),
        [lead @ .., q @ (b'"' | b'\'')] => (std::slice::from_ref(q), lead),
        _ => return None,
    };
    let opens = match lead.last() {
        // Nothing before but the text's start (or a replacement: no).
        None => from == 0,
        Some(_) if quote.is_empty() => true,
        Some(b) => matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'(' | b','),
    };
    if !opens {
        return None;
    }
    let name_len = bytes[name_start..]
        .iter()
        .take(MAX_FLAG_NAME + 1)
        .position(|&b| !is_name_byte(b))?;
    let name = &bytes[name_start..name_start + name_len];
    let takes_no_value = name.len() > 3 && name[..3].eq_ignore_ascii_case(b"no-")
        || name.len() >= 5 && name[name.len() - 5..].eq_ignore_ascii_case(b"stdin");
    if takes_no_value {
        return None;
    }
    // A flag named for nothing sensitive may still hold a provider's token (`--pat ghp_…`).
    let fixed = marker_for(redactor, name);
    let mut i = name_start + name_len;
    if !quote.is_empty() {
        // The flag's closing quote, a comma perhaps (a list), the value's opening quote.
        if !bytes[i..].starts_with(quote) {
            return None;
        }
        i += quote.len();
        i += usize::from(bytes.get(i) == Some(&b','));
    }
    let blanks = bytes[i..]
        .iter()
        .take_while(|&&b| matches!(b, b' ' | b'\t'))
        .count();
    if blanks == 0 {
        return None;
    }
    let start = i + blanks;
    let rest = &bytes[start..];
    let (start, end) = if rest.starts_with(b"\\\"") {
        let from = start + 2;
        (from, escaped_string_end(bytes, from))
    } else if let Some(&q @ (b'"' | b'\'')) = rest.first() {
        let from = start + 1;
        let len = string_end_on_line(&bytes[from..], q);
        (
            from,
            len.map_or_else(|| line_end(bytes, from), |len| from + len),
        )
    } else if quote.is_empty() && !rest.starts_with(b"-") {
        (start, argument_end(bytes, start))
    } else {
        return None;
    };
    if bytes[start..].starts_with(b"-") {
        return None;
    }
    match fixed {
        Some(fixed) => value_finding(redactor, bytes, start..end, fixed, None),
        None => {
            let (start, end) = prefixed_token(bytes, start)?;
            Some(secret(start, end, redactor.counts()))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::redact::text::test_support::assert_redacted;

    #[test]
    fn curl_s_and_wget_s_user_flag_keeps_its_password_no_more() {
        assert_redacted(&[
            (
                "curl -u admin:hunter2 https://api.example.com",
                "curl -u admin:[REDACTED] https://api.example.com",
            ),
            (
                "curl -s --user ops@example.com:pw2",
                "curl -s --user ops@example.com:[REDACTED]",
            ),
            (
                "wget --user=bob:pw1 https://x",
                "wget --user=bob:[REDACTED] https://x",
            ),
            // An API key given as the user, the password empty.
            (
                "run\ncurl https://api.stripe.com/v1/charges -u sk_test_abc:",
                "run\ncurl https://api.stripe.com/v1/charges -u [REDACTED]:",
            ),
            // Other commands' `-u` takes a user and a group, or no password.
            ("docker run -u 1000:1000 img", "docker run -u 1000:1000 img"),
            ("-u a:b", "-u a:b"),
            (
                "curl x\ndocker run -u 1000:1000",
                "curl x\ndocker run -u 1000:1000",
            ),
            ("curl --user-agent a:b", "curl --user-agent a:b"),
            // A card number in the address: masked, and the password goes.
            (
                "curl -u 4111111111111111@b:pw",
                "curl -u 411111******1111@b:[REDACTED]",
            ),
            // Fuzzer: an address's look-back crossed what a first pass replaced.
            ("curl -u ://:n@:", "curl -u ://:[REDACTED]@:"),
            // As `Command`'s `Debug` writes a command line.
            (
                r#"running "curl" "-s" "-u" "admin:hunter2" "https://x""#,
                r#"running "curl" "-s" "-u" "admin:[REDACTED]" "https://x""#,
            ),
            (
                r#""wget" "--user" "ops@example.com:pw" "--user=a:b""#,
                r#""wget" "--user" "ops@example.com:[REDACTED]" "--user=a:[REDACTED]""#,
            ),
            (
                r#""docker" "-u" "1000:1000""#,
                r#""docker" "-u" "1000:1000""#,
            ),
            // Fuzzer: the command's name was looked for within 256 bytes, and a first pass
            // shortened what stood between (`Basic …` → `Basic [REDACTED]`).
            (
                &format!(
                    "curl x {}-u v:",
                    "Basic abcdefghijklmnopqrstuvwxyz0123456789 ".repeat(8)
                ),
                &format!("curl x {}-u [REDACTED]:", "Basic [REDACTED] ".repeat(8)),
            ),
            // Fuzzer: the command's name was looked for after the first finding only.
            ("curl -u a: -u b:", "curl -u [REDACTED]: -u [REDACTED]:"),
            // Fuzzer: a card number masked in an address given as the user, the password
            // empty: the user was dropped on the first pass (it started before the card
            // written), taken on the second.
            (
                "curl -u m%2526/#@4111111111111111: s>",
                "curl -u m%2526/#@411111******1111: s>",
            ),
            // Fuzzer: a line break inside a replaced value is gone for a second pass, which
            // reads the command's name and the flag on one line; a break kept keeps them apart.
            (
                "curl [\"pin\",\"\n\") -u H:",
                "curl [\"pin\",\"[REMOVED]\") -u [REDACTED]:",
            ),
            (
                "curl x pin=[1\n2] -u k:p",
                "curl x pin=[REMOVED] -u k:[REDACTED]",
            ),
            ("curl x pin=[1\n2]\n-u k:p", "curl x pin=[REMOVED]\n-u k:p"),
            // Fuzzer (seed 7504): a list of byte values after the `:` was read as the text
            // it holds (`{"cvv":…`) and replaced; a second pass then took the name before
            // the `:` for an API key given as the user. A marker after the blank is a
            // value's: the user stays on both passes.
            (
                "curl -u ody: [123, 34, 99, 118, 118, 34, 58, 32, 34, 55, 51, 55, 34, 125] x",
                "curl -u ody: [REDACTED] x",
            ),
            // Fuzzer (seed 7508): a provider's token after the blank is the `:`'s value,
            // its body replaced; a second pass took the name for an API key given as the
            // user. A token whose body a marker replaced leaves the user too.
            (
                "curl -u name: dop_v1_eCVC2e3-----Mzcifna=",
                "curl -u name: dop_v1_[REDACTED]=",
            ),
            // Fuzzer (seed 7529): the same with the token quoted — the marker stood after
            // the quote, and a second pass took the name for an API key given as the user.
            (
                "curl -u abc: \"ghp_sB084352738401575vv.35: x",
                "curl -u abc: \"ghp_[REDACTED]: x",
            ),
            (
                "curl -u l -u sB0843527384: \"ghp_sB084352738401575vv.35: \"ghp_:",
                "curl -u l -u sB0843527384: \"ghp_[REDACTED]: \"ghp_:",
            ),
            // Fuzzer (seed 7534): a token after a `[` as the password — the `:`'s value, its
            // body replaced; a second pass took the whole argument for the password. What a
            // pass replaced after a `[`, a quote or `Some(` leaves the password too.
            (
                "curl -u q:[EAAAEOuLQPDnWpyHbmO7abc1dEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg[REMOVED]h\u{1a}",
                "curl -u q:[EAAA[REDACTED][REMOVED]h\u{1a}",
            ),
            (
                "curl -u q:[ghp_R2d2C3p0aBcDeFgHiJkLmNoPqRsTuVwXyZ01 x",
                "curl -u q:[ghp_[REDACTED] x",
            ),
            (
                "curl -u q:Some(\"ghp_R2d2C3p0aBcDeFgHiJkLmNoPqRsTuVwXyZ01\") x",
                "curl -u q:Some(\"ghp_[REDACTED]\") x",
            ),
            // A token as the password: found as the `:`'s value, its prefix kept.
            (
                "curl -u name:ghp_R2d2C3p0aBcDeFgHiJkLmNoPqRsTuVwXyZ01 https://x",
                "curl -u name:ghp_[REDACTED] https://x",
            ),
            (
                "curl x\n-u a:b pin=[1\n2] -u c:d",
                "curl x\n-u a:b pin=[REMOVED] -u c:d",
            ),
        ]);
    }

    #[test]
    fn a_long_flag_s_value_after_a_blank_goes_for_a_secret_name() {
        assert_redacted(&[
            (
                "pg_dump --password hunter2 --host db",
                "pg_dump --password [REDACTED] --host db",
            ),
            ("--pin 1234", "--pin [REMOVED]"),
            ("app --api-key\tk123", "app --api-key\t[REDACTED]"),
            (
                r#"--password "two words" x"#,
                r#"--password "[REDACTED]" x"#,
            ),
            // A list of arguments (`std::env::args()` collected), `Command`'s `Debug`.
            (
                r#"args: ["app", "--db-password", "hunter2", "--port", "80"]"#,
                r#"args: ["app", "--db-password", "[REDACTED]", "--port", "80"]"#,
            ),
            (
                r#""pg_dump" "--password" "hun\"ter2" "db""#,
                r#""pg_dump" "--password" "[REDACTED]" "db""#,
            ),
            ("'--api-key', 'k123'", "'--api-key', '[REDACTED]'"),
            // JSON-escaped (`lift-ship --redact`), a quote inside the value escaped twice.
            (
                r#"{"msg":"[\"--password\", \"hun\\\"ter2\"]"}"#,
                r#"{"msg":"[\"--password\", \"[REDACTED]\"]"}"#,
            ),
            // A flag named for nothing sensitive holding a provider's token: its body.
            (
                "gh auth --pat ghp_R2d2C3p0aBcDeFgHiJkLmNoPqRsTuVwXyZ01 --host x",
                "gh auth --pat ghp_[REDACTED] --host x",
            ),
            (
                r#"["deploy", "--with", "glpat-xY9zAbCdEfGh12345678"]"#,
                r#"["deploy", "--with", "glpat-[REDACTED]"]"#,
            ),
            (
                "--branch main --tag ghp_short",
                "--branch main --tag ghp_short",
            ),
            // `=` is the separator's.
            ("--token=abc", "--token=[REDACTED]"),
            // No value: negated, from standard input, another flag, nothing.
            ("--no-password --verbose", "--no-password --verbose"),
            (
                "docker login --password-stdin registry.example.com",
                "docker login --password-stdin registry.example.com",
            ),
            ("--password --verbose", "--password --verbose"),
            (
                r#"["app", "--password", "--verbose"]"#,
                r#"["app", "--password", "--verbose"]"#,
            ),
            ("--password", "--password"),
            // Not a flag, or not a secret's.
            ("a--password x", "a--password x"),
            ("x-- --password y", "x-- --password [REDACTED]"),
            (
                "--secret-id prod/db --key-id k",
                "--secret-id prod/db --key-id k",
            ),
            (
                "--password-file /run/secrets/db --token-path=/t",
                "--password-file /run/secrets/db --token-path=/t",
            ),
            ("-----BEGIN CERTIFICATE-----", "-----BEGIN CERTIFICATE-----"),
            ("2026-12-05 -- note", "2026-12-05 -- note"),
        ]);
    }

    #[test]
    fn a_user_flag_s_password_in_escaped_quotes_goes() {
        // `Command`'s `Debug` in a JSON line's message: its quotes are `\"` there.
        assert_redacted(&[(
            r#"{"msg":"spawning \"curl\" \"-sS\" \"-u\" \"admin:hunter2x9Q\" \"https://x\""}"#,
            r#"{"msg":"spawning \"curl\" \"-sS\" \"-u\" \"admin:[REDACTED]\" \"https://x\""}"#,
        )]);
    }
}
