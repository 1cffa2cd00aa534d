//! `status` against the fake: it answers what is there and never changes anything.

use super::{blue_green_spec, change_service, inputs, request, run, run_blue_green, spec};
use crate::fake::Fake;
use crate::handler::{handle, ServiceError};
use crate::settings::tests::settings;
use env_core::contract::Outputs;
use env_core::{ErrorName, NamedError, Response, Status};
use iam_roles::fake::StoredRole;
use log_groups::fake::StoredLogGroup;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// What the fakes hold: ECS, Cloud Map and Application Auto Scaling (as text), the log groups,
/// the roles, and the changes recorded.
type Snapshot = (
    String,
    BTreeMap<String, StoredLogGroup>,
    BTreeMap<String, StoredRole>,
    Vec<&'static str>,
);

/// Everything the fakes hold, the change log included: equal before and after a read. Not the
/// calls, which a read adds to, nor the faults a test injected, which the failing call consumes.
fn snapshot(fake: &Fake) -> Snapshot {
    (
        format!(
            "{:?}",
            (fake.world(), fake.ecs.world(), fake.cloud_map.world())
        ),
        fake.logs.groups().clone(),
        fake.roles.roles().clone(),
        fake.recorder.lock().changes.clone(),
    )
}

/// `status` (accepted readiness), checking that it changed nothing.
async fn read(fake: &Fake, spec: Value) -> Result<Response, ServiceError> {
    let before = snapshot(fake);
    let answer = handle(
        fake,
        &settings(Some("accepted")),
        request("status", spec, inputs()),
    )
    .await;
    assert_eq!(snapshot(fake), before, "status changed the world");
    answer
}

