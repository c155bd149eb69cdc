//! Realistic payment-service log entries from a seeded generator, shared by Lift's benchmarks
//! and tests so that every speed claim is measured on data shaped like its users' data.
//!
//! [`generate`] returns distinct entries of five shapes, each logged at its own call site
//! with a literal message and literal keys, the way services write log calls:
//!
//! | shape | what it carries |
//! |---|---|
//! | [`Shape::Ids`] | UUID merchant and customer ids, payment ids, an amount, a currency, a latency |
//! | [`Shape::Prose`] | sentences with capitals, digits, `=`, quotes and accented letters |
//! | [`Shape::Url`] | an upstream URL with a query string, an IP address, a user agent, an ARN |
//! | [`Shape::Body`] | a nested `Serialize` webhook body (ids, amounts, a billing address) |
//! | [`Shape::Failure`] | an error with a three-level `source()` chain, a duration |
//!
//! About one entry in 500 carries something that must never reach a log — a card number,
//! a CVV, a bearer token, an API key — placed where real services leak them (a free-text
//! note, a query string, a webhook's metadata, an error echoing a header); such entries are
//! marked ([`Entry::sensitive`]) so tests can check them. The same seed gives the same
//! entries on every machine.

mod entries;
mod generator;

pub use entries::{
    Address, Billing, Body, ChainError, Entry, Failure, Ids, Metadata, PaymentObject, Prose, Shape,
    Url, WebhookEvent,
};
pub use generator::{SENSITIVE_ONE_IN, generate};
