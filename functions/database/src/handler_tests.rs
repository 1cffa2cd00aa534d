use super::*;
use crate::api::{EngineVersion, Rotation, Scaling};
use crate::fake::FakeCloud;
use crate::settings::Settings;
use ::secrets::fake::StoredSecret;
use env_core::outputs::example::{self, handed_on};
use env_core::settings::FunctionSettings as _;
use iam_roles::RoleCalls;
use log_groups::fake::StoredLogGroup;
use serde_json::Value;

/// The master user's secret RDS makes with the cluster, by name and by ARN.
pub(crate) const MASTER_SECRET: &str = "rds!cluster-aurora-pr-42";
const MASTER_SECRET_ARN: &str =
    "arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!cluster-aurora-pr-42-AbCdEf";
pub(crate) const APP_SECRET: &str = "secret-db-app-pr-42";
pub(crate) const API_KEYS_SECRET: &str = "secret-api-keys-pr-42";

/// Changes the environment's two secrets (not the master secret RDS manages) as someone by hand,
/// or AWS, would.
fn change_environment_secrets(cloud: &FakeCloud, change: impl Fn(&mut StoredSecret)) {
    let mut store = cloud.secrets.store();
    for name in [APP_SECRET, API_KEYS_SECRET] {
        change(store.secrets.get_mut(name).unwrap());
    }
}

pub(crate) fn spec(extra: Value) -> EnvironmentSpec {
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
    handed_on(example::network())
}

pub(crate) fn request(action: Action, spec: EnvironmentSpec) -> Request {
    Request {
        action,
        spec,
        outputs: network_outputs(),
        started_at: std::time::SystemTime::now(),
    }
}

const PACKAGE_SHA256: &str = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

pub(crate) fn settings(rotate_immediately: bool) -> Result<Settings, Misconfigured> {
    Ok(Settings {
        code_bucket: "artifacts".into(),
        code_key: "rotation/rotation.zip".into(),
        code_sha256: PACKAGE_SHA256.into(),
        rotate_immediately,
        architecture: "arm64".into(),
        role_boundary: "arn:aws:iam::123456789012:policy/catalog-environments-role-boundary".into(),
    })
}

pub(crate) async fn run(
    cloud: &FakeCloud,
    action: Action,
    extra: Value,
) -> Result<Response, DatabaseError> {
    handle(cloud, &settings(true), request(action, spec(extra))).await
}

/// The changes recorded since the last time this was asked, of the fake and its log groups and roles.
pub(crate) fn changes(cloud: &FakeCloud) -> Vec<&'static str> {
    std::mem::take(&mut cloud.recorder.lock().changes)
}

/// Creates everything and lets AWS make it available.
pub(crate) async fn ready(cloud: &FakeCloud, extra: Value) -> Response {
    run(cloud, Action::Create, extra.clone()).await.unwrap();
    run(cloud, Action::Create, extra.clone()).await.unwrap();
    cloud.set_all("available");
    let response = run(cloud, Action::Create, extra.clone()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    let response = run(cloud, Action::Create, extra).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    changes(cloud);
    response
}

/// `network` as the event's outputs, refused before any call with a message naming `named`.
async fn refused_naming(network: Outputs, named: &str) {
    let cloud = FakeCloud::default();
    let request = Request {
        action: Action::Create,
        spec: spec(json!({})),
        outputs: network,
        started_at: std::time::SystemTime::now(),
    };
    let error = handle(&cloud, &settings(true), request).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::InvalidEvent);
    assert!(error.to_string().contains(named), "{error}");
    assert!(cloud.recorder.lock().calls.is_empty());
}

#[tokio::test]
async fn a_missing_network_output_is_an_invalid_event_before_any_call() {
    refused_naming(Outputs::new(), "outputs.network: are missing").await;
    for key in [
        "privateSubnetIds",
        "availabilityZones",
        "securityGroupIds",
        "kmsKeyArn",
    ] {
        let mut outputs = network_outputs();
        outputs["network"].as_object_mut().unwrap().remove(key);
        refused_naming(outputs, &format!("missing field `{key}`")).await;
    }
}

#[tokio::test]
async fn too_few_subnets_or_an_empty_key_or_group_are_rejected() {
    let mut network = example::network();
    network.private_subnet_ids = vec!["subnet-a".into(), String::new()];
    refused_naming(
        handed_on(network),
        "outputs.network: privateSubnetIds holds 2 entries (1 empty); at least 3 non-empty ones are needed",
    )
    .await;
    let mut network = example::network();
    network.availability_zones.truncate(1);
    refused_naming(handed_on(network), "availabilityZones holds 1 entries").await;
    let mut network = example::network();
    network.kms_key_arn.clear();
    refused_naming(handed_on(network), "kmsKeyArn is empty").await;
    let mut network = example::network();
    network.security_group_ids.database.clear();
    refused_naming(handed_on(network), "securityGroupIds.database is empty").await;
    let mut network = example::network();
    network.security_group_ids.rotation.clear();
    refused_naming(handed_on(network), "securityGroupIds.rotation is empty").await;
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
            "CreateLogGroup",
            "PutRetentionPolicy",
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
    cloud.world().engine_versions = Some(vec![crate::api::EngineVersion {
        serverless_v2_range: Some((0.5, 2.0)),
        ..crate::fake::engine_version("16.9")
    }]);
    let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert_eq!(
        error.to_string(),
        "RDS offers no available aurora-postgresql16 engine version that scales between 0.5 and 4 ACUs"
    );
    assert!(cloud.world().clusters.is_empty());
    // And a refused lookup is the AWS error it was, with no cluster either.
    cloud
        .recorder
        .lock()
        .fail("DescribeDBEngineVersions", "Throttling");
    let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert!(cloud.world().clusters.is_empty());
}