/// The keys of an answer's outputs, sorted.
fn keys(response: &Response) -> Vec<&str> {
    let mut keys: Vec<&str> = response.outputs.keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

#[tokio::test]
async fn status_of_nothing_is_deleted_with_no_outputs_and_creates_nothing() {
    let fake = Fake::default();
    let response = read(&fake, spec()).await.unwrap();
    assert_eq!(response, Response::new(Status::Deleted, Outputs::new()));
    let changes = fake.recorder.lock().changes.clone();
    assert!(changes.is_empty(), "{changes:?}");
    assert!(fake.is_empty());
}

#[tokio::test]
async fn status_after_a_complete_create_answers_exactly_what_create_answered() {
    for spec in [spec(), blue_green_spec()] {
        let fake = Fake::default();
        let request = request("create", spec.clone(), inputs());
        let created = handle(&fake, &settings(Some("accepted")), request)
            .await
            .unwrap();
        assert_eq!(created.status, Status::Ready);
        assert_eq!(created.outputs.len(), 8);
        let response = read(&fake, spec).await.unwrap();
        assert_eq!(response, created);
    }
}

#[tokio::test]
async fn status_while_the_rollout_runs_is_in_progress_with_all_outputs() {
    let fake = Fake::default();
    let steady = settings(Some("steady"));
    let created = handle(&fake, &steady, request("create", spec(), inputs()));
    let created = created.await.unwrap();
    assert_eq!(created.status, Status::InProgress);
    let before = snapshot(&fake);
    let unset = settings(None);
    let response = handle(&fake, &unset, request("status", spec(), inputs()));
    let response = response.await.unwrap();
    assert_eq!(snapshot(&fake), before);
    assert_eq!(response, created);
}

#[tokio::test]
async fn status_while_cloud_map_creates_the_namespace_waits_and_creates_nothing() {
    let fake = Fake::default();
    fake.cloud_map.world().slow_namespace = true;
    let created = run(&fake, "create").await.unwrap();
    assert_eq!(created.status, Status::InProgress);
    let response = read(&fake, spec()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    // No discovery service, no ECS service yet: their keys wait.
    assert_eq!(
        keys(&response),
        [
            "clusterName",
            "executionRoleArn",
            "serviceLogGroup",
            "taskDefinitionArn",
            "taskRoleArn"
        ]
    );
    for (key, value) in &response.outputs {
        assert_eq!(&created.outputs[key], value, "{key}");
    }
    assert!(fake.cloud_map.world().discovery.is_empty());
    // The wait loop's next create goes on from there.
    assert_eq!(run(&fake, "create").await.unwrap().status, Status::Ready);
    assert_eq!(read(&fake, spec()).await.unwrap().status, Status::Ready);
}

#[tokio::test]
async fn status_of_a_create_interrupted_at_each_step_is_in_progress_and_creates_nothing() {
    let steps = [
        ("PutRetentionPolicy", 0),
        ("CreateLogGroup", 1),
        ("CreateRole", 0),
        ("CreateRole", 1),
        ("PutRolePolicy", 0),
        ("PutRolePolicy", 1),
        ("CreateCluster", 0),
        ("RegisterTaskDefinition", 0),
        ("CreatePrivateDnsNamespace", 0),
        ("CreateDiscoveryService", 0),
        ("CreateService", 0),
        ("RegisterScalableTarget", 0),
        ("PutScalingPolicy", 0),
    ];
    for (step, after) in steps {
        let fake = Fake::default();
        fake.recorder
            .lock()
            .fail_after(step, "ThrottlingException", after);
        run(&fake, "create").await.unwrap_err();
        let response = read(&fake, spec()).await.unwrap();
        assert_eq!(response.status, Status::InProgress, "{step} {after}");
        let created = run(&fake, "create").await.unwrap();
        assert_eq!(created.status, Status::Ready, "{step} {after}");
        assert_eq!(read(&fake, spec()).await.unwrap(), created, "{step}");
    }
    // Interrupted before anything existed: nothing to report.
    let fake = Fake::default();
    fake.recorder
        .lock()
        .fail("CreateLogGroup", "ThrottlingException");
    run(&fake, "create").await.unwrap_err();
    assert_eq!(read(&fake, spec()).await.unwrap().status, Status::Deleted);
}

#[tokio::test]
async fn a_failed_rollout_is_the_component_failure_create_answers_and_changes_nothing() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    change_service(&fake, |service| service.rollout = Some("FAILED".into()));
    let error = read(&fake, spec()).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert!(error.to_string().contains("ecs-service-pr-42"), "{error}");
    // The error `create` answers for it.
    let converged = run(&fake, "create").await.unwrap_err();
    assert_eq!(converged.to_string(), error.to_string());
    assert_eq!(converged.error_name(), ErrorName::ComponentFailed);
}

#[tokio::test]
async fn each_read_fails_with_its_typed_error_and_changes_nothing() {
    // (operation, calls that succeed first): every call status makes of each.
    let reads = [
        ("DescribeLogGroups", 0),
        ("DescribeLogGroups", 1),
        ("GetRole", 0),
        ("GetRole", 1),
        ("GetRole", 2),
        ("ListRolePolicies", 0),
        ("ListRolePolicies", 1),
        ("ListRolePolicies", 2),
        ("DescribeClusters", 0),
        ("DescribeTaskDefinition", 0),
        ("ListTaskDefinitions", 0),
        ("ListNamespaces", 0),
        ("ListServices", 0),
        ("DescribeServices", 0),
        ("DescribeScalableTargets", 0),
        ("DescribeScalingPolicies", 0),
    ];
    for (operation, after) in reads {
        let fake = Fake::default();
        run_blue_green(&fake, "create").await.unwrap();
        fake.recorder
            .lock()
            .fail_after(operation, "ThrottlingException", after);
        let error = read(&fake, blue_green_spec()).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable, "{operation}");
        assert!(error.to_string().contains(operation), "{error}");
    }
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    fake.recorder
        .lock()
        .fail("DescribeServices", "AccessDeniedException");
    let error = read(&fake, spec()).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
}

#[tokio::test]
async fn status_of_a_changed_spec_is_in_progress_until_create_rolls_it_out() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    let mut changed = spec();
    changed["containerImage"] = json!("public.ecr.aws/acme/catalog-api:2");
    let response = read(&fake, changed.clone()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    // The revision `create` would answer is not registered yet.
    assert!(!keys(&response).contains(&"taskDefinitionArn"));
    assert_eq!(fake.recorder.lock().count("RegisterTaskDefinition"), 1);
    let request = request("create", changed.clone(), inputs());
    let created = handle(&fake, &settings(Some("accepted")), request)
        .await
        .unwrap();
    assert_eq!(created.status, Status::InProgress);
    assert_eq!(read(&fake, changed).await.unwrap().status, Status::Ready);
}

