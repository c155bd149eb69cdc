//! X-Ray tracing without the X-Ray SDK: segment documents and a UDP emitter.
//!
//! Inside Lambda the function's segment belongs to Lambda; Lift's handler
//! [`Subsegment`] takes the trace header's `Root` as its `trace_id` and `Parent` as its
//! `parent_id`, and user-marked operations (HTTP calls, database calls) are subsegments of
//! it. Outside Lambda, with no parent, the handler's document is a segment of its own.
//! Documents carry annotations (indexed, limited by [`limits`]), metadata, error / fault /
//! throttle flags and the exception, and go to the X-Ray daemon as UDP datagrams from
//! [`XRayEmitter`] — fire-and-forget, never blocking and never failing the caller when no
//! daemon listens.
//!
//! # Examples
//! ```
//! use lift_observability::xray::{Subsegment, epoch_seconds};
//!
//! let mut handler = Subsegment::new("charge", "1-5759e988-bd862e3fe1be46a994272793",
//!     Some("53995c3f42cd8ad8"), epoch_seconds());
//! handler.annotate("tenant_id", "acme");
//! let mut db = handler.child("dynamodb.PutItem", epoch_seconds());
//! db.set_namespace("aws");
//! db.end(epoch_seconds());
//! handler.set_http_status(502);
//! handler.end(epoch_seconds());
//! let doc: serde_json::Value = serde_json::from_slice(&handler.to_document()).unwrap();
//! assert_eq!(doc["parent_id"], "53995c3f42cd8ad8");
//! assert_eq!(doc["fault"], true);
//! ```

mod emitter;
pub mod limits;
mod segment;

pub use emitter::{DEFAULT_DAEMON_ADDRESS, XRayEmitter, XRayStats, daemon_address_from_env};
pub use segment::{Annotation, Subsegment, epoch_seconds, new_segment_id};
