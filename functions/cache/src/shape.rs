//! The cache's two shapes, `cacheMode` `cluster` (a replication group with its subnet group and
//! slow-log group) and `serverless` (a serverless cache with its user and user group), sharing the
//! token secret. Each action goes to the spec's shape; switching the mode of an existing
//! environment converges the wanted shape and removes the other one, the secret kept: `create`
//! deletes what the other shape left, and neither `create` nor `status` answers READY (nor
//! `status` DELETED) while some of it is still there. The two shapes' names differ, so the wanted
//! one is made while the other goes.

use crate::api::Cloud;
use crate::handler::CacheError;
use crate::{
    converge, replication_group, serverless, serverless_auth, serverless_converge,
    serverless_status, slow_log, status, subnet_group,
};
use env_core::context::Context;
use env_core::contract::Request;
use env_core::spec::CacheMode;
use env_core::{Response, Status};

/// `create` of the spec's shape, then the other shape's remains deleted.
pub async fn converge<C: Cloud>(cloud: &C, request: &Request) -> Result<Response, CacheError> {
    let mode = request.spec.fields().cache_mode;
    let response = match mode {
        CacheMode::Cluster => converge::converge(cloud, request).await?,
        CacheMode::Serverless => serverless_converge::converge(cloud, request).await?,
    };
    let cx = Context::new(cloud, request);
    let left = match mode {
        CacheMode::Cluster => remove_serverless(&cx).await?,
        CacheMode::Serverless => remove_cluster(&cx).await?,
    };
    Ok(judged(response, left))
}

/// `status` of the spec's shape, judged with what is left of the other one; reads only.
pub async fn status<C: Cloud>(cloud: &C, request: &Request) -> Result<Response, CacheError> {
    let mode = request.spec.fields().cache_mode;
    let response = match mode {
        CacheMode::Cluster => status::status(cloud, request).await?,
        CacheMode::Serverless => serverless_status::status(cloud, request).await?,
    };
    let cx = Context::new(cloud, request);
    let left = match mode {
        CacheMode::Cluster => serverless_left(&cx).await?,
        CacheMode::Serverless => cluster_left(&cx).await?,
    };
    Ok(judged(response, left))
}

/// Not finished, nor gone, while the other shape has something left.
fn judged(mut response: Response, other_left: bool) -> Response {
    if other_left && matches!(response.status, Status::Ready | Status::Deleted) {
        response.status = Status::InProgress;
    }
    response
}

/// Deletes the serverless shape but the secret; whether some of it is still there.
pub async fn remove_serverless<C: Cloud, I>(cx: &Context<'_, C, I>) -> Result<bool, CacheError> {
    // The user group is refused while the cache, even deleting, uses it.
    Ok(serverless::delete(cx).await? || !serverless_auth::delete(cx).await?)
}

/// Deletes the cluster shape but the secret; whether some of it is still there.
pub async fn remove_cluster<C: Cloud, I>(cx: &Context<'_, C, I>) -> Result<bool, CacheError> {
    // The group's nodes hold the subnet group: the rest waits until ElastiCache has deleted them.
    if replication_group::delete(cx).await? || !subnet_group::delete(cx).await? {
        return Ok(true);
    }
    slow_log::delete(cx).await?;
    Ok(false)
}

async fn serverless_left<C: Cloud, I>(cx: &Context<'_, C, I>) -> Result<bool, CacheError> {
    Ok(serverless::find(cx).await?.is_some() || serverless_auth::exists(cx).await?)
}

async fn cluster_left<C: Cloud, I>(cx: &Context<'_, C, I>) -> Result<bool, CacheError> {
    Ok(replication_group::find(cx).await?.is_some()
        || subnet_group::exists(cx).await?
        || slow_log::exists(cx).await?)
}
