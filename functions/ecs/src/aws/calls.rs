//! [`EcsCalls`] over the SDK client: the cluster, the task family's revisions and the service, each
//! call's errors named after its operation.

use super::convert::{
    cluster_of, container, deployment_configuration, ecs_tags, family_of, fingerprint_of,
    load_balancer, refusals, registered, service_of,
};
use super::{Ecs, SET};
use crate::{CallResult, Cluster, EcsCalls, EcsService, ServiceSpec, TaskDefinition, TaskSpec};
use aws_sdk_ecs::types as ecs;
use env_core::error::{aws_error, found, Required};
use env_core::tags::Tag;

impl Ecs {
    /// The ARNs of the family's revisions in `status`, oldest first. `familyPrefix` may match
    /// longer families (pr-1 and pr-10): only the exact family is kept.
    async fn revisions(
        &self,
        family: &str,
        status: ecs::TaskDefinitionStatus,
    ) -> CallResult<Vec<String>> {
        let arns: Vec<String> = self
            .client
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

impl EcsCalls for Ecs {
    async fn cluster(&self, name: &str) -> CallResult<Option<Cluster>> {
        let output = self
            .client
            .describe_clusters()
            .clusters(name)
            .send()
            .await
            .map_err(aws_error("DescribeClusters"))?;
        // A cluster never created, or purged after deletion, is answered with a MISSING failure
        // instead of a cluster: none.
        output.clusters().first().map(cluster_of).transpose()
    }

    async fn create_cluster(&self, name: &str, tags: &[Tag]) -> CallResult<Cluster> {
        let output = self
            .client
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
        cluster_of(output.cluster().required("CreateClusterResponse.cluster")?)
    }

    async fn delete_cluster(&self, name: &str) -> CallResult<()> {
        self.client
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
            .client
            .describe_task_definition()
            .task_definition(&arn)
            .include(ecs::TaskDefinitionField::Tags)
            .send()
            .await
            .map_err(aws_error("DescribeTaskDefinition"))?;
        let fingerprint = fingerprint_of(output.tags());
        Ok(Some(TaskDefinition { arn, fingerprint }))
    }

    async fn register_task_definition(
        &self,
        spec: &TaskSpec,
        tags: &[Tag],
    ) -> CallResult<TaskDefinition> {
        let output = self
            .client
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
        registered(output.task_definition())
    }

    async fn task_definitions(&self, family: &str) -> CallResult<Vec<String>> {
        self.revisions(family, ecs::TaskDefinitionStatus::Active)
            .await
    }

    async fn deregister_task_definition(&self, arn: &str) -> CallResult<()> {
        self.client
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
            .client
            .delete_task_definitions()
            .set_task_definitions(Some(arns.to_vec()))
            .send()
            .await
            .map_err(aws_error("DeleteTaskDefinitions"))?;
        Ok(refusals(output.failures()))
    }

    async fn service(&self, cluster: &str, name: &str) -> CallResult<Option<EcsService>> {
        let output = self
            .client
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

    async fn create_service(&self, spec: &ServiceSpec, tags: &[Tag]) -> CallResult<EcsService> {
        let network = ecs::AwsVpcConfiguration::builder()
            .set_subnets(Some(spec.subnets.clone()))
            .security_groups(&spec.security_group)
            // Control ECS.2.
            .assign_public_ip(ecs::AssignPublicIp::Disabled)
            .build()
            .expect(SET);
        let output = self
            .client
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

    async fn update_task_definition(
        &self,
        cluster: &str,
        name: &str,
        task_definition: &str,
        desired_count: Option<i32>,
    ) -> CallResult<()> {
        self.client
            .update_service()
            .cluster(cluster)
            .service(name)
            .task_definition(task_definition)
            // None leaves the count as it is (the autoscaler's).
            .set_desired_count(desired_count)
            .send()
            .await
            .map_err(aws_error("UpdateService"))?;
        Ok(())
    }

    async fn update_deployment(&self, spec: &ServiceSpec) -> CallResult<()> {
        self.client
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

    async fn force_new_deployment(&self, cluster: &str, name: &str) -> CallResult<()> {
        self.client
            .update_service()
            .cluster(cluster)
            .service(name)
            .force_new_deployment(true)
            .send()
            .await
            .map_err(aws_error("UpdateService"))?;
        Ok(())
    }

    async fn scale_service(&self, cluster: &str, name: &str, count: i32) -> CallResult<()> {
        self.client
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
        self.client
            .delete_service()
            .cluster(cluster)
            .service(name)
            .force(true)
            .send()
            .await
            .map_err(aws_error("DeleteService"))?;
        Ok(())
    }
}
