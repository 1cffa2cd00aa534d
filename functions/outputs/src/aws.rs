//! [`Cloud`] over the AWS SDK: each capability's own SDK implementation, built from one config.

use crate::api::Cloud;
use aws_config::SdkConfig;
use cloud_map::CloudMap;
use cloudwatch::CloudWatch;
use ec2::Ec2;
use ecs::Ecs;
use elasticache::ElastiCache;
use elb::Elb;
use log_groups::LogGroups;
use rds::Rds;
use secrets::Secrets;
use sns::Sns;

#[derive(Debug, Clone)]
pub struct AwsCloud {
    region: String,
    ec2: Ec2,
    elb: Elb,
    ecs: Ecs,
    cloud_map: CloudMap,
    rds: Rds,
    elasticache: ElastiCache,
    log_groups: LogGroups,
    cloudwatch: CloudWatch,
    sns: Sns,
    secrets: Secrets,
}

impl AwsCloud {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            region: config
                .region()
                .map_or(env_core::aws::DEFAULT_REGION, |region| region.as_ref())
                .to_owned(),
            ec2: Ec2::new(config),
            elb: Elb::new(config),
            ecs: Ecs::new(config),
            cloud_map: CloudMap::new(config),
            rds: Rds::new(config),
            elasticache: ElastiCache::new(config),
            log_groups: LogGroups::new(config),
            cloudwatch: CloudWatch::new(config),
            sns: Sns::new(config),
            secrets: Secrets::new(config),
        }
    }
}

impl Cloud for AwsCloud {
    type Ec2 = Ec2;
    type Elb = Elb;
    type Ecs = Ecs;
    type CloudMap = CloudMap;
    type Rds = Rds;
    type ElastiCache = ElastiCache;
    type Logs = LogGroups;
    type CloudWatch = CloudWatch;
    type Sns = Sns;
    type Secrets = Secrets;

    fn ec2(&self) -> &Ec2 {
        &self.ec2
    }

    fn elb(&self) -> &Elb {
        &self.elb
    }

    fn ecs(&self) -> &Ecs {
        &self.ecs
    }

    fn cloud_map(&self) -> &CloudMap {
        &self.cloud_map
    }

    fn rds(&self) -> &Rds {
        &self.rds
    }

    fn elasticache(&self) -> &ElastiCache {
        &self.elasticache
    }

    fn logs(&self) -> &LogGroups {
        &self.log_groups
    }

    fn cloudwatch(&self) -> &CloudWatch {
        &self.cloudwatch
    }

    fn sns(&self) -> &Sns {
        &self.sns
    }

    fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    fn region(&self) -> &str {
        &self.region
    }
}
