//! [`BatchPacker`]: turns queued events into `PutLogEvents` batches that obey every rule.
//!
//! Pure and synchronous, so every rule is tested exhaustively without a network. One call
//! to [`BatchPacker::pack`] takes the events drained from a queue and:
//! 1. drops, with a counted reason, events CloudWatch would refuse individually: empty
//!    messages, timestamps older than the age window (14 days, or the group's retention) or
//!    more than 2 hours ahead;
//! 2. truncates an oversize message so it fits the per-event cap (JSON stays valid and is
//!    marked `"truncated": true`; see [`lift_observability::truncate_line`]);
//! 3. sorts by timestamp, stably (equal timestamps keep their arrival order);
//! 4. cuts batches greedily, each within the byte limit (26 bytes of overhead per event),
//!    the event-count limit and the 24-hour span.
//!
//! Invariant (tested): every input event is either in exactly one batch or counted as dropped.

use lift_observability::{DropCounts, DropReason};

use crate::limits::{
    DEFAULT_MAX_EVENT_BYTES, MAX_AGE_MS, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_BATCH_SPAN_MS,
    MAX_FUTURE_MS, event_cost,
};
use lift_observability::truncate_line;

/// One log event: what `PutLogEvents` calls an `InputLogEvent`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEvent {
    /// Unix milliseconds.
    pub timestamp_ms: i64,
    /// The message (one encoded log line).
    pub message: String,
    /// An opaque tag carried through packing untouched: the shipper numbers events in
    /// arrival order so a flush knows which of them it waits for. `0` when unused.
    pub seq: u64,
}

impl LogEvent {
    /// An event.
    pub fn new(timestamp_ms: i64, message: impl Into<String>) -> Self {
        Self {
            timestamp_ms,
            message: message.into(),
            seq: 0,
        }
    }

    /// The same event carrying the tag `seq`.
    pub fn with_seq(mut self, seq: u64) -> Self {
        self.seq = seq;
        self
    }

    /// The bytes this event counts for in a batch (message plus overhead).
    pub fn cost(&self) -> usize {
        event_cost(self.message.len())
    }
}

/// The limits a packer enforces; the defaults are CloudWatch's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackerLimits {
    /// Batch bytes, overhead included.
    pub max_batch_bytes: usize,
    /// Events per batch.
    pub max_batch_events: usize,
    /// Bytes of one event's message.
    pub max_event_bytes: usize,
    /// First-to-last span of a batch.
    pub max_span_ms: i64,
    /// How far ahead of now an event may be.
    pub max_future_ms: i64,
    /// How far behind now an event may be (the smaller of 14 days and the retention).
    pub max_age_ms: i64,
}

impl Default for PackerLimits {
    fn default() -> Self {
        Self {
            max_batch_bytes: MAX_BATCH_BYTES,
            max_batch_events: MAX_BATCH_EVENTS,
            max_event_bytes: DEFAULT_MAX_EVENT_BYTES,
            max_span_ms: MAX_BATCH_SPAN_MS,
            max_future_ms: MAX_FUTURE_MS,
            max_age_ms: MAX_AGE_MS,
        }
    }
}

impl PackerLimits {
    /// Limits for a group whose retention is `days`: older events would be rejected as
    /// expired, so they are dropped before sending.
    pub fn with_retention_days(mut self, days: u32) -> Self {
        let retention_ms = i64::from(days) * 24 * 60 * 60 * 1000;
        self.max_age_ms = self.max_age_ms.min(retention_ms);
        self
    }
}

/// One `PutLogEvents` call's worth of events, in chronological order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    /// The events, sorted by timestamp.
    pub events: Vec<LogEvent>,
    /// The batch's size as CloudWatch counts it.
    pub bytes: usize,
}

impl Batch {
    /// How full the batch is, against the byte limit (0.0 to 1.0).
    pub fn fill_ratio(&self, limits: &PackerLimits) -> f64 {
        self.bytes as f64 / limits.max_batch_bytes as f64
    }
}

