//! The wall clock read from the CPU's time-stamp counter between real clock reads.
//!
//! Every log entry reads the wall clock once; `clock_gettime(CLOCK_REALTIME)` costs ~22 ns
//! of a ~200 ns entry here, reading the time-stamp counter (TSC) ~8 ns. When — and only
//! when — the kernel's own clock source is the TSC (so the kernel has checked that it is
//! invariant and synchronised across cores, and `CLOCK_REALTIME` is itself computed from
//! it), each thread extrapolates the wall clock from its last real read:
//!
//! - a real read is an anchor: `CLOCK_REALTIME` bracketed by two TSC reads (a pair whose
//!   TSC reads are far apart — the thread was preempted — is not used);
//! - the rate (nanoseconds per tick) is measured between two anchors at least
//!   [`MIN_CALIBRATION_NS`] apart, and extrapolation is switched on only when two
//!   successive measurements agree within [`RATE_TOLERANCE_PPM`] — so an NTP step, a
//!   migrated VM or a TSC jump inside a measurement switches it off until the rate is
//!   steady again;
//! - an extrapolated time is used for at most [`WINDOW_NS`] after its anchor; the next read
//!   after that, or a counter that went backwards, is a real read that re-anchors.
//!
//! So a timestamp is never further from `CLOCK_REALTIME` than the rate error over one
//! window (10 µs at worst) — except right after the wall clock is stepped (NTP, a restored
//! snapshot) or the counter jumps: then readings may follow the old anchor for the rest of
//! its window, at most [`WINDOW_NS`], before the next real read sees the change. On any
//! other clock source, architecture or OS, [`now_millis`] returns `None` and the caller
//! reads `CLOCK_REALTIME` as before. [`Extrapolator`] is the pure state machine; the
//! thread-local glue and the two reads are the only platform code.

/// Longest time an extrapolated reading may be from its anchor: 5 ms.
pub(crate) const WINDOW_NS: u64 = 5_000_000;
/// Shortest span between two anchors that measures the rate: 2 ms.
pub(crate) const MIN_CALIBRATION_NS: u64 = 2_000_000;
/// Longest span between two anchors that measures the rate: 1 s (longer, e.g. after an idle
/// thread or a suspended machine, restarts calibration).
pub(crate) const MAX_CALIBRATION_NS: u64 = 1_000_000_000;
/// How far two successive rate measurements may differ for extrapolation to be on: 0.2%,
/// so a rate that passes is off by at most 10 µs over a window. Measured rates here wander
/// by up to ~800 ppm between windows (read jitter of a microsecond over 2–5 ms, NTP slewing
/// by up to 500 ppm); a counter or clock jump of a millisecond moves it by 20% or more.
pub(crate) const RATE_TOLERANCE_PPM: u64 = 2_000;
/// Most ticks the two TSC reads around `clock_gettime` may be apart for the pair to anchor:
/// ~10 µs even at 20 GHz; a preempted read takes far longer.
pub(crate) const MAX_BRACKET_TICKS: u64 = 200_000;
/// Plausible rates in nanoseconds per tick, as 32.32 fixed point: 50 MHz to 20 GHz.
const MIN_RATE_Q32: u64 = (1 << 32) / 20;
const MAX_RATE_Q32: u64 = 20 << 32;

/// One thread's extrapolation state. Pure: it is fed TSC values and real clock readings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Extrapolator {
    /// TSC of the last anchor.
    anchor_tsc: u64,
    /// `CLOCK_REALTIME` at the last anchor, in Unix nanoseconds.
    anchor_ns: i64,
    /// Ticks after the anchor for which extrapolation is allowed; 0 = off.
    window_ticks: u64,
    /// The last measured rate, nanoseconds per tick in 32.32 fixed point; 0 = none yet.
    rate_q32: u64,
    /// Start of the current rate measurement (an earlier anchor), if any.
    calibration: Option<(u64, i64)>,
}

impl Extrapolator {
    /// The wall clock at `tsc` in Unix nanoseconds, if `tsc` is inside the window.
    #[inline(always)]
    pub(crate) fn extrapolate(&self, tsc: u64) -> Option<i64> {
        let ticks = tsc.wrapping_sub(self.anchor_tsc);
        // A counter that went backwards wraps to a huge value and fails this test too.
        (ticks < self.window_ticks).then(|| {
            // < WINDOW_NS by construction of `window_ticks`, so the cast cannot truncate.
            let ns = (u128::from(ticks) * u128::from(self.rate_q32)) >> 32;
            self.anchor_ns + ns as i64
        })
    }

