//! [`Cloud`] over the AWS SDK: one SDK call per method (pagination aside), translated to and from
//! the plain types of [`crate::api`]. No decisions are taken here; they are the handler's, where the
//! unit tests reach them. The SDK builders that return `Result` fail only when a required field is
//! missing, and every one below sets its required fields, hence the `expect`s.

use crate::api::{
    found, BlueGreen, CallResult, Cloud, Cluster, EcsService, Named, ServiceSpec, TaskDefinition,
    TaskSpec,
};
use aws_config::SdkConfig;
use aws_sdk_applicationautoscaling::types as scaling;
use aws_sdk_ecs::types as ecs;
use aws_sdk_servicediscovery::types as sd;
use env_core::error::{aws_error, Required};
use env_core::tags::Tag;
use iam_roles::Roles;
use log_groups::LogGroups;

const SET: &str = "required fields are set";

#[derive(Debug, Clone)]
pub struct AwsCloud {
    ecs: aws_sdk_ecs::Client,
    discovery: aws_sdk_servicediscovery::Client,
    scaling: aws_sdk_applicationautoscaling::Client,
    log_groups: LogGroups,
    roles: Roles,
}

impl AwsCloud {
    /// `role_boundary`: the permissions boundary of the roles this function creates
    /// (`ROLE_PERMISSIONS_BOUNDARY`, read once at start).
    pub fn new(config: &SdkConfig, role_boundary: Option<String>) -> Self {
        Self {
            ecs: aws_sdk_ecs::Client::new(config),
            discovery: aws_sdk_servicediscovery::Client::new(config),
            scaling: aws_sdk_applicationautoscaling::Client::new(config),
            log_groups: LogGroups::new(config),
            roles: Roles::bounded(config, role_boundary),
        }
    }
}

fn ecs_tags(tags: &[Tag]) -> Vec<ecs::Tag> {
    tags.iter()
        .map(|tag| ecs::Tag::builder().key(tag.key).value(&tag.value).build())
        .collect()
}

fn discovery_tags(tags: &[Tag]) -> Vec<sd::Tag> {
    tags.iter()
        .map(|tag| {
            sd::Tag::builder()
                .key(tag.key)
                .value(&tag.value)
                .build()
                .expect(SET)
        })
        .collect()
}

impl AwsCloud {
    /// The ARNs of the family's revisions in `status`, oldest first. `familyPrefix` may match
    /// longer families (pr-1 and pr-10): only the exact family is kept.
    async fn revisions(
        &self,
        family: &str,
        status: ecs::TaskDefinitionStatus,
    ) -> CallResult<Vec<String>> {
        let arns: Vec<String> = self
            .ecs
            .list_task_definitions()
            .family_prefix(family)
            .status(status)
            .sort(ecs::SortOrder::Asc)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<String>, _>>()
            .await
            .map_err(aws_error("ListTaskDefinitions"))?;
        Ok(arns
            .into_iter()
            .filter(|arn| family_of(arn) == family)
            .collect())
    }
}

/// `arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>` → `<family>`.
fn family_of(arn: &str) -> &str {
    let name = arn.rsplit('/').next().unwrap_or_default();
    name.split(':').next().unwrap_or_default()
}

fn cluster(cluster: &ecs::Cluster) -> CallResult<Cluster> {
    Ok(Cluster {
        arn: cluster
            .cluster_arn()
            .required("Cluster.clusterArn")?
            .to_owned(),
        status: cluster.status().required("Cluster.status")?.to_owned(),
    })
}

