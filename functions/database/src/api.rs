//! The AWS calls the database function makes, as one small trait over plain types.
//!
//! The handler holds the logic (what exists, what to create or delete next) and talks only to
//! [`Cloud`]; [`crate::aws::AwsCloud`] implements it with the RDS and Lambda clients, one SDK call
//! per method, and the unit tests implement it with an in-memory fake. The log groups, the rotation
//! role and the secrets are the shared capabilities [`LogGroupCalls`], [`RoleCalls`] and
//! [`SecretCalls`], which `Cloud` hands out.

use env_core::tags::Tag;
use env_core::AwsCallError;
use iam_roles::RoleCalls;
use log_groups::LogGroupCalls;
use std::collections::BTreeMap;
use std::time::SystemTime;

pub use secrets::{
    NewSecret, PasswordRules, Rotation, RotationRequest, Secret, SecretCalls, SecretValue,
};

pub type CallResult<T> = Result<T, AwsCallError>;

pub use env_core::error::found;

/// A create that met its resource (created by a concurrent or earlier call) is no failure: the
/// handler reads the resource again.
pub fn created(result: CallResult<()>, exists_code: &str) -> CallResult<()> {
    match result {
        Err(error) if !error.is_code(exists_code) => Err(error),
        _ => Ok(()),
    }
}

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

/// The rotation Lambda as GetFunction describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub arn: String,
    /// `Pending` while Lambda sets up the VPC network interfaces, then `Active` (Lambda developer
    /// guide, "Lambda function states").
    pub state: String,
    /// `LastUpdateStatus` is `InProgress`: Lambda refuses another change until it ends (Lambda
    /// developer guide, "Lambda function states").
    pub updating: bool,
    /// `LastUpdateStatusReason` when `LastUpdateStatus` is `Failed`: Lambda kept the previous code
    /// and configuration.
    pub update_failure: Option<String>,
    /// `LastModified`, to the second: when the last change began.
    pub last_modified: Option<SystemTime>,
    pub subnet_ids: Vec<String>,
    pub security_group_ids: Vec<String>,
    /// The package's SHA-256, base64 (`CodeSha256`).
    pub code_sha256: String,
    pub architecture: String,
    pub timeout_seconds: i32,
    pub environment: BTreeMap<String, String>,
}

/// Everything CreateFunction is given for the rotation Lambda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionSettings {
    pub name: String,
    pub role_arn: String,
    pub code_bucket: String,
    pub code_key: String,
    /// What Lambda reports as the package's `CodeSha256` (the database function's settings).
    pub code_sha256: String,
    /// `x86_64` or `arm64`, as the package was built.
    pub architecture: String,
    pub subnet_ids: Vec<String>,
    pub security_group_ids: Vec<String>,
    pub environment: Vec<(&'static str, String)>,
    pub timeout_seconds: i32,
    pub tags: Vec<Tag>,
}

impl FunctionSettings {
    /// The environment variables as Lambda keeps them: by name.
    pub fn variables(&self) -> BTreeMap<String, String> {
        self.environment
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone()))
            .collect()
    }
}

