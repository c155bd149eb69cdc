//! A minimal `block_on` so programs without an async runtime can flush and close.
//!
//! It parks the calling thread until the future's waker unparks it. Do not call it from a
//! thread that must itself drive the future (for example inside a single-threaded tokio
//! runtime whose task the future waits on): that would wait forever. Lift's own sinks
//! complete their flush futures from their own threads or immediately.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs `future` to completion on the current thread.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(out) => return out,
            Poll::Pending => thread::park(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn waits_for_a_wake_from_another_thread() {
        struct Shared {
            done: bool,
            waker: Option<Waker>,
        }
        let shared = Arc::new(Mutex::new(Shared {
            done: false,
            waker: None,
        }));
        let s2 = shared.clone();
        let fut = std::future::poll_fn(move |cx| {
            let mut s = s2.lock().unwrap();
            if s.done {
                Poll::Ready(7)
            } else {
                s.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        });
        let s3 = shared.clone();
        let t = thread::spawn(move || {
            thread::sleep(std::time::Duration::from_millis(20));
            let mut s = s3.lock().unwrap();
            s.done = true;
            if let Some(w) = s.waker.take() {
                w.wake();
            }
        });
        assert_eq!(block_on(fut), 7);
        t.join().unwrap();
    }
}
