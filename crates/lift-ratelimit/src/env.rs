//! A limiter from the environment: `LIFT_RATE_LIMIT` and its companions.
//!
//! | variable | meaning |
//! |---|---|
//! | `LIFT_RATE_LIMIT` | the default limits (`100/min,1000/h`); unset: no limiter |
//! | `LIFT_RATE_LIMIT_PLANS` | per-tenant limits, `;`-separated (`acme=1000/min;globex=10/min,100/h`) |
//! | `LIFT_RATE_LIMIT_ALGORITHM` | `gcra` (default), `fixed_window` or `sliding_window` |
//! | `LIFT_RATE_LIMIT_TABLE` | a DynamoDB table shared by every instance (the `dynamodb` feature); unset: in memory |
//! | `LIFT_RATE_LIMIT_TIMEOUT` | the decision timeout, `ms` or `s` (`50ms`, default; `1s`) |
//!
//! With a table, the store's line is opened at start-up (`DynamoDbStore::warm_up`), within
//! three seconds: a table that does not exist, or credentials DynamoDB refuses, stop
//! start-up with a [`StartupError`] naming `LIFT_RATE_LIMIT_TABLE` (every decision would fail
//! the same way, and fail open unnoticed); any other failure leaves the decisions to try.

use std::time::Duration;

use lift::StartupError;

use crate::algorithm::Algorithm;
use crate::limit::Limits;
use crate::limiter::RateLimiter;
use crate::memory::MemoryStore;

/// The default limits.
pub const RATE_LIMIT_ENV: &str = "LIFT_RATE_LIMIT";
/// Per-tenant limits.
pub const RATE_LIMIT_PLANS_ENV: &str = "LIFT_RATE_LIMIT_PLANS";
/// The algorithm.
pub const RATE_LIMIT_ALGORITHM_ENV: &str = "LIFT_RATE_LIMIT_ALGORITHM";
/// The DynamoDB table.
pub const RATE_LIMIT_TABLE_ENV: &str = "LIFT_RATE_LIMIT_TABLE";
/// The decision timeout.
pub const RATE_LIMIT_TIMEOUT_ENV: &str = "LIFT_RATE_LIMIT_TIMEOUT";

/// Keys the in-memory store holds at most when the environment chooses it.
const MEMORY_KEYS: usize = 100_000;

fn invalid(name: &'static str, value: &str, expected: impl Into<String>) -> StartupError {
    StartupError::InvalidSetting {
        name,
        value: value.to_owned(),
        expected: expected.into(),
    }
}

fn parse_limits(name: &'static str, text: &str) -> Result<Limits, StartupError> {
    text.parse()
        .map_err(|e: crate::RateLimitError| invalid(name, text, e.to_string()))
}

/// What the variables other than the table ask for.
struct Wanted {
    limits: Limits,
    plans: Vec<(String, Limits)>,
    algorithm: Algorithm,
    timeout: Option<Duration>,
}

/// `50ms`, `1s`: a whole number of milliseconds or seconds, above zero.
fn parse_timeout(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, unit) = match text.strip_suffix("ms") {
        Some(number) => (number, Duration::from_millis(1)),
        None => (text.strip_suffix('s')?, Duration::from_secs(1)),
    };
    let count: u32 = number.trim().parse().ok().filter(|&n| n > 0)?;
    Some(unit * count)
}

fn wanted(var: impl Fn(&str) -> Option<String>) -> Result<Option<Wanted>, StartupError> {
    let Some(text) = var(RATE_LIMIT_ENV) else {
        return Ok(None);
    };
    let limits = parse_limits(RATE_LIMIT_ENV, &text)?;
    let mut plans = Vec::new();
    if let Some(text) = var(RATE_LIMIT_PLANS_ENV) {
        for plan in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (tenant, limits) = plan.split_once('=').ok_or_else(|| {
                invalid(RATE_LIMIT_PLANS_ENV, &text, "tenant=limits;tenant=limits")
            })?;
            plans.push((
                tenant.trim().to_owned(),
                parse_limits(RATE_LIMIT_PLANS_ENV, limits)?,
            ));
        }
    }
    let algorithm = match var(RATE_LIMIT_ALGORITHM_ENV).as_deref() {
        None | Some("gcra") => Algorithm::Gcra,
        Some("fixed_window") => Algorithm::FixedWindow,
        Some("sliding_window") => Algorithm::SlidingWindow,
        Some(other) => {
            return Err(invalid(
                RATE_LIMIT_ALGORITHM_ENV,
                other,
                "gcra, fixed_window or sliding_window",
            ));
        }
    };
    let timeout = match var(RATE_LIMIT_TIMEOUT_ENV) {
        None => None,
        Some(text) => Some(parse_timeout(&text).ok_or_else(|| {
            invalid(
                RATE_LIMIT_TIMEOUT_ENV,
                &text,
                "a duration in ms or s, above zero (50ms, 1s)",
            )
        })?),
    };
    Ok(Some(Wanted {
        limits,
        plans,
        algorithm,
        timeout,
    }))
}

impl Wanted {
    fn limiter<S: crate::Store>(self, store: S) -> RateLimiter {
        let mut limiter = RateLimiter::new(store, self.limits).algorithm(self.algorithm);
        if let Some(timeout) = self.timeout {
            limiter = limiter.timeout(timeout);
        }
        for (tenant, limits) in self.plans {
            limiter = limiter.plan(tenant, limits);
        }
        limiter
    }
}

