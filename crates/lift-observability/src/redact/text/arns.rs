//! Amazon Resource Names in free text. An ARN's colons separate its fields
//! (`arn:partition:service:region:account-id:resource`), not names from values: its prefix's
//! fields are never labels, and a resource type before a sixth colon
//! (`arn:aws:secretsmanager:…:secret:prod/db`) names the kind of resource, it holds no value.

use super::commands::may_follow_user_flag;
use super::names::marker_for;
use super::prefixed_keys::may_lead_token_value;
use crate::redact::pairs::{self, PairRole};
use crate::redact::{Redactor, byte_class, keys};

/// [`FIELD_BYTES`]: a byte of a prefix's field (lowercase letters, digits, `-`).
const PREFIX: u8 = 1;
/// [`FIELD_BYTES`]: a byte of a resource type (letters, `-`).
const TYPE: u8 = 2;

/// The bytes of an ARN's fields, by [`PREFIX`] and [`TYPE`].
const FIELD_BYTES: [u8; 256] = {
    let mut t = [0; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let prefix = c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-';
        let kind = c.is_ascii_alphabetic() || c == b'-';
        t[b] = if prefix { PREFIX } else { 0 } | if kind { TYPE } else { 0 };
        b += 1;
    }
    t
};

/// How far back an ARN's `arn:partition:service:region:account-id:` is looked for.
const ARN_PREFIX_MAX: usize = 256;

/// At the `:` at `colon` right after an `arn` that starts a word (no further back than
/// `floor`): where the ARN's prefix ends, if `arn:partition:service:region:account-id:`
/// stands there in the shapes AWS gives its fields — the position after the last colon whose
/// field before it is the prefix's, or the resource type's after it ([`resource_type_end`]).
///
/// Each colon it covers is one the separators' look-back would leave as it is, only judged
/// at less cost: the fields are AWS's words (partitions, regions), digits, or a service that
/// is no name the look-back reads a value after — not a sensitive name, a payload's, a pair's
/// value member's — nor a provider's token. An ARN after curl's user flag
/// (`curl -u arn:…`) is a user and its password, and with keys configured
/// ([`Redactor::has_configured_keys`]) any word may be a name: the look-back judges both.
pub(super) fn prefix_end(
    redactor: &Redactor,
    bytes: &[u8],
    colon: usize,
    floor: usize,
) -> Option<usize> {
    let start = colon.checked_sub(3).filter(|&s| s >= floor)?;
    if &bytes[start..colon] != b"arn"
        || start > 0 && {
            let before = bytes[start - 1];
            before == b':' || byte_class::is(before, byte_class::NAME_OR_MASK)
        }
        || may_follow_user_flag(&bytes[..start])
        || redactor.has_configured_keys()
    {
        return None;
    }
    // Each field: where the colon after it stands, if its bytes are lowercase letters,
    // digits and `-`.
    let field = |from: usize| -> Option<usize> {
        let rest = bytes.get(from..)?;
        let len = rest
            .iter()
            .position(|&b| FIELD_BYTES[usize::from(b)] & PREFIX == 0)?;
        (rest[len] == b':').then_some(from + len)
    };
    let partition = field(colon + 1)?;
    if !PARTITIONS.contains(&&bytes[colon + 1..partition]) {
        return None;
    }
    let service = field(partition + 1).filter(|&end| end > partition + 1)?;
    let name = &bytes[partition + 1..service];
    if may_lead_token_value(bytes, partition + 1)
        || marker_for(redactor, name).is_some()
        || reads_any_value(name)
    {
        return None;
    }
    let region = field(service + 1)?;
    if !is_region(&bytes[service + 1..region]) {
        return None;
    }
    let account = field(region + 1)?;
    let a = &bytes[region + 1..account];
    if !(a.is_empty() || a == b"aws" || a.len() == 12 && a.iter().all(u8::is_ascii_digit)) {
        return None;
    }
    if may_lead_token_value(bytes, account + 1) {
        return Some(account);
    }
    Some(resource_type_end(bytes, account + 1).unwrap_or(account + 1))
}

/// AWS's partitions.
const PARTITIONS: [&[u8]; 8] = [
    b"aws",
    b"aws-cn",
    b"aws-us-gov",
    b"aws-iso",
    b"aws-iso-b",
    b"aws-iso-e",
    b"aws-iso-f",
    b"aws-eusc",
];

/// Whether `field` is an ARN's region: empty (a global service's), or an AWS region's name
/// (`us-gov-west-1`: two letters, a direction — in a partition of its own, after that
/// partition's word — and a number).
fn is_region(field: &[u8]) -> bool {
    let n = field.len();
    if n == 0 {
        return true;
    }
    let digits = field
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if !(1..=2).contains(&digits) || n < digits + 5 {
        return false;
    }
    let words_end = n - digits - 1;
    field[0].is_ascii_lowercase()
        && field[1].is_ascii_lowercase()
        && field[2] == b'-'
        && field[words_end] == b'-'
        && matches!(
            &field[3..words_end],
            b"east"
                | b"west"
                | b"north"
                | b"south"
                | b"central"
                | b"northeast"
                | b"southeast"
                | b"northwest"
                | b"southwest"
                | b"gov-east"
                | b"gov-west"
                | b"iso-east"
                | b"iso-west"
                | b"isob-east"
                | b"isoe-west"
                | b"isof-east"
                | b"isof-south"
        )
}

