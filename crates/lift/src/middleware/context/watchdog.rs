//! The early-flush watchdog: one thread of its own for the whole process, so a handler that
//! blocks its worker (a synchronous call, a busy loop) cannot stop the flush that must
//! start before Lambda's deadline.
//!
//! Each invocation with a deadline [`arm`]s an alarm for `deadline − margin` and holds the
//! returned [`Alarm`]; dropping it (the invocation ended) disarms it. When an alarm goes off
//! the thread logs `Invocation deadline approaching; flushing logs early` through the
//! invocation's logger and waits for that logger's flush — alongside the handler, never
//! instead of it.

use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use lift_observability::{Logger, field};

/// An armed alarm; dropping it disarms it.
#[derive(Debug)]
pub(crate) struct Alarm {
    id: u64,
    watchdog: &'static Watchdog,
}

impl Drop for Alarm {
    fn drop(&mut self) {
        // No wake-up: the thread, if it sleeps until this alarm, wakes to find nothing due.
        self.watchdog.lock().alarms.retain(|a| a.id != self.id);
    }
}

/// Arms an alarm at `at` that flushes `log`; `deadline` is when the invocation times out.
/// Without the watchdog thread (it could not be started) nothing is armed.
pub(crate) fn arm(at: Instant, deadline: Instant, log: Logger) -> Option<Alarm> {
    let watchdog = watchdog();
    watchdog.running.then(|| watchdog.arm(at, deadline, log))
}

struct Pending {
    id: u64,
    at: Instant,
    deadline: Instant,
    log: Logger,
}

/// What the thread is doing, so that arming wakes it only when it must.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sleep {
    /// Running: it looks at the list again before it sleeps.
    Awake,
    /// Asleep until this instant.
    Until(Instant),
    /// Asleep with no alarm armed.
    Forever,
}

struct State {
    alarms: Vec<Pending>,
    next_id: u64,
    sleep: Sleep,
    /// How many times arming woke the thread.
    wakes: u64,
}

struct Watchdog {
    state: Mutex<State>,
    changed: Condvar,
    running: bool,
}

impl std::fmt::Debug for Watchdog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watchdog")
            .field("running", &self.running)
            .finish_non_exhaustive()
    }
}

impl Watchdog {
    fn new(running: bool) -> Self {
        Self {
            state: Mutex::new(State {
                alarms: Vec::new(),
                next_id: 0,
                sleep: Sleep::Awake,
                wakes: 0,
            }),
            changed: Condvar::new(),
            running,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every update is a push, a retain or a field write: a panic cannot leave it torn.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds an alarm. The thread is woken only when it sleeps past `at`: invocations of
    /// one function share a timeout, so a new alarm is almost always later than the one
    /// the thread already waits for, and arming costs a lock and a push — no system call.
    fn arm(&'static self, at: Instant, deadline: Instant, log: Logger) -> Alarm {
        let mut state = self.lock();
        state.next_id += 1;
        let id = state.next_id;
        state.alarms.push(Pending {
            id,
            at,
            deadline,
            log,
        });
        let wake = match state.sleep {
            Sleep::Awake => false,
            Sleep::Until(until) => at < until,
            Sleep::Forever => true,
        };
        if wake {
            state.sleep = Sleep::Awake;
            state.wakes += 1;
        }
        drop(state);
        if wake {
            self.changed.notify_one();
        }
        Alarm { id, watchdog: self }
    }
}

fn watchdog() -> &'static Watchdog {
    static WATCHDOG: OnceLock<&'static Watchdog> = OnceLock::new();
    WATCHDOG.get_or_init(|| start().unwrap_or_else(|| Box::leak(Box::new(Watchdog::new(false)))))
}

/// A watchdog with its thread running, or `None` when the thread could not be started.
fn start() -> Option<&'static Watchdog> {
    let watchdog: &'static Watchdog = Box::leak(Box::new(Watchdog::new(true)));
    std::thread::Builder::new()
        .name("lift-early-flush".into())
        .spawn(move || run(watchdog))
        .ok()
        .map(|_| watchdog)
}

/// The thread: sleeps until the nearest alarm, then fires every alarm that is due.
fn run(watchdog: &Watchdog) {
    let mut state = watchdog.lock();
    loop {
        let now = Instant::now();
        let (due, waiting): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut state.alarms)
            .into_iter()
            .partition(|a| a.at <= now);
        state.alarms = waiting;
        if !due.is_empty() {
            drop(state);
            for alarm in due {
                fire(&alarm);
            }
            state = watchdog.lock();
            continue;
        }
        let next = state.alarms.iter().map(|a| a.at).min();
        state.sleep = next.map_or(Sleep::Forever, Sleep::Until);
        state = match next {
            Some(at) => {
                let wait = at.saturating_duration_since(now);
                watchdog
                    .changed
                    .wait_timeout(state, wait)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0
            }
            None => watchdog
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner),
        };
        state.sleep = Sleep::Awake;
    }
}

fn fire(alarm: &Pending) {
    let remaining = alarm.deadline.saturating_duration_since(Instant::now());
    alarm.log.warn(
        "Invocation deadline approaching; flushing logs early",
        &[field("remaining_ms", remaining)],
    );
    // Bounded by the time left: the invocation's own end must not wait on this thread.
    let flush = alarm.log.flush();
    let _ = lift_observability::block_on(async {
        tokio::select! {
            result = flush => result.map_err(|_| ()),
            () = sleep(remaining) => Err(()),
        }
    });
}

/// A sleep that needs no tokio runtime (this thread has none).
async fn sleep(duration: Duration) {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        std::thread::sleep(duration);
        let _ = tx.send(());
    });
    let _ = rx.await;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Waits up to 5 s for the thread to reach `wanted`.
    fn until_asleep(watchdog: &Watchdog, wanted: impl Fn(Sleep) -> bool) {
        let give_up = Instant::now() + Duration::from_secs(5);
        while !wanted(watchdog.lock().sleep) {
            assert!(Instant::now() < give_up, "the thread never went to sleep");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn arming_wakes_the_thread_only_for_an_earlier_alarm_and_alarms_still_fire() {
        let watchdog = start().expect("thread");
        let (log, sink) = Logger::test();
        until_asleep(watchdog, |s| s == Sleep::Forever);
        let now = Instant::now();
        let far = now + Duration::from_secs(3600);
        let first = watchdog.arm(now + Duration::from_secs(10), far, log.clone());
        assert_eq!(
            watchdog.lock().wakes,
            1,
            "nothing armed: the thread must wake"
        );
        until_asleep(watchdog, |s| matches!(s, Sleep::Until(_)));
        // A function's invocations share a timeout: each new alarm is later.
        let later: Vec<Alarm> = (0..100)
            .map(|i| watchdog.arm(now + Duration::from_secs(11 + i), far, log.clone()))
            .collect();
        assert_eq!(
            watchdog.lock().wakes,
            1,
            "later alarms must not wake the thread"
        );
        drop(first);
        let soon = watchdog.arm(now + Duration::from_millis(30), far, log.clone());
        assert_eq!(watchdog.lock().wakes, 2, "an earlier alarm must wake it");
        let give_up = Instant::now() + Duration::from_secs(5);
        while !sink
            .messages()
            .iter()
            .any(|m| m.starts_with("Invocation deadline approaching"))
        {
            assert!(Instant::now() < give_up, "the early alarm never fired");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(sink.messages().len(), 1, "only the due alarm fired");
        drop((later, soon));
        assert!(watchdog.lock().alarms.is_empty());
    }
}
