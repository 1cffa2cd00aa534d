//! `delete`: deletion protection, the order of the teardown, what waits for RDS, the secrets kept
//! recoverable unless forced, and the refusals that stop it.

use super::*;

/// Runs `delete` until it answers DELETED, `calls` times at the most: the status of each call.
async fn statuses_until_deleted(cloud: &FakeCloud, extra: Value, calls: usize) -> Vec<Status> {
    let mut statuses = Vec::new();
    for _ in 0..calls {
        let response = run(cloud, Action::Delete, extra.clone()).await.unwrap();
        statuses.push(response.status);
        if response.status == Status::Deleted {
            break;
        }
    }
    statuses
}

#[tokio::test]
async fn a_protected_cluster_refuses_delete_without_force_and_nothing_is_deleted() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    let error = run(&cloud, Action::Delete, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::DeletionProtected);
    assert!(error.to_string().contains("forceDestroy"), "{error}");
    assert!(changes(&cloud).is_empty());
    let world = cloud.rds.world();
    assert_eq!((world.clusters.len(), world.instances.len()), (1, 2));
}

#[tokio::test]
async fn force_destroy_lifts_protection_then_deletes_instances_cluster_and_groups() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    cloud.rds.world().slow_deletion = true;
    let force = json!({"forceDestroy": true});

    let response = run(&cloud, Action::Delete, force.clone()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    // The rotation function first, so Lambda starts releasing its network interfaces early.
    assert_eq!(
        changes(&cloud),
        [
            "ModifyDBCluster",
            "DeleteFunction",
            "DeleteRolePolicy",
            "DeleteRole",
            "DeleteDBInstance",
            "DeleteDBInstance"
        ]
    );
    // Instances still deleting: nothing more to ask for.
    let response = run(&cloud, Action::Delete, force.clone()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(changes(&cloud).is_empty());

    cloud.rds.world().instances.clear();
    let response = run(&cloud, Action::Delete, force.clone()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(changes(&cloud), ["DeleteDBCluster with its backups"]);
    // RDS deletes its master secret with the cluster; the function deletes no secret of RDS's.
    assert!(!cloud.secrets.store().secrets.contains_key(MASTER_SECRET));
    assert!(cloud.secrets.store().deletions.is_empty());
    let response = run(&cloud, Action::Delete, force.clone()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(changes(&cloud).is_empty());

    cloud.rds.world().clusters.clear();
    let response = run(&cloud, Action::Delete, force.clone()).await.unwrap();
    assert_eq!(response.status, Status::Deleted);
    assert_eq!(
        changes(&cloud),
        [
            "DeleteSecret",
            "DeleteSecret",
            "DeleteDBSubnetGroup",
            "DeleteDBClusterParameterGroup",
            "DeleteLogGroup",
            "DeleteLogGroup"
        ]
    );
    {
        let store = cloud.secrets.store();
        assert_eq!(
            store.deletions,
            [
                ("secret-db-app-pr-42".to_owned(), true),
                ("secret-api-keys-pr-42".to_owned(), true)
            ]
        );
        assert!(store.secrets.is_empty() && cloud.lambda.world().functions.is_empty());
        assert!(cloud.roles.roles().is_empty());
        assert!(cloud.logs.groups().is_empty());
    }
    let again = run(&cloud, Action::Delete, force).await.unwrap();
    assert_eq!(again.status, Status::Deleted);
    assert!(changes(&cloud).is_empty());
}

#[tokio::test]
async fn an_unprotected_cluster_is_deleted_without_force() {
    let cloud = FakeCloud::default();
    let unprotected = json!({"deletionProtection": false});
    ready(&cloud, unprotected.clone()).await;
    let statuses = statuses_until_deleted(&cloud, unprotected, 5).await;
    assert_eq!(
        statuses,
        [Status::InProgress, Status::InProgress, Status::Deleted]
    );
    assert!(!changes(&cloud).contains(&"ModifyDBCluster"));
}

#[tokio::test]
async fn an_unprotected_cluster_goes_without_force_and_keeps_its_automated_backups() {
    let cloud = FakeCloud::default();
    let unprotected = json!({"deletionProtection": false});
    ready(&cloud, unprotected.clone()).await;
    statuses_until_deleted(&cloud, unprotected, 6).await;
    let deleted = changes(&cloud);
    // Without forceDestroy, RDS is not asked to drop the automated backups with the cluster.
    assert!(deleted.contains(&"DeleteDBCluster"), "{deleted:?}");
    assert!(
        !deleted.contains(&"DeleteDBCluster with its backups"),
        "{deleted:?}"
    );
}

#[tokio::test]
async fn instances_left_without_their_cluster_are_waited_for() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    cloud.rds.world().clusters.clear();
    cloud.set_all("deleting");
    let response = run(&cloud, Action::Delete, json!({})).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    // Only the rotation function goes meanwhile; the instances are left to RDS.
    assert_eq!(
        changes(&cloud),
        ["DeleteFunction", "DeleteRolePolicy", "DeleteRole"]
    );
}

/// A cluster or instance still being created, backed up or modified: RDS refuses the delete with
/// its state fault, and the teardown waits for a later call instead of failing.
#[tokio::test]
async fn a_busy_instance_or_cluster_is_deleted_by_a_later_call() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    cloud
        .recorder
        .lock()
        .fail("DeleteDBInstance", "InvalidDBInstanceState");
    cloud
        .recorder
        .lock()
        .fail("DeleteDBInstance", "InvalidDBClusterStateFault");
    cloud.recorder.lock().fail(
        "DeleteDBCluster with its backups",
        "InvalidDBClusterStateFault",
    );
    let force = json!({"forceDestroy": true});
    let statuses = statuses_until_deleted(&cloud, force, 6).await;
    // 1: both instances refused (their own state, their cluster's); 2: both deleted; 3: the
    // cluster refused; 4: the cluster deleted; 5: the rest.
    assert_eq!(
        statuses,
        [
            Status::InProgress,
            Status::InProgress,
            Status::InProgress,
            Status::InProgress,
            Status::Deleted
        ]
    );
    let world = cloud.rds.world();
    assert!(world.clusters.is_empty() && world.instances.is_empty());
}

#[tokio::test]
async fn delete_reports_throttling_as_retryable() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    cloud.recorder.lock().fail("DeleteDBInstance", "Throttling");
    let error = run(&cloud, Action::Delete, json!({"forceDestroy": true}))
        .await
        .unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
}

