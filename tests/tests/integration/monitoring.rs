//! The monitoring function against moto: metric filters on the service's log group, the encrypted
//! alarm topic, every alarm with its action, the dashboard, the per-node cache alarms of a
//! sleeping environment removed and restored on waking, and a delete that leaves nothing.
//! CloudWatch goes through the harness's CBOR proxy (aws-sdk-cloudwatch speaks only RPC v2 CBOR).

use aws_sdk_cloudwatch::types::MetricAlarm;
use env_core::naming::{NameKind, Names};
use env_core::spec::EnvironmentSuffix;
use integration_tests::emulator::emulator;
use integration_tests::functions::{handed_on, invoke, Invocation};
use integration_tests::unique_suffix;
use serde_json::{json, Value};

const KMS_KEY: &str = "arn:aws:kms:us-west-2:123456789012:key/0b6e5cb1-2e2b-4f4d-9a43-111111111111";

fn spec(suffix: &EnvironmentSuffix, extra: Value) -> Value {
    let mut spec = json!({
        "environmentSuffix": suffix.as_str(),
        "containerImage": "nginx",
        "selfSignedCertificate": true
    });
    spec.as_object_mut()
        .expect("a JSON object")
        .extend(extra.as_object().expect("a JSON object").clone());
    spec
}

/// What the earlier components hand on, for identifiers moto does not need to hold.
fn outputs(suffix: &EnvironmentSuffix) -> Value {
    json!({
        "serviceLogGroup": format!("ecs-logs-{suffix}"),
        "clusterName": format!("ecs-cluster-{suffix}"),
        "serviceName": format!("ecs-service-{suffix}"),
        "loadBalancerArnSuffix": format!("app/alb-{suffix}/50dc6c495c0c9188"),
        "targetGroupArnSuffixes": [
            format!("targetgroup/tg-blue-{suffix}/1111111111111111"),
            format!("targetgroup/tg-green-{suffix}/2222222222222222")
        ],
        "dbClusterIdentifier": format!("aurora-{suffix}"),
        "cacheReplicationGroupId": format!("redis-{suffix}"),
        "kmsKeyArn": KMS_KEY
    })
}

fn run(action: &str, suffix: &EnvironmentSuffix, extra: Value) -> Invocation {
    let event = json!({"action": action, "spec": spec(suffix, extra), "outputs": handed_on(&outputs(suffix))});
    invoke("monitoring", &event, &emulator().env())
}

/// The service's log group as the service function makes it: 14 days of retention.
async fn service_log_group(suffix: &EnvironmentSuffix) -> String {
    let logs = aws_sdk_cloudwatchlogs::Client::new(&emulator().sdk_config().await);
    let name = Names::new(suffix).of(NameKind::ServiceLogGroup);
    logs.create_log_group()
        .log_group_name(&name)
        .send()
        .await
        .expect("the emulator answers");
    logs.put_retention_policy()
        .log_group_name(&name)
        .retention_in_days(14)
        .send()
        .await
        .expect("the emulator answers");
    name
}

async fn alarms_of(suffix: &EnvironmentSuffix) -> Vec<MetricAlarm> {
    let names = Names::new(suffix);
    emulator()
        .cloudwatch()
        .await
        .describe_alarms()
        .alarm_name_prefix("alarm-")
        .send()
        .await
        .expect("the emulator answers")
        .metric_alarms()
        .iter()
        .filter(|alarm| names.owns_alarm(alarm.alarm_name().unwrap_or_default()))
        .cloned()
        .collect()
}

fn named<'a>(alarms: &'a [MetricAlarm], name: &str) -> &'a MetricAlarm {
    alarms
        .iter()
        .find(|alarm| alarm.alarm_name() == Some(name))
        .unwrap_or_else(|| panic!("no alarm {name}"))
}

