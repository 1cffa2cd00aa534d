//! Elastic Load Balancing v2: the blue and green target groups, their health checks and
//! deregistration delay.

use super::elb_tags;
use crate::{CallResult, Target, TargetGroupSettings};
use aws_sdk_elasticloadbalancingv2::operation::describe_target_groups::DescribeTargetGroupsOutput;
use aws_sdk_elasticloadbalancingv2::operation::describe_target_health::DescribeTargetHealthOutput;
use aws_sdk_elasticloadbalancingv2::types as elb;
use aws_sdk_elasticloadbalancingv2::Client;
use env_core::error::{aws_error, found, Required};
use env_core::tags::Tag;

/// The health check from `settings`, set alike by CreateTargetGroup and ModifyTargetGroup (two
/// request builders with the same setters), so that a group made earlier gets every later change.
macro_rules! with_health_check {
    ($request:expr, $settings:expr) => {{
        let settings: &TargetGroupSettings = $settings;
        $request
            .health_check_enabled(true)
            .health_check_protocol(elb::ProtocolEnum::Http)
            .health_check_path(&settings.health_check_path)
            .health_check_interval_seconds(settings.interval_seconds)
            .health_check_timeout_seconds(settings.timeout_seconds)
            .healthy_threshold_count(settings.healthy_threshold)
            .unhealthy_threshold_count(settings.unhealthy_threshold)
            .matcher(elb::Matcher::builder().http_code(&settings.matcher).build())
    }};
}

/// The ARN of the target group DescribeTargetGroups answered, `None` when it answered
/// `TargetGroupNotFound` (its answer for a name no target group has).
fn described_target_group(
    described: CallResult<DescribeTargetGroupsOutput>,
) -> CallResult<Option<String>> {
    let described = found(described, &["TargetGroupNotFound"])?;
    described
        .as_ref()
        .and_then(|output| output.target_groups().first())
        .map(|group| {
            group
                .target_group_arn()
                .required("TargetGroup.TargetGroupArn")
                .map(str::to_owned)
        })
        .transpose()
}

pub(super) async fn target_group(client: &Client, name: &str) -> CallResult<Option<String>> {
    let described = client
        .describe_target_groups()
        .names(name)
        .send()
        .await
        .map_err(aws_error("DescribeTargetGroups"));
    described_target_group(described)
}

pub(super) async fn create_target_group(
    client: &Client,
    settings: &TargetGroupSettings,
    tags: &[Tag],
) -> CallResult<String> {
    let request = client
        .create_target_group()
        .name(&settings.name)
        .protocol(elb::ProtocolEnum::Http)
        .port(settings.port)
        .vpc_id(&settings.vpc_id)
        // Fargate tasks in awsvpc mode register by IP address.
        .target_type(elb::TargetTypeEnum::Ip);
    let created = with_health_check!(request, settings)
        .set_tags(Some(elb_tags(tags)))
        .send()
        .await
        .map_err(aws_error("CreateTargetGroup"))?;
    created_group(&created)
}

pub(super) async fn modify_target_group(
    client: &Client,
    arn: &str,
    settings: &TargetGroupSettings,
) -> CallResult<()> {
    let request = client.modify_target_group().target_group_arn(arn);
    with_health_check!(request, settings)
        .send()
        .await
        .map_err(aws_error("ModifyTargetGroup"))?;
    Ok(())
}

pub(super) async fn set_deregistration_delay(
    client: &Client,
    arn: &str,
    seconds: i32,
) -> CallResult<()> {
    client
        .modify_target_group_attributes()
        .target_group_arn(arn)
        .attributes(
            elb::TargetGroupAttribute::builder()
                .key("deregistration_delay.timeout_seconds")
                .value(seconds.to_string())
                .build(),
        )
        .send()
        .await
        .map_err(aws_error("ModifyTargetGroupAttributes"))?;
    Ok(())
}

pub(super) async fn delete_target_group(client: &Client, arn: &str) -> CallResult<()> {
    client
        .delete_target_group()
        .target_group_arn(arn)
        .send()
        .await
        .map_err(aws_error("DeleteTargetGroup"))?;
    Ok(())
}

/// The first target group of a CreateTargetGroup answer.
fn created_group(
    created: &aws_sdk_elasticloadbalancingv2::operation::create_target_group::CreateTargetGroupOutput,
) -> CallResult<String> {
    let group = created
        .target_groups()
        .first()
        .required("CreateTargetGroupOutput.TargetGroups")?;
    Ok(group
        .target_group_arn()
        .required("TargetGroup.TargetGroupArn")?
        .to_owned())
}

pub(super) async fn create_lambda_target_group(
    client: &Client,
    name: &str,
    tags: &[Tag],
) -> CallResult<String> {
    // ELB API reference, CreateTargetGroup: a `lambda` group takes no protocol, port or VPC, and
    // its health checks are off unless asked for; each check would invoke the function (ELB user
    // guide, "Lambda functions as targets").
    let created = client
        .create_target_group()
        .name(name)
        .target_type(elb::TargetTypeEnum::Lambda)
        .health_check_enabled(false)
        .set_tags(Some(elb_tags(tags)))
        .send()
        .await
        .map_err(aws_error("CreateTargetGroup"))?;
    created_group(&created)
}

pub(super) async fn register_lambda(
    client: &Client,
    target_group_arn: &str,
    function_arn: &str,
) -> CallResult<()> {
    // A Lambda target is its function's ARN, without port (ELB API reference, TargetDescription).
    client
        .register_targets()
        .target_group_arn(target_group_arn)
        .targets(elb::TargetDescription::builder().id(function_arn).build())
        .send()
        .await
        .map_err(aws_error("RegisterTargets"))?;
    Ok(())
}

/// The targets of a DescribeTargetHealth answer; one without id or state is incomplete.
fn targets_of(described: &DescribeTargetHealthOutput) -> CallResult<Vec<Target>> {
    described
        .target_health_descriptions()
        .iter()
        .map(|description| {
            let target = description
                .target()
                .required("TargetHealthDescription.Target")?;
            let id = target.id().required("TargetDescription.Id")?;
            let state = description
                .target_health()
                .and_then(elb::TargetHealth::state)
                .required("TargetHealth.State")?;
            Ok(Target {
                id: id.to_owned(),
                state: state.as_str().to_owned(),
            })
        })
        .collect()
}

pub(super) async fn targets(client: &Client, target_group_arn: &str) -> CallResult<Vec<Target>> {
    let described = client
        .describe_target_health()
        .target_group_arn(target_group_arn)
        .send()
        .await
        .map_err(aws_error("DescribeTargetHealth"))?;
    targets_of(&described)
}

#[cfg(test)]
#[path = "target_groups_tests.rs"]
mod tests;
