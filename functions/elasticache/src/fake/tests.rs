//! The in-memory ElastiCache answers as ElastiCache (and moto) does.

use super::*;
use crate::{Sensitive, Shard};

fn plan() -> GroupPlan {
    GroupPlan {
        id: "redis-pr-42".into(),
        description: "Redis".into(),
        engine: "redis",
        engine_version: "7.1",
        parameter_group: "default.redis7.cluster.on",
        node_type: "cache.t4g.small".into(),
        shards: ["0001", "0002"]
            .map(|id| Shard {
                id: id.into(),
                primary_zone: "us-west-2a".into(),
                replica_zones: vec!["us-west-2b".into()],
            })
            .to_vec(),
        replicas_per_shard: 1,
        port: 6379,
        subnet_group: "redis-subnets-pr-42".into(),
        security_group_id: "sg-1".into(),
        kms_key_arn: "arn:aws:kms:us-west-2:123456789012:key/k-1".into(),
        auth_token: Sensitive::new("token"),
        snapshot_retention_days: 1,
        slow_log_group: "/aws/elasticache/redis-pr-42/slow".into(),
        tags: Vec::new(),
    }
}

#[tokio::test]
async fn a_group_is_created_settles_with_its_endpoint_and_goes_once_deleted() {
    let recorder = SharedRecorder::default();
    let cache = FakeElastiCache::new(recorder.clone());
    assert_eq!(cache.replication_group("redis-pr-42").await.unwrap(), None);
    cache.create_replication_group(&plan()).await.unwrap();
    let made = cache
        .replication_group("redis-pr-42")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(made.state(), GroupState::Creating);
    assert_eq!(made.configuration_endpoint, None);
    assert_eq!(
        made.members,
        [
            "redis-pr-42-0001-001",
            "redis-pr-42-0001-002",
            "redis-pr-42-0002-001",
            "redis-pr-42-0002-002"
        ]
    );
    cache.world().settle();
    let settled = cache
        .replication_group("redis-pr-42")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(settled.state(), GroupState::Available);
    assert_eq!(settled.configuration_endpoint.unwrap().1, 6379);

    cache.delete_replication_group("redis-pr-42").await.unwrap();
    let deleting = cache
        .replication_group("redis-pr-42")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(deleting.state(), GroupState::Deleting);
    cache.world().settle();
    assert!(cache.world().groups.is_empty());
    // A group that is not there changes nothing.
    cache.world().group_status("redis-pr-42", "available");
    assert_eq!(
        recorder.lock().changes,
        ["CreateReplicationGroup", "DeleteReplicationGroup"]
    );
}

#[tokio::test]
async fn a_group_another_component_made_is_read_with_its_endpoint() {
    let cache = FakeElastiCache::new(SharedRecorder::default());
    let made = ReplicationGroup {
        id: "redis-pr-42".into(),
        status: "available".into(),
        token_change: None,
        configuration_endpoint: Some(("clustercfg.redis-pr-42".into(), 6379)),
        members: Vec::new(),
        slow_log_group: None,
    };
    cache.world().add_group(made.clone());
    assert_eq!(
        cache.replication_group("redis-pr-42").await.unwrap(),
        Some(made)
    );
    assert_eq!(cache.world().groups["redis-pr-42"].1.port, 6379);
}

#[tokio::test]
async fn a_subnet_group_is_made_and_deleted_and_a_fault_changes_nothing() {
    let recorder = SharedRecorder::default();
    let cache = FakeElastiCache::new(recorder.clone());
    let subnets = ["subnet-1".to_owned()];
    recorder
        .lock()
        .fail("CreateCacheSubnetGroup", "CacheSubnetQuotaExceededFault");
    let error = cache
        .create_subnet_group("redis-subnets-pr-42", "Redis", &subnets, &[])
        .await
        .unwrap_err();
    assert!(error.is_code("CacheSubnetQuotaExceededFault"));
    assert!(!cache
        .subnet_group_exists("redis-subnets-pr-42")
        .await
        .unwrap());
    cache
        .create_subnet_group("redis-subnets-pr-42", "Redis", &subnets, &[])
        .await
        .unwrap();
    assert!(cache
        .subnet_group_exists("redis-subnets-pr-42")
        .await
        .unwrap());
    assert_eq!(
        cache.world().subnet_groups["redis-subnets-pr-42"]
            .0
            .subnet_ids,
        subnets
    );
    cache
        .delete_subnet_group("redis-subnets-pr-42")
        .await
        .unwrap();
    assert!(!cache
        .subnet_group_exists("redis-subnets-pr-42")
        .await
        .unwrap());
}

#[tokio::test]
async fn a_token_is_rotated_only_on_an_available_group_one_change_at_a_time() {
    let recorder = SharedRecorder::default();
    let cache = FakeElastiCache::new(recorder.clone());
    let token = Sensitive::new("a-new-token-of-32-characters-xyz");
    let error = cache
        .rotate_auth_token("redis-pr-42", &token)
        .await
        .unwrap_err();
    assert!(error.is_code("ReplicationGroupNotFoundFault"), "{error}");
    cache.create_replication_group(&plan()).await.unwrap();
    let error = cache
        .rotate_auth_token("redis-pr-42", &token)
        .await
        .unwrap_err();
    assert!(error.is_code("InvalidReplicationGroupState"), "{error}");
    cache.world().settle();

    cache
        .rotate_auth_token("redis-pr-42", &token)
        .await
        .unwrap();
    let rotating = cache
        .replication_group("redis-pr-42")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rotating.state(), GroupState::Modifying);
    assert_eq!(rotating.token_change.as_deref(), Some("ROTATING"));
    cache.world().group_status("redis-pr-42", "available");
    let error = cache
        .rotate_auth_token(
            "redis-pr-42",
            &Sensitive::new("another-token-of-32-characters-x"),
        )
        .await
        .unwrap_err();
    assert!(error.is_code("InvalidReplicationGroupState"), "{error}");

    cache.world().settle();
    let applied = cache
        .replication_group("redis-pr-42")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (applied.state(), applied.token_change),
        (GroupState::Available, None)
    );
    assert_eq!(
        cache.world().rotated_tokens,
        [("redis-pr-42".to_owned(), token)]
    );
    let calls = recorder.lock().calls.clone();
    let modifications = calls
        .iter()
        .filter(|call| **call == "ModifyReplicationGroup");
    assert_eq!(modifications.count(), 4);
}
