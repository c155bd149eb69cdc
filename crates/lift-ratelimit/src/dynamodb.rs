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
use std::fmt::Write as _;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, ReturnValue,
    ReturnValuesOnConditionCheckFailure, ScalarAttributeType, TimeToLiveSpecification,
};

use crate::algorithm::{Algorithm, LimitState, decide};
use crate::decision::Decision;
use crate::error::RateLimitError;
use crate::limit::{Limit, Limits};

/// The partition key's attribute name.
pub const PARTITION_KEY: &str = "pk";
/// The TTL attribute's name (epoch seconds).
pub const TTL_ATTRIBUTE: &str = "expires_at";

/// Calls one decision may make at most: a mispredicted GCRA form costs one more; only a key
/// that changes between idle and busy on every call (impossible in practice) uses them up.
const MAX_CALLS: usize = 4;
/// The same for a sliding-window decision, whose write fails when another writer took the
/// same free slot first (rare until the window is nearly full; each loss costs a call).
const MAX_SLIDING_CALLS: usize = 16;
/// Keys whose last-seen item is remembered (a cache: forgetting costs at most one call).
const VIEW_CAPACITY: usize = 100_000;

/// What this process last saw of a key's item: its numeric attributes.
#[derive(Debug, Clone, Default)]
struct Seen {
    numbers: HashMap<String, u64>,
}

impl Seen {
    fn of(item: Option<&HashMap<String, AttributeValue>>) -> Self {
        let numbers = item
            .into_iter()
            .flatten()
            .filter_map(|(name, value)| {
                let n = value.as_n().ok()?.parse().ok()?;
                Some((name.clone(), n))
            })
            .collect();
        Seen { numbers }
    }
}

/// Rate-limit state in a DynamoDB table (see the module documentation for the item).
///
/// # Examples
/// ```no_run
/// use lift_ratelimit::{DynamoDbStore, RateLimiter};
///
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
/// let store = DynamoDbStore::new(aws_sdk_dynamodb::Client::new(&config), "rate-limits");
/// let limiter = RateLimiter::new(store, "100/min,1000/h".parse()?);
/// # let _ = limiter;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct DynamoDbStore {
    client: Client,
    table: String,
    /// Each key's item as the last call returned it.
    views: Mutex<HashMap<String, Seen>>,
}

