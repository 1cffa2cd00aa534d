//! The plain alarms written as PutMetricAlarm's parameters, and CloudWatch's answers, built by
//! hand, read back.

use super::*;
use crate::MissingData;
use aws_sdk_cloudwatch::config::{BehaviorVersion, Region};

/// A request no test sends: only its parameters are read.
fn request() -> PutMetricAlarmFluentBuilder {
    let config = aws_sdk_cloudwatch::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-west-2"))
        .build();
    aws_sdk_cloudwatch::Client::from_conf(config).put_metric_alarm()
}

fn alarm(metric: AlarmMetric) -> Alarm {
    Alarm {
        name: "alarm-ecs-cpu-pr-42".into(),
        description: "CPU".into(),
        metric,
        period_seconds: 60,
        evaluation_periods: 3,
        threshold: 80.0,
        comparison: Comparison::GreaterThan,
        missing_data: MissingData::Missing,
    }
}

fn single(statistic: Statistic) -> Alarm {
    alarm(AlarmMetric::Single {
        namespace: "AWS/ECS".into(),
        name: "CPUUtilization",
        dimensions: vec![("ClusterName", "ecs-cluster-pr-42".into())],
        statistic,
    })
}

#[test]
fn a_single_metric_is_written_with_its_dimensions_and_statistic() {
    let written = with_metric(request(), &single(Statistic::Average));
    assert_eq!(written.get_namespace().as_deref(), Some("AWS/ECS"));
    assert_eq!(written.get_metric_name().as_deref(), Some("CPUUtilization"));
    assert_eq!(written.get_period(), &Some(60));
    assert_eq!(written.get_statistic(), &Some(cw::Statistic::Average));
    assert_eq!(written.get_extended_statistic(), &None);
    let dimension = &written.get_dimensions().as_ref().unwrap()[0];
    assert_eq!(dimension.name(), Some("ClusterName"));
    assert_eq!(dimension.value(), Some("ecs-cluster-pr-42"));
    for (statistic, name) in [
        (Statistic::Maximum, "Maximum"),
        (Statistic::Minimum, "Minimum"),
        (Statistic::Sum, "Sum"),
    ] {
        let written = with_metric(request(), &single(statistic));
        assert_eq!(written.get_statistic(), &Some(cw::Statistic::from(name)));
    }
}

#[test]
fn a_percentile_is_an_extended_statistic() {
    let written = with_metric(request(), &single(Statistic::P99));
    assert_eq!(written.get_extended_statistic().as_deref(), Some("p99"));
    assert_eq!(written.get_statistic(), &None);
}

#[test]
fn a_sum_over_series_is_metric_math_returning_only_the_total() {
    let sum = alarm(AlarmMetric::SumOf {
        namespace: "AWS/ApplicationELB",
        name: "HTTPCode_Target_5XX_Count",
        series: vec![
            vec![("TargetGroup", "targetgroup/tg-blue/1".into())],
            vec![("TargetGroup", "targetgroup/tg-green/2".into())],
        ],
        statistic: Statistic::Sum,
    });
    let written = with_metric(request(), &sum);
    let queries = written.get_metrics().as_ref().unwrap();
    let ids: Vec<&str> = queries.iter().filter_map(|q| q.id()).collect();
    assert_eq!(ids, ["m0", "m1", "total"]);
    let stat = queries[1].metric_stat().unwrap();
    assert_eq!((stat.period(), stat.stat()), (Some(60), Some("Sum")));
    let metric = stat.metric().unwrap();
    assert_eq!(metric.namespace(), Some("AWS/ApplicationELB"));
    assert_eq!(
        metric.dimensions()[0].value(),
        Some("targetgroup/tg-green/2")
    );
    assert_eq!(queries[0].return_data(), Some(false));
    assert_eq!(queries[2].expression(), Some("SUM(METRICS())"));
    assert_eq!(queries[2].label(), Some("HTTPCode_Target_5XX_Count"));
    assert_eq!(queries[2].return_data(), Some(true));
    assert_eq!(written.get_namespace(), &None);
}

#[test]
fn each_comparison_has_its_operator() {
    assert_eq!(
        comparison_operator(Comparison::GreaterThan),
        cw::ComparisonOperator::GreaterThanThreshold
    );
    assert_eq!(
        comparison_operator(Comparison::GreaterThanOrEqual),
        cw::ComparisonOperator::GreaterThanOrEqualToThreshold
    );
}

#[test]
fn the_alarm_names_of_every_page_are_read() {
    let named = |name: &str| cw::MetricAlarm::builder().alarm_name(name).build();
    let pages = vec![
        DescribeAlarmsOutput::builder()
            .metric_alarms(named("alarm-ecs-cpu-pr-42"))
            .metric_alarms(cw::MetricAlarm::builder().build())
            .build(),
        DescribeAlarmsOutput::builder().build(),
        DescribeAlarmsOutput::builder()
            .metric_alarms(named("alarm-rds-cpu-pr-42"))
            .build(),
    ];
    assert_eq!(
        alarm_names(pages),
        ["alarm-ecs-cpu-pr-42", "alarm-rds-cpu-pr-42"]
    );
}

#[test]
fn only_the_dashboard_of_exactly_that_name_counts() {
    let entry = |name: &str| cw::DashboardEntry::builder().dashboard_name(name).build();
    let listed = [
        entry("dashboard-pr-420"),
        cw::DashboardEntry::builder().build(),
    ];
    assert!(!has_dashboard(&listed, "dashboard-pr-42"));
    assert!(has_dashboard(
        &[entry("dashboard-pr-42")],
        "dashboard-pr-42"
    ));
}
