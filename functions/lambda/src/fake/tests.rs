//! The in-memory Lambda answers as Lambda (and moto) does.

use super::*;

fn settings() -> FunctionSettings {
    FunctionSettings {
        name: "rotation-pr-42".into(),
        description: "Rotation",
        role_arn: format!("arn:aws:iam::{ACCOUNT}:role/rotation-pr-42"),
        code_bucket: "bucket".into(),
        code_key: "rotation.zip".into(),
        code_sha256: "c2hh".into(),
        architecture: "arm64".into(),
        subnet_ids: vec!["subnet-1".into()],
        security_group_ids: vec!["sg-1".into()],
        environment: vec![("A", "1".into())],
        timeout_seconds: 60,
        tags: Vec::new(),
    }
}

#[tokio::test]
async fn a_function_is_made_updated_until_the_next_read_and_deleted() {
    let recorder = SharedRecorder::default();
    let lambda = FakeLambda::new(recorder.clone());
    assert_eq!(lambda.function("rotation-pr-42").await.unwrap(), None);
    lambda.world().function_state = Some("Pending");
    lambda.create_function(&settings()).await.unwrap();
    let made = lambda.function("rotation-pr-42").await.unwrap().unwrap();
    assert_eq!(
        made.arn,
        "arn:aws:lambda:us-west-2:123456789012:function:rotation-pr-42"
    );
    assert!(!made.active() && !made.updating);
    assert_eq!(made.environment["A"], "1");

    lambda.world().clock = Duration::from_secs(60);
    let changed = FunctionSettings {
        code_sha256: "bmV3".into(),
        timeout_seconds: 90,
        environment: vec![("B", "2".into())],
        ..settings()
    };
    lambda.update_function_code(&changed).await.unwrap();
    lambda
        .update_function_configuration(&changed)
        .await
        .unwrap();
    let updating = lambda.function("rotation-pr-42").await.unwrap().unwrap();
    assert!(updating.updating);
    assert_eq!(
        updating.last_modified,
        Some(UNIX_EPOCH + Duration::from_secs(60))
    );
    assert_eq!(
        (updating.code_sha256.as_str(), updating.timeout_seconds),
        ("bmV3", 90)
    );
    assert_eq!(updating.environment.keys().collect::<Vec<_>>(), ["B"]);
    // The update is over by the next read.
    assert!(
        !lambda
            .function("rotation-pr-42")
            .await
            .unwrap()
            .unwrap()
            .updating
    );

    lambda.delete_function("rotation-pr-42").await.unwrap();
    assert!(lambda.world().functions.is_empty());
    assert_eq!(
        recorder.lock().changes,
        [
            "CreateFunction",
            "UpdateFunctionCode",
            "UpdateFunctionConfiguration",
            "DeleteFunction"
        ]
    );
}

#[tokio::test]
async fn a_permission_given_twice_is_a_conflict() {
    let recorder = SharedRecorder::default();
    let lambda = FakeLambda::new(recorder.clone());
    let allow = || {
        lambda.allow_invoke(
            "rotation-pr-42",
            "SecretsManagerAccess",
            "secretsmanager.amazonaws.com",
            ACCOUNT,
        )
    };
    allow().await.unwrap();
    let error = allow().await.unwrap_err();
    assert!(error.is_code("ResourceConflictException"));
    assert_eq!(lambda.world().permissions.len(), 1);
    assert_eq!(recorder.lock().count("AddPermission"), 1);
}

#[tokio::test]
async fn a_function_another_component_made_is_read_by_its_name() {
    let recorder = SharedRecorder::default();
    let lambda = FakeLambda::new(recorder.clone());
    lambda.world().add("rotation-pr-42", "Active");
    let read = lambda.function("rotation-pr-42").await.unwrap().unwrap();
    assert!(read.active());
    assert!(read.arn.ends_with(":function:rotation-pr-42"));
    assert_eq!(lambda.function("rotation-pr-7").await.unwrap(), None);
    recorder
        .lock()
        .fail("GetFunction", "TooManyRequestsException");
    let error = lambda.function("rotation-pr-42").await.unwrap_err();
    assert!(error.is_code("TooManyRequestsException"));
}
