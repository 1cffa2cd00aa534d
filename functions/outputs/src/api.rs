//! The AWS reads the outputs function makes, through the capabilities the components that own each
//! resource share: [`Ec2Calls`] (the VPC and its subnets), [`ElbCalls`] (the load balancer),
//! [`EcsCalls`] (cluster and service), [`CloudMapCalls`] (the namespace's services), [`RdsCalls`]
//! (the Aurora cluster), [`ElastiCacheCalls`] (the replication group), [`LogGroupCalls`] (the
//! service's log group), [`CloudWatchCalls`] (the dashboard), [`SnsCalls`] (the alarm topic) and
//! [`SecretCalls`] (the secrets' ARNs, never a value). Each is written once over the SDK and once
//! in memory by its crate; only the lookups are used, each by a deterministic name (or by tag,
//! for the VPC), answering `None`, `false` or an empty list when the thing does not exist, so the
//! handler can name everything that is missing at once. Nothing here creates, changes or deletes
//! anything.

use cloud_map::CloudMapCalls;
use cloudwatch::CloudWatchCalls;
use ec2::Ec2Calls;
use ecs::EcsCalls;
use elasticache::{ElastiCacheCalls, ServerlessCalls};
use elb::ElbCalls;
use log_groups::LogGroupCalls;
use rds::RdsCalls;
use secrets::SecretCalls;
use sns::SnsCalls;

/// A subnet of the environment's VPC, with its `Name` tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subnet {
    pub id: String,
    pub name: Option<String>,
}

impl From<ec2::Subnet> for Subnet {
    fn from(subnet: ec2::Subnet) -> Self {
        Self {
            id: subnet.labels.id,
            name: subnet.labels.name,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadBalancer {
    pub arn: String,
    pub dns_name: String,
}

impl From<elb::LoadBalancer> for LoadBalancer {
    fn from(load_balancer: elb::LoadBalancer) -> Self {
        Self {
            arn: load_balancer.arn,
            dns_name: load_balancer.dns_name,
        }
    }
}

/// What DescribeDBClusters tells about the Aurora cluster; each part is absent until RDS assigns it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DatabaseCluster {
    pub writer_endpoint: Option<String>,
    pub reader_endpoint: Option<String>,
    pub port: Option<i32>,
    /// The secret RDS manages for the master user (`ManageMasterUserPassword`).
    pub master_secret_arn: Option<String>,
}

impl From<rds::Cluster> for DatabaseCluster {
    fn from(cluster: rds::Cluster) -> Self {
        Self {
            writer_endpoint: cluster.writer_endpoint,
            reader_endpoint: cluster.reader_endpoint,
            port: cluster.port,
            master_secret_arn: cluster.master_secret_arn,
        }
    }
}

/// Everything the outputs function asks of AWS: the capabilities it reads through, and the region
/// for the console links.
// The lint warns that callers cannot require `Send` futures from a public async trait; only this
// binary implements and calls it, and the functions' entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait Cloud {
    type Ec2: Ec2Calls;
    type Elb: ElbCalls;
    type Ecs: EcsCalls;
    type CloudMap: CloudMapCalls;
    type Rds: RdsCalls;
    type ElastiCache: ElastiCacheCalls + ServerlessCalls;
    type Logs: LogGroupCalls;
    type CloudWatch: CloudWatchCalls;
    type Sns: SnsCalls;
    type Secrets: SecretCalls;

    /// The VPC and its subnets (only [`Ec2Calls::vpcs`] and [`Ec2Calls::subnets`]).
    fn ec2(&self) -> &Self::Ec2;
    /// Only [`ElbCalls::load_balancer`].
    fn elb(&self) -> &Self::Elb;
    /// Only [`EcsCalls::cluster`] and [`EcsCalls::service`].
    fn ecs(&self) -> &Self::Ecs;
    /// Only [`CloudMapCalls::namespace`] and [`CloudMapCalls::discovery_services`].
    fn cloud_map(&self) -> &Self::CloudMap;
    /// Only [`RdsCalls::cluster`].
    fn rds(&self) -> &Self::Rds;
    /// Only [`ElastiCacheCalls::replication_group`] and, for `cacheMode: serverless`,
    /// [`ServerlessCalls::serverless_cache`].
    fn elasticache(&self) -> &Self::ElastiCache;
    /// Only [`LogGroupCalls::exists`].
    fn logs(&self) -> &Self::Logs;
    /// Only [`CloudWatchCalls::dashboard_exists`].
    fn cloudwatch(&self) -> &Self::CloudWatch;
    /// Only [`SnsCalls::find_topic`].
    fn sns(&self) -> &Self::Sns;
    /// Only [`SecretCalls::describe`], never a value.
    fn secrets(&self) -> &Self::Secrets;

    /// The region the clients talk to, for the console links.
    fn region(&self) -> &str;
}
