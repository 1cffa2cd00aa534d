//! ECS: the task family's revisions, its one container, and their deregistration and deletion.

use super::{ecs_tags, SET};
use crate::api::{CallResult, TaskDefinition, TaskSpec};
use aws_sdk_ecs::types as ecs;
use aws_sdk_ecs::Client;
use env_core::error::{aws_error, Required};
use env_core::tags::Tag;

/// The ARNs of the family's revisions in `status`, oldest first. `familyPrefix` may match
/// longer families (pr-1 and pr-10): only the exact family is kept.
async fn revisions(
    client: &Client,
    family: &str,
    status: ecs::TaskDefinitionStatus,
) -> CallResult<Vec<String>> {
    let arns: Vec<String> = client
        .list_task_definitions()
        .family_prefix(family)
        .status(status)
        .sort(ecs::SortOrder::Asc)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<String>, _>>()
        .await
        .map_err(aws_error("ListTaskDefinitions"))?;
    Ok(arns
        .into_iter()
        .filter(|arn| family_of(arn) == family)
        .collect())
}

/// `arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>` → `<family>`.
fn family_of(arn: &str) -> &str {
    let name = arn.rsplit('/').next().unwrap_or_default();
    name.split(':').next().unwrap_or_default()
}

fn container(task: &TaskSpec) -> ecs::ContainerDefinition {
    let log = crate::api::LOG_DELIVERY
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

pub(super) async fn latest_task_definition(
    client: &Client,
    family: &str,
) -> CallResult<Option<TaskDefinition>> {
    let Some(arn) = task_definitions(client, family).await?.pop() else {
        return Ok(None);
    };
    let output = client
        .describe_task_definition()
        .task_definition(&arn)
        .include(ecs::TaskDefinitionField::Tags)
        .send()
        .await
        .map_err(aws_error("DescribeTaskDefinition"))?;
    let fingerprint = output
        .tags()
        .iter()
        .find(|tag| tag.key() == Some(crate::task::FINGERPRINT_TAG))
        .and_then(ecs::Tag::value)
        .map(str::to_owned);
    Ok(Some(TaskDefinition { arn, fingerprint }))
}

pub(super) async fn register_task_definition(
    client: &Client,
    spec: &TaskSpec,
    tags: &[Tag],
) -> CallResult<TaskDefinition> {
    let output = client
        .register_task_definition()
        .family(&spec.family)
        .execution_role_arn(&spec.execution_role_arn)
        .task_role_arn(&spec.task_role_arn)
        // Controls ECS.3/ECS.17: awsvpc, no host namespaces.
        .network_mode(ecs::NetworkMode::Awsvpc)
        .requires_compatibilities(ecs::Compatibility::Fargate)
        .runtime_platform(
            ecs::RuntimePlatform::builder()
                .operating_system_family(ecs::OsFamily::Linux)
                .cpu_architecture(ecs::CpuArchitecture::from(spec.cpu_architecture.as_str()))
                .build(),
        )
        .cpu(&spec.cpu)
        .memory(&spec.memory)
        .volumes(ecs::Volume::builder().name(&spec.tmp_volume).build())
        .container_definitions(container(spec))
        .set_tags(Some(ecs_tags(tags)))
        .send()
        .await
        .map_err(aws_error("RegisterTaskDefinition"))?;
    let registered = output
        .task_definition()
        .required("RegisterTaskDefinitionResponse.taskDefinition")?;
    Ok(TaskDefinition {
        arn: registered
            .task_definition_arn()
            .required("TaskDefinition.taskDefinitionArn")?
            .to_owned(),
        fingerprint: None,
    })
}

pub(super) async fn task_definitions(client: &Client, family: &str) -> CallResult<Vec<String>> {
    revisions(client, family, ecs::TaskDefinitionStatus::Active).await
}

pub(super) async fn deregister_task_definition(client: &Client, arn: &str) -> CallResult<()> {
    client
        .deregister_task_definition()
        .task_definition(arn)
        .send()
        .await
        .map_err(aws_error("DeregisterTaskDefinition"))?;
    Ok(())
}

pub(super) async fn inactive_task_definitions(
    client: &Client,
    family: &str,
) -> CallResult<Vec<String>> {
    revisions(client, family, ecs::TaskDefinitionStatus::Inactive).await
}

pub(super) async fn delete_task_definitions(
    client: &Client,
    arns: &[String],
) -> CallResult<Vec<String>> {
    let output = client
        .delete_task_definitions()
        .set_task_definitions(Some(arns.to_vec()))
        .send()
        .await
        .map_err(aws_error("DeleteTaskDefinitions"))?;
    Ok(output
        .failures()
        .iter()
        .filter_map(ecs::Failure::reason)
        .map(str::to_owned)
        .collect())
}
