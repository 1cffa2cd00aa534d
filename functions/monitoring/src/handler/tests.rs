//! The handler against the capabilities' in-memory CloudWatch, CloudWatch Logs and SNS, which
//! behave as AWS documents: upserts replace, a missing log group is ResourceNotFoundException, and
//! any call can be made to fail.

use super::*;
use crate::plan::tests::{outputs, spec};
use cloudwatch::fake::{FakeCloudWatch, StoredAlarm};
use env_core::recorder::SharedRecorder;
use log_groups::fake::{FakeLogGroups, StoredLogGroup};
use serde_json::{json, Value};
use sns::fake::{FakeSns, StoredSubscription};

/// The fakes of the three capabilities, every call of all three in one recorder.
#[derive(Debug)]
struct Fake {
    recorder: SharedRecorder,
    sns: FakeSns,
    cloudwatch: FakeCloudWatch,
    logs: FakeLogGroups,
}

impl Default for Fake {
    fn default() -> Self {
        let recorder = SharedRecorder::default();
        Fake {
            sns: FakeSns::new(recorder.clone()),
            cloudwatch: FakeCloudWatch::new(recorder.clone()),
            logs: FakeLogGroups::new(recorder.clone()),
            recorder,
        }
    }
}

impl Fake {
    fn with_log_group() -> Self {
        let fake = Fake::default();
        let group = StoredLogGroup {
            kms_key_arn: None,
            retention_days: Some(14),
            tags: Vec::new(),
        };
        fake.logs.groups().insert("ecs-logs-pr-42".into(), group);
        fake
    }
}

impl Cloud for Fake {
    env_core::capabilities! {
        Sns = FakeSns => sns(sns),
        CloudWatch = FakeCloudWatch => cloudwatch(cloudwatch),
        Logs = FakeLogGroups => logs(logs),
    }
}

fn request(action: Action, extra_spec: Value) -> Request {
    Request {
        action,
        spec: spec(extra_spec),
        outputs: outputs(),
        started_at: std::time::SystemTime::now(),
    }
}

async fn run(fake: &Fake, action: Action, extra_spec: Value) -> Result<Response, MonitoringError> {
    handle(request(action, extra_spec), fake).await
}

fn alarm(name: &str) -> StoredAlarm {
    let mut template = plan::alarms(&spec(json!({})), &crate::plan::tests::inputs()).remove(0);
    template.name = name.to_owned();
    StoredAlarm {
        alarm: template,
        topic_arn: "arn:aws:sns:us-west-2:123456789012:old".to_owned(),
        tags: Vec::new(),
    }
}

#[tokio::test]
async fn create_from_nothing_puts_every_part_in_place() {
    let fake = Fake::with_log_group();
    let response = run(
        &fake,
        Action::Create,
        json!({"alarmEmail": "oncall@example.com"}),
    )
    .await
    .unwrap();
    assert_eq!(response.status, Status::Ready);
    let typed: env_core::outputs::MonitoringOutputs =
        env_core::outputs::example::read_as(&response.outputs);
    assert_eq!(typed.dashboard_name, response.outputs["dashboardName"]);
    let topic_arn = "arn:aws:sns:us-west-2:123456789012:alarms-pr-42";
    assert_eq!(response.outputs["alarmTopicArn"], topic_arn);
    assert_eq!(response.outputs["dashboardName"], "dashboard-pr-42");
    assert_eq!(response.outputs["metricNamespace"], "catalog-api-pr-42");
    assert_eq!(response.outputs["alarmCount"], 16);
    let topics = fake.sns.world();
    assert_eq!(
        topics.topic("alarms-pr-42").unwrap().kms_key,
        "arn:aws:kms:us-west-2:123456789012:key/1234"
    );
    assert_eq!(
        topics.subscriptions,
        [StoredSubscription {
            topic_arn: topic_arn.to_owned(),
            email: "oncall@example.com".to_owned(),
            confirmed: true
        }]
    );
    let filters = fake.logs.metric_filters();
    let filters = &filters["ecs-logs-pr-42"];
    assert_eq!(
        filters.keys().collect::<Vec<_>>(),
        ["metric-response-time-pr-42", "metric-server-errors-pr-42"]
    );
    let state = fake.cloudwatch.world();
    assert_eq!(state.alarms.len(), 16);
    assert!(state
        .alarms
        .values()
        .all(|alarm| alarm.topic_arn == topic_arn));
    let memory = state
        .alarms
        .keys()
        .filter(|name| name.starts_with("alarm-redis-memory-"))
        .count();
    assert_eq!(memory, 4);
    assert!(state.dashboards.contains_key("dashboard-pr-42"));
}

