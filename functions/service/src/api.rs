//! The AWS calls the service function makes, as one small trait over plain types.
//!
//! The handler holds the logic (what exists, what to create, update or delete next) and talks only
//! to [`Cloud`]; [`crate::aws::AwsCloud`] implements it with the SDK clients, one SDK call per
//! method, and the unit tests implement it with an in-memory fake. The ECS and Cloud Map calls are
//! the shared capabilities [`EcsCalls`] and [`CloudMapCalls`].

use env_core::AwsCallError;
use iam_roles::RoleCalls;
use log_groups::LogGroupCalls;

pub type CallResult<T> = Result<T, AwsCallError>;

/// The ECS and Cloud Map types the handler works with, from the shared capabilities.
pub use cloud_map::{CloudMapCalls, Named};
pub use ecs::{BlueGreen, EcsCalls, EcsService, ServiceSpec, TaskSpec, FINGERPRINT_TAG};

/// Everything the service function asks of ECS, Cloud Map, Application Auto Scaling, CloudWatch
/// Logs and IAM; the log groups and roles through the capabilities every owner of them shares.
// The lint warns that callers cannot require `Send` futures from a public async trait; only this
// binary implements and calls it, and the functions' entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait Cloud {
    type Ecs: EcsCalls;
    type CloudMap: CloudMapCalls;
    type Logs: LogGroupCalls;
    type Roles: RoleCalls;
    /// ECS, for the cluster, the task family's revisions and the service.
    fn ecs(&self) -> &Self::Ecs;
    /// Cloud Map, for the service's private DNS namespace and discovery service.
    fn cloud_map(&self) -> &Self::CloudMap;
    /// CloudWatch Logs, for the service's log group and Container Insights'.
    fn logs(&self) -> &Self::Logs;
    /// IAM, for the execution, task and infrastructure roles.
    fn roles(&self) -> &Self::Roles;

    // Application Auto Scaling; `resource` is `service/<cluster>/<service>`.
    async fn scalable_target(&self, resource: &str) -> CallResult<Option<(i32, i32)>>;
    async fn register_scalable_target(&self, resource: &str, min: i32, max: i32) -> CallResult<()>;
    /// Target tracking on `ECSServiceAverageCPUUtilization`; cooldowns in seconds (out, in).
    async fn put_cpu_policy(
        &self,
        resource: &str,
        name: &str,
        target: f64,
        cooldowns: (i32, i32),
    ) -> CallResult<()>;
    async fn scaling_policies(&self, resource: &str) -> CallResult<Vec<String>>;
    async fn delete_scaling_policy(&self, resource: &str, name: &str) -> CallResult<()>;
    async fn deregister_scalable_target(&self, resource: &str) -> CallResult<()>;
}
