//! The early-flush watchdog: one thread of its own for the whole process, so a handler that
//! blocks its worker (a synchronous call, a busy loop) cannot stop the flush that must
//! start before Lambda's deadline.
//!
//! Each invocation with a deadline [`arm`]s an alarm for `deadline − margin` and holds the
//! returned [`Alarm`]; dropping it (the invocation ended) disarms it. When an alarm goes off
//! the thread logs `Invocation deadline approaching; flushing logs early` through the
//! invocation's logger and waits for that logger's flush — alongside the handler, never
//! instead of it.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use lift_observability::{Logger, field};

/// An armed alarm; dropping it disarms it.
#[derive(Debug)]
pub(crate) struct Alarm {
    id: u64,
}

impl Drop for Alarm {
    fn drop(&mut self) {
        let watchdog = watchdog();
        watchdog.lock().alarms.retain(|a| a.id != self.id);
    }
}

/// Arms an alarm at `at` that flushes `log`; `deadline` is when the invocation times out.
/// Without the watchdog thread (it could not be started) nothing is armed.
pub(crate) fn arm(at: Instant, deadline: Instant, log: Logger) -> Option<Alarm> {
    let watchdog = watchdog();
    if !watchdog.running {
        return None;
    }
    let mut state = watchdog.lock();
    state.next_id += 1;
    let id = state.next_id;
    state.alarms.push(Pending {
        id,
        at,
        deadline,
        log,
    });
    drop(state);
    watchdog.changed.notify_one();
    Some(Alarm { id })
}

struct Pending {
    id: u64,
    at: Instant,
    deadline: Instant,
    log: Logger,
}

#[derive(Default)]
struct State {
    alarms: Vec<Pending>,
    next_id: u64,
}

struct Watchdog {
    state: Mutex<State>,
    changed: Condvar,
    running: bool,
}

impl Watchdog {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Every update is a push or a retain: a panic cannot leave the list torn.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Watchdog {
    fn new(running: bool) -> Self {
        Self {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            running,
        }
    }
}

fn watchdog() -> &'static Arc<Watchdog> {
    static WATCHDOG: OnceLock<Arc<Watchdog>> = OnceLock::new();
    WATCHDOG.get_or_init(|| {
        let shared = Arc::new(Watchdog::new(true));
        let thread_side = Arc::clone(&shared);
        match std::thread::Builder::new()
            .name("lift-early-flush".into())
            .spawn(move || run(&thread_side))
        {
            Ok(_) => shared,
            // No thread: invocations run without an early flush rather than fail.
            Err(_) => Arc::new(Watchdog::new(false)),
        }
    })
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
    }
}

fn fire(alarm: &Pending) {
    let remaining = alarm.deadline.saturating_duration_since(Instant::now());
    alarm.log.warn(
        "Invocation deadline approaching; flushing logs early",
        &[field("remaining_ms", remaining.as_millis() as u64)],
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
