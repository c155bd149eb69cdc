//! At a `_`, `-` or `.`: the end of a provider's token prefix (`ghp_`, `whsec_`, `glpat-`,
//! `sq0atp-`, `pypi-`, `SG.`, `hvs.`: [`TOKEN_PREFIXES`] but Square's `EAAA`), of the
//! `_secret_` that joins a Stripe intent's id to its client secret, or of a Braintree access
//! token's `access_` — found wherever they stand, in prose too (`pushing with ghp_…`, `vault
//! said hvs.…`, `<pat>glpat-…</pat>`, `pat%3Dghp_…`), where no name or separator comes
//! before them. The classifier anchors a `-` or a `.` only after a letter from `g` on, either
//! case (`glpat-`'s `t`, `SG.`'s `G`; never after a UUID's hex digit: a test holds every
//! prefix to it), a `_` everywhere; most (`pay_`, `requires_action`, `us-east-1`) are told
//! from the three bytes before them, by one table per position built from the prefixes at
//! compile time: the scan's quick look asks [`prefixes_ending_at`] too, so a string whose
//! only anchors are such bytes is not walked.

use super::prefixed_keys::{LIVE_KEY, TOKEN_PREFIXES, body_ends, prefixed_token};
use super::{Finding, secret, starts_token};
use crate::redact::Counts;

/// A set of [`SEPARATOR_ENDED`] prefixes, a bit each by index, and of the words of
/// [`WORDS_ENDING_AT_UNDERSCORE`] (the two highest bits): [`TOKEN_PREFIXES`] holds 62 at
/// most.
pub(super) type PrefixSet = u64;

/// Whether `b` may end a token's prefix: those [`TOKEN_PREFIXES`] that end in one are found
/// at it.
const fn ends_prefix(b: u8) -> bool {
    matches!(b, b'_' | b'-' | b'.')
}

/// The [`TOKEN_PREFIXES`] that end in a `_`, `-` or `.` (all but Square's `EAAA`), by
/// index, and each one's length: a token of theirs is anchored at that last byte, wherever
/// it stands (`pushing with ghp_…`, `<pat>glpat-…</pat>`).
const SEPARATOR_ENDED: (PrefixSet, [u8; PrefixSet::BITS as usize]) = {
    let (mut bits, mut lengths) = (0, [0u8; PrefixSet::BITS as usize]);
    let mut k = 0;
    while k < TOKEN_PREFIXES.len() {
        let p = TOKEN_PREFIXES[k];
        if ends_prefix(p[p.len() - 1]) {
            bits |= 1 << k;
            lengths[k] = p.len() as u8;
        }
        k += 1;
    }
    (bits, lengths)
};

/// Per byte `b`, the [`SEPARATOR_ENDED`] prefixes (a bit each, by index) and the words of
/// [`WORDS_ENDING_AT_UNDERSCORE`] that end in `b`.
static ENDING_IN: [PrefixSet; 256] = {
    let mut t = [0; 256];
    t[b'_' as usize] = CLIENT_SECRET_BIT | BRAINTREE_BIT;
    let mut k = 0;
    while k < TOKEN_PREFIXES.len() {
        let p = TOKEN_PREFIXES[k];
        if SEPARATOR_ENDED.0 & 1 << k != 0 {
            t[p[p.len() - 1] as usize] |= 1 << k;
        }
        k += 1;
    }
    t
};

/// Per byte, for each of the three bytes before a prefix's last (the nearest first), the
/// [`ENDING_IN`] prefixes and words (a bit each) that have that byte there — or any byte,
/// where the prefix is shorter (`SG.`): a byte may end one only where the three bytes' sets
/// meet.
static BEFORE_END: [[PrefixSet; 256]; 3] = {
    let mut t = [[0; 256]; 3];
    // The `ret` of a Stripe client secret's `_secret_`, the `ess` of Braintree's `access_`.
    let mut d = 0;
    while d < 3 {
        t[d][CLIENT_SECRET[CLIENT_SECRET.len() - 2 - d] as usize] |= CLIENT_SECRET_BIT;
        t[d][BRAINTREE[BRAINTREE.len() - 2 - d] as usize] |= BRAINTREE_BIT;
        d += 1;
    }
    let mut k = 0;
    while k < TOKEN_PREFIXES.len() {
        let p = TOKEN_PREFIXES[k];
        if SEPARATOR_ENDED.0 & 1 << k != 0 {
            let mut d = 0;
            while d < 3 {
                if d + 2 <= p.len() {
                    t[d][p[p.len() - 2 - d] as usize] |= 1 << k;
                } else {
                    let mut b = 0;
                    while b < 256 {
                        t[d][b] |= 1 << k;
                        b += 1;
                    }
                }
                d += 1;
            }
        }
        k += 1;
    }
    t
};

