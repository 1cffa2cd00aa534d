//! READY: the master secret's schedule, the application's secret and the API keys, their policies
//! and first rotations; a repeated create that changes nothing; secrets restored or met meanwhile.

use super::*;
use crate::api::Rotation;

#[tokio::test]
async fn ready_once_everything_is_available_with_the_master_secret_rotating_every_30_days() {
    let cloud = FakeCloud::default();
    cluster_available(&cloud).await;
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
    change_secret(&cloud, MASTER_SECRET, |secret| {
        secret.rotation.days = Some(7)
    });
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
async fn without_immediate_rotation_ready_needs_no_first_rotation() {
    let cloud = FakeCloud::default();
    run_with(&cloud, &settings(false), Action::Create)
        .await
        .unwrap();
    run_with(&cloud, &settings(false), Action::Create)
        .await
        .unwrap();
    cloud.set_all("available");
    run_with(&cloud, &settings(false), Action::Create)
        .await
        .unwrap();
    let response = run_with(&cloud, &settings(false), Action::Create)
        .await
        .unwrap();
    assert_eq!(response.status, Status::Ready);
    assert!(!cloud.secrets.store().secrets[APP_SECRET].rotation.rotated);
}

#[tokio::test]
async fn a_first_rotation_that_has_not_finished_keeps_the_environment_in_progress() {
    let cloud = FakeCloud::default();
    cloud.secrets.store().rotations_fail = true;
    cluster_available(&cloud).await;
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
async fn a_repeated_create_generates_no_password_and_keeps_the_secret_values() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    let before = cloud.secrets.store().secrets[APP_SECRET].value.clone();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    run(&cloud, Action::Create, json!({})).await.unwrap();
    let store = cloud.secrets.store();
    assert_eq!(store.passwords_generated, 2);
    assert_eq!(store.secrets[APP_SECRET].value, before);
    let world = cloud.lambda.world();
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
        cluster_available(&cloud).await;
        cloud.recorder.lock().fail_with("CreateSecret", code, message);
        let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable, "{code}");
        assert!(error.to_string().contains("secret secret-db-app-pr-42"), "{error}");
    }
    let cloud = FakeCloud::default();
    cluster_available(&cloud).await;
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
            cluster_available(&cloud).await;
        } else {
            ready(&cloud, json!({})).await;
            change_environment_secrets(&cloud, |secret| secret.scheduled_for_deletion = true);
        }
        cloud.recorder.lock().fail(operation, "ThrottlingException");
        let error = first_error(&cloud, Action::Create, json!({}), 3, operation).await;
        assert_eq!(error.error_name(), ErrorName::Retryable, "{operation}");
        assert!(error.to_string().contains(operation), "{error}");
    }
}
