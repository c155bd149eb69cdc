//! The realistic corpus (`lift-corpus`) through the whole logger, as the benchmarks log it:
//! the secret each of about 1 in 500 entries carries never reaches its line, and every other
//! entry's line is byte for byte what the logger writes with redaction off — no false
//! positive on the ids, prose, URLs, bodies and error chains a payment service logs.

use lift_observability::{Clock, Logger, MemorySink, Redactor};

use crate::corpus_calls::{invocation_logger, log_entry};

/// Each entry's line, logged with `redactor` by a clock that stands still.
fn lines(corpus: &[lift_corpus::Entry], redactor: Redactor) -> Vec<String> {
    let sink = MemorySink::new();
    let root = Logger::builder()
        .sink(sink.clone())
        .redactor(redactor)
        .clock(Clock::fixed(1_764_000_000_000))
        .build();
    let log = invocation_logger(&root);
    for entry in corpus {
        log_entry(&log, entry);
    }
    sink.lines()
}

#[test]
fn the_corpus_s_secrets_never_reach_a_line_and_nothing_else_changes() {
    let corpus = lift_corpus::generate(2026, 10_000);
    let on = lines(&corpus, Redactor::new());
    let off = lines(&corpus, Redactor::disabled());
    assert_eq!((on.len(), off.len()), (corpus.len(), corpus.len()));
    let mut carrying = 0;
    for ((entry, on), off) in corpus.iter().zip(&on).zip(&off) {
        match entry.sensitive() {
            Some(secret) => {
                carrying += 1;
                assert!(off.contains(secret), "the secret is logged at all: {off}");
                assert!(!on.contains(secret), "{secret:?} reached {on}");
            }
            None => assert_eq!(on, off, "an entry with no secret was changed"),
        }
    }
    // About 1 in 500.
    assert!(
        (10..=40).contains(&carrying),
        "{carrying} entries carry a secret"
    );
}