/// Whether the look-back reads the value after a bare `name` whatever the name's rule: a
/// payload's (`body`, `data`: base64 decoded), a pair's value member's (`value`), a webhook's
/// `path`.
fn reads_any_value(name: &[u8]) -> bool {
    keys::is_payload_key(name) || pairs::role(name) == PairRole::Value || name == b"path"
}

/// After the colon a resource type at `start` ends with (`function:`, `log-group:`,
/// `stateMachine:`): a sensitive name there names a kind of resource (`secret:`), but a
/// name whose value is read whatever it is ([`reads_any_value`]), a list or a blank after the
/// colon, or a token that may follow, are left to the look-back.
fn resource_type_end(bytes: &[u8], start: usize) -> Option<usize> {
    let len = bytes[start..]
        .iter()
        .position(|&b| FIELD_BYTES[usize::from(b)] & TYPE == 0)?;
    let (name, colon) = (&bytes[start..start + len], start + len);
    (bytes[colon] == b':'
        && name.first().is_some_and(u8::is_ascii_alphabetic)
        && !reads_any_value(name)
        && !matches!(bytes.get(colon + 1), Some(b'[' | b' '))
        && !may_lead_token_value(bytes, colon + 1))
    .then_some(colon + 1)
}

/// Whether the bare name starting at `start` (a `:` after it) is an ARN's resource type:
/// `arn:aws…:service:region:account-id:` right before it, no further back than `floor`.
/// `arn:aws:secretsmanager:…:secret:prod/db-AbCdEf` names a secret, it does not hold one.
/// (A masked card in the prefix is still part of it, as its digits were; text replaced by a
/// marker is not — nor, through `floor`, what a marker will stand in on a second pass.)
pub(super) fn is_resource_type(bytes: &[u8], start: usize, floor: usize) -> bool {
    if start == 0 || bytes[start - 1] != b':' {
        return false;
    }
    let reach = floor.max(start.saturating_sub(ARN_PREFIX_MAX)).min(start);
    let from = bytes[reach..start]
        .iter()
        .rposition(|&b| b != b':' && !byte_class::is(b, byte_class::NAME_OR_MASK))
        .map_or(reach, |p| reach + p + 1);
    let prefix = &bytes[from..start];
    let mut fields = prefix.split(|&b| b == b':');
    fields.next() == Some(&b"arn"[..])
        && fields
            .next()
            .is_some_and(|partition| partition.starts_with(b"aws"))
        && fields.next().is_some_and(|service| !service.is_empty())
        && prefix.iter().filter(|&&b| b == b':').count() == 5
}

#[cfg(test)]
mod tests {
    use super::prefix_end;
    use crate::redact::Redactor;
    use crate::redact::text::test_support::{assert_redacted, redact};

    fn end(text: &str) -> Option<usize> {
        let colon = text.find("arn:").map(|p| p + 3)?;
        prefix_end(&Redactor::new(), text.as_bytes(), colon, 0)
    }

    #[test]
    fn an_arn_s_prefix_ends_after_its_account_s_colon_or_its_resource_type_s() {
        for (text, prefix) in [
            (
                "arn:aws:lambda:us-east-1:123456789012:function:payments-api",
                "arn:aws:lambda:us-east-1:123456789012:function:",
            ),
            (
                "arn:aws:states:us-east-1:123456789012:stateMachine:charge",
                "arn:aws:states:us-east-1:123456789012:stateMachine:",
            ),
            (
                "arn:aws:x:us-east-1:123456789012:body:Y2FyZF9udW1iZXI9NDExMQ",
                "arn:aws:x:us-east-1:123456789012:",
            ),
            (
                "arn:aws:x:us-east-1:123456789012:path:/hooks",
                "arn:aws:x:us-east-1:123456789012:",
            ),
            (
                "arn:aws:x:us-east-1:123456789012:function:ghp_0123456789abcdefABCDEF0123",
                "arn:aws:x:us-east-1:123456789012:",
            ),
            (
                "at arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x",
                "at arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:",
            ),
            ("arn:aws:s3:::bucket/key", "arn:aws:s3:::"),
            (
                "arn:aws:iam::aws:role/aws-service-role/x",
                "arn:aws:iam::aws:",
            ),
        ] {
            assert_eq!(end(text), Some(prefix.len()), "{text}");
        }
    }

