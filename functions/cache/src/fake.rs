//! An in-memory ElastiCache, Secrets Manager and Lambda for the handler's unit tests, with the
//! shared in-memory log groups: it keeps what was created and answers the finders from it. Every
//! call, the log groups' included, lands in one [`SharedRecorder`], where a test makes a named
//! operation fail with a given AWS error code, the way AWS answers (throttling,
//! `InvalidReplicationGroupState` …).

use crate::api::{
    CallResult, Cloud, GroupPlan, GroupState, ReplicationGroup, RotationFunction, Secret, Sensitive,
};
use env_core::recorder::SharedRecorder;
use env_core::tags::Tag;
use log_groups::fake::FakeLogGroups;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetGroup {
    pub subnet_ids: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct StoredSecret {
    pub secret: Secret,
    pub kms_key_arn: String,
    pub value: Sensitive,
    pub tags: Vec<Tag>,
    /// The resource policy, once one was put.
    pub policy: Option<String>,
}

#[derive(Debug, Default)]
pub struct World {
    /// Group id → (what describe answers, what it was created with).
    pub groups: BTreeMap<String, (ReplicationGroup, GroupPlan)>,
    /// Subnet group name → (subnets, tags).
    pub subnet_groups: BTreeMap<String, (SubnetGroup, Vec<Tag>)>,
    pub secrets: BTreeMap<String, StoredSecret>,
    passwords: u32,
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
    world: Mutex<World>,
    /// Every call of the function, in order, and the faults a test injects.
    pub recorder: SharedRecorder,
    pub logs: FakeLogGroups,
}

impl Default for Fake {
    /// One recorder for the fake's own calls and the log groups', so they land in one order.
    fn default() -> Self {
        let recorder = SharedRecorder::default();
        Self {
            world: Mutex::default(),
            logs: FakeLogGroups::new(recorder.clone()),
            recorder,
        }
    }
}

impl Fake {
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap()
    }
}

impl Cloud for Fake {
    type Logs = FakeLogGroups;

    fn logs(&self) -> &FakeLogGroups {
        &self.logs
    }

    async fn replication_group(&self, id: &str) -> CallResult<Option<ReplicationGroup>> {
        self.recorder.lock().call("DescribeReplicationGroups")?;
        let world = self.world();
        Ok(world.groups.get(id).map(|(group, _)| group.clone()))
    }

    async fn create_replication_group(&self, plan: &GroupPlan) -> CallResult<()> {
        self.recorder.lock().change("CreateReplicationGroup")?;
        let mut world = self.world();
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
        self.recorder.lock().change("DeleteReplicationGroup")?;
        let mut world = self.world();
        world.group_state(id, GroupState::Deleting);
        Ok(())
    }

    async fn subnet_group_exists(&self, name: &str) -> CallResult<bool> {
        self.recorder.lock().call("DescribeCacheSubnetGroups")?;
        let world = self.world();
        Ok(world.subnet_groups.contains_key(name))
    }

    async fn create_subnet_group(
        &self,
        name: &str,
        _description: &str,
        subnet_ids: &[String],
        tags: &[Tag],
    ) -> CallResult<()> {
        self.recorder.lock().change("CreateCacheSubnetGroup")?;
        let mut world = self.world();
        let group = SubnetGroup {
            subnet_ids: subnet_ids.to_vec(),
        };
        world
            .subnet_groups
            .insert(name.to_owned(), (group, tags.to_vec()));
        Ok(())
    }

    async fn delete_subnet_group(&self, name: &str) -> CallResult<()> {
        self.recorder.lock().change("DeleteCacheSubnetGroup")?;
        let mut world = self.world();
        world.subnet_groups.remove(name);
        Ok(())
    }

    async fn secret(&self, name: &str) -> CallResult<Option<Secret>> {
        self.recorder.lock().call("DescribeSecret")?;
        let world = self.world();
        Ok(world.secrets.get(name).map(|stored| stored.secret.clone()))
    }

    async fn random_password(&self, length: i64) -> CallResult<Sensitive> {
        self.recorder.lock().call("GetRandomPassword")?;
        let mut world = self.world();
        world.passwords += 1;
        let seed = format!("token{}", world.passwords);
        Ok(Sensitive::new(
            seed.repeat(length as usize)[..length as usize].to_owned(),
        ))
    }

    async fn create_secret(
        &self,
        name: &str,
        _description: &str,
        kms_key_arn: &str,
        value: &Sensitive,
        tags: &[Tag],
    ) -> CallResult<String> {
        self.recorder.lock().change("CreateSecret")?;
        let mut world = self.world();
        let arn = format!("arn:aws:secretsmanager:us-west-2:123456789012:secret:{name}-AbCdEf");
        let stored = StoredSecret {
            secret: Secret {
                arn: arn.clone(),
                pending_deletion: false,
                rotation: None,
            },
            kms_key_arn: kms_key_arn.to_owned(),
            value: value.clone(),
            tags: tags.to_vec(),
            policy: None,
        };
        world.secrets.insert(name.to_owned(), stored);
        Ok(arn)
    }

    async fn secret_value(&self, arn: &str) -> CallResult<Option<Sensitive>> {
        self.recorder.lock().call("GetSecretValue")?;
        let world = self.world();
        let stored = world
            .secrets
            .values()
            .find(|stored| stored.secret.arn == arn);
        Ok(Some(
            stored
                .expect("the handler reads only secrets it found")
                .value
                .clone(),
        ))
    }

    async fn put_secret_value(&self, arn: &str, value: &Sensitive) -> CallResult<()> {
        self.recorder.lock().change("PutSecretValue")?;
        let mut world = self.world();
        for stored in world.secrets.values_mut() {
            if stored.secret.arn == arn {
                stored.value = value.clone();
            }
        }
        Ok(())
    }

    async fn put_secret_policy(&self, arn: &str, policy: &str) -> CallResult<()> {
        self.recorder.lock().change("PutResourcePolicy")?;
        let mut world = self.world();
        for stored in world.secrets.values_mut() {
            if stored.secret.arn == arn {
                stored.policy = Some(policy.to_owned());
            }
        }
        Ok(())
    }

    async fn rotate_with(&self, secret_arn: &str, lambda_arn: &str, days: i64) -> CallResult<()> {
        self.recorder.lock().change("RotateSecret")?;
        let mut world = self.world();
        for stored in world.secrets.values_mut() {
            if stored.secret.arn == secret_arn {
                stored.secret.rotation = Some((lambda_arn.to_owned(), Some(days)));
            }
        }
        Ok(())
    }

    async fn rotation_function(&self, name: &str) -> CallResult<Option<RotationFunction>> {
        self.recorder.lock().call("GetFunction")?;
        let world = self.world();
        Ok(world
            .rotation_function
            .clone()
            .filter(|function| function.arn.ends_with(&format!(":function:{name}"))))
    }

    async fn delete_secret(&self, arn: &str) -> CallResult<()> {
        self.recorder.lock().change("DeleteSecret")?;
        let mut world = self.world();
        world.secrets.retain(|_, stored| stored.secret.arn != arn);
        Ok(())
    }
}
