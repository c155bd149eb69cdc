//! A sink that writes lines to stdout, stderr or any `io::Write`.
//!
//! Each line and its newline are copied into a buffer under one lock, so lines from
//! concurrent callers never interleave. In line-flushed mode (the default) the buffer is
//! handed to the writer after every line — one `write` per line, like tracing's stdout
//! writer, which is what Lambda's log capture wants. In block-buffered mode lines wait in
//! the buffer until it fills or `flush` is called: faster, but a crash loses the buffer.
//! A failed write is counted as a drop with reason `write_failed`, recorded as the last
//! error, and fed to the health window; it never panics.
//!
//! Standard output and error are written through a duplicate of their descriptor rather
//! than `std::io::stdout()`, which reports success when descriptor 1 is closed (EBADF is
//! swallowed): a closed stdout is a failed write here, counted, never delivered.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::{LineMeta, Sink, SinkFuture, ready};
use crate::error::SinkError;
use crate::health::{HealthWindow, SinkHealth, now_secs};
use crate::stats::{DropCounters, DropReason, SinkStats};

/// The default buffer size in bytes.
pub const DEFAULT_BUFFER_BYTES: usize = 8 * 1024;

/// Writes each line, newline-terminated, to an `io::Write`.
pub struct WriterSink {
    name: String,
    state: Mutex<WriterState>,
    line_flush: bool,
    terminal: bool,
    closed: AtomicBool,
    accepted: AtomicU64,
    dropped: DropCounters,
}

struct WriterState {
    out: BufWriter<Box<dyn Write + Send>>,
    health: HealthWindow,
    delivered: u64,
    bytes_delivered: u64,
    /// Lines and bytes in `out`'s buffer, not yet handed to the writer.
    pending_lines: u64,
    pending_bytes: u64,
    errors: u64,
    last_error: Option<String>,
}

impl std::fmt::Debug for WriterSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriterSink")
            .field("name", &self.name)
            .field("line_flush", &self.line_flush)
            .finish_non_exhaustive()
    }
}

impl WriterSink {
    /// Standard output, line-flushed.
    pub fn stdout() -> Self {
        let stdout = io::stdout();
        let terminal = stdout.is_terminal();
        Self::build("stdout", std_stream(stdout), terminal)
    }

    /// Standard error, line-flushed.
    pub fn stderr() -> Self {
        let stderr = io::stderr();
        let terminal = stderr.is_terminal();
        Self::build("stderr", std_stream(stderr), terminal)
    }

    /// Any writer, line-flushed.
    pub fn new(writer: impl Write + Send + 'static) -> Self {
        Self::build("writer", Box::new(writer), false)
    }

    fn build(name: &str, writer: Box<dyn Write + Send>, terminal: bool) -> Self {
        Self {
            name: name.into(),
            state: Mutex::new(WriterState {
                out: BufWriter::with_capacity(DEFAULT_BUFFER_BYTES, writer),
                health: HealthWindow::default(),
                delivered: 0,
                bytes_delivered: 0,
                pending_lines: 0,
                pending_bytes: 0,
                errors: 0,
                last_error: None,
            }),
            line_flush: true,
            terminal,
            closed: AtomicBool::new(false),
            accepted: AtomicU64::new(0),
            dropped: DropCounters::default(),
        }
    }

    /// Keeps lines in a buffer of `capacity` bytes until it fills or `flush` is called.
    pub fn block_buffered(mut self, capacity: usize) -> Self {
        self.line_flush = false;
        self.resize_buffer(capacity);
        self
    }

    /// Sets the buffer size, keeping the flush mode.
    pub fn with_buffer_capacity(mut self, capacity: usize) -> Self {
        self.resize_buffer(capacity);
        self
    }

    /// Renames the sink (as shown in stats).
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    fn resize_buffer(&mut self, capacity: usize) {
        let state = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
        // The buffer is empty before any line is accepted, so nothing is lost here.
        replace_buffer(&mut state.out, capacity.max(64));
    }

