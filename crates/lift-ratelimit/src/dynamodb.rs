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

use crate::algorithm::Algorithm;
use crate::decision::Decision;
use crate::error::RateLimitError;
use crate::limit::Limits;

mod attributes;
mod connection;
mod judge;
mod reader;
mod sigv4;
#[cfg(test)]
mod test_support;
mod update;
mod wire;

use connection::Connection;
use judge::{admitted, judge, window_full};
use update::Update;
use wire::Reply;

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
