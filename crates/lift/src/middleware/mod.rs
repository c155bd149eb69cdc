//! Lift's tower middleware. Each middleware is a folder: `mod.rs` (the service),
//! `layer.rs` (its `Layer`), `future.rs` (its response future).

pub mod observability;
