//! `delete`: whichever shape exists, or both (an environment whose `cacheMode` changed):
//! the replication group (IN_PROGRESS while ElastiCache deletes it), then the subnet group and the
//! slow-log group; the serverless cache, then its user group, then its user; once all of that is
//! gone, the secret without a recovery window. DELETED only from a call that found nothing left to
//! wait for. It works from whatever exists: awake, asleep (no group or cache: the rest goes at
//! once, [`crate::asleep`]) or halfway between (a cache still deleting: waited for).

use crate::api::Cloud;
use crate::handler::CacheError;
use crate::secret;
use crate::shape::{remove_cluster, remove_serverless};
use env_core::context::Context;
use env_core::contract::{Outputs, Request};
use env_core::{Response, Status};

pub async fn delete<C: Cloud>(cloud: &C, request: &Request) -> Result<Response, CacheError> {
    let cx = Context::new(cloud, request);
    let cluster_left = remove_cluster(&cx).await?;
    let serverless_left = remove_serverless(&cx).await?;
    if cluster_left || serverless_left {
        return Ok(Response::new(Status::InProgress, Outputs::new()));
    }
    secret::delete(&cx).await?;
    Ok(Response::new(Status::Deleted, Outputs::new()))
}
