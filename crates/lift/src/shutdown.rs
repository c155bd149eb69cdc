//! Graceful shutdown: on SIGTERM or SIGINT every sink is flushed and closed within a budget,
//! then the process exits.
//!
//! Closing a sink ships what it still holds; what a [`CloudWatchSink`] cannot deliver by the
//! deadline is spilled to stderr as `LIFT-UNDELIVERED` lines and counted, as at any close.
//! In Lambda the runtime process receives SIGTERM at shutdown only when an extension is
//! registered; [`App::run`](crate::App::run) registers a no-op internal extension
//! (`lift-graceful-shutdown`, subscribed to no events — lambda_runtime's own helper does the
//! same) during init and closes within [`LAMBDA_SHUTDOWN_BUDGET`], inside the 500 ms Lambda
//! gives a runtime with an internal extension (docs/aws-facts.md). A service outside Lambda
//! calls [`close_on_signal`] itself.
//!
//! [`CloudWatchSink`]: https://docs.rs/lift-cloudwatch

use std::sync::Arc;
use std::time::Duration;

use lift_observability::{Logger, Sink};
use tokio::signal::unix::{SignalKind, signal};

/// How long Lift takes to close its sinks in Lambda's shutdown phase: Lambda allows a runtime
/// with an internal extension 500 ms after SIGTERM, and the process still has to exit.
pub const LAMBDA_SHUTDOWN_BUDGET: Duration = Duration::from_millis(400);

/// The extension name Lift registers in Lambda to receive SIGTERM at shutdown.
pub const SHUTDOWN_EXTENSION_NAME: &str = "lift-graceful-shutdown";

/// Spawns a task that, on SIGTERM or SIGINT, logs the signal through `root`, flushes and
/// closes `root`'s sink and every other sink in `others` (each once, all at the same time)
/// within `budget`, and exits the process with status 0. Must be called inside a tokio
/// runtime; if the signal handlers cannot be installed, says so on `root` and returns
/// `None` (the default signal behaviour stays).
pub fn close_on_signal(
    root: Logger,
    others: Vec<Arc<dyn Sink>>,
    budget: Duration,
) -> Option<tokio::task::JoinHandle<()>> {
    let (mut term, mut int) = match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(term), Ok(int)) => (term, int),
        (Err(e), _) | (_, Err(e)) => {
            lift_observability::warn!(root, "Graceful shutdown unavailable: no signal handler";
                "error" => e.to_string().as_str());
            return None;
        }
    };
    Some(tokio::spawn(async move {
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        };
        lift_observability::info!(root, "Shutting down: closing sinks"; "signal" => name,
            "budget_ms" => budget.as_millis() as u64);
        close_all(&root, &others, budget).await;
        std::process::exit(0);
    }))
}

/// Closes `root`'s sink and each distinct sink of `others`, concurrently, within `budget`.
async fn close_all(root: &Logger, others: &[Arc<dyn Sink>], budget: Duration) {
    let mut sinks: Vec<&Arc<dyn Sink>> = vec![root.sink()];
    for sink in others {
        if !sinks
            .iter()
            .any(|s| std::ptr::addr_eq(Arc::as_ptr(s), Arc::as_ptr(sink)))
        {
            sinks.push(sink);
        }
    }
    // A close reports its own failures (counted, spilled); shutdown goes on regardless.
    let closes = sinks.into_iter().map(|sink| sink.close(budget));
    let _ = tokio::time::timeout(budget, futures_util::future::join_all(closes)).await;
}

/// Registers Lift's no-op internal extension with the Lambda Extensions API, so that the
/// runtime receives SIGTERM at shutdown, and keeps its event long-poll open (it subscribes
/// to no events, so the poll never returns). Errors are returned for the caller to report.
pub(crate) async fn register_extension() -> Result<(), lambda_runtime::Error> {
    use lambda_runtime_api_client::body::Body;
    let client = Arc::new(lambda_runtime_api_client::Client::builder().build()?);
    let request = lambda_runtime_api_client::build_request()
        .method("POST")
        .uri("/2020-01-01/extension/register")
        .header("Lambda-Extension-Name", SHUTDOWN_EXTENSION_NAME)
        .header("content-type", "application/json")
        .body(Body::from(r#"{"events":[]}"#))?;
    let response = client.call(request).await?;
    if !response.status().is_success() {
        return Err(format!("extension registration answered {}", response.status()).into());
    }
    let id = response
        .headers()
        .get("lambda-extension-identifier")
        .and_then(|v| v.to_str().ok())
        .ok_or("extension registration answered without an identifier")?
        .to_owned();
    let next = lambda_runtime_api_client::build_request()
        .method("GET")
        .uri("/2020-01-01/extension/event/next")
        .header("Lambda-Extension-Identifier", id)
        .body(Body::empty())?;
    tokio::spawn(async move {
        // Never answered for an extension subscribed to no events; Lambda needs the call to
        // end the init phase.
        let _ = client.call(next).await;
    });
    Ok(())
}
