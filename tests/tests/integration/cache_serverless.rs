//! `cacheMode: serverless` (issue 22): the cache function against the emulator (moto, with the
//! serverless caches and user groups moto lacks from tools/emulator/serverless_cache.py), through
//! its binary, on a network the network function built. A Valkey 8 serverless cache in the private
//! subnets behind the cache security group, encrypted with the environment's key, its use bounded,
//! its users a group holding one user named `default` whose password is the token the secret holds;
//! READY once available with the endpoint in the outputs and the secret; asleep without the cache
//! and with the rest; awake again with a new cache and the same token; a teardown leaves nothing.
//! An existing cluster switched to serverless: its token's rotation turned off (the unfinished
//! first rotation's AWSPENDING label dropped) and the reader port 6380 opened to the API
//! containers; switched back, rotation on again and the network's cluster rules exactly.

use super::cache::{call, clients, delete_rotation_function, rotation_function, spec, until};
use super::network::ec2;
use aws_sdk_elasticache::error::ProvideErrorMetadata;
use aws_sdk_elasticache::types::DataStorageUnit;
use env_core::tags::ENVIRONMENT;
use integration_tests::leftovers::leftovers;
use integration_tests::unique_suffix;
use serde_json::{json, Value};

/// The secret's `AWSCURRENT` document.
async fn current(secrets: &aws_sdk_secretsmanager::Client, arn: &str) -> Value {
    let value = secrets
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .expect("the emulator answers as set up");
    serde_json::from_str(value.secret_string().expect("a string secret")).expect("JSON")
}

/// The error code ElastiCache answers a describe of something that is not there with, `None` when
/// it is there.
async fn missing(elasticache: &aws_sdk_elasticache::Client, suffix: &str) -> Vec<String> {
    let mut codes = Vec::new();
    let cache = elasticache
        .describe_serverless_caches()
        .serverless_cache_name(format!("valkey-{suffix}"))
        .send()
        .await;
    codes.extend(
        cache
            .err()
            .and_then(|error| error.code().map(str::to_owned)),
    );
    let group = elasticache
        .describe_user_groups()
        .user_group_id(format!("valkey-users-{suffix}"))
        .send()
        .await;
    codes.extend(
        group
            .err()
            .and_then(|error| error.code().map(str::to_owned)),
    );
    // A deleted user is shown once more, `deleting`, before it is gone.
    let mut user = None;
    for _ in 0..2 {
        let described = elasticache
            .describe_users()
            .user_id(format!("valkey-default-{suffix}"))
            .send()
            .await;
        user = described
            .err()
            .and_then(|error| error.code().map(str::to_owned));
    }
    codes.extend(user);
    codes
}

