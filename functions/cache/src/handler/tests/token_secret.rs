//! The AUTH token's secret: restored when scheduled for deletion, a component failure when gone or
//! without a token.

use super::*;
use crate::api::Sensitive;
use crate::secret::token_of;

#[tokio::test]
async fn a_token_secret_scheduled_for_deletion_is_restored_and_its_token_used() {
    let fake = Fake::default();
    let stored = StoredSecret {
        arn: "arn:old".into(),
        description: "deleted by hand with a recovery window".into(),
        kms_key_arn: Some(KEY.into()),
        value: Sensitive::new(r#"{"authToken": "kept-token"}"#),
        tags: Vec::new(),
        policy: None,
        rotation: Rotation::default(),
        scheduled_for_deletion: true,
        owning_service: None,
        pending_left: false,
    };
    fake.secrets.store().secrets.insert(SECRET.into(), stored);
    let response = run(&fake, Action::Create, &spec(json!({}))).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(!stored_secret(&fake).scheduled_for_deletion);
    assert_eq!(plan(&fake).auth_token, Sensitive::new("kept-token"));
    let changes = fake.recorder.lock().changes.clone();
    assert_eq!(changes[0], "RestoreSecret");
    assert!(!changes.contains(&"CreateSecret"), "{changes:?}");
}

#[tokio::test]
async fn a_group_whose_token_secret_was_deleted_by_hand_gets_it_back_on_create() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    created(&fake, &spec).await;
    let token = plan(&fake).auth_token;
    schedule_secret_deletion(&fake);
    let response = run(&fake, Action::Create, &spec).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    assert!(!stored_secret(&fake).scheduled_for_deletion);
    assert_eq!(secret_json(&fake)["authToken"], token.expose());
    assert_eq!(fake.recorder.lock().count("RestoreSecret"), 1);
}

#[tokio::test]
async fn a_group_whose_token_secret_is_gone_is_component_failed() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    run(&fake, Action::Create, &spec).await.unwrap();
    fake.secrets.store().secrets.clear();
    let error = run(&fake, Action::Status, &spec).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert!(
        error.to_string().contains("secret-redis-auth-pr-42"),
        "{error}"
    );
}

#[tokio::test]
async fn a_secret_without_a_token_is_component_failed_and_not_shown() {
    let fake = Fake::default();
    let spec = spec(json!({}));
    run(&fake, Action::Create, &spec).await.unwrap();
    fake.elasticache.world().settle();
    for value in ["not json", r#"{"password": "hunter2"}"#] {
        edit_secret(&fake, |secret| secret.value = Sensitive::new(value));
        let error = run(&fake, Action::Status, &spec).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::ComponentFailed);
        assert_eq!(
            error.to_string(),
            "secret secret-redis-auth-pr-42 holds no authToken"
        );
    }
}

#[test]
fn a_binary_secret_holds_no_token() {
    let error = token_of("secret-redis-auth-pr-42", None).unwrap_err();
    assert_eq!(
        error.to_string(),
        "secret secret-redis-auth-pr-42 holds no authToken"
    );
}
