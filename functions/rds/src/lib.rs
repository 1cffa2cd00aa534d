//! The RDS calls of the components that own or read an environment's Aurora cluster (the database
//! function makes and deletes it, the outputs function reads its endpoints): one capability,
//! [`RdsCalls`], written once over the SDK ([`Rds`]) and once in memory for the unit tests
//! (`fake::FakeRds`, feature `test-util`). Each function's `Cloud` hands out its implementation
//! instead of declaring the calls again. The moto tests drive every SDK method through the
//! database function's binary.

mod aws;
mod types;

pub use aws::Rds;
pub use types::*;

use env_core::tags::Tag;
use env_core::AwsCallError;

pub type CallResult<T> = Result<T, AwsCallError>;

/// Everything the environment's functions ask of RDS.
// The lint warns that callers cannot require `Send` futures from a public async trait; only the
// functions' binaries implement and call it, and their entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait RdsCalls {
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
    /// DescribeDBClusters; `None` for `DBClusterNotFoundFault`.
    async fn cluster(&self, id: &str) -> CallResult<Option<Cluster>>;
    async fn create_cluster(&self, settings: &ClusterSettings) -> CallResult<()>;
    /// Turns deletion protection off, applied immediately.
    async fn lift_deletion_protection(&self, id: &str) -> CallResult<()>;
    /// Applies `scaling` to the cluster at once (ModifyDBCluster `ServerlessV2ScalingConfiguration`).
    async fn set_scaling(&self, id: &str, scaling: &Scaling) -> CallResult<()>;
    /// Deletes without a final snapshot; the automated backups go too when `force`, else they are
    /// kept for their retention period (RDS user guide, "Deleting Aurora DB clusters").
    async fn delete_cluster(&self, id: &str, force: bool) -> CallResult<()>;

    /// DescribeDBInstances; `None` for `DBInstanceNotFound`.
    async fn instance(&self, id: &str) -> CallResult<Option<Instance>>;
    async fn create_instance(&self, settings: &InstanceSettings) -> CallResult<()>;
    async fn delete_instance(&self, id: &str) -> CallResult<()>;
}

#[cfg(any(test, feature = "test-util"))]
pub mod fake;
