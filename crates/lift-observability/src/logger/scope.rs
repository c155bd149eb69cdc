//! A logger's scope: its context, encoded once when the child logger is made, the tenant
//! id as lines carry it (redacted), and at most one field attached in place — with the
//! `with_*` methods that make children.

use std::sync::{Arc, OnceLock};

use crate::context::{ContextKey, LogContext};
use crate::encoder::{RESERVED_KEY_PREFIX, RESERVED_KEYS, is_reserved_key};
use crate::level::{AtomicLevelFilter, LevelFilter};
use crate::sink::Sink;
use crate::value::{Field, OwnedValue, ToValue, Value};

use super::write::with_line_buffer;
use super::{Core, Logger};

pub(super) struct Scope {
    context: LogContext,
    encoded: Box<[u8]>,
    /// The `field_<reserved>` keys the context writes, one bit per [`RESERVED_KEYS`] slot
    /// (almost always none).
    renamed: u16,
    /// The tenant id as lines carry it (redacted): what sinks route by. Shared, so a child
    /// logger's copy costs a reference count.
    pub(super) tenant_id: Option<Arc<str>>,
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

/// The slot in [`RESERVED_KEYS`] of the key a user field is written under when that is
/// `field_<reserved>`: a reserved key (renamed so), or one given as `field_<reserved>`.
pub(super) fn renamed_slot(key: &str) -> Option<u32> {
    let reserved = key.strip_prefix(RESERVED_KEY_PREFIX).unwrap_or(key);
    if key.len() == reserved.len() && !is_reserved_key(key) {
        return None;
    }
    RESERVED_KEYS
        .iter()
        .position(|&k| k == reserved)
        .map(|i| i as u32)
}

impl Logger {
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
}

impl Scope {
    pub(super) fn new(core: &Core, context: LogContext) -> Self {
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
    pub(super) fn encoded(&self) -> &[u8] {
        match self.attached.get() {
            Some(a) => &a.encoded,
            None => &self.encoded,
        }
    }

    /// The `field_<reserved>` keys the context writes, the attached field's included.
    #[inline]
    pub(super) fn renamed(&self) -> u16 {
        self.attached.get().map_or(self.renamed, |a| a.renamed)
    }

    /// The context, with the attached field if there is one (that copy built once, when
    /// first asked for).
    pub(super) fn context(&self) -> &LogContext {
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
