//! Severity levels and the run-time level filter.
//!
//! [`Level`] is the severity of one entry; [`LevelFilter`] is the minimum severity a logger
//! writes (or `Off`). The filter lives in an [`AtomicLevelFilter`] shared by a logger and all
//! of its children, so changing it at run time takes effect everywhere at once, and a disabled
//! entry costs exactly one relaxed atomic load — no formatting, no allocation.
//!
//! Parsing accepts the spellings of Lift, Lambda (`AWS_LAMBDA_LOG_LEVEL`: `TRACE`…`FATAL`)
//! and common aliases (`warning`, `critical`), case-insensitively.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::error::ParseLevelError;

/// The severity of one log entry, from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Level {
    /// Very detailed diagnostics, normally off.
    Trace = 0,
    /// Diagnostics useful while developing or investigating.
    Debug = 1,
    /// Normal operation: requests served, state changes.
    Info = 2,
    /// Something unexpected that the program handled.
    Warn = 3,
    /// A failure that needs attention.
    Error = 4,
}

impl Level {
    /// All levels, least severe first.
    pub const ALL: [Level; 5] = [
        Level::Trace,
        Level::Debug,
        Level::Info,
        Level::Warn,
        Level::Error,
    ];

    /// The upper-case name written in log lines (`"INFO"`), as Lambda and Powertools do.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }

    /// The name padded to five characters, for aligned console output.
    pub(crate) const fn padded(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO ",
            Level::Warn => "WARN ",
            Level::Error => "ERROR",
        }
    }

    /// A zero-based index, least severe first; handy for per-level counters.
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = ParseLevelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match LevelFilter::from_str(s)? {
            LevelFilter::Off => Err(ParseLevelError::new(s)),
            filter => Ok(filter.min_level().unwrap_or(Level::Error)),
        }
    }
}

/// The minimum level a logger writes, or `Off` for nothing at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LevelFilter {
    /// Everything.
    Trace,
    /// Debug and above.
    Debug,
    /// Info and above (the default).
    #[default]
    Info,
    /// Warn and above.
    Warn,
    /// Errors only.
    Error,
    /// Nothing.
    Off,
}

impl LevelFilter {
    const fn as_u8(self) -> u8 {
        match self {
            LevelFilter::Trace => 0,
            LevelFilter::Debug => 1,
            LevelFilter::Info => 2,
            LevelFilter::Warn => 3,
            LevelFilter::Error => 4,
            LevelFilter::Off => 5,
        }
    }

    const fn from_u8(v: u8) -> Self {
        match v {
            0 => LevelFilter::Trace,
            1 => LevelFilter::Debug,
            2 => LevelFilter::Info,
            3 => LevelFilter::Warn,
            4 => LevelFilter::Error,
            _ => LevelFilter::Off,
        }
    }

    /// The least severe level this filter lets through, `None` for `Off`.
    pub const fn min_level(self) -> Option<Level> {
        match self {
            LevelFilter::Trace => Some(Level::Trace),
            LevelFilter::Debug => Some(Level::Debug),
            LevelFilter::Info => Some(Level::Info),
            LevelFilter::Warn => Some(Level::Warn),
            LevelFilter::Error => Some(Level::Error),
            LevelFilter::Off => None,
        }
    }

    /// Whether an entry at `level` passes this filter.
    pub const fn allows(self, level: Level) -> bool {
        level as u8 >= self.as_u8()
    }

    /// The lower-case name (`"info"`, `"off"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            LevelFilter::Trace => "trace",
            LevelFilter::Debug => "debug",
            LevelFilter::Info => "info",
            LevelFilter::Warn => "warn",
            LevelFilter::Error => "error",
            LevelFilter::Off => "off",
        }
    }
}

impl From<Level> for LevelFilter {
    fn from(level: Level) -> Self {
        LevelFilter::from_u8(level as u8)
    }
}

impl fmt::Display for LevelFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LevelFilter {
    type Err = ParseLevelError;

    /// Parses `trace`, `debug`, `info`, `warn`/`warning`, `error`, `fatal`/`critical`
    /// (both mean error: Lift has no level above it) and `off`/`none`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let eq = |name: &str| t.eq_ignore_ascii_case(name);
        Ok(if eq("trace") {
            LevelFilter::Trace
        } else if eq("debug") {
            LevelFilter::Debug
        } else if eq("info") {
            LevelFilter::Info
        } else if eq("warn") || eq("warning") {
            LevelFilter::Warn
        } else if eq("error") || eq("fatal") || eq("critical") {
            LevelFilter::Error
        } else if eq("off") || eq("none") {
            LevelFilter::Off
        } else {
            return Err(ParseLevelError::new(s));
        })
    }
}

impl serde::Serialize for LevelFilter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for LevelFilter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A [`LevelFilter`] that can be read and changed concurrently.
///
/// Reading is one relaxed atomic load: cheap enough to guard every log call.
#[derive(Debug)]
pub struct AtomicLevelFilter(AtomicU8);

impl AtomicLevelFilter {
    /// A filter starting at `filter`.
    pub const fn new(filter: LevelFilter) -> Self {
        Self(AtomicU8::new(filter.as_u8()))
    }

    /// Whether an entry at `level` is written.
    #[inline(always)]
    pub fn enabled(&self, level: Level) -> bool {
        level as u8 >= self.0.load(Ordering::Relaxed)
    }

    /// The current filter.
    pub fn get(&self) -> LevelFilter {
        LevelFilter::from_u8(self.0.load(Ordering::Relaxed))
    }

    /// Changes the filter; every logger sharing it sees the change on its next call.
    pub fn set(&self, filter: LevelFilter) {
        self.0.store(filter.as_u8(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lift_lambda_and_alias_spellings() {
        for (text, want) in [
            ("trace", LevelFilter::Trace),
            ("DEBUG", LevelFilter::Debug),
            (" Info ", LevelFilter::Info),
            ("WARNING", LevelFilter::Warn),
            ("warn", LevelFilter::Warn),
            ("FATAL", LevelFilter::Error),
            ("off", LevelFilter::Off),
        ] {
            assert_eq!(text.parse::<LevelFilter>().unwrap(), want, "{text}");
        }
        let err = "loud".parse::<LevelFilter>().unwrap_err();
        assert!(err.to_string().contains("loud"), "{err}");
        assert!("off".parse::<Level>().is_err());
        assert_eq!("fatal".parse::<Level>().unwrap(), Level::Error);
    }

    #[test]
    fn filter_orders_levels() {
        let f = AtomicLevelFilter::new(LevelFilter::Warn);
        assert!(!f.enabled(Level::Info));
        assert!(f.enabled(Level::Warn));
        assert!(f.enabled(Level::Error));
        f.set(LevelFilter::Off);
        assert!(!f.enabled(Level::Error));
        f.set(LevelFilter::Trace);
        assert!(f.enabled(Level::Trace));
        assert_eq!(f.get(), LevelFilter::Trace);
        assert!(LevelFilter::Info.allows(Level::Error));
        assert!(!LevelFilter::Info.allows(Level::Debug));
    }
}
