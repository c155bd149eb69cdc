//! The clock decisions are made on: time since the Unix epoch, which every instance sharing a
//! store agrees on (their system clocks are kept by NTP), read cheaply.
//!
//! Reading the system clock costs about as much as an in-memory decision itself. So each
//! thread reads it once a second and, in between, adds what the CPU's time-stamp counter
//! (through `quanta`, calibrated against the monotonic clock) says has passed since. Between
//! two reads the result follows the counter, which drifts from the system clock by parts per
//! million — microseconds over the second before the next read; a step of the system clock
//! (NTP) is taken up at the next read. Where the counter is not usable, `quanta` falls back
//! to the monotonic clock.
//!
//! Calibrating the counter takes from a few milliseconds up to `quanta`'s limit of 200 ms on a
//! busy machine, so it is done when a limiter is built ([`calibrate`]) — in a Lambda
//! function's init phase — and never inside the first decision.

use std::cell::Cell;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a thread goes on the counter before it reads the system clock again.
const REREAD_AFTER_NANOS: u64 = 1_000_000_000;

fn counter() -> &'static quanta::Clock {
    static CLOCK: OnceLock<quanta::Clock> = OnceLock::new();
    CLOCK.get_or_init(quanta::Clock::new)
}

/// Calibrates the counter now, once per process, so that no later [`unix_now`] waits for it.
pub(crate) fn calibrate() {
    counter();
}

/// The system clock, in nanoseconds since the Unix epoch (zero before it).
fn system_nanos() -> u64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(since.as_nanos()).unwrap_or(u64::MAX)
}

/// A system-clock reading and the counter's value at that moment.
#[derive(Clone, Copy)]
struct Anchor {
    system: u64,
    raw: u64,
}

thread_local! {
    static ANCHOR: Cell<Option<Anchor>> = const { Cell::new(None) };
}

/// The current time as [`Store::decide`](crate::Store::decide) takes it: since the Unix
/// epoch (zero if the system clock is set before it), read as the module documentation
/// says.
pub fn unix_now() -> Duration {
    let clock = counter();
    let raw = clock.raw();
    let nanos = ANCHOR.with(|anchor| {
        if let Some(a) = anchor.get() {
            let passed = clock.delta_as_nanos(a.raw, raw);
            if passed < REREAD_AFTER_NANOS {
                return a.system.saturating_add(passed);
            }
        }
        let fresh = Anchor {
            system: system_nanos(),
            raw,
        };
        anchor.set(Some(fresh));
        fresh.system
    });
    Duration::from_nanos(nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counter_keeps_to_the_system_clock() {
        calibrate();
        for _ in 0..3 {
            // Bracketed by two system-clock reads: a thread descheduled in between widens the
            // bracket, it cannot fail the check. The slack is the counter's drift allowance.
            let before = Duration::from_nanos(system_nanos());
            let ours = unix_now();
            let after = Duration::from_nanos(system_nanos());
            let slack = Duration::from_millis(2);
            assert!(
                ours + slack >= before && ours <= after + slack,
                "{ours:?} outside [{before:?}, {after:?}]"
            );
            std::thread::sleep(Duration::from_millis(300));
        }
        // Time passes on the counter between system-clock reads.
        let a = unix_now();
        std::thread::sleep(Duration::from_millis(20));
        let passed = unix_now() - a;
        assert!(
            passed >= Duration::from_millis(19) && passed < Duration::from_secs(1),
            "{passed:?}"
        );
    }
}
