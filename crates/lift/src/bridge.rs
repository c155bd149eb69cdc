//! The `tracing` bridge wired to the invocation (feature `tracing`): events logged with
//! `tracing` inside a handler carry the invocation's context, and with X-Ray on, spans
//! become subsegments of the handler's subsegment.

use lift_observability::Logger;
use lift_observability::tracing_bridge::{InvocationSource, LiftLayer};

use crate::current::current;

/// Supplies the invocation the calling task runs in (see [`crate::current()`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct CurrentInvocation;

impl InvocationSource for CurrentInvocation {
    fn logger(&self) -> Option<Logger> {
        current().map(|c| c.logger().clone())
    }

    fn trace(&self) -> Option<(String, String)> {
        let c = current()?;
        Some((c.trace()?.root.clone(), c.segment_id()?.to_owned()))
    }
}

/// A `tracing` layer that logs through `root` — or, inside an invocation, through the
/// invocation's logger. Add it to the subscriber:
/// `tracing_subscriber::registry().with(lift::tracing_layer(&root)).init()`.
pub fn tracing_layer(root: &Logger) -> LiftLayer {
    LiftLayer::new(root.clone()).invocation_source(CurrentInvocation)
}
