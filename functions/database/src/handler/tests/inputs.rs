//! What the function refuses before any call: events without the network's outputs, a function
//! without its settings; and the names of its errors.

use super::*;
use env_core::settings::FunctionSettings as _;

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
async fn missing_code_location_is_misconfigured_before_any_call_but_delete_still_works() {
    let cloud = FakeCloud::default();
    let broken = Settings::from_lookup(&|_| None);
    let error = run_with(&cloud, &broken, Action::Create).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Misconfigured);
    assert!(
        error.to_string().contains("ROTATION_CODE_BUCKET"),
        "{error}"
    );
    assert!(changes(&cloud).is_empty());
    let response = run_with(&cloud, &broken, Action::Delete).await.unwrap();
    assert_eq!(response.status, Status::Deleted);
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
