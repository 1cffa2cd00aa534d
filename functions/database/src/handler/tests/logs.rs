//! The log groups RDS and Lambda would make: made first, with the environment's key and 14 days,
//! put back when changed, and deleted with the rest.

use super::*;
use ::log_groups::fake::StoredLogGroup;

#[tokio::test]
async fn the_log_groups_rds_and_lambda_would_make_are_made_first_with_the_key_and_14_days() {
    let cloud = FakeCloud::default();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    let keyed_for_14_days = |group: &StoredLogGroup| {
        assert_eq!(group.kms_key_arn.as_deref(), Some(KEY));
        assert_eq!(group.retention_days, Some(14));
        assert!(group.tags.iter().any(|tag| tag.value == "pr-42"));
    };
    // The export's group exists before CreateDBCluster is asked for.
    {
        let groups = cloud.logs.groups();
        keyed_for_14_days(&groups["/aws/rds/cluster/aurora-pr-42/postgresql"]);
        assert!(!groups.contains_key("/aws/lambda/rotation-pr-42"));
    }
    ready(&cloud, json!({})).await;
    let groups = cloud.logs.groups();
    keyed_for_14_days(&groups["/aws/lambda/rotation-pr-42"]);
    assert_eq!(groups.len(), 2);
}

#[tokio::test]
async fn a_retention_changed_by_hand_is_put_back_and_a_refused_group_stops_the_cluster() {
    // (A group a concurrent call made meanwhile: log_groups_first's tests.)
    let cloud = FakeCloud::default();
    let export = "/aws/rds/cluster/aurora-pr-42/postgresql";
    run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(changes(&cloud).last(), Some(&"CreateDBCluster"));
    cloud.logs.groups().get_mut(export).unwrap().retention_days = Some(3653);
    run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(cloud.logs.groups()[export].retention_days, Some(14));
    // A refusal other than "already exists" stops the call before the cluster.
    let fresh = FakeCloud::default();
    fresh
        .recorder
        .lock()
        .fail("CreateLogGroup", "AccessDeniedException");
    let error = run(&fresh, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
    assert!(fresh.rds.world().clusters.is_empty());
}

#[tokio::test]
async fn a_log_group_gone_between_describe_and_delete_is_no_error() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({"deletionProtection": false})).await;
    cloud.rds.world().instances.clear();
    cloud.rds.world().clusters.clear();
    cloud
        .recorder
        .lock()
        .fail("DeleteLogGroup", "ResourceNotFoundException");
    let response = run(&cloud, Action::Delete, json!({"deletionProtection": false}))
        .await
        .unwrap();
    assert_eq!(response.status, Status::Deleted);
    cloud
        .recorder
        .lock()
        .fail("DescribeLogGroups", "ThrottlingException");
    let error = run(&cloud, Action::Delete, json!({"deletionProtection": false}))
        .await
        .unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
}

#[tokio::test]
async fn a_group_aws_made_without_the_key_gets_the_environments_key() {
    let cloud = FakeCloud::default();
    let export = "/aws/rds/cluster/aurora-pr-42/postgresql";
    // As RDS leaves it for a cluster made before the function made the group: no key, kept forever.
    let unkeyed = StoredLogGroup {
        kms_key_arn: None,
        retention_days: None,
        tags: Vec::new(),
    };
    cloud.logs.groups().insert(export.to_owned(), unkeyed);
    run(&cloud, Action::Create, json!({})).await.unwrap();
    assert!(changes(&cloud).contains(&"AssociateKmsKey"));
    assert_eq!(
        cloud.logs.groups()[export],
        StoredLogGroup {
            kms_key_arn: Some(KEY.to_owned()),
            retention_days: Some(14),
            tags: Vec::new()
        }
    );
    // Once it has the key, nothing more is asked of it.
    run(&cloud, Action::Create, json!({})).await.unwrap();
    assert!(!changes(&cloud).contains(&"AssociateKmsKey"));
}
