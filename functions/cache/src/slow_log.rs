//! The engine's slow-log group: ElastiCache delivers only to a log group that exists, so it is made
//! before the replication group, and keeps the log 14 days.

use crate::api::{CallResult, Cloud};
use crate::inputs::Inputs;
use env_core::context::Context;
use env_core::naming::NameKind;
use log_groups::LogGroupCalls;

/// The log group's name, the group made when missing and its retention set on every call, so a
/// drifted one is put back.
pub async fn ensure<C: Cloud>(cx: &Context<'_, C, Inputs>) -> CallResult<String> {
    let name = cx.names.of(NameKind::CacheSlowLogGroup);
    let logs = cx.cloud.logs();
    if !logs.exists(&name).await? {
        logs.create(&name, &cx.inputs.kms_key_arn, &cx.tags).await?;
    }
    logs.set_retention(&name, env_core::LOG_RETENTION_DAYS)
        .await?;
    Ok(name)
}

pub async fn exists<C: Cloud, I>(cx: &Context<'_, C, I>) -> CallResult<bool> {
    let name = cx.names.of(NameKind::CacheSlowLogGroup);
    cx.cloud.logs().exists(&name).await
}

pub async fn delete<C: Cloud, I>(cx: &Context<'_, C, I>) -> CallResult<()> {
    let name = cx.names.of(NameKind::CacheSlowLogGroup);
    let logs = cx.cloud.logs();
    if logs.exists(&name).await? {
        logs.delete(&name).await?;
    }
    Ok(())
}
