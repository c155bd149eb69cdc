//! The middleware's own failure: a panic in the handler, turned into a [`LiftError`].
//!
//! The response says only "internal error" (a panic message is the developer's, not the
//! caller's); the log gets the panic's text as the error's source.

use std::fmt;

use crate::error::{ErrorKind, LiftError};

/// A panic's message, as an error source.
#[derive(Debug)]
pub struct PanicError(String);

impl PanicError {
    /// The panic's text.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PanicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "handler panicked: {}", self.0)
    }
}

impl std::error::Error for PanicError {}

/// A 500 for a panic with `payload` (a `&str` or `String` payload is kept as text).
pub(super) fn from_panic(payload: &(dyn std::any::Any + Send)) -> LiftError {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".to_owned());
    LiftError::new(ErrorKind::Panic, "internal error").with_source(PanicError(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_500_without_leaking_the_message() {
        let e = from_panic(&"index out of bounds");
        assert_eq!(e.status(), 500);
        assert_eq!(
            e.to_body(),
            r#"{"error":"panic","message":"internal error"}"#
        );
        let source = std::error::Error::source(&e).unwrap().to_string();
        assert_eq!(source, "handler panicked: index out of bounds");
        let owned = from_panic(&String::from("boom"));
        assert!(
            std::error::Error::source(&owned)
                .unwrap()
                .to_string()
                .ends_with("boom")
        );
    }
}
