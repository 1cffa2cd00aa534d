//! The SDK's ECS shapes as the crate's plain types, and the plain specs as the SDK's: the required
//! fields checked, the container, load balancer and deployment configuration built.

use super::SET;
use crate::{
    BlueGreen, CallResult, Cluster, Deployment, EcsService, ServiceSpec, TaskDefinition, TaskSpec,
    FINGERPRINT_TAG, LOG_DELIVERY,
};
use aws_sdk_ecs::primitives::DateTime;
use aws_sdk_ecs::types as ecs;
use env_core::error::Required;
use env_core::tags::Tag;

/// The tags of the cluster, a task definition or the service.
pub(super) fn ecs_tags(tags: &[Tag]) -> Vec<ecs::Tag> {
    tags.iter()
        .map(|tag| ecs::Tag::builder().key(tag.key).value(&tag.value).build())
        .collect()
}

pub(super) fn cluster_of(cluster: &ecs::Cluster) -> CallResult<Cluster> {
    Ok(Cluster {
        arn: cluster
            .cluster_arn()
            .required("Cluster.clusterArn")?
            .to_owned(),
        status: cluster.status().required("Cluster.status")?.to_owned(),
    })
}

pub(super) fn service_of(service: &ecs::Service) -> CallResult<EcsService> {
    Ok(EcsService {
        arn: service
            .service_arn()
            .required("Service.serviceArn")?
            .to_owned(),
        status: service.status().required("Service.status")?.to_owned(),
        desired_count: service.desired_count(),
        running_count: service.running_count(),
        // Absent only on the EXTERNAL deployment controller before a primary task set exists;
        // `create_service` makes this service on the ECS controller, with a task definition.
        task_definition: service
            .task_definition()
            .required("Service.taskDefinition")?
            .to_owned(),
        rollout: service
            .deployments()
            .iter()
            .find(|deployment| deployment.status() == Some("PRIMARY"))
            .and_then(ecs::Deployment::rollout_state)
            .map(|state| state.as_str().to_owned()),
        strategy: service
            .deployment_configuration()
            .and_then(ecs::DeploymentConfiguration::strategy)
            .map(|strategy| strategy.as_str().to_owned()),
        alternate_target_group: service
            .load_balancers()
            .iter()
            .filter_map(ecs::LoadBalancer::advanced_configuration)
            .filter_map(ecs::AdvancedConfiguration::alternate_target_group_arn)
            .next()
            .map(str::to_owned),
        deployments: service.deployments().iter().map(deployment_of).collect(),
    })
}

/// A missing `createdAt` stays unknown (see [`Deployment::created_nanos`]).
pub(super) fn deployment_of(deployment: &ecs::Deployment) -> Deployment {
    Deployment {
        created_nanos: deployment.created_at().map(DateTime::as_nanos),
    }
}

/// The service's one load balancer entry; with blue/green, the green target group and the rules
/// ECS shifts (ECS API reference, `AdvancedConfiguration`).
pub(super) fn load_balancer(spec: &ServiceSpec) -> ecs::LoadBalancer {
    let advanced = spec.blue_green.as_ref().map(|blue_green: &BlueGreen| {
        ecs::AdvancedConfiguration::builder()
            .alternate_target_group_arn(&blue_green.alternate_target_group_arn)
            .production_listener_rule(&blue_green.production_listener_rule)
            .test_listener_rule(&blue_green.test_listener_rule)
            .role_arn(&blue_green.role_arn)
            .build()
    });
    ecs::LoadBalancer::builder()
        .target_group_arn(&spec.target_group_arn)
        .container_name(&spec.container_name)
        .container_port(spec.container_port)
        .set_advanced_configuration(advanced)
        .build()
}

