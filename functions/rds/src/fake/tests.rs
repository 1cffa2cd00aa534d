//! The in-memory RDS answers as RDS (and moto) does.

use super::*;

fn tags() -> Vec<Tag> {
    vec![Tag {
        key: env_core::tags::ENVIRONMENT,
        value: "pr-42".into(),
    }]
}

fn cluster_settings(id: &str) -> ClusterSettings {
    ClusterSettings {
        id: id.into(),
        engine: "aurora-postgresql",
        engine_version: "16.9".into(),
        subnet_group: "dbsubnets-pr-42".into(),
        parameter_group: "aurora-params-pr-42".into(),
        security_group_ids: vec!["sg-1".into()],
        kms_key_arn: "arn:aws:kms:us-west-2:123456789012:key/k-1".into(),
        min_capacity: 0.5,
        max_capacity: 4.0,
        seconds_until_auto_pause: None,
        deletion_protection: true,
        master_username: "catalog_admin",
        database_name: "catalog",
        port: 5432,
        backup_retention_days: 7,
        log_exports: vec!["postgresql"],
        tags: tags(),
    }
}

fn instance_settings(id: &str) -> InstanceSettings {
    InstanceSettings {
        id: id.into(),
        cluster_id: "aurora-pr-42".into(),
        engine: "aurora-postgresql",
        class: "db.serverless",
        zone: "us-west-2a".into(),
        promotion_tier: 0,
        kms_key_arn: "arn:aws:kms:us-west-2:123456789012:key/k-1".into(),
        tags: tags(),
    }
}

fn fake() -> (FakeRds, FakeSecrets, SharedRecorder) {
    let recorder = SharedRecorder::default();
    let secrets = FakeSecrets::new(recorder.clone());
    (
        FakeRds::new(recorder.clone(), secrets.clone()),
        secrets,
        recorder,
    )
}

#[tokio::test]
async fn subnet_and_parameter_groups_are_made_set_and_deleted() {
    let (rds, _, recorder) = fake();
    assert!(!rds.subnet_group_exists("dbsubnets-pr-42").await.unwrap());
    let subnets = ["subnet-1".to_owned(), "subnet-2".to_owned()];
    rds.create_subnet_group("dbsubnets-pr-42", &subnets, &tags())
        .await
        .unwrap();
    assert!(rds.subnet_group_exists("dbsubnets-pr-42").await.unwrap());
    assert_eq!(rds.world().subnet_groups["dbsubnets-pr-42"].0, subnets);

    let group = "aurora-params-pr-42";
    rds.create_parameter_group(group, "aurora-postgresql16", &tags())
        .await
        .unwrap();
    assert!(rds.parameter_group_exists(group).await.unwrap());
    rds.set_parameter(group, "rds.force_ssl", "1")
        .await
        .unwrap();
    // A parameter of a group that is not there changes nothing here.
    rds.set_parameter("other", "rds.force_ssl", "1")
        .await
        .unwrap();
    let (family, parameters) = rds.world().parameter_groups[group].clone();
    assert_eq!(family, "aurora-postgresql16");
    assert_eq!(parameters["rds.force_ssl"], "1");

    rds.delete_parameter_group(group).await.unwrap();
    rds.delete_subnet_group("dbsubnets-pr-42").await.unwrap();
    assert!(!rds.parameter_group_exists(group).await.unwrap());
    assert!(!rds.subnet_group_exists("dbsubnets-pr-42").await.unwrap());
    assert_eq!(recorder.lock().count("ModifyDBClusterParameterGroup"), 2);
}

#[tokio::test]
async fn engine_versions_are_the_defaults_unless_a_test_sets_them() {
    let (rds, _, _) = fake();
    let listed = rds
        .engine_versions("aurora-postgresql", "aurora-postgresql16")
        .await
        .unwrap();
    assert_eq!(listed, default_engine_versions());
    rds.world().engine_versions = Some(vec![engine_version("16.10")]);
    let listed = rds.engine_versions("aurora-postgresql", "x").await.unwrap();
    assert_eq!(listed[0].version, "16.10");
    assert_eq!(
        rds.world().engine_version_queries[1],
        ("aurora-postgresql".to_owned(), "x".to_owned())
    );
}

