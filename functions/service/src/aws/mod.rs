//! [`Cloud`] over the AWS SDK: one SDK call per method (pagination aside), translated to and from
//! the plain types of [`crate::api`]. No decisions are taken here; they are the handler's, where the
//! unit tests reach them. The SDK builders that return `Result` fail only when a required field is
//! missing, and every one below sets its required fields, hence the `expect`s.
//!
//! The trait's methods hand each call to the submodule of the resource it concerns: ECS's
//! [`cluster`], [`task_definitions`] and [`services`], Cloud Map's [`discovery`] and Application
//! Auto Scaling's [`scaling`]; the log groups and roles are the shared capabilities' own.

mod cluster;
mod discovery;
mod scaling;
mod services;
mod task_definitions;

use crate::api::{
    CallResult, Cloud, Cluster, EcsService, Named, ServiceSpec, TaskDefinition, TaskSpec,
};
use aws_config::SdkConfig;
use aws_sdk_ecs::types as ecs;
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

/// The tags of the cluster, a task definition or the service.
fn ecs_tags(tags: &[Tag]) -> Vec<ecs::Tag> {
    tags.iter()
        .map(|tag| ecs::Tag::builder().key(tag.key).value(&tag.value).build())
        .collect()
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
        cluster::cluster(&self.ecs, name).await
    }

    async fn create_cluster(&self, name: &str, tags: &[Tag]) -> CallResult<Cluster> {
        cluster::create_cluster(&self.ecs, name, tags).await
    }

    async fn delete_cluster(&self, name: &str) -> CallResult<()> {
        cluster::delete_cluster(&self.ecs, name).await
    }

    async fn latest_task_definition(&self, family: &str) -> CallResult<Option<TaskDefinition>> {
        task_definitions::latest_task_definition(&self.ecs, family).await
    }

    async fn register_task_definition(
        &self,
        spec: &TaskSpec,
        tags: &[Tag],
    ) -> CallResult<TaskDefinition> {
        task_definitions::register_task_definition(&self.ecs, spec, tags).await
    }

    async fn task_definitions(&self, family: &str) -> CallResult<Vec<String>> {
        task_definitions::task_definitions(&self.ecs, family).await
    }

    async fn deregister_task_definition(&self, arn: &str) -> CallResult<()> {
        task_definitions::deregister_task_definition(&self.ecs, arn).await
    }

    async fn inactive_task_definitions(&self, family: &str) -> CallResult<Vec<String>> {
        task_definitions::inactive_task_definitions(&self.ecs, family).await
    }

    async fn delete_task_definitions(&self, arns: &[String]) -> CallResult<Vec<String>> {
        task_definitions::delete_task_definitions(&self.ecs, arns).await
    }

    async fn service(&self, cluster: &str, name: &str) -> CallResult<Option<EcsService>> {
        services::service(&self.ecs, cluster, name).await
    }

    async fn create_service(&self, spec: &ServiceSpec, tags: &[Tag]) -> CallResult<EcsService> {
        services::create_service(&self.ecs, spec, tags).await
    }

    async fn update_task_definition(
        &self,
        cluster: &str,
        name: &str,
        task_definition: &str,
    ) -> CallResult<()> {
        services::update_task_definition(&self.ecs, cluster, name, task_definition).await
    }

    async fn update_deployment(&self, spec: &ServiceSpec) -> CallResult<()> {
        services::update_deployment(&self.ecs, spec).await
    }

    async fn scale_service(&self, cluster: &str, name: &str, count: i32) -> CallResult<()> {
        services::scale_service(&self.ecs, cluster, name, count).await
    }

    async fn delete_service(&self, cluster: &str, name: &str) -> CallResult<()> {
        services::delete_service(&self.ecs, cluster, name).await
    }

    async fn namespace(&self, name: &str) -> CallResult<Option<Named>> {
        discovery::namespace(&self.discovery, name).await
    }

    async fn create_namespace(
        &self,
        name: &str,
        vpc_id: &str,
        token: &str,
        tags: &[Tag],
    ) -> CallResult<()> {
        discovery::create_namespace(&self.discovery, name, vpc_id, token, tags).await
    }

    async fn discovery_services(&self, namespace_id: &str) -> CallResult<Vec<Named>> {
        discovery::discovery_services(&self.discovery, namespace_id).await
    }

    async fn create_discovery_service(
        &self,
        name: &str,
        namespace_id: &str,
        token: &str,
        tags: &[Tag],
    ) -> CallResult<Named> {
        discovery::create_discovery_service(&self.discovery, name, namespace_id, token, tags).await
    }

    async fn delete_discovery_service(&self, id: &str) -> CallResult<()> {
        discovery::delete_discovery_service(&self.discovery, id).await
    }

    async fn delete_namespace(&self, id: &str) -> CallResult<()> {
        discovery::delete_namespace(&self.discovery, id).await
    }

    async fn scalable_target(&self, resource: &str) -> CallResult<Option<(i32, i32)>> {
        scaling::scalable_target(&self.scaling, resource).await
    }

    async fn register_scalable_target(&self, resource: &str, min: i32, max: i32) -> CallResult<()> {
        scaling::register_scalable_target(&self.scaling, resource, min, max).await
    }

    async fn put_cpu_policy(
        &self,
        resource: &str,
        name: &str,
        target: f64,
        cooldowns: (i32, i32),
    ) -> CallResult<()> {
        scaling::put_cpu_policy(&self.scaling, resource, name, target, cooldowns).await
    }

    async fn scaling_policies(&self, resource: &str) -> CallResult<Vec<String>> {
        scaling::scaling_policies(&self.scaling, resource).await
    }

    async fn delete_scaling_policy(&self, resource: &str, name: &str) -> CallResult<()> {
        scaling::delete_scaling_policy(&self.scaling, resource, name).await
    }

    async fn deregister_scalable_target(&self, resource: &str) -> CallResult<()> {
        scaling::deregister_scalable_target(&self.scaling, resource).await
    }
}
