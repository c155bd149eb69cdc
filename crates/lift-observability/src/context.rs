//! The context a logger carries: well-known ids plus sticky fields, added to every entry.
//!
//! [`LogContext`] holds the ids every Lift line may carry (service, request, correlation,
//! tenant, user, trace, span, cold start, function name) in fixed slots, so they always come
//! out in the same order and under Lift's own key names, and user context fields after them
//! in the order they were first added. Setting a key again replaces its value in place.
//! A logger encodes its context once, when it is created, and copies those bytes into every
//! entry (see [`crate::Logger::with_field`]).

use crate::value::{OwnedValue, Value};

/// A well-known context key with its own slot and output name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContextKey {
    /// `service`: the service or function family name.
    Service,
    /// `request_id`: the Lambda request id (or the service's own request id).
    RequestId,
    /// `correlation_id`: an upstream id, such as API Gateway's request id.
    CorrelationId,
    /// `tenant_id`: the tenant the work is done for.
    TenantId,
    /// `user_id`: the user the work is done for.
    UserId,
    /// `trace_id`: the X-Ray trace id alone (`1-5759e988-bd862e3fe1be46a994272793`).
    TraceId,
    /// `span_id`: the current segment or subsegment id.
    SpanId,
    /// `function_name`: the Lambda function name.
    FunctionName,
    /// `function_arn`: the ARN the function was invoked by (written under the `powertools`
    /// key profile only).
    FunctionArn,
    /// `function_memory_size`: the function's memory in MB, written as a number (under the
    /// `powertools` key profile only).
    FunctionMemorySize,
}

impl ContextKey {
    /// Every key, in output order (`cold_start` is written between `span_id` and
    /// `function_name`).
    pub const ALL: [ContextKey; 10] = [
        ContextKey::Service,
        ContextKey::RequestId,
        ContextKey::CorrelationId,
        ContextKey::TenantId,
        ContextKey::UserId,
        ContextKey::TraceId,
        ContextKey::SpanId,
        ContextKey::FunctionName,
        ContextKey::FunctionArn,
        ContextKey::FunctionMemorySize,
    ];

    /// The key written in log lines.
    pub const fn as_str(self) -> &'static str {
        match self {
            ContextKey::Service => "service",
            ContextKey::RequestId => "request_id",
            ContextKey::CorrelationId => "correlation_id",
            ContextKey::TenantId => "tenant_id",
            ContextKey::UserId => "user_id",
            ContextKey::TraceId => "trace_id",
            ContextKey::SpanId => "span_id",
            ContextKey::FunctionName => "function_name",
            ContextKey::FunctionArn => "function_arn",
            ContextKey::FunctionMemorySize => "function_memory_size",
        }
    }

    const fn slot(self) -> usize {
        self as usize
    }
}

/// The context of a logger: well-known ids and sticky fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogContext {
    /// Shared strings: a child logger's copy of its parent's context costs reference counts.
    slots: [Option<std::sync::Arc<str>>; 10],
    cold_start: Option<bool>,
    fields: Vec<(Box<str>, OwnedValue)>,
}

impl LogContext {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of a well-known key, if set.
    pub fn get(&self, key: ContextKey) -> Option<&str> {
        self.slots[key.slot()].as_deref()
    }

    /// Sets a well-known key.
    pub fn set(&mut self, key: ContextKey, value: &str) {
        self.slots[key.slot()] = Some(value.into());
    }

    /// Removes a well-known key.
    pub fn clear(&mut self, key: ContextKey) {
        self.slots[key.slot()] = None;
    }

    /// The cold-start flag, if set.
    pub fn cold_start(&self) -> Option<bool> {
        self.cold_start
    }

    /// Sets the cold-start flag.
    pub fn set_cold_start(&mut self, cold_start: bool) {
        self.cold_start = Some(cold_start);
    }

    /// Adds a sticky field, or replaces the value of one with the same key.
    pub fn set_field(&mut self, key: &str, value: Value<'_>) {
        let value = value.to_owned_value();
        match self.fields.iter_mut().find(|(k, _)| &**k == key) {
            Some((_, v)) => *v = value,
            None => self.fields.push((key.into(), value)),
        }
    }

    /// Keeps only the sticky fields whose key `keep` accepts.
    pub(crate) fn retain_fields(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.fields.retain(|(k, _)| keep(k));
    }

    /// The value of a sticky field, if set.
    pub fn field(&self, key: &str) -> Option<&OwnedValue> {
        self.fields
            .iter()
            .find(|(k, _)| &**k == key)
            .map(|(_, v)| v)
    }

    /// The sticky fields in the order they were added.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &OwnedValue)> {
        self.fields.iter().map(|(k, v)| (&**k, v))
    }

    /// Calls `f(key, value, own_key)` for everything to write, in output order; `own_key`
    /// is true for Lift's well-known keys (which are exempt from the reserved-key rename).
    pub(crate) fn visit(&self, mut f: impl FnMut(&str, Value<'_>, bool)) {
        for key in ContextKey::ALL {
            if key == ContextKey::FunctionName {
                if let Some(cold) = self.cold_start {
                    f("cold_start", Value::Bool(cold), true);
                }
            }
            if let Some(v) = self.get(key) {
                let value = match (key, v.parse::<u64>()) {
                    (ContextKey::FunctionMemorySize, Ok(mb)) => Value::U64(mb),
                    _ => Value::Str(v),
                };
                f(key.as_str(), value, true);
            }
        }
        for (k, v) in &self.fields {
            f(k, v.as_value(), false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visits_in_output_order_and_replaces_in_place() {
        let mut c = LogContext::new();
        c.set_field("b", Value::I64(1));
        c.set(ContextKey::FunctionName, "fn");
        c.set(ContextKey::TenantId, "t1");
        c.set_cold_start(true);
        c.set(ContextKey::Service, "svc");
        c.set_field("a", Value::Str("x"));
        c.set_field("b", Value::I64(2));
        c.set(ContextKey::TenantId, "t2");
        let mut seen = Vec::new();
        c.visit(|k, v, own| seen.push(format!("{k}={v:?}/{own}")));
        assert_eq!(
            seen,
            [
                "service=Str(\"svc\")/true",
                "tenant_id=Str(\"t2\")/true",
                "cold_start=Bool(true)/true",
                "function_name=Str(\"fn\")/true",
                "b=I64(2)/false",
                "a=Str(\"x\")/false",
            ]
        );
        assert_eq!(c.field("b"), Some(&OwnedValue::I64(2)));
        c.clear(ContextKey::TenantId);
        assert_eq!(c.get(ContextKey::TenantId), None);
    }
}
