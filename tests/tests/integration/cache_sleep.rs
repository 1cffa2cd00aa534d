//! Sleep and wake (issue 22): the cache function against moto, through its binary, on a network the
//! network function built. Asleep, the replication group is deleted and the token secret (its
//! token, its rotation), the subnet group and the slow-log group stay; awake again, the group is
//! made with the token the secret holds and the secret names the new group's endpoint; a teardown
//! halfway to sleep (the group deleting) leaves nothing.

use super::cache::{call, clients, delete_rotation_function, rotation_function, spec, until};
use aws_sdk_elasticache::error::ProvideErrorMetadata;
use integration_tests::emulator::emulator;
use integration_tests::leftovers::leftovers;
use integration_tests::unique_suffix;
use serde_json::{json, Value};

/// The secret's `AWSCURRENT` document.
async fn current(secrets: &aws_sdk_secretsmanager::Client, arn: &str) -> Value {
    let value = secrets
        .get_secret_value()
        .secret_id(arn)
        .version_stage("AWSCURRENT")
        .send()
        .await
        .expect("the emulator answers as set up");
    serde_json::from_str(value.secret_string().expect("a string secret")).expect("JSON")
}

/// The replication group's configuration endpoint, `None` when there is no group.
async fn endpoint(elasticache: &aws_sdk_elasticache::Client, id: &str) -> Option<(String, i32)> {
    let described = elasticache
        .describe_replication_groups()
        .replication_group_id(id)
        .send()
        .await;
    match described {
        Ok(output) => {
            let endpoint = output.replication_groups()[0]
                .configuration_endpoint()
                .expect("an endpoint")
                .clone();
            Some((
                endpoint.address().expect("an address").to_owned(),
                endpoint.port().expect("a port"),
            ))
        }
        Err(error) if error.code() == Some("ReplicationGroupNotFoundFault") => None,
        Err(error) => panic!("DescribeReplicationGroups: {error:?}"),
    }
}

#[tokio::test]
async fn a_cache_sleeps_without_its_group_and_wakes_with_the_same_token_and_secret() {
    let suffix = unique_suffix();
    let awake = spec(suffix.as_str(), json!({}));
    let asleep = spec(suffix.as_str(), json!({"asleep": true}));
    let network = until("network", "create", "READY", &awake, &json!({}))["outputs"].clone();
    let handed_on = json!({"network": network});
    let (elasticache, secrets) = clients().await;
    let group_id = format!("redis-{suffix}");
    let slow_log_group = format!("/aws/vendedlogs/elasticache/redis-slow-log-{suffix}");
    rotation_function(suffix.as_str()).await;

    let first = until("cache", "create", "READY", &awake, &handed_on);
    let secret_arn = first["outputs"]["cacheAuthSecretArn"]
        .as_str()
        .expect("the secret's ARN")
        .to_owned();
    let token = current(&secrets, &secret_arn).await["authToken"].clone();
    assert!(endpoint(&elasticache, &group_id).await.is_some());

    // Asleep: the group is deleted, IN_PROGRESS until it is gone, then READY without it.
    let deleting = call("cache", "create", &asleep, &handed_on);
    assert_eq!(deleting["status"], "IN_PROGRESS", "{deleting}");
    let slept = until("cache", "create", "READY", &asleep, &handed_on);
    assert_eq!(
        slept["outputs"],
        json!({
            "mode": "cluster",
            "cacheReplicationGroupId": group_id,
            "cacheConfigurationEndpoint": "",
            "cacheAuthSecretArn": secret_arn,
            "cacheSlowLogGroup": slow_log_group,
            "cacheNodeIds": []
        })
    );
    assert_eq!(endpoint(&elasticache, &group_id).await, None);
    elasticache
        .describe_cache_subnet_groups()
        .cache_subnet_group_name(format!("redis-subnets-{suffix}"))
        .send()
        .await
        .expect("the subnet group stays");
    let logs = aws_sdk_cloudwatchlogs::Client::new(&emulator().sdk_config().await);
    let log_groups = logs
        .describe_log_groups()
        .log_group_name_prefix(&slow_log_group)
        .send()
        .await
        .expect("the emulator answers as set up");
    assert_eq!(log_groups.log_groups().len(), 1, "the slow-log group stays");
    let described = secrets
        .describe_secret()
        .secret_id(&secret_arn)
        .send()
        .await
        .expect("the secret stays");
    assert_eq!(described.deleted_date(), None);
    assert_eq!(described.rotation_enabled(), Some(true));
    assert_eq!(current(&secrets, &secret_arn).await["authToken"], token);
    // `status` agrees, reading only; asleep again changes nothing it answers.
    assert_eq!(call("cache", "status", &asleep, &json!({})), slept);
    assert_eq!(call("cache", "create", &asleep, &handed_on), slept);

    // Awake again: a new group with the token the secret holds, its endpoint in the secret.
    let woke = until("cache", "create", "READY", &awake, &handed_on);
    assert_eq!(woke["outputs"]["cacheAuthSecretArn"], json!(secret_arn));
    let (host, port) = endpoint(&elasticache, &group_id)
        .await
        .expect("the group is back");
    assert_eq!(
        woke["outputs"]["cacheConfigurationEndpoint"],
        json!(format!("{host}:{port}"))
    );
    let document = current(&secrets, &secret_arn).await;
    assert_eq!(document["authToken"], token);
    assert_eq!(
        (&document["host"], &document["port"]),
        (&json!(host), &json!(port))
    );
    assert_eq!(call("cache", "status", &awake, &json!({})), woke);

    // Halfway to sleep again, the environment is torn down: nothing is left.
    let halfway = call("cache", "create", &asleep, &handed_on);
    assert_eq!(halfway["status"], "IN_PROGRESS", "{halfway}");
    delete_rotation_function(suffix.as_str()).await;
    until("cache", "delete", "DELETED", &asleep, &json!({}));
    until("network", "delete", "DELETED", &awake, &json!({}));
    assert_eq!(leftovers(&suffix).await, Vec::<String>::new());
}