#[tokio::test]
async fn create_again_or_resumed_converges_without_duplicates() {
    let fake = Fake::with_log_group();
    {
        // A create that stopped half-way, on a cache that was bigger then, next to another environment.
        let mut state = fake.cloudwatch.world();
        for name in [
            "alarm-ecs-cpu-pr-42",
            "alarm-redis-memory-pr-42-0003-001",
            "alarm-ecs-cpu-pr-420",
        ] {
            state.alarms.insert(name.to_owned(), alarm(name));
        }
    }
    let email = json!({"alarmEmail": "oncall@example.com"});
    run(&fake, Action::Create, email.clone()).await.unwrap();
    run(&fake, Action::Create, email).await.unwrap();
    assert_eq!(fake.recorder.lock().count("Subscribe"), 1);
    assert_eq!(fake.recorder.lock().count("CreateTopic"), 1);
    assert_eq!(fake.sns.world().subscriptions.len(), 1);
    assert_eq!(fake.sns.world().topics.len(), 1);
    let state = fake.cloudwatch.world();
    assert!(!state
        .alarms
        .contains_key("alarm-redis-memory-pr-42-0003-001"));
    assert!(state.alarms.contains_key("alarm-ecs-cpu-pr-420"));
    assert_eq!(state.alarms.len(), 16 + 1);
    assert_eq!(
        state.alarms["alarm-ecs-cpu-pr-42"].topic_arn,
        "arn:aws:sns:us-west-2:123456789012:alarms-pr-42"
    );
    assert_eq!(fake.logs.metric_filters()["ecs-logs-pr-42"].len(), 2);
    assert_eq!(state.dashboards.len(), 1);
}

#[tokio::test]
async fn asleep_the_per_node_cache_alarms_go_and_awake_again_they_come_back() {
    let fake = Fake::with_log_group();
    let alarm_names =
        |fake: &Fake| -> Vec<String> { fake.cloudwatch.world().alarms.keys().cloned().collect() };
    run(&fake, Action::Create, json!({})).await.unwrap();
    let awake = alarm_names(&fake);
    assert_eq!(awake.len(), 16);
    let dashboard = fake.cloudwatch.world().dashboards["dashboard-pr-42"].clone();

    // The sleeping environment's cache has no node; everything else converges as before.
    let mut asleep = request(Action::Create, json!({"asleep": true}));
    asleep.outputs["cache"]["cacheNodeIds"] = json!([]);
    asleep.outputs["cache"]["cacheConfigurationEndpoint"] = json!("");
    let slept = handle(asleep.clone(), &fake).await.unwrap();
    assert_eq!(slept.status, Status::Ready);
    assert_eq!(slept.outputs["alarmCount"], 8);
    let sleeping = alarm_names(&fake);
    assert_eq!(sleeping.len(), 8);
    assert!(sleeping
        .iter()
        .all(|name| !name.starts_with("alarm-redis-")));
    assert!(sleeping.iter().all(|name| awake.contains(name)));
    assert_eq!(fake.logs.metric_filters()["ecs-logs-pr-42"].len(), 2);
    assert_eq!(
        fake.cloudwatch.world().dashboards["dashboard-pr-42"],
        dashboard,
        "the dashboard stays as it was"
    );
    asleep.action = Action::Status;
    assert_eq!(handle(asleep.clone(), &fake).await.unwrap(), slept);
    // Again asleep: nothing more to remove.
    asleep.action = Action::Create;
    let deletions = fake.recorder.lock().count("DeleteAlarms");
    handle(asleep, &fake).await.unwrap();
    assert_eq!(fake.recorder.lock().count("DeleteAlarms"), deletions);

    // Awake again: the per-node alarms are back, and `status` is READY with all of them.
    run(&fake, Action::Create, json!({})).await.unwrap();
    assert_eq!(alarm_names(&fake), awake);
    let status = run(&fake, Action::Status, json!({})).await.unwrap();
    assert_eq!(status.status, Status::Ready);
    assert_eq!(status.outputs["alarmCount"], 16);
}

