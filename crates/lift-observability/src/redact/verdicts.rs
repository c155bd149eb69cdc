//! Built-in key rules of names known only at run time, remembered per thread by content.
//!
//! A name found before `=` or `:` in free text, or a field key built at run time, is judged
//! by [`builtin_rule_of_bytes`] — a walk over its tokens that costs a few hundred
//! instructions. The same few names come back line after line (`limit`, `function`,
//! `starting_after`, an ARN's `arn`, `aws`, `lambda`), so [`builtin_rule`] keeps the
//! verdicts of names up to [`MAX_CACHED`] bytes in a small direct-mapped table per thread,
//! found again by the name's bytes themselves (held whole, compared whole: a hit is the
//! verdict of exactly that name, never of one that merely hashes alike). Longer names, and
//! a thread whose table is gone (during its teardown), are judged every time.

use std::cell::Cell;

use super::keys::{KeyRule, builtin_rule_of_bytes};

/// Names up to this many bytes are remembered.
pub(crate) const MAX_CACHED: usize = 16;

/// Slots per thread (a power of two: the slot is the hash's top bits).
const SLOTS: usize = 256;

/// One remembered verdict: the name packed into two words (see [`pack`]), its length
/// (0: empty slot — a cached name is never empty) and its rule.
#[derive(Clone, Copy)]
struct Slot {
    words: [u64; 2],
    len: u8,
    rule: KeyRule,
}

const EMPTY: Slot = Slot {
    words: [0; 2],
    len: 0,
    rule: KeyRule::Scan,
};

thread_local! {
    static VERDICTS: [Cell<Slot>; SLOTS] = const { [const { Cell::new(EMPTY) }; SLOTS] };
}

/// The name's bytes as two words, without a copy loop: for a given length the words
/// determine the bytes (overlapping reads cover every byte), so two names of one length
/// pack alike only when they are equal. `None` when empty or longer than [`MAX_CACHED`].
fn pack(name: &[u8]) -> Option<[u64; 2]> {
    let n = name.len();
    if let (Some(head), Some(tail)) = (name.first_chunk::<8>(), name.last_chunk::<8>()) {
        return (n <= MAX_CACHED).then(|| [u64::from_le_bytes(*head), u64::from_le_bytes(*tail)]);
    }
    if let (Some(head), Some(tail)) = (name.first_chunk::<4>(), name.last_chunk::<4>()) {
        let word =
            u64::from(u32::from_le_bytes(*head)) | u64::from(u32::from_le_bytes(*tail)) << 32;
        return Some([word, 0]);
    }
    // One to three bytes: the first, middle and last cover them all.
    let (&first, &last) = (name.first()?, name.last()?);
    let middle = name[n / 2];
    Some([
        u64::from(first) | u64::from(middle) << 8 | u64::from(last) << 16,
        0,
    ])
}

/// The slot of a packed name of length `len`.
fn slot_of(words: [u64; 2], len: usize) -> usize {
    let mixed = (words[0] ^ words[1].rotate_left(29) ^ (len as u64) << 56)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (mixed >> (u64::BITS - SLOTS.trailing_zeros())) as usize
}

/// [`builtin_rule_of_bytes`] for `name`, remembered per thread when `name` is short.
#[inline]
pub(crate) fn builtin_rule(name: &[u8]) -> KeyRule {
    let Some(words) = pack(name) else {
        return builtin_rule_of_bytes(name);
    };
    let len = name.len();
    VERDICTS
        .try_with(|slots| {
            let slot = &slots[slot_of(words, len) % SLOTS];
            let seen = slot.get();
            if usize::from(seen.len) == len && seen.words == words {
                return seen.rule;
            }
            let rule = builtin_rule_of_bytes(name);
            slot.set(Slot {
                words,
                // `len` ≤ MAX_CACHED: it fits.
                len: len as u8,
                rule,
            });
            rule
        })
        .unwrap_or_else(|_| builtin_rule_of_bytes(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_one_length_pack_alike_only_when_equal() {
        // Every name of one to ten bytes over a three-letter alphabet: no two distinct
        // names of a length share their words.
        for len in 1..=10 {
            let mut seen = std::collections::HashMap::new();
            let count = 3usize.pow(len as u32);
            for i in 0..count {
                let name: Vec<u8> = (0..len)
                    .map(|k| b"abc"[(i / 3usize.pow(k as u32)) % 3])
                    .collect();
                let words = pack(&name).expect("short names pack");
                if let Some(other) = seen.insert(words, name.clone()) {
                    panic!("{other:?} and {name:?} pack alike");
                }
            }
        }
        assert_eq!(pack(b""), None);
        assert_eq!(pack(&[b'a'; MAX_CACHED + 1]), None);
        assert!(pack(&[b'a'; MAX_CACHED]).is_some());
    }

    #[test]
    fn a_remembered_verdict_is_the_names_own() {
        // Far more names than slots, sensitive and benign, asked for twice in turn: every
        // answer equals the uncached rule (a slot taken by another name is never its verdict).
        let stems = [
            "cvv",
            "card_cvv",
            "limit",
            "pin",
            "pin_length",
            "password",
            "passwd",
            "token",
            "token_type",
            "api_key",
            "key",
            "aws",
            "arn",
            "function",
            "cvvCode",
            "secretKey",
            "starting_after",
            "us-east-1",
            "Authorization",
            "cid",
            "x",
        ];
        let mut names: Vec<String> = Vec::new();
        for stem in stems {
            names.push(stem.to_owned());
            for i in 0..40 {
                names.push(format!("{stem}{i}"));
                names.push(format!("{i}_{stem}"));
            }
        }
        names.push("a_name_longer_than_the_cache_holds_password".to_owned());
        for _ in 0..2 {
            for name in &names {
                assert_eq!(
                    builtin_rule(name.as_bytes()),
                    builtin_rule_of_bytes(name.as_bytes()),
                    "{name}"
                );
            }
        }
    }
}
