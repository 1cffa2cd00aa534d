//! The ECS service: created with the wanted revision and strategy, or rolled onto them.

use crate::api::{BlueGreen, CallResult, Cloud, EcsCalls, EcsService, ServiceSpec};
use crate::inputs::Inputs;
use crate::settings::Readiness;
use crate::task::CONTAINER_NAME;
use crate::{roles, scaling};
use env_core::context::Context;
use env_core::naming::{NameKind, Names};
use env_core::spec::SpecFields;

/// How long a blue/green deployment keeps the old revision after production traffic moved, so a
/// rollback is instant: short, as PR environments see little traffic to judge by (ECS API
/// reference, `DeploymentConfiguration.bakeTimeInMinutes`, 0–1440).
pub const BAKE_TIME_MINUTES: i32 = 5;
/// Time a new task gets before failed load balancer health checks count: a Node.js API that
/// connects to Aurora and Redis at start-up needs well under a minute.
pub const HEALTH_CHECK_GRACE_SECONDS: i32 = 60;

/// Where the ECS service stands after a call.
pub enum Rollout {
    /// A teardown's deletion still draining: the name is free once it is INACTIVE.
    Draining,
    /// The service as found or created; `updated` when this call changed its strategy or revision.
    Running { service: EcsService, updated: bool },
}

/// The service on `task_definition`, registered in discovery service `registry_arn`.
pub async fn ensure<C: Cloud>(
    cx: &Context<'_, C, &Inputs>,
    cluster: &str,
    task_definition: &str,
    registry_arn: &str,
) -> CallResult<Rollout> {
    let ecs = cx.cloud.ecs();
    let wanted = wanted(cx, cluster, task_definition, registry_arn).await?;
    let found = ecs.service(cluster, &wanted.name).await?;
    let mut updated = false;
    let service = match found {
        Some(service) if service.status == "ACTIVE" => {
            // The strategy first: the new revision, if any, then deploys the wanted way.
            if deploys_blue_green(&service) != wanted.blue_green.is_some() {
                ecs.update_deployment(&wanted).await?;
                updated = true;
            }
            // A claimed warm-pool or woken environment runs no task yet: the same UpdateService
            // that rolls it onto this revision starts minTasks tasks, so the claim or wake waits
            // for one rollout, not two. The scalable target widens only afterwards (the caller's
            // `scaling::ensure`), so the autoscaler never acts on a service still at 0.
            let count = count_change(&service, cx.fields());
            if service.task_definition != task_definition {
                ecs.update_task_definition(cluster, &wanted.name, task_definition, count)
                    .await?;
                updated = true;
            } else if let Some(count) = count {
                // The same revision (a sleeping service keeps its own; a claim with the pool's
                // image): UpdateService with the desired count alone, which changes how many
                // tasks run and starts no new deployment (ECS API reference, UpdateService:
                // "You can add to or subtract from the number of instantiations of a task
                // definition in a service by specifying ... a new desiredCount parameter").
                ecs.scale_service(cluster, &wanted.name, count).await?;
                updated = true;
            }
            service
        }
        Some(service) if service.status == "DRAINING" => return Ok(Rollout::Draining),
        _ => ecs.create_service(&wanted, &cx.tags).await?,
    };
    Ok(Rollout::Running { service, updated })
}

