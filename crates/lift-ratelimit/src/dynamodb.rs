//! [`DynamoDbStore`]: decisions shared by every instance, one conditional `UpdateItem` each.
//!
//! **Item.** One item per key (partition key `pk`, a string), holding every limit of the
//! key's plan, so several limits are decided in one atomic call. Attribute names carry the
//! limit (`l<count>_<period in µs>`), so a changed plan counts afresh without a reset:
//! - GCRA: `g_<limit>`, the theoretical arrival time in µs since the Unix epoch;
//! - fixed window: `f_<limit>_<window>`, the count in window number `<window>`; the window
//!   before is removed in the same call, older ones as soon as a call sees them;
//! - sliding window: `s_<limit>_<slot>` for `count` slots, each the time of an admission.
//!   An admission takes a slot whose time has left the window (or an empty one), so a slot's
//!   times are at least a period apart and no window ever holds more than `count`
//!   admissions — exactly the log's rule, and admissions into different slots never
//!   conflict.
//!
//! `expires_at` (epoch seconds, the longest period past the last decision) is for DynamoDB's
//! TTL, which only keeps the table small: whether state has expired is always decided from
//! the stored times, since TTL deletion may lag by days (and moto never deletes).
//!
//! **One call.** The update is conditional — every limit must admit the request — and asks
//! for `ReturnValuesOnConditionCheckFailure=ALL_OLD`, so a denial comes back with the item and
//! its `Retry-After` is computed without a read; an admission asks for `ALL_NEW`. A fixed
//! window's update is the same whatever the item holds (`ADD` under `count < limit`), so it is
//! always one call. GCRA needs `max(tat, now) + interval`, which an update expression cannot
//! write, so the store sends one of two forms — "idle" (`tat <= now`: set it to
//! `now + interval`) or "busy" (`now <= tat <= now + tolerance`: add the interval) — chosen
//! from the item as this process last saw it (every call returns it). When another instance
//! has moved the key between idle and busy since, the condition fails, the returned item
//! decides: a denial is final (one call), an admission is sent again in the right form (two
//! calls). Exactness never depends on the guess: every admission is checked by DynamoDB
//! against the stored state. The sliding window picks a free slot at random from the item
//! as last seen, under the condition that it is still free; when another writer took it,
//! the returned item decides (a denial is final, an admission tries another slot), and a
//! denial the last-seen item already shows (every slot inside the window: slots only move
//! forward, so it stands) costs one consistent read instead of a write, for an exact
//! `Retry-After`. Its item grows with the limit (about 40 bytes a slot; DynamoDB's 400 KB
//! item cap allows some 9,000): for large limits GCRA gives an exact bound in one number.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TimeToLiveSpecification,
};

use crate::algorithm::{Algorithm, LimitState, decide};
use crate::decision::Decision;
use crate::error::RateLimitError;
use crate::limit::{Limit, Limits};

mod connection;
mod reader;
mod sigv4;
mod wire;

use connection::Connection;
use wire::{Placeholder, Reply};

/// The partition key's attribute name.
pub const PARTITION_KEY: &str = "pk";
/// The TTL attribute's name (epoch seconds).
pub const TTL_ATTRIBUTE: &str = "expires_at";
/// The key [`DynamoDbStore::warm_up`] reads (a read changes nothing, whoever's key it is).
const WARM_UP_KEY: &str = "lift-ratelimit:warm-up";

/// Calls one decision may make at most: a mispredicted GCRA form costs one more; only a key
/// that changes between idle and busy on every call (impossible in practice) uses them up.
const MAX_CALLS: usize = 4;
/// The same for a sliding-window decision, whose write fails when another writer took the
/// same free slot first (rare until the window is nearly full; each loss costs a call).
const MAX_SLIDING_CALLS: usize = 16;
/// Keys whose last-seen item is remembered (a cache: forgetting costs at most one call).
const VIEW_CAPACITY: usize = 100_000;

/// What this process last saw of a key's item: its numeric attributes.
type Seen = wire::Item;

/// Rate-limit state in a DynamoDB table (see the module documentation for the item).
///
/// Its calls are sent by the store itself — built, signed (SigV4) and read in a few
/// microseconds — to the region, endpoint and credentials of an AWS configuration; the AWS
/// SDK's client is only used to create the table.
///
/// # Examples
/// ```no_run
/// use lift_ratelimit::{DynamoDbStore, RateLimiter};
///
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
/// let store = DynamoDbStore::new(&config, "rate-limits")?;
/// let limiter = RateLimiter::new(store, "100/min,1000/h".parse()?);
/// # let _ = limiter;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct DynamoDbStore {
    connection: Connection,
    table: String,
    /// Each key's item as the last call returned it.
    views: Mutex<HashMap<String, Arc<Seen>, foldhash::fast::RandomState>>,
}

