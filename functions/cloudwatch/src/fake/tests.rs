//! The in-memory CloudWatch answers as CloudWatch does.

use super::*;
use crate::{AlarmMetric, Comparison, MissingData, Statistic};

fn alarm(name: &str) -> Alarm {
    Alarm {
        name: name.into(),
        description: "CPU".into(),
        metric: AlarmMetric::Single {
            namespace: "AWS/ECS".into(),
            name: "CPUUtilization",
            dimensions: Vec::new(),
            statistic: Statistic::Average,
        },
        period_seconds: 60,
        evaluation_periods: 3,
        threshold: 80.0,
        comparison: Comparison::GreaterThan,
        missing_data: MissingData::Missing,
    }
}

#[tokio::test]
async fn alarms_are_put_replaced_listed_by_prefix_and_deleted() {
    let recorder = SharedRecorder::default();
    let cloudwatch = FakeCloudWatch::new(recorder.clone());
    let tags = [Tag {
        key: "Environment",
        value: "pr-42".into(),
    }];
    cloudwatch
        .put_alarm(&alarm("alarm-ecs-cpu-pr-42"), "arn:old", &[])
        .await
        .unwrap();
    cloudwatch
        .put_alarm(&alarm("alarm-ecs-cpu-pr-42"), "arn:topic", &tags)
        .await
        .unwrap();
    cloudwatch
        .put_alarm(&alarm("other-alarm"), "arn:topic", &[])
        .await
        .unwrap();
    {
        let world = cloudwatch.world();
        let stored = &world.alarms["alarm-ecs-cpu-pr-42"];
        assert_eq!(stored.topic_arn, "arn:topic");
        assert_eq!(stored.tags, tags);
    }
    assert_eq!(
        cloudwatch.alarm_names("alarm-").await.unwrap(),
        ["alarm-ecs-cpu-pr-42"]
    );
    cloudwatch
        .delete_alarms(&["alarm-ecs-cpu-pr-42".into(), "gone".into()])
        .await
        .unwrap();
    assert!(cloudwatch.alarm_names("alarm-").await.unwrap().is_empty());
    assert_eq!(
        recorder.lock().changes,
        [
            "PutMetricAlarm",
            "PutMetricAlarm",
            "PutMetricAlarm",
            "DeleteAlarms"
        ]
    );
}

#[tokio::test]
async fn more_than_100_names_in_one_delete_are_refused_and_delete_nothing() {
    let recorder = SharedRecorder::default();
    let cloudwatch = FakeCloudWatch::new(recorder.clone());
    let names: Vec<String> = (0..=100).map(|n| format!("alarm-{n}")).collect();
    for name in &names {
        cloudwatch.put_alarm(&alarm(name), "t", &[]).await.unwrap();
    }
    let error = cloudwatch.delete_alarms(&names).await.unwrap_err();
    assert!(error.is_code("ValidationError"));
    assert_eq!(cloudwatch.world().alarms.len(), 101);
    assert_eq!(recorder.lock().count("DeleteAlarms"), 0);
    cloudwatch.delete_alarms(&names[..100]).await.unwrap();
    assert_eq!(cloudwatch.world().alarms.len(), 1);
}

#[tokio::test]
async fn a_dashboard_is_known_by_its_exact_name_replaced_and_deleted() {
    let cloudwatch = FakeCloudWatch::default();
    cloudwatch
        .world()
        .dashboards
        .insert("dashboard-pr-420".into(), "{}".into());
    assert!(!cloudwatch
        .dashboard_exists("dashboard-pr-42")
        .await
        .unwrap());
    cloudwatch
        .put_dashboard("dashboard-pr-42", "{}")
        .await
        .unwrap();
    cloudwatch
        .put_dashboard("dashboard-pr-42", "{\"widgets\":[]}")
        .await
        .unwrap();
    assert!(cloudwatch
        .dashboard_exists("dashboard-pr-42")
        .await
        .unwrap());
    assert_eq!(
        cloudwatch.world().dashboards["dashboard-pr-42"],
        "{\"widgets\":[]}"
    );
    cloudwatch
        .delete_dashboard("dashboard-pr-42")
        .await
        .unwrap();
    assert!(!cloudwatch
        .dashboard_exists("dashboard-pr-42")
        .await
        .unwrap());
    assert_eq!(cloudwatch.world().dashboards.len(), 1);
}

#[tokio::test]
async fn a_fault_injected_in_the_shared_recorder_reaches_the_cloudwatch_call() {
    let recorder = SharedRecorder::default();
    let cloudwatch = FakeCloudWatch::new(recorder.clone());
    for operation in [
        "DescribeAlarms",
        "PutMetricAlarm",
        "DeleteAlarms",
        "ListDashboards",
        "PutDashboard",
        "DeleteDashboards",
    ] {
        recorder.lock().fail(operation, "Throttling");
    }
    let error = cloudwatch.alarm_names("alarm-").await.unwrap_err();
    assert!(error.is_code("Throttling"));
    assert!(cloudwatch.put_alarm(&alarm("a"), "t", &[]).await.is_err());
    assert!(cloudwatch.delete_alarms(&["a".into()]).await.is_err());
    assert!(cloudwatch.dashboard_exists("d").await.is_err());
    assert!(cloudwatch.put_dashboard("d", "{}").await.is_err());
    assert!(cloudwatch.delete_dashboard("d").await.is_err());
    assert!(cloudwatch.world().alarms.is_empty() && cloudwatch.world().dashboards.is_empty());
    assert!(recorder.lock().changes.is_empty());
    assert!(recorder.lock().faults_answered());
}
