use crate::fake::FakeCloud;
use crate::handler::tests::{
    change_secret, changes, cluster_available, ready, request, run, run_with, settings, spec,
    API_KEYS_SECRET, APP_SECRET, MASTER_SECRET,
};
use crate::handler::{handle, DatabaseError};
use crate::settings::Settings;
use env_core::contract::Outputs;
use env_core::settings::FunctionSettings as _;
use env_core::{Action, ErrorName, NamedError, Response, Status};
use serde_json::json;

const FUNCTION: &str = "rotation-pr-42";

async fn read(cloud: &FakeCloud) -> Result<Response, DatabaseError> {
    run(cloud, Action::Status, json!({})).await
}

/// `status`, proven to have written nothing: everything the fake holds (its log groups and roles
/// too) and every change it recorded are the same after it.
async fn read_only(cloud: &FakeCloud) -> Response {
    let before = cloud.snapshot();
    let response = read(cloud).await.unwrap();
    assert_eq!(cloud.snapshot(), before);
    response
}

async fn create(cloud: &FakeCloud) -> Result<Response, DatabaseError> {
    run(cloud, Action::Create, json!({})).await
}

fn keys(response: &Response) -> Vec<&str> {
    response.outputs.keys().map(String::as_str).collect()
}

#[tokio::test]
async fn status_of_nothing_is_deleted_and_writes_nothing() {
    let cloud = FakeCloud::default();
    let response = read_only(&cloud).await;
    assert_eq!(response, Response::new(Status::Deleted, Outputs::new()));
    assert!(changes(&cloud).is_empty());
    // It reads by name: the network's outputs are not needed.
    let mut without_network = request(Action::Status, spec(json!({})));
    without_network.outputs = Outputs::new();
    let response = handle(&cloud, &settings(true), without_network)
        .await
        .unwrap();
    assert_eq!(response.status, Status::Deleted);
    assert!(cloud.rds.world().clusters.is_empty());
}

#[tokio::test]
async fn a_misconfigured_function_answers_status_with_its_error_before_any_call() {
    let cloud = FakeCloud::default();
    let broken = Settings::from_lookup(&|_| None);
    let error = run_with(&cloud, &broken, Action::Status).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Misconfigured);
}

#[tokio::test]
async fn status_of_a_ready_database_answers_exactly_what_create_answers() {
    let cloud = FakeCloud::default();
    let created = ready(&cloud, json!({})).await;
    let response = read_only(&cloud).await;
    assert_eq!(response.status, Status::Ready);
    assert_eq!(response, created);
    assert_eq!(
        keys(&response),
        [
            "apiKeysSecretArn",
            "dbAppSecretArn",
            "dbClusterArn",
            "dbClusterIdentifier",
            "dbClusterResourceId",
            "dbMasterSecretArn",
            "dbName",
            "dbPort",
            "dbReaderEndpoint",
            "dbWriterEndpoint",
            "rotationFunctionArn"
        ]
    );
    assert_eq!(response.outputs["dbClusterIdentifier"], "aurora-pr-42");
    // And again, answered the same: nothing moved.
    assert_eq!(read_only(&cloud).await, created);
}

#[tokio::test]
async fn status_while_rds_is_still_creating_is_in_progress_with_what_create_answers() {
    let cloud = FakeCloud::default();
    let first = create(&cloud).await.unwrap();
    // The cluster just asked for: `create` hands nothing on yet, `status` what it reads of it.
    let response = read_only(&cloud).await;
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(first.outputs, Outputs::new());
    assert_eq!(response.outputs["dbClusterIdentifier"], "aurora-pr-42");
    assert!(cloud.rds.world().instances.is_empty(), "no instance made");
    // Cluster and instances `creating`: the same answer as `create`.
    let second = create(&cloud).await.unwrap();
    changes(&cloud);
    let response = read_only(&cloud).await;
    assert_eq!(response, second);
    assert_eq!(response.status, Status::InProgress);
    assert!(changes(&cloud).is_empty());
    // Available, but nothing of the credentials made yet: only a create makes them.
    cloud.set_all("available");
    let response = read_only(&cloud).await;
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(response.outputs, second.outputs);
    // Of the secrets, only the master secret RDS made with the cluster, on RDS's default schedule.
    let store = cloud.secrets.store();
    assert_eq!(store.secrets.keys().collect::<Vec<_>>(), [MASTER_SECRET]);
    assert_eq!(store.secrets[MASTER_SECRET].rotation.days, Some(7));
    assert!(cloud.lambda.world().functions.is_empty());
}

