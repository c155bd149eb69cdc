//! Numbers as log lines write them: floats in the shortest form that reads back exactly
//! (with a one-step fast path for the prices and latencies logs are full of), durations as
//! fractional milliseconds, non-finite floats by name. Shared by the encoders and the
//! nested-value writer.

/// Appends a duration as milliseconds with three decimals (`12.345`).
pub(crate) fn write_duration_millis(out: &mut Vec<u8>, d: std::time::Duration) {
    let micros = d.as_micros();
    let mut buf = itoa::Buffer::new();
    out.extend_from_slice(buf.format(micros / 1000).as_bytes());
    let frac = (micros % 1000) as u32;
    out.extend_from_slice(&[
        b'.',
        b'0' + (frac / 100) as u8,
        b'0' + (frac / 10 % 10) as u8,
        b'0' + (frac % 10) as u8,
    ]);
}

/// Appends a finite float in the shortest form that reads back exactly, or `None` for
/// NaN and infinities (the caller writes those as strings).
#[inline]
pub(crate) fn write_finite_f64(out: &mut Vec<u8>, v: f64) -> Option<()> {
    if !v.is_finite() {
        return None;
    }
    if !write_short_decimal(out, v) {
        let mut buf = ryu::Buffer::new();
        out.extend_from_slice(buf.format_finite(v).as_bytes());
    }
    Some(())
}

/// Decimals the fast path handles: values with at most six.
const SHORT_DECIMALS: u32 = 6;
/// `10^SHORT_DECIMALS`, exact as `f64`.
const SHORT_SCALE: f64 = 1e6;

/// Fast path for the floats logs are full of (prices, rates, latencies): a value with at
/// most six decimals, below 10⁹, is written as `int.frac` with the fewest decimals.
///
/// `n = round(v·10⁶)` is exact for such a value (|n| < 10¹⁵ < 2⁵³, and the product's
/// rounding error stays far below ½), and `n / 10⁶` in `f64` is the correctly rounded
/// quotient of two exact values — the double nearest the decimal `n·10⁻⁶`, exactly what a
/// reader parses — so the check proves the text reads back as `v`. Dropping the fraction's
/// trailing zeros gives the fewest decimals: a shorter decimal that also read back as `v`
/// would be the same number (two decimals with ≤ 6 places differ by ≥ 10⁻⁶, more than
/// the spacing of doubles below 10⁹). One multiplication and one division, whatever the
/// number of decimals. Returns false to fall back to ryu.
#[inline]
fn write_short_decimal(out: &mut Vec<u8>, v: f64) -> bool {
    if v == 0.0 || v.abs() >= 1e9 {
        return false;
    }
    // Truncating `x + ½` rounds to nearest without a libm call; exactness is checked.
    let n = (v * SHORT_SCALE + 0.5f64.copysign(v)) as i64;
    if n as f64 / SHORT_SCALE != v {
        return false;
    }
    let n = n.unsigned_abs();
    let int = n / 1_000_000;
    let frac = (n % 1_000_000) as u32;
    // The six decimals as three digit pairs from a table, and how many of them to keep
    // (the fewest that say the same, at least one) from the pairs themselves.
    let (high, mid, low) = (frac / 10_000, frac / 100 % 100, frac % 100);
    let kept = if low != 0 {
        6 - usize::from(low % 10 == 0)
    } else if mid != 0 {
        4 - usize::from(mid % 10 == 0)
    } else {
        2 - usize::from(high % 10 == 0)
    };
    // The whole number goes together on the stack and out in one copy: sign, integer
    // part (below 10⁹: at most nine digits), point, decimals.
    let mut text = [0u8; 1 + 9 + 1 + SHORT_DECIMALS as usize];
    let mut len = 0;
    if v < 0.0 {
        text[0] = b'-';
        len = 1;
    }
    if int < 10 {
        text[len] = b'0' + int as u8;
        len += 1;
    } else if int < 100 {
        text[len..len + 2].copy_from_slice(&DIGIT_PAIRS[int as usize]);
        len += 2;
    } else {
        let mut buf = itoa::Buffer::new();
        let digits = buf.format(int).as_bytes();
        text[len..len + digits.len()].copy_from_slice(digits);
        len += digits.len();
    }
    text[len] = b'.';
    len += 1;
    text[len..len + 2].copy_from_slice(&DIGIT_PAIRS[high as usize]);
    text[len + 2..len + 4].copy_from_slice(&DIGIT_PAIRS[mid as usize]);
    text[len + 4..len + 6].copy_from_slice(&DIGIT_PAIRS[low as usize]);
    out.extend_from_slice(&text[..len + kept]);
    true
}