/// A request for a spec with `cacheMode: serverless` and the serverless cache's outputs.
fn serverless(action: Action, extra_spec: Value) -> Request {
    let mut spec_fields = json!({"cacheMode": "serverless"});
    spec_fields
        .as_object_mut()
        .unwrap()
        .extend(extra_spec.as_object().unwrap().clone());
    Request {
        outputs: crate::plan::tests::serverless_outputs(),
        ..request(action, spec_fields)
    }
}

#[tokio::test]
async fn a_switch_to_a_serverless_cache_keeps_two_cache_alarms_on_its_name() {
    let fake = Fake::with_log_group();
    run(&fake, Action::Create, json!({})).await.unwrap();
    assert_eq!(fake.cloudwatch.world().alarms.len(), 16);

    // The cluster's 8 node alarms give way to the serverless cache's 2, on the virtual node's names.
    let created = handle(serverless(Action::Create, json!({})), &fake)
        .await
        .unwrap();
    assert_eq!(created.outputs["alarmCount"], 10);
    {
        let state = fake.cloudwatch.world();
        assert_eq!(state.alarms.len(), 10);
        let storage = &state.alarms["alarm-redis-memory-pr-42-0001-001"].alarm;
        assert_eq!(storage.threshold, 4_000_000_000.0);
        assert!(
            matches!(&storage.metric, cloudwatch::AlarmMetric::Single { dimensions, .. } if dimensions == &[("clusterId", "valkey-pr-42".to_owned())]),
            "{storage:?}"
        );
        let dashboard = &state.dashboards["dashboard-pr-42"];
        assert!(
            dashboard.contains("ElastiCacheProcessingUnits"),
            "{dashboard}"
        );
    }
    let status = handle(serverless(Action::Status, json!({})), &fake)
        .await
        .unwrap();
    assert_eq!(status, created);

    // Asleep the serverless cache is deleted and its two alarms go; awake they come back.
    let asleep = handle(serverless(Action::Create, json!({"asleep": true})), &fake)
        .await
        .unwrap();
    assert_eq!(asleep.outputs["alarmCount"], 8);
    assert_eq!(fake.cloudwatch.world().alarms.len(), 8);
    handle(serverless(Action::Create, json!({})), &fake)
        .await
        .unwrap();
    assert_eq!(fake.cloudwatch.world().alarms.len(), 10);

    // Without the serverless cache's name nothing is called.
    let calls = fake.recorder.lock().calls.len();
    let mut nameless = serverless(Action::Create, json!({}));
    nameless.outputs["cache"] = json!({"mode": "serverless"});
    let error = handle(nameless, &fake).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::InvalidEvent);
    assert_eq!(fake.recorder.lock().calls.len(), calls);

    // Back to the cluster: the 2 become node 0001-001's, the other 6 node alarms return.
    run(&fake, Action::Create, json!({})).await.unwrap();
    let state = fake.cloudwatch.world();
    assert_eq!(state.alarms.len(), 16);
    assert_eq!(
        state.alarms["alarm-redis-memory-pr-42-0001-001"]
            .alarm
            .threshold,
        80.0
    );
}