impl DynamoDbStore {
    /// Decides in `table`, in the region and with the credentials (and endpoint URL, FIPS and
    /// dual-stack settings, when set) of `config`. An error when `config` names no region or
    /// no credentials provider.
    pub fn new(config: &SdkConfig, table: impl Into<String>) -> Result<Self, RateLimitError> {
        Ok(Self {
            connection: Connection::new(config)?,
            table: table.into(),
            views: Mutex::new(HashMap::default()),
        })
    }

    /// Creates `table` as this store expects it — partition key `pk` (string), on-demand
    /// billing, TTL on `expires_at` — and waits until it is active. For tests and first
    /// set-ups; in production declare it with your infrastructure (docs/rate-limiting.md has a
    /// CloudFormation/SAM snippet).
    pub async fn create_table(client: &Client, table: &str) -> Result<(), RateLimitError> {
        client
            .create_table()
            .table_name(table)
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(PARTITION_KEY)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .map_err(store_error("a table definition"))?,
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name(PARTITION_KEY)
                    .key_type(KeyType::Hash)
                    .build()
                    .map_err(store_error("a table definition"))?,
            )
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await
            .map_err(store_error("CreateTable"))?;
        for _ in 0..100 {
            let described = client
                .describe_table()
                .table_name(table)
                .send()
                .await
                .map_err(store_error("DescribeTable"))?;
            let active = described
                .table()
                .and_then(|t| t.table_status())
                .is_some_and(|s| s.as_str() == "ACTIVE");
            if active {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        client
            .update_time_to_live()
            .table_name(table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(TTL_ATTRIBUTE)
                    .enabled(true)
                    .build()
                    .map_err(store_error("a TTL specification"))?,
            )
            .send()
            .await
            .map_err(store_error("UpdateTimeToLive"))?;
        Ok(())
    }

    /// Opens the store's line before the first decision: one `GetItem` of a key no decision
    /// writes resolves the endpoint, fetches the credentials and opens a pooled connection
    /// (with its TLS handshake), so a cold instance's first request does not spend its
    /// decision timeout on them. Call it during start-up
    /// ([`RateLimiter::from_env`](crate::RateLimiter::from_env) does). An error when the
    /// read fails — the table does not exist, the credentials are refused, no reply.
    pub async fn warm_up(&self) -> Result<(), RateLimitError> {
        self.read(WARM_UP_KEY).await.map(drop)
    }

    /// Whether `error`, from [`warm_up`](Self::warm_up), means every decision would fail the
    /// same way: DynamoDB answered that the table does not exist or refused the credentials
    /// (not a failure that may pass, nor a refusal of `GetItem` alone, which decisions by
    /// GCRA and fixed windows do not need).
    pub(crate) fn is_misconfiguration(error: &RateLimitError) -> bool {
        let RateLimitError::Store {
            source: Some(source),
            ..
        } = error
        else {
            return false;
        };
        source
            .downcast_ref::<wire::ServiceError>()
            .is_some_and(|e| e.kind == "ResourceNotFoundException" || e.is_credentials())
    }

    fn view(&self, key: &str) -> Arc<Seen> {
        self.views
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
            .unwrap_or_default()
    }

    fn remember(&self, key: &str, item: Seen) {
        let item = Arc::new(item);
        let mut views = self.views.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(seen) = views.get_mut(key) {
            *seen = item;
            return;
        }
        if views.len() >= VIEW_CAPACITY {
            views.clear();
        }
        views.insert(key.to_owned(), item);
    }

    /// The item as it is now (a strongly consistent read).
    async fn read(&self, key: &str) -> Result<Seen, RateLimitError> {
        let mut body = Vec::with_capacity(128);
        wire::get_item(&mut body, &self.table, PARTITION_KEY, key);
        match self.connection.call(wire::GET_ITEM, body).await? {
            Reply::Item(item) | Reply::ConditionFailed(item) => Ok(item),
        }
    }

    async fn decide_in_table(
        &self,
        key: &str,
        limits: &Limits,
        algorithm: Algorithm,
        now: Duration,
    ) -> Result<Decision, RateLimitError> {
        let now_us = micros(now);
        let sliding = algorithm == Algorithm::SlidingWindow;
        let attempts = if sliding {
            MAX_SLIDING_CALLS
        } else {
            MAX_CALLS
        };
        for _ in 0..attempts {
            let view = self.view(key);
            if sliding && window_full(limits, now_us, &view) {
                // Slots only move forward: a denial the last-seen item shows stands; one
                // read makes its Retry-After exact.
                let fresh = self.read(key).await?;
                let decision = judge(limits, algorithm, now_us, &fresh);
                self.remember(key, fresh);
                if !decision.allowed {
                    return Ok(decision);
                }
                continue;
            }
            let update = Update::new(limits, algorithm, now_us, &view);
            let mut body = Vec::with_capacity(512);
            wire::UpdateItem {
                table: &self.table,
                partition_key: PARTITION_KEY,
                key,
                update_expression: &update.expression(),
                condition_expression: &update.condition,
                names: &update.names,
                values: &update.values,
            }
            .write(&mut body);
            match self.connection.call(wire::UPDATE_ITEM, body).await? {
                Reply::Item(new) => {
                    let decision = admitted(limits, algorithm, now_us, &new, &update.written);
                    self.remember(key, new);
                    return Ok(decision);
                }
                Reply::ConditionFailed(old) => {
                    let decision = judge(limits, algorithm, now_us, &old);
                    self.remember(key, old);
                    if !decision.allowed {
                        return Ok(decision);
                    }
                    // The item changed since this process saw it: send the update again
                    // for the item as it is now.
                }
            }
        }
        Err(RateLimitError::Store {
            message: format!("the key changed under every one of {attempts} calls"),
            source: None,
        })
    }
}

impl crate::Store for DynamoDbStore {
    fn decide(
        &self,
        key: &str,
        limits: &Limits,
        algorithm: Algorithm,
        now: Duration,
    ) -> impl std::future::Future<Output = Result<Decision, RateLimitError>> + Send {
        self.decide_in_table(key, limits, algorithm, now)
    }
}

fn store_error<E: std::error::Error + Send + Sync + 'static>(
    what: &'static str,
) -> impl FnOnce(E) -> RateLimitError {
    move |e| RateLimitError::Store {
        message: what.to_owned(),
        source: Some(Box::new(e)),
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// `<kind>_l<count>_<period in µs>`, the attribute-name part naming `limit` for an algorithm.
fn limit_id(kind: &str, limit: &Limit) -> String {
    let mut name = String::with_capacity(40);
    name.push_str(kind);
    name.push_str("_l");
    name.push_str(itoa::Buffer::new().format(limit.count));
    name.push('_');
    name.push_str(itoa::Buffer::new().format(micros(limit.period)));
    name
}

/// `id` followed by `_<n>`.
fn numbered(mut id: String, n: u64) -> String {
    id.push('_');
    id.push_str(itoa::Buffer::new().format(n));
    id
}

/// Whether `name` is a GCRA or fixed-window attribute (of any limit).
fn is_counter(name: &str) -> bool {
    name.starts_with("g_l") || name.starts_with("f_l")
}

fn gcra_attribute(limit: &Limit) -> String {
    limit_id("g", limit)
}

fn window_of(limit: &Limit, now_us: u64) -> u64 {
    now_us / micros(limit.period).max(1)
}

fn fixed_attribute(limit: &Limit, window: u64) -> String {
    numbered(limit_id("f", limit), window)
}

fn slot_attribute(limit: &Limit, slot: u32) -> String {
    numbered(limit_id("s", limit), u64::from(slot))
}

/// The parts of a sliding-window slot's attribute name (`s_l<count>_<period µs>_<slot>`):
/// the limit's count and period, and the slot.
fn slot_of_name(name: &str) -> Option<(u32, u64, u32)> {
    // Three numbers separated by `_`, read in one pass; 19 digits always fit a `u64`.
    let mut parts = [0u64; 3];
    let mut part = 0;
    let mut digits = 0;
    for &b in name.strip_prefix("s_l")?.as_bytes() {
        if b.is_ascii_digit() && digits < 19 {
            parts[part] = parts[part] * 10 + u64::from(b - b'0');
            digits += 1;
        } else if b == b'_' && digits > 0 && part < 2 {
            part += 1;
            digits = 0;
        } else {
            return None;
        }
    }
    if part < 2 || digits == 0 {
        return None;
    }
    let [count, period_us, slot] = parts;
    Some((
        u32::try_from(count).ok()?,
        period_us,
        u32::try_from(slot).ok()?,
    ))
}

/// `limit`'s sliding-window slots in `seen` and their admission times.
fn slot_times<'a>(limit: &Limit, seen: &'a Seen) -> impl Iterator<Item = (u32, u64)> + 'a {
    let (count, period_us) = (limit.count, micros(limit.period));
    seen.slots
        .iter()
        .filter(move |s| s.count == count && s.period_us == period_us && s.slot < count)
        .map(|s| (s.slot, s.time))
}

