//! Flush promises: who waits for which entries, and what to tell them.
//!
//! A flush taken when `n` entries had been accepted waits for every entry numbered below
//! `n` to be settled — of every stream, or of one stream (a tenant's flush). The shipper reports each settlement (the lowest entry number still
//! unsettled, and the numbers it dropped); a waiter completes with `Ok` when all of its
//! entries were delivered, with [`SinkError::Undelivered`] and the exact count when some
//! were dropped, or with [`SinkError::Timeout`] when its deadline passes first.

use std::time::Duration;

use lift_observability::SinkError;
use tokio::sync::oneshot;
use tokio::time::Instant;

/// One pending flush.
#[derive(Debug)]
pub(crate) struct Waiter {
    /// Entries numbered below this are waited for.
    pub(crate) target: u64,
    /// Only the entries of this stream, when set.
    pub(crate) stream: Option<std::sync::Arc<str>>,
    /// When the wait gives up.
    pub(crate) deadline: Instant,
    /// The wait's length, for the error message.
    pub(crate) timeout: Duration,
    /// When the flush started, for latency stats.
    pub(crate) started: std::time::Instant,
    /// Entries below `target` counted as dropped so far.
    pub(crate) undelivered: u64,
    /// Where the answer goes.
    pub(crate) reply: oneshot::Sender<Result<(), SinkError>>,
}

/// All pending flushes.
#[derive(Debug, Default)]
pub(crate) struct Waiters {
    waiting: Vec<Waiter>,
}

impl Waiters {
    pub(crate) fn push(&mut self, waiter: Waiter) {
        self.waiting.push(waiter);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// The earliest deadline, if anyone waits.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.waiting.iter().map(|w| w.deadline).min()
    }

    /// Entries with these numbers were dropped, from `stream` (`None`: from any stream).
    pub(crate) fn dropped(
        &mut self,
        stream: Option<&str>,
        seqs: impl Iterator<Item = u64> + Clone,
    ) {
        for w in &mut self.waiting {
            if let (Some(mine), Some(theirs)) = (&w.stream, stream)
                && **mine != *theirs
            {
                continue;
            }
            w.undelivered += seqs.clone().filter(|s| *s < w.target).count() as u64;
        }
    }

    /// Answers every waiter whose entries are all settled (`lowest_unsettled(stream)` is the
    /// lowest number still held, in that stream or in all, `u64::MAX` when none) or whose
    /// deadline has passed; `unsettled_below(stream, target)` counts what a timed-out waiter
    /// still waits for. Returns the latencies of the flushes completed.
    pub(crate) fn settle(
        &mut self,
        lowest_unsettled: impl Fn(Option<&str>) -> u64,
        now: Instant,
        last_error: impl Fn() -> String,
        unsettled_below: impl Fn(Option<&str>, u64) -> u64,
    ) -> Vec<Duration> {
        let mut latencies = Vec::new();
        let mut i = 0;
        while i < self.waiting.len() {
            let w = &self.waiting[i];
            let stream = w.stream.as_deref();
            let answer = if lowest_unsettled(stream) >= w.target {
                Some(if w.undelivered == 0 {
                    Ok(())
                } else {
                    Err(SinkError::Undelivered {
                        undelivered: w.undelivered,
                        reason: last_error(),
                    })
                })
            } else if now >= w.deadline {
                Some(Err(SinkError::Timeout {
                    deadline: w.timeout,
                    undelivered: w.undelivered + unsettled_below(stream, w.target),
                }))
            } else {
                None
            };
            match answer {
                Some(result) => {
                    let w = self.waiting.swap_remove(i);
                    latencies.push(w.started.elapsed());
                    // The caller may have stopped waiting; that is fine.
                    let _ = w.reply.send(result);
                }
                None => i += 1,
            }
        }
        latencies
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiter(
        target: u64,
        deadline: Instant,
    ) -> (Waiter, oneshot::Receiver<Result<(), SinkError>>) {
        scoped(target, None, deadline)
    }

    fn scoped(
        target: u64,
        stream: Option<&str>,
        deadline: Instant,
    ) -> (Waiter, oneshot::Receiver<Result<(), SinkError>>) {
        let (reply, rx) = oneshot::channel();
        (
            Waiter {
                target,
                stream: stream.map(std::sync::Arc::from),
                deadline,
                timeout: Duration::from_secs(1),
                started: std::time::Instant::now(),
                undelivered: 0,
                reply,
            },
            rx,
        )
    }

    #[test]
    fn completes_when_everything_below_target_is_settled() {
        let now = Instant::now();
        let mut ws = Waiters::default();
        let (w, mut rx) = waiter(10, now + Duration::from_secs(5));
        ws.push(w);
        assert!(ws.settle(|_| 9, now, String::new, |_, _| 1).is_empty());
        assert!(rx.try_recv().is_err());
        assert_eq!(ws.settle(|_| 10, now, String::new, |_, _| 0).len(), 1);
        assert!(matches!(rx.try_recv(), Ok(Ok(()))));
        assert!(ws.is_empty());
    }

    #[test]
    fn reports_exact_undelivered_counts_and_timeouts() {
        let now = Instant::now();
        let mut ws = Waiters::default();
        let (w1, mut rx1) = waiter(5, now + Duration::from_secs(5));
        let (w2, mut rx2) = waiter(100, now + Duration::from_millis(1));
        ws.push(w1);
        ws.push(w2);
        ws.dropped(Some("s"), [1u64, 3, 7].into_iter());
        ws.settle(|_| 5, now, || "boom".into(), |_, _| 0);
        match rx1.try_recv() {
            Ok(Err(SinkError::Undelivered {
                undelivered,
                reason,
            })) => {
                assert_eq!(undelivered, 2);
                assert_eq!(reason, "boom");
            }
            other => panic!("{other:?}"),
        }
        ws.settle(
            |_| 5,
            now + Duration::from_millis(2),
            String::new,
            |_, t| {
                assert_eq!(t, 100);
                40
            },
        );
        match rx2.try_recv() {
            Ok(Err(SinkError::Timeout { undelivered, .. })) => assert_eq!(undelivered, 43),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_tenant_flush_waits_for_its_own_stream_only() {
        let now = Instant::now();
        let mut ws = Waiters::default();
        let (fast, mut fast_rx) = scoped(10, Some("fast"), now + Duration::from_secs(5));
        let (all, mut all_rx) = waiter(10, now + Duration::from_secs(5));
        ws.push(fast);
        ws.push(all);
        // The slow stream still holds entry 3; the fast one has settled everything.
        let lowest = |stream: Option<&str>| match stream {
            Some("fast") => u64::MAX,
            _ => 3,
        };
        // Drops from the slow stream are not the fast flush's.
        ws.dropped(Some("slow"), [4u64].into_iter());
        assert_eq!(ws.settle(lowest, now, String::new, |_, _| 0).len(), 1);
        assert!(matches!(fast_rx.try_recv(), Ok(Ok(()))));
        assert!(all_rx.try_recv().is_err(), "the unscoped flush waits on");
    }
}
