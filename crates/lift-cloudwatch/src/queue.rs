//! The bounded queue between logging callers and the shipper.
//!
//! Callers copy each encoded line (and its tenant id, for per-tenant streams) into one
//! contiguous byte arena and push a small fixed-size slot; the shipper swaps the whole
//! arena out in one go and hands back the emptied one, so in steady state nothing is
//! allocated per entry on the caller's side: the arena's capacity is reused, and the
//! emptied arena is first grown to the size of the one it replaces.
//!
//! Bounds: [`QueueLimits::max_bytes`] and [`QueueLimits::max_entries`] cover everything
//! *held* — queued here or still being shipped (packed, in flight, retrying) — until it is
//! settled (acknowledged or counted as dropped). So during an outage the batches being
//! retried keep their place and it is new entries that meet the bound: drop-newest counts
//! them as `queue_full`; block-with-timeout waits up to the timeout for room, then counts
//! `block_timeout`. After close, entries are refused as `closed`.
//!
//! Every entry gets a sequence number at acceptance (0, 1, 2, …); a flush waits for every
//! number below the count taken when it was called.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use lift_observability::DropCounters;
use lift_observability::DropReason;
use tokio::sync::Notify;

use crate::limits::event_cost;

/// What to do with an entry when the buffer is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OverflowPolicy {
    /// Refuse the new entry at once and count it (`queue_full`). The logging call never
    /// waits.
    #[default]
    DropNewest,
    /// Wait up to the block timeout for room, then refuse and count (`block_timeout`).
    Block,
}

/// The queue's bounds and policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct QueueLimits {
    /// Bytes held (message bytes plus 26 per event, as CloudWatch counts them).
    pub(crate) max_bytes: usize,
    /// Entries held.
    pub(crate) max_entries: usize,
    /// The overflow policy.
    pub(crate) overflow: OverflowPolicy,
    /// How long `Block` waits.
    pub(crate) block_timeout: Duration,
    /// Queued bytes at which the shipper is woken before its timer (a full batch).
    pub(crate) wake_bytes: usize,
    /// Queued entries at which the shipper is woken before its timer.
    pub(crate) wake_entries: usize,
}

/// One queued entry's place in the arena.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slot {
    pub(crate) timestamp_ms: i64,
    pub(crate) seq: u64,
    pub(crate) line_len: u32,
    pub(crate) tenant_len: u32,
    pub(crate) has_tenant: bool,
}

/// What the shipper takes out in one drain.
#[derive(Debug, Default)]
pub(crate) struct Drained {
    /// Lines and tenant ids back to back, in slot order.
    pub(crate) arena: Vec<u8>,
    /// The entries.
    pub(crate) slots: Vec<Slot>,
}

impl Drained {
    /// Each entry's line bytes and tenant bytes (if any).
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&Slot, &[u8], Option<&[u8]>)> {
        let mut at = 0usize;
        self.slots.iter().map(move |slot| {
            let line_end = at + slot.line_len as usize;
            let tenant_end = line_end + slot.tenant_len as usize;
            let line = &self.arena[at..line_end];
            let tenant = slot.has_tenant.then(|| &self.arena[line_end..tenant_end]);
            at = tenant_end;
            (slot, line, tenant)
        })
    }

    fn clear(&mut self) {
        self.arena.clear();
        self.slots.clear();
    }
}

#[derive(Debug, Default)]
struct State {
    queued: Drained,
    queued_bytes: usize,
    held_bytes: usize,
    held_entries: usize,
    next_seq: u64,
    closed: bool,
    /// Set by [`Queue::stop_waiting`]: `Block` refuses at once instead of waiting.
    no_wait: bool,
    woken: bool,
}

/// The queue shared by the sink (callers) and the shipper.
#[derive(Debug)]
pub(crate) struct Queue {
    limits: QueueLimits,
    state: Mutex<State>,
    room: Condvar,
    wake: Notify,
    drops: DropCounters,
}

