use super::*;
use crate::api::Rotation;
use crate::fake::FakeCloud;

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

const KEY: &str = "arn:aws:kms:us-west-2:123456789012:key/k-1";

fn network_outputs() -> Outputs {
    json!({
        "vpcId": "vpc-1",
        "availabilityZones": ["us-west-2a", "us-west-2b", "us-west-2c"],
        "publicSubnetIds": ["subnet-pub-a", "subnet-pub-b", "subnet-pub-c"],
        "privateSubnetIds": ["subnet-a", "subnet-b", "subnet-c"],
        "securityGroupIds": {"alb": "sg-alb", "database": "sg-db", "cache": "sg-cache"},
        "kmsKeyArn": KEY
    })
    .as_object()
    .unwrap()
    .clone()
}

fn request(action: Action, spec: EnvironmentSpec) -> Request {
    Request {
        action,
        spec,
        outputs: network_outputs(),
    }
}

async fn run(cloud: &FakeCloud, action: Action, extra: Value) -> Result<Response, DatabaseError> {
    handle(cloud, request(action, spec(extra))).await
}

fn changes(cloud: &FakeCloud) -> Vec<&'static str> {
    std::mem::take(&mut cloud.world().changes)
}

/// Creates everything and lets AWS make it available.
async fn ready(cloud: &FakeCloud, extra: Value) -> Response {
    run(cloud, Action::Create, extra.clone()).await.unwrap();
    run(cloud, Action::Status, extra.clone()).await.unwrap();
    cloud.set_all("available");
    let response = run(cloud, Action::Status, extra).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    changes(cloud);
    response
}

#[tokio::test]
async fn a_missing_network_output_is_an_invalid_event_before_any_call() {
    for (key, named) in [
        ("privateSubnetIds", "privateSubnetIds"),
        ("availabilityZones", "availabilityZones"),
        ("securityGroupIds", "securityGroupIds.database"),
        ("kmsKeyArn", "kmsKeyArn"),
    ] {
        let cloud = FakeCloud::default();
        let mut outputs = network_outputs();
        outputs.remove(key);
        let request = Request {
            action: Action::Create,
            spec: spec(json!({})),
            outputs,
        };
        let error = handle(&cloud, request).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::InvalidEvent);
        assert!(error.to_string().contains(named), "{error}");
        assert!(cloud.world().changes.is_empty());
    }
}

#[tokio::test]
async fn too_few_subnets_or_an_empty_key_are_rejected() {
    let cloud = FakeCloud::default();
    let mut outputs = network_outputs();
    outputs.insert("privateSubnetIds".into(), json!(["subnet-a", ""]));
    outputs.insert("kmsKeyArn".into(), json!(""));
    let request = Request {
        action: Action::Status,
        spec: spec(json!({})),
        outputs,
    };
    let error = handle(&cloud, request).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        DatabaseError::MissingInput("privateSubnetIds").to_string()
    );
    let mut outputs = network_outputs();
    outputs.insert("kmsKeyArn".into(), json!(""));
    let request = Request {
        action: Action::Status,
        spec: spec(json!({})),
        outputs,
    };
    let error = handle(&cloud, request).await.unwrap_err();
    assert!(error.to_string().contains("kmsKeyArn"), "{error}");
}

#[tokio::test]
async fn create_makes_the_groups_and_an_encrypted_serverless_v2_cluster() {
    let cloud = FakeCloud::default();
    let response = run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(
        changes(&cloud),
        [
            "CreateDBSubnetGroup",
            "CreateDBClusterParameterGroup",
            "ModifyDBClusterParameterGroup",
            "CreateDBCluster"
        ]
    );
    let world = cloud.world();
    let (subnets, tags) = &world.subnet_groups["dbsubnets-pr-42"];
    assert_eq!(subnets, &["subnet-a", "subnet-b", "subnet-c"]);
    assert!(tags.iter().any(|tag| tag.value == "pr-42"));
    let (family, parameters) = &world.parameter_groups["aurora-params-pr-42"];
    assert_eq!(family, "aurora-postgresql16");
    assert_eq!(parameters["rds.force_ssl"], "1");
    let (settings, _) = &world.clusters["aurora-pr-42"];
    assert_eq!(settings.engine, "aurora-postgresql");
    assert!(settings.engine_version.starts_with("16."));
    assert_eq!((settings.min_capacity, settings.max_capacity), (0.5, 4.0));
    assert_eq!(settings.kms_key_arn, KEY);
    assert_eq!(settings.security_group_ids, ["sg-db"]);
    assert_eq!(settings.subnet_group, "dbsubnets-pr-42");
    assert_eq!(settings.parameter_group, "aurora-params-pr-42");
    assert_eq!(settings.backup_retention_days, 7);
    assert_eq!(settings.log_exports, ["postgresql"]);
    assert!(settings.deletion_protection);
    assert!(!["postgres", "admin"].contains(&settings.master_username));
    assert_eq!((settings.database_name, settings.port), ("catalog", 5432));
}

