//! One conditional `UpdateItem`: its `SET`, `ADD` and `REMOVE` clauses, the condition that
//! every limit admits the request, and the placeholders for names and numbers — built from
//! the item as last seen (a GCRA's idle or busy form, a sliding window's free slot).

use std::time::Duration;

use crate::algorithm::Algorithm;
use crate::limit::Limits;

use super::attributes::{fixed_attribute, gcra_attribute, limit_id, slot_attribute, window_of};
use super::judge::free_slot;
use super::wire::Placeholder;
use super::{Seen, TTL_ATTRIBUTE, micros};

/// One conditional update: its clauses, condition and placeholders.
pub(super) struct Update {
    /// The `SET`, `ADD` and `REMOVE` clauses' parts, each `, `-separated.
    pub(super) set: String,
    pub(super) add: String,
    pub(super) remove: String,
    /// The condition, its parts joined by `AND`.
    pub(super) condition: String,
    /// Placeholder and attribute name, in the order they were named.
    pub(super) names: Vec<(Placeholder, String)>,
    /// Placeholder and number.
    pub(super) values: Vec<(Placeholder, u64)>,
    /// The sliding-window slot this update takes, for each limit.
    pub(super) written: Vec<u32>,
}

/// Appends `parts` to `text`, after `separator` unless `text` is empty.
fn append(text: &mut String, separator: &str, parts: &[&str]) {
    if !text.is_empty() {
        text.push_str(separator);
    }
    for part in parts {
        text.push_str(part);
    }
}

/// Adds `(attribute_not_exists(name) OR name <op> bound)` to `condition`.
fn absent_or(condition: &mut String, name: &str, op: &str, bound: &str) {
    append(
        condition,
        " AND ",
        &[
            "(attribute_not_exists(",
            name,
            ") OR ",
            name,
            op,
            bound,
            ")",
        ],
    );
}

impl Update {
    pub(super) fn new(limits: &Limits, algorithm: Algorithm, now_us: u64, seen: &Seen) -> Self {
        let view = &seen.numbers;
        let n = limits.as_slice().len();
        // Room for every part of one limit or two without regrowing.
        let mut u = Update {
            set: String::with_capacity(64),
            add: String::new(),
            remove: String::new(),
            condition: String::with_capacity(96),
            names: Vec::with_capacity(2 * n + 1),
            values: Vec::with_capacity(2 * n + 3),
            written: Vec::new(),
        };
        let now = Placeholder::new(":now");
        if algorithm == Algorithm::Gcra {
            // DynamoDB refuses a placeholder no expression uses.
            u.values.push((now, now_us));
        }
        let mut longest = Duration::ZERO;
        for (i, limit) in limits.as_slice().iter().enumerate() {
            longest = longest.max(limit.period);
            let name = Placeholder::numbered("#a", i, None);
            match algorithm {
                Algorithm::FixedWindow => {
                    let window = window_of(limit, now_us);
                    let count = Placeholder::numbered(":c", i, None);
                    u.names.push((name, fixed_attribute(limit, window)));
                    u.values.push((count, u64::from(limit.count)));
                    absent_or(&mut u.condition, name.as_str(), " < ", count.as_str());
                    append(&mut u.add, ", ", &[name.as_str(), " :one"]);
                    // The window before, and any older one this process has seen.
                    let mut prefix = limit_id("f", limit);
                    prefix.push('_');
                    let mut stale: Vec<String> = view
                        .keys()
                        .filter(|k| {
                            k.strip_prefix(prefix.as_str())
                                .and_then(|w| w.parse::<u64>().ok())
                                .is_some_and(|w| w < window)
                        })
                        .cloned()
                        .collect();
                    let previous = fixed_attribute(limit, window.saturating_sub(1));
                    if window > 0 && !stale.contains(&previous) {
                        stale.push(previous);
                    }
                    for (j, old) in stale.into_iter().enumerate() {
                        let old_name = Placeholder::numbered("#r", i, Some(j));
                        append(&mut u.remove, ", ", &[old_name.as_str()]);
                        u.names.push((old_name, old));
                    }
                }
                Algorithm::SlidingWindow => {
                    // A slot whose admission has left the window, or an empty one, at
                    // random (so concurrent writers rarely pick the same); with none free
                    // by this view, the first — the condition asks the item.
                    let cut = now_us.saturating_sub(micros(limit.period));
                    let slot = free_slot(limit, seen, cut);
                    let out = Placeholder::numbered(":x", i, None);
                    u.names.push((name, slot_attribute(limit, slot)));
                    u.values.push((out, cut));
                    absent_or(&mut u.condition, name.as_str(), " <= ", out.as_str());
                    append(&mut u.set, ", ", &[name.as_str(), " = :t"]);
                    u.written.push(slot);
                }
                _ => {
                    let attribute = gcra_attribute(limit);
                    let interval = micros(limit.interval());
                    let tolerance = micros(limit.period.saturating_sub(limit.interval()));
                    let busy = view.get(&attribute).is_some_and(|tat| *tat > now_us);
                    u.names.push((name, attribute));
                    let name = name.as_str();
                    if busy {
                        let step = Placeholder::numbered(":i", i, None);
                        let bound = Placeholder::numbered(":b", i, None);
                        append(
                            &mut u.condition,
                            " AND ",
                            &[
                                "(",
                                name,
                                " >= :now AND ",
                                name,
                                " <= ",
                                bound.as_str(),
                                ")",
                            ],
                        );
                        append(&mut u.set, ", ", &[name, " = ", name, " + ", step.as_str()]);
                        u.values.push((step, interval));
                        u.values.push((bound, now_us.saturating_add(tolerance)));
                    } else {
                        let next = Placeholder::numbered(":n", i, None);
                        absent_or(&mut u.condition, name, " <= ", now.as_str());
                        append(&mut u.set, ", ", &[name, " = ", next.as_str()]);
                        u.values.push((next, now_us.saturating_add(interval)));
                    }
                }
            }
        }
        if !u.add.is_empty() {
            u.values.push((Placeholder::new(":one"), 1));
        }
        if !u.written.is_empty() {
            u.values.push((Placeholder::new(":t"), now_us));
        }
        u.names
            .push((Placeholder::new("#ttl"), TTL_ATTRIBUTE.to_owned()));
        let expires = (now_us / 1_000_000)
            .saturating_add(longest.as_secs())
            .saturating_add(60);
        u.values.push((Placeholder::new(":ttl"), expires));
        append(&mut u.set, ", ", &["#ttl = :ttl"]);
        u
    }

