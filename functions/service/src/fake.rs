//! An in-memory ECS, Cloud Map and Application Auto Scaling for the handler's unit tests, with the
//! shared CloudWatch Logs and IAM fakes beside them: it keeps what was created, answers the finders
//! from it, and records every call in one `SharedRecorder`, where a test makes a named operation
//! fail with a given AWS error code, the way AWS answers.

use crate::api::{
    CallResult, Cloud, Cluster, EcsService, Named, ServiceSpec, TaskDefinition, TaskSpec,
};
use env_core::recorder::RecordedWorld;
use env_core::tags::Tag;
use iam_roles::fake::FakeRoles;
use log_groups::fake::FakeLogGroups;
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct World {
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
    pending_namespace: Option<(Named, String)>,
    next_id: u32,
}

impl World {
    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-{:04}", self.next_id)
    }

    pub fn active_task_definitions(&self) -> Vec<&TaskSpec> {
        self.task_definitions
            .iter()
            .filter(|(_, _, _, active)| *active)
            .map(|(_, spec, _, _)| spec)
            .collect()
    }
}

#[derive(Debug)]
pub struct Fake {
    /// What was made, and every call of the three fakes, in order, with the faults a test injects.
    recorded: RecordedWorld<World>,
    pub logs: FakeLogGroups,
    pub roles: FakeRoles,
}

impl Default for Fake {
    /// The three fakes record into one recorder.
    fn default() -> Self {
        let recorded = RecordedWorld::default();
        Self {
            logs: FakeLogGroups::new(recorded.recorder.clone()),
            roles: FakeRoles::new(recorded.recorder.clone()),
            recorded,
        }
    }
}

env_core::recorded_world!(Fake, World, recorded);

