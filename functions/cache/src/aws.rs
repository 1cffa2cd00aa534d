//! [`Cloud`] over the AWS SDK: the shared ElastiCache, Lambda, log-group and secret capabilities,
//! each one SDK call per method. No decisions are taken here; they are the handler's, where the
//! unit tests reach them. The moto tests drive every method through the binary.

use crate::api::Cloud;
use aws_config::SdkConfig;
use elasticache::ElastiCache;
use lambda::Lambda;
use log_groups::LogGroups;
use secrets::Secrets;

#[derive(Debug, Clone)]
pub struct AwsCloud {
    elasticache: ElastiCache,
    lambda: Lambda,
    log_groups: LogGroups,
    secrets: Secrets,
}

impl AwsCloud {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            elasticache: ElastiCache::new(config),
            lambda: Lambda::new(config),
            log_groups: LogGroups::new(config),
            secrets: Secrets::new(config),
        }
    }
}

impl Cloud for AwsCloud {
    env_core::capabilities! {
        ElastiCache = ElastiCache => elasticache(elasticache),
        Lambda = Lambda => lambda(lambda),
        Logs = LogGroups => logs(log_groups),
        Secrets = Secrets => secrets(secrets),
    }
}
