//! Elastic Load Balancing v2: the application load balancer and its attributes.

use super::elb_tags;
use crate::{CallResult, LoadBalancer, LoadBalancerSettings};
use aws_sdk_elasticloadbalancingv2::operation::describe_load_balancers::DescribeLoadBalancersOutput;
use aws_sdk_elasticloadbalancingv2::types as elb;
use aws_sdk_elasticloadbalancingv2::Client;
use env_core::error::{aws_error, found, Required};
use env_core::tags::Tag;

fn load_balancer_of(lb: &elb::LoadBalancer) -> CallResult<LoadBalancer> {
    Ok(LoadBalancer {
        arn: lb
            .load_balancer_arn()
            .required("LoadBalancer.LoadBalancerArn")?
            .to_owned(),
        dns_name: lb.dns_name().required("LoadBalancer.DNSName")?.to_owned(),
        state: lb
            .state()
            .and_then(elb::LoadBalancerState::code)
            .map(|code| code.as_str().to_owned()),
    })
}

/// The load balancer DescribeLoadBalancers answered, `None` when it answered
/// `LoadBalancerNotFound` (its answer for a name no load balancer has).
fn described_load_balancer(
    described: CallResult<DescribeLoadBalancersOutput>,
) -> CallResult<Option<LoadBalancer>> {
    let described = found(described, &["LoadBalancerNotFound"])?;
    described
        .as_ref()
        .and_then(|output| output.load_balancers().first())
        .map(load_balancer_of)
        .transpose()
}

pub(super) async fn load_balancer(client: &Client, name: &str) -> CallResult<Option<LoadBalancer>> {
    let described = client
        .describe_load_balancers()
        .names(name)
        .send()
        .await
        .map_err(aws_error("DescribeLoadBalancers"));
    described_load_balancer(described)
}

pub(super) async fn create_load_balancer(
    client: &Client,
    settings: &LoadBalancerSettings,
    tags: &[Tag],
) -> CallResult<LoadBalancer> {
    let created = client
        .create_load_balancer()
        .name(&settings.name)
        .set_subnets(Some(settings.subnets.clone()))
        .security_groups(&settings.security_group)
        .scheme(elb::LoadBalancerSchemeEnum::InternetFacing)
        .r#type(elb::LoadBalancerTypeEnum::Application)
        .ip_address_type(elb::IpAddressType::Ipv4)
        .set_tags(Some(elb_tags(tags)))
        .send()
        .await
        .map_err(aws_error("CreateLoadBalancer"))?;
    load_balancer_of(
        created
            .load_balancers()
            .first()
            .required("CreateLoadBalancerOutput.LoadBalancers")?,
    )
}

/// Every attribute comes with its value, "" for one never set (ELB's own example of
/// DescribeLoadBalancerAttributes, `elbv2-describe-load-balancer-attributes-1`).
fn attribute(attribute: &elb::LoadBalancerAttribute) -> CallResult<(String, String)> {
    let key = attribute.key().required("LoadBalancerAttribute.Key")?;
    let value = attribute.value().required("LoadBalancerAttribute.Value")?;
    Ok((key.to_owned(), value.to_owned()))
}

pub(super) async fn load_balancer_attributes(
    client: &Client,
    arn: &str,
) -> CallResult<Vec<(String, String)>> {
    let described = client
        .describe_load_balancer_attributes()
        .load_balancer_arn(arn)
        .send()
        .await
        .map_err(aws_error("DescribeLoadBalancerAttributes"))?;
    described.attributes().iter().map(attribute).collect()
}

pub(super) async fn set_load_balancer_attributes(
    client: &Client,
    arn: &str,
    attributes: &[(&str, String)],
) -> CallResult<()> {
    let attributes = attributes
        .iter()
        .map(|(key, value)| {
            elb::LoadBalancerAttribute::builder()
                .key(*key)
                .value(value)
                .build()
        })
        .collect();
    client
        .modify_load_balancer_attributes()
        .load_balancer_arn(arn)
        .set_attributes(Some(attributes))
        .send()
        .await
        .map_err(aws_error("ModifyLoadBalancerAttributes"))?;
    Ok(())
}

pub(super) async fn delete_load_balancer(client: &Client, arn: &str) -> CallResult<()> {
    client
        .delete_load_balancer()
        .load_balancer_arn(arn)
        .send()
        .await
        .map_err(aws_error("DeleteLoadBalancer"))?;
    Ok(())
}

#[cfg(test)]
#[path = "load_balancer_tests.rs"]
mod tests;
