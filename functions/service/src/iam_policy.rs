//! The IAM policy of the service function's role (`catalog-fn-service`), beside the function it
//! authorizes: `envctl deploy` writes it with the logging every function gets (bootstrap/deploy,
//! `policies`), and the integration test `permissions` proves it against every request the function
//! makes (tests/iam).
//!
//! The service function: the ECS cluster, task definition and service, the service's log group,
//! its execution, task and infrastructure roles, the Cloud Map namespace and service, and the
//! service's autoscaling.

use env_core::arn::unscoped;
use env_core::arn::ArnScope;
use env_core::naming::{AwsLogGroup, NameKind};
use env_core::policy::{
    any, own_roles, service_linked_roles, tagged, tagged_at_creation, Arns, Statement,
};
use serde_json::json;

pub fn statements(scope: &ArnScope) -> Vec<Statement> {
    let arns = Arns::new(scope);
    let mut statements = ecs(&arns);
    statements.extend(log_groups(&arns));
    statements.extend(discovery(&arns));
    statements.extend(scaling(&arns));
    statements.extend(roles(scope));
    statements
}

/// The cluster, its task definitions and the service.
fn ecs(arns: &Arns) -> Vec<Statement> {
    let cluster = NameKind::EcsCluster.wildcard();
    let ecs = vec![
        arns.regional("ecs", &format!("cluster/{cluster}")),
        arns.regional(
            "ecs",
            &format!("service/{cluster}/{}", NameKind::EcsService.wildcard()),
        ),
        arns.regional(
            "ecs",
            &format!("task-definition/{}:*", NameKind::TaskFamily.wildcard()),
        ),
    ];
    vec![
        Statement::allow(
            "Service",
            &[
                "ecs:CreateCluster",
                "ecs:DescribeClusters",
                "ecs:DeleteCluster",
                "ecs:RegisterTaskDefinition",
                "ecs:DeleteTaskDefinitions",
                "ecs:CreateService",
                "ecs:UpdateService",
                "ecs:DescribeServices",
                "ecs:DeleteService",
            ],
            ecs.clone(),
        ),
        // ECS developer guide, "Grant permission to tag resources on creation".
        Statement::allow("TagOnlyWhileCreating", &["ecs:TagResource"], ecs).when(json!({
            "StringEquals": {"ecs:CreateAction": ["CreateCluster", "RegisterTaskDefinition", "CreateService"]}
        })),
        // Task definitions are listed, read and deregistered by family and revision; these three
        // actions support no resource type.
        Statement::allow(
            "TaskDefinitionRevisions",
            &[
                "ecs:ListTaskDefinitions",
                "ecs:DescribeTaskDefinition",
                "ecs:DeregisterTaskDefinition",
            ],
            any(),
        ),
    ]
}

/// The service's log group and Container Insights' group, and finding them.
fn log_groups(arns: &Arns) -> Vec<Statement> {
    vec![
        Statement::allow(
            "ServiceLogGroup",
            &[
                "logs:CreateLogGroup",
                "logs:TagResource",
                // A group ECS made before the environment did gets the environment's key.
                "logs:AssociateKmsKey",
                "logs:PutRetentionPolicy",
                "logs:DeleteLogGroup",
            ],
            vec![
                arns.log_group(&NameKind::ServiceLogGroup.wildcard()),
                // Made before the cluster, so Container Insights does not make it without our
                // key. With and without ":*": IAM authorizes most CloudWatch Logs actions on a
                // group by its ARN with a trailing ":*", tagging without (Logs API reference,
                // LogGroup); a name that ends the pattern matches only one of them.
                arns.log_group(&AwsLogGroup::ContainerInsights.wildcard()),
                format!(
                    "{}:*",
                    arns.log_group(&AwsLogGroup::ContainerInsights.wildcard())
                ),
            ],
        ),
        Statement::allow("FindLogGroups", &["logs:DescribeLogGroups"], any()),
        Statement::allow(
            "ReadRolePolicies",
            &["iam:ListRolePolicies"],
            [
                NameKind::ExecutionRole,
                NameKind::TaskRole,
                NameKind::EcsInfrastructureRole,
            ]
            .iter()
            .map(|kind| arns.role(&kind.wildcard()))
            .collect(),
        ),
    ]
}