#[tokio::test]
async fn the_spec_sets_capacity_and_protection() {
    let cloud = FakeCloud::default();
    let extra = json!({"dbMinCapacity": 1, "dbMaxCapacity": 8.5, "deletionProtection": false});
    run(&cloud, Action::Create, extra).await.unwrap();
    let world = cloud.world();
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
        let world = cloud.world();
        let (settings, _) = &world.clusters["aurora-pr-42"];
        assert_eq!(settings.min_capacity, 0.0);
        assert_eq!(settings.seconds_until_auto_pause, Some(seconds));
    }
}

#[tokio::test]
async fn a_database_that_pauses_gives_the_rotation_function_time_to_resume_it() {
    let timeout = |extra: Value| async move {
        let cloud = FakeCloud::default();
        ready(&cloud, extra).await;
        let world = cloud.world();
        let (function, _) = &world.functions["rotation-pr-42"];
        let variables = function.variables();
        variables.get("DB_CONNECT_TIMEOUT_SECONDS").cloned()
    };
    assert_eq!(
        timeout(json!({"dbMinCapacity": 0})).await.as_deref(),
        Some("45")
    );
    // Always awake: the function's own default (5 s) holds.
    assert_eq!(timeout(json!({})).await, None);
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
    // The managed secret's schedule waits for an available cluster: still RDS's default.
    assert_eq!(
        cloud.secrets.store().secrets[MASTER_SECRET].rotation.days,
        Some(7)
    );
}