/// Everything the function made, as text, to compare before and after a second create.
async fn snapshot(suffix: &EnvironmentSuffix, log_group: &str) -> String {
    let config = emulator().sdk_config().await;
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let sns = aws_sdk_sns::Client::new(&config);
    let filters = logs
        .describe_metric_filters()
        .log_group_name(log_group)
        .send()
        .await
        .expect("the emulator answers");
    let mut alarms: Vec<String> = alarms_of(suffix)
        .await
        .into_iter()
        .map(|alarm| {
            format!(
                "{:?} {:?} {:?} {:?} {:?} {:?} {:?}",
                alarm.alarm_name(),
                alarm.threshold(),
                alarm.dimensions(),
                alarm.alarm_actions(),
                alarm.treat_missing_data(),
                alarm.alarm_description(),
                alarm.metrics().len()
            )
        })
        .collect();
    alarms.sort();
    let dashboard = emulator()
        .cloudwatch()
        .await
        .get_dashboard()
        .dashboard_name(format!("dashboard-{suffix}"))
        .send()
        .await
        .expect("the emulator answers");
    let topics = sns
        .list_topics()
        .send()
        .await
        .expect("the emulator answers");
    let topics: Vec<&str> = topics
        .topics()
        .iter()
        .filter_map(|topic| topic.topic_arn())
        .filter(|arn| arn.ends_with(&format!(":alarms-{suffix}")))
        .collect();
    let emails = subscribed_emails(&sns, topics[0]).await;
    format!(
        "{:?}\n{alarms:?}\n{:?}\n{topics:?}\n{emails:?}",
        filters.metric_filters(),
        dashboard.dashboard_body(),
    )
}

