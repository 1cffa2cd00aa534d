//! The cache function end to end against the fake: what each action makes, keeps and removes.

use super::*;
use crate::api::{GroupPlan, GroupState, RotationFunction, Sensitive};
use crate::fake::{Fake, SubnetGroup};
use crate::placement::placement;
use crate::secret::token_of;
use env_core::contract::Outputs;
use env_core::outputs::{ComponentOutputs, NetworkOutputs};
use env_core::spec::EnvironmentSpec;
use env_core::tags::ENVIRONMENT;
use env_core::Status;
use secrets::fake::StoredSecret;
use secrets::Rotation;
use serde_json::{json, Value};
use std::collections::BTreeSet;

use env_core::outputs::example::{self, handed_on};

const KEY: &str = "arn:aws:kms:us-west-2:123456789012:key/k-1";

fn spec(extra: Value) -> EnvironmentSpec {
    let mut value = json!({
        "environmentSuffix": "pr-42",
        "containerImage": "public.ecr.aws/acme/catalog-api:1",
        "selfSignedCertificate": true
    });
    value
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    EnvironmentSpec::from_value(&value).unwrap()
}

fn network_outputs() -> Outputs {
    handed_on(example::network())
}

async fn run(fake: &Fake, action: Action, spec: &EnvironmentSpec) -> Result<Response, CacheError> {
    let request = Request {
        action,
        spec: spec.clone(),
        outputs: network_outputs(),
        started_at: std::time::SystemTime::now(),
    };
    handle(fake, request).await
}

fn plan(fake: &Fake) -> GroupPlan {
    fake.world().groups["redis-pr-42"].1.clone()
}

/// The environment's token secret as the fake Secrets Manager holds it.
const SECRET: &str = "secret-redis-auth-pr-42";

fn stored_secret(fake: &Fake) -> StoredSecret {
    fake.secrets.store().secrets[SECRET].clone()
}

fn secret_json(fake: &Fake) -> Value {
    serde_json::from_str(stored_secret(fake).value.expose()).unwrap()
}

/// Changes the token secret by hand, as someone outside the function would.
fn edit_secret(fake: &Fake, edit: impl FnOnce(&mut StoredSecret)) {
    edit(fake.secrets.store().secrets.get_mut(SECRET).unwrap());
}

/// Someone deletes the token secret with a recovery window: it waits for deletion.
fn schedule_secret_deletion(fake: &Fake) {
    edit_secret(fake, |secret| secret.scheduled_for_deletion = true);
}

#[tokio::test]
async fn create_builds_a_cluster_mode_group_of_2_shards_with_1_replica_each_by_default() {
    let fake = Fake::default();
    let response = run(&fake, Action::Create, &spec(json!({}))).await.unwrap();

    assert_eq!(response.status, Status::InProgress);
    let plan = plan(&fake);
    assert_eq!(plan.id, "redis-pr-42");
    assert_eq!(plan.shards.len(), 2);
    assert_eq!(plan.replicas_per_shard, 1);
    assert_eq!(plan.node_type, "cache.t4g.small");
    assert_eq!((plan.engine, plan.engine_version), ("redis", "7.1"));
    assert_eq!(plan.parameter_group, "default.redis7.cluster.on");
    assert_eq!(plan.port, 6379);
    assert_eq!(plan.subnet_group, "redis-subnets-pr-42");
    assert_eq!(plan.security_group_id, "sg-cache");
    assert_eq!(plan.kms_key_arn, KEY);
    assert!(plan.snapshot_retention_days >= 1);
    assert!(plan
        .tags
        .iter()
        .any(|tag| tag.key == ENVIRONMENT && tag.value == "pr-42"));
    let world = fake.world();
    let (subnets, subnet_tags) = &world.subnet_groups["redis-subnets-pr-42"];
    assert_eq!(subnets.subnet_ids, ["subnet-a", "subnet-b", "subnet-c"]);
    assert!(subnet_tags.iter().any(|tag| tag.key == ENVIRONMENT));
    drop(world);
    let secret = stored_secret(&fake);
    assert_eq!(secret.kms_key_arn.as_deref(), Some(KEY));
    assert!(secret.tags.iter().any(|tag| tag.key == ENVIRONMENT));
    let slow_log = fake.logs.groups()["/aws/vendedlogs/elasticache/redis-slow-log-pr-42"].clone();
    assert_eq!(slow_log.kms_key_arn.as_deref(), Some(KEY));
    assert_eq!(slow_log.retention_days, Some(14));
    assert!(slow_log
        .tags
        .iter()
        .any(|tag| tag.key == ENVIRONMENT && tag.value == "pr-42"));
    assert_eq!(
        plan.slow_log_group,
        "/aws/vendedlogs/elasticache/redis-slow-log-pr-42"
    );
    let token = secret_json(&fake)["authToken"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 64);
    // Letters and digits only: GetRandomPassword was asked for no punctuation.
    assert!(token.chars().all(|c| c.is_ascii_alphanumeric()), "{token}");
    assert_eq!(plan.auth_token.expose(), token);

    let outputs = &response.outputs;
    assert_eq!(outputs["cacheReplicationGroupId"], "redis-pr-42");
    assert_eq!(
        outputs["cacheAuthSecretArn"],
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:secret-redis-auth-pr-42-AbCdEf"
    );
    assert_eq!(
        outputs["cacheSlowLogGroup"],
        "/aws/vendedlogs/elasticache/redis-slow-log-pr-42"
    );
    assert!(!outputs.contains_key("cacheConfigurationEndpoint"));
    assert!(!Value::Object(outputs.clone()).to_string().contains(&token));
}

