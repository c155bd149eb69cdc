//! Local invocation: run a handler stack in-process with sample events — no AWS account,
//! no Runtime API. Used by the tests, the demo and the benchmarks.
//!
//! The sample builders produce the JSON AWS sends (API Gateway REST v1, HTTP API v2 —
//! also the Function URL format — ALB, SQS), and [`http_request`] turns such JSON into
//! the `lambda_http::Request` the real adapter would build.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};
use tower::{Service, ServiceExt};

use crate::error::LiftError;
use crate::meta::{Invocation, InvocationMeta};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A fresh request id for invocations outside Lambda (`local-<process>-<n>`).
pub fn new_request_id() -> String {
    format!(
        "local-{:08x}-{}",
        std::process::id(),
        NEXT_ID.fetch_add(1, Ordering::Relaxed)
    )
}

fn header_map(headers: &[(&str, &str)]) -> Value {
    Value::Object(
        headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
            .collect(),
    )
}

/// An API Gateway REST API (payload v1) event.
pub fn apigw_v1_event(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Value {
    json!({
        "resource": path, "path": path, "httpMethod": method,
        "headers": header_map(headers), "multiValueHeaders": {},
        "queryStringParameters": null, "multiValueQueryStringParameters": null,
        "pathParameters": null, "stageVariables": null,
        "requestContext": {
            "accountId": "123456789012", "resourceId": "abc123", "stage": "prod",
            "requestId": format!("apigw-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed)),
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "lift-local"},
            "resourcePath": path, "httpMethod": method, "apiId": "api0123", "path": path,
            "authorizer": {"claims": {"sub": "user-from-claim"}}
        },
        "body": body, "isBase64Encoded": false
    })
}

/// An API Gateway HTTP API / Function URL (payload v2) event.
pub fn apigw_v2_event(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Value {
    json!({
        "version": "2.0", "routeKey": format!("{method} {path}"), "rawPath": path,
        "rawQueryString": "", "headers": header_map(headers),
        "requestContext": {
            "accountId": "123456789012", "apiId": "api0123", "domainName": "example.com",
            "domainPrefix": "example", "requestId": format!("apigw-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed)),
            "routeKey": format!("{method} {path}"), "stage": "$default",
            "time": "27/Nov/2026:05:00:00 +0000", "timeEpoch": 1_795_755_600_000i64,
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": "203.0.113.7", "userAgent": "lift-local"},
            "authorizer": {"jwt": {"claims": {"sub": "user-from-jwt"}, "scopes": null}}
        },
        "body": body, "isBase64Encoded": false
    })
}

/// An Application Load Balancer event.
pub fn alb_event(method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> Value {
    json!({
        "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lift/0123456789abcdef"}},
        "httpMethod": method, "path": path, "queryStringParameters": {},
        "headers": header_map(headers), "body": body.unwrap_or(""), "isBase64Encoded": false
    })
}

/// An SQS event with one record per body.
pub fn sqs_event(bodies: &[&str]) -> Value {
    let records: Vec<Value> = bodies
        .iter()
        .enumerate()
        .map(|(i, body)| {
            json!({
                "messageId": format!("msg-{i}"), "receiptHandle": "handle", "body": body,
                "attributes": {}, "messageAttributes": {}, "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:lift", "awsRegion": "us-east-1"
            })
        })
        .collect();
    json!({ "Records": records })
}

/// The `lambda_http::Request` the adapter builds from an HTTP event's JSON.
pub fn http_request(event: &Value) -> Result<lambda_http::Request, serde_json::Error> {
    lambda_http::request::from_str(&event.to_string())
}

/// Invokes `service` once with `event`, as the runtime would.
pub async fn invoke<S, E>(
    service: &mut S,
    event: E,
    meta: InvocationMeta,
) -> Result<S::Response, LiftError>
where
    S: Service<Invocation<E>, Error = LiftError>,
{
    service
        .ready()
        .await?
        .call(Invocation::new(event, meta))
        .await
}
