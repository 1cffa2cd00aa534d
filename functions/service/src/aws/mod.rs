//! [`Cloud`] over the AWS SDK: the shared ECS, Cloud Map, log-group and role capabilities, and the
//! Application Auto Scaling calls ([`scaling`]), one SDK call per method, translated to and from
//! the plain types of [`crate::api`]. No decisions are taken here; they are the handler's, where the
//! unit tests reach them. The SDK builders that return `Result` fail only when a required field is
//! missing, and every one below sets its required fields, hence the `expect`s.

mod scaling;

use crate::api::{CallResult, Cloud};
use aws_config::SdkConfig;
use cloud_map::CloudMap;
use ecs::Ecs;
use iam_roles::Roles;
use log_groups::LogGroups;

const SET: &str = "required fields are set";

#[derive(Debug, Clone)]
pub struct AwsCloud {
    ecs: Ecs,
    cloud_map: CloudMap,
    scaling: aws_sdk_applicationautoscaling::Client,
    log_groups: LogGroups,
    roles: Roles,
}

impl AwsCloud {
    /// `role_boundary`: the permissions boundary of the roles this function creates
    /// (`ROLE_PERMISSIONS_BOUNDARY`, read once at start).
    pub fn new(config: &SdkConfig, role_boundary: Option<String>) -> Self {
        Self {
            ecs: Ecs::new(config),
            cloud_map: CloudMap::new(config),
            scaling: aws_sdk_applicationautoscaling::Client::new(config),
            log_groups: LogGroups::new(config),
            roles: Roles::bounded(config, role_boundary),
        }
    }
}

impl Cloud for AwsCloud {
    env_core::capabilities! {
        Ecs = Ecs => ecs(ecs),
        CloudMap = CloudMap => cloud_map(cloud_map),
        Logs = LogGroups => logs(log_groups),
        Roles = Roles => roles(roles),
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
