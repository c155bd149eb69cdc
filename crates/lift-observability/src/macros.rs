//! Logging macros: `info!(log, "message"; "key" => value, …)`.
//!
//! The level is checked before any field expression is evaluated, so a disabled entry costs
//! one atomic load. Keys are string literals: each is checked at compile time and, when it
//! needs no escaping, is not reserved, has no redaction rule and holds nothing a detector
//! could find, its JSON form `,"key":` is built at compile time too. (For keys computed at
//! run time, pass fields with [`field`](crate::field).) Each value is borrowed once through
//! [`ToValue`](crate::ToValue), so strings, numbers, options and `Value`s can be passed as
//! they are, without moving them. The expansion is one call to [`Logger::log`] with the
//! fields as an array: the same path as every other entry.
//!
//! [`Logger::log`]: crate::Logger::log

/// Logs at a given level: `log!(logger, Level::Info, "message"; "key" => value, …)`.
///
/// # Examples
/// ```
/// use lift_observability::{Level, Logger, Value, log};
/// let (logger, sink) = Logger::test();
/// let err = std::io::Error::other("card declined");
/// log!(logger, Level::Warn, "Charge failed"; "amount" => 1250, "error" => Value::error(&err));
/// assert_eq!(sink.entries()[0]["error"], "card declined");
/// ```
#[macro_export]
macro_rules! log {
    ($logger:expr, $level:expr, $message:expr $(; $($key:literal => $value:expr),* $(,)?)?) => {{
        let logger = &$logger;
        let level = $level;
        if logger.enabled(level) {
            logger.log_at(
                level,
                ::core::concat!(::core::module_path!(), ":", ::core::line!()),
                $message,
                &[$($($crate::Field::__with_json_key(
                    $key,
                    $crate::__json_key!($key),
                    $crate::ToValue::to_value(&$value),
                )),*)?],
            );
        }
    }};
}

/// A literal key's `,"key":` prefix, built at compile time, when the key needs no
/// escaping, is not reserved, has no redaction rule and holds nothing a detector could find
/// (`None` otherwise: the key is judged and escaped at run time).
///
/// [`JsonKey`]: crate::value::JsonKey
#[doc(hidden)]
#[macro_export]
macro_rules! __json_key {
    ($key:literal) => {
        if const { $crate::__key_is_plain_and_unreserved($key) } {
            ::core::option::Option::Some(
                &const { $crate::__JsonKey::new(::core::concat!(",\"", $key, "\":")) },
            )
        } else {
            ::core::option::Option::None
        }
    };
}

/// Logs at trace level: `trace!(logger, "message"; "key" => value, …)`.
#[macro_export]
macro_rules! trace {
    ($logger:expr, $($rest:tt)+) => { $crate::log!($logger, $crate::Level::Trace, $($rest)+) };
}

/// Logs at debug level: `debug!(logger, "message"; "key" => value, …)`.
#[macro_export]
macro_rules! debug {
    ($logger:expr, $($rest:tt)+) => { $crate::log!($logger, $crate::Level::Debug, $($rest)+) };
}

/// Logs at info level: `info!(logger, "message"; "key" => value, …)`.
///
/// # Examples
/// ```
/// use lift_observability::{Logger, info};
/// let (logger, sink) = Logger::test();
/// let currency = String::from("USD");
/// info!(logger, "Charge captured"; "amount" => 1250, "currency" => currency, "retry" => None::<u32>);
/// let e = &sink.entries()[0];
/// assert_eq!((e["amount"].as_i64(), e["currency"].as_str()), (Some(1250), Some("USD")));
/// assert!(e["retry"].is_null());
/// ```
#[macro_export]
macro_rules! info {
    ($logger:expr, $($rest:tt)+) => { $crate::log!($logger, $crate::Level::Info, $($rest)+) };
}

/// Logs at warn level: `warn!(logger, "message"; "key" => value, …)`.
#[macro_export]
macro_rules! warn {
    ($logger:expr, $($rest:tt)+) => { $crate::log!($logger, $crate::Level::Warn, $($rest)+) };
}

/// Logs at error level: `error!(logger, "message"; "key" => value, …)`.
#[macro_export]
macro_rules! error {
    ($logger:expr, $($rest:tt)+) => { $crate::log!($logger, $crate::Level::Error, $($rest)+) };
}

#[cfg(test)]
mod tests {
    use crate::{Level, LevelFilter, Logger};
    use std::cell::Cell;

    #[test]
    fn disabled_levels_do_not_evaluate_fields() {
        let (log, sink) = Logger::test();
        log.set_level(LevelFilter::Info);
        let evaluated = Cell::new(0);
        let costly = || {
            evaluated.set(evaluated.get() + 1);
            42
        };
        crate::debug!(log, "hidden"; "v" => costly());
        crate::info!(log, "shown"; "v" => costly());
        crate::trace!(log, "hidden");
        crate::warn!(log, "w";);
        crate::error!(log, "e"; "a" => 1, "b" => "two", "level" => "renamed", "q\"k" => 1);
        assert_eq!(evaluated.get(), 1);
        let e = &sink.entries()[2];
        assert_eq!(e["field_level"], "renamed");
        assert_eq!(e["q\"k"], 1);
        assert_eq!(e["b"], "two");
        assert_eq!(sink.messages(), ["shown", "w", "e"]);
        sink.assert_logged(Level::Error, "e");
    }
}
