//! lift-cloudwatch's integration tests, one binary: shipping against the strict,
//! fault-injecting mock always; the emulator suite (the real SDK against `moto_server`)
//! behind the `emulator` feature, which `scripts/test.sh` turns on after installing moto.
//! The allocation test is its own binary (`tests/alloc.rs`): it installs a global allocator.

#[cfg(feature = "emulator")]
mod emulator;
mod shipping;
#[cfg(feature = "emulator")]
#[path = "../support/mod.rs"]
mod support;