impl Fake {
    /// Nothing of the environment left.
    pub fn is_empty(&self) -> bool {
        let world = self.world();
        self.logs.groups().is_empty()
            && self.roles.roles().is_empty()
            && world
                .clusters
                .values()
                .all(|cluster| cluster.status != "ACTIVE")
            && world.task_definitions.is_empty()
            && world
                .services
                .values()
                .all(|(_, service)| service.status == "INACTIVE")
            && world.namespaces.is_empty()
            && world.discovery.is_empty()
            && world.targets.is_empty()
            && world.policies.is_empty()
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
    type Logs = FakeLogGroups;
    type Roles = FakeRoles;

    fn logs(&self) -> &FakeLogGroups {
        &self.logs
    }

    fn roles(&self) -> &FakeRoles {
        &self.roles
    }

    async fn cluster(&self, name: &str) -> CallResult<Option<Cluster>> {
        let world = self.read("DescribeClusters")?;
        Ok(world.clusters.get(name).cloned())
    }

    async fn create_cluster(&self, name: &str, _tags: &[Tag]) -> CallResult<Cluster> {
        let mut world = self.write("CreateCluster")?;
        let cluster = Cluster {
            arn: format!("arn:aws:ecs:us-west-2:{ACCOUNT}:cluster/{name}"),
            status: "ACTIVE".into(),
        };
        world.clusters.insert(name.to_owned(), cluster.clone());
        Ok(cluster)
    }

    async fn delete_cluster(&self, name: &str) -> CallResult<()> {
        let mut world = self.write("DeleteCluster")?;
        world.clusters.get_mut(name).unwrap().status = "INACTIVE".into();
        Ok(())
    }

    async fn latest_task_definition(&self, family: &str) -> CallResult<Option<TaskDefinition>> {
        let world = self.read("DescribeTaskDefinition")?;
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
        let mut world = self.write("RegisterTaskDefinition")?;
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
        let world = self.read("ListTaskDefinitions")?;
        Ok(world
            .task_definitions
            .iter()
            .filter(|(_, spec, _, active)| *active && spec.family == family)
            .map(|(arn, _, _, _)| arn.clone())
            .collect())
    }

    async fn deregister_task_definition(&self, arn: &str) -> CallResult<()> {
        let mut world = self.write("DeregisterTaskDefinition")?;
        for entry in &mut world.task_definitions {
            if entry.0 == arn {
                entry.3 = false;
            }
        }
        Ok(())
    }

    async fn inactive_task_definitions(&self, family: &str) -> CallResult<Vec<String>> {
        let world = self.read("ListTaskDefinitions")?;
        Ok(world
            .task_definitions
            .iter()
            .filter(|(_, spec, _, active)| !*active && spec.family == family)
            .map(|(arn, _, _, _)| arn.clone())
            .collect())
    }

    async fn delete_task_definitions(&self, arns: &[String]) -> CallResult<Vec<String>> {
        let mut world = self.write("DeleteTaskDefinitions")?;
        assert!(arns.len() <= 10, "DeleteTaskDefinitions takes up to 10");
        world
            .task_definitions
            .retain(|(arn, _, _, active)| *active || !arns.contains(arn));
        Ok(Vec::new())
    }

    async fn service(&self, _cluster: &str, name: &str) -> CallResult<Option<EcsService>> {
        let world = self.read("DescribeServices")?;
        Ok(world.services.get(name).map(|(_, service)| service.clone()))
    }

    async fn create_service(&self, spec: &ServiceSpec, _tags: &[Tag]) -> CallResult<EcsService> {
        let mut world = self.write("CreateService")?;
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
        let mut world = self.write("UpdateServiceTaskDefinition")?;
        let service = &mut world.services.get_mut(name).unwrap().1;
        service.task_definition = task_definition.to_owned();
        service.rollout = Some("IN_PROGRESS".into());
        Ok(())
    }

    async fn update_deployment(&self, spec: &ServiceSpec) -> CallResult<()> {
        let mut world = self.write("UpdateServiceDeployment")?;
        let (wanted, service) = world.services.get_mut(&spec.name).unwrap();
        wanted.blue_green = spec.blue_green.clone();
        service.strategy = Some(strategy(spec).into());
        service.alternate_target_group = alternate(spec);
        Ok(())
    }

    async fn scale_service(&self, _cluster: &str, name: &str, count: i32) -> CallResult<()> {
        let mut world = self.write("ScaleService")?;
        world.services.get_mut(name).unwrap().1.desired_count = count;
        Ok(())
    }

    async fn delete_service(&self, _cluster: &str, name: &str) -> CallResult<()> {
        let mut world = self.write("DeleteService")?;
        let status = if world.slow_service_deletion {
            "DRAINING"
        } else {
            "INACTIVE"
        };
        world.services.get_mut(name).unwrap().1.status = status.into();
        Ok(())
    }

    async fn namespace(&self, name: &str) -> CallResult<Option<Named>> {
        let mut world = self.read("ListNamespaces")?;
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
        let mut world = self.write("CreatePrivateDnsNamespace")?;
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
        let world = self.read("ListServices")?;
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
        let mut world = self.write("CreateDiscoveryService")?;
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
        let mut world = self.write("DeleteDiscoveryService")?;
        world.discovery.retain(|(_, service)| service.id != id);
        Ok(())
    }

    async fn delete_namespace(&self, id: &str) -> CallResult<()> {
        let mut world = self.write("DeleteNamespace")?;
        world.namespaces.retain(|(namespace, _)| namespace.id != id);
        Ok(())
    }

    async fn scalable_target(&self, resource: &str) -> CallResult<Option<(i32, i32)>> {
        let world = self.read("DescribeScalableTargets")?;
        Ok(world.targets.get(resource).copied())
    }

    async fn register_scalable_target(&self, resource: &str, min: i32, max: i32) -> CallResult<()> {
        let mut world = self.write("RegisterScalableTarget")?;
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
        let mut world = self.write("PutScalingPolicy")?;
        world
            .policies
            .insert((resource.to_owned(), name.to_owned()), (target, cooldowns));
        Ok(())
    }

    async fn scaling_policies(&self, resource: &str) -> CallResult<Vec<String>> {
        let world = self.read("DescribeScalingPolicies")?;
        Ok(world
            .policies
            .keys()
            .filter(|(of, _)| of == resource)
            .map(|(_, name)| name.clone())
            .collect())
    }

    async fn delete_scaling_policy(&self, resource: &str, name: &str) -> CallResult<()> {
        let mut world = self.write("DeleteScalingPolicy")?;
        world
            .policies
            .remove(&(resource.to_owned(), name.to_owned()));
        Ok(())
    }

    async fn deregister_scalable_target(&self, resource: &str) -> CallResult<()> {
        let mut world = self.write("DeregisterScalableTarget")?;
        world.targets.remove(resource);
        Ok(())
    }
}
