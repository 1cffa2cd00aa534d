//! The environment's ECS cluster.

use crate::api::{CallResult, Cloud, EcsCalls};
use env_core::naming::{NameKind, Names};
use env_core::tags::Tag;

/// The cluster's name; created when there is no ACTIVE one (an INACTIVE cluster of the same name
/// is a deleted one ECS still lists).
pub async fn ensure<C: Cloud>(cloud: &C, names: Names<'_>, tags: &[Tag]) -> CallResult<String> {
    let cluster = names.of(NameKind::EcsCluster);
    if !is_active(cloud, &cluster).await? {
        cloud.ecs().create_cluster(&cluster, tags).await?;
    }
    Ok(cluster)
}

/// Deletes an ACTIVE cluster; whether there was one.
pub async fn delete<C: Cloud>(cloud: &C, names: Names<'_>) -> CallResult<bool> {
    let cluster = names.of(NameKind::EcsCluster);
    let active = is_active(cloud, &cluster).await?;
    if active {
        cloud.ecs().delete_cluster(&cluster).await?;
    }
    Ok(active)
}

/// Whether the cluster is there and usable; an INACTIVE one is a deleted one.
pub async fn is_active<C: Cloud>(cloud: &C, cluster: &str) -> CallResult<bool> {
    let found = cloud.ecs().cluster(cluster).await?;
    Ok(found.is_some_and(|found| found.status == "ACTIVE"))
}
