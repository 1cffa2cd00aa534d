//! The ElastiCache calls of the components that own or read an environment's Redis replication
//! group (the cache function makes and deletes it, the outputs function reads its endpoint, the
//! rotation function gives it a new AUTH token and watches it apply): one capability,
//! [`ElastiCacheCalls`], written once over the SDK ([`ElastiCache`]) and once in memory for the
//! unit tests (`fake::FakeElastiCache`, feature `test-util`). Each function's `Cloud` hands out its
//! implementation instead of declaring the calls again. The moto tests drive every SDK method
//! through those functions' binaries.

mod aws;
mod serverless_types;
mod types;

pub use aws::ElastiCache;
pub use serverless_types::*;
pub use types::*;

use env_core::tags::Tag;
use env_core::AwsCallError;

pub type CallResult<T> = Result<T, AwsCallError>;

/// Everything the environment's functions ask of ElastiCache.
// The lint warns that callers cannot require `Send` futures from a public async trait; only the
// functions' binaries implement and call it, and their entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait ElastiCacheCalls {
    /// DescribeReplicationGroups; `None` for `ReplicationGroupNotFoundFault`.
    async fn replication_group(&self, id: &str) -> CallResult<Option<ReplicationGroup>>;
    async fn create_replication_group(&self, plan: &GroupPlan) -> CallResult<()>;
    /// ModifyReplicationGroup with `AuthToken`, `AuthTokenUpdateStrategy` `ROTATE` and
    /// `ApplyImmediately`: the group takes `token` beside the token it takes now, so clients of
    /// either keep working. ElastiCache reports the change as `AuthTokenStatus` `ROTATING` until
    /// it is applied, and refuses another modification meanwhile
    /// (`InvalidReplicationGroupState`). The token is 16 to 128 printable ASCII characters without
    /// `/`, `"`, `@` or `%` (API reference, `AuthToken`).
    async fn rotate_auth_token(&self, id: &str, token: &Sensitive) -> CallResult<()>;
    async fn delete_replication_group(&self, id: &str) -> CallResult<()>;
    async fn subnet_group_exists(&self, name: &str) -> CallResult<bool>;
    async fn create_subnet_group(
        &self,
        name: &str,
        description: &str,
        subnet_ids: &[String],
        tags: &[Tag],
    ) -> CallResult<()>;
    async fn delete_subnet_group(&self, name: &str) -> CallResult<()>;
}

/// The calls of `cacheMode: serverless`: an ElastiCache Serverless cache, the user its clients log
/// in as and the user group that holds that user (Valkey RBAC). User and user group ids are unique
/// in the account and Region.
// Not `Send`-bound, for the reason given at [`ElastiCacheCalls`].
#[allow(async_fn_in_trait)]
pub trait ServerlessCalls {
    /// DescribeServerlessCaches of one name; `None` for `ServerlessCacheNotFoundFault`.
    async fn serverless_cache(&self, name: &str) -> CallResult<Option<ServerlessCache>>;
    async fn create_serverless_cache(&self, plan: &ServerlessPlan) -> CallResult<()>;
    /// DeleteServerlessCache without a final snapshot.
    async fn delete_serverless_cache(&self, name: &str) -> CallResult<()>;
    /// DescribeUsers of one id; `None` for `UserNotFound`.
    async fn user(&self, id: &str) -> CallResult<Option<CacheUser>>;
    async fn create_user(&self, plan: &UserPlan) -> CallResult<()>;
    async fn delete_user(&self, id: &str) -> CallResult<()>;
    /// DescribeUserGroups of one id; `None` for `UserGroupNotFound`.
    async fn user_group(&self, id: &str) -> CallResult<Option<UserGroup>>;
    async fn create_user_group(
        &self,
        id: &str,
        engine: &str,
        user_ids: &[String],
        tags: &[Tag],
    ) -> CallResult<()>;
    async fn delete_user_group(&self, id: &str) -> CallResult<()>;
}

#[cfg(any(test, feature = "test-util"))]
pub mod fake;