/// Whether some limit's window holds as many admissions as it allows, by `seen` — the
/// sliding window's denial (as [`judge`] would give it), counted without building states.
fn window_full(limits: &Limits, now_us: u64, seen: &Seen) -> bool {
    limits.as_slice().iter().any(|limit| {
        matches!(
            sliding_state(limit, seen, now_us, None),
            LimitState::SlidingSummary { inside, .. } if inside >= limit.count
        )
    })
}

/// `limit`'s sliding window ending at `now_us` as `seen` holds it, without the slot `taken`
/// (if any), summed up.
fn sliding_state(limit: &Limit, seen: &Seen, now_us: u64, taken: Option<u32>) -> LimitState {
    let cut = now_us.saturating_sub(micros(limit.period));
    let (mut inside, mut oldest, mut newest) = (0u32, u64::MAX, 0);
    for (slot, time) in slot_times(limit, seen) {
        if time > cut && Some(slot) != taken {
            inside += 1;
            oldest = oldest.min(time);
            newest = newest.max(time);
        }
    }
    LimitState::SlidingSummary {
        inside,
        oldest: oldest.saturating_mul(1_000),
        newest: newest.saturating_mul(1_000),
    }
}

/// A slot of `limit` whose admission has left the window (time at most `cut`) or that is
/// empty, at random (so concurrent writers rarely pick the same); with none free in `seen`,
/// the first — the update's condition asks the item.
fn free_slot(limit: &Limit, seen: &Seen, cut: u64) -> u32 {
    let words = usize::try_from(limit.count.div_ceil(64)).unwrap_or(0);
    // On the stack for limits up to 256 slots.
    let (mut small, mut large) = ([0u64; 4], Vec::new());
    let taken: &mut [u64] = if words <= small.len() {
        &mut small[..words]
    } else {
        large.resize(words, 0);
        &mut large
    };
    let mut in_window = 0;
    for (slot, time) in slot_times(limit, seen) {
        if time > cut {
            let (word, bit) = ((slot / 64) as usize, slot % 64);
            if taken[word] & 1 << bit == 0 {
                taken[word] |= 1 << bit;
                in_window += 1;
            }
        }
    }
    let free = limit.count - in_window;
    if free == 0 {
        return 0;
    }
    // The `pick`-th free slot.
    let mut pick = fastrand::u32(..free);
    for (w, word) in taken.iter().enumerate() {
        let base = w as u32 * 64;
        let slots_here = (limit.count - base).min(64);
        let free_here = slots_here - word.count_ones();
        if pick < free_here {
            let mut open = !word;
            for _ in 0..pick {
                open &= open - 1;
            }
            return base + open.trailing_zeros();
        }
        pick -= free_here;
    }
    0
}