    fn lock(&self) -> MutexGuard<'_, WriterState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands the buffer to the writer and flushes it; records the outcome.
    fn flush_locked(&self, state: &mut WriterState, now: u64) -> io::Result<()> {
        match state.out.flush() {
            Ok(()) => {
                if state.pending_lines > 0 {
                    state.health.record(now, true);
                }
                state.delivered += state.pending_lines;
                state.bytes_delivered += state.pending_bytes;
                state.pending_lines = 0;
                state.pending_bytes = 0;
                Ok(())
            }
            Err(e) => {
                self.fail(state, now, &e, state.pending_lines);
                state.pending_lines = 0;
                state.pending_bytes = 0;
                Err(e)
            }
        }
    }

    fn fail(&self, state: &mut WriterState, now: u64, e: &io::Error, lost: u64) {
        state.health.record(now, false);
        state.errors += 1;
        state.last_error = Some(format!("write to {} failed: {e}", self.name));
        self.dropped.record_n(DropReason::WriteFailed, lost);
        // What the writer refused stays in the buffer and would be retried by the next
        // write, after being counted as lost: discard it so counts stay exact.
        let capacity = state.out.capacity();
        replace_buffer(&mut state.out, capacity);
    }
}

/// A writer for a standard stream that reports its failures, a closed descriptor included:
/// a duplicate of the descriptor as a `File` (one `write` per flush, like `Stdout`), or, when
/// the descriptor is already closed, a writer that fails with EBADF.
#[cfg(unix)]
fn std_stream(stream: impl std::os::fd::AsFd + Write + Send + 'static) -> Box<dyn Write + Send> {
    match stream.as_fd().try_clone_to_owned() {
        Ok(fd) => Box::new(std::fs::File::from(fd)),
        Err(e) => Box::new(ClosedStream(e.raw_os_error())),
    }
}

#[cfg(not(unix))]
fn std_stream(stream: impl Write + Send + 'static) -> Box<dyn Write + Send> {
    Box::new(stream)
}

/// A standard stream whose descriptor was closed before the sink was built.
#[cfg(unix)]
struct ClosedStream(Option<i32>);

#[cfg(unix)]
impl Write for ClosedStream {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(self.0.map_or_else(
            || io::Error::other("the stream is closed"),
            io::Error::from_raw_os_error,
        ))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Gives `out` a new, empty buffer of `capacity` bytes, discarding whatever it held.
fn replace_buffer(out: &mut BufWriter<Box<dyn Write + Send>>, capacity: usize) {
    let placeholder: Box<dyn Write + Send> = Box::new(io::sink());
    let old = std::mem::replace(out, BufWriter::with_capacity(0, placeholder));
    let (writer, _discarded) = old.into_parts();
    *out = BufWriter::with_capacity(capacity, writer);
}

impl Sink for WriterSink {
    fn name(&self) -> &str {
        &self.name
    }

    fn accept(&self, line: &[u8], meta: &LineMeta<'_>) -> Result<(), DropReason> {
        if self.closed.load(Ordering::Relaxed) {
            self.dropped.record(DropReason::Closed);
            return Err(DropReason::Closed);
        }
        self.accepted.fetch_add(1, Ordering::Relaxed);
        let now = u64::try_from(meta.timestamp_ms / 1000).unwrap_or(0);
        let mut state = self.lock();
        let written = state
            .out
            .write_all(line)
            .and_then(|()| state.out.write_all(b"\n"));
        match written {
            Ok(()) => {
                state.pending_lines += 1;
                state.pending_bytes += line.len() as u64 + 1;
            }
            Err(e) => {
                // The line (and any buffered before it that the writer refused) is lost.
                let lost = state.pending_lines + 1;
                state.pending_lines = 0;
                state.pending_bytes = 0;
                self.fail(&mut state, now, &e, lost);
                return Err(DropReason::WriteFailed);
            }
        }
        if self.line_flush && self.flush_locked(&mut state, now).is_err() {
            return Err(DropReason::WriteFailed);
        }
        Ok(())
    }

    fn flush(&self) -> SinkFuture<'_> {
        let mut state = self.lock();
        let result = self
            .flush_locked(&mut state, now_secs())
            .map_err(|source| SinkError::Io {
                sink: self.name.clone(),
                source,
            });
        ready(result)
    }