impl RateLimiter {
    /// The limiter the environment configures (see the module's table), or `None` when
    /// `LIFT_RATE_LIMIT` is unset. A value it cannot use is a [`StartupError`] naming it,
    /// and so is `LIFT_RATE_LIMIT_TABLE` in a build without the `dynamodb` feature — never
    /// a silent fallback to memory, which would multiply the limit by the instance count.
    pub async fn from_env() -> Result<Option<Self>, StartupError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let Some(wanted) = wanted(var)? else {
            return Ok(None);
        };
        match var(RATE_LIMIT_TABLE_ENV) {
            None => Ok(Some(wanted.limiter(MemoryStore::new(MEMORY_KEYS)))),
            Some(table) => table_limiter(wanted, &table).await.map(Some),
        }
    }
}

#[cfg(feature = "dynamodb")]
async fn table_limiter(wanted: Wanted, table: &str) -> Result<RateLimiter, StartupError> {
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let store = crate::DynamoDbStore::new(&config, table)
        .map_err(|e| invalid(RATE_LIMIT_TABLE_ENV, table, e.to_string()))?;
    /// How long start-up waits for the warm-up before going on without it.
    const WARM_UP_TIMEOUT: Duration = Duration::from_secs(3);
    if let Ok(Err(e)) = tokio::time::timeout(WARM_UP_TIMEOUT, store.warm_up()).await
        && crate::DynamoDbStore::is_misconfiguration(&e)
    {
        return Err(invalid(
            RATE_LIMIT_TABLE_ENV,
            table,
            format!("an existing table these credentials may use ({e})"),
        ));
    }
    Ok(wanted.limiter(store))
}

#[cfg(not(feature = "dynamodb"))]
async fn table_limiter(_: Wanted, table: &str) -> Result<RateLimiter, StartupError> {
    Err(invalid(
        RATE_LIMIT_TABLE_ENV,
        table,
        "a build with lift-ratelimit's `dynamodb` feature (or unset it for in-memory limits)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<Option<Wanted>, StartupError> {
        wanted(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn limits_plans_and_algorithm_come_from_the_environment() {
        assert!(from(&[]).unwrap().is_none());
        let w = from(&[
            (RATE_LIMIT_ENV, "100/min,1000/h"),
            (RATE_LIMIT_PLANS_ENV, "acme=1000/min; globex=10/min,100/h"),
            (RATE_LIMIT_ALGORITHM_ENV, "fixed_window"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(w.limits.to_string(), "100/60s,1000/3600s");
        assert_eq!(w.algorithm, Algorithm::FixedWindow);
        let limiter = w.limiter(MemoryStore::new(10));
        assert_eq!(limiter.limits_for(Some("acme")).to_string(), "1000/60s");
        assert_eq!(
            limiter.limits_for(Some("globex")).to_string(),
            "10/60s,100/3600s"
        );
        assert_eq!(
            limiter.limits_for(Some("initech")).to_string(),
            "100/60s,1000/3600s"
        );
    }

    #[test]
    fn the_decision_timeout_comes_from_the_environment_in_ms_or_s() {
        let limiter =
            |vars: &[(&str, &str)]| from(vars).unwrap().unwrap().limiter(MemoryStore::new(1));
        let timeout = |text| {
            format!(
                "{:?}",
                limiter(&[(RATE_LIMIT_ENV, "1/s"), (RATE_LIMIT_TIMEOUT_ENV, text)])
            )
        };
        assert!(format!("{:?}", limiter(&[(RATE_LIMIT_ENV, "1/s")])).contains("timeout: 50ms"));
        assert!(timeout("250ms").contains("timeout: 250ms"));
        assert!(timeout(" 2s ").contains("timeout: 2s"));
        for bad in ["0ms", "50", "1.5s", "-1s", "ms", "1min"] {
            let err = from(&[(RATE_LIMIT_ENV, "1/s"), (RATE_LIMIT_TIMEOUT_ENV, bad)])
                .err()
                .expect("refused");
            assert!(
                err.to_string().starts_with(RATE_LIMIT_TIMEOUT_ENV),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn a_bad_value_is_a_start_up_error_naming_the_variable() {
        for (vars, name) in [
            (vec![(RATE_LIMIT_ENV, "100/fortnight")], RATE_LIMIT_ENV),
            (
                vec![(RATE_LIMIT_ENV, "1/s"), (RATE_LIMIT_PLANS_ENV, "acme:5/s")],
                RATE_LIMIT_PLANS_ENV,
            ),
            (
                vec![(RATE_LIMIT_ENV, "1/s"), (RATE_LIMIT_ALGORITHM_ENV, "leaky")],
                RATE_LIMIT_ALGORITHM_ENV,
            ),
        ] {
            let err = from(&vars).err().expect("refused");
            assert!(err.to_string().starts_with(name), "{err}");
            assert_eq!(err.error_type(), "Lift.InvalidSetting");
        }
    }

    #[cfg(not(feature = "dynamodb"))]
    #[tokio::test]
    async fn a_table_without_the_dynamodb_feature_is_refused_by_name() {
        let w = from(&[(RATE_LIMIT_ENV, "1/s")]).unwrap().unwrap();
        let err = table_limiter(w, "rate-limits").await.unwrap_err();
        assert!(err.to_string().contains("`dynamodb` feature"), "{err}");
    }
}
