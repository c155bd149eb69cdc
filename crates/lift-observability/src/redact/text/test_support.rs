//! Helpers the text detectors' unit tests share.

use crate::redact::Redactor;

/// `s` redacted by a default [`Redactor`].
pub(super) fn redact(s: &str) -> String {
    Redactor::new().redact(s).into_owned()
}

/// Each text redacted to its expected form, which a second pass leaves as it is.
pub(super) fn assert_redacted(cases: &[(&str, &str)]) {
    for &(text, expected) in cases {
        assert_eq!(redact(text), expected, "{text}");
        assert_eq!(redact(expected), expected, "{expected}");
    }
}

/// Pieces every detector reacts to, among which the ones a test is about are mixed.
const OTHER_FINDINGS: [&str; 8] = [
    "password=",
    "cvv=",
    "Bearer ",
    "4111111111111111",
    "[REDACTED]",
    "\n",
    " ",
    "-----",
];

/// 50,000 strings of 1–15 pieces each, from `pieces` and [`OTHER_FINDINGS`] (drawn with
/// `seed`), each redacted once for all; where a string holds `secret`, `shown` (the
/// part that would give it away) is not in what redaction made of it.
pub(super) fn redacted_once_for_all(pieces: &[&str], seed: u64, secret: &str, shown: &str) {
    let words = [&OTHER_FINDINGS[..], pieces].concat();
    let mut rng = fastrand::Rng::with_seed(seed);
    for _ in 0..50_000 {
        let text: String = (0..rng.usize(1..16))
            .map(|_| words[rng.usize(..words.len())])
            .collect();
        let once = redact(&text);
        assert_eq!(redact(&once), once, "{text:?}");
        if text.contains(secret) {
            assert!(!once.contains(shown), "{text:?} -> {once:?}");
        }
    }
}
