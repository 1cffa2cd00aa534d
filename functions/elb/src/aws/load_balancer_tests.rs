//! The SDK's load balancers and attributes read into the plain types, and DescribeLoadBalancers'
//! not-found answer told apart from its failures.

use super::*;
use env_core::error::aws_failure;

fn described(lb: elb::LoadBalancer) -> CallResult<DescribeLoadBalancersOutput> {
    Ok(DescribeLoadBalancersOutput::builder()
        .load_balancers(lb)
        .build())
}

fn lb(state: Option<elb::LoadBalancerStateEnum>) -> elb::LoadBalancer {
    let builder = elb::LoadBalancer::builder()
        .load_balancer_arn("arn:aws:elasticloadbalancing:us-west-2:1:loadbalancer/app/alb/1")
        .dns_name("alb-1.us-west-2.elb.amazonaws.com");
    match state {
        Some(code) => builder
            .state(elb::LoadBalancerState::builder().code(code).build())
            .build(),
        None => builder.build(),
    }
}

#[test]
fn a_load_balancer_is_read_with_its_arn_dns_name_and_state() {
    let found = described_load_balancer(described(lb(Some(
        elb::LoadBalancerStateEnum::Provisioning,
    ))))
    .unwrap()
    .unwrap();
    assert_eq!(
        found,
        LoadBalancer {
            arn: "arn:aws:elasticloadbalancing:us-west-2:1:loadbalancer/app/alb/1".into(),
            dns_name: "alb-1.us-west-2.elb.amazonaws.com".into(),
            state: Some("provisioning".into()),
        }
    );
    // No state in the answer: read as none, for the caller to wait on.
    let found = described_load_balancer(described(lb(None)))
        .unwrap()
        .unwrap();
    assert_eq!(found.state, None);
    let failed = load_balancer_of(&lb(Some(elb::LoadBalancerStateEnum::Failed))).unwrap();
    assert_eq!(failed.state.as_deref(), Some("failed"));
}

#[test]
fn a_load_balancer_without_its_arn_or_dns_name_is_an_incomplete_answer() {
    let error = load_balancer_of(&elb::LoadBalancer::builder().dns_name("x").build()).unwrap_err();
    assert!(
        error.to_string().contains("LoadBalancer.LoadBalancerArn"),
        "{error}"
    );
    let without_name = elb::LoadBalancer::builder()
        .load_balancer_arn("arn")
        .build();
    let error = described_load_balancer(described(without_name)).unwrap_err();
    assert!(
        error.to_string().contains("LoadBalancer.DNSName"),
        "{error}"
    );
}

#[test]
fn only_load_balancer_not_found_or_an_empty_answer_means_absent() {
    let missing = Err(aws_failure("DescribeLoadBalancers", "LoadBalancerNotFound"));
    assert_eq!(described_load_balancer(missing).unwrap(), None);
    let empty = Ok(DescribeLoadBalancersOutput::builder().build());
    assert_eq!(described_load_balancer(empty).unwrap(), None);
    for code in ["TargetGroupNotFound", "AccessDenied", "Throttling"] {
        let error =
            described_load_balancer(Err(aws_failure("DescribeLoadBalancers", code))).unwrap_err();
        assert!(error.is_code(code), "{code}");
    }
}

#[test]
fn an_attribute_is_read_with_its_value_and_one_without_is_incomplete() {
    let set = elb::LoadBalancerAttribute::builder()
        .key("deletion_protection.enabled")
        .value("true")
        .build();
    assert_eq!(
        attribute(&set).unwrap(),
        ("deletion_protection.enabled".to_owned(), "true".to_owned())
    );
    let never_set = elb::LoadBalancerAttribute::builder()
        .key("access_logs.s3.prefix")
        .value("")
        .build();
    assert_eq!(attribute(&never_set).unwrap().1, "");
    let without_value = elb::LoadBalancerAttribute::builder().key("k").build();
    let error = attribute(&without_value).unwrap_err();
    assert!(
        error.to_string().contains("LoadBalancerAttribute.Value"),
        "{error}"
    );
    let without_key = elb::LoadBalancerAttribute::builder().value("v").build();
    let error = attribute(&without_key).unwrap_err();
    assert!(
        error.to_string().contains("LoadBalancerAttribute.Key"),
        "{error}"
    );
}

#[test]
fn tags_are_written_as_elb_tags() {
    let tags = [Tag {
        key: "Name",
        value: "alb-pr-42".into(),
    }];
    let written = elb_tags(&tags);
    assert_eq!(written.len(), 1);
    assert_eq!(written[0].key(), Some("Name"));
    assert_eq!(written[0].value(), Some("alb-pr-42"));
}
