//! Wall-clock time for entries: the [`Clock`] a logger reads and the RFC 3339 formatter.
//!
//! Timestamps are UTC with millisecond precision (`2026-11-27T04:09:17.123Z`), the form
//! CloudWatch Logs Insights and Powertools expect. The date-and-seconds part is cached per
//! thread and recomputed only when the second changes, so formatting costs a few copies.
//! Times outside years 0000–9999 are clamped to that range so the output is always valid
//! RFC 3339.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds of 0000-01-01T00:00:00Z relative to the Unix epoch.
const MIN_MILLIS: i64 = -62_167_219_200_000;
/// Milliseconds of 9999-12-31T23:59:59.999Z relative to the Unix epoch.
const MAX_MILLIS: i64 = 253_402_300_799_999;

/// Where a logger gets the time: the system clock, or a fixed or manual clock for tests.
#[derive(Clone, Debug, Default)]
pub struct Clock(ClockSource);

#[derive(Clone, Debug, Default)]
enum ClockSource {
    #[default]
    System,
    Manual(Arc<AtomicI64>),
}

impl Clock {
    /// The system's wall clock (the default).
    pub fn system() -> Self {
        Self(ClockSource::System)
    }

    /// A clock stopped at `unix_millis`; golden tests use it.
    pub fn fixed(unix_millis: i64) -> Self {
        Self(ClockSource::Manual(Arc::new(AtomicI64::new(unix_millis))))
    }

    /// Moves a fixed clock forward by `millis` (no effect on the system clock).
    pub fn advance(&self, millis: i64) {
        if let ClockSource::Manual(t) = &self.0 {
            t.fetch_add(millis, Ordering::Relaxed);
        }
    }

    /// Milliseconds since the Unix epoch (negative before 1970).
    #[inline]
    pub fn now_millis(&self) -> i64 {
        match &self.0 {
            ClockSource::System => system_millis(),
            ClockSource::Manual(t) => t.load(Ordering::Relaxed),
        }
    }
}

/// The system clock in Unix milliseconds (`CLOCK_REALTIME`, through `SystemTime`; reading
/// it with `clock_gettime` directly did not earn its place — BENCHMARKS.md, speed devices).
#[inline]
pub fn system_millis() -> i64 {
    // `as_secs` and `subsec_millis` instead of `as_millis`, which goes through u128.
    let millis = |d: std::time::Duration| {
        i64::try_from(d.as_secs())
            .unwrap_or(i64::MAX / 1000)
            .saturating_mul(1000)
            + i64::from(d.subsec_millis())
    };
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => millis(d),
        Err(before) => -millis(before.duration()),
    }
}

thread_local! {
    /// The last formatted second: (Unix seconds, `YYYY-MM-DDTHH:MM:SS`).
    static SECOND_CACHE: Cell<(i64, [u8; 19])> = const { Cell::new((i64::MIN, [0; 19])) };
}

/// Appends `unix_millis` as RFC 3339 UTC with milliseconds: `2026-11-27T04:09:17.123Z`.
#[inline]
pub fn write_rfc3339_millis(out: &mut Vec<u8>, unix_millis: i64) {
    let ms = unix_millis.clamp(MIN_MILLIS, MAX_MILLIS);
    let secs = ms.div_euclid(1000);
    let frac = ms.rem_euclid(1000) as u32;
    let prefix = SECOND_CACHE
        .try_with(|cache| {
            let (cached_secs, text) = cache.get();
            if cached_secs == secs {
                text
            } else {
                let text = format_second(secs);
                cache.set((secs, text));
                text
            }
        })
        .unwrap_or_else(|_| format_second(secs));
    out.extend_from_slice(&prefix);
    out.extend_from_slice(&[
        b'.',
        b'0' + (frac / 100) as u8,
        b'0' + (frac / 10 % 10) as u8,
        b'0' + (frac % 10) as u8,
        b'Z',
    ]);
}

/// `YYYY-MM-DDTHH:MM:SS` for Unix seconds already clamped to years 0000–9999.
fn format_second(secs: i64) -> [u8; 19] {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400) as u32;
    let (year, month, day) = civil_from_days(days);
    let mut t = *b"0000-00-00T00:00:00";
    let year = year.clamp(0, 9999) as u32;
    t[0] = b'0' + (year / 1000) as u8;
    t[1] = b'0' + (year / 100 % 10) as u8;
    t[2] = b'0' + (year / 10 % 10) as u8;
    t[3] = b'0' + (year % 10) as u8;
    two_digits(&mut t[5..7], month);
    two_digits(&mut t[8..10], day);
    two_digits(&mut t[11..13], sod / 3600);
    two_digits(&mut t[14..16], sod / 60 % 60);
    two_digits(&mut t[17..19], sod % 60);
    t
}

fn two_digits(out: &mut [u8], v: u32) {
    out[0] = b'0' + (v / 10) as u8;
    out[1] = b'0' + (v % 10) as u8;
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day); Howard Hinnant's
/// `civil_from_days` algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_reads_unix_milliseconds() {
        let before = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        let now = system_millis();
        assert!(now >= before && now - before < 60_000, "{before} {now}");
    }

    fn fmt(ms: i64) -> String {
        let mut out = Vec::new();
        write_rfc3339_millis(&mut out, ms);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(fmt(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(fmt(1_795_752_557_123), "2026-11-27T04:09:17.123Z");
        assert_eq!(fmt(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(fmt(4_102_444_800_000), "2100-01-01T00:00:00.000Z");
        assert_eq!(fmt(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(fmt(i64::MIN), "0000-01-01T00:00:00.000Z");
        assert_eq!(fmt(i64::MAX), "9999-12-31T23:59:59.999Z");
    }

    #[test]
    fn cache_does_not_leak_between_seconds() {
        assert_eq!(fmt(1_000), "1970-01-01T00:00:01.000Z");
        assert_eq!(fmt(1_999), "1970-01-01T00:00:01.999Z");
        assert_eq!(fmt(2_000), "1970-01-01T00:00:02.000Z");
        assert_eq!(fmt(1_500), "1970-01-01T00:00:01.500Z");
    }

    #[test]
    fn matches_a_naive_day_walk() {
        // Walk day by day across leap years and compare with a simple counter.
        let (mut y, mut m, mut d) = (1968i64, 1u32, 1u32);
        let mut days = -731i64; // 1968-01-01
        let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        while y < 2105 {
            assert_eq!(civil_from_days(days), (y, m, d));
            let len = [
                31,
                if leap(y) { 29 } else { 28 },
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ][(m - 1) as usize];
            d += 1;
            if d > len {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
            days += 1;
        }
    }

    #[test]
    fn fixed_clock_advances() {
        let c = Clock::fixed(10);
        c.advance(5);
        assert_eq!(c.now_millis(), 15);
        assert!(Clock::system().now_millis() > 1_700_000_000_000);
    }
}
