//! One aggregator's series: each distinct (metric name, dimensions) pair and its value
//! since the last flush.
//!
//! Many increments of one metric become one value: counters sum, gauges keep the last
//! value, distributions keep their values, a run of equal values as one value with a count. Series are found through a
//! hash of the name and dimensions (FNV-1a, checked against the stored key, with a linear
//! fallback on collision), so a recording after the first use of a name allocates nothing.
//! Series outlive a flush (their values are reset), which keeps that true for long-lived
//! aggregators too.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::rules::{self, MAX_DIMENSIONS_PER_SET, RuleViolation};
use super::unit::{Resolution, Unit};

/// At most this many series per aggregator (a dimension fed with request ids would
/// otherwise grow without bound); further series are refused and counted.
pub const MAX_SERIES: usize = 10_000;
/// At most this many distinct values held per distribution between flushes; further
/// values are refused and counted.
pub const MAX_HELD_VALUES: usize = 10_000;

/// How a metric aggregates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Values add up; one value per flush.
    Counter,
    /// The last value wins.
    Gauge,
    /// Every value is kept (with a count per distinct value).
    Distribution,
}

/// The key and settings of a recording.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spec<'a> {
    pub(crate) name: &'a str,
    pub(crate) dimensions: &'a [(&'a str, &'a str)],
    pub(crate) unit: Unit,
    pub(crate) resolution: Resolution,
    pub(crate) kind: Kind,
}

#[derive(Debug)]
pub(crate) struct Series {
    pub(crate) name: Box<str>,
    pub(crate) dimensions: Box<[(Box<str>, Box<str>)]>,
    pub(crate) unit: Unit,
    pub(crate) resolution: Resolution,
    pub(crate) kind: Kind,
    /// Counter sum or gauge value.
    pub(crate) scalar: f64,
    /// Distribution values with their counts, in first-seen order.
    pub(crate) values: Vec<(f64, u32)>,
    /// Recordings since the last flush.
    pub(crate) samples: u64,
}

impl Series {
    fn matches(&self, name: &str, dimensions: &[(&str, &str)]) -> bool {
        *self.name == *name
            && self.dimensions.len() == dimensions.len()
            && self
                .dimensions
                .iter()
                .zip(dimensions)
                .all(|((k, v), (k2, v2))| **k == **k2 && **v == **v2)
    }

    /// The values to write, counts expanded (a distribution of 3×5.0 is `[5,5,5]`).
    pub(crate) fn emitted_values(&self) -> Vec<f64> {
        match self.kind {
            Kind::Counter | Kind::Gauge => vec![self.scalar],
            Kind::Distribution => self
                .values
                .iter()
                .flat_map(|&(v, n)| std::iter::repeat_n(v, n as usize))
                .collect(),
        }
    }

    fn reset(&mut self) {
        self.scalar = 0.0;
        self.values.clear();
        self.samples = 0;
    }
}

/// Why a recording was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    Invalid(RuleViolation),
    Overflow,
}

#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // The key is already a hash.
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

fn key_hash(name: &str, dimensions: &[(&str, &str)]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(PRIME);
        }
        h = (h ^ 0xff).wrapping_mul(PRIME);
    };
    eat(name.as_bytes());
    for (k, v) in dimensions {
        eat(k.as_bytes());
        eat(v.as_bytes());
    }
    h
}

/// All series of one aggregator.
#[derive(Default)]
pub(crate) struct SeriesTable {
    series: Vec<Series>,
    index: HashMap<u64, usize, BuildHasherDefault<Fnv>>,
}

impl SeriesTable {
    /// Adds `value` to the series `spec` names, creating it on first use.
    pub(crate) fn record(&mut self, spec: &Spec<'_>, value: f64) -> Result<(), Refusal> {
        let hash = key_hash(spec.name, spec.dimensions);
        let found = match self.index.get(&hash) {
            None => None,
            Some(&i) if self.series[i].matches(spec.name, spec.dimensions) => Some(i),
            Some(_) => self
                .series
                .iter()
                .position(|s| s.matches(spec.name, spec.dimensions)),
        };
        let i = match found {
            Some(i) => i,
            None => self.create(spec, hash)?,
        };
        let s = &mut self.series[i];
        if s.unit != spec.unit || s.resolution != spec.resolution || s.kind != spec.kind {
            return Err(Refusal::Invalid(RuleViolation::Conflict));
        }
        match s.kind {
            Kind::Counter => s.scalar += value,
            Kind::Gauge => s.scalar = value,
            Kind::Distribution => {
                let held = s.values.len();
                match s.values.last_mut() {
                    // Repeats of the latest value share its count.
                    Some((v, n)) if *v == value && *n < u32::MAX => *n += 1,
                    _ if held >= MAX_HELD_VALUES => return Err(Refusal::Overflow),
                    _ => s.values.push((value, 1)),
                }
            }
        }
        s.samples += 1;
        Ok(())
    }

