//! The quick rejection of names no rule can match: a Bloom filter over the tokens that can
//! start a match and the endings of words written as one, checked in one walk over a key's
//! bytes. Most keys (`merchant_id`, `amount`, `status`) are answered here; the rest go to
//! the full rule.

use super::vocabulary::{
    SAD_ENDINGS, SAD_PAIRS, SAD_TOKENS, SAD_WHOLE_KEYS, SECRET_ENDINGS, SECRET_KEY_QUALIFIERS,
    SECRET_PAIRS, SECRET_TOKENS,
};

/// A 1,024-bit Bloom filter over tokens: one bit per (length, first two letters, last
/// letter).
type Bloom = [u64; 16];

const fn bloom_bit(len: usize, first: u8, second: u8, last: u8) -> (usize, u64) {
    let h = len
        .wrapping_mul(0x9e37)
        .wrapping_add((first.to_ascii_lowercase() as usize).wrapping_mul(0x85eb))
        .wrapping_add((second.to_ascii_lowercase() as usize).wrapping_mul(0xc2b3))
        .wrapping_add((last.to_ascii_lowercase() as usize).wrapping_mul(0x27d5));
    let h = (h ^ (h >> 11)) % 1024;
    (h / 64, 1 << (h % 64))
}

const fn bloom_add(mut bloom: Bloom, names: &[&[u8]]) -> Bloom {
    let mut i = 0;
    while i < names.len() {
        let n = names[i];
        let second = if n.len() > 1 { n[1] } else { 0 };
        let (word, bit) = bloom_bit(n.len(), n[0], second, n[n.len() - 1]);
        bloom[word] |= bit;
        i += 1;
    }
    bloom
}

/// Every token that can start a match: the single names, the first words of the pairs (both
/// kinds) and the qualifiers of `…_key` (a pair needs its first word).
const MATCH_STARTS: Bloom = {
    let mut bloom = bloom_add([0; 16], &SAD_TOKENS);
    bloom = bloom_add(bloom, &SECRET_TOKENS);
    bloom = bloom_add(bloom, &SECRET_KEY_QUALIFIERS);
    bloom = bloom_add(bloom, &SAD_WHOLE_KEYS);
    let mut p = 0;
    while p < SAD_PAIRS.len() {
        bloom = bloom_add(bloom, &[SAD_PAIRS[p].0]);
        p += 1;
    }
    p = 0;
    while p < SECRET_PAIRS.len() {
        bloom = bloom_add(bloom, &[SECRET_PAIRS[p].0]);
        p += 1;
    }
    bloom
};

/// The last three letters of the endings (`…word`, `…ret`, `…ken`…).
const ENDINGS: Bloom = {
    let mut bloom = [0; 16];
    let mut i = 0;
    while i < SECRET_ENDINGS.len() + SAD_ENDINGS.len() {
        let n = if i < SECRET_ENDINGS.len() {
            SECRET_ENDINGS[i]
        } else {
            SAD_ENDINGS[i - SECRET_ENDINGS.len()]
        };
        let (word, bit) = bloom_bit(3, n[n.len() - 3], n[n.len() - 2], n[n.len() - 1]);
        bloom[word] |= bit;
        i += 1;
    }
    bloom
};

const fn in_bloom(bloom: &Bloom, token: &[u8]) -> bool {
    let n = token.len();
    let second = if n > 1 { token[1] } else { 0 };
    let (word, bit) = bloom_bit(n, token[0], second, token[n - 1]);
    bloom[word] & bit != 0
}

/// Byte classes for the token walk of [`may_have_rule`]: 0 other, 1 lowercase, 2 uppercase,
/// 3 digit.
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = if (b as u8).is_ascii_lowercase() {
            1
        } else if (b as u8).is_ascii_uppercase() {
            2
        } else if (b as u8).is_ascii_digit() {
            3
        } else {
            0
        };
        b += 1;
    }
    t
};

/// Whether `key` may have a rule: some token could start a match, or the key could end
/// like a one-word name. `false` is certain (the full rule would say [`KeyRule::Scan`](super::KeyRule::Scan));
/// `true` means "look closer". Most keys (`merchant_id`, `amount`, `status`) are answered
/// here, in one walk over their bytes with the same token boundaries as [`boundary`](super::boundary).
pub(super) const fn may_have_rule(key: &[u8]) -> bool {
    let n = key.len();
    let mut start = 0;
    let mut prev = 0u8;
    let mut i = 0;
    while i <= n {
        let c = if i < n { CLASS[key[i] as usize] } else { 0 };
        let ends = prev != 0
            && (c == 0
                || (prev == 3) != (c == 3)
                || (prev == 1 && c == 2)
                || (prev == 2 && c == 2 && i + 1 < n && CLASS[key[i + 1] as usize] == 1));
        if ends
            && (in_bloom(&MATCH_STARTS, key.split_at(start).1.split_at(i - start).0)
                || i - start >= 3 && in_bloom(&ENDINGS, key.split_at(i - 3).1.split_at(3).0))
        {
            return true;
        }
        if c != 0 && (prev == 0 || ends) {
            start = i;
        }
        prev = c;
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::{KeyRule, full_rule};
    use super::may_have_rule;

    /// The Bloom filter's quick "no" is never wrong: every key it rejects gets `Scan` from
    /// the full comparison too.
    #[test]
    fn the_quick_rejection_agrees_with_the_full_rule() {
        let mut rng = fastrand::Rng::with_seed(9);
        let words = [
            "cvv",
            "card",
            "code",
            "pin",
            "block",
            "api",
            "key",
            "secret",
            "token",
            "auth",
            "pass",
            "word",
            "id",
            "type",
            "merchant",
            "amount",
            "x",
            "2",
            "security",
            "track",
            "data",
            "signing",
            "session",
            "cookie",
            "sig",
            "nature",
            "verification",
            "value",
            "check",
            "result",
            "dbpassword",
            "PGPASSWORD",
            "accesstoken",
            "cardcvv",
            // The secret pairs' first words.
            "mfa",
            "sms",
            "reset",
            "recovery",
            "backup",
            "codes",
            "device",
            "seed",
            "phrase",
            "private",
            "challenge",
            "answer",
        ];
        for _ in 0..50_000 {
            let n = rng.usize(1..4);
            let mut key = String::new();
            for k in 0..n {
                let w = words[rng.usize(..words.len())];
                match (k, rng.u8(0..4)) {
                    (0, _) => key.push_str(w),
                    (_, 0) => key.push_str(
                        &w[..1]
                            .to_uppercase()
                            .chars()
                            .chain(w[1..].chars())
                            .collect::<String>(),
                    ),
                    (_, 1) => key.push_str(w),
                    (_, 2) => {
                        key.push('_');
                        key.push_str(w);
                    }
                    _ => {
                        key.push('-');
                        key.push_str(&w.to_uppercase());
                    }
                }
            }
            if !may_have_rule(key.as_bytes()) {
                assert_eq!(full_rule(key.as_bytes()), KeyRule::Scan, "{key}");
            }
        }
    }
}
