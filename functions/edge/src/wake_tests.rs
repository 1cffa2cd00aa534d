//! Wake on request against the fake: the wake group and the waker in it, the wake rule while the
//! spec is asleep and while the service is not serving again, the production and test rules moved
//! behind it and back with their actions untouched, every halfway state finished by the next call,
//! and the teardown.

use super::{network_outputs, request, self_signed, spec_with, steady};
use crate::api::RuleCondition;
use crate::fake::{FakeCloud, ACCOUNT};
use crate::handler::{handle, EdgeError};
use crate::settings::{Readiness, Settings};
use env_core::settings::Misconfigured;
use env_core::{ErrorName, NamedError, Response, Status};
use serde_json::{json, Value};

const WAKER: &str = "arn:aws:lambda:us-west-2:123456789012:function:waker";

fn spec(asleep: bool) -> Value {
    spec_with(json!({"selfSignedCertificate": true, "forceDestroy": true, "asleep": asleep}))
}

/// The outputs as the workflow hands them on: after the service answered READY (`service`) or
/// before (DataAndEdge).
fn outputs(after_service: bool) -> Value {
    let mut outputs = network_outputs();
    if after_service {
        outputs["service"] = json!({"serviceName": "svc-pr-7"});
    }
    outputs
}

async fn create_with(
    cloud: &FakeCloud,
    readiness: Readiness,
    asleep: bool,
    after_service: bool,
) -> Result<Response, EdgeError> {
    let settings = Ok(Settings { readiness });
    let request = request("create", spec(asleep), outputs(after_service));
    handle(cloud, &settings, request).await
}

async fn create(cloud: &FakeCloud, asleep: bool, after_service: bool) -> Response {
    create_with(cloud, Readiness::Steady, asleep, after_service)
        .await
        .unwrap()
}

async fn status(cloud: &FakeCloud, asleep: bool) -> Response {
    let request = request("status", spec(asleep), network_outputs());
    handle(cloud, &steady(), request).await.unwrap()
}

/// The HTTPS listener's rules, lowest priority first, by what they are.
fn layout(cloud: &FakeCloud) -> Vec<(i32, &'static str)> {
    let elb = cloud.elb.world();
    let mut rules: Vec<(i32, &'static str)> = elb
        .rules
        .iter()
        .map(|(_, _, settings)| match settings.condition {
            RuleCondition::AnyPath => (settings.priority, "production"),
            RuleCondition::Header { .. } => (settings.priority, "test"),
        })
        .collect();
    rules.extend(elb.forward_rules.iter().map(|rule| (rule.priority, "wake")));
    rules.sort_unstable();
    rules
}

const AWAKE: [(i32, &str); 2] = [(1, "test"), (2, "production")];
const ASLEEP: [(i32, &str); 3] = [(1, "wake"), (3, "test"), (4, "production")];

fn wake_group(cloud: &FakeCloud) -> String {
    let elb = cloud.elb.world();
    let group = elb
        .target_groups
        .iter()
        .find(|group| group.settings.name == "tg-wake-pr-7")
        .unwrap();
    group.arn.clone()
}

fn changes(cloud: &FakeCloud) -> Vec<&'static str> {
    std::mem::take(&mut cloud.recorder.lock().changes)
}

fn rule_changes(cloud: &FakeCloud) -> Vec<&'static str> {
    changes(cloud)
        .into_iter()
        .filter(|change| change.contains("Rule") || change.contains("Targets"))
        .collect()
}

#[tokio::test]
async fn every_edge_has_the_wake_group_with_the_waker_and_no_wake_rule_while_awake() {
    let cloud = FakeCloud::new();
    assert_eq!(create(&cloud, false, false).await.status, Status::Ready);
    {
        let elb = cloud.elb.world();
        let group = elb.target_groups.iter().find(|group| group.lambda).unwrap();
        assert_eq!(group.settings.name, "tg-wake-pr-7");
        assert!(group.arn.starts_with(&format!(
            "arn:aws:elasticloadbalancing:us-west-2:{ACCOUNT}:targetgroup/tg-wake-pr-7/"
        )));
        let targets: Vec<&str> = group.targets.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(targets, [WAKER]);
    }
    assert_eq!(layout(&cloud), AWAKE);
    assert_eq!(
        rule_changes(&cloud),
        ["RegisterTargets", "CreateRule", "CreateRule"]
    );
    // Again, and after the service: nothing to wait for, nothing changed.
    assert_eq!(create(&cloud, false, true).await.status, Status::Ready);
    assert!(rule_changes(&cloud).is_empty());
    assert_eq!(status(&cloud, false).await.status, Status::Ready);
}

