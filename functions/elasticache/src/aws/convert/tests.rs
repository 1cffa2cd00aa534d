//! DescribeReplicationGroups' answer read into the plain type, and the plan written as
//! CreateReplicationGroup's shards, slow-log delivery and tags.

use super::*;
use crate::{GroupState, Sensitive, Shard};

fn slow_log(log_group: &str) -> ec::LogDeliveryConfiguration {
    ec::LogDeliveryConfiguration::builder()
        .log_type(ec::LogType::SlowLog)
        .destination_details(
            ec::DestinationDetails::builder()
                .cloud_watch_logs_details(
                    ec::CloudWatchLogsDestinationDetails::builder()
                        .log_group(log_group)
                        .build(),
                )
                .build(),
        )
        .build()
}

#[test]
fn a_group_is_read_with_its_endpoint_members_slow_log_and_token_change() {
    let engine_log = ec::LogDeliveryConfiguration::builder()
        .log_type(ec::LogType::EngineLog)
        .build();
    let described = ec::ReplicationGroup::builder()
        .replication_group_id("redis-pr-42")
        .status("modifying")
        .pending_modified_values(
            ec::ReplicationGroupPendingModifiedValues::builder()
                .auth_token_status(ec::AuthTokenUpdateStatus::Rotating)
                .build(),
        )
        .configuration_endpoint(
            ec::Endpoint::builder()
                .address("clustercfg.redis-pr-42.abc123.usw2.cache.amazonaws.com")
                .port(6379)
                .build(),
        )
        .member_clusters("redis-pr-42-0001-001")
        .log_delivery_configurations(engine_log)
        .log_delivery_configurations(slow_log("/aws/elasticache/redis-pr-42/slow"))
        .build();
    let read = group_of(&described).unwrap();
    assert_eq!(
        read,
        ReplicationGroup {
            id: "redis-pr-42".into(),
            status: "modifying".into(),
            token_change: Some("ROTATING".into()),
            configuration_endpoint: Some((
                "clustercfg.redis-pr-42.abc123.usw2.cache.amazonaws.com".into(),
                6379
            )),
            members: vec!["redis-pr-42-0001-001".into()],
            slow_log_group: Some("/aws/elasticache/redis-pr-42/slow".into()),
        }
    );
    assert_eq!(read.state(), GroupState::Modifying);
}

#[test]
fn a_group_being_created_has_no_endpoint_and_lacks_no_required_member() {
    let described = ec::ReplicationGroup::builder()
        .replication_group_id("redis-pr-42")
        .status("creating")
        .configuration_endpoint(ec::Endpoint::builder().port(6379).build())
        .build();
    let read = group_of(&described).unwrap();
    assert_eq!(read.state(), GroupState::Creating);
    assert_eq!(
        (
            read.token_change,
            read.configuration_endpoint,
            read.slow_log_group
        ),
        (None, None, None)
    );
    let without_status = ec::ReplicationGroup::builder()
        .replication_group_id("redis-pr-42")
        .build();
    let error = group_of(&without_status).unwrap_err();
    assert!(
        error.to_string().contains("ReplicationGroup.Status"),
        "{error}"
    );
    let error = group_of(&ec::ReplicationGroup::builder().build()).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("ReplicationGroup.ReplicationGroupId"),
        "{error}"
    );
}

#[test]
fn the_plan_is_written_as_shards_a_json_slow_log_and_tags() {
    let plan = GroupPlan {
        id: "redis-pr-42".into(),
        description: "Redis".into(),
        engine: "redis",
        engine_version: "7.1",
        parameter_group: "default.redis7.cluster.on",
        node_type: "cache.t4g.small".into(),
        shards: vec![Shard {
            id: "0001".into(),
            primary_zone: "us-west-2a".into(),
            replica_zones: vec!["us-west-2b".into()],
        }],
        replicas_per_shard: 1,
        port: 6379,
        subnet_group: "redis-subnets-pr-42".into(),
        security_group_id: "sg-1".into(),
        kms_key_arn: "arn:aws:kms:us-west-2:123456789012:key/k-1".into(),
        auth_token: Sensitive::new("token"),
        snapshot_retention_days: 1,
        slow_log_group: "/aws/elasticache/redis-pr-42/slow".into(),
        tags: vec![Tag {
            key: "Name",
            value: "redis-pr-42".into(),
        }],
    };
    let shards = shard_configuration(&plan);
    assert_eq!(shards[0].node_group_id(), Some("0001"));
    assert_eq!(shards[0].primary_availability_zone(), Some("us-west-2a"));
    assert_eq!(shards[0].replica_availability_zones(), ["us-west-2b"]);
    assert_eq!(shards[0].replica_count(), Some(1));
    let delivery = slow_log_delivery(&plan);
    assert_eq!(delivery.log_format(), Some(&ec::LogFormat::Json));
    assert_eq!(
        delivery
            .destination_details()
            .and_then(ec::DestinationDetails::cloud_watch_logs_details)
            .and_then(ec::CloudWatchLogsDestinationDetails::log_group),
        Some("/aws/elasticache/redis-pr-42/slow")
    );
    let tags = cache_tags(&plan.tags);
    assert_eq!(
        (tags[0].key(), tags[0].value()),
        (Some("Name"), Some("redis-pr-42"))
    );
}
