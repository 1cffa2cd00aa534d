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
    env_core::capabilities! {
        Ec2 = Ec2 => ec2(ec2),
        Elb = Elb => elb(elb),
        Ecs = Ecs => ecs(ecs),
        CloudMap = CloudMap => cloud_map(cloud_map),
        Rds = Rds => rds(rds),
        ElastiCache = ElastiCache => elasticache(elasticache),
        Logs = LogGroups => logs(log_groups),
        CloudWatch = CloudWatch => cloudwatch(cloudwatch),
        Sns = Sns => sns(sns),
        Secrets = Secrets => secrets(secrets),
    }

    fn region(&self) -> &str {
        &self.region
    }
}
