//! The ECS calls of the components that own or read an environment's service (the service function
//! makes and deletes it; the outputs function reads the cluster's and the service's status; the
//! rotation function reads its deployments and restarts its tasks): one
//! capability, [`EcsCalls`], written once over the SDK ([`Ecs`]) and once in memory for the unit
//! tests (`fake::FakeEcs`, feature `test-util`). Each function's `Cloud` hands out its
//! implementation instead of declaring the calls again. The moto tests drive every SDK method
//! through those functions' binaries.

mod aws;
mod types;

pub use aws::Ecs;
pub use types::*;

use env_core::tags::Tag;
use env_core::AwsCallError;

pub type CallResult<T> = Result<T, AwsCallError>;

/// Everything the environment's functions ask of ECS.
// The lint warns that callers cannot require `Send` futures from a public async trait; only the
// functions' binaries implement and call it, and their entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait EcsCalls {
    // The cluster.
    /// None for a cluster never created or purged after deletion; a deleted one may still be
    /// answered, `INACTIVE`.
    async fn cluster(&self, name: &str) -> CallResult<Option<Cluster>>;
    async fn create_cluster(&self, name: &str, tags: &[Tag]) -> CallResult<Cluster>;
    async fn delete_cluster(&self, name: &str) -> CallResult<()>;

    // The task family's revisions.
    /// The family's latest ACTIVE revision, with its [`FINGERPRINT_TAG`].
    async fn latest_task_definition(&self, family: &str) -> CallResult<Option<TaskDefinition>>;
    async fn register_task_definition(
        &self,
        spec: &TaskSpec,
        tags: &[Tag],
    ) -> CallResult<TaskDefinition>;
    /// The ARNs of the family's ACTIVE revisions.
    async fn task_definitions(&self, family: &str) -> CallResult<Vec<String>>;
    async fn deregister_task_definition(&self, arn: &str) -> CallResult<()>;
    /// The ARNs of the family's INACTIVE (deregistered, not yet deleted) revisions.
    async fn inactive_task_definitions(&self, family: &str) -> CallResult<Vec<String>>;
    /// Deletes up to 10 INACTIVE revisions (DeleteTaskDefinitions' limit); the reasons of those
    /// ECS refused.
    async fn delete_task_definitions(&self, arns: &[String]) -> CallResult<Vec<String>>;

    // The service.
    /// None when the cluster is unknown (`ClusterNotFoundException`) or the service is not in
    /// the answer (never created, or purged after deletion).
    async fn service(&self, cluster: &str, name: &str) -> CallResult<Option<EcsService>>;
    async fn create_service(&self, spec: &ServiceSpec, tags: &[Tag]) -> CallResult<EcsService>;
    /// UpdateService onto `task_definition`, a new deployment; with `desired_count`, the same
    /// call also sets how many tasks the service keeps running (how a warm-pool environment,
    /// created with none, is woken). ECS API reference, UpdateService: `desiredCount` is "the
    /// number of instantiations of the task to place and keep running in your service",
    /// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html.
    async fn update_task_definition(
        &self,
        cluster: &str,
        name: &str,
        task_definition: &str,
        desired_count: Option<i32>,
    ) -> CallResult<()>;
    /// UpdateService with the deployment configuration and load balancer of `spec`: how the
    /// strategy is switched on an existing service.
    async fn update_deployment(&self, spec: &ServiceSpec) -> CallResult<()>;
    /// UpdateService with `forceNewDeployment`: a new deployment of the same task definition, so
    /// every task is replaced by one that starts again (and reads its secrets again).
    async fn force_new_deployment(&self, cluster: &str, name: &str) -> CallResult<()>;
    async fn scale_service(&self, cluster: &str, name: &str, count: i32) -> CallResult<()>;
    async fn delete_service(&self, cluster: &str, name: &str) -> CallResult<()>;
}

#[cfg(any(test, feature = "test-util"))]
pub mod fake;
