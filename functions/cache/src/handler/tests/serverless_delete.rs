//! `delete` of the serverless shape (the cache, then the user group once no cache uses it, then the
//! user, then the secret), and a change of `cacheMode`: the wanted shape made, the other removed.

use super::serverless::{serverless, serverless_created};
use super::status::status_reading_only;
use super::*;

#[tokio::test]
async fn delete_removes_the_cache_then_the_group_then_the_user_then_the_secret() {
    let fake = Fake::default();
    serverless_created(&fake).await;
    let before = fake.recorder.lock().changes.len();
    let mut answers = Vec::new();
    for _ in 0..8 {
        let answer = run(&fake, Action::Delete, &serverless()).await.unwrap();
        answers.push(answer.status);
        if answer.status == Status::Deleted {
            break;
        }
        // Asked again before ElastiCache moved on: nothing is asked twice.
        run(&fake, Action::Delete, &serverless()).await.unwrap();
        fake.elasticache.world().settle();
    }
    assert_eq!(answers.last(), Some(&Status::Deleted), "{answers:?}");
    assert_eq!(
        &fake.recorder.lock().changes[before..],
        [
            "DeleteServerlessCache",
            "DeleteUserGroup",
            "DeleteUser",
            "DeleteSecret"
        ]
    );
    {
        let world = fake.elasticache.world();
        assert!(world.serverless_caches.is_empty() && world.users.is_empty());
        assert!(world.user_groups.is_empty());
    }
    assert!(fake.secrets.store().secrets.is_empty());
    let status = status_reading_only(&fake, &serverless()).await.unwrap();
    assert_eq!(status, Response::new(Status::Deleted, Outputs::new()));
}

#[tokio::test]
async fn delete_waits_for_what_elasticache_cannot_delete_yet() {
    let waits = [
        ("DeleteServerlessCache", "InvalidServerlessCacheStateFault"),
        ("DeleteUserGroup", "InvalidUserGroupState"),
        ("DeleteUserGroup", "UserGroupNotFound"),
        ("DeleteUser", "InvalidUserState"),
        ("DeleteUser", "UserNotFound"),
    ];
    for (operation, code) in waits {
        let fake = Fake::default();
        serverless_created(&fake).await;
        fake.recorder.lock().fail(operation, code);
        let mut deleted = false;
        for _ in 0..10 {
            let answer = run(&fake, Action::Delete, &serverless()).await.unwrap();
            fake.elasticache.world().settle();
            deleted = answer.status == Status::Deleted;
            if deleted {
                break;
            }
        }
        assert!(deleted, "{operation} {code}");
        assert!(fake.recorder.lock().faults_answered(), "{operation} {code}");
    }
}

#[tokio::test]
async fn any_other_refusal_fails_the_delete() {
    for operation in ["DeleteServerlessCache", "DeleteUserGroup", "DeleteUser"] {
        let fake = Fake::default();
        serverless_created(&fake).await;
        fake.recorder.lock().fail(operation, "ThrottlingException");
        let mut failed = None;
        for _ in 0..6 {
            match run(&fake, Action::Delete, &serverless()).await {
                Ok(_) => fake.elasticache.world().settle(),
                Err(error) => {
                    failed = Some(error);
                    break;
                }
            }
        }
        let error = failed.expect("the refusal reaches the caller");
        assert!(
            error.to_string().contains("ThrottlingException"),
            "{operation}: {error}"
        );
    }
}

