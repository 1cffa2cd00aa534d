//! `create` of the groups, the cluster and its writer and reader: what they are made with, how a
//! concurrent create, a busy or failed cluster and AWS's refusals are met, and the outputs.

use super::*;

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
            "CreateLogGroup",
            "PutRetentionPolicy",
            "CreateDBCluster"
        ]
    );
    let world = cloud.rds.world();
    let (subnets, tags) = &world.subnet_groups["dbsubnets-pr-42"];
    assert_eq!(subnets, &["subnet-a", "subnet-b", "subnet-c"]);
    assert!(tags.iter().any(|tag| tag.value == "pr-42"));
    let (family, parameters) = &world.parameter_groups["aurora-params-pr-42"];
    assert_eq!(family, "aurora-postgresql16");
    assert_eq!(parameters["rds.force_ssl"], "1");
    let (settings, _) = &world.clusters["aurora-pr-42"];
    assert_eq!(settings.engine, "aurora-postgresql");
    // The newest 16.x the (fake) RDS offers, asked for by engine and parameter group family.
    assert_eq!(settings.engine_version, "16.9");
    assert_eq!(
        world.engine_version_queries,
        [(
            "aurora-postgresql".to_owned(),
            "aurora-postgresql16".to_owned()
        )]
    );
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
async fn no_engine_version_that_holds_the_capacities_is_a_failed_component_before_any_cluster() {
    let cloud = FakeCloud::default();
    cloud.rds.world().engine_versions = Some(vec![crate::api::EngineVersion {
        serverless_v2_range: Some((0.5, 2.0)),
        ..crate::fake::engine_version("16.9")
    }]);
    let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert_eq!(
        error.to_string(),
        "RDS offers no available aurora-postgresql16 engine version that scales between 0.5 and 4 ACUs"
    );
    assert!(cloud.rds.world().clusters.is_empty());
    // And a refused lookup is the AWS error it was, with no cluster either.
    cloud
        .recorder
        .lock()
        .fail("DescribeDBEngineVersions", "Throttling");
    let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert!(cloud.rds.world().clusters.is_empty());
}

#[tokio::test]
async fn the_spec_sets_capacity_and_protection() {
    let cloud = FakeCloud::default();
    let extra = json!({"dbMinCapacity": 1, "dbMaxCapacity": 8.5, "deletionProtection": false});
    run(&cloud, Action::Create, extra).await.unwrap();
    let world = cloud.rds.world();
    let (settings, _) = &world.clusters["aurora-pr-42"];
    assert_eq!((settings.min_capacity, settings.max_capacity), (1.0, 8.5));
    // Aurora pauses only at 0 ACUs: nothing to set above it.
    assert_eq!(settings.seconds_until_auto_pause, None);
    assert!(!settings.deletion_protection);
}

#[tokio::test]
async fn a_minimum_of_zero_acus_pauses_after_the_specs_idle_time_or_aurora_s_default() {
    for (extra, seconds) in [
        (
            json!({"dbMinCapacity": 0, "dbAutoPauseSeconds": 3600}),
            3600,
        ),
        (json!({"dbMinCapacity": 0}), 300),
    ] {
        let cloud = FakeCloud::default();
        run(&cloud, Action::Create, extra).await.unwrap();
        let world = cloud.rds.world();
        let (settings, _) = &world.clusters["aurora-pr-42"];
        assert_eq!(settings.min_capacity, 0.0);
        assert_eq!(settings.seconds_until_auto_pause, Some(seconds));
    }
}

#[tokio::test]
async fn the_writer_and_the_reader_go_to_different_zones_once_the_cluster_exists() {
    let cloud = FakeCloud::default();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    changes(&cloud);
    let response = run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(
        changes(&cloud),
        [
            "ModifyDBClusterParameterGroup",
            "PutRetentionPolicy",
            "CreateDBInstance",
            "CreateDBInstance"
        ]
    );
    let world = cloud.rds.world();
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
    // The managed secret's schedule waits for an available cluster: still RDS's default.
    assert_eq!(
        cloud.secrets.store().secrets[MASTER_SECRET].rotation.days,
        Some(7)
    );
}

#[tokio::test]
async fn instances_still_creating_keep_the_environment_in_progress() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    cloud
        .rds
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
    cloud
        .recorder
        .lock()
        .fail("CreateDBSubnetGroup", "DBSubnetGroupAlreadyExists");
    cloud.recorder.lock().fail(
        "CreateDBClusterParameterGroup",
        "DBParameterGroupAlreadyExists",
    );
    cloud
        .recorder
        .lock()
        .fail("CreateDBCluster", "DBClusterAlreadyExistsFault");
    let response = run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    run(&cloud, Action::Create, json!({})).await.unwrap();
    cloud
        .recorder
        .lock()
        .fail("CreateDBInstance", "DBInstanceAlreadyExists");
    let response = run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(cloud
        .rds
        .world()
        .instances
        .contains_key("aurora-reader-pr-42"));
}

#[tokio::test]
async fn throttling_is_retryable_and_other_refusals_are_not() {
    let cloud = FakeCloud::default();
    cloud
        .recorder
        .lock()
        .fail("DescribeDBClusters", "Throttling");
    let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    cloud
        .recorder
        .lock()
        .fail("CreateDBCluster", "InvalidParameterValue");
    let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
    assert!(error.to_string().contains("CreateDBCluster"), "{error}");
}

#[tokio::test]
async fn a_failed_cluster_or_instance_is_a_component_failure() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    cloud
        .rds
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
    assert_eq!(
        changes(&cloud),
        ["ModifyDBClusterParameterGroup", "PutRetentionPolicy"]
    );
}

#[tokio::test]
async fn a_throttled_instance_create_is_retryable_and_the_next_call_makes_it() {
    let cloud = FakeCloud::default();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    cloud
        .recorder
        .lock()
        .fail("CreateDBInstance", "ThrottlingException");
    let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert!(cloud.rds.world().instances.is_empty());
    run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(cloud.rds.world().instances.len(), 2);
}

#[tokio::test]
async fn ready_outputs_are_exactly_the_database_outputs_contract() {
    let cloud = FakeCloud::default();
    let response = ready(&cloud, json!({})).await;
    let handed_on = Outputs::from_iter([("database".to_owned(), Value::Object(response.outputs))]);
    let outputs = env_core::outputs::DatabaseOutputs::of(&handed_on).unwrap();
    assert_eq!(outputs.db_cluster_identifier, "aurora-pr-42");
    assert_eq!(outputs.db_name, "catalog");
    assert!(outputs
        .rotation_function_arn
        .ends_with(":function:rotation-pr-42"));
}
