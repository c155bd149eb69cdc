//! Appending short pieces — keys, ids, codes — without a `memcpy` call each.
//!
//! A JSON line is put together from a dozen or more pieces of a few to a few dozen bytes.
//! Appended with `extend_from_slice`, each is a call to the C library's `memcpy`, whose
//! branches on the length are shared by every piece of every line, so the processor
//! mispredicts them often. [`append`] copies a piece of up to 32 bytes as two fixed-size
//! copies that overlap (its first and its last 4, 8 or 16 bytes), inline at each call site,
//! where the lengths seen are few and the branches predictable.

/// Appends `bytes` to `out`.
#[inline(always)]
pub(crate) fn append(out: &mut Vec<u8>, bytes: &[u8]) {
    let n = bytes.len();
    if !(4..=32).contains(&n) {
        out.extend_from_slice(bytes);
    } else if n >= 16 {
        overlapping::<16>(out, bytes);
    } else if n >= 8 {
        overlapping::<8>(out, bytes);
    } else {
        overlapping::<4>(out, bytes);
    }
}

/// Appends `bytes` (`W` to `2 * W` bytes long) as its first `W` bytes and then its last
/// `W`, the second copy written over the first's surplus.
#[inline(always)]
fn overlapping<const W: usize>(out: &mut Vec<u8>, bytes: &[u8]) {
    if let (Some(head), Some(tail)) = (bytes.first_chunk::<W>(), bytes.last_chunk::<W>()) {
        out.reserve(2 * W);
        let at = out.len();
        out.extend_from_slice(head);
        out.truncate(at + bytes.len() - W);
        out.extend_from_slice(tail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_length_is_appended_exactly() {
        let source: Vec<u8> = (0..80u8).collect();
        for before in [0, 1, 7, 30] {
            for n in 0..=80 {
                let mut out = vec![b'x'; before];
                append(&mut out, &source[..n]);
                assert_eq!(out.len(), before + n, "{n} after {before}");
                assert_eq!(&out[before..], &source[..n], "{n} after {before}");
                assert!(out[..before].iter().all(|&b| b == b'x'));
            }
        }
    }
}
