//! [`RdsCalls`] in memory, for the unit tests of every caller: it keeps what was created and
//! answers the finders from it. Every call lands in the function's shared [`SharedRecorder`], where
//! a test also makes a named operation fail with a given AWS error code, the way AWS answers
//! (throttling, already-exists, invalid state …). A test puts clusters and instances into the
//! world directly (`world()`) to stand for what another function made.

use crate::{
    CallResult, Cluster, ClusterSettings, EngineVersion, Instance, InstanceSettings, RdsCalls,
    Scaling,
};
use env_core::recorder::{RecordedWorld, SharedRecorder};
use env_core::tags::Tag;
use secrets::fake::FakeSecrets;
use std::collections::BTreeMap;

/// What the fake RDS holds.
#[derive(Debug, Default)]
pub struct RdsWorld {
    /// Subnet group name → (subnet ids, tags).
    pub subnet_groups: BTreeMap<String, (Vec<String>, Vec<Tag>)>,
    /// Parameter group name → (family, parameters).
    pub parameter_groups: BTreeMap<String, (String, BTreeMap<String, String>)>,
    /// What DescribeDBEngineVersions lists; `None`: [`default_engine_versions`].
    pub engine_versions: Option<Vec<EngineVersion>>,
    /// The (engine, family) each DescribeDBEngineVersions asked for.
    pub engine_version_queries: Vec<(String, String)>,
    pub clusters: BTreeMap<String, (ClusterSettings, Cluster)>,
    pub instances: BTreeMap<String, (InstanceSettings, Instance)>,
    /// The status a new cluster or instance starts in (AWS: `creating`).
    pub new_status: Option<&'static str>,
    /// Deleted clusters and instances go to `deleting` (AWS) instead of vanishing (moto).
    pub slow_deletion: bool,
}

impl RdsWorld {
    fn status(&self) -> String {
        self.new_status.unwrap_or("creating").to_owned()
    }

    /// A cluster another component made (as the database function makes the one the outputs
    /// function reads): what DescribeDBClusters tells of it, its settings filled from that.
    pub fn add_cluster(&mut self, cluster: Cluster) {
        let settings = ClusterSettings {
            id: cluster.id.clone(),
            engine: "aurora-postgresql",
            engine_version: cluster.engine_version.clone().unwrap_or_default(),
            subnet_group: String::new(),
            parameter_group: String::new(),
            security_group_ids: Vec::new(),
            kms_key_arn: String::new(),
            min_capacity: cluster.scaling.as_ref().map_or(0.0, |s| s.min_capacity),
            max_capacity: cluster.scaling.as_ref().map_or(0.0, |s| s.max_capacity),
            seconds_until_auto_pause: None,
            deletion_protection: cluster.deletion_protection,
            master_username: "",
            database_name: "",
            port: cluster.port.unwrap_or_default(),
            backup_retention_days: 0,
            log_exports: Vec::new(),
            tags: Vec::new(),
        };
        self.clusters
            .insert(cluster.id.clone(), (settings, cluster));
    }

    /// Puts every cluster and instance into `status`, as time passing in AWS would.
    pub fn set_all(&mut self, status: &str) {
        for (_, cluster) in self.clusters.values_mut() {
            cluster.status = status.to_owned();
        }
        for (_, instance) in self.instances.values_mut() {
            instance.status = status.to_owned();
        }
    }
}

/// An available Aurora PostgreSQL version with AWS's Serverless v2 range of 0–256 ACUs.
pub fn engine_version(version: &str) -> EngineVersion {
    EngineVersion {
        version: version.to_owned(),
        status: Some("available".to_owned()),
        serverless_v2_range: Some((0.0, 256.0)),
    }
}

/// Two minor versions of Aurora PostgreSQL 16, listed oldest first as RDS lists them.
pub fn default_engine_versions() -> Vec<EngineVersion> {
    vec![engine_version("16.4"), engine_version("16.9")]
}

#[derive(Debug)]
pub struct FakeRds {
    /// What was made, and the function's recorder its calls land in.
    recorded: RecordedWorld<RdsWorld>,
    /// Where RDS keeps the master user secrets it manages: the function's own Secrets Manager.
    secrets: FakeSecrets,
}

impl FakeRds {
    /// An account with nothing made in it, whose calls land in `recorder` and whose clusters'
    /// master secrets land in `secrets`.
    pub fn new(recorder: SharedRecorder, secrets: FakeSecrets) -> Self {
        let mut recorded = RecordedWorld::new(RdsWorld::default());
        recorded.recorder = recorder;
        Self { recorded, secrets }
    }
}

env_core::recorded_world!(FakeRds, RdsWorld, recorded);

impl RdsCalls for FakeRds {
    async fn subnet_group_exists(&self, name: &str) -> CallResult<bool> {
        let world = self.read("DescribeDBSubnetGroups")?;
        Ok(world.subnet_groups.contains_key(name))
    }

    async fn create_subnet_group(
        &self,
        name: &str,
        subnet_ids: &[String],
        tags: &[Tag],
    ) -> CallResult<()> {
        let mut world = self.write("CreateDBSubnetGroup")?;
        world
            .subnet_groups
            .insert(name.to_owned(), (subnet_ids.to_vec(), tags.to_vec()));
        Ok(())
    }