#[tokio::test]
async fn ready_once_everything_is_available_with_the_master_secret_rotating_every_30_days() {
    let cloud = FakeCloud::default();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    cloud.set_all("available");
    changes(&cloud);
    let response = run(&cloud, Action::Create, json!({})).await.unwrap();
    // The first rotation of the application secret has been asked for, not yet seen finished.
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(
        changes(&cloud),
        [
            "ModifyDBClusterParameterGroup",
            "PutRetentionPolicy",
            "RotateSecret",
            "CreateSecret",
            "CreateSecret",
            // Who may read each secret, before anyone could.
            "PutResourcePolicy",
            "PutResourcePolicy",
            "CreateRole",
            "PutRolePolicy",
            // The function's log group before the function, so Lambda never makes its own.
            "CreateLogGroup",
            "PutRetentionPolicy",
            "CreateFunction",
            "AddPermission",
            // The application's secret, then the API keys (the function's permission is there).
            "RotateSecret",
            "RotateSecret"
        ]
    );
    // Each secret readable by its readers only.
    let role = |name: &str| format!("arn:aws:iam::123456789012:role/{name}-pr-42");
    for (secret, readers) in [
        (
            "secret-db-app-pr-42",
            json!([
                role("role-ecs-execution"),
                role("role-ecs-task"),
                role("role-rotation")
            ]),
        ),
        (
            "secret-api-keys-pr-42",
            json!([role("role-ecs-task"), role("role-rotation")]),
        ),
    ] {
        let store = cloud.secrets.store();
        let policy = store.secrets[secret].policy.as_deref().unwrap();
        let policy: Value = serde_json::from_str(policy).unwrap();
        assert_eq!(
            policy["Statement"][0]["Condition"]["ArnNotEquals"]["aws:PrincipalArn"], readers,
            "{secret}"
        );
    }
    let response = run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    assert_eq!(
        changes(&cloud),
        [
            "ModifyDBClusterParameterGroup",
            "PutRetentionPolicy",
            "PutResourcePolicy",
            "PutResourcePolicy",
            "PutRetentionPolicy"
        ]
    );
    assert_eq!(
        cloud.secrets.store().secrets[MASTER_SECRET].rotation,
        Rotation {
            enabled: true,
            days: Some(30),
            lambda_arn: None,
            rotated: false
        }
    );
    // The API keys rotate every 30 days with the same function (first rotation at once).
    let store = cloud.secrets.store();
    assert_eq!(
        store.secrets[API_KEYS_SECRET].rotation,
        Rotation {
            enabled: true,
            days: Some(30),
            lambda_arn: Some(
                response.outputs["rotationFunctionArn"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            ),
            rotated: true
        }
    );
    drop(store);
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
    assert_eq!(outputs["dbMasterSecretArn"], MASTER_SECRET_ARN);
    assert_eq!(outputs["dbClusterResourceId"], "cluster-AURORA-PR-42");
    assert_eq!(
        outputs["dbAppSecretArn"],
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:secret-db-app-pr-42-AbCdEf"
    );
    assert_eq!(
        outputs["apiKeysSecretArn"],
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:secret-api-keys-pr-42-AbCdEf"
    );
    assert_eq!(
        outputs["rotationFunctionArn"],
        "arn:aws:lambda:us-west-2:123456789012:function:rotation-pr-42"
    );
}

#[tokio::test]
async fn a_repeated_create_changes_nothing_but_reasserts_tls_log_retention_and_secret_policies() {
    let cloud = FakeCloud::default();
    let first = ready(&cloud, json!({})).await;
    let again = run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(again, first);
    assert_eq!(
        changes(&cloud),
        [
            "ModifyDBClusterParameterGroup",
            "PutRetentionPolicy",
            "PutResourcePolicy",
            "PutResourcePolicy",
            "PutRetentionPolicy"
        ]
    );
}

#[tokio::test]
async fn a_schedule_other_than_30_days_is_set_again() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    cloud
        .secrets
        .store()
        .secrets
        .get_mut(MASTER_SECRET)
        .unwrap()
        .rotation
        .days = Some(7);
    run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(
        changes(&cloud),
        [
            "ModifyDBClusterParameterGroup",
            "PutRetentionPolicy",
            "RotateSecret",
            "PutResourcePolicy",
            "PutResourcePolicy",
            "PutRetentionPolicy"
        ]
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
    assert!(cloud.world().instances.contains_key("aurora-reader-pr-42"));
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
    // The rotation function first, so Lambda starts releasing its network interfaces early.
    assert_eq!(
        changes(&cloud),
        [
            "ModifyDBCluster",
            "DeleteFunction",
            "DeleteRolePolicy",
            "DeleteRole",
            "DeleteDBInstance",
            "DeleteDBInstance"
        ]
    );
    // Instances still deleting: nothing more to ask for.
    let response = run(&cloud, Action::Delete, force.clone()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(changes(&cloud).is_empty());

    cloud.world().instances.clear();
    let response = run(&cloud, Action::Delete, force.clone()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(changes(&cloud), ["DeleteDBCluster with its backups"]);
    // RDS deletes its master secret with the cluster; the function deletes no secret of RDS's.
    assert!(!cloud.secrets.store().secrets.contains_key(MASTER_SECRET));
    assert!(cloud.secrets.store().deletions.is_empty());
    let response = run(&cloud, Action::Delete, force.clone()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(changes(&cloud).is_empty());

    cloud.world().clusters.clear();
    let response = run(&cloud, Action::Delete, force.clone()).await.unwrap();
    assert_eq!(response.status, Status::Deleted);
    assert_eq!(
        changes(&cloud),
        [
            "DeleteSecret",
            "DeleteSecret",
            "DeleteDBSubnetGroup",
            "DeleteDBClusterParameterGroup",
            "DeleteLogGroup",
            "DeleteLogGroup"
        ]
    );
    {
        let store = cloud.secrets.store();
        assert_eq!(
            store.deletions,
            [
                ("secret-db-app-pr-42".to_owned(), true),
                ("secret-api-keys-pr-42".to_owned(), true)
            ]
        );
        assert!(store.secrets.is_empty() && cloud.world().functions.is_empty());
        assert!(cloud.roles.roles().is_empty());
        assert!(cloud.logs.groups().is_empty());
    }
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
    // Only the rotation function goes meanwhile; the instances are left to RDS.
    assert_eq!(
        changes(&cloud),
        ["DeleteFunction", "DeleteRolePolicy", "DeleteRole"]
    );
}

/// A cluster or instance still being created, backed up or modified: RDS refuses the delete with
/// its state fault, and the teardown waits for a later call instead of failing.
#[tokio::test]
async fn a_busy_instance_or_cluster_is_deleted_by_a_later_call() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    cloud
        .recorder
        .lock()
        .fail("DeleteDBInstance", "InvalidDBInstanceState");
    cloud
        .recorder
        .lock()
        .fail("DeleteDBInstance", "InvalidDBClusterStateFault");
    cloud.recorder.lock().fail(
        "DeleteDBCluster with its backups",
        "InvalidDBClusterStateFault",
    );
    let force = json!({"forceDestroy": true});
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let response = run(&cloud, Action::Delete, force.clone()).await.unwrap();
        statuses.push(response.status);
        if response.status == Status::Deleted {
            break;
        }
    }
    // 1: both instances refused (their own state, their cluster's); 2: both deleted; 3: the
    // cluster refused; 4: the cluster deleted; 5: the rest.
    assert_eq!(
        statuses,
        [
            Status::InProgress,
            Status::InProgress,
            Status::InProgress,
            Status::InProgress,
            Status::Deleted
        ]
    );
    let world = cloud.world();
    assert!(world.clusters.is_empty() && world.instances.is_empty());
}

#[tokio::test]
async fn delete_reports_throttling_as_retryable() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    cloud.recorder.lock().fail("DeleteDBInstance", "Throttling");
    let error = run(&cloud, Action::Delete, json!({"forceDestroy": true}))
        .await
        .unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
}

#[test]
fn error_names_follow_the_contract() {
    let missing = NetworkOutputs::of(&Outputs::new()).unwrap_err();
    assert_eq!(
        DatabaseError::MissingInput(missing).error_name(),
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
    cloud
        .recorder
        .lock()
        .fail("CreateDBInstance", "ThrottlingException");
    let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert!(cloud.world().instances.is_empty());
    run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(cloud.world().instances.len(), 2);
}

#[tokio::test]
async fn the_app_secret_names_the_writer_the_app_user_and_the_master_secret_under_the_env_key() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    let described = cloud.secrets.describe(APP_SECRET).await.unwrap().unwrap();
    assert_eq!(described.kms_key_id.as_deref(), Some(KEY));
    let store = cloud.secrets.store();
    let new = &store.secrets[APP_SECRET];
    assert_eq!(new.kms_key_arn.as_deref(), Some(KEY));
    assert!(new.tags.iter().any(|tag| tag.value == "pr-42"));
    let value: Value = serde_json::from_str(new.value.expose()).unwrap();
    assert_eq!(value["engine"], "postgres");
    assert_eq!(
        value["host"],
        "aurora-pr-42.cluster-x.us-west-2.rds.amazonaws.com"
    );
    assert_eq!(
        (value["port"].clone(), value["dbname"].clone()),
        (json!(5432), json!("catalog"))
    );
    assert_eq!(value["username"], "catalog_app");
    assert_eq!(value["masterarn"], MASTER_SECRET_ARN);
    let password = value["password"].as_str().unwrap();
    assert_eq!(password.len(), 32);
    assert!(
        !password.chars().any(|c| ":/@\"'\\".contains(c)),
        "{password}"
    );
    // Neither the value nor the password shows in the secret's debug form.
    assert!(!format!("{new:?}").contains(password));
    let rotation = &described.rotation;
    assert!(rotation.enabled && rotation.rotated);
    assert_eq!(rotation.days, Some(30));
    assert_eq!(
        rotation.lambda_arn.as_deref(),
        Some("arn:aws:lambda:us-west-2:123456789012:function:rotation-pr-42")
    );

    let keys = &store.secrets[API_KEYS_SECRET];
    assert_eq!(keys.kms_key_arn.as_deref(), Some(KEY));
    let key: Value = serde_json::from_str(keys.value.expose()).unwrap();
    assert_eq!(key["apiKey"].as_str().unwrap().len(), 32);
    assert_ne!(key["apiKey"], value["password"]);
    assert_eq!(store.passwords_generated, 2);
}

#[tokio::test]
async fn the_rotation_function_runs_in_the_private_subnets_with_the_rotation_group_and_its_policy()
{
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    let secret_arns = {
        let store = cloud.secrets.store();
        [APP_SECRET, API_KEYS_SECRET].map(|name| store.secrets[name].arn.clone())
    };
    let world = cloud.world();
    let (function, _) = &world.functions["rotation-pr-42"];
    assert_eq!(function.subnet_ids, ["subnet-a", "subnet-b", "subnet-c"]);
    assert_eq!(function.security_group_ids, ["sg-rot"]);
    assert_eq!(
        (function.code_bucket.as_str(), function.code_key.as_str()),
        ("artifacts", "rotation/rotation.zip")
    );
    assert_eq!(function.architecture, "arm64");
    assert_eq!(
        function.environment,
        [
            ("DB_CA_BUNDLE", "/var/task/rds-ca-bundle.pem".to_owned()),
            ("ECS_CLUSTER", "ecs-cluster-pr-42".to_owned()),
            ("ECS_SERVICE", "ecs-service-pr-42".to_owned()),
            ("CACHE_TOKEN_WAIT_SECONDS", "780".to_owned())
        ]
    );
    assert_eq!(function.timeout_seconds, 900);
    assert_eq!(
        function.role_arn,
        "arn:aws:iam::123456789012:role/role-rotation-pr-42"
    );
    let roles = cloud.roles.roles();
    let role = &roles["role-rotation-pr-42"];
    assert!(role.trust_policy.contains("lambda.amazonaws.com"));
    assert_eq!(
        role.description,
        "Runs the environment's Secrets Manager rotation of the database user"
    );
    assert!(role.tags.iter().any(|tag| tag.value == "pr-42"));
    let policy: Value = serde_json::from_str(&role.policies["rotate-database-secret"]).unwrap();
    let resources: Vec<&Value> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|statement| &statement["Resource"])
        .collect();
    assert!(resources.contains(&&json!([
        secret_arns[0],
        secret_arns[1],
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:secret-redis-auth-pr-42-??????"
    ])));
    assert!(resources.contains(&&json!(
        "arn:aws:elasticache:us-west-2:123456789012:replicationgroup:redis-pr-42"
    )));
    assert!(resources.contains(&&json!(
        "arn:aws:ecs:us-west-2:123456789012:service/ecs-cluster-pr-42/ecs-service-pr-42"
    )));
    assert!(resources.contains(&&json!(KEY)));
    assert!(resources.contains(&&json!([
        "arn:aws:logs:us-west-2:123456789012:log-group:/aws/lambda/rotation-pr-42",
        "arn:aws:logs:us-west-2:123456789012:log-group:/aws/lambda/rotation-pr-42:*"
    ])));
    assert_eq!(
        world.permissions,
        [(
            "arn:aws:lambda:us-west-2:123456789012:function:rotation-pr-42".to_owned(),
            "SecretsManagerRotation".to_owned(),
            "secretsmanager.amazonaws.com".to_owned(),
            "123456789012".to_owned()
        )]
    );
}

