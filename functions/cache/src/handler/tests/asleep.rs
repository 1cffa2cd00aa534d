//! The asleep shape: `create` deletes the replication group and keeps the token secret (its token
//! and rotation), the subnet group and the slow-log group, READY once the group is gone; `status`
//! judges that shape, reading only.

use super::status::status_reading_only;
use super::*;
use crate::api::{GroupState, Sensitive};

const SECRET_ARN: &str =
    "arn:aws:secretsmanager:us-west-2:123456789012:secret:secret-redis-auth-pr-42-AbCdEf";
const SLOW_LOG: &str = "/aws/vendedlogs/elasticache/redis-slow-log-pr-42";

/// The default spec, asleep.
pub(super) fn asleep() -> EnvironmentSpec {
    spec(json!({"asleep": true}))
}

/// What an asleep cache answers: its names, no endpoint and no node.
pub(super) fn asleep_outputs() -> Outputs {
    let outputs = json!({
        "mode": "cluster",
        "cacheReplicationGroupId": "redis-pr-42",
        "cacheConfigurationEndpoint": "",
        "cacheAuthSecretArn": SECRET_ARN,
        "cacheSlowLogGroup": SLOW_LOG,
        "cacheNodeIds": []
    });
    outputs.as_object().unwrap().clone()
}

/// An awake cache put to sleep: READY awake, then asleep `create` until READY.
pub(super) async fn slept(fake: &Fake) -> Response {
    created(fake, &spec(json!({}))).await;
    run(fake, Action::Create, &asleep()).await.unwrap();
    fake.elasticache.world().settle();
    let ready = run(fake, Action::Create, &asleep()).await.unwrap();
    assert_eq!(ready, Response::new(Status::Ready, asleep_outputs()));
    ready
}

#[tokio::test]
async fn asleep_create_deletes_the_group_and_keeps_the_secret_subnet_group_and_slow_log() {
    let fake = Fake::default();
    created(&fake, &spec(json!({}))).await;
    let secret = stored_secret(&fake);

    let deleting = run(&fake, Action::Create, &asleep()).await.unwrap();
    assert_eq!(
        deleting,
        Response::new(Status::InProgress, asleep_outputs())
    );
    assert_eq!(
        fake.elasticache.world().groups["redis-pr-42"].0.state(),
        GroupState::Deleting
    );
    // Still deleting: asked again, it is not asked to delete twice.
    let again = run(&fake, Action::Create, &asleep()).await.unwrap();
    assert_eq!(again, deleting);
    assert_eq!(fake.recorder.lock().count("DeleteReplicationGroup"), 1);

    fake.elasticache.world().settle();
    let ready = run(&fake, Action::Create, &asleep()).await.unwrap();
    assert_eq!(ready, Response::new(Status::Ready, asleep_outputs()));
    let typed: env_core::outputs::CacheOutputs = example::read_as(&ready.outputs);
    assert!(typed.cache_configuration_endpoint.is_empty() && typed.cache_node_ids.is_empty());
    assert!(fake.elasticache.world().groups.is_empty());
    assert!(fake
        .elasticache
        .world()
        .subnet_groups
        .contains_key("redis-subnets-pr-42"));
    assert!(fake.logs.groups().contains_key(SLOW_LOG));
    // The secret as it was: the same token, connection details and rotation.
    assert_eq!(stored_secret(&fake), secret);

    // Asleep again: the same answer, nothing made, deleted, rotated or rewritten.
    let changes = fake.recorder.lock().changes.len();
    assert_eq!(run(&fake, Action::Create, &asleep()).await.unwrap(), ready);
    let recorder = fake.recorder.lock();
    for change in &recorder.changes[changes..] {
        assert!(
            ["PutRetentionPolicy", "PutResourcePolicy"].contains(change),
            "asleep create again made {change}"
        );
    }
    assert_eq!(recorder.count("PutSecretValue"), 1);
    assert_eq!(recorder.count("RotateSecret"), 1);
    drop(recorder);
    assert_eq!(stored_secret(&fake), secret);
}

