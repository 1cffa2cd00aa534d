//! The cache function: the Redis replication group and its subnet group, its AUTH token secret,
//! and the slow-log group with its delivery.

use super::statement::{any, service_linked_roles, tagged, Arns, Statement};
use crate::asl::ArnScope;
use env_core::naming::NameKind;
use serde_json::json;

pub fn statements(scope: &ArnScope) -> Vec<Statement> {
    let arns = Arns::new(scope);
    let replication_group = NameKind::CacheReplicationGroup.wildcard();
    vec![
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
                arns.regional("elasticache", &format!("replicationgroup:{replication_group}")),
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
        ),
        Statement::allow(
            "AuthTokenSecret",
            &[
                "secretsmanager:CreateSecret",
                "secretsmanager:TagResource",
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetSecretValue",
                "secretsmanager:PutSecretValue",
                "secretsmanager:DeleteSecret",
            ],
            vec![arns.regional(
                "secretsmanager",
                &format!("secret:{}", NameKind::CacheAuthSecret.wildcard()),
            )],
        ),
        Statement::allow("GenerateTokens", &["secretsmanager:GetRandomPassword"], any()),
        Statement::allow(
            "UseTheKeyThroughSecretsManager",
            &["kms:Decrypt", "kms:GenerateDataKey"],
            vec![arns.regional("kms", "key/*")],
        )
        .when(json!({
            "StringEquals": {
                format!("aws:ResourceTag/{}", env_core::tags::MANAGED_BY): env_core::tags::MANAGER_NAME,
                "kms:ViaService": format!("secretsmanager.{}.amazonaws.com", scope.region)
            }
        })),
        // ElastiCache encrypts at rest through a grant on the key (ElastiCache user guide,
        // "At-Rest Encryption in ElastiCache"); it does not support kms:ViaService, so the grant
        // is bound to AWS resources instead.
        Statement::allow("DescribeTheKey", &["kms:DescribeKey"], vec![arns.regional("kms", "key/*")])
            .when(tagged()),
        Statement::allow("GrantsForElastiCache", &["kms:CreateGrant"], vec![arns.regional("kms", "key/*")]).when(json!({
            "StringEquals": {
                format!("aws:ResourceTag/{}", env_core::tags::MANAGED_BY): env_core::tags::MANAGER_NAME
            },
            "Bool": {"kms:GrantIsForAWSResource": "true"}
        })),
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
        service_linked_roles(
            scope,
            &[("elasticache.amazonaws.com", "AWSServiceRoleForElastiCache")],
        ),
    ]
}