#[tokio::test]
async fn missing_code_location_is_misconfigured_before_any_call_but_delete_still_works() {
    let cloud = FakeCloud::default();
    let broken = Settings::from_lookup(&|_| None);
    let error = handle(&cloud, &broken, request(Action::Create, spec(json!({}))))
        .await
        .unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Misconfigured);
    assert!(
        error.to_string().contains("ROTATION_CODE_BUCKET"),
        "{error}"
    );
    assert!(changes(&cloud).is_empty());
    let response = handle(&cloud, &broken, request(Action::Delete, spec(json!({}))))
        .await
        .unwrap();
    assert_eq!(response.status, Status::Deleted);
}

#[tokio::test]
async fn without_immediate_rotation_ready_needs_no_first_rotation() {
    let cloud = FakeCloud::default();
    let request = |action| self::request(action, spec(json!({})));
    handle(&cloud, &settings(false), request(Action::Create))
        .await
        .unwrap();
    handle(&cloud, &settings(false), request(Action::Create))
        .await
        .unwrap();
    cloud.set_all("available");
    handle(&cloud, &settings(false), request(Action::Create))
        .await
        .unwrap();
    let response = handle(&cloud, &settings(false), request(Action::Create))
        .await
        .unwrap();
    assert_eq!(response.status, Status::Ready);
    assert!(!cloud.secrets.store().secrets[APP_SECRET].rotation.rotated);
}

#[tokio::test]
async fn a_first_rotation_that_has_not_finished_keeps_the_environment_in_progress() {
    let cloud = FakeCloud::default();
    cloud.secrets.store().rotations_fail = true;
    run(&cloud, Action::Create, json!({})).await.unwrap();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    cloud.set_all("available");
    for _ in 0..3 {
        let response = run(&cloud, Action::Create, json!({})).await.unwrap();
        assert_eq!(response.status, Status::InProgress);
        assert!(response.outputs.contains_key("dbAppSecretArn"));
    }
    // Rotation is asked for once per secret (the master's schedule, the application's, the API
    // keys'); the schedules stay, the first rotation is AWS's to finish.
    assert_eq!(
        changes(&cloud)
            .iter()
            .filter(|c| **c == "RotateSecret")
            .count(),
        3
    );
}

#[tokio::test]
async fn a_pending_function_is_waited_for_before_rotation_is_turned_on() {
    let cloud = FakeCloud::default();
    cloud.world().function_state = Some("Pending");
    run(&cloud, Action::Create, json!({})).await.unwrap();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    cloud.set_all("available");
    let response = run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(!changes(&cloud).contains(&"AddPermission"));
    for (_, function) in cloud.world().functions.values_mut() {
        function.state = "Active".into();
    }
    run(&cloud, Action::Create, json!({})).await.unwrap();
    let response = run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(response.status, Status::Ready);
}

/// Changes the rotation function as AWS, or someone by hand, would.
fn change_rotation_function(cloud: &FakeCloud, change: impl FnOnce(&mut crate::api::Function)) {
    change(&mut cloud.world().functions.get_mut("rotation-pr-42").unwrap().1);
}

/// What a redeploy changes: a new package (whose key carries its hash), for `architecture`.
fn redeployed(architecture: &str) -> Result<Settings, Misconfigured> {
    Ok(Settings {
        code_key: "rotation/0123456789abcdef.zip".into(),
        code_sha256: "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=".into(),
        architecture: architecture.into(),
        ..settings(true).unwrap()
    })
}

