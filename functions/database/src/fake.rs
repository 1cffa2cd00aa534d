//! An in-memory RDS and Lambda for the handler's unit tests: it keeps what was created and answers
//! the finders from it. The log groups, the rotation role and the secrets are the shared fakes
//! ([`FakeLogGroups`], [`FakeRoles`], [`FakeSecrets`]); every call of all four lands in one
//! `SharedRecorder`, where a test also makes a named operation fail with a given AWS error code,
//! the way AWS answers (throttling, already-exists, invalid state …).

use crate::api::{
    CallResult, Cloud, Cluster, ClusterSettings, EngineVersion, Function, FunctionSettings,
    Instance, InstanceSettings, Scaling,
};
use env_core::recorder::RecordedWorld;
use env_core::tags::Tag;
use iam_roles::fake::FakeRoles;
use log_groups::fake::FakeLogGroups;
use secrets::fake::FakeSecrets;
use serde_json::json;
use std::collections::BTreeMap;

pub use env_core::error::aws_failure;

pub const ACCOUNT: &str = "123456789012";

#[derive(Debug, Default)]
pub struct World {
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
    pub functions: BTreeMap<String, (FunctionSettings, Function)>,
    /// The state a new function starts in (AWS: `Pending` for a VPC function, then `Active`).
    pub function_state: Option<&'static str>,
    /// (function, statement id, principal, source account).
    pub permissions: Vec<(String, String, String, String)>,
    /// The status a new cluster or instance starts in (AWS: `creating`).
    pub new_status: Option<&'static str>,
    /// Deleted clusters and instances go to `deleting` (AWS) instead of vanishing (moto).
    pub slow_deletion: bool,
    /// The clock of `LastModified`: this long after the epoch.
    pub clock: std::time::Duration,
}

impl World {
    fn status(&self) -> String {
        self.new_status.unwrap_or("creating").to_owned()
    }
}

/// The function an update call changes, marked as updating. (Lambda refuses a second change while
/// the first is in progress, ResourceConflictException; the handler never asks for one then, and
/// the tests inject that refusal as a fault.)
fn updated<'w>(world: &'w mut World, name: &str) -> &'w mut Function {
    let (_, function) = world
        .functions
        .get_mut(name)
        .expect("the handler updates only a function it has just read");
    function.updating = true;
    function.last_modified = Some(std::time::UNIX_EPOCH + world.clock);
    function
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
pub struct FakeCloud {
    /// What was made, and every call of the fake and of its log groups, roles and secrets, in
    /// order, with the faults tests inject.
    recorded: RecordedWorld<World>,
    pub logs: FakeLogGroups,
    pub roles: FakeRoles,
    /// The environment's secrets and the master secret RDS makes with the cluster.
    pub secrets: FakeSecrets,
}

impl Default for FakeCloud {
    /// All four record into one recorder.
    fn default() -> Self {
        let recorded = RecordedWorld::default();
        Self {
            logs: FakeLogGroups::new(recorded.recorder.clone()),
            roles: FakeRoles::new(recorded.recorder.clone()),
            secrets: FakeSecrets::new(recorded.recorder.clone()),
            recorded,
        }
    }
}

env_core::recorded_world!(FakeCloud, World, recorded);

impl FakeCloud {
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

    /// Everything the fake holds (its world, the log groups, the roles, the secrets) and every
    /// change recorded, as text: the same before and after a call that wrote nothing.
    pub fn snapshot(&self) -> String {
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
            *self.world(),
            *self.logs.groups(),
            *self.roles.roles(),
            *self.secrets.store(),
            self.recorder.lock().changes
        )
    }
}

impl Cloud for FakeCloud {
    type Logs = FakeLogGroups;
    type Roles = FakeRoles;
    type Secrets = FakeSecrets;

    fn logs(&self) -> &FakeLogGroups {
        &self.logs
    }

    fn roles(&self) -> &FakeRoles {
        &self.roles
    }

    fn secrets(&self) -> &FakeSecrets {
        &self.secrets
    }

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
        let credentials = json!({"username": settings.master_username, "password": "by-rds"});
        let master_secret_arn = self
            .secrets
            .add_managed(&master, "rds", &credentials.to_string());
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

    async fn function(&self, name: &str) -> CallResult<Option<Function>> {
        let mut world = self.read("GetFunction")?;
        let Some((_, function)) = world.functions.get_mut(name) else {
            return Ok(None);
        };
        let described = function.clone();
        // An update takes until the read after it (AWS: seconds).
        function.updating = false;
        Ok(Some(described))
    }

    async fn create_function(&self, settings: &FunctionSettings) -> CallResult<()> {
        let mut world = self.write("CreateFunction")?;
        let function = Function {
            arn: format!(
                "arn:aws:lambda:us-west-2:{ACCOUNT}:function:{}",
                settings.name
            ),
            state: world.function_state.unwrap_or("Active").to_owned(),
            updating: false,
            update_failure: None,
            last_modified: Some(std::time::UNIX_EPOCH + world.clock),
            subnet_ids: settings.subnet_ids.clone(),
            security_group_ids: settings.security_group_ids.clone(),
            code_sha256: settings.code_sha256.clone(),
            architecture: settings.architecture.clone(),
            timeout_seconds: settings.timeout_seconds,
            environment: settings.variables(),
        };
        world
            .functions
            .insert(settings.name.clone(), (settings.clone(), function));
        Ok(())
    }

    async fn update_function_code(&self, settings: &FunctionSettings) -> CallResult<()> {
        let mut world = self.write("UpdateFunctionCode")?;
        let function = updated(&mut world, &settings.name);
        function.code_sha256 = settings.code_sha256.clone();
        function.architecture = settings.architecture.clone();
        Ok(())
    }

    async fn update_function_configuration(&self, settings: &FunctionSettings) -> CallResult<()> {
        let mut world = self.write("UpdateFunctionConfiguration")?;
        let function = updated(&mut world, &settings.name);
        function.timeout_seconds = settings.timeout_seconds;
        function.environment = settings.variables();
        Ok(())
    }

    async fn allow_invoke(
        &self,
        function: &str,
        statement_id: &str,
        principal: &str,
        source_account: &str,
    ) -> CallResult<()> {
        let mut world = self.read("AddPermission")?;
        if world
            .permissions
            .iter()
            .any(|(f, id, ..)| f == function && id == statement_id)
        {
            return Err(aws_failure("AddPermission", "ResourceConflictException"));
        }
        self.recorder.lock().changes.push("AddPermission");
        world.permissions.push((
            function.to_owned(),
            statement_id.to_owned(),
            principal.to_owned(),
            source_account.to_owned(),
        ));
        Ok(())
    }

    async fn delete_function(&self, name: &str) -> CallResult<()> {
        let mut world = self.write("DeleteFunction")?;
        world.functions.remove(name);
        Ok(())
    }
}
