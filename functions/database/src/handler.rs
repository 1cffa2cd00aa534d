//! Create, report and delete one environment's Aurora PostgreSQL Serverless v2 cluster: the
//! request's action goes to its step, with the constants and the error every step shares.
//!
//! `create` converges ([`crate::converge`]), one module per resource: [`crate::subnet_group`],
//! [`crate::parameter_group`], [`crate::cluster`], [`crate::instances`], the master secret's
//! rotation schedule ([`crate::master_secret`]) and the application's credentials
//! ([`crate::credentials`]).
//!
//! `status` only reads ([`crate::status`]): it answers what `create` would be READY on without
//! creating, changing or deleting anything.
//!
//! `delete` follows the order RDS enforces ([`crate::teardown`]).

use crate::api::Cloud;
use crate::converge::converge;
use crate::inputs::Network;
use crate::settings::Settings;
use crate::status::status;
use crate::teardown::delete;
use env_core::contract::Request;
use env_core::outputs::MissingOutputs;
use env_core::settings::Misconfigured;
use env_core::{Action, AwsCallError, ErrorName, NamedError, Response};

pub const ENGINE: &str = "aurora-postgresql";
/// The cluster parameter group family of Aurora PostgreSQL 16 (RDS user guide, "Working with
/// parameter groups"): a new cluster gets the newest 16.x RDS offers ([`crate::engine`]); auto
/// minor version upgrades keep it current afterwards.
pub const PARAMETER_FAMILY: &str = "aurora-postgresql16";
/// Aurora Serverless v2 instances have this one class (Aurora user guide, "Using Aurora
/// Serverless v2").
pub const INSTANCE_CLASS: &str = "db.serverless";
/// docs/compliance.md RDS.11: backups kept at least 7 days.
pub const BACKUP_RETENTION_DAYS: i32 = 7;
/// The request's rotation period for database credentials (docs/requirements.md), within the 90
/// days of docs/compliance.md SecretsManager.4.
pub const ROTATION_DAYS: i64 = 30;
/// docs/compliance.md RDS.24: not `postgres` or `admin`.
pub const MASTER_USERNAME: &str = "catalog_admin";
pub const DATABASE_NAME: &str = "catalog";
pub const PORT: i32 = 5432;
/// The reader's failover priority: tier 0 and 1 readers scale with the writer (Aurora user
/// guide, "Choosing the promotion tier for an Aurora Serverless v2 reader").
pub const READER_PROMOTION_TIER: i32 = 1;
pub const WRITER_PROMOTION_TIER: i32 = 0;

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error(transparent)]
    Aws(#[from] AwsCallError),
    #[error(transparent)]
    MissingInput(#[from] MissingOutputs),
    #[error("Aurora cluster {0} has deletion protection on; set forceDestroy to delete it")]
    DeletionProtected(String),
    #[error("{0} is in state {1}; delete the environment and create it again")]
    Failed(String, String),
    #[error(transparent)]
    Misconfigured(#[from] Misconfigured),
    #[error("secret {0} was created or scheduled for deletion meanwhile; the next call restores or uses it")]
    SecretInTransition(String, #[source] AwsCallError),
    #[error("the new rotation role is not usable by Lambda yet (IAM is eventually consistent); retry in a few seconds")]
    RoleNotAssumableYet(#[source] AwsCallError),
    #[error("{0} was created but is not visible yet")]
    NotVisibleYet(String),
    #[error("RDS offers no available {0} engine version that scales between {1} and {2} ACUs")]
    NoEngineVersion(&'static str, f64, f64),
    /// No state to wait in: RDS deletes the secret only with the cluster, so someone deleted it by
    /// hand, and the rotation function can no longer log in as the master.
    #[error("the master user's secret {0}, which RDS manages for the cluster, is gone or scheduled for deletion; restore it, or have RDS manage the master password again")]
    MasterSecretGone(String),
}

impl NamedError for DatabaseError {
    fn error_name(&self) -> ErrorName {
        match self {
            DatabaseError::Aws(error) => error.error_name(),
            DatabaseError::MissingInput(_) => ErrorName::InvalidEvent,
            DatabaseError::DeletionProtected(_) => ErrorName::DeletionProtected,
            DatabaseError::Failed(..)
            | DatabaseError::NoEngineVersion(..)
            | DatabaseError::MasterSecretGone(_) => ErrorName::ComponentFailed,
            DatabaseError::Misconfigured(_) => ErrorName::Misconfigured,
            DatabaseError::SecretInTransition(..)
            | DatabaseError::RoleNotAssumableYet(_)
            | DatabaseError::NotVisibleYet(_) => ErrorName::Retryable,
        }
    }
}

pub async fn handle<C: Cloud>(
    cloud: &C,
    settings: &Result<Settings, Misconfigured>,
    request: Request,
) -> Result<Response, DatabaseError> {
    tracing::info!(environment = %request.spec.suffix(), action = ?request.action, "database");
    match request.action {
        Action::Create => {
            let settings = settings.as_ref().map_err(Clone::clone)?;
            let network = Network::from_outputs(&request.outputs)?;
            converge(cloud, &request, settings, &network).await
        }
        // Reads by name only: the network's outputs are not needed.
        Action::Status => {
            let settings = settings.as_ref().map_err(Clone::clone)?;
            status(cloud, &request.spec, settings).await
        }
        Action::Delete => delete(cloud, &request).await,
    }
}

#[cfg(test)]
pub(crate) mod tests;
