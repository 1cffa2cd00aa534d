//! The handler against the capabilities' fakes holding a complete environment.

use super::*;
use crate::document::tests::{complete, expected, self_signed};
use crate::fake::Fake;
use ec2::{Labels, Vpc};
use elasticache::{ReplicationGroup, ServerlessCache, ServerlessPlan, UsageLimits};
use env_core::recorder::Recorder;
use log_groups::fake::StoredLogGroup;
use secrets::{NewSecret, SecretValue};
use serde_json::Value;
use sns::fake::StoredTopic;

const KEY: &str = "arn:aws:kms:us-west-2:123456789012:key/pr-42";

/// A VPC as EC2 describes it, with its `Name` and environment tags.
fn vpc(id: &str, name: &str, environment: &str) -> Vpc {
    Vpc {
        labels: Labels {
            id: id.into(),
            name: Some(name.into()),
            environment: Some(environment.into()),
        },
        cidr: "10.0.0.0/16".into(),
    }
}

/// The load balancer as ELB describes it, active.
fn put_load_balancer(fake: &Fake, found: LoadBalancer) {
    let settings = elb::LoadBalancerSettings {
        name: "alb-pr-42".into(),
        subnets: Vec::new(),
        security_group: String::new(),
    };
    let described = elb::LoadBalancer {
        arn: found.arn,
        dns_name: found.dns_name,
        state: Some("active".into()),
    };
    fake.elb.world().load_balancers.push((settings, described));
}

/// An active ECS cluster with an active service in it.
fn put_service(fake: &Fake, cluster: &str, name: &str) {
    let mut world = fake.ecs.world();
    let arn = format!("arn:aws:ecs:us-west-2:123456789012:cluster/{cluster}");
    let status = "ACTIVE".to_owned();
    world
        .clusters
        .insert(cluster.into(), ecs::Cluster { arn, status });
    let spec = ecs::ServiceSpec {
        cluster: cluster.into(),
        name: name.into(),
        task_definition: "api:1".into(),
        desired_count: 2,
        subnets: Vec::new(),
        security_group: String::new(),
        target_group_arn: String::new(),
        container_name: "api".into(),
        container_port: 8080,
        registry_arn: String::new(),
        grace_period_seconds: 60,
        rollback_on_failure: true,
        deployment_percents: (100, 200),
        blue_green: None,
    };
    let service = ecs::EcsService {
        arn: format!("arn:aws:ecs:us-west-2:123456789012:service/{cluster}/{name}"),
        status: "ACTIVE".into(),
        ..ecs::EcsService::default()
    };
    world.services.insert(name.into(), (spec, service));
}

/// A Cloud Map namespace with one service in it.
fn put_discovery(fake: &Fake, namespace: &str, service: &str) {
    let named = |id: &str, name: &str| cloud_map::Named {
        id: id.into(),
        arn: format!("arn:aws:servicediscovery:us-west-2:123456789012:{id}"),
        name: name.into(),
    };
    let mut world = fake.cloud_map.world();
    world
        .namespaces
        .push((named("ns-1", namespace), "vpc-1".into()));
    world
        .discovery
        .push(("ns-1".into(), named("srv-1", service)));
}

/// The Aurora cluster as DescribeDBClusters tells it, available.
fn put_database(fake: &Fake, found: DatabaseCluster) {
    fake.rds.world().add_cluster(rds::Cluster {
        id: "aurora-pr-42".into(),
        arn: "arn:aws:rds:us-west-2:123456789012:cluster:aurora-pr-42".into(),
        status: "available".into(),
        deletion_protection: false,
        writer_endpoint: found.writer_endpoint,
        reader_endpoint: found.reader_endpoint,
        port: found.port,
        database_name: Some("catalog".into()),
        master_secret_arn: found.master_secret_arn,
        resource_id: "cluster-ABCDEF".into(),
        engine_version: Some("16.9".into()),
        scaling: None,
    });
}

/// Everything the fakes hold, as text.
fn everything(fake: &Fake) -> String {
    format!(
        "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        fake.ec2.world(),
        fake.elb.world(),
        fake.ecs.world(),
        fake.cloud_map.world(),
        fake.rds.world(),
        fake.elasticache.world(),
        fake.logs.groups(),
        fake.cloudwatch.world(),
        fake.sns.world(),
        fake.secrets.store(),
    )
}