#[tokio::test]
async fn a_pending_rotation_function_is_in_progress_and_status_turns_no_rotation_on() {
    let cloud = FakeCloud::default();
    cloud.lambda.world().function_state = Some("Pending");
    cluster_available(&cloud).await;
    let created = create(&cloud).await.unwrap();
    assert_eq!(created.status, Status::InProgress);
    changes(&cloud);
    let response = read_only(&cloud).await;
    assert_eq!(response, created);
    assert!(changes(&cloud).is_empty());
    assert!(cloud.lambda.world().permissions.is_empty());
    // Active: only a create turns rotation on, then status answers READY with it.
    cloud
        .lambda
        .world()
        .functions
        .get_mut(FUNCTION)
        .unwrap()
        .1
        .state = "Active".into();
    assert_eq!(read_only(&cloud).await.status, Status::InProgress);
    create(&cloud).await.unwrap();
    let created = create(&cloud).await.unwrap();
    assert_eq!(created.status, Status::Ready);
    assert_eq!(read_only(&cloud).await, created);
}

/// Each, made to a READY database, leaves something `create` would still make, restore or wait
/// for.
#[tokio::test]
async fn anything_create_would_still_do_or_wait_for_is_in_progress_and_left_to_create() {
    type Change = fn(&FakeCloud);
    let cases: [(&str, Change); 9] = [
        ("an instance modifying", |cloud| {
            cloud
                .rds
                .world()
                .instances
                .get_mut("aurora-reader-pr-42")
                .unwrap()
                .1
                .status = "modifying".into()
        }),
        ("the cluster backing up", |cloud| {
            cloud
                .rds
                .world()
                .clusters
                .get_mut("aurora-pr-42")
                .unwrap()
                .1
                .status = "backing-up".into()
        }),
        ("the reader gone", |cloud| {
            cloud.rds.world().instances.remove("aurora-reader-pr-42");
        }),
        ("the master secret on another schedule", |cloud| {
            let mut store = cloud.secrets.store();
            store.secrets.get_mut(MASTER_SECRET).unwrap().rotation.days = Some(7)
        }),
        ("the API keys not rotating", |cloud| {
            let mut store = cloud.secrets.store();
            store
                .secrets
                .get_mut(API_KEYS_SECRET)
                .unwrap()
                .rotation
                .enabled = false
        }),
        ("the application secret never rotated", |cloud| {
            let mut store = cloud.secrets.store();
            store.secrets.get_mut(APP_SECRET).unwrap().rotation.rotated = false
        }),
        ("a secret scheduled for deletion", |cloud| {
            let mut store = cloud.secrets.store();
            store
                .secrets
                .get_mut(APP_SECRET)
                .unwrap()
                .scheduled_for_deletion = true
        }),
        ("the function's log group gone", |cloud| {
            cloud.logs.groups().remove("/aws/lambda/rotation-pr-42");
        }),
        ("the rotation role gone", |cloud| {
            cloud.roles.roles().clear();
        }),
    ];
    for (case, change) in cases {
        let cloud = FakeCloud::default();
        let created = ready(&cloud, json!({})).await;
        change(&cloud);
        let response = read_only(&cloud).await;
        assert_eq!(response.status, Status::InProgress, "{case}");
        assert!(changes(&cloud).is_empty(), "{case}");
        let mut expected = created.outputs.clone();
        if case == "a secret scheduled for deletion" {
            // Gone until a create restores it.
            expected.remove("dbAppSecretArn");
        }
        assert_eq!(response.outputs, expected, "{case}");
    }
}

#[tokio::test]
async fn a_function_being_updated_is_in_progress_and_not_updated_by_status() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    cloud
        .lambda
        .world()
        .functions
        .get_mut(FUNCTION)
        .unwrap()
        .1
        .updating = true;
    let response = read(&cloud).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(changes(&cloud).is_empty());
    // (The fake's update ends with the read after it, as Lambda's within seconds.)
    assert_eq!(read_only(&cloud).await.status, Status::Ready);
}

