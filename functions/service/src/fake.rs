//! An in-memory ECS, Cloud Map, Application Auto Scaling, CloudWatch Logs and IAM for the
//! handler's unit tests: it keeps what was created, answers the finders from it, and fails a named
//! operation with a given AWS error code when a test asks, the way AWS answers.

use crate::api::{
    CallResult, Cloud, Cluster, EcsService, Named, ServiceSpec, TaskDefinition, TaskSpec,
};
use env_core::tags::Tag;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

pub use env_core::error::aws_failure;

/// A log group as the fake keeps it, for the tests to check its key and retention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLogGroup {
    pub retention_days: Option<i32>,
    pub kms_key_id: Option<String>,
}

#[derive(Debug, Default)]
pub struct World {
    pub log_groups: BTreeMap<String, StoredLogGroup>,
    /// A log group another caller makes between our lookup and our CreateLogGroup: that call
    /// answers ResourceAlreadyExistsException, the group made with the caller's key.
    pub made_meanwhile: Option<&'static str>,
    /// Role name → (ARN, trust policy, inline policies by name).
    pub roles: BTreeMap<String, (String, String, BTreeMap<String, String>)>,
    pub clusters: BTreeMap<String, Cluster>,
    /// Every registered revision: (ARN, what it was registered from, fingerprint tag, active).
    pub task_definitions: Vec<(String, TaskSpec, Option<String>, bool)>,
    pub services: BTreeMap<String, (ServiceSpec, EcsService)>,
    pub namespaces: Vec<(Named, String)>,
    /// (namespace id, service).
    pub discovery: Vec<(String, Named)>,
    /// Resource → (min, max).
    pub targets: BTreeMap<String, (i32, i32)>,
    /// (resource, policy name) → (target, cooldowns).
    pub policies: BTreeMap<(String, String), (f64, (i32, i32))>,
    /// A new namespace appears only on the next lookup but one (AWS creates it asynchronously).
    pub slow_namespace: bool,
    /// A deleted ECS service stays DRAINING until a test moves it on (AWS drains its tasks).
    pub slow_service_deletion: bool,
    /// (operation, code, calls to let through first): then that call fails with that code.
    pub faults: Vec<(&'static str, &'static str, usize)>,
    /// Every call that changed something, by operation name.
    pub changes: Vec<&'static str>,
    pending_namespace: Option<(Named, String)>,
    next_id: u32,
}

impl World {
    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-{:04}", self.next_id)
    }

    fn call(&mut self, operation: &'static str) -> CallResult<()> {
        if let Some(index) = self.faults.iter().position(|(op, _, _)| *op == operation) {
            if self.faults[index].2 > 0 {
                self.faults[index].2 -= 1;
                return Ok(());
            }
            let (_, code, _) = self.faults.remove(index);
            return Err(aws_failure(operation, code));
        }
        Ok(())
    }

    fn change(&mut self, operation: &'static str) -> CallResult<()> {
        self.call(operation)?;
        self.changes.push(operation);
        Ok(())
    }

    pub fn count(&self, operation: &str) -> usize {
        self.changes.iter().filter(|op| **op == operation).count()
    }

    pub fn active_task_definitions(&self) -> Vec<&TaskSpec> {
        self.task_definitions
            .iter()
            .filter(|(_, _, _, active)| *active)
            .map(|(_, spec, _, _)| spec)
            .collect()
    }

    /// Nothing of the environment left.
    pub fn is_empty(&self) -> bool {
        self.log_groups.is_empty()
            && self.roles.is_empty()
            && self
                .clusters
                .values()
                .all(|cluster| cluster.status != "ACTIVE")
            && self.task_definitions.is_empty()
            && self
                .services
                .values()
                .all(|(_, service)| service.status == "INACTIVE")
            && self.namespaces.is_empty()
            && self.discovery.is_empty()
            && self.targets.is_empty()
            && self.policies.is_empty()
    }
}

#[derive(Debug, Default)]
pub struct Fake(pub Mutex<World>);

impl Fake {
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.0.lock().unwrap()
    }
}

const ACCOUNT: &str = "123456789012";

/// What ECS reports as `deploymentConfiguration.strategy` for a service made from `spec`.
fn strategy(spec: &ServiceSpec) -> &'static str {
    if spec.blue_green.is_some() {
        "BLUE_GREEN"
    } else {
        "ROLLING"
    }
}