#[tokio::test]
async fn the_spec_sets_capacity_and_protection() {
    let cloud = FakeCloud::default();
    let extra = json!({"dbMinCapacity": 1, "dbMaxCapacity": 8.5, "deletionProtection": false});
    run(&cloud, Action::Create, extra).await.unwrap();
    let world = cloud.world();
    let (settings, _) = &world.clusters["aurora-pr-42"];
    assert_eq!((settings.min_capacity, settings.max_capacity), (1.0, 8.5));
    assert!(!settings.deletion_protection);
}

#[tokio::test]
async fn the_writer_and_the_reader_go_to_different_zones_once_the_cluster_exists() {
    let cloud = FakeCloud::default();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    changes(&cloud);
    let response = run(&cloud, Action::Status, json!({})).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(
        changes(&cloud),
        [
            "ModifyDBClusterParameterGroup",
            "CreateDBInstance",
            "CreateDBInstance"
        ]
    );
    let world = cloud.world();
    let (writer, _) = &world.instances["aurora-writer-pr-42"];
    let (reader, _) = &world.instances["aurora-reader-pr-42"];
    assert_eq!(
        (writer.zone.as_str(), writer.promotion_tier),
        ("us-west-2a", 0)
    );
    assert_eq!(
        (reader.zone.as_str(), reader.promotion_tier),
        ("us-west-2b", 1)
    );
    for instance in [writer, reader] {
        assert_eq!(instance.class, "db.serverless");
        assert_eq!(instance.cluster_id, "aurora-pr-42");
        assert_eq!(instance.kms_key_arn, KEY);
    }
    // The managed secret's schedule waits for an available cluster.
    assert!(world.rotations.is_empty());
}

#[tokio::test]
async fn ready_once_everything_is_available_with_the_master_secret_rotating_every_30_days() {
    let cloud = FakeCloud::default();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    run(&cloud, Action::Status, json!({})).await.unwrap();
    cloud.set_all("available");
    changes(&cloud);
    let response = run(&cloud, Action::Status, json!({})).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    assert_eq!(
        changes(&cloud),
        ["ModifyDBClusterParameterGroup", "RotateSecret"]
    );
    let secret = "arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!cluster-aurora-pr-42";
    assert_eq!(
        cloud.world().rotations[secret],
        Rotation {
            enabled: true,
            days: Some(30)
        }
    );
    let outputs = &response.outputs;
    assert_eq!(outputs["dbClusterIdentifier"], "aurora-pr-42");
    assert_eq!(
        outputs["dbClusterArn"],
        "arn:aws:rds:us-west-2:123456789012:cluster:aurora-pr-42"
    );
    assert_eq!(
        outputs["dbWriterEndpoint"],
        "aurora-pr-42.cluster-x.us-west-2.rds.amazonaws.com"
    );
    assert_eq!(
        outputs["dbReaderEndpoint"],
        "aurora-pr-42.cluster-ro-x.us-west-2.rds.amazonaws.com"
    );
    assert_eq!(outputs["dbPort"], 5432);
    assert_eq!(outputs["dbName"], "catalog");
    assert_eq!(outputs["dbMasterSecretArn"], secret);
}

#[tokio::test]
async fn a_repeated_create_changes_nothing_but_reasserts_tls() {
    let cloud = FakeCloud::default();
    let first = ready(&cloud, json!({})).await;
    let again = run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(again, first);
    assert_eq!(changes(&cloud), ["ModifyDBClusterParameterGroup"]);
}

#[tokio::test]
async fn a_schedule_other_than_30_days_is_set_again() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    for rotation in cloud.world().rotations.values_mut() {
        rotation.days = Some(7);
    }
    run(&cloud, Action::Status, json!({})).await.unwrap();
    assert_eq!(
        changes(&cloud),
        ["ModifyDBClusterParameterGroup", "RotateSecret"]
    );
}

#[tokio::test]
async fn instances_still_creating_keep_the_environment_in_progress() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    cloud
        .world()
        .instances
        .get_mut("aurora-reader-pr-42")
        .unwrap()
        .1
        .status = "modifying".into();
    let response = run(&cloud, Action::Status, json!({})).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(response.outputs["dbClusterIdentifier"], "aurora-pr-42");
}

#[tokio::test]
async fn resources_met_by_a_concurrent_create_are_not_an_error() {
    let cloud = FakeCloud::default();
    cloud.fail_next("CreateDBSubnetGroup", "DBSubnetGroupAlreadyExists");
    cloud.fail_next(
        "CreateDBClusterParameterGroup",
        "DBParameterGroupAlreadyExists",
    );
    cloud.fail_next("CreateDBCluster", "DBClusterAlreadyExistsFault");
    let response = run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    run(&cloud, Action::Create, json!({})).await.unwrap();
    cloud.fail_next("CreateDBInstance", "DBInstanceAlreadyExists");
    let response = run(&cloud, Action::Status, json!({})).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(cloud.world().instances.contains_key("aurora-reader-pr-42"));
}

