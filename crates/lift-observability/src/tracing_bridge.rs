//! The `tracing` bridge: a [`tracing_subscriber::Layer`] that sends `tracing` events through
//! Lift's encoders, redaction and sinks (feature `tracing`).
//!
//! An application that already logs with `tracing::info!` adds one layer and gets
//! Lift's lines — flat JSON with the invocation context, redaction, CloudWatch shipping
//! and Lambda flushing. Levels map one to one. A span's fields become logger context
//! **once, when the span is created** (and again only when `Span::record` changes them):
//! the span keeps a child [`Logger`] in its extensions, so an event costs one lookup of
//! the current span and one encode, not a re-parse of every span's fields. Span fields
//! named like Lift's context keys (`request_id`, `tenant_id`, `user_id`, `trace_id`,
//! `span_id`, `correlation_id`, `service`, `function_name`) fill those keys.
//!
//! An [`InvocationSource`] supplies the current invocation's logger (and its X-Ray trace):
//! events outside any span, and spans opened inside an invocation, start from it. With
//! [`LiftLayer::xray`] every span also becomes an X-Ray subsegment of the current
//! subsegment, sent when the span closes, and log lines inside it carry its id as
//! `span_id`.
//!
//! Events whose target starts with one of [`DEFAULT_IGNORED_TARGETS`] (the AWS SDK, its
//! HTTP stack) are skipped, so a CloudWatch sink never ships its own client's diagnostics
//! back into CloudWatch.
//!
//! # Examples
//! ```
//! use lift_observability::Logger;
//! use lift_observability::tracing_bridge::LiftLayer;
//! use tracing_subscriber::layer::SubscriberExt;
//!
//! let (log, sink) = Logger::test();
//! let subscriber = tracing_subscriber::registry().with(LiftLayer::new(log));
//! tracing::subscriber::with_default(subscriber, || {
//!     let span = tracing::info_span!("charge", tenant_id = "acme", order = 42);
//!     let _in = span.enter();
//!     tracing::info!(amount = 1250, "Charge captured");
//! });
//! let line = &sink.entries()[0];
//! assert_eq!(line["message"], "Charge captured");
//! assert_eq!(line["tenant_id"], "acme");
//! assert_eq!(line["order"], 42);
//! assert_eq!(line["amount"], 1250);
//! ```

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::sync::Arc;

use tracing::field::{Field as TracingField, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::Context as LayerContext;
use tracing_subscriber::registry::LookupSpan;

use crate::context::{ContextKey, LogContext};
use crate::level::Level;
use crate::logger::Logger;
use crate::value::{Field, Value};
use crate::xray::{Subsegment, XRayEmitter, epoch_seconds};

/// Targets skipped by default: the AWS SDK and the HTTP stack under it.
pub const DEFAULT_IGNORED_TARGETS: &[&str] = &[
    "aws_config",
    "aws_sdk_",
    "aws_smithy_",
    "aws_runtime",
    "aws_sigv4",
    "hyper",
    "h2",
    "rustls",
    "tower",
];

/// Fields kept on the stack per event; more spill into a heap vector.
const INLINE_FIELDS: usize = 24;

/// Supplies the current invocation, for events and spans inside one.
pub trait InvocationSource: Send + Sync + 'static {
    /// The current invocation's logger, if the caller is inside one.
    fn logger(&self) -> Option<Logger>;
    /// The current invocation's X-Ray trace id and the id of the subsegment new spans
    /// should hang from, if X-Ray is on for it.
    fn trace(&self) -> Option<(String, String)> {
        None
    }
}

/// What a span keeps: its logger and, with X-Ray, its subsegment.
struct SpanState {
    logger: Logger,
    segment: Option<Subsegment>,
}

/// The layer. See the [module documentation](self).
pub struct LiftLayer {
    base: Logger,
    source: Option<Arc<dyn InvocationSource>>,
    ignored: Vec<String>,
    xray: Option<XRayEmitter>,
}

impl fmt::Debug for LiftLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiftLayer")
            .field("ignored", &self.ignored)
            .field("xray", &self.xray.is_some())
            .finish_non_exhaustive()
    }
}

impl LiftLayer {
    /// Sends events through `base` (and through the current invocation's logger when an
    /// [`InvocationSource`] is set).
    pub fn new(base: Logger) -> Self {
        Self {
            base,
            source: None,
            ignored: DEFAULT_IGNORED_TARGETS
                .iter()
                .map(|t| (*t).to_owned())
                .collect(),
            xray: None,
        }
    }

    /// Takes the current invocation's logger and trace from `source`.
    pub fn invocation_source(mut self, source: impl InvocationSource) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// Also skips events whose target starts with `prefix`.
    pub fn ignore_target(mut self, prefix: &str) -> Self {
        self.ignored.push(prefix.to_owned());
        self
    }

    /// Skips nothing (not even the AWS SDK's own events).
    pub fn ignore_no_targets(mut self) -> Self {
        self.ignored.clear();
        self
    }

    /// Turns spans into X-Ray subsegments sent through `emitter`.
    pub fn xray(mut self, emitter: XRayEmitter) -> Self {
        self.xray = Some(emitter);
        self
    }

