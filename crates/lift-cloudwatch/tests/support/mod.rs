//! Shared test support: the emulator harness.
pub(crate) mod moto;
#[allow(dead_code)] // used by the emulator suite only
pub(crate) mod proxy;