/// The [`SEPARATOR_ENDED`] prefixes (and words of [`WORDS_ENDING_AT_UNDERSCORE`]) the byte
/// at `at` may end, by itself and the three bytes before it (nonzero if any): four loads
/// tell for most (`pay_`, `requires_action`, `us-east-1`).
#[inline(always)]
pub(super) fn prefixes_ending_at(bytes: &[u8], at: usize) -> PrefixSet {
    match at.checked_sub(3).and_then(|from| bytes.get(from..=at)) {
        Some(&[third, second, first, end]) => {
            ENDING_IN[usize::from(end)]
                & BEFORE_END[0][usize::from(first)]
                & BEFORE_END[1][usize::from(second)]
                & BEFORE_END[2][usize::from(third)]
        }
        _ => 0,
    }
}

/// At a `_`, `-` or `.` (`at`): a [`TOKEN_PREFIXES`] token whose prefix it ends, starting
/// where a word does — in prose, in an element, after an encoded separator, wherever no
/// other detector looks (`pushing with ghp_…`, `vault said hvs.…`) —, a Stripe client secret
/// whose `_secret_` it ends ([`client_secret`]) or a Braintree access token whose `access_`
/// it ends ([`braintree_token`]): its body `[REDACTED]`. `prefixes` is what
/// [`prefixes_ending_at`] answered for it (nonzero).
#[cold]
pub(super) fn token_at_prefix_end(
    bytes: &[u8],
    at: usize,
    mut prefixes: PrefixSet,
    counts: &Counts,
) -> Option<Finding> {
    for (bit, find) in WORDS_ENDING_AT_UNDERSCORE {
        if prefixes & bit != 0 {
            if let Some(found) = find(bytes, at, counts) {
                return Some(found);
            }
            prefixes &= !bit;
        }
    }
    while prefixes != 0 {
        let k = prefixes.trailing_zeros() as usize;
        prefixes &= prefixes - 1;
        let len = usize::from(SEPARATOR_ENDED.1[k]);
        if let Some(start) = (at + 1).checked_sub(len)
            && bytes[start..].starts_with(TOKEN_PREFIXES[k])
            && starts_token(bytes, start)
            && !(TOKEN_PREFIXES[k] == LIVE_KEY && start > 0 && bytes[start - 1] == b'_')
            && let Some((body, end)) = prefixed_token(bytes, start)
        {
            return Some(secret(body, end, counts));
        }
    }
    None
}

/// What a `_` may end other than a [`TOKEN_PREFIXES`] prefix, by its bit in
/// [`BEFORE_END`], and the detector that judges it there.
type UnderscoreFinder = fn(&[u8], usize, &Counts) -> Option<Finding>;

/// See [`UnderscoreFinder`]: a Stripe client secret's `_secret_`, a Braintree token's
/// `access_`.
const WORDS_ENDING_AT_UNDERSCORE: [(PrefixSet, UnderscoreFinder); 2] = [
    (CLIENT_SECRET_BIT, client_secret),
    (BRAINTREE_BIT, braintree_token),
];

/// What joins a Stripe PaymentIntent's or SetupIntent's id to its client secret's body.
const CLIENT_SECRET: &[u8] = b"_secret_";

/// [`BEFORE_END`]'s bit for [`CLIENT_SECRET`]'s last `_` (no prefix's index).
const CLIENT_SECRET_BIT: PrefixSet = 1 << (PrefixSet::BITS - 1);

/// The ids a client secret extends: a PaymentIntent's, a SetupIntent's.
const CLIENT_SECRET_IDS: [&[u8]; 2] = [b"pi_", b"seti_"];

/// Fewest letters and digits of a client secret's id and of its body (Stripe's hold 24 and
/// 25).
const CLIENT_SECRET_PART: usize = 14;

