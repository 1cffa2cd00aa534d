//! The SDK's target groups read into their ARN, and DescribeTargetGroups' not-found answer told
//! apart from its failures.

use super::*;
use env_core::error::aws_failure;

fn described(group: elb::TargetGroup) -> CallResult<DescribeTargetGroupsOutput> {
    Ok(DescribeTargetGroupsOutput::builder()
        .target_groups(group)
        .build())
}

#[test]
fn a_target_group_is_read_as_its_arn_and_one_without_is_incomplete() {
    let group = elb::TargetGroup::builder()
        .target_group_arn("arn:aws:elasticloadbalancing:us-west-2:1:targetgroup/tg-blue/1")
        .build();
    assert_eq!(
        described_target_group(described(group)).unwrap().as_deref(),
        Some("arn:aws:elasticloadbalancing:us-west-2:1:targetgroup/tg-blue/1")
    );
    let without_arn = elb::TargetGroup::builder().target_group_name("tg").build();
    let error = described_target_group(described(without_arn)).unwrap_err();
    assert!(
        error.to_string().contains("TargetGroup.TargetGroupArn"),
        "{error}"
    );
}

#[test]
fn only_target_group_not_found_or_an_empty_answer_means_absent() {
    let missing = Err(aws_failure("DescribeTargetGroups", "TargetGroupNotFound"));
    assert_eq!(described_target_group(missing).unwrap(), None);
    let empty = Ok(DescribeTargetGroupsOutput::builder().build());
    assert_eq!(described_target_group(empty).unwrap(), None);
    for code in ["LoadBalancerNotFound", "AccessDenied", "Throttling"] {
        let error =
            described_target_group(Err(aws_failure("DescribeTargetGroups", code))).unwrap_err();
        assert!(error.is_code(code), "{code}");
    }
}

#[test]
fn target_health_is_read_as_id_and_state_and_an_answer_without_either_is_incomplete() {
    let description = |id: Option<&str>, state: Option<elb::TargetHealthStateEnum>| {
        let mut built = elb::TargetHealthDescription::builder();
        if let Some(id) = id {
            built = built.target(elb::TargetDescription::builder().id(id).build());
        }
        if let Some(state) = state {
            built = built.target_health(elb::TargetHealth::builder().state(state).build());
        }
        built.build()
    };
    let answer = |descriptions: Vec<elb::TargetHealthDescription>| {
        DescribeTargetHealthOutput::builder()
            .set_target_health_descriptions(Some(descriptions))
            .build()
    };
    let healthy = answer(vec![description(
        Some("10.0.1.5"),
        Some(elb::TargetHealthStateEnum::Healthy),
    )]);
    assert_eq!(
        targets_of(&healthy).unwrap(),
        [Target {
            id: "10.0.1.5".into(),
            state: "healthy".into()
        }]
    );
    let error = targets_of(&answer(vec![description(None, None)])).unwrap_err();
    assert!(
        error.to_string().contains("TargetHealthDescription.Target"),
        "{error}"
    );
    let without_id = elb::TargetHealthDescription::builder()
        .target(elb::TargetDescription::builder().build())
        .build();
    let error = targets_of(&answer(vec![without_id])).unwrap_err();
    assert!(
        error.to_string().contains("TargetDescription.Id"),
        "{error}"
    );
    let error = targets_of(&answer(vec![description(Some("10.0.1.5"), None)])).unwrap_err();
    assert!(error.to_string().contains("TargetHealth.State"), "{error}");
}

#[test]
fn a_created_group_is_read_as_its_arn_and_an_empty_answer_is_incomplete() {
    use aws_sdk_elasticloadbalancingv2::operation::create_target_group::CreateTargetGroupOutput;
    let created = CreateTargetGroupOutput::builder()
        .target_groups(
            elb::TargetGroup::builder()
                .target_group_arn("arn:tg-wake")
                .build(),
        )
        .build();
    assert_eq!(created_group(&created).unwrap(), "arn:tg-wake");
    let error = created_group(&CreateTargetGroupOutput::builder().build()).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("CreateTargetGroupOutput.TargetGroups"),
        "{error}"
    );
    let without_arn = CreateTargetGroupOutput::builder()
        .target_groups(elb::TargetGroup::builder().build())
        .build();
    let error = created_group(&without_arn).unwrap_err();
    assert!(
        error.to_string().contains("TargetGroup.TargetGroupArn"),
        "{error}"
    );
}
