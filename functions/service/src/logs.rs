//! The service's log group and Container Insights' group, both under the environment's key.

use crate::api::{CallResult, Cloud};
use crate::inputs::Inputs;
use env_core::context::Context;
use env_core::naming::{AwsLogGroup, NameKind, Names};
use env_core::tags::Tag;

/// Both groups. Container Insights' before the cluster: ECS would create it itself, keeping logs
/// forever.
pub async fn ensure<C: Cloud>(cx: &Context<'_, C, &Inputs>) -> CallResult<()> {
    let key = &cx.inputs.key_arn;
    ensure_group(
        cx.cloud,
        &cx.names.of(NameKind::ServiceLogGroup),
        key,
        &cx.tags,
    )
    .await?;
    let insights = cx.names.aws_log_group(AwsLogGroup::ContainerInsights);
    ensure_group(cx.cloud, &insights, key, &cx.tags).await
}

/// A log group with the environment's key, created when missing or given the key when it lacks
/// it, its retention set on every call so a hand-changed one is put back.
async fn ensure_group<C: Cloud>(
    cloud: &C,
    name: &str,
    key_arn: &str,
    tags: &[Tag],
) -> CallResult<()> {
    match cloud.log_group_key(name).await? {
        // Made meanwhile by a concurrent call, or by ECS for Container Insights: ours to keep.
        None => match cloud.create_log_group(name, key_arn, tags).await {
            Err(error) if error.is_code("ResourceAlreadyExistsException") => {}
            created => created?,
        },
        // One ECS made before the environment did, or a key changed by hand: the environment's
        // key from now on.
        Some(key) if key.as_deref() != Some(key_arn) => {
            cloud.associate_log_group_key(name, key_arn).await?;
        }
        Some(_) => {}
    }
    cloud
        .set_retention(name, env_core::LOG_RETENTION_DAYS)
        .await
}

/// Whether the service's group and Container Insights' group exist, in that order: what `status`
/// reads (retention and key are put right by every `create`).
pub async fn found<C: Cloud>(cloud: &C, names: Names<'_>) -> CallResult<[bool; 2]> {
    let service = names.of(NameKind::ServiceLogGroup);
    let insights = names.aws_log_group(AwsLogGroup::ContainerInsights);
    let service = cloud.log_group_exists(&service).await?;
    let insights = cloud.log_group_exists(&insights).await?;
    Ok([service, insights])
}

/// Deletes the service's group; whether there was one.
pub async fn delete_service_group<C: Cloud>(cloud: &C, names: Names<'_>) -> CallResult<bool> {
    delete_group(cloud, &names.of(NameKind::ServiceLogGroup)).await
}

/// Deletes Container Insights' group; whether there was one. Only once the cluster is gone: ECS's
/// service-linked role may create this group (AmazonECSServiceRolePolicy, CWLogGroupManagement),
/// and a report still on its way when the cluster is deleted would make it again, without our key.
pub async fn delete_insights_group<C: Cloud>(cloud: &C, names: Names<'_>) -> CallResult<bool> {
    delete_group(cloud, &names.aws_log_group(AwsLogGroup::ContainerInsights)).await
}

async fn delete_group<C: Cloud>(cloud: &C, name: &str) -> CallResult<bool> {
    let found = cloud.log_group_exists(name).await?;
    if found {
        cloud.delete_log_group(name).await?;
    }
    Ok(found)
}
