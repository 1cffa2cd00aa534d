//! `create`, idempotent and called again by the provision workflow's wait loop until READY: the
//! replication group is looked up by its name; when it is absent, its AUTH token secret, subnet
//! group and slow-log group are found or made and the group is created. Once the group is
//! available, the secret is completed with the connection details and its rotation turned on, and
//! the answer is READY. (`status` only reads: [`crate::status`].) An asleep spec converges to the
//! asleep shape instead ([`crate::asleep`]); the awake one after it makes the group again.

use crate::api::{Cloud, GroupState, ReplicationGroup};
use crate::handler::CacheError;
use crate::inputs::Inputs;
use crate::replication_group::{self, outputs_of};
use crate::{asleep, secret, slow_log, subnet_group};
use env_core::context::Context;
use env_core::contract::{Outputs, Request};
use env_core::{Response, Status};

pub async fn converge<C: Cloud>(cloud: &C, request: &Request) -> Result<Response, CacheError> {
    // Checked before any AWS call: an event without the network's outputs changes nothing.
    let inputs = Inputs::from_outputs(&request.outputs)?;
    let cx = Context::new(cloud, request).with(inputs);
    if cx.fields().asleep {
        return asleep::converge(&cx).await;
    }

    let group = match replication_group::find(&cx).await? {
        Some(group) => group,
        None => create(&cx).await?,
    };
    if !replication_group::in_service(&group)? {
        // A group of the same name from an earlier environment is going away; create once it is gone.
        return Ok(Response::new(Status::InProgress, Outputs::new()));
    }
    let secret = secret::restored_of_cache(&cx, &group.id).await?;
    let status = if group.state() == GroupState::Available {
        secret::complete(&cx, &secret.arn, group.configuration_endpoint.as_ref()).await?;
        // Again once ready, so a hand-edited policy is put back.
        secret::protect(&cx, &secret.arn).await?;
        if secret::rotating(&cx, &secret).await? {
            Status::Ready
        } else {
            Status::InProgress
        }
    } else {
        Status::InProgress
    };
    tracing::info!(group = %group.id, state = ?group.state(), "replication group");
    Ok(Response::new(status, outputs_of(&group, &secret.arn)))
}

/// The secret, the subnet group, the slow-log group, then the replication group.
async fn create<C: Cloud>(cx: &Context<'_, C, Inputs>) -> Result<ReplicationGroup, CacheError> {
    let secret = secret::ensure(cx).await?;
    let subnet_group = subnet_group::ensure(cx).await?;
    let slow_log_group = slow_log::ensure(cx).await?;
    let group = replication_group::create(cx, secret.token, subnet_group, slow_log_group).await?;
    Ok(group)
}