/// `"00"` to `"99"`.
static DIGIT_PAIRS: [[u8; 2]; 100] = {
    let mut pairs = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        pairs[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    pairs
};

/// The name a non-finite float is written as.
pub(crate) fn non_finite_name(v: f64) -> &'static str {
    if v.is_nan() {
        "NaN"
    } else if v > 0.0 {
        "inf"
    } else {
        "-inf"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The previous fast path (decimals tried one by one), kept as the reference.
    fn short_decimal_reference(v: f64) -> Option<String> {
        if v == 0.0 || v.abs() >= 1e9 {
            return None;
        }
        for d in 0..=6 {
            let p = 10f64.powi(d);
            let n = (v * p + 0.5f64.copysign(v)) as i64;
            if n as f64 / p == v {
                let digits = n.unsigned_abs().to_string();
                let sign = if v < 0.0 { "-" } else { "" };
                return Some(if d == 0 {
                    format!("{sign}{digits}.0")
                } else if digits.len() > d as usize {
                    let (i, f) = digits.split_at(digits.len() - d as usize);
                    format!("{sign}{i}.{f}")
                } else {
                    format!("{sign}0.{}{digits}", "0".repeat(d as usize - digits.len()))
                });
            }
        }
        None
    }

    #[test]
    fn one_step_short_decimals_match_the_decimal_by_decimal_reference() {
        let mut rng = fastrand::Rng::with_seed(11);
        for _ in 0..300_000 {
            let places = rng.i32(0..=7);
            let v = match rng.u8(0..3) {
                0 => rng.i64(-1_000_000_000_000..1_000_000_000_000) as f64 / 10f64.powi(places),
                1 => (rng.f64() - 0.5) * 10f64.powi(rng.i32(-8..10)),
                _ => f64::from_bits(rng.u64(..)),
            };
            if !v.is_finite() {
                continue;
            }
            let mut out = Vec::new();
            let fast = write_short_decimal(&mut out, v).then(|| String::from_utf8(out).unwrap());
            assert_eq!(fast, short_decimal_reference(v), "{v:?}");
        }
    }

    #[test]
    fn short_decimals_are_written_as_people_write_them() {
        for (v, text) in [
            (0.07, "0.07"),
            (12.75, "12.75"),
            (-3.5, "-3.5"),
            (100.0, "100.0"),
            (0.000_001, "0.000001"),
            (-0.25, "-0.25"),
            (123_456.789, "123456.789"),
            (10.5, "10.5"),
            // Every count of kept decimals, each digit pair ending in zero or not.
            (0.1, "0.1"),
            (0.12, "0.12"),
            (0.123, "0.123"),
            (0.1234, "0.1234"),
            (0.12345, "0.12345"),
            (0.123_456, "0.123456"),
            (0.01, "0.01"),
            (0.001, "0.001"),
            (0.0001, "0.0001"),
            (0.000_01, "0.00001"),
            (7.000_05, "7.00005"),
            (99.5, "99.5"),
            (100.25, "100.25"),
            (999_999_999.999_999, "999999999.999999"),
            (-123_456_789.5, "-123456789.5"),
        ] {
            let mut out = Vec::new();
            write_finite_f64(&mut out, v).unwrap();
            assert_eq!(std::str::from_utf8(&out).unwrap(), text);
        }
    }

    #[test]
    fn short_decimals_read_back_exactly() {
        for v in [
            0.07,
            12.75,
            -3.5,
            1.0,
            100.0,
            0.1,
            0.000_001,
            123_456.789,
            -0.25,
            999_999_999.5,
            1e-7,
            1e9,
            1e300,
            0.1 + 0.2,
            -0.0,
            0.0,
            f64::MIN_POSITIVE,
            5e-324,
        ] {
            let mut out = Vec::new();
            write_finite_f64(&mut out, v).unwrap();
            let text = std::str::from_utf8(&out).unwrap();
            let back: f64 = text.parse().unwrap();
            assert_eq!(back.to_bits(), v.to_bits(), "{v} -> {text}");
        }
        let mut out = Vec::new();
        write_finite_f64(&mut out, 0.07).unwrap();
        assert_eq!(out, b"0.07");
    }

    #[test]
    fn durations_are_fractional_millis() {
        let mut out = Vec::new();
        write_duration_millis(&mut out, std::time::Duration::from_micros(12_345));
        out.push(b' ');
        write_duration_millis(&mut out, std::time::Duration::from_nanos(999));
        assert_eq!(out, b"12.345 0.000");
    }
}
