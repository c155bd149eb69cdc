//! The Embedded Metric Format's rules as named constants, and the checks that apply them.
//!
//! Source: "Specification: Embedded metric format" in the Amazon CloudWatch User Guide
//! (`CloudWatch_Embedded_Metric_Format_Specification.html`) and the CloudWatch
//! `PutMetricData` / `Dimension` API reference for name and value lengths. EMF reports no
//! error for a broken document — the metrics are silently lost — so every rule is checked
//! here, before a document is written.

use std::fmt;

/// At most this many metrics in one `MetricDirective` (EMF spec: "Metrics … MUST NOT contain
/// more than 100 MetricDefinition objects"). Lift splits into more documents.
pub const MAX_METRICS_PER_DOCUMENT: usize = 100;
/// At most this many dimension keys in one dimension set (EMF spec: "DimensionSet … MUST NOT
/// contain more than 30 dimension keys").
pub const MAX_DIMENSIONS_PER_SET: usize = 30;
/// At most this many values in one metric's array (EMF spec: "the array … MUST NOT contain
/// more than 100 values"). Lift splits into more documents.
pub const MAX_VALUES_PER_METRIC: usize = 100;
/// Dimension names: ASCII, 1–250 characters, not starting with `:` (CloudWatch `Dimension`).
pub const MAX_DIMENSION_NAME_LEN: usize = 250;
/// Dimension values: ASCII, 1–1024 characters (CloudWatch `Dimension`).
pub const MAX_DIMENSION_VALUE_LEN: usize = 1024;
/// Metric names: 1–255 characters (CloudWatch `MetricDatum.MetricName`).
pub const MAX_METRIC_NAME_LEN: usize = 255;
/// Namespaces: 1–256 characters of `[a-zA-Z0-9._#:/-]` (EMF spec, `Namespace`).
pub const MAX_NAMESPACE_LEN: usize = 256;
/// The root member EMF reserves for its metadata; no user name may take it.
pub const METADATA_KEY: &str = "_aws";

/// Why a name or value was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuleViolation {
    /// Empty where at least one character is required.
    Empty,
    /// Longer than the limit.
    TooLong,
    /// A character outside the allowed set.
    BadCharacter,
    /// A dimension name starting with `:`.
    LeadingColon,
    /// The reserved `_aws` member.
    Reserved,
    /// More keys than one dimension set may hold.
    TooManyDimensions,
    /// NaN or an infinity (serde would write `null` and break the document).
    NonFinite,
    /// The same metric recorded with two units, resolutions or kinds.
    Conflict,
    /// A metric and a dimension (or property) with the same root member name.
    Collision,
}

impl fmt::Display for RuleViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuleViolation::Empty => "empty",
            RuleViolation::TooLong => "too long",
            RuleViolation::BadCharacter => "character not allowed",
            RuleViolation::LeadingColon => "dimension name starts with ':'",
            RuleViolation::Reserved => "the root member `_aws` is reserved",
            RuleViolation::TooManyDimensions => "more than 30 keys in a dimension set",
            RuleViolation::NonFinite => "value is NaN or infinite",
            RuleViolation::Conflict => "metric recorded with a different unit, resolution or kind",
            RuleViolation::Collision => "name already used by a dimension or metric",
        })
    }
}

fn length(s: &str, max: usize) -> Result<(), RuleViolation> {
    match s.len() {
        0 => Err(RuleViolation::Empty),
        n if n > max => Err(RuleViolation::TooLong),
        _ => Ok(()),
    }
}

/// Checks a namespace.
pub fn check_namespace(ns: &str) -> Result<(), RuleViolation> {
    length(ns, MAX_NAMESPACE_LEN)?;
    let ok = ns
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b".#:/_-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(RuleViolation::BadCharacter)
    }
}

/// Checks a metric name: 1–255 bytes, no control characters, not `_aws`.
pub fn check_metric_name(name: &str) -> Result<(), RuleViolation> {
    length(name, MAX_METRIC_NAME_LEN)?;
    if name == METADATA_KEY {
        return Err(RuleViolation::Reserved);
    }
    if name.chars().any(char::is_control) {
        return Err(RuleViolation::BadCharacter);
    }
    Ok(())
}

/// Checks a dimension name: printable ASCII, 1–250, not starting with `:`, not `_aws`.
pub fn check_dimension_name(name: &str) -> Result<(), RuleViolation> {
    length(name, MAX_DIMENSION_NAME_LEN)?;
    if name == METADATA_KEY {
        return Err(RuleViolation::Reserved);
    }
    if name.starts_with(':') {
        return Err(RuleViolation::LeadingColon);
    }
    printable_ascii(name)
}

/// Checks a dimension value: printable ASCII, 1–1024.
pub fn check_dimension_value(value: &str) -> Result<(), RuleViolation> {
    length(value, MAX_DIMENSION_VALUE_LEN)?;
    printable_ascii(value)
}

fn printable_ascii(s: &str) -> Result<(), RuleViolation> {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Ok(())
    } else {
        Err(RuleViolation::BadCharacter)
    }
}

/// Checks a property key: anything but empty or `_aws`.
pub fn check_property_key(key: &str) -> Result<(), RuleViolation> {
    if key.is_empty() {
        Err(RuleViolation::Empty)
    } else if key == METADATA_KEY {
        Err(RuleViolation::Reserved)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_spec() {
        assert_eq!(check_namespace("Lift/Payments"), Ok(()));
        assert_eq!(
            check_namespace("bad space"),
            Err(RuleViolation::BadCharacter)
        );
        assert_eq!(
            check_namespace(&"a".repeat(257)),
            Err(RuleViolation::TooLong)
        );
        assert_eq!(check_metric_name("_aws"), Err(RuleViolation::Reserved));
        assert_eq!(check_metric_name("a\nb"), Err(RuleViolation::BadCharacter));
        assert_eq!(check_metric_name(""), Err(RuleViolation::Empty));
        assert_eq!(check_dimension_name(":x"), Err(RuleViolation::LeadingColon));
        assert_eq!(
            check_dimension_name("Ünit"),
            Err(RuleViolation::BadCharacter)
        );
        assert_eq!(check_dimension_value(&"v".repeat(1024)), Ok(()));
        assert_eq!(
            check_dimension_value(&"v".repeat(1025)),
            Err(RuleViolation::TooLong)
        );
        assert_eq!(check_property_key("_aws"), Err(RuleViolation::Reserved));
    }
}
