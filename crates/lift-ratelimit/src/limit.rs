//! Limits: `count` requests per `period`, one or several on one key.

use std::str::FromStr;
use std::time::Duration;

use crate::error::RateLimitError;

/// At most `count` requests per `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limit {
    /// Requests admitted per period (at least 1).
    pub count: u32,
    /// The period (at least one millisecond).
    pub period: Duration,
}

impl Limit {
    /// `count` per `period`; `None` when either is zero.
    pub fn new(count: u32, period: Duration) -> Option<Self> {
        (count > 0 && period >= Duration::from_millis(1)).then_some(Self { count, period })
    }

    /// The GCRA emission interval: the period shared out evenly among its requests (the
    /// DynamoDB store's; the in-memory store works from [`Rate`]s).
    #[cfg_attr(not(feature = "dynamodb"), allow(dead_code))]
    pub(crate) fn interval(&self) -> Duration {
        self.period / self.count
    }
}

impl std::fmt::Display for Limit {
    /// `100/60s`, `10/500ms`: the period in whole seconds when it is one, else milliseconds.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.period.subsec_nanos() == 0 {
            write!(f, "{}/{}s", self.count, self.period.as_secs())
        } else {
            write!(f, "{}/{}ms", self.count, self.period.as_millis())
        }
    }
}

/// Several limits decided together (a request must pass all of them).
#[derive(Debug, Clone)]
pub struct Limits {
    limits: Vec<Limit>,
    /// The same limits in nanoseconds, worked out once.
    rates: Vec<Rate>,
}

/// Equal when the limits are (the rates follow from them).
impl PartialEq for Limits {
    fn eq(&self, other: &Self) -> bool {
        self.limits == other.limits
    }
}

impl Eq for Limits {}

impl std::hash::Hash for Limits {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.limits.hash(state);
    }
}

/// A limit in nanoseconds: its period and the GCRA emission interval (the period shared
/// out evenly among its requests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Rate {
    pub(crate) period: u64,
    pub(crate) interval: u64,
}

impl Rate {
    fn of(limit: &Limit) -> Self {
        let period = crate::algorithm::nanos(limit.period).max(1);
        Rate {
            period,
            interval: (period / u64::from(limit.count.max(1))).max(1),
        }
    }
}

impl Limits {
    /// These limits; `None` when there are none.
    pub fn new(limits: Vec<Limit>) -> Option<Self> {
        (!limits.is_empty()).then(|| Self::of(limits))
    }

    /// The limits, in the order given.
    pub fn as_slice(&self) -> &[Limit] {
        &self.limits
    }

    fn of(limits: Vec<Limit>) -> Self {
        let rates = limits.iter().map(Rate::of).collect();
        Self { limits, rates }
    }

    /// The limits in nanoseconds, in the same order.
    pub(crate) fn rates(&self) -> &[Rate] {
        &self.rates
    }
}

impl std::fmt::Display for Limits {
    /// `100/60s,1000/3600s` (parses back to the same limits).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, limit) in self.limits.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{limit}")?;
        }
        Ok(())
    }
}

impl FromStr for Limits {
    type Err = RateLimitError;

    /// `100/min`, `100/min,1000/h`, `10/s`, `5/30s`, `50/2h` (units `ms`, `s`, `sec`, `m`,
    /// `min`, `h`, `hour`, `d`, `day`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = |reason| RateLimitError::InvalidLimit {
            text: text.to_owned(),
            reason,
        };
        let mut limits = Vec::new();
        for part in text.split(',').map(str::trim) {
            let (count, per) = part.split_once('/').ok_or(invalid("expected N/unit"))?;
            let count: u32 = count
                .trim()
                .parse()
                .map_err(|_| invalid("N is not a number"))?;
            let per = per.trim();
            let digits = per.bytes().take_while(u8::is_ascii_digit).count();
            let times: u32 = if digits == 0 {
                1
            } else {
                per[..digits].parse().map_err(|_| invalid("bad period"))?
            };
            let unit = match &per[digits..] {
                "ms" => Duration::from_millis(1),
                "s" | "sec" | "second" => Duration::from_secs(1),
                "m" | "min" | "minute" => Duration::from_secs(60),
                "h" | "hour" => Duration::from_secs(3600),
                "d" | "day" => Duration::from_secs(86_400),
                _ => return Err(invalid("unknown unit (ms, s, min, h, d)")),
            };
            let limit = Limit::new(count, unit * times)
                .ok_or(invalid("count and period must be above 0"))?;
            limits.push(limit);
        }
        Ok(Self::of(limits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_several_limits_and_refuses_bad_ones() {
        let l: Limits = "100/min, 1000/h,5/30s".parse().unwrap();
        assert_eq!(
            l.as_slice(),
            [
                Limit::new(100, Duration::from_secs(60)).unwrap(),
                Limit::new(1000, Duration::from_secs(3600)).unwrap(),
                Limit::new(5, Duration::from_secs(30)).unwrap(),
            ]
        );
        assert_eq!(l.to_string(), "100/60s,1000/3600s,5/30s");
        assert_eq!(l.to_string().parse::<Limits>().unwrap(), l);
        let fine: Limits = "10/500ms".parse().unwrap();
        assert_eq!(fine.to_string(), "10/500ms");
        for bad in [
            "",
            "100",
            "x/min",
            "100/fortnight",
            "0/min",
            "10/0s",
            "10/min,",
        ] {
            assert!(bad.parse::<Limits>().is_err(), "{bad:?}");
        }
    }
}
