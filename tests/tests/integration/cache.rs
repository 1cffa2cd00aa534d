//! The cache function against moto, through its binary, on a network the network function built:
//! a Redis cluster of the shape the spec names, encrypted at rest with the environment's key and in
//! transit, its AUTH token only in a secret, its slow log delivered to its own log group, in the
//! private subnets, idempotent, and a teardown
//! that leaves nothing behind. moto's gaps (no DeleteCacheSubnetGroup, groups `deleting` forever)
//! are filled by tools/emulator/launch.py.

use aws_sdk_elasticache::types::{
    ClusterMode, DestinationType, LogFormat, LogType, TransitEncryptionMode,
};
use aws_sdk_secretsmanager::types::{Filter, FilterNameStringType};
use env_core::tags::ENVIRONMENT;
use integration_tests::emulator::emulator;
use integration_tests::functions::{invoke, zip_of};
use integration_tests::unique_suffix;
use serde_json::{json, Value};
use std::collections::BTreeSet;

pub(super) fn spec(suffix: &str, extra: Value) -> Value {
    let mut spec = json!({
        "environmentSuffix": suffix,
        "natGateways": "single",
        "containerImage": "public.ecr.aws/acme/catalog-api:1",
        "selfSignedCertificate": true
    });
    spec.as_object_mut()
        .expect("the emulator answers as set up")
        .extend(
            extra
                .as_object()
                .expect("the emulator answers as set up")
                .clone(),
        );
    spec
}

pub(super) fn call(function: &str, action: &str, spec: &Value, outputs: &Value) -> Value {
    let event = json!({"action": action, "spec": spec, "outputs": outputs});
    let result = invoke(function, &event, &emulator().env());
    assert!(
        result.success,
        "{function} {action}: {} {}",
        result.body, result.stderr
    );
    result.body
}

/// `action` until it answers `done` (the provision's wait loop calls `create` again: it converges;
/// a teardown calls `delete` again), a bounded number of times.
pub(super) fn until(
    function: &str,
    action: &str,
    done: &str,
    spec: &Value,
    outputs: &Value,
) -> Value {
    let mut response = call(function, action, spec, outputs);
    for _ in 0..5 {
        if response["status"] == done {
            return response;
        }
        response = call(function, action, spec, outputs);
    }
    panic!("{function} is not {done} after 6 calls: {response}");
}

fn strings(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|item| item.as_str().expect("a string").to_owned())
        .collect()
}

pub(super) async fn clients() -> (aws_sdk_elasticache::Client, aws_sdk_secretsmanager::Client) {
    let config = emulator().sdk_config().await;
    (
        aws_sdk_elasticache::Client::new(&config),
        aws_sdk_secretsmanager::Client::new(&config),
    )
}

/// What the database function makes: the rotation function `rotation-<suffix>` (a package that
/// never runs here) with its role; its ARN.
pub(super) async fn rotation_function(suffix: &str) -> String {
    let config = emulator().sdk_config().await;
    let role = aws_sdk_iam::Client::new(&config)
        .create_role()
        .role_name(format!("role-rotation-{suffix}"))
        .assume_role_policy_document(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
            .to_string(),
        )
        .send()
        .await
        .expect("the emulator answers as set up");
    let lambda = aws_sdk_lambda::Client::new(&config);
    lambda
        .create_function()
        .function_name(format!("rotation-{suffix}"))
        .runtime(aws_sdk_lambda::types::Runtime::Providedal2023)
        .handler("bootstrap")
        .role(role.role().map(|role| role.arn()).expect("a role"))
        .code(
            aws_sdk_lambda::types::FunctionCode::builder()
                .zip_file(zip_of(&[("bootstrap", b"#!/bin/sh\n")]).into())
                .build(),
        )
        .send()
        .await
        .expect("the emulator answers as set up")
        .function_arn()
        .expect("an ARN")
        .to_owned()
}

/// What the database function's teardown removes first.
pub(super) async fn delete_rotation_function(suffix: &str) {
    let config = emulator().sdk_config().await;
    aws_sdk_lambda::Client::new(&config)
        .delete_function()
        .function_name(format!("rotation-{suffix}"))
        .send()
        .await
        .expect("the emulator answers as set up");
    aws_sdk_iam::Client::new(&config)
        .delete_role()
        .role_name(format!("role-rotation-{suffix}"))
        .send()
        .await
        .expect("the emulator answers as set up");
}

