//! `cacheMode: serverless`: the user, its user group and the serverless cache as `create` makes
//! them, READY once the cache is available, `status` reading the same, and the asleep shape.

use super::status::status_reading_only;
use super::*;
use crate::api::{GroupState, Sensitive};
use crate::serverless::LIMITS;
use env_core::tags::ENVIRONMENT;

const SECRET_ARN: &str =
    "arn:aws:secretsmanager:us-west-2:123456789012:secret:secret-redis-auth-pr-42-AbCdEf";
const CACHE: &str = "valkey-pr-42";
const USER: &str = "valkey-default-pr-42";
const GROUP: &str = "valkey-users-pr-42";
const HOST: &str = "valkey-pr-42-abc123.serverless.usw2.cache.amazonaws.com";

pub(super) fn serverless() -> EnvironmentSpec {
    spec(json!({"cacheMode": "serverless"}))
}

pub(super) fn serverless_asleep() -> EnvironmentSpec {
    spec(json!({"cacheMode": "serverless", "asleep": true}))
}

/// What the serverless cache answers with `endpoint` (`""` for none).
pub(super) fn serverless_outputs(endpoint: &str) -> Outputs {
    json!({
        "mode": "serverless",
        "cacheName": CACHE,
        "cacheReplicationGroupId": "",
        "cacheConfigurationEndpoint": endpoint,
        "cacheAuthSecretArn": SECRET_ARN,
        "cacheSlowLogGroup": "",
        "cacheNodeIds": []
    })
    .as_object()
    .unwrap()
    .clone()
}

/// A serverless cache `create` has finished, with `create`'s READY answer.
pub(super) async fn serverless_created(fake: &Fake) -> Response {
    // The user group is made `creating`, the cache once it is `active`, READY once available.
    for _ in 0..2 {
        run(fake, Action::Create, &serverless()).await.unwrap();
        fake.elasticache.world().settle();
    }
    let ready = run(fake, Action::Create, &serverless()).await.unwrap();
    assert_eq!(
        ready,
        Response::new(Status::Ready, serverless_outputs(&format!("{HOST}:6379")))
    );
    ready
}

#[tokio::test]
async fn create_makes_the_default_user_its_group_and_a_valkey_cache_with_bounded_use() {
    let fake = Fake::default();
    let response = run(&fake, Action::Create, &serverless()).await.unwrap();
    assert_eq!(
        response,
        Response::new(Status::InProgress, serverless_outputs(""))
    );
    assert_eq!(
        fake.recorder.lock().changes,
        [
            "CreateSecret",
            "PutResourcePolicy",
            "CreateUser",
            "CreateUserGroup"
        ]
    );
    // CreateUserGroup leaves the group `creating`, which CreateServerlessCache refuses: the cache
    // is asked for on a later call, once the group is `active`.
    assert_eq!(
        fake.elasticache.world().user_groups[GROUP].0.status,
        "creating"
    );
    let again = run(&fake, Action::Create, &serverless()).await.unwrap();
    assert_eq!(again.status, Status::InProgress);
    assert!(fake.elasticache.world().serverless_caches.is_empty());
    fake.elasticache.world().settle();
    run(&fake, Action::Create, &serverless()).await.unwrap();
    assert_eq!(
        fake.recorder.lock().changes.last().copied(),
        Some("CreateServerlessCache")
    );
    let token = secret_json(&fake)["authToken"].as_str().unwrap().to_owned();
    let world = fake.elasticache.world();
    let (_, plan) = &world.serverless_caches[CACHE];
    assert_eq!((plan.engine, plan.major_engine_version), ("valkey", "8"));
    assert_eq!(plan.limits, LIMITS);
    assert_eq!(
        (
            plan.limits.max_data_storage_gb,
            plan.limits.max_ecpu_per_second
        ),
        (5, 10_000)
    );
    assert_eq!(plan.kms_key_arn, KEY);
    assert_eq!(plan.security_group_id, "sg-cache");
    assert_eq!(plan.subnet_ids, ["subnet-a", "subnet-b", "subnet-c"]);
    assert_eq!(plan.user_group, GROUP);
    assert_eq!(plan.snapshot_retention_days, 1);
    assert_eq!(plan.daily_snapshot_time, "04:00");
    assert!(plan.tags.iter().any(|tag| tag.key == ENVIRONMENT));
    let (user, user_plan) = &world.users[USER];
    assert_eq!(user.name, "default");
    assert_eq!(user_plan.password.expose(), token);
    assert_eq!(user_plan.access_string, "on ~* &* +@all");
    assert_eq!(
        (user_plan.engine, user_plan.tags.is_empty()),
        ("valkey", false)
    );
    let (group, group_tags) = &world.user_groups[GROUP];
    assert_eq!(group.user_ids, [USER]);
    assert!(group_tags.iter().any(|tag| tag.key == ENVIRONMENT));
    // Nothing of the node-based cluster.
    assert!(world.groups.is_empty() && world.subnet_groups.is_empty());
    drop(world);
    assert!(fake.logs.groups().is_empty());
    assert_eq!(
        stored_secret(&fake).description,
        "Password of the default user of the Valkey serverless cache valkey-pr-42"
    );
}

