//! The fake ElastiCache replication group, its Redis server (which AUTH tokens it takes) and the
//! ECS service whose tasks hold the token.

use super::{aws_failure, Fakes};
use crate::cache::{CacheControl, Deployment, EcsService, GroupState, TokenCheck, TokenRejected};
use elasticache::Sensitive;
use env_core::AwsCallError;

/// A replication group, its Redis server and the ECS service whose tasks hold its token.
#[derive(Debug, Clone, Default)]
pub struct FakeCache {
    /// Whether the group exists.
    pub exists: bool,
    /// The tokens the server takes, oldest first (ElastiCache keeps at most two).
    pub tokens: Vec<String>,
    /// A token added with ROTATE and how many more logins pass before the group applies it.
    pub applying: Option<(String, usize)>,
    /// How many logins a new token takes to be applied.
    pub apply_after: usize,
    /// The server does not answer.
    pub unreachable: bool,
    /// The service's deployments (creation time on the world's clock); `None`: no service.
    pub deployments: Option<Vec<Deployment>>,
    /// The next change is refused because a concurrent call just made the same one.
    pub concurrent_change: bool,
}

impl FakeCache {
    fn status(&self) -> GroupState {
        match self.applying {
            Some(_) => GroupState {
                status: "modifying".to_owned(),
                token_change: Some("ROTATING".to_owned()),
            },
            None => GroupState {
                status: "available".to_owned(),
                token_change: None,
            },
        }
    }

    /// Time passes: a token being applied gets one login closer to being taken.
    fn advance(&mut self) {
        match self.applying.take() {
            Some((token, 0)) => {
                self.tokens.push(token);
                if self.tokens.len() > 2 {
                    self.tokens.remove(0);
                }
            }
            Some((token, left)) => self.applying = Some((token, left - 1)),
            None => {}
        }
    }
}

impl TokenCheck for Fakes {
    async fn accepts(&self, host: &str, port: u16, token: &str) -> Result<(), TokenRejected> {
        self.pause().await;
        let mut world = self.world();
        let injected = world.begin(format!("AUTH {host}:{port}"));
        world.cache.advance();
        if injected.is_some() || world.cache.unreachable {
            return Err(TokenRejected::Unreachable(format!(
                "{host}:{port}: injected"
            )));
        }
        if world.cache.tokens.iter().any(|taken| taken == token) {
            Ok(())
        } else {
            Err(TokenRejected::Refused(
                "AUTH: WRONGPASS invalid username-password pair".to_owned(),
            ))
        }
    }
}

impl CacheControl for Fakes {
    async fn group(&self, id: &str) -> Result<Option<GroupState>, AwsCallError> {
        self.pause().await;
        self.aws("DescribeReplicationGroups", id.to_owned(), |world| {
            Ok(world.cache.exists.then(|| world.cache.status()))
        })
    }

    async fn rotate_token(&self, id: &str, token: &Sensitive) -> Result<(), AwsCallError> {
        self.pause().await;
        self.aws("ModifyReplicationGroup", id.to_owned(), |world| {
            if std::mem::take(&mut world.cache.concurrent_change) {
                world.cache.applying = Some((token.expose().to_owned(), world.cache.apply_after));
            }
            // ElastiCache: "The requested replication group is not in the available state."
            if world.cache.applying.is_some() {
                return Err(aws_failure(
                    "ModifyReplicationGroup",
                    400,
                    "InvalidReplicationGroupState",
                ));
            }
            world.cache.applying = Some((token.expose().to_owned(), world.cache.apply_after));
            Ok(())
        })
    }

    async fn deployments(
        &self,
        service: &EcsService,
    ) -> Result<Option<Vec<Deployment>>, AwsCallError> {
        self.pause().await;
        self.aws("DescribeServices", service.service.clone(), |world| {
            Ok(world.cache.deployments.clone())
        })
    }

    async fn restart(&self, service: &EcsService) -> Result<(), AwsCallError> {
        self.pause().await;
        self.aws("UpdateService", service.service.clone(), |world| {
            let created = i128::from(world.tick());
            world.cache.deployments = Some(vec![Deployment {
                created_nanos: created,
            }]);
            Ok(())
        })
    }
}
