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
    let mut statements = vec![logs(&arns)];
    statements.push(secret_rotation(&arns));
    statements.extend(cache_token_rotation(&arns));
    statements.extend(secret_reads(scope, &arns));
    statements.extend(network_interfaces(&arns));
    statements.extend(images());
    statements.extend(api_data_and_metrics(&arns));
    statements.extend(traffic(&arns));
    statements
}

/// A secret of the environments by its name's pattern.
fn secret(arns: &Arns, pattern: &str) -> String {
    arns.regional("secretsmanager", &format!("secret:{pattern}"))
}

/// The log groups the roles write.
fn logs(arns: &Arns) -> Statement {
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
    )
}

/// Rotating the secrets' values.
fn secret_rotation(arns: &Arns) -> Statement {
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
            secret(arns, &NameKind::DatabaseSecret.wildcard()),
            secret(arns, &NameKind::ApiKeysSecret.wildcard()),
            secret(arns, &NameKind::CacheAuthSecret.wildcard()),
        ],
    )
}

/// The cache token's rotation: its secret's versions, its replication group, and the service.
fn cache_token_rotation(arns: &Arns) -> Vec<Statement> {
    vec![
        // The token's rotation: its versions dated, the token added to the group, the tasks that
        // hold it restarted.
        Statement::allow(
            "RotateTheCacheToken",
            &["secretsmanager:ListSecretVersionIds"],
            vec![secret(arns, &NameKind::CacheAuthSecret.wildcard())],
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
    ]
}

/// Reading the secrets and generating passwords, finding log groups, and the key through
/// Secrets Manager.
fn secret_reads(scope: &ArnScope, arns: &Arns) -> Vec<Statement> {
    vec![
        Statement::allow(
            "ReadTheEnvironmentsSecrets",
            &["secretsmanager:GetSecretValue"],
            vec![
                secret(arns, &NameKind::DatabaseSecret.wildcard()),
                secret(arns, &NameKind::ApiKeysSecret.wildcard()),
                secret(arns, &NameKind::CacheAuthSecret.wildcard()),
                secret(arns, "rds!cluster-*"),
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
    ]
}

/// The rotation function's network interfaces in the VPC.
fn network_interfaces(arns: &Arns) -> Vec<Statement> {
    vec![
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
    ]
}

/// Pulling the service's private image.
fn images() -> Vec<Statement> {
    vec![
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
    ]
}

/// The API's connections to the database and cache, and its metrics.
fn api_data_and_metrics(arns: &Arns) -> Vec<Statement> {
    vec![
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
    ]
}

/// ECS blue/green's listener rules and target registration.
fn traffic(arns: &Arns) -> Vec<Statement> {
    vec![
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
