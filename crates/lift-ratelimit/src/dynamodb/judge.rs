//! Verdicts from an item as this process saw it, as the in-memory store would give them:
//! before a call (a denial the item already shows costs no write), after an admission
//! (reported from the state before it), and the free slot a sliding window takes.

use std::time::Duration;

use crate::algorithm::{Algorithm, LimitState, decide};
use crate::decision::Decision;
use crate::limit::{Limit, Limits};

use super::attributes::{fixed_attribute, gcra_attribute, slot_times, window_of};
use super::{Seen, micros};

/// Whether some limit's window holds as many admissions as it allows, by `seen` — the
/// sliding window's denial (as [`judge`] would give it), counted without building states.
pub(super) fn window_full(limits: &Limits, now_us: u64, seen: &Seen) -> bool {
    limits.as_slice().iter().any(|limit| {
        matches!(
            sliding_state(limit, seen, now_us, None),
            LimitState::SlidingSummary { inside, .. } if inside >= limit.count
        )
    })
}

/// `limit`'s sliding window ending at `now_us` as `seen` holds it, without the slot `taken`
/// (if any), summed up.
fn sliding_state(limit: &Limit, seen: &Seen, now_us: u64, taken: Option<u32>) -> LimitState {
    let cut = now_us.saturating_sub(micros(limit.period));
    let (mut inside, mut oldest, mut newest) = (0u32, u64::MAX, 0);
    for (slot, time) in slot_times(limit, seen) {
        if time > cut && Some(slot) != taken {
            inside += 1;
            oldest = oldest.min(time);
            newest = newest.max(time);
        }
    }
    LimitState::SlidingSummary {
        inside,
        oldest: oldest.saturating_mul(1_000),
        newest: newest.saturating_mul(1_000),
    }
}

/// A slot of `limit` whose admission has left the window (time at most `cut`) or that is
/// empty, at random (so concurrent writers rarely pick the same); with none free in `seen`,
/// the first — the update's condition asks the item.
pub(super) fn free_slot(limit: &Limit, seen: &Seen, cut: u64) -> u32 {
    let words = usize::try_from(limit.count.div_ceil(64)).unwrap_or(0);
    // On the stack for limits up to 256 slots.
    let (mut small, mut large) = ([0u64; 4], Vec::new());
    let taken: &mut [u64] = if words <= small.len() {
        &mut small[..words]
    } else {
        large.resize(words, 0);
        &mut large
    };
    let mut in_window = 0;
    for (slot, time) in slot_times(limit, seen) {
        if time > cut {
            let (word, bit) = ((slot / 64) as usize, slot % 64);
            if taken[word] & 1 << bit == 0 {
                taken[word] |= 1 << bit;
                in_window += 1;
            }
        }
    }
    let free = limit.count - in_window;
    if free == 0 {
        return 0;
    }
    // The `pick`-th free slot.
    let mut pick = fastrand::u32(..free);
    for (w, word) in taken.iter().enumerate() {
        let base = w as u32 * 64;
        let slots_here = (limit.count - base).min(64);
        let free_here = slots_here - word.count_ones();
        if pick < free_here {
            let mut open = !word;
            for _ in 0..pick {
                open &= open - 1;
            }
            return base + open.trailing_zeros();
        }
        pick -= free_here;
    }
    0
}

/// The verdict on a request at `now_us` for an item as `seen`, as the in-memory store
/// would give it.
pub(super) fn judge(limits: &Limits, algorithm: Algorithm, now_us: u64, seen: &Seen) -> Decision {
    let mut states = states_of(limits, algorithm, now_us, seen, &[]);
    decide(
        &mut states,
        limits,
        algorithm,
        Duration::from_micros(now_us),
    )
}

/// The algorithm's state for each limit, read from an item's numbers at `now_us`; a
/// sliding window's without the slot `taken` names for its limit (if any).
fn states_of(
    limits: &Limits,
    algorithm: Algorithm,
    now_us: u64,
    seen: &Seen,
    taken: &[u32],
) -> Vec<LimitState> {
    let item = &seen.numbers;
    limits
        .as_slice()
        .iter()
        .enumerate()
        .map(|(i, limit)| match algorithm {
            Algorithm::FixedWindow => {
                let window = window_of(limit, now_us);
                LimitState::Fixed {
                    window: window
                        .saturating_mul(micros(limit.period))
                        .saturating_mul(1_000),
                    count: item
                        .get(&fixed_attribute(limit, window))
                        .map_or(0, |c| u32::try_from(*c).unwrap_or(u32::MAX)),
                }
            }
            Algorithm::SlidingWindow => sliding_state(limit, seen, now_us, taken.get(i).copied()),
            _ => LimitState::Gcra {
                tat: item
                    .get(&gcra_attribute(limit))
                    .map_or(0, |t| t.saturating_mul(1_000)),
            },
        })
        .collect()
}

/// The decision for a request DynamoDB admitted, from the item after it: the state before
/// it (this request taken back out) judged as the in-memory store judges.
pub(super) fn admitted(
    limits: &Limits,
    algorithm: Algorithm,
    now_us: u64,
    after: &Seen,
    written: &[u32],
) -> Decision {
    let mut states = states_of(limits, algorithm, now_us, after, written);
    for (limit, state) in limits.as_slice().iter().zip(&mut states) {
        match state {
            LimitState::Gcra { tat } => {
                *tat = tat.saturating_sub(micros(limit.interval()).saturating_mul(1_000));
            }
            LimitState::Fixed { count, .. } => *count = count.saturating_sub(1),
            // The slot this request took was left out.
            LimitState::Sliding { .. } | LimitState::SlidingSummary { .. } => {}
        }
    }
    admission(decide(
        &mut states,
        limits,
        algorithm,
        Duration::from_micros(now_us),
    ))
}

