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

mod scope;
mod write;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::blocking::block_on;
use crate::builder::LoggerBuilder;
use crate::config::LoggerConfig;
use crate::context::LogContext;
use crate::encoder::{Encoder, KeyProfile};
use crate::error::{ConfigError, SinkError};
use crate::health::SinkHealth;
use crate::level::{AtomicLevelFilter, Level, LevelFilter};
use crate::sink::{NoopSink, Sink};
use crate::stats::{LoggerCounters, LoggerStats};
use crate::timestamp::Clock;
use crate::value::Field;
use scope::Scope;

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

    /// The key profile of this logger's JSON lines ([`KeyProfile::Lift`] for console
    /// output).
    pub fn key_profile(&self) -> KeyProfile {
        match &self.core.encoder {
            Encoder::Json(e) => e.profile(),
            Encoder::Console(_) => KeyProfile::Lift,
        }
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
