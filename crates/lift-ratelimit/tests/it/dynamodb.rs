//! The DynamoDB store against moto_server's DynamoDB, with a counting proxy between the SDK
//! and moto, so every call is counted at the HTTP layer. The proxy hands moto one request at
//! a time: moto's conditional updates are not atomic under concurrent requests (it checks
//! and writes without a lock; a first run here admitted 101 of a limit of 100), while
//! DynamoDB applies the writes to one item one at a time. The callers stay concurrent.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};
use lift_ratelimit::{Algorithm, DynamoDbStore, Limits, RateLimitError, RateLimiter, Store};

use crate::moto_server::Moto;
use crate::proxy::{FaultProxy, Faults};

/// moto, a counting proxy in front of it, and a table.
struct Table {
    _moto: Moto,
    proxy: FaultProxy,
    config: SdkConfig,
    client: aws_sdk_dynamodb::Client,
    name: String,
}

impl Table {
    async fn new() -> Self {
        let moto = Moto::start();
        let upstream = moto.endpoint.trim_start_matches("http://").to_owned();
        let proxy = FaultProxy::start(upstream, Faults::default(), 1).await;
        proxy.one_at_a_time(true);
        let config = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "test", "test", None, None, "moto",
            )))
            .endpoint_url(&proxy.endpoint)
            .build();
        let client = aws_sdk_dynamodb::Client::new(&config);
        let name = "rate-limits".to_owned();
        DynamoDbStore::create_table(&client, &name).await.unwrap();
        Self {
            _moto: moto,
            proxy,
            config,
            client,
            name,
        }
    }

    /// A store as one instance holds it (its own view of the items).
    fn store(&self) -> DynamoDbStore {
        DynamoDbStore::new(&self.config, &self.name).unwrap()
    }

    fn calls(&self) -> u64 {
        self.proxy.counts.forwarded.load(Ordering::SeqCst)
    }
}

const ALL: [Algorithm; 3] = [
    Algorithm::Gcra,
    Algorithm::FixedWindow,
    Algorithm::SlidingWindow,
];

fn limits(text: &str) -> Limits {
    text.parse().unwrap()
}

/// Whether `store` admits a request for `key` at `now`.
async fn admits(
    store: &DynamoDbStore,
    key: &str,
    l: &Limits,
    algorithm: Algorithm,
    now: Duration,
) -> bool {
    store.decide(key, l, algorithm, now).await.unwrap().allowed
}

