//! What the function refuses before any call (an event without the network's outputs), and the
//! names of its errors.

use super::*;
use env_core::outputs::{ComponentOutputs, NetworkOutputs};

#[tokio::test]
async fn a_missing_network_output_is_an_invalid_event_named_before_any_call() {
    let mut refusals = vec![(Outputs::new(), "outputs.network: are missing".to_owned())];
    for key in [
        "privateSubnetIds",
        "availabilityZones",
        "securityGroupIds",
        "kmsKeyArn",
    ] {
        let mut outputs = network_outputs();
        outputs["network"].as_object_mut().unwrap().remove(key);
        refusals.push((outputs, format!("missing field `{key}`")));
    }
    // Two private subnets, or a subnet id that is not a string, are not the network's three.
    let mut network = example::network();
    network.private_subnet_ids.pop();
    refusals.push((
        handed_on(network),
        "privateSubnetIds holds 2 entries".into(),
    ));
    let mut outputs = network_outputs();
    outputs["network"]["privateSubnetIds"] = json!(["subnet-a", "subnet-b", 3]);
    refusals.push((outputs, "invalid type: integer `3`".into()));
    let mut network = example::network();
    network.availability_zones.pop();
    refusals.push((handed_on(network), "availabilityZones holds 2".into()));
    let mut network = example::network();
    network.security_group_ids.cache.clear();
    refusals.push((handed_on(network), "securityGroupIds.cache is empty".into()));
    let mut network = example::network();
    network.kms_key_arn.clear();
    refusals.push((handed_on(network), "kmsKeyArn is empty".into()));
    for (outputs, named) in refusals {
        let fake = Fake::default();
        fake.recorder
            .lock()
            .fail("DescribeReplicationGroups", "AccessDenied");
        let error = run_with(&fake, Action::Create, &spec(json!({})), outputs)
            .await
            .unwrap_err();
        assert_eq!(error.error_name(), ErrorName::InvalidEvent);
        assert!(error.to_string().contains(&named), "{error}");
        let recorder = fake.recorder.lock();
        assert!(!recorder.faults_answered(), "an AWS call was made");
        assert!(recorder.calls.is_empty(), "an AWS call was made");
    }
}

#[test]
fn failures_carry_their_stable_names() {
    assert_eq!(
        CacheError::MissingInput(NetworkOutputs::of(&Outputs::new()).unwrap_err()).error_name(),
        ErrorName::InvalidEvent
    );
    assert_eq!(
        CacheError::Failed("g".into()).error_name(),
        ErrorName::ComponentFailed
    );
    assert_eq!(
        CacheError::SecretLost("g".into(), "s".into()).error_name(),
        ErrorName::ComponentFailed
    );
    assert_eq!(
        CacheError::MalformedSecret("s".into()).error_name(),
        ErrorName::ComponentFailed
    );
}