fn alternate(spec: &ServiceSpec) -> Option<String> {
    spec.blue_green
        .as_ref()
        .map(|blue_green| blue_green.alternate_target_group_arn.clone())
}

impl Cloud for Fake {
    async fn log_group_exists(&self, name: &str) -> CallResult<bool> {
        let mut world = self.world();
        world.call("DescribeLogGroups")?;
        Ok(world.log_groups.contains_key(name))
    }

    async fn log_group_key(&self, name: &str) -> CallResult<Option<Option<String>>> {
        let mut world = self.world();
        world.call("DescribeLogGroups")?;
        Ok(world
            .log_groups
            .get(name)
            .map(|group| group.kms_key_id.clone()))
    }

    async fn associate_log_group_key(&self, name: &str, key_arn: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("AssociateKmsKey")?;
        if let Some(group) = world.log_groups.get_mut(name) {
            group.kms_key_id = Some(key_arn.to_owned());
        }
        Ok(())
    }

    async fn create_log_group(&self, name: &str, key_arn: &str, _tags: &[Tag]) -> CallResult<()> {
        let mut world = self.world();
        world.change("CreateLogGroup")?;
        let raced = world.made_meanwhile == Some(name);
        world.log_groups.insert(
            name.to_owned(),
            StoredLogGroup {
                retention_days: None,
                kms_key_id: Some(key_arn.to_owned()),
            },
        );
        if raced {
            return Err(aws_failure(
                "CreateLogGroup",
                "ResourceAlreadyExistsException",
            ));
        }
        Ok(())
    }

    async fn set_retention(&self, name: &str, days: i32) -> CallResult<()> {
        let mut world = self.world();
        world.change("PutRetentionPolicy")?;
        world.log_groups.get_mut(name).unwrap().retention_days = Some(days);
        Ok(())
    }

    async fn delete_log_group(&self, name: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteLogGroup")?;
        world.log_groups.remove(name);
        Ok(())
    }

    async fn role(&self, name: &str) -> CallResult<Option<String>> {
        let mut world = self.world();
        world.call("GetRole")?;
        Ok(world.roles.get(name).map(|(arn, _, _)| arn.clone()))
    }

    async fn create_role(&self, name: &str, trust: &str, _tags: &[Tag]) -> CallResult<String> {
        let mut world = self.world();
        world.change("CreateRole")?;
        let arn = format!("arn:aws:iam::{ACCOUNT}:role/{name}");
        world.roles.insert(
            name.to_owned(),
            (arn.clone(), trust.to_owned(), BTreeMap::new()),
        );
        Ok(arn)
    }

    async fn put_role_policy(&self, role: &str, policy: &str, document: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("PutRolePolicy")?;
        let role = world.roles.get_mut(role).unwrap();
        role.2.insert(policy.to_owned(), document.to_owned());
        Ok(())
    }

    async fn role_policies(&self, role: &str) -> CallResult<Vec<String>> {
        let mut world = self.world();
        world.call("ListRolePolicies")?;
        Ok(world.roles[role].2.keys().cloned().collect())
    }

    async fn delete_role_policy(&self, role: &str, policy: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteRolePolicy")?;
        world.roles.get_mut(role).unwrap().2.remove(policy);
        Ok(())
    }

    async fn delete_role(&self, name: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteRole")?;
        // IAM refuses to delete a role that still has inline policies (DeleteConflict).
        assert!(world.roles[name].2.is_empty(), "{name} still has policies");
        world.roles.remove(name);
        Ok(())
    }

    async fn cluster(&self, name: &str) -> CallResult<Option<Cluster>> {
        let mut world = self.world();
        world.call("DescribeClusters")?;
        Ok(world.clusters.get(name).cloned())
    }

    async fn create_cluster(&self, name: &str, _tags: &[Tag]) -> CallResult<Cluster> {
        let mut world = self.world();
        world.change("CreateCluster")?;
        let cluster = Cluster {
            arn: format!("arn:aws:ecs:us-west-2:{ACCOUNT}:cluster/{name}"),
            status: "ACTIVE".into(),
        };
        world.clusters.insert(name.to_owned(), cluster.clone());
        Ok(cluster)
    }

    async fn delete_cluster(&self, name: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteCluster")?;
        world.clusters.get_mut(name).unwrap().status = "INACTIVE".into();
        Ok(())
    }

