//! CloudWatch metrics in the Embedded Metric Format (EMF).
//!
//! A [`Metrics`] handle aggregates recordings in memory — counters sum, gauges keep the last
//! value, distributions keep every value — and [`Metrics::flush`] writes them as EMF
//! documents, one JSON line each, to a [`Sink`]: stdout inside Lambda (CloudWatch extracts
//! the metrics from the function's log stream), a CloudWatch sink sending with the
//! `x-amzn-logs-format: json/emf` header elsewhere. Many increments of one metric become one
//! value in one document, not one document each.
//!
//! Every EMF rule is checked before writing ([`rules`]): documents are split at 100 metrics
//! and at 100 values per metric; names, dimensions and the namespace are validated; NaN and
//! infinities are dropped and counted; no user name can take the root `_aws` member. A
//! refused recording never fails the caller — it is counted in [`MetricsStats`].
//!
//! [`Metrics::child`] makes an empty aggregator that shares the namespace, default
//! dimensions, sink and tenant budget — one per invocation. With a tenant dimension
//! configured, each tenant gets its own dimension value up to a budget of distinct tenants
//! per window; the rest are folded into `__other__`, their real id kept as a property.
//!
//! # Examples
//! ```
//! use lift_observability::metrics::{Metrics, Unit};
//!
//! let (metrics, sink) = Metrics::test("Payments");
//! metrics.add_dimension("Operation", "Charge");
//! for _ in 0..3 {
//!     metrics.count("ChargeCaptured", 1.0);
//! }
//! metrics.record("Latency", 12.5, Unit::Milliseconds);
//! metrics.set_property("request_id", "c6af9ac6");
//! metrics.flush();
//!
//! let doc = &sink.entries()[0];
//! assert_eq!(doc["ChargeCaptured"], 3.0);
//! assert_eq!(doc["Operation"], "Charge");
//! assert_eq!(doc["_aws"]["CloudWatchMetrics"][0]["Namespace"], "Payments");
//! ```

mod builder;
pub mod check;
mod document;
mod property;
mod recording;
pub mod rules;
mod series;
mod stats;
mod tenant;
mod unit;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

pub use crate::error::MetricsConfigError;
pub use builder::MetricsBuilder;
pub use recording::MetricBuilder;
pub use rules::RuleViolation;
pub use series::{Kind, MAX_HELD_VALUES, MAX_SERIES};
pub use stats::{FlushReport, MetricsStats};
pub use tenant::OTHER_TENANT;
pub use unit::{Resolution, Unit};

use crate::level::Level;
use crate::sink::{LineMeta, Sink};
use crate::timestamp::Clock;
use crate::value::{OwnedValue, ToValue};
use document::{DocumentInput, write_documents};
use property::redacted_property;
use series::{Refusal, SeriesTable, Spec};
use stats::Counters;
use tenant::TenantBudget;

/// The property that keeps a folded tenant's real id (the tenant dimension, which may be
/// named `tenant_id` itself, then reads `__other__`).
pub const FOLDED_TENANT_PROPERTY: &str = "folded_tenant_id";

/// The property that carries the tenant id.
pub const TENANT_PROPERTY: &str = "tenant_id";

/// The default budget window: one minute, CloudWatch's standard resolution.
pub const DEFAULT_TENANT_WINDOW: Duration = Duration::from_secs(60);

struct Shared {
    enabled: bool,
    namespace: String,
    default_dimensions: Vec<(String, String)>,
    tenant: Option<(String, TenantBudget)>,
    sink: Arc<dyn Sink>,
    clock: Clock,
    counters: Counters,
}

#[derive(Default)]
struct Local {
    series: SeriesTable,
    dimensions: Vec<(Box<str>, Box<str>)>,
    properties: Vec<(Box<str>, OwnedValue)>,
    tenant: Option<Box<str>>,
}

/// An EMF metrics aggregator; cheap to clone (clones share the same values).
#[derive(Clone)]
pub struct Metrics {
    shared: Arc<Shared>,
    local: Arc<Mutex<Local>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("namespace", &self.shared.namespace)
            .field("sink", &self.shared.sink.name())
            .finish_non_exhaustive()
    }
}

impl Metrics {
    /// A builder for `namespace` (validated at `build`).
    pub fn builder(namespace: &str) -> MetricsBuilder {
        MetricsBuilder::new(namespace)
    }

    /// A handle writing to a memory sink, for tests (feature `testing`).
    ///
    /// # Panics
    /// If `namespace` is invalid (a test's own mistake).
    #[cfg(any(test, feature = "testing"))]
    pub fn test(namespace: &str) -> (Self, crate::sink::MemorySink) {
        let sink = crate::sink::MemorySink::new();
        let metrics = Metrics::builder(namespace)
            .sink(Arc::new(sink.clone()))
            .build()
            .expect("a valid test namespace");
        (metrics, sink)
    }

