//! Hostile input, each a test: whatever a caller passes, the logger writes exactly one valid
//! line, never panics and never exhausts the stack.

use lift_observability::{Clock, Field, Format, Logger, MemorySink, Value, field};
use serde::ser::{Serialize, SerializeSeq, Serializer};

fn json_logger() -> (Logger, MemorySink) {
    let sink = MemorySink::new();
    let log = Logger::builder().sink(sink.clone()).build();
    (log, sink)
}

fn one_valid_line(sink: &MemorySink) -> serde_json::Value {
    let lines = sink.lines();
    assert_eq!(lines.len(), 1);
    assert!(!lines[0].contains('\n'));
    serde_json::from_str(&lines[0]).expect("valid JSON")
}

#[test]
fn a_five_megabyte_message_is_cut_to_the_entry_cap() {
    let (log, sink) = json_logger();
    let message = "é\"\\\n".repeat(5 * 1024 * 1024 / 5);
    log.info(&message, &[field("n", 1)]);
    let line = &sink.lines()[0];
    assert!(line.len() <= lift_observability::DEFAULT_MAX_ENTRY_BYTES);
    let v = one_valid_line(&sink);
    assert_eq!(v["truncated"], true);
    let kept = v["message"].as_str().unwrap();
    assert!(kept.len() > 100_000 && message.starts_with(kept));
    assert_eq!(log.stats().entries_truncated, 1);
}

#[test]
fn many_fields_under_the_cap_but_over_it_together_are_cut_to_one_valid_line() {
    let sink = MemorySink::new();
    let log = Logger::builder()
        .sink(sink.clone())
        .max_entry_bytes(4096)
        .build();
    let value = "v".repeat(1000);
    let fields: Vec<Field<'_>> = (0..10).map(|_| field("part", value.as_str())).collect();
    log.info("Parts", &fields);
    let line = &sink.lines()[0];
    assert!(line.len() <= 4096, "{}", line.len());
    let v = one_valid_line(&sink);
    assert_eq!(v["truncated"], true);
    assert!(v["original_bytes"].as_u64().unwrap() > 10_000);
    // The console format is cut too.
    let console = MemorySink::new();
    let log = Logger::builder()
        .sink(console.clone())
        .format(Format::Console)
        .max_entry_bytes(4096)
        .build();
    log.info("Parts", &fields);
    assert!(console.lines()[0].len() <= 4096);
    assert_eq!(log.stats().entries_truncated, 1);
}

#[test]
fn ten_thousand_fields() {
    let (log, sink) = json_logger();
    let keys: Vec<String> = (0..10_000).map(|i| format!("k{i}")).collect();
    let fields: Vec<Field<'_>> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| field(k, i as u64))
        .collect();
    log.info("many", &fields);
    let e = one_valid_line(&sink);
    assert_eq!(e["k9999"], 9999);
    assert_eq!(e.as_object().unwrap().len(), 3 + 10_000);
}

#[test]
fn a_key_of_one_megabyte() {
    let key = "ключ".repeat(1024 * 1024 / 8);
    // Under a cap that leaves room, it is written whole.
    let sink = MemorySink::new();
    let log = Logger::builder()
        .sink(sink.clone())
        .max_entry_bytes(4 << 20)
        .build();
    log.info("big key", &[field(&key, 1)]);
    assert_eq!(one_valid_line(&sink)[key.as_str()], 1);
    // Under the default cap the line is cut, and stays valid.
    let (log, sink) = json_logger();
    log.info("big key", &[field(&key, 1)]);
    assert_eq!(one_valid_line(&sink)["truncated"], true);
}

/// Nests itself `n` levels deep without any heap allocation (so it cannot blow the test's
/// own stack when dropped).
struct Deep(u32);

impl Serialize for Deep {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(1))?;
        if self.0 > 0 {
            seq.serialize_element(&Deep(self.0 - 1))?;
        }
        seq.end()
    }
}