    fn create(&mut self, spec: &Spec<'_>, hash: u64) -> Result<usize, Refusal> {
        rules::check_metric_name(spec.name).map_err(Refusal::Invalid)?;
        if spec.dimensions.len() > MAX_DIMENSIONS_PER_SET {
            return Err(Refusal::Invalid(RuleViolation::TooManyDimensions));
        }
        for (k, v) in spec.dimensions {
            rules::check_dimension_name(k).map_err(Refusal::Invalid)?;
            rules::check_dimension_value(v).map_err(Refusal::Invalid)?;
            if *k == spec.name {
                return Err(Refusal::Invalid(RuleViolation::Collision));
            }
        }
        if self.series.len() >= MAX_SERIES {
            return Err(Refusal::Overflow);
        }
        let i = self.series.len();
        self.series.push(Series {
            name: spec.name.into(),
            dimensions: spec
                .dimensions
                .iter()
                .map(|(k, v)| (Box::from(*k), Box::from(*v)))
                .collect(),
            unit: spec.unit,
            resolution: spec.resolution,
            kind: spec.kind,
            scalar: 0.0,
            values: Vec::new(),
            samples: 0,
        });
        self.index.entry(hash).or_insert(i);
        Ok(i)
    }

    /// The series with values since the last flush.
    pub(crate) fn pending(&self) -> impl Iterator<Item = &Series> {
        self.series.iter().filter(|s| s.samples > 0)
    }

    /// Whether anything was recorded since the last flush.
    pub(crate) fn is_empty(&self) -> bool {
        self.series.iter().all(|s| s.samples == 0)
    }

    /// Resets every value, keeping the series (and their allocations).
    pub(crate) fn reset(&mut self) {
        self.series.iter_mut().for_each(Series::reset);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec<'a>(name: &'a str, kind: Kind) -> Spec<'a> {
        Spec {
            name,
            dimensions: &[],
            unit: Unit::Count,
            resolution: Resolution::Standard,
            kind,
        }
    }

    #[test]
    fn increments_aggregate_into_one_value() {
        let mut t = SeriesTable::default();
        for _ in 0..1000 {
            t.record(&spec("Charges", Kind::Counter), 1.0).unwrap();
        }
        t.record(&spec("Depth", Kind::Gauge), 3.0).unwrap();
        t.record(&spec("Depth", Kind::Gauge), 7.0).unwrap();
        for v in [5.0, 5.0, 6.0] {
            t.record(&spec("Latency", Kind::Distribution), v).unwrap();
        }
        let pending: Vec<_> = t.pending().collect();
        assert_eq!(pending.len(), 3);
        assert_eq!(pending[0].emitted_values(), [1000.0]);
        assert_eq!(pending[1].emitted_values(), [7.0]);
        assert_eq!(pending[2].values, [(5.0, 2), (6.0, 1)]);
        assert_eq!(pending[2].emitted_values(), [5.0, 5.0, 6.0]);
        t.reset();
        assert!(t.is_empty());
    }

    #[test]
    fn a_second_kind_or_unit_for_one_name_is_a_conflict() {
        let mut t = SeriesTable::default();
        t.record(&spec("X", Kind::Counter), 1.0).unwrap();
        assert_eq!(
            t.record(&spec("X", Kind::Gauge), 1.0),
            Err(Refusal::Invalid(RuleViolation::Conflict))
        );
    }

    #[test]
    fn dimensions_make_distinct_series() {
        let mut t = SeriesTable::default();
        let a = Spec {
            dimensions: &[("Operation", "Charge")],
            ..spec("Calls", Kind::Counter)
        };
        let b = Spec {
            dimensions: &[("Operation", "Refund")],
            ..spec("Calls", Kind::Counter)
        };
        t.record(&a, 1.0).unwrap();
        t.record(&b, 2.0).unwrap();
        t.record(&a, 1.0).unwrap();
        let values: Vec<_> = t.pending().map(|s| s.scalar).collect();
        assert_eq!(values, [2.0, 2.0]);
        let bad = Spec {
            dimensions: &[("Calls", "x")],
            ..spec("Calls", Kind::Counter)
        };
        assert_eq!(
            t.record(&bad, 1.0),
            Err(Refusal::Invalid(RuleViolation::Collision))
        );
    }
}
