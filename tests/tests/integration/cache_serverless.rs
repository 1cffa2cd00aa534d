//! `cacheMode: serverless` (issue 22): the cache function against the emulator (moto, with the
//! serverless caches and user groups moto lacks from tools/emulator/serverless_cache.py), through
//! its binary, on a network the network function built. A Valkey 8 serverless cache in the private
//! subnets behind the cache security group, encrypted with the environment's key, its use bounded,
//! its users a group holding one user named `default` whose password is the token the secret holds;
//! READY once available with the endpoint in the outputs and the secret; asleep without the cache
//! and with the rest; awake again with a new cache and the same token; a teardown leaves nothing.

use super::cache::{call, clients, spec, until};
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
