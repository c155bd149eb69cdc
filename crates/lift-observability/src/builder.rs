//! [`LoggerBuilder`]: assemble a logger from a sink, an encoder, a clock and a root context.
//!
//! Every setting has a default (info level, JSON, stdout, system clock), so
//! `Logger::builder().build()` is a working logger. `build` freezes the settings.

use std::sync::Arc;

use crate::config::{ColorChoice, Format};
use crate::context::{ContextKey, LogContext};
use crate::encoder::{ConsoleEncoder, Encoder, JsonEncoder, KeyProfile};
use crate::level::{AtomicLevelFilter, LevelFilter};
use crate::logger::{Core, Logger};
use crate::sink::{Sink, WriterSink};
use crate::stats::LoggerCounters;
use crate::timestamp::Clock;
use crate::value::ToValue;

/// The default entry cap: CloudWatch Logs' event limit (1,048,576 bytes less the 26 it
/// counts per event), so that every line fits one event.
pub const DEFAULT_MAX_ENTRY_BYTES: usize = 1_048_550;
/// The smallest entry cap accepted: room for a truncated entry's head and marker.
pub const MIN_MAX_ENTRY_BYTES: usize = 1024;

/// Builds a [`Logger`].
///
/// # Examples
/// ```
/// use lift_observability::{Clock, Format, LevelFilter, Logger, MemorySink};
///
/// let sink = MemorySink::new();
/// let log = Logger::builder()
///     .level(LevelFilter::Debug)
///     .format(Format::Json)
///     .service("payments")
///     .clock(Clock::fixed(0))
///     .sink(sink.clone())
///     .build();
/// log.debug("ready", &[]);
/// assert_eq!(
///     sink.lines()[0],
///     r#"{"timestamp":"1970-01-01T00:00:00.000Z","level":"DEBUG","message":"ready","service":"payments"}"#
/// );
/// ```
#[must_use]
pub struct LoggerBuilder {
    level: LevelFilter,
    format: Format,
    keys: KeyProfile,
    color: ColorChoice,
    sink: Option<Arc<dyn Sink>>,
    clock: Clock,
    context: LogContext,
    redactor: crate::redact::Redactor,
    max_entry_bytes: usize,
}

impl Default for LoggerBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl LoggerBuilder {
    /// Defaults: info, JSON, stdout, system clock, empty context, redaction on.
    pub fn new() -> Self {
        Self {
            level: LevelFilter::Info,
            format: Format::Json,
            keys: KeyProfile::Lift,
            color: ColorChoice::Auto,
            sink: None,
            clock: Clock::system(),
            context: LogContext::new(),
            redactor: crate::redact::Redactor::new(),
            max_entry_bytes: DEFAULT_MAX_ENTRY_BYTES,
        }
    }

    /// The redaction rules (default: on, with the built-in rules; see [`Redactor`](crate::Redactor)).
    pub fn redactor(mut self, redactor: crate::redact::Redactor) -> Self {
        self.redactor = redactor;
        self
    }

    /// The minimum level written.
    pub fn level(mut self, level: LevelFilter) -> Self {
        self.level = level;
        self
    }

    /// The longest line the logger writes (default [`DEFAULT_MAX_ENTRY_BYTES`], CloudWatch's
    /// event limit). A longer entry is truncated — a string longer than the cap is cut
    /// before it is encoded, then the line is cut to the cap keeping it one valid JSON
    /// object marked `"truncated":true` — and counted (`entries_truncated`). Values below
    /// [`MIN_MAX_ENTRY_BYTES`] are raised to it.
    pub fn max_entry_bytes(mut self, bytes: usize) -> Self {
        self.max_entry_bytes = bytes.max(MIN_MAX_ENTRY_BYTES);
        self
    }

    /// The output format.
    pub fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// The JSON lines' key names: Lift's own (the default) or Powertools' (see
    /// [`KeyProfile`]).
    pub fn keys(mut self, keys: KeyProfile) -> Self {
        self.keys = keys;
        self
    }

    /// Console colours: auto (terminal and no `NO_COLOR`), always or never.
    pub fn color(mut self, color: ColorChoice) -> Self {
        self.color = color;
        self
    }

    /// Where lines go.
    pub fn sink(mut self, sink: impl Sink) -> Self {
        self.sink = Some(Arc::new(sink));
        self
    }

    /// Where lines go, for a sink the caller also keeps.
    pub fn shared_sink(mut self, sink: Arc<dyn Sink>) -> Self {
        self.sink = Some(sink);
        self
    }

    /// Where timestamps come from.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The `service` every entry carries.
    pub fn service(mut self, service: &str) -> Self {
        self.context.set(ContextKey::Service, service);
        self
    }

    /// A default `tenant_id` (a child's `with_tenant_id` replaces it).
    pub fn tenant_id(mut self, tenant_id: &str) -> Self {
        self.context.set(ContextKey::TenantId, tenant_id);
        self
    }

    /// A default `user_id`.
    pub fn user_id(mut self, user_id: &str) -> Self {
        self.context.set(ContextKey::UserId, user_id);
        self
    }

    /// A sticky field on the root logger.
    pub fn field(mut self, key: &str, value: impl ToValue) -> Self {
        self.context.set_field(key, value.to_value());
        self
    }

    /// Freezes the settings into a logger.
    pub fn build(self) -> Logger {
        let sink = self
            .sink
            .unwrap_or_else(|| Arc::new(WriterSink::stdout()) as Arc<dyn Sink>);
        let encoder = match self.format {
            Format::Json => Encoder::Json(JsonEncoder::with_profile(self.keys)),
            Format::Console => {
                Encoder::Console(ConsoleEncoder::new(self.color.resolve(sink.is_terminal())))
            }
        };
        let core = Core {
            filter: AtomicLevelFilter::new(self.level),
            encoder,
            sink,
            clock: self.clock,
            counters: Arc::new(LoggerCounters::default()),
            redactor: Arc::new(self.redactor),
            max_entry_bytes: self.max_entry_bytes,
        };
        Logger::from_parts(core, self.context)
    }
}
