//! The [`Logger`]: level check, encode once into a reused buffer, hand the line to the sink.
//!
//! A logger is two `Arc`s: the shared core (level filter, encoder, sink, clock, counters)
//! and its scope (context plus the context's pre-encoded bytes). Cloning is two reference
//! count increments; `with_*` makes a child with its own scope, encoding the context once,
//! so each entry pays one copy for it however many context fields there are.
//!
//! The hot path allocates nothing in steady state: the line is encoded into a thread-local
//! buffer that is reused (and shrunk back if one huge line grew it). A disabled level costs
//! one relaxed atomic load. Nothing here panics: a re-entrant call (a `Display` impl that
//! logs) gets a fresh buffer instead of a borrow error.

use std::cell::RefCell;
use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::blocking::block_on;
use crate::builder::LoggerBuilder;
use crate::config::LoggerConfig;
use crate::context::{ContextKey, LogContext};
use crate::encoder::{
    Encoder, Entry, KeyProfile, RESERVED_KEY_PREFIX, RESERVED_KEYS, is_reserved_key,
};
use crate::error::{ConfigError, SinkError};
use crate::health::SinkHealth;
use crate::level::{AtomicLevelFilter, Level, LevelFilter};
use crate::sink::{LineMeta, NoopSink, Sink};
use crate::stats::{LoggerCounters, LoggerStats};
use crate::timestamp::Clock;
use crate::truncate::{cut_at_char_boundary, truncate_line};
use crate::value::{Field, OwnedValue, ToValue, Value};

/// A structured, context-carrying logger. Cheap to clone; safe to share across threads.
///
/// # Examples
/// ```
/// use lift_observability::{Level, Logger, info};
///
/// let (log, sink) = Logger::test();
/// let log = log.with_tenant_id("acme").with_request_id("req-1");
/// info!(log, "Charge captured"; "amount" => 1250, "currency" => "USD");
///
/// let entry = &sink.entries()[0];
/// assert_eq!(entry["message"], "Charge captured");
/// assert_eq!(entry["tenant_id"], "acme");
/// assert_eq!(entry["amount"], 1250);
/// sink.assert_logged(Level::Info, "Charge captured");
/// ```
#[derive(Clone)]
pub struct Logger {
    core: Arc<Core>,
    scope: Arc<Scope>,
}

pub(crate) struct Core {
    pub(crate) filter: AtomicLevelFilter,
    pub(crate) encoder: Encoder,
    pub(crate) sink: Arc<dyn Sink>,
    pub(crate) clock: Clock,
    pub(crate) counters: Arc<LoggerCounters>,
    pub(crate) redactor: Arc<crate::redact::Redactor>,
    /// The longest line written; longer entries are truncated (see [`Logger::log`]).
    pub(crate) max_entry_bytes: usize,
}

struct Scope {
    context: LogContext,
    encoded: Box<[u8]>,
    /// The `field_<reserved>` keys the context writes, one bit per [`RESERVED_KEYS`] slot
    /// (almost always none).
    renamed: u16,
    /// The tenant id as lines carry it (redacted): what sinks route by. Shared, so a child
    /// logger's copy costs a reference count.
    tenant_id: Option<Arc<str>>,
    /// A field attached to the scope after it was built ([`Logger::attach_field`]): at
    /// most one, never removed.
    attached: OnceLock<Attached>,
}

/// A field attached to a scope in place, with what the scope looks like with it.
struct Attached {
    key: &'static str,
    value: OwnedValue,
    /// The scope's encoding with the field appended.
    encoded: Box<[u8]>,
    /// The scope's `renamed` with the field's key.
    renamed: u16,
    /// The scope's context with the field, built when first asked for.
    context: OnceLock<LogContext>,
}

/// A line buffer that grew past this is replaced, so one huge entry does not pin memory.
const KEEP_BUFFER_BYTES: usize = 64 * 1024;