/// What the service should be; for blue/green, with the infrastructure role made first.
async fn wanted<C: Cloud>(
    cx: &Context<'_, C, &Inputs>,
    cluster: &str,
    task_definition: &str,
    registry_arn: &str,
) -> CallResult<ServiceSpec> {
    let (inputs, fields) = (cx.inputs, cx.fields());
    let blue_green = match &inputs.blue_green {
        Some(blue_green) => Some(BlueGreen {
            alternate_target_group_arn: blue_green.green_target_group.clone(),
            production_listener_rule: blue_green.production_rule.clone(),
            test_listener_rule: blue_green.test_rule.clone(),
            role_arn: roles::infrastructure(cx, blue_green).await?,
            bake_time_minutes: BAKE_TIME_MINUTES,
        }),
        None => None,
    };
    Ok(ServiceSpec {
        cluster: cluster.to_owned(),
        name: cx.names.of(NameKind::EcsService),
        task_definition: task_definition.to_owned(),
        // ECS keeps this many tasks running; 0 for a standby environment (ECS API reference,
        // CreateService, `desiredCount`).
        desired_count: scaling::bounds(fields).0,
        subnets: inputs.private_subnets.clone(),
        security_group: inputs.service_group.clone(),
        target_group_arn: inputs.blue_target_group.clone(),
        container_name: CONTAINER_NAME.to_owned(),
        container_port: i32::from(fields.container_port.get()),
        registry_arn: registry_arn.to_owned(),
        grace_period_seconds: HEALTH_CHECK_GRACE_SECONDS,
        // Updates that never drop below the desired count, rolled back when the new tasks do not
        // become healthy.
        rollback_on_failure: true,
        deployment_percents: (100, 200),
        blue_green,
    })
}

/// Whether the service deploys blue/green now. AWS always reports the strategy (`ROLLING` unless
/// set). moto 5.2 keeps the load balancer's `advancedConfiguration` but drops the
/// `deploymentConfiguration` CreateService was given (the integration tests show it), so without a
/// reported strategy the alternate target group decides.
pub fn deploys_blue_green(service: &EcsService) -> bool {
    match service.strategy.as_deref() {
        Some(strategy) => strategy == "BLUE_GREEN",
        None => service.alternate_target_group.is_some(),
    }
}

/// The count an ACTIVE service must be brought to when it wants one outside the spec's bounds:
/// `minTasks` when it wants fewer (a claimed warm-pool environment, created with none, or one
/// woken from sleep), 0 when a sleeping spec's bounds are 0..0 and it still wants tasks. Within
/// the bounds, the count is the autoscaler's and stays as it is.
pub fn count_change(service: &EcsService, fields: &SpecFields) -> Option<i32> {
    let (min, max) = scaling::bounds(fields);
    let count = service.desired_count.max(min).min(max);
    (count != service.desired_count).then_some(count)
}

/// A service that should run no task (standby or asleep) is ready once it wants none and runs
/// none, whatever its rollout state: AWS documents no rollout outcome for a deployment of zero
/// tasks (the circuit breaker's threshold, "0.5 * desired task count" with a minimum of 3, can
/// never trip with none), so waiting for COMPLETED could hold a pool fill or a sleep until its
/// loop gives up.
pub fn is_ready(service: &EcsService, readiness: Readiness, fields: &SpecFields) -> bool {
    match readiness {
        Readiness::Steady if scaling::runs_no_task(fields) => {
            service.desired_count == 0 && service.running_count == 0
        }
        Readiness::Steady => {
            service.running_count == service.desired_count
                && service.rollout.as_deref() != Some("IN_PROGRESS")
        }
        Readiness::Accepted => true,
    }
}

/// The ECS service as ECS reports it, in whatever state.
pub async fn find<C: Cloud>(cloud: &C, names: Names<'_>) -> CallResult<Option<EcsService>> {
    let cluster = names.of(NameKind::EcsCluster);
    cloud
        .ecs()
        .service(&cluster, &names.of(NameKind::EcsService))
        .await
}

/// Scales an ACTIVE service to 0 and deletes it with force; whether it is draining now, or was
/// already.
pub async fn delete<C: Cloud>(cloud: &C, names: Names<'_>) -> CallResult<bool> {
    let ecs = cloud.ecs();
    let cluster = names.of(NameKind::EcsCluster);
    let name = names.of(NameKind::EcsService);
    match ecs.service(&cluster, &name).await? {
        Some(service) if service.status == "ACTIVE" => {
            if service.desired_count > 0 {
                ecs.scale_service(&cluster, &name, 0).await?;
            }
            ecs.delete_service(&cluster, &name).await?;
            Ok(true)
        }
        Some(service) => Ok(service.status == "DRAINING"),
        None => Ok(false),
    }
}
