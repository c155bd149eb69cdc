//! Nonces shared through moto's DynamoDB: a replay to another instance is refused, a nonce
//! past its time may come back, one call per verification, an unreachable table is a 503.

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use lift_signing::{DynamoDbNonces, NonceStore, SignatureError};

use crate::moto_server::Moto;

async fn table(moto: &Moto) -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
        .endpoint_url(&moto.endpoint)
        .build();
    let client = aws_sdk_dynamodb::Client::from_conf(config);
    client
        .create_table()
        .table_name("lift-shared")
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
    client
}

#[tokio::test]
async fn a_replay_to_another_instance_is_refused() {
    let moto = Moto::start();
    let client = table(&moto).await;
    let (a, b) = (
        DynamoDbNonces::new(client.clone(), "lift-shared"),
        DynamoDbNonces::new(client, "lift-shared"),
    );
    let now = 1_764_000_000;
    a.first_use("ledger", "n-1", now + 300, now).await.unwrap();
    assert_eq!(
        b.first_use("ledger", "n-1", now + 300, now + 5).await,
        Err(SignatureError::Replayed)
    );
    // Another key id's nonce of the same text is its own.
    b.first_use("hooks", "n-1", now + 300, now).await.unwrap();
    // Past its time, the stored time decides (moto never deletes by TTL).
    b.first_use("ledger", "n-1", now + 900, now + 301)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_unreachable_table_is_unavailable_not_a_pass() {
    let moto = Moto::start();
    let client = table(&moto).await;
    let store = DynamoDbNonces::new(client, "no-such-table");
    assert_eq!(
        store.first_use("ledger", "n-1", 10, 1).await,
        Err(SignatureError::NonceStoreUnavailable)
    );
}