/// What one `pack` produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PackReport {
    /// The batches, each obeying every limit.
    pub batches: Vec<Batch>,
    /// Events dropped before sending, by reason.
    pub dropped: DropCounts,
    /// The `seq` tags of the dropped events, in input order.
    pub dropped_seqs: Vec<u64>,
    /// Events whose message was truncated to fit.
    pub truncated: u64,
    /// Bytes cut from those messages.
    pub truncated_bytes: u64,
    /// The batch cost (message bytes plus per-event overhead) the input had and the
    /// batches do not: dropped events' whole cost plus the bytes cut by truncation. Input
    /// cost = Σ batch bytes + `cost_removed`.
    pub cost_removed: u64,
}

/// Packs events into batches that obey every `PutLogEvents` rule.
#[derive(Debug, Clone, Default)]
pub struct BatchPacker {
    limits: PackerLimits,
}

impl BatchPacker {
    /// A packer with these limits.
    pub fn new(limits: PackerLimits) -> Self {
        Self { limits }
    }

    /// The limits in force.
    pub fn limits(&self) -> &PackerLimits {
        &self.limits
    }

    /// Packs `events` as of `now_ms` (Unix milliseconds).
    pub fn pack(&self, events: Vec<LogEvent>, now_ms: i64) -> PackReport {
        let mut report = PackReport::default();
        let mut kept = Vec::with_capacity(events.len());
        for mut event in events {
            match self.check(&event, now_ms) {
                Some(reason) => {
                    *count(&mut report.dropped, reason) += 1;
                    report.dropped_seqs.push(event.seq);
                    report.cost_removed += event.cost() as u64;
                }
                None => {
                    if event.message.len() > self.limits.max_event_bytes {
                        let cut = truncate_line(&event.message, self.limits.max_event_bytes);
                        let before = event.message.len();
                        event.message = cut.into_owned();
                        let cut_bytes = (before - event.message.len()) as u64;
                        report.cost_removed += cut_bytes;
                        report.truncated_bytes += cut_bytes;
                        report.truncated += 1;
                    }
                    kept.push(event);
                }
            }
        }
        // Stable: equal timestamps keep their arrival order.
        kept.sort_by_key(|e| e.timestamp_ms);
        report.batches = self.cut(kept);
        report
    }

    fn check(&self, event: &LogEvent, now_ms: i64) -> Option<DropReason> {
        if event.message.is_empty() {
            Some(DropReason::Empty)
        } else if event.timestamp_ms < now_ms.saturating_sub(self.limits.max_age_ms)
            || event.timestamp_ms < 0
        {
            Some(DropReason::TooOld)
        } else if event.timestamp_ms > now_ms.saturating_add(self.limits.max_future_ms) {
            Some(DropReason::TooNew)
        } else {
            None
        }
    }

    fn cut(&self, sorted: Vec<LogEvent>) -> Vec<Batch> {
        let l = &self.limits;
        let mut batches = Vec::new();
        let mut current = Batch::default();
        for event in sorted {
            let cost = event.cost();
            let starts_new = !current.events.is_empty()
                && (current.bytes + cost > l.max_batch_bytes
                    || current.events.len() == l.max_batch_events
                    || event.timestamp_ms - current.events[0].timestamp_ms > l.max_span_ms);
            if starts_new {
                batches.push(std::mem::take(&mut current));
            }
            current.bytes += cost;
            current.events.push(event);
        }
        if !current.events.is_empty() {
            batches.push(current);
        }
        batches
    }
}

