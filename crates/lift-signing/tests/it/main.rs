//! Integration tests: RFC 9421's appendix B vectors byte for byte, a table of refusals,
//! key rotation, replays and webhooks.

mod refusals;
mod rfc;
mod webhook;