#[tokio::test]
async fn an_available_cache_is_ready_its_secret_completed_and_never_rotated() {
    let fake = Fake::default();
    let ready = serverless_created(&fake).await;
    let secret = secret_json(&fake);
    assert_eq!(secret["host"], HOST);
    assert_eq!(secret["port"], 6379);
    assert_eq!(secret["tls"], true);
    assert_eq!(secret["serverlessCacheName"], CACHE);
    assert_eq!(secret["userId"], USER);
    assert!(secret.get("replicationGroupId").is_none(), "{secret}");
    assert_eq!(fake.recorder.lock().count("RotateSecret"), 0);
    assert_eq!(fake.recorder.lock().count("CancelRotateSecret"), 0);
    assert_eq!(fake.recorder.lock().count("GetFunction"), 0);

    // Nothing left to do: again, nothing changes, and status answers the same.
    let changes = fake.recorder.lock().changes.clone();
    let again = run(&fake, Action::Create, &serverless()).await.unwrap();
    assert_eq!(again, ready);
    let others = |changes: &[&str]| {
        changes
            .iter()
            .filter(|c| **c != "PutResourcePolicy")
            .count()
    };
    assert_eq!(others(&fake.recorder.lock().changes), others(&changes));
    let status = status_reading_only(&fake, &serverless()).await.unwrap();
    assert_eq!(status, ready);
}

#[tokio::test]
async fn status_follows_create_from_nothing_to_ready() {
    let fake = Fake::default();
    let nothing = status_reading_only(&fake, &serverless()).await.unwrap();
    assert_eq!(nothing, Response::new(Status::Deleted, Outputs::new()));

    run(&fake, Action::Create, &serverless()).await.unwrap();
    // The user group made, the cache not yet asked for: only the secret to show.
    let grouping = status_reading_only(&fake, &serverless()).await.unwrap();
    assert_eq!(grouping.status, Status::InProgress);
    assert_eq!(grouping.outputs.len(), 1, "{grouping:?}");
    fake.elasticache.world().settle();
    run(&fake, Action::Create, &serverless()).await.unwrap();
    let creating = status_reading_only(&fake, &serverless()).await.unwrap();
    assert_eq!(
        creating,
        Response::new(Status::InProgress, serverless_outputs(""))
    );
    fake.elasticache.world().settle();
    // Available, but create has not yet written the endpoint into the secret.
    let available = status_reading_only(&fake, &serverless()).await.unwrap();
    assert_eq!(available.status, Status::InProgress);
    run(&fake, Action::Create, &serverless()).await.unwrap();
    let ready = status_reading_only(&fake, &serverless()).await.unwrap();
    assert_eq!(ready.status, Status::Ready);

    // The cache gone by hand: in progress, with the secret.
    fake.elasticache.world().serverless_caches.clear();
    let without_cache = status_reading_only(&fake, &serverless()).await.unwrap();
    assert_eq!(
        without_cache,
        Response::new(
            Status::InProgress,
            json!({"cacheAuthSecretArn": SECRET_ARN})
                .as_object()
                .unwrap()
                .clone()
        )
    );
    // Only the user is left (a delete halfway): in progress, nothing to show.
    fake.elasticache.world().user_groups.clear();
    fake.secrets.store().secrets.clear();
    let partial = status_reading_only(&fake, &serverless()).await.unwrap();
    assert_eq!(partial, Response::new(Status::InProgress, Outputs::new()));
    // A cache still deleting is waited for (from nothing: a user without its secret is lost).
    fake.elasticache.world().users.clear();
    run(&fake, Action::Create, &serverless()).await.unwrap();
    fake.elasticache.world().settle();
    run(&fake, Action::Create, &serverless()).await.unwrap();
    fake.elasticache
        .world()
        .serverless_status(CACHE, "deleting");
    let deleting = status_reading_only(&fake, &serverless()).await.unwrap();
    assert_eq!(deleting, Response::new(Status::InProgress, Outputs::new()));
    let waits = run(&fake, Action::Create, &serverless()).await.unwrap();
    assert_eq!(waits.status, Status::InProgress);
}

