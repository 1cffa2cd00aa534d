//! The AWS calls the network function makes, as one small trait over plain types.
//!
//! The handler holds the logic (what exists, what is missing, what to create or delete next) and
//! talks only to [`Cloud`]; [`crate::aws::AwsCloud`] implements it with the SDK clients, one SDK
//! call per method, and the unit tests implement it with an in-memory fake. The EC2 calls are the
//! shared capability [`Ec2Calls`], whose finders return the environment tag they read: the handler
//! keeps only what carries this environment's tag (some emulators (moto) ignore tag filters on some
//! describe calls, and AWS lists a resource for a while after it was deleted).

use env_core::tags::Tag;
use iam_roles::RoleCalls;
use log_groups::LogGroupCalls;

/// The EC2 types the handler works with, from the shared capability.
pub use ec2::{
    CallResult, Direction, Ec2Calls, InternetGateway, Labels, NatGateway, NatState, Peer, Route,
    RouteTable, RouteTarget, Rule, SecurityGroup, Subnet, Vpc,
};

pub use env_core::error::found;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub id: String,
    pub arn: String,
    pub pending_deletion: bool,
}

/// Everything the network function asks of EC2, KMS, CloudWatch Logs and IAM.
// The lint warns that callers cannot require `Send` futures from a public async trait; only this
// binary implements and calls it, and the functions' entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait Cloud {
    type Ec2: Ec2Calls;
    type Logs: LogGroupCalls;
    type Roles: RoleCalls;
    /// EC2, for the network itself: VPC, subnets, gateways, routes, security groups, flow logs.
    fn ec2(&self) -> &Self::Ec2;
    /// CloudWatch Logs, for the flow logs' log group.
    fn logs(&self) -> &Self::Logs;
    /// IAM, for the role VPC Flow Logs delivers with.
    fn roles(&self) -> &Self::Roles;

    // KMS.
    async fn key_by_alias(&self, alias: &str) -> CallResult<Option<Key>>;
    async fn create_key(&self, policy: &str, tags: &[Tag]) -> CallResult<Key>;
    async fn enable_key_rotation(&self, key_arn: &str) -> CallResult<()>;
    async fn create_alias(&self, alias: &str, key_arn: &str) -> CallResult<()>;
    async fn schedule_key_deletion(&self, key_id: &str, days: i32) -> CallResult<()>;
    async fn delete_alias(&self, alias: &str) -> CallResult<()>;

    // IAM: the account roles are made in, for the flow-log role's trust policy.
    async fn account(&self) -> CallResult<String>;

    // EC2, for a claimed pool environment's VPC (crate::claim): the tags it carries now, as
    // (key, value), and tags added or overwritten on it after its creation.
    async fn vpc_tags(&self, vpc_id: &str) -> CallResult<Vec<(String, String)>>;
    async fn tag_vpc(&self, vpc_id: &str, tags: &[Tag]) -> CallResult<()>;
}
