//! [`SecretsManagerKeys`]: verifying keys kept in an AWS Secrets Manager secret (the
//! `secrets-manager` feature).
//!
//! The secret's string lists keys as `LIFT_SIGNING_KEYS` does (`<keyid>:<alg>:<base64>`).
//! [`load`](SecretsManagerKeys::load) reads it once; [`reload`](SecretsManagerKeys::reload)
//! reads it again and swaps the whole set at once, so a rotation done in Secrets Manager
//! (add the new key, later drop the old one) reaches every verifier without a restart —
//! [`keep_fresh`](SecretsManagerKeys::keep_fresh) reloads on a timer. A reload that fails
//! keeps the keys already loaded. The secret's value is never logged or shown in an error.

use std::time::Duration;

use crate::error::SecretsError;
use crate::key::{KeyStore, StaticKeys, VerifyingKey};

/// Verifying keys from a Secrets Manager secret.
#[derive(Debug, Clone)]
pub struct SecretsManagerKeys {
    client: aws_sdk_secretsmanager::Client,
    secret_id: String,
    keys: StaticKeys,
}

impl SecretsManagerKeys {
    /// Reads the keys in `secret_id` through `client`.
    pub async fn load(
        client: aws_sdk_secretsmanager::Client,
        secret_id: &str,
    ) -> Result<Self, SecretsError> {
        let keys = read(&client, secret_id).await?;
        Ok(Self {
            client,
            secret_id: secret_id.to_owned(),
            keys,
        })
    }

    /// Reads the secret again and, if it lists keys, makes them the active set.
    pub async fn reload(&self) -> Result<(), SecretsError> {
        let fresh = read(&self.client, &self.secret_id).await?;
        self.keys.replace_with(&fresh);
        Ok(())
    }

    /// Reloads every `every` on the current tokio runtime, for as long as the process runs
    /// (a failed reload keeps the keys already loaded and is tried again next time).
    pub fn keep_fresh(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                let _ = this.reload().await;
            }
        })
    }
}

async fn read(
    client: &aws_sdk_secretsmanager::Client,
    secret_id: &str,
) -> Result<StaticKeys, SecretsError> {
    let out = client
        .get_secret_value()
        .secret_id(secret_id)
        .send()
        .await
        .map_err(|e| SecretsError::Read {
            secret_id: secret_id.to_owned(),
            source: Box::new(e),
        })?;
    let text = out
        .secret_string()
        .ok_or_else(|| SecretsError::NotAString(secret_id.to_owned()))?;
    StaticKeys::parse(text).map_err(|source| SecretsError::Keys {
        secret_id: secret_id.to_owned(),
        source,
    })
}

impl KeyStore for SecretsManagerKeys {
    fn keys(&self, keyid: &str) -> std::sync::Arc<[VerifyingKey]> {
        self.keys.keys(keyid)
    }
}
