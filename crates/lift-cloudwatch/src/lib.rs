//! Shipping Lift's log lines to Amazon CloudWatch Logs, without losing any.
//!
//! [`CloudWatchSink`] is a [`lift_observability::Sink`]: logging calls copy the encoded line
//! into a bounded queue and return; a shipper task packs the queue into `PutLogEvents`
//! batches that obey every CloudWatch rule ([`BatchPacker`]), sends them through a
//! [`LogsApi`] (the real AWS SDK client, [`SdkLogsApi`], or the fault-injecting mock behind
//! the `testing` feature), retries transient failures with jittered backoff, creates
//! missing groups and streams on demand, and counts every entry it could not deliver.
//!
//! Delivery guarantee: every accepted entry is acknowledged by CloudWatch or counted as
//! dropped with its reason ([`ShipperStats::dropped`]); entries still undelivered at the
//! close deadline are also written to stderr behind a marker ([`Spill`]). Retries after a
//! timeout or a broken connection can deliver a batch twice (CloudWatch has no
//! de-duplication): at least once, never silently lost.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
mod classify;
mod config;
mod error;
mod limits;
#[cfg(feature = "testing")]
pub mod mock;
mod names;
mod packer;
mod put_body;
mod queue;
mod retry;
mod sdk;
mod shipper;
mod sink;
mod spill;
mod stats;
mod stream_name;

pub use api::{ApiFuture, LogsApi, PutOutcome, PutRequest, RejectedEvents};
pub use config::{CloudWatchConfig, DEFAULT_MAX_BUFFER_BYTES, ValidCloudWatchConfig};
pub use error::{
    ApiError, ApiErrorKind, BuildError, CloudWatchConfigError, NameError, SdkConfigError,
    TemplateError,
};
pub use limits::{DEFAULT_MAX_EVENT_BYTES, LEGACY_MAX_EVENT_BYTES};
pub use names::{validate_log_group_name, validate_log_stream_name};
pub use packer::{Batch, BatchPacker, LogEvent, PackReport, PackerLimits};
pub use put_body::PreparedPut;
pub use queue::OverflowPolicy;
pub use retry::RetryPolicy;
pub use sdk::{EMF_FORMAT, LOGS_FORMAT_HEADER, SdkLogsApi, SdkSettings};
pub use sink::{CloudWatchGuard, CloudWatchSink, CloudWatchSinkBuilder};
pub use spill::{SPILL_MARKER, Spill};
pub use stats::ShipperStats;
pub use stream_name::{DEFAULT_STREAM_TEMPLATE, StreamTemplate, TemplateValues};
