//! One SDK call per [`ServerlessCalls`] method.

use super::convert::cache_tags;
use super::serverless_convert::{cache_of, group_of_users, usage_limits, user_of};
use super::ElastiCache;
use crate::{
    CacheUser, CallResult, ServerlessCache, ServerlessCalls, ServerlessPlan, UserGroup, UserPlan,
};
use aws_sdk_elasticache::types as ec;
use env_core::error::{aws_error, found};
use env_core::tags::Tag;

impl ServerlessCalls for ElastiCache {
    async fn serverless_cache(&self, name: &str) -> CallResult<Option<ServerlessCache>> {
        let output = self
            .client
            .describe_serverless_caches()
            .serverless_cache_name(name)
            .send()
            .await
            .map_err(aws_error("DescribeServerlessCaches"));
        let output = found(output, &["ServerlessCacheNotFoundFault"])?;
        output
            .and_then(|output| output.serverless_caches().first().map(cache_of))
            .transpose()
    }

    async fn create_serverless_cache(&self, plan: &ServerlessPlan) -> CallResult<()> {
        self.client
            .create_serverless_cache()
            .serverless_cache_name(&plan.name)
            .description(&plan.description)
            .engine(plan.engine)
            .major_engine_version(plan.major_engine_version)
            .cache_usage_limits(usage_limits(plan.limits))
            .kms_key_id(&plan.kms_key_arn)
            .security_group_ids(&plan.security_group_id)
            .set_subnet_ids(Some(plan.subnet_ids.clone()))
            .user_group_id(&plan.user_group)
            .snapshot_retention_limit(plan.snapshot_retention_days)
            .daily_snapshot_time(plan.daily_snapshot_time)
            .set_tags(Some(cache_tags(&plan.tags)))
            .send()
            .await
            .map_err(aws_error("CreateServerlessCache"))?;
        Ok(())
    }

    async fn delete_serverless_cache(&self, name: &str) -> CallResult<()> {
        self.client
            .delete_serverless_cache()
            .serverless_cache_name(name)
            .send()
            .await
            .map_err(aws_error("DeleteServerlessCache"))?;
        Ok(())
    }

    async fn user(&self, id: &str) -> CallResult<Option<CacheUser>> {
        let output = self
            .client
            .describe_users()
            .user_id(id)
            .send()
            .await
            .map_err(aws_error("DescribeUsers"));
        let output = found(output, &["UserNotFound"])?;
        output
            .and_then(|output| output.users().first().map(user_of))
            .transpose()
    }

    async fn create_user(&self, plan: &UserPlan) -> CallResult<()> {
        let authentication = ec::AuthenticationMode::builder()
            .r#type(ec::InputAuthenticationType::Password)
            .passwords(plan.password.expose())
            .build();
        self.client
            .create_user()
            .user_id(&plan.id)
            .user_name(&plan.name)
            .engine(plan.engine)
            .access_string(plan.access_string)
            .authentication_mode(authentication)
            .set_tags(Some(cache_tags(&plan.tags)))
            .send()
            .await
            .map_err(aws_error("CreateUser"))?;
        Ok(())
    }

    async fn delete_user(&self, id: &str) -> CallResult<()> {
        self.client
            .delete_user()
            .user_id(id)
            .send()
            .await
            .map_err(aws_error("DeleteUser"))?;
        Ok(())
    }

    async fn user_group(&self, id: &str) -> CallResult<Option<UserGroup>> {
        let output = self
            .client
            .describe_user_groups()
            .user_group_id(id)
            .send()
            .await
            .map_err(aws_error("DescribeUserGroups"));
        let output = found(output, &["UserGroupNotFound"])?;
        output
            .and_then(|output| output.user_groups().first().map(group_of_users))
            .transpose()
    }

    async fn create_user_group(
        &self,
        id: &str,
        engine: &str,
        user_ids: &[String],
        tags: &[Tag],
    ) -> CallResult<()> {
        self.client
            .create_user_group()
            .user_group_id(id)
            .engine(engine)
            .set_user_ids(Some(user_ids.to_vec()))
            .set_tags(Some(cache_tags(tags)))
            .send()
            .await
            .map_err(aws_error("CreateUserGroup"))?;
        Ok(())
    }

    async fn delete_user_group(&self, id: &str) -> CallResult<()> {
        self.client
            .delete_user_group()
            .user_group_id(id)
            .send()
            .await
            .map_err(aws_error("DeleteUserGroup"))?;
        Ok(())
    }
}
