//! [`MetricBuilder`]: one recording's unit, resolution and own dimensions, from
//! [`Metrics::metric`], recorded as a count, a gauge or a distribution's value.

use super::Metrics;
use super::series::{Kind, Spec};
use super::unit::{Resolution, Unit};

/// One recording's settings; from [`Metrics::metric`].
#[derive(Debug)]
#[must_use = "a metric builder records nothing until count/gauge/record is called"]
pub struct MetricBuilder<'a> {
    metrics: &'a Metrics,
    name: &'a str,
    dimensions: &'a [(&'a str, &'a str)],
    unit: Unit,
    resolution: Resolution,
}

impl<'a> MetricBuilder<'a> {
    /// The settings of a recording of `name` into `metrics`: no unit, standard resolution,
    /// no dimensions of its own.
    pub(super) fn new(metrics: &'a Metrics, name: &'a str) -> Self {
        MetricBuilder {
            metrics,
            name,
            dimensions: &[],
            unit: Unit::None,
            resolution: Resolution::Standard,
        }
    }

    /// The unit (default `None`; `Count` for [`count`](Self::count)).
    pub fn unit(mut self, unit: Unit) -> Self {
        self.unit = unit;
        self
    }

    /// One-second storage resolution.
    pub fn high_resolution(mut self) -> Self {
        self.resolution = Resolution::High;
        self
    }

    /// This metric's own dimensions, added to the document's.
    pub fn dimensions(mut self, dimensions: &'a [(&'a str, &'a str)]) -> Self {
        self.dimensions = dimensions;
        self
    }

    fn spec(&self, kind: Kind, unit: Unit) -> Spec<'a> {
        Spec {
            name: self.name,
            dimensions: self.dimensions,
            unit,
            resolution: self.resolution,
            kind,
        }
    }

    /// Adds to a counter (unit `Count` unless set).
    pub fn count(self, value: f64) {
        let unit = if self.unit == Unit::None {
            Unit::Count
        } else {
            self.unit
        };
        self.metrics.apply(&self.spec(Kind::Counter, unit), value);
    }

    /// Sets a gauge.
    pub fn gauge(self, value: f64) {
        self.metrics
            .apply(&self.spec(Kind::Gauge, self.unit), value);
    }

    /// Adds a value to a distribution.
    pub fn record(self, value: f64) {
        self.metrics
            .apply(&self.spec(Kind::Distribution, self.unit), value);
    }
}
