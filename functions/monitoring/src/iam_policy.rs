//! The IAM policy of the monitoring function's role (`catalog-fn-monitoring`), beside the function it
//! authorizes: `envctl deploy` writes it with the logging every function gets (bootstrap/deploy,
//! `policies`), and the integration test `permissions` proves it against every request the function
//! makes (tests/iam).
//!
//! The monitoring function: the alarms, the dashboard, the metric filters on the service's log
//! group and the alarm topic with its e-mail subscription.

use env_core::arn::ArnScope;
use env_core::naming::NameKind;
use env_core::policy::{any, Arns, Statement};

/// Every alarm name starts with `alarm-` (env-core's naming: `alarm-ecs-cpu-<suffix>`, …).
const ALARMS: &str = "alarm:alarm-*";

pub fn statements(scope: &ArnScope) -> Vec<Statement> {
    let arns = Arns::new(scope);
    let topic = arns.regional("sns", &NameKind::AlarmTopic.wildcard());
    vec![
        Statement::allow(
            "Alarms",
            &[
                "cloudwatch:PutMetricAlarm",
                // CloudWatch API reference, PutMetricAlarm, Tags: tagging on create needs it.
                "cloudwatch:TagResource",
                "cloudwatch:DeleteAlarms",
            ],
            vec![arns.regional("cloudwatch", ALARMS)],
        ),
        // A listing by name prefix is authorized on every alarm (CloudWatch API reference,
        // DescribeAlarms: "scoped to *"); it reads, never changes.
        Statement::allow(
            "FindAlarms",
            &["cloudwatch:DescribeAlarms"],
            vec![arns.regional("cloudwatch", "alarm:*")],
        ),
        Statement::allow(
            "Dashboard",
            &["cloudwatch:PutDashboard", "cloudwatch:DeleteDashboards"],
            vec![arns.global(
                "cloudwatch",
                &format!("dashboard/{}", NameKind::Dashboard.wildcard()),
            )],
        ),
        Statement::allow("FindDashboards", &["cloudwatch:ListDashboards"], any()),
        Statement::allow(
            "MetricFilters",
            &[
                "logs:PutMetricFilter",
                "logs:DescribeMetricFilters",
                "logs:DeleteMetricFilter",
            ],
            vec![arns.log_group(&NameKind::ServiceLogGroup.wildcard())],
        ),
        Statement::allow(
            "AlarmTopic",
            &[
                "sns:CreateTopic",
                // SNS API reference, CreateTopic, Tags: tagging on create needs sns:TagResource.
                "sns:TagResource",
                "sns:Subscribe",
                "sns:ListSubscriptionsByTopic",
                "sns:DeleteTopic",
            ],
            vec![topic],
        ),
        // Unsubscribe names a subscription, not a topic, and supports no resource type.
        Statement::allow(
            "Subscriptions",
            &["sns:Unsubscribe", "sns:ListTopics"],
            any(),
        ),
    ]
}
