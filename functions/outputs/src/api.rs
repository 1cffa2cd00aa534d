//! The AWS reads the outputs function makes, as one small trait over plain types.
//!
//! Every method is a lookup by a deterministic name (or by tag, for the VPC) that answers `None`,
//! `false` or an empty list when the thing does not exist, so the handler can name everything that
//! is missing at once. [`crate::aws::AwsCloud`] implements it with the SDK clients; the unit tests
//! implement it with an in-memory fake. Nothing here creates, changes or deletes anything. The VPC
//! and its subnets are read through the network owners' shared capability, [`Ec2Calls`], the log
//! group through the log-group owners' one, [`LogGroupCalls::exists`], and the secrets through the
//! secret owners' one, [`SecretCalls::describe`].

use ec2::Ec2Calls;
use env_core::AwsCallError;
use log_groups::LogGroupCalls;
use secrets::SecretCalls;

pub type CallResult<T> = Result<T, AwsCallError>;

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

/// What DescribeDBClusters tells about the Aurora cluster; each part is absent until RDS assigns it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DatabaseCluster {
    pub writer_endpoint: Option<String>,
    pub reader_endpoint: Option<String>,
    pub port: Option<i32>,
    /// The secret RDS manages for the master user (`ManageMasterUserPassword`).
    pub master_secret_arn: Option<String>,
}

/// Everything the outputs function asks of AWS.
// The lint warns that callers cannot require `Send` futures from a public async trait; only this
// binary implements and calls it, and the functions' entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait Cloud {
    type Ec2: Ec2Calls;

    /// EC2, for the VPC and its subnets (only [`Ec2Calls::vpcs`] and [`Ec2Calls::subnets`]).
    fn ec2(&self) -> &Self::Ec2;

    type Logs: LogGroupCalls;

    /// CloudWatch Logs, for the service's log group (only [`LogGroupCalls::exists`] is used).
    fn logs(&self) -> &Self::Logs;

    type Secrets: SecretCalls;

    /// Secrets Manager, for the secrets' ARNs (only [`SecretCalls::describe`], never a value).
    fn secrets(&self) -> &Self::Secrets;

    /// The region the clients talk to, for the console links.
    fn region(&self) -> &str;

    // Elastic Load Balancing.
    async fn load_balancer(&self, name: &str) -> CallResult<Option<LoadBalancer>>;

    // ECS: the status (`ACTIVE`, `INACTIVE`, `DRAINING` …) of a cluster and of a service in it.
    async fn cluster_status(&self, name: &str) -> CallResult<Option<String>>;
    async fn service_status(&self, cluster: &str, name: &str) -> CallResult<Option<String>>;

    // Cloud Map: the names of the services in the namespace of this name; `None` without the namespace.
    async fn discovery_services(&self, namespace: &str) -> CallResult<Option<Vec<String>>>;

    // RDS.
    async fn database_cluster(&self, id: &str) -> CallResult<Option<DatabaseCluster>>;

    // ElastiCache: the cluster-mode configuration endpoint (host, port); `None` without the group,
    // `Some(None)` while the group has no endpoint yet.
    async fn cache_endpoint(&self, group_id: &str) -> CallResult<Option<Option<(String, i32)>>>;

    // CloudWatch, SNS.
    async fn dashboard_exists(&self, name: &str) -> CallResult<bool>;
    async fn topic_arn(&self, name: &str) -> CallResult<Option<String>>;
}