#[tokio::test]
async fn without_immediate_rotation_ready_needs_no_first_rotation_as_for_create() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    change_secret(&cloud, APP_SECRET, |secret| secret.rotation.rotated = false);
    let waiting = read(&cloud).await.unwrap();
    assert_eq!(waiting.status, Status::InProgress);
    let response = run_with(&cloud, &settings(false), Action::Status)
        .await
        .unwrap();
    assert_eq!(response.status, Status::Ready);
    assert!(changes(&cloud).is_empty());
}

#[tokio::test]
async fn status_of_a_half_made_database_is_in_progress_and_a_later_create_completes_it() {
    let cloud = FakeCloud::default();
    // Interrupted after the groups, before the cluster.
    cloud
        .recorder
        .lock()
        .fail("CreateDBCluster", "InternalFailure");
    create(&cloud).await.unwrap_err();
    let made = changes(&cloud);
    let response = read_only(&cloud).await;
    assert_eq!(response, Response::new(Status::InProgress, Outputs::new()));
    assert!(changes(&cloud).is_empty());
    assert!(cloud.rds.world().clusters.is_empty());
    assert_eq!(made.last(), Some(&"PutRetentionPolicy"));

    // Interrupted after the secrets and the role, before the function.
    cluster_available(&cloud).await;
    cloud.recorder.lock().fail_with(
        "CreateFunction",
        "InvalidParameterValueException",
        "bad zip",
    );
    create(&cloud).await.unwrap_err();
    changes(&cloud);
    let response = read_only(&cloud).await;
    assert_eq!(response.status, Status::InProgress);
    assert!(keys(&response).contains(&"dbAppSecretArn"));
    assert!(keys(&response).contains(&"apiKeysSecretArn"));
    assert!(!keys(&response).contains(&"rotationFunctionArn"));
    assert!(changes(&cloud).is_empty());
    assert!(cloud.lambda.world().functions.is_empty());

    // A create goes on from there.
    create(&cloud).await.unwrap();
    let created = create(&cloud).await.unwrap();
    assert_eq!(created.status, Status::Ready);
    assert_eq!(read_only(&cloud).await, created);
}

#[tokio::test]
async fn a_failed_cluster_or_instance_answers_the_error_create_answers() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    let failed = |cloud: &FakeCloud, id: &str, status: &str| {
        let mut world = cloud.rds.world();
        if let Some((_, cluster)) = world.clusters.get_mut(id) {
            cluster.status = status.into();
        }
        if let Some((_, instance)) = world.instances.get_mut(id) {
            instance.status = status.into();
        }
    };
    failed(&cloud, "aurora-writer-pr-42", "incompatible-parameters");
    assert_eq!(
        failed_alike(&cloud).await,
        "aurora-writer-pr-42 is in state incompatible-parameters; delete the environment and create it again"
    );
    // The cluster's state comes first, as for create.
    failed(&cloud, "aurora-pr-42", "storage-full");
    assert!(failed_alike(&cloud)
        .await
        .starts_with("aurora-pr-42 is in state storage-full"));
}

/// `status` fails as a failed component without changing anything, and `create` fails the same
/// way: the message.
async fn failed_alike(cloud: &FakeCloud) -> String {
    let before = cloud.snapshot();
    let read_error = read(cloud).await.unwrap_err();
    assert_eq!(cloud.snapshot(), before);
    let create_error = create(cloud).await.unwrap_err();
    assert_eq!(read_error.error_name(), ErrorName::ComponentFailed);
    assert_eq!(read_error.to_string(), create_error.to_string());
    read_error.to_string()
}

/// RDS deletes the master secret only with the cluster: one gone from an available cluster was
/// deleted by hand (at once, or with a recovery window), and the rotation function can no longer log
/// in as the master. Waiting does not bring it back, so neither `create` nor `status` waits for it.
#[tokio::test]
async fn a_master_secret_deleted_by_hand_is_a_failed_component_for_create_and_status() {
    type Deletion = fn(&FakeCloud);
    let deletions: [Deletion; 2] = [
        |cloud| {
            cloud.secrets.store().secrets.remove(MASTER_SECRET);
        },
        |cloud| {
            let mut store = cloud.secrets.store();
            store
                .secrets
                .get_mut(MASTER_SECRET)
                .unwrap()
                .scheduled_for_deletion = true
        },
    ];
    for delete_by_hand in deletions {
        let cloud = FakeCloud::default();
        ready(&cloud, json!({})).await;
        delete_by_hand(&cloud);
        assert_eq!(
            failed_alike(&cloud).await,
            "the master user's secret arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!cluster-aurora-pr-42-AbCdEf, which RDS manages for the cluster, is gone or scheduled for deletion; restore it, or have RDS manage the master password again"
        );
        // Found before any secret is written: nothing is rotated, restored or made.
        assert_eq!(
            changes(&cloud),
            ["ModifyDBClusterParameterGroup", "PutRetentionPolicy"]
        );
        // A failed instance comes first, as for create.
        cloud
            .rds
            .world()
            .instances
            .get_mut("aurora-writer-pr-42")
            .unwrap()
            .1
            .status = "failed".into();
        let read_error = read(&cloud).await.unwrap_err();
        let create_error = create(&cloud).await.unwrap_err();
        assert_eq!(read_error.to_string(), create_error.to_string());
        assert!(read_error
            .to_string()
            .starts_with("aurora-writer-pr-42 is in state failed"));
    }
}