#[test]
fn nesting_a_hundred_thousand_deep_hits_the_depth_cap_not_the_stack() {
    let (log, sink) = json_logger();
    // Run on a small stack, as a worker thread would have.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            log.info(
                "deep",
                &[field("v", Value::serde(&Deep(100_000))), field("after", 1)],
            );
        })
        .unwrap();
    handle.join().expect("no stack overflow");
    let e = one_valid_line(&sink);
    assert!(
        e["v"]
            .as_str()
            .unwrap()
            .contains("nested deeper than 126 levels"),
        "{e}"
    );
    assert_eq!(e["after"], 1);
    // 126 levels (Deep(125)) are written, and the line still parses with serde_json.
    let (log, sink) = json_logger();
    log.info("ok", &[field("v", Value::serde(&Deep(125)))]);
    assert!(one_valid_line(&sink)["v"].is_array());
    let (log, sink) = json_logger();
    log.info("one more", &[field("v", Value::serde(&Deep(126)))]);
    assert!(one_valid_line(&sink)["v"].is_string());
}

#[test]
fn terminal_control_sequences_never_reach_the_console() {
    let sink = MemorySink::new();
    let log = Logger::builder()
        .format(Format::Console)
        .sink(sink.clone())
        .build();
    log.info(
        "\u{1b}[31mred\u{1b}[0m\r\nforged line\u{2028}\u{202e}reversed\u{7}",
        &[field("v", "\u{1b}]0;title\u{7}")],
    );
    let line = &sink.lines()[0];
    assert!(
        !line
            .chars()
            .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{202e}')),
        "{line:?}"
    );
}

#[test]
fn a_user_field_named_aws_cannot_forge_emf() {
    let (log, sink) = json_logger();
    log.info("x", &[field("_aws", r#"{"CloudWatchMetrics":[]}"#)]);
    let e = one_valid_line(&sink);
    assert!(e.get("_aws").is_none());
    assert!(e.get("field__aws").is_some());
}

#[test]
fn timestamps_at_zero_negative_and_year_2100() {
    for (ms, expected) in [
        (0, "1970-01-01T00:00:00.000Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (4_102_444_800_000, "2100-01-01T00:00:00.000Z"),
        (i64::MIN, "0000-01-01T00:00:00.000Z"),
    ] {
        let sink = MemorySink::new();
        let log = Logger::builder()
            .clock(Clock::fixed(ms))
            .sink(sink.clone())
            .build();
        log.info("t", &[]);
        assert_eq!(one_valid_line(&sink)["timestamp"], expected, "{ms}");
    }
}

#[test]
fn empty_and_whitespace_only_messages() {
    for message in ["", " ", "\t\n "] {
        let (log, sink) = json_logger();
        log.info(message, &[]);
        assert_eq!(one_valid_line(&sink)["message"], message);
    }
}

/// The child half of the closed-stdout test: closes descriptor 1, logs, and reports the
/// stdout sink's view on stderr.
const CLOSED_STDOUT_CHILD: &str = "LIFT_TEST_CLOSED_STDOUT_CHILD";

#[test]
#[cfg(unix)]
#[allow(unsafe_code)] // closing descriptor 1 in the child process
fn a_closed_stdout_is_a_failed_write_not_a_delivery() {
    use lift_observability::{Sink, WriterSink};
    use std::os::fd::FromRawFd;
    if std::env::var_os(CLOSED_STDOUT_CHILD).is_some() {
        // Closed in the process (a shell's `>&-` would not do: Rust's start-up code opens
        // /dev/null on a closed standard descriptor).
        // SAFETY: this child process owns descriptor 1 and nothing uses it afterwards but
        // through `std::io::stdout`, which tolerates it being closed.
        drop(unsafe { std::os::fd::OwnedFd::from_raw_fd(1) });
        let sink = std::sync::Arc::new(WriterSink::stdout());
        let shared: std::sync::Arc<dyn Sink> = sink.clone();
        let log = Logger::builder().shared_sink(shared).build();
        log.info("Charge captured", &[field("amount", 1250)]);
        let stats = sink.stats();
        eprintln!(
            "CHILD delivered={} write_failed={} healthy={}",
            stats.delivered,
            stats.dropped.write_failed,
            sink.health().healthy
        );
        return;
    }
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "hostile::a_closed_stdout_is_a_failed_write_not_a_delivery",
            "--nocapture",
        ])
        .env(CLOSED_STDOUT_CHILD, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report = stderr
        .lines()
        .find(|l| l.starts_with("CHILD "))
        .unwrap_or_else(|| panic!("no report from the child: {stderr}"));
    assert_eq!(report, "CHILD delivered=0 write_failed=1 healthy=false");
}
