//! How the cleanup fails: its own settings are wrong, or an AWS call failed (throttling is retried by
//! the schedule's next run or its retry policy; every step is safe to repeat).

use env_core::error::{ErrorName, NamedError};
use env_core::settings::Misconfigured;
use env_core::AwsCallError;

#[derive(Debug, thiserror::Error)]
pub enum CleanupError {
    #[error(transparent)]
    Misconfigured(#[from] Misconfigured),
    #[error(transparent)]
    Aws(#[from] AwsCallError),
}

impl NamedError for CleanupError {
    fn error_name(&self) -> ErrorName {
        match self {
            CleanupError::Misconfigured(error) => error.error_name(),
            CleanupError::Aws(error) => error.error_name(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use env_core::error::aws_failure;

    #[test]
    fn aws_failures_keep_their_own_name() {
        let throttled = CleanupError::from(aws_failure("GetResources", "ThrottlingException"));
        assert_eq!(throttled.error_name(), ErrorName::Retryable);
        let denied = CleanupError::from(aws_failure("StartExecution", "AccessDeniedException"));
        assert_eq!(denied.error_name(), ErrorName::AwsRejected);
        assert!(denied.to_string().contains("AccessDeniedException"));
    }
}
