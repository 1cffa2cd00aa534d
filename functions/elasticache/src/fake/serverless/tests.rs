//! The in-memory serverless calls answer as ElastiCache (and the emulator) does.

use super::*;
use crate::{Sensitive, UsageLimits};
use env_core::recorder::SharedRecorder;

fn user(id: &str, name: &str) -> UserPlan {
    UserPlan {
        id: id.into(),
        name: name.into(),
        engine: "valkey",
        access_string: "on ~* +@all",
        password: Sensitive::new("a-password-of-32-characters-xyzw"),
        tags: Vec::new(),
    }
}

fn plan(group: &str) -> ServerlessPlan {
    ServerlessPlan {
        name: "valkey-pr-42".into(),
        description: "Valkey".into(),
        engine: "valkey",
        major_engine_version: "8",
        limits: UsageLimits {
            max_data_storage_gb: 5,
            max_ecpu_per_second: 10_000,
        },
        kms_key_arn: "arn:aws:kms:us-west-2:123456789012:key/k-1".into(),
        security_group_id: "sg-cache".into(),
        subnet_ids: vec!["subnet-a".into()],
        user_group: group.into(),
        snapshot_retention_days: 1,
        daily_snapshot_time: "04:00",
        tags: Vec::new(),
    }
}

fn ids(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| (*id).to_owned()).collect()
}

#[tokio::test]
async fn a_user_group_needs_existing_users_one_of_them_named_default() {
    let cache = FakeElastiCache::new(SharedRecorder::default());
    let group = "valkey-users-pr-42";
    let missing = cache
        .create_user_group(group, "valkey", &ids(&["nobody"]), &[])
        .await
        .unwrap_err();
    assert!(missing.is_code("UserNotFound"), "{missing}");
    cache.create_user(&user("app-pr-42", "app")).await.unwrap();
    let no_default = cache
        .create_user_group(group, "valkey", &ids(&["app-pr-42"]), &[])
        .await
        .unwrap_err();
    assert!(no_default.is_code("DefaultUserRequired"), "{no_default}");
    let taken = cache
        .create_user(&user("app-pr-42", "default"))
        .await
        .unwrap_err();
    assert!(taken.is_code("UserAlreadyExists"), "{taken}");

    cache
        .create_user(&user("valkey-default-pr-42", "default"))
        .await
        .unwrap();
    let members = ids(&["valkey-default-pr-42"]);
    cache
        .create_user_group(group, "valkey", &members, &[])
        .await
        .unwrap();
    let again = cache
        .create_user_group(group, "valkey", &members, &[])
        .await
        .unwrap_err();
    assert!(again.is_code("UserGroupAlreadyExists"), "{again}");
    // Made `creating`, as CreateUserGroup answers; `active` once time passes.
    let found = cache.user_group(group).await.unwrap().unwrap();
    assert_eq!(
        (found.status.as_str(), found.user_ids),
        ("creating", members.clone())
    );
    cache.world().settle();
    let found = cache.user_group(group).await.unwrap().unwrap();
    assert_eq!((found.status.as_str(), found.user_ids), ("active", members));
    // A group not active is refused to a new cache, and set back by a test at will.
    cache.world().user_group_status(group, "modifying");
    cache
        .world()
        .user_group_status("valkey-users-other", "active");
    let refused = cache
        .create_serverless_cache(&plan(group))
        .await
        .unwrap_err();
    assert!(refused.is_code("InvalidUserGroupState"), "{refused}");
    assert_eq!(cache.user_group("other").await.unwrap(), None);
    assert_eq!(
        cache
            .user("valkey-default-pr-42")
            .await
            .unwrap()
            .unwrap()
            .name,
        "default"
    );
}

#[tokio::test]
async fn a_cache_is_created_settles_and_holds_its_user_group_until_it_is_gone() {
    let recorder = SharedRecorder::default();
    let cache = FakeElastiCache::new(recorder.clone());
    let group = "valkey-users-pr-42";
    let without_group = cache
        .create_serverless_cache(&plan(group))
        .await
        .unwrap_err();
    assert!(
        without_group.is_code("UserGroupNotFound"),
        "{without_group}"
    );
    cache
        .create_user(&user("valkey-default-pr-42", "default"))
        .await
        .unwrap();
    cache
        .create_user_group(group, "valkey", &ids(&["valkey-default-pr-42"]), &[])
        .await
        .unwrap();
    assert_eq!(cache.serverless_cache("valkey-pr-42").await.unwrap(), None);
    cache.world().settle();
    cache.create_serverless_cache(&plan(group)).await.unwrap();
    let taken = cache
        .create_serverless_cache(&plan(group))
        .await
        .unwrap_err();
    assert!(
        taken.is_code("ServerlessCacheAlreadyExistsFault"),
        "{taken}"
    );
    let creating = cache
        .serverless_cache("valkey-pr-42")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (creating.state(), creating.endpoint, creating.user_group),
        (GroupState::Creating, None, Some(group.to_owned()))
    );
    // Only an available cache is deleted.
    let busy = cache
        .delete_serverless_cache("valkey-pr-42")
        .await
        .unwrap_err();
    assert!(busy.is_code("InvalidServerlessCacheStateFault"), "{busy}");

    cache.world().settle();
    let available = cache
        .serverless_cache("valkey-pr-42")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(available.state(), GroupState::Available);
    assert_eq!(available.endpoint.unwrap().1, 6379);
    assert_eq!(
        cache
            .user_group(group)
            .await
            .unwrap()
            .unwrap()
            .serverless_caches,
        ["valkey-pr-42"]
    );

    cache.delete_serverless_cache("valkey-pr-42").await.unwrap();
    // Still deleting: the group is still in use.
    let in_use = cache.delete_user_group(group).await.unwrap_err();
    assert!(in_use.is_code("InvalidUserGroupState"), "{in_use}");
    cache.world().settle();
    let gone = cache
        .delete_serverless_cache("valkey-pr-42")
        .await
        .unwrap_err();
    assert!(gone.is_code("ServerlessCacheNotFoundFault"), "{gone}");
    cache.delete_user_group(group).await.unwrap();
    let no_group = cache.delete_user_group(group).await.unwrap_err();
    assert!(no_group.is_code("UserGroupNotFound"), "{no_group}");

    cache.delete_user("valkey-default-pr-42").await.unwrap();
    let deleting = cache.user("valkey-default-pr-42").await.unwrap().unwrap();
    assert!(deleting.deleting());
    cache.world().settle();
    assert_eq!(cache.user("valkey-default-pr-42").await.unwrap(), None);
    let no_user = cache.delete_user("valkey-default-pr-42").await.unwrap_err();
    assert!(no_user.is_code("UserNotFound"), "{no_user}");
}

#[tokio::test]
async fn time_moves_a_cache_to_the_status_a_test_names() {
    let cache = FakeElastiCache::new(SharedRecorder::default());
    cache
        .create_user(&user("valkey-default-pr-42", "default"))
        .await
        .unwrap();
    cache
        .create_user_group("g", "valkey", &ids(&["valkey-default-pr-42"]), &[])
        .await
        .unwrap();
    cache.world().user_group_status("g", "active");
    cache.create_serverless_cache(&plan("g")).await.unwrap();
    cache
        .world()
        .serverless_status("valkey-pr-42", "create-failed");
    // A cache that is not there changes nothing.
    cache.world().serverless_status("valkey-other", "available");
    let failed = cache
        .serverless_cache("valkey-pr-42")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(failed.state(), GroupState::CreateFailed);
    assert_eq!(cache.world().serverless_caches.len(), 1);
}