#[tokio::test]
async fn the_spec_chooses_shards_replicas_and_node_type() {
    let fake = Fake::default();
    let spec = spec(
        json!({"cacheShards": 3, "cacheReplicasPerShard": 2, "cacheNodeType": "cache.r7g.large"}),
    );
    run(&fake, Action::Create, &spec).await.unwrap();
    let plan = plan(&fake);
    assert_eq!(plan.shards.len(), 3);
    assert_eq!(plan.replicas_per_shard, 2);
    assert_eq!(plan.node_type, "cache.r7g.large");
    fake.world().settle();
    let response = run(&fake, Action::Status, &spec).await.unwrap();
    assert_eq!(
        response.outputs["cacheNodeIds"].as_array().unwrap().len(),
        9
    );
}

#[test]
fn every_shard_spans_the_three_azs_and_survives_losing_one() {
    let zones: Vec<String> = ["us-west-2a", "us-west-2b", "us-west-2c"]
        .map(String::from)
        .to_vec();
    let two_by_one = placement(2, 1, &zones);
    assert_eq!(two_by_one[0].id, "0001");
    assert_eq!(two_by_one[0].primary_zone, "us-west-2a");
    assert_eq!(two_by_one[0].replica_zones, ["us-west-2b"]);
    assert_eq!(two_by_one[1].id, "0002");
    assert_eq!(two_by_one[1].primary_zone, "us-west-2b");
    assert_eq!(two_by_one[1].replica_zones, ["us-west-2c"]);
    let used: BTreeSet<&String> = two_by_one
        .iter()
        .flat_map(|shard| std::iter::once(&shard.primary_zone).chain(&shard.replica_zones))
        .collect();
    assert_eq!(used.len(), 3);

    for shard in placement(3, 2, &zones) {
        let mut own: Vec<&String> = shard.replica_zones.iter().collect();
        own.push(&shard.primary_zone);
        own.sort();
        own.dedup();
        assert_eq!(own.len(), 3, "shard {} is not in 3 AZs", shard.id);
    }
}

