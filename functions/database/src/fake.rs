//! An in-memory RDS and Secrets Manager for the handler's unit tests: it keeps what was created,
//! answers the finders from it, and fails a named operation with a given AWS error code when a
//! test asks, the way AWS answers (throttling, already-exists, invalid state …).

use crate::api::{
    CallResult, Cloud, Cluster, ClusterSettings, Instance, InstanceSettings, Rotation,
};
use env_core::tags::Tag;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

pub use env_core::error::aws_failure;

#[derive(Debug, Default)]
pub struct World {
    /// Subnet group name → (subnet ids, tags).
    pub subnet_groups: BTreeMap<String, (Vec<String>, Vec<Tag>)>,
    /// Parameter group name → (family, parameters).
    pub parameter_groups: BTreeMap<String, (String, BTreeMap<String, String>)>,
    pub clusters: BTreeMap<String, (ClusterSettings, Cluster)>,
    pub instances: BTreeMap<String, (InstanceSettings, Instance)>,
    pub rotations: BTreeMap<String, Rotation>,
    /// The status a new cluster or instance starts in (AWS: `creating`).
    pub new_status: Option<&'static str>,
    /// Deleted clusters and instances go to `deleting` (AWS) instead of vanishing (moto).
    pub slow_deletion: bool,
    /// (operation, code): the next call of that operation fails with that code, once.
    pub faults: Vec<(&'static str, &'static str)>,
    /// Every call that changed something, by operation name.
    pub changes: Vec<&'static str>,
}

impl World {
    fn call(&mut self, operation: &'static str) -> CallResult<()> {
        if let Some(index) = self.faults.iter().position(|(op, _)| *op == operation) {
            let (_, code) = self.faults.remove(index);
            return Err(aws_failure(operation, code));
        }
        Ok(())
    }

    fn change(&mut self, operation: &'static str) -> CallResult<()> {
        self.call(operation)?;
        self.changes.push(operation);
        Ok(())
    }

    fn status(&self) -> String {
        self.new_status.unwrap_or("creating").to_owned()
    }
}

#[derive(Debug, Default)]
pub struct FakeCloud {
    world: Mutex<World>,
}

impl FakeCloud {
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap()
    }

    /// Puts every cluster and instance into `status`, as time passing in AWS would.
    pub fn set_all(&self, status: &str) {
        let mut world = self.world();
        for (_, cluster) in world.clusters.values_mut() {
            cluster.status = status.to_owned();
        }
        for (_, instance) in world.instances.values_mut() {
            instance.status = status.to_owned();
        }
    }

    pub fn fail_next(&self, operation: &'static str, code: &'static str) {
        self.world().faults.push((operation, code));
    }
}

impl Cloud for FakeCloud {
    async fn subnet_group_exists(&self, name: &str) -> CallResult<bool> {
        let mut world = self.world();
        world.call("DescribeDBSubnetGroups")?;
        Ok(world.subnet_groups.contains_key(name))
    }

    async fn create_subnet_group(
        &self,
        name: &str,
        subnet_ids: &[String],
        tags: &[Tag],
    ) -> CallResult<()> {
        let mut world = self.world();
        world.change("CreateDBSubnetGroup")?;
        world
            .subnet_groups
            .insert(name.to_owned(), (subnet_ids.to_vec(), tags.to_vec()));
        Ok(())
    }

    async fn delete_subnet_group(&self, name: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteDBSubnetGroup")?;
        world.subnet_groups.remove(name);
        Ok(())
    }

    async fn parameter_group_exists(&self, name: &str) -> CallResult<bool> {
        let mut world = self.world();
        world.call("DescribeDBClusterParameterGroups")?;
        Ok(world.parameter_groups.contains_key(name))
    }

    async fn create_parameter_group(
        &self,
        name: &str,
        family: &str,
        _tags: &[Tag],
    ) -> CallResult<()> {
        let mut world = self.world();
        world.change("CreateDBClusterParameterGroup")?;
        world
            .parameter_groups
            .insert(name.to_owned(), (family.to_owned(), BTreeMap::new()));
        Ok(())
    }

    async fn set_parameter(&self, group: &str, name: &str, value: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("ModifyDBClusterParameterGroup")?;
        if let Some((_, parameters)) = world.parameter_groups.get_mut(group) {
            parameters.insert(name.to_owned(), value.to_owned());
        }
        Ok(())
    }

    async fn delete_parameter_group(&self, name: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteDBClusterParameterGroup")?;
        world.parameter_groups.remove(name);
        Ok(())
    }

    async fn cluster(&self, id: &str) -> CallResult<Option<Cluster>> {
        let mut world = self.world();
        world.call("DescribeDBClusters")?;
        Ok(world.clusters.get(id).map(|(_, cluster)| cluster.clone()))
    }

    async fn create_cluster(&self, settings: &ClusterSettings) -> CallResult<()> {
        let mut world = self.world();
        world.change("CreateDBCluster")?;
        let id = &settings.id;
        let cluster = Cluster {
            id: id.clone(),
            arn: format!("arn:aws:rds:us-west-2:123456789012:cluster:{id}"),
            status: world.status(),
            deletion_protection: settings.deletion_protection,
            writer_endpoint: Some(format!("{id}.cluster-x.us-west-2.rds.amazonaws.com")),
            reader_endpoint: Some(format!("{id}.cluster-ro-x.us-west-2.rds.amazonaws.com")),
            port: Some(settings.port),
            database_name: Some(settings.database_name.to_owned()),
            master_secret_arn: Some(format!(
                "arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!cluster-{id}"
            )),
        };
        world
            .clusters
            .insert(id.clone(), (settings.clone(), cluster));
        Ok(())
    }

    async fn lift_deletion_protection(&self, id: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("ModifyDBCluster")?;
        if let Some((_, cluster)) = world.clusters.get_mut(id) {
            cluster.deletion_protection = false;
        }
        Ok(())
    }

    async fn delete_cluster(&self, id: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteDBCluster")?;
        if world.slow_deletion {
            if let Some((_, cluster)) = world.clusters.get_mut(id) {
                cluster.status = "deleting".into();
            }
        } else {
            world.clusters.remove(id);
        }
        Ok(())
    }

    async fn instance(&self, id: &str) -> CallResult<Option<Instance>> {
        let mut world = self.world();
        world.call("DescribeDBInstances")?;
        Ok(world
            .instances
            .get(id)
            .map(|(_, instance)| instance.clone()))
    }

    async fn create_instance(&self, settings: &InstanceSettings) -> CallResult<()> {
        let mut world = self.world();
        world.change("CreateDBInstance")?;
        let instance = Instance {
            id: settings.id.clone(),
            status: world.status(),
        };
        world
            .instances
            .insert(settings.id.clone(), (settings.clone(), instance));
        Ok(())
    }

    async fn delete_instance(&self, id: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteDBInstance")?;
        if world.slow_deletion {
            if let Some((_, instance)) = world.instances.get_mut(id) {
                instance.status = "deleting".into();
            }
        } else {
            world.instances.remove(id);
        }
        Ok(())
    }

    async fn rotation(&self, secret_arn: &str) -> CallResult<Rotation> {
        let mut world = self.world();
        world.call("DescribeSecret")?;
        Ok(world.rotations.get(secret_arn).copied().unwrap_or_default())
    }

    async fn rotate_every(&self, secret_arn: &str, days: i64) -> CallResult<()> {
        let mut world = self.world();
        world.change("RotateSecret")?;
        world.rotations.insert(
            secret_arn.to_owned(),
            Rotation {
                enabled: true,
                days: Some(days),
            },
        );
        Ok(())
    }
}
