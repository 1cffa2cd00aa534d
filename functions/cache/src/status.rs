//! `status`: reads what `create` makes and answers how far it got, changing nothing (only
//! describes and reads, never a call that creates, modifies, tags, puts or deletes).
//!
//! DELETED when none of the cache's resources exists, judged as `delete` judges (a secret
//! scheduled for deletion is gone already); READY with exactly `create`'s outputs once `create`
//! has nothing left to do; IN_PROGRESS with whatever it could read otherwise. A group that failed
//! to create, or a group whose token secret is gone or unreadable, fails with the error `create`
//! answers for it. An asleep spec is judged against the asleep shape ([`crate::asleep`]).

use crate::api::{Cloud, GroupState, ReplicationGroup};
use crate::handler::CacheError;
use crate::replication_group::{self, outputs_of};
use crate::{asleep, secret, slow_log, subnet_group};
use env_core::context::Context;
use env_core::contract::{Outputs, Request};
use env_core::naming::NameKind;
use env_core::{Response, Status};
use secrets::Secret;
use serde_json::json;

pub async fn status<C: Cloud>(cloud: &C, request: &Request) -> Result<Response, CacheError> {
    // Reads by name alone: the network's outputs are needed only to create.
    let cx = Context::new(cloud, request);
    let group = replication_group::find(&cx).await?;
    if cx.fields().asleep {
        return asleep::status(&cx, group.as_ref()).await;
    }
    let Some(group) = group else {
        return without_group(&cx).await;
    };
    if !replication_group::in_service(&group)? {
        // A group of this name still deleting: `create` waits for it to go.
        return Ok(Response::new(Status::InProgress, Outputs::new()));
    }
    let secret = secret::of_cache(&cx, &group.id).await?;
    let ready = group.state() == GroupState::Available && finished(&cx, &secret, &group).await?;
    tracing::info!(group = %group.id, state = ?group.state(), ready, "replication group");
    let status = if ready {
        Status::Ready
    } else {
        Status::InProgress
    };
    Ok(Response::new(status, outputs_of(&group, &secret.arn)))
}

/// Whether `create` has nothing left to do for the available group: the secret holds the
/// connection details and rotates with the environment's function, and the subnet group and the
/// slow-log group made before the group are still there.
async fn finished<C: Cloud>(
    cx: &Context<'_, C>,
    secret: &Secret,
    group: &ReplicationGroup,
) -> Result<bool, CacheError> {
    let completion =
        secret::completion(cx, &secret.arn, group.configuration_endpoint.as_ref()).await?;
    Ok(completion.done
        && secret::rotates_with_ours(cx.names, secret)
        && subnet_group::exists(cx).await?
        && slow_log::exists(cx).await?)
}

/// No replication group: DELETED when nothing else is left either, IN_PROGRESS while `create`
/// has made only part of the cache or `delete` has removed only part.
async fn without_group<C: Cloud>(cx: &Context<'_, C>) -> Result<Response, CacheError> {
    let rest = Rest::read(cx).await?;
    let status = if rest.is_empty() {
        Status::Deleted
    } else {
        Status::InProgress
    };
    Ok(Response::new(status, rest.outputs(cx)))
}

/// What the cache has besides its replication group, read as `delete` judges it: a secret
/// scheduled for deletion is gone already.
#[derive(Debug)]
pub struct Rest {
    pub subnet_group: bool,
    pub slow_log: bool,
    pub secret: Option<Secret>,
}

impl Rest {
    pub async fn read<C: Cloud>(cx: &Context<'_, C>) -> Result<Self, CacheError> {
        Ok(Self {
            subnet_group: subnet_group::exists(cx).await?,
            slow_log: slow_log::exists(cx).await?,
            secret: secret::live(cx).await?,
        })
    }

    /// Nothing of it is left.
    pub fn is_empty(&self) -> bool {
        !self.subnet_group && !self.slow_log && self.secret.is_none()
    }

    /// Whatever of `create`'s outputs it shows: the secret and the slow-log group, when there.
    pub fn outputs<C>(&self, cx: &Context<'_, C>) -> Outputs {
        let mut outputs = Outputs::new();
        if let Some(secret) = &self.secret {
            outputs.insert("cacheAuthSecretArn".into(), json!(secret.arn));
        }
        if self.slow_log {
            let name = cx.names.of(NameKind::CacheSlowLogGroup);
            outputs.insert("cacheSlowLogGroup".into(), json!(name));
        }
        outputs
    }
}
