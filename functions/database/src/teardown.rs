//! `delete` follows the order RDS enforces (docs/aws-behaviour.md, "Teardown: what sticks"): a
//! protected cluster blocks everything unless the spec says `forceDestroy`; then the rotation
//! Lambda and its role (first, so Lambda starts releasing its network interfaces early), the
//! instances, the cluster, the secrets, then the groups the cluster used, which RDS refuses to
//! delete while a cluster uses them.

use crate::api::{Cloud, RdsCalls};
use crate::handler::DatabaseError;
use crate::{
    cluster, credentials, instances, log_groups_first, parameter_group, rotation_function,
    subnet_group,
};
use env_core::context::Context;
use env_core::contract::{Outputs, Request};
use env_core::naming::NameKind;
use env_core::{Response, Status};

pub async fn delete<C: Cloud>(cloud: &C, request: &Request) -> Result<Response, DatabaseError> {
    let cx = Context::new(cloud, request);
    let cluster = cloud
        .rds()
        .cluster(&cx.names.of(NameKind::AuroraCluster))
        .await?;
    if let Some(cluster) = &cluster {
        cluster::allow_deletion(&cx, cluster).await?;
    }

    // The rotation function first: Lambda releases a VPC function's network interfaces only some
    // time after the function is deleted (up to about 40 minutes, hashicorp/terraform-provider-aws
    // #10329), and the network's teardown cannot delete subnets and groups they still hold. Gone
    // before the database's minutes of deleting, they are usually released by then.
    rotation_function::delete(cloud, cx.names).await?;

    let remaining = instances::delete(&cx).await?;
    if let Some(cluster) = cluster {
        cluster::delete(&cx, &cluster, remaining).await?;
        return Ok(Response::new(Status::InProgress, Outputs::new()));
    }
    if remaining {
        return Ok(Response::new(Status::InProgress, Outputs::new()));
    }

    credentials::delete(&cx).await?;
    // Only now: RDS refuses to delete groups a cluster still uses.
    subnet_group::delete(&cx).await?;
    parameter_group::delete(&cx).await?;
    log_groups_first::delete(cloud.logs(), cx.names).await?;
    Ok(Response::new(Status::Deleted, Outputs::new()))
}