/// DynamoDB admitted the request: that is the verdict, whatever a rounding says.
fn admission(mut decision: Decision) -> Decision {
    decision.allowed = true;
    decision.retry_after = None;
    decision
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamodb::attributes::slot_attribute;
    use crate::dynamodb::test_support::{limits, numbers};

    #[test]
    fn a_free_slot_is_one_outside_the_window_or_empty_and_every_one_can_be_picked() {
        // 130 slots (three words of the bitmap): every third inside the window, slot 1
        // outside it, a name past the limit's count and another limit's slot ignored.
        let l = limits("130/s").as_slice()[0];
        let now = 10_000_000;
        let cut = now - 1_000_000;
        let mut pairs: Vec<(String, u64)> = (0..130)
            .filter(|k| k % 3 == 0)
            .map(|k| (format!("s_l130_1000000_{k}"), now - 10))
            .collect();
        pairs.push(("s_l130_1000000_1".into(), cut));
        pairs.push(("s_l130_1000000_200".into(), now));
        pairs.push(("s_l7_1000000_2".into(), now));
        let mut seen = Seen::default();
        for (name, time) in &pairs {
            seen.insert(name, *time);
        }
        let mut picked = std::collections::HashSet::new();
        for _ in 0..20_000 {
            let slot = free_slot(&l, &seen, cut);
            assert!(slot < 130 && slot % 3 != 0, "{slot}");
            picked.insert(slot);
        }
        assert_eq!(picked.len(), 130 - 44);
        // None free: the first.
        let mut full = Seen::default();
        for k in 0..130 {
            full.insert(&format!("s_l130_1000000_{k}"), now);
        }
        assert_eq!(free_slot(&l, &full, cut), 0);
        // Over 256 slots (the bitmap on the heap): all but slot 299 taken.
        let l = limits("300/s").as_slice()[0];
        let mut nearly = Seen::default();
        for k in 0..299 {
            nearly.insert(&format!("s_l300_1000000_{k}"), now);
        }
        assert_eq!(free_slot(&l, &nearly, cut), 299);
    }

    #[test]
    fn an_admission_is_reported_from_the_state_before_it() {
        let l = limits("10/s");
        let now = 5_000_000;
        // After one admission on an idle key: tat = now + 100 ms.
        let after = numbers([("g_l10_1000000", now + 100_000)]);
        let d = admitted(&l, Algorithm::Gcra, now, &after, &[]);
        assert!(d.allowed);
        assert_eq!(d.remaining, 9);
        let after = numbers([("f_l10_1000000_5", 4)]);
        let d = admitted(&l, Algorithm::FixedWindow, now, &after, &[]);
        assert_eq!(d.remaining, 6);
    }

    /// An item holding `slots` (slot → time in µs) of each of `limits`' sliding windows.
    fn sliding_item(limits: &Limits, slots: &[std::collections::BTreeMap<u32, u64>]) -> Seen {
        let mut item = Seen::default();
        for (limit, slots) in limits.as_slice().iter().zip(slots) {
            for (slot, time) in slots {
                item.insert(&slot_attribute(limit, *slot), *time);
            }
        }
        item
    }

    /// The in-memory store's verdict on the same admissions: each limit's whole log, sorted
    /// (expired times too: the log forgets them itself).
    fn by_the_log(
        limits: &Limits,
        slots: &[std::collections::BTreeMap<u32, u64>],
        now_us: u64,
    ) -> Decision {
        let mut states = slots
            .iter()
            .map(|slots| {
                let mut log: Vec<u64> = slots.values().map(|t| t * 1_000).collect();
                log.sort_unstable();
                LimitState::Sliding {
                    admitted: log.into(),
                }
            })
            .collect();
        decide(
            &mut states,
            limits,
            Algorithm::SlidingWindow,
            Duration::from_micros(now_us),
        )
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        #[test]
        fn a_sliding_item_is_judged_as_the_log_of_its_admissions(
            // Times on a 250 ms grid, so that admissions fall on the windows' edges, later
            // than the longest period after the epoch (as any clock's now).
            first in proptest::collection::btree_map(0u32..5, (8u64..20).prop_map(|t| t * 250_000), 0..6),
            second in proptest::collection::btree_map(0u32..8, (8u64..20).prop_map(|t| t * 250_000), 0..9),
            now_us in (8u64..24).prop_map(|t| t * 250_000),
            take in proptest::prelude::any::<(u32, u32)>(),
        ) {
            let l = limits("5/s,8/2s");
            let slots = [first, second];
            let item = sliding_item(&l, &slots);
            proptest::prop_assert_eq!(
                judge(&l, Algorithm::SlidingWindow, now_us, &item),
                by_the_log(&l, &slots, now_us)
            );
            // An admission at `now_us` into one slot of each limit: reported from the log
            // without it.
            let written = [take.0 % 5, take.1 % 8];
            let mut after = slots.clone();
            for (slots, slot) in after.iter_mut().zip(written) {
                slots.insert(slot, now_us);
            }
            let mut before = after.clone();
            for (slots, slot) in before.iter_mut().zip(written) {
                slots.remove(&slot);
            }
            let reported = admitted(
                &l,
                Algorithm::SlidingWindow,
                now_us,
                &sliding_item(&l, &after),
                &written,
            );
            proptest::prop_assert_eq!(reported, admission(by_the_log(&l, &before, now_us)));
        }
    }
}
