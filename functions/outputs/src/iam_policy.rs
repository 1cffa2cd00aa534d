//! The IAM policy of the outputs function's role (`catalog-fn-outputs`), beside the function it
//! authorizes: `envctl deploy` writes it with the logging every function gets (bootstrap/deploy,
//! `policies`), and the integration test `permissions` proves it against every request the function
//! makes (tests/iam).
//!
//! The outputs function: reads only, of the environment's resources.

use env_core::arn::ArnScope;
use env_core::naming::NameKind;
use env_core::policy::{any, Arns, Statement};

pub fn statements(scope: &ArnScope) -> Vec<Statement> {
    let arns = Arns::new(scope);
    let cluster = NameKind::EcsCluster.wildcard();
    vec![
        Statement::allow(
            "ReadTheEnvironment",
            &[
                "rds:DescribeDBClusters",
                "elasticache:DescribeReplicationGroups",
                "elasticache:DescribeServerlessCaches",
                "ecs:DescribeClusters",
                "ecs:DescribeServices",
                "secretsmanager:DescribeSecret",
                "servicediscovery:GetService",
            ],
            vec![
                arns.regional(
                    "rds",
                    &format!("cluster:{}", NameKind::AuroraCluster.wildcard()),
                ),
                arns.regional(
                    "elasticache",
                    &format!(
                        "replicationgroup:{}",
                        NameKind::CacheReplicationGroup.wildcard()
                    ),
                ),
                arns.regional(
                    "elasticache",
                    &format!("serverlesscache:{}", NameKind::ServerlessCache.wildcard()),
                ),
                arns.regional("ecs", &format!("cluster/{cluster}")),
                arns.regional(
                    "ecs",
                    &format!("service/{cluster}/{}", NameKind::EcsService.wildcard()),
                ),
                arns.regional("secretsmanager", "secret:secret-*"),
                arns.regional("secretsmanager", "secret:rds!cluster-*"),
                arns.regional("servicediscovery", "service/*"),
            ],
        ),
        // These reads support no resource type (Service Authorization Reference).
        Statement::allow(
            "ListTheEnvironment",
            &[
                "ec2:DescribeVpcs",
                "ec2:DescribeSubnets",
                "elasticloadbalancing:DescribeLoadBalancers",
                "logs:DescribeLogGroups",
                "servicediscovery:ListNamespaces",
                "servicediscovery:ListServices",
                "sns:ListTopics",
                "cloudwatch:ListDashboards",
            ],
            any(),
        ),
    ]
}