#[tokio::test]
async fn an_available_group_is_ready_and_its_secret_gets_the_connection_details() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    run(&fake, Action::Create, &spec).await.unwrap();
    let token = secret_json(&fake)["authToken"].clone();
    assert_eq!(
        run(&fake, Action::Create, &spec).await.unwrap().status,
        Status::InProgress
    );
    fake.world().settle();

    // Available, but the database function has not made the rotation function yet: waiting.
    let waiting = run(&fake, Action::Create, &spec).await.unwrap();
    assert_eq!(waiting.status, Status::InProgress);
    assert_eq!(fake.recorder.lock().count("RotateSecret"), 0);
    // Made but still Pending (its network interfaces): waiting still.
    let lambda = "arn:aws:lambda:us-west-2:123456789012:function:rotation-pr-42";
    fake.world().rotation_function = Some(RotationFunction {
        arn: lambda.to_owned(),
        active: false,
    });
    let pending = run(&fake, Action::Create, &spec).await.unwrap();
    assert_eq!(pending.status, Status::InProgress);
    fake.world().rotation_function.as_mut().unwrap().active = true;

    let response = run(&fake, Action::Create, &spec).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    let typed: env_core::outputs::CacheOutputs = example::read_as(&response.outputs);
    assert_eq!(typed.cache_replication_group_id, "redis-pr-42");
    // The token rotates every 30 days with the environment's rotation function, the first
    // rotation at once.
    assert_eq!(stored_secret(&fake).rotation, rotating_with(lambda, 30));
    let host = "clustercfg.redis-pr-42.abc123.usw2.cache.amazonaws.com";
    assert_eq!(
        response.outputs["cacheConfigurationEndpoint"],
        format!("{host}:6379")
    );
    assert_eq!(
        response.outputs["cacheNodeIds"],
        json!([
            "redis-pr-42-0001-001",
            "redis-pr-42-0001-002",
            "redis-pr-42-0002-001",
            "redis-pr-42-0002-002"
        ])
    );
    assert_eq!(
        secret_json(&fake),
        json!({"authToken": token, "replicationGroupId": "redis-pr-42", "tls": true,
               "host": host, "port": 6379})
    );
    // Once complete and rotating, the secret is left alone.
    run(&fake, Action::Create, &spec).await.unwrap();
    assert_eq!(fake.recorder.lock().count("PutSecretValue"), 1);
    assert_eq!(fake.recorder.lock().count("RotateSecret"), 1);
    // Rotating with another function, or on another schedule: put back.
    for (other, days) in [
        ("arn:aws:lambda:us-west-2:123456789012:function:other", 30),
        (lambda, 90),
    ] {
        edit_secret(&fake, |secret| secret.rotation = rotating_with(other, days));
        run(&fake, Action::Create, &spec).await.unwrap();
    }
    assert_eq!(fake.recorder.lock().count("RotateSecret"), 3);
    assert_eq!(stored_secret(&fake).rotation, rotating_with(lambda, 30));
}

/// Rotation on with `lambda` every `days`, rotated once already.
fn rotating_with(lambda: &str, days: i64) -> Rotation {
    Rotation {
        enabled: true,
        days: Some(days),
        lambda_arn: Some(lambda.to_owned()),
        rotated: true,
    }
}

