//! A small per-thread cache of verdicts about `'static` names (struct field names, `tracing`
//! field names), found again by the name's address.
//!
//! Only `'static` names are cached, so an address is never reused by another name. The
//! slot mixes every address bit (names are packed tightly in read-only data) and a name may
//! sit in any of eight neighbouring slots, so a few dozen names do not evict each other
//! whatever addresses the linker gives them; when all eight are taken, the name's own slot
//! is overwritten. (With four, one build of the corpus benchmark put five of its hot field
//! names in one window: two of them evicted each other on every entry, and each miss decided
//! a key's rules again — a fifth more instructions for a nested body.)

/// How many neighbouring slots a name may use.
const WAYS: usize = 8;

/// `N` slots of `(address, length, verdict)`.
#[derive(Debug)]
pub(crate) struct StaticNames<T: Copy, const N: usize> {
    slots: [Option<(usize, usize, T)>; N],
}

impl<T: Copy, const N: usize> StaticNames<T, N> {
    /// An empty cache.
    pub(crate) const fn new() -> Self {
        Self { slots: [None; N] }
    }

    fn home(name: &'static str) -> (usize, usize) {
        let address = name.as_ptr() as usize;
        let mixed =
            (address ^ name.len().rotate_left(17)).wrapping_mul(0x9e37_79b9_7f4a_7c15_u64 as usize);
        (address, (mixed >> (usize::BITS - 16)) % N)
    }

    /// The verdict cached for `name`.
    #[inline]
    pub(crate) fn get(&self, name: &'static str) -> Option<T> {
        let (address, home) = Self::home(name);
        (0..WAYS).find_map(|k| match self.slots[(home + k) % N] {
            Some((a, n, verdict)) if a == address && n == name.len() => Some(verdict),
            _ => None,
        })
    }

    /// Caches `verdict` for `name`.
    pub(crate) fn put(&mut self, name: &'static str, verdict: T) {
        let (address, home) = Self::home(name);
        let slot = (0..WAYS)
            .map(|k| (home + k) % N)
            .find(|&s| self.slots[s].is_none())
            .unwrap_or(home);
        self.slots[slot] = Some((address, name.len(), verdict));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forty_names_in_sixty_four_slots_all_stay() {
        // Packed back to back, as the linker packs names in read-only data (separately
        // allocated strings would make the addresses, and so the test, depend on the heap).
        let packed: &'static str = Box::leak(
            (0..40)
                .map(|i| format!("field_{i:02}"))
                .collect::<String>()
                .into(),
        );
        let names: Vec<&'static str> = (0..40).map(|i| &packed[i * 8..i * 8 + 8]).collect();
        let mut cache = StaticNames::<usize, 64>::new();
        for (i, name) in names.iter().enumerate() {
            cache.put(name, i);
        }
        let kept = names
            .iter()
            .enumerate()
            .filter(|(i, name)| cache.get(name) == Some(*i))
            .count();
        assert!(kept >= 36, "{kept} of 40 kept");
        assert_eq!(cache.get("never cached"), None);
    }

    #[test]
    fn six_names_with_one_home_slot_all_stay() {
        // Names whose addresses mix to the same slot, found among many packed ones.
        let packed: &'static str = Box::leak(
            (0..4096)
                .map(|i| format!("k{i:04}"))
                .collect::<String>()
                .into(),
        );
        let names: Vec<&'static str> = (0..4096).map(|i| &packed[i * 5..i * 5 + 5]).collect();
        let home = StaticNames::<usize, 256>::home(names[0]).1;
        let same: Vec<&'static str> = names
            .iter()
            .copied()
            .filter(|n| StaticNames::<usize, 256>::home(n).1 == home)
            .take(6)
            .collect();
        assert_eq!(same.len(), 6);
        let mut cache = StaticNames::<usize, 256>::new();
        for (i, name) in same.iter().enumerate() {
            cache.put(name, i);
        }
        for (i, name) in same.iter().enumerate() {
            assert_eq!(cache.get(name), Some(i), "{name}");
        }
    }
}