impl Queue {
    pub(crate) fn new(limits: QueueLimits) -> Self {
        Self {
            limits,
            state: Mutex::new(State::default()),
            room: Condvar::new(),
            wake: Notify::new(),
            drops: DropCounters::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the state torn (every update is a
        // few field writes), so poisoning is ignored rather than spread to callers.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes one line. Returns its sequence number, or why it was refused (already counted).
    pub(crate) fn push(
        &self,
        line: &[u8],
        tenant: Option<&str>,
        timestamp_ms: i64,
    ) -> Result<u64, DropReason> {
        self.push_within(line, tenant, timestamp_ms, self.limits.block_timeout)
    }

    /// Like [`push`](Self::push), waiting at most `max_wait` for room under
    /// [`OverflowPolicy::Block`] instead of the configured block timeout.
    pub(crate) fn push_within(
        &self,
        line: &[u8],
        tenant: Option<&str>,
        timestamp_ms: i64,
        max_wait: Duration,
    ) -> Result<u64, DropReason> {
        let cost = event_cost(line.len());
        let tenant = tenant.map(str::as_bytes);
        let tenant_len = tenant.map_or(0, <[u8]>::len);
        if u32::try_from(line.len()).is_err() || u32::try_from(tenant_len).is_err() {
            self.drops.record(DropReason::Rejected);
            return Err(DropReason::Rejected);
        }
        let mut state = self.lock();
        if state.closed {
            drop(state);
            self.drops.record(DropReason::Closed);
            return Err(DropReason::Closed);
        }
        if !self.has_room(&state, cost) {
            state = match self.wait_for_room(state, cost, max_wait) {
                Ok(state) => state,
                Err(reason) => {
                    self.drops.record(reason);
                    return Err(reason);
                }
            };
        }
        let seq = state.next_seq;
        state.next_seq += 1;
        state.queued.arena.extend_from_slice(line);
        if let Some(t) = tenant {
            state.queued.arena.extend_from_slice(t);
        }
        state.queued.slots.push(Slot {
            timestamp_ms,
            seq,
            line_len: line.len() as u32,
            tenant_len: tenant_len as u32,
            has_tenant: tenant.is_some(),
        });
        state.queued_bytes += cost;
        state.held_bytes += cost;
        state.held_entries += 1;
        let wake = !state.woken
            && (state.queued_bytes >= self.limits.wake_bytes
                || state.queued.slots.len() >= self.limits.wake_entries);
        if wake {
            state.woken = true;
        }
        drop(state);
        if wake {
            self.wake.notify_one();
        }
        Ok(seq)
    }

    fn has_room(&self, state: &State, cost: usize) -> bool {
        state.held_entries < self.limits.max_entries
            && state.held_bytes + cost <= self.limits.max_bytes
    }

    fn wait_for_room<'a>(
        &'a self,
        mut state: MutexGuard<'a, State>,
        cost: usize,
        max_wait: Duration,
    ) -> Result<MutexGuard<'a, State>, DropReason> {
        if self.limits.overflow == OverflowPolicy::DropNewest {
            return Err(DropReason::QueueFull);
        }
        let deadline = Instant::now() + max_wait;
        loop {
            let now = Instant::now();
            if now >= deadline || state.no_wait {
                return Err(DropReason::BlockTimeout);
            }
            state = self
                .room
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
            if state.closed {
                return Err(DropReason::Closed);
            }
            if self.has_room(&state, cost) {
                return Ok(state);
            }
        }
    }

    /// Swaps the queued entries out: `into` (emptied first, capacity kept) receives them.
    ///
    /// Before the swap, `into` is grown — here, on the shipper's thread — to the capacity of
    /// the arena it replaces: the two arenas that change hands stay equally large, so a
    /// caller only ever allocates for a burst larger than any queued before.
    pub(crate) fn drain_into(&self, into: &mut Drained) {
        into.clear();
        let (arena, slots) = {
            let state = self.lock();
            (state.queued.arena.capacity(), state.queued.slots.capacity())
        };
        into.arena.reserve(arena);
        into.slots.reserve(slots);
        let mut state = self.lock();
        std::mem::swap(&mut state.queued, into);
        state.queued_bytes = 0;
        state.woken = false;
    }

    /// Gives back held room when entries are settled (delivered or counted as dropped), or
    /// when packing shrank them.
    pub(crate) fn release(&self, bytes: u64, entries: u64) {
        let mut state = self.lock();
        state.held_bytes = state.held_bytes.saturating_sub(bytes as usize);
        state.held_entries = state.held_entries.saturating_sub(entries as usize);
        drop(state);
        if self.limits.overflow == OverflowPolicy::Block {
            self.room.notify_all();
        }
    }

    /// The number of entries accepted so far (= the next sequence number).
    pub(crate) fn accepted_count(&self) -> u64 {
        self.lock().next_seq
    }

    /// Refuses further entries (waiting callers give up at once).
    pub(crate) fn close(&self) {
        self.lock().closed = true;
        self.room.notify_all();
        self.wake.notify_one();
    }

    /// From now on an entry that finds no room is refused at once (`block_timeout`), and
    /// callers waiting for room give up; entries that fit are still taken.
    pub(crate) fn stop_waiting(&self) {
        self.lock().no_wait = true;
        self.room.notify_all();
    }

    /// Whether the queue refuses entries.
    pub(crate) fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Resolves when the shipper should look at the queue before its timer.
    pub(crate) async fn woken(&self) {
        self.wake.notified().await;
    }

    /// Entries refused at the door, by reason.
    pub(crate) fn drops(&self) -> &DropCounters {
        &self.drops
    }

    /// `(held bytes, held entries)`.
    pub(crate) fn held(&self) -> (usize, usize) {
        let state = self.lock();
        (state.held_bytes, state.held_entries)
    }

    /// The limits in force.
    pub(crate) fn limits(&self) -> &QueueLimits {
        &self.limits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_entries: usize, overflow: OverflowPolicy) -> QueueLimits {
        QueueLimits {
            max_bytes: 10_000,
            max_entries,
            overflow,
            block_timeout: Duration::from_millis(20),
            wake_bytes: 1 << 20,
            wake_entries: 3,
        }
    }

    #[test]
    fn lines_and_tenants_come_back_in_order_and_capacity_is_reused() {
        let q = Queue::new(limits(100, OverflowPolicy::DropNewest));
        assert_eq!(q.push(b"one", Some("t1"), 1), Ok(0));
        assert_eq!(q.push(b"two", None, 2), Ok(1));
        let mut d = Drained::default();
        q.drain_into(&mut d);
        let got: Vec<_> = d.entries().map(|(s, l, t)| (s.seq, l, t)).collect();
        assert_eq!(
            got,
            [(0, &b"one"[..], Some(&b"t1"[..])), (1, &b"two"[..], None)]
        );
        // The shipper's emptied arena goes back to the queue on the next drain, so the
        // queue writes into already-allocated capacity.
        let capacity = d.arena.capacity();
        q.drain_into(&mut d);
        assert!(d.slots.is_empty());
        q.push(b"three", None, 3).unwrap();
        let mut d2 = Drained::default();
        q.drain_into(&mut d2);
        assert_eq!(d2.slots.len(), 1);
        assert_eq!(d2.arena.capacity(), capacity);
    }

    #[test]
    fn the_arena_handed_back_is_as_large_as_the_largest_drained() {
        // Two arenas change hands; if the one that only ever held small drains came back,
        // the next burst would grow it on the caller's thread. The drain grows it first.
        let q = Queue::new(QueueLimits {
            max_bytes: 1 << 20,
            ..limits(10_000, OverflowPolicy::DropNewest)
        });
        let line = [b'x'; 100];
        for _ in 0..500 {
            q.push(&line, Some("acme"), 1).unwrap();
        }
        let mut shipper_side = Drained::default();
        q.drain_into(&mut shipper_side);
        let (arena, slots) = (shipper_side.arena.capacity(), shipper_side.slots.capacity());
        assert!(arena >= 500 * 104 && slots >= 500);
        let state = q.lock();
        assert!(
            state.queued.arena.capacity() >= arena && state.queued.slots.capacity() >= slots,
            "the queue got back an arena of {} bytes and {} slots, the drained one had {arena} and {slots}",
            state.queued.arena.capacity(),
            state.queued.slots.capacity()
        );
    }

    #[test]
    fn held_entries_count_until_released_and_drop_newest_counts() {
        let q = Queue::new(limits(2, OverflowPolicy::DropNewest));
        q.push(b"a", None, 1).unwrap();
        q.push(b"b", None, 1).unwrap();
        let mut d = Drained::default();
        q.drain_into(&mut d);
        // Drained but not settled: still held, so the bound applies.
        assert_eq!(q.push(b"c", None, 1), Err(DropReason::QueueFull));
        q.release(2 * event_cost(1) as u64, 2);
        assert_eq!(q.push(b"c", None, 1), Ok(2));
        assert_eq!(q.drops().snapshot().queue_full, 1);
    }

    #[test]
    fn byte_bound_counts_overhead() {
        let q = Queue::new(limits(100, OverflowPolicy::DropNewest));
        let line = vec![b'x'; 10_000 - 26];
        assert!(q.push(&line, None, 1).is_ok());
        assert_eq!(q.push(b"y", None, 1), Err(DropReason::QueueFull));
        assert_eq!(q.held(), (10_000, 1));
    }

    #[test]
    fn block_policy_waits_for_room_then_times_out() {
        let q = Queue::new(limits(1, OverflowPolicy::Block));
        q.push(b"a", None, 1).unwrap();
        let started = Instant::now();
        assert_eq!(q.push(b"b", None, 1), Err(DropReason::BlockTimeout));
        assert!(started.elapsed() >= Duration::from_millis(20));
        // With a longer wait the release arrives in time.
        let long = std::sync::Arc::new(Queue::new(QueueLimits {
            block_timeout: Duration::from_secs(5),
            ..limits(1, OverflowPolicy::Block)
        }));
        long.push(b"a", None, 1).unwrap();
        let l2 = long.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(5));
            l2.release(event_cost(1) as u64, 1);
        });
        assert_eq!(long.push(b"b", None, 1), Ok(1));
        t.join().unwrap();
    }

    #[test]
    fn stop_waiting_frees_a_waiting_caller_and_still_takes_what_fits() {
        let q = std::sync::Arc::new(Queue::new(QueueLimits {
            block_timeout: Duration::from_secs(30),
            ..limits(1, OverflowPolicy::Block)
        }));
        q.push(b"a", None, 1).unwrap();
        let q2 = q.clone();
        let waiting = std::thread::spawn(move || q2.push(b"b", None, 1));
        std::thread::sleep(Duration::from_millis(20));
        let started = Instant::now();
        q.stop_waiting();
        assert_eq!(waiting.join().unwrap(), Err(DropReason::BlockTimeout));
        assert!(started.elapsed() < Duration::from_secs(5));
        q.release(event_cost(1) as u64, 1);
        assert_eq!(q.push(b"c", None, 1), Ok(1));
    }

    #[test]
    fn closed_queue_refuses_and_counts() {
        let q = Queue::new(limits(10, OverflowPolicy::DropNewest));
        q.close();
        assert_eq!(q.push(b"a", None, 1), Err(DropReason::Closed));
        assert_eq!(q.drops().snapshot().closed, 1);
        assert!(q.is_closed());
    }

    #[test]
    fn wakes_the_shipper_once_per_full_batch() {
        let q = Queue::new(limits(100, OverflowPolicy::DropNewest));
        for _ in 0..3 {
            q.push(b"a", None, 1).unwrap();
        }
        let state = q.lock();
        assert!(state.woken);
    }
}
