//! One DynamoDB decision, allowed and denied, against an in-process endpoint that answers at
//! once with what DynamoDB would (so the figure is the client's own cost plus a loopback
//! round trip), beside the AWS SDK's `UpdateItem` with the same expression and a bare POST of
//! the same size through the same HTTP client (the round trip alone). The paired rows report
//! a decision less a bare POST, taken in turn in each iteration: the CPU the store spends
//! building, signing and reading a call — the "< 5 µs beyond one round trip" of issue 19.
//!
//! `cargo bench -p lift-ratelimit --features dynamodb --bench dynamodb`

#![allow(missing_docs)] // criterion_group! generates an undocumented function

use std::hint::black_box;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};
use aws_sdk_dynamodb::types::AttributeValue;
use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use lift_ratelimit::{Algorithm, DynamoDbStore, Limits, Store, unix_now};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// What the endpoint answers every request with.
#[derive(Clone, Copy)]
enum Answer {
    /// The update applied: the item after it.
    Updated,
    /// The condition failed: the item as it is, far over its limit.
    Refused,
    /// A sliding window's update applied: the item after it, half of its 100 slots taken —
    /// at random, by admissions a second apart, in no particular order (as DynamoDB
    /// returns a map's attributes).
    HalfTheSlots,
}

fn reply(answer: Answer) -> Vec<u8> {
    let far = u64::try_from((unix_now() + Duration::from_secs(36_000)).as_micros()).unwrap();
    let (status, body) = match answer {
        Answer::HalfTheSlots => {
            // 50 of the slots 0..100, in a scrambled order (37 is prime to 100), each
            // holding an admission's time, 50 seconds apart at most.
            let slots: String = (0..50u64)
                .map(|k| {
                    let slot = (k * 37 + 11) % 100;
                    let time = far - (k * 7 % 50) * 1_000_000 - slot * 1_013;
                    format!(r#","s_l100_60000000_{slot}":{{"N":"{time}"}}"#)
                })
                .collect();
            (
                "200 OK",
                format!(
                    r#"{{"Attributes":{{"pk":{{"S":"tenant:acme"}}{slots},"expires_at":{{"N":"1"}}}}}}"#
                ),
            )
        }
        Answer::Updated => (
            "200 OK",
            format!(
                r#"{{"Attributes":{{"pk":{{"S":"tenant:acme"}},"g_l1000_1000000":{{"N":"{far}"}},"expires_at":{{"N":"1"}}}}}}"#
            ),
        ),
        Answer::Refused => (
            "400 Bad Request",
            format!(
                r#"{{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed","Item":{{"pk":{{"S":"tenant:acme"}},"g_l1000_1000000":{{"N":"{far}"}},"expires_at":{{"N":"1"}}}}}}"#
            ),
        ),
    };
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Serves `answer` to every request on keep-alive connections; returns the endpoint URL.
async fn endpoint(answer: Answer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let canned = reply(answer);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let canned = canned.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut read = BufReader::new(read);
                let mut line = String::new();
                loop {
                    let mut length = 0;
                    loop {
                        line.clear();
                        if read.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let lower = line.to_ascii_lowercase();
                        if let Some(v) = lower.strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let mut body = vec![0; length];
                    if read.read_exact(&mut body).await.is_err()
                        || write.write_all(&canned).await.is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    url
}

fn config(url: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "bench",
        )))
        .endpoint_url(url)
        .build()
}

/// A POST of a body the size of the store's `UpdateItem`, with headers of the same sizes,
/// through a client like the store's: the round trip without building, signing or reading.
struct BarePost {
    http: Client<HttpConnector, Full<Bytes>>,
    url: http::Uri,
    body: Bytes,
}

impl BarePost {
    fn new(url: &str) -> Self {
        let body = r##"{"TableName":"rate-limits","Key":{"pk":{"S":"tenant:acme"}},"UpdateExpression":"SET #a0 = #a0 + :i0, #ttl = :ttl","ConditionExpression":"(#a0 >= :now AND #a0 <= :b0)","ExpressionAttributeNames":{"#a0":"g_l1000_1000000","#ttl":"expires_at"},"ExpressionAttributeValues":{":i0":{"N":"1000"},":b0":{"N":"1764755123456789"},":now":{"N":"1764755123456789"},":ttl":{"N":"1764755184"}},"ReturnValues":"ALL_NEW","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}"##;
        Self {
            http: Client::builder(TokioExecutor::new()).build(HttpConnector::new()),
            url: url.parse().unwrap(),
            body: Bytes::from(body),
        }
    }

    async fn send(&self) -> usize {
        let request = http::Request::post(self.url.clone())
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", "DynamoDB_20120810.UpdateItem")
            .header("x-amz-date", "20251203T094523Z")
            .header("authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20251203/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000")
            .body(Full::new(self.body.clone()))
            .unwrap();
        let response = self.http.request(request).await.unwrap();
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .len()
    }
}

fn decision(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut g = c.benchmark_group("dynamodb_decision");
    for (name, algorithm, limits, answer) in [
        ("gcra_allowed", Algorithm::Gcra, "1000/s", Answer::Updated),
        ("gcra_denied", Algorithm::Gcra, "1000/s", Answer::Refused),
        (
            "fixed_window_allowed",
            Algorithm::FixedWindow,
            "100/min",
            Answer::Updated,
        ),
        (
            "sliding_window_allowed",
            Algorithm::SlidingWindow,
            "100/min",
            Answer::HalfTheSlots,
        ),
    ] {
        let limits: Limits = limits.parse().unwrap();
        let url = rt.block_on(endpoint(answer));
        let store = DynamoDbStore::new(&config(&url), "rate-limits").unwrap();
        let decide = || {
            let d = rt.block_on(store.decide("tenant:acme", &limits, algorithm, unix_now()));
            black_box(d.map(|d| d.allowed).unwrap_or_default())
        };
        g.bench_function(format!("lift_{name}"), |b| b.iter(decide));
        let bare = BarePost::new(&url);
        g.bench_function(format!("lift_{name}_beyond_bare_post"), |b| {
            b.iter_custom(|iters| {
                let (mut lift, mut post) = (Duration::ZERO, Duration::ZERO);
                for _ in 0..iters {
                    let t = Instant::now();
                    decide();
                    lift += t.elapsed();
                    let t = Instant::now();
                    black_box(rt.block_on(bare.send()));
                    post += t.elapsed();
                }
                // A negative difference counts as 1 ns: the estimate errs high.
                lift.saturating_sub(post).max(Duration::from_nanos(1))
            })
        });
    }
    let url = rt.block_on(endpoint(Answer::Updated));
    let bare = BarePost::new(&url);
    g.bench_function("bare_post", |b| {
        b.iter(|| black_box(rt.block_on(bare.send())))
    });
    // The SDK call alone, with an expression like the store's busy form.
    let sdk = aws_sdk_dynamodb::Client::new(&config(&url));
    g.bench_function("sdk_update_item_alone", |b| {
        b.iter(|| {
            let now = unix_now().as_micros();
            let sent = rt.block_on(
                sdk.update_item()
                    .table_name("rate-limits")
                    .key("pk", AttributeValue::S("tenant:acme".into()))
                    .update_expression("SET #a0 = #a0 + :i0, #ttl = :ttl")
                    .condition_expression("(#a0 >= :now AND #a0 <= :b0)")
                    .expression_attribute_names("#a0", "g_l1000_1000000")
                    .expression_attribute_names("#ttl", "expires_at")
                    .expression_attribute_values(":i0", AttributeValue::N("1000".into()))
                    .expression_attribute_values(
                        ":b0",
                        AttributeValue::N((now + 999_000).to_string()),
                    )
                    .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
                    .expression_attribute_values(":ttl", AttributeValue::N("1".into()))
                    .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
                    .send(),
            );
            black_box(sent.is_ok())
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(5));
    targets = decision
}
criterion_main!(benches);