#[tokio::test]
async fn a_redeployed_package_and_settings_reach_an_existing_function_one_change_per_call() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    // The function an earlier deployment made: another timeout and no ECS settings.
    change_rotation_function(&cloud, |function| {
        function.timeout_seconds = 30;
        function
            .environment
            .retain(|name, _| name == "DB_CA_BUNDLE");
    });
    let settings = redeployed("x86_64");
    let create = || handle(&cloud, &settings, request(Action::Create, spec(json!({}))));
    // The code first; READY waits until the function runs it.
    let response = create().await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(changes(&cloud).contains(&"UpdateFunctionCode"));
    {
        let world = cloud.world();
        let (_, function) = &world.functions["rotation-pr-42"];
        assert_eq!(function.code_sha256, settings.as_ref().unwrap().code_sha256);
        assert_eq!(function.architecture, "x86_64");
        assert_eq!(function.timeout_seconds, 30, "not while the code changes");
    }
    // The next call finds the code update still in progress (Lambda's LastUpdateStatus) and
    // waits; the one after changes the configuration.
    let response = create().await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(!changes(&cloud).contains(&"UpdateFunctionConfiguration"));
    let response = create().await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(changes(&cloud).contains(&"UpdateFunctionConfiguration"));
    {
        let world = cloud.world();
        let (_, function) = &world.functions["rotation-pr-42"];
        assert_eq!(function.timeout_seconds, 900);
        assert_eq!(function.environment["ECS_SERVICE"], "ecs-service-pr-42");
        assert_eq!(function.environment["CACHE_TOKEN_WAIT_SECONDS"], "780");
        assert_eq!(
            function.environment["DB_CA_BUNDLE"],
            "/var/task/rds-ca-bundle.pem"
        );
    }
    let response = create().await.unwrap();
    assert_eq!(
        response.status,
        Status::InProgress,
        "the change in progress"
    );
    let response = create().await.unwrap();
    assert_eq!(response.status, Status::Ready);
    let response = create().await.unwrap();
    assert_eq!(response.status, Status::Ready);
    let changed = changes(&cloud);
    assert!(
        !changed
            .iter()
            .any(|change| change.starts_with("UpdateFunction")),
        "{changed:?}"
    );
    // A package built for the other processor is a code change too.
    let arm = redeployed("arm64");
    let response = handle(&cloud, &arm, request(Action::Create, spec(json!({}))))
        .await
        .unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(
        cloud.world().functions["rotation-pr-42"].1.architecture,
        "arm64"
    );
}

#[tokio::test]
async fn an_update_refused_as_in_progress_is_waited_for_and_other_refusals_fail() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    change_rotation_function(&cloud, |function| function.timeout_seconds = 30);
    let settings = redeployed("arm64");
    let create = || handle(&cloud, &settings, request(Action::Create, spec(json!({}))));
    // Another call's change under way: this one waits for it.
    cloud
        .recorder
        .lock()
        .fail("UpdateFunctionCode", "ResourceConflictException");
    let response = create().await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(
        cloud.world().functions["rotation-pr-42"].1.code_sha256,
        PACKAGE_SHA256
    );
    // A function still being made, or changed by someone else, is not changed again.
    change_rotation_function(&cloud, |function| function.state = "Pending".into());
    let response = create().await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    change_rotation_function(&cloud, |function| function.state = "Active".into());
    change_rotation_function(&cloud, |function| function.updating = true);
    let response = create().await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(!changes(&cloud).contains(&"UpdateFunctionCode"));
    // A package Lambda cannot take is the deployment's fault, not a wait.
    cloud
        .recorder
        .lock()
        .fail("UpdateFunctionCode", "InvalidParameterValueException");
    let error = create().await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
    // And the same refusal of the configuration change, once the code is there: the code
    // changes, the next call sees it in progress, the one after is refused and waits.
    create().await.unwrap();
    create().await.unwrap();
    cloud
        .recorder
        .lock()
        .fail("UpdateFunctionConfiguration", "ResourceConflictException");
    let response = create().await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(
        cloud.recorder.lock().faults_answered(),
        "the refusal was met"
    );
    assert!(changes(&cloud).contains(&"UpdateFunctionCode"));
    assert_eq!(
        cloud.world().functions["rotation-pr-42"].1.timeout_seconds,
        30
    );
    create().await.unwrap();
    assert_eq!(
        cloud.world().functions["rotation-pr-42"].1.timeout_seconds,
        900
    );
}

#[tokio::test]
async fn a_role_not_yet_assumable_is_retryable_and_the_next_call_creates_the_function() {
    let cloud = FakeCloud::default();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    cloud.set_all("available");
    cloud.recorder.lock().fail_with(
        "CreateFunction",
        "InvalidParameterValueException",
        "The role defined for the function cannot be assumed by Lambda.",
    );
    let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert!(
        error.to_string().contains("is not usable by Lambda yet"),
        "{error}"
    );
    assert!(cloud.world().functions.is_empty());
    // Its inline policy not yet in force when Lambda checks the network interfaces: the same.
    cloud.recorder.lock().fail_with(
        "CreateFunction",
        "InvalidParameterValueException",
        "The provided execution role does not have permissions to call CreateNetworkInterface on EC2",
    );
    let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert!(cloud.world().functions.is_empty());
    run(&cloud, Action::Create, json!({})).await.unwrap();
    let response = run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    // Other refusals of CreateFunction are no reason to retry.
    cloud.world().functions.clear();
    cloud.recorder.lock().fail_with(
        "CreateFunction",
        "InvalidParameterValueException",
        "bad zip",
    );
    let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
}

