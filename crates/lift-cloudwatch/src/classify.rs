//! Error classification: what a failed call means for the batch, apart from *when* to retry.
//!
//! [`classify`] maps an [`ApiError`] to a [`Disposition`]; the backoff schedule lives in
//! [`crate::retry`]. Keeping the two apart (as Vector does) means a new error code changes
//! one table, and the schedule is tested without any errors at all. The table follows
//! `docs/aws-facts.md`: throttling, 5xx, timeouts and connection failures are retried
//! (timeouts and broken connections may have committed, so a retry can duplicate — at least
//! once, never lost); a missing group or stream is created and the batch replayed; a request
//! that broke a rule or was denied is not retried as-is.

use crate::error::{ApiError, ApiErrorKind};

/// What to do with a batch after a failed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum Disposition {
    /// Try the same batch again after a backoff delay.
    Retry {
        /// The call may have been committed (timeout, broken connection): the retry can
        /// deliver the batch twice.
        may_have_committed: bool,
        /// The service asked us to slow down.
        throttled: bool,
    },
    /// Create the missing group and/or stream, then replay the batch.
    CreateResources,
    /// Do not retry: the batch is refused (bad request, denied, limit). Count and report.
    Refuse,
}

/// Classifies one failed `PutLogEvents` call.
pub(crate) fn classify(error: &ApiError) -> Disposition {
    match error.kind() {
        ApiErrorKind::ResourceNotFound => Disposition::CreateResources,
        ApiErrorKind::Throttled => Disposition::Retry {
            may_have_committed: false,
            throttled: true,
        },
        ApiErrorKind::ServiceFailure => Disposition::Retry {
            may_have_committed: false,
            throttled: false,
        },
        ApiErrorKind::Timeout | ApiErrorKind::Connection | ApiErrorKind::Other => {
            Disposition::Retry {
                may_have_committed: true,
                throttled: false,
            }
        }
        ApiErrorKind::InvalidRequest
        | ApiErrorKind::AccessDenied
        | ApiErrorKind::LimitExceeded
        // A put never answers "already exists"; if it does, the request was wrong.
        | ApiErrorKind::ResourceAlreadyExists => Disposition::Refuse,
    }
}

/// What a failed create call (`CreateLogGroup`, `CreateLogStream`, `PutRetentionPolicy`)
/// means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum CreateOutcome {
    /// The resource exists now (created, or it already existed).
    Exists,
    /// The parent is missing (creating a stream in a missing group).
    ParentMissing,
    /// Transient: retry after a backoff delay.
    Retry,
    /// Will not succeed as-is (denied, invalid name, too many groups).
    Refuse,
}

/// Classifies the result of a create call. `LimitExceededException` on `CreateLogGroup` is
/// a quota, not throttling (the SDK's own retry classifier gets this wrong), so it refuses.
pub(crate) fn classify_create(result: &Result<(), ApiError>) -> CreateOutcome {
    match result {
        Ok(()) => CreateOutcome::Exists,
        Err(e) => match e.kind() {
            ApiErrorKind::ResourceAlreadyExists => CreateOutcome::Exists,
            ApiErrorKind::ResourceNotFound => CreateOutcome::ParentMissing,
            ApiErrorKind::Throttled
            | ApiErrorKind::ServiceFailure
            | ApiErrorKind::Timeout
            | ApiErrorKind::Connection
            | ApiErrorKind::Other => CreateOutcome::Retry,
            ApiErrorKind::InvalidRequest
            | ApiErrorKind::AccessDenied
            | ApiErrorKind::LimitExceeded => CreateOutcome::Refuse,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(kind: ApiErrorKind) -> ApiError {
        ApiError::new(kind, "PutLogEvents", "x")
    }

    #[test]
    fn transient_failures_are_retried_and_flag_possible_commits() {
        assert_eq!(
            classify(&err(ApiErrorKind::Throttled)),
            Disposition::Retry {
                may_have_committed: false,
                throttled: true
            }
        );
        for kind in [ApiErrorKind::Timeout, ApiErrorKind::Connection] {
            assert!(matches!(
                classify(&err(kind)),
                Disposition::Retry {
                    may_have_committed: true,
                    ..
                }
            ));
        }
        assert!(matches!(
            classify(&err(ApiErrorKind::ServiceFailure)),
            Disposition::Retry { .. }
        ));
    }

    #[test]
    fn missing_resources_are_created_and_rule_breaks_are_refused() {
        assert_eq!(
            classify(&err(ApiErrorKind::ResourceNotFound)),
            Disposition::CreateResources
        );
        for kind in [
            ApiErrorKind::InvalidRequest,
            ApiErrorKind::AccessDenied,
            ApiErrorKind::LimitExceeded,
        ] {
            assert_eq!(classify(&err(kind)), Disposition::Refuse);
        }
    }

    #[test]
    fn already_exists_is_success_for_creates_and_limit_exceeded_is_not_throttling() {
        assert_eq!(classify_create(&Ok(())), CreateOutcome::Exists);
        assert_eq!(
            classify_create(&Err(err(ApiErrorKind::ResourceAlreadyExists))),
            CreateOutcome::Exists
        );
        assert_eq!(
            classify_create(&Err(err(ApiErrorKind::LimitExceeded))),
            CreateOutcome::Refuse
        );
        assert_eq!(
            classify_create(&Err(err(ApiErrorKind::ResourceNotFound))),
            CreateOutcome::ParentMissing
        );
        assert_eq!(
            classify_create(&Err(err(ApiErrorKind::Throttled))),
            CreateOutcome::Retry
        );
    }
}
