//! Integration tests: RFC 9421's appendix B vectors byte for byte, a table of refusals,
//! key rotation, replays and webhooks; with the `interop` feature, an independent
//! implementation from PyPI signing and verifying against Lift.

#[cfg(feature = "interop")]
mod interop;
#[cfg(feature = "layer")]
mod layer;
#[cfg(feature = "layer")]
mod outbound;
mod refusals;
mod rfc;
mod webhook;
