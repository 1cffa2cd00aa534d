//! The SDK's serverless cache, user and user group types to the crate's plain types, and the
//! usage limits written for CreateServerlessCache.

use crate::{CacheUser, CallResult, ServerlessCache, UsageLimits, UserGroup};
use aws_sdk_elasticache::types as ec;
use env_core::error::Required;

pub(super) fn cache_of(cache: &ec::ServerlessCache) -> CallResult<ServerlessCache> {
    Ok(ServerlessCache {
        name: cache
            .serverless_cache_name()
            .required("ServerlessCache.ServerlessCacheName")?
            .to_owned(),
        status: cache
            .status()
            .required("ServerlessCache.Status")?
            .to_owned(),
        // Absent until ElastiCache has assigned it, while the cache is being created.
        endpoint: cache
            .endpoint()
            .and_then(|endpoint| Some((endpoint.address()?.to_owned(), endpoint.port()?))),
        user_group: cache.user_group_id().map(str::to_owned),
    })
}

pub(super) fn user_of(user: &ec::User) -> CallResult<CacheUser> {
    Ok(CacheUser {
        id: user.user_id().required("User.UserId")?.to_owned(),
        name: user.user_name().required("User.UserName")?.to_owned(),
        status: user.status().required("User.Status")?.to_owned(),
    })
}

pub(super) fn group_of_users(group: &ec::UserGroup) -> CallResult<UserGroup> {
    Ok(UserGroup {
        id: group
            .user_group_id()
            .required("UserGroup.UserGroupId")?
            .to_owned(),
        status: group.status().required("UserGroup.Status")?.to_owned(),
        user_ids: group.user_ids().to_vec(),
        serverless_caches: group.serverless_caches().to_vec(),
    })
}

/// The most data (in GB) and ECPUs per second the cache may use; no minimum, so nothing is
/// reserved and billed while the cache is idle.
pub(super) fn usage_limits(limits: UsageLimits) -> ec::CacheUsageLimits {
    ec::CacheUsageLimits::builder()
        .data_storage(
            ec::DataStorage::builder()
                .maximum(limits.max_data_storage_gb)
                .unit(ec::DataStorageUnit::Gb)
                .build(),
        )
        .ecpu_per_second(
            ec::EcpuPerSecond::builder()
                .maximum(limits.max_ecpu_per_second)
                .build(),
        )
        .build()
}

#[cfg(test)]
mod tests;
