//! A panic hook that redacts: a panic's message reaches stderr (which Lambda ships to
//! CloudWatch Logs) with the same rules as a log line.
//!
//! Rust's default hook prints a panic's message as it is; a message built from a request
//! (`called unwrap() on Err(…4111111111111111…)`) would put a card number in the logs even
//! though Lift's own line about the panic is redacted. [`install`] replaces the hook with
//! one that writes the default hook's report — thread, location, message, and the
//! backtrace when `RUST_BACKTRACE` asks for one — with the message through
//! [`Redactor::builtin`]. Rust cannot tell its default hook from one a program set, so the
//! hook found is replaced, not called; to keep a hook of your own, pass it to
//! [`install_with`], which calls it after the redacted report (what it prints is yours).

use std::io::Write;
use std::panic::PanicHookInfo;

use crate::Redactor;

/// A hook of the program's own, run after Lift's report.
pub type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Send + Sync + 'static>;

/// Replaces the panic hook with Lift's redacting one (see the module docs).
///
/// ```
/// lift_observability::install_panic_hook();
/// let caught = std::panic::catch_unwind(|| panic!("card 4111111111111111 declined"));
/// assert!(caught.is_err()); // stderr got "… card 411111******1111 declined"
/// # let _ = std::panic::take_hook();
/// ```
pub fn install() {
    std::panic::set_hook(Box::new(|info| report(info, &mut std::io::stderr().lock())));
}

/// [`install`], then `hook` is called after each redacted report.
pub fn install_with(hook: Hook) {
    std::panic::set_hook(Box::new(move |info| {
        report(info, &mut std::io::stderr().lock());
        hook(info);
    }));
}

/// The panic's message, whatever its payload type.
fn message<'a>(info: &'a PanicHookInfo<'_>) -> &'a str {
    if let Some(s) = info.payload().downcast_ref::<&str>() {
        s
    } else if let Some(s) = info.payload().downcast_ref::<String>() {
        s
    } else {
        "Box<dyn Any>"
    }
}

/// Writes the default hook's report, the message redacted.
fn report(info: &PanicHookInfo<'_>, out: &mut impl Write) {
    let thread = std::thread::current();
    let name = thread.name().unwrap_or("<unnamed>");
    let message = Redactor::builtin().redact(message(info));
    let location = info
        .location()
        .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
        .unwrap_or_default();
    let _ = writeln!(out, "thread '{name}' panicked at {location}:\n{message}");
    match std::env::var("RUST_BACKTRACE").as_deref() {
        Ok("0") | Err(_) => {
            let _ = writeln!(
                out,
                "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace"
            );
        }
        Ok(_) => {
            let _ = writeln!(
                out,
                "stack backtrace:\n{}",
                std::backtrace::Backtrace::force_capture()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn the_report_is_redacted_and_the_program_hook_still_runs() {
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let reports: Arc<Mutex<Vec<u8>>> = Arc::default();
        let (s, r) = (Arc::clone(&seen), Arc::clone(&reports));
        std::panic::set_hook(Box::new(move |info| {
            report(info, &mut *r.lock().unwrap());
            s.lock().unwrap().push(message(info).len().to_string());
        }));
        let caught = std::panic::catch_unwind(|| {
            panic!(
                "charge {} failed: Authorization: Bearer abc.def",
                "4111111111111111"
            )
        });
        let _ = std::panic::take_hook();
        assert!(caught.is_err());
        let text = String::from_utf8(reports.lock().unwrap().clone()).unwrap();
        assert!(text.contains("panicked at"), "{text}");
        assert!(
            text.contains("charge 411111******1111 failed: Authorization: [REDACTED]"),
            "{text}"
        );
        assert!(
            !text.contains("4111111111111111") && !text.contains("abc.def"),
            "{text}"
        );
        assert_eq!(seen.lock().unwrap().len(), 1);
    }
}
