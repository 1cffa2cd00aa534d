//! The plain types of the serverless calls: what the callers read of a serverless cache, its user
//! and its user group, and everything their creation is told.

use crate::{GroupState, Sensitive};
use env_core::tags::Tag;

/// What DescribeServerlessCaches tells of one cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerlessCache {
    pub name: String,
    /// `ServerlessCache.Status` as ElastiCache names it: `creating`, `available`, `modifying`,
    /// `deleting` or `create-failed` (API reference, `ServerlessCache`).
    pub status: String,
    /// The endpoint (host, port), once ElastiCache has assigned it.
    pub endpoint: Option<(String, i32)>,
    /// The user group whose users may log in.
    pub user_group: Option<String>,
}

impl ServerlessCache {
    /// Its status, reduced to what the callers decide on: the same names as a replication group's.
    pub fn state(&self) -> GroupState {
        GroupState::from_aws(&self.status)
    }
}

/// The most the cache may use (`CacheUsageLimits`): what it can cost per hour is bounded by these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsageLimits {
    /// `DataStorage.Maximum` in GB.
    pub max_data_storage_gb: i32,
    /// `ECPUPerSecond.Maximum`.
    pub max_ecpu_per_second: i32,
}

/// Everything CreateServerlessCache is told; the caller decides every value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerlessPlan {
    pub name: String,
    pub description: String,
    pub engine: &'static str,
    pub major_engine_version: &'static str,
    pub limits: UsageLimits,
    pub kms_key_arn: String,
    pub security_group_id: String,
    pub subnet_ids: Vec<String>,
    pub user_group: String,
    pub snapshot_retention_days: i32,
    /// `HH:MM` (UTC) the daily snapshot starts: without it none is taken automatically ("By
    /// default this number is populated with 0, i.e. no snapshots will be created on an
    /// automatic daily basis": API reference, CreateServerlessCache `DailySnapshotTime`).
    pub daily_snapshot_time: &'static str,
    pub tags: Vec<Tag>,
}

/// What DescribeUsers tells of one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheUser {
    pub id: String,
    pub name: String,
    /// `active`, `modifying` or `deleting` (API reference, `User.Status`).
    pub status: String,
}

impl CacheUser {
    pub fn deleting(&self) -> bool {
        self.status == "deleting"
    }
}

/// Everything CreateUser is told: a user that logs in with a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPlan {
    pub id: String,
    pub name: String,
    pub engine: &'static str,
    pub access_string: &'static str,
    pub password: Sensitive,
    pub tags: Vec<Tag>,
}

/// What DescribeUserGroups tells of one user group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserGroup {
    pub id: String,
    /// `creating`, `active`, `modifying` or `deleting` (API reference, `UserGroup.Status`).
    pub status: String,
    pub user_ids: Vec<String>,
    /// The serverless caches that use it.
    pub serverless_caches: Vec<String>,
}

impl UserGroup {
    pub fn deleting(&self) -> bool {
        self.status == "deleting"
    }
}
