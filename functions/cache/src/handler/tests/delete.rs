//! `delete`: the group, then the subnet group, the slow log and the secret, each waited for while
//! AWS cannot delete it yet.

use super::*;
use crate::api::GroupState;

#[tokio::test]
async fn delete_removes_the_group_then_the_subnet_group_the_slow_log_and_the_secret() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    run(&fake, Action::Create, &spec).await.unwrap();
    fake.elasticache.world().settle();

    let first = run(&fake, Action::Delete, &spec).await.unwrap();
    assert_eq!(first.status, Status::InProgress);
    assert_eq!(fake.recorder.lock().count("DeleteReplicationGroup"), 1);
    // Still deleting: asked again, nothing is called twice.
    let second = run(&fake, Action::Delete, &spec).await.unwrap();
    assert_eq!(second.status, Status::InProgress);
    assert_eq!(fake.recorder.lock().count("DeleteReplicationGroup"), 1);
    assert_eq!(fake.recorder.lock().count("DeleteCacheSubnetGroup"), 0);

    fake.elasticache.world().settle();
    let done = run(&fake, Action::Delete, &spec).await.unwrap();
    assert_eq!(done.status, Status::Deleted);
    let changes = {
        let world = fake.elasticache.world();
        assert!(
            world.groups.is_empty()
                && world.subnet_groups.is_empty()
                && fake.logs.groups().is_empty()
        );
        fake.recorder.lock().changes.clone()
    };
    assert!(fake.secrets.store().secrets.is_empty());
    // Without a recovery window: the name is free for the next environment at once.
    assert_eq!(fake.secrets.store().deletions, [(SECRET.to_owned(), true)]);
    assert_eq!(
        &changes[6..],
        [
            "DeleteReplicationGroup",
            "DeleteCacheSubnetGroup",
            "DeleteLogGroup",
            "DeleteSecret"
        ]
    );

    // Nothing left: DELETED again, and nothing called.
    let again = run(&fake, Action::Delete, &spec).await.unwrap();
    assert_eq!(again.status, Status::Deleted);
    assert_eq!(fake.recorder.lock().changes.len(), changes.len());
}

#[tokio::test]
async fn delete_waits_for_a_group_that_cannot_be_deleted_yet() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    run(&fake, Action::Create, &spec).await.unwrap();
    fake.recorder
        .lock()
        .fail("DeleteReplicationGroup", "InvalidReplicationGroupState");
    let response = run(&fake, Action::Delete, &spec).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(
        fake.elasticache.world().groups["redis-pr-42"].0.state(),
        GroupState::Creating
    );

    fake.recorder
        .lock()
        .fail("DeleteReplicationGroup", "AccessDenied");
    let error = run(&fake, Action::Delete, &spec).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
}

#[tokio::test]
async fn delete_waits_for_a_subnet_group_still_in_use() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    run(&fake, Action::Create, &spec).await.unwrap();
    fake.elasticache.world().groups.clear();
    fake.recorder
        .lock()
        .fail("DeleteCacheSubnetGroup", "CacheSubnetGroupInUse");
    let response = run(&fake, Action::Delete, &spec).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(fake.secrets.store().secrets.len(), 1);

    fake.recorder
        .lock()
        .fail("DeleteCacheSubnetGroup", "ThrottlingException");
    let error = run(&fake, Action::Delete, &spec).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);

    assert_eq!(
        run(&fake, Action::Delete, &spec).await.unwrap().status,
        Status::Deleted
    );
}

#[tokio::test]
async fn delete_leaves_a_secret_already_scheduled_for_deletion_to_go_on_its_own() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    run(&fake, Action::Create, &spec).await.unwrap();
    fake.elasticache.world().groups.clear();
    schedule_secret_deletion(&fake);
    let response = run(&fake, Action::Delete, &spec).await.unwrap();
    assert_eq!(response.status, Status::Deleted);
    assert_eq!(fake.recorder.lock().count("DeleteSecret"), 0);
}

#[tokio::test]
async fn delete_needs_no_outputs() {
    let fake = Fake::default();
    let response = run_with(&fake, Action::Delete, &spec(json!({})), Outputs::new())
        .await
        .unwrap();
    assert_eq!(response.status, Status::Deleted);
}
