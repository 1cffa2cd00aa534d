//! ECS: the service, its load balancer and deployment configuration, its updates and deletion.

use super::{ecs_tags, SET};
use crate::api::{found, BlueGreen, CallResult, EcsService, ServiceSpec};
use aws_sdk_ecs::types as ecs;
use aws_sdk_ecs::Client;
use env_core::error::{aws_error, Required};
use env_core::tags::Tag;

fn service_of(service: &ecs::Service) -> CallResult<EcsService> {
    Ok(EcsService {
        arn: service
            .service_arn()
            .required("Service.serviceArn")?
            .to_owned(),
        status: service.status().required("Service.status")?.to_owned(),
        desired_count: service.desired_count(),
        running_count: service.running_count(),
        // Absent only on the EXTERNAL deployment controller before a primary task set exists;
        // `create_service` makes this service on the ECS controller, with a task definition.
        task_definition: service
            .task_definition()
            .required("Service.taskDefinition")?
            .to_owned(),
        rollout: service
            .deployments()
            .iter()
            .find(|deployment| deployment.status() == Some("PRIMARY"))
            .and_then(ecs::Deployment::rollout_state)
            .map(|state| state.as_str().to_owned()),
        strategy: service
            .deployment_configuration()
            .and_then(ecs::DeploymentConfiguration::strategy)
            .map(|strategy| strategy.as_str().to_owned()),
        alternate_target_group: service
            .load_balancers()
            .iter()
            .filter_map(ecs::LoadBalancer::advanced_configuration)
            .filter_map(ecs::AdvancedConfiguration::alternate_target_group_arn)
            .next()
            .map(str::to_owned),
    })
}

/// The service's one load balancer entry; with blue/green, the green target group and the rules
/// ECS shifts (ECS API reference, `AdvancedConfiguration`).
fn load_balancer(spec: &ServiceSpec) -> ecs::LoadBalancer {
    let advanced = spec.blue_green.as_ref().map(|blue_green: &BlueGreen| {
        ecs::AdvancedConfiguration::builder()
            .alternate_target_group_arn(&blue_green.alternate_target_group_arn)
            .production_listener_rule(&blue_green.production_listener_rule)
            .test_listener_rule(&blue_green.test_listener_rule)
            .role_arn(&blue_green.role_arn)
            .build()
    });
    ecs::LoadBalancer::builder()
        .target_group_arn(&spec.target_group_arn)
        .container_name(&spec.container_name)
        .container_port(spec.container_port)
        .set_advanced_configuration(advanced)
        .build()
}

/// Circuit breaker, percents and the strategy (ECS API reference, `DeploymentConfiguration`).
fn deployment_configuration(spec: &ServiceSpec) -> ecs::DeploymentConfiguration {
    let (strategy, bake) = match &spec.blue_green {
        Some(blue_green) => (
            ecs::DeploymentStrategy::BlueGreen,
            Some(blue_green.bake_time_minutes),
        ),
        None => (ecs::DeploymentStrategy::Rolling, None),
    };
    ecs::DeploymentConfiguration::builder()
        .deployment_circuit_breaker(
            ecs::DeploymentCircuitBreaker::builder()
                .enable(spec.rollback_on_failure)
                .rollback(spec.rollback_on_failure)
                .build(),
        )
        .minimum_healthy_percent(spec.deployment_percents.0)
        .maximum_percent(spec.deployment_percents.1)
        .strategy(strategy)
        .set_bake_time_in_minutes(bake)
        .build()
}

pub(super) async fn service(
    client: &Client,
    cluster: &str,
    name: &str,
) -> CallResult<Option<EcsService>> {
    let output = client
        .describe_services()
        .cluster(cluster)
        .services(name)
        .send()
        .await
        .map_err(aws_error("DescribeServices"));
    // A service never created, or purged after deletion, is answered with a MISSING failure
    // instead of a service: none.
    found(output, &["ClusterNotFoundException"])?
        .and_then(|output| output.services().first().map(service_of))
        .transpose()
}

pub(super) async fn create_service(
    client: &Client,
    spec: &ServiceSpec,
    tags: &[Tag],
) -> CallResult<EcsService> {
    let network = ecs::AwsVpcConfiguration::builder()
        .set_subnets(Some(spec.subnets.clone()))
        .security_groups(&spec.security_group)
        // Control ECS.2.
        .assign_public_ip(ecs::AssignPublicIp::Disabled)
        .build()
        .expect(SET);
    let output = client
        .create_service()
        .cluster(&spec.cluster)
        .service_name(&spec.name)
        .task_definition(&spec.task_definition)
        .desired_count(spec.desired_count)
        .launch_type(ecs::LaunchType::Fargate)
        // Control ECS.10.
        .platform_version("LATEST")
        .network_configuration(
            ecs::NetworkConfiguration::builder()
                .awsvpc_configuration(network)
                .build(),
        )
        .load_balancers(load_balancer(spec))
        .service_registries(
            ecs::ServiceRegistry::builder()
                .registry_arn(&spec.registry_arn)
                .build(),
        )
        .health_check_grace_period_seconds(spec.grace_period_seconds)
        .deployment_controller(
            ecs::DeploymentController::builder()
                .r#type(ecs::DeploymentControllerType::Ecs)
                .build()
                .expect(SET),
        )
        .deployment_configuration(deployment_configuration(spec))
        .propagate_tags(ecs::PropagateTags::Service)
        .enable_ecs_managed_tags(true)
        .set_tags(Some(ecs_tags(tags)))
        .send()
        .await
        .map_err(aws_error("CreateService"))?;
    service_of(output.service().required("CreateServiceResponse.service")?)
}

pub(super) async fn update_task_definition(
    client: &Client,
    cluster: &str,
    name: &str,
    task_definition: &str,
) -> CallResult<()> {
    client
        .update_service()
        .cluster(cluster)
        .service(name)
        .task_definition(task_definition)
        .send()
        .await
        .map_err(aws_error("UpdateService"))?;
    Ok(())
}

pub(super) async fn update_deployment(client: &Client, spec: &ServiceSpec) -> CallResult<()> {
    client
        .update_service()
        .cluster(&spec.cluster)
        .service(&spec.name)
        .deployment_configuration(deployment_configuration(spec))
        .load_balancers(load_balancer(spec))
        .send()
        .await
        .map_err(aws_error("UpdateService"))?;
    Ok(())
}

pub(super) async fn scale_service(
    client: &Client,
    cluster: &str,
    name: &str,
    count: i32,
) -> CallResult<()> {
    client
        .update_service()
        .cluster(cluster)
        .service(name)
        .desired_count(count)
        .send()
        .await
        .map_err(aws_error("UpdateService"))?;
    Ok(())
}

pub(super) async fn delete_service(client: &Client, cluster: &str, name: &str) -> CallResult<()> {
    client
        .delete_service()
        .cluster(cluster)
        .service(name)
        .force(true)
        .send()
        .await
        .map_err(aws_error("DeleteService"))?;
    Ok(())
}
