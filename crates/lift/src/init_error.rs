//! A function that cannot start tells Lambda why, as the Runtime API requires.
//!
//! An error before the first invocation — an invalid `AWS_LAMBDA_LOG_LEVEL` or `LIFT_*`
//! value, a sink that cannot be built — is written as one JSON line on stdout (redacted, like
//! every line), posted to `/runtime/init/error` with its `errorType` and `errorMessage`, and
//! the process exits with status 1. Without the post Lambda would keep the caller waiting
//! until its timeout; without the exit, `main` would print the error's debug dump.

use lift_observability::{Logger, Redactor};

use crate::error::StartupError;

/// The `errorType` for a start-up error: the typed ones name themselves.
pub(crate) fn error_type(error: &(dyn std::error::Error + 'static)) -> &'static str {
    if let Some(e) = error.downcast_ref::<StartupError>() {
        e.error_type()
    } else if error.is::<lift_observability::ConfigError>() {
        "Lift.InvalidConfig"
    } else {
        "Lift.InitError"
    }
}

/// Under the Runtime API (`AWS_LAMBDA_RUNTIME_API` set): logs `error`, posts it as the init
/// error and exits with status 1. Elsewhere (a local run, a test) it is returned. [`App`]
/// does this with its own start-up errors; call it for yours (a setting of your own, a
/// limiter or client that cannot be built before `run`) so they reach Lambda the same way.
/// A [`StartupError`] is posted as `Lift.InvalidSetting`, anything else as `Lift.InitError`.
///
/// [`App`]: crate::App
pub async fn fail_init(error: lambda_runtime::Error) -> Result<(), lambda_runtime::Error> {
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_none() {
        return Err(error);
    }
    let error_type = error_type(&*error);
    let message = Redactor::builtin().redact(&error.to_string()).into_owned();
    // The configured logger may be what failed: a default one (JSON on stdout) writes this.
    let log = Logger::builder().build();
    lift_observability::error!(log, "Function failed to start";
        "error_type" => error_type, "error" => message.as_str());
    let _ = log.flush_blocking();
    if let Err(e) = post(error_type, &message).await {
        lift_observability::error!(log, "Init error not posted to the Runtime API";
            "error" => e.to_string().as_str());
        let _ = log.flush_blocking();
    }
    std::process::exit(1)
}

async fn post(error_type: &str, message: &str) -> Result<(), lambda_runtime::Error> {
    use lambda_runtime_api_client::body::Body;
    let client = lambda_runtime_api_client::Client::builder().build()?;
    let body = serde_json::json!({"errorType": error_type, "errorMessage": message}).to_string();
    let request = lambda_runtime_api_client::build_request()
        .method("POST")
        .uri("/2018-06-01/runtime/init/error")
        .header("Lambda-Runtime-Function-Error-Type", error_type)
        .header("content-type", "application/json")
        .body(Body::from(body))?;
    let response = client.call(request).await?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("the Runtime API answered {}", response.status()).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_errors_name_their_type() {
        let setting = StartupError::InvalidSetting {
            name: "LIFT_METRICS_DIMENSIONS",
            value: "region".into(),
            expected: "function_name or tenant_id".into(),
        };
        assert_eq!(error_type(&setting), "Lift.InvalidSetting");
        let boxed: lambda_runtime::Error = "a sink could not be built".into();
        assert_eq!(error_type(&*boxed), "Lift.InitError");
    }
}
