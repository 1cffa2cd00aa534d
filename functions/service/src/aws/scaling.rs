//! Application Auto Scaling: the service's scalable target (its desired count) and CPU policy.

use super::SET;
use crate::api::CallResult;
use aws_sdk_applicationautoscaling::types as scaling;
use aws_sdk_applicationautoscaling::Client;
use env_core::error::aws_error;

pub(super) async fn scalable_target(
    client: &Client,
    resource: &str,
) -> CallResult<Option<(i32, i32)>> {
    let output = client
        .describe_scalable_targets()
        .service_namespace(scaling::ServiceNamespace::Ecs)
        .resource_ids(resource)
        .scalable_dimension(scaling::ScalableDimension::EcsServiceDesiredCount)
        .send()
        .await
        .map_err(aws_error("DescribeScalableTargets"))?;
    Ok(output
        .scalable_targets()
        .first()
        .map(|target| (target.min_capacity(), target.max_capacity())))
}

pub(super) async fn register_scalable_target(
    client: &Client,
    resource: &str,
    min: i32,
    max: i32,
) -> CallResult<()> {
    client
        .register_scalable_target()
        .service_namespace(scaling::ServiceNamespace::Ecs)
        .resource_id(resource)
        .scalable_dimension(scaling::ScalableDimension::EcsServiceDesiredCount)
        .min_capacity(min)
        .max_capacity(max)
        .send()
        .await
        .map_err(aws_error("RegisterScalableTarget"))?;
    Ok(())
}

pub(super) async fn put_cpu_policy(
    client: &Client,
    resource: &str,
    name: &str,
    target: f64,
    cooldowns: (i32, i32),
) -> CallResult<()> {
    let metric = scaling::PredefinedMetricSpecification::builder()
        .predefined_metric_type(scaling::MetricType::EcsServiceAverageCpuUtilization)
        .build()
        .expect(SET);
    let configuration = scaling::TargetTrackingScalingPolicyConfiguration::builder()
        .target_value(target)
        .predefined_metric_specification(metric)
        .scale_out_cooldown(cooldowns.0)
        .scale_in_cooldown(cooldowns.1)
        .build()
        .expect(SET);
    client
        .put_scaling_policy()
        .policy_name(name)
        .service_namespace(scaling::ServiceNamespace::Ecs)
        .resource_id(resource)
        .scalable_dimension(scaling::ScalableDimension::EcsServiceDesiredCount)
        .policy_type(scaling::PolicyType::TargetTrackingScaling)
        .target_tracking_scaling_policy_configuration(configuration)
        .send()
        .await
        .map_err(aws_error("PutScalingPolicy"))?;
    Ok(())
}

pub(super) async fn scaling_policies(client: &Client, resource: &str) -> CallResult<Vec<String>> {
    let output = client
        .describe_scaling_policies()
        .service_namespace(scaling::ServiceNamespace::Ecs)
        .resource_id(resource)
        .scalable_dimension(scaling::ScalableDimension::EcsServiceDesiredCount)
        .send()
        .await
        .map_err(aws_error("DescribeScalingPolicies"))?;
    Ok(output
        .scaling_policies()
        .iter()
        .map(|policy| policy.policy_name().to_owned())
        .collect())
}

pub(super) async fn delete_scaling_policy(
    client: &Client,
    resource: &str,
    name: &str,
) -> CallResult<()> {
    client
        .delete_scaling_policy()
        .policy_name(name)
        .service_namespace(scaling::ServiceNamespace::Ecs)
        .resource_id(resource)
        .scalable_dimension(scaling::ScalableDimension::EcsServiceDesiredCount)
        .send()
        .await
        .map_err(aws_error("DeleteScalingPolicy"))?;
    Ok(())
}

pub(super) async fn deregister_scalable_target(client: &Client, resource: &str) -> CallResult<()> {
    client
        .deregister_scalable_target()
        .service_namespace(scaling::ServiceNamespace::Ecs)
        .resource_id(resource)
        .scalable_dimension(scaling::ScalableDimension::EcsServiceDesiredCount)
        .send()
        .await
        .map_err(aws_error("DeregisterScalableTarget"))?;
    Ok(())
}
