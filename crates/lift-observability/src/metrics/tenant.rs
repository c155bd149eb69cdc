//! The tenant dimension's cardinality budget.
//!
//! Every distinct dimension value is a billed CloudWatch metric, so per-tenant metrics can
//! become a surprise bill. The budget admits up to `limit` distinct tenants per window
//! (default one minute, CloudWatch's standard resolution); a tenant admitted in a window
//! keeps its own dimension value for the rest of it, and every other tenant is folded into
//! [`OTHER_TENANT`] with its real id kept as a property, and counted. Tenant ids that are
//! not valid dimension values (non-ASCII, too long) are folded the same way.

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::rules;

/// The dimension value tenants past the budget share.
pub const OTHER_TENANT: &str = "__other__";

/// Distinct tenants admitted per window, shared by every aggregator of one [`super::Metrics`].
#[derive(Debug)]
pub(crate) struct TenantBudget {
    limit: usize,
    window_ms: i64,
    state: Mutex<Window>,
    overflow: AtomicU64,
}

#[derive(Debug, Default)]
struct Window {
    started_ms: i64,
    admitted: HashSet<Box<str>>,
}

impl TenantBudget {
    pub(crate) fn new(limit: usize, window: Duration) -> Self {
        Self {
            limit,
            window_ms: i64::try_from(window.as_millis()).unwrap_or(i64::MAX).max(1),
            state: Mutex::new(Window::default()),
            overflow: AtomicU64::new(0),
        }
    }

    /// The dimension value for `tenant` at `now_ms`: the id itself, or [`OTHER_TENANT`].
    pub(crate) fn dimension_value<'a>(&self, tenant: &'a str, now_ms: i64) -> &'a str {
        if rules::check_dimension_value(tenant).is_err() {
            self.overflow.fetch_add(1, Ordering::Relaxed);
            return OTHER_TENANT;
        }
        let mut w = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if now_ms.saturating_sub(w.started_ms) >= self.window_ms || now_ms < w.started_ms {
            w.started_ms = now_ms;
            w.admitted.clear();
        }
        if w.admitted.contains(tenant) {
            return tenant;
        }
        if w.admitted.len() < self.limit {
            w.admitted.insert(tenant.into());
            return tenant;
        }
        self.overflow.fetch_add(1, Ordering::Relaxed);
        OTHER_TENANT
    }

    /// Tenants folded into [`OTHER_TENANT`] so far.
    pub(crate) fn overflow(&self) -> u64 {
        self.overflow.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenants_past_the_budget_share_one_value_until_the_window_ends() {
        let b = TenantBudget::new(2, Duration::from_secs(60));
        assert_eq!(b.dimension_value("a", 0), "a");
        assert_eq!(b.dimension_value("b", 1), "b");
        assert_eq!(b.dimension_value("c", 2), OTHER_TENANT);
        assert_eq!(b.dimension_value("a", 3), "a");
        assert_eq!(b.overflow(), 1);
        assert_eq!(b.dimension_value("c", 60_000), "c");
        assert_eq!(b.dimension_value("tenänt", 60_001), OTHER_TENANT);
        assert_eq!(b.overflow(), 2);
    }
}
