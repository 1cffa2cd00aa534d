//! `status` reads and never changes anything: it answers how far `create` got.

use super::*;
use crate::api::Sensitive;
use elasticache::fake::SubnetGroup;

const SECRET_ARN: &str =
    "arn:aws:secretsmanager:us-west-2:123456789012:secret:secret-redis-auth-pr-42-AbCdEf";
const SLOW_LOG: &str = "/aws/vendedlogs/elasticache/redis-slow-log-pr-42";

/// The only calls `status` may make: describes and reads.
const READS: [&str; 8] = [
    "DescribeReplicationGroups",
    "DescribeCacheSubnetGroups",
    "DescribeLogGroups",
    "DescribeSecret",
    "GetSecretValue",
    "DescribeServerlessCaches",
    "DescribeUserGroups",
    "DescribeUsers",
];

/// Everything the fake holds, secret values included (their `Debug` hides them).
fn resources(fake: &Fake) -> String {
    let world = {
        let world = fake.elasticache.world();
        format!(
            "{:?}",
            (
                &world.groups,
                &world.subnet_groups,
                &world.serverless_caches,
                &world.users,
                &world.user_groups
            )
        )
    };
    let logs = format!("{:?}", &*fake.logs.groups());
    let secrets = {
        let store = fake.secrets.store();
        let values: Vec<&str> = store
            .secrets
            .values()
            .map(|stored| stored.value.expose())
            .collect();
        format!("{:?}", (&*store, values))
    };
    format!("{world} {logs} {secrets}")
}

/// `status`, checked to have only read: the same resources after as before, no change recorded,
/// and every call one of [`READS`].
pub(super) async fn status_reading_only(
    fake: &Fake,
    spec: &EnvironmentSpec,
) -> Result<Response, CacheError> {
    let before = resources(fake);
    let (changes, calls) = {
        let recorder = fake.recorder.lock();
        (recorder.changes.clone(), recorder.calls.len())
    };
    let answer = run(fake, Action::Status, spec).await;
    assert_eq!(resources(fake), before, "status changed a resource");
    let recorder = fake.recorder.lock();
    assert_eq!(recorder.changes, changes, "status changed something");
    for call in &recorder.calls[calls..] {
        assert!(READS.contains(call), "status called {call}");
    }
    answer
}

#[tokio::test]
async fn status_of_nothing_is_deleted_needs_no_outputs_and_creates_nothing() {
    let fake = Fake::default();
    let response = run_with(&fake, Action::Status, &spec(json!({})), Outputs::new())
        .await
        .unwrap();
    assert_eq!(response, Response::new(Status::Deleted, Outputs::new()));
    assert!(fake.secrets.store().secrets.is_empty());
    let world = fake.elasticache.world();
    let recorder = fake.recorder.lock();
    assert!(recorder.changes.is_empty());
    assert!(
        world.groups.is_empty() && world.subnet_groups.is_empty() && fake.logs.groups().is_empty()
    );
    assert_eq!(
        recorder.calls,
        [
            "DescribeReplicationGroups",
            "DescribeCacheSubnetGroups",
            "DescribeLogGroups",
            "DescribeSecret",
            "DescribeServerlessCaches",
            "DescribeUserGroups",
            "DescribeUsers"
        ]
    );
}

#[tokio::test]
async fn status_counts_a_secret_scheduled_for_deletion_as_gone_like_delete_does() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    created(&fake, &spec).await;
    fake.elasticache.world().groups.clear();
    fake.elasticache.world().subnet_groups.clear();
    fake.logs.groups().clear();
    schedule_secret_deletion(&fake);
    let response = status_reading_only(&fake, &spec).await.unwrap();
    assert_eq!(response, Response::new(Status::Deleted, Outputs::new()));
}

#[tokio::test]
async fn status_after_a_complete_create_answers_exactly_what_create_answered() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    let ready = created(&fake, &spec).await;
    let response = status_reading_only(&fake, &spec).await.unwrap();
    assert_eq!(response, ready);
    assert_eq!(response.status, Status::Ready);
    assert_eq!(
        response.outputs["cacheConfigurationEndpoint"],
        "clustercfg.redis-pr-42.abc123.usw2.cache.amazonaws.com:6379"
    );
    assert_eq!(response.outputs["cacheAuthSecretArn"], SECRET_ARN);
    assert_eq!(response.outputs["cacheSlowLogGroup"], SLOW_LOG);
    assert_eq!(response.outputs["mode"], "cluster");
    assert_eq!(response.outputs.len(), 6);

    // Torn down: DELETED, as `delete` last answered.
    run(&fake, Action::Delete, &spec).await.unwrap();
    fake.elasticache.world().settle();
    let deleted = run(&fake, Action::Delete, &spec).await.unwrap();
    assert_eq!(deleted.status, Status::Deleted);
    assert_eq!(status_reading_only(&fake, &spec).await.unwrap(), deleted);
}

