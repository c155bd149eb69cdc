//! `lift-ship`, the release binary's behaviour end to end against `moto_server`: lines in,
//! events in CloudWatch, the summary, the exit status — and the edges where a shipper
//! loses lines: signals, oversize lines, long outages, a bad configuration.

use std::collections::HashMap;
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::n_of;
use crate::support::moto::{Moto, read_stream, unique_group};
use crate::support::proxy::{FaultProxy, Faults};

/// Runs `lift-ship` against `moto` with `args`, feeding it `input`; returns its output and
/// the JSON summary from the last line of its stderr.
async fn lift_ship(
    moto: &Moto,
    args: &[&str],
    input: Vec<u8>,
) -> (std::process::Output, serde_json::Value) {
    lift_ship_at(&moto.endpoint, args, input).await
}

/// Starts `lift-ship` against `endpoint` with `args` and a piped stdin.
fn spawn(endpoint: &str, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_lift-ship"))
        .args(args)
        .args(["--endpoint-url", endpoint, "--region", "us-east-1"])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lift-ship runs")
}

/// Like [`lift_ship`], against any endpoint.
async fn lift_ship_at(
    endpoint: &str,
    args: &[&str],
    input: Vec<u8>,
) -> (std::process::Output, serde_json::Value) {
    let mut child = spawn(endpoint, args);
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    // A shipper that stopped early may leave the writer with a broken pipe.
    let _ = writer.join().unwrap();
    let summary = summary_of(&output);
    (output, summary)
}

/// The JSON summary: the last line of stderr.
fn summary_of(output: &std::process::Output) -> serde_json::Value {
    let stderr = String::from_utf8_lossy(&output.stderr);
    serde_json::from_str(stderr.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("no JSON summary ({e}): {}", tail(&stderr)))
}

/// The end of a long text, for failure messages.
fn tail(text: &str) -> &str {
    let mut start = text.len().saturating_sub(3_000);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// The spilled lines of stderr (or a spill file): `(n, message)` of each.
fn spilled(text: &str) -> Vec<(u64, String)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("LIFT-UNDELIVERED\t"))
        .map(|l| {
            let message = l
                .splitn(4, '\t')
                .nth(3)
                .expect("group, stream, time, message");
            (n_of(message), message.to_owned())
        })
        .collect()
}

/// A loopback address where nothing listens: connections are refused.
fn dead_endpoint() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    format!("http://127.0.0.1:{port}")
}

