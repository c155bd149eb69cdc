//! The demo's command line.

use clap::{Parser, ValueEnum};
use lift_observability::LevelFilter;

/// Simulates a multi-tenant payment API and logs it with Lift.
#[derive(Parser, Debug)]
#[command(version, about)]
pub(crate) struct Args {
    /// Requests to simulate.
    #[arg(long, default_value_t = 1000)]
    pub(crate) requests: u64,
    /// Distinct tenants.
    #[arg(long, default_value_t = 5)]
    pub(crate) tenants: u64,
    /// Worker threads handling requests concurrently.
    #[arg(long, default_value_t = 16)]
    pub(crate) concurrency: u64,
    /// Where logs go.
    #[arg(long, value_enum, default_value_t = SinkChoice::Stdout)]
    pub(crate) sink: SinkChoice,
    /// Log format (default: console on a terminal, JSON otherwise).
    #[arg(long, value_enum)]
    pub(crate) format: Option<FormatChoice>,
    /// Fraction of requests that fail (0.0 to 1.0).
    #[arg(long, default_value_t = 0.02)]
    pub(crate) error_rate: f64,
    /// Minimum level written.
    #[arg(long, default_value = "info")]
    pub(crate) level: LevelFilter,
    /// CloudWatch log group (with `--sink cloudwatch`).
    #[arg(long, default_value = "/lift/demo")]
    pub(crate) log_group: String,
    /// CloudWatch log stream template (with `--sink cloudwatch`).
    #[arg(long, default_value = "{date}/{tenant_id}")]
    pub(crate) log_stream: String,
    /// CloudWatch endpoint URL, for example a local emulator (with `--sink cloudwatch`).
    #[arg(long)]
    pub(crate) endpoint_url: Option<String>,
    /// AWS region (with `--sink cloudwatch`; default from the environment).
    #[arg(long)]
    pub(crate) region: Option<String>,
    /// CloudWatch metrics namespace for the EMF documents.
    #[arg(long, default_value = "Lift/Demo")]
    pub(crate) metrics_namespace: String,
    /// Distinct tenants per minute that get their own metric dimension value (default: as
    /// many as `--tenants`, so none is folded into `__other__`).
    #[arg(long)]
    pub(crate) tenant_budget: Option<usize>,
    /// The end-of-run summary: a table for a person or one JSON line (default: the table
    /// when stderr is a terminal).
    #[arg(long, value_enum)]
    pub(crate) summary: Option<SummaryChoice>,
    /// Also write the EMF metric documents with console output (they are always written
    /// with JSON output).
    #[arg(long)]
    pub(crate) show_metrics: bool,
    /// Send X-Ray subsegments to the daemon at `AWS_XRAY_DAEMON_ADDRESS`.
    #[arg(long)]
    pub(crate) xray: bool,
    /// Limit each tenant's requests (`50/s`, `1000/min,20000/h`); requests over it are
    /// answered 429 and counted in the summary.
    #[arg(long)]
    pub(crate) rate_limit: Option<lift_ratelimit::Limits>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum SinkChoice {
    Stdout,
    Memory,
    Cloudwatch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SummaryChoice {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum FormatChoice {
    Json,
    Console,
}
