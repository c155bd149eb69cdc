//! `payments-sign`: the example client of `payments-lambda`'s signed routes — signs a request
//! as another service would (RFC 9421, with `Content-Digest` for a body) with the key in
//! `LIFT_SIGNING_KEY` (`<keyid>:<alg>:<base64>`) and prints its headers as JSON, ready to
//! send with any HTTP client.
//!
//! ```text
//! LIFT_SIGNING_KEY=settlement-svc:ed25519:<base64 seed> \
//!   payments-sign POST https://payments.example/internal/settlements '{"batch":"b_17"}'
//! ```

use anyhow::Context as _;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [method, url, rest @ ..] = args.as_slice() else {
        anyhow::bail!("usage: payments-sign <METHOD> <URL> [BODY]");
    };
    let body = rest.first().map(String::as_bytes);
    let text = std::env::var(lift_signing::SIGNING_KEY_ENV)
        .with_context(|| format!("{} is not set", lift_signing::SIGNING_KEY_ENV))?;
    let (keyid, key) = lift_signing::SigningKey::parse(&text)?;
    let mut request = http::Request::builder()
        .method(method.as_str())
        .uri(url.as_str())
        .body(())
        .context("the method or URL is not valid")?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    lift_signing::Signer::new(&keyid, key).sign(&mut request, body, now)?;
    let headers: serde_json::Map<String, serde_json::Value> = request
        .headers()
        .iter()
        .map(|(k, v)| Ok((k.to_string(), v.to_str()?.into())))
        .collect::<Result<_, http::header::ToStrError>>()?;
    println!("{}", serde_json::Value::Object(headers));
    Ok(())
}
