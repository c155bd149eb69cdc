//! The settings a function reads from its environment: where logs go, which metrics and
//! dimensions it records, self-telemetry, X-Ray — each variable's name, and the parsing
//! of the opt-in dimensions.

use crate::error::StartupError;

/// Set to a log group name to ship logs straight to CloudWatch Logs instead of stdout.
pub const CLOUDWATCH_GROUP_ENV: &str = "LIFT_CLOUDWATCH_LOG_GROUP";
/// The stream name template used with [`CLOUDWATCH_GROUP_ENV`].
pub const CLOUDWATCH_STREAM_ENV: &str = "LIFT_CLOUDWATCH_LOG_STREAM";
/// Set to a CloudWatch namespace to record per-invocation EMF metrics.
pub const METRICS_NAMESPACE_ENV: &str = "LIFT_METRICS_NAMESPACE";
/// Set to a number to add a `tenant_id` dimension admitting that many tenants per minute.
pub const METRICS_TENANT_BUDGET_ENV: &str = "LIFT_METRICS_TENANT_BUDGET";
/// Opt-in dimensions of the per-invocation metrics beside `service`, comma-separated:
/// `function_name`, `tenant_id` (for example `function_name,tenant_id`).
pub const METRICS_DIMENSIONS_ENV: &str = "LIFT_METRICS_DIMENSIONS";
/// Tenants per minute the `tenant_id` dimension admits when it is asked for without
/// [`METRICS_TENANT_BUDGET_ENV`]; the rest are folded into `__other__`.
pub const DEFAULT_METRICS_TENANT_BUDGET: usize = 20;
/// `true` to record the logger's and shipper's own telemetry as metrics.
pub const SELF_TELEMETRY_ENV: &str = "LIFT_SELF_TELEMETRY";
/// `true` / `false` to switch X-Ray subsegments on or off (default: on when
/// `AWS_XRAY_DAEMON_ADDRESS` is set, as it is in Lambda with active tracing).
pub const XRAY_ENV: &str = "LIFT_XRAY";

pub(super) fn env_flag(name: &str) -> Option<bool> {
    let value = std::env::var(name).ok()?;
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// The opt-in metric dimensions the environment asks for.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct OptInDimensions {
    pub(super) function_name: bool,
    pub(super) tenant_budget: Option<usize>,
}

impl OptInDimensions {
    pub(super) fn from_env() -> Result<Self, StartupError> {
        Self::parse(
            std::env::var(METRICS_DIMENSIONS_ENV).ok().as_deref(),
            std::env::var(METRICS_TENANT_BUDGET_ENV).ok().as_deref(),
        )
    }

    /// `dimensions` as in `LIFT_METRICS_DIMENSIONS`; `budget` as in
    /// `LIFT_METRICS_TENANT_BUDGET` (which alone also asks for `tenant_id`).
    fn parse(dimensions: Option<&str>, budget: Option<&str>) -> Result<Self, StartupError> {
        let budget = budget
            .map(|b| {
                b.trim()
                    .parse::<usize>()
                    .map_err(|_| StartupError::InvalidSetting {
                        name: METRICS_TENANT_BUDGET_ENV,
                        value: b.to_owned(),
                        expected: "a number of tenants per minute".to_owned(),
                    })
            })
            .transpose()?;
        let mut opted = Self {
            function_name: false,
            tenant_budget: budget,
        };
        for name in dimensions.unwrap_or_default().split(',').map(str::trim) {
            match name {
                "" => {}
                "function_name" => opted.function_name = true,
                "tenant_id" => {
                    opted.tenant_budget = Some(budget.unwrap_or(DEFAULT_METRICS_TENANT_BUDGET));
                }
                _ => {
                    return Err(StartupError::InvalidSetting {
                        name: METRICS_DIMENSIONS_ENV,
                        value: dimensions.unwrap_or_default().to_owned(),
                        expected: format!(
                            "a comma-separated list of function_name and tenant_id, not {name:?}"
                        ),
                    });
                }
            }
        }
        Ok(opted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_dimensions_are_service_only_unless_asked_for() {
        let parse = OptInDimensions::parse;
        assert_eq!(parse(None, None).unwrap(), OptInDimensions::default());
        assert_eq!(
            parse(Some(" function_name , tenant_id "), None).unwrap(),
            OptInDimensions {
                function_name: true,
                tenant_budget: Some(DEFAULT_METRICS_TENANT_BUDGET)
            }
        );
        assert_eq!(
            parse(Some("tenant_id"), Some("7")).unwrap().tenant_budget,
            Some(7)
        );
        // The budget alone still asks for the tenant dimension, as it always did.
        assert_eq!(parse(None, Some("10")).unwrap().tenant_budget, Some(10));
        let err = parse(Some("function_name,region"), None).unwrap_err();
        assert_eq!(err.error_type(), "Lift.InvalidSetting");
        assert!(
            err.to_string().contains("LIFT_METRICS_DIMENSIONS")
                && err.to_string().contains("\"region\""),
            "{err}"
        );
        assert!(
            parse(None, Some("many"))
                .unwrap_err()
                .to_string()
                .contains(METRICS_TENANT_BUDGET_ENV)
        );
    }
}
