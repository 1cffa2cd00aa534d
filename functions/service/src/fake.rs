//! An in-memory Application Auto Scaling for the handler's unit tests, with the shared ECS, Cloud
//! Map, CloudWatch Logs and IAM fakes beside them: it keeps what was created, answers the finders
//! from it, and records every call of the five in one `SharedRecorder`, where a test makes a named
//! operation fail with a given AWS error code, the way AWS answers.

use crate::api::{CallResult, Cloud};
use cloud_map::fake::FakeCloudMap;
use ecs::fake::FakeEcs;
use env_core::recorder::RecordedWorld;
use iam_roles::fake::FakeRoles;
use log_groups::fake::FakeLogGroups;
use std::collections::BTreeMap;

/// What the fake Application Auto Scaling holds.
#[derive(Debug, Default)]
pub struct World {
    /// Resource → (min, max).
    pub targets: BTreeMap<String, (i32, i32)>,
    /// (resource, policy name) → (target, cooldowns).
    pub policies: BTreeMap<(String, String), (f64, (i32, i32))>,
}

#[derive(Debug)]
pub struct Fake {
    /// The scaling targets and policies made, and every call of the five fakes, in order, with
    /// the faults a test injects.
    recorded: RecordedWorld<World>,
    pub ecs: FakeEcs,
    pub cloud_map: FakeCloudMap,
    pub logs: FakeLogGroups,
    pub roles: FakeRoles,
}

impl Default for Fake {
    /// The five fakes record into one recorder.
    fn default() -> Self {
        let recorded = RecordedWorld::default();
        Self {
            ecs: FakeEcs::new(recorded.recorder.clone()),
            cloud_map: FakeCloudMap::new(recorded.recorder.clone()),
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
        let ecs = self.ecs.world();
        let cloud_map = self.cloud_map.world();
        self.logs.groups().is_empty()
            && self.roles.roles().is_empty()
            && ecs
                .clusters
                .values()
                .all(|cluster| cluster.status != "ACTIVE")
            && ecs.task_definitions.is_empty()
            && ecs
                .services
                .values()
                .all(|(_, service)| service.status == "INACTIVE")
            && cloud_map.namespaces.is_empty()
            && cloud_map.discovery.is_empty()
            && world.targets.is_empty()
            && world.policies.is_empty()
    }
}

impl Cloud for Fake {
    env_core::capabilities! {
        Ecs = FakeEcs => ecs(ecs),
        CloudMap = FakeCloudMap => cloud_map(cloud_map),
        Logs = FakeLogGroups => logs(logs),
        Roles = FakeRoles => roles(roles),
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
