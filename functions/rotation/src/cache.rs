//! What the Redis AUTH token's rotation ([`crate::cache_token`]) asks of ElastiCache, ECS and the
//! Redis server, behind traits so its rules are tested against fakes; [`AwsCache`] is the real one
//! (ElastiCache and ECS through the SDK, the server through [`crate::redis::Redis`]).

use crate::config::ECS_SERVICE_VAR;
use crate::error::RotationError;
use crate::redis::Redis;
use elasticache::{ElastiCache, ElastiCacheCalls};
use env_core::error::{aws_error, found, AwsCallError};
use env_core::settings::Misconfigured;
use std::future::Future;
use std::time::Duration;

/// Why a token did not log in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenRejected {
    /// The server answered, and refused the token (or the command after it).
    #[error("refused: {0}")]
    Refused(String),
    /// No answer: the connection, TLS or the reply failed.
    #[error("unreachable: {0}")]
    Unreachable(String),
}

/// Whether a Redis server takes a token.
pub trait TokenCheck: Send + Sync {
    /// `AUTH <token>` and `PING`, over verified TLS.
    fn accepts(
        &self,
        host: &str,
        port: u16,
        token: &str,
    ) -> impl Future<Output = Result<(), TokenRejected>> + Send;
}

/// What DescribeReplicationGroups tells the rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupState {
    /// `available`, `modifying`, … (ElastiCache API reference, ReplicationGroup `Status`).
    pub status: String,
    /// `PendingModifiedValues.AuthTokenStatus`: `ROTATING` or `SETTING` while a token change is
    /// being applied.
    pub token_change: Option<String>,
}

impl GroupState {
    /// Whether ElastiCache takes a modification now: `available`, and no token change pending.
    pub fn ready_for_a_change(&self) -> bool {
        self.status == "available" && self.token_change.is_none()
    }
}

/// One deployment of an ECS service (DescribeServices `deployments`): only when it was made
/// matters, and how many there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// When it was created, in nanoseconds since the epoch.
    pub created_nanos: i128,
}

/// The ECS service whose tasks hold the token (ECS injects it at task start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcsService {
    pub cluster: String,
    pub service: String,
}

type CallResult<T> = Result<T, AwsCallError>;

/// ElastiCache and ECS, as far as the token's rotation needs them.
pub trait CacheControl: Send + Sync {
    /// The group's state; `None` when there is no such group.
    fn group(&self, id: &str) -> impl Future<Output = CallResult<Option<GroupState>>> + Send;
    /// ModifyReplicationGroup with `AuthToken`, `AuthTokenUpdateStrategy` `ROTATE` and
    /// `ApplyImmediately`: the group takes the new token and keeps the newest of its old ones.
    fn rotate_token(&self, id: &str, token: &str) -> impl Future<Output = CallResult<()>> + Send;
    /// The service's deployments; `None` when the service does not exist or is not active.
    fn deployments(
        &self,
        service: &EcsService,
    ) -> impl Future<Output = CallResult<Option<Vec<Deployment>>>> + Send;
    /// UpdateService with `forceNewDeployment`: every task is replaced by one that reads the
    /// secrets again.
    fn restart(&self, service: &EcsService) -> impl Future<Output = CallResult<()>> + Send;
}

/// Everything the token's rotation asks of the world.
pub trait Cache: TokenCheck + CacheControl {}
impl<T: TokenCheck + CacheControl> Cache for T {}

/// The cache side of the function: its client and the settings the token's rotation reads.
#[derive(Debug, Clone)]
pub struct CacheSide<C> {
    pub client: C,
    /// The service whose tasks hold the token (`ECS_CLUSTER`, `ECS_SERVICE`); required only to
    /// rotate a token, so a function without it still rotates credentials and keys.
    pub service: Option<EcsService>,
    /// How long setSecret waits for the server to take a token it added.
    pub wait: Duration,
    /// How often it looks meanwhile.
    pub poll: Duration,
}

impl<C> CacheSide<C> {
    pub(crate) fn ecs_service(&self) -> Result<&EcsService, RotationError> {
        self.service.as_ref().ok_or_else(|| {
            RotationError::Misconfigured(Misconfigured::new(
                ECS_SERVICE_VAR,
                None,
                "the ECS service (with ECS_CLUSTER, its cluster) whose tasks hold the Redis AUTH \
                 token, to rotate that token",
            ))
        })
    }
}

/// The real ElastiCache, ECS and Redis.
#[derive(Debug, Clone)]
pub struct AwsCache {
    /// The replication group as the cache function reads it.
    groups: ElastiCache,
    /// ModifyReplicationGroup, which only the token's rotation makes.
    elasticache: aws_sdk_elasticache::Client,
    ecs: aws_sdk_ecs::Client,
    redis: Redis,
}

impl AwsCache {
    pub fn new(config: &aws_config::SdkConfig, redis: Redis) -> Self {
        Self {
            groups: ElastiCache::new(config),
            elasticache: aws_sdk_elasticache::Client::new(config),
            ecs: aws_sdk_ecs::Client::new(config),
            redis,
        }
    }
}

impl TokenCheck for AwsCache {
    async fn accepts(&self, host: &str, port: u16, token: &str) -> Result<(), TokenRejected> {
        self.redis.accepts(host, port, token).await
    }
}

impl CacheControl for AwsCache {
    async fn group(&self, id: &str) -> CallResult<Option<GroupState>> {
        // The shared DescribeReplicationGroups (`ReplicationGroupNotFoundFault`: none).
        let group = self.groups.replication_group(id).await?;
        Ok(group.map(|group| GroupState {
            status: group.status,
            token_change: group.token_change,
        }))
    }

    async fn rotate_token(&self, id: &str, token: &str) -> CallResult<()> {
        self.elasticache
            .modify_replication_group()
            .replication_group_id(id)
            .auth_token(token)
            .auth_token_update_strategy(
                aws_sdk_elasticache::types::AuthTokenUpdateStrategyType::Rotate,
            )
            .apply_immediately(true)
            .send()
            .await
            .map_err(aws_error("ModifyReplicationGroup"))?;
        Ok(())
    }

    async fn deployments(&self, service: &EcsService) -> CallResult<Option<Vec<Deployment>>> {
        let result = self
            .ecs
            .describe_services()
            .cluster(&service.cluster)
            .services(&service.service)
            .send()
            .await
            .map_err(aws_error("DescribeServices"));
        // A cluster that is gone answers ClusterNotFoundException; a service that is gone is
        // listed under `failures` ("MISSING") or answered with status INACTIVE.
        let output = found(result, &["ClusterNotFoundException"])?;
        let active = output
            .and_then(|output| output.services().first().cloned())
            .filter(|found| found.status() == Some("ACTIVE"));
        Ok(active.map(|found| {
            found
                .deployments()
                .iter()
                .map(|deployment| Deployment {
                    created_nanos: deployment.created_at().map_or(0, |at| {
                        i128::from(at.secs()) * 1_000_000_000 + i128::from(at.subsec_nanos())
                    }),
                })
                .collect()
        }))
    }

    async fn restart(&self, service: &EcsService) -> CallResult<()> {
        self.ecs
            .update_service()
            .cluster(&service.cluster)
            .service(&service.service)
            .force_new_deployment(true)
            .send()
            .await
            .map_err(aws_error("UpdateService"))?;
        Ok(())
    }
}