fn count(counts: &mut DropCounts, reason: DropReason) -> &mut u64 {
    match reason {
        DropReason::TooOld => &mut counts.too_old,
        DropReason::TooNew => &mut counts.too_new,
        _ => &mut counts.empty,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_795_752_557_123;

    fn events(n: usize, bytes: usize) -> Vec<LogEvent> {
        (0..n)
            .map(|i| LogEvent::new(NOW - (n - i) as i64, "x".repeat(bytes)))
            .collect()
    }

    /// Every rule CloudWatch applies to one call, checked on every batch.
    fn assert_obeys_every_rule(report: &PackReport, limits: &PackerLimits) {
        for b in &report.batches {
            assert!(!b.events.is_empty());
            assert!(b.events.len() <= limits.max_batch_events);
            let bytes: usize = b.events.iter().map(LogEvent::cost).sum();
            assert_eq!(bytes, b.bytes);
            assert!(bytes <= limits.max_batch_bytes, "{bytes}");
            assert!(
                b.events
                    .windows(2)
                    .all(|w| w[0].timestamp_ms <= w[1].timestamp_ms)
            );
            let span = b.events.last().unwrap().timestamp_ms - b.events[0].timestamp_ms;
            assert!(span <= limits.max_span_ms);
            assert!(
                b.events
                    .iter()
                    .all(|e| !e.message.is_empty() && e.message.len() <= limits.max_event_bytes)
            );
        }
    }

    fn delivered(report: &PackReport) -> usize {
        report.batches.iter().map(|b| b.events.len()).sum()
    }

    #[test]
    fn exactly_ten_thousand_events_fit_one_batch_and_one_more_does_not() {
        let p = BatchPacker::default();
        let r = p.pack(events(10_000, 10), NOW);
        assert_eq!(r.batches.len(), 1);
        assert_eq!(r.batches[0].events.len(), 10_000);
        let r = p.pack(events(10_001, 10), NOW);
        assert_eq!(
            r.batches.iter().map(|b| b.events.len()).collect::<Vec<_>>(),
            [10_000, 1]
        );
        assert_obeys_every_rule(&r, p.limits());
    }

    #[test]
    fn a_batch_of_exactly_the_byte_limit_and_one_byte_over() {
        let p = BatchPacker::default();
        // 4 events of (262,144 − 26) bytes cost exactly 1,048,576.
        let size = MAX_BATCH_BYTES / 4 - 26;
        let r = p.pack(events(4, size), NOW);
        assert_eq!(r.batches.len(), 1);
        assert_eq!(r.batches[0].bytes, MAX_BATCH_BYTES);
        let mut over = events(4, size);
        over[3].message.push('y');
        let r = p.pack(over, NOW);
        assert_eq!(r.batches.len(), 2);
        assert_eq!(r.batches[0].bytes, MAX_BATCH_BYTES - size - 26);
        assert_obeys_every_rule(&r, p.limits());
    }

    #[test]
    fn the_event_cap_and_one_over_with_a_multibyte_character_at_the_cut() {
        let limits = PackerLimits {
            max_event_bytes: 1024,
            ..PackerLimits::default()
        };
        let p = BatchPacker::new(limits);
        let at_cap = format!("{}€", "a".repeat(1021));
        let over = format!("{}€", "a".repeat(1022));
        let r = p.pack(
            vec![LogEvent::new(NOW, at_cap.clone()), LogEvent::new(NOW, over)],
            NOW,
        );
        assert_eq!(r.truncated, 1);
        let msgs: Vec<_> = r.batches[0]
            .events
            .iter()
            .map(|e| e.message.clone())
            .collect();
        assert_eq!(msgs[0], at_cap);
        assert_eq!(msgs[1], "a".repeat(1022));
        assert_obeys_every_rule(&r, &limits);
    }

    #[test]
    fn a_span_of_24_hours_fits_and_one_millisecond_more_splits() {
        let p = BatchPacker::default();
        let start = NOW - MAX_BATCH_SPAN_MS - 10;
        let r = p.pack(
            vec![
                LogEvent::new(start, "a"),
                LogEvent::new(start + MAX_BATCH_SPAN_MS, "b"),
            ],
            NOW,
        );
        assert_eq!(r.batches.len(), 1);
        let r = p.pack(
            vec![
                LogEvent::new(start, "a"),
                LogEvent::new(start + MAX_BATCH_SPAN_MS + 1, "b"),
            ],
            NOW,
        );
        assert_eq!(r.batches.len(), 2);
    }

    #[test]
    fn refused_events_are_counted_not_sent() {
        let p = BatchPacker::new(PackerLimits::default().with_retention_days(1));
        let day = 24 * 60 * 60 * 1000;
        let r = p.pack(
            vec![
                LogEvent::new(NOW, ""),
                LogEvent::new(NOW - day - 1, "expired by retention"),
                LogEvent::new(-5, "negative"),
                LogEvent::new(NOW + MAX_FUTURE_MS + 1, "too new"),
                LogEvent::new(NOW + MAX_FUTURE_MS, "just in time"),
                LogEvent::new(NOW - day, "oldest kept"),
            ],
            NOW,
        );
        assert_eq!(r.dropped.empty, 1);
        assert_eq!(r.dropped.too_old, 2);
        assert_eq!(r.dropped.too_new, 1);
        assert_eq!(delivered(&r), 2);
        assert_eq!(r.batches[0].events[0].message, "oldest kept");
    }

    #[test]
    fn out_of_order_events_from_eight_threads_come_out_sorted_and_complete() {
        let p = BatchPacker::default();
        let handles: Vec<_> = (0..8)
            .map(|t| {
                std::thread::spawn(move || {
                    (0..2_000)
                        .map(|i| {
                            LogEvent::new(NOW - ((i * 7919 + t * 131) % 5000), format!("{t}-{i}"))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.join().unwrap());
        }
        let r = p.pack(all, NOW);
        assert_eq!(delivered(&r), 16_000);
        assert_obeys_every_rule(&r, p.limits());
        let mut seen: Vec<_> = r
            .batches
            .iter()
            .flat_map(|b| &b.events)
            .map(|e| e.message.clone())
            .collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 16_000);
    }

    #[test]
    fn equal_timestamps_keep_arrival_order() {
        let p = BatchPacker::default();
        let r = p.pack(
            (0..100)
                .map(|i| LogEvent::new(NOW, i.to_string()))
                .collect(),
            NOW,
        );
        let order: Vec<_> = r.batches[0]
            .events
            .iter()
            .map(|e| e.message.parse::<u32>().unwrap())
            .collect();
        assert_eq!(order, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn a_backlog_fills_batches_to_at_least_98_percent() {
        let p = BatchPacker::default();
        let r = p.pack(events(20_000, 300), NOW);
        let full = &r.batches[..r.batches.len() - 1];
        assert!(!full.is_empty());
        for b in full {
            assert!(
                b.fill_ratio(p.limits()) >= 0.98,
                "{}",
                b.fill_ratio(p.limits())
            );
        }
    }

    proptest! {
        #[test]
        fn every_event_is_sent_once_or_counted(
            input in proptest::collection::vec((-3_000_000_000i64..10_000_000_000, 0usize..3000), 0..400),
            max_events in 1usize..50,
            max_batch_bytes in 4000usize..20_000,
        ) {
            let limits = PackerLimits {
                max_batch_events: max_events,
                max_batch_bytes,
                max_event_bytes: 2000,
                ..PackerLimits::default()
            };
            let p = BatchPacker::new(limits);
            let events: Vec<_> = input.iter().enumerate()
                .map(|(i, (dt, len))| {
                    // Length 0 makes an empty message; the index keeps the rest distinct.
                    let message = if *len == 0 { String::new() } else { format!("{i}:{}", "z".repeat(*len)) };
                    LogEvent::new(NOW + dt, message).with_seq(i as u64)
                })
                .collect();
            let n = events.len();
            let input_cost: usize = events.iter().map(LogEvent::cost).sum();
            let r = p.pack(events, NOW);
            assert_obeys_every_rule(&r, &limits);
            prop_assert_eq!(delivered(&r) as u64 + r.dropped.total(), n as u64);
            prop_assert_eq!(r.dropped_seqs.len() as u64, r.dropped.total());
            let batch_cost: usize = r.batches.iter().map(|b| b.bytes).sum();
            prop_assert_eq!(input_cost as u64, batch_cost as u64 + r.cost_removed);
            // Every seq comes out exactly once, in a batch or among the dropped.
            let mut seqs: Vec<u64> = r.batches.iter().flat_map(|b| b.events.iter().map(|e| e.seq)).collect();
            seqs.extend(&r.dropped_seqs);
            seqs.sort_unstable();
            prop_assert_eq!(seqs, (0..n as u64).collect::<Vec<_>>());
        }
    }
}
