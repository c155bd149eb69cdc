//! Writing EMF documents: grouping series by their dimensions, splitting by the spec's
//! limits, and writing each document as one JSON line.
//!
//! A group is every pending series with the same own dimensions; its dimension set is the
//! document's dimensions (defaults, document-level ones, the tenant) followed by the
//! series' own, a later key overriding an earlier one. A group of more than
//! [`MAX_METRICS_PER_DOCUMENT`] metrics is split into chunks; within a chunk, a metric with
//! more than [`MAX_VALUES_PER_METRIC`] values is spread over as many documents as needed,
//! each carrying the next 100. Properties go into every document, except a property whose
//! key a dimension or metric of that document already uses (the metric or dimension wins;
//! the property is counted as a collision).

use super::rules::{MAX_DIMENSIONS_PER_SET, MAX_METRICS_PER_DOCUMENT, MAX_VALUES_PER_METRIC};
use super::series::Series;
use crate::encoder::json::write_value;
use crate::escape::json_str;
use crate::numbers::write_finite_f64;
use crate::value::OwnedValue;

/// What a document set is built from.
pub(crate) struct DocumentInput<'a> {
    pub(crate) namespace: &'a str,
    pub(crate) timestamp_ms: i64,
    /// Defaults, document-level and tenant dimensions, in order; later keys override.
    pub(crate) dimensions: &'a [(&'a str, &'a str)],
    pub(crate) properties: &'a [(Box<str>, OwnedValue)],
}

/// What writing produced and refused.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct WriteCounts {
    pub(crate) documents: u64,
    /// Series dropped because their dimension set grew past 30 keys.
    pub(crate) too_many_dimensions: u64,
    /// Series dropped because the metric's name is also a dimension key of its document.
    pub(crate) name_collisions: u64,
    /// The last metric dropped for that.
    pub(crate) collided_name: Option<String>,
    /// Properties left out of a document because a dimension or metric took the key.
    pub(crate) property_collisions: u64,
}

/// Series sharing one set of own dimensions.
type Group<'s> = (Vec<(&'s str, &'s str)>, Vec<&'s Series>);

/// Writes every document for `series` through `emit` (one line each, no newline).
pub(crate) fn write_documents<'s>(
    input: &DocumentInput<'_>,
    series: impl Iterator<Item = &'s Series>,
    mut emit: impl FnMut(&[u8]),
) -> WriteCounts {
    let mut counts = WriteCounts::default();
    let mut groups: Vec<Group<'_>> = Vec::new();
    for s in series {
        let own: Vec<(&str, &str)> = s.dimensions.iter().map(|(k, v)| (&**k, &**v)).collect();
        match groups.iter_mut().find(|(d, _)| *d == own) {
            Some((_, members)) => members.push(s),
            None => groups.push((own, vec![s])),
        }
    }
    let mut line = Vec::with_capacity(1024);
    for (own, members) in groups {
        let dims = merge_dimensions(input.dimensions, &own);
        if dims.len() > MAX_DIMENSIONS_PER_SET {
            counts.too_many_dimensions += members.len() as u64;
            continue;
        }
        let members: Vec<&Series> = members
            .into_iter()
            .filter(|s| {
                let clash = dims.iter().any(|(k, _)| *k == &*s.name);
                if clash {
                    counts.name_collisions += 1;
                    counts.collided_name = Some(s.name.to_string());
                }
                !clash
            })
            .collect();
        for chunk in members.chunks(MAX_METRICS_PER_DOCUMENT) {
            let values: Vec<Vec<f64>> = chunk.iter().map(|s| s.emitted_values()).collect();
            let rounds = values
                .iter()
                .map(|v| v.len().div_ceil(MAX_VALUES_PER_METRIC))
                .max()
                .unwrap_or(0);
            for round in 0..rounds {
                let parts: Vec<(&Series, &[f64])> = chunk
                    .iter()
                    .zip(&values)
                    .filter_map(|(s, v)| {
                        let start = round * MAX_VALUES_PER_METRIC;
                        (start < v.len())
                            .then(|| (*s, &v[start..v.len().min(start + MAX_VALUES_PER_METRIC)]))
                    })
                    .collect();
                line.clear();
                counts.property_collisions += write_one(&mut line, input, &dims, &parts);
                emit(&line);
                counts.documents += 1;
            }
        }
    }
    counts
}

fn merge_dimensions<'a>(
    base: &[(&'a str, &'a str)],
    own: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut dims: Vec<(&str, &str)> = Vec::with_capacity(base.len() + own.len());
    for &(k, v) in base.iter().chain(own) {
        match dims.iter_mut().find(|(k2, _)| *k2 == k) {
            Some(slot) => slot.1 = v,
            None => dims.push((k, v)),
        }
    }
    dims
}

/// Writes one document; returns how many properties were left out for a collision.
fn write_one(
    out: &mut Vec<u8>,
    input: &DocumentInput<'_>,
    dims: &[(&str, &str)],
    parts: &[(&Series, &[f64])],
) -> u64 {
    out.extend_from_slice(b"{\"_aws\":{\"Timestamp\":");
    out.extend_from_slice(itoa::Buffer::new().format(input.timestamp_ms).as_bytes());
    out.extend_from_slice(b",\"CloudWatchMetrics\":[{\"Namespace\":");
    quoted(out, input.namespace);
    out.extend_from_slice(b",\"Dimensions\":[[");
    for (i, (k, _)) in dims.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        quoted(out, k);
    }
    out.extend_from_slice(b"]],\"Metrics\":[");
    for (i, (s, _)) in parts.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"Name\":");
        quoted(out, &s.name);
        out.extend_from_slice(b",\"Unit\":");
        quoted(out, s.unit.as_str());
        if s.resolution.seconds() != 60 {
            out.extend_from_slice(b",\"StorageResolution\":1");
        }
        out.push(b'}');
    }
    out.extend_from_slice(b"]}]}");
    for (k, v) in dims {
        out.push(b',');
        quoted(out, k);
        out.push(b':');
        quoted(out, v);
    }
    for (s, values) in parts {
        out.push(b',');
        quoted(out, &s.name);
        out.push(b':');
        match (s.kind, values) {
            (super::series::Kind::Distribution, _) | (_, [_, _, ..]) => {
                out.push(b'[');
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    number(out, *v);
                }
                out.push(b']');
            }
            (_, [v]) => number(out, *v),
            (_, []) => out.extend_from_slice(b"[]"),
        }
    }
    let mut collisions = 0;
    for (k, v) in input.properties {
        let taken = dims.iter().any(|(d, _)| *d == &**k) || parts.iter().any(|(s, _)| s.name == *k);
        if taken {
            collisions += 1;
            continue;
        }
        out.push(b',');
        quoted(out, k);
        out.push(b':');
        // Properties were redacted when they were set.
        write_value(out, "", v.as_value(), None);
    }
    out.push(b'}');
    collisions
}

fn quoted(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    json_str(out, s);
    out.push(b'"');
}

fn number(out: &mut Vec<u8>, v: f64) {
    // Values are checked finite when recorded; 0 keeps the document valid regardless.
    if write_finite_f64(out, v).is_none() {
        out.push(b'0');
    }
}
