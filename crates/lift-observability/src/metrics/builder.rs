//! [`MetricsBuilder`]: a [`Metrics`] handle's namespace, default dimensions, tenant
//! dimension and budget, sink and clock — each checked against EMF's rules when built.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::sink::Sink;
use crate::timestamp::Clock;

use super::rules;
use super::stats::Counters;
use super::tenant::TenantBudget;
use super::{DEFAULT_TENANT_WINDOW, Local, Metrics, MetricsConfigError, Shared};

/// Builds a [`Metrics`] handle.
pub struct MetricsBuilder {
    namespace: String,
    default_dimensions: Vec<(String, String)>,
    tenant_dimension: Option<(String, usize, Duration)>,
    sink: Option<Arc<dyn Sink>>,
    clock: Clock,
}

impl std::fmt::Debug for MetricsBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsBuilder")
            .field("namespace", &self.namespace)
            .field("default_dimensions", &self.default_dimensions)
            .finish_non_exhaustive()
    }
}

impl MetricsBuilder {
    /// A builder for `namespace` with no dimensions, no sink yet and the system clock.
    pub(super) fn new(namespace: &str) -> Self {
        MetricsBuilder {
            namespace: namespace.into(),
            default_dimensions: Vec::new(),
            tenant_dimension: None,
            sink: None,
            clock: Clock::system(),
        }
    }

    /// Adds a dimension every document carries (such as `service`, `function_name`).
    pub fn default_dimension(mut self, name: &str, value: &str) -> Self {
        self.default_dimensions.push((name.into(), value.into()));
        self
    }

    /// Adds a tenant dimension called `name`, admitting up to `budget` distinct tenants
    /// per minute (the rest fold into `__other__`).
    pub fn tenant_dimension(mut self, name: &str, budget: usize) -> Self {
        self.tenant_dimension = Some((name.into(), budget, DEFAULT_TENANT_WINDOW));
        self
    }

    /// Changes the tenant budget's window (default one minute).
    pub fn tenant_window(mut self, window: Duration) -> Self {
        if let Some(t) = &mut self.tenant_dimension {
            t.2 = window;
        }
        self
    }

    /// Where documents go (default: stdout).
    pub fn sink(mut self, sink: Arc<dyn Sink>) -> Self {
        self.sink = Some(sink);
        self
    }

    /// The clock documents are stamped with.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Validates and builds.
    pub fn build(self) -> Result<Metrics, MetricsConfigError> {
        rules::check_namespace(&self.namespace).map_err(|reason| {
            MetricsConfigError::Namespace {
                namespace: self.namespace.clone(),
                reason,
            }
        })?;
        let bad_dimension = |name: &String, reason| MetricsConfigError::Dimension {
            name: name.clone(),
            reason,
        };
        for (k, v) in &self.default_dimensions {
            rules::check_dimension_name(k).map_err(|r| bad_dimension(k, r))?;
            rules::check_dimension_value(v).map_err(|r| bad_dimension(k, r))?;
        }
        let tenant = match self.tenant_dimension {
            Some((name, budget, window)) => {
                rules::check_dimension_name(&name).map_err(|r| bad_dimension(&name, r))?;
                Some((name, TenantBudget::new(budget, window)))
            }
            None => None,
        };
        let mut dims = self.default_dimensions;
        dims.dedup_by(|later, earlier| {
            let same = later.0 == earlier.0;
            if same {
                earlier.1 = std::mem::take(&mut later.1);
            }
            same
        });
        let sink = self
            .sink
            .unwrap_or_else(|| Arc::new(crate::sink::WriterSink::stdout()));
        Ok(Metrics {
            shared: Arc::new(Shared {
                enabled: true,
                namespace: self.namespace,
                default_dimensions: dims,
                tenant,
                sink,
                clock: self.clock,
                counters: Counters::default(),
            }),
            local: Arc::new(Mutex::new(Local::default())),
        })
    }
}