#[tokio::test]
async fn status_while_the_group_is_being_made_is_in_progress_and_finishes_nothing() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    run(&fake, Action::Create, &spec).await.unwrap();

    // Creating: the group's outputs so far, no endpoint yet.
    let creating = status_reading_only(&fake, &spec).await.unwrap();
    assert_eq!(creating.status, Status::InProgress);
    assert_eq!(creating.outputs["cacheReplicationGroupId"], "redis-pr-42");
    assert_eq!(creating.outputs["cacheAuthSecretArn"], SECRET_ARN);
    assert!(!creating.outputs.contains_key("cacheConfigurationEndpoint"));
    assert_eq!(
        creating.outputs["cacheNodeIds"].as_array().unwrap().len(),
        4
    );
    fake.elasticache
        .world()
        .group_status("redis-pr-42", "modifying");
    let modifying = status_reading_only(&fake, &spec).await.unwrap();
    assert_eq!(modifying, creating);

    // Available, but the secret lacks the connection details and nothing rotates it yet, even with
    // the rotation function there: `create` has work left, which `status` leaves to it.
    available_with_the_rotation_function(&fake);
    let available = status_reading_only(&fake, &spec).await.unwrap();
    assert_eq!(available.status, Status::InProgress);
    assert_eq!(
        available.outputs["cacheConfigurationEndpoint"],
        "clustercfg.redis-pr-42.abc123.usw2.cache.amazonaws.com:6379"
    );
    assert!(secret_json(&fake).get("host").is_none());
    assert_eq!(stored_secret(&fake).rotation, Rotation::default());

    // Completed but rotating with another function: `create` would put ours back.
    let ready = run(&fake, Action::Create, &spec).await.unwrap();
    assert_eq!(ready.status, Status::Ready);
    edit_secret(&fake, |secret| {
        secret.rotation = rotating_with("arn:aws:lambda:us-west-2:123456789012:function:other", 30);
    });
    let other = status_reading_only(&fake, &spec).await.unwrap();
    assert_eq!(other, Response::new(Status::InProgress, ready.outputs));

    // A group of the same name going away: nothing of this environment's to show yet.
    fake.elasticache
        .world()
        .group_status("redis-pr-42", "deleting");
    let deleting = status_reading_only(&fake, &spec).await.unwrap();
    assert_eq!(deleting, Response::new(Status::InProgress, Outputs::new()));
}

#[tokio::test]
async fn a_ready_group_missing_its_subnet_group_or_slow_log_group_is_not_ready() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    let ready = created(&fake, &spec).await;
    fake.logs.groups().clear();
    let without_log = status_reading_only(&fake, &spec).await.unwrap();
    assert_eq!(
        without_log,
        Response::new(Status::InProgress, ready.outputs.clone())
    );
    fake.elasticache.world().subnet_groups.clear();
    let without_subnets = status_reading_only(&fake, &spec).await.unwrap();
    assert_eq!(
        without_subnets,
        Response::new(Status::InProgress, ready.outputs)
    );
}

