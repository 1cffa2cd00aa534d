//! The IAM policy of the cache function's role (`catalog-fn-cache`), beside the function it
//! authorizes: `envctl deploy` writes it with the logging every function gets (bootstrap/deploy,
//! `policies`), and the integration test `permissions` proves it against every request the function
//! makes (tests/iam).
//!
//! The cache function: the Redis replication group and its subnet group, its AUTH token secret,
//! and the slow-log group with its delivery.

use env_core::arn::ArnScope;
use env_core::naming::NameKind;
use env_core::policy::{any, service_linked_roles, Arns, Statement};

pub fn statements(scope: &ArnScope) -> Vec<Statement> {
    let arns = Arns::new(scope);
    let mut statements = vec![redis(&arns)];
    statements.extend(auth_token(&arns));
    statements.extend(slow_log(&arns));
    statements.push(service_linked_roles(
        scope,
        &[("elasticache.amazonaws.com", "AWSServiceRoleForElastiCache")],
    ));
    statements
}

/// The replication group, its member clusters and its subnet group.
fn redis(arns: &Arns) -> Statement {
    let replication_group = NameKind::CacheReplicationGroup.wildcard();
    Statement::allow(
        "Redis",
        &[
            "elasticache:CreateReplicationGroup",
            "elasticache:DeleteReplicationGroup",
            "elasticache:DescribeReplicationGroups",
            "elasticache:CreateCacheSubnetGroup",
            "elasticache:DeleteCacheSubnetGroup",
            "elasticache:DescribeCacheSubnetGroups",
            "elasticache:AddTagsToResource",
        ],
        vec![
            arns.regional(
                "elasticache",
                &format!("replicationgroup:{replication_group}"),
            ),
            // The group's member clusters: redis-<suffix>-0001-001, …
            arns.regional("elasticache", &format!("cluster:{replication_group}")),
            arns.regional(
                "elasticache",
                &format!("subnetgroup:{}", NameKind::CacheSubnetGroup.wildcard()),
            ),
            // CreateReplicationGroup is authorized on the parameter group it uses too (Service
            // Authorization Reference, "parametergroup" required): ElastiCache's own defaults.
            arns.regional("elasticache", "parametergroup:default.*"),
        ],
    )
}

/// The AUTH token's secret, the rotation function it rotates with, and generating tokens.
fn auth_token(arns: &Arns) -> Vec<Statement> {
    vec![
        Statement::allow(
            "AuthTokenSecret",
            &[
                "secretsmanager:CreateSecret",
                "secretsmanager:TagResource",
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetSecretValue",
                "secretsmanager:PutSecretValue",
                // Who may read the token (env_core::secret_policy).
                "secretsmanager:PutResourcePolicy",
                // Its 30-day rotation with the environment's rotation function.
                "secretsmanager:RotateSecret",
                "secretsmanager:DeleteSecret",
                // A token secret deleted by hand with a recovery window is restored: it holds the
                // token its group knows.
                "secretsmanager:RestoreSecret",
            ],
            vec![arns.regional(
                "secretsmanager",
                &format!("secret:{}", NameKind::CacheAuthSecret.wildcard()),
            )],
        ),
        // The rotation function the token rotates with: looked up until the database function
        // made it, and invoked by RotateSecret on the caller's behalf (Secrets Manager API
        // reference, RotateSecret: "lambda:InvokeFunction").
        Statement::allow(
            "TheRotationFunction",
            &["lambda:GetFunction", "lambda:InvokeFunction"],
            vec![arns.regional(
                "lambda",
                &format!("function:{}", NameKind::RotationFunction.wildcard()),
            )],
        ),
        Statement::allow(
            "GenerateTokens",
            &["secretsmanager:GetRandomPassword"],
            any(),
        ),
    ]
}

/// The slow-log group and its delivery.
fn slow_log(arns: &Arns) -> Vec<Statement> {
    vec![
        // The key's uses through Secrets Manager and ElastiCache are the key policy's to grant,
        // by this function's role (the network function's key_policy).
        Statement::allow(
            "SlowLogGroup",
            &[
                "logs:CreateLogGroup",
                "logs:TagResource",
                "logs:PutRetentionPolicy",
                "logs:DeleteLogGroup",
            ],
            vec![arns.log_group(&NameKind::CacheSlowLogGroup.wildcard())],
        ),
        // Log delivery is set up in the caller's name (ElastiCache user guide, "ElastiCache logging
        // destinations"); these CloudWatch Logs actions support no resource type.
        Statement::allow(
            "SlowLogDelivery",
            &[
                "logs:DescribeLogGroups",
                "logs:CreateLogDelivery",
                "logs:GetLogDelivery",
                "logs:UpdateLogDelivery",
                "logs:DeleteLogDelivery",
                "logs:ListLogDeliveries",
                "logs:PutResourcePolicy",
                "logs:DescribeResourcePolicies",
            ],
            any(),
        ),
    ]
}
