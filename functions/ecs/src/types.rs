//! The plain types the ECS calls answer and take: the cluster, the task family's revision and what
//! registers one, the service, its deployments and what creates it.

/// How the awslogs driver delivers, set explicitly rather than left to the account's
/// `defaultLogDriverMode`: `non-blocking`, so a slow or throttled CloudWatch Logs never stalls the
/// API's writes to stdout (it loses the buffer's overflow instead), with a buffer of 25 MB, the
/// ECS console's value (the driver's default is 10 MB). ECS developer guide, "Using the awslogs
/// log driver", and API reference, LogConfiguration (`mode`, `max-buffer-size`).
pub const LOG_DELIVERY: [(&str, &str); 2] = [("mode", "non-blocking"), ("max-buffer-size", "25m")];

/// The tag that records what a task definition revision was registered from.
pub const FINGERPRINT_TAG: &str = "catalog:task-fingerprint";

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
// Its `Debug` text is the revision's fingerprint (the service function's `task::fingerprint`):
// renaming the type or a field, or reordering the fields, registers a new revision once.
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
    /// `deployments` as DescribeServices lists them: among them the PRIMARY one (the most
    /// recent) and any ACTIVE ones whose tasks it is replacing (API reference, `Deployment`).
    pub deployments: Vec<Deployment>,
}

/// One of a service's deployments, as far as a caller asks when it was made (the rotation
/// function, to tell whether the tasks started after a secret's version).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deployment {
    /// `createdAt`, in nanoseconds since the epoch. The API reference marks no member of
    /// `Deployment` required, `createdAt` included: a missing one stays `None`, and the caller
    /// decides what an unknown time means.
    pub created_nanos: Option<i128>,
}
