//! [`EcsCalls`] in memory, for the unit tests of every caller: it keeps what was created, answers
//! the finders from it, and fails a named operation with a given AWS error code when a test asks,
//! the way AWS answers. Every call lands in the function's shared [`SharedRecorder`], where a test
//! injects its faults and reads the calls. The four kinds of UpdateService are recorded apart
//! (`UpdateServiceTaskDefinition`, `UpdateServiceDeployment`, `ForceNewDeployment`,
//! `ScaleService`) so that a test counts each. A new deployment is stamped with the world's clock,
//! which every deployment moves on a second.

use crate::{
    CallResult, Cluster, Deployment, EcsCalls, EcsService, ServiceSpec, TaskDefinition, TaskSpec,
    FINGERPRINT_TAG,
};
use env_core::error::aws_failure;
use env_core::recorder::{RecordedWorld, SharedRecorder};
use env_core::tags::Tag;
use std::collections::BTreeMap;

/// The account the fake's ARNs are in.
pub const ACCOUNT: &str = "123456789012";

/// How far the clock moves on with each deployment.
const SECOND_IN_NANOS: i128 = 1_000_000_000;

/// What the fake ECS holds; a test puts clusters, revisions and services here directly.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct EcsWorld {
    /// By name; a deleted cluster stays, `INACTIVE`.
    pub clusters: BTreeMap<String, Cluster>,
    /// Every registered revision: (ARN, what it was registered from, fingerprint tag, active).
    pub task_definitions: Vec<(String, TaskSpec, Option<String>, bool)>,
    /// By service name: what it was made from (its cluster is `spec.cluster`), what ECS reports.
    pub services: BTreeMap<String, (ServiceSpec, EcsService)>,
    /// A deleted ECS service stays DRAINING until a test moves it on (AWS drains its tasks).
    pub slow_service_deletion: bool,
    /// The clock: when the next deployment is made, in nanoseconds since the epoch.
    pub now_nanos: i128,
}

impl EcsWorld {
    pub fn active_task_definitions(&self) -> Vec<&TaskSpec> {
        self.task_definitions
            .iter()
            .filter(|(_, _, _, active)| *active)
            .map(|(_, spec, _, _)| spec)
            .collect()
    }

    /// The cluster's service, or ECS's error for an unknown one.
    fn service_mut(
        &mut self,
        operation: &'static str,
        name: &str,
    ) -> CallResult<&mut (ServiceSpec, EcsService)> {
        self.services
            .get_mut(name)
            .ok_or_else(|| aws_failure(operation, "ServiceNotFoundException"))
    }

    /// A deployment made now; the clock moves on, so the next one is newer.
    fn deployment_now(&mut self) -> Deployment {
        let created_nanos = Some(self.now_nanos);
        self.now_nanos += SECOND_IN_NANOS;
        Deployment { created_nanos }
    }

    /// ECS starts a new deployment of the service, its PRIMARY one, rolling out; the older ones
    /// stay listed (a test removes them when it lets the rollout finish).
    /// A service being deleted or deleted takes no new deployment: UpdateService answers
    /// ServiceNotActiveException (ECS API reference, UpdateService, Errors).
    fn deploy(&mut self, operation: &'static str, name: &str) -> CallResult<()> {
        let (_, service) = self.service_mut(operation, name)?;
        if service.status != "ACTIVE" {
            return Err(aws_failure(operation, "ServiceNotActiveException"));
        }
        let deployment = self.deployment_now();
        let (_, service) = self.service_mut(operation, name)?;
        service.deployments.push(deployment);
        service.rollout = Some("IN_PROGRESS".into());
        Ok(())
    }
}

#[derive(Debug)]
pub struct FakeEcs {
    /// What was made, and the function's recorder its calls land in.
    recorded: RecordedWorld<EcsWorld>,
}

impl FakeEcs {
    /// An account with nothing made in it, whose calls land in `recorder`.
    pub fn new(recorder: SharedRecorder) -> Self {
        let mut recorded = RecordedWorld::new(EcsWorld::default());
        recorded.recorder = recorder;
        Self { recorded }
    }
}

env_core::recorded_world!(FakeEcs, EcsWorld, recorded);

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

/// The family's revisions, active or not, oldest first.
fn revisions(world: &EcsWorld, family: &str, active: bool) -> Vec<String> {
    world
        .task_definitions
        .iter()
        .filter(|(_, spec, _, is)| *is == active && spec.family == family)
        .map(|(arn, _, _, _)| arn.clone())
        .collect()
}

impl EcsCalls for FakeEcs {
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
        let Some(cluster) = world.clusters.get_mut(name) else {
            return Err(aws_failure("DeleteCluster", "ClusterNotFoundException"));
        };
        cluster.status = "INACTIVE".into();
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
            .find(|tag| tag.key == FINGERPRINT_TAG)
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
        Ok(revisions(&world, family, true))
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
        Ok(revisions(&world, family, false))
    }

    async fn delete_task_definitions(&self, arns: &[String]) -> CallResult<Vec<String>> {
        let mut world = self.write("DeleteTaskDefinitions")?;
        assert!(arns.len() <= 10, "DeleteTaskDefinitions takes up to 10");
        world
            .task_definitions
            .retain(|(arn, _, _, active)| *active || !arns.contains(arn));
        Ok(Vec::new())
    }

    async fn service(&self, cluster: &str, name: &str) -> CallResult<Option<EcsService>> {
        let world = self.read("DescribeServices")?;
        // An unknown cluster is ECS's ClusterNotFoundException, which the SDK side answers as
        // none; so is a service of another cluster.
        if !world.clusters.contains_key(cluster) {
            return Ok(None);
        }
        Ok(world
            .services
            .get(name)
            .filter(|(spec, _)| spec.cluster == cluster)
            .map(|(_, service)| service.clone()))
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
            deployments: vec![world.deployment_now()],
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
        desired_count: Option<i32>,
    ) -> CallResult<()> {
        let operation = "UpdateServiceTaskDefinition";
        let mut world = self.write(operation)?;
        world.deploy(operation, name)?;
        let (_, service) = world.service_mut(operation, name)?;
        service.task_definition = task_definition.to_owned();
        if let Some(count) = desired_count {
            service.desired_count = count;
        }
        Ok(())
    }

    async fn update_deployment(&self, spec: &ServiceSpec) -> CallResult<()> {
        let operation = "UpdateServiceDeployment";
        let mut world = self.write(operation)?;
        let (wanted, service) = world.service_mut(operation, &spec.name)?;
        wanted.blue_green = spec.blue_green.clone();
        service.strategy = Some(strategy(spec).into());
        service.alternate_target_group = alternate(spec);
        Ok(())
    }

    async fn force_new_deployment(&self, _cluster: &str, name: &str) -> CallResult<()> {
        let operation = "ForceNewDeployment";
        let mut world = self.write(operation)?;
        world.deploy(operation, name)
    }

    async fn scale_service(&self, _cluster: &str, name: &str, count: i32) -> CallResult<()> {
        let mut world = self.write("ScaleService")?;
        world.service_mut("ScaleService", name)?.1.desired_count = count;
        Ok(())
    }

    async fn delete_service(&self, _cluster: &str, name: &str) -> CallResult<()> {
        let mut world = self.write("DeleteService")?;
        let status = if world.slow_service_deletion {
            "DRAINING"
        } else {
            "INACTIVE"
        };
        world.service_mut("DeleteService", name)?.1.status = status.into();
        Ok(())
    }
}

#[cfg(test)]
mod tests;
