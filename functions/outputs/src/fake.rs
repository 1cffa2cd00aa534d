//! An in-memory AWS for the handler's unit tests: it holds what a complete environment would
//! hold and answers the lookups from it. Every call, the EC2's, the log group's and the secrets'
//! included, is recorded in one `SharedRecorder`, where a test also makes a named operation fail with a given
//! AWS error code, the way AWS answers (throttling, access denied …).

use crate::api::{CallResult, Cloud, DatabaseCluster, LoadBalancer};
use ec2::fake::FakeEc2;
use env_core::recorder::RecordedWorld;
use log_groups::fake::FakeLogGroups;
use secrets::fake::FakeSecrets;
use std::collections::BTreeMap;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct World {
    pub load_balancers: BTreeMap<String, LoadBalancer>,
    pub clusters: BTreeMap<String, String>,
    /// (cluster, service) → status.
    pub services: BTreeMap<(String, String), String>,
    /// Namespace name → the names of its services.
    pub namespaces: BTreeMap<String, Vec<String>>,
    pub databases: BTreeMap<String, DatabaseCluster>,
    pub cache_groups: BTreeMap<String, Option<(String, i32)>>,
    pub dashboards: Vec<String>,
    pub topics: Vec<String>,
}

#[derive(Debug)]
pub struct Fake {
    /// What a complete environment holds, and every call of the function's AWS with the faults to
    /// answer.
    recorded: RecordedWorld<World>,
    /// The VPCs and subnets, recording into the same recorder.
    ec2: FakeEc2,
    /// The log groups, recording into the same recorder.
    pub logs: FakeLogGroups,
    /// The secrets, recording into the same recorder.
    secrets: FakeSecrets,
}

impl Default for Fake {
    fn default() -> Self {
        let recorded = RecordedWorld::default();
        Self {
            ec2: FakeEc2::new(recorded.recorder.clone()),
            logs: FakeLogGroups::new(recorded.recorder.clone()),
            secrets: FakeSecrets::new(recorded.recorder.clone()),
            recorded,
        }
    }
}

env_core::recorded_world!(Fake, World, recorded);

pub const REGION: &str = "us-west-2";

impl Cloud for Fake {
    type Ec2 = FakeEc2;

    fn ec2(&self) -> &FakeEc2 {
        &self.ec2
    }

    type Logs = FakeLogGroups;

    fn logs(&self) -> &FakeLogGroups {
        &self.logs
    }

    type Secrets = FakeSecrets;

    fn secrets(&self) -> &FakeSecrets {
        &self.secrets
    }

    fn region(&self) -> &str {
        REGION
    }

    async fn load_balancer(&self, name: &str) -> CallResult<Option<LoadBalancer>> {
        let world = self.read("DescribeLoadBalancers")?;
        Ok(world.load_balancers.get(name).cloned())
    }

    async fn cluster_status(&self, name: &str) -> CallResult<Option<String>> {
        let world = self.read("DescribeClusters")?;
        Ok(world.clusters.get(name).cloned())
    }

    async fn service_status(&self, cluster: &str, name: &str) -> CallResult<Option<String>> {
        let world = self.read("DescribeServices")?;
        Ok(world
            .services
            .get(&(cluster.to_owned(), name.to_owned()))
            .cloned())
    }

    async fn discovery_services(&self, namespace: &str) -> CallResult<Option<Vec<String>>> {
        let world = self.read("ListServices")?;
        Ok(world.namespaces.get(namespace).cloned())
    }

    async fn database_cluster(&self, id: &str) -> CallResult<Option<DatabaseCluster>> {
        let world = self.read("DescribeDBClusters")?;
        Ok(world.databases.get(id).cloned())
    }

    async fn cache_endpoint(&self, group_id: &str) -> CallResult<Option<Option<(String, i32)>>> {
        let world = self.read("DescribeReplicationGroups")?;
        Ok(world.cache_groups.get(group_id).cloned())
    }

    async fn dashboard_exists(&self, name: &str) -> CallResult<bool> {
        let world = self.read("ListDashboards")?;
        Ok(world.dashboards.iter().any(|dashboard| dashboard == name))
    }

    async fn topic_arn(&self, name: &str) -> CallResult<Option<String>> {
        let world = self.read("ListTopics")?;
        let wanted = format!(":{name}");
        Ok(world
            .topics
            .iter()
            .find(|arn| arn.ends_with(&wanted))
            .cloned())
    }
}
