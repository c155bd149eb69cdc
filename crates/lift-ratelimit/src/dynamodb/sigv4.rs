//! AWS Signature Version 4 for the store's DynamoDB calls — the one request shape the store
//! sends (`POST /`, a JSON body, five headers), signed in one pass with no intermediate
//! canonical request: the canonical request is streamed into its SHA-256, and the signing
//! key (four HMACs) is derived once per day and access key instead of once per request.
//! What it produces is held to the AWS SDK's own signer (`aws-sigv4`) in the tests.

use std::sync::{Mutex, PoisonError};

use aws_sdk_dynamodb::config::Credentials;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The content type of DynamoDB's JSON protocol.
pub(crate) const CONTENT_TYPE: &str = "application/x-amz-json-1.0";
/// The service name in the credential scope.
const SERVICE: &str = "dynamodb";

/// The headers a signed request carries besides `content-type`, `host` and `x-amz-target`.
#[derive(Debug)]
pub(crate) struct Signature {
    /// `x-amz-date`: `YYYYMMDDTHHMMSSZ`.
    pub(crate) amz_date: String,
    /// `authorization`.
    pub(crate) authorization: String,
}

/// A signing key, good for one day, one region and one access key.
#[derive(Debug)]
struct SigningKey {
    date: [u8; 8],
    access_key_id: String,
    key: [u8; 32],
}

/// Signs the store's requests for one region, remembering the last signing key.
#[derive(Debug)]
pub(crate) struct Signer {
    region: String,
    key: Mutex<Option<SigningKey>>,
}

impl Signer {
    /// A signer for requests to DynamoDB in `region`.
    pub(crate) fn new(region: impl Into<String>) -> Self {
        Self {
            region: region.into(),
            key: Mutex::new(None),
        }
    }

    /// Signs `POST /` to `host` with `x-amz-target: target` and `body`, at `unix_millis`.
    pub(crate) fn sign(
        &self,
        credentials: &Credentials,
        host: &str,
        target: &str,
        body: &[u8],
        unix_millis: i64,
    ) -> Signature {
        let amz_date = amz_date(unix_millis);
        let date = &amz_date.as_bytes()[..8];
        let token = credentials.session_token();
        let signed_headers = if token.is_some() {
            "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
        } else {
            "content-type;host;x-amz-date;x-amz-target"
        };

        let mut canonical = Sha256::new();
        canonical.update(b"POST\n/\n\ncontent-type:");
        canonical.update(CONTENT_TYPE);
        canonical.update(b"\nhost:");
        canonical.update(host);
        canonical.update(b"\nx-amz-date:");
        canonical.update(&amz_date);
        if let Some(token) = token {
            canonical.update(b"\nx-amz-security-token:");
            canonical.update(token);
        }
        canonical.update(b"\nx-amz-target:");
        canonical.update(target);
        canonical.update(b"\n\n");
        canonical.update(signed_headers);
        canonical.update(b"\n");
        canonical.update(hex(&Sha256::digest(body)));

        let scope_tail = ["/", &self.region, "/", SERVICE, "/aws4_request"].concat();
        let mut string_to_sign = Vec::with_capacity(128);
        string_to_sign.extend_from_slice(b"AWS4-HMAC-SHA256\n");
        string_to_sign.extend_from_slice(amz_date.as_bytes());
        string_to_sign.push(b'\n');
        string_to_sign.extend_from_slice(date);
        string_to_sign.extend_from_slice(scope_tail.as_bytes());
        string_to_sign.push(b'\n');
        string_to_sign.extend_from_slice(&hex(&canonical.finalize()));

        let key = self.signing_key(credentials, date);
        let signature = hex(&hmac(&key, &string_to_sign));
        let authorization = [
            "AWS4-HMAC-SHA256 Credential=",
            credentials.access_key_id(),
            "/",
            std::str::from_utf8(date).unwrap_or_default(),
            &scope_tail,
            ", SignedHeaders=",
            signed_headers,
            ", Signature=",
            std::str::from_utf8(&signature).unwrap_or_default(),
        ]
        .concat();
        Signature {
            amz_date,
            authorization,
        }
    }

