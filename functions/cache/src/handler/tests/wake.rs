//! Waking and tearing down a sleeping cache: the awake `create` makes the group again with the
//! token the secret holds and gives the secret the new endpoint; `delete` works from asleep, awake
//! or halfway (the group deleting).

use super::asleep::{asleep, asleep_outputs, slept};
use super::status::status_reading_only;
use super::*;
use crate::api::Sensitive;

const ENDPOINT_HOST: &str = "clustercfg.redis-pr-42.abc123.usw2.cache.amazonaws.com";

#[tokio::test]
async fn wake_makes_the_group_again_with_the_current_token_and_gives_the_secret_its_endpoint() {
    let fake = Fake::default();
    slept(&fake).await;
    // While asleep, a rotation made another token current, and the last group had another
    // endpoint than the next one gets.
    let token = "R0tatedT0ken".repeat(5);
    edit_secret(&fake, |secret| {
        let mut document: Value = serde_json::from_str(secret.value.expose()).unwrap();
        document["authToken"] = json!(token);
        document["host"] = json!("clustercfg.redis-pr-42.old999.usw2.cache.amazonaws.com");
        secret.value = Sensitive::new(document.to_string());
    });
    let rotation = stored_secret(&fake).rotation;
    let awake = spec(json!({}));

    let creating = run(&fake, Action::Create, &awake).await.unwrap();
    assert_eq!(creating.status, Status::InProgress);
    assert_eq!(plan(&fake).auth_token.expose(), token);
    assert_eq!(fake.recorder.lock().count("CreateReplicationGroup"), 2);
    // The secret, subnet group and slow-log group were there: none made again.
    assert_eq!(fake.recorder.lock().count("CreateSecret"), 1);
    assert_eq!(fake.recorder.lock().count("CreateCacheSubnetGroup"), 1);
    assert_eq!(fake.recorder.lock().count("CreateLogGroup"), 1);

    fake.elasticache.world().settle();
    let ready = run(&fake, Action::Create, &awake).await.unwrap();
    assert_eq!(ready.status, Status::Ready);
    assert_eq!(
        ready.outputs["cacheConfigurationEndpoint"],
        format!("{ENDPOINT_HOST}:6379")
    );
    assert_eq!(
        ready.outputs["cacheAuthSecretArn"],
        asleep_outputs()["cacheAuthSecretArn"]
    );
    assert_eq!(ready.outputs["cacheNodeIds"].as_array().unwrap().len(), 4);
    assert_eq!(
        secret_json(&fake),
        json!({"authToken": token, "replicationGroupId": "redis-pr-42", "tls": true,
               "host": ENDPOINT_HOST, "port": 6379})
    );
    // The rotation stays as it was: not turned on again.
    assert_eq!(stored_secret(&fake).rotation, rotation);
    assert_eq!(fake.recorder.lock().count("RotateSecret"), 1);
    assert_eq!(status_reading_only(&fake, &awake).await.unwrap(), ready);

    // Awake again: the secret is written once, not on every call.
    let puts = fake.recorder.lock().count("PutSecretValue");
    assert_eq!(run(&fake, Action::Create, &awake).await.unwrap(), ready);
    assert_eq!(fake.recorder.lock().count("PutSecretValue"), puts);
}

#[tokio::test]
async fn a_wake_before_the_group_is_gone_waits_for_it_then_makes_it_again() {
    let fake = Fake::default();
    created(&fake, &spec(json!({}))).await;
    run(&fake, Action::Create, &asleep()).await.unwrap();
    // ElastiCache's deletion cannot be cancelled: the awake create waits for it.
    let waiting = run(&fake, Action::Create, &spec(json!({}))).await.unwrap();
    assert_eq!(waiting, Response::new(Status::InProgress, Outputs::new()));
    assert_eq!(fake.recorder.lock().count("CreateReplicationGroup"), 1);
    fake.elasticache.world().settle();
    run(&fake, Action::Create, &spec(json!({}))).await.unwrap();
    assert_eq!(fake.recorder.lock().count("CreateReplicationGroup"), 2);
    fake.elasticache.world().settle();
    let ready = run(&fake, Action::Create, &spec(json!({}))).await.unwrap();
    assert_eq!(ready.status, Status::Ready);
}

#[tokio::test]
async fn a_cache_made_asleep_wakes_with_the_token_it_was_given_and_starts_rotating() {
    let fake = Fake::default();
    run(&fake, Action::Create, &asleep()).await.unwrap();
    let token = secret_json(&fake)["authToken"].clone();
    let ready = created(&fake, &spec(json!({}))).await;
    assert_eq!(json!(plan(&fake).auth_token.expose()), token);
    assert_eq!(
        ready.outputs["cacheConfigurationEndpoint"],
        format!("{ENDPOINT_HOST}:6379")
    );
    assert_eq!(fake.recorder.lock().count("RotateSecret"), 1);
}

#[tokio::test]
async fn delete_of_an_asleep_cache_removes_the_rest_at_once() {
    let fake = Fake::default();
    slept(&fake).await;
    let deleted = run(&fake, Action::Delete, &asleep()).await.unwrap();
    assert_eq!(deleted, Response::new(Status::Deleted, Outputs::new()));
    assert!(fake.elasticache.world().subnet_groups.is_empty());
    assert!(fake.logs.groups().is_empty());
    assert!(fake.secrets.store().secrets.is_empty());
    assert_eq!(fake.recorder.lock().count("DeleteReplicationGroup"), 1);
}

#[tokio::test]
async fn delete_halfway_to_sleep_waits_for_the_group_then_removes_the_rest() {
    let fake = Fake::default();
    created(&fake, &spec(json!({}))).await;
    run(&fake, Action::Create, &asleep()).await.unwrap();
    // Either spec: `delete` works from whatever exists.
    for spec in [asleep(), spec(json!({}))] {
        let deleting = run(&fake, Action::Delete, &spec).await.unwrap();
        assert_eq!(deleting, Response::new(Status::InProgress, Outputs::new()));
    }
    assert_eq!(fake.recorder.lock().count("DeleteReplicationGroup"), 1);
    fake.elasticache.world().settle();
    let deleted = run(&fake, Action::Delete, &asleep()).await.unwrap();
    assert_eq!(deleted.status, Status::Deleted);
    assert!(fake.secrets.store().secrets.is_empty());
    assert_eq!(
        status_reading_only(&fake, &asleep()).await.unwrap(),
        deleted
    );
}

#[tokio::test]
async fn delete_takes_a_group_gone_before_its_delete_as_deleted() {
    let fake = Fake::default();
    created(&fake, &spec(json!({}))).await;
    fake.recorder
        .lock()
        .fail("DeleteReplicationGroup", "ReplicationGroupNotFoundFault");
    let response = run(&fake, Action::Delete, &spec(json!({}))).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    fake.elasticache.world().groups.clear();
    let deleted = run(&fake, Action::Delete, &spec(json!({}))).await.unwrap();
    assert_eq!(deleted.status, Status::Deleted);
}