#[tokio::test]
async fn a_cache_that_failed_or_lost_its_secret_fails_the_component() {
    let fake = Fake::default();
    run(&fake, Action::Create, &serverless()).await.unwrap();
    fake.elasticache.world().settle();
    run(&fake, Action::Create, &serverless()).await.unwrap();
    fake.elasticache
        .world()
        .serverless_status(CACHE, "create-failed");
    let failed = run(&fake, Action::Create, &serverless()).await.unwrap_err();
    assert!(
        matches!(&failed, CacheError::Failed(name) if name == CACHE),
        "{failed}"
    );
    let status = status_reading_only(&fake, &serverless()).await.unwrap_err();
    assert_eq!(status.to_string(), failed.to_string());

    let fake = Fake::default();
    serverless_created(&fake).await;
    fake.secrets.store().secrets.clear();
    let lost = status_reading_only(&fake, &serverless()).await.unwrap_err();
    assert!(
        matches!(&lost, CacheError::SecretLost(cache, secret)
            if cache == CACHE && secret == SECRET),
        "{lost}"
    );
    // A create makes no new token the user could not take: the same error, and the secret it
    // made is left for the teardown (nothing else changed).
    let created = run(&fake, Action::Create, &serverless()).await.unwrap_err();
    assert_eq!(created.to_string(), lost.to_string());
    assert_eq!(fake.recorder.lock().count("CreateServerlessCache"), 1);
    assert_eq!(fake.recorder.lock().count("CreateUser"), 1);
}

#[tokio::test]
async fn a_user_or_group_of_the_same_id_still_deleting_is_waited_for() {
    for deleting in ["user", "group"] {
        let fake = Fake::default();
        serverless_created(&fake).await;
        {
            let mut world = fake.elasticache.world();
            world.serverless_caches.clear();
            if deleting == "user" {
                world.user_groups.clear();
                world.users.get_mut(USER).unwrap().0.status = "deleting".into();
            } else {
                world.user_groups.get_mut(GROUP).unwrap().0.status = "deleting".into();
            }
        }
        let waiting = run(&fake, Action::Create, &serverless()).await.unwrap();
        assert_eq!(
            waiting,
            Response::new(Status::InProgress, serverless_outputs("")),
            "{deleting}"
        );
        assert_eq!(fake.recorder.lock().count("CreateServerlessCache"), 1);
    }
}

#[tokio::test]
async fn asleep_the_cache_is_deleted_and_the_secret_user_and_group_kept_until_woken() {
    let fake = Fake::default();
    serverless_created(&fake).await;
    let deleting = run(&fake, Action::Create, &serverless_asleep())
        .await
        .unwrap();
    assert_eq!(
        deleting,
        Response::new(Status::InProgress, serverless_outputs(""))
    );
    assert_eq!(
        fake.elasticache.world().serverless_caches[CACHE].0.state(),
        GroupState::Deleting
    );
    let still = status_reading_only(&fake, &serverless_asleep())
        .await
        .unwrap();
    assert_eq!(still.status, Status::InProgress);
    // Still deleting: asked again, it is not asked to delete twice.
    run(&fake, Action::Create, &serverless_asleep())
        .await
        .unwrap();
    assert_eq!(fake.recorder.lock().count("DeleteServerlessCache"), 1);

    fake.elasticache.world().settle();
    let asleep = run(&fake, Action::Create, &serverless_asleep())
        .await
        .unwrap();
    assert_eq!(asleep, Response::new(Status::Ready, serverless_outputs("")));
    let status = status_reading_only(&fake, &serverless_asleep())
        .await
        .unwrap();
    assert_eq!(status, asleep);
    {
        let world = fake.elasticache.world();
        assert!(world.users.contains_key(USER) && world.user_groups.contains_key(GROUP));
    }
    let token = secret_json(&fake)["authToken"].clone();

    // Awake again: the cache made anew with the same user group and token.
    run(&fake, Action::Create, &serverless()).await.unwrap();
    fake.elasticache.world().settle();
    let woken = run(&fake, Action::Create, &serverless()).await.unwrap();
    assert_eq!(woken.status, Status::Ready);
    assert_eq!(fake.recorder.lock().count("CreateServerlessCache"), 2);
    assert_eq!(fake.recorder.lock().count("CreateUser"), 1);
    assert_eq!(secret_json(&fake)["authToken"], token);
}

