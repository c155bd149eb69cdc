//! Shipping Lift's log lines to Amazon CloudWatch Logs.
//!
//! This crate is being built in stages. Present now: the CloudWatch limits as named
//! constants ([`limits`]), the pure [`BatchPacker`] that turns queued events into
//! `PutLogEvents` batches obeying every rule, and JSON-preserving truncation of oversize
//! entries ([`truncate`]), and group/stream name validation ([`names`]). The queueing sink, the shipper task, the AWS SDK client, the
//! fault-injecting mock and the `lift-ship` binary are the next stage.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod limits;
pub mod names;
pub mod packer;
pub mod truncate;

pub use names::{NameError, validate_log_group_name, validate_log_stream_name};
pub use packer::{Batch, BatchPacker, LogEvent, PackReport, PackerLimits};