/// The Cloud Map namespace (a private hosted zone) and the service's discovery service.
fn discovery(arns: &Arns) -> Vec<Statement> {
    vec![
        // Cloud Map names namespaces and services by id: made tagged, changed only when tagged.
        Statement::allow(
            "NamespaceTagged",
            &[
                "servicediscovery:CreatePrivateDnsNamespace",
                "servicediscovery:TagResource",
            ],
            any(),
        )
        .when(tagged_at_creation()),
        Statement::allow(
            "OwnNamespaces",
            &[
                "servicediscovery:CreateService",
                "servicediscovery:DeleteNamespace",
            ],
            vec![arns.regional("servicediscovery", "namespace/*")],
        )
        .when(tagged()),
        // A Cloud Map service is named by id: made (tagged) and read in any namespace the
        // statement above allows, deleted only when it carries the backend's tag.
        Statement::allow(
            "DiscoveryServices",
            &[
                "servicediscovery:CreateService",
                "servicediscovery:GetService",
            ],
            vec![arns.regional("servicediscovery", "service/*")],
        ),
        Statement::allow(
            "DeleteOnlyTheBackendsDiscoveryServices",
            &["servicediscovery:DeleteService"],
            vec![arns.regional("servicediscovery", "service/*")],
        )
        .when(tagged()),
        Statement::allow(
            "FindNamespaces",
            &[
                "servicediscovery:ListNamespaces",
                "servicediscovery:ListServices",
            ],
            any(),
        ),
        // A private DNS namespace is a Route 53 private hosted zone in the VPC (Cloud Map developer
        // guide, "AWS Cloud Map API permissions reference", CreatePrivateDnsNamespace).
        Statement::allow(
            "NamespaceZone",
            &[
                "route53:CreateHostedZone",
                "route53:ListHostedZonesByName",
                "ec2:DescribeVpcs",
                "ec2:DescribeRegions",
            ],
            any(),
        ),
        Statement::allow(
            "NamespaceZoneRead",
            &["route53:GetHostedZone"],
            vec![unscoped("route53", "hostedzone/*")],
        ),
    ]
}

/// The service's autoscaling and the alarms its target tracking policy manages.
fn scaling(arns: &Arns) -> Vec<Statement> {
    let cluster = NameKind::EcsCluster.wildcard();
    vec![
        // Scalable targets are named by id and support no tag condition on these actions; the
        // namespace condition keeps them to ECS services.
        Statement::allow(
            "ScaleTheService",
            &[
                "application-autoscaling:RegisterScalableTarget",
                "application-autoscaling:PutScalingPolicy",
                "application-autoscaling:DeleteScalingPolicy",
                "application-autoscaling:DeregisterScalableTarget",
            ],
            vec![arns.regional("application-autoscaling", "scalable-target/*")],
        )
        .when(json!({"StringEquals": {"application-autoscaling:service-namespace": "ecs"}})),
        Statement::allow(
            "ReadScaling",
            &[
                "application-autoscaling:DescribeScalableTargets",
                "application-autoscaling:DescribeScalingPolicies",
            ],
            any(),
        ),
        // Application Auto Scaling user guide, "Identity-based policy examples": registering an ECS
        // service reads and updates it (the Service statement), and a target tracking policy
        // manages its own alarms, named `TargetTracking-service/<cluster>/<service>-…`.
        Statement::allow(
            "TargetTrackingAlarms",
            &[
                "cloudwatch:DescribeAlarms",
                "cloudwatch:PutMetricAlarm",
                "cloudwatch:DeleteAlarms",
            ],
            vec![arns.regional(
                "cloudwatch",
                &format!("alarm:TargetTracking-service/{cluster}/*"),
            )],
        ),
    ]
}

/// The service-linked roles ECS and Application Auto Scaling need, and the task's own roles.
fn roles(scope: &ArnScope) -> Vec<Statement> {
    let mut statements = vec![service_linked_roles(
        scope,
        &[
            ("ecs.amazonaws.com", "AWSServiceRoleForECS"),
            (
                "ecs.application-autoscaling.amazonaws.com",
                "AWSServiceRoleForApplicationAutoScaling_ECSService",
            ),
        ],
    )];
    statements.extend(own_roles(
        scope,
        "TaskRoles",
        &[
            (
                NameKind::ExecutionRole.wildcard(),
                "ecs-tasks.amazonaws.com",
            ),
            (NameKind::TaskRole.wildcard(), "ecs-tasks.amazonaws.com"),
            (
                NameKind::EcsInfrastructureRole.wildcard(),
                "ecs.amazonaws.com",
            ),
        ],
    ));
    statements
}
