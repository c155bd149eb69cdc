//! The verifying side from the environment: where the keys are and where nonces are kept.
//!
//! | variable | meaning |
//! |---|---|
//! | `LIFT_SIGNING_KEYS` | the verifying keys themselves (`<keyid>:<alg>:<base64>`, see [`StaticKeys::parse`]) |
//! | `LIFT_SIGNING_KEYS_SECRET` | instead, an AWS Secrets Manager secret listing them the same way, reloaded every five minutes (the `secrets-manager` feature) |
//! | `LIFT_SIGNING_NONCE_TABLE` | a DynamoDB table every instance keeps nonces in (the `dynamodb` feature; the rate limiter's table serves); unset: each instance in its own memory |
//!
//! Neither keys variable set: no verification is configured. Both set, a secret or table
//! named in a build without its feature, a secret that cannot be read or does not list
//! keys: a [`StartupError`] naming the variable (never showing a key) — never a silent
//! fallback, which would let a replay through another instance or verify with stale keys.

use std::sync::Arc;

use lift::StartupError;

use crate::config::SIGNING_KEYS_ENV;
use crate::key::{KeyStore, StaticKeys, VerifyingKey};
use crate::layer::VerifyLayer;
use crate::verify::{MemoryNonces, Verifier};

/// The Secrets Manager secret that lists the verifying keys.
pub const SIGNING_KEYS_SECRET_ENV: &str = "LIFT_SIGNING_KEYS_SECRET";
/// The DynamoDB table nonces are kept in.
pub const SIGNING_NONCE_TABLE_ENV: &str = "LIFT_SIGNING_NONCE_TABLE";

/// Nonces one process remembers when no table is named.
const MEMORY_NONCES: usize = 100_000;
/// How often keys from Secrets Manager are read again.
#[cfg(feature = "secrets-manager")]
const RELOAD_EVERY: std::time::Duration = std::time::Duration::from_secs(300);

/// Keys as the environment names them: listed in a variable, or kept in Secrets Manager.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum EnvKeys {
    /// Listed in `LIFT_SIGNING_KEYS`.
    Listed(StaticKeys),
    /// In the secret `LIFT_SIGNING_KEYS_SECRET` names.
    #[cfg(feature = "secrets-manager")]
    Secret(crate::secrets::SecretsManagerKeys),
}

impl KeyStore for EnvKeys {
    fn keys(&self, keyid: &str) -> Arc<[VerifyingKey]> {
        match self {
            EnvKeys::Listed(keys) => keys.keys(keyid),
            #[cfg(feature = "secrets-manager")]
            EnvKeys::Secret(keys) => keys.keys(keyid),
        }
    }
}

fn invalid(name: &'static str, value: &str, expected: impl Into<String>) -> StartupError {
    StartupError::InvalidSetting {
        name,
        value: value.to_owned(),
        expected: expected.into(),
    }
}

/// The AWS configuration: loaded once, and only when a variable names an AWS resource.
#[derive(Default)]
struct Aws {
    #[cfg(any(feature = "secrets-manager", feature = "dynamodb"))]
    loaded: Option<aws_config::SdkConfig>,
}

impl Aws {
    #[cfg(any(feature = "secrets-manager", feature = "dynamodb"))]
    async fn config(&mut self) -> &aws_config::SdkConfig {
        let config = match self.loaded.take() {
            Some(config) => config,
            None => aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await,
        };
        self.loaded.insert(config)
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl VerifyLayer<EnvKeys> {
    /// The layer the environment configures (see the module's table), verifying with
    /// [`Verifier::new`]'s policy, or `None` when no keys are named. It covers every route
    /// until [`only`](VerifyLayer::only) narrows it.
    pub async fn from_env() -> Result<Option<Self>, StartupError> {
        let mut aws = Aws::default();
        let keys = match (var(SIGNING_KEYS_ENV), var(SIGNING_KEYS_SECRET_ENV)) {
            (None, None) => return Ok(None),
            (Some(_), Some(secret)) => {
                return Err(invalid(
                    SIGNING_KEYS_SECRET_ENV,
                    &secret,
                    "one source of keys: unset LIFT_SIGNING_KEYS or this",
                ));
            }
            (Some(listed), None) => EnvKeys::Listed(StaticKeys::parse(&listed).map_err(|e| {
                // The value holds keys: the error names the problem, never the value.
                invalid(
                    SIGNING_KEYS_ENV,
                    "(not shown: it holds keys)",
                    e.to_string(),
                )
            })?),
            (None, Some(secret)) => secret_keys(&mut aws, &secret).await?,
        };
        let layer = VerifyLayer::new(Verifier::new(keys));
        Ok(Some(match var(SIGNING_NONCE_TABLE_ENV) {
            None => layer.nonces(MemoryNonces::new(MEMORY_NONCES)),
            Some(table) => table_nonces(&mut aws, layer, &table).await?,
        }))
    }
}

#[cfg(feature = "secrets-manager")]
async fn secret_keys(aws: &mut Aws, secret_id: &str) -> Result<EnvKeys, StartupError> {
    let client = aws_sdk_secretsmanager::Client::new(aws.config().await);
    let keys = crate::secrets::SecretsManagerKeys::load(client, secret_id)
        .await
        .map_err(|e| invalid(SIGNING_KEYS_SECRET_ENV, secret_id, error_chain(&e)))?;
    keys.keep_fresh(RELOAD_EVERY);
    Ok(EnvKeys::Secret(keys))
}

#[cfg(not(feature = "secrets-manager"))]
async fn secret_keys(_: &mut Aws, secret_id: &str) -> Result<EnvKeys, StartupError> {
    Err(invalid(
        SIGNING_KEYS_SECRET_ENV,
        secret_id,
        "a build with lift-signing's `secrets-manager` feature (or the keys in LIFT_SIGNING_KEYS)",
    ))
}

#[cfg(feature = "dynamodb")]
async fn table_nonces(
    aws: &mut Aws,
    layer: VerifyLayer<EnvKeys>,
    table: &str,
) -> Result<VerifyLayer<EnvKeys>, StartupError> {
    let client = aws_sdk_dynamodb::Client::new(aws.config().await);
    Ok(layer.nonces(crate::DynamoDbNonces::new(client, table)))
}

#[cfg(not(feature = "dynamodb"))]
async fn table_nonces(
    _: &mut Aws,
    _: VerifyLayer<EnvKeys>,
    table: &str,
) -> Result<VerifyLayer<EnvKeys>, StartupError> {
    Err(invalid(
        SIGNING_NONCE_TABLE_ENV,
        table,
        "a build with lift-signing's `dynamodb` feature (or unset it for nonces in memory)",
    ))
}

/// An error and its sources, one sentence (the SDK's message is in a source).
#[cfg(feature = "secrets-manager")]
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = cause.source();
    }
    text
}