fn service(service: &ecs::Service) -> CallResult<EcsService> {
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

fn discovery_namespace(namespace: &sd::NamespaceSummary) -> CallResult<Named> {
    Ok(Named {
        id: namespace.id().required("NamespaceSummary.Id")?.to_owned(),
        arn: namespace.arn().required("NamespaceSummary.Arn")?.to_owned(),
        name: namespace
            .name()
            .required("NamespaceSummary.Name")?
            .to_owned(),
    })
}

fn discovery_service(service: &sd::Service) -> CallResult<Named> {
    Ok(Named {
        id: service.id().required("Service.Id")?.to_owned(),
        arn: service.arn().required("Service.Arn")?.to_owned(),
        name: service.name().required("Service.Name")?.to_owned(),
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

fn container(task: &TaskSpec) -> ecs::ContainerDefinition {
    let log = crate::api::LOG_DELIVERY
        .iter()
        .fold(ecs::LogConfiguration::builder(), |log, (name, value)| {
            log.options(*name, *value)
        })
        .log_driver(ecs::LogDriver::Awslogs)
        .options("awslogs-group", &task.log_group)
        .options("awslogs-region", &task.region)
        .options("awslogs-stream-prefix", &task.container_name)
        .build()
        .expect(SET);
    let health = ecs::HealthCheck::builder()
        .set_command(Some(task.health_check.clone()))
        .interval(30)
        .timeout(5)
        .retries(3)
        .start_period(60)
        .build()
        .expect(SET);
    ecs::ContainerDefinition::builder()
        .name(&task.container_name)
        .image(&task.image)
        .essential(true)
        .user(&task.user)
        .readonly_root_filesystem(true)
        .privileged(false)
        // An init process reaps zombies and forwards SIGTERM to Node, so tasks stop cleanly.
        .linux_parameters(
            ecs::LinuxParameters::builder()
                .init_process_enabled(true)
                .build(),
        )
        .stop_timeout(30)
        .port_mappings(
            ecs::PortMapping::builder()
                .container_port(task.port)
                .protocol(ecs::TransportProtocol::Tcp)
                .build(),
        )
        .mount_points(
            ecs::MountPoint::builder()
                .source_volume(&task.tmp_volume)
                .container_path("/tmp")
                .read_only(false)
                .build(),
        )
        .set_environment(Some(
            task.environment
                .iter()
                .map(|(name, value)| ecs::KeyValuePair::builder().name(name).value(value).build())
                .collect(),
        ))
        .set_secrets(Some(
            task.secrets
                .iter()
                .map(|(name, from)| {
                    ecs::Secret::builder()
                        .name(name)
                        .value_from(from)
                        .build()
                        .expect(SET)
                })
                .collect(),
        ))
        .health_check(health)
        .log_configuration(log)
        .build()
}

impl Cloud for AwsCloud {
    type Logs = LogGroups;
    type Roles = Roles;

    fn logs(&self) -> &LogGroups {
        &self.log_groups
    }

    fn roles(&self) -> &Roles {
        &self.roles
    }

    async fn cluster(&self, name: &str) -> CallResult<Option<Cluster>> {
        let output = self
            .ecs
            .describe_clusters()
            .clusters(name)
            .send()
            .await
            .map_err(aws_error("DescribeClusters"))?;
        // A cluster never created, or purged after deletion, is answered with a MISSING failure
        // instead of a cluster: none.
        output.clusters().first().map(cluster).transpose()
    }

    async fn create_cluster(&self, name: &str, tags: &[Tag]) -> CallResult<Cluster> {
        let output = self
            .ecs
            .create_cluster()
            .cluster_name(name)
            // Control ECS.12.
            .settings(
                ecs::ClusterSetting::builder()
                    .name(ecs::ClusterSettingName::ContainerInsights)
                    .value("enabled")
                    .build(),
            )
            .set_tags(Some(ecs_tags(tags)))
            .send()
            .await
            .map_err(aws_error("CreateCluster"))?;
        cluster(output.cluster().required("CreateClusterResponse.cluster")?)
    }

    async fn delete_cluster(&self, name: &str) -> CallResult<()> {
        self.ecs
            .delete_cluster()
            .cluster(name)
            .send()
            .await
            .map_err(aws_error("DeleteCluster"))?;
        Ok(())
    }

    async fn latest_task_definition(&self, family: &str) -> CallResult<Option<TaskDefinition>> {
        let Some(arn) = self.task_definitions(family).await?.pop() else {
            return Ok(None);
        };
        let output = self
            .ecs
            .describe_task_definition()
            .task_definition(&arn)
            .include(ecs::TaskDefinitionField::Tags)
            .send()
            .await
            .map_err(aws_error("DescribeTaskDefinition"))?;
        let fingerprint = output
            .tags()
            .iter()
            .find(|tag| tag.key() == Some(crate::task::FINGERPRINT_TAG))
            .and_then(ecs::Tag::value)
            .map(str::to_owned);
        Ok(Some(TaskDefinition { arn, fingerprint }))
    }

    async fn register_task_definition(
        &self,
        spec: &TaskSpec,
        tags: &[Tag],
    ) -> CallResult<TaskDefinition> {
        let output = self
            .ecs
            .register_task_definition()
            .family(&spec.family)
            .execution_role_arn(&spec.execution_role_arn)
            .task_role_arn(&spec.task_role_arn)
            // Controls ECS.3/ECS.17: awsvpc, no host namespaces.
            .network_mode(ecs::NetworkMode::Awsvpc)
            .requires_compatibilities(ecs::Compatibility::Fargate)
            .runtime_platform(
                ecs::RuntimePlatform::builder()
                    .operating_system_family(ecs::OsFamily::Linux)
                    .cpu_architecture(ecs::CpuArchitecture::from(spec.cpu_architecture.as_str()))
                    .build(),
            )
            .cpu(&spec.cpu)
            .memory(&spec.memory)
            .volumes(ecs::Volume::builder().name(&spec.tmp_volume).build())
            .container_definitions(container(spec))
            .set_tags(Some(ecs_tags(tags)))
            .send()
            .await
            .map_err(aws_error("RegisterTaskDefinition"))?;
        let registered = output
            .task_definition()
            .required("RegisterTaskDefinitionResponse.taskDefinition")?;
        Ok(TaskDefinition {
            arn: registered
                .task_definition_arn()
                .required("TaskDefinition.taskDefinitionArn")?
                .to_owned(),
            fingerprint: None,
        })
    }

    async fn task_definitions(&self, family: &str) -> CallResult<Vec<String>> {
        self.revisions(family, ecs::TaskDefinitionStatus::Active)
            .await
    }

    async fn deregister_task_definition(&self, arn: &str) -> CallResult<()> {
        self.ecs
            .deregister_task_definition()
            .task_definition(arn)
            .send()
            .await
            .map_err(aws_error("DeregisterTaskDefinition"))?;
        Ok(())
    }

    async fn inactive_task_definitions(&self, family: &str) -> CallResult<Vec<String>> {
        self.revisions(family, ecs::TaskDefinitionStatus::Inactive)
            .await
    }

    async fn delete_task_definitions(&self, arns: &[String]) -> CallResult<Vec<String>> {
        let output = self
            .ecs
            .delete_task_definitions()
            .set_task_definitions(Some(arns.to_vec()))
            .send()
            .await
            .map_err(aws_error("DeleteTaskDefinitions"))?;
        Ok(output
            .failures()
            .iter()
            .filter_map(ecs::Failure::reason)
            .map(str::to_owned)
            .collect())
    }

    async fn service(&self, cluster: &str, name: &str) -> CallResult<Option<EcsService>> {
        let output = self
            .ecs
            .describe_services()
            .cluster(cluster)
            .services(name)
            .send()
            .await
            .map_err(aws_error("DescribeServices"));
        // A service never created, or purged after deletion, is answered with a MISSING failure
        // instead of a service: none.
        found(output, &["ClusterNotFoundException"])?
            .and_then(|output| output.services().first().map(service))
            .transpose()
    }

    async fn create_service(&self, spec: &ServiceSpec, tags: &[Tag]) -> CallResult<EcsService> {
        let network = ecs::AwsVpcConfiguration::builder()
            .set_subnets(Some(spec.subnets.clone()))
            .security_groups(&spec.security_group)
            // Control ECS.2.
            .assign_public_ip(ecs::AssignPublicIp::Disabled)
            .build()
            .expect(SET);
        let output = self
            .ecs
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
        service(output.service().required("CreateServiceResponse.service")?)
    }

    async fn update_task_definition(
        &self,
        cluster: &str,
        name: &str,
        task_definition: &str,
    ) -> CallResult<()> {
        self.ecs
            .update_service()
            .cluster(cluster)
            .service(name)
            .task_definition(task_definition)
            .send()
            .await
            .map_err(aws_error("UpdateService"))?;
        Ok(())
    }

    async fn update_deployment(&self, spec: &ServiceSpec) -> CallResult<()> {
        self.ecs
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

    async fn scale_service(&self, cluster: &str, name: &str, count: i32) -> CallResult<()> {
        self.ecs
            .update_service()
            .cluster(cluster)
            .service(name)
            .desired_count(count)
            .send()
            .await
            .map_err(aws_error("UpdateService"))?;
        Ok(())
    }

    async fn delete_service(&self, cluster: &str, name: &str) -> CallResult<()> {
        self.ecs
            .delete_service()
            .cluster(cluster)
            .service(name)
            .force(true)
            .send()
            .await
            .map_err(aws_error("DeleteService"))?;
        Ok(())
    }

    async fn namespace(&self, name: &str) -> CallResult<Option<Named>> {
        let pages = self
            .discovery
            .list_namespaces()
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(aws_error("ListNamespaces"))?;
        pages
            .iter()
            .flat_map(|page| page.namespaces())
            .find(|namespace| namespace.name() == Some(name))
            .map(discovery_namespace)
            .transpose()
    }

    async fn create_namespace(
        &self,
        name: &str,
        vpc_id: &str,
        token: &str,
        tags: &[Tag],
    ) -> CallResult<()> {
        self.discovery
            .create_private_dns_namespace()
            .name(name)
            .vpc(vpc_id)
            .creator_request_id(token)
            .description("Service discovery of the catalog API environment")
            .set_tags(Some(discovery_tags(tags)))
            .send()
            .await
            .map_err(aws_error("CreatePrivateDnsNamespace"))?;
        Ok(())
    }

    async fn discovery_services(&self, namespace_id: &str) -> CallResult<Vec<Named>> {
        let filter = sd::ServiceFilter::builder()
            .name(sd::ServiceFilterName::NamespaceId)
            .values(namespace_id)
            .condition(sd::FilterCondition::Eq)
            .build()
            .expect(SET);
        let pages = self
            .discovery
            .list_services()
            .filters(filter)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(aws_error("ListServices"))?;
        // Some emulators ignore the filter (moto): the namespace is read from each service.
        let mut services = Vec::new();
        for summary in pages.iter().flat_map(|page| page.services()) {
            let described = self
                .discovery
                .get_service()
                .id(summary.id().required("ServiceSummary.Id")?)
                .send()
                .await
                .map_err(aws_error("GetService"));
            // Another environment's teardown may delete its service between the listing and this
            // read (moto lists every namespace's services): gone is simply not ours.
            let output = found(described, &["ServiceNotFound"])?;
            let service = output
                .as_ref()
                .map(|output| output.service().required("GetServiceResponse.Service"))
                .transpose()?;
            if let Some(service) =
                service.filter(|service| service.namespace_id() == Some(namespace_id))
            {
                services.push(discovery_service(service)?);
            }
        }
        Ok(services)
    }

    async fn create_discovery_service(
        &self,
        name: &str,
        namespace_id: &str,
        token: &str,
        tags: &[Tag],
    ) -> CallResult<Named> {
        // A records for awsvpc tasks, short TTL so replaced tasks drop out quickly; the custom
        // health check lets ECS report task health (ECS developer guide, "Service discovery";
        // its failure threshold is always 1).
        let record = sd::DnsRecord::builder()
            .r#type(sd::RecordType::A)
            .ttl(10)
            .build()
            .expect(SET);
        let dns = sd::DnsConfig::builder()
            .routing_policy(sd::RoutingPolicy::Multivalue)
            .dns_records(record)
            .build()
            .expect(SET);
        let output = self
            .discovery
            .create_service()
            .name(name)
            .namespace_id(namespace_id)
            .creator_request_id(token)
            .dns_config(dns)
            .health_check_custom_config(sd::HealthCheckCustomConfig::builder().build())
            .set_tags(Some(discovery_tags(tags)))
            .send()
            .await
            .map_err(aws_error("CreateService"))?;
        discovery_service(output.service().required("CreateServiceResponse.Service")?)
    }

    async fn delete_discovery_service(&self, id: &str) -> CallResult<()> {
        self.discovery
            .delete_service()
            .id(id)
            .send()
            .await
            .map_err(aws_error("DeleteService"))?;
        Ok(())
    }

    async fn delete_namespace(&self, id: &str) -> CallResult<()> {
        self.discovery
            .delete_namespace()
            .id(id)
            .send()
            .await
            .map_err(aws_error("DeleteNamespace"))?;
        Ok(())
    }

    async fn scalable_target(&self, resource: &str) -> CallResult<Option<(i32, i32)>> {
        let output = self
            .scaling
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

    async fn register_scalable_target(&self, resource: &str, min: i32, max: i32) -> CallResult<()> {
        self.scaling
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

    async fn put_cpu_policy(
        &self,
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
        self.scaling
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

    async fn scaling_policies(&self, resource: &str) -> CallResult<Vec<String>> {
        let output = self
            .scaling
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

    async fn delete_scaling_policy(&self, resource: &str, name: &str) -> CallResult<()> {
        self.scaling
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

    async fn deregister_scalable_target(&self, resource: &str) -> CallResult<()> {
        self.scaling
            .deregister_scalable_target()
            .service_namespace(scaling::ServiceNamespace::Ecs)
            .resource_id(resource)
            .scalable_dimension(scaling::ScalableDimension::EcsServiceDesiredCount)
            .send()
            .await
            .map_err(aws_error("DeregisterScalableTarget"))?;
        Ok(())
    }
}
