//! [`DynamoDbNonces`]: nonces remembered in a DynamoDB table every instance shares (the
//! `dynamodb` feature), so a replay to any instance inside the window is refused.
//!
//! One conditional `PutItem` per verification: the item `nonce:<keyid>:<nonce>` is written
//! only if absent or past its time (`expires_at`, Unix seconds — also the table's TTL
//! attribute, which only keeps the table small: whether a nonce is still remembered is
//! decided by the stored time). The table is the one rate limiting uses (partition key `pk`,
//! a string; TTL on `expires_at`), so one table serves both.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::SignatureError;
use crate::verify::NonceStore;

/// Nonces in a DynamoDB table (see the module documentation).
#[derive(Debug, Clone)]
pub struct DynamoDbNonces {
    client: Client,
    table: String,
}

impl DynamoDbNonces {
    /// Remembers nonces in `table` through `client`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    async fn put(
        &self,
        keyid: &str,
        nonce: &str,
        until: u64,
        now: u64,
    ) -> Result<(), SignatureError> {
        let sent = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", AttributeValue::S(format!("nonce:{keyid}:{nonce}")))
            .item("expires_at", AttributeValue::N(until.to_string()))
            .condition_expression("attribute_not_exists(pk) OR expires_at < :now")
            .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e))
                if matches!(e.err(), PutItemError::ConditionalCheckFailedException(_)) =>
            {
                Err(SignatureError::Replayed)
            }
            Err(_) => Err(SignatureError::NonceStoreUnavailable),
        }
    }
}

impl NonceStore for DynamoDbNonces {
    fn first_use(
        &self,
        keyid: &str,
        nonce: &str,
        until: u64,
        now: u64,
    ) -> impl std::future::Future<Output = Result<(), SignatureError>> + Send {
        self.put(keyid, nonce, until, now)
    }
}
