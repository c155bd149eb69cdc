//! Bytes in JSON: a list of numbers, as serde writes `Vec<u8>` — and such a list read
//! back as the text it holds and written again redacted when anything in it is found.

use crate::redact::{Redactor, encoded};

/// Writes `bytes` as serde writes bytes in JSON: a list of numbers.
pub(super) fn write_byte_list(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'[');
    for (k, &b) in bytes.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        out.extend_from_slice(itoa::Buffer::new().format(b).as_bytes());
    }
    out.push(b']');
}

/// The list just written at `start` (`[52,49,…]`), if it is a list of bytes (`Vec<u8>`, a
/// `[u8; N]`): read as the text it holds and written again redacted, when anything in it
/// was found. Any other list is left as it is.
#[cold]
pub(super) fn redact_byte_list(redactor: &Redactor, out: &mut Vec<u8>, start: usize) {
    let list = &out[start..];
    let Some((len, end)) = encoded::byte_list(list) else {
        return;
    };
    if end != list.len() {
        return;
    }
    if let Some(redacted) = encoded::with_byte_values(list, len, |b| redactor.redact_bytes(b)) {
        out.truncate(start);
        write_byte_list(out, &redacted);
    }
}