#[tokio::test]
async fn a_cluster_comes_with_its_master_secret_and_goes_with_it() {
    let (rds, secrets, recorder) = fake();
    rds.create_cluster(&cluster_settings("aurora-pr-42"))
        .await
        .unwrap();
    let made = rds.cluster("aurora-pr-42").await.unwrap().unwrap();
    assert_eq!(made.status, "creating");
    assert!(made.deletion_protection);
    assert_eq!(made.port, Some(5432));
    let secret_arn = made.master_secret_arn.clone().unwrap();
    let value = secrets.store().secrets["rds!cluster-aurora-pr-42"]
        .value
        .expose()
        .to_owned();
    assert!(value.contains("catalog_admin"), "{value}");
    assert!(secret_arn.contains("rds!cluster-aurora-pr-42"));

    rds.lift_deletion_protection("aurora-pr-42").await.unwrap();
    let range = Scaling {
        min_capacity: 0.0,
        max_capacity: 8.0,
        seconds_until_auto_pause: Some(600),
    };
    rds.set_scaling("aurora-pr-42", &range).await.unwrap();
    // Changes to a cluster that is not there change nothing here.
    rds.lift_deletion_protection("other").await.unwrap();
    rds.set_scaling("other", &range).await.unwrap();
    let changed = rds.cluster("aurora-pr-42").await.unwrap().unwrap();
    assert!(!changed.deletion_protection);
    assert_eq!(changed.scaling, Some(range));

    rds.delete_cluster("aurora-pr-42", true).await.unwrap();
    assert_eq!(rds.cluster("aurora-pr-42").await.unwrap(), None);
    assert!(secrets.store().secrets.is_empty());
    assert_eq!(
        recorder.lock().changes.last(),
        Some(&"DeleteDBCluster with its backups")
    );
}

#[tokio::test]
async fn a_slow_deletion_leaves_the_cluster_and_instances_deleting() {
    let (rds, _, recorder) = fake();
    rds.world().new_status = Some("available");
    rds.create_cluster(&cluster_settings("aurora-pr-42"))
        .await
        .unwrap();
    rds.create_instance(&instance_settings("aurora-writer-pr-42"))
        .await
        .unwrap();
    let writer = rds.instance("aurora-writer-pr-42").await.unwrap().unwrap();
    assert_eq!(writer.status, "available");
    rds.world().slow_deletion = true;
    rds.delete_instance("aurora-writer-pr-42").await.unwrap();
    rds.delete_cluster("aurora-pr-42", false).await.unwrap();
    // Deleting what is not there succeeds here; tests that need RDS's NotFound inject it.
    rds.delete_instance("other").await.unwrap();
    rds.delete_cluster("other", false).await.unwrap();
    let writer = rds.instance("aurora-writer-pr-42").await.unwrap().unwrap();
    assert_eq!(writer.status, "deleting");
    let cluster = rds.cluster("aurora-pr-42").await.unwrap().unwrap();
    assert_eq!(cluster.status, "deleting");
    assert_eq!(recorder.lock().count("DeleteDBCluster"), 2);
}

#[tokio::test]
async fn instances_go_at_once_and_time_passing_sets_every_status() {
    let (rds, _, _) = fake();
    rds.create_cluster(&cluster_settings("aurora-pr-42"))
        .await
        .unwrap();
    rds.create_instance(&instance_settings("aurora-reader-pr-42"))
        .await
        .unwrap();
    rds.world().set_all("available");
    let reader = rds.instance("aurora-reader-pr-42").await.unwrap().unwrap();
    assert_eq!(reader.status, "available");
    let cluster = rds.cluster("aurora-pr-42").await.unwrap().unwrap();
    assert_eq!(cluster.status, "available");
    rds.delete_instance("aurora-reader-pr-42").await.unwrap();
    assert_eq!(rds.instance("aurora-reader-pr-42").await.unwrap(), None);
}

#[tokio::test]
async fn a_cluster_another_component_made_is_read_with_its_endpoints() {
    let (rds, _, _) = fake();
    let made = Cluster {
        id: "aurora-pr-42".into(),
        arn: "arn:aws:rds:us-west-2:123456789012:cluster:aurora-pr-42".into(),
        status: "available".into(),
        deletion_protection: false,
        writer_endpoint: Some("writer.rds.amazonaws.com".into()),
        reader_endpoint: Some("reader.rds.amazonaws.com".into()),
        port: Some(5432),
        database_name: None,
        master_secret_arn: Some("arn:aws:secretsmanager:us-west-2:123456789012:secret:m".into()),
        resource_id: "cluster-ABC".into(),
        engine_version: None,
        scaling: None,
    };
    rds.world().add_cluster(made.clone());
    assert_eq!(rds.cluster("aurora-pr-42").await.unwrap(), Some(made));
    assert_eq!(rds.world().clusters["aurora-pr-42"].0.port, 5432);
    assert_eq!(rds.cluster("aurora-pr-7").await.unwrap(), None);
}

#[tokio::test]
async fn an_injected_fault_answers_the_call_and_changes_nothing() {
    let (rds, _, recorder) = fake();
    recorder
        .lock()
        .fail("CreateDBCluster", "DBClusterAlreadyExistsFault");
    let error = rds
        .create_cluster(&cluster_settings("aurora-pr-42"))
        .await
        .unwrap_err();
    assert!(error.is_code("DBClusterAlreadyExistsFault"));
    assert!(rds.world().clusters.is_empty());
    recorder.lock().fail("DescribeDBClusters", "Throttling");
    assert!(rds.cluster("aurora-pr-42").await.is_err());
    assert!(recorder.lock().changes.is_empty());
}