#[tokio::test]
async fn asleep_status_judges_what_is_left() {
    let fake = Fake::default();
    let nothing = status_reading_only(&fake, &serverless_asleep())
        .await
        .unwrap();
    assert_eq!(nothing, Response::new(Status::Deleted, Outputs::new()));
    // Asleep from the start: nothing but the secret, the user and the group is made.
    let asleep = run(&fake, Action::Create, &serverless_asleep())
        .await
        .unwrap();
    assert_eq!(asleep, Response::new(Status::Ready, serverless_outputs("")));
    assert!(fake.elasticache.world().serverless_caches.is_empty());

    // The token unreadable: the next cache's user could not log in.
    edit_secret(&fake, |secret| {
        secret.value = Sensitive::new(r#"{"password": "hunter2"}"#);
    });
    let malformed = status_reading_only(&fake, &serverless_asleep())
        .await
        .unwrap_err();
    assert!(
        matches!(malformed, CacheError::MalformedSecret(_)),
        "{malformed}"
    );
    // The user group gone: create makes it again.
    fake.elasticache.world().user_groups.clear();
    fake.elasticache.world().users.clear();
    let partial = status_reading_only(&fake, &serverless_asleep())
        .await
        .unwrap();
    assert_eq!(
        partial,
        Response::new(
            Status::InProgress,
            json!({"cacheAuthSecretArn": SECRET_ARN})
                .as_object()
                .unwrap()
                .clone()
        )
    );
}

#[tokio::test]
async fn asleep_create_asks_again_when_elasticache_cannot_delete_the_cache_yet() {
    for code in [
        "InvalidServerlessCacheStateFault",
        "ServerlessCacheNotFoundFault",
    ] {
        let fake = Fake::default();
        serverless_created(&fake).await;
        fake.recorder.lock().fail("DeleteServerlessCache", code);
        let answer = run(&fake, Action::Create, &serverless_asleep())
            .await
            .unwrap();
        assert_eq!(answer.status, Status::InProgress, "{code}");
    }
    let fake = Fake::default();
    serverless_created(&fake).await;
    fake.recorder
        .lock()
        .fail("DeleteServerlessCache", "ThrottlingException");
    let error = run(&fake, Action::Create, &serverless_asleep())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("ThrottlingException"), "{error}");
}

#[tokio::test]
async fn every_read_of_a_serverless_status_surfaces_its_aws_error() {
    let fake = Fake::default();
    serverless_created(&fake).await;
    for read in [
        "DescribeServerlessCaches",
        "DescribeSecret",
        "GetSecretValue",
        "DescribeReplicationGroups",
        "DescribeCacheSubnetGroups",
        "DescribeLogGroups",
    ] {
        fake.recorder.lock().fail(read, "AccessDenied");
        let error = status_reading_only(&fake, &serverless()).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::AwsRejected, "{read}");
        assert!(
            fake.recorder.lock().faults_answered(),
            "{read} was not called"
        );
    }
}

#[tokio::test]
async fn serverless_create_needs_the_network_outputs_before_any_call() {
    for spec in [serverless(), serverless_asleep()] {
        let fake = Fake::default();
        let error = run_with(&fake, Action::Create, &spec, Outputs::new())
            .await
            .unwrap_err();
        assert_eq!(error.error_name(), ErrorName::InvalidEvent);
        assert!(fake.recorder.lock().calls.is_empty());
    }
}

#[tokio::test]
async fn a_user_group_not_active_when_the_cache_is_asked_for_is_waited_for() {
    let fake = Fake::default();
    run(&fake, Action::Create, &serverless()).await.unwrap();
    fake.elasticache.world().settle();
    // `modifying` (as a deleted cache can leave it): no cache is asked for.
    fake.elasticache
        .world()
        .user_group_status(GROUP, "modifying");
    let waiting = run(&fake, Action::Create, &serverless()).await.unwrap();
    assert_eq!(
        waiting,
        Response::new(Status::InProgress, serverless_outputs(""))
    );
    assert_eq!(fake.recorder.lock().count("CreateServerlessCache"), 0);
    // Active when described, refused by CreateServerlessCache a moment later: asked again.
    fake.elasticache.world().settle();
    fake.recorder
        .lock()
        .fail("CreateServerlessCache", "InvalidUserGroupState");
    let refused = run(&fake, Action::Create, &serverless()).await.unwrap();
    assert_eq!(refused, waiting);
    assert!(fake.elasticache.world().serverless_caches.is_empty());
    let made = run(&fake, Action::Create, &serverless()).await.unwrap();
    assert_eq!(made.status, Status::InProgress);
    assert_eq!(fake.elasticache.world().serverless_caches.len(), 1);
}