#[tokio::test]
async fn a_serverless_cache_is_made_used_put_to_sleep_woken_and_deleted() {
    let suffix = unique_suffix();
    let awake = spec(suffix.as_str(), json!({"cacheMode": "serverless"}));
    let asleep = spec(
        suffix.as_str(),
        json!({"cacheMode": "serverless", "asleep": true}),
    );
    let network = until("network", "create", "READY", &awake, &json!({}))["outputs"].clone();
    let handed_on = json!({"network": network});
    let (elasticache, secrets) = clients().await;
    let name = format!("valkey-{suffix}");

    let first = call("cache", "create", &awake, &handed_on);
    assert_eq!(first["status"], "IN_PROGRESS", "{first}");
    let ready = until("cache", "create", "READY", &awake, &handed_on);
    let outputs = &ready["outputs"];
    assert_eq!(outputs["mode"], "serverless");
    assert_eq!(outputs["cacheName"], json!(name));
    assert_eq!(
        (
            &outputs["cacheReplicationGroupId"],
            &outputs["cacheSlowLogGroup"]
        ),
        (&json!(""), &json!(""))
    );
    assert_eq!(outputs["cacheNodeIds"], json!([]));

    let described = elasticache
        .describe_serverless_caches()
        .serverless_cache_name(&name)
        .send()
        .await
        .expect("the cache exists");
    let cache = &described.serverless_caches()[0];
    assert_eq!(cache.engine(), Some("valkey"));
    assert_eq!(cache.major_engine_version(), Some("8"));
    assert_eq!(cache.kms_key_id(), network["kmsKeyArn"].as_str());
    assert_eq!(
        cache.security_group_ids(),
        [network["securityGroupIds"]["cache"]
            .as_str()
            .expect("an id")]
    );
    let subnets: Vec<&str> = network["privateSubnetIds"]
        .as_array()
        .expect("the subnets")
        .iter()
        .map(|subnet| subnet.as_str().expect("an id"))
        .collect();
    assert_eq!(cache.subnet_ids(), subnets);
    let limits = cache.cache_usage_limits().expect("usage limits");
    let storage = limits.data_storage().expect("a storage limit");
    assert_eq!(
        (storage.maximum(), storage.unit()),
        (Some(5), Some(&DataStorageUnit::Gb))
    );
    assert_eq!(
        limits.ecpu_per_second().and_then(|ecpu| ecpu.maximum()),
        Some(10_000)
    );
    assert_eq!(cache.snapshot_retention_limit(), Some(1));
    let group_id = format!("valkey-users-{suffix}");
    assert_eq!(cache.user_group_id(), Some(group_id.as_str()));
    let endpoint = cache.endpoint().expect("an endpoint");
    let (host, port) = (
        endpoint.address().expect("an address"),
        endpoint.port().expect("a port"),
    );
    assert_eq!(
        outputs["cacheConfigurationEndpoint"],
        json!(format!("{host}:{port}"))
    );
    let tags = elasticache
        .list_tags_for_resource()
        .resource_name(cache.arn().expect("an ARN"))
        .send()
        .await
        .expect("the cache's tags");
    assert!(tags
        .tag_list()
        .iter()
        .any(|tag| tag.key() == Some(ENVIRONMENT) && tag.value() == Some(suffix.as_str())));

    // The user group holds one user, `default`, whose password is the secret's token.
    let groups = elasticache
        .describe_user_groups()
        .user_group_id(&group_id)
        .send()
        .await
        .expect("the user group exists");
    let user_id = format!("valkey-default-{suffix}");
    assert_eq!(groups.user_groups()[0].user_ids(), [user_id.as_str()]);
    let users = elasticache
        .describe_users()
        .user_id(&user_id)
        .send()
        .await
        .expect("the user exists");
    assert_eq!(users.users()[0].user_name(), Some("default"));
    let secret_arn = outputs["cacheAuthSecretArn"]
        .as_str()
        .expect("the secret's ARN")
        .to_owned();
    let document = current(&secrets, &secret_arn).await;
    assert_eq!(
        (&document["host"], &document["port"], &document["tls"]),
        (&json!(host), &json!(port), &json!(true))
    );
    assert_eq!(document["serverlessCacheName"], json!(name));
    let token = document["authToken"].clone();
    // `status` agrees, reading only; create again changes nothing it answers.
    assert_eq!(call("cache", "status", &awake, &json!({})), ready);
    assert_eq!(call("cache", "create", &awake, &handed_on), ready);

    // Asleep: the cache is deleted; the secret, the user and the group stay.
    let slept = until("cache", "create", "READY", &asleep, &handed_on);
    assert_eq!(slept["outputs"]["cacheConfigurationEndpoint"], "");
    assert_eq!(slept["outputs"]["cacheAuthSecretArn"], json!(secret_arn));
    let gone = elasticache
        .describe_serverless_caches()
        .serverless_cache_name(&name)
        .send()
        .await
        .expect_err("no cache while asleep");
    assert_eq!(gone.code(), Some("ServerlessCacheNotFoundFault"));
    assert_eq!(call("cache", "status", &asleep, &json!({})), slept);
    elasticache
        .describe_user_groups()
        .user_group_id(&group_id)
        .send()
        .await
        .expect("the user group stays");

    // Awake again: a new cache, the same token.
    let woke = until("cache", "create", "READY", &awake, &handed_on);
    assert_ne!(woke["outputs"]["cacheConfigurationEndpoint"], "");
    assert_eq!(current(&secrets, &secret_arn).await["authToken"], token);

    // Torn down: the cache, then the group, then the user, then the secret; nothing is left.
    until("cache", "delete", "DELETED", &awake, &json!({}));
    assert_eq!(
        missing(&elasticache, suffix.as_str()).await,
        [
            "ServerlessCacheNotFoundFault",
            "UserGroupNotFound",
            "UserNotFound"
        ]
    );
    assert_eq!(
        call("cache", "status", &awake, &json!({}))["status"],
        "DELETED"
    );
    until("network", "delete", "DELETED", &awake, &json!({}));
    assert_eq!(leftovers(&suffix).await, Vec::<String>::new());
}