#[tokio::test]
async fn throttling_is_retryable_and_other_refusals_are_not() {
    let cloud = FakeCloud::default();
    cloud.fail_next("DescribeDBClusters", "Throttling");
    let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    cloud.fail_next("CreateDBCluster", "InvalidParameterValue");
    let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
    assert!(error.to_string().contains("CreateDBCluster"), "{error}");
}

#[tokio::test]
async fn a_failed_cluster_or_instance_is_a_component_failure() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    cloud
        .world()
        .instances
        .get_mut("aurora-writer-pr-42")
        .unwrap()
        .1
        .status = "incompatible-parameters".into();
    let error = run(&cloud, Action::Status, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert!(error.to_string().contains("aurora-writer-pr-42"), "{error}");
    cloud.set_all("inaccessible-encryption-credentials");
    let error = run(&cloud, Action::Status, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert!(
        error.to_string().contains("aurora-pr-42 is in state"),
        "{error}"
    );
}

#[tokio::test]
async fn a_cluster_still_being_deleted_is_waited_for() {
    let cloud = FakeCloud::default();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    cloud.set_all("deleting");
    changes(&cloud);
    let response = run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(changes(&cloud), ["ModifyDBClusterParameterGroup"]);
}

#[tokio::test]
async fn a_protected_cluster_refuses_delete_without_force_and_nothing_is_deleted() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    let error = run(&cloud, Action::Delete, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::DeletionProtected);
    assert!(error.to_string().contains("forceDestroy"), "{error}");
    assert!(changes(&cloud).is_empty());
    let world = cloud.world();
    assert_eq!((world.clusters.len(), world.instances.len()), (1, 2));
}

#[tokio::test]
async fn force_destroy_lifts_protection_then_deletes_instances_cluster_and_groups() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    cloud.world().slow_deletion = true;
    let force = json!({"forceDestroy": true});

    let response = run(&cloud, Action::Delete, force.clone()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(
        changes(&cloud),
        ["ModifyDBCluster", "DeleteDBInstance", "DeleteDBInstance"]
    );
    // Instances still deleting: nothing more to ask for.
    let response = run(&cloud, Action::Delete, force.clone()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(changes(&cloud).is_empty());

    cloud.world().instances.clear();
    let response = run(&cloud, Action::Delete, force.clone()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(changes(&cloud), ["DeleteDBCluster"]);
    let response = run(&cloud, Action::Delete, force.clone()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(changes(&cloud).is_empty());

    cloud.world().clusters.clear();
    let response = run(&cloud, Action::Delete, force.clone()).await.unwrap();
    assert_eq!(response.status, Status::Deleted);
    assert_eq!(
        changes(&cloud),
        ["DeleteDBSubnetGroup", "DeleteDBClusterParameterGroup"]
    );
    let again = run(&cloud, Action::Delete, force).await.unwrap();
    assert_eq!(again.status, Status::Deleted);
    assert!(changes(&cloud).is_empty());
}

#[tokio::test]
async fn an_unprotected_cluster_is_deleted_without_force() {
    let cloud = FakeCloud::default();
    let unprotected = json!({"deletionProtection": false});
    ready(&cloud, unprotected.clone()).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let response = run(&cloud, Action::Delete, unprotected.clone())
            .await
            .unwrap();
        statuses.push(response.status);
        if response.status == Status::Deleted {
            break;
        }
    }
    assert_eq!(
        statuses,
        [Status::InProgress, Status::InProgress, Status::Deleted]
    );
    assert!(!changes(&cloud).contains(&"ModifyDBCluster"));
}

#[tokio::test]
async fn instances_left_without_their_cluster_are_waited_for() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    cloud.world().clusters.clear();
    cloud.set_all("deleting");
    let response = run(&cloud, Action::Delete, json!({})).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(changes(&cloud).is_empty());
}

#[tokio::test]
async fn delete_reports_throttling_as_retryable() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    cloud.fail_next("DeleteDBInstance", "Throttling");
    let error = run(&cloud, Action::Delete, json!({"forceDestroy": true}))
        .await
        .unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
}

#[test]
fn error_names_follow_the_contract() {
    assert_eq!(
        DatabaseError::MissingInput("kmsKeyArn").error_name(),
        ErrorName::InvalidEvent
    );
    assert_eq!(
        DatabaseError::DeletionProtected("aurora-pr-42".into()).error_name(),
        ErrorName::DeletionProtected
    );
    assert_eq!(
        DatabaseError::Failed("aurora-pr-42".into(), "failed".into()).error_name(),
        ErrorName::ComponentFailed
    );
}

#[tokio::test]
async fn a_throttled_instance_create_is_retryable_and_the_next_call_makes_it() {
    let cloud = FakeCloud::default();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    cloud.fail_next("CreateDBInstance", "ThrottlingException");
    let error = run(&cloud, Action::Status, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert!(cloud.world().instances.is_empty());
    run(&cloud, Action::Status, json!({})).await.unwrap();
    assert_eq!(cloud.world().instances.len(), 2);
}
