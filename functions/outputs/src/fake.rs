//! An in-memory AWS for the handler's unit tests: it holds what a complete environment would
//! hold and answers the lookups from it. Every call, the log group's and the secrets' included, is
//! recorded in one `SharedRecorder`, where a test also makes a named operation fail with a given
//! AWS error code, the way AWS answers (throttling, access denied …).

use crate::api::{CallResult, Cloud, DatabaseCluster, LoadBalancer, Subnet};
use env_core::recorder::RecordedWorld;
use log_groups::fake::FakeLogGroups;
use secrets::fake::FakeSecrets;
use std::collections::BTreeMap;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct World {
    /// VPC id → (Name tag, environment tag).
    pub vpcs: BTreeMap<String, (String, String)>,
    /// VPC id → its subnets.
    pub subnets: BTreeMap<String, Vec<Subnet>>,
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
    /// The log groups, recording into the same recorder.
    pub logs: FakeLogGroups,
    /// The secrets, recording into the same recorder.
    secrets: FakeSecrets,
}

impl Default for Fake {
    fn default() -> Self {
        let recorded = RecordedWorld::default();
        Self {
            logs: FakeLogGroups::new(recorded.recorder.clone()),
            secrets: FakeSecrets::new(recorded.recorder.clone()),
            recorded,
        }
    }
}

env_core::recorded_world!(Fake, World, recorded);

pub const REGION: &str = "us-west-2";

impl Cloud for Fake {
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

    async fn vpcs(&self, name: &str, environment: &str) -> CallResult<Vec<String>> {
        let world = self.read("DescribeVpcs")?;
        Ok(world
            .vpcs
            .iter()
            .filter(|(_, tags)| tags.0 == name && tags.1 == environment)
            .map(|(id, _)| id.clone())
            .collect())
    }

    async fn subnets(&self, vpc_id: &str) -> CallResult<Vec<Subnet>> {
        let world = self.read("DescribeSubnets")?;
        // A filter on a VPC without subnets matches none: DescribeSubnets answers an empty list.
        Ok(world.subnets.get(vpc_id).cloned().unwrap_or_default())
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
