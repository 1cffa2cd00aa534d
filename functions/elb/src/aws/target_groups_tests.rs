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
