//! Create, report and delete one environment's network.
//!
//! `create` converges ([`crate::converge`]): every step looks its resource up by name and the
//! environment tag and creates only what is missing, so a retried, resumed or repeated call never
//! makes a second VPC or NAT gateway. It answers READY, or IN_PROGRESS while something is not
//! usable yet: the private subnets' default routes wait for their NAT gateway to be `available`
//! (1.5–2 min after creation, docs/aws-behaviour.md), and a flow log can wait for a just-created
//! IAM role. The provision workflow's wait loop calls `create` again until READY, and each call
//! adds what it can.
//!
//! `status` ([`crate::status`]) only reads: it calls no method that creates, changes or deletes
//! anything, and answers DELETED, IN_PROGRESS or READY (with `create`'s outputs) from what exists.
//!
//! `delete` ([`crate::teardown`]) works through the dependency order aws-nuke and cloud-nuke use.

use crate::api::Cloud;
use crate::converge::converge;
use crate::settings::Settings;
use crate::status::status;
use crate::teardown::delete;
use env_core::contract::Request;
use env_core::settings::Misconfigured;
use env_core::{Action, AwsCallError, ErrorName, NamedError, Response};

#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    #[error(transparent)]
    Aws(#[from] AwsCallError),
    #[error("{region} lists {found} available availability zones; an environment needs 3")]
    TooFewZones { region: &'static str, found: usize },
    #[error("NAT gateway {0} failed; delete the environment and create it again")]
    NatFailed(String),
    #[error(transparent)]
    Misconfigured(#[from] Misconfigured),
}

impl NamedError for NetworkError {
    fn error_name(&self) -> ErrorName {
        match self {
            NetworkError::Aws(error) => error.error_name(),
            NetworkError::TooFewZones { .. } | NetworkError::NatFailed(_) => {
                ErrorName::ComponentFailed
            }
            NetworkError::Misconfigured(error) => error.error_name(),
        }
    }
}

/// `settings` are the function's, as `main` read them once: `create` fails on wrong ones before any
/// AWS call; `status` and `delete` need none.
pub async fn handle<C: Cloud>(
    cloud: &C,
    settings: &Result<Settings, Misconfigured>,
    request: Request,
) -> Result<Response, NetworkError> {
    tracing::info!(environment = %request.spec.suffix(), action = ?request.action, "network");
    match request.action {
        Action::Create => {
            settings.as_ref().map_err(Clone::clone)?;
            converge(cloud, &request).await
        }
        Action::Status => status(cloud, &request).await,
        Action::Delete => delete(cloud, &request.spec).await,
    }
}

#[cfg(test)]
#[path = "handler_tests.rs"]
pub(crate) mod tests;