    fn ignored(&self, target: &str) -> bool {
        self.ignored.iter().any(|p| target.starts_with(p.as_str()))
    }

    fn current_logger(&self) -> Logger {
        self.source
            .as_ref()
            .and_then(|s| s.logger())
            .unwrap_or_else(|| self.base.clone())
    }
}

fn level_of(level: &tracing::Level) -> Level {
    match *level {
        tracing::Level::TRACE => Level::Trace,
        tracing::Level::DEBUG => Level::Debug,
        tracing::Level::INFO => Level::Info,
        tracing::Level::WARN => Level::Warn,
        tracing::Level::ERROR => Level::Error,
    }
}

fn context_key(name: &str) -> Option<ContextKey> {
    ContextKey::ALL.into_iter().find(|k| k.as_str() == name)
}

/// Where a visited value sits in the scratch space.
#[derive(Clone, Copy)]
enum Slot {
    Text(usize, usize),
    I64(i64),
    U64(u64),
    F64(f64),
    Bool(bool),
}

/// Per-thread scratch space for one event's fields: text is appended to one string and
/// referenced by range, so visiting allocates nothing once warm.
#[derive(Default)]
struct Scratch {
    text: String,
    fields: Vec<(&'static str, Slot)>,
    message: Option<(usize, usize)>,
}

impl Scratch {
    fn clear(&mut self) {
        self.text.clear();
        self.fields.clear();
        self.message = None;
    }

    fn push_text(&mut self, name: &'static str, write: impl FnOnce(&mut String)) {
        let start = self.text.len();
        write(&mut self.text);
        let range = (start, self.text.len());
        if name == "message" {
            self.message = Some(range);
        } else {
            self.fields.push((name, Slot::Text(range.0, range.1)));
        }
    }

    fn value(&self, slot: Slot) -> Value<'_> {
        match slot {
            Slot::Text(a, b) => Value::Str(&self.text[a..b]),
            Slot::I64(v) => Value::I64(v),
            Slot::U64(v) => Value::U64(v),
            Slot::F64(v) => Value::F64(v),
            Slot::Bool(v) => Value::Bool(v),
        }
    }

    fn message(&self) -> &str {
        self.message.map_or("", |(a, b)| &self.text[a..b])
    }

