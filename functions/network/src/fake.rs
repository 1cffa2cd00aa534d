//! An in-memory EC2, KMS, CloudWatch Logs and IAM for the handler's unit tests: it keeps what was
//! created, answers the finders from it, and fails a named operation with a given AWS error code
//! when a test asks, the way AWS answers (throttling, `AuthFailure`, `DependencyViolation` …).
//! EC2, the flow logs' group and role are the shared fakes of their capabilities; KMS is this
//! fake's own. Every call of all four lands in one `SharedRecorder`, where a test injects its
//! faults and reads the calls.

use crate::api::{CallResult, Cloud, Key};
use ec2::fake::FakeEc2;
use env_core::recorder::RecordedWorld;
use env_core::tags::Tag;
use iam_roles::fake::{FakeRoles, ACCOUNT};
use log_groups::fake::FakeLogGroups;
use std::collections::BTreeMap;

/// What the fake KMS holds.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct World {
    pub keys: Vec<Key>,
    pub aliases: BTreeMap<String, String>,
    /// The tags of each VPC (by id) that a test gave it or `tag_vpc` added: the shared fake EC2
    /// keeps only a resource's name and environment.
    pub vpc_tags: BTreeMap<String, BTreeMap<String, String>>,
    next_id: u32,
}

impl World {
    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-{:04}", self.next_id)
    }
}

#[derive(Debug)]
pub struct Fake {
    /// The keys and aliases made, and every call of the fake and of its EC2, log groups and roles
    /// with the faults still to answer.
    recorded: RecordedWorld<World>,
    pub ec2: FakeEc2,
    pub logs: FakeLogGroups,
    pub roles: FakeRoles,
}

impl Fake {
    /// An account with four zones, nothing made in it, and one recorder for all four fakes.
    pub fn new() -> Self {
        let recorded = RecordedWorld::new(World::default());
        Self {
            ec2: FakeEc2::new(recorded.recorder.clone()),
            logs: FakeLogGroups::new(recorded.recorder.clone()),
            roles: FakeRoles::new(recorded.recorder.clone()),
            recorded,
        }
    }
}

env_core::recorded_world!(Fake, World, recorded);

impl Cloud for Fake {
    env_core::capabilities! {
        Ec2 = FakeEc2 => ec2(ec2),
        Logs = FakeLogGroups => logs(logs),
        Roles = FakeRoles => roles(roles),
    }

    async fn key_by_alias(&self, alias: &str) -> CallResult<Option<Key>> {
        let world = self.read("DescribeKey")?;
        let arn = world.aliases.get(alias).cloned();
        Ok(world
            .keys
            .iter()
            .find(|key| Some(&key.arn) == arn.as_ref())
            .cloned())
    }

    async fn create_key(&self, _policy: &str, _tags: &[Tag]) -> CallResult<Key> {
        let mut world = self.write("CreateKey")?;
        let id = world.id("key");
        let key = Key {
            arn: format!("arn:aws:kms:us-west-2:123456789012:key/{id}"),
            id,
            pending_deletion: false,
        };
        world.keys.push(key.clone());
        Ok(key)
    }

    async fn enable_key_rotation(&self, _key_arn: &str) -> CallResult<()> {
        self.recorder.lock().call("EnableKeyRotation")
    }

    async fn create_alias(&self, alias: &str, key_arn: &str) -> CallResult<()> {
        let mut world = self.write("CreateAlias")?;
        world.aliases.insert(alias.to_owned(), key_arn.to_owned());
        Ok(())
    }

    async fn schedule_key_deletion(&self, key_id: &str, _days: i32) -> CallResult<()> {
        let mut world = self.write("ScheduleKeyDeletion")?;
        for key in world.keys.iter_mut().filter(|key| key.id == key_id) {
            key.pending_deletion = true;
        }
        Ok(())
    }

    async fn delete_alias(&self, alias: &str) -> CallResult<()> {
        let mut world = self.write("DeleteAlias")?;
        world.aliases.remove(alias);
        Ok(())
    }

    async fn account(&self) -> CallResult<String> {
        Ok(ACCOUNT.to_owned())
    }

    async fn vpc_tags(&self, vpc_id: &str) -> CallResult<Vec<(String, String)>> {
        let world = self.read("DescribeVpcs")?;
        Ok(world
            .vpc_tags
            .get(vpc_id)
            .into_iter()
            .flatten()
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect())
    }

    async fn tag_vpc(&self, vpc_id: &str, tags: &[Tag]) -> CallResult<()> {
        let mut world = self.write("CreateTags")?;
        let current = world.vpc_tags.entry(vpc_id.to_owned()).or_default();
        // CreateTags overwrites the value of a key the resource already has (EC2 API reference).
        for tag in tags {
            current.insert(tag.key.to_owned(), tag.value.clone());
        }
        Ok(())
    }
}
