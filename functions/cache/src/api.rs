//! The AWS calls the cache function makes, as one small trait over plain types.
//!
//! The handler holds the logic (what exists, what to create or delete next) and talks only to
//! [`Cloud`]; [`crate::aws::AwsCloud`] implements it with the ElastiCache and Lambda clients, one
//! SDK call per method, and the unit tests implement it with an in-memory fake. The slow-log
//! group's calls and the AUTH token secret's are the shared [`LogGroupCalls`] and [`SecretCalls`]
//! capabilities, which [`Cloud`] hands out instead of declaring them again.

use env_core::tags::Tag;
use env_core::AwsCallError;
use log_groups::LogGroupCalls;
use secrets::SecretCalls;

pub type CallResult<T> = Result<T, AwsCallError>;

pub use env_core::error::found;

/// A secret string (the workspace's one redaction type): its `Debug` never shows the value, so it
/// cannot reach a log by accident.
pub use env_core::redacted::Secret as Sensitive;

/// ElastiCache's replication group states (API reference, `ReplicationGroup.Status`). A state this
/// code does not know counts as not ready yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupState {
    Creating,
    Available,
    Modifying,
    Deleting,
    CreateFailed,
    Other,
}

impl GroupState {
    pub fn from_aws(status: &str) -> Self {
        match status {
            "creating" => GroupState::Creating,
            "available" => GroupState::Available,
            "modifying" | "snapshotting" => GroupState::Modifying,
            "deleting" => GroupState::Deleting,
            "create-failed" => GroupState::CreateFailed,
            _ => GroupState::Other,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicationGroup {
    pub id: String,
    pub state: GroupState,
    /// The cluster-mode configuration endpoint (host, port), once ElastiCache has assigned it.
    pub configuration_endpoint: Option<(String, i32)>,
    /// The member cache clusters, `<group>-0001-001` …, one per node.
    pub members: Vec<String>,
    /// The CloudWatch Logs group the slow log is delivered to, when the group delivers it there.
    pub slow_log_group: Option<String>,
}

/// Where one shard's nodes go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shard {
    /// `0001` …: the id ElastiCache gives the node group, so the placement lands on the right one.
    pub id: String,
    pub primary_zone: String,
    pub replica_zones: Vec<String>,
}

/// Everything CreateReplicationGroup is told; the handler decides every value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPlan {
    pub id: String,
    pub description: String,
    pub engine: &'static str,
    pub engine_version: &'static str,
    pub parameter_group: &'static str,
    pub node_type: String,
    pub shards: Vec<Shard>,
    pub replicas_per_shard: i32,
    pub port: i32,
    pub subnet_group: String,
    pub security_group_id: String,
    pub kms_key_arn: String,
    pub auth_token: Sensitive,
    pub snapshot_retention_days: i32,
    /// The log group the engine's slow log is delivered to, as JSON.
    pub slow_log_group: String,
    pub tags: Vec<Tag>,
}

/// The environment's rotation function, as GetFunction describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationFunction {
    pub arn: String,
    /// Secrets Manager invokes it as soon as rotation is turned on: it must be `Active` (Lambda
    /// developer guide, "Lambda function states").
    pub active: bool,
}

/// Everything the cache function asks of ElastiCache, CloudWatch Logs, Secrets Manager and Lambda.
// The lint warns that callers cannot require `Send` futures from a public async trait; only this
// binary implements and calls it, and the functions' entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait Cloud {
    type Logs: LogGroupCalls;
    type Secrets: SecretCalls;

    /// CloudWatch Logs, for the engine's slow-log group.
    fn logs(&self) -> &Self::Logs;
    /// Secrets Manager, for the secret that holds the AUTH token and the connection details.
    fn secrets(&self) -> &Self::Secrets;

    // ElastiCache.
    async fn replication_group(&self, id: &str) -> CallResult<Option<ReplicationGroup>>;
    async fn create_replication_group(&self, plan: &GroupPlan) -> CallResult<()>;
    async fn delete_replication_group(&self, id: &str) -> CallResult<()>;
    async fn subnet_group_exists(&self, name: &str) -> CallResult<bool>;
    async fn create_subnet_group(
        &self,
        name: &str,
        description: &str,
        subnet_ids: &[String],
        tags: &[Tag],
    ) -> CallResult<()>;
    async fn delete_subnet_group(&self, name: &str) -> CallResult<()>;

    // Lambda.
    /// GetFunction; `None` when there is no such function.
    async fn rotation_function(&self, name: &str) -> CallResult<Option<RotationFunction>>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use env_core::error::aws_failure;

    #[test]
    fn group_states_follow_elasticache_names_and_unknown_ones_are_not_ready() {
        assert_eq!(GroupState::from_aws("creating"), GroupState::Creating);
        assert_eq!(GroupState::from_aws("available"), GroupState::Available);
        assert_eq!(GroupState::from_aws("modifying"), GroupState::Modifying);
        assert_eq!(GroupState::from_aws("snapshotting"), GroupState::Modifying);
        assert_eq!(GroupState::from_aws("deleting"), GroupState::Deleting);
        assert_eq!(
            GroupState::from_aws("create-failed"),
            GroupState::CreateFailed
        );
        assert_eq!(GroupState::from_aws("new-state"), GroupState::Other);
    }

    #[test]
    fn a_sensitive_value_never_shows_in_debug_output() {
        let token = Sensitive::new("hunter2-hunter2-hunter2");
        assert_eq!(format!("{token:?}"), "Secret(<redacted>)");
        assert!(!format!("{:?}", Some(token)).contains("hunter2"));
    }

    #[test]
    fn only_the_not_found_code_means_absent() {
        assert_eq!(
            found(Ok(1), &["ReplicationGroupNotFoundFault"]).unwrap(),
            Some(1)
        );
        let absent = found::<i32>(
            Err(aws_failure(
                "DescribeReplicationGroups",
                "ReplicationGroupNotFoundFault",
            )),
            &["ReplicationGroupNotFoundFault"],
        );
        assert_eq!(absent.unwrap(), None);
        let error = found::<i32>(
            Err(aws_failure("DescribeReplicationGroups", "AccessDenied")),
            &["ReplicationGroupNotFoundFault"],
        )
        .unwrap_err();
        assert!(error.is_code("AccessDenied"));
    }
}
