//! [`ElastiCacheCalls`] in memory, for the unit tests of every caller: it keeps what was created
//! and answers the finders from it. Every call lands in the function's shared [`SharedRecorder`],
//! where a test also makes a named operation fail with a given AWS error code, the way AWS answers
//! (throttling, `InvalidReplicationGroupState` …). A test puts replication groups into the world
//! directly (`world()`) to stand for what another function made.

use crate::{
    CacheUser, CallResult, ElastiCacheCalls, GroupPlan, GroupState, ReplicationGroup, Sensitive,
    ServerlessCache, ServerlessPlan, UserGroup, UserPlan,
};
use env_core::error::aws_failure;
use env_core::recorder::{RecordedWorld, SharedRecorder};
use env_core::tags::Tag;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetGroup {
    pub subnet_ids: Vec<String>,
}

/// What the fake ElastiCache holds.
#[derive(Debug, Default)]
pub struct ElastiCacheWorld {
    /// Group id → (what describe answers, what it was created with).
    pub groups: BTreeMap<String, (ReplicationGroup, GroupPlan)>,
    /// Subnet group name → (subnets, tags).
    pub subnet_groups: BTreeMap<String, (SubnetGroup, Vec<Tag>)>,
    /// Every token a group was given to rotate to, with the group's id, oldest first.
    pub rotated_tokens: Vec<(String, Sensitive)>,
    /// Serverless cache name → (what describe answers, what it was created with).
    pub serverless_caches: BTreeMap<String, (ServerlessCache, ServerlessPlan)>,
    /// User id → (what describe answers, what it was created with).
    pub users: BTreeMap<String, (CacheUser, UserPlan)>,
    /// User group id → (what describe answers, its tags).
    pub user_groups: BTreeMap<String, (UserGroup, Vec<Tag>)>,
}

impl ElastiCacheWorld {
    /// ElastiCache finishes what it was doing: creating → available with its endpoint, a token
    /// change applied, deleting → gone.
    pub fn settle(&mut self) {
        self.groups
            .retain(|_, (group, _)| group.state() != GroupState::Deleting);
        for (group, _) in self.groups.values_mut() {
            group.status = "available".to_owned();
            group.token_change = None;
            group.configuration_endpoint = Some((
                format!("clustercfg.{}.abc123.usw2.cache.amazonaws.com", group.id),
                6379,
            ));
        }
        self.settle_serverless();
    }

    /// A group another component made (as the cache function makes the one the outputs function
    /// reads): what DescribeReplicationGroups tells of it, its plan filled from that.
    pub fn add_group(&mut self, group: ReplicationGroup) {
        let plan = GroupPlan {
            id: group.id.clone(),
            description: String::new(),
            engine: "redis",
            engine_version: "",
            parameter_group: "",
            node_type: String::new(),
            shards: Vec::new(),
            replicas_per_shard: 0,
            port: group
                .configuration_endpoint
                .as_ref()
                .map_or(0, |(_, port)| *port),
            subnet_group: String::new(),
            security_group_id: String::new(),
            kms_key_arn: String::new(),
            auth_token: Sensitive::new(""),
            snapshot_retention_days: 0,
            slow_log_group: group.slow_log_group.clone().unwrap_or_default(),
            tags: Vec::new(),
        };
        self.groups.insert(group.id.clone(), (group, plan));
    }

    /// The group `id` goes to `status` (ElastiCache's name of it), as time passing in AWS would.
    pub fn group_status(&mut self, id: &str, status: &str) {
        if let Some((group, _)) = self.groups.get_mut(id) {
            group.status = status.to_owned();
        }
    }
}

#[derive(Debug)]
pub struct FakeElastiCache {
    /// What was made, and the function's recorder its calls land in.
    recorded: RecordedWorld<ElastiCacheWorld>,
}

impl FakeElastiCache {
    /// An account with nothing made in it, whose calls land in `recorder`.
    pub fn new(recorder: SharedRecorder) -> Self {
        let mut recorded = RecordedWorld::new(ElastiCacheWorld::default());
        recorded.recorder = recorder;
        Self { recorded }
    }
}

env_core::recorded_world!(FakeElastiCache, ElastiCacheWorld, recorded);

impl ElastiCacheCalls for FakeElastiCache {
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
            status: "creating".to_owned(),
            token_change: None,
            configuration_endpoint: None,
            members,
            slow_log_group: Some(plan.slow_log_group.clone()),
        };
        world.groups.insert(plan.id.clone(), (group, plan.clone()));
        Ok(())
    }

    async fn rotate_auth_token(&self, id: &str, token: &Sensitive) -> CallResult<()> {
        let operation = "ModifyReplicationGroup";
        let mut world = self.write(operation)?;
        let Some((group, _)) = world.groups.get_mut(id) else {
            return Err(aws_failure(operation, "ReplicationGroupNotFoundFault"));
        };
        // ElastiCache modifies only an available group, one change at a time.
        if group.state() != GroupState::Available || group.token_change.is_some() {
            return Err(aws_failure(operation, "InvalidReplicationGroupState"));
        }
        group.status = "modifying".to_owned();
        group.token_change = Some("ROTATING".to_owned());
        world.rotated_tokens.push((id.to_owned(), token.clone()));
        Ok(())
    }

    async fn delete_replication_group(&self, id: &str) -> CallResult<()> {
        let mut world = self.write("DeleteReplicationGroup")?;
        world.group_status(id, "deleting");
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
}

mod serverless;

#[cfg(test)]
mod tests;
