//! The byte classes the free-text detectors walk by — a name's bytes, a value's end, a URL's
//! authority and its path's segments, a word, a credential token — defined once and answered
//! from one table.
//!
//! A detector's loop over a name such as `us-east-1` or `starting_after` asks of every byte
//! whether it belongs; written as comparisons, each byte branches on *which* kind of byte it
//! is (a digit, a letter, a dash), and letters and digits in turn are branches a processor
//! cannot predict. [`CLASSES`] answers every question with one load and one test, so the
//! loop branches only where it ends.

/// Bytes of a bare name in free text: letters, digits, `_`, `-`, `.`.
pub(crate) const NAME: u8 = 1;
/// [`NAME`] and the mask character (a masked card inside a name is name bytes).
pub(crate) const NAME_OR_MASK: u8 = 1 << 1;
/// Bytes of a URL's authority (RFC 3986 3.2: unreserved, percent-encoded, sub-delims, `:`
/// and `@`). Anything else ends it — so text Lift replaced (`[REMOVED]`) never becomes part
/// of one on a second pass.
pub(crate) const AUTHORITY: u8 = 1 << 2;
/// Letters and digits, and the mask character: a byte that makes a word go on.
pub(crate) const WORD: u8 = 1 << 3;
/// Where an unquoted value ends: whitespace, `&,;"')]}<>\`.
pub(crate) const VALUE_END: u8 = 1 << 4;
/// Bytes of a credential token (RFC 6750's `b64token` and base64, and the `$` that joins a
/// Braintree access token's parts: `access_token$production$…$…`).
pub(crate) const TOKEN: u8 = 1 << 5;
/// Bytes of a URL path's segment, as a webhook's secret is written: RFC 3986's unreserved
/// characters, `%`, `:`, `@`, `+`, `=` and `*` (the mask character: a masked card number
/// stays one segment) — not the sub-delimiters prose puts after a URL (`,;)!'`).
pub(crate) const SEGMENT: u8 = 1 << 6;

/// The classes of `b`, by definition.
const fn classes_of(b: u8) -> u8 {
    let alnum = b.is_ascii_alphanumeric();
    let mask = b == super::card::MASK_CHAR as u8;
    let name = alnum || matches!(b, b'_' | b'-' | b'.');
    let authority = alnum
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'%'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
        );
    let value_end = b.is_ascii_whitespace()
        || matches!(
            b,
            b'&' | b',' | b';' | b'"' | b'\'' | b')' | b']' | b'}' | b'<' | b'>' | b'\\'
        );
    let token = alnum || matches!(b, b'-' | b'_' | b'.' | b'~' | b'+' | b'/' | b'=' | b'$');
    let segment = alnum
        || matches!(
            b,
            b'-' | b'.' | b'_' | b'~' | b'%' | b':' | b'@' | b'+' | b'=' | b'*'
        );
    flag(name, NAME)
        | flag(name || mask, NAME_OR_MASK)
        | flag(authority, AUTHORITY)
        | flag(alnum || mask, WORD)
        | flag(value_end, VALUE_END)
        | flag(token, TOKEN)
        | flag(segment, SEGMENT)
}

/// `class` if `on`, else nothing.
const fn flag(on: bool, class: u8) -> u8 {
    if on { class } else { 0 }
}

/// The classes of every byte value.
static CLASSES: [u8; 256] = {
    let mut table = [0; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = classes_of(b as u8);
        b += 1;
    }
    table
};

/// Whether `b` is of class `class` (one of the constants above).
#[inline(always)]
pub(crate) fn is(b: u8, class: u8) -> bool {
    CLASSES[b as usize] & class != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_answers_as_the_definitions_do() {
        for b in 0..=255u8 {
            let alnum = b.is_ascii_alphanumeric();
            assert_eq!(is(b, NAME), alnum || b"_-.".contains(&b), "{b:#x}");
            assert_eq!(is(b, NAME_OR_MASK), alnum || b"_-.*".contains(&b), "{b:#x}");
            assert_eq!(
                is(b, AUTHORITY),
                alnum || b"-._~%!$&'()*+,;=:@".contains(&b),
                "{b:#x}"
            );
            assert_eq!(is(b, WORD), alnum || b == b'*', "{b:#x}");
            assert_eq!(
                is(b, VALUE_END),
                b" \t\n\r\x0c&,;\"')]}<>\\".contains(&b),
                "{b:#x}"
            );
            assert_eq!(is(b, TOKEN), alnum || b"-_.~+/=$".contains(&b), "{b:#x}");
            assert_eq!(
                is(b, SEGMENT),
                alnum || b"-._~%:@+=*".contains(&b),
                "{b:#x}"
            );
        }
    }
}