    #[test]
    fn a_token_after_the_account_s_colon_is_left_to_the_look_back() {
        let text = "arn:aws:s3:::ghp_0123456789abcdefABCDEF0123456789abcd";
        assert_eq!(end(text), Some("arn:aws:s3::".len()));
        // What only may start one too (`pu`, as `pul-` starts).
        let text = "arn:aws:iam::aws:publisher/ReadOnlyAccess";
        assert_eq!(end(text), Some("arn:aws:iam::aws".len()));
    }

    #[test]
    fn text_not_shaped_as_an_arn_s_prefix_has_none() {
        for text in [
            "warn:aws:lambda:us-east-1:123456789012:f",
            "x:arn:aws:lambda:us-east-1:123456789012:f",
            "arn:gcp:lambda:us-east-1:123456789012:f",
            "arn:aws-:lambda:us-east-1:123456789012:f",
            "arn:aws::us-east-1:123456789012:f",
            "arn:aws:lambda:hunter2:123456789012:f",
            "arn:aws:lambda:us-east-1:1234:f",
            "arn:aws:lambda:us-east-1:4111111111111111:f",
            "arn:aws:Lambda:us-east-1:123456789012:f",
            "arn:aws:password hunter2:us-east-1:123456789012:f",
            "arn:aws:lambda:us-east-1",
            "arn:",
            // Where the look-back would find something: a sensitive name, a token, a curl user.
            "arn:aws:password:us-east-1:123456789012:f",
            "arn:aws:lambda:ab-password-1:123456789012:f",
            "arn:aws:body:us-east-1:123456789012:f",
            "arn:aws:glpat-0123456789abcdefABCD:us-east-1:123456789012:f",
            "curl -u arn:aws:lambda:us-east-1:123456789012:f",
        ] {
            assert_eq!(end(text), None, "{text}");
        }
    }

    #[test]
    fn after_an_arn_s_prefix_the_look_back_judges_again() {
        assert_redacted(&[
            (
                "arn:aws:lambda:us-east-1:123456789012:function:payments-api:live token:abc",
                "arn:aws:lambda:us-east-1:123456789012:function:payments-api:live token:[REDACTED]",
            ),
            (
                "arn:aws:lambda:us-east-1:123456789012:function:f,password=hunter2",
                "arn:aws:lambda:us-east-1:123456789012:function:f,password=[REDACTED]",
            ),
        ]);
    }

    /// 50,000 texts of ARNs' pieces, some shaped as AWS gives them, some not, with what the
    /// look-back finds around and inside them: the same redacted as with [`prefix_end`] out of
    /// the way — a key configured (one no text holds) turns it off.
    #[test]
    fn the_prefix_s_colons_are_left_as_the_look_back_leaves_them() {
        let token = "ghp_0123456789abcdefABCDEF0123456789abcd";
        let partitions = ["aws", "aws-us-gov", "aws-cn", "aws-iso-b", "gcp", "aws-"];
        let services = [
            "lambda",
            "s3",
            "iam",
            "password",
            "body",
            "value",
            "path",
            "token",
            "api-key",
            "glpat-0123456789abcdefABCD",
            "sq0atp-0123456789abcdefABCD",
            "pypi-x",
        ];
        let regions = [
            "us-east-1",
            "us-gov-west-1",
            "",
            "ab-password-1",
            "us-isob-east-1",
            "ap-southeast-2",
            "hunter2",
            "us-1",
        ];
        let accounts = ["123456789012", "aws", "", "4111111111111111", "12345678901"];
        let types = [
            "function:",
            "secret:",
            "value:",
            "data:",
            "path:",
            "stateMachine:",
            "token:",
            "x/",
            "",
        ];
        let after = [
            ":",
            "=",
            token,
            " ",
            "[",
            "[123, 34]",
            " [1,2]",
            " B",
            "Some(\"x\")",
            "hunter2",
            "Y2FyZF9udW1iZXI9NDExMTExMTExMTExMTExMQ==",
            "4111111111111111",
            "po",
            "/x",
            "@",
        ];
        let before = [
            "",
            "at ",
            "\"",
            "x:",
            "curl -u ",
            "curl --user=",
            "\"-u\" \"",
            "user@",
            "password=",
            "secret: ",
            "cvv=1 ",
        ];
        let configured = Redactor::new().safe_key("not-in-these-texts");
        let mut rng = fastrand::Rng::with_seed(0xa2);
        let mut pick = |words: &[&'static str]| words[rng.usize(..words.len())];
        for _ in 0..50_000 {
            let mut text = [
                pick(&before),
                "arn:",
                pick(&partitions),
                ":",
                pick(&services),
                ":",
                pick(&regions),
                ":",
                pick(&accounts),
                ":",
                pick(&types),
            ]
            .concat();
            for _ in 0..3 {
                text.push_str(pick(&after));
            }
            assert_eq!(redact(&text), configured.redact(&text), "{text:?}");
        }
    }
}
