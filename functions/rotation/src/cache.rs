//! What the Redis AUTH token's rotation ([`crate::cache_token`]) asks of ElastiCache, ECS and the
//! Redis server, behind traits so its rules are tested against fakes; [`AwsCache`] is the real one
//! (ElastiCache and ECS through the shared `elasticache` and `ecs` capabilities, the server through
//! [`crate::redis::Redis`]), and only maps their answers.

use crate::config::ECS_SERVICE_VAR;
use crate::error::RotationError;
use crate::redis::Redis;
use ecs::{Ecs, EcsCalls};
use elasticache::{ElastiCache, ElastiCacheCalls, Sensitive};
use env_core::error::AwsCallError;
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
    fn rotate_token(
        &self,
        id: &str,
        token: &Sensitive,
    ) -> impl Future<Output = CallResult<()>> + Send;
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
    elasticache: ElastiCache,
    ecs: Ecs,
    redis: Redis,
}

impl AwsCache {
    pub fn new(config: &aws_config::SdkConfig, redis: Redis) -> Self {
        Self {
            elasticache: ElastiCache::new(config),
            ecs: Ecs::new(config),
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
        // DescribeReplicationGroups (`ReplicationGroupNotFoundFault`: none).
        let group = self.elasticache.replication_group(id).await?;
        Ok(group.map(|group| GroupState {
            status: group.status,
            token_change: group.token_change,
        }))
    }

    async fn rotate_token(&self, id: &str, token: &Sensitive) -> CallResult<()> {
        self.elasticache.rotate_auth_token(id, token).await
    }

    async fn deployments(&self, service: &EcsService) -> CallResult<Option<Vec<Deployment>>> {
        // DescribeServices: none for a cluster that is gone (ClusterNotFoundException) or a
        // service ECS does not list; a deleted one may still be listed, not ACTIVE. The shared
        // read requires the service's ARN, status and task definition, which the service
        // function's ECS-controlled service always has (an EXTERNAL controller's would not).
        let found = self.ecs.service(&service.cluster, &service.service).await?;
        Ok(found.and_then(active_deployments))
    }

    async fn restart(&self, service: &EcsService) -> CallResult<()> {
        self.ecs
            .force_new_deployment(&service.cluster, &service.service)
            .await
    }
}

/// The deployments of a service that is ACTIVE; none for one being deleted or deleted. A
/// deployment whose creation time ECS does not report counts as made at the epoch: it cannot
/// show that its tasks started after the token's version, so the rotation treats it as older.
fn active_deployments(service: ecs::EcsService) -> Option<Vec<Deployment>> {
    (service.status == "ACTIVE").then(|| {
        service
            .deployments
            .iter()
            .map(|deployment| Deployment {
                created_nanos: deployment.created_nanos.unwrap_or(0),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn described(status: &str, created: &[Option<i128>]) -> ecs::EcsService {
        ecs::EcsService {
            status: status.to_owned(),
            deployments: created
                .iter()
                .map(|&created_nanos| ecs::Deployment { created_nanos })
                .collect(),
            ..ecs::EcsService::default()
        }
    }

    #[test]
    fn an_active_service_answers_its_deployments_an_undated_one_as_the_oldest() {
        let service = described("ACTIVE", &[Some(1_700_000_000_000_000_000), None]);
        assert_eq!(
            active_deployments(service),
            Some(vec![
                Deployment {
                    created_nanos: 1_700_000_000_000_000_000
                },
                Deployment { created_nanos: 0 }
            ])
        );
    }

    #[test]
    fn a_service_being_deleted_or_deleted_has_no_deployments_to_wait_for() {
        for status in ["DRAINING", "INACTIVE"] {
            let service = described(status, &[Some(1)]);
            assert_eq!(active_deployments(service), None, "{status}");
        }
    }
}