#[tokio::test]
async fn the_topic_mails_only_the_current_alarm_email() {
    let fake = Fake::with_log_group();
    let topic = "arn:aws:sns:us-west-2:123456789012:alarms-pr-42";
    run(
        &fake,
        Action::Create,
        json!({"alarmEmail": "old@example.com"}),
    )
    .await
    .unwrap();
    // Someone subscribed by hand and never confirmed: it cannot be deleted, and lapses by itself.
    fake.sns.world().subscriptions.push(StoredSubscription {
        topic_arn: topic.into(),
        email: "unconfirmed@example.com".into(),
        confirmed: false,
    });

    run(
        &fake,
        Action::Create,
        json!({"alarmEmail": "new@example.com"}),
    )
    .await
    .unwrap();
    let emails = |fake: &Fake| -> Vec<String> {
        let state = fake.sns.world();
        state
            .subscriptions
            .iter()
            .map(|s| s.email.clone())
            .collect()
    };
    assert_eq!(
        emails(&fake),
        ["unconfirmed@example.com", "new@example.com"]
    );
    assert_eq!(fake.recorder.lock().count("Unsubscribe"), 1);

    // Without an alarmEmail nobody is mailed.
    run(&fake, Action::Create, json!({})).await.unwrap();
    assert_eq!(emails(&fake), ["unconfirmed@example.com"]);
    assert_eq!(fake.recorder.lock().count("Subscribe"), 2);

    fake.recorder
        .lock()
        .fail("Unsubscribe", "AuthorizationError");
    fake.sns.world().subscriptions.push(StoredSubscription {
        topic_arn: topic.into(),
        email: "other@example.com".into(),
        confirmed: true,
    });
    let error = run(&fake, Action::Create, json!({})).await.unwrap_err();
    assert!(error.to_string().contains("Unsubscribe"), "{error}");
}

#[tokio::test]
async fn throttling_is_retryable() {
    let fake = Fake::with_log_group();
    fake.recorder.lock().fail("PutMetricAlarm", "Throttling");
    let error = run(&fake, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert!(
        error
            .to_string()
            .starts_with("PutMetricAlarm failed: Throttling"),
        "{error}"
    );
}

#[tokio::test]
async fn a_missing_input_is_an_invalid_event_and_nothing_is_called() {
    let fake = Fake::with_log_group();
    let mut request = request(Action::Create, json!({}));
    request.outputs["cache"]
        .as_object_mut()
        .unwrap()
        .remove("cacheReplicationGroupId");
    let error = handle(request, &fake).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::InvalidEvent);
    assert_eq!(
        error.to_string(),
        "outputs.cache: are malformed: missing field `cacheReplicationGroupId`; the cache component provides them"
    );
    assert!(fake.recorder.lock().calls.is_empty());
}