fn send_signal(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

/// Feeds `{"n":…}` lines to a running shipper, one a millisecond, until its stdin breaks
/// or `stop` is set; returns how many were written.
fn trickle(mut child_stdin: std::process::ChildStdin, stop: Arc<AtomicBool>) -> Arc<AtomicU64> {
    let written = Arc::new(AtomicU64::new(0));
    let counter = written.clone();
    std::thread::spawn(move || {
        let mut n = 0u64;
        while !stop.load(Ordering::SeqCst) {
            // One write per line (a pipe write this small is atomic), so a line is never
            // read in halves.
            let line = format!("{{\"n\":{n},\"message\":\"line {n}\"}}\n");
            if child_stdin.write_all(line.as_bytes()).is_err() {
                return;
            }
            n += 1;
            counter.store(n, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    written
}

/// Runs a shipper fed by [`trickle`], sends `signals` (each after its delay), and returns
/// its output, its summary and how long it took from the first signal to exit.
async fn signalled(
    endpoint: &str,
    args: &[&str],
    signals: &[(&'static str, u64)],
) -> (std::process::Output, serde_json::Value, Duration) {
    let mut child = spawn(endpoint, args);
    let stop = Arc::new(AtomicBool::new(false));
    trickle(child.stdin.take().unwrap(), stop.clone());
    let mut first = None;
    for (signal, after_ms) in signals {
        tokio::time::sleep(Duration::from_millis(*after_ms)).await;
        first.get_or_insert_with(Instant::now);
        send_signal(&child, signal);
    }
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let took = first.map_or(Duration::ZERO, |t| t.elapsed());
    stop.store(true, Ordering::SeqCst);
    let summary = summary_of(&output);
    (output, summary, took)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_lift_ship_end_to_end() {
    let moto = Moto::start();
    let group = unique_group("lift-ship");
    let mut input = Vec::new();
    for n in 0..10_000u32 {
        writeln!(input, r#"{{"n":{n},"message":"line {n}"}}"#).unwrap();
        if n % 1000 == 0 {
            input.extend_from_slice(b"\n\r\n"); // empty lines are skipped
        }
    }
    input.extend_from_slice(b"bad \xff\xfe bytes\n");
    input.extend_from_slice(b"no trailing newline");

    let (output, summary) = lift_ship(
        &moto,
        &[
            "--log-group",
            &group,
            "--log-stream",
            "sidecar",
            "--create-group",
            "--retention-days",
            "7",
            "--flush-interval-ms",
            "200",
            "--max-buffer-bytes",
            "4194304",
        ],
        input,
    )
    .await;
    assert!(output.status.success(), "lift-ship failed: {summary}");
    assert_eq!(summary["shipped"], 10_002);
    assert_eq!(summary["all_acknowledged"], true);
    assert_eq!(summary["invalid_utf8_lines"], 1);
    assert_eq!(summary["empty_lines"], 20);

    let events = read_stream(&moto.client(), &group, "sidecar").await;
    assert_eq!(events.len(), 10_002);
    let mut seen: HashMap<u64, usize> = HashMap::new();
    for (_, m) in &events[..10_000] {
        *seen.entry(n_of(m)).or_default() += 1;
    }
    assert_eq!(seen.len(), 10_000);
    assert!(
        events
            .iter()
            .any(|(_, m)| m == "bad \u{fffd}\u{fffd} bytes")
    );
    assert!(events.iter().any(|(_, m)| m == "no trailing newline"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_lift_ship_redacts_json_and_text_lines() {
    let moto = Moto::start();
    let group = unique_group("redact");
    let input = concat!(
        r#"{"message":"paid","card_number":"4111 1111 1111 1111","cvv":"123","password":"p"}"#,
        "\n",
        "Authorization: Bearer abcdefghijklmnop card 5555555555554444\n",
        // A multi-line message, and JSON inside it, escaped once and twice.
        r#"{"message":"declined\n4111111111111111","body":"{\"cvv\": 737, \"b\": \"{\\\"pin\\\": 1234}\"}"}"#,
        "\n",
        "nothing to hide\n"
    );
    let (output, summary) = lift_ship(
        &moto,
        &[
            "--log-group",
            &group,
            "--log-stream",
            "s",
            "--create-group",
            "--redact",
        ],
        input.as_bytes().to_vec(),
    )
    .await;
    assert!(output.status.success(), "{summary}");
    assert_eq!(summary["redaction"]["pan"], 3);
    let events = read_stream(&moto.client(), &group, "s").await;
    let messages: Vec<&str> = events.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(
        messages,
        [
            // Every byte outside what is redacted stays: key order, the removed value's key.
            r#"{"message":"paid","card_number":"4111 11** **** 1111","cvv":"[REMOVED]","password":"[REDACTED]"}"#,
            "Authorization: [REDACTED] card 555555******4444",
            r#"{"message":"declined\n411111******1111","body":"{\"cvv\": \"[REMOVED]\", \"b\": \"{\\\"pin\\\": \\\"[REMOVED]\\\"}\"}"}"#,
            "nothing to hide",
        ]
    );
    // Each JSON line stays one, its escapes whole.
    for line in [messages[0], messages[2]] {
        let _: serde_json::Value = serde_json::from_str(line).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_lift_ship_exits_non_zero_when_events_are_refused() {
    let moto = Moto::start();
    let group = unique_group("no-group");
    // No --create-group: the group does not exist, so every event is refused.
    let (output, summary) = lift_ship(
        &moto,
        &["--log-group", &group, "--log-stream", "s"],
        b"one\ntwo\n".to_vec(),
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(summary["dropped"]["rejected"], 2);
    assert!(
        summary["last_error"]
            .as_str()
            .unwrap()
            .contains("creating groups is off")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_lift_ship_on_sigterm_ships_every_line_it_read_and_exits_zero() {
    let moto = Moto::start();
    let group = unique_group("sigterm");
    let (output, summary, _) = signalled(
        &moto.endpoint,
        &["--log-group", &group, "--log-stream", "s", "--create-group"],
        &[("TERM", 1_500)],
    )
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{}", tail(&stderr));
    assert_eq!(summary["signal"], "SIGTERM");
    let read = summary["lines_read"].as_u64().unwrap();
    assert!(read > 100, "{summary}");
    assert_eq!(summary["shipped"], read);
    assert_eq!(summary["all_acknowledged"], true);
    assert!(spilled(&stderr).is_empty());
    // Every line read, in order, none missing in between.
    let events = read_stream(&moto.client(), &group, "s").await;
    let ns: Vec<u64> = events.iter().map(|(_, m)| n_of(m)).collect();
    assert_eq!(ns, (0..read).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_lift_ship_on_sigterm_with_the_endpoint_down_spills_every_line_it_read() {
    let endpoint = dead_endpoint();
    let (output, summary, took) = signalled(
        &endpoint,
        &[
            "--log-group",
            "g",
            "--log-stream",
            "s",
            "--close-timeout-ms",
            "1000",
        ],
        &[("TERM", 3_000)],
    )
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{}", tail(&stderr));
    assert!(
        took < Duration::from_secs(5),
        "closed within the deadline: {took:?}"
    );
    let read = summary["lines_read"].as_u64().unwrap();
    assert!(read > 100, "{summary}");
    let spilled = spilled(&stderr);
    assert_eq!(
        spilled.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        (0..read).collect::<Vec<_>>(),
        "every line read is spilled, once, in order"
    );
    assert_eq!(summary["spilled"], read);
    assert_eq!(summary["dropped"]["undeliverable"], read);
    // The cause was said when it happened, before the signal (sent 3 s in: the first batch
    // leaves after the 1 s flush interval, its failure is reported within 200 ms, and a
    // loaded machine needs the margin), and stays the last error.
    let cause = "Connection refused";
    let address = endpoint.trim_start_matches("http://");
    let report = stderr
        .find("lift-ship: delivery failing")
        .expect("an early report");
    let signal = stderr
        .find("lift-ship: SIGTERM")
        .expect("the signal is said");
    assert!(report < signal, "{}", tail(&stderr));
    assert!(stderr[report..signal].contains(cause) && stderr[report..signal].contains(address));
    let last_error = summary["last_error"].as_str().unwrap();
    assert!(
        last_error.contains(cause) && last_error.contains(address),
        "{last_error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_lift_ship_second_signal_spills_at_once() {
    let (output, summary, took) = signalled(
        &dead_endpoint(),
        &[
            "--log-group",
            "g",
            "--log-stream",
            "s",
            "--close-timeout-ms",
            "60000",
        ],
        &[("TERM", 1_000), ("INT", 300)],
    )
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        took < Duration::from_secs(5),
        "the second signal ends it: {took:?}"
    );
    let read = summary["lines_read"].as_u64().unwrap();
    assert_eq!(spilled(&stderr).len() as u64, read);
    assert_eq!(summary["signal"], "SIGTERM");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_lift_ship_truncates_a_line_larger_than_the_buffer_before_buffering_it() {
    let moto = Moto::start();
    let group = unique_group("oversize");
    let mut input = Vec::new();
    // 3 MB of JSON with a 1 MiB buffer: it can only ever fit truncated.
    let big = format!(r#"{{"n":0,"message":"{}"}}"#, "x".repeat(3_000_000));
    writeln!(input, "{big}").unwrap();
    // A 1,000,000-byte line that redaction grows past the 1,048,550-byte cap.
    let grows = "password=x ".repeat(1_000_000 / 11);
    writeln!(input, r#"{grows}"#).unwrap();
    writeln!(input, r#"{{"n":2,"message":"after"}}"#).unwrap();
    let started = Instant::now();
    let (output, summary) = lift_ship(
        &moto,
        &[
            "--log-group",
            &group,
            "--log-stream",
            "s",
            "--create-group",
            "--max-buffer-bytes",
            "1048576",
            "--redact",
        ],
        input,
    )
    .await;
    assert!(output.status.success(), "{summary}");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(summary["truncated"], 2);
    assert_eq!(summary["shipped"], 3);
    let cap = 1_048_550;
    let events = read_stream(&moto.client(), &group, "s").await;
    assert_eq!(events.len(), 3);
    let first: serde_json::Value = serde_json::from_str(&events[0].1).expect("still JSON");
    assert_eq!(first["truncated"], true);
    assert_eq!(first["n"], 0);
    assert!(events.iter().all(|(_, m)| m.len() <= cap));
    assert!(
        events[1]
            .1
            .starts_with("password=[REDACTED] password=[REDACTED]")
    );
    let redacted = lift_observability::Redactor::new()
        .redact_line(&grows)
        .len();
    let cut = (big.len() - events[0].1.len()) + (redacted - events[1].1.len());
    let reported = summary["truncated_bytes"].as_u64().unwrap() as usize;
    assert_eq!(reported, cut);
    assert_eq!(n_of(&events[2].1), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_lift_ship_long_outage_spills_what_does_not_fit_within_the_block_budget() {
    let moto = Moto::start();
    let upstream = moto.endpoint.trim_start_matches("http://").to_owned();
    let proxy = FaultProxy::start(upstream, Faults::default(), 1).await;
    proxy.set_down(true);
    let spill_dir = std::env::temp_dir().join(format!("lift-ship-{}", std::process::id()));
    std::fs::create_dir_all(&spill_dir).unwrap();
    let spill_file = spill_dir.join("outage.spill");
    let _ = std::fs::remove_file(&spill_file);
    let mut input = Vec::new();
    for n in 0..13 {
        writeln!(input, r#"{{"n":{n},"message":"{}"}}"#, "y".repeat(100_000)).unwrap();
    }
    let started = Instant::now();
    let (output, summary) = lift_ship_at(
        &proxy.endpoint,
        &[
            "--log-group",
            "g",
            "--log-stream",
            "s",
            "--max-buffer-bytes",
            "1048576",
            "--max-block-ms",
            "1000",
            "--drain-timeout-ms",
            "500",
            "--spill-file",
            spill_file.to_str().unwrap(),
        ],
        input,
    )
    .await;
    let took = started.elapsed();
    assert_eq!(output.status.code(), Some(1), "{summary}");
    // One second of waiting in all (not per line), then half a second of draining.
    assert!(took < Duration::from_secs(8), "{took:?}");
    let spilled = spilled(&std::fs::read_to_string(&spill_file).unwrap());
    let mut ns: Vec<u64> = spilled.iter().map(|(n, _)| *n).collect();
    ns.sort_unstable();
    assert_eq!(
        ns,
        (0..13).collect::<Vec<_>>(),
        "every line, whole, in the spill file"
    );
    assert!(spilled.iter().all(|(_, m)| m.len() > 100_000));
    assert_eq!(summary["spilled"], 13);
    let refused = summary["dropped"]["block_timeout"].as_u64().unwrap();
    assert!(refused >= 3, "{summary}");
    assert_eq!(
        summary["dropped"]["undeliverable"].as_u64().unwrap() + refused,
        13
    );
    let _ = std::fs::remove_dir_all(&spill_dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_lift_ship_refuses_a_bad_endpoint_at_start_and_says_so_once() {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_lift-ship"))
        .args(["--log-group", "g", "--log-stream", "s"])
        .args(["--endpoint-url", "not a url", "--region", "us-east-1"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(started.elapsed() < Duration::from_secs(5));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.matches("is not a URL").count(), 1, "{stderr}");
    assert!(stderr.contains("\"not a url\""), "{stderr}");
    let output = Command::new(env!("CARGO_BIN_EXE_lift-ship"))
        .args(["--log-group", "bad group!", "--log-stream", "s"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr.matches("log_group").count(), 1, "{stderr}");
}
