//! The certificate against the fake: DNS-validated (its records, the wait until issued), given
//! by ARN (used as it is, never deleted) or self-signed (generated, or failing as a component).

use super::{dns, existing, run, spec_with};
use crate::acm::request_token;
use crate::api::Cloud;
use crate::fake::FakeCloud;
use crate::handler::EdgeError;
use env_core::spec::EnvironmentSpec;
use env_core::{ErrorName, NamedError, Status};
use serde_json::json;
use std::time::SystemTime;

#[tokio::test]
async fn a_dns_validated_certificate_writes_its_records_and_waits_until_issued() {
    let cloud = FakeCloud::new();
    let response = run(&cloud, "create", dns()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(response.outputs["httpsUrl"], "https://pr-7.example.com");
    assert!(response.outputs.get("httpsListenerArn").is_none());
    {
        let world = cloud.world();
        let elb = cloud.elb.world();
        assert_eq!(
            world.certificates[0].domain.as_deref(),
            Some("pr-7.example.com")
        );
        assert_eq!(
            world.records[&("Z123".to_owned(), "_x1.pr-7.example.com.".to_owned())],
            "_y1.acm-validations.aws."
        );
        // Only the redirecting listener until the certificate is issued, and no rules.
        assert_eq!(elb.listeners.len(), 1);
        assert!(elb.rules.is_empty());
        assert!(response.outputs.get("listenerRuleArns").is_none());
    }
    cloud.world().certificates[0].status = "ISSUED".into();
    let response = run(&cloud, "create", dns()).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    assert_eq!(cloud.world().certificates.len(), 1);
    assert_eq!(cloud.elb.world().listeners.len(), 2);
    assert_eq!(cloud.elb.world().rules.len(), 2);
}

#[tokio::test]
async fn a_certificate_that_will_never_issue_is_a_component_failure() {
    let cloud = FakeCloud::new();
    cloud.world().new_request_status = "VALIDATION_TIMED_OUT".into();
    let error = run(&cloud, "create", dns()).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert!(error
        .to_string()
        .ends_with("is VALIDATION_TIMED_OUT; it cannot serve HTTPS"));
}

#[tokio::test]
async fn an_existing_certificate_is_used_as_given_and_never_deleted() {
    let cloud = FakeCloud::new();
    let arn = cloud.import_certificate("pem", "key", &[]).await.unwrap();
    let response = run(&cloud, "create", existing(&arn)).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    assert_eq!(response.outputs["certificateArn"], arn);
    assert_eq!(cloud.world().certificates.len(), 1);
    let spec = spec_with(json!({"certificateArn": arn, "forceDestroy": true}));
    run(&cloud, "delete", spec.clone()).await.unwrap();
    assert_eq!(
        run(&cloud, "delete", spec).await.unwrap().status,
        Status::Deleted
    );
    assert_eq!(cloud.world().certificates.len(), 1);
}

#[tokio::test]
async fn a_missing_existing_certificate_is_refused() {
    let cloud = FakeCloud::new();
    let arn = "arn:aws:acm:us-west-2:123456789012:certificate/0d1e2c3b-0000-4000-8000-000000000000";
    let error = run(&cloud, "create", existing(arn)).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
    assert_eq!(
        error.to_string(),
        format!("certificate {arn} does not exist")
    );
}

#[test]
fn a_certificate_that_cannot_be_generated_is_a_component_failure() {
    let generation =
        crate::certificate::self_signed("cert", "bücher.example", SystemTime::now()).unwrap_err();
    let error = EdgeError::from(generation);
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert!(error
        .to_string()
        .starts_with("the self-signed certificate could not be generated: "));
}

#[test]
fn the_request_token_is_unique_per_suffix_and_allowed_by_acm() {
    let spec =
        EnvironmentSpec::from_value(&spec_with(json!({"selfSignedCertificate": true}))).unwrap();
    assert_eq!(request_token(&spec), "pr_7");
}