/// The rules on the cache's ports (6379, 6380) of the cache and service groups, as
/// (group's tier, ingress, port, the other group's tier), sorted.
async fn cache_port_rules(
    ec2: &aws_sdk_ec2::Client,
    network: &Value,
) -> Vec<(String, bool, i32, String)> {
    let groups = network["securityGroupIds"].as_object().expect("the groups");
    let tier_of = |id: &str| {
        groups
            .iter()
            .find(|(_, group)| group.as_str() == Some(id))
            .map_or_else(|| id.to_owned(), |(tier, _)| tier.clone())
    };
    let mut rules = Vec::new();
    for tier in ["cache", "service"] {
        let described = ec2
            .describe_security_groups()
            .group_ids(groups[tier].as_str().expect("an id"))
            .send()
            .await
            .expect("the group exists");
        let group = &described.security_groups()[0];
        let directions = [
            (true, group.ip_permissions()),
            (false, group.ip_permissions_egress()),
        ];
        for (ingress, permissions) in directions {
            for permission in permissions {
                let port = permission.from_port().unwrap_or_default();
                if ![6379, 6380].contains(&port) {
                    continue;
                }
                for pair in permission.user_id_group_pairs() {
                    let other = tier_of(pair.group_id().expect("a group"));
                    rules.push((tier.to_owned(), ingress, port, other));
                }
            }
        }
    }
    rules.sort();
    rules
}

/// The token secret's rotation as DescribeSecret tells it, and whether a version is labelled
/// AWSPENDING without AWSCURRENT (a rotation started and not finished).
async fn rotation(secrets: &aws_sdk_secretsmanager::Client, arn: &str) -> (bool, bool) {
    let described = secrets
        .describe_secret()
        .secret_id(arn)
        .send()
        .await
        .expect("the secret exists");
    let unfinished = described
        .version_ids_to_stages()
        .into_iter()
        .flatten()
        .any(|(_, stages)| {
            stages.iter().any(|stage| stage == "AWSPENDING")
                && !stages.iter().any(|stage| stage == "AWSCURRENT")
        });
    (described.rotation_enabled() == Some(true), unfinished)
}

