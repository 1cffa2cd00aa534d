//! The cache of a sleeping environment (`asleep: true`, README "Sleep and wake"): no replication
//! group, so no node is billed (ElastiCache bills a node while it is available, not while it is
//! deleting: user guide, "Viewing ElastiCache node status"; "To stop incurring charges, delete the
//! cluster": user guide, "Deleting a cluster"). What costs nothing by the hour, or little, and
//! carries what the group is made from stays: the AUTH token secret with its token and its
//! rotation, the subnet group and the slow-log group.
//!
//! `create` converges to that shape: the rest found or made as an awake `create` makes it, then the
//! group deleted (no final snapshot: it is a cache), IN_PROGRESS until ElastiCache has removed it,
//! READY once it is gone. Waking is the awake `create` ([`crate::converge`]): the group is made
//! again with the token the secret holds as `AWSCURRENT`, and once it is available the secret is
//! given the new group's endpoint. The secret is not changed while asleep: its token is the one
//! the next group takes, and its `host`/`port` stay those of the last group until the next one's
//! replace them (the rotation function reads them only to reach a group).

use crate::api::{Cloud, ReplicationGroup};
use crate::handler::CacheError;
use crate::inputs::Inputs;
use crate::status::Rest;
use crate::{replication_group, secret, slow_log, subnet_group};
use env_core::context::Context;
use env_core::contract::Outputs;
use env_core::naming::NameKind;
use env_core::{Response, Status};
use secrets::SecretCalls;
use serde_json::json;

/// `create` of the asleep shape: everything but the group there, then the group deleted.
pub async fn converge<C: Cloud>(cx: &Context<'_, C, Inputs>) -> Result<Response, CacheError> {
    // Made if missing (an environment put to sleep before its cache was whole): a wake needs them.
    let secret = secret::ensure(cx).await?;
    subnet_group::ensure(cx).await?;
    slow_log::ensure(cx).await?;
    let status = match replication_group::find(cx).await? {
        Some(group) => {
            replication_group::start_deleting(cx, &group).await?;
            tracing::info!(group = %group.id, state = ?group.state(), "asleep: deleting the group");
            Status::InProgress
        }
        None => {
            // Again once asleep, as once awake: a hand-edited policy is put back.
            secret::protect(cx, &secret.arn).await?;
            Status::Ready
        }
    };
    Ok(Response::new(status, outputs(cx, &secret.arn)))
}

/// `status` of the asleep shape, reading only: READY with `create`'s outputs once the group is
/// gone and the rest is there with a token in the secret; DELETED when nothing is left;
/// IN_PROGRESS with what it could read otherwise (a group still there or deleting, whatever its
/// state: `create` deletes it).
pub async fn status<C: Cloud>(
    cx: &Context<'_, C>,
    group: Option<&ReplicationGroup>,
) -> Result<Response, CacheError> {
    let rest = Rest::read(cx).await?;
    let status = match (group, &rest.secret) {
        (None, _) if rest.is_empty() => Status::Deleted,
        (None, Some(stored)) if rest.subnet_group && rest.slow_log => {
            // The token the next group takes must be readable, as `create` requires.
            let value = cx.cloud.secrets().current_value(&stored.arn).await?;
            secret::token_of(&cx.names.of(NameKind::CacheAuthSecret), value.as_ref())?;
            return Ok(Response::new(Status::Ready, outputs(cx, &stored.arn)));
        }
        _ => Status::InProgress,
    };
    Ok(Response::new(status, rest.outputs(cx)))
}

/// The cache's outputs while asleep: its names, no endpoint (`""`: none exists) and no node.
fn outputs<C, I>(cx: &Context<'_, C, I>, secret_arn: &str) -> Outputs {
    let mut outputs = Outputs::new();
    outputs.insert("mode".into(), json!("cluster"));
    outputs.insert(
        "cacheReplicationGroupId".into(),
        json!(cx.names.of(NameKind::CacheReplicationGroup)),
    );
    outputs.insert("cacheConfigurationEndpoint".into(), json!(""));
    outputs.insert("cacheAuthSecretArn".into(), json!(secret_arn));
    outputs.insert(
        "cacheSlowLogGroup".into(),
        json!(cx.names.of(NameKind::CacheSlowLogGroup)),
    );
    outputs.insert("cacheNodeIds".into(), json!([]));
    outputs
}
