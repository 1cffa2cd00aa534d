//! The DB subnet group: the network's private subnets, where the cluster puts its instances.

use crate::api::{created, Cloud, RdsCalls};
use crate::handler::DatabaseError;
use crate::inputs::Cx;
use env_core::context::Context;
use env_core::naming::NameKind;

/// The subnet group, made when missing.
pub async fn ensure<C: Cloud>(cx: &Cx<'_, C>) -> Result<(), DatabaseError> {
    let name = cx.names.of(NameKind::DbSubnetGroup);
    if !cx.cloud.rds().subnet_group_exists(&name).await? {
        let subnets = &cx.inputs.network.private_subnets;
        let result = cx
            .cloud
            .rds()
            .create_subnet_group(&name, subnets, &cx.tags)
            .await;
        created(result, "DBSubnetGroupAlreadyExists")?;
    }
    Ok(())
}

/// Deletes the subnet group; only once no cluster uses it (RDS refuses until then).
pub async fn delete<C: Cloud, I>(cx: &Context<'_, C, I>) -> Result<(), DatabaseError> {
    let name = cx.names.of(NameKind::DbSubnetGroup);
    if cx.cloud.rds().subnet_group_exists(&name).await? {
        cx.cloud.rds().delete_subnet_group(&name).await?;
    }
    Ok(())
}