#[tokio::test]
async fn status_of_a_strategy_switch_is_in_progress_until_create_switches() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    let response = read(&fake, blue_green_spec()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    // The service still deploys rolling, and blue/green's role is missing.
    assert!(!keys(&response).contains(&"deploymentStrategy"));
    assert!(keys(&response).contains(&"serviceName"));
    run_blue_green(&fake, "create").await.unwrap();
    let response = read(&fake, blue_green_spec()).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    assert_eq!(response.outputs["deploymentStrategy"], "blueGreen");
}

#[tokio::test]
async fn autoscaling_with_other_bounds_or_without_its_policy_is_in_progress() {
    let resource = "service/ecs-cluster-pr-42/ecs-service-pr-42";
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    fake.world().targets.insert(resource.to_owned(), (1, 10));
    assert_eq!(
        read(&fake, spec()).await.unwrap().status,
        Status::InProgress
    );
    run(&fake, "create").await.unwrap();
    assert_eq!(read(&fake, spec()).await.unwrap().status, Status::Ready);
    fake.world().policies.clear();
    assert_eq!(
        read(&fake, spec()).await.unwrap().status,
        Status::InProgress
    );
    // Only a policy left, no target: still something to report.
    fake.world().targets.clear();
    fake.world().policies.insert(
        (resource.to_owned(), "cpu-target-tracking".to_owned()),
        (70.0, (60, 300)),
    );
    assert_eq!(
        read(&fake, spec()).await.unwrap().status,
        Status::InProgress
    );
}

#[tokio::test]
async fn status_follows_a_teardown_and_is_deleted_only_when_nothing_is_left() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    fake.ecs.world().slow_service_deletion = true;
    assert_eq!(
        run(&fake, "delete").await.unwrap().status,
        Status::InProgress
    );
    // Draining: being deleted, no longer the service `create` answers.
    let response = read(&fake, spec()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(
        keys(&response),
        [
            "clusterName",
            "executionRoleArn",
            "serviceDiscoveryName",
            "serviceLogGroup",
            "taskRoleArn"
        ]
    );
    fake.ecs.world().slow_service_deletion = false;
    change_service(&fake, |service| service.status = "INACTIVE".into());
    for _ in 0..5 {
        run(&fake, "delete").await.unwrap();
        let response = read(&fake, spec()).await.unwrap();
        if fake.is_empty() {
            assert_eq!(response, Response::new(Status::Deleted, Outputs::new()));
            // `delete` agrees: it finds nothing either.
            let deleted = run(&fake, "delete").await.unwrap();
            assert_eq!(deleted.status, Status::Deleted);
            return;
        }
        assert_eq!(response.status, Status::InProgress);
    }
    panic!("not deleted after 5 calls");
}

#[tokio::test]
async fn what_only_delete_removes_keeps_status_from_deleted() {
    // Deregistered revisions of a teardown not finished.
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    let mut revision = fake.ecs.world().task_definitions[0].clone();
    revision.3 = false;
    let leftover = Fake::default();
    leftover.ecs.world().task_definitions.push(revision);
    let response = read(&leftover, spec()).await.unwrap();
    assert_eq!(response, Response::new(Status::InProgress, Outputs::new()));

    // The infrastructure role of a former blue/green service, for a rolling one.
    let leftover = Fake::default();
    leftover.roles.roles().insert(
        "role-ecs-infra-pr-42".into(),
        StoredRole {
            arn: "arn:aws:iam::123456789012:role/role-ecs-infra-pr-42".into(),
            description: String::new(),
            trust_policy: "{}".into(),
            tags: Vec::new(),
            policies: BTreeMap::new(),
        },
    );
    let response = read(&leftover, spec()).await.unwrap();
    assert_eq!(response, Response::new(Status::InProgress, Outputs::new()));
    // Blue/green needs it: a role without its policy is not ready yet.
    let response = read(&leftover, blue_green_spec()).await.unwrap();
    assert_eq!(response, Response::new(Status::InProgress, Outputs::new()));
}

#[tokio::test]
async fn status_needs_the_inputs_create_needs() {
    let fake = Fake::default();
    let error = handle(&fake, &settings(None), request("status", spec(), json!({})))
        .await
        .unwrap_err();
    assert_eq!(error.error_name(), ErrorName::InvalidEvent);
    assert!(fake.recorder.lock().changes.is_empty());
}
