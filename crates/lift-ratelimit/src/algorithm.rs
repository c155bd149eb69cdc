//! The algorithms, as pure steps over one key's state: each limit is judged on a copy and
//! the copies are kept only when every limit admits the request.

use std::collections::VecDeque;
use std::time::Duration;

use crate::decision::Decision;
use crate::limit::{Limit, Limits};

/// How a limit is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Algorithm {
    /// The generic cell rate algorithm: one "theoretical arrival time" per limit; a full
    /// quota may be spent at once, then requests are admitted as the period's share comes
    /// back (`period / count` each). Smooth and exact, the default.
    #[default]
    Gcra,
    /// `count` per calendar window of `period` (windows start at multiples of the period);
    /// up to twice the count can pass around a window's edge.
    FixedWindow,
    /// At most `count` in any `period` ending now — exact: the admitted requests' times are
    /// kept (up to `count` per key and limit).
    SlidingWindow,
}

/// One limit's state for one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LimitState {
    Gcra { tat: Duration },
    Fixed { window: Duration, count: u32 },
    Sliding { admitted: VecDeque<Duration> },
}

impl LimitState {
    pub(crate) fn new(algorithm: Algorithm, limit: &Limit) -> Self {
        match algorithm {
            Algorithm::Gcra => LimitState::Gcra {
                tat: Duration::ZERO,
            },
            Algorithm::FixedWindow => LimitState::Fixed {
                window: Duration::ZERO,
                count: 0,
            },
            Algorithm::SlidingWindow => LimitState::Sliding {
                admitted: VecDeque::with_capacity(limit.count.min(1024) as usize),
            },
        }
    }

    fn is(&self, algorithm: Algorithm) -> bool {
        matches!(
            (self, algorithm),
            (LimitState::Gcra { .. }, Algorithm::Gcra)
                | (LimitState::Fixed { .. }, Algorithm::FixedWindow)
                | (LimitState::Sliding { .. }, Algorithm::SlidingWindow)
        )
    }

    /// Whether nothing of this state matters any more at `now` (the key may be evicted).
    pub(crate) fn is_idle(&self, limit: &Limit, now: Duration) -> bool {
        match self {
            LimitState::Gcra { tat } => *tat <= now,
            LimitState::Fixed { window, .. } => *window + limit.period <= now,
            LimitState::Sliding { admitted } => admitted
                .back()
                .is_none_or(|last| *last + limit.period <= now),
        }
    }
}

/// `d` in nanoseconds, saturating (u64 nanoseconds reach 584 years).
fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// One limit's verdict on a request (the numbers as they will be once it is counted).
struct Verdict {
    allowed: bool,
    remaining: u32,
    reset_after: Duration,
    retry_after: Duration,
}

/// Judges `limit` at `now` without counting the request; `state` only forgets what has
/// expired (which changes no verdict).
fn check(state: &mut LimitState, limit: &Limit, now: Duration) -> Verdict {
    match state {
        LimitState::Gcra { tat } => {
            let interval = limit.interval();
            let tolerance = limit.period.saturating_sub(interval);
            let ahead = (*tat).max(now) - now;
            if ahead > tolerance {
                return Verdict {
                    allowed: false,
                    remaining: 0,
                    reset_after: ahead,
                    retry_after: ahead - tolerance,
                };
            }
            let used = ahead + interval;
            let left = limit.period.saturating_sub(used);
            Verdict {
                allowed: true,
                // In u64: a u128 division is a library call costing more than the rest.
                remaining: (nanos(left) / nanos(interval).max(1)) as u32,
                reset_after: used,
                retry_after: Duration::ZERO,
            }
        }
        LimitState::Fixed { window, count } => {
            let period = nanos(limit.period).max(1);
            let current = Duration::from_nanos(nanos(now) / period * period);
            if *window != current {
                (*window, *count) = (current, 0);
            }
            let reset_after = (current + limit.period).saturating_sub(now);
            let allowed = *count < limit.count;
            Verdict {
                allowed,
                remaining: if allowed { limit.count - *count - 1 } else { 0 },
                reset_after,
                retry_after: if allowed { Duration::ZERO } else { reset_after },
            }
        }
        LimitState::Sliding { admitted } => {
            while admitted
                .front()
                .is_some_and(|first| *first + limit.period <= now)
            {
                admitted.pop_front();
            }
            let allowed = admitted.len() < limit.count as usize;
            let wait = admitted.front().map_or(Duration::ZERO, |oldest| {
                (*oldest + limit.period).saturating_sub(now)
            });
            Verdict {
                allowed,
                remaining: if allowed {
                    limit.count - admitted.len() as u32 - 1
                } else {
                    0
                },
                reset_after: if allowed { limit.period } else { wait },
                retry_after: if allowed { Duration::ZERO } else { wait },
            }
        }
    }
}

/// Counts an admitted request in `state` (after [`check`] admitted it at `now`).
fn count(state: &mut LimitState, limit: &Limit, now: Duration) {
    match state {
        LimitState::Gcra { tat } => *tat = (*tat).max(now) + limit.interval(),
        LimitState::Fixed { count, .. } => *count += 1,
        LimitState::Sliding { admitted } => admitted.push_back(now),
    }
}

/// Decides one request against every limit of `limits` on `states` (one per limit, reset
/// when the algorithm or the set of limits changed): counted against all of them only if
/// all admit it. No allocation once a key's states exist.
pub(crate) fn decide(
    states: &mut Vec<LimitState>,
    limits: &Limits,
    algorithm: Algorithm,
    now: Duration,
) -> Decision {
    let limits = limits.as_slice();
    if states.len() != limits.len() || !states.iter().all(|s| s.is(algorithm)) {
        *states = limits
            .iter()
            .map(|l| LimitState::new(algorithm, l))
            .collect();
    }
    let mut binding: Option<(Limit, Verdict)> = None;
    let mut allowed = true;
    for (state, limit) in states.iter_mut().zip(limits) {
        let verdict = check(state, limit, now);
        allowed &= verdict.allowed;
        // Reported: the refusing limit with the longest wait, else the one with the fewest
        // requests left.
        let closer = match &binding {
            None => true,
            Some((_, b)) if !verdict.allowed => b.allowed || verdict.retry_after > b.retry_after,
            Some((_, b)) => b.allowed && verdict.remaining < b.remaining,
        };
        if closer {
            binding = Some((*limit, verdict));
        }
    }
    if allowed {
        for (state, limit) in states.iter_mut().zip(limits) {
            count(state, limit, now);
        }
    }
    match binding {
        Some((limit, v)) => Decision {
            allowed,
            limit,
            remaining: if allowed { v.remaining } else { 0 },
            reset_after: v.reset_after,
            retry_after: (!allowed).then_some(v.retry_after),
        },
        // `Limits` is never empty; an empty set would admit everything.
        None => Decision {
            allowed: true,
            limit: Limit {
                count: u32::MAX,
                period: Duration::from_secs(1),
            },
            remaining: u32::MAX,
            reset_after: Duration::ZERO,
            retry_after: None,
        },
    }
}
