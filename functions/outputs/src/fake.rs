//! An in-memory AWS for the handler's unit tests: it holds what a complete environment would
//! hold, answers the lookups from it, records every call, and fails a named operation with a given
//! AWS error code when a test asks, the way AWS answers (throttling, access denied …).

use crate::api::{CallResult, Cloud, DatabaseCluster, LoadBalancer, Secret, Subnet};
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

pub use env_core::error::aws_failure;

#[derive(Debug, Default)]
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
    pub secrets: BTreeMap<String, Secret>,
    pub cache_groups: BTreeMap<String, Option<(String, i32)>>,
    pub log_groups: Vec<String>,
    pub dashboards: Vec<String>,
    pub topics: Vec<String>,
    /// (operation, code): that call fails once with that code.
    pub faults: Vec<(&'static str, &'static str)>,
    /// Every call made, by operation name.
    pub calls: Vec<&'static str>,
}

impl World {
    fn call(&mut self, operation: &'static str) -> CallResult<()> {
        self.calls.push(operation);
        if let Some(index) = self.faults.iter().position(|(op, _)| *op == operation) {
            let (_, code) = self.faults.remove(index);
            return Err(aws_failure(operation, code));
        }
        Ok(())
    }
}

#[derive(Debug, Default)]
pub struct Fake(pub Mutex<World>);

impl Fake {
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.0
            .lock()
            .expect("no test panicked while holding the world")
    }
}

pub const REGION: &str = "us-west-2";

impl Cloud for Fake {
    fn region(&self) -> &str {
        REGION
    }

    async fn vpcs(&self, name: &str, environment: &str) -> CallResult<Vec<String>> {
        let mut world = self.world();
        world.call("DescribeVpcs")?;
        Ok(world
            .vpcs
            .iter()
            .filter(|(_, tags)| tags.0 == name && tags.1 == environment)
            .map(|(id, _)| id.clone())
            .collect())
    }

    async fn subnets(&self, vpc_id: &str) -> CallResult<Vec<Subnet>> {
        let mut world = self.world();
        world.call("DescribeSubnets")?;
        Ok(world.subnets.get(vpc_id).cloned().unwrap_or_default())
    }

    async fn load_balancer(&self, name: &str) -> CallResult<Option<LoadBalancer>> {
        let mut world = self.world();
        world.call("DescribeLoadBalancers")?;
        Ok(world.load_balancers.get(name).cloned())
    }

    async fn cluster_status(&self, name: &str) -> CallResult<Option<String>> {
        let mut world = self.world();
        world.call("DescribeClusters")?;
        Ok(world.clusters.get(name).cloned())
    }

    async fn service_status(&self, cluster: &str, name: &str) -> CallResult<Option<String>> {
        let mut world = self.world();
        world.call("DescribeServices")?;
        Ok(world
            .services
            .get(&(cluster.to_owned(), name.to_owned()))
            .cloned())
    }

    async fn discovery_services(&self, namespace: &str) -> CallResult<Option<Vec<String>>> {
        let mut world = self.world();
        world.call("ListServices")?;
        Ok(world.namespaces.get(namespace).cloned())
    }

    async fn database_cluster(&self, id: &str) -> CallResult<Option<DatabaseCluster>> {
        let mut world = self.world();
        world.call("DescribeDBClusters")?;
        Ok(world.databases.get(id).cloned())
    }

    async fn secret(&self, name: &str) -> CallResult<Option<Secret>> {
        let mut world = self.world();
        world.call("DescribeSecret")?;
        Ok(world.secrets.get(name).cloned())
    }

    async fn cache_endpoint(&self, group_id: &str) -> CallResult<Option<Option<(String, i32)>>> {
        let mut world = self.world();
        world.call("DescribeReplicationGroups")?;
        Ok(world.cache_groups.get(group_id).cloned())
    }

    async fn log_group_exists(&self, name: &str) -> CallResult<bool> {
        let mut world = self.world();
        world.call("DescribeLogGroups")?;
        Ok(world.log_groups.iter().any(|group| group == name))
    }

    async fn dashboard_exists(&self, name: &str) -> CallResult<bool> {
        let mut world = self.world();
        world.call("ListDashboards")?;
        Ok(world.dashboards.iter().any(|dashboard| dashboard == name))
    }

    async fn topic_arn(&self, name: &str) -> CallResult<Option<String>> {
        let mut world = self.world();
        world.call("ListTopics")?;
        let wanted = format!(":{name}");
        Ok(world
            .topics
            .iter()
            .find(|arn| arn.ends_with(&wanted))
            .cloned())
    }
}