#[tokio::test]
async fn asleep_every_request_goes_to_the_waker_and_the_blue_green_rules_wait_untouched() {
    let cloud = FakeCloud::new();
    create(&cloud, false, true).await;
    let before: Vec<_> = cloud.elb.world().rules.clone();
    changes(&cloud);

    assert_eq!(create(&cloud, true, false).await.status, Status::Ready);
    assert_eq!(layout(&cloud), ASLEEP);
    assert_eq!(rule_changes(&cloud), ["SetRulePriorities", "CreateRule"]);
    let elb = cloud.elb.world().clone();
    assert_eq!(elb.forward_rules[0].target_group, wake_group(&cloud));
    // Moved, never modified: same rules (ARNs), same conditions and weighted groups.
    for ((_, arn, settings), (_, was_arn, was)) in elb.rules.iter().zip(&before) {
        assert_eq!(arn, was_arn);
        assert_eq!(settings.condition, was.condition);
        assert_eq!(settings.blue_target_group, was.blue_target_group);
        assert_eq!(settings.green_target_group, was.green_target_group);
    }
    let slept = status(&cloud, true).await;
    assert_eq!(slept.status, Status::Ready);
    assert_eq!(create(&cloud, true, true).await.outputs, slept.outputs);
    assert!(rule_changes(&cloud).is_empty());
}

#[tokio::test]
async fn waking_keeps_the_wake_rule_until_a_blue_or_green_target_is_healthy() {
    let cloud = FakeCloud::new();
    create(&cloud, true, false).await;
    assert_eq!(layout(&cloud), ASLEEP);
    changes(&cloud);

    // DataAndEdge: the service has no task yet; the edge is READY with the rule kept.
    assert_eq!(create(&cloud, false, false).await.status, Status::Ready);
    assert_eq!(layout(&cloud), ASLEEP);
    // After the service: the workflow waits while no target is healthy.
    cloud
        .elb
        .world()
        .add_target("tg-blue-pr-7", "10.0.1.5", "initial");
    cloud
        .elb
        .world()
        .add_target("tg-green-pr-7", "10.0.2.5", "unhealthy");
    assert_eq!(create(&cloud, false, true).await.status, Status::InProgress);
    assert_eq!(layout(&cloud), ASLEEP);
    assert!(rule_changes(&cloud).is_empty());
    assert_eq!(status(&cloud, false).await.status, Status::Ready);

    cloud
        .elb
        .world()
        .add_target("tg-green-pr-7", "10.0.2.6", "healthy");
    assert_eq!(create(&cloud, false, true).await.status, Status::Ready);
    assert_eq!(layout(&cloud), AWAKE);
    assert_eq!(rule_changes(&cloud), ["DeleteRule", "SetRulePriorities"]);
    // Awake with healthy targets, the rule does not come back.
    assert_eq!(create(&cloud, false, false).await.status, Status::Ready);
    assert_eq!(layout(&cloud), AWAKE);
}

#[tokio::test]
async fn in_the_emulator_the_service_being_ready_is_enough() {
    let cloud = FakeCloud::new();
    create(&cloud, true, false).await;
    let accepted = |after_service| create_with(&cloud, Readiness::Accepted, false, after_service);
    assert_eq!(accepted(false).await.unwrap().status, Status::Ready);
    assert_eq!(layout(&cloud), ASLEEP);
    changes(&cloud);
    assert_eq!(accepted(true).await.unwrap().status, Status::Ready);
    assert_eq!(layout(&cloud), AWAKE);
}

#[tokio::test]
async fn a_sleep_or_wake_failing_at_any_step_is_finished_by_the_next_call() {
    // (asleep, operation failing, how many of its calls pass first)
    let cases = [
        (true, "SetRulePriorities", 0),
        (true, "CreateRule", 0),
        (false, "DeleteRule", 0),
        (false, "SetRulePriorities", 0),
    ];
    for (asleep, operation, after) in cases {
        let cloud = FakeCloud::new();
        create(&cloud, !asleep, false).await;
        cloud
            .elb
            .world()
            .add_target("tg-blue-pr-7", "10.0.1.5", "healthy");
        cloud
            .recorder
            .lock()
            .fail_after(operation, "Throttling", after);
        let error = create_with(&cloud, Readiness::Steady, asleep, true)
            .await
            .unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable, "{operation}");
        create(&cloud, asleep, true).await;
        let wanted: &[(i32, &str)] = if asleep { &ASLEEP } else { &AWAKE };
        assert_eq!(layout(&cloud), wanted, "{asleep} {operation}");
    }
}