/// The verdict on a request at `now_us` for an item as `seen`, as the in-memory store
/// would give it.
fn judge(limits: &Limits, algorithm: Algorithm, now_us: u64, seen: &Seen) -> Decision {
    let mut states = states_of(limits, algorithm, now_us, seen, &[]);
    decide(
        &mut states,
        limits,
        algorithm,
        Duration::from_micros(now_us),
    )
}

/// The algorithm's state for each limit, read from an item's numbers at `now_us`; a
/// sliding window's without the slot `taken` names for its limit (if any).
fn states_of(
    limits: &Limits,
    algorithm: Algorithm,
    now_us: u64,
    seen: &Seen,
    taken: &[u32],
) -> Vec<LimitState> {
    let item = &seen.numbers;
    limits
        .as_slice()
        .iter()
        .enumerate()
        .map(|(i, limit)| match algorithm {
            Algorithm::FixedWindow => {
                let window = window_of(limit, now_us);
                LimitState::Fixed {
                    window: window
                        .saturating_mul(micros(limit.period))
                        .saturating_mul(1_000),
                    count: item
                        .get(&fixed_attribute(limit, window))
                        .map_or(0, |c| u32::try_from(*c).unwrap_or(u32::MAX)),
                }
            }
            Algorithm::SlidingWindow => sliding_state(limit, seen, now_us, taken.get(i).copied()),
            _ => LimitState::Gcra {
                tat: item
                    .get(&gcra_attribute(limit))
                    .map_or(0, |t| t.saturating_mul(1_000)),
            },
        })
        .collect()
}