    async fn latest_task_definition(&self, family: &str) -> CallResult<Option<TaskDefinition>> {
        let mut world = self.world();
        world.call("DescribeTaskDefinition")?;
        Ok(world
            .task_definitions
            .iter()
            .rfind(|(_, spec, _, active)| *active && spec.family == family)
            .map(|(arn, _, fingerprint, _)| TaskDefinition {
                arn: arn.clone(),
                fingerprint: fingerprint.clone(),
            }))
    }

    async fn register_task_definition(
        &self,
        spec: &TaskSpec,
        tags: &[Tag],
    ) -> CallResult<TaskDefinition> {
        let mut world = self.world();
        world.change("RegisterTaskDefinition")?;
        let revision = world.task_definitions.len() + 1;
        let arn = format!(
            "arn:aws:ecs:us-west-2:{ACCOUNT}:task-definition/{}:{revision}",
            spec.family
        );
        let fingerprint = tags
            .iter()
            .find(|tag| tag.key == crate::task::FINGERPRINT_TAG)
            .map(|tag| tag.value.clone());
        world
            .task_definitions
            .push((arn.clone(), spec.clone(), fingerprint, true));
        Ok(TaskDefinition {
            arn,
            fingerprint: None,
        })
    }

    async fn task_definitions(&self, family: &str) -> CallResult<Vec<String>> {
        let mut world = self.world();
        world.call("ListTaskDefinitions")?;
        Ok(world
            .task_definitions
            .iter()
            .filter(|(_, spec, _, active)| *active && spec.family == family)
            .map(|(arn, _, _, _)| arn.clone())
            .collect())
    }

    async fn deregister_task_definition(&self, arn: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeregisterTaskDefinition")?;
        for entry in &mut world.task_definitions {
            if entry.0 == arn {
                entry.3 = false;
            }
        }
        Ok(())
    }

    async fn inactive_task_definitions(&self, family: &str) -> CallResult<Vec<String>> {
        let mut world = self.world();
        world.call("ListTaskDefinitions")?;
        Ok(world
            .task_definitions
            .iter()
            .filter(|(_, spec, _, active)| !*active && spec.family == family)
            .map(|(arn, _, _, _)| arn.clone())
            .collect())
    }

    async fn delete_task_definitions(&self, arns: &[String]) -> CallResult<Vec<String>> {
        let mut world = self.world();
        world.change("DeleteTaskDefinitions")?;
        assert!(arns.len() <= 10, "DeleteTaskDefinitions takes up to 10");
        world
            .task_definitions
            .retain(|(arn, _, _, active)| *active || !arns.contains(arn));
        Ok(Vec::new())
    }

    async fn service(&self, _cluster: &str, name: &str) -> CallResult<Option<EcsService>> {
        let mut world = self.world();
        world.call("DescribeServices")?;
        Ok(world.services.get(name).map(|(_, service)| service.clone()))
    }

    async fn create_service(&self, spec: &ServiceSpec, _tags: &[Tag]) -> CallResult<EcsService> {
        let mut world = self.world();
        world.change("CreateService")?;
        let service = EcsService {
            arn: format!("arn:aws:ecs:us-west-2:{ACCOUNT}:service/{}", spec.name),
            status: "ACTIVE".into(),
            desired_count: spec.desired_count,
            running_count: 0,
            task_definition: spec.task_definition.clone(),
            rollout: Some("IN_PROGRESS".into()),
            strategy: Some(strategy(spec).into()),
            alternate_target_group: alternate(spec),
        };
        world
            .services
            .insert(spec.name.clone(), (spec.clone(), service.clone()));
        Ok(service)
    }

    async fn update_task_definition(
        &self,
        _cluster: &str,
        name: &str,
        task_definition: &str,
    ) -> CallResult<()> {
        let mut world = self.world();
        world.change("UpdateServiceTaskDefinition")?;
        let service = &mut world.services.get_mut(name).unwrap().1;
        service.task_definition = task_definition.to_owned();
        service.rollout = Some("IN_PROGRESS".into());
        Ok(())
    }

    async fn update_deployment(&self, spec: &ServiceSpec) -> CallResult<()> {
        let mut world = self.world();
        world.change("UpdateServiceDeployment")?;
        let (wanted, service) = world.services.get_mut(&spec.name).unwrap();
        wanted.blue_green = spec.blue_green.clone();
        service.strategy = Some(strategy(spec).into());
        service.alternate_target_group = alternate(spec);
        Ok(())
    }

