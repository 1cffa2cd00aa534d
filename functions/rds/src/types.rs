//! The plain types the RDS calls answer and take: what the callers read of a cluster, an instance
//! and an engine version, and everything the creations are given.

use env_core::tags::Tag;

/// The RDS status of a cluster or instance (API reference, `DBCluster.Status` and "Viewing DB
/// instance status"), reduced to what the handler decides on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Available,
    Deleting,
    /// A state waiting does not fix: the environment has to be deleted and created again.
    Failed,
    /// Creating, modifying, backing-up, upgrading …: not ready yet, but on its way.
    Busy,
}

impl State {
    pub fn from_aws(status: &str) -> Self {
        match status {
            "available" => State::Available,
            "deleting" => State::Deleting,
            "failed"
            | "inaccessible-encryption-credentials"
            | "incompatible-network"
            | "incompatible-parameters"
            | "incompatible-restore"
            | "storage-full" => State::Failed,
            _ => State::Busy,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    pub id: String,
    pub arn: String,
    pub status: String,
    pub deletion_protection: bool,
    pub writer_endpoint: Option<String>,
    pub reader_endpoint: Option<String>,
    pub port: Option<i32>,
    pub database_name: Option<String>,
    /// The ARN of the master user's secret that RDS manages (`ManageMasterUserPassword`).
    pub master_secret_arn: Option<String>,
    /// `DbClusterResourceId`, what `rds-db:connect` permissions are scoped to.
    pub resource_id: String,
    /// `EngineVersion`, such as `16.9`.
    pub engine_version: Option<String>,
    /// Its Serverless v2 range (`ServerlessV2ScalingConfiguration`).
    pub scaling: Option<Scaling>,
}

/// A Serverless v2 capacity range, with how long an idle instance runs before Aurora pauses it
/// (only at a minimum of 0 ACUs; RDS reports none otherwise).
#[derive(Debug, Clone, PartialEq)]
pub struct Scaling {
    pub min_capacity: f64,
    pub max_capacity: f64,
    pub seconds_until_auto_pause: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub id: String,
    pub status: String,
}

/// Everything CreateDBCluster is given; the handler decides every value.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSettings {
    pub id: String,
    pub engine: &'static str,
    pub engine_version: String,
    pub subnet_group: String,
    pub parameter_group: String,
    pub security_group_ids: Vec<String>,
    pub kms_key_arn: String,
    pub min_capacity: f64,
    pub max_capacity: f64,
    /// Only with a minimum of 0 ACUs: how long an idle instance runs before Aurora pauses it.
    pub seconds_until_auto_pause: Option<i32>,
    pub deletion_protection: bool,
    pub master_username: &'static str,
    pub database_name: &'static str,
    pub port: i32,
    pub backup_retention_days: i32,
    pub log_exports: Vec<&'static str>,
    pub tags: Vec<Tag>,
}

impl ClusterSettings {
    pub fn scaling(&self) -> Scaling {
        Scaling {
            min_capacity: self.min_capacity,
            max_capacity: self.max_capacity,
            seconds_until_auto_pause: self.seconds_until_auto_pause,
        }
    }
}

/// One engine version as DescribeDBEngineVersions lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineVersion {
    /// `16.4`, `16.10`: major and minor.
    pub version: String,
    /// `available` or `deprecated` (RDS API reference, `DBEngineVersion.Status`).
    pub status: Option<String>,
    /// The Aurora Serverless v2 capacity range this version supports (`ServerlessV2FeaturesSupport`
    /// MinCapacity and MaxCapacity), where RDS says.
    pub serverless_v2_range: Option<(f64, f64)>,
}

/// Everything CreateDBInstance is given for one of the cluster's instances.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceSettings {
    pub id: String,
    pub cluster_id: String,
    pub engine: &'static str,
    pub class: &'static str,
    pub zone: String,
    pub promotion_tier: i32,
    pub kms_key_arn: String,
    pub tags: Vec<Tag>,
}