#[tokio::test]
async fn asleep_create_from_nothing_makes_the_rest_and_no_group() {
    let fake = Fake::default();
    let ready = run(&fake, Action::Create, &asleep()).await.unwrap();
    assert_eq!(ready, Response::new(Status::Ready, asleep_outputs()));
    let changes = fake.recorder.lock().changes.clone();
    assert_eq!(
        changes,
        [
            "CreateSecret",
            "PutResourcePolicy",
            "CreateCacheSubnetGroup",
            "CreateLogGroup",
            "PutRetentionPolicy",
            "PutResourcePolicy"
        ]
    );
    // A token for the group a wake makes; no rotation until there is a group to rotate it on.
    assert_eq!(secret_json(&fake)["authToken"].as_str().unwrap().len(), 64);
    assert_eq!(stored_secret(&fake).rotation, Rotation::default());
    assert_eq!(status_reading_only(&fake, &asleep()).await.unwrap(), ready);
}

#[tokio::test]
async fn asleep_create_needs_the_network_outputs_like_create() {
    let fake = Fake::default();
    let error = run_with(&fake, Action::Create, &asleep(), Outputs::new())
        .await
        .unwrap_err();
    assert_eq!(error.error_name(), ErrorName::InvalidEvent);
    assert!(fake.recorder.lock().calls.is_empty());
}

#[tokio::test]
async fn asleep_create_waits_for_a_group_elasticache_cannot_delete_yet() {
    let fake = Fake::default();
    created(&fake, &spec(json!({}))).await;
    // Modifying (a token rotation) or snapshotting: refused until available again.
    fake.elasticache
        .world()
        .group_status("redis-pr-42", "snapshotting");
    fake.recorder
        .lock()
        .fail("DeleteReplicationGroup", "InvalidReplicationGroupState");
    let waiting = run(&fake, Action::Create, &asleep()).await.unwrap();
    assert_eq!(waiting, Response::new(Status::InProgress, asleep_outputs()));
    assert_eq!(
        fake.elasticache.world().groups["redis-pr-42"].0.state(),
        GroupState::Modifying
    );
    // Available again: asked again, and deleted.
    fake.elasticache
        .world()
        .group_status("redis-pr-42", "available");
    run(&fake, Action::Create, &asleep()).await.unwrap();
    assert_eq!(fake.recorder.lock().count("DeleteReplicationGroup"), 1);

    // Any other refusal is the caller's to see.
    let fake = Fake::default();
    created(&fake, &spec(json!({}))).await;
    fake.recorder
        .lock()
        .fail("DeleteReplicationGroup", "AccessDenied");
    let error = run(&fake, Action::Create, &asleep()).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
}

