//! The rotation function's errors and the stable names the Lambda reports them under.

use crate::cache::TokenRejected;
use crate::database::DbError;
use crate::secret::InvalidSecret;
use env_core::settings::Misconfigured;
use env_core::{AwsCallError, ErrorName, NamedError};

#[derive(Debug, thiserror::Error)]
pub enum RotationError {
    #[error("rotation is not enabled for secret {secret_id}")]
    RotationDisabled { secret_id: String },
    #[error("secret {secret_id} has no version {token}")]
    UnknownToken { secret_id: String, token: String },
    #[error("version {token} of secret {secret_id} is not AWSPENDING")]
    NotPending { secret_id: String, token: String },
    #[error("the {which} secret has no value: {secret_id}")]
    MissingValue {
        which: &'static str,
        secret_id: String,
    },
    #[error("the {which} secret is not valid: {problem}")]
    InvalidSecret {
        which: &'static str,
        #[source]
        problem: InvalidSecret,
    },
    /// The pending secret would change a user or a host it must not: refused before any login.
    #[error("the pending secret does not match the current one: {0}")]
    PendingMismatch(String),
    /// The master secret names another server or database, or one of the two rotated users.
    #[error("the master secret does not fit the rotated secret: {0}")]
    MasterMismatch(String),
    /// Alternating users: a role this function would alter or log in as is not provably the
    /// application's user or the clone this function created.
    #[error("role {role:?} is not one this rotation may use: {problem}")]
    NotOurRole { role: String, problem: String },
    #[error("none of the pending, current, previous or recent credentials of {username:?} log in")]
    NoWorkingLogin {
        username: String,
        #[source]
        last: DbError,
    },
    #[error("the {which} credentials do not work")]
    Login {
        which: &'static str,
        #[source]
        source: DbError,
    },
    #[error("the Redis server does not take the {which} token")]
    TokenRejected {
        which: &'static str,
        #[source]
        source: TokenRejected,
    },
    /// setSecret added the token, and the group had not applied it when its wait ended.
    #[error("replication group {group} has not applied the new token yet ({why}); Secrets Manager retries the rotation")]
    TokenNotYetAccepted { group: String, why: String },
    /// Adding a token would drop the one tasks of this service may still hold.
    #[error("tasks of ECS service {service} may hold the token the next one would drop; they are being replaced, and Secrets Manager retries the rotation")]
    TasksHoldAnOldToken { service: String },
    #[error(transparent)]
    Aws(#[from] AwsCallError),
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("the rotation function is misconfigured")]
    Misconfigured(#[source] Misconfigured),
}

impl NamedError for RotationError {
    fn error_name(&self) -> ErrorName {
        match self {
            // Secrets Manager sent a step the secret's state does not allow: a protocol violation.
            RotationError::RotationDisabled { .. }
            | RotationError::UnknownToken { .. }
            | RotationError::NotPending { .. } => ErrorName::InvalidEvent,
            RotationError::Aws(error) => error.error_name(),
            RotationError::Database(error) | RotationError::Login { source: error, .. } => {
                error.error_name()
            }
            RotationError::Misconfigured(_) => ErrorName::Misconfigured,
            RotationError::TokenRejected {
                source: TokenRejected::Unreachable(_),
                ..
            }
            | RotationError::TokenNotYetAccepted { .. }
            | RotationError::TasksHoldAnOldToken { .. } => ErrorName::Retryable,
            RotationError::TokenRejected { .. } => ErrorName::ComponentFailed,
            // The secret or the database is in a state retrying will not change.
            RotationError::MissingValue { .. }
            | RotationError::InvalidSecret { .. }
            | RotationError::PendingMismatch(_)
            | RotationError::MasterMismatch(_)
            | RotationError::NotOurRole { .. }
            | RotationError::NoWorkingLogin { .. } => ErrorName::ComponentFailed,
        }
    }
}