    /// The signing key for `date`, derived anew only when the day or the access key changed.
    fn signing_key(&self, credentials: &Credentials, date: &[u8]) -> [u8; 32] {
        let mut cached = self.key.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(k) = cached.as_ref()
            && k.date == date
            && k.access_key_id == credentials.access_key_id()
        {
            return k.key;
        }
        let secret = ["AWS4", credentials.secret_access_key()].concat();
        let key = [self.region.as_bytes(), SERVICE.as_bytes(), b"aws4_request"]
            .iter()
            .fold(hmac(secret.as_bytes(), date), |key, part| hmac(&key, part));
        let mut day = [0; 8];
        day.copy_from_slice(date);
        *cached = Some(SigningKey {
            date: day,
            access_key_id: credentials.access_key_id().to_owned(),
            key,
        });
        key
    }
}

/// `YYYYMMDDTHHMMSSZ` for Unix milliseconds.
fn amz_date(unix_millis: i64) -> String {
    let mut rfc3339 = Vec::with_capacity(24);
    lift::observability::write_rfc3339_millis(&mut rfc3339, unix_millis);
    // `2026-12-03T10:00:00.123Z`: keep the digits, the `T` and the `Z`.
    let picked: Vec<u8> = rfc3339[..19]
        .iter()
        .copied()
        .filter(|b| *b != b'-' && *b != b':')
        .chain([b'Z'])
        .collect();
    String::from_utf8(picked).unwrap_or_default()
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC takes a key of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> Vec<u8> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
    use aws_sigv4::sign::v4::SigningParams;

    use super::*;

    /// The `authorization` header AWS's own signer gives the same request.
    fn signed_by_aws(
        credentials: &Credentials,
        region: &str,
        host: &str,
        target: &str,
        body: &[u8],
        unix_millis: i64,
    ) -> (String, String) {
        let identity = credentials.clone().into();
        let params = SigningParams::builder()
            .identity(&identity)
            .region(region)
            .name(SERVICE)
            .time(UNIX_EPOCH + Duration::from_millis(unix_millis as u64))
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let headers = [
            ("content-type", CONTENT_TYPE),
            ("host", host),
            ("x-amz-target", target),
        ];
        let request =
            SignableRequest::new("POST", "/", headers.into_iter(), SignableBody::Bytes(body))
                .unwrap();
        let (instructions, _) = sign(request, &params).unwrap().into_parts();
        let mut date = String::new();
        let mut authorization = String::new();
        for (name, value) in instructions.headers() {
            match name {
                "x-amz-date" => date = value.to_owned(),
                "authorization" => authorization = value.to_owned(),
                _ => {}
            }
        }
        (date, authorization)
    }

    #[test]
    fn a_signature_is_the_one_the_aws_sdk_signer_gives() {
        let body = br#"{"TableName":"rate-limits","Key":{"pk":{"S":"tenant:acme"}}}"#;
        let target = "DynamoDB_20120810.UpdateItem";
        let cases = [
            (
                Credentials::new(
                    "AKIDEXAMPLE",
                    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                    None,
                    None,
                    "t",
                ),
                "us-east-1",
                "dynamodb.us-east-1.amazonaws.com",
            ),
            (
                Credentials::new(
                    "ASIAEXAMPLE",
                    "secret",
                    Some("FwoGZXIvYXdzEXAMPLE//token+=".into()),
                    None,
                    "t",
                ),
                "eu-west-3",
                "127.0.0.1:8000",
            ),
        ];
        for (credentials, region, host) in cases {
            let signer = Signer::new(region);
            // Across a day boundary: the cached key must follow the date.
            for millis in [1_764_720_000_000 - 1, 1_764_720_000_000, 1_764_755_123_456] {
                let ours = signer.sign(&credentials, host, target, body, millis);
                let (date, authorization) =
                    signed_by_aws(&credentials, region, host, target, body, millis);
                assert_eq!(ours.amz_date, date);
                assert_eq!(ours.authorization, authorization, "{region} at {millis}");
            }
        }
    }

    #[test]
    fn a_new_access_key_gets_a_new_signing_key() {
        let signer = Signer::new("us-east-1");
        let host = "dynamodb.us-east-1.amazonaws.com";
        let first = Credentials::new("AKIDONE", "one", None, None, "t");
        let second = Credentials::new("AKIDTWO", "two", None, None, "t");
        let t = 1_764_755_123_456;
        signer.sign(&first, host, "T", b"{}", t);
        let ours = signer.sign(&second, host, "T", b"{}", t);
        let (_, theirs) = signed_by_aws(&second, "us-east-1", host, "T", b"{}", t);
        assert_eq!(ours.authorization, theirs);
    }

    #[test]
    fn the_date_header_is_compact_utc() {
        assert_eq!(amz_date(1_764_755_123_456), "20251203T094523Z");
        assert_eq!(amz_date(0), "19700101T000000Z");
    }
}