    /// A handle that records and writes nothing (for code that takes metrics when none
    /// are configured).
    pub fn disabled() -> Self {
        Metrics {
            shared: Arc::new(Shared {
                enabled: false,
                namespace: "Disabled".into(),
                default_dimensions: Vec::new(),
                tenant: None,
                sink: Arc::new(crate::sink::NoopSink::new()),
                clock: Clock::system(),
                counters: Counters::default(),
            }),
            local: Arc::new(Mutex::new(Local::default())),
        }
    }

    /// Whether this handle records anything (false for [`Metrics::disabled`]).
    pub fn is_enabled(&self) -> bool {
        self.shared.enabled
    }

    /// An empty aggregator sharing this one's namespace, defaults, sink, tenant budget and
    /// stats — one per invocation.
    pub fn child(&self) -> Metrics {
        if !self.shared.enabled {
            // Records nothing: no state to keep apart, nothing to allocate.
            return self.clone();
        }
        Metrics {
            shared: Arc::clone(&self.shared),
            local: Arc::new(Mutex::new(Local::default())),
        }
    }

    fn local(&self) -> MutexGuard<'_, Local> {
        // A panic while holding the lock leaves plain data behind; carry on with it.
        self.local.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn refuse(&self, reason: RuleViolation) {
        let c = &self.shared.counters;
        c.invalid.fetch_add(1, Ordering::Relaxed);
        *c.last_violation.lock().unwrap_or_else(|e| e.into_inner()) = Some(reason.to_string());
    }