impl DynamoDbStore {
    /// Decides in `table` through `client`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            views: Mutex::new(HashMap::new()),
        }
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

    fn view(&self, key: &str) -> Seen {
        self.views
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
            .unwrap_or_default()
    }

    fn remember(&self, key: &str, item: Seen) {
        let mut views = self.views.lock().unwrap_or_else(PoisonError::into_inner);
        if views.len() >= VIEW_CAPACITY && !views.contains_key(key) {
            views.clear();
        }
        views.insert(key.to_owned(), item);
    }

    /// The item as it is now (a strongly consistent read).
    async fn read(&self, key: &str) -> Result<Seen, RateLimitError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, AttributeValue::S(key.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| RateLimitError::Store {
                message: format!("GetItem on table {}", self.table),
                source: Some(Box::new(e)),
            })?;
        Ok(Seen::of(out.item()))
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
            if sliding && !judge(limits, algorithm, now_us, &view).allowed {
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
            let sent = self
                .client
                .update_item()
                .table_name(&self.table)
                .key(PARTITION_KEY, AttributeValue::S(key.to_owned()))
                .update_expression(update.expression())
                .condition_expression(update.condition.join(" AND "))
                .set_expression_attribute_names(Some(update.names))
                .set_expression_attribute_values(Some(update.values))
                .return_values(ReturnValue::AllNew)
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .send()
                .await;
            match sent {
                Ok(out) => {
                    let new = Seen::of(out.attributes());
                    let decision = admitted(limits, algorithm, now_us, &new, &update.written);
                    self.remember(key, new);
                    return Ok(decision);
                }
                Err(SdkError::ServiceError(e))
                    if matches!(e.err(), UpdateItemError::ConditionalCheckFailedException(_)) =>
                {
                    let old = match e.err() {
                        UpdateItemError::ConditionalCheckFailedException(c) => Seen::of(c.item()),
                        _ => Seen::default(),
                    };
                    let decision = judge(limits, algorithm, now_us, &old);
                    self.remember(key, old);
                    if !decision.allowed {
                        return Ok(decision);
                    }
                    // The item changed since this process saw it: send the update again
                    // for the item as it is now.
                }
                Err(e) => {
                    return Err(RateLimitError::Store {
                        message: format!("UpdateItem on table {}", self.table),
                        source: Some(Box::new(e)),
                    });
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

/// The attribute-name part naming `limit`.
fn limit_id(limit: &Limit) -> String {
    format!("l{}_{}", limit.count, micros(limit.period))
}

fn gcra_attribute(limit: &Limit) -> String {
    format!("g_{}", limit_id(limit))
}

fn window_of(limit: &Limit, now_us: u64) -> u64 {
    now_us / micros(limit.period).max(1)
}

fn fixed_attribute(limit: &Limit, window: u64) -> String {
    format!("f_{}_{window}", limit_id(limit))
}

fn slot_attribute(limit: &Limit, slot: u32) -> String {
    format!("s_{}_{slot}", limit_id(limit))
}

/// The verdict on a request at `now_us` for an item as `seen`, as the in-memory store
/// would give it.
fn judge(limits: &Limits, algorithm: Algorithm, now_us: u64, seen: &Seen) -> Decision {
    let mut states = states_of(limits, algorithm, now_us, seen);
    decide(
        &mut states,
        limits,
        algorithm,
        Duration::from_micros(now_us),
    )
}

/// The algorithm's state for each limit, read from an item's numbers at `now_us`.
fn states_of(limits: &Limits, algorithm: Algorithm, now_us: u64, seen: &Seen) -> Vec<LimitState> {
    let item = &seen.numbers;
    limits
        .as_slice()
        .iter()
        .map(|limit| match algorithm {
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
            Algorithm::SlidingWindow => {
                let cut = now_us.saturating_sub(micros(limit.period));
                let mut times: Vec<u64> = (0..limit.count)
                    .filter_map(|slot| item.get(&slot_attribute(limit, slot)).copied())
                    .filter(|t| *t > cut)
                    .collect();
                times.sort_unstable();
                LimitState::Sliding {
                    admitted: times.into_iter().map(|t| t.saturating_mul(1_000)).collect(),
                }
            }
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
    written: &[String],
) -> Decision {
    let mut before = after.clone();
    for limit in limits.as_slice() {
        let (name, step) = match algorithm {
            Algorithm::FixedWindow => (fixed_attribute(limit, window_of(limit, now_us)), 1),
            Algorithm::SlidingWindow => continue,
            _ => (gcra_attribute(limit), micros(limit.interval())),
        };
        if let Some(v) = before.numbers.get_mut(&name) {
            *v = v.saturating_sub(step);
        }
    }
    // The slots this request took held times outside the window before it.
    for slot in written {
        before.numbers.remove(slot);
    }
    let mut decision = judge(limits, algorithm, now_us, &before);
    // DynamoDB admitted it: that is the verdict, whatever a rounding says.
    decision.allowed = true;
    decision.retry_after = None;
    decision
}

/// One conditional update: its clauses, condition and placeholders.
struct Update {
    set: Vec<String>,
    add: Vec<String>,
    remove: Vec<String>,
    condition: Vec<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
    /// The sliding-window slots this update takes.
    written: Vec<String>,
}

impl Update {
    fn new(limits: &Limits, algorithm: Algorithm, now_us: u64, seen: &Seen) -> Self {
        let view = &seen.numbers;
        let mut u = Update {
            set: Vec::new(),
            add: Vec::new(),
            remove: Vec::new(),
            condition: Vec::new(),
            names: HashMap::new(),
            values: HashMap::new(),
            written: Vec::new(),
        };
        let number = |n: u64| AttributeValue::N(n.to_string());
        if algorithm == Algorithm::Gcra {
            // DynamoDB refuses a placeholder no expression uses.
            u.values.insert(":now".into(), number(now_us));
        }
        let mut longest = Duration::ZERO;
        for (i, limit) in limits.as_slice().iter().enumerate() {
            longest = longest.max(limit.period);
            let name = format!("#a{i}");
            match algorithm {
                Algorithm::FixedWindow => {
                    let window = window_of(limit, now_us);
                    u.names.insert(name.clone(), fixed_attribute(limit, window));
                    u.values
                        .insert(format!(":c{i}"), number(u64::from(limit.count)));
                    u.condition
                        .push(format!("(attribute_not_exists({name}) OR {name} < :c{i})"));
                    u.add.push(format!("{name} :one"));
                    // The window before, and any older one this process has seen.
                    let prefix = format!("f_{}_", limit_id(limit));
                    let mut stale: Vec<String> = view
                        .keys()
                        .filter(|k| {
                            k.strip_prefix(&prefix)
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
                        let old_name = format!("#r{i}_{j}");
                        u.names.insert(old_name.clone(), old);
                        u.remove.push(old_name);
                    }
                }
                Algorithm::SlidingWindow => {
                    // A slot whose admission has left the window, or an empty one, at
                    // random (so concurrent writers rarely pick the same); with none free
                    // by this view, the first — the condition asks the item.
                    let cut = now_us.saturating_sub(micros(limit.period));
                    let free: Vec<u32> = (0..limit.count)
                        .filter(|slot| {
                            view.get(&slot_attribute(limit, *slot))
                                .is_none_or(|t| *t <= cut)
                        })
                        .collect();
                    let slot = match free.len() {
                        0 => 0,
                        n => free[fastrand::usize(..n)],
                    };
                    let attribute = slot_attribute(limit, slot);
                    u.names.insert(name.clone(), attribute.clone());
                    u.values.insert(format!(":x{i}"), number(cut));
                    u.condition
                        .push(format!("(attribute_not_exists({name}) OR {name} <= :x{i})"));
                    u.set.push(format!("{name} = :t"));
                    u.written.push(attribute);
                }
                _ => {
                    let attribute = gcra_attribute(limit);
                    let interval = micros(limit.interval());
                    let tolerance = micros(limit.period.saturating_sub(limit.interval()));
                    let busy = view.get(&attribute).is_some_and(|tat| *tat > now_us);
                    u.names.insert(name.clone(), attribute);
                    if busy {
                        u.values.insert(format!(":i{i}"), number(interval));
                        u.values
                            .insert(format!(":b{i}"), number(now_us.saturating_add(tolerance)));
                        u.condition
                            .push(format!("({name} >= :now AND {name} <= :b{i})"));
                        u.set.push(format!("{name} = {name} + :i{i}"));
                    } else {
                        u.condition
                            .push(format!("(attribute_not_exists({name}) OR {name} <= :now)"));
                        u.values
                            .insert(format!(":n{i}"), number(now_us.saturating_add(interval)));
                        u.set.push(format!("{name} = :n{i}"));
                    }
                }
            }
        }
        if !u.add.is_empty() {
            u.values.insert(":one".into(), number(1));
        }
        if !u.written.is_empty() {
            u.values.insert(":t".into(), number(now_us));
        }
        u.names.insert("#ttl".into(), TTL_ATTRIBUTE.into());
        let expires = (now_us / 1_000_000)
            .saturating_add(longest.as_secs())
            .saturating_add(60);
        u.values.insert(":ttl".into(), number(expires));
        u.set.push("#ttl = :ttl".into());
        u
    }

    fn expression(&self) -> String {
        let mut out = String::new();
        for (clause, parts) in [
            ("SET", &self.set),
            ("ADD", &self.add),
            ("REMOVE", &self.remove),
        ] {
            if !parts.is_empty() {
                let _ = write!(out, "{clause} {} ", parts.join(", "));
            }
        }
        out.trim_end().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(text: &str) -> Limits {
        text.parse().unwrap()
    }

    fn numbers<const N: usize>(pairs: [(&str, u64); N]) -> Seen {
        Seen {
            numbers: pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
        }
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
        assert_eq!(u.names["#a0"], "s_l3_1000000_1");
        assert_eq!(u.expression(), "SET #a0 = :t, #ttl = :ttl");
        assert_eq!(u.condition, ["(attribute_not_exists(#a0) OR #a0 <= :x0)"]);
        assert_eq!(u.values[":x0"], AttributeValue::N("9000000".into()));
        // Reported as the log would: two in the window before this one, none left after.
        let mut after = seen.clone();
        after.numbers.insert("s_l3_1000000_1".into(), now);
        let d = admitted(&l, Algorithm::SlidingWindow, now, &after, &u.written);
        assert!(d.allowed);
        assert_eq!(d.remaining, 0);
        assert!(!judge(&l, Algorithm::SlidingWindow, now, &after).allowed);
    }

    #[test]
    fn a_gcra_update_takes_its_form_from_the_last_seen_item() {
        let l = limits("10/s");
        let now = 5_000_000;
        let idle = Update::new(&l, Algorithm::Gcra, now, &Seen::default());
        assert_eq!(idle.expression(), "SET #a0 = :n0, #ttl = :ttl");
        assert_eq!(
            idle.condition,
            ["(attribute_not_exists(#a0) OR #a0 <= :now)"]
        );
        assert_eq!(idle.names["#a0"], "g_l10_1000000");
        let seen = numbers([("g_l10_1000000", now + 300_000)]);
        let busy = Update::new(&l, Algorithm::Gcra, now, &seen);
        assert_eq!(busy.expression(), "SET #a0 = #a0 + :i0, #ttl = :ttl");
        assert_eq!(busy.condition, ["(#a0 >= :now AND #a0 <= :b0)"]);
        assert_eq!(
            busy.values[":b0"],
            AttributeValue::N((now + 900_000).to_string())
        );
    }

    #[test]
    fn a_fixed_window_update_counts_and_drops_older_windows() {
        let l = limits("100/min,1000/h");
        let now = 7_200_000_000 + 61_000_000; // window 121 of the minute, 2 of the hour
        let seen = numbers([("f_l100_60000000_100", 3)]);
        let u = Update::new(&l, Algorithm::FixedWindow, now, &seen);
        assert_eq!(u.names["#a0"], "f_l100_60000000_121");
        assert_eq!(u.names["#a1"], "f_l1000_3600000000_2");
        let removed: Vec<&str> = u.remove.iter().map(|r| u.names[r].as_str()).collect();
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
}
