//! Create, report and delete one environment's API service.
//!
//! `create` converges ([`crate::converge`]): the log groups, the two roles and their inline
//! policies (and, for blue/green, the infrastructure role ECS assumes), the cluster, the task
//! definition, the Cloud Map namespace and service, the ECS service and its autoscaling, each looked
//! up by name and created only when missing, so a retried or repeated call never makes a second
//! one. A task definition is registered again only when what it should say changed (a fingerprint
//! tag on the revision), and an existing service only gets the new revision: its desired count
//! stays what the autoscaler chose. The deployment strategy is a spec change like any other: an
//! existing service whose strategy differs is switched by UpdateService. It answers READY or
//! IN_PROGRESS, and the provision workflow's wait loop calls `create` again until READY.
//!
//! `status` ([`crate::status`]) only reads: it looks the same resources up and answers READY (with
//! `create`'s outputs) when a `create` would change nothing and the service is ready, IN_PROGRESS
//! while something is missing or pending, DELETED when nothing is left. It never creates,
//! changes or deletes anything.
//!
//! `delete` ([`crate::teardown`]) removes the autoscaling, scales the service to 0 and deletes it
//! with force, and then, once ECS has drained it, everything else. It reports DELETED only from a
//! call that found nothing.

use crate::api::Cloud;
use crate::converge::converge;
use crate::inputs::Inputs;
use crate::status::status;
use crate::teardown::delete;
use env_core::contract::Request;
use env_core::outputs::MissingOutputs;
use env_core::{Action, AwsCallError, ErrorName, NamedError, Response};

/// The environment variable that tells the function how to judge READY.
pub const READINESS_SETTING: &str = "SERVICE_READY_WHEN";

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Aws(#[from] AwsCallError),
    #[error(transparent)]
    MissingInput(#[from] MissingOutputs),
    #[error("{READINESS_SETTING} is {0:?}; allowed: `steady` (the default) or `accepted`")]
    Misconfigured(String),
    #[error("the deployment of ECS service {0} failed (the circuit breaker rolled it back)")]
    DeploymentFailed(String),
}

impl NamedError for ServiceError {
    fn error_name(&self) -> ErrorName {
        match self {
            ServiceError::Aws(error) => error.error_name(),
            ServiceError::MissingInput(_) => ErrorName::InvalidEvent,
            ServiceError::Misconfigured(_) => ErrorName::Misconfigured,
            ServiceError::DeploymentFailed(_) => ErrorName::ComponentFailed,
        }
    }
}

/// When `create` and `status` answer READY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// AWS's "services stable": the service is ACTIVE, its running count is its desired count and
    /// its deployment rolled out.
    Steady,
    /// The service is ACTIVE with a deployment that has not failed. For emulators, which never run
    /// tasks (moto: tools/emulator/README.md), so that the local lifecycle can finish.
    Accepted,
}

impl Readiness {
    pub fn parse(setting: Option<&str>) -> Result<Self, ServiceError> {
        match setting {
            None | Some("steady") => Ok(Readiness::Steady),
            Some("accepted") => Ok(Readiness::Accepted),
            Some(other) => Err(ServiceError::Misconfigured(other.to_owned())),
        }
    }
}

/// `setting` is the value of [`READINESS_SETTING`], read once by `main`.
pub async fn handle<C: Cloud>(
    cloud: &C,
    setting: Option<&str>,
    request: Request,
) -> Result<Response, ServiceError> {
    tracing::info!(environment = %request.spec.suffix(), action = ?request.action, "service");
    let readiness = Readiness::parse(setting)?;
    let strategy = request.spec.fields().deployment_strategy;
    let inputs = || Inputs::from_outputs(&request.outputs, strategy);
    match request.action {
        Action::Create => converge(cloud, &request, &inputs()?, readiness).await,
        Action::Status => status(cloud, &request, &inputs()?, readiness).await,
        // A teardown works from names alone: it may run on an environment whose earlier
        // components never finished.
        Action::Delete => delete(cloud, &request.spec).await,
    }
}

#[cfg(test)]
#[path = "handler_tests.rs"]
mod tests;