#[tokio::test]
async fn delete_without_force_keeps_the_secrets_recoverable_and_the_backups() {
    let cloud = FakeCloud::default();
    let unprotected = json!({"deletionProtection": false});
    ready(&cloud, unprotected.clone()).await;
    for _ in 0..3 {
        run(&cloud, Action::Delete, unprotected.clone())
            .await
            .unwrap();
    }
    let all = changes(&cloud);
    assert!(all.contains(&"DeleteDBCluster"), "{all:?}");
    {
        let store = cloud.secrets.store();
        assert_eq!(
            store.deletions,
            [
                ("secret-db-app-pr-42".to_owned(), false),
                ("secret-api-keys-pr-42".to_owned(), false)
            ]
        );
        assert!(store.secrets.values().all(|s| s.scheduled_for_deletion));
    }
    // A second teardown leaves the scheduled secrets alone; a forced one deletes them for good.
    run(&cloud, Action::Delete, unprotected).await.unwrap();
    assert!(!changes(&cloud).contains(&"DeleteSecret"));
    run(&cloud, Action::Delete, json!({"forceDestroy": true}))
        .await
        .unwrap();
    assert_eq!(changes(&cloud), ["DeleteSecret", "DeleteSecret"]);
    assert!(cloud.secrets.store().secrets.is_empty());
}

#[tokio::test]
async fn a_role_without_its_policy_is_still_deleted_and_throttling_stops_the_teardown() {
    let cloud = FakeCloud::default();
    let force = json!({"forceDestroy": true});
    ready(&cloud, json!({})).await;
    cloud
        .roles
        .roles()
        .values_mut()
        .for_each(|role| role.policies.clear());
    for _ in 0..3 {
        run(&cloud, Action::Delete, force.clone()).await.unwrap();
    }
    assert!(cloud.roles.roles().is_empty());

    for operation in [
        "GetFunction",
        "DeleteFunction",
        "DeleteRole",
        "DeleteSecret",
    ] {
        let cloud = FakeCloud::default();
        ready(&cloud, json!({})).await;
        cloud.recorder.lock().fail(operation, "Throttling");
        let error = first_error(&cloud, Action::Delete, force.clone(), 4, operation).await;
        assert_eq!(error.error_name(), ErrorName::Retryable, "{operation}");
    }
}
