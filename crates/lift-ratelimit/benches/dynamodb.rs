//! One DynamoDB decision, allowed and denied, against an in-process endpoint that answers at
//! once with what DynamoDB would (so the figure is the client's own cost plus a loopback
//! round trip), beside the bare SDK call with the same expression: the difference is what
//! Lift adds (building the update, reading the returned item, judging it).
//!
//! `cargo bench -p lift-ratelimit --features dynamodb --bench dynamodb`

#![allow(missing_docs)] // criterion_group! generates an undocumented function

use std::hint::black_box;
use std::time::Duration;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::AttributeValue;
use criterion::{Criterion, criterion_group, criterion_main};
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
}

fn reply(answer: Answer) -> Vec<u8> {
    let far = (unix_now() + Duration::from_secs(36_000)).as_micros();
    let (status, body) = match answer {
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

fn client(url: &str) -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "bench"))
        .endpoint_url(url)
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

fn decision(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let limits: Limits = "1000/s".parse().unwrap();
    let mut g = c.benchmark_group("dynamodb_decision");
    for (name, answer) in [("allowed", Answer::Updated), ("denied", Answer::Refused)] {
        let url = rt.block_on(endpoint(answer));
        let store = DynamoDbStore::new(client(&url), "rate-limits");
        g.bench_function(format!("lift_gcra_{name}"), |b| {
            b.iter(|| {
                let d =
                    rt.block_on(store.decide("tenant:acme", &limits, Algorithm::Gcra, unix_now()));
                black_box(d.map(|d| d.allowed).unwrap_or_default())
            })
        });
    }
    // The SDK call alone, with an expression like the store's busy form.
    let url = rt.block_on(endpoint(Answer::Updated));
    let sdk = client(&url);
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
