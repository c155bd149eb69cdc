//! The algorithms, as pure steps over one key's state: each limit is judged without counting
//! the request, and it is counted against all of them only when every limit admits it.
//! Times are whole nanoseconds since the Unix epoch in a `u64` (enough until 2554).

use std::collections::VecDeque;
use std::time::Duration;

use crate::decision::Decision;
use crate::limit::{Limit, Limits, Rate};

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

/// One limit's state for one key (times in nanoseconds since the Unix epoch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LimitState {
    Gcra {
        tat: u64,
    },
    Fixed {
        window: u64,
        count: u32,
    },
    /// The log of admissions, oldest first.
    Sliding {
        admitted: VecDeque<u64>,
    },
    /// A sliding window's log summed up at one instant by a store that keeps it elsewhere:
    /// how many admissions lie inside the window then, the oldest and the newest of them.
    /// Judged at that instant exactly as the log would be. (The DynamoDB store's.)
    #[cfg_attr(not(feature = "dynamodb"), allow(dead_code))]
    SlidingSummary {
        inside: u32,
        oldest: u64,
        newest: u64,
    },
}

impl LimitState {
    pub(crate) fn new(algorithm: Algorithm, limit: &Limit) -> Self {
        match algorithm {
            Algorithm::Gcra => LimitState::Gcra { tat: 0 },
            Algorithm::FixedWindow => LimitState::Fixed {
                window: 0,
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
                | (LimitState::SlidingSummary { .. }, Algorithm::SlidingWindow)
        )
    }

    /// Whether nothing of this state matters any more at `now` (the key may be evicted).
    pub(crate) fn is_idle(&self, limit: &Limit, now: Duration) -> bool {
        let (now, period) = (nanos(now), nanos(limit.period));
        match self {
            LimitState::Gcra { tat } => *tat <= now,
            LimitState::Fixed { window, .. } => window.saturating_add(period) <= now,
            LimitState::Sliding { admitted } => admitted
                .back()
                .is_none_or(|last| last.saturating_add(period) <= now),
            LimitState::SlidingSummary { inside, newest, .. } => {
                *inside == 0 || newest.saturating_add(period) <= now
            }
        }
    }
}

/// `d` in nanoseconds, saturating (u64 nanoseconds reach 584 years).
pub(crate) fn nanos(d: Duration) -> u64 {
    d.as_secs()
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::from(d.subsec_nanos()))
}

/// One limit's verdict on a request (the numbers as they will be once it is counted), in
/// nanoseconds.
#[derive(Clone, Copy)]
struct Verdict {
    allowed: bool,
    remaining: u32,
    reset_after: u64,
    retry_after: u64,
}

/// Judges `limit` at `now` without counting the request; `state` only forgets what has
/// expired (which changes no verdict).
fn check(state: &mut LimitState, limit: &Limit, rate: Rate, now: u64) -> Verdict {
    match state {
        LimitState::Gcra { tat } => {
            let tolerance = rate.period - rate.interval;
            let ahead = tat.saturating_sub(now);
            if ahead > tolerance {
                return Verdict {
                    allowed: false,
                    remaining: 0,
                    reset_after: ahead,
                    retry_after: ahead - tolerance,
                };
            }
            let used = ahead + rate.interval;
            let left = rate.period.saturating_sub(used);
            Verdict {
                allowed: true,
                remaining: (left / rate.interval) as u32,
                reset_after: used,
                retry_after: 0,
            }
        }
        LimitState::Fixed { window, count } => {
            let current = now / rate.period * rate.period;
            if *window != current {
                (*window, *count) = (current, 0);
            }
            let reset_after = (current + rate.period).saturating_sub(now);
            let allowed = *count < limit.count;
            Verdict {
                allowed,
                remaining: if allowed { limit.count - *count - 1 } else { 0 },
                reset_after,
                retry_after: if allowed { 0 } else { reset_after },
            }
        }
        LimitState::Sliding { admitted } => {
            while admitted
                .front()
                .is_some_and(|first| first.saturating_add(rate.period) <= now)
            {
                admitted.pop_front();
            }
            let inside = u32::try_from(admitted.len()).unwrap_or(u32::MAX);
            sliding_verdict(limit, rate, now, inside, admitted.front().copied())
        }
        LimitState::SlidingSummary { inside, oldest, .. } => {
            sliding_verdict(limit, rate, now, *inside, (*inside > 0).then_some(*oldest))
        }
    }
}

/// A sliding window's verdict with `inside` admissions in the window ending at `now`, the
/// oldest of them `oldest`.
fn sliding_verdict(
    limit: &Limit,
    rate: Rate,
    now: u64,
    inside: u32,
    oldest: Option<u64>,
) -> Verdict {
    let allowed = inside < limit.count;
    let wait = oldest.map_or(0, |oldest| {
        oldest.saturating_add(rate.period).saturating_sub(now)
    });
    Verdict {
        allowed,
        remaining: if allowed { limit.count - inside - 1 } else { 0 },
        reset_after: if allowed { rate.period } else { wait },
        retry_after: if allowed { 0 } else { wait },
    }
}

/// Counts an admitted request in `state` (after [`check`] admitted it at `now`).
fn count(state: &mut LimitState, rate: Rate, now: u64) {
    match state {
        LimitState::Gcra { tat } => *tat = (*tat).max(now) + rate.interval,
        LimitState::Fixed { count, .. } => *count += 1,
        LimitState::Sliding { admitted } => admitted.push_back(now),
        LimitState::SlidingSummary {
            inside,
            oldest,
            newest,
        } => {
            if *inside == 0 {
                *oldest = now;
            }
            *inside = inside.saturating_add(1);
            *newest = now;
        }
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
    let rates = limits.rates();
    let limits = limits.as_slice();
    if states.len() != limits.len() || !states.iter().all(|s| s.is(algorithm)) {
        *states = limits
            .iter()
            .map(|l| LimitState::new(algorithm, l))
            .collect();
    }
    let now = nanos(now);
    // Reported: the refusing limit with the longest wait, else the one with the fewest
    // requests left (the first limit's verdict until another is closer).
    let mut closest = 0;
    let mut binding: Option<Verdict> = None;
    let mut allowed = true;
    for (i, (state, (limit, rate))) in states.iter_mut().zip(limits.iter().zip(rates)).enumerate() {
        let verdict = check(state, limit, *rate, now);
        allowed &= verdict.allowed;
        let closer = match &binding {
            None => true,
            Some(b) if !verdict.allowed => b.allowed || verdict.retry_after > b.retry_after,
            Some(b) => b.allowed && verdict.remaining < b.remaining,
        };
        if closer {
            (closest, binding) = (i, Some(verdict));
        }
    }
    if allowed {
        for (state, rate) in states.iter_mut().zip(rates) {
            count(state, *rate, now);
        }
    }
    match (binding, limits.get(closest)) {
        (Some(v), Some(limit)) => Decision {
            allowed,
            limit: *limit,
            remaining: if allowed { v.remaining } else { 0 },
            reset_after: Duration::from_nanos(v.reset_after),
            retry_after: (!allowed).then_some(Duration::from_nanos(v.retry_after)),
        },
        // `Limits` is never empty; an empty set would admit everything.
        _ => Decision {
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
