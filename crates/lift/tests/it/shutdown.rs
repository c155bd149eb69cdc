//! `close_on_signal` in a service: SIGTERM flushes and closes the sinks, then the process
//! exits 0. The test runs itself again as the service (a child process, since the handler
//! ends the process) and signals it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lift::observability::{Logger, WriterSink};

const CHILD: &str = "LIFT_SHUTDOWN_TEST_CHILD";

/// The service: lines into a block-buffered stdout sink (held until a flush), the signal
/// handler installed, then waiting. Runs only as the child.
#[tokio::test]
#[ignore = "run by sigterm_flushes_and_closes_a_services_sinks_then_exits_0 as its child"]
async fn service_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let sink = WriterSink::stdout().block_buffered(1 << 20);
    let root = Logger::builder().sink(sink).build();
    lift::close_on_signal(root.clone(), Vec::new(), Duration::from_millis(400))
        .expect("signal handlers");
    for n in 0..100u64 {
        lift::info!(root, "Request served"; "n" => n);
    }
    // Nothing above is written yet: the buffer holds it. Say so on stderr and wait.
    eprintln!("ready");
    tokio::time::sleep(Duration::from_secs(30)).await;
    panic!("no signal came");
}

#[test]
fn sigterm_flushes_and_closes_a_services_sinks_then_exits_0() {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "shutdown::service_child",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 && !line.contains("ready") {
        line.clear();
    }
    assert!(line.contains("ready"), "the child did not get ready");
    let signalled = Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{:?}", output.status);
    assert!(signalled.elapsed() < Duration::from_secs(2));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let served = stdout
        .lines()
        .filter(|l| l.contains("\"Request served\""))
        .count();
    assert_eq!(
        served, 100,
        "every held line written at the close:\n{stdout}"
    );
    assert!(stdout.contains("\"Shutting down: closing sinks\""));
    assert!(stdout.contains("\"signal\":\"SIGTERM\""));
}
