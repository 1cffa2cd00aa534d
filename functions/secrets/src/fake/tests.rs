//! The in-memory Secrets Manager answers as Secrets Manager does.

use super::*;
use env_core::error::ErrorName;
use env_core::NamedError;

const KEY: &str = "arn:aws:kms:us-west-2:123456789012:key/k";
const LAMBDA: &str = "arn:aws:lambda:us-west-2:123456789012:function:rotate";

fn new_secret(name: &str) -> NewSecret {
    NewSecret {
        name: name.into(),
        description: "the cache's auth token".into(),
        kms_key_arn: KEY.into(),
        value: SecretValue::new("v1"),
        tags: Vec::new(),
    }
}

#[tokio::test]
async fn secrets_are_made_read_changed_and_rotated_as_secrets_manager_answers() {
    let recorder = SharedRecorder::default();
    let secrets = FakeSecrets::new(recorder.clone());
    assert_eq!(secrets.describe("catalog/pr-1/cache").await.unwrap(), None);
    let arn = secrets
        .create(&new_secret("catalog/pr-1/cache"))
        .await
        .unwrap();
    assert_eq!(
        arn,
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:catalog/pr-1/cache-AbCdEf"
    );
    let again = secrets
        .create(&new_secret("catalog/pr-1/cache"))
        .await
        .unwrap_err();
    assert!(again.is_code("ResourceExistsException"));
    secrets
        .put_value(&arn, &SecretValue::new("v2"))
        .await
        .unwrap();
    let value = secrets.current_value("catalog/pr-1/cache").await.unwrap();
    assert_eq!(value, Some(SecretValue::new("v2")));
    secrets.put_policy(&arn, "{}").await.unwrap();
    let unscheduled = RotationRequest {
        lambda_arn: None,
        days: 30,
        immediately: false,
    };
    let refused = secrets.rotate(&arn, &unscheduled).await.unwrap_err();
    assert!(refused.is_code("InvalidRequestException"));
    let now = RotationRequest {
        lambda_arn: Some(LAMBDA),
        days: 30,
        immediately: true,
    };
    secrets.rotate(&arn, &now).await.unwrap();
    // Later calls keep the function already set.
    secrets.rotate(&arn, &unscheduled).await.unwrap();
    let described = secrets.describe(&arn).await.unwrap().unwrap();
    assert_eq!(
        described,
        Secret {
            arn: arn.clone(),
            kms_key_id: Some(KEY.into()),
            rotation: Rotation {
                enabled: true,
                days: Some(30),
                lambda_arn: Some(LAMBDA.into()),
                rotated: true,
            },
            scheduled_for_deletion: false,
        }
    );
    assert_eq!(
        secrets.store().secrets["catalog/pr-1/cache"]
            .policy
            .as_deref(),
        Some("{}")
    );
    assert_eq!(
        recorder.lock().changes,
        [
            "CreateSecret",
            "PutSecretValue",
            "PutResourcePolicy",
            "RotateSecret",
            "RotateSecret"
        ]
    );
}

#[tokio::test]
async fn a_deleted_secret_waits_for_recovery_holds_its_name_and_can_be_restored() {
    let secrets = FakeSecrets::default();
    let arn = secrets.create(&new_secret("db")).await.unwrap();
    secrets.delete(&arn, false).await.unwrap();
    assert!(
        secrets
            .describe("db")
            .await
            .unwrap()
            .unwrap()
            .scheduled_for_deletion
    );
    for error in [
        secrets.current_value(&arn).await.unwrap_err(),
        secrets.put_policy(&arn, "{}").await.unwrap_err(),
        secrets.delete(&arn, false).await.unwrap_err(),
        secrets.create(&new_secret("db")).await.unwrap_err(),
    ] {
        assert!(error.is_code("InvalidRequestException"), "{error}");
    }
    let restored = secrets.restored("db").await.unwrap().unwrap();
    assert!(!restored.scheduled_for_deletion);
    assert!(
        !secrets
            .describe("db")
            .await
            .unwrap()
            .unwrap()
            .scheduled_for_deletion
    );
    assert_eq!(secrets.restored("missing").await.unwrap(), None);
    assert_eq!(
        secrets.current_value("db").await.unwrap(),
        Some(SecretValue::new("v1"))
    );
    secrets.delete("db", false).await.unwrap();
    secrets.delete("db", true).await.unwrap();
    assert!(secrets.store().secrets.is_empty());
    assert_eq!(
        secrets.store().deletions,
        [
            ("db".to_owned(), false),
            ("db".to_owned(), false),
            ("db".to_owned(), true)
        ]
    );
    let missing = secrets.restore("db").await.unwrap_err();
    assert!(missing.is_code("ResourceNotFoundException"));
    // Deleting at once what is gone answers no error; without recovery it does.
    secrets.delete("db", true).await.unwrap();
    let missing = secrets.delete("db", false).await.unwrap_err();
    assert!(missing.is_code("ResourceNotFoundException"));
    assert_eq!(secrets.store().deletions.len(), 3);
}