/// The addresses the topic mails.
async fn subscribed_emails(sns: &aws_sdk_sns::Client, topic_arn: &str) -> Vec<String> {
    let subscriptions = sns
        .list_subscriptions_by_topic()
        .topic_arn(topic_arn)
        .send()
        .await
        .expect("the emulator answers");
    subscriptions
        .subscriptions()
        .iter()
        .filter_map(|s| s.endpoint())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn create_puts_filters_topic_alarms_and_dashboard_in_place_and_delete_leaves_nothing() {
    let suffix = unique_suffix();
    let log_group = service_log_group(&suffix).await;
    let config = emulator().sdk_config().await;
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let sns = aws_sdk_sns::Client::new(&config);
    let email = json!({"alarmEmail": "oncall@example.com"});

    let created = run("create", &suffix, email.clone());
    assert!(created.success, "{} {}", created.body, created.stderr);
    assert_eq!(created.body["status"], "READY");
    let topic_arn = created.body["outputs"]["alarmTopicArn"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(created.body["outputs"]["alarmCount"], 16);

    // The service's request logs: 14 days, and turned into metrics in the environment's namespace.
    let groups = logs
        .describe_log_groups()
        .log_group_name_prefix(&log_group)
        .send()
        .await
        .unwrap();
    assert_eq!(groups.log_groups()[0].retention_in_days(), Some(14));
    let filters = logs
        .describe_metric_filters()
        .log_group_name(&log_group)
        .send()
        .await
        .unwrap();
    let filters = filters.metric_filters();
    assert_eq!(filters.len(), 2);
    let response_time = filters
        .iter()
        .find(|f| f.filter_name() == Some(format!("metric-response-time-{suffix}").as_str()))
        .unwrap();
    assert_eq!(
        response_time.filter_pattern(),
        Some("{ $.responseTimeMs >= 0 }")
    );
    let transformation = &response_time.metric_transformations()[0];
    assert_eq!(transformation.metric_name(), "ResponseTime");
    assert_eq!(
        transformation.metric_namespace(),
        format!("catalog-api-{suffix}")
    );
    assert_eq!(transformation.metric_value(), "$.responseTimeMs");
    let errors = filters
        .iter()
        .find(|f| f.filter_name() == Some(format!("metric-server-errors-{suffix}").as_str()))
        .unwrap();
    assert_eq!(errors.filter_pattern(), Some("{ $.status >= 500 }"));
    assert_eq!(
        errors.metric_transformations()[0].metric_name(),
        "ServerErrors"
    );

    // The topic: encrypted with the environment's key, mailing the on-call.
    let attributes = sns
        .get_topic_attributes()
        .topic_arn(&topic_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        attributes
            .attributes()
            .unwrap()
            .get("KmsMasterKeyId")
            .map(String::as_str),
        Some(KMS_KEY)
    );
    assert_eq!(
        subscribed_emails(&sns, &topic_arn).await,
        ["oncall@example.com"]
    );

    // Every alarm notifies the topic, with its actions on and a deliberate missing-data rule.
    let alarms = alarms_of(&suffix).await;
    assert_eq!(alarms.len(), 16);
    for alarm in &alarms {
        let name = alarm.alarm_name().unwrap();
        assert_eq!(alarm.actions_enabled(), Some(true), "{name}");
        assert_eq!(
            alarm.alarm_actions(),
            std::slice::from_ref(&topic_arn),
            "{name}"
        );
        assert!(alarm.treat_missing_data().is_some(), "{name}");
        assert!(
            alarm.alarm_description().is_some_and(|d| d.len() > 40),
            "{name}"
        );
    }
    let memory: Vec<&MetricAlarm> = alarms
        .iter()
        .filter(|a| a.metric_name() == Some("DatabaseMemoryUsagePercentage"))
        .collect();
    assert_eq!(memory.len(), 4);
    let connections = named(&alarms, &format!("alarm-aurora-connections-{suffix}"));
    // 4 ACUs by default: Aurora allows 823 connections (AWS's table); 80 % of them.
    let threshold = connections.threshold().unwrap();
    assert!(
        (threshold - 823.0 * 80.0 / 100.0).abs() < 1e-9,
        "{threshold}"
    );
    assert_eq!(
        connections.dimensions()[0].value(),
        Some(format!("aurora-{suffix}").as_str())
    );
    let unhealthy = named(&alarms, &format!("alarm-alb-unhealthy-hosts-{suffix}"));
    assert_eq!(unhealthy.metrics().len(), 3);
    let api = named(&alarms, &format!("alarm-api-p99-{suffix}"));
    assert_eq!(api.extended_statistic(), Some("p99"));
    assert_eq!(
        api.namespace(),
        Some(format!("catalog-api-{suffix}").as_str())
    );
    assert_eq!(api.threshold(), Some(1000.0));

    // The dashboard.
    let dashboard = emulator()
        .cloudwatch()
        .await
        .get_dashboard()
        .dashboard_name(format!("dashboard-{suffix}"))
        .send()
        .await
        .unwrap();
    let body: Value = serde_json::from_str(dashboard.dashboard_body().unwrap()).unwrap();
    assert_eq!(body["widgets"].as_array().unwrap().len(), 6);

    let status = run("status", &suffix, email.clone());
    assert_eq!(status.body["status"], "READY", "{}", status.body);
    assert_eq!(status.body["outputs"]["alarmTopicArn"], topic_arn.as_str());

    // Creating again changes nothing.
    let before = snapshot(&suffix, &log_group).await;
    let again = run("create", &suffix, email.clone());
    assert!(again.success, "{}", again.body);
    assert_eq!(snapshot(&suffix, &log_group).await, before);

    // A new alarmEmail replaces the old address: alarms mail only the one the spec names.
    let moved = run(
        "create",
        &suffix,
        json!({"alarmEmail": "pager@example.com"}),
    );
    assert!(moved.success, "{}", moved.body);
    assert_eq!(
        subscribed_emails(&sns, &topic_arn).await,
        ["pager@example.com"]
    );

    let deleted = run("delete", &suffix, email.clone());
    assert!(deleted.success, "{}", deleted.body);
    assert_eq!(deleted.body["status"], "DELETED");
    assert!(alarms_of(&suffix).await.is_empty());
    let dashboards = emulator()
        .cloudwatch()
        .await
        .list_dashboards()
        .dashboard_name_prefix(format!("dashboard-{suffix}"))
        .send()
        .await
        .unwrap();
    assert!(dashboards.dashboard_entries().is_empty());
    let filters = logs
        .describe_metric_filters()
        .log_group_name(&log_group)
        .send()
        .await
        .unwrap();
    assert!(filters.metric_filters().is_empty());
    let topics = sns.list_topics().send().await.unwrap();
    assert!(!topics
        .topics()
        .iter()
        .any(|t| t.topic_arn() == Some(topic_arn.as_str())));
    assert_eq!(
        run("status", &suffix, email.clone()).body["status"],
        "DELETED"
    );
    assert_eq!(run("delete", &suffix, email).body["status"], "DELETED");
}

#[tokio::test]
async fn one_memory_and_one_cpu_alarm_per_cache_node_follow_shards_times_one_plus_replicas() {
    let suffix = unique_suffix();
    service_log_group(&suffix).await;
    let shape = json!({"cacheShards": 3, "cacheReplicasPerShard": 2});
    let created = run("create", &suffix, shape.clone());
    assert!(created.success, "{} {}", created.body, created.stderr);
    let alarms = alarms_of(&suffix).await;
    let per_node = |metric: &str| -> Vec<String> {
        let mut nodes: Vec<String> = alarms
            .iter()
            .filter(|a| a.metric_name() == Some(metric))
            .map(|a| a.dimensions()[0].value().unwrap().to_owned())
            .collect();
        nodes.sort();
        nodes
    };
    let memory = per_node("DatabaseMemoryUsagePercentage");
    assert_eq!(memory.len(), 9);
    assert_eq!(memory[0], format!("redis-{suffix}-0001-001"));
    assert_eq!(memory[8], format!("redis-{suffix}-0003-003"));
    assert_eq!(per_node("EngineCPUUtilization"), memory);

    // Shrinking the cache back to the default drops the alarms of the nodes that went.
    let shrunk = run("create", &suffix, json!({}));
    assert!(shrunk.success, "{}", shrunk.body);
    assert_eq!(alarms_of(&suffix).await.len(), 16);
    assert_eq!(run("delete", &suffix, json!({})).body["status"], "DELETED");
}

#[tokio::test]
async fn asleep_the_per_node_cache_alarms_go_and_awake_again_they_come_back() {
    let suffix = unique_suffix();
    service_log_group(&suffix).await;
    let created = run("create", &suffix, json!({}));
    assert!(created.success, "{} {}", created.body, created.stderr);
    let names = |alarms: Vec<MetricAlarm>| -> Vec<String> {
        let mut names: Vec<String> = alarms
            .iter()
            .map(|alarm| alarm.alarm_name().unwrap_or_default().to_owned())
            .collect();
        names.sort();
        names
    };
    let awake = names(alarms_of(&suffix).await);
    assert_eq!(awake.len(), 16);

    // Asleep, the cache hands on no node (and no endpoint): its alarms go, the rest stay.
    let mut outputs = handed_on(&outputs(&suffix));
    outputs["cache"]["cacheNodeIds"] = json!([]);
    outputs["cache"]["cacheConfigurationEndpoint"] = json!("");
    let asleep = spec(&suffix, json!({"asleep": true}));
    let event = |action: &str| json!({"action": action, "spec": asleep, "outputs": outputs});
    let slept = invoke("monitoring", &event("create"), &emulator().env());
    assert!(slept.success, "{} {}", slept.body, slept.stderr);
    assert_eq!(slept.body["outputs"]["alarmCount"], 8);
    let sleeping = names(alarms_of(&suffix).await);
    assert_eq!(sleeping.len(), 8);
    assert!(sleeping.iter().all(|name| awake.contains(name)));
    assert!(sleeping
        .iter()
        .all(|name| !name.starts_with("alarm-redis-")));
    let status = invoke("monitoring", &event("status"), &emulator().env());
    assert_eq!(status.body, slept.body);

    // Awake again: every alarm is back, and `status` is READY with all of them.
    let woken = run("create", &suffix, json!({}));
    assert!(woken.success, "{}", woken.body);
    assert_eq!(names(alarms_of(&suffix).await), awake);
    let status = run("status", &suffix, json!({}));
    assert_eq!(status.body["status"], "READY", "{}", status.body);
    assert_eq!(status.body["outputs"]["alarmCount"], 16);
    assert_eq!(run("delete", &suffix, json!({})).body["status"], "DELETED");
}

#[test]
fn a_missing_input_fails_as_an_invalid_event() {
    let suffix = unique_suffix();
    let mut outputs = handed_on(&outputs(&suffix));
    outputs["network"]["kmsKeyArn"] = json!("");
    let event = json!({"action": "create", "spec": spec(&suffix, json!({})), "outputs": outputs});
    let result = invoke("monitoring", &event, &emulator().env());
    assert_eq!(result.exit_code, Some(1));
    assert_eq!(result.body["errorType"], "InvalidEvent");
    assert!(
        result.body["errorMessage"]
            .as_str()
            .unwrap()
            .contains("outputs.network: kmsKeyArn is empty"),
        "{}",
        result.body
    );
}

#[test]
fn delete_of_an_environment_that_never_had_monitoring_succeeds() {
    let suffix = unique_suffix();
    let result = invoke(
        "monitoring",
        &json!({"action": "delete", "spec": spec(&suffix, json!({}))}),
        &emulator().env(),
    );
    assert!(result.success, "{} {}", result.body, result.stderr);
    assert_eq!(result.body["status"], "DELETED");
}
