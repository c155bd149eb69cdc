//! The item's attribute names: each limit's, so that a changed plan counts afresh — a
//! GCRA's arrival time, a fixed window's count per window, a sliding window's slots — and
//! a slot's name read back into its parts.

use crate::limit::Limit;

use super::{Seen, micros};

/// `<kind>_l<count>_<period in µs>`, the attribute-name part naming `limit` for an algorithm.
pub(super) fn limit_id(kind: &str, limit: &Limit) -> String {
    let mut name = String::with_capacity(40);
    name.push_str(kind);
    name.push_str("_l");
    name.push_str(itoa::Buffer::new().format(limit.count));
    name.push('_');
    name.push_str(itoa::Buffer::new().format(micros(limit.period)));
    name
}

/// `id` followed by `_<n>`.
pub(super) fn numbered(mut id: String, n: u64) -> String {
    id.push('_');
    id.push_str(itoa::Buffer::new().format(n));
    id
}

/// Whether `name` is a GCRA or fixed-window attribute (of any limit).
pub(super) fn is_counter(name: &str) -> bool {
    name.starts_with("g_l") || name.starts_with("f_l")
}

pub(super) fn gcra_attribute(limit: &Limit) -> String {
    limit_id("g", limit)
}

pub(super) fn window_of(limit: &Limit, now_us: u64) -> u64 {
    now_us / micros(limit.period).max(1)
}

pub(super) fn fixed_attribute(limit: &Limit, window: u64) -> String {
    numbered(limit_id("f", limit), window)
}

pub(super) fn slot_attribute(limit: &Limit, slot: u32) -> String {
    numbered(limit_id("s", limit), u64::from(slot))
}

/// The parts of a sliding-window slot's attribute name (`s_l<count>_<period µs>_<slot>`):
/// the limit's count and period, and the slot.
pub(super) fn slot_of_name(name: &str) -> Option<(u32, u64, u32)> {
    // Three numbers separated by `_`, read in one pass; 19 digits always fit a `u64`.
    let mut parts = [0u64; 3];
    let mut part = 0;
    let mut digits = 0;
    for &b in name.strip_prefix("s_l")?.as_bytes() {
        if b.is_ascii_digit() && digits < 19 {
            parts[part] = parts[part] * 10 + u64::from(b - b'0');
            digits += 1;
        } else if b == b'_' && digits > 0 && part < 2 {
            part += 1;
            digits = 0;
        } else {
            return None;
        }
    }
    if part < 2 || digits == 0 {
        return None;
    }
    let [count, period_us, slot] = parts;
    Some((
        u32::try_from(count).ok()?,
        period_us,
        u32::try_from(slot).ok()?,
    ))
}

/// `limit`'s sliding-window slots in `seen` and their admission times.
pub(super) fn slot_times<'a>(
    limit: &Limit,
    seen: &'a Seen,
) -> impl Iterator<Item = (u32, u64)> + 'a {
    let (count, period_us) = (limit.count, micros(limit.period));
    seen.slots
        .iter()
        .filter(move |s| s.count == count && s.period_us == period_us && s.slot < count)
        .map(|s| (s.slot, s.time))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamodb::test_support::limits;

    #[test]
    fn a_slot_name_is_read_back_into_its_parts_and_nothing_else_is() {
        let l = limits("100/min").as_slice()[0];
        assert_eq!(
            slot_of_name(&slot_attribute(&l, 42)),
            Some((100, 60_000_000, 42))
        );
        for other in [
            "s_l100_60000000",
            "s_l100_60000000_",
            "s_l100_60000000_4x",
            "s_l100__1",
            "s_lx_1_1",
            "g_l100_60000000",
            "s_l4294967296_1_1",
            "s_l1_99999999999999999999_1",
        ] {
            assert_eq!(slot_of_name(other), None, "{other}");
        }
    }
}