#[tokio::test]
async fn a_function_or_permission_met_from_a_concurrent_create_is_used() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    // The function was made by another call, and the permission is there already.
    cloud
        .recorder
        .lock()
        .fail("CreateFunction", "ResourceConflictException");
    {
        let mut world = cloud.world();
        let function = world.functions["rotation-pr-42"].clone();
        world.functions.clear();
        world.functions.insert("rotation-pr-42".into(), function);
    }
    change_environment_secrets(&cloud, |secret| secret.rotation.enabled = false);
    let response = run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(
        changes(&cloud),
        [
            "ModifyDBClusterParameterGroup",
            "PutRetentionPolicy",
            "PutResourcePolicy",
            "PutResourcePolicy",
            "PutRetentionPolicy",
            "RotateSecret",
            "RotateSecret"
        ]
    );

    let cloud = FakeCloud::default();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    cloud.set_all("available");
    cloud
        .recorder
        .lock()
        .fail("CreateFunction", "ResourceConflictException");
    let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert!(
        error
            .to_string()
            .contains("rotation-pr-42 was created but is not visible yet"),
        "{error}"
    );
}

#[tokio::test]
async fn a_repeated_create_generates_no_password_and_keeps_the_secret_values() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    let before = cloud.secrets.store().secrets[APP_SECRET].value.clone();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    let store = cloud.secrets.store();
    assert_eq!(store.passwords_generated, 2);
    assert_eq!(store.secrets[APP_SECRET].value, before);
    let world = cloud.world();
    assert_eq!(
        cloud.roles.roles().len() + world.functions.len() + world.permissions.len(),
        3
    );
}

#[tokio::test]
async fn a_secret_scheduled_for_deletion_is_restored_on_create() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    change_environment_secrets(&cloud, |secret| secret.scheduled_for_deletion = true);
    let response = run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    assert_eq!(
        changes(&cloud),
        [
            "ModifyDBClusterParameterGroup",
            "PutRetentionPolicy",
            "RestoreSecret",
            "RestoreSecret",
            "PutResourcePolicy",
            "PutResourcePolicy",
            "PutRetentionPolicy"
        ]
    );
    assert!(cloud
        .secrets
        .store()
        .secrets
        .values()
        .all(|s| !s.scheduled_for_deletion));
}

#[tokio::test]
async fn a_create_meeting_a_secret_scheduled_for_deletion_or_made_meanwhile_is_retryable() {
    for (code, message) in [
        (
            "InvalidRequestException",
            "You can't create this secret because a secret with this name is already scheduled for deletion.",
        ),
        ("ResourceExistsException", "The secret already exists."),
    ] {
        let cloud = FakeCloud::default();
        run(&cloud, Action::Create, json!({})).await.unwrap();
        run(&cloud, Action::Create, json!({})).await.unwrap();
        cloud.set_all("available");
        cloud.recorder.lock().fail_with("CreateSecret", code, message);
        let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable, "{code}");
        assert!(error.to_string().contains("secret secret-db-app-pr-42"), "{error}");
    }
    let cloud = FakeCloud::default();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    cloud.set_all("available");
    cloud
        .recorder
        .lock()
        .fail_with("CreateSecret", "InvalidRequestException", "something else");
    let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
}

#[tokio::test]
async fn throttled_secret_iam_and_lambda_calls_are_retryable() {
    for operation in [
        "DescribeSecret",
        "GetRandomPassword",
        "CreateSecret",
        "GetRole",
        "CreateRole",
        // IAM's policy is read first: an unchanged one is not put again.
        "GetRolePolicy",
        "PutRolePolicy",
        "GetFunction",
        "CreateFunction",
        "AddPermission",
        "RotateSecret",
        "RestoreSecret",
    ] {
        let cloud = FakeCloud::default();
        if operation != "RestoreSecret" {
            run(&cloud, Action::Create, json!({})).await.unwrap();
            run(&cloud, Action::Create, json!({})).await.unwrap();
            cloud.set_all("available");
        } else {
            ready(&cloud, json!({})).await;
            change_environment_secrets(&cloud, |secret| secret.scheduled_for_deletion = true);
        }
        cloud.recorder.lock().fail(operation, "ThrottlingException");
        let mut error = None;
        for _ in 0..3 {
            if let Err(failure) = run(&cloud, Action::Create, json!({})).await {
                error = Some(failure);
                break;
            }
        }
        let error = error.unwrap_or_else(|| panic!("{operation} was never called"));
        assert_eq!(error.error_name(), ErrorName::Retryable, "{operation}");
        assert!(error.to_string().contains(operation), "{error}");
    }
}

#[tokio::test]
async fn delete_without_force_keeps_the_secrets_recoverable_and_the_backups() {
    let cloud = FakeCloud::default();
    let unprotected = json!({"deletionProtection": false});
    ready(&cloud, unprotected.clone()).await;
    for _ in 0..3 {
        run(&cloud, Action::Delete, unprotected.clone())
            .await
            .unwrap();
    }
    let all = changes(&cloud);
    assert!(all.contains(&"DeleteDBCluster"), "{all:?}");
    {
        let store = cloud.secrets.store();
        assert_eq!(
            store.deletions,
            [
                ("secret-db-app-pr-42".to_owned(), false),
                ("secret-api-keys-pr-42".to_owned(), false)
            ]
        );
        assert!(store.secrets.values().all(|s| s.scheduled_for_deletion));
    }
    // A second teardown leaves the scheduled secrets alone; a forced one deletes them for good.
    run(&cloud, Action::Delete, unprotected).await.unwrap();
    assert!(!changes(&cloud).contains(&"DeleteSecret"));
    run(&cloud, Action::Delete, json!({"forceDestroy": true}))
        .await
        .unwrap();
    assert_eq!(changes(&cloud), ["DeleteSecret", "DeleteSecret"]);
    assert!(cloud.secrets.store().secrets.is_empty());
}

