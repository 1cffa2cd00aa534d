//! The AWS calls the service function makes, as one small trait over plain types.
//!
//! The handler holds the logic (what exists, what to create, update or delete next) and talks only
//! to [`Cloud`]; [`crate::aws::AwsCloud`] implements it with the SDK clients, one SDK call per
//! method, and the unit tests implement it with an in-memory fake.

use env_core::tags::Tag;
use env_core::AwsCallError;
use iam_roles::RoleCalls;
use log_groups::LogGroupCalls;

pub type CallResult<T> = Result<T, AwsCallError>;

pub use env_core::error::found;

/// How the awslogs driver delivers, set explicitly rather than left to the account's
/// `defaultLogDriverMode`: `non-blocking`, so a slow or throttled CloudWatch Logs never stalls the
/// API's writes to stdout (it loses the buffer's overflow instead), with a buffer of 25 MB, the
/// ECS console's value (the driver's default is 10 MB). ECS developer guide, "Using the awslogs
/// log driver", and API reference, LogConfiguration (`mode`, `max-buffer-size`).
pub const LOG_DELIVERY: [(&str, &str); 2] = [("mode", "non-blocking"), ("max-buffer-size", "25m")];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    pub arn: String,
    /// `ACTIVE`; a deleted cluster is listed as `INACTIVE` for a while (ECS API reference,
    /// `Cluster.status`).
    pub status: String,
}

/// The latest active revision of the task family and the fingerprint tag it was registered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDefinition {
    pub arn: String,
    pub fingerprint: Option<String>,
}

/// What the handler wants registered: one Fargate task with one container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskSpec {
    pub family: String,
    pub execution_role_arn: String,
    pub task_role_arn: String,
    pub cpu: String,
    pub memory: String,
    /// ECS's `RuntimePlatform.cpuArchitecture`: `X86_64` or `ARM64`.
    pub cpu_architecture: String,
    pub container_name: String,
    pub image: String,
    pub port: i32,
    pub user: String,
    pub log_group: String,
    pub region: String,
    pub environment: Vec<(String, String)>,
    /// Environment variable name → Secrets Manager `valueFrom` (an ARN with a JSON key).
    pub secrets: Vec<(String, String)>,
    pub health_check: Vec<String>,
    pub tmp_volume: String,
}

/// What the handler wants of the ECS service when it creates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSpec {
    pub cluster: String,
    pub name: String,
    pub task_definition: String,
    pub desired_count: i32,
    pub subnets: Vec<String>,
    pub security_group: String,
    pub target_group_arn: String,
    pub container_name: String,
    pub container_port: i32,
    pub registry_arn: String,
    pub grace_period_seconds: i32,
    /// Deployment circuit breaker with rollback on a failed deployment.
    pub rollback_on_failure: bool,
    /// (minimum healthy, maximum) percent of the desired count during a deployment.
    pub deployment_percents: (i32, i32),
    /// ECS native blue/green instead of a rolling update.
    pub blue_green: Option<BlueGreen>,
}

/// What ECS blue/green deployments need (ECS API reference, `DeploymentConfiguration.strategy`
/// `BLUE_GREEN` and `LoadBalancer.advancedConfiguration`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlueGreen {
    /// The green target group, where a new revision starts.
    pub alternate_target_group_arn: String,
    pub production_listener_rule: String,
    pub test_listener_rule: String,
    /// The infrastructure role ECS assumes to shift the rules.
    pub role_arn: String,
    /// How long the old revision is kept after production traffic moved.
    pub bake_time_minutes: i32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EcsService {
    pub arn: String,
    /// `ACTIVE`, `DRAINING` (being deleted) or `INACTIVE` (deleted).
    pub status: String,
    pub desired_count: i32,
    pub running_count: i32,
    pub task_definition: String,
    /// The PRIMARY deployment's rollout state: `IN_PROGRESS`, `COMPLETED` or `FAILED`.
    pub rollout: Option<String>,
    /// `DeploymentConfiguration.strategy` (`ROLLING` or `BLUE_GREEN`), when ECS reports one.
    pub strategy: Option<String>,
    /// The load balancer's `advancedConfiguration.alternateTargetGroupArn`: set only for
    /// blue/green.
    pub alternate_target_group: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub id: String,
    pub arn: String,
    pub name: String,
}

/// Everything the service function asks of ECS, Cloud Map, Application Auto Scaling, CloudWatch
/// Logs and IAM; the log groups and roles through the capabilities every owner of them shares.
// The lint warns that callers cannot require `Send` futures from a public async trait; only this
// binary implements and calls it, and the functions' entry point does not need `Send`.
#[allow(async_fn_in_trait)]
pub trait Cloud {
    type Logs: LogGroupCalls;
    type Roles: RoleCalls;
    /// CloudWatch Logs, for the service's log group and Container Insights'.
    fn logs(&self) -> &Self::Logs;
    /// IAM, for the execution, task and infrastructure roles.
    fn roles(&self) -> &Self::Roles;

    // ECS.
    async fn cluster(&self, name: &str) -> CallResult<Option<Cluster>>;
    async fn create_cluster(&self, name: &str, tags: &[Tag]) -> CallResult<Cluster>;
    async fn delete_cluster(&self, name: &str) -> CallResult<()>;
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
    async fn service(&self, cluster: &str, name: &str) -> CallResult<Option<EcsService>>;
    async fn create_service(&self, spec: &ServiceSpec, tags: &[Tag]) -> CallResult<EcsService>;
    async fn update_task_definition(
        &self,
        cluster: &str,
        name: &str,
        task_definition: &str,
    ) -> CallResult<()>;
    /// UpdateService with the deployment configuration and load balancer of `spec`: how the
    /// strategy is switched on an existing service.
    async fn update_deployment(&self, spec: &ServiceSpec) -> CallResult<()>;
    async fn scale_service(&self, cluster: &str, name: &str, count: i32) -> CallResult<()>;
    async fn delete_service(&self, cluster: &str, name: &str) -> CallResult<()>;

    // Cloud Map.
    async fn namespace(&self, name: &str) -> CallResult<Option<Named>>;
    async fn create_namespace(
        &self,
        name: &str,
        vpc_id: &str,
        token: &str,
        tags: &[Tag],
    ) -> CallResult<()>;
    async fn discovery_services(&self, namespace_id: &str) -> CallResult<Vec<Named>>;
    async fn create_discovery_service(
        &self,
        name: &str,
        namespace_id: &str,
        token: &str,
        tags: &[Tag],
    ) -> CallResult<Named>;
    async fn delete_discovery_service(&self, id: &str) -> CallResult<()>;
    async fn delete_namespace(&self, id: &str) -> CallResult<()>;

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

#[cfg(test)]
mod tests {
    use super::*;
    use env_core::error::aws_failure;

    #[test]
    fn only_the_not_found_code_means_absent() {
        assert_eq!(found(Ok(1), &["NoSuchEntity"]).unwrap(), Some(1));
        assert_eq!(
            found::<i32>(
                Err(aws_failure("GetRole", "NoSuchEntity")),
                &["NoSuchEntity"]
            )
            .unwrap(),
            None
        );
        let error = found::<i32>(
            Err(aws_failure("GetRole", "AccessDenied")),
            &["NoSuchEntity"],
        )
        .unwrap_err();
        assert!(error.is_code("AccessDenied"));
    }
}
