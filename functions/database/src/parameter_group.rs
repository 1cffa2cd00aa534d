//! The cluster parameter group, with TLS enforced (`rds.force_ssl`).

use crate::api::{created, Cloud, RdsCalls};
use crate::handler::{DatabaseError, PARAMETER_FAMILY};
use crate::inputs::Cx;
use env_core::context::Context;
use env_core::naming::NameKind;

/// The parameter group, made when missing, with TLS enforced.
pub async fn ensure<C: Cloud>(cx: &Cx<'_, C>) -> Result<(), DatabaseError> {
    let name = cx.names.of(NameKind::DbClusterParameterGroup);
    if !cx.cloud.rds().parameter_group_exists(&name).await? {
        let result = cx
            .cloud
            .rds()
            .create_parameter_group(&name, PARAMETER_FAMILY, &cx.tags)
            .await;
        created(result, "DBParameterGroupAlreadyExists")?;
    }
    // Set on every call: a hand-changed group is put back.
    cx.cloud
        .rds()
        .set_parameter(&name, "rds.force_ssl", "1")
        .await?;
    Ok(())
}

/// Deletes the parameter group; only once no cluster uses it (RDS refuses until then).
pub async fn delete<C: Cloud, I>(cx: &Context<'_, C, I>) -> Result<(), DatabaseError> {
    let name = cx.names.of(NameKind::DbClusterParameterGroup);
    if cx.cloud.rds().parameter_group_exists(&name).await? {
        cx.cloud.rds().delete_parameter_group(&name).await?;
    }
    Ok(())
}
