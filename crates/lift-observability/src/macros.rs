//! Logging macros: `info!(log, "message"; "key" => value, …)`.
//!
//! The level is checked before any field expression is evaluated, so a disabled entry costs
//! one atomic load. Keys are string literals: each is checked at compile time and, when it
//! needs no escaping and is not reserved, its JSON form `,"key":` is built at compile time
//! too. (For keys computed at run time, pass fields with [`field`](crate::field).) Each
//! value is borrowed once through [`ToValue`](crate::ToValue), so strings, numbers, options
//! and `Value`s can be passed as they are, without moving them.
//!
//! The expansion writes each field straight from its typed value on the logger's one-pass
//! JSON path (no field array, and no run-time match on the value's kind once inlined), and
//! builds the field array only for an entry that takes the full path (see
//! `Logger::write_entry`). A literal message is checked at compile time too and, when clean,
//! copied without a run-time scan. Both paths write the same line; a property test holds
//! them to it.

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
    // A literal message is checked at compile time (see `literal_message_is_clean`).
    ($logger:expr, $level:expr, $message:literal $(; $($key:literal => $value:expr),* $(,)?)?) => {{
        let logger = &$logger;
        let level = $level;
        if logger.enabled(level) {
            $crate::__log_bind!(
                logger,
                level,
                $message,
                const { $crate::encoder::literal_message_is_clean($message) },
                [] $($($key => $value,)*)?
            );
        }
    }};
    ($logger:expr, $level:expr, $message:expr $(; $($key:literal => $value:expr),* $(,)?)?) => {{
        let logger = &$logger;
        let level = $level;
        if logger.enabled(level) {
            match $message {
                message => $crate::__log_bind!(logger, level, message, false, [] $($($key => $value,)*)?),
            }
        }
    }};
}

/// Binds each field value of a logging macro once, by reference, then logs: a fast path
/// that writes every field straight from its typed value (no field array, and no match on
/// the value's kind once inlined) and the full path's field array, both from the same
/// bindings. Each recursion step's `value` is a distinct binding (macro hygiene).
#[doc(hidden)]
#[macro_export]
macro_rules! __log_bind {
    ($logger:ident, $level:ident, $message:expr, $clean:expr, [$($bound:tt)*] $key:literal => $value:expr, $($rest:tt)*) => {
        match &$value {
            value => $crate::__log_bind!($logger, $level, $message, $clean, [$($bound)* ($key, value)] $($rest)*),
        }
    };
    ($logger:ident, $level:ident, $message:expr, $clean:expr, []) => {
        $logger.__log_macro($level, $message, $clean, &|_| true, &|full_path| full_path(&[]))
    };
    ($logger:ident, $level:ident, $message:expr, $clean:expr, [$(($key:literal, $value:ident))+]) => {
        $logger.__log_macro(
            $level,
            $message,
            $clean,
            &|out: &mut ::std::vec::Vec<u8>| {
                true $(&& $crate::encoder::write_field_if_clean(
                    out,
                    $key,
                    $crate::__json_key!($key),
                    $crate::ToValue::to_value($value),
                ))+
            },
            &|full_path: &mut dyn FnMut(&[$crate::Field<'_>])| {
                full_path(&[$($crate::Field::__with_json_key(
                    $key,
                    $crate::__json_key!($key),
                    $crate::ToValue::to_value($value),
                )),+])
            },
        )
    };
}

/// A literal key's `,"key":` prefix, built at compile time, when the key needs no
/// escaping, is not reserved, has no built-in redaction rule and fits a [`JsonKey`]
/// (`None` otherwise: such a field takes the full path).
///
/// [`JsonKey`]: crate::value::JsonKey
#[doc(hidden)]
#[macro_export]
macro_rules! __json_key {
    ($key:literal) => {
        if const {
            $crate::value::key_is_plain_and_unreserved($key)
                && ::core::matches!(
                    $crate::redact::builtin_key_rule($key),
                    $crate::redact::KeyRule::Scan
                )
                && $crate::value::JsonKey::fits(::core::concat!(",\"", $key, "\":"))
        } {
            ::core::option::Option::Some(
                &const { $crate::value::JsonKey::new(::core::concat!(",\"", $key, "\":")) },
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