#[tokio::test]
async fn during_a_teardown_status_is_in_progress_and_deleted_once_it_ends() {
    let cloud = FakeCloud::default();
    let unprotected = json!({"deletionProtection": false});
    let delete = || run(&cloud, Action::Delete, unprotected.clone());
    ready(&cloud, unprotected.clone()).await;
    cloud.rds.world().slow_deletion = true;
    // The function gone, the instances deleting.
    delete().await.unwrap();
    let response = read_only(&cloud).await;
    assert_eq!(response.status, Status::InProgress);
    assert!(!keys(&response).contains(&"rotationFunctionArn"));
    // Only instances, deleting, left of the compute: nothing of the cluster to hand on.
    cloud.rds.world().instances.clear();
    delete().await.unwrap();
    assert_eq!(
        cloud.rds.world().clusters["aurora-pr-42"].1.status,
        "deleting"
    );
    changes(&cloud);
    let response = read_only(&cloud).await;
    assert_eq!(response, Response::new(Status::InProgress, Outputs::new()));
    // What create answers of a cluster still being deleted.
    assert_eq!(create(&cloud).await.unwrap(), response);
    // The cluster gone, the rest deleted; the secrets wait out their recovery window.
    cloud.rds.world().clusters.clear();
    let deleted = delete().await.unwrap();
    assert_eq!(deleted.status, Status::Deleted);
    assert!(cloud
        .secrets
        .store()
        .secrets
        .values()
        .all(|s| s.scheduled_for_deletion));
    assert_eq!(read_only(&cloud).await, deleted);
}

#[tokio::test]
async fn instances_left_without_their_cluster_are_in_progress() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    {
        let mut world = cloud.rds.world();
        world.clusters.clear();
        cloud.lambda.world().functions.clear();
        world.subnet_groups.clear();
        world.parameter_groups.clear();
    }
    cloud.secrets.store().secrets.clear();
    cloud.roles.roles().clear();
    cloud.logs.groups().clear();
    cloud.set_all("deleting");
    let response = read_only(&cloud).await;
    assert_eq!(response, Response::new(Status::InProgress, Outputs::new()));
}

#[tokio::test]
async fn every_read_surfaces_its_aws_error_and_nothing_is_written() {
    let reads = [
        "DescribeDBSubnetGroups",
        "DescribeDBClusterParameterGroups",
        "DescribeLogGroups",
        "DescribeDBClusters",
        // Of a READY database, first the master secret's rotation.
        "DescribeSecret",
        "DescribeDBInstances",
        "GetRole",
        "GetFunction",
    ];
    for operation in reads {
        let cloud = FakeCloud::default();
        ready(&cloud, json!({})).await;
        cloud.recorder.lock().fail(operation, "ThrottlingException");
        let error = read(&cloud).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable, "{operation}");
        assert!(error.to_string().contains(operation), "{error}");
        assert!(changes(&cloud).is_empty(), "{operation}");
        assert!(
            cloud.recorder.lock().faults_answered(),
            "{operation} was read"
        );
    }
    // Of a cluster not yet available, the application secret's lookup; a refusal is no retry.
    let cloud = FakeCloud::default();
    create(&cloud).await.unwrap();
    changes(&cloud);
    cloud
        .recorder
        .lock()
        .fail("DescribeSecret", "AccessDeniedException");
    let error = read(&cloud).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
    assert!(changes(&cloud).is_empty());
    assert!(cloud.recorder.lock().faults_answered());
}