#[tokio::test]
async fn switching_a_cluster_to_serverless_makes_the_cache_and_removes_the_cluster() {
    let fake = Fake::default();
    let cluster = spec(json!({}));
    created(&fake, &cluster).await;
    let token = secret_json(&fake)["authToken"].clone();

    let first = run(&fake, Action::Create, &serverless()).await.unwrap();
    assert_eq!(first.status, Status::InProgress);
    assert_eq!(fake.recorder.lock().count("DeleteReplicationGroup"), 1);
    // The cluster's rotation is turned off before the user takes the token, made on the next call.
    assert_eq!(fake.recorder.lock().count("CancelRotateSecret"), 1);
    assert_eq!(fake.recorder.lock().count("CreateUser"), 0);
    run(&fake, Action::Create, &serverless()).await.unwrap();
    // The user group is `creating`: the cache is asked for once it is active.
    assert_eq!(fake.recorder.lock().count("CreateServerlessCache"), 0);
    fake.elasticache.world().settle();
    run(&fake, Action::Create, &serverless()).await.unwrap();
    assert_eq!(fake.recorder.lock().count("CreateServerlessCache"), 1);
    fake.elasticache.world().settle();
    // The cache is available, and the group gone, but its subnet group goes in this call.
    let mut answer = run(&fake, Action::Create, &serverless()).await.unwrap();
    for _ in 0..3 {
        if answer.status == Status::Ready {
            break;
        }
        let status = status_reading_only(&fake, &serverless()).await.unwrap();
        assert_eq!(status.status, Status::InProgress);
        fake.elasticache.world().settle();
        answer = run(&fake, Action::Create, &serverless()).await.unwrap();
    }
    assert_eq!(answer.status, Status::Ready);
    assert_eq!(answer.outputs["mode"], "serverless");
    {
        let world = fake.elasticache.world();
        assert!(world.groups.is_empty() && world.subnet_groups.is_empty());
    }
    assert!(fake.logs.groups().is_empty());
    // The same token: the application's AUTH works unchanged.
    assert_eq!(secret_json(&fake)["authToken"], token);
    let status = status_reading_only(&fake, &serverless()).await.unwrap();
    assert_eq!(status, answer);
}

#[tokio::test]
async fn switching_serverless_back_to_a_cluster_removes_the_cache_its_group_and_user() {
    let fake = Fake::default();
    serverless_created(&fake).await;
    let cluster = spec(json!({}));
    run(&fake, Action::Create, &cluster).await.unwrap();
    assert_eq!(fake.recorder.lock().count("DeleteServerlessCache"), 1);
    available_with_the_rotation_function(&fake);
    let mut answer = run(&fake, Action::Create, &cluster).await.unwrap();
    for _ in 0..4 {
        if answer.status == Status::Ready {
            break;
        }
        let status = status_reading_only(&fake, &cluster).await.unwrap();
        assert_eq!(status.status, Status::InProgress);
        fake.elasticache.world().settle();
        answer = run(&fake, Action::Create, &cluster).await.unwrap();
    }
    assert_eq!(answer.status, Status::Ready);
    {
        let world = fake.elasticache.world();
        assert!(world.serverless_caches.is_empty() && world.user_groups.is_empty());
        assert!(world.users.is_empty());
    }
    let secret = secret_json(&fake);
    assert_eq!(secret["replicationGroupId"], "redis-pr-42");
    assert!(secret.get("serverlessCacheName").is_none(), "{secret}");
}

#[tokio::test]
async fn nothing_counts_as_deleted_while_the_other_shape_has_something_left() {
    let fake = Fake::default();
    serverless_created(&fake).await;
    {
        let mut world = fake.elasticache.world();
        world.serverless_caches.clear();
        world.user_groups.clear();
    }
    fake.secrets.store().secrets.clear();
    // The cluster's status: no group, subnet group, slow log or secret, but the user is left.
    let status = status_reading_only(&fake, &spec(json!({}))).await.unwrap();
    assert_eq!(status, Response::new(Status::InProgress, Outputs::new()));
}

#[tokio::test]
async fn a_user_group_already_deleting_is_waited_for() {
    let fake = Fake::default();
    serverless_created(&fake).await;
    {
        let mut world = fake.elasticache.world();
        world.serverless_caches.clear();
        let group = &mut world.user_groups.get_mut("valkey-users-pr-42").unwrap().0;
        group.status = "deleting".into();
    }
    let waiting = run(&fake, Action::Delete, &serverless()).await.unwrap();
    assert_eq!(waiting.status, Status::InProgress);
    assert_eq!(fake.recorder.lock().count("DeleteUserGroup"), 0);
    assert_eq!(fake.recorder.lock().count("DeleteUser"), 0);
}
