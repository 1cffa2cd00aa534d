//! The serverless cache (`cacheMode: serverless`): ElastiCache Serverless for Valkey, for pull
//! requests: ready in about a minute and billed by the data stored and the ECPUs used instead of
//! by node-hours. It speaks TLS and the cluster protocol like the node-based cluster, so the
//! service connects to either unchanged, with the same token: the cache's user group holds a user
//! named `default` whose password is the token, and `AUTH <token>` logs in as `default`.

use crate::api::{
    CallResult, Cloud, GroupState, ServerlessCache, ServerlessCalls, ServerlessPlan, UsageLimits,
};
use crate::handler::CacheError;
use crate::inputs::Inputs;
use crate::replication_group::SNAPSHOT_RETENTION_DAYS;
use env_core::context::Context;
use env_core::contract::Outputs;
use env_core::naming::NameKind;
use env_core::spec::{SERVERLESS_DATA_STORAGE_GB, SERVERLESS_ECPU_PER_SECOND};
use serde_json::json;

/// Valkey 8, the newest major version ElastiCache Serverless offers for Valkey (ElastiCache user
/// guide, "Supported engines and versions"; DescribeServerlessCaches reports `FullEngineVersion`
/// 8.x). Minor versions and patches are applied by ElastiCache itself: a serverless cache has no
/// `AutoMinorVersionUpgrade` switch (API reference, CreateServerlessCache), which satisfies
/// ElastiCache.2 by construction.
pub const ENGINE: &str = "valkey";
pub const MAJOR_ENGINE_VERSION: &str = "8";
/// When the daily snapshot ElastiCache.1 asks for starts (UTC): a quiet hour for the pull
/// requests' reviewers, who are mostly in the Americas and Europe. Without a time none is taken
/// (elasticache::ServerlessPlan::daily_snapshot_time).
pub const DAILY_SNAPSHOT_TIME: &str = "04:00";

/// The most the cache may use (env_core's serverless limits, which say why these). No minimum is
/// set: a minimum is billed even while idle.
pub const LIMITS: UsageLimits = UsageLimits {
    max_data_storage_gb: SERVERLESS_DATA_STORAGE_GB as i32,
    max_ecpu_per_second: SERVERLESS_ECPU_PER_SECOND as i32,
};

pub async fn find<C: Cloud, I>(cx: &Context<'_, C, I>) -> CallResult<Option<ServerlessCache>> {
    let name = cx.names.of(NameKind::ServerlessCache);
    cx.cloud.elasticache().serverless_cache(&name).await
}

/// Creates the cache in the network's private subnets behind the cache security group, encrypted
/// at rest with the environment's key (in transit always: a serverless cache accepts only TLS,
/// ElastiCache user guide, "In-transit encryption (TLS) in ElastiCache"), its users those of
/// `user_group`.
pub async fn create<C: Cloud>(
    cx: &Context<'_, C, Inputs>,
    user_group: String,
) -> CallResult<ServerlessCache> {
    let name = cx.names.of(NameKind::ServerlessCache);
    let plan = ServerlessPlan {
        description: format!("Valkey serverless cache of the catalog environment, {name}"),
        name,
        engine: ENGINE,
        major_engine_version: MAJOR_ENGINE_VERSION,
        limits: LIMITS,
        kms_key_arn: cx.inputs.kms_key_arn.clone(),
        security_group_id: cx.inputs.security_group.clone(),
        subnet_ids: cx.inputs.private_subnets.clone(),
        user_group: user_group.clone(),
        // ElastiCache.1 (docs/compliance.md) asks for automatic backups kept at least a day, as the
        // cluster keeps them; a daily snapshot of a pull request's cache costs little.
        snapshot_retention_days: SNAPSHOT_RETENTION_DAYS,
        daily_snapshot_time: DAILY_SNAPSHOT_TIME,
        tags: cx.tags.clone(),
    };
    tracing::info!(cache = %plan.name, "creating the serverless cache");
    cx.cloud
        .elasticache()
        .create_serverless_cache(&plan)
        .await?;
    // Reported as creating whatever the answer says: the next call describes it afresh.
    Ok(ServerlessCache {
        name: plan.name,
        status: "creating".to_owned(),
        endpoint: None,
        user_group: Some(user_group),
    })
}

/// Whether the cache is this environment's to go on with: one that failed to create fails the
/// component, one still deleting (an earlier environment's, or this one's put to sleep) is waited for.
pub fn in_service(cache: &ServerlessCache) -> Result<bool, CacheError> {
    match cache.state() {
        GroupState::CreateFailed => Err(CacheError::Failed(cache.name.clone())),
        GroupState::Deleting => Ok(false),
        _ => Ok(true),
    }
}

/// The cache's outputs: the keys of the cluster's where they mean something, `mode` and
/// `cacheName`. No replication group, no node, and no slow log (CreateServerlessCache takes no log
/// delivery: API reference), so those are empty; the endpoint is `""` while there is none (being
/// created, or asleep).
pub fn outputs<C, I>(
    cx: &Context<'_, C, I>,
    endpoint: Option<&(String, i32)>,
    secret_arn: &str,
) -> Outputs {
    let mut outputs = Outputs::new();
    outputs.insert("mode".into(), json!("serverless"));
    outputs.insert(
        "cacheName".into(),
        json!(cx.names.of(NameKind::ServerlessCache)),
    );
    outputs.insert("cacheReplicationGroupId".into(), json!(""));
    let endpoint = endpoint.map_or_else(String::new, |(host, port)| format!("{host}:{port}"));
    outputs.insert("cacheConfigurationEndpoint".into(), json!(endpoint));
    outputs.insert("cacheAuthSecretArn".into(), json!(secret_arn));
    outputs.insert("cacheSlowLogGroup".into(), json!(""));
    outputs.insert("cacheNodeIds".into(), json!([]));
    outputs
}

/// Starts deleting the cache; whether there is one (still).
pub async fn delete<C: Cloud, I>(cx: &Context<'_, C, I>) -> CallResult<bool> {
    let Some(cache) = find(cx).await? else {
        return Ok(false);
    };
    start_deleting(cx, &cache).await?;
    Ok(true)
}

/// Asks ElastiCache to delete `cache` unless it is deleting already, without a final snapshot (it
/// is a cache, rebuilt empty); its automatic snapshots go with it.
pub async fn start_deleting<C: Cloud, I>(
    cx: &Context<'_, C, I>,
    cache: &ServerlessCache,
) -> CallResult<()> {
    if cache.state() == GroupState::Deleting {
        return Ok(());
    }
    match cx
        .cloud
        .elasticache()
        .delete_serverless_cache(&cache.name)
        .await
    {
        // ElastiCache deletes only an available cache (API reference, DeleteServerlessCache:
        // InvalidServerlessCacheStateFault): one creating or modifying is asked again next call.
        Err(error) if error.is_code("InvalidServerlessCacheStateFault") => Ok(()),
        // Gone between the describe and the delete: what was asked for.
        Err(error) if error.is_code("ServerlessCacheNotFoundFault") => Ok(()),
        result => result,
    }
}