    /// Calls `f` with the visited fields as Lift fields.
    fn with_fields<R>(&self, f: impl FnOnce(&[Field<'_>]) -> R) -> R {
        let field = |&(name, value): &(&'static str, Slot)| {
            Field::__with_json_key(name, key_cache::json_key(name), self.value(value))
        };
        if self.fields.len() <= INLINE_FIELDS {
            let mut inline = [Field::new("", Value::Null); INLINE_FIELDS];
            for (slot, entry) in inline.iter_mut().zip(&self.fields) {
                *slot = field(entry);
            }
            f(&inline[..self.fields.len()])
        } else {
            let all: Vec<Field<'_>> = self.fields.iter().map(field).collect();
            f(&all)
        }
    }
}

impl Visit for Scratch {
    fn record_debug(&mut self, field: &TracingField, value: &dyn fmt::Debug) {
        self.push_text(field.name(), |t| {
            let _ = write!(t, "{value:?}");
        });
    }
    fn record_str(&mut self, field: &TracingField, value: &str) {
        self.push_text(field.name(), |t| t.push_str(value));
    }
    fn record_i64(&mut self, field: &TracingField, value: i64) {
        self.fields.push((field.name(), Slot::I64(value)));
    }
    fn record_u64(&mut self, field: &TracingField, value: u64) {
        self.fields.push((field.name(), Slot::U64(value)));
    }
    fn record_f64(&mut self, field: &TracingField, value: f64) {
        self.fields.push((field.name(), Slot::F64(value)));
    }
    fn record_bool(&mut self, field: &TracingField, value: bool) {
        self.fields.push((field.name(), Slot::Bool(value)));
    }
    fn record_error(&mut self, field: &TracingField, value: &(dyn std::error::Error + 'static)) {
        self.push_text(field.name(), |t| {
            crate::value::write_error_chain(t, value);
        });
    }
}

/// The `,"key":` prefix of each `tracing` field name, decided once per name.
///
/// The logging macros decide at compile time whether a key can be copied as it is (plain,
/// not reserved, no redaction rule) and hand the encoder a ready `,"key":`; `tracing` field
/// names are `&'static str` too, so the bridge makes the same decision once per distinct
/// name, interns the prefix for the life of the process (names come from a program's
/// finite set of callsites), and finds it again through a small per-thread cache keyed by
/// the name's address (`static_names`).
mod key_cache {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};

    use crate::encoder::key_is_plain_and_unreserved;
    use crate::redact::{KeyRule, builtin_key_rule};
    use crate::value::JsonKey;

    use crate::static_names::StaticNames;

    thread_local! {
        static CACHE: RefCell<StaticNames<Option<&'static JsonKey>, 64>> =
            const { RefCell::new(StaticNames::new()) };
    }

    fn interned(name: &'static str) -> Option<&'static JsonKey> {
        static TABLE: OnceLock<Mutex<HashMap<&'static str, Option<&'static JsonKey>>>> =
            OnceLock::new();
        let table = TABLE.get_or_init(Mutex::default);
        let mut table = table.lock().unwrap_or_else(|e| e.into_inner());
        *table.entry(name).or_insert_with(|| {
            let prefix = format!(",\"{name}\":");
            let copyable = key_is_plain_and_unreserved(name)
                && matches!(builtin_key_rule(name), KeyRule::Scan);
            copyable
                .then(|| &*Box::leak(Box::new(JsonKey::new(Box::leak(prefix.into_boxed_str())))))
        })
    }

    /// The ready prefix for `name`, or `None` when the encoder must check the key.
    pub(super) fn json_key(name: &'static str) -> Option<&'static JsonKey> {
        let cached = CACHE
            .try_with(|c| c.try_borrow().ok()?.get(name))
            .ok()
            .flatten();
        if let Some(key) = cached {
            return key;
        }
        let key = interned(name);
        let _ = CACHE.try_with(|c| {
            if let Ok(mut c) = c.try_borrow_mut() {
                c.put(name, key);
            }
        });
        key
    }
}

thread_local! {
    static SCRATCH: RefCell<Option<Scratch>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's scratch space, taken out for the duration (a nested call —
/// a `Debug` impl that logs while being formatted — finds it gone and uses a fresh one).
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    let taken = SCRATCH
        .try_with(|cell| cell.try_borrow_mut().ok().and_then(|mut s| s.take()))
        .ok()
        .flatten();
    let mut scratch = taken.unwrap_or_default();
    scratch.clear();
    let result = f(&mut scratch);
    let _ = SCRATCH.try_with(|cell| {
        if let Ok(mut slot) = cell.try_borrow_mut() {
            *slot = Some(scratch);
        }
    });
    result
}

/// Applies visited span fields to a logger context.
fn apply_fields(scratch: &Scratch, context: &mut LogContext) {
    if let Some((a, b)) = scratch.message {
        context.set_field("message_field", Value::Str(&scratch.text[a..b]));
    }
    for (name, slot) in &scratch.fields {
        match (context_key(name), scratch.value(*slot)) {
            (Some(key), Value::Str(s)) => context.set(key, s),
            (_, value) => context.set_field(name, value),
        }
    }
}

impl<S> tracing_subscriber::Layer<S> for LiftLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: LayerContext<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let parent = span.parent();
        let parent_state = parent.as_ref().map(|p| p.extensions());
        let parent_logger = parent_state
            .as_ref()
            .and_then(|e| e.get::<SpanState>().map(|s| s.logger.clone()));
        let parent_segment = parent_state.as_ref().and_then(|e| {
            e.get::<SpanState>().and_then(|s| {
                s.segment
                    .as_ref()
                    .map(|seg| (seg.trace_id().to_owned(), seg.id().to_owned()))
            })
        });
        drop(parent_state);
        let base = parent_logger.unwrap_or_else(|| self.current_logger());
        let segment = self.xray.as_ref().and_then(|_| {
            let (trace_id, parent_id) =
                parent_segment.or_else(|| self.source.as_ref().and_then(|s| s.trace()))?;
            Some(Subsegment::new(
                span.name(),
                &trace_id,
                Some(&parent_id),
                epoch_seconds(),
            ))
        });
        let logger = with_scratch(|scratch| {
            attrs.record(scratch);
            base.with_context(|c| {
                apply_fields(scratch, c);
                if let Some(seg) = &segment {
                    c.set(ContextKey::SpanId, seg.id());
                }
            })
        });
        span.extensions_mut().insert(SpanState { logger, segment });
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: LayerContext<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        let Some(state) = extensions.get_mut::<SpanState>() else {
            return;
        };
        state.logger = with_scratch(|scratch| {
            values.record(scratch);
            state.logger.with_context(|c| apply_fields(scratch, c))
        });
    }

    fn on_event(&self, event: &Event<'_>, ctx: LayerContext<'_, S>) {
        let metadata = event.metadata();
        if self.ignored(metadata.target()) {
            return;
        }
        let level = level_of(metadata.level());
        let span = ctx.event_span(event);
        let extensions = span.as_ref().map(|s| s.extensions());
        let span_logger = extensions
            .as_ref()
            .and_then(|e| e.get::<SpanState>().map(|s| &s.logger));
        let fallback;
        let logger = match span_logger {
            Some(l) => l,
            None => {
                fallback = self.current_logger();
                &fallback
            }
        };
        if !logger.enabled(level) {
            return;
        }
        with_scratch(|scratch| {
            event.record(scratch);
            scratch.with_fields(|fields| logger.log(level, scratch.message(), fields));
        });
    }

    fn on_close(&self, id: Id, ctx: LayerContext<'_, S>) {
        let Some(emitter) = &self.xray else { return };
        let Some(span) = ctx.span(&id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(segment) = extensions
            .get_mut::<SpanState>()
            .and_then(|s| s.segment.as_mut())
        {
            segment.end(epoch_seconds());
            emitter.emit(segment);
        }
    }
}