    /// The update expression: its `SET`, `ADD` and `REMOVE` clauses.
    pub(super) fn expression(&self) -> String {
        let mut out =
            String::with_capacity(self.set.len() + self.add.len() + self.remove.len() + 24);
        for (clause, parts) in [
            ("SET ", &self.set),
            ("ADD ", &self.add),
            ("REMOVE ", &self.remove),
        ] {
            if !parts.is_empty() {
                append(&mut out, " ", &[clause, parts]);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamodb::judge::{admitted, judge};
    use crate::dynamodb::test_support::{limits, numbers};

    /// The attribute name `placeholder` stands for in `u`.
    fn name<'a>(u: &'a Update, placeholder: &str) -> &'a str {
        let found = u.names.iter().find(|(p, _)| p.as_str() == placeholder);
        found.map_or("", |(_, n)| n.as_str())
    }

    /// The number `placeholder` stands for in `u`.
    fn value(u: &Update, placeholder: &str) -> Option<u64> {
        u.values
            .iter()
            .find(|(p, _)| p.as_str() == placeholder)
            .map(|(_, v)| *v)
    }

    #[test]
    fn a_sliding_update_takes_a_free_slot_under_the_condition_that_it_is_still_free() {
        let l = limits("3/s");
        let now = 10_000_000;
        // Slots 0 and 2 hold admissions inside the window; slot 1's has left it.
        let seen = numbers([
            ("s_l3_1000000_0", 9_500_000),
            ("s_l3_1000000_1", 8_500_000),
            ("s_l3_1000000_2", 9_900_000),
        ]);
        let u = Update::new(&l, Algorithm::SlidingWindow, now, &seen);
        assert_eq!(name(&u, "#a0"), "s_l3_1000000_1");
        assert_eq!(u.expression(), "SET #a0 = :t, #ttl = :ttl");
        assert_eq!(u.condition, "(attribute_not_exists(#a0) OR #a0 <= :x0)");
        assert_eq!(value(&u, ":x0"), Some(9_000_000));
        // Reported as the log would: two in the window before this one, none left after.
        let mut after = seen.clone();
        after.slots.retain(|s| s.slot != 1);
        after.insert("s_l3_1000000_1", now);
        let d = admitted(&l, Algorithm::SlidingWindow, now, &after, &u.written);
        assert!(d.allowed);
        assert_eq!(d.remaining, 0);
        assert!(!judge(&l, Algorithm::SlidingWindow, now, &after).allowed);
    }

    #[test]
    fn a_gcra_update_takes_its_form_from_the_last_seen_item() {
        let l = limits("10/s");
        let now = 5_000_000;
        let idle = Update::new(&l, Algorithm::Gcra, now, &Seen::default());
        assert_eq!(idle.expression(), "SET #a0 = :n0, #ttl = :ttl");
        assert_eq!(idle.condition, "(attribute_not_exists(#a0) OR #a0 <= :now)");
        assert_eq!(name(&idle, "#a0"), "g_l10_1000000");
        let seen = numbers([("g_l10_1000000", now + 300_000)]);
        let busy = Update::new(&l, Algorithm::Gcra, now, &seen);
        assert_eq!(busy.expression(), "SET #a0 = #a0 + :i0, #ttl = :ttl");
        assert_eq!(busy.condition, "(#a0 >= :now AND #a0 <= :b0)");
        assert_eq!(value(&busy, ":b0"), Some(now + 900_000));
    }

    #[test]
    fn a_fixed_window_update_counts_and_drops_older_windows() {
        let l = limits("100/min,1000/h");
        let now = 7_200_000_000 + 61_000_000; // window 121 of the minute, 2 of the hour
        let seen = numbers([("f_l100_60000000_100", 3)]);
        let u = Update::new(&l, Algorithm::FixedWindow, now, &seen);
        assert_eq!(name(&u, "#a0"), "f_l100_60000000_121");
        assert_eq!(name(&u, "#a1"), "f_l1000_3600000000_2");
        let removed: Vec<&str> = u.remove.split(", ").map(|r| name(&u, r)).collect();
        assert_eq!(
            removed,
            [
                "f_l100_60000000_100",
                "f_l100_60000000_120",
                "f_l1000_3600000000_1"
            ]
        );
        assert_eq!(
            u.expression(),
            "SET #ttl = :ttl ADD #a0 :one, #a1 :one REMOVE #r0_0, #r0_1, #r1_0"
        );
    }
}