/// At the last `_` of `_secret_` (`at`): a Stripe client secret with no name before it
/// (`confirming pi_3Mtw…_secret_YrKJ…`) — an intent's id, `_secret_`, a body of letters and
/// digits, as a whole word: the body `[REDACTED]`, the id kept (it says which payment; the
/// body completes it from a browser).
#[cold]
fn client_secret(bytes: &[u8], at: usize, counts: &Counts) -> Option<Finding> {
    let joiner = (at + 1).checked_sub(CLIENT_SECRET.len())?;
    if &bytes[joiner..=at] != CLIENT_SECRET {
        return None;
    }
    let id_len = bytes[..joiner]
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let id_start = joiner - id_len;
    let kind = CLIENT_SECRET_IDS
        .iter()
        .find(|id| bytes[..id_start].ends_with(id))?;
    let start = id_start - kind.len();
    let body_len = bytes[at + 1..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let end = at + 1 + body_len;
    (id_len >= CLIENT_SECRET_PART
        && body_len >= CLIENT_SECRET_PART
        && starts_token(bytes, start)
        && body_ends(bytes, end))
    .then(|| secret(at + 1, end, counts))
}

/// A Braintree access token's start, up to the `_` it is anchored at
/// (`access_token$production$…`).
const BRAINTREE: &[u8] = b"access_";

/// [`BEFORE_END`]'s bit for [`BRAINTREE`]'s `_` (no prefix's index).
const BRAINTREE_BIT: PrefixSet = 1 << (PrefixSet::BITS - 2);

/// What follows [`BRAINTREE`] in a token of each environment.
const BRAINTREE_ENVIRONMENTS: [&[u8]; 2] = [b"token$production$", b"token$sandbox$"];

/// Fewest letters, digits and `$`s of a Braintree access token's body (its merchant id, a
/// `$`, 32 hex digits: 50 or so).
const BRAINTREE_BODY: usize = 20;

/// At the `_` of `access_`: a Braintree access token with no name before it (`using
/// access_token$production$x8yn…$8b0c…`), as a whole word — the body (merchant id and secret)
/// `[REDACTED]`, the prefix kept (it says which environment's token leaked).
#[cold]
fn braintree_token(bytes: &[u8], at: usize, counts: &Counts) -> Option<Finding> {
    let start = (at + 1).checked_sub(BRAINTREE.len())?;
    if &bytes[start..=at] != BRAINTREE || !starts_token(bytes, start) {
        return None;
    }
    let environment = BRAINTREE_ENVIRONMENTS
        .iter()
        .find(|e| bytes[at + 1..].starts_with(e))?;
    let body = at + 1 + environment.len();
    let len = bytes[body..]
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'$')
        .count();
    (len >= BRAINTREE_BODY && body_ends(bytes, body + len))
        .then(|| secret(body, body + len, counts))
}

#[cfg(test)]
mod tests {
    use super::{SEPARATOR_ENDED, prefixes_ending_at};
    use crate::redact::text::prefixed_keys::TOKEN_PREFIXES;
    use crate::redact::text::test_support::{assert_redacted, redacted_once_for_all};

    #[test]
    fn every_prefix_ending_in_a_dash_or_a_dot_ends_where_the_classifier_anchors() {
        // A `-` or `.` anchors after a letter from `g` on, either case: a prefix ending in
        // one after another letter would be found only where a block's edge anchors it.
        for (k, prefix) in TOKEN_PREFIXES.iter().enumerate() {
            let [.., before, last] = **prefix else {
                panic!("{prefix:?}")
            };
            if matches!(last, b'-' | b'.') {
                assert!(SEPARATOR_ENDED.0 & 1 << k != 0, "{prefix:?}");
                assert!((0x67..=0x7f).contains(&(before | 0x20)), "{prefix:?}");
            }
            let text = [b"  ", *prefix].concat();
            let at = text.len() - 1;
            assert_eq!(
                prefixes_ending_at(&text, at) & 1 << k != 0,
                SEPARATOR_ENDED.0 & 1 << k != 0,
                "{prefix:?}"
            );
        }
        for text in [
            &b"us-east-1"[..],
            b"payment_intent.succeeded",
            b"e.g. it",
            b"multi-tenant",
        ] {
            for at in 0..text.len() {
                assert_eq!(prefixes_ending_at(text, at), 0, "{text:?} at {at}");
            }
        }
    }

