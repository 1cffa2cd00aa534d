//! Create, report and delete one environment's Redis cache.
//!
//! `create` converges ([`crate::converge`]): the replication group is looked up by its name; when
//! it is absent, its AUTH token secret, subnet group and slow-log group are found or made and the
//! group is created. Creation takes 5–10 minutes (docs/aws-behaviour.md, "Creation: the physical
//! floor"), so `create` answers IN_PROGRESS and the provision workflow's wait loop calls `create`
//! again until the group is `available`; then the secret is completed with the connection
//! details, its rotation every 30 days with the environment's rotation function is turned on
//! (once the database function has made that function), and the answer is READY. The secret
//! carries, from its creation on, the resource policy that lets only its readers read it.
//!
//! `status` ([`crate::status`]) only reads: it answers how far `create` got (DELETED, IN_PROGRESS
//! or READY with `create`'s outputs) and never creates, changes or deletes anything.
//!
//! The engine's slow log goes, as JSON, to the environment's own log group, made before the
//! replication group (ElastiCache delivers only to a log group that exists) and kept 14 days.
//!
//! While the environment sleeps (`asleep: true`), `create` deletes the replication group and keeps
//! the rest, and `status` judges that shape ([`crate::asleep`]); the awake `create` after it makes
//! the group again with the token the secret holds.
//!
//! `cacheMode: serverless` makes an ElastiCache Serverless Valkey cache instead of the group
//! ([`crate::serverless_converge`], [`crate::serverless_status`]): the same secret, its token the
//! password of the cache's `default` user. Which shape an action works on, and how a change of mode
//! removes the other shape, is [`crate::shape`]'s.
//!
//! `delete` ([`crate::teardown`]) removes the group (IN_PROGRESS while ElastiCache deletes it),
//! then the subnet group, then the slow-log group, then the secret without a recovery window, and
//! answers DELETED when nothing is left. ElastiCache has no deletion protection for replication
//! groups, so the spec's `deletionProtection` does not apply here.

use crate::api::Cloud;
use crate::shape::{converge, status};
use crate::teardown::delete;
use env_core::contract::Request;
use env_core::outputs::MissingOutputs;
use env_core::{Action, AwsCallError, ErrorName, NamedError, Response};

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error(transparent)]
    Aws(#[from] AwsCallError),
    #[error(transparent)]
    MissingInput(#[from] MissingOutputs),
    #[error(
        "cache {0} failed to create (create-failed); delete the environment and create it again"
    )]
    Failed(String),
    #[error("cache {0} exists but its AUTH token secret {1} does not; the token cannot be recovered: delete the environment and create it again")]
    SecretLost(String, String),
    #[error("secret {0} holds no authToken")]
    MalformedSecret(String),
}

impl NamedError for CacheError {
    fn error_name(&self) -> ErrorName {
        match self {
            CacheError::Aws(error) => error.error_name(),
            CacheError::MissingInput(_) => ErrorName::InvalidEvent,
            CacheError::Failed(_) | CacheError::SecretLost(..) | CacheError::MalformedSecret(_) => {
                ErrorName::ComponentFailed
            }
        }
    }
}

pub async fn handle<C: Cloud>(cloud: &C, request: Request) -> Result<Response, CacheError> {
    tracing::info!(environment = %request.spec.suffix(), action = ?request.action, "cache");
    match request.action {
        Action::Create => converge(cloud, &request).await,
        Action::Status => status(cloud, &request).await,
        Action::Delete => delete(cloud, &request).await,
    }
}

#[cfg(test)]
mod tests;
