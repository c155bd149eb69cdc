//! Webhooks the way payment providers sign them: a header `t=<unix>,v1=<hex>` where `v1` is
//! HMAC-SHA256 over `"{t}.{body}"`; during a key rotation several `v1` values (one per active
//! secret). Verification checks the timestamp against a tolerance and compares in constant
//! time.

use std::fmt::Write as _;
use std::time::Duration;

use crate::digest::constant_time_eq;
use crate::error::SignatureError;
use crate::key::{Secret, hmac_sha256};

/// The default tolerance between the webhook's timestamp and now.
pub const DEFAULT_WEBHOOK_TOLERANCE: Duration = Duration::from_secs(300);

fn signed_payload(timestamp: u64, body: &[u8]) -> Vec<u8> {
    let mut payload = timestamp.to_string().into_bytes();
    payload.push(b'.');
    payload.extend_from_slice(body);
    payload
}

/// The header value for `body` sent at `timestamp`, one `v1` per secret (the new one first
/// during a rotation).
pub fn sign_webhook(secrets: &[Secret], timestamp: u64, body: &[u8]) -> String {
    let payload = signed_payload(timestamp, body);
    let mut out = format!("t={timestamp}");
    for secret in secrets {
        out.push_str(",v1=");
        for b in hmac_sha256(secret, &payload) {
            let _ = write!(out, "{b:02x}");
        }
    }
    out
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || text.len() > 128 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Verifies a webhook `header` for `body` against the active `secrets` at `now` (Unix
/// seconds): the timestamp within `tolerance` either way, and at least one `v1` matching
/// one secret. Returns the timestamp.
pub fn verify_webhook(
    header: &str,
    body: &[u8],
    secrets: &[Secret],
    now: u64,
    tolerance: Duration,
) -> Result<u64, SignatureError> {
    if header.len() > 4096 {
        return Err(SignatureError::TooLarge { limit: 4096 });
    }
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed(
                "webhook signature parts must be key=value",
            ))?;
        match key {
            "t" if timestamp.is_none() => {
                timestamp = Some(
                    value
                        .parse::<u64>()
                        .map_err(|_| SignatureError::Malformed("t is not a Unix time"))?,
                );
            }
            "t" => return Err(SignatureError::Malformed("t appears twice")),
            "v1" => candidates
                .push(unhex(value).ok_or(SignatureError::Malformed("v1 is not hexadecimal"))?),
            _ => {} // other schemes (v0, …) are not accepted, nor refused
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::MissingCreated)?;
    if candidates.is_empty() {
        return Err(SignatureError::MissingSignature);
    }
    let tolerance = tolerance.as_secs();
    if timestamp > now.saturating_add(tolerance) {
        return Err(SignatureError::TooEarly);
    }
    if timestamp < now.saturating_sub(tolerance) {
        return Err(SignatureError::Expired);
    }
    let payload = signed_payload(timestamp, body);
    let expected: Vec<[u8; 32]> = secrets.iter().map(|s| hmac_sha256(s, &payload)).collect();
    let matched = candidates
        .iter()
        .any(|c| expected.iter().any(|e| constant_time_eq(c, e)));
    if matched {
        Ok(timestamp)
    } else {
        Err(SignatureError::BadSignature)
    }
}