#[tokio::test]
async fn create_twice_changes_nothing() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    run(&fake, Action::Create, &spec).await.unwrap();
    let changes = fake.recorder.lock().changes.clone();
    assert_eq!(
        changes,
        [
            "CreateSecret",
            "PutResourcePolicy",
            "CreateCacheSubnetGroup",
            "CreateLogGroup",
            "PutRetentionPolicy",
            "CreateReplicationGroup"
        ]
    );
    // From its creation on, only its readers read the token.
    let policy = stored_secret(&fake).policy;
    let readers = &serde_json::from_str::<Value>(&policy.unwrap()).unwrap()["Statement"][0];
    assert_eq!(
        readers["Condition"]["ArnNotEquals"]["aws:PrincipalArn"],
        json!([
            "arn:aws:iam::123456789012:role/role-ecs-execution-pr-42",
            "arn:aws:iam::123456789012:role/role-ecs-task-pr-42",
            "arn:aws:iam::123456789012:role/role-rotation-pr-42",
            "arn:aws:iam::123456789012:role/catalog-fn-cache"
        ])
    );
    let second = run(&fake, Action::Create, &spec).await.unwrap();
    let third = run(&fake, Action::Create, &spec).await.unwrap();
    assert_eq!(fake.recorder.lock().changes, changes);
    assert_eq!(second, third);
    assert_eq!(second.outputs["cacheNodeIds"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn a_throttled_create_is_retryable_and_the_retry_reuses_the_token() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    fake.recorder
        .lock()
        .fail("CreateReplicationGroup", "Throttling");
    let error = run(&fake, Action::Create, &spec).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    let token = secret_json(&fake)["authToken"].clone();

    run(&fake, Action::Create, &spec).await.unwrap();
    assert_eq!(json!(plan(&fake).auth_token.expose()), token);
    assert_eq!(fake.recorder.lock().count("CreateSecret"), 1);
    assert_eq!(fake.recorder.lock().count("CreateCacheSubnetGroup"), 1);
    assert_eq!(fake.recorder.lock().count("CreateLogGroup"), 1);
}

#[tokio::test]
async fn a_missing_network_output_is_an_invalid_event_named_before_any_call() {
    let mut refusals = vec![(Outputs::new(), "outputs.network: are missing".to_owned())];
    for key in [
        "privateSubnetIds",
        "availabilityZones",
        "securityGroupIds",
        "kmsKeyArn",
    ] {
        let mut outputs = network_outputs();
        outputs["network"].as_object_mut().unwrap().remove(key);
        refusals.push((outputs, format!("missing field `{key}`")));
    }
    // Two private subnets, or a subnet id that is not a string, are not the network's three.
    let mut network = example::network();
    network.private_subnet_ids.pop();
    refusals.push((
        handed_on(network),
        "privateSubnetIds holds 2 entries".into(),
    ));
    let mut outputs = network_outputs();
    outputs["network"]["privateSubnetIds"] = json!(["subnet-a", "subnet-b", 3]);
    refusals.push((outputs, "invalid type: integer `3`".into()));
    let mut network = example::network();
    network.availability_zones.pop();
    refusals.push((handed_on(network), "availabilityZones holds 2".into()));
    let mut network = example::network();
    network.security_group_ids.cache.clear();
    refusals.push((handed_on(network), "securityGroupIds.cache is empty".into()));
    let mut network = example::network();
    network.kms_key_arn.clear();
    refusals.push((handed_on(network), "kmsKeyArn is empty".into()));
    for (outputs, named) in refusals {
        let fake = Fake::default();
        fake.recorder
            .lock()
            .fail("DescribeReplicationGroups", "AccessDenied");
        let request = Request {
            action: Action::Create,
            spec: spec(json!({})),
            outputs,
            started_at: std::time::SystemTime::now(),
        };
        let error = handle(&fake, request).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::InvalidEvent);
        assert!(error.to_string().contains(&named), "{error}");
        let recorder = fake.recorder.lock();
        assert!(!recorder.faults_answered(), "an AWS call was made");
        assert!(recorder.calls.is_empty(), "an AWS call was made");
    }
}

#[tokio::test]
async fn a_group_that_failed_to_create_is_component_failed() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    run(&fake, Action::Create, &spec).await.unwrap();
    fake.world()
        .group_state("redis-pr-42", GroupState::CreateFailed);
    let error = run(&fake, Action::Status, &spec).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert!(error.to_string().contains("redis-pr-42"), "{error}");
}

#[tokio::test]
async fn a_group_of_the_same_name_still_deleting_is_waited_for() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    run(&fake, Action::Create, &spec).await.unwrap();
    fake.world()
        .group_state("redis-pr-42", GroupState::Deleting);
    let response = run(&fake, Action::Create, &spec).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(response.outputs.is_empty());
    assert_eq!(fake.recorder.lock().count("CreateReplicationGroup"), 1);
}

#[tokio::test]
async fn a_token_secret_scheduled_for_deletion_is_restored_and_its_token_used() {
    let fake = Fake::default();
    let stored = StoredSecret {
        arn: "arn:old".into(),
        description: "deleted by hand with a recovery window".into(),
        kms_key_arn: Some(KEY.into()),
        value: Sensitive::new(r#"{"authToken": "kept-token"}"#),
        tags: Vec::new(),
        policy: None,
        rotation: Rotation::default(),
        scheduled_for_deletion: true,
        owning_service: None,
    };
    fake.secrets.store().secrets.insert(SECRET.into(), stored);
    let response = run(&fake, Action::Create, &spec(json!({}))).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(!stored_secret(&fake).scheduled_for_deletion);
    assert_eq!(plan(&fake).auth_token, Sensitive::new("kept-token"));
    let changes = fake.recorder.lock().changes.clone();
    assert_eq!(changes[0], "RestoreSecret");
    assert!(!changes.contains(&"CreateSecret"), "{changes:?}");
}

#[tokio::test]
async fn a_group_whose_token_secret_was_deleted_by_hand_gets_it_back_on_create() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    created(&fake, &spec).await;
    let token = plan(&fake).auth_token;
    schedule_secret_deletion(&fake);
    let response = run(&fake, Action::Create, &spec).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    assert!(!stored_secret(&fake).scheduled_for_deletion);
    assert_eq!(secret_json(&fake)["authToken"], token.expose());
    assert_eq!(fake.recorder.lock().count("RestoreSecret"), 1);
}

