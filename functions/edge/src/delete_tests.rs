//! `delete` against the fake: deletion protection, what it removes in which order, what it
//! tolerates as already gone or still held, and what it leaves to other environments.

use super::{network_outputs, request, run, self_signed, spec_with, steady};
use crate::fake::FakeCloud;
use crate::handler::handle;
use env_core::{ErrorName, NamedError, Status};
use serde_json::json;

#[tokio::test]
async fn a_protected_load_balancer_blocks_delete_without_force_destroy() {
    let cloud = FakeCloud::new();
    run(&cloud, "create", self_signed()).await.unwrap();
    cloud.recorder.lock().changes.clear();
    let error = run(&cloud, "delete", self_signed()).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::DeletionProtected);
    assert_eq!(
        error.to_string(),
        "load balancer alb-pr-7 has deletion protection; set forceDestroy to delete it"
    );
    assert!(cloud.recorder.lock().changes.is_empty());
}

#[tokio::test]
async fn force_destroy_lifts_protection_and_deletes_everything() {
    let cloud = FakeCloud::new();
    let spec = spec_with(json!({"selfSignedCertificate": true, "forceDestroy": true}));
    run(&cloud, "create", spec.clone()).await.unwrap();
    cloud
        .world()
        .buckets
        .values_mut()
        .for_each(|bucket| bucket.1 = 3);
    let response = run(&cloud, "delete", spec.clone()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    {
        let world = cloud.world();
        let elb = cloud.elb.world();
        assert_eq!(elb.attributes["deletion_protection.enabled"], "false");
        assert!(cloud.recorder.lock().changes.contains(&"EmptyBucket"));
        assert!(elb.load_balancers.is_empty() && elb.listeners.is_empty());
        assert!(elb.rules.is_empty());
        assert_eq!(cloud.recorder.lock().count("DeleteRule"), 2);
        assert!(elb.target_groups.is_empty() && world.certificates.is_empty());
        assert!(world.buckets.is_empty());
    }
    assert_eq!(
        run(&cloud, "delete", spec).await.unwrap().status,
        Status::Deleted
    );
}

#[tokio::test]
async fn an_unprotected_environment_deletes_without_force_destroy() {
    let cloud = FakeCloud::new();
    let spec = spec_with(json!({"selfSignedCertificate": true, "deletionProtection": false}));
    run(&cloud, "create", spec.clone()).await.unwrap();
    assert_eq!(
        run(&cloud, "delete", spec.clone()).await.unwrap().status,
        Status::InProgress
    );
    assert_eq!(
        run(&cloud, "delete", spec).await.unwrap().status,
        Status::Deleted
    );
}

#[tokio::test]
async fn delete_removes_the_validation_records_and_tolerates_those_already_gone() {
    let cloud = FakeCloud::new();
    let spec = spec_with(json!({
        "domainName": "pr-7.example.com", "hostedZoneId": "Z123", "forceDestroy": true
    }));
    run(&cloud, "create", spec.clone()).await.unwrap();
    cloud
        .recorder
        .lock()
        .fail("DeleteCertificate", "ResourceInUseException");
    cloud
        .recorder
        .lock()
        .fail("DeleteTargetGroup", "ResourceInUse");
    assert_eq!(
        run(&cloud, "delete", spec.clone()).await.unwrap().status,
        Status::InProgress
    );
    assert!(cloud.world().records.is_empty());
    assert_eq!(cloud.world().certificates.len(), 1);
    assert_eq!(cloud.elb.world().target_groups.len(), 1);
    // The records are gone: Route 53 refuses the second deletion, which counts as done.
    assert_eq!(
        run(&cloud, "delete", spec.clone()).await.unwrap().status,
        Status::InProgress
    );
    assert!(cloud.world().certificates.is_empty());
    assert_eq!(
        run(&cloud, "delete", spec).await.unwrap().status,
        Status::Deleted
    );
}

#[tokio::test]
async fn a_log_delivered_after_the_emptying_leaves_the_bucket_for_the_next_call() {
    let cloud = FakeCloud::new();
    let spec = spec_with(json!({"selfSignedCertificate": true, "forceDestroy": true}));
    run(&cloud, "create", spec.clone()).await.unwrap();
    cloud.recorder.lock().fail("DeleteBucket", "BucketNotEmpty");
    assert_eq!(
        run(&cloud, "delete", spec.clone()).await.unwrap().status,
        Status::InProgress
    );
    assert_eq!(cloud.world().buckets.len(), 1);
    assert!(cloud.elb.world().load_balancers.is_empty());
    assert_eq!(
        run(&cloud, "delete", spec.clone()).await.unwrap().status,
        Status::InProgress
    );
    assert!(cloud.world().buckets.is_empty());
    assert_eq!(
        run(&cloud, "delete", spec).await.unwrap().status,
        Status::Deleted
    );
}

#[tokio::test]
async fn other_delete_errors_are_kept() {
    for (operation, code) in [
        ("DeleteTargetGroup", "AccessDenied"),
        ("DeleteCertificate", "AccessDeniedException"),
    ] {
        let cloud = FakeCloud::new();
        let spec = spec_with(json!({"selfSignedCertificate": true, "forceDestroy": true}));
        run(&cloud, "create", spec.clone()).await.unwrap();
        cloud.recorder.lock().fail(operation, code);
        let error = run(&cloud, "delete", spec).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::AwsRejected);
        assert!(error.to_string().contains(code), "{error}");
    }
}

#[tokio::test]
async fn a_teardown_interrupted_at_a_rule_finishes_on_the_next_call() {
    let cloud = FakeCloud::new();
    let spec = spec_with(json!({"selfSignedCertificate": true, "forceDestroy": true}));
    run(&cloud, "create", spec.clone()).await.unwrap();
    cloud
        .recorder
        .lock()
        .fail_after("DeleteRule", "Throttling", 1);
    let error = run(&cloud, "delete", spec.clone()).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert_eq!(cloud.elb.world().rules.len(), 1);
    assert_eq!(
        run(&cloud, "delete", spec.clone()).await.unwrap().status,
        Status::InProgress
    );
    assert!(cloud.elb.world().rules.is_empty() && cloud.elb.world().listeners.is_empty());
    assert_eq!(
        run(&cloud, "delete", spec).await.unwrap().status,
        Status::Deleted
    );
}

#[tokio::test]
async fn another_environments_bucket_and_certificate_are_left_alone() {
    let cloud = FakeCloud::new();
    let other = json!({
        "environmentSuffix": "pr-7-2", "containerImage": "nginx",
        "selfSignedCertificate": true, "forceDestroy": true
    });
    handle(
        &cloud,
        &steady(),
        request("create", other, network_outputs()),
    )
    .await
    .unwrap();
    let spec = spec_with(json!({"selfSignedCertificate": true, "forceDestroy": true}));
    assert_eq!(
        run(&cloud, "delete", spec).await.unwrap().status,
        Status::Deleted
    );
    assert_eq!(cloud.world().buckets.len(), 1);
    assert_eq!(cloud.world().certificates.len(), 1);
}
