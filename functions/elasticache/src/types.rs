//! The plain types the ElastiCache calls answer and take: what the callers read of a replication
//! group, and everything its creation is told.

use env_core::tags::Tag;

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
    /// `ReplicationGroup.Status` as ElastiCache names it (`available`, `modifying` …).
    pub status: String,
    /// `PendingModifiedValues.AuthTokenStatus`: `ROTATING` or `SETTING` while a token change is
    /// being applied.
    pub token_change: Option<String>,
    /// The cluster-mode configuration endpoint (host, port), once ElastiCache has assigned it.
    pub configuration_endpoint: Option<(String, i32)>,
    /// The member cache clusters, `<group>-0001-001` …, one per node.
    pub members: Vec<String>,
    /// The CloudWatch Logs group the slow log is delivered to, when the group delivers it there.
    pub slow_log_group: Option<String>,
}

impl ReplicationGroup {
    /// Its status, reduced to what the callers decide on.
    pub fn state(&self) -> GroupState {
        GroupState::from_aws(&self.status)
    }
}

/// Where one shard's nodes go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shard {
    /// `0001` …: the id ElastiCache gives the node group, so the placement lands on the right one.
    pub id: String,
    pub primary_zone: String,
    pub replica_zones: Vec<String>,
}

/// Everything CreateReplicationGroup is told; the caller decides every value.
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
