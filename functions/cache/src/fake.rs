//! An in-memory ElastiCache and Secrets Manager for the handler's unit tests: it keeps what was
//! created, answers the finders from it, and fails a named operation with a given AWS error code
//! when a test asks, the way AWS answers (throttling, `InvalidReplicationGroupState` …).

use crate::api::{
    CallResult, Cloud, GroupPlan, GroupState, ReplicationGroup, RotationFunction, Secret, Sensitive,
};
use env_core::tags::Tag;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

pub use env_core::error::aws_failure;

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLogGroup {
    pub kms_key_arn: String,
    pub retention_days: Option<i32>,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Default)]
pub struct World {
    /// Group id → (what describe answers, what it was created with).
    pub groups: BTreeMap<String, (ReplicationGroup, GroupPlan)>,
    /// Subnet group name → (subnets, tags).
    pub subnet_groups: BTreeMap<String, (SubnetGroup, Vec<Tag>)>,
    pub secrets: BTreeMap<String, StoredSecret>,
    pub log_groups: BTreeMap<String, StoredLogGroup>,
    /// (operation, code): that call fails once with that code.
    pub faults: Vec<(&'static str, &'static str)>,
    /// Every call that changed something, by operation name.
    pub changes: Vec<&'static str>,
    /// Every call, reads included, by operation name, in order.
    pub calls: Vec<&'static str>,
    passwords: u32,
    /// The environment's rotation function, once the database function made it.
    pub rotation_function: Option<RotationFunction>,
}

impl World {
    fn call(&mut self, operation: &'static str) -> CallResult<()> {
        self.calls.push(operation);
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

    pub fn count(&self, operation: &str) -> usize {
        self.changes.iter().filter(|op| **op == operation).count()
    }

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

#[derive(Debug, Default)]
pub struct Fake(pub Mutex<World>);

impl Fake {
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.0.lock().unwrap()
    }
}

impl Cloud for Fake {
    async fn replication_group(&self, id: &str) -> CallResult<Option<ReplicationGroup>> {
        let mut world = self.world();
        world.call("DescribeReplicationGroups")?;
        Ok(world.groups.get(id).map(|(group, _)| group.clone()))
    }

    async fn create_replication_group(&self, plan: &GroupPlan) -> CallResult<()> {
        let mut world = self.world();
        world.change("CreateReplicationGroup")?;
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
        let mut world = self.world();
        world.change("DeleteReplicationGroup")?;
        world.group_state(id, GroupState::Deleting);
        Ok(())
    }

    async fn subnet_group_exists(&self, name: &str) -> CallResult<bool> {
        let mut world = self.world();
        world.call("DescribeCacheSubnetGroups")?;
        Ok(world.subnet_groups.contains_key(name))
    }

    async fn create_subnet_group(
        &self,
        name: &str,
        _description: &str,
        subnet_ids: &[String],
        tags: &[Tag],
    ) -> CallResult<()> {
        let mut world = self.world();
        world.change("CreateCacheSubnetGroup")?;
        let group = SubnetGroup {
            subnet_ids: subnet_ids.to_vec(),
        };
        world
            .subnet_groups
            .insert(name.to_owned(), (group, tags.to_vec()));
        Ok(())
    }

    async fn delete_subnet_group(&self, name: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteCacheSubnetGroup")?;
        world.subnet_groups.remove(name);
        Ok(())
    }

    async fn log_group_exists(&self, name: &str) -> CallResult<bool> {
        let mut world = self.world();
        world.call("DescribeLogGroups")?;
        Ok(world.log_groups.contains_key(name))
    }

    async fn create_log_group(
        &self,
        name: &str,
        kms_key_arn: &str,
        tags: &[Tag],
    ) -> CallResult<()> {
        let mut world = self.world();
        world.change("CreateLogGroup")?;
        let group = StoredLogGroup {
            kms_key_arn: kms_key_arn.to_owned(),
            retention_days: None,
            tags: tags.to_vec(),
        };
        world.log_groups.insert(name.to_owned(), group);
        Ok(())
    }

    async fn set_retention(&self, name: &str, days: i32) -> CallResult<()> {
        let mut world = self.world();
        world.change("PutRetentionPolicy")?;
        let group = world.log_groups.get_mut(name);
        group
            .expect("the handler sets the retention of a group it made")
            .retention_days = Some(days);
        Ok(())
    }

    async fn delete_log_group(&self, name: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteLogGroup")?;
        world.log_groups.remove(name);
        Ok(())
    }

    async fn secret(&self, name: &str) -> CallResult<Option<Secret>> {
        let mut world = self.world();
        world.call("DescribeSecret")?;
        Ok(world.secrets.get(name).map(|stored| stored.secret.clone()))
    }

    async fn random_password(&self, length: i64) -> CallResult<Sensitive> {
        let mut world = self.world();
        world.call("GetRandomPassword")?;
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
        let mut world = self.world();
        world.change("CreateSecret")?;
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
        let mut world = self.world();
        world.call("GetSecretValue")?;
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
        let mut world = self.world();
        world.change("PutSecretValue")?;
        for stored in world.secrets.values_mut() {
            if stored.secret.arn == arn {
                stored.value = value.clone();
            }
        }
        Ok(())
    }

    async fn put_secret_policy(&self, arn: &str, policy: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("PutResourcePolicy")?;
        for stored in world.secrets.values_mut() {
            if stored.secret.arn == arn {
                stored.policy = Some(policy.to_owned());
            }
        }
        Ok(())
    }

    async fn rotate_with(&self, secret_arn: &str, lambda_arn: &str, days: i64) -> CallResult<()> {
        let mut world = self.world();
        world.change("RotateSecret")?;
        for stored in world.secrets.values_mut() {
            if stored.secret.arn == secret_arn {
                stored.secret.rotation = Some((lambda_arn.to_owned(), Some(days)));
            }
        }
        Ok(())
    }

    async fn rotation_function(&self, name: &str) -> CallResult<Option<RotationFunction>> {
        let mut world = self.world();
        world.call("GetFunction")?;
        Ok(world
            .rotation_function
            .clone()
            .filter(|function| function.arn.ends_with(&format!(":function:{name}"))))
    }

    async fn delete_secret(&self, arn: &str) -> CallResult<()> {
        let mut world = self.world();
        world.change("DeleteSecret")?;
        world.secrets.retain(|_, stored| stored.secret.arn != arn);
        Ok(())
    }
}
