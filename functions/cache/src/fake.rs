//! An in-memory ElastiCache and Lambda for the handler's unit tests, with the shared in-memory log
//! groups and secrets: it keeps what was created and answers the finders from it. Every call, the
//! log groups' and the secrets' included, lands in one `SharedRecorder`, where a test makes a
//! named operation fail with a given AWS error code, the way AWS answers (throttling,
//! `InvalidReplicationGroupState` …).

use crate::api::{CallResult, Cloud, GroupPlan, GroupState, ReplicationGroup, RotationFunction};
use env_core::recorder::RecordedWorld;
use env_core::tags::Tag;
use log_groups::fake::FakeLogGroups;
use secrets::fake::FakeSecrets;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetGroup {
    pub subnet_ids: Vec<String>,
}

#[derive(Debug, Default)]
pub struct World {
    /// Group id → (what describe answers, what it was created with).
    pub groups: BTreeMap<String, (ReplicationGroup, GroupPlan)>,
    /// Subnet group name → (subnets, tags).
    pub subnet_groups: BTreeMap<String, (SubnetGroup, Vec<Tag>)>,
    /// The environment's rotation function, once the database function made it.
    pub rotation_function: Option<RotationFunction>,
}

impl World {
    /// ElastiCache finishes what it was doing: creating → available with its endpoint, deleting → gone.
    pub fn settle(&mut self) {
        self.groups
            .retain(|_, (group, _)| group.state != GroupState::Deleting);
        for (group, _) in self.groups.values_mut() {
            group.state = GroupState::Available;
            group.configuration_endpoint = Some((
                format!("clustercfg.{}.abc123.usw2.cache.amazonaws.com", group.id),
                6379,
            ));
        }
    }

    pub fn group_state(&mut self, id: &str, state: GroupState) {
        if let Some((group, _)) = self.groups.get_mut(id) {
            group.state = state;
        }
    }
}

#[derive(Debug)]
pub struct Fake {
    /// What was made, and every call of the function, in order, with the faults a test injects.
    recorded: RecordedWorld<World>,
    pub logs: FakeLogGroups,
    pub secrets: FakeSecrets,
}

impl Default for Fake {
    /// One recorder for the fake's own calls, the log groups' and the secrets', so they land in one
    /// order.
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

impl Cloud for Fake {
    type Logs = FakeLogGroups;
    type Secrets = FakeSecrets;

    fn logs(&self) -> &FakeLogGroups {
        &self.logs
    }

    fn secrets(&self) -> &FakeSecrets {
        &self.secrets
    }

    async fn replication_group(&self, id: &str) -> CallResult<Option<ReplicationGroup>> {
        let world = self.read("DescribeReplicationGroups")?;
        Ok(world.groups.get(id).map(|(group, _)| group.clone()))
    }

    async fn create_replication_group(&self, plan: &GroupPlan) -> CallResult<()> {
        let mut world = self.write("CreateReplicationGroup")?;
        let members = plan
            .shards
            .iter()
            .flat_map(|shard| {
                (1..=1 + plan.replicas_per_shard)
                    .map(move |node| format!("{}-{}-{node:03}", plan.id, shard.id))
            })
            .collect();
        let group = ReplicationGroup {
            id: plan.id.clone(),
            state: GroupState::Creating,
            configuration_endpoint: None,
            members,
            slow_log_group: Some(plan.slow_log_group.clone()),
        };
        world.groups.insert(plan.id.clone(), (group, plan.clone()));
        Ok(())
    }

    async fn delete_replication_group(&self, id: &str) -> CallResult<()> {
        let mut world = self.write("DeleteReplicationGroup")?;
        world.group_state(id, GroupState::Deleting);
        Ok(())
    }

    async fn subnet_group_exists(&self, name: &str) -> CallResult<bool> {
        let world = self.read("DescribeCacheSubnetGroups")?;
        Ok(world.subnet_groups.contains_key(name))
    }

    async fn create_subnet_group(
        &self,
        name: &str,
        _description: &str,
        subnet_ids: &[String],
        tags: &[Tag],
    ) -> CallResult<()> {
        let mut world = self.write("CreateCacheSubnetGroup")?;
        let group = SubnetGroup {
            subnet_ids: subnet_ids.to_vec(),
        };
        world
            .subnet_groups
            .insert(name.to_owned(), (group, tags.to_vec()));
        Ok(())
    }

    async fn delete_subnet_group(&self, name: &str) -> CallResult<()> {
        let mut world = self.write("DeleteCacheSubnetGroup")?;
        world.subnet_groups.remove(name);
        Ok(())
    }

    async fn rotation_function(&self, name: &str) -> CallResult<Option<RotationFunction>> {
        let world = self.read("GetFunction")?;
        Ok(world
            .rotation_function
            .clone()
            .filter(|function| function.arn.ends_with(&format!(":function:{name}"))))
    }
}