/// The decision for a request DynamoDB admitted, from the item after it: the state before
/// it (this request taken back out) judged as the in-memory store judges.
fn admitted(
    limits: &Limits,
    algorithm: Algorithm,
    now_us: u64,
    after: &Seen,
    written: &[u32],
) -> Decision {
    let mut states = states_of(limits, algorithm, now_us, after, written);
    for (limit, state) in limits.as_slice().iter().zip(&mut states) {
        match state {
            LimitState::Gcra { tat } => {
                *tat = tat.saturating_sub(micros(limit.interval()).saturating_mul(1_000));
            }
            LimitState::Fixed { count, .. } => *count = count.saturating_sub(1),
            // The slot this request took was left out.
            LimitState::Sliding { .. } | LimitState::SlidingSummary { .. } => {}
        }
    }
    admission(decide(
        &mut states,
        limits,
        algorithm,
        Duration::from_micros(now_us),
    ))
}

/// DynamoDB admitted the request: that is the verdict, whatever a rounding says.
fn admission(mut decision: Decision) -> Decision {
    decision.allowed = true;
    decision.retry_after = None;
    decision
}
/// One conditional update: its clauses, condition and placeholders.
struct Update {
    /// The `SET`, `ADD` and `REMOVE` clauses' parts, each `, `-separated.
    set: String,
    add: String,
    remove: String,
    /// The condition, its parts joined by `AND`.
    condition: String,
    /// Placeholder and attribute name, in the order they were named.
    names: Vec<(Placeholder, String)>,
    /// Placeholder and number.
    values: Vec<(Placeholder, u64)>,
    /// The sliding-window slot this update takes, for each limit.
    written: Vec<u32>,
}

/// Appends `parts` to `text`, after `separator` unless `text` is empty.
fn append(text: &mut String, separator: &str, parts: &[&str]) {
    if !text.is_empty() {
        text.push_str(separator);
    }
    for part in parts {
        text.push_str(part);
    }
}

/// Adds `(attribute_not_exists(name) OR name <op> bound)` to `condition`.
fn absent_or(condition: &mut String, name: &str, op: &str, bound: &str) {
    append(
        condition,
        " AND ",
        &[
            "(attribute_not_exists(",
            name,
            ") OR ",
            name,
            op,
            bound,
            ")",
        ],
    );
}