#[tokio::test]
async fn asleep_create_takes_a_group_gone_before_its_delete_as_deleted() {
    let fake = Fake::default();
    created(&fake, &spec(json!({}))).await;
    // Described, then gone before DeleteReplicationGroup reached it.
    fake.recorder
        .lock()
        .fail("DeleteReplicationGroup", "ReplicationGroupNotFoundFault");
    let response = run(&fake, Action::Create, &asleep()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    fake.elasticache.world().groups.clear();
    let ready = run(&fake, Action::Create, &asleep()).await.unwrap();
    assert_eq!(ready.status, Status::Ready);
}

#[tokio::test]
async fn asleep_create_deletes_a_group_that_failed_to_create_instead_of_failing() {
    let fake = Fake::default();
    run(&fake, Action::Create, &spec(json!({}))).await.unwrap();
    fake.elasticache
        .world()
        .group_status("redis-pr-42", "create-failed");
    // Asleep, a failed group is one more group to remove, not a failure: status agrees.
    let seen = status_reading_only(&fake, &asleep()).await.unwrap();
    assert_eq!(seen.status, Status::InProgress);
    let response = run(&fake, Action::Create, &asleep()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(fake.recorder.lock().count("DeleteReplicationGroup"), 1);
}

#[tokio::test]
async fn status_of_an_asleep_cache_is_ready_only_once_the_group_is_gone_and_the_rest_is_there() {
    let fake = Fake::default();
    created(&fake, &spec(json!({}))).await;
    let partial = Outputs::from_iter([
        ("cacheAuthSecretArn".into(), json!(SECRET_ARN)),
        ("cacheSlowLogGroup".into(), json!(SLOW_LOG)),
    ]);
    // The group still there, available: `create` has it to delete.
    let awake_group = status_reading_only(&fake, &asleep()).await.unwrap();
    assert_eq!(
        awake_group,
        Response::new(Status::InProgress, partial.clone())
    );
    run(&fake, Action::Create, &asleep()).await.unwrap();
    let deleting = status_reading_only(&fake, &asleep()).await.unwrap();
    assert_eq!(deleting, Response::new(Status::InProgress, partial.clone()));

    fake.elasticache.world().settle();
    let ready = run(&fake, Action::Create, &asleep()).await.unwrap();
    assert_eq!(status_reading_only(&fake, &asleep()).await.unwrap(), ready);
    // An awake spec sees a cache whose group `create` has to make again.
    let awake = status_reading_only(&fake, &spec(json!({}))).await.unwrap();
    assert_eq!(awake, Response::new(Status::InProgress, partial.clone()));

    // Part of the rest gone: `create` has work left.
    fake.logs.groups().clear();
    let without_log = status_reading_only(&fake, &asleep()).await.unwrap();
    let secret_only = Outputs::from_iter([("cacheAuthSecretArn".into(), json!(SECRET_ARN))]);
    assert_eq!(
        without_log,
        Response::new(Status::InProgress, secret_only.clone())
    );
    run(&fake, Action::Create, &asleep()).await.unwrap();
    fake.elasticache.world().subnet_groups.clear();
    let without_subnets = status_reading_only(&fake, &asleep()).await.unwrap();
    assert_eq!(
        without_subnets,
        Response::new(Status::InProgress, partial.clone())
    );
    run(&fake, Action::Create, &asleep()).await.unwrap();
    schedule_secret_deletion(&fake);
    let secret_going = status_reading_only(&fake, &asleep()).await.unwrap();
    let slow_log_only = Outputs::from_iter([("cacheSlowLogGroup".into(), json!(SLOW_LOG))]);
    assert_eq!(
        secret_going,
        Response::new(Status::InProgress, slow_log_only)
    );
    // `create` restores it, with the token the next group takes.
    assert_eq!(run(&fake, Action::Create, &asleep()).await.unwrap(), ready);
    assert_eq!(fake.recorder.lock().count("RestoreSecret"), 1);

    // A secret without a token fails as `create` fails.
    edit_secret(&fake, |secret| {
        secret.value = Sensitive::new(r#"{"password": "hunter2"}"#);
    });
    let malformed = status_reading_only(&fake, &asleep()).await.unwrap_err();
    let create = run(&fake, Action::Create, &asleep()).await.unwrap_err();
    assert_eq!(malformed.to_string(), create.to_string());
    assert_eq!(malformed.error_name(), ErrorName::ComponentFailed);

    // Nothing left: DELETED.
    let empty = Fake::default();
    let deleted = status_reading_only(&empty, &asleep()).await.unwrap();
    assert_eq!(deleted, Response::new(Status::Deleted, Outputs::new()));
}

#[tokio::test]
async fn every_read_of_an_asleep_status_surfaces_its_aws_error() {
    let fake = Fake::default();
    slept(&fake).await;
    for read in [
        "DescribeReplicationGroups",
        "DescribeCacheSubnetGroups",
        "DescribeLogGroups",
        "DescribeSecret",
        "GetSecretValue",
    ] {
        fake.recorder.lock().fail(read, "AccessDenied");
        let error = status_reading_only(&fake, &asleep()).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::AwsRejected, "{read}");
        assert!(
            fake.recorder.lock().faults_answered(),
            "{read} was not called"
        );
    }
}
