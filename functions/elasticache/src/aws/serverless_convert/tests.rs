//! DescribeServerlessCaches', DescribeUsers' and DescribeUserGroups' answers read into the plain
//! types, each required member checked, and the usage limits written as CreateServerlessCache
//! takes them.

use super::*;
use crate::GroupState;

#[test]
fn a_cache_is_read_with_its_endpoint_and_user_group_once_assigned() {
    let described = ec::ServerlessCache::builder()
        .serverless_cache_name("valkey-pr-42")
        .status("available")
        .endpoint(
            ec::Endpoint::builder()
                .address("valkey-pr-42-abc123.serverless.usw2.cache.amazonaws.com")
                .port(6379)
                .build(),
        )
        .user_group_id("valkey-users-pr-42")
        .build();
    let read = cache_of(&described).unwrap();
    assert_eq!(
        read,
        ServerlessCache {
            name: "valkey-pr-42".into(),
            status: "available".into(),
            endpoint: Some((
                "valkey-pr-42-abc123.serverless.usw2.cache.amazonaws.com".into(),
                6379
            )),
            user_group: Some("valkey-users-pr-42".into()),
        }
    );
    assert_eq!(read.state(), GroupState::Available);

    let creating = ec::ServerlessCache::builder()
        .serverless_cache_name("valkey-pr-42")
        .status("creating")
        .endpoint(ec::Endpoint::builder().port(6379).build())
        .build();
    let read = cache_of(&creating).unwrap();
    assert_eq!((read.endpoint, read.user_group), (None, None));
}

#[test]
fn a_cache_without_its_name_or_status_is_refused_naming_the_member() {
    let without_status = ec::ServerlessCache::builder()
        .serverless_cache_name("valkey-pr-42")
        .build();
    let error = cache_of(&without_status).unwrap_err();
    assert!(
        error.to_string().contains("ServerlessCache.Status"),
        "{error}"
    );
    let error = cache_of(&ec::ServerlessCache::builder().build()).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("ServerlessCache.ServerlessCacheName"),
        "{error}"
    );
}

#[test]
fn a_user_is_read_and_each_missing_member_is_named() {
    let user = ec::User::builder()
        .user_id("valkey-default-pr-42")
        .user_name("default")
        .status("deleting")
        .build();
    let read = user_of(&user).unwrap();
    assert_eq!(
        read,
        CacheUser {
            id: "valkey-default-pr-42".into(),
            name: "default".into(),
            status: "deleting".into(),
        }
    );
    assert!(read.deleting());
    for (user, member) in [
        (ec::User::builder().build(), "User.UserId"),
        (ec::User::builder().user_id("u").build(), "User.UserName"),
        (
            ec::User::builder()
                .user_id("u")
                .user_name("default")
                .build(),
            "User.Status",
        ),
    ] {
        let error = user_of(&user).unwrap_err();
        assert!(error.to_string().contains(member), "{error}");
    }
}

#[test]
fn a_user_group_is_read_with_its_users_and_caches() {
    let group = ec::UserGroup::builder()
        .user_group_id("valkey-users-pr-42")
        .status("active")
        .user_ids("valkey-default-pr-42")
        .serverless_caches("valkey-pr-42")
        .build();
    let read = group_of_users(&group).unwrap();
    assert_eq!(
        read,
        UserGroup {
            id: "valkey-users-pr-42".into(),
            status: "active".into(),
            user_ids: vec!["valkey-default-pr-42".into()],
            serverless_caches: vec!["valkey-pr-42".into()],
        }
    );
    assert!(!read.deleting());
    let error = group_of_users(&ec::UserGroup::builder().build()).unwrap_err();
    assert!(
        error.to_string().contains("UserGroup.UserGroupId"),
        "{error}"
    );
    let error = group_of_users(&ec::UserGroup::builder().user_group_id("g").build()).unwrap_err();
    assert!(error.to_string().contains("UserGroup.Status"), "{error}");
}

#[test]
fn the_limits_are_maximums_in_gb_and_ecpus_without_a_minimum() {
    let written = usage_limits(UsageLimits {
        max_data_storage_gb: 5,
        max_ecpu_per_second: 10_000,
    });
    let storage = written.data_storage().unwrap();
    assert_eq!(
        (storage.maximum(), storage.minimum(), storage.unit()),
        (Some(5), None, Some(&ec::DataStorageUnit::Gb))
    );
    let ecpu = written.ecpu_per_second().unwrap();
    assert_eq!((ecpu.maximum(), ecpu.minimum()), (Some(10_000), None));
}