    #[test]
    fn tokens_whose_prefix_ends_in_an_underscore_lose_their_body_wherever_they_stand() {
        const GHP: &str = "ghp_R2d2C3p0aBcDeFgHiJkLmNoPqRsTuVwXyZ01";
        const WHSEC: &str = "whsec_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH";
        const DOP: &str = "dop_v1_0123456789abcdef0123456789abcdef";
        assert_redacted(&[
            (
                &format!("pushing with {GHP} to origin"),
                "pushing with ghp_[REDACTED] to origin",
            ),
            (&format!("<pat>{GHP}</pat>"), "<pat>ghp_[REDACTED]</pat>"),
            (&format!("pat%3D{GHP}"), "pat%3Dghp_[REDACTED]"),
            (&format!("pat%253D{GHP}"), "pat%253Dghp_[REDACTED]"),
            (
                &format!("rotated ({WHSEC}), then {DOP}."),
                "rotated (whsec_[REDACTED]), then dop_v1_[REDACTED].",
            ),
            // In a string the quick look answers (no other anchor in it).
            (&format!("with {WHSEC}"), "with whsec_[REDACTED]"),
            // Emphasised, as Markdown and Slack write it.
            (
                &format!("pushed with **{GHP}**"),
                "pushed with **ghp_[REDACTED]**",
            ),
            (&format!("*{WHSEC}*"), "*whsec_[REDACTED]*"),
            // Glued to a word, a body too short or of words only, an encoded letter before:
            // none.
            (&format!("t{GHP}"), &format!("t{GHP}")),
            (
                "ran npm_install_dependencies",
                "ran npm_install_dependencies",
            ),
            ("see ghp_Short1 shpat_v2", "see ghp_Short1 shpat_v2"),
            (&format!("%41{GHP}"), &format!("%41{GHP}")),
        ]);
    }

    #[test]
    fn tokens_whose_prefix_ends_in_a_dash_or_a_dot_lose_their_body_wherever_they_stand() {
        // Written in clear before: only a name, a separator or a string's start before them
        // was looked at.
        const GLPAT: &str = "glpat-xY9zAbCdEfGh12345678";
        const SQUARE: &str = "sq0csp-Ab1Cd2Ef3Gh4Ij5Kl6Mn7OpQrStUvWxYz0123456789A";
        const SENDGRID: &str =
            "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";
        const VAULT: &str = "hvs.CAESIJlWh1zJkTn4Ab3Cd5Ef7Gh9IjKlMnOpQrStUvWxYz";
        assert_redacted(&[
            (
                &format!("deploy with {GLPAT} to main"),
                "deploy with glpat-[REDACTED] to main",
            ),
            (
                &format!("square rejected {SQUARE}."),
                "square rejected sq0csp-[REDACTED].",
            ),
            (
                &format!("sendgrid: 401 for {SENDGRID}"),
                "sendgrid: 401 for SG.[REDACTED]",
            ),
            (
                &format!("vault said ({VAULT}) expired"),
                "vault said (hvs.[REDACTED]) expired",
            ),
            (&format!("<t>{VAULT}</t>"), "<t>hvs.[REDACTED]</t>"),
            // New Relic's user keys, Docker Hub's access tokens.
            ("(NRAK-ABCDEFGHIJ0123456789KLMNOPQ)", "(NRAK-[REDACTED])"),
            (
                "docker login with dckr_pat_AbCdEf0123456789xYz1 ok",
                "docker login with dckr_pat_[REDACTED] ok",
            ),
            // Plaid's access tokens: a bank account's data, for as long as the item lives.
            (
                "item linked: access-production-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d.",
                "item linked: access-production-[REDACTED].",
            ),
            (
                "(access-sandbox-8ab976e6-64bc-4b38-98f7-731e7a349970)",
                "(access-sandbox-[REDACTED])",
            ),
            (&format!("t%3D{GLPAT}"), "t%3Dglpat-[REDACTED]"),
            // The prefix's last byte as a block's first (the 33rd byte): its letter before
            // is in the block before.
            (
                &format!("{} {GLPAT}", "x ".repeat(13)),
                &format!("{} glpat-[REDACTED]", "x ".repeat(13)),
            ),
            // Glued to a word, words after a prefix, a body too short; regions and words
            // whose `-` or `.` comes after such a letter.
            (&format!("x{GLPAT}"), &format!("x{GLPAT}")),
            (
                "pypi-mirror-for-internal-builds SG.v3.mail.send hvs.short1",
                "pypi-mirror-for-internal-builds SG.v3.mail.send hvs.short1",
            ),
            (
                "us-east-1 multi-tenant e.g. payment_intent.succeeded",
                "us-east-1 multi-tenant e.g. payment_intent.succeeded",
            ),
        ]);
    }

