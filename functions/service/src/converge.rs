//! `create`: every resource of the service, each looked up by name and made or put right only when
//! it differs, in the order each needs the one before. The workflow's wait loop calls `create`
//! again until it answers READY, so each call goes on from where the last one stopped.

use crate::api::Cloud;
use crate::deployment::{self, Rollout};
use crate::discovery;
use crate::handler::ServiceError;
use crate::inputs::Inputs;
use crate::outputs::{outputs, Known};
use crate::settings::Readiness;
use crate::{cluster, logs, roles, scaling, task};
use env_core::context::Context;
use env_core::contract::Request;
use env_core::naming::NameKind;
use env_core::{Response, Status};

pub async fn converge<C: Cloud>(
    cloud: &C,
    request: &Request,
    inputs: &Inputs,
    readiness: Readiness,
) -> Result<Response, ServiceError> {
    let cx = Context::new(cloud, request).with(inputs);
    logs::ensure(&cx).await?;
    let roles = roles::ensure(&cx).await?;
    let cluster = cluster::ensure(cloud, cx.names, &cx.tags).await?;
    let task_definition = task::wanted(&cx, &roles).await?;
    let known = Known::all(&task_definition, &roles);
    let outputs = outputs(cx.names, cx.fields().deployment_strategy, &known);
    let Some(registry) = discovery::ensure(&cx).await? else {
        return Ok(Response::new(Status::InProgress, outputs));
    };
    let rollout = deployment::ensure(&cx, &cluster, &task_definition, &registry.arn).await?;
    let Rollout::Running { service, updated } = rollout else {
        return Ok(Response::new(Status::InProgress, outputs));
    };
    scaling::ensure(cloud, cx.names, cx.fields()).await?;

    if service.rollout.as_deref() == Some("FAILED") {
        return Err(ServiceError::DeploymentFailed(
            cx.names.of(NameKind::EcsService),
        ));
    }
    let ready = !updated && deployment::is_ready(&service, readiness, cx.fields());
    tracing::info!(
        running = service.running_count,
        desired = service.desired_count,
        rollout = ?service.rollout,
        ready,
        "service"
    );
    let status = if ready {
        Status::Ready
    } else {
        Status::InProgress
    };
    Ok(Response::new(status, outputs))
}
