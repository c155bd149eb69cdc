//! Integration tests: the in-memory store (exactness under concurrency, window edges,
//! several limits at once, bounded memory, reference models as property tests) and the
//! layer in Lift's stack; with the `emulator` feature, the DynamoDB store against moto.

#[cfg(feature = "emulator")]
mod dynamodb;
#[cfg(feature = "emulator")]
#[path = "../../../lift-cloudwatch/tests/support/moto_server.rs"]
#[allow(dead_code)] // restarting the emulator is the CloudWatch suite's
mod moto_server;
#[cfg(feature = "emulator")]
#[path = "../../../lift-cloudwatch/tests/support/proxy.rs"]
#[allow(dead_code)] // the fault injection is the CloudWatch suite's; this one counts calls
mod proxy;
#[cfg(feature = "emulator")]
#[path = "../../../lift-cloudwatch/tests/support/python.rs"]
mod python;

mod layer;
mod memory;
mod models;
mod stores;