/// Circuit breaker, percents and the strategy (ECS API reference, `DeploymentConfiguration`).
pub(super) fn deployment_configuration(spec: &ServiceSpec) -> ecs::DeploymentConfiguration {
    let (strategy, bake) = match &spec.blue_green {
        Some(blue_green) => (
            ecs::DeploymentStrategy::BlueGreen,
            Some(blue_green.bake_time_minutes),
        ),
        None => (ecs::DeploymentStrategy::Rolling, None),
    };
    ecs::DeploymentConfiguration::builder()
        .deployment_circuit_breaker(
            ecs::DeploymentCircuitBreaker::builder()
                .enable(spec.rollback_on_failure)
                .rollback(spec.rollback_on_failure)
                .build(),
        )
        .minimum_healthy_percent(spec.deployment_percents.0)
        .maximum_percent(spec.deployment_percents.1)
        .strategy(strategy)
        .set_bake_time_in_minutes(bake)
        .build()
}

/// `arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>` → `<family>`.
pub(super) fn family_of(arn: &str) -> &str {
    let name = arn.rsplit('/').next().unwrap_or_default();
    name.split(':').next().unwrap_or_default()
}

/// The fingerprint a revision was registered with, from its tags.
pub(super) fn fingerprint_of(tags: &[ecs::Tag]) -> Option<String> {
    tags.iter()
        .find(|tag| tag.key() == Some(FINGERPRINT_TAG))
        .and_then(ecs::Tag::value)
        .map(str::to_owned)
}

/// The revision RegisterTaskDefinition answers; its fingerprint is the caller's.
pub(super) fn registered(answer: Option<&ecs::TaskDefinition>) -> CallResult<TaskDefinition> {
    let registered = answer.required("RegisterTaskDefinitionResponse.taskDefinition")?;
    Ok(TaskDefinition {
        arn: registered
            .task_definition_arn()
            .required("TaskDefinition.taskDefinitionArn")?
            .to_owned(),
        fingerprint: None,
    })
}

/// Why DeleteTaskDefinitions refused the revisions it did not delete.
pub(super) fn refusals(failures: &[ecs::Failure]) -> Vec<String> {
    failures
        .iter()
        .filter_map(ecs::Failure::reason)
        .map(str::to_owned)
        .collect()
}

pub(super) fn container(task: &TaskSpec) -> ecs::ContainerDefinition {
    let log = LOG_DELIVERY
        .iter()
        .fold(ecs::LogConfiguration::builder(), |log, (name, value)| {
            log.options(*name, *value)
        })
        .log_driver(ecs::LogDriver::Awslogs)
        .options("awslogs-group", &task.log_group)
        .options("awslogs-region", &task.region)
        .options("awslogs-stream-prefix", &task.container_name)
        .build()
        .expect(SET);
    let health = ecs::HealthCheck::builder()
        .set_command(Some(task.health_check.clone()))
        .interval(30)
        .timeout(5)
        .retries(3)
        .start_period(60)
        .build()
        .expect(SET);
    ecs::ContainerDefinition::builder()
        .name(&task.container_name)
        .image(&task.image)
        .essential(true)
        .user(&task.user)
        .readonly_root_filesystem(true)
        .privileged(false)
        // An init process reaps zombies and forwards SIGTERM to Node, so tasks stop cleanly.
        .linux_parameters(
            ecs::LinuxParameters::builder()
                .init_process_enabled(true)
                .build(),
        )
        .stop_timeout(30)
        .port_mappings(
            ecs::PortMapping::builder()
                .container_port(task.port)
                .protocol(ecs::TransportProtocol::Tcp)
                .build(),
        )
        .mount_points(
            ecs::MountPoint::builder()
                .source_volume(&task.tmp_volume)
                .container_path("/tmp")
                .read_only(false)
                .build(),
        )
        .set_environment(Some(
            task.environment
                .iter()
                .map(|(name, value)| ecs::KeyValuePair::builder().name(name).value(value).build())
                .collect(),
        ))
        .set_secrets(Some(
            task.secrets
                .iter()
                .map(|(name, from)| {
                    ecs::Secret::builder()
                        .name(name)
                        .value_from(from)
                        .build()
                        .expect(SET)
                })
                .collect(),
        ))
        .health_check(health)
        .log_configuration(log)
        .build()
}

#[cfg(test)]
mod tests;