    #[test]
    fn tokens_ending_in_a_dash_or_a_dot_mixed_with_other_findings_never_show() {
        redacted_once_for_all(
            &[
                " glpat-xY9zAbCdEfGh12345678",
                " hvs.CAESIJlWh1zJkTn4Ab3Cd5Ef7Gh9IjKl",
                "SG.",
                "--",
                "-",
                ".",
                "t",
                "x",
                "%3D",
            ],
            38,
            "glpat-xY9zAbCdEfGh12345678",
            "xY9zAbCdEfGh12345678",
        );
    }

    #[test]
    fn a_stripe_client_secret_loses_its_body_with_no_name_before_it() {
        const PI: &str = "pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_YrKJUKribcBjcG8HVhfZluoGH";
        const SETI: &str = "seti_1Mm8s8LkdIwHu7ix0OXBfTRG_secret_NXDICkPqPeiBTAFqWmkbff09lRmSVXe";
        assert_redacted(&[
            (
                &format!("confirming {PI} now"),
                "confirming pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_[REDACTED] now",
            ),
            (
                &format!(r#"{{"value":"{SETI}"}}"#),
                r#"{"value":"seti_1Mm8s8LkdIwHu7ix0OXBfTRG_secret_[REDACTED]"}"#,
            ),
            (
                &format!("{PI}."),
                "pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_[REDACTED].",
            ),
            // An id or a body too short, another id's kind, glued to a word: none.
            (
                "pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_short pi_3Mtw_secret_YrKJUKribcBjcG8HVhfZluoGH",
                "pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_short pi_3Mtw_secret_YrKJUKribcBjcG8HVhfZluoGH",
            ),
            (
                "ch_3MtwBwLkdIwHu7ix28a3tqPa_secret_YrKJUKribcBjcG8HVhfZluoGH",
                "ch_3MtwBwLkdIwHu7ix28a3tqPa_secret_YrKJUKribcBjcG8HVhfZluoGH",
            ),
            (&format!("x{PI}"), &format!("x{PI}")),
            (
                "the_secret_recipe_for_success_2026",
                "the_secret_recipe_for_success_2026",
            ),
        ]);
    }

    #[test]
    fn a_braintree_access_token_loses_its_body_with_no_name_before_it() {
        // Written in clear before: no name, and `$` ended a `Token` credential.
        const BT: &str =
            "access_token$production$x8ynt7wbmnrpqpnh$8b0c5e7a6a5d8c1f2e3d4c5b6a798877";
        assert_redacted(&[
            (
                &format!("gateway configured with {BT}."),
                "gateway configured with access_token$production$[REDACTED].",
            ),
            (
                "(access_token$sandbox$x8ynt7wbmnrpqpnh$8b0c5e7a6a5d8c1f2e3d4c5b6a798877)",
                "(access_token$sandbox$[REDACTED])",
            ),
            (&format!("token {BT}"), "token [REDACTED]"),
            (&format!("Bearer {BT}"), "Bearer [REDACTED]"),
            // Other environments, a body too short, glued to a word, the word alone: none.
            (
                "access_token$staging$x8ynt7wbmnrpqpnh$8b0c5e7a6a5d",
                "access_token$staging$x8ynt7wbmnrpqpnh$8b0c5e7a6a5d",
            ),
            (
                "access_token$production$short",
                "access_token$production$short",
            ),
            (&format!("x{BT}"), &format!("x{BT}")),
            ("access_token expired", "access_token expired"),
        ]);
    }

    #[test]
    fn tokens_in_prose_mixed_with_other_findings_never_show() {
        redacted_once_for_all(
            &[
                " ghp_R2d2C3p0aBcDeFgHiJkLmNoPqRsTuVwXyZ01",
                " pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_YrKJUKribcBjcG8HVhfZluoGH",
                "<pat>",
                "%3D",
                "*",
                "4111111111111111",
                "x",
                "_",
                "gh",
                "p_",
            ],
            34,
            "ghp_R2d2C3p0aBcDeFgHiJkLmNoPqRsTuVwXyZ01",
            "R2d2C3p0aBcDeFgHiJkLmNoPqRsTuVwXyZ01",
        );
    }
}