#[tokio::test]
async fn a_name_deleted_at_once_is_held_a_moment_and_made_again_under_another_arn() {
    let secrets = FakeSecrets::default();
    let first = secrets.create(&new_secret("cache")).await.unwrap();
    secrets.store().forced_deletions_linger = true;
    secrets.delete(&first, true).await.unwrap();
    let held = secrets.create(&new_secret("cache")).await.unwrap_err();
    assert!(held.is_code("InvalidRequestException"));
    assert!(held.is_retryable(), "{held}");
    let second = secrets.create(&new_secret("cache")).await.unwrap();
    assert_ne!(second, first);
    assert!(second.ends_with(":secret:cache-AbCd02"), "{second}");
    assert!(secrets.current_value(&first).await.is_err());
}

#[tokio::test]
async fn a_secret_another_service_manages_rotates_without_a_function_and_keeps_its_value() {
    let secrets = FakeSecrets::default();
    let arn = secrets.add_managed("rds!cluster-1", "rds", "{}");
    let schedule = RotationRequest {
        lambda_arn: None,
        days: 30,
        immediately: false,
    };
    secrets.rotate(&arn, &schedule).await.unwrap();
    let rotation = secrets.describe(&arn).await.unwrap().unwrap().rotation;
    assert_eq!((rotation.enabled, rotation.days), (true, Some(30)));
    assert!(!rotation.rotated);
    let refused = secrets
        .put_value(&arn, &SecretValue::new("x"))
        .await
        .unwrap_err();
    assert!(refused.is_code("InvalidRequestException"));
    let with_function = RotationRequest {
        lambda_arn: Some(LAMBDA),
        days: 30,
        immediately: true,
    };
    let refused = secrets.rotate(&arn, &with_function).await.unwrap_err();
    assert!(refused.is_code("InvalidRequestException"));
    let refused = secrets.delete(&arn, true).await.unwrap_err();
    assert!(refused.to_string().contains("managed by rds"), "{refused}");
    let other = secrets.add_managed("other", "appflow", "{}");
    let refused = secrets
        .put_value(&other, &SecretValue::new("x"))
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("another service"), "{refused}");
}

#[tokio::test]
async fn a_rotation_that_fails_in_its_function_leaves_no_last_rotated_date() {
    let secrets = FakeSecrets::default();
    let arn = secrets.create(&new_secret("t")).await.unwrap();
    secrets.store().rotations_fail = true;
    let now = RotationRequest {
        lambda_arn: Some(LAMBDA),
        days: 7,
        immediately: true,
    };
    secrets.rotate(&arn, &now).await.unwrap();
    assert!(
        !secrets
            .describe(&arn)
            .await
            .unwrap()
            .unwrap()
            .rotation
            .rotated
    );
}