/// A fake AWS holding what the document tests' complete environment pr-42 describes, with
/// another environment's resources beside it that must not be picked up.
async fn environment() -> Fake {
    let found = complete();
    let fake = Fake::default();
    // The master user's secret is RDS's, made with the cluster.
    let mut database = found.database.clone().unwrap();
    database.master_secret_arn = Some(fake.secrets().add_managed(
        "rds!cluster-0f1e2d3c",
        "rds",
        "{}",
    ));
    for name in [
        "secret-db-app-pr-42",
        "secret-api-keys-pr-42",
        "secret-redis-auth-pr-42",
        "secret-db-app-pr-7",
    ] {
        let secret = NewSecret {
            name: name.into(),
            description: format!("{name}, made by its component"),
            kms_key_arn: KEY.into(),
            value: SecretValue::new("{}"),
            tags: Vec::new(),
        };
        fake.secrets().create(&secret).await.unwrap();
    }
    {
        let mut network = fake.ec2().world();
        network.vpcs.extend([
            vpc("vpc-1", "vpc-pr-42", "pr-42"),
            vpc("vpc-9", "vpc-pr-7", "pr-7"),
            // Tagged for the environment but named otherwise, and named like its VPC but
            // another environment's (the fake, like moto, ignores the tag filter): neither
            // is its VPC.
            vpc("vpc-3", "vpc-pr-7", "pr-42"),
            vpc("vpc-5", "vpc-pr-42", "pr-7"),
        ]);
        for subnet in &found.subnets {
            let labels = Labels {
                id: subnet.id.clone(),
                name: subnet.name.clone(),
                environment: None,
            };
            let zone = "us-west-2a".to_owned();
            network
                .subnets
                .push(("vpc-1".into(), ec2::Subnet { labels, zone }));
        }
    }
    put_load_balancer(&fake, found.load_balancer.clone().unwrap());
    put_service(&fake, "ecs-cluster-pr-42", "ecs-service-pr-42");
    put_discovery(&fake, "catalog-pr-42.local", "api");
    put_database(&fake, database);
    let (host, port) = found.cache_endpoint.clone().unwrap().unwrap();
    fake.elasticache.world().add_group(ReplicationGroup {
        id: "redis-pr-42".into(),
        status: "available".into(),
        token_change: None,
        configuration_endpoint: Some((host, port)),
        members: Vec::new(),
        slow_log_group: None,
    });
    fake.cloudwatch
        .world()
        .dashboards
        .insert("dashboard-pr-42".into(), "{}".into());
    let mut topics = fake.sns.world();
    for arn in [
        "arn:aws:sns:us-west-2:1:alarms-pr-7".to_owned(),
        found.alarm_topic_arn.clone().unwrap(),
    ] {
        topics.topics.push(StoredTopic {
            arn,
            kms_key: KEY.into(),
            tags: Vec::new(),
        });
    }
    drop(topics);
    fake.logs.groups().insert(
        "ecs-logs-pr-42".into(),
        StoredLogGroup {
            kms_key_arn: Some(KEY.into()),
            retention_days: Some(14),
            tags: Vec::new(),
        },
    );
    // The setup's own calls are not the function's.
    *fake.recorder.lock() = Recorder::default();
    fake
}

fn request(action: Action) -> Request {
    Request {
        action,
        spec: self_signed(),
        // What the workflow hands on is ignored: the document comes from AWS alone.
        outputs: [("vpcId".to_owned(), Value::from("vpc-from-memory"))]
            .into_iter()
            .collect(),
        started_at: std::time::SystemTime::now(),
    }
}

#[tokio::test]
async fn status_and_create_answer_ready_with_the_document_read_from_aws() {
    let fake = environment().await;
    for action in [Action::Status, Action::Create] {
        let response = handle(&fake, request(action)).await.unwrap();
        assert_eq!(response.status, Status::Ready);
        assert_eq!(Value::Object(response.outputs), expected());
    }
}

#[tokio::test]
async fn describing_changes_nothing_and_reads_each_piece_once() {
    let fake = environment().await;
    let before = everything(&fake);
    handle(&fake, request(Action::Status)).await.unwrap();
    assert_eq!(everything(&fake), before);
    assert!(fake.recorder.lock().changes.is_empty());
    let mut calls = fake.recorder.lock().calls.clone();
    calls.sort();
    assert_eq!(
        calls,
        [
            "DescribeClusters",
            "DescribeDBClusters",
            "DescribeLoadBalancers",
            "DescribeLogGroups",
            "DescribeReplicationGroups",
            "DescribeSecret",
            "DescribeSecret",
            "DescribeSecret",
            "DescribeServices",
            "DescribeSubnets",
            "DescribeVpcs",
            "ListDashboards",
            "ListNamespaces",
            "ListServices",
            "ListTopics"
        ]
    );
}

#[tokio::test]
async fn delete_answers_deleted_without_calling_aws() {
    let fake = environment().await;
    let response = handle(&fake, request(Action::Delete)).await.unwrap();
    assert_eq!(response.status, Status::Deleted);
    assert!(response.outputs.is_empty());
    assert!(fake.recorder.lock().calls.is_empty());
}

#[tokio::test]
async fn a_missing_piece_fails_as_component_failed_naming_every_one() {
    let fake = environment().await;
    fake.elb.world().load_balancers.clear();
    fake.secrets()
        .delete("secret-api-keys-pr-42", false)
        .await
        .unwrap();
    let error = handle(&fake, request(Action::Status)).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert_eq!(
        error.to_string(),
        "environment pr-42 is incomplete, so it has no outputs document; missing: \
         loadBalancerArn (load balancer alb-pr-42); \
         loadBalancerDnsName (load balancer alb-pr-42); \
         httpsUrl (load balancer alb-pr-42); \
         apiKeysSecretArn (secret secret-api-keys-pr-42 not scheduled for deletion)"
    );
}

