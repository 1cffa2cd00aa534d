//! The permissions boundary of every role an environment gets (the flow-log role, the rotation
//! function's role, the service's execution, task and infrastructure roles).
//!
//! The functions that create those roles may create them and write their inline policies only
//! with this boundary attached (`iam:PermissionsBoundary`), so a role can never do more than this
//! document allows, whatever policy a function writes on it (IAM user guide, "Permissions
//! boundaries for IAM entities": effective permissions are the intersection). It is the union of
//! what those roles need, on the environments' names only, and nothing that reaches IAM.

use crate::asl::ArnScope;
use env_core::naming::NameKind;
use env_core::policy::{any, Arns, Statement};
use serde_json::json;

pub fn statements(scope: &ArnScope) -> Vec<Statement> {
    let arns = Arns::new(scope);
    let secret = |pattern: &str| arns.regional("secretsmanager", &format!("secret:{pattern}"));
    vec![
        // Flow logs, the rotation function and the service write their own log groups; Lambda
        // creates the rotation function's when it is missing.
        Statement::allow(
            "WriteTheEnvironmentsLogs",
            &[
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DescribeLogStreams",
            ],
            vec![
                arns.log_group(&NameKind::FlowLogGroup.wildcard()),
                arns.log_group(&format!("{}:*", NameKind::FlowLogGroup.wildcard())),
                arns.log_group(&format!(
                    "/aws/lambda/{}",
                    NameKind::RotationFunction.wildcard()
                )),
                arns.log_group(&NameKind::ServiceLogGroup.wildcard()),
            ],
        ),
        // The rotation function rotates the application's secret with the master's, the API
        // keys and the Redis AUTH token; the service reads its secrets.
        Statement::allow(
            "RotateTheEnvironmentsSecrets",
            &[
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetSecretValue",
                "secretsmanager:PutSecretValue",
                "secretsmanager:UpdateSecretVersionStage",
            ],
            vec![
                secret(&NameKind::DatabaseSecret.wildcard()),
                secret(&NameKind::ApiKeysSecret.wildcard()),
                secret(&NameKind::CacheAuthSecret.wildcard()),
            ],
        ),
        // The token's rotation: its versions dated, the token added to the group, the tasks that
        // hold it restarted.
        Statement::allow(
            "RotateTheCacheToken",
            &["secretsmanager:ListSecretVersionIds"],
            vec![secret(&NameKind::CacheAuthSecret.wildcard())],
        ),
        Statement::allow(
            "ChangeTheCacheToken",
            &[
                "elasticache:DescribeReplicationGroups",
                "elasticache:ModifyReplicationGroup",
            ],
            vec![arns.regional(
                "elasticache",
                &format!(
                    "replicationgroup:{}",
                    NameKind::CacheReplicationGroup.wildcard()
                ),
            )],
        ),
        Statement::allow(
            "RestartTheTasksHoldingTheToken",
            &["ecs:DescribeServices", "ecs:UpdateService"],
            vec![arns.regional(
                "ecs",
                &format!(
                    "service/{}/{}",
                    NameKind::EcsCluster.wildcard(),
                    NameKind::EcsService.wildcard()
                ),
            )],
        ),
        Statement::allow(
            "ReadTheEnvironmentsSecrets",
            &["secretsmanager:GetSecretValue"],
            vec![
                secret(&NameKind::DatabaseSecret.wildcard()),
                secret(&NameKind::ApiKeysSecret.wildcard()),
                secret(&NameKind::CacheAuthSecret.wildcard()),
                secret("rds!cluster-*"),
            ],
        ),
        Statement::allow(
            "GeneratePasswords",
            &["secretsmanager:GetRandomPassword"],
            any(),
        ),
        // Flow-log delivery describes the account's log groups (VPC user guide, "IAM role for
        // publishing flow logs to CloudWatch Logs"); the action supports no resource type.
        Statement::allow("FindLogGroups", &["logs:DescribeLogGroups"], any()),
        Statement::allow(
            "UseTheKeyThroughSecretsManager",
            &["kms:Decrypt", "kms:GenerateDataKey"],
            vec![arns.regional("kms", "key/*")],
        )
        .when(json!({"StringEquals": {
            "kms:ViaService": format!("secretsmanager.{}.amazonaws.com", scope.region)
        }})),
        // A VPC Lambda's network interfaces (Lambda developer guide, "Giving Lambda functions
        // access to resources in an Amazon VPC": DescribeNetworkInterfaces works only on "*").
        Statement::allow(
            "RotationFunctionInterfaces",
            &[
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            ],
            arns.each(
                "ec2",
                &["network-interface/*", "subnet/*", "security-group/*"],
            ),
        ),
        Statement::allow("ListInterfaces", &["ec2:DescribeNetworkInterfaces"], any()),
        // A private image's pull (ECS developer guide, "Amazon ECS task execution IAM role").
        Statement::allow("LogInToEcr", &[env_core::iam::ECR_LOGIN], any()),
        Statement::allow(
            "PullImages",
            &[
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchGetImage",
            ],
            vec![ArnScope::new("*", "*").regional("ecr", "repository/*")],
        ),
        // The API's own connections and metrics.
        Statement::allow(
            "ConnectToTheEnvironmentsData",
            &["rds-db:connect", "elasticache:Connect"],
            vec![
                arns.regional("rds-db", "dbuser:*/catalog_app"),
                arns.regional(
                    "elasticache",
                    &format!(
                        "replicationgroup:{}",
                        NameKind::CacheReplicationGroup.wildcard()
                    ),
                ),
                arns.regional(
                    "elasticache",
                    &format!("user:{}", NameKind::CacheReplicationGroup.wildcard()),
                ),
            ],
        ),
        Statement::allow(
            "PublishTheApisMetrics",
            &[env_core::iam::PUT_METRIC_DATA],
            any(),
        )
        .when(
            json!({"StringLike": {"cloudwatch:namespace": NameKind::MetricNamespace.wildcard()}}),
        ),
        // ECS blue/green moves the environments' listener rules and registers tasks.
        Statement::allow(
            "ReadLoadBalancers",
            &env_core::iam::LOAD_BALANCER_READS,
            any(),
        ),
        Statement::allow(
            "ShiftTheEnvironmentsTraffic",
            &[
                "elasticloadbalancing:ModifyRule",
                "elasticloadbalancing:RegisterTargets",
                "elasticloadbalancing:DeregisterTargets",
            ],
            vec![
                arns.regional(
                    "elasticloadbalancing",
                    &format!(
                        "listener-rule/app/{}/*/*/*",
                        NameKind::LoadBalancer.wildcard()
                    ),
                ),
                arns.regional("elasticloadbalancing", "targetgroup/tg-*/*"),
            ],
        ),
    ]
}
