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