#[tokio::test]
async fn a_registration_or_group_that_failed_is_made_by_the_next_call() {
    for operation in [
        "CreateTargetGroup",
        "RegisterTargets",
        "DescribeTargetHealth",
    ] {
        let cloud = FakeCloud::new();
        // The blue and green groups come first: let them through.
        let after = usize::from(operation == "CreateTargetGroup") * 2;
        cloud
            .recorder
            .lock()
            .fail_after(operation, "Throttling", after);
        let error = create_with(&cloud, Readiness::Steady, true, false)
            .await
            .unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable, "{operation}");
        assert_eq!(create(&cloud, true, false).await.status, Status::Ready);
        let elb = cloud.elb.world();
        let group = elb.target_groups.iter().find(|g| g.lambda).unwrap();
        assert_eq!(group.targets.len(), 1, "{operation}");
        assert_eq!(group.targets[0].id, WAKER);
        drop(elb);
        assert_eq!(layout(&cloud), ASLEEP, "{operation}");
    }
}

#[tokio::test]
async fn asleep_without_the_wake_rule_is_not_ready_and_a_missing_wake_group_neither() {
    let cloud = FakeCloud::new();
    create(&cloud, false, false).await;
    assert_eq!(status(&cloud, true).await.status, Status::InProgress);
    let arn = wake_group(&cloud);
    cloud
        .elb
        .world()
        .target_groups
        .retain(|group| group.arn != arn);
    assert_eq!(status(&cloud, false).await.status, Status::InProgress);
}

#[tokio::test]
async fn a_teardown_removes_the_wake_rule_and_the_wake_group_last() {
    let cloud = FakeCloud::new();
    create(&cloud, true, false).await;
    let settings = steady();
    let delete = || {
        handle(
            &cloud,
            &settings,
            request("delete", spec(true), network_outputs()),
        )
    };
    let wake = wake_group(&cloud);
    cloud
        .recorder
        .lock()
        .fail_after("DeleteTargetGroup", "ResourceInUse", 2);
    assert_eq!(delete().await.unwrap().status, Status::InProgress);
    assert!(cloud.elb.world().forward_rules.is_empty());
    let left: Vec<String> = cloud
        .elb
        .world()
        .target_groups
        .iter()
        .map(|group| group.arn.clone())
        .collect();
    assert_eq!(left, [wake]);
    assert_eq!(delete().await.unwrap().status, Status::InProgress);
    assert_eq!(delete().await.unwrap().status, Status::Deleted);
}

#[tokio::test]
async fn only_the_wake_group_left_is_still_something_to_report_and_delete() {
    use crate::api::ElbCalls;
    let cloud = FakeCloud::new();
    cloud
        .elb
        .create_lambda_target_group("tg-wake-pr-7", &[])
        .await
        .unwrap();
    assert_eq!(status(&cloud, false).await.status, Status::InProgress);
    let request = request("delete", spec(false), network_outputs());
    let deleted = handle(&cloud, &steady(), request).await.unwrap();
    assert_eq!(deleted.status, Status::InProgress);
    assert_eq!(status(&cloud, false).await.status, Status::Deleted);
}

#[tokio::test]
async fn misconfigured_settings_stop_create_but_not_status_or_delete() {
    let cloud = FakeCloud::new();
    let settings: Result<Settings, Misconfigured> = Err(Misconfigured::new(
        "SERVICE_READY_WHEN",
        Some("soon".into()),
        "\"steady\"",
    ));
    let error = handle(
        &cloud,
        &settings,
        request("create", self_signed(), network_outputs()),
    )
    .await
    .unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Misconfigured);
    assert!(cloud.recorder.lock().calls.is_empty());
    for action in ["status", "delete"] {
        let response = handle(
            &cloud,
            &settings,
            request(action, self_signed(), network_outputs()),
        )
        .await
        .unwrap();
        assert_eq!(response.status, Status::Deleted);
    }
}
