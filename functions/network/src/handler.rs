//! Create, report and delete one environment's network.
//!
//! `create` and `status` run the same convergence ([`crate::converge`]): every step looks its
//! resource up by name and the environment tag and creates only what is missing, so a retried,
//! resumed or repeated call never makes a second VPC or NAT gateway. The private subnets' default
//! routes wait for their NAT gateway to be `available` (1.5–2 min after creation,
//! docs/aws-behaviour.md), which is why `status` converges too: it adds those routes once it can,
//! and reports READY only when every NAT gateway is available (and the flow log, which a
//! just-created IAM role can delay, exists).
//!
//! `delete` ([`crate::teardown`]) works through the dependency order aws-nuke and cloud-nuke use.

use crate::api::Cloud;
use crate::converge::converge;
use crate::teardown::delete;
use env_core::contract::Request;
use env_core::{Action, AwsCallError, ErrorName, NamedError, Response};

#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    #[error(transparent)]
    Aws(#[from] AwsCallError),
    #[error("{region} lists {found} available availability zones; an environment needs 3")]
    TooFewZones { region: &'static str, found: usize },
    #[error("NAT gateway {0} failed; delete the environment and create it again")]
    NatFailed(String),
}

impl NamedError for NetworkError {
    fn error_name(&self) -> ErrorName {
        match self {
            NetworkError::Aws(error) => error.error_name(),
            NetworkError::TooFewZones { .. } | NetworkError::NatFailed(_) => {
                ErrorName::ComponentFailed
            }
        }
    }
}

pub async fn handle<C: Cloud>(cloud: &C, request: Request) -> Result<Response, NetworkError> {
    tracing::info!(environment = %request.spec.suffix(), action = ?request.action, "network");
    match request.action {
        Action::Create | Action::Status => converge(cloud, &request).await,
        Action::Delete => delete(cloud, &request.spec).await,
    }
}

#[cfg(test)]
#[path = "handler_tests.rs"]
mod tests;