#[tokio::test]
async fn a_group_whose_token_secret_is_gone_is_component_failed() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    run(&fake, Action::Create, &spec).await.unwrap();
    fake.secrets.store().secrets.clear();
    let error = run(&fake, Action::Status, &spec).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert!(
        error.to_string().contains("secret-redis-auth-pr-42"),
        "{error}"
    );
}

#[tokio::test]
async fn a_secret_without_a_token_is_component_failed_and_not_shown() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    run(&fake, Action::Create, &spec).await.unwrap();
    fake.world().settle();
    for value in ["not json", r#"{"password": "hunter2"}"#] {
        edit_secret(&fake, |secret| secret.value = Sensitive::new(value));
        let error = run(&fake, Action::Status, &spec).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::ComponentFailed);
        assert_eq!(
            error.to_string(),
            "secret secret-redis-auth-pr-42 holds no authToken"
        );
    }
}

#[test]
fn a_binary_secret_holds_no_token() {
    let error = token_of("secret-redis-auth-pr-42", None).unwrap_err();
    assert_eq!(
        error.to_string(),
        "secret secret-redis-auth-pr-42 holds no authToken"
    );
}

#[tokio::test]
async fn delete_removes_the_group_then_the_subnet_group_the_slow_log_and_the_secret() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    run(&fake, Action::Create, &spec).await.unwrap();
    fake.world().settle();

    let first = run(&fake, Action::Delete, &spec).await.unwrap();
    assert_eq!(first.status, Status::InProgress);
    assert_eq!(fake.recorder.lock().count("DeleteReplicationGroup"), 1);
    // Still deleting: asked again, nothing is called twice.
    let second = run(&fake, Action::Delete, &spec).await.unwrap();
    assert_eq!(second.status, Status::InProgress);
    assert_eq!(fake.recorder.lock().count("DeleteReplicationGroup"), 1);
    assert_eq!(fake.recorder.lock().count("DeleteCacheSubnetGroup"), 0);

    fake.world().settle();
    let done = run(&fake, Action::Delete, &spec).await.unwrap();
    assert_eq!(done.status, Status::Deleted);
    let changes = {
        let world = fake.world();
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
        fake.world().groups["redis-pr-42"].0.state,
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
    fake.world().groups.clear();
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
    fake.world().groups.clear();
    schedule_secret_deletion(&fake);
    let response = run(&fake, Action::Delete, &spec).await.unwrap();
    assert_eq!(response.status, Status::Deleted);
    assert_eq!(fake.recorder.lock().count("DeleteSecret"), 0);
}

#[tokio::test]
async fn delete_needs_no_outputs() {
    let fake = Fake::default();
    let request = Request {
        action: Action::Delete,
        spec: spec(json!({})),
        outputs: Outputs::new(),
        started_at: std::time::SystemTime::now(),
    };
    assert_eq!(
        handle(&fake, request).await.unwrap().status,
        Status::Deleted
    );
}

#[test]
fn failures_carry_their_stable_names() {
    assert_eq!(
        CacheError::MissingInput(NetworkOutputs::of(&Outputs::new()).unwrap_err()).error_name(),
        ErrorName::InvalidEvent
    );
    assert_eq!(
        CacheError::Failed("g".into()).error_name(),
        ErrorName::ComponentFailed
    );
    assert_eq!(
        CacheError::SecretLost("g".into(), "s".into()).error_name(),
        ErrorName::ComponentFailed
    );
    assert_eq!(
        CacheError::MalformedSecret("s".into()).error_name(),
        ErrorName::ComponentFailed
    );
}

// `status` reads and never changes anything.