/// Builds the network, then the cache of `extra`'s shape, checks everything the requirements name,
/// creates again, deletes both, and checks nothing is left.
async fn cache_lifecycle(extra: Value, shards: usize, replicas: usize) {
    let suffix = unique_suffix().to_string();
    let spec = spec(&suffix, extra);
    let network = until("network", "create", "READY", &spec, &json!({}))["outputs"].clone();
    // What the workflows hand the cache: each component's outputs under its own key.
    let handed_on = json!({"network": network});
    let (elasticache, secrets) = clients().await;

    let first = call("cache", "create", &spec, &handed_on);
    assert_eq!(first["status"], "IN_PROGRESS", "{first}");
    // The token rotates with the environment's rotation function, which the database function
    // makes: until it exists, the cache waits for it.
    assert_eq!(
        call("cache", "create", &spec, &handed_on)["status"],
        "IN_PROGRESS"
    );
    let rotation_function = rotation_function(&suffix).await;
    let ready = until("cache", "create", "READY", &spec, &handed_on);
    let outputs = &ready["outputs"];
    let group_id = format!("redis-{suffix}");
    assert_eq!(outputs["cacheReplicationGroupId"], json!(group_id));

    let group = elasticache
        .describe_replication_groups()
        .replication_group_id(&group_id)
        .send()
        .await
        .expect("the emulator answers as set up")
        .replication_groups()[0]
        .clone();
    assert_eq!(group.cluster_enabled(), Some(true));
    assert_eq!(group.cluster_mode(), Some(&ClusterMode::Enabled));
    assert_eq!(group.node_groups().len(), shards);
    for shard in group.node_groups() {
        assert_eq!(shard.node_group_members().len(), 1 + replicas);
        let zones: BTreeSet<_> = shard
            .node_group_members()
            .iter()
            .map(|member| {
                member
                    .preferred_availability_zone()
                    .expect("the emulator answers as set up")
            })
            .collect();
        assert_eq!(
            zones.len(),
            (1 + replicas).min(3),
            "a shard's nodes share an AZ"
        );
    }
    let zones: BTreeSet<String> = group
        .node_groups()
        .iter()
        .flat_map(|shard| shard.node_group_members())
        .map(|member| {
            member
                .preferred_availability_zone()
                .expect("the emulator answers as set up")
                .to_owned()
        })
        .collect();
    assert_eq!(zones, strings(&network["availabilityZones"]));
    assert_eq!(
        group.automatic_failover().map(|f| f.as_str()),
        Some("enabled")
    );
    assert_eq!(group.multi_az().map(|m| m.as_str()), Some("enabled"));
    assert_eq!(group.at_rest_encryption_enabled(), Some(true));
    assert_eq!(group.kms_key_id(), network["kmsKeyArn"].as_str());
    assert_eq!(group.transit_encryption_enabled(), Some(true));
    assert_eq!(
        group.transit_encryption_mode(),
        Some(&TransitEncryptionMode::Required)
    );
    assert_eq!(group.auth_token_enabled(), Some(true));
    assert!(
        group
            .snapshot_retention_limit()
            .expect("the emulator answers as set up")
            >= 1
    );
    assert_eq!(group.auto_minor_version_upgrade(), Some(true));
    assert_eq!(group.cache_node_type(), Some("cache.t4g.small"));

    // The slow log goes, as JSON, to the environment's own log group: kept 14 days, under its key.
    let slow_log_group = format!("/aws/vendedlogs/elasticache/redis-slow-log-{suffix}");
    let [delivery] = group.log_delivery_configurations() else {
        panic!(
            "one log delivery: {:?}",
            group.log_delivery_configurations()
        );
    };
    assert_eq!(delivery.log_type(), Some(&LogType::SlowLog));
    assert_eq!(
        delivery.destination_type(),
        Some(&DestinationType::CloudWatchLogs)
    );
    assert_eq!(delivery.log_format(), Some(&LogFormat::Json));
    assert_eq!(
        delivery
            .destination_details()
            .and_then(|details| details.cloud_watch_logs_details())
            .and_then(|details| details.log_group()),
        Some(slow_log_group.as_str())
    );
    assert_eq!(outputs["cacheSlowLogGroup"], json!(slow_log_group));
    let logs = aws_sdk_cloudwatchlogs::Client::new(&emulator().sdk_config().await);
    let described = logs
        .describe_log_groups()
        .log_group_name_prefix(&slow_log_group)
        .send()
        .await
        .expect("the emulator answers as set up");
    let [log_group] = described.log_groups() else {
        panic!("one slow-log group: {:?}", described.log_groups());
    };
    assert_eq!(log_group.log_group_name(), Some(slow_log_group.as_str()));
    assert_eq!(log_group.retention_in_days(), Some(14));
    assert_eq!(log_group.kms_key_id(), network["kmsKeyArn"].as_str());

    let members: BTreeSet<String> = group.member_clusters().iter().cloned().collect();
    assert_eq!(members.len(), shards * (1 + replicas));
    assert!(members.contains(&format!("{group_id}-0001-001")));
    assert_eq!(strings(&outputs["cacheNodeIds"]), members);
    let endpoint = group
        .configuration_endpoint()
        .expect("the emulator answers as set up");
    let host = endpoint.address().expect("the emulator answers as set up");
    assert_eq!(
        outputs["cacheConfigurationEndpoint"],
        json!(format!(
            "{host}:{}",
            endpoint.port().expect("the emulator answers as set up")
        ))
    );
    let tags = elasticache
        .list_tags_for_resource()
        .resource_name(group.arn().expect("the emulator answers as set up"))
        .send()
        .await
        .expect("the emulator answers as set up");
    assert!(tags
        .tag_list()
        .iter()
        .any(|tag| tag.key() == Some(ENVIRONMENT) && tag.value() == Some(suffix.as_str())));

    let subnet_group = elasticache
        .describe_cache_subnet_groups()
        .cache_subnet_group_name(format!("redis-subnets-{suffix}"))
        .send()
        .await
        .expect("the emulator answers as set up")
        .cache_subnet_groups()[0]
        .clone();
    let subnets: BTreeSet<String> = subnet_group
        .subnets()
        .iter()
        .map(|subnet| {
            subnet
                .subnet_identifier()
                .expect("the emulator answers as set up")
                .to_owned()
        })
        .collect();
    assert_eq!(subnets, strings(&network["privateSubnetIds"]));
    assert!(subnets.is_disjoint(&strings(&network["publicSubnetIds"])));

    // The token is in the secret, encrypted with the environment's key, and in no output.
    let secret_arn = outputs["cacheAuthSecretArn"]
        .as_str()
        .expect("the emulator answers as set up");
    let described = secrets
        .describe_secret()
        .secret_id(secret_arn)
        .send()
        .await
        .expect("the emulator answers as set up");
    assert_eq!(
        described.name(),
        Some(format!("secret-redis-auth-{suffix}").as_str())
    );
    assert_eq!(described.kms_key_id(), network["kmsKeyArn"].as_str());
    let value = secrets
        .get_secret_value()
        .secret_id(secret_arn)
        .version_stage("AWSCURRENT")
        .send()
        .await
        .expect("the emulator answers as set up");
    let document: Value = serde_json::from_str(
        value
            .secret_string()
            .expect("the emulator answers as set up"),
    )
    .expect("the emulator answers as set up");
    let token = document["authToken"]
        .as_str()
        .expect("the emulator answers as set up");
    assert_eq!(token.len(), 64);
    assert!(token.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(document["host"], json!(host));
    assert_eq!(document["port"], json!(6379));
    assert_eq!(document["tls"], json!(true));
    assert_eq!(document["replicationGroupId"], json!(group_id));
    assert!(!ready.to_string().contains(token));
    // Rotating every 30 days with that function.
    assert_eq!(described.rotation_enabled(), Some(true));
    assert_eq!(
        described.rotation_lambda_arn(),
        Some(rotation_function.as_str())
    );
    assert_eq!(
        described
            .rotation_rules()
            .and_then(|rules| rules.automatically_after_days()),
        Some(30)
    );

    // Create again: the same answer, and the secret keeps its one value.
    let again = call("cache", "create", &spec, &handed_on);
    assert_eq!(again, ready);
    let versions = secrets
        .list_secret_version_ids()
        .secret_id(secret_arn)
        .send()
        .await
        .expect("the emulator answers as set up");
    let current = secrets
        .get_secret_value()
        .secret_id(secret_arn)
        .version_stage("AWSCURRENT")
        .send()
        .await
        .expect("the emulator answers as set up");
    assert_eq!(current.secret_string(), value.secret_string());
    assert_eq!(
        versions.versions().len(),
        3,
        "the token, the completed details, and the first rotation's pending version (no Lambda runs here)"
    );

    delete_rotation_function(&suffix).await;
    let deleting = call("cache", "delete", &spec, &json!({}));
    assert_eq!(deleting["status"], "IN_PROGRESS");
    until("cache", "delete", "DELETED", &spec, &json!({}));
    let gone = elasticache
        .describe_replication_groups()
        .replication_group_id(&group_id)
        .send()
        .await
        .expect_err("the call fails as the test expects");
    assert_eq!(
        aws_sdk_elasticache::error::ProvideErrorMetadata::code(&gone),
        Some("ReplicationGroupNotFoundFault")
    );
    let subnet_gone = elasticache
        .describe_cache_subnet_groups()
        .cache_subnet_group_name(format!("redis-subnets-{suffix}"))
        .send()
        .await
        .expect_err("the call fails as the test expects");
    assert_eq!(
        aws_sdk_elasticache::error::ProvideErrorMetadata::code(&subnet_gone),
        Some("CacheSubnetGroupNotFoundFault")
    );
    let log_groups_left = logs
        .describe_log_groups()
        .log_group_name_prefix(&slow_log_group)
        .send()
        .await
        .expect("the emulator answers as set up");
    assert!(
        log_groups_left.log_groups().is_empty(),
        "{:?}",
        log_groups_left.log_groups()
    );
    for arn in [
        group.arn().expect("the emulator answers as set up"),
        subnet_group.arn().expect("the emulator answers as set up"),
    ] {
        let left = elasticache
            .list_tags_for_resource()
            .resource_name(arn)
            .send()
            .await
            .expect("the emulator answers as set up");
        assert!(left.tag_list().is_empty(), "{arn} still tagged");
    }
    let tagged = secrets
        .list_secrets()
        .include_planned_deletion(true)
        .filters(
            Filter::builder()
                .key(FilterNameStringType::TagValue)
                .values(&suffix)
                .build(),
        )
        .send()
        .await
        .expect("the emulator answers as set up");
    assert!(
        tagged.secret_list().is_empty(),
        "secrets left: {:?}",
        tagged.secret_list()
    );
    assert_eq!(
        call("cache", "delete", &spec, &json!({}))["status"],
        "DELETED"
    );

    until("network", "delete", "DELETED", &spec, &json!({}));
}

#[tokio::test]
async fn two_shards_with_one_replica_each_by_default_encrypted_authenticated_and_private() {
    cache_lifecycle(json!({}), 2, 1).await;
}

#[tokio::test]
async fn three_shards_with_two_replicas_each_put_every_shard_in_three_azs() {
    cache_lifecycle(json!({"cacheShards": 3, "cacheReplicasPerShard": 2}), 3, 2).await;
}

#[test]
fn without_the_network_outputs_the_cache_is_an_invalid_event() {
    let suffix = unique_suffix().to_string();
    let event = json!({"action": "create", "spec": spec(&suffix, json!({})), "outputs": {"network": {"vpcId": "vpc-1"}}});
    let result = invoke("cache", &event, &emulator().env());
    assert!(!result.success);
    assert_eq!(result.exit_code, Some(1));
    assert_eq!(result.body["errorType"], "InvalidEvent");
    assert!(
        result.body["errorMessage"]
            .as_str()
            .expect("the emulator answers as set up")
            .contains("outputs.network: are malformed: missing field"),
        "{}",
        result.body
    );
}