    fn close(&self, _deadline: Duration) -> SinkFuture<'_> {
        let flushed = self.flush();
        self.closed.store(true, Ordering::Relaxed);
        flushed
    }

    fn health(&self) -> SinkHealth {
        self.lock().health.health(now_secs())
    }

    fn stats(&self) -> SinkStats {
        let state = self.lock();
        SinkStats {
            name: self.name.clone(),
            accepted: self.accepted.load(Ordering::Relaxed),
            delivered: state.delivered,
            dropped: self.dropped.snapshot(),
            bytes_delivered: state.bytes_delivered,
            buffered_bytes: state.out.buffer().len() as u64,
            buffer_capacity_bytes: state.out.capacity() as u64,
            errors: state.errors,
            last_error: state.last_error.clone(),
            recent_failure_rate: state.health.failure_rate(now_secs()),
            ..SinkStats::default()
        }
    }

    fn is_terminal(&self) -> bool {
        self.terminal
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::Level;
    use std::sync::Arc;

    const META: LineMeta<'static> = LineMeta {
        timestamp_ms: 1_000_000,
        level: Level::Info,
        tenant_id: None,
    };

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    struct Broken;
    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::BrokenPipe, "pipe closed"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn line_flushed_writes_each_line_at_once() {
        let out = Shared::default();
        let sink = WriterSink::new(out.clone());
        sink.accept(b"one", &META).unwrap();
        assert_eq!(&*out.0.lock().unwrap(), b"one\n");
        sink.accept(b"two", &META).unwrap();
        let s = sink.stats();
        assert_eq!((s.accepted, s.delivered, s.bytes_delivered), (2, 2, 8));
    }

    #[test]
    fn block_buffered_waits_for_flush() {
        let out = Shared::default();
        let sink = WriterSink::new(out.clone()).block_buffered(1024);
        sink.accept(b"one", &META).unwrap();
        assert!(out.0.lock().unwrap().is_empty());
        assert_eq!(sink.stats().buffered_bytes, 4);
        crate::blocking::block_on(sink.flush()).unwrap();
        assert_eq!(&*out.0.lock().unwrap(), b"one\n");
        assert_eq!(sink.stats().delivered, 1);
    }

    #[test]
    fn failed_writes_are_counted_and_unhealthy() {
        let sink = WriterSink::new(Broken);
        let now_meta = LineMeta {
            timestamp_ms: crate::timestamp::system_millis(),
            ..META
        };
        assert_eq!(sink.accept(b"x", &now_meta), Err(DropReason::WriteFailed));
        let s = sink.stats();
        assert_eq!(s.dropped.write_failed, 1);
        assert_eq!(s.errors, 1);
        assert!(s.last_error.unwrap().contains("pipe closed"));
        assert!(!sink.health().healthy);
    }

    /// Fails while `failing` is set; otherwise appends to `out`.
    #[derive(Clone, Default)]
    struct Flaky {
        out: Shared,
        failing: Arc<std::sync::atomic::AtomicBool>,
    }
    impl Write for Flaky {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.failing.load(Ordering::Relaxed) {
                Err(io::Error::other("disk full"))
            } else {
                self.out.write(buf)
            }
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_counted_as_lost_are_not_written_later() {
        let flaky = Flaky::default();
        let sink = WriterSink::new(flaky.clone()).block_buffered(1024);
        sink.accept(b"one", &META).unwrap();
        sink.accept(b"two", &META).unwrap();
        flaky.failing.store(true, Ordering::Relaxed);
        assert!(crate::blocking::block_on(sink.flush()).is_err());
        assert_eq!(sink.stats().dropped.write_failed, 2);
        flaky.failing.store(false, Ordering::Relaxed);
        sink.accept(b"three", &META).unwrap();
        crate::blocking::block_on(sink.flush()).unwrap();
        // Without discarding the failed buffer, "one" and "two" would arrive after being
        // counted as dropped, and the counts would no longer add up.
        assert_eq!(&*flaky.out.0.lock().unwrap(), b"three\n");
        let s = sink.stats();
        assert_eq!((s.accepted, s.delivered, s.dropped.total()), (3, 1, 2));
    }

    #[test]
    fn closed_sink_refuses_and_counts() {
        let sink = WriterSink::new(Shared::default());
        crate::blocking::block_on(sink.close(Duration::from_secs(1))).unwrap();
        assert_eq!(sink.accept(b"late", &META), Err(DropReason::Closed));
        assert_eq!(sink.stats().dropped.closed, 1);
    }
}