#[tokio::test]
async fn a_log_group_that_does_not_exist_fails_the_create() {
    let fake = Fake::default();
    let error = run(&fake, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
    assert!(
        error.to_string().contains("ResourceNotFoundException"),
        "{error}"
    );
}

#[tokio::test]
async fn status_is_ready_when_everything_exists_and_deleted_when_nothing_does() {
    let fake = Fake::with_log_group();
    let nothing = run(&fake, Action::Status, json!({})).await.unwrap();
    assert_eq!(nothing.status, Status::Deleted);
    assert!(nothing.outputs.is_empty());
    run(&fake, Action::Create, json!({})).await.unwrap();
    let ready = run(&fake, Action::Status, json!({})).await.unwrap();
    assert_eq!(ready.status, Status::Ready);
    assert_eq!(ready.outputs["alarmCount"], 16);
    assert_eq!(
        ready.outputs["alarmTopicArn"],
        "arn:aws:sns:us-west-2:123456789012:alarms-pr-42"
    );
}

#[tokio::test]
async fn status_names_what_is_missing_when_only_part_exists() {
    let fake = Fake::with_log_group();
    run(&fake, Action::Create, json!({})).await.unwrap();
    {
        let mut state = fake.cloudwatch.world();
        state.alarms.remove("alarm-redis-cpu-pr-42-0002-002");
        fake.sns.world().topics.clear();
    }
    let error = run(&fake, Action::Status, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert_eq!(
        error.to_string(),
        "the monitoring of this environment is incomplete; missing: alarms-pr-42, alarm-redis-cpu-pr-42-0002-002"
    );
    // The topic back but the dashboard gone: still incomplete.
    fake.cloudwatch.world().dashboards.clear();
    run(&fake, Action::Create, json!({})).await.unwrap();
    fake.cloudwatch.world().dashboards.clear();
    let error = run(&fake, Action::Status, json!({})).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "the monitoring of this environment is incomplete; missing: dashboard-pr-42"
    );
}

#[tokio::test]
async fn delete_removes_everything_and_leaves_other_environments_alone() {
    let fake = Fake::with_log_group();
    run(
        &fake,
        Action::Create,
        json!({"alarmEmail": "oncall@example.com"}),
    )
    .await
    .unwrap();
    fake.cloudwatch
        .world()
        .alarms
        .insert("alarm-ecs-cpu-pr-420".into(), alarm("alarm-ecs-cpu-pr-420"));
    let response = run(&fake, Action::Delete, json!({})).await.unwrap();
    assert_eq!(response.status, Status::Deleted);
    assert!(fake.sns.world().topics.is_empty());
    assert!(fake.sns.world().subscriptions.is_empty());
    assert!(fake.logs.metric_filters()["ecs-logs-pr-42"].is_empty());
    let state = fake.cloudwatch.world();
    assert_eq!(
        state.alarms.keys().collect::<Vec<_>>(),
        ["alarm-ecs-cpu-pr-420"]
    );
    assert!(state.dashboards.is_empty());
}

#[tokio::test]
async fn delete_resumed_after_a_partial_delete_finishes_the_job() {
    let fake = Fake::with_log_group();
    run(&fake, Action::Create, json!({})).await.unwrap();
    {
        // A delete that stopped after the alarms and the dashboard; then the service removed its log group.
        let mut state = fake.cloudwatch.world();
        state.alarms.clear();
        state.dashboards.clear();
        fake.logs.groups().clear();
    }
    let response = run(&fake, Action::Delete, json!({})).await.unwrap();
    assert_eq!(response.status, Status::Deleted);
    assert!(fake.sns.world().topics.is_empty());
    assert!(!fake.recorder.lock().calls.contains(&"DeleteMetricFilter"));
    // And once more, on nothing at all.
    let again = run(&fake, Action::Delete, json!({})).await.unwrap();
    assert_eq!(again.status, Status::Deleted);
    assert_eq!(fake.recorder.lock().count("DeleteTopic"), 1);
}

#[tokio::test]
async fn delete_without_outputs_finds_the_log_group_by_name() {
    let fake = Fake::with_log_group();
    run(&fake, Action::Create, json!({})).await.unwrap();
    let mut request = request(Action::Delete, json!({}));
    request.outputs = Outputs::new();
    handle(request, &fake).await.unwrap();
    assert!(fake.logs.metric_filters()["ecs-logs-pr-42"].is_empty());
}

#[tokio::test]
async fn alarms_are_deleted_in_batches_of_100() {
    let fake = Fake::with_log_group();
    // 40 shards of 3 nodes: 120 nodes, 240 node alarms, 248 in all.
    let big = json!({"cacheShards": 40, "cacheReplicasPerShard": 2});
    let created = run(&fake, Action::Create, big.clone()).await.unwrap();
    assert_eq!(created.outputs["alarmCount"], 248);
    run(&fake, Action::Delete, big).await.unwrap();
    assert_eq!(fake.recorder.lock().count("DeleteAlarms"), 3);
    assert!(fake.cloudwatch.world().alarms.is_empty());
}

#[tokio::test]
async fn an_access_error_listing_filters_is_not_mistaken_for_a_missing_log_group() {
    let fake = Fake::with_log_group();
    fake.recorder
        .lock()
        .fail("DescribeMetricFilters", "AccessDeniedException");
    let error = run(&fake, Action::Delete, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
}
