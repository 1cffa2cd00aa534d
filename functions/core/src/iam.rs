//! IAM actions that accept only `"Resource": "*"` (Service Authorization Reference: each service's
//! "Actions defined by …" table lists no resource types for them), named once for the roles that
//! grant them and for the audit that must not flag them (IAM.1).

/// `ecr:GetAuthorizationToken` (Amazon Elastic Container Registry): the service's execution role,
/// to pull a private image.
pub const ECR_LOGIN: &str = "ecr:GetAuthorizationToken";
/// `cloudwatch:PutMetricData` (Amazon CloudWatch): the service's task role, narrowed by the
/// `cloudwatch:namespace` condition instead.
pub const PUT_METRIC_DATA: &str = "cloudwatch:PutMetricData";
/// The four `elasticloadbalancing:Describe*` reads ECS blue/green needs (Elastic Load Balancing V2):
/// the service's infrastructure role.
pub const LOAD_BALANCER_READS: [&str; 4] = [
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
];

/// The managed policy every role an environment gets carries as its permissions boundary: the
/// most any of those roles may ever do, whatever inline policy a function writes on it. `envctl
/// deploy` creates it; the functions that create roles pass it to CreateRole.
pub const ROLE_BOUNDARY_POLICY: &str = "catalog-environments-role-boundary";

/// The environment variable that gives the network, database and service functions the ARN of
/// [`ROLE_BOUNDARY_POLICY`] in their account (set by `envctl deploy`).
pub const ROLE_BOUNDARY_VAR: &str = "ROLE_PERMISSIONS_BOUNDARY";

/// The role each backend function runs as (`catalog-fn-<function>`, as `envctl deploy` names it):
/// the network function names the others in the environment key's policy.
pub fn function_role(function: &str) -> String {
    format!("catalog-fn-{function}")
}
