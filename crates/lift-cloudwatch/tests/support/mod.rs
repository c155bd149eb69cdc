//! Shared test support: the emulator harness.
pub(crate) mod moto;
