//! Create, report and delete one environment's API service.
//!
//! `create` converges ([`crate::converge`]): the log groups, the two roles and their inline
//! policies (and, for blue/green, the infrastructure role ECS assumes), the cluster, the task
//! definition, the Cloud Map namespace and service, the ECS service and its autoscaling, each looked
//! up by name and created only when missing, so a retried or repeated call never makes a second
//! one. A task definition is registered again only when what it should say changed (a fingerprint
//! tag on the revision), and an existing service only gets the new revision: its desired count
//! stays what the autoscaler chose, unless it is outside the spec's bounds: below `minTasks` (a
//! claimed warm-pool environment, or one woken from sleep), the same UpdateService sets it to
//! `minTasks` before the scalable target widens. A standby spec (a warm-pool environment waiting
//! to be claimed) makes the service with no task and its autoscaling 0..0, and is READY at no
//! task running. An `asleep` spec does the same to a running service (desired count 0,
//! autoscaling 0..0) without the cache's endpoint, which a sleeping environment does not have,
//! and without a new revision: the service keeps the one it runs. The deployment strategy is a spec change like any other: an
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
use crate::settings::Settings;
use crate::status::status;
use crate::teardown::delete;
use env_core::contract::Request;
use env_core::outputs::MissingOutputs;
use env_core::settings::Misconfigured;
use env_core::{Action, AwsCallError, ErrorName, NamedError, Response};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Aws(#[from] AwsCallError),
    #[error(transparent)]
    MissingInput(#[from] MissingOutputs),
    #[error(transparent)]
    Misconfigured(#[from] Misconfigured),
    #[error("the deployment of ECS service {0} failed (the circuit breaker rolled it back)")]
    DeploymentFailed(String),
}

impl NamedError for ServiceError {
    fn error_name(&self) -> ErrorName {
        match self {
            ServiceError::Aws(error) => error.error_name(),
            ServiceError::MissingInput(_) => ErrorName::InvalidEvent,
            ServiceError::Misconfigured(error) => error.error_name(),
            ServiceError::DeploymentFailed(_) => ErrorName::ComponentFailed,
        }
    }
}

/// `settings` are the function's, as `main` read them once: `create` and `status` fail on wrong
/// ones before any AWS call; `delete` needs none.
pub async fn handle<C: Cloud>(
    cloud: &C,
    settings: &Result<Settings, Misconfigured>,
    request: Request,
) -> Result<Response, ServiceError> {
    tracing::info!(environment = %request.spec.suffix(), action = ?request.action, "service");
    let readiness = || settings.as_ref().map(|s| s.readiness).map_err(Clone::clone);
    let inputs = || Inputs::from_outputs(&request.outputs, request.spec.fields());
    match request.action {
        Action::Create => {
            let readiness = readiness()?;
            converge(cloud, &request, &inputs()?, readiness).await
        }
        Action::Status => {
            let readiness = readiness()?;
            status(cloud, &request, &inputs()?, readiness).await
        }
        // A teardown works from names alone: it may run on an environment whose earlier
        // components never finished.
        Action::Delete => delete(cloud, &request.spec).await,
    }
}

#[cfg(test)]
#[path = "handler_tests.rs"]
mod tests;
