//! How an invocation of the guard fails: its settings, an AWS call, or (for `admit`) a teardown of
//! the environment that runs, under the stable name `TeardownRunning` the workflows catch.

use env_core::error::{ErrorName, NamedError};
use env_core::settings::Misconfigured;
use env_core::AwsCallError;

#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    #[error(transparent)]
    Misconfigured(#[from] Misconfigured),
    #[error(transparent)]
    Aws(#[from] AwsCallError),
    /// A stop refused while the execution is still listed running. The listing may be stale
    /// (ListExecutions is eventually consistent) and StopExecution documents no answer for an
    /// execution that has just ended, so the workflow asks again (`Retryable`) rather than fail
    /// the teardown at its first step; a refusal that lasts ends the teardown once its retries are
    /// spent, naming it.
    #[error("stopping {execution} was refused while it is still listed running: {source}")]
    StopRefused {
        execution: String,
        source: AwsCallError,
    },
    /// `environment pr-42 is being torn down by execution cleanup-pr-42-20261207T0600Z (started
    /// 2026-12-07T06:00:01Z): the provision is refused; run it again once the teardown has ended`.
    #[error("environment {environment} is being torn down by execution {teardown} (started {started}): the {refused} is refused; run it again once the teardown has ended")]
    TeardownRunning {
        environment: String,
        teardown: String,
        /// RFC 3339, to the second.
        started: String,
        /// `provision` or `claim`: what the refused execution is.
        refused: &'static str,
    },
}

impl NamedError for GuardError {
    fn error_name(&self) -> ErrorName {
        match self {
            GuardError::Misconfigured(error) => error.error_name(),
            GuardError::Aws(error) => error.error_name(),
            GuardError::StopRefused { .. } => ErrorName::Retryable,
            GuardError::TeardownRunning { .. } => ErrorName::TeardownRunning,
        }
    }
}
