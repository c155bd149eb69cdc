use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::thread;

use lift_observability::{LevelFilter, Logger, WriterSink, info};

/// A writer that takes at most 7 bytes per `write`, so a line is always written in pieces:
/// if the sink's lock did not cover a whole line, pieces of lines would interleave.
#[derive(Clone, Default)]
struct Trickle(Arc<Mutex<Vec<u8>>>);

impl Write for Trickle {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.len().min(7);
        self.0.lock().unwrap().extend_from_slice(&buf[..n]);
        thread::yield_now();
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn eight_threads_ten_thousand_lines_each_never_interleave() {
    const THREADS: usize = 8;
    const PER_THREAD: usize = 10_000;
    let out = Trickle::default();
    let log = Logger::builder()
        .level(LevelFilter::Info)
        .sink(WriterSink::new(out.clone()))
        .build();
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let log = log.with_tenant_id(&format!("tenant-{t}"));
            thread::spawn(move || {
                for i in 0..PER_THREAD {
                    info!(log, "tick \"quoted\"\nline"; "thread" => t, "seq" => i, "pad" => "x".repeat(i % 50));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    log.flush_blocking().unwrap();

    let bytes = out.0.lock().unwrap().clone();
    let text = String::from_utf8(bytes).unwrap();
    let mut next_seq = [0usize; THREADS];
    let mut count = 0;
    for line in text.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let t = v["thread"].as_u64().unwrap() as usize;
        assert_eq!(v["tenant_id"], format!("tenant-{t}"));
        assert_eq!(
            v["seq"].as_u64().unwrap() as usize,
            next_seq[t],
            "thread {t} out of order"
        );
        next_seq[t] += 1;
        count += 1;
    }
    assert_eq!(count, THREADS * PER_THREAD);
    assert!(next_seq.iter().all(|&n| n == PER_THREAD));
    let stats = log.stats();
    assert_eq!(stats.entries_logged, (THREADS * PER_THREAD) as u64);
    assert_eq!(stats.sink.delivered, (THREADS * PER_THREAD) as u64);
    assert_eq!(stats.entries_dropped, 0);
}