thread_local! {
    static LINE_BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The entry to encode: a pre-encoded context plus the call's parts.
#[inline(always)]
fn entry<'a>(
    timestamp_ms: i64,
    (level, location): (Level, &'a str),
    message: &'a str,
    context: &'a [u8],
    fields: &'a [Field<'a>],
) -> Entry<'a> {
    Entry {
        timestamp_ms,
        level,
        message,
        location,
        context,
        fields,
    }
}

/// The slot in [`RESERVED_KEYS`] of the key a user field is written under when that is
/// `field_<reserved>`: a reserved key (renamed so), or one given as `field_<reserved>`.
fn renamed_slot(key: &str) -> Option<u32> {
    let reserved = key.strip_prefix(RESERVED_KEY_PREFIX).unwrap_or(key);
    if key.len() == reserved.len() && !is_reserved_key(key) {
        return None;
    }
    RESERVED_KEYS
        .iter()
        .position(|&k| k == reserved)
        .map(|i| i as u32)
}

/// Whether an entry field is written under a `field_<reserved>` key the context has too.
#[cold]
fn clashes(renamed: u16, fields: &[Field<'_>]) -> bool {
    fields
        .iter()
        .any(|f| renamed_slot(f.key).is_some_and(|slot| renamed & 1 << slot != 0))
}

/// Whether the message or a string field is longer than `cap` bytes: such an entry is
/// encoded from cut copies (one comparison per field otherwise).
#[inline(always)]
fn exceeds(message: &str, fields: &[Field<'_>], cap: usize) -> bool {
    // The longest string without a branch per field (on its kind of value, which varies
    // from field to field and so is hard to predict).
    let longest = fields.iter().fold(message.len(), |longest, f| {
        longest.max(match f.value {
            Value::Str(s) => s.len(),
            _ => 0,
        })
    });
    longest > cap
}

/// Runs `f` with a cleared, reusable line buffer.
#[inline]
fn with_line_buffer(f: impl FnOnce(&mut Vec<u8>)) {
    let mut f = Some(f);
    let _ = LINE_BUFFER.try_with(|cell| {
        if let Ok(mut buf) = cell.try_borrow_mut() {
            buf.clear();
            if let Some(f) = f.take() {
                f(&mut buf);
            }
            if buf.capacity() > KEEP_BUFFER_BYTES {
                *buf = Vec::new();
            }
        }
    });
    // Re-entrant call or thread teardown: use a buffer of our own.
    if let Some(f) = f {
        f(&mut Vec::with_capacity(512));
    }
}

impl Logger {
    pub(crate) fn from_parts(core: Core, context: LogContext) -> Self {
        let core = Arc::new(core);
        let scope = Arc::new(Scope::new(&core, context));
        Self { core, scope }
    }

    /// A builder with defaults: info level, JSON to stdout.
    pub fn builder() -> LoggerBuilder {
        LoggerBuilder::new()
    }

    /// A logger configured from the environment over the defaults (see [`LoggerConfig`]).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_config(LoggerConfig::default().with_env()?)
    }

    /// A logger from a configuration, validated first.
    pub fn from_config(config: LoggerConfig) -> Result<Self, ConfigError> {
        Ok(config.validate()?.into_builder().build())
    }

    /// A JSON logger at trace level into a [`MemorySink`](crate::sink::MemorySink), returned alongside for asserts
    /// (feature `testing`).
    #[cfg(any(test, feature = "testing"))]
    pub fn test() -> (Self, crate::sink::MemorySink) {
        let sink = crate::sink::MemorySink::new();
        let logger = Self::builder()
            .level(LevelFilter::Trace)
            .sink(sink.clone())
            .build();
        (logger, sink)
    }

    /// A logger that writes nothing.
    pub fn noop() -> Self {
        Self::builder()
            .level(LevelFilter::Off)
            .sink(NoopSink::new())
            .build()
    }

    // === logging ===

    /// Whether an entry at `level` would be written. One atomic load.
    #[inline(always)]
    pub fn enabled(&self, level: Level) -> bool {
        self.core.filter.enabled(level)
    }

    /// Logs an entry at `level` with `fields`.
    #[inline]
    pub fn log(&self, level: Level, message: &str, fields: &[Field<'_>]) {
        if self.core.filter.enabled(level) {
            self.write((level, ""), message, fields);
        }
    }

    /// Like [`log`](Self::log), with the call site (`module::path:line`, what the logging
    /// macros pass), written as `location` under the `powertools` key profile.
    #[inline]
    pub fn log_at(&self, level: Level, location: &str, message: &str, fields: &[Field<'_>]) {
        if self.core.filter.enabled(level) {
            self.write((level, location), message, fields);
        }
    }

    /// Encodes and redacts the entry in one pass into the thread's line buffer and hands
    /// the line to the sink.
    fn write(&self, site: (Level, &str), message: &str, fields: &[Field<'_>]) {
        let level = site.0;
        let timestamp_ms = self.core.clock.now_millis();
        let meta = LineMeta {
            timestamp_ms,
            level,
            tenant_id: self.scope.tenant_id.as_deref(),
        };
        let cap = self.core.max_entry_bytes;
        with_line_buffer(|buf| {
            let deduplicated;
            let renamed = self.scope.renamed();
            let context: &[u8] = if renamed != 0 && clashes(renamed, fields) {
                deduplicated = self.context_without_clashes(fields);
                &deduplicated
            } else {
                self.scope.encoded()
            };
            if exceeds(message, fields, cap) {
                self.write_capped(timestamp_ms, site, message, fields, context, buf);
            } else {
                let entry = entry(timestamp_ms, site, message, context, fields);
                self.core
                    .encoder
                    .encode_entry(&entry, &self.core.redactor, buf);
            }
            if buf.len() > cap {
                self.cut_line(buf);
            }
            // A refusal is counted by the sink itself.
            let _ = self.core.sink.accept(buf, &meta);
        });
        self.core.counters.logged(level);
    }

    /// Encodes an entry with a string longer than the entry cap: each such string is cut
    /// (a prefix, borrowed) before encoding, so a huge value never passes through the line
    /// buffer whole.
    #[cold]
    fn write_capped(
        &self,
        timestamp_ms: i64,
        site: (Level, &str),
        message: &str,
        fields: &[Field<'_>],
        context: &[u8],
        buf: &mut Vec<u8>,
    ) {
        let cap = self.core.max_entry_bytes;
        let capped: Vec<Field<'_>> = fields
            .iter()
            .map(|f| match f.value {
                Value::Str(s) if s.len() > cap => {
                    let mut cut = *f;
                    cut.value = Value::Str(cut_at_char_boundary(s, cap));
                    cut
                }
                _ => *f,
            })
            .collect();
        let message = cut_at_char_boundary(message, cap);
        let entry = entry(timestamp_ms, site, message, context, &capped);
        self.core
            .encoder
            .encode_entry(&entry, &self.core.redactor, buf);
        if buf.len() <= cap {
            // Short enough now: say that it was cut.
            self.mark_truncated(buf);
        }
    }

    /// Cuts an encoded line to the entry cap: a JSON line stays one valid object marked
    /// `"truncated":true,"original_bytes":N`; a console line is cut at a character boundary.
    #[cold]
    fn cut_line(&self, buf: &mut Vec<u8>) {
        let cap = self.core.max_entry_bytes;
        let text = String::from_utf8_lossy(buf);
        let cut = match self.core.encoder {
            Encoder::Json(_) => truncate_line(&text, cap).into_owned(),
            Encoder::Console(_) => cut_at_char_boundary(&text, cap).to_owned(),
        };
        buf.clear();
        buf.extend_from_slice(cut.as_bytes());
        self.core.counters.truncated();
    }

    /// Appends `"truncated":true` to a JSON line (console lines end with ` [truncated]`).
    fn mark_truncated(&self, buf: &mut Vec<u8>) {
        const JSON_MARK: &[u8] = b",\"truncated\":true}";
        const CONSOLE_MARK: &[u8] = b" [truncated]";
        let cap = self.core.max_entry_bytes;
        match self.core.encoder {
            Encoder::Json(_)
                if buf.last() == Some(&b'}') && buf.len() - 1 + JSON_MARK.len() <= cap =>
            {
                buf.pop();
                buf.extend_from_slice(JSON_MARK);
            }
            Encoder::Console(_) if buf.len() + CONSOLE_MARK.len() <= cap => {
                buf.extend_from_slice(CONSOLE_MARK);
            }
            _ => {}
        }
        self.core.counters.truncated();
    }

    /// This logger's context encoded without the fields an entry field replaces: a user
    /// field whose key is reserved is written `field_<key>`, and the entry's wins over the
    /// context's (so the line holds that key once).
    #[cold]
    fn context_without_clashes(&self, fields: &[Field<'_>]) -> Vec<u8> {
        let replaced = fields
            .iter()
            .filter_map(|f| renamed_slot(f.key))
            .fold(0u32, |mask, slot| mask | 1 << slot);
        let mut context = self.scope.context().clone();
        context.retain_fields(|key| renamed_slot(key).is_none_or(|slot| replaced & 1 << slot == 0));
        let mut encoded = Vec::new();
        self.core
            .encoder
            .encode_context(&context, &self.core.redactor, &mut encoded);
        encoded
    }

    /// Redaction counts (how many values were masked or removed, by kind).
    pub fn redaction_stats(&self) -> crate::redact::RedactionStats {
        self.core.redactor.stats()
    }

    /// Logs at trace level.
    #[inline]
    pub fn trace(&self, message: &str, fields: &[Field<'_>]) {
        self.log(Level::Trace, message, fields);
    }

    /// Logs at debug level.
    #[inline]
    pub fn debug(&self, message: &str, fields: &[Field<'_>]) {
        self.log(Level::Debug, message, fields);
    }

    /// Logs at info level.
    #[inline]
    pub fn info(&self, message: &str, fields: &[Field<'_>]) {
        self.log(Level::Info, message, fields);
    }

    /// Logs at warn level.
    #[inline]
    pub fn warn(&self, message: &str, fields: &[Field<'_>]) {
        self.log(Level::Warn, message, fields);
    }

    /// Logs at error level.
    #[inline]
    pub fn error(&self, message: &str, fields: &[Field<'_>]) {
        self.log(Level::Error, message, fields);
    }

    // === level ===

    /// The current level filter (shared with every logger derived from the same root).
    pub fn level(&self) -> LevelFilter {
        self.core.filter.get()
    }

    /// Changes the level filter for this logger and all loggers sharing its root.
    pub fn set_level(&self, filter: LevelFilter) {
        self.core.filter.set(filter);
    }

    // === context ===

    /// This logger's context.
    pub fn context(&self) -> &LogContext {
        self.scope.context()
    }

    /// A child whose context is this one changed by `change`; encoded once, here.
    pub fn with_context(&self, change: impl FnOnce(&mut LogContext)) -> Self {
        let mut context = self.scope.context().clone();
        change(&mut context);
        Self {
            core: Arc::clone(&self.core),
            scope: Arc::new(Scope::new(&self.core, context)),
        }
    }

    fn with_key(&self, key: ContextKey, value: &str) -> Self {
        self.with_context(|c| c.set(key, value))
    }

    /// A logger writing to `sink` at `level`, sharing this logger's encoder, redaction,
    /// clock, counters and context — for a per-invocation sink such as
    /// [`InvocationBuffer`](crate::sink::InvocationBuffer), so that entries below the
    /// service's level can be kept aside and written only if the invocation fails.
    pub fn with_sink(&self, sink: Arc<dyn Sink>, level: LevelFilter) -> Self {
        let core = Arc::new(Core {
            filter: AtomicLevelFilter::new(level),
            encoder: self.core.encoder.clone(),
            sink,
            clock: self.core.clock.clone(),
            counters: Arc::clone(&self.core.counters),
            redactor: Arc::clone(&self.core.redactor),
            max_entry_bytes: self.core.max_entry_bytes,
        });
        Self {
            core,
            scope: Arc::clone(&self.scope),
        }
    }

    /// A child carrying `service`.
    pub fn with_service(&self, service: &str) -> Self {
        self.with_key(ContextKey::Service, service)
    }

    /// A child carrying `request_id`.
    pub fn with_request_id(&self, request_id: &str) -> Self {
        self.with_key(ContextKey::RequestId, request_id)
    }

    /// A child carrying `correlation_id` (an upstream id such as API Gateway's).
    pub fn with_correlation_id(&self, correlation_id: &str) -> Self {
        self.with_key(ContextKey::CorrelationId, correlation_id)
    }

    /// A child carrying `tenant_id`.
    pub fn with_tenant_id(&self, tenant_id: &str) -> Self {
        self.with_key(ContextKey::TenantId, tenant_id)
    }

    /// A child carrying `user_id`.
    pub fn with_user_id(&self, user_id: &str) -> Self {
        self.with_key(ContextKey::UserId, user_id)
    }

    /// A child carrying `trace_id` (the X-Ray trace id alone, not the whole header).
    pub fn with_trace_id(&self, trace_id: &str) -> Self {
        self.with_key(ContextKey::TraceId, trace_id)
    }

    /// A child carrying `span_id`.
    pub fn with_span_id(&self, span_id: &str) -> Self {
        self.with_key(ContextKey::SpanId, span_id)
    }

    /// A child carrying `function_name`.
    pub fn with_function_name(&self, function_name: &str) -> Self {
        self.with_key(ContextKey::FunctionName, function_name)
    }

    /// A child carrying `function_arn` (written under the `powertools` key profile).
    pub fn with_function_arn(&self, arn: &str) -> Self {
        self.with_key(ContextKey::FunctionArn, arn)
    }

    /// A child carrying `function_memory_size` in MB (written under the `powertools` key
    /// profile).
    pub fn with_function_memory_size(&self, megabytes: u32) -> Self {
        self.with_key(ContextKey::FunctionMemorySize, &megabytes.to_string())
    }

    /// The key profile of this logger's JSON lines ([`KeyProfile::Lift`] for console
    /// output).
    pub fn key_profile(&self) -> KeyProfile {
        match &self.core.encoder {
            Encoder::Json(e) => e.profile(),
            Encoder::Console(_) => KeyProfile::Lift,
        }
    }

    /// A child carrying `cold_start`.
    pub fn with_cold_start(&self, cold_start: bool) -> Self {
        self.with_context(|c| c.set_cold_start(cold_start))
    }

    /// A child carrying one more sticky field (replacing one with the same key).
    pub fn with_field(&self, key: &str, value: impl ToValue) -> Self {
        let value = value.to_value();
        if self.has_field(key) {
            return self.with_context(|c| c.set_field(key, value));
        }
        // A new key is written after all the others: the parent's encoding, then this field.
        let mut context = self.scope.context().clone();
        context.set_field(key, value);
        let (encoded, renamed) = self.appended(key, value);
        Self {
            core: Arc::clone(&self.core),
            scope: Arc::new(Scope {
                context,
                encoded,
                renamed,
                tenant_id: self.scope.tenant_id.clone(),
                attached: OnceLock::new(),
            }),
        }
    }

    /// Adds a sticky field to this logger **in place**: every line this logger and every
    /// clone of it (and every logger sharing its context, such as
    /// [`with_sink`](Self::with_sink)'s) writes from now on carries it. For state learnt
    /// part-way through a unit of work that all its lines should carry — the caller a
    /// request signature proved, say — at the cost of one allocation for the encoding
    /// instead of a child logger.
    ///
    /// Only one field can be attached to a logger, once: returns `false` and changes
    /// nothing when one was attached already or the context has `key` (take
    /// [`with_field`](Self::with_field) then). Never attach to a logger shared by other
    /// units of work (a service's root logger): their lines would carry the field too.
    pub fn attach_field(&self, key: &'static str, value: impl ToValue) -> bool {
        if self.scope.attached.get().is_some() || self.scope.context.field(key).is_some() {
            return false;
        }
        let value = value.to_value();
        let (encoded, renamed) = self.appended(key, value);
        self.scope
            .attached
            .set(Attached {
                key,
                value: value.to_owned_value(),
                encoded,
                renamed,
                context: OnceLock::new(),
            })
            .is_ok()
    }

    /// Whether this logger's context has the sticky field `key` (an attached one
    /// included).
    pub fn has_field(&self, key: &str) -> bool {
        self.scope.attached.get().is_some_and(|a| a.key == key)
            || self.scope.context.field(key).is_some()
    }

    /// This scope's encoding with the field `key` appended (a key the context does not
    /// have), and the scope's `renamed` with it.
    fn appended(&self, key: &str, value: Value<'_>) -> (Box<[u8]>, u16) {
        // Written in the thread's line buffer, then copied out at its exact size (one
        // allocation, no growth or shrink).
        let mut encoded: Box<[u8]> = Box::default();
        with_line_buffer(|buf| {
            buf.extend_from_slice(self.scope.encoded());
            self.core
                .encoder
                .encode_sticky_field(key, value, &self.core.redactor, buf);
            encoded = buf.as_slice().into();
        });
        let renamed = self.scope.renamed();
        let renamed = renamed_slot(key).map_or(renamed, |slot| renamed | 1 << slot);
        (encoded, renamed)
    }

    /// A child carrying several more sticky fields.
    pub fn with_fields(&self, fields: &[Field<'_>]) -> Self {
        self.with_context(|c| {
            for f in fields {
                c.set_field(f.key, f.value);
            }
        })
    }

    /// The tenant id in this logger's context, redacted as its lines carry it (a tenant id
    /// that holds a card number or a secret is never used raw — not in a stream name, not
    /// as a metric dimension).
    pub fn tenant_id(&self) -> Option<&str> {
        self.scope.tenant_id.as_deref()
    }

    /// The request id in this logger's context.
    pub fn request_id(&self) -> Option<&str> {
        self.scope.context.get(ContextKey::RequestId)
    }

    // === delivery, health, stats ===

    /// Resolves when everything logged before the call has been delivered by the sink.
    pub async fn flush(&self) -> Result<(), SinkError> {
        let started = Instant::now();
        let result = self.core.sink.flush().await;
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.core.counters.flushed(micros, result.is_ok());
        result
    }

    /// [`Logger::flush`] for the lines of this logger's tenant only, where the sink keeps
    /// tenants apart ([`Sink::flush_tenant`]): what a request's end waits for when many
    /// tenants' requests run at once.
    pub async fn flush_tenant(&self) -> Result<(), SinkError> {
        let started = Instant::now();
        let result = self
            .core
            .sink
            .flush_tenant(self.scope.tenant_id.as_deref())
            .await;
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.core.counters.flushed(micros, result.is_ok());
        result
    }

    /// [`Logger::flush`] for code without an async runtime.
    pub fn flush_blocking(&self) -> Result<(), SinkError> {
        block_on(self.flush())
    }

    /// Flushes within `deadline`, then closes the sink: later entries are dropped as
    /// `closed` and counted.
    pub async fn close(&self, deadline: Duration) -> Result<(), SinkError> {
        let started = Instant::now();
        let result = self.core.sink.close(deadline).await;
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.core.counters.flushed(micros, result.is_ok());
        result
    }

    /// [`Logger::close`] for code without an async runtime.
    pub fn close_blocking(&self, deadline: Duration) -> Result<(), SinkError> {
        block_on(self.close(deadline))
    }

    /// The sink's health verdict (recent failure rate).
    pub fn health(&self) -> SinkHealth {
        self.core.sink.health()
    }

    /// Whether the sink's recent failure rate is acceptable.
    pub fn is_healthy(&self) -> bool {
        self.health().healthy
    }

    /// A snapshot of the logger's and its sink's self-telemetry.
    pub fn stats(&self) -> LoggerStats {
        let healthy = self.is_healthy();
        self.core.counters.snapshot(self.core.sink.stats(), healthy)
    }

    /// The sink this logger writes to.
    pub fn sink(&self) -> &Arc<dyn Sink> {
        &self.core.sink
    }

    /// The encoder this logger uses.
    pub fn encoder(&self) -> &Encoder {
        &self.core.encoder
    }
}

impl Scope {
    fn new(core: &Core, context: LogContext) -> Self {
        // Encoded in the thread's line buffer, then copied out at its exact size: one
        // allocation per child logger instead of a buffer grown step by step.
        let mut encoded: Box<[u8]> = Box::default();
        with_line_buffer(|buf| {
            core.encoder.encode_context(&context, &core.redactor, buf);
            encoded = buf.as_slice().into();
        });
        let tenant_id = context
            .get(ContextKey::TenantId)
            .map(|t| core.redactor.redact(t).into());
        let renamed = context
            .fields()
            .filter_map(|(key, _)| renamed_slot(key))
            .fold(0u16, |mask, slot| mask | 1 << slot);
        Self {
            context,
            encoded,
            renamed,
            tenant_id,
            attached: OnceLock::new(),
        }
    }

    /// The context's encoding, with the attached field if there is one.
    #[inline]
    fn encoded(&self) -> &[u8] {
        match self.attached.get() {
            Some(a) => &a.encoded,
            None => &self.encoded,
        }
    }

    /// The `field_<reserved>` keys the context writes, the attached field's included.
    #[inline]
    fn renamed(&self) -> u16 {
        self.attached.get().map_or(self.renamed, |a| a.renamed)
    }

    /// The context, with the attached field if there is one (that copy built once, when
    /// first asked for).
    fn context(&self) -> &LogContext {
        match self.attached.get() {
            Some(a) => a.context.get_or_init(|| {
                let mut context = self.context.clone();
                context.set_field(a.key, a.value.as_value());
                context
            }),
            None => &self.context,
        }
    }
}

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logger")
            .field("level", &self.level())
            .field("sink", &self.core.sink.name())
            .field("context", self.scope.context())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    #[test]
    fn a_field_added_to_a_child_is_encoded_as_a_whole_new_encoding_would_have_it() {
        use crate::config::Format;
        let shapes = [
            (Format::Json, KeyProfile::Lift),
            (Format::Json, KeyProfile::Powertools),
            (Format::Console, KeyProfile::Lift),
        ];
        for (format, keys) in shapes {
            let parent = Logger::builder()
                .sink(crate::sink::NoopSink::new())
                .format(format)
                .keys(keys)
                .build()
                .with_request_id("req-1")
                .with_tenant_id("acme")
                .with_field("first", 1);
            for (key, value) in [
                ("caller", "ledger"),
                ("level", "a reserved key"),
                ("message", "another"),
                ("card", "4111111111111111"),
                ("password", "hunter2"),
                ("4111111111111111", "a card number as a key"),
                ("first", "replaced"),
            ] {
                let appended = parent.with_field(key, value);
                let whole = parent.with_context(|c| c.set_field(key, Value::Str(value)));
                assert_eq!(
                    String::from_utf8_lossy(appended.scope.encoded()),
                    String::from_utf8_lossy(whole.scope.encoded()),
                    "{key}"
                );
                assert_eq!(appended.scope.renamed(), whole.scope.renamed(), "{key}");
                assert_eq!(appended.scope.context(), whole.scope.context(), "{key}");
            }
        }
    }

    #[test]
    fn an_attached_field_is_written_as_a_child_would_write_it_by_every_clone() {
        let (root, sink) = Logger::test();
        let parent = root.with_request_id("req-1").with_field("first", 1);
        let invocation = parent.with_tenant_id("acme");
        let clone = invocation.clone();
        let other_sink = crate::sink::MemorySink::new();
        let shared = invocation.with_sink(Arc::new(other_sink.clone()), LevelFilter::Trace);
        invocation.info("before", &[]);
        let child = invocation.with_field("caller", "ledger");
        assert!(invocation.attach_field("caller", "ledger"));
        assert_eq!(invocation.scope.encoded(), child.scope.encoded());
        assert_eq!(invocation.scope.renamed(), child.scope.renamed());
        assert_eq!(invocation.context(), child.context());
        assert!(invocation.has_field("caller") && !parent.has_field("caller"));
        clone.info("after, through a clone", &[]);
        shared.info("after, through a logger sharing the context", &[]);
        parent.info("the parent", &[]);
        let e = sink.entries();
        assert_eq!(e[0].get("caller"), None);
        assert_eq!(e[1]["caller"], "ledger");
        assert_eq!(e[2].get("caller"), None);
        assert_eq!(other_sink.entries()[0]["caller"], "ledger");
        // Once only, and never over a key the context has.
        assert!(!invocation.attach_field("caller", "other"));
        assert!(!invocation.attach_field("another", 1));
        assert!(!parent.with_field("caller", "x").attach_field("caller", "y"));
        // A child of it carries it, and can replace it.
        let replaced = invocation.with_field("caller", "billing");
        replaced.info("replaced", &[]);
        invocation.with_field("order", 7).info("a child", &[]);
        let e = sink.entries();
        assert_eq!(e[3]["caller"], "billing");
        assert_eq!(
            (&e[4]["caller"], &e[4]["order"]),
            (&"ledger".into(), &7.into())
        );
        assert!(
            e.iter()
                .all(|line| line.to_string().matches("\"caller\"").count() <= 1)
        );
    }

    #[test]
    fn of_two_threads_attaching_one_wins() {
        for _ in 0..50 {
            let (root, _sink) = Logger::test();
            let log = root.with_request_id("req");
            let wins: usize = std::thread::scope(|s| {
                let a = s.spawn(|| usize::from(log.attach_field("caller", "a")));
                let b = s.spawn(|| usize::from(log.attach_field("caller", "b")));
                a.join().unwrap_or(0) + b.join().unwrap_or(0)
            });
            assert_eq!(wins, 1);
        }
    }

    #[test]
    fn children_share_the_level_and_keep_their_own_context() {
        let (root, sink) = Logger::test();
        let a = root.with_tenant_id("a").with_field("k", 1);
        let b = a.with_tenant_id("b").with_field("k", 2);
        a.info("from a", &[]);
        b.info("from b", &[]);
        root.set_level(LevelFilter::Warn);
        b.info("hidden", &[]);
        let e = sink.entries();
        assert_eq!(e.len(), 2);
        assert_eq!((&e[0]["tenant_id"], &e[0]["k"]), (&"a".into(), &1.into()));
        assert_eq!((&e[1]["tenant_id"], &e[1]["k"]), (&"b".into(), &2.into()));
        assert_eq!(sink.captured()[1].tenant_id.as_deref(), Some("b"));
        assert_eq!(a.level(), LevelFilter::Warn);
    }

    #[test]
    fn reentrant_logging_does_not_panic() {
        struct Loud(Logger);
        impl fmt::Display for Loud {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.info("inner", &[]);
                f.write_str("outer value")
            }
        }
        let (log, sink) = Logger::test();
        let loud = Loud(log.clone());
        log.info("outer", &[Field::new("v", Value::display(&loud))]);
        assert_eq!(sink.messages(), ["inner", "outer"]);
        assert_eq!(sink.entries()[1]["v"], "outer value");
    }

    #[test]
    fn stats_count_levels_and_flushes() {
        let (log, sink) = Logger::test();
        log.info("a", &[]);
        log.error("b", &[]);
        log.flush_blocking().unwrap();
        let s = log.stats();
        assert_eq!(s.entries_logged, 2);
        assert_eq!(s.entries_by_level.error, 1);
        assert_eq!(s.flushes, 1);
        assert!(s.healthy);
        assert_eq!(s.sink.delivered, 2);
        log.close_blocking(Duration::from_secs(1)).unwrap();
        log.info("late", &[]);
        assert_eq!(log.stats().dropped.closed, 1);
        assert_eq!(sink.len(), 2);
        let json = serde_json::to_value(log.stats()).unwrap();
        assert_eq!(json["entries_dropped"], 1);
    }
}