impl Update {
    fn new(limits: &Limits, algorithm: Algorithm, now_us: u64, seen: &Seen) -> Self {
        let view = &seen.numbers;
        let n = limits.as_slice().len();
        // Room for every part of one limit or two without regrowing.
        let mut u = Update {
            set: String::with_capacity(64),
            add: String::new(),
            remove: String::new(),
            condition: String::with_capacity(96),
            names: Vec::with_capacity(2 * n + 1),
            values: Vec::with_capacity(2 * n + 3),
            written: Vec::new(),
        };
        let now = Placeholder::new(":now");
        if algorithm == Algorithm::Gcra {
            // DynamoDB refuses a placeholder no expression uses.
            u.values.push((now, now_us));
        }
        let mut longest = Duration::ZERO;
        for (i, limit) in limits.as_slice().iter().enumerate() {
            longest = longest.max(limit.period);
            let name = Placeholder::numbered("#a", i, None);
            match algorithm {
                Algorithm::FixedWindow => {
                    let window = window_of(limit, now_us);
                    let count = Placeholder::numbered(":c", i, None);
                    u.names.push((name, fixed_attribute(limit, window)));
                    u.values.push((count, u64::from(limit.count)));
                    absent_or(&mut u.condition, name.as_str(), " < ", count.as_str());
                    append(&mut u.add, ", ", &[name.as_str(), " :one"]);
                    // The window before, and any older one this process has seen.
                    let mut prefix = limit_id("f", limit);
                    prefix.push('_');
                    let mut stale: Vec<String> = view
                        .keys()
                        .filter(|k| {
                            k.strip_prefix(prefix.as_str())
                                .and_then(|w| w.parse::<u64>().ok())
                                .is_some_and(|w| w < window)
                        })
                        .cloned()
                        .collect();
                    let previous = fixed_attribute(limit, window.saturating_sub(1));
                    if window > 0 && !stale.contains(&previous) {
                        stale.push(previous);
                    }
                    for (j, old) in stale.into_iter().enumerate() {
                        let old_name = Placeholder::numbered("#r", i, Some(j));
                        append(&mut u.remove, ", ", &[old_name.as_str()]);
                        u.names.push((old_name, old));
                    }
                }
                Algorithm::SlidingWindow => {
                    // A slot whose admission has left the window, or an empty one, at
                    // random (so concurrent writers rarely pick the same); with none free
                    // by this view, the first — the condition asks the item.
                    let cut = now_us.saturating_sub(micros(limit.period));
                    let slot = free_slot(limit, seen, cut);
                    let out = Placeholder::numbered(":x", i, None);
                    u.names.push((name, slot_attribute(limit, slot)));
                    u.values.push((out, cut));
                    absent_or(&mut u.condition, name.as_str(), " <= ", out.as_str());
                    append(&mut u.set, ", ", &[name.as_str(), " = :t"]);
                    u.written.push(slot);
                }
                _ => {
                    let attribute = gcra_attribute(limit);
                    let interval = micros(limit.interval());
                    let tolerance = micros(limit.period.saturating_sub(limit.interval()));
                    let busy = view.get(&attribute).is_some_and(|tat| *tat > now_us);
                    u.names.push((name, attribute));
                    let name = name.as_str();
                    if busy {
                        let step = Placeholder::numbered(":i", i, None);
                        let bound = Placeholder::numbered(":b", i, None);
                        append(
                            &mut u.condition,
                            " AND ",
                            &[
                                "(",
                                name,
                                " >= :now AND ",
                                name,
                                " <= ",
                                bound.as_str(),
                                ")",
                            ],
                        );
                        append(&mut u.set, ", ", &[name, " = ", name, " + ", step.as_str()]);
                        u.values.push((step, interval));
                        u.values.push((bound, now_us.saturating_add(tolerance)));
                    } else {
                        let next = Placeholder::numbered(":n", i, None);
                        absent_or(&mut u.condition, name, " <= ", now.as_str());
                        append(&mut u.set, ", ", &[name, " = ", next.as_str()]);
                        u.values.push((next, now_us.saturating_add(interval)));
                    }
                }
            }
        }
        if !u.add.is_empty() {
            u.values.push((Placeholder::new(":one"), 1));
        }
        if !u.written.is_empty() {
            u.values.push((Placeholder::new(":t"), now_us));
        }
        u.names
            .push((Placeholder::new("#ttl"), TTL_ATTRIBUTE.to_owned()));
        let expires = (now_us / 1_000_000)
            .saturating_add(longest.as_secs())
            .saturating_add(60);
        u.values.push((Placeholder::new(":ttl"), expires));
        append(&mut u.set, ", ", &["#ttl = :ttl"]);
        u
    }