#[tokio::test]
async fn a_role_without_its_policy_is_still_deleted_and_throttling_stops_the_teardown() {
    let cloud = FakeCloud::default();
    let force = json!({"forceDestroy": true});
    ready(&cloud, json!({})).await;
    cloud
        .roles
        .roles()
        .values_mut()
        .for_each(|role| role.policies.clear());
    for _ in 0..3 {
        run(&cloud, Action::Delete, force.clone()).await.unwrap();
    }
    assert!(cloud.roles.roles().is_empty());

    for operation in [
        "GetFunction",
        "DeleteFunction",
        "DeleteRole",
        "DeleteSecret",
    ] {
        let cloud = FakeCloud::default();
        ready(&cloud, json!({})).await;
        cloud.recorder.lock().fail(operation, "Throttling");
        let mut error = None;
        for _ in 0..4 {
            if let Err(failure) = run(&cloud, Action::Delete, force.clone()).await {
                error = Some(failure);
                break;
            }
        }
        let error = error.unwrap_or_else(|| panic!("{operation} was never called"));
        assert_eq!(error.error_name(), ErrorName::Retryable, "{operation}");
    }
}

#[test]
fn the_new_errors_have_their_names() {
    let error = DatabaseError::RoleNotAssumableYet(crate::fake::aws_failure(
        "CreateFunction",
        "InvalidParameterValueException",
    ));
    assert_eq!(error.error_name(), ErrorName::Retryable);
    let error = DatabaseError::NotVisibleYet("rotation-pr-42".into());
    assert_eq!(error.error_name(), ErrorName::Retryable);
}

#[tokio::test]
async fn an_unprotected_cluster_goes_without_force_and_keeps_its_automated_backups() {
    let cloud = FakeCloud::default();
    let unprotected = json!({"deletionProtection": false});
    ready(&cloud, unprotected.clone()).await;
    let mut deleted = Vec::new();
    for _ in 0..6 {
        let response = run(&cloud, Action::Delete, unprotected.clone())
            .await
            .unwrap();
        deleted.extend(changes(&cloud));
        if response.status == Status::Deleted {
            break;
        }
    }
    // Without forceDestroy, RDS is not asked to drop the automated backups with the cluster.
    assert!(deleted.contains(&"DeleteDBCluster"), "{deleted:?}");
    assert!(
        !deleted.contains(&"DeleteDBCluster with its backups"),
        "{deleted:?}"
    );
}

#[tokio::test]
async fn the_fake_refuses_to_delete_a_role_that_still_has_a_policy_as_iam_does() {
    let cloud = FakeCloud::default();
    let roles = cloud.roles();
    roles.create("role-x", "a role", "{}", &[]).await.unwrap();
    roles.put_policy("role-x", "p", "{}").await.unwrap();
    // Putting the same document again changes nothing.
    roles.put_policy("role-x", "p", "{}").await.unwrap();
    assert_eq!(changes(&cloud), ["CreateRole", "PutRolePolicy"]);
    let refused = roles.delete("role-x").await.unwrap_err();
    assert!(refused.is_code("DeleteConflict"), "{refused}");
    roles.delete_policy("role-x", "p").await.unwrap();
    roles.delete("role-x").await.unwrap();
    assert_eq!(changes(&cloud), ["DeleteRolePolicy", "DeleteRole"]);
}

#[tokio::test]
async fn the_log_groups_rds_and_lambda_would_make_are_made_first_with_the_key_and_14_days() {
    let cloud = FakeCloud::default();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    let keyed_for_14_days = |group: &StoredLogGroup| {
        assert_eq!(group.kms_key_arn.as_deref(), Some(KEY));
        assert_eq!(group.retention_days, Some(14));
        assert!(group.tags.iter().any(|tag| tag.value == "pr-42"));
    };
    // The export's group exists before CreateDBCluster is asked for.
    {
        let groups = cloud.logs.groups();
        keyed_for_14_days(&groups["/aws/rds/cluster/aurora-pr-42/postgresql"]);
        assert!(!groups.contains_key("/aws/lambda/rotation-pr-42"));
    }
    ready(&cloud, json!({})).await;
    let groups = cloud.logs.groups();
    keyed_for_14_days(&groups["/aws/lambda/rotation-pr-42"]);
    assert_eq!(groups.len(), 2);
}

#[tokio::test]
async fn a_retention_changed_by_hand_is_put_back_and_a_refused_group_stops_the_cluster() {
    // (A group a concurrent call made meanwhile: log_groups_first's tests.)
    let cloud = FakeCloud::default();
    let export = "/aws/rds/cluster/aurora-pr-42/postgresql";
    run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(changes(&cloud).last(), Some(&"CreateDBCluster"));
    cloud.logs.groups().get_mut(export).unwrap().retention_days = Some(3653);
    run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(cloud.logs.groups()[export].retention_days, Some(14));
    // A refusal other than "already exists" stops the call before the cluster.
    let fresh = FakeCloud::default();
    fresh
        .recorder
        .lock()
        .fail("CreateLogGroup", "AccessDeniedException");
    let error = run(&fresh, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
    assert!(fresh.world().clusters.is_empty());
}

#[tokio::test]
async fn a_log_group_gone_between_describe_and_delete_is_no_error() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({"deletionProtection": false})).await;
    cloud.world().instances.clear();
    cloud.world().clusters.clear();
    cloud
        .recorder
        .lock()
        .fail("DeleteLogGroup", "ResourceNotFoundException");
    let response = run(&cloud, Action::Delete, json!({"deletionProtection": false}))
        .await
        .unwrap();
    assert_eq!(response.status, Status::Deleted);
    cloud
        .recorder
        .lock()
        .fail("DescribeLogGroups", "ThrottlingException");
    let error = run(&cloud, Action::Delete, json!({"deletionProtection": false}))
        .await
        .unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
}

