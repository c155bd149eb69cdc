//! Shipping Lift's log lines to Amazon CloudWatch Logs.
//!
//! This crate is being built in stages. Present now: the CloudWatch limits as named
//! constants ([`limits`]), the pure [`BatchPacker`] that turns queued events into
//! `PutLogEvents` batches obeying every rule, and JSON-preserving truncation of oversize
//! entries ([`truncate`]). The queueing sink, the shipper task, the AWS SDK client, the
//! fault-injecting mock and the `lift-ship` binary are the next stage.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod limits;
pub mod packer;
pub mod truncate;

pub use packer::{Batch, BatchPacker, LogEvent, PackReport, PackerLimits};