    fn apply(&self, spec: &Spec<'_>, value: f64) {
        if !self.shared.enabled {
            return;
        }
        let c = &self.shared.counters;
        if !value.is_finite() {
            c.non_finite.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let result = self.local().series.record(spec, value);
        match result {
            Ok(()) => {
                c.recorded.fetch_add(1, Ordering::Relaxed);
            }
            Err(Refusal::Invalid(reason)) => self.refuse(reason),
            Err(Refusal::Overflow) => {
                c.overflow.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Settings for one recording: unit, resolution, own dimensions.
    pub fn metric<'a>(&'a self, name: &'a str) -> MetricBuilder<'a> {
        MetricBuilder::new(self, name)
    }

    /// Adds `value` to the counter `name` (unit `Count`).
    pub fn count(&self, name: &str, value: f64) {
        self.metric(name).count(value);
    }

    /// Adds `value` to the counter `name` in `unit`.
    pub fn add(&self, name: &str, value: f64, unit: Unit) {
        self.metric(name).unit(unit).count(value);
    }

    /// Sets the gauge `name`.
    pub fn gauge(&self, name: &str, value: f64, unit: Unit) {
        self.metric(name).unit(unit).gauge(value);
    }

    /// Adds `value` to the distribution `name`.
    pub fn record(&self, name: &str, value: f64, unit: Unit) {
        self.metric(name).unit(unit).record(value);
    }

    /// Adds a dimension to every document this aggregator writes (replacing a value of
    /// the same name). Refused and counted if it breaks a rule.
    pub fn add_dimension(&self, name: &str, value: &str) {
        let check = rules::check_dimension_name(name).and(rules::check_dimension_value(value));
        if let Err(reason) = check {
            self.refuse(reason);
            return;
        }
        let mut local = self.local();
        match local.dimensions.iter_mut().find(|(k, _)| **k == *name) {
            Some(slot) => slot.1 = value.into(),
            None => local.dimensions.push((name.into(), value.into())),
        }
    }

    /// Sets a property: a root member that is searchable in Logs Insights but is not a
    /// dimension (not billed). `_aws` is refused and counted. String values are redacted
    /// like log fields (see the README's redaction rules).
    pub fn set_property(&self, key: &str, value: impl ToValue) {
        if !self.shared.enabled {
            return;
        }
        if let Err(reason) = rules::check_property_key(key) {
            self.shared
                .counters
                .collisions
                .fetch_add(1, Ordering::Relaxed);
            self.refuse(reason);
            return;
        }
        let value = redacted_property(key, value.to_value());
        let mut local = self.local();
        match local.properties.iter_mut().find(|(k, _)| **k == *key) {
            Some(slot) => slot.1 = value,
            None => local.properties.push((key.into(), value)),
        }
    }

    /// Sets the tenant: the tenant dimension's value (within the budget; past it
    /// `__other__`, with the real id in the `folded_tenant_id` property) and the
    /// `tenant_id` property (not written when the tenant dimension is itself named
    /// `tenant_id` — it already carries the id). The id is redacted first, like on a log
    /// line: a tenant id that holds a card number is never a dimension value.
    pub fn set_tenant(&self, tenant: &str) {
        if self.shared.enabled {
            self.local().tenant = Some(crate::redact::Redactor::builtin().redact(tenant).into());
        }
    }

    /// The tenant this aggregate's documents are routed by (as their lines carry it:
    /// redacted), if one was set.
    pub fn tenant(&self) -> Option<String> {
        self.local().tenant.as_deref().map(str::to_owned)
    }

    /// Whether nothing was recorded since the last flush.
    pub fn is_empty(&self) -> bool {
        self.local().series.is_empty()
    }

    /// Writes every pending value as EMF documents to the sink and resets the values
    /// (dimensions, properties and the tenant stay).
    pub fn flush(&self) -> FlushReport {
        let shared = &self.shared;
        if !shared.enabled {
            return FlushReport::default();
        }
        let mut local = self.local();
        if local.series.is_empty() {
            return FlushReport::default();
        }
        let timestamp_ms = shared.clock.now_millis();
        let mut dims: Vec<(&str, &str)> = shared
            .default_dimensions
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        for (k, v) in &local.dimensions {
            match dims.iter_mut().find(|(k2, _)| *k2 == &**k) {
                Some(slot) => slot.1 = v,
                None => dims.push((k, v)),
            }
        }
        // The tenant: a budgeted dimension (if configured) and the `tenant_id` property —
        // unless the dimension itself is named `tenant_id` and carries the id.
        let mut tenant_properties: Vec<(Box<str>, OwnedValue)> = Vec::new();
        if let Some(tenant) = &local.tenant {
            let mut property_taken = false;
            if let Some((name, budget)) = &shared.tenant {
                dims.retain(|(k, _)| k != name);
                let value = budget.dimension_value(tenant, timestamp_ms);
                if value == OTHER_TENANT {
                    tenant_properties.push((
                        FOLDED_TENANT_PROPERTY.into(),
                        OwnedValue::Str(tenant.clone()),
                    ));
                }
                dims.push((name, value));
                property_taken = name == TENANT_PROPERTY;
            }
            if !property_taken {
                tenant_properties.push((TENANT_PROPERTY.into(), OwnedValue::Str(tenant.clone())));
            }
        }
        let properties = if tenant_properties.is_empty() {
            std::borrow::Cow::Borrowed(local.properties.as_slice())
        } else {
            let mut all = local.properties.clone();
            all.retain(|(k, _)| !tenant_properties.iter().any(|(t, _)| t == k));
            all.extend(tenant_properties);
            std::borrow::Cow::Owned(all)
        };
        let input = DocumentInput {
            namespace: &shared.namespace,
            timestamp_ms,
            dimensions: &dims,
            properties: &properties,
        };
        let meta = LineMeta {
            timestamp_ms,
            level: Level::Info,
            tenant_id: local.tenant.as_deref(),
        };
        let mut report = FlushReport::default();
        let counts = write_documents(&input, local.series.pending(), |line| {
            report.documents += 1;
            if shared.sink.accept(line, &meta).is_err() {
                report.refused += 1;
            }
        });
        let c = &shared.counters;
        c.documents.fetch_add(counts.documents, Ordering::Relaxed);
        c.flushes.fetch_add(1, Ordering::Relaxed);
        c.collisions.fetch_add(
            counts.property_collisions + counts.name_collisions,
            Ordering::Relaxed,
        );
        let dropped = counts.too_many_dimensions + counts.name_collisions;
        if dropped > 0 {
            c.invalid.fetch_add(dropped, Ordering::Relaxed);
            // The cause named: a metric that shares its name with a dimension is not a
            // dimension set that grew too large.
            let violation = match &counts.collided_name {
                Some(name) => format!(
                    "metric {name:?} dropped: its name is also a dimension of the document ({})",
                    RuleViolation::Collision
                ),
                None => RuleViolation::TooManyDimensions.to_string(),
            };
            *c.last_violation.lock().unwrap_or_else(|e| e.into_inner()) = Some(violation);
        }
        local.series.reset();
        report
    }

    /// The sink documents go to.
    pub fn sink(&self) -> &Arc<dyn Sink> {
        &self.shared.sink
    }

    /// The namespace.
    pub fn namespace(&self) -> &str {
        &self.shared.namespace
    }

    /// Counts across this handle and every child.
    pub fn stats(&self) -> MetricsStats {
        let c = &self.shared.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        MetricsStats {
            recorded: get(&c.recorded),
            dropped_non_finite: get(&c.non_finite),
            dropped_invalid: get(&c.invalid),
            dropped_overflow: get(&c.overflow),
            collisions: get(&c.collisions),
            tenant_overflow: self.shared.tenant.as_ref().map_or(0, |(_, b)| b.overflow()),
            documents: get(&c.documents),
            flushes: get(&c.flushes),
            last_violation: c
                .last_violation
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        }
    }
}