    /// Takes a real reading: `ns` from `CLOCK_REALTIME`, read between TSC values
    /// `tsc_before` and `tsc_after`. Re-anchors, measures the rate when the last
    /// measurement started long enough ago, and decides whether extrapolation is on.
    pub(crate) fn observe(&mut self, tsc_before: u64, ns: i64, tsc_after: u64) {
        self.window_ticks = 0;
        let bracket = tsc_after.wrapping_sub(tsc_before);
        if bracket > MAX_BRACKET_TICKS {
            // Preempted between the reads (or the counter went backwards): not an anchor.
            self.calibration = None;
            return;
        }
        let tsc = tsc_before.wrapping_add(bracket / 2);
        self.anchor_tsc = tsc;
        self.anchor_ns = ns;
        let Some((start_tsc, start_ns)) = self.calibration else {
            self.calibration = Some((tsc, ns));
            return;
        };
        let elapsed_ticks = tsc.wrapping_sub(start_tsc);
        // Either clock went backwards (a wrapped tick count is huge): measure again.
        let elapsed_ns = u64::try_from(ns.wrapping_sub(start_ns))
            .ok()
            .filter(|_| elapsed_ticks < 1 << 62);
        if let Some(short) = elapsed_ns
            && short < MIN_CALIBRATION_NS
        {
            // Too short to measure; keep the measurement running.
            return;
        }
        self.calibration = Some((tsc, ns));
        let Some(elapsed_ns) =
            elapsed_ns.filter(|&e| e <= MAX_CALIBRATION_NS && elapsed_ticks != 0)
        else {
            self.rate_q32 = 0;
            return;
        };
        let rate = (u128::from(elapsed_ns) << 32) / u128::from(elapsed_ticks);
        let rate = u64::try_from(rate).unwrap_or(u64::MAX);
        let steady = rate_agrees(self.rate_q32, rate);
        self.rate_q32 = if (MIN_RATE_Q32..=MAX_RATE_Q32).contains(&rate) {
            rate
        } else {
            0
        };
        if steady && self.rate_q32 != 0 {
            self.window_ticks = ((u128::from(WINDOW_NS) << 32) / u128::from(rate)) as u64;
        }
    }
}

/// Whether two rates (32.32 fixed point) differ by at most [`RATE_TOLERANCE_PPM`].
fn rate_agrees(previous: u64, current: u64) -> bool {
    previous != 0
        && u128::from(previous.abs_diff(current)) * 1_000_000
            <= u128::from(previous) * u128::from(RATE_TOLERANCE_PPM)
}