    async fn scale_service(&self, _cluster: &str, name: &str, count: i32) -> CallResult<()> {
        let mut world = self.world();
        world.change("ScaleService")?;
        world.services.get_mut(name).unwrap().1.desired_count = count;
        Ok(())
    }

    async fn delete_service(&self, _cluster: &str, name: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteService")?;
        let status = if world.slow_service_deletion {
            "DRAINING"
        } else {
            "INACTIVE"
        };
        world.services.get_mut(name).unwrap().1.status = status.into();
        Ok(())
    }

    async fn namespace(&self, name: &str) -> CallResult<Option<Named>> {
        let mut world = self.world();
        world.call("ListNamespaces")?;
        let found = world
            .namespaces
            .iter()
            .find(|(namespace, _)| namespace.name == name)
            .map(|(namespace, _)| namespace.clone());
        // A slow creation shows up one lookup later.
        if let Some(pending) = world.pending_namespace.take() {
            world.namespaces.push(pending);
        }
        Ok(found)
    }

    async fn create_namespace(
        &self,
        name: &str,
        vpc_id: &str,
        _token: &str,
        _tags: &[Tag],
    ) -> CallResult<()> {
        let mut world = self.world();
        world.change("CreatePrivateDnsNamespace")?;
        let id = world.id("ns");
        let namespace = Named {
            arn: format!("arn:aws:servicediscovery:us-west-2:{ACCOUNT}:namespace/{id}"),
            id,
            name: name.to_owned(),
        };
        if world.slow_namespace {
            world.pending_namespace = Some((namespace, vpc_id.to_owned()));
        } else {
            world.namespaces.push((namespace, vpc_id.to_owned()));
        }
        Ok(())
    }

    async fn discovery_services(&self, namespace_id: &str) -> CallResult<Vec<Named>> {
        let mut world = self.world();
        world.call("ListServices")?;
        Ok(world
            .discovery
            .iter()
            .filter(|(namespace, _)| namespace == namespace_id)
            .map(|(_, service)| service.clone())
            .collect())
    }

    async fn create_discovery_service(
        &self,
        name: &str,
        namespace_id: &str,
        _token: &str,
        _tags: &[Tag],
    ) -> CallResult<Named> {
        let mut world = self.world();
        world.change("CreateDiscoveryService")?;
        let id = world.id("srv");
        let service = Named {
            arn: format!("arn:aws:servicediscovery:us-west-2:{ACCOUNT}:service/{id}"),
            id,
            name: name.to_owned(),
        };
        world
            .discovery
            .push((namespace_id.to_owned(), service.clone()));
        Ok(service)
    }

    async fn delete_discovery_service(&self, id: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteDiscoveryService")?;
        world.discovery.retain(|(_, service)| service.id != id);
        Ok(())
    }

    async fn delete_namespace(&self, id: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteNamespace")?;
        world.namespaces.retain(|(namespace, _)| namespace.id != id);
        Ok(())
    }

    async fn scalable_target(&self, resource: &str) -> CallResult<Option<(i32, i32)>> {
        let mut world = self.world();
        world.call("DescribeScalableTargets")?;
        Ok(world.targets.get(resource).copied())
    }

    async fn register_scalable_target(&self, resource: &str, min: i32, max: i32) -> CallResult<()> {
        let mut world = self.world();
        world.change("RegisterScalableTarget")?;
        world.targets.insert(resource.to_owned(), (min, max));
        Ok(())
    }

    async fn put_cpu_policy(
        &self,
        resource: &str,
        name: &str,
        target: f64,
        cooldowns: (i32, i32),
    ) -> CallResult<()> {
        let mut world = self.world();
        world.change("PutScalingPolicy")?;
        world
            .policies
            .insert((resource.to_owned(), name.to_owned()), (target, cooldowns));
        Ok(())
    }

    async fn scaling_policies(&self, resource: &str) -> CallResult<Vec<String>> {
        let mut world = self.world();
        world.call("DescribeScalingPolicies")?;
        Ok(world
            .policies
            .keys()
            .filter(|(of, _)| of == resource)
            .map(|(_, name)| name.clone())
            .collect())
    }

    async fn delete_scaling_policy(&self, resource: &str, name: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteScalingPolicy")?;
        world
            .policies
            .remove(&(resource.to_owned(), name.to_owned()));
        Ok(())
    }

    async fn deregister_scalable_target(&self, resource: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeregisterScalableTarget")?;
        world.targets.remove(resource);
        Ok(())
    }
}
