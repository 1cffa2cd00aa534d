//! The replication group: Redis in cluster mode, its shards spread over the three AZs, TLS and
//! AUTH on, encrypted with the environment's key, its slow log delivered to its own log group.

use crate::api::{
    CallResult, Cloud, ElastiCacheCalls, GroupPlan, GroupState, ReplicationGroup, Sensitive,
};
use crate::handler::CacheError;
use crate::inputs::Inputs;
use crate::placement::placement;
use env_core::context::Context;
use env_core::contract::Outputs;
use env_core::naming::NameKind;
use serde_json::json;

/// Redis OSS 7.1, the newest Redis OSS major ElastiCache offers (ElastiCache user guide,
/// "Supported engines and versions").
pub const ENGINE: &str = "redis";
pub const ENGINE_VERSION: &str = "7.1";
/// ElastiCache's own parameter group for Redis 7 with `cluster-enabled yes`, which a cluster-mode
/// group must use (ElastiCache user guide, "Redis OSS 7 parameter changes": `default.redis7.cluster.on`).
pub const PARAMETER_GROUP: &str = "default.redis7.cluster.on";
pub const PORT: i32 = 6379;
/// ElastiCache.1 asks for automatic backups kept at least a day; one day is enough for throwaway
/// environments and costs the least snapshot storage.
pub const SNAPSHOT_RETENTION_DAYS: i32 = 1;

/// The description of the group and of its subnet group.
pub fn described(name: String) -> String {
    format!("Redis cluster of the catalog environment, {name}")
}

pub async fn find<C: Cloud, I>(cx: &Context<'_, C, I>) -> CallResult<Option<ReplicationGroup>> {
    let id = cx.names.of(NameKind::CacheReplicationGroup);
    cx.cloud.elasticache().replication_group(&id).await
}

/// Creates the group in the subnet group, with the token and the slow-log group made before it.
pub async fn create<C: Cloud>(
    cx: &Context<'_, C, Inputs>,
    auth_token: Sensitive,
    subnet_group: String,
    slow_log_group: String,
) -> CallResult<ReplicationGroup> {
    let fields = cx.fields();
    let id = cx.names.of(NameKind::CacheReplicationGroup);
    let plan = GroupPlan {
        description: described(id.clone()),
        id,
        engine: ENGINE,
        engine_version: ENGINE_VERSION,
        parameter_group: PARAMETER_GROUP,
        node_type: fields.cache_node_type.as_str().to_owned(),
        shards: placement(
            fields.cache_shards.get(),
            fields.cache_replicas_per_shard.get(),
            &cx.inputs.zones,
        ),
        replicas_per_shard: i32::from(fields.cache_replicas_per_shard.get()),
        port: PORT,
        subnet_group,
        security_group_id: cx.inputs.security_group.clone(),
        kms_key_arn: cx.inputs.kms_key_arn.clone(),
        auth_token,
        snapshot_retention_days: SNAPSHOT_RETENTION_DAYS,
        slow_log_group,
        tags: cx.tags.clone(),
    };
    tracing::info!(group = %plan.id, shards = plan.shards.len(), "creating the replication group");
    cx.cloud
        .elasticache()
        .create_replication_group(&plan)
        .await?;
    // Reported as creating whatever the answer says: the next call describes it afresh.
    Ok(ReplicationGroup {
        id: plan.id,
        status: "creating".to_owned(),
        token_change: None,
        configuration_endpoint: None,
        members: Vec::new(),
        slow_log_group: Some(plan.slow_log_group),
    })
}

/// Whether the group is this environment's to go on with: a group that failed to create fails the
/// component, and one still deleting (a group of the same name from an earlier environment going
/// away) is waited for.
pub fn in_service(group: &ReplicationGroup) -> Result<bool, CacheError> {
    match group.state() {
        GroupState::CreateFailed => Err(CacheError::Failed(group.id.clone())),
        GroupState::Deleting => Ok(false),
        _ => Ok(true),
    }
}

/// What `create` answers, and `status` once the group is there.
pub fn outputs_of(group: &ReplicationGroup, secret_arn: &str) -> Outputs {
    let mut outputs = Outputs::new();
    outputs.insert("mode".into(), json!("cluster"));
    outputs.insert("cacheReplicationGroupId".into(), json!(group.id));
    if let Some((host, port)) = &group.configuration_endpoint {
        outputs.insert(
            "cacheConfigurationEndpoint".into(),
            json!(format!("{host}:{port}")),
        );
    }
    outputs.insert("cacheAuthSecretArn".into(), json!(secret_arn));
    if let Some(log_group) = &group.slow_log_group {
        outputs.insert("cacheSlowLogGroup".into(), json!(log_group));
    }
    let mut nodes = group.members.clone();
    nodes.sort();
    outputs.insert("cacheNodeIds".into(), json!(nodes));
    outputs
}

/// Starts deleting the group; whether there was one. ElastiCache has no deletion protection for
/// replication groups, so the spec's `deletionProtection` does not apply here.
pub async fn delete<C: Cloud, I>(cx: &Context<'_, C, I>) -> CallResult<bool> {
    let Some(group) = find(cx).await? else {
        return Ok(false);
    };
    start_deleting(cx, &group).await?;
    Ok(true)
}

/// Asks ElastiCache to delete `group` unless it is deleting already: the whole group, every node
/// of every shard, without a final snapshot (none is asked for; the group is a cache, rebuilt
/// empty). Its automatic snapshots go with it ("If you delete a replication group, all of the
/// automatic backups from the clusters in that group are also deleted", ElastiCache user guide,
/// "Deleting a backup"), and once begun the deletion "cannot be interrupted or canceled" (user
/// guide, "Deleting a replication group"): a `create` of the awake shape waits for it to end.
pub async fn start_deleting<C: Cloud, I>(
    cx: &Context<'_, C, I>,
    group: &ReplicationGroup,
) -> CallResult<()> {
    if group.state() == GroupState::Deleting {
        return Ok(());
    }
    match cx
        .cloud
        .elasticache()
        .delete_replication_group(&group.id)
        .await
    {
        // ElastiCache deletes only an available group (API reference, DeleteReplicationGroup:
        // InvalidReplicationGroupState, "not in the available state"): one creating, modifying
        // (a token rotation) or snapshotting (its daily backup) is asked again on the next call.
        Err(error) if error.is_code("InvalidReplicationGroupState") => Ok(()),
        // Gone between the describe and the delete (ReplicationGroupNotFoundFault, same reference):
        // what was asked for; the next call finds nothing.
        Err(error) if error.is_code("ReplicationGroupNotFoundFault") => Ok(()),
        result => result,
    }
}