/// Everything the database function asks of RDS, Secrets Manager, Lambda, CloudWatch Logs and IAM.
// The lint warns that callers cannot require `Send` futures from a public async trait; only this
// binary implements and calls it, and the functions' entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait Cloud {
    type Logs: LogGroupCalls;
    type Roles: RoleCalls;
    type Secrets: SecretCalls;
    /// CloudWatch Logs, for the groups of the cluster's log export and of the rotation function.
    fn logs(&self) -> &Self::Logs;
    /// IAM, for the rotation function's role.
    fn roles(&self) -> &Self::Roles;
    /// Secrets Manager, for the application's and the API keys' secrets and the schedule of the
    /// master secret RDS manages.
    fn secrets(&self) -> &Self::Secrets;

    async fn subnet_group_exists(&self, name: &str) -> CallResult<bool>;
    async fn create_subnet_group(
        &self,
        name: &str,
        subnet_ids: &[String],
        tags: &[Tag],
    ) -> CallResult<()>;
    async fn delete_subnet_group(&self, name: &str) -> CallResult<()>;

    async fn parameter_group_exists(&self, name: &str) -> CallResult<bool>;
    async fn create_parameter_group(
        &self,
        name: &str,
        family: &str,
        tags: &[Tag],
    ) -> CallResult<()>;
    /// Sets one parameter with the `immediate` apply method.
    async fn set_parameter(&self, group: &str, name: &str, value: &str) -> CallResult<()>;
    async fn delete_parameter_group(&self, name: &str) -> CallResult<()>;

    /// DescribeDBEngineVersions: every available version of `engine` in parameter group `family`.
    async fn engine_versions(&self, engine: &str, family: &str) -> CallResult<Vec<EngineVersion>>;
    async fn cluster(&self, id: &str) -> CallResult<Option<Cluster>>;
    async fn create_cluster(&self, settings: &ClusterSettings) -> CallResult<()>;
    /// Turns deletion protection off, applied immediately.
    async fn lift_deletion_protection(&self, id: &str) -> CallResult<()>;
    /// Applies `scaling` to the cluster at once (ModifyDBCluster `ServerlessV2ScalingConfiguration`).
    async fn set_scaling(&self, id: &str, scaling: &Scaling) -> CallResult<()>;
    /// Deletes without a final snapshot; the automated backups go too when `force`, else they are
    /// kept for their retention period (RDS user guide, "Deleting Aurora DB clusters").
    async fn delete_cluster(&self, id: &str, force: bool) -> CallResult<()>;

    async fn instance(&self, id: &str) -> CallResult<Option<Instance>>;
    async fn create_instance(&self, settings: &InstanceSettings) -> CallResult<()>;
    async fn delete_instance(&self, id: &str) -> CallResult<()>;

    /// GetFunction; `None` when there is no such function.
    async fn function(&self, name: &str) -> CallResult<Option<Function>>;
    async fn create_function(&self, settings: &FunctionSettings) -> CallResult<()>;
    /// UpdateFunctionCode: the package and architecture of `settings`.
    async fn update_function_code(&self, settings: &FunctionSettings) -> CallResult<()>;
    /// UpdateFunctionConfiguration: the timeout and the whole environment of `settings`.
    async fn update_function_configuration(&self, settings: &FunctionSettings) -> CallResult<()>;
    /// AddPermission: lets `principal` of `source_account` invoke the function.
    async fn allow_invoke(
        &self,
        function: &str,
        statement_id: &str,
        principal: &str,
        source_account: &str,
    ) -> CallResult<()>;
    async fn delete_function(&self, name: &str) -> CallResult<()>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::aws_failure;

    #[test]
    fn rds_states_map_to_what_the_handler_decides_on() {
        assert_eq!(State::from_aws("available"), State::Available);
        assert_eq!(State::from_aws("deleting"), State::Deleting);
        for failed in [
            "failed",
            "inaccessible-encryption-credentials",
            "incompatible-network",
            "incompatible-parameters",
            "incompatible-restore",
            "storage-full",
        ] {
            assert_eq!(State::from_aws(failed), State::Failed, "{failed}");
        }
        assert_eq!(State::from_aws("creating"), State::Busy);
        assert_eq!(State::from_aws("backing-up"), State::Busy);
    }

    #[test]
    fn only_the_not_found_code_means_absent() {
        assert_eq!(found(Ok(1), &["DBClusterNotFoundFault"]).unwrap(), Some(1));
        let absent = found::<i32>(
            Err(aws_failure("DescribeDBClusters", "DBClusterNotFoundFault")),
            &["DBClusterNotFoundFault"],
        );
        assert_eq!(absent.unwrap(), None);
        let error = found::<i32>(
            Err(aws_failure("DescribeDBClusters", "AccessDenied")),
            &["DBClusterNotFoundFault"],
        )
        .unwrap_err();
        assert!(error.is_code("AccessDenied"));
    }

    #[test]
    fn only_the_already_exists_code_counts_as_created() {
        assert!(created(Ok(()), "DBClusterAlreadyExistsFault").is_ok());
        let met = created(
            Err(aws_failure(
                "CreateDBCluster",
                "DBClusterAlreadyExistsFault",
            )),
            "DBClusterAlreadyExistsFault",
        );
        assert!(met.is_ok());
        let error = created(
            Err(aws_failure("CreateDBCluster", "Throttling")),
            "DBClusterAlreadyExistsFault",
        )
        .unwrap_err();
        assert!(error.is_code("Throttling"));
    }
}
