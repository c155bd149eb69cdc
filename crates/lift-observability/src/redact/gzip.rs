//! Text compressed with gzip inside a payload (RFC 1952): a CloudWatch Logs subscription's
//! `awslogs.data` — every log line of another function, gzip'd, then in base64 — and a
//! Kinesis record's data when CloudWatch Logs streams there. A function that forwards logs
//! and logs what it received writes them all again, card numbers included; decoded bytes
//! that start as gzip does are inflated before they are read ([`super::encoded`]).
//!
//! Inflating happens only where a payload's decoded bytes begin with gzip's magic bytes,
//! never on the way through other text. What comes out is bounded by a budget the caller
//! gives — [`encoded`](super::encoded) gives a payload [`INFLATION`] times its own decoded
//! size, [`MAX_INFLATED`] at most, for all the streams inside it, however deep — so that a
//! stream built to inflate without end (a "zip bomb") costs no more than its size allows;
//! what a stream holds beyond is not read, and a stream cut short gives what it held so far.

use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::{DecompressorOxide, decompress, inflate_flags};

/// gzip's magic bytes and its only compression method, deflate.
const MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// Most bytes of text inflated for one payload: sixteen lines at the entry cap.
pub(crate) const MAX_INFLATED: usize = 16 << 20;

/// How many times its own size a payload's streams may inflate to, together: text
/// compresses 5 to 20 times, a log's JSON events up to some 30.
pub(crate) const INFLATION: usize = 64;

/// The header's flags: a CRC of the header, extra fields, a file's name, a comment.
const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;

/// Whether `bytes` start as a gzip stream does.
pub(crate) fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

/// The text of the gzip stream `bytes` holds, up to `limit` bytes of it — what came out
/// before the stream ended early or broke, too. `None` when its header is cut short or
/// nothing comes out.
pub(crate) fn inflate(bytes: &[u8], limit: usize) -> Option<Vec<u8>> {
    let mut input = bytes.get(deflate_start(bytes)?..)?;
    if limit == 0 {
        return None;
    }
    let mut text = vec![0; input.len().saturating_mul(4).max(1024).min(limit)];
    let mut inflater = Box::<DecompressorOxide>::default();
    let mut len = 0;
    loop {
        let (status, read, written) = decompress(
            &mut inflater,
            input,
            &mut text,
            len,
            inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
        );
        len += written;
        input = input.get(read..).unwrap_or_default();
        match status {
            TINFLStatus::HasMoreOutput if text.len() < limit => {
                text.resize(text.len().saturating_mul(2).min(limit), 0);
            }
            _ => break,
        }
    }
    text.truncate(len);
    (len > 0).then_some(text)
}

/// Where the deflate data of the gzip stream `bytes` starts, after its header (ten bytes,
/// and the optional fields its flags announce).
fn deflate_start(bytes: &[u8]) -> Option<usize> {
    if !is_gzip(bytes) {
        return None;
    }
    let flags = *bytes.get(3)?;
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let len = u16::from_le_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]);
        at += 2 + usize::from(len);
    }
    for field in [FNAME, FCOMMENT] {
        if flags & field != 0 {
            at += bytes.get(at..)?.iter().position(|&b| b == 0)? + 1;
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    (at <= bytes.len()).then_some(at)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A gzip stream of `text` (the header with the flags given and their fields), from
    /// miniz_oxide's compressor; the trailer's CRC is not checked, so it is zero.
    pub(in crate::redact) fn gzip(text: &[u8], flags: u8) -> Vec<u8> {
        let mut out = vec![0x1f, 0x8b, 0x08, flags, 0, 0, 0, 0, 0, 0xff];
        if flags & FEXTRA != 0 {
            out.extend_from_slice(&[3, 0, b'a', b'b', b'c']);
        }
        if flags & FNAME != 0 {
            out.extend_from_slice(b"events.json\0");
        }
        if flags & FCOMMENT != 0 {
            out.extend_from_slice(b"a comment\0");
        }
        if flags & FHCRC != 0 {
            out.extend_from_slice(&[0, 0]);
        }
        out.extend(miniz_oxide::deflate::compress_to_vec(text, 6));
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&(text.len() as u32).to_le_bytes());
        out
    }

    #[test]
    fn a_stream_inflates_whatever_optional_fields_its_header_holds() {
        let text = br#"{"logEvents":[{"message":"charge card=4111111111111111"}]}"#;
        for flags in [0, FNAME, FEXTRA | FNAME | FCOMMENT | FHCRC, FCOMMENT] {
            assert_eq!(
                inflate(&gzip(text, flags), MAX_INFLATED).as_deref(),
                Some(&text[..]),
                "{flags}"
            );
        }
    }

    /// What Python's `gzip.compress(b"hello, gzip", mtime=0)` writes (zlib's compressor, the
    /// trailer's CRC real): an independent encoder's stream.
    #[test]
    fn an_independent_encoder_s_stream_inflates() {
        let stream = [
            0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb, 0x48, 0xcd, 0xc9,
            0xc9, 0xd7, 0x51, 0x48, 0xaf, 0xca, 0x2c, 0x00, 0x00, 0x4a, 0x9b, 0xb1, 0x5c, 0x0b,
            0x00, 0x00, 0x00,
        ];
        assert_eq!(inflate(&stream, 100).as_deref(), Some(&b"hello, gzip"[..]));
    }

    #[test]
    fn a_stream_cut_short_gives_what_it_held_and_bad_input_nothing() {
        let mut rng = fastrand::Rng::with_seed(7);
        let text: String = (0..4000).map(|_| rng.alphanumeric()).collect();
        let stream = gzip(text.as_bytes(), 0);
        let cut = inflate(&stream[..stream.len() / 2], MAX_INFLATED).expect("a part");
        assert!(cut.len() > 1000, "{}", cut.len());
        assert!(text.as_bytes().starts_with(&cut));
        for bad in [
            &b""[..],
            &[0x1f, 0x8b],
            &[0x1f, 0x8b, 0x08, FNAME, 0, 0, 0, 0, 0, 0, b'x'],
            &[0x1f, 0x8b, 0x08, FEXTRA, 0, 0, 0, 0, 0, 0, 0xff, 0xff],
            &[0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff],
            b"H4sIAAAA",
        ] {
            assert_eq!(inflate(bad, MAX_INFLATED), None, "{bad:?}");
        }
    }

    #[test]
    fn a_stream_is_inflated_to_the_limit_no_further() {
        let bomb = gzip(&vec![b'a'; 1 << 20], 0);
        for limit in [1000, 5000, 1 << 19] {
            assert_eq!(inflate(&bomb, limit).map(|t| t.len()), Some(limit));
        }
        assert_eq!(inflate(&bomb, 0), None);
    }
}