/// A time inside the hour starting at `hour` since the epoch.
fn at(hour: u64, secs: f64) -> Duration {
    Duration::from_secs(hour * 3600) + Duration::from_secs_f64(secs)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_fifty_six_concurrent_callers_on_two_instances_get_exactly_the_limit() {
    let table = Table::new().await;
    for algorithm in ALL {
        let instances = [Arc::new(table.store()), Arc::new(table.store())];
        let limits = Arc::new(limits("100/h"));
        let admitted = Arc::new(AtomicU32::new(0));
        let key = format!("tenant:acme:{algorithm:?}");
        let before = table.calls();
        let callers: Vec<_> = (0..256u64)
            .map(|i| {
                let store = Arc::clone(&instances[(i % 2) as usize]);
                let (limits, admitted, key) =
                    (Arc::clone(&limits), Arc::clone(&admitted), key.clone());
                tokio::spawn(async move {
                    let now = at(500_000, 10.0) + Duration::from_micros(i);
                    let d = store.decide(&key, &limits, algorithm, now).await.unwrap();
                    if d.allowed {
                        admitted.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for c in callers {
            c.await.unwrap();
        }
        assert_eq!(admitted.load(Ordering::Relaxed), 100, "{algorithm:?}");
        let calls = table.calls() - before;
        eprintln!("{algorithm:?}: {calls} calls for 256 decisions on two instances");
        match algorithm {
            Algorithm::FixedWindow => assert_eq!(calls, 256, "one call each"),
            // GCRA: a burst on an idle key sends every caller the idle form; all but one
            // find the key busy and send again (at most two calls each).
            Algorithm::Gcra => assert!((256..=512).contains(&calls), "{calls} calls"),
            // Sliding window: a slot another writer took first costs one more call, a denial
            // the last-seen item already shows one read.
            _ => assert!((256..=768).contains(&calls), "{calls} calls"),
        }
    }
}

#[tokio::test]
async fn one_call_per_decision_for_the_first_request_an_admission_and_a_denial() {
    let table = Table::new().await;
    for algorithm in ALL {
        let store = table.store();
        let l = limits("2/min");
        let key = format!("user:acme:42:{algorithm:?}");
        let mut calls_of = Vec::new();
        // First ever, admitted, denied; then the first request of the next window, and the
        // first request on a key after a long idle spell.
        for now in [
            at(1000, 1.0),
            at(1000, 2.0),
            at(1000, 3.0),
            at(1000, 61.0),
            at(1003, 0.0),
        ] {
            let before = table.calls();
            let d = store.decide(&key, &l, algorithm, now).await.unwrap();
            calls_of.push((d.allowed, table.calls() - before));
        }
        assert_eq!(
            calls_of,
            [(true, 1), (true, 1), (false, 1), (true, 1), (true, 1)],
            "{algorithm:?}"
        );
    }
}

#[tokio::test]
async fn a_warm_up_is_one_read_that_writes_nothing_and_a_missing_table_fails_it() {
    let table = Table::new().await;
    let store = table.store();
    let before = table.calls();
    store.warm_up().await.unwrap();
    assert_eq!(table.calls() - before, 1);
    let scanned = table
        .client
        .scan()
        .table_name(&table.name)
        .send()
        .await
        .unwrap();
    assert_eq!(scanned.count(), 0, "the warm-up wrote an item");
    let missing = DynamoDbStore::new(&table.config, "no-such-table").unwrap();
    let err = missing.warm_up().await.unwrap_err();
    assert!(
        err.to_string().contains("ResourceNotFoundException"),
        "{err}"
    );
}

#[tokio::test]
async fn a_denial_says_when_to_retry_without_a_read() {
    let table = Table::new().await;
    let store = table.store();
    let l = limits("10/s");
    let t = at(2000, 0.5);
    for _ in 0..10 {
        assert!(admits(&store, "k", &l, Algorithm::Gcra, t).await);
    }
    let before = table.calls();
    let denied = store.decide("k", &l, Algorithm::Gcra, t).await.unwrap();
    assert_eq!(table.calls() - before, 1);
    assert!(!denied.allowed);
    assert_eq!(denied.retry_after, Some(Duration::from_millis(100)));
    let later = t + Duration::from_millis(100);
    assert!(admits(&store, "k", &l, Algorithm::Gcra, later).await);
    // Another instance, which has never seen the key, gets the same answer in one call.
    let other = table.store();
    let before = table.calls();
    let d = other.decide("k", &l, Algorithm::Gcra, later).await.unwrap();
    assert!(!d.allowed);
    assert_eq!(table.calls() - before, 1);
}

#[tokio::test]
async fn several_limits_are_decided_in_one_call_and_a_denial_counts_against_none() {
    let table = Table::new().await;
    for algorithm in ALL {
        let store = table.store();
        let l = limits("2/s,3/h");
        let key = format!("k:{algorithm:?}");
        let t = at(3000, 0.0);
        let mut outcomes = Vec::new();
        for s in [0.0, 0.1, 0.2, 1.5, 2.5, 3.5] {
            let before = table.calls();
            let d = store
                .decide(&key, &l, algorithm, t + Duration::from_secs_f64(s))
                .await
                .unwrap();
            assert_eq!(table.calls() - before, 1);
            outcomes.push(d.allowed);
        }
        // 2 per second, 3 per hour: the third in the first second is refused by the
        // per-second limit and does not use up the hour's third admission.
        assert_eq!(
            outcomes,
            [true, true, false, true, false, false],
            "{algorithm:?}"
        );
    }
}

#[tokio::test]
async fn expiry_is_decided_by_stored_times_not_by_ttl_deletion() {
    let table = Table::new().await;
    let store = table.store();
    let l = limits("1/h");
    let t = at(4000, 0.0);
    assert!(admits(&store, "k", &l, Algorithm::Gcra, t).await);
    assert!(!admits(&store, "k", &l, Algorithm::Gcra, t + Duration::from_secs(1)).await);
    // moto never deletes expired items; an hour later the stored time admits again.
    let hour_later = t + Duration::from_secs(3600);
    assert!(admits(&store, "k", &l, Algorithm::Gcra, hour_later).await);
    let item = table
        .client
        .get_item()
        .table_name(&table.name)
        .key("pk", aws_sdk_dynamodb::types::AttributeValue::S("k".into()))
        .send()
        .await
        .unwrap();
    let expires: u64 = item.item().unwrap()["expires_at"]
        .as_n()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(expires, hour_later.as_secs() + 3600 + 60);
}

#[tokio::test]
async fn the_sliding_window_cannot_be_exceeded_across_the_window_boundary() {
    // The Go original's bug: a burst at the end of one window and another at the start of
    // the next passed twice the limit within one period.
    let table = Table::new().await;
    let store = table.store();
    let l = limits("10/min");
    let t = at(5000, 59.0);
    let mut admitted = 0;
    for ms in 0..10 {
        let now = t + Duration::from_millis(ms);
        admitted += u32::from(admits(&store, "k", &l, Algorithm::SlidingWindow, now).await);
    }
    for ms in 0..10 {
        let now = t + Duration::from_millis(1_500 + ms);
        assert!(!admits(&store, "k", &l, Algorithm::SlidingWindow, now).await);
    }
    assert_eq!(admitted, 10);
    // A minute after the first burst, its slots come back one by one.
    let back = store
        .decide(
            "k",
            &l,
            Algorithm::SlidingWindow,
            t + Duration::from_secs(60),
        )
        .await
        .unwrap();
    assert!(back.allowed);
}

#[tokio::test]
async fn an_unreachable_table_is_a_store_error() {
    let table = Table::new().await;
    table.proxy.set_down(true);
    let limiter = RateLimiter::new(table.store(), limits("1/s")).timeout(Duration::from_secs(10));
    let err = limiter.decide("k", None).await.unwrap_err();
    assert!(matches!(err, RateLimitError::Store { .. }), "{err}");
    assert_eq!(limiter.stats().store_errors, 1);
}

/// An IAM user allowed every DynamoDB action, made through boto3 (from the venv
/// `scripts/test.sh` installs with moto) on `endpoint`: its access key id and secret.
fn iam_user(endpoint: &str) -> (String, String) {
    let script = r#"
import json, sys, boto3
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="setup", aws_secret_access_key="setup")
iam.create_user(UserName="limiter")
key = iam.create_access_key(UserName="limiter")["AccessKey"]
iam.put_user_policy(UserName="limiter", PolicyName="dynamodb", PolicyDocument=json.dumps(
    {"Version": "2012-10-17",
     "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}))
print(key["AccessKeyId"], key["SecretAccessKey"])
"#;
    let text = crate::python::run(&["-c", script, endpoint]);
    let (id, secret) = text.trim().split_once(' ').unwrap();
    (id.to_owned(), secret.to_owned())
}

fn signed_config(endpoint: &str, id: &str, secret: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            id, secret, None, None, "iam",
        )))
        .endpoint_url(endpoint)
        .build()
}

/// moto checks every request's signature once the set-up's three IAM calls are made —
/// recomputing it with botocore's SigV4 signer, an implementation independent of the
/// store's — and the user's permissions.
#[tokio::test]
async fn moto_checking_every_signature_accepts_the_stores_calls_and_refuses_a_wrong_secret() {
    let moto = Moto::start_with_env(&[("INITIAL_NO_AUTH_ACTION_COUNT", "3")]);
    let (id, secret) = iam_user(&moto.endpoint);
    let config = signed_config(&moto.endpoint, &id, &secret);
    DynamoDbStore::create_table(&aws_sdk_dynamodb::Client::new(&config), "rate-limits")
        .await
        .unwrap();
    let store = DynamoDbStore::new(&config, "rate-limits").unwrap();
    let t = at(5000, 0.0);
    let l = limits("2/h");
    for algorithm in ALL {
        let key = format!("tenant:{algorithm:?}");
        assert!(admits(&store, &key, &l, algorithm, t).await);
        assert!(admits(&store, &key, &l, algorithm, t).await);
        // The sliding window's denial reads the item (GetItem), signed the same way.
        let denied = store.decide(&key, &l, algorithm, t).await.unwrap();
        assert!(!denied.allowed, "{algorithm:?}");
    }

    let wrong = signed_config(&moto.endpoint, &id, "not the secret");
    let err = DynamoDbStore::new(&wrong, "rate-limits")
        .unwrap()
        .decide("tenant:x", &l, Algorithm::Gcra, t)
        .await
        .unwrap_err();
    let RateLimitError::Store { message, source } = &err else {
        panic!("{err}")
    };
    let said = format!("{message}: {}", source.as_ref().unwrap());
    assert!(said.contains("SignatureDoesNotMatch"), "{said}");
}

/// Throttling, a 503 and a reset connection, injected at random (seeded) between the store
/// and moto: each call that fails so is sent again (up to three times), and the limit holds.
#[tokio::test]
async fn throttling_unavailability_and_resets_are_retried_and_the_limit_holds() {
    let moto = Moto::start();
    let upstream = moto.endpoint.trim_start_matches("http://").to_owned();
    let faults = Faults {
        throttle: 0.1,
        unavailable: 0.1,
        reset: 0.1,
        ..Faults::default()
    };
    let proxy = FaultProxy::start(upstream, faults, 7).await;
    let config = signed_config(&proxy.endpoint, "test", "test");
    let direct = signed_config(&moto.endpoint, "test", "test");
    DynamoDbStore::create_table(&aws_sdk_dynamodb::Client::new(&direct), "rate-limits")
        .await
        .unwrap();
    let store = DynamoDbStore::new(&config, "rate-limits").unwrap();
    let l = limits("10/h");
    let t = at(6000, 0.0);
    let mut admitted = 0;
    for _ in 0..15 {
        if store
            .decide("k", &l, Algorithm::Gcra, t)
            .await
            .unwrap()
            .allowed
        {
            admitted += 1;
        }
    }
    assert_eq!(admitted, 10);
    let c = &proxy.counts;
    let injected = c.throttled.load(Ordering::SeqCst)
        + c.unavailable.load(Ordering::SeqCst)
        + c.reset.load(Ordering::SeqCst);
    assert!(injected >= 3, "only {injected} faults were injected");
}