    async fn delete_subnet_group(&self, name: &str) -> CallResult<()> {
        let mut world = self.write("DeleteDBSubnetGroup")?;
        world.subnet_groups.remove(name);
        Ok(())
    }

    async fn parameter_group_exists(&self, name: &str) -> CallResult<bool> {
        let world = self.read("DescribeDBClusterParameterGroups")?;
        Ok(world.parameter_groups.contains_key(name))
    }

    async fn create_parameter_group(
        &self,
        name: &str,
        family: &str,
        _tags: &[Tag],
    ) -> CallResult<()> {
        let mut world = self.write("CreateDBClusterParameterGroup")?;
        world
            .parameter_groups
            .insert(name.to_owned(), (family.to_owned(), BTreeMap::new()));
        Ok(())
    }

    async fn set_parameter(&self, group: &str, name: &str, value: &str) -> CallResult<()> {
        let mut world = self.write("ModifyDBClusterParameterGroup")?;
        if let Some((_, parameters)) = world.parameter_groups.get_mut(group) {
            parameters.insert(name.to_owned(), value.to_owned());
        }
        Ok(())
    }

    async fn delete_parameter_group(&self, name: &str) -> CallResult<()> {
        let mut world = self.write("DeleteDBClusterParameterGroup")?;
        world.parameter_groups.remove(name);
        Ok(())
    }

    async fn engine_versions(&self, engine: &str, family: &str) -> CallResult<Vec<EngineVersion>> {
        let mut world = self.read("DescribeDBEngineVersions")?;
        world
            .engine_version_queries
            .push((engine.to_owned(), family.to_owned()));
        Ok(world
            .engine_versions
            .clone()
            .unwrap_or_else(default_engine_versions))
    }

    async fn cluster(&self, id: &str) -> CallResult<Option<Cluster>> {
        let world = self.read("DescribeDBClusters")?;
        Ok(world.clusters.get(id).map(|(_, cluster)| cluster.clone()))
    }

    async fn create_cluster(&self, settings: &ClusterSettings) -> CallResult<()> {
        let mut world = self.write("CreateDBCluster")?;
        let id = &settings.id;
        // ManageMasterUserPassword: RDS makes the master user's secret with the cluster, and
        // manages it (RDS user guide, "Password management with Amazon RDS and AWS Secrets Manager").
        let master = format!("rds!cluster-{id}");
        let credentials = format!(
            r#"{{"password":"by-rds","username":"{}"}}"#,
            settings.master_username
        );
        let master_secret_arn = self.secrets.add_managed(&master, "rds", &credentials);
        let cluster = Cluster {
            id: id.clone(),
            arn: format!("arn:aws:rds:us-west-2:123456789012:cluster:{id}"),
            status: world.status(),
            deletion_protection: settings.deletion_protection,
            writer_endpoint: Some(format!("{id}.cluster-x.us-west-2.rds.amazonaws.com")),
            reader_endpoint: Some(format!("{id}.cluster-ro-x.us-west-2.rds.amazonaws.com")),
            port: Some(settings.port),
            database_name: Some(settings.database_name.to_owned()),
            master_secret_arn: Some(master_secret_arn),
            resource_id: format!("cluster-{}", id.to_uppercase()),
            engine_version: Some(settings.engine_version.clone()),
            scaling: Some(settings.scaling()),
        };
        world
            .clusters
            .insert(id.clone(), (settings.clone(), cluster));
        Ok(())
    }

    async fn lift_deletion_protection(&self, id: &str) -> CallResult<()> {
        let mut world = self.write("ModifyDBCluster")?;
        if let Some((_, cluster)) = world.clusters.get_mut(id) {
            cluster.deletion_protection = false;
        }
        Ok(())
    }

    async fn set_scaling(&self, id: &str, scaling: &Scaling) -> CallResult<()> {
        let mut world = self.write("ModifyDBCluster")?;
        if let Some((_, cluster)) = world.clusters.get_mut(id) {
            cluster.scaling = Some(scaling.clone());
        }
        Ok(())
    }

    async fn delete_cluster(&self, id: &str, force: bool) -> CallResult<()> {
        const DELETES: [&str; 2] = ["DeleteDBCluster", "DeleteDBCluster with its backups"];
        let mut world = self.write(DELETES[usize::from(force)])?;
        // RDS deletes the master secret it manages with the cluster (RDS user guide, "Password
        // management with Amazon RDS and AWS Secrets Manager"); not a DeleteSecret of the function.
        let master = world
            .clusters
            .get(id)
            .and_then(|(_, c)| c.master_secret_arn.clone());
        let mut store = self.secrets.store();
        store
            .secrets
            .retain(|_, secret| Some(&secret.arn) != master.as_ref());
        drop(store);
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
        let world = self.read("DescribeDBInstances")?;
        Ok(world
            .instances
            .get(id)
            .map(|(_, instance)| instance.clone()))
    }

    async fn create_instance(&self, settings: &InstanceSettings) -> CallResult<()> {
        let mut world = self.write("CreateDBInstance")?;
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
        let mut world = self.write("DeleteDBInstance")?;
        if world.slow_deletion {
            if let Some((_, instance)) = world.instances.get_mut(id) {
                instance.status = "deleting".into();
            }
        } else {
            world.instances.remove(id);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