    /// The update expression: its `SET`, `ADD` and `REMOVE` clauses.
    fn expression(&self) -> String {
        let mut out =
            String::with_capacity(self.set.len() + self.add.len() + self.remove.len() + 24);
        for (clause, parts) in [
            ("SET ", &self.set),
            ("ADD ", &self.add),
            ("REMOVE ", &self.remove),
        ] {
            if !parts.is_empty() {
                append(&mut out, " ", &[clause, parts]);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(text: &str) -> Limits {
        text.parse().unwrap()
    }

    /// The attribute name `placeholder` stands for in `u`.
    fn name<'a>(u: &'a Update, placeholder: &str) -> &'a str {
        let found = u.names.iter().find(|(p, _)| p.as_str() == placeholder);
        found.map_or("", |(_, n)| n.as_str())
    }

    /// The number `placeholder` stands for in `u`.
    fn value(u: &Update, placeholder: &str) -> Option<u64> {
        u.values
            .iter()
            .find(|(p, _)| p.as_str() == placeholder)
            .map(|(_, v)| *v)
    }

    fn numbers<const N: usize>(pairs: [(&str, u64); N]) -> Seen {
        let mut seen = Seen::default();
        for (name, n) in pairs {
            seen.insert(name, n);
        }
        seen
    }

    #[test]
    fn a_sliding_update_takes_a_free_slot_under_the_condition_that_it_is_still_free() {
        let l = limits("3/s");
        let now = 10_000_000;
        // Slots 0 and 2 hold admissions inside the window; slot 1's has left it.
        let seen = numbers([
            ("s_l3_1000000_0", 9_500_000),
            ("s_l3_1000000_1", 8_500_000),
            ("s_l3_1000000_2", 9_900_000),
        ]);
        let u = Update::new(&l, Algorithm::SlidingWindow, now, &seen);
        assert_eq!(name(&u, "#a0"), "s_l3_1000000_1");
        assert_eq!(u.expression(), "SET #a0 = :t, #ttl = :ttl");
        assert_eq!(u.condition, "(attribute_not_exists(#a0) OR #a0 <= :x0)");
        assert_eq!(value(&u, ":x0"), Some(9_000_000));
        // Reported as the log would: two in the window before this one, none left after.
        let mut after = seen.clone();
        after.slots.retain(|s| s.slot != 1);
        after.insert("s_l3_1000000_1", now);
        let d = admitted(&l, Algorithm::SlidingWindow, now, &after, &u.written);
        assert!(d.allowed);
        assert_eq!(d.remaining, 0);
        assert!(!judge(&l, Algorithm::SlidingWindow, now, &after).allowed);
    }

    #[test]
    fn a_free_slot_is_one_outside_the_window_or_empty_and_every_one_can_be_picked() {
        // 130 slots (three words of the bitmap): every third inside the window, slot 1
        // outside it, a name past the limit's count and another limit's slot ignored.
        let l = limits("130/s").as_slice()[0];
        let now = 10_000_000;
        let cut = now - 1_000_000;
        let mut pairs: Vec<(String, u64)> = (0..130)
            .filter(|k| k % 3 == 0)
            .map(|k| (format!("s_l130_1000000_{k}"), now - 10))
            .collect();
        pairs.push(("s_l130_1000000_1".into(), cut));
        pairs.push(("s_l130_1000000_200".into(), now));
        pairs.push(("s_l7_1000000_2".into(), now));
        let mut seen = Seen::default();
        for (name, time) in &pairs {
            seen.insert(name, *time);
        }
        let mut picked = std::collections::HashSet::new();
        for _ in 0..20_000 {
            let slot = free_slot(&l, &seen, cut);
            assert!(slot < 130 && slot % 3 != 0, "{slot}");
            picked.insert(slot);
        }
        assert_eq!(picked.len(), 130 - 44);
        // None free: the first.
        let mut full = Seen::default();
        for k in 0..130 {
            full.insert(&format!("s_l130_1000000_{k}"), now);
        }
        assert_eq!(free_slot(&l, &full, cut), 0);
        // Over 256 slots (the bitmap on the heap): all but slot 299 taken.
        let l = limits("300/s").as_slice()[0];
        let mut nearly = Seen::default();
        for k in 0..299 {
            nearly.insert(&format!("s_l300_1000000_{k}"), now);
        }
        assert_eq!(free_slot(&l, &nearly, cut), 299);
    }

    #[test]
    fn a_slot_name_is_read_back_into_its_parts_and_nothing_else_is() {
        let l = limits("100/min").as_slice()[0];
        assert_eq!(
            slot_of_name(&slot_attribute(&l, 42)),
            Some((100, 60_000_000, 42))
        );
        for other in [
            "s_l100_60000000",
            "s_l100_60000000_",
            "s_l100_60000000_4x",
            "s_l100__1",
            "s_lx_1_1",
            "g_l100_60000000",
            "s_l4294967296_1_1",
            "s_l1_99999999999999999999_1",
        ] {
            assert_eq!(slot_of_name(other), None, "{other}");
        }
    }

    #[test]
    fn a_gcra_update_takes_its_form_from_the_last_seen_item() {
        let l = limits("10/s");
        let now = 5_000_000;
        let idle = Update::new(&l, Algorithm::Gcra, now, &Seen::default());
        assert_eq!(idle.expression(), "SET #a0 = :n0, #ttl = :ttl");
        assert_eq!(idle.condition, "(attribute_not_exists(#a0) OR #a0 <= :now)");
        assert_eq!(name(&idle, "#a0"), "g_l10_1000000");
        let seen = numbers([("g_l10_1000000", now + 300_000)]);
        let busy = Update::new(&l, Algorithm::Gcra, now, &seen);
        assert_eq!(busy.expression(), "SET #a0 = #a0 + :i0, #ttl = :ttl");
        assert_eq!(busy.condition, "(#a0 >= :now AND #a0 <= :b0)");
        assert_eq!(value(&busy, ":b0"), Some(now + 900_000));
    }

    #[test]
    fn a_fixed_window_update_counts_and_drops_older_windows() {
        let l = limits("100/min,1000/h");
        let now = 7_200_000_000 + 61_000_000; // window 121 of the minute, 2 of the hour
        let seen = numbers([("f_l100_60000000_100", 3)]);
        let u = Update::new(&l, Algorithm::FixedWindow, now, &seen);
        assert_eq!(name(&u, "#a0"), "f_l100_60000000_121");
        assert_eq!(name(&u, "#a1"), "f_l1000_3600000000_2");
        let removed: Vec<&str> = u.remove.split(", ").map(|r| name(&u, r)).collect();
        assert_eq!(
            removed,
            [
                "f_l100_60000000_100",
                "f_l100_60000000_120",
                "f_l1000_3600000000_1"
            ]
        );
        assert_eq!(
            u.expression(),
            "SET #ttl = :ttl ADD #a0 :one, #a1 :one REMOVE #r0_0, #r0_1, #r1_0"
        );
    }

    #[test]
    fn an_admission_is_reported_from_the_state_before_it() {
        let l = limits("10/s");
        let now = 5_000_000;
        // After one admission on an idle key: tat = now + 100 ms.
        let after = numbers([("g_l10_1000000", now + 100_000)]);
        let d = admitted(&l, Algorithm::Gcra, now, &after, &[]);
        assert!(d.allowed);
        assert_eq!(d.remaining, 9);
        let after = numbers([("f_l10_1000000_5", 4)]);
        let d = admitted(&l, Algorithm::FixedWindow, now, &after, &[]);
        assert_eq!(d.remaining, 6);
    }

    /// An item holding `slots` (slot → time in µs) of each of `limits`' sliding windows.
    fn sliding_item(limits: &Limits, slots: &[std::collections::BTreeMap<u32, u64>]) -> Seen {
        let mut item = Seen::default();
        for (limit, slots) in limits.as_slice().iter().zip(slots) {
            for (slot, time) in slots {
                item.insert(&slot_attribute(limit, *slot), *time);
            }
        }
        item
    }

    /// The in-memory store's verdict on the same admissions: each limit's whole log, sorted
    /// (expired times too: the log forgets them itself).
    fn by_the_log(
        limits: &Limits,
        slots: &[std::collections::BTreeMap<u32, u64>],
        now_us: u64,
    ) -> Decision {
        let mut states = slots
            .iter()
            .map(|slots| {
                let mut log: Vec<u64> = slots.values().map(|t| t * 1_000).collect();
                log.sort_unstable();
                LimitState::Sliding {
                    admitted: log.into(),
                }
            })
            .collect();
        decide(
            &mut states,
            limits,
            Algorithm::SlidingWindow,
            Duration::from_micros(now_us),
        )
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        #[test]
        fn a_sliding_item_is_judged_as_the_log_of_its_admissions(
            // Times on a 250 ms grid, so that admissions fall on the windows' edges, later
            // than the longest period after the epoch (as any clock's now).
            first in proptest::collection::btree_map(0u32..5, (8u64..20).prop_map(|t| t * 250_000), 0..6),
            second in proptest::collection::btree_map(0u32..8, (8u64..20).prop_map(|t| t * 250_000), 0..9),
            now_us in (8u64..24).prop_map(|t| t * 250_000),
            take in proptest::prelude::any::<(u32, u32)>(),
        ) {
            let l = limits("5/s,8/2s");
            let slots = [first, second];
            let item = sliding_item(&l, &slots);
            proptest::prop_assert_eq!(
                judge(&l, Algorithm::SlidingWindow, now_us, &item),
                by_the_log(&l, &slots, now_us)
            );
            // An admission at `now_us` into one slot of each limit: reported from the log
            // without it.
            let written = [take.0 % 5, take.1 % 8];
            let mut after = slots.clone();
            for (slots, slot) in after.iter_mut().zip(written) {
                slots.insert(slot, now_us);
            }
            let mut before = after.clone();
            for (slots, slot) in before.iter_mut().zip(written) {
                slots.remove(&slot);
            }
            let reported = admitted(
                &l,
                Algorithm::SlidingWindow,
                now_us,
                &sliding_item(&l, &after),
                &written,
            );
            proptest::prop_assert_eq!(reported, admission(by_the_log(&l, &before, now_us)));
        }
    }
}
