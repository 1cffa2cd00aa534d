//! `delete` against the fake: what it removes in which order, what it waits for (the service's
//! drain, Cloud Map), and how it resumes after a failure at any step.

use super::{change_service, delete_all, deletes_in_progress, request, run, spec};
use crate::fake::Fake;
use crate::handler::handle;
use crate::settings::tests::settings;
use env_core::{ErrorName, NamedError, Status};
use serde_json::json;

#[tokio::test]
async fn delete_removes_everything_and_reports_deleted_only_when_nothing_is_left() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    // 1: autoscaling and the service; 2: the rest, once ECS reports the service gone; 3:
    // Container Insights' group, once a call finds the cluster gone; 4: nothing found.
    assert_eq!(delete_all(&fake).await, 4);
    assert!(fake.is_empty(), "{fake:?}");
    let recorder = fake.recorder.lock();
    assert_eq!(recorder.count("ScaleService"), 1);
    assert_eq!(recorder.count("DeleteService"), 1);
    assert_eq!(recorder.count("DeleteRolePolicy"), 2);
    assert_eq!(recorder.count("DeleteRole"), 2);
    assert_eq!(recorder.count("DeleteCluster"), 1);
    assert_eq!(recorder.count("DeleteTaskDefinitions"), 1);
    assert_eq!(recorder.count("DeleteLogGroup"), 2);
}

/// A pull request deployed many times leaves a revision per deploy: all deleted, ten a call.
#[tokio::test]
async fn every_revision_of_the_family_is_deleted_ten_at_a_time_and_no_other_family() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    {
        let mut world = fake.ecs.world();
        let (_, spec, role, _) = world.task_definitions[0].clone();
        for revision in 2..=12 {
            world.task_definitions.push((
                format!(
                    "arn:aws:ecs:us-west-2:123456789012:task-definition/{}:{revision}",
                    spec.family
                ),
                spec.clone(),
                role.clone(),
                revision % 2 == 0,
            ));
        }
        let mut other = spec.clone();
        other.family = format!("{}0", spec.family);
        world.task_definitions.push((
            format!(
                "arn:aws:ecs:us-west-2:123456789012:task-definition/{}:1",
                other.family
            ),
            other,
            role,
            false,
        ));
    }
    delete_all(&fake).await;
    let recorder = fake.recorder.lock();
    assert_eq!(recorder.count("DeregisterTaskDefinition"), 7);
    assert_eq!(recorder.count("DeleteTaskDefinitions"), 2);
    assert_eq!(
        fake.ecs.world().task_definitions.len(),
        1,
        "only the other family's is left"
    );
}

#[tokio::test]
async fn delete_waits_for_the_service_to_drain_before_the_rest() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    fake.ecs.world().slow_service_deletion = true;
    for _ in 0..2 {
        let response = run(&fake, "delete").await.unwrap();
        assert_eq!(response.status, Status::InProgress);
        assert_eq!(fake.roles.roles().len(), 2);
        assert_eq!(fake.cloud_map.world().namespaces.len(), 1);
        let ecs = fake.ecs.world();
        assert_eq!(ecs.clusters["ecs-cluster-pr-42"].status, "ACTIVE");
        assert!(ecs.active_task_definitions().is_empty());
        let world = fake.world();
        assert!(world.targets.is_empty() && world.policies.is_empty());
    }
    // A create during the drain waits too.
    let response = run(&fake, "create").await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(fake.recorder.lock().count("CreateService"), 1);
    change_service(&fake, |service| service.status = "INACTIVE".into());
    delete_all(&fake).await;
    assert!(fake.is_empty());
}

#[tokio::test]
async fn a_discovery_service_still_holding_instances_is_deleted_by_a_later_call() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    fake.recorder
        .lock()
        .fail("DeleteDiscoveryService", "ResourceInUse");
    // 1: autoscaling and the service; 2: Cloud Map refuses, the namespace is left; 3: both
    // deleted; 4: nothing found.
    deletes_in_progress(&fake, 2).await;
    {
        let map = fake.cloud_map.world();
        assert_eq!(map.discovery.len(), 1);
        assert_eq!(map.namespaces.len(), 1);
        assert_eq!(fake.recorder.lock().count("DeleteNamespace"), 0);
    }
    assert_eq!(delete_all(&fake).await, 2);
    assert!(fake.is_empty());
}

#[tokio::test]
async fn a_namespace_deletion_already_under_way_waits_for_the_next_call() {
    for code in ["DuplicateRequest", "ResourceInUse"] {
        let fake = Fake::default();
        run(&fake, "create").await.unwrap();
        fake.recorder.lock().fail("DeleteNamespace", code);
        deletes_in_progress(&fake, 2).await;
        assert_eq!(fake.cloud_map.world().namespaces.len(), 1, "{code}");
        delete_all(&fake).await;
        assert!(fake.is_empty(), "{code}");
    }
}

#[tokio::test]
async fn a_delete_interrupted_at_each_step_resumes_and_finishes() {
    let steps = [
        "DeleteScalingPolicy",
        "DeregisterScalableTarget",
        "ScaleService",
        "DeleteService",
        "DeregisterTaskDefinition",
        "DeleteDiscoveryService",
        "DeleteNamespace",
        "DeleteRolePolicy",
        "DeleteRole",
        "DeleteLogGroup",
        "DeleteCluster",
    ];
    for step in steps {
        let fake = Fake::default();
        run(&fake, "create").await.unwrap();
        fake.recorder.lock().fail(step, "ThrottlingException");
        let mut failed = false;
        for _ in 0..3 {
            match run(&fake, "delete").await {
                Err(error) => {
                    assert_eq!(error.error_name(), ErrorName::Retryable, "{step}");
                    failed = true;
                    break;
                }
                Ok(response) => assert_eq!(response.status, Status::InProgress, "{step}"),
            }
        }
        assert!(failed, "{step} was never called");
        delete_all(&fake).await;
        assert!(fake.is_empty(), "{step}");
    }
}

#[tokio::test]
async fn delete_of_an_environment_that_never_existed_is_deleted_at_once() {
    let fake = Fake::default();
    // A teardown needs no outputs.
    let response = handle(&fake, &settings(None), request("delete", spec(), json!({})))
        .await
        .unwrap();
    assert_eq!(response.status, Status::Deleted);
    assert!(fake.recorder.lock().changes.is_empty());
}

#[tokio::test]
async fn a_service_scaled_to_zero_is_deleted_without_scaling_again() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    change_service(&fake, |service| service.desired_count = 0);
    delete_all(&fake).await;
    assert_eq!(fake.recorder.lock().count("ScaleService"), 0);
    assert!(fake.is_empty());
}
