//! `create` and `status`: every resource of the service, each looked up by name and made or put
//! right only when it differs, in the order each needs the one before.

use crate::api::Cloud;
use crate::deployment::{self, Rollout};
use crate::discovery::{self, DISCOVERY_SERVICE};
use crate::handler::{Readiness, ServiceError};
use crate::inputs::Inputs;
use crate::roles::TaskRoles;
use crate::{cluster, logs, roles, scaling, task};
use env_core::context::Context;
use env_core::contract::{Outputs, Request};
use env_core::naming::NameKind;
use env_core::{Response, Status};
use serde_json::json;

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
    let task_definition = task::ensure(&cx, &roles).await?;
    let outputs = outputs(&cx, &task_definition, &roles);
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
    let ready = !updated && deployment::is_ready(&service, readiness);
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

/// Everything the outputs name, from names and ARNs known before the service exists.
fn outputs<C>(cx: &Context<'_, C, &Inputs>, task_definition: &str, roles: &TaskRoles) -> Outputs {
    let names = cx.names;
    let mut outputs = Outputs::new();
    outputs.insert("clusterName".into(), json!(names.of(NameKind::EcsCluster)));
    outputs.insert("serviceName".into(), json!(names.of(NameKind::EcsService)));
    outputs.insert(
        "serviceLogGroup".into(),
        json!(names.of(NameKind::ServiceLogGroup)),
    );
    outputs.insert(
        "serviceDiscoveryName".into(),
        json!(format!(
            "{DISCOVERY_SERVICE}.{}",
            names.of(NameKind::DiscoveryNamespace)
        )),
    );
    outputs.insert("taskDefinitionArn".into(), json!(task_definition));
    outputs.insert("executionRoleArn".into(), json!(roles.execution));
    outputs.insert("taskRoleArn".into(), json!(roles.task));
    outputs.insert(
        "deploymentStrategy".into(),
        json!(cx.fields().deployment_strategy),
    );
    outputs
}
