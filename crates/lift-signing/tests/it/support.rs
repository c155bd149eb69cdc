//! Shared by the layer tests: a request as the Lambda event a Lift service receives, and
//! sending one through a service.

use std::convert::Infallible;

use lift::HttpResponse;
use lift::local::{apigw_v2_event, http_request};
use tower::{Service, ServiceExt};

/// `headers` of a request as `(name, value)` pairs, with `Host: ledger.internal` added (as
/// the client's HTTP stack sends it).
pub(crate) fn header_pairs(headers: &http::HeaderMap) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    pairs.push(("host".into(), "ledger.internal".into()));
    pairs
}

/// Sends `POST path` with `headers` and `body` to `svc` as an HTTP API event (its URI is the
/// one the client called; a REST API's default endpoint adds its stage to the path the
/// client signs); the status and the body.
pub(crate) async fn post(
    svc: &mut impl Service<lift::Request, Response = HttpResponse, Error = Infallible>,
    path: &str,
    headers: &[(String, String)],
    body: &str,
) -> (u16, String) {
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let event = apigw_v2_event("POST", path, &headers, Some(body));
    call(svc, &event).await
}

/// Sends `event` to `svc`; the status and the body.
pub(crate) async fn call(
    svc: &mut impl Service<lift::Request, Response = HttpResponse, Error = Infallible>,
    event: &serde_json::Value,
) -> (u16, String) {
    let response = svc
        .ready()
        .await
        .unwrap()
        .call(http_request(event).unwrap())
        .await
        .unwrap();
    (
        response.status().as_u16(),
        String::from_utf8_lossy(response.body()).into_owned(),
    )
}