/// The wall clock in Unix milliseconds from this thread's extrapolator, or `None` when the
/// TSC may not be used (see the module docs) and the caller must read the clock itself.
#[inline]
pub(crate) fn now_millis() -> Option<i64> {
    platform::now_nanos().map(|ns| ns.div_euclid(1_000_000))
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
mod platform {
    use std::cell::Cell;
    use std::sync::atomic::{AtomicU8, Ordering};

    use super::Extrapolator;

    const UNKNOWN: u8 = 0;
    const USABLE: u8 = 1;
    const UNUSABLE: u8 = 2;

    /// Whether the kernel's clock source is the TSC, probed once per process.
    static TSC_USABLE: AtomicU8 = AtomicU8::new(UNKNOWN);

    thread_local! {
        static STATE: Cell<Extrapolator> = const {
            Cell::new(Extrapolator {
                anchor_tsc: 0,
                anchor_ns: 0,
                window_ticks: 0,
                rate_q32: 0,
                calibration: None,
            })
        };
    }

    #[inline]
    pub(super) fn now_nanos() -> Option<i64> {
        match TSC_USABLE.load(Ordering::Relaxed) {
            USABLE => {}
            UNKNOWN => {
                let usable = kernel_uses_tsc();
                let state = if usable { USABLE } else { UNUSABLE };
                TSC_USABLE.store(state, Ordering::Relaxed);
                if !usable {
                    return None;
                }
            }
            _ => return None,
        }
        let tsc = read_tsc();
        STATE
            .try_with(|cell| {
                let mut state = cell.get();
                if let Some(ns) = state.extrapolate(tsc) {
                    return Some(ns);
                }
                let (secs, nanos) = crate::timestamp::realtime()?;
                let after = read_tsc();
                let ns = secs.checked_mul(1_000_000_000)?.checked_add(nanos)?;
                state.observe(tsc, ns, after);
                cell.set(state);
                Some(ns)
            })
            .ok()
            .flatten()
    }

    /// Whether this thread's next reading within the window would be extrapolated.
    #[cfg(test)]
    pub(super) fn extrapolating() -> bool {
        STATE.with(|cell| cell.get().window_ticks != 0)
    }

    /// The kernel's current clock source, from sysfs.
    fn kernel_uses_tsc() -> bool {
        std::fs::read_to_string("/sys/devices/system/clocksource/clocksource0/current_clocksource")
            .is_ok_and(|source| source.trim() == "tsc")
    }

    #[inline(always)]
    #[allow(unsafe_code)] // one instruction; see SAFETY
    fn read_tsc() -> u64 {
        // SAFETY: `rdtsc` exists on every x86_64 CPU, reads a register and touches no
        // memory; the kernel permits it in user mode whenever the clock source is the TSC
        // (the vDSO issues the same instruction), which `now_nanos` checked first.
        unsafe { core::arch::x86_64::_rdtsc() }
    }
}

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
mod platform {
    #[inline]
    pub(super) fn now_nanos() -> Option<i64> {
        None
    }

    #[cfg(test)]
    pub(super) fn extrapolating() -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2.5 GHz counter: 0.4 ns per tick.
    const TICKS_PER_MS: u64 = 2_500_000;
    const T0: i64 = 1_795_000_000_000_000_000;

    fn ns_at(ticks: u64) -> i64 {
        T0 + (ticks as i64) * 2 / 5
    }

    /// A real read at counter value `t` (100 ticks of bracket) of the ideal clock moved by
    /// `offset_ns` (a step of the wall clock).
    fn read(x: &mut Extrapolator, t: u64, offset_ns: i64) {
        x.observe(t, ns_at(t + 50) + offset_ns, t + 100);
    }

    /// Real reads of an ideal clock at the given counter values.
    fn fed(at: &[u64]) -> Extrapolator {
        let mut x = Extrapolator::default();
        for &t in at {
            read(&mut x, t, 0);
        }
        x
    }

    #[test]
    fn extrapolation_starts_after_two_agreeing_measurements() {
        let x = fed(&[0]);
        assert_eq!(x.extrapolate(10), None, "one anchor measures nothing");
        let x = fed(&[0, TICKS_PER_MS]);
        assert_eq!(
            x.extrapolate(TICKS_PER_MS + 10),
            None,
            "1 ms is too short to measure"
        );
        let x = fed(&[0, 3 * TICKS_PER_MS]);
        assert_eq!(
            x.extrapolate(3 * TICKS_PER_MS + 10),
            None,
            "one measurement is not enough"
        );
        let x = fed(&[0, 3 * TICKS_PER_MS, 6 * TICKS_PER_MS]);
        let at = 6 * TICKS_PER_MS + 1_000;
        let got = x
            .extrapolate(at)
            .expect("two agreeing measurements switch it on");
        assert!((got - ns_at(at)).abs() <= 1, "{got} vs {}", ns_at(at));
    }

    #[test]
    fn an_extrapolation_never_outlives_its_window() {
        let x = fed(&[0, 3 * TICKS_PER_MS, 6 * TICKS_PER_MS]);
        let anchor = 6 * TICKS_PER_MS + 50;
        let window = WINDOW_NS * 5 / 2; // ticks at 0.4 ns per tick
        assert!(x.extrapolate(anchor + window - 10).is_some());
        assert_eq!(x.extrapolate(anchor + window + 10), None);
    }

    #[test]
    fn a_counter_that_went_backwards_forces_a_real_read() {
        let x = fed(&[0, 3 * TICKS_PER_MS, 6 * TICKS_PER_MS]);
        assert_eq!(x.extrapolate(6 * TICKS_PER_MS - 1), None);
        assert_eq!(x.extrapolate(0), None);
    }

    #[test]
    fn a_clock_step_switches_extrapolation_off_until_the_rate_is_steady_again() {
        let mut x = fed(&[0, 3 * TICKS_PER_MS, 6 * TICKS_PER_MS]);
        // The wall clock is stepped 1 s forward (NTP) before the next real read.
        let step = 1_000_000_000;
        let t = 9 * TICKS_PER_MS;
        read(&mut x, t, step);
        assert_eq!(
            x.extrapolate(t + 10),
            None,
            "the measurement spanning the step disagrees"
        );
        let t = 12 * TICKS_PER_MS;
        read(&mut x, t, step);
        assert_eq!(
            x.extrapolate(t + 10),
            None,
            "one clean measurement after the step"
        );
        let t = 15 * TICKS_PER_MS;
        read(&mut x, t, step);
        let got = x.extrapolate(t + 1_000).expect("steady again");
        assert!((got - (ns_at(t + 1_000) + step)).abs() <= 1);
    }

    #[test]
    fn a_clock_stepped_back_switches_extrapolation_off() {
        let mut x = fed(&[0, 3 * TICKS_PER_MS, 6 * TICKS_PER_MS]);
        let t = 9 * TICKS_PER_MS;
        read(&mut x, t, -1_000_000_000);
        assert_eq!(x.extrapolate(t + 10), None);
        assert_eq!(x.rate_q32, 0);
    }

    #[test]
    fn a_counter_jump_inside_a_measurement_switches_extrapolation_off() {
        let mut x = fed(&[0, 3 * TICKS_PER_MS, 6 * TICKS_PER_MS]);
        // The counter jumps 2 ms ahead of the wall clock (a migrated VM).
        let jump = 2 * TICKS_PER_MS;
        let t = 9 * TICKS_PER_MS;
        x.observe(t + jump, ns_at(t + 50), t + jump + 100);
        assert_eq!(x.extrapolate(t + jump + 10), None);
    }

    #[test]
    fn a_preempted_read_is_not_an_anchor_and_restarts_calibration() {
        let mut x = fed(&[0, 3 * TICKS_PER_MS, 6 * TICKS_PER_MS]);
        let t = 9 * TICKS_PER_MS;
        x.observe(t, ns_at(t), t + MAX_BRACKET_TICKS + 1);
        assert_eq!(x.extrapolate(t + 10), None);
        assert_eq!(x.calibration, None);
    }

    #[test]
    fn a_long_pause_restarts_calibration() {
        let mut x = fed(&[0, 3 * TICKS_PER_MS, 6 * TICKS_PER_MS]);
        let t = 6 * TICKS_PER_MS + 2_000 * TICKS_PER_MS; // 2 s later
        read(&mut x, t, 0);
        assert_eq!(x.extrapolate(t + 10), None);
        assert_eq!(x.rate_q32, 0);
    }

    #[test]
    fn implausible_rates_are_refused() {
        // A "counter" that advances 1 tick per 100 ns (10 MHz) is below the plausible range.
        let mut x = Extrapolator::default();
        for i in 0..4u64 {
            let t = i * 30_000;
            x.observe(t, T0 + (t as i64) * 100, t + 1);
        }
        assert_eq!(x.window_ticks, 0);
        assert_eq!(x.extrapolate(90_001), None);
    }

    #[test]
    fn rates_agree_within_the_tolerance_only() {
        let r = 1u64 << 31;
        assert!(rate_agrees(r, r + r / 1_000)); // 1,000 ppm
        assert!(!rate_agrees(r, r + r / 400)); // 2,500 ppm
        assert!(!rate_agrees(0, r));
    }

    /// On this machine: readings stay within a millisecond of `std`'s clock, before and after.
    #[test]
    fn readings_agree_with_the_system_clock() {
        let std_ms = || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0)
        };
        let mut extrapolated = 0;
        let started = std::time::Instant::now();
        // At least 20,000 readings, and on until 1,000 were extrapolated (a loaded machine
        // may need longer to see two agreeing rate measurements) or 2 s have passed.
        let mut i = 0u32;
        while i < 20_000
            || (extrapolated < 1_000 && started.elapsed() < std::time::Duration::from_secs(2))
        {
            i += 1;
            let before = std_ms();
            extrapolated += usize::from(platform::extrapolating());
            let Some(ours) = now_millis() else {
                return; // not a TSC machine: nothing to compare
            };
            let after = std_ms();
            assert!(
                before - 1 <= ours && ours <= after + 1,
                "reading {i}: {ours} outside [{before}, {after}]"
            );
            if i % 1_000 == 0 {
                std::thread::sleep(std::time::Duration::from_micros(700));
            }
        }
        assert!(
            extrapolated >= 1_000,
            "only {extrapolated} of {i} readings were extrapolated"
        );
    }
}