/// The only calls `status` may make: describes and reads.
const READS: [&str; 5] = [
    "DescribeReplicationGroups",
    "DescribeCacheSubnetGroups",
    "DescribeLogGroups",
    "DescribeSecret",
    "GetSecretValue",
];

const LAMBDA: &str = "arn:aws:lambda:us-west-2:123456789012:function:rotation-pr-42";
const SECRET_ARN: &str =
    "arn:aws:secretsmanager:us-west-2:123456789012:secret:secret-redis-auth-pr-42-AbCdEf";
const SLOW_LOG: &str = "/aws/vendedlogs/elasticache/redis-slow-log-pr-42";

/// Everything the fake holds, secret values included (their `Debug` hides them).
fn resources(fake: &Fake) -> String {
    let world = {
        let world = fake.world();
        format!("{:?}", (&world.groups, &world.subnet_groups))
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
async fn status_reading_only(fake: &Fake, spec: &EnvironmentSpec) -> Result<Response, CacheError> {
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

/// A cache `create` has finished, with `create`'s READY answer.
async fn created(fake: &Fake, spec: &EnvironmentSpec) -> Response {
    run(fake, Action::Create, spec).await.unwrap();
    fake.world().settle();
    fake.world().rotation_function = Some(RotationFunction {
        arn: LAMBDA.to_owned(),
        active: true,
    });
    let ready = run(fake, Action::Create, spec).await.unwrap();
    assert_eq!(ready.status, Status::Ready);
    ready
}

#[tokio::test]
async fn status_of_nothing_is_deleted_needs_no_outputs_and_creates_nothing() {
    let fake = Fake::default();
    let request = Request {
        action: Action::Status,
        spec: spec(json!({})),
        outputs: Outputs::new(),
        started_at: std::time::SystemTime::now(),
    };
    let response = handle(&fake, request).await.unwrap();
    assert_eq!(response, Response::new(Status::Deleted, Outputs::new()));
    assert!(fake.secrets.store().secrets.is_empty());
    let world = fake.world();
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
            "DescribeSecret"
        ]
    );
}

#[tokio::test]
async fn status_counts_a_secret_scheduled_for_deletion_as_gone_like_delete_does() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    created(&fake, &spec).await;
    fake.world().groups.clear();
    fake.world().subnet_groups.clear();
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
    assert_eq!(response.outputs.len(), 5);

    // Torn down: DELETED, as `delete` last answered.
    run(&fake, Action::Delete, &spec).await.unwrap();
    fake.world().settle();
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
    fake.world()
        .group_state("redis-pr-42", GroupState::Modifying);
    let modifying = status_reading_only(&fake, &spec).await.unwrap();
    assert_eq!(modifying, creating);

    // Available, but the secret lacks the connection details and nothing rotates it yet, even with
    // the rotation function there: `create` has work left, which `status` leaves to it.
    fake.world().settle();
    fake.world().rotation_function = Some(RotationFunction {
        arn: LAMBDA.to_owned(),
        active: true,
    });
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
    fake.world()
        .group_state("redis-pr-42", GroupState::Deleting);
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
    fake.world().subnet_groups.clear();
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
        assert!(fake.world().groups.is_empty());

        let resumed = run(&fake, Action::Create, &spec).await.unwrap();
        assert_eq!(resumed.status, Status::InProgress);
        assert_eq!(fake.recorder.lock().count("CreateSecret"), 1);
        assert_eq!(fake.recorder.lock().count("CreateReplicationGroup"), 1);
        assert_eq!(ready_after_settling(&fake, &spec).await, Status::Ready);
    }

    // What a teardown leaves while the nodes still hold the subnet group.
    let fake = Fake::default();
    fake.world().subnet_groups.insert(
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
    fake.world().settle();
    fake.world().rotation_function = Some(RotationFunction {
        arn: LAMBDA.to_owned(),
        active: true,
    });
    let created = run(fake, Action::Create, spec).await.unwrap();
    assert_eq!(status_reading_only(fake, spec).await.unwrap(), created);
    created.status
}

#[tokio::test]
async fn status_answers_a_failed_cache_with_the_error_create_answers() {
    let spec = spec(json!({}));
    let fake = Fake::default();
    created(&fake, &spec).await;
    fake.world()
        .group_state("redis-pr-42", GroupState::CreateFailed);
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
