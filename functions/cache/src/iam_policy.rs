//! The IAM policy of the cache function's role (`catalog-fn-cache`), beside the function it
//! authorizes: `envctl deploy` writes it with the logging every function gets (bootstrap/deploy,
//! `policies`), and the integration test `permissions` proves it against every request the function
//! makes (tests/iam).
//!
//! The cache function: the Redis replication group and its subnet group, or (`cacheMode:
//! serverless`) the Valkey serverless cache with its user and user group; its AUTH token secret,
//! and the slow-log group with its delivery.

use env_core::arn::ArnScope;
use env_core::naming::NameKind;
use env_core::policy::{any, service_linked_roles, Arns, Statement};

pub fn statements(scope: &ArnScope) -> Vec<Statement> {
    let arns = Arns::new(scope);
    let mut statements = vec![redis(&arns)];
    statements.extend(serverless(&arns));
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

/// `cacheMode: serverless`: the serverless cache, its `default` user and its user group. The
/// actions and resource types are the Service Authorization Reference's ("Actions defined by Amazon
/// ElastiCache"): CreateServerlessCache acts on the `serverlesscache` and the `usergroup` it is
/// given; CreateUserGroup on the `usergroup` and each `user` it holds; the Describe calls on the
/// resource they name; each create with tags also needs `elasticache:AddTagsToResource`.
fn serverless(arns: &Arns) -> Vec<Statement> {
    let cache = NameKind::ServerlessCache.wildcard();
    let user = NameKind::CacheUser.wildcard();
    let user_group = NameKind::CacheUserGroup.wildcard();
    vec![
        Statement::allow(
            "ServerlessValkey",
            &[
                "elasticache:CreateServerlessCache",
                "elasticache:DeleteServerlessCache",
                "elasticache:DescribeServerlessCaches",
                "elasticache:CreateUser",
                "elasticache:DeleteUser",
                "elasticache:DescribeUsers",
                "elasticache:CreateUserGroup",
                "elasticache:DeleteUserGroup",
                "elasticache:DescribeUserGroups",
                "elasticache:AddTagsToResource",
            ],
            vec![
                arns.regional("elasticache", &format!("serverlesscache:{cache}")),
                arns.regional("elasticache", &format!("user:{user}")),
                arns.regional("elasticache", &format!("usergroup:{user_group}")),
            ],
        ),
        // CreateServerlessCache's dependent actions (same reference): ElastiCache makes the cache's
        // VPC endpoints in the environment's subnets, in the caller's name.
        Statement::allow(
            "ServerlessValkeyEndpoints",
            &[
                "ec2:CreateVpcEndpoint",
                "ec2:DeleteVpcEndpoints",
                "ec2:CreateTags",
            ],
            arns.each(
                "ec2",
                &["vpc-endpoint/*", "vpc/*", "subnet/*", "security-group/*"],
            ),
        ),
        // Dependent actions too; these EC2 reads support no resource type.
        Statement::allow(
            "ServerlessValkeyNetworkReads",
            &[
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeTags",
                "ec2:DescribeVpcEndpoints",
                "ec2:DescribeVpcs",
            ],
            any(),
        ),
    ]
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
                // The rotation turned off when the cache becomes serverless, then an unfinished
                // rotation's AWSPENDING label dropped (functions/secrets, stop_rotation), as it
                // also is before the cluster turns rotation on again.
                // Both act on the `Secret` resource type, with the same condition keys as
                // RotateSecret (Service Authorization Reference, "Actions defined by AWS Secrets
                // Manager").
                "secretsmanager:CancelRotateSecret",
                "secretsmanager:UpdateSecretVersionStage",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_serverless_cache_its_user_and_group_are_reached_by_their_names_alone() {
        let scope = ArnScope::new("us-west-2", "123456789012");
        let statements = statements(&scope);
        let document = env_core::policy::document(&statements);
        let serverless = document["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|statement| statement["Sid"] == "ServerlessValkey")
            .unwrap();
        assert_eq!(
            serverless["Resource"],
            serde_json::json!([
                "arn:aws:elasticache:us-west-2:123456789012:serverlesscache:valkey-*",
                "arn:aws:elasticache:us-west-2:123456789012:user:valkey-default-*",
                "arn:aws:elasticache:us-west-2:123456789012:usergroup:valkey-users-*"
            ])
        );
        assert!(serverless["Action"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("elasticache:CreateUserGroup")));
    }
}
