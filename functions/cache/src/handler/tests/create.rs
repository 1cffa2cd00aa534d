//! `create`: the replication group, its subnet group, slow-log group and token secret as they are
//! made, READY once the group is available and the secret rotates, and what a repeated, throttled
//! or failed create does.

use super::*;
use crate::placement::placement;
use env_core::tags::ENVIRONMENT;
use std::collections::BTreeSet;

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
    let world = fake.elasticache.world();
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
    fake.elasticache.world().settle();
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
    fake.elasticache.world().settle();

    // Available, but the database function has not made the rotation function yet: waiting.
    let waiting = run(&fake, Action::Create, &spec).await.unwrap();
    assert_eq!(waiting.status, Status::InProgress);
    assert_eq!(fake.recorder.lock().count("RotateSecret"), 0);
    // Made but still Pending (its network interfaces): waiting still.
    let lambda = "arn:aws:lambda:us-west-2:123456789012:function:rotation-pr-42";
    fake.lambda.world().add("rotation-pr-42", "Pending");
    let pending = run(&fake, Action::Create, &spec).await.unwrap();
    assert_eq!(pending.status, Status::InProgress);
    fake.lambda
        .world()
        .functions
        .get_mut("rotation-pr-42")
        .unwrap()
        .1
        .state = "Active".into();

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
async fn a_group_that_failed_to_create_is_component_failed() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    run(&fake, Action::Create, &spec).await.unwrap();
    fake.elasticache
        .world()
        .group_status("redis-pr-42", "create-failed");
    let error = run(&fake, Action::Status, &spec).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert!(error.to_string().contains("redis-pr-42"), "{error}");
}

#[tokio::test]
async fn a_group_of_the_same_name_still_deleting_is_waited_for() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    run(&fake, Action::Create, &spec).await.unwrap();
    fake.elasticache
        .world()
        .group_status("redis-pr-42", "deleting");
    let response = run(&fake, Action::Create, &spec).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(response.outputs.is_empty());
    assert_eq!(fake.recorder.lock().count("CreateReplicationGroup"), 1);
}
