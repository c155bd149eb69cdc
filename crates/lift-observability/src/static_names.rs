//! A small per-thread cache of verdicts about `'static` names (struct field names, `tracing`
//! field names), found again by the name's address.
//!
//! Only `'static` names are cached, so an address is never reused by another name. The
//! slot mixes every address bit (names are packed tightly in read-only data) and a name may
//! sit in any of four neighbouring slots, so a few dozen names do not evict each other
//! whatever addresses the linker gives them; when all four are taken, the name's own slot
//! is overwritten.

/// How many neighbouring slots a name may use.
const WAYS: usize = 4;

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
}
