//! The edge function end to end against the fake: the fixtures every test of it shares, and what
//! the handler refuses or retries whatever the action. What each action makes, keeps and removes
//! is in the modules below.

use super::*;
use crate::fake::FakeCloud;
use crate::settings::Readiness;
use env_core::contract::Event;
use env_core::outputs::example::{self, handed_on};
use env_core::outputs::NetworkOutputs;
use serde_json::json;
use serde_json::Value;

#[path = "create_tests.rs"]
mod create_tests;

#[path = "certificate_tests.rs"]
mod certificate_tests;

#[path = "delete_tests.rs"]
mod delete_tests;

#[path = "wake_tests.rs"]
mod wake_tests;

/// The settings the function reads in AWS: `SERVICE_READY_WHEN` not set.
pub(crate) fn steady() -> Result<Settings, Misconfigured> {
    Ok(Settings {
        readiness: Readiness::Steady,
    })
}

pub(crate) fn spec_with(extra: Value) -> Value {
    let mut spec = json!({
        "environmentSuffix": "pr-7",
        "containerImage": "public.ecr.aws/acme/catalog-api:1",
    });
    for (key, value) in extra.as_object().unwrap() {
        spec[key] = value.clone();
    }
    spec
}

fn network() -> NetworkOutputs {
    NetworkOutputs {
        public_subnet_ids: vec!["subnet-a".into(), "subnet-b".into(), "subnet-c".into()],
        ..example::network()
    }
}

pub(crate) fn network_outputs() -> Value {
    Value::Object(handed_on(network()))
}

pub(crate) fn request(action: &str, spec: Value, outputs: Value) -> Request {
    Request::from_event(json!({"action": action, "spec": spec, "outputs": outputs})).unwrap()
}

pub(crate) fn self_signed() -> Value {
    spec_with(json!({"selfSignedCertificate": true}))
}

pub(crate) fn dns() -> Value {
    spec_with(json!({"domainName": "pr-7.example.com", "hostedZoneId": "Z123"}))
}

pub(crate) fn existing(arn: &str) -> Value {
    spec_with(json!({"certificateArn": arn}))
}

pub(crate) async fn run(
    cloud: &FakeCloud,
    action: &str,
    spec: Value,
) -> Result<Response, EdgeError> {
    handle(cloud, &steady(), request(action, spec, network_outputs())).await
}

#[tokio::test]
async fn missing_network_outputs_are_invalid_events_before_any_call() {
    let cloud = FakeCloud::new();
    let mut cases = vec![(json!({}), "outputs.network: are missing".to_owned())];
    for key in ["vpcId", "publicSubnetIds", "securityGroupIds"] {
        let mut outputs = network_outputs();
        outputs["network"].as_object_mut().unwrap().remove(key);
        cases.push((outputs, format!("missing field `{key}`")));
    }
    let mut two_subnets = network();
    two_subnets.public_subnet_ids.pop();
    cases.push((
        Value::Object(handed_on(two_subnets)),
        "publicSubnetIds holds 2 entries (0 empty); at least 3 non-empty ones are needed".into(),
    ));
    let mut no_group = network();
    no_group.security_group_ids.alb.clear();
    cases.push((
        Value::Object(handed_on(no_group)),
        "securityGroupIds.alb is empty".into(),
    ));
    let mut no_vpc = network();
    no_vpc.vpc_id.clear();
    cases.push((Value::Object(handed_on(no_vpc)), "vpcId is empty".into()));
    for (outputs, named) in cases {
        let error = handle(&cloud, &steady(), request("create", self_signed(), outputs))
            .await
            .unwrap_err();
        assert_eq!(error.error_name(), ErrorName::InvalidEvent);
        assert!(error.to_string().contains(&named), "{error}");
    }
    assert!(cloud.recorder.lock().changes.is_empty());
}

#[tokio::test]
async fn throttling_anywhere_is_retryable() {
    for operation in [
        "DescribeLoadBalancers",
        "ImportCertificate",
        "CreateListener",
        "DescribeRules",
        "CreateRule",
    ] {
        let cloud = FakeCloud::new();
        cloud.recorder.lock().fail(operation, "Throttling");
        let error = run(&cloud, "create", self_signed()).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable, "{operation}");
    }
}

#[test]
fn an_unknown_load_balancer_lookup_code_is_kept() {
    use crate::api::found;
    use crate::fake::aws_failure;
    assert_eq!(found(Ok(1), &["NotFound"]).unwrap(), Some(1));
    assert_eq!(
        found::<i32>(Err(aws_failure("X", "NotFound")), &["NotFound"]).unwrap(),
        None
    );
    assert!(found::<i32>(Err(aws_failure("X", "Denied")), &["NotFound"])
        .unwrap_err()
        .is_code("Denied"));
}
