//! Integration tests: RFC 9421's appendix B vectors byte for byte, a table of refusals,
//! key rotation, replays and webhooks; with the `interop` feature, an independent
//! implementation from PyPI signing and verifying against Lift; with the `emulator`
//! feature, keys from moto's Secrets Manager.

#[cfg(feature = "interop")]
mod interop;
#[cfg(feature = "layer")]
mod layer;
#[cfg(feature = "emulator")]
#[path = "../../../lift-cloudwatch/tests/support/moto_server.rs"]
#[allow(dead_code)] // restarting the emulator is the CloudWatch suite's
mod moto_server;
#[cfg(feature = "emulator")]
mod nonces;
#[cfg(feature = "layer")]
mod outbound;
mod refusals;
mod rfc;
#[cfg(feature = "emulator")]
mod secrets;
#[cfg(feature = "layer")]
mod support;
mod webhook;
