//! Building a [`CloudWatchSink`]: the configuration checked, the API client made (or the
//! one given), and the queue, the shipper and the sink assembled — on the caller's tokio
//! runtime or on a thread of their own.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::{CloudWatchGuard, CloudWatchSink, Inner, RefusalSpill};
use crate::api::LogsApi;
use crate::config::{CloudWatchConfig, ValidCloudWatchConfig};
use crate::error::BuildError;
use crate::limits::{MAX_BATCH_BYTES, MAX_BATCH_EVENTS};
use crate::packer::{BatchPacker, PackerLimits};
use crate::queue::{Queue, QueueLimits};
use crate::sdk::{SdkLogsApi, SdkSettings};
use crate::shipper::{Command, DeliveryContext, Shipper, ShipperSettings};
use crate::spill::Spill;
use crate::stats::ShipperCounters;
use crate::stream_name::TemplateValues;

/// Builds a [`CloudWatchSink`] from a configuration.
pub struct CloudWatchSinkBuilder {
    config: CloudWatchConfig,
    api: Option<Arc<dyn LogsApi>>,
    spill: Option<Spill>,
    spill_refused: bool,
    values: Option<TemplateValues>,
    seed: Option<u64>,
}

impl std::fmt::Debug for CloudWatchSinkBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudWatchSinkBuilder")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl CloudWatchSinkBuilder {
    /// A builder for `config`, with nothing else set ([`CloudWatchSink::builder`]).
    pub(super) fn new(config: CloudWatchConfig) -> Self {
        Self {
            config,
            api: None,
            spill: None,
            spill_refused: false,
            values: None,
            seed: None,
        }
    }

    /// Uses this API client instead of the AWS SDK one built from the configuration (the
    /// mock in tests, or a client configured by the application).
    pub fn api(mut self, api: impl LogsApi) -> Self {
        self.api = Some(Arc::new(api));
        self
    }

    /// Like [`api`](Self::api), for a client that is shared.
    pub fn shared_api(mut self, api: Arc<dyn LogsApi>) -> Self {
        self.api = Some(api);
        self
    }

    /// Where undeliverable entries go (default stderr).
    pub fn spill(mut self, spill: Spill) -> Self {
        self.spill = Some(spill);
        self
    }

    /// Also writes every line the queue refuses (buffer full, block timeout, closed) to the
    /// spill output, whole and before truncation, besides counting it (default off: the
    /// logging call of a library user should not write to stderr when it is refused).
    pub fn spill_refused(mut self, on: bool) -> Self {
        self.spill_refused = on;
        self
    }

    /// Values for the stream template's static placeholders (default: this process's).
    pub fn template_values(mut self, values: TemplateValues) -> Self {
        self.values = Some(values);
        self
    }

    /// Seeds the retry jitter (default: random), for reproducible tests.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Starts the shipper as a task on the current tokio runtime.
    pub async fn build(self) -> Result<(CloudWatchSink, CloudWatchGuard), BuildError> {
        let handle = tokio::runtime::Handle::try_current().map_err(|_| BuildError::NoRuntime)?;
        let parts = self.prepare()?;
        let api = match parts.api.clone() {
            Some(api) => api,
            None => Arc::new(SdkLogsApi::load(&parts.sdk).await?),
        };
        let (sink, shipper, rx) = parts.assemble(api, false);
        handle.spawn(shipper.run(rx));
        Ok((sink.clone(), CloudWatchGuard { sink }))
    }

    /// Starts the shipper on its own thread with its own runtime, for programs without
    /// one. Blocks until the AWS configuration is loaded.
    pub fn build_blocking(self) -> Result<(CloudWatchSink, CloudWatchGuard), BuildError> {
        let parts = self.prepare()?;
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("lift-cloudwatch".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(BuildError::Thread(e)));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let api = match parts.api.clone() {
                        Some(api) => api,
                        None => match SdkLogsApi::load(&parts.sdk).await {
                            Ok(api) => Arc::new(api),
                            Err(e) => {
                                let _ = ready_tx.send(Err(e.into()));
                                return;
                            }
                        },
                    };
                    let (sink, shipper, rx) = parts.assemble(api, true);
                    if ready_tx.send(Ok(sink)).is_ok() {
                        shipper.run(rx).await;
                    }
                });
            })
            .map_err(BuildError::Thread)?;
        let sink = ready_rx
            .recv()
            .map_err(|_| BuildError::Thread(std::io::Error::other("shipper thread ended")))??;
        Ok((sink.clone(), CloudWatchGuard { sink }))
    }

    fn prepare(self) -> Result<Parts, BuildError> {
        let values = self.values.unwrap_or_else(TemplateValues::current);
        let valid = self.config.validate_with(&values)?;
        Ok(Parts {
            sdk: SdkSettings {
                endpoint_url: valid.config().endpoint_url.clone(),
                region: valid.config().region.clone(),
                emf: valid.config().emf,
            },
            valid,
            api: self.api,
            spill: self.spill.unwrap_or_else(Spill::stderr),
            spill_refused: self.spill_refused,
            seed: self.seed.unwrap_or_else(|| fastrand::u64(..)),
        })
    }
}

/// Everything needed to start, once the API client exists.
struct Parts {
    valid: ValidCloudWatchConfig,
    sdk: SdkSettings,
    api: Option<Arc<dyn LogsApi>>,
    spill: Spill,
    spill_refused: bool,
    seed: u64,
}

impl Parts {
    fn assemble(
        self,
        api: Arc<dyn LogsApi>,
        own_thread: bool,
    ) -> (CloudWatchSink, Shipper, mpsc::UnboundedReceiver<Command>) {
        let c = self.valid.config();
        let mut limits = PackerLimits {
            max_event_bytes: c.max_event_bytes,
            ..PackerLimits::default()
        };
        if let Some(days) = c.retention_days {
            limits = limits.with_retention_days(days);
        }
        let queue = Arc::new(Queue::new(QueueLimits {
            max_bytes: c.max_buffer_bytes,
            max_entries: c.max_buffer_entries,
            overflow: c.overflow,
            block_timeout: Duration::from_millis(c.block_timeout_ms),
            wake_bytes: MAX_BATCH_BYTES,
            wake_entries: MAX_BATCH_EVENTS,
        }));
        let counters = Arc::new(ShipperCounters::default());
        let cx = Arc::new(DeliveryContext {
            api,
            group: Arc::from(c.log_group.as_str()),
            create_group: c.create_group,
            retention_days: c.retention_days,
            retry: self.valid.retry(),
            counters: counters.clone(),
        });
        let settings = ShipperSettings {
            template: self.valid.template().clone(),
            packer: BatchPacker::new(limits),
            flush_interval: Duration::from_millis(c.flush_interval_ms),
            max_in_flight: c.max_in_flight,
            default_close_timeout: Duration::from_millis(c.close_timeout_ms),
            seed: self.seed,
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let refusals = self.spill_refused.then(|| RefusalSpill {
            spill: self.spill.clone(),
            group: c.log_group.clone(),
            template: self.valid.template().clone(),
        });
        let sink = CloudWatchSink {
            inner: Arc::new(Inner {
                queue: queue.clone(),
                counters,
                commands: tx,
                max_event_bytes: c.max_event_bytes,
                refusals,
                per_tenant: self.valid.template().is_per_tenant(),
                flush_timeout: Duration::from_millis(c.flush_timeout_ms),
                close_timeout: Duration::from_millis(c.close_timeout_ms),
                own_thread,
            }),
        };
        let shipper = Shipper::new(queue, cx, settings, self.spill);
        (sink, shipper, rx)
    }
}