#[tokio::test]
async fn status_of_a_half_made_cache_is_in_progress_and_a_later_create_completes_it() {
    let secret_only = Outputs::from_iter([("cacheAuthSecretArn".into(), json!(SECRET_ARN))]);
    let mut with_slow_log = secret_only.clone();
    with_slow_log.insert("cacheSlowLogGroup".into(), json!(SLOW_LOG));
    for (fault, read) in [
        ("CreateCacheSubnetGroup", secret_only.clone()),
        ("CreateLogGroup", secret_only),
        ("CreateReplicationGroup", with_slow_log),
    ] {
        let fake = Fake::default();
        let spec = spec(json!({}));
        fake.recorder.lock().fail(fault, "ThrottlingException");
        run(&fake, Action::Create, &spec).await.unwrap_err();

        let half = status_reading_only(&fake, &spec).await.unwrap();
        assert_eq!(half, Response::new(Status::InProgress, read), "{fault}");
        assert!(fake.elasticache.world().groups.is_empty());

        let resumed = run(&fake, Action::Create, &spec).await.unwrap();
        assert_eq!(resumed.status, Status::InProgress);
        assert_eq!(fake.recorder.lock().count("CreateSecret"), 1);
        assert_eq!(fake.recorder.lock().count("CreateReplicationGroup"), 1);
        assert_eq!(ready_after_settling(&fake, &spec).await, Status::Ready);
    }

    // What a teardown leaves while the nodes still hold the subnet group.
    let fake = Fake::default();
    fake.elasticache.world().subnet_groups.insert(
        "redis-subnets-pr-42".into(),
        (
            SubnetGroup {
                subnet_ids: Vec::new(),
            },
            Vec::new(),
        ),
    );
    let leftover = status_reading_only(&fake, &spec(json!({}))).await.unwrap();
    assert_eq!(leftover, Response::new(Status::InProgress, Outputs::new()));
}

/// Settles the fake with the rotation function there, then `create` and `status` agree.
async fn ready_after_settling(fake: &Fake, spec: &EnvironmentSpec) -> Status {
    available_with_the_rotation_function(fake);
    let created = run(fake, Action::Create, spec).await.unwrap();
    assert_eq!(status_reading_only(fake, spec).await.unwrap(), created);
    created.status
}

#[tokio::test]
async fn status_answers_a_failed_cache_with_the_error_create_answers() {
    let spec = spec(json!({}));
    let fake = Fake::default();
    created(&fake, &spec).await;
    fake.elasticache
        .world()
        .group_status("redis-pr-42", "create-failed");
    let failed = status_reading_only(&fake, &spec).await.unwrap_err();
    assert!(matches!(&failed, CacheError::Failed(group) if group == "redis-pr-42"));
    assert_eq!(failed.error_name(), ErrorName::ComponentFailed);

    // The token secret gone, or going: the token cannot be recovered.
    for scheduled_for_deletion in [false, true] {
        let fake = Fake::default();
        created(&fake, &spec).await;
        if scheduled_for_deletion {
            schedule_secret_deletion(&fake);
        } else {
            fake.secrets.store().secrets.clear();
        }
        let lost = status_reading_only(&fake, &spec).await.unwrap_err();
        assert!(
            matches!(&lost, CacheError::SecretLost(group, secret)
                if group == "redis-pr-42" && secret == "secret-redis-auth-pr-42"),
            "{lost}"
        );
        if !scheduled_for_deletion {
            let create = run(&fake, Action::Create, &spec).await.unwrap_err();
            assert_eq!(create.to_string(), lost.to_string());
        }
    }

    let fake = Fake::default();
    created(&fake, &spec).await;
    edit_secret(&fake, |secret| {
        secret.value = Sensitive::new(r#"{"password": "hunter2"}"#);
    });
    let malformed = status_reading_only(&fake, &spec).await.unwrap_err();
    assert_eq!(
        malformed.to_string(),
        "secret secret-redis-auth-pr-42 holds no authToken"
    );
    assert_eq!(malformed.error_name(), ErrorName::ComponentFailed);
}

#[tokio::test]
async fn every_read_of_status_surfaces_its_aws_error() {
    let spec = spec(json!({}));
    // A READY cache makes every read of a group; an empty world every read without one.
    let ready = Fake::default();
    created(&ready, &spec).await;
    let empty = Fake::default();
    let cases = READS
        .iter()
        .map(|read| (&ready, *read))
        .chain(READS[..4].iter().map(|read| (&empty, *read)));
    for (fake, read) in cases {
        fake.recorder.lock().fail(read, "AccessDenied");
        let error = status_reading_only(fake, &spec).await.unwrap_err();
        assert!(
            matches!(&error, CacheError::Aws(aws) if aws.is_code("AccessDenied")),
            "{read}: {error}"
        );
        assert_eq!(error.error_name(), ErrorName::AwsRejected, "{read}");
        assert!(
            fake.recorder.lock().faults_answered(),
            "{read} was not called"
        );
    }
    // A throttled read is worth retrying.
    empty
        .recorder
        .lock()
        .fail("DescribeReplicationGroups", "ThrottlingException");
    let throttled = status_reading_only(&empty, &spec).await.unwrap_err();
    assert_eq!(throttled.error_name(), ErrorName::Retryable);
}
