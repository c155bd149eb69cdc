//! The current invocation's [`Context`], task-local: invocation state is never
//! process-wide (`ARCHITECTURE.md`, invariants).
//!
//! The observability middleware runs the handler inside a task-local scope, so code deep in
//! a handler calls [`current`] instead of threading the context through every function.
//! Tasks spawned with [`spawn`] inherit it; a plain `tokio::spawn` does not (task-locals
//! do not cross task boundaries). Concurrent invocations — Lambda managed instances, a
//! service handling many requests — each see only their own context. Nothing per
//! invocation is ever stored in a global or an environment variable.

use std::future::Future;

use crate::context::Context;

tokio::task_local! {
    static CURRENT: Context;
}

/// The context of the invocation this task is working for, if any.
pub fn current() -> Option<Context> {
    CURRENT.try_with(Context::clone).ok()
}

/// Runs `future` with `context` as the current context.
pub async fn scope<F: Future>(context: Context, future: F) -> F::Output {
    CURRENT.scope(context, future).await
}

/// Spawns `future` on the tokio runtime, carrying the current context (if any) into it.
pub fn spawn<F>(future: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match current() {
        Some(context) => tokio::spawn(CURRENT.scope(context, future)),
        None => tokio::spawn(future),
    }
}