#[tokio::test]
async fn a_group_aws_made_without_the_key_gets_the_environments_key() {
    let cloud = FakeCloud::default();
    let export = "/aws/rds/cluster/aurora-pr-42/postgresql";
    // As RDS leaves it for a cluster made before the function made the group: no key, kept forever.
    let unkeyed = StoredLogGroup {
        kms_key_arn: None,
        retention_days: None,
        tags: Vec::new(),
    };
    cloud.logs.groups().insert(export.to_owned(), unkeyed);
    run(&cloud, Action::Create, json!({})).await.unwrap();
    assert!(changes(&cloud).contains(&"AssociateKmsKey"));
    assert_eq!(
        cloud.logs.groups()[export],
        StoredLogGroup {
            kms_key_arn: Some(KEY.to_owned()),
            retention_days: Some(14),
            tags: Vec::new()
        }
    );
    // Once it has the key, nothing more is asked of it.
    run(&cloud, Action::Create, json!({})).await.unwrap();
    assert!(!changes(&cloud).contains(&"AssociateKmsKey"));
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

#[tokio::test]
async fn an_inactive_function_is_updated_as_an_active_one() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    // Idle for weeks between rotations: Lambda reclaimed its interfaces; it can still be changed.
    change_rotation_function(&cloud, |function| function.state = "Inactive".into());
    let settings = redeployed("x86_64");
    let response = handle(&cloud, &settings, request(Action::Create, spec(json!({}))))
        .await
        .unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(changes(&cloud).contains(&"UpdateFunctionCode"));
}

#[tokio::test]
async fn an_update_that_failed_in_this_request_leaves_the_previous_function_until_the_next() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    let settings = redeployed("x86_64");
    // Lambda failed the change made moments ago: the function keeps its previous package and
    // still rotates; this provision goes on.
    change_rotation_function(&cloud, |function| {
        function.update_failure = Some("Lambda was unable to create the network interface".into());
        function.last_modified = Some(std::time::SystemTime::now());
    });
    let response = handle(&cloud, &settings, request(Action::Create, spec(json!({}))))
        .await
        .unwrap();
    assert_eq!(response.status, Status::Ready);
    assert!(!changes(&cloud).contains(&"UpdateFunctionCode"));
    // A failure from before this request (the next provision's): tried again.
    change_rotation_function(&cloud, |function| {
        function.last_modified = Some(std::time::UNIX_EPOCH)
    });
    let response = handle(&cloud, &settings, request(Action::Create, spec(json!({}))))
        .await
        .unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(changes(&cloud).contains(&"UpdateFunctionCode"));
}

#[tokio::test]
async fn a_changed_capacity_range_reaches_the_existing_cluster_once_it_is_available() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    let pausing = json!({"dbMinCapacity": 0, "dbAutoPauseSeconds": 600});
    let response = run(&cloud, Action::Create, pausing.clone()).await.unwrap();
    // Not READY on the call that changed it: RDS applies it first.
    assert_eq!(response.status, Status::InProgress);
    assert!(changes(&cloud).contains(&"ModifyDBCluster"));
    let scaling = cloud.world().clusters["aurora-pr-42"].1.scaling.clone();
    let wanted = Scaling {
        min_capacity: 0.0,
        max_capacity: 4.0,
        seconds_until_auto_pause: Some(600),
    };
    assert_eq!(scaling, Some(wanted));
    // The range as wanted: never changed again. (The rotation function's new login timeout for a
    // pausing database is an update of its own, which READY waits for.)
    for _ in 0..3 {
        run(&cloud, Action::Create, pausing.clone()).await.unwrap();
    }
    let response = run(&cloud, Action::Create, pausing).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    assert!(!changes(&cloud).contains(&"ModifyDBCluster"));
}

#[tokio::test]
async fn a_range_the_clusters_engine_version_cannot_hold_is_left_as_it_is() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    // The cluster's 16.9 without auto-pause: a minimum of 0 would be refused.
    let no_pause = EngineVersion {
        serverless_v2_range: Some((0.5, 256.0)),
        ..crate::fake::engine_version("16.9")
    };
    cloud.world().engine_versions = Some(vec![no_pause]);
    run(&cloud, Action::Create, json!({"dbMinCapacity": 0}))
        .await
        .unwrap();
    assert!(!changes(&cloud).contains(&"ModifyDBCluster"));
    let scaling = cloud.world().clusters["aurora-pr-42"].1.scaling.clone();
    assert_eq!(scaling.map(|range| range.min_capacity), Some(0.5));
}

#[tokio::test]
async fn a_cluster_that_reports_no_serverless_range_and_a_refused_change_are_handled() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    cloud.recorder.lock().fail("ModifyDBCluster", "Throttling");
    let error = run(&cloud, Action::Create, json!({"dbMinCapacity": 1}))
        .await
        .unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    // Not Serverless v2 as far as RDS says: nothing to compare, nothing changed.
    cloud
        .world()
        .clusters
        .get_mut("aurora-pr-42")
        .unwrap()
        .1
        .scaling = None;
    let response = run(&cloud, Action::Create, json!({"dbMinCapacity": 1}))
        .await
        .unwrap();
    assert_eq!(response.status, Status::Ready);
    assert!(!changes(&cloud).contains(&"ModifyDBCluster"));
}

#[tokio::test]
async fn a_busy_cluster_is_waited_for_a_refused_range_kept_and_the_maximum_never_changed() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    let range = |cloud: &FakeCloud| cloud.world().clusters["aurora-pr-42"].1.scaling.clone();
    let before = range(&cloud);
    // A new maximum only reaches a new environment: max_connections follows it only at a reboot.
    run(&cloud, Action::Create, json!({"dbMaxCapacity": 8}))
        .await
        .unwrap();
    assert!(!changes(&cloud).contains(&"ModifyDBCluster"));
    assert_eq!(range(&cloud), before);
    // Still applying an earlier change: not READY, no error, tried again by a later call.
    cloud
        .recorder
        .lock()
        .fail("ModifyDBCluster", "InvalidDBClusterStateFault");
    let response = run(&cloud, Action::Create, json!({"dbMinCapacity": 1}))
        .await
        .unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(range(&cloud), before);
    // Refused for the cluster's platform: kept as it is, the environment READY.
    cloud
        .recorder
        .lock()
        .fail("ModifyDBCluster", "InvalidParameterCombination");
    let response = run(&cloud, Action::Create, json!({"dbMinCapacity": 1}))
        .await
        .unwrap();
    assert_eq!(response.status, Status::Ready);
    assert_eq!(range(&cloud), before);
    // Then applied once RDS takes it.
    let response = run(&cloud, Action::Create, json!({"dbMinCapacity": 1}))
        .await
        .unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(range(&cloud).map(|range| range.min_capacity), Some(1.0));
}