/// Writes a version labelled `AWSPENDING` only, beside `AWSCURRENT`'s, as a rotation's
/// createSecret step does.
async fn leave_pending(secrets: &aws_sdk_secretsmanager::Client, arn: &str) {
    secrets
        .put_secret_value()
        .secret_id(arn)
        .secret_string(r#"{"authToken":"pending"}"#)
        .version_stages("AWSPENDING")
        .send()
        .await
        .expect("a pending version is written");
}

/// `create` until READY, with room for a change of mode (the other shape's removal).
fn converged(function: &str, spec: &Value, outputs: &Value) -> Value {
    for _ in 0..12 {
        let response = call(function, "create", spec, outputs);
        if response["status"] == "READY" {
            return response;
        }
    }
    panic!("{function} is not READY after 12 calls");
}

fn rule(tier: &str, ingress: bool, port: i32, other: &str) -> (String, bool, i32, String) {
    (tier.to_owned(), ingress, port, other.to_owned())
}

#[tokio::test]
async fn a_cluster_switched_to_serverless_stops_rotating_opens_the_reader_port_and_back() {
    let suffix = unique_suffix();
    let cluster = spec(suffix.as_str(), json!({}));
    let serverless = spec(suffix.as_str(), json!({"cacheMode": "serverless"}));
    let (elasticache, secrets) = clients().await;
    let ec2 = ec2().await;
    let network = until("network", "create", "READY", &cluster, &json!({}))["outputs"].clone();
    let handed_on = json!({"network": network});
    let cluster_rules = vec![
        rule("cache", true, 6379, "rotation"),
        rule("cache", true, 6379, "service"),
        rule("service", false, 6379, "cache"),
    ];
    assert_eq!(cache_port_rules(&ec2, &network).await, cluster_rules);

    // A cluster whose token rotates: its first rotation never finishes here (no Lambda runs).
    rotation_function(suffix.as_str()).await;
    let ready = converged("cache", &cluster, &handed_on);
    let secret_arn = ready["outputs"]["cacheAuthSecretArn"]
        .as_str()
        .expect("the secret's ARN")
        .to_owned();
    assert_eq!(rotation(&secrets, &secret_arn).await, (true, true));
    let token = current(&secrets, &secret_arn).await["authToken"].clone();

    // Serverless: the network first, as the workflow runs it, then the cache.
    let opened = until("network", "create", "READY", &serverless, &json!({}));
    assert_eq!(opened["outputs"], network);
    let mut serverless_rules = cluster_rules.clone();
    serverless_rules.extend([
        rule("cache", true, 6380, "service"),
        rule("service", false, 6380, "cache"),
    ]);
    serverless_rules.sort();
    assert_eq!(cache_port_rules(&ec2, &network).await, serverless_rules);
    assert_eq!(call("network", "status", &serverless, &json!({})), opened);
    // The cluster's rules no longer: a cluster's status is not READY on this network.
    assert_eq!(
        call("network", "status", &cluster, &json!({}))["status"],
        "IN_PROGRESS"
    );
    let first = call("cache", "create", &serverless, &handed_on);
    assert_eq!(first["status"], "IN_PROGRESS", "{first}");
    assert_eq!(rotation(&secrets, &secret_arn).await, (false, false));
    let switched = converged("cache", &serverless, &handed_on);
    assert_eq!(switched["outputs"]["mode"], "serverless");
    assert_eq!(call("cache", "status", &serverless, &json!({})), switched);
    assert_eq!(rotation(&secrets, &secret_arn).await, (false, false));
    assert_eq!(current(&secrets, &secret_arn).await["authToken"], token);
    // A createSecret step that checked rotation just before the cancel writes its AWSPENDING
    // version after the turn-off: not READY until `create` drops it, rotation left off.
    leave_pending(&secrets, &secret_arn).await;
    assert_eq!(rotation(&secrets, &secret_arn).await, (false, true));
    let left = call("cache", "status", &serverless, &json!({}));
    assert_eq!(left["status"], "IN_PROGRESS", "{left}");
    assert_eq!(converged("cache", &serverless, &handed_on), switched);
    assert_eq!(rotation(&secrets, &secret_arn).await, (false, false));
    assert_eq!(current(&secrets, &secret_arn).await["authToken"], token);
    let gone = elasticache
        .describe_replication_groups()
        .replication_group_id(format!("redis-{suffix}"))
        .send()
        .await
        .expect_err("the cluster is gone");
    assert_eq!(gone.code(), Some("ReplicationGroupNotFoundFault"));

    // Back to a cluster with such a label left again: it goes before RotateSecret (which Secrets
    // Manager refuses while it is there), the reader port closed, rotation on again with the same
    // function.
    leave_pending(&secrets, &secret_arn).await;
    let closed = until("network", "create", "READY", &cluster, &json!({}));
    assert_eq!(closed["outputs"], network);
    assert_eq!(cache_port_rules(&ec2, &network).await, cluster_rules);
    let back = converged("cache", &cluster, &handed_on);
    assert_eq!(back["outputs"]["mode"], "cluster");
    assert!(rotation(&secrets, &secret_arn).await.0);
    assert_eq!(call("cache", "status", &cluster, &json!({})), back);

    // That rotation finished (finishSecret leaves no AWSPENDING beside AWSCURRENT's version):
    // switched again, there is only rotation to turn off.
    let stages = secrets
        .describe_secret()
        .secret_id(&secret_arn)
        .send()
        .await
        .expect("the secret exists");
    let pending = stages
        .version_ids_to_stages()
        .into_iter()
        .flatten()
        .find(|(_, stages)| stages.iter().any(|stage| stage == "AWSPENDING"))
        .map(|(version, _)| version.clone())
        .expect("the new rotation's pending version");
    secrets
        .update_secret_version_stage()
        .secret_id(&secret_arn)
        .version_stage("AWSPENDING")
        .remove_from_version_id(pending)
        .send()
        .await
        .expect("the label is removed");
    assert_eq!(rotation(&secrets, &secret_arn).await, (true, false));
    until("network", "create", "READY", &serverless, &json!({}));
    converged("cache", &serverless, &handed_on);
    assert_eq!(rotation(&secrets, &secret_arn).await, (false, false));

    delete_rotation_function(suffix.as_str()).await;
    until("cache", "delete", "DELETED", &serverless, &json!({}));
    until("network", "delete", "DELETED", &serverless, &json!({}));
    assert_eq!(leftovers(&suffix).await, Vec::<String>::new());
}
