//! The cache subnet group: the network's three private subnets, one per AZ, where the replication
//! group puts its nodes.

use crate::api::{CallResult, Cloud, ElastiCacheCalls};
use crate::inputs::Inputs;
use crate::replication_group::described;
use env_core::context::Context;
use env_core::naming::NameKind;

/// The subnet group's name, the group made when missing.
pub async fn ensure<C: Cloud>(cx: &Context<'_, C, Inputs>) -> CallResult<String> {
    let name = cx.names.of(NameKind::CacheSubnetGroup);
    if !cx.cloud.elasticache().subnet_group_exists(&name).await? {
        cx.cloud
            .elasticache()
            .create_subnet_group(
                &name,
                &described(name.clone()),
                &cx.inputs.private_subnets,
                &cx.tags,
            )
            .await?;
    }
    Ok(name)
}

pub async fn exists<C: Cloud, I>(cx: &Context<'_, C, I>) -> CallResult<bool> {
    let name = cx.names.of(NameKind::CacheSubnetGroup);
    cx.cloud.elasticache().subnet_group_exists(&name).await
}

/// Deletes the subnet group; whether it is gone, `false` while the nodes of the deleted
/// replication group still hold it (they release it a moment after the group is gone).
pub async fn delete<C: Cloud, I>(cx: &Context<'_, C, I>) -> CallResult<bool> {
    let name = cx.names.of(NameKind::CacheSubnetGroup);
    if cx.cloud.elasticache().subnet_group_exists(&name).await? {
        match cx.cloud.elasticache().delete_subnet_group(&name).await {
            Ok(()) => {}
            Err(error) if error.is_code("CacheSubnetGroupInUse") => return Ok(false),
            Err(error) => return Err(error),
        }
    }
    Ok(true)
}