#[tokio::test]
async fn passwords_keep_to_their_rules_and_differ() {
    let secrets = FakeSecrets::default();
    let uri_safe = PasswordRules {
        length: 32,
        exclude_characters: ":/@\"'\\",
        exclude_punctuation: false,
    };
    let first = secrets.random_password(&uri_safe).await.unwrap();
    let second = secrets.random_password(&uri_safe).await.unwrap();
    assert_eq!(first.expose().len(), 32);
    assert!(!first
        .expose()
        .contains([':', '/', '@', '"', '\'', '\\', ' ']));
    assert_ne!(first, second);
    let alphanumeric = PasswordRules {
        length: 64,
        exclude_characters: "",
        exclude_punctuation: true,
    };
    let token = secrets.random_password(&alphanumeric).await.unwrap();
    assert!(token.expose().chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(secrets.store().passwords_generated, 3);
}

#[tokio::test]
async fn a_fault_injected_in_the_shared_recorder_reaches_the_secret_call() {
    let recorder = SharedRecorder::default();
    let secrets = FakeSecrets::new(recorder.clone());
    recorder.lock().fail("CreateSecret", "ThrottlingException");
    let error = secrets.create(&new_secret("s")).await.unwrap_err();
    assert!(error.is_code("ThrottlingException"));
    assert!(secrets.store().secrets.is_empty());
    for operation in [
        "DescribeSecret",
        "GetRandomPassword",
        "GetSecretValue",
        "PutSecretValue",
        "DeleteSecret",
    ] {
        recorder.lock().fail(operation, "InternalServiceError");
    }
    let rules = PasswordRules {
        length: 8,
        exclude_characters: "",
        exclude_punctuation: true,
    };
    assert!(secrets.describe("s").await.is_err());
    assert!(secrets.random_password(&rules).await.is_err());
    assert!(secrets.current_value("s").await.is_err());
    assert!(secrets
        .put_value("s", &SecretValue::new("x"))
        .await
        .is_err());
    assert!(secrets.delete("s", true).await.is_err());
    assert!(recorder.lock().faults_answered());
    assert!(recorder.lock().changes.is_empty());
}

#[tokio::test]
async fn stopping_a_rotation_turns_it_off_then_drops_an_unfinished_pending_version() {
    let recorder = SharedRecorder::default();
    let secrets = FakeSecrets::new(recorder.clone());
    let arn = secrets.create(&new_secret("t")).await.unwrap();
    // Never turned on: nothing to cancel, nothing pending.
    secrets.stop_rotation(&arn).await.unwrap();
    assert!(recorder.lock().changes.ends_with(&["CreateSecret"]));
    let refused = secrets.cancel_rotation(&arn).await.unwrap_err();
    assert!(refused.is_code("InvalidRequestException"), "{refused}");
    secrets.store().rotations_fail = true;
    let now = RotationRequest {
        lambda_arn: Some(LAMBDA),
        days: 30,
        immediately: true,
    };
    secrets.rotate(&arn, &now).await.unwrap();
    assert!(secrets.pending_left(&arn).await.unwrap());
    let before = recorder.lock().changes.len();
    secrets.stop_rotation(&arn).await.unwrap();
    // The cancel first: a rotation step still running could write the label up to it.
    assert_eq!(
        recorder.lock().changes[before..],
        ["CancelRotateSecret", "UpdateSecretVersionStage"]
    );
    assert!(!secrets.pending_left(&arn).await.unwrap());
    // Off, the function and the schedule kept for RotateSecret to turn it on again.
    assert_eq!(
        secrets.store().secrets["t"].rotation,
        Rotation {
            enabled: false,
            days: Some(30),
            lambda_arn: Some(LAMBDA.into()),
            rotated: false,
        }
    );
    // A finished rotation leaves no pending version: only the cancel.
    secrets.store().rotations_fail = false;
    secrets.rotate(&arn, &now).await.unwrap();
    let before = recorder.lock().changes.len();
    secrets.stop_rotation(&arn).await.unwrap();
    assert_eq!(recorder.lock().changes[before..], ["CancelRotateSecret"]);
    for missing in [
        secrets.stop_rotation("missing").await,
        secrets.pending_left("missing").await.map(|_| ()),
    ] {
        assert!(missing.unwrap_err().is_code("ResourceNotFoundException"));
    }
}

#[tokio::test]
async fn a_label_left_after_the_turn_off_is_dropped_by_stopping_again_and_blocks_rotate_until_then()
{
    let recorder = SharedRecorder::default();
    let secrets = FakeSecrets::new(recorder.clone());
    let arn = secrets.create(&new_secret("t")).await.unwrap();
    let now = RotationRequest {
        lambda_arn: Some(LAMBDA),
        days: 30,
        immediately: true,
    };
    secrets.rotate(&arn, &now).await.unwrap();
    secrets.stop_rotation(&arn).await.unwrap();
    // A createSecret step that checked rotation before the cancel writes its version after it.
    secrets.store().secrets.get_mut("t").unwrap().pending_left = true;
    let refused = secrets.rotate(&arn, &now).await.unwrap_err();
    assert!(
        refused.to_string().contains("previous rotation"),
        "{refused}"
    );
    assert_eq!(refused.error_name(), ErrorName::Retryable);
    // Rotation already off: only the label goes.
    let before = recorder.lock().changes.len();
    secrets.stop_rotation(&arn).await.unwrap();
    assert_eq!(
        recorder.lock().changes[before..],
        ["UpdateSecretVersionStage"]
    );
    secrets.rotate(&arn, &now).await.unwrap();
    assert!(secrets.store().secrets["t"].rotation.enabled);
}

#[tokio::test]
async fn a_failed_label_removal_after_the_cancel_is_finished_when_asked_again() {
    let recorder = SharedRecorder::default();
    let secrets = FakeSecrets::new(recorder.clone());
    let arn = secrets.create(&new_secret("t")).await.unwrap();
    secrets.store().rotations_fail = true;
    let now = RotationRequest {
        lambda_arn: Some(LAMBDA),
        days: 30,
        immediately: true,
    };
    secrets.rotate(&arn, &now).await.unwrap();
    recorder
        .lock()
        .fail("UpdateSecretVersionStage", "ThrottlingException");
    assert!(secrets.stop_rotation(&arn).await.is_err());
    assert!(recorder.lock().faults_answered());
    let stored = secrets.store().secrets["t"].clone();
    assert!(!stored.rotation.enabled && stored.pending_left);
    secrets.stop_rotation(&arn).await.unwrap();
    assert!(!secrets.store().secrets["t"].pending_left);
    // A refused cancel leaves both for the next call.
    secrets.rotate(&arn, &now).await.unwrap();
    recorder
        .lock()
        .fail("CancelRotateSecret", "AccessDeniedException");
    assert!(secrets.stop_rotation(&arn).await.is_err());
    let stored = secrets.store().secrets["t"].clone();
    assert!(stored.rotation.enabled && stored.pending_left);
}
