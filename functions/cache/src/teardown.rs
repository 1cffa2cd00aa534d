//! `delete`: the replication group (IN_PROGRESS while ElastiCache deletes it), then the subnet
//! group, the slow-log group, and the secret without a recovery window. DELETED only from a call
//! that found nothing left to wait for. It works from whatever exists: the awake shape, the asleep
//! one (no group: the rest goes at once, [`crate::asleep`]) or halfway between (the group still
//! deleting: waited for like any deletion).

use crate::api::Cloud;
use crate::handler::CacheError;
use crate::{replication_group, secret, slow_log, subnet_group};
use env_core::context::Context;
use env_core::contract::{Outputs, Request};
use env_core::{Response, Status};

pub async fn delete<C: Cloud>(cloud: &C, request: &Request) -> Result<Response, CacheError> {
    let cx = Context::new(cloud, request);
    // The group's nodes hold the subnet group: the rest waits until ElastiCache has deleted them.
    if replication_group::delete(&cx).await? || !subnet_group::delete(&cx).await? {
        return Ok(Response::new(Status::InProgress, Outputs::new()));
    }
    slow_log::delete(&cx).await?;
    secret::delete(&cx).await?;
    Ok(Response::new(Status::Deleted, Outputs::new()))
}