#[tokio::test]
async fn only_the_log_group_of_exactly_the_services_name_counts() {
    let fake = environment().await;
    // DescribeLogGroups answers every group the name is a prefix of: a longer name beside the
    // service's must not stand in for it.
    let group = fake.logs.groups().remove("ecs-logs-pr-42").unwrap();
    fake.logs.groups().insert("ecs-logs-pr-420".into(), group);
    let error = handle(&fake, request(Action::Status)).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert_eq!(
        error.to_string(),
        "environment pr-42 is incomplete, so it has no outputs document; missing: \
         serviceLogGroup (log group ecs-logs-pr-42)"
    );
}

#[tokio::test]
async fn without_the_vpc_the_subnets_are_not_read() {
    let fake = environment().await;
    fake.ec2().world().vpcs.clear();
    let error = handle(&fake, request(Action::Status)).await.unwrap_err();
    assert!(!fake.recorder.lock().calls.contains(&"DescribeSubnets"));
    let text = error.to_string();
    assert!(
        text.contains(
            "vpcId (exactly one VPC named vpc-pr-42 tagged catalog:environment=pr-42, found 0)"
        ),
        "{text}"
    );
    assert!(
        text.contains("publicSubnetIds (subnet named subnet-public-a-pr-42)"),
        "{text}"
    );
}

#[tokio::test]
async fn a_throttled_read_is_retryable_and_a_refused_one_is_not() {
    let fake = environment().await;
    fake.recorder.lock().fail("DescribeSubnets", "Throttling");
    let error = handle(&fake, request(Action::Status)).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert!(
        error
            .to_string()
            .starts_with("DescribeSubnets failed: Throttling"),
        "{error}"
    );

    fake.recorder
        .lock()
        .fail("ListTopics", "AuthorizationError");
    let error = handle(&fake, request(Action::Status)).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
    // The fault was used up: the next call succeeds.
    assert_eq!(
        handle(&fake, request(Action::Status)).await.unwrap().status,
        Status::Ready
    );
}

#[tokio::test]
async fn every_read_failure_reaches_the_caller() {
    for operation in [
        "DescribeVpcs",
        "DescribeLoadBalancers",
        "DescribeClusters",
        "DescribeServices",
        "ListNamespaces",
        "ListServices",
        "DescribeDBClusters",
        "DescribeSecret",
        "DescribeReplicationGroups",
        "DescribeLogGroups",
        "ListDashboards",
        "ListTopics",
    ] {
        let fake = environment().await;
        fake.recorder.lock().fail(operation, "AccessDenied");
        let error = handle(&fake, request(Action::Create)).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::AwsRejected, "{operation}");
        assert!(error.to_string().starts_with(operation), "{error}");
    }
}

/// The serverless cache `valkey-pr-42` as ElastiCache describes it, with `endpoint`.
fn put_serverless_cache(fake: &Fake, endpoint: Option<(String, i32)>) {
    let cache = ServerlessCache {
        name: "valkey-pr-42".into(),
        status: "available".into(),
        endpoint,
        user_group: Some("valkey-users-pr-42".into()),
    };
    let plan = ServerlessPlan {
        name: cache.name.clone(),
        description: "the cache function's".into(),
        engine: "valkey",
        major_engine_version: "8",
        limits: UsageLimits {
            max_data_storage_gb: 5,
            max_ecpu_per_second: 10_000,
        },
        kms_key_arn: KEY.into(),
        security_group_id: "sg-cache".into(),
        subnet_ids: Vec::new(),
        user_group: "valkey-users-pr-42".into(),
        snapshot_retention_days: 1,
        daily_snapshot_time: "04:00",
        tags: Vec::new(),
    };
    fake.elasticache
        .world()
        .serverless_caches
        .insert(cache.name.clone(), (cache, plan));
}

#[tokio::test]
async fn a_serverless_cache_is_read_by_its_name_for_its_endpoint() {
    let fake = environment().await;
    let serverless = Request {
        spec: crate::document::tests::spec(
            serde_json::json!({"selfSignedCertificate": true, "cacheMode": "serverless"}),
        ),
        ..request(Action::Status)
    };
    // Without it: missing, named as a serverless cache, and the replication group never read.
    let missing = handle(&fake, serverless.clone()).await.unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("cacheConfigurationEndpoint (endpoint of serverless cache valkey-pr-42)"),
        "{missing}"
    );
    assert!(!fake
        .recorder
        .lock()
        .calls
        .contains(&"DescribeReplicationGroups"));
    // Creating, with no endpoint yet: still missing.
    put_serverless_cache(&fake, None);
    assert!(handle(&fake, serverless.clone()).await.is_err());
    let host = "valkey-pr-42-abc123.serverless.usw2.cache.amazonaws.com";
    put_serverless_cache(&fake, Some((host.into(), 6379)));
    let response = handle(&fake, serverless).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    assert_eq!(
        response.outputs["cacheConfigurationEndpoint"],
        format!("{host}:6379")
    );
    assert_eq!(response.outputs["cachePort"], 6379);
}
